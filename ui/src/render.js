// Markdown to safe DOM. Model output is untrusted: whatever marked produces goes
// through DOMPurify before it touches the document, and the result is handed over as
// a DOM fragment so the browser never re-parses a sanitized string.

import { Marked } from 'marked';
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import go from 'highlight.js/lib/languages/go';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import yaml from 'highlight.js/lib/languages/yaml';

// Only a handful of grammars: each one adds to the bundle every visitor downloads.
const LANGUAGES = { bash, c, cpp, go, javascript, json, markdown, python, rust, sql, typescript, yaml };
for (const [name, lang] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, lang);
hljs.registerAliases(['shell', 'console', 'sh', 'zsh'], { languageName: 'bash' });
hljs.registerAliases(['jsonc', 'json5'], { languageName: 'json' });

export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]);
}

function highlight(text, lang) {
  if (lang && hljs.getLanguage(lang)) {
    try {
      return hljs.highlight(text, { language: lang, ignoreIllegals: true }).value;
    } catch {
      // A grammar bug must not lose the code: fall through to plain text.
    }
  }
  return escapeHtml(text);
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    code({ text, lang }) {
      // The info string may carry more than the language ("python title=x").
      const name = (lang || '').trim().split(/\s+/)[0].toLowerCase();
      const known = name && hljs.getLanguage(name) ? name : '';
      const cls = known ? ` class="hljs language-${escapeHtml(known)}"` : ' class="hljs"';
      const label = name ? ` data-lang="${escapeHtml(name)}"` : '';
      return `<pre${label}><code${cls}>${highlight(text.replace(/\n$/, ''), known)}</code></pre>\n`;
    },
    // HTML the model writes is shown as text, the way chat UIs usually do: it is
    // rarely meant as markup, and an event handler never even reaches the parser
    // (Chrome logs a CSP violation for one as soon as any document parses it).
    html({ text, block }) {
      return block ? `<p class="raw-html">${escapeHtml(text.replace(/\n+$/, ''))}</p>\n` : escapeHtml(text);
    },
    // Images become plain links: an image the model names would otherwise be fetched
    // the moment it renders, which lets a prompt injection send data to any host.
    image({ href, text }) {
      const label = text || href || 'image';
      return `<a href="${escapeHtml(href || '')}">[image: ${escapeHtml(label)}]</a>`;
    },
  },
});

const PURIFY = {
  FORBID_TAGS: ['style', 'img', 'picture', 'video', 'audio', 'source', 'iframe', 'form', 'button', 'textarea', 'select', 'svg', 'math'],
  FORBID_ATTR: ['style', 'srcset'],
  ALLOW_DATA_ATTR: false,
  ADD_ATTR: ['data-lang'],
  RETURN_DOM_FRAGMENT: true,
};

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    // Links leave the chat in a new tab that cannot reach back into this page.
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
  if (node.tagName === 'INPUT') {
    // GFM task lists render checkboxes; anything else would be a live form control.
    if ((node.getAttribute('type') || '').toLowerCase() !== 'checkbox') node.remove();
    else node.setAttribute('disabled', '');
  }
});

export function markdownToFragment(text) {
  const html = marked.parse(text, { async: false });
  return DOMPurify.sanitize(html, PURIFY);
}

// DOM for one message. Assistant views re-render only the parts whose text changed,
// because a streaming reply updates many times a second.

import { markdownToFragment } from './render.js';
import { copyText } from './clipboard.js';

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

export function userView(msg) {
  const article = el('article', { class: 'msg msg-user', 'data-testid': 'message-user' });
  // textContent, never HTML: what the user typed is shown exactly as typed.
  article.append(el('div', { class: 'bubble' }, msg.content));
  return article;
}

function fmt(n) {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : '–';
}

export function statsText(msg) {
  const parts = [];
  const t = msg.timings;
  if (t && Number.isFinite(t.predicted_per_second)) parts.push(`${t.predicted_per_second.toFixed(1)} tok/s`);
  const u = msg.usage;
  if (u) {
    parts.push(`prompt ${fmt(u.prompt_tokens)}`);
    parts.push(`completion ${fmt(u.completion_tokens)}`);
    const r = u.completion_tokens_details && u.completion_tokens_details.reasoning_tokens;
    if (Number.isFinite(r)) parts.push(`reasoning ${fmt(r)}`);
  }
  if (msg.stopped) parts.push('stopped');
  else if (msg.finish === 'length') parts.push('cut off at max tokens');
  return parts.join(' · ');
}

function addCodeButtons(root) {
  for (const pre of root.querySelectorAll('pre')) {
    const button = el('button', { class: 'copy-code', type: 'button', 'data-testid': 'copy-code' }, 'Copy');
    button.addEventListener('click', () => flash(button, copyText(pre.querySelector('code')?.textContent ?? pre.textContent)));
    pre.append(button);
  }
}

async function flash(button, done) {
  const label = button.textContent;
  const ok = await done;
  button.textContent = ok ? 'Copied' : 'Copy failed';
  setTimeout(() => (button.textContent = label), 1200);
}

export class AssistantView {
  constructor({ onRegenerate }) {
    this.msg = null;
    this.shown = { reasoning: null, content: null, error: null };
    this.node = el('article', { class: 'msg msg-assistant', 'data-testid': 'message-assistant' });

    this.reasoning = el('details', { class: 'reasoning', 'data-testid': 'reasoning' });
    this.reasoningLabel = el('summary', {}, 'Reasoning');
    this.reasoningText = el('div', { class: 'reasoning-text' });
    this.reasoning.append(this.reasoningLabel, this.reasoningText);
    this.reasoning.hidden = true;

    this.answer = el('div', { class: 'answer markdown', 'data-testid': 'answer' });
    this.typing = el('div', { class: 'typing', 'aria-label': 'Generating' });
    this.typing.append(el('span'), el('span'), el('span'));
    this.error = el('div', { class: 'error', 'data-testid': 'error', role: 'alert' });
    this.error.hidden = true;

    this.meta = el('div', { class: 'meta' });
    this.stats = el('span', { class: 'stats', 'data-testid': 'stats' });
    this.copy = el('button', { class: 'link-button', type: 'button', 'data-testid': 'copy' }, 'Copy');
    this.copy.addEventListener('click', () => flash(this.copy, copyText(this.msg ? this.msg.content : '')));
    this.regenerate = el('button', { class: 'link-button', type: 'button', 'data-testid': 'regenerate' }, 'Regenerate');
    this.regenerate.addEventListener('click', () => onRegenerate());
    this.meta.append(this.stats, this.copy, this.regenerate);

    this.node.append(this.reasoning, this.answer, this.typing, this.error, this.meta);
  }

  update(msg, { streaming = false, last = false } = {}) {
    this.msg = msg;
    const reasoning = msg.reasoning || '';
    if (reasoning !== this.shown.reasoning) {
      this.reasoningText.textContent = reasoning;
      this.reasoning.hidden = !reasoning;
      this.shown.reasoning = reasoning;
    }
    // The label says when thinking is still going on, since the panel starts closed.
    const thinking = streaming && !!reasoning && !msg.content;
    this.reasoningLabel.textContent = thinking ? 'Reasoning…' : 'Reasoning';
    this.reasoning.classList.toggle('active', thinking);

    if (msg.content !== this.shown.content) {
      this.answer.replaceChildren(markdownToFragment(msg.content));
      addCodeButtons(this.answer);
      this.shown.content = msg.content;
    }
    this.answer.hidden = !msg.content;
    this.typing.hidden = !(streaming && !msg.content && !reasoning);

    const error = msg.error || '';
    if (error !== this.shown.error) {
      this.error.textContent = error;
      this.error.hidden = !error;
      this.shown.error = error;
    }

    this.node.classList.toggle('streaming', streaming);
    // Screen readers announce the reply once it is whole, not every streamed token.
    this.node.setAttribute('aria-busy', String(streaming));
    this.stats.textContent = streaming ? '' : statsText(msg);
    this.meta.hidden = streaming;
    this.copy.hidden = !msg.content;
    this.regenerate.hidden = !last;
  }
}

// Wires the page together: conversations from the store, settings, the composer,
// and streaming replies from the server into the message views.

import './style.css';
import { ApiError, getJSON, setApiKey, streamChat } from './api.js';
import { Store } from './store.js';
import { AssistantView, userView } from './messages.js';
import { renderSidebar } from './sidebar.js';
import { bindSettings } from './settings.js';

const $ = (id) => document.getElementById(id);
const app = $('app');
const messagesEl = $('messages');
const input = $('input');
const sendButton = $('send');
const stopButton = $('stop');
const narrow = window.matchMedia('(max-width: 760px)');

const store = new Store();
let props = null;
let modelId = '';
// One generation per conversation; several conversations may stream at once,
// since the server serves several slots in parallel.
const running = new Map();
// Views of the conversation on screen, so a streaming update touches one node.
let views = new Map();

function notice(text) {
  const n = $('notice');
  n.textContent = text || '';
  n.hidden = !text;
}

store.onError = (err) => notice(`Could not save conversations in this browser (${err.message}). They will be lost on reload.`);

// ---- API key ------------------------------------------------------------------------

const KEY_STORAGE = 'fathom.apiKey';
function storedKey() {
  try {
    return localStorage.getItem(KEY_STORAGE) || '';
  } catch {
    return '';
  }
}
setApiKey(storedKey());

function askForKey() {
  $('auth').hidden = false;
  $('api-key').value = '';
  $('api-key').focus();
}

$('auth').addEventListener('submit', (e) => {
  e.preventDefault();
  const key = $('api-key').value.trim();
  setApiKey(key);
  try {
    localStorage.setItem(KEY_STORAGE, key);
  } catch {
    // Not saved: the key still works until the page reloads.
  }
  $('auth').hidden = true;
  loadProps();
});

function ensureConversation() {
  return store.current() || store.create(store.sorted()[0]?.settings);
}

// ---- server properties ----------------------------------------------------------

let propsRetry = null;
let propsFailed = false;
async function loadProps() {
  clearTimeout(propsRetry);
  propsRetry = null;
  try {
    props = await getJSON('props');
    try {
      const models = await getJSON('v1/models');
      modelId = models?.data?.[0]?.id || props.model || '';
    } catch {
      modelId = props.model || '';
    }
    $('model-name').textContent = props.model || modelId || 'unknown model';
    $('model-name').title = [props.model, props.arch, props.chat_format].filter(Boolean).join(' · ');
    settings.setReasoningMode(props.reasoning || 'none');
    if (propsFailed) notice('');
    propsFailed = false;
    updateContext();
    return true;
  } catch (err) {
    $('model-name').textContent = 'offline';
    propsFailed = true;
    if (err.status === 401) {
      // Retrying cannot help until someone types the key.
      notice(err.message);
      askForKey();
      return false;
    }
    notice(`${err.message} Retrying…`);
    // Keep trying so the page comes alive by itself once the server is up.
    propsRetry = setTimeout(loadProps, 3000);
    return false;
  }
}

// ---- header ---------------------------------------------------------------------

function updateContext() {
  const c = store.current();
  const nCtx = props && props.n_ctx;
  const u = c && c.usage;
  const used = u ? (u.prompt_tokens || 0) + (u.completion_tokens || 0) : 0;
  const text = $('context-text');
  const fill = $('context-fill');
  if (!nCtx) {
    text.textContent = u ? `context ${used.toLocaleString('en-US')} tokens` : 'context –';
    fill.style.width = '0%';
    return;
  }
  const pct = Math.min(100, (100 * used) / nCtx);
  text.textContent = `${used.toLocaleString('en-US')} / ${nCtx.toLocaleString('en-US')} tokens (${Math.round(pct)}%)`;
  fill.style.width = `${pct}%`;
  $('context-usage').classList.toggle('warn', pct >= 80);
  $('context-usage').title = 'Context used by this conversation (prompt + completion of the last reply, per slot)';
}

// ---- conversation view ------------------------------------------------------------

function lastAssistant(c) {
  const m = c.messages[c.messages.length - 1];
  return m && m.role === 'assistant' ? m : null;
}

function renderMessages() {
  const c = store.current();
  views = new Map();
  const nodes = [];
  if (c) {
    const last = lastAssistant(c);
    const job = running.get(c.id);
    for (const m of c.messages) {
      if (m.role === 'user') {
        nodes.push(userView(m));
        continue;
      }
      const view = new AssistantView({ onRegenerate: () => regenerate(c) });
      view.update(m, { streaming: job?.msg === m, last: m === last && !job });
      views.set(m, view);
      nodes.push(view.node);
    }
  }
  const empty = $('empty');
  empty.hidden = nodes.length > 0;
  messagesEl.replaceChildren(empty, ...nodes);
  messagesEl.scrollTop = messagesEl.scrollHeight;
}

function renderAll({ openSettings } = {}) {
  const c = ensureConversation();
  document.title = c.messages.length ? `${c.title} · fathom` : 'fathom';
  settings.show(c, openSettings ? { open: c.messages.length === 0 } : {});
  renderSidebar($('conversation-list'), sidebarState());
  renderMessages();
  updateComposer();
  updateContext();
}

function select(id) {
  store.select(id);
  closeSidebarIfNarrow();
  renderAll({ openSettings: true });
  input.focus();
}

function remove(id) {
  running.get(id)?.controller.abort();
  store.remove(id);
  renderAll({ openSettings: true });
}

function newChat() {
  const c = store.current();
  // An untouched conversation is already a new chat; do not pile up empty ones.
  if (!c || c.messages.length) store.create(c?.settings);
  closeSidebarIfNarrow();
  renderAll({ openSettings: true });
  input.focus();
}

function updateComposer() {
  const c = store.current();
  const busy = !!(c && running.has(c.id));
  sendButton.hidden = busy;
  stopButton.hidden = !busy;
}

// Streaming chunks arrive far faster than the screen refreshes; draw once a frame.
let frame = 0;
function scheduleDraw() {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    const c = store.current();
    const job = c && running.get(c.id);
    if (!job) return;
    const view = views.get(job.msg);
    if (!view) return;
    const stick = messagesEl.scrollHeight - messagesEl.scrollTop - messagesEl.clientHeight < 80;
    view.update(job.msg, { streaming: true });
    if (stick) messagesEl.scrollTop = messagesEl.scrollHeight;
  });
}

// ---- generation -------------------------------------------------------------------

function history(c) {
  const out = [];
  if (c.settings.system.trim()) out.push({ role: 'system', content: c.settings.system });
  const msgs = c.messages;
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (m.role === 'user') {
      const reply = msgs[i + 1];
      // An exchange that failed before any answer is not sent again: it failed once
      // (often for being too long) and would make every later turn fail the same way.
      if (reply && reply.role === 'assistant' && reply.error && !reply.content) {
        i++;
        continue;
      }
      out.push({ role: 'user', content: m.content });
    } else if (m.content) {
      // Only the answer goes back; the model's reasoning is not part of the history.
      out.push({ role: 'assistant', content: m.content });
    }
  }
  return out;
}

function requestBody(c) {
  const s = c.settings;
  const body = {
    model: modelId || props?.model || '',
    messages: history(c),
    stream: true,
    stream_options: { include_usage: true },
    temperature: s.temperature,
    max_tokens: s.maxTokens,
  };
  const mode = props?.reasoning || 'none';
  if (mode === 'effort') body.reasoning_effort = s.effort;
  if (mode === 'thinking') body.chat_template_kwargs = { enable_thinking: !!s.thinking };
  return body;
}

function applyChunk(msg, chunk) {
  if (chunk.usage) msg.usage = chunk.usage;
  if (chunk.timings) msg.timings = chunk.timings;
  for (const choice of chunk.choices || []) {
    const d = choice.delta || {};
    // The server duplicates reasoning under two names; take one so it is not doubled.
    if (typeof d.reasoning_content === 'string') msg.reasoning += d.reasoning_content;
    else if (typeof d.reasoning === 'string') msg.reasoning += d.reasoning;
    if (typeof d.content === 'string') msg.content += d.content;
    if (Array.isArray(d.tool_calls)) {
      // This page offers no tools, so a tool call is shown rather than executed.
      for (const t of d.tool_calls) {
        const f = t.function || {};
        msg.content += `${f.name ? `\n\n\`tool call: ${f.name}\` ` : ''}${f.arguments || ''}`;
      }
    }
    if (choice.finish_reason) msg.finish = choice.finish_reason;
  }
}

function describe(err) {
  if (!(err instanceof ApiError)) return `Unexpected error: ${err && err.message ? err.message : err}`;
  // The whole history is sent each turn, so a full context stays full: say what helps.
  if (err.code === 'context_length_exceeded') {
    return `${err.message.replace(/\.$/, '')}. Start a new chat, or send a shorter message.`;
  }
  return err.message;
}

async function generate(c) {
  if (running.has(c.id)) return;
  if (!props) await loadProps();
  const body = requestBody(c);
  const msg = { role: 'assistant', content: '', reasoning: '', pending: true };
  c.messages.push(msg);
  const controller = new AbortController();
  running.set(c.id, { controller, msg });
  store.touch(c);
  store.save();
  if (store.currentId === c.id) renderAll();

  let lastSave = Date.now();
  try {
    for await (const chunk of streamChat(body, controller.signal)) {
      applyChunk(msg, chunk);
      if (store.currentId === c.id) scheduleDraw();
      // Save now and then, so a reload mid-reply keeps most of it.
      if (Date.now() - lastSave > 2000) {
        store.save();
        lastSave = Date.now();
      }
    }
  } catch (err) {
    if (controller.signal.aborted) msg.stopped = true;
    else msg.error = describe(err);
    if (err && err.status === 401) askForKey();
  } finally {
    delete msg.pending;
    running.delete(c.id);
    if (msg.usage) c.usage = { prompt_tokens: msg.usage.prompt_tokens, completion_tokens: msg.usage.completion_tokens };
    store.touch(c);
    store.save();
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    if (store.currentId === c.id) renderAll();
    else renderSidebar($('conversation-list'), sidebarState());
  }
}

function sidebarState() {
  return {
    conversations: store.sorted(),
    currentId: store.currentId,
    busyIds: new Set(running.keys()),
    onSelect: select,
    onRename: (id, title) => {
      store.rename(id, title);
      renderAll();
    },
    onDelete: remove,
  };
}

function send() {
  const text = input.value;
  if (!text.trim()) return;
  const c = ensureConversation();
  if (running.has(c.id)) return;
  c.messages.push({ role: 'user', content: text });
  // Settings matter before the first message; after it, the replies need the room.
  $('settings').open = false;
  input.value = '';
  autosize();
  generate(c);
}

function regenerate(c) {
  if (running.has(c.id)) return;
  if (lastAssistant(c)) c.messages.pop();
  generate(c);
}

function stop() {
  const c = store.current();
  running.get(c?.id)?.controller.abort();
}

// ---- composer and layout ------------------------------------------------------------

function autosize() {
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, 220)}px`;
}

$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  send();
});
input.addEventListener('keydown', (e) => {
  // isComposing: Enter that confirms an IME candidate must not send the message.
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    send();
  }
});
input.addEventListener('input', autosize);
stopButton.addEventListener('click', stop);
$('new-chat').addEventListener('click', newChat);

function setSidebar(open) {
  if (narrow.matches) {
    app.classList.toggle('sidebar-open', open);
    $('backdrop').hidden = !open;
  } else {
    app.classList.toggle('sidebar-hidden', !open);
  }
  $('sidebar-toggle').setAttribute('aria-expanded', String(open));
}
function sidebarOpen() {
  return narrow.matches ? app.classList.contains('sidebar-open') : !app.classList.contains('sidebar-hidden');
}
function closeSidebarIfNarrow() {
  if (narrow.matches) setSidebar(false);
}
$('sidebar-toggle').addEventListener('click', () => setSidebar(!sidebarOpen()));
$('backdrop').addEventListener('click', () => setSidebar(false));
narrow.addEventListener('change', () => {
  app.classList.remove('sidebar-open');
  $('backdrop').hidden = true;
  $('sidebar-toggle').setAttribute('aria-expanded', String(sidebarOpen()));
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && narrow.matches && sidebarOpen()) setSidebar(false);
});

const settings = bindSettings({
  current: () => store.current(),
  changed: () => store.save(),
});

$('sidebar-toggle').setAttribute('aria-expanded', String(sidebarOpen()));
renderAll({ openSettings: true });
loadProps();
input.focus();

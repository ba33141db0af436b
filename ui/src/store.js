// Conversations live in localStorage: the server keeps no history, so the browser
// is the only place a conversation survives a reload.

const KEY = 'fathom.chat.v1';
const CURRENT_KEY = 'fathom.chat.current';
const TITLE_LEN = 48;

export const DEFAULT_SETTINGS = Object.freeze({
  system: '',
  effort: 'medium',
  thinking: true,
  temperature: 0.7,
  maxTokens: 1024,
});

function uid() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return Date.now().toString(36) + Math.random().toString(36).slice(2);
}

export function titleFrom(text) {
  const line = text.replace(/\s+/g, ' ').trim();
  if (!line) return 'New chat';
  // Array.from counts code points, so a cut never splits a surrogate pair.
  const chars = Array.from(line);
  return chars.length > TITLE_LEN ? chars.slice(0, TITLE_LEN - 1).join('').trimEnd() + '…' : line;
}

function normalize(c) {
  if (!c || typeof c !== 'object' || typeof c.id !== 'string') return null;
  const messages = Array.isArray(c.messages) ? c.messages.filter((m) => m && (m.role === 'user' || m.role === 'assistant')) : [];
  for (const m of messages) {
    m.content = typeof m.content === 'string' ? m.content : '';
    // A reply that was streaming when the page closed can never finish now.
    if (m.pending) {
      delete m.pending;
      m.stopped = true;
    }
  }
  return {
    id: c.id,
    title: typeof c.title === 'string' ? c.title : 'New chat',
    titleEdited: !!c.titleEdited,
    created: Number(c.created) || Date.now(),
    updated: Number(c.updated) || Date.now(),
    settings: { ...DEFAULT_SETTINGS, ...(c.settings || {}) },
    messages,
    usage: c.usage && typeof c.usage === 'object' ? c.usage : null,
  };
}

export class Store {
  constructor(storage = globalThis.localStorage) {
    this.storage = storage;
    this.onError = () => {};
    this.conversations = [];
    this.currentId = null;
    try {
      const raw = JSON.parse(storage.getItem(KEY) || '[]');
      this.conversations = (Array.isArray(raw) ? raw : []).map(normalize).filter(Boolean);
      this.currentId = storage.getItem(CURRENT_KEY);
    } catch {
      // A corrupt entry must not brick the page; start over rather than fail to load.
      this.conversations = [];
    }
    if (!this.get(this.currentId)) this.currentId = this.conversations[0] ? this.sorted()[0].id : null;
  }

  sorted() {
    return [...this.conversations].sort((a, b) => b.updated - a.updated);
  }

  get(id) {
    return this.conversations.find((c) => c.id === id) || null;
  }

  current() {
    return this.get(this.currentId);
  }

  select(id) {
    if (this.get(id)) this.currentId = id;
    this.save();
  }

  create(settings = DEFAULT_SETTINGS) {
    const now = Date.now();
    const c = {
      id: uid(),
      title: 'New chat',
      titleEdited: false,
      created: now,
      updated: now,
      settings: { ...DEFAULT_SETTINGS, ...settings },
      messages: [],
      usage: null,
    };
    this.conversations.push(c);
    this.currentId = c.id;
    this.save();
    return c;
  }

  rename(id, title) {
    const c = this.get(id);
    if (!c) return;
    const t = title.trim();
    c.title = t ? t : titleFrom(c.messages.find((m) => m.role === 'user')?.content || '');
    c.titleEdited = !!t;
    this.save();
  }

  remove(id) {
    this.conversations = this.conversations.filter((c) => c.id !== id);
    if (this.currentId === id) this.currentId = this.conversations.length ? this.sorted()[0].id : null;
    this.save();
  }

  touch(c) {
    c.updated = Date.now();
    if (!c.titleEdited) {
      const first = c.messages.find((m) => m.role === 'user');
      if (first) c.title = titleFrom(first.content);
    }
  }

  save() {
    try {
      this.storage.setItem(KEY, JSON.stringify(this.conversations));
      if (this.currentId) this.storage.setItem(CURRENT_KEY, this.currentId);
      else this.storage.removeItem(CURRENT_KEY);
    } catch (err) {
      // Usually the quota: the page keeps working, the user just has to be told.
      this.onError(err);
    }
  }
}

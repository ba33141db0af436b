// The per-conversation settings panel. Which reasoning control appears depends on
// the model: gpt-oss takes an effort level, Qwen3 a thinking switch, others neither.

import { DEFAULT_SETTINGS } from './store.js';

const $ = (id) => document.getElementById(id);

function clamp(x, lo, hi) {
  return Math.min(hi, Math.max(lo, x));
}

export function bindSettings({ current, changed }) {
  const panel = $('settings');
  const summary = $('settings-summary');
  const system = $('system-prompt');
  const effort = $('reasoning-effort');
  const thinking = $('thinking-toggle');
  const temperature = $('temperature');
  const maxTokens = $('max-tokens');
  let reasoningMode = 'none';

  function describe(s) {
    const parts = [];
    if (reasoningMode === 'effort') parts.push(`effort ${s.effort}`);
    if (reasoningMode === 'thinking') parts.push(s.thinking ? 'thinking on' : 'thinking off');
    parts.push(`temp ${s.temperature}`, `max ${s.maxTokens}`);
    if (s.system.trim()) parts.push('system prompt');
    summary.textContent = parts.join(' · ');
  }

  function edit(apply) {
    const c = current();
    if (!c) return;
    apply(c.settings);
    describe(c.settings);
    changed(c);
  }

  system.addEventListener('input', () => edit((s) => (s.system = system.value)));
  effort.addEventListener('change', () => edit((s) => (s.effort = effort.value)));
  thinking.addEventListener('change', () => edit((s) => (s.thinking = thinking.checked)));
  temperature.addEventListener('change', () =>
    edit((s) => {
      const v = parseFloat(temperature.value);
      s.temperature = Number.isFinite(v) ? clamp(v, 0, 2) : DEFAULT_SETTINGS.temperature;
      temperature.value = s.temperature;
    }),
  );
  maxTokens.addEventListener('change', () =>
    edit((s) => {
      const v = parseInt(maxTokens.value, 10);
      s.maxTokens = Number.isFinite(v) && v > 0 ? v : DEFAULT_SETTINGS.maxTokens;
      maxTokens.value = s.maxTokens;
    }),
  );

  return {
    setReasoningMode(mode) {
      reasoningMode = mode;
      $('effort-field').hidden = mode !== 'effort';
      $('thinking-field').hidden = mode !== 'thinking';
      const c = current();
      if (c) describe(c.settings);
    },
    show(c, { open } = {}) {
      const s = c.settings;
      // Assigning an equal value still moves the caret, which would disturb typing
      // while a reply elsewhere finishes and redraws the page.
      const set = (node, key, v) => {
        if (node[key] !== v) node[key] = v;
      };
      set(system, 'value', s.system);
      set(effort, 'value', s.effort);
      set(thinking, 'checked', !!s.thinking);
      set(temperature, 'value', String(s.temperature));
      set(maxTokens, 'value', String(s.maxTokens));
      describe(s);
      if (open !== undefined) panel.open = open;
    },
  };
}

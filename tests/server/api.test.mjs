#!/usr/bin/env node
// End-to-end test of `fathom serve`'s OpenAI-compatible API: tiny synthetic models
// (gpt-oss for harmony, Qwen3 for ChatML) behind the real server, scripted replies
// (--test-script) where the text must be known, and the official `openai` client
// (plain fetch where the SDK cannot express a request or hides the raw answer).
//
//   node tests/server/api.test.mjs --fathom /abs/bin/fathom --workdir /abs/dir
//
// One line per check ("ok   name" or "FAIL name: detail"), then "N passed, M failed";
// the exit code is 1 on any failure. Every server it starts is killed on the way out,
// whatever happens.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { assert, check, finish, parseArgs, report, sleep } from '../lib/checks.mjs';
import { alive, killAll, servers, startServer as startFathom, stopServer } from '../lib/fathom_server.mjs';

const opts = parseArgs('tests/server/api.test.mjs');


// ---- scripted replies -------------------------------------------------------------
// The key is a substring of the last user message (or of a /v1/completions prompt);
// no other prompt of this file may contain it.

const RU_REASONING = 'Пользователь здоровается. Think about it.';
const RU_ANSWER = 'Привет! Answer: всё хорошо, ёжик.';
const LONG_ANSWER = Array.from({ length: 200 }, (_, i) => String(i + 1)).join(' ');
const STOP_ANSWER = 'Alpha beta X gamma delta';
const PREFIX_ANSWER = 'Prefix caching keeps the keys and values of a conversation.';
const QWEN_REASONING = 'Сначала подумаю: 6 * 7 = 42.';
const QWEN_ANSWER = 'Ответ: сорок два.';
const QWEN_PLAIN = 'Just the answer: 42.';

const Q = {
  reason: 'Greet me with reasoning, please',
  tool: 'What is the weather in Moscow right now',
  stop: 'Run the stop string drill',
  long: 'Write a long counting exercise',
  slow: 'Count slowly to two hundred',
  prefix: 'Explain prefix caching in one line',
  qwenThink: 'Think first: what is six times seven',
  qwenPlain: 'No thinking: what is six times seven',
  qwenTool: 'Qwen, what is the weather in Moscow',
};

const GPT_OSS_SCRIPT = {
  replies: [
    {
      match: Q.reason,
      output: `<|channel|>analysis<|message|>${RU_REASONING}<|end|><|start|>assistant<|channel|>final<|message|>${RU_ANSWER}<|return|>`,
      delay_ms: 0,
    },
    {
      match: Q.tool,
      output: '<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Москва"}<|call|>',
      delay_ms: 0,
    },
    { match: Q.stop, output: `<|channel|>final<|message|>${STOP_ANSWER}<|return|>`, delay_ms: 0 },
    { match: Q.long, output: `<|channel|>final<|message|>${LONG_ANSWER}<|return|>`, delay_ms: 0 },
    { match: Q.slow, output: `<|channel|>final<|message|>${LONG_ANSWER}<|return|>`, delay_ms: 20 },
    { match: Q.prefix, output: `<|channel|>final<|message|>${PREFIX_ANSWER}<|return|>`, delay_ms: 0 },
  ],
};

const QWEN_SCRIPT = {
  replies: [
    { match: Q.qwenThink, output: `<think>\n${QWEN_REASONING}\n</think>\n\n${QWEN_ANSWER}<|im_end|>`, delay_ms: 0 },
    { match: Q.qwenPlain, output: `${QWEN_PLAIN}<|im_end|>`, delay_ms: 0 },
    {
      match: Q.qwenTool,
      output: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Москва"}}\n</tool_call><|im_end|>',
      delay_ms: 0,
    },
  ],
};

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

// ---- reporting --------------------------------------------------------------------

function eq(got, want, what) {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what}: got ${clip(g)}, expected ${clip(w)}`);
}

const clip = (s, n = 200) => (s && s.length > n ? `${s.slice(0, n)}…` : s);
const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

// ---- servers ------------------------------------------------------------------------

const startServer = (name, model, extra) => startFathom(opts.fathom, name, model, extra);


// ---- HTTP helpers -----------------------------------------------------------------

function client(base, apiKey = 'x') {
  // No retries: a 503 or a dropped connection must show, not be papered over.
  return new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0, timeout: 30000 });
}

async function request(base, method, route, { body, raw, headers = {}, signal } = {}) {
  const init = { method, headers: { ...headers }, signal };
  if (raw !== undefined) {
    init.body = raw;
    init.headers['Content-Type'] ??= 'application/json';
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const r = await fetch(`${base}${route}`, init);
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: callers look at text
  }
  return { status: r.status, headers: r.headers, text, json };
}

const post = (base, route, body, extra = {}) => request(base, 'POST', route, { body, ...extra });
const get = (base, route, extra = {}) => request(base, 'GET', route, extra);

// The server-sent events of a whole response: parsed data objects, and whether the
// stream ended with `data: [DONE]` as its last event.
function parseSse(text) {
  const events = [];
  let done = false;
  let afterDone = false;
  for (const block of text.split('\n\n')) {
    for (const line of block.split('\n')) {
      if (!line.startsWith('data: ')) continue;
      const data = line.slice(6);
      if (data === '[DONE]') {
        done = true;
      } else {
        if (done) afterDone = true;
        events.push(JSON.parse(data));
      }
    }
  }
  return { events, done: done && !afterDone, endsWithDone: /data: \[DONE\]\n\n$/.test(text) };
}

// The OpenAI error shape: {error: {message, type, param, code}}, all four keys present.
function assertError(res, status, { param, code, type } = {}) {
  assert(res.status === status, `status ${res.status}, expected ${status}; body ${clip(res.text)}`);
  const e = res.json && res.json.error;
  assert(e && typeof e === 'object', `no error object in ${clip(res.text)}`);
  assert(typeof e.message === 'string' && e.message.length > 0, 'error.message is not a non-empty string');
  assert(typeof e.type === 'string' && e.type.length > 0, 'error.type is not a non-empty string');
  assert('param' in e && 'code' in e, `error lacks param or code: ${clip(res.text)}`);
  if (param !== undefined) eq(e.param, param, 'error.param');
  if (code !== undefined) eq(e.code, code, 'error.code');
  if (type !== undefined) eq(e.type, type, 'error.type');
  return e;
}

async function metrics(base) {
  const r = await get(base, '/metrics');
  assert(r.status === 200, `/metrics status ${r.status}`);
  const m = {};
  for (const line of r.text.split('\n')) {
    const x = line.match(/^(fathom_[a-z_]+) ([-0-9.e+]+)$/);
    if (x) m[x[1]] = Number(x[2]);
  }
  return m;
}

async function waitFor(fn, { timeout = 5000, every = 10, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(every);
  }
}

// Reads a streaming fetch body until `n` data events arrived; returns the reader so the
// caller can go on or cancel.
async function readEvents(res, n) {
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let text = '';
  while ((text.match(/^data: /gm) || []).length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value, { stream: true });
  }
  return { reader, text };
}

const user = (content) => [{ role: 'user', content }];
const N_CTX = 1024;  // the main server's --ctx

// ---- the checks ---------------------------------------------------------------------

async function main() {
  const t0 = Date.now();
  fs.mkdirSync(opts.workdir, { recursive: true });
  const gptOss = path.join(opts.workdir, 'tiny-gpt-oss.gguf');
  const qwen3 = path.join(opts.workdir, 'tiny-qwen3.gguf');
  const gptScript = path.join(opts.workdir, 'script-gpt-oss.json');
  const qwenScript = path.join(opts.workdir, 'script-qwen3.json');

  const synthOk = await check('fathom synth writes tiny gpt-oss and Qwen3 models', () => {
    for (const [arch, out] of [['gpt-oss', gptOss], ['qwen3', qwen3]]) {
      execFileSync(opts.fathom, ['synth', '--arch', arch, '--preset', 'tiny', '--type', 'q8_0', '--seed', '1', '--out', out], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 120000,
      });
      assert(fs.existsSync(out), `${out} was not written`);
    }
  });
  if (!synthOk) return;
  fs.writeFileSync(gptScript, JSON.stringify(GPT_OSS_SCRIPT, null, 2));
  fs.writeFileSync(qwenScript, JSON.stringify(QWEN_SCRIPT, null, 2));

  // Everything loads at once; the checks then run one after another (timing and
  // /metrics checks must not see each other's traffic).
  // The gpt-oss and Qwen3 servers' context is 1024: the tiny vocabularies are nearly
  // one token per byte, and a prompt with a tool schema is some 450-600 tokens. The
  // others use 512.
  const common = ['--threads', '2'];
  let main_, qwen, limits, auth;
  const startOk = await check('fathom serve --port 0 starts four servers and prints their addresses', async () => {
    [main_, qwen, limits, auth] = await Promise.all([
      startServer('gpt-oss', gptOss, [...common, '--ctx', String(N_CTX), '--parallel', '4', '--test-script', gptScript]),
      startServer('qwen3', qwen3, [...common, '--ctx', String(N_CTX), '--parallel', '4', '--test-script', qwenScript]),
      startServer('limits', gptOss, [...common, '--ctx', '512', '--parallel', '1', '--queue', '1', '--max-body', '1MiB', '--test-script', gptScript]),
      startServer('auth', gptOss, [...common, '--ctx', '512', '--parallel', '4', '--api-key', 'secret']),
    ]);
    return servers.map((s) => `${s.name} ${s.base}`).join(', ');
  });
  if (!startOk) return;

  const base = main_.base;
  const api = client(base);
  let modelId = '';

  // ---- g. model info, tokenizer, health -------------------------------------------

  await check('g. GET /health is {"status":"ok"}', async () => {
    const r = await get(base, '/health');
    eq(r.status, 200, 'status');
    eq(r.json, { status: 'ok' }, 'body');
  });

  await check('g. GET /v1/models lists the model id /props reports', async () => {
    const props = await get(base, '/props');
    eq(props.status, 200, '/props status');
    assert(typeof props.json.model === 'string' && props.json.model, 'props.model missing');
    eq(props.json.n_ctx, N_CTX, 'props.n_ctx');
    eq(props.json.parallel, 4, 'props.parallel');
    const list = await api.models.list();
    const ids = list.data.map((m) => m.id);
    eq(ids, [props.json.model], 'model ids');
    eq(list.data[0].object, 'model', 'object');
    modelId = props.json.model;
    return `model "${modelId}"`;
  });

  const RU_TEXT = 'Привет, мир! Съешь же ещё этих мягких французских булок, да выпей чаю. 🙂';
  let ruTokens = [];
  await check('g. /tokenize then /detokenize round-trips Russian text', async () => {
    const t = await post(base, '/tokenize', { prompt: RU_TEXT });
    eq(t.status, 200, '/tokenize status');
    ruTokens = t.json.tokens;
    assert(Array.isArray(ruTokens) && ruTokens.length > 0 && ruTokens.every(Number.isInteger), `tokens ${clip(t.text)}`);
    const d = await post(base, '/detokenize', { tokens: ruTokens });
    eq(d.status, 200, '/detokenize status');
    eq(d.json.prompt, RU_TEXT, 'detokenized prompt');
    return `${ruTokens.length} tokens`;
  });

  await check('g. GET /tokenizer_info has eos_token', async () => {
    const r = await get(base, '/tokenizer_info');
    eq(r.status, 200, 'status');
    assert(typeof r.json.eos_token === 'string' && r.json.eos_token, `eos_token ${JSON.stringify(r.json.eos_token)}`);
    return `eos_token ${r.json.eos_token}`;
  });

  // ---- a. non-streaming chat with reasoning ---------------------------------------

  let nonStream = null;
  await check('a. non-streaming chat: reasoning apart from content, Russian kept', async () => {
    const r = await api.chat.completions.create({ model: modelId, messages: user(Q.reason) });
    nonStream = r;
    const c = r.choices[0];
    eq(r.object, 'chat.completion', 'object');
    assert(/^chatcmpl-/.test(r.id), `id ${r.id}`);
    assert(Number.isInteger(r.created) && Math.abs(r.created - Date.now() / 1000) < 300, `created ${r.created}`);
    eq(r.model, modelId, 'model');
    eq(c.message.role, 'assistant', 'role');
    eq(c.message.content, RU_ANSWER, 'content');
    eq(c.message.reasoning_content, RU_REASONING, 'reasoning_content');
    eq(c.message.reasoning, RU_REASONING, 'reasoning');
    assert(!c.message.content.includes('Think about it'), 'reasoning leaked into content');
    eq(c.finish_reason, 'stop', 'finish_reason');
  });

  await check('a. usage: prompt/completion/total and reasoning_tokens between 0 and completion', async () => {
    const u = nonStream.usage;
    assert(u.prompt_tokens > 0 && u.completion_tokens > 0, `usage ${JSON.stringify(u)}`);
    eq(u.total_tokens, u.prompt_tokens + u.completion_tokens, 'total_tokens');
    const rt = u.completion_tokens_details && u.completion_tokens_details.reasoning_tokens;
    assert(rt > 0 && rt < u.completion_tokens, `reasoning_tokens ${rt}, completion_tokens ${u.completion_tokens}`);
    return `prompt ${u.prompt_tokens}, completion ${u.completion_tokens}, reasoning ${rt}`;
  });

  await check('a. timings with prompt_per_second and predicted_per_second', async () => {
    const t = nonStream.timings;
    assert(t && isNum(t.prompt_per_second) && t.prompt_per_second > 0, `timings ${JSON.stringify(t)}`);
    assert(isNum(t.predicted_per_second) && t.predicted_per_second > 0, `timings ${JSON.stringify(t)}`);
    eq(t.predicted_n, nonStream.usage.completion_tokens, 'timings.predicted_n');
  });

  // ---- b. streaming chat --------------------------------------------------------------

  await check('b. streaming chat: deltas add up to the non-streaming message, usage chunk last', async () => {
    const stream = await api.chat.completions.create({
      model: modelId,
      messages: user(Q.reason),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const ch of stream) chunks.push(ch);
    assert(chunks.length >= 3, `${chunks.length} chunks`);
    eq(chunks[0].choices[0].delta.role, 'assistant', 'first delta role');
    let content = '';
    let reasoning = '';
    let reasoningAlt = '';
    let finish = null;
    for (const ch of chunks) {
      eq(ch.object, 'chat.completion.chunk', 'chunk object');
      for (const c of ch.choices) {
        content += c.delta.content ?? '';
        reasoning += c.delta.reasoning_content ?? '';
        reasoningAlt += c.delta.reasoning ?? '';
        if (c.finish_reason) finish = c.finish_reason;
      }
    }
    eq(content, nonStream.choices[0].message.content, 'streamed content');
    eq(reasoning, nonStream.choices[0].message.reasoning_content, 'streamed reasoning_content');
    eq(reasoningAlt, reasoning, 'streamed reasoning');
    eq(finish, 'stop', 'finish_reason');
    const last = chunks[chunks.length - 1];
    eq(last.choices, [], 'last chunk choices');
    assert(last.usage, 'last chunk has no usage');
    eq(last.usage.completion_tokens, nonStream.usage.completion_tokens, 'streamed completion_tokens');
    eq(last.usage.completion_tokens_details.reasoning_tokens, nonStream.usage.completion_tokens_details.reasoning_tokens,
      'streamed reasoning_tokens');
    const beforeLast = chunks[chunks.length - 2];
    eq(beforeLast.choices[0].finish_reason, 'stop', 'finish chunk before the usage chunk');
    const ids = new Set(chunks.map((c) => c.id));
    eq(ids.size, 1, 'one id over all chunks');
    return `${chunks.length} chunks`;
  });

  await check('b. raw SSE stream ends with data: [DONE]', async () => {
    const r = await post(base, '/v1/chat/completions', {
      model: modelId,
      messages: user(Q.reason),
      stream: true,
      stream_options: { include_usage: true },
    });
    eq(r.status, 200, 'status');
    assert((r.headers.get('content-type') || '').startsWith('text/event-stream'), `content-type ${r.headers.get('content-type')}`);
    const sse = parseSse(r.text);
    assert(sse.endsWithDone, `stream ends with ${JSON.stringify(r.text.slice(-40))}`);
    assert(sse.done, '[DONE] is not the last event');
    const last = sse.events[sse.events.length - 1];
    eq(last.choices, [], 'last event choices');
    assert(last.usage && last.usage.total_tokens > 0, 'last event has no usage');
  });

  await check('b. streaming without include_usage sends no usage chunk', async () => {
    const r = await post(base, '/v1/chat/completions', { model: modelId, messages: user(Q.reason), stream: true });
    const sse = parseSse(r.text);
    assert(sse.done, 'no [DONE]');
    assert(sse.events.every((e) => !e.usage && e.choices.length === 1), 'a chunk carries usage or no choice');
  });

  // ---- c. tool calls --------------------------------------------------------------------

  let toolMsg = null;
  await check('c. tool call: name, JSON arguments, finish_reason tool_calls', async () => {
    const r = await api.chat.completions.create({ model: modelId, messages: user(Q.tool), tools: [WEATHER_TOOL] });
    const c = r.choices[0];
    toolMsg = c.message;
    assert(Array.isArray(c.message.tool_calls) && c.message.tool_calls.length === 1, `tool_calls ${JSON.stringify(c.message.tool_calls)}`);
    const call = c.message.tool_calls[0];
    eq(call.type, 'function', 'type');
    eq(call.function.name, 'get_weather', 'function.name');
    assert(typeof call.function.arguments === 'string', 'arguments is not a string');
    eq(JSON.parse(call.function.arguments), { city: 'Москва' }, 'parsed arguments');
    assert(typeof call.id === 'string' && call.id, 'no call id');
    eq(c.message.content, null, 'content');
    eq(c.finish_reason, 'tool_calls', 'finish_reason');
    return `id ${call.id}`;
  });

  await check('c. streamed tool call arrives in delta.tool_calls', async () => {
    const stream = await api.chat.completions.create({
      model: modelId,
      messages: user(Q.tool),
      tools: [WEATHER_TOOL],
      stream: true,
    });
    const calls = {};
    let finish = null;
    for await (const ch of stream) {
      for (const c of ch.choices) {
        for (const tc of c.delta.tool_calls ?? []) {
          assert(Number.isInteger(tc.index), 'tool call delta without index');
          const acc = (calls[tc.index] ??= { id: '', name: '', arguments: '' });
          acc.id += tc.id ?? '';
          acc.name += tc.function?.name ?? '';
          acc.arguments += tc.function?.arguments ?? '';
        }
        if (c.finish_reason) finish = c.finish_reason;
      }
    }
    eq(Object.keys(calls), ['0'], 'tool call indexes');
    eq(calls[0].name, 'get_weather', 'name');
    eq(JSON.parse(calls[0].arguments), { city: 'Москва' }, 'arguments');
    assert(calls[0].id, 'no id');
    eq(finish, 'tool_calls', 'finish_reason');
  });

  await check('c. follow-up with the assistant tool_calls message and a tool result is accepted', async () => {
    assert(toolMsg, 'no tool call from the previous check');
    const first = await api.chat.completions.create({
      model: modelId, messages: user(Q.tool), tools: [WEATHER_TOOL], max_tokens: 1,
    });
    const r = await api.chat.completions.create({
      model: modelId,
      tools: [WEATHER_TOOL],
      max_tokens: 8,
      temperature: 0,
      messages: [
        ...user(Q.tool),
        { role: 'assistant', content: null, tool_calls: toolMsg.tool_calls },
        { role: 'tool', tool_call_id: toolMsg.tool_calls[0].id, content: '{"temperature_c": -5, "sky": "снег"}' },
      ],
    });
    assert(r.choices.length === 1, 'no choice');
    assert(r.usage.prompt_tokens > first.usage.prompt_tokens,
      `prompt_tokens ${r.usage.prompt_tokens} not above the first turn's ${first.usage.prompt_tokens}`);
    return `prompt_tokens ${first.usage.prompt_tokens} -> ${r.usage.prompt_tokens}`;
  });

  // ---- e. sampling options ------------------------------------------------------------

  await check('e. seed with temperature 0.8 repeats itself', async () => {
    const req = { model: modelId, messages: user('Tell me a random story about a cat'), temperature: 0.8, seed: 1234, max_tokens: 16 };
    const a = await api.chat.completions.create(req);
    const b = await api.chat.completions.create(req);
    eq(b.choices[0].message, a.choices[0].message, 'second message');
    assert(a.usage.completion_tokens > 0, 'nothing generated');
  });

  await check('e. temperature 0 is deterministic', async () => {
    const req = { model: modelId, messages: user('Describe the sea in a few words'), temperature: 0, max_tokens: 16 };
    const a = await api.chat.completions.create(req);
    const b = await api.chat.completions.create(req);
    eq(b.choices[0].message, a.choices[0].message, 'second message');
  });

  await check('e. stop string cuts the answer before itself', async () => {
    const r = await api.chat.completions.create({ model: modelId, messages: user(Q.stop), stop: ['X'] });
    const c = r.choices[0];
    eq(c.message.content, STOP_ANSWER.slice(0, STOP_ANSWER.indexOf('X')), 'content');
    eq(c.finish_reason, 'stop', 'finish_reason');
    const s = await post(base, '/v1/chat/completions', { model: modelId, messages: user(Q.stop), stop: 'X', stream: true });
    const text = parseSse(s.text).events.map((e) => e.choices[0]?.delta?.content ?? '').join('');
    eq(text, c.message.content, 'streamed content with stop as a string');
  });

  await check('e. max_tokens 3 ends with finish_reason length after 3 tokens', async () => {
    const r = await api.chat.completions.create({ model: modelId, messages: user(Q.long), max_tokens: 3 });
    eq(r.choices[0].finish_reason, 'length', 'finish_reason');
    eq(r.usage.completion_tokens, 3, 'completion_tokens');
  });

  await check('e. max_completion_tokens is honoured (and wins over max_tokens)', async () => {
    const r = await api.chat.completions.create({ model: modelId, messages: user(Q.long), max_completion_tokens: 5 });
    eq(r.choices[0].finish_reason, 'length', 'finish_reason');
    eq(r.usage.completion_tokens, 5, 'completion_tokens');
    const both = await api.chat.completions.create({
      model: modelId, messages: user(Q.long), max_completion_tokens: 4, max_tokens: 9,
    });
    eq(both.usage.completion_tokens, 4, 'completion_tokens with both fields');
  });

  await check('e. logprobs with top_logprobs 2', async () => {
    const r = await api.chat.completions.create({
      model: modelId, messages: user('Name three colours'), temperature: 0, max_tokens: 6, logprobs: true, top_logprobs: 2,
    });
    const lp = r.choices[0].logprobs;
    assert(lp && Array.isArray(lp.content), `logprobs ${JSON.stringify(lp)}`);
    eq(lp.content.length, r.usage.completion_tokens, 'logprobs.content length');
    for (const [i, t] of lp.content.entries()) {
      assert(typeof t.token === 'string', `content[${i}].token`);
      assert(isNum(t.logprob) && t.logprob <= 0, `content[${i}].logprob ${t.logprob}`);
      assert(Array.isArray(t.bytes) && t.bytes.every((b) => Number.isInteger(b) && b >= 0 && b < 256), `content[${i}].bytes`);
      eq(t.top_logprobs.length, 2, `content[${i}].top_logprobs length`);
      for (const top of t.top_logprobs) {
        assert(typeof top.token === 'string' && isNum(top.logprob) && top.logprob <= 0 && Array.isArray(top.bytes),
          `content[${i}].top_logprobs entry ${JSON.stringify(top)}`);
      }
      assert(t.top_logprobs[0].logprob >= t.top_logprobs[1].logprob, `content[${i}].top_logprobs not sorted`);
      // Greedy: the chosen token is the most likely one.
      assert(Math.abs(t.logprob - t.top_logprobs[0].logprob) < 1e-5, `content[${i}] greedy token is not top 1`);
    }
    return `${lp.content.length} tokens`;
  });

  await check('e. streamed logprobs: one entry per generated token', async () => {
    const r = await post(base, '/v1/chat/completions', {
      model: modelId, messages: user('Name three colours'), temperature: 0, max_tokens: 6, logprobs: true, top_logprobs: 1,
      stream: true, stream_options: { include_usage: true },
    });
    const sse = parseSse(r.text);
    const entries = sse.events.flatMap((e) => e.choices.flatMap((c) => (c.logprobs ? c.logprobs.content : [])));
    eq(entries.length, sse.events[sse.events.length - 1].usage.completion_tokens, 'logprobs entries vs completion_tokens');
    assert(entries.every((t) => isNum(t.logprob) && t.top_logprobs.length === 1), 'an entry lacks logprob or its one top_logprobs');
  });

  await check('e. response_format json_object is accepted', async () => {
    const r = await api.chat.completions.create({
      model: modelId, messages: user('Reply in JSON'), max_tokens: 4, response_format: { type: 'json_object' },
    });
    assert(r.choices.length === 1, 'no choice');
  });

  // ---- f. /v1/completions -------------------------------------------------------------

  const PROMPT = 'The quick brown fox jumps over the lazy dog';
  let promptTokens = [];
  let greedyText = '';
  await check('f. completions: text prompt, temperature 0, text and usage', async () => {
    const t = await post(base, '/tokenize', { prompt: PROMPT });
    promptTokens = t.json.tokens;
    const r = await api.completions.create({ model: modelId, prompt: PROMPT, temperature: 0, max_tokens: 8 });
    eq(r.object, 'text_completion', 'object');
    eq(r.choices.length, 1, 'choices');
    assert(typeof r.choices[0].text === 'string', 'text');
    greedyText = r.choices[0].text;
    eq(r.usage.prompt_tokens, promptTokens.length, 'usage.prompt_tokens vs /tokenize');
    assert(r.usage.completion_tokens > 0 && r.usage.completion_tokens <= 8, `completion_tokens ${r.usage.completion_tokens}`);
    eq(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens, 'total_tokens');
    return `${JSON.stringify(clip(greedyText, 40))}`;
  });

  await check('f. completions: token-id prompt gives the same greedy text', async () => {
    const r = await api.completions.create({ model: modelId, prompt: promptTokens, temperature: 0, max_tokens: 8 });
    eq(r.choices[0].text, greedyText, 'text');
    eq(r.usage.prompt_tokens, promptTokens.length, 'prompt_tokens');
  });

  // lm-evaluation-harness's local-completions (loglikelihood): token-id prompts in a
  // batch, echo, logprobs 1, max_tokens 1; it reads token_logprobs[ctxlen:-1] and
  // compares each with max(top_logprobs[i].values()) to decide greediness.
  await check('f. completions echo + logprobs 1 + max_tokens 1: the lm-eval loglikelihood shape', async () => {
    const second = (await post(base, '/tokenize', { prompt: RU_TEXT })).json.tokens;
    const prompts = [promptTokens, second];
    const r = await api.completions.create({
      model: modelId, prompt: prompts, echo: true, logprobs: 1, max_tokens: 1, temperature: 0, seed: 1234,
    });
    eq(r.choices.map((c) => c.index), [0, 1], 'choice indexes');
    const texts = [PROMPT, RU_TEXT];
    for (const [k, c] of r.choices.entries()) {
      const lp = c.logprobs;
      const n = prompts[k].length;
      assert(lp && lp.tokens && lp.token_logprobs && lp.top_logprobs && lp.text_offset, `choice ${k} logprobs ${clip(JSON.stringify(lp))}`);
      eq(lp.tokens.length, n + 1, `choice ${k} tokens.length (prompt ${n} + 1)`);
      eq(lp.token_logprobs.length, n + 1, `choice ${k} token_logprobs.length`);
      eq(lp.top_logprobs.length, n + 1, `choice ${k} top_logprobs.length`);
      eq(lp.text_offset.length, n + 1, `choice ${k} text_offset.length`);
      eq(lp.token_logprobs[0], null, `choice ${k} token_logprobs[0]`);
      eq(lp.top_logprobs[0], null, `choice ${k} top_logprobs[0]`);
      for (let i = 1; i <= n; i++) {
        const v = lp.token_logprobs[i];
        assert(isNum(v) && v <= 0, `choice ${k} token_logprobs[${i}] = ${v}`);
        const top = lp.top_logprobs[i];
        assert(top && typeof top === 'object' && Object.keys(top).length === 1, `choice ${k} top_logprobs[${i}] = ${JSON.stringify(top)}`);
        const best = Math.max(...Object.values(top));
        assert(best >= v - 1e-6, `choice ${k}: top_logprobs[${i}] max ${best} below token_logprobs ${v}`);
        // Same text, same token, unless the text is a lone piece of a UTF-8 character
        // (shown as U+FFFD, which many byte tokens share).
        if (lp.tokens[i] in top && !lp.tokens[i].includes('\ufffd')) {
          eq(top[lp.tokens[i]], v, `choice ${k}: greedy token ${i} logprob in top vs token_logprobs`);
        }
      }
      for (let i = 1; i <= n; i++) {
        assert(lp.text_offset[i] >= lp.text_offset[i - 1], `choice ${k} text_offset decreases at ${i}: ${lp.text_offset.slice(0, i + 1)}`);
      }
      eq(lp.text_offset[0], 0, `choice ${k} text_offset[0]`);
      assert(c.text.startsWith(texts[k]), `choice ${k} text ${JSON.stringify(clip(c.text, 80))} does not start with the prompt`);
      eq(c.finish_reason, 'length', `choice ${k} finish_reason`);
    }
    eq(r.usage.prompt_tokens, prompts[0].length + prompts[1].length, 'usage.prompt_tokens');
    eq(r.usage.completion_tokens, 2, 'usage.completion_tokens');
    return `prompts of ${prompts[0].length} and ${prompts[1].length} tokens`;
  });

  await check('f. completions echo with max_tokens 0: the prompt and its logprobs only', async () => {
    const r = await api.completions.create({ model: modelId, prompt: PROMPT, echo: true, logprobs: 1, max_tokens: 0 });
    const c = r.choices[0];
    eq(c.text, PROMPT, 'text');
    eq(c.logprobs.tokens.length, promptTokens.length, 'tokens.length');
    eq(c.logprobs.tokens.join(''), PROMPT, 'tokens joined');
    eq(c.logprobs.token_logprobs[0], null, 'token_logprobs[0]');
    eq(r.usage.completion_tokens, 0, 'completion_tokens');
    // text_offset counts into the text: each token starts where the last one ended.
    let off = 0;
    for (let i = 0; i < c.logprobs.tokens.length; i++) {
      eq(c.logprobs.text_offset[i], off, `text_offset[${i}]`);
      off += Buffer.byteLength(c.logprobs.tokens[i]);
    }
  });

  await check("f. completions echo: text_offset of the generated token is the echoed prompt's length, streamed or not", async () => {
      const prompt = 'Привет, мир';
      const body = { model: modelId, prompt, echo: true, logprobs: 1, max_tokens: 1, temperature: 0 };
      const whole = (await post(base, '/v1/completions', body)).json.choices[0].logprobs.text_offset;
      const streamed = parseSse((await post(base, '/v1/completions', { ...body, stream: true })).text).events
        .flatMap((e) => e.choices.flatMap((c) => (c.logprobs ? c.logprobs.text_offset : [])));
      eq(streamed, whole, 'streamed text_offset vs non-streamed');
      const last = whole[whole.length - 1];
      const bytes = Buffer.byteLength(prompt);
      const chars = [...prompt].length;
      assert(last === bytes || last === chars, `generated token's text_offset is ${last}; the prompt is ${bytes} bytes, ${chars} characters`);
    });

  await check('f. completions: a prompt array of two strings gives choices 0 and 1', async () => {
    const r = await api.completions.create({ model: modelId, prompt: [PROMPT, 'Once upon a time'], temperature: 0, max_tokens: 8 });
    eq(r.choices.map((c) => c.index), [0, 1], 'indexes');
    eq(r.choices[0].text, greedyText, 'first choice text equals the single-prompt text');
  });

  await check('f. streaming completions end with [DONE] and add up to the whole text', async () => {
    const r = await post(base, '/v1/completions', {
      model: modelId, prompt: PROMPT, temperature: 0, max_tokens: 8, stream: true, stream_options: { include_usage: true },
    });
    eq(r.status, 200, 'status');
    const sse = parseSse(r.text);
    assert(sse.endsWithDone && sse.done, `stream ends with ${JSON.stringify(r.text.slice(-40))}`);
    const text = sse.events.map((e) => e.choices.map((c) => c.text).join('')).join('');
    eq(text, greedyText, 'streamed text');
    const fin = sse.events.filter((e) => e.choices[0]?.finish_reason);
    eq(fin.length, 1, 'chunks with finish_reason');
    const last = sse.events[sse.events.length - 1];
    eq(last.choices, [], 'usage chunk choices');
    eq(last.usage.prompt_tokens, promptTokens.length, 'usage chunk prompt_tokens');
  });

  await check('f. completions: a prompt of n_ctx - 1 tokens runs, one of n_ctx tokens is refused', async () => {
    const filler = promptTokens[1] ?? promptTokens[0];
    const ok = await api.completions.create({ model: modelId, prompt: Array(N_CTX - 1).fill(filler), temperature: 0 });
    eq(ok.choices[0].finish_reason, 'length', 'finish_reason at a full context');
    assert(ok.usage.completion_tokens >= 1 && ok.usage.completion_tokens <= 2, `${ok.usage.completion_tokens} tokens generated`);
    const bad = await post(base, '/v1/completions', { model: modelId, prompt: Array(N_CTX).fill(filler), max_tokens: 1 });
    assertError(bad, 400, { code: 'context_length_exceeded' });
    return `${N_CTX - 1}-token prompt generated ${ok.usage.completion_tokens}`;
  });

  // ---- h. errors ------------------------------------------------------------------------

  const LONG_PROMPT = 'lorem ipsum dolor sit amet '.repeat(60);
  await check('h. malformed JSON is a 400 in the error shape', async () => {
    const r = await request(base, 'POST', '/v1/chat/completions', { raw: '{"model": "x", "messages": [' });
    const e = assertError(r, 400, { type: 'invalid_request_error' });
    return clip(e.message, 80);
  });

  await check('h. temperature "hot" is a 400 naming temperature', async () => {
    const r = await post(base, '/v1/chat/completions', { messages: user('hi'), temperature: 'hot' });
    assertError(r, 400, { param: 'temperature', type: 'invalid_request_error' });
  });

  await check('h. messages "hi" is a 400 naming messages', async () => {
    const r = await post(base, '/v1/chat/completions', { messages: 'hi' });
    assertError(r, 400, { param: 'messages' });
  });

  await check('h. the SDK surfaces a 400 as BadRequestError with param', async () => {
    try {
      await api.chat.completions.create({ model: modelId, messages: user('hi'), top_p: 7 });
    } catch (err) {
      assert(err instanceof OpenAI.BadRequestError, `got ${err && err.constructor && err.constructor.name}: ${err && err.message}`);
      eq(err.status, 400, 'status');
      eq(err.param, 'top_p', 'param');
      return clip(err.message, 80);
    }
    throw new Error('top_p 7 was accepted');
  });

  await check('h. unknown extra fields are tolerated', async () => {
    const r = await post(base, '/v1/chat/completions', {
      model: modelId, messages: user('hi'), max_tokens: 2, foo: 1, bar: { baz: [1, 2] }, user: 'someone', metadata: { a: 'b' },
    });
    eq(r.status, 200, `status (${clip(r.text)})`);
  });

  await check('h. n 2 is a 400 naming n', async () => {
    const r = await post(base, '/v1/chat/completions', { messages: user('hi'), n: 2 });
    assertError(r, 400, { param: 'n' });
  });

  await check('h. a conversation longer than the context is a 400 context_length_exceeded with both numbers', async () => {
    const r = await post(base, '/v1/chat/completions', { messages: user('очень длинное сообщение, '.repeat(400)) });
    const e = assertError(r, 400, { code: 'context_length_exceeded', param: 'messages' });
    const nums = (e.message.match(/\d+/g) || []).map(Number);
    assert(nums.includes(N_CTX), `message lacks the context size ${N_CTX}: ${e.message}`);
    assert(nums.some((n) => n > N_CTX), `message lacks the prompt length: ${e.message}`);
    return clip(e.message, 100);
  });

  await check('h. a completions prompt longer than the context names its exact length', async () => {
    const n = (await post(base, '/tokenize', { prompt: LONG_PROMPT })).json.tokens.length;
    assert(n > N_CTX, `test prompt is only ${n} tokens`);
    const r = await post(base, '/v1/completions', { prompt: LONG_PROMPT });
    const e = assertError(r, 400, { code: 'context_length_exceeded' });
    assert(e.message.includes(String(n)) && e.message.includes(String(N_CTX)), `message lacks ${n} or ${N_CTX}: ${e.message}`);
  });

  await check('h. a completions prompt longer than the context names param "prompt"', async () => {
    const r = await post(base, '/v1/completions', { prompt: LONG_PROMPT });
    assertError(r, 400, { code: 'context_length_exceeded', param: 'prompt' });
  });

  await check('h. unknown model is a 404', async () => {
    const r = await post(base, '/v1/chat/completions', { model: 'no-such-model', messages: user('hi') });
    assertError(r, 404, { param: 'model', code: 'model_not_found' });
  });

  await check('h. unknown route is a 404 in the error shape', async () => {
    assertError(await get(base, '/v1/no-such-route'), 404);
    assertError(await post(base, '/v1/no-such-route', {}), 404);
  });

  await check('h. a tool message with no tool call before it is a 400', async () => {
    const r = await post(base, '/v1/chat/completions', {
      messages: [{ role: 'user', content: 'hi' }, { role: 'tool', tool_call_id: 'call_1', content: '{}' }],
    });
    assertError(r, 400);
  });

  // The limits server: --max-body 1MiB, --parallel 1, --queue 1.
  await check('h. a body just under --max-body 1MiB is read', async () => {
    const r = await post(limits.base, '/v1/chat/completions', {
      messages: user('hi'), max_tokens: 1, padding: 'a'.repeat(1000 * 1000),
    });
    eq(r.status, 200, `status (${clip(r.text)})`);
  });

  await check('h. a body over --max-body 1MiB is a 413', async () => {
    const r = await post(limits.base, '/v1/chat/completions', { messages: user('hi'), padding: 'a'.repeat(1100 * 1024) });
    const e = assertError(r, 413);
    return clip(e.message, 80);
  });

  await check('h. a full queue is a 503 with Retry-After', async () => {
    const ctl = new AbortController();
    const slow = { messages: user(Q.slow), stream: true };
    const open = [];
    try {
      const a = await fetch(`${limits.base}/v1/chat/completions`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(slow), signal: ctl.signal,
      });
      eq(a.status, 200, 'first request status');
      open.push(a);
      await readEvents(a, 3); // past the role chunk: it is generating
      await waitFor(async () => (await metrics(limits.base)).fathom_slots_busy === 1, { what: 'the slot to be busy' });
      const b = await fetch(`${limits.base}/v1/chat/completions`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(slow), signal: ctl.signal,
      });
      eq(b.status, 200, 'second request status');
      open.push(b);
      await waitFor(async () => (await metrics(limits.base)).fathom_queue_depth === 1, { what: 'a queued request' });
      const c = await post(limits.base, '/v1/chat/completions', { messages: user(Q.slow), max_tokens: 2 });
      const e = assertError(c, 503, { code: 'queue_full' });
      const retry = c.headers.get('retry-after');
      assert(retry && Number(retry) > 0, `Retry-After ${JSON.stringify(retry)}`);
      return `Retry-After ${retry}; ${clip(e.message, 60)}`;
    } finally {
      ctl.abort();
    }
  });

  await check('h. after the overload the limits server frees its slot and serves again', async () => {
    await waitFor(async () => {
      const m = await metrics(limits.base);
      return m.fathom_slots_busy === 0 && m.fathom_queue_depth === 0;
    }, { timeout: 3000, what: 'the aborted streams to be cancelled' });
    const r = await post(limits.base, '/v1/chat/completions', { messages: user('hi'), max_tokens: 2 });
    eq(r.status, 200, 'status');
  });

  // The auth server: --api-key secret.
  await check('h. --api-key: no key is a 401', async () => {
    const r = await post(auth.base, '/v1/chat/completions', { messages: user('hi'), max_tokens: 1 });
    assertError(r, 401, { type: 'authentication_error' });
    assertError(await get(auth.base, '/v1/models'), 401);
  });

  await check('h. --api-key: a wrong key is a 401 (AuthenticationError in the SDK)', async () => {
    try {
      await client(auth.base, 'wrong').chat.completions.create({ messages: user('hi'), max_tokens: 1 });
    } catch (err) {
      assert(err instanceof OpenAI.AuthenticationError, `got ${err && err.constructor && err.constructor.name}`);
      eq(err.status, 401, 'status');
      const raw = await post(auth.base, '/v1/chat/completions', { messages: user('hi') }, { headers: { Authorization: 'Bearer secreT' } });
      assertError(raw, 401);
      return;
    }
    throw new Error('a wrong key was accepted');
  });

  await check('h. --api-key: the right key through the SDK is a 200', async () => {
    const r = await client(auth.base, 'secret').chat.completions.create({ messages: user('hi'), max_tokens: 2 });
    assert(r.choices.length === 1, 'no choice');
    const x = await get(auth.base, '/v1/models', { headers: { 'X-Api-Key': 'secret' } });
    eq(x.status, 200, 'X-Api-Key status');
  });

  await check('h. --api-key: /health answers without a key', async () => {
    const r = await get(auth.base, '/health');
    eq(r.status, 200, 'status');
    eq(r.json, { status: 'ok' }, 'body');
  });

  // ---- d. Qwen3 -------------------------------------------------------------------------

  const qapi = client(qwen.base);
  await check('d. Qwen3: a scripted <think> reply is split into reasoning_content and content', async () => {
    const r = await qapi.chat.completions.create({ messages: user(Q.qwenThink) });
    const m = r.choices[0].message;
    eq(m.reasoning_content, QWEN_REASONING, 'reasoning_content');
    eq(m.reasoning, QWEN_REASONING, 'reasoning');
    eq(m.content, QWEN_ANSWER, 'content');
    eq(r.choices[0].finish_reason, 'stop', 'finish_reason');
    const rt = r.usage.completion_tokens_details.reasoning_tokens;
    assert(rt > 0 && rt < r.usage.completion_tokens, `reasoning_tokens ${rt} of ${r.usage.completion_tokens}`);
  });

  await check('d. Qwen3: streamed <think> reply splits the same way', async () => {
    const stream = await qapi.chat.completions.create({ messages: user(Q.qwenThink), stream: true });
    let content = '';
    let reasoning = '';
    for await (const ch of stream) {
      for (const c of ch.choices) {
        content += c.delta.content ?? '';
        reasoning += c.delta.reasoning_content ?? '';
      }
    }
    eq(reasoning, QWEN_REASONING, 'reasoning_content');
    eq(content, QWEN_ANSWER, 'content');
  });

  await check('d. Qwen3: enable_thinking false and reasoning_effort none are accepted and shape the prompt', async () => {
    const base_ = await qapi.chat.completions.create({ messages: user(Q.qwenPlain) });
    const off = await qapi.chat.completions.create({ messages: user(Q.qwenPlain), chat_template_kwargs: { enable_thinking: false } });
    const none = await qapi.chat.completions.create({ messages: user(Q.qwenPlain), reasoning_effort: 'none' });
    for (const [what, r] of [['default', base_], ['enable_thinking false', off], ['reasoning_effort none', none]]) {
      eq(r.choices[0].message.content, QWEN_PLAIN, `${what} content`);
      assert(!('reasoning_content' in r.choices[0].message), `${what}: reasoning_content present`);
    }
    // Thinking off puts an empty <think></think> block into the prompt.
    assert(off.usage.prompt_tokens > base_.usage.prompt_tokens,
      `enable_thinking false: prompt_tokens ${off.usage.prompt_tokens}, default ${base_.usage.prompt_tokens}`);
    eq(none.usage.prompt_tokens, off.usage.prompt_tokens, 'reasoning_effort none prompt_tokens vs enable_thinking false');
    return `prompt_tokens ${base_.usage.prompt_tokens} -> ${off.usage.prompt_tokens}`;
  });

  await check('d. Qwen3: a scripted <tool_call> becomes tool_calls, streamed too', async () => {
    const r = await qapi.chat.completions.create({ messages: user(Q.qwenTool), tools: [WEATHER_TOOL] });
    const c = r.choices[0];
    eq(c.finish_reason, 'tool_calls', 'finish_reason');
    eq(c.message.tool_calls.length, 1, 'tool_calls length');
    eq(c.message.tool_calls[0].function.name, 'get_weather', 'name');
    eq(JSON.parse(c.message.tool_calls[0].function.arguments), { city: 'Москва' }, 'arguments');
    const s = await post(qwen.base, '/v1/chat/completions', { messages: user(Q.qwenTool), tools: [WEATHER_TOOL], stream: true });
    const sse = parseSse(s.text);
    const calls = sse.events.flatMap((e) => e.choices.flatMap((x) => x.delta.tool_calls ?? []));
    eq(calls.map((x) => [x.index, x.function.name, JSON.parse(x.function.arguments)]), [[0, 'get_weather', { city: 'Москва' }]], 'streamed tool calls');
    const follow = await qapi.chat.completions.create({
      tools: [WEATHER_TOOL],
      max_tokens: 2,
      messages: [
        ...user(Q.qwenTool),
        { role: 'assistant', content: null, tool_calls: c.message.tool_calls },
        { role: 'tool', tool_call_id: c.message.tool_calls[0].id, content: '-5 °C, снег' },
      ],
    });
    // The rendered call matches the generated one token for token: all of it is reused.
    assert(follow.usage.prompt_tokens_details.cached_tokens >= r.usage.prompt_tokens,
      `follow-up cached_tokens ${follow.usage.prompt_tokens_details.cached_tokens}, first prompt ${r.usage.prompt_tokens}`);
  });

  await check('d. Qwen3: a reasoning_effort outside the list is a 400', async () => {
    const r = await post(qwen.base, '/v1/chat/completions', { messages: user('hi'), reasoning_effort: 'extreme' });
    assertError(r, 400, { param: 'reasoning_effort' });
  });

  // ---- i. concurrency -------------------------------------------------------------------

  await check('i. 16 concurrent greedy requests on 4 slots equal the same requests run alone', async () => {
    const topics = ['rivers', 'mountains', 'stars', 'bread', 'trains', 'clocks', 'owls', 'glass',
      'copper', 'maps', 'violins', 'salt', 'bridges', 'ice', 'moss', 'kites'];
    const reqs = topics.map((t, i) => ({
      model: modelId, messages: user(`Request ${i}: write about ${t}.`), temperature: 0, max_tokens: 24,
    }));
    const key = (r) => JSON.stringify([r.choices[0].message, r.choices[0].finish_reason, r.usage.completion_tokens]);
    const alone = [];
    for (const q of reqs) alone.push(key(await api.chat.completions.create(q)));
    const before = await metrics(base);
    const t = Date.now();
    const together = await Promise.all(reqs.map((q) => api.chat.completions.create(q)));
    const ms = Date.now() - t;
    const after = await metrics(base);
    eq(together.length, 16, 'answers');
    const diff = together.map(key).map((k, i) => (k === alone[i] ? null : i)).filter((i) => i !== null);
    if (diff.length) {
      throw new Error(`requests ${diff.join(', ')} differ from their solo runs, e.g. ${clip(key(together[diff[0]]), 120)} vs ${clip(alone[diff[0]], 120)}`);
    }
    const steps = after.fathom_steps_total - before.fathom_steps_total;
    const tokens = after.fathom_generated_tokens_total - before.fathom_generated_tokens_total;
    assert(steps < tokens, `${steps} steps for ${tokens} tokens: nothing was batched`);
    return `${ms} ms, ${tokens} tokens in ${steps} steps`;
  });

  // ---- j. cancellation ------------------------------------------------------------------

  await check('j. aborting a stream frees its slot within 1 s and is counted', async () => {
    const before = await metrics(base);
    const ctl = new AbortController();
    const stream = await api.chat.completions.create({ model: modelId, messages: user(Q.slow), stream: true }, { signal: ctl.signal });
    let n = 0;
    try {
      for await (const ch of stream) {
        if (ch.choices[0]?.delta?.content) n++;
        if (n >= 3) break;
      }
    } finally {
      ctl.abort();
    }
    const t = Date.now();
    const m = await waitFor(async () => {
      const x = await metrics(base);
      return x.fathom_slots_busy === 0 ? x : null;
    }, { timeout: 3000, every: 10, what: 'fathom_slots_busy 0' });
    const ms = Date.now() - t;
    assert(ms <= 1000, `slot freed after ${ms} ms`);
    assert(m.fathom_client_disconnects_total >= 1 && m.fathom_client_disconnects_total > before.fathom_client_disconnects_total,
      `fathom_client_disconnects_total ${before.fathom_client_disconnects_total} -> ${m.fathom_client_disconnects_total}`);
    assert(m.fathom_requests_cancelled_total >= 1 && m.fathom_requests_cancelled_total > before.fathom_requests_cancelled_total,
      `fathom_requests_cancelled_total ${before.fathom_requests_cancelled_total} -> ${m.fathom_requests_cancelled_total}`);
    // 200 tokens at 20 ms each would take 4 s: the generation really stopped.
    assert(m.fathom_generated_tokens_total - before.fathom_generated_tokens_total < 150, 'the generation ran on');
    return `slot free after ${ms} ms`;
  });

  await check('j. the next request after a cancellation is served normally', async () => {
    const r = await api.chat.completions.create({ model: modelId, messages: user(Q.reason) });
    eq(r.choices[0].message.content, RU_ANSWER, 'content');
    eq(r.choices[0].finish_reason, 'stop', 'finish_reason');
  });

  // ---- k. prefix reuse ------------------------------------------------------------------

  await check('k. the next turn of a conversation reuses the cached prefix', async () => {
    const turn1 = [{ role: 'user', content: Q.prefix }];
    const a = await api.chat.completions.create({ model: modelId, messages: turn1, temperature: 0 });
    eq(a.choices[0].message.content, PREFIX_ANSWER, 'first answer');
    const before = await metrics(base);
    const b = await api.chat.completions.create({
      model: modelId,
      temperature: 0,
      max_tokens: 4,
      messages: [...turn1, { role: 'assistant', content: a.choices[0].message.content }, { role: 'user', content: 'And why does that help?' }],
    });
    const after = await metrics(base);
    const cached = b.usage.prompt_tokens_details && b.usage.prompt_tokens_details.cached_tokens;
    assert(cached > 0, `cached_tokens ${cached}`);
    // The whole first prompt is a prefix of the second: all of it should come from the cache.
    assert(cached >= a.usage.prompt_tokens, `cached_tokens ${cached} < the first turn's prompt ${a.usage.prompt_tokens}`);
    assert(cached < b.usage.prompt_tokens, `cached_tokens ${cached} not below prompt_tokens ${b.usage.prompt_tokens}`);
    eq(after.fathom_prompt_tokens_reused_total - before.fathom_prompt_tokens_reused_total, cached, 'reused tokens in /metrics');
    eq(b.timings.cache_n, cached, 'timings.cache_n');
    return `${cached} of ${b.usage.prompt_tokens} prompt tokens cached`;
  });

  // ---- shutdown ----------------------------------------------------------------------------

  // cmd_serve.cpp: "SIGTERM stops it cleanly: running requests are told the server is
  // shutting down". A stream should end with an error event and [DONE], a waiting
  // request should get a 503, and the process should not wait for generations to end.
  await check('h. SIGTERM: a running stream gets a last error event and [DONE], a queued request a 503, exit within 2 s', async () => {
      const a = await fetch(`${limits.base}/v1/chat/completions`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ messages: user(Q.slow), stream: true }),
      });
      const { reader, text: head } = await readEvents(a, 3);
      const rest = (async () => {
        let text = head;
        const dec = new TextDecoder();
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            text += dec.decode(value, { stream: true });
          }
        } catch {
          // cut off: what came is what counts
        }
        return text;
      })();
      const waiting = post(limits.base, '/v1/chat/completions', { messages: user(Q.slow), max_tokens: 100 })
        .catch((err) => ({ status: 0, text: String(err.cause || err.message) }));
      await waitFor(async () => (await metrics(limits.base)).fathom_queue_depth === 1, { what: 'a queued request' });
      const t = Date.now();
      const code = await stopServer(limits, 3000);
      const ms = Date.now() - t;
      const [stream, w] = await Promise.all([rest, waiting]);
      const sse = parseSse(stream);
      const problems = [];
      if (!sse.events.some((e) => e.error)) problems.push('the stream has no error event');
      if (!sse.endsWithDone) problems.push(`the stream ends with ${JSON.stringify(stream.slice(-30))}`);
      if (w.status !== 503) problems.push(`the queued request got ${w.status}`);
      if (ms > 2000) problems.push(`exit took ${ms} ms`);
      if (code !== 0) problems.push(`exit ${code}`);
      assert(problems.length === 0, problems.join('; '));
    });

  // Each has just answered this client, which keeps the connection open for the next
  // request (idle keep-alive), as any real client does.
  const left = servers.filter(alive);
  const exits = [];
  await check('servers exit 0 on SIGTERM', async () => {
    await Promise.all(left.map((srv) => get(srv.base, '/health')));
    const t = Date.now();
    await Promise.all(left.map(async (srv) => {
      const code = await stopServer(srv, 10000);
      exits.push({ name: srv.name, code, ms: Date.now() - t });
    }));
    for (const e of exits) eq(e.code, 0, `${e.name} exit`);
    return exits.map((e) => `${e.name} ${e.ms} ms`).join(', ');
  });

  await check('servers exit within 1.5 s of SIGTERM although clients keep idle connections open', async () => {
      const slow = exits.filter((e) => e.ms > 1500);
      assert(slow.length === 0, slow.map((e) => `${e.name} took ${e.ms} ms`).join(', '));
    });

  console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

try {
  await main();
} catch (err) {
  report(false, 'test harness', err && err.stack ? err.stack : String(err));
} finally {
  killAll();
}
finish();

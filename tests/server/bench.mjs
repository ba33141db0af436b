#!/usr/bin/env node
// Throughput of `fathom serve` under concurrent streaming clients. Not a test: run it
// by hand and read the table.
//
//   node tests/server/bench.mjs --fathom /abs/bin/fathom --model /abs/model.gguf
//       [--parallel 4] [--clients 1,4,16] [--max-tokens 64] [--threads 2] [--ctx 2048]
//
// It starts a server on the model (--port 0), warms it up, then for each client count
// runs that many streaming chat requests at once (short distinct prompts, temperature
// 0, the same max_tokens) and reports:
//   aggregate tok/s    completion tokens of all requests over the wall time of the round
//   decode tok/s p50   the median of each request's timings.predicted_per_second
//   TTFT p50/p90       request sent -> first chunk carrying generated text (reasoning,
//                      answer or tool call); it includes queueing when clients > slots
// The API has no ignore_eos: a request that reaches an end token stops before
// max_tokens. The table shows the mean completion tokens per request so that shows.

import { spawn } from 'node:child_process';
import path from 'node:path';
import OpenAI from 'openai';

function usage(why) {
  console.error(`bench.mjs: ${why}
usage: node tests/server/bench.mjs --fathom /abs/bin/fathom --model /abs/model.gguf
         [--parallel 4] [--clients 1,4,16] [--max-tokens 64] [--threads 2] [--ctx 2048]`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { parallel: 4, clients: [1, 4, 16], maxTokens: 64, threads: 2, ctx: 2048 };
  const int = (a, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) usage(`${a}: expected a positive integer, found ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--fathom') o.fathom = path.resolve(value());
    else if (a === '--model') o.model = path.resolve(value());
    else if (a === '--parallel') o.parallel = int(a, value());
    else if (a === '--clients') o.clients = value().split(',').map((x) => int(a, x));
    else if (a === '--max-tokens') o.maxTokens = int(a, value());
    else if (a === '--threads') o.threads = int(a, value());
    else if (a === '--ctx') o.ctx = int(a, value());
    else usage(`unknown argument ${a}`);
  }
  if (!o.fathom || !o.model) usage('--fathom and --model are required');
  return o;
}

const opts = parseArgs(process.argv.slice(2));

// ---- server ---------------------------------------------------------------------------

let server = null;
let log = '';

function startServer() {
  const maxClients = Math.max(...opts.clients);
  const args = ['serve', opts.model, '--port', '0', '--parallel', String(opts.parallel), '--ctx', String(opts.ctx),
    '--threads', String(opts.threads), '--queue', String(Math.max(64, maxClients))];
  return new Promise((resolve, reject) => {
    server = spawn(opts.fathom, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // A big model may take a while to map and load.
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 600 s: ${log.slice(-1000)}`)), 600000);
    server.stdout.on('data', (d) => (log += d));
    server.stderr.on('data', (d) => {
      log += d;
      const m = log.match(/fathom: listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ base: m[1], args });
      }
    });
    server.on('error', reject);
    server.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${signal || code}): ${log.slice(-1000)}`));
    });
  });
}

function kill() {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
}
process.on('exit', kill);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    kill();
    process.exit(130);
  });
}

// ---- measurement ------------------------------------------------------------------------

const TOPICS = ['rivers', 'mountains', 'the moon', 'bread', 'trains', 'clocks', 'owls', 'glass', 'copper', 'maps',
  'violins', 'salt', 'bridges', 'ice', 'moss', 'kites', 'lighthouses', 'honey', 'volcanoes', 'paper', 'chess',
  'tides', 'bees', 'rain', 'wool', 'compasses', 'deserts', 'lanterns', 'coral', 'ink', 'harbours', 'wind'];

function prompt(i) {
  return `In two sentences, tell me something about ${TOPICS[i % TOPICS.length]} (note ${i}).`;
}

// One streaming request: TTFT, completion tokens and the server's decode rate.
async function one(api, model, i) {
  const t0 = performance.now();
  const stream = await api.chat.completions.create({
    model,
    messages: [{ role: 'user', content: prompt(i) }],
    temperature: 0,
    max_tokens: opts.maxTokens,
    stream: true,
    stream_options: { include_usage: true },
  });
  let ttft = null;
  let usage = null;
  let timings = null;
  for await (const ch of stream) {
    const d = ch.choices[0]?.delta;
    if (ttft === null && d && (d.content || d.reasoning_content || d.reasoning || d.tool_calls)) ttft = performance.now() - t0;
    if (ch.usage) {
      usage = ch.usage;
      timings = ch.timings;
    }
  }
  if (!usage) throw new Error('no usage chunk');
  return { ttft: ttft ?? performance.now() - t0, tokens: usage.completion_tokens, decode: timings?.predicted_per_second ?? 0 };
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const k = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[k];
}

async function main() {
  const { base, args } = await startServer();
  const api = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'x', maxRetries: 0, timeout: 3600000 });
  const props = await (await fetch(`${base}/props`)).json();
  console.log(`fathom serve ${args.slice(1).join(' ')}`);
  console.log(`model "${props.model}" (${props.arch}, ${props.chat_format}), ${props.parallel} slots of ${props.n_ctx}, max_tokens ${opts.maxTokens}, temperature 0, streaming chat`);

  // Warm-up: pages the weights in and runs every code path once.
  await Promise.all(Array.from({ length: Math.min(opts.parallel, 4) }, (_, i) => one(api, props.model, 1000 + i)));

  const rows = [];
  for (const n of opts.clients) {
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: n }, (_, i) => one(api, props.model, i)));
    const wall = (performance.now() - t0) / 1000;
    const tokens = results.reduce((s, r) => s + r.tokens, 0);
    rows.push({
      n,
      wall,
      tokens,
      mean: tokens / n,
      aggregate: tokens / wall,
      decode: percentile(results.map((r) => r.decode), 50),
      ttft50: percentile(results.map((r) => r.ttft), 50),
      ttft90: percentile(results.map((r) => r.ttft), 90),
    });
  }

  console.log('');
  console.log('| clients | wall s | tokens | tokens/request | aggregate tok/s | decode tok/s p50 (per request) | TTFT p50 ms | TTFT p90 ms |');
  console.log('|--------:|-------:|-------:|---------------:|----------------:|-------------------------------:|------------:|------------:|');
  for (const r of rows) {
    console.log(`| ${r.n} | ${r.wall.toFixed(2)} | ${r.tokens} | ${r.mean.toFixed(1)} | ${r.aggregate.toFixed(1)} | ${r.decode.toFixed(1)} | ${r.ttft50.toFixed(0)} | ${r.ttft90.toFixed(0)} |`);
  }
  if (rows.some((r) => r.mean < opts.maxTokens)) {
    console.log(`\nSome requests ended before max_tokens (${opts.maxTokens}) at an end token: there is no ignore_eos.`);
  }
}

try {
  await main();
} catch (err) {
  console.error(`bench.mjs: ${err && err.stack ? err.stack : err}`);
  process.exitCode = 1;
} finally {
  kill();
}

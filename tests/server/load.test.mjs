#!/usr/bin/env node
// A load test of `fathom serve`: many concurrent clients for a fixed time, then the
// throughput, the latency distribution, the errors by kind and the server's memory.
// Benchmark-style: not part of `make test`; run it by hand and read the summary.
//
//   node tests/server/load.test.mjs --fathom /abs/bin/fathom --model /abs/model.gguf
//       [--clients 64] [--seconds 60] [--parallel 4] [--max-tokens 16]
//       [--ctx 2048] [--queue 64] [--threads N] [--stream-share 0.2] [--json OUT.json]
//
// It starts a server on the model (--port 0, the given --parallel/--ctx/--queue/--threads;
// --threads defaults to this machine's CPUs), warms it up with one request per client at
// once, then runs `clients` loops at once, each sending chat requests one after another
// until `seconds` have passed (a request under way then is finished and counted): 80 %
// short non-streaming, 20 % streaming (with stream_options.include_usage), every prompt
// distinct, the same max_tokens. Clients share one keep-alive http.Agent, as a Node
// client would. It reports
//   requests/s        completed requests (any status) over the wall time of the run
//   latency p50/95/99 request sent -> whole answer read, for 200s; streams also TTFT
//                     (first generated text of any kind; a random model's output may
//                     reach the client only at the end, then TTFT = the whole time)
//   tokens/s          completion tokens of the 200s (usage) over the wall time, beside
//                     the server's own fathom_generated_tokens_total delta
//   errors            by HTTP status, and network errors by code and by connection (new,
//                     or kept-alive with how long it lay idle); a 503 (back-pressure, the
//                     queue is full) is counted apart and allowed, and its client waits
//                     for Retry-After before its next request
//   connections       new connections and their connect times (a burst beyond the
//                     listen backlog shows as connects of >= 1 s: a dropped SYN)
//   memory            the server's VmRSS every second: start (after warm-up), at each
//                     quarter of the run, max, end (1.5 s after the run). Flat: end <=
//                     start + KV cache size + 5 % of start, the KV cache size being what
//                     `fathom plan --json` computes for the model at --ctx and --parallel.
// Exit code 1 when any request got a 5xx other than 503, a 4xx (every request is valid),
// a network error or a broken stream, when memory was not flat, or when SIGTERM did not
// end the server with exit code 0.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { killAll, startServer, stopServer } from '../lib/fathom_server.mjs';

function usage(why) {
  console.error(`load.test.mjs: ${why}
usage: node tests/server/load.test.mjs --fathom /abs/bin/fathom --model /abs/model.gguf
         [--clients 64] [--seconds 60] [--parallel 4] [--max-tokens 16]
         [--ctx 2048] [--queue 64] [--threads N] [--stream-share 0.2] [--json OUT.json]`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { clients: 64, seconds: 60, parallel: 4, maxTokens: 16, ctx: 2048, queue: 64, threads: 0, streamShare: 0.2, json: '' };
  const int = (a, v, min = 1) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) usage(`${a}: expected an integer >= ${min}, found ${v}`);
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
    else if (a === '--clients') o.clients = int(a, value());
    else if (a === '--seconds') o.seconds = int(a, value());
    else if (a === '--parallel') o.parallel = int(a, value());
    else if (a === '--max-tokens') o.maxTokens = int(a, value());
    else if (a === '--ctx') o.ctx = int(a, value(), 16);
    else if (a === '--queue') o.queue = int(a, value(), 0);
    else if (a === '--threads') o.threads = int(a, value());
    else if (a === '--stream-share') {
      o.streamShare = Number(value());
      if (!(o.streamShare >= 0 && o.streamShare <= 1)) usage('--stream-share: expected a number in [0, 1]');
    } else if (a === '--json') o.json = path.resolve(value());
    else usage(`unknown argument ${a}`);
  }
  if (!o.fathom || !o.model) usage('--fathom and --model are required');
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

for (const sig of ['uncaughtException', 'unhandledRejection']) {
  process.on(sig, (err) => {
    console.error(`load.test.mjs: ${sig}: ${err && err.stack ? err.stack : err}`);
    killAll();
    process.exit(1);
  });
}

// ---- the server's memory ---------------------------------------------------------------------

function procStatus(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const num = (k) => Number((s.match(new RegExp(`${k}:\\s+(\\d+)`)) || [])[1]);
  return { rssKiB: num('VmRSS'), threads: num('Threads') };
}

// The KV cache in bytes at this --ctx and --parallel, as `fathom plan` computes it.
function kvBytes() {
  try {
    const out = execFileSync(opts.fathom, ['plan', opts.model, '--ctx', String(opts.ctx), '--parallel', String(opts.parallel), '--json'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60000 });
    const kv = JSON.parse(out).plans?.[0]?.kv_cache;
    return kv && Number.isFinite(kv.bytes) ? { bytes: kv.bytes, from: 'fathom plan --json plans[0].kv_cache.bytes' } : null;
  } catch {
    return null;
  }
}

// ---- requests --------------------------------------------------------------------------------

const TOPICS = ['rivers', 'bridges', 'owls', 'prime numbers', 'tea', 'glaciers', 'chess', 'lighthouses', 'volcanoes', 'maps',
  'bees', 'clocks', 'comets', 'ferns', 'trains', 'salt'];

let base = '';
let agent = null;

// One chat request; resolves a record {stream, status, ms, ttft, tokens, error, retryAfter}.
function chat(client, n, stream) {
  const body = JSON.stringify({
    messages: [{ role: 'user', content: `Client ${client}, request ${n}: say something short about ${TOPICS[(client + n) % TOPICS.length]}.` }],
    max_tokens: opts.maxTokens,
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  });
  return new Promise((resolve) => {
    const t = performance.now();
    // reused: sent on a kept-alive connection; connectMs: time to connect a new one.
    const rec = { stream, status: 0, ms: 0, ttft: null, tokens: 0, error: null, retryAfter: 0, reused: null, connectMs: null, start: t };
    let settled = false;
    let sockRef = null;
    const done = (patch = {}) => {
      if (settled) return;
      settled = true;
      Object.assign(rec, patch);
      rec.ms = performance.now() - t;
      resolve(rec);
    };
    const req = http.request(`${base}/v1/chat/completions`, {
      method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      rec.status = res.statusCode;
      rec.retryAfter = Number(res.headers['retry-after'] || 0);
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        // The first generated text of any kind (the role chunk carries none).
        if (stream && rec.ttft === null && /"(content|reasoning_content|reasoning|arguments)":"[^"]/.test(d)) rec.ttft = performance.now() - t;
        text += d;
      });
      res.on('error', (err) => done({ error: err.code || err.message }));
      res.on('aborted', () => done({ error: 'aborted' }));
      res.on('end', () => {
        if (sockRef) sockRef.lastAnswerAt = performance.now();
        if (res.statusCode !== 200) return done();
        try {
          if (!stream) {
            rec.tokens = JSON.parse(text).usage.completion_tokens;
            return done();
          }
          if (!/data: \[DONE\]\n\n$/.test(text)) return done({ error: 'stream without [DONE]' });
          for (const line of text.split('\n')) {
            if (!line.startsWith('data: {')) continue;
            const ev = JSON.parse(line.slice(6));
            if (ev.error) return done({ error: `stream error event: ${ev.error.code}` });
            if (ev.usage) rec.tokens = ev.usage.completion_tokens;
          }
          return done();
        } catch (err) {
          return done({ error: `unparsable answer: ${err.message}` });
        }
      });
    });
    req.on('socket', (sock) => {
      sockRef = sock;
      rec.reused = req.reusedSocket;
      // How long a kept-alive connection lay idle in the pool before this request.
      if (rec.reused && sock.lastAnswerAt) rec.idleMs = t - sock.lastAnswerAt;
      if (sock.connecting) sock.once('connect', () => (rec.connectMs = performance.now() - t));
    });
    req.setTimeout(300000, () => req.destroy(Object.assign(new Error('no answer in 300 s'), { code: 'TIMEOUT' })));
    req.on('error', (err) => done({ error: err.code || err.message }));
    req.end(body);
  });
}

async function metrics() {
  const r = await fetch(`${base}/metrics`);
  const m = {};
  for (const line of (await r.text()).split('\n')) {
    const x = line.match(/^(fathom_[a-z_]+) ([-0-9.e+]+)$/);
    if (x) m[x[1]] = Number(x[2]);
  }
  return m;
}

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');

// ---- the run -------------------------------------------------------------------------------------

async function main() {
  const threads = opts.threads || os.availableParallelism?.() || os.cpus().length;
  const args = ['--parallel', String(opts.parallel), '--ctx', String(opts.ctx), '--queue', String(opts.queue), '--threads', String(threads)];
  const srv = await startServer(opts.fathom, 'load', opts.model, args);
  base = srv.base;
  const pid = srv.proc.pid;
  agent = new http.Agent({ keepAlive: true, maxSockets: opts.clients + 4 });
  const kv = kvBytes();
  console.log(`# fathom serve ${path.basename(opts.model)} ${args.join(' ')}  (pid ${pid}, ${base})`);
  console.log(`# ${opts.clients} clients for ${opts.seconds} s, max_tokens ${opts.maxTokens}, ${Math.round(opts.streamShare * 100)} % streaming;` +
    ` ${os.cpus().length} CPUs (${os.cpus()[0]?.model || '?'}), node ${process.version}`);

  // Warm-up: one request per client at once (every slot, the queue and as many
  // connection threads as the run will use), streaming and not.
  const warm = await Promise.all(Array.from({ length: Math.max(opts.clients, opts.parallel * 2) }, (_, i) => chat(-1 - i, 0, i % 5 === 4)));
  const warmBad = warm.filter((r) => r.status !== 200 || r.error);
  if (warmBad.length) throw new Error(`warm-up failed: ${warmBad.map((r) => r.status || r.error).join(', ')}`);
  await sleep(500);

  const mem = [];
  const queueDepth = [];
  const sample = async () => {
    try {
      mem.push(procStatus(pid).rssKiB);
      const m = await metrics();
      queueDepth.push(m.fathom_queue_depth);
    } catch {
      // the last sample may race the end
    }
  };
  const rssStart = procStatus(pid).rssKiB;
  const before = await metrics();
  const sampler = setInterval(sample, 1000);

  const records = [];
  const t0 = performance.now();
  const end = t0 + opts.seconds * 1000;
  let seq = 0;
  const loops = Array.from({ length: opts.clients }, async (_, c) => {
    for (let n = 0; performance.now() < end; n++) {
      const stream = (seq++ % 100) < opts.streamShare * 100;  // an even mix over time and clients
      const r = await chat(c, n, stream);
      records.push(r);
      if (r.status === 503) await sleep(Math.min(5, r.retryAfter || 1) * 1000);
      else if (r.error || r.status !== 200) await sleep(100);  // no hot loop on a broken server
    }
  });
  await Promise.all(loops);
  const wall = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  await sleep(1500);  // what the run left behind settles (streams closing, slots freed)
  const after = await metrics();
  const endStatus = procStatus(pid);
  const rssEnd = endStatus.rssKiB;
  const rssMax = Math.max(rssStart, rssEnd, ...mem);

  // ---- figures --------------------------------------------------------------------------------------
  const ok = records.filter((r) => r.status === 200 && !r.error);
  const lat = ok.map((r) => r.ms).sort((a, b) => a - b);
  const latNs = ok.filter((r) => !r.stream).map((r) => r.ms).sort((a, b) => a - b);
  const latS = ok.filter((r) => r.stream).map((r) => r.ms).sort((a, b) => a - b);
  const ttft = ok.filter((r) => r.stream && r.ttft !== null).map((r) => r.ttft).sort((a, b) => a - b);
  const tokens = ok.reduce((s, r) => s + r.tokens, 0);
  const byStatus = {};
  const byError = {};
  for (const r of records) {
    if (r.error) {
      const k = `${r.error} on a ${r.reused ? `kept-alive connection idle ${r.idleMs === undefined ? '?' : `${f0(r.idleMs)} ms`}` : 'new connection'}`;
      byError[k] = (byError[k] || 0) + 1;
    }
    else byStatus[r.status] = (byStatus[r.status] || 0) + 1;
  }
  const n503 = byStatus[503] || 0;
  const bad5xx = Object.entries(byStatus).filter(([s]) => Number(s) >= 500 && Number(s) !== 503).reduce((s, [, n]) => s + n, 0);
  const bad4xx = Object.entries(byStatus).filter(([s]) => Number(s) >= 400 && Number(s) < 500).reduce((s, [, n]) => s + n, 0);
  const netErrors = Object.values(byError).reduce((s, n) => s + n, 0);
  const serverTokens = after.fathom_generated_tokens_total - before.fathom_generated_tokens_total;
  const allowance = (kv ? kv.bytes / 1024 : 0) + 0.05 * rssStart;
  const flat = rssEnd <= rssStart + allowance;

  const row = (name, xs) => console.log(`  ${name.padEnd(22)} ${String(xs.length).padStart(6)}  p50 ${f0(pct(xs, 50)).padStart(6)} ms  p95 ${f0(pct(xs, 95)).padStart(6)} ms  p99 ${f0(pct(xs, 99)).padStart(6)} ms  max ${f0(xs[xs.length - 1]).padStart(6)} ms`);
  console.log(`requests      ${records.length} in ${f1(wall)} s = ${f1(records.length / wall)} requests/s (${ok.length} answered 200 = ${f1(ok.length / wall)}/s)`);
  console.log('latency (200s only)');
  row('all', lat);
  row('non-streaming', latNs);
  row('streaming (whole)', latS);
  row('streaming TTFT', ttft);
  console.log(`tokens        ${tokens} completion tokens = ${f1(tokens / wall)} tokens/s (server: ${serverTokens} generated = ${f1(serverTokens / wall)}/s; mean ${f1(tokens / Math.max(1, ok.length))} per request)`);
  console.log(`statuses      ${Object.entries(byStatus).map(([s, n]) => `${s}: ${n}`).join(', ') || '-'}`);
  console.log(`back-pressure 503: ${n503} (allowed)`);
  console.log(`failures      other 5xx: ${bad5xx}, 4xx: ${bad4xx}, network/stream errors: ${netErrors}${netErrors ? ` (${Object.entries(byError).map(([e, n]) => `${e}: ${n}`).join(', ')})` : ''}`);
  const fresh = records.filter((r) => r.reused === false);
  const conn = fresh.map((r) => r.connectMs).filter(Number.isFinite).sort((x, y) => x - y);
  console.log(`connections   ${fresh.length} new (the rest on kept-alive ones); connect p50 ${f1(pct(conn, 50))} ms, p99 ${f1(pct(conn, 99))} ms, max ${f1(conn[conn.length - 1])} ms; ` +
    `${conn.filter((x) => x >= 900).length} took >= 0.9 s (a dropped SYN is retried after 1 s)`);
  const slowest = [...records].sort((x, y) => y.ms - x.ms).slice(0, 3);
  console.log(`slowest       ${slowest.map((r) => `${f0(r.ms)} ms (${r.status || r.error}, sent at +${f1((r.start - t0) / 1000)} s, ${r.reused ? 'kept-alive' : `new connection, connect ${f0(r.connectMs)} ms`}, ${r.stream ? 'stream' : 'whole'})`).join('; ')}`);
  console.log(`queue depth   max ${Math.max(0, ...queueDepth.filter(Number.isFinite))} (sampled every second); server: ${after.fathom_requests_finished_total - before.fathom_requests_finished_total} finished, ` +
    `${after.fathom_requests_cancelled_total - before.fathom_requests_cancelled_total} cancelled, ${after.fathom_requests_failed_total - before.fathom_requests_failed_total} failed, ` +
    `${after.fathom_steps_total - before.fathom_steps_total} steps; slots busy at the end ${after.fathom_slots_busy}, queue ${after.fathom_queue_depth}`);
  const quart = [0.25, 0.5, 0.75, 1].map((q) => mem[Math.max(0, Math.ceil(q * mem.length) - 1)]);
  console.log(`memory        VmRSS start ${f1(rssStart / 1024)} MiB (after warm-up), at 25/50/75/100 % of the run ${quart.map((k) => f1(k / 1024)).join('/')} MiB, max ${f1(rssMax / 1024)} MiB, end ${f1(rssEnd / 1024)} MiB; ` +
    `allowed end <= ${f1((rssStart + allowance) / 1024)} MiB (KV cache ${kv ? `${f1(kv.bytes / MiB)} MiB from ${kv.from}` : 'size unknown: 0 assumed'} + 5 %): ${flat ? 'flat' : 'GREW'}; ` +
    `server threads ${endStatus.threads}`);

  const t = Date.now();
  const code = await stopServer(srv, 10000);
  console.log(`shutdown      SIGTERM -> exit ${code} in ${Date.now() - t} ms`);

  const result = {
    date: new Date().toISOString(), options: opts, server_args: args, cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model,
    wall_s: wall, requests: records.length, ok: ok.length, requests_per_s: records.length / wall,
    latency_ms: { p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99), max: lat[lat.length - 1] },
    latency_nonstream_ms: { p50: pct(latNs, 50), p95: pct(latNs, 95), p99: pct(latNs, 99) },
    latency_stream_ms: { p50: pct(latS, 50), p95: pct(latS, 95), p99: pct(latS, 99) },
    ttft_ms: { p50: pct(ttft, 50), p95: pct(ttft, 95), p99: pct(ttft, 99) },
    tokens, tokens_per_s: tokens / wall, server_tokens: serverTokens, by_status: byStatus, by_error: byError,
    rss_kib: { start: rssStart, max: rssMax, end: rssEnd, samples: mem }, kv_bytes: kv ? kv.bytes : null, flat, exit_code: code,
  };
  if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify(result, null, 2)}\n`);

  const failures = [];
  if (bad5xx) failures.push(`${bad5xx} responses with a 5xx other than 503`);
  if (bad4xx) failures.push(`${bad4xx} responses with a 4xx`);
  if (netErrors) failures.push(`${netErrors} network or stream errors`);
  if (!flat) failures.push(`VmRSS grew from ${f1(rssStart / 1024)} to ${f1(rssEnd / 1024)} MiB`);
  if (code !== 0) failures.push(`the server exited ${code} on SIGTERM`);
  console.log(failures.length ? `FAIL ${failures.join('; ')}` : 'PASS');
  return failures.length ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`load.test.mjs: ${err && err.stack ? err.stack : err}`);
  process.exitCode = 1;
} finally {
  if (agent) agent.destroy();
  killAll();
}

#!/usr/bin/env node
// fathom compare end to end: two tiny models (F32 and its Q8_0) measured side by side,
// then the HTML report opened from disk in the system Chromium (playwright-core): it
// renders without console errors and without any network request, every number it
// shows equals the JSON written beside it, and a screenshot is saved.
//
//   node tests/ui/report.test.mjs --fathom /abs/bin/fathom --workdir /abs/dir
//
// One line per check, then "N passed, M failed"; exit code 1 on any failure.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { finish, parseArgs, report } from '../lib/checks.mjs';

const { fathom, workdir: work } = parseArgs('tests/ui/report.test.mjs');
fs.mkdirSync(work, { recursive: true });
// Checks of values already at hand: the detail is shown only when one fails.
const check = (name, ok, detail = '') => report(ok, name, ok ? '' : detail);

const run = (...a) => execFileSync(fathom, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const f32 = path.join(work, 'tiny-f32.gguf');
const q8 = path.join(work, 'tiny-q8_0.gguf');
run('synth', '--arch', 'gpt-oss', '--preset', 'tiny', '--type', 'f32', '--seed', '1', '--out', f32);
run('synth', '--arch', 'gpt-oss', '--preset', 'tiny', '--type', 'q8_0', '--seed', '1', '--out', q8);
fs.writeFileSync(path.join(work, 'ru.txt'), 'Мама мыла раму, а кот сидел на коврике и думал о вечном. '.repeat(6));
fs.writeFileSync(path.join(work, 'en.txt'), 'The cat sat on the mat and thought about eternity. '.repeat(6));
const tasks = [
  { id: 'mc-1', lang: 'en', category: 'knowledge', type: 'mc', question: 'Water freezes at', choices: ['zero degrees', 'fifty degrees', 'ninety degrees'], answer: 0 },
  { id: 'mc-1', lang: 'ru', category: 'knowledge', type: 'mc', question: 'Вода замерзает при', choices: ['нуле градусов', 'пятидесяти градусах', 'девяноста градусах'], answer: 0 },
  { id: 'gen-1', lang: 'en', category: 'arithmetic', type: 'gen', prompt: 'What is 6 × 7? Give the final answer as a number.', answer: '42', match: 'number' },
  { id: 'gen-1', lang: 'ru', category: 'arithmetic', type: 'gen', prompt: 'Сколько будет 6 × 7? Дайте окончательный ответ числом.', answer: '42', match: 'number' },
];
fs.writeFileSync(path.join(work, 'tasks.jsonl'), tasks.map((t) => JSON.stringify(t)).join('\n') + '\n');

const html = path.join(work, 'report.html');
const json = path.join(work, 'report.json');
const summary = run('compare', f32, q8, '--suite', path.join(work, 'tasks.jsonl'), '--text', path.join(work, 'ru.txt'),
  '--text', path.join(work, 'en.txt'), '--report', html, '--json', json, '--reasoning', 'low', '--max-tokens', '16',
  '--ctx', '64', '--bench-prompt', '16', '--bench-gen', '4', '--bench-reps', '1', '--eval-ctx', '1024',
  '--results-dir', path.join(work, 'results'));
const doc = JSON.parse(fs.readFileSync(json, 'utf8'));
check('compare printed its summary', summary.split('\n').filter(Boolean).length >= 4, summary);
check('JSON has both models with every section',
  doc.models.length === 2 && doc.models.every((m) => m.identity && m.speed && m.perplexity && m.eval && m.experts),
  JSON.stringify(Object.keys(doc.models[0] || {})));
check('the Q8_0 model is compared against the F32 one (small positive KLD)',
  doc.models[1].perplexity.total.kld.mean > 0 && doc.models[1].perplexity.total.kld.mean < 0.5,
  JSON.stringify(doc.models[1].perplexity.total.kld));
const text = fs.readFileSync(html, 'utf8');
check('self-contained: no external URL in src or href', !/(src|href)\s*=\s*["']?(https?:)?\/\//i.test(text));

const pointer = (obj, p) => p.split('/').slice(1).reduce((o, k) => (o == null ? undefined : o[k]), obj);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  const requests = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => !r.url().startsWith('file:') && requests.push(r.url()));
  await page.goto('file://' + html);
  check('no console errors', errors.length === 0, errors.join(' | '));
  check('no network requests', requests.length === 0, requests.join(' '));
  for (const id of ['summary', 'identity', 'memory', 'speed', 'precision', 'accuracy', 'routing']) {
    check(`section ${id} is shown`, (await page.locator(`section#${id}`).count()) === 1);
  }
  check('charts are drawn', (await page.locator('svg.chart').count()) >= 4);
  const cells = await page.$$eval('[data-path]', (els) =>
    els.map((e) => ({ path: e.dataset.path, value: Number(e.dataset.value), shown: e.textContent })));
  check('numeric cells carry their JSON path', cells.length >= 20, String(cells.length));
  const bad = [];
  for (const c of cells) {
    let want = pointer(doc, c.path);
    // Shares are shown in percent.
    if (/same_top\/mean$|\/acc\/acc$|acc_bytes\/acc$|ru_minus_en\/\d+\/mean$/.test(c.path)) want *= 100;
    const shown = parseFloat(c.shown.replace(/[^0-9eE+.\-]/g, ''));
    const tol = (x) => Math.max(Math.abs(x) * 5e-3, 0.051);
    if (typeof want !== 'number' || Math.abs(want - c.value) > 1e-9 * Math.max(1, Math.abs(want)) ||
        Math.abs(shown - want) > tol(want)) {
      bad.push(`${c.path}: json ${want}, data-value ${c.value}, shown "${c.shown}"`);
    }
  }
  check('every number shown equals the JSON', bad.length === 0, bad.slice(0, 5).join('; '));
  const items = await page.locator('#summary li').allTextContents();
  check('summary sentences computed from the numbers',
    items.some((t) => t.includes(doc.models[1].perplexity.texts[0].text)) && items.some((t) => /Jensen/.test(t)),
    items.join(' | '));
  await page.screenshot({ path: path.join(work, 'report.png'), fullPage: true });
  check('screenshot saved', fs.statSync(path.join(work, 'report.png')).size > 10000);
} finally {
  await browser.close();
}
finish();

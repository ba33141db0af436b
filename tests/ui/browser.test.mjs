#!/usr/bin/env node
// End-to-end test of the chat page that `fathom serve` embeds: a tiny synthetic
// gpt-oss behind the real server, scripted replies (--test-script) so the text is
// known, and the system Chromium driven by playwright-core.
//
//   npm ci --prefix tests/ui      (playwright-core only; no browser download)
//   node tests/ui/browser.test.mjs --fathom /abs/bin/fathom --workdir /abs/dir
//
// Chromium is /usr/bin/chromium unless --chromium PATH or $CHROMIUM says otherwise.
// One line per check, then "N passed, M failed"; the exit code is non-zero on any
// failure. Screenshots land in the work directory.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { anyFailed, assert, check, finish, parseArgs, report, sleep } from '../lib/checks.mjs';
import { startServer, stopServer } from '../lib/fathom_server.mjs';

const opts = parseArgs('tests/ui/browser.test.mjs', { '--chromium': process.env.CHROMIUM || '/usr/bin/chromium' });

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  console.error('browser.test.mjs: playwright-core is missing; install it with: npm ci --prefix tests/ui');
  process.exit(2);
}

// ---- scripted replies ---------------------------------------------------------------

const RU_QUESTION = 'Привет! Покажи, как напечатать число.';
const RU_REASONING = 'Пользователь спрашивает, как напечатать число. Отвечу кратко.';
const RU_ANSWER = '**Ответ:** вот пример на Python, ёжик.\n\n```python\nprint(1)\n```\n\nГотово.';
const EN_QUESTION = 'And now in English, please.';
const EN_ANSWER = 'Sure: the **print** function writes a line, e.g. `print(1)`.';
const LONG_QUESTION = 'Count slowly from one to sixty.';
const LONG_ANSWER = Array.from({ length: 60 }, (_, i) => String(i + 1)).join(' ');
const XSS_QUESTION = 'Show me some HTML tricks.';
const XSS_ANSWER =
  'Careful: <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> and [link](javascript:window.__pwned=3)';
// Far more than the 512-token context whatever the tokenizer merges.
const TOO_LONG = 'очень длинное сообщение, '.repeat(400);

const SCRIPT = {
  replies: [
    {
      match: 'Покажи, как напечатать число',
      output: `<|channel|>analysis<|message|>${RU_REASONING}<|end|><|start|>assistant<|channel|>final<|message|>${RU_ANSWER}<|return|>`,
      delay_ms: 25,
    },
    {
      match: 'And now in English',
      output: `<|channel|>final<|message|>${EN_ANSWER}<|return|>`,
      delay_ms: 5,
    },
    {
      match: 'Count slowly',
      output: `<|channel|>final<|message|>${LONG_ANSWER}<|return|>`,
      delay_ms: 60,
    },
    {
      match: 'Show me some HTML',
      output: `<|channel|>final<|message|>${XSS_ANSWER}<|return|>`,
      delay_ms: 2,
    },
  ],
};

// ---- reporting --------------------------------------------------------------------


async function waitUntil(fn, { timeout = 20000, every = 50, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(every);
  }
}

// ---- server -----------------------------------------------------------------------

let server = null;
const serverLog = () => (server ? server.log : '');

// ---- page helpers -------------------------------------------------------------------

const tid = (page, id) => page.getByTestId(id);

async function isIdle(page) {
  return page.evaluate(() => {
    const send = document.querySelector('[data-testid=send]');
    const stop = document.querySelector('[data-testid=stop]');
    return !!send && send.offsetParent !== null && (!stop || stop.offsetParent === null);
  });
}

async function lastAnswer(page) {
  return page.evaluate(() => {
    const all = document.querySelectorAll('[data-testid=message-assistant]');
    const m = all[all.length - 1];
    const a = m && m.querySelector('[data-testid=answer]');
    return a ? a.textContent : '';
  });
}

async function sendMessage(page, text) {
  await tid(page, 'input').fill(text);
  await tid(page, 'input').press('Enter');
}

// Samples the last answer while the Stop button shows, until the page is idle again.
async function watchStream(page, timeout = 60000) {
  const samples = [];
  let streamed = false;
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    const s = await page.evaluate(() => {
      const all = document.querySelectorAll('[data-testid=message-assistant]');
      const m = all[all.length - 1];
      const a = m && m.querySelector('[data-testid=answer]');
      const stop = document.querySelector('[data-testid=stop]');
      return { text: a ? a.textContent : '', streaming: !!stop && stop.offsetParent !== null };
    });
    if (s.streaming) {
      streamed = true;
      if (s.text) samples.push(s.text);
    } else if (streamed) {
      return { samples, final: await lastAnswer(page) };
    }
    await sleep(15);
  }
  throw new Error(`reply did not finish within ${timeout} ms`);
}

// ---- the test -----------------------------------------------------------------------

async function main() {
  fs.mkdirSync(opts.workdir, { recursive: true });
  const model = path.join(opts.workdir, 'tiny.gguf');
  const scriptPath = path.join(opts.workdir, 'script.json');

  const synthOk = await check('fathom synth writes a tiny gpt-oss', () => {
    execFileSync(opts.fathom, ['synth', '--arch', 'gpt-oss', '--preset', 'tiny', '--type', 'q8_0', '--seed', '1', '--out', model], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 120000,
    });
    assert(fs.existsSync(model), `${model} was not written`);
  });
  if (!synthOk) return;

  fs.writeFileSync(scriptPath, JSON.stringify(SCRIPT, null, 2));
  let base;
  const serverOk = await check('fathom serve starts and prints its address', async () => {
    server = await startServer(opts.fathom, 'server', model, ['--ctx', '512', '--parallel', '2', '--test-script', scriptPath]);
    base = server.base;
    return base;
  });
  if (!serverOk) return;

  let props;
  await check('GET /props answers the contract', async () => {
    const r = await fetch(`${base}/props`);
    assert(r.ok, `status ${r.status}`);
    props = await r.json();
    assert(typeof props.model === 'string' && props.model, 'no model');
    assert(props.n_ctx === 512, `n_ctx ${props.n_ctx}, expected 512 (--ctx 512)`);
    assert(props.reasoning === 'effort', `reasoning "${props.reasoning}", expected "effort" for gpt-oss`);
    return `model ${props.model}, chat_format ${props.chat_format}`;
  });

  await check('page and assets are served with their content types', async () => {
    const r = await fetch(`${base}/`);
    assert(r.ok, `GET / status ${r.status}`);
    assert((r.headers.get('content-type') || '').startsWith('text/html'), `GET / content-type ${r.headers.get('content-type')}`);
    const html = await r.text();
    const assets = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+)"/g)].map((m) => m[1]);
    assert(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), 'index.html names no JS and CSS assets');
    for (const a of assets) {
      const ar = await fetch(`${base}/${a}`);
      assert(ar.ok, `GET /${a} status ${ar.status}`);
      const type = ar.headers.get('content-type') || '';
      const want = a.endsWith('.js') ? /javascript/ : a.endsWith('.css') ? /text\/css/ : /./;
      assert(want.test(type), `GET /${a} content-type "${type}"`);
    }
    return `${assets.length} assets`;
  });

  const browser = await chromium.launch({
    executablePath: opts.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    await runPage(browser, base, props);
  } finally {
    await browser.close();
  }
}

async function runPage(browser, base, props) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);

  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
  const requests = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/v1/chat/completions')) requests.push(r.postDataJSON());
  });

  await page.goto(`${base}/`);

  await check('header shows the model name from /props', async () => {
    await waitUntil(async () => (await tid(page, 'model-name').textContent()) === props?.model, { what: `model name "${props?.model}"` });
    return props.model;
  });

  await check('reasoning effort selector shown (gpt-oss), thinking toggle hidden', async () => {
    const panel = tid(page, 'settings');
    if (!(await panel.evaluate((d) => d.open))) await panel.locator('summary').click();
    assert(await tid(page, 'reasoning-effort').isVisible(), 'no reasoning-effort select');
    assert(!(await tid(page, 'thinking-toggle').isVisible()), 'thinking toggle visible for gpt-oss');
    await tid(page, 'reasoning-effort').selectOption('low');
    await tid(page, 'temperature').fill('0.5');
    await tid(page, 'temperature').dispatchEvent('change');
    await tid(page, 'max-tokens').fill('200');
    await tid(page, 'max-tokens').dispatchEvent('change');
    await tid(page, 'system-prompt').fill('Кратко. Be brief.');
  });

  // -- a Russian question with reasoning, streamed ------------------------------------
  await sendMessage(page, RU_QUESTION);
  let ru = null;
  await check('Russian answer streams in (partial text seen while Stop shows)', async () => {
    ru = await watchStream(page);
    // Real words of the answer, not just the empty list an opening "*" renders as.
    const partial = ru.samples.filter((t) => t.includes('Ответ') && t.length < ru.final.length);
    assert(partial.length > 0, `no partial answer seen (${ru.samples.length} samples)`);
    return `${partial.length} partial answers seen, e.g. ${JSON.stringify(partial[0].slice(0, 30))}`;
  });
  await check('Russian answer final text rendered as markdown with a highlighted code block', async () => {
    const m = page.getByTestId('message-assistant').last();
    const answer = m.getByTestId('answer');
    const text = await answer.textContent();
    assert(text.includes('Ответ: вот пример на Python, ёжик.'), `answer text "${text}"`);
    assert(text.includes('Готово.'), 'answer misses its last line');
    assert((await answer.locator('strong').first().textContent()) === 'Ответ:', 'no <strong>Ответ:</strong>');
    const code = answer.locator('pre code');
    assert((await code.count()) === 1, 'no code block');
    assert((await code.textContent()).includes('print(1)'), 'code block lacks print(1)');
    assert((await code.locator('span[class^="hljs-"]').count()) > 0, 'code block not highlighted');
  });
  await check('user message shown as text', async () => {
    const t = await page.getByTestId('message-user').first().textContent();
    assert(t === RU_QUESTION, `user message "${t}"`);
  });
  await check('reasoning panel collapsed, opens to show the reasoning', async () => {
    const details = page.getByTestId('message-assistant').last().getByTestId('reasoning');
    assert(await details.isVisible(), 'no reasoning panel');
    assert(!(await details.evaluate((d) => d.open)), 'reasoning panel open by default');
    await details.locator('summary').click();
    assert(await details.evaluate((d) => d.open), 'reasoning panel did not open');
    const text = await details.textContent();
    assert(text.includes(RU_REASONING), `reasoning text "${text}"`);
  });
  await check('stats under the reply: tokens/s and token counts', async () => {
    const s = await page.getByTestId('message-assistant').last().getByTestId('stats').textContent();
    assert(/[\d.]+ tok\/s/.test(s), `no tok/s in "${s}"`);
    assert(/prompt \d+/.test(s) && /completion \d+/.test(s), `no token counts in "${s}"`);
    assert(/reasoning [1-9]\d*/.test(s), `no reasoning tokens in "${s}"`);
    return s;
  });
  await check('context usage in the header counts this conversation', async () => {
    const t = await tid(page, 'context-usage').textContent();
    const m = t.match(/([\d,]+) \/ 512/);
    assert(m && Number(m[1].replace(/,/g, '')) > 0, `context usage "${t}"`);
    return t.trim();
  });
  await check('request carried the settings and the reasoning effort', async () => {
    const body = requests[0];
    assert(body, 'no request seen');
    assert(body.stream === true && body.stream_options?.include_usage === true, 'not a streaming request with usage');
    assert(body.reasoning_effort === 'low', `reasoning_effort ${body.reasoning_effort}`);
    assert(body.temperature === 0.5 && body.max_tokens === 200, `temperature ${body.temperature}, max_tokens ${body.max_tokens}`);
    assert(body.messages[0].role === 'system' && body.messages[0].content === 'Кратко. Be brief.', 'no system message');
    assert(body.chat_template_kwargs === undefined, 'thinking kwargs sent to gpt-oss');
  });
  await check('conversation titled after the first message', async () => {
    const t = await page.getByTestId('conversation-item').first().textContent();
    assert(t.includes('Привет! Покажи'), `title "${t}"`);
  });

  // -- an English follow-up in the same conversation -----------------------------------
  await sendMessage(page, EN_QUESTION);
  await check('English follow-up answered in the same conversation', async () => {
    const r = await watchStream(page);
    assert(r.final.includes('Sure: the print function writes a line'), `answer "${r.final}"`);
    assert((await page.getByTestId('message-assistant').count()) === 2, 'expected two replies');
    const body = requests[requests.length - 1];
    const roles = body.messages.map((m) => m.role).join(',');
    assert(roles === 'system,user,assistant,user', `history roles ${roles}`);
    assert(body.messages[2].content === RU_ANSWER, 'previous answer not sent back verbatim');
    assert(!JSON.stringify(body.messages).includes(RU_REASONING), 'reasoning was sent back');
  });
  await check('Regenerate only on the last reply, and it re-sends without that reply', async () => {
    const replies = page.getByTestId('message-assistant');
    assert(!(await replies.first().getByTestId('regenerate').isVisible()), 'regenerate on an older reply');
    const n = requests.length;
    await replies.last().getByTestId('regenerate').click();
    const r = await watchStream(page);
    assert(requests.length === n + 1, 'no request sent');
    const roles = requests[n].messages.map((m) => m.role).join(',');
    assert(roles === 'system,user,assistant,user', `history roles ${roles}`);
    assert(r.final.includes('Sure: the print function'), `answer "${r.final}"`);
    assert((await replies.count()) === 2, 'reply count changed');
  });
  await check('Copy puts the answer text on the clipboard', async () => {
    await page.getByTestId('message-assistant').last().getByTestId('copy').click();
    const clip = await waitUntil(async () => {
      const t = await page.evaluate(() => navigator.clipboard.readText().catch(() => ''));
      return t === EN_ANSWER ? t : null;
    }, { timeout: 5000, what: 'clipboard text' });
    return `${clip.length} chars`;
  });

  // -- stopping a long generation -----------------------------------------------------
  await tid(page, 'new-chat').click();
  await sendMessage(page, LONG_QUESTION);
  await check('Stop ends a long generation and keeps the partial text', async () => {
    await waitUntil(async () => (await lastAnswer(page)).length >= 10, { what: 'some streamed text' });
    await tid(page, 'stop').click();
    await waitUntil(() => isIdle(page), { timeout: 5000, what: 'the page to go idle' });
    const before = await lastAnswer(page);
    await sleep(700);
    const after = await lastAnswer(page);
    assert(after === before, 'text kept growing after Stop');
    assert(after.length > 0 && after.length < LONG_ANSWER.length, `partial length ${after.length} of ${LONG_ANSWER.length}`);
    assert(LONG_ANSWER.startsWith(after.trim()), `partial "${after}" is not a prefix of the script`);
    const stats = await page.getByTestId('message-assistant').last().getByTestId('stats').textContent();
    assert(/stopped/.test(stats), `reply not marked stopped: "${stats}"`);
    assert(await tid(page, 'input').isEditable(), 'input not editable');
    return `${after.length} of ${LONG_ANSWER.length} chars kept`;
  });

  await check('server cancels the generation the page stopped', async () => {
    const r = await fetch(`${base}/metrics`);
    if (r.status === 404) return 'skipped: no /metrics';
    const value = (text, name) => Number((text.match(new RegExp(`^${name} (\\S+)`, 'm')) || [])[1]);
    const text = await waitUntil(async () => {
      const t = await (await fetch(`${base}/metrics`)).text();
      return value(t, 'fathom_slots_busy') === 0 ? t : null;
    }, { timeout: 5000, what: 'no busy slot' });
    const cancelled = value(text, 'fathom_requests_cancelled_total');
    assert(cancelled >= 1, `fathom_requests_cancelled_total ${cancelled}`);
    return `cancelled ${cancelled}, generated ${value(text, 'fathom_generated_tokens_total')} tokens in all`;
  });

  // -- hostile markup in the answer ---------------------------------------------------
  await tid(page, 'new-chat').click();
  await sendMessage(page, XSS_QUESTION);
  await check('hostile HTML in an answer is neutralised', async () => {
    const r = await watchStream(page);
    assert(r.final.includes('Careful:'), `answer "${r.final}"`);
    const answer = page.getByTestId('message-assistant').last().getByTestId('answer');
    assert((await answer.locator('script').count()) === 0, '<script> in the answer DOM');
    assert((await answer.locator('[onerror], [onclick], [onload]').count()) === 0, 'event handler attribute in the answer DOM');
    const link = answer.locator('a', { hasText: 'link' });
    assert((await link.count()) === 1, 'link text missing');
    const href = (await link.getAttribute('href')) || '';
    assert(!/^\s*javascript:/i.test(href), `href "${href}"`);
    await link.click();
    await sleep(500);
    const pwned = await page.evaluate(() => window.__pwned);
    assert(pwned === undefined, `window.__pwned = ${pwned}`);
    assert(page.url().startsWith(base), `page navigated to ${page.url()}`);
  });

  // -- a message longer than the context ------------------------------------------------
  await tid(page, 'new-chat').click();
  await sendMessage(page, TOO_LONG);
  await check('a message over the context shows a visible error', async () => {
    const err = page.getByTestId('message-assistant').last().getByTestId('error');
    await err.waitFor({ state: 'visible', timeout: 20000 });
    const t = await err.textContent();
    assert(t.trim().length > 0, 'empty error');
    await waitUntil(() => isIdle(page), { timeout: 5000, what: 'the page to go idle' });
    return t.trim().slice(0, 120);
  });

  // -- conversations: persistence, rename, delete ---------------------------------------
  await check('conversations survive a reload', async () => {
    const n = await page.getByTestId('conversation-item').count();
    await page.reload();
    await waitUntil(async () => (await page.getByTestId('conversation-item').count()) === n, { what: `${n} conversations after reload` });
    return `${n} conversations`;
  });
  await check('rename and delete a conversation', async () => {
    const items = page.getByTestId('conversation-item');
    const n = await items.count();
    const item = items.first();
    await item.hover();
    await item.getByTestId('rename').click();
    await item.getByTestId('rename-input').fill('Переименовано');
    await item.getByTestId('rename-input').press('Enter');
    await waitUntil(async () => (await items.first().textContent()).includes('Переименовано'), { what: 'the new title' });
    await items.first().hover();
    await items.first().getByTestId('delete').click();
    await items.first().getByTestId('delete').click();
    await waitUntil(async () => (await items.count()) === n - 1, { what: 'one conversation fewer' });
  });
  await check('selecting a conversation shows its messages', async () => {
    const item = page.getByTestId('conversation-item').filter({ hasText: 'Привет! Покажи' });
    await item.getByTestId('conversation-title').click();
    await waitUntil(async () => (await page.getByTestId('message-user').count()) === 2, { what: 'two user messages' });
  });

  await page.screenshot({ path: path.join(opts.workdir, 'desktop.png') });

  // -- phone width ------------------------------------------------------------------------
  await check('phone width: sidebar hides behind its button, nothing overflows', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await sleep(300);
    assert(await tid(page, 'sidebar-toggle').isVisible(), 'no sidebar toggle');
    assert(!(await tid(page, 'new-chat').isVisible()) || !(await inViewport(page, 'new-chat')), 'sidebar still shown');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, `page is ${overflow}px wider than the screen`);
    assert(await tid(page, 'input').isVisible() && (await tid(page, 'send').isVisible()), 'composer hidden');
    await page.screenshot({ path: path.join(opts.workdir, 'phone.png') });
    await tid(page, 'sidebar-toggle').click();
    await sleep(400);
    assert(await inViewport(page, 'new-chat'), 'sidebar did not open');
    await page.screenshot({ path: path.join(opts.workdir, 'phone-sidebar.png') });
    await page.getByTestId('conversation-item').first().getByTestId('conversation-title').click();
    await sleep(400);
    assert(!(await inViewport(page, 'new-chat')), 'sidebar did not close after choosing a conversation');
  });

  await check('no console errors (besides the deliberate 400)', async () => {
    const unexpected = consoleErrors.filter((t) => !/Failed to load resource: the server responded with a status of 400/.test(t));
    assert(unexpected.length === 0, unexpected.join(' | '));
    return `${consoleErrors.length} expected`;
  });

  await context.close();
}

async function inViewport(page, id) {
  return page.getByTestId(id).evaluate((el) => {
    const r = el.getBoundingClientRect();
    const visible = getComputedStyle(el).visibility !== 'hidden' && r.width > 0 && r.height > 0;
    return visible && r.right > 0 && r.left < window.innerWidth;
  });
}

try {
  await main();
} catch (err) {
  report(false, 'test run', err && err.stack ? err.stack : String(err));
} finally {
  if (server) await stopServer(server).catch(() => {});
}
if (anyFailed() && serverLog()) {
  console.log('--- server log (tail) ---');
  console.log(serverLog().slice(-3000));
}
finish();

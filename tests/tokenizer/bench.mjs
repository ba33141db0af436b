// js-tiktoken's o200k_harmony encode throughput on the files bench.sh prepares, timed
// as fathom_tokenizer_bench times fathom: first pass and best of the next four.
import { readFileSync } from "node:fs";
import { Tiktoken } from "js-tiktoken/lite";
import o200k_base from "js-tiktoken/ranks/o200k_base";
import { harmonySpecials } from "./harmony.mjs";

const enc = new Tiktoken(o200k_base, harmonySpecials());
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  const bytes = Buffer.byteLength(text, "utf8");
  let first = 0, best = Infinity, tokens = 0;
  for (let run = 0; run < 5; ++run) {
    const t0 = process.hrtime.bigint();
    tokens = enc.encode(text).length;
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (run === 0) first = s;
    else best = Math.min(best, s);
  }
  const mbs = (s) => (bytes / s / 1e6).toFixed(2).padStart(6);
  console.log(`js-tiktoken o200k ${file.padEnd(28)} ${String(bytes).padStart(8)} bytes ${String(tokens).padStart(7)} tokens  first ${mbs(first)} MB/s  best ${mbs(best)} MB/s`);
}

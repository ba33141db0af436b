#!/usr/bin/env bash
# `fathom chat` driven from stdin on tiny random models: it must answer every line and
# exit 0 at the end of input. A random model writes gibberish, so only the structure is
# checked: one stats line per turn, later turns reuse the cache, bad flags are refused.
source "$(dirname "$0")/../lib/cli_check.sh"

for arch in gpt-oss qwen3; do
  model="$work/tiny-$arch.gguf"
  "$fathom" synth --arch "$arch" --preset tiny --seed 3 --out "$model" >/dev/null 2>&1 || { bad "synth $arch"; continue; }
  printf 'Hello there!\n\nПривет, как дела?\nOne more question.\n' |
    "$fathom" chat "$model" --system "Be brief." -n 12 --temp 0.7 --seed 5 --threads 2 --show-reasoning \
      >"$work/$arch.out" 2>"$work/$arch.err"
  code=$?
  turns=$(grep -c '^\[.*tokens/s; prompt .* tokens (.* cached)' "$work/$arch.err")
  if [ "$code" -eq 0 ] && [ "$turns" -eq 3 ]; then ok; else bad "$arch: exit $code, $turns stats lines (want 3): $(head -c 300 "$work/$arch.err")"; fi
  # Turns 2 and 3 extend the conversation: part of the prompt comes from the cache.
  reused=$(grep -o '([0-9]* cached)' "$work/$arch.err" | tr -dc '0-9\n' | tail -n 2 | awk '$1 > 0' | wc -l)
  if [ "$reused" -eq 2 ]; then ok; else bad "$arch: later turns reused no cache: $(cat "$work/$arch.err")"; fi
  # The replies are valid UTF-8 whatever the model wrote (deltas never split a character).
  if iconv -f UTF-8 -t UTF-8 "$work/$arch.out" >/dev/null 2>&1; then ok; else bad "$arch: output is not valid UTF-8"; fi
done

# Options that belong to the other family are refused with one line and exit 2.
err=$(echo hi | "$fathom" chat "$work/tiny-gpt-oss.gguf" --no-think 2>&1 >/dev/null); code=$?
if [ "$code" -eq 2 ] && [[ "$err" == *"--reasoning"* ]]; then ok; else bad "--no-think on gpt-oss: exit $code: $err"; fi
err=$(echo hi | "$fathom" chat "$work/tiny-qwen3.gguf" --reasoning high 2>&1 >/dev/null); code=$?
if [ "$code" -eq 2 ] && [[ "$err" == *"--think"* ]]; then ok; else bad "--reasoning on qwen3: exit $code: $err"; fi
# A conversation longer than the context is an error, not a crash.
err=$(echo hi | "$fathom" chat "$work/tiny-qwen3.gguf" --ctx 8 2>&1 >/dev/null); code=$?
if [ "$code" -eq 2 ] && [[ "$err" == *"--ctx"* ]]; then ok; else bad "tiny context: exit $code: $err"; fi
# Empty input: nothing to answer, a clean exit.
if "$fathom" chat "$work/tiny-qwen3.gguf" </dev/null >/dev/null 2>&1; then ok; else bad "empty input"; fi

finish

#!/usr/bin/env bash
# fathom run end to end on a tiny synthetic model: text prompts, stop strings, seeds.
source "$(dirname "$0")/../lib/cli_check.sh"

"$fathom" synth --arch qwen3 --preset tiny --seed 3 --out "$work/q.gguf" 2>/dev/null

full=$("$fathom" run "$work/q.gguf" -p "The quick brown" -n 24 --temp 0 2>/dev/null)
check "text prompt streams text" test -n "$full"

# A stop string taken from the middle of the greedy output: the output with it is
# exactly the text before its first occurrence.
stop=${full:6:3}
cut=$("$fathom" run "$work/q.gguf" -p "The quick brown" -n 24 --temp 0 --stop "$stop" 2>/dev/null)
expected=${full%%"$stop"*}
check "stop string cuts before itself" test "$cut" == "$expected"

# Synthetic logits are peaked (up to ~150 nats between the top two), so a very high temperature with no truncation
# is what makes sampling visibly random.
a=$("$fathom" run "$work/q.gguf" --tokens 1,2,3 -n 16 --temp 300 --top-k 0 --top-p 1 --min-p 0 --seed 42 2>/dev/null)
b=$("$fathom" run "$work/q.gguf" --tokens 1,2,3 -n 16 --temp 300 --top-k 0 --top-p 1 --min-p 0 --seed 42 2>/dev/null)
c=$("$fathom" run "$work/q.gguf" --tokens 1,2,3 -n 16 --temp 300 --top-k 0 --top-p 1 --min-p 0 --seed 43 2>/dev/null)
check "same seed, same output" test "$a" == "$b"
check "another seed, another output" test "$a" != "$c"

stats=$("$fathom" run "$work/q.gguf" --tokens 1,2,3 -n 4 --temp 0 2>&1 >/dev/null)
check "tokens/s on stderr" grep -q "prefill:.*tokens/s" <<<"$stats"

finish

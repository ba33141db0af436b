#!/usr/bin/env bash
# Runs fuzz targets: first every checked-in regression input (fuzz/regressions/TARGET/,
# each a crash once found; they must all pass now), then each target for SECONDS from
# its seeds and what earlier runs found (BUILD/corpus/TARGET). A crash fails the run and
# leaves its input in BUILD/crashes/TARGET/ to be checked in as a regression.
#   bash fuzz/run.sh BUILD SECONDS TARGET...
set -euo pipefail
build="$1"
seconds="$2"
shift 2
here="$(cd "$(dirname "$0")" && pwd)"
for t in "$@"; do
  bin="$build/bin/fuzz_$t"
  regressions="$here/regressions/$t"
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    "$bin" "$regressions"/* >/dev/null 2>&1 || { echo "fuzz $t: a regression input fails again"; "$bin" "$regressions"/*; exit 1; }
  fi
  corpus="$build/corpus/$t"
  crashes="$build/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$crashes/" "$corpus" "$build/seeds/$t" >"$build/fuzz_$t.log" 2>&1; then
    echo "fuzz $t: FAILED, input in $crashes/ (log: $build/fuzz_$t.log)"
    tail -30 "$build/fuzz_$t.log"
    exit 1
  fi
  echo "fuzz $t: $(grep -Eo '#[0-9]+' "$build/fuzz_$t.log" | tail -1 | tr -d '#') runs in ${seconds}s, no crash"
done

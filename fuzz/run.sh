#!/usr/bin/env bash
# Runs fuzz targets: first every checked-in regression input (fuzz/regressions/TARGET/,
# each a crash once found; they must all pass now), then each target for SECONDS from
# its seeds and what earlier runs found (BUILD/corpus/TARGET), as many at once as there
# are cores. A crash fails the run and leaves its input in BUILD/crashes/TARGET/, to be
# checked in as a regression once fixed.
#   bash fuzz/run.sh BUILD SECONDS TARGET...
set -uo pipefail
build="$1"
seconds="$2"
shift 2
here="$(cd "$(dirname "$0")" && pwd)"

fuzz_one() {
  local t="$1" bin="$build/bin/fuzz_$1"
  local regressions="$here/regressions/$t" corpus="$build/corpus/$t" crashes="$build/crashes/$t"
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    if ! "$bin" "$regressions"/* >"$build/regressions_$t.log" 2>&1; then
      echo "fuzz $t: a checked-in regression input fails again (log: $build/regressions_$t.log)"
      tail -30 "$build/regressions_$t.log"
      return 1
    fi
  fi
  mkdir -p "$corpus" "$crashes"
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$crashes/" "$corpus" "$build/seeds/$t" >"$build/fuzz_$t.log" 2>&1; then
    echo "fuzz $t: FAILED, input in $crashes/ (log: $build/fuzz_$t.log)"
    tail -30 "$build/fuzz_$t.log"
    return 1
  fi
  echo "fuzz $t: $(grep -Eo '^#[0-9]+' "$build/fuzz_$t.log" | tail -1 | tr -d '#') runs in ${seconds} s, no crash"
}

# Each target runs in the background; a failure leaves a mark the end looks for.
marks="$build/failed"
rm -rf "$marks"
mkdir -p "$marks"
for t in "$@"; do
  { fuzz_one "$t" || touch "$marks/$t"; } &
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do sleep 0.2; done
done
wait
[ -z "$(ls -A "$marks")" ]

# Shared by the CLI test scripts: `source` it with the fathom binary and a work folder
# as $1 and $2. It counts checks and ends with the plain "N passed, M failed" line.
set -u
fathom="$1"
work="$2"
mkdir -p "$work"
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

check() {  # check NAME COMMAND...: passes when the command succeeds
  local name="$1"
  shift
  if "$@"; then ok; else bad "$name"; fi
}

bad_input() {  # bad_input NAME ARGS...: `fathom ARGS...` fails with one line on stderr and exit 2
  local name="$1"
  shift
  local err rc
  err=$("$fathom" "$@" 2>&1 >/dev/null)
  rc=$?
  check "$name: exit 2" test "$rc" -eq 2
  check "$name: one line" test "$(wc -l <<<"$err")" -eq 1
}

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}

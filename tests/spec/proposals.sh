#!/usr/bin/env bash
# Proposals after WebAssembly 3.0. Those weld does not implement: every command that
# needs one must be skipped with that proposal's name as the reason, never failed and
# never skipped for another reason (docs/proposals.md). The one it implements, threads
# (shared memories and atomics), must run: its scripts pass in every tier.
#
#   tests/spec/proposals.sh WELD [SUITE3]
#
# Checks, each a pass or a failure:
#   - every tests/spec/proposals/*.wast: its `;; expect: N passed, 0 failed, K skipped`
#     line is what `weld wast` prints, and every skip is "needs <the `;; proposal:` line>";
#   - every script of SUITE3/proposals/DIR (the proposals' own scripts) and SUITE3/custom:
#     0 failed apart from tests/spec/proposals.known-failures, every such command still
#     failing, and every skip "needs <DIR's proposal>";
#   - threads: SUITE3/proposals/threads/*.wast (as above, with no skip at all) and
#     tests/spec/threads/*.wast (their `;; expect:` line), each in the interpreter, the
#     baseline compiler (`--tier baseline`) and the auto tier compiling at the first call
#     (`--tier auto --tier-up-threshold 0`): three checks per script.
# Prints a line per failed check and ends with `N passed, M failed`.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
weld="${1:?usage: tests/spec/proposals.sh WELD [SUITE3]}"
suite3="${2:-$root/../shared/testsuite/wasm-3.0}"
known="$root/tests/spec/proposals.known-failures"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

bad() { echo "FAIL $*"; failed=$((failed + 1)); }

# check NAME WAST PROPOSAL EXPECT [WELD-WAST-OPTIONS...]: runs one script and checks its
# verdicts. PROPOSAL "" (an implemented one): no command may be skipped.
check() {
  local label=$1 wast=$2 proposal=$3 expect=$4
  shift 4
  local name log result ok=1
  name="$(basename "$wast" .wast)"
  log="$tmp/log"
  [ $# -gt 0 ] && label="$label ($*)"
  result="$("$weld" wast --standard 3.0 "$@" --name "$name" --log "$log" "$wast" 2>"$tmp/err")"
  local rc=$?
  if [ $rc -gt 1 ]; then bad "$label: weld wast exited with status $rc: $(head -3 "$tmp/err")"; return; fi
  # skips: only for this proposal
  while read -r reason; do
    if [ -z "$proposal" ]; then bad "$label: skipped for \"$reason\" (threads is implemented)"; ok=0; continue; fi
    [ "$reason" = "needs $proposal" ] || { bad "$label: skipped for \"$reason\", expected \"needs $proposal\""; ok=0; }
  done < <(sed -n 's/^SKIP [^:]*: \(.*\): [0-9]*$/\1/p' "$log")
  if [ -n "$expect" ]; then
    [ "$result" = "$name: $expect" ] || { bad "$label: got \"$result\", expected \"$expect\""; ok=0; }
  else
    # failures: only those listed, and each listed one must still fail
    local rel=${label#proposals/}
    rel=${rel%% (*}
    while read -r line; do
      grep -q "^$rel:$line " "$known" 2>/dev/null || { bad "$label: $(grep "^FAIL [^:]*:$line:" "$log" | head -1)"; ok=0; }
    done < <(sed -n 's/^FAIL [^:]*:\([0-9]*\):.*/\1/p' "$log")
    while read -r line; do
      grep -q "^FAIL [^:]*:$line:" "$log" || { bad "$label:$line is listed in $known but no longer fails"; ok=0; }
    done < <(sed -n "s|^$rel:\([0-9]*\) .*|\1|p" "$known")
  fi
  [ $ok = 1 ] && passed=$((passed + 1))
}

for w in "$root"/tests/spec/proposals/*.wast; do
  proposal="$(sed -n '1s/^;; proposal: //p' "$w")"
  expect="$(sed -n '2s/^;; expect: //p' "$w")"
  if [ -z "$proposal" ] || [ -z "$expect" ]; then bad "$w: no ';; proposal:' and ';; expect:' lines"; continue; fi
  check "tests/spec/proposals/$(basename "$w")" "$w" "$proposal" "$expect"
done

if [ -d "$suite3/proposals" ]; then
  for dir in "$suite3"/proposals/*/ "$suite3"/custom/; do
    d="$(basename "$dir")"
    case "$d" in
      threads) continue ;;   # implemented: below
      custom-page-sizes) proposal="custom page sizes" ;;
      wide-arithmetic) proposal="wide arithmetic" ;;
      custom-descriptors) proposal="custom descriptors" ;;
      stack-switching) proposal="stack switching" ;;
      custom) proposal=annotations ;;   # custom sections written as annotations
      *) bad "proposals/$d: no proposal name known for this folder (add it to $0)"; continue ;;
    esac
    for w in "$dir"*.wast; do check "proposals/$d/$(basename "$w")" "$w" "$proposal" ""; done
  done
else
  bad "$suite3/proposals: not found"
fi

# threads, implemented: the proposal's scripts and weld's own, in three tiers
tiers=("--tier interp" "--tier baseline" "--tier auto --tier-up-threshold 0")
for t in "${tiers[@]}"; do
  # shellcheck disable=SC2086 # $t is the options, split on purpose
  for w in "$suite3"/proposals/threads/*.wast; do
    [ -f "$w" ] || { bad "$suite3/proposals/threads: no scripts"; break; }
    check "proposals/threads/$(basename "$w")" "$w" "" "" $t
  done
  for w in "$root"/tests/spec/threads/*.wast; do
    expect="$(sed -n '1s/^;; expect: //p' "$w")"
    [ -n "$expect" ] || { bad "$w: no ';; expect:' line"; continue; }
    # shellcheck disable=SC2086
    check "tests/spec/threads/$(basename "$w")" "$w" "" "$expect" $t
  done
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

#!/usr/bin/env bash
# Cross-checks the two ways of running a conformance suite: `weld wast` (weld's own
# script reader) and wast2json + weld_spec (the reference converter). For each script
# both must find the same number of commands, neither may fail a command, and `weld
# wast` must pass at least every command the converted script passes (it also runs the
# text modules the converted path skips).
#
#   tests/spec/crosscheck.sh SUITE_DIR
#
# Environment: WELD (build/weld), WELD_SPEC_DRIVER (build/weld_spec), JOBS;
# SPEC_NO_SKIPS=1 also requires `weld wast` to skip nothing (a complete suite, e.g. 2.0).
# Prints one line per disagreeing script and `N passed, M failed` last (one test per
# script).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -eq 1 ] && [ -d "$1" ] || { echo "usage: tests/spec/crosscheck.sh SUITE_DIR" >&2; exit 2; }
suite="$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
SPEC_MODE=wast "$root/tests/spec/run.sh" "$suite" >"$tmp/wast" 2>&1
SPEC_MODE=wast2json "$root/tests/spec/run.sh" "$suite" >"$tmp/json" 2>&1
counts() { sed -nE 's/^([^ :]+): ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3 \4/p' "$1" | LC_ALL=C sort; }
counts "$tmp/wast" >"$tmp/w"
counts "$tmp/json" >"$tmp/j"
p=0 f=0
while read -r name wp wf ws jp jf js; do
  if [ "$wf" -eq 0 ] && [ "$jf" -eq 0 ] && [ $((wp + ws)) -eq $((jp + js)) ] && [ "$wp" -ge "$jp" ] &&
     { [ "${SPEC_NO_SKIPS:-0}" != 1 ] || [ "$ws" -eq 0 ]; }; then
    p=$((p + 1))
  else
    f=$((f + 1))
    echo "DISAGREE $name: weld wast $wp passed, $wf failed, $ws skipped; wast2json $jp passed, $jf failed, $js skipped"
  fi
done < <(join "$tmp/w" "$tmp/j")
nw=$(wc -l <"$tmp/w") nj=$(wc -l <"$tmp/j")
if [ "$nw" -ne "$nj" ] || [ "$nw" -eq 0 ]; then
  echo "DISAGREE: $nw scripts ran natively, $nj converted"
  f=$((f + 1))
fi
echo "weld wast: $(tail -n 1 "$tmp/wast")"
echo "wast2json: $(tail -n 1 "$tmp/json")"
echo "$p passed, $f failed"
[ "$f" -eq 0 ]

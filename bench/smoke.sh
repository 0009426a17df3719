#!/usr/bin/env bash
# The benchmark suite's smoke check for `make test`: builds every kernel (native, wasm32,
# wasm32-wasi) and runs each once on a tiny input under every runtime that is available,
# checking each answer against the native build. Times are not looked at. One test per
# benchmark and runtime; the last line is `N passed, M failed, K skipped`.
#   bench/smoke.sh [WELD]
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${BENCH_SMOKE_DIR:-$root/build/bench-smoke}"
WELD="${1:-${WELD:-$root/build/weld}}" BENCH_DIR="$dir" BENCH_QUICK=1 BENCH_SETUP=0 BENCH_REF=0 \
  "$root/bench/run.sh"
rc=$?
samples="$dir/samples.tsv"
if [ ! -s "$samples" ]; then
  echo "bench smoke: the runner wrote no samples (exit status $rc)"
  echo "0 passed, 1 failed"
  exit 1
fi
# a (benchmark, runtime) pair passes when all its runs gave the native answer
awk -F'\t' -v rc="$rc" -v cf="$dir/smoke-counts" 'NR > 1 {
    key = $1 "\t" $3
    if ($7 == "skip") { skip[$1] = 1; next }
    seen[key] = 1
    if ($8 != "1") bad[key] = 1
  }
  END {
    p = 0; f = 0; s = 0
    for (k in seen) { if (k in bad) { f++; print "FAIL " k } else p++ }
    for (k in skip) s++
    if (rc != 0 && f == 0) { f = 1; print "FAIL runner exit status " rc }
    printf "%d %d %d\n", p, f, s >cf
  }' "$samples"
read -r p f s <"$dir/smoke-counts"
# the measuring tool's terminal mode (the first-output tables): the times to the first byte
# and to the second line are measured, the second line cannot come before the pause
# between the two lines, and a one-line output has no second line
measure="$dir/tools/measure"
check() {
  if eval "$2"; then p=$((p + 1)); else f=$((f + 1)); echo "FAIL bench tools: $1 ($res)"; fi
}
res="$("$measure" -t -o /dev/null -- sh -c 'printf "a\n"; sleep 0.2; printf "b\n"' 2>&1)"
read -r _ _ st first second <<<"$res"
check "two lines: status 0, first byte, then the second line after the pause" \
  '[ "$st" = 0 ] && awk -v a="$first" -v b="$second" "BEGIN { exit !(a >= 0 && b - a >= 190) }"'
res="$("$measure" -t -o /dev/null -- sh -c 'printf "only\n"' 2>&1)"
read -r _ _ st first second <<<"$res"
check "one line: no second line" '[ "$st" = 0 ] && [ "$second" = -1.000 ] && awk -v a="$first" "BEGIN { exit !(a >= 0) }"'
# the start-up comparer: medians per command, the ratio to the first, a failing command
# reported and the exit status 1
alt="$dir/tools/alternate"
res="$("$alt" 3 /bin/true '/bin/sleep 0.05' 2>&1)"
check "alternate: true, then a 50 ms sleep at a ratio above 1" \
  'awk "NR == 1 { ok = \$1 > 0 && \$5 == 1 } NR == 2 { ok = ok && \$1 >= 50000 && \$5 > 1 } END { exit !ok }" <<<"$res"'
res="$("$alt" 2 '/bin/sh -c false' 2>&1)"; rc=$?
check "alternate: a command that fails is reported" '[ "$rc" = 1 ] && grep -q "(exit 1)" <<<"$res"'
echo "$p passed, $f failed, $s skipped"

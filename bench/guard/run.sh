#!/usr/bin/env bash
# Guard benchmarks: (1) how long after a 100 ms deadline an infinite loop is stopped,
# over RUNS runs; (2) fuel-metering overhead on compute kernels, weld with and without
# --fuel, min of REPS runs each, reported as a ratio.
#
#   bench/guard/run.sh [WELD]        (default: build/weld; RUNS=20 REPS=5 by default)
#
# The deadline latency is the run's wall time from the usage report (which starts when
# the deadline is armed) minus the 100 ms; process start-up is not in it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
weld="${1:-$root/build/weld}"
runs="${RUNS:-20}" reps="${REPS:-5}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== deadline latency: --timeout 100ms on an infinite loop, $runs runs"
lat=()
for _ in $(seq "$runs"); do
  "$weld" run --timeout 100ms --report "$tmp/r.json" "$here/loop.wat" 2>"$tmp/err" || true
  grep -qx 'weld: trap: deadline exceeded' "$tmp/err" || { echo "unexpected: $(cat "$tmp/err")"; exit 1; }
  wall=$(sed -n 's/.*"wall_ns": \([0-9]*\).*/\1/p' "$tmp/r.json")
  lat+=($(( (wall - 100000000) / 1000 )))
done
printf '%s\n' "${lat[@]}" | sort -n >"$tmp/lat"
n=$(wc -l <"$tmp/lat")
pick() { sed -n "$1p" "$tmp/lat"; }
echo "latency after the deadline (us): min $(pick 1)  median $(pick $(( (n + 1) / 2 )))  p90 $(pick $(( (n * 9 + 9) / 10 )))  max $(pick "$n")"
echo "all (us): $(tr '\n' ' ' <"$tmp/lat")"

echo
echo "== fuel overhead: min of $reps runs, weld --fuel vs plain"
kernels=(fib:30 sieve:20 matmul:12 crc32:40)
now() { date +%s%N; }
best() { # best wall time in ns of: weld ARGS...
  local b=0 t0 t1 d
  for _ in $(seq "$reps"); do
    t0=$(now); "$weld" "$@" >/dev/null; t1=$(now)
    d=$((t1 - t0))
    if [ "$b" -eq 0 ] || [ "$d" -lt "$b" ]; then b=$d; fi
  done
  echo "$b"
}
printf '%-8s %10s %10s %8s\n' kernel "plain ms" "fuel ms" ratio
for kv in "${kernels[@]}"; do
  k=${kv%%:*} arg=${kv#*:}
  clang --target=wasm32 -O2 -mbulk-memory -nostdlib -Wl,--no-entry -Wl,--export=run -DKERNEL_"$k" \
    -o "$tmp/$k.wasm" "$here/kernels.c"
  a=$(best run --invoke run "$tmp/$k.wasm" "$arg")
  b=$(best run --fuel 18000000000000000000 --invoke run "$tmp/$k.wasm" "$arg")
  r1=$("$weld" run --invoke run "$tmp/$k.wasm" "$arg")
  r2=$("$weld" run --fuel 18000000000000000000 --invoke run "$tmp/$k.wasm" "$arg")
  [ "$r1" = "$r2" ] || { echo "$k: results differ ($r1 vs $r2)"; exit 1; }
  awk -v k="$k" -v a="$a" -v b="$b" 'BEGIN { printf "%-8s %10.1f %10.1f %8.3f\n", k, a/1e6, b/1e6, b/a }'
done

#!/usr/bin/env bash
# The SIMD kernels (kernels.c built with -msimd128) in the interpreter and in the baseline
# tier: seconds per tier and the interp/baseline ratio per kernel.
#
#   bench/simd/tiers.sh [WELD_BINARY]        (default: build/weld)
#
# Each time is the process's wall time with REPS repetitions minus the same with 0 (so
# decoding, compiling and init() cancel out), the median of RUNS (default 3). The code
# cache is off (--no-cache): a cached entry of another build would be measured instead.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
weld="${1:-$root/build/weld}"
out="${WELD_BENCH_OUT:-$root/build/bench-simd}"
mkdir -p "$out"
clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -msimd128 "$here/kernels.c" -o "$out/simd.wasm"

now() { date +%s.%N; }
weld_time() { # tier kernel reps
  local t0 t1 t2
  t0=$(now); "$weld" run --no-cache --tier "$1" --invoke "$2" "$out/simd.wasm" 0 >/dev/null; t1=$(now)
  "$weld" run --no-cache --tier "$1" --invoke "$2" "$out/simd.wasm" "$3" >/dev/null; t2=$(now)
  echo "($t2 - $t1) - ($t1 - $t0)" | bc -l
}
median() { printf '%s\n' "$@" | LC_ALL=C sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
runs="${RUNS:-3}"
med() { local ts=() i; for ((i = 0; i < runs; i++)); do ts+=("$("$@")"); done; median "${ts[@]}"; }

# long enough that the compiled runs take a few tenths of a second
declare -A reps=([dot]=150000 [matmul]=1500 [bytecount]=1500 [blur]=1500 [bytecount_i]=3000 [blur_i]=1500)
printf "%-12s %8s %10s %10s %8s\n" kernel reps interp baseline ratio
for k in dot matmul bytecount blur bytecount_i blur_i; do
  n=${reps[$k]}
  i=$(med weld_time interp $k $n)
  b=$(med weld_time baseline $k $n)
  printf "%-12s %8d %10.4f %10.4f %7.2fx\n" $k $n "$i" "$b" "$(echo "$i / $b" | bc -l)"
done

#!/usr/bin/env bash
# SIMD speed-ups: each kernel of kernels.c compiled for wasm32 with and without
# -msimd128 (and natively with and without auto-vectorization), run under weld, Node and
# natively; prints seconds per configuration and the scalar/SIMD ratio per engine.
#
#   bench/simd/run.sh [WELD_BINARY]        (default: build/weld)
#
# RUNS (default 3) runs of each configuration; the median time is reported. The `_i`
# kernels are hand-vectorized with wasm_simd128.h intrinsics (kernels.c) and compared with
# the scalar build of the same export (the plain kernel).
#
# weld's time is the process's wall time with REPS minus the same with 0 reps (so
# decoding, compiling and init() cancel out); Node's and native times are of the call.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
weld="${1:-$root/build/weld}"
out="${WELD_BENCH_OUT:-$root/build/bench-simd}"
mkdir -p "$out"

W=(clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry)
"${W[@]}" -msimd128 "$here/kernels.c" -o "$out/simd.wasm"
"${W[@]}" "$here/kernels.c" -o "$out/scalar.wasm"
clang -O2 "$here/kernels.c" -o "$out/native_simd"
clang -O2 -fno-vectorize -fno-slp-vectorize "$here/kernels.c" -o "$out/native_scalar"

now() { date +%s.%N; }
weld_time() { # wasm kernel reps
  local t0 t1 t2 t3
  t0=$(now); "$weld" run --invoke "$2" "$1" 0 >/dev/null; t1=$(now)
  "$weld" run --invoke "$2" "$1" "$3" >/dev/null; t2=$(now)
  echo "($t2 - $t1) - ($t1 - $t0)" | bc -l
}

median() { printf '%s\n' "$@" | LC_ALL=C sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
runs="${RUNS:-3}"
# median over RUNS of a command printing seconds
med() { local ts=() i; for ((i = 0; i < runs; i++)); do ts+=("$("$@")"); done; median "${ts[@]}"; }
node_time() { node "$here/run_node.js" "$@" | cut -d' ' -f2; }
nat_time() { "$@" | cut -d' ' -f2; }

# reps per kernel: long enough that the interpreter's scalar build runs about half a
# second (shorter runs drown in process start-up noise)
declare -A reps=([dot]=30000 [matmul]=300 [bytecount]=300 [blur]=300 [bytecount_i]=300 [blur_i]=300)
printf "%-10s %10s %10s %8s | %10s %10s %8s | %10s %10s %8s\n" kernel weld-scal weld-simd speedup \
  node-scal node-simd speedup nat-scal nat-simd speedup
for k in dot matmul bytecount blur bytecount_i blur_i; do
  n=${reps[$k]}
  ws=$(med weld_time "$out/scalar.wasm" $k $n)
  wv=$(med weld_time "$out/simd.wasm" $k $n)
  ns=$(med node_time "$out/scalar.wasm" $k $((n * 20)))
  nv=$(med node_time "$out/simd.wasm" $k $((n * 20)))
  cs=$(med nat_time "$out/native_scalar" $k $((n * 20)))
  cv=$(med nat_time "$out/native_simd" $k $((n * 20)))
  printf "%-10s %10.4f %10.4f %7.2fx | %10.4f %10.4f %7.2fx | %10.4f %10.4f %7.2fx\n" $k \
    "$ws" "$wv" "$(echo "$ws / $wv" | bc -l)" "$ns" "$nv" "$(echo "$ns / $nv" | bc -l)" \
    "$cs" "$cv" "$(echo "$cs / $cv" | bc -l)"
done
echo "(weld runs REPS, Node and native 20 x REPS; medians of $runs runs; compare ratios within an engine;"
echo " native _i rows are the plain kernels: the intrinsics are wasm-only)"

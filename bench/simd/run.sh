#!/usr/bin/env bash
# SIMD speed-ups: each kernel of kernels.c compiled for wasm32 with and without
# -msimd128 (and natively with and without auto-vectorization), run under weld, Node and
# natively; prints seconds per configuration and the scalar/SIMD ratio per engine.
#
#   bench/simd/run.sh [WELD_BINARY]        (default: build/weld)
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

# reps per kernel: long enough that the interpreter runs about a second
declare -A reps=([dot]=3000 [matmul]=60 [bytecount]=30 [blur]=30)
printf "%-10s %10s %10s %8s | %10s %10s %8s | %10s %10s %8s\n" kernel weld-scal weld-simd speedup \
  node-scal node-simd speedup nat-scal nat-simd speedup
for k in dot matmul bytecount blur; do
  n=${reps[$k]}
  ws=$(weld_time "$out/scalar.wasm" $k $n)
  wv=$(weld_time "$out/simd.wasm" $k $n)
  ns=$(node "$here/run_node.js" "$out/scalar.wasm" $k $((n * 20)) | cut -d' ' -f2)
  nv=$(node "$here/run_node.js" "$out/simd.wasm" $k $((n * 20)) | cut -d' ' -f2)
  cs=$("$out/native_scalar" $k $((n * 20)) | cut -d' ' -f2)
  cv=$("$out/native_simd" $k $((n * 20)) | cut -d' ' -f2)
  printf "%-10s %10.4f %10.4f %7.2fx | %10.4f %10.4f %7.2fx | %10.4f %10.4f %7.2fx\n" $k \
    "$ws" "$wv" "$(echo "$ws / $wv" | bc -l)" "$ns" "$nv" "$(echo "$ns / $nv" | bc -l)" \
    "$cs" "$cv" "$(echo "$cs / $cv" | bc -l)"
done
echo "(weld runs REPS, Node and native 20 x REPS; compare ratios within an engine)"

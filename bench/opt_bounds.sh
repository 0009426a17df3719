#!/usr/bin/env bash
# The optimising tier with explicit bounds checks against guard-region bounds
# (src/opt/README.md): each kernel of bench/kernels (wasm32-wasi, full-size inputs of
# bench/jit.sh) precompiled twice (`weld compile --tier optimized --bounds explicit|guard`),
# then run from the images (`--allow-precompiled`), so LLVM's compile time is not in the
# numbers. Median of BENCH_RUNS whole-process wall times, interleaved; the two outputs
# must match. Prints a Markdown table (explicit ms, guard ms, explicit/guard).
#
#   bench/opt_bounds.sh [KERNEL...]    (default: all below)
#
# Environment: WELD (build/weld), BENCH_DIR (build/bench-bounds), BENCH_RUNS (3).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
W="${WELD:-build/weld}"
B="${BENCH_DIR:-build/bench-bounds}"
runs="${BENCH_RUNS:-3}"
K=bench/kernels
mkdir -p "$B"
[ -f "$B/measure" ] && [ "$B/measure" -nt bench/tools/measure.c ] || gcc -O2 -o "$B/measure" bench/tools/measure.c
all=("sieve 40" "matmul 300" "hash 200" "sort 8" "crc32 150" "nbody 3000000" "fib 40" "interp 8000000")
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| kernel | explicit ms | guard ms | explicit/guard |"
echo "| --- | --- | --- | --- |"
status=0
for e in "${all[@]}"; do
  k=${e%% *} a=${e#* }
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$k"; then continue; fi
  [ -f "$B/$k.wasm" ] && [ "$B/$k.wasm" -nt "$K/$k.c" ] || clang --target=wasm32-wasi --sysroot=/usr -O2 -o "$B/$k.wasm" "$K/harness.c" "$K/$k.c"
  for m in guard explicit; do "$W" compile --tier optimized --bounds $m -o "$B/$k.$m.cwasm" "$B/$k.wasm"; done
  g="" x=""
  for ((r = 0; r < runs; r++)); do
    read -r ms _ _ < <("$B/measure" -o "$B/$k.x.out" -- "$W" run --bounds explicit --allow-precompiled "$B/$k.explicit.cwasm" "$a")
    x+="$ms "
    read -r ms _ _ < <("$B/measure" -o "$B/$k.g.out" -- "$W" run --bounds guard --allow-precompiled "$B/$k.guard.cwasm" "$a")
    g+="$ms "
    cmp -s "$B/$k.g.out" "$B/$k.x.out" || { echo "bench/opt_bounds: $k: outputs differ" >&2; status=1; }
  done
  xm=$(tr ' ' '\n' <<<"$x" | grep . | median) gm=$(tr ' ' '\n' <<<"$g" | grep . | median)
  echo "| $k $a | $xm | $gm | $(awk -v a="$xm" -v b="$gm" 'BEGIN {printf "%.2f", a / b}') |"
done
exit $status

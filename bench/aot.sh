#!/usr/bin/env bash
# Cold start with and without compiling: for each module (hello world and small kernels
# from bench/kernels, built for wasm32-wasi), the whole-process wall time of `weld run` in
# the interpreter, compiling (`--tier T --no-cache`), from the compiled-code cache (warm)
# and from a precompiled module (`weld compile`, then `--allow-precompiled`), for the
# baseline and (when weld has it) the optimised tier. Median of BENCH_RUNS runs; every
# output is checked against the interpreter's. Prints a Markdown table.
#
#   bench/aot.sh [KERNEL ARG]...      (default: hello, fib 25, nbody 1000)
#
# Environment: WELD (build/weld), BENCH_DIR (build/bench-aot), BENCH_RUNS (5).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
weld="${WELD:-build/weld}"
B="${BENCH_DIR:-build/bench-aot}"
runs="${BENCH_RUNS:-5}"
K=bench/kernels
mkdir -p "$B"
rm -rf "$B/cache"
[ -f "$B/measure" ] && [ "$B/measure" -nt bench/tools/measure.c ] || gcc -O2 -o "$B/measure" bench/tools/measure.c
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
if [ $# -eq 0 ]; then set -- hello "" fib 25 nbody 1000; fi
tiers=(baseline)
"$weld" compile --tier optimized -o "$B/probe.cwasm" examples/fac.wasm 2>/dev/null && tiers+=(optimized)
echo "| module | wasm bytes | interp ms | tier | compile ms | cached ms | .cwasm ms | .cwasm bytes |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
status=0
while [ $# -gt 0 ]; do
  k=$1 arg=$2
  shift 2
  src=("$K/$k.c")
  [ "$k" = hello ] || src=("$K/harness.c" "$K/$k.c")
  [ -f "$B/$k.wasm" ] && [ "$B/$k.wasm" -nt "$K/$k.c" ] || clang --target=wasm32-wasi --sysroot=/usr -O2 -o "$B/$k.wasm" "${src[@]}"
  args=()
  [ -n "$arg" ] && args=("$arg")
  time_of() { # median ms of a command, its output checked
    local t="" r ms st
    for ((r = 0; r < runs; r++)); do
      read -r ms _ st < <("$B/measure" -o "$B/$k.out" -- "$@")
      [ "$st" = 0 ] || { echo "bench/aot: $k: $* exited with $st" >&2; status=1; }
      cmp -s "$B/$k.out" "$B/$k.want" || { echo "bench/aot: $k: $*: output differs" >&2; status=1; }
      t+="$ms "
    done
    tr ' ' '\n' <<<"$t" | grep . | median
  }
  "$weld" run "$B/$k.wasm" "${args[@]}" >"$B/$k.want"
  i=$(time_of "$weld" run "$B/$k.wasm" "${args[@]}")
  for tier in "${tiers[@]}"; do
    "$weld" compile --tier "$tier" -o "$B/$k.$tier.cwasm" "$B/$k.wasm"
    "$weld" run --cache-dir "$B/cache" --tier "$tier" "$B/$k.wasm" "${args[@]}" >/dev/null # warm the cache
    c=$(time_of "$weld" run --no-cache --tier "$tier" "$B/$k.wasm" "${args[@]}")
    h=$(time_of "$weld" run --cache-dir "$B/cache" --tier "$tier" "$B/$k.wasm" "${args[@]}")
    p=$(time_of "$weld" run --allow-precompiled "$B/$k.$tier.cwasm" "${args[@]}")
    echo "| $k ${arg} | $(stat -c %s "$B/$k.wasm") | $i | $tier | $c | $h | $p | $(stat -c %s "$B/$k.$tier.cwasm") |"
  done
done
exit $status

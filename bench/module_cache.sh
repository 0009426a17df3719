#!/usr/bin/env bash
# The engine's in-memory module cache: weld_module_new of one module file the first time
# (compiled) and the next times (answered from the cache), with the cache on and off, in
# the interpreter, baseline and auto tiers (and the optimising tier with BENCH_OPT=1).
#
#   bench/module_cache.sh FILE.wasm...
#
# Environment: BUILD (build: the libweld.so to link), BENCH_DIR (build/bench-module-cache),
# BENCH_RUNS (5 later requests; the best is printed).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build="${BUILD:-build}"
B="${BENCH_DIR:-build/bench-module-cache}"
runs="${BENCH_RUNS:-5}"
[ $# -gt 0 ] || { echo "usage: bench/module_cache.sh FILE.wasm..." >&2; exit 2; }
mkdir -p "$B"
[ -f "$B/module_cache" ] && [ "$B/module_cache" -nt bench/tools/module_cache.c ] ||
  gcc -O2 -Iinclude -o "$B/module_cache" bench/tools/module_cache.c -L"$build" -lweld -Wl,-rpath,"$root/$build"
tiers=(interp baseline auto)
[ "${BENCH_OPT:-0}" = 1 ] && tiers+=(optimized)
for f in "$@"; do
  for t in "${tiers[@]}"; do "$B/module_cache" "$f" "$t" "$runs"; done
done

#!/usr/bin/env bash
# The measured efficiency model: one workload (bench/efficiency/service.c) as a pooled
# instance inside weld, a `weld run` process, a native process, Node.js and a runc
# container, side by side in one run (bench/README.md, "Efficiency").
#
#   bench/efficiency.sh [WELD]        (default build/weld; libweld.a beside it)
#
# Environment: WELD_TIER (baseline), EFF_WORK_N (200000 rounds for the CPU figure),
# EFF_RUNS (10 starts), EFF_PROCS (8 live processes), EFF_LIVE (1000 live pooled
# instances), EFF_BUDGET_MIB (256), EFF_CAP (16000 pooled instances at most), RUNC.
# Writes build/bench/efficiency/{efficiency.md,efficiency.json,coefficients.toml}; the
# last one is what `weld plan --coefficients` reads. With gnuplot (bench/setup.sh installs
# gnuplot-nox) also efficiency.png and efficiency.svg (bench/efficiency/charts.py).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
weld="${1:-build/weld}"
lib="$(dirname "$weld")/libweld.a"
out="$(dirname "$weld")/bench/efficiency"
mkdir -p "$out"
[ -x "$weld" ] && [ -f "$lib" ] || { echo "efficiency: build weld first ($weld, $lib)" >&2; exit 1; }
src=bench/efficiency/service.c
gcc -O2 -static -o "$out/service-native" "$src"
clang --target=wasm32-wasi -O2 -o "$out/service.wasm" "$src"
clang --target=wasm32 -DBARE -O2 -nostdlib -Wl,--no-entry -Wl,--export=work -o "$out/service-bare.wasm" "$src"
gcc -O2 -Iinclude -o "$out/pooled" bench/efficiency/pooled.c "$lib" -lm -lpthread $(pkg-config --libs libcurl 2>/dev/null || true) 2>/dev/null \
  || gcc -O2 -Iinclude -o "$out/pooled" bench/efficiency/pooled.c "$lib" -lm -lpthread
export WELD_TIER="${WELD_TIER:-baseline}"
EFF_DIR="$out" WELD="$weld" python3 bench/efficiency/run.py
# charts (PNG and SVG) when gnuplot is there; says so otherwise
python3 bench/efficiency/charts.py "$out"
# the planner must read what was written
"$weld" plan --coefficients "$out/coefficients.toml" examples/app/app.toml >/dev/null
echo "weld plan --coefficients $out/coefficients.toml: read" >&2

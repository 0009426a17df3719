#!/usr/bin/env bash
# The measured efficiency model: one workload (bench/efficiency/service.c) as a pooled
# instance inside weld, a `weld run` process, a native process, Node.js and a runc
# container, side by side in one run (bench/README.md, "Efficiency").
#
#   bench/efficiency.sh [WELD]        (default build/weld)
#
# The pooled ways are `weld bench efficiency` on service.c's bare build. Then the model's
# other coefficients: I/O overhead, memory factor, and (as root, with runc and a weld with
# libmicrohttpd) the interaction costs through `weld up` (efficiency/interact.py).
# Environment: WELD_TIER (baseline), EFF_WORK_N (200000 rounds for the CPU figure),
# EFF_RUNS (10 starts), EFF_PROCS (8 live processes), EFF_LIVE (1000 live pooled
# instances), EFF_BUDGET_MIB (256), EFF_CAP (16000 pooled instances at most), EFF_IO_N
# (3000 rounds of small-file I/O), EFF_MEM_MIB (64 MiB written for the memory factor),
# EFF_REQS (300 requests per interaction path), RUNC. Takes the runc lock
# (/tmp/hybrid.lock) for its containers when flock is there.
# Writes build/bench/efficiency/{efficiency.md,efficiency.json,coefficients.toml}; the
# last one is what `weld plan --coefficients` reads. With gnuplot (bench/setup.sh installs
# gnuplot-nox) also efficiency.png and efficiency.svg (bench/efficiency/charts.py).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
weld="${1:-build/weld}"
out="$(dirname "$weld")/bench/efficiency"
mkdir -p "$out"
[ -x "$weld" ] || { echo "efficiency: build weld first ($weld)" >&2; exit 1; }
src=bench/efficiency/service.c
gcc -O2 -static -o "$out/service-native" "$src"
clang --target=wasm32-wasi -O2 -o "$out/service.wasm" "$src"
clang --target=wasm32 -DBARE -O2 -nostdlib -Wl,--no-entry -Wl,--export=work -o "$out/service-bare.wasm" "$src"
export WELD_TIER="${WELD_TIER:-baseline}"
lock=()
command -v flock >/dev/null && lock=(flock /tmp/hybrid.lock)
EFF_DIR="$out" WELD="$weld" "${lock[@]}" python3 bench/efficiency/run.py
# charts (PNG and SVG) when gnuplot is there; says so otherwise
python3 bench/efficiency/charts.py "$out"
# the planner must read what was written, both forms, to the same plan
a=$("$weld" plan --coefficients "$out/coefficients.toml" examples/app/app.toml | sed 1d | grep -v '^coefficients: ')
b=$("$weld" plan --coefficients "$out/efficiency.json" examples/app/app.toml | sed 1d | grep -v '^coefficients: ')
[ "$a" = "$b" ] || { echo "efficiency: the TOML and the JSON coefficients plan differently" >&2; exit 1; }
echo "weld plan --coefficients $out/coefficients.toml and efficiency.json: read, the same plan" >&2

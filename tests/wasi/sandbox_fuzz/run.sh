#!/usr/bin/env bash
# The model-based sandbox fuzzer (a stage of tests/run.sh): every seed in seeds.txt (cases
# it found, kept as regressions) and a bounded range of fresh seeds, 80 calls each.
#
#   tests/wasi/sandbox_fuzz/run.sh [BINARY] [NSEEDS]   (defaults: build/weld_sandbox_fuzz, 200)
#
# Ends with the binary's `N passed, M failed` line (one test per seed).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../../../build/weld_sandbox_fuzz}"
nseeds="${2:-200}"
if [ ! -x "$bin" ]; then
  echo "sandbox fuzz: missing $bin (build it: cmake --build build --target weld_sandbox_fuzz)"
  echo "0 passed, 1 failed"
  exit 1
fi
args=()
while read -r seed _; do
  args+=(--seed "$seed")
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/seeds.txt")
# Fresh seeds start past the kept ones' range so the two sets do not overlap.
exec "$bin" --steps 80 "${args[@]}" --first 100001 --seeds "$nseeds"

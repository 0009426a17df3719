#!/usr/bin/env bash
# The model-based sandbox fuzzer (a stage of tests/run.sh): every case in cases/ (bugs it
# found, cut down to a tree, a policy and a few calls, kept as regressions) and a
# bounded range of fresh seeds, 80 calls each.
#
#   tests/wasi/sandbox_fuzz/run.sh [BINARY] [NSEEDS]   (defaults: build/weld_sandbox_fuzz, 200)
#
# Ends with the binary's `N passed, M failed` line (one test per case and per seed).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../../../build/weld_sandbox_fuzz}"
nseeds="${2:-200}"
if [ ! -x "$bin" ]; then
  echo "sandbox fuzz: missing $bin (build it: cmake --build build --target weld_sandbox_fuzz)"
  echo "0 passed, 1 failed"
  exit 1
fi
exec "$bin" --steps 80 --first 1 --seeds "$nseeds" "$here"/cases/*.case

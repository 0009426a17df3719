#!/usr/bin/env bash
# The differential check against Node.js (V8): random valid modules from binaryen's
# `wasm-opt --translate-to-fuzz`, every export run under V8 and under weld, results, traps
# and logged values compared (tests/diff/diff.mjs writes what V8 observed as a .wast
# script; `weld wast` checks weld against it). Features: WebAssembly 2.0 without SIMD
# (JS cannot pass v128 to the fuzzer's log-v128 import, and the SIMD operations have their
# own reference test) and without reference types (binaryen 108's translate-to-fuzz then
# emits typed function references, which are not 2.0).
#
# usage: tests/diff/run.sh WELD [COUNT [FIRST-SEED]]   (default 40 modules from seed 1)
# One check per module; a divergence prints the module's seed and weld's failures, and
# keeps the module and script in $DIFF_KEEP (default /tmp/weld-diff) to reproduce:
#   weld wast $DIFF_KEEP/SEED.wast
. "$(dirname "$0")/../lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
harness_init diff "${1:?usage: run.sh WELD [COUNT [FIRST-SEED]]}" node wasm-opt
count=${2:-40}
first=${3:-1}
keep=${DIFF_KEEP:-/tmp/weld-diff}
features="--mvp-features --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int
          --enable-bulk-memory --enable-multivalue"
checks=0
for seed in $(seq "$first" $((first + count - 1))); do
  label="seed $seed"
  node "$here/diff.mjs" gen "$seed" in.dat
  # shellcheck disable=SC2086
  if ! wasm-opt in.dat --translate-to-fuzz $features -o m.wasm 2> opt.err; then
    bad "wasm-opt: $(head -c 200 opt.err)"
    continue
  fi
  if ! node "$here/diff.mjs" wast m.wasm > m.wast 2> node.err; then
    bad "V8: $(head -c 200 node.err)"
    continue
  fi
  "$weld" wast m.wast > weld.out 2>&1
  last=$(tail -n 1 weld.out)
  n=$(echo "$last" | sed -n 's/.*: \([0-9]*\) passed, 0 failed.*/\1/p')
  if [ -n "$n" ]; then
    ok
    checks=$((checks + n))
  else
    mkdir -p "$keep"
    cp m.wasm "$keep/$seed.wasm"
    cp m.wast "$keep/$seed.wast"
    bad "weld and V8 differ (kept in $keep/$seed.wast):"
    grep -m 5 "FAIL" weld.out
    echo "$last"
  fi
done
echo "($checks assertions over $passed modules agree)"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

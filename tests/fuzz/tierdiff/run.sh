#!/usr/bin/env bash
# tests/fuzz/tierdiff/run.sh WELD_TIERDIFF [COUNT] [FIRST_SEED]
# Makes COUNT (default 40) random valid modules with binaryen's `wasm-opt
# --translate-to-fuzz` from seeded pseudo-random bytes (seeds FIRST_SEED.., default 1, so
# a run is repeatable and a failure names its seed), without imports (--remove-imports),
# NaNs made zero at run time (--denan: their bits are nondeterministic), and runs them
# through weld_tierdiff: interpreter, baseline and auto tier must agree. A bounded count,
# not a time limit. The modules are kept in $TIERDIFF_OUT (default build/tierdiff). The
# modules in tests/fuzz/seeds/fuzz_tiers run too.
set -u
driver=${1:?usage: run.sh WELD_TIERDIFF [COUNT] [FIRST_SEED]}
count=${2:-40}
first=${3:-1}
out=${TIERDIFF_OUT:-build/tierdiff}
if ! command -v wasm-opt >/dev/null || ! command -v python3 >/dev/null; then
  echo "wasm-opt (binaryen) or python3 missing"
  echo "0 passed, 0 failed, $count skipped"
  exit 0
fi
mkdir -p "$out"
features="--enable-multivalue --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int
  --enable-mutable-globals --enable-tail-call --enable-simd"
mods=()
made=0
# the entropy of every seed, in one interpreter start
python3 -c "
import random
for s in range($first, $first + $count):
    open('$out/seed%d.dat' % s, 'wb').write(random.Random(s).randbytes(8192 + s % 16384))
"
for ((seed = first; seed < first + count; seed++)); do
  # shellcheck disable=SC2086
  if wasm-opt "$out/seed$seed.dat" -ttf $features --remove-imports -o "$out/seed$seed.wasm" 2>"$out/seed$seed.err"; then
    mods+=("$out/seed$seed.wasm")
    made=$((made + 1))
  else
    echo "seed $seed: wasm-opt failed: $(head -n 1 "$out/seed$seed.err")"
  fi
done
echo "$made modules from seeds $first..$((first + count - 1))"
# and the hand-written modules binaryen's fuzzer cannot make (several memories, a 64-bit
# memory: tests/fuzz/seeds/fuzz_tiers, also fuzz_tiers' seeds)
for f in "$(dirname "$0")"/../seeds/fuzz_tiers/*.wasm; do
  [ -f "$f" ] && mods+=("$f")
done
[ ${#mods[@]} -gt 0 ] || { echo "0 passed, 1 failed"; exit 1; }
"$driver" "${mods[@]}"

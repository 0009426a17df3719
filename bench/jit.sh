#!/usr/bin/env bash
# The tiers side by side: each compute kernel (bench/kernels) natively, in weld's
# interpreter, in weld's baseline tier (src/jit), in the auto tier (interpreted until
# hot, default threshold), and the same WASI module under Node.js (V8, through
# bench/node_run.mjs as bench/run.sh runs it), interleaved run by run on the same
# machine, median of BENCH_RUNS, whole-process wall time for every column. Prints a
# Markdown table of medians and ratios, and each module's compile numbers
# (--tier-stats). Exit status 1 when an output differs from the native build's. Without
# node the Node.js column says n/a.
#
#   bench/jit.sh [KERNEL...]          (default: every kernel below)
#
# Environment: WELD (build/weld), BENCH_DIR (build/bench-jit), BENCH_RUNS (3),
# BENCH_BOUNDS (guard; or explicit).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
weld="${WELD:-build/weld}"
B="${BENCH_DIR:-build/bench-jit}"
runs="${BENCH_RUNS:-3}"
bounds="${BENCH_BOUNDS:-guard}"
K=bench/kernels
mkdir -p "$B"
# kernel and argument (the full-size inputs of bench/run.sh)
all=("fib 40" "sieve 40" "matmul 300" "hash 200" "sort 8" "crc32 150" "nbody 3000000" "interp 8000000")
want=("$@")
sel=()
for e in "${all[@]}"; do
  k=${e%% *}
  if [ ${#want[@]} -eq 0 ]; then sel+=("$e"); continue; fi
  for w in "${want[@]}"; do [ "$w" = "$k" ] && sel+=("$e"); done
done
[ -f "$B/measure" ] && [ "$B/measure" -nt bench/tools/measure.c ] || gcc -O2 -o "$B/measure" bench/tools/measure.c

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

status=0
tiers=(native interp baseline auto node)
have_node=1
command -v node >/dev/null || have_node=0
# the optimising tier (src/opt, LLVM), when this weld has it: whole-process time, so its
# compile time (every function when the module loads) is included
have_opt=0
if "$weld" run --tier optimized examples/fac.wasm >/dev/null 2>&1; then have_opt=1; tiers+=(optimized); fi
echo "| kernel | native ms | interp ms | baseline ms | auto ms | optimized ms | node ms | interp/native | baseline/native | auto/native | optimized/native | node/native | baseline/node |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
stats=()
for e in "${sel[@]}"; do
  k=${e%% *} arg=${e#* }
  src=("$K/harness.c" "$K/$k.c")
  [ -x "$B/$k" ] && [ "$B/$k" -nt "$K/$k.c" ] || gcc -O2 -o "$B/$k" "${src[@]}" -lm
  [ -f "$B/$k.wasm" ] && [ "$B/$k.wasm" -nt "$K/$k.c" ] || clang --target=wasm32-wasi --sysroot=/usr -O2 -o "$B/$k.wasm" "${src[@]}"
  declare -A t=()
  for tier in "${tiers[@]}"; do t[$tier]=""; done
  for ((r = 0; r < runs; r++)); do
    for tier in "${tiers[@]}"; do
      case $tier in
        native) cmd=("$B/$k" "$arg") ;;
        node)
          [ $have_node = 1 ] || continue
          cmd=(node --no-warnings bench/node_run.mjs --wasi "$B/$k.wasm" "$arg") ;;
        *) cmd=("$weld" run --bounds "$bounds" --tier "$tier" "$B/$k.wasm" "$arg") ;;
      esac
      read -r ms _ st < <("$B/measure" -o "$B/$k.$tier.out" -- "${cmd[@]}")
      [ "$st" = 0 ] || { echo "bench/jit: $k ($tier) exited with $st" >&2; status=1; }
      t[$tier]+="$ms "
    done
    for tier in interp baseline auto node optimized; do
      [ $tier = node ] && [ $have_node = 0 ] && continue
      [ $tier = optimized ] && [ $have_opt = 0 ] && continue
      cmp -s "$B/$k.native.out" "$B/$k.$tier.out" || { echo "bench/jit: $k ($tier): output differs from native" >&2; status=1; }
    done
  done
  n=$(tr ' ' '\n' <<<"${t[native]}" | grep . | median)
  i=$(tr ' ' '\n' <<<"${t[interp]}" | grep . | median)
  b=$(tr ' ' '\n' <<<"${t[baseline]}" | grep . | median)
  a=$(tr ' ' '\n' <<<"${t[auto]}" | grep . | median)
  o=n/a orat=n/a
  if [ $have_opt = 1 ]; then o=$(tr ' ' '\n' <<<"${t[optimized]}" | grep . | median); orat=$(ratio "$o" "$n"); fi
  if [ $have_node = 1 ]; then
    v=$(tr ' ' '\n' <<<"${t[node]}" | grep . | median)
    echo "| $k $arg | $n | $i | $b | $a | $o | $v | $(ratio "$i" "$n") | $(ratio "$b" "$n") | $(ratio "$a" "$n") | $orat | $(ratio "$v" "$n") | $(ratio "$b" "$v") |"
  else
    echo "| $k $arg | $n | $i | $b | $a | $o | n/a | $(ratio "$i" "$n") | $(ratio "$b" "$n") | $(ratio "$a" "$n") | $orat | n/a | n/a |"
  fi
  stats+=("$k: $("$weld" run --tier baseline --tier-stats "$B/$k.wasm" 1 2>&1 >/dev/null | head -1 | sed 's/^weld: //')")
  stats+=("$k $arg: $("$weld" run --tier auto --tier-stats "$B/$k.wasm" "$arg" 2>&1 >/dev/null | grep '^weld: tier' | sed 's/^weld: //')")
  [ $have_opt = 1 ] && stats+=("$k (optimized): $("$weld" run --tier optimized --tier-stats "$B/$k.wasm" 1 2>&1 >/dev/null | grep '^weld: tier' | sed 's/^weld: //')")
  unset t
done
echo
printf '%s\n' "${stats[@]}"
exit $status

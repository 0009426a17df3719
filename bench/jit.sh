#!/usr/bin/env bash
# The tiers side by side: each compute kernel (bench/kernels) natively, in weld's
# interpreter, in weld's baseline tier (src/jit) and in its optimising tier (src/opt,
# LLVM; left out when the build has none), interleaved run by run on the same machine,
# median of BENCH_RUNS. Prints a Markdown table of medians and ratios to native, and each
# module's compile numbers (--tier-stats) per compiling tier, with the compile speed in
# MB of code section per second. Exit status 1 when a tier's output differs from the
# native build's.
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
tiers=(native interp baseline)
# the optimising tier, when this weld has it
if "$weld" run --tier optimized examples/fac.wasm >/dev/null 2>&1 || \
   ! "$weld" run --tier optimized examples/fac.wasm 2>&1 | grep -q "built without LLVM"; then
  tiers+=(optimized)
fi
has_opt=false
[ ${#tiers[@]} -eq 4 ] && has_opt=true
if $has_opt; then
  # the optimising tier compiles every function when the module loads: its compile time
  # (--tier-stats, the same run) is shown apart, and the run without it
  echo "| kernel | native ms | interp ms | baseline ms | optimized ms | of which compile ms | interp/native | baseline/native | optimized/native | optimized without compile/native |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
else
  echo "| kernel | native ms | interp ms | baseline ms | interp/native | baseline/native | interp/baseline |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
fi
stats=()
for e in "${sel[@]}"; do
  k=${e%% *} arg=${e#* }
  src=("$K/harness.c" "$K/$k.c")
  [ -x "$B/$k" ] && [ "$B/$k" -nt "$K/$k.c" ] || gcc -O2 -o "$B/$k" "${src[@]}" -lm
  [ -f "$B/$k.wasm" ] && [ "$B/$k.wasm" -nt "$K/$k.c" ] || clang --target=wasm32-wasi --sysroot=/usr -O2 -o "$B/$k.wasm" "${src[@]}"
  declare -A t=()
  for tier in "${tiers[@]}"; do t[$tier]=""; done
  comp=""
  for ((r = 0; r < runs; r++)); do
    for tier in "${tiers[@]}"; do
      case $tier in
        native) cmd=("$B/$k" "$arg") ;;
        optimized) cmd=("$weld" run --bounds "$bounds" --tier "$tier" --tier-stats "$B/$k.wasm" "$arg") ;;
        *) cmd=("$weld" run --bounds "$bounds" --tier "$tier" "$B/$k.wasm" "$arg") ;;
      esac
      read -r ms _ st < <("$B/measure" -o "$B/$k.$tier.out" -- "${cmd[@]}" 2>"$B/$k.$tier.err")
      [ "$st" = 0 ] || { echo "bench/jit: $k ($tier) exited with $st" >&2; status=1; }
      t[$tier]+="$ms "
      [ $tier = optimized ] && comp+="$(sed -nE 's/^weld: tier .* in ([0-9.]+) ms\)$/\1/p' "$B/$k.$tier.err" | head -1) "
    done
    for tier in "${tiers[@]:1}"; do
      cmp -s "$B/$k.native.out" "$B/$k.$tier.out" || { echo "bench/jit: $k ($tier): output differs from native" >&2; status=1; }
    done
  done
  n=$(tr ' ' '\n' <<<"${t[native]}" | grep . | median)
  i=$(tr ' ' '\n' <<<"${t[interp]}" | grep . | median)
  b=$(tr ' ' '\n' <<<"${t[baseline]}" | grep . | median)
  if $has_opt; then
    o=$(tr ' ' '\n' <<<"${t[optimized]}" | grep . | median)
    c=$(tr ' ' '\n' <<<"$comp" | grep . | median)
    oc=$(awk -v a="$o" -v b="$c" 'BEGIN { printf "%.3f", a - b }')
    echo "| $k $arg | $n | $i | $b | $o | $c | $(ratio "$i" "$n") | $(ratio "$b" "$n") | $(ratio "$o" "$n") | $(ratio "$oc" "$n") |"
  else
    echo "| $k $arg | $n | $i | $b | $(ratio "$i" "$n") | $(ratio "$b" "$n") | $(ratio "$i" "$b") |"
  fi
  for tier in "${tiers[@]:2}"; do
    line="$("$weld" run --tier "$tier" --tier-stats "$B/$k.wasm" 1 2>&1 >/dev/null | grep '^weld: tier' | head -1 | sed 's/^weld: //')"
    # compile speed: bytes of compiled bodies over the compile time
    speed="$(sed -E 's/.* from ([0-9]+) bytes of bodies in ([0-9.]+) ms.*/\1 \2/' <<<"$line" |
      awk 'NF == 2 && $2 > 0 { printf "%.4f MB/s", $1 / ($2 / 1000) / 1e6 }')"
    stats+=("$k: $line${speed:+ = $speed}")
  done
  unset t
done
echo
printf '%s\n' "${stats[@]}"
exit $status

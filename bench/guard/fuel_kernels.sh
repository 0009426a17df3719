#!/usr/bin/env bash
# Fuel-metering overhead on the benchmark kernels (bench/kernels): each kernel at its
# bench/run.sh size, run under weld with and without --fuel, alternating, RUNS times;
# prints the median wall times and their ratio. The checksum must not change.
#
#   bench/guard/fuel_kernels.sh [WELD]      (RUNS=5 by default)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
weld="$(realpath "${1:-$root/build/weld}")"
runs="${RUNS:-5}"
out="$root/build/bench-fuel"
mkdir -p "$out"
K="$root/bench/kernels"
clang --target=wasm32 -O2 -fno-builtin -c "$K/rt.c" -o "$out/rt.o"
# kernel and the N bench/run.sh uses
cases=("fib 40" "sieve 40" "matmul 300" "hash 200" "sort 8" "crc32 150" "nbody 3000000" "interp 8000000" "strsearch 40")
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| kernel | plain ms | --fuel ms | fuel/plain |"
echo "| --- | ---: | ---: | ---: |"
logsum=0 count=0
for c in "${cases[@]}"; do
  set -- $c
  k=$1 n=$2
  clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export=run -o "$out/$k.wasm" "$K/$k.c" "$out/rt.o"
  plain=() fuel=()
  want="$("$weld" run --invoke run "$out/$k.wasm" "$n")"
  for ((r = 0; r < runs; r++)); do
    t0=$(now); a="$("$weld" run --invoke run "$out/$k.wasm" "$n")"; t1=$(now)
    b="$("$weld" run --fuel 1000000000000000 --invoke run "$out/$k.wasm" "$n")"; t2=$(now)
    if [ "$a" != "$want" ] || [ "$b" != "$want" ]; then echo "$k: checksum changed" >&2; exit 1; fi
    plain+=($(( (t1 - t0) / 1000000 ))) fuel+=($(( (t2 - t1) / 1000000 )))
  done
  p=$(printf '%s\n' "${plain[@]}" | median) f=$(printf '%s\n' "${fuel[@]}" | median)
  ratio=$(awk -v p="$p" -v f="$f" 'BEGIN {printf "%.3f", f / p}')
  logsum=$(awk -v s="$logsum" -v r="$ratio" 'BEGIN {print s + log(r)}')
  count=$((count + 1))
  echo "| $k | $p | $f | ${ratio}× |"
done
echo "| **geometric mean** | | | $(awk -v s="$logsum" -v n="$count" 'BEGIN {printf "%.3f", exp(s / n)}')× |"

#!/usr/bin/env bash
# GC and exception-handling benchmarks, side by side in one run.
#
#   bench/gc.sh [WELD_BINARY]          (default: build/weld)
#   N=18 RUNS=5 bench/gc.sh            (tree depth, default 16; runs per configuration, default 3)
#
# Binary trees (gc/binarytrees.wat, WasmGC structs) under weld's interpreter and with
# `--tier baseline` (every function the baseline compiler takes becomes machine code; the
# others stay interpreted, counted from --tier-stats), next to the same algorithm in C
# with malloc/free (gc/binarytrees.c, gcc -O2), which is also the reference for the
# checksum: every weld result must equal it. Before timing, the run also checks the
# checksum under a 16 MiB GC heap limit (the collector must reclaim the dropped trees:
# about 0.5 GB are allocated at N=16) and with WELD_GC_STRESS=1 (a collection at every
# allocation) at depth 8. The Node column runs the same module (`weld encode`d to a
# binary, gc/run_node.js) under a Node whose V8 takes the final WasmGC encoding: the
# system's if it does (Debian's Node 20 does not), else a pinned Node from the npm registry
# (tools/node3.sh); without either the column says why. Times are CPU seconds (user +
# system) of the whole process, start-up included, medians of RUNS. Then bench/exn/run.sh
# runs the exception kernels.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
weld="${1:-$root/build/weld}"
out="${WELD_BENCH_OUT:-$root/build/bench-gc}"
n="${N:-16}"
runs="${RUNS:-3}"
wat="$here/gc/binarytrees.wat"
mkdir -p "$out"
gcc -O2 -o "$out/binarytrees" "$here/gc/binarytrees.c"

fail() { echo "bench/gc: $*" >&2; exit 1; }
cpu() { # CPU seconds of a command; its stdout goes to $out/last
  local tf
  tf=$(mktemp)
  /usr/bin/time -f "%U %S" -o "$tf" "$@" >"$out/last"
  awk '{ print $1 + $2 }' "$tf"
  rm -f "$tf"
}
median() { printf '%s\n' "$@" | LC_ALL=C sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

want=$("$out/binarytrees" "$n")
small=$("$out/binarytrees" 8)
got=$("$weld" run --max-gc-heap 16M --invoke run "$wat" "$n") || fail "under --max-gc-heap 16M: exit $?"
[ "$got" = "$want" ] || fail "--max-gc-heap 16M gives $got, C gives $want"
got=$(WELD_GC_STRESS=1 "$weld" run --invoke run "$wat" 8)
[ "$got" = "$small" ] || fail "WELD_GC_STRESS=1 at depth 8 gives $got, C gives $small"
compiled=$("$weld" run --tier baseline --tier-stats --invoke run "$wat" 6 2>&1 >/dev/null | sed -n '1s/^weld: tier baseline: //p')
probe=$(cd "$out" && node --experimental-wasm-gc "$here/tools/node_probe.js" gc)
cfgs="interp baseline native"
if node3=$("$here/tools/node3.sh"); then
  "$weld" encode "$wat" -o "$out/binarytrees.wasm"
  cfgs="$cfgs node"
fi

declare -A t
for cfg in $cfgs; do t[$cfg]=""; done
for ((i = 0; i < runs; i++)); do # interleaved, so a busy moment hits every configuration
  for cfg in $cfgs; do
    case $cfg in
      native) s=$(cpu "$out/binarytrees" "$n") ;;
      node) s=$(cpu "$node3" "$here/gc/run_node.js" "$out/binarytrees.wasm" "$n") ;;
      *) s=$(cpu "$weld" run --tier "$cfg" --invoke run "$wat" "$n") ;;
    esac
    r=$(cat "$out/last")
    [ "$r" = "$want" ] || fail "$cfg gives $r, C gives $want"
    t[$cfg]="${t[$cfg]} $s"
  done
done
# shellcheck disable=SC2086 # the lists are split on purpose
{ ti=$(median ${t[interp]}); tb=$(median ${t[baseline]}); tn=$(median ${t[native]}); }
echo "binary trees, depth $n: checksum $want (C reference; weld interpreter, baseline, 16 MiB heap limit and GC stress at depth 8 agree)"
echo "baseline tier: $compiled"
printf "%-22s %10s %12s\n" configuration "CPU s" "vs native C"
ratio() { if [ "$(echo "$2 > 0" | bc -l)" = 1 ]; then printf "%11.1fx" "$(echo "$1 / $2" | bc -l)"; else printf "%12s" "-"; fi; }
printf "%-22s %10.3f %s\n" "weld interpreter" "$ti" "$(ratio "$ti" "$tn")"
printf "%-22s %10.3f %s\n" "weld --tier baseline" "$tb" "$(ratio "$tb" "$tn")"
printf "%-22s %10.3f %s\n" "native C (malloc/free)" "$tn" "$(ratio "$tn" "$tn")"
if [ -n "${t[node]:-}" ]; then
  # shellcheck disable=SC2086
  tj=$(median ${t[node]})
  printf "%-22s %10.3f %s\n" "node $("$node3" --version)" "$tj" "$(ratio "$tj" "$tn")"
else
  printf "%-22s %10s %12s\n" "node $(node --version)" "-" "-"
  echo "node: $probe (--experimental-wasm-gc); no newer Node from npm either (tools/node3.sh)"
fi
echo "(medians of $runs runs, CPU time of the whole process)"
echo
"$here/exn/run.sh" "$weld"

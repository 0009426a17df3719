#!/usr/bin/env bash
# Exception throw/catch under weld and Node (V8), side by side: the kernels of
# legacy.wat (try/catch/rethrow, which Node 20 runs) under both, and the same work written
# with try_table/throw_ref (table.wat) under weld; each weld configuration once in the
# interpreter and once with `--tier baseline` (functions the baseline compiler refuses stay
# interpreted: the run prints how many it took and why not the others). Node is the first
# that runs try_table/exnref (../tools/node3.sh: the system's, else a pinned one from the
# npm registry; Debian's Node 20 refuses it); with one, table.wat (`weld encode`d) gets a
# Node column too, else Node runs only the legacy form.
#
#   bench/exn/run.sh [WELD_BINARY]          (default: build/weld)
#
# Needs wat2wasm (wabt, for Node's binary of legacy.wat) and node. RUNS (default 3) runs
# per configuration, median reported, as nanoseconds per iteration (one throw and catch;
# throw_deep unwinds 20 frames, rethrow catches twice). weld's time is the process's CPU
# time (user + system) with REPS minus the same with 0 reps (start-up, decoding and
# compiling cancel out; CPU time, since the machine may be shared); Node's is the call's
# wall time. Node throws far more slowly, so it runs fewer iterations; before timing,
# both run Node's count once and their checksums must agree.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
weld="${1:-$root/build/weld}"
out="${WELD_BENCH_OUT:-$root/build/bench-exn}"
mkdir -p "$out"
wat2wasm --enable-exceptions "$here/legacy.wat" -o "$out/legacy.wasm"

cpu() { # seconds of CPU time of a command (its output discarded)
  local tf
  tf=$(mktemp)
  /usr/bin/time -f "%U %S" -o "$tf" "$@" >/dev/null
  awk '{ print $1 + $2 }' "$tf"
  rm -f "$tf"
}
tier=interp
weld_time() { # file kernel reps -> "RESULT SECONDS"
  local a b
  a=$(cpu "$weld" run --tier $tier --invoke "$2" "$1" 0)
  b=$(cpu "$weld" run --tier $tier --invoke "$2" "$1" "$3")
  echo "0 $(echo "$b - $a" | bc -l)"
}
weld_result() { local r; r=$("$weld" run --tier $tier --invoke "$2" "$1" "$3"); echo $((r & 0xffffffff)); }
node_time() { "$node" "$here/run_node.js" "$@"; }
median() { printf '%s\n' "$@" | LC_ALL=C sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
runs="${RUNS:-3}"
result=""
# median seconds over RUNS of a command printing "RESULT SECONDS"; checks RESULT
med() {
  local ts=() i line
  for ((i = 0; i < runs; i++)); do
    line=$("$@")
    if [ -n "$result" ] && [ "${line%% *}" != "$result" ]; then
      echo "bench/exn: $* gave ${line%% *}, expected $result" >&2
      exit 1
    fi
    result="${line%% *}"
    ts+=("${line#* }")
  done
  median "${ts[@]}"
}

declare -A reps=([throw_catch]=5000000 [throw_deep]=1000000 [rethrow]=3000000)
nreps=100000
node=node
if node3=$("$here/../tools/node3.sh"); then node=$node3; fi
probe=$(cd "$out" && "$node" "$here/../tools/node_probe.js" exnref)
ntable=""
if [ "$probe" = ok ]; then
  "$weld" encode "$here/table.wat" -o "$out/table.wasm"
  ntable="$out/table.wasm"
fi
for f in "$out/legacy.wasm" "$here/table.wat"; do
  echo "baseline tier, $(basename "$f"): $("$weld" run --tier baseline --tier-stats --invoke throw_catch "$f" 1 2>&1 >/dev/null |
    sed -n '1s/^weld: tier baseline: //p'); others: $("$weld" run --tier baseline --tier-stats --invoke throw_catch "$f" 1 2>&1 >/dev/null |
    sed -n 's/.*interpreted: not supported: //p' | sort | uniq -c | awk '{ $1 = $1 "x"; print }' | paste -sd, - | sed 's/,/, /g')"
done
echo "node $("$node" --version), try_table/exnref: $probe"
printf "%-12s %12s %12s %12s %12s %12s %12s %10s\n" kernel weld-legacy weld-table base-legacy base-table node-legacy node-table node/weld
for k in throw_catch throw_deep rethrow; do
  n=${reps[$k]}
  want=$("$node" "$here/run_node.js" "$out/legacy.wasm" $k $nreps | cut -d' ' -f1)
  row=()
  for tier in interp baseline; do
    for f in "$out/legacy.wasm" "$here/table.wat"; do
      got=$(weld_result "$f" $k $nreps)
      if [ "$got" != "$want" ]; then echo "bench/exn: $k in $f (--tier $tier): weld gives $got, Node $want" >&2; exit 1; fi
      result=""
      s=$(med weld_time "$f" $k "$n")
      row+=("$(echo "$s * 1000000000 / $n" | bc -l)")
    done
  done
  result=""
  nl=$(med node_time "$out/legacy.wasm" $k $nreps)
  nl=$(echo "$nl * 1000000000 / $nreps" | bc -l)
  nt="-"
  if [ -n "$ntable" ]; then
    result=$want
    nt=$(med node_time "$ntable" $k $nreps)
    nt=$(printf "%.1f" "$(echo "$nt * 1000000000 / $nreps" | bc -l)")
  fi
  printf "%-12s %12.1f %12.1f %12.1f %12.1f %12.1f %12s %9.1fx\n" $k "${row[@]}" "$nl" "$nt" "$(echo "$nl / ${row[0]}" | bc -l)"
done
echo "(ns per iteration, medians of $runs runs; base-* is --tier baseline; node/weld compares the"
if [ -n "$ntable" ]; then
  echo " legacy form in weld's interpreter and Node; node-table runs table.wat)"
else
  echo " legacy form in weld's interpreter and Node; no node-table column: $probe)"
fi

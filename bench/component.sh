#!/usr/bin/env bash
# Components: start-up and a call-heavy workload across the component boundary, weld
# against Node.js running the same component as jco transpiles it, side by side.
#
#   bench/component.sh [WELD_BINARY]     (default: build/weld)
#   RUNS=5 N_ADD=2000000 N_BUMP=500000 bench/component.sh
#
# component/calls.wit: world `provider` exports interface `ops` (add: two u32 in, one
# out; bump: a string in, a string out), world `driver` imports it and exports run(n,
# kind), which calls add (kind 0) or bump on a 16-byte string (kind 1) n times and returns
# a checksum. Both are C (clang --target=wasm32-wasi) through `weld wit bindgen --lang c`
# and `weld component new`, joined by `weld compose` into one component; every call
# crosses from one component instance into the other through the Canonical ABI. weld
# runs it with `weld run --invoke 'run(N, K)'` (its default tier); Node.js runs jco's
# transpilation of the same file (component/run.mjs, which also checks the checksum
# against the one computed in JavaScript); weld's answer must equal Node's. Times are
# whole-process wall-clock milliseconds (start-up included), medians of RUNS with the two
# runtimes alternating. The start-up row is run(0, 0): load, compile, instantiate, one
# call. Writes build/bench-component/results.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
weld="${1:-$root/build/weld}"
out="${WELD_BENCH_OUT:-$root/build/bench-component}"
runs="${RUNS:-3}"
n_add="${N_ADD:-1000000}"
n_bump="${N_BUMP:-200000}"
mkdir -p "$out"
case "$weld" in /*) ;; *) weld="$(pwd)/$weld" ;; esac

cc() { clang --target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry -Wall -Werror "$@"; }
for w in provider driver; do
  "$weld" wit bindgen --lang c --world $w -o "$out" "$here/component/calls.wit"
  cc -I"$out" -o "$out/$w.core.wasm" "$here/component/$w.c" "$out/$w.c"
  "$weld" component new "$out/$w.core.wasm" --wit "$here/component/calls.wit" --world $w -o "$out/$w.wasm"
done
"$weld" compose "$out/driver.wasm" --plug "$out/provider.wasm" -o "$out/app.wasm"

# shellcheck source=../tests/component/jco_env.sh
. "$root/tests/component/jco_env.sh"
jco_install "$root/build/component-jco"
"$jco_dir/node_modules/.bin/jco" transpile "$out/app.wasm" -o "$out/js" --name app >/dev/null

# one timed run: prints "MS OUTPUT"
timed() {
  local t0 t1 o
  t0=$(date +%s%N)
  o=$("$@")
  t1=$(date +%s%N)
  echo "$(((t1 - t0) / 1000000)) $o"
}
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

{
  echo "| workload | calls | weld ms | node (jco) ms | weld/node | result |"
  echo "| --- | ---: | ---: | ---: | ---: | --- |"
} >"$out/results.md"
for case in "start-up 0 0" "add (u32, u32) -> u32 $n_add 0" "bump (string) -> string $n_bump 1"; do
  set -- $case
  kind=${*: -1}
  n=${*: -2:1}
  label=${case% $n $kind}
  : >"$out/w.txt"
  : >"$out/n.txt"
  wres="" nres=""
  for ((r = 0; r < runs; r++)); do
    read -r ms wres < <(timed "$weld" run --invoke "run($n, $kind)" "$out/app.wasm")
    echo "$ms" >>"$out/w.txt"
    read -r ms nres < <(timed node "$here/component/run.mjs" "$out/js" "$n" "$kind")
    echo "$ms" >>"$out/n.txt"
  done
  if [ "$wres" != "$nres" ] || [ -z "$wres" ]; then
    echo "$label: weld says '$wres', Node (jco) says '$nres'" >&2
    exit 1
  fi
  wm=$(median <"$out/w.txt")
  nm=$(median <"$out/n.txt")
  ratio=$(awk -v a="$wm" -v b="$nm" 'BEGIN {printf "%.2f", a / b}')
  echo "| $label | $n | $wm | $nm | ${ratio}× | $wres |" >>"$out/results.md"
done
cat "$out/results.md"
echo "Median of $runs run(s), whole-process wall time; $(nproc) cores; node $(node --version), jco $JCO_VERSION, weld $("$weld" --version | head -1)."

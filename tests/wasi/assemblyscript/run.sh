#!/usr/bin/env bash
# AssemblyScript programs (npm `assemblyscript` with `@assemblyscript/wasi-shim`, pinned
# below and installed into the build directory on first use) run under weld and under
# Node.js's WASI on copies of one tree: stdout, stderr, exit code and the resulting tree
# must match, and envio's stdout must equal envio.expected. Skipped, and counted as
# skipped, when node/npm are missing or the packages cannot be installed (no registry).
#
# usage: tests/wasi/assemblyscript/run.sh [WELD]   (default build/weld; AS_OUT=dir)
set -uo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
weld="$(realpath "${1:-$root/build/weld}")"
here="$root/tests/wasi/assemblyscript"
out="${AS_OUT:-$(dirname "$weld")/wasi-assemblyscript}"
mkdir -p "$out"
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "$2" | head -n 30 | sed 's/^/     /'; }
skip() {
  echo "assemblyscript: skipped: $1"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
}

versions=(assemblyscript@0.28.20 @assemblyscript/wasi-shim@0.1.0)
command -v node >/dev/null && command -v npm >/dev/null || skip "node or npm missing"
asc="$out/node_modules/.bin/asc"
if [ ! -x "$asc" ]; then
  (cd "$out" && [ -f package.json ] || echo '{"private": true}' >package.json
   npm install --no-audit --no-fund --prefix "$out" "${versions[@]}") >"$out/npm.log" 2>&1 ||
    skip "npm install ${versions[*]} failed ($(tail -n 1 "$out/npm.log"))"
fi
# asc finds the shim's library relative to the working directory: build from $out.
config=node_modules/@assemblyscript/wasi-shim/asconfig.json

for src in "$here"/*.ts; do
  name="$(basename "$src" .ts)"
  wasm="$out/$name.wasm"
  [ -f "$wasm" ] && [ "$wasm" -nt "$src" ] && continue
  if ! (cd "$out" && "$asc" "$src" --config "$config" -O -o "$wasm") >"$out/$name.asc.log" 2>&1; then
    rm -f "$wasm"
    fail "compile $name" "$(cat "$out/$name.asc.log")"
  fi
done

fixture() {
  rm -rf "$1"
  mkdir -p "$1/sandbox/sub"
  for i in 1 2 3; do printf 'file %s\n' $i >"$1/sandbox/sub/f$i.txt"; done
}
snapshot() {
  (cd "$1" && find . -mindepth 1 -printf '%y %p %s %l\n' | sort &&
    find . -type f -print0 | sort -z | xargs -0 -r md5sum)
}

# same NAME STDIN ARGS...: the module under weld and under Node.js, everything compared.
same() {
  local name=$1 input=$2
  shift 2
  local wasm="$out/$name.wasm" w="$out/run-$name-weld" n="$out/run-$name-node" label="$name $*"
  [ -f "$wasm" ] || { fail "$label (not built)"; return; }
  fixture "$w"
  fixture "$n"
  (cd "$w" && printf '%b' "$input" | "$weld" run --dir sandbox --env GREETING=hello "$wasm" "$@" >"$w.out" 2>"$w.err")
  local rw=$?
  (cd "$n" && printf '%b' "$input" | node --no-warnings "$root/tests/wasi/node_run.mjs" "$wasm" "$n/sandbox" sandbox \
    --env GREETING=hello -- "$@" >"$n.out" 2>"$n.err")
  local rn=$?
  local why=""
  [ $rw -eq $rn ] || why+="exit weld $rw, node $rn; "
  cmp -s "$w.out" "$n.out" || why+="stdout differs: $(diff "$w.out" "$n.out" | head -n 12); "
  cmp -s "$w.err" "$n.err" || why+="stderr differs: $(diff "$w.err" "$n.err" | head -n 6); "
  [ "$(snapshot "$w")" = "$(snapshot "$n")" ] || why+="trees differ: $(diff <(snapshot "$w") <(snapshot "$n") | head -n 10)"
  if [ -z "$why" ]; then pass "$label (weld = node)"; else fail "$label (weld = node)" "$why"; fi
}

same envio 'one\ntwo words\n\nlast without newline' 5 'two words' ''
if cmp -s "$out/run-envio-weld.out" "$here/envio.expected"; then pass "envio (stdout = envio.expected)"; else
  fail "envio (stdout = envio.expected)" "$(diff "$here/envio.expected" "$out/run-envio-weld.out")"; fi
same envio '' 0
same files ''

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

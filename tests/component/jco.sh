#!/usr/bin/env bash
# Components made by an independent producer: jco (the Bytecode Alliance's JavaScript
# component toolchain, npm package @bytecodealliance/jco, pinned in jco_env.sh and
# installed into build/component-jco/node_modules) wraps WASI preview1 programs, compiled
# here with clang, into preview2 components with the adapter it ships (`jco new
# --wasi-command` / `--wasi-reactor`). weld must accept them, and list the imports and
# exports that jco's own reader (`jco wit`) finds; cut short, they must be rejected.
#
#   tests/component/jco.sh [WELD]
#
# Needs node, npm (and the network the first time), clang with wasm32-wasi. Not part of
# `make test` unless WELD_TEST_JCO=1 (it downloads from the npm registry).
# Ends with `N passed, M failed`.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
# shellcheck source=jco_env.sh
. "$root/tests/component/jco_env.sh"
harness_init jco "${1:-$root/build/weld}" node npm clang python3
label="install jco $JCO_VERSION"
if ! jco_install "$root/build/component-jco"; then
  bad "npm install failed"
  echo "$passed passed, $failed failed"
  exit 1
fi
ok
jco="$jco_dir/node_modules/.bin/jco"

cat >hello.c <<'C'
#include <stdio.h>
int main(int argc, char **argv) { printf("hello %d\n", argc); return 0; }
C
cat >lib.c <<'C'
__attribute__((export_name("add"))) int add(int a, int b) { return a + b; }
C
label="clang wasm32-wasi"
if clang --target=wasm32-wasi -O2 -o hello.wasm hello.c 2>err.txt &&
  clang --target=wasm32-wasi -O2 -mexec-model=reactor -o lib.wasm lib.c 2>>err.txt; then
  ok
else
  bad "$(cat err.txt)"
  echo "$passed passed, $failed failed"
  exit 1
fi

# names KIND FILE: the import or export names of `jco wit`'s world, one per line, sorted
wit_names() { sed -n "s/^ *$1 \\([^;:]*:[^;]*\\);$/\\1/p; s/^ *$1 \\([a-z][a-z0-9-]*\\): .*$/\\1/p" "$2" | LC_ALL=C sort; }
json_names() {
  python3 -c 'import json,sys; [print(e["name"]) for e in json.load(open(sys.argv[1]))[sys.argv[2]]]' "$2" "$1" | LC_ALL=C sort
}

for kind in command reactor; do
  src=hello.wasm
  [ $kind = reactor ] && src=lib.wasm
  label="jco new --wasi-$kind"
  if "$jco" new "$src" --wasi-$kind -o $kind.component.wasm >out.txt 2>&1; then ok; else bad "$(cat out.txt)"; continue; fi
  label="validate the $kind component"
  out="$("$weld" validate $kind.component.wasm 2>&1)"
  if [ "$out" = "$kind.component.wasm: valid (component)" ]; then ok; else bad "$out"; fi
  label="imports and exports of the $kind component, against jco wit"
  "$jco" wit $kind.component.wasm >wit.txt 2>&1
  "$weld" inspect --json $kind.component.wasm >inspect.json 2>/dev/null
  wit_names import wit.txt >want-imports.txt
  wit_names export wit.txt >want-exports.txt
  json_names imports inspect.json >got-imports.txt
  json_names exports inspect.json >got-exports.txt
  # the command adapter imports WASI interfaces; a reactor with no world has none
  if { [ -s want-imports.txt ] || [ $kind = reactor ]; } && cmp -s want-imports.txt got-imports.txt && cmp -s want-exports.txt got-exports.txt; then
    ok
  else
    bad "jco wit: $(tr '\n' ' ' <want-imports.txt) / $(tr '\n' ' ' <want-exports.txt); weld: $(tr '\n' ' ' <got-imports.txt) / $(tr '\n' ' ' <got-exports.txt)"
  fi
  label="run the $kind component"
  "$weld" run $kind.component.wasm >out.txt 2>&1
  rc=$?
  # the command runs on WASI 0.2 (src/wasi2; tests/wasi2 runs more); the reactor has no run
  if [ $kind = command ]; then
    if [ $rc -eq 0 ] && [ "$(cat out.txt)" = "hello 1" ]; then ok; else bad "exit $rc: $(cat out.txt)"; fi
  elif [ $rc -eq 1 ] && grep -qF "exports no wasi:cli/run interface" out.txt; then ok; else bad "exit $rc: $(cat out.txt)"; fi
  label="the $kind component cut short"
  size=$(wc -c <$kind.component.wasm)
  bad_cuts=0
  for cut in 9 100 1000 $((size / 2)) $((size - 1)); do
    [ "$cut" -lt "$size" ] || continue
    head -c $cut $kind.component.wasm >cut.wasm
    "$weld" validate cut.wasm >/dev/null 2>err.txt
    rc=$?
    [ $rc -eq 1 ] && grep -q "at offset" err.txt || { bad_cuts=$((bad_cuts + 1)); echo "cut $cut: exit $rc $(cat err.txt)"; }
  done
  if [ $bad_cuts -eq 0 ]; then ok; else bad "$bad_cuts cuts not rejected with an offset"; fi
done
# the adapters jco ships are core modules
label="jco's preview1 adapter is a valid core module"
if "$weld" validate -q "$jco_dir/node_modules/@bytecodealliance/jco/lib/wasi_snapshot_preview1.command.wasm" 2>err.txt; then ok; else bad "$(cat err.txt)"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# `weld compose` (src/component/compose.c): components written in the component text
# format (this folder) and a C program made into a WASI command by jco (`jco new
# --wasi-command`) are composed by weld; each composition must validate in weld, run
# under weld (`weld run --invoke`, `weld run`) and, transpiled by jco (`jco transpile`),
# under Node.js with the same results. Then the errors, word for word (expected.txt),
# and composing the component-model suite's binary components with each other never
# crashing (any outcome but a crash or an invalid output is fine).
#
#   tests/component/compose/run.sh [WELD] [SUITE]
#
# Needs node, npm (jco is installed as tests/component/jco.sh does), clang with
# wasm32-wasi. Ends with `N passed, M failed`.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
suite="${2:-$root/../shared/testsuite/component-model}"
case "$suite" in /*) ;; *) suite="$(pwd)/$suite" ;; esac
# shellcheck source=../../lib.sh
. "$root/tests/lib.sh"
# shellcheck source=../jco_env.sh
. "$root/tests/component/jco_env.sh"
harness_init component-compose "${1:-$root/build/weld}" node npm clang
label="install jco $JCO_VERSION"
if ! jco_install "$root/build/component-jco"; then
  bad "npm install failed"
  echo "$passed passed, $failed failed"
  exit 1
fi
jco="$jco_dir/node_modules/.bin/jco"
# transpiled JavaScript must live beside node_modules to find the preview2 shim
gen="$jco_dir/compose-gen.$$"
rm -rf "$gen" && mkdir -p "$gen"
trap 'rm -rf "$gen" "$tmp"' EXIT
cp "$root/tests/wasi2/node_run.mjs" "$gen/"
echo '{"type": "module"}' >"$gen/package.json"

# check LABEL EXPECTED COMMAND...: the command's stdout must be EXPECTED
check() {
  label=$1
  local want=$2 got
  shift 2
  got="$("$@" 2>err.check)"
  if [ "$got" = "$want" ]; then ok; else bad "expected '$want', got '$got'"; fi
}

# 1. a library (calc.wat: local:calc/ops@0.2.1, records, strings, lists) plugged into a
# component importing local:calc/ops@0.2.0 (app.wat)
label="compose app.wat --plug calc.wat"
if "$weld" compose "$here/app.wat" --plug "$here/calc.wat" -o app+calc.wasm 2>err.txt; then ok; else bad "$(cat err.txt)"; fi
check "weld validate app+calc.wasm" "app+calc.wasm: valid (component)" "$weld" validate app+calc.wasm
weld_run="$("$weld" run --invoke 'local:app/api#run()' app+calc.wasm 2>&1)"
weld_total="$("$weld" run --invoke 'total([5, 6, 7])' app+calc.wasm 2>&1)"
label="jco transpile app+calc.wasm"
if "$jco" transpile app+calc.wasm -o "$gen/calc" --name calc --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
cat >"$gen/calc/t.mjs" <<'JS'
import * as c from "./calc.js";
const r = c.api.run();
console.log(`{greeting: ${JSON.stringify(r.greeting)}, x: ${r.x}, y: ${r.y}, total: ${r.total}}`);
console.log(c.total(new Uint32Array([5, 6, 7])));
JS
node_out="$(node "$gen/calc/t.mjs" 2>&1)"
check "weld and Node.js agree on local:app/api#run() and total()" "$node_out" printf '%s\n%s' "$weld_run" "$weld_total"
check "the composition's result" '{greeting: "hello, weld", x: 31, y: 42, total: 10}' echo "$weld_run"

# 2. plugs satisfying each other: pinger.wat <- ping.wat <- pong_leaf.wat, and ping.wat's
# import of local:calc/ops@0.2.1 from calc.wat
label="compose a chain of plugs"
if "$weld" compose "$here/pinger.wat" --plug "$here/ping.wat" --plug "$here/pong_leaf.wat" --plug "$here/calc.wat" \
  -o chain.wasm 2>err.txt; then ok; else bad "$(cat err.txt)"; fi
check "run the chain" 16 "$weld" run --invoke 'ping-twice()' chain.wasm
label="jco transpile chain.wasm"
if "$jco" transpile chain.wasm -o "$gen/chain" --name chain --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
echo 'import * as c from "./chain.js"; console.log(c.pingTwice());' >"$gen/chain/t.mjs"
check "Node.js runs the chain" 16 node "$gen/chain/t.mjs"
# an import no plug satisfies passes through
"$weld" compose "$here/pinger.wat" --plug "$here/ping.wat" --plug "$here/pong_leaf.wat" -o open.wasm 2>/dev/null
check "a passed-through import" '"local:calc/ops@0.2.1" instance' sh -c "\"$weld\" inspect open.wasm | sed -n '/^Imports/{n;p;}' | cut -d' ' -f3,4"

# plugs and root importing one interface that passes through: imported once; and the
# composition composed again, with the plug for that import
label="compose pinger2.wat --plug ping.wat --plug pong_leaf.wat"
if "$weld" compose "$here/pinger2.wat" --plug "$here/ping.wat" --plug "$here/pong_leaf.wat" -o shared.wasm 2>err.txt; then ok; else bad "$(cat err.txt)"; fi
check "one import for two inputs" 'Imports (1):' sh -c "\"$weld\" inspect shared.wasm | grep '^Imports'"
label="compose shared.wasm --plug calc.wat"
if "$weld" compose shared.wasm --plug "$here/calc.wat" -o shared+calc.wasm 2>err.txt; then ok; else bad "$(cat err.txt)"; fi
check "run a composition of a composition" 308 "$weld" run --invoke 'ping-sum()' shared+calc.wasm
label="jco transpile shared+calc.wasm"
if "$jco" transpile shared+calc.wasm -o "$gen/shared" --name shared --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
echo 'import * as c from "./shared.js"; console.log(c.pingSum());' >"$gen/shared/t.mjs"
check "Node.js runs shared+calc.wasm" 308 node "$gen/shared/t.mjs"

# top-level type and function imports pass through (a record named by its import);
# semver-compatible imports of two inputs share one
label="compose types_root.wat --plug ping_v020.wat"
if "$weld" compose "$here/types_root.wat" --plug "$here/ping_v020.wat" -o types.wasm 2>err.txt; then ok; else bad "$(cat err.txt)"; fi
check "the imports of types.wasm" $'"local:calc/ops@0.2.0" instance\n"pt" type\n"get" func' \
  sh -c "\"$weld\" inspect types.wasm | sed -n '/^Imports/,/^\$/p' | sed -n 's/^  \\(\"[^\"]*\" [a-z]*\\) .*/\\1/p'"
label="jco transpile types.wasm"
if "$jco" transpile types.wasm -o "$gen/types" --name types --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi

# a resource type import satisfied by a plug's resource, with functions on its handles
label="compose res_root.wat --plug res_lib.wat"
if "$weld" compose "$here/res_root.wat" --plug "$here/res_lib.wat" -o res.wasm 2>err.txt; then ok; else bad "$(cat err.txt)"; fi
check "run res.wasm" 41 "$weld" run --invoke 'run(4)' res.wasm
label="jco transpile res.wasm"
if "$jco" transpile res.wasm -o "$gen/res" --name res --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
echo 'import * as c from "./res.js"; console.log(c.run(4));' >"$gen/res/t.mjs"
check "Node.js runs res.wasm" 41 node "$gen/res/t.mjs"

# an import of an interface that exports only types (a record another interface uses, and
# a resource) passes through and needs nothing from the host at run time
label="compose typesonly.wat --plug shape_api.wat"
if "$weld" compose "$here/typesonly.wat" --plug "$here/shape_api.wat" -o typesonly.wasm 2>err.txt; then ok; else bad "$(cat err.txt)"; fi
check "the types-only import passes through" '"local:shape/types" instance' sh -c "\"$weld\" inspect typesonly.wasm | sed -n '/^Imports/{n;p;}' | cut -d' ' -f3,4"
weld_ts="$("$weld" run --invoke 'run(5)' typesonly.wasm 2>&1; "$weld" run --invoke 'run(-9)' typesonly.wasm 2>&1)"
check "run typesonly.wasm" $'12\n16' echo "$weld_ts"
label="jco transpile typesonly.wasm"
if "$jco" transpile typesonly.wasm -o "$gen/typesonly" --name typesonly --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
echo 'import * as c from "./typesonly.js"; console.log(c.run(5)); console.log(c.run(-9));' >"$gen/typesonly/t.mjs"
check "Node.js runs typesonly.wasm as weld does" "$weld_ts" node "$gen/typesonly/t.mjs"

# a plug exporting an interface whose function uses the record of another interface it
# exports: both imports of the root satisfied; its world as jco prints it
label="compose shape_user.wat --plug shape_both.wat"
if "$weld" compose "$here/shape_user.wat" --plug "$here/shape_both.wat" -o shape.wasm 2>err.txt; then ok; else bad "$(cat err.txt)"; fi
check "shape.wasm imports nothing" 'Imports (0):' sh -c "\"$weld\" inspect shape.wasm | grep '^Imports'"
weld_sh="$("$weld" run --invoke 'run(5)' shape.wasm 2>&1)"
check "run shape.wasm" 12 echo "$weld_sh"
"$weld" encode "$here/shape_both.wat" -o shape_both.wasm 2>/dev/null
check "weld wit print shape_both.wasm as jco wit" "$("$jco" wit shape_both.wasm 2>&1)" "$weld" wit print shape_both.wasm
label="jco transpile shape.wasm"
if "$jco" transpile shape.wasm -o "$gen/shape" --name shape --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
echo 'import * as c from "./shape.js"; console.log(c.run(5));' >"$gen/shape/t.mjs"
check "Node.js runs shape.wasm as weld does" "$weld_sh" node "$gen/shape/t.mjs"

# a root exporting a resource and a record with functions that use them: composed, those
# function exports are ascribed types naming the exported ones, else the composition is
# invalid (found by fuzz_component). jco cannot take it (a world exports no bare types):
# the reference for the rule is the suite's external-visibility.wast, which weld passes.
label="compose res_export.wat --plug pong_leaf.wat"
if "$weld" compose "$here/res_export.wat" --plug "$here/pong_leaf.wat" -o res_export.wasm 2>err.txt; then ok; else bad "$(cat err.txt)"; fi
check "run res_export.wasm" '{x: 21}' "$weld" run --invoke 'origin()' res_export.wasm

# 3. a C program made a WASI command by jco, its wasi:cli/environment from a plug; the
# other WASI imports (streams and their resources among them) pass through
label="clang wasm32-wasi hello.c"
if clang --target=wasm32-wasi -O1 -Wall -Werror -o hello.wasm "$here/hello.c" 2>err.txt; then ok; else bad "$(head -5 err.txt)"; fi
label="jco new --wasi-command"
if "$jco" new hello.wasm --wasi-command -o hello.comp.wasm >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
label="compose hello.comp.wasm --plug env.wat"
if "$weld" compose hello.comp.wasm --plug "$here/env.wat" -o hello+env.wasm 2>err.txt; then ok; else bad "$(cat err.txt)"; fi
check "weld validate hello+env.wasm" "hello+env.wasm: valid (component)" "$weld" validate hello+env.wasm
want=$'argc=2 greeting=hello from a plug\narg 0: prog\narg 1: x'
check "weld run hello+env.wasm" "$want" env GREETING=host "$weld" run hello+env.wasm a b
label="jco transpile hello+env.wasm"
if "$jco" transpile hello+env.wasm -o "$gen/hello" --name hello --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
check "Node.js runs hello+env.wasm" "$want" node "$gen/node_run.mjs" "$gen/hello/hello.js" --env GREETING=host -- a b

# the command as a plug of a root that re-exports wasi:cli/run (runner.wat), with its
# environment from env.wat: a plug's WASI imports pass through
label="compose runner.wat --plug hello.comp.wasm --plug env.wat"
if "$weld" compose "$here/runner.wat" --plug hello.comp.wasm --plug "$here/env.wat" -o runner.wasm 2>err.txt; then ok; else bad "$(cat err.txt)"; fi
check "weld run runner.wasm" "$want" "$weld" run runner.wasm a b
label="jco transpile runner.wasm"
if "$jco" transpile runner.wasm -o "$gen/runner" --name runner --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
check "Node.js runs runner.wasm" "$want" node "$gen/node_run.mjs" "$gen/runner/runner.js" -- a b

# 4. errors, word for word; no output file is left behind
while IFS='|' read -r args want; do
  [ -z "$args" ] && continue
  case "$args" in \#*) continue ;; esac
  label="weld compose $args"
  rm -f err.out
  # shellcheck disable=SC2086
  (cd "$here" && "$weld" compose $args -o "$tmp/err.out") >/dev/null 2>err.txt
  rc=$?
  if [ "$rc" = 1 ] && [ "$(cat err.txt)" = "$want" ] && [ ! -e err.out ]; then ok; else bad "rc $rc: $(cat err.txt)"; fi
done <"$here/expected.txt"

# the command line: an unreadable file (2), a module that is no component (1), no plug (2)
check "weld compose: a missing file" "weld: cannot open missing.wasm: No such file or directory"$'\n'"rc=2" \
  sh -c "\"$weld\" compose missing.wasm --plug \"$here/calc.wat\" -o x.wasm 2>&1; echo rc=\$?"
check "weld compose: a module" "weld: compose: $root/examples/fac.wasm: not a component"$'\n'"rc=1" \
  sh -c "\"$weld\" compose \"$root/examples/fac.wasm\" --plug \"$here/calc.wat\" -o x.wasm 2>&1; echo rc=\$?"
check "weld compose: no plug" "weld: compose: no --plug given (see 'weld help compose')"$'\n'"rc=2" \
  sh -c "\"$weld\" compose \"$here/app.wat\" -o x.wasm 2>&1; echo rc=\$?"

# 5. the suite's components (binary and text) composed with those that export what they
# import (suite_pairs.py): never a crash, never an invalid output (compose validates what
# it writes and calls a failure an internal error)
label="compose the component-model suite's components"
if [ -d "$suite" ]; then
  mkdir -p bins
  mapfile -t scripts < <(find "$suite" -name '*.wast' | sort)
  python3 "$here/suite_components.py" bins "${scripts[@]}" >/dev/null
  python3 "$here/suite_pairs.py" "$weld" bins >pairs.txt
  crashes=0 tried=0 composed=0
  while read -r r p1 p2; do
    plugs=(--plug "$p1")
    [ -n "$p2" ] && plugs+=(--plug "$p2")
    "$weld" compose "$r" "${plugs[@]}" -o fz.wasm >/dev/null 2>fz.err
    rc=$?
    tried=$((tried + 1))
    if [ "$rc" -gt 2 ] || grep -q 'internal error' fz.err; then
      crashes=$((crashes + 1))
      echo "crash or internal error ($rc): $r ${plugs[*]}: $(head -1 fz.err)"
    elif [ "$rc" = 0 ]; then
      composed=$((composed + 1))
      if ! "$weld" validate fz.wasm >/dev/null 2>&1; then crashes=$((crashes + 1)); echo "invalid: $r ${plugs[*]}"; fi
    fi
  done <pairs.txt
  echo "the suite's components: $tried compositions tried, $composed written"
  if [ "$tried" -gt 0 ] && [ "$crashes" = 0 ]; then ok; else bad "$crashes of $tried crashed, failed inside or were invalid"; fi
else
  echo "skipped: $suite not found"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

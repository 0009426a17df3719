#!/usr/bin/env bash
# A component written in JavaScript (tests/component/toolchains/app.js, world.wit), made by
# `jco componentize` (StarlingMonkey), under weld and under Node.js (jco transpile + the
# preview2 shim): the command (`weld run`: arguments, granted variables, stdout, the exit
# status) against the same run in Node.js and against the lines this script expects, and
# the interface `lib` (records, variants, enums, flags, lists, options, results, a
# resource made and used inside the component) through `weld run --invoke` against
# jco's transpilation (tests/component/runtime_node.mjs) and against results computed in
# Python (toolchains/cases.py). componentize takes minutes: the component is kept under a
# stamp of its inputs in build/component-jco/toolchains-cache. Then toolchains/user.wat, which
# imports `lib`, composed with it by weld compose: the resource across the boundary.
#
#   tests/component/toolchains.sh [WELD]
#
# Ends with `N passed, M failed`; skipped (`0 passed, 0 failed, 1 skipped`) with the reason
# when node, npm or jco are unavailable.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/tests/component/toolchains"
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
# shellcheck source=jco_env.sh
. "$root/tests/component/jco_env.sh"
for t in node npm python3; do
  if ! command -v $t >/dev/null; then
    echo "toolchains: skipped: $t not found"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
  fi
done
harness_init toolchains "${1:-$root/build/weld}" node npm python3
if ! jco_install "$root/build/component-jco" 2>err.txt; then
  echo "toolchains: skipped: $(cat err.txt)"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
jco="$jco_dir/node_modules/.bin/jco"

cache="$jco_dir/toolchains-cache"
stamp="$(cat "$here/app.js" "$here/world.wit" "$root/tests/component/toolchains.sh" | sha256sum | cut -c1-16)-$JCO_VERSION-$(node --version)"
label="jco componentize app.js"
if jco_componentize_cached "$cache" "$stamp" "$here/world.wit" "$here/app.js" app app.wasm; then ok; else
  bad "$(head -8 out.txt)"
  echo "$passed passed, $failed failed"
  exit 1
fi
label="jco transpile app.wasm"
if "$jco" transpile app.wasm -o t/app --name app --no-typescript >out.txt 2>&1; then ok; else
  bad "$(head -5 out.txt)"
  echo "$passed passed, $failed failed"
  exit 1
fi
ln -sfn "$jco_dir/node_modules" node_modules
cp "$root/tests/wasi2/node_run.mjs" .

# ---- the command ------------------------------------------------------------------------------
# StarlingMonkey reads the clocks and the random source as it starts
printf '[env]\nset = { JS_A = "1", JS_B = "two words" }\n[system]\nclocks = true\nrandom = true\n' >cmd.toml
# cmd NAME ARGS...: weld and Node.js, NAME.{weld,node}.{out,rc}; NAME.want.out is expected
cmd() {
  local name=$1
  shift
  "$weld" run --policy cmd.toml app.wasm "$@" >"$name.weld.out" 2>"$name.weld.err"
  echo $? >"$name.weld.rc"
  node node_run.mjs t/app/app.js --env JS_A=1 --env "JS_B=two words" -- app "$@" >"$name.node.out" 2>"$name.node.err"
  echo $? >"$name.node.rc"
  label="command $name: weld = Node.js"
  if cmp -s "$name.weld.out" "$name.node.out" && cmp -s "$name.weld.rc" "$name.node.rc"; then ok; else
    bad "status $(cat "$name.weld.rc") vs $(cat "$name.node.rc"); $(diff "$name.weld.out" "$name.node.out" | head -6 | tr '\n' ' ') $(head -3 "$name.weld.err" "$name.node.err" | tr '\n' ' ')"
  fi
  label="command $name: the output expected"
  if cmp -s "$name.weld.out" "$name.want.out" && [ "$(cat "$name.weld.rc")" = "$want_rc" ]; then ok; else
    bad "status $(cat "$name.weld.rc"), want $want_rc; $(diff "$name.weld.out" "$name.want.out" | head -6 | tr '\n' ' ')"
  fi
}
python3 - <<'PY'
import math
def out(name, args):
    lines = ["%d arguments" % len(args)] + ["arg %d: [%s] %d chars" % (i + 1, a, len(a)) for i, a in enumerate(args)]
    lines += ["JS_A=1", "JS_B=two words", "counter at 42; area of circle(1) %r" % math.pi]
    open(name + ".want.out", "w").write("\n".join(lines) + "\n")
out("args", ["x", "a b", "", "ü€"])
out("fail", ["fail", "now"])
PY
want_rc=0 cmd args x "a b" "" "ü€"
# wasi:cli/exit with err: a failure, status 1
want_rc=1 cmd fail fail now

# ---- the library ------------------------------------------------------------------------------
python3 "$here/cases.py" t
label="Node.js calls lib (jco transpile)"
if node "$root/tests/component/runtime_node.mjs" t >node.txt 2>err.txt; then ok; else bad "$(tail -5 err.txt)"; fi
# every call in one weld run (calls run in turn on the one instance)
python3 - "$weld" <<'PY' >check.txt
import json, subprocess, sys
weld = sys.argv[1]
cases = json.load(open("t/cases.json"))
node = open("node.txt", encoding="utf-8").read().split("\n")
args = [weld, "run"]
for c in cases: args += ["--invoke", c["wave"]]
p = subprocess.run(args + ["app.wasm"], capture_output=True, text=True)
got = p.stdout.split("\n")
if p.returncode != 0: print("FAIL weld run --invoke: status %d: %s" % (p.returncode, p.stderr.strip()[:300]))
for i, c in enumerate(cases):
    g = got[i] if i < len(got) else "<missing>"
    n = node[i] if i < len(node) else "<missing>"
    print(("ok" if g == n else "FAIL") + " [%s: weld = Node.js] weld %s, Node.js %s" % (c["wave"][:60], g, n))
    print(("ok" if g == c["want"] else "FAIL") + " [%s: as computed] weld %s, want %s" % (c["wave"][:60], g, c["want"]))
PY
while IFS= read -r line; do
  label="${line#* }"
  case "$line" in ok*) ok ;; *) failed=$((failed + 1)); echo "$line" ;; esac
done <check.txt

# the resource: constructed and used inside the component (WAVE has no handles), counted,
# and one handed to weld (`own<resource rep N>`, the host keeps it)
"$weld" run --invoke 'counters-made()' --invoke 'tally([5, 6], [1])' --invoke 'counters-made()' \
  --invoke 'make-counter(3)' --invoke 'counters-made()' app.wasm >res.out 2>&1
label="resource: constructors counted, a handle returned to weld"
if [ "$(tr '\n' ' ' <res.out)" = "0 [6, 7] 2 own<resource rep 1> 3 " ]; then ok; else bad "$(cat res.out)"; fi
"$weld" run --invoke '[constructor]counter(7)' app.wasm >ctor.out 2>&1
rc=$?
label="resource: its constructor called by weld"
if [ $rc = 0 ] && grep -q '^own<resource rep' ctor.out; then ok; else bad "status $rc: $(cat ctor.out)"; fi

# the resource across a component boundary: toolchains/user.wat imports lib and calls the
# constructor, a method, the static merge, a borrow-taking function and resource.drop;
# weld compose plugs app.js's component in (its imports pass through: wasi:http's
# outgoing-handler uses records of wasi:http/types, aliased from that import); weld and
# Node.js (jco's transpilation) run it
label="weld compose user.wat --plug app.wasm"
if "$weld" compose "$here/user.wat" --plug app.wasm -o comp.wasm >out.txt 2>&1; then ok; else bad "$(head -3 out.txt)"; fi
label="jco transpile comp.wasm"
if "$jco" transpile comp.wasm -o t/comp --name comp --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
# (counters below 2^31: a method's u32 result from 2^31 up comes out of the component as
# the low word of its double, 0xffffffff as 0xffe00000, under weld and Node.js alike: the
# JavaScript engine's lowering, not the runtime's)
want="$(python3 -c 'm = 2**32
for a, b in ((3, 10), (100, 200), (123456, 654321)):
    print(((a + 5 + b) % m * 1000 + (a + 5) % m) % m)')"
"$weld" run --policy cmd.toml --invoke 'exercise(3, 10)' --invoke 'exercise(100, 200)' \
  --invoke 'exercise(123456, 654321)' comp.wasm >comp.weld 2>&1
cat >comp.mjs <<'JS'
const m = await import(process.argv[2]);
for (const [a, b] of [[3, 10], [100, 200], [123456, 654321]]) console.log(m.exercise(a, b));
try { m.useDropped(); console.log("no trap"); } catch (e) { console.log("trap"); }
JS
node comp.mjs "$tmp/t/comp/comp.js" >comp.node 2>&1
label="resource across components: weld = Node.js"
if [ "$(cat comp.weld)" = "$(head -3 comp.node)" ]; then ok; else bad "weld $(cat comp.weld | tr '\n' ' '), Node.js $(cat comp.node | tr '\n' ' ')"; fi
label="resource across components: as computed"
if [ "$(cat comp.weld)" = "$want" ]; then ok; else bad "weld $(cat comp.weld | tr '\n' ' '), want $(echo $want)"; fi
"$weld" run --policy cmd.toml --invoke 'use-dropped()' comp.wasm >drop.out 2>&1
rc=$?
label="a method on a dropped handle traps (weld and Node.js)"
if [ $rc = 134 ] && grep -q 'unknown handle index' drop.out && [ "$(tail -1 comp.node)" = trap ]; then ok; else
  bad "status $rc: $(cat drop.out); Node.js: $(tail -1 comp.node)"
fi

# a value that does not fit the type: one line, status 2
"$weld" run --invoke 'checked-div(1, 2147483648)' app.wasm >range.out 2>&1
rc=$?
label="a value out of range is refused"
if [ $rc = 2 ] && grep -q 'out of range' range.out; then ok; else bad "status $rc: $(cat range.out)"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Imported functions that pass strings, lists, a tuple, options, results, an enum, a
# variant whose payloads share joined flat slots (i32, i64, f32, f64, string), a record
# with a string and more than 16 flat parameters: world `consumer` (consumer.c) imports
# interface `text`, world `provider` (provider.c) exports it, both through `weld wit
# bindgen --lang c`, built with clang --target=wasm32-wasi, wrapped by `weld component
# new` and joined by `weld compose`. jco transpiles each component (its world printed by
# `jco wit` as `weld wit print` prints it) and the composed one; calls.mjs checks the
# composed one's results against JavaScript's and prints them; `weld run --invoke` must
# give the same. A record one interface uses from another (use.wit), under weld run and jco.
# World `both` exports shapes and geo (geo's pt is the shapes export's). Then the errors
# for a module that lacks what an import needs. (Handles:
# tests/wit/resources.)
# Usage: run.sh WELD JCO   (JCO: the jco executable, or empty to skip the jco half)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
. "$here/../lib.sh"
wit_init imports "${1:?usage: run.sh WELD JCO}" "${2:-}"
for w in provider consumer; do
  if "$WELD" wit bindgen --lang c --world $w -o "$tmp" "$here/text.wit" 2>"$tmp/err" &&
    cc -I"$tmp" -o "$tmp/$w.core.wasm" "$here/$w.c" "$tmp/$w.c" 2>"$tmp/err" &&
    "$WELD" component new "$tmp/$w.core.wasm" --wit "$here/text.wit" --world $w -o "$tmp/$w.wasm" 2>"$tmp/err" &&
    "$WELD" validate -q "$tmp/$w.wasm" 2>"$tmp/err"; then ok; else bad "$w: $(head -5 "$tmp/err")"; fi
done
if "$WELD" compose "$tmp/consumer.wasm" --plug "$tmp/provider.wasm" -o "$tmp/app.wasm" 2>"$tmp/err"; then ok; else
  bad "compose: $(cat "$tmp/err")"
fi

if [ -n "$JCO" ] && [ -f "$tmp/app.wasm" ]; then
  # each component as jco reads it: transpiled, its world as `jco wit` prints it
  for w in provider consumer; do
    if "$JCO" transpile "$tmp/$w.wasm" -o "$tmp/js-$w" --name $w >"$tmp/out" 2>&1 && "$JCO" wit "$tmp/$w.wasm" >"$tmp/$w.jco.wit" 2>"$tmp/out" &&
      "$WELD" wit print "$tmp/$w.wasm" >"$tmp/$w.weld.wit" 2>>"$tmp/out" &&
      [ "$(cat "$tmp/$w.jco.wit")" = "$(cat "$tmp/$w.weld.wit")" ]; then ok; else
      bad "$w under jco: $(tail -3 "$tmp/out"; diff "$tmp/$w.jco.wit" "$tmp/$w.weld.wit" 2>/dev/null | head -10)"
    fi
  done
  same_as_jco "$here"
else
  echo "imports: jco missing (or nothing composed): the run under jco and weld skipped"
  skip=$((skip + 1))
fi

# the host's imports: wasi:random's lists and tuple written into the guest by weld run
if "$WELD" wit bindgen --lang c -o "$tmp/rnd" "$here/random.wit" 2>"$tmp/err" &&
  cc -I"$tmp/rnd" -o "$tmp/rnd.core.wasm" "$here/random.c" "$tmp/rnd/rnd.c" 2>"$tmp/err" &&
  "$WELD" component new "$tmp/rnd.core.wasm" --wit "$here/random.wit" -o "$tmp/rnd.wasm" 2>"$tmp/err" &&
  "$WELD" run --invoke 'count(0)' --invoke 'count(7)' --invoke 'count(65537)' --invoke 'differ()' "$tmp/rnd.wasm" >"$tmp/got.txt" 2>"$tmp/err" &&
  [ "$(cat "$tmp/got.txt")" = $'0\n7\n65537\ntrue' ]; then ok; else
  bad "wasi:random from the host: $(cat "$tmp/got.txt" "$tmp/err" 2>/dev/null | head -5)"
fi

# an import through memory needs the module's memory; a core import twice
printf '(module (import "test:text/text@0.1.0" "sum" (func (param i32 i32) (result i32))) (func (export "sum-of") (param i32 i32) (result i32) i32.const 0))' >"$tmp/m.wat"
"$WELD" encode "$tmp/m.wat" -o "$tmp/m.wasm"
want="weld: $tmp/m.wasm: the core module does not export \`memory\`, which imported \`sum\` needs"
got=$("$WELD" component new "$tmp/m.wasm" --wit "$here/text.wit" --world consumer -o "$tmp/x.wasm" 2>&1)
if [ "$?" = 1 ] && [ "$got" = "$want" ] && [ ! -e "$tmp/x.wasm" ]; then ok; else bad "component new without memory: '$got', want '$want'"; fi
printf '(module (import "test:text/text@0.1.0" "sum" (func (param i32 i32) (result i32))) (import "test:text/text@0.1.0" "sum" (func (param i32 i32) (result i32))) (memory (export "memory") 1))' >"$tmp/m.wat"
"$WELD" encode "$tmp/m.wat" -o "$tmp/m.wasm"
want="weld: $tmp/m.wasm: not supported: the core module imports \`test:text/text@0.1.0\` \`sum\` twice"
got=$("$WELD" component new "$tmp/m.wasm" --wit "$here/text.wit" --world consumer -o "$tmp/x.wasm" 2>&1)
if [ "$?" = 1 ] && [ "$got" = "$want" ] && [ ! -e "$tmp/x.wasm" ]; then ok; else bad "component new of an import twice: '$got', want '$want'"; fi

# a record of interface shapes that geo uses: declared in the shapes instance import, aliased
# out for geo's; under jco the composed component (its import of shapes holds only the
# type) must give len(mk(x)).
for w in prov:use_provider user:use_user; do
  src=${w#*:} w=${w%%:*}
  if "$WELD" wit bindgen --lang c --world $w -o "$tmp/use" "$here/use.wit" 2>"$tmp/err" &&
    cc -I"$tmp/use" -o "$tmp/use-$w.core.wasm" "$here/$src.c" "$tmp/use/$w.c" 2>"$tmp/err" &&
    "$WELD" component new "$tmp/use-$w.core.wasm" --wit "$here/use.wit" --world $w -o "$tmp/use-$w.wasm" 2>"$tmp/err"; then ok; else
    bad "use.wit $w: $(head -5 "$tmp/err")"
  fi
done
# the composition still imports shapes, which holds only the type: weld run needs nothing
# for it from the host
if "$WELD" compose "$tmp/use-user.wasm" --plug "$tmp/use-prov.wasm" -o "$tmp/use-app.wasm" 2>"$tmp/err"; then
  ok
  weld_use=$("$WELD" run --invoke 'go(10)' "$tmp/use-app.wasm" 2>&1; "$WELD" run --invoke 'go(-3)' "$tmp/use-app.wasm" 2>&1)
  if [ "$weld_use" = $'13\n0' ]; then ok; else bad "use.wit under weld run: '$weld_use', want 13 and 0"; fi
else
  bad "compose use.wit: $(cat "$tmp/err")"
fi
if [ -n "$JCO" ] && [ -f "$tmp/use-app.wasm" ]; then
  echo 'export {};' >"$tmp/empty.mjs"
  for w in prov user; do
    if "$JCO" wit "$tmp/use-$w.wasm" >"$tmp/a.wit" 2>"$tmp/err" && "$WELD" wit print "$tmp/use-$w.wasm" >"$tmp/b.wit" 2>>"$tmp/err" &&
      [ "$(cat "$tmp/a.wit")" = "$(cat "$tmp/b.wit")" ]; then ok; else bad "use.wit $w: jco wit and weld wit print differ: $(cat "$tmp/err")"; fi
  done
  if "$JCO" transpile "$tmp/use-app.wasm" -o "$tmp/js-use" --name app --map "test:u/shapes=$tmp/empty.mjs" >"$tmp/out" 2>&1 &&
    got=$(node --input-type=module -e "const g = await import('$tmp/js-use/app.js'); console.log(g.go(10), g.go(-3));" 2>&1) &&
    [ "$got" = "13 0" ]; then ok; else bad "use.wit under jco: ${got:-$(tail -3 "$tmp/out")}"; fi
fi
# world both (shapes and geo exported): geo's functions take the pt of the shapes export;
# a hand-written core module (len gives x plus the label's length, read through the
# pointers it is passed) under weld run
cat >"$tmp/b.wat" <<'WAT'
(module (memory (export "memory") 1)
  (global $top (mut i32) (i32.const 1024))
  (func (export "test:u/geo#len") (param i32 i32 i32) (result i32) (i32.add (local.get 0) (local.get 2)))
  (func (export "test:u/geo#mk") (param i32) (result i32) (i32.const 0))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (global.get $top) (global.set $top (i32.add (global.get $top) (local.get 3)))))
WAT
"$WELD" encode "$tmp/b.wat" -o "$tmp/b.wasm"
if "$WELD" component new "$tmp/b.wasm" --wit "$here/use.wit" --world both -o "$tmp/both.wasm" 2>"$tmp/err" &&
  got=$("$WELD" run --invoke 'test:u/geo#len({x: 40, label: "abcd"})' "$tmp/both.wasm" 2>&1) && [ "$got" = 44 ]; then ok; else
  bad "use.wit world both: ${got:-$(cat "$tmp/err")}, want 44"
fi
if [ -n "$JCO" ] && [ -f "$tmp/both.wasm" ]; then
  if "$JCO" wit "$tmp/both.wasm" >"$tmp/a.wit" 2>"$tmp/err" && "$WELD" wit print "$tmp/both.wasm" >"$tmp/b.wit" 2>>"$tmp/err" &&
    [ "$(cat "$tmp/a.wit")" = "$(cat "$tmp/b.wit")" ]; then ok; else bad "use.wit both: jco wit and weld wit print differ: $(cat "$tmp/err")"; fi
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]

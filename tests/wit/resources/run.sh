#!/usr/bin/env bash
# Resources through the C bindings: world `provider` (provider.c) exports interface
# `counters` with resource `counter` (constructor, methods, static functions, a destructor
# that counts), world `consumer` (consumer.c) imports it; both through `weld wit bindgen
# --lang c`, built with clang --target=wasm32-wasi, wrapped by `weld component new`,
# validated, and joined by `weld compose`. jco transpiles each (its world printed by `jco
# wit` as `weld wit print` prints it); host.mjs calls the provider from JavaScript as a
# host; calls.mjs checks the composed one's results against a model in JavaScript and
# prints them; `weld run --invoke` must give the same, and trap on a dropped handle used
# or dropped again (exit 134, weld's message). The provider alone called by `weld run`
# as the host. An exported interface using an imported resource; then what is refused.
# Usage: run.sh WELD JCO   (JCO: the jco executable, or empty to skip the jco half)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
. "$here/../lib.sh"
wit_init resources "${1:?usage: run.sh WELD JCO}" "${2:-}"
wit=$here/counters.wit
for w in provider consumer; do
  if "$WELD" wit bindgen --lang c --world $w -o "$tmp" "$wit" 2>"$tmp/err" &&
    cc -I"$tmp" -o "$tmp/$w.core.wasm" "$here/$w.c" "$tmp/$w.c" 2>"$tmp/err" &&
    "$WELD" component new "$tmp/$w.core.wasm" --wit "$wit" --world $w -o "$tmp/$w.wasm" 2>"$tmp/err" &&
    "$WELD" validate -q "$tmp/$w.wasm" 2>"$tmp/err"; then ok; else bad "$w: $(head -5 "$tmp/err")"; fi
done
if "$WELD" compose "$tmp/consumer.wasm" --plug "$tmp/provider.wasm" -o "$tmp/app.wasm" 2>"$tmp/err" &&
  "$WELD" validate -q "$tmp/app.wasm" 2>"$tmp/err"; then ok; else
  bad "compose: $(cat "$tmp/err")"
fi

if [ -n "$JCO" ] && [ -f "$tmp/app.wasm" ]; then
  for w in provider consumer; do
    if "$JCO" transpile "$tmp/$w.wasm" -o "$tmp/js-$w" --name $w >"$tmp/out" 2>&1 &&
      "$JCO" wit "$tmp/$w.wasm" 2>"$tmp/out" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$tmp/$w.jco.wit" &&
      "$WELD" wit print "$tmp/$w.wasm" >"$tmp/$w.weld.wit" 2>>"$tmp/out" &&
      cmp -s "$tmp/$w.jco.wit" "$tmp/$w.weld.wit"; then ok; else
      bad "$w under jco: $(tail -3 "$tmp/out"; diff "$tmp/$w.jco.wit" "$tmp/$w.weld.wit" 2>/dev/null | head -10)"
    fi
  done
  # the exported resource used by JavaScript as the host
  if node "$here/host.mjs" "$tmp/js-provider" >"$tmp/out" 2>&1; then ok; else bad "provider from JavaScript: $(tail -5 "$tmp/out")"; fi
  same_as_jco "$here"
else
  echo "resources: jco missing (or nothing composed): the runs under jco skipped"
  skip=$((skip + 1))
fi

# the provider alone under weld, the host calling its exports: handles made by the C
# constructor (resource.new) come back as own handles (the representation, a malloc'd
# address, shown as N), in an option, a record and a result; the error; no destructor ran
if [ -f "$tmp/provider.wasm" ]; then
  got=$("$WELD" run --invoke '[constructor]counter(3)' --invoke 'maybe(4)' --invoke 'maybe(-4)' --invoke 'label("x", 1)' \
    --invoke '[static]counter.parse("12")' --invoke '[static]counter.parse("zz")' --invoke 'total([])' \
    --invoke '[static]counter.destroyed()' "$tmp/provider.wasm" 2>&1 | sed 's/rep [0-9][0-9]*/rep N/g')
  want=$'own<resource rep N>\nsome(own<resource rep N>)\nnone\n{name: "x", c: own<resource rep N>}\nok(own<resource rep N>)\nerr("not a number: zz")\n0\n0'
  if [ "$got" = "$want" ]; then ok; else bad "the provider under weld run: got '$got', want '$want'"; fi
fi

# the canonical ABI's traps under weld: a method through a dropped handle, a handle
# dropped twice (the consumer's first handle is index 1 of its table)
if [ -f "$tmp/app.wasm" ]; then
  for call in 'use-after-drop()' 'drop-twice()'; do
    got=$("$WELD" run --invoke "$call" "$tmp/app.wasm" 2>&1)
    rc=$?
    want="weld: $tmp/app.wasm: trap: canonical ABI: unknown handle index 1"
    if [ "$rc" = 134 ] && [ "$got" = "$want" ]; then ok; else bad "$call: exit $rc, '$got', want 134, '$want'"; fi
  done
fi

# what is refused: a core import of a resource built-in the world has no resource for,
# and a resource function declared async
printf '(module (import "[export]test:res/counters@0.1.0" "[resource-new]nope" (func (param i32) (result i32))))' >"$tmp/n.wat"
"$WELD" encode "$tmp/n.wat" -o "$tmp/n.wasm"
want="weld: $tmp/n.wasm: the core module imports \`[export]test:res/counters@0.1.0\` \`[resource-new]nope\`, which world \`provider\` does not import"
got=$("$WELD" component new "$tmp/n.wasm" --wit "$wit" --world provider -o "$tmp/x.wasm" 2>&1)
if [ "$?" = 1 ] && [ "$got" = "$want" ] && [ ! -e "$tmp/x.wasm" ]; then ok; else bad "component new of an unknown built-in: '$got', want '$want'"; fi
cat >"$tmp/a.wit" <<'WIT'
package test:a;
interface files {
  resource file {
    read: async func() -> u32;
  }
}
world user {
  import files;
}
WIT
want="weld: wit bindgen: not supported: \`read\` of resource \`file\` is async"
got=$("$WELD" wit bindgen --lang c -o "$tmp/a" "$tmp/a.wit" 2>&1)
if [ "$?" = 1 ] && [ "$got" = "$want" ]; then ok; else bad "bindgen of an async method: '$got', want '$want'"; fi

# an exported interface using an imported interface's resource (borrowed: a handle of the
# import); the same resource exported is refused (like an exported interface's record)
cat >"$tmp/u.wit" <<'WIT'
package test:u@0.1.0;
interface a {
  resource r { constructor(x: u32); get: func() -> u32; }
}
interface b {
  use a.{r};
  twice: func(x: borrow<r>) -> u32;
}
world mid {
  import a;
  export b;
}
world both {
  export a;
  export b;
}
WIT
printf '#include "mid.h"\nuint32_t exports_mid_b_twice(mid_borrow_r_t x) { return 2 * mid_a_method_r_get(x); }\n' >"$tmp/mid.c"
if "$WELD" wit bindgen --lang c --world mid -o "$tmp/u" "$tmp/u.wit" 2>"$tmp/err" &&
  cc -I"$tmp/u" -o "$tmp/mid.core.wasm" "$tmp/mid.c" "$tmp/u/mid.c" 2>"$tmp/err" &&
  "$WELD" component new "$tmp/mid.core.wasm" --wit "$tmp/u.wit" --world mid -o "$tmp/mid.wasm" 2>"$tmp/err" &&
  "$WELD" validate -q "$tmp/mid.wasm" 2>"$tmp/err" &&
  { [ -z "$JCO" ] || "$JCO" transpile "$tmp/mid.wasm" -o "$tmp/js-mid" --name mid >"$tmp/err" 2>&1; }; then ok; else
  bad "an exported interface using an imported resource: $(tail -3 "$tmp/err")"
fi
printf '(module (func (export "test:u/b@0.1.0#twice") (param i32) (result i32) i32.const 0)\n (func (export "test:u/a@0.1.0#[constructor]r") (param i32) (result i32) i32.const 0)\n (func (export "test:u/a@0.1.0#[method]r.get") (param i32) (result i32) i32.const 0))' >"$tmp/b.wat"
"$WELD" encode "$tmp/b.wat" -o "$tmp/b.wasm"
want="weld: $tmp/b.wasm: not supported: function \`twice\` uses resource \`r\` of exported interface \`a\` (resources of an exported interface used by another are not wrapped yet)"
got=$("$WELD" component new "$tmp/b.wasm" --wit "$tmp/u.wit" --world both -o "$tmp/x.wasm" 2>&1)
if [ "$?" = 1 ] && [ "$got" = "$want" ] && [ ! -e "$tmp/x.wasm" ]; then ok; else bad "component new of an exported resource used by another export: '$got', want '$want'"; fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]

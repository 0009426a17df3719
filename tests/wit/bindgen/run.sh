#!/usr/bin/env bash
# `weld component new` and `weld wit bindgen --lang c`: C guests (guest.c written against the
# canonical ABI by hand; guest_bindings.c and guest_calls.c against the generated bindings) built with
# clang --target=wasm32-wasi, wrapped for the worlds of echo.wit, validated by weld and
# transpiled by jco; every call's result under `weld run --invoke` must equal the result
# jco's JavaScript gives (calls.mjs prints both the WAVE call and jco's result). Then the
# errors: unknown world, a type not supported, an export the world needs missing, an import
# the world does not give.
# Usage: run.sh WELD JCO   (JCO: the jco executable, or empty to skip the jco half)
set -u
WELD=${1:?usage: run.sh WELD JCO}
JCO=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: bindgen: $*"; }

cc() { clang --target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry "$@"; }
if ! command -v clang >/dev/null || ! cc -o "$tmp/pure.wasm" "$here/guest.c" 2>"$tmp/err" ||
  ! cc -DWITH_IMPORT -o "$tmp/echo.wasm" "$here/guest.c" 2>>"$tmp/err"; then
  echo "bindgen: clang --target=wasm32-wasi (wasi-libc) not available: skipped"
  echo "$pass passed, $fail failed, 1 skipped"
  exit 0
fi

# the same exports through the generated bindings, and world `calls` (imports) through them
mkdir -p "$tmp/gen"
for w in pure calls shapes; do
  if "$WELD" wit bindgen --lang c --world $w -o "$tmp/gen" "$here/echo.wit" 2>"$tmp/err"; then ok; else
    bad "wit bindgen --world $w: $(cat "$tmp/err")"
  fi
done
src_pure=guest_bindings.c src_calls=guest_calls.c src_shapes=guest_shapes.c
for w in pure calls shapes; do
  src=src_$w
  if cc -Wall -Werror -I"$tmp/gen" -o "$tmp/b$w.wasm" "$here/${!src}" "$tmp/gen/$w.c" 2>"$tmp/err"; then ok; else
    bad "clang with the $w bindings: $(head -5 "$tmp/err")"
  fi
done

for w in pure echo bpure:pure bcalls:calls bshapes:shapes; do
  f=${w%%:*} w=${w#*:}
  if "$WELD" component new "$tmp/$f.wasm" --wit "$here/echo.wit" --world $w -o "$tmp/$f.comp.wasm" 2>"$tmp/err" &&
    "$WELD" validate -q "$tmp/$f.comp.wasm" 2>>"$tmp/err"; then ok; else bad "component new $f --world $w: $(cat "$tmp/err")"; fi
done

# every call of SCRIPT (calls.mjs, shapes.mjs): weld run's result against jco's
compare() {
  local f=$1 script=${2:-calls.mjs}
  if ! node "$here/$script" "$tmp/js-$f" >"$tmp/want.tsv" 2>"$tmp/err"; then bad "node $script ($f): $(tail -3 "$tmp/err")"; return; fi
  args=()
  while IFS=$'\t' read -r call _; do args+=(--invoke "$call"); done <"$tmp/want.tsv"
  cut -f2 "$tmp/want.tsv" >"$tmp/want.txt"
  if ! "$WELD" run "${args[@]}" "$tmp/$f.comp.wasm" >"$tmp/got.txt" 2>"$tmp/err"; then bad "weld run ($f): $(cat "$tmp/err")"; return; fi
  if cmp -s "$tmp/want.txt" "$tmp/got.txt"; then pass=$((pass + $(wc -l <"$tmp/want.txt"))); else
    bad "$f: weld run differs from jco (call, want, got):"
    paste "$tmp/want.tsv" "$tmp/got.txt" | awk -F'\t' '$2 != $3'
  fi
}
if [ -n "$JCO" ] && [ -f "$tmp/pure.comp.wasm" ]; then
  for f in pure echo bpure bshapes; do
    if "$JCO" transpile "$tmp/$f.comp.wasm" -o "$tmp/js-$f" --name guest >"$tmp/out" 2>&1; then ok; else
      bad "jco transpile ($f): $(tail -3 "$tmp/out")"
    fi
  done
  compare pure
  compare bpure
  compare bshapes shapes.mjs
  # world `calls`: its imports from host.mjs and scale.mjs, run under Node
  if "$JCO" transpile "$tmp/bcalls.comp.wasm" -o "$tmp/js-bcalls" --name guest --map "scale=$here/scale.mjs" \
    --map "test:echo/host=$here/host.mjs" >"$tmp/out" 2>&1 &&
    got=$(node --input-type=module -e "const g = await import('$tmp/js-bcalls/guest.js');
      console.log(String(g.twice(5)), String(g.twice(4294967295)));" 2>&1) &&
    [ "$got" = "23 8589934579" ]; then ok; else bad "calls under jco: ${got:-$(tail -3 "$tmp/out")}"; fi
else
  echo "bindgen: jco missing: the comparison with jco skipped"
  skip=$((skip + 1))
fi

# exported interfaces using each other's types (uses.wit): geom takes pt and dir from
# types; jco must read them as one type each (`use`), and every call agree
mkdir -p "$tmp/gen-uses"
if "$WELD" wit bindgen --lang c --world both -o "$tmp/gen-uses" "$here/uses.wit" 2>"$tmp/err" &&
  cc -Wall -Werror -I"$tmp/gen-uses" -o "$tmp/uses.wasm" "$here/guest_uses.c" "$tmp/gen-uses/both.c" 2>>"$tmp/err" &&
  "$WELD" component new "$tmp/uses.wasm" --wit "$here/uses.wit" --world both -o "$tmp/uses.comp.wasm" 2>>"$tmp/err" &&
  "$WELD" validate -q "$tmp/uses.comp.wasm" 2>>"$tmp/err"; then ok; else bad "uses.wit, world both: $(head -5 "$tmp/err")"; fi
if [ -n "$JCO" ] && [ -f "$tmp/uses.comp.wasm" ]; then
  if "$JCO" transpile "$tmp/uses.comp.wasm" -o "$tmp/js-uses" --name guest >"$tmp/out" 2>&1; then ok; else
    bad "jco transpile (uses): $(tail -3 "$tmp/out")"
  fi
  # jco's view of the interfaces: geom's pt and heading are types' pt and dir; types has all three
  if grep -q "export type Pt = import('./test-uses-types.js').Pt;" "$tmp/js-uses/interfaces/test-uses-geom.d.ts" &&
    grep -q "export type Heading = import('./test-uses-types.js').Dir;" "$tmp/js-uses/interfaces/test-uses-geom.d.ts" &&
    grep -q "export interface Unused" "$tmp/js-uses/interfaces/test-uses-types.d.ts"; then ok; else
    bad "uses: jco does not see geom's types as types' own: $(cat "$tmp/js-uses/interfaces/"*.d.ts 2>&1 | head -20)"
  fi
  compare uses uses.mjs
fi

# errors: exact one-line messages, exit 1 (2 for a usage error), nothing written
expect() {
  local want=$1 rc_want=$2 got rc
  shift 2
  rm -f "$tmp/x.wasm"
  got=$("$WELD" component new "$@" -o "$tmp/x.wasm" 2>&1)
  rc=$?
  want=${want//TMP/$tmp}
  if [ "$rc" != "$rc_want" ]; then bad "component new $*: exit $rc, want $rc_want ($got)"; return; fi
  if [ "$got" != "$want" ]; then bad "component new: got '$got', want '$want'"; return; fi
  if [ -e "$tmp/x.wasm" ]; then bad "component new $*: wrote output after an error"; return; fi
  ok
}
expect "weld: component new: package test:echo has no world \`nope\`" 2 "$tmp/pure.wasm" --wit "$here/echo.wit" --world nope
expect "weld: TMP/pure.wasm: not supported: function \`f\` uses a future (async values and maps are not wrapped yet)" 1 \
  "$tmp/pure.wasm" --wit "$here/echo.wit" --world named
expect "weld: TMP/pure.wasm: the core module does not export \`missing\`, which world \`extra\` needs" 1 \
  "$tmp/pure.wasm" --wit "$here/echo.wit" --world extra
expect "weld: TMP/echo.wasm: the core module imports \`\$root\` \`scale\`, which world \`pure\` does not import" 1 \
  "$tmp/echo.wasm" --wit "$here/echo.wit" --world pure

# bindgen errors
bexpect() {
  local want=$1 rc_want=$2 got rc
  shift 2
  got=$("$WELD" wit bindgen --lang c -o "$tmp/gen" "$@" "$here/echo.wit" 2>&1)
  rc=$?
  if [ "$rc" = "$rc_want" ] && [ "$got" = "$want" ]; then ok; else bad "wit bindgen $*: exit $rc, '$got', want $rc_want, '$want'"; fi
}
bexpect "weld: wit bindgen: package test:echo has no world \`nope\`" 2 --world nope
bexpect "weld: wit bindgen: not supported: function \`f\` uses a future (async values and maps are not wrapped yet)" 1 --world named

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]

#!/usr/bin/env bash
# `weld component new`: a C guest (guest.c, written against the canonical ABI) built with
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

for w in pure echo; do
  if "$WELD" component new "$tmp/$w.wasm" --wit "$here/echo.wit" --world $w -o "$tmp/$w.comp.wasm" 2>"$tmp/err" &&
    "$WELD" validate -q "$tmp/$w.comp.wasm" 2>>"$tmp/err"; then ok; else bad "component new --world $w: $(cat "$tmp/err")"; fi
done

if [ -n "$JCO" ] && [ -f "$tmp/pure.comp.wasm" ]; then
  for w in pure echo; do
    if "$JCO" transpile "$tmp/$w.comp.wasm" -o "$tmp/js-$w" --name guest >"$tmp/out" 2>&1; then ok; else
      bad "jco transpile ($w): $(tail -3 "$tmp/out")"
    fi
  done
  if node "$here/calls.mjs" "$tmp/js-pure" >"$tmp/want.tsv" 2>"$tmp/err"; then
    args=()
    while IFS=$'\t' read -r call _; do args+=(--invoke "$call"); done <"$tmp/want.tsv"
    cut -f2 "$tmp/want.tsv" >"$tmp/want.txt"
    if "$WELD" run "${args[@]}" "$tmp/pure.comp.wasm" >"$tmp/got.txt" 2>"$tmp/err"; then
      if cmp -s "$tmp/want.txt" "$tmp/got.txt"; then pass=$((pass + $(wc -l <"$tmp/want.txt"))); else
        bad "weld run differs from jco (want, got):"
        paste "$tmp/want.tsv" "$tmp/got.txt" | awk -F'\t' '$2 != $3'
      fi
    else
      bad "weld run: $(cat "$tmp/err")"
    fi
  else
    bad "node calls.mjs: $(tail -3 "$tmp/err")"
  fi
else
  echo "bindgen: jco missing: the comparison with jco skipped"
  skip=$((skip + 1))
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
expect "weld: TMP/pure.wasm: not supported: function \`move\` uses record \`point\` (named types are not wrapped yet)" 1 \
  "$tmp/pure.wasm" --wit "$here/echo.wit" --world named
expect "weld: TMP/pure.wasm: the core module does not export \`missing\`, which world \`extra\` needs" 1 \
  "$tmp/pure.wasm" --wit "$here/echo.wit" --world extra
expect "weld: TMP/echo.wasm: the core module imports \`\$root\` \`scale\`, which world \`pure\` does not import" 1 \
  "$tmp/echo.wasm" --wit "$here/echo.wit" --world pure

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]

#!/usr/bin/env bash
# WIT: `weld wit check` / `weld wit print` on the WASI packages jco ships (every one must
# resolve with its siblings as deps/; the printed form must parse again and print the same),
# and on hostile inputs whose one-line errors (file:line:col: message) are expected exactly.
# Usage: tests/wit/run.sh WELD [JCO_BUILTIN_DIR]
set -u
WELD=${1:?usage: run.sh WELD [JCO_BUILTIN_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
builtin=${2:-}
root=$(cd "$here/../.." && pwd)
if [ -z "$builtin" ] && [ "${WELD_TEST_JCO:-1}" = 1 ]; then
  # the jco that tests/component/jco.sh installs (pinned), installed here when missing
  . "$root/tests/component/jco_env.sh"
  if jco_install "$root/build/component-jco"; then
    builtin="$jco_dir/node_modules/@bytecodealliance/jco/lib/wit/builtin"
  fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# check PATH, print it, check and print the printed text again: the same text both times
roundtrip() {
  local path=$1 label=$2 out
  if ! out=$("$WELD" wit check "$path" 2>&1); then bad "$label: $out"; return; fi
  if ! "$WELD" wit print "$path" >"$tmp/p1.wit" 2>"$tmp/err"; then bad "$label: print: $(cat "$tmp/err")"; return; fi
  if ! "$WELD" wit print "$tmp/p1.wit" >"$tmp/p2.wit" 2>"$tmp/err"; then bad "$label: reprint: $(cat "$tmp/err")"; return; fi
  if ! cmp -s "$tmp/p1.wit" "$tmp/p2.wit"; then bad "$label: printing is not stable"; diff "$tmp/p1.wit" "$tmp/p2.wit" | head -20; return; fi
  ok
}

# 1. the jco WASI packages: each version directory's packages, each with the others as deps
if [ -n "$builtin" ] && [ -d "$builtin" ]; then
  for vdir in "$builtin"/0.*; do
    v=$(basename "$vdir")
    for pkg in "$vdir"/*/; do
      p=$(basename "$pkg")
      d="$tmp/pkgs/$v/$p"
      mkdir -p "$d/deps"
      cp "$pkg"/*.wit "$d/"
      for other in "$vdir"/*/; do
        o=$(basename "$other")
        [ "$o" = "$p" ] || cp -r "$other" "$d/deps/$o"
      done
      # 0.3.0 packages use wasi:io of no version here; nothing else is needed
      roundtrip "$d" "$v/$p"
    done
  done
  # the others: with their own deps/, or with the newest WASI 0.2 packages as deps
  newest=$(ls -d "$builtin"/0.2.* | sort -V | tail -1)
  for extra in "$builtin"/wasi-tls-* "$builtin"/jco-node-*; do
    [ -d "$extra" ] || continue
    d="$tmp/extra/$(basename "$extra")"
    mkdir -p "$d"
    cp -r "$extra"/. "$d/"
    if [ ! -d "$d/deps" ]; then
      mkdir -p "$d/deps"
      cp -r "$newest"/* "$d/deps/"
      for t in "$builtin"/wasi-tls-*; do [ -d "$t" ] && cp "$t"/*.wit "$d/deps/" 2>/dev/null && mkdir -p "$d/deps/$(basename "$t")" && mv "$d/deps/"*.wit "$d/deps/$(basename "$t")/"; done
    fi
    roundtrip "$d" "$(basename "$extra")"
  done
else
  echo "jco's WIT packages not found (tests/component/jco_env.sh installs jco): skipped"
  skip=$((skip + 1))
fi

# 2. a component's world: `weld wit print C.wasm` against `jco wit C.wasm` (jco's trailing
#    blank line aside), on components made from component text by jco and on a C program
#    wrapped by `jco new` as a WASI command
jco=${jco_dir:+$jco_dir/node_modules/.bin/jco}
if [ -n "$jco" ] && [ -x "$jco" ]; then
  comps=()
  for w in "$here"/components/*.wat; do
    c="$tmp/$(basename "$w" .wat).wasm"
    if "$jco" parse "$w" -o "$c" >"$tmp/err" 2>&1; then comps+=("$c"); else bad "jco parse $(basename "$w"): $(cat "$tmp/err")"; fi
  done
  if command -v clang >/dev/null; then
    printf '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n' >"$tmp/hello.c"
    if clang --target=wasm32-wasi -O2 -o "$tmp/hello.wasm" "$tmp/hello.c" 2>"$tmp/err" &&
      "$jco" new "$tmp/hello.wasm" --wasi-command -o "$tmp/command.wasm" >>"$tmp/err" 2>&1; then
      comps+=("$tmp/command.wasm")
    else
      bad "the C command component: $(cat "$tmp/err")"
    fi
  else
    echo "clang missing: the C command component skipped"
    skip=$((skip + 1))
  fi
  for c in "${comps[@]}"; do
    "$jco" wit "$c" 2>&1 | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$tmp/want.wit"
    if ! "$WELD" wit print "$c" >"$tmp/got.wit" 2>"$tmp/err"; then bad "wit print $(basename "$c"): $(cat "$tmp/err")"; continue; fi
    if cmp -s "$tmp/want.wit" "$tmp/got.wit"; then ok; else bad "wit print $(basename "$c") differs from jco wit"; diff "$tmp/want.wit" "$tmp/got.wit" | head -20; fi
  done
else
  echo "jco missing: component worlds skipped"
  skip=$((skip + 1))
fi

# 3. valid inputs written for the tests
for f in "$here"/valid/*.wit "$here"/valid/*/; do
  [ -e "$f" ] || continue
  roundtrip "${f%/}" "valid/$(basename "$f")"
done

# 4. invalid inputs: the first line `// error: TEXT` holds the expected message, with
#    FILE standing for the file's path
for f in "$here"/invalid/*.wit; do
  want=$(head -1 "$f" | sed -n 's|^// error: ||p')
  want=${want//FILE/$f}
  got=$("$WELD" wit check "$f" 2>&1)
  rc=$?
  if [ "$rc" = 0 ]; then bad "invalid/$(basename "$f"): accepted"; continue; fi
  if [ "$got" != "weld: $want" ]; then bad "invalid/$(basename "$f"): got '$got', want 'weld: $want'"; continue; fi
  [ "$rc" = 1 ] || { bad "invalid/$(basename "$f"): exit $rc"; continue; }
  ok
done

# 5. `weld component new` on a C guest, compared with jco (tests/wit/bindgen/run.sh)
jco_bin=${jco:-}
[ -n "$jco_bin" ] && [ -x "$jco_bin" ] || jco_bin=
"$here/bindgen/run.sh" "$WELD" "$jco_bin" >"$tmp/bindgen.out" 2>&1
sed "s/^\([0-9]* passed\)/bindgen: \1/" "$tmp/bindgen.out"
read -r bp _ bf _ bs _ < <(grep '^[0-9]* passed' "$tmp/bindgen.out" | tr -d ',')
pass=$((pass + ${bp:-0})) fail=$((fail + ${bf:-1})) skip=$((skip + ${bs:-0}))

# 6. imported functions through memory: two C guests composed, against jco and JavaScript
"$here/imports/run.sh" "$WELD" "$jco_bin" >"$tmp/imports.out" 2>&1
sed "s/^\([0-9]* passed\)/imports: \1/" "$tmp/imports.out"
read -r bp _ bf _ bs _ < <(grep '^[0-9]* passed' "$tmp/imports.out" | tr -d ',')
pass=$((pass + ${bp:-0})) fail=$((fail + ${bf:-1})) skip=$((skip + ${bs:-0}))

# 7. resources: a C guest exporting one, another importing it, composed, against jco and
#    JavaScript (tests/wit/resources/run.sh)
"$here/resources/run.sh" "$WELD" "$jco_bin" >"$tmp/resources.out" 2>&1
sed "s/^\([0-9]* passed\)/resources: \1/" "$tmp/resources.out"
read -r bp _ bf _ bs _ < <(grep '^[0-9]* passed' "$tmp/resources.out" | tr -d ',')
pass=$((pass + ${bp:-0})) fail=$((fail + ${bf:-1})) skip=$((skip + ${bs:-0}))

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]

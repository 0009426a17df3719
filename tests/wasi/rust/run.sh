#!/usr/bin/env bash
# Rust programs (std::fs, std::env, std::io, std::process::exit) built twice with Debian's
# rustc: for wasm32-wasi (libstd-rust-dev-wasm32) and natively. Each runs on a fresh copy
# of one tree, natively and under `weld run --dir sandbox`; stdout, stderr, the exit code
# and the resulting tree must match. Skipped (and counted as skipped) only when rustc
# or its wasm32-wasi standard library is absent.
#
# usage: tests/wasi/rust/run.sh [WELD]   (default build/weld; RUST_OUT=dir for work files)
set -uo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
weld="$(realpath "${1:-$root/build/weld}")"
here="$root/tests/wasi/rust"
out="${RUST_OUT:-$(dirname "$weld")/wasi-rust}"
rustc=/usr/bin/rustc
mkdir -p "$out"
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "$2" | head -n 30 | sed 's/^/     /'; }

sysroot="$([ -x "$rustc" ] && "$rustc" --print sysroot 2>/dev/null)"
if [ -z "$sysroot" ] || [ ! -d "$sysroot/lib/rustlib/wasm32-wasi/lib" ]; then
  echo "rust: skipped: $rustc or its wasm32-wasi standard library (libstd-rust-dev-wasm32) is absent"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi

# ---- build each program both ways --------------------------------------------------------
for src in "$here"/*.rs; do
  name="$(basename "$src" .rs)"
  for kind in wasm native; do
    bin="$out/$name.$kind"
    [ -f "$bin" ] && [ "$bin" -nt "$src" ] && continue
    flags=(-O --edition 2021)
    [ $kind = wasm ] && flags+=(--target wasm32-wasi)
    if ! "$rustc" "${flags[@]}" -o "$bin" "$src" 2>"$out/$name.$kind.log"; then
      rm -f "$bin"
      fail "compile $name ($kind)" "$(cat "$out/$name.$kind.log")"
    fi
  done
done

fixture() {
  rm -rf "$1"
  mkdir -p "$1/sandbox/sub"
  printf 'fixture data\n' >"$1/sandbox/sub/data.txt"
  for i in 1 2 3; do printf 'file %s\n' $i >"$1/sandbox/sub/f$i.txt"; done
  ln -s sub/data.txt "$1/sandbox/link"
}
# Everything about a tree a program could have changed, except times.
snapshot() {
  (cd "$1" && find . -mindepth 1 -printf '%y %p %s %l\n' | sort &&
    find . -type f -print0 | sort -z | xargs -0 -r md5sum)
}

# same NAME STDIN ARGS...: runs NAME natively and under weld and compares everything.
same() {
  local name=$1 input=$2
  shift 2
  local d="$out/run-$name-native" w="$out/run-$name-weld" label="$name $*"
  if [ ! -x "$out/$name.native" ] || [ ! -f "$out/$name.wasm" ]; then fail "$label (not built)"; return; fi
  fixture "$d"
  fixture "$w"
  (cd "$d" && printf '%b' "$input" | env -i GREETING=hello EMPTY= "$out/$name.native" "$@" >"$d.out" 2>"$d.err")
  local rn=$?
  (cd "$w" && printf '%b' "$input" | "$weld" run --dir sandbox --env GREETING=hello --env EMPTY= \
    "$out/$name.wasm" "$@" >"$w.out" 2>"$w.err")
  local rw=$?
  local why=""
  [ $rn -eq $rw ] || why+="exit native $rn, weld $rw; "
  cmp -s "$d.out" "$w.out" || why+="stdout differs: $(diff "$d.out" "$w.out" | head -n 12); "
  cmp -s "$d.err" "$w.err" || why+="stderr differs: $(diff "$d.err" "$w.err" | head -n 6); "
  [ "$(snapshot "$d/sandbox")" = "$(snapshot "$w/sandbox")" ] ||
    why+="trees differ: $(diff <(snapshot "$d/sandbox") <(snapshot "$w/sandbox") | head -n 10)"
  if [ -z "$why" ]; then pass "$label (weld = native)"; else fail "$label (weld = native)" "$why"; fi
}

same fsops ''
same envio 'one\ntwo words\n\nlast without newline'
same envio '' 7 'an arg with spaces' ''
same envio 'x\n' 0

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

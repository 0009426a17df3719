#!/usr/bin/env bash
# The package round trip in C: three packages made with `weld pkg new --lang c`, app ->
# greeter -> formatter, each calling the next through an interface that passes strings and
# lists of strings. Their WIT worlds and C source are replaced by the ones here (the
# dependencies' WIT copied into wit/deps/), built with `weld pkg build`, published to a
# registry directory in dependency order (`weld pkg add` naming the one before), then run
# as one command by `weld pkg run app@0.1.0` and installed by `weld pkg install`.
# app's arguments are the greeting it expects and the names to greet: it exits 0 only when
# greeter's result is that greeting, so a wrong greeting must exit 1. The installed greeter
# and formatter, composed by `weld compose`, must print the greeting under `weld run
# --invoke`. The greetings are written here by hand.
#
# Then, as a project installing app from an empty cache: the lock (three exact versions,
# each component's digest as sha256sum computes it), --locked refusing a changed manifest,
# a blob modified in the registry's storage refused, unsigned packages refused when
# signatures are required, and a policy refusal (app reads its arguments, which the
# policy does not grant) — each refusal leaving no lock and no packages.
#
#   tests/pkg/chain/run.sh [WELD]     (ends with `N passed, M failed, K skipped`)
#   CHAIN_REGISTRY=URL CHAIN_REGISTRY_STORE=DIR: publish to a distribution registry (tests/pkg
#   passes its docker-registry and the directory it stores blobs in) instead of a registry
#   directory
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
# shellcheck source=../../lib.sh
. "$root/tests/lib.sh"
harness_init pkg-chain "${1:-$root/build/weld}"
export WELD_CONFIG="$tmp/no-config.toml" WELD_CACHE_DIR="$tmp/cache" DOCKER_CONFIG="$tmp/no-docker"
unset WELD_REGISTRY WELD_REGISTRY_CHUNK_SIZE
reg="${CHAIN_REGISTRY:-$tmp/reg}"
store="${CHAIN_REGISTRY_STORE:-$reg}"

# run RC ARGS...: weld in the current directory, its exit code checked
run() {
  local want=$1
  shift
  label="weld $*"
  "$weld" "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"
  local rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else bad "exit $rc, expected $want; $(head -c 400 "$tmp/err.txt")"; fi
}

if ! command -v clang >/dev/null || ! echo 'int f(void){return 0;}' >"$tmp/t.c" ||
  ! clang --target=wasm32-wasi -nostartfiles -Wl,--no-entry -o "$tmp/t.wasm" "$tmp/t.c" 2>/dev/null; then
  echo "SKIP [pkg chain] clang --target=wasm32-wasi (wasi-libc) not available"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi

# each package: new, its WIT and C, the WIT of what it depends on, a dependency on the
# package before it, built and published
prev=
deps=()
for p in formatter greeter app; do
  cd "$tmp" || exit 1
  run 0 pkg new "$p" --lang c
  cp "$here/$p.wit" "$p/wit/world.wit"
  cp "$here/$p.c" "$p/src/$p.c"
  mkdir -p "$p/wit/deps"
  for d in "${deps[@]}"; do cp "$here/$d.wit" "$p/wit/deps/$d.wit"; done
  cd "$p" || exit 1
  [ -n "$prev" ] && run 0 pkg add "$prev@^0.1" --registry "$reg"
  run 0 pkg build
  run 0 pkg publish --registry "$reg"
  deps+=("$p")
  prev=$p
done

cd "$tmp" || exit 1
run 0 pkg run app@0.1.0 --registry "$reg" 'hello, ann and bob!' ann bob
run 0 pkg run app@0.1.0 --registry "$reg" 'hello, ängström!' ängström
run 0 pkg run app@0.1.0 --registry "$reg" 'hello, !'
run 1 pkg run app@0.1.0 --registry "$reg" 'hello, ann!' ann bob
run 1 pkg run app@0.1.0 --registry "$reg" 'hello, ann and bob' ann bob

# installed, then the installed greeter and formatter composed and called by weld run
mkdir -p "$tmp/user" && cd "$tmp/user" || exit 1
printf '[package]\nname = "user"\nversion = "1.0.0"\n\n[[dependency]]\nname = "app"\nversion = "^0.1"\n' >component.toml
run 0 pkg install --registry "$reg"
label="3 packages installed"
if grep -q "3 packages installed" "$tmp/out.txt"; then ok; else bad "$(cat "$tmp/out.txt")"; fi
pk=.weld/packages
run 0 compose "$pk/greeter/0.1.0/component.wasm" --plug "$pk/formatter/0.1.0/component.wasm" -o greet.wasm
run 0 run --invoke 'greet(["ann", "bob", "cy"])' --invoke 'greet([])' greet.wasm
label="the installed greeter's greetings"
want=$'"hello, ann and bob and cy!"\n"hello, !"'
if [ "$(cat "$tmp/out.txt")" = "$want" ]; then ok; else bad "got $(cat "$tmp/out.txt")"; fi


# the lock: three exact versions, each digest the installed component's (sha256sum)
cd "$tmp/user" || exit 1
for p in app greeter formatter; do
  want=$(sed -n "/^name = \"$p\"/,/^\$/p" weld.lock | sed -n 's/^component = "sha256:\(.*\)"/\1/p')
  ver=$(sed -n "/^name = \"$p\"/,/^\$/p" weld.lock | sed -n 's/^version = "\(.*\)"/\1/p')
  got=$(sha256sum "$pk/$p/0.1.0/component.wasm" 2>/dev/null | cut -d' ' -f1)
  label="weld.lock: $p 0.1.0 and its digest"
  if [ "$ver" = 0.1.0 ] && [ -n "$want" ] && [ "$want" = "$got" ]; then ok; else bad "locked '$ver' '$want', on disk '$got'"; fi
done
run 0 pkg install --locked --registry "$reg"
cp weld.lock "$tmp/lock.before"
printf '\n[[dependency]]\nname = "formatter"\nversion = "^0.1"\n' >>component.toml
run 1 pkg install --locked --registry "$reg"
label="--locked: refused, weld.lock unchanged"
if grep -q -- "--locked" "$tmp/err.txt" && cmp -s weld.lock "$tmp/lock.before"; then ok; else bad "$(cat "$tmp/err.txt")"; fi

# refusals, each into a fresh project from an empty cache: nothing left behind
fresh() {
  rm -rf "$tmp/cache" "$tmp/p2"
  mkdir -p "$tmp/p2" && cd "$tmp/p2" || exit 1
  printf '[package]\nname = "p2"\nversion = "1.0.0"\n\n[[dependency]]\nname = "app"\nversion = "^0.1"\n' >component.toml
}
nothing_left() {
  label="$1: no lock, no packages"
  if [ ! -e weld.lock ] && [ ! -e .weld/packages ]; then ok; else bad "left $(ls -a)"; fi
}
fresh
run 0 pkg keygen "$tmp/trust"
run 1 pkg install --require-signatures --trusted-key "$tmp/trust.pub" --registry "$reg"
label="unsigned: refused"
if grep -q "is not signed, and signatures are required" "$tmp/err.txt"; then ok; else bad "$(cat "$tmp/err.txt")"; fi
nothing_left unsigned
printf '[stdio]\nstdin = false\n' >"$tmp/deny.toml"
run 1 pkg install --policy "$tmp/deny.toml" --registry "$reg"
label="policy: app refused"
if grep -q "app 0.1.0 asks for more than the policy" "$tmp/err.txt"; then ok; else bad "$(cat "$tmp/err.txt")"; fi
nothing_left policy
# formatter's component blob, modified where the registry stores it
fdig=$(sed -n '/^name = "formatter"/,/^$/p' "$tmp/user/weld.lock" | sed -n 's/^component = "sha256:\(.*\)"/\1/p')
blob=$(find "$store" -type f -path "*/blobs/*$fdig*" 2>/dev/null | head -1)
label="the registry stores formatter's blob"
if [ -n "$fdig" ] && [ -f "$blob" ]; then ok; else bad "no file for sha256:$fdig under $store"; fi
if [ -f "$blob" ]; then
  cp "$blob" "$tmp/blob.saved"
  # one byte changed, the size kept (a registry that remembers the size serves it whole)
  python3 -c 'import sys; f = open(sys.argv[1], "r+b"); b = f.read(1); f.seek(0); f.write(bytes([b[0] ^ 0x20]))' "$blob"
  run 1 pkg install --registry "$reg"
  label="tampered blob: refused"
  if grep -q "digest mismatch: expected sha256:$fdig" "$tmp/err.txt"; then ok; else bad "$(cat "$tmp/err.txt")"; fi
  nothing_left "tampered blob"
  cp "$tmp/blob.saved" "$blob"
  run 0 pkg install --registry "$reg"
fi
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]

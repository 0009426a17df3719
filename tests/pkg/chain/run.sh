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
#   tests/pkg/chain/run.sh [WELD]     (ends with `N passed, M failed, K skipped`)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
# shellcheck source=../../lib.sh
. "$root/tests/lib.sh"
harness_init pkg-chain "${1:-$root/build/weld}"
export WELD_CONFIG="$tmp/no-config.toml" WELD_CACHE_DIR="$tmp/cache" DOCKER_CONFIG="$tmp/no-docker"
unset WELD_REGISTRY WELD_REGISTRY_CHUNK_SIZE
reg="$tmp/reg"

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

echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]

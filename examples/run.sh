#!/usr/bin/env bash
# `make run`: shows weld on the example module.
#
#   examples/run.sh [WELD]        (default: build/weld)
#
# The module's source is examples/fac.wat. When wat2wasm (wabt) is installed the binary
# is rebuilt from it into the build directory; otherwise the committed examples/fac.wasm
# is used, so this works on a machine with nothing but the build tools.
set -euo pipefail
weld="${1:-build/weld}"
if [ ! -x "$weld" ]; then
  echo "examples: $weld not found (run 'make' first)" >&2
  exit 2
fi
# Paths are shown relative to the repository root.
weld="$(cd "$(dirname "$weld")" && pwd)/$(basename "$weld")"
cd "$(dirname "$0")/.."

wasm=examples/fac.wasm
embed=examples/embed.wasm
if command -v wat2wasm >/dev/null; then
  out="$(dirname "$weld")/examples"
  mkdir -p "$out"
  wat2wasm --debug-names examples/fac.wat -o "$out/fac.wasm"
  wat2wasm --debug-names examples/embed.wat -o "$out/embed.wasm"
  wasm="$(realpath --relative-to=. "$out/fac.wasm")"
  embed="$(realpath --relative-to=. "$out/embed.wasm")"
fi

run() {
  echo "\$ weld $*"
  "$weld" "$@"
  echo
}

# A trap is part of the show: print it and its exit status, and go on.
run_trap() {
  echo "\$ weld $*"
  local rc=0
  "$weld" "$@" 2>&1 || rc=$?
  echo "(exit status $rc)"
  echo
  [ "$rc" -eq 134 ]
}

run --version
run validate "$wasm"
run inspect "$wasm"
run run --invoke fac_rec "$wasm" 20
run run --invoke fac_iter "$wasm" 20
run run --invoke fac "$wasm" 1 10
run run --invoke greeting "$wasm"
run_trap run --invoke fac "$wasm" 7 10

# The embedding API: a C program that gives the module a host function.
example="$(dirname "$weld")/weld_embed_example"
if [ -x "$example" ]; then
  echo "\$ $(basename "$example") $embed"
  "$example" "$embed"
fi

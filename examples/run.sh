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
if command -v wat2wasm >/dev/null; then
  out="$(dirname "$weld")/examples"
  mkdir -p "$out"
  wat2wasm --debug-names examples/fac.wat -o "$out/fac.wasm"
  wasm="$(realpath --relative-to=. "$out/fac.wasm")"
fi

run() {
  echo "\$ weld $*"
  "$weld" "$@"
  echo
}

run --version
run validate "$wasm"
run inspect "$wasm"
# Execution arrives with the interpreter: `weld run` will call fac_rec, fac_iter and
# greeting here.

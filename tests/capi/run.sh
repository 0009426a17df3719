#!/usr/bin/env bash
# The standard C API stage: builds each program here (written against wasm.h alone, except
# weld_*.c, which also use weld_wasm.h) against the library in BUILD, converts its module
# NAME.wat with wabt's wat2wasm, runs it and compares its output with NAME.out, written
# from the API's and WebAssembly's semantics. With BUILD an ASan+UBSan build (CC=clang and
# SANITIZE=1), any sanitizer or LeakSanitizer report fails the program.
#
# usage: tests/capi/run.sh BUILD_DIR      (env: CC, SANITIZE=1, KEEP=1)
# Last line: `N passed, M failed`.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:?usage: run.sh BUILD_DIR}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
cc="${CC:-cc}"
lib="$build/libweld.a"
passed=0 failed=0

if [ ! -f "$lib" ]; then
  echo "missing $lib"
  echo "0 passed, 1 failed"
  exit 1
fi
if ! command -v wat2wasm >/dev/null; then
  echo "wat2wasm (wabt) is needed"
  echo "0 passed, 1 failed"
  exit 1
fi

flags=(-std=c11 -Wall -Wextra -Werror -g -I"$root/include")
if [ "${SANITIZE:-0}" = 1 ]; then
  flags+=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
fi

tmp="$(mktemp -d)"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$tmp"' EXIT

for src in "$here"/*.c; do
  name="$(basename "$src" .c)"
  expect="$here/$name.out"
  if [ ! -f "$expect" ]; then
    echo "fail $name: no $name.out"
    failed=$((failed + 1))
    continue
  fi
  if ! "$cc" "${flags[@]}" "$src" "$lib" -lm -lpthread -o "$tmp/$name" 2>"$tmp/$name.cc"; then
    echo "fail $name: does not build"
    sed 's/^/    /' "$tmp/$name.cc" | head -n 20
    failed=$((failed + 1))
    continue
  fi
  module="$here/$name.wat"
  arg=()
  if [ -f "$module" ]; then
    if ! wat2wasm "$module" -o "$tmp/$name.wasm" 2>"$tmp/$name.w2w"; then
      echo "fail $name: wat2wasm rejects $name.wat"
      sed 's/^/    /' "$tmp/$name.w2w" | head -n 10
      failed=$((failed + 1))
      continue
    fi
    arg=("$tmp/$name.wasm")
  fi
  (cd "$tmp" && "./$name" "${arg[@]}") >"$tmp/$name.stdout" 2>"$tmp/$name.stderr"
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "fail $name: exit status $rc"
    sed 's/^/    /' "$tmp/$name.stdout" "$tmp/$name.stderr" | tail -n 25
    failed=$((failed + 1))
  elif ! diff -u "$expect" "$tmp/$name.stdout" >"$tmp/$name.diff"; then
    echo "fail $name: output differs from $name.out"
    sed 's/^/    /' "$tmp/$name.diff" | head -n 30
    failed=$((failed + 1))
  elif [ -s "$tmp/$name.stderr" ]; then
    echo "fail $name: wrote to stderr"
    sed 's/^/    /' "$tmp/$name.stderr" | head -n 20
    failed=$((failed + 1))
  else
    echo "ok $name"
    passed=$((passed + 1))
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

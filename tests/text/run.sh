#!/usr/bin/env bash
# The text reader's conformance stage: converts every SUITE/*.wast with wast2json and
# runs weld_text_test on the script and its conversion, in parallel.
#
#   tests/text/run.sh [SUITE_DIR]      (default ../shared/testsuite/wasm-2.0)
#
# Environment: WELD_TEXT_TEST (default build/weld_text_test), WELD_TEXT_OUT (default the
# test binary's directory + /text/<suite>), JOBS (default nproc).
# Then prints every converted module that decodes (weld_text_test --print) and reads it
# back. Prints one line per script and the total `N passed, M failed` last.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

if [ "${1:-}" = "--one" ]; then
  wast="$2" out="$3" tool="$4"
  name="$(basename "$wast" .wast)"
  dir="$out/$name"
  mkdir -p "$dir"
  json="$dir/$name.json"
  if [ ! -s "$json" ] || [ "$wast" -nt "$json" ]; then
    rm -f "$dir"/*
    if ! wast2json "$wast" -o "$json" 2>"$dir/wast2json.err"; then
      rm -f "$json"
      { echo "FAIL $name.wast:0: wast2json failed"; echo "$name.wast: 0 passed, 1 failed"; } >"$dir/result"
      exit 0
    fi
  fi
  set +e
  # the 2.0 suite asserts 2.0's restrictions (multiple memories, u32 offsets, ...)
  standard=3.0
  case "$(basename "$(dirname "$wast")")" in wasm-2.0*) standard=2.0 ;; esac
  "$tool" --standard "$standard" "$wast" "$json" >"$dir/result" 2>&1
  rc=$?
  set -e
  if [ $rc -gt 1 ] || ! tail -n 1 "$dir/result" | grep -q "^$name.wast: [0-9]* passed, [0-9]* failed$"; then
    echo "FAIL $name.wast:0: weld_text_test exited with status $rc" >>"$dir/result"
    echo "$name.wast: 0 passed, 1 failed" >>"$dir/result"
  fi
  exit 0
fi

suite="$(cd "${1:-$root/../shared/testsuite/wasm-2.0}" && pwd)"
tool="${WELD_TEXT_TEST:-$root/build/weld_text_test}"
case "$tool" in /*) ;; *) tool="$(pwd)/$tool" ;; esac
[ -x "$tool" ] || { echo "text: $tool not found (build it first)" >&2; exit 2; }
out="${WELD_TEXT_OUT:-$(dirname "$tool")/text/$(basename "$suite")}"
mkdir -p "$out"
ls "$suite"/*.wast | xargs -P "${JOBS:-$(nproc)}" -I{} "$0" --one {} "$out" "$tool"

p=0 f=0
for wast in "$suite"/*.wast; do
  r="$out/$(basename "$wast" .wast)/result"
  grep -E '^FAIL' "$r" || true
  last="$(tail -n 1 "$r")"
  echo "$last"
  [[ "$last" =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]] && { p=$((p + BASH_REMATCH[1])); f=$((f + BASH_REMATCH[2])); }
done
# The printer: every converted module that decodes is printed, read back and compared.
print_log="$out/print.log"
find "$out" -name '*.wasm' | LC_ALL=C sort | xargs "$tool" --print >"$print_log" 2>&1 || true
grep -E '^FAIL' "$print_log" | head -n 20 || true
printed=0
while read -r pp pf; do p=$((p + pp)) f=$((f + pf)) printed=$((printed + pp)); done \
  < <(sed -nE 's/^print: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$print_log")
if ! grep -q '^print: ' "$print_log"; then echo "FAIL print round trip did not run"; f=$((f + 1)); fi
echo "print round trip (flat and folded): $printed prints read back to the same module"
echo "$p passed, $f failed"
[ "$f" -eq 0 ]

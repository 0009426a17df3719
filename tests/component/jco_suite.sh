#!/usr/bin/env bash
# The component model's test scripts with their text-format components encoded to binary
# by jco's text reader (`parse`, wasm-tools' parser, which does not validate), then run
# by `weld wast`: the validation verdicts of the ~600 text components that run.sh has to
# skip. A measurement of how much of the validation rules weld implements, not a gate:
# the rules listed as not done in src/component/README.md fail here. Then the scripts as
# they are, text components encoded by weld's own reader: each command's outcome must
# match the one with jco's encoding (an independent check of the text reader).
#
#   tests/component/jco_suite.sh [WELD] [SUITE]
#
# Needs node and npm (jco is installed as for jco.sh). Ends with `N passed, M failed, K skipped`.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
suite="${2:-$root/../shared/testsuite/component-model}"
case "$suite" in /*) ;; *) suite="$(pwd)/$suite" ;; esac
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
# shellcheck source=jco_env.sh
. "$root/tests/component/jco_env.sh"
harness_init jco-suite "${1:-$root/build/weld}" node npm
skipped=0
if ! jco_install "$root/build/component-jco"; then
  echo "0 passed, 1 failed"
  exit 1
fi
cp "$root/tests/component/jco_convert.mjs" "$jco_dir/"
mapfile -t scripts < <(find "$suite" -name '*.wast' | LC_ALL=C sort)
node "$jco_dir/jco_convert.mjs" "$PWD/converted" "${scripts[@]}"
for f in converted/*.wast; do
  "$weld" wast "$f" >wast.out 2>&1
  last="$(tail -1 wast.out)"
  if [[ "$last" =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped ]]; then
    passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2])) skipped=$((skipped + BASH_REMATCH[3]))
    grep '^FAIL' wast.out || true
  else
    label="weld wast $(basename "$f")"
    bad "no summary line: $(tail -3 wast.out)"
  fi
done
echo "$passed passed, $failed failed, $skipped skipped (jco's binaries)"

# The same scripts as they are, their text components encoded by weld's own reader
# (src/text/wat_component.c): command by command, the outcome must be the one of jco's
# encoding (passed, failed and skipped alike), except where weld's reader skips a
# component for a feature weld does not read (a core module's shared memory, core tags).
text_passed=0 text_failed=0
for f in "${scripts[@]}"; do
  b="$(basename "$f")"
  "$weld" wast -v "$f" 2>&1 | grep -E '^(PASS|FAIL|skip) ' | awk '{print $1, $2}' >text.out
  "$weld" wast -v "converted/$b" 2>&1 | grep -E '^(PASS|FAIL|skip) ' | awk '{print $1}' >bin.out
  if [ "$(wc -l <text.out)" -ne "$(wc -l <bin.out)" ]; then
    echo "FAIL $b: $(wc -l <text.out) commands from the text, $(wc -l <bin.out) from jco's binaries"
    text_failed=$((text_failed + 1))
    continue
  fi
  while read -r t where b2; do
    if [ "$t" = "$b2" ] || [ "$t" = skip ]; then
      text_passed=$((text_passed + 1))
    else
      echo "FAIL $where text reader: $t, jco's binary: $b2"
      text_failed=$((text_failed + 1))
    fi
  done < <(paste -d ' ' text.out bin.out)
done
echo "text reader against jco: $text_passed agree, $text_failed differ"
failed=$((failed + text_failed))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

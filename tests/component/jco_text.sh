#!/usr/bin/env bash
# The component text reader (src/text/wat_component.c) against jco's (wasm-tools'):
# every component-model script is run by `weld wast` twice, once as it is (its text
# components encoded by weld's reader) and once with each text component encoded by jco's
# `parse` instead (tests/component/jco_convert.mjs). Command by command the outcome must
# be the same (passed, failed or skipped), except where weld's reader skips a component
# for a feature weld does not read (a core module's `shared` memory).
#
#   tests/component/jco_text.sh [WELD] [SUITE]
#
# Needs node and npm (jco is installed as for jco.sh). Ends with `N passed, M failed`
# (one check per command).
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
suite="${2:-$root/../shared/testsuite/component-model}"
case "$suite" in /*) ;; *) suite="$(pwd)/$suite" ;; esac
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
# shellcheck source=jco_env.sh
. "$root/tests/component/jco_env.sh"
harness_init jco-text "${1:-$root/build/weld}" node npm
if ! jco_install "$root/build/component-jco"; then
  echo "0 passed, 1 failed"
  exit 1
fi
cp "$root/tests/component/jco_convert.mjs" "$jco_dir/"
mapfile -t scripts < <(find "$suite" -name '*.wast' | LC_ALL=C sort)
node "$jco_dir/jco_convert.mjs" "$PWD/converted" "${scripts[@]}"
for f in "${scripts[@]}"; do
  b="$(basename "$f")"
  label="$b"
  "$weld" wast -v "$f" 2>&1 | grep -E '^(PASS|FAIL|skip) ' | awk '{print $1, $2}' >text.out
  "$weld" wast -v "converted/$b" 2>&1 | grep -E '^(PASS|FAIL|skip) ' | awk '{print $1}' >bin.out
  if [ "$(wc -l <text.out)" -ne "$(wc -l <bin.out)" ]; then
    bad "$(wc -l <text.out) commands with weld's reader, $(wc -l <bin.out) with jco's"
    continue
  fi
  while read -r t where j; do
    label="$where"
    if [ "$t" = "$j" ] || [ "$t" = skip ]; then ok; else bad "weld's reader: $t, jco's encoding: $j"; fi
  done < <(paste -d ' ' text.out bin.out)
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

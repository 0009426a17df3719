#!/usr/bin/env bash
# The component model's test scripts with their text-format components encoded to binary
# by jco's text reader (`parse`, wasm-tools' parser, which does not validate), then run
# by `weld wast`: the validation verdicts of the ~600 text components that run.sh has to
# skip. A measurement of how much of the validation rules weld implements, not a gate:
# the rules listed as not done in src/component/README.md fail here.
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
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

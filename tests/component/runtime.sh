#!/usr/bin/env bash
# Running components, against an independent reference: components written in the
# component text format (tests/component/runtime/*.wat, and the ones runtime_cases.py
# writes) are encoded by jco (`jco parse`), run by weld (`weld run --invoke`) and, made
# into JavaScript by jco (`jco transpile`), by Node.js; both results must be the same.
# The Canonical ABI's traps (traps.wat: jco's JavaScript makes fewer checks, and has no
# latin1+utf16) and resource handling across component instances (resources.wat) are
# checked against the expectations written in those files; then the command line.
#
#   tests/component/runtime.sh [WELD]
#
# Needs node, npm (and the network the first time: jco is installed as jco.sh does).
# Ends with `N passed, M failed`.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
# shellcheck source=jco_env.sh
. "$root/tests/component/jco_env.sh"
harness_init component-runtime "${1:-$root/build/weld}" node npm python3
label="install jco $JCO_VERSION"
if ! jco_install "$root/build/component-jco"; then
  bad "npm install failed"
  echo "$passed passed, $failed failed"
  exit 1
fi
jco="$jco_dir/node_modules/.bin/jco"

mkdir gen
python3 "$root/tests/component/runtime_cases.py" gen >/dev/null
cp "$root"/tests/component/runtime/*.wat gen/
for f in values flat traps resources command; do
  label="jco parse $f.wat"
  if "$jco" parse "gen/$f.wat" -o "gen/$f.wasm" >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
done
for f in values flat resources; do
  label="jco transpile $f.wasm"
  if "$jco" transpile "gen/$f.wasm" -o "gen/$f" --name "$f" --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
done
label="Node.js runs the transpiled components"
if node "$root/tests/component/runtime_node.mjs" gen >gen/node.txt 2>err.txt; then ok; else bad "$(head -5 err.txt)"; fi

python3 "$root/tests/component/runtime_check.py" "$weld" gen >check.txt
grep '^FAIL' check.txt
if [[ "$(tail -1 check.txt)" =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
  passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
else
  label="runtime_check.py"
  bad "no summary line: $(tail -3 check.txt)"
fi
echo "$passed passed, $failed failed"

#!/usr/bin/env bash
# Running components, against an independent reference: components written in the
# component text format (tests/component/runtime/*.wat, and the ones runtime_cases.py
# writes) are encoded by jco (`jco parse`), run by weld (`weld run --invoke`) and, made
# into JavaScript by jco (`jco transpile`), by Node.js; both results must be the same.
# The Canonical ABI's traps (traps.wat: jco's JavaScript makes fewer checks, and has no
# latin1+utf16) and resource handling across component instances (resources.wat) are
# checked against the expectations written in those files; then the command line.
# Last, the component-model scripts' running commands (values/, resources/, linking/ of
# SUITE, default ../shared/testsuite/component-model), their text components encoded by
# jco: every assert_return and assert_trap on an invoke through `weld run --invoke`
# (spec_run.py); what needs a feature weld lacks (async, the thread built-ins) is skipped.
#
#   tests/component/runtime.sh [WELD] [SUITE]
#
# WELD_RUNTIME_SCRIPTS=0 leaves the scripts out (the sanitizer build's stage: hundreds of
# short runs under ASan cost minutes).
# Needs node, npm (and the network the first time: jco is installed as jco.sh does).
# Ends with `N passed, M failed`.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
suite="${2:-$root/../shared/testsuite/component-model}"
case "$suite" in /*) ;; *) suite="$(pwd)/$suite" ;; esac
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

# What jco and Node.js produce depends only on the inputs: kept between runs (the
# release and the sanitizer stage share it) under a stamp of those inputs.
cache="$jco_dir/runtime-cache"
stamp="$(cat "$root"/tests/component/runtime_cases.py "$root"/tests/component/runtime_node.mjs \
  "$root"/tests/component/runtime/*.wat | sha256sum | cut -c1-16)-$JCO_VERSION-$(node --version)"
if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ]; then
  cp -r "$cache/gen" gen
  echo "jco's and Node.js's outputs from $cache"
else
  mkdir gen
  python3 "$root/tests/component/runtime_cases.py" gen >/dev/null
  cp "$root"/tests/component/runtime/*.wat gen/
  for f in values flat traps resources command deep; do
    label="jco parse $f.wat"
    if "$jco" parse "gen/$f.wat" -o "gen/$f.wasm" >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
  done
  for f in values flat resources; do
    label="jco transpile $f.wasm"
    if "$jco" transpile "gen/$f.wasm" -o "gen/$f" --name "$f" --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
  done
  label="Node.js runs the transpiled components"
  if node "$root/tests/component/runtime_node.mjs" gen >gen/node.txt 2>err.txt; then ok; else bad "$(head -5 err.txt)"; fi
  if [ "$failed" -eq 0 ]; then
    rm -rf "$cache" && mkdir -p "$cache" && cp -r gen "$cache/gen" && echo "$stamp" >"$cache/stamp"
  fi
fi

python3 "$root/tests/component/runtime_check.py" "$weld" gen >check.txt
grep '^FAIL' check.txt
if [[ "$(tail -1 check.txt)" =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
  passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
else
  label="runtime_check.py"
  bad "no summary line: $(tail -3 check.txt)"
fi

# the component-model scripts' invoke commands
skipped=0
if [ "${WELD_RUNTIME_SCRIPTS:-1}" = 0 ]; then
  echo "the component-model scripts: left out (WELD_RUNTIME_SCRIPTS=0)"
elif [ -d "$suite" ]; then
  cp "$root/tests/component/jco_convert.mjs" "$jco_dir/"
  label="jco encodes the scripts' components"
  if node "$jco_dir/jco_convert.mjs" "$PWD/conv" "$suite"/values/*.wast "$suite"/resources/*.wast "$suite"/linking/*.wast \
    >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
  python3 "$root/tests/component/spec_run.py" "$weld" conv/*.wast >spec.txt
  grep '^FAIL' spec.txt
  if [[ "$(tail -1 spec.txt)" =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped ]]; then
    passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2])) skipped=${BASH_REMATCH[3]}
  else
    label="spec_run.py"
    bad "no summary line: $(tail -3 spec.txt)"
  fi
else
  label="suite"
  bad "no component-model suite at $suite"
fi
echo "skipped: $skipped script commands (async functions and built-ins)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

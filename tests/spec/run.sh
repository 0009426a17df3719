#!/usr/bin/env bash
# Runs a WebAssembly conformance suite: every SUITE_DIR/*.wast, in parallel, either
# natively with `weld wast` (the default) or converted with wast2json and checked by the
# weld_spec driver (the cross-check mode).
#
#   tests/spec/run.sh SUITE_DIR
#
# Environment:
#   SPEC_MODE         wast (default): `weld wast` reads and runs each script itself;
#                     wast2json: wast2json converts, weld_spec runs the JSON
#   WELD             the weld binary for SPEC_MODE=wast (default: build/weld)
#   WELD_SPEC_DRIVER  the driver binary for SPEC_MODE=wast2json (default: build/weld_spec)
#   WELD_SPEC_OUT     where logs (and converted scripts) are written (default: the
#                     binary's build directory + /spec/<suite name>, + -wast2json in
#                     that mode)
#   JOBS              parallel scripts (default: nproc)
#   WELD_SPEC_ONLY    run only the scripts whose file name matches this glob, e.g.
#                     'simd_*.wast' (default: every script)
#
# Prints one line per script, `name: N passed, M failed, K skipped`, in name order, then
# the skipped commands by reason, then the total `N passed, M failed, K skipped` alone on
# the last line. Failures (file, line, command, reason) go to OUT/failures.log.
# Exit status: 0 when nothing failed.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"

# One script natively, run by xargs.
if [ "${1:-}" = "--one-wast" ]; then
  wast="$2" out="$3" weld="$4"
  name="$(basename "$wast" .wast)"
  dir="$out/$name"
  mkdir -p "$dir"
  set +e
  # A suite named wasm-2.0 holds weld to 2.0 (its scripts assert 2.0's restrictions).
  standard=3.0
  case "$(basename "$(dirname "$wast")")" in wasm-2.0*) standard=2.0 ;; esac
  "$weld" wast --standard "$standard" --name "$name" --log "$dir/log" "$wast" >"$dir/result" 2>"$dir/weld.err"
  rc=$?
  set -e
  # 0 and 1 are verdicts, 2 a script weld cannot read; anything else (a crash, a
  # sanitizer report) fails the whole script, whatever was printed before.
  if [ $rc -gt 2 ] || ! grep -q "^$name: [0-9]* passed, [0-9]* failed, [0-9]* skipped$" "$dir/result"; then
    echo "$name: 0 passed, 1 failed, 0 skipped" >"$dir/result"
    { echo "FAIL $name.wast:0: weld wast: exited with status $rc:"; sed 's/^/  /' "$dir/weld.err" | head -40; } >>"$dir/log"
  fi
  exit 0
fi

# One script, run by xargs: convert (unless already up to date), then drive.
if [ "${1:-}" = "--one" ]; then
  wast="$2" out="$3" driver="$4"
  name="$(basename "$wast" .wast)"
  dir="$out/$name"
  mkdir -p "$dir"
  json="$dir/$name.json"
  if [ ! -s "$json" ] || [ "$wast" -nt "$json" ]; then
    rm -f "$dir"/*
    if ! wast2json "$wast" -o "$json" 2>"$dir/wast2json.err"; then
      rm -f "$json"
      echo "$name: 0 passed, 1 failed, 0 skipped" >"$dir/result"
      { echo "FAIL $name.wast:0: wast2json: conversion failed:"; sed 's/^/  /' "$dir/wast2json.err"; } >"$dir/log"
      exit 0
    fi
  fi
  set +e
  standard=3.0
  case "$(basename "$(dirname "$wast")")" in wasm-2.0*) standard=2.0 ;; esac
  "$driver" --standard "$standard" --name "$name" --log "$dir/log" "$json" >"$dir/result" 2>"$dir/driver.err"
  rc=$?
  set -e
  # 0 and 1 are verdicts; anything else (a crash, a sanitizer report) is a failure of
  # the whole script, whatever the driver managed to print before it.
  if [ $rc -gt 1 ] || ! grep -q "^$name: [0-9]* passed, [0-9]* failed, [0-9]* skipped$" "$dir/result"; then
    echo "$name: 0 passed, 1 failed, 0 skipped" >"$dir/result"
    { echo "FAIL $name.wast:0: driver: exited with status $rc:"; sed 's/^/  /' "$dir/driver.err" | head -40; } >>"$dir/log"
  fi
  exit 0
fi

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
  echo "usage: tests/spec/run.sh SUITE_DIR" >&2
  exit 2
fi
suite="$(cd "$1" && pwd)"
mode="${SPEC_MODE:-wast}"
case "$mode" in
  wast)
    runner="${WELD:-$root/build/weld}"
    case "$runner" in /*) ;; *) runner="$(pwd)/$runner" ;; esac
    if [ ! -x "$runner" ]; then
      echo "spec: $runner not found (build it with 'make' first)" >&2
      exit 2
    fi
    one=--one-wast
    out="${WELD_SPEC_OUT:-$(dirname "$runner")/spec/$(basename "$suite")}"
    ;;
  wast2json)
    runner="${WELD_SPEC_DRIVER:-$root/build/weld_spec}"
    case "$runner" in /*) ;; *) runner="$(pwd)/$runner" ;; esac
    if [ ! -x "$runner" ]; then
      echo "spec: driver $runner not found (build it with 'make' first)" >&2
      exit 2
    fi
    if ! command -v wast2json >/dev/null; then
      echo "spec: wast2json not found (install wabt: tests/deps.sh)" >&2
      exit 2
    fi
    one=--one
    out="${WELD_SPEC_OUT:-$(dirname "$runner")/spec/$(basename "$suite")-wast2json}"
    ;;
  *)
    echo "spec: unknown SPEC_MODE '$mode' (wast or wast2json)" >&2
    exit 2
    ;;
esac
mkdir -p "$out"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

only="${WELD_SPEC_ONLY:-*.wast}"
mapfile -t scripts < <(find -L "$suite" -maxdepth 1 -name '*.wast' -name "$only" -type f | LC_ALL=C sort)
if [ ${#scripts[@]} -eq 0 ]; then
  echo "spec: no .wast files matching $only in $suite" >&2
  exit 2
fi
for w in "${scripts[@]}"; do rm -f "$out/$(basename "$w" .wast)/result"; done
printf '%s\0' "${scripts[@]}" | xargs -0 -P "$jobs" -I{} bash "$0" "$one" {} "$out" "$runner"

# Gather in name order so the output does not depend on scheduling.
log="$out/failures.log"
details="$out/scripts.log"
: >"$details"
passed=0 failed=0 skipped=0
for w in "${scripts[@]}"; do
  name="$(basename "$w" .wast)"
  dir="$out/$name"
  if [ -s "$dir/result" ]; then line="$(cat "$dir/result")"
  else line="$name: 0 passed, 1 failed, 0 skipped"; echo "FAIL $name.wast:0: not run" >>"$dir/log"; fi
  echo "$line"
  read -r p f s < <(sed -E 's/^.*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/' <<<"$line")
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  if [ -s "$dir/log" ]; then
    echo "== $line" >>"$details"
    cat "$dir/log" >>"$details"
  fi
done

# The log: every failure first (with any indented detail lines), then each script's
# section with its failures and skip reasons.
{
  echo "# $passed passed, $failed failed, $skipped skipped ($suite, $mode mode, $runner)"
  awk '/^FAIL / { keep = 1; print; next } /^  / && keep { print; next } { keep = 0 }' "$details"
  echo
  echo "# per script"
  cat "$details"
} >"$log"
rm -f "$details"

echo "skipped by reason:"
if [ "$skipped" -gt 0 ]; then
  grep -h '^SKIP ' "$log" | sed -E 's/^SKIP [^:]*: //' |
    awk '{ n = $NF; sub(/: [0-9]+$/, ""); t[$0] += n } END { for (r in t) printf "  %s: %d\n", r, t[r] }' |
    LC_ALL=C sort
else
  echo "  none"
fi
if [ "$failed" -gt 0 ]; then
  echo "failures: $log"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

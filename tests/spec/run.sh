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
#   WELD_SPEC_ONLY    run only the scripts whose file name matches this glob, or one
#                     of these globs separated by spaces, e.g. 'simd_*.wast'
#                     (default: every script)
#   SPEC_KNOWN_FAILURES  a file of commands known to fail, one `FILE.wast:LINE` per line
#                     (then a reason; `#` starts a comment): they are counted apart as
#                     known failures, not as failed; one that no longer fails is a
#                     failure until it is removed from the file, so the list stays exact
#   SPEC_VERSION      2.0 or 3.0: the edition the scripts are run under (`weld wast
#                     --standard`: 2.0's restrictions and wording, or 3.0's); default
#                     3.0 for a suite under a wasm-3* directory, 2.0 otherwise
#                     when a directory of SUITE_DIR's path is named wasm-3*, else 2.0
#
# Prints one line per script, `name: N passed, M failed, K skipped`, in name order, then
# the skipped commands by reason, then the total `N passed, M failed, K skipped` alone on
# the last line (`, X known failures` appended with SPEC_KNOWN_FAILURES). Failures (file, line, command, reason) go to OUT/failures.log.
# Exit status: 0 when nothing failed.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"

# One script natively, run by xargs.
if [ "${1:-}" = "--one-wast" ]; then
  wast="$2" out="$3" weld="$4" version="$5"
  name="$(basename "$wast" .wast)"
  dir="$out/$name"
  mkdir -p "$dir"
  set +e
  "$weld" wast --standard "$version" --name "$name" --log "$dir/log" "$wast" >"$dir/result" 2>"$dir/weld.err"
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
case "$suite/" in
  */wasm-3*/*) version="${SPEC_VERSION:-3.0}" ;;
  *) version="${SPEC_VERSION:-2.0}" ;;
esac
case "$version" in
  2.0|3.0) ;;
  *) echo "spec: unknown SPEC_VERSION '$version' (2.0 or 3.0)" >&2; exit 2 ;;
esac
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
names=()
read -ra globs <<<"$only"
for g in "${globs[@]}"; do names+=(${names[0]+-o} -name "$g"); done
mapfile -t scripts < <(find -L "$suite" -maxdepth 1 -name '*.wast' \( "${names[@]}" \) -type f | LC_ALL=C sort)
if [ ${#scripts[@]} -eq 0 ]; then
  echo "spec: no .wast files matching $only in $suite" >&2
  exit 2
fi
for w in "${scripts[@]}"; do rm -f "$out/$(basename "$w" .wast)/result"; done
printf '%s\0' "${scripts[@]}" | xargs -0 -P "$jobs" -I{} bash "$0" "$one" {} "$out" "$runner" "$version"

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
  echo "# $passed passed, $failed failed, $skipped skipped ($suite, $mode mode, $version wording, $runner)"
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
# Known failures: each listed command of a script that ran must still fail.
known_note=""
if [ -n "${SPEC_KNOWN_FAILURES:-}" ]; then
  if [ ! -f "$SPEC_KNOWN_FAILURES" ]; then
    echo "spec: no known-failures file $SPEC_KNOWN_FAILURES" >&2
    exit 2
  fi
  fails="$(sed -n '/^# per script/q; s/^FAIL \([^:]*:[0-9]*\):.*/\1/p' "$log" | LC_ALL=C sort -u)"
  ran="$(for w in "${scripts[@]}"; do basename "$w"; done)"
  known=0
  while read -r cmd _; do
    [ -n "$cmd" ] || continue
    grep -qxF "${cmd%%:*}" <<<"$ran" || continue
    if grep -qxF "$cmd" <<<"$fails"; then
      known=$((known + 1))
    else
      echo "known failure $cmd no longer fails: remove it from $SPEC_KNOWN_FAILURES"
      failed=$((failed + 1))
    fi
  done < <(sed -E 's/#.*//' "$SPEC_KNOWN_FAILURES")
  failed=$((failed - known))
  known_note=", $known known failures"
  echo "known failures: $known (listed with their reasons in $SPEC_KNOWN_FAILURES)"
fi
if [ "$failed" -gt 0 ] || [ -n "$known_note" ]; then
  echo "failures: $log"
fi
echo "$passed passed, $failed failed, $skipped skipped$known_note"
[ "$failed" -eq 0 ]

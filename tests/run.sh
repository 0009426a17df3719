#!/usr/bin/env bash
# Everything `make test` runs once the three builds exist: every stage below, each on the
# release and ASan+UBSan builds where it applies (docs/testing.md lists them). Prints one
# summary line per stage, the spec suite's skipped commands, and last the total
# `N passed, M failed` over every stage.
#
# Environment (defaults in parentheses):
#   WELD_BUILD (build), WELD_ASAN_BUILD (build-asan), WELD_FUZZ_BUILD (build-fuzz)
#   SUITE (../shared/testsuite/wasm-2.0)   FUZZ_SECONDS (10 per target; 0 skips fuzzing)
#   SUITE3 (../shared/testsuite/wasm-3.0)
#   CM_SUITE (the component-model scripts beside SUITE)   WELD_TEST_JCO=0 (no jco stage)
#   TIERDIFF_COUNT (40 binaryen modules in the tier-difference stage)
#   TIERDIFF_OPT_COUNT (16 more through the optimising tier too)
# Each stage's full output is kept in $WELD_BUILD/test-logs/<stage>.log.
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build="${WELD_BUILD:-build}"
asan="${WELD_ASAN_BUILD:-build-asan}"
fuzz="${WELD_FUZZ_BUILD:-build-fuzz}"
suite="${SUITE:-../shared/testsuite/wasm-2.0}"
suite3="${SUITE3:-../shared/testsuite/wasm-3.0}"
fuzz_seconds="${FUZZ_SECONDS:-10}"
logs="$build/test-logs"
mkdir -p "$logs"

total_passed=0 total_failed=0
spec_skips=""

# record STAGE PASSED FAILED [NOTE]: prints the stage line and adds to the total.
record() {
  local stage=$1 p=$2 f=$3 note=${4:-}
  total_passed=$((total_passed + p)) total_failed=$((total_failed + f))
  printf '%-18s %s passed, %s failed%s\n' "$stage:" "$p" "$f" "${note:+ $note}"
}

# stage NAME LOG CMD...: runs a command whose last line is `N passed, M failed[, ...]`.
# A command that dies without that line, or exits non-zero with no failure counted,
# counts as one failure so nothing goes unnoticed.
stage() {
  local name=$1 log=$2
  shift 2
  local start=$SECONDS
  "$@" >"$log" 2>&1
  local rc=$?
  local last p f
  last="$(tail -n 1 "$log")"
  if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  else
    p=0 f=1
  fi
  record "$name" "$p" "$f" "($((SECONDS - start))s)"
  if [ "$f" -gt 0 ] && [[ "$name" != spec* ]]; then
    echo "  exit status $rc; from $log:"
    { grep -E '^(FAIL|fail|not ok)|ERROR|error:|runtime error' "$log" || tail -n 15 "$log"; } | head -n 20 | sed 's/^/    /'
  fi
}

need() {
  if [ ! -x "$1" ]; then
    echo "missing $1 (build it with 'make test' or 'make $2')" >"$logs/$3.log"
    return 1
  fi
}

# flavour_stage NAME FLAVOUR CMD ARGS...: the stage "NAME (FLAVOUR)" on that build's weld;
# @DIR@ in an argument is the build directory (release: $build, asan: $asan).
flavour_stage() {
  local name=$1 flavour=$2 dir=$build
  shift 2
  [ "$flavour" = asan ] && dir=$asan
  if need "$dir/weld" "$dir" "$name-$flavour"; then
    stage "$name ($flavour)" "$logs/$name-$flavour.log" "${@//@DIR@/$dir}"
  else
    record "$name ($flavour)" 0 1 "($dir/weld missing)"
  fi
}

cm_suite="${CM_SUITE:-$(dirname "$suite")/component-model}"

# pkg_stage FLAVOUR: weld pkg, then the reasons of what it skipped
pkg_stage() {
  flavour_stage pkg "$1" tests/pkg/run.sh @DIR@/weld
  sed -n 's/^SKIP \[\(.*\)\] \(.*\)$/  skipped: \1: \2/p' "$logs/pkg-$1.log"
}
# capi_stage FLAVOUR: the C API programs, built by gcc against the release library or by
# clang with the sanitizers against the ASan one
capi_stage() {
  local dir=$build cc=cc san=0
  [ "$1" = asan ] && dir=$asan cc=clang san=1
  if [ -f "$dir/libweld.a" ]; then
    CC=$cc SANITIZE=$san stage "capi ($1)" "$logs/capi-$1.log" tests/capi/run.sh "$dir"
  else
    record "capi ($1)" 0 1 "($dir/libweld.a missing)"
  fi
}

# ---- unit tests ---------------------------------------------------------------------------
for flavour in release asan; do
  dir=$build
  [ $flavour = asan ] && dir=$asan
  if need "$dir/weld_unit" "$dir" "unit-$flavour"; then
    stage "unit ($flavour)" "$logs/unit-$flavour.log" "$dir/weld_unit"
  else
    record "unit ($flavour)" 0 1 "($dir/weld_unit missing)"
  fi
done

# ---- the second lane ---------------------------------------------------------------------------
# The stages below are single-threaded (the fuzzers one target at a time, the deep nesting
# shapes one command at a time, the command line's checks, the ASan runs of the checks that
# are not conformance suites: command line, trace, precompiled, guard, optimising tier, WIT,
# packages, planner, components, WASI, audit, C API) and share nothing with the others
# (ports the kernel hands out, their own temporary directories and caches; jco's one
# install is locked), so they run beside the rest on the second core; they are chosen so
# that both lanes take about as long.
# Their lines are printed, and their counts added to the total, when the rest is done.
lane_b() {
  flavour_stage cli release tests/cli/cli_test.sh @DIR@/weld
  flavour_stage cli asan tests/cli/cli_test.sh @DIR@/weld
  flavour_stage trace asan tests/trace/trace_test.sh @DIR@/weld
  flavour_stage aot asan tests/cli/aot_test.sh @DIR@/weld
  flavour_stage guard asan tests/guard/run.sh @DIR@/weld @DIR@/weld_unit
  # the optimising tier's command-line checks under ASan and UBSan (LLVM-compiled code
  # calling the instrumented runtime, and the reverse; the script sets what LeakSanitizer
  # needs with the dlopen'd libLLVM)
  flavour_stage opt asan tests/opt/opt_test.sh @DIR@/weld
  flavour_stage wit asan tests/wit/run.sh @DIR@/weld
  pkg_stage asan
  flavour_stage plan asan tests/plan/run.sh @DIR@/weld 40
  flavour_stage component asan tests/component/run.sh @DIR@/weld "$cm_suite"
  flavour_stage wasi asan tests/wasi/run.sh @DIR@/weld
  flavour_stage audit asan tests/audit/audit_test.sh @DIR@/weld
  capi_stage asan
  # a JavaScript component made by jco componentize (minutes the first time, then cached)
  # under weld against Node.js with jco
  if [ "${WELD_TEST_JCO:-1}" = 1 ]; then
    if need "$build/weld" "$build" "component-toolchains"; then
      stage "component toolchains" "$logs/component-toolchains.log" tests/component/toolchains.sh "$build/weld"
      grep -q '^toolchains: skipped' "$logs/component-toolchains.log" &&
        echo "  $(grep '^toolchains: skipped' "$logs/component-toolchains.log")"
    else
      record "component toolchains" 0 1 "($build/weld missing)"
    fi
  else
    echo "component toolchains: skipped (WELD_TEST_JCO=0)"
  fi

  # ---- deeply nested text and binaries through every command -----------------------------------
  for flavour in release asan; do
    dir=$build
    [ $flavour = asan ] && dir=$asan
    if need "$dir/weld" "$dir" "nesting-$flavour"; then
      # under ASan up to 200,000 levels (the million-level shapes run in the release stage)
      if [ $flavour = asan ]; then
        NESTING_MAX=200000 stage "nesting (asan, to 200,000 levels)" "$logs/nesting-$flavour.log" tests/text/nesting.sh "$dir/weld"
      else
        stage "nesting ($flavour)" "$logs/nesting-$flavour.log" tests/text/nesting.sh "$dir/weld"
      fi
    else
      record "nesting ($flavour)" 0 1 "($dir/weld missing)"
    fi
  done

  # ---- fuzzing ----------------------------------------------------------------------------------
  fuzz_smoke() {
    # One test per target: it passes when the run finds nothing.
    local out rc
    out="$(WELD_FUZZ_BUILD="$fuzz" SUITE="$suite" tests/fuzz/run.sh "$fuzz_seconds" 2>&1)"
    rc=$?
    echo "$out"
    echo "$(grep -c '^fuzz .*: ok' <<<"$out") passed, $(grep -c '^fuzz .*: FAILED' <<<"$out") failed"
    return $rc
  }
  if [ "$fuzz_seconds" = 0 ]; then
    echo "fuzz:              skipped (FUZZ_SECONDS=0)"
  else
    stage "fuzz (${fuzz_seconds}s)" "$logs/fuzz.log" fuzz_smoke
  fi

  echo "lane total: $total_passed $total_failed"
}
lane_out="$logs/lane-b.out"
total_passed=0 total_failed=0 lane_b >"$lane_out" 2>&1 &
lane_pid=$!

# ---- conformance ----------------------------------------------------------------------------
for flavour in release asan; do
  dir=$build
  [ $flavour = asan ] && dir=$asan
  log="$logs/spec-$flavour.log"
  if ! need "$dir/weld" "$dir" "spec-$flavour"; then
    record "spec ($flavour)" 0 1 "($dir/weld missing)"
    continue
  fi
  if [ ! -d "$suite" ]; then
    record "spec ($flavour)" 0 1 "(no suite at $suite)"
    continue
  fi
  WELD="$dir/weld" stage "spec ($flavour)" "$log" tests/spec/run.sh "$suite"
  if [ $flavour = release ]; then
    # "  reason: count" lines under "skipped by reason:" become "reason: count, ..."
    spec_skipped="$(sed -nE 's/^[0-9]+ passed, [0-9]+ failed, ([0-9]+) skipped$/\1/p' "$log" | tail -n 1)"
    spec_skips="$(sed -n '/^skipped by reason:$/,/^[0-9]/p' "$log" | sed -nE 's/^  (.*: [0-9]+)$/\1/p' | paste -sd, - | sed 's/,/, /g')"
  fi
  failures="$(sed -n 's/^failures: //p' "$log")"
  if [ -n "$failures" ] && [ -f "$failures" ]; then
    echo "  first failures (all in $failures):"
    sed -n '/^# per script/q; /^FAIL /p' "$failures" | head -n 10 | sed 's/^/    /'
  fi
done

# ---- the 3.0 suite and its legacy/ folder (release), in 3.0 wording -----------------------------
# Commands of proposals weld lacks are skipped by feature (counted in the summary); the few
# commands listed in tests/spec/wasm-3.0.known-failures fail for such a feature too and are
# counted apart (one of them passing fails the stage until its line is removed).
spec3_skips=""
for part in main legacy; do
  dir3=$suite3 name3="spec 3.0 (release)" out3="$build/spec/wasm-3.0"
  [ $part = legacy ] && dir3=$suite3/legacy name3="spec 3.0 legacy" out3="$build/spec/wasm-3.0-legacy"
  log="$logs/spec3-$part.log"
  if ! need "$build/weld" "$build" "spec3-$part"; then
    record "$name3" 0 1 "($build/weld missing)"
    continue
  fi
  if [ ! -d "$dir3" ]; then
    record "$name3" 0 1 "(no suite at $dir3)"
    continue
  fi
  SPEC_VERSION=3.0 SPEC_KNOWN_FAILURES=tests/spec/wasm-3.0.known-failures WELD_SPEC_OUT="$out3" \
    WELD="$build/weld" stage "$name3" "$log" tests/spec/run.sh "$dir3"
  n="$(sed -nE 's/^[0-9]+ passed, [0-9]+ failed, ([0-9]+) skipped.*$/\1/p' "$log" | tail -n 1)"
  k="$(sed -nE 's/^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped, ([0-9]+) known failures$/\1/p' "$log" | tail -n 1)"
  r="$(sed -n '/^skipped by reason:$/,/^[0-9]/p' "$log" | sed -nE 's/^  (.*: [0-9]+)$/\1/p' | paste -sd, - | sed 's/,/, /g')"
  spec3_skips="${spec3_skips:+$spec3_skips; }$part: ${n:-?} skipped (${r:-none})${k:+, $k known failures}"
  grep '^known failure .* no longer fails' "$log" | sed 's/^/  /'
  failures="$(sed -n 's/^failures: //p' "$log")"
  if [ -n "$failures" ] && [ -f "$failures" ] && ! grep -q '^[0-9]* passed, 0 failed' <(tail -n 1 "$log"); then
    echo "  first failures (all in $failures):"
    sed -n '/^# per script/q; /^FAIL /p' "$failures" | head -n 10 | sed 's/^/    /'
  fi
done

# ---- the 3.0 suite under ASan and UBSan ---------------------------------------------------------
# Every 3.0 script and the legacy/ folder; the GC scripts run once, with a collection at
# every allocation (a superset of the plain run's checks: the same commands, and every
# object's survival at every allocation).
gc_scripts='struct*.wast array*.wast i31.wast ref_*.wast br_on_cast*.wast extern.wast type-*.wast'
if need "$asan/weld" "$asan" "spec3-asan" && [ -d "$suite3" ]; then
  only3=""
  for f in $(ls "$suite3" | grep '\.wast$'); do
    gc=0
    for g in $gc_scripts; do [[ "$f" == $g ]] && gc=1; done
    [ $gc = 0 ] && only3="$only3 $f"
  done
  SPEC_VERSION=3.0 SPEC_KNOWN_FAILURES=tests/spec/wasm-3.0.known-failures WELD_SPEC_ONLY="$only3" \
    WELD_SPEC_OUT="$asan/spec/wasm-3.0" WELD="$asan/weld" \
    stage "spec 3.0 (asan)" "$logs/spec3-asan.log" tests/spec/run.sh "$suite3"
  SPEC_VERSION=3.0 WELD_SPEC_OUT="$asan/spec/wasm-3.0-legacy" WELD="$asan/weld" \
    stage "spec 3.0 legacy (asan)" "$logs/spec3-legacy-asan.log" tests/spec/run.sh "$suite3/legacy"
  WELD_GC_STRESS=1 SPEC_VERSION=3.0 WELD_SPEC_ONLY="$gc_scripts" \
    WELD_SPEC_OUT="$asan/spec/gc-stress" WELD="$asan/weld" \
    stage "spec 3.0 GC (asan, collect at every allocation)" "$logs/spec3-gc-stress-asan.log" tests/spec/run.sh "$suite3"
else
  record "spec 3.0 (asan)" 0 1 "($asan/weld or $suite3 missing)"
fi

# ---- proposals after 3.0: skipped by proposal, never failed or passed (docs/proposals.md); -------
# threads, implemented, runs (its scripts and tests/spec/threads/) in interp, baseline, auto at 0
if need "$build/weld" "$build" "spec-proposals"; then
  stage "spec post-3.0 proposals" "$logs/spec-proposals.log" tests/spec/proposals.sh "$build/weld" "$suite3"
else
  record "spec post-3.0 proposals" 0 1 "($build/weld missing)"
fi

# ---- the GC scripts of the 3.0 suite with a collection at every allocation ----------------------
# (WELD_GC_STRESS=1): every object a frame, global, table or handle still reaches must survive
# any collection, so a missing stack map shows here as a wrong result or a crash.
if need "$build/weld" "$build" "spec3-gc-stress" && [ -d "$suite3" ]; then
  WELD_GC_STRESS=1 SPEC_VERSION=3.0 WELD_SPEC_ONLY='struct*.wast array*.wast i31.wast ref_*.wast br_on_cast*.wast extern.wast type-*.wast' \
    WELD_SPEC_OUT="$build/spec/gc-stress" WELD="$build/weld" \
    stage "spec 3.0 GC (collect at every allocation)" "$logs/spec3-gc-stress.log" tests/spec/run.sh "$suite3"
else
  record "spec 3.0 GC (collect at every allocation)" 0 1 "($build/weld or $suite3 missing)"
fi
# The same under the auto tier at threshold 1: each function's first call runs the interpreter
# behind its counting entry, whose frames the collector must read against the internal code.
if need "$build/weld" "$build" "spec3-gc-stress-auto" && [ -d "$suite3" ]; then
  WELD_TIER=auto WELD_TIER_EAGER_BYTES=0 WELD_TIER_UP_THRESHOLD=1 WELD_GC_STRESS=1 SPEC_VERSION=3.0 \
    WELD_SPEC_ONLY='struct*.wast array*.wast i31.wast ref_*.wast br_on_cast*.wast extern.wast type-*.wast' \
    WELD_SPEC_OUT="$build/spec/gc-stress-auto" WELD="$build/weld" \
    stage "spec 3.0 GC (auto tier, collect at every allocation)" "$logs/spec3-gc-stress-auto.log" tests/spec/run.sh "$suite3"
else
  record "spec 3.0 GC (auto tier, collect at every allocation)" 0 1 "($build/weld or $suite3 missing)"
fi

# ---- weld wast against wast2json + weld_spec (same commands, no disagreement) -------------------
if need "$build/weld_spec" "$build" "spec-crosscheck"; then
  # The 2.0 suite is complete: nothing in it may be skipped.
  no_skips=0
  [ "$(basename "$suite")" = wasm-2.0 ] && no_skips=1
  SPEC_NO_SKIPS=$no_skips WELD="$build/weld" WELD_SPEC_DRIVER="$build/weld_spec" stage "spec cross-check" "$logs/spec-crosscheck.log" tests/spec/crosscheck.sh "$suite"
else
  record "spec cross-check" 0 1 "($build/weld_spec missing)"
fi

# The whole 2.0 suite with the instance pool (WELD_POOL=1: memories and tables from
# reused slots, data segments from copy-on-write images; src/exec/pool.c): same results.
if need "$build/weld" "$build" "spec-pooled" && [ -d "$suite" ]; then
  WELD_POOL=1 WELD_SPEC_OUT="$build/spec/pooled" WELD="$build/weld" \
    stage "spec (pooled)" "$logs/spec-pooled.log" tests/spec/run.sh "$suite"
else
  record "spec (pooled)" 0 1 "($build/weld or $suite missing)"
fi

# The SIMD scripts again with the portable library and no inline vector handlers (the
# runtime switch WELD_SIMD=portable), so that path stays correct on every host.
if need "$build/weld" "$build" "spec-simd-portable" && [ -d "$suite" ]; then
  WELD_SIMD=portable WELD_SPEC_ONLY='simd_*.wast' WELD_SPEC_OUT="$build/spec/simd-portable" \
    WELD="$build/weld" \
    stage "spec (portable SIMD)" "$logs/spec-simd-portable.log" tests/spec/run.sh "$suite"
  # and compiled: the baseline tier then calls the portable library for every SIMD
  # operation, so each way compiled code calls it (by shape) runs (about 10 s)
  WELD_SIMD=portable WELD_TIER=baseline WELD_SPEC_ONLY='simd_*.wast' \
    WELD_SPEC_OUT="$build/spec/simd-portable-baseline" WELD="$build/weld" \
    stage "spec (portable SIMD, baseline tier)" "$logs/spec-simd-portable-baseline.log" tests/spec/run.sh "$suite"
else
  record "spec (portable SIMD)" 0 1 "($build/weld or $suite missing)"
fi
# The 3.0 SIMD scripts (relaxed SIMD among them) the same way: the portable library must
# return the same choices (docs/relaxed-simd.md).
if need "$build/weld" "$build" "spec3-simd-portable" && [ -d "$suite3" ]; then
  WELD_SIMD=portable WELD_SPEC_ONLY='*simd*.wast *relaxed*.wast' WELD_SPEC_OUT="$build/spec/simd3-portable" \
    SPEC_VERSION=3.0 SPEC_KNOWN_FAILURES=tests/spec/wasm-3.0.known-failures WELD="$build/weld" \
    stage "spec 3.0 (portable SIMD)" "$logs/spec3-simd-portable.log" tests/spec/run.sh "$suite3"
else
  record "spec 3.0 (portable SIMD)" 0 1 "($build/weld or $suite3 missing)"
fi

# ---- the text reader against wast2json ---------------------------------------------------------
if need "$build/weld_text_test" "$build" "text"; then
  WELD_TEXT_TEST="$build/weld_text_test" stage "text" "$logs/text.log" tests/text/run.sh "$suite"
else
  record "text" 0 1 "($build/weld_text_test missing)"
fi

# ---- differential: random modules under weld and Node.js (V8) ----------------------------------
stage "diff (Node.js)" "$logs/diff.log" tests/diff/run.sh "$build/weld" "${DIFF_MODULES:-40}"

# ---- the component model: binary components decoded and validated (ASan: the second lane) -------
flavour_stage component release tests/component/run.sh @DIR@/weld "$cm_suite"
# components made by an independent toolchain: jco (pinned, from the npm registry, as the
# AssemblyScript stage does); WELD_TEST_JCO=0 leaves it out on a machine without npm access
if [ "${WELD_TEST_JCO:-1}" = 1 ]; then
  stage "component (jco)" "$logs/component-jco.log" tests/component/jco.sh "$build/weld"
  # running components: weld against Node.js running jco's transpiled JavaScript
  for flavour in release asan; do
    dir=$build
    [ $flavour = asan ] && dir=$asan
    if need "$dir/weld" "$dir" "component-run-$flavour"; then
      # the scripts' hundreds of short runs only on the release build
      scripts=1
      [ $flavour = asan ] && scripts=0
      stage "component run ($flavour)" "$logs/component-run-$flavour.log" env WELD_RUNTIME_SCRIPTS=$scripts \
        tests/component/runtime.sh "$dir/weld"
    else
      record "component run ($flavour)" 0 1 "($dir/weld missing)"
    fi
  done
  # weld compose: compositions run under weld and Node.js (jco), errors, the suite's components
  stage "component compose" "$logs/component-compose.log" tests/component/compose/run.sh "$build/weld" "$cm_suite"
  stage "component (jco text)" "$logs/component-jco-text.log" tests/component/jco_text.sh "$build/weld" "$cm_suite"
  # WASI 0.2 commands: weld against Node.js (jco + preview2 shim) and weld's preview1 run
  for flavour in release asan; do
    dir=$build
    [ $flavour = asan ] && dir=$asan
    if need "$dir/weld" "$dir" "wasi2-$flavour"; then
      stage "wasi2 ($flavour)" "$logs/wasi2-$flavour.log" tests/wasi2/run.sh "$dir/weld"
      stage "wasi2 sockets ($flavour)" "$logs/wasi2-sockets-$flavour.log" tests/wasi2/sockets.sh "$dir/weld"
    else
      record "wasi2 ($flavour)" 0 1 "($dir/weld missing)"
      record "wasi2 sockets ($flavour)" 0 1 "($dir/weld missing)"
    fi
  done
  # wasi:http: weld serve against jco serve, outgoing requests to a loopback server
  for flavour in release asan; do
    dir=$build
    [ $flavour = asan ] && dir=$asan
    if need "$dir/weld" "$dir" "http-$flavour"; then
      stage "http ($flavour)" "$logs/http-$flavour.log" tests/http/run.sh "$dir/weld"
    else
      record "http ($flavour)" 0 1 "($dir/weld missing)"
    fi
  done
else
  echo "component (jco):   skipped (WELD_TEST_JCO=0)"
  echo "component run:     skipped (WELD_TEST_JCO=0)"
  echo "component (jco text): skipped (WELD_TEST_JCO=0)"
  echo "component compose: skipped (WELD_TEST_JCO=0)"
  echo "wasi2:             skipped (WELD_TEST_JCO=0)"
  echo "wasi2 sockets:     skipped (WELD_TEST_JCO=0)"
  echo "http:              skipped (WELD_TEST_JCO=0)"
fi

# ---- WIT: the WASI packages jco ships, valid and hostile inputs (ASan: the second lane) ----------
flavour_stage wit release tests/wit/run.sh @DIR@/weld

# ---- the command line: both runs are in the second lane ------------------------------------------

# ---- backtraces, names, DWARF lines, profiling (the ASan run is in the second lane) ---------------
flavour_stage trace release tests/trace/trace_test.sh @DIR@/weld

# ---- WASI corpus (weld vs Node.js, escapes, policy; ASan: the second lane) ----------------------
flavour_stage wasi release tests/wasi/run.sh @DIR@/weld

# ---- Rust programs (std::fs/env/io/exit) under weld against the same programs built natively ---
if need "$build/weld" "$build" "wasi-rust"; then
  stage "wasi rust" "$logs/wasi-rust.log" tests/wasi/rust/run.sh "$build/weld"
  grep -q '^rust: skipped' "$logs/wasi-rust.log" && echo "  $(grep '^rust: skipped' "$logs/wasi-rust.log")"
else
  record "wasi rust" 0 1 "($build/weld missing)"
fi

# ---- AssemblyScript programs (wasi-shim) under weld against Node.js -----------------------------
if need "$build/weld" "$build" "wasi-assemblyscript"; then
  stage "wasi assemblyscript" "$logs/wasi-assemblyscript.log" tests/wasi/assemblyscript/run.sh "$build/weld"
  grep -q '^assemblyscript: skipped' "$logs/wasi-assemblyscript.log" &&
    echo "  $(grep '^assemblyscript: skipped' "$logs/wasi-assemblyscript.log")"
else
  record "wasi assemblyscript" 0 1 "($build/weld missing)"
fi

# ---- the sandbox fuzzer: random WASI calls under random policies against a model ----------
for flavour in release asan; do
  dir=$build
  [ $flavour = asan ] && dir=$asan
  nseeds=200
  [ $flavour = asan ] && nseeds=40
  if need "$dir/weld_sandbox_fuzz" "$dir" "sandbox-fuzz-$flavour"; then
    stage "sandbox fuzz ($flavour)" "$logs/sandbox-fuzz-$flavour.log" tests/wasi/sandbox_fuzz/run.sh "$dir/weld_sandbox_fuzz" $nseeds
  else
    record "sandbox fuzz ($flavour)" 0 1 "($dir/weld_sandbox_fuzz missing)"
  fi
done

# ---- the static audit (ASan: the second lane) ---------------------------------------------------
flavour_stage audit release tests/audit/audit_test.sh @DIR@/weld
# ---- packages: weld pkg with a registry directory, and Debian's docker-registry on loopback ---------
# (a registry that cannot start, and what needs component composition, count as skipped; ASan:
# the second lane)
pkg_stage release
# The whole suite again with every function the baseline compiler handles running as
# machine code (src/jit; the rest stays interpreted, per function).
if need "$build/weld" "$build" "spec-baseline" && [ -d "$suite" ]; then
  WELD_TIER=baseline WELD_SPEC_OUT="$build/spec/baseline" WELD="$build/weld" \
    stage "spec (baseline tier)" "$logs/spec-baseline.log" tests/spec/run.sh "$suite"
  # and with explicit bounds checks instead of the guard region and its fault handler
  # (under the suite's own edition, as tests/spec/run.sh chooses it)
  standard=2.0
  case "$suite" in */wasm-3*) standard=3.0 ;; esac
  WELD_TIER=baseline WELD="$build/weld" stage "spec (baseline, explicit bounds)" "$logs/spec-baseline-explicit.log" \
    "$build/weld" wast --standard "$standard" --bounds explicit --log "$logs/spec-baseline-explicit.failures" "$suite"/*.wast
else
  record "spec (baseline tier)" 0 1 "($build/weld or $suite missing)"
fi
# The auto tier at promotion threshold 2 (each function's first two calls run in the
# interpreter, the later ones compiled, so call stacks, traps, backtraces and exceptions
# cross tiers) with on-stack replacement looked for every 2 units of work, so frames also
# leave the interpreter at loop headers (src/jit/osr.c), all through both suites.
if need "$build/weld" "$build" "spec-osr" && [ -d "$suite" ]; then
  WELD_TIER=auto WELD_TIER_EAGER_BYTES=0 WELD_TIER_UP_THRESHOLD=2 WELD_OSR_THRESHOLD=2 WELD_SPEC_OUT="$build/spec/osr" WELD="$build/weld" \
    stage "spec (auto tier, OSR threshold 2)" "$logs/spec-osr.log" tests/spec/run.sh "$suite"
else
  record "spec (auto tier, OSR threshold 2)" 0 1 "($build/weld or $suite missing)"
fi
if need "$build/weld" "$build" "spec3-osr" && [ -d "$suite3" ]; then
  WELD_TIER=auto WELD_TIER_EAGER_BYTES=0 WELD_TIER_UP_THRESHOLD=2 WELD_OSR_THRESHOLD=2 SPEC_VERSION=3.0 \
    SPEC_KNOWN_FAILURES=tests/spec/wasm-3.0.known-failures WELD_SPEC_OUT="$build/spec/osr-3.0" WELD="$build/weld" \
    stage "spec 3.0 (auto tier, OSR threshold 2)" "$logs/spec3-osr.log" tests/spec/run.sh "$suite3"
else
  record "spec 3.0 (auto tier, OSR threshold 2)" 0 1 "($build/weld or $suite3 missing)"
fi
# Tier differences: binaryen's random modules in the interpreter, baseline and auto tiers.
if need "$build/weld_tierdiff" "$build" "tierdiff"; then
  TIERDIFF_OUT="$build/tierdiff" stage "tier diff (binaryen)" "$logs/tierdiff.log" \
    tests/fuzz/tierdiff/run.sh "$build/weld_tierdiff" "${TIERDIFF_COUNT:-40}"
else
  record "tier diff (binaryen)" 0 1 "($build/weld_tierdiff missing)"
fi
# The 3.0 suite in the baseline tier: several and 64-bit memories and tables, try_table,
# throw, throw_ref, the legacy try/catch/delegate/rethrow, SIMD and relaxed SIMD compiled;
# what the compiler does not handle (GC references across calls) must fall back per
# function, never miscompile.
if need "$build/weld" "$build" "spec3-baseline" && [ -d "$suite3" ]; then
  WELD_TIER=baseline SPEC_VERSION=3.0 SPEC_KNOWN_FAILURES=tests/spec/wasm-3.0.known-failures \
    WELD_SPEC_OUT="$build/spec/baseline-3.0" WELD="$build/weld" \
    stage "spec 3.0 (baseline tier)" "$logs/spec3-baseline.log" tests/spec/run.sh "$suite3"
else
  record "spec 3.0 (baseline tier)" 0 1 "($build/weld or $suite3 missing)"
fi
# The legacy exception instructions compiled (try, catch, catch_all, delegate, rethrow):
# the legacy/ folder in the baseline tier, then in the auto tier with calls and loops
# crossing tiers (promotion after 2 calls, on-stack replacement every 2 units).
if need "$build/weld" "$build" "spec3-legacy-baseline" && [ -d "$suite3/legacy" ]; then
  WELD_TIER=baseline SPEC_VERSION=3.0 SPEC_KNOWN_FAILURES=tests/spec/wasm-3.0.known-failures \
    WELD_SPEC_OUT="$build/spec/baseline-3.0-legacy" WELD="$build/weld" \
    stage "spec 3.0 legacy (baseline tier)" "$logs/spec3-legacy-baseline.log" tests/spec/run.sh "$suite3/legacy"
  WELD_TIER=auto WELD_TIER_EAGER_BYTES=0 WELD_TIER_UP_THRESHOLD=2 WELD_OSR_THRESHOLD=2 SPEC_VERSION=3.0 \
    SPEC_KNOWN_FAILURES=tests/spec/wasm-3.0.known-failures WELD_SPEC_OUT="$build/spec/osr-3.0-legacy" \
    WELD="$build/weld" stage "spec 3.0 legacy (auto tier, OSR threshold 2)" "$logs/spec3-legacy-osr.log" \
    tests/spec/run.sh "$suite3/legacy"
else
  record "spec 3.0 legacy (baseline tier)" 0 1 "($build/weld or $suite3/legacy missing)"
fi

# ---- precompiled modules (weld compile) and the compiled-code cache ------------------------------
# The 2.0 suite from baseline images (each module compiled into an image and loaded back),
# and the command-line checks: mismatches refused, cache hits, damage, eviction, racing
# writers (tests/cli/aot_test.sh; the optimised tier's checks too when weld has it).
if need "$build/weld" "$build" "spec-precompiled" && [ -d "$suite" ]; then
  WELD_AOT=1 WELD_TIER=baseline WELD_SPEC_OUT="$build/spec/precompiled-baseline" WELD="$build/weld" \
    stage "spec (precompiled, baseline)" "$logs/spec-precompiled-baseline.log" tests/spec/run.sh "$suite"
else
  record "spec (precompiled, baseline)" 0 1 "($build/weld or $suite missing)"
fi
flavour_stage aot release tests/cli/aot_test.sh @DIR@/weld # (ASan: the second lane)

# ---- the placement planner: exact == exhaustive == an independent search; manifest errors -----
# (160 random cases; ASan, in the second lane: 40)
flavour_stage plan release tests/plan/run.sh @DIR@/weld 160
# ---- the executor: WebAssembly services and runc containers end to end (root; skipped with the
# reason when runc cannot run a container here) ------------------------------------------------------
stage "hybrid" "$logs/hybrid.log" tests/hybrid/run.sh "$build/weld"
# The optimising tier (src/opt, LLVM): the whole 2.0 suite with every function it lowers
# optimised (the rest interpreted, per function), the 3.0 suite's scripts 2.0 lacks (3.0
# instructions, several or 64-bit memories and tables: their functions fall back), the command-line
# checks (fallback, traps and backtraces, fuel, deadlines against the interpreter) and the
# resource guard's tests in the tier. Without LLVM the build refuses the tier, which
# tests/opt checks (and the suites are not run).
if need "$build/weld" "$build" "opt"; then
  stage "opt (cli)" "$logs/opt.log" tests/opt/opt_test.sh "$build/weld"
  if "$build/weld" run --tier optimized "$root/examples/fac.wasm" >/dev/null 2>&1 || \
     ! "$build/weld" run --tier optimized "$root/examples/fac.wasm" 2>&1 | grep -q "built without LLVM"; then
    if [ -d "$suite" ]; then
      WELD_TIER=optimized WELD_SPEC_OUT="$build/spec/optimized" WELD="$build/weld" \
        stage "spec (optimized tier)" "$logs/spec-optimized.log" tests/spec/run.sh "$suite"
    fi
    if [ -d "$suite3" ]; then
      WELD_TIER=optimized SPEC_VERSION=3.0 SPEC_KNOWN_FAILURES=tests/spec/wasm-3.0.known-failures \
        WELD_SPEC_ONLY="$(comm -13 <(ls "$suite" | sort) <(ls "$suite3" | sort) | tr '\n' ' ')" \
        WELD_SPEC_OUT="$build/spec/optimized-3.0" WELD="$build/weld" \
        stage "spec 3.0 (optimized tier)" "$logs/spec3-optimized.log" tests/spec/run.sh "$suite3"
    fi
    # the auto tier's optimising step: every function hot after one call goes on to LLVM
    # code on two compile threads while the scripts run (src/jit/tierup.c); the scripts
    # of calls, control flow, memory, traps and arithmetic (the whole suite took 5 minutes
    # when freeing a module waited for its compilations; now it waits only for a lowering);
    # no CPU budget (WELD_TIER_UP_BUDGET=0), so jobs start at once
    if [ -d "$suite" ]; then
      WELD_SPEC_ONLY="fac.wast call.wast call_indirect.wast loop.wast block.wast if.wast br.wast br_if.wast br_table.wast return.wast select.wast local_tee.wast global.wast memory.wast memory_grow.wast address.wast left-to-right.wast conversions.wast int_exprs.wast float_exprs.wast endianness.wast stack.wast traps.wast unwind.wast" \
      WELD_TIER=auto WELD_TIER_EAGER_BYTES=0 WELD_TIER_UP_THRESHOLD=1 WELD_COMPILE_THREADS=2 WELD_TIER_UP_BUDGET=0 WELD_SPEC_OUT="$build/spec/auto-opt" \
        WELD="$build/weld" stage "spec (auto tier to optimized, 2 compile threads)" "$logs/spec-auto-opt.log" \
        tests/spec/run.sh "$suite"
    fi
    WELD_TIER=optimized stage "guard (optimized tier)" "$logs/guard-optimized.log" \
      tests/guard/run.sh "$build/weld" "$build/weld_unit"
    # binaryen's random modules through the optimising tier as well (LLVM compiles every
    # function of each, about two seconds a module, so fewer than the stage above, from
    # other seeds): its results, traps, fuel and memory against the interpreter's
    if [ -x "$build/weld_tierdiff" ]; then
      TIERDIFF_OPTIMIZED=1 TIERDIFF_OUT="$build/tierdiff-opt" stage "tier diff (binaryen, optimized)" \
        "$logs/tierdiff-opt.log" tests/fuzz/tierdiff/run.sh "$build/weld_tierdiff" "${TIERDIFF_OPT_COUNT:-16}" 5001
    fi
  fi
  # the whole 2.0 suite again from precompiled modules: every module compiled by this tier
  # into an image (weld_module_precompile), then loaded back from it (WELD_AOT=1)
  if [ -d "$suite" ] && "$build/weld" compile --tier optimized -o "$build/probe.cwasm" "$root/examples/fac.wasm" 2>/dev/null; then
    WELD_AOT=1 WELD_TIER=optimized WELD_SPEC_OUT="$build/spec/precompiled-optimized" WELD="$build/weld" \
      stage "spec (precompiled, optimized)" "$logs/spec-precompiled-optimized.log" tests/spec/run.sh "$suite"
  fi
  # (the same command-line checks under ASan and UBSan run in the second lane)
else
  record "opt (cli)" 0 1 "($build/weld missing)"
fi

# ---- the resource guard (adversarial modules, limits, report, API; ASan: the second lane) --------
flavour_stage guard release tests/guard/run.sh @DIR@/weld @DIR@/weld_unit

# ---- the standard C API: programs written against wasm.h, built against libweld.a -----------------
capi_stage release # (ASan: the second lane)

example() {
  if examples/run.sh "$1"; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
}
stage "example" "$logs/example.log" example "$build/weld"

# ---- the installed library: cmake --install, pkg-config, find_package, exported symbols --------
stage "install" "$logs/install.log" tests/install/run.sh "$build"

# ---- benchmark smoke check (every benchmark builds; each runtime's answer matches native) ---------
stage "bench smoke" "$logs/bench-smoke.log" bench/smoke.sh "$build/weld"

# ---- the second lane's results ------------------------------------------------------------------
wait "$lane_pid"
if lane_line="$(grep '^lane total: ' "$lane_out")"; then
  grep -v '^lane total: ' "$lane_out"
  read -r _ _ lp lf <<<"$lane_line"
  total_passed=$((total_passed + lp)) total_failed=$((total_failed + lf))
else
  cat "$lane_out"
  record "second lane" 0 1 "(ended without its total; $lane_out)"
fi

# ---- total ---------------------------------------------------------------------------------------
echo
if [ -n "${spec_skipped:-}" ]; then
  echo "spec: $spec_skipped skipped per run (${spec_skips:-none})"
fi
if [ -n "$spec3_skips" ]; then
  echo "spec 3.0: $spec3_skips"
fi
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]

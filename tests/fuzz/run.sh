#!/usr/bin/env bash
# Runs every libFuzzer target (build-fuzz/fuzz_*) for SECONDS each, seeded with the
# binary modules of the conformance suite.
#
#   tests/fuzz/run.sh [SECONDS]          (default 60)
#
# Environment:
#   WELD_FUZZ_BUILD  the fuzz build directory (default: build-fuzz)
#   SUITE            the conformance suite for seeds (default: ../shared/testsuite/wasm-2.0)
#   FUZZ_MAX_LEN     largest input tried, in bytes (default 4096)
#
# The seed corpus is made at run time (nothing binary is committed): the .wasm files
# wast2json produces for the suite, taken from build/spec/<suite>-wast2json/ when the spec
# cross-check already converted it. New inputs the fuzzer finds accumulate in WELD_FUZZ_BUILD/corpus/<target>
# across runs. A crash, leak, timeout or sanitizer report fails the run; the input that
# caused it is saved as WELD_FUZZ_BUILD/artifacts/<target>/crash-* (reproduce with
# `build-fuzz/<target> FILE`).
# Prints `fuzz <target>: ok (N runs)` or `fuzz <target>: FAILED ...` per target.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
seconds="${1:-60}"
build="${WELD_FUZZ_BUILD:-build-fuzz}"
suite="${SUITE:-../shared/testsuite/wasm-2.0}"
max_len="${FUZZ_MAX_LEN:-4096}"

mapfile -t targets < <(find "$build" -maxdepth 1 -name 'fuzz_*' -type f -perm -u+x 2>/dev/null | LC_ALL=C sort)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no targets in $build (build them with 'make build-fuzz')" >&2
  exit 2
fi

# Seeds: one copy of each distinct module, named by content so reruns add nothing.
seeds="$build/seeds"
if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
  mkdir -p "$seeds"
  src="$(mktemp -d)"
  trap 'rm -rf "$src"' EXIT
  suite_name="$(basename "$suite")"
  if ls build/spec/"$suite_name"-wast2json/*/*.wasm >/dev/null 2>&1; then
    ln -s "$root/build/spec/$suite_name-wast2json" "$src/spec"
  elif [ -d "$suite" ] && command -v wast2json >/dev/null; then
    for w in "$suite"/*.wast; do
      n="$(basename "$w" .wast)"
      mkdir -p "$src/$n"
      wast2json "$w" -o "$src/$n/$n.json" 2>/dev/null || true
    done
  else
    echo "fuzz: no seeds (no suite at $suite or no wast2json); starting from nothing" >&2
  fi
  find -L "$src" -name '*.wasm' -print0 | xargs -0 -r sha1sum | while read -r sum f; do
    cp "$f" "$seeds/$sum"
  done
fi
echo "fuzz: $(ls "$seeds" | wc -l) seeds, ${seconds}s per target, inputs up to $max_len bytes"

status=0
for t in "${targets[@]}"; do
  name="$(basename "$t")"
  corpus="$build/corpus/$name"
  artifacts="$build/artifacts/$name"
  log="$build/$name.log"
  mkdir -p "$corpus" "$artifacts"
  # Targets that read something other than modules keep text seeds in tests/fuzz/seeds/<target>.
  extra=()
  [ -d "tests/fuzz/seeds/$name" ] && extra=("tests/fuzz/seeds/$name")
  # The script runner also starts from the suite's scripts themselves (read, never written).
  [ "$name" = fuzz_wast ] && [ -d "$suite" ] && extra+=("$suite")
  # The component text reader also starts from the component-model scripts.
  [ "$name" = fuzz_comp_text ] && [ -d "$(dirname "$suite")/component-model" ] &&
    extra+=("$(dirname "$suite")/component-model")
  # The component decoder starts from the components of the component-model scripts and
  # tests/component/cases.py (extracted at run time).
  if [ "$name" = fuzz_component ] && command -v python3 >/dev/null; then
    cm="$build/seeds-component"
    if [ ! -d "$cm" ]; then
      python3 tests/component/cases.py "$build/cases.wast" >/dev/null &&
        python3 tests/component/extract.py "$cm" "$build/cases.wast" \
          $(find "$(dirname "$suite")/component-model" -name '*.wast' 2>/dev/null) >/dev/null
    fi
    [ -d "$cm" ] && extra+=("$cm")
  fi
  # Its composition mode starts from the compositions of tests/component/compose: the root
  # and its plugs, encoded by the release build's weld, joined by the separator WELDPLUG.
  if [ "$name" = fuzz_component ] && [ -x build/weld ]; then
    cs="$build/seeds-compose"
    mkdir -p "$cs"
    d=tests/component/compose
    while read -r out parts; do
      : >"$cs/$out.tmp"
      first=1
      for p in $parts; do
        [ $first = 1 ] || printf WELDPLUG >>"$cs/$out.tmp"
        first=0
        build/weld encode "$d/$p.wat" -o "$cs/part.wasm" 2>/dev/null && cat "$cs/part.wasm" >>"$cs/$out.tmp"
      done
      mv "$cs/$out.tmp" "$cs/$out"
    done <<'PAIRS'
app+calc app calc
app+mismatch app calc_mismatch
app+nogreet app calc_nogreet
chain pinger ping pong_leaf calc
cycle pinger ping pong
shared pinger2 ping pong_leaf
types types_root ping_v020
res res_root res_lib
res-export res_export pong_leaf
typesonly typesonly shape_api
shape shape_user shape_both
rec rec_root rec_plug
PAIRS
    rm -f "$cs/part.wasm"
    extra+=("$cs")
  fi
  # The image loader starts from precompiled modules of the examples, both tiers (made
  # by the release build's weld compile, when there is one).
  if [ "$name" = fuzz_image ] && [ -x build/weld ]; then
    im="$build/seeds-image"
    mkdir -p "$im"
    for m in examples/fac.wasm examples/embed.wasm; do
      for tier in baseline optimized; do
        build/weld compile --tier $tier -o "$im/$(basename "$m" .wasm)-$tier.cwasm" "$m" 2>/dev/null || true
      done
    done
    extra+=("$im")
  fi
  set +e
  "$t" "$corpus" "$seeds" "${extra[@]}" \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1
  rc=$?
  set -e
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  if [ $rc -eq 0 ] && ! grep -q 'ERROR: \(AddressSanitizer\|LeakSanitizer\|UndefinedBehaviorSanitizer\|libFuzzer\)\|runtime error:' "$log"; then
    echo "fuzz $name: ok (${runs:-?} runs)"
  else
    status=1
    echo "fuzz $name: FAILED (exit $rc), log $log"
    # what a log of the whole test run keeps: the lines before the first report (a tier
    # difference or an out-of-memory abort prints its reason there), the report, and each
    # input that failed in base64 (they are small), so a failure far away can be replayed
    n="$(grep -n -m1 -E 'ERROR:|runtime error:|deadly signal' "$log" | cut -d: -f1)"
    if [ -n "$n" ]; then
      sed -n "$((n > 6 ? n - 6 : 1)),${n}p" "$log" | grep -v '^INFO:\|^#[0-9]' | sed "s/^/FAIL $name: /" || true
    fi
    for a in "$artifacts"/*; do
      [ -f "$a" ] || continue
      echo "FAIL $name: artifact $a"
      [ "$(stat -c %s "$a")" -le 8192 ] && echo "FAIL $name: base64 $(base64 -w0 "$a")"
    done
  fi
done
exit $status

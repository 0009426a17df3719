#!/usr/bin/env bash
# The benchmark suite: builds every benchmark (kernels, real programs from Debian's
# source packages), then times native, Node.js, weld and wasm-interp side by side in one
# run and prints a Markdown table of medians and ratios. See bench/README.md.
#
# Environment (defaults in parentheses):
#   WELD (build/weld)            the weld binary to measure
#   BENCH_DIR (build/bench)      where everything is built and results are written
#   BENCH_RUNS (5)               timed runs per benchmark and runtime, after one warm-up
#   BENCH_REF (1)                0 leaves out the wasm-interp reference column (slow)
#   BENCH_QUICK (0)              1: tiny inputs, 1 run and no warm-up, start-up cases
#                                launched twice, no programs from source packages and no
#                                wasm-interp unless BENCH_REF=1 (a smoke check that
#                                everything builds and every runtime agrees)
#   BENCH_ONLY                   a regular expression: run only the benchmarks it matches
#   BENCH_TIER (weld's default)  weld's tier for every weld run: interp, baseline, auto or
#                                optimized (passed as WELD_TIER; the warm-up round fills
#                                the compiled-code cache, so the timed rounds run warm)
#   BENCH_TIERS (baseline)       weld's tiers also timed as columns of their own, beside
#                                weld's default: a space-separated list of interp,
#                                baseline, optimized (`weld run --tier T`; optimized runs
#                                from the code cache, which the warm-up round fills; it is
#                                "n/a" where weld has no LLVM); empty: none
#   BENCH_FIRST ('^(lua|sqlite)$') the programs also timed to their first output: standard
#                                output on a pseudo-terminal (line-buffered, as a user at a
#                                terminal sees it), the same rounds again (empty: none)
#   BENCH_COMPILE (1)            0 leaves out the compile-throughput table (bench/compile.sh
#                                on the real programs built; not in quick mode)
#   BENCH_SETUP (1)              0 skips bench/setup.sh (package installs)
# Exit status: 0 when every runtime that ran gave the native build's output, 1 otherwise.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
here="$root/bench"
weld="${WELD:-build/weld}"
[[ "$weld" = /* ]] || weld="$root/$weld"
B="${BENCH_DIR:-build/bench}"
[[ "$B" = /* ]] || B="$root/$B"
runs="${BENCH_RUNS:-5}"
quick="${BENCH_QUICK:-0}"
use_ref="${BENCH_REF:-1}"
[ "$quick" = 1 ] && use_ref="${BENCH_REF:-0}"
only="${BENCH_ONLY:-}"
first_re="${BENCH_FIRST-^(lua|sqlite)\$}"
weld_tier="${BENCH_TIER:-}"
case "$weld_tier" in
  "" | interp | baseline | auto | optimized) ;;
  *) echo "bench: BENCH_TIER must be interp, baseline, auto or optimized, not '$weld_tier'" >&2; exit 2 ;;
esac
if [ -n "$weld_tier" ]; then export WELD_TIER="$weld_tier"; else unset WELD_TIER; fi
read -r -a extra_tiers <<<"${BENCH_TIERS-baseline}"
tier_rts=()
for t in "${extra_tiers[@]}"; do
  case "$t" in
    interp | baseline | optimized) tier_rts+=("weld-$t") ;;
    *) echo "bench: BENCH_TIERS takes interp, baseline and optimized, not '$t'" >&2; exit 2 ;;
  esac
done
[ "$quick" = 1 ] && runs=1

log() { printf 'bench: %s\n' "$*" >&2; }

if [ "${BENCH_SETUP:-1}" = 1 ]; then "$here/setup.sh"; fi

mkdir -p "$B"/{tools,native,wasm,wasi,ref,out,run,prog/native,prog/wasi,src}
SYSROOT=/usr
WASI_CC=(clang --target=wasm32-wasi --sysroot="$SYSROOT" -O2)
BARE_CC=(clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry)
NATIVE_CC=(gcc -O2)

# stale TARGET DEP...: true when TARGET is missing or older than a dependency
stale() {
  local t=$1 d
  shift
  [ -e "$t" ] || return 0
  for d in "$@"; do [ "$d" -nt "$t" ] && return 0; done
  return 1
}

# ---- tools and kernels ------------------------------------------------------------------------
for tool in measure gen_text alternate; do
  if stale "$B/tools/$tool" "$here/tools/$tool.c"; then
    "${NATIVE_CC[@]}" -Wall -Wextra -o "$B/tools/$tool" "$here/tools/$tool.c"
  fi
done
measure="$B/tools/measure"

K="$here/kernels"
kernels=(fib sieve matmul hash sort crc32 nbody interp strsearch small)
if stale "$B/wasm/rt.o" "$K/rt.c"; then
  clang --target=wasm32 -O2 -fno-builtin -c "$K/rt.c" -o "$B/wasm/rt.o"
fi
log "building kernels"
for k in "${kernels[@]}"; do
  src=("$K/$k.c" "$K/kernel.h")
  if stale "$B/native/$k" "${src[@]}" "$K/harness.c"; then
    "${NATIVE_CC[@]}" -Wall -Wextra -o "$B/native/$k" "$K/harness.c" "$K/$k.c" -lm
  fi
  if stale "$B/wasm/$k.wasm" "${src[@]}" "$B/wasm/rt.o"; then
    "${BARE_CC[@]}" -Wl,--export=run -o "$B/wasm/$k.wasm" "$K/$k.c" "$B/wasm/rt.o"
  fi
  if stale "$B/wasi/$k.wasm" "${src[@]}" "$K/harness.c"; then
    "${WASI_CC[@]}" -o "$B/wasi/$k.wasm" "$K/harness.c" "$K/$k.c"
  fi
done
if stale "$B/native/hello" "$K/hello.c"; then "${NATIVE_CC[@]}" -o "$B/native/hello" "$K/hello.c"; fi
if stale "$B/wasi/hello.wasm" "$K/hello.c"; then "${WASI_CC[@]}" -o "$B/wasi/hello.wasm" "$K/hello.c"; fi

# ---- programs from Debian source packages -------------------------------------------------------
# Fetched with `apt-get source` into the build directory at build time (never committed).
# A program that cannot be fetched or built is reported as skipped, with the reason.
declare -A prog_skip=()
fetch_source() { # fetch_source PACKAGE -> prints the unpacked directory
  local pkg=$1 dir
  dir="$(find "$B/src" -maxdepth 1 -type d -name "$pkg-[0-9]*" | head -n 1)"
  if [ -z "$dir" ]; then
    log "fetching the source of Debian package $pkg"
    (cd "$B/src" && apt-get source -qq "$pkg" >"$B/src/$pkg.log" 2>&1) || return 1
    dir="$(find "$B/src" -maxdepth 1 -type d -name "$pkg-[0-9]*" | head -n 1)"
  fi
  [ -n "$dir" ] && echo "$dir"
}

build_lua() {
  local dir L P="$here/programs/lua"
  dir="$(fetch_source lua5.4)" || return 1
  L="$dir/src"
  local srcs=()
  for f in "$L"/*.c; do [[ "$f" = */luac.c ]] || srcs+=("$f"); done
  # Debian's patched luaconf.h includes a header its packaging generates, naming the
  # multiarch directory of C modules (the benchmark loads none)
  local arch
  for arch in native wasi; do
    mkdir -p "$B/prog/lua-$arch"
    printf '#define DEB_HOST_MULTIARCH "%s"\n' \
      "$([ $arch = native ] && (dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo native) || echo wasm32-wasi)" \
      >"$B/prog/lua-$arch/lua5.4-deb-multiarch.h"
  done
  if stale "$B/prog/native/lua" "$P/wasi_shim.h"; then
    log "building Lua (native)"
    "${NATIVE_CC[@]}" -DLUA_USE_POSIX -I"$B/prog/lua-native" -o "$B/prog/native/lua" "${srcs[@]}" -lm || return 1
  fi
  if stale "$B/prog/wasi/lua.wasm" "$P/wasi_shim.h" "$P/wasi_throw.c" "$P/shim/setjmp.h"; then
    log "building Lua (wasm32-wasi)"
    "${WASI_CC[@]}" -I"$P/shim" -I"$L" -I"$B/prog/lua-wasi" -include "$P/wasi_shim.h" \
      -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_SIGNAL \
      -o "$B/prog/wasi/lua.wasm" "${srcs[@]}" "$P/wasi_throw.c" \
      -lwasi-emulated-process-clocks -lwasi-emulated-signal || return 1
  fi
  cp "$P/bench.lua" "$B/run/bench.lua"
}

SQLITE_DEFS=(-DSQLITE_OS_OTHER=1 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION
  -DSQLITE_TEMP_STORE=3 -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_OMIT_WAL)
build_sqlite() {
  local dir A P="$here/programs/sqlite"
  dir="$(fetch_source sqlite3)" || return 1
  A="$dir/bench-build"
  if [ ! -f "$A/sqlite3.c" ]; then
    log "generating the SQLite amalgamation (needs tclsh)"
    mkdir -p "$A"
    (cd "$A" && ../configure --disable-tcl >configure.log 2>&1 && make sqlite3.c >make.log 2>&1) ||
      return 1
  fi
  if stale "$B/prog/native/sqlite" "$P/sqlbench.c"; then
    log "building SQLite (native)"
    "${NATIVE_CC[@]}" "${SQLITE_DEFS[@]}" -I"$A" -o "$B/prog/native/sqlite" "$P/sqlbench.c" "$A/sqlite3.c" || return 1
  fi
  if stale "$B/prog/wasi/sqlite.wasm" "$P/sqlbench.c"; then
    log "building SQLite (wasm32-wasi)"
    "${WASI_CC[@]}" "${SQLITE_DEFS[@]}" -I"$A" -o "$B/prog/wasi/sqlite.wasm" "$P/sqlbench.c" "$A/sqlite3.c" || return 1
  fi
}

build_bzip2() {
  local dir P="$here/programs/bzip2"
  dir="$(fetch_source bzip2)" || return 1
  local srcs=()
  for f in bzip2.c blocksort.c huffman.c crctable.c randtable.c compress.c decompress.c bzlib.c; do
    srcs+=("$dir/$f")
  done
  if stale "$B/prog/native/bzip2" "$P/wasi_stubs.c"; then
    log "building bzip2 (native)"
    "${NATIVE_CC[@]}" -w -o "$B/prog/native/bzip2" "${srcs[@]}" || return 1
  fi
  if stale "$B/prog/wasi/bzip2.wasm" "$P/wasi_stubs.c"; then
    log "building bzip2 (wasm32-wasi)"
    "${WASI_CC[@]}" -w -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS \
      -o "$B/prog/wasi/bzip2.wasm" "${srcs[@]}" "$P/wasi_stubs.c" \
      -lwasi-emulated-signal -lwasi-emulated-process-clocks || return 1
  fi
  local size=4000000
  [ "$quick" = 1 ] && size=200000
  [ -f "$B/run/text-$size" ] || "$B/tools/gen_text" "$size" >"$B/run/text-$size"
  ln -sf "text-$size" "$B/run/bzip2-input.txt"
}

if [ "$quick" != 1 ]; then
  for p in lua sqlite bzip2; do
    [ -n "$only" ] && ! [[ "$p" =~ $only ]] && continue
    if ! "build_$p"; then
      prog_skip[$p]="could not fetch or build (see the messages above, and $B/src/*.log)"
      log "skipping $p: ${prog_skip[$p]}"
    fi
  done
else
  for p in lua sqlite bzip2; do prog_skip[$p]="left out by BENCH_QUICK=1"; done
fi

# ---- the benchmarks ---------------------------------------------------------------------------------
# name|kind|binary|args|quick args|repeat|stdin
#   kind kernel: a bare module whose export `run` is called with ARGS (checksum on stdout)
#   kind wasi:   a WASI command run with ARGS (its whole stdout is compared)
#   repeat:      launches per measurement (start-up cases), the time is their total
benchmarks=(
  "fib|kernel|fib|40|25|1|"
  "sieve|kernel|sieve|40|1|1|"
  "matmul|kernel|matmul|300|3|1|"
  "hash|kernel|hash|200|2|1|"
  "sort|kernel|sort|8|1|1|"
  "crc32|kernel|crc32|150|2|1|"
  "nbody|kernel|nbody|3000000|20000|1|"
  "interp|kernel|interp|8000000|100000|1|"
  "strsearch|kernel|strsearch|40|1|1|"
  "instantiate+call x20|kernel|small|7|7|20|"
)
for k in "${kernels[@]}"; do
  [ "$k" = small ] && continue
  for b in "${benchmarks[@]}"; do
    IFS='|' read -r n _ bin a q _ _ <<<"$b"
    [ "$bin" = "$k" ] && benchmarks+=("$n (wasi)|wasi|$k|$a|$q|1|") && break
  done
done
benchmarks+=(
  "lua|wasi|lua|bench.lua 2|bench.lua 1|1|"
  "sqlite|wasi|sqlite|4|1|1|"
  "bzip2 -9|wasi|bzip2|-9 -c|-9 -c|1|bzip2-input.txt"
  "hello x20|wasi|hello||1|20|"
)

native_bin() { # native_bin KIND BINARY
  if [ -x "$B/native/$2" ]; then echo "$B/native/$2"; else echo "$B/prog/native/$2"; fi
}
wasi_bin() {
  if [ -f "$B/wasi/$2.wasm" ]; then echo "$B/wasi/$2.wasm"; else echo "$B/prog/wasi/$2.wasm"; fi
}

# ---- what each runtime can do -------------------------------------------------------------------
# Detected, never assumed: a runtime that cannot run a kind of benchmark gets a plain note
# in its column instead of numbers.
declare -A note=()
"$B/native/small" 7 >"$B/out/probe.expected"
lastint() { grep -oE -- '-?[0-9]+' "$1" 2>/dev/null | tail -n 1; }
if [ ! -x "$weld" ]; then
  note[weld,kernel]="n/a (no weld binary at ${weld#$root/})"
  note[weld,wasi]="${note[weld,kernel]}"
else
  if "$weld" run --invoke run "$B/wasm/small.wasm" 7 >"$B/out/probe.weld" 2>"$B/out/probe.weld.err" &&
    [ "$(lastint "$B/out/probe.weld")" = "$(cat "$B/out/probe.expected")" ]; then
    :
  elif grep -qiE "unknown command|usage" "$B/out/probe.weld.err"; then
    note[weld,kernel]="n/a (weld run missing)"
  else
    note[weld,kernel]="n/a (weld run --invoke failed: $(head -n 1 "$B/out/probe.weld.err" | cut -c1-60))"
  fi
  if (cd "$B/run" && "$weld" run --dir .::. "$B/wasi/hello.wasm") >"$B/out/probe.weld-wasi" 2>"$B/out/probe.weld-wasi.err" &&
    [ "$(cat "$B/out/probe.weld-wasi")" = "hello, world" ]; then
    :
  elif [ -n "${note[weld,kernel]:-}" ]; then
    note[weld,wasi]="${note[weld,kernel]}"
  else
    note[weld,wasi]="n/a (weld lacks WASI: $(head -n 1 "$B/out/probe.weld-wasi.err" | cut -c1-50))"
  fi
fi
if ! command -v node >/dev/null; then
  note[node,kernel]="n/a (node missing)"
  note[node,wasi]="n/a (node missing)"
fi
note[ref,wasi]="n/a (Debian's wasm-interp is built without WASI)"
if [ "$use_ref" != 1 ]; then
  note[ref,kernel]="not run (BENCH_REF=0)"
elif ! command -v wasm-interp >/dev/null; then
  note[ref,kernel]="n/a (wasm-interp missing)"
fi
# weld's extra tiers run where weld runs; the optimising tier also needs LLVM
for rt in "${tier_rts[@]}"; do
  for kind in kernel wasi; do
    [ -n "${note[weld,$kind]:-}" ] && note[$rt,$kind]="${note[weld,$kind]}"
  done
  if [ "$rt" = weld-optimized ] && [ -z "${note[$rt,kernel]:-}" ] &&
    ! "$weld" compile --tier optimized -o "$B/out/probe.cwasm" "$B/wasm/small.wasm" >"$B/out/probe.opt.err" 2>&1; then
    note[$rt,kernel]="n/a ($(head -n 1 "$B/out/probe.opt.err" | cut -c1-60))"
    note[$rt,wasi]="${note[$rt,kernel]}"
  fi
done
for k in weld node ref "${tier_rts[@]}"; do
  for kind in kernel wasi; do
    [ -n "${note[$k,$kind]:-}" ] && log "$k, $kind benchmarks: ${note[$k,$kind]}"
  done
done

# cmd_for RUNTIME KIND BINARY ARGS...: sets the array `cmd`
cmd_for() {
  local rt=$1 kind=$2 bin=$3
  shift 3
  case "$rt,$kind" in
    native,*) cmd=("$(native_bin "$kind" "$bin")" "$@") ;;
    node,kernel) cmd=(node --no-warnings "$here/node_run.mjs" "$B/wasm/$bin.wasm" --invoke run "$@") ;;
    node,wasi) cmd=(node --no-warnings "$here/node_run.mjs" --wasi "$(wasi_bin "$kind" "$bin")" "$@") ;;
    weld,kernel) cmd=("$weld" run --invoke run "$B/wasm/$bin.wasm" "$@") ;;
    weld,wasi) cmd=("$weld" run --dir .::. "$(wasi_bin "$kind" "$bin")" "$@") ;;
    weld-*,kernel) cmd=("$weld" run --tier "${rt#weld-}" --invoke run "$B/wasm/$bin.wasm" "$@") ;;
    weld-*,wasi) cmd=("$weld" run --tier "${rt#weld-}" --dir .::. "$(wasi_bin "$kind" "$bin")" "$@") ;;
    ref,kernel) cmd=(wasm-interp "$B/ref/$bin-$1.wasm" --run-all-exports) ;;
  esac
}

# ---- measuring -----------------------------------------------------------------------------------
samples="$B/samples.tsv"
printf 'benchmark\tkind\truntime\tround\twall_ms\trss_kb\tstatus\tok\n' >"$samples"
first="$B/first.tsv"
printf 'benchmark\truntime\tround\tfirst_ms\twall_ms\tok\tsecond_ms\n' >"$first"
failed=0
for entry in "${benchmarks[@]}"; do
  IFS='|' read -r name kind bin args qargs repeat stdin <<<"$entry"
  [ -n "$only" ] && ! [[ "$name" =~ $only ]] && continue
  if [ -n "${prog_skip[$bin]:-}" ]; then
    log "$name: skipped (${prog_skip[$bin]})"
    printf '%s\t%s\tall\t0\t0\t0\tskip\t%s\n' "$name" "$kind" "${prog_skip[$bin]}" >>"$samples"
    continue
  fi
  if [ "$quick" = 1 ]; then
    args=$qargs
    [ "$repeat" -gt 1 ] && repeat=2
  fi
  read -r -a argv <<<"$args"
  in_opt=()
  [ -n "$stdin" ] && in_opt=(-i "$B/run/$stdin")
  rts=(native)
  for rt in node weld "${tier_rts[@]}" ref; do [ -z "${note[$rt,$kind]:-}" ] && rts+=("$rt"); done
  if [[ " ${rts[*]} " = *" ref "* ]]; then
    n_arg="${argv[0]}"
    if stale "$B/ref/$bin-$n_arg.wasm" "$K/$bin.c" "$K/ref_main.c"; then
      "${BARE_CC[@]}" -DBENCH_N="$n_arg" -o "$B/ref/$bin-$n_arg.wasm" "$K/ref_main.c" "$K/$bin.c" "$B/wasm/rt.o"
    fi
  fi
  log "$name: ${rts[*]} ($runs runs$([ "$quick" = 1 ] || echo " after a warm-up"))"
  # the native build's output is the answer every runtime must give
  expected="$B/out/expected"
  cmd_for native "$kind" "$bin" "${argv[@]}"
  (cd "$B/run" && "$measure" "${in_opt[@]}" -o "$expected" -- "${cmd[@]}" >/dev/null)
  first_round=0
  [ "$quick" = 1 ] && first_round=1
  for ((round = first_round; round <= runs; round++)); do
    # rotate the order every round so slow drift (heat, other load) hits every runtime alike
    n=${#rts[@]}
    for ((j = 0; j < n; j++)); do
      rt=${rts[$(((j + round) % n))]}
      # the reference interpreter is slow: once, no warm-up
      if [ "$rt" = ref ] && [ "$round" -ne 1 ]; then continue; fi
      cmd_for "$rt" "$kind" "$bin" "${argv[@]}"
      out="$B/out/$rt.out"
      res="$(cd "$B/run" && "$measure" -r "$repeat" "${in_opt[@]}" -o "$out" -- "${cmd[@]}")"
      read -r wall rss status <<<"$res"
      ok=1
      if [ "$kind" = kernel ]; then
        [ -n "$(lastint "$out")" ] && [ "$(lastint "$out")" = "$(lastint "$expected")" ] || ok=0
      else
        cmp -s "$out" "$expected" || ok=0
      fi
      [ "$status" = 0 ] || ok=0
      if [ $ok = 0 ]; then
        failed=1
        log "$name: $rt gave a wrong answer or failed (status $status; output in $out.bad)"
        cp "$out" "$out.bad"
      fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$kind" "$rt" "$round" "$wall" "$rss" "$status" "$ok" >>"$samples"
    done
  done
  # time to first output: the same rounds with standard output on a pseudo-terminal
  if [ -n "$first_re" ] && [[ "$name" =~ $first_re ]] && [ "$repeat" = 1 ]; then
    log "$name: time to first output (standard output on a pseudo-terminal)"
    for ((round = first_round; round <= runs; round++)); do
      n=${#rts[@]}
      for ((j = 0; j < n; j++)); do
        rt=${rts[$(((j + round) % n))]}
        [ "$rt" = ref ] && continue
        cmd_for "$rt" "$kind" "$bin" "${argv[@]}"
        out="$B/out/$rt.tty.out"
        res="$(cd "$B/run" && "$measure" -t "${in_opt[@]}" -o "$out" -- "${cmd[@]}")"
        read -r wall _ status fms sms <<<"$res"
        ok=1
        { [ "$status" = 0 ] && cmp -s "$out" "$expected"; } || ok=0
        if [ $ok = 0 ]; then
          failed=1
          log "$name: $rt on a terminal gave a wrong answer or failed (status $status; output in $out.bad)"
          cp "$out" "$out.bad"
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$rt" "$round" "$fms" "$wall" "$ok" "$sms" >>"$first"
      done
    done
  fi
done

# ---- report ---------------------------------------------------------------------------------------
notes_json="{"
sep=""
for key in "${!note[@]}"; do
  notes_json+="$sep\"$key\": \"${note[$key]//\"/\'}\""
  sep=", "
done
notes_json+="}"
cpu="$(lscpu | sed -nE 's/^Model name: +//p' | head -n 1)"
cat >"$B/meta.json" <<JSON
{"date": "$(date -u +%Y-%m-%dT%H:%MZ)", "cpu": "$cpu", "cores": $(nproc), "runs": $runs,
 "quick": $([ "$quick" = 1 ] && echo true || echo false), "weld": "${weld#$root/}",
 "weld_version": "$("$weld" --version 2>/dev/null | head -n 1 || true)", "weld_tier": "${weld_tier:-auto (default)}", "weld_tiers": "${tier_rts[*]}",
 "node_version": "$(node --version 2>/dev/null || true)", "notes": $notes_json}
JSON
node "$here/report.mjs" "$samples" "$B/meta.json" "$B" "$first" || failed=1
# the baseline compiler's throughput on the real programs this run built (bench/compile.sh)
progs=()
for p in lua sqlite bzip2; do
  [ -n "$only" ] && ! [[ "$p" =~ $only ]] && continue
  [ -f "$B/prog/wasi/$p.wasm" ] && [ -z "${prog_skip[$p]:-}" ] && progs+=("$B/prog/wasi/$p.wasm")
done
if [ "$quick" != 1 ] && [ "${BENCH_COMPILE:-1}" = 1 ] && [ ${#progs[@]} -gt 0 ] && [ -z "${note[weld,wasi]:-}" ]; then
  log "compile throughput: ${progs[*]##*/}"
  if ct="$(WELD="$weld" BENCH_DIR="$B/compile" BENCH_RUNS="$runs" "$here/compile.sh" "${progs[@]}")"; then
    {
      printf '### Compile throughput (bench/compile.sh: the baseline compiler, MB of function bodies per second)\n\n'
      printf '%s\n\n' "$ct"
    } | tee -a "$B/results.md"
  else
    log "compile throughput: bench/compile.sh failed"
    failed=1
  fi
fi
if command -v gnuplot >/dev/null && [ -s "$B/chart.dat" ]; then
  gnuplot -e "datafile='$B/chart.dat'; outfile='$B/chart.png'" "$here/chart.gp" 2>"$B/chart.log" &&
    log "chart: $B/chart.png" || log "chart: gnuplot failed (see $B/chart.log)"
fi
exit $failed

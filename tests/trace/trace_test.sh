#!/usr/bin/env bash
# Tests of what `weld run` says about where a guest is: backtraces (names from the name
# section and from .wat identifiers, DWARF file:line, repeated frames collapsed, deep
# stacks summarised), `weld print` with names, the sampling profiler's folded stacks and
# SVG flame graph (rendered by librsvg's rsvg-convert), and the JIT's perf map.
#
#   tests/trace/trace_test.sh [WELD]        (default: build/weld)
#
# Modules are built at run time with wat2wasm and clang (--target=wasm32-wasi -g); the
# expected source lines are found by grepping the C source for marker comments, and
# DWARF results are compared with llvm-dwarfdump's reading of the same module. Prints
# each failed check and ends with `N passed, M failed`.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
harness_init trace "${1:-$root/build/weld}" wat2wasm clang llvm-dwarfdump wasm-objdump xmllint rsvg-convert

# run RC ARGS...: runs weld, keeps stdout/stderr in out.txt/err.txt, checks the exit code.
run() {
  local want=$1
  shift
  label="weld $*"
  "$weld" "$@" >out.txt 2>err.txt
  local rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else bad "exit $rc, expected $want; stderr: $(head -c 400 err.txt)"; fi
}
# err_has LINE: stderr has exactly this line.
err_has() { if grep -qxF -- "$1" err.txt; then ok; else bad "stderr lacks '$1': $(head -c 600 err.txt)"; fi; }
err_lacks() { if ! grep -qF -- "$1" err.txt; then ok; else bad "stderr has '$1'"; fi; }
out_has() { if grep -qF -- "$1" out.txt; then ok; else bad "stdout lacks '$1'"; fi; }
err_lines() { # err_lines N: stderr has exactly N lines
  local n
  n=$(wc -l <err.txt)
  if [ "$n" -eq "$1" ]; then ok; else bad "stderr has $n lines, expected $1: $(head -c 600 err.txt)"; fi
}

# ---- backtraces: repeated frames and deep stacks ---------------------------------------------
cat >rec.wat <<'W'
(module
  (func $r (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      unreachable
    else
      local.get 0
      i32.const 1
      i32.sub
      call $r
    end)
  (func $main (export "main") (param i32) (result i32) local.get 0 call $r)
  (func $ping (param i32) (result i32) local.get 0 call $pong)
  (func $pong (param i32) (result i32) local.get 0 call $ping)
  (func $pp (export "pp") (result i32) i32.const 0 call $ping))
W
wat2wasm --debug-names rec.wat -o rec.wasm

label="shallow stack, every frame shown"
run 134 run --invoke main rec.wasm 2
err_has "weld: trap: unreachable"
err_lines 5
err_has "  2: r (func 0) at offset 0x3c"
err_has "  3: main (func 1) at offset 0x44"

label="a run of one function becomes one line"
run 134 run --invoke main rec.wasm 100
err_has "  ... 100 more frames of r (func 0)"
err_has "  101: main (func 1) at offset 0x44"
err_lines 4

label="exhausted stack: the skipped middle joins the run"
run 134 run --invoke main rec.wasm 1000000
err_has "weld: trap: call stack exhausted"
err_has "  ... 9,998 more frames of r (func 0)"
err_has "  9999: main (func 1) at offset 0x44"
err_lines 4

label="a two-function cycle, and the skipped middle of mixed frames"
run 134 run --invoke pp rec.wasm
err_has "  0: ping (func 2) at offset 0x4b"
err_has "  1: pong (func 3) at offset 0x52"
err_has "  ... 46 more frames repeating the 2 above"
err_has "  ... 9,936 more frames"
err_has "  9999: pp (func 4) at offset 0x59"

# ---- names: .wat identifiers reach backtraces; weld print shows the name section -------------
label="backtrace of a text module names its functions"
run 134 run --invoke main rec.wat 1
err_has "  0: r (func 0) at offset 0x35"
err_has "  2: main (func 1) at offset 0x44"

cat >names.wat <<'W'
(module $mod
  (type $sig (func (param i32) (result i32)))
  (import "env" "h" (func $host (param i32)))
  (table $tab 2 funcref)
  (memory $mem 1)
  (global $g (mut i32) (i32.const 5))
  (func $f (type $sig) (param $x i32) (result i32) (local $y i32) (local i64) (local $z f32)
    block $outer
      loop $again
        local.get $x
        br_if $outer
        (if $cond (local.get $y) (then br $again))
      end
    end
    global.get $g
    local.get $x
    call_indirect $tab (type $sig))
  (elem $e (i32.const 0) $f)
  (data $d (i32.const 0) "hi"))
W
# wabt's encoding of the same names is the reference (it writes no label names)
wat2wasm --debug-names names.wat -o names.wasm
label="weld print of wat2wasm --debug-names output"
run 0 print names.wasm
cp out.txt wabt.txt
for want in '(module $mod' '(type $sig (;0;) (func (param i32) (result i32)))' \
  '(import "env" "h" (func $host (;0;) (type 1)))' \
  '(func $f (;1;) (type $sig) (param $x i32) (result i32) (local $y i32) (local i64) (local $z f32)' \
  'local.get $x' 'local.get $y' 'global.get $g' 'call_indirect $tab (type $sig))' '(table $tab (;0;) 2 funcref)' \
  '(memory $mem (;0;) 1)' '(global $g (;0;) (mut i32)' '(elem $e (;0;) (table $tab) (offset' 'i32.const 0) func $f)' \
  '(data $d (;0;) (memory $mem) (offset'; do
  out_has "$want"
done
label="weld print of the text module: the same, plus label names"
run 0 print names.wat
sed -e 's/^\( *\)\(block\|loop\|if\) \$[a-z]*$/\1\2/' -e 's/\(br_if\|br\) \$outer$/\1 1/' -e 's/br \$again$/br 1/' out.txt >stripped.txt
if cmp -s stripped.txt wabt.txt; then ok; else bad "differs from wabt's names: $(diff stripped.txt wabt.txt | head -20)"; fi
for want in 'block $outer' 'loop $again' 'br_if $outer' 'if $cond' 'br $again'; do out_has "$want"; done
label="printed names read back to the same text (flat and folded)"
for style in --flat --folded; do
  "$weld" print $style names.wat >p1.wat && "$weld" print $style p1.wat >p2.wat
  if [ -s p1.wat ] && cmp -s p1.wat p2.wat; then ok; else bad "$style: $(diff p1.wat p2.wat | head)"; fi
done

# ---- DWARF: file:line:column of each frame of a C program built with -g -----------------------
cat >crash.c <<'C'
#include <stdint.h>
#include <stdio.h>

volatile uintptr_t far = 0xfffffff0u;

__attribute__((noinline)) int poke(int i) {
  volatile int *p = (volatile int *)(far + (uintptr_t)i);
  return *p; /* LINE_OOB */
}

__attribute__((noinline)) int middle(int i) {
  int r = poke(i); /* LINE_CALL */
  return r + 1;
}

int main(int argc, char **argv) {
  (void)argv;
  printf("start\n");
  return middle(argc + 5); /* LINE_MAIN */
}
C
line_of() { grep -n "$1" crash.c | cut -d: -f1; }
# The row llvm-dwarfdump gives for a module offset: "LINE COL" of the last row at or
# before (offset - start of the code section's contents); at one address the later row wins.
dwarf_row() {
  local code_start addr
  code_start=$(wasm-objdump -h "$1" | sed -nE 's/^ *Code start=(0x[0-9a-f]+) .*/\1/p')
  addr=$(($2 - code_start))
  local best=-1 row="" a l c rest
  while read -r a l c rest; do
    a=$((a))
    if [ "$a" -le "$addr" ] && [ "$a" -ge "$best" ]; then
      best=$a
      if [[ "$rest" == *end_sequence* ]]; then row=""; else row="$l $c"; fi
    fi
  done < <(llvm-dwarfdump --debug-line "$1" | grep -E '^0x[0-9a-f]+ ')
  echo "$row"
}
# -O0: with optimisation clang hands the module to wasm-opt when it is installed, which
# drops the name section and the line programs.
for dwarf in 4 5; do
  label="DWARF $dwarf backtrace"
  if ! clang --target=wasm32-wasi -gdwarf-$dwarf -O0 -o crash$dwarf.wasm crash.c 2>cc.txt; then
    bad "clang failed: $(cat cc.txt)"
    continue
  fi
  run 134 run crash$dwarf.wasm
  err_has "weld: trap: out of bounds memory access"
  for f in "0 poke LINE_OOB" "1 middle LINE_CALL" "2 main LINE_MAIN"; do
    set -- $f
    l=$(grep -E "^  $1: $2 \(func [0-9]+\) at " err.txt)
    if [[ "$l" =~ at\ (.*/)?crash\.c:([0-9]+):([0-9]+)\ \(offset\ (0x[0-9a-f]+)\)$ ]]; then
      want=$(line_of "$3")
      if [ "${BASH_REMATCH[2]}" = "$want" ]; then ok; else bad "frame $1: line ${BASH_REMATCH[2]}, source says $want"; fi
      row=$(dwarf_row crash$dwarf.wasm "${BASH_REMATCH[4]}")
      if [ "$row" = "${BASH_REMATCH[2]} ${BASH_REMATCH[3]}" ]; then ok; else bad "frame $1: ${BASH_REMATCH[2]}:${BASH_REMATCH[3]}, llvm-dwarfdump says '$row'"; fi
    else
      bad "frame $1 has no crash.c location: $(cat err.txt)"
    fi
  done
done
label="DWARF v5 names the compilation directory"
if grep -qE "^  0: poke \(func [0-9]+\) at $(pwd)/crash\.c:" <("$weld" run crash5.wasm 2>&1); then ok; else bad "no absolute path"; fi
label="no debug info, no location"
wasm-strip crash4.wasm -o stripped.wasm 2>/dev/null || cp rec.wasm stripped.wasm
run 134 run stripped.wasm
err_lacks "crash.c"

# ---- the guest profiler: folded stacks and an SVG flame graph --------------------------------
cat >loop.wat <<'W'
(module
  (func $leaf (param i32) (result i32) (local i32)
    loop $l
      local.get 1 local.get 0 i32.add local.set 1
      local.get 0 i32.const 1 i32.sub local.tee 0
      br_if $l
    end
    local.get 1)
  (func $middle (param i32) (result i32)
    local.get 0 call $leaf)
  (func $other (param i32) (result i32)
    local.get 0 i32.const 3 i32.mul call $leaf)
  (func $top (export "top") (param i32) (result i32) (local i32)
    loop $l
      i32.const 20000 call $middle
      i32.const 20000 call $other
      i32.add drop
      local.get 0 i32.const 1 i32.sub local.tee 0
      br_if $l
    end
    i32.const 0))
W
# folded_ok FILE: every line is `frame;frame;... COUNT`
folded_ok() {
  if [ -s "$1" ] && ! grep -qvE '^[^ ;]+(;[^ ;]+)* [0-9]+$' "$1"; then ok; else bad "$1 is not folded stacks: $(head -5 "$1")"; fi
}
count_of() { awk -v s="$2" '$1 == s { n += $2 } END { print n + 0 }' "$1"; }
label="a profile that cannot be written fails the run with a one-line error"
run 2 run --profile=guest,out/loop.folded --invoke top loop.wat 1
err_has "weld: --profile: out/loop.folded: No such file or directory"
label="weld run --profile=guest,PATH"
mkdir -p out
run 0 run --profile=guest,out/loop.folded --invoke top loop.wat 1500
folded_ok out/loop.folded
if grep -qE '^weld: profile: [0-9]+ samples? in out/loop.folded, flame graph in out/loop.svg$' err.txt; then ok; else bad "summary line: $(cat err.txt)"; fi
# every stack starts at the export; leaf is reached only through middle and other
if ! grep -qv '^top' out/loop.folded; then ok; else bad "a stack not rooted at top: $(cat out/loop.folded)"; fi
mid=$(count_of out/loop.folded "top;middle;leaf") oth=$(count_of out/loop.folded "top;other;leaf")
if [ "$mid" -gt 0 ] && [ "$oth" -gt 0 ]; then ok; else bad "missing chains: $(cat out/loop.folded)"; fi
# other runs leaf's loop three times as long as middle does
if [ "$oth" -gt "$mid" ]; then ok; else bad "other ($oth) should outweigh middle ($mid)"; fi
label="the flame graph is well-formed XML with one box per function per stack"
if xmllint --noout out/loop.svg 2>xml.txt; then ok; else bad "xmllint: $(head -5 xml.txt)"; fi
for fn in top middle other leaf; do
  if grep -q "<title>$fn (" out/loop.svg; then ok; else bad "no box for $fn"; fi
done
total=$(awk '{ n += $NF } END { print n }' out/loop.folded)
if grep -q ">$total samples; " out/loop.svg && grep -q "<title>top ($total samples, 100.00%)" out/loop.svg; then ok; else bad "SVG total differs from the folded total $total"; fi
label="a C program: the chain through main"
cat >prof.c <<'C'
#include <stdio.h>

__attribute__((noinline)) static unsigned inner(unsigned x) {
  for (int i = 0; i < 1000; i++) x = x * 1103515245u + 12345u;
  return x;
}

__attribute__((noinline)) static unsigned work(unsigned n) {
  unsigned x = 1;
  for (unsigned i = 0; i < n; i++) x ^= inner(x + i);
  return x;
}

int main(void) {
  printf("%u\n", work(20000));
  return 0;
}
C
if clang --target=wasm32-wasi -O0 -o prof.wasm prof.c 2>cc.txt; then
  run 0 run --profile=guest prof.wasm
  folded_ok weld-profile.folded
  if [ -s weld-profile.svg ] && xmllint --noout weld-profile.svg 2>/dev/null; then ok; else bad "default SVG missing or malformed"; fi
  if grep -qE '^_start[^ ]*;_start;__original_main;work;inner [0-9]+$' weld-profile.folded; then ok; else bad "no _start..main;work;inner chain: $(cat weld-profile.folded)"; fi
else
  bad "clang failed: $(cat cc.txt)"
fi

# A real program: the sorting kernel of bench/ (quicksort, heapsort) through WASI's _start. Its
# flame graph must render in an SVG renderer of its own (librsvg), not only parse as XML.
label="a profile of bench/kernels/sort.c renders as a flame graph"
if clang --target=wasm32-wasi -O0 -I"$root/bench/kernels" -o sort.wasm "$root/bench/kernels/harness.c" \
  "$root/bench/kernels/sort.c" 2>cc.txt; then
  run 0 run --profile=guest,sort.folded sort.wasm 1
  folded_ok sort.folded
  for chain in "main;run;heapsort;sift" "main;run;quicksort;quicksort"; do
    if grep -qE "^_start[^ ]*;_start;__original_main;__main_void;$chain(;[^ ]+)* [0-9]+$" sort.folded; then ok; else bad "no $chain chain: $(head -c 600 sort.folded)"; fi
  done
  for svg in sort.svg out/loop.svg; do
    if rsvg-convert -o render.png "$svg" 2>render.txt && [ -s render.png ]; then ok; else bad "rsvg-convert cannot render $svg: $(head -3 render.txt)"; fi
  done
else
  bad "clang failed: $(cat cc.txt)"
fi

label="a deadline still stops a profiled run, and the profile is written"
cat >spin.wat <<'W'
(module
  (func $spin (loop $l (br $l)))
  (func $main (export "main") (call $spin)))
W
run 134 run --profile=guest,spin.folded --timeout 300ms --invoke main spin.wat
err_has "weld: trap: deadline exceeded"
folded_ok spin.folded
if grep -qE '^main;spin [0-9]+$' spin.folded; then ok; else bad "no main;spin stack: $(cat spin.folded)"; fi

label="a profiled guest that sleeps in a host call (poll_oneoff) is not interrupted by samples"
cat >sleepy.c <<'C'
#include <stdio.h>
#include <time.h>

int main(void) {
  struct timespec ts = {0, 200000000};
  for (int i = 0; i < 2; i++) nanosleep(&ts, NULL);
  puts("rested");
  return 0;
}
C
if clang --target=wasm32-wasi -O0 -o sleepy.wasm sleepy.c 2>cc.txt; then
  run 0 run --profile=guest,sleepy.folded sleepy.wasm
  out_has "rested"
  # so little WebAssembly runs that the interpreter may never reach a budget check: the
  # profile can be empty, but it is written
  if [ -f sleepy.folded ] && [ -f sleepy.svg ] && xmllint --noout sleepy.svg 2>/dev/null; then ok; else bad "profile files missing"; fi
else
  bad "clang failed: $(cat cc.txt)"
fi
# ---- perf: a perf map names the compiled guest functions ---------------------------------------
# map_ok MAP NAME...: every line is `START SIZE NAME` (hex, hex), no range is empty or
# overlaps another, and each NAME (loop.wat's identifiers) has its line
map_ok() {
  local map=$1 fn start size end=0 bad_range=""
  shift
  if [ -s "$map" ] && ! grep -qvE '^[0-9a-f]+ [0-9a-f]+ (wasm:[^ ]+|wasm-function\[[0-9]+\])$' "$map"; then ok; else bad "not a perf map: $(head -5 "$map" 2>/dev/null)"; return; fi
  for fn in "$@"; do
    if grep -qE " wasm:$fn$" "$map"; then ok; else bad "no line for $fn: $(cat "$map")"; fi
  done
  while read -r start size _; do
    if [ $((0x$size)) -eq 0 ] || [ $((0x$start)) -lt $end ]; then bad_range=1; fi
    end=$((0x$start + 0x$size))
  done < <(sort "$map")
  if [ -z "$bad_range" ]; then ok; else bad "empty or overlapping ranges: $(cat "$map")"; fi
}
if [ "$(uname -m)" = x86_64 ]; then
  label="WELD_PERF_MAP=1 --tier baseline writes /tmp/perf-PID.map"
  WELD_PERF_MAP=1 "$weld" run --tier baseline --invoke top loop.wat 20 >out.txt 2>err.txt &
  pid=$!
  wait $pid
  rc=$?
  if [ $rc -eq 0 ]; then ok; else bad "exit $rc: $(cat err.txt)"; fi
  map_ok /tmp/perf-$pid.map top middle other leaf
  rm -f /tmp/perf-$pid.map
  label="without WELD_PERF_MAP no perf map is written"
  "$weld" run --tier baseline --invoke top loop.wat 20 >out.txt 2>err.txt &
  pid=$!
  wait $pid
  if [ ! -e /tmp/perf-$pid.map ]; then ok; else bad "/tmp/perf-$pid.map written"; rm -f /tmp/perf-$pid.map; fi
  # (top is called once, so it stays in the interpreter)
  label="the auto tier maps the functions it compiles"
  WELD_TIER_EAGER_BYTES=0 WELD_PERF_MAP=1 "$weld" run --tier auto --tier-up-threshold 1 --invoke top loop.wat 20 >out.txt 2>err.txt &
  pid=$!
  wait $pid
  map_ok /tmp/perf-$pid.map middle other leaf
  if ! grep -q ' wasm:top$' /tmp/perf-$pid.map 2>/dev/null; then ok; else bad "top was never compiled but is mapped"; fi
  rm -f /tmp/perf-$pid.map
  label="the auto tier maps a module it compiles whole when made"
  WELD_PERF_MAP=1 "$weld" run --tier auto --invoke top loop.wat 20 >out.txt 2>err.txt &
  pid=$!
  wait $pid
  map_ok /tmp/perf-$pid.map top middle other leaf
  rm -f /tmp/perf-$pid.map
  label="--profile=perfmap (wasmtime's spelling) writes the same map"
  "$weld" run --tier baseline --profile=perfmap --invoke top loop.wat 20 >out.txt 2>err.txt &
  pid=$!
  wait $pid
  map_ok /tmp/perf-$pid.map top middle other leaf
  rm -f /tmp/perf-$pid.map
  label="--profile=perfmap in the interpreter is refused"
  run 2 run --tier interp --profile=perfmap --invoke top loop.wat 20
  err_has "weld: run: not supported: --profile=perfmap names compiled code (--tier baseline, auto, or optimized with the code cache); in the interpreter use --profile=guest (see 'weld help run')"
  run 2 run --tier optimized --no-cache --profile=perfmap --invoke top loop.wat 20
  err_has "weld: run: not supported: --profile=perfmap names compiled code (--tier baseline, auto, or optimized with the code cache); in the interpreter use --profile=guest (see 'weld help run')"
  # the optimising tier's code, loaded from the code cache (a binary module: text is not
  # cached): every function has its entry, named, whatever LLVM inlined
  if "$weld" compile --tier optimized -o probe.cwasm loop.wat >/dev/null 2>&1; then
    wat2wasm --debug-names loop.wat -o loop.wasm
    label="--tier optimized from the code cache: perf map"
    WELD_CACHE_DIR="$tmp/perfcache" "$weld" run --tier optimized --profile=perfmap --invoke top loop.wasm 20 >out.txt 2>err.txt &
    pid=$!
    wait $pid
    map_ok /tmp/perf-$pid.map top middle other leaf
    rm -f /tmp/perf-$pid.map
    label="--tier optimized, a cache hit: perf map"
    WELD_CACHE_DIR="$tmp/perfcache" WELD_PERF_MAP=1 "$weld" run --tier optimized --tier-stats --invoke top loop.wasm 20 >out.txt 2>err.txt &
    pid=$!
    wait $pid
    if grep -q "from the code cache" err.txt; then ok; else bad "not a hit: $(cat err.txt)"; fi
    map_ok /tmp/perf-$pid.map top middle other leaf
    rm -f /tmp/perf-$pid.map
  else
    echo "skipped: perf map of the optimising tier (LLVM is not available)"
  fi
  # perf itself, where the kernel lets this user sample (perf_event_paranoid, containers)
  if command -v perf >/dev/null && perf record -q -e cpu-clock -o probe.data true >/dev/null 2>&1; then
    label="perf report names the guest's hot function"
    perf record -q -e cpu-clock -o perf.data "$weld" run --tier baseline --profile=perfmap --invoke top loop.wat 2000 >out.txt 2>err.txt
    pid=$(perf script -i perf.data -F pid 2>/dev/null | tr -d ' ' | sort -u | head -n 1)
    perf report -i perf.data --stdio --sort sym >report.txt 2>/dev/null
    if grep -qE '%  +\[\.\] wasm:leaf$' report.txt; then ok; else bad "no wasm:leaf in perf report: $(grep -E '^ +[0-9]' report.txt | head -5)"; fi
    [ -n "$pid" ] && rm -f /tmp/perf-$pid.map
  else
    echo "skipped: perf report (perf is missing or cannot record here)"
  fi
  # ---- gdb: the GDB JIT interface names the compiled functions (WELD_GDB_JIT=1) ----------
  # An access past the memory in guard mode faults inside the generated code; gdb stops
  # there, and `info symbol $pc` must name the guest function it is in.
  cat >fault.wat <<'W'
(module
  (memory 1)
  (func $load_it (param i32) (result i32) (i32.load (local.get 0)))
  (func $middle (param i32) (result i32) (i32.add (call $load_it (local.get 0)) (i32.const 1)))
  (func (export "oob") (param i32) (result i32) (call $middle (local.get 0))))
W
  wat2wasm --debug-names fault.wat -o fault.wasm
  if command -v gdb >/dev/null; then
    in_gdb() { # ENV... -- WELD ARGS...: gdb's answer to `info symbol $pc` at the fault
      local envs=()
      while [ "$1" != -- ]; do envs+=("$1"); shift; done
      shift
      env "${envs[@]}" gdb -batch -nx -ex run -ex 'info symbol $pc' -ex 'bt 3' --args "$weld" "$@" >gdb.txt 2>&1
    }
    for t in baseline auto; do
      label="gdb names the faulting function (--tier $t)"
      in_gdb WELD_GDB_JIT=1 -- run --tier $t --no-cache --invoke oob fault.wasm 70000
      if grep -q "SIGSEGV" gdb.txt && grep -qE '^wasm:load_it \+ [0-9]+ in section \.text' gdb.txt; then ok; else bad "$(grep -v '^\[' gdb.txt | head -8)"; fi
    done
    label="gdb without WELD_GDB_JIT: no name (the check above can fail)"
    in_gdb WELD_GDB_JIT=0 -- run --tier baseline --no-cache --invoke oob fault.wasm 70000
    if grep -q "SIGSEGV" gdb.txt && grep -q "No symbol matches" gdb.txt; then ok; else bad "$(grep -v '^\[' gdb.txt | head -8)"; fi
    if [ -f probe.cwasm ]; then
      # LLVM may inline load_it into middle: either name, never none
      label="gdb names the faulting function (--tier optimized, from the code cache)"
      in_gdb WELD_GDB_JIT=1 WELD_CACHE_DIR="$tmp/gdbcache" -- run --tier optimized --invoke oob fault.wasm 70000
      if grep -q "SIGSEGV" gdb.txt && grep -qE '^wasm:(load_it|middle) \+ [0-9]+ in section \.text' gdb.txt; then ok; else bad "$(grep -v '^\[' gdb.txt | head -8)"; fi
    fi
  else
    echo "skipped: the GDB JIT interface (gdb is not installed)"
  fi
fi
echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]

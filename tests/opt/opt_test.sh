#!/usr/bin/env bash
# Tests of the optimising tier (`--tier optimized`, src/opt) from the command line.
#
#   tests/opt/opt_test.sh [WELD]        (default: build/weld)
#
# A weld built without LLVM must refuse the tier with one plain line and a non-zero exit
# (checked, then the rest is counted as skipped). A weld with it must give the results
# the scripts assert, fall back per function (SIMD) with calls crossing tiers both ways,
# and report traps, backtraces, fuel, deadlines and stack exhaustion exactly as the
# interpreter does (the interpreter's output is the reference: an independent
# implementation of the same semantics). Ends with `N passed, M failed, K skipped`.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
harness_init opt "${1:-$root/build/weld}"
# In a sanitizer build, LeakSanitizer's exit scan reads the dynamic TLS blocks ASan records
# through __tls_get_addr; with libLLVM loaded by dlopen one of them has a bogus range and the
# scan's tracer crashes ("Tracer caught signal 11") after the program finished correctly.
# Not tracking dynamic TLS avoids the crash while static TLS is still scanned (turning TLS
# scanning off altogether instead makes the loader's own dlopen bookkeeping look leaked).
if grep -q __asan_init "$weld" 2>/dev/null; then
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}intercept_tls_get_addr=0"
fi
skipped=0

run() {
  local want=$1
  shift
  label="weld $*"
  "$weld" "$@" >out.txt 2>err.txt
  rc=$?
  out="$(cat out.txt)" err="$(cat err.txt)"
  if [ "$rc" -eq "$want" ]; then ok; else bad "exit $rc, expected $want; stderr: $err"; fi
}
out_has() { if grep -qF -- "$1" out.txt; then ok; else bad "stdout lacks '$1'"; fi; }
err_has() { if grep -qF -- "$1" err.txt; then ok; else bad "stderr lacks '$1': $err"; fi; }
# same_as_interp ARGS...: weld run in the optimising tier prints and exits exactly as
# in the interpreter (exit code, stdout, stderr)
same_as_interp() {
  label="optimized = interp: weld run $*"
  "$weld" run --tier interp "$@" >ref.out 2>ref.err
  local r1=$?
  "$weld" run --tier optimized "$@" >opt.out 2>opt.err
  local r2=$?
  if [ $r1 -eq $r2 ] && cmp -s ref.out opt.out && cmp -s ref.err opt.err; then
    ok
  else
    bad "interp exit $r1: $(head -c 300 ref.out ref.err | tr '\n' ' ') / optimized exit $r2: $(head -c 300 opt.out opt.err | tr '\n' ' ')"
  fi
}

cat > add.wat <<'EOF'
(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
EOF

# ---- a build without LLVM --------------------------------------------------------------------
msg="not supported: the optimising tier (weld was built without LLVM)"
"$weld" run --tier optimized --invoke add add.wat 1 2 >out.txt 2>err.txt
rc=$?
if [ $rc -ne 0 ] && grep -qF "$msg" err.txt; then
  label="no LLVM: run --tier optimized"
  if [ "$(wc -l <err.txt)" -eq 1 ] && [ "$(cat err.txt)" = "weld: run: $msg" ] && [ ! -s out.txt ]; then ok; else bad "$(cat err.txt)"; fi
  run 2 wast --tier optimized add.wat
  if [ "$(cat err.txt)" = "weld: wast: $msg" ]; then ok; else bad "$err"; fi
  label="no LLVM: WELD_TIER=optimized weld run"
  WELD_TIER=optimized "$weld" run --invoke add add.wat 1 2 >out.txt 2>err.txt
  if [ $? -eq 2 ] && [ "$(cat err.txt)" = "weld: run: $msg" ]; then ok; else bad "$(cat err.txt)"; fi
  # the other tiers are untouched
  run 0 run --tier interp --invoke add add.wat 1 2; out_has 3
  skipped=1
  echo "opt: this weld has no optimising tier; the tier's own checks are skipped" >&2
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
  exit
fi
label="run --tier optimized"
if [ $rc -eq 0 ] && [ "$(cat out.txt)" = 3 ]; then ok; else bad "exit $rc: $(cat out.txt err.txt)"; fi

# ---- fallback per function, calls across tiers both ways ---------------------------------------
# $simd uses v128 and stays interpreted; $opt calls it, and it calls $leaf (optimised).
cat > mixed.wat <<'EOF'
(module
  (func $leaf (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func $simd (param i32) (result i32)
    (i32.add
      (i32x4.extract_lane 2 (i32x4.splat (local.get 0)))
      (call $leaf (local.get 0))))
  (func (export "opt") (param i32) (result i32)
    (local $i i32) (local $s i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get 0)))
        (local.set $s (i32.add (local.get $s) (call $simd (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))
  (table 2 funcref)
  (elem (i32.const 0) $leaf $simd)
  (type $t (func (param i32) (result i32)))
  (func (export "ind") (param i32 i32) (result i32) (call_indirect (type $t) (local.get 1) (local.get 0)))
  (func (export "badsig") (param i32) (result i64) (call_indirect (result i64) (local.get 0)))
)
EOF
{ cat mixed.wat; cat <<'EOF'; } >mixed.wast
(assert_return (invoke "opt" (i32.const 10)) (i32.const 180))
(assert_return (invoke "ind" (i32.const 0) (i32.const 7)) (i32.const 21))
(assert_return (invoke "ind" (i32.const 1) (i32.const 7)) (i32.const 28))
(assert_trap (invoke "ind" (i32.const 2) (i32.const 7)) "undefined element")
(assert_trap (invoke "badsig" (i32.const 1)) "indirect call type mismatch")
EOF
run 0 wast --tier optimized --tier-stats mixed.wast
out_has "mixed: 6 passed, 0 failed, 0 skipped"
err_has "tier: 4 of 5 defined functions compiled to machine code, 1 interpreted"
err_has "not supported: i32x4.splat: 1"
run 0 run --tier optimized --tier-stats --invoke opt mixed.wat 10
out_has 180
err_has "weld: tier optimized: 4 of 5 defined functions compiled to machine code"

# ---- call_indirect through the type's dispatcher (src/opt/lower.c) --------------------------
# several functions of one type, a trap and a memory.grow inside the callee, results in
# registers (two of them), a recursion through the table, fuel, a type mismatch
cat > disp.wat <<'EOF'
(module
  (memory 1)
  (type $t (func (param i32) (result i32)))
  (type $u (func (param i32 i32) (result i32 i32)))
  (table 8 funcref)
  (elem (i32.const 0) $a $b $c $trap $grow $rec $swap)
  (func $a (type $t) (i32.add (local.get 0) (i32.const 1)))
  (func $b (type $t) (i32.mul (local.get 0) (i32.const 3)))
  (func $c (type $t) (i32.sub (i32.const 100) (local.get 0)))
  (func $trap (type $t) (i32.div_u (i32.const 1) (i32.sub (local.get 0) (local.get 0))))
  (func $grow (type $t) (drop (memory.grow (i32.const 1))) (i32.store (i32.const 70000) (local.get 0)) (memory.size))
  (func $rec (type $t) (call_indirect (type $t) (local.get 0) (i32.const 5)))
  (func $swap (type $u) (local.get 1) (local.get 0))
  (func (export "sum") (param i32) (result i32) (local $i i32) (local $s i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get 0)))
      (local.set $s (i32.add (local.get $s)
        (call_indirect (type $t) (i32.xor (local.get $s) (local.get $i)) (i32.rem_u (local.get $i) (i32.const 3)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $s))
  (func (export "idx") (param i32 i32) (result i32) (call_indirect (type $t) (local.get 1) (local.get 0)))
  (func (export "grown") (result i32)
    (i32.add (call_indirect (type $t) (i32.const 9) (i32.const 4))
             (i32.add (i32.mul (memory.size) (i32.const 1000)) (i32.load (i32.const 70000)))))
  (func (export "swap") (param i32 i32) (result i32)
    (call_indirect (type $u) (local.get 0) (local.get 1) (i32.const 6)) (i32.sub))
)
EOF
same_as_interp --invoke sum disp.wat 1000
for i in 0 1 2 3 5 6 8; do same_as_interp --invoke idx disp.wat $i 7; done
same_as_interp --invoke grown disp.wat
same_as_interp --invoke swap disp.wat 10 3
same_as_interp --fuel 2000 --invoke sum disp.wat 1000
run 0 run --tier optimized --invoke sum disp.wat 1000
label="call_indirect dispatcher: sum matches a Python model"
want=$(python3 -c '
s = 0
for i in range(1000):
    x = (s ^ i) & 0xffffffff
    s = (s + [x + 1, x * 3, 100 - x][i % 3]) & 0xffffffff
print(s - (1 << 32) if s >= 1 << 31 else s)')
if [ "$out" = "$want" ]; then ok; else bad "got $out, want $want"; fi

# the internal entries' convention (GHC's) up to its register limits and past them (fastcc):
# 6 and 7 integer parameters, 8 results, 6 and 7 floats, directly and through call_indirect
cat > cc.wat <<'EOF'
(module
  (type $r8 (func (param i32 i32 i32 i32 i32 i32) (result i64 i64 i64 i64 i64 i64 i64 i64)))
  (type $p7 (func (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (type $f6 (func (param f64 f64 f64 f64 f64 f64 i32 i32 i32 i32 i32 i32) (result f64 i32)))
  (type $f7 (func (param f64 f64 f64 f64 f64 f64 f64) (result f64)))
  (table 4 funcref)
  (elem (i32.const 0) $r8 $p7 $f6 $f7)
  (func $r8 (type $r8)
    (i64.extend_i32_u (local.get 0)) (i64.extend_i32_u (local.get 1)) (i64.extend_i32_u (local.get 2))
    (i64.extend_i32_u (local.get 3)) (i64.extend_i32_u (local.get 4)) (i64.extend_i32_u (local.get 5))
    (i64.const 7) (i64.const 8))
  (func $p7 (type $p7) (i32.add (local.get 0) (i32.mul (local.get 6) (i32.const 1000))))
  (func $f6 (type $f6) (f64.add (local.get 0) (f64.mul (local.get 5) (f64.const 10))) (i32.add (local.get 6) (local.get 11)))
  (func $f7 (type $f7) (f64.add (local.get 0) (f64.mul (local.get 6) (f64.const 100))))
  (func (export "t") (param i32) (result i64) (local $i i32) (local $s i64)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get 0)))
      (call $r8 (local.get $i) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5) (i32.const 6))
      (i64.add) (i64.add) (i64.add) (i64.add) (i64.add) (i64.add) (i64.add) (local.get $s) (i64.add) (local.set $s)
      (call_indirect (type $r8) (local.get $i) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5) (i32.const 6) (i32.const 0))
      (i64.sub) (i64.sub) (i64.sub) (i64.sub) (i64.sub) (i64.sub) (i64.sub) (local.get $s) (i64.add) (local.set $s)
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (call $p7 (local.get $i) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 9)))))
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (call_indirect (type $p7) (local.get $i) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 9) (i32.const 1)))))
      (call $f6 (f64.convert_i32_u (local.get $i)) (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 2) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (local.get $i))
      (i64.extend_i32_u) (local.get $s) (i64.add) (local.set $s)
      (i64.trunc_f64_s) (local.get $s) (i64.add) (local.set $s)
      (call_indirect (type $f6) (f64.convert_i32_u (local.get $i)) (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 2) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (local.get $i) (i32.const 2))
      (i64.extend_i32_u) (local.get $s) (i64.add) (local.set $s)
      (i64.trunc_f64_s) (local.get $s) (i64.add) (local.set $s)
      (local.set $s (i64.add (local.get $s) (i64.trunc_f64_s (call $f7 (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1) (f64.convert_i32_u (local.get $i))))))
      (local.set $s (i64.add (local.get $s) (i64.trunc_f64_s (call_indirect (type $f7) (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1) (f64.convert_i32_u (local.get $i)) (i32.const 3)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $s))
)
EOF
same_as_interp --invoke t cc.wat 100
label="precompiled: the conventions' limits"
"$weld" compile --tier optimized -o cc.cwasm cc.wat 2>err.txt &&
  if [ "$("$weld" run --allow-precompiled --invoke t cc.cwasm 100)" = 2837000 ]; then ok; else bad "$(cat err.txt)"; fi

# ---- traps and backtraces as in the interpreter ----------------------------------------------
cat > traps.wat <<'EOF'
(module
  (memory 1)
  (func $load (param i32) (result i32) (i32.load offset=4 (local.get 0)))
  (func $mid (param i32) (result i32) (i32.add (call $load (local.get 0)) (i32.const 1)))
  (func (export "oob") (param i32) (result i32) (call $mid (local.get 0)))
  (func (export "store") (param i32) (i64.store (local.get 0) (i64.const 1)))
  (func (export "div") (param i32 i32) (result i32) (call $d (local.get 0) (local.get 1)))
  (func $d (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "unreachable") (call $u))
  (func $u (unreachable))
  (func $rec (export "rec") (param i32) (result i32) (i32.add (call $rec (local.get 0)) (i32.const 1)))
  (func (export "spin") (loop $l (br $l)))
  (func (export "count") (param i32) (result i32) (local i32)
    (block $d (loop $l
      (br_if $d (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $l)))
    (local.get 1))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "two") (param i32) (result i32)
    (i32.store8 (local.get 0) (i32.const 1))
    (i32.add (i32.load16_u (i32.const 8)) (i32.load offset=16 (local.get 0))))
)
EOF
for bounds in guard explicit; do
  same_as_interp --bounds $bounds --invoke oob traps.wat 65532
  same_as_interp --bounds $bounds --invoke oob traps.wat 65528
  same_as_interp --bounds $bounds --invoke oob traps.wat 4294967295
  same_as_interp --bounds $bounds --invoke store traps.wat 65529
  same_as_interp --bounds $bounds --invoke fill traps.wat 65530 0 7
  # several accesses in a function: the faulting one's offset is reported
  same_as_interp --bounds $bounds --invoke two traps.wat 65520
  same_as_interp --bounds $bounds --invoke two traps.wat 65536
done
same_as_interp --invoke div traps.wat 7 0
same_as_interp --invoke div traps.wat -2147483648 -1
same_as_interp --invoke div traps.wat -7 2
same_as_interp --invoke trunc traps.wat nan
same_as_interp --invoke trunc traps.wat 3e9
same_as_interp --invoke unreachable traps.wat
same_as_interp --invoke rec traps.wat 1
same_as_interp --max-stack 500 --invoke rec traps.wat 1
same_as_interp --invoke grow traps.wat 2
same_as_interp --max-memory 128KiB --invoke grow traps.wat 5
# guard mode: accesses to the memory are left to the guard region (a marked callbr of
# inline assembly per access, no comparison with the size); explicit mode compares
# $load's IR in each mode: its comparisons (the stack checks, plus the bounds check in
# explicit mode only) and its accesses; the body is the internal entry body0 (fastcc),
# or its ABI entry _f0 when LLVM inlined it there
load_ir() { awk '/^define .*(_f0|@body0)\(/ {p=1} p {print} p && /^}/ {p=0}' err.txt; }
WELD_OPT_DUMP=1 "$weld" run --tier optimized --invoke oob traps.wat 1 >out.txt 2>err.txt
g_cmp=$(load_ir | grep -c icmp) g_br=$(load_ir | grep -c "callbr i32 asm sideeffect")
WELD_OPT_DUMP=1 "$weld" run --tier optimized --bounds explicit --invoke oob traps.wat 1 >out.txt 2>err.txt
x_cmp=$(load_ir | grep -c icmp) x_br=$(load_ir | grep -c "callbr")
label="guard mode: the access is a marked callbr and has no bounds comparison"
if [ "$g_br" -eq 1 ] && [ "$x_br" -eq 0 ] && [ "$g_cmp" -eq $((x_cmp - 1)) ]; then ok; else bad "guard: $g_br callbr, $g_cmp icmp; explicit: $x_br callbr, $x_cmp icmp"; fi
# the same traps from precompiled images (guard code: tag OPTG, registered by elf.c's loader)
for bounds in guard explicit; do
  run 0 compile --tier optimized --bounds $bounds -o traps.$bounds.cwasm traps.wat
  for a in "oob 65532" "oob 4294967295" "store 65529" "oob 1" "two 65520" "two 65536"; do
    label="precompiled ($bounds) = interp: $a"
    read -r fn arg <<<"$a" # the module, then the export's arguments
    "$weld" run --tier interp --invoke "$fn" traps.wat "$arg" >ref.out 2>ref.err
    r1=$?
    "$weld" run --bounds $bounds --allow-precompiled --invoke "$fn" traps.$bounds.cwasm "$arg" >opt.out 2>opt.err
    r2=$?
    # every case but `oob 1` traps (exit 134) with a backtrace of offsets
    if [ "$a" = "oob 1" ]; then want=0; else want=134; fi
    if [ $r1 -eq $want ] && [ $r1 -eq $r2 ] && cmp -s ref.out opt.out && cmp -s ref.err opt.err; then ok; else bad "exit $r1/$r2: $(cat ref.err) / $(cat opt.err)"; fi
  done
done
label="precompiled guard code is tagged OPTG, checked code OPTZ"
if grep -qa OPTG traps.guard.cwasm && grep -qa OPTZ traps.explicit.cwasm && ! grep -qa OPTG traps.explicit.cwasm; then ok; else bad "tags"; fi

# accesses proven in bounds (src/opt/lower.c, "accesses proven in bounds"): an access
# within the reach of an earlier one of the same local (not set in between) that
# dominates it, or at a constant address within the memory's minimum, is a plain load or
# store. Each case below traps (or not) where the interpreter does; a wrongly proven
# access would be a plain access of unmapped memory in guard mode (a crash, not the trap)
# or a missing trap in explicit mode.
cat > cover.wat <<'EOF'
(module
  (memory 1)
  (func (export "down") (param $p i32) (result i32)
    (i32.add (i32.load offset=8 (local.get $p)) (i32.load offset=4 (local.get $p))))
  (func (export "up") (param $p i32) (result i32)
    (i32.add (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p))))
  (func (export "st") (param $p i32) (result i32)
    (i32.store offset=4 (local.get $p) (i32.add (i32.load offset=4 (local.get $p)) (i32.const 1)))
    (i32.store offset=8 (local.get $p) (i32.const 7))
    (i32.load offset=4 (local.get $p)))
  (func (export "set") (param $p i32) (result i32)
    (drop (i32.load (local.get $p)))
    (local.set $p (i32.add (local.get $p) (i32.const 4096)))
    (i32.load (local.get $p)))
  (func (export "loop") (param $p i32) (result i32) (local $n i32)
    (drop (i32.load offset=8 (local.get $p)))
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4096)))
      (br_if $l (i32.lt_u (local.get $p) (i32.const 200000))))
    (local.get $n))
  (func (export "ifelse") (param $p i32) (param $c i32) (result i32)
    (if (result i32) (local.get $c)
      (then (i32.load offset=8 (local.get $p)))
      (else (i32.load offset=4 (local.get $p)))))
  (func (export "ifend") (param $p i32) (param $c i32) (result i32)
    (if (local.get $c) (then (drop (i32.load offset=8 (local.get $p)))))
    (i32.load offset=4 (local.get $p)))
  (func (export "tee") (param $p i32) (result i32)
    (drop (i32.load offset=8 (local.get $p)))
    (i32.load offset=4 (local.tee $p (i32.add (local.get $p) (i32.const 8)))))
  (func (export "const") (param $a i32) (result i32)
    (i32.store (i32.const 65532) (local.get $a))
    (i32.add (i32.load (i32.const 65532)) (i32.load (local.get $a))))
  (func (export "const2") (result i32)
    (i32.store (i32.const 65532) (i32.const 5))
    (i32.load (i32.const 65536)))
  (func (export "inv") (param $p i32) (param $n i32) (result i32) (local $s i32)
    (local.set $s (i32.load offset=12 (local.get $p)))
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load offset=4 (local.get $p))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s))
)
EOF
for bounds in guard explicit; do
  for a in "down 65524" "down 65528" "up 65524" "up 65527" "st 65524" "st 65526" "set 60000" "set 61500" \
    "loop 0" "ifelse 65532 1" "ifelse 65532 0" "ifelse 65524 0" "ifend 65532 0" "ifend 65532 1" \
    "tee 65520" "tee 65524" "const 8" "const 65534" "const2" "inv 65520 3" "inv 65528 3"; do
    read -r fn args <<<"$a"
    # shellcheck disable=SC2086 # the export's arguments
    same_as_interp --bounds $bounds --invoke "$fn" cover.wat $args
  done
done
# the proof's effect: down's second load, const's accesses of 65532 and inv's load in the
# loop (its local is not set there) are plain (one access form left in each), up keeps both
WELD_OPT_DUMP=1 "$weld" run --tier optimized --invoke down cover.wat 0 >out.txt 2>err.txt
fn_ir() { awk -v f="$1" '$0 ~ "^define .*(_f" f "|@body" f ")\\(" {p=1} p {print} p && /^}/ {p=0}' err.txt; }
d_br=$(fn_ir 0 | grep -c "callbr") u_br=$(fn_ir 1 | grep -c "callbr") c_br=$(fn_ir 8 | grep -c "callbr") i_br=$(fn_ir 10 | grep -c "callbr")
label="proven accesses are plain: down 1 callbr (of 2 loads), up 2, const 1 (of 3 accesses), inv 1 (of 2)"
if [ "$d_br" -eq 1 ] && [ "$u_br" -eq 2 ] && [ "$c_br" -eq 1 ] && [ "$i_br" -eq 1 ]; then ok; else bad "down $d_br, up $u_br, const $c_br, inv $i_br"; fi

# fuel: spent as in the interpreter, unit for unit (function entries, loop iterations)
for fuel in 1 2 3 100 101 102 103 104; do same_as_interp --fuel $fuel --invoke count traps.wat 50; done
same_as_interp --fuel 100000 --invoke spin traps.wat
same_as_interp --timeout 200ms --invoke spin traps.wat

# the auto tier: a process ends while a background LLVM compile of a big hot function
# still runs (the budget off, so it starts at once): the program's output and exit status
# are its own, nothing crashes and nothing is printed (the compile is abandoned: the
# handler flushes stdio and ends the process with the status, src/jit/tierup.c); the
# interpreter's run is the reference
{
  echo '(module'
  echo '  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))'
  echo '  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))'
  echo '  (memory 1) (export "memory" (memory 0)) (data (i32.const 16) "done\n")'
  echo '  (func $big (param i32) (result i32) (local i32)'
  for i in $(seq 1 400); do
    echo "    (local.set 1 (i32.add (local.get 1) (i32.mul (i32.load offset=$((i * 4 % 4000)) (local.get 0)) (i32.const $i))))"
    echo "    (i32.store offset=$((i * 8 % 4000)) (local.get 0) (i32.xor (local.get 1) (i32.const $i)))"
  done
  echo '    (local.get 1))'
  echo '  (func (export "_start") (local i32)'
  echo '    (loop (drop (call $big (i32.const 1024))) (local.set 0 (i32.add (local.get 0) (i32.const 1)))'
  echo '      (br_if 0 (i32.lt_u (local.get 0) (i32.const 4))))'
  echo '    (loop (local.set 0 (i32.add (local.get 0) (i32.const 1))) (br_if 0 (i32.lt_u (local.get 0) (i32.const 300000000))))'
  echo '    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 5))'
  echo '    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))'
  echo '    (call $exit (i32.const 3))))'
} > big.wat
"$weld" run --tier interp big.wat >ref.out 2>ref.err
r1=$?
# three times: whether the compile is still lowering (then the module's free drops it) or
# in LLVM at the exit depends on the machine
for attempt in 1 2 3; do
  label="auto tier: exit while a background LLVM compile runs ($attempt)"
  WELD_TIER_UP_BUDGET=0 WELD_COMPILE_THREADS=1 "$weld" run --tier auto --tier-up-threshold 1 big.wat >opt.out 2>opt.err
  r2=$?
  if [ $r1 -eq 3 ] && [ $r2 -eq 3 ] && [ "$(cat opt.out)" = done ] && cmp -s ref.out opt.out && [ ! -s opt.err ] && [ ! -s ref.err ]; then
    ok
  else
    bad "exit $r2 (interpreter $r1); stdout '$(cat opt.out)'; stderr $(head -c 300 opt.err)"
  fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Tests of precompiled modules (`weld compile`, `weld run --allow-precompiled`) and the
# compiled-code cache (`weld run --tier baseline|optimized`, `weld cache`): results equal
# to the interpreter's, every mismatch (flipped byte, other version, missing CPU features,
# other settings, truncation) refused with one line and exit 1, cache hits, misses,
# damaged entries, LRU eviction and concurrent writers.
#
#   tests/cli/aot_test.sh [WELD]        (default: build/weld)
#
# The optimised tier's checks run when weld has it (LLVM); otherwise they are counted as
# skipped and said so. Ends with `N passed, M failed`.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
harness_init aot "${1:-$root/build/weld}" wat2wasm python3
# In a sanitizer build, LeakSanitizer's exit scan reads the dynamic TLS blocks ASan records
# through __tls_get_addr; with libLLVM loaded by dlopen (the optimising tier without the
# cache runs ORC LLJIT in process) one of them has a bogus range and the scan's tracer
# crashes ("Tracer caught signal 11") after the program has finished correctly. Not
# tracking dynamic TLS avoids the crash; leaks are still checked.
if grep -q __asan_init "$weld" 2>/dev/null; then
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}intercept_tls_get_addr=0"
fi
export WELD_CACHE_DIR="$tmp/cache-root" # never the user's cache
unset WELD_TIER

run() {
  local want=$1
  shift
  label="weld $*"
  "$weld" "$@" >out.txt 2>err.txt
  rc=$?
  out="$(cat out.txt)" err="$(cat err.txt)"
  if [ "$rc" -eq "$want" ]; then ok; else bad "exit $rc, expected $want; stderr: $err"; fi
}
out_is() { if [ "$out" = "$1" ]; then ok; else bad "stdout '$out', expected '$1'"; fi; }
err_has() { if grep -qF -- "$1" err.txt; then ok; else bad "stderr lacks '$1': $err"; fi; }
err_line() {
  if [ "$(wc -l <err.txt)" -eq 1 ] && grep -qE -- "$1" err.txt; then ok; else bad "stderr is not one line matching /$1/: $err"; fi
}
# flip FILE OFFSET: inverts one byte
flip() { python3 -c 'import sys; p, o = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, "rb").read()); b[o] ^= 0xff; open(p, "wb").write(bytes(b))' "$1" "$2"; }
# imgsum.py: the image's checksum (docs/precompiled.md), written here from the polynomial:
# CRC-32C of the header but bytes 112-115 and of everything after the header, in bytes
# 112-115, then 28 zero bytes
cat >imgsum.py <<'PY'
def crc32c(data, c=0xffffffff):
    for x in data:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ (0x82f63b78 if c & 1 else 0)
    return c
def resign(b):
    b[112:144] = bytes(32)
    b[112:116] = (crc32c(bytes(b[:112]) + bytes(b[116:])) ^ 0xffffffff).to_bytes(4, "little")
PY
# patch FILE OFFSET HEXBYTES [resign]: overwrite bytes; `resign` recomputes the image's
# checksum (so that the check after it is reached)
patch() {
  python3 - "$@" <<'PY'
import hashlib, imgsum, sys
path, off, hexb = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3])
resign = len(sys.argv) > 4
b = bytearray(open(path, "rb").read())
b[off:off + len(hexb)] = hexb
if resign:
    imgsum.resign(b)
open(path, "wb").write(bytes(b))
PY
}

cat > calc.wat <<'EOF2'
(module
  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
  (func (export "pop") (param i32) (result i32) (i32.popcnt (local.get 0)))
  (table 2 funcref) (elem (i32.const 0) $fac)
  (type $t (func (param i64) (result i64)))
  (func (export "ind") (param i64) (result i64) (call_indirect (type $t) (local.get 0) (i32.const 0)))
  (func (export "f32min") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
  (memory 1)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "simd") (result i32) (i32x4.extract_lane 1 (i32x4.splat (i32.const 7))))
  (func (export "ifp") (param i32) (result i32)
    local.get 0 local.get 0 if (param i32) (result i32) i32.const 1 i32.add else i32.const 2 i32.mul end)
  ;; holds a reference across a call: interpreted in optimised code, called from compiled code
  (func $keep (param externref i32) (result i32)
    (drop (call $fac (i64.const 3)))
    (i32.add (ref.is_null (local.get 0)) (local.get 1)))
  (func (export "ext") (param i32) (result i32) (call $keep (ref.null extern) (local.get 0))))
EOF2
wat2wasm calc.wat -o calc.wasm || { echo "wat2wasm failed"; echo "0 passed, 1 failed"; exit 1; }

have_opt=1
# the optimised tier is missing only when weld says so; any other failure is this test's
if ! "$weld" compile --tier optimized -o probe.cwasm calc.wasm 2>probe.err; then
  have_opt=0
  label="compile --tier optimized: fails only as not supported"
  if grep -q "not supported: the optimising tier" probe.err; then ok; else bad "$(cat probe.err)"; fi
fi
tiers="baseline"
if [ $have_opt = 1 ]; then tiers="baseline optimized"; else echo "skip: the optimised tier is not available: its checks not run"; fi

for t in $tiers; do
  run 0 compile --tier $t -o calc-$t.cwasm calc.wasm
  label="$t: magic"
  if [ "$(head -c 8 calc-$t.cwasm | od -An -c | tr -d ' ')" = '\0weldAOT' ]; then ok; else bad "no magic"; fi
  # refused without the flag, one line
  run 1 run --invoke fac calc-$t.cwasm 20; err_line "precompiled module refused: .*--allow-precompiled"
  # results equal to the interpreter's
  for call in "fac 20" "pop 255" "ind 10" "f32min -0 0" "load 4" "simd" "ifp 5" "ifp 0" "ext 4"; do
    set -- $call
    "$weld" run --invoke "$1" calc.wasm "${@:2}" >want.txt 2>&1
    run 0 run --allow-precompiled --invoke "$1" calc-$t.cwasm "${@:2}"; out_is "$(cat want.txt)"
  done
  # a trap: the interpreter's message and backtrace
  "$weld" run --invoke load calc.wasm 70000 >/dev/null 2>want.txt
  run 134 run --allow-precompiled --invoke load calc-$t.cwasm 70000
  label="$t: trap as in the interpreter"
  if diff -q want.txt err.txt >/dev/null; then ok; else bad "$(diff want.txt err.txt | head -5)"; fi
  run 0 run --allow-precompiled --tier-stats --invoke pop calc-$t.cwasm 3; err_has "from the precompiled module, not compiled"
  # optimised code leaves $keep and the SIMD function to the interpreter; baseline code has all
  if [ $t = optimized ]; then err_has "interpreted: not supported"; else err_has "9 of 9 defined functions compiled"; fi

  # mismatches: one line each, exit 1
  cp calc-$t.cwasm x.cwasm; flip x.cwasm 200   # a byte of the module flipped
  run 1 run --allow-precompiled --invoke fac x.cwasm 3; err_line "corrupt \(checksum mismatch\)"
  size=$(stat -c %s calc-$t.cwasm)
  cp calc-$t.cwasm x.cwasm; flip x.cwasm $((size - 1))   # a byte of the code
  run 1 run --allow-precompiled --invoke fac x.cwasm 3; err_line "corrupt \(checksum mismatch\)"
  head -c $((size - 10)) calc-$t.cwasm >x.cwasm
  run 1 run --allow-precompiled --invoke fac x.cwasm 3; err_line "truncated"
  head -c 100 calc-$t.cwasm >x.cwasm
  run 1 run --allow-precompiled --invoke fac x.cwasm 3; err_line "truncated \(in the header\)"
  cp calc-$t.cwasm x.cwasm; patch x.cwasm 16 "392e392e3900" resign   # weld version 9.9.9
  run 1 run --allow-precompiled --invoke fac x.cwasm 3; err_line "made by weld 9\.9\.9, this is weld .*recompile"
  cp calc-$t.cwasm x.cwasm; patch x.cwasm 144 00000000000000000000000000000000 resign   # another build's stamp
  run 1 run --allow-precompiled --invoke fac x.cwasm 3; err_line "made by another build of weld .*recompile it with"
  run 0 inspect --json x.cwasm; label="$t: inspect says the image is another build's"
  if grep -q '"same_build": false' out.txt; then ok; else bad "$(grep same_build out.txt)"; fi
  run 0 inspect x.cwasm; label="$t: inspect text says the image is another build's"
  if grep -qF "(another build of it: this weld will not load its code)" out.txt; then ok; else bad "$(grep made out.txt)"; fi
  cp calc-$t.cwasm x.cwasm; patch x.cwasm 8 05000000 resign       # format version 5
  run 1 run --allow-precompiled --invoke fac x.cwasm 3; err_line "format version 5, this weld reads version 4"
  cp calc-$t.cwasm x.cwasm; patch x.cwasm 8 01000000 resign       # an image of the first format
  run 1 run --allow-precompiled --invoke fac x.cwasm 3; err_line "format version 1, this weld reads version 4 \(recompile it"
  cp calc-$t.cwasm x.cwasm; patch x.cwasm 8 02000000 resign       # the second (NOPs before each access)
  run 1 run --allow-precompiled --invoke fac x.cwasm 3; err_line "format version 2, this weld reads version 4 \(recompile it"
  cp calc-$t.cwasm x.cwasm; patch x.cwasm 8 03000000 resign       # the third (no record of legacy exceptions)
  run 1 run --allow-precompiled --invoke fac x.cwasm 3; err_line "format version 3, this weld reads version 4 \(recompile it"
  cp calc-$t.cwasm x.cwasm; patch x.cwasm 60 "$(printf %02x $(($(od -An -tu1 -j60 -N1 calc-$t.cwasm) | 4)))" resign # a record the module contradicts
  run 1 run --allow-precompiled --invoke fac x.cwasm 3; err_line "corrupt \(its record of the legacy exception instructions\)"
  cp calc-$t.cwasm x.cwasm; patch x.cwasm 130 01               # the checksum field's zero bytes
  run 1 run --allow-precompiled --invoke fac x.cwasm 3; err_line "corrupt \(checksum mismatch\)"
  cp calc-$t.cwasm x.cwasm; patch x.cwasm 64 00 resign             # the module's sha256
  run 1 run --allow-precompiled --invoke fac x.cwasm 3; err_line "module's sha256 differs"
  cp calc-$t.cwasm x.cwasm; patch x.cwasm 48 ffff010000000000 resign # every known CPU feature
  WELD_CPU_FEATURES=0 run 1 run --allow-precompiled --invoke fac x.cwasm 3
  err_line "needs CPU features this machine lacks: sse3,"
  run 1 run --allow-precompiled --bounds explicit --invoke fac calc-$t.cwasm 3
  err_line "compiled for --bounds guard, not --bounds explicit"
  run 0 compile --tier $t --bounds explicit -o ex.cwasm calc.wasm
  run 0 run --allow-precompiled --bounds explicit --invoke fac ex.cwasm 5; out_is 120
  run 1 run --allow-precompiled --invoke fac ex.cwasm 5; err_line "compiled for --bounds explicit, not --bounds guard"
done
if [ $have_opt = 1 ]; then
  # the optimised code uses the CPU's features: a machine without them refuses it
  WELD_CPU_FEATURES=0 run 1 run --allow-precompiled --invoke fac calc-optimized.cwasm 3
  err_line "needs CPU features this machine lacks"
  # the table of the guard-region accesses (its start and end follow `ud2 "WACC"` in the
  # function wend, src/opt/access.c) pointing outside the loaded code: refused, not read
  woff=$(python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); print(b.find(b"\x0f\x0bWACC"))' calc-optimized.cwasm)
  label="calc-optimized.cwasm has the table's header"
  if [ "$woff" -gt 160 ]; then ok; else bad "no ud2 WACC in the image"; fi
  # (start, end): one record 1 GiB past the code, one 1 GiB before it, a table reaching
  # 2 GiB past it, an end before the start
  for rel in "00000040 08000040" "000000c0 080000c0" "00000000 f4ffff7f" "10000000 04000000"; do
    cp calc-optimized.cwasm x.cwasm; patch x.cwasm $((woff + 6)) "${rel// /}" resign
    run 1 run --allow-precompiled --invoke fac x.cwasm 3; err_line "corrupt \(no table of the accesses\)"
  done
fi

# ---- weld inspect, validate, print and audit on a precompiled module ---------------------------
# No --allow-precompiled: they read the header leniently and never map or run the code. The
# references: the module embedded is calc.wasm byte for byte, its sha256 and sizes are
# computed here by python's hashlib, and print and audit say of it what they say of calc.wasm.
version=$("$weld" --version | awk '{print $2}')
for t in $tiers; do
  label="$t: the embedded module is calc.wasm"
  if python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); m = int.from_bytes(b[96:104], "little"); sys.exit(b[160:160 + m] != open(sys.argv[2], "rb").read())' calc-$t.cwasm calc.wasm; then ok; else bad "differs"; fi
  run 0 validate calc-$t.cwasm
  out_is "calc-$t.cwasm: valid (precompiled by weld $version for the $t tier; the module's sha256 matches)"
  "$weld" print calc.wasm >want.txt
  run 0 print calc-$t.cwasm; out_is "$(cat want.txt)"
  "$weld" audit calc.wasm | sed 's/calc\.wasm/FILE/g' >want.txt
  run 0 audit calc-$t.cwasm; label="$t: audit as of calc.wasm"
  if [ "$(sed "s/calc-$t\.cwasm/FILE/g" out.txt)" = "$(cat want.txt)" ]; then ok; else bad "$(diff want.txt <(sed "s/calc-$t\.cwasm/FILE/g" out.txt) | head -5)"; fi
  "$weld" audit --preset isolated --format json calc.wasm | sed 's/calc\.wasm/FILE/g' >want.txt
  want_rc=${PIPESTATUS[0]}
  run "$want_rc" audit --preset isolated --format json calc-$t.cwasm; label="$t: audit --format json as of calc.wasm"
  if [ "$(sed "s/calc-$t\.cwasm/FILE/g" out.txt)" = "$(cat want.txt)" ]; then ok; else bad "differs"; fi
  run 0 inspect calc-$t.cwasm; label="$t: inspect text"
  if grep -q "^precompiled module (weld compile), format 4, checksum ok$" out.txt && grep -q "^  tier: $t$" out.txt &&
    grep -q "^  made by weld $version$" out.txt && grep -q "^calc-$t.cwasm: WebAssembly module, version 1, $(stat -c %s calc.wasm) bytes$" out.txt
  then ok; else bad "$out"; fi
  run 0 inspect --json calc-$t.cwasm
  label="$t: inspect --json"
  if python3 - out.txt calc-$t.cwasm calc.wasm "$t" "$version" <<'PY'
import hashlib, json, sys
doc = json.load(open(sys.argv[1]))
img, mod, tier, version = open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read(), sys.argv[4], sys.argv[5]
p = doc["precompiled"]
want = {"format": 4, "weld_version": version, "tier": tier, "bounds": "guard", "standard": "3.0",
        "module_sha256": hashlib.sha256(mod).hexdigest(), "module_offset": 160, "module_size": len(mod),
        "code_size": len(img) - 160 - len(mod), "code_section": "BASE" if tier == "baseline" else "OPTG",
        "functions": 9, "section_error": None}
bad = {k: (p.get(k), v) for k, v in want.items() if p.get(k) != v}
# the baseline tier compiles every function; the optimising tier leaves $keep (a reference
# held across a call) and the SIMD function to the interpreter
want_compiled = 9 if tier == "baseline" else 7
if p["compiled_functions"] != want_compiled: bad["compiled_functions"] = p["compiled_functions"]
if not 0 < p["machine_code_size"] < p["code_size"]: bad["machine_code_size"] = p["machine_code_size"]
if doc["schema_version"] != 1 or doc["valid"] is not True or doc["size"] != len(mod): bad["doc"] = doc["valid"]
if len(p["cpu_features"]) != bin(p["cpu_feature_bits"]).count("1"): bad["cpu"] = p["cpu_features"]
if bad: print(bad)
sys.exit(1 if bad else 0)
PY
  then ok; else bad "$(tail -1 out.txt)"; fi
  # what loading refuses, reading reports: another weld, every CPU feature
  cp calc-$t.cwasm x.cwasm; patch x.cwasm 16 "392e392e3900" resign
  run 0 validate x.cwasm; out_is "x.cwasm: valid (precompiled by weld 9.9.9 for the $t tier; the module's sha256 matches)"
  cp calc-$t.cwasm x.cwasm; patch x.cwasm 48 ffff010000000000 resign
  WELD_CPU_FEATURES=0 run 0 inspect x.cwasm; label="$t: inspect lists the features"
  if grep -q "CPU features: sse3,ssse3,sse4.1,.*,aes$" out.txt; then ok; else bad "$(grep CPU out.txt)"; fi
done
# damage: one line with the offset, exit 1 (audit: 2), never a crash; --json still JSON
cp calc-baseline.cwasm x.cwasm; flip x.cwasm 200
for cmd in validate inspect print; do
  run 1 $cmd x.cwasm; err_line "x.cwasm: precompiled module is corrupt \(checksum mismatch\) \(at offset 0x70\)$"
done
run 2 audit x.cwasm; err_line "corrupt \(checksum mismatch\) \(at offset 0x70\)$"
cp calc-baseline.cwasm x.cwasm; patch x.cwasm 64 00 resign
run 1 validate x.cwasm; err_line "corrupt \(the module's sha256 differs\) \(at offset 0x40\)$"
head -c 100 calc-baseline.cwasm >x.cwasm
for cmd in validate inspect print; do
  run 1 $cmd x.cwasm; err_line "truncated \(in the header\) \(at offset 0x64\)$"
done
run 1 inspect --json x.cwasm; label="inspect --json on a truncated image"
if python3 -c 'import json, sys; d = json.load(open("out.txt")); sys.exit(not d["error"]["message"].startswith("precompiled module truncated"))'; then ok; else bad "$out"; fi
cp calc-baseline.cwasm x.cwasm; patch x.cwasm 96 ffffffff resign   # a module longer than the file
run 1 validate x.cwasm; err_line "truncated \(.*the module alone has 4294967295\) \(at offset 0x60\)$"
cp calc-baseline.cwasm x.cwasm; patch x.cwasm 16 "41414141414141414141414141414141414141414141414141414141414141ff" resign
run 1 inspect x.cwasm; err_line "weld version is not terminated \(at offset 0x10\)$"
# an image whose embedded module is not valid: the validator's message, marked as the module's
python3 - calc-baseline.cwasm z.cwasm <<'PY'
import hashlib, imgsum, sys
b = bytearray(open(sys.argv[1], "rb").read())
m = int.from_bytes(b[96:104], "little")
# (module (func (result i32) i64.const 1))
bad = bytes.fromhex("0061736d0100000001050160017f00030201000a0601040042010b".replace("60017f00", "6000017f"))
b = b[:160] + bad + b[160 + m:]
b[64:96] = hashlib.sha256(bad).digest()
b[96:104] = len(bad).to_bytes(8, "little")
imgsum.resign(b)
open(sys.argv[2], "wb").write(bytes(b))
PY
run 1 validate z.cwasm; err_line "z.cwasm: embedded module: type mismatch"
# a code section that does not describe the module's functions (as loading would refuse it)
python3 - calc-baseline.cwasm w.cwasm <<'PY'
import hashlib, imgsum, sys
b = bytearray(open(sys.argv[1], "rb").read())
m = int.from_bytes(b[96:104], "little")
b[160 + m + 4:160 + m + 8] = (6).to_bytes(4, "little")   # "BASE", then the function count
imgsum.resign(b)
open(sys.argv[2], "wb").write(bytes(b))
PY
run 1 validate w.cwasm; err_line "its code section lists 6 functions, the module defines 9\) \(at offset 0x"
run 1 run --allow-precompiled --invoke fac w.cwasm 3; err_line "corrupt \(function count differs from the module's\)"

# weld compile's own errors
run 2 compile calc.wasm; err_has "missing -o FILE"
run 2 compile --tier auto -o y.cwasm calc.wasm; err_has "is not 'baseline' or 'optimized'"
printf '\0asm\1\0\0\0\1' >bad.wasm
run 1 compile --tier baseline -o y.cwasm bad.wasm
label="no output on error"; if [ ! -e y.cwasm ]; then ok; else bad "y.cwasm written"; fi

# ---- the cache --------------------------------------------------------------------------------
for t in $tiers; do
  c="$tmp/c-$t"
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke fac calc.wasm 10; out_is 3628800
  err_has "stored in the code cache"
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke fac calc.wasm 10; out_is 3628800
  err_has "from the code cache, not compiled"
  # a hit's module is decoded without walking its function bodies (they are the ones weld
  # validated when it wrote the entry): a function left to the interpreter ($keep, under
  # the optimised tier) is decoded when first called, and a trap's message and backtrace
  # are the interpreter's
  "$weld" run --invoke ext calc.wasm 4 >want.txt 2>&1
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke ext calc.wasm 4; out_is "$(cat want.txt)"
  err_has "from the code cache, not compiled"
  "$weld" run --invoke load calc.wasm 70000 >/dev/null 2>want.txt
  run 134 run --cache-dir "$c" --tier $t --invoke load calc.wasm 70000
  label="$t: a cache hit's trap as in the interpreter"
  if diff -q want.txt err.txt >/dev/null; then ok; else bad "$(diff want.txt err.txt | head -5)"; fi
  run 0 cache info --cache-dir "$c"; out_is "$(printf 'directory: %s\nentries: 1\nbytes: %s' "$c" "$(stat -c %s "$c"/*.cwasm)")"
  # a damaged entry: found by the checksum, compiled again, the run goes on
  entry=$(ls "$c"/*.cwasm); flip "$entry" 300
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke fac calc.wasm 10; out_is 3628800
  err_has "stored in the code cache"
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke fac calc.wasm 10; err_has "from the code cache"
  # an entry an older weld wrote in the first format (checksum right): refused, compiled again
  entry=$(ls "$c"/*.cwasm); patch "$entry" 8 01000000 resign
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke fac calc.wasm 10; out_is 3628800
  err_has "stored in the code cache"
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke fac calc.wasm 10; err_has "from the code cache"
  # a byte of the code section flipped (the entry's last byte)
  entry=$(ls "$c"/*.cwasm); flip "$entry" $(($(stat -c %s "$entry") - 1))
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke fac calc.wasm 10; out_is 3628800
  err_has "stored in the code cache"
  # entries are mapped, not read: a truncated one, an empty one and a directory in its
  # place are refused the same way (compiled again), never a crash
  entry=$(ls "$c"/*.cwasm); head -c 200 "$entry" >trunc.tmp && mv trunc.tmp "$entry"
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke fac calc.wasm 10; out_is 3628800
  err_has "stored in the code cache"
  : >"$entry"
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke fac calc.wasm 10; out_is 3628800
  err_has "stored in the code cache"
  rm -f "$entry" && mkdir "$entry"
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke fac calc.wasm 10; out_is 3628800
  rmdir "$entry"
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke fac calc.wasm 10; err_has "stored in the code cache"
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke fac calc.wasm 10; err_has "from the code cache"
  # settings are part of the key
  run 0 run --cache-dir "$c" --tier $t --bounds explicit --tier-stats --invoke fac calc.wasm 10; err_has "stored in the code cache"
  run 0 run --cache-dir "$c" --tier $t --no-cache --tier-stats --invoke fac calc.wasm 10; out_is 3628800
  label="--no-cache: no note"; if grep -q "code cache" err.txt; then bad "$err"; else ok; fi
  run 0 cache info --cache-dir "$c"; out_is "$(printf 'directory: %s\nentries: 2\nbytes: %s' "$c" "$(cat "$c"/*.cwasm | wc -c)")"
  total=$(cat "$c"/*.cwasm | wc -c)
  run 0 cache clean --cache-dir "$c"; out_is "removed 2 entries ($total bytes) from $c"
  run 0 cache info --cache-dir "$c"; out_is "$(printf 'directory: %s\nentries: 0\nbytes: 0' "$c")"
done

# legacy try/catch through the cache: catch clauses keep their exception in hidden locals,
# which a frame is laid out with, so whether the module uses them is recorded in the entry
# (settings bit 2) for a hit, which does not walk the bodies to find out; the optimised
# tier leaves these functions to the interpreter, which translates them from the entry's
# module (with the bit lost, `f` traps "uncaught exception")
cat >legacy.wat <<'EOF2'
(module
  (tag $e (param i32))
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func (export "f") (param i32) (result i32) (local i32)
    (try (result i32)
      (do (call $thrower (local.get 0)) (i32.const 0))
      (catch $e (local.set 1) (try (do (rethrow 1)) (catch $e (drop)))
        (i32.add (local.get 1) (i32.const 100)))))
  (func (export "g") (param i32) (result i32)
    (try (result i32) (do (call $thrower (local.get 0)) (i32.const 0)) (catch_all (i32.const 7)))))
EOF2
wat2wasm --enable-exceptions legacy.wat -o legacy.wasm || { label="wat2wasm legacy.wat"; bad "failed"; }
for t in $tiers; do
  c="$tmp/legacy-$t"
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke f legacy.wasm 5; out_is 105
  err_has "stored in the code cache"
  run 0 inspect --json "$c"/*.cwasm; label="$t: the entry records the legacy exception instructions"
  if grep -qE '"flags": (4|5),' out.txt; then ok; else bad "$(grep flags out.txt)"; fi
  run 0 run --cache-dir "$c" --tier $t --tier-stats --invoke f legacy.wasm 5; out_is 105
  err_has "from the code cache, not compiled"
  run 0 run --cache-dir "$c" --tier $t --invoke g legacy.wasm 5; out_is 7
  run 0 inspect --json calc-$t.cwasm; label="$t: an image of a module without them does not"
  if grep -qE '"flags": (0|1),' out.txt; then ok; else bad "$(grep flags out.txt)"; fi
done

# LRU eviction: three modules of the same size, room for two
for i in 1 2 3; do
  printf '(module (func (export "f") (result i32) (i32.const %d)))' $i >m$i.wat
  wat2wasm m$i.wat -o m$i.wasm
done
c="$tmp/lru"
run 0 run --cache-dir "$c" --tier baseline --invoke f m1.wasm; out_is 1
one=$(stat -c %s "$c"/*.cwasm)
e1=$(ls "$c"/*.cwasm)
budget=$((one * 5 / 2))
run 0 run --cache-dir "$c" --cache-max-bytes $budget --tier baseline --invoke f m2.wasm; out_is 2
e2=$(ls "$c"/*.cwasm | grep -v "$e1")
# a hit records its use in the entry's modification time, to the minute: an entry used
# less than a minute ago is left as it is, an older one is set to now
touch -d '-30 sec' "$e1"
t0=$(stat -c %Y "$e1")
run 0 run --cache-dir "$c" --tier baseline --invoke f m1.wasm; out_is 1
label="a hit less than a minute after the last leaves the entry's time"
if [ "$(stat -c %Y "$e1")" = "$t0" ]; then ok; else bad "mtime $(stat -c %Y "$e1"), was $t0"; fi
# m1 and m2 last used an hour and half an hour ago
touch -d '-1 hour' "$e1"
touch -d '-30 min' "$e2"
run 0 run --cache-dir "$c" --cache-max-bytes $budget --tier baseline --tier-stats --invoke f m1.wasm
err_has "from the code cache"   # m1 is now the most recently used
label="a hit an hour after the last sets the entry's time to now"
if [ $(($(date +%s) - $(stat -c %Y "$e1"))) -lt 60 ]; then ok; else bad "mtime $(stat -c %Y "$e1"), now $(date +%s)"; fi
run 0 run --cache-dir "$c" --cache-max-bytes $budget --tier baseline --tier-stats --invoke f m3.wasm
err_has "stored in the code cache"
run 0 cache info --cache-dir "$c"; out_is "$(printf 'directory: %s\nentries: 2\nbytes: %s' "$c" $((one * 2)))"
run 0 run --cache-dir "$c" --cache-max-bytes $budget --tier baseline --tier-stats --invoke f m1.wasm
err_has "from the code cache"   # kept
run 0 run --cache-dir "$c" --cache-max-bytes $budget --tier baseline --tier-stats --invoke f m2.wasm
err_has "stored in the code cache"   # evicted (least recently used), so compiled again
# an entry holding another module (a file renamed over another key): its module is
# compared with the one run, so it is refused and compiled again, never run
c2="$tmp/swap"
run 0 run --cache-dir "$c2" --tier baseline --invoke f m1.wasm; out_is 1
e1=$(ls "$c2"/*.cwasm)
run 0 run --cache-dir "$c2" --tier baseline --invoke f m2.wasm; out_is 2
for f in "$c2"/*.cwasm; do [ "$f" = "$e1" ] || cp "$e1" "$f"; done
run 0 run --cache-dir "$c2" --tier baseline --tier-stats --invoke f m2.wasm; out_is 2; err_has "stored in the code cache"
run 0 run --cache-dir "$c2" --tier baseline --tier-stats --invoke f m2.wasm; out_is 2; err_has "from the code cache"
run 0 cache evict --cache-dir "$c" --cache-max-bytes $one; out_is "removed 1 entries ($one bytes) from $c"
label="evict to one entry"
if [ "$(ls "$c"/*.cwasm | wc -l)" -eq 1 ]; then ok; else bad "$(ls "$c")"; fi
run 2 cache evict --cache-dir "$c"; err_has "evict needs --cache-max-bytes"
run 2 cache frobnicate; err_has "unknown action 'frobnicate'"

# the baseline compiler on several threads (src/jit/module.c): a module with hundreds of
# functions calling each other (directly and through a table), with memory accesses, big
# enough to be cut into parts; the image is the same byte for byte for 1, 2 and 3
# threads, and the code runs right (against the result Python computes) and traps with
# the interpreter's backtrace.
python3 - <<'PY'
n = 400
M = 0xffffffff
def filler(i):
    out = []
    for r in range(12):
        out.append("local.get $x i32.const %d i32.xor i32.const %d i32.mul local.set $x" % ((i * 131 + r * 7919) & 0x7fffffff, (i * 17 + r * 2 + 1) & 0x7fffffff))
    return "\n    ".join(out)
def callee(i): return i - 1 - (i % 3)
lines = ["(module", "  (type $t (func (param i32) (result i32)))", "  (memory 1)",
         "  (table %d funcref)" % n, "  (elem (i32.const 0) %s)" % " ".join("$f%d" % i for i in range(n))]
for i in range(n):
    a = (i * 4) % 65532
    body = [filler(i),
            "(i32.store (i32.const %d) (local.get $x))" % a,
            "(local.set $y (i32.add (i32.load (i32.const %d)) (i32.const %d)))" % (a, i)]
    if i < 3:
        body.append("(i32.xor (local.get $y) (i32.const %d))" % i)
    elif i % 4 == 0:
        body.append("(i32.xor (call_indirect (type $t) (local.get $y) (i32.const %d)) (i32.const %d))" % (callee(i), i))
    else:
        body.append("(i32.xor (call $f%d (local.get $y)) (i32.const %d))" % (callee(i), i))
    lines.append("  (func $f%d (export \"f%d\") (param $x i32) (result i32) (local $y i32)\n    %s)" % (i, i, "\n    ".join(body)))
for i in range(50):
    lines.append("  (func $t%d%s (param i32) (result i32) %s)" % (
        i, ' (export "t")' if i == 49 else "",
        "unreachable" if i == 0 else "(i32.add (call $t%d (local.get 0)) (i32.const 1))" % (i - 1)))
lines.append(")")
open("many.wat", "w").write("\n".join(lines) + "\n")
def f(i, x):
    for r in range(12):
        x = ((x ^ ((i * 131 + r * 7919) & 0x7fffffff)) * ((i * 17 + r * 2 + 1) & 0x7fffffff)) & M
    y = (x + i) & M
    if i >= 3: y = f(callee(i), y)
    return y ^ i
v = f(n - 1, 7)
open("many.want", "w").write(str(v - (1 << 32) if v >= 1 << 31 else v) + "\n")
PY
wat2wasm many.wat -o many.wasm
for t in 1 2 3; do run 0 compile --tier baseline --compile-threads $t -o many-$t.cwasm many.wasm; done
label="baseline image: the same for 1, 2 and 3 compile threads"
if cmp -s many-1.cwasm many-2.cwasm && cmp -s many-1.cwasm many-3.cwasm; then ok; else bad "the images differ"; fi
"$weld" run --tier interp --invoke f399 many.wasm 7 >want.txt 2>&1
label="interpreter: f399 as Python computes it"
if diff -q want.txt many.want >/dev/null; then ok; else bad "$(cat want.txt) vs $(cat many.want)"; fi
run 0 run --tier baseline --no-cache --compile-threads 3 --tier-stats --invoke f399 many.wasm 7
out_is "$(cat many.want)"
err_has "450 of 450 defined functions compiled to machine code"
err_has "on 3 threads"
# by default a thread per MiB of bodies at most: this module's few KB compile on one
(unset WELD_COMPILE_THREADS; "$weld" run --tier baseline --no-cache --tier-stats --invoke f399 many.wasm 7 >out.txt 2>err.txt)
label="default compile threads for a small module"
err_has "on 1 thread,"
run 0 run --tier baseline --no-cache --bounds explicit --compile-threads 2 --invoke f399 many.wasm 7
out_is "$(cat many.want)"
for t in 1 3; do
  run 0 run --allow-precompiled --invoke f399 many-$t.cwasm 7; out_is "$(cat many.want)"
done
"$weld" run --tier interp --invoke t many.wasm 1 >/dev/null 2>want.txt
run 134 run --tier baseline --no-cache --compile-threads 2 --invoke t many.wasm 1
label="baseline on 2 threads: trap and backtrace as in the interpreter"
if diff -q want.txt err.txt >/dev/null; then ok; else bad "$(diff want.txt err.txt | head -5)"; fi
run 2 compile --tier baseline --compile-threads 9 -o x.cwasm many.wasm
err_has "--compile-threads: '9' is not a count from 0 to 8"

# concurrent processes on one cache: every run right, one entry, no temporary file left
c="$tmp/conc"
pids=()
for i in 1 2 3 4 5 6; do
  "$weld" run --cache-dir "$c" --tier baseline --invoke fac calc.wasm 15 >conc$i.out 2>conc$i.err &
  pids+=($!)
done
for i in 1 2 3 4 5 6; do
  wait "${pids[$((i - 1))]}"
  label="concurrent run $i"
  if [ $? -eq 0 ] && [ "$(cat conc$i.out)" = 1307674368000 ]; then ok; else bad "$(cat conc$i.err)"; fi
done
label="concurrent: one entry, no temporary files"
if [ "$(ls -A "$c" | wc -l)" -eq 1 ]; then ok; else bad "$(ls -A "$c")"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

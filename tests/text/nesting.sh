#!/usr/bin/env bash
# Deeply nested input through every command that reads it: flat `block ... end`, folded
# `(block`, folded `(if (then`, folded `(i32.add` operands, and a binary module of nested
# blocks printed both ways. Each module must validate, print, inspect and run (its one
# export returns a value that depends on every level), also as a `weld wast` script, and
# nesting beyond the documented limit must fail with a one-line `nesting too deep` error
# with a location — never a crash. The sizes are the ones that overflowed the C stack, and
# 1,000,000 levels (what the binary reader handles).
#
# usage: tests/text/nesting.sh WELD   (prints `N passed, M failed` last)
# NESTING_MAX=N runs only the shapes up to N levels (the sanitizer stage: the deepest ones
# take minutes there and run in the release stage).
. "$(dirname "$0")/../lib.sh"
harness_init nesting "${1:?usage: nesting.sh WELD}" awk

# rep N STRING: STRING N times
rep() { awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'; }

# shape NAME N: writes NAME.wat whose export "f" returns an i32 that depends on every level;
# prints the expected result
shape() {
  local name=$1 n=$2
  case $name in
  flat)   # block (result i32) ... i32.const 1 ... end i32.const 1 i32.add ...
    { printf '(module (func (export "f") (result i32)\n'
      rep "$n" 'block (result i32) '
      printf 'i32.const 0\n'
      rep "$n" 'end i32.const 1 i32.add '
      printf '))\n'; } > $name.wat
    echo "$n" ;;
  folded) # (block (result i32) (i32.add (i32.const 1) ... ))
    { printf '(module (func (export "f") (result i32)\n'
      rep "$n" '(block (result i32) (i32.add (i32.const 1) '
      printf '(i32.const 0)'
      rep "$n" '))'
      printf '))\n'; } > $name.wat
    echo "$n" ;;
  if)     # (if (result i32) (i32.const 1) (then ... ) (else (i32.const 0)))
    { printf '(module (func (export "f") (result i32)\n'
      rep "$n" '(if (result i32) (i32.const 1) (then (i32.add (i32.const 1) '
      printf '(i32.const 0)'
      rep "$n" ')) (else (i32.const 0)))'
      printf '))\n'; } > $name.wat
    echo "$n" ;;
  add)    # (i32.add (i32.add ... (i32.const 0) (i32.const 1)) (i32.const 1))
    { printf '(module (func (export "f") (result i32)\n'
      rep "$n" '(i32.add '
      printf '(i32.const 0)'
      rep "$n" ' (i32.const 1))'
      printf '))\n'; } > $name.wat
    echo "$n" ;;
  esac
}

# the octal escapes of the unsigned LEB128 encoding of $1, for printf
leb() {
  local v=$1 out="" b
  while :; do
    b=$((v & 127)); v=$((v >> 7))
    [ $v -ne 0 ] && b=$((b | 128))
    out="$out$(printf '\\%03o' $b)"
    [ $v -eq 0 ] && break
  done
  printf '%s' "$out"
}

# binary N: a module whose export "f" has N nested empty blocks (0x02 0x40 ... 0x0b)
binary() {
  local n=$1 body=$((3 * $1 + 2)) lb sec
  lb=$(leb $body)
  sec=$((1 + ${#lb} / 4 + body)) # one count byte, the body size's LEB, the body
  { printf '\000asm\001\000\000\000'
    printf '\001\004\001\140\000\000'            # type 0: [] -> []
    printf '\003\002\001\000'                    # func 0: type 0
    printf '\007\005\001\001f\000\000'           # export "f" func 0
    printf '\012'; printf "$(leb $sec)"; printf '\001'; printf "$lb"; printf '\000'
    rep "$n" "$(printf '\002\100')"
    rep "$n" "$(printf '\013')"
    printf '\013'; } > deep.wasm
}

# check LABEL EXPECTED-STATUS CMD...: the command exits with the status and does not crash
check() {
  label=$1
  local want=$2
  shift 2
  "$@" > out.txt 2> err.txt
  local st=$?
  if [ $st -ne "$want" ]; then
    bad "exit $st, expected $want: $(head -c 300 err.txt)"
    return 1
  fi
  ok
}

# A folded block of this shape opens two levels (the block and the i32.add), and the
# innermost (i32.const 0) one more: the last three are exactly 1,000,000 levels deep.
for spec in "flat 200000" "folded 50000" "if 50000" "add 100000" "flat 1000000" "folded 499999" "add 999999"; do
  set -- $spec
  name=$1 n=$2
  [ "$n" -gt "${NESTING_MAX:-1000000}" ] && continue
  want=$(shape "$name" "$n")
  check "$name $n: validate" 0 "$weld" validate $name.wat
  if [ "$n" -ge 999999 ]; then # the deepest: read, validated, compiled and run once
    check "$name $n: run" 0 "$weld" run --invoke f $name.wat &&
      { label="$name $n: run result"; [ "$(cat out.txt)" = "$want" ] && ok || bad "got $(head -c 100 out.txt)"; }
    continue
  fi
  # (what print wrote is read back below)
  if check "$name $n: print" 0 "$weld" print $name.wat; then mv out.txt printed.wat; else : > printed.wat; fi
  check "$name $n: print --folded" 0 "$weld" print --folded $name.wat
  check "$name $n: inspect" 0 "$weld" inspect $name.wat
  if check "$name $n: run" 0 "$weld" run --invoke f $name.wat; then
    label="$name $n: run result"
    [ "$(cat out.txt)" = "$want" ] && ok || bad "got $(head -c 100 out.txt), expected $want"
  fi
  { cat $name.wat; printf '(assert_return (invoke "f") (i32.const %s))\n' "$want"; } > $name.wast
  check "$name $n: wast" 0 "$weld" wast $name.wast
  # what print wrote reads back to the same module
  check "$name $n: printed text reads back" 0 "$weld" run --invoke f printed.wat &&
    { label="$name $n: printed result"; [ "$(cat out.txt)" = "$want" ] && ok || bad "got $(head -c 100 out.txt)"; }
done

for n in 200000 1000000; do
  [ "$n" -gt "${NESTING_MAX:-1000000}" ] && continue
  binary $n
  check "binary $n: validate" 0 "$weld" validate deep.wasm
  check "binary $n: run" 0 "$weld" run --invoke f deep.wasm
  check "binary $n: print --folded" 0 "$weld" print --folded deep.wasm && cp out.txt deep-folded.wat
  [ $n -lt 1000000 ] && check "binary $n: print --flat" 0 "$weld" print --flat deep.wasm
  check "binary $n: folded print reads back" 0 "$weld" validate deep-folded.wat
done

# Beyond the limit: a one-line error naming file:line:col, exit 1 (weld wast: 2, a script
# it cannot read).
for spec in "flat 1000001" "folded 500000" "add 1000000"; do
  set -- $spec
  name=$1 limit=$2
  shape $name $limit > /dev/null
  if check "$name $limit: too deep" 1 "$weld" validate $name.wat; then
    label="$name $limit: message"
    if [ "$(wc -l < err.txt)" -eq 1 ] && grep -q "^weld: $name.wat:[0-9]*:[0-9]*: nesting too deep" err.txt; then ok
    else bad "$(head -c 300 err.txt)"; fi
  fi
done

# wast scripts: nested (thread and (either are bounded the same way
{ printf '(module (func (export "f") (result i32) (i32.const 1)))\n'
  rep 200000 '(thread $t '; rep 200000 ')'; printf '\n'; } > threads.wast
if check "nested threads: too deep" 2 "$weld" wast threads.wast; then
  label="nested threads: message"
  grep -q "nesting too deep" err.txt && ok || bad "$(head -c 300 err.txt)"
fi
{ printf '(module (func (export "f") (result i32) (i32.const 1)))\n(assert_return (invoke "f") '
  rep 200000 '(either '; printf '(i32.const 1)'; rep 200000 ')'; printf ')\n'; } > either.wast
if check "nested either: too deep" 2 "$weld" wast either.wast; then
  label="nested either: message"
  grep -q "nesting too deep" err.txt && ok || bad "$(head -c 300 err.txt)"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

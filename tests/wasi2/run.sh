#!/usr/bin/env bash
# WASI 0.2 (src/wasi2), on real programs: tests/wasi2/w2prog.c, compiled by clang for
# wasm32-wasi (wasi-libc), made into a command component with the preview1 adapter jco
# ships (`jco new --wasi-command`), is run three ways and the results compared:
#   - the component under weld (`weld run comp.wasm MODE ...`: src/wasi2),
#   - the same component transpiled by jco and run by Node.js with the preview2 shim
#     (the independent reference, tests/wasi2/node_run.mjs),
#   - the core module under weld as preview1 (src/wasi, whose decisions src/wasi2 reuses).
# Modes: arguments, environment, exit status, stdin, files in a granted directory, clocks,
# randomness. Then what only weld enforces, against weld's preview1 run of the same
# program with the same flags: denials inside a read-only grant, `..` and a symlink out
# of the grant, the environment and clocks not granted, the denial log and summary; then
# src/guard's limits (fuel, memory, a deadline that wakes a blocking read) and the
# refusals (--tcplisten, --report, an interface or function not implemented); isatty() of
# the streams (get-terminal-*) against native on /dev/null, a pipe and a terminal. Then a Rust
# program (tests/wasi2/rsprog.rs: std's arguments, environment, stdin, stdout, stderr, a
# file read and one written in a granted directory, a non-zero exit) built by Debian's
# rustc for wasm32-wasi and made a component the same way, under `weld run --policy`
# (the directory, the variables and stdin granted) and under Node.js: both must agree,
# and match what this script computes. wasi:sockets has its own script,
# tests/wasi2/sockets.sh.
#
#   tests/wasi2/run.sh [WELD]
#
# Needs node, npm (and the network the first time: jco is installed as
# tests/component/jco.sh does), clang with wasm32-wasi, python3. Ends with `N passed, M
# failed`, and `, 1 skipped` when /usr/bin/rustc or its wasm32-wasi std is missing.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
# shellcheck source=../component/jco_env.sh
. "$root/tests/component/jco_env.sh"
harness_init wasi2 "${1:-$root/build/weld}" node npm clang python3
label="install jco $JCO_VERSION"
if ! jco_install "$root/build/component-jco"; then
  bad "npm install failed"
  echo "$passed passed, $failed failed"
  exit 1
fi
jco="$jco_dir/node_modules/.bin/jco"

# The core module, the component and jco's JavaScript depend only on the inputs: kept
# between runs (the release and the sanitizer stage share them) under a stamp of those.
cache="$jco_dir/wasi2-cache"
# The Rust program (tests/wasi2/rsprog.rs) needs Debian's rustc and its wasm32-wasi standard
# library (libstd-rust-dev-wasm32); without them its checks are skipped, and counted so.
rustc=/usr/bin/rustc
rust=no rust_why="$rustc or its wasm32-wasi standard library (libstd-rust-dev-wasm32) is absent"
if [ -x "$rustc" ] && [ -d "$("$rustc" --print sysroot 2>/dev/null)/lib/rustlib/wasm32-wasi/lib" ]; then
  rust=yes
fi
skipped=0
stamp="$(cat "$root/tests/wasi2/w2prog.c" "$root/tests/wasi2/rsprog.rs" "$root/tests/wasi2/node_run.mjs" "$root/tests/wasi2/run.sh" | sha256sum | cut -c1-16)-$JCO_VERSION-$(node --version)-$(clang --version | head -1 | tr -c 'a-zA-Z0-9.\n' _)-rust_$rust$([ $rust = yes ] && "$rustc" --version | tr -c 'a-zA-Z0-9.\n' _)"
if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ]; then
  cp -r "$cache/gen" gen
  echo "the program, its component, jco's JavaScript and Node.js's results from $cache"
else
  mkdir gen
  label="clang wasm32-wasi w2prog.c"
  if clang --target=wasm32-wasi -O1 -Wall -Werror -o gen/w2.wasm "$root/tests/wasi2/w2prog.c" 2>err.txt; then ok; else bad "$(head -5 err.txt)"; fi
  label="jco new --wasi-command"
  if "$jco" new gen/w2.wasm --wasi-command -o gen/w2.comp.wasm >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
  label="jco transpile"
  if "$jco" transpile gen/w2.comp.wasm -o gen/w2 --name w2 --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
  if [ $rust = yes ]; then
    label="rustc wasm32-wasi rsprog.rs"
    if "$rustc" -O --edition 2021 -C strip=debuginfo --target wasm32-wasi -o gen/rs.wasm "$root/tests/wasi2/rsprog.rs" 2>err.txt; then ok; else bad "$(head -5 err.txt)"; fi
    label="jco new --wasi-command (Rust)"
    if "$jco" new gen/rs.wasm --wasi-command -o gen/rs.comp.wasm >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
    label="jco transpile (Rust)"
    if "$jco" transpile gen/rs.comp.wasm -o gen/rs --name rs --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
  fi
  cp "$root/tests/wasi2/node_run.mjs" gen/
  # components importing an interface weld does not implement, and a function it lacks
  printf '(component\n  (import "wasi:keyvalue/store@0.2.0" (instance (export "f" (func))))\n)\n' >gen/noiface.wat
  printf '(component\n  (import "wasi:cli/environment@0.2.0" (instance (export "no-such-function" (func))))\n)\n' >gen/nofunc.wat
  # a WASI name imported with another type: its host function must not run
  cat >gen/badtype.wat <<'WAT'
(component
  (import "wasi:cli/environment@0.2.0" (instance $e (export "get-arguments" (func (result u32)))))
  (alias export $e "get-arguments" (func $g))
  (core func $g' (canon lower (func $g)))
  (core module $M (import "" "g" (func $g (result i32))) (func (export "f") (result i32) (call $g)))
  (core instance $m (instantiate $M (with "" (instance (export "g" (func $g'))))))
  (func (export "f") (result u32) (canon lift (core func $m "f")))
)
WAT
  # a wasi:cli/run export whose run has another type
  cat >gen/badrun.wat <<'WAT'
(component
  (core module $m (func (export "run")))
  (core instance $i (instantiate $m))
  (func $run (canon lift (core func $i "run")))
  (instance (export "wasi:cli/run@0.2.0") (export "run" (func $run)))
)
WAT
  for f in noiface nofunc badtype badrun; do
    label="jco parse $f.wat"
    if "$jco" parse gen/$f.wat -o gen/$f.wasm >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
  done
  if [ "$failed" -eq 0 ]; then
    rm -rf "$cache" && mkdir -p "$cache" && cp -r gen "$cache/gen" && echo "$stamp" >"$cache/stamp"
  fi
fi
if [ "$failed" -ne 0 ]; then
  echo "$passed passed, $failed failed"
  exit 1
fi
# the shim the transpiled JavaScript and node_run.mjs import (one module instance for both)
ln -sfn "$jco_dir/node_modules" gen/node_modules
core=gen/w2.wasm comp=gen/w2.comp.wasm
node_ran=0

# fresh_data: the directory the file modes work in, as each run starts
fresh_data() {
  rm -rf data secret.txt
  mkdir data
  printf 'alpha\n' >data/a.txt
  printf 'the secret\n' >secret.txt
  ln -s ../secret.txt data/escape
  ln -s a.txt data/inner
}

# three NAME STDIN -- WELD-FLAGS -- NODE-FLAGS -- ARGS: runs the three ways (each after
# fresh_data, stdin from STDIN) into NAME.{p2,node,p1}.{out,err,rc}
three() {
  local name=$1 input=$2
  shift 3
  local wflags=() nflags=()
  while [ "$1" != -- ]; do wflags+=("$1"); shift; done
  shift
  while [ "$1" != -- ]; do nflags+=("$1"); shift; done
  shift
  fresh_data
  "$weld" run "${wflags[@]}" $comp "$@" <"$input" >"$name.p2.out" 2>"$name.p2.err"
  echo $? >"$name.p2.rc"
  # Node.js's results depend only on the inputs: kept with the cache (gen/node)
  if [ ! -f "gen/node/$name.rc" ]; then
    fresh_data
    mkdir -p gen/node
    node gen/node_run.mjs gen/w2/w2.js "${nflags[@]}" -- w2 "$@" <"$input" >"gen/node/$name.out" 2>"gen/node/$name.err"
    echo $? >"gen/node/$name.rc"
    node_ran=1
  fi
  cp "gen/node/$name.out" "$name.node.out"
  cp "gen/node/$name.err" "$name.node.err"
  cp "gen/node/$name.rc" "$name.node.rc"
  fresh_data
  "$weld" run "${wflags[@]}" $core "$@" <"$input" >"$name.p1.out" 2>"$name.p1.err"
  echo $? >"$name.p1.rc"
}

# agree NAME: weld's component run matches Node.js's (output and status) and the preview1
# run (output; the status only as zero or not: the adapter's exit has no other codes)
agree() {
  local name=$1
  label="$name: weld (WASI 0.2) = Node.js (jco + preview2 shim)"
  if cmp -s "$name.p2.out" "$name.node.out" && [ "$(cat "$name.p2.rc")" = "$(cat "$name.node.rc")" ]; then
    ok
  else
    bad "status $(cat "$name.p2.rc") vs $(cat "$name.node.rc"); $(diff "$name.p2.out" "$name.node.out" | head -5 | tr '\n' ' ') $(head -3 "$name.p2.err" "$name.node.err" | tr '\n' ' ')"
  fi
  label="$name: weld (WASI 0.2) = weld (preview1)"
  local z2=no z1=no
  [ "$(cat "$name.p2.rc")" = 0 ] && z2=yes
  [ "$(cat "$name.p1.rc")" = 0 ] && z1=yes
  if cmp -s "$name.p2.out" "$name.p1.out" && [ $z2 = $z1 ]; then
    ok
  else
    bad "status $(cat "$name.p2.rc") vs $(cat "$name.p1.rc"); $(diff "$name.p2.out" "$name.p1.out" | head -5 | tr '\n' ' ')"
  fi
}

# expect NAME WHAT PATTERN FILE: a line of FILE matches PATTERN (grep -E)
expect() {
  label="$1: $2"
  if grep -qE -- "$3" "$4"; then ok; else bad "no line matching '$3' in $4: $(head -5 "$4" | tr '\n' ' ')"; fi
}

: >empty.txt
seq 1 60000 >lines.txt

three args empty.txt -- -- -- args one "two words" "" "ü"
agree args
expect args "the arguments arrive" '^argv\[2\] = "one"$' args.p2.out

three env empty.txt -- --env W2_A=1 --env W2_B=two -- --env W2_A=1 --env W2_B=two -- env
agree env
expect env "granted variables arrive" '^W2_\* variables: 2$' env.p2.out

three exit empty.txt -- -- -- exit 7
agree exit
expect exit "a non-zero exit is a failure" '^1$' exit.p2.rc
expect exit "preview1 keeps the code" '^7$' exit.p1.rc

three cat lines.txt -- -- -- cat
agree cat
label="cat: stdin copied whole"
if cmp -s cat.p2.out lines.txt; then ok; else bad "$(wc -c <cat.p2.out) bytes out of $(wc -c <lines.txt)"; fi

three files empty.txt -- --dir data -- --dir data=data -- files
agree files
expect files "a large file written and read back" '^read data/b.txt: 220000 bytes' files.p2.out
expect files "listing" '^list data: a.txt escape inner sub/$' files.p2.out

three clocks empty.txt -- -- -- clocks
agree clocks
expect clocks "monotonic sleep" 'advanced at least 30 ms: yes' clocks.p2.out

three random empty.txt -- -- -- random
agree random
expect random "entropy" '^getentropy: two different non-zero draws$' random.p2.out

# ---- what weld enforces: preview1's decisions, the same through WASI 0.2 ------------------------

cat >ro.toml <<'TOML'
[stdio]
stdout = true
stderr = true
[[fs.dir]]
host = "data"
guest = "data"
ops = ["read", "list"]
TOML
for abi in p2 p1; do
  prog=$comp
  [ $abi = p1 ] && prog=$core
  fresh_data
  "$weld" run --policy ro.toml --log-denials $prog deny >deny.$abi.out 2>deny.$abi.err
  echo $? >deny.$abi.rc
done
label="deny: the same answers through WASI 0.2 as through preview1"
if cmp -s deny.p2.out deny.p1.out; then ok; else bad "$(diff deny.p2.out deny.p1.out | head -6 | tr '\n' ' ')"; fi
label="deny: the same denial log"
if cmp -s deny.p2.err deny.p1.err; then ok; else bad "$(diff deny.p2.err deny.p1.err | head -6 | tr '\n' ' ')"; fi
expect deny "granted reads work" '^read data/a.txt: 6 bytes' deny.p2.out
expect deny "a symlink inside the grant is followed" '^read data/inner: 6 bytes' deny.p2.out
expect deny '".." out of the grant is refused' '^read data/\.\./secret\.txt: denied$' deny.p2.out
expect deny "a symlink out of the grant is refused" '^read data/escape: denied$' deny.p2.out
expect deny "creating in a read-only grant is refused" '^create data/new\.txt: denied$' deny.p2.out
expect deny "appending is refused" '^append data/a\.txt: denied$' deny.p2.out
expect deny "unlink is refused" '^unlink data/a\.txt: denied$' deny.p2.out
expect deny "mkdir is refused" '^mkdir data/d: denied$' deny.p2.out
expect deny "the denial is logged" '^weld: wasi: denied path_open "data/escape": leaves its preopened directory$' deny.p2.err
label="deny: nothing created, nothing read outside"
if [ ! -e data/new.txt ] && [ ! -e data/d ] && [ -e data/a.txt ] && ! grep -q 'the secret' deny.p2.out; then ok; else bad "$(ls data)"; fi
label="deny: the program still succeeds"
if [ "$(cat deny.p2.rc)" = 0 ]; then ok; else bad "status $(cat deny.p2.rc): $(head -3 deny.p2.err)"; fi

# descriptors the guest drops are closed: 50 opens one after another under a limit of 2
cat >few.toml <<'TOML'
[stdio]
stdout = true
stderr = true
[fs]
max_open_files = 2
[[fs.dir]]
host = "data"
guest = "data"
ops = ["read", "list"]
TOML
fresh_data
"$weld" run --policy few.toml $comp reopen >reopen.p2.out 2>&1
"$weld" run --policy few.toml $core reopen >reopen.p1.out 2>&1
label="reopen: dropped descriptors are closed (max_open_files = 2)"
if grep -q '^50 opens and reads$' reopen.p2.out && cmp -s reopen.p2.out reopen.p1.out; then ok; else bad "$(head -3 reopen.p2.out | tr '\n' ' ')"; fi

# without --log-denials: one summary line at exit
fresh_data
"$weld" run --policy ro.toml $comp deny >/dev/null 2>summary.err
expect summary "the denial summary" '^weld: 6 WASI calls denied by the policy \(first: path_open "\.\./secret\.txt": leaves its directory\); rerun with --log-denials$' summary.err

# the environment: only what is granted, whatever the host has
W2_A=from-host W2_B=x "$weld" run $comp env >env-host.p2.out 2>&1
W2_A=from-host W2_B=x "$weld" run $core env >env-host.p1.out 2>&1
label="env: host variables are not passed without --env"
if grep -q '^W2_A=(unset)$' env-host.p2.out && cmp -s env-host.p2.out env-host.p1.out; then ok; else bad "$(cat env-host.p2.out)"; fi
W2_A=from-host "$weld" run --env W2_A $comp env >env-pass.out 2>&1
expect env "--env NAME passes the host's value" '^W2_A=from-host$' env-pass.out

# clocks not granted: wall-clock.now has no error to return, so the call traps, logged
cat >noclock.toml <<'TOML'
[stdio]
stdout = true
stderr = true
TOML
"$weld" run --policy noclock.toml --log-denials $comp clocks >noclock.out 2>noclock.err
rc=$?
label="clocks denied: the run stops with the reason"
if [ $rc -ne 0 ] && grep -q 'clocks not granted' noclock.err && grep -q '^weld: wasi: denied clock_time_get: clocks not granted$' noclock.err; then
  ok
else
  bad "status $rc: $(head -3 noclock.err | tr '\n' ' ')"
fi

# ---- terminals: get-terminal-stdin/stdout/stderr (what the preview1 adapter's isatty reads)
# against the same isatty() calls natively (tests/wasi/progs/tty.c), the streams on
# /dev/null, a pipe and a terminal (script(1))
. "$root/tests/wasi/tty_streams.sh"
if gcc -O2 -w -o tty.native "$root/tests/wasi/progs/tty.c" 2>err.txt; then
  for how in devnull pipe terminal; do
    for who in native weld; do
      cmd=(./tty.native)
      [ $who = weld ] && cmd=("$weld" run $comp tty)
      tty_streams $how "tty.$how.$who" "${cmd[@]}"
    done
    label="isatty, streams on $how (weld = native)"
    if [ -s "tty.$how.native" ] && cmp -s "tty.$how.native" "tty.$how.weld"; then ok; else
      bad "native: $(cat "tty.$how.native"); weld: $(cat "tty.$how.weld")"
    fi
  done
else
  label="gcc tty.c"
  bad "$(head -3 err.txt)"
fi

# ---- refusals -------------------------------------------------------------------------------------

# src/guard's limits hold the component's store as they hold a module's
"$weld" run --fuel 10 $comp args >fuel.out 2>&1
rc=$?
label="--fuel: the component runs out"
if [ $rc -eq 134 ] && grep -q 'trap: out of fuel' fuel.out; then ok; else bad "status $rc: $(cat fuel.out)"; fi
"$weld" run --fuel 100000000 $comp args z >fuel-ok.out 2>&1
rc=$?
label="--fuel: enough fuel"
if [ $rc -eq 0 ] && grep -q '^argv\[2\] = "z"$' fuel-ok.out; then ok; else bad "status $rc: $(cat fuel-ok.out)"; fi
"$weld" run --max-memory 64KiB $comp args >mem.out 2>&1
rc=$?
label="--max-memory: the adapter's memory does not fit"
if [ $rc -eq 1 ] && grep -q 'exceeds the memory limit (65536 bytes)' mem.out; then ok; else bad "status $rc: $(cat mem.out)"; fi
# a read of stdin that never gets data: the deadline wakes the wait
sleep 3 | "$weld" run --timeout 300ms $comp cat >timeout.out 2>&1
rc=$?
label="--timeout wakes a blocking stdin read"
if [ $rc -eq 134 ] && grep -q 'trap: deadline exceeded' timeout.out; then ok; else bad "status $rc: $(cat timeout.out)"; fi
"$weld" run --preset readonly-fs $comp args y >preset.out 2>&1
rc=$?
label="--preset readonly-fs (with limits) runs the command"
if [ $rc -eq 0 ] && grep -q '^argv\[2\] = "y"$' preset.out; then ok; else bad "status $rc: $(cat preset.out)"; fi
"$weld" run --preset cli $comp args x >preset-cli.out 2>&1
rc=$?
label="--preset cli runs the command"
if [ $rc -eq 0 ] && grep -q '^argv\[2\] = "x"$' preset-cli.out; then ok; else bad "status $rc: $(cat preset-cli.out)"; fi
"$weld" run --tcplisten 127.0.0.1:0 $comp args >listen.out 2>&1
rc=$?
label="--tcplisten is refused for components"
if [ $rc -eq 2 ] && grep -q 'not supported on components yet' listen.out; then ok; else bad "status $rc: $(cat listen.out)"; fi
"$weld" run --report r.json $comp args >report.out 2>&1
rc=$?
label="--report is refused for components"
if [ $rc -eq 2 ] && grep -q 'not supported on components yet: --report' report.out; then ok; else bad "status $rc: $(cat report.out)"; fi

# an interface weld does not implement, and a function of one it does not have
"$weld" run --invoke 'x()' gen/noiface.wasm >noiface.out 2>&1
expect unsupported "an interface not implemented" 'not supported: the WASI 0.2 interface `wasi:keyvalue/store@0\.2\.0`' noiface.out
"$weld" run --invoke 'x()' gen/nofunc.wasm >nofunc.out 2>&1
expect unsupported "a function not implemented" 'not supported: wasi:cli/environment@0\.2\.0#no-such-function' nofunc.out

# ---- a Rust program through jco new: weld against Node.js, both against the script ----------------

# rs_run NAME STDIN ARGS...: tests/wasi2/rsprog.rs's component under weld (the policy rs.toml:
# the directory `data`, two variables, stdin) and under Node.js (the same grants as flags),
# each after fresh_data, into NAME.rs.{weld,node}.{out,err,rc,tree}
rs_run() {
  local name=$1 input=$2
  shift 2
  fresh_data
  printf 'one\ntwo wörds\n\nlast ü' >data/in.txt
  "$weld" run --policy rs.toml gen/rs.comp.wasm "$@" <"$input" >"$name.rs.weld.out" 2>"$name.rs.weld.err"
  echo $? >"$name.rs.weld.rc"
  cat data/out.txt >"$name.rs.weld.tree" 2>/dev/null
  if [ ! -f "gen/node/rs-$name.rc" ]; then
    fresh_data
    printf 'one\ntwo wörds\n\nlast ü' >data/in.txt
    mkdir -p gen/node
    node gen/node_run.mjs gen/rs/rs.js --dir data=data --env RS_A=1 --env "RS_B=two words" -- rs "$@" \
      <"$input" >"gen/node/rs-$name.out" 2>"gen/node/rs-$name.err"
    echo $? >"gen/node/rs-$name.rc"
    cat data/out.txt >"gen/node/rs-$name.tree" 2>/dev/null
    node_ran=1
  fi
  for f in out err rc tree; do cp "gen/node/rs-$name.$f" "$name.rs.node.$f"; done
}

# rs_check NAME: weld and Node.js agree (stdout, stderr, status, data/out.txt), and weld's
# stdout, stderr and status are what the script computed (NAME.want.{out,err,rc})
rs_check() {
  local name=$1 f why=""
  label="rust $name: weld = Node.js (jco + preview2 shim)"
  for f in out err rc tree; do
    cmp -s "$name.rs.weld.$f" "$name.rs.node.$f" || why+="$f: $(diff "$name.rs.weld.$f" "$name.rs.node.$f" | head -4 | tr '\n' ' ') "
  done
  if [ -z "$why" ]; then ok; else bad "$why"; fi
  label="rust $name: the output the script expects"
  why=""
  for f in out err rc; do
    cmp -s "$name.rs.weld.$f" "$name.want.$f" || why+="$f: $(diff "$name.rs.weld.$f" "$name.want.$f" | head -4 | tr '\n' ' ') "
  done
  if [ -z "$why" ]; then ok; else bad "$why"; fi
}

if [ $rust = yes ]; then
  cat >rs.toml <<'TOML'
[stdio]
stdin = true
[env]
set = { RS_A = "1", RS_B = "two words" }
[[fs.dir]]
host = "data"
guest = "data"
ops = ["read", "write", "create", "list"]
TOML
  seq 1 5000 >small.txt
  # what the program must print, computed here: data/out.txt numbers and upper-cases the
  # lines of data/in.txt and counts them
  python3 - <<'PY'
import os
text = "one\ntwo wörds\n\nlast ü"
lines = text.split("\n")
out = "".join("%03d %s\n" % (i + 1, l.upper()) for i, l in enumerate(lines))
out += "%d bytes, %d lines\n" % (len(text.encode()), len(lines))
n = len(out.encode())
open("files.want.tree", "w").write(out)
open("files.want.out", "w").write(
    "data/out.txt: %d bytes written and read back, same: true\n" % n
    + "metadata data/out.txt: len %d, file true\n" % n
    + "data: a.txt escape in.txt inner out.txt\n"
    + "data/no-such-file: NotFound\n")
open("files.want.err", "w").write("files: done\n")
args = ["a b", "", "ü", "--flag=x"]
open("args.want.out", "w").write("%d arguments\n" % len(args) + "".join(
    "arg %d: [%s] %d chars\n" % (i + 1, a, len(a)) for i, a in enumerate(args)))
data = open("small.txt", "rb").read()
s = 0
for b in data:
    s = (s * 31 + b) % 2**32
open("stdin.want.out", "w").write("%d bytes, %d lines, checksum %d\n" % (len(data), data.count(b"\n"), s))
open("env.want.out", "w").write("RS_A=1\nRS_B=two words\nHOME set: false\n")
open("fail.want.out", "w").write("failing with 3\n")
open("fail.want.err", "w").write("error: asked to fail\n")
for name, rc in (("files", 0), ("args", 0), ("stdin", 0), ("env", 0), ("fail", 1)):
    open(name + ".want.rc", "w").write("%d\n" % rc)
    if not os.path.exists(name + ".want.err"):
        open(name + ".want.err", "w").write("")
PY
  rs_run files empty.txt files data/in.txt data/out.txt
  rs_check files
  label="rust files: data/out.txt as the script computed it (weld)"
  if cmp -s files.rs.weld.tree files.want.tree; then ok; else bad "$(diff files.rs.weld.tree files.want.tree | head -6 | tr '\n' ' ')"; fi
  rs_run args empty.txt args "a b" "" "ü" "--flag=x"
  rs_check args
  rs_run stdin small.txt stdin
  rs_check stdin
  HOME=/root rs_run env empty.txt env
  rs_check env
  # exit(3): the adapter's exit is err, a failure (status 1) under both
  rs_run fail empty.txt fail 3
  rs_check fail
else
  echo "rust: skipped: $rust_why"
  skipped=$((skipped + 1))
fi

if [ "$node_ran" = 1 ] && [ "$failed" -eq 0 ] && [ -f "$cache/stamp" ]; then
  rm -rf "$cache/gen/node" && cp -r gen/node "$cache/gen/node"
fi
"$weld" run --invoke 'f()' gen/badtype.wasm >badtype.out 2>&1
rc=$?
label="unsupported: a WASI function imported with another type traps before it runs"
if [ $rc -eq 134 ] && grep -q 'not supported: get-arguments imported with another type than WASI 0.2' badtype.out; then ok; else bad "status $rc: $(cat badtype.out)"; fi

"$weld" run gen/badrun.wasm >badrun.out 2>&1
rc=$?
label="a command whose run is not func() -> result is refused"
if [ $rc -eq 1 ] && grep -q 'is not `func() -> result`' badrun.out; then ok; else bad "status $rc: $(cat badrun.out)"; fi

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]

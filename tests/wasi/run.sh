#!/usr/bin/env bash
# The WASI test corpus: C programs compiled with clang --target=wasm32-wasi (Debian's
# wasi-libc), run under weld and under Node.js's WASI on fresh copies of one tree;
# stdout, exit code and the resulting tree must match. Then the escape tests (weld only:
# Node's WASI is not a sandbox), with openat2 and with the fallback walk, a thread
# swapping a symlink meanwhile, and a check that the host outside the tree is untouched;
# then the policy tests (every grant kind and limit). Last line: `N passed, M failed`.
#
# usage: tests/wasi/run.sh [WELD]   (default build/weld; WASI_OUT=dir for the work files)
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
weld="$(realpath "${1:-$root/build/weld}")"
here="$root/tests/wasi"
out="${WASI_OUT:-$(dirname "$weld")/wasi-tests}"
mkdir -p "$out"
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "$2" | head -n 30 | sed 's/^/     /'; }

if ! command -v clang >/dev/null || ! dpkg-query -W -f='${Status}' wasi-libc 2>/dev/null | grep -q 'ok installed'; then
  echo "wasi-libc or clang missing (tests/deps.sh installs them)"
  echo "0 passed, 1 failed"
  exit 1
fi

# ---- build the corpus -------------------------------------------------------------------
for src in "$here"/progs/*.c; do
  name="$(basename "$src" .c)"
  wasm="$out/$name.wasm"
  if [ ! -f "$wasm" ] || [ "$src" -nt "$wasm" ]; then
    if ! clang --target=wasm32-wasi -O2 -Wall -Wno-unused-result -o "$wasm" "$src" 2>"$out/$name.cc.log"; then
      fail "compile $name" "$(cat "$out/$name.cc.log")"
    fi
  fi
done

# A fresh tree: DIR/sandbox is what the module sees, DIR/secret lies outside it.
fixture() {
  local d=$1
  rm -rf "$d"
  mkdir -p "$d/sandbox/sub"
  printf 'fixture data\n' >"$d/sandbox/sub/data.txt"
  printf 'SECRET\n' >"$d/secret"
  for i in 1 2 3; do printf 'file %s\n' $i >"$d/sandbox/sub/f$i.txt"; done
}
escape_links() {
  local s=$1/sandbox
  ln -s ../secret "$s/out_link"
  ln -s /etc/passwd "$s/abs_link"
  ln -s .. "$s/up_link"
  ln -s c2 "$s/chain_out"
  ln -s sub/../../secret "$s/c2"
  ln -s /proc/self/root "$s/proc_link"
  ln -s ../created_outside "$s/dangling_out"
  ln -s sub/data.txt "$s/in_link"
  ln -s c3 "$s/chain_in"
  ln -s sub/../in_link "$s/c3"
  ln -s sub/data.txt "$s/race"
}
# Everything about a tree a module could have changed, except access times.
snapshot() {
  (cd "$1" && find . -mindepth 1 -printf '%y %p %s %l\n' | sort &&
    find . -type f -print0 | sort -z | xargs -0 -r md5sum)
}

# ---- differential: weld vs Node.js --------------------------------------------------------
env_flags=(--env GREETING=hello --env EMPTY=)
diff_one() {
  local name=$1
  shift
  local wasm="$out/$name.wasm" w="$out/run-$name-weld" n="$out/run-$name-node"
  [ -f "$wasm" ] || { fail "$name (not built)"; return; }
  fixture "$w"
  fixture "$n"
  (cd "$w" && "$weld" run --dir sandbox "${env_flags[@]}" "$wasm" "$@" >"$w.out" 2>"$w.err")
  local rw=$?
  (cd "$n" && node "$here/node_run.mjs" "$wasm" "$n/sandbox" sandbox "${env_flags[@]}" -- "$@" >"$n.out" 2>"$n.err")
  local rn=$?
  local why=""
  [ $rw -eq $rn ] || why+="exit code weld $rw, node $rn; "
  # lines where Node's WASI departs from the spec (README.md) are left out of the comparison
  local skip="^($(sed -n "s/^$name: //p" "$here/node_known.txt" | paste -sd'|' -))"
  [ "$skip" = "^()" ] && skip='^$^'
  cmp -s <(grep -Ev "$skip" "$w.out") <(grep -Ev "$skip" "$n.out") ||
    why+="stdout differs: $(diff <(grep -Ev "$skip" "$w.out") <(grep -Ev "$skip" "$n.out") | head -n 20); "
  [ "$(snapshot "$w")" = "$(snapshot "$n")" ] || why+="trees differ: $(diff <(snapshot "$w") <(snapshot "$n") | head -n 20); "
  grep -q 'FAIL' "$w.out" && why+="weld: $(grep FAIL "$w.out" | head -n 5); "
  if [ -z "$why" ]; then pass "$name (weld = node)"; else fail "$name" "$why$(cat "$w.err")"; fi
}
diff_one stdio_env a "b c" ''
diff_one files
diff_one dirs
diff_one clocks
diff_one raw

# ---- escapes ------------------------------------------------------------------------------
escape_run() {
  local mode=$1
  local d="$out/run-escape-$mode"
  fixture "$d"
  escape_links "$d"
  local before
  before="$(cd "$d" && ls -la --time-style=+ . | grep -v ' sandbox$'; md5sum secret)"
  # swap sandbox/race between a file inside and one outside while the module opens it
  ( s="$d/sandbox"; while [ -e "$d/swapping" ]; do
      ln -sfn ../secret "$s/race.tmp" && mv -Tf "$s/race.tmp" "$s/race"
      ln -sfn sub/data.txt "$s/race.tmp" && mv -Tf "$s/race.tmp" "$s/race"
    done ) &
  local swapper=$!
  touch "$d/swapping"
  local env=()
  [ "$mode" = walk ] && env=(WELD_WASI_NO_OPENAT2=1)
  (cd "$d" && env "${env[@]}" "$weld" run --dir sandbox "$out/escape.wasm" >"$d.out" 2>"$d.err")
  local rc=$?
  rm -f "$d/swapping"
  wait $swapper 2>/dev/null
  local after
  after="$(cd "$d" && ls -la --time-style=+ . | grep -v ' sandbox$'; md5sum secret)"
  local want="$here/escape.expected"
  if [ $rc -eq 0 ] && cmp -s "$d.out" "$want"; then pass "escapes ($mode)"; else
    fail "escapes ($mode)" "exit $rc; $(diff "$d.out" "$want")"; fi
  if [ "$before" = "$after" ] && [ ! -e "$d/created_outside" ] && [ ! -e "$d/made" ] && [ ! -e "$d/moved" ]; then
    pass "escapes ($mode): host untouched"
  else
    fail "escapes ($mode): host touched" "$(diff <(echo "$before") <(echo "$after"))"
  fi
}
escape_run openat2
escape_run walk

# ---- policy -------------------------------------------------------------------------------
# policy_case NAME EXPECTED-FILE POLICY-TOML PROBE-ARGS...: runs the probe under the
# policy (its dir is always `sandbox`) and compares its output and the denial log.
policy_case() {
  local name=$1 toml=$2
  shift 2
  local d="$out/run-policy-$name"
  fixture "$d"
  ln -s sub/f3.txt "$d/sandbox/via_link"
  printf '%s\n' "$toml" >"$d/policy.toml"
  (cd "$d" && GREETING=from-host "$weld" run --policy policy.toml --log-denials "$out/policy.wasm" "$@" >"$d.out" 2>"$d.err")
  local rc=$?
  local want="$here/policy/$name.expected"
  if [ $rc -eq 0 ] && cmp -s "$d.out" "$want"; then pass "policy $name"; else
    fail "policy $name" "exit $rc; $(diff "$d.out" "$want"; head -n 5 "$d.err")"; fi
  # every refusal is logged (--log-denials), and nothing else is
  local refused logged
  refused=$(grep -cE 'Permission denied|Capabilities insufficient|No file descriptors' "$d.out")
  logged=$(grep -c '^weld: wasi: denied ' "$d.err")
  if [ "$refused" -gt 0 ] && [ "$logged" -eq 0 ]; then fail "policy $name: denials not logged"; fi
  if [ "$refused" -eq 0 ] && [ "$logged" -gt 0 ]; then fail "policy $name: denials logged but none seen" "$(cat "$d.err")"; fi
}
dir='[[fs.dir]]
host = "sandbox"
guest = "sandbox"'
policy_case readonly "$dir
ops = [\"read\", \"list\"]" \
  read:sandbox/sub/data.txt write:sandbox/sub/data.txt create:sandbox/new mkdir:sandbox/d \
  unlink:sandbox/sub/f1.txt list:sandbox/sub stat:sandbox/sub/f2.txt
policy_case nothing "$dir
ops = []" \
  read:sandbox/sub/data.txt list:sandbox stat:sandbox/sub create:sandbox/x
policy_case paths "$dir
ops = [\"read\", \"list\"]
[[fs.path]]
path = \"sandbox/out/\"
ops = [\"all\"]
[[fs.path]]
path = \"sandbox/sub/f2.txt\"
ops = []
[[fs.path]]
path = \"sandbox/sub/*.log\"
ops = [\"create\", \"write\"]" \
  mkdir:sandbox/out create:sandbox/out/a write:sandbox/out/a unlink:sandbox/out/a \
  read:sandbox/sub/f2.txt read:sandbox/sub/f1.txt create:sandbox/sub/x.log create:sandbox/sub/x.txt
policy_case limits "$dir
ops = [\"all\"]
[fs]
max_open_files = 5
[[fs.path]]
path = \"sandbox/big\"
ops = [\"all\"]
max_write = 2500
max_read = 1500" \
  create:sandbox/big write:sandbox/big read:sandbox/big append:sandbox/big openmany:sandbox/sub/data.txt
policy_case totals "$dir
ops = [\"all\"]
[fs]
max_write_total = \"4K\"
max_read_total = 20" \
  create:sandbox/a write:sandbox/a read:sandbox/sub/data.txt read:sandbox/sub/f1.txt
policy_case doors "$dir
ops = [\"read\"]
[env]
pass = [\"GREETING\"]
set = { FIXED = \"v\" }
[system]
clocks = false" \
  env:GREETING env:FIXED env:HOME clock:x
# a symlink cannot carry a call into a part of the tree the policy closes
policy_case symlink_grants "$dir
ops = [\"read\"]
[[fs.path]]
path = \"sandbox/sub/f3.txt\"
ops = []" \
  read:sandbox/sub/f3.txt read:sandbox/via_link

# ---- the policy decided on the object touched ------------------------------------------------
# obj_case NAME TOML SETUP PROBE-ARGS...: a fresh tree, SETUP run in it (sh), then the raw-call
# probe (progs/fsprobe.c) on preopen fd 3 = sandbox under the policy; its output and the
# resulting tree under sandbox/ (names, types, sizes, link targets, contents) must be
# policy/NAME.expected, with openat2 and with the fallback walk, and every refusal is logged.
obj_case() {
  local name=$1 toml=$2 setup=$3
  shift 3
  local mode
  for mode in openat2 walk; do
    local d="$out/run-obj-$name-$mode"
    fixture "$d"
    printf '%s\n' "$toml" >"$d/policy.toml"
    (cd "$d" && sh -c "$setup") || { fail "obj $name ($mode): setup"; continue; }
    local env=()
    [ "$mode" = walk ] && env=(WELD_WASI_NO_OPENAT2=1)
    (cd "$d" && env "${env[@]}" "$weld" run --policy policy.toml --log-denials "$out/fsprobe.wasm" "$@" >"$d.out" 2>"$d.err")
    local rc=$?
    if [ -z "${OBJ_NO_TREE:-}" ]; then
      # directory sizes depend on the file system: names, types, file sizes, links, contents
      { echo "--- tree"; (cd "$d/sandbox" && find . -mindepth 1 \( -type d -printf '%y %p\n' \) -o -printf '%y %p %s %l\n' | sort &&
        find . -type f -print0 | sort -z | xargs -0 -r md5sum); } >>"$d.out"
    fi
    local want="$here/policy/$name.expected"
    if [ $rc -eq 0 ] && cmp -s "$d.out" "$want"; then pass "obj $name ($mode)"; else
      fail "obj $name ($mode)" "exit $rc; $(diff "$d.out" "$want"; head -n 5 "$d.err")"; fi
    local refused logged
    refused=$(grep -c 'EACCES' "$d.out")
    logged=$(grep -c '^weld: wasi: denied ' "$d.err")
    if [ "$refused" -gt 0 ] && [ "$logged" -lt "$refused" ]; then fail "obj $name ($mode): $refused refusals, $logged logged" "$(cat "$d.err")"; fi
    if [ "$refused" -eq 0 ] && [ "$logged" -gt 0 ]; then fail "obj $name ($mode): denials logged but none seen" "$(cat "$d.err")"; fi
  done
}
all='[[fs.dir]]
host = "sandbox"
guest = "sandbox"
ops = ["all"]'
# 1, 3, 4: O_TRUNC / O_CREAT / set-times / byte limits through symlinks into a read-only
# subtree or onto a limited file; a hard link may not shed a file's limits
obj_case through_links "$all
[[fs.path]]
path = \"sandbox/ro/\"
ops = [\"read\", \"list\"]
[[fs.path]]
path = \"sandbox/big\"
ops = [\"read\", \"write\"]
max_read = 10
max_write = 20" \
  'mkdir sandbox/ro && printf "keep me\n" >sandbox/ro/file && ln -s ro/file sandbox/lnk &&
   ln -s ro/new sandbox/dang && printf bigbigbigbigbigbigbigbig >sandbox/big && ln -s big sandbox/alias' \
  trunc:lnk creat:dang creat:ro/new2 times:lnk mtime:ro/file write:lnk:5 read:lnk \
  read:alias write:alias:100 link:big:hardbig trunc:ro/file creat:fresh
# 2: a directory reached through a symlink into a closed subtree cannot be listed;
# 9: a hole written with "." and doubled slashes is a hole
obj_case closed_dir "$all
[[fs.path]]
path = \"sandbox/closed/\"
ops = []
[[fs.path]]
path = \"sandbox/./hidden//\"
ops = []" \
  'mkdir sandbox/closed sandbox/hidden && echo x >sandbox/closed/a && echo h >sandbox/hidden/h &&
   ln -s closed sandbox/cl && ln -s . sandbox/self' \
  readdir:cl readdir:closed readdir:cl/ readdir:self/closed readdir:sub readdir:hidden read:hidden/h \
  write:hidden/h:1
# 6: a nested [[fs.dir]] narrower than its parent holds through the parent's fd (no [[fs.path]])
obj_case nested_dir "$all
[[fs.dir]]
host = \"sandbox/ro\"
guest = \"sandbox/ro\"
ops = [\"read\"]" \
  'mkdir sandbox/ro && printf "keep me\n" >sandbox/ro/file && ln -s ro/file sandbox/lnk && ln -s ro sandbox/rodir' \
  write:lnk:3 trunc:lnk creat:rodir/new times:lnk readdir:rodir read:lnk write:sub/f1.txt:2
# 8: a writable directory mounted below a read-only preopen does not open the outer tree
obj_case mount_below "[[fs.dir]]
host = \"sandbox\"
guest = \"sandbox\"
ops = [\"read\", \"list\"]
[[fs.dir]]
host = \"other\"
guest = \"sandbox/out\"
ops = [\"all\"]" \
  'mkdir other sandbox/out && printf "keep\n" >sandbox/out/y' \
  creat:out/x write:out/y:3 trunc:out/y read:out/y readdir:out
# 5: moving a directory carries nothing out from under a finer rule (nor one whose own rule
# does not reach beneath it: one/c); a rename over a file needs delete on it (drop/keep)
obj_case rename_dir "$all
[[fs.path]]
path = \"sandbox/d/secret\"
ops = []
[[fs.path]]
path = \"sandbox/keep/\"
ops = [\"read\", \"list\", \"create\"]
[[fs.path]]
path = \"sandbox/g/**/*.key\"
ops = []
[[fs.path]]
path = \"sandbox/one/*\"
ops = [\"all\"]
[[fs.path]]
path = \"sandbox/drop/\"
ops = [\"read\", \"list\", \"create\"]
[[fs.path]]
path = \"sandbox/drop/new\"
ops = [\"all\"]" \
  'mkdir -p sandbox/d sandbox/g/h sandbox/one/c sandbox/drop && echo s >sandbox/d/secret && echo k >sandbox/g/h/a.key &&
   ln -s g sandbox/pl && echo f >sandbox/one/c/f && echo keep >sandbox/drop/keep && echo new >sandbox/drop/new' \
  read:d/secret rename:d:moved read:moved/secret rename:pl/h:hh rename:g/h:hh rename:sub:sub2 \
  rename:sub2/f1.txt:f1moved read:sub2/f2.txt rename:sub2:keep rename:sub2:keep/x rename:.:zz \
  rename:one/c:one/d rename:one/c/f:one/f rename:drop/new:drop/keep rename:drop/new:drop/other
# 7: a real path longer than PATH_MAX does not slip past a glob hole: an alias whose real
# location cannot be read is refused (fail closed), and so is a guest path past the
# matcher's bound; at ordinary depths the real location decides as usual
OBJ_NO_TREE=1 obj_case deep "[[fs.dir]]
host = \"sandbox\"
guest = \"sandbox\"
ops = [\"read\", \"list\"]
[[fs.path]]
path = \"sandbox/**/*.key\"
ops = []" \
  'n=$(printf "%0200d" 0); t1=$n; t2=$n; for i in $(seq 11); do t1=$t1/$n; done; for i in $(seq 12); do t2=$t2/$n; done
   mkdir -p "sandbox/$t1" && ln -s "$t1" sandbox/s1 && ln -s s1/s2/x.key sandbox/a.txt && ln -s s1/ok12.txt sandbox/b.txt &&
   ln -s s1/s2/ok.txt sandbox/c.txt && ln -s s1/y.key sandbox/d.txt && cd -P "sandbox/$t1" && mkdir -p "$t2" &&
   ln -s "$t2" s2 && echo secret >"$t2/x.key" && echo ok >"$t2/ok.txt" && echo s >y.key && echo ok >ok12.txt' \
  read:a.txt read:b.txt read:c.txt read:d.txt \
  "deepread:25:$(printf '%0200d' 0):x.key" "deepread:12:$(printf '%0200d' 0):ok12.txt" \
  "deepread:12:$(printf '%0200d' 0):y.key"
# 13: growth by set-size and allocate counts against max_write_total; an append fd's
# positional write cannot grow a file past its max_write
obj_case grow_total "$all
[fs]
max_write_total = \"4K\"" \
  'touch sandbox/f' \
  setsize:f:1099511627776 alloc:f:1048576 setsize:f:1000 alloc:f:2000 write:f:4000 size:f
obj_case append_limit "$all
[[fs.path]]
path = \"sandbox/capped\"
ops = [\"read\", \"write\"]
max_write = 2500" \
  'head -c 2000 /dev/zero >sandbox/capped' \
  pwappend:capped:5000 size:capped setsize:capped:3000 alloc:capped:3000 size:capped
# 19: reopening a directory with its own rights (what Rust's std does) gives a directory fd
obj_case reopen_dir "$all" 'true' dotopen:3

# ---- sockets ------------------------------------------------------------------------------
# weld run --tcplisten passes a listening socket; the module accepts one connection from a
# client here (loopback only), echoes a line and shuts down; then the socket calls'
# errors on fds that are not sockets (ENOTCAPABLE 76: no socket rights; EBADF 8; EINVAL 28).
sock_case() {
  local src="$here/sock/echo.c" wasm="$out/sock_echo.wasm" d="$out/run-sock"
  mkdir -p "$d"
  if ! clang --target=wasm32-wasi -O2 -Wall -o "$wasm" "$src" 2>"$d/cc.log"; then
    fail "sockets: compile" "$(cat "$d/cc.log")"
    return
  fi
  local port rc reply="" tries
  for tries in 1 2 3; do
    port=$((20000 + RANDOM % 30000))
    "$weld" run --tcplisten "127.0.0.1:$port" "$wasm" >"$d/out" 2>"$d/err" &
    local pid=$!
    # The first connection that succeeds is the one the module serves (bounded retries).
    local i connected=0
    for i in $(seq 100); do
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      if exec 3<>"/dev/tcp/127.0.0.1/$port"; then connected=1; break; fi 2>/dev/null
      sleep 0.05
    done 2>/dev/null
    if [ $connected -eq 1 ]; then
      printf 'hello weld\n' >&3
      reply="$(cat <&3)"
      exec 3>&-
    fi
    wait "$pid"
    rc=$?
    # a port someone else holds: weld says so and exits 2; try another
    if [ $connected -eq 1 ] || ! grep -q "tcplisten" "$d/err"; then break; fi
  done
  if [ "$rc" -eq 0 ] && [ "$reply" = "echo: hello weld" ] && cmp -s "$d/out" "$here/sock/echo.expected"; then
    pass "sockets: accept, recv, send, shutdown, errors"
  else
    fail "sockets" "exit $rc, reply '$reply'; $(diff "$d/out" "$here/sock/echo.expected"; head -n 5 "$d/err")"
  fi
}
sock_case

# ---- the same program natively (gcc) and under weld -----------------------------------------
native_one() {
  local name=$1 src="$here/progs/$1.c" bin="$out/$1.native" d="$out/run-$1-native" w="$out/run-$1-wnative"
  if ! gcc -O2 -w -o "$bin" "$src" 2>"$out/$name.gcc.log"; then fail "native $name (gcc)" "$(cat "$out/$name.gcc.log")"; return; fi
  fixture "$d"
  fixture "$w"
  (cd "$d" && env -i GREETING=hello EMPTY= "$bin" a >"$d.out" 2>/dev/null)
  local rn=$?
  # argv[0] differs (the binary vs the module): compare from argv[1] on
  (cd "$w" && "$weld" run --dir sandbox "${env_flags[@]}" "$out/$name.wasm" a >"$w.out" 2>/dev/null)
  local rw=$?
  if [ $rn -eq $rw ] && cmp -s "$d.out" "$w.out" && [ "$(snapshot "$d")" = "$(snapshot "$w")" ]; then
    pass "$name (weld = native)"
  else
    fail "$name (weld = native)" "exit native $rn weld $rw; $(diff "$d.out" "$w.out" | head -n 20)"
  fi
}
native_one demo
native_one files
native_one dirs

# isatty() natively and under weld with the streams on /dev/null, a pipe, a file and a
# terminal (script(1) gives one): /dev/null is a character device but no terminal
# shellcheck source=tty_streams.sh
. "$here/tty_streams.sh"
tty_case() {
  local bin="$out/tty.native" d="$out/tty" how
  if ! gcc -O2 -w -o "$bin" "$here/progs/tty.c" 2>"$out/tty.gcc.log"; then fail "native tty (gcc)" "$(cat "$out/tty.gcc.log")"; return; fi
  mkdir -p "$d"
  for how in devnull pipe file terminal; do
    for who in native weld; do
      local cmd=("$bin")
      [ $who = weld ] && cmd=("$weld" run "$out/tty.wasm")
      TTY_INPUT_FILE="$here/progs/tty.c" tty_streams $how "$d/$how.$who" "${cmd[@]}"
    done
    if [ -s "$d/$how.native" ] && cmp -s "$d/$how.native" "$d/$how.weld"; then pass "isatty, streams on $how (weld = native)"; else
      fail "isatty, streams on $how (weld = native)" "native: $(cat "$d/$how.native"); weld: $(cat "$d/$how.weld")"
    fi
  done
}
tty_case

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

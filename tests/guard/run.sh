#!/usr/bin/env bash
# Adversarial modules against the resource guard: every runaway is stopped by the limit
# meant for it, with its own trap kind or error, and the host process ends normally
# (the expected exit status, never a signal, a one-line message on stderr). Also the
# flags' error handling, the usage report, --audit-first, and the API unit tests.
#
#   tests/guard/run.sh [WELD [UNIT]]   (defaults: build/weld, weld_unit beside it; its
#                                        `guard` group tests the embedding API)
#
# Modules are the .wat files in tests/guard/wat, loaded by weld's own text reader. No
# check depends on timing: deadlines are asserted by the trap kind, not elapsed time.
# Ends with `N passed, M failed`; exits non-zero when a check failed.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
unit="${2:-$(dirname "${1:-$root/build/weld}")/weld_unit}"
case "$unit" in /*) ;; *) unit="$(pwd)/$unit" ;; esac
wat="$root/tests/guard/wat"
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
harness_init guard "${1:-$root/build/weld}"

# expect RC FIRST_STDERR_LINE ARGS...: runs weld; checks the exit status (a status above
# 128 other than 134, weld's trap status, would be a signal death) and stderr's first line.
expect() {
  local want=$1 line=$2
  shift 2
  label="weld $*"
  "$weld" "$@" >out.txt 2>err.txt
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "exit $rc, expected $want: $(head -c 300 err.txt)"
    return
  fi
  if [ -n "$line" ] && [ "$(head -n 1 err.txt)" != "$line" ]; then
    bad "stderr: $(head -n 1 err.txt) (expected: $line)"
    return
  fi
  if [ "$(wc -l <err.txt)" -gt 0 ] && grep -qi 'sanitizer\|runtime error' err.txt; then
    bad "sanitizer report: $(head -n 3 err.txt)"
    return
  fi
  ok
}
# stdout is exactly $1
stdout_is() {
  if [ "$(cat out.txt)" = "$1" ]; then ok; else bad "stdout: $(head -c 200 out.txt) (expected: $1)"; fi
}
# report.json has every "key": value pair given
report_has() {
  local k
  for k in "$@"; do
    if ! grep -qF -- "$k" report.json; then
      bad "report lacks $k: $(tr -d '\n' <report.json | head -c 600)"
      return
    fi
  done
  ok
}

FUEL='weld: trap: out of fuel'
DEADLINE='weld: trap: deadline exceeded'
STACK='weld: trap: call stack exhausted'

# ---- runaway loops: fuel and deadline each stop every shape ---------------------------------
for m in loop loop_nested loop_br_table loop_recursion_tail; do
  expect 134 "$FUEL" run --fuel 1000000 "$wat/$m.wat"
  expect 134 "$DEADLINE" run --timeout 20ms "$wat/$m.wat"
  expect 134 "$DEADLINE" run --timeout 20ms --fuel 100000000000 "$wat/$m.wat"
done
# memory.atomic.wait's sleep (threads): the deadline and fuel stop a long one, in both tiers
for t in interp baseline; do
  expect 134 "$DEADLINE" run --tier $t --timeout 20ms --invoke wait "$wat/atomic_wait.wat" 3600000000000
  expect 134 "$FUEL" run --tier $t --fuel 100000 --invoke wait "$wat/atomic_wait.wat" 3600000000000
  # 1 ms is 976 units: within 100,000, so it times out ("timed-out", 2)
  expect 0 "" run --tier $t --fuel 100000 --invoke wait "$wat/atomic_wait.wat" 1000000
  stdout_is 2
done
# a policy file's limits apply, and the flag overrides them
printf '[limits]\nfuel = 5000\n' >fuel.toml
expect 134 "$FUEL" run --policy fuel.toml "$wat/loop.wat"
printf '[limits]\ntimeout = "30ms"\n' >timeout.toml
expect 134 "$DEADLINE" run --policy timeout.toml "$wat/loop_nested.wat"
expect 134 "$FUEL" run --policy timeout.toml --timeout 1h --fuel 10000 "$wat/loop_nested.wat"
# a finite run under generous limits is undisturbed
expect 0 "" run --fuel 10000000 --timeout 1h --max-memory 1MiB --max-stack 100 --invoke sum "$wat/compute.wat" 100000
stdout_is 5000050000
expect 134 "$FUEL" run --fuel 100 --invoke sum "$wat/compute.wat" 100000

# ---- recursion: the depth limit and the value stack ----------------------------------------
for m in recursion recursion_mutual; do
  expect 134 "$STACK" run "$wat/$m.wat"
  expect 134 "$STACK" run --max-stack 50 "$wat/$m.wat"
done
{
  printf '(module (func $f (export "_start") (local'
  for _ in $(seq 20000); do printf ' i64'; done
  printf ') (call $f)))\n'
} >huge_locals.wat
expect 134 "$STACK" run huge_locals.wat
expect 134 "$STACK" run --max-stack 1000000 huge_locals.wat
# the stack limit is reported as such
expect 134 "$STACK" run --max-stack 10 --report report.json "$wat/recursion.wat"
report_has '"stopped_by": "stack"' '"max_stack": 10'

# ---- tail calls: constant stack ----------------------------------------------------------------
# Ten million tail calls deep under --max-stack 10; the answers are checked against parity
# and n(n+1)/2. The same module with every return_call made a plain call must exhaust the
# stack, so these runs cannot pass on an implementation that grows it.
tail="$wat/tail_calls.wat"
expect 0 "" run --max-stack 10 --invoke even "$tail" 10000000
stdout_is 1
expect 0 "" run --max-stack 10 --invoke even "$tail" 10000001
stdout_is 0
expect 0 "" run --max-stack 10 --invoke even_indirect "$tail" 9999999
stdout_is 0
expect 0 "" run --max-stack 10 --invoke sum "$tail" 10000000 0
stdout_is 50000005000000
sed 's/return_call/call/g' "$tail" >plain_calls.wat
for f in even even_indirect; do
  expect 134 "$STACK" run --max-stack 10 --invoke "$f" plain_calls.wat 10000000
done
expect 134 "$STACK" run --max-stack 10 --invoke sum plain_calls.wat 10000000 0
# an endless tail-call loop is still stopped by fuel and the deadline
expect 134 "$FUEL" run --max-stack 10 --fuel 1000000 "$tail"
expect 134 "$DEADLINE" run --max-stack 10 --timeout 20ms "$tail"
# a trap after 1000 tail calls: one frame in the backtrace, the one that trapped
expect 134 "weld: trap: unreachable" run --max-stack 10 --invoke boom "$tail" 1000
if [ "$(sed -n 2p err.txt)" = "  0: boom (func 8) at offset 0x109" ] && [ "$(wc -l <err.txt)" -eq 2 ]; then ok
else bad "backtrace: $(cat err.txt)"; fi
# tail calls into host functions and another instance (nothing skipped, nothing failed)
expect 0 "" wast "$wat/tail_calls_across.wast"
stdout_is "tail_calls_across: 12 passed, 0 failed, 0 skipped"

# ---- memory: grow bombs, big grows, floods --------------------------------------------------
expect 0 "" run --max-memory 1MiB --invoke bomb "$wat/memory_bomb.wat"
stdout_is 16
expect 0 "" run --max-memory 4194304 --invoke bomb "$wat/memory_bomb.wat"
stdout_is 64
expect 0 "" run --max-memory 64KiB --invoke bomb "$wat/memory_bomb_big.wat"
stdout_is -1
expect 0 "" run --max-memory 8G --invoke bomb "$wat/memory_bomb_big.wat"
stdout_is 1
expect 134 "weld: trap: memory limit exceeded (memory.grow to 1114112 bytes, limit 1048576)" \
  run --max-memory 1M --trap-on-grow-failure --invoke bomb "$wat/memory_bomb.wat"
expect 0 "" run --max-memory 2MiB --report report.json --invoke bomb "$wat/memory_bomb.wat"
report_has '"peak_bytes": 2097152' '"grow": 1' '"outcome": "ok"' '"stopped_by": null'
expect 1 "weld: $wat/data_flood.wat: memory 0: declared minimum of 134217728 bytes exceeds the memory limit (67108864 bytes)" \
  run --max-memory 64MiB "$wat/data_flood.wat"
expect 1 "" run --max-memory 64MiB --report report.json "$wat/data_flood.wat"
report_has '"outcome": "refused"' '"stopped_by": "memory"' '"instantiation": 1'
expect 0 "" run --max-memory 128MiB "$wat/data_flood.wat"
expect 134 "weld: trap: memory limit exceeded (memory.grow to 6619136 bytes, limit 65536)" \
  run --max-memory 64K --trap-on-grow-failure "$wat/grow_in_start.wat"
expect 0 "" run --max-memory 64K "$wat/grow_in_start.wat"
printf '[limits]\nmemory = "128KiB"\ntrap_on_grow_failure = true\n' >mem.toml
expect 134 "weld: trap: memory limit exceeded (memory.grow to 196608 bytes, limit 131072)" \
  run --policy mem.toml --invoke bomb "$wat/memory_bomb.wat"
# the flag overrides the size; the policy's trap_on_grow_failure still holds
expect 134 "weld: trap: memory limit exceeded (memory.grow to 327680 bytes, limit 262144)" \
  run --policy mem.toml --max-memory 256K --invoke bomb "$wat/memory_bomb.wat"
# both memory modes enforce it
expect 0 "" run --bounds explicit --max-memory 1MiB --invoke bomb "$wat/memory_bomb.wat"
stdout_is 16

# ---- tables --------------------------------------------------------------------------------
expect 0 "" run --max-table-elements 10000 --invoke bomb "$wat/table_bomb.wat"
stdout_is 10000
expect 0 "" run --max-table-elements 2500 --invoke bomb "$wat/table_bomb.wat"
stdout_is 2000
expect 134 "weld: trap: table limit exceeded (table.grow to 3000 elements, limit 2500)" \
  run --max-table-elements 2500 --trap-on-grow-failure --invoke bomb "$wat/table_bomb.wat"
expect 1 "weld: $wat/table_min.wat: table 0: declared minimum of 1000000 elements exceeds the table limit (1000 elements)" \
  run --max-table-elements 1000 "$wat/table_min.wat"
expect 0 "" run --max-table-elements 1000000 "$wat/table_min.wat"

# tables count against the memory limit (8 bytes per element) and, together, against the
# table limit over the whole store (finding 12)
expect 0 "" run --max-memory 64K --invoke bomb "$wat/table_bomb.wat"
stdout_is 8000
expect 134 "weld: trap: memory limit exceeded (table.grow to 9000 elements, 72000 bytes; limit 65536 bytes)" \
  run --max-memory 64K --trap-on-grow-failure --invoke bomb "$wat/table_bomb.wat"
expect 0 "" run --max-table-elements 10000 --report report.json --invoke bomb "$wat/table_store.wat"
stdout_is 5000
report_has '"tables": {"count": 2, "peak_elements": 10000, "final_elements": 10000, "peak_bytes": 80000, "final_bytes": 80000}' '"grow": 1'
expect 134 "weld: trap: table limit exceeded (table.grow to 6000 elements, store total 11000, limit 10000)" \
  run --max-table-elements 10000 --trap-on-grow-failure --invoke bomb "$wat/table_store.wat"
{
  printf '(module'
  for _ in $(seq 2000); do printf ' (table 10000 funcref)'; done
  printf ' (func (export "_start")))\n'
} >many_tables.wat
expect 1 "weld: many_tables.wat: table 1: declared minimum of 10000 elements brings the store to 20000 table elements, above the table limit (10000 elements)" \
  run --preset isolated --report report.json many_tables.wat
report_has '"outcome": "refused"' '"stopped_by": "table"' '"instantiation": 1' '"peak_elements": 0'
expect 1 "weld: many_tables.wat: table 13: declared minimum of 10000 elements (1120000 bytes, instance total with its memories) exceeds the memory limit (1048576 bytes)" \
  run --max-memory 1M many_tables.wat
expect 1 "weld: $wat/table_min.wat: table 0: declared minimum of 1000000 elements (8000000 bytes) exceeds the memory limit (1048576 bytes)" \
  run --max-memory 1M "$wat/table_min.wat"
expect 0 "" run --max-memory 8000000 "$wat/table_min.wat"

# ---- host calls ----------------------------------------------------------------------------
printf '[limits]\nmax_host_calls = 500\n' >calls.toml
expect 134 "weld: trap: host call limit exceeded (500 WASI calls)" \
  run --policy calls.toml --report report.json "$wat/host_calls.wat"
report_has '"stopped_by": "host-calls"' '"sched_yield": 501' '"total": 501'

# ---- blocking host calls wake for the deadline (finding 10) -------------------------------
# Each call waits for something that never comes; only the deadline can end it. `timeout`
# is a safety net, not a measurement: a run it has to kill (137) fails the check
# (GUARD_SAFETY_NET=SECONDS, default 300).
net() { timeout -s KILL "${GUARD_SAFETY_NET:-300}" "$weld" "$@"; }
expect_net() {
  local want=$1 line=$2
  shift 2
  label="weld $* (blocking)"
  net "$@" >out.txt 2>err.txt
  local rc=$?
  if [ "$rc" -ne "$want" ]; then bad "exit $rc, expected $want: $(head -c 300 err.txt)"; return; fi
  if [ -n "$line" ] && [ "$(head -n 1 err.txt)" != "$line" ]; then bad "stderr: $(head -n 1 err.txt)"; return; fi
  ok
}
expect_net 134 "$DEADLINE" run --timeout 1s --invoke sleep "$wat/blocking.wat" 3600000000000
expect_net 134 "$DEADLINE" run --timeout 100ms --report report.json --invoke sleep "$wat/blocking.wat" 86400000000000
report_has '"stopped_by": "deadline"' '"poll_oneoff": 1'
# a timer shorter than the deadline still just sleeps and returns 0
expect_net 0 "" run --timeout 1h --invoke sleep "$wat/blocking.wat" 1000000
stdout_is 0
# stdin: a FIFO held open for writing by this shell, so a read waits for data forever
mkfifo idle.fifo
exec 7<>idle.fifo
expect_net 134 "$DEADLINE" run --timeout 1s --invoke read_stdin "$wat/blocking.wat" <idle.fifo
# data that arrives is read as before
printf 'x' >&7
expect_net 0 "" run --timeout 1h --invoke read_stdin "$wat/blocking.wat" <idle.fifo
stdout_is 0
exec 7>&-
# stdout: a FIFO this shell holds open but never reads, so writes stop once the pipe is full
mkfifo full.fifo
exec 8<>full.fifo
label="fd_write to a full pipe (blocking)"
net run --timeout 1s --invoke write_stdout "$wat/blocking.wat" >full.fifo 2>err.txt
rc=$?
if [ "$rc" -eq 134 ] && [ "$(head -n 1 err.txt)" = "$DEADLINE" ]; then ok
else bad "exit $rc, expected 134: $(head -c 300 err.txt)"; fi
exec 8>&-
# a listening socket nobody connects to
expect_net 134 "$DEADLINE" run --timeout 1s --tcplisten 127.0.0.1:0 --invoke accept "$wat/blocking.wat"
# a connection that never sends: this shell connects (bash's /dev/tcp) and stays silent
recv_check() {
  label="sock_recv on an idle connection (blocking)"
  local port pid rc try
  for try in 1 2 3 4 5; do
    port=$((20000 + (RANDOM % 40000)))
    net run --timeout 5s --tcplisten "127.0.0.1:$port" --invoke recv "$wat/blocking.wat" >out.txt 2>err.txt &
    pid=$!
    # connect once the listener is up, and hold the connection open without sending
    for _ in $(seq 200); do
      { exec 8<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    wait "$pid"
    rc=$?
    exec 8>&- 2>/dev/null
    if grep -q "cannot\|in use" err.txt; then continue; fi
    break
  done
  if [ "$rc" -eq 134 ] && [ "$(head -n 1 err.txt)" = "$DEADLINE" ] && [ "$(cat out.txt)" = accepted ]; then
    ok
  else
    bad "exit $rc: $(head -c 300 err.txt) $(cat out.txt)"
  fi
}
recv_check

# ---- poll_oneoff reports only the timers that expired (finding 17) -----------------------
expect_net 0 "" run --invoke timers "$wat/poll_timers.wat"
stdout_is 101

# ---- denied clocks cannot be read through absolute timers (finding 14) ---------------------
# clock_search.wat binary-searches CLOCK_REALTIME with absolute poll_oneoff subscriptions.
# Granted clocks: it finds the host's time (so the attack is real); denied (the isolated
# profile): it must end nowhere near it.
near_now() { local t=$1 now; now=$(date +%s); [ "$t" -gt $((now - 86400)) ] && [ "$t" -lt $((now + 86400)) ]; }
for other in 0 1; do
  expect_net 0 "" run --invoke search "$wat/clock_search.wat" "$other"
  label="clock search, clocks granted, shape $other"
  if near_now "$(cat out.txt)"; then ok; else bad "found $(cat out.txt), now $(date +%s)"; fi
  expect_net 0 "" run --preset isolated --log-denials --invoke search "$wat/clock_search.wat" "$other"
  label="clock search, clocks denied, shape $other"
  if ! near_now "$(cat out.txt)" && grep -q "absolute clock subscription" err.txt; then ok; else bad "found $(cat out.txt), now $(date +%s)"; fi
done

# ---- sock_shutdown on what is not a socket (finding 19) ------------------------------------
mkdir -p tree && printf 'x\n' >tree/f.txt
expect 0 "" run --dir tree --invoke file "$wat/sock_shutdown_file.wat"
stdout_is 57
expect 0 "" run --dir tree --invoke dir "$wat/sock_shutdown_file.wat"
stdout_is 57

# ---- bulk work pays fuel by size and stops for the deadline (finding 11) -----------------
# the documented rates, counted by hand: 1 unit per 64 bytes, per 8 table elements, per
# page grown, plus 1 for the call's entry
for t in "fill 65536 1025" "copy 65536 1025" "init 128 3" "tfill 8000 1001" "tcopy 8000 1001" \
  "tinit 16 3" "grow 100 101" "tgrow 800 101" "fill 63 1"; do
  set -- $t
  expect 0 "" run --fuel 100000000 --report report.json --invoke "$1" "$wat/bulk_fuel.wat" "$2"
  report_has "\"consumed\": $3,"
done
# a grow that cannot succeed (past the maximum) fails with -1 and costs nothing
for f in grow tgrow; do
  expect 0 "" run --fuel 100 --invoke "$f" "$wat/bulk_fuel.wat" 4294967295
  stdout_is -1
done
# fuel for all but the last unit: stopped before the operation, with one unit left over
expect 134 "$FUEL" run --fuel 1024 --invoke fill "$wat/bulk_fuel.wat" 65536
# operations past 1 MiB go in chunks: overlapping copies both ways, a fill and table
# copies, checked element by element against the spec's result (the module's own loops)
for t in "copy 12345 0 3145745" "copy 0 12345 3145745" "copy 100 3000000 5000000" \
  "copy 1048576 0 4194304" "fill 777 300 5000017" "tcopy 7 0 2000001" "tcopy 0 7 2000001"; do
  set -- $t
  f=$1
  shift
  expect 0 "" run --invoke "$f" "$wat/bulk_chunks.wat" "$@"
  stdout_is 1
done
# one loop-free function: 1,500 copies of 32 MiB, then 1,500 overlapping table copies of
# 5,000,000 elements (40 MB each); one function entry in all, so only the size can stop it
{
  printf '(module (memory 1024) (func (export "_start")'
  for _ in $(seq 1500); do printf ' (memory.copy (i32.const 33554432) (i32.const 0) (i32.const 33554432))'; done
  printf '))\n'
} >copy_bomb.wat
{
  printf '(module (table 10000000 funcref) (func (export "_start")'
  for _ in $(seq 1500); do printf ' (table.copy (i32.const 1) (i32.const 0) (i32.const 5000000))'; done
  printf '))\n'
} >tcopy_bomb.wat
for m in copy_bomb tcopy_bomb; do
  expect_net 134 "$FUEL" run --fuel 10000000 --report report.json "$m.wat"
  report_has '"stopped_by": "fuel"'
  expect_net 134 "$DEADLINE" run --timeout 1s "$m.wat"
done

# ---- the usage report ----------------------------------------------------------------------
expect 134 "$FUEL" run --fuel 12345 --report report.json "$wat/loop.wat"
report_has '"stopped_by": "fuel"' '"consumed": 12345' '"remaining": 0' '"wall_ns": ' '"cpu_ns": ' \
  '"outcome": "trap"' '"trap": "out of fuel"'
expect 134 "$DEADLINE" run --timeout 10ms --report report.json "$wat/loop.wat"
report_has '"stopped_by": "deadline"' '"timeout_ns": 10000000' '"fuel": null'
if command -v python3 >/dev/null; then
  label="report is JSON"
  if python3 -c 'import json,sys; json.load(open("report.json"))'; then ok; else bad "$(cat report.json)"; fi
fi
expect 0 "" run --report - --invoke sum "$wat/compute.wat" 3
# `-` is stderr: the module's stdout stays its own
if grep -q '"outcome": "ok"' err.txt && [ "$(cat out.txt)" = 6 ]; then ok; else bad "$(cat out.txt err.txt)"; fi
expect 2 "weld: cannot write the report '$tmp/no/such/dir/r.json': No such file or directory" \
  run --report "$tmp/no/such/dir/r.json" --invoke sum "$wat/compute.wat" 3

# ---- bad flag values: one line, exit 2 ------------------------------------------------------
for args in "--max-memory 12Q" "--max-memory -1" "--max-memory" "--timeout 5" "--timeout 0ms" \
  "--timeout soon" "--max-stack 0" "--max-stack x" "--max-instances 0" "--max-table-elements -4" \
  "--fuel -3" "--fuel 1e9"; do
  # shellcheck disable=SC2086
  expect 2 "" run $args "$wat/loop.wat"
  label="$args: one line"
  if [ "$(wc -l <err.txt)" -eq 1 ] && grep -q "^weld: run: --" err.txt; then ok; else bad "$(cat err.txt)"; fi
done

# ---- --audit-first -------------------------------------------------------------------------
printf '[filesystem]\n' >deny.toml
printf '[limits]\nmemory = "1MiB"\n' >ok.toml
cat >files.wat <<'WAT'
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
WAT
expect 1 "" run --policy ok.toml --audit-first files.wat
label="audit-first lists violations"
if grep -q "refused by the audit" err.txt && grep -q "^  high\|^  medium\|^  low" err.txt; then ok; else bad "$(cat err.txt)"; fi
expect 0 "" run --policy ok.toml --audit-first --invoke sum "$wat/compute.wat" 4
stdout_is 10
expect 0 "" run --policy ok.toml files.wat

# ---- API unit tests (fuel and resume, cancel from a thread, deadline, limits) --------------
if [ -x "$unit" ]; then
  label="weld_unit guard"
  "$unit" guard_fuel guard_cancel guard_deadline guard_limits guard_blocking >unit.txt 2>&1
  urc=$?
  last="$(tail -n 1 unit.txt)"
  up="$(echo "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')"
  uf="$(echo "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')"
  if [ -n "$up" ] && [ "$urc" -eq 0 ]; then
    passed=$((passed + up))
  else
    grep FAIL unit.txt
    passed=$((passed + ${up:-0}))
    failed=$((failed + ${uf:-1}))
    [ "${uf:-1}" -eq 0 ] && failed=$((failed + 1))
  fi
else
  label="weld_unit guard"
  bad "$unit not found"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

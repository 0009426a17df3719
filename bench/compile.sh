#!/usr/bin/env bash
# The baseline compiler's throughput: megabytes of function bodies compiled per second,
# for each module given (default: the real programs bench/run.sh builds, lua, sqlite and
# bzip2, when they are there). Two numbers per module, medians of BENCH_RUNS runs that
# alternate:
#
#   jit ms   the baseline compiler itself, as `weld run --tier baseline --no-cache
#            --tier-stats` reports it: every function compiled (on the threads the
#            `threads` column gives: --compile-threads, default the online CPUs up to 8
#            and one per MiB of bodies)
#            and laid out into one buffer, and installed (mapped, sealed, pointed at);
#            wall time; the module is already decoded, validated and translated for the
#            interpreter by then;
#   jit CPU ms the CPU time of the process's threads over that wall time (--tier-stats:
#            "ms of CPU"), which a machine busy with other work disturbs less; with
#            threads it is the sum of theirs (so above the wall time when they overlap);
#   total ms `weld compile --tier baseline -o FILE`, the whole process: reading, decoding
#            and validating the module, the interpreter's translation, the compiler, the
#            precompiled image (with its sha256 sums) and writing it; wall time, and its
#            CPU time (user + system), which a machine busy with other work disturbs less.
#
# MB/s is bodies (the functions compiled, from --tier-stats) over each time. A module that
# cannot be instantiated (imports weld does not provide) still compiles: its run fails
# after --tier-stats is printed, which is all that is read from it.
#
#   bench/compile.sh [MODULE.wasm...]
#
# Environment: WELD (build/weld), BENCH_DIR (build/bench-compile), BENCH_RUNS (5),
# WELD_COMPILE_THREADS (both commands' threads; default the online CPUs, at most 8 and one
# per MiB of bodies).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
weld="${WELD:-build/weld}"
B="${BENCH_DIR:-build/bench-compile}"
runs="${BENCH_RUNS:-5}"
mkdir -p "$B"

mods=("$@")
if [ ${#mods[@]} -eq 0 ]; then
  for p in lua sqlite bzip2; do
    f=build/bench/prog/wasi/$p.wasm
    [ -f "$f" ] && mods+=("$f")
  done
fi
if [ ${#mods[@]} -eq 0 ]; then
  echo "no modules: give some, or build the programs (BENCH_ONLY='^(lua|sqlite)' bench/run.sh)" >&2
  exit 2
fi

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mbs() { awk -v b="$1" -v ms="$2" 'BEGIN { printf "%.1f", b / 1e6 / (ms / 1e3) }'; }

echo "| module | functions | bodies bytes | code bytes | threads | jit ms | jit MB/s | jit CPU ms | jit CPU MB/s | total ms | total MB/s | total CPU ms | total CPU MB/s |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
status=0
for m in "${mods[@]}"; do
  jit=() jcpu=() tot=() cpu=() line=""
  for ((r = 0; r < runs; r++)); do
    line=$("$weld" run --tier baseline --no-cache --tier-stats "$m" </dev/null 2>&1 >/dev/null |
      grep -m1 'defined functions compiled' || true)
    ms=$(sed -n 's/.* in \([0-9.]*\) ms.*/\1/p' <<<"$line")
    if [ -z "$ms" ]; then
      echo "$m: no --tier-stats line from weld run" >&2
      status=1
      continue 2
    fi
    jit+=("$ms")
    jcpu+=("$(sed -n 's/.*, \([0-9.]*\) ms of CPU.*/\1/p' <<<"$line")")
    # bash's time: wall, user and system seconds of the child
    if ! t=$({ TIMEFORMAT='%3R %3U %3S'; time "$weld" compile --tier baseline -o "$B/out.cwasm" "$m" >/dev/null 2>&1; } 2>&1); then
      echo "$m: weld compile failed" >&2
      status=1
      continue 2
    fi
    read -r wall usr sys <<<"$t"
    tot+=("$(awk -v w="$wall" 'BEGIN { print w * 1000 }')")
    cpu+=("$(awk -v u="$usr" -v s="$sys" 'BEGIN { print (u + s) * 1000 }')")
  done
  # "N of M defined functions compiled to machine code (C bytes from B bytes of bodies in T ms)"
  read -r nf code bodies < <(sed -n 's/.*: \([0-9]*\) of [0-9]* defined functions compiled to machine code (\([0-9]*\) bytes from \([0-9]*\) bytes of bodies.*/\1 \2 \3/p' <<<"$line")
  # "... in T ms on N threads)"; a weld from before the threads says nothing: 1
  th=$(sed -n 's/.* ms on \([0-9]*\) thread.*/\1/p' <<<"$line")
  j=$(printf '%s\n' "${jit[@]}" | median)
  jc=$(printf '%s\n' "${jcpu[@]}" | median)
  t=$(printf '%s\n' "${tot[@]}" | median)
  c=$(printf '%s\n' "${cpu[@]}" | median)
  echo "| $(basename "$m") | $nf | $bodies | $code | ${th:-1} | $j | $(mbs "$bodies" "$j") | ${jc:--} | $([ -n "$jc" ] && mbs "$bodies" "$jc" || echo -) | $t | $(mbs "$bodies" "$t") | $c | $(mbs "$bodies" "$c") |"
done
rm -f "$B/out.cwasm"
exit $status

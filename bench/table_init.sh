#!/usr/bin/env bash
# bench/table_init.sh [LIBWELD_A [BEFORE_LIBWELD_A]]: instantiation with a large funcref
# table (bench/tools/table_init.c) through the embedding API with the instance pool, one
# store + instance + call + free per round: microseconds per instance for a table of 10,000
# elements over 100 and over 10,000 functions (one element called), and the same with every
# element called. Given a second library (another build of weld, e.g. before a change),
# both are run interleaved, configuration by configuration, and the table gives the ratio.
# RUNS= (default 3) runs of ROUNDS= (default 2000) rounds each; the median of the runs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lib="$(realpath "${1:-$root/build/libweld.a}")"
before="${2:-}"
runs="${RUNS:-3}"
rounds="${ROUNDS:-2000}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
build() { # OUT LIB
  gcc -O2 -I"$root/include" -o "$1" "$root/bench/tools/table_init.c" "$2" -lm -lpthread -ldl \
    $(pkg-config --libs libcurl 2>/dev/null || true) 2>/dev/null ||
    gcc -O2 -I"$root/include" -o "$1" "$root/bench/tools/table_init.c" "$2" -lm -lpthread -ldl
}
build "$tmp/after" "$lib"
[ -n "$before" ] && build "$tmp/before" "$(realpath "$before")"
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
one() { "$1" "${@:2}" | awk '/^us_per_instance/{print $2}'; }
if [ -n "$before" ]; then
  echo "| table elements / functions | elements called | before µs/instance | after µs/instance | after/before |"
  echo "| --- | --- | ---: | ---: | ---: |"
else
  echo "| table elements / functions | elements called | µs/instance |"
  echo "| --- | --- | ---: |"
fi
for cfg in "10000 100 one" "10000 10000 one" "10000 100 touch" "100 100 one"; do
  read -r elems funcs mode <<<"$cfg"
  arg=(); [ "$mode" = touch ] && arg=(touch)
  r=$rounds; [ "$mode" = touch ] && r=$((rounds / 10 < 100 ? 100 : rounds / 10))
  : >"$tmp/a"; : >"$tmp/b"
  for _ in $(seq "$runs"); do
    [ -n "$before" ] && one "$tmp/before" "$elems" "$funcs" "$r" "${arg[@]}" >>"$tmp/b"
    one "$tmp/after" "$elems" "$funcs" "$r" "${arg[@]}" >>"$tmp/a"
  done
  a=$(median <"$tmp/a")
  called=$([ "$mode" = touch ] && echo "all" || echo "one")
  if [ -n "$before" ]; then
    b=$(median <"$tmp/b")
    echo "| $elems / $funcs | $called | $b | $a | $(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.3g×", a/b}') |"
  else
    echo "| $elems / $funcs | $called | $a |"
  fi
done

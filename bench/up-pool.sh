#!/usr/bin/env bash
# bench/up-pool.sh [WELD] [INSTANCES...]: what one more instance of a WebAssembly service
# costs in `weld up`, with the instance pool and copy-on-write images (the default) and
# without (WELD_POOL=0): the supervisor's proportional set size (PSS, /proc/PID/smaps_rollup)
# with one instance of tests/hybrid/agg.c's service and with each count given (default 16
# 64 128), every instance answering a request first (so each has touched its memory).
# Prints a Markdown table. No root needed (WebAssembly services only).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
weld="$(realpath "${1:-$root/build/weld}")"
shift || true
counts=("${@:-16 64 128}")
# shellcheck disable=SC2206
counts=(${counts[*]})
tmp="$(mktemp -d)"
export WELD_RUN_DIR="$tmp/run"
trap '"$weld" down poolbench >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
cd "$tmp"
clang --target=wasm32-wasi -O2 -o agg.wasm "$root/tests/hybrid/agg.c"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pss_kib() { awk '/^Pss:/{print $2}' "/proc/$(cat "$WELD_RUN_DIR/poolbench/supervisor.pid")/smaps_rollup"; }
# n requests, one connection each; the instances accept in turn, so every one answers
ask() {
  python3 - "$port" "$1" <<'P'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"POST / HTTP/1.0\r\nContent-Length: 8\r\n\r\na,1\na,2\n")
    data = b""
    while True:
        b = s.recv(65536)
        if not b: break
        data += b
    s.close()
    assert data.endswith(b"\r\n\r\na 3\n"), data
P
}
measure() { # $1 instances -> PSS KiB of the supervisor
  cat >pool.toml <<T
name = "poolbench"
[[service]]
name = "agg"
[service.wasm]
module = "agg.wasm"
listen = $port
instances = $1
T
  "$weld" up pool.toml >/dev/null
  ask $(($1 * 2))
  sleep 0.2
  pss_kib
  "$weld" down poolbench >/dev/null
}
echo "| instances | pooled, copy-on-write: supervisor PSS | per added instance | without the pool (WELD_POOL=0) | per added instance |"
echo "| ---: | ---: | ---: | ---: | ---: |"
p1=$(measure 1)
n1=$(WELD_POOL=0 measure 1)
echo "| 1 | $p1 KiB | - | $n1 KiB | - |"
for n in "${counts[@]}"; do
  p=$(measure "$n")
  q=$(WELD_POOL=0 measure "$n")
  echo "| $n | $p KiB | $(((p - p1) / (n - 1))) KiB | $q KiB | $(((q - n1) / (n - 1))) KiB |"
done

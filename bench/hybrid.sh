#!/usr/bin/env bash
# bench/hybrid.sh [WELD]: the same service (tests/hybrid/agg.c, CSV sums over HTTP) as a
# WebAssembly service in weld and as a container under runc, through `weld up` (as root):
#   - cold start: from `weld up` to the first right answer, RUNS times each (median);
#   - memory: the service's own (ps: the stores' linear memory / the container's cgroup) and
#     the supervisor's resident set;
#   - the proxy's cost per request: REQS requests to the container's port straight inside its
#     network namespace (nsenter) against the same through weld's proxy (a published port).
# Prints a Markdown table; nothing is asserted, but a wrong answer stops the run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
weld="$(realpath "${1:-$root/build/weld}")"
runs=${RUNS:-5} reqs=${REQS:-300}
[ "$(id -u)" = 0 ] || { echo "bench/hybrid.sh: runc needs root" >&2; exit 1; }
tmp="$(mktemp -d)"
export WELD_RUN_DIR="$tmp/run"
trap '"$weld" down wasmbench >/dev/null 2>&1 || true; "$weld" down ctrbench >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
cd "$tmp"
gcc -static -O2 -o agg "$root/tests/hybrid/agg.c"
clang --target=wasm32-wasi -O2 -o agg.wasm "$root/tests/hybrid/agg.c"
python3 "$root/tests/hybrid/mkimage.py" svc oci/agg 1 agg >/dev/null
read -r pw pc < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
cat >wasm.toml <<T
name = "wasmbench"
[[service]]
name = "agg"
[service.wasm]
module = "agg.wasm"
listen = $pw
T
cat >ctr.toml <<T
name = "ctrbench"
[[service]]
name = "agg"
[service.container]
layout = "oci/agg:1"
command = ["/svc", "serve", "8080"]
ports = ["$pc:8080"]
T

# one python3 does the timing: `weld up`, then requests until the first right answer
cat >cold.py <<'P'
import socket, subprocess, sys, time
weld, manifest, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
req = b"POST / HTTP/1.0\r\nContent-Length: 8\r\n\r\na,1\na,2\n"
def ask():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(req)
    data = b""
    while True:
        b = s.recv(65536)
        if not b: break
        data += b
    s.close()
    return data
t0 = time.perf_counter()
subprocess.run([weld, "up", manifest], check=True, stdout=subprocess.DEVNULL)
while True:
    try:
        if ask().endswith(b"\r\n\r\na 3\n"): break
    except OSError:
        pass
    time.sleep(0.001)
print(f"{(time.perf_counter() - t0) * 1000:.1f}")
P
# one connection per request, the answer checked (bench/efficiency/httplat.py)
lat="$root/bench/efficiency/httplat.py" csv=(--post 'a,1\na,2\n' --expect 'a 3\n')
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
rss_kib() { awk '/^VmRSS/{print $2}' "/proc/$(cat "$WELD_RUN_DIR/$1/supervisor.pid")/status"; }

declare -A cold mem sup
for app in wasmbench ctrbench; do
  m=wasm.toml p=$pw
  [ $app = ctrbench ] && m=ctr.toml p=$pc
  : >"cold-$app"
  for _ in $(seq 1 "$runs"); do
    python3 cold.py "$weld" "$m" "$p" >>"cold-$app"
    mem[$app]=$("$weld" ps "$app" | awk '$1=="agg"{print $7}')
    sup[$app]=$(rss_kib "$app")
    if [ $app = ctrbench ] && [ -z "${direct_med:-}" ]; then
      cpid=$("$weld" ps ctrbench | awk '$1=="agg"{print $4}')
      read -r direct_med direct_mean < <(nsenter --net="/proc/$cpid/ns/net" python3 "$lat" 8080 "$reqs" "${csv[@]}")
      read -r proxy_med proxy_mean < <(python3 "$lat" "$pc" "$reqs" "${csv[@]}")
    fi
    "$weld" down "$app" >/dev/null
  done
  cold[$app]=$(median <"cold-$app")
done
# the WebAssembly service answers on the host's loopback itself (no proxy on the way in)
"$weld" up wasm.toml >/dev/null
read -r wasm_med wasm_mean < <(python3 "$lat" "$pw" "$reqs" "${csv[@]}")
"$weld" down wasmbench >/dev/null

echo "| | WebAssembly service (weld) | container (runc) |"
echo "| --- | --- | --- |"
echo "| cold start, \`weld up\` to the first answer (median of $runs) | ${cold[wasmbench]} ms | ${cold[ctrbench]} ms |"
echo "| the service's memory (\`weld ps\`: linear memory / cgroup) | ${mem[wasmbench]} MiB | ${mem[ctrbench]} MiB |"
echo "| the supervisor's resident set | $((sup[wasmbench] / 1024)) MiB | $((sup[ctrbench] / 1024)) MiB |"
echo
echo "| $reqs requests, one connection each | median µs | mean µs |"
echo "| --- | --- | --- |"
echo "| container, straight in its network namespace | $direct_med | $direct_mean |"
echo "| container, through weld's proxy (published port) | $proxy_med | $proxy_mean |"
echo "| WebAssembly service, its own socket on the host | $wasm_med | $wasm_mean |"

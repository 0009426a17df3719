#!/usr/bin/env bash
# tests/hybrid/run.sh WELD: the executor end to end, as root (runc needs it).
#
# Builds its images here (a static C program, tests/hybrid/svc.c, packed into OCI layouts
# by tests/hybrid/mkimage.py; one pushed by skopeo to Debian's docker-registry on
# loopback when it is installed) and a WebAssembly service (tests/hybrid/agg.c, clang
# --target=wasm32-wasi), then runs:
#   - the design's workflow: a container preprocesses CSV over HTTP, a WebAssembly service
#     (two instances) aggregates it, a container renders the report; every answer checked
#     against Python's own aggregation, the diagnostics' exact call counts, latencies,
#     the Mermaid graph, ps, logs, the image's whiteouts
#   - a pipeline: container stdout -> WebAssembly stdin/stdout -> container stdin, with the
#     WebAssembly step as a module and as a command component (jco new's preview1 adapter)
#   - HTTP counted per request: Python's http.client keeping one connection alive through a
#     published port (status answers, 5xx among them, chunked answers and a chunked body,
#     100-continue, HEAD, an answer read to the end), pipelined requests read back by
#     http.client, and a connection that stops looking like HTTP (one call, said in diag);
#     diag's calls and errors, the bytes of the pipelined exchange and the spans checked;
#     container ids unique per run, weld up refused while the last supervisor holds its lock
#   - restarts of a crashing container, its published port answering 502 (an error)
#   - hostile layers (.., a symbolic link out, a hard link out): refused, nothing written
#   - libarchive missing at run time (hidden from the loader): refused, naming it
#   - weld down after a killed supervisor
#   - the history: what weld up records (checked with the sqlite3 command), runs added
#     with it that make weld plan --history and weld up --replan move one service, which
#     alone restarts and keeps answering through the proxy
#   - learning from runs alone: a service run three times on each technology, whose
#     measurements turn the estimates' choice around
# and after each application checks that nothing is left: state directory, runc
# containers, cgroups, listening ports, processes.
# Ends with `N passed, M failed[, K skipped]`.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
harness_init hybrid "${1:?usage: tests/hybrid/run.sh WELD}" python3
skipped=0
skip() {
  skipped=$((skipped + 1))
  echo "SKIP [$label] $*"
}
finish() {
  echo "$passed passed, $failed failed${skipped:+, $skipped skipped}"
  exit $((failed > 0))
}

label="prerequisites"
why=""
[ "$(id -u)" = 0 ] || why="not root (runc needs root)"
[ -z "$why" ] && ! command -v "${WELD_RUNC:-runc}" >/dev/null && why="runc is not installed (tests/deps.sh installs it)"
[ -z "$why" ] && ! command -v clang >/dev/null && why="clang is not installed"
if [ -z "$why" ]; then
  gcc -static -O2 -o svc "$root/tests/hybrid/svc.c" 2>build.err || why="cannot build a static program: $(head -c 200 build.err)"
fi
if [ -z "$why" ]; then
  clang --target=wasm32-wasi -O2 -o agg.wasm "$root/tests/hybrid/agg.c" 2>build.err || why="cannot build agg.wasm: $(head -c 200 build.err)"
fi
if [ -z "$why" ]; then
  # can runc run a container here at all?
  mkdir -p probe/rootfs && cp svc probe/rootfs/svc
  cat >probe/config.json <<'J'
{"ociVersion": "1.0.2", "process": {"args": ["/svc", "gen", "1"], "cwd": "/", "env": ["PATH=/"],
 "user": {"uid": 0, "gid": 0}}, "root": {"path": "rootfs"},
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
 "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]}}
J
  out=$(cd probe && "${WELD_RUNC:-runc}" run "weld-probe-$$" 2>&1) || why="runc cannot run a container here: $(printf '%s' "$out" | head -c 300)"
  [ -z "$why" ] && [ "$out" != "k0,0" ] && why="runc ran the probe but it printed '$out'"
  "${WELD_RUNC:-runc}" delete --force "weld-probe-$$" >/dev/null 2>&1
fi
if [ -n "$why" ]; then
  skip "$why"
  finish
fi
ok

export WELD_RUN_DIR="$tmp/run"
W() { "$weld" "$@"; }
# free loopback ports, all at once (each python3 start costs on a busy machine)
read -r rport pin pagg prender pcrash pk pmet phttp pback ppkg pkeep < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(11)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
# svc:1 and svc:2 (a second tag: DIR:TAG must pick), and the hostile layouts
mkdir -p outside
echo secret >outside/pwned-hardlink
python3 "$root/tests/hybrid/mkimage.py" all oci svc "$tmp/outside"

# nothing of application $1 is left anywhere
check_gone() {
  local app=$1 what=""
  [ -e "$WELD_RUN_DIR/$app" ] && what="$what state directory;"
  "${WELD_RUNC:-runc}" list -q 2>/dev/null | grep -q "^weld-$app-" && what="$what runc containers ($("${WELD_RUNC:-runc}" list -q | grep "^weld-$app-" | tr '\n' ' '));"
  find /sys/fs/cgroup -maxdepth 5 -name "weld-$app-*" 2>/dev/null | grep -q . && what="$what cgroups;"
  for p in ${2:-}; do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && what="$what port $p still open;"
  done
  pgrep -f "^/svc " >/dev/null && what="$what /svc processes ($(pgrep -fa '^/svc ' | head -3 | tr '\n' ' '));"
  if [ -z "$what" ]; then ok; else bad "left behind:$what"; fi
}

# ---- a registry holding the render image, when docker-registry is there ----------------------
render_src="layout = \"oci/svc:1\""
regbin=$(command -v docker-registry || true)
if [ -n "$regbin" ] && command -v skopeo >/dev/null; then
  mkdir -p regdata
  printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s/regdata\nhttp:\n  addr: 127.0.0.1:%s\n' "$tmp" "$rport" >registry.yml
  "$regbin" serve registry.yml >registry.log 2>&1 &
  regpid=$!
  trap 'kill $regpid 2>/dev/null; wait $regpid 2>/dev/null; rm -rf "$tmp"' EXIT
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$rport") 2>/dev/null && break; sleep 0.1; done
  label="push the image with skopeo"
  if skopeo copy --dest-tls-verify=false oci:oci/svc:1 "docker://127.0.0.1:$rport/weld/svc:1" >/dev/null 2>skopeo.err; then
    ok
    render_src="image = \"127.0.0.1:$rport/weld/svc:1\""
  else
    bad "skopeo copy: $(head -c 300 skopeo.err)"
  fi
else
  label="registry"
  skip "docker-registry or skopeo is not installed: the render image comes from the layout"
fi

# ---- the design's workflow -----------------------------------------------------------------------
cat >app.toml <<T
name = "csv"
[[service]]
name = "ingest"
tech = "container"
[service.container]
layout = "oci/svc:1"
command = ["/svc", "pre", "8080"]
ports = ["$pin:8080"]
memory = "64MiB"
cpus = 0.5

[[service]]
name = "aggregate"
tech = "wasm"
[service.wasm]
module = "agg.wasm"
listen = $pagg
instances = 2
max_memory = "32MiB"

[[service]]
name = "render"
[service.container]
$render_src
command = ["/svc", "post", "9090"]
ports = ["$prender:9090"]
read_only = true

[[interaction]]
from = "ingest"
to = "aggregate"
kind = "http"
calls_per_second = 10

[[interaction]]
from = "ingest"
to = "render"
kind = "http"
calls_per_second = 10
T
label="workflow: weld up"
if W up --metrics "$pmet" app.toml >up.out 2>&1; then ok; else bad "exit $?: $(cat up.out)"; fi
label="workflow: weld up twice"
W up app.toml >up2.out 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "already up" up2.out; then ok; else bad "exit $rc: $(cat up2.out)"; fi
label="workflow: ps"
W ps >ps.out 2>&1
if [ "$(grep -cE '^(ingest|render) +container +running +[0-9]+ ' ps.out)" = 2 ] &&
  grep -qE '^aggregate +wasm +running +2/2 ' ps.out; then ok; else bad "$(cat ps.out)"; fi
label="workflow: the WebAssembly instances' memories come from the instance pool, in the default tier"
if grep -q "instance pool: 6 memory slots, copy-on-write images" "$WELD_RUN_DIR/csv/supervisor.log" &&
  grep -qE "WebAssembly services run in the (auto|interp) tier" "$WELD_RUN_DIR/csv/supervisor.log"; then ok; else
  bad "$(cat "$WELD_RUN_DIR/csv/supervisor.log")"
fi

N=12
t_before=$(date +%s%N)
label="workflow: $N requests, then the diagnostics' counts"
# one python3 for both (its start is slow on a busy machine)
python3 - "$pin" "$N" "$weld" >requests.out 2>&1 <<'P'
import random, subprocess, sys, urllib.request
port, n, weld = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(7)
errs = []
for i in range(n):
    rows = [(rng.choice(["Apple", "pear ", " FIG", "kiwi"]), rng.randint(-50, 500)) for _ in range(rng.randint(1, 30))]
    body = "name,value\n" + "".join(f"  {k},{v}\n" + ("# note\n\n" if j % 5 == 0 else "") for j, (k, v) in enumerate(rows))
    sums = {}
    for k, v in rows:
        key = k.strip().lower()
        sums[key] = sums.get(key, 0) + v
    want = "REPORT\n" + "".join(f"{k.upper()} = {sums[k]}\n" for k in sorted(sums)) + f"TOTAL = {sum(sums.values())}\n"
    got = urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/", data=body.encode()), timeout=30).read().decode()
    if got != want:
        errs.append(f"request {i}: got {got!r}, want {want!r}")
diag = subprocess.run([weld, "diag"], capture_output=True, text=True).stdout
rows = {}
for line in diag.splitlines():
    f = line.split()
    if len(f) == 13 and f[1] == "->":
        rows[(f[0], f[2])] = f
for k in [("ingest", "aggregate"), ("ingest", "render"), ("(host)", "ingest"), ("(host)", "render")]:
    f = rows.get(k)
    if not f:
        errs.append(f"diag: no row {k}")
        continue
    calls, errors, bin_, bout = int(f[4]), int(f[5]), int(f[6]), int(f[7])
    avg, p50, p95, p99, mx = map(float, f[8:13])
    exp = 0 if k == ("(host)", "render") else n
    if f[3] != "http" or calls != exp or errors != 0:
        errs.append(f"diag {k}: kind {f[3]} calls {calls} errors {errors}, want http, {exp} calls, 0 errors")
    if exp and not (bin_ > 0 and bout > 0 and 0 < avg <= mx and 0 < p50 <= p95 <= p99 <= mx):
        errs.append(f"diag {k}: bytes or latencies {f[6:13]}")
print("\n".join(errs) or "ok")
if errs:
    print(diag)
sys.exit(1 if errs else 0)
P
if [ $? = 0 ]; then ok; else bad "$(tail -12 requests.out)"; fi

label="workflow: /metrics read by a Prometheus parser"
if /usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null; then
  /usr/bin/python3 - "$pmet" "$N" >metrics.out 2>&1 <<'P'
import sys, urllib.request
from prometheus_client.parser import text_string_to_metric_families
port, n = sys.argv[1], int(sys.argv[2])
text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30).read().decode()
fams = {f.name: f for f in text_string_to_metric_families(text)}
def value(fam, suffix, **labels):
    for s in fams[fam].samples:
        if s.name == fam + suffix and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    raise SystemExit(f"no sample {fam}{suffix} {labels}")
errs = []
edge = dict(**{"from": "ingest"}, to="aggregate", kind="http")
if value("weld_interaction_calls", "_total", **edge) != n: errs.append("calls")
if value("weld_interaction_errors", "_total", **edge) != 0: errs.append("errors")
if value("weld_interaction_latency_seconds", "_count", **edge) != n: errs.append("histogram count")
if not value("weld_interaction_latency_seconds", "_sum", **edge) > 0: errs.append("histogram sum")
if value("weld_interaction_latency_seconds", "_bucket", le="+Inf", **edge) != n: errs.append("+Inf bucket")
if value("weld_service_up", "", service="aggregate", tech="wasm") != 1: errs.append("service_up")
print(", ".join(errs) or "ok")
sys.exit(1 if errs else 0)
P
  if [ $? = 0 ]; then ok; else bad "$(tail -5 metrics.out)"; fi
else
  skip "python3-prometheus-client is not installed (tests/deps.sh installs it)"
fi

label="workflow: mermaid"
W diag --mermaid >graph.mmd 2>&1
if head -1 graph.mmd | grep -qx "graph LR" && grep -q "s_ingest -->|\"http: $N calls, 0 errors" graph.mmd &&
  grep -q 's_aggregate(\["aggregate (wasm)"\])' graph.mmd && [ "$(grep -c linkStyle graph.mmd)" = 4 ]; then ok; else bad "$(cat graph.mmd)"; fi
label="workflow: the graph in DOT, as Graphviz reads it"
# dot -Tplain lays the graph out and lists it back: one node line per service and the host,
# one edge line per interaction (with its label)
W diag --dot >graph.dot 2>&1
if ! command -v dot >/dev/null; then
  skip "Graphviz's dot is not installed (tests/deps.sh installs graphviz)"
elif dot -Tplain graph.dot >graph.plain 2>&1 && [ "$(grep -c '^node ' graph.plain)" = 4 ] &&
  [ "$(grep -c '^edge ' graph.plain)" = 4 ] && grep -q "^edge s_ingest s_aggregate .*\"http: $N calls, 0 errors" graph.plain &&
  grep -q '^node s_aggregate .*"aggregate (wasm)"' graph.plain; then ok; else bad "$(cat graph.dot graph.plain)"; fi
label="workflow: diag --otel: a span per call, in OTLP/JSON"
# the OTLP/JSON encoding of ExportTraceServiceRequest (opentelemetry-proto): IDs in hex,
# 64-bit times as decimal strings, kind 3 (client), status 1 (ok) or 2 (error)
W diag --otel >traces.json 2>&1
if python3 - traces.json "$N" "$t_before" "$(date +%s%N)" >otel.out 2>&1 <<'P'
import json, re, sys
doc = json.load(open(sys.argv[1]))
n, t0, t1 = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rs = doc["resourceSpans"]
assert len(rs) == 1, rs
attrs = {a["key"]: a["value"] for a in rs[0]["resource"]["attributes"]}
assert attrs["service.name"] == {"stringValue": "weld"} and attrs["service.namespace"] == {"stringValue": "csv"}, attrs
ss = rs[0]["scopeSpans"]
assert len(ss) == 1 and ss[0]["scope"]["name"] == "weld.proxy", ss
spans = ss[0]["spans"]
ids = set()
by = {}
for s in spans:
    assert re.fullmatch(r"[0-9a-f]{32}", s["traceId"]) and s["traceId"] != "0" * 32, s
    assert re.fullmatch(r"[0-9a-f]{16}", s["spanId"]) and s["spanId"] != "0" * 16, s
    ids.add(s["spanId"])
    start, end = int(s["startTimeUnixNano"]), int(s["endTimeUnixNano"])
    assert isinstance(s["startTimeUnixNano"], str) and t0 <= start <= end <= t1, (t0, start, end, t1)
    assert s["kind"] == 3 and s["status"]["code"] in (1, 2), s
    a = {x["key"]: x["value"] for x in s["attributes"]}
    assert s["name"] == f'{a["weld.interaction"]["stringValue"]} {a["weld.from"]["stringValue"]} -> {a["weld.to"]["stringValue"]}', s
    assert int(a["weld.bytes_received"]["intValue"]) > 0, s
    by[s["name"]] = by.get(s["name"], 0) + 1
assert len(ids) == len(spans), "span IDs repeat"
assert by.get("http ingest -> aggregate") == n and by.get("http host -> ingest") == n, by
print("ok", by)
P
then ok; else bad "$(tail -3 otel.out)"; fi
label="workflow: diag --png writes a PNG"
if ! command -v dot >/dev/null; then
  skip "Graphviz's dot is not installed"
elif W diag --png graph.png >png.out 2>&1 && python3 -c '
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR"
w, h = struct.unpack(">II", b[16:24])
assert w > 100 and h > 50, (w, h)' graph.png 2>png.err; then ok; else bad "$(cat png.out png.err)"; fi
if command -v mmdc >/dev/null; then
  label="workflow: mermaid renders"
  if mmdc -i graph.mmd -o graph.svg >/dev/null 2>&1; then ok; else bad "mmdc failed"; fi
fi

label="workflow: the container's limits (cgroups, no new privileges)"
ipid=$(W ps | awk '$1=="ingest"{print $4}')
mcg=$(awk -F: '$2=="memory"{print $3}' "/proc/$ipid/cgroup" 2>/dev/null)
ccg=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/{print $3}' "/proc/$ipid/cgroup" 2>/dev/null)
mem=$(cat "/sys/fs/cgroup/memory$mcg/memory.limit_in_bytes" 2>/dev/null || cat "/sys/fs/cgroup$mcg/memory.max" 2>/dev/null)
quota=$(cat "/sys/fs/cgroup/cpu$ccg/cpu.cfs_quota_us" 2>/dev/null || cut -d' ' -f1 "/sys/fs/cgroup$ccg/cpu.max" 2>/dev/null)
if [ "$mem" = 67108864 ] && [ "$quota" = 50000 ] && grep -qE '^NoNewPrivs:\s+1' "/proc/$ipid/status"; then ok; else
  bad "pid '$ipid': memory '$mem' (want 67108864), quota '$quota' (want 50000), $(grep NoNewPrivs "/proc/$ipid/status" 2>&1)"
fi

label="workflow: ps shows memory and CPU time per service"
W ps >ps.out 2>&1
if [ "$(awk '$1 ~ /^(ingest|aggregate|render)$/ && $7 > 0 && $8 ~ /^[0-9]+\.[0-9]+$/' ps.out | wc -l)" = 3 ]; then ok; else bad "$(cat ps.out)"; fi

label="workflow: logs -f ends when the application stops"
W logs -f ingest >follow.out 2>&1 &
fpid=$!

label="workflow: logs"
W logs ingest >ingest.log 2>&1
if grep -qx "svc pre listening on 8080" ingest.log; then ok; else bad "$(cat ingest.log)"; fi

label="workflow: whiteouts in the unpacked image"
rootfs="$WELD_RUN_DIR/csv/bundles/ingest/rootfs"
if [ -x "$rootfs/svc" ] && [ ! -e "$rootfs/etc/old.txt" ] && [ -e "$rootfs/etc/new.txt" ] && [ "$(ls "$rootfs/data")" = c ]; then ok; else
  bad "$(find "$rootfs" -maxdepth 2 | head -20)"
fi

label="workflow: weld down"
if W down csv >down.out 2>&1; then ok; else bad "$(cat down.out)"; fi
label="workflow: nothing left"
check_gone csv "$pin $pagg $prender"
label="workflow: logs -f ended"
for _ in $(seq 1 50); do kill -0 $fpid 2>/dev/null || break; sleep 0.1; done
if ! kill -0 $fpid 2>/dev/null && grep -qx "svc pre listening on 8080" follow.out; then ok; else
  kill $fpid 2>/dev/null
  bad "still running, or printed: $(cat follow.out)"
fi

# ---- a pipeline: container -> WebAssembly -> container ---------------------------------------------
cat >pipe.toml <<T
name = "pipe"
tier = "baseline"
[[service]]
name = "gen"
tech = "container"
[service.container]
layout = "oci/svc:2"
command = ["/svc", "gen", "100"]
[[service]]
name = "sum"
tech = "wasm"
[service.wasm]
module = "agg.wasm"
args = ["stream"]
[[service]]
name = "shout"
tech = "container"
[service.container]
layout = "oci/svc:1"
command = ["/svc", "upper"]
[[interaction]]
from = "gen"
to = "sum"
kind = "pipe"
bytes_per_second = 1000
[[interaction]]
from = "sum"
to = "shout"
kind = "pipe"
bytes_per_second = 100
T
label="pipeline: weld up"
if W up pipe.toml >up.out 2>&1; then ok; else bad "$(cat up.out)"; fi
label="pipeline: the manifest's tier is the WebAssembly services'"
if grep -q "WebAssembly services run in the baseline tier" "$WELD_RUN_DIR/pipe/supervisor.log"; then ok; else
  bad "$(cat "$WELD_RUN_DIR/pipe/supervisor.log")"
fi
# what the pipeline must make, by awk
want=$(awk 'BEGIN { for (i = 0; i < 100; i++) s["K" (i % 7)] += i; for (k = 0; k < 7; k++) print "K" k, s["K" k] }')
label="pipeline: the last step's output"
got=""
for _ in $(seq 1 100); do
  got=$(W logs shout 2>&1)
  [ "$got" = "$want" ] && break
  sleep 0.1
done
if [ "$got" = "$want" ]; then ok; else bad "got '$got', want '$want'"; fi
label="pipeline: ps shows every step exited 0"
W ps >ps.out 2>&1
if [ "$(grep -cE ' exited +.* 0$' ps.out)" = 3 ]; then ok; else bad "$(cat ps.out)"; fi
label="pipeline: diag counts the streams' bytes"
W diag >diag.out 2>&1
gen_bytes=$(awk 'BEGIN { for (i = 0; i < 100; i++) n += length("k" (i % 7) "," i) + 1; print n }')
if grep -qE "^gen -> sum +pipe +1 +0 +0 +$gen_bytes " diag.out && grep -qE "^sum -> shout +pipe +1 +0 +0 +$(printf '%s\n' "$want" | wc -c) " diag.out; then ok; else
  bad "want $gen_bytes bytes: $(cat diag.out)"
fi
label="pipeline: weld down"
if W down pipe >down.out 2>&1; then ok; else bad "$(cat down.out)"; fi
label="pipeline: nothing left"
check_gone pipe

# ---- the same pipeline with the WebAssembly step as a component (wasi:cli/run, WASI 0.2) ----------------
# agg.wasm made a command component by jco's preview1 adapter (`jco new --wasi-command`)
# shellcheck source=../component/jco_env.sh
. "$root/tests/component/jco_env.sh"
label="component pipeline: jco new --wasi-command agg.wasm"
if [ "${WELD_TEST_JCO:-1}" = 0 ]; then
  skip "WELD_TEST_JCO=0"
elif ! command -v npm >/dev/null || ! jco_install "$root/build/component-jco" 2>jco.err; then
  skip "jco is not available: $(cat jco.err 2>/dev/null)"
elif ! "$jco_dir/node_modules/.bin/jco" new agg.wasm --wasi-command -o agg.comp.wasm >jco.out 2>&1; then
  bad "$(head -c 300 jco.out)"
else
  ok
  sed 's/^module = "agg.wasm"/component = "agg.comp.wasm"/; s/^name = "pipe"/name = "cpipe"/' pipe.toml >cpipe.toml
  label="component pipeline: weld up"
  if W up cpipe.toml >up.out 2>&1; then ok; else bad "$(cat up.out)"; fi
  label="component pipeline: the last step's output"
  got=""
  for _ in $(seq 1 100); do
    got=$(W logs --app cpipe shout 2>&1)
    [ "$got" = "$want" ] && break
    sleep 0.1
  done
  if [ "$got" = "$want" ]; then ok; else bad "got '$got', want '$want'"; fi
  label="component pipeline: ps shows every step exited 0"
  W ps cpipe >ps.out 2>&1
  if [ "$(grep -cE ' exited +.* 0$' ps.out)" = 3 ]; then ok; else bad "$(cat ps.out)"; fi
  label="component pipeline: weld down"
  if W down cpipe >down.out 2>&1; then ok; else bad "$(cat down.out)"; fi
  label="component pipeline: nothing left"
  check_gone cpipe
  # a wasi:cli/run component cannot take the executor's listening socket
  printf 'name = "clisten"\n[[service]]\nname = "c"\ntech = "wasm"\n[service.wasm]\ncomponent = "agg.comp.wasm"\nlisten = %s\n' "$pk" >clisten.toml
  label="component service with listen: refused"
  if W up clisten.toml >up.out 2>&1; then bad "weld up accepted it"; W down clisten >/dev/null 2>&1
  elif grep -q "not supported: \`listen\` for a wasi:cli/run component" up.out; then ok; else bad "$(cat up.out)"; fi
  check_gone clisten
fi

# ---- wasi:http/proxy components as services (served on their listen ports) --------------------------
# tests/http/handler.wat (its answers are checked against jco's in tests/http): weld serves it
# on the service's port, each request in a fresh instance under the service's policy. Two of
# them, web calling back: web's outgoing request goes through the proxy's route (the port
# supervisor.log names, the one address web's policy is granted) and counts in weld diag.
if "$weld" serve --help 2>&1 | grep -q "not supported"; then
  label="http component service"
  skip "weld was built without libmicrohttpd"
else
  # the same handler as a package (weld pkg publish into a registry directory), run by
  # reference: weld up fetches and composes it as weld pkg run does
  mkdir -p hpkg
  "$weld" encode -o hpkg/c.wasm "$root/tests/http/handler.wat" >pub.out 2>&1
  printf '[package]\nname = "web-handler"\nversion = "1.0.0"\ncomponent = "c.wasm"\n' >hpkg/component.toml
  label="http component: published as a package"
  if (cd hpkg && WELD_CONFIG="$tmp/no-config.toml" "$weld" pkg publish --registry "$tmp/hreg") >>pub.out 2>&1; then ok; else
    bad "$(cat pub.out)"
  fi
  cat >hweb.toml <<T
name = "hweb"
[[service]]
name = "pweb"
tech = "wasm"
[service.wasm]
package = "web-handler@1.0.0"
listen = $ppkg
[[service]]
name = "web"
tech = "wasm"
[service.wasm]
component = "$root/tests/http/handler.wat"
listen = $phttp
instances = 2
[[service]]
name = "back"
tech = "wasm"
[service.wasm]
component = "$root/tests/http/handler.wat"
listen = $pback
[[interaction]]
from = "web"
to = "back"
kind = "http"
calls_per_second = 1
T
  label="http component: weld up"
  if WELD_CONFIG="$tmp/no-config.toml" WELD_REGISTRY="$tmp/hreg" W up hweb.toml >up.out 2>&1; then ok; else bad "$(cat up.out)"; fi
  label="http component: the package service answers"
  python3 "$root/tests/http/client.py" "$ppkg" GET '/pkg?y=2' >pget.out 2>&1
  if [ "$(head -1 pget.out)" = 200 ] && grep -q '^method=0 path=/pkg?y=2$' pget.out &&
    grep -q "pweb: package web-handler@1.0.0 fetched and composed" "$WELD_RUN_DIR/hweb/supervisor.log"; then ok; else
    bad "$(cat pget.out)"
  fi
  label="http component: a GET answered by the handler"
  python3 "$root/tests/http/client.py" "$phttp" GET '/abc?x=1' '' 'x-test-in:from the host' >get.out 2>&1
  if [ "$(head -1 get.out)" = 200 ] && grep -q '^x-test-echo: from the host$' get.out &&
    grep -q '^method=0 path=/abc?x=1$' get.out && grep -q '^checks=1112$' get.out; then ok; else bad "$(cat get.out)"; fi
  label="http component: a POST to /missing is its 404 with the body"
  python3 "$root/tests/http/client.py" "$phttp" POST /missing 'the body' >post.out 2>&1
  if [ "$(head -1 post.out)" = 404 ] && grep -q 'the body' post.out; then ok; else bad "$(cat post.out)"; fi
  # the handler fetches http://<x-upstream>/data: through the route, back's answer
  via=$(sed -n 's/.*web: its calls to back go through 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WELD_RUN_DIR/hweb/supervisor.log")
  label="http component: a call to another component through the proxy"
  python3 "$root/tests/http/client.py" "$phttp" GET /fetch '' "x-upstream:127.0.0.1:$via" >fetch.out 2>&1
  if [ -n "$via" ] && [ "$(head -1 fetch.out)" = 200 ] && grep -q '^upstream=200$' fetch.out &&
    grep -q '^method=0 path=/data$' fetch.out; then ok; else bad "route '$via': $(cat fetch.out)"; fi
  # its policy grants the route alone: back's own port is denied (error-code case 15,
  # HTTP-request-denied)
  label="http component: an address it is not granted is denied"
  python3 "$root/tests/http/client.py" "$phttp" GET /fetch '' "x-upstream:127.0.0.1:$pback" >denied.out 2>&1
  if [ "$(head -1 denied.out)" = 502 ] && grep -q "^error=15$" denied.out; then ok; else bad "$(cat denied.out)"; fi
  # (counted when the connection closes, as the request that made it ends)
  label="http component: diag counts the call"
  for _ in $(seq 1 50); do
    W diag hweb >diag.out 2>&1
    grep -qE "^web -> back +http +1 +0 " diag.out && break
    sleep 0.1
  done
  if grep -qE "^web -> back +http +1 +0 " diag.out; then ok; else bad "$(cat diag.out)"; fi
  label="http component: ps shows it running"
  W ps hweb >ps.out 2>&1
  if grep -qE '^web .*running' ps.out; then ok; else bad "$(cat ps.out)"; fi
  label="http component: weld down"
  if W down hweb >down.out 2>&1; then ok; else bad "$(cat down.out)"; fi
  label="http component: nothing left, the port closed"
  check_gone hweb "$phttp $pback $via $ppkg"
  printf 'name = "nopkg"\n[[service]]\nname = "p"\ntech = "wasm"\n[service.wasm]\npackage = "nosuch@1.0.0"\nlisten = %s\n' "$ppkg" >nopkg.toml
  label="a package service whose package is not in the registry: refused"
  if WELD_CONFIG="$tmp/no-config.toml" WELD_REGISTRY="$tmp/hreg" W up nopkg.toml >up.out 2>&1; then
    bad "weld up accepted it"; W down nopkg >/dev/null 2>&1
  elif grep -q "service 'p': package nosuch@1.0.0: no package named \"nosuch\"" up.out; then ok; else bad "$(cat up.out)"; fi
  check_gone nopkg
fi

# ---- HTTP counted per request: keep-alive, pipelining, chunked, 5xx ------------------------------------
cat >keep.toml <<T
name = "keep"
[[service]]
name = "keep"
tech = "container"
[service.container]
layout = "oci/svc:1"
command = ["/svc", "keep", "8080"]
ports = ["$pkeep:8080"]
T
label="per request: weld up"
if W up keep.toml >up.out 2>&1; then ok; else bad "$(cat up.out)"; fi
# Python's http.client is the client and the judge of the answers; the proxy's counts must
# match what it sent, request for request
python3 - "$pkeep" "$weld" >keep.out 2>&1 <<'P'
import http.client, io, json, socket, subprocess, sys
port, weld = int(sys.argv[1]), sys.argv[2]
errs, calls, fails = [], 0, 0
def expect(cond, what):
    if not cond: errs.append(what)

# one connection kept alive for every request of this part
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
statuses = [200, 500, 200, 404, 503, 200, 502, 201, 599, 200] * 3
sock = None
for st in statuses:
    c.request("GET", f"/status/{st}")
    r = c.getresponse()
    body = r.read()
    expect(r.status == st and body == f"status {st}\n".encode(), f"/status/{st}: {r.status} {body!r}")
    sock = sock or c.sock
    expect(c.sock is sock, "http.client opened a second connection")
    calls += 1
    fails += st >= 500
for parts in (1, 7, 40):
    c.request("GET", f"/chunked/{parts}")
    r = c.getresponse()
    want = "".join(f"part {i + 1} of {parts}\n" for i in range(parts)).encode()
    expect(r.read() == want and r.getheader("Transfer-Encoding") == "chunked", f"/chunked/{parts}")
    calls += 1
big = bytes(range(256)) * 400  # 100 KiB: many reads through the proxy
c.request("POST", "/echo", body=big, headers={"Expect": "100-continue"})
r = c.getresponse()
expect(r.status == 200 and r.read() == big, "POST /echo with 100-continue")
calls += 1
c.request("POST", "/echo", body=iter([b"chunked ", b"request ", b"body"]), encode_chunked=True)
r = c.getresponse()
expect(r.read() == b"chunked request body", "a chunked request body")
calls += 1
c.request("HEAD", "/status/200")
r = c.getresponse()
expect(r.status == 200 and r.read() == b"" and r.getheader("Content-Length") == "11", "HEAD")
calls += 1
c.request("GET", "/eof")
r = c.getresponse()
expect(r.read() == b"the body ends with the connection\n", "an answer read to the end of the connection")
calls += 1
expect(c.sock is None or c.sock is sock, "reconnected")
c.close()

# pipelined: three requests in one write, then the answers, read in order by http.client
s = socket.create_connection(("127.0.0.1", port), timeout=30)
reqs = (b"GET /status/200 HTTP/1.1\r\nHost: k\r\n\r\n"
        b"POST /echo HTTP/1.1\r\nHost: k\r\nContent-Length: 5\r\n\r\nhello"
        b"GET /status/500 HTTP/1.1\r\nHost: k\r\nConnection: close\r\n\r\n")
s.sendall(reqs)
raw = b""
while True:
    b = s.recv(65536)
    if not b: break
    raw += b
s.close()
class Kept(io.BufferedReader):  # each response closes its file when read: keep it for the next
    def close(self): pass
class Sock:
    def __init__(self, f): self.f = f
    def makefile(self, *a, **k): return self.f
f = Kept(io.BytesIO(raw))
got = []
for _ in range(3):
    r = http.client.HTTPResponse(Sock(f))
    r.begin()
    got.append((r.status, r.read()))
expect(got == [(200, b"status 200\n"), (200, b"hello"), (500, b"status 500\n")] and f.read() == b"", f"pipelined: {got}")
calls += 3
fails += 1
pipe_in, pipe_out = len(reqs), len(raw)

# a connection that stops looking like HTTP: the server's 400 still arrives, and it is one call
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(b"\x16\x03\x01 not HTTP at all\r\n\r\n")
raw = b""
while True:
    b = s.recv(65536)
    if not b: break
    raw += b
s.close()
expect(raw.startswith(b"HTTP/1.1 400 "), f"the answer to a stream that is not HTTP: {raw!r}")
calls += 1

diag = subprocess.run([weld, "diag", "keep"], capture_output=True, text=True).stdout
row = [l.split() for l in diag.splitlines() if l.startswith("(host) -> keep ")]
if not row:
    errs.append("no diag row")
else:
    f = row[0]
    expect(f[3] == "http" and int(f[4]) == calls and int(f[5]) == fails,
           f"diag: {f[4]} calls {f[5]} errors, want {calls} calls {fails} errors")
expect("(host) -> keep: 1 connection(s) stopped looking like HTTP (the first: not an HTTP request)" in diag,
       "diag does not say one connection stopped looking like HTTP")
# the spans: one per request (the last 256 kept), the pipelined ones with their exact bytes
doc = json.loads(subprocess.run([weld, "diag", "--otel", "keep"], capture_output=True, text=True).stdout)
spans = doc["resourceSpans"][0]["scopeSpans"][0]["spans"]
expect(len(spans) == min(calls, 256), f"{len(spans)} spans, want {calls}")
sizes = [(int(a["weld.bytes_received"]["intValue"]), int(a["weld.bytes_sent"]["intValue"]))
         for a in ({x["key"]: x["value"] for x in s["attributes"]} for s in spans)]
p = sizes[-4:-1]  # the pipelined three (the fallback call is last)
expect(sum(i for i, _ in p) == pipe_in and sum(o for _, o in p) == pipe_out and p[1][0] == len(reqs.split(b"GET /status/500")[0]) - len(b"GET /status/200 HTTP/1.1\r\nHost: k\r\n\r\n"),
       f"the pipelined spans' bytes {p}, want {pipe_in} in, {pipe_out} out")
errors = [s["status"]["code"] == 2 for s in spans]
expect(sum(errors) == fails, f"{sum(errors)} spans failed, want {fails}")
print("\n".join(errs) or f"ok: {calls} calls, {fails} errors")
if errs: print(diag)
sys.exit(1 if errs else 0)
P
rc=$?
label="per request: keep-alive, chunked, 5xx, 100-continue, pipelined, not HTTP: diag's exact counts"
if [ $rc = 0 ]; then ok; else bad "$(tail -25 keep.out)"; fi
label="per request: the container's id carries the run's tag"
id1=$("${WELD_RUNC:-runc}" list -q 2>/dev/null | grep '^weld-keep-keep-' | tr '\n' ' ')
if [[ "$id1" =~ ^weld-keep-keep-[0-9a-f]{8}\ $ ]]; then ok; else bad "runc list: '$id1'"; fi
label="per request: weld down"
if W down keep >down.out 2>&1; then ok; else bad "$(cat down.out)"; fi
label="per request: nothing left"
check_gone keep "$pkeep"
# a supervisor that has not finished stopping holds the application's lock: weld up says so
# and starts nothing (the lock held here by flock(1), as the supervisor holds it)
label="per request: weld up while the last supervisor still holds the lock: refused"
flock "$WELD_RUN_DIR/.keep.lock" "$weld" up keep.toml >up.out 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "application 'keep' is still stopping" up.out && [ ! -e "$WELD_RUN_DIR/keep" ]; then ok; else
  bad "exit $rc: $(cat up.out)"
fi
label="per request: the next run's container has another id"
W up keep.toml >up.out 2>&1
id2=$("${WELD_RUNC:-runc}" list -q 2>/dev/null | grep '^weld-keep-keep-' | tr '\n' ' ')
W down keep >down.out 2>&1
if [[ "$id2" =~ ^weld-keep-keep-[0-9a-f]{8}\ $ ]] && [ "$id1" != "$id2" ]; then ok; else bad "ids '$id1' then '$id2': $(cat up.out)"; fi
check_gone keep "$pkeep"

# ---- restarts, and errors the proxy sees -------------------------------------------------------------
cat >crash.toml <<T
name = "crash"
[[service]]
name = "crasher"
restart = "on-failure"
[service.container]
layout = "oci/svc:1"
command = ["/svc", "crash"]
ports = ["$pcrash:8080"]
T
label="restart: weld up"
if W up crash.toml >up.out 2>&1; then ok; else bad "$(cat up.out)"; fi
label="restart: restarted on failure"
n=0
for _ in $(seq 1 50); do
  n=$(W ps 2>/dev/null | awk '$1=="crasher"{print $6}')
  [ "${n:-0}" -ge 2 ] 2>/dev/null && break
  sleep 0.1
done
if [ "${n:-0}" -ge 2 ] 2>/dev/null && [ "$(W logs crasher | grep -c 'crashing on purpose')" -ge 2 ]; then ok; else
  bad "restarts '$n': $(W ps 2>&1) $(W logs crasher 2>&1 | tail -3)"
fi
label="restart: a call to it fails with 502 and counts as an error"
code=$(exec 3<>"/dev/tcp/127.0.0.1/$pcrash" && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && head -1 <&3 | cut -d' ' -f2)
W diag >diag.out 2>&1
if [ "$code" = 502 ] && grep -qE '^\(host\) -> crasher +http +1 +1 ' diag.out; then ok; else bad "code $code: $(cat diag.out)"; fi
label="restart: weld down"
if W down crash >down.out 2>&1; then ok; else bad "$(cat down.out)"; fi
label="restart: nothing left"
check_gone crash "$pcrash"

# ---- a trapping WebAssembly service, restarted --------------------------------------------------------
printf '(module (func (export "_start") unreachable))\n' >trap.wat
cat >wtrap.toml <<T
name = "wtrap"
[[service]]
name = "trapper"
restart = "on-failure"
wasm = { module = "trap.wat" }
T
label="wasm restart: weld up"
if W up wtrap.toml >up.out 2>&1; then ok; else bad "$(cat up.out)"; fi
label="wasm restart: restarted after each trap"
n=0
for _ in $(seq 1 50); do
  n=$(W ps 2>/dev/null | awk '$1=="trapper"{print $6}')
  [ "${n:-0}" -ge 2 ] 2>/dev/null && break
  sleep 0.1
done
if [ "${n:-0}" -ge 2 ] 2>/dev/null && [ "$(W logs trapper | grep -c 'trap: unreachable')" -ge 2 ]; then ok; else
  bad "restarts '$n': $(W ps 2>&1) $(W logs trapper 2>&1 | tail -3)"
fi
label="wasm restart: weld down"
if W down wtrap >down.out 2>&1; then ok; else bad "$(cat down.out)"; fi
label="wasm restart: nothing left"
check_gone wtrap

# ---- a killed supervisor ------------------------------------------------------------------------------
cat >killed.toml <<T
name = "killed"
[[service]]
name = "server"
[service.container]
layout = "oci/svc:1"
command = ["/svc", "post", "9090"]
ports = ["$pk:9090"]
T
label="killed supervisor: up, kill -9"
W up killed.toml >up.out 2>&1
spid=$(cat "$WELD_RUN_DIR/killed/supervisor.pid" 2>/dev/null)
if [ -n "$spid" ] && kill -9 "$spid"; then ok; else bad "$(cat up.out)"; fi
sleep 0.2
label="killed supervisor: weld up refuses the leftover state"
W up killed.toml >up2.out 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "left state behind" up2.out; then ok; else bad "exit $rc: $(cat up2.out)"; fi
label="killed supervisor: ps says the supervisor is gone"
if ! W ps killed >ps.out 2>&1 && grep -q "does not answer" ps.out; then ok; else bad "$(cat ps.out)"; fi
label="killed supervisor: weld down"
if W down killed >down.out 2>&1; then ok; else bad "$(cat down.out)"; fi
label="killed supervisor: nothing left"
check_gone killed "$pk"

# ---- hostile layers -----------------------------------------------------------------------------------
for kind in dotdot symlink hardlink; do
  target="$tmp/outside/pwned-$kind"
  cat >h.toml <<T
name = "hostile"
[[service]]
name = "evil"
[service.container]
layout = "oci/$kind:1"
T
  label="hostile layer ($kind): refused"
  W up h.toml >up.out 2>&1
  rc=$?
  if [ $rc = 1 ] && grep -qE "layer 1 .*(points outside the root file system|written through the symbolic link)" up.out; then ok; else
    bad "exit $rc: $(cat up.out)"
  fi
  label="hostile layer ($kind): nothing written outside"
  if [ $kind = hardlink ]; then
    if [ "$(stat -c %h "$target")" = 1 ]; then ok; else bad "$target gained a link"; fi
  else
    if [ ! -e "$target" ]; then ok; else bad "$target was written"; fi
  fi
  label="hostile layer ($kind): nothing left"
  check_gone hostile
done

# ---- libarchive missing at run time ---------------------------------------------------------------
# weld opens libarchive when it unpacks the first image (src/util/dynlib.h). Hidden from the
# dynamic loader (tests/cli/hide_libs.c, with the other libraries weld opens on first use), a
# container service fails with the library's name and nothing is left.
if cc -shared -fPIC -o hide_libs.so "$root/tests/cli/hide_libs.c" 2>cc.err; then
  cat >na.toml <<T
name = "noarchive"
[[service]]
name = "svc"
[service.container]
layout = "oci/svc:1"
T
  label="libarchive missing: weld up refused"
  LD_AUDIT="$tmp/hide_libs.so" "$weld" up na.toml >up.out 2>&1
  rc=$?
  if [ $rc = 2 ] && grep -q "unpacking container images needs libarchive.so.13: cannot open shared object file" up.out; then ok
  else bad "exit $rc: $(cat up.out)"; fi
  label="libarchive missing: nothing left"
  check_gone noarchive
else
  label="libarchive missing"
  skip "cc cannot build tests/cli/hide_libs.c: $(head -c 200 cc.err)"
fi

# ---- the adaptive selector: history recorded by weld up, read by weld plan and weld up --replan ----------
if ! command -v sqlite3 >/dev/null; then
  label="history"
  skip "the sqlite3 command is not installed (Debian: sqlite3): the history checks need it"
elif "$weld" plan --history /nonexistent app.toml 2>&1 | grep -q "not supported: history"; then
  label="history"
  skip "weld was built without SQLite: $("$weld" plan --history /nonexistent app.toml 2>&1)"
else
read -r phin phagg phr phrw < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(4)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
# render may run either way; its profile (CPU-bound) makes the estimates pick the container
cat >hist.toml <<T
name = "hist"
[[service]]
name = "ingest"
tech = "container"
[service.container]
layout = "oci/svc:1"
command = ["/svc", "pre", "8080"]
ports = ["$phin:8080"]
[[service]]
name = "aggregate"
tech = "wasm"
[service.wasm]
module = "agg.wasm"
listen = $phagg
[[service]]
name = "render"
[service.container]
layout = "oci/svc:1"
command = ["/svc", "post", "9090"]
ports = ["$phr:9090"]
[service.wasm]
module = "agg.wasm"
listen = $phrw
[service.profile]
cpu = 0.9
security = 0
[[interaction]]
from = "ingest"
to = "aggregate"
kind = "http"
calls_per_second = 10
[[interaction]]
from = "ingest"
to = "render"
kind = "http"
calls_per_second = 10
T
db="$WELD_RUN_DIR/.history/hist.db"
# n requests through ingest; prints the HTTP statuses
requests() {
  python3 - "$phin" "$1" <<'P'
import sys, urllib.request
port, n = int(sys.argv[1]), int(sys.argv[2])
codes = []
for i in range(n):
    r = urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/", data=b"name,value\na,1\nb,2\n"), timeout=30)
    r.read()
    codes.append(str(r.status))
print(" ".join(codes))
P
}
label="history: weld up plans render as a container (estimates)"
if W up hist.toml >up.out 2>&1 && grep -q "render: container (planned)" up.out; then ok; else bad "$(cat up.out)"; fi
label="history: 3 requests"
if [ "$(requests 3 2>&1)" = "200 200 200" ]; then ok; else bad "$(requests 1 2>&1)"; fi
label="history: weld down records the run"
W down hist >down.out 2>&1
runs=$(sqlite3 "$db" "SELECT count(*) FROM run WHERE app = 'hist'" 2>&1)
if [ "$runs" = 1 ] && [ "$(sqlite3 "$db" 'PRAGMA user_version')" = 1 ]; then ok; else bad "runs '$runs': $(cat down.out)"; fi
label="history: what it recorded"
svc=$(sqlite3 -separator ' ' "$db" "SELECT service, tech, start_ms > 0, uptime_s > 0, cpu_s >= 0, peak_rss_mib > 0, calls, errors FROM service ORDER BY service")
want=$'aggregate wasm 1 1 1 1 3 0\ningest container 1 1 1 1 3 0\nrender container 1 1 1 1 3 0'
if [ "$svc" = "$want" ]; then ok; else bad "service rows: $svc"; fi
label="history: the interactions recorded"
ints=$(sqlite3 -separator ' ' "$db" "SELECT caller, callee, kind, placement, calls, errors, bytes_in > 0, bytes_out > 0, latency_sum_ms > 0, p50_ms <= p95_ms FROM interaction ORDER BY caller, callee")
want=$'(host) ingest http both container 3 0 1 1 1 1\n(host) render http both container 0 0 0 0 0 \ningest aggregate http crossing 3 0 1 1 1 1\ningest render http both container 3 0 1 1 1 1'
if [ "$ints" = "$want" ]; then ok; else bad "interaction rows: $ints"; fi
label="history: nothing left but the history"
check_gone hist "$phin $phagg $phr"
# three more runs, written with the sqlite3 command: render was slow to start and large as a
# container, quick and small as WebAssembly
sqlite3 "$db" "
INSERT INTO run(id, app, at, uptime_s) VALUES (101, 'hist', 1e9, 60), (102, 'hist', 1e9 + 1, 60), (103, 'hist', 1e9 + 2, 60);
INSERT INTO service VALUES (101, 'render', 'container', 4000, 60, 60, 3000, 10, 0, 1, 2),
  (102, 'render', 'container', 4500, 60, 60, 3500, 10, 0, 1, 2), (103, 'render', 'container', 5000, 60, 60, 4000, 10, 0, 1, 2),
  (101, 'render', 'wasm', 2, 60, 0.5, 1, 10, 0, 1, 2), (102, 'render', 'wasm', 2, 60, 0.5, 1, 10, 0, 1, 2),
  (103, 'render', 'wasm', 2, 60, 0.5, 1, 10, 0, 1, 2);" 2>sqlite.err
label="history: weld plan --history changes render's technology and says why"
W plan --history "$db" hist.toml >plan.out 2>&1
if grep -qE '^render +wasm .*by cost.*history: wasm 3 runs \(100%\), container 4 runs \(100%\)' plan.out &&
  grep -q "history: $db, 4 runs" plan.out; then ok; else bad "$(cat sqlite.err plan.out)"; fi
label="history: weld up again (estimates), then --replan"
W up hist.toml >up.out 2>&1
ipid=$(W ps hist 2>/dev/null | awk '$1=="ingest"{print $4}')
W up --replan hist.toml >replan.out 2>&1
rc=$?
if [ $rc = 0 ] && grep -q "render: container -> wasm (restarted)" replan.out &&
  grep -q "1 service(s) moved, 0 kept, 2 unchanged" replan.out; then ok; else bad "exit $rc: $(cat up.out replan.out)"; fi
label="history: --replan restarted only render"
W ps hist >ps.out 2>&1
if grep -qE "^ingest +container +running +$ipid " ps.out && grep -qE '^render +wasm +running +1/1 ' ps.out &&
  grep -qE '^aggregate +wasm +running +1/1 ' ps.out; then ok; else bad "ingest pid was $ipid: $(cat ps.out)"; fi
label="history: calls reach render on its new technology"
before=$(W diag hist | awk '$1=="ingest" && $3=="render"{print $5}')
codes=$(requests 2 2>&1)
after=$(W diag hist | awk '$1=="ingest" && $3=="render"{print $5}')
if [ "$codes" = "200 200" ] && [ "$after" = $((before + 2)) ]; then ok; else bad "codes '$codes', calls $before -> $after"; fi
label="history: the published port follows it"
code=$(exec 3<>"/dev/tcp/127.0.0.1/$phr" && printf 'POST / HTTP/1.0\r\nContent-Length: 4\r\n\r\na,1\n' >&3 && head -1 <&3 | cut -d' ' -f2)
if [ "$code" = 200 ]; then ok; else bad "HTTP status '$code' on $phr"; fi
label="history: the replan and the stop are recorded"
W down hist >down.out 2>&1
n=$(sqlite3 "$db" "SELECT count(*) FROM run WHERE app = 'hist'")
techs=$(sqlite3 "$db" "SELECT s.tech FROM service s JOIN run r ON r.id = s.run WHERE s.service = 'render' ORDER BY r.at DESC, r.id DESC LIMIT 2" | tr '\n' ' ')
if [ "$n" = 6 ] && [ "$techs" = "wasm container " ]; then ok; else bad "runs $n, render's last two: $techs"; fi
check_gone hist "$phin $phagg $phr $phrw"
label="history: weld up --replan of a stopped application plans from the history"
if WELD_POOL=0 W up --replan hist.toml >up.out 2>&1 && grep -q "render: wasm (planned from history)" up.out; then ok; else bad "$(cat up.out)"; fi
label="history: WELD_POOL=0 leaves the pool out, and the services answer"
if ! grep -q "instance pool" "$WELD_RUN_DIR/hist/supervisor.log" && [ "$(requests 1 2>&1)" = 200 ]; then ok; else
  bad "$(cat "$WELD_RUN_DIR/hist/supervisor.log")"
fi
W down hist >/dev/null 2>&1
# learnt from runs alone: render three times as a container and three times as WebAssembly
# (tech fixed by two copies of the manifest); CPU-bound by its profile, so the estimates
# pick the container, but its measured CPU is idle's and a container starts far slower
cat >learn.toml <<T
name = "learn"
[[service]]
name = "render"
[service.container]
layout = "oci/svc:1"
command = ["/svc", "post", "9090"]
ports = ["$phr:9090"]
[service.wasm]
module = "agg.wasm"
listen = $phrw
[service.profile]
cpu = 0.9
security = 0
starts_per_hour = 600
T
for t in container wasm; do
  sed '/^name = "render"$/a tech = "'$t'"' learn.toml >"learn-$t.toml"
  for _ in 1 2 3; do
    W up "learn-$t.toml" >up.out 2>&1 || bad "learn-$t: $(cat up.out)"
    W down learn >/dev/null 2>&1
  done
done
ldb="$WELD_RUN_DIR/.history/learn.db"
label="history: learnt from runs alone: the estimates pick the container"
if W plan learn.toml 2>&1 | grep -qE '^render +container +.*by cost'; then ok; else bad "$(cat learn.toml; W plan learn.toml 2>&1)"; fi
label="history: learnt from runs alone: what the runs measured picks WebAssembly and the plan says why"
W plan --explain --history "$ldb" learn.toml >plan.out 2>&1
if grep -qE '^render +wasm .*history: wasm 3 runs \(100%\), container 3 runs \(100%\)' plan.out &&
  grep -q "measured container 3 runs: start" plan.out; then ok; else
  bad "$(cat plan.out; sqlite3 "$ldb" 'SELECT service, tech, start_ms, uptime_s, cpu_s, peak_rss_mib FROM service' 2>&1)"
fi
label="history: a corrupt database: one line, exit 2, nothing started"
head -c 3000 /dev/urandom >"$db"
W up --replan hist.toml >up.out 2>&1
rc=$?
if [ $rc = 2 ] && [ "$(wc -l <up.out)" = 1 ] && grep -q "not a weld history database or corrupt" up.out && [ ! -e "$WELD_RUN_DIR/hist" ]; then ok; else
  bad "exit $rc: $(cat up.out)"
fi
rm -f "$db"
fi

# ---- bad manifests --------------------------------------------------------------------------------------
printf 'name = "x"\n[[service]]\nname = "a"\n[service.wasm]\nmodule = "agg.wasm"\nlisten = 0\n' >bad.toml
label="bad manifest: one line, exit 2"
W up bad.toml >up.out 2>&1
rc=$?
if [ $rc = 2 ] && [ "$(wc -l <up.out)" = 1 ] && grep -q "bad.toml:6:10: listen must be a port from 1 to 65535" up.out; then ok; else
  bad "exit $rc: $(cat up.out)"
fi
printf 'name = "x"\n[[service]]\nname = "a"\n[service.wasm]\nmodule = "missing.wasm"\n' >bad2.toml
label="missing module: exit 1, nothing left"
W up bad2.toml >up.out 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "missing.wasm" up.out && [ ! -e "$WELD_RUN_DIR/x" ]; then ok; else bad "exit $rc: $(cat up.out)"; fi

finish

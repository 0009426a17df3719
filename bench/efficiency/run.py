#!/usr/bin/env python3
"""The measured efficiency model (bench/efficiency.sh builds the artifacts, then runs this).

One workload (service.c), five ways of running it, every answer checked against the
native build's; the pooled ways measured by `weld bench efficiency` itself; then the
model's other coefficients: I/O overhead (service.c's io mode natively, under `weld run`
and in runc), memory factor (its mem mode) and the interaction costs (interact.py, through
`weld up`). One Markdown table, the same numbers as JSON with the planner's coefficients
in its "coefficients" member, and the coefficients as TOML — `weld plan --coefficients`
reads either (docs/plan.md). Definitions are in bench/README.md, "Efficiency".
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interact  # noqa: E402

B = os.environ.get("EFF_DIR", "build/bench/efficiency")
WELD = os.environ.get("WELD", "build/weld")
WORK_N = int(os.environ.get("EFF_WORK_N", "200000"))
RUNS = int(os.environ.get("EFF_RUNS", "10"))
PROCS = int(os.environ.get("EFF_PROCS", "8"))
LIVE = int(os.environ.get("EFF_LIVE", "1000"))
BUDGET_MIB = int(os.environ.get("EFF_BUDGET_MIB", "256"))
CAP = int(os.environ.get("EFF_CAP", "16000"))
RUNC = os.environ.get("RUNC", "/usr/sbin/runc")
IO_N = int(os.environ.get("EFF_IO_N", "3000"))
MEM_MIB = int(os.environ.get("EFF_MEM_MIB", "64"))
REQS = int(os.environ.get("EFF_REQS", "300"))
NODE_RUN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node_run.mjs")


def fail(msg):
    print(f"efficiency: {msg}", file=sys.stderr)
    sys.exit(1)


def rollup(pid):
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                k, _, rest = line.partition(":")
                if k == "Pss":
                    pss = int(rest.split()[0]) * 1024
                elif k == "Rss":
                    rss = int(rest.split()[0]) * 1024
    except OSError:
        pass
    return pss, rss


def tree(pid):
    """pid and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def run_once(cmd, env=None):
    """Wall seconds, child CPU seconds, first output line."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)}: exit {p.returncode}: {err.decode(errors='replace').strip()[:300]}")
    line = out.decode().split("\n")[0].strip()
    return wall, ru.ru_utime + ru.ru_stime, line


class Way:
    def __init__(self, name, label, cmd, artifact, env=None):
        self.name, self.label, self.cmd, self.artifact, self.env = name, label, cmd, artifact, env
        self.m = {}


def u32(s):
    return int(s) & 0xFFFFFFFF


def measure_process(w, want1, wantN):
    cold, _, out = run_once(w.cmd(1, False), w.env)
    if u32(out) != want1:
        fail(f"{w.name}: work(1) = {out}, native says {want1}")
    walls, cpus1 = [], []
    for _ in range(RUNS):
        wall, cpu, out = run_once(w.cmd(1, False), w.env)
        if u32(out) != want1:
            fail(f"{w.name}: work(1) = {out}, native says {want1}")
        walls.append(wall)
        cpus1.append(cpu)
    cpusN = []
    for _ in range(3):
        _, cpu, out = run_once(w.cmd(WORK_N, False), w.env)
        if u32(out) != wantN:
            fail(f"{w.name}: work({WORK_N}) = {out}, native says {wantN}")
        cpusN.append(cpu)
    # PROCS live instances at once: PSS shares what they have in common among them
    procs = [subprocess.Popen(w.cmd(1, True), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=w.env) for _ in range(PROCS)]
    for p in procs:
        line = p.stdout.readline().decode().strip()
        if u32(line or "0") != want1:
            fail(f"{w.name}: a live instance answered {line!r}")
    time.sleep(0.2)
    pss = rss = 0
    for p in procs:
        for q in tree(p.pid):
            a, b = rollup(q)
            pss += a
            rss += b
    for p in procs:
        p.stdin.close()
    for p in procs:
        p.wait()
    w.m.update(cold_ms=cold * 1e3, warm_ms=statistics.median(walls) * 1e3,
               cpu_ms=max(statistics.median(cpusN) - statistics.median(cpus1), 0) * 1e3,
               pss=pss / PROCS, rss=rss / PROCS, artifact=w.artifact())
    w.m["density"] = int(BUDGET_MIB * 2**20 // w.m["pss"]) if w.m["pss"] else None
    w.m["density_how"] = f"budget / PSS of {PROCS} live"


bench_json = {}


def weld_bench():
    """`weld bench efficiency --json` on service.c's bare build: both pools in one run."""
    if not bench_json:
        out = subprocess.run([WELD, "bench", "efficiency", "--json", "--tier", os.environ.get("WELD_TIER", "baseline"),
                              "--work", str(WORK_N), "--live", str(LIVE), "--budget", f"{BUDGET_MIB}MiB",
                              "--cap", str(CAP), f"{B}/service-bare.wasm"], capture_output=True, text=True)
        if out.returncode != 0:
            fail(f"weld bench efficiency: {out.stderr.strip()}")
        bench_json.update(json.loads(out.stdout))
    return bench_json


def measure_pooled(w, want1, wantN):
    kv = weld_bench()["pools"]["resident" if w.name == "pooled-resident" else "copy-on-write"]
    if kv["result1"] != want1 or kv["result_n"] != wantN:
        fail(f"pooled: answers {kv['result1']}, {kv['result_n']}; native says {want1}, {wantN}")
    w.m.update(cold_ms=kv["cold_us"] / 1e3, warm_ms=kv["warm_us"] / 1e3, warm_p90_ms=kv["warm_p90_us"] / 1e3,
               cpu_ms=kv["cpu_ms"], pss=float(kv["pss_bytes"]), rss=float(kv["rss_bytes"]), artifact=w.artifact(),
               tier=bench_json["tier"], maps_per_instance=kv["maps_per_instance"])
    w.m["density"] = kv["density"]
    w.m["density_how"] = ("counted: instances made until PSS grew by the budget" if kv["density_counted"] else
                          f"budget / PSS per instance over {kv['instances_made']} live (the cap stopped the count)")


def runc_bundles():
    """Bundles for runc (root, a rootfs holding the static native build), or why not."""
    if not os.access(RUNC, os.X_OK):
        return f"no {RUNC}"
    if os.geteuid() != 0:
        return "runc needs root here (not rootless-configured)"
    root = os.path.abspath(f"{B}/runc")
    os.makedirs(f"{root}/rootfs", exist_ok=True)
    subprocess.run(["cp", f"{B}/service-native", f"{root}/rootfs/service"], check=True)
    spec = subprocess.run([RUNC, "spec", "--bundle", root], capture_output=True, text=True)
    if spec.returncode != 0 and not os.path.exists(f"{root}/config.json"):
        return f"runc spec failed: {spec.stderr.strip()}"
    with open(f"{root}/config.json") as f:
        base = json.load(f)
    for name, args in (("start", ["/service", "1"]), ("wait", ["/service", "1", "wait"]),
                       ("cpu", ["/service", str(WORK_N)]), ("io", ["/service", "io", str(IO_N), "/data"]),
                       ("mem", ["/service", "mem", str(MEM_MIB)])):
        c = json.loads(json.dumps(base))
        c["process"]["args"] = args
        c["process"]["terminal"] = False
        c["root"] = {"path": f"{root}/rootfs", "readonly": True}
        if name == "io":  # the same tmpfs directory as the other ways, bound in
            c["mounts"].append({"destination": "/data", "type": "bind", "source": IO_DIR, "options": ["rbind", "rw"]})
        os.makedirs(f"{root}/{name}", exist_ok=True)
        with open(f"{root}/{name}/config.json", "w") as f:
            json.dump(c, f)
    probe = subprocess.run([RUNC, "--root", f"{root}/state", "run", "--bundle", f"{root}/start", "efficiency-probe"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return f"runc run failed: {probe.stderr.strip()[:200]}"
    return None


counter = [0]


def runc_cmd(n, wait, bundle=None):
    counter[0] += 1
    root = os.path.abspath(f"{B}/runc")
    bundle = bundle or ("wait" if wait else "start" if n == 1 else "cpu")
    return [RUNC, "--root", f"{root}/state", "run", "--bundle", f"{root}/{bundle}", f"eff-{os.getpid()}-{counter[0]}"]


# I/O on a tmpfs directory: the cost of the system calls (or WASI calls), not of a disk
IO_DIR = tempfile.mkdtemp(prefix="weld-eff-io-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)


def measure_io(cmds):
    """io_overhead(way) = (time of IO_N rounds of small-file writes and reads) / native's - 1;
    the loop times itself (no start-up); median of 3, interleaved; answers checked."""
    times = {k: [] for k in cmds}
    want = None
    for _ in range(3):
        for name, cmd in cmds.items():
            for f in os.listdir(IO_DIR):
                os.unlink(os.path.join(IO_DIR, f))
            p = subprocess.run(cmd(), capture_output=True, text=True, stdin=subprocess.DEVNULL)
            lines = p.stdout.split()
            if p.returncode != 0 or len(lines) < 2:
                fail(f"io {name}: exit {p.returncode}: {p.stderr.strip()[:300]}")
            want = want or lines[0]
            if lines[0] != want:
                fail(f"io {name}: checksum {lines[0]}, native says {want}")
            times[name].append(float(lines[1]) / 1e3)
    io_ms = {k: statistics.median(v) for k, v in times.items()}
    return {k: {"io_ms": v, "io_overhead": v / io_ms["native"] - 1} for k, v in io_ms.items()}


def live_pss(cmd, env=None):
    """PSS per live process of PROCS started with cmd() (and their children), as for the table."""
    procs = [subprocess.Popen(cmd(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
             for _ in range(PROCS)]
    for p in procs:
        if not p.stdout.readline().strip():
            fail(f"{' '.join(cmd())}: no answer")
    time.sleep(0.2)
    pss = sum(rollup(q)[0] for p in procs for q in tree(p.pid))
    for p in procs:
        p.stdin.close()
    for p in procs:
        p.wait()
    return pss / PROCS


def measure_mem(ways, cmds):
    """memory_factor(way) = (PSS per live instance that has written MEM_MIB MiB - PSS of
    one that has not) / MEM_MIB MiB: how much resident memory a MiB of the service's own
    working memory costs on that way."""
    out = {}
    for name, cmd in cmds.items():
        env = next((w.env for w in ways if w.name == name), None)
        base = next(w.m["pss"] for w in ways if w.name == name)
        grown = live_pss(cmd, env)
        out[name] = {"pss_mem_bytes": grown, "memory_factor": (grown - base) / (MEM_MIB * 2**20)}
    return out


def size(*paths):
    return sum(os.path.getsize(p) for p in paths)


def main():
    native = f"{B}/service-native"
    _, _, o1 = run_once([native, "1"])
    _, _, oN = run_once([native, str(WORK_N)])
    want1, wantN = u32(o1), u32(oN)
    tier_env = dict(os.environ)
    tier = os.environ.get("WELD_TIER", "baseline")
    tier_env["WELD_TIER"] = tier
    ways = [
        Way("pooled", "pooled instance (copy-on-write)", None, lambda: size(f"{B}/service-bare.wasm"), tier_env),
        Way("pooled-resident", "pooled instance (kept resident)", None, lambda: size(f"{B}/service-bare.wasm"),
            dict(tier_env, EFF_KEEP_RESIDENT="1")),
        Way("weld-run", "`weld run` process", lambda n, w: [WELD, "run", f"{B}/service.wasm", str(n)] + (["wait"] if w else []),
            lambda: size(f"{B}/service.wasm"), tier_env),
        Way("native", "native process", lambda n, w: [native, str(n)] + (["wait"] if w else []), lambda: size(native)),
        Way("node", "Node.js", lambda n, w: ["node", "--no-warnings", NODE_RUN, "--wasi", f"{B}/service.wasm", str(n)] + (["wait"] if w else []),
            lambda: size(f"{B}/service.wasm")),
        Way("runc", "runc container", runc_cmd, lambda: size(native, f"{B}/runc/start/config.json")),
    ]
    skipped = {}
    why = runc_bundles()
    if why:
        skipped["runc"] = why
    if not shutil.which("node"):
        skipped["node"] = "no node"
    for w in ways:
        if w.name in skipped:
            continue
        print(f"measuring {w.label} ...", file=sys.stderr)
        (measure_pooled if w.name.startswith("pooled") else measure_process)(w, want1, wantN)
    nat = next(w for w in ways if w.name == "native").m
    for w in ways:
        if w.m and nat.get("cpu_ms"):
            w.m["cpu_overhead"] = w.m["cpu_ms"] / nat["cpu_ms"] - 1
    # the other coefficients: I/O, memory factor, interactions
    print("measuring I/O ...", file=sys.stderr)
    io_cmds = {"native": lambda: [native, "io", str(IO_N), IO_DIR],
               "weld-run": lambda: [WELD, "run", "--dir", f"{IO_DIR}::/data", f"{B}/service.wasm", "io", str(IO_N), "/data"]}
    mem_cmds = {"native": lambda: [native, "mem", str(MEM_MIB)],
                "weld-run": lambda: [WELD, "run", f"{B}/service.wasm", "mem", str(MEM_MIB)]}
    if "runc" not in skipped:
        io_cmds["runc"] = lambda: runc_cmd(0, False, "io")  # a new container id each time
        mem_cmds["runc"] = lambda: runc_cmd(0, False, "mem")
    io = measure_io(io_cmds)
    print("measuring the memory factor ...", file=sys.stderr)
    mem = measure_mem(ways, mem_cmds)
    for name in io:
        m = next(w for w in ways if w.name == name).m
        m.update(io[name])
        m.update(mem[name])
    calls = {}
    why = interact.why_not(WELD)
    if why:
        skipped["interactions"] = why
    else:
        print("measuring interactions through weld up ...", file=sys.stderr)
        try:
            calls = interact.measure(WELD, REQS)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
            skipped["interactions"] = f"failed: {e}"
    live = [w for w in ways if w.m]
    pooled = ways[0].m

    def cell(w, key, fmt):
        v = w.m.get(key)
        return fmt(v) if v is not None else "-"

    def ratio(r):
        return f"{r:,.0f}x" if r >= 100 else f"{r:.3g}x"

    def ms(v):
        return f"{v * 1e3:.1f} µs" if v < 1 else f"{v:.1f} ms"

    rows = [
        ("cold start", "cold_ms", ms),
        ("warm start", "warm_ms", ms),
        ("memory per instance (PSS)", "pss", lambda v: f"{v / 1024:.1f} KiB"),
        ("memory per instance (RSS)", "rss", lambda v: f"{v / 1024:.1f} KiB"),
        (f"instances in {BUDGET_MIB} MiB", "density", lambda v: f"{v:,}"),
        (f"CPU for work({WORK_N})", "cpu_ms", lambda v: f"{v:.1f} ms"),
        ("CPU overhead vs native", "cpu_overhead", lambda v: f"{v * 100:+.0f}%"),
        (f"{IO_N} small-file writes and reads", "io_ms", lambda v: f"{v:.1f} ms"),
        ("I/O overhead vs native", "io_overhead", lambda v: f"{v * 100:+.0f}%"),
        (f"PSS having written {MEM_MIB} MiB", "pss_mem_bytes", lambda v: f"{v / 2**20:.1f} MiB"),
        ("memory factor", "memory_factor", lambda v: f"{v:.3f}"),
        ("artifact", "artifact", lambda v: f"{v / 1024:.1f} KiB"),
    ]
    md = [f"work(n) of bench/efficiency/service.c; weld's tier: {tier}; {PROCS} live processes for the "
          f"process ways, {LIVE} live instances for the pooled one; medians of {RUNS} starts.", "",
          "| | " + " | ".join(w.label for w in live) + " |", "| --- |" + " ---: |" * len(live)]
    for label, key, fmt in rows:
        md.append(f"| {label} | " + " | ".join(cell(w, key, fmt) for w in live) + " |")
    md += ["", "Relative to the pooled instance: start and memory as multiples of the pooled instance's, "
           "density as how many pooled instances fit in the budget for each one of these:", "",
           "| | " + " | ".join(w.label for w in live[1:]) + " |", "| --- |" + " ---: |" * (len(live) - 1)]
    for label, key in (("warm start", "warm_ms"), ("memory (PSS)", "pss"), ("density", "density")):
        md.append(f"| {label} | " + " | ".join(
            ratio(pooled[key] / w.m[key] if key == "density" else w.m[key] / pooled[key])
            if pooled.get(key) and w.m.get(key) else "-" for w in live[1:]) + " |")
    if calls:
        md += ["", f"One HTTP request and its response between two services started by `weld up` (median µs of "
               f"{calls['requests']}, one connection each; bench/efficiency/interact.py):", "",
               "| path | µs |", "| --- | ---: |",
               f"| a request to a WebAssembly HTTP service that makes no call | {calls['plain_us']:.0f} |",
               f"| the same making one call to another WebAssembly service (both wasm) | {calls['web_back_us']:.0f} |",
               f"| the same making one call to a container (crossing) | {calls['web_ca_us']:.0f} |",
               f"| from inside a container to another container (both container) | {calls['cc_ca_us']:.0f} |",
               f"| from inside a container to a WebAssembly service (crossing) | {calls['cc_back_us']:.0f} |",
               "", "call_us for http (both wasm, both container, crossing): " +
               ", ".join(f"{v:.0f}" for v in calls["call_us_http"])]
    for name, why in skipped.items():
        md.append(f"\nskipped: {name}: {why}")
    text = "\n".join(md)
    print(text)
    with open(f"{B}/efficiency.md", "w") as f:
        f.write(text + "\n")
    # the planner's coefficients: what was measured; the rest keeps weld plan's defaults
    coeffs = {}

    def section(name, m):
        c = {"start_ms": round(max(m["warm_ms"], 0), 6), "cpu_overhead": round(max(m.get("cpu_overhead", 0), 0), 6),
             "memory_base_mib": round(m["pss"] / 2**20, 6)}
        coeffs[name] = c
        return c

    wasm = section("wasm", ways[1].m)  # the pool kept resident
    wr = ways[2].m  # io and the memory factor of WebAssembly: measured on `weld run` (WASI, linear memory)
    wasm.update(io_overhead=round(max(wr["io_overhead"], 0), 6), memory_factor=round(max(wr["memory_factor"], 0), 6))
    if ways[5].m:
        ctr = section("container", ways[5].m)
        ctr.update(io_overhead=round(max(ways[5].m["io_overhead"], 0), 6),
                   memory_factor=round(max(ways[5].m["memory_factor"], 0), 6))
    if calls:
        coeffs["interaction"] = {"http": {"call_us": calls["call_us_http"]}}
    result = {"workload": "bench/efficiency/service.c work(n)", "work_n": WORK_N, "tier": tier,
              "budget_mib": BUDGET_MIB, "procs": PROCS, "live": LIVE, "io_n": IO_N, "mem_mib": MEM_MIB,
              "ways": {w.name: w.m for w in ways if w.m}, "interactions": calls, "skipped": skipped,
              "coefficients": coeffs}
    with open(f"{B}/efficiency.json", "w") as f:
        json.dump(result, f, indent=1)
    toml = ["# measured by bench/efficiency.sh (" + time.strftime("%Y-%m-%d") + "); keys not measured keep weld plan's defaults",
            "# wasm: a pooled instance kept resident (start, CPU, PSS); `weld run` for I/O and the memory factor",
            "# container: a runc container and its runc"]
    for name in ("wasm", "container"):
        if name in coeffs:
            toml.append(f"[{name}]")
            # repr: the very numbers of efficiency.json, so both files plan alike
            toml += [f"{k} = {float(v)!r}" for k, v in coeffs[name].items()]
    if calls:
        toml += ["[interaction.http]  # both wasm, both container, crossing",
                 "call_us = [" + ", ".join(repr(float(v)) for v in calls["call_us_http"]) + "]"]
    with open(f"{B}/coefficients.toml", "w") as f:
        f.write("\n".join(toml) + "\n")
    shutil.rmtree(IO_DIR, True)
    print(f"\nwrote {B}/efficiency.md, {B}/efficiency.json, {B}/coefficients.toml", file=sys.stderr)


if __name__ == "__main__":
    main()

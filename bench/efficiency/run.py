#!/usr/bin/env python3
"""The measured efficiency model (bench/efficiency.sh builds the artifacts, then runs this).

One workload (service.c), five ways of running it, every answer checked against the
native build's; one Markdown table, the same numbers as JSON, and the planner's
coefficients as TOML (`weld plan --coefficients FILE`, docs/plan.md). Definitions are in
bench/README.md, "Efficiency".
"""
import json
import os
import statistics
import subprocess
import sys
import time

B = os.environ.get("EFF_DIR", "build/bench/efficiency")
WELD = os.environ.get("WELD", "build/weld")
WORK_N = int(os.environ.get("EFF_WORK_N", "200000"))
RUNS = int(os.environ.get("EFF_RUNS", "10"))
PROCS = int(os.environ.get("EFF_PROCS", "8"))
LIVE = int(os.environ.get("EFF_LIVE", "1000"))
BUDGET_MIB = int(os.environ.get("EFF_BUDGET_MIB", "256"))
CAP = int(os.environ.get("EFF_CAP", "16000"))
RUNC = os.environ.get("RUNC", "/usr/sbin/runc")
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


def measure_pooled(w, want1, wantN):
    out = subprocess.run([f"{B}/pooled", f"{B}/service-bare.wasm", str(WORK_N), str(LIVE), str(BUDGET_MIB), str(CAP)],
                         capture_output=True, text=True, env=w.env)
    if out.returncode != 0:
        fail(f"pooled: {out.stderr.strip()}")
    kv = dict(line.split(" ", 1) for line in out.stdout.strip().split("\n"))
    if int(kv["result1"]) != want1 or int(kv["resultN"]) != wantN:
        fail(f"pooled: answers {kv['result1']}, {kv['resultN']}; native says {want1}, {wantN}")
    w.m.update(cold_ms=float(kv["cold_us"]) / 1e3, warm_ms=float(kv["warm_us"]) / 1e3,
               warm_p90_ms=float(kv["warm_p90_us"]) / 1e3, cpu_ms=float(kv["cpu_ms"]),
               pss=float(kv["pss_bytes"]), rss=float(kv["rss_bytes"]), artifact=w.artifact(),
               tier=kv["tier"])
    if kv["budget_reached"] == "1":
        w.m["density"] = int(kv["density"])
        w.m["density_how"] = "counted: instances made until PSS grew by the budget"
    else:
        w.m["density"] = int(BUDGET_MIB * 2**20 // float(kv["density_pss_bytes"]))
        w.m["density_how"] = f"budget / PSS per instance over {kv['density']} live (the cap stopped the count)"


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
                       ("cpu", ["/service", str(WORK_N)])):
        c = json.loads(json.dumps(base))
        c["process"]["args"] = args
        c["process"]["terminal"] = False
        c["root"] = {"path": f"{root}/rootfs", "readonly": True}
        os.makedirs(f"{root}/{name}", exist_ok=True)
        with open(f"{root}/{name}/config.json", "w") as f:
            json.dump(c, f)
    probe = subprocess.run([RUNC, "--root", f"{root}/state", "run", "--bundle", f"{root}/start", "efficiency-probe"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return f"runc run failed: {probe.stderr.strip()[:200]}"
    return None


counter = [0]


def runc_cmd(n, wait):
    counter[0] += 1
    root = os.path.abspath(f"{B}/runc")
    bundle = "wait" if wait else "start" if n == 1 else "cpu"
    return [RUNC, "--root", f"{root}/state", "run", "--bundle", f"{root}/{bundle}", f"eff-{os.getpid()}-{counter[0]}"]


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
    import shutil
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
    for name, why in skipped.items():
        md.append(f"\nskipped: {name}: {why}")
    text = "\n".join(md)
    print(text)
    with open(f"{B}/efficiency.md", "w") as f:
        f.write(text + "\n")
    result = {"workload": "bench/efficiency/service.c work(n)", "work_n": WORK_N, "tier": tier,
              "budget_mib": BUDGET_MIB, "procs": PROCS, "live": LIVE,
              "ways": {w.name: w.m for w in ways if w.m}, "skipped": skipped}
    with open(f"{B}/efficiency.json", "w") as f:
        json.dump(result, f, indent=1)
    # the planner's coefficients: what was measured, the rest left to its defaults
    toml = ["# measured by bench/efficiency.sh (" + time.strftime("%Y-%m-%d") + "); keys not measured keep weld plan's defaults"]

    def section(name, m, how):
        toml.append(f"[{name}]  # {how}")
        toml.append(f"start_ms = {max(m['warm_ms'], 0):.6g}")
        toml.append(f"cpu_overhead = {max(m.get('cpu_overhead', 0), 0):.6g}")
        toml.append(f"memory_base_mib = {m['pss'] / 2**20:.6g}")

    resident = ways[1].m
    section("wasm", resident, "a pooled instance kept resident: warm start, PSS per instance, CPU over native")
    if ways[5].m:
        section("container", ways[5].m, "a runc container: start, PSS of the container and its runc, CPU over native")
    with open(f"{B}/coefficients.toml", "w") as f:
        f.write("\n".join(toml) + "\n")
    print(f"\nwrote {B}/efficiency.md, {B}/efficiency.json, {B}/coefficients.toml", file=sys.stderr)


if __name__ == "__main__":
    main()

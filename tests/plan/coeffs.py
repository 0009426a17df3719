#!/usr/bin/env python3
"""Coefficients files and the measurement that writes them.

  tests/plan/coeffs.py WELD

- `weld plan --coefficients` with TOML, with JSON (the coefficients at the root, and an
  efficiency.json whose "coefficients" member holds them): the plan and every cost must be
  what this script computes from docs/plan.md's formulas for the same coefficients, and
  two coefficient sets must move a service the way this script predicts (its own unary
  costs; a forced neighbour pulling through an interaction).
- Malformed and wrong JSON: one line `weld: FILE:LINE:COL: ...`, exit 2.
- `weld bench efficiency`: exit codes of bad flags and files, the JSON's shape, numbers
  positive and consistent with each other, and its document read back by `weld plan`.

Ends with `N passed, M failed`.
"""
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile

weld = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="weld-coeffs-")
atexit.register(shutil.rmtree, tmp, True)
passed = failed = 0


def check(label, cond, why=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {label}: {why}")


def run(args):
    p = subprocess.run([weld] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def write(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


# ---- the model, from docs/plan.md ------------------------------------------------------------
TECH = ("wasm", "container")
KEYS = ("start_ms", "cpu_overhead", "io_overhead", "memory_base_mib", "memory_factor", "exposure")


def unary(c, prof, d):
    k = c[TECH[d]]
    t = prof["starts_per_hour"] * k["start_ms"] / 3600 + 1000 * prof["cpu"] * k["cpu_overhead"] + \
        1000 * prof["io"] * k["io_overhead"]
    m = k["memory_base_mib"] + k["memory_factor"] * prof["memory"] / 2**20
    s = 100 * prof["security"] * k["exposure"]
    return [round(c["alpha"] * t * 1000), round(c["beta"] * m * 1000), round(c["gamma"] * s * 1000)]


def pair(c, kind, cps, da, db):
    place = 2 if da != db else da
    return round(c["alpha"] * cps * c["interaction"][kind]["call_us"][place] / 1000 * 1000)


def coeffs(wasm, container, http):
    return {"alpha": 1.0, "beta": 0.1, "gamma": 1.0, "wasm": dict(zip(KEYS, wasm)),
            "container": dict(zip(KEYS, container)),
            "interaction": {"http": {"call_us": http, "mib_ms": [0.2, 1.0, 2.5]}}}


def to_toml(c):
    out = [f"alpha = {c['alpha']}", f"beta = {c['beta']}", f"gamma = {c['gamma']}"]
    for t in TECH:
        out.append(f"[{t}]")
        out += [f"{k} = {v}" for k, v in c[t].items()]
    out.append("[interaction.http]")
    out.append(f"call_us = {c['interaction']['http']['call_us']}")
    out.append(f"mib_ms = {c['interaction']['http']['mib_ms']}")
    return "\n".join(out) + "\n"


P = [{"cpu": 0.5, "memory": 64 << 20, "io": 0.2, "starts_per_hour": 10, "security": 0.3},
     {"cpu": 0.1, "memory": 16 << 20, "io": 0.9, "starts_per_hour": 600, "security": 0.1}]
MANIFEST = write("app.toml", "".join(
    f'[[service]]\nname = "s{i}"\nwasm = {{ module = "m.wasm" }}\ncontainer = {{ image = "r/i" }}\n'
    f'profile = {{ cpu = {p["cpu"]}, memory = {p["memory"]}, io = {p["io"]}, '
    f'starts_per_hour = {p["starts_per_hour"]}, security = {p["security"]} }}\n' for i, p in enumerate(P)) +
    '[[service]]\nname = "fixed"\ncontainer = { image = "r/i" }\n'
    'profile = { cpu = 0.1, memory = 1048576, io = 0, starts_per_hour = 1, security = 0 }\n'
    '[[interaction]]\nfrom = "s1"\nto = "fixed"\nkind = "http"\ncalls_per_second = 100\nbytes_per_call = 0\n')
PROFILES = P + [{"cpu": 0.1, "memory": 1 << 20, "io": 0, "starts_per_hour": 1, "security": 0}]


def predict(c):
    """the optimum by trying the four free assignments (fixed is a container)"""
    best = None
    for x0 in (0, 1):
        for x1 in (0, 1):
            x = (x0, x1, 1)
            cost = sum(sum(unary(c, PROFILES[i], x[i])) for i in range(3)) + pair(c, "http", 100, x[1], 1)
            if best is None or cost < best[0]:
                best = (cost, x)
    return best


sets = {
    # WebAssembly cheap everywhere, crossing cheap: both free services on wasm
    "wasm": coeffs([0.01, 0.01, 0.01, 0.02, 1.0, 0.1], [500, 0.2, 0.3, 3, 1.1, 0.5], [5, 60, 150]),
    # WebAssembly dear to run: both on containers
    "container": coeffs([50, 2.0, 1.5, 30, 2.0, 0.6], [100, 0.01, 0.02, 3, 1.0, 0.5], [5, 60, 150]),
    # as "wasm", but a crossing call costs 20 ms: s1 follows its forced neighbour
    "crossing": coeffs([0.01, 0.01, 0.01, 0.02, 1.0, 0.1], [500, 0.2, 0.3, 3, 1.1, 0.5], [5, 60, 20000]),
}
seen = set()
for name, c in sets.items():
    cost, x = predict(c)
    seen.add(x)
    files = {"toml": write(f"{name}.toml", to_toml(c)), "json": write(f"{name}.json", json.dumps(c, indent=1)),
             "efficiency.json": write(f"{name}-eff.json", json.dumps(
                 {"workload": "w", "ways": {"pooled": {"warm_ms": 1}}, "coefficients": c}))}
    for how, path in files.items():
        label = f"coefficients {name} ({how})"
        rc, out, err = run(["plan", "--json", "--coefficients", path, MANIFEST])
        if rc != 0:
            check(label, False, f"exit {rc}: {err.strip()}")
            continue
        d = json.loads(out)
        got = tuple(TECH.index(s["tech"]) for s in d["services"])
        costs_ok = all(round(float(s["cost"][t]["total"]) * 1000) == sum(unary(c, PROFILES[i], k))
                       for i, s in enumerate(d["services"]) for k, t in enumerate(TECH) if t in s["cost"])
        check(label, got == x and round(float(d["total"]) * 1000) == cost and costs_ok and d["coefficients"] == path,
              f"weld {got} total {d['total']}, this script {x} {cost / 1000:.3f}; costs match: {costs_ok}")
check("the three coefficient sets make three different plans", len(seen) == 3, f"plans {seen}")

# ---- malformed and wrong JSON ----------------------------------------------------------------------
bad = [
    ('{"wasm": {"start_ms": 1,\n  "cpu_overhead": }}', "2:19: JSON unexpected character"),
    ('{"wasm": {"start_ms": 1}', "1:25: JSON unexpected end"),
    ('{"wasm": {"start_ms": "fast"}}', "1:23: start_ms must be a number, not a string"),
    ('{"wasm": {"start_ms": -1}}', "1:23: start_ms must be a finite number from 0 to 1e9"),
    ('{\n  "wasm": {"spin_ms": 1}}', "2:23: unknown key 'spin_ms' in [wasm]"),
    ('{"interaction": {"http": {"call_us": [1, 2]}}}', "1:38: call_us must be an array of 3 numbers"),
    ('{"coefficients": [1]}', "1:18: \"coefficients\" must be an object, not an array"),
    ('{"wasm": null}', "1:10: null is not a coefficient"),
    ('{"ways": {}}', "1:10: unknown key 'ways'"),
]
for k, (text, want) in enumerate(bad):
    path = write(f"bad{k}.json", text)
    rc, out, err = run(["plan", "--coefficients", path, MANIFEST])
    lines = err.splitlines()
    check(f"bad JSON {k}", rc == 2 and len(lines) == 1 and lines[0].startswith(f"weld: {path}:{want}"),
          f"exit {rc}, stderr {err!r}, want 'weld: {path}:{want}'")

# ---- weld bench efficiency ---------------------------------------------------------------------------
SMALL = ["--tier", "interp", "--runs", "40", "--live", "16", "--cap", "400", "--budget", "1MiB", "--work", "300"]
noexport = write("noexport.wat", '(module (func (export "run") (param i32) (result i32) local.get 0))')
traps = write("traps.wat", '(module (func (export "work") (param i32) (result i32) unreachable))')
wrongtype = write("wrongtype.wat", '(module (func (export "work") (result i32) i32.const 1))')
notwasm = write("not.wasm", "hello")
for args, want_rc, want in [
    (["bench"], 2, "missing what to measure"), (["bench", "speed"], 2, "unknown benchmark 'speed'"),
    (["bench", "efficiency", "--runs", "0"], 2, "--runs: '0' is not a count"),
    (["bench", "efficiency", "--budget", "lots"], 2, "--budget: 'lots'"),
    (["bench", "efficiency", "--pool", "shared"], 2, "--pool: 'shared'"),
    (["bench", "efficiency", "--frobnicate"], 2, "--frobnicate"),
    (["bench", "efficiency", "--live", "10", "--cap", "5"], 2, "--live 10 is more than --cap 5"),
    (["bench", "efficiency", os.path.join(tmp, "none.wasm")], 2, "none.wasm"),
    (["bench", "efficiency", notwasm], 1, "not.wasm"),
    (["bench", "efficiency"] + SMALL + [noexport], 2, "exports no function 'work'"),
    (["bench", "efficiency"] + SMALL + [wrongtype], 2, "is not a function (i32) -> i32"),
    (["bench", "efficiency"] + SMALL + [traps], 1, "trapped: unreachable"),
]:
    rc, out, err = run(args)
    label = " ".join(a if "/" not in a else os.path.basename(a) for a in args)
    check(label, rc == want_rc and len(err.splitlines()) == 1 and want in err,
          f"exit {rc}, stderr {err!r}, want exit {want_rc} and {want!r}")

rc, out, err = run(["bench", "efficiency", "--json"] + SMALL)
try:
    d = json.loads(out) if rc == 0 else None
except ValueError as e:
    d = None
    err += f" (not JSON: {e})"
check("bench efficiency --json", d is not None and list(d)[:3] == ["schema_version", "command", "file"] and
      d["command"] == "bench efficiency" and d["file"] is None and d["workload"] == "built-in",
      f"exit {rc}: {err.strip()[:300]} {out[:200]!r}")
if d:
    pools = d.get("pools", {})
    check("both pools measured", sorted(pools) == ["copy-on-write", "resident"], f"{sorted(pools)}")
    # the native reference, computed here again: service.c's work(n)
    def work(n):
        table = [(i * 2654435761) & 0xFFFFFFFF for i in range(1024)]
        state = [0] * 256
        h = 2166136261
        for r in range(n):
            for i in range(256):
                h = ((h ^ table[(h + i) & 1023]) * 16777619) & 0xFFFFFFFF
                state[i] = (state[i] + h) & 0xFFFFFFFF
            h ^= state[r & 255]
        return h
    want1, wantn = work(1), work(300)
    check("native reference", d["native"]["result_n"] == wantn and d["native"]["cpu_ms"] > 0, f"{d['native']}, want {wantn}")
    for name, p in pools.items():
        label = f"bench efficiency pool {name}"
        check(label + ": answers", p["result1"] == want1 and p["result_n"] == wantn,
              f"{p['result1']}, {p['result_n']}; this script {want1}, {wantn}")
        check(label + ": positive", all(p[k] > 0 for k in ("cold_us", "warm_us", "warm_p90_us", "cpu_ms", "pss_bytes",
                                                             "rss_bytes", "base_pss_bytes", "density")), f"{p}")
        check(label + ": consistent", p["warm_p90_us"] >= p["warm_us"] and p["cold_us"] > p["warm_us"] and
              p["instances_made"] >= 16 and
              (p["density"] == p["instances_made"] if p["density_counted"] else p["instances_made"] == 400) and
              abs(p["cpu_overhead"] - (p["cpu_ms"] / d["native"]["cpu_ms"] - 1)) < 1e-3 * (1 + abs(p["cpu_overhead"])),
              f"{p}")
    res = pools["resident"]
    w = d["coefficients"]["wasm"]
    check("bench efficiency coefficients", abs(w["start_ms"] - res["warm_us"] / 1000) <= 1e-5 * w["start_ms"] and
          abs(w["memory_base_mib"] - res["pss_bytes"] / 2**20) <= 1e-5 * w["memory_base_mib"] and
          abs(w["cpu_overhead"] - max(res["cpu_overhead"], 0)) <= 1e-5 * (1 + w["cpu_overhead"]), f"{w} from {res}")
    # weld plan reads the document; its wasm costs follow those coefficients
    path = write("bench.json", out)
    c = coeffs([0.0025, 0.18, 0.1, 0.018, 1.0, 0.1], [549, 0.0095, 0.04, 3.1, 1.1, 0.5], [5, 60, 150])
    c["wasm"].update(w)
    rc, pout, perr = run(["plan", "--json", "--coefficients", path, MANIFEST])
    pd = json.loads(pout) if rc == 0 else None
    check("weld plan --coefficients (bench efficiency --json)",
          pd is not None and all(round(float(s["cost"]["wasm"]["total"]) * 1000) == sum(unary(c, PROFILES[i], 0))
                                 for i, s in enumerate(pd["services"][:2])),
          f"exit {rc}: {perr.strip()} {pd and [s['cost'] for s in pd['services'][:2]]}")
rc, out, err = run(["bench", "efficiency", "--pool", "resident"] + SMALL)
check("bench efficiency (text)", rc == 0 and "resident" in out and "copy-on-write" not in out and
      "[wasm]" in out and "start_ms = " in out, f"exit {rc}: {err.strip()} {out[:300]!r}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

#!/usr/bin/env python3
"""tests/plan/history.py WELD: `weld plan --history` against this script's own reading of
docs/plan.md ("History"): it writes history databases itself (the documented schema,
through Python's sqlite3 module), computes the blended costs it expects (weighted means,
lambda 0.3, a measurement replacing the estimate from 3 runs on and in proportion before)
and compares them with weld's --json; checks that the plan changes when the history says
so and that the explanation cites it; and that a missing, corrupt, foreign, newer, locked
or badly filled database is one clear line and exit 2.
Ends with `N passed, M failed[, K skipped]`."""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

weld = os.path.abspath(sys.argv[1])
passed = failed = skipped = 0


def check(label, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL [{label}] {detail}")


def run(*args):
    p = subprocess.run([weld, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


SCHEMA = """
PRAGMA application_id = 1464159300;  -- 0x57454C44, "WELD"
PRAGMA user_version = 1;
CREATE TABLE run(id INTEGER PRIMARY KEY, app TEXT NOT NULL, at REAL NOT NULL, uptime_s REAL NOT NULL);
CREATE TABLE service(run INTEGER NOT NULL REFERENCES run(id), service TEXT NOT NULL,
  tech TEXT NOT NULL CHECK (tech IN ('wasm', 'container')), start_ms REAL, uptime_s REAL NOT NULL, cpu_s REAL,
  peak_rss_mib REAL, calls INTEGER NOT NULL, errors INTEGER NOT NULL, p50_ms REAL, p95_ms REAL);
CREATE TABLE interaction(run INTEGER NOT NULL REFERENCES run(id), caller TEXT NOT NULL, callee TEXT NOT NULL,
  kind TEXT NOT NULL, placement TEXT NOT NULL CHECK (placement IN ('both wasm', 'both container', 'crossing')),
  calls INTEGER NOT NULL, errors INTEGER NOT NULL, bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL,
  latency_sum_ms REAL NOT NULL, p50_ms REAL, p95_ms REAL);
"""

# two services whose estimates favour WebAssembly (they start often; containers start slowly)
MANIFEST = """name = "pair"
[[service]]
name = "front"
[service.wasm]
module = "front.wasm"
[service.container]
layout = "oci/front"
[service.profile]
cpu = 0.05
io = 0
memory = "16MiB"
starts_per_hour = 600
security = 0.2
[[service]]
name = "back"
[service.wasm]
module = "back.wasm"
[service.container]
layout = "oci/back"
[service.profile]
cpu = 0.05
io = 0
memory = "16MiB"
starts_per_hour = 600
security = 0.2
[[interaction]]
from = "front"
to = "back"
kind = "http"
calls_per_second = 10
"""
PROFILE = {"cpu": 0.05, "memory": 16.0, "io": 0.0, "sph": 600.0}
# the defaults of docs/plan.md's table
D = {"start_ms": [0.0025, 549.0], "cpu_overhead": [0.18, 0.0095], "io_overhead": [0.1, 0.04],
     "mem_base": [0.018, 3.1], "mem_factor": [1.0, 1.1]}
HTTP_CALL_US = [5.0, 60.0, 150.0]  # both wasm, both container, crossing
ALPHA, BETA = 1.0, 0.1
LAMBDA, MIN = 0.3, 3
TECHS = ["wasm", "container"]


def ewma(xs):
    m = None
    for x in xs:
        m = x if m is None else LAMBDA * x + (1 - LAMBDA) * m
    return m


def blend(xs, est):
    if not xs:
        return est
    c = min(1.0, len(xs) / MIN)
    return c * ewma(xs) + (1 - c) * est


def expected(svc_rows, int_rows):
    """svc_rows: {(service, tech): [(start_ms, uptime_s, cpu_s, rss), ...]} oldest first;
    int_rows: [(placement, calls, bytes, latency_sum_ms, uptime)], one per run, oldest first.
    Returns ({service: {tech: (time, memory)}}, [ww, wc, cw, cc] of the interaction)."""
    out = {}
    for name in ("front", "back"):
        out[name] = {}
        for d, t in enumerate(TECHS):
            rows = svc_rows.get((name, t), [])
            start = blend([r[0] for r in rows if r[0] is not None], D["start_ms"][d])
            work = 1000 * PROFILE["cpu"]
            lost = blend([max(0.0, r[2] * 1000 / r[1] - work) for r in rows], work * D["cpu_overhead"][d])
            mem = blend([r[3] for r in rows], D["mem_base"][d] + D["mem_factor"][d] * PROFILE["memory"])
            out[name][t] = (ALPHA * (PROFILE["sph"] * start / 3600 + lost), BETA * mem)
    calls = blend([r[1] / r[4] for r in int_rows], 10.0)
    table = []
    for da in range(2):
        for db in range(2):
            cb = 2 if da != db else (0 if da == 0 else 1)
            p = ("both wasm", "both container", "crossing")[cb]
            us = blend([r[3] * 1000 / r[1] for r in int_rows if r[0] == p and r[1] > 0], HTTP_CALL_US[cb])
            table.append(ALPHA * calls * us / 1000)  # no bytes declared or recorded
    return out, table


def make_db(path, svc_rows, int_rows, app="pair"):
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    nruns = max([len(v) for v in svc_rows.values()] + [len(int_rows)])
    for k in range(nruns):
        # the run's uptime: its services' (the interactions' rows carry the same)
        ups = [rows[k][1] for rows in svc_rows.values() if k < len(rows)]
        ups += [int_rows[k][4]] if k < len(int_rows) else []
        up = ups[0] if ups else None
        cur = db.execute("INSERT INTO run(app, at, uptime_s) VALUES (?, ?, ?)", (app, 1000.0 + k, up or 10.0))
        rid = cur.lastrowid
        for (name, tech), rows in svc_rows.items():
            if k < len(rows):
                s, u, c, m = rows[k]
                db.execute("INSERT INTO service VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, NULL, NULL)", (rid, name, tech, s, u, c, m))
        if k < len(int_rows):
                p, calls, nbytes, lat, u = int_rows[k]
                db.execute("INSERT INTO interaction VALUES (?, 'front', 'back', 'http', ?, ?, 0, ?, 0, ?, NULL, NULL)",
                           (rid, p, calls, nbytes, lat))
    db.commit()
    db.close()


def plan_json(*extra):
    rc, out, err = run("plan", "--json", *extra, "app.toml")
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, None, err


def compare(label, doc, exp, table):
    if doc is None:
        check(label, False, "no JSON")
        return
    for s in doc["services"]:
        for t in TECHS:
            got = (s["cost"][t]["time"], s["cost"][t]["memory"])
            want = exp[s["name"]][t]
            check(f"{label}: {s['name']} {t}", all(abs(g - w) <= 0.0015 for g, w in zip(got, want)),
                  f"time, memory {got}, expected {want}")
    got = doc["interactions"][0]["table"]
    check(f"{label}: interaction table", all(abs(g - w) <= 0.0015 for g, w in zip(got, table)),
          f"{got}, expected {table}")


os.chdir(tempfile.mkdtemp())
with open("app.toml", "w") as f:
    f.write(MANIFEST)

rc, doc, err = plan_json()
check("estimates alone", rc == 0 and doc and [s["tech"] for s in doc["services"]] == ["wasm", "wasm"],
      f"rc {rc}, {err.strip()}")

# availability: a weld without SQLite says so, and the rest is skipped
open("empty.db", "wb").close()
make_db("probe.db", {}, [])
rc, out, err = run("plan", "--history", "probe.db", "app.toml")
if "not supported: history" in err:
    check("without SQLite: one line, exit 2", rc == 2 and err.count("\n") == 1, err)
    skipped += 1
    print("SKIP [history] weld was built without SQLite: " + err.strip())
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 0)

# three runs: WebAssembly started slowly and held much memory; containers started fast
svc3 = {}
for name in ("front", "back"):
    svc3[(name, "wasm")] = [(900.0, 10.0, 0.6, 300.0), (1100.0, 10.0, 0.5, 280.0), (1000.0, 20.0, 1.2, 320.0)]
    svc3[(name, "container")] = [(25.0, 10.0, 0.5, 9.0), (30.0, 10.0, 0.6, 11.0), (20.0, 20.0, 1.0, 10.0)]
int3 = [("both container", 50, 0, 3.0, 10.0), ("crossing", 80, 0, 14.0, 10.0), ("both container", 200, 0, 10.0, 20.0)]
make_db("h3.db", svc3, int3)
exp, table = expected(svc3, int3)
rc, doc, err = plan_json("--history", "h3.db")
check("history: plan changes", rc == 0 and doc and [s["tech"] for s in doc["services"]] == ["container", "container"],
      f"rc {rc}, {err.strip()}, {doc and [s['tech'] for s in doc['services']]}")
compare("history, 3 runs", doc, exp, table)
check("history: JSON names it", doc and doc.get("history") == "h3.db" and doc.get("history_runs") == 3, str(doc and doc.get("history")))
check("history: confidence in JSON", doc and doc["services"][0]["measured"]["wasm"] == {"runs": 3, "confidence_pct": 100},
      str(doc and doc["services"][0].get("measured")))
rc, out, err = run("plan", "--explain", "--history", "h3.db", "app.toml")
check("explanation cites the history", rc == 0 and "history: h3.db, 3 runs" in out
      and "history: wasm 3 runs (100%), container 3 runs (100%)" in out
      and "measured wasm      3 runs: start 972.0 ms (100%), CPU 57.9 ms/s (100%), peak 301.8 MiB (100%)" in out, out + err)

# two runs: measurements blend in at 2/3; one for wasm only
svc2 = {k: v[:2] for k, v in svc3.items()}
svc2[("back", "container")] = []
make_db("h2.db", {k: v for k, v in svc2.items() if v}, int3[:1])
exp, table = expected(svc2, int3[:1])
rc, doc, err = plan_json("--history", "h2.db")
check("partial history: a plan", rc == 0 and doc is not None, err)
compare("history, 2 runs", doc, exp, table)
rc, out, err = run("plan", "--history", "h2.db", "app.toml")
check("partial confidence shown", "history: wasm 2 runs (67%), container 0 runs (0%)" in out, out)

# a start is recorded once: later runs of the same service leave it NULL
svcn = {("front", "wasm"): [(900.0, 10.0, 0.6, 300.0), (None, 10.0, 0.5, 280.0), (None, 20.0, 1.2, 320.0)]}
make_db("hn.db", svcn, [])
exp, table = expected(svcn, [])
rc, doc, err = plan_json("--history", "hn.db")
compare("history with NULL starts", doc, exp, table)
rc, out, err = run("plan", "--explain", "--history", "hn.db", "app.toml")
check("NULL starts: the least confidence shown", "history: wasm 3 runs (33%), container 0 runs (0%)" in out
      and "measured wasm      3 runs: start 900.0 ms (33%), CPU 57.9 ms/s (100%)" in out, out)

# another application's runs do not count
make_db("other.db", svc3, int3, app="other")
rc, doc, err = plan_json("--history", "other.db")
check("other application's runs ignored", rc == 0 and doc and doc.get("history_runs") == 0
      and [s["tech"] for s in doc["services"]] == ["wasm", "wasm"], f"{err} {doc and doc.get('history_runs')}")


def bad(label, path, want):
    rc, out, err = run("plan", "--history", path, "app.toml")
    check(label, rc == 2 and want in err and err.count("\n") == 1 and not out, f"rc {rc}: {err!r}")


bad("missing database", "nope.db", "nope.db: no history database there")
with open("corrupt.db", "wb") as f:
    f.write(b"this is not an SQLite file at all" * 200)
bad("corrupt database", "corrupt.db", "corrupt.db: not a weld history database or corrupt")
# an SQLite file cut short
with open("h3.db", "rb") as f:
    head = f.read(4096 + 100)
with open("cut.db", "wb") as f:
    f.write(head[:2048])
rc, out, err = run("plan", "--history", "cut.db", "app.toml")
check("truncated database", rc == 2 and err.count("\n") == 1 and "cut.db:" in err, f"rc {rc}: {err!r}")
db = sqlite3.connect("foreign.db")
db.execute("CREATE TABLE t(x)")
db.commit()
db.close()
bad("foreign database", "foreign.db", "foreign.db: not a weld history database (application_id 0)")
bad("empty database", "empty.db", "empty.db: an empty database, no weld history in it")
make_db("newer.db", svc3, [])
db = sqlite3.connect("newer.db")
db.execute("PRAGMA user_version = 2")
db.commit()
db.close()
bad("newer schema", "newer.db", "newer.db: history schema version 2; this weld reads version 1")
make_db("neg.db", {("front", "wasm"): [(-5.0, 10.0, 0.1, 1.0)]}, [])
bad("negative value", "neg.db", "neg.db: table service, run 1: start_ms must be a number from 0, not '-5.0'")
make_db("text.db", {("front", "wasm"): [("fast", 10.0, 0.1, 1.0)]}, [])
bad("text value", "text.db", "text.db: table service, run 1: start_ms must be a number from 0, not 'fast'")

# locked: another process holds an exclusive lock until this script closes its stdin
holder = subprocess.Popen([sys.executable, "-c", """
import sqlite3, sys
c = sqlite3.connect('h3.db', isolation_level=None)
c.execute('BEGIN EXCLUSIVE')
print('locked', flush=True)
sys.stdin.read()
"""], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
line = holder.stdout.readline()
bad("locked database", "h3.db", "h3.db: the history database is locked by another process")
holder.stdin.close()
holder.wait()
rc, doc, err = plan_json("--history", "h3.db")
check("unlocked again", rc == 0 and doc is not None, err)

print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed else 0)

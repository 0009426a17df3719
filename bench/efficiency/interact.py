#!/usr/bin/env python3
"""The interaction costs of the planner's model, measured through `weld up` (as root, with
runc and a weld built with libmicrohttpd): one HTTP request and its response between two
services, for each placement (bench/efficiency.sh runs it through run.py).

One application, four services: `web` and `back`, two WebAssembly HTTP components
(tests/http/handler.wat, served by the supervisor, a fresh instance per request); `ca` and
`cc`, two containers of tests/hybrid/agg.c (static, under runc). Interactions web->back,
web->ca, cc->ca and cc->back make the executor open their routes through its proxy, as for
any application (cc serves on 9090: its route to ca is 127.0.0.1:8080 in its namespace). Then, REQS requests each (one connection per request, medians):

  both wasm       web's own call: GET /fetch to web with x-upstream naming its route to
                  back (the component calls back through wasi:http), less a GET that makes
                  no call (the same request, handled without the call)
  wasm->container the same with the route to ca
  both container  a client inside cc's network namespace calling WELD_ADDR_CA (cc's route
                  to ca), as cc itself would
  container->wasm the same with WELD_ADDR_BACK

Every answer is checked. Prints JSON: the four medians (µs) and the planner's call_us for
http, [both wasm, both container, crossing] with crossing the mean of the two directions.
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, "..", ".."))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, here)
import httplat  # noqa: E402


def free_ports(n):
    ss = [socket.socket() for _ in range(n)]
    for s in ss:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in ss]
    for s in ss:
        s.close()
    return ports


def why_not(weld):
    if os.geteuid() != 0:
        return "runc needs root here"
    if not os.access("/usr/sbin/runc", os.X_OK) and not subprocess.run(["which", "runc"], capture_output=True).stdout:
        return "no runc"
    h = subprocess.run([weld, "serve", "--help"], capture_output=True, text=True)
    if "not supported" in h.stdout + h.stderr:
        return "weld was built without libmicrohttpd (no HTTP component services)"
    return None


def measure(weld, reqs):
    weld = os.path.abspath(weld)
    tmp = tempfile.mkdtemp(prefix="weld-effcall-")
    env = dict(os.environ, WELD_RUN_DIR=f"{tmp}/run", WELD_CONFIG=f"{tmp}/none.toml")
    subprocess.run(["gcc", "-static", "-O2", "-o", f"{tmp}/agg", f"{root}/tests/hybrid/agg.c"], check=True)
    subprocess.run([sys.executable, f"{root}/tests/hybrid/mkimage.py", "svc", f"{tmp}/oci/agg", "1", f"{tmp}/agg"],
                   check=True, stdout=subprocess.DEVNULL)
    pw, pb, pc, pcc = free_ports(4)
    handler = f"{root}/tests/http/handler.wat"
    def wasm(name, port):
        return f'[[service]]\nname = "{name}"\ntech = "wasm"\n[service.wasm]\ncomponent = "{handler}"\nlisten = {port}\n'

    def container(name, inside, port):
        return (f'[[service]]\nname = "{name}"\ntech = "container"\n[service.container]\nlayout = "{tmp}/oci/agg:1"\n'
                f'command = ["/svc", "serve", "{inside}"]\nports = ["{port}:{inside}"]\n')

    with open(f"{tmp}/app.toml", "w") as f:
        f.write('name = "effcall"\n' + wasm("web", pw) + wasm("back", pb) + container("ca", 8080, pc) +
                container("cc", 9090, pcc) +
                "".join(f'[[interaction]]\nfrom = "{a}"\nto = "{b}"\nkind = "http"\ncalls_per_second = 1\n'
                        for a, b in (("web", "back"), ("web", "ca"), ("cc", "ca"), ("cc", "back"))))
    up = subprocess.run([weld, "up", f"{tmp}/app.toml"], capture_output=True, text=True, env=env)
    if up.returncode != 0:
        raise RuntimeError(f"weld up: {up.stderr.strip()[:300]}")
    try:
        log = open(f"{tmp}/run/effcall/supervisor.log").read()
        route = {m.group(1): int(m.group(2)) for m in re.finditer(r"web: its calls to (\w+) go through 127\.0\.0\.1:(\d+)", log)}
        if set(route) != {"back", "ca"}:
            raise RuntimeError(f"web's routes not in supervisor.log: {route}")
        cpid = None
        for _ in range(100):  # the containers start in the background
            ps = subprocess.run([weld, "ps", "effcall"], capture_output=True, text=True, env=env).stdout
            cols = next((line.split() for line in ps.splitlines() if line.split()[:1] == ["cc"]), [])
            if len(cols) > 3 and cols[3].isdigit():
                cpid = int(cols[3])
                break
            time.sleep(0.1)
        if cpid is None:
            raise RuntimeError(f"cc never ran: {ps}")
        cenv = dict(e.split("=", 1) for e in open(f"/proc/{cpid}/environ").read().split("\0") if "=" in e)
        # the services answer before the timing starts
        for _ in range(200):
            try:
                httplat.time_requests(pw, 1, httplat.request("/plain"))
                httplat.time_requests(pc, 1, httplat.request("/"))
                break
            except (OSError, SystemExit):
                time.sleep(0.05)
        fetch = lambda p: httplat.request("/fetch", headers=[f"x-upstream:127.0.0.1:{p}"])
        res = {}
        # interleaved rounds, so the machine's load falls on every path alike
        rounds, per = 5, max(reqs // 5, 1)
        samples = {k: [] for k in ("plain", "web_back", "web_ca", "cc_ca", "cc_back")}
        for _ in range(rounds):
            samples["plain"].append(httplat.time_requests(pw, per, httplat.request("/plain"))[0])
            samples["web_back"].append(httplat.time_requests(pw, per, fetch(route["back"]), b"")[0])
            samples["web_ca"].append(httplat.time_requests(pw, per, fetch(route["ca"]), b"")[0])
            for name, var in (("cc_ca", "WELD_ADDR_CA"), ("cc_back", "WELD_ADDR_BACK")):
                port = cenv[var].rsplit(":", 1)[1]
                out = subprocess.run(["nsenter", f"--net=/proc/{cpid}/ns/net", sys.executable, f"{here}/httplat.py",
                                      port, str(per)] + (["--path", "/plain"] if name == "cc_back" else []),
                                     capture_output=True, text=True)
                if out.returncode != 0:
                    raise RuntimeError(f"{name}: {out.stderr.strip()[:300]}")
                samples[name].append(float(out.stdout.split()[0]))
        for k, v in samples.items():
            res[k + "_us"] = sorted(v)[len(v) // 2]
        ww = max(res["web_back_us"] - res["plain_us"], 0)
        wc = max(res["web_ca_us"] - res["plain_us"], 0)
        res["call_us_http"] = [round(ww, 1), round(res["cc_ca_us"], 1), round((wc + res["cc_back_us"]) / 2, 1)]
        res["requests"] = rounds * per
        return res
    finally:
        subprocess.run([weld, "down", "effcall"], capture_output=True, env=env)
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    weld = sys.argv[1] if len(sys.argv) > 1 else "build/weld"
    why = why_not(weld)
    if why:
        print(json.dumps({"skipped": why}))
    else:
        print(json.dumps(measure(weld, int(os.environ.get("EFF_REQS", "300"))), indent=1))

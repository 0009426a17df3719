#!/usr/bin/env python3
"""Charts of the efficiency model (bench/efficiency.sh runs it after run.py): reads
DIR/efficiency.json and, when gnuplot is there, draws DIR/efficiency.png and .svg — per
way of running the workload, warm and cold start (ms), memory per instance (PSS, KiB) and
CPU overhead over native (%), each on its own panel, start and memory on log scales.
Without gnuplot it says so and draws nothing.

    bench/efficiency/charts.py DIR
"""
import json
import os
import shutil
import subprocess
import sys

d = sys.argv[1]
with open(os.path.join(d, "efficiency.json")) as f:
    res = json.load(f)
if not shutil.which("gnuplot"):
    print("efficiency: no charts: gnuplot is not installed (bench/setup.sh installs gnuplot-nox)", file=sys.stderr)
    sys.exit(0)
labels = {"pooled": "pooled (CoW)", "pooled-resident": "pooled (resident)", "weld-run": "weld run",
          "native": "native", "node": "Node.js", "runc": "runc"}
ways = [(k, v) for k, v in res["ways"].items() if k in labels]
dat = os.path.join(d, "efficiency.dat")
with open(dat, "w") as f:
    f.write("# way warm_ms cold_ms pss_kib cpu_overhead_pct\n")
    for k, m in ways:
        def g(key, scale=1.0):
            v = m.get(key)
            return "?" if v is None else f"{v * scale:.6g}"
        f.write(f"\"{labels[k]}\" {g('warm_ms')} {g('cold_ms')} {g('pss', 1 / 1024)} {g('cpu_overhead', 100)}\n")
cpus = [m["cpu_overhead"] * 100 for _, m in ways if m.get("cpu_overhead") is not None]
cpu_min = min([0.0] + cpus) * 1.2  # a way faster than native goes below 0
title = f"work({res.get('work_n')}) of bench/efficiency/service.c, weld's {res.get('tier')} tier"
script = f"""
set termoption noenhanced
set datafile missing "?"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid ytics
set xtics rotate by -30 scale 0
set key top left
set multiplot layout 1,3 title "{title}"
set title "start (ms, log scale; lower is better)"
set logscale y
plot '{dat}' using 2:xtic(1) title "warm", '' using 3 title "cold"
set title "memory per instance (PSS KiB, log scale)"
plot '{dat}' using 4:xtic(1) notitle lc 3
unset logscale y
set title "CPU over native (%)"
set yrange [{cpu_min}:*]
set offsets 0, 0, graph 0.1, 0
plot '{dat}' using 5:xtic(1) notitle lc 4
unset multiplot
"""
made = []
for term, ext in (("pngcairo size 1500,520 font \",10\"", "png"), ("svg size 1500,520 dynamic font \"sans,10\"", "svg")):
    out = os.path.join(d, f"efficiency.{ext}")
    p = subprocess.run(["gnuplot"], input=f"set terminal {term}\nset output '{out}'\n{script}", text=True,
                       capture_output=True)
    if p.returncode != 0:
        print(f"efficiency: gnuplot failed for {out}: {p.stderr.strip()[:300]}", file=sys.stderr)
        sys.exit(1)
    made.append(out)
print("efficiency: charts " + ", ".join(made), file=sys.stderr)

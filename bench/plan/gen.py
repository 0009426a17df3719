#!/usr/bin/env python3
"""A random application manifest for the planner's benchmark.

  bench/plan/gen.py SEED SERVICES INTERACTIONS [SAME_AS] [DIFFERENT_FROM] > app.toml

Profiles, interaction kinds, rates and sizes are drawn uniformly (seeded); 5% of the
services have one variant only (forced), the rest both. SAME_AS and DIFFERENT_FROM
constraints join random services, kept consistent (a random hidden colouring decides
which pairs may be different_from) so the application always has a plan."""
import random
import sys

seed, n, m = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
n_same = int(sys.argv[4]) if len(sys.argv) > 4 else 0
n_diff = int(sys.argv[5]) if len(sys.argv) > 5 else 0
rng = random.Random(seed)
colour = [rng.randrange(2) for _ in range(n)]
forced = [None] * n
for i in range(n):
    if rng.random() < 0.05:
        forced[i] = rng.randrange(2)
        # keep the hidden colouring consistent with what is forced
        colour[i] = forced[i]
cons = [[] for _ in range(n)]
for kind, count in (("same_as", n_same), ("different_from", n_diff)):
    made = 0
    while made < count:
        a, b = rng.randrange(n), rng.randrange(n)
        if a == b or (colour[a] == colour[b]) != (kind == "same_as"):
            continue
        cons[a].append((kind, b))
        made += 1
out = []
for i in range(n):
    out.append("[[service]]")
    out.append(f'name = "s{i}"')
    if forced[i] is None or forced[i] == 0:
        out.append('wasm = { module = "s.wasm" }')
    if forced[i] is None or forced[i] == 1:
        out.append('container = { image = "registry.local/s:1" }')
    out.append("profile = { cpu = %.3f, memory = \"%dMiB\", io = %.3f, starts_per_hour = %.1f, security = %.3f }"
               % (rng.random(), rng.randrange(4, 1024), rng.random(), rng.random() * 3600, rng.random()))
    if cons[i]:
        same = [f'"s{b}"' for k, b in cons[i] if k == "same_as"]
        diff = [f'"s{b}"' for k, b in cons[i] if k == "different_from"]
        parts = []
        if same:
            parts.append("same_as = [%s]" % ", ".join(same))
        if diff:
            parts.append("different_from = [%s]" % ", ".join(diff))
        out.append("constraints = { %s }" % ", ".join(parts))
for _ in range(m):
    a = rng.randrange(n)
    b = rng.randrange(n - 1)
    b = b + 1 if b >= a else b
    out.append("[[interaction]]")
    out.append(f'from = "s{a}"')
    out.append(f'to = "s{b}"')
    out.append('kind = "%s"' % rng.choice(["http", "tcp", "pipe"]))
    out.append("calls_per_second = %.2f" % (rng.random() * 500))
    out.append("bytes_per_call = %d" % rng.randrange(65536))
print("\n".join(out))

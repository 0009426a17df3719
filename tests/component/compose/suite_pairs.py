#!/usr/bin/env python3
"""Chooses compositions of the components in a folder (suite_components.py's output) worth
trying: for each component with imports, the first components that export a name it
imports (the same name), one and two of them. Reads each component's imports and exports
with `weld inspect --json`. Prints one composition a line: ROOT PLUG [PLUG].

    suite_pairs.py WELD DIR [MAX]
"""
import json
import os
import subprocess
import sys

weld, folder = sys.argv[1], sys.argv[2]
limit = int(sys.argv[3]) if len(sys.argv) > 3 else 600
names = {}
for f in sorted(os.listdir(folder)):
    if not f.endswith(('.wasm', '.wat')):
        continue
    path = os.path.join(folder, f)
    r = subprocess.run([weld, 'inspect', '--json', path], capture_output=True, text=True)
    try:
        d = json.loads(r.stdout)
    except ValueError:
        continue
    if not d.get('valid'):
        continue
    names[path] = ({i['name'] for i in d.get('imports') or []}, {e['name'] for e in d.get('exports') or []})
out = []
for root, (imports, _) in names.items():
    if not imports:
        continue
    plugs = [p for p, (_, exports) in names.items() if p != root and exports & imports][:3]
    for p in plugs:
        out.append('%s %s' % (root, p))
    if len(plugs) >= 2:
        out.append('%s %s %s' % (root, plugs[0], plugs[1]))
for line in out[:limit]:
    print(line)

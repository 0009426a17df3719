#!/usr/bin/env python3
"""Writes the top-level components of .wast scripts to files, for composing them with
each other (run.sh): binary ones as .wasm, text ones as .wat (those inside assert_* are
left out). Reads the scripts with tests/component/extract.py's reader.

    suite_components.py OUTDIR SCRIPT...
"""
import importlib.util
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('extract', os.path.join(here, '..', 'extract.py'))
extract = importlib.util.module_from_spec(spec)
argv = sys.argv
sys.argv = ['extract.py', os.path.join(argv[1], 'binary')]
stdout, sys.stdout = sys.stdout, open(os.devnull, 'w')
spec.loader.exec_module(extract)  # its main() runs on no script
sys.stdout, sys.argv = stdout, argv

outdir = sys.argv[1]
count = 0
for path in sys.argv[2:]:
    base = os.path.splitext(os.path.basename(path))[0]
    for k, f in enumerate(extract.forms(open(path, encoding='utf-8').read())):
        if not re.match(r'\(component\b', f) or re.match(r'\(component\s+instance\b', f):
            continue
        m = re.match(r'\(component(\s+definition)?(\s+\$\S+)?\s+binary\b', f)
        if m:
            body = re.sub(r';;[^\n]*', '', f[f.index('binary') + 6:])
            data = b''.join(extract.string_bytes(s) for s in re.findall(r'"((?:[^"\\]|\\.)*)"', body))
            name, mode = '%s-%03d.wasm' % (base, k), 'wb'
        elif re.match(r'\(component\s+(definition\s+)?(\$\S+\s+)?quote\b', f):
            continue
        else:
            data = re.sub(r'^\(component\s+definition\b', '(component', f).encode()
            name = '%s-%03d.wat' % (base, k)
        with open(os.path.join(outdir, name), 'wb') as o:
            o.write(data)
        count += 1
print('%d components' % count)

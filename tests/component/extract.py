#!/usr/bin/env python3
"""Writes the binary components of .wast scripts to files: every `(component binary ...)`
(also `component definition` and `component $id`) at the top level of a script, valid
ones only (those inside assert_* are left out). Used for mutation tests and fuzz seeds.

    extract.py OUTDIR SCRIPT...
"""
import os
import re
import sys


def forms(src):
    """Top-level parenthesised forms of a script, comments removed."""
    i, n = 0, len(src)
    depth, start = 0, None
    while i < n:
        c = src[i]
        if c == ';' and src.startswith(';;', i):
            i = src.find('\n', i)
            if i < 0:
                break
            continue
        if c == '(' and src.startswith('(;', i):
            i = src.find(';)', i) + 2
            continue
        if c == '"':
            i += 1
            while i < n and src[i] != '"':
                i += 2 if src[i] == '\\' else 1
        elif c == '(':
            if depth == 0:
                start = i
            depth += 1
        elif c == ')':
            depth -= 1
            if depth == 0:
                yield src[start:i + 1]
        i += 1


def string_bytes(s):
    out = bytearray()
    i = 0
    while i < len(s):
        if s[i] == '\\':
            e = s[i + 1]
            simple = {'n': 10, 't': 9, 'r': 13, '"': 34, "'": 39, '\\': 92}
            if e in simple:
                out.append(simple[e])
                i += 2
            else:
                out.append(int(s[i + 1:i + 3], 16))
                i += 3
        else:
            out += s[i].encode()
            i += 1
    return bytes(out)


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    count = 0
    for path in sys.argv[2:]:
        base = os.path.splitext(os.path.basename(path))[0]
        for k, f in enumerate(forms(open(path, encoding='utf-8').read())):
            if not re.match(r'\(component(\s+definition)?(\s+\$\S+)?\s+binary\b', f):
                continue
            body = re.sub(r';;[^\n]*', '', f[f.index('binary') + 6:])
            data = b''.join(string_bytes(s) for s in re.findall(r'"((?:[^"\\]|\\.)*)"', body))
            with open(os.path.join(outdir, '%s-%03d.wasm' % (base, k)), 'wb') as o:
                o.write(data)
            count += 1
    print('%d components' % count)


main()

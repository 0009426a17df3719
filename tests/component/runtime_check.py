#!/usr/bin/env python3
"""The weld side of tests/component/runtime.sh.

  runtime_check.py WELD DIR

1. every call of DIR/cases.json through `weld run --invoke CALL DIR/FILE.wasm`: its output
   must be the line Node.js printed for the same call (DIR/node.txt, runtime_node.mjs);
2. every `;; expect CALL => TEXT` line of DIR/traps.wat and DIR/resources.wat: the call
   must trap (exit status 134) with TEXT in weld's message, or print VALUE for `=VALUE`;
3. the command line's refusals on components.
Prints each failure and ends with `N passed, M failed`.
"""
import json
import os
import re
import subprocess
import sys

weld, d = sys.argv[1], sys.argv[2]
passed = failed = 0

def ok():
    global passed
    passed += 1

def bad(label, why):
    global failed
    failed += 1
    print("FAIL [%s] %s" % (label, why))

def run(args):
    p = subprocess.run([weld, "run"] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr

# 1. against Node.js
cases = json.load(open(os.path.join(d, "cases.json")))
node = open(os.path.join(d, "node.txt"), encoding="utf-8").read().split("\n")
for i, c in enumerate(cases):
    label = "%s: %s" % (c["file"], c["wave"][:70])
    want = node[i] if i < len(node) else "<missing>"
    rc, out, err = run(["--invoke", c["wave"], os.path.join(d, c["file"] + ".wasm")])
    got = out.rstrip("\n") if rc == 0 else "trap" if rc == 134 else "error: " + err.strip()
    if got == want: ok()
    else: bad(label, "weld: %s, Node.js: %s" % (got, want))

# 2. the expectations written in the components
for name in ("traps", "resources"):
    src = open(os.path.join(d, name + ".wat"), encoding="utf-8").read()
    for m in re.finditer(r"^;; expect (.*?) => (.*)$", src, re.M):
        call, want = m.group(1), m.group(2)
        label = "%s: %s" % (name, call)
        rc, out, err = run(["--invoke", call, os.path.join(d, name + ".wasm")])
        if want.startswith("="):
            if rc == 0 and out.rstrip("\n") == want[1:]: ok()
            else: bad(label, "expected %s, got status %d: %s%s" % (want[1:], rc, out, err.strip()))
        elif rc == 134 and want in err and err.count("\n") == 1: ok()
        else: bad(label, "expected a trap with `%s`, got status %d: %s%s" % (want, rc, out, err.strip()))

# 3. the command line
def check(label, args, want_rc, want_err):
    rc, out, err = run(args)
    if rc == want_rc and want_err in err: ok()
    else: bad(label, "status %d: %s%s" % (rc, out, err.strip()))

values = os.path.join(d, "values.wasm")
check("no --invoke", [values], 1, "exports no wasi:cli/run interface")
check("arguments after the file", ["--invoke", "f0(true)", values, "x"], 2, "go inside --invoke")
check("unknown export", ["--invoke", "nope()", values], 1, "no exported function `nope`")
check("bad WAVE", ["--invoke", "f2(256, (0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))", values], 2, "integer `256` out of range at column 4")
check("too few arguments", ["--invoke", "f2(1)", values], 2, "too few arguments")
check("missing parentheses", ["--invoke", "f2", values], 2, "expected `(`")
check("unclosed string", ["--invoke", 'len("abc)', os.path.join(d, "flat.wasm")], 2, "unterminated string")
# several calls on one instance: post-return ran once after hello()
rc, out, err = run(["--invoke", "posts()", "--invoke", "hello()", "--invoke", "posts()", os.path.join(d, "flat.wasm")])
if rc == 0 and out == '0\n"core!"\n1\n': ok()
else: bad("several --invoke and post-return", "status %d: %r %s" % (rc, out, err.strip()))
check("an option components do not take", ["--report", "r.json", "--invoke", "posts()", os.path.join(d, "flat.wasm")], 2,
      "not supported on components yet: --report")
check("a value nested too deeply", ["--invoke", "f()", os.path.join(d, "deep.wasm")], 1,
      "not supported: values nested deeper than 1000 levels")
# a command: its run() returns ok, so the exit status is 0 (tests/wasi2 runs real ones)
check("wasi:cli/run command", [os.path.join(d, "command.wasm")], 0, "")
print("%d passed, %d failed" % (passed, failed))

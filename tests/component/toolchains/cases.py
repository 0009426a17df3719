#!/usr/bin/env python3
"""Writes DIR/cases.json for tests/component/toolchains.sh: calls of the interface `lib`
of app.js's component, each as WAVE (for `weld run --invoke`), as JavaScript (for
tests/component/runtime_node.mjs on jco's transpilation), with its result type and the
result in WAVE computed here, in Python, from what world.wit says each function does.

  cases.py DIR
"""
import json
import math
import os
import sys

def P(k): return {"k": k}
def List(t): return {"k": "list", "t": t}
def Record(*fs): return {"k": "record", "f": [list(f) for f in fs]}
def Option(t): return {"k": "option", "t": t}
def Result(ok, err): return {"k": "result", "ok": ok, "err": err}
def Enum(*cs): return {"k": "enum", "c": list(cs)}
def Flags(*cs): return {"k": "flags", "c": list(cs)}

POINT = Record(("x", P("f64")), ("y", P("f64")))
ITEM = Record(("name", P("string")), ("tags", List(P("string"))), ("weight", Option(P("u32"))),
              ("unit", Enum("mm", "cm", "m")))
PERMS = Flags("read", "write", "exec")

def f64(x):
    """WAVE's float: Python's repr is the shortest that reads back; a .0 on whole numbers"""
    r = repr(float(x))
    return r if ("." in r or "e" in r or "n" in r) else r + ".0"

def s(x): return '"' + x.replace("\\", "\\\\").replace('"', '\\"') + '"'

cases = []
def case(wave, js, ty, want):
    cases.append({"file": "app", "wave": wave, "js": js, "type": ty, "want": want})

case("area(circle(2.0))", "lib.area({tag: 'circle', val: 2})", P("f64"), f64(math.pi * 4))
case("area(rect(({x: 1.0, y: 2.0}, {x: 4.0, y: 6.5})))",
     "lib.area({tag: 'rect', val: [{x: 1, y: 2}, {x: 4, y: 6.5}]})", P("f64"), f64(3 * 4.5))
case("area(dot)", "lib.area({tag: 'dot'})", P("f64"), "0.0")
case("centroid([{x: 1.0, y: 2.0}, {x: 3.0, y: 5.0}, {x: -1.0, y: 0.5}])",
     "lib.centroid([{x: 1, y: 2}, {x: 3, y: 5}, {x: -1, y: 0.5}])", Option(POINT),
     "some({x: %s, y: %s})" % (f64(3 / 3), f64(7.5 / 3)))
case("centroid([])", "lib.centroid([])", Option(POINT), "none")
items = [("bolt", ["steel", "m4"], 12, "mm"), ("plank", [], None, "m"), ("rod", ["wood"], 40, "cm")]
def item_wave(n, tags, w, u):
    return "{name: %s, tags: [%s], %sunit: %s}" % (s(n), ", ".join(map(s, tags)), "" if w is None else "weight: some(%d), " % w, u)
def item_js(n, tags, w, u):
    return "{name: %s, tags: [%s], weight: %s, unit: '%s'}" % (s(n), ", ".join(map(s, tags)), "undefined" if w is None else w, u)
iw = "[" + ", ".join(item_wave(*i) for i in items) + "]"
ij = "[" + ", ".join(item_js(*i) for i in items) + "]"
case("describe(%s)" % iw, "lib.describe(%s)" % ij, List(P("string")),
     "[" + ", ".join(s("%s [%s] %s" % (n, ",".join(t), "no weight" if w is None else "%d %s" % (w, u))) for n, t, w, u in items) + "]")
best = max((i for i in items if i[2] is not None), key=lambda i: i[2])
case("heaviest(%s)" % iw, "lib.heaviest(%s)" % ij, Option(ITEM),
     "some(" + item_wave(*best) + ")")
case("heaviest([])", "lib.heaviest([])", Option(ITEM), "none")
strs = ["12", "-9007199254740993", "x1", "", "0"]
def parse(x):
    try:
        int(x, 10)
        ok = x.lstrip("-").isdigit()
    except ValueError:
        ok = False
    return "ok(%d)" % int(x) if ok else "err(%s)" % s("not a number: " + x)
case("parse-all([%s])" % ", ".join(map(s, strs)), "lib.parseAll([%s])" % ", ".join(map(s, strs)),
     List(Result(P("s64"), P("string"))), "[" + ", ".join(map(parse, strs)) + "]")
for a, b in ((7, 2), (-7, 2), (2147483647, -1), (7, 0)):
    want = "err(\"division by zero\")" if b == 0 else "ok(%d)" % int(a / b)
    case("checked-div(%d, %d)" % (a, b), "lib.checkedDiv(%d, %d)" % (a, b), Result(P("s32"), P("string")), want)
case("grant({read}, {exec})", "lib.grant({read: true}, {exec: true})", PERMS, "{read, exec}")
case("grant({}, {})", "lib.grant({}, {})", PERMS, "{}")
case("shout(\"héllo\", 3)", "lib.shout('héllo', 3)", List(P("string")),
     "[" + ", ".join(s("HÉLLO" + "!" * k) for k in range(1, 4)) + "]")
case("shout(\"x\", 0)", "lib.shout('x', 0)", List(P("string")), "[]")
starts, steps = [1, 10, 4294967295], [2, 3]
case("tally(%s, %s)" % (starts, steps), "lib.tally(%s, %s)" % (starts, steps), List(P("u32")),
     str([(x + sum(steps)) % 2**32 for x in starts]))

os.makedirs(sys.argv[1], exist_ok=True)
with open(os.path.join(sys.argv[1], "cases.json"), "w") as f:
    json.dump(cases, f, indent=1, ensure_ascii=False)

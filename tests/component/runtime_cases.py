#!/usr/bin/env python3
"""Writes the components and calls of tests/component/runtime.sh.

  runtime_cases.py DIR

DIR/values.wat: a component (text format) with one export per case: `fN(x: T, pad:
tuple<u64 x 16>) -> T`. The padding makes the parameters spill into linear memory, so
the core function receives a pointer to the pair (x, pad) laid out by the caller's
realloc and returns it: x is at offset 0, and a result of more than one flat value is
read from memory at the returned pointer. One core function therefore echoes any type,
and the Canonical ABI's memory layout is exercised both ways. Results of one flat value
are loaded by the core function with the width of their type.

DIR/flat.wat: hand-written functions on the flat path (parameters as core values).

DIR/deep.wat: a list type nested 1500 levels (runtime_check.py: weld's nesting limit).

DIR/cases.json (also one call of tests/component/runtime/resources.wat):
[{"file", "wave", "js", "type"}]: the call in WAVE for weld, the same call
in JavaScript for the module jco transpiles, and the result type (for printing the
JavaScript result in WAVE).
"""
import json
import math
import os
import sys

# ---------- types (a small JSON form shared with runtime_node.mjs) -------------------------

def P(k): return {"k": k}
def List(t): return {"k": "list", "t": t}
def Tuple(*ts): return {"k": "tuple", "t": list(ts)}
def Record(*fs): return {"k": "record", "f": [list(f) for f in fs]}
def Variant(*cs): return {"k": "variant", "c": [list(c) for c in cs]}
def Enum(*cs): return {"k": "enum", "c": list(cs)}
def Flags(*cs): return {"k": "flags", "c": list(cs)}
def Option(t): return {"k": "option", "t": t}
def Result(ok=None, err=None): return {"k": "result", "ok": ok, "err": err}

PAD = Tuple(*[P("u64")] * 16)

# ---------- the component text of a type --------------------------------------------------

class Types:
    """Named types (records, variants, enums, flags) are defined once each and imported
    with an `eq` bound (a WIT world's own types), and used through the imported name, as
    the validation rules for exports require."""
    def __init__(self):
        self.defs = []
        self.names = {}

    def ref(self, t):
        k = t["k"]
        if k in ("list",): return "(list %s)" % self.ref(t["t"])
        if k == "option": return "(option %s)" % self.ref(t["t"])
        if k == "tuple": return "(tuple %s)" % " ".join(self.ref(x) for x in t["t"])
        if k == "result":
            s = "(result"
            if t["ok"] is not None: s += " " + self.ref(t["ok"])
            if t["err"] is not None: s += " (error %s)" % self.ref(t["err"])
            return s + ")"
        if k in ("record", "variant", "enum", "flags"):
            key = json.dumps(t, sort_keys=True)
            if key not in self.names:
                if k == "record": body = "(record %s)" % " ".join('(field "%s" %s)' % (n, self.ref(ft)) for n, ft in t["f"])
                elif k == "variant":
                    body = "(variant %s)" % " ".join('(case "%s"%s)' % (n, "" if ct is None else " " + self.ref(ct)) for n, ct in t["c"])
                else: body = "(%s %s)" % (k, " ".join('"%s"' % n for n in t["c"]))
                i = len(self.names)
                self.defs.append('  (type $d%d %s)\n  (import "t%d" (type $t%d (eq $d%d)))' % (i, body, i, i, i))
                self.names[key] = "$t%d" % i
            return self.names[key]
        return k

# ---------- values in WAVE and in JavaScript ----------------------------------------------

def fmt_float(x):
    if isinstance(x, str): return x
    return repr(x)

def wave(t, v):
    k = t["k"]
    if k == "bool": return "true" if v else "false"
    if k in ("f32", "f64"):
        if isinstance(v, str): return v
        return repr(float(v))
    if k == "char": return "'" + esc(v, "'") + "'"
    if k == "string": return '"' + esc(v, '"') + '"'
    if k == "list": return "[" + ", ".join(wave(t["t"], x) for x in v) + "]"
    if k == "tuple": return "(" + ", ".join(wave(a, x) for a, x in zip(t["t"], v)) + ")"
    if k == "record": return "{" + ", ".join("%s: %s" % (n, wave(ft, v[n])) for n, ft in t["f"]) + "}"
    if k == "variant":
        c, p = v
        ct = dict((n, x) for n, x in t["c"])[c]
        return c if ct is None else "%s(%s)" % (c, wave(ct, p))
    if k == "enum": return v
    if k == "flags": return "{" + ", ".join(n for n in t["c"] if n in v) + "}"
    if k == "option": return "none" if v is None else "some(%s)" % wave(t["t"], v[1])
    if k == "result":
        c, p = v
        pt = t["ok"] if c == "ok" else t["err"]
        return c if pt is None else "%s(%s)" % (c, wave(pt, p))
    return str(v)

def esc(s, q):
    out = ""
    for ch in s:
        if ch == "\\": out += "\\\\"
        elif ch == q: out += "\\" + q
        elif ch == "\n": out += "\\n"
        elif ch == "\t": out += "\\t"
        elif ord(ch) < 0x20: out += "\\u{%x}" % ord(ch)
        else: out += ch
    return out

def js(t, v):
    k = t["k"]
    if k == "bool": return "true" if v else "false"
    if k in ("u64", "s64"): return "%dn" % v
    if k in ("f32", "f64"):
        if v == "nan": return "NaN"
        if v == "inf": return "Infinity"
        if v == "-inf": return "-Infinity"
        return repr(float(v))
    if k in ("char", "string"): return json.dumps(v)
    if k == "list": return "[" + ", ".join(js(t["t"], x) for x in v) + "]"
    if k == "tuple": return "[" + ", ".join(js(a, x) for a, x in zip(t["t"], v)) + "]"
    if k == "record": return "{" + ", ".join("%s: %s" % (n, js(ft, v[n])) for n, ft in t["f"]) + "}"
    if k == "variant":
        c, p = v
        ct = dict((n, x) for n, x in t["c"])[c]
        return "{tag: %s%s}" % (json.dumps(c), "" if ct is None else ", val: " + js(ct, p))
    if k == "enum": return json.dumps(v)
    if k == "flags": return "{" + ", ".join("%s: %s" % (n, "true" if n in v else "false") for n in t["c"]) + "}"
    if k == "option":
        if t["t"]["k"] == "option":  # nested options are tagged
            return '{tag: "none"}' if v is None else '{tag: "some", val: %s}' % js(t["t"], v[1])
        return "undefined" if v is None else js(t["t"], v[1])
    if k == "result":
        c, p = v
        pt = t["ok"] if c == "ok" else t["err"]
        return "{tag: %s%s}" % (json.dumps(c), "" if pt is None else ", val: " + js(pt, p))
    return str(v)

# ---------- the cases -----------------------------------------------------------------------

color = Enum("red", "green", "blue")
perm = Flags("read", "write", "exec")
point = Record(("x", P("s32")), ("y", P("s32")))
shape = Variant(("circle", P("f64")), ("rect", point), ("none", None), ("label", P("string")))
person = Record(("name", P("string")), ("age", P("u8")), ("tags", List(P("string"))), ("nick", Option(P("string"))))

CASES = [
    (P("bool"), [True, False]),
    (P("s8"), [-128, 127, -1]),
    (P("u8"), [0, 255]),
    (P("s16"), [-32768, 1234]),
    (P("u16"), [65535]),
    (P("s32"), [-2147483648, 2147483647]),
    (P("u32"), [4294967295, 7]),
    (P("s64"), [-9223372036854775808, 9223372036854775807]),
    (P("u64"), [18446744073709551615, 1]),
    (P("f32"), [1.5, -0.25, "nan", "inf", 3.4028234663852886e38, 1e-7]),
    (P("f64"), [0.1, -2.5e300, "nan", "-inf", 5e-324, 123456789.125]),
    (P("char"), ["a", "\u00e9", "\U0001f600", "\n"]),
    (P("string"), ["", "hello", "h\u00e9llo w\u00f6rld \U0001f600", "quote \" and \\ and \n"]),
    (List(P("u8")), [[], [1, 2, 255]]),
    (List(P("s64")), [[-1, 2, 3]]),
    (List(P("string")), [["a", "bc", ""]]),
    (List(List(P("u16"))), [[[1], [], [2, 3]]]),
    (Tuple(P("u8"), P("string"), P("f64")), [[1, "x", 2.5]]),
    (point, [{"x": -3, "y": 4}]),
    (person, [{"name": "Ada", "age": 36, "tags": ["math", "engines"], "nick": None},
              {"name": "Grace", "age": 85, "tags": [], "nick": ("some", "amazing")}]),
    (color, ["red", "blue"]),
    (perm, [set(), {"read", "exec"}, {"read", "write", "exec"}]),
    (shape, [("circle", 1.25), ("rect", {"x": 1, "y": 2}), ("none", None), ("label", "hi")]),
    (Option(P("u32")), [None, ("some", 42)]),
    (Option(P("string")), [("some", "x")]),
    (Result(P("u32"), P("string")), [("ok", 5), ("err", "bad")]),
    (Result(None, P("string")), [("ok", None), ("err", "e")]),
    (Result(P("f32"), None), [("ok", 2.5), ("err", None)]),
    (Tuple(Option(P("s8")), Result(P("u64"), P("f32")), color), [[("some", -5), ("ok", 99), "green"], [None, ("err", 1.5), "red"]]),
    (List(shape), [[("circle", 2.0), ("label", "x"), ("rect", {"x": 5, "y": 6})]]),
    (List(Result(P("u8"), P("string"))), [[("ok", 1), ("err", "no")]]),
    (Record(("c", P("char")), ("f", perm), ("o", Option(Option(P("u8"))))), []),
]
CASES[-1] = (CASES[-1][0], [{"c": "z", "f": {"write"}, "o": None}, {"c": "\u00ff", "f": set(), "o": ("some", None)},
                            {"c": "q", "f": {"exec"}, "o": ("some", ("some", 7))}])

LOAD = {"bool": "i32.load8_u", "s8": "i32.load8_s", "u8": "i32.load8_u", "s16": "i32.load16_s",
        "u16": "i32.load16_u", "s32": "i32.load", "u32": "i32.load", "char": "i32.load",
        "s64": "i64.load", "u64": "i64.load", "f32": "f32.load", "f64": "f64.load"}
CORE = {"i32.load8_u": "i32", "i32.load8_s": "i32", "i32.load16_s": "i32", "i32.load16_u": "i32",
        "i32.load": "i32", "i64.load": "i64", "f32.load": "f32", "f64.load": "f64"}

def one_flat_load(t):
    """The load instruction for a type of one flat value, or None."""
    k = t["k"]
    if k in LOAD: return LOAD[k]
    if k == "enum": return "i32.load8_u"
    if k == "flags": return {1: "i32.load8_u", 2: "i32.load16_u"}.get(1 if len(t["c"]) <= 8 else 2, "i32.load")
    return None

REALLOC = """    (global $bump (mut i32) (i32.const 4096))
    (func $realloc (export "realloc") (param $old i32) (param $osize i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $align))))
      (global.set $bump (i32.add (local.get $p) (local.get $size)))
      (if (i32.gt_u (global.get $bump) (i32.mul (memory.size) (i32.const 65536)))
        (then (drop (memory.grow (i32.add (i32.div_u (local.get $size) (i32.const 65536)) (i32.const 1))))))
      (local.get $p))
"""

def values_component(out_dir, cases):
    ty = Types()
    funcs, core = [], []
    for i, (t, _) in enumerate(CASES):
        ref = ty.ref(t)
        pad = ty.ref(PAD)
        load = one_flat_load(t)
        if load:
            core.append('    (func (export "f%d") (param i32) (result %s) (%s (local.get 0)))' % (i, CORE[load], load))
        else:
            core.append('    (func (export "f%d") (param i32) (result i32) (local.get 0))' % i)
        funcs.append('  (func (export "f%d") (param "x" %s) (param "pad" %s) (result %s)\n'
                     '    (canon lift (core func $i "f%d") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))'
                     % (i, ref, pad, ref, i))
    text = "(component\n  (core module $m\n    (memory (export \"memory\") 1)\n" + REALLOC + "\n".join(core) + "\n  )\n"
    text += "  (core instance $i (instantiate $m))\n" + "\n".join(ty.defs) + "\n" + "\n".join(funcs) + "\n)\n"
    with open(os.path.join(out_dir, "values.wat"), "w") as f: f.write(text)
    pad_w = "(" + ", ".join(["0"] * 16) + ")"
    pad_j = "[" + ", ".join(["0n"] * 16) + "]"
    for i, (t, vals) in enumerate(CASES):
        for v in vals:
            cases.append({"file": "values", "wave": "f%d(%s, %s)" % (i, wave(t, v), pad_w),
                          "js": "f%d(%s, %s)" % (i, js(t, v), pad_j), "type": t})

# The flat path: parameters as core values, results of one flat value, strings read and
# written by hand, post-return, a result built by the core code.
FLAT = r'''(component
  (core module $m
    (memory (export "memory") 1)
REALLOC
    (global $posts (mut i32) (i32.const 0))
    (func (export "add") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
    (func (export "mix") (param i32 f32 i32 i64 f64) (result f64)
      (f64.add (f64.add (f64.convert_i32_s (local.get 0)) (f64.promote_f32 (local.get 1)))
               (f64.add (f64.convert_i32_u (local.get 2)) (f64.add (f64.convert_i64_s (local.get 3)) (local.get 4)))))
    ;; the string's length in bytes as the core side sees it
    (func (export "len") (param i32 i32) (result i32) (local.get 1))
    ;; a constant string "core!" written at 100 and returned through a return area at 200
    (data (i32.const 100) "core!")
    (func (export "hello") (result i32)
      (i32.store (i32.const 200) (i32.const 100))
      (i32.store (i32.const 204) (i32.const 5))
      (i32.const 200))
    (func (export "cabi_post_hello") (param i32) (global.set $posts (i32.add (global.get $posts) (i32.const 1))))
    (func (export "posts") (result i32) (global.get $posts))
    ;; option<u32> flat: discriminant and payload; returns payload+1 or 0
    (func (export "opt") (param i32 i32) (result i32)
      (if (result i32) (local.get 0) (then (i32.add (local.get 1) (i32.const 1))) (else (i32.const 0))))
    ;; variant { a(f32), b(u64) } flat: i32 disc, i64 joined payload; returns the payload bits as i64
    (func (export "var") (param i32 i64) (result i64) (local.get 1))
    ;; builds a list<u16> [1, 2, 3] and returns it through a return area
    (data (i32.const 300) "\01\00\02\00\03\00")
    (func (export "list") (result i32)
      (i32.store (i32.const 400) (i32.const 300))
      (i32.store (i32.const 404) (i32.const 3))
      (i32.const 400))
  )
  (core instance $i (instantiate $m))
  (type $v (variant (case "a" f32) (case "b" u64)))
  (import "v" (type $vv (eq $v)))
  (func (export "add") (param "a" s64) (param "b" s64) (result s64) (canon lift (core func $i "add")))
  (func (export "mix") (param "a" s8) (param "b" f32) (param "c" u16) (param "d" s64) (param "e" f64) (result f64)
    (canon lift (core func $i "mix")))
  (func (export "len") (param "s" string) (result u32)
    (canon lift (core func $i "len") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (func (export "len16") (param "s" string) (result u32)
    (canon lift (core func $i "len") string-encoding=utf16 (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (func (export "hello") (result string)
    (canon lift (core func $i "hello") (memory (core memory $i "memory")) (post-return (core func $i "cabi_post_hello"))))
  (func (export "posts") (result u32) (canon lift (core func $i "posts")))
  (func (export "opt") (param "o" (option u32)) (result u32) (canon lift (core func $i "opt")))
  (func (export "pick") (param "v" $vv) (result u64) (canon lift (core func $i "var")))
  (func (export "list") (result (list u16)) (canon lift (core func $i "list") (memory (core memory $i "memory"))))
)
'''.replace("REALLOC\n", REALLOC)

def flat_component(out_dir, cases):
    with open(os.path.join(out_dir, "flat.wat"), "w") as f: f.write(FLAT)
    def c(wave_call, js_call, t):
        cases.append({"file": "flat", "wave": wave_call, "js": js_call, "type": t})
    c("add(-5, 3)", "add(-5n, 3n)", P("s64"))
    c("add(9223372036854775807, 1)", "add(9223372036854775807n, 1n)", P("s64"))
    c("mix(-1, 0.5, 65535, -10, 0.25)", "mix(-1, 0.5, 65535, -10n, 0.25)", P("f64"))
    c('len("h\u00e9llo")', 'len("h\u00e9llo")', P("u32"))
    c('len16("h\u00e9llo \U0001f600")', 'len16("h\u00e9llo \U0001f600")', P("u32"))
    c("hello()", "hello()", P("string"))
    c("opt(some(41))", "opt(41)", P("u32"))
    c("opt(none)", "opt(undefined)", P("u32"))
    c("pick(a(1.0))", "pick({tag: 'a', val: 1.0})", P("u64"))
    c("pick(b(77))", "pick({tag: 'b', val: 77n})", P("u64"))
    c("list()", "list()", List(P("u16")))

def deep_component(out_dir, n=1500):
    """A list nested n levels deep, each level a list of one element pointing at the next:
    lifting it must stop at weld's nesting limit, not at the end of the host's stack."""
    import struct
    data = b"".join(struct.pack("<II", 8 * (k + 1), 1) for k in range(n))
    lines = ["(component",
             '  (core module $m (memory (export "memory") 1) (data (i32.const 0) "%s")' % "".join("\\%02x" % x for x in data),
             '    (func (export "f") (result i32) (i32.const 0)))',
             "  (core instance $i (instantiate $m))", "  (type $t0 (list u8))"]
    lines += ["  (type $t%d (list $t%d))" % (k, k - 1) for k in range(1, n)]
    lines.append('  (func (export "f") (result $t%d) (canon lift (core func $i "f") (memory (core memory $i "memory"))))' % (n - 1))
    with open(os.path.join(out_dir, "deep.wat"), "w") as f: f.write("\n".join(lines) + "\n)\n")

def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    cases = []
    values_component(out, cases)
    flat_component(out, cases)
    deep_component(out)
    # resources.wat (a static file): the value of the whole exchange
    cases.append({"file": "resources", "wave": "run()", "js": "run()", "type": P("u32")})
    with open(os.path.join(out, "cases.json"), "w") as f: json.dump(cases, f, indent=1)
    print(len(cases))

if __name__ == "__main__":
    main()

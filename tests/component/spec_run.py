#!/usr/bin/env python3
"""The component-model scripts' running commands, through `weld run --invoke`.

  spec_run.py WELD SCRIPT...

SCRIPTs are component-model .wast scripts whose text components jco_convert.mjs encoded
to binary. Each binary component (or `component instance` of a `component definition`)
is followed by the commands that use it; every `assert_return` and `assert_trap` on an
`invoke` becomes one `weld run` of that component with the script's earlier `invoke`s
before it (each as an --invoke, on the same instance) and the asserted call last. Script
values (`(u32.const 1)`, `(str.const "x")`, `(record.const (field "a" u32.const 1))`, ...)
are written in WAVE for the call and for the expected result; a trap must carry the
script's message. Commands weld cannot express this way (`register`, text components jco
did not encode, instantiation asserts, values without a WAVE form) are counted skipped.
Ends with `N passed, M failed, K skipped`.
"""
import os
import re
import subprocess
import sys
import tempfile

weld = sys.argv[1]
passed = failed = skipped = 0
verbose = os.environ.get("VERBOSE")

# ---------- s-expressions ---------------------------------------------------------------

def tokens(src):
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in " \t\r\n": i += 1; continue
        if src.startswith(";;", i):
            while i < n and src[i] != "\n": i += 1
            continue
        if src.startswith("(;", i):
            d = 1; i += 2
            while i < n and d:
                if src.startswith("(;", i): d += 1; i += 2
                elif src.startswith(";)", i): d -= 1; i += 2
                else: i += 1
            continue
        if c in "()": yield c; i += 1; continue
        if c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            yield ("str", src[i + 1:j]); i = j + 1; continue
        j = i
        while j < n and src[j] not in " \t\r\n()\"": j += 1
        yield src[i:j]; i = j

def parse(src):
    stack = [[]]
    for t in tokens(src):
        if t == "(": stack.append([])
        elif t == ")":
            x = stack.pop(); stack[-1].append(x)
        else: stack[-1].append(t)
    return stack[0]

def unescape(s):
    """A script string's bytes."""
    out = bytearray(); i = 0
    while i < len(s):
        c = s[i]
        if c != "\\": out += c.encode(); i += 1; continue
        e = s[i + 1]
        if e == "n": out += b"\n"; i += 2
        elif e == "t": out += b"\t"; i += 2
        elif e == "r": out += b"\r"; i += 2
        elif e in "\\'\"": out += e.encode(); i += 2
        elif e == "u":
            j = s.index("}", i); out += chr(int(s[i + 3:j], 16)).encode(); i = j + 1
        else: out.append(int(s[i + 1:i + 3], 16)); i += 3
    return bytes(out)

def isstr(x): return isinstance(x, tuple) and x[0] == "str"

# ---------- script values to WAVE -------------------------------------------------------

KEYWORDS = {"true", "false", "some", "none", "ok", "err", "inf", "nan"}
class NoWave(Exception): pass

def label(s):
    s = unescape(s[1]).decode()
    return "%" + s if s in KEYWORDS else s

def wstr(b, q):
    out = ""
    for ch in b.decode("utf-8"):
        if ch == "\\": out += "\\\\"
        elif ch == q: out += "\\" + q
        elif ch == "\n": out += "\\n"
        elif ch == "\t": out += "\\t"
        elif ch == "\r": out += "\\r"
        elif ord(ch) < 0x20 or ord(ch) == 0x7f: out += "\\u{%x}" % ord(ch)
        else: out += ch
    return out

def num(s):
    s = s.replace("_", "")
    if re.fullmatch(r"[+-]?0x[0-9a-fA-F]+", s): return str(int(s, 16))
    if re.fullmatch(r"[+-]?[0-9]+", s): return str(int(s))
    raise NoWave(s)

def wave(v):
    head, args = v[0], v[1:]
    if head in ("u8.const", "s8.const", "u16.const", "s16.const", "u32.const", "s32.const", "u64.const", "s64.const"):
        return num(args[0])
    if head == "bool.const": return args[0]
    if head in ("f32.const", "f64.const"):
        s = args[0]
        if re.fullmatch(r"[+-]?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?", s): return s.lstrip("+")
        if s in ("nan", "inf", "-inf"): return s
        raise NoWave(s)
    if head == "char.const": return "'" + wstr(unescape(args[0][1]), "'") + "'"
    if head == "str.const": return '"' + wstr(unescape(args[0][1]), '"') + '"'
    if head == "list.const": return "[" + ", ".join(wave(a) for a in args) + "]"
    if head == "tuple.const": return "(" + ", ".join(wave(a) for a in args) + ")"
    if head == "record.const":
        # (field "name" head args...): the value is written without its parentheses
        return "{" + ", ".join("%s: %s" % (label(f[1]), wave(f[2:])) for f in args) + "}"
    if head == "variant.const": return label(args[0]) + ("(%s)" % wave(args[1]) if len(args) > 1 else "")
    if head == "enum.const": return label(args[0])
    if head == "flags.const": return "{" + ", ".join(label(a) for a in args) + "}"
    if head == "option.none": return "none"
    if head == "option.some": return "some(%s)" % wave(args[0])
    if head in ("result.ok", "result.err"):
        return head[7:] + ("(%s)" % wave(args[0]) if args else "")
    raise NoWave(head)

def call(inv):
    """An (invoke "name" args...) as a WAVE call."""
    name = unescape(inv[1][1]).decode()
    return "%s(%s)" % (name, ", ".join(wave(a) for a in inv[2:]))

# ---------- running --------------------------------------------------------------------

def record(ok, label, why=""):
    global passed, failed
    if ok: passed += 1
    else:
        failed += 1
        print("FAIL [%s] %s" % (label, why))

def skip(label, why):
    global skipped
    skipped += 1
    if verbose: print("skip [%s] %s" % (label, why))

tmpdir = tempfile.mkdtemp()

def run(comp, invokes):
    path = os.path.join(tmpdir, "c.wasm")
    with open(path, "wb") as f: f.write(comp)
    args = [weld, "run"]
    for c in invokes: args += ["--invoke", c]
    p = subprocess.run(args + [path], capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

def script(path):
    forms = parse(open(path, encoding="utf-8").read())
    name = os.path.basename(path)
    defs = {}
    comp = None          # the bytes of the current component, None: none usable
    history = []         # the WAVE calls run on it so far
    for f in forms:
        if not isinstance(f, list) or not f: continue
        head = f[0]
        where = "%s: %s" % (name, " ".join(str(x if not isstr(x) else '"%s"' % x[1]) for x in f[:2]))
        if head == "component":
            rest = f[1:]
            definition = rest and rest[0] == "definition"
            if definition: rest = rest[1:]
            ident = rest[0] if rest and isinstance(rest[0], str) and rest[0].startswith("$") else None
            if ident: rest = rest[1:]
            if rest and rest[0] == "instance":
                comp = defs.get(rest[2] if len(rest) > 2 else rest[1])
                history = []
                continue
            if rest and rest[0] == "binary":
                b = b"".join(unescape(s[1]) for s in rest[1:])
                if definition:
                    defs[ident] = b
                    comp = None
                else:
                    comp, history = b, []
            else:
                comp = None
                if definition and ident: defs[ident] = None
            continue
        if head == "invoke":
            try: history.append(call(f))
            except NoWave as e: history.append(None)
            continue
        if head not in ("assert_return", "assert_trap") or not isinstance(f[1], list) or f[1][0] != "invoke":
            if head.startswith("assert_") and isinstance(f[1], list) and f[1][0] == "invoke": skip(where, head)
            continue
        inv = f[1]
        label = "%s: %s %s" % (name, head, " ".join(str(x[1] if isstr(x) else x) for x in inv[1:2]))
        if comp is None:
            skip(label, "no binary component")
            continue
        if None in history:
            skip(label, "an earlier call has no WAVE form")
            continue
        try:
            c = call(inv)
            want = [wave(x) for x in f[2:]] if head == "assert_return" else None
        except NoWave as e:
            skip(label, "no WAVE form for %s" % e)
            continue
        rc, out, err = run(comp, history + [c])
        if rc == 1 and "not supported: " in err:
            skip(label, err.strip())
            continue
        if head == "assert_return":
            got = out.rstrip("\n").split("\n")[-1] if want else ""
            if len(want) > 1: skip(label, "several results"); continue
            if rc == 0 and (not want or got == want[0]): record(True, label)
            else: record(False, label, "call %s: expected %s, got status %d: %s%s" % (c, want, rc, got, err.strip()))
            history.append(c)
        else:
            msg = unescape(f[2][1]).decode()
            # the reference tool's prefix for every trap
            if msg.startswith("wasm trap: "): msg = msg[len("wasm trap: "):]
            record(rc == 134 and msg in err, label, "call %s: expected a trap with `%s`, got status %d: %s%s" % (c, msg, rc, out, err.strip()))
            # a trapped instance is not used again by the scripts

for p in sys.argv[2:]:
    script(p)
print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))

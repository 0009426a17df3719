// The reference side of tests/component/runtime.sh: calls each case of cases.json on the
// component as jco transpiled it to JavaScript, and prints the result in WAVE (one line
// per case; `trap` when the call throws).
//
//   node runtime_node.mjs DIR      (DIR holds cases.json and the transpiled NAME/NAME.js)
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const dir = process.argv[2];
const cases = JSON.parse(readFileSync(path.join(dir, "cases.json"), "utf8"));

// floats: the shortest digits that read back the same (f32: through Math.fround), plain
// notation in [1e-5, 1e16) with a fractional part, else d.ddde±x
function fmtFloat(x, f32) {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  let p = 1, s;
  for (; p <= 17; p++) {
    s = x.toExponential(p - 1);
    const back = Number(s);
    if (f32 ? Math.fround(back) === x : back === x) break;
  }
  const neg = s.startsWith("-") || Object.is(x, -0);
  let [mant, e] = (s.startsWith("-") ? s.slice(1) : s).split("e");
  let digits = mant.replace(".", "").replace(/0+$/, "") || "0";
  const exp = Number(e);
  const mag = Math.abs(x);
  let out = neg ? "-" : "";
  if (mag === 0 || (mag >= 1e-5 && mag < 1e16)) {
    if (exp >= 0) {
      for (let k = 0; k <= exp; k++) out += k < digits.length ? digits[k] : "0";
      out += "." + (digits.length > exp + 1 ? digits.slice(exp + 1) : "0");
    } else {
      out += "0." + "0".repeat(-exp - 1) + digits;
    }
    return out;
  }
  return out + digits[0] + (digits.length > 1 ? "." + digits.slice(1) : "") + "e" + exp;
}

const KEYWORDS = new Set(["true", "false", "some", "none", "ok", "err", "inf", "nan"]);
const label = (l) => (KEYWORDS.has(l) ? "%" + l : l);

function esc(s, q) {
  let o = "";
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === "\\") o += "\\\\";
    else if (ch === q) o += "\\" + q;
    else if (ch === "\n") o += "\\n";
    else if (ch === "\t") o += "\\t";
    else if (ch === "\r") o += "\\r";
    else if (c < 0x20 || c === 0x7f) o += "\\u{" + c.toString(16) + "}";
    else o += ch;
  }
  return o;
}

function wave(t, v) {
  switch (t.k) {
    case "bool": return v ? "true" : "false";
    case "s8": case "u8": case "s16": case "u16": case "s32": case "u32": case "s64": case "u64":
      return String(v);
    case "f32": return fmtFloat(v, true);
    case "f64": return fmtFloat(v, false);
    case "char": return "'" + esc(v, "'") + "'";
    case "string": return '"' + esc(v, '"') + '"';
    case "list": return "[" + Array.from(v, (x) => wave(t.t, x)).join(", ") + "]";
    case "tuple": return "(" + t.t.map((a, i) => wave(a, v[i])).join(", ") + ")";
    case "record":
      return "{" + t.f.filter(([n, ft]) => !(ft.k === "option" && (v[n] === undefined || v[n] === null || v[n].tag === "none")))
        .map(([n, ft]) => label(n) + ": " + wave(ft, v[n])).join(", ") + "}";
    case "variant": {
      const c = t.c.find(([n]) => n === v.tag);
      return label(v.tag) + (c[1] ? "(" + wave(c[1], v.val) + ")" : "");
    }
    case "enum": return label(v);
    case "flags": return "{" + t.c.filter((n) => v[n]).map(label).join(", ") + "}";
    case "option":
      if (t.t.k === "option") {
        // nested options come as {tag, val}
        if (v === undefined || v === null || v.tag === "none") return "none";
        return "some(" + wave(t.t, v.val) + ")";
      }
      return v === undefined || v === null ? "none" : "some(" + wave(t.t, v) + ")";
    case "result": {
      const pt = v.tag === "ok" ? t.ok : t.err;
      return v.tag + (pt ? "(" + wave(pt, v.val) + ")" : "");
    }
  }
  throw new Error("unknown type " + t.k);
}

// a trap leaves an instance unusable: the next case gets a fresh one
const mods = {};
let fresh = 0;
for (const c of cases) {
  if (!mods[c.file]) mods[c.file] = await import(pathToFileURL(path.join(dir, c.file, c.file + ".js")).href + "?" + fresh++);
  const m = mods[c.file];
  let line;
  try {
    const names = Object.keys(m).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n)); // not "ns:pkg/iface"
    let r = new Function(...names, "return " + c.js)(...names.map((n) => m[n]));
    // a top-level result: the ok value comes back, err is thrown (below)
    if (c.type.k === "result") r = { tag: "ok", val: r };
    line = wave(c.type, r);
  } catch (e) {
    if (c.type.k === "result" && e && "payload" in e) line = wave(c.type, { tag: "err", val: e.payload });
    else {
      line = "trap";
      delete mods[c.file];
      if (process.env.DEBUG) console.error(c.js, e);
    }
  }
  console.log(line);
}

// The Node.js (V8) side of the differential check (tests/diff/run.sh).
//
//   node diff.mjs gen SEED FILE      writes 8 KiB of pseudo-random bytes for SEED (the input
//                                    of `wasm-opt --translate-to-fuzz`)
//   node diff.mjs wast MODULE.wasm   runs every exported function of the module in V8, in
//                                    export order, each with zero arguments (as binaryen's
//                                    own fuzz shell does), and writes to stdout a .wast
//                                    script that asserts, for weld, what V8 observed
//
// The script instantiates a logger module registered as "fuzzing-support" (the imports
// translate-to-fuzz modules log values through), then the module itself, and for each
// export: resets the log, invokes the export (assert_return with V8's results, or
// assert_trap with the spec's wording of V8's trap), and checks every logged value.
// A call whose result is a NaN is made but its results are not compared (a JS number does
// not keep a NaN's bits, and the spec leaves arithmetic NaNs' payloads open); logged floats
// are compared with NaNs canonicalised on both sides. i64 values cross as BigInt. A call that exhausts V8's
// stack ends the script: the engines' stack depths differ, so what follows could too.
import { readFileSync, writeFileSync } from "node:fs";

const [mode, arg1, arg2] = process.argv.slice(2);

if (mode === "gen") {
  // xorshift64*: the bytes depend only on the seed
  let x = BigInt(arg1) * 0x9e3779b97f4a7c15n + 1n;
  const out = Buffer.alloc(8192);
  for (let i = 0; i < out.length; i++) {
    x ^= x >> 12n; x ^= (x << 25n) & 0xffffffffffffffffn; x ^= x >> 27n;
    out[i] = Number(((x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn) >> 56n);
  }
  writeFileSync(arg2, out);
  process.exit(0);
}
if (mode !== "wast") {
  console.error("usage: diff.mjs gen SEED FILE | diff.mjs wast MODULE.wasm");
  process.exit(2);
}

const bytes = readFileSync(arg1);

// ---- just enough of the binary format for the exported functions' signatures ----
const T = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref" };
function signatures(b) {
  let p = 8;
  const u32 = () => { let r = 0, s = 0, c; do { c = b[p++]; r |= (c & 0x7f) << s; s += 7; } while (c & 0x80); return r >>> 0; };
  const name = () => { const n = u32(); const s = b.subarray(p, p + n).toString("utf8"); p += n; return s; };
  const types = [], funcs = [], exports = [];
  while (p < b.length) {
    const id = b[p++], size = u32(), end = p + size;
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        p++; // 0x60
        const params = []; for (let k = u32(); k > 0; k--) params.push(T[b[p++]]);
        const results = []; for (let k = u32(); k > 0; k--) results.push(T[b[p++]]);
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        name(); name();
        const kind = b[p++];
        if (kind === 0) funcs.push(u32());
        else if (kind === 1) { p++; const f = b[p++]; u32(); if (f & 1) u32(); }
        else if (kind === 2) { const f = b[p++]; u32(); if (f & 1) u32(); }
        else if (kind === 3) { p += 2; }
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; n--) funcs.push(u32());
    } else if (id === 7) {
      for (let n = u32(); n > 0; n--) {
        const nm = name(), kind = b[p++], idx = u32();
        if (kind === 0) exports.push({ name: nm, type: types[funcs[idx]] });
      }
    }
    p = end;
  }
  return exports;
}

// ---- the logger, the same on both sides ----
const f32 = new Float32Array(1), u32v = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1), u64v = new BigUint64Array(f64.buffer);
const MAXLOG = 4096, CHECKLOG = 256;
let log = [], logCount = 0;
const put = (tag, v) => { if (logCount < MAXLOG) log.push([tag, v]); logCount++; };
const imports = {
  "fuzzing-support": {
    "log-i32": (x) => put(0, BigInt(x >>> 0)),
    "log-i64": (x) => put(1, BigInt.asUintN(64, x)),
    "log-f32": (x) => { if (Number.isNaN(x)) put(2, 0x7fc00000n); else { f32[0] = x; put(2, BigInt(u32v[0])); } },
    "log-f64": (x) => { if (Number.isNaN(x)) put(3, 0x7ff8000000000000n); else { f64[0] = x; put(3, u64v[0]); } },
  },
};

const loggerWat = `(module $log
  (memory 1)
  (global $n (mut i32) (i32.const 0))
  (func $put (param i32 i64)
    (if (i32.lt_u (global.get $n) (i32.const ${MAXLOG}))
      (then (i32.store (i32.mul (global.get $n) (i32.const 16)) (local.get 0))
            (i64.store offset=8 (i32.mul (global.get $n) (i32.const 16)) (local.get 1))))
    (global.set $n (i32.add (global.get $n) (i32.const 1))))
  (func (export "log-i32") (param i32) (call $put (i32.const 0) (i64.extend_i32_u (local.get 0))))
  (func (export "log-i64") (param i64) (call $put (i32.const 1) (local.get 0)))
  (func (export "log-f32") (param f32)
    (call $put (i32.const 2) (i64.extend_i32_u
      (select (i32.const 0x7fc00000) (i32.reinterpret_f32 (local.get 0)) (f32.ne (local.get 0) (local.get 0))))))
  (func (export "log-f64") (param f64)
    (call $put (i32.const 3)
      (select (i64.const 0x7ff8000000000000) (i64.reinterpret_f64 (local.get 0)) (f64.ne (local.get 0) (local.get 0)))))
  (func (export "reset") (global.set $n (i32.const 0)))
  (func (export "count") (result i32) (global.get $n))
  (func (export "tag") (param i32) (result i32) (i32.load (i32.mul (local.get 0) (i32.const 16))))
  (func (export "val") (param i32) (result i64) (i64.load offset=8 (i32.mul (local.get 0) (i32.const 16)))))
(register "fuzzing-support" $log)
`;

const zero = { i32: "(i32.const 0)", i64: "(i64.const 0)", f32: "(f32.const 0)", f64: "(f64.const 0)",
               funcref: "(ref.null func)", externref: "(ref.null extern)" };
const jsZero = { i32: 0, i64: 0n, f32: 0, f64: 0, funcref: null, externref: null };

function expectValue(type, v) {
  switch (type) {
  case "i32": return `(i32.const ${v >>> 0})`;
  case "i64": return `(i64.const ${BigInt.asUintN(64, v)})`;
  case "f32": f32[0] = v; return `(f32.const ${fbits32(u32v[0])})`;
  case "f64": f64[0] = v; return `(f64.const ${fbits64(u64v[0])})`;
  case "funcref": return v === null ? "(ref.null func)" : "(ref.func)";
  case "externref": return v === null ? "(ref.null extern)" : "(ref.extern)";
  }
  throw new Error("unsupported result type " + type);
}
// exact float literals: the hex float of the bits
function fbits32(bits) {
  const s = bits >>> 31 ? "-" : "", e = (bits >>> 23) & 0xff, m = bits & 0x7fffff;
  if (e === 0xff) return s + "inf";
  if (e === 0) return `${s}0x0.${(m << 1).toString(16).padStart(6, "0")}p-126`;
  return `${s}0x1.${(m << 1).toString(16).padStart(6, "0")}p${e - 127}`;
}
function fbits64(bits) {
  const s = bits >> 63n ? "-" : "", e = Number((bits >> 52n) & 0x7ffn), m = bits & 0xfffffffffffffn;
  if (e === 0x7ff) return s + "inf";
  if (e === 0) return `${s}0x0.${m.toString(16).padStart(13, "0")}p-1022`;
  return `${s}0x1.${m.toString(16).padStart(13, "0")}p${e - 1023}`;
}

// V8's trap messages in the spec's words; "" (any trap) where V8 joins two spec traps
function trapText(e) {
  const m = String(e && e.message);
  if (/unreachable/.test(m)) return "unreachable";
  if (/memory access out of bounds/.test(m)) return "out of bounds memory access";
  if (/divide by zero|remainder by zero/.test(m)) return "integer divide by zero";
  if (/divide result unrepresentable|integer overflow/.test(m)) return "integer overflow";
  // "float unrepresentable in integer range" is both of the spec's conversion traps
  // ("invalid conversion to integer" for NaN, "integer overflow" out of range)
  return "";
}

const out = [];
const str = (s) => '"' + [...Buffer.from(s, "utf8")].map((c) => (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) ? String.fromCharCode(c) : "\\" + c.toString(16).padStart(2, "0")).join("") + '"';
out.push(loggerWat);
out.push("(module $m binary \"" + [...bytes].map((c) => "\\" + c.toString(16).padStart(2, "0")).join("") + "\")");

let inst;
try {
  inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
} catch (e) {
  console.error("V8 could not instantiate: " + e.message);
  process.exit(3);
}
let calls = 0;
for (const x of signatures(bytes)) {
  const t = x.type;
  if (!t || [...t.params, ...t.results].some((k) => k === "v128")) continue; // no v128 in JS
  log = []; logCount = 0;
  const args = t.params.map((k) => jsZero[k]);
  const inv = `(invoke $m ${str(x.name)} ${t.params.map((k) => zero[k]).join(" ")})`;
  out.push("(invoke $log \"reset\")");
  let res, trap = null;
  try {
    res = inst.exports[x.name](...args);
  } catch (e) {
    if (e instanceof RangeError && /call stack/.test(e.message)) break; // see above
    if (!(e instanceof WebAssembly.RuntimeError)) { console.error(`${x.name}: ${e}`); process.exit(3); }
    trap = e;
  }
  calls++;
  if (trap) {
    out.push(`(assert_trap ${inv} ${str(trapText(trap))})`);
  } else {
    const vals = t.results.length === 1 ? [res] : t.results.length ? res : [];
    // a NaN result: its bits did not survive the JS number, so only the call is made
    if (vals.some((v) => typeof v === "number" && Number.isNaN(v))) out.push(inv);
    else out.push(`(assert_return ${inv} ${t.results.map((k, i) => expectValue(k, vals[i])).join(" ")})`);
  }
  out.push(`(assert_return (invoke $log "count") (i32.const ${logCount}))`);
  for (let i = 0; i < log.length && i < CHECKLOG; i++) {
    out.push(`(assert_return (invoke $log "tag" (i32.const ${i})) (i32.const ${log[i][0]}))`);
    out.push(`(assert_return (invoke $log "val" (i32.const ${i})) (i64.const ${log[i][1]}))`);
  }
}
process.stdout.write(out.join("\n") + "\n");
console.error(`${calls} calls`);

// Writes tests/unit/simd_v8.txt: the result V8 (Node.js) gives for every fixed-width SIMD
// instruction on a fixed set of inputs, the independent reference of the exec_simd_v8
// unit group (tests/unit/test_exec_simd.c). Regenerate with
//   node tests/unit/simd_v8.mjs > tests/unit/simd_v8.txt
// The instruction list is read from src/wasm/opcodes.def; inputs come from a fixed seed.
//
// Each line: NAME LANE OFFSET X IMM V0 V1 V2 KIND RESULT, hex, with
//   LANE, OFFSET  the lane immediate and the memarg offset (0 when the op has none)
//   X             the scalar operand (shift count, splat/replace value, or the address of a
//                 memory form), 64 bits; i32/f32 operands use its low half
//   IMM           the 16 immediate bytes of v128.const / i8x16.shuffle, else -
//   V0..V2        the vector operands in operand order (memory forms: V1 is the vector);
//                 - where the instruction has none
//   KIND RESULT   v: the vector result; s: the scalar result (64 bits, i32/f32 zero-
//                 extended); m: the 16 bytes at the store's effective address afterwards
// Memory holds byte i = (i * 7 + (i >> 8) * 13) & 0xff in its first 64 KiB, as the
// unit test's memory does.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const def = readFileSync(join(here, "../../src/wasm/opcodes.def"), "utf8");
const ops = [];
for (const m of def.matchAll(/^OP\(\w+,\s*"([^"]+)",\s*0xfd,\s*(0x[0-9a-f]+),\s*(\w+),\s*(\w+),\s*(\w+),\s*(\w+),\s*(\w+),\s*(\w+)\)/gm)) {
  const [, name, code, imm, arg, p1, p2, p3, res] = m;
  ops.push({ name, code: Number(code), imm, arg: Number(arg), params: [p1, p2, p3].filter((p) => p !== "__"), res: res === "__" ? null : res });
}

// xorshift64*, as the unit test's generator
let st = 0x2545f4914f6cdd1dn;
const M = 0xffffffffffffffffn;
function rnd() {
  let x = st;
  x ^= x >> 12n; x ^= (x << 25n) & M; x ^= x >> 27n;
  st = x;
  return (x * 0x9e3779b97f4a7c15n) & M;
}
const rn = (n) => Number(rnd() % BigInt(n));
const f32edge = [0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00001, 0x3f800000, 0xbf000000,
                 0x4f000000, 0xcf000001, 0x3fc00000, 0x00000001, 0x4b000001, 0x7f7fffff];
const f64edge = [0n, 0x8000000000000000n, 0x7ff0000000000000n, 0x7ff8000000000000n, 0x7ff4000000000001n,
                 0x3ff0000000000000n, 0xbfe0000000000000n, 0x41e0000000000000n, 0xc1e0000000200000n,
                 0x4330000000000001n, 0x0000000000000001n];
function vec() {
  const b = Buffer.alloc(16);
  switch (rn(4)) {
  case 0: for (let i = 0; i < 4; i++) b.writeUInt32LE(f32edge[rn(f32edge.length)], i * 4); break;
  case 1: for (let i = 0; i < 2; i++) b.writeBigUInt64LE(f64edge[rn(f64edge.length)], i * 8); break;
  case 2: for (let i = 0; i < 16; i++) b[i] = rn(3) ? Number(rnd() & 0xffn) : (rn(2) ? 0x80 : 0x7f); break;
  default: b.writeBigUInt64LE(rnd(), 0); b.writeBigUInt64LE(rnd(), 8); break;
  }
  return b;
}

const leb = (v) => { const o = []; do { let c = v & 0x7f; v >>>= 7; o.push(v ? c | 0x80 : c); } while (v); return o; };
const sleb = (v) => { const o = []; for (;;) { const c = Number(v & 0x7fn); v >>= 7n; const done = (v === 0n && !(c & 0x40)) || (v === -1n && (c & 0x40)); o.push(done ? c : c | 0x80); if (done) return o; } };
const i32c = (v) => [0x41, ...sleb(BigInt.asIntN(32, BigInt(v)))];
const PAGE = 65536, IN = PAGE, X = PAGE + 48, RES = PAGE + 64;
const loadOf = { V128: [0xfd, 0x00, 4, 0], I32: [0x28, 2, 0], I64: [0x29, 3, 0], F32: [0x2a, 2, 0], F64: [0x2b, 3, 0] };
const storeOf = { V128: [0xfd, 0x0b, 4, 0], I32: [0x36, 2, 0], I64: [0x37, 3, 0], F32: [0x38, 2, 0], F64: [0x39, 3, 0] };
const memForm = (o) => o.imm === "MEM" || o.imm === "MEMLANE";
const section = (id, body) => [id, ...leb(body.length), ...body];
const vecOf = (items) => [...leb(items.length), ...items.flat()];

function body(o, c) {
  const b = [];
  if (o.res) b.push(...i32c(RES));
  let vi = 0;
  o.params.forEach((p, i) => {
    if (i === 0 && memForm(o)) b.push(...i32c(Number(c.x & 0xffffffffn)));
    else if (p === "V128") b.push(...i32c(IN + 16 * vi++), ...loadOf.V128);
    else b.push(...i32c(X), ...loadOf[p]);
  });
  if (memForm(o)) vi = 1; // the vector of a lane memory form is V1 in the file
  b.push(0xfd, ...leb(o.code));
  if (o.imm === "MEM") b.push(...leb(o.arg), ...leb(c.offset));
  else if (o.imm === "MEMLANE") b.push(...leb(o.arg & 0xf), ...leb(c.offset), c.lane);
  else if (o.imm === "LANE") b.push(c.lane);
  else if (o.imm === "V128C" || o.imm === "SHUFFLE") b.push(...c.imm);
  if (o.res) b.push(...storeOf[o.res]);
  b.push(0x0b);
  return [...leb(b.length + 1), 0, ...b];
}

function lanesOf(o) {
  if (o.imm === "LANE") return o.arg;
  if (o.imm === "MEMLANE") return 16 >> (o.arg & 0xf);
  return 0;
}
function bytesOf(o) { // what a memory form touches at its address
  if (o.name === "v128.load" || o.name === "v128.store") return 16;
  if (o.imm === "MEMLANE") return 1 << (o.arg & 0xf);
  if (/load(8x8|16x4|32x2)/.test(o.name)) return 8;
  const m = o.name.match(/load(8|16|32|64)_(splat|zero)/);
  return m ? Number(m[1]) / 8 : 16;
}

const CASES = 6;
const lines = [];
const hex = (b) => Buffer.from(b).toString("hex");
for (const o of ops) {
  const cases = [];
  for (let k = 0; k < CASES; k++) {
    const c = { v: [vec(), vec(), vec()], lane: 0, offset: 0, imm: [] };
    switch (rn(4)) {
    case 0: c.x = rnd(); break;
    case 1: c.x = rnd() % 130n; break;
    case 2: c.x = BigInt(f32edge[rn(f32edge.length)]); break;
    default: c.x = f64edge[rn(f64edge.length)]; break;
    }
    const lanes = lanesOf(o);
    if (lanes) c.lane = rn(lanes);
    for (let i = 0; i < 16; i++) c.imm.push(o.imm === "SHUFFLE" ? rn(32) : Number(rnd() & 0xffn));
    if (memForm(o)) { // in bounds: near the start or right up to the end of the 64 KiB
      c.offset = rn(3) === 0 ? rn(20) : 0;
      const n = bytesOf(o), span = o.res ? n : 16; // stores: the 16 bytes read back fit
      c.x = BigInt(rn(2) ? rn(64) : PAGE - span - c.offset - rn(8));
    }
    cases.push(c);
  }
  const types = vecOf([[0x60, 0, 0]]);
  const mod = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, types),
    ...section(3, vecOf(cases.map(() => [0]))),
    ...section(5, vecOf([[0, 2]])),
    ...section(7, vecOf([[1, 0x6d, 2, 0], ...cases.map((_, k) => [...leb(`f${k}`.length), ...Buffer.from(`f${k}`), 0, k])])),
    ...section(10, vecOf(cases.map((c) => body(o, c))))];
  const inst = new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from(mod)));
  const mem = Buffer.from(inst.exports.m.buffer);
  cases.forEach((c, k) => {
    for (let i = 0; i < PAGE; i++) mem[i] = (i * 7 + (i >> 8) * 13) & 0xff;
    let vi = 0;
    o.params.forEach((p, i) => { if (p === "V128" && !(memForm(o) && i === 0)) c.v[vi++].copy(mem, IN + 16 * (vi - 1)); });
    if (memForm(o) && o.params.includes("V128")) c.v[1].copy(mem, IN); // the lane form's vector
    mem.writeBigUInt64LE(c.x, X);
    inst.exports[`f${k}`]();
    let kind, res;
    if (o.res === "V128") { kind = "v"; res = hex(mem.subarray(RES, RES + 16)); }
    else if (o.res) {
      kind = "s";
      const wide = o.res === "I64" || o.res === "F64";
      res = (wide ? mem.readBigUInt64LE(RES) : BigInt(mem.readUInt32LE(RES))).toString(16).padStart(16, "0");
    } else { kind = "m"; const ea = Number(c.x) + c.offset; res = hex(mem.subarray(ea, ea + 16)); }
    const nv = o.params.filter((p) => p === "V128").length;
    const used = memForm(o) ? [false, nv > 0, false] : [nv > 0, nv > 1, nv > 2];
    const vs = c.v.map((v, i) => (used[i] ? hex(v) : "-"));
    const imm = o.imm === "V128C" || o.imm === "SHUFFLE" ? hex(c.imm) : "-";
    lines.push([o.name, c.lane.toString(16), c.offset.toString(16), c.x.toString(16), imm, ...vs, kind, res].join(" "));
  });
}
process.stdout.write(lines.join("\n") + "\n");

/* The SIMD instructions executed by the engine: every 0xFD opcode is put in a small
 * module (operands as parameters, as block results in temporaries, or as constants;
 * the result stored to a local or returned directly) and run through the public API.
 *
 * exec_simd_v8 compares with an independent reference: what V8 (Node.js) computed for
 * every instruction on fixed inputs (simd_v8.txt, written by simd_v8.mjs).
 * exec_simd_ops compares the engine's handlers (inline vector code, the SSE4.1/AVX2
 * library tiers) with the portable C library on random inputs, and memory forms at
 * addresses near both ends of the memory, including ones that must trap: a consistency
 * check between the engine's tiers, not a reference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/simd.h"
#include "unit.h"
#include "wasm/opcodes.h"
#include "weld.h"

/* ---------- inputs ------------------------------------------------------------------- */

static uint64_t xs_state = 0x2545f4914f6cdd1dull;
static uint64_t xrnd(void) {
  uint64_t x = xs_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  xs_state = x;
  return x * 0x9e3779b97f4a7c15ull;
}

static const uint32_t f32_edge[] = {0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000,
                                    0x7fa00001, 0x3f800000, 0xbf000000, 0x4f000000, 0xcf000001,
                                    0x3fc00000, 0x00000001, 0x4b000001, 0x7f7fffff};
static const uint64_t f64_edge[] = {0, 0x8000000000000000ull, 0x7ff0000000000000ull,
                                    0x7ff8000000000000ull, 0x7ff4000000000001ull,
                                    0x3ff0000000000000ull, 0xbfe0000000000000ull,
                                    0x41e0000000000000ull, 0xc1e0000000200000ull,
                                    0x4330000000000001ull, 0x0000000000000001ull};

static void rand_vec(exec_v128 *v) {
  switch (xrnd() % 4) {
  case 0:
    for (int i = 0; i < 4; i++) v->u32[i] = f32_edge[xrnd() % (sizeof f32_edge / 4)];
    break;
  case 1:
    for (int i = 0; i < 2; i++) v->u64[i] = f64_edge[xrnd() % (sizeof f64_edge / 8)];
    break;
  case 2:
    for (int i = 0; i < 16; i++) v->u8[i] = (uint8_t)((xrnd() % 3) ? xrnd() : (xrnd() % 2 ? 0x80 : 0x7f));
    break;
  default:
    v->u64[0] = xrnd();
    v->u64[1] = xrnd();
    break;
  }
}

/* ---------- a module around one instruction ----------------------------------------- */

typedef struct buf {
  uint8_t b[512];
  size_t n;
} buf;

static void b1(buf *o, uint8_t x) {
  if (o->n < sizeof o->b) o->b[o->n++] = x;
}
static void bleb(buf *o, uint64_t x) {
  do {
    uint8_t c = x & 0x7f;
    x >>= 7;
    b1(o, (uint8_t)(c | (x ? 0x80 : 0)));
  } while (x);
}
static void bsleb(buf *o, int64_t x) {
  for (;;) {
    uint8_t c = x & 0x7f;
    x >>= 7;
    bool done = (x == 0 && !(c & 0x40)) || (x == -1 && (c & 0x40));
    b1(o, (uint8_t)(c | (done ? 0 : 0x80)));
    if (done) break;
  }
}
static void bbytes(buf *o, const void *p, size_t n) {
  for (size_t i = 0; i < n; i++) b1(o, ((const uint8_t *)p)[i]);
}
static void bsection(buf *o, uint8_t id, const buf *body) {
  b1(o, id);
  bleb(o, body->n);
  bbytes(o, body->b, body->n);
}

/* How the instruction gets its operands and leaves its result. */
enum { V_PARAMS, V_TEMPS, V_CONSTS, V_COUNT };

typedef struct op_case {
  wasm_opcode op;
  int variant;
  exec_v128 v[3];
  uint64_t x;       /* the scalar operand (or the address, for memory forms) */
  uint32_t lane, offset;
  uint8_t imm[16];  /* v128.const or the shuffle lanes */
} op_case;

static uint8_t sig_const_op(uint8_t t) {
  return t == WASM_SIG_I32 ? 0x41 : t == WASM_SIG_I64 ? 0x42 : t == WASM_SIG_F32 ? 0x43 : 0x44;
}

static void emit_const(buf *o, uint8_t t, uint64_t x) {
  b1(o, sig_const_op(t));
  if (t == WASM_SIG_I32) bsleb(o, (int32_t)(uint32_t)x);
  else if (t == WASM_SIG_I64) bsleb(o, (int64_t)x);
  else if (t == WASM_SIG_F32) bbytes(o, &x, 4);
  else bbytes(o, &x, 8);
}

static size_t build(const op_case *c, uint8_t *out) {
  const wasm_opinfo *o = &wasm_opinfo_table[c->op];
  uint8_t np = o->nparams;
  /* parameters: every operand, also the ones passed as constants (then unused) */
  buf ty = {.n = 0}, code = {.n = 0}, body = {.n = 0}, fn = {.n = 0}, mod = {.n = 0};
  bleb(&ty, 1);
  b1(&ty, 0x60);
  bleb(&ty, np);
  for (int i = 0; i < np; i++) b1(&ty, o->params[i]);
  bleb(&ty, o->result ? 1 : 0);
  if (o->result) b1(&ty, o->result);

  /* locals: one of the result type for the TEMPS variant */
  if (o->result && c->variant == V_TEMPS) {
    bleb(&fn, 1);
    bleb(&fn, 1);
    b1(&fn, o->result);
  } else {
    bleb(&fn, 0);
  }
  for (int i = 0; i < np; i++) {
    uint8_t t = o->params[i];
    if (c->variant == V_CONSTS && t != WASM_SIG_V128) {
      emit_const(&fn, t, c->x);
    } else if (c->variant == V_TEMPS) {
      b1(&fn, 0x02); /* block (result t) local.get i end: the value lands in a temporary */
      b1(&fn, t);
      b1(&fn, 0x20);
      bleb(&fn, (uint64_t)i);
      b1(&fn, 0x0b);
    } else {
      b1(&fn, 0x20);
      bleb(&fn, (uint64_t)i);
      if (i == 0 && (o->imm == WASM_IMM_MEM || o->imm == WASM_IMM_MEMLANE)) {
        b1(&fn, 0x41); /* address - 1 + 1: the i32.add folds into the access */
        b1(&fn, 0x01);
        b1(&fn, 0x6a);
      }
    }
  }
  b1(&fn, 0xfd);
  bleb(&fn, o->code);
  switch (o->imm) {
  case WASM_IMM_MEM:
    bleb(&fn, o->arg);
    bleb(&fn, c->offset);
    break;
  case WASM_IMM_MEMLANE:
    bleb(&fn, o->arg & 0xf);
    bleb(&fn, c->offset);
    b1(&fn, (uint8_t)c->lane);
    break;
  case WASM_IMM_LANE: b1(&fn, (uint8_t)c->lane); break;
  case WASM_IMM_V128C:
  case WASM_IMM_SHUFFLE: bbytes(&fn, c->imm, 16); break;
  default: break;
  }
  if (o->result && c->variant == V_TEMPS) {
    b1(&fn, 0x21); /* local.set: the producer writes the local directly */
    bleb(&fn, np);
    b1(&fn, 0x20);
    bleb(&fn, np);
  }
  b1(&fn, 0x0b);
  bleb(&body, 1);
  bleb(&body, fn.n);
  bbytes(&body, fn.b, fn.n);

  buf fs = {.n = 0}, mem = {.n = 0}, ex = {.n = 0};
  bleb(&fs, 1);
  bleb(&fs, 0);
  bleb(&mem, 1);
  b1(&mem, 0);
  bleb(&mem, 1);
  bleb(&ex, 2);
  bleb(&ex, 1);
  b1(&ex, 'f');
  b1(&ex, 0);
  bleb(&ex, 0);
  bleb(&ex, 1);
  b1(&ex, 'm');
  b1(&ex, 2);
  bleb(&ex, 0);

  bbytes(&mod, "\0asm\1\0\0\0", 8);
  bsection(&mod, 1, &ty);
  bsection(&mod, 3, &fs);
  bsection(&mod, 5, &mem);
  bsection(&mod, 7, &ex);
  bsection(&mod, 10, &body);
  (void)code;
  memcpy(out, mod.b, mod.n);
  return mod.n;
}

/* ---------- the reference: the portable library, called directly --------------------- */

#define MEM_SIZE 65536u

typedef struct ref_out {
  bool trap;
  exec_v128 v;     /* vector result */
  uint64_t s;      /* scalar result */
  bool has_mem;    /* a store: the 16 bytes at mem_at afterwards */
  uint32_t mem_at;
  uint8_t mem[16];
} ref_out;

static bool mem_form(const wasm_opinfo *o) {
  return o->imm == WASM_IMM_MEM || o->imm == WASM_IMM_MEMLANE;
}

static void reference(const op_case *c, uint8_t *mem, ref_out *r) {
  const wasm_opinfo *o = &wasm_opinfo_table[c->op];
  memset(r, 0, sizeof *r);
  const exec_simd_entry *e = exec_simd_op_in(EXEC_SIMD_IMPL_PORTABLE, c->op);
  uint64_t ea = (uint64_t)(uint32_t)c->x + c->offset;
  uint32_t bytes = c->op == WASM_OP_V128_LOAD || c->op == WASM_OP_V128_STORE ? 16 : e ? e->bytes : 0;
  if (mem_form(o) && ea + bytes > MEM_SIZE) {
    r->trap = true;
    return;
  }
  switch (c->op) {
  case WASM_OP_V128_CONST: memcpy(&r->v, c->imm, 16); return;
  case WASM_OP_V128_LOAD: memcpy(&r->v, mem + ea, 16); return;
  case WASM_OP_V128_STORE: memcpy(mem + ea, &c->v[1], 16); return;
  default: break;
  }
  /* the scalar operand as the engine sees it: i32 and f32 zero-extended */
  uint64_t x = c->x;
  for (int i = 0; i < o->nparams; i++)
    if (o->params[i] == WASM_SIG_I32 || o->params[i] == WASM_SIG_F32) x = (uint32_t)x;
  const exec_v128 *v0 = &c->v[0];
  switch ((exec_simd_shape)e->shape) {
  case EXEC_SIMD_UNOP: e->fn.unop(&r->v, v0); break;
  case EXEC_SIMD_BINOP: e->fn.binop(&r->v, v0, &c->v[1]); break;
  case EXEC_SIMD_TERNOP: e->fn.ternop(&r->v, v0, &c->v[1], &c->v[2]); break;
  case EXEC_SIMD_SHIFT: e->fn.shift(&r->v, v0, (uint32_t)x); break;
  case EXEC_SIMD_SPLAT: e->fn.splat(&r->v, x); break;
  case EXEC_SIMD_EXTRACT: r->s = e->fn.extract(v0, c->lane); break;
  case EXEC_SIMD_REPLACE: e->fn.replace(&r->v, v0, x, c->lane); break;
  case EXEC_SIMD_SHUFFLE: e->fn.shuffle(&r->v, v0, &c->v[1], c->imm); break;
  case EXEC_SIMD_TEST: r->s = e->fn.test(v0); break;
  case EXEC_SIMD_LOAD: e->fn.load(&r->v, mem + ea); break;
  /* lane memory forms take (address, vector): the vector is the second operand */
  case EXEC_SIMD_LOAD_LANE: e->fn.load_lane(&r->v, &c->v[1], mem + ea, c->lane); break;
  case EXEC_SIMD_STORE_LANE: e->fn.store_lane(mem + ea, &c->v[1], c->lane); break;
  case EXEC_SIMD_NONE: break;
  }
}

/* Float results whose NaN bits may differ between a vector unit and plain C. */
static int float_lanes(wasm_opcode op) {
  const char *n = wasm_op_name(op);
  static const char *const arith[] = {"sqrt", "add", "sub", "mul", "div", "min", "max", "ceil",
                                      "floor", "trunc", "nearest", "demote", "promote"};
  int w = strncmp(n, "f32x4.", 6) == 0 ? 4 : strncmp(n, "f64x2.", 6) == 0 ? 8 : 0;
  if (!w) return 0;
  for (size_t i = 0; i < sizeof arith / sizeof arith[0]; i++)
    if (strstr(n + 6, arith[i]) == n + 6) {
      if (op == WASM_OP_F32X4_DEMOTE_F64X2_ZERO) return 4;
      if (op == WASM_OP_F64X2_PROMOTE_LOW_F32X4) return 8;
      return w;
    }
  return 0;
}

static bool lane_nan(const uint8_t *p, int w) {
  uint64_t x = 0;
  memcpy(&x, p, (size_t)w);
  if (w == 4) return (x & 0x7f800000u) == 0x7f800000u && (x & 0x007fffffu);
  return (x & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (x & 0x000fffffffffffffull);
}

static bool same_vec(wasm_opcode op, const uint8_t *a, const uint8_t *b) {
  int w = float_lanes(op);
  if (!w) return memcmp(a, b, 16) == 0;
  for (int i = 0; i < 16; i += w)
    if (!(lane_nan(a + i, w) && lane_nan(b + i, w)) && memcmp(a + i, b + i, (size_t)w)) return false;
  return true;
}

/* ---------- running one case ------------------------------------------------------------ */

static weld_val val_of(uint8_t t, const op_case *c, int i) {
  weld_val v;
  memset(&v, 0, sizeof v);
  switch (t) {
  case WASM_SIG_V128: v.kind = WELD_V128; memcpy(v.of.v128, &c->v[i], 16); break;
  case WASM_SIG_I32:
    v.kind = WELD_I32;
    v.of.i32 = (int32_t)(uint32_t)c->x;
    if (i == 0 && c->variant == V_PARAMS && mem_form(&wasm_opinfo_table[c->op]))
      v.of.i32 = (int32_t)((uint32_t)c->x - 1u); /* the module adds 1 back */
    break;
  case WASM_SIG_I64: v.kind = WELD_I64; v.of.i64 = (int64_t)c->x; break;
  case WASM_SIG_F32: {
    v.kind = WELD_F32;
    uint32_t b = (uint32_t)c->x;
    memcpy(&v.of.f32, &b, 4);
    break;
  }
  default: v.kind = WELD_F64; memcpy(&v.of.f64, &c->x, 8); break;
  }
  return v;
}

static uint64_t scalar_bits(const weld_val *v) {
  uint64_t s = 0;
  switch (v->kind) {
  case WELD_I32: s = (uint32_t)v->of.i32; break;
  case WELD_I64: s = (uint64_t)v->of.i64; break;
  case WELD_F32: memcpy(&s, &v->of.f32, 4); break;
  case WELD_F64: memcpy(&s, &v->of.f64, 8); break;
  default: break;
  }
  return s;
}

/* Runs one case; returns NULL when it matches the expected outcome (`expect`, or the
 * portable library's when NULL), else what differs. */
static const char *run_case(weld_engine *eng, const op_case *c, const ref_out *expect) {
  static char why[160];
  const wasm_opinfo *o = &wasm_opinfo_table[c->op];
  uint8_t bytes[512];
  size_t n = build(c, bytes);
  weld_error *err = NULL;
  weld_module *m = weld_module_new(eng, bytes, n, &err);
  if (!m) {
    snprintf(why, sizeof why, "compile: %s", err ? weld_error_message(err) : "?");
    weld_error_free(err);
    return why;
  }
  weld_store *s = weld_store_new(eng);
  weld_trap *trap = NULL;
  weld_instance *inst = weld_instance_new(s, m, NULL, 0, &trap, &err);
  const char *res = NULL;
  if (!inst) {
    res = "instantiate";
    goto out;
  }
  weld_memory *wm = weld_instance_memory(inst, "m");
  uint8_t *mem = malloc(MEM_SIZE);
  for (uint32_t i = 0; i < MEM_SIZE; i++) mem[i] = (uint8_t)(i * 7 + (i >> 8) * 13);
  weld_memory_write(wm, 0, mem, MEM_SIZE);
  ref_out want;
  if (expect) {
    want = *expect;
    if (want.has_mem) memcpy(mem + want.mem_at, want.mem, 16);
  } else {
    reference(c, mem, &want);
  }

  weld_val args[3], got;
  memset(&got, 0, sizeof got);
  for (int i = 0; i < o->nparams; i++) args[i] = val_of(o->params[i], c, i);
  weld_trap *t = weld_func_call(weld_instance_func(inst, "f"), args, o->nparams, &got,
                                o->result ? 1 : 0);
  if ((t != NULL) != want.trap) {
    snprintf(why, sizeof why, "trap %s, expected %s", t ? weld_trap_message(t) : "none",
             want.trap ? "a trap" : "none");
    res = why;
  } else if (t) {
    if (strcmp(weld_trap_message(t), "out of bounds memory access") != 0) res = "wrong trap";
  } else if (o->result == WASM_SIG_V128) {
    if (got.kind != WELD_V128 || !same_vec(c->op, got.of.v128, want.v.u8)) res = "wrong vector";
  } else if (o->result) {
    if (scalar_bits(&got) != want.s) {
      snprintf(why, sizeof why, "got %llx want %llx", (unsigned long long)scalar_bits(&got),
               (unsigned long long)want.s);
      res = why;
    }
  }
  if (!res && mem_form(o) && !o->result) { /* stores: the whole memory must match */
    uint8_t *after = malloc(MEM_SIZE);
    weld_memory_read(wm, 0, after, MEM_SIZE);
    if (memcmp(after, mem, MEM_SIZE) != 0) res = "memory differs";
    free(after);
  }
  weld_trap_free(t);
  free(mem);
out:
  weld_trap_free(trap);
  weld_error_free(err);
  weld_store_free(s);
  weld_module_free(m);
  return res;
}

static void rand_case(op_case *c, wasm_opcode op, int variant) {
  const wasm_opinfo *o = &wasm_opinfo_table[op];
  memset(c, 0, sizeof *c);
  c->op = op;
  c->variant = variant;
  for (int i = 0; i < 3; i++) rand_vec(&c->v[i]);
  switch (xrnd() % 4) {
  case 0: c->x = xrnd(); break;
  case 1: c->x = xrnd() % 130; break; /* shift counts around the lane widths */
  case 2: c->x = f32_edge[xrnd() % (sizeof f32_edge / 4)]; break;
  default: c->x = f64_edge[xrnd() % (sizeof f64_edge / 8)]; break;
  }
  const exec_simd_entry *e = exec_simd_op_in(EXEC_SIMD_IMPL_PORTABLE, op);
  if (e && e->lanes) c->lane = (uint32_t)(xrnd() % e->lanes);
  for (int i = 0; i < 16; i++) c->imm[i] = (uint8_t)(o->imm == WASM_IMM_SHUFFLE ? xrnd() % 32 : xrnd());
  if (mem_form(o)) { /* near the start, near the end (some out of bounds), or far out */
    switch (xrnd() % 4) {
    case 0: c->x = xrnd() % 64; break;
    case 1:
    case 2: c->x = MEM_SIZE - 24 + xrnd() % 24; break;
    default: c->x = 0xfffffff0u + xrnd() % 16; break;
    }
    c->offset = xrnd() % 3 == 0 ? (uint32_t)(xrnd() % 20) : 0;
  }
}

UNIT_GROUP(exec_simd_ops) {
  weld_engine *eng = weld_engine_new(NULL);
  unsigned covered = 0;
  for (int k = 0; k < EXEC_SIMD_NOPS; k++) {
    wasm_opcode op = (wasm_opcode)(EXEC_SIMD_FIRST + k);
    unsigned bad = 0;
    for (int i = 0; i < 36 && bad < 3; i++) {
      op_case c;
      rand_case(&c, op, i % V_COUNT);
      const char *why = run_case(eng, &c, NULL);
      if (why) {
        bad++;
        unit_check(false, __FILE__, __LINE__, "%s (variant %d, lane %u, x %llx): %s",
                   wasm_op_name(op), c.variant, c.lane, (unsigned long long)c.x, why);
      }
    }
    if (bad == 0) covered++;
  }
  CHECK_EQ_U64(covered, EXEC_SIMD_NOPS);
  weld_engine_free(eng);
}

/* ---------- the independent reference: V8's results ------------------------------------ */

static bool unhex(const char *h, uint8_t *out, size_t n) {
  if (strlen(h) != 2 * n) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(h + 2 * i, "%2x", &v) != 1) return false;
    out[i] = (uint8_t)v;
  }
  return true;
}

/* Reads one line of simd_v8.txt (its format is described in simd_v8.mjs). */
static bool parse_v8_line(char *line, op_case *c, ref_out *want) {
  char *tok[10];
  int n = 0;
  for (char *t = strtok(line, " \n"); t && n < 10; t = strtok(NULL, " \n")) tok[n++] = t;
  if (n != 10) return false;
  memset(c, 0, sizeof *c);
  memset(want, 0, sizeof *want);
  int op = -1;
  for (int k = 0; k < EXEC_SIMD_NOPS; k++)
    if (strcmp(wasm_op_name(EXEC_SIMD_FIRST + k), tok[0]) == 0) op = EXEC_SIMD_FIRST + k;
  if (op < 0) return false;
  c->op = (wasm_opcode)op;
  c->lane = (uint32_t)strtoul(tok[1], NULL, 16);
  c->offset = (uint32_t)strtoul(tok[2], NULL, 16);
  c->x = strtoull(tok[3], NULL, 16);
  if (strcmp(tok[4], "-") && !unhex(tok[4], c->imm, 16)) return false;
  for (int i = 0; i < 3; i++)
    if (strcmp(tok[5 + i], "-") && !unhex(tok[5 + i], c->v[i].u8, 16)) return false;
  switch (tok[8][0]) {
  case 'v': return unhex(tok[9], want->v.u8, 16);
  case 's': want->s = strtoull(tok[9], NULL, 16); return true;
  case 'm':
    want->has_mem = true;
    want->mem_at = (uint32_t)c->x + c->offset;
    return want->mem_at + 16 <= MEM_SIZE && unhex(tok[9], want->mem, 16);
  }
  return false;
}

UNIT_GROUP(exec_simd_v8) {
  char path[4096];
  snprintf(path, sizeof path, "%s", __FILE__);
  char *slash = strrchr(path, '/');
  snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "simd_v8.txt");
  FILE *f = fopen(path, "r");
  if (!CHECK(f != NULL)) return;
  weld_engine *eng = weld_engine_new(NULL);
  bool seen[EXEC_SIMD_NOPS] = {false};
  unsigned lines = 0, bad = 0;
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    op_case c;
    ref_out want;
    lines++;
    if (!parse_v8_line(line, &c, &want)) {
      unit_check(false, __FILE__, __LINE__, "simd_v8.txt:%u: unreadable", lines);
      continue;
    }
    seen[c.op - EXEC_SIMD_FIRST] = true;
    for (int variant = 0; variant < V_COUNT && bad < 20; variant++) {
      c.variant = variant;
      const char *why = run_case(eng, &c, &want);
      if (!unit_check(why == NULL, __FILE__, __LINE__, "simd_v8.txt:%u %s (variant %d): %s", lines,
                      wasm_op_name(c.op), variant, why ? why : ""))
        bad++;
    }
  }
  fclose(f);
  /* Every instruction has V8's results, but relaxed SIMD: V8 returns what the machine's
   * instruction does there, so its results are not a reference for weld's choices (the
   * spec scripts, whose `either` lists every allowed result, are; tests/spec). */
  const int nstrict = EXEC_SIMD_RELAXED_FIRST - EXEC_SIMD_FIRST;
  unsigned covered = 0;
  for (int k = 0; k < nstrict; k++) covered += seen[k];
  CHECK_EQ_U64(covered, nstrict);
  CHECK(lines >= 6u * nstrict);
  weld_engine_free(eng);
}

/* ---------- two-slot values through locals, blocks, branches, calls, globals ---------- */

/* wat2wasm of:
 * (module
 *   (memory (export "m") 1)
 *   (global $g (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
 *   (type $bin (func (param v128 v128) (result v128)))
 *   (table 2 funcref)
 *   (elem (i32.const 0) $add $swap)
 *   (func $add (type $bin) (i32x4.add (local.get 0) (local.get 1)))
 *   (func $swap (param v128 v128) (result v128 v128) (local.get 1) (local.get 0))
 *   (func (export "sel") (param v128 v128 i32) (result v128)
 *     (select (result v128) (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "selc") (param i32) (result v128)
 *     (select (result v128) (v128.const i32x4 1 1 1 1) (v128.const i32x4 2 2 2 2) (local.get 0)))
 *   (func (export "gswap") (param v128) (result v128)
 *     (global.get $g) (global.set $g (local.get 0)))
 *   (func (export "blk") (param v128 v128 i32) (result v128)
 *     (block $a (result v128)
 *       (block $b (result v128)
 *         (block $c (result v128)
 *           (local.get 0) (local.get 2) (br_table $a $b $c))
 *         (local.get 1) (i32x4.add) (br $a))
 *       (local.get 1) (i32x4.sub)))
 *   (func (export "brif") (param v128 v128 i32) (result v128)
 *     (block $a (result v128)
 *       (i32x4.mul (local.get 0) (local.get 1))
 *       (br_if $a (local.get 2))
 *       (drop)
 *       (local.get 1)))
 *   (func (export "sum") (param i32) (result v128) (local $acc v128) (local $i i32)
 *     (block $done
 *       (loop $l
 *         (br_if $done (i32.ge_u (local.get $i) (local.get 0)))
 *         (local.set $acc (i32x4.add (local.get $acc) (v128.load (i32.mul (local.get $i) (i32.const 16)))))
 *         (local.set $i (i32.add (local.get $i) (i32.const 1)))
 *         (br $l)))
 *     (local.get $acc))
 *   (func (export "lp") (param v128 i32) (result v128)
 *     (local.get 0)
 *     (loop $l (param v128) (result v128)
 *       (i32x4.add (v128.const i32x4 1 10 100 1000))
 *       (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))
 *       (br_if $l)))
 *   (func $rec (export "rec") (param v128 i32) (result v128)
 *     (if (result v128) (i32.eqz (local.get 1))
 *       (then (local.get 0))
 *       (else (call $rec (i32x4.add (local.get 0) (local.get 0)) (i32.sub (local.get 1) (i32.const 1))))))
 *   (func (export "ind") (param v128 v128 i32) (result v128)
 *     (call_indirect (type $bin) (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "swapsub") (param v128 v128) (result v128)
 *     (call $swap (local.get 0) (local.get 1)) (i32x4.sub))
 *   (func (export "multi") (param v128) (result i32 v128 i64)
 *     (i32.const 7) (local.get 0) (i64.const -1))
 *   (func (export "early") (param v128 i32) (result v128)
 *     (if (local.get 1) (then (return (i32x4.splat (i32.const 9)))))
 *     (local.get 0))
 *   (func (export "mix") (param i32) (result i32)
 *     (i32x4.extract_lane 2 (i32x4.add (i32x4.splat (local.get 0)) (v128.const i32x4 0 1 2 3)))
 *     (local.get 0) (i32.add))
 *   (func (export "tee") (param v128) (result v128) (local v128)
 *     (i32x4.add (local.tee 1 (i32x4.mul (local.get 0) (local.get 0))) (local.get 1)))
 *   (func (export "store") (param i32 v128)
 *     (v128.store offset=16 (i32.add (local.get 0) (i32.const 4)) (local.get 1)))
 *   (func (export "load") (param i32 i32) (result v128)
 *     (v128.load offset=3 (i32.add (local.get 0) (local.get 1))))
 *   (func (export "lanes") (param v128) (result v128) (local $t v128)
 *     ;; pending local.get of $t survives a write to $t
 *     (local.set $t (local.get 0))
 *     (local.get $t)
 *     (local.set $t (i8x16.splat (i32.const 1)))
 *     (local.get $t)
 *     (i8x16.add))
 *   (func (export "ldx") (param i32 i32) (result v128)
 *     (v128.load8x8_u offset=2 (i32.add (local.get 0) (local.get 1))))
 * )
 */
static const uint8_t flow_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x3c, 0x0a, 0x60,
  0x02, 0x7b, 0x7b, 0x01, 0x7b, 0x60, 0x02, 0x7b, 0x7b, 0x02, 0x7b, 0x7b,
  0x60, 0x03, 0x7b, 0x7b, 0x7f, 0x01, 0x7b, 0x60, 0x01, 0x7f, 0x01, 0x7b,
  0x60, 0x01, 0x7b, 0x01, 0x7b, 0x60, 0x02, 0x7b, 0x7f, 0x01, 0x7b, 0x60,
  0x01, 0x7b, 0x03, 0x7f, 0x7b, 0x7e, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60,
  0x02, 0x7f, 0x7b, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7b, 0x03, 0x15,
  0x14, 0x00, 0x01, 0x02, 0x03, 0x04, 0x02, 0x02, 0x03, 0x05, 0x05, 0x02,
  0x00, 0x06, 0x05, 0x07, 0x04, 0x08, 0x09, 0x04, 0x09, 0x04, 0x04, 0x01,
  0x70, 0x00, 0x02, 0x05, 0x03, 0x01, 0x00, 0x01, 0x06, 0x16, 0x01, 0x7b,
  0x01, 0xfd, 0x0c, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03,
  0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0b, 0x07, 0x85, 0x01, 0x14,
  0x01, 0x6d, 0x02, 0x00, 0x01, 0x67, 0x03, 0x00, 0x03, 0x73, 0x65, 0x6c,
  0x00, 0x02, 0x04, 0x73, 0x65, 0x6c, 0x63, 0x00, 0x03, 0x05, 0x67, 0x73,
  0x77, 0x61, 0x70, 0x00, 0x04, 0x03, 0x62, 0x6c, 0x6b, 0x00, 0x05, 0x04,
  0x62, 0x72, 0x69, 0x66, 0x00, 0x06, 0x03, 0x73, 0x75, 0x6d, 0x00, 0x07,
  0x02, 0x6c, 0x70, 0x00, 0x08, 0x03, 0x72, 0x65, 0x63, 0x00, 0x09, 0x03,
  0x69, 0x6e, 0x64, 0x00, 0x0a, 0x07, 0x73, 0x77, 0x61, 0x70, 0x73, 0x75,
  0x62, 0x00, 0x0b, 0x05, 0x6d, 0x75, 0x6c, 0x74, 0x69, 0x00, 0x0c, 0x05,
  0x65, 0x61, 0x72, 0x6c, 0x79, 0x00, 0x0d, 0x03, 0x6d, 0x69, 0x78, 0x00,
  0x0e, 0x03, 0x74, 0x65, 0x65, 0x00, 0x0f, 0x05, 0x73, 0x74, 0x6f, 0x72,
  0x65, 0x00, 0x10, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x11, 0x05, 0x6c,
  0x61, 0x6e, 0x65, 0x73, 0x00, 0x12, 0x03, 0x6c, 0x64, 0x78, 0x00, 0x13,
  0x09, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x00, 0x01, 0x0a, 0x97,
  0x03, 0x14, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0xfd, 0xae, 0x01, 0x0b,
  0x06, 0x00, 0x20, 0x01, 0x20, 0x00, 0x0b, 0x0b, 0x00, 0x20, 0x00, 0x20,
  0x01, 0x20, 0x02, 0x1c, 0x01, 0x7b, 0x0b, 0x2b, 0x00, 0xfd, 0x0c, 0x01,
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
  0x00, 0x00, 0x00, 0xfd, 0x0c, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
  0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x20, 0x00, 0x1c,
  0x01, 0x7b, 0x0b, 0x08, 0x00, 0x23, 0x00, 0x20, 0x00, 0x24, 0x00, 0x0b,
  0x20, 0x00, 0x02, 0x7b, 0x02, 0x7b, 0x02, 0x7b, 0x20, 0x00, 0x20, 0x02,
  0x0e, 0x02, 0x02, 0x01, 0x00, 0x0b, 0x20, 0x01, 0xfd, 0xae, 0x01, 0x0c,
  0x01, 0x0b, 0x20, 0x01, 0xfd, 0xb1, 0x01, 0x0b, 0x0b, 0x13, 0x00, 0x02,
  0x7b, 0x20, 0x00, 0x20, 0x01, 0xfd, 0xb5, 0x01, 0x20, 0x02, 0x0d, 0x00,
  0x1a, 0x20, 0x01, 0x0b, 0x0b, 0x2e, 0x02, 0x01, 0x7b, 0x01, 0x7f, 0x02,
  0x40, 0x03, 0x40, 0x20, 0x02, 0x20, 0x00, 0x4f, 0x0d, 0x01, 0x20, 0x01,
  0x20, 0x02, 0x41, 0x10, 0x6c, 0xfd, 0x00, 0x04, 0x00, 0xfd, 0xae, 0x01,
  0x21, 0x01, 0x20, 0x02, 0x41, 0x01, 0x6a, 0x21, 0x02, 0x0c, 0x00, 0x0b,
  0x0b, 0x20, 0x01, 0x0b, 0x25, 0x00, 0x20, 0x00, 0x03, 0x04, 0xfd, 0x0c,
  0x01, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00,
  0xe8, 0x03, 0x00, 0x00, 0xfd, 0xae, 0x01, 0x20, 0x01, 0x41, 0x01, 0x6b,
  0x22, 0x01, 0x0d, 0x00, 0x0b, 0x0b, 0x19, 0x00, 0x20, 0x01, 0x45, 0x04,
  0x7b, 0x20, 0x00, 0x05, 0x20, 0x00, 0x20, 0x00, 0xfd, 0xae, 0x01, 0x20,
  0x01, 0x41, 0x01, 0x6b, 0x10, 0x09, 0x0b, 0x0b, 0x0b, 0x00, 0x20, 0x00,
  0x20, 0x01, 0x20, 0x02, 0x11, 0x00, 0x00, 0x0b, 0x0b, 0x00, 0x20, 0x00,
  0x20, 0x01, 0x10, 0x01, 0xfd, 0xb1, 0x01, 0x0b, 0x08, 0x00, 0x41, 0x07,
  0x20, 0x00, 0x42, 0x7f, 0x0b, 0x0e, 0x00, 0x20, 0x01, 0x04, 0x40, 0x41,
  0x09, 0xfd, 0x11, 0x0f, 0x0b, 0x20, 0x00, 0x0b, 0x21, 0x00, 0x20, 0x00,
  0xfd, 0x11, 0xfd, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
  0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0xfd, 0xae, 0x01, 0xfd,
  0x1b, 0x02, 0x20, 0x00, 0x6a, 0x0b, 0x12, 0x01, 0x01, 0x7b, 0x20, 0x00,
  0x20, 0x00, 0xfd, 0xb5, 0x01, 0x22, 0x01, 0x20, 0x01, 0xfd, 0xae, 0x01,
  0x0b, 0x0d, 0x00, 0x20, 0x00, 0x41, 0x04, 0x6a, 0x20, 0x01, 0xfd, 0x0b,
  0x04, 0x10, 0x0b, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0xfd, 0x00,
  0x04, 0x03, 0x0b, 0x14, 0x01, 0x01, 0x7b, 0x20, 0x00, 0x21, 0x01, 0x20,
  0x01, 0x41, 0x01, 0xfd, 0x0f, 0x21, 0x01, 0x20, 0x01, 0xfd, 0x6e, 0x0b,
  0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0xfd, 0x02, 0x03, 0x02, 0x0b
};

static weld_val v4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  weld_val v;
  memset(&v, 0, sizeof v);
  v.kind = WELD_V128;
  uint32_t l[4] = {a, b, c, d};
  memcpy(v.of.v128, l, 16);
  return v;
}

static bool is_v4(const weld_val *v, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  weld_val w = v4(a, b, c, d);
  return v->kind == WELD_V128 && memcmp(v->of.v128, w.of.v128, 16) == 0;
}

/* Calls export `name`; returns the trap message or NULL. */
static const char *flow_call(weld_instance *inst, const char *name, const weld_val *args,
                             size_t na, weld_val *res, size_t nr) {
  static char msg[128];
  weld_func *f = weld_instance_func(inst, name);
  if (!f) return "no such export";
  weld_trap *t = weld_func_call(f, args, na, res, nr);
  if (!t) return NULL;
  snprintf(msg, sizeof msg, "%s", weld_trap_message(t));
  weld_trap_free(t);
  return msg;
}

#define FLOW1(name, r, ...)                                                               \
  do {                                                                                    \
    weld_val a_[] = {__VA_ARGS__};                                                        \
    const char *m_ = flow_call(inst, name, a_, sizeof a_ / sizeof a_[0], &(r), 1);        \
    unit_check(m_ == NULL, __FILE__, __LINE__, "%s: %s", name, m_ ? m_ : "");             \
  } while (0)

UNIT_GROUP(exec_simd_flow) {
  weld_engine *eng = weld_engine_new(NULL);
  weld_error *err = NULL;
  weld_module *m = weld_module_new(eng, flow_wasm, sizeof flow_wasm, &err);
  if (!unit_check(m != NULL, __FILE__, __LINE__, "compile: %s", err ? weld_error_message(err) : "")) {
    weld_error_free(err);
    weld_engine_free(eng);
    return;
  }
  weld_store *s = weld_store_new(eng);
  weld_trap *trap = NULL;
  weld_instance *inst = weld_instance_new(s, m, NULL, 0, &trap, &err);
  CHECK(inst != NULL);
  if (!inst) goto out;
  weld_val r, A = v4(1, 2, 3, 4), B = v4(10, 20, 30, 40);

  FLOW1("sel", r, A, B, WELD_I32_VAL(1));
  CHECK(is_v4(&r, 1, 2, 3, 4));
  FLOW1("sel", r, A, B, WELD_I32_VAL(0));
  CHECK(is_v4(&r, 10, 20, 30, 40));
  FLOW1("selc", r, WELD_I32_VAL(0));
  CHECK(is_v4(&r, 2, 2, 2, 2));

  /* the global starts at 1 2 3 4 and is visible to the embedder as a v128 */
  FLOW1("gswap", r, B);
  CHECK(is_v4(&r, 1, 2, 3, 4));
  weld_val gv = weld_global_get(weld_instance_global(inst, "g"));
  CHECK(is_v4(&gv, 10, 20, 30, 40));
  CHECK(weld_global_set(weld_instance_global(inst, "g"), v4(5, 6, 7, 8)));
  FLOW1("gswap", r, A);
  CHECK(is_v4(&r, 5, 6, 7, 8));

  FLOW1("blk", r, A, B, WELD_I32_VAL(0));
  CHECK(is_v4(&r, 1, 2, 3, 4));
  FLOW1("blk", r, A, B, WELD_I32_VAL(1));
  CHECK(is_v4(&r, (uint32_t)-9, (uint32_t)-18, (uint32_t)-27, (uint32_t)-36));
  FLOW1("blk", r, A, B, WELD_I32_VAL(2));
  CHECK(is_v4(&r, 11, 22, 33, 44));
  FLOW1("blk", r, A, B, WELD_I32_VAL(99));
  CHECK(is_v4(&r, 11, 22, 33, 44));
  FLOW1("brif", r, A, B, WELD_I32_VAL(1));
  CHECK(is_v4(&r, 10, 40, 90, 160));
  FLOW1("brif", r, A, B, WELD_I32_VAL(0));
  CHECK(is_v4(&r, 10, 20, 30, 40));

  weld_memory *mem = weld_instance_memory(inst, "m");
  uint32_t words[64];
  for (uint32_t i = 0; i < 64; i++) words[i] = i;
  weld_memory_write(mem, 0, words, sizeof words);
  FLOW1("sum", r, WELD_I32_VAL(16));
  CHECK(is_v4(&r, 480, 496, 512, 528)); /* sum over k < 16 of 4k + lane */

  FLOW1("lp", r, A, WELD_I32_VAL(3));
  CHECK(is_v4(&r, 4, 32, 303, 3004));
  FLOW1("rec", r, A, WELD_I32_VAL(5));
  CHECK(is_v4(&r, 32, 64, 96, 128));
  FLOW1("ind", r, A, B, WELD_I32_VAL(0));
  CHECK(is_v4(&r, 11, 22, 33, 44));
  {
    weld_val a[] = {A, B, WELD_I32_VAL(1)};
    const char *msg = flow_call(inst, "ind", a, 3, &r, 1);
    CHECK(msg && strcmp(msg, "indirect call type mismatch") == 0);
  }
  FLOW1("swapsub", r, A, B);
  CHECK(is_v4(&r, 9, 18, 27, 36));
  {
    weld_val res[3];
    const char *msg = flow_call(inst, "multi", &A, 1, res, 3);
    CHECK(msg == NULL);
    CHECK(res[0].kind == WELD_I32 && res[0].of.i32 == 7);
    CHECK(is_v4(&res[1], 1, 2, 3, 4));
    CHECK(res[2].kind == WELD_I64 && res[2].of.i64 == -1);
  }
  FLOW1("early", r, A, WELD_I32_VAL(1));
  CHECK(is_v4(&r, 9, 9, 9, 9));
  FLOW1("early", r, A, WELD_I32_VAL(0));
  CHECK(is_v4(&r, 1, 2, 3, 4));
  FLOW1("mix", r, WELD_I32_VAL(40));
  CHECK(r.kind == WELD_I32 && r.of.i32 == 82);
  FLOW1("tee", r, A);
  CHECK(is_v4(&r, 2, 8, 18, 32));
  FLOW1("lanes", r, A);
  CHECK(is_v4(&r, 0x01010102, 0x01010103, 0x01010104, 0x01010105));

  /* v128.store / v128.load with folded address arithmetic, and their bounds */
  {
    weld_val a[] = {WELD_I32_VAL(100), B};
    CHECK(flow_call(inst, "store", a, 2, NULL, 0) == NULL);
    uint32_t back[4];
    weld_memory_read(mem, 120, back, 16);
    CHECK(back[0] == 10 && back[3] == 40);
    weld_val l[] = {WELD_I32_VAL(110), WELD_I32_VAL(7)};
    FLOW1("load", r, l[0], l[1]);
    CHECK(is_v4(&r, 10, 20, 30, 40));
    weld_val edge[] = {WELD_I32_VAL(65536 - 36), B}; /* 65536-36+4+16 = 65520: fits */
    CHECK(flow_call(inst, "store", edge, 2, NULL, 0) == NULL);
    weld_val over[] = {WELD_I32_VAL(65536 - 35), B};
    const char *msg = flow_call(inst, "store", over, 2, NULL, 0);
    CHECK(msg && strcmp(msg, "out of bounds memory access") == 0);
    weld_val wrap[] = {WELD_I32_VAL(-4), A}; /* the sum wraps to 32 bits */
    msg = flow_call(inst, "store", wrap, 2, NULL, 0);
    unit_check(msg == NULL, __FILE__, __LINE__, "wrapped store: %s", msg ? msg : "");
    weld_val lw[] = {WELD_I32_VAL(-1), WELD_I32_VAL(1)}; /* wraps to 0, + offset 3 */
    FLOW1("load", r, lw[0], lw[1]);
    weld_val lo[] = {WELD_I32_VAL(65536 - 19), WELD_I32_VAL(1)};
    msg = flow_call(inst, "load", lo, 2, &r, 1);
    CHECK(msg && strcmp(msg, "out of bounds memory access") == 0);
  }
  /* a load-extend with a register address sum folded in */
  {
    uint8_t bytes8[8] = {1, 2, 3, 4, 5, 6, 7, 0xff};
    weld_memory_write(mem, 1000, bytes8, 8);
    weld_val l[] = {WELD_I32_VAL(990), WELD_I32_VAL(8)};
    FLOW1("ldx", r, l[0], l[1]);
    uint16_t want16[8] = {1, 2, 3, 4, 5, 6, 7, 0xff};
    CHECK(r.kind == WELD_V128 && memcmp(r.of.v128, want16, 16) == 0);
    weld_val o[] = {WELD_I32_VAL(65536 - 10), WELD_I32_VAL(1)}; /* ends at 65537 */
    const char *msg = flow_call(inst, "ldx", o, 2, &r, 1);
    CHECK(msg && strcmp(msg, "out of bounds memory access") == 0);
  }
out:
  weld_trap_free(trap);
  weld_error_free(err);
  weld_store_free(s);
  weld_module_free(m);
  weld_engine_free(eng);
}

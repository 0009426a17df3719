/* The SIMD operation library (src/exec/simd*.c): its tables against opcodes.def, a
 * sample of the spec suite's concrete cases through every implementation the CPU runs,
 * the memory forms by hand, and every vector implementation against the portable
 * reference on random and special inputs (bit-identical, except that NaN results of
 * float arithmetic need only both be NaNs of the kind the spec allows). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/simd.h"
#include "unit.h"
#include "wasm/opcodes.h"

/* ---------- inputs ------------------------------------------------------------------ */

/* xorshift64*: fixed seed, so a failure reproduces. */
static uint64_t simd_rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
  uint64_t x = simd_rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  simd_rng = x;
  return x * 0x2545f4914f6cdd1dull;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* NaNs with and without payloads, signalling NaNs, signed zeros, infinities,
 * subnormals, rounding ties, and the bounds of every float -> int conversion. */
static const uint32_t f32_special[] = {
  0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fc00001,
  0x7fffffff, 0xffc12345, 0x7f800001, 0x7fa00000, 0xff800123, 0x00000001, 0x80000001,
  0x007fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, 0x3f000000,
  0xbf000000, 0x3fc00000, 0x40200000, 0xc0200000, 0x40600000, 0x3effffff, 0x4b000000,
  0x4b000001, 0x4b800000, 0x4f000000, 0x4effffff, 0xcf000000, 0xcf000001, 0x4f800000,
  0x4f7fffff, 0xbf7d70a4, 0xbf7fffff, 0x3f7fffff, 0x4b7fffff, 0xcb7fffff, 0x4affffff,
};
static const uint64_t f64_special[] = {
  0x0000000000000000ull, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
  0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff8000000000001ull, 0x7fffffffffffffffull,
  0xfff8123456789abcull, 0x7ff0000000000001ull, 0x7ff4000000000000ull, 0xfff0000000000123ull,
  0x0000000000000001ull, 0x8000000000000001ull, 0x000fffffffffffffull, 0x0010000000000000ull,
  0x7fefffffffffffffull, 0xffefffffffffffffull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
  0x3fe0000000000000ull, 0xbfe0000000000000ull, 0x3ff8000000000000ull, 0x4004000000000000ull,
  0xc004000000000000ull, 0x3fdfffffffffffffull, 0x4330000000000000ull, 0x4330000000000001ull,
  0x4340000000000000ull, 0x41e0000000000000ull, 0x41dfffffffc00000ull, 0x41dfffffffe00000ull,
  0xc1e0000000000000ull, 0xc1e0000000100000ull, 0xc1e0000000200000ull, 0x41f0000000000000ull,
  0x41efffffffe00000ull, 0x41effffffff00000ull, 0xbfefffffffffffffull, 0xbfeff7ced916872bull,
  0x3ff0000010000000ull, 0x3ff0000030000000ull, 0x3ff0000010000001ull, 0x47efffffe0000000ull,
  0x47efffffefffffffull, 0x47effffff0000000ull, 0x36a0000000000000ull, 0x3690000000000000ull,
  0x3698000000000000ull, 0x380fffffe0000000ull, 0xc7efffffe0000000ull,
};
static const uint64_t int_special[] = {
  0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
  0xffffffff, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, 0x81,
  0x8001, 0x80000001, 0x8000000000000001ull, 0x7e, 0x7ffe, 0x7ffffffe, 0x80000080,
  0x01000001, 0x01000003, 0xffffff80, 0xffffff7f, 0x4000, 0xc000,
};

static void rand_v128(exec_v128 *v) {
  switch (rnd() % 6) {
  case 0:
    v->u64[0] = rnd();
    v->u64[1] = rnd();
    break;
  case 1: { /* integer lanes of a random width */
    unsigned w = 1u << (rnd() % 4);
    for (unsigned i = 0; i < 16; i += w) {
      uint64_t x = (rnd() & 1) ? int_special[rnd() % COUNT(int_special)] : rnd();
      if (rnd() % 4 == 0) x = 0u - x;
      memcpy(&v->u8[i], &x, w);
    }
    break;
  }
  case 2:
  case 3:
    for (int i = 0; i < 4; i++) {
      uint32_t x = (rnd() % 3) ? f32_special[rnd() % COUNT(f32_special)] : (uint32_t)rnd();
      if (rnd() % 8 == 0) {
        float f = (float)((int64_t)rnd() % 100000) / 16.0f;
        memcpy(&x, &f, 4);
      }
      v->u32[i] = x;
    }
    break;
  default:
    for (int i = 0; i < 2; i++) {
      uint64_t x = (rnd() % 3) ? f64_special[rnd() % COUNT(f64_special)] : rnd();
      if (rnd() % 8 == 0) {
        double f = (double)((int64_t)rnd() % 10000000000ll) / 64.0;
        memcpy(&x, &f, 8);
      }
      v->u64[i] = x;
    }
    break;
  }
}

typedef struct simd_in {
  exec_v128 v[3];
  uint64_t x;        /* scalar operand */
  uint32_t lane;
  uint8_t lanes[16]; /* shuffle immediate */
  uint8_t mem[32];   /* memory forms access mem + 3 */
} simd_in;

typedef struct simd_out {
  exec_v128 v;
  uint64_t s;
  uint8_t mem[32];
} simd_out;

static void rand_in(const exec_simd_entry *e, simd_in *in) {
  for (int k = 0; k < 3; k++) rand_v128(&in->v[k]);
  switch (rnd() % 4) {
  case 0: in->x = rnd(); break;
  case 1: in->x = int_special[rnd() % COUNT(int_special)]; break;
  case 2: in->x = rnd() % 300; break; /* shift counts around the lane widths */
  default: in->x = (rnd() << 32) | f32_special[rnd() % COUNT(f32_special)]; break;
  }
  if (rnd() % 8 == 0) in->x = f64_special[rnd() % COUNT(f64_special)];
  in->lane = e->lanes ? (uint32_t)(rnd() % e->lanes) : 0;
  for (int i = 0; i < 16; i++) in->lanes[i] = (uint8_t)(rnd() % 32);
  for (int i = 0; i < 32; i++) in->mem[i] = (uint8_t)rnd();
  if (rnd() % 4 == 0) /* swizzle indices around 16 and with the top bit set */
    for (int i = 0; i < 16; i++) in->v[1].u8[i] = (uint8_t)(rnd() % 20 + (rnd() % 2 ? 0 : 0xf0));
}

/* Calls an entry the way the interpreter does: operands in 8-byte (not 16-byte) aligned
 * frame slots; alias 1 or 2 writes the result over the first or second operand. */
static void simd_call(const exec_simd_entry *e, const simd_in *in, simd_out *out, int alias) {
  _Alignas(16) uint8_t frame[8 + 5 * 16];
  exec_v128 *ops = (exec_v128 *)(void *)(frame + 8);
  memcpy(ops, in->v, sizeof in->v);
  exec_v128 *d = alias == 1 ? &ops[0] : alias == 2 ? &ops[1] : &ops[4];
  memset(out, 0, sizeof *out);
  memcpy(out->mem, in->mem, sizeof out->mem);
  switch ((exec_simd_shape)e->shape) {
  case EXEC_SIMD_NONE: break;
  case EXEC_SIMD_UNOP: e->fn.unop(d, &ops[0]); break;
  case EXEC_SIMD_BINOP: e->fn.binop(d, &ops[0], &ops[1]); break;
  case EXEC_SIMD_TERNOP: e->fn.ternop(d, &ops[0], &ops[1], &ops[2]); break;
  case EXEC_SIMD_SHIFT: e->fn.shift(d, &ops[0], (uint32_t)in->x); break;
  case EXEC_SIMD_SPLAT: e->fn.splat(d, in->x); break;
  case EXEC_SIMD_EXTRACT: out->s = e->fn.extract(&ops[0], in->lane); break;
  case EXEC_SIMD_REPLACE: e->fn.replace(d, &ops[0], in->x, in->lane); break;
  case EXEC_SIMD_SHUFFLE: e->fn.shuffle(d, &ops[0], &ops[1], in->lanes); break;
  case EXEC_SIMD_TEST: out->s = e->fn.test(&ops[0]); break;
  case EXEC_SIMD_LOAD: e->fn.load(d, out->mem + 3); break;
  case EXEC_SIMD_LOAD_LANE: e->fn.load_lane(d, &ops[0], out->mem + 3, in->lane); break;
  case EXEC_SIMD_STORE_LANE: e->fn.store_lane(out->mem + 3, &ops[0], in->lane); break;
  }
  memcpy(&out->v, d, 16);
}

static int has_vector_result(const exec_simd_entry *e) {
  return e->shape != EXEC_SIMD_EXTRACT && e->shape != EXEC_SIMD_TEST &&
         e->shape != EXEC_SIMD_STORE_LANE;
}

/* ---------- NaN rules ----------------------------------------------------------------- */

/* Float arithmetic whose NaN results may legitimately differ between implementations:
 * result lane width, and the width of the operand lanes (different for demote/promote). */
static int nan_lanes(wasm_opcode op, int *in_width) {
  switch (op) {
  case WASM_OP_F32X4_SQRT: case WASM_OP_F32X4_ADD: case WASM_OP_F32X4_SUB:
  case WASM_OP_F32X4_MUL: case WASM_OP_F32X4_DIV: case WASM_OP_F32X4_MIN:
  case WASM_OP_F32X4_MAX: case WASM_OP_F32X4_CEIL: case WASM_OP_F32X4_FLOOR:
  case WASM_OP_F32X4_TRUNC: case WASM_OP_F32X4_NEAREST:
    *in_width = 4;
    return 4;
  case WASM_OP_F32X4_DEMOTE_F64X2_ZERO: *in_width = 8; return 4;
  case WASM_OP_F64X2_PROMOTE_LOW_F32X4: *in_width = 4; return 8;
  case WASM_OP_F64X2_SQRT: case WASM_OP_F64X2_ADD: case WASM_OP_F64X2_SUB:
  case WASM_OP_F64X2_MUL: case WASM_OP_F64X2_DIV: case WASM_OP_F64X2_MIN:
  case WASM_OP_F64X2_MAX: case WASM_OP_F64X2_CEIL: case WASM_OP_F64X2_FLOOR:
  case WASM_OP_F64X2_TRUNC: case WASM_OP_F64X2_NEAREST:
    *in_width = 8;
    return 8;
  default:
    *in_width = 0;
    return 0;
  }
}

static uint64_t lane_bits(const uint8_t *p, int w) {
  uint64_t x = 0;
  memcpy(&x, p, (size_t)w);
  return x;
}
static int is_nan(const uint8_t *p, int w) {
  uint64_t x = lane_bits(p, w);
  if (w == 4) return (x & 0x7f800000u) == 0x7f800000u && (x & 0x007fffffu);
  return (x & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (x & 0x000fffffffffffffull);
}
static int is_canonical(const uint8_t *p, int w) {
  uint64_t x = lane_bits(p, w);
  if (w == 4) return (x & 0x7fffffffu) == 0x7fc00000u;
  return (x & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
}
static int is_arithmetic(const uint8_t *p, int w) {
  uint64_t x = lane_bits(p, w);
  if (w == 4) return (x & 0x7fc00000u) == 0x7fc00000u;
  return (x & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
}

/* The spec: a NaN result is an arithmetic NaN, and a canonical one unless some operand
 * NaN is not canonical. Returns what is wrong, or NULL. */
static const char *nan_rule(wasm_opcode op, const exec_simd_entry *e, const simd_in *in,
                            const simd_out *r) {
  int iw, w = nan_lanes(op, &iw);
  if (!w) return NULL;
  int free_payload = 0;
  for (int k = 0; k < (e->shape == EXEC_SIMD_BINOP ? 2 : 1); k++)
    for (int i = 0; i < 16; i += iw)
      if (is_nan(&in->v[k].u8[i], iw) && !is_canonical(&in->v[k].u8[i], iw)) free_payload = 1;
  for (int i = 0; i < 16; i += w) {
    if (!is_nan(&r->v.u8[i], w)) continue;
    if (!is_arithmetic(&r->v.u8[i], w)) return "NaN result is not arithmetic";
    if (!free_payload && !is_canonical(&r->v.u8[i], w)) return "NaN result is not canonical";
  }
  return NULL;
}

/* Bit-identical results, except that two NaNs from float arithmetic match. */
static int same_result(wasm_opcode op, const exec_simd_entry *e, const simd_out *a,
                       const simd_out *b) {
  int iw, w = nan_lanes(op, &iw);
  if (a->s != b->s || memcmp(a->mem, b->mem, sizeof a->mem)) return 0;
  if (!has_vector_result(e)) return 1;
  if (!w) return memcmp(&a->v, &b->v, 16) == 0;
  for (int i = 0; i < 16; i += w)
    if (!(is_nan(&a->v.u8[i], w) && is_nan(&b->v.u8[i], w)) &&
        memcmp(&a->v.u8[i], &b->v.u8[i], (size_t)w))
      return 0;
  return 1;
}

static void show(const char *what, const exec_v128 *v) {
  char buf[40];
  for (int i = 0; i < 16; i++) snprintf(buf + 2 * i, 3, "%02x", v->u8[i]);
  fprintf(stderr, "    %-9s %s\n", what, buf);
}

/* ---------- the tables against opcodes.def -------------------------------------------- */

static int simd_shape_fits(const wasm_opinfo *o, const exec_simd_entry *e) {
  const uint8_t V = WASM_SIG_V128;
  switch ((exec_simd_shape)e->shape) {
  case EXEC_SIMD_UNOP:
    return o->imm == WASM_IMM_NONE && o->nparams == 1 && o->params[0] == V && o->result == V;
  case EXEC_SIMD_BINOP:
    return o->imm == WASM_IMM_NONE && o->nparams == 2 && o->params[0] == V &&
           o->params[1] == V && o->result == V;
  case EXEC_SIMD_TERNOP: return o->nparams == 3 && o->params[2] == V && o->result == V;
  case EXEC_SIMD_SHIFT:
    return o->nparams == 2 && o->params[0] == V && o->params[1] == WASM_SIG_I32 && o->result == V;
  case EXEC_SIMD_SPLAT: return o->nparams == 1 && o->params[0] != V && o->result == V;
  case EXEC_SIMD_EXTRACT:
    return o->imm == WASM_IMM_LANE && o->nparams == 1 && o->result != V && e->lanes == o->arg;
  case EXEC_SIMD_REPLACE:
    return o->imm == WASM_IMM_LANE && o->nparams == 2 && o->params[1] != V && e->lanes == o->arg;
  case EXEC_SIMD_SHUFFLE: return o->imm == WASM_IMM_SHUFFLE;
  case EXEC_SIMD_TEST: return o->nparams == 1 && o->params[0] == V && o->result == WASM_SIG_I32;
  case EXEC_SIMD_LOAD: return o->imm == WASM_IMM_MEM && o->result == V && e->bytes == 1u << o->arg;
  case EXEC_SIMD_LOAD_LANE:
  case EXEC_SIMD_STORE_LANE:
    return o->imm == WASM_IMM_MEMLANE && e->bytes == 1u << (o->arg & 15) && e->lanes == o->arg >> 4;
  case EXEC_SIMD_NONE: break;
  }
  return 0;
}

/* ---------- spec cases ---------------------------------------------------------------- */

/* Concrete assert_return cases from ../shared/testsuite/wasm-2.0/simd_*.wast whose
 * function is the bare instruction on its parameters. Vectors are 16 bytes in hex,
 * lane 0 first; `nan` gives, per result lane, '.' for exact bits, 'c' for a canonical
 * NaN, 'a' for an arithmetic NaN. */
typedef struct simd_case {
  const char *op, *where;
  uint32_t lane;
  const char *shuffle;
  uint64_t x;
  const char *nan;
  uint64_t want_s;
  const char *a, *b, *c;
  const char *want;
} simd_case;

static const simd_case simd_cases[] = {
  {"f32x4.abs", "simd_f32x4:2299", 0, NULL, 0, NULL, 0,
   "db0fc940db0fc940db0fc940db0fc940", NULL, NULL,
   "db0fc940db0fc940db0fc940db0fc940"},
  {"f32x4.add", "simd_f32x4_arith:883", 0, NULL, 0, "aaaa", 0,
   "0000c07f0000c07f0000c07f0000c07f", "0000a07f0000a07f0000a07f0000a07f", NULL,
   "00000000000000000000000000000000"},
  {"f32x4.add", "simd_f32x4_arith:1102", 0, NULL, 0, "aaaa", 0,
   "0000a07f0000a07f0000a07f0000a07f", "0000a0ff0000a0ff0000a0ff0000a0ff", NULL,
   "00000000000000000000000000000000"},
  {"f32x4.ceil", "simd_f32x4_rounding:93", 0, NULL, 0, "cccc", 0,
   "0000c0ff0000c0ff0000c0ff0000c0ff", NULL, NULL,
   "00000000000000000000000000000000"},
  {"f32x4.ceil", "simd_f32x4_rounding:97", 0, NULL, 0, "aaaa", 0,
   "0000a0ff0000a0ff0000a0ff0000a0ff", NULL, NULL,
   "00000000000000000000000000000000"},
  {"f32x4.convert_i32x4_s", "simd_conversions:208", 0, NULL, 0, NULL, 0,
   "00000000ffffffffffffff7f00000080", NULL, NULL,
   "00000000000080bf0000004f000000cf"},
  {"f32x4.convert_i32x4_u", "simd_conversions:221", 0, NULL, 0, NULL, 0,
   "00000080000000800000008000000080", NULL, NULL,
   "0000004f0000004f0000004f0000004f"},
  {"f32x4.convert_i32x4_u", "simd_conversions:225", 0, NULL, 0, NULL, 0,
   "80000080800000808000008080000080", NULL, NULL,
   "0000004f0000004f0000004f0000004f"},
  {"f32x4.convert_i32x4_u", "simd_conversions:233", 0, NULL, 0, NULL, 0,
   "81feffff81feffff81feffff81feffff", NULL, NULL,
   "ffff7f4fffff7f4fffff7f4fffff7f4f"},
  {"f32x4.convert_i32x4_u", "simd_conversions:237", 0, NULL, 0, NULL, 0,
   "18cd5b0718cd5b0718cd5b0718cd5b07", NULL, NULL,
   "a379eb4ca379eb4ca379eb4ca379eb4c"},
  {"f32x4.demote_f64x2_zero", "simd_conversions:99", 0, NULL, 0, NULL, 0,
   "000000d0ffffefc7000000d0ffffefc7", NULL, NULL,
   "feff7ffffeff7fff0000000000000000"},
  {"f32x4.demote_f64x2_zero", "simd_conversions:113", 0, NULL, 0, NULL, 0,
   "000000f0ffffef47000000f0ffffef47", NULL, NULL,
   "0000807f0000807f0000000000000000"},
  {"f32x4.demote_f64x2_zero", "simd_conversions:129", 0, NULL, 0, NULL, 0,
   "000000100000f03f000000100000f03f", NULL, NULL,
   "0000803f0000803f0000000000000000"},
  {"f32x4.demote_f64x2_zero", "simd_conversions:149", 0, NULL, 0, NULL, 0,
   "8586351ee712ea388586351ee712ea38", NULL, NULL,
   "39975007399750070000000000000000"},
  {"f32x4.div", "simd_f32x4_arith:4801", 0, NULL, 0, "cccc", 0,
   "0000c0ff0000c0ff0000c0ff0000c0ff", "0000c07f0000c07f0000c07f0000c07f", NULL,
   "00000000000000000000000000000000"},
  {"f32x4.eq", "simd_f32x4_cmp:7682", 0, NULL, 0, NULL, 0,
   "000080bf000000000000803f00000040", "ffffffff000000000100010002000200", NULL,
   "00000000ffffffff0000000000000000"},
  {"f32x4.extract_lane", "simd_lane:151", 0, NULL, 0, NULL, 0x5211a2b4ull,
   "b4a21152000000000000000000000000", NULL, NULL,
   NULL},
  {"f32x4.floor", "simd_f32x4_rounding:183", 0, NULL, 0, "aaaa", 0,
   "0000a07f0000a07f0000a07f0000a07f", NULL, NULL,
   "00000000000000000000000000000000"},
  {"f32x4.ge", "simd_f32x4_cmp:7767", 0, NULL, 0, NULL, 0,
   "000080bf000000000000803f00000040", "ffffffff000000000100010002000200", NULL,
   "00000000ffffffffffffffffffffffff"},
  {"f32x4.gt", "simd_f32x4_cmp:7750", 0, NULL, 0, NULL, 0,
   "000080bf000000000000803f00000040", "ffffffff000000000100010002000200", NULL,
   "0000000000000000ffffffffffffffff"},
  {"f32x4.le", "simd_f32x4_cmp:7733", 0, NULL, 0, NULL, 0,
   "000080bf000000000000803f00000040", "ffffffff000000000100010002000200", NULL,
   "00000000ffffffff0000000000000000"},
  {"f32x4.lt", "simd_f32x4_cmp:7716", 0, NULL, 0, NULL, 0,
   "000080bf000000000000803f00000040", "ffffffff000000000100010002000200", NULL,
   "00000000000000000000000000000000"},
  {"f32x4.max", "simd_f32x4:1228", 0, NULL, 0, NULL, 0,
   "00000080000000800000008000000080", "00000000000000000000000000000000", NULL,
   "00000000000000000000000000000000"},
  {"f32x4.max", "simd_f32x4:2077", 0, NULL, 0, "aaaa", 0,
   "0000c07f0000c07f0000c07f0000c07f", "0000a07f0000a07f0000a07f0000a07f", NULL,
   "00000000000000000000000000000000"},
  {"f32x4.max", "simd_f32x4:2200", 0, NULL, 0, "aaaa", 0,
   "0000a07f0000a07f0000a07f0000a07f", "0000a0ff0000a0ff0000a0ff0000a0ff", NULL,
   "00000000000000000000000000000000"},
  {"f32x4.min", "simd_f32x4:145", 0, NULL, 0, NULL, 0,
   "00000080000000800000008000000080", "00000000000000000000000000000000", NULL,
   "00000080000000800000008000000080"},
  {"f32x4.min", "simd_f32x4:994", 0, NULL, 0, "aaaa", 0,
   "0000c07f0000c07f0000c07f0000c07f", "0000a07f0000a07f0000a07f0000a07f", NULL,
   "00000000000000000000000000000000"},
  {"f32x4.min", "simd_f32x4:1117", 0, NULL, 0, "aaaa", 0,
   "0000a07f0000a07f0000a07f0000a07f", "0000a0ff0000a0ff0000a0ff0000a0ff", NULL,
   "00000000000000000000000000000000"},
  {"f32x4.mul", "simd_f32x4_arith:3529", 0, NULL, 0, "cccc", 0,
   "0000c0ff0000c0ff0000c0ff0000c0ff", "0000c07f0000c07f0000c07f0000c07f", NULL,
   "00000000000000000000000000000000"},
  {"f32x4.ne", "simd_f32x4_cmp:7694", 0, NULL, 0, NULL, 0,
   "000080bf000000000000803f00000040", "ffffffff000000000101010102020202", NULL,
   "ffffffff00000000ffffffffffffffff"},
  {"f32x4.ne", "simd_f32x4_cmp:7699", 0, NULL, 0, NULL, 0,
   "000080bf000000000000803f00000040", "ffffffff000000000100010002000200", NULL,
   "ffffffff00000000ffffffffffffffff"},
  {"f32x4.nearest", "simd_f32x4_rounding:287", 0, NULL, 0, NULL, 0,
   "0000003f0000003f0000003f0000003f", NULL, NULL,
   "00000000000000000000000000000000"},
  {"f32x4.nearest", "simd_f32x4_rounding:357", 0, NULL, 0, "cccc", 0,
   "0000c0ff0000c0ff0000c0ff0000c0ff", NULL, NULL,
   "00000000000000000000000000000000"},
  {"f32x4.nearest", "simd_f32x4_rounding:361", 0, NULL, 0, "aaaa", 0,
   "0000a0ff0000a0ff0000a0ff0000a0ff", NULL, NULL,
   "00000000000000000000000000000000"},
  {"f32x4.neg", "simd_f32x4_arith:5233", 0, NULL, 0, NULL, 0,
   "7b4d7f6c7b4d7f6c7b4d7f6c7b4d7f6c", NULL, NULL,
   "7b4d7fec7b4d7fec7b4d7fec7b4d7fec"},
  {"f32x4.pmax", "simd_f32x4_pmin_pmax:7269", 0, NULL, 0, NULL, 0,
   "ffff7f7fffff7f7fffff7f7fffff7f7f", "00008000000080000000800000008000", NULL,
   "ffff7f7fffff7f7fffff7f7fffff7f7f"},
  {"f32x4.pmax", "simd_f32x4_pmin_pmax:10173", 0, NULL, 0, NULL, 0,
   "b4a2915bb4a2915bb4a2915bb4a2915b", "ffff7f7fffff7f7fffff7f7fffff7f7f", NULL,
   "ffff7f7fffff7f7fffff7f7fffff7f7f"},
  {"f32x4.pmin", "simd_f32x4_pmin_pmax:129", 0, NULL, 0, NULL, 0,
   "00000080000000800000008000000080", "00000000000000000000000000000000", NULL,
   "00000080000000800000008000000080"},
  {"f32x4.pmin", "simd_f32x4_pmin_pmax:1461", 0, NULL, 0, NULL, 0,
   "ffff7f7fffff7f7fffff7f7fffff7f7f", "00008000000080000000800000008000", NULL,
   "00008000000080000000800000008000"},
  {"f32x4.pmin", "simd_f32x4_pmin_pmax:4365", 0, NULL, 0, NULL, 0,
   "b4a2915bb4a2915bb4a2915bb4a2915b", "ffff7f7fffff7f7fffff7f7fffff7f7f", NULL,
   "b4a2915bb4a2915bb4a2915bb4a2915b"},
  {"f32x4.replace_lane", "simd_lane:237", 3, NULL, 0xc2540000ull, NULL, 0,
   "00000000000000000000000000000000", NULL, NULL,
   "000000000000000000000000000054c2"},
  {"f32x4.splat", "simd_splat:62", 0, NULL, 0x7fc00000ull, NULL, 0,
   NULL, NULL, NULL,
   "0000c07f0000c07f0000c07f0000c07f"},
  {"f32x4.sqrt", "simd_f32x4_arith:5115", 0, NULL, 0, "cccc", 0,
   "000000bf000000bf000000bf000000bf", NULL, NULL,
   "00000000000000000000000000000000"},
  {"f32x4.sqrt", "simd_f32x4_arith:5133", 0, NULL, 0, "cccc", 0,
   "0000c07f0000c07f0000c07f0000c07f", NULL, NULL,
   "00000000000000000000000000000000"},
  {"f32x4.sub", "simd_f32x4_arith:2266", 0, NULL, 0, "aaaa", 0,
   "0000c0ff0000c0ff0000c0ff0000c0ff", "0000a0ff0000a0ff0000a0ff0000a0ff", NULL,
   "00000000000000000000000000000000"},
  {"f32x4.trunc", "simd_f32x4_rounding:269", 0, NULL, 0, "cccc", 0,
   "0000c0ff0000c0ff0000c0ff0000c0ff", NULL, NULL,
   "00000000000000000000000000000000"},
  {"f32x4.trunc", "simd_f32x4_rounding:273", 0, NULL, 0, "aaaa", 0,
   "0000a0ff0000a0ff0000a0ff0000a0ff", NULL, NULL,
   "00000000000000000000000000000000"},
  {"f64x2.abs", "simd_f64x2:2365", 0, NULL, 0, NULL, 0,
   "182d4454fb2119c0182d4454fb2119c0", NULL, NULL,
   "182d4454fb211940182d4454fb211940"},
  {"f64x2.add", "simd_f64x2_arith:649", 0, NULL, 0, NULL, 0,
   "01000000000000000100000000000000", "000000000000e03f000000000000e03f", NULL,
   "000000000000e03f000000000000e03f"},
  {"f64x2.ceil", "simd_f64x2_rounding:55", 0, NULL, 0, NULL, 0,
   "fa165e5bafe98f45fa165e5bafe98f45", NULL, NULL,
   "fa165e5bafe98f45fa165e5bafe98f45"},
  {"f64x2.convert_low_i32x4_s", "simd_conversions:259", 0, NULL, 0, NULL, 0,
   "ffffff7fffffff7f0000000000000000", NULL, NULL,
   "0000c0ffffffdf410000c0ffffffdf41"},
  {"f64x2.convert_low_i32x4_u", "simd_conversions:273", 0, NULL, 0, NULL, 0,
   "ffffff7fffffff7f0000000000000000", NULL, NULL,
   "0000c0ffffffdf410000c0ffffffdf41"},
  {"f64x2.convert_low_i32x4_u", "simd_conversions:275", 0, NULL, 0, NULL, 0,
   "00000080000000800000000000000000", NULL, NULL,
   "000000000000e041000000000000e041"},
  {"f64x2.convert_low_i32x4_u", "simd_conversions:277", 0, NULL, 0, NULL, 0,
   "ffffffffffffffff0000000000000000", NULL, NULL,
   "0000e0ffffffef410000e0ffffffef41"},
  {"f64x2.div", "simd_f64x2_arith:4147", 0, NULL, 0, NULL, 0,
   "000000000000f03f000000000000f03f", "ffffffffffffef7fffffffffffffef7f", NULL,
   "00000000000004000000000000000400"},
  {"f64x2.div", "simd_f64x2_arith:4783", 0, NULL, 0, "cc", 0,
   "000000000000f8ff000000000000f8ff", "01000000000000000100000000000000", NULL,
   "00000000000000000000000000000000"},
  {"f64x2.eq", "simd_f64x2_cmp:670", 0, NULL, 0, NULL, 0,
   "000000000000e03f000000000000e03f", "000000000000f4ff000000000000f4ff", NULL,
   "00000000000000000000000000000000"},
  {"f64x2.extract_lane", "simd_lane:175", 1, NULL, 0, NULL, 0x7fefffffffffffffull,
   "0000000000000000ffffffffffffef7f", NULL, NULL,
   NULL},
  {"f64x2.floor", "simd_f64x2_rounding:121", 0, NULL, 0, NULL, 0,
   "ffffffffffffefffffffffffffffefff", NULL, NULL,
   "ffffffffffffefffffffffffffffefff"},
  {"f64x2.floor", "simd_f64x2_rounding:163", 0, NULL, 0, NULL, 0,
   "dfbc9a785634f244dfbc9a785634f244", NULL, NULL,
   "dfbc9a785634f244dfbc9a785634f244"},
  {"f64x2.ge", "simd_f64x2_cmp:7045", 0, NULL, 0, NULL, 0,
   "000000000000e03f000000000000e03f", "000000000000f4ff000000000000f4ff", NULL,
   "00000000000000000000000000000000"},
  {"f64x2.gt", "simd_f64x2_cmp:5770", 0, NULL, 0, NULL, 0,
   "000000000000e03f000000000000e03f", "000000000000f4ff000000000000f4ff", NULL,
   "00000000000000000000000000000000"},
  {"f64x2.le", "simd_f64x2_cmp:4165", 0, NULL, 0, NULL, 0,
   "00000000000000800000000000000080", "00000000000010800000000000001080", NULL,
   "00000000000000000000000000000000"},
  {"f64x2.le", "simd_f64x2_cmp:4825", 0, NULL, 0, NULL, 0,
   "faff2a478126cd3bfaff2a478126cd3b", "81e97df41022b14381e97df41022b143", NULL,
   "ffffffffffffffffffffffffffffffff"},
  {"f64x2.lt", "simd_f64x2_cmp:3220", 0, NULL, 0, NULL, 0,
   "000000000000e03f000000000000e03f", "000000000000f4ff000000000000f4ff", NULL,
   "00000000000000000000000000000000"},
  {"f64x2.max", "simd_f64x2:1286", 0, NULL, 0, NULL, 0,
   "00000000000000800000000000000080", "00000000000000000000000000000000", NULL,
   "00000000000000000000000000000000"},
  {"f64x2.max", "simd_f64x2:1505", 0, NULL, 0, NULL, 0,
   "00000000000010800000000000001080", "000000000000f0bf000000000000f0bf", NULL,
   "00000000000010800000000000001080"},
  {"f64x2.max", "simd_f64x2:2054", 0, NULL, 0, "cc", 0,
   "000000000000f87f000000000000f87f", "000000000000f87f000000000000f87f", NULL,
   "00000000000000000000000000000000"},
  {"f64x2.min", "simd_f64x2:158", 0, NULL, 0, NULL, 0,
   "00000000000000000000000000000000", "00000000000000800000000000000080", NULL,
   "00000000000000800000000000000080"},
  {"f64x2.min", "simd_f64x2:422", 0, NULL, 0, NULL, 0,
   "00000000000010800000000000001080", "000000000000f0bf000000000000f0bf", NULL,
   "000000000000f0bf000000000000f0bf"},
  {"f64x2.min", "simd_f64x2:971", 0, NULL, 0, "cc", 0,
   "000000000000f87f000000000000f87f", "000000000000f87f000000000000f87f", NULL,
   "00000000000000000000000000000000"},
  {"f64x2.mul", "simd_f64x2_arith:3193", 0, NULL, 0, NULL, 0,
   "01000000000000000100000000000000", "000000000000e03f000000000000e03f", NULL,
   "00000000000000000000000000000000"},
  {"f64x2.ne", "simd_f64x2_cmp:1945", 0, NULL, 0, NULL, 0,
   "000000000000e03f000000000000e03f", "000000000000f4ff000000000000f4ff", NULL,
   "ffffffffffffffffffffffffffffffff"},
  {"f64x2.nearest", "simd_f64x2_rounding:283", 0, NULL, 0, NULL, 0,
   "000000000000e03f000000000000e03f", NULL, NULL,
   "00000000000000000000000000000000"},
  {"f64x2.nearest", "simd_f64x2_rounding:297", 0, NULL, 0, NULL, 0,
   "ffffffffffffefffffffffffffffefff", NULL, NULL,
   "ffffffffffffefffffffffffffffefff"},
  {"f64x2.nearest", "simd_f64x2_rounding:339", 0, NULL, 0, NULL, 0,
   "dfbc9a785634f244dfbc9a785634f244", NULL, NULL,
   "dfbc9a785634f244dfbc9a785634f244"},
  {"f64x2.neg", "simd_f64x2_arith:5233", 0, NULL, 0, NULL, 0,
   "fa165e5bafe98f45fa165e5bafe98f45", NULL, NULL,
   "fa165e5bafe98fc5fa165e5bafe98fc5"},
  {"f64x2.pmax", "simd_f64x2_pmin_pmax:5937", 0, NULL, 0, NULL, 0,
   "00000000000000800000000000000080", "00000000000000000000000000000000", NULL,
   "00000000000000800000000000000080"},
  {"f64x2.pmax", "simd_f64x2_pmin_pmax:7269", 0, NULL, 0, NULL, 0,
   "01000000000000000100000000000000", "000000000000e03f000000000000e03f", NULL,
   "000000000000e03f000000000000e03f"},
  {"f64x2.pmax", "simd_f64x2_pmin_pmax:10170", 0, NULL, 0, NULL, 0,
   "dfbc9a785634f244dfbc9a785634f244", "ffffffffffffefffffffffffffffefff", NULL,
   "dfbc9a785634f244dfbc9a785634f244"},
  {"f64x2.pmin", "simd_f64x2_pmin_pmax:1461", 0, NULL, 0, NULL, 0,
   "01000000000000000100000000000000", "000000000000e03f000000000000e03f", NULL,
   "01000000000000000100000000000000"},
  {"f64x2.pmin", "simd_f64x2_pmin_pmax:4362", 0, NULL, 0, NULL, 0,
   "dfbc9a785634f244dfbc9a785634f244", "ffffffffffffefffffffffffffffefff", NULL,
   "ffffffffffffefffffffffffffffefff"},
  {"f64x2.promote_low_f32x4", "simd_conversions:43", 0, NULL, 0, NULL, 0,
   "0000803f0000803f0000803f0000803f", NULL, NULL,
   "000000000000f03f000000000000f03f"},
  {"f64x2.promote_low_f32x4", "simd_conversions:59", 0, NULL, 0, NULL, 0,
   "000080ff000080ff000080ff000080ff", NULL, NULL,
   "000000000000f0ff000000000000f0ff"},
  {"f64x2.replace_lane", "simd_lane:275", 1, NULL, 0, NULL, 0,
   "00000000000000400000000000000040", NULL, NULL,
   "00000000000000400000000000000000"},
  {"f64x2.splat", "simd_splat:104", 0, NULL, 0xffefffffffffffffull, NULL, 0,
   NULL, NULL, NULL,
   "ffffffffffffefffffffffffffffefff"},
  {"f64x2.sqrt", "simd_f64x2_arith:5145", 0, NULL, 0, NULL, 0,
   "fa165e5bafe98f45fa165e5bafe98f45", NULL, NULL,
   "9f6c0bbbd5f4bf429f6c0bbbd5f4bf42"},
  {"f64x2.sub", "simd_f64x2_arith:1921", 0, NULL, 0, NULL, 0,
   "01000000000000000100000000000000", "000000000000e03f000000000000e03f", NULL,
   "000000000000e0bf000000000000e0bf"},
  {"f64x2.trunc", "simd_f64x2_rounding:231", 0, NULL, 0, NULL, 0,
   "fa165e5bafe98f45fa165e5bafe98f45", NULL, NULL,
   "fa165e5bafe98f45fa165e5bafe98f45"},
  {"i16x8.abs", "simd_i16x8_arith2:293", 0, NULL, 0, NULL, 0,
   "00800080ff7fff7f00400040ffffffff", NULL, NULL,
   "00800080ff7fff7f0040004001000100"},
  {"i16x8.add", "simd_i16x8_arith:163", 0, NULL, 0, NULL, 0,
   "00000100020003000400050006000700", "000002000400060008000a000c000e00", NULL,
   "00000300060009000c000f0012001500"},
  {"i16x8.add_sat_s", "simd_i16x8_sat_arith:145", 0, NULL, 0, NULL, 0,
   "00000100020003000400050006000700", "000002000400060008000a000c000e00", NULL,
   "00000300060009000c000f0012001500"},
  {"i16x8.add_sat_u", "simd_i16x8_sat_arith:291", 0, NULL, 0, NULL, 0,
   "00000100020003000400050006000700", "0000fffffefffdfffcfffbfffafff9ff", NULL,
   "0000ffffffffffffffffffffffffffff"},
  {"i16x8.add_sat_u", "simd_i16x8_sat_arith:294", 0, NULL, 0, NULL, 0,
   "00000100020003000400050006000700", "000002000400060008000a000c000e00", NULL,
   "00000300060009000c000f0012001500"},
  {"i16x8.all_true", "simd_boolean:89", 0, NULL, 0, NULL, 0,
   "01000100010001000100010000000100", NULL, NULL,
   NULL},
  {"i16x8.avgr_u", "simd_i16x8_arith2:287", 0, NULL, 0, NULL, 0,
   "00800080ff7fff7f00400040ffffffff", "ffffffff00400040ff7fff7f00800080", NULL,
   "00c000c0006000600060006000c000c0"},
  {"i16x8.bitmask", "simd_boolean:107", 0, NULL, 0, NULL, 0xffull,
   "ffffffffffffffffffffffffffffffff", NULL, NULL,
   NULL},
  {"i16x8.bitmask", "simd_boolean:109", 0, NULL, 0, NULL, 0x1ull,
   "ffff0000010002000b000c000d000f00", NULL, NULL,
   NULL},
  {"i16x8.eq", "simd_i16x8_cmp:103", 0, NULL, 0, NULL, 0,
   "00800180028003800480058006800780", "07800680058004800380028001800080", NULL,
   "00000000000000000000000000000000"},
  {"i16x8.extadd_pairwise_i8x16_s", "simd_i16x8_extadd_pairwise_i8x16:15", 0, NULL, 0, NULL, 0,
   "ffffffffffffffffffffffffffffffff", NULL, NULL,
   "fefffefffefffefffefffefffefffeff"},
  {"i16x8.extadd_pairwise_i8x16_s", "simd_i16x8_extadd_pairwise_i8x16:23", 0, NULL, 0, NULL, 0,
   "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f", NULL, NULL,
   "fe00fe00fe00fe00fe00fe00fe00fe00"},
  {"i16x8.extadd_pairwise_i8x16_u", "simd_i16x8_extadd_pairwise_i8x16:37", 0, NULL, 0, NULL, 0,
   "81818181818181818181818181818181", NULL, NULL,
   "02010201020102010201020102010201"},
  {"i16x8.extend_high_i8x16_s", "simd_int_to_int_extend:40", 0, NULL, 0, NULL, 0,
   "7f7f7f7f7f7f7f7f8080808080808080", NULL, NULL,
   "80ff80ff80ff80ff80ff80ff80ff80ff"},
  {"i16x8.extend_high_i8x16_u", "simd_int_to_int_extend:79", 0, NULL, 0, NULL, 0,
   "7f7f7f7f7f7f7f7f8080808080808080", NULL, NULL,
   "80008000800080008000800080008000"},
  {"i16x8.extend_low_i8x16_s", "simd_int_to_int_extend:118", 0, NULL, 0, NULL, 0,
   "7f7f7f7f7f7f7f7f8080808080808080", NULL, NULL,
   "7f007f007f007f007f007f007f007f00"},
  {"i16x8.extend_low_i8x16_u", "simd_int_to_int_extend:157", 0, NULL, 0, NULL, 0,
   "7f7f7f7f7f7f7f7f8080808080808080", NULL, NULL,
   "7f007f007f007f007f007f007f007f00"},
  {"i16x8.extmul_high_i8x16_s", "simd_i16x8_extmul_i8x16:132", 0, NULL, 0, NULL, 0,
   "80808080808080808080808080808080", "01010101010101010101010101010101", NULL,
   "80ff80ff80ff80ff80ff80ff80ff80ff"},
  {"i16x8.extmul_high_i8x16_u", "simd_i16x8_extmul_i8x16:292", 0, NULL, 0, NULL, 0,
   "80808080808080808080808080808080", "01010101010101010101010101010101", NULL,
   "80008000800080008000800080008000"},
  {"i16x8.extmul_low_i8x16_s", "simd_i16x8_extmul_i8x16:52", 0, NULL, 0, NULL, 0,
   "80808080808080808080808080808080", "01010101010101010101010101010101", NULL,
   "80ff80ff80ff80ff80ff80ff80ff80ff"},
  {"i16x8.extmul_low_i8x16_u", "simd_i16x8_extmul_i8x16:212", 0, NULL, 0, NULL, 0,
   "80808080808080808080808080808080", "01010101010101010101010101010101", NULL,
   "80008000800080008000800080008000"},
  {"i16x8.extract_lane_s", "simd_lane:99", 0, NULL, 0, NULL, 0xffffedccull,
   "cced0000000000000000000000000000", NULL, NULL,
   NULL},
  {"i16x8.extract_lane_u", "simd_lane:109", 7, NULL, 0, NULL, 0xffffull,
   "0000000000000000000000000000ffff", NULL, NULL,
   NULL},
  {"i16x8.ge_s", "simd_i16x8_cmp:1243", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffff0000000000000000"},
  {"i16x8.ge_u", "simd_i16x8_cmp:1387", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "0000000000000000ffffffffffffffff"},
  {"i16x8.gt_s", "simd_i16x8_cmp:955", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffff0000000000000000"},
  {"i16x8.gt_u", "simd_i16x8_cmp:1088", 0, NULL, 0, NULL, 0,
   "000000c30000fec2000080bf00000000", "000000c30000fec2000080bf00000000", NULL,
   "00000000000000000000000000000000"},
  {"i16x8.gt_u", "simd_i16x8_cmp:1128", 0, NULL, 0, NULL, 0,
   "80ff80ff0000000001000100ff00ff00", "808080800000000001010101ffffffff", NULL,
   "ffffffff000000000000000000000000"},
  {"i16x8.le_s", "simd_i16x8_cmp:667", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "0000000000000000ffffffffffffffff"},
  {"i16x8.le_u", "simd_i16x8_cmp:811", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffff0000000000000000"},
  {"i16x8.lt_s", "simd_i16x8_cmp:379", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "0000000000000000ffffffffffffffff"},
  {"i16x8.lt_u", "simd_i16x8_cmp:523", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffff0000000000000000"},
  {"i16x8.max_s", "simd_i16x8_arith2:275", 0, NULL, 0, NULL, 0,
   "00800080ff7fff7f00400040ffffffff", "ffffffff00400040ff7fff7f00800080", NULL,
   "ffffffffff7fff7fff7fff7fffffffff"},
  {"i16x8.max_u", "simd_i16x8_arith2:281", 0, NULL, 0, NULL, 0,
   "00800080ff7fff7f00400040ffffffff", "ffffffff00400040ff7fff7f00800080", NULL,
   "ffffffffff7fff7fff7fff7fffffffff"},
  {"i16x8.min_s", "simd_i16x8_arith2:263", 0, NULL, 0, NULL, 0,
   "00800080ff7fff7f00400040ffffffff", "ffffffff00400040ff7fff7f00800080", NULL,
   "00800080004000400040004000800080"},
  {"i16x8.min_u", "simd_i16x8_arith2:269", 0, NULL, 0, NULL, 0,
   "00800080ff7fff7f00400040ffffffff", "ffffffff00400040ff7fff7f00800080", NULL,
   "00800080004000400040004000800080"},
  {"i16x8.mul", "simd_i16x8_arith:485", 0, NULL, 0, NULL, 0,
   "00000100020003000400050006000700", "000002000400060008000a000c000e00", NULL,
   "00000200080012002000320048006200"},
  {"i16x8.narrow_i32x4_s", "simd_conversions:467", 0, NULL, 0, NULL, 0,
   "01000000010000000100000001000000", "ffffffffffffffffffffffffffffffff", NULL,
   "0100010001000100ffffffffffffffff"},
  {"i16x8.narrow_i32x4_s", "simd_conversions:521", 0, NULL, 0, NULL, 0,
   "ff7fffffff7fffffff7fffffff7fffff", "ff7f0000ff7f0000ff7f0000ff7f0000", NULL,
   "0080008000800080ff7fff7fff7fff7f"},
  {"i16x8.narrow_i32x4_u", "simd_conversions:565", 0, NULL, 0, NULL, 0,
   "ffff0000ffff0000ffff0000ffff0000", "feff0000feff0000feff0000feff0000", NULL,
   "fffffffffffffffffefffefffefffeff"},
  {"i16x8.ne", "simd_i16x8_cmp:241", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffffffffffffffffffff"},
  {"i16x8.neg", "simd_i16x8_arith:510", 0, NULL, 0, NULL, 0,
   "ffffffffffffffffffffffffffffffff", NULL, NULL,
   "01000100010001000100010001000100"},
  {"i16x8.q15mulr_sat_s", "simd_i16x8_q15mulr_sat_s:28", 0, NULL, 0, NULL, 0,
   "ff3fff3fff3fff3fff3fff3fff3fff3f", "00400040004000400040004000400040", NULL,
   "00200020002000200020002000200020"},
  {"i16x8.q15mulr_sat_s", "simd_i16x8_q15mulr_sat_s:64", 0, NULL, 0, NULL, 0,
   "00800080008000800080008000800080", "00800080008000800080008000800080", NULL,
   "ff7fff7fff7fff7fff7fff7fff7fff7f"},
  {"i16x8.q15mulr_sat_s", "simd_i16x8_q15mulr_sat_s:67", 0, NULL, 0, NULL, 0,
   "00800080008000800080008000800080", "01800180018001800180018001800180", NULL,
   "ff7fff7fff7fff7fff7fff7fff7fff7f"},
  {"i16x8.replace_lane", "simd_lane:209", 7, NULL, 0xffff8000ull, NULL, 0,
   "00000000000000000000000000000000", NULL, NULL,
   "00000000000000000000000000000080"},
  {"i16x8.shl", "simd_bit_shift:216", 0, NULL, 0x11ull, NULL, 0,
   "80ffc0ff000001000200030004000500", NULL, NULL,
   "00ff80ff000002000400060008000a00"},
  {"i16x8.shr_s", "simd_bit_shift:316", 0, NULL, 0x11ull, NULL, 0,
   "80ffc0ff000001000200030004000500", NULL, NULL,
   "c0ffe0ff000000000100010002000200"},
  {"i16x8.shr_u", "simd_bit_shift:266", 0, NULL, 0x11ull, NULL, 0,
   "80ffc0ff000001000200030004000500", NULL, NULL,
   "c07fe07f000000000100010002000200"},
  {"i16x8.splat", "simd_splat:32", 0, NULL, 0xffff7fffull, NULL, 0,
   NULL, NULL, NULL,
   "ff7fff7fff7fff7fff7fff7fff7fff7f"},
  {"i16x8.sub", "simd_i16x8_arith:324", 0, NULL, 0, NULL, 0,
   "00000100020003000400050006000700", "000002000400060008000a000c000e00", NULL,
   "0000fffffefffdfffcfffbfffafff9ff"},
  {"i16x8.sub_sat_s", "simd_i16x8_sat_arith:443", 0, NULL, 0, NULL, 0,
   "00000100020003000400050006000700", "000002000400060008000a000c000e00", NULL,
   "0000fffffefffdfffcfffbfffafff9ff"},
  {"i16x8.sub_sat_u", "simd_i16x8_sat_arith:592", 0, NULL, 0, NULL, 0,
   "00000100020003000400050006000700", "000002000400060008000a000c000e00", NULL,
   "00000000000000000000000000000000"},
  {"i32x4.abs", "simd_i32x4_arith2:243", 0, NULL, 0, NULL, 0,
   "00000080ffffff7f00000040ffffffff", NULL, NULL,
   "00000080ffffff7f0000004001000000"},
  {"i32x4.add", "simd_i32x4_arith:163", 0, NULL, 0, NULL, 0,
   "00000000010000000200000003000000", "00000000020000000400000006000000", NULL,
   "00000000030000000600000009000000"},
  {"i32x4.all_true", "simd_boolean:137", 0, NULL, 0, NULL, 0,
   "00000000000000000100000000000000", NULL, NULL,
   NULL},
  {"i32x4.all_true", "simd_boolean:139", 0, NULL, 0, NULL, 0,
   "01000000010000000000000001000000", NULL, NULL,
   NULL},
  {"i32x4.bitmask", "simd_boolean:159", 0, NULL, 0, NULL, 0x1ull,
   "ffffffff00000000010000000f000000", NULL, NULL,
   NULL},
  {"i32x4.dot_i16x8_s", "simd_i32x4_dot_i16x8:28", 0, NULL, 0, NULL, 0,
   "ff3fff3fff3fff3fff3fff3fff3fff3f", "00400040004000400040004000400040", NULL,
   "0080ff1f0080ff1f0080ff1f0080ff1f"},
  {"i32x4.dot_i16x8_s", "simd_i32x4_dot_i16x8:67", 0, NULL, 0, NULL, 0,
   "00800080008000800080008000800080", "01800180018001800180018001800180", NULL,
   "0000ff7f0000ff7f0000ff7f0000ff7f"},
  {"i32x4.eq", "simd_i32x4_cmp:97", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "00000000000000000000000000000000"},
  {"i32x4.extadd_pairwise_i16x8_s", "simd_i32x4_extadd_pairwise_i16x8:19", 0, NULL, 0, NULL, 0,
   "01800180018001800180018001800180", NULL, NULL,
   "0200ffff0200ffff0200ffff0200ffff"},
  {"i32x4.extadd_pairwise_i16x8_u", "simd_i32x4_extadd_pairwise_i16x8:33", 0, NULL, 0, NULL, 0,
   "ffffffffffffffffffffffffffffffff", NULL, NULL,
   "feff0100feff0100feff0100feff0100"},
  {"i32x4.extadd_pairwise_i16x8_u", "simd_i32x4_extadd_pairwise_i16x8:41", 0, NULL, 0, NULL, 0,
   "ff7fff7fff7fff7fff7fff7fff7fff7f", NULL, NULL,
   "feff0000feff0000feff0000feff0000"},
  {"i32x4.extend_high_i16x8_s", "simd_int_to_int_extend:196", 0, NULL, 0, NULL, 0,
   "ff7fff7fff7fff7f0080008000800080", NULL, NULL,
   "0080ffff0080ffff0080ffff0080ffff"},
  {"i32x4.extend_high_i16x8_u", "simd_int_to_int_extend:235", 0, NULL, 0, NULL, 0,
   "ff7fff7fff7fff7f0080008000800080", NULL, NULL,
   "00800000008000000080000000800000"},
  {"i32x4.extend_low_i16x8_s", "simd_int_to_int_extend:274", 0, NULL, 0, NULL, 0,
   "ff7fff7fff7fff7f0080008000800080", NULL, NULL,
   "ff7f0000ff7f0000ff7f0000ff7f0000"},
  {"i32x4.extend_low_i16x8_u", "simd_int_to_int_extend:313", 0, NULL, 0, NULL, 0,
   "ff7fff7fff7fff7f0080008000800080", NULL, NULL,
   "ff7f0000ff7f0000ff7f0000ff7f0000"},
  {"i32x4.extmul_high_i16x8_s", "simd_i32x4_extmul_i16x8:132", 0, NULL, 0, NULL, 0,
   "00800080008000800080008000800080", "01000100010001000100010001000100", NULL,
   "0080ffff0080ffff0080ffff0080ffff"},
  {"i32x4.extmul_high_i16x8_u", "simd_i32x4_extmul_i16x8:292", 0, NULL, 0, NULL, 0,
   "00800080008000800080008000800080", "01000100010001000100010001000100", NULL,
   "00800000008000000080000000800000"},
  {"i32x4.extmul_low_i16x8_s", "simd_i32x4_extmul_i16x8:31", 0, NULL, 0, NULL, 0,
   "ff3fff3fff3fff3fff3fff3fff3fff3f", "00400040004000400040004000400040", NULL,
   "00c0ff0f00c0ff0f00c0ff0f00c0ff0f"},
  {"i32x4.extmul_low_i16x8_s", "simd_i32x4_extmul_i16x8:70", 0, NULL, 0, NULL, 0,
   "00800080008000800080008000800080", "01800180018001800180018001800180", NULL,
   "0080ff3f0080ff3f0080ff3f0080ff3f"},
  {"i32x4.extmul_low_i16x8_u", "simd_i32x4_extmul_i16x8:212", 0, NULL, 0, NULL, 0,
   "00800080008000800080008000800080", "01000100010001000100010001000100", NULL,
   "00800000008000000080000000800000"},
  {"i32x4.extract_lane", "simd_lane:121", 3, NULL, 0, NULL, 0x80000000ull,
   "00000000000000000000000000000080", NULL, NULL,
   NULL},
  {"i32x4.ge_s", "simd_i32x4_cmp:1249", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffff0000000000000000"},
  {"i32x4.ge_u", "simd_i32x4_cmp:1393", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "0000000000000000ffffffffffffffff"},
  {"i32x4.gt_s", "simd_i32x4_cmp:961", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffff0000000000000000"},
  {"i32x4.gt_u", "simd_i32x4_cmp:1105", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "0000000000000000ffffffffffffffff"},
  {"i32x4.le_s", "simd_i32x4_cmp:673", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "0000000000000000ffffffffffffffff"},
  {"i32x4.le_u", "simd_i32x4_cmp:817", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffff0000000000000000"},
  {"i32x4.lt_s", "simd_i32x4_cmp:363", 0, NULL, 0, NULL, 0,
   "ffffffffffffffff0000000000000000", "ffffffffffffffff0000000000000000", NULL,
   "00000000000000000000000000000000"},
  {"i32x4.lt_s", "simd_i32x4_cmp:408", 0, NULL, 0, NULL, 0,
   "000102030405060708090a0b0c0d0e0f", "000102030405060708090a0b0c0d0e0f", NULL,
   "00000000000000000000000000000000"},
  {"i32x4.lt_u", "simd_i32x4_cmp:529", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffff0000000000000000"},
  {"i32x4.max_s", "simd_i32x4_arith2:231", 0, NULL, 0, NULL, 0,
   "00000080ffffff7f00000040ffffffff", "ffffffff00000040ffffff7f00000080", NULL,
   "ffffffffffffff7fffffff7fffffffff"},
  {"i32x4.max_u", "simd_i32x4_arith2:237", 0, NULL, 0, NULL, 0,
   "00000080ffffff7f00000040ffffffff", "ffffffff00000040ffffff7f00000080", NULL,
   "ffffffffffffff7fffffff7fffffffff"},
  {"i32x4.min_s", "simd_i32x4_arith2:219", 0, NULL, 0, NULL, 0,
   "00000080ffffff7f00000040ffffffff", "ffffffff00000040ffffff7f00000080", NULL,
   "00000080000000400000004000000080"},
  {"i32x4.min_u", "simd_i32x4_arith2:67", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "00000000ffffffff00000000ffffffff", NULL,
   "000000000000000000000000ffffffff"},
  {"i32x4.min_u", "simd_i32x4_arith2:225", 0, NULL, 0, NULL, 0,
   "00000080ffffff7f00000040ffffffff", "ffffffff00000040ffffff7f00000080", NULL,
   "00000080000000400000004000000080"},
  {"i32x4.mul", "simd_i32x4_arith:485", 0, NULL, 0, NULL, 0,
   "00000000010000000200000003000000", "00000000020000000400000006000000", NULL,
   "00000000020000000800000012000000"},
  {"i32x4.ne", "simd_i32x4_cmp:241", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffffffffffffffffffff"},
  {"i32x4.neg", "simd_i32x4_arith:510", 0, NULL, 0, NULL, 0,
   "ffffffffffffffffffffffffffffffff", NULL, NULL,
   "01000000010000000100000001000000"},
  {"i32x4.replace_lane", "simd_lane:220", 3, NULL, 0x80000000ull, NULL, 0,
   "00000000000000000000000000000000", NULL, NULL,
   "00000000000000000000000000000080"},
  {"i32x4.shl", "simd_bit_shift:374", 0, NULL, 0x21ull, NULL, 0,
   "000000800080ffff000000000d0c0b0a", NULL, NULL,
   "000000000000ffff000000001a181614"},
  {"i32x4.shr_s", "simd_bit_shift:474", 0, NULL, 0x21ull, NULL, 0,
   "000000800080ffff0c0000000d000000", NULL, NULL,
   "000000c000c0ffff0600000006000000"},
  {"i32x4.shr_u", "simd_bit_shift:424", 0, NULL, 0x21ull, NULL, 0,
   "000000800080ffff0c0000000d000000", NULL, NULL,
   "0000004000c0ff7f0600000006000000"},
  {"i32x4.splat", "simd_splat:45", 0, NULL, 0x80000000ull, NULL, 0,
   NULL, NULL, NULL,
   "00000080000000800000008000000080"},
  {"i32x4.sub", "simd_i32x4_arith:324", 0, NULL, 0, NULL, 0,
   "00000000010000000200000003000000", "00000000020000000400000006000000", NULL,
   "00000000fffffffffefffffffdffffff"},
  {"i32x4.trunc_sat_f32x4_s", "simd_i32x4_trunc_sat_f32x4:34", 0, NULL, 0, NULL, 0,
   "0000804f0000804f0000804f0000804f", NULL, NULL,
   "ffffff7fffffff7fffffff7fffffff7f"},
  {"i32x4.trunc_sat_f32x4_s", "simd_i32x4_trunc_sat_f32x4:84", 0, NULL, 0, NULL, 0,
   "db0fc940db0fc940db0fc940db0fc940", NULL, NULL,
   "06000000060000000600000006000000"},
  {"i32x4.trunc_sat_f32x4_s", "simd_i32x4_trunc_sat_f32x4:100", 0, NULL, 0, NULL, 0,
   "4444c47f4444c47f4444c47f4444c47f", NULL, NULL,
   "00000000000000000000000000000000"},
  {"i32x4.trunc_sat_f32x4_u", "simd_i32x4_trunc_sat_f32x4:138", 0, NULL, 0, NULL, 0,
   "0000804f0000804f0000804f0000804f", NULL, NULL,
   "ffffffffffffffffffffffffffffffff"},
  {"i32x4.trunc_sat_f32x4_u", "simd_i32x4_trunc_sat_f32x4:182", 0, NULL, 0, NULL, 0,
   "666666bf666666bf666666bf666666bf", NULL, NULL,
   "00000000000000000000000000000000"},
  {"i32x4.trunc_sat_f32x4_u", "simd_i32x4_trunc_sat_f32x4:188", 0, NULL, 0, NULL, 0,
   "db0fc940db0fc940db0fc940db0fc940", NULL, NULL,
   "06000000060000000600000006000000"},
  {"i32x4.trunc_sat_f64x2_s_zero", "simd_i32x4_trunc_sat_f64x2:30", 0, NULL, 0, NULL, 0,
   "000000000000e041000000000000e041", NULL, NULL,
   "ffffff7fffffff7f0000000000000000"},
  {"i32x4.trunc_sat_f64x2_s_zero", "simd_i32x4_trunc_sat_f64x2:36", 0, NULL, 0, NULL, 0,
   "0000c0ffffffefc10000c0ffffffefc1", NULL, NULL,
   "00000080000000800000000000000000"},
  {"i32x4.trunc_sat_f64x2_s_zero", "simd_i32x4_trunc_sat_f64x2:46", 0, NULL, 0, NULL, 0,
   "000000000000f041000000000000f041", NULL, NULL,
   "ffffff7fffffff7f0000000000000000"},
  {"i32x4.trunc_sat_f64x2_s_zero", "simd_i32x4_trunc_sat_f64x2:86", 0, NULL, 0, NULL, 0,
   "00000060fb2119c000000060fb2119c0", NULL, NULL,
   "fafffffffaffffff0000000000000000"},
  {"i32x4.trunc_sat_f64x2_u_zero", "simd_i32x4_trunc_sat_f64x2:140", 0, NULL, 0, NULL, 0,
   "0000c0ffffffefc10000c0ffffffefc1", NULL, NULL,
   "00000000000000000000000000000000"},
  {"i32x4.trunc_sat_f64x2_u_zero", "simd_i32x4_trunc_sat_f64x2:190", 0, NULL, 0, NULL, 0,
   "00000060fb2119c000000060fb2119c0", NULL, NULL,
   "00000000000000000000000000000000"},
  {"i64x2.abs", "simd_i64x2_arith2:14", 0, NULL, 0, NULL, 0,
   "ffffffffffffffffffffffffffffffff", NULL, NULL,
   "01000000000000000100000000000000"},
  {"i64x2.abs", "simd_i64x2_arith2:28", 0, NULL, 0, NULL, 0,
   "80000000000000008000000000000000", NULL, NULL,
   "80000000000000008000000000000000"},
  {"i64x2.add", "simd_i64x2_arith:100", 0, NULL, 0, NULL, 0,
   "00000000000000c000000000000000c0", "00000000000000fc00000000000000fc", NULL,
   "00000000000000bc00000000000000bc"},
  {"i64x2.all_true", "simd_boolean:171", 0, NULL, 0, NULL, 0,
   "ffffffffffffffff0000000000000000", NULL, NULL,
   NULL},
  {"i64x2.bitmask", "simd_boolean:183", 0, NULL, 0, NULL, 0x1ull,
   "ffffffffffffffff0f00000000000000", NULL, NULL,
   NULL},
  {"i64x2.eq", "simd_i64x2_cmp:35", 0, NULL, 0, NULL, 0,
   "00010203000000000409101100000000", "00010203000000000409101100000000", NULL,
   "ffffffffffffffffffffffffffffffff"},
  {"i64x2.extend_high_i32x4_s", "simd_int_to_int_extend:350", 0, NULL, 0, NULL, 0,
   "00000080000000800000008000000080", NULL, NULL,
   "00000080ffffffff00000080ffffffff"},
  {"i64x2.extend_high_i32x4_u", "simd_int_to_int_extend:389", 0, NULL, 0, NULL, 0,
   "00000080000000800000008000000080", NULL, NULL,
   "00000080000000000000008000000000"},
  {"i64x2.extend_low_i32x4_s", "simd_int_to_int_extend:428", 0, NULL, 0, NULL, 0,
   "00000080000000800000008000000080", NULL, NULL,
   "00000080ffffffff00000080ffffffff"},
  {"i64x2.extend_low_i32x4_u", "simd_int_to_int_extend:467", 0, NULL, 0, NULL, 0,
   "00000080000000800000008000000080", NULL, NULL,
   "00000080000000000000008000000000"},
  {"i64x2.extmul_high_i32x4_s", "simd_i64x2_extmul_i32x4:135", 0, NULL, 0, NULL, 0,
   "02000080020000800200008002000080", "ffffffffffffffffffffffffffffffff", NULL,
   "feffff7f00000000feffff7f00000000"},
  {"i64x2.extmul_high_i32x4_u", "simd_i64x2_extmul_i32x4:277", 0, NULL, 0, NULL, 0,
   "010000c0010000c0010000c0010000c0", "000000c0000000c0000000c0000000c0", NULL,
   "000000c000000090000000c000000090"},
  {"i64x2.extmul_high_i32x4_u", "simd_i64x2_extmul_i32x4:310", 0, NULL, 0, NULL, 0,
   "00000080000000800000008000000080", "01000080010000800100008001000080", NULL,
   "00000080000000400000008000000040"},
  {"i64x2.extmul_low_i32x4_s", "simd_i64x2_extmul_i32x4:55", 0, NULL, 0, NULL, 0,
   "02000080020000800200008002000080", "ffffffffffffffffffffffffffffffff", NULL,
   "feffff7f00000000feffff7f00000000"},
  {"i64x2.extmul_low_i32x4_u", "simd_i64x2_extmul_i32x4:215", 0, NULL, 0, NULL, 0,
   "02000080020000800200008002000080", "ffffffffffffffffffffffffffffffff", NULL,
   "feffff7f01000080feffff7f01000080"},
  {"i64x2.extract_lane", "simd_lane:135", 1, NULL, 0, NULL, 0x8000000000000000ull,
   "00000000000000000000000000000080", NULL, NULL,
   NULL},
  {"i64x2.ge_s", "simd_i64x2_cmp:360", 0, NULL, 0, NULL, 0,
   "ffffffffffffffff0000000000000000", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffffffffffffffffffff"},
  {"i64x2.gt_s", "simd_i64x2_cmp:248", 0, NULL, 0, NULL, 0,
   "04091011000102031baaabff120a0b1a", "04091011000102031baaabff120a0b1a", NULL,
   "00000000000000000000000000000000"},
  {"i64x2.gt_s", "simd_i64x2_cmp:288", 0, NULL, 0, NULL, 0,
   "0100000000000080ffffffffffffffff", "0100000000000080ffffffffffffffff", NULL,
   "00000000000000000000000000000000"},
  {"i64x2.le_s", "simd_i64x2_cmp:170", 0, NULL, 0, NULL, 0,
   "04091011000102031baaabff120a0b1a", "04091011000102031baaabff120a0b1a", NULL,
   "ffffffffffffffffffffffffffffffff"},
  {"i64x2.le_s", "simd_i64x2_cmp:213", 0, NULL, 0, NULL, 0,
   "0100000000000080ffffffffffffffff", "0100000000000080ffffffffffffffff", NULL,
   "ffffffffffffffffffffffffffffffff"},
  {"i64x2.lt_s", "simd_i64x2_cmp:129", 0, NULL, 0, NULL, 0,
   "ffffffffffffffff0000000000000000", "ffffffffffffffff0000000000000000", NULL,
   "00000000000000000000000000000000"},
  {"i64x2.mul", "simd_i64x2_arith:392", 0, NULL, 0, NULL, 0,
   "01000000000000800100000000000080", "ffffffffffffffffffffffffffffffff", NULL,
   "ffffffffffffff7fffffffffffffff7f"},
  {"i64x2.mul", "simd_i64x2_arith:473", 0, NULL, 0, NULL, 0,
   "00000000000000800000000000000080", "00000000020000000000000002000000", NULL,
   "00000000000000000000000000000000"},
  {"i64x2.ne", "simd_i64x2_cmp:65", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "0000000000000000ffffffffffffffff", NULL,
   "00000000000000000000000000000000"},
  {"i64x2.neg", "simd_i64x2_arith:530", 0, NULL, 0, NULL, 0,
   "01000000000000000100000000000000", NULL, NULL,
   "ffffffffffffffffffffffffffffffff"},
  {"i64x2.replace_lane", "simd_lane:254", 1, NULL, 0x8000000000000000ull, NULL, 0,
   "00000000000000000000000000000000", NULL, NULL,
   "00000000000000000000000000000080"},
  {"i64x2.shl", "simd_bit_shift:528", 0, NULL, 0x80ull, NULL, 0,
   "01000000000000000f00000000000000", NULL, NULL,
   "01000000000000000f00000000000000"},
  {"i64x2.shr_s", "simd_bit_shift:600", 0, NULL, 0x1ull, NULL, 0,
   "000000000000008000000080ffffffff", NULL, NULL,
   "00000000000000c0000000c0ffffffff"},
  {"i64x2.shr_s", "simd_bit_shift:609", 0, NULL, 0x4ull, NULL, 0,
   "b0a0ffeeddccbbaa0d0c0b0af0e0d0c0", NULL, NULL,
   "0bfaefdecdbcabfac0b0a0000f0e0dfc"},
  {"i64x2.shr_s", "simd_bit_shift:629", 0, NULL, 0x41ull, NULL, 0,
   "000000000000008000000080ffffffff", NULL, NULL,
   "00000000000000c0000000c0ffffffff"},
  {"i64x2.shr_s", "simd_bit_shift:632", 0, NULL, 0x41ull, NULL, 0,
   "0c000000000000000d00000000000000", NULL, NULL,
   "06000000000000000600000000000000"},
  {"i64x2.shr_u", "simd_bit_shift:575", 0, NULL, 0x80ull, NULL, 0,
   "01000000000000000f00000000000000", NULL, NULL,
   "01000000000000000f00000000000000"},
  {"i64x2.splat", "simd_splat:82", 0, NULL, 0x7fffffffffffffffull, NULL, 0,
   NULL, NULL, NULL,
   "ffffffffffffff7fffffffffffffff7f"},
  {"i64x2.sub", "simd_i64x2_arith:267", 0, NULL, 0, NULL, 0,
   "00000000000000c000000000000000c0", "00000000000000fc00000000000000fc", NULL,
   "00000000000000c400000000000000c4"},
  {"i8x16.abs", "simd_i8x16_arith2:324", 0, NULL, 0, NULL, 0,
   "808080807f7f7f7f40404040ffffffff", NULL, NULL,
   "808080807f7f7f7f4040404001010101"},
  {"i8x16.add", "simd_i8x16_arith:162", 0, NULL, 0, NULL, 0,
   "000102030405060708090a0b0c0d0e0f", "00020406080a0c0e10121416181a1c1e", NULL,
   "000306090c0f1215181b1e2124272a2d"},
  {"i8x16.add_sat_s", "simd_i8x16_sat_arith:145", 0, NULL, 0, NULL, 0,
   "000102030405060708090a0b0c0d0e0f", "00020406080a0c0e10121416181a1c1e", NULL,
   "000306090c0f1215181b1e2124272a2d"},
  {"i8x16.add_sat_u", "simd_i8x16_sat_arith:282", 0, NULL, 0, NULL, 0,
   "000102030405060708090a0b0c0d0e0f", "00020406080a0c0e10121416181a1c1e", NULL,
   "000306090c0f1215181b1e2124272a2d"},
  {"i8x16.all_true", "simd_boolean:43", 0, NULL, 0, NULL, 0,
   "01010101010101010101010101010001", NULL, NULL,
   NULL},
  {"i8x16.avgr_u", "simd_i8x16_arith2:173", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "00000000ffffffff00000000ffffffff", NULL,
   "000000008080808080808080ffffffff"},
  {"i8x16.avgr_u", "simd_i8x16_arith2:318", 0, NULL, 0, NULL, 0,
   "808080807f7f7f7f40404040ffffffff", "ffffffff404040407f7f7f7f80808080", NULL,
   "c0c0c0c06060606060606060c0c0c0c0"},
  {"i8x16.bitmask", "simd_boolean:57", 0, NULL, 0, NULL, 0xffffull,
   "ffffffffffffffffffffffffffffffff", NULL, NULL,
   NULL},
  {"i8x16.bitmask", "simd_boolean:59", 0, NULL, 0, NULL, 0x1ull,
   "ff000102030405060708090a0b0c0d0f", NULL, NULL,
   NULL},
  {"i8x16.eq", "simd_i8x16_cmp:97", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "00000000000000000000000000000000"},
  {"i8x16.extract_lane_s", "simd_lane:82", 0, NULL, 0, NULL, 0x7full,
   "7f000000000000000000000000000000", NULL, NULL,
   NULL},
  {"i8x16.extract_lane_s", "simd_lane:87", 15, NULL, 0, NULL, 0xffffff80ull,
   "00000000000000000000000000000080", NULL, NULL,
   NULL},
  {"i8x16.extract_lane_u", "simd_lane:90", 15, NULL, 0, NULL, 0xffull,
   "000000000000000000000000000000ff", NULL, NULL,
   NULL},
  {"i8x16.ge_s", "simd_i8x16_cmp:1201", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffff0000000000000000"},
  {"i8x16.ge_u", "simd_i8x16_cmp:1339", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "0000000000000000ffffffffffffffff"},
  {"i8x16.gt_s", "simd_i8x16_cmp:925", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffff0000000000000000"},
  {"i8x16.gt_u", "simd_i8x16_cmp:1063", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "0000000000000000ffffffffffffffff"},
  {"i8x16.le_s", "simd_i8x16_cmp:649", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "0000000000000000ffffffffffffffff"},
  {"i8x16.le_u", "simd_i8x16_cmp:787", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffff0000000000000000"},
  {"i8x16.lt_s", "simd_i8x16_cmp:373", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "0000000000000000ffffffffffffffff"},
  {"i8x16.lt_u", "simd_i8x16_cmp:511", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffff0000000000000000"},
  {"i8x16.max_s", "simd_i8x16_arith2:306", 0, NULL, 0, NULL, 0,
   "808080807f7f7f7f40404040ffffffff", "ffffffff404040407f7f7f7f80808080", NULL,
   "ffffffff7f7f7f7f7f7f7f7fffffffff"},
  {"i8x16.max_u", "simd_i8x16_arith2:312", 0, NULL, 0, NULL, 0,
   "808080807f7f7f7f40404040ffffffff", "ffffffff404040407f7f7f7f80808080", NULL,
   "ffffffff7f7f7f7f7f7f7f7fffffffff"},
  {"i8x16.min_s", "simd_i8x16_arith2:294", 0, NULL, 0, NULL, 0,
   "808080807f7f7f7f40404040ffffffff", "ffffffff404040407f7f7f7f80808080", NULL,
   "80808080404040404040404080808080"},
  {"i8x16.min_u", "simd_i8x16_arith2:300", 0, NULL, 0, NULL, 0,
   "808080807f7f7f7f40404040ffffffff", "ffffffff404040407f7f7f7f80808080", NULL,
   "80808080404040404040404080808080"},
  {"i8x16.narrow_i16x8_s", "simd_conversions:328", 0, NULL, 0, NULL, 0,
   "81ff81ff81ff81ff81ff81ff81ff81ff", "80ff80ff80ff80ff80ff80ff80ff80ff", NULL,
   "81818181818181818080808080808080"},
  {"i8x16.narrow_i16x8_u", "simd_conversions:393", 0, NULL, 0, NULL, 0,
   "7e007e007e007e007e007e007e007e00", "7f007f007f007f007f007f007f007f00", NULL,
   "7e7e7e7e7e7e7e7e7f7f7f7f7f7f7f7f"},
  {"i8x16.narrow_i16x8_u", "simd_conversions:435", 0, NULL, 0, NULL, 0,
   "ffffffffffffffffffffffffffffffff", "ff00ff00ff00ff00ff00ff00ff00ff00", NULL,
   "0000000000000000ffffffffffffffff"},
  {"i8x16.ne", "simd_i8x16_cmp:235", 0, NULL, 0, NULL, 0,
   "0000000000000000ffffffffffffffff", "ffffffffffffffff0000000000000000", NULL,
   "ffffffffffffffffffffffffffffffff"},
  {"i8x16.neg", "simd_i8x16_arith:336", 0, NULL, 0, NULL, 0,
   "ffffffffffffffffffffffffffffffff", NULL, NULL,
   "01010101010101010101010101010101"},
  {"i8x16.popcnt", "simd_i8x16_arith2:236", 0, NULL, 0, NULL, 0,
   "80808080808080808080808080808080", NULL, NULL,
   "01010101010101010101010101010101"},
  {"i8x16.popcnt", "simd_i8x16_arith2:254", 0, NULL, 0, NULL, 0,
   "80808080808080808080808080808080", NULL, NULL,
   "01010101010101010101010101010101"},
  {"i8x16.replace_lane", "simd_lane:198", 15, NULL, 0xffffff80ull, NULL, 0,
   "00000000000000000000000000000000", NULL, NULL,
   "00000000000000000000000000000080"},
  {"i8x16.shl", "simd_bit_shift:54", 0, NULL, 0x20ull, NULL, 0,
   "000102030405060708090a0b0c0d0e0f", NULL, NULL,
   "000102030405060708090a0b0c0d0e0f"},
  {"i8x16.shl", "simd_bit_shift:76", 0, NULL, 0x81ull, NULL, 0,
   "000102030405060708090a0b0c0d0e0f", NULL, NULL,
   "00020406080a0c0e10121416181a1c1e"},
  {"i8x16.shr_s", "simd_bit_shift:136", 0, NULL, 0x1ull, NULL, 0,
   "80c0000102030405060708090a0b0c0d", NULL, NULL,
   "c0e00000010102020303040405050606"},
  {"i8x16.shr_s", "simd_bit_shift:146", 0, NULL, 0x20ull, NULL, 0,
   "000102030405060708090a0b0c0d0e0f", NULL, NULL,
   "000102030405060708090a0b0c0d0e0f"},
  {"i8x16.shr_s", "simd_bit_shift:156", 0, NULL, 0x9ull, NULL, 0,
   "80c0000102030405060708090a0b0c0d", NULL, NULL,
   "c0e00000010102020303040405050606"},
  {"i8x16.shr_s", "simd_bit_shift:168", 0, NULL, 0x81ull, NULL, 0,
   "000102030405060708090a0b0c0d0e0f", NULL, NULL,
   "00000101020203030404050506060707"},
  {"i8x16.shr_u", "simd_bit_shift:113", 0, NULL, 0x9ull, NULL, 0,
   "000102030405060708090a0b0c0d0e0f", NULL, NULL,
   "00000101020203030404050506060707"},
  {"i8x16.shuffle", "simd_lane:345", 0, "0f0e0d0c0b0a09080706050403020100", 0, NULL, 0,
   "000102030405060708090a0b0c0d0e0f", "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", NULL,
   "0f0e0d0c0b0a09080706050403020100"},
  {"i8x16.shuffle", "simd_lane:373", 0, "000102030405060708090a0b0c0d0e0f", 0, NULL, 0,
   "03020100070605040b0a09080f0e0d0c", "000102030405060708090a0b0c0d0e0f", NULL,
   "03020100070605040b0a09080f0e0d0c"},
  {"i8x16.splat", "simd_splat:18", 0, NULL, 0x7full, NULL, 0,
   NULL, NULL, NULL,
   "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f"},
  {"i8x16.sub", "simd_i8x16_arith:317", 0, NULL, 0, NULL, 0,
   "000102030405060708090a0b0c0d0e0f", "00020406080a0c0e10121416181a1c1e", NULL,
   "00fffefdfcfbfaf9f8f7f6f5f4f3f2f1"},
  {"i8x16.sub_sat_s", "simd_i8x16_sat_arith:416", 0, NULL, 0, NULL, 0,
   "000102030405060708090a0b0c0d0e0f", "00fffefdfcfbfaf9f8f7f6f5f4f3f2f1", NULL,
   "00020406080a0c0e10121416181a1c1e"},
  {"i8x16.sub_sat_s", "simd_i8x16_sat_arith:419", 0, NULL, 0, NULL, 0,
   "000102030405060708090a0b0c0d0e0f", "00020406080a0c0e10121416181a1c1e", NULL,
   "00fffefdfcfbfaf9f8f7f6f5f4f3f2f1"},
  {"i8x16.sub_sat_u", "simd_i8x16_sat_arith:556", 0, NULL, 0, NULL, 0,
   "000102030405060708090a0b0c0d0e0f", "00020406080a0c0e10121416181a1c1e", NULL,
   "00000000000000000000000000000000"},
  {"i8x16.swizzle", "simd_lane:300", 0, NULL, 0, NULL, 0,
   "6465666768696a6b6c6d6e6f70717273", "0f0e0d0c0b0a09080706050403020100", NULL,
   "737271706f6e6d6c6b6a696867666564"},
  {"i8x16.swizzle", "simd_lane:304", 0, NULL, 0, NULL, 0,
   "6465666768696a6b6c6d6e6f70717273", "ff01fe02fd03fc04fb05fa06f907f808", NULL,
   "00650066006700680069006a006b006c"},
  {"i8x16.swizzle", "simd_lane:320", 0, NULL, 0, NULL, 0,
   "676665646b6a69686f6e6d6c73727170", "0f0e0d0c0b0a09080706050403020100", NULL,
   "707172736c6d6e6f68696a6b64656667"},
  {"i8x16.swizzle", "simd_lane:328", 0, NULL, 0, NULL, 0,
   "6465666768696a6b5c6d6e6f70717273", "00000000000000800000807f000080ff", NULL,
   "64646464646464006464000064640000"},
  {"v128.and", "simd_bitwise:52", 0, NULL, 0, NULL, 0,
   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "0a0000008000000005000000a5000000", NULL,
   "0a0000008000000000000000a0000000"},
  {"v128.andnot", "simd_bitwise:210", 0, NULL, 0, NULL, 0,
   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "0a0000008000000005000000a5000000", NULL,
   "a0aaaaaa2aaaaaaaaaaaaaaa0aaaaaaa"},
  {"v128.any_true", "simd_boolean:67", 0, NULL, 0, NULL, 0x1ull,
   "01000100010001000100010000000100", NULL, NULL,
   NULL},
  {"v128.bitselect", "simd_bitwise:173", 0, NULL, 0, NULL, 0,
   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "55555555555555555555555555555555",
   "67452301efcdab8998badcfe10325476",
   "32107654ba98fedccdef89ab45670123"},
  {"v128.not", "simd_bitwise:21", 0, NULL, 0, NULL, 0,
   "00000000ffffffff00000000ffffffff", NULL, NULL,
   "ffffffff00000000ffffffff00000000"},
  {"v128.or", "simd_bitwise:94", 0, NULL, 0, NULL, 0,
   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "0a0000008000000005000000a5000000", NULL,
   "aaaaaaaaaaaaaaaaafaaaaaaafaaaaaa"},
  {"v128.xor", "simd_bitwise:136", 0, NULL, 0, NULL, 0,
   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "0a0000008000000005000000a5000000", NULL,
   "a0aaaaaa2aaaaaaaafaaaaaa0faaaaaa"},
};

static void hex_v128(const char *s, exec_v128 *v) {
  memset(v, 0, sizeof *v);
  for (int i = 0; s && i < 16; i++) {
    unsigned byte = 0;
    sscanf(s + 2 * i, "%2x", &byte);
    v->u8[i] = (uint8_t)byte;
  }
}

static int simd_op_named(const char *name) {
  for (int op = EXEC_SIMD_FIRST; op < EXEC_SIMD_FIRST + EXEC_SIMD_NOPS; op++)
    if (strcmp(wasm_op_name(op), name) == 0) return op;
  return -1;
}

static int lane_matches(const uint8_t *got, const uint8_t *want, int w, char kind) {
  if (kind == 'c') return is_nan(got, w) && is_canonical(got, w);
  if (kind == 'a') return is_nan(got, w) && is_arithmetic(got, w);
  return memcmp(got, want, (size_t)w) == 0;
}

static int simd_case_passes(const simd_case *c, const exec_simd_entry *e) {
  simd_in in;
  simd_out out;
  memset(&in, 0, sizeof in);
  hex_v128(c->a, &in.v[0]);
  hex_v128(c->b, &in.v[1]);
  hex_v128(c->c, &in.v[2]);
  in.x = c->x;
  in.lane = c->lane;
  if (c->shuffle) {
    exec_v128 s;
    hex_v128(c->shuffle, &s);
    memcpy(in.lanes, s.u8, 16);
  }
  simd_call(e, &in, &out, 0);
  if (c->want) {
    exec_v128 want;
    hex_v128(c->want, &want);
    int n = c->nan ? (int)strlen(c->nan) : 1, w = 16 / n;
    for (int l = 0; l < n; l++)
      if (!lane_matches(&out.v.u8[l * w], &want.u8[l * w], w, c->nan ? c->nan[l] : '.')) return 0;
    return 1;
  }
  /* scalar results: i32 and f32 come back zero-extended */
  uint8_t t = wasm_opinfo_table[simd_op_named(c->op)].result;
  int w = t == WASM_SIG_I32 || t == WASM_SIG_F32 ? 4 : 8;
  if (w == 4 && out.s >> 32) return 0;
  uint8_t got[8], want[8];
  memcpy(got, &out.s, 8);
  memcpy(want, &c->want_s, 8);
  return lane_matches(got, want, w, c->nan ? c->nan[0] : '.');
}

UNIT_GROUP(simd_spec) {
  for (int impl = 0; impl < EXEC_SIMD_IMPL_COUNT; impl++) {
    exec_simd_impl im = (exec_simd_impl)impl;
    if (!exec_simd_impl_available(im)) continue;
    const char *label = exec_simd_impl_label(im);
    unsigned bad = 0;
    for (size_t i = 0; i < COUNT(simd_cases); i++) {
      const simd_case *c = &simd_cases[i];
      int op = simd_op_named(c->op);
      const exec_simd_entry *e = op < 0 ? NULL : exec_simd_op_in(im, (wasm_opcode)op);
      if (!unit_check(e != NULL, __FILE__, __LINE__, "%s: no entry for %s", c->where, c->op))
        continue;
      if (!simd_case_passes(c, e)) {
        bad++;
        unit_check(false, __FILE__, __LINE__, "%s %s (%s)", label, c->op, c->where);
      }
    }
    unit_check(bad == 0, __FILE__, __LINE__, "%s: %u of %zu spec cases fail", label, bad,
               COUNT(simd_cases));
  }
}

/* ---------- memory forms ---------------------------------------------------------------- */

static const exec_simd_entry *entry(exec_simd_impl impl, wasm_opcode op) {
  return exec_simd_op_in(impl, op);
}

#define MEM_CHECK(cond) unit_check((cond), __FILE__, __LINE__, "%s: %s", label, #cond)

UNIT_GROUP(simd_memory) {
  /* 32-bit lanes of the source: 0x7fff8001 (positive), 0x82fe8100 (negative) */
  static const uint8_t src[16] = {0x01, 0x80, 0xff, 0x7f, 0x00, 0x81, 0xfe, 0x82,
                                  0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90};
  for (int impl = 0; impl < EXEC_SIMD_IMPL_COUNT; impl++) {
    exec_simd_impl im = (exec_simd_impl)impl;
    if (!exec_simd_impl_available(im)) continue;
    const char *label = exec_simd_impl_label(im);
    uint8_t buf[40];
    memset(buf, 0xee, sizeof buf);
    memcpy(buf + 5, src, 16); /* deliberately unaligned */
    const uint8_t *p = buf + 5;
    exec_v128 r, a;

    entry(im, WASM_OP_V128_LOAD8X8_S)->fn.load(&r, p);
    MEM_CHECK(r.i16[0] == 1 && r.i16[1] == -128 && r.i16[2] == -1 && r.i16[3] == 127 &&
              r.i16[4] == 0 && r.i16[5] == -127 && r.i16[6] == -2 && r.i16[7] == -126);
    entry(im, WASM_OP_V128_LOAD8X8_U)->fn.load(&r, p);
    MEM_CHECK(r.u16[0] == 1 && r.u16[1] == 128 && r.u16[2] == 255 && r.u16[3] == 127 &&
              r.u16[4] == 0 && r.u16[5] == 129 && r.u16[6] == 254 && r.u16[7] == 130);
    entry(im, WASM_OP_V128_LOAD16X4_S)->fn.load(&r, p);
    MEM_CHECK(r.i32[0] == -32767 && r.i32[1] == 32767 && r.i32[2] == -32512 && r.i32[3] == -32002);
    entry(im, WASM_OP_V128_LOAD16X4_U)->fn.load(&r, p);
    MEM_CHECK(r.u32[0] == 32769 && r.u32[1] == 32767 && r.u32[2] == 33024 && r.u32[3] == 33534);
    entry(im, WASM_OP_V128_LOAD32X2_S)->fn.load(&r, p);
    MEM_CHECK(r.u64[0] == 0x7fff8001u && r.u64[1] == 0xffffffff82fe8100ull);
    entry(im, WASM_OP_V128_LOAD32X2_U)->fn.load(&r, p);
    MEM_CHECK(r.u64[0] == 0x7fff8001u && r.u64[1] == 0x82fe8100u);

    entry(im, WASM_OP_V128_LOAD8_SPLAT)->fn.load(&r, p + 1);
    MEM_CHECK(r.u64[0] == 0x8080808080808080ull && r.u64[1] == 0x8080808080808080ull);
    entry(im, WASM_OP_V128_LOAD16_SPLAT)->fn.load(&r, p);
    MEM_CHECK(r.u64[0] == 0x8001800180018001ull && r.u64[1] == 0x8001800180018001ull);
    entry(im, WASM_OP_V128_LOAD32_SPLAT)->fn.load(&r, p + 4);
    MEM_CHECK(r.u64[0] == 0x82fe810082fe8100ull && r.u64[1] == 0x82fe810082fe8100ull);
    entry(im, WASM_OP_V128_LOAD64_SPLAT)->fn.load(&r, p);
    MEM_CHECK(r.u64[0] == 0x82fe81007fff8001ull && r.u64[1] == 0x82fe81007fff8001ull);
    entry(im, WASM_OP_V128_LOAD32_ZERO)->fn.load(&r, p + 4);
    MEM_CHECK(r.u64[0] == 0x82fe8100u && r.u64[1] == 0);
    entry(im, WASM_OP_V128_LOAD64_ZERO)->fn.load(&r, p + 8);
    MEM_CHECK(r.u64[0] == 0x9070605040302010ull && r.u64[1] == 0);

    memset(&a, 0xaa, sizeof a);
    entry(im, WASM_OP_V128_LOAD8_LANE)->fn.load_lane(&r, &a, p + 2, 5);
    MEM_CHECK(r.u8[5] == 0xff && r.u8[4] == 0xaa && r.u8[6] == 0xaa &&
              r.u64[1] == 0xaaaaaaaaaaaaaaaaull);
    entry(im, WASM_OP_V128_LOAD16_LANE)->fn.load_lane(&r, &a, p, 7);
    MEM_CHECK(r.u16[7] == 0x8001 && r.u16[6] == 0xaaaa && r.u64[0] == 0xaaaaaaaaaaaaaaaaull);
    entry(im, WASM_OP_V128_LOAD32_LANE)->fn.load_lane(&r, &a, p + 4, 2);
    MEM_CHECK(r.u32[2] == 0x82fe8100u && r.u32[3] == 0xaaaaaaaau &&
              r.u64[0] == 0xaaaaaaaaaaaaaaaaull);
    entry(im, WASM_OP_V128_LOAD64_LANE)->fn.load_lane(&a, &a, p, 1); /* result over operand */
    MEM_CHECK(a.u64[1] == 0x82fe81007fff8001ull && a.u64[0] == 0xaaaaaaaaaaaaaaaaull);

    for (int i = 0; i < 16; i++) a.u8[i] = (uint8_t)(0xc0 + i);
    uint8_t out[24];
    memset(out, 0, sizeof out);
    entry(im, WASM_OP_V128_STORE8_LANE)->fn.store_lane(out + 1, &a, 3);
    MEM_CHECK(out[0] == 0 && out[1] == 0xc3 && out[2] == 0);
    memset(out, 0, sizeof out);
    entry(im, WASM_OP_V128_STORE16_LANE)->fn.store_lane(out + 1, &a, 7);
    MEM_CHECK(out[0] == 0 && out[1] == 0xce && out[2] == 0xcf && out[3] == 0);
    memset(out, 0, sizeof out);
    entry(im, WASM_OP_V128_STORE32_LANE)->fn.store_lane(out + 1, &a, 1);
    MEM_CHECK(out[0] == 0 && out[1] == 0xc4 && out[4] == 0xc7 && out[5] == 0);
    memset(out, 0, sizeof out);
    entry(im, WASM_OP_V128_STORE64_LANE)->fn.store_lane(out + 1, &a, 1);
    MEM_CHECK(out[0] == 0 && out[1] == 0xc8 && out[8] == 0xcf && out[9] == 0);
    MEM_CHECK(buf[4] == 0xee && buf[21] == 0xee); /* loads never write */
  }
}

/* ---------- tables and selection ------------------------------------------------------ */

UNIT_GROUP(simd_tables) {
  unsigned provided = 0;
  for (int i = 0; i < EXEC_SIMD_NOPS; i++) {
    wasm_opcode op = (wasm_opcode)(EXEC_SIMD_FIRST + i);
    const wasm_opinfo *o = &wasm_opinfo_table[op];
    CHECK(o->prefix == 0xfd);
    int copy = op == WASM_OP_V128_LOAD || op == WASM_OP_V128_STORE || op == WASM_OP_V128_CONST;
    const exec_simd_entry *p = exec_simd_op_in(EXEC_SIMD_IMPL_PORTABLE, op);
    unit_check((p == NULL) == copy, __FILE__, __LINE__, "portable entry for %s", wasm_op_name(op));
    if (!p) continue;
    provided++;
    unit_check(p->fn.any && simd_shape_fits(o, p), __FILE__, __LINE__, "shape of %s", wasm_op_name(op));
    for (int impl = 1; impl < EXEC_SIMD_IMPL_COUNT; impl++) {
      exec_simd_impl im = (exec_simd_impl)impl;
      const exec_simd_entry *x = exec_simd_op_in(im, op);
      if (!exec_simd_impl_available(im)) {
        CHECK(x == NULL);
        continue;
      }
      unit_check(x && x->fn.any && x->shape == p->shape && x->bytes == p->bytes &&
                     x->lanes == p->lanes,
                 __FILE__, __LINE__, "%s entry for %s", exec_simd_impl_label(im), wasm_op_name(op));
    }
  }
  CHECK_EQ_U64(provided, 233 + 20); /* 2.0 SIMD, relaxed SIMD */

  CHECK(exec_simd_op(WASM_OP_I32_ADD) == NULL);
  CHECK(exec_simd_op(WASM_OP_V128_LOAD) == NULL);
  CHECK(exec_simd_op(WASM_OP_V128_CONST) == NULL);
  const char *name = exec_simd_impl_name();
  int chosen = -1;
  for (int impl = 0; impl < EXEC_SIMD_IMPL_COUNT; impl++)
    if (strcmp(name, exec_simd_impl_label((exec_simd_impl)impl)) == 0) chosen = impl;
  CHECK(chosen >= 0 && exec_simd_impl_available((exec_simd_impl)chosen));
  if (chosen >= 0)
    CHECK(exec_simd_op(WASM_OP_I8X16_ADD) ==
          exec_simd_op_in((exec_simd_impl)chosen, WASM_OP_I8X16_ADD));
  if (!getenv("WELD_SIMD"))
    for (int impl = chosen + 1; impl < EXEC_SIMD_IMPL_COUNT; impl++)
      CHECK(!exec_simd_impl_available((exec_simd_impl)impl)); /* the best tier is chosen */
}

/* ---------- vector implementations against the portable reference --------------------- */

#define SIMD_RANDOM_CASES 3000

UNIT_GROUP(simd_differential) {
  for (int i = 0; i < EXEC_SIMD_NOPS; i++) {
    wasm_opcode op = (wasm_opcode)(EXEC_SIMD_FIRST + i);
    const exec_simd_entry *p = exec_simd_op_in(EXEC_SIMD_IMPL_PORTABLE, op);
    if (!p) continue;
    const char *name = wasm_op_name(op);
    /* the reference itself: the NaN rule and aliasing */
    const char *why = NULL;
    for (int k = 0; k < SIMD_RANDOM_CASES && !why; k++) {
      simd_in in;
      simd_out r, ra;
      rand_in(p, &in);
      simd_call(p, &in, &r, 0);
      why = nan_rule(op, p, &in, &r);
      for (int al = 1; al <= 2 && !why && has_vector_result(p); al++) {
        simd_call(p, &in, &ra, al);
        if (memcmp(&ra.v, &r.v, 16)) why = "result over an operand differs";
      }
    }
    unit_check(!why, __FILE__, __LINE__, "portable %s: %s", name, why ? why : "");

    for (int impl = 1; impl < EXEC_SIMD_IMPL_COUNT; impl++) {
      const exec_simd_entry *x = exec_simd_op_in((exec_simd_impl)impl, op);
      if (!x || x->fn.any == p->fn.any) continue;
      const char *label = exec_simd_impl_label((exec_simd_impl)impl);
      why = NULL;
      simd_in in;
      simd_out rp, rx, ra;
      for (int k = 0; k < SIMD_RANDOM_CASES && !why; k++) {
        rand_in(p, &in);
        simd_call(p, &in, &rp, 0);
        simd_call(x, &in, &rx, 0);
        if (!same_result(op, p, &rp, &rx)) why = "differs from portable";
        else why = nan_rule(op, x, &in, &rx);
        for (int al = 1; al <= 2 && !why && has_vector_result(x); al++) {
          simd_call(x, &in, &ra, al);
          if (memcmp(&ra.v, &rx.v, 16)) why = "result over an operand differs";
        }
      }
      if (!unit_check(!why, __FILE__, __LINE__, "%s %s: %s", label, name, why ? why : "")) {
        fprintf(stderr, "    x=%llx lane=%u\n", (unsigned long long)in.x, in.lane);
        show("a", &in.v[0]);
        show("b", &in.v[1]);
        show("c", &in.v[2]);
        show("portable", &rp.v);
        show(label, &rx.v);
      }
    }
  }
}

/* i8x16.shuffle with masks made at translation time (what the interpreter runs on x86)
 * against the portable shuffle on the lanes, including results over an operand. */
UNIT_GROUP(simd_shuffle_masked) {
  exec_simd_shuffle_masked_fn f = exec_simd_shuffle_masked();
  const exec_simd_entry *p = exec_simd_op_in(EXEC_SIMD_IMPL_PORTABLE, WASM_OP_I8X16_SHUFFLE);
  if (!f) { /* portable builds and hosts: nothing to compare, but the masks still must be right */
    uint8_t lanes[16], m[32];
    for (int i = 0; i < 16; i++) lanes[i] = (uint8_t)(i * 7 % 32);
    exec_simd_shuffle_masks(lanes, m);
    for (int i = 0; i < 16; i++)
      unit_check((lanes[i] < 16 ? m[i] : m[16 + i]) == (lanes[i] & 15) &&
                     (lanes[i] < 16 ? m[16 + i] : m[i]) == 0x80,
                 __FILE__, __LINE__, "mask byte %d", i);
    return;
  }
  uint32_t seed = 99;
  for (int k = 0; k < 500; k++) {
    exec_v128 a, b, want, got;
    uint8_t lanes[16], m[32];
    for (int i = 0; i < 16; i++) {
      seed = seed * 1103515245u + 12345u;
      a.u8[i] = (uint8_t)(seed >> 8);
      b.u8[i] = (uint8_t)(seed >> 16);
      lanes[i] = (uint8_t)((seed >> 24) % 32);
    }
    exec_simd_shuffle_masks(lanes, m);
    p->fn.shuffle(&want, &a, &b, lanes);
    f(&got, &a, &b, m);
    unit_check(memcmp(&got, &want, 16) == 0, __FILE__, __LINE__, "case %d differs", k);
    exec_v128 over = b;
    f(&over, &a, &over, m);
    unit_check(memcmp(&over, &want, 16) == 0, __FILE__, __LINE__, "case %d over b differs", k);
  }
}

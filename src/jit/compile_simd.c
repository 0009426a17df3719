/* The baseline compiler's SIMD instructions (0xFD), on v128 values kept in the frame.
 *
 * A v128 is two operand-stack entries, one per slot (`ent.vh` 1 and 2), exactly as the
 * interpreter lays it out: locals, branches, block values and calls move it slot by slot
 * with the scalar machinery. An instruction reads its v128 operands from the frame (a
 * local's slots, or the home slots; pending halves go home first) and writes its v128
 * result to the home slots of its first operand with one 16-byte store.
 *
 * - inline, with SSE2 (SSE4.1 where the CPU has it, cpu.c): the constant, loads and stores
 *   (v128.load/store, load32/64_zero, the splat loads, the lane loads and stores, the
 *   extending loads with SSE4.1), splats, extract/replace lane, integer add/sub (also
 *   saturating), i16x8/i32x4 mul, min/max, avgr, bitwise and/or/xor/andnot/not, integer
 *   eq/ne/gt_s/lt_s, 16/32/64-bit shifts, f32x4/f64x2 add/sub/mul/div, any_true and the
 *   8/32/64-bit bitmasks, i8x16.shuffle with pshufb (SSSE3);
 * - everything else: a call to the function the SIMD library of src/exec chose for this
 *   process (exec_simd_op), the one the interpreter calls, with pointers into the frame.
 *   So every SIMD instruction, relaxed SIMD included, compiles, and the called ones give
 *   the interpreter's results by construction (relaxed SIMD's deterministic choices too).
 *
 * With WELD_SIMD=portable (or a -DWELD_PORTABLE_SIMD=ON build) only the memory forms stay
 * inline and every operation calls the portable library, as in the interpreter.
 *
 * Memory forms check bounds as the scalar loads do (compile_mem.c): inline accesses to
 * memory 0 with 32-bit addresses in guard mode are access sites for the fault handler;
 * everything else is checked explicitly first (and a library call's access always). */
#include <stdio.h>
#include <string.h>

#include "../exec/simd.h"
#include "compile_int.h"
#include "image.h"

/* Encodings: pfx, then the opcode in x64_vop's form (0x0fXX, 0x0f38XX, 0x0f3aXX). */
#define P66 0x66
#define MOVDQU_LD(b, x, base, idx, d) x64_vop_rm(b, 0xf3, 0x0f6f, x, base, idx, d)
#define MOVDQU_ST(b, x, base, idx, d) x64_vop_rm(b, 0xf3, 0x0f7f, x, base, idx, d)

static bool sse41(void) { return (jit_cpu_features() & JIT_CPU_SSE41) != 0; }
static bool ssse3(void) { return (jit_cpu_features() & JIT_CPU_SSSE3) != 0; }

/* v128 values stay in xmm3-xmm13 from the instruction that makes them to the one that
 * uses them (xmm0-xmm2 and xmm14-xmm15 are scratch, and the scalar SSE code uses xmm0
 * and xmm1); like the general pool they go home before every call and merge
 * (jc_spill_regs), since calls clobber every xmm register. */
enum { XFIRST = 3, XLAST = 13 };

static int alloc_xreg(jc *j) {
  uint32_t used = 0;
  for (uint32_t p = j->noreg; p < j->n; p++)
    if (j->st[p].kind == E_XREG) used |= 1u << j->st[p].reg;
  for (int r = XFIRST; r <= XLAST; r++)
    if (!(used & (1u << r))) return r;
  for (uint32_t p = j->noreg; p < j->n; p++)
    if (j->st[p].kind == E_XREG) {
      int r = j->st[p].reg;
      jc_materialize(j, p);
      return r;
    }
  return XFIRST; /* not reached */
}

void jc_xreg_half(jc *j, ent e, uint32_t slot) {
  if (e.vh == 1) x64_vop_rm(j->b, P66, 0x0fd6, e.reg, RBX, NOREG, slot_disp(slot)); /* movq m64, xmm */
  else x64_vop_rm(j->b, 0, 0x0f17, e.reg, RBX, NOREG, slot_disp(slot));             /* movhps m64, xmm */
}

void jc_xreg_load(jc *j, int reg, ent e) {
  if (e.vh == 1) {
    x64_movq_rx(j->b, reg, e.reg);
    return;
  }
  x64_vop_rr(j->b, P66, 0x0f70, 15, e.reg); /* pshufd xmm15, x, 0xee: the high half down */
  x64_u8(j->b, 0xee);
  x64_movq_rx(j->b, reg, 15);
}

int32_t jc_vaddr(jc *j, uint32_t pos) {
  ent lo = j->st[pos], hi = j->st[pos + 1];
  if (lo.kind == E_LOCAL && hi.kind == E_LOCAL && hi.local == lo.local + 1) return slot_disp(lo.local);
  jc_materialize(j, pos);
  jc_materialize(j, pos + 1);
  return home(j, pos);
}

/* xmm = the v128 at pos (constants without a trip through memory). */
static void vload(jc *j, int xmm, uint32_t pos) {
  ent lo = j->st[pos], hi = j->st[pos + 1];
  if (lo.kind == E_XREG && hi.kind == E_XREG && lo.reg == hi.reg) {
    if (lo.reg != xmm) x64_vop_rr(j->b, P66, 0x0f6f, xmm, lo.reg); /* movdqa */
    return;
  }
  if (lo.kind == E_CONST && hi.kind == E_CONST) {
    if (!lo.imm && !hi.imm) {
      x64_vop_rr(j->b, P66, 0x0fef, xmm, xmm); /* pxor */
      return;
    }
    x64_mov_ri(j->b, true, RAX, lo.imm);
    x64_movq_xr(j->b, xmm, RAX);
    if (hi.imm) {
      x64_mov_ri(j->b, true, RAX, hi.imm);
      x64_movq_xr(j->b, 15, RAX);
      x64_vop_rr(j->b, P66, 0x0f6c, xmm, 15); /* punpcklqdq */
    }
    return;
  }
  MOVDQU_LD(j->b, xmm, RBX, NOREG, jc_vaddr(j, pos));
}

bool jc_v128_copy(jc *j, uint32_t pos, uint32_t slot) {
  ent lo = j->st[pos], hi = j->st[pos + 1];
  if (hi.vh != 2 || lo.kind != hi.kind) return false;
  if (lo.kind == E_SLOT && j->nlocals + pos == slot) return true;
  if (lo.kind == E_LOCAL && lo.local == slot && hi.local == slot + 1) return true;
  if (lo.kind == E_REG || (lo.kind == E_LOCAL && hi.local != lo.local + 1)) return false;
  /* xmm14: an instruction may hold operands in xmm0-xmm2 while others go home */
  if (lo.kind == E_XREG) {
    if (lo.reg != hi.reg) return false;
    MOVDQU_ST(j->b, lo.reg, RBX, NOREG, slot_disp(slot));
    return true;
  }
  if (lo.kind == E_CONST) vload(j, 14, pos);
  else MOVDQU_LD(j->b, 14, RBX, NOREG, lo.kind == E_SLOT ? home(j, pos) : slot_disp(lo.local));
  MOVDQU_ST(j->b, 14, RBX, NOREG, slot_disp(slot));
  return true;
}

/* The result in xmm0 goes to the home slots of position pos, a new v128 on top. */
static void vresult(jc *j, uint32_t pos) {
  j->n = pos;
  int r = alloc_xreg(j);
  x64_vop_rr(j->b, P66, 0x0f6f, r, 0); /* movdqa */
  jc_push(j, (ent){.kind = E_XREG, .reg = (uint8_t)r, .vh = 1});
  jc_push(j, (ent){.kind = E_XREG, .reg = (uint8_t)r, .vh = 2});
}

/* ---------- values ---------- */

void jc_v128_select(jc *j) {
  ent c = jc_pop(j);
  uint32_t pos = j->n - 4;
  vload(j, 0, pos + 2);
  vload(j, 1, pos);
  jc_load(j, RDX, c, pos + 4, false);
  x64_test_rr(j->b, false, RDX, RDX);
  size_t keep = x64_jcc(j->b, X64_CC_E, X64_UNBOUND);
  x64_vop_rr(j->b, P66, 0x0f6f, 0, 1); /* c != 0: the first */
  x64_bind(j->b, keep, j->b->len);
  vresult(j, pos);
}

void jc_v128_global(jc *j, bool set, uint32_t gi) {
  if (set) vload(j, 0, j->n - 2);
  x64_mov_rm(j->b, true, RCX, R12, NOREG, 1, CTX(globals));
  x64_mov_rm(j->b, true, RCX, RCX, NOREG, 1, slot_disp(gi));
  int32_t gv = (int32_t)offsetof(exec_global, val);
  if (set) {
    MOVDQU_ST(j->b, 0, RCX, NOREG, gv);
    j->n -= 2;
    return;
  }
  MOVDQU_LD(j->b, 0, RCX, NOREG, gv);
  vresult(j, j->n);
}

/* ---------- inline arithmetic ---------- */

enum { F_SWAP = 1, F_NOT = 2, F_41 = 4, F_PS = 8 };
typedef struct vbin {
  uint16_t op;
  uint8_t pfx;
  uint32_t code;
  uint8_t flags; /* F_SWAP: b OP a; F_NOT: the result inverted; F_41: needs SSE4.1 */
} vbin;

static const vbin vbins[] = {
#define B(id, pfx, code, fl) {WASM_OP_##id, pfx, code, fl},
    B(I8X16_ADD, P66, 0x0ffc, 0) B(I16X8_ADD, P66, 0x0ffd, 0) B(I32X4_ADD, P66, 0x0ffe, 0)
    B(I64X2_ADD, P66, 0x0fd4, 0) B(I8X16_SUB, P66, 0x0ff8, 0) B(I16X8_SUB, P66, 0x0ff9, 0)
    B(I32X4_SUB, P66, 0x0ffa, 0) B(I64X2_SUB, P66, 0x0ffb, 0)
    B(I8X16_ADD_SAT_S, P66, 0x0fec, 0) B(I8X16_ADD_SAT_U, P66, 0x0fdc, 0)
    B(I16X8_ADD_SAT_S, P66, 0x0fed, 0) B(I16X8_ADD_SAT_U, P66, 0x0fdd, 0)
    B(I8X16_SUB_SAT_S, P66, 0x0fe8, 0) B(I8X16_SUB_SAT_U, P66, 0x0fd8, 0)
    B(I16X8_SUB_SAT_S, P66, 0x0fe9, 0) B(I16X8_SUB_SAT_U, P66, 0x0fd9, 0)
    B(I16X8_MUL, P66, 0x0fd5, 0) B(I32X4_MUL, P66, 0x0f3840, F_41)
    B(I8X16_MIN_U, P66, 0x0fda, 0) B(I8X16_MAX_U, P66, 0x0fde, 0)
    B(I16X8_MIN_S, P66, 0x0fea, 0) B(I16X8_MAX_S, P66, 0x0fee, 0)
    B(I8X16_MIN_S, P66, 0x0f3838, F_41) B(I8X16_MAX_S, P66, 0x0f383c, F_41)
    B(I16X8_MIN_U, P66, 0x0f383a, F_41) B(I16X8_MAX_U, P66, 0x0f383e, F_41)
    B(I32X4_MIN_S, P66, 0x0f3839, F_41) B(I32X4_MAX_S, P66, 0x0f383d, F_41)
    B(I32X4_MIN_U, P66, 0x0f383b, F_41) B(I32X4_MAX_U, P66, 0x0f383f, F_41)
    B(I8X16_AVGR_U, P66, 0x0fe0, 0) B(I16X8_AVGR_U, P66, 0x0fe3, 0)
    B(V128_AND, P66, 0x0fdb, 0) B(V128_OR, P66, 0x0feb, 0) B(V128_XOR, P66, 0x0fef, 0)
    B(V128_ANDNOT, P66, 0x0fdf, F_SWAP) /* pandn: ~b & a */
    B(I8X16_EQ, P66, 0x0f74, 0) B(I16X8_EQ, P66, 0x0f75, 0) B(I32X4_EQ, P66, 0x0f76, 0)
    B(I64X2_EQ, P66, 0x0f3829, F_41)
    B(I8X16_NE, P66, 0x0f74, F_NOT) B(I16X8_NE, P66, 0x0f75, F_NOT) B(I32X4_NE, P66, 0x0f76, F_NOT)
    B(I64X2_NE, P66, 0x0f3829, F_41 | F_NOT)
    B(I8X16_GT_S, P66, 0x0f64, 0) B(I16X8_GT_S, P66, 0x0f65, 0) B(I32X4_GT_S, P66, 0x0f66, 0)
    B(I8X16_LT_S, P66, 0x0f64, F_SWAP) B(I16X8_LT_S, P66, 0x0f65, F_SWAP)
    B(I32X4_LT_S, P66, 0x0f66, F_SWAP)
    B(F32X4_ADD, 0, 0x0f58, 0) B(F32X4_SUB, 0, 0x0f5c, 0) B(F32X4_MUL, 0, 0x0f59, 0)
    B(F32X4_DIV, 0, 0x0f5e, 0) B(F64X2_ADD, P66, 0x0f58, 0) B(F64X2_SUB, P66, 0x0f5c, 0)
    B(F64X2_MUL, P66, 0x0f59, 0) B(F64X2_DIV, P66, 0x0f5e, 0)
#undef B
};

static bool inline_bin(jc *j, uint16_t op) {
  const vbin *v = NULL;
  for (size_t i = 0; i < sizeof vbins / sizeof vbins[0]; i++)
    if (vbins[i].op == op) v = &vbins[i];
  if (!v || ((v->flags & F_41) && !sse41())) return false;
  uint32_t pos = j->n - 4;
  uint32_t first = v->flags & F_SWAP ? pos + 2 : pos, second = v->flags & F_SWAP ? pos : pos + 2;
  /* both through registers: a legacy-SSE 16-byte memory operand must be aligned, and
   * frame slots are 8-byte aligned */
  vload(j, 0, first);
  vload(j, 1, second);
  x64_vop_rr(j->b, v->pfx, v->code, 0, 1);
  if (v->flags & F_NOT) {
    x64_vop_rr(j->b, P66, 0x0f76, 1, 1); /* pcmpeqd: all ones */
    x64_vop_rr(j->b, P66, 0x0fef, 0, 1);
  }
  vresult(j, pos);
  return true;
}

/* Shifts by a scalar count (taken modulo the lane width): psll/psrl/psra with the count in
 * xmm1. */
static bool inline_shift(jc *j, uint16_t op) {
  uint32_t code, bits;
  switch (op) {
  case WASM_OP_I16X8_SHL: code = 0x0ff1, bits = 16; break;
  case WASM_OP_I16X8_SHR_U: code = 0x0fd1, bits = 16; break;
  case WASM_OP_I16X8_SHR_S: code = 0x0fe1, bits = 16; break;
  case WASM_OP_I32X4_SHL: code = 0x0ff2, bits = 32; break;
  case WASM_OP_I32X4_SHR_U: code = 0x0fd2, bits = 32; break;
  case WASM_OP_I32X4_SHR_S: code = 0x0fe2, bits = 32; break;
  case WASM_OP_I64X2_SHL: code = 0x0ff3, bits = 64; break;
  case WASM_OP_I64X2_SHR_U: code = 0x0fd3, bits = 64; break;
  default: return false;
  }
  ent c = jc_pop(j);
  uint32_t pos = j->n - 2;
  vload(j, 0, pos);
  jc_load(j, RAX, c, pos + 2, false);
  x64_alu_ri(j->b, X64_AND, false, RAX, (int32_t)(bits - 1));
  x64_vop_rr(j->b, P66, 0x0f6e, 1, RAX); /* movd xmm1, eax */
  x64_vop_rr(j->b, P66, code, 0, 1);
  vresult(j, pos);
  return true;
}

/* xmm0 = the scalar in eax/rax repeated in every lane of `bytes` bytes. */
static void splat_rax(jc *j, uint32_t bytes) {
  if (bytes == 8) {
    x64_movq_xr(j->b, 0, RAX);
    x64_vop_rr(j->b, P66, 0x0f6c, 0, 0); /* punpcklqdq */
    return;
  }
  if (bytes == 1) {
    x64_movx(j->b, false, false, 8, RAX, RAX);
    x64_imul_rri(j->b, false, RAX, RAX, 0x01010101);
  } else if (bytes == 2) {
    x64_movx(j->b, false, false, 16, RAX, RAX);
    x64_imul_rri(j->b, false, RAX, RAX, 0x00010001);
  }
  x64_vop_rr(j->b, P66, 0x0f6e, 0, RAX); /* movd */
  x64_vop_rr(j->b, P66, 0x0f70, 0, 0);   /* pshufd xmm0, xmm0, 0 */
  x64_u8(j->b, 0);
}

static uint32_t lane_bytes(uint16_t op) {
  switch (op) {
  case WASM_OP_I8X16_SPLAT: case WASM_OP_I8X16_EXTRACT_LANE_S: case WASM_OP_I8X16_EXTRACT_LANE_U:
  case WASM_OP_I8X16_REPLACE_LANE: case WASM_OP_V128_LOAD8_SPLAT: case WASM_OP_V128_LOAD8_LANE:
  case WASM_OP_V128_STORE8_LANE: return 1;
  case WASM_OP_I16X8_SPLAT: case WASM_OP_I16X8_EXTRACT_LANE_S: case WASM_OP_I16X8_EXTRACT_LANE_U:
  case WASM_OP_I16X8_REPLACE_LANE: case WASM_OP_V128_LOAD16_SPLAT: case WASM_OP_V128_LOAD16_LANE:
  case WASM_OP_V128_STORE16_LANE: return 2;
  case WASM_OP_I32X4_SPLAT: case WASM_OP_F32X4_SPLAT: case WASM_OP_I32X4_EXTRACT_LANE:
  case WASM_OP_F32X4_EXTRACT_LANE: case WASM_OP_I32X4_REPLACE_LANE: case WASM_OP_F32X4_REPLACE_LANE:
  case WASM_OP_V128_LOAD32_SPLAT: case WASM_OP_V128_LOAD32_LANE: case WASM_OP_V128_STORE32_LANE:
  case WASM_OP_V128_LOAD32_ZERO: return 4;
  default: return 8;
  }
}

static x64_ld ld_kind(uint32_t bytes, bool sign) {
  switch (bytes) {
  case 1: return sign ? X64_LD8S : X64_LD8U;
  case 2: return sign ? X64_LD16S : X64_LD16U;
  case 4: return X64_LD32;
  default: return X64_LD64;
  }
}

/* Lane, splat and test instructions that are a few moves. */
static bool inline_lane(jc *j, const wasm_instr *in) {
  uint16_t op = in->op;
  uint32_t nb = lane_bytes(op);
  switch (op) {
  case WASM_OP_I8X16_SPLAT: case WASM_OP_I16X8_SPLAT: case WASM_OP_I32X4_SPLAT:
  case WASM_OP_I64X2_SPLAT: case WASM_OP_F32X4_SPLAT: case WASM_OP_F64X2_SPLAT: {
    ent x = jc_pop(j);
    uint32_t pos = j->n;
    jc_load(j, RAX, x, pos, nb == 8);
    splat_rax(j, nb);
    vresult(j, pos);
    return true;
  }
  case WASM_OP_I8X16_EXTRACT_LANE_S: case WASM_OP_I8X16_EXTRACT_LANE_U:
  case WASM_OP_I16X8_EXTRACT_LANE_S: case WASM_OP_I16X8_EXTRACT_LANE_U:
  case WASM_OP_I32X4_EXTRACT_LANE: case WASM_OP_I64X2_EXTRACT_LANE:
  case WASM_OP_F32X4_EXTRACT_LANE: case WASM_OP_F64X2_EXTRACT_LANE: {
    uint32_t pos = j->n - 2;
    bool sign = op == WASM_OP_I8X16_EXTRACT_LANE_S || op == WASM_OP_I16X8_EXTRACT_LANE_S;
    ent lo = j->st[pos], hi = j->st[pos + 1];
    if (lo.kind == E_CONST && hi.kind == E_CONST) {
      uint8_t v[16];
      memcpy(v, &lo.imm, 8);
      memcpy(v + 8, &hi.imm, 8);
      uint64_t x = 0;
      memcpy(&x, v + in->lane * nb, nb);
      if (sign && nb == 1) x = (uint32_t)(int32_t)(int8_t)x;
      if (sign && nb == 2) x = (uint32_t)(int32_t)(int16_t)x;
      j->n = pos;
      x64_mov_ri(j->b, true, RAX, x);
    } else {
      int32_t d = jc_vaddr(j, pos);
      j->n = pos;
      x64_load(j->b, ld_kind(nb, sign), RAX, RBX, NOREG, d + (int32_t)(in->lane * nb));
    }
    jc_push_rax(j);
    return true;
  }
  case WASM_OP_I8X16_REPLACE_LANE: case WASM_OP_I16X8_REPLACE_LANE:
  case WASM_OP_I32X4_REPLACE_LANE: case WASM_OP_I64X2_REPLACE_LANE:
  case WASM_OP_F32X4_REPLACE_LANE: case WASM_OP_F64X2_REPLACE_LANE: {
    ent x = jc_pop(j);
    uint32_t pos = j->n - 2;
    vload(j, 0, pos);
    jc_load(j, RDX, x, pos + 2, nb == 8);
    j->n = pos;
    MOVDQU_ST(j->b, 0, RBX, NOREG, home(j, pos));
    x64_store(j->b, (int)nb, RBX, NOREG, home(j, pos) + (int32_t)(in->lane * nb), RDX);
    jc_push_v128(j);
    return true;
  }
  case WASM_OP_V128_NOT: {
    uint32_t pos = j->n - 2;
    vload(j, 0, pos);
    x64_vop_rr(j->b, P66, 0x0f76, 1, 1);
    x64_vop_rr(j->b, P66, 0x0fef, 0, 1);
    vresult(j, pos);
    return true;
  }
  case WASM_OP_V128_ANY_TRUE: {
    uint32_t pos = j->n - 2;
    int32_t d = jc_vaddr(j, pos);
    j->n = pos;
    x64_mov_rm(j->b, true, RAX, RBX, NOREG, 1, d);
    x64_alu_rm(j->b, X64_OR, true, RAX, RBX, d + 8);
    x64_setcc(j->b, X64_CC_NE, RAX);
    x64_movzx8(j->b, RAX, RAX);
    jc_push_rax(j);
    return true;
  }
  case WASM_OP_I8X16_BITMASK: case WASM_OP_I32X4_BITMASK: case WASM_OP_I64X2_BITMASK: {
    uint32_t pos = j->n - 2;
    vload(j, 0, pos);
    j->n = pos;
    if (op == WASM_OP_I8X16_BITMASK) x64_vop_rr(j->b, P66, 0x0fd7, RAX, 0); /* pmovmskb */
    else if (op == WASM_OP_I32X4_BITMASK) x64_vop_rr(j->b, 0, 0x0f50, RAX, 0); /* movmskps */
    else x64_vop_rr(j->b, P66, 0x0f50, RAX, 0); /* movmskpd */
    jc_push_rax(j);
    return true;
  }
  default: return false;
  }
}

/* i8x16.shuffle: two pshufb masks (made once here, exec_simd_shuffle_masks: index >= 16
 * of the other operand becomes a zeroing 0x80) kept in the code after a jump. */
static void inline_shuffle(jc *j, const wasm_instr *in) {
  uint8_t masks[32];
  exec_simd_shuffle_masks(in->c.v128, masks);
  size_t over = x64_jmp(j->b, X64_UNBOUND);
  size_t at = j->b->len;
  for (int i = 0; i < 32; i++) x64_u8(j->b, masks[i]);
  x64_bind(j->b, over, j->b->len);
  uint32_t pos = j->n - 4;
  vload(j, 0, pos);
  vload(j, 1, pos + 2);
  /* movdqu xmm2, [rip + mask of x]; pshufb xmm(x), xmm2 (ModRM mod 00 rm 101: rip) */
  for (int x = 0; x < 2; x++) {
    x64_u8(j->b, 0xf3), x64_u8(j->b, 0x0f), x64_u8(j->b, 0x6f), x64_u8(j->b, (2 << 3) | 5);
    size_t end = j->b->len + 4;
    x64_u32(j->b, (uint32_t)(int32_t)((int64_t)(at + 16 * (size_t)x) - (int64_t)end));
    x64_vop_rr(j->b, P66, 0x0f3800, x, 2);
  }
  x64_vop_rr(j->b, P66, 0x0feb, 0, 1); /* por */
  vresult(j, pos);
}

/* ---------- memory ---------- */

/* The SSE4.1 extending loads (pmovsx/pmovzx from 8 bytes). */
static uint32_t ext_load(uint16_t op) {
  switch (op) {
  case WASM_OP_V128_LOAD8X8_S: return 0x0f3820;
  case WASM_OP_V128_LOAD8X8_U: return 0x0f3830;
  case WASM_OP_V128_LOAD16X4_S: return 0x0f3823;
  case WASM_OP_V128_LOAD16X4_U: return 0x0f3833;
  case WASM_OP_V128_LOAD32X2_S: return 0x0f3825;
  case WASM_OP_V128_LOAD32X2_U: return 0x0f3835;
  default: return 0;
  }
}

static bool inline_mem(jc *j, const wasm_instr *in) {
  uint16_t op = in->op;
  uint32_t off = in->offset;
  int32_t d;
  switch (op) {
  case WASM_OP_V128_LOAD: case WASM_OP_V128_LOAD32_ZERO: case WASM_OP_V128_LOAD64_ZERO:
  case WASM_OP_V128_LOAD8_SPLAT: case WASM_OP_V128_LOAD16_SPLAT: case WASM_OP_V128_LOAD32_SPLAT:
  case WASM_OP_V128_LOAD64_SPLAT: case WASM_OP_V128_LOAD8X8_S: case WASM_OP_V128_LOAD8X8_U:
  case WASM_OP_V128_LOAD16X4_S: case WASM_OP_V128_LOAD16X4_U: case WASM_OP_V128_LOAD32X2_S:
  case WASM_OP_V128_LOAD32X2_U: {
    uint32_t ext = ext_load(op);
    if (ext && !sse41()) return false;
    uint32_t nb = op == WASM_OP_V128_LOAD ? 16 : ext ? 8 : lane_bytes(op);
    uint32_t pos = j->n - 1;
    bool site = jc_mem_begin(j, in, pos, nb, true, &d);
    if (site) jc_mem_site(j, off);
    if (op == WASM_OP_V128_LOAD) {
      MOVDQU_LD(j->b, 0, R13, RAX, d);
    } else if (ext) {
      x64_vop_rm(j->b, P66, ext, 0, R13, RAX, d);
    } else if (op == WASM_OP_V128_LOAD32_ZERO) {
      x64_vop_rm(j->b, P66, 0x0f6e, 0, R13, RAX, d); /* movd */
    } else if (op == WASM_OP_V128_LOAD64_ZERO) {
      x64_vop_rm(j->b, 0xf3, 0x0f7e, 0, R13, RAX, d); /* movq */
    } else {
      x64_load(j->b, ld_kind(nb, false), RAX, R13, RAX, d);
      splat_rax(j, nb);
    }
    jc_mem_end(j, in);
    vresult(j, pos);
    return true;
  }
  case WASM_OP_V128_STORE: {
    uint32_t pos = j->n - 3;
    vload(j, 0, pos + 1);
    bool site = jc_mem_begin(j, in, pos, 16, true, &d);
    if (site) jc_mem_site(j, off);
    MOVDQU_ST(j->b, 0, R13, RAX, d);
    jc_mem_end(j, in);
    j->n = pos;
    return true;
  }
  case WASM_OP_V128_LOAD8_LANE: case WASM_OP_V128_LOAD16_LANE: case WASM_OP_V128_LOAD32_LANE:
  case WASM_OP_V128_LOAD64_LANE: {
    uint32_t nb = lane_bytes(op), pos = j->n - 3;
    vload(j, 0, pos + 1);
    bool site = jc_mem_begin(j, in, pos, nb, true, &d);
    if (site) jc_mem_site(j, off);
    x64_load(j->b, ld_kind(nb, false), RDX, R13, RAX, d);
    jc_mem_end(j, in);
    j->n = pos;
    MOVDQU_ST(j->b, 0, RBX, NOREG, home(j, pos));
    x64_store(j->b, (int)nb, RBX, NOREG, home(j, pos) + (int32_t)(in->lane * nb), RDX);
    jc_push_v128(j);
    return true;
  }
  case WASM_OP_V128_STORE8_LANE: case WASM_OP_V128_STORE16_LANE: case WASM_OP_V128_STORE32_LANE:
  case WASM_OP_V128_STORE64_LANE: {
    uint32_t nb = lane_bytes(op), pos = j->n - 3;
    int32_t v = jc_vaddr(j, pos + 1);
    x64_load(j->b, ld_kind(nb, false), RDX, RBX, NOREG, v + (int32_t)(in->lane * nb));
    bool site = jc_mem_begin(j, in, pos, nb, true, &d);
    if (site) jc_mem_site(j, off);
    x64_store(j->b, (int)nb, R13, RAX, d, RDX);
    jc_mem_end(j, in);
    j->n = pos;
    return true;
  }
  default: return false;
  }
}

/* ---------- the library ---------- */

/* rdi/rsi/rdx/rcx = the frame addresses of the operands at these positions (v128 each). */
static void lea_arg(jc *j, int reg, int32_t disp) { x64_lea(j->b, true, reg, RBX, NOREG, 1, disp); }

static const char *call_lib(jc *j, const wasm_instr *in, const exec_simd_entry *e) {
  uint16_t op = in->op;
  const void *fn = (const void *)e->fn.any;
  jc_spill_regs(j); /* the pool registers are caller-saved */
  switch (e->shape) {
  case EXEC_SIMD_UNOP: {
    uint32_t pos = j->n - 2;
    int32_t a = jc_vaddr(j, pos);
    lea_arg(j, RDI, home(j, pos));
    lea_arg(j, RSI, a);
    jc_call_abs(j, fn);
    j->n = pos;
    jc_push_v128(j);
    return NULL;
  }
  case EXEC_SIMD_BINOP:
  case EXEC_SIMD_TERNOP: {
    uint32_t k = e->shape == EXEC_SIMD_TERNOP ? 3 : 2, pos = j->n - 2 * k;
    int32_t a = jc_vaddr(j, pos), b = jc_vaddr(j, pos + 2), c = k == 3 ? jc_vaddr(j, pos + 4) : 0;
    lea_arg(j, RDI, home(j, pos));
    lea_arg(j, RSI, a);
    lea_arg(j, RDX, b);
    if (k == 3) lea_arg(j, RCX, c);
    jc_call_abs(j, fn);
    j->n = pos;
    jc_push_v128(j);
    return NULL;
  }
  case EXEC_SIMD_SHIFT: {
    ent cnt = jc_pop(j);
    uint32_t pos = j->n - 2;
    int32_t a = jc_vaddr(j, pos);
    jc_load(j, RDX, cnt, pos + 2, false);
    lea_arg(j, RDI, home(j, pos));
    lea_arg(j, RSI, a);
    jc_call_abs(j, fn);
    j->n = pos;
    jc_push_v128(j);
    return NULL;
  }
  case EXEC_SIMD_SPLAT: {
    ent x = jc_pop(j);
    uint32_t pos = j->n;
    jc_load(j, RSI, x, pos, true);
    lea_arg(j, RDI, home(j, pos));
    jc_call_abs(j, fn);
    jc_push_v128(j);
    return NULL;
  }
  case EXEC_SIMD_EXTRACT:
  case EXEC_SIMD_TEST: {
    uint32_t pos = j->n - 2;
    lea_arg(j, RDI, jc_vaddr(j, pos));
    x64_mov_ri(j->b, false, RSI, in->lane);
    jc_call_abs(j, fn);
    j->n = pos;
    jc_push_rax(j);
    return NULL;
  }
  case EXEC_SIMD_REPLACE: {
    ent x = jc_pop(j);
    uint32_t pos = j->n - 2;
    int32_t a = jc_vaddr(j, pos);
    jc_load(j, RDX, x, pos + 2, true);
    lea_arg(j, RDI, home(j, pos));
    lea_arg(j, RSI, a);
    x64_mov_ri(j->b, false, RCX, in->lane);
    jc_call_abs(j, fn);
    j->n = pos;
    jc_push_v128(j);
    return NULL;
  }
  case EXEC_SIMD_SHUFFLE: {
    /* the 16 lane immediates in the code, after a jump */
    size_t over = x64_jmp(j->b, X64_UNBOUND);
    size_t at = j->b->len;
    for (int i = 0; i < 16; i++) x64_u8(j->b, in->c.v128[i]);
    x64_bind(j->b, over, j->b->len);
    uint32_t pos = j->n - 4;
    int32_t a = jc_vaddr(j, pos), b = jc_vaddr(j, pos + 2);
    x64_u8(j->b, 0x48), x64_u8(j->b, 0x8d), x64_u8(j->b, 0x0d); /* lea rcx, [rip + lanes] */
    x64_u32(j->b, (uint32_t)(int32_t)((int64_t)at - (int64_t)(j->b->len + 4)));
    lea_arg(j, RDI, home(j, pos));
    lea_arg(j, RSI, a);
    lea_arg(j, RDX, b);
    jc_call_abs(j, fn);
    j->n = pos;
    jc_push_v128(j);
    return NULL;
  }
  case EXEC_SIMD_LOAD: {
    uint32_t pos = j->n - 1;
    int32_t d;
    jc_mem_begin(j, in, pos, e->bytes, false, &d);
    x64_lea(j->b, true, RSI, R13, RAX, 1, d);
    lea_arg(j, RDI, home(j, pos));
    jc_call_abs(j, fn);
    jc_mem_end(j, in);
    j->n = pos;
    jc_push_v128(j);
    return NULL;
  }
  default: break;
  }
  (void)op;
  return "not supported: SIMD instruction shape";
}

const char *jc_simd(jc *j, const wasm_instr *in) {
  uint16_t op = in->op;
  if (op == WASM_OP_V128_CONST) {
    uint64_t lo, hi;
    memcpy(&lo, in->c.v128, 8);
    memcpy(&hi, in->c.v128 + 8, 8);
    jc_push(j, (ent){.kind = E_CONST, .vh = 1, .konst = true, .imm = lo, .kval = lo});
    jc_push(j, (ent){.kind = E_CONST, .vh = 2, .konst = true, .imm = hi, .kval = hi});
    return NULL;
  }
  if (inline_mem(j, in)) return NULL;
  /* WELD_SIMD=portable (or a portable build): like the interpreter, no inline vector code;
   * every operation calls the portable library */
  bool vec = exec_simd_vector_inline() != 0;
  if (vec && (inline_lane(j, in) || inline_shift(j, op))) return NULL;
  if (vec && op == WASM_OP_I8X16_SHUFFLE && ssse3()) {
    inline_shuffle(j, in);
    return NULL;
  }
  const exec_simd_entry *e = exec_simd_op((wasm_opcode)op);
  if (vec && e && e->fn.any && e->shape == EXEC_SIMD_BINOP && inline_bin(j, op)) return NULL;
  if (!e || !e->fn.any || e->shape == EXEC_SIMD_NONE) {
    static _Thread_local char buf[96];
    snprintf(buf, sizeof buf, "not supported: %s", wasm_op_name(op));
    return buf;
  }
  return call_lib(j, in, e);
}

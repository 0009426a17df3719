/* A small x86-64 encoder: the instruction forms the baseline compiler emits, written into
 * a growable byte buffer. README.md has the table of forms; tests/unit/test_jit.c checks
 * each against objdump. Registers use their hardware numbers; `w` selects 64-bit operand
 * size (REX.W) instead of 32-bit. Memory operands are [base + index*scale + disp32] with
 * an optional index (X64_NOREG). */
#ifndef WELD_JIT_X64_H
#define WELD_JIT_X64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
  X64_RAX, X64_RCX, X64_RDX, X64_RBX, X64_RSP, X64_RBP, X64_RSI, X64_RDI,
  X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15,
  X64_NOREG = 0xff
};

/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
enum {
  X64_CC_O = 0, X64_CC_NO, X64_CC_B, X64_CC_AE, X64_CC_E, X64_CC_NE, X64_CC_BE, X64_CC_A,
  X64_CC_S, X64_CC_NS, X64_CC_P, X64_CC_NP, X64_CC_L, X64_CC_GE, X64_CC_LE, X64_CC_G
};

/* Group-1 arithmetic (the /digit of 0x81 and the opcode row of the register forms). */
enum { X64_ADD = 0, X64_OR = 1, X64_AND = 4, X64_SUB = 5, X64_XOR = 6, X64_CMP = 7 };
/* Group-3 unary forms (0xF7 /digit). */
enum { X64_NOT = 2, X64_NEG = 3, X64_MUL = 4, X64_IMUL1 = 5, X64_DIV = 6, X64_IDIV = 7 };
/* Group-2 shifts (0xD3 /digit, 0xC1 /digit). */
enum { X64_ROL = 0, X64_ROR = 1, X64_SHL = 4, X64_SHR = 5, X64_SAR = 7 };

/* Loads by width and extension. */
typedef enum x64_ld {
  X64_LD8U, X64_LD8S, X64_LD16U, X64_LD16S, X64_LD32, X64_LD32S, X64_LD64,
  X64_LD8S64, X64_LD16S64
} x64_ld;

/* A value in the code that is only known in the process that runs it: written by
 * x64_mov_reloc, recorded when the buffer keeps relocations (a precompiled image,
 * src/jit/image.c, stores them and applies them at load). */
enum {
  X64_RELOC_ADDR = 1,   /* 8-byte address of a runtime helper (`value`: its address here) */
  X64_RELOC_TYPEID = 2, /* 4-byte engine type id of the module's type index `value` */
};
typedef struct x64_reloc {
  size_t at;      /* the immediate's position */
  uint8_t kind;
  uint64_t value;
} x64_reloc;

typedef struct x64_buf {
  uint8_t *p;
  size_t len, cap; /* cap: the bytes writable without x64_grow */
  bool oom; /* a grow failed: the result is discarded */
  bool keep_relocs;  /* record x64_mov_reloc's immediates in rel[] */
  /* set before the first byte: p is an anonymous read+write mapping of `map` bytes, grown
   * with mremap (no copy) and filled ahead in pages made present by one madvise each, so
   * a whole module's code is written where it will run (x64_take_mapping) */
  bool mapped;
  size_t map;
  /* a mapped buffer's expected size, set before the first byte (0: unknown, a first
   * mapping of 1 MiB): below 256 KiB its first mapping is that size and the 16 KiB made
   * present ahead, in pages (grown by mremap if the code is larger); from 256 KiB that
   * size rounded up to 2 MiB, aligned to 2 MiB (x64_map_fresh: transparent huge pages
   * from 2 MiB, one fault per 2 MiB instead of one per 4 KiB page) */
  size_t hint;
  x64_reloc *rel;
  size_t nrel, caprel;
} x64_buf;

void x64_free(x64_buf *b);
/* A fresh read+write anonymous mapping of `map` bytes: from 2 MiB, aligned to 2 MiB (so
 * that the kernel can back it with huge pages) and advised MADV_HUGEPAGE. NULL on failure. */
void *x64_map_fresh(size_t map);
/* Makes room for n more bytes (the slow path of the writers below); false once oom. */
bool x64_grow(x64_buf *b, size_t n);
/* A mapped buffer's code: the mapping trimmed to whole pages of len, still read+write;
 * *mapped its length. The buffer is left empty. NULL if it is not mapped or empty. */
uint8_t *x64_take_mapping(x64_buf *b, size_t *mapped);

static inline void x64_u8(x64_buf *b, uint8_t v) {
  if (b->len < b->cap || x64_grow(b, 1)) b->p[b->len++] = v;
}
static inline void x64_u32(x64_buf *b, uint32_t v) {
  if (b->cap - b->len >= 4 || x64_grow(b, 4)) {
    __builtin_memcpy(b->p + b->len, &v, 4);
    b->len += 4;
  }
}
static inline void x64_u64(x64_buf *b, uint64_t v) {
  if (b->cap - b->len >= 8 || x64_grow(b, 8)) {
    __builtin_memcpy(b->p + b->len, &v, 8);
    b->len += 8;
  }
}
/* Appends src's bytes [from, to) and the relocations rel[r0, r1) recorded in them to dst,
 * moved to where they land (code compiled elsewhere laid out into one buffer: every jump
 * the encoder writes is relative, so the bytes do not change). False once dst is oom. */
bool x64_append(x64_buf *dst, const x64_buf *src, size_t from, size_t to, size_t r0, size_t r1);
/* Writes a 32-bit value at `at` (patching a displacement). */
void x64_patch32(x64_buf *b, size_t at, uint32_t v);

/* Every encoder (here and in x64.c) makes room for the longest instruction once
 * (x64_grow when the buffer is short, nothing written once it is out of memory), writes
 * through a local cursor and sets the length once: no bounds check per byte, and no
 * reload of the buffer's fields after each byte (a byte store may alias them). The
 * commonest moves are inline here, so their constant operands fold. */
#define X64_MAX_INSN 16
static inline uint8_t *x64_begin(x64_buf *b) {
  return b->cap - b->len >= X64_MAX_INSN || x64_grow(b, X64_MAX_INSN) ? b->p + b->len : NULL;
}
static inline void x64_end(x64_buf *b, uint8_t *q) { b->len = (size_t)(q - b->p); }
static inline uint8_t *x64_put32(uint8_t *q, uint32_t v) {
  __builtin_memcpy(q, &v, 4);
  return q + 4;
}
static inline uint8_t *x64_put64(uint8_t *q, uint64_t v) {
  __builtin_memcpy(q, &v, 8);
  return q + 8;
}

/* REX prefix: W, R (reg field high bit), X (index), B (base / rm). `force` emits it even
 * when all bits are clear (byte registers spl..dil). */
static inline uint8_t *x64_rex(uint8_t *q, bool w, int reg, int index, int rm, bool force) {
  uint8_t r = 0x40 | (w ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((index != X64_NOREG && (index & 8)) ? 2 : 0) |
              ((rm & 8) ? 1 : 0);
  if (r != 0x40 || force) *q++ = r;
  return q;
}

static inline uint8_t *x64_modrm_reg(uint8_t *q, int reg, int rm) {
  *q++ = (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7));
  return q;
}

static inline int x64_log2_scale(int scale) { return scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0; }

/* [base + index*scale + disp]; base is never X64_NOREG here. */
static inline uint8_t *x64_modrm_mem(uint8_t *q, int reg, int base, int index, int scale, int32_t disp) {
  int mod = disp == 0 && (base & 7) != X64_RBP ? 0 : (disp >= -128 && disp <= 127) ? 1 : 2;
  if (index == X64_NOREG && (base & 7) != X64_RSP) {
    *q++ = (uint8_t)((mod << 6) | ((reg & 7) << 3) | (base & 7));
  } else {
    *q++ = (uint8_t)((mod << 6) | ((reg & 7) << 3) | 4);
    int ix = index == X64_NOREG ? 4 : (index & 7); /* 4 = no index */
    *q++ = (uint8_t)((x64_log2_scale(scale) << 6) | (ix << 3) | (base & 7));
  }
  if (mod == 1) *q++ = (uint8_t)(int8_t)disp;
  else if (mod == 2) q = x64_put32(q, (uint32_t)disp);
  return q;
}

/* Moves. */
static inline void x64_mov_rr(x64_buf *b, bool w, int dst, int src) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, src, X64_NOREG, dst, false);
  *q++ = 0x89;
  q = x64_modrm_reg(q, src, dst);
  x64_end(b, q);
}
void x64_mov_ri(x64_buf *b, bool w, int dst, uint64_t imm); /* shortest exact form */
/* One-byte opcode `op` with a register and a memory operand: REX, op, ModRM/SIB/disp. */
static inline void x64_op_reg_mem(x64_buf *b, bool w, uint8_t op, int reg, int base, int index, int scale,
                                  int32_t disp) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, reg, index, base, false);
  *q++ = op;
  q = x64_modrm_mem(q, reg, base, index, scale, disp);
  x64_end(b, q);
}
static inline void x64_mov_rm(x64_buf *b, bool w, int dst, int base, int index, int scale, int32_t disp) {
  x64_op_reg_mem(b, w, 0x8b, dst, base, index, scale, disp);
}
/* mov with a relocatable immediate: X64_RELOC_ADDR is always `movabs dst, imm64`,
 * X64_RELOC_TYPEID always `mov dst32, imm32` (fixed forms, so a loader can patch them);
 * `imm` is the value in this process. */
void x64_mov_reloc(x64_buf *b, int dst, uint8_t kind, uint64_t imm, uint64_t value);
static inline void x64_mov_mr(x64_buf *b, bool w, int base, int index, int scale, int32_t disp, int src) {
  x64_op_reg_mem(b, w, 0x89, src, base, index, scale, disp);
}
void x64_mov_mi(x64_buf *b, bool w, int base, int32_t disp, int32_t imm);
void x64_load(x64_buf *b, x64_ld kind, int dst, int base, int index, int32_t disp);
void x64_store(x64_buf *b, int bytes, int base, int index, int32_t disp, int src);
void x64_lea(x64_buf *b, bool w, int dst, int base, int index, int scale, int32_t disp);
void x64_movsxd(x64_buf *b, int dst, int src);
void x64_movzx8(x64_buf *b, int dst, int src); /* zero-extends a byte register to 32 bits */
void x64_movx(x64_buf *b, bool w, bool sign, int bits, int dst, int src); /* 8/16-bit extension */

/* Arithmetic. */
void x64_alu_rr(x64_buf *b, int op, bool w, int dst, int src);
void x64_alu_ri(x64_buf *b, int op, bool w, int dst, int32_t imm);
void x64_alu_rm(x64_buf *b, int op, bool w, int dst, int base, int32_t disp);
void x64_alu_mi(x64_buf *b, int op, bool w, int base, int32_t disp, int32_t imm);
void x64_test_rr(x64_buf *b, bool w, int a, int c);
void x64_imul_rr(x64_buf *b, bool w, int dst, int src);
void x64_imul_rri(x64_buf *b, bool w, int dst, int src, int32_t imm);
void x64_unary(x64_buf *b, int ext, bool w, int reg);
void x64_shift_cl(x64_buf *b, int ext, bool w, int reg);
void x64_shift_ri(x64_buf *b, int ext, bool w, int reg, uint8_t imm);
void x64_cdq(x64_buf *b, bool w); /* cdq / cqo */
void x64_bitscan(x64_buf *b, uint8_t op, bool w, int dst, int src); /* F3 0F op: B8 popcnt, BC tzcnt, BD lzcnt */
void x64_bsx(x64_buf *b, uint8_t op, bool w, int dst, int src); /* 0F op: BC bsf, BD bsr */
void x64_setcc(x64_buf *b, int cc, int reg);
void x64_cmov(x64_buf *b, int cc, bool w, int dst, int src);

/* Scalar SSE on xmm0-xmm7: moves between general and xmm registers (all 64 bits) and the
 * arithmetic forms F3/F2 0F op (op: 58 add, 59 mul, 5C sub, 5E div, 51 sqrt). */
void x64_movq_xr(x64_buf *b, int xmm, int reg);
void x64_movq_rx(x64_buf *b, int reg, int xmm);
void x64_sse(x64_buf *b, bool dbl, uint8_t op, int dst, int src);

/* Packed SSE on xmm0-xmm15: [pfx] [REX] 0F [38|3A] op ModRM, the map given by op's middle
 * byte (0x0fXX, 0x0f38XX, 0x0f3aXX; pfx 0 for none, else 66/F2/F3). `reg` is ModRM.reg
 * (an xmm register, or a general one for movd/pextr forms), the operand a register or
 * [base + index + disp]; an imm8 follows from the caller (x64_u8). */
void x64_vop_rr(x64_buf *b, uint8_t pfx, uint32_t op, int reg, int rm);
void x64_vop_rm(x64_buf *b, uint8_t pfx, uint32_t op, int reg, int base, int index, int32_t disp);

/* Control. Jumps are rel32; they return the position of the displacement to patch with
 * x64_bind (or take a known target). */
size_t x64_jcc(x64_buf *b, int cc, size_t target); /* target SIZE_MAX: patched later */
size_t x64_jmp(x64_buf *b, size_t target);
size_t x64_call_rel(x64_buf *b, size_t target);
void x64_bind(x64_buf *b, size_t at, size_t target); /* makes the rel32 at `at` reach target */
void x64_call_r(x64_buf *b, int reg);
void x64_jmp_m(x64_buf *b, int base, int index, int32_t disp); /* jmp [base + index*8 + disp] */
void x64_push(x64_buf *b, int reg);
void x64_pop(x64_buf *b, int reg);
void x64_ret(x64_buf *b);
void x64_ud2(x64_buf *b);

#define X64_UNBOUND ((size_t)-1)

#endif

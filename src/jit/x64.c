/* The x86-64 encoder (x64.h). Every form goes through rex() and modrm_*(), which know the
 * two irregular cases of the ModRM byte: a base of rsp/r12 needs a SIB byte, and a base
 * of rbp/r13 has no "no displacement" encoding. */
#include "x64.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../util/util.h"

void x64_free(x64_buf *b) {
  if (b->mapped) {
    if (b->p) munmap(b->p, b->map);
  } else {
    free(b->p);
  }
  free(b->rel);
  b->p = NULL;
  b->rel = NULL;
  b->len = b->cap = b->map = b->nrel = b->caprel = 0;
}

static size_t page_size(void) {
  long pg = sysconf(_SC_PAGESIZE);
  return pg > 0 ? (size_t)pg : 4096;
}

/* A mapped buffer grows its mapping by doubling (mremap moves pages, it copies nothing)
 * and makes the next part present ahead of the writes (as much as is written, between
 * 16 and 256 KiB at a time) by one madvise
 * instead of one page fault per page (where the kernel has MADV_POPULATE_WRITE; else the
 * pages fault in as they are written). */
#define X64_FILL_AHEAD ((size_t)256 * 1024)

#define X64_HUGE ((size_t)2 << 20)

/* The first mapping of a buffer expected to reach `map` bytes: from 2 MiB, aligned to
 * 2 MiB (so that the kernel can back it with huge pages) and advised so. */
void *x64_map_huge(size_t map) {
  if (map < X64_HUGE) {
    void *p = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
  }
  uint8_t *p = mmap(NULL, map + X64_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  size_t lead = (X64_HUGE - (uintptr_t)p % X64_HUGE) % X64_HUGE;
  if (lead) munmap(p, lead);
  munmap(p + lead + map, X64_HUGE - lead);
#ifdef MADV_HUGEPAGE
  (void)madvise(p + lead, map, MADV_HUGEPAGE); /* a hint: without it, 4 KiB pages */
#endif
  return p + lead;
}

static bool grow_mapped(x64_buf *b, size_t need) {
  if (need > b->map) {
    size_t map = b->map ? b->map : 4 * X64_FILL_AHEAD;
    /* from half a huge page on, whole huge pages: the rest of the last one is only
     * address space until written, and is unmapped when the code is sealed */
    if (!b->map && b->hint >= X64_HUGE / 2) map = (b->hint + X64_HUGE - 1) / X64_HUGE * X64_HUGE;
    while (map < need) map *= 2;
    void *p = b->p ? mremap(b->p, b->map, map, MREMAP_MAYMOVE) : x64_map_huge(map);
    if (!p || p == MAP_FAILED) return false;
    b->p = p;
    b->map = map;
  }
  size_t ahead = need < X64_FILL_AHEAD / 16 ? X64_FILL_AHEAD / 16 : need < X64_FILL_AHEAD ? need : X64_FILL_AHEAD;
  size_t cap = need + ahead;
  cap = (cap + page_size() - 1) / page_size() * page_size();
  if (cap > b->map) cap = b->map;
#ifdef MADV_POPULATE_WRITE
  if (cap > b->cap) (void)madvise(b->p + b->cap, cap - b->cap, MADV_POPULATE_WRITE);
#endif
  b->cap = cap;
  return true;
}

bool x64_grow(x64_buf *b, size_t n) {
  if (b->oom) return false;
  if (b->len + n <= b->cap) return true;
  if (b->mapped) {
    if (!grow_mapped(b, b->len + n)) {
      b->oom = true;
      return false;
    }
    return true;
  }
  size_t cap = b->cap < 4096 ? 4096 : b->cap;
  while (cap < b->len + n) cap *= 2;
  uint8_t *p = util_try_realloc(b->p, cap);
  if (!p) {
    b->oom = true;
    return false;
  }
  b->p = p;
  b->cap = cap;
  return true;
}

uint8_t *x64_take_mapping(x64_buf *b, size_t *mapped) {
  if (!b->mapped || !b->p || !b->len || b->oom) return NULL;
  size_t pg = page_size(), keep = (b->len + pg - 1) / pg * pg;
  if (keep < b->map) munmap(b->p + keep, b->map - keep);
  uint8_t *p = b->p;
  *mapped = keep;
  b->p = NULL;
  b->len = b->cap = b->map = 0;
  return p;
}

bool x64_append(x64_buf *dst, const x64_buf *src, size_t from, size_t to, size_t r0, size_t r1) {
  size_t n = to - from, base = dst->len;
  if (!x64_grow(dst, n)) return false;
  memcpy(dst->p + base, src->p + from, n);
  dst->len += n;
  if (!dst->keep_relocs || r0 == r1) return true;
  if (dst->nrel + (r1 - r0) > dst->caprel) {
    size_t cap = dst->caprel ? dst->caprel : 64;
    while (cap < dst->nrel + (r1 - r0)) cap *= 2;
    x64_reloc *r = util_try_realloc(dst->rel, cap * sizeof *r);
    if (!r) {
      dst->oom = true;
      return false;
    }
    dst->rel = r;
    dst->caprel = cap;
  }
  for (size_t i = r0; i < r1; i++) {
    x64_reloc r = src->rel[i];
    r.at = r.at - from + base;
    dst->rel[dst->nrel++] = r;
  }
  return true;
}

void x64_patch32(x64_buf *b, size_t at, uint32_t v) {
  if (!b->oom && at + 4 <= b->len) memcpy(b->p + at, &v, 4);
}

/* REX prefix: W, R (reg field high bit), X (index), B (base / rm). `force` emits it even
 * when all bits are clear (byte registers spl..dil). */
static void rex(x64_buf *b, bool w, int reg, int index, int rm, bool force) {
  uint8_t r = 0x40 | (w ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((index != X64_NOREG && (index & 8)) ? 2 : 0) |
              ((rm & 8) ? 1 : 0);
  if (r != 0x40 || force) x64_u8(b, r);
}

static void modrm_reg(x64_buf *b, int reg, int rm) { x64_u8(b, (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7))); }

static int log2_scale(int scale) { return scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0; }

/* [base + index*scale + disp]; base is never X64_NOREG here. */
static void modrm_mem(x64_buf *b, int reg, int base, int index, int scale, int32_t disp) {
  int mod = disp == 0 && (base & 7) != X64_RBP ? 0 : (disp >= -128 && disp <= 127) ? 1 : 2;
  if (index == X64_NOREG && (base & 7) != X64_RSP) {
    x64_u8(b, (uint8_t)((mod << 6) | ((reg & 7) << 3) | (base & 7)));
  } else {
    x64_u8(b, (uint8_t)((mod << 6) | ((reg & 7) << 3) | 4));
    int ix = index == X64_NOREG ? 4 : (index & 7); /* 4 = no index */
    x64_u8(b, (uint8_t)((log2_scale(scale) << 6) | (ix << 3) | (base & 7)));
  }
  if (mod == 1) x64_u8(b, (uint8_t)(int8_t)disp);
  else if (mod == 2) x64_u32(b, (uint32_t)disp);
}

/* ---------- moves ---------- */

void x64_mov_rr(x64_buf *b, bool w, int dst, int src) {
  rex(b, w, src, X64_NOREG, dst, false);
  x64_u8(b, 0x89);
  modrm_reg(b, src, dst);
}

void x64_mov_ri(x64_buf *b, bool w, int dst, uint64_t imm) {
  if (!w || imm <= 0xffffffffu) {
    if (imm == 0) { /* xor r32, r32 (clears the whole register; flags change) */
      rex(b, false, dst, X64_NOREG, dst, false);
      x64_u8(b, 0x31);
      modrm_reg(b, dst, dst);
      return;
    }
    rex(b, false, 0, X64_NOREG, dst, false);
    x64_u8(b, (uint8_t)(0xb8 + (dst & 7)));
    x64_u32(b, (uint32_t)imm);
  } else if ((int64_t)imm >= INT32_MIN && (int64_t)imm <= INT32_MAX) {
    rex(b, true, 0, X64_NOREG, dst, false);
    x64_u8(b, 0xc7);
    modrm_reg(b, 0, dst);
    x64_u32(b, (uint32_t)imm);
  } else {
    rex(b, true, 0, X64_NOREG, dst, false);
    x64_u8(b, (uint8_t)(0xb8 + (dst & 7)));
    x64_u64(b, imm);
  }
}

void x64_mov_rm(x64_buf *b, bool w, int dst, int base, int index, int scale, int32_t disp) {
  rex(b, w, dst, index, base, false);
  x64_u8(b, 0x8b);
  modrm_mem(b, dst, base, index, scale, disp);
}

void x64_mov_mr(x64_buf *b, bool w, int base, int index, int scale, int32_t disp, int src) {
  rex(b, w, src, index, base, false);
  x64_u8(b, 0x89);
  modrm_mem(b, src, base, index, scale, disp);
}

void x64_mov_mi(x64_buf *b, bool w, int base, int32_t disp, int32_t imm) {
  rex(b, w, 0, X64_NOREG, base, false);
  x64_u8(b, 0xc7);
  modrm_mem(b, 0, base, X64_NOREG, 1, disp);
  x64_u32(b, (uint32_t)imm);
}

void x64_load(x64_buf *b, x64_ld kind, int dst, int base, int index, int32_t disp) {
  switch (kind) {
  case X64_LD8U:
  case X64_LD8S:
  case X64_LD16U:
  case X64_LD16S:
  case X64_LD8S64:
  case X64_LD16S64: {
    bool w = kind == X64_LD8S64 || kind == X64_LD16S64;
    bool b8 = kind == X64_LD8U || kind == X64_LD8S || kind == X64_LD8S64;
    bool s = kind != X64_LD8U && kind != X64_LD16U;
    rex(b, w, dst, index, base, false);
    x64_u8(b, 0x0f);
    x64_u8(b, (uint8_t)((s ? 0xbe : 0xb6) + (b8 ? 0 : 1)));
    break;
  }
  case X64_LD32:
  case X64_LD64:
    rex(b, kind == X64_LD64, dst, index, base, false);
    x64_u8(b, 0x8b);
    break;
  case X64_LD32S:
    rex(b, true, dst, index, base, false);
    x64_u8(b, 0x63);
    break;
  }
  modrm_mem(b, dst, base, index, 1, disp);
}

void x64_store(x64_buf *b, int bytes, int base, int index, int32_t disp, int src) {
  if (bytes == 2) x64_u8(b, 0x66);
  rex(b, bytes == 8, src, index, base, bytes == 1 && src >= 4);
  x64_u8(b, bytes == 1 ? 0x88 : 0x89);
  modrm_mem(b, src, base, index, 1, disp);
}

void x64_lea(x64_buf *b, bool w, int dst, int base, int index, int scale, int32_t disp) {
  rex(b, w, dst, index, base, false);
  x64_u8(b, 0x8d);
  modrm_mem(b, dst, base, index, scale, disp);
}

void x64_movsxd(x64_buf *b, int dst, int src) {
  rex(b, true, dst, X64_NOREG, src, false);
  x64_u8(b, 0x63);
  modrm_reg(b, dst, src);
}

void x64_movzx8(x64_buf *b, int dst, int src) { x64_movx(b, false, false, 8, dst, src); }

void x64_movx(x64_buf *b, bool w, bool sign, int bits, int dst, int src) {
  rex(b, w, dst, X64_NOREG, src, bits == 8 && src >= 4);
  x64_u8(b, 0x0f);
  x64_u8(b, (uint8_t)((sign ? 0xbe : 0xb6) + (bits == 8 ? 0 : 1)));
  modrm_reg(b, dst, src);
}

/* ---------- arithmetic ---------- */

void x64_alu_rr(x64_buf *b, int op, bool w, int dst, int src) {
  rex(b, w, src, X64_NOREG, dst, false);
  x64_u8(b, (uint8_t)(op * 8 + 1));
  modrm_reg(b, src, dst);
}

void x64_alu_ri(x64_buf *b, int op, bool w, int dst, int32_t imm) {
  rex(b, w, 0, X64_NOREG, dst, false);
  if (imm >= -128 && imm <= 127) {
    x64_u8(b, 0x83);
    modrm_reg(b, op, dst);
    x64_u8(b, (uint8_t)(int8_t)imm);
  } else {
    x64_u8(b, 0x81);
    modrm_reg(b, op, dst);
    x64_u32(b, (uint32_t)imm);
  }
}

void x64_alu_rm(x64_buf *b, int op, bool w, int dst, int base, int32_t disp) {
  rex(b, w, dst, X64_NOREG, base, false);
  x64_u8(b, (uint8_t)(op * 8 + 3));
  modrm_mem(b, dst, base, X64_NOREG, 1, disp);
}

void x64_alu_mi(x64_buf *b, int op, bool w, int base, int32_t disp, int32_t imm) {
  rex(b, w, 0, X64_NOREG, base, false);
  bool small = imm >= -128 && imm <= 127;
  x64_u8(b, small ? 0x83 : 0x81);
  modrm_mem(b, op, base, X64_NOREG, 1, disp);
  if (small) x64_u8(b, (uint8_t)(int8_t)imm);
  else x64_u32(b, (uint32_t)imm);
}

void x64_test_rr(x64_buf *b, bool w, int a, int c) {
  rex(b, w, c, X64_NOREG, a, false);
  x64_u8(b, 0x85);
  modrm_reg(b, c, a);
}

void x64_imul_rr(x64_buf *b, bool w, int dst, int src) {
  rex(b, w, dst, X64_NOREG, src, false);
  x64_u8(b, 0x0f);
  x64_u8(b, 0xaf);
  modrm_reg(b, dst, src);
}

void x64_imul_rri(x64_buf *b, bool w, int dst, int src, int32_t imm) {
  rex(b, w, dst, X64_NOREG, src, false);
  if (imm >= -128 && imm <= 127) {
    x64_u8(b, 0x6b);
    modrm_reg(b, dst, src);
    x64_u8(b, (uint8_t)(int8_t)imm);
  } else {
    x64_u8(b, 0x69);
    modrm_reg(b, dst, src);
    x64_u32(b, (uint32_t)imm);
  }
}

void x64_unary(x64_buf *b, int ext, bool w, int reg) {
  rex(b, w, 0, X64_NOREG, reg, false);
  x64_u8(b, 0xf7);
  modrm_reg(b, ext, reg);
}

void x64_shift_cl(x64_buf *b, int ext, bool w, int reg) {
  rex(b, w, 0, X64_NOREG, reg, false);
  x64_u8(b, 0xd3);
  modrm_reg(b, ext, reg);
}

void x64_shift_ri(x64_buf *b, int ext, bool w, int reg, uint8_t imm) {
  rex(b, w, 0, X64_NOREG, reg, false);
  x64_u8(b, 0xc1);
  modrm_reg(b, ext, reg);
  x64_u8(b, imm);
}

void x64_cdq(x64_buf *b, bool w) {
  if (w) x64_u8(b, 0x48);
  x64_u8(b, 0x99);
}

void x64_bitscan(x64_buf *b, uint8_t op, bool w, int dst, int src) {
  x64_u8(b, 0xf3);
  rex(b, w, dst, X64_NOREG, src, false);
  x64_u8(b, 0x0f);
  x64_u8(b, op);
  modrm_reg(b, dst, src);
}

void x64_bsx(x64_buf *b, uint8_t op, bool w, int dst, int src) {
  rex(b, w, dst, X64_NOREG, src, false);
  x64_u8(b, 0x0f);
  x64_u8(b, op);
  modrm_reg(b, dst, src);
}

void x64_setcc(x64_buf *b, int cc, int reg) {
  rex(b, false, 0, X64_NOREG, reg, reg >= 4);
  x64_u8(b, 0x0f);
  x64_u8(b, (uint8_t)(0x90 + cc));
  modrm_reg(b, 0, reg);
}

void x64_cmov(x64_buf *b, int cc, bool w, int dst, int src) {
  rex(b, w, dst, X64_NOREG, src, false);
  x64_u8(b, 0x0f);
  x64_u8(b, (uint8_t)(0x40 + cc));
  modrm_reg(b, dst, src);
}

/* ---------- scalar SSE ---------- */

void x64_movq_xr(x64_buf *b, int xmm, int reg) {
  x64_u8(b, 0x66);
  rex(b, true, xmm, X64_NOREG, reg, false);
  x64_u8(b, 0x0f);
  x64_u8(b, 0x6e);
  modrm_reg(b, xmm, reg);
}

void x64_movq_rx(x64_buf *b, int reg, int xmm) {
  x64_u8(b, 0x66);
  rex(b, true, xmm, X64_NOREG, reg, false);
  x64_u8(b, 0x0f);
  x64_u8(b, 0x7e);
  modrm_reg(b, xmm, reg);
}

void x64_sse(x64_buf *b, bool dbl, uint8_t op, int dst, int src) {
  x64_u8(b, dbl ? 0xf2 : 0xf3);
  rex(b, false, dst, X64_NOREG, src, false);
  x64_u8(b, 0x0f);
  x64_u8(b, op);
  modrm_reg(b, dst, src);
}

/* ---------- packed SSE ---------- */

/* [pfx] [REX] 0F [38|3A] op: the map is op's second byte (0x0fXX, 0x0f38XX, 0x0f3aXX). */
static void vop_head(x64_buf *b, uint8_t pfx, uint32_t op, int reg, int index, int rm) {
  if (pfx) x64_u8(b, pfx);
  rex(b, false, reg, index, rm, false);
  x64_u8(b, 0x0f);
  if (op > 0xffff) x64_u8(b, (uint8_t)(op >> 8));
  x64_u8(b, (uint8_t)op);
}

void x64_vop_rr(x64_buf *b, uint8_t pfx, uint32_t op, int reg, int rm) {
  vop_head(b, pfx, op, reg, X64_NOREG, rm);
  modrm_reg(b, reg, rm);
}

void x64_vop_rm(x64_buf *b, uint8_t pfx, uint32_t op, int reg, int base, int index, int32_t disp) {
  vop_head(b, pfx, op, reg, index, base);
  modrm_mem(b, reg, base, index, 1, disp);
}

/* ---------- control ---------- */

void x64_bind(x64_buf *b, size_t at, size_t target) {
  x64_patch32(b, at, (uint32_t)(int32_t)((int64_t)target - (int64_t)(at + 4)));
}

static size_t rel32(x64_buf *b, size_t target) {
  size_t at = b->len;
  x64_u32(b, 0);
  if (target != X64_UNBOUND) x64_bind(b, at, target);
  return at;
}

size_t x64_jcc(x64_buf *b, int cc, size_t target) {
  x64_u8(b, 0x0f);
  x64_u8(b, (uint8_t)(0x80 + cc));
  return rel32(b, target);
}

size_t x64_jmp(x64_buf *b, size_t target) {
  x64_u8(b, 0xe9);
  return rel32(b, target);
}

size_t x64_call_rel(x64_buf *b, size_t target) {
  x64_u8(b, 0xe8);
  return rel32(b, target);
}

void x64_call_r(x64_buf *b, int reg) {
  rex(b, false, 0, X64_NOREG, reg, false);
  x64_u8(b, 0xff);
  modrm_reg(b, 2, reg);
}

void x64_jmp_m(x64_buf *b, int base, int index, int32_t disp) {
  rex(b, false, 0, index, base, false);
  x64_u8(b, 0xff);
  modrm_mem(b, 4, base, index, 8, disp);
}

void x64_push(x64_buf *b, int reg) {
  rex(b, false, 0, X64_NOREG, reg, false);
  x64_u8(b, (uint8_t)(0x50 + (reg & 7)));
}

void x64_pop(x64_buf *b, int reg) {
  rex(b, false, 0, X64_NOREG, reg, false);
  x64_u8(b, (uint8_t)(0x58 + (reg & 7)));
}

void x64_ret(x64_buf *b) { x64_u8(b, 0xc3); }

void x64_ud2(x64_buf *b) {
  x64_u8(b, 0x0f);
  x64_u8(b, 0x0b);
}

void x64_mov_reloc(x64_buf *b, int dst, uint8_t kind, uint64_t imm, uint64_t value) {
  bool wide = kind == X64_RELOC_ADDR;
  rex(b, wide, 0, X64_NOREG, dst, false);
  x64_u8(b, (uint8_t)(0xb8 + (dst & 7)));
  if (wide) x64_u64(b, imm);
  else x64_u32(b, (uint32_t)imm);
  if (!b->keep_relocs || b->oom) return;
  if (b->nrel == b->caprel) {
    size_t cap = b->caprel ? b->caprel * 2 : 64;
    x64_reloc *r = util_try_realloc(b->rel, cap * sizeof *r);
    if (!r) {
      b->oom = true;
      return;
    }
    b->rel = r;
    b->caprel = cap;
  }
  b->rel[b->nrel++] = (x64_reloc){b->len - (wide ? 8 : 4), kind, value};
}

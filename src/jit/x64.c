/* The x86-64 encoder (x64.h). Every form goes through x64_rex() and modrm_*(), which know the
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
    util_unmap(b->p, b->map);
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

/* The first mapping of a buffer expected to reach `map` bytes (x64.h). */
void *x64_map_fresh(size_t map) {
  if (map < X64_HUGE) {
    void *p = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
  }
  return util_map_huge(map);
}

static bool grow_mapped(x64_buf *b, size_t need) {
  if (need > b->map) {
    size_t map = b->map ? b->map : 4 * X64_FILL_AHEAD;
    /* from an eighth of a huge page on (256 KiB), whole huge pages: one page fault where
     * 64 or more 4 KiB ones cost more; the rest of the last one is only
     * address space until written, and is unmapped when the code is sealed. Below that,
     * about the size expected (and the part made present ahead): a small module's code
     * (hello's 12 KiB) gets a mapping of its size, not 1 MiB whose tail is unmapped again
     * at the seal (on this VM the large mapping and its trim cost ~35 us a start). */
    if (!b->map && b->hint >= X64_HUGE / 8) map = (b->hint + X64_HUGE - 1) / X64_HUGE * X64_HUGE;
    else if (!b->map && b->hint) map = (b->hint + X64_FILL_AHEAD / 16 + page_size() - 1) / page_size() * page_size();
    while (map < need) map *= 2;
    void *p = b->p ? mremap(b->p, b->map, map, MREMAP_MAYMOVE) : x64_map_fresh(map);
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

/* ---------- moves ---------- */

void x64_mov_ri(x64_buf *b, bool w, int dst, uint64_t imm) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  if (!w || imm <= 0xffffffffu) {
    if (imm == 0) { /* xor r32, r32 (clears the whole register; flags change) */
      q = x64_rex(q, false, dst, X64_NOREG, dst, false);
      *q++ = 0x31;
      q = x64_modrm_reg(q, dst, dst);
      x64_end(b, q);
      return;
    }
    q = x64_rex(q, false, 0, X64_NOREG, dst, false);
    *q++ = (uint8_t)(0xb8 + (dst & 7));
    q = x64_put32(q, (uint32_t)imm);
  } else if ((int64_t)imm >= INT32_MIN && (int64_t)imm <= INT32_MAX) {
    q = x64_rex(q, true, 0, X64_NOREG, dst, false);
    *q++ = 0xc7;
    q = x64_modrm_reg(q, 0, dst);
    q = x64_put32(q, (uint32_t)imm);
  } else {
    q = x64_rex(q, true, 0, X64_NOREG, dst, false);
    *q++ = (uint8_t)(0xb8 + (dst & 7));
    q = x64_put64(q, imm);
  }
  x64_end(b, q);
}

void x64_mov_mi(x64_buf *b, bool w, int base, int32_t disp, int32_t imm) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, 0, X64_NOREG, base, false);
  *q++ = 0xc7;
  q = x64_modrm_mem(q, 0, base, X64_NOREG, 1, disp);
  q = x64_put32(q, (uint32_t)imm);
  x64_end(b, q);
}

void x64_load(x64_buf *b, x64_ld kind, int dst, int base, int index, int32_t disp) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
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
    q = x64_rex(q, w, dst, index, base, false);
    *q++ = 0x0f;
    *q++ = (uint8_t)((s ? 0xbe : 0xb6) + (b8 ? 0 : 1));
    break;
  }
  case X64_LD32:
  case X64_LD64:
    q = x64_rex(q, kind == X64_LD64, dst, index, base, false);
    *q++ = 0x8b;
    break;
  case X64_LD32S:
    q = x64_rex(q, true, dst, index, base, false);
    *q++ = 0x63;
    break;
  }
  q = x64_modrm_mem(q, dst, base, index, 1, disp);
  x64_end(b, q);
}

void x64_store(x64_buf *b, int bytes, int base, int index, int32_t disp, int src) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  if (bytes == 2) *q++ = 0x66;
  q = x64_rex(q, bytes == 8, src, index, base, bytes == 1 && src >= 4);
  *q++ = bytes == 1 ? 0x88 : 0x89;
  q = x64_modrm_mem(q, src, base, index, 1, disp);
  x64_end(b, q);
}

void x64_lea(x64_buf *b, bool w, int dst, int base, int index, int scale, int32_t disp) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, dst, index, base, false);
  *q++ = 0x8d;
  q = x64_modrm_mem(q, dst, base, index, scale, disp);
  x64_end(b, q);
}

void x64_movsxd(x64_buf *b, int dst, int src) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, true, dst, X64_NOREG, src, false);
  *q++ = 0x63;
  q = x64_modrm_reg(q, dst, src);
  x64_end(b, q);
}

void x64_movzx8(x64_buf *b, int dst, int src) { x64_movx(b, false, false, 8, dst, src); }

void x64_movx(x64_buf *b, bool w, bool sign, int bits, int dst, int src) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, dst, X64_NOREG, src, bits == 8 && src >= 4);
  *q++ = 0x0f;
  *q++ = (uint8_t)((sign ? 0xbe : 0xb6) + (bits == 8 ? 0 : 1));
  q = x64_modrm_reg(q, dst, src);
  x64_end(b, q);
}

/* ---------- arithmetic ---------- */

void x64_alu_rr(x64_buf *b, int op, bool w, int dst, int src) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, src, X64_NOREG, dst, false);
  *q++ = (uint8_t)(op * 8 + 1);
  q = x64_modrm_reg(q, src, dst);
  x64_end(b, q);
}

void x64_alu_ri(x64_buf *b, int op, bool w, int dst, int32_t imm) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, 0, X64_NOREG, dst, false);
  if (imm >= -128 && imm <= 127) {
    *q++ = 0x83;
    q = x64_modrm_reg(q, op, dst);
    *q++ = (uint8_t)(int8_t)imm;
  } else {
    *q++ = 0x81;
    q = x64_modrm_reg(q, op, dst);
    q = x64_put32(q, (uint32_t)imm);
  }
  x64_end(b, q);
}

void x64_alu_rm(x64_buf *b, int op, bool w, int dst, int base, int32_t disp) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, dst, X64_NOREG, base, false);
  *q++ = (uint8_t)(op * 8 + 3);
  q = x64_modrm_mem(q, dst, base, X64_NOREG, 1, disp);
  x64_end(b, q);
}

void x64_alu_mi(x64_buf *b, int op, bool w, int base, int32_t disp, int32_t imm) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, 0, X64_NOREG, base, false);
  bool small = imm >= -128 && imm <= 127;
  *q++ = small ? 0x83 : 0x81;
  q = x64_modrm_mem(q, op, base, X64_NOREG, 1, disp);
  if (small) *q++ = (uint8_t)(int8_t)imm;
  else q = x64_put32(q, (uint32_t)imm);
  x64_end(b, q);
}

void x64_test_rr(x64_buf *b, bool w, int a, int c) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, c, X64_NOREG, a, false);
  *q++ = 0x85;
  q = x64_modrm_reg(q, c, a);
  x64_end(b, q);
}

void x64_imul_rr(x64_buf *b, bool w, int dst, int src) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, dst, X64_NOREG, src, false);
  *q++ = 0x0f;
  *q++ = 0xaf;
  q = x64_modrm_reg(q, dst, src);
  x64_end(b, q);
}

void x64_imul_rri(x64_buf *b, bool w, int dst, int src, int32_t imm) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, dst, X64_NOREG, src, false);
  if (imm >= -128 && imm <= 127) {
    *q++ = 0x6b;
    q = x64_modrm_reg(q, dst, src);
    *q++ = (uint8_t)(int8_t)imm;
  } else {
    *q++ = 0x69;
    q = x64_modrm_reg(q, dst, src);
    q = x64_put32(q, (uint32_t)imm);
  }
  x64_end(b, q);
}

void x64_unary(x64_buf *b, int ext, bool w, int reg) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, 0, X64_NOREG, reg, false);
  *q++ = 0xf7;
  q = x64_modrm_reg(q, ext, reg);
  x64_end(b, q);
}

void x64_shift_cl(x64_buf *b, int ext, bool w, int reg) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, 0, X64_NOREG, reg, false);
  *q++ = 0xd3;
  q = x64_modrm_reg(q, ext, reg);
  x64_end(b, q);
}

void x64_shift_ri(x64_buf *b, int ext, bool w, int reg, uint8_t imm) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, 0, X64_NOREG, reg, false);
  *q++ = 0xc1;
  q = x64_modrm_reg(q, ext, reg);
  *q++ = imm;
  x64_end(b, q);
}

void x64_cdq(x64_buf *b, bool w) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  if (w) *q++ = 0x48;
  *q++ = 0x99;
  x64_end(b, q);
}

void x64_bitscan(x64_buf *b, uint8_t op, bool w, int dst, int src) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  *q++ = 0xf3;
  q = x64_rex(q, w, dst, X64_NOREG, src, false);
  *q++ = 0x0f;
  *q++ = op;
  q = x64_modrm_reg(q, dst, src);
  x64_end(b, q);
}

void x64_bsx(x64_buf *b, uint8_t op, bool w, int dst, int src) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, dst, X64_NOREG, src, false);
  *q++ = 0x0f;
  *q++ = op;
  q = x64_modrm_reg(q, dst, src);
  x64_end(b, q);
}

void x64_setcc(x64_buf *b, int cc, int reg) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, false, 0, X64_NOREG, reg, reg >= 4);
  *q++ = 0x0f;
  *q++ = (uint8_t)(0x90 + cc);
  q = x64_modrm_reg(q, 0, reg);
  x64_end(b, q);
}

void x64_cmov(x64_buf *b, int cc, bool w, int dst, int src) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, w, dst, X64_NOREG, src, false);
  *q++ = 0x0f;
  *q++ = (uint8_t)(0x40 + cc);
  q = x64_modrm_reg(q, dst, src);
  x64_end(b, q);
}

/* ---------- scalar SSE ---------- */

void x64_movq_xr(x64_buf *b, int xmm, int reg) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  *q++ = 0x66;
  q = x64_rex(q, true, xmm, X64_NOREG, reg, false);
  *q++ = 0x0f;
  *q++ = 0x6e;
  q = x64_modrm_reg(q, xmm, reg);
  x64_end(b, q);
}

void x64_movq_rx(x64_buf *b, int reg, int xmm) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  *q++ = 0x66;
  q = x64_rex(q, true, xmm, X64_NOREG, reg, false);
  *q++ = 0x0f;
  *q++ = 0x7e;
  q = x64_modrm_reg(q, xmm, reg);
  x64_end(b, q);
}

void x64_sse(x64_buf *b, bool dbl, uint8_t op, int dst, int src) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  *q++ = dbl ? 0xf2 : 0xf3;
  q = x64_rex(q, false, dst, X64_NOREG, src, false);
  *q++ = 0x0f;
  *q++ = op;
  q = x64_modrm_reg(q, dst, src);
  x64_end(b, q);
}

/* ---------- packed SSE ---------- */

/* [pfx] [REX] 0F [38|3A] op: the map is op's second byte (0x0fXX, 0x0f38XX, 0x0f3aXX). */
static inline uint8_t *vop_head(uint8_t *q, uint8_t pfx, uint32_t op, int reg, int index, int rm) {
  if (pfx) *q++ = pfx;
  q = x64_rex(q, false, reg, index, rm, false);
  *q++ = 0x0f;
  if (op > 0xffff) *q++ = (uint8_t)(op >> 8);
  *q++ = (uint8_t)op;
  return q;
}

void x64_vop_rr(x64_buf *b, uint8_t pfx, uint32_t op, int reg, int rm) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = vop_head(q, pfx, op, reg, X64_NOREG, rm);
  q = x64_modrm_reg(q, reg, rm);
  x64_end(b, q);
}

void x64_vop_rm(x64_buf *b, uint8_t pfx, uint32_t op, int reg, int base, int index, int32_t disp) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = vop_head(q, pfx, op, reg, index, base);
  q = x64_modrm_mem(q, reg, base, index, 1, disp);
  x64_end(b, q);
}

/* ---------- control ---------- */

void x64_bind(x64_buf *b, size_t at, size_t target) {
  x64_patch32(b, at, (uint32_t)(int32_t)((int64_t)target - (int64_t)(at + 4)));
}

/* A jump or call: its opcode bytes (1 or 2) and a rel32 to target (X64_UNBOUND: bound
 * later); returns where the rel32 is. */
static size_t rel32(x64_buf *b, uint8_t op0, uint8_t op1, size_t target) {
  uint8_t *q = x64_begin(b);
  if (!q) return b->len;
  *q++ = op0;
  if (op1) *q++ = op1;
  size_t at = (size_t)(q - b->p);
  q = x64_put32(q, 0);
  x64_end(b, q);
  if (target != X64_UNBOUND) x64_bind(b, at, target);
  return at;
}

size_t x64_jcc(x64_buf *b, int cc, size_t target) { return rel32(b, 0x0f, (uint8_t)(0x80 + cc), target); }

size_t x64_jmp(x64_buf *b, size_t target) { return rel32(b, 0xe9, 0, target); }

size_t x64_call_rel(x64_buf *b, size_t target) { return rel32(b, 0xe8, 0, target); }

void x64_call_r(x64_buf *b, int reg) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, false, 0, X64_NOREG, reg, false);
  *q++ = 0xff;
  q = x64_modrm_reg(q, 2, reg);
  x64_end(b, q);
}

void x64_jmp_m(x64_buf *b, int base, int index, int32_t disp) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, false, 0, index, base, false);
  *q++ = 0xff;
  q = x64_modrm_mem(q, 4, base, index, 8, disp);
  x64_end(b, q);
}

void x64_push(x64_buf *b, int reg) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, false, 0, X64_NOREG, reg, false);
  *q++ = (uint8_t)(0x50 + (reg & 7));
  x64_end(b, q);
}

void x64_pop(x64_buf *b, int reg) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, false, 0, X64_NOREG, reg, false);
  *q++ = (uint8_t)(0x58 + (reg & 7));
  x64_end(b, q);
}

void x64_ret(x64_buf *b) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  *q++ = 0xc3;
  x64_end(b, q);
}

void x64_ud2(x64_buf *b) {
  uint8_t *q = x64_begin(b);
  if (!q) return;
  *q++ = 0x0f;
  *q++ = 0x0b;
  x64_end(b, q);
}

void x64_mov_reloc(x64_buf *b, int dst, uint8_t kind, uint64_t imm, uint64_t value) {
  bool wide = kind == X64_RELOC_ADDR;
  uint8_t *q = x64_begin(b);
  if (!q) return;
  q = x64_rex(q, wide, 0, X64_NOREG, dst, false);
  *q++ = (uint8_t)(0xb8 + (dst & 7));
  q = wide ? x64_put64(q, imm) : x64_put32(q, (uint32_t)imm);
  x64_end(b, q);
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

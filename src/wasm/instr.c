#include "instr.h"

#include <string.h>

#include "module.h"

static bool fail_at(util_error *err, size_t off, const char *msg) {
  return util_fail(err, UTIL_ERR_MALFORMED, (int64_t)off, "%s", msg);
}

uint32_t wasm_br_table_next(const uint8_t **pos) {
  uint32_t v = 0;
  unsigned shift = 0;
  const uint8_t *p = *pos;
  for (;;) {
    uint8_t b = *p++;
    v |= (uint32_t)(b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80) || shift >= 35) break;
  }
  *pos = p;
  return v;
}

void wasm_catch_next(const uint8_t **pos, wasm_catch *out) {
  out->kind = *(*pos)++;
  out->tag = wasm_catch_has_tag(out->kind) ? wasm_br_table_next(pos) : 0;
  out->label = wasm_br_table_next(pos);
}

/* A memory index immediate: in 2.0 a single zero byte. */
static bool read_zero_byte(util_reader *r, uint32_t *out, util_error *err) {
  size_t off = util_reader_offset(r);
  uint8_t b;
  if (!util_read_u8(r, &b, err)) return false;
  if (b != 0) return fail_at(err, off, "zero byte expected");
  *out = 0;
  return true;
}

/* A memory index: a u32 with multiple memories, else a zero byte. */
static bool read_memidx(util_reader *r, uint32_t *out, uint32_t features, util_error *err) {
  if (features & WASM_FEATURE_MULTI_MEMORY) return util_read_u32(r, out, err);
  return read_zero_byte(r, out, err);
}

/* 3.0's memarg: flags (alignment, bit 6: a memory index follows), then a u64 offset
 * (the validator bounds it by the memory's index type). */
static bool read_memarg3(util_reader *r, wasm_memarg *m, uint32_t features, util_error *err) {
  size_t off = util_reader_offset(r);
  uint32_t flags;
  if (!util_read_u32(r, &flags, err)) return false;
  if (flags >= 0x80) return fail_at(err, off, "malformed memop flags");
  m->memidx = 0;
  if ((flags & 0x40) && (features & WASM_FEATURE_MULTI_MEMORY)) {
    if (!util_read_u32(r, &m->memidx, err)) return false;
    flags &= ~0x40u;
  }
  m->align = flags;
  if (features & WASM_FEATURE_MEMORY64) return util_read_u64(r, &m->offset, err);
  uint32_t o;
  if (!util_read_u32(r, &o, err)) return false;
  m->offset = o;
  return true;
}

static bool read_memarg(util_reader *r, wasm_memarg *m, uint32_t features, util_error *err) {
  if (features & (WASM_FEATURE_MULTI_MEMORY | WASM_FEATURE_MEMORY64)) return read_memarg3(r, m, features, err);
  uint32_t align, off;
  if (!util_read_u32(r, &align, err)) return false;
  /* Multi-memory encodes a memory index with bit 6; in 2.0 that makes the alignment
   * out of range, which the validator reports as an alignment error. */
  if (!util_read_u32(r, &off, err)) return false;
  m->align = align;
  m->memidx = 0;
  m->offset = off;
  return true;
}

static bool read_blocktype(util_reader *r, wasm_instr *in, util_error *err) {
  size_t off = util_reader_offset(r);
  if (r->p < r->end && *r->p == 0x40) {
    r->p++;
    in->blocktype = -64;
    return true;
  }
  if (r->p < r->end && (*r->p & 0xc0) == 0x40) { /* a one-byte negative: a value type */
    uint8_t t = *r->p++;
    if (!wasm_is_valtype(t)) return fail_at(err, off, "malformed value type");
    in->blocktype = (int64_t)t - 0x80;
    return true;
  }
  if (!util_read_s33(r, &in->blocktype, err)) return false;
  if (in->blocktype < 0) return fail_at(err, off, "malformed value type");
  return true;
}

bool wasm_read_instr(util_reader *r, wasm_instr *in, util_error *err) {
  return wasm_read_instr_features(r, in, WASM_FEATURES_ALL, err);
}

bool wasm_read_instr_features(util_reader *r, wasm_instr *in, uint32_t features, util_error *err) {
  size_t start = util_reader_offset(r);
  uint8_t b;
  if (!util_read_u8(r, &b, err)) return false;
  int op;
  if (b == 0xfc || b == 0xfd) {
    uint32_t sub;
    if (!util_read_u32(r, &sub, err)) return false;
    op = wasm_opcode_lookup(b, sub);
  } else {
    op = wasm_opcode_lookup(0, b);
  }
  if (op < 0) {
    if (b == 0xfc || b == 0xfd) return fail_at(err, start, "illegal opcode");
    return util_fail(err, UTIL_ERR_MALFORMED, (int64_t)start, "illegal opcode %02x", b); /* the reference decoder's wording */
  }
  in->op = (uint16_t)op;
  in->offset = (uint32_t)start;
  const wasm_opinfo *info = &wasm_opinfo_table[op];
  switch ((wasm_imm_kind)info->imm) {
  case WASM_IMM_NONE: return true;
  case WASM_IMM_TRY_TABLE: {
    if (!read_blocktype(r, in, err) || !util_read_u32(r, &in->ntargets, err)) return false;
    in->targets = r->p;
    for (uint32_t i = 0; i < in->ntargets; i++) {
      size_t off = util_reader_offset(r);
      uint8_t kind;
      uint32_t x;
      if (!util_read_u8(r, &kind, err)) return false;
      if (kind > WASM_CATCH_ALL_REF) return fail_at(err, off, "malformed catch clause");
      if (wasm_catch_has_tag(kind) && !util_read_u32(r, &x, err)) return false;
      if (!util_read_u32(r, &x, err)) return false;
    }
    return true;
  }
  case WASM_IMM_TAG: return util_read_u32(r, &in->idx, err);
  case WASM_IMM_BLOCKTYPE: return read_blocktype(r, in, err);
  case WASM_IMM_LABEL:
  case WASM_IMM_FUNC:
  case WASM_IMM_LOCAL:
  case WASM_IMM_GLOBAL:
  case WASM_IMM_TABLE:
  case WASM_IMM_DATAIDX:
  case WASM_IMM_ELEMIDX: return util_read_u32(r, &in->idx, err);
  case WASM_IMM_BR_TABLE: {
    if (!util_read_u32(r, &in->ntargets, err)) return false;
    in->targets = r->p;
    for (uint32_t i = 0; i < in->ntargets; i++) {
      uint32_t t;
      if (!util_read_u32(r, &t, err)) return false;
    }
    return util_read_u32(r, &in->idx, err);
  }
  case WASM_IMM_CALL_INDIRECT:
    return util_read_u32(r, &in->idx, err) && util_read_u32(r, &in->idx2, err);
  case WASM_IMM_SELECT_T: {
    if (!util_read_u32(r, &in->ntargets, err)) return false;
    const uint8_t *types;
    if (!util_read_bytes(r, in->ntargets, &types, err)) return false;
    for (uint32_t i = 0; i < in->ntargets; i++) {
      if (!wasm_is_valtype(types[i])) {
        return fail_at(err, (size_t)(types + i - r->start) + r->base, "malformed value type");
      }
    }
    in->targets = types;
    return true;
  }
  case WASM_IMM_MEM: return read_memarg(r, &in->mem, features, err);
  case WASM_IMM_MEMLANE: return read_memarg(r, &in->mem, features, err) && util_read_u8(r, &in->lane, err);
  case WASM_IMM_MEMIDX: return read_memidx(r, &in->idx, features, err);
  case WASM_IMM_I32C: return util_read_s32(r, &in->c.i32, err);
  case WASM_IMM_I64C: return util_read_s64(r, &in->c.i64, err);
  case WASM_IMM_F32C: return util_read_fixed32(r, &in->c.f32, err);
  case WASM_IMM_F64C: return util_read_fixed64(r, &in->c.f64, err);
  case WASM_IMM_V128C:
  case WASM_IMM_SHUFFLE: {
    const uint8_t *p;
    if (!util_read_bytes(r, 16, &p, err)) return false;
    memcpy(in->c.v128, p, 16);
    return true;
  }
  case WASM_IMM_LANE: return util_read_u8(r, &in->lane, err);
  case WASM_IMM_REFTYPE: {
    size_t off = util_reader_offset(r);
    if (!util_read_u8(r, &in->reftype, err)) return false;
    if (!wasm_is_reftype(in->reftype)) return fail_at(err, off, "malformed reference type");
    return true;
  }
  case WASM_IMM_MEMINIT:
    return util_read_u32(r, &in->idx, err) && read_memidx(r, &in->idx2, features, err);
  case WASM_IMM_MEMCOPY:
    return read_memidx(r, &in->idx, features, err) && read_memidx(r, &in->idx2, features, err);
  case WASM_IMM_TABLEINIT:
  case WASM_IMM_TABLECOPY:
    return util_read_u32(r, &in->idx, err) && util_read_u32(r, &in->idx2, err);
  }
  return fail_at(err, start, "illegal opcode");
}

bool wasm_blocktype_sig(const wasm_module *m, int64_t bt, uint8_t *scratch, uint32_t *np,
                        const uint8_t **params, uint32_t *nr, const uint8_t **results) {
  if (bt == -64) {
    *np = *nr = 0;
    *params = *results = NULL;
    return true;
  }
  if (bt < 0) {
    *scratch = (uint8_t)(bt + 0x80);
    *np = 0;
    *params = NULL;
    *nr = 1;
    *results = scratch;
    return true;
  }
  if ((uint64_t)bt >= m->ntypes) return false;
  const wasm_functype *ft = &m->types[bt];
  *np = ft->nparams;
  *params = ft->params;
  *nr = ft->nresults;
  *results = ft->results;
  return true;
}

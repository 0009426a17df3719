#include "instr.h"

#include "proposals.h"

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

bool wasm_read_heaptype(util_reader *r, uint32_t *out, util_error *err) {
  size_t off = util_reader_offset(r);
  int64_t v;
  if (!util_read_s33(r, &v, err)) return false;
  if (v >= 0) {
    if (v > WASM_MAX_TYPE_INDEX) {
      return util_fail(err, UTIL_ERR_LIMIT, (int64_t)off, "type index %lld beyond this implementation's limit",
                       (long long)v);
    }
    *out = (uint32_t)v + WASM_HEAP_INDEX;
    return true;
  }
  if (v < -64 || !wasm_is_abstract_heap((uint32_t)(v + 0x80))) {
    fail_at(err, off, "malformed heap type");
    return wasm_proposal_note(err, v < -64 ? WASM_PROPOSAL_NONE : wasm_proposal_of_heap_byte((uint8_t)(v + 0x80)));
  }
  *out = (uint32_t)(v + 0x80);
  return true;
}

/* After a first byte `b` already read: a value type's remaining bytes. */
static bool read_valtype_rest(util_reader *r, uint8_t b, size_t off, wasm_vtype *out, util_error *err) {
  if (b == WASM_REF_NULL_TAG || b == WASM_REF_TAG) {
    uint32_t h;
    if (!wasm_read_heaptype(r, &h, err)) return false;
    *out = wasm_reftype(b == WASM_REF_NULL_TAG, h);
    return true;
  }
  /* Type codes are 7-bit signed LEB128 numbers, so a continuation bit is an overlong
   * integer before it is a bad type. */
  if (b & 0x80) return fail_at(err, off, "integer representation too long");
  if (!wasm_is_valtype(b)) {
    fail_at(err, off, "malformed value type");
    return wasm_proposal_note(err, wasm_proposal_of_heap_byte(b)); /* contref, (exact ...) */
  }
  *out = b;
  return true;
}

bool wasm_read_valtype(util_reader *r, wasm_vtype *out, util_error *err) {
  size_t off = util_reader_offset(r);
  uint8_t b;
  return util_read_u8(r, &b, err) && read_valtype_rest(r, b, off, out, err);
}

bool wasm_read_reftype(util_reader *r, wasm_vtype *out, util_error *err) {
  size_t off = util_reader_offset(r);
  uint8_t b;
  if (!util_read_u8(r, &b, err)) return false;
  if (b != WASM_REF_NULL_TAG && b != WASM_REF_TAG && !wasm_is_reftype(b)) {
    fail_at(err, off, "malformed reference type");
    return wasm_proposal_note(err, wasm_proposal_of_heap_byte(b));
  }
  return read_valtype_rest(r, b, off, out, err);
}

static bool read_blocktype(util_reader *r, wasm_instr *in, util_error *err) {
  size_t off = util_reader_offset(r);
  if (r->p < r->end && *r->p == 0x40) {
    r->p++;
    in->blocktype = -64;
    return true;
  }
  if (r->p < r->end && (*r->p & 0xc0) == 0x40) { /* a one-byte negative: a value type */
    wasm_vtype t;
    if (!wasm_read_valtype(r, &t, err)) return false;
    in->blocktype = -1;
    in->bt_type = t;
    return true;
  }
  if (!util_read_s33(r, &in->blocktype, err)) return false;
  if (in->blocktype < 0) return fail_at(err, off, "malformed value type");
  return true;
}

bool wasm_read_instr_long(util_reader *r, wasm_instr *in, uint32_t features, util_error *err) {
  size_t start = util_reader_offset(r);
  uint8_t b;
  if (!util_read_u8(r, &b, err)) return false;
  int op;
  uint32_t sub = 0;
  if (b == 0xfb || b == 0xfc || b == 0xfd || (b == 0xfe && (features & WASM_FEATURE_THREADS))) {
    if (!util_read_u32(r, &sub, err)) return false;
    op = wasm_opcode_lookup(b, sub);
  } else {
    op = wasm_opcode_lookup(0, b);
  }
  if (op < 0) {
    if (b == 0xfb || b == 0xfc || b == 0xfd || (b == 0xfe && (features & WASM_FEATURE_THREADS))) {
      fail_at(err, start, "illegal opcode");
      return wasm_proposal_note(err, wasm_proposal_of_opcode(b, sub));
    }
    util_fail(err, UTIL_ERR_MALFORMED, (int64_t)start, "illegal opcode %02x", b); /* the reference decoder's wording */
    if (b == 0xfe) {
      util_reader peek = *r;
      uint32_t sub_fe = 0;
      util_error ignore;
      (void)util_read_u32(&peek, &sub_fe, &ignore); /* atomics' sub-opcode: which threads proposal */
      return wasm_proposal_note(err, wasm_proposal_of_opcode(0xfe, sub_fe));
    }
    return wasm_proposal_note(err, wasm_proposal_of_opcode(0, b));
  }
  if (!(features & WASM_FEATURE_TYPED_REFS) &&
      (op == WASM_OP_CALL_REF || op == WASM_OP_RETURN_CALL_REF || op == WASM_OP_REF_AS_NON_NULL ||
       op == WASM_OP_BR_ON_NULL || op == WASM_OP_BR_ON_NON_NULL)) {
    return util_fail(err, UTIL_ERR_MALFORMED, (int64_t)start, "illegal opcode %02x", b);
  }
  if (!(features & WASM_FEATURE_GC) && (b == 0xfb || op == WASM_OP_REF_EQ)) {
    if (b == 0xfb) return fail_at(err, start, "illegal opcode");
    return util_fail(err, UTIL_ERR_MALFORMED, (int64_t)start, "illegal opcode %02x", b);
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
  case WASM_IMM_ELEMIDX:
  case WASM_IMM_TYPE: return util_read_u32(r, &in->idx, err);
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
    in->targets = r->p;
    for (uint32_t i = 0; i < in->ntargets; i++) {
      wasm_vtype t;
      if (!wasm_read_valtype(r, &t, err)) return false;
      if (i == 0) in->reftype = t;
    }
    return true;
  }
  case WASM_IMM_MEM: return read_memarg(r, &in->mem, features, err);
  case WASM_IMM_MEMLANE: return read_memarg(r, &in->mem, features, err) && util_read_u8(r, &in->lane, err);
  case WASM_IMM_MEMIDX: return read_memidx(r, &in->idx, features, err);
  case WASM_IMM_FENCE: return read_zero_byte(r, &in->idx, err); /* atomic.fence's reserved byte */
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
    uint32_t h;
    size_t off = util_reader_offset(r);
    if (r->p < r->end && (*r->p & 0xc0) == 0x40 && !wasm_is_abstract_heap(*r->p)) {
      fail_at(err, off, "malformed reference type");
      return wasm_proposal_note(err, wasm_proposal_of_heap_byte(*r->p));
    }
    if (!wasm_read_heaptype(r, &h, err)) return false;
    in->reftype = wasm_reftype(true, h);
    return true;
  }
  case WASM_IMM_TYPE_FIELD:
  case WASM_IMM_TYPE_FIXED:
  case WASM_IMM_TYPE_DATA:
  case WASM_IMM_TYPE_ELEM:
  case WASM_IMM_TYPE_TYPE: return util_read_u32(r, &in->idx, err) && util_read_u32(r, &in->idx2, err);
  case WASM_IMM_HEAPTYPE: {
    uint32_t h;
    if (!wasm_read_heaptype(r, &h, err)) return false;
    in->reftype = wasm_reftype(info->arg != 0, h);
    return true;
  }
  case WASM_IMM_BR_ON_CAST: {
    size_t off = util_reader_offset(r);
    uint8_t flags;
    uint32_t h1, h2;
    if (!util_read_u8(r, &flags, err)) return false;
    if (flags > 3) return fail_at(err, off, "malformed br_on_cast flags");
    if (!util_read_u32(r, &in->idx, err) || !wasm_read_heaptype(r, &h1, err) || !wasm_read_heaptype(r, &h2, err))
      return false;
    in->reftype = wasm_reftype(flags & 1, h1);
    in->reftype2 = wasm_reftype(flags & 2, h2);
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

bool wasm_blocktype_sig(const wasm_module *m, const wasm_instr *in, wasm_vtype *scratch, uint32_t *np,
                        const wasm_vtype **params, uint32_t *nr, const wasm_vtype **results) {
  int64_t bt = in->blocktype;
  if (bt == -64) {
    *np = *nr = 0;
    *params = *results = NULL;
    return true;
  }
  if (bt < 0) {
    *scratch = in->bt_type;
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

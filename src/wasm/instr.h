/* The instruction reader: decodes one instruction and its immediates from a code or
 * constant-expression byte range. Shared by the decoder's syntax pass, the validator, the
 * translator in src/exec and (later) the printer, so immediates are decoded in one place. */
#ifndef WELD_WASM_INSTR_H
#define WELD_WASM_INSTR_H

#include "../util/util.h"
#include "module.h"
#include "opcodes.h"

typedef struct wasm_memarg {
  uint32_t align;   /* log2 */
  uint32_t memidx;  /* always 0 in 2.0 */
  uint64_t offset;
} wasm_memarg;

typedef struct wasm_instr {
  uint16_t op;        /* wasm_opcode */
  uint32_t offset;    /* of the opcode byte, in the input */
  /* immediates, by kind: */
  uint32_t idx;       /* LABEL, FUNC, LOCAL, GLOBAL, TABLE, DATAIDX, ELEMIDX, MEMIDX, TYPE;
                         CALL_INDIRECT: type index; MEMINIT: data index;
                         TABLEINIT: elem index; TABLECOPY: dst table; MEMCOPY: dst mem;
                         TYPE_*: the (destination) type index; BR_ON_CAST: label */
  uint32_t idx2;      /* CALL_INDIRECT, TABLEINIT: table; TABLECOPY: src table;
                         MEMINIT: memory; MEMCOPY: src memory; TYPE_FIELD: field;
                         TYPE_FIXED: count; TYPE_DATA: data; TYPE_ELEM: elem segment;
                         TYPE_TYPE: source type index */
  int64_t blocktype;  /* BLOCKTYPE: -64 (0x40) = empty, -1 = one result of type
                         `bt_type`, or a type index >= 0 */
  uint32_t bt_type;   /* wasm_vtype, with blocktype -1 */
  wasm_memarg mem;    /* MEM, MEMLANE */
  uint8_t lane;       /* LANE, MEMLANE */
  uint32_t reftype;   /* REFTYPE: the wasm_vtype (ref null ht) of ref.null ht;
                         SELECT_T: the first type; HEAPTYPE: (ref null? ht);
                         BR_ON_CAST: the source reference type */
  uint32_t reftype2;  /* BR_ON_CAST: the target reference type */
  union {
    int32_t i32;
    int64_t i64;
    uint32_t f32;     /* raw bits */
    uint64_t f64;     /* raw bits */
    uint8_t v128[16]; /* V128C, SHUFFLE (lane indices) */
  } c;
  /* BR_TABLE: `ntargets` label depths (not counting the default) in LEB form starting
   * at `targets`; read them with wasm_br_table_next. `idx` holds the default.
   * SELECT_T: `ntargets` value types in binary form starting at `targets` (the first
   * decoded in `reftype`).
   * TRY_TABLE: `ntargets` catch clauses starting at `targets`; read them with
   * wasm_catch_next. `blocktype` holds the block type. TAG: `idx` is the tag. */
  uint32_t ntargets;
  const uint8_t *targets;
} wasm_instr;

/* Reads the next instruction. Errors are MALFORMED with the spec's wording ("unexpected
 * end", "illegal opcode", "integer too large", "zero byte expected", "malformed reference
 * type", ...). */
static inline bool wasm_read_instr(util_reader *r, wasm_instr *in, util_error *err);
/* The same under a feature set (module.h's WASM_FEATURE_*): without multi-memory a
 * memory index is a zero byte and memarg flags are a plain alignment; without memory64
 * an offset is a u32. wasm_read_instr reads with every feature: code the decoder
 * accepted under fewer features reads the same. */
static inline bool wasm_read_instr_features(util_reader *r, wasm_instr *in, uint32_t features, util_error *err);

/* Both are inline for the common instructions (wasm_read_instr_short), the rest out of
 * line (wasm_read_instr_long, which reads any instruction and reports every error). */
bool wasm_read_instr_long(util_reader *r, wasm_instr *in, uint32_t features, util_error *err);

/* The common shapes, read the same under every feature set: a one-byte opcode that no
 * feature gates, with no immediate, one one-byte LEB128 index or constant, a memarg of an
 * alignment below 64 and a one-byte offset, call_indirect's two one-byte indices, a float constant, or an empty or one-numeric-
 * result block type. Anything else (and any error) is left to wasm_read_instr_long: false
 * with the reader untouched. The input must have 9 bytes left (a float constant), or 3
 * for the rest; the last instruction of a body usually takes the long way. */
static inline bool wasm_read_instr_short(util_reader *r, wasm_instr *in) {
  const uint8_t *p = r->p;
  ptrdiff_t left = r->end - p;
  if (left < 3) return false;
  const wasm_opcode_entry *e = &wasm_opcode_index[*p];
  if (!e->op1 || e->gated) return false;
  uint8_t x = p[1];
  size_t n;
  switch ((wasm_imm_kind)e->imm) {
  case WASM_IMM_NONE: n = 1; break;
  case WASM_IMM_LABEL:
  case WASM_IMM_FUNC:
  case WASM_IMM_LOCAL:
  case WASM_IMM_GLOBAL:
  case WASM_IMM_TABLE:
  case WASM_IMM_TYPE:
  case WASM_IMM_TAG:
    if (x & 0x80) return false;
    in->idx = x;
    n = 2;
    break;
  case WASM_IMM_CALL_INDIRECT:
    if ((x | p[2]) & 0x80) return false;
    in->idx = x;
    in->idx2 = p[2];
    n = 3;
    break;
  case WASM_IMM_I32C:
    if (x & 0x80) return false;
    in->c.i32 = (int32_t)((uint32_t)x << 25) >> 25; /* bit 6 is the sign */
    n = 2;
    break;
  case WASM_IMM_I64C:
    if (x & 0x80) return false;
    in->c.i64 = (int64_t)((uint64_t)x << 57) >> 57;
    n = 2;
    break;
  case WASM_IMM_MEM:
    /* flags below 0x40: no memory index under any feature set, and the alignment as is */
    if (x >= 0x40 || (p[2] & 0x80)) return false;
    in->mem.align = x;
    in->mem.memidx = 0;
    in->mem.offset = p[2];
    n = 3;
    break;
  case WASM_IMM_F32C:
    if (left < 5) return false;
    in->c.f32 = (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 24;
    n = 5;
    break;
  case WASM_IMM_F64C: {
    if (left < 9) return false;
    uint64_t v = 0;
    for (int i = 8; i >= 1; i--) v = v << 8 | p[i];
    in->c.f64 = v;
    n = 9;
    break;
  }
  case WASM_IMM_BLOCKTYPE:
    if (x == 0x40) {
      in->blocktype = -64;
    } else if (x >= 0x7c && x <= 0x7f) { /* f64, f32, i64, i32 */
      in->blocktype = -1;
      in->bt_type = x;
    } else {
      return false;
    }
    n = 2;
    break;
  default: return false;
  }
  in->op = (uint16_t)(e->op1 - 1);
  in->offset = (uint32_t)util_reader_offset(r);
  r->p = p + n;
  return true;
}

static inline bool wasm_read_instr_features(util_reader *r, wasm_instr *in, uint32_t features, util_error *err) {
  return wasm_read_instr_short(r, in) || wasm_read_instr_long(r, in, features, err);
}

static inline bool wasm_read_instr(util_reader *r, wasm_instr *in, util_error *err) {
  return wasm_read_instr_short(r, in) || wasm_read_instr_long(r, in, WASM_FEATURES_ALL, err);
}

/* Value and reference types in binary form (3.0: 0x63/0x64 with a heap type), and heap
 * types (an abstract type's code or WASM_HEAP_INDEX + a type index). A type index beyond
 * WASM_MAX_TYPE_INDEX is refused as an implementation limit. */
bool wasm_read_valtype(util_reader *r, uint32_t *out, util_error *err);
bool wasm_read_reftype(util_reader *r, uint32_t *out, util_error *err);
bool wasm_read_heaptype(util_reader *r, uint32_t *out, util_error *err);

/* Iterates BR_TABLE targets: *pos starts at in->targets. */
uint32_t wasm_br_table_next(const uint8_t **pos);

/* A try_table catch clause (exception handling, 3.0). */
typedef enum { WASM_CATCH = 0, WASM_CATCH_REF = 1, WASM_CATCH_ALL = 2, WASM_CATCH_ALL_REF = 3 } wasm_catch_kind;
typedef struct wasm_catch {
  uint8_t kind;   /* wasm_catch_kind */
  uint32_t tag;   /* CATCH, CATCH_REF only */
  uint32_t label;
} wasm_catch;
static inline bool wasm_catch_has_tag(uint8_t kind) { return kind == WASM_CATCH || kind == WASM_CATCH_REF; }
static inline bool wasm_catch_is_ref(uint8_t kind) { return kind == WASM_CATCH_REF || kind == WASM_CATCH_ALL_REF; }
/* Iterates TRY_TABLE clauses: *pos starts at in->targets. */
void wasm_catch_next(const uint8_t **pos, wasm_catch *out);

/* Block types convert to (params, results) given the module's types. */
struct wasm_module;
struct wasm_functype;
/* Fills params/results for a block type; for the short forms the single result type is
 * written to *scratch so results can point at it. Returns false for an out-of-range type
 * index (the validator reports it). */
bool wasm_blocktype_sig(const struct wasm_module *m, const wasm_instr *in, uint32_t *scratch,
                        uint32_t *np, const uint32_t **params, uint32_t *nr, const uint32_t **results);

#endif

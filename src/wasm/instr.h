/* The instruction reader: decodes one instruction and its immediates from a code or
 * constant-expression byte range. Shared by the decoder's syntax pass, the validator, the
 * translator in src/exec and (later) the printer, so immediates are decoded in one place. */
#ifndef WELD_WASM_INSTR_H
#define WELD_WASM_INSTR_H

#include "../util/util.h"
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
bool wasm_read_instr(util_reader *r, wasm_instr *in, util_error *err);
/* The same under a feature set (module.h's WASM_FEATURE_*): without multi-memory a
 * memory index is a zero byte and memarg flags are a plain alignment; without memory64
 * an offset is a u32. wasm_read_instr reads with every feature: code the decoder
 * accepted under fewer features reads the same. */
bool wasm_read_instr_features(util_reader *r, wasm_instr *in, uint32_t features, util_error *err);

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

/* Private to the module reader (wat.c, wat_instr.c): the parser state. */
#ifndef WELD_TEXT_WAT_H
#define WELD_TEXT_WAT_H

#include "internal.h"

enum { SPACE_TYPE, SPACE_FUNC, SPACE_TABLE, SPACE_MEM, SPACE_GLOBAL, SPACE_ELEM, SPACE_DATA, SPACE_TAG, SPACE_COUNT };

/* A defined type (wat_types.c): a function type's params and results, or (GC) a struct's
 * fields or an array's element, with its `sub` declaration and recursion group. */
typedef struct wat_functype {
  uint32_t *params, *results; /* wasm_vtype */
  uint32_t np, nr;
  uint8_t kind;               /* WASM_TYPE_FUNC, _STRUCT, _ARRAY */
  bool sub;                   /* written with `sub` (encoded 0x50 / 0x4f) */
  bool final;
  uint32_t nsupers, *supers;
  uint32_t rec_len;           /* on the first type of an explicit `rec`: its size; else 0 */
  bool in_rec;                /* a member of an explicit `rec` */
  uint32_t nfields;
  uint32_t *ftypes;           /* storage types (wasm_vtype or WASM_PACKED_*) */
  uint8_t *fmut;
  text_namemap fnames;        /* field identifiers */
} wat_functype;

typedef struct wat_label {
  const char *name; /* NULL when unnamed */
  uint32_t len;
} wat_label;

typedef struct wat {
  const char *src;
  const text_token *toks;
  size_t pos, end;      /* current token; end = the module's closing RPAR */
  size_t stop;          /* where the fields end (end, or a token that is no field) */
  util_error *err;

  text_namemap names[SPACE_COUNT];
  uint32_t counts[SPACE_COUNT];   /* from the first pass */
  uint32_t next[SPACE_COUNT];     /* definitions emitted so far in the second pass */

  wat_functype *types;
  uint32_t ntypes, types_cap, nexplicit_types;

  /* current function */
  text_namemap locals;
  uint32_t nlocals;       /* params + locals */
  uint32_t *local_types;  /* wasm_vtype */
  size_t local_types_cap;
  wat_label *labels;
  size_t nlabels, labels_cap;

  /* the `name` custom section being collected: identifiers without their `$` */
  const text_token *module_id;
  text_buf nm_space[SPACE_COUNT]; /* per index space: (index, name) entries, in order */
  uint32_t nm_count[SPACE_COUNT];
  text_buf nm_locals, nm_labels;  /* per function with names: index, then its entries */
  uint32_t nm_nlocal_funcs, nm_nlabel_funcs;
  text_buf fn_locals, fn_labels;  /* the current function's entries */
  uint32_t fn_nlocals, fn_nlabels, fn_nblocks;

  text_buf scratch;       /* folded instructions park their opcode here */
  text_buf tmp;           /* string decoding */
  bool uses_data_count;
  bool typed_refs;        /* the module writes `(ref ...)` types somewhere */
  uint32_t features;      /* WASM_FEATURE_* the text is read under */
} wat;

/* token helpers shared by the two files */
static inline const text_token *wat_tok(const wat *w) { return &w->toks[w->pos]; }
static inline const text_token *wat_peek(const wat *w, size_t k) { return &w->toks[w->pos + k]; }
bool wat_fail(wat *w, const text_token *t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "out of memory" (UTIL_ERR_OOM) at token t; false. */
bool wat_oom(wat *w, const text_token *t);
bool wat_is_kw(const text_token *t, const char *src, const char *kw);
bool wat_is_lpar_kw(const wat *w, const char *kw);  /* `(` kw at the cursor */
bool wat_expect(wat *w, int kind);
bool wat_expect_rpar(wat *w);
bool wat_index(wat *w, int space, uint32_t *out);   /* number or $name */
bool wat_u32(wat *w, uint32_t *out);
/* Value types as wasm_vtype (src/wasm/module.h): `i32` ... `externref`, `(ref null? ht)`
 * with ht `func`, `extern`, or a type index or name. */
bool wat_valtype(wat *w, uint32_t *out);
bool wat_reftype(wat *w, uint32_t *out);
bool wat_heaptype(wat *w, uint32_t *out);
/* A struct field of type index `type`: a number, or a field name of that type. */
bool wat_field_index(wat *w, uint32_t type, uint32_t *out);
/* wat_types.c: a type definition after `(type $id?` (the definition and the closing
 * `)`), a `(rec ...)` field after `(rec`, the type section's contents, the types' memory. */
bool wat_type_def(wat *w);
bool wat_rec_def(wat *w);
void wat_emit_types(const wat *w, text_buf *out);
void wat_types_free(wat *w);
/* Whether a function type may be the implicit type of a type use: a final function type
 * without supertypes in a group of its own. */
bool wat_type_reusable(const wat_functype *f);
/* The binary form of a value type, and of a heap type. */
void wat_emit_valtype(text_buf *out, uint32_t t);
void wat_emit_heaptype(text_buf *out, uint32_t h);
/* A type use: (type x)? (param ...)* (result ...)*; names params into w->locals when
 * `bind` (function definitions). Appends an implicit type when needed. */
bool wat_typeuse(wat *w, uint32_t *typeidx, bool bind);
/* Block type: sets *bt to -64 (empty), minus a value type (one result) or a type index. */
bool wat_blocktype(wat *w, int64_t *bt);

/* A block, loop or if starts here (in binary order): numbers it for the name section
 * and records its label, if it has one. */
void wat_note_block(wat *w, const char *label, uint32_t len);

/* Instructions (wat_instr.c): a sequence up to `)`, `end` or `else`. */
bool wat_instrs(wat *w, text_buf *out);
/* An expression for a constant or offset: instructions then `end`. */
bool wat_const_expr(wat *w, text_buf *out);
/* Exactly one folded instruction (offsets and element items in their short form). */
bool wat_folded_one(wat *w, text_buf *out);

#endif

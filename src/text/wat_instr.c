/* Instructions of the text format, plain and folded, encoded straight to binary. The
 * instruction names and immediate kinds come from src/wasm/opcodes.def. */
#include <stdlib.h>
#include <string.h>

#include "../wasm/instr.h"
#include "../wasm/module.h"
#include "../wasm/opcodes.h"
#include "wat.h"

static void emit_op(text_buf *out, int op) {
  const wasm_opinfo *info = &wasm_opinfo_table[op];
  if (info->prefix) {
    text_buf_byte(out, info->prefix);
    text_buf_u32(out, info->code);
  } else {
    text_buf_byte(out, (uint8_t)info->code);
  }
}

static void emit_blocktype(text_buf *out, int64_t bt) {
  if (bt == -64) text_buf_byte(out, 0x40);
  else if (bt < 0) wat_emit_valtype(out, (uint32_t)-bt);
  else text_buf_s64(out, bt);
}

static bool push_label(wat *w) {
  wat_label l = {NULL, 0};
  const text_token *t = wat_tok(w);
  if (t->kind == TOK_ID) {
    l.name = t->id;
    l.len = t->idlen;
    w->pos++;
  }
  wat_note_block(w, l.name, l.len);
  if (!UTIL_VEC_TRY_PUSH(w->labels, w->nlabels, w->labels_cap, l)) return wat_oom(w, t);
  return true;
}

/* `end $l` / `else $l`: the optional repeated label must match the block's. */
static bool closing_label(wat *w) {
  const text_token *t = wat_tok(w);
  if (t->kind != TOK_ID) return true;
  const wat_label *l = &w->labels[w->nlabels - 1];
  if (!l->name || l->len != t->idlen || memcmp(l->name, t->id, t->idlen) != 0)
    return wat_fail(w, t, "mismatching label");
  w->pos++;
  return true;
}

static bool label_index(wat *w, uint32_t *out) {
  const text_token *t = wat_tok(w);
  if (t->kind == TOK_ID) {
    for (size_t i = w->nlabels; i-- > 0;) {
      const wat_label *l = &w->labels[i];
      if (l->name && l->len == t->idlen && memcmp(l->name, t->id, t->idlen) == 0) {
        *out = (uint32_t)(w->nlabels - 1 - i);
        w->pos++;
        return true;
      }
    }
    return wat_fail(w, t, "unknown label");
  }
  return wat_u32(w, out);
}

static bool local_index(wat *w, uint32_t *out) {
  const text_token *t = wat_tok(w);
  if (t->kind == TOK_ID) {
    if (!text_names_get(&w->locals, t->id, t->idlen, out))
      return wat_fail(w, t, "unknown local %.*s", (int)t->idlen, t->id);
    w->pos++;
    return true;
  }
  return wat_u32(w, out);
}

static bool is_index_tok(const text_token *t) { return t->kind == TOK_NUM || t->kind == TOK_ID; }

static bool memarg_at(wat *w, text_buf *out, unsigned natural, bool lane) {
  uint64_t offset = 0, align = 1ull << natural;
  uint32_t mem = 0;
  /* a memory index; before a lane index a lone number is the lane */
  const text_token *nx = wat_peek(w, 1);
  bool idx = is_index_tok(wat_tok(w)) &&
             (!lane || wat_tok(w)->kind == TOK_ID || nx->kind == TOK_NUM ||
              (nx->kind == TOK_KEYWORD && nx->len > 6 &&
               (memcmp(w->src + nx->start, "offset=", 7) == 0 || memcmp(w->src + nx->start, "align=", 6) == 0)));
  if (idx && !wat_index(w, SPACE_MEM, &mem)) return false;
  const text_token *t = wat_tok(w);
  if (t->kind == TOK_KEYWORD && t->len > 7 && memcmp(w->src + t->start, "offset=", 7) == 0) {
    bool range = false;
    if (!text_parse_nat(w->src + t->start + 7, t->len - 7, &offset, &range)) return wat_fail(w, t, "unknown operator");
    /* 3.0 reads a u64 (the validator bounds it by the memory's index type); 2.0 a u32 */
    if (range || (offset > UINT32_MAX && !(w->features & WASM_FEATURE_MEMORY64)))
      return wat_fail(w, t, range ? "i64 constant out of range" : "i32 constant out of range");
    w->pos++;
    t = wat_tok(w);
  }
  if (t->kind == TOK_KEYWORD && t->len > 6 && memcmp(w->src + t->start, "align=", 6) == 0) {
    bool range = false;
    if (!text_parse_nat(w->src + t->start + 6, t->len - 6, &align, &range)) return wat_fail(w, t, "unknown operator");
    if (range || align == 0 || (align & (align - 1)) != 0 ||
        (align > UINT32_MAX && !(w->features & WASM_FEATURE_MEMORY64)))
      return wat_fail(w, t, "alignment must be a power of two");
    w->pos++;
  }
  uint32_t log = 0;
  while ((1ull << log) < align) log++;
  /* a memory other than 0 sets flags bit 6 and follows the flags */
  text_buf_u32(out, mem ? log | 0x40 : log);
  if (mem) text_buf_u32(out, mem);
  text_buf_u64(out, offset);
  return true;
}

/* A lane index. Like the reference reader: a token that is not a natural number is
 * unexpected after a lane instruction but a malformed index inside a shuffle; 3.0 reads
 * the index as a u8 literal and words both as "i8 constant out of range". */
static bool lane_u8(wat *w, text_buf *out, bool shuffle) {
  const text_token *t = wat_tok(w);
  uint64_t v;
  bool range = false;
  const char *bad = util_spec_edition() >= 3 ? "i8 constant out of range" : "malformed lane index";
  if (t->kind != TOK_NUM && t->kind != TOK_KEYWORD) return wat_fail(w, t, "unexpected token");
  if (!text_parse_nat(w->src + t->start, t->len, &v, &range)) return wat_fail(w, t, "%s", shuffle ? bad : "unexpected token");
  if (range || v > 255) return wat_fail(w, t, "%s", bad);
  text_buf_byte(out, (uint8_t)v);
  w->pos++;
  return true;
}

/* What a token that is not the expected literal is called: the reference reader lexes
 * malformed numbers as unknown operators, and the script's nan patterns as keywords. */
static bool bad_literal(wat *w, const text_token *t) {
  if (t->kind == TOK_RPAR || t->kind == TOK_LPAR || t->kind == TOK_STRING || t->kind == TOK_ID || t->kind == TOK_EOF ||
      wat_is_kw(t, w->src, "nan:canonical") || wat_is_kw(t, w->src, "nan:arithmetic"))
    return wat_fail(w, t, "unexpected token");
  return wat_fail(w, t, "unknown operator");
}

static bool int_const(wat *w, unsigned bits, uint64_t *v) {
  const text_token *t = wat_tok(w);
  bool range = false;
  if (t->kind != TOK_NUM || !text_parse_int(w->src + t->start, t->len, bits, v, &range)) return bad_literal(w, t);
  if (range) return wat_fail(w, t, "constant out of range");
  w->pos++;
  return true;
}

static bool float_const(wat *w, unsigned bits, uint64_t *v) {
  const text_token *t = wat_tok(w);
  bool range = false, ok;
  if (bits == 32) {
    uint32_t u = 0;
    ok = (t->kind == TOK_NUM || t->kind == TOK_KEYWORD) && text_parse_f32(w->src + t->start, t->len, &u, &range);
    *v = u;
  } else {
    ok = (t->kind == TOK_NUM || t->kind == TOK_KEYWORD) && text_parse_f64(w->src + t->start, t->len, v, &range);
  }
  if (TEXT_NUM_OOM(ok, range)) return wat_oom(w, t);
  if (!ok) return bad_literal(w, t);
  if (range) return wat_fail(w, t, "constant out of range");
  w->pos++;
  return true;
}

static void put_le(text_buf *out, uint64_t v, unsigned bytes) {
  for (unsigned i = 0; i < bytes; i++) text_buf_byte(out, (uint8_t)(v >> (8 * i)));
}

static bool v128_const(wat *w, text_buf *out) {
  const text_token *t = wat_tok(w);
  /* names here are char arrays, not pointers: their tables need no relocations at start-up */
  static const struct { char name[6]; unsigned lanes, bits; bool fl; } shapes[] = {
      {"i8x16", 16, 8, false}, {"i16x8", 8, 16, false}, {"i32x4", 4, 32, false},
      {"i64x2", 2, 64, false}, {"f32x4", 4, 32, true},  {"f64x2", 2, 64, true}};
  int s = -1;
  for (int i = 0; i < 6; i++)
    if (wat_is_kw(t, w->src, shapes[i].name)) s = i;
  if (s < 0) return wat_fail(w, t, "unexpected token");
  w->pos++;
  unsigned n = 0;
  /* lane literals: numbers, inf/nan keywords, and malformed numbers (reported below) */
  for (size_t k = w->pos;; k++) {
    const text_token *l = &w->toks[k];
    bool special = l->kind == TOK_KEYWORD && (strncmp(w->src + l->start, "inf", 3) == 0 || strncmp(w->src + l->start, "nan", 3) == 0);
    if (l->kind != TOK_NUM && l->kind != TOK_RESERVED && !special) break;
    n++;
  }
  if (n != shapes[s].lanes) return wat_fail(w, wat_tok(w), "wrong number of lane literals");
  for (unsigned i = 0; i < shapes[s].lanes; i++) {
    uint64_t v;
    if (shapes[s].fl ? !float_const(w, shapes[s].bits, &v) : !int_const(w, shapes[s].bits, &v)) return false;
    put_le(out, v, shapes[s].bits / 8);
  }
  return true;
}

static bool memarg(wat *w, text_buf *out, unsigned natural) { return memarg_at(w, out, natural, false); }

static bool idx_or_zero(wat *w, int space, uint32_t *v) {
  *v = 0;
  return is_index_tok(wat_tok(w)) ? wat_index(w, space, v) : true;
}

/* The immediates of a non-block instruction, after its name, and its encoding. */
static bool plain(wat *w, int op, text_buf *out) {
  const wasm_opinfo *info = &wasm_opinfo_table[op];
  uint32_t a, b;
  uint64_t v;
  if (op == WASM_OP_SELECT) {
    if (!wat_is_lpar_kw(w, "result")) { emit_op(out, op); return true; }
    text_buf types = {0};
    uint32_t ntypes = 0;
    while (wat_is_lpar_kw(w, "result")) {
      w->pos += 2;
      while (wat_tok(w)->kind != TOK_RPAR) {
        uint32_t t = 0;
        if (!wat_valtype(w, &t)) { text_buf_free(&types); return false; }
        wat_emit_valtype(&types, t);
        ntypes++;
      }
      w->pos++;
    }
    /* `(result)` with no types is still the typed form, with zero types: the spec's
     * grammar says so and validation rejects it ("invalid result arity"). */
    emit_op(out, WASM_OP_SELECT_T);
    text_buf_u32(out, ntypes);
    text_buf_append(out, &types);
    text_buf_free(&types);
    return true;
  }
  switch ((wasm_imm_kind)info->imm) {
  case WASM_IMM_NONE:
    emit_op(out, op);
    return true;
  case WASM_IMM_FENCE: /* atomic.fence: a reserved zero byte */
    emit_op(out, op);
    text_buf_byte(out, 0);
    return true;
  case WASM_IMM_BLOCKTYPE:
    return wat_fail(w, wat_tok(w), "unexpected token");
  case WASM_IMM_TYPE:
    if (!wat_index(w, SPACE_TYPE, &a)) return false;
    emit_op(out, op);
    text_buf_u32(out, a);
    return true;
  case WASM_IMM_LABEL:
    if (!label_index(w, &a)) return false;
    emit_op(out, op);
    text_buf_u32(out, a);
    return true;
  case WASM_IMM_BR_TABLE: {
    text_buf labels = {0};
    uint32_t n = 0;
    while (is_index_tok(wat_tok(w))) {
      if (!label_index(w, &a)) { text_buf_free(&labels); return false; }
      text_buf_u32(&labels, a);
      n++;
    }
    if (n == 0) { text_buf_free(&labels); return wat_fail(w, wat_tok(w), "unexpected token"); }
    emit_op(out, op);
    text_buf_u32(out, n - 1);
    text_buf_append(out, &labels);
    text_buf_free(&labels);
    return true;
  }
  case WASM_IMM_FUNC:
  case WASM_IMM_GLOBAL:
  case WASM_IMM_DATAIDX:
  case WASM_IMM_ELEMIDX: {
    int space = info->imm == WASM_IMM_FUNC ? SPACE_FUNC : info->imm == WASM_IMM_GLOBAL ? SPACE_GLOBAL
              : info->imm == WASM_IMM_DATAIDX ? SPACE_DATA : SPACE_ELEM;
    if (!wat_index(w, space, &a)) return false;
    if (space == SPACE_DATA) w->uses_data_count = true;
    emit_op(out, op);
    text_buf_u32(out, a);
    return true;
  }
  case WASM_IMM_LOCAL:
    if (!local_index(w, &a)) return false;
    emit_op(out, op);
    text_buf_u32(out, a);
    return true;
  case WASM_IMM_TABLE:
    if (!idx_or_zero(w, SPACE_TABLE, &a)) return false;
    emit_op(out, op);
    text_buf_u32(out, a);
    return true;
  case WASM_IMM_CALL_INDIRECT:
    if (!idx_or_zero(w, SPACE_TABLE, &b) || !wat_typeuse(w, &a, false)) return false;
    emit_op(out, op);
    text_buf_u32(out, a);
    text_buf_u32(out, b);
    return true;
  case WASM_IMM_SELECT_T:
    return wat_fail(w, wat_tok(w), "unexpected token");
  case WASM_IMM_MEM:
    emit_op(out, op);
    return memarg(w, out, info->arg & 0xf);
  case WASM_IMM_MEMLANE:
    emit_op(out, op);
    return memarg_at(w, out, info->arg & 0xf, true) && lane_u8(w, out, false);
  case WASM_IMM_MEMIDX:
    if (!idx_or_zero(w, SPACE_MEM, &a)) return false;
    emit_op(out, op);
    text_buf_u32(out, a);
    return true;
  case WASM_IMM_I32C:
    if (!int_const(w, 32, &v)) return false;
    emit_op(out, op);
    text_buf_s32(out, (int32_t)(uint32_t)v);
    return true;
  case WASM_IMM_I64C:
    if (!int_const(w, 64, &v)) return false;
    emit_op(out, op);
    text_buf_s64(out, (int64_t)v);
    return true;
  case WASM_IMM_F32C:
  case WASM_IMM_F64C: {
    unsigned bits = info->imm == WASM_IMM_F32C ? 32 : 64;
    if (!float_const(w, bits, &v)) return false;
    emit_op(out, op);
    put_le(out, v, bits / 8);
    return true;
  }
  case WASM_IMM_V128C:
    emit_op(out, op);
    return v128_const(w, out);
  case WASM_IMM_SHUFFLE:
    emit_op(out, op);
    for (int i = 0; i < 16; i++) {
      if (wat_tok(w)->kind == TOK_RPAR || wat_tok(w)->kind == TOK_LPAR) return wat_fail(w, wat_tok(w), "invalid lane length");
      if (!lane_u8(w, out, true)) return false;
    }
    if (wat_tok(w)->kind == TOK_NUM) return wat_fail(w, wat_tok(w), "invalid lane length");
    return true;
  case WASM_IMM_LANE:
    emit_op(out, op);
    return lane_u8(w, out, false);
  case WASM_IMM_REFTYPE: {
    uint32_t h;
    if (!wat_heaptype(w, &h)) return false;
    emit_op(out, op);
    wat_emit_heaptype(out, h);
    return true;
  }
  case WASM_IMM_MEMINIT:
    /* memory.init x? y: with one index it is the data segment */
    b = 0;
    if (is_index_tok(wat_peek(w, 1)) && !wat_index(w, SPACE_MEM, &b)) return false;
    if (!wat_index(w, SPACE_DATA, &a)) return false;
    w->uses_data_count = true;
    emit_op(out, op);
    text_buf_u32(out, a);
    text_buf_u32(out, b);
    return true;
  case WASM_IMM_MEMCOPY:
    /* memory.copy (x y)?: destination, then source */
    a = b = 0;
    if (is_index_tok(wat_tok(w)) && (!wat_index(w, SPACE_MEM, &a) || !wat_index(w, SPACE_MEM, &b))) return false;
    emit_op(out, op);
    text_buf_u32(out, a);
    text_buf_u32(out, b);
    return true;
  case WASM_IMM_TABLEINIT:
    /* table.init x? y: with one index it is the element segment */
    if (!wat_index(w, is_index_tok(wat_peek(w, 1)) ? SPACE_TABLE : SPACE_ELEM, &a)) return false;
    if (is_index_tok(wat_tok(w))) {
      if (!wat_index(w, SPACE_ELEM, &b)) return false;
    } else {
      b = a;
      a = 0;
    }
    emit_op(out, op);
    text_buf_u32(out, b);
    text_buf_u32(out, a);
    return true;
  case WASM_IMM_TAG:
    if (!wat_index(w, SPACE_TAG, &a)) return false;
    emit_op(out, op);
    text_buf_u32(out, a);
    return true;
  case WASM_IMM_TRY_TABLE:
    return wat_fail(w, wat_tok(w), "unexpected token");
  case WASM_IMM_TABLECOPY:
    a = b = 0;
    if (is_index_tok(wat_tok(w)) && (!wat_index(w, SPACE_TABLE, &a) || !wat_index(w, SPACE_TABLE, &b))) return false;
    emit_op(out, op);
    text_buf_u32(out, a);
    text_buf_u32(out, b);
    return true;
  case WASM_IMM_TYPE_FIELD:
  case WASM_IMM_TYPE_FIXED:
  case WASM_IMM_TYPE_DATA:
  case WASM_IMM_TYPE_ELEM:
  case WASM_IMM_TYPE_TYPE: {
    if (!wat_index(w, SPACE_TYPE, &a)) return false;
    bool ok;
    switch (info->imm) {
    case WASM_IMM_TYPE_FIELD: ok = wat_field_index(w, a, &b); break;
    case WASM_IMM_TYPE_FIXED: ok = wat_u32(w, &b); break;
    case WASM_IMM_TYPE_DATA: ok = wat_index(w, SPACE_DATA, &b); w->uses_data_count = true; break;
    case WASM_IMM_TYPE_ELEM: ok = wat_index(w, SPACE_ELEM, &b); break;
    default: ok = wat_index(w, SPACE_TYPE, &b); break;
    }
    if (!ok) return false;
    emit_op(out, op);
    text_buf_u32(out, a);
    text_buf_u32(out, b);
    return true;
  }
  case WASM_IMM_HEAPTYPE: {
    /* ref.test and ref.cast name both encodings: the reference type's nullability picks */
    uint32_t t;
    if (!wat_reftype(w, &t)) return false;
    emit_op(out, wasm_ref_nullable(t) ? (info->arg ? op : op + 1) : (info->arg ? op - 1 : op));
    wat_emit_heaptype(out, wasm_ref_heap(t));
    return true;
  }
  case WASM_IMM_BR_ON_CAST: {
    uint32_t t1, t2;
    if (!label_index(w, &a) || !wat_reftype(w, &t1) || !wat_reftype(w, &t2)) return false;
    emit_op(out, op);
    text_buf_byte(out, (uint8_t)((wasm_ref_nullable(t1) ? 1 : 0) | (wasm_ref_nullable(t2) ? 2 : 0)));
    text_buf_u32(out, a);
    wat_emit_heaptype(out, wasm_ref_heap(t1));
    wat_emit_heaptype(out, wasm_ref_heap(t2));
    return true;
  }
  }
  return wat_fail(w, wat_tok(w), "unknown operator");
}

/* try_table's label, block type and catch clauses, then its encoding. The clauses' labels
 * are resolved outside the try_table (its own label scopes only its body). */
static bool try_table_head(wat *w, text_buf *out, int64_t *bt) {
  wat_label l = {NULL, 0};
  const text_token *lt = wat_tok(w);
  if (lt->kind == TOK_ID) {
    l = (wat_label){lt->id, lt->idlen};
    w->pos++;
  }
  if (!wat_blocktype(w, bt)) return false;
  static const char kinds[][14] = {"catch", "catch_ref", "catch_all", "catch_all_ref"};
  text_buf clauses = {0};
  uint32_t n = 0;
  for (;;) {
    int kind = -1;
    for (int k = 0; k < 4; k++)
      if (wat_is_lpar_kw(w, kinds[k])) kind = k;
    if (kind < 0) break;
    w->pos += 2;
    uint32_t x = 0, lab = 0;
    bool ok = (!wasm_catch_has_tag((uint8_t)kind) || wat_index(w, SPACE_TAG, &x)) && label_index(w, &lab) &&
              wat_expect_rpar(w);
    if (!ok) {
      text_buf_free(&clauses);
      return false;
    }
    text_buf_byte(&clauses, (uint8_t)kind);
    if (wasm_catch_has_tag((uint8_t)kind)) text_buf_u32(&clauses, x);
    text_buf_u32(&clauses, lab);
    n++;
  }
  wat_note_block(w, l.name, l.len);
  if (!UTIL_VEC_TRY_PUSH(w->labels, w->nlabels, w->labels_cap, l)) {
    text_buf_free(&clauses);
    return wat_oom(w, wat_tok(w));
  }
  emit_op(out, WASM_OP_TRY_TABLE);
  emit_blocktype(out, *bt);
  text_buf_u32(out, n);
  text_buf_bytes(out, clauses.p, clauses.len);
  text_buf_free(&clauses);
  return true;
}

static int op_at(wat *w, const text_token *t) {
  if (t->kind != TOK_KEYWORD) return -1;
  return text_opcode_by_name(w->src + t->start, t->len);
}

/* Where an instruction is expected, a keyword of the module syntax (a misplaced
 * `(param`, `(local` ...) is an unexpected token rather than an unknown operator. */
static bool not_an_instr(wat *w, const text_token *t) {
  static const char syntax[][14] = {"param", "result", "local", "type", "export", "import", "then", "else",
                                    "item", "offset", "mut", "func", "table", "memory", "global", "elem",
                                    "data", "start", "module", "declare", "catch", "catch_ref",
                                    "catch_all", "catch_all_ref"};
  if (t->kind == TOK_KEYWORD) {
    for (size_t i = 0; i < sizeof syntax / sizeof syntax[0]; i++)
      if (wat_is_kw(t, w->src, syntax[i])) return wat_fail(w, t, "unexpected token");
    /* named, as the reference reader does: "unknown operator get_local" */
    return wat_fail(w, t, "unknown operator %.*s", (int)(t->len > 64 ? 64 : t->len), w->src + t->start);
  }
  return wat_fail(w, t, t->kind == TOK_RESERVED ? "unknown operator" : "unexpected token");
}

/* ---------- nesting ----------------------------------------------------------------------
 *
 * Blocks and folded instructions nest as deep as the input does, so the reader keeps its
 * own stack of open constructs on the heap instead of recursing on the C stack: one
 * frame per open flat block, folded block/loop, folded if, or folded plain instruction
 * whose operands are being read. At most WAT_MAX_NESTING frames are open at once (the
 * binary reader handles as deep a nesting; deeper text fails with "nesting too deep"). */

#define WAT_MAX_NESTING 1000000u

enum {
  F_FLAT,       /* block/loop/if ... (else ...)? end */
  F_FLAT_ELSE,  /* the else part of a flat if */
  F_BLOCK,      /* (block ...) / (loop ...) */
  F_IF_COND,    /* (if label? bt <folded condition>* (then ...) ...): the condition */
  F_IF_THEN,
  F_IF_ELSE,
  F_PLAIN,      /* (op imm* <folded operand>*): the operands; the op is parked in scratch */
  F_TRY,        /* (try ... (do ...) (catch x ...)* (catch_all ...)?) or (... (delegate l)):
                   inside one of the parts; mark: 0 in do, 1 in a catch, 2 in catch_all */
};

typedef struct ctl_frame {
  uint8_t kind;
  int op;
  size_t close;       /* folded: the token index of the closing `)` */
  size_t mark;        /* F_*ELSE: out->len after the else opcode; F_PLAIN: scratch mark */
  int64_t bt;         /* F_IF_COND */
  wat_label label;    /* F_IF_COND: the label, pushed once the condition is read */
} ctl_frame;

typedef struct ctl_stack {
  ctl_frame *f;
  size_t n, cap;
} ctl_stack;

static bool ctl_push(wat *w, ctl_stack *c, ctl_frame fr) {
  if (c->n >= WAT_MAX_NESTING)
    return wat_fail(w, wat_tok(w), "nesting too deep (more than %u levels)", WAT_MAX_NESTING);
  if (!UTIL_VEC_TRY_PUSH(c->f, c->n, c->cap, fr)) return wat_oom(w, wat_tok(w));
  return true;
}

/* The `)` that closes a folded instruction. */
static bool close_folded(wat *w, size_t close) {
  if (w->pos != close) return wat_fail(w, wat_tok(w), "unexpected token");
  w->pos++;
  return true;
}

/* Opens `( op ...`: emits what comes before the nested parts and pushes their frame. */
static bool open_folded(wat *w, ctl_stack *c, text_buf *out) {
  const text_token *open = wat_tok(w);
  ctl_frame fr = {.close = open->match};
  w->pos++;
  const text_token *t = wat_tok(w);
  int op = op_at(w, t);
  if (op < 0) return not_an_instr(w, t);
  w->pos++;
  fr.op = op;
  if (op == WASM_OP_TRY_TABLE) {
    if (!try_table_head(w, out, &fr.bt)) return false;
    fr.kind = F_BLOCK;
  } else if (op == WASM_OP_BLOCK || op == WASM_OP_LOOP) {
    if (!push_label(w) || !wat_blocktype(w, &fr.bt)) return false;
    emit_op(out, op);
    emit_blocktype(out, fr.bt);
    fr.kind = F_BLOCK;
  } else if (op == WASM_OP_IF) {
    /* the label scopes the branches, not the condition */
    const text_token *lt = wat_tok(w);
    if (lt->kind == TOK_ID) {
      fr.label = (wat_label){lt->id, lt->idlen};
      w->pos++;
    }
    if (!wat_blocktype(w, &fr.bt)) return false;
    fr.kind = F_IF_COND;
  } else if (op == WASM_OP_TRY) {
    if (!push_label(w) || !wat_blocktype(w, &fr.bt)) return false;
    emit_op(out, op);
    emit_blocktype(out, fr.bt);
    if (!wat_is_lpar_kw(w, "do")) return wat_fail(w, wat_tok(w), "unexpected token");
    w->pos += 2;
    fr.kind = F_TRY;
    fr.mark = 0;
  } else if (op == WASM_OP_ELSE || op == WASM_OP_END || op == WASM_OP_CATCH || op == WASM_OP_CATCH_ALL ||
             op == WASM_OP_DELEGATE) {
    return wat_fail(w, t, "unexpected token");
  } else {
    fr.mark = w->scratch.len;
    if (!plain(w, op, &w->scratch)) return false;
    fr.kind = F_PLAIN;
  }
  return ctl_push(w, c, fr);
}

/* Reads instructions until the outermost sequence ends (at `)`, `end`, `else` or the end
 * of input), or with `one`, exactly one folded instruction. */
static bool instrs(wat *w, text_buf *out, bool one) {
  ctl_stack c = {NULL, 0, 0};
  bool ok = true;
  if (one) {
    if (wat_tok(w)->kind != TOK_LPAR) ok = wat_fail(w, wat_tok(w), "unexpected token");
    else ok = open_folded(w, &c, out);
  }
  while (ok) {
    const text_token *t = wat_tok(w);
    ctl_frame *top = c.n ? &c.f[c.n - 1] : NULL;
    if (out->oom || w->scratch.oom) {
      ok = wat_oom(w, t);
      break;
    }
    if (!top && one) break;
    if (top && top->kind == F_PLAIN) {
      if (t->kind == TOK_LPAR) {
        ok = open_folded(w, &c, out);
        continue;
      }
      /* operands done: the instruction follows them */
      text_buf_bytes(out, w->scratch.p + top->mark, w->scratch.len - top->mark);
      w->scratch.len = top->mark;
      size_t close = top->close;
      c.n--;
      ok = close_folded(w, close);
      continue;
    }
    if (top && top->kind == F_IF_COND) {
      if (t->kind == TOK_LPAR && !wat_is_lpar_kw(w, "then")) {
        ok = open_folded(w, &c, out);
        continue;
      }
      if (!wat_is_lpar_kw(w, "then")) {
        ok = wat_fail(w, t, "unexpected token");
        continue;
      }
      wat_note_block(w, top->label.name, top->label.len);
      if (!UTIL_VEC_TRY_PUSH(w->labels, w->nlabels, w->labels_cap, top->label)) {
        ok = wat_oom(w, t);
        continue;
      }
      emit_op(out, WASM_OP_IF);
      emit_blocktype(out, top->bt);
      w->pos += 2;
      top->kind = F_IF_THEN;
      continue;
    }
    bool seq_end = t->kind == TOK_RPAR || t->kind == TOK_EOF || wat_is_kw(t, w->src, "end") ||
                   wat_is_kw(t, w->src, "else") || wat_is_kw(t, w->src, "catch") ||
                   wat_is_kw(t, w->src, "catch_all") || wat_is_kw(t, w->src, "delegate");
    if (!seq_end) { /* one more instruction of the current sequence */
      if (t->kind == TOK_LPAR) {
        ok = open_folded(w, &c, out);
        continue;
      }
      int op = op_at(w, t);
      if (op < 0) {
        ok = not_an_instr(w, t);
      } else if (op == WASM_OP_TRY) {
        w->pos++;
        ctl_frame fr = {.kind = F_FLAT, .op = op};
        ok = push_label(w) && wat_blocktype(w, &fr.bt) && ctl_push(w, &c, fr);
        if (ok) {
          emit_op(out, op);
          emit_blocktype(out, fr.bt);
        }
      } else if (op == WASM_OP_TRY_TABLE) {
        w->pos++;
        ctl_frame fr = {.kind = F_FLAT, .op = op};
        ok = try_table_head(w, out, &fr.bt) && ctl_push(w, &c, fr);
      } else if (op == WASM_OP_BLOCK || op == WASM_OP_LOOP || op == WASM_OP_IF) {
        w->pos++;
        ctl_frame fr = {.kind = F_FLAT, .op = op};
        ok = push_label(w) && wat_blocktype(w, &fr.bt) && ctl_push(w, &c, fr);
        if (ok) {
          emit_op(out, op);
          emit_blocktype(out, fr.bt);
        }
      } else if (op == WASM_OP_ELSE || op == WASM_OP_END) {
        ok = wat_fail(w, t, "unexpected token");
      } else {
        w->pos++;
        ok = plain(w, op, out);
      }
      continue;
    }
    if (!top) break; /* the caller's sequence ends here */
    switch (top->kind) {
    case F_FLAT:
    case F_FLAT_ELSE:
      if (top->op == WASM_OP_TRY && (wat_is_kw(t, w->src, "catch") || wat_is_kw(t, w->src, "catch_all"))) {
        /* mark: 0 in the body, 1 after a catch, 2 after catch_all (which comes last) */
        if (top->mark == 2) {
          ok = wat_fail(w, t, "unexpected token");
          break;
        }
        bool all = wat_is_kw(t, w->src, "catch_all");
        w->pos++;
        uint32_t x = 0;
        if (!all && !(ok = wat_index(w, SPACE_TAG, &x))) break;
        emit_op(out, all ? WASM_OP_CATCH_ALL : WASM_OP_CATCH);
        if (!all) text_buf_u32(out, x);
        top->mark = all ? 2 : 1;
        break;
      }
      if (top->op == WASM_OP_TRY && wat_is_kw(t, w->src, "delegate")) {
        if (top->mark != 0) {
          ok = wat_fail(w, t, "unexpected token");
          break;
        }
        w->pos++;
        w->nlabels--; /* the label counts from outside the try */
        uint32_t l;
        if (!(ok = label_index(w, &l))) break;
        emit_op(out, WASM_OP_DELEGATE);
        text_buf_u32(out, l);
        c.n--;
        break;
      }
      if (top->kind == F_FLAT && top->op == WASM_OP_IF && wat_is_kw(t, w->src, "else")) {
        w->pos++;
        if (!(ok = closing_label(w))) break;
        text_buf_byte(out, 0x05);
        top->mark = out->len;
        top->kind = F_FLAT_ELSE;
        break;
      }
      if (top->kind == F_FLAT_ELSE && out->len == top->mark) out->len--; /* an empty else is left out */
      if (!wat_is_kw(t, w->src, "end")) {
        ok = wat_fail(w, t, "unexpected token");
        break;
      }
      w->pos++;
      if (!(ok = closing_label(w))) break;
      text_buf_byte(out, 0x0b);
      w->nlabels--;
      c.n--;
      break;
    case F_TRY: {
      if (!(ok = wat_expect_rpar(w))) break; /* the end of (do ...) or (catch ...) */
      bool is_catch = wat_is_lpar_kw(w, "catch"), is_all = wat_is_lpar_kw(w, "catch_all");
      if ((is_catch || is_all) && top->mark != 2) {
        w->pos += 2;
        uint32_t x = 0;
        if (is_catch && !(ok = wat_index(w, SPACE_TAG, &x))) break;
        emit_op(out, is_all ? WASM_OP_CATCH_ALL : WASM_OP_CATCH);
        if (is_catch) text_buf_u32(out, x);
        top->mark = is_all ? 2 : 1;
        break;
      }
      size_t close = top->close;
      if (wat_is_lpar_kw(w, "delegate") && top->mark == 0) {
        w->pos += 2;
        w->nlabels--;
        uint32_t l;
        if (!(ok = label_index(w, &l) && wat_expect_rpar(w))) break;
        emit_op(out, WASM_OP_DELEGATE);
        text_buf_u32(out, l);
        c.n--;
        ok = close_folded(w, close);
        break;
      }
      text_buf_byte(out, 0x0b);
      w->nlabels--;
      c.n--;
      ok = close_folded(w, close);
      break;
    }
    case F_BLOCK: {
      text_buf_byte(out, 0x0b);
      w->nlabels--;
      size_t close = top->close;
      c.n--;
      ok = close_folded(w, close);
      break;
    }
    case F_IF_THEN:
    case F_IF_ELSE: {
      if (!(ok = wat_expect_rpar(w))) break;
      if (top->kind == F_IF_THEN && wat_is_lpar_kw(w, "else")) {
        w->pos += 2;
        text_buf_byte(out, 0x05);
        top->mark = out->len;
        top->kind = F_IF_ELSE;
        break;
      }
      if (top->kind == F_IF_ELSE && out->len == top->mark) out->len--; /* an empty else is left out */
      text_buf_byte(out, 0x0b);
      w->nlabels--;
      size_t close = top->close;
      c.n--;
      ok = close_folded(w, close);
      break;
    }
    }
  }
  free(c.f);
  return ok;
}

bool wat_instrs(wat *w, text_buf *out) { return instrs(w, out, false); }

bool wat_const_expr(wat *w, text_buf *out) {
  size_t depth = w->nlabels;
  if (!wat_instrs(w, out)) return false;
  if (wat_tok(w)->kind != TOK_RPAR) return wat_fail(w, wat_tok(w), "unexpected token");
  w->nlabels = depth;
  text_buf_byte(out, 0x0b);
  return true;
}

bool wat_folded_one(wat *w, text_buf *out) { return instrs(w, out, true); }

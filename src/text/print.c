/* The printer: a decoded module as text that reads back to the same binary sections
 * (custom sections aside). Every definition is written in full (explicit type indices,
 * explicit segment modes); identifiers come from the name section where they are valid
 * and unique, indices are written as numbers. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../wasm/instr.h"
#include "../wasm/module.h"
#include "internal.h"

enum { ID_TYPE, ID_TABLE, ID_MEM, ID_GLOBAL, ID_ELEM, ID_DATA, SPACE_IDS };

typedef struct pr {
  const wasm_module *m;
  FILE *f;
  bool folded;
  int indent;
  char **func_ids; /* "$name" or NULL, per function */
  char **ids[SPACE_IDS];   /* the other index spaces: "$name" or NULL per entry */
  uint32_t nids[SPACE_IDS];
  /* the function being printed */
  uint32_t fi;
  char **local_ids;
  uint32_t nlocal_ids;
  uint32_t nblocks;        /* blocks seen so far, numbering them for label names */
  text_namemap label_seen;
} pr;

/* Indentation stops growing at this depth: deeper code would make the output quadratic
 * in its nesting (a million nested blocks would print terabytes of spaces). */
#define MAX_INDENT 64

static void nl(pr *p) {
  /* the newline and the indentation in one write (two spaces a level) */
  static const char line[1 + 2 * MAX_INDENT + 1] =
    "\n                                                                "
    "                                                                ";
  int levels = p->indent < 0 ? 0 : p->indent < MAX_INDENT ? p->indent : MAX_INDENT;
  fwrite(line, 1, 1 + 2 * (size_t)levels, p->f);
}

static void str(FILE *f, const char *s, size_t n) {
  fputc('"', f);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c >= 0x20 && c < 0x7f) fputc(c, f);
    else fprintf(f, "\\%02x", c);
  }
  fputc('"', f);
}

static bool idchar(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c && strchr("!#$%&'*+-./:<=>?@\\^_`|~", c));
}

/* "$name" when the name-section entry is an identifier not used before: plain when every
 * character is an id character, else quoted (3.0's `$"..."`, quotes, backslashes and
 * control characters escaped); NULL for an empty name or one that is not UTF-8. Names
 * are compared as the reader compares them: the decoded bytes. Out of memory: NULL with
 * seen->oom set. */
static char *ident(const wasm_name *n, text_namemap *seen) {
  if (!n->str || n->len == 0) return NULL;
  bool plain = true;
  for (uint32_t i = 0; i < n->len; i++) plain &= idchar((unsigned char)n->str[i]);
  if (!plain && !util_utf8_valid((const uint8_t *)n->str, n->len)) return NULL;
  /* The map keeps its keys: the module's own copy of the name lives as long as it. */
  if (!text_names_add(seen, n->str, n->len, 0)) return NULL; /* or seen->oom */
  if (plain) {
    char *key = util_try_malloc((size_t)n->len + 2);
    if (!key) {
      seen->oom = true;
      return NULL;
    }
    key[0] = '$';
    memcpy(key + 1, n->str, n->len);
    key[n->len + 1] = 0;
    return key;
  }
  char *s = util_try_malloc((size_t)n->len * 3 + 4), *o = s; /* at worst \hh per byte */
  if (!s) {
    seen->oom = true;
    return NULL;
  }
  *o++ = '$';
  *o++ = '"';
  for (uint32_t i = 0; i < n->len; i++) {
    unsigned char c = (unsigned char)n->str[i];
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') o += sprintf(o, "\\%02x", c);
    else *o++ = (char)c;
  }
  *o++ = '"';
  *o = 0;
  return s;
}

static void free_idents(char **ids, uint32_t n);

/* Identifiers for one index space from its name map (absent or invalid: NULL); the
 * array itself is NULL when out of memory. */
static char **idents(const wasm_name *names, uint32_t n) {
  char **ids = util_try_calloc((size_t)n + 1, sizeof *ids);
  if (!ids) return NULL;
  text_namemap seen = {0};
  for (uint32_t i = 0; names && i < n && !seen.oom; i++) ids[i] = ident(&names[i], &seen);
  if (seen.oom) {
    free_idents(ids, n);
    ids = NULL;
  }
  text_names_free(&seen);
  return ids;
}

static void free_idents(char **ids, uint32_t n) {
  if (!ids) return;
  for (uint32_t i = 0; i < n; i++) free(ids[i]);
  free(ids);
}

/* " $name" or " N" for an index of space k. */
static void ref(pr *p, int k, uint32_t i) {
  if (i < p->nids[k] && p->ids[k][i]) fprintf(p->f, " %s", p->ids[k][i]);
  else fprintf(p->f, " %" PRIu32, i);
}

static void def_id(pr *p, int k, uint32_t i) {
  if (i < p->nids[k] && p->ids[k][i]) fprintf(p->f, " %s", p->ids[k][i]);
}

static void local_ref(pr *p, uint32_t i) {
  if (i < p->nlocal_ids && p->local_ids[i]) fprintf(p->f, " %s", p->local_ids[i]);
  else fprintf(p->f, " %" PRIu32, i);
}

/* The name of the n-th block of the current function, if valid and unique in it. */
static char *label_id(pr *p, uint32_t n) {
  const wasm_module *m = p->m;
  if (!m->label_names || p->fi >= m->nfuncs) return NULL;
  const wasm_local_names *ln = &m->label_names[p->fi];
  for (uint32_t k = 0; k < ln->count; k++)
    if (ln->indices[k] == n) return ident(&ln->names[k], &p->label_seen);
  return NULL;
}

/* " func", " any", ... or the type's index (or name). */
static void heaptype(pr *p, uint32_t h) {
  if (wasm_heap_name(h)) fprintf(p->f, " %s", wasm_heap_name(h));
  else ref(p, ID_TYPE, h - WASM_HEAP_INDEX);
}

/* A reference type in full: "(ref null? ht)". */
static void reftype(pr *p, wasm_vtype t) {
  fprintf(p->f, "(ref%s", wasm_ref_nullable(t) ? " null" : "");
  heaptype(p, wasm_ref_heap(t));
  fputc(')', p->f);
}

static void valtypes(pr *p, const char *kw, const wasm_vtype *t, uint32_t n);

static void field_def(pr *p, const wasm_fieldtype *ft) {
  if (ft->mut) fprintf(p->f, " (mut %s)", wasm_valtype_name(ft->type));
  else fprintf(p->f, " %s", wasm_valtype_name(ft->type));
}

/* (type $id (;i;) (sub final? super (func|struct|array ...))), `sub` left out for a final
 * type without supertypes. */
static void type_def(pr *p, uint32_t i) {
  const wasm_module *m = p->m;
  const wasm_deftype *d = &m->deftypes[i];
  FILE *f = p->f;
  fputs("(type", f);
  def_id(p, ID_TYPE, i);
  fprintf(f, " (;%" PRIu32 ";) ", i);
  bool sub = !d->final || d->super != WASM_NO_SUPER;
  if (sub) {
    fputs(d->final ? "(sub final" : "(sub", f);
    if (d->super != WASM_NO_SUPER) ref(p, ID_TYPE, d->super);
    fputc(' ', f);
  }
  switch (d->kind) {
  case WASM_TYPE_FUNC:
    fputs("(func", f);
    valtypes(p, "param", m->types[i].params, m->types[i].nparams);
    valtypes(p, "result", m->types[i].results, m->types[i].nresults);
    break;
  case WASM_TYPE_STRUCT:
    fputs("(struct", f);
    for (uint32_t k = 0; k < d->nfields; k++) {
      fputs(" (field", f);
      field_def(p, &d->fields[k]);
      fputc(')', f);
    }
    break;
  default:
    fputs("(array", f);
    field_def(p, &d->fields[0]);
    break;
  }
  fputs(sub ? ")))" : "))", f);
}

/* A struct field index (fields are not named by the name section weld reads). */
static void field_ref(pr *p, uint32_t type, uint32_t field) {
  (void)type;
  fprintf(p->f, " %" PRIu32, field);
}

static void valtypes(pr *p, const char *kw, const wasm_vtype *t, uint32_t n) {
  if (n == 0) return;
  fprintf(p->f, " (%s", kw);
  for (uint32_t i = 0; i < n; i++) fprintf(p->f, " %s", wasm_valtype_name(t[i]));
  fputc(')', p->f);
}

static void limits(pr *p, const wasm_limits *l) {
  if (l->is64) fputs(" i64", p->f);
  fprintf(p->f, " %" PRIu64, l->min);
  if (l->has_max) fprintf(p->f, " %" PRIu64, l->max);
  if (l->shared) fputs(" shared", p->f); /* a shared memory (threads) */
}

static void f32(FILE *f, uint32_t bits) {
  const char *sign = bits >> 31 ? "-" : "";
  uint32_t mag = bits & 0x7fffffff;
  if (mag == 0x7f800000) fprintf(f, "%sinf", sign);
  else if (mag > 0x7f800000) fprintf(f, "%snan:0x%" PRIx32, sign, mag & 0x7fffff);
  else {
    float v;
    memcpy(&v, &bits, 4);
    fprintf(f, "%a", (double)v);
  }
}

static void f64(FILE *f, uint64_t bits) {
  const char *sign = bits >> 63 ? "-" : "";
  uint64_t mag = bits & 0x7fffffffffffffffull;
  if (mag == 0x7ff0000000000000ull) fprintf(f, "%sinf", sign);
  else if (mag > 0x7ff0000000000000ull) fprintf(f, "%snan:0x%" PRIx64, sign, (uint64_t)(mag & 0xfffffffffffffull));
  else {
    double v;
    memcpy(&v, &bits, 8);
    fprintf(f, "%a", v);
  }
}

static void blocktype(pr *p, int64_t bt, wasm_vtype single) {
  if (bt == -64) return;
  if (bt < 0) fprintf(p->f, " (result %s)", wasm_valtype_name(single));
  else {
    fputs(" (type", p->f);
    ref(p, ID_TYPE, (uint32_t)bt);
    fputc(')', p->f);
  }
}

static void memarg(pr *p, const wasm_instr *in, unsigned natural) {
  if (in->mem.memidx) ref(p, ID_MEM, in->mem.memidx);
  if (in->mem.offset) fprintf(p->f, " offset=%" PRIu64, in->mem.offset);
  if (in->mem.align != natural && in->mem.align < 64) fprintf(p->f, " align=%" PRIu64, (uint64_t)1 << in->mem.align);
}

/* A branch target: the label's name when the target block has one. */
static void label_ref(pr *p, uint32_t d, char **labels, int depth) {
  if (d < (uint32_t)depth && labels[depth - 1 - (int)d]) fprintf(p->f, " %s", labels[depth - 1 - (int)d]);
  else fprintf(p->f, " %" PRIu32, d);
}

/* One instruction's name and immediates (not block structure). labels: the names of
 * the `depth` open blocks, outermost first. */
static void immediates(pr *p, const wasm_instr *in, char **labels, int depth) {
  const wasm_opinfo *info = &wasm_opinfo_table[in->op];
  FILE *f = p->f;
  switch ((wasm_imm_kind)info->imm) {
  case WASM_IMM_NONE:
  case WASM_IMM_FENCE: break;
  /* memory 0 is implicit, as in 2.0 text */
  case WASM_IMM_MEMIDX:
    if (in->idx) ref(p, ID_MEM, in->idx);
    break;
  case WASM_IMM_MEMCOPY:
    if (in->idx || in->idx2) ref(p, ID_MEM, in->idx), ref(p, ID_MEM, in->idx2);
    break;
  case WASM_IMM_BLOCKTYPE: blocktype(p, in->blocktype, in->bt_type); break;
  case WASM_IMM_TYPE: ref(p, ID_TYPE, in->idx); break;
  case WASM_IMM_LABEL: label_ref(p, in->idx, labels, depth); break;
  case WASM_IMM_LOCAL: local_ref(p, in->idx); break;
  case WASM_IMM_GLOBAL: ref(p, ID_GLOBAL, in->idx); break;
  case WASM_IMM_TABLE: ref(p, ID_TABLE, in->idx); break;
  case WASM_IMM_DATAIDX: ref(p, ID_DATA, in->idx); break;
  case WASM_IMM_ELEMIDX: ref(p, ID_ELEM, in->idx); break;
  case WASM_IMM_FUNC:
    if (in->idx < p->m->nfuncs && p->func_ids[in->idx]) fprintf(f, " %s", p->func_ids[in->idx]);
    else fprintf(f, " %" PRIu32, in->idx);
    break;
  case WASM_IMM_BR_TABLE: {
    const uint8_t *t = in->targets;
    for (uint32_t i = 0; i < in->ntargets; i++) label_ref(p, wasm_br_table_next(&t), labels, depth);
    label_ref(p, in->idx, labels, depth);
    break;
  }
  case WASM_IMM_CALL_INDIRECT:
    ref(p, ID_TABLE, in->idx2);
    fputs(" (type", f);
    ref(p, ID_TYPE, in->idx);
    fputc(')', f);
    break;
  case WASM_IMM_SELECT_T: valtypes(p, "result", &in->reftype, 1); break;
  case WASM_IMM_MEM: memarg(p, in, info->arg & 0xf); break;
  case WASM_IMM_MEMLANE: memarg(p, in, info->arg & 0xf); fprintf(f, " %u", in->lane); break;
  case WASM_IMM_I32C: fprintf(f, " %" PRId32, in->c.i32); break;
  case WASM_IMM_I64C: fprintf(f, " %" PRId64, in->c.i64); break;
  case WASM_IMM_F32C: fputc(' ', f); f32(f, in->c.f32); break;
  case WASM_IMM_F64C: fputc(' ', f); f64(f, in->c.f64); break;
  case WASM_IMM_V128C:
    fprintf(f, " i32x4");
    for (int i = 0; i < 4; i++) {
      const uint8_t *b = in->c.v128 + 4 * i;
      fprintf(f, " 0x%08" PRIx32, (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
    }
    break;
  case WASM_IMM_SHUFFLE: for (int i = 0; i < 16; i++) fprintf(f, " %u", in->c.v128[i]); break;
  case WASM_IMM_LANE: fprintf(f, " %u", in->lane); break;
  case WASM_IMM_REFTYPE: heaptype(p, wasm_ref_heap(in->reftype)); break;
  case WASM_IMM_TYPE_FIELD: ref(p, ID_TYPE, in->idx); field_ref(p, in->idx, in->idx2); break;
  case WASM_IMM_TYPE_FIXED: ref(p, ID_TYPE, in->idx); fprintf(f, " %" PRIu32, in->idx2); break;
  case WASM_IMM_TYPE_DATA: ref(p, ID_TYPE, in->idx); ref(p, ID_DATA, in->idx2); break;
  case WASM_IMM_TYPE_ELEM: ref(p, ID_TYPE, in->idx); ref(p, ID_ELEM, in->idx2); break;
  case WASM_IMM_TYPE_TYPE: ref(p, ID_TYPE, in->idx); ref(p, ID_TYPE, in->idx2); break;
  case WASM_IMM_HEAPTYPE: fputc(' ', f); reftype(p, in->reftype); break;
  case WASM_IMM_BR_ON_CAST:
    label_ref(p, in->idx, labels, depth);
    fputc(' ', f);
    reftype(p, in->reftype);
    fputc(' ', f);
    reftype(p, in->reftype2);
    break;
  case WASM_IMM_MEMINIT:
    if (in->idx2) ref(p, ID_MEM, in->idx2);
    ref(p, ID_DATA, in->idx);
    break;
  case WASM_IMM_TABLEINIT: ref(p, ID_TABLE, in->idx2); ref(p, ID_ELEM, in->idx); break;
  case WASM_IMM_TABLECOPY: ref(p, ID_TABLE, in->idx); ref(p, ID_TABLE, in->idx2); break;
  case WASM_IMM_TAG: fprintf(f, " %" PRIu32, in->idx); break;
  case WASM_IMM_TRY_TABLE: {
    /* names here are char arrays, not pointers: their tables need no relocations at start-up */
    static const char kinds[][14] = {"catch", "catch_ref", "catch_all", "catch_all_ref"};
    blocktype(p, in->blocktype, in->bt_type);
    const uint8_t *t = in->targets;
    for (uint32_t i = 0; i < in->ntargets; i++) {
      wasm_catch c;
      wasm_catch_next(&t, &c);
      fprintf(f, " (%s", kinds[c.kind & 3]);
      if (wasm_catch_has_tag(c.kind)) fprintf(f, " %" PRIu32, c.tag);
      label_ref(p, c.label, labels, depth);
      fputc(')', f);
    }
    break;
  }
  }
}

/* Instructions from bytes up to the final `end` (not printed). Flat: one per line.
 * Folded: block, loop and if become s-expressions (an if takes its condition from the
 * stack); other instructions stay in order, one per line. */
static bool code(pr *p, const uint8_t *bytes, uint32_t len, uint32_t base, util_error *err) {
  util_reader r = {bytes, bytes, bytes + len, base};
  /* per open block: whether it is an `if` whose (then ...) is open (folded style), and its
   * label's name; on the heap, as deep as the code nests */
  uint8_t *stack = NULL;
  char **labels = NULL;
  size_t depth = 0, cap = 0, nlabels = 0, caplabels = 0;
  bool ok = true;
  while (!util_reader_eof(&r)) {
    wasm_instr in;
    if (!(ok = wasm_read_instr_features(&r, &in, p->m->features, err))) break;
    const char *name = wasm_op_name(in.op);
    if (in.op == WASM_OP_END || (in.op == WASM_OP_DELEGATE && depth > 0)) {
      if (depth == 0) break;
      depth--;
      free(labels[--nlabels]);
      p->indent--;
      nl(p);
      /* a legacy try prints flat in the folded style too (stack: 2) */
      bool folded = p->folded && stack[depth] != 2;
      if (in.op == WASM_OP_DELEGATE) {
        fputs("delegate", p->f);
        label_ref(p, in.idx, labels, (int)depth);
      } else if (folded) fputs(stack[depth] ? "))" : ")", p->f);
      else fputs("end", p->f);
      if (folded && stack[depth]) p->indent--; /* the (then ...) level too */
      continue;
    }
    if ((in.op == WASM_OP_CATCH || in.op == WASM_OP_CATCH_ALL) && depth > 0) {
      p->indent--;
      nl(p);
      fputs(name, p->f);
      immediates(p, &in, labels, (int)depth);
      p->indent++;
      continue;
    }
    if (in.op == WASM_OP_ELSE && depth > 0) {
      p->indent--;
      nl(p);
      fputs(p->folded ? ")" : "else", p->f);
      if (p->folded) { nl(p); fputs("(else", p->f); }
      p->indent++;
      continue;
    }
    nl(p);
    bool block = in.op == WASM_OP_BLOCK || in.op == WASM_OP_LOOP || in.op == WASM_OP_IF ||
                 in.op == WASM_OP_TRY_TABLE || in.op == WASM_OP_TRY;
    fprintf(p->f, "%s%s", p->folded && block && in.op != WASM_OP_TRY ? "(" : "", name);
    char *label = NULL;
    if (block) {
      label = label_id(p, p->nblocks++);
      if (p->label_seen.oom) {
        ok = util_fail(err, UTIL_ERR_OOM, (int64_t)in.offset, "out of memory");
        break;
      }
      if (label) fprintf(p->f, " %s", label);
    }
    immediates(p, &in, labels, (int)depth);
    if (block) {
      if (!UTIL_VEC_TRY_PUSH(stack, depth, cap, (uint8_t)(in.op == WASM_OP_IF ? 1 : in.op == WASM_OP_TRY ? 2 : 0)) ||
          !UTIL_VEC_TRY_PUSH(labels, nlabels, caplabels, label)) {
        free(label);
        ok = util_fail(err, UTIL_ERR_OOM, (int64_t)in.offset, "out of memory");
        break;
      }
      if (p->folded && in.op == WASM_OP_IF) {
        p->indent++;
        nl(p);
        fputs("(then", p->f);
      }
      p->indent++;
    }
  }
  while (nlabels > 0) free(labels[--nlabels]);
  free(labels);
  free(stack);
  return ok;
}

/* Local and label names of function i; false when out of memory (end_func frees what
 * was made). */
static bool begin_func(pr *p, uint32_t i) {
  const wasm_module *m = p->m;
  const wasm_func *fn = &m->funcs[i];
  uint32_t np = fn->type < m->ntypes ? m->types[fn->type].nparams : 0;
  p->fi = i;
  p->nblocks = 0;
  p->nlocal_ids = np + fn->nlocals;
  p->local_ids = util_try_calloc((size_t)p->nlocal_ids + 1, sizeof *p->local_ids);
  if (!p->local_ids) return false;
  bool ok = true;
  if (m->local_names) {
    const wasm_local_names *ln = &m->local_names[i];
    text_namemap seen = {0};
    for (uint32_t k = 0; k < ln->count && !seen.oom; k++) {
      uint32_t x = ln->indices[k];
      if (x < p->nlocal_ids && !p->local_ids[x]) p->local_ids[x] = ident(&ln->names[k], &seen);
    }
    ok = !seen.oom;
    text_names_free(&seen);
  }
  return ok;
}

static void end_func(pr *p) {
  free_idents(p->local_ids, p->nlocal_ids);
  p->local_ids = NULL;
  p->nlocal_ids = 0;
  p->fi = UINT32_MAX;
  text_names_free(&p->label_seen);
}

static void expr(pr *p, const wasm_expr *e, util_error *err) {
  int saved = p->indent;
  bool folded = p->folded;
  p->folded = false;
  p->indent++;
  code(p, e->bytes, e->len, e->offset, err);
  p->indent = saved;
  p->folded = folded;
}

/* x of an expression that is exactly `ref.func x end`, else UINT32_MAX. */
static uint32_t ref_func_index(const wasm_expr *e) {
  util_reader r = {e->bytes + 1, e->bytes + 1, e->bytes + e->len, 0};
  uint32_t x;
  util_error ignore;
  if (!util_read_u32(&r, &x, &ignore) || r.p + 1 != r.end || *r.p != 0x0b) return UINT32_MAX;
  return x;
}

bool text_print_module(const wasm_module *m, text_print_style style, FILE *f, util_error *err) {
  util_error_clear(err);
  pr p = {.m = m, .f = f, .folded = style == TEXT_PRINT_FOLDED, .indent = 1, .fi = UINT32_MAX};
  /* the names are made before anything is written, so running out of memory for them
   * prints nothing */
  p.func_ids = util_try_calloc((size_t)m->nfuncs + 1, sizeof *p.func_ids);
  bool oom = !p.func_ids;
  text_namemap seen = {0};
  if (m->func_names && !oom)
    for (uint32_t i = 0; i < m->nfuncs && !seen.oom; i++) p.func_ids[i] = ident(&m->func_names[i], &seen);
  oom |= seen.oom;
  const wasm_name *space_names[SPACE_IDS] = {m->type_names, m->table_names, m->memory_names,
                                             m->global_names, m->elem_names, m->data_names};
  const uint32_t space_sizes[SPACE_IDS] = {m->ntypes, m->ntables, m->nmemories, m->nglobals, m->nelems, m->ndatas};
  for (int k = 0; k < SPACE_IDS; k++) {
    p.ids[k] = oom ? NULL : idents(space_names[k], space_sizes[k]);
    p.nids[k] = space_sizes[k];
    oom |= !p.ids[k];
  }
  text_namemap mseen = {0};
  char *mid = oom ? NULL : ident(&m->module_name, &mseen);
  oom |= mseen.oom;
  text_names_free(&mseen);
  if (oom) {
    util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    free(mid);
    goto done;
  }
  fputs("(module", f);
  if (mid) fprintf(f, " %s", mid);
  free(mid);
  for (uint32_t i = 0; i < m->ntypes; i++) {
    const wasm_deftype *d = &m->deftypes[i];
    bool rec = d->rec_len > 1;
    if (rec && d->rec == i) {
      nl(&p);
      fputs("(rec", f);
      p.indent++;
    }
    nl(&p);
    type_def(&p, i);
    if (rec && i == d->rec + d->rec_len - 1) {
      fputc(')', f);
      p.indent--;
    }
  }
  uint32_t fi = 0, ti = 0, mi = 0, gi = 0, tgi = 0;
  for (uint32_t i = 0; i < m->nimports; i++) {
    const wasm_import *im = &m->imports[i];
    nl(&p);
    fputs("(import ", f);
    str(f, im->module.str, im->module.len);
    fputc(' ', f);
    str(f, im->field.str, im->field.len);
    switch (im->kind) {
    case WASM_EXTERN_FUNC:
      fprintf(f, " (func");
      if (p.func_ids[fi]) fprintf(f, " %s", p.func_ids[fi]);
      fprintf(f, " (;%" PRIu32 ";) (type", fi);
      ref(&p, ID_TYPE, im->u.func_type);
      fputs(")))", f);
      fi++;
      break;
    case WASM_EXTERN_TABLE:
      fputs(" (table", f);
      def_id(&p, ID_TABLE, ti);
      fprintf(f, " (;%" PRIu32 ";)", ti++);
      limits(&p, &im->u.table.limits);
      fprintf(f, " %s))", wasm_valtype_name(im->u.table.elem));
      break;
    case WASM_EXTERN_MEMORY:
      fputs(" (memory", f);
      def_id(&p, ID_MEM, mi);
      fprintf(f, " (;%" PRIu32 ";)", mi++);
      limits(&p, &im->u.memory.limits);
      fputs("))", f);
      break;
    case WASM_EXTERN_TAG:
      fprintf(f, " (tag (;%" PRIu32 ";) (type", tgi++);
      ref(&p, ID_TYPE, im->u.tag_type);
      fputs(")))", f);
      break;
    default:
      fputs(" (global", f);
      def_id(&p, ID_GLOBAL, gi);
      fprintf(f, " (;%" PRIu32 ";) %s%s%s))", gi++, im->u.global.mut ? "(mut " : "",
              wasm_valtype_name(im->u.global.type), im->u.global.mut ? ")" : "");
    }
  }
  for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++) {
    const wasm_func *fn = &m->funcs[i];
    nl(&p);
    fputs("(func", f);
    if (p.func_ids[i]) fprintf(f, " %s", p.func_ids[i]);
    fprintf(f, " (;%" PRIu32 ";) (type", i);
    ref(&p, ID_TYPE, fn->type);
    fputc(')', f);
    if (!begin_func(&p, i)) {
      end_func(&p);
      util_fail(err, UTIL_ERR_OOM, (int64_t)fn->code_offset, "out of memory");
      break;
    }
    const wasm_functype *ft = fn->type < m->ntypes ? &m->types[fn->type] : NULL;
    uint32_t np = ft ? ft->nparams : 0;
    bool named = false;
    for (uint32_t k = 0; k < p.nlocal_ids; k++) named |= p.local_ids[k] != NULL;
    if (named && ft) {
      /* named parameters are written out, and then the results must be too */
      for (uint32_t k = 0; k < np; k++) {
        fputs(" (param", f);
        if (p.local_ids[k]) fprintf(f, " %s", p.local_ids[k]);
        fprintf(f, " %s)", wasm_valtype_name(ft->params[k]));
      }
      valtypes(&p, "result", ft->results, ft->nresults);
      for (uint32_t k = 0; k < fn->nlocals; k++) {
        fputs(" (local", f);
        if (p.local_ids[np + k]) fprintf(f, " %s", p.local_ids[np + k]);
        fprintf(f, " %s)", wasm_valtype_name(fn->local_types[k]));
      }
    } else {
      valtypes(&p, "local", fn->local_types, fn->nlocals);
    }
    p.indent++;
    bool ok = code(&p, fn->code, fn->code_len, fn->code_offset, err);
    end_func(&p);
    if (!ok) break;
    p.indent--;
    fputc(')', f);
  }
  for (uint32_t i = m->ntable_imports; i < m->ntables && err->kind == UTIL_ERR_NONE; i++) {
    nl(&p);
    fputs("(table", f);
    def_id(&p, ID_TABLE, i);
    fprintf(f, " (;%" PRIu32 ";)", i);
    limits(&p, &m->tables[i].type.limits);
    fprintf(f, " %s", wasm_valtype_name(m->tables[i].type.elem));
    if (m->tables[i].init.len) expr(&p, &m->tables[i].init, err);
    fputc(')', f);
  }
  for (uint32_t i = m->nmemory_imports; i < m->nmemories && err->kind == UTIL_ERR_NONE; i++) {
    nl(&p);
    fputs("(memory", f);
    def_id(&p, ID_MEM, i);
    fprintf(f, " (;%" PRIu32 ";)", i);
    limits(&p, &m->memories[i].type.limits);
    fputc(')', f);
  }
  for (uint32_t i = m->ntag_imports; i < m->ntags && err->kind == UTIL_ERR_NONE; i++) {
    nl(&p);
    fprintf(f, "(tag (;%" PRIu32 ";) (type", i);
    ref(&p, ID_TYPE, m->tags[i].type);
    fputs("))", f);
  }
  for (uint32_t i = m->nglobal_imports; i < m->nglobals && err->kind == UTIL_ERR_NONE; i++) {
    const wasm_global *g = &m->globals[i];
    nl(&p);
    fputs("(global", f);
    def_id(&p, ID_GLOBAL, i);
    fprintf(f, " (;%" PRIu32 ";) %s%s%s", i, g->type.mut ? "(mut " : "", wasm_valtype_name(g->type.type),
            g->type.mut ? ")" : "");
    expr(&p, &g->init, err);
    fputc(')', f);
  }
  static const char kinds[][7] = {"func", "table", "memory", "global"};
  for (uint32_t i = 0; i < m->nexports && err->kind == UTIL_ERR_NONE; i++) {
    const wasm_export *e = &m->exports[i];
    nl(&p);
    fputs("(export ", f);
    str(f, e->name.str, e->name.len);
    if (e->kind == WASM_EXTERN_TAG) {
      fprintf(f, " (tag %" PRIu32 "))", e->index);
      continue;
    }
    fprintf(f, " (%s", kinds[e->kind & 3]);
    if ((e->kind & 3) == 0 && e->index < m->nfuncs && p.func_ids[e->index]) fprintf(f, " %s", p.func_ids[e->index]);
    else if ((e->kind & 3) == 0) fprintf(f, " %" PRIu32, e->index);
    else ref(&p, (e->kind & 3) == 1 ? ID_TABLE : (e->kind & 3) == 2 ? ID_MEM : ID_GLOBAL, e->index);
    fputs("))", f);
  }
  if (m->has_start) {
    nl(&p);
    if (m->start < m->nfuncs && p.func_ids[m->start]) fprintf(f, "(start %s)", p.func_ids[m->start]);
    else fprintf(f, "(start %" PRIu32 ")", m->start);
  }
  for (uint32_t i = 0; i < m->nelems && err->kind == UTIL_ERR_NONE; i++) {
    const wasm_elem *e = &m->elems[i];
    nl(&p);
    fputs("(elem", f);
    def_id(&p, ID_ELEM, i);
    fprintf(f, " (;%" PRIu32 ";)", i);
    if (e->mode == WASM_SEG_DECLARATIVE) fputs(" declare", f);
    if (e->mode == WASM_SEG_ACTIVE) {
      fputs(" (table", f);
      ref(&p, ID_TABLE, e->table);
      fputs(") (offset", f);
      expr(&p, &e->offset, err);
      fputc(')', f);
    }
    /* expressions that are all `ref.func x` read back as the index form */
    bool all_ref_func = !e->func_indices && e->type == WASM_FUNCREF;
    for (uint32_t k = 0; all_ref_func && k < e->count; k++)
      all_ref_func = e->exprs[k].len >= 3 && e->exprs[k].bytes[0] == 0xd2 && ref_func_index(&e->exprs[k]) != UINT32_MAX;
    if (e->func_indices || all_ref_func) {
      fputs(" func", f);
      for (uint32_t k = 0; k < e->count; k++) {
        uint32_t x = e->func_indices ? e->func_indices[k] : ref_func_index(&e->exprs[k]);
        if (x < m->nfuncs && p.func_ids[x]) fprintf(f, " %s", p.func_ids[x]);
        else fprintf(f, " %" PRIu32, x);
      }
    } else {
      fprintf(f, " %s", wasm_valtype_name(e->type));
      for (uint32_t k = 0; k < e->count; k++) {
        fputs(" (item", f);
        expr(&p, &e->exprs[k], err);
        fputc(')', f);
      }
    }
    fputc(')', f);
  }
  for (uint32_t i = 0; i < m->ndatas && err->kind == UTIL_ERR_NONE; i++) {
    const wasm_data *d = &m->datas[i];
    nl(&p);
    fputs("(data", f);
    def_id(&p, ID_DATA, i);
    fprintf(f, " (;%" PRIu32 ";)", i);
    if (d->mode == WASM_SEG_ACTIVE) {
      fputs(" (memory", f);
      ref(&p, ID_MEM, d->memory);
      fputs(") (offset", f);
      expr(&p, &d->offset, err);
      fputc(')', f);
    }
    fputc(' ', f);
    str(f, (const char *)d->bytes, d->len);
    fputc(')', f);
  }
  fputs(")\n", f);
done:
  for (uint32_t i = 0; p.func_ids && i < m->nfuncs; i++) free(p.func_ids[i]);
  free(p.func_ids);
  for (int k = 0; k < SPACE_IDS; k++) free_idents(p.ids[k], p.nids[k]);
  text_names_free(&seen);
  return err->kind == UTIL_ERR_NONE;
}

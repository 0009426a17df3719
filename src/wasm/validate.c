/* Module-level validation (WebAssembly 2.0): everything outside function bodies, plus
 * constant expressions. Function bodies live in validate_code.c. The checks follow the
 * spec's order closely enough that a module with one defect reports that defect with the
 * wording the conformance suite expects. */
#include <stdlib.h>
#include <string.h>

#include "validate.h"

#define MAX_MEMORY_PAGES 65536u

static bool invalid(util_error *err, int64_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool invalid(util_error *err, int64_t off, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  util_vfail(err, UTIL_ERR_INVALID, off, fmt, ap);
  va_end(ap);
  return false;
}

/* ---------- value types and subtyping ---------------------------------------------- */

/* The top of an abstract or defined heap type's hierarchy: any, func, extern or exn. */
static uint32_t heap_top(const wasm_module *m, uint32_t h) {
  int64_t i = wasm_heap_typeidx(h);
  if (i >= 0) return (uint64_t)i < m->ntypes && m->deftypes[i].kind == WASM_TYPE_FUNC ? WASM_HEAP_FUNC : WASM_HEAP_ANY;
  switch (h) {
  case WASM_HEAP_FUNC:
  case WASM_HEAP_NOFUNC: return WASM_HEAP_FUNC;
  case WASM_HEAP_EXTERN:
  case WASM_HEAP_NOEXTERN: return WASM_HEAP_EXTERN;
  case WASM_HEAP_EXN:
  case WASM_HEAP_NOEXN: return WASM_HEAP_EXN;
  default: return WASM_HEAP_ANY;
  }
}

/* Abstract heap types: none <: i31, struct, array <: eq <: any; nofunc <: func;
 * noextern <: extern; noexn <: exn. */
bool wasm_abstract_heap_sub(uint32_t a, uint32_t b) {
  if (a == b) return true;
  switch (a) {
  case WASM_HEAP_NONE: return b == WASM_HEAP_I31 || b == WASM_HEAP_STRUCT || b == WASM_HEAP_ARRAY || b == WASM_HEAP_EQ || b == WASM_HEAP_ANY;
  case WASM_HEAP_I31:
  case WASM_HEAP_STRUCT:
  case WASM_HEAP_ARRAY: return b == WASM_HEAP_EQ || b == WASM_HEAP_ANY;
  case WASM_HEAP_EQ: return b == WASM_HEAP_ANY;
  case WASM_HEAP_NOFUNC: return b == WASM_HEAP_FUNC;
  case WASM_HEAP_NOEXTERN: return b == WASM_HEAP_EXTERN;
  case WASM_HEAP_NOEXN: return b == WASM_HEAP_EXN;
  default: return false;
  }
}

static bool heap_sub(const wasm_vmodule *vm, uint32_t a, uint32_t b) {
  if (a == b) return true;
  int64_t ia = wasm_heap_typeidx(a), ib = wasm_heap_typeidx(b);
  const wasm_module *m = vm->m;
  if (ia >= 0 && (uint64_t)ia >= m->ntypes) return false;
  if (ib >= 0 && (uint64_t)ib >= m->ntypes) return false;
  if (ia < 0 && ib < 0) return wasm_abstract_heap_sub(a, b);
  if (ia < 0) { /* only a bottom type is below a defined type */
    uint32_t top = heap_top(m, b);
    return (a == WASM_HEAP_NONE && top == WASM_HEAP_ANY) || (a == WASM_HEAP_NOFUNC && top == WASM_HEAP_FUNC);
  }
  if (ib < 0) {
    switch (m->deftypes[ia].kind) {
    case WASM_TYPE_FUNC: return b == WASM_HEAP_FUNC;
    case WASM_TYPE_STRUCT: return b == WASM_HEAP_STRUCT || b == WASM_HEAP_EQ || b == WASM_HEAP_ANY;
    default: return b == WASM_HEAP_ARRAY || b == WASM_HEAP_EQ || b == WASM_HEAP_ANY;
    }
  }
  if (!vm->canon) return false;
  /* the declared supertype chain (each supertype has a smaller index: the walk ends) */
  for (uint32_t i = (uint32_t)ia, steps = 0; i < m->ntypes && steps <= m->ntypes; steps++) {
    if (vm->canon[i] == vm->canon[ib]) return true;
    uint32_t s = m->deftypes[i].super;
    if (s == WASM_NO_SUPER || s >= i) break;
    i = s;
  }
  return false;
}

bool wasm_vtype_sub(const wasm_vmodule *vm, wasm_vtype a, wasm_vtype b) {
  if (a == b || a == WASM_TYPE_UNKNOWN || b == WASM_TYPE_UNKNOWN) return true;
  if (!wasm_is_reftype(a) || !wasm_is_reftype(b)) return false;
  if (wasm_ref_nullable(a) && !wasm_ref_nullable(b)) return false;
  return heap_sub(vm, wasm_ref_heap(a), wasm_ref_heap(b));
}

bool wasm_heap_sub(const wasm_vmodule *vm, uint32_t a, uint32_t b) { return heap_sub(vm, a, b); }
uint32_t wasm_heap_top(const wasm_module *m, uint32_t h) { return heap_top(m, h); }

/* A value type's type indices must name types of the module, and, inside the type
 * section, types up to the end of the recursion group being defined (`limit`). */
static bool check_vtype(const wasm_module *m, wasm_vtype t, uint32_t limit, int64_t off, util_error *err) {
  if (!wasm_is_reftype(t)) return true;
  /* 2.0 has only funcref and externref (and exnref comes with exception handling) */
  if (t >= 0x100 && !(m->features & WASM_FEATURE_TYPED_REFS)) return invalid(err, off, "malformed reference type");
  if (wasm_is_gc_abstract_heap(wasm_ref_heap(t)) && !(m->features & WASM_FEATURE_GC))
    return invalid(err, off, "malformed reference type");
  int64_t i = wasm_heap_typeidx(wasm_ref_heap(t));
  if (i >= 0 && (uint64_t)i >= limit) return invalid(err, off, "unknown type %lld", (long long)i);
  return true;
}

/* Type equivalence is iso-recursive: two types are equal when they sit at the same
 * position of structurally equal recursion groups, where a reference into the group
 * itself compares by its position in the group and any other reference by the canonical
 * index of the type it names. vm->canon[i] is the first index equal to i. */
static uint32_t heap_key(const wasm_vmodule *vm, uint32_t rec, uint32_t len, uint32_t h) {
  int64_t i = wasm_heap_typeidx(h);
  if (i < 0) return h;
  if ((uint32_t)i >= rec && (uint32_t)i - rec < len) return 0x40000000u + ((uint32_t)i - rec);
  return WASM_HEAP_INDEX + vm->canon[i];
}

static uint32_t vtype_key(const wasm_vmodule *vm, uint32_t rec, uint32_t len, wasm_vtype t) {
  if (!wasm_is_reftype(t) || t < 0x100) return t;
  return heap_key(vm, rec, len, wasm_ref_heap(t)) * 2u + wasm_ref_nullable(t);
}

/* The words that describe type i for equivalence, fed one by one to `f`. */
typedef struct keyer {
  uint32_t *buf; /* NULL: hashing */
  size_t n;
  uint32_t h;
} keyer;

static void key_word(keyer *k, uint32_t w) {
  k->h = (k->h ^ w) * 16777619u;
  k->n++;
}

static void type_key(const wasm_vmodule *vm, uint32_t i, keyer *k) {
  const wasm_module *m = vm->m;
  const wasm_deftype *d = &m->deftypes[i];
  uint32_t rec = d->rec, len = d->rec_len;
  key_word(k, d->kind | (d->final ? 0x100u : 0));
  key_word(k, d->super == WASM_NO_SUPER ? 0xffffffffu : heap_key(vm, rec, len, WASM_HEAP_INDEX + d->super));
  if (d->kind == WASM_TYPE_FUNC) {
    const wasm_functype *a = &m->types[i];
    key_word(k, a->nparams);
    key_word(k, a->nresults);
    for (uint32_t j = 0; j < a->nparams; j++) key_word(k, vtype_key(vm, rec, len, a->params[j]));
    for (uint32_t j = 0; j < a->nresults; j++) key_word(k, vtype_key(vm, rec, len, a->results[j]));
  } else {
    key_word(k, d->nfields);
    for (uint32_t j = 0; j < d->nfields; j++)
      key_word(k, vtype_key(vm, rec, len, d->fields[j].type) * 2u + d->fields[j].mut);
  }
}

static bool type_equiv(const wasm_vmodule *vm, uint32_t i, uint32_t j) {
  const wasm_module *m = vm->m;
  const wasm_deftype *a = &m->deftypes[i], *b = &m->deftypes[j];
  if (a->kind != b->kind || a->final != b->final || a->nfields != b->nfields) return false;
  if ((a->super == WASM_NO_SUPER) != (b->super == WASM_NO_SUPER)) return false;
  if (a->super != WASM_NO_SUPER && heap_key(vm, a->rec, a->rec_len, WASM_HEAP_INDEX + a->super) !=
                                       heap_key(vm, b->rec, b->rec_len, WASM_HEAP_INDEX + b->super))
    return false;
  if (a->kind == WASM_TYPE_FUNC) {
    const wasm_functype *x = &m->types[i], *y = &m->types[j];
    if (x->nparams != y->nparams || x->nresults != y->nresults) return false;
    for (uint32_t k = 0; k < x->nparams + x->nresults; k++) {
      wasm_vtype p = k < x->nparams ? x->params[k] : x->results[k - x->nparams];
      wasm_vtype q = k < y->nparams ? y->params[k] : y->results[k - y->nparams];
      if (vtype_key(vm, a->rec, a->rec_len, p) != vtype_key(vm, b->rec, b->rec_len, q)) return false;
    }
    return true;
  }
  for (uint32_t k = 0; k < a->nfields; k++) {
    if (a->fields[k].mut != b->fields[k].mut) return false;
    if (vtype_key(vm, a->rec, a->rec_len, a->fields[k].type) != vtype_key(vm, b->rec, b->rec_len, b->fields[k].type))
      return false;
  }
  return true;
}

static bool group_equiv(const wasm_vmodule *vm, uint32_t r1, uint32_t r2, uint32_t len) {
  for (uint32_t k = 0; k < len; k++)
    if (!type_equiv(vm, r1 + k, r2 + k)) return false;
  return true;
}

static uint32_t group_hash(const wasm_vmodule *vm, uint32_t rec, uint32_t len) {
  keyer k = {NULL, 0, 2166136261u ^ len};
  for (uint32_t i = 0; i < len; i++) type_key(vm, rec + i, &k);
  return k.h;
}

/* A storage type is a subtype of another: packed types only of themselves. */
static bool storage_sub(const wasm_vmodule *vm, wasm_vtype a, wasm_vtype b) {
  if (wasm_is_packed(a) || wasm_is_packed(b)) return a == b;
  return wasm_vtype_sub(vm, a, b);
}

/* Field subtyping: an immutable field is covariant, a mutable one invariant. */
static bool field_sub(const wasm_vmodule *vm, const wasm_fieldtype *a, const wasm_fieldtype *b) {
  if (a->mut != b->mut) return false;
  if (!storage_sub(vm, a->type, b->type)) return false;
  return !a->mut || storage_sub(vm, b->type, a->type);
}

/* Type i's declared supertype: defined before it, not final, of the same kind, and
 * matched structurally (function params contravariant and results covariant, struct
 * fields a prefix, array elements by field subtyping). */
static bool check_super(const wasm_vmodule *vm, uint32_t i, util_error *err) {
  const wasm_module *m = vm->m;
  const wasm_deftype *d = &m->deftypes[i];
  if (d->nsupers > 1) return invalid(err, -1, "multiple supertypes");
  if (d->super == WASM_NO_SUPER) return true;
  if (d->super >= i) return invalid(err, -1, "unknown type %u", d->super);
  const wasm_deftype *s = &m->deftypes[d->super];
  if (s->final) return invalid(err, -1, "sub type %u does not match its final supertype %u", i, d->super);
  bool ok = s->kind == d->kind;
  if (ok && d->kind == WASM_TYPE_FUNC) {
    const wasm_functype *a = &m->types[i], *b = &m->types[d->super];
    ok = a->nparams == b->nparams && a->nresults == b->nresults;
    for (uint32_t k = 0; ok && k < a->nparams; k++) ok = wasm_vtype_sub(vm, b->params[k], a->params[k]);
    for (uint32_t k = 0; ok && k < a->nresults; k++) ok = wasm_vtype_sub(vm, a->results[k], b->results[k]);
  } else if (ok) {
    ok = d->nfields >= s->nfields && (d->kind == WASM_TYPE_STRUCT || d->nfields == s->nfields);
    for (uint32_t k = 0; ok && k < s->nfields; k++) ok = field_sub(vm, &d->fields[k], &s->fields[k]);
  }
  if (!ok) return invalid(err, -1, "sub type %u does not match its supertype %u", i, d->super);
  return true;
}

static bool check_types(const wasm_module *m, wasm_vmodule *vm, util_error *err) {
  uint32_t n = m->ntypes;
  if (n && !m->deftypes) return util_fail(err, UTIL_ERR_MALFORMED, -1, "inconsistent module");
  vm->canon = util_try_malloc((n ? n : 1) * sizeof *vm->canon);
  uint32_t cap = 16;
  while (cap < 2 * (uint64_t)n && cap < (1u << 30)) cap *= 2;
  uint32_t *slots = util_try_malloc((size_t)cap * sizeof *slots);
  if (!vm->canon || !slots) {
    free(slots);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  memset(slots, 0xff, (size_t)cap * sizeof *slots);
  bool ok = true;
  for (uint32_t g = 0; g < n && ok;) {
    const wasm_deftype *d = &m->deftypes[g];
    uint32_t len = d->rec_len ? d->rec_len : 1, end = g + len;
    if (d->rec != g || end > n) {
      ok = util_fail(err, UTIL_ERR_MALFORMED, -1, "inconsistent module");
      break;
    }
    /* the group's own types, referred to before the group is canonical, are themselves */
    for (uint32_t i = g; i < end; i++) vm->canon[i] = i;
    for (uint32_t i = g; i < end && ok; i++) {
      const wasm_deftype *t = &m->deftypes[i];
      if (t->kind == WASM_TYPE_FUNC) {
        const wasm_functype *ft = &m->types[i];
        for (uint32_t k = 0; ok && k < ft->nparams + ft->nresults; k++)
          ok = check_vtype(m, k < ft->nparams ? ft->params[k] : ft->results[k - ft->nparams], end, -1, err);
      } else {
        for (uint32_t k = 0; ok && k < t->nfields; k++)
          if (!wasm_is_packed(t->fields[k].type)) ok = check_vtype(m, t->fields[k].type, end, -1, err);
      }
      if (ok && t->super != WASM_NO_SUPER && t->super >= end) ok = invalid(err, -1, "unknown type %u", t->super);
    }
    if (!ok) break;
    for (uint32_t s = group_hash(vm, g, len) & (cap - 1);; s = (s + 1) & (cap - 1)) {
      if (slots[s] == UINT32_MAX) {
        slots[s] = g;
        break;
      }
      uint32_t o = slots[s];
      if (m->deftypes[o].rec_len == len && group_equiv(vm, o, g, len)) {
        for (uint32_t k = 0; k < len; k++) vm->canon[g + k] = vm->canon[o + k];
        break;
      }
    }
    /* supertypes are checked once the group's types are canonical */
    for (uint32_t i = g; i < end && ok; i++) ok = check_super(vm, i, err);
    g = end;
  }
  free(slots);
  return ok;
}

/* ---------- constant expressions --------------------------------------------------- */

/* The number of globals a constant expression may read: 2.0 reads imported globals only;
 * with GC (3.0) a global's initialiser reads the globals before it, and segment offsets
 * and items read them all (a table's initialiser, made first, only imported ones). */
static uint32_t visible_globals(const wasm_module *m, int64_t global) {
  if (!(m->features & WASM_FEATURE_GC)) return m->nglobal_imports;
  return global >= 0 ? (uint32_t)global : m->nglobals;
}

bool wasm_validate_const_expr(const wasm_vmodule *vm, const wasm_expr *e, wasm_vtype type,
                              uint32_t nglobals_visible, util_error *err) {
  const wasm_module *m = vm->m;
  if (!e->bytes && e->len) return invalid(err, e->offset, "constant expression required");
  util_reader r = {e->bytes, e->bytes, e->bytes + e->len, e->offset};
  /* The spec reports non-constant instructions before any type error, so typing errors
   * are kept until the end. The stack only holds what the expression pushed. */
  wasm_const_stack cs = {0};
  bool ok = false;
  for (;;) {
    wasm_instr in;
    if (util_reader_eof(&r)) {
      util_fail(err, UTIL_ERR_MALFORMED, (int64_t)util_reader_offset(&r), "unexpected end");
      break;
    }
    if (!wasm_read_instr_features(&r, &in, m->features, err)) break;
    wasm_vtype t;
    bool pushes = true;
    switch (in.op) {
    case WASM_OP_I32_CONST: t = WASM_I32; break;
    case WASM_OP_I64_CONST: t = WASM_I64; break;
    case WASM_OP_F32_CONST: t = WASM_F32; break;
    case WASM_OP_F64_CONST: t = WASM_F64; break;
    case WASM_OP_V128_CONST: t = WASM_V128; break;
    case WASM_OP_REF_NULL:
      if (!check_vtype(m, in.reftype, m->ntypes, in.offset, err)) goto done;
      t = in.reftype;
      break;
    case WASM_OP_REF_FUNC:
      if (in.idx >= m->nfuncs) {
        invalid(err, in.offset, "unknown function %u", in.idx);
        goto done;
      }
      t = m->funcs[in.idx].type < m->ntypes ? wasm_reftype(false, WASM_HEAP_INDEX + m->funcs[in.idx].type)
                                            : wasm_reftype(false, WASM_HEAP_FUNC);
      break;
    case WASM_OP_GLOBAL_GET:
      if (in.idx >= nglobals_visible || in.idx >= m->nglobals) {
        invalid(err, in.offset, "unknown global %u", in.idx);
        goto done;
      }
      if (m->globals[in.idx].type.mut) {
        invalid(err, in.offset, "constant expression required");
        goto done;
      }
      t = m->globals[in.idx].type.type;
      break;
    /* extended constant expressions (3.0) */
    case WASM_OP_I32_ADD:
    case WASM_OP_I32_SUB:
    case WASM_OP_I32_MUL:
    case WASM_OP_I64_ADD:
    case WASM_OP_I64_SUB:
    case WASM_OP_I64_MUL: {
      if (!(m->features & WASM_FEATURE_EXTENDED_CONST)) {
        invalid(err, in.offset, "constant expression required");
        goto done;
      }
      t = wasm_opinfo_table[in.op].result;
      if (cs.depth < 2 || cs.vals[cs.depth - 1] != t || cs.vals[cs.depth - 2] != t) cs.mismatch = true;
      cs.depth = cs.depth < 2 ? 0 : cs.depth - 2;
      break;
    }
    case WASM_OP_END:
      if (!util_reader_eof(&r)) {
        invalid(err, in.offset, "constant expression required");
        goto done;
      }
      if (cs.mismatch) {
        invalid(err, in.offset, "type mismatch: operands of a constant expression");
        goto done;
      }
      if (cs.depth != 1 || !wasm_vtype_sub(vm, cs.vals[0], type)) {
        if (cs.depth == 0) {
          invalid(err, in.offset, "type mismatch: expected %s, found nothing", wasm_valtype_name(type));
        } else if (cs.depth > 1) {
          invalid(err, in.offset, "type mismatch: %u values where one %s is expected", cs.depth, wasm_valtype_name(type));
        } else {
          invalid(err, in.offset, "type mismatch: expected %s, found %s", wasm_valtype_name(type),
                  wasm_valtype_name(cs.vals[0]));
        }
        goto done;
      }
      ok = true;
      goto done;
    default:
      /* GC's constant instructions (3.0) */
      if (!(m->features & WASM_FEATURE_GC) || !wasm_gc_const_instr(vm, &in, &cs, err)) {
        if (!err || err->kind == UTIL_ERR_NONE) invalid(err, in.offset, "constant expression required");
        goto done;
      }
      pushes = false;
      t = 0;
      break;
    }
    if (pushes && !wasm_const_push(&cs, t)) {
      util_fail(err, UTIL_ERR_OOM, in.offset, "out of memory");
      goto done;
    }
  }
done:
  free(cs.vals);
  return ok;
}

/* ---------- types and limits ------------------------------------------------------ */

/* A type index that must name a function type (functions, imports, tags). */
static bool check_type_index(const wasm_module *m, uint32_t idx, int64_t off, util_error *err) {
  if (idx >= m->ntypes) return invalid(err, off, "unknown type %u", idx);
  if (m->deftypes && m->deftypes[idx].kind != WASM_TYPE_FUNC)
    return invalid(err, off, "type mismatch: type %u is not a function type", idx);
  return true;
}

static bool check_limits(const wasm_limits *l, uint64_t range, const char *range_msg, int64_t off,
                         util_error *err) {
  if (l->min > range) return invalid(err, off, "%s", range_msg);
  if (l->has_max) {
    if (l->max > range) return invalid(err, off, "%s", range_msg);
    if (l->min > l->max) return invalid(err, off, "size minimum must not be greater than maximum");
  }
  return true;
}

static bool check_tabletype(const wasm_module *m, const wasm_tabletype *t, int64_t off, util_error *err) {
  if (!wasm_is_reftype(t->elem)) return invalid(err, off, "malformed reference type");
  if (!check_vtype(m, t->elem, m->ntypes, off, err)) return false;
  if (t->limits.is64) return check_limits(&t->limits, UINT64_MAX, "table size must be at most 2^64-1", off, err);
  return check_limits(&t->limits, UINT32_MAX, "table size must be at most 2^32-1", off, err);
}

static bool check_memtype(const wasm_memtype *t, int64_t off, util_error *err) {
  bool ok = t->limits.is64
                ? check_limits(&t->limits, 1ull << 48, "memory size must be at most 2^48 pages (256 TiB)", off, err)
                : check_limits(&t->limits, MAX_MEMORY_PAGES, "memory size must be at most 65536 pages (4GiB)", off, err);
  if (ok && t->limits.shared && !t->limits.has_max) return invalid(err, off, "shared memory must have maximum");
  return ok;
}

/* ---------- exports ---------------------------------------------------------------- */

typedef struct export_key {
  const char *str;
  uint32_t len;
  uint32_t index;
} export_key;

static int export_key_cmp(const void *a, const void *b) {
  const export_key *x = a, *y = b;
  uint32_t n = x->len < y->len ? x->len : y->len;
  int c = n ? memcmp(x->str, y->str, n) : 0;
  if (c) return c;
  if (x->len != y->len) return x->len < y->len ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

static int64_t export_offset(const wasm_module *m) {
  for (uint32_t i = 0; i < m->nsections; i++) {
    if (m->sections[i].id == 7) return m->sections[i].offset;
  }
  return -1;
}

static bool check_exports(const wasm_module *m, util_error *err) {
  int64_t off = export_offset(m);
  for (uint32_t i = 0; i < m->nexports; i++) {
    const wasm_export *x = &m->exports[i];
    switch (x->kind) {
    case WASM_EXTERN_FUNC:
      if (x->index >= m->nfuncs) return invalid(err, off, "unknown function %u", x->index);
      break;
    case WASM_EXTERN_TABLE:
      if (x->index >= m->ntables) return invalid(err, off, "unknown table %u", x->index);
      break;
    case WASM_EXTERN_MEMORY:
      if (x->index >= m->nmemories) return invalid(err, off, "unknown memory %u", x->index);
      break;
    case WASM_EXTERN_GLOBAL:
      if (x->index >= m->nglobals) return invalid(err, off, "unknown global %u", x->index);
      break;
    case WASM_EXTERN_TAG:
      if (x->index >= m->ntags) return invalid(err, off, "unknown tag %u", x->index);
      break;
    default: return util_fail(err, UTIL_ERR_MALFORMED, off, "malformed export kind");
    }
  }
  if (m->nexports < 2) return true;
  /* Sorting finds duplicates in O(n log n); ties keep input order so the second
   * occurrence is the one reported. */
  export_key *keys = util_try_malloc(m->nexports * sizeof *keys);
  if (!keys) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  for (uint32_t i = 0; i < m->nexports; i++) {
    keys[i].str = m->exports[i].name.str;
    keys[i].len = m->exports[i].name.len;
    keys[i].index = i;
  }
  qsort(keys, m->nexports, sizeof *keys, export_key_cmp);
  bool ok = true;
  for (uint32_t i = 1; i < m->nexports && ok; i++) {
    const export_key *a = &keys[i - 1], *b = &keys[i];
    if (a->len == b->len && (a->len == 0 || memcmp(a->str, b->str, a->len) == 0)) {
      ok = invalid(err, off, "duplicate export name \"%.*s\"", (int)(b->len > 64 ? 64 : b->len),
                   b->str ? b->str : "");
    }
  }
  free(keys);
  return ok;
}

/* ---------- segments --------------------------------------------------------------- */

static bool check_elem(const wasm_vmodule *vm, const wasm_elem *el, util_error *err) {
  const wasm_module *m = vm->m;
  int64_t off = el->offset_in_input;
  if (!wasm_is_reftype(el->type)) return invalid(err, off, "malformed reference type");
  /* a segment may have the implied type (ref func), in 2.0 too: the feature check is for
   * references to a type index */
  wasm_vtype et = wasm_is_abstract_heap(wasm_ref_heap(el->type)) ? wasm_ref_heap(el->type) : el->type;
  if (!check_vtype(m, et, m->ntypes, off, err)) return false;
  if (el->mode == WASM_SEG_ACTIVE) {
    if (el->table >= m->ntables) return invalid(err, off, "unknown table %u", el->table);
    if (!wasm_vtype_sub(vm, el->type, m->tables[el->table].type.elem)) {
      return invalid(err, off, "type mismatch: segment of %s for a table of %s",
                     wasm_valtype_name(el->type), wasm_valtype_name(m->tables[el->table].type.elem));
    }
    uint8_t at = m->tables[el->table].type.limits.is64 ? WASM_I64 : WASM_I32;
    if (!wasm_validate_const_expr(vm, &el->offset, at, visible_globals(m, -1), err)) return false;
  }
  if (el->func_indices) {
    for (uint32_t i = 0; i < el->count; i++) {
      uint32_t f = el->func_indices[i];
      if (f >= m->nfuncs) return invalid(err, off, "unknown function %u", f);
      if (!wasm_vtype_sub(vm, wasm_reftype(false, WASM_HEAP_INDEX + m->funcs[f].type), el->type)) {
        return invalid(err, off, "type mismatch");
      }
    }
  } else if (el->exprs) {
    for (uint32_t i = 0; i < el->count; i++) {
      if (!wasm_validate_const_expr(vm, &el->exprs[i], el->type, visible_globals(m, -1), err)) return false;
    }
  } else if (el->count) {
    return invalid(err, off, "malformed element segment");
  }
  return true;
}

static bool check_data(const wasm_vmodule *vm, const wasm_data *d, util_error *err) {
  const wasm_module *m = vm->m;
  if (d->mode != WASM_SEG_ACTIVE) return true;
  if (d->memory >= m->nmemories) return invalid(err, d->offset_in_input, "unknown memory %u", d->memory);
  uint8_t at = m->memories[d->memory].type.limits.is64 ? WASM_I64 : WASM_I32;
  return wasm_validate_const_expr(vm, &d->offset, at, visible_globals(m, -1), err);
}

/* ---------- declared function references (the spec's C.refs) ----------------------- */

static void mark_expr_refs(const wasm_module *m, const wasm_expr *e, uint8_t *marks) {
  /* Runs after the expression validated, so reading cannot fail in practice; a local
   * error keeps any surprise from leaking into the caller's. A table without an
   * initialiser has no expression. */
  if (!e->bytes) return;
  util_reader r = {e->bytes, e->bytes, e->bytes + e->len, e->offset};
  util_error scratch;
  util_error_clear(&scratch);
  while (e->bytes && !util_reader_eof(&r)) {
    wasm_instr in;
    if (!wasm_read_instr_features(&r, &in, m->features, &scratch)) return;
    if (in.op == WASM_OP_REF_FUNC && in.idx < m->nfuncs) marks[in.idx] = 1;
    if (in.op == WASM_OP_END) return;
  }
}

static void mark_refs(const wasm_module *m, uint8_t *marks) {
  for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) mark_expr_refs(m, &m->globals[i].init, marks);
  for (uint32_t i = m->ntable_imports; i < m->ntables; i++) mark_expr_refs(m, &m->tables[i].init, marks);
  for (uint32_t i = 0; i < m->nelems; i++) {
    const wasm_elem *el = &m->elems[i];
    if (el->func_indices) {
      for (uint32_t k = 0; k < el->count; k++) {
        if (el->func_indices[k] < m->nfuncs) marks[el->func_indices[k]] = 1;
      }
    } else if (el->exprs) {
      for (uint32_t k = 0; k < el->count; k++) mark_expr_refs(m, &el->exprs[k], marks);
    }
  }
  for (uint32_t i = 0; i < m->nexports; i++) {
    const wasm_export *x = &m->exports[i];
    if (x->kind == WASM_EXTERN_FUNC && x->index < m->nfuncs) marks[x->index] = 1;
  }
}

/* ---------- the module ---------------------------------------------------------------- */

/* A tag's type is a function type without results (its params are the payload). */
static bool check_tagtype(const wasm_module *m, uint32_t type, int64_t off, util_error *err) {
  if (!check_type_index(m, type, off, err)) return false;
  if (m->types[type].nresults) return invalid(err, off, "non-empty tag result type");
  return true;
}

static bool check_imports(const wasm_module *m, util_error *err) {
  uint32_t nt = m->ntypes;
  for (uint32_t i = 0; i < m->nimports; i++) {
    const wasm_import *im = &m->imports[i];
    switch (im->kind) {
    case WASM_EXTERN_FUNC:
      if (!check_type_index(m, im->u.func_type, im->offset, err)) return false;
      break;
    case WASM_EXTERN_TABLE:
      if (!check_tabletype(m, &im->u.table, im->offset, err)) return false;
      break;
    case WASM_EXTERN_MEMORY:
      if (!check_memtype(&im->u.memory, im->offset, err)) return false;
      break;
    case WASM_EXTERN_GLOBAL:
      if (!wasm_is_valtype(im->u.global.type)) return util_fail(err, UTIL_ERR_MALFORMED, im->offset, "malformed value type");
      if (!check_vtype(m, im->u.global.type, nt, im->offset, err)) return false;
      break;
    case WASM_EXTERN_TAG:
      if (!check_tagtype(m, im->u.tag_type, im->offset, err)) return false;
      break;
    default: return util_fail(err, UTIL_ERR_MALFORMED, im->offset, "malformed import kind");
    }
  }
  return true;
}

/* The IR's index spaces must be internally consistent before anything indexes them. */
static bool check_shape(const wasm_module *m, util_error *err) {
  if (m->nfunc_imports > m->nfuncs || m->ntable_imports > m->ntables ||
      m->nmemory_imports > m->nmemories || m->nglobal_imports > m->nglobals ||
      (m->nfuncs && !m->funcs) || (m->ntables && !m->tables) || (m->nmemories && !m->memories) ||
      (m->nglobals && !m->globals) || m->ntag_imports > m->ntags || (m->ntags && !m->tags) || (m->ntypes && !m->types) || (m->nimports && !m->imports) ||
      (m->nexports && !m->exports) || (m->nelems && !m->elems) || (m->ndatas && !m->datas)) {
    return util_fail(err, UTIL_ERR_MALFORMED, -1, "inconsistent module");
  }
  return true;
}

bool wasm_validate_module(const wasm_module *m, wasm_vmodule *vm, util_error *err) {
  vm->m = m;
  vm->declared_funcs = NULL;
  vm->canon = NULL;
  if (!m) return util_fail(err, UTIL_ERR_USAGE, -1, "no module");
  if (!check_shape(m, err)) return false;
  if (!check_types(m, vm, err)) return false;
  vm->declared_funcs = util_try_calloc(m->nfuncs ? m->nfuncs : 1, 1);
  if (!vm->declared_funcs) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");

  if (!check_imports(m, err)) return false;
  for (uint32_t i = 0; i < m->nfuncs; i++) {
    const wasm_func *f = &m->funcs[i];
    int64_t off = f->imported ? -1 : (int64_t)f->body_offset;
    if (!check_type_index(m, f->type, off, err)) return false;
  }
  for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
    const wasm_table *t = &m->tables[i];
    if (!check_tabletype(m, &t->type, -1, err)) return false;
    if (t->init.len && !(m->features & WASM_FEATURE_TYPED_REFS)) return invalid(err, -1, "malformed table type");
    if (t->init.len) {
      /* tables are made before any global is: only imported globals exist yet */
      if (!wasm_validate_const_expr(vm, &t->init, t->type.elem, m->nglobal_imports, err)) return false;
    } else if (!wasm_ref_nullable(t->type.elem)) {
      return invalid(err, -1, "type mismatch: a table of %s needs an initial value", wasm_valtype_name(t->type.elem));
    }
  }
  for (uint32_t i = m->nmemory_imports; i < m->nmemories; i++) {
    if (!check_memtype(&m->memories[i].type, -1, err)) return false;
  }
  if (m->nmemories > 1 && !(m->features & WASM_FEATURE_MULTI_MEMORY)) return invalid(err, -1, "multiple memories");
  for (uint32_t i = m->ntag_imports; i < m->ntags; i++) {
    if (!check_tagtype(m, m->tags[i].type, -1, err)) return false;
  }
  for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
    const wasm_global *g = &m->globals[i];
    if (!wasm_is_valtype(g->type.type)) {
      return util_fail(err, UTIL_ERR_MALFORMED, g->init.offset, "malformed value type");
    }
    if (!check_vtype(m, g->type.type, m->ntypes, g->init.offset, err)) return false;
    if (!wasm_validate_const_expr(vm, &g->init, g->type.type, visible_globals(m, i), err)) return false;
  }
  for (uint32_t i = 0; i < m->nelems; i++) {
    if (!check_elem(vm, &m->elems[i], err)) return false;
  }
  for (uint32_t i = 0; i < m->ndatas; i++) {
    if (!check_data(vm, &m->datas[i], err)) return false;
  }
  if (m->has_start) {
    if (m->start >= m->nfuncs) return invalid(err, -1, "unknown function %u", m->start);
    const wasm_functype *ft = wasm_ir_func_type(m, m->start);
    if (ft->nparams || ft->nresults) {
      return invalid(err, -1, "start function must have type [] -> []");
    }
  }
  if (!check_exports(m, err)) return false;
  if (m->has_data_count && m->data_count != m->ndatas) {
    return util_fail(err, UTIL_ERR_MALFORMED, -1, "data count and data section have inconsistent lengths");
  }
  mark_refs(m, vm->declared_funcs);
  return true;
}

void wasm_vmodule_free(wasm_vmodule *vm) {
  if (!vm) return;
  free(vm->declared_funcs);
  vm->declared_funcs = NULL;
  free(vm->canon);
  vm->canon = NULL;
}

bool wasm_validate(const wasm_module *m, util_error *err) {
  wasm_vmodule vm;
  if (!wasm_validate_module(m, &vm, err)) {
    wasm_vmodule_free(&vm);
    return false;
  }
  bool ok = true;
  for (uint32_t i = m->nfunc_imports; i < m->nfuncs && ok; i++) ok = wasm_validate_func(&vm, i, NULL, err);
  wasm_vmodule_free(&vm);
  return ok;
}

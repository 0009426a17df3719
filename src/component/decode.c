/* The component binary decoder: bytes -> the IR of component.h.
 *
 * Each section is read through a reader bounded by its declared size, so running past
 * the section (or the input) is "unexpected end-of-file" and contents shorter than the
 * size are "section size mismatch". Messages follow the reference tools' wording
 * ("invalid leading byte (0x..) for ...") so the component-model test scripts can check
 * them. Nested core modules are handed to src/wasm's decoder with their bytes; nested
 * components recurse, bounded by COMP_MAX_NESTING. */
#include <stdlib.h>
#include <string.h>

#include "component.h"

/* Components and component/instance types nest by recursion here and in the validator;
 * real producers nest a handful of levels. */
#define COMP_MAX_NESTING 100

typedef struct dec {
  util_arena *arena;
  const uint8_t *input;  /* the outermost input */
  util_reader r;
  util_error *err;
  unsigned depth;
} dec;

static size_t pos(const dec *d) { return util_reader_offset(&d->r); }

static bool fail_at(dec *d, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail_at(dec *d, size_t off, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  util_vfail(d->err, UTIL_ERR_MALFORMED, (int64_t)off, fmt, ap);
  va_end(ap);
  return false;
}

static bool oom(dec *d) { return util_fail(d->err, UTIL_ERR_OOM, (int64_t)pos(d), "out of memory"); }

static bool leading(dec *d, size_t off, uint8_t b, const char *what) {
  return fail_at(d, off, "invalid leading byte (0x%x) for %s", b, what);
}

/* util's readers say "unexpected end"; a component says which end. */
static bool fix_end(dec *d, bool ok) {
  if (!ok && d->err->kind == UTIL_ERR_MALFORMED && strcmp(d->err->msg, "unexpected end") == 0)
    strcpy(d->err->msg, "unexpected end-of-file");
  return ok;
}

static bool u8(dec *d, uint8_t *out) { return fix_end(d, util_read_u8(&d->r, out, d->err)); }
static bool u32(dec *d, uint32_t *out) { return fix_end(d, util_read_u32(&d->r, out, d->err)); }

/* A vector count: each element takes at least one byte, which bounds allocations by the
 * input's size. */
static bool count(dec *d, uint32_t *out) {
  if (!u32(d, out)) return false;
  if (*out > (size_t)(d->r.end - d->r.p)) return fail_at(d, pos(d), "unexpected end-of-file");
  return true;
}

static void *alloc(dec *d, size_t n, size_t size) {
  if (n == 0) n = 1;
  if (n > SIZE_MAX / size) return NULL;
  return util_arena_try_alloc(d->arena, n * size);
}
#define ALLOC(d, ptr, n) (((ptr) = alloc((d), (n), sizeof *(ptr))) != NULL || oom(d))

static bool name(dec *d, wasm_name *out) {
  size_t off = pos(d);
  uint32_t n;
  const uint8_t *s;
  if (!u32(d, &n)) return false;
  if (!fix_end(d, util_read_bytes(&d->r, n, &s, d->err))) return false;
  if (!util_utf8_valid(s, n)) return fail_at(d, off, "malformed UTF-8 encoding");
  out->str = util_arena_try_strndup(d->arena, (const char *)s, n);
  if (!out->str) return oom(d);
  out->len = n;
  return true;
}

static bool boolean(dec *d, bool *out) {
  size_t off = pos(d);
  uint8_t b;
  if (!u8(d, &b)) return false;
  if (b > 1) return fail_at(d, off, "invalid boolean value");
  *out = b == 1;
  return true;
}

static bool zero_byte(dec *d) {
  size_t off = pos(d);
  uint8_t b;
  if (!u8(d, &b)) return false;
  return b == 0 || leading(d, off, b, "zero byte required");
}

/* ---------- sorts and names --------------------------------------------------------- */

static bool core_sort(dec *d, uint8_t *out, const char *what) {
  size_t off = pos(d);
  uint8_t b;
  if (!u8(d, &b)) return false;
  switch (b) {
  case 0x00: *out = COMP_SORT_CORE_FUNC; return true;
  case 0x01: *out = COMP_SORT_CORE_TABLE; return true;
  case 0x02: *out = COMP_SORT_CORE_MEMORY; return true;
  case 0x03: *out = COMP_SORT_CORE_GLOBAL; return true;
  case 0x10: *out = COMP_SORT_CORE_TYPE; return true;
  case 0x11: *out = COMP_SORT_CORE_MODULE; return true;
  case 0x12: *out = COMP_SORT_CORE_INSTANCE; return true;
  case 0x04: *out = COMP_SORT_CORE_TAG; return true;
  default: return leading(d, off, b, what);
  }
}

static bool sort(dec *d, uint8_t *out, const char *what) {
  size_t off = pos(d);
  uint8_t b;
  if (!u8(d, &b)) return false;
  switch (b) {
  case 0x00: return core_sort(d, out, what);
  case 0x01: *out = COMP_SORT_FUNC; return true;
  case 0x02: *out = COMP_SORT_VALUE; return true;
  case 0x03: *out = COMP_SORT_TYPE; return true;
  case 0x04: *out = COMP_SORT_COMPONENT; return true;
  case 0x05: *out = COMP_SORT_INSTANCE; return true;
  default: return leading(d, off, b, what);
  }
}

/* importname' / exportname': 0x00 or 0x01 then the name, or 0x02, the name and a vector
 * of attributes (0x00 implements, 0x01 versionsuffix, 0x02 external-id), each at most
 * once (a repeated one is invalid, so it is recorded for the validator). */
static bool extname(dec *d, comp_extname *n) {
  memset(n, 0, sizeof *n);
  n->offset = (uint32_t)pos(d);
  uint8_t b;
  if (!u8(d, &b)) return false;
  if (b > 2) return leading(d, n->offset, b, "component name");
  n->prefix = b;
  if (!name(d, &n->name)) return false;
  if (b != 2) return true;
  uint32_t na;
  if (!count(d, &na)) return false;
  for (uint32_t i = 0; i < na; i++) {
    size_t off = pos(d);
    uint8_t k;
    if (!u8(d, &k)) return false;
    wasm_name v;
    bool *has;
    wasm_name *slot;
    switch (k) {
    case 0: has = &n->has_implements; slot = &n->implements; break;
    case 1: has = &n->has_versionsuffix; slot = &n->versionsuffix; break;
    case 2: has = &n->has_external_id; slot = &n->external_id; break;
    default: return leading(d, off, k, "name option");
    }
    if (!name(d, &v)) return false;
    if (*has) {
      /* remembered as a duplicate: the validator rejects it (an invalid, not a
       * malformed, name) */
      n->prefix = 0xff;
      n->offset = (uint32_t)off;
      slot->len = k;
      continue;
    }
    *has = true;
    *slot = v;
  }
  return true;
}

/* ---------- types ------------------------------------------------------------------- */

static bool valtype(dec *d, comp_valtype *out) {
  size_t off = pos(d);
  if (d->r.p < d->r.end && comp_is_primcode(*d->r.p)) {
    *out = COMP_PRIM | *d->r.p++;
    return true;
  }
  /* a type index is a non-negative s33; a one-byte value >= 0x40 is a negative type code */
  int64_t v;
  if (!fix_end(d, util_read_s33(&d->r, &v, d->err))) return false;
  if (v < 0) return leading(d, off, d->input[off], "valtype");
  if (v > UINT32_MAX) return fail_at(d, off, "integer too large");
  *out = (comp_valtype)v;
  return true;
}

static bool opt_valtype(dec *d, bool *has, comp_valtype *out) {
  size_t off = pos(d);
  uint8_t b;
  if (!u8(d, &b)) return false;
  if (b == 0) { *has = false; return true; }
  if (b != 1) return leading(d, off, b, "optional valtype");
  *has = true;
  return valtype(d, out);
}

static bool labels(dec *d, comp_type *t, bool typed) {
  if (!count(d, &t->n) || !ALLOC(d, t->labels, t->n)) return false;
  for (uint32_t i = 0; i < t->n; i++) {
    if (!name(d, &t->labels[i].name)) return false;
    if (typed) {
      t->labels[i].has_type = true;
      if (!valtype(d, &t->labels[i].type)) return false;
    }
  }
  return true;
}

static bool core_type(dec *d, comp_core_type **out, bool in_module_type);
static bool comp_decode_type(dec *d, comp_type **out);
static bool externdesc(dec *d, comp_externdesc *e);
static bool alias_body(dec *d, comp_alias *a);

static bool decls(dec *d, comp_type *t, bool component) {
  if (!count(d, &t->n) || !ALLOC(d, t->decls, t->n)) return false;
  for (uint32_t i = 0; i < t->n; i++) {
    comp_decl *c = &t->decls[i];
    c->offset = (uint32_t)pos(d);
    uint8_t b;
    if (!u8(d, &b)) return false;
    c->kind = b;
    switch (b) {
    case COMP_DECL_CORE_TYPE:
      if (!core_type(d, &c->core_type, false)) return false;
      break;
    case COMP_DECL_TYPE:
      if (!comp_decode_type(d, &c->type)) return false;
      break;
    case COMP_DECL_ALIAS:
      if (!alias_body(d, &c->alias)) return false;
      break;
    case COMP_DECL_IMPORT:
      if (!component) return leading(d, c->offset, b, "component or instance type declaration");
      /* fallthrough */
    case COMP_DECL_EXPORT:
      if (!extname(d, &c->name) || !externdesc(d, &c->desc)) return false;
      break;
    default: return leading(d, c->offset, b, "component or instance type declaration");
    }
  }
  return true;
}

static bool comp_decode_type(dec *d, comp_type **out) {
  comp_type *t;
  if (!ALLOC(d, t, 1)) return false;
  *out = t;
  t->offset = (uint32_t)pos(d);
  uint8_t b;
  if (!u8(d, &b)) return false;
  t->code = b;
  if (comp_is_primcode(b)) return true;
  switch (b) {
  case COMP_T_RECORD: return labels(d, t, true);
  case COMP_T_VARIANT:
    if (!count(d, &t->n) || !ALLOC(d, t->labels, t->n)) return false;
    for (uint32_t i = 0; i < t->n; i++) {
      comp_label *l = &t->labels[i];
      if (!name(d, &l->name) || !opt_valtype(d, &l->has_type, &l->type) || !zero_byte(d)) return false;
    }
    return true;
  case COMP_T_LIST:
  case COMP_T_OPTION:
    t->has_a = true;
    return valtype(d, &t->a);
  case COMP_T_FIXED_LIST:
    t->has_a = true;
    return valtype(d, &t->a) && u32(d, &t->len);
  case COMP_T_MAP:
    t->has_a = t->has_b = true;
    return valtype(d, &t->a) && valtype(d, &t->b);
  case COMP_T_TUPLE:
    if (!count(d, &t->n) || !ALLOC(d, t->types, t->n)) return false;
    for (uint32_t i = 0; i < t->n; i++)
      if (!valtype(d, &t->types[i])) return false;
    return true;
  case COMP_T_FLAGS:
  case COMP_T_ENUM: return labels(d, t, false);
  case COMP_T_RESULT: return opt_valtype(d, &t->has_a, &t->a) && opt_valtype(d, &t->has_b, &t->b);
  case COMP_T_OWN:
  case COMP_T_BORROW: t->has_a = true; return u32(d, &t->a);
  case COMP_T_STREAM:
  case COMP_T_FUTURE: return opt_valtype(d, &t->has_a, &t->a);
  case COMP_T_FUNC:
  case COMP_T_ASYNC_FUNC: {
    if (!labels(d, t, true)) return false;
    size_t off = pos(d);
    uint8_t r;
    if (!u8(d, &r)) return false;
    if (r == 0) { t->has_a = true; return valtype(d, &t->a); }
    if (r != 1) return leading(d, off, r, "component function results");
    off = pos(d);
    if (!u8(d, &r)) return false;
    return r == 0 || leading(d, off, r, "number of results");
  }
  case COMP_T_COMPONENT:
  case COMP_T_INSTANCE: {
    if (d->depth >= COMP_MAX_NESTING)
      return util_fail(d->err, UTIL_ERR_LIMIT, (int64_t)t->offset,
                       "not supported: types nested deeper than %d levels", COMP_MAX_NESTING);
    d->depth++;
    bool ok = decls(d, t, b == COMP_T_COMPONENT);
    d->depth--;
    return ok;
  }
  case COMP_T_RESOURCE: {
    size_t off = pos(d);
    uint8_t rep;
    if (!u8(d, &rep)) return false;
    if (rep != 0x7f) return leading(d, off, rep, "resource representation");
    off = pos(d);
    uint8_t o;
    if (!u8(d, &o)) return false;
    if (o > 1) return leading(d, off, o, "optional destructor");
    t->has_dtor = o == 1;
    return !t->has_dtor || u32(d, &t->dtor);
  }
  default: return leading(d, t->offset, b, "component defined type");
  }
}

/* ---------- core types -------------------------------------------------------------- */

static bool core_valtypes(dec *d, uint32_t *n, const wasm_vtype **out) {
  wasm_vtype *v;
  if (!count(d, n) || !ALLOC(d, v, *n)) return false;
  for (uint32_t i = 0; i < *n; i++) {
    size_t off = pos(d);
    uint8_t b;
    if (!u8(d, &b)) return false;
    v[i] = b;
    if (!wasm_is_valtype(v[i])) {
      if (v[i] == 0x63 || v[i] == 0x64 || (v[i] >= 0x69 && v[i] <= 0x6e) || v[i] == 0x71 || v[i] == 0x72 || v[i] == 0x73 || v[i] == 0x74)
        return util_fail(d->err, UTIL_ERR_LIMIT, (int64_t)off, "not supported: GC reference types in core types");
      return fail_at(d, off, "malformed value type");
    }
  }
  *out = v;
  return true;
}

static bool core_functype(dec *d, comp_core_type *t) {
  t->code = 0x60;
  return core_valtypes(d, &t->ft.nparams, &t->ft.params) && core_valtypes(d, &t->ft.nresults, &t->ft.results);
}

static bool core_import_desc(dec *d, wasm_import *imp) {
  size_t off = pos(d);
  if (!u8(d, &imp->kind)) return false;
  util_reader *r = &d->r;
  switch (imp->kind) {
  case WASM_EXTERN_FUNC: return u32(d, &imp->u.func_type);
  case WASM_EXTERN_TABLE:
  case WASM_EXTERN_MEMORY:
  case WASM_EXTERN_GLOBAL: {
    /* the core encodings: tabletype, memtype, globaltype (2.0 forms) */
    wasm_limits *l = imp->kind == WASM_EXTERN_TABLE ? &imp->u.table.limits : &imp->u.memory.limits;
    if (imp->kind == WASM_EXTERN_GLOBAL) {
      size_t o2 = pos(d);
      uint8_t mut, vt;
      if (!u8(d, &vt)) return false;
      imp->u.global.type = vt;
      if (!wasm_is_valtype(imp->u.global.type)) return fail_at(d, o2, "malformed value type");
      o2 = pos(d);
      if (!u8(d, &mut)) return false;
      if (mut > 1) return fail_at(d, o2, "malformed mutability");
      imp->u.global.mut = mut;
      return true;
    }
    if (imp->kind == WASM_EXTERN_TABLE) {
      size_t o2 = pos(d);
      uint8_t et;
      if (!u8(d, &et)) return false;
      imp->u.table.elem = et;
      if (!wasm_is_reftype(imp->u.table.elem)) return fail_at(d, o2, "malformed reference type");
    }
    size_t o2 = pos(d);
    uint8_t flag;
    uint32_t v;
    if (!u8(d, &flag)) return false;
    /* bit 1: a shared memory (threads) */
    if (flag > (imp->kind == WASM_EXTERN_MEMORY ? 3 : 1)) return fail_at(d, o2, "integer too large");
    if (!fix_end(d, util_read_u32(r, &v, d->err))) return false;
    l->min = v;
    l->shared = (flag & 2) != 0;
    l->has_max = (flag & 1) != 0;
    if (l->has_max) {
      if (!fix_end(d, util_read_u32(r, &v, d->err))) return false;
      l->max = v;
    }
    return true;
  }
  default: return leading(d, off, imp->kind, "external kind");
  }
}

static bool module_type(dec *d, comp_core_type *t) {
  t->code = 0x50;
  if (!count(d, &t->ndecls) || !ALLOC(d, t->decls, t->ndecls)) return false;
  for (uint32_t i = 0; i < t->ndecls; i++) {
    comp_core_decl *c = &t->decls[i];
    c->offset = (uint32_t)pos(d);
    if (!u8(d, &c->kind)) return false;
    switch (c->kind) {
    case 0:
      if (!name(d, &c->imp.module) || !name(d, &c->imp.field) || !core_import_desc(d, &c->imp)) return false;
      break;
    case 1:
      if (!core_type(d, &c->type, true)) return false;
      break;
    case 2: {
      size_t off = pos(d);
      uint8_t s, tg;
      if (!u8(d, &s)) return false;
      if (s != 0x10) return leading(d, off, s, "outer alias kind");
      off = pos(d);
      if (!u8(d, &tg)) return false;
      if (tg != 0x01) return leading(d, off, tg, "outer alias target");
      if (!u32(d, &c->ct) || !u32(d, &c->idx)) return false;
      break;
    }
    case 3:
      if (!name(d, &c->imp.field) || !core_import_desc(d, &c->imp)) return false;
      break;
    default: return leading(d, c->offset, c->kind, "type definition");
    }
  }
  return true;
}

/* core:type: a function type, a subtype (0x50 after a 0x00 prefix, or 0x4f) of one with
 * supertypes, or (at the top level only) a module type. A module type's declarators hold
 * no module types: there 0x50 is not a module type, which the validator reports. */
static bool core_type(dec *d, comp_core_type **out, bool in_module_type) {
  comp_core_type *t;
  if (!ALLOC(d, t, 1)) return false;
  *out = t;
  t->offset = (uint32_t)pos(d);
  uint8_t b;
  if (!u8(d, &b)) return false;
  bool sub = false;
  if (b == 0x00) {
    size_t off = pos(d);
    if (!u8(d, &b)) return false;
    if (b != 0x50) return leading(d, off, b, "non-final sub type");
    sub = true;
  } else if (b == 0x4f) {
    sub = true;
  }
  if (sub) {
    uint32_t n, s;
    if (!count(d, &n)) return false;
    for (uint32_t i = 0; i < n; i++)
      if (!u32(d, &s)) return false;
    if (n > 0)
      return util_fail(d->err, UTIL_ERR_LIMIT, (int64_t)t->offset, "not supported: core subtypes with supertypes (GC)");
    size_t off = pos(d);
    if (!u8(d, &b)) return false;
    if (b != 0x60) {
      if (b == 0x5f || b == 0x5e)
        return util_fail(d->err, UTIL_ERR_LIMIT, (int64_t)off, "not supported: GC struct and array types");
      return leading(d, off, b, "type definition");
    }
    return core_functype(d, t);
  }
  switch (b) {
  case 0x60: return core_functype(d, t);
  case 0x50:
    if (in_module_type) return util_fail(d->err, UTIL_ERR_INVALID, (int64_t)t->offset, "invalid leading byte (0x50) for type definition: module types do not nest");
    return module_type(d, t);
  case 0x5f:
  case 0x5e:
  case 0x4e: return util_fail(d->err, UTIL_ERR_LIMIT, (int64_t)t->offset, "not supported: GC types (struct, array, rec) in core types");
  default: return leading(d, t->offset, b, "type definition");
  }
}

/* ---------- imports, exports, aliases, instances, canons --------------------------- */

static bool externdesc(dec *d, comp_externdesc *e) {
  size_t off = pos(d);
  uint8_t b;
  if (!u8(d, &b)) return false;
  e->kind = b;
  switch (b) {
  case COMP_EXT_MODULE: {
    uint8_t s;
    if (!u8(d, &s)) return false;
    if (s != 0x11) return leading(d, off, 0, "component external kind");
    return u32(d, &e->idx);
  }
  case COMP_EXT_FUNC:
  case COMP_EXT_COMPONENT:
  case COMP_EXT_INSTANCE: return u32(d, &e->idx);
  case COMP_EXT_VALUE: {
    size_t o2 = pos(d);
    if (!u8(d, &e->bound)) return false;
    if (e->bound == 0) return u32(d, &e->idx);
    if (e->bound == 1) return valtype(d, &e->vt);
    return leading(d, o2, e->bound, "value bound");
  }
  case COMP_EXT_TYPE: {
    size_t o2 = pos(d);
    if (!u8(d, &e->bound)) return false;
    if (e->bound == 0) return u32(d, &e->idx);
    if (e->bound == 1) return true;
    return leading(d, o2, e->bound, "type bound");
  }
  default: return leading(d, off, b, "component external kind");
  }
}

static bool alias_body(dec *d, comp_alias *a) {
  a->offset = (uint32_t)pos(d);
  size_t off = pos(d);
  /* an unknown sort is reported in the reference tools' words for outer aliases, which
   * allow the fewest sorts */
  util_reader save = d->r;
  uint8_t s;
  if (!sort(d, &s, "component outer alias kind")) return false;
  size_t toff = pos(d);
  uint8_t tg;
  if (!u8(d, &tg)) return false;
  a->sort = s;
  a->target = tg;
  switch (tg) {
  case 0x00:
  case 0x01:
    if (tg == 0x01 && s > COMP_SORT_CORE_INSTANCE && s != COMP_SORT_CORE_TAG) return leading(d, toff, tg, "alias");
    return u32(d, &a->a) && name(d, &a->name);
  case 0x02:
    if (s != COMP_SORT_TYPE && s != COMP_SORT_CORE_TYPE && s != COMP_SORT_CORE_MODULE && s != COMP_SORT_COMPONENT) {
      d->r = save;
      uint8_t first;
      if (!u8(d, &first)) return false;
      if (first == 0x00 && !u8(d, &first)) return false;
      return leading(d, off, first, "component outer alias kind");
    }
    return u32(d, &a->a) && u32(d, &a->b);
  default: return leading(d, toff, tg, "alias");
  }
}

static bool sortidx(dec *d, comp_sortidx *s, bool core, const char *what) {
  if (core) {
    if (!core_sort(d, &s->sort, what)) return false;
  } else if (!sort(d, &s->sort, what)) {
    return false;
  }
  return u32(d, &s->idx);
}

static bool core_instance(dec *d, comp_instance *in) {
  in->offset = (uint32_t)pos(d);
  if (!u8(d, &in->code)) return false;
  if (in->code == 0x00) {
    if (!u32(d, &in->idx) || !count(d, &in->nargs) || !ALLOC(d, in->args, in->nargs)) return false;
    for (uint32_t i = 0; i < in->nargs; i++) {
      comp_arg *a = &in->args[i];
      if (!name(d, &a->name.name)) return false;
      size_t off = pos(d);
      uint8_t k;
      if (!u8(d, &k)) return false;
      if (k != 0x12) return leading(d, off, k, "instantiation arg kind");
      a->s.sort = COMP_SORT_CORE_INSTANCE;
      if (!u32(d, &a->s.idx)) return false;
    }
    return true;
  }
  if (in->code == 0x01) {
    if (!count(d, &in->nargs) || !ALLOC(d, in->args, in->nargs)) return false;
    for (uint32_t i = 0; i < in->nargs; i++)
      if (!name(d, &in->args[i].name.name) || !sortidx(d, &in->args[i].s, true, "core instance export kind"))
        return false;
    return true;
  }
  return leading(d, in->offset, in->code, "core instance");
}

static bool instance(dec *d, comp_instance *in) {
  in->offset = (uint32_t)pos(d);
  if (!u8(d, &in->code)) return false;
  if (in->code == 0x00) {
    if (!u32(d, &in->idx) || !count(d, &in->nargs) || !ALLOC(d, in->args, in->nargs)) return false;
    for (uint32_t i = 0; i < in->nargs; i++) {
      comp_arg *a = &in->args[i];
      a->name.offset = (uint32_t)pos(d);
      if (!name(d, &a->name.name) || !sortidx(d, &a->s, false, "component external kind")) return false;
    }
    return true;
  }
  if (in->code == 0x01) {
    if (!count(d, &in->nargs) || !ALLOC(d, in->args, in->nargs)) return false;
    for (uint32_t i = 0; i < in->nargs; i++)
      if (!extname(d, &in->args[i].name) || !sortidx(d, &in->args[i].s, false, "component external kind"))
        return false;
    return true;
  }
  return leading(d, in->offset, in->code, "instance");
}

static bool canon_opts(dec *d, comp_canon *c) {
  if (!count(d, &c->nopts) || !ALLOC(d, c->opts, c->nopts)) return false;
  for (uint32_t i = 0; i < c->nopts; i++) {
    comp_canonopt *o = &c->opts[i];
    o->offset = (uint32_t)pos(d);
    if (!u8(d, &o->code)) return false;
    switch (o->code) {
    case 0: case 1: case 2: case 6: case 9: break;
    case 3: case 4: case 5: case 7: case 8:
      if (!u32(d, &o->idx)) return false;
      break;
    default: return leading(d, o->offset, o->code, "canonical option");
    }
  }
  return true;
}

static bool canon(dec *d, comp_canon *c) {
  c->offset = (uint32_t)pos(d);
  if (!u8(d, &c->code)) return false;
  size_t off;
  uint8_t b;
  switch (c->code) {
  case 0x00:
  case 0x01:
    off = pos(d);
    if (!u8(d, &b)) return false;
    if (b != 0x00) return leading(d, off, b, c->code == 0 ? "canonical function lift" : "canonical function lower");
    if (!u32(d, &c->a) || !canon_opts(d, c)) return false;
    return c->code == 0x01 || u32(d, &c->b);
  case 0x02: case 0x03: case 0x04:            /* resource.new/drop/rep */
  case 0x0d:                                  /* subtask.drop: no immediate */
    if (c->code == 0x0d) return true;
    return u32(d, &c->a);
  case 0x05: case 0x1f: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26: case 0x28:
  case 0x1e: case 0x42:
    return true;
  case 0x06: case 0x0c: case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d:
    return boolean(d, &c->flag);
  case 0x09: {                                /* task.return: resultlist, opts */
    off = pos(d);
    if (!u8(d, &b)) return false;
    if (b == 0x00) {
      c->has_result = true;
      if (!valtype(d, &c->result)) return false;
    } else if (b == 0x01) {
      size_t o2 = pos(d);
      if (!u8(d, &b)) return false;
      if (b != 0) return leading(d, o2, b, "number of results");
    } else {
      return leading(d, off, b, "component function results");
    }
    return canon_opts(d, c);
  }
  case 0x0a: case 0x0b:                       /* context.get/set i32 n */
    off = pos(d);
    if (!u8(d, &b)) return false;
    if (b != 0x7f) return leading(d, off, b, "context type");
    return u32(d, &c->a);
  case 0x0e: case 0x13: case 0x14: case 0x15: case 0x1a: case 0x1b: case 0x40:
    return u32(d, &c->a);
  case 0x0f: case 0x10: case 0x16: case 0x17:
    return u32(d, &c->a) && canon_opts(d, c);
  case 0x11: case 0x12: case 0x18: case 0x19:
    return u32(d, &c->a) && boolean(d, &c->flag);
  case 0x1c: case 0x1d:
    return canon_opts(d, c);
  case 0x20: case 0x21:                       /* waitable-set.wait/poll cancellable? mem */
    return boolean(d, &c->flag) && u32(d, &c->a);
  case 0x27: case 0x41:                       /* thread.new-indirect / spawn-indirect: type, table */
    return u32(d, &c->a) && u32(d, &c->b);
  default: return leading(d, c->offset, c->code, "canonical function");
  }
}

/* ---------- sections ---------------------------------------------------------------- */

typedef struct defs {
  comp_def *v;
  size_t n, cap;
  comp_section_info *s;
  size_t ns, caps;
} defs;

static bool push_def(dec *d, defs *ds, uint8_t sec, uint32_t off, void *p) {
  comp_def def = {.sec = sec, .offset = off};
  def.u.instance = p;
  if (!UTIL_VEC_TRY_PUSH(ds->v, ds->n, ds->cap, def)) return oom(d);
  return true;
}

static comp_component *decode_component(dec *d, const uint8_t *bytes, size_t len, size_t base);

static bool core_module(dec *d, defs *ds, const uint8_t *p, uint32_t size, size_t base) {
  /* a component's preamble where a module's belongs is named as such */
  if (size >= 8 && memcmp(p, "\0asm", 4) == 0 && memcmp(p + 4, "\1\0\0\0", 4) != 0 && p[6] == COMP_LAYER && p[7] == 0)
    return fail_at(d, base + 4, "expected a version header for a module");
  util_error e;
  wasm_module *m = wasm_decode(p, size, &e);
  if (!m) {
    *d->err = e;
    if (d->err->offset >= 0) d->err->offset += (int64_t)base;
    return false;
  }
  if (!push_def(d, ds, COMP_SEC_CORE_MODULE, (uint32_t)base, m)) {
    wasm_module_free(m);
    return false;
  }
  return true;
}

static bool nested_component(dec *d, defs *ds, const uint8_t *p, uint32_t size, size_t base) {
  if (d->depth >= COMP_MAX_NESTING)
    return util_fail(d->err, UTIL_ERR_LIMIT, (int64_t)base, "not supported: components nested deeper than %d levels",
                     COMP_MAX_NESTING);
  util_reader saved = d->r;
  d->depth++;
  comp_component *c = decode_component(d, p, size, base);
  d->depth--;
  d->r = saved;
  if (!c) return false;
  if (!push_def(d, ds, COMP_SEC_COMPONENT, (uint32_t)base, c)) {
    comp_free(c);
    return false;
  }
  return true;
}

/* The component-name custom section gives the component its name (subsection 0); the
 * rest (sort names) is not used. A malformed one is ignored, as custom sections are. */
static void component_name(dec *d, comp_component *c, util_reader r) {
  util_error e;
  while (r.p < r.end) {
    uint8_t id;
    uint32_t size, n;
    const uint8_t *s;
    if (!util_read_u8(&r, &id, &e) || !util_read_u32(&r, &size, &e) || size > (size_t)(r.end - r.p)) return;
    if (id != 0) { r.p += size; continue; }
    util_reader sub = {r.p, r.p, r.p + size, 0};
    if (!util_read_u32(&sub, &n, &e) || !util_read_bytes(&sub, n, &s, &e) || !util_utf8_valid(s, n)) return;
    c->name.str = util_arena_try_strndup(d->arena, (const char *)s, n);
    c->name.len = c->name.str ? n : 0;
    return;
  }
}

static bool section(dec *d, comp_component *c, defs *ds, uint8_t id, size_t start, uint32_t size) {
  uint32_t n = 0;
  size_t off;
  switch (id) {
  case COMP_SEC_CUSTOM: {
    wasm_name nm;
    if (!name(d, &nm)) return false;
    if (ds->ns) ds->s[ds->ns - 1].custom_name = nm.str;
    if (nm.len == 14 && memcmp(nm.str, "component-name", 14) == 0 && !c->name.str)
      component_name(d, c, d->r);
    d->r.p = d->r.end;
    return true;
  }
  case COMP_SEC_CORE_MODULE: {
    const uint8_t *p = d->r.p;
    d->r.p = d->r.end;
    ds->s[ds->ns - 1].count = 1;
    return core_module(d, ds, p, size, start);
  }
  case COMP_SEC_COMPONENT: {
    const uint8_t *p = d->r.p;
    d->r.p = d->r.end;
    ds->s[ds->ns - 1].count = 1;
    return nested_component(d, ds, p, size, start);
  }
  case COMP_SEC_START: {
    comp_start *s;
    if (!ALLOC(d, s, 1)) return false;
    if (!u32(d, &s->func) || !count(d, &s->nargs) || !ALLOC(d, s->args, s->nargs)) return false;
    for (uint32_t i = 0; i < s->nargs; i++)
      if (!u32(d, &s->args[i])) return false;
    if (!u32(d, &s->nresults)) return false;
    ds->s[ds->ns - 1].count = 1;
    return push_def(d, ds, id, (uint32_t)start, s);
  }
  case COMP_SEC_VALUE:
    return util_fail(d->err, UTIL_ERR_LIMIT, (int64_t)start, "not supported: value definitions (section 12)");
  default: break;
  }
  if (!count(d, &n)) return false;
  ds->s[ds->ns - 1].count = n;
  for (uint32_t i = 0; i < n; i++) {
    off = pos(d);
    void *p = NULL;
    bool ok;
    switch (id) {
    case COMP_SEC_CORE_INSTANCE:
    case COMP_SEC_INSTANCE: {
      comp_instance *in;
      if (!ALLOC(d, in, 1)) return false;
      ok = id == COMP_SEC_INSTANCE ? instance(d, in) : core_instance(d, in);
      p = in;
      break;
    }
    case COMP_SEC_CORE_TYPE: {
      comp_core_type *t;
      ok = core_type(d, &t, false);
      p = t;
      break;
    }
    case COMP_SEC_ALIAS: {
      comp_alias *a;
      if (!ALLOC(d, a, 1)) return false;
      ok = alias_body(d, a);
      p = a;
      break;
    }
    case COMP_SEC_TYPE: {
      comp_type *t;
      ok = comp_decode_type(d, &t);
      p = t;
      break;
    }
    case COMP_SEC_CANON: {
      comp_canon *cn;
      if (!ALLOC(d, cn, 1)) return false;
      ok = canon(d, cn);
      p = cn;
      break;
    }
    case COMP_SEC_IMPORT: {
      comp_import *im;
      if (!ALLOC(d, im, 1)) return false;
      ok = extname(d, &im->name) && externdesc(d, &im->desc);
      p = im;
      break;
    }
    case COMP_SEC_EXPORT: {
      comp_export *ex;
      if (!ALLOC(d, ex, 1)) return false;
      ok = extname(d, &ex->name) && sortidx(d, &ex->s, false, "component external kind");
      if (ok) {
        size_t o2 = pos(d);
        uint8_t b;
        ok = u8(d, &b);
        if (ok && b > 1) ok = leading(d, o2, b, "optional component export type");
        if (ok && b == 1) {
          ex->has_desc = true;
          ok = externdesc(d, &ex->desc);
        }
      }
      p = ex;
      break;
    }
    default: return fail_at(d, start - 1, "malformed section id");
    }
    if (!ok || !push_def(d, ds, id, (uint32_t)off, p)) return false;
  }
  return true;
}

static void free_defs(comp_def *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (v[i].sec == COMP_SEC_CORE_MODULE) wasm_module_free(v[i].u.module);
    else if (v[i].sec == COMP_SEC_COMPONENT) comp_free(v[i].u.component);
  }
  free(v);
}

/* Reads a component whose preamble starts at bytes (offset base in the outermost input). */
static comp_component *decode_component(dec *d, const uint8_t *bytes, size_t len, size_t base) {
  d->r = (util_reader){bytes, bytes, bytes + len, base};
  const uint8_t *p;
  if (!fix_end(d, util_read_bytes(&d->r, 4, &p, d->err))) return NULL;
  if (memcmp(p, "\0asm", 4) != 0) { fail_at(d, base, "magic header not detected"); return NULL; }
  if (!fix_end(d, util_read_bytes(&d->r, 4, &p, d->err))) return NULL;
  if (memcmp(p, "\x0d\0\1\0", 4) != 0) {
    if (d->depth > 0 && memcmp(p, "\1\0\0\0", 4) == 0) fail_at(d, base + 4, "expected a version header for a component");
    else fail_at(d, base + 4, "unknown binary version");
    return NULL;
  }
  comp_component *c = util_arena_try_alloc(d->arena, sizeof *c);
  if (!c) { oom(d); return NULL; }
  c->arena = d->arena;
  c->base = (uint32_t)base;
  c->size = (uint32_t)len;
  defs ds = {0};
  while (d->r.p < d->r.end) {
    size_t idoff = pos(d);
    uint8_t id;
    uint32_t size;
    if (!u8(d, &id)) goto fail;
    if (id > COMP_SEC_VALUE) { fail_at(d, idoff, "malformed section id"); goto fail; }
    if (!u32(d, &size)) goto fail;
    size_t start = pos(d);
    if (size > (size_t)(d->r.end - d->r.p)) { fail_at(d, start, "unexpected end-of-file"); goto fail; }
    comp_section_info si = {id, (uint32_t)start, size, 0, NULL};
    if (!UTIL_VEC_TRY_PUSH(ds.s, ds.ns, ds.caps, si)) { oom(d); goto fail; }
    util_reader outer = d->r;
    d->r = (util_reader){d->r.p, d->r.p, d->r.p + size, start};
    if (!section(d, c, &ds, id, start, size)) goto fail;
    if (d->r.p != d->r.end) { fail_at(d, pos(d), "section size mismatch"); goto fail; }
    d->r = outer;
    d->r.p += size;
  }
  c->ndefs = (uint32_t)ds.n;
  c->nsections = (uint32_t)ds.ns;
  c->defs = ds.v;
  c->sections = ds.s;
  return c;
fail:
  free_defs(ds.v, ds.n);
  free(ds.s);
  return NULL;
}

comp_component *comp_decode(const uint8_t *bytes, size_t len, util_error *err) {
  util_error_clear(err);
  util_arena *a = util_try_calloc(1, sizeof *a);
  if (!a) {
    util_fail(err, UTIL_ERR_OOM, 0, "out of memory");
    return NULL;
  }
  util_arena_init(a);
  dec d = {.arena = a, .input = bytes, .err = err};
  comp_component *c = decode_component(&d, bytes, len, 0);
  if (c) c->owns_arena = true;
  if (!c) {
    util_arena_free(a);
    free(a);
  }
  return c;
}

void comp_free(comp_component *c) {
  if (!c) return;
  util_arena *a = c->owns_arena ? c->arena : NULL;
  free_defs(c->defs, c->ndefs);
  free(c->sections);
  if (a) {
    util_arena_free(a);
    free(a);
  }
}

bool comp_is_component(const uint8_t *bytes, size_t len) {
  return len >= 8 && memcmp(bytes, "\0asm\x0d\0\1\0", 8) == 0;
}

bool comp_has_component_layer(const uint8_t *bytes, size_t len) {
  return len >= 8 && memcmp(bytes, "\0asm", 4) == 0 && bytes[6] == COMP_LAYER && bytes[7] == 0;
}

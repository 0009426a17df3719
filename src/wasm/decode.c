/* The binary decoder: WebAssembly 2.0 bytes -> module IR.
 *
 * The input is read as one stream, as the reference interpreter does: a section or a
 * function body is not a bounded sub-reader; its declared size is checked once its
 * contents have been read ("section size mismatch"), and lengths are checked against
 * what is left of the whole input ("length out of bounds"). This is what makes the
 * error for a given malformed module the one the conformance suite expects.
 *
 * Besides the structure, every function body and constant expression gets a syntax
 * pass: opcodes exist, immediates are well formed, blocks nest and end. Typing is left
 * to the validator. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"
#include "instr.h"
#include "module.h"
#include "proposals.h"

/* An implementation limit (the spec's is 2^32-1): local_types is materialised per
 * function, and no real producer comes near this. */
#define DECODE_MAX_LOCALS 50000u

enum {
  SEC_CUSTOM = 0, SEC_TYPE = 1, SEC_IMPORT = 2, SEC_FUNCTION = 3, SEC_TABLE = 4,
  SEC_MEMORY = 5, SEC_GLOBAL = 6, SEC_EXPORT = 7, SEC_START = 8, SEC_ELEMENT = 9,
  SEC_CODE = 10, SEC_DATA = 11, SEC_DATACOUNT = 12, SEC_TAG = 13,
};

/* Position of each non-custom section in the required order (datacount sits between
 * element and code, the tag section between memory and global). */
static const uint8_t section_rank[14] = {0, 2, 4, 6, 8, 10, 14, 16, 18, 20, 24, 26, 22, 12};

typedef struct decoder {
  wasm_module *m;
  util_reader r;
  util_error *err;
  int last_rank;
  uint32_t features; /* WASM_FEATURE_* */

  /* function section: the type index of each defined function */
  uint32_t nfunc_defs;
  uint32_t *func_types;
  /* code section: bodies, matched with the function section at the end */
  uint32_t ncode;
  wasm_func *code;
  bool uses_data_index; /* memory.init or data.drop seen */
  /* wasm_decode_known: the bodies are not walked (each one's extent is its size) */
  bool bodies_known;
  bool have_tables, have_memories, have_globals, have_funcs, have_tags;

  /* block nesting of the instruction sequence being read: one byte per open block */
  uint8_t *nest;
  size_t nnest, capnest;

  wasm_section_info *secs;
  size_t nsecs, capsecs;
  wasm_custom *customs;
  size_t ncustoms, capcustoms;
} decoder;

static size_t pos(const decoder *d) { return util_reader_offset(&d->r); }

static bool fail(decoder *d, size_t off, const char *msg) {
  return util_fail(d->err, UTIL_ERR_MALFORMED, (int64_t)off, "%s", msg);
}

static bool out_of_memory(decoder *d) {
  return util_fail(d->err, UTIL_ERR_OOM, (int64_t)pos(d), "out of memory");
}

/* A zeroed array in the module's arena (NULL when empty) in *out. Counts come from
 * lengths already checked against the input size, so n * size cannot overflow on 64-bit
 * hosts; the check covers 32-bit ones. */
static bool arena_array(decoder *d, size_t n, size_t size, void **out) {
  *out = NULL;
  if (n == 0) return true;
  if (n > SIZE_MAX / size)
    return util_fail(d->err, UTIL_ERR_LIMIT, (int64_t)pos(d), "module too large");
  *out = util_arena_try_alloc(&d->m->arena, n * size);
  return *out ? true : out_of_memory(d);
}

#define ARENA_ARRAY(d, ptr, n) arena_array((d), (n), sizeof *(ptr), (void **)&(ptr))

/* ---------- primitive readers ------------------------------------------------------ */

static bool read_u8(decoder *d, uint8_t *out) { return util_read_u8(&d->r, out, d->err); }
static bool read_u32(decoder *d, uint32_t *out) { return util_read_u32(&d->r, out, d->err); }

/* A length or vector count: it cannot exceed the bytes left in the input (each vector
 * element takes at least one byte), which also bounds every allocation by the input. */
static bool read_len(decoder *d, uint32_t *out) {
  size_t off = pos(d);
  size_t left = (size_t)(d->r.end - d->r.p);
  if (!read_u32(d, out)) return false;
  if (*out > left) return fail(d, off, "length out of bounds");
  return true;
}

static bool read_name(decoder *d, wasm_name *out) {
  size_t off = pos(d);
  uint32_t n;
  const uint8_t *s;
  if (!read_len(d, &n) || !util_read_bytes(&d->r, n, &s, d->err)) return false;
  if (!util_utf8_valid(s, n)) return fail(d, off, "malformed UTF-8 encoding");
  out->str = util_arena_try_strndup(&d->m->arena, (const char *)s, n);
  if (!out->str) return out_of_memory(d);
  out->len = n;
  return true;
}

static bool read_valtype(decoder *d, wasm_vtype *out) { return wasm_read_valtype(&d->r, out, d->err); }

static bool read_reftype(decoder *d, wasm_vtype *out) { return wasm_read_reftype(&d->r, out, d->err); }

/* 3.0's limits: a flags byte (bit 0: a maximum follows, bit 1: a shared memory (threads),
 * bit 2: 64-bit addressing) and u64 bounds, which the validator holds to the index type's
 * range (and a shared memory to having a maximum). A shared table is a later proposal's. */
static bool read_limits3(decoder *d, wasm_limits *l, bool table) {
  size_t off = pos(d);
  uint8_t flag;
  if (!read_u8(d, &flag)) return false;
  uint8_t known = !table && (d->features & WASM_FEATURE_THREADS) ? 0x07 : 0x05;
  if (flag & ~known) {
    fail(d, off, "malformed limits flags");
    return wasm_proposal_note(d->err, wasm_proposal_of_limits_flags(flag, table)); /* shared, page size */
  }
  l->is64 = (flag & 4) != 0;
  l->shared = (flag & 2) != 0;
  l->has_max = (flag & 1) != 0;
  if (!util_read_u64(&d->r, &l->min, d->err)) return false;
  return !l->has_max || util_read_u64(&d->r, &l->max, d->err);
}

/* The limits flag is a one-bit LEB128 number in 2.0: 0 (min) or 1 (min, max). */
static bool read_limits(decoder *d, wasm_limits *l, bool table) {
  if (d->features & WASM_FEATURE_MEMORY64) return read_limits3(d, l, table);
  size_t off = pos(d);
  uint8_t flag;
  uint32_t v;
  if (!read_u8(d, &flag)) return false;
  if (flag > 7 && util_spec_edition() >= 3) {
    fail(d, off, "malformed limits flags");
    return wasm_proposal_note(d->err, wasm_proposal_of_limits_flags(flag, table));
  }
  if (flag & 0x80) return fail(d, off, "integer representation too long");
  if (flag > 1) return fail(d, off, "integer too large");
  if (!read_u32(d, &v)) return false;
  l->min = v;
  l->has_max = flag == 1;
  if (l->has_max) {
    if (!read_u32(d, &v)) return false;
    l->max = v;
  }
  return true;
}

static bool read_tabletype(decoder *d, wasm_tabletype *t) {
  return read_reftype(d, &t->elem) && read_limits(d, &t->limits, true);
}

static bool read_globaltype(decoder *d, wasm_globaltype *g) {
  if (!read_valtype(d, &g->type)) return false;
  size_t off = pos(d);
  uint8_t mut;
  if (!read_u8(d, &mut)) return false;
  if (mut > 1) {
    fail(d, off, "malformed mutability");
    return wasm_proposal_note(d->err, mut <= 3 ? WASM_PROPOSAL_SHARED_EVERYTHING : WASM_PROPOSAL_NONE); /* bit 1: shared */
  }
  g->mut = mut == 1;
  return true;
}

/* ---------- instruction sequences -------------------------------------------------- */

enum { NEST_BLOCK, NEST_IF, NEST_ELSE, NEST_TRY, NEST_CATCH, NEST_CATCH_ALL };

/* Reads instructions up to and including the `end` that closes the sequence (a function
 * body or a constant expression). Only `if` may hold an `else`, once; a misplaced `else`
 * is where the grammar wants an `end`. */
static bool read_instrs(decoder *d) {
  d->nnest = 0;
  if (!UTIL_VEC_TRY_PUSH(d->nest, d->nnest, d->capnest, NEST_BLOCK)) return out_of_memory(d);
  wasm_instr in;
  for (;;) {
    if (!wasm_read_instr_features(&d->r, &in, d->features, d->err)) return false;
    switch (in.op) {
    case WASM_OP_BLOCK:
    case WASM_OP_LOOP:
    case WASM_OP_TRY_TABLE:
      if (!UTIL_VEC_TRY_PUSH(d->nest, d->nnest, d->capnest, NEST_BLOCK)) return out_of_memory(d);
      break;
    case WASM_OP_IF:
      if (!UTIL_VEC_TRY_PUSH(d->nest, d->nnest, d->capnest, NEST_IF)) return out_of_memory(d);
      break;
    case WASM_OP_TRY:
      d->m->legacy_exceptions = true;
      if (!UTIL_VEC_TRY_PUSH(d->nest, d->nnest, d->capnest, NEST_TRY)) return out_of_memory(d);
      break;
    case WASM_OP_CATCH:
    case WASM_OP_CATCH_ALL: {
      uint8_t *top = &d->nest[d->nnest - 1];
      if (*top != NEST_TRY && *top != NEST_CATCH) return fail(d, in.offset, "END opcode expected");
      *top = in.op == WASM_OP_CATCH ? NEST_CATCH : NEST_CATCH_ALL;
      break;
    }
    case WASM_OP_DELEGATE:
      if (d->nest[d->nnest - 1] != NEST_TRY) return fail(d, in.offset, "END opcode expected");
      if (--d->nnest == 0) return true;
      break;
    case WASM_OP_ELSE:
      if (d->nest[d->nnest - 1] != NEST_IF) return fail(d, in.offset, "END opcode expected");
      d->nest[d->nnest - 1] = NEST_ELSE;
      break;
    case WASM_OP_END:
      if (--d->nnest == 0) return true;
      break;
    case WASM_OP_MEMORY_INIT:
    case WASM_OP_DATA_DROP: d->uses_data_index = true; break;
    default: break;
    }
  }
}

static bool read_expr(decoder *d, wasm_expr *e) {
  const uint8_t *start = d->r.p;
  size_t off = pos(d);
  if (!read_instrs(d)) return false;
  e->bytes = start;
  e->len = (uint32_t)(d->r.p - start);
  e->offset = (uint32_t)off;
  return true;
}

/* ---------- index spaces ----------------------------------------------------------- */

/* Each index space lists its imports first; the section defining the rest allocates the
 * whole array (the import section comes before all of them). */
static bool alloc_funcs(decoder *d, uint32_t ndefs) {
  wasm_module *m = d->m;
  m->nfuncs = m->nfunc_imports + ndefs;
  if (!ARENA_ARRAY(d, m->funcs, m->nfuncs)) return false;
  uint32_t k = 0;
  for (uint32_t i = 0; i < m->nimports; i++) {
    if (m->imports[i].kind != WASM_EXTERN_FUNC) continue;
    m->funcs[k].type = m->imports[i].u.func_type;
    m->funcs[k].imported = true;
    k++;
  }
  d->have_funcs = true;
  return true;
}

static bool alloc_tables(decoder *d, uint32_t ndefs) {
  wasm_module *m = d->m;
  m->ntables = m->ntable_imports + ndefs;
  if (!ARENA_ARRAY(d, m->tables, m->ntables)) return false;
  uint32_t k = 0;
  for (uint32_t i = 0; i < m->nimports; i++) {
    if (m->imports[i].kind != WASM_EXTERN_TABLE) continue;
    m->tables[k].type = m->imports[i].u.table;
    m->tables[k].imported = true;
    k++;
  }
  d->have_tables = true;
  return true;
}

static bool alloc_memories(decoder *d, uint32_t ndefs) {
  wasm_module *m = d->m;
  m->nmemories = m->nmemory_imports + ndefs;
  if (!ARENA_ARRAY(d, m->memories, m->nmemories)) return false;
  uint32_t k = 0;
  for (uint32_t i = 0; i < m->nimports; i++) {
    if (m->imports[i].kind != WASM_EXTERN_MEMORY) continue;
    m->memories[k].type = m->imports[i].u.memory;
    m->memories[k].imported = true;
    k++;
  }
  d->have_memories = true;
  return true;
}

static bool alloc_globals(decoder *d, uint32_t ndefs) {
  wasm_module *m = d->m;
  m->nglobals = m->nglobal_imports + ndefs;
  if (!ARENA_ARRAY(d, m->globals, m->nglobals)) return false;
  uint32_t k = 0;
  for (uint32_t i = 0; i < m->nimports; i++) {
    if (m->imports[i].kind != WASM_EXTERN_GLOBAL) continue;
    m->globals[k].type = m->imports[i].u.global;
    m->globals[k].imported = true;
    k++;
  }
  d->have_globals = true;
  return true;
}

static bool alloc_tags(decoder *d, uint32_t ndefs) {
  wasm_module *m = d->m;
  m->ntags = m->ntag_imports + ndefs;
  if (!ARENA_ARRAY(d, m->tags, m->ntags)) return false;
  uint32_t k = 0;
  for (uint32_t i = 0; i < m->nimports; i++) {
    if (m->imports[i].kind != WASM_EXTERN_TAG) continue;
    m->tags[k].type = m->imports[i].u.tag_type;
    m->tags[k].imported = true;
    k++;
  }
  d->have_tags = true;
  return true;
}

/* ---------- sections --------------------------------------------------------------- */

static void set_count(decoder *d, uint32_t n) { d->secs[d->nsecs - 1].count = n; }

/* The types being read: grown as rec groups add to the index space, then moved into the
 * module's arena. */
typedef struct typevec {
  wasm_functype *ft;
  wasm_deftype *dt;
  size_t n, capf, capd;
} typevec;

static bool read_functype(decoder *d, wasm_functype *ft) {
  for (int half = 0; half < 2; half++) {
    uint32_t cnt;
    if (!read_len(d, &cnt)) return false;
    wasm_vtype *types = NULL;
    if (cnt && !ARENA_ARRAY(d, types, cnt)) return false;
    for (uint32_t k = 0; k < cnt; k++) {
      if (!read_valtype(d, &types[k])) return false;
    }
    if (half == 0) {
      ft->nparams = cnt;
      ft->params = cnt ? types : NULL;
    } else {
      ft->nresults = cnt;
      ft->results = cnt ? types : NULL;
    }
  }
  return true;
}

/* A field type (GC): a storage type (a value type, or i8 0x78 / i16 0x77) and mutability. */
static bool read_fieldtype(decoder *d, wasm_fieldtype *f) {
  if (d->r.p < d->r.end && (*d->r.p == WASM_PACKED_I8 || *d->r.p == WASM_PACKED_I16)) {
    f->type = *d->r.p++;
  } else if (!read_valtype(d, &f->type)) {
    return false;
  }
  size_t off = pos(d);
  uint8_t mut;
  if (!read_u8(d, &mut)) return false;
  if (mut > 1) return fail(d, off, "malformed mutability");
  f->mut = mut == 1;
  return true;
}

/* One subtype: `sub`/`sub final` with supertypes, or a bare composite type (final). */
static bool read_subtype(decoder *d, wasm_functype *ft, wasm_deftype *dt) {
  size_t off = pos(d);
  uint8_t form;
  if (!read_u8(d, &form)) return false;
  if (form & 0x80) return fail(d, off, "integer representation too long");
  bool gc = (d->features & WASM_FEATURE_GC) != 0;
  dt->final = true;
  dt->super = WASM_NO_SUPER;
  if (gc && (form == 0x50 || form == 0x4f)) {
    dt->final = form == 0x4f;
    if (!read_len(d, &dt->nsupers)) return false;
    for (uint32_t i = 0; i < dt->nsupers; i++) {
      uint32_t x;
      if (!read_u32(d, &x)) return false;
      if (i == 0) dt->super = x;
    }
    off = pos(d);
    if (!read_u8(d, &form)) return false;
    if (form & 0x80) return fail(d, off, "integer representation too long");
  }
  switch (gc ? form : form == 0x60 ? 0x60 : 0) {
  case 0x60: dt->kind = WASM_TYPE_FUNC; return read_functype(d, ft);
  case 0x5f: {
    dt->kind = WASM_TYPE_STRUCT;
    wasm_fieldtype *fs = NULL;
    if (!read_len(d, &dt->nfields) || !ARENA_ARRAY(d, fs, dt->nfields)) return false;
    for (uint32_t i = 0; i < dt->nfields; i++)
      if (!read_fieldtype(d, &fs[i])) return false;
    dt->fields = fs;
    return true;
  }
  case 0x5e: {
    dt->kind = WASM_TYPE_ARRAY;
    wasm_fieldtype *fs = NULL;
    if (!ARENA_ARRAY(d, fs, 1) || !read_fieldtype(d, fs)) return false;
    dt->nfields = 1;
    dt->fields = fs;
    return true;
  }
  default:
    fail(d, off, "malformed function type");
    return wasm_proposal_note(d->err, gc ? wasm_proposal_of_type_form(form) : WASM_PROPOSAL_NONE); /* cont, descriptor, shared */
  }
}

/* The type section: a vector of recursion groups (0x4e and a vector of subtypes, or one
 * subtype alone), which together number the type index space. */
static bool read_types(decoder *d, typevec *tv) {
  uint32_t n;
  if (!read_len(d, &n)) return false;
  set_count(d, n);
  for (uint32_t g = 0; g < n; g++) {
    uint32_t cnt = 1;
    if ((d->features & WASM_FEATURE_GC) && d->r.p < d->r.end && *d->r.p == 0x4e) {
      d->r.p++;
      if (!read_len(d, &cnt)) return false;
    }
    size_t first = tv->n;
    if (tv->n + cnt > WASM_MAX_TYPE_INDEX + 1ull)
      return util_fail(d->err, UTIL_ERR_LIMIT, (int64_t)pos(d), "too many types for this implementation");
    for (uint32_t k = 0; k < cnt; k++) {
      wasm_functype ft = {0};
      wasm_deftype dt = {0};
      if (!read_subtype(d, &ft, &dt)) return false;
      dt.rec = (uint32_t)first;
      dt.rec_len = cnt;
      size_t len = tv->n;
      if (!UTIL_VEC_TRY_PUSH(tv->ft, len, tv->capf, ft)) return out_of_memory(d);
      if (!UTIL_VEC_TRY_PUSH(tv->dt, tv->n, tv->capd, dt)) return out_of_memory(d);
    }
  }
  return true;
}

static bool type_section(decoder *d) {
  wasm_module *m = d->m;
  typevec tv = {0};
  bool ok = read_types(d, &tv) && ARENA_ARRAY(d, m->types, tv.n) && ARENA_ARRAY(d, m->deftypes, tv.n);
  if (ok) {
    m->ntypes = (uint32_t)tv.n;
    if (tv.n) memcpy(m->types, tv.ft, tv.n * sizeof *tv.ft);
    if (tv.n) memcpy(m->deftypes, tv.dt, tv.n * sizeof *tv.dt);
  }
  free(tv.ft);
  free(tv.dt);
  return ok;
}

/* A tag type: an attribute byte (0, exception, is the only one) and a type index. */
static bool read_tagtype(decoder *d, uint32_t *type) {
  size_t off = pos(d);
  uint8_t attr;
  if (!read_u8(d, &attr)) return false;
  if (attr != 0) return fail(d, off, "malformed tag attribute");
  return read_u32(d, type);
}

static bool import_section(decoder *d) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_len(d, &n)) return false;
  set_count(d, n);
  if (!ARENA_ARRAY(d, m->imports, n)) return false;
  m->nimports = n;
  for (uint32_t i = 0; i < n; i++) {
    wasm_import *im = &m->imports[i];
    im->offset = (uint32_t)pos(d);
    if (!read_name(d, &im->module) || !read_name(d, &im->field)) return false;
    size_t off = pos(d);
    if (!read_u8(d, &im->kind)) return false;
    switch (im->kind) {
    case WASM_EXTERN_FUNC:
      if (!read_u32(d, &im->u.func_type)) return false;
      m->nfunc_imports++;
      break;
    case WASM_EXTERN_TABLE:
      if (!read_tabletype(d, &im->u.table)) return false;
      m->ntable_imports++;
      break;
    case WASM_EXTERN_MEMORY:
      if (!read_limits(d, &im->u.memory.limits, false)) return false;
      m->nmemory_imports++;
      break;
    case WASM_EXTERN_GLOBAL:
      if (!read_globaltype(d, &im->u.global)) return false;
      m->nglobal_imports++;
      break;
    case WASM_EXTERN_TAG:
      if (!(d->features & WASM_FEATURE_EXCEPTIONS)) return fail(d, off, "malformed import kind");
      if (!read_tagtype(d, &im->u.tag_type)) return false;
      m->ntag_imports++;
      break;
    default:
      fail(d, off, "malformed import kind");
      /* an empty name, then 0x7f or 0x7e: a group of imports from one module */
      if (im->kind == 0x20) return wasm_proposal_note(d->err, WASM_PROPOSAL_CUSTOM_DESCRIPTORS); /* exact func */
      return wasm_proposal_note(d->err, im->field.len == 0 && (im->kind == 0x7f || im->kind == 0x7e)
                                            ? WASM_PROPOSAL_COMPACT_IMPORTS : WASM_PROPOSAL_NONE);
    }
  }
  return true;
}

static bool function_section(decoder *d) {
  uint32_t n;
  if (!read_len(d, &n)) return false;
  set_count(d, n);
  if (!ARENA_ARRAY(d, d->func_types, n)) return false;
  d->nfunc_defs = n;
  for (uint32_t i = 0; i < n; i++) {
    if (!read_u32(d, &d->func_types[i])) return false;
  }
  return true;
}

static bool table_section(decoder *d) {
  uint32_t n;
  if (!read_len(d, &n)) return false;
  set_count(d, n);
  if (!alloc_tables(d, n)) return false;
  for (uint32_t i = 0; i < n; i++) {
    wasm_table *t = &d->m->tables[d->m->ntable_imports + i];
    /* 3.0: 0x40 0x00 before the table type announces an initial-value expression */
    if (d->r.p < d->r.end && *d->r.p == 0x40) {
      size_t off = pos(d);
      uint8_t b;
      d->r.p++;
      if (!read_u8(d, &b)) return false;
      if (b != 0) return fail(d, off + 1, "malformed table");
      if (!read_tabletype(d, &t->type) || !read_expr(d, &t->init)) return false;
    } else if (!read_tabletype(d, &t->type)) {
      return false;
    }
  }
  return true;
}

static bool memory_section(decoder *d) {
  uint32_t n;
  if (!read_len(d, &n)) return false;
  set_count(d, n);
  if (!alloc_memories(d, n)) return false;
  for (uint32_t i = 0; i < n; i++) {
    if (!read_limits(d, &d->m->memories[d->m->nmemory_imports + i].type.limits, false)) return false;
  }
  return true;
}

static bool tag_section(decoder *d) {
  uint32_t n;
  if (!read_len(d, &n)) return false;
  set_count(d, n);
  if (!alloc_tags(d, n)) return false;
  for (uint32_t i = 0; i < n; i++) {
    if (!read_tagtype(d, &d->m->tags[d->m->ntag_imports + i].type)) return false;
  }
  return true;
}

static bool global_section(decoder *d) {
  uint32_t n;
  if (!read_len(d, &n)) return false;
  set_count(d, n);
  if (!alloc_globals(d, n)) return false;
  for (uint32_t i = 0; i < n; i++) {
    wasm_global *g = &d->m->globals[d->m->nglobal_imports + i];
    if (!read_globaltype(d, &g->type) || !read_expr(d, &g->init)) return false;
  }
  return true;
}

static bool export_section(decoder *d) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_len(d, &n)) return false;
  set_count(d, n);
  if (!ARENA_ARRAY(d, m->exports, n)) return false;
  m->nexports = n;
  for (uint32_t i = 0; i < n; i++) {
    wasm_export *ex = &m->exports[i];
    if (!read_name(d, &ex->name)) return false;
    size_t off = pos(d);
    if (!read_u8(d, &ex->kind)) return false;
    if (ex->kind > WASM_EXTERN_TAG || (ex->kind == WASM_EXTERN_TAG && !(d->features & WASM_FEATURE_EXCEPTIONS)))
      return fail(d, off, "malformed export kind");
    if (!read_u32(d, &ex->index)) return false;
  }
  return true;
}

static bool start_section(decoder *d) {
  d->m->has_start = true;
  return read_u32(d, &d->m->start);
}

static bool read_func_indices(decoder *d, wasm_elem *e) {
  if (!read_len(d, &e->count)) return false;
  if (!ARENA_ARRAY(d, e->func_indices, e->count)) return false;
  for (uint32_t k = 0; k < e->count; k++) {
    if (!read_u32(d, &e->func_indices[k])) return false;
  }
  return true;
}

static bool read_elem_exprs(decoder *d, wasm_elem *e) {
  if (!read_len(d, &e->count)) return false;
  if (!ARENA_ARRAY(d, e->exprs, e->count)) return false;
  for (uint32_t k = 0; k < e->count; k++) {
    if (!read_expr(d, &e->exprs[k])) return false;
  }
  return true;
}

/* Segment flags: bit 0 = passive or declarative (with bit 1 = declarative), bit 1 on an
 * active segment = explicit table index, bit 2 = items are expressions. */
static bool element_section(decoder *d) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_len(d, &n)) return false;
  set_count(d, n);
  if (!ARENA_ARRAY(d, m->elems, n)) return false;
  m->nelems = n;
  for (uint32_t i = 0; i < n; i++) {
    wasm_elem *e = &m->elems[i];
    e->offset_in_input = (uint32_t)pos(d);
    size_t off = pos(d);
    uint32_t flags;
    if (!read_u32(d, &flags)) return false;
    if (flags > 7) return fail(d, off, "malformed elements segment kind");
    bool passive_or_decl = flags & 1, explicit_table = flags & 2, exprs = flags & 4;
    e->type = WASM_FUNCREF;
    if (passive_or_decl) {
      e->mode = explicit_table ? WASM_SEG_DECLARATIVE : WASM_SEG_PASSIVE;
    } else {
      e->mode = WASM_SEG_ACTIVE;
      if (explicit_table && !read_u32(d, &e->table)) return false;
      if (!read_expr(d, &e->offset)) return false;
    }
    /* Only the forms with a table index or without a mode-implied funcref carry the
     * element type: flags 1..3 an elemkind byte, flags 5..7 a reference type. */
    if (passive_or_decl || explicit_table) {
      if (exprs) {
        if (!read_reftype(d, &e->type)) return false;
      } else {
        size_t koff = pos(d);
        uint8_t kind;
        if (!read_u8(d, &kind)) return false;
        if (kind != 0) return fail(d, koff, "malformed element kind");
      }
    }
    /* 3.0: a list of function indices holds non-null references */
    if (!exprs) e->type = wasm_reftype(false, WASM_HEAP_FUNC);
    if (!(exprs ? read_elem_exprs(d, e) : read_func_indices(d, e))) return false;
  }
  return true;
}

static bool datacount_section(decoder *d) {
  d->m->has_data_count = true;
  return read_u32(d, &d->m->data_count);
}

/* Reads the local declarations; the total is checked before anything is allocated. */
static bool read_locals(decoder *d, wasm_func *f) {
  size_t off = pos(d);
  uint32_t ngroups;
  if (!read_len(d, &ngroups)) return false;
  const uint8_t *groups = d->r.p;
  uint64_t total = 0;
  for (uint32_t g = 0; g < ngroups; g++) {
    uint32_t cnt;
    wasm_vtype t;
    if (!read_u32(d, &cnt) || !read_valtype(d, &t)) return false;
    total += cnt;
  }
  if (total > UINT32_MAX) return fail(d, off, "too many locals");
  if (total > DECODE_MAX_LOCALS) {
    return util_fail(d->err, UTIL_ERR_LIMIT, (int64_t)off,
                     "too many locals: %llu (this implementation allows %u)",
                     (unsigned long long)total, DECODE_MAX_LOCALS);
  }
  f->nlocals = (uint32_t)total;
  if (!ARENA_ARRAY(d, f->local_types, total)) return false;
  /* Second pass over groups already known to be well formed. */
  util_reader again = d->r;
  again.p = groups;
  uint32_t k = 0;
  for (uint32_t g = 0; g < ngroups; g++) {
    uint32_t cnt;
    wasm_vtype t = 0;
    util_read_u32(&again, &cnt, d->err);
    wasm_read_valtype(&again, &t, d->err);
    for (uint32_t j = 0; j < cnt; j++) f->local_types[k + j] = t;
    k += cnt;
  }
  return true;
}

static bool code_section(decoder *d) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_len(d, &n)) return false;
  set_count(d, n);
  if (!ARENA_ARRAY(d, d->code, n)) return false;
  d->ncode = n;
  for (uint32_t i = 0; i < n; i++) {
    wasm_func *f = &d->code[i];
    f->body_offset = (uint32_t)pos(d);
    if (!read_len(d, &f->body_size)) return false;
    size_t start = pos(d);
    if (!read_locals(d, f)) goto fail_in_func;
    f->code = d->r.p;
    f->code_offset = (uint32_t)pos(d);
    if (d->bodies_known) {
      /* the instructions are the module's that was decoded and validated before: the body
       * ends where its size says (read_len bounded it by the input) */
      if (f->code_offset >= start + f->body_size) {
        fail(d, start, "section size mismatch");
        goto fail_in_func;
      }
      d->r.p += start + f->body_size - f->code_offset;
    } else if (!read_instrs(d))
      goto fail_in_func;
    f->code_len = (uint32_t)(pos(d) - f->code_offset);
    if (pos(d) != start + f->body_size) {
      fail(d, start, "section size mismatch");
      goto fail_in_func;
    }
    continue;
  fail_in_func:
    if (d->err && d->err->func < 0) d->err->func = (int64_t)m->nfunc_imports + i;
    return false;
  }
  return true;
}

static bool data_section(decoder *d) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_len(d, &n)) return false;
  set_count(d, n);
  if (!ARENA_ARRAY(d, m->datas, n)) return false;
  m->ndatas = n;
  for (uint32_t i = 0; i < n; i++) {
    wasm_data *s = &m->datas[i];
    s->offset_in_input = (uint32_t)pos(d);
    size_t off = pos(d);
    uint32_t flags;
    if (!read_u32(d, &flags)) return false;
    switch (flags) {
    case 0: s->mode = WASM_SEG_ACTIVE; break;
    case 1: s->mode = WASM_SEG_PASSIVE; break;
    case 2:
      s->mode = WASM_SEG_ACTIVE;
      if (!read_u32(d, &s->memory)) return false;
      break;
    default: return fail(d, off, "malformed data segment kind");
    }
    if (s->mode == WASM_SEG_ACTIVE && !read_expr(d, &s->offset)) return false;
    if (!read_len(d, &s->len) || !util_read_bytes(&d->r, s->len, &s->bytes, d->err)) return false;
  }
  return true;
}

static bool custom_section(decoder *d, size_t start, uint32_t size) {
  wasm_custom c = {0};
  c.offset = (uint32_t)start;
  if (!read_name(d, &c.name)) return false;
  size_t used = pos(d) - start;
  /* The name ran past the declared size. */
  if (used > size) return fail(d, pos(d), "unexpected end");
  c.len = size - (uint32_t)used;
  if (!util_read_bytes(&d->r, c.len, &c.bytes, d->err)) return false;
  d->secs[d->nsecs - 1].custom_name = c.name.str;
  return UTIL_VEC_TRY_PUSH(d->customs, d->ncustoms, d->capcustoms, c) || out_of_memory(d);
}

static bool read_section(decoder *d) {
  size_t id_off = pos(d);
  uint8_t id = *d->r.p;
  if (id > SEC_TAG || (id == SEC_TAG && !(d->features & WASM_FEATURE_EXCEPTIONS)))
    return fail(d, id_off, "malformed section id"); /* 2.0: 13 is no section */
  if (id != SEC_CUSTOM) {
    if (section_rank[id] <= d->last_rank) {
      return fail(d, id_off, "unexpected content after last section");
    }
    d->last_rank = section_rank[id];
  }
  d->r.p++;
  uint32_t size;
  if (!read_len(d, &size)) return false;
  size_t start = pos(d);
  wasm_section_info si = {.id = id, .offset = (uint32_t)start, .size = size};
  if (!UTIL_VEC_TRY_PUSH(d->secs, d->nsecs, d->capsecs, si)) return out_of_memory(d);
  bool ok;
  switch (id) {
  case SEC_CUSTOM: ok = custom_section(d, start, size); break;
  case SEC_TYPE: ok = type_section(d); break;
  case SEC_IMPORT: ok = import_section(d); break;
  case SEC_FUNCTION: ok = function_section(d); break;
  case SEC_TABLE: ok = table_section(d); break;
  case SEC_MEMORY: ok = memory_section(d); break;
  case SEC_GLOBAL: ok = global_section(d); break;
  case SEC_EXPORT: ok = export_section(d); break;
  case SEC_START: ok = start_section(d); break;
  case SEC_ELEMENT: ok = element_section(d); break;
  case SEC_DATACOUNT: ok = datacount_section(d); break;
  case SEC_CODE: ok = code_section(d); break;
  case SEC_TAG: ok = tag_section(d); break;
  default: ok = data_section(d); break;
  }
  if (!ok) return false;
  if (pos(d) != start + size) return fail(d, start, "section size mismatch");
  return true;
}

/* ---------- the module ------------------------------------------------------------- */

static bool read_header(decoder *d) {
  const uint8_t *p;
  if (!util_read_bytes(&d->r, 4, &p, d->err)) return false;
  if (memcmp(p, "\0asm", 4) != 0) return fail(d, 0, "magic header not detected");
  if (!util_read_bytes(&d->r, 4, &p, d->err)) return false;
  /* version 0x0d, layer 1: a component, which people meet when a toolchain targets
   * WASI preview 2; say what it is rather than "unknown binary version". Components are
   * decoded by src/component; whoever asked this decoder needs a core module. */
  if (memcmp(p, "\x0d\0\1\0", 4) == 0)
    return util_fail(d->err, UTIL_ERR_MALFORMED, -1,
                     "is a WebAssembly component (component model); this needs a core module "
                     "(not supported for components yet)");
  if (memcmp(p, "\1\0\0\0", 4) != 0) return fail(d, 4, "unknown binary version");
  return true;
}

/* Cross-section rules the reference checks once every section is read. */
static bool finish(decoder *d) {
  wasm_module *m = d->m;
  if (d->nfunc_defs != d->ncode) {
    return fail(d, m->size, "function and code section have inconsistent lengths");
  }
  if (m->has_data_count && m->data_count != m->ndatas) {
    return fail(d, m->size, "data count and data section have inconsistent lengths");
  }
  /* With no data segments at all, any data index is out of range and the validator
   * reports it ("unknown data segment"); text-format encoders omit the data count
   * section in exactly that case, so the module is rejected either way. */
  if (!m->has_data_count && d->uses_data_index && m->ndatas > 0) {
    return fail(d, m->size, "data count section required");
  }
  if (!d->have_funcs && !alloc_funcs(d, d->nfunc_defs)) return false;
  for (uint32_t i = 0; i < d->nfunc_defs; i++) {
    wasm_func *f = &m->funcs[m->nfunc_imports + i];
    *f = d->code[i];
    f->type = d->func_types[i];
    f->imported = false;
  }
  if (!d->have_tables && !alloc_tables(d, 0)) return false;
  if (!d->have_memories && !alloc_memories(d, 0)) return false;
  if (!d->have_globals && !alloc_globals(d, 0)) return false;
  if (!d->have_tags && !alloc_tags(d, 0)) return false;

  m->nsections = (uint32_t)d->nsecs;
  m->ncustoms = (uint32_t)d->ncustoms;
  if (d->nsecs) {
    m->sections = util_arena_try_dup(&m->arena, d->secs, d->nsecs * sizeof *d->secs);
    if (!m->sections) return out_of_memory(d);
  }
  if (d->ncustoms) {
    m->customs = util_arena_try_dup(&m->arena, d->customs, d->ncustoms * sizeof *d->customs);
    if (!m->customs) return out_of_memory(d);
  }

  for (uint32_t i = 0; i < m->ncustoms; i++) {
    const wasm_custom *c = &m->customs[i];
    if (c->name.len == 4 && memcmp(c->name.str, "name", 4) == 0) {
      /* A malformed name section is ignored; running out of memory in it is not. */
      if (!wasm_decode_names(m, c->bytes, c->len, (uint32_t)(c->bytes - m->bytes), d->err) &&
          d->err->kind == UTIL_ERR_OOM)
        return false;
      break; /* only the first one counts */
    }
  }
  return true;
}

wasm_module *wasm_decode(const uint8_t *bytes, size_t len, util_error *err) {
  return wasm_decode_features(bytes, len, WASM_FEATURES_ALL, err);
}

/* known: the bodies are not walked, and legacy_exceptions is the module's (wasm_decode_known) */
static wasm_module *decode(const uint8_t *bytes, uint8_t *take, size_t len, const uint8_t *map, size_t map_len,
                           uint32_t features, bool known, bool legacy_exceptions, util_error *err);

wasm_module *wasm_decode_features(const uint8_t *bytes, size_t len, uint32_t features, util_error *err) {
  return decode(bytes, NULL, len, NULL, 0, features, false, false, err);
}

wasm_module *wasm_decode_take(uint8_t *bytes, size_t len, uint32_t features, util_error *err) {
  return decode(bytes, bytes, len, NULL, 0, features, false, false, err);
}

wasm_module *wasm_decode_mapped(const uint8_t *bytes, size_t len, const uint8_t *map, size_t map_len,
                                uint32_t features, util_error *err) {
  return decode(bytes, NULL, len, map, map_len, features, false, false, err);
}

wasm_module *wasm_decode_known(const uint8_t *bytes, size_t len, const uint8_t *map, size_t map_len,
                               uint32_t features, bool legacy_exceptions, util_error *err) {
  return decode(bytes, NULL, len, map, map_len, features, true, legacy_exceptions, err);
}

static wasm_module *decode(const uint8_t *bytes, uint8_t *take, size_t len, const uint8_t *map, size_t map_len,
                           uint32_t features, bool known, bool legacy_exceptions, util_error *err) {
  util_error_clear(err);
  if (len > UINT32_MAX) {
    free(take);
    util_fail(err, UTIL_ERR_LIMIT, -1, "module too large: %zu bytes", len);
    return NULL;
  }
  wasm_module *m = util_try_calloc(1, sizeof *m);
  if (!m) {
    free(take);
    util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    return NULL;
  }
  util_arena_init(&m->arena);
  m->size = (uint32_t)len;
  /* taken: no copy (36 KB of a C hello world are 9 pages the process need not touch); a
   * copy of megabytes is a page fault per 4 KiB of fresh memory: a mapped file's bytes are
   * used where they are */
  m->owned = take;
  m->bytes = take ? take : map ? bytes : util_arena_try_dup(&m->arena, bytes, len);
  if (!m->bytes) {
    util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    wasm_module_free(m);
    return NULL;
  }

  decoder d = {0};
  d.m = m;
  d.err = err;
  d.features = m->features = features;
  d.bodies_known = known;
  m->legacy_exceptions = known && legacy_exceptions;
  d.r.start = d.r.p = m->bytes;
  d.r.end = m->bytes + len;
  d.r.base = 0;

  bool ok = read_header(&d);
  bool in_sections = ok;
  while (ok && !util_reader_eof(&d.r)) ok = read_section(&d);
  if (ok) ok = finish(&d);

  free(d.nest);
  free(d.secs);
  free(d.customs);
  if (!ok) {
    /* Past the header, running out of input means a section or a body was cut short. */
    if (err && in_sections && strcmp(err->msg, "unexpected end") == 0) {
      snprintf(err->msg, sizeof err->msg, "unexpected end of section or function");
    }
    wasm_module_free(m); /* m->mapped is still NULL: the caller keeps the mapping */
    return NULL;
  }
  m->mapped = map;
  m->mapped_len = map_len;
  return m;
}

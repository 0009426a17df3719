/* The "name" custom section (spec appendix): module name, function names, local names,
 * and the extended-name-section subsections for labels, types, tables, memories, globals,
 * element and data segments. Later subsections (fields, tags) are skipped.
 * Anything malformed drops the whole section without failing the module, as the spec
 * asks of custom sections. */
#include <string.h>

#include "decode_internal.h"

enum {
  NAMES_MODULE = 0, NAMES_FUNCS = 1, NAMES_LOCALS = 2, NAMES_LABELS = 3, NAMES_TYPES = 4,
  NAMES_TABLES = 5, NAMES_MEMORIES = 6, NAMES_GLOBALS = 7, NAMES_ELEMS = 8, NAMES_DATAS = 9,
  NAMES_LAST = NAMES_DATAS
};

typedef struct names_reader {
  wasm_module *m;
  util_reader r;
  util_error err; /* scratch: never reported */
  bool oom;       /* an allocation failed: that one is reported */
} names_reader;

static bool oom(names_reader *n) {
  n->oom = true;
  return false;
}

static bool count(names_reader *n, util_reader *r, uint32_t *out) {
  if (!util_read_u32(r, out, &n->err)) return false;
  return *out <= (size_t)(r->end - r->p); /* every entry takes at least one byte */
}

static bool name(names_reader *n, util_reader *r, wasm_name *out) {
  uint32_t len;
  const uint8_t *s;
  if (!util_read_u32(r, &len, &n->err) || !util_read_bytes(r, len, &s, &n->err)) return false;
  if (!util_utf8_valid(s, len)) return false;
  out->str = util_arena_try_strndup(&n->m->arena, (const char *)s, len);
  if (!out->str) return oom(n);
  out->len = len;
  return true;
}

/* A name map over an index space of `space` entries: *out gets `space` names. */
static bool name_map(names_reader *n, util_reader *r, uint32_t space, wasm_name **out) {
  wasm_module *m = n->m;
  uint32_t cnt;
  if (!count(n, r, &cnt)) return false;
  if (space && !(*out = util_arena_try_alloc(&m->arena, space * sizeof **out))) return oom(n);
  for (uint32_t i = 0; i < cnt; i++) {
    uint32_t idx;
    wasm_name nm;
    if (!util_read_u32(r, &idx, &n->err) || !name(n, r, &nm)) return false;
    if (idx < space) (*out)[idx] = nm; /* names of absent entries: dropped */
  }
  return true;
}

/* An indirect name map (locals, labels): per function, a name map of its own. */
static bool indirect_map(names_reader *n, util_reader *r, wasm_local_names **out) {
  wasm_module *m = n->m;
  uint32_t nfn;
  if (!count(n, r, &nfn)) return false;
  if (m->nfuncs && !(*out = util_arena_try_alloc(&m->arena, m->nfuncs * sizeof **out))) return oom(n);
  for (uint32_t i = 0; i < nfn; i++) {
    uint32_t fidx, cnt;
    if (!util_read_u32(r, &fidx, &n->err) || !count(n, r, &cnt)) return false;
    wasm_local_names ln = {0};
    if (cnt) {
      ln.indices = util_arena_try_alloc(&m->arena, cnt * sizeof *ln.indices);
      ln.names = util_arena_try_alloc(&m->arena, cnt * sizeof *ln.names);
      if (!ln.indices || !ln.names) return oom(n);
    }
    for (uint32_t k = 0; k < cnt; k++) {
      if (!util_read_u32(r, &ln.indices[k], &n->err) || !name(n, r, &ln.names[k])) return false;
    }
    ln.count = cnt;
    if (fidx < m->nfuncs) (*out)[fidx] = ln;
  }
  return true;
}

static void drop_extended(wasm_module *m, uint8_t id) {
  switch (id) {
  case NAMES_LABELS: m->label_names = NULL; break;
  case NAMES_TYPES: m->type_names = NULL; break;
  case NAMES_TABLES: m->table_names = NULL; break;
  case NAMES_MEMORIES: m->memory_names = NULL; break;
  case NAMES_GLOBALS: m->global_names = NULL; break;
  case NAMES_ELEMS: m->elem_names = NULL; break;
  default: m->data_names = NULL; break;
  }
}

static bool read_names(names_reader *n) {
  int last = -1;
  while (!util_reader_eof(&n->r)) {
    uint8_t id;
    uint32_t size;
    const uint8_t *body;
    if (!util_read_u8(&n->r, &id, &n->err) || !util_read_u32(&n->r, &size, &n->err) ||
        !util_read_bytes(&n->r, size, &body, &n->err)) {
      return false;
    }
    util_reader sub = {.start = body, .p = body, .end = body + size, .base = 0};
    if (id > NAMES_LAST) continue;
    if ((int)id <= last) return false; /* known subsections: once each, in order */
    last = id;
    wasm_module *m = n->m;
    bool ok = false;
    switch (id) {
    case NAMES_MODULE: ok = name(n, &sub, &m->module_name); break;
    case NAMES_FUNCS: ok = name_map(n, &sub, m->nfuncs, &m->func_names); break;
    case NAMES_LOCALS: ok = indirect_map(n, &sub, &m->local_names); break;
    case NAMES_LABELS: ok = indirect_map(n, &sub, &m->label_names); break;
    case NAMES_TYPES: ok = name_map(n, &sub, m->ntypes, &m->type_names); break;
    case NAMES_TABLES: ok = name_map(n, &sub, m->ntables, &m->table_names); break;
    case NAMES_MEMORIES: ok = name_map(n, &sub, m->nmemories, &m->memory_names); break;
    case NAMES_GLOBALS: ok = name_map(n, &sub, m->nglobals, &m->global_names); break;
    case NAMES_ELEMS: ok = name_map(n, &sub, m->nelems, &m->elem_names); break;
    case NAMES_DATAS: ok = name_map(n, &sub, m->ndatas, &m->data_names); break;
    }
    if (n->oom) return false;
    if (id >= NAMES_LABELS && (!ok || !util_reader_eof(&sub))) {
      /* a malformed extended subsection loses only its own names */
      drop_extended(m, id);
      continue;
    }
    if (!ok || !util_reader_eof(&sub)) return false;
  }
  return true;
}

bool wasm_decode_names(wasm_module *m, const uint8_t *payload, uint32_t len, uint32_t offset,
                       util_error *err) {
  names_reader n = {.m = m};
  util_error_clear(&n.err);
  n.r = (util_reader){.start = payload, .p = payload, .end = payload + len, .base = offset};
  if (read_names(&n)) return true;
  if (n.oom) util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  /* What was allocated stays in the arena until the module is freed. */
  memset(&m->module_name, 0, sizeof m->module_name);
  m->func_names = NULL;
  m->local_names = m->label_names = NULL;
  m->type_names = m->table_names = m->memory_names = m->global_names = NULL;
  m->elem_names = m->data_names = NULL;
  return false;
}

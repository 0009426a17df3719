/* The runtime side of the standard C API (capi_bridge.h): reads the module IR and the
 * runtime objects for the wasm.h files, which cannot include the runtime's headers (see
 * capi_bridge.h). Like api.c, it treats weld's public handles as the runtime objects they
 * are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "api/capi_bridge.h"
#include "exec/exec.h"
#include "wasm/module.h"

static void desc_functype(const wasm_functype *t, capi_xdesc *out) {
  out->kind = WELD_EXTERN_FUNC;
  out->nparams = t->nparams;
  out->nresults = t->nresults;
  /* NULL when out of memory: capi_externtype_from_desc then makes no type */
  out->kinds = util_try_calloc((size_t)t->nparams + t->nresults + 1, sizeof *out->kinds);
  if (!out->kinds) return;
  for (uint32_t i = 0; i < t->nparams; i++) out->kinds[i] = api_kind_of(t->params[i]);
  for (uint32_t i = 0; i < t->nresults; i++) out->kinds[t->nparams + i] = api_kind_of(t->results[i]);
}

static void desc_limits(const wasm_limits *l, capi_xdesc *out) {
  out->min = l->min;
  out->max = l->max;
  out->has_max = l->has_max;
}

static void desc_tabletype(const wasm_tabletype *t, capi_xdesc *out) {
  out->kind = WELD_EXTERN_TABLE;
  out->elem = api_kind_of(t->elem);
  desc_limits(&t->limits, out);
}

static void desc_memtype(const wasm_memtype *t, capi_xdesc *out) {
  out->kind = WELD_EXTERN_MEMORY;
  desc_limits(&t->limits, out);
}

static void desc_globaltype(const wasm_globaltype *t, capi_xdesc *out) {
  out->kind = WELD_EXTERN_GLOBAL;
  out->elem = api_kind_of(t->type);
  out->mut = t->mut;
}

bool capi_module_import_desc(const weld_module *wm, size_t i, const char **module, size_t *module_len,
                             const char **name, size_t *name_len, capi_xdesc *out) {
  const wasm_module *m = ((const exec_module *)wm)->wasm;
  memset(out, 0, sizeof *out);
  if (i >= m->nimports) return false;
  const wasm_import *im = &m->imports[i];
  *module = im->module.str;
  *module_len = im->module.len;
  *name = im->field.str;
  *name_len = im->field.len;
  switch (im->kind) {
  case WASM_EXTERN_FUNC: desc_functype(&m->types[im->u.func_type], out); break;
  case WASM_EXTERN_TABLE: desc_tabletype(&im->u.table, out); break;
  case WASM_EXTERN_MEMORY: desc_memtype(&im->u.memory, out); break;
  case WASM_EXTERN_GLOBAL: desc_globaltype(&im->u.global, out); break;
  default: return false;
  }
  return true;
}

bool capi_module_export_desc(const weld_module *wm, size_t i, const char **name, size_t *name_len,
                             capi_xdesc *out) {
  const wasm_module *m = ((const exec_module *)wm)->wasm;
  memset(out, 0, sizeof *out);
  if (i >= m->nexports) return false;
  const wasm_export *x = &m->exports[i];
  *name = x->name.str;
  *name_len = x->name.len;
  switch (x->kind) {
  case WASM_EXTERN_FUNC: desc_functype(&m->types[m->funcs[x->index].type], out); break;
  case WASM_EXTERN_TABLE: desc_tabletype(&m->tables[x->index].type, out); break;
  case WASM_EXTERN_MEMORY: desc_memtype(&m->memories[x->index].type, out); break;
  case WASM_EXTERN_GLOBAL: desc_globaltype(&m->globals[x->index].type, out); break;
  default: return false;
  }
  return true;
}

weld_extern capi_instance_export_at(weld_instance *wi, size_t i) {
  const exec_instance *inst = (const exec_instance *)wi;
  const wasm_module *m = inst->module->wasm;
  weld_extern out = {.kind = WELD_EXTERN_NONE};
  if (i >= m->nexports) return out;
  const wasm_export *x = &m->exports[i];
  switch (x->kind) {
  case WASM_EXTERN_FUNC: out.kind = WELD_EXTERN_FUNC; out.of.func = (weld_func *)inst->funcs[x->index]; break;
  case WASM_EXTERN_TABLE: out.kind = WELD_EXTERN_TABLE; out.of.table = (weld_table *)inst->tables[x->index]; break;
  case WASM_EXTERN_MEMORY: out.kind = WELD_EXTERN_MEMORY; out.of.memory = (weld_memory *)inst->memories[x->index]; break;
  case WASM_EXTERN_GLOBAL: out.kind = WELD_EXTERN_GLOBAL; out.of.global = (weld_global *)inst->globals[x->index]; break;
  }
  return out;
}

void capi_func_desc(const weld_func *f, capi_xdesc *out) {
  memset(out, 0, sizeof *out);
  desc_functype(((const exec_func *)f)->type, out);
}

void capi_global_desc(const weld_global *wg, capi_xdesc *out) {
  const exec_global *g = (const exec_global *)wg;
  memset(out, 0, sizeof *out);
  out->kind = WELD_EXTERN_GLOBAL;
  out->elem = api_kind_of(g->type);
  out->mut = g->mut;
}

void capi_table_desc(const weld_table *wt, capi_xdesc *out) {
  const exec_table *t = (const exec_table *)wt;
  memset(out, 0, sizeof *out);
  out->kind = WELD_EXTERN_TABLE;
  out->elem = api_kind_of(t->elemtype);
  out->min = t->size;
  out->max = t->max;
  out->has_max = t->has_max;
}

void capi_memory_desc(const weld_memory *wm, capi_xdesc *out) {
  const exec_memory *m = (const exec_memory *)wm;
  memset(out, 0, sizeof *out);
  out->kind = WELD_EXTERN_MEMORY;
  out->min = m->size / EXEC_PAGE_SIZE;
  out->max = m->max_pages;
  out->has_max = m->has_max;
}

weld_store *capi_func_store(const weld_func *f) {
  return f ? (weld_store *)((const exec_func *)f)->store : NULL;
}

const uint8_t *capi_module_bytes(const weld_module *wm, size_t *len) {
  const wasm_module *m = ((const exec_module *)wm)->wasm;
  *len = m->size;
  return m->bytes;
}

/* The offset where function `index`'s body (its locals declaration) starts: after the
 * body's size field, whose LEB128 length is found by reading it. */
static uint32_t body_start(const wasm_module *m, uint32_t index) {
  if (index >= m->nfuncs || m->funcs[index].imported) return 0;
  const wasm_func *f = &m->funcs[index];
  uint32_t p = f->body_offset;
  while (p < m->size && (m->bytes[p] & 0x80)) p++;
  return p + 1;
}

size_t capi_last_frames(weld_store *ws, capi_frame *out, size_t max) {
  const exec_thread *th = &((exec_store *)ws)->thread;
  size_t n = 0;
  for (uint32_t i = 0; i < th->nbt && i < 64; i++) {
    const exec_func *f = th->bt_func[i];
    if (!f || !f->inst) continue; /* a host frame */
    if (n < max) {
      const wasm_module *m = f->inst->module->wasm;
      uint32_t start = body_start(m, f->index);
      out[n].inst = (weld_instance *)f->inst;
      out[n].func_index = f->index;
      out[n].module_offset = th->bt_offset[i];
      out[n].func_offset = th->bt_offset[i] >= start ? th->bt_offset[i] - start : 0;
    }
    n++;
  }
  return n;
}

void capi_last_trap(weld_store *ws, weld_trap_kind *kind, int32_t *exit_code) {
  const exec_thread *th = &((exec_store *)ws)->thread;
  *kind = (weld_trap_kind)th->trap; /* the two enums share their values (api.c) */
  *exit_code = th->exit_code;
}

weld_instance *capi_instantiate(weld_store *ws, const weld_module *wm, const weld_extern *imports,
                                size_t nimports, char *msg, size_t msgcap, bool *trapped) {
  exec_store *s = (exec_store *)ws;
  const exec_module *em = (const exec_module *)wm;
  *trapped = false;
  if (nimports < em->wasm->nimports) {
    snprintf(msg, msgcap, "unknown import: %zu imports given, the module has %u", nimports,
             em->wasm->nimports);
    return NULL;
  }
  exec_extern *xs = util_try_calloc((size_t)em->wasm->nimports + 1, sizeof *xs);
  if (!xs) {
    snprintf(msg, msgcap, "out of memory");
    return NULL;
  }
  for (uint32_t i = 0; i < em->wasm->nimports; i++) {
    const weld_extern *x = &imports[i];
    xs[i].kind = x->kind == WELD_EXTERN_NONE ? 0xff : (uint8_t)x->kind;
    xs[i].ptr = x->kind == WELD_EXTERN_FUNC     ? (void *)x->of.func
                : x->kind == WELD_EXTERN_TABLE  ? (void *)x->of.table
                : x->kind == WELD_EXTERN_MEMORY ? (void *)x->of.memory
                : x->kind == WELD_EXTERN_GLOBAL ? (void *)x->of.global
                                                : NULL;
  }
  util_error ue;
  util_error_clear(&ue);
  exec_instance *inst = exec_instantiate(s, em, xs, &ue);
  free(xs);
  if (inst) return (weld_instance *)inst;
  if (ue.kind == UTIL_ERR_TRAP) {
    *trapped = true;
    /* as weld_instance_new: remember which limit stopped it, for the usage report */
    switch (s->thread.trap) {
    case EXEC_TRAP_OUT_OF_FUEL: s->usage.stopped_by = EXEC_LIMIT_FUEL; break;
    case EXEC_TRAP_DEADLINE: s->usage.stopped_by = EXEC_LIMIT_DEADLINE; break;
    case EXEC_TRAP_STACK_EXHAUSTED: s->usage.stopped_by = EXEC_LIMIT_STACK; break;
    default: break;
    }
  }
  snprintf(msg, msgcap, "%s", ue.msg);
  return NULL;
}

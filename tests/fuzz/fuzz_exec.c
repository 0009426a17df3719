/* libFuzzer target: arbitrary bytes through decode, validation, translation,
 * instantiation and execution. Every import is satisfied by a stand-in of the right type
 * (functions that return zeros, fresh tables, memories and globals), then every exported
 * function is called with zero arguments under a fuel bound so each input terminates.
 * Nothing may crash or trip a sanitizer; traps are ordinary outcomes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "util/util.h"
#include "wasm/module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps one input's memory and time small: bigger memories are skipped, not run. */
#define MAX_PAGES 64u
#define MAX_TABLE 4096u
#define FUEL 20000u

static exec_trap_kind zero_results(exec_thread *th, exec_func *self, exec_slot *argres) {
  (void)th;
  uint32_t slots = 0;
  for (uint32_t i = 0; i < self->type->nresults; i++) slots += exec_slots_of(self->type->results[i]);
  memset(argres, 0, slots * sizeof(exec_slot));
  return EXEC_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  util_error err;
  util_error_clear(&err);
  wasm_module *m = wasm_decode(data, size, &err);
  if (!m) return 0;
  for (uint32_t i = 0; i < m->nmemories; i++) {
    if (m->memories[i].type.limits.min > MAX_PAGES) goto skip;
  }
  for (uint32_t i = 0; i < m->ntables; i++) {
    if (m->tables[i].type.limits.min > MAX_TABLE) goto skip;
  }
  exec_module *em = exec_module_compile(m, NULL, &err);
  if (!em) goto skip;
  exec_store_config cfg = {.stack_bytes = 1u << 20, .max_call_depth = 500, .guard_mode = false};
  exec_store *s = exec_store_new(&cfg);
  if (!s) {
    exec_module_free(em);
    return 0;
  }
  s->fuel_enabled = true;
  s->fuel = FUEL;
  exec_extern *imports = util_xcalloc(m->nimports + 1, sizeof *imports);
  for (uint32_t i = 0; i < m->nimports; i++) {
    const wasm_import *im = &m->imports[i];
    imports[i].kind = im->kind;
    switch (im->kind) {
    case WASM_EXTERN_FUNC: {
      /* host signatures have only 2.0 types: a typed-reference import stays unmatched */
      const wasm_functype *t = &m->types[im->u.func_type];
      uint8_t *k = util_xmalloc((size_t)t->nparams + t->nresults + 1);
      for (uint32_t j = 0; j < t->nparams; j++) k[j] = exec_kind_of(t->params[j]);
      for (uint32_t j = 0; j < t->nresults; j++) k[t->nparams + j] = exec_kind_of(t->results[j]);
      imports[i].ptr = exec_host_func_new(s, k, t->nparams, k + t->nparams, t->nresults, zero_results, NULL, NULL);
      free(k);
      break;
    }
    case WASM_EXTERN_TABLE: {
      const wasm_limits *l = &im->u.table.limits;
      exec_table *t = exec_table_new(exec_vtype_canon(em, im->u.table.elem), (uint32_t)l->min, (uint32_t)l->max, l->has_max, NULL);
      if (t) UTIL_VEC_PUSH(s->tables, s->ntables, s->captables, t);
      imports[i].ptr = t;
      break;
    }
    case WASM_EXTERN_MEMORY: {
      const wasm_limits *l = &im->u.memory.limits;
      exec_memory *mem = exec_memory_new(l->min, l->max, l->has_max, false, &err);
      if (mem) UTIL_VEC_PUSH(s->memories, s->nmemories, s->capmemories, mem);
      imports[i].ptr = mem;
      break;
    }
    case WASM_EXTERN_GLOBAL: {
      exec_global *g = util_xcalloc(1, sizeof *g);
      g->type = exec_vtype_canon(em, im->u.global.type);
      g->mut = im->u.global.mut;
      UTIL_VEC_PUSH(s->globals, s->nglobals, s->capglobals, g);
      imports[i].ptr = g;
      break;
    }
    case WASM_EXTERN_TAG: {
      const wasm_functype *t = &m->types[im->u.tag_type];
      imports[i].ptr = exec_tag_new_typed(s, t, exec_module_typeid_acquire(em, im->u.tag_type));
      break;
    }
    }
  }
  /* Growth is bounded too, so memory.grow loops stay cheap. */
  for (size_t i = 0; i < s->nmemories; i++)
    if (s->memories[i]->max_pages > MAX_PAGES) s->memories[i]->max_pages = MAX_PAGES;
  util_error_clear(&err);
  exec_instance *inst = exec_instantiate(s, em, imports, &err);
  free(imports);
  if (inst) {
    for (uint32_t i = 0; i < m->nmemories; i++)
      if (inst->memories[i]->max_pages > MAX_PAGES) inst->memories[i]->max_pages = MAX_PAGES;
    for (uint32_t i = 0; i < m->ntables; i++)
      if (inst->tables[i]->max > MAX_TABLE) inst->tables[i]->max = MAX_TABLE;
    exec_slot argres[64];
    for (uint32_t i = 0; i < m->nexports; i++) {
      const wasm_export *x = &m->exports[i];
      if (x->kind != WASM_EXTERN_FUNC) continue;
      exec_func *f = inst->funcs[x->index];
      uint32_t slots = 0;
      for (uint32_t k = 0; k < f->type->nparams; k++) slots += exec_slots_of(f->type->params[k]);
      for (uint32_t k = 0; k < f->type->nresults; k++) slots += exec_slots_of(f->type->results[k]);
      if (slots > 64) continue;
      memset(argres, 0, sizeof argres);
      s->fuel = FUEL;
      exec_invoke(&s->thread, f, argres);
    }
  }
  exec_store_free(s);
  exec_module_free(em); /* frees m */
  return 0;
skip:
  wasm_module_free(m);
  return 0;
}

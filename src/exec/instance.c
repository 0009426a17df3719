/* Stores, host functions and instantiation: import matching, allocation of memories,
 * tables and globals, constant expressions, element and data segments, the start
 * function. Follows the instantiation algorithm of the WebAssembly 2.0 spec: imports are
 * checked first, then element segments are applied in order, then data segments, then
 * the start function runs; a segment that is out of bounds traps, and what earlier
 * segments wrote stays written. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "exec.h"
#include "gc.h"

#define DEFAULT_STACK_BYTES (8u << 20)

/* ---------- stores ------------------------------------------------------------------------ */

exec_store *exec_store_new(const exec_store_config *cfg) {
  exec_typetab *types = cfg && cfg->types ? cfg->types : exec_typetab_default();
  if (!types) return NULL;
  exec_store *s = util_try_calloc(1, sizeof *s);
  if (!s) return NULL;
  s->types = types;
  size_t bytes = cfg && cfg->stack_bytes ? cfg->stack_bytes : DEFAULT_STACK_BYTES;
  bytes = (bytes + 4095) & ~(size_t)4095;
  /* mmap: the value stack is touched only as deep as calls go. A pool keeps the stacks
   * of freed stores. */
  exec_pool *pool = cfg ? cfg->pool : NULL;
  void *p = pool ? exec_pool_stack_get(pool, bytes) : NULL;
  if (!p) p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    free(s);
    return NULL;
  }
  s->thread.store = s;
  s->thread.stack = p;
  s->thread.stack_end = (exec_slot *)((uint8_t *)p + bytes);
  s->thread.max_depth = cfg ? cfg->max_call_depth : 0;
  s->guard_mode = cfg ? cfg->guard_mode : true;
  s->pool = cfg ? cfg->pool : NULL;
  atomic_init(&s->interrupt, 0);
  s->limits.memory_bytes = UINT64_MAX;
  s->limits.table_elements = UINT64_MAX;
  s->limits.gc_heap_bytes = UINT64_MAX;
  s->gc = exec_gc_heap_new(cfg && cfg->gc_stress);
  if (!s->gc) {
    munmap(p, bytes);
    free(s);
    return NULL;
  }
  return s;
}

static void instance_free(exec_instance *inst) {
  util_arena_free(&inst->arena);
  free(inst);
}

void exec_store_free(exec_store *s) {
  if (!s) return;
  if (s->on_free) s->on_free(s);
  exec_store_wake_close(s);
  for (size_t i = 0; i < s->ninstances; i++) instance_free(s->instances[i]);
  for (size_t i = 0; i < s->nfuncs; i++) {
    exec_func *f = s->funcs[i];
    if (f->host_env_free) f->host_env_free(f->host_env);
    exec_typeid_release(s->types, f->typeid);
    free(f);
  }
  for (size_t i = 0; i < s->nmemories; i++) exec_memory_free(s->memories[i]);
  for (size_t i = 0; i < s->ntables; i++) exec_table_free(s->tables[i]);
  for (size_t i = 0; i < s->nglobals; i++) free(s->globals[i]);
  exec_store_free_exn(s);
  exec_gc_heap_free(s->gc);
  free(s->instances);
  free(s->funcs);
  free(s->memories);
  free(s->tables);
  free(s->globals);
  size_t stack_bytes = (size_t)((uint8_t *)s->thread.stack_end - (uint8_t *)s->thread.stack);
  if (!s->pool || !exec_pool_stack_put(s->pool, s->thread.stack, stack_bytes)) util_unmap(s->thread.stack, stack_bytes);
  free(s);
}

exec_func *exec_host_func_new(exec_store *s, const uint8_t *params, uint32_t nparams,
                              const uint8_t *results, uint32_t nresults, exec_host_fn fn,
                              void *env, void (*env_free)(void *)) {
  size_t ntypes = (size_t)nparams + nresults;
  bool inline_types = ntypes <= sizeof ((exec_func *)0)->host_types / sizeof(wasm_vtype);
  exec_func *f = util_try_calloc(1, sizeof *f + (inline_types ? 0 : ntypes * sizeof(wasm_vtype)));
  if (!f) return NULL;
  wasm_vtype *types = inline_types ? f->host_types : (wasm_vtype *)(f + 1);
  for (uint32_t i = 0; i < nparams; i++) types[i] = params[i];
  for (uint32_t i = 0; i < nresults; i++) types[nparams + i] = results[i];
  f->host_type = (wasm_functype){nparams, nresults, types, types + nparams};
  f->type = &f->host_type;
  f->typeid = exec_typeid_acquire(s->types, nparams, types, nresults, types + nparams);
  if (!f->typeid) {
    free(f);
    return NULL;
  }
  f->store = s;
  f->host = fn;
  f->host_env = env;
  f->host_env_free = env_free;
  if (!UTIL_VEC_TRY_PUSH(s->funcs, s->nfuncs, s->capfuncs, f)) {
    exec_typeid_release(s->types, f->typeid);
    free(f);
    return NULL;
  }
  return f;
}

wasm_vtype exec_vtype_canon(const exec_module *em, wasm_vtype t) {
  if (!wasm_is_reftype(t)) return t;
  int64_t i = wasm_heap_typeidx(wasm_ref_heap(t));
  if (i < 0 || (uint64_t)i >= em->ntypeids) return t;
  return wasm_reftype(wasm_ref_nullable(t), WASM_HEAP_INDEX + em->typeids[i]);
}

/* Heap subtyping at store level: the abstract hierarchy, and declared supertypes between
 * store-level ids. */
static bool heap_sub(exec_typetab *types, uint32_t ha, uint32_t hb) {
  if (ha == hb) return true;
  int64_t ia = wasm_heap_typeidx(ha), ib = wasm_heap_typeidx(hb);
  if (ia < 0 && ib < 0) return wasm_abstract_heap_sub(ha, hb);
  if (ia < 0) {
    uint8_t kb = exec_typeid_kind(types, (exec_typeid)ib);
    return (ha == WASM_HEAP_NONE && kb != WASM_TYPE_FUNC) || (ha == WASM_HEAP_NOFUNC && kb == WASM_TYPE_FUNC);
  }
  if (ib < 0) {
    switch (exec_typeid_kind(types, (exec_typeid)ia)) {
    case WASM_TYPE_FUNC: return hb == WASM_HEAP_FUNC;
    case WASM_TYPE_STRUCT: return hb == WASM_HEAP_STRUCT || hb == WASM_HEAP_EQ || hb == WASM_HEAP_ANY;
    default: return hb == WASM_HEAP_ARRAY || hb == WASM_HEAP_EQ || hb == WASM_HEAP_ANY;
    }
  }
  return exec_typeid_sub(types, (exec_typeid)ia, (exec_typeid)ib);
}

bool exec_vtype_sub(exec_typetab *types, wasm_vtype a, wasm_vtype b) {
  if (a == b) return true;
  if (!wasm_is_reftype(a) || !wasm_is_reftype(b)) return false;
  if (wasm_ref_nullable(a) && !wasm_ref_nullable(b)) return false;
  return heap_sub(types, wasm_ref_heap(a), wasm_ref_heap(b));
}

bool exec_ref_fits(wasm_vtype t, const void *ref) {
  if (!wasm_is_reftype(t)) return true;
  if (!ref) return wasm_ref_nullable(t);
  int64_t i = wasm_heap_typeidx(wasm_ref_heap(t));
  if (i < 0) return true;
  const exec_func *f = ref;
  return f->typeid == (exec_typeid)i || exec_typeid_sub(f->store->types, f->typeid, (exec_typeid)i);
}

bool exec_func_ref_fits(const exec_func *f, wasm_vtype t, const void *ref) {
  if (!wasm_is_reftype(t)) return true;
  if (f->inst) t = exec_vtype_canon(f->inst->module, t);
  return exec_ref_fits(t, ref);
}

exec_global *exec_global_new(exec_store *s, wasm_vtype type, bool mut) {
  exec_global *g = util_try_calloc(1, sizeof *g);
  if (!g) return NULL;
  g->type = type;
  g->kind = exec_kind_of(type);
  g->mut = mut;
  g->store = s;
  if (!UTIL_VEC_TRY_PUSH(s->globals, s->nglobals, s->capglobals, g)) {
    free(g);
    return NULL;
  }
  return g;
}

bool exec_store_owns_ref(const exec_store *s, uint8_t valtype, const void *ref) {
  if (valtype != WASM_FUNCREF || !ref) return true;
  return ((const exec_func *)ref)->store == s;
}

bool exec_store_owns_extern(const exec_store *s, const exec_extern *x) {
  if (!x->ptr) return true;
  switch (x->kind) {
  case WASM_EXTERN_FUNC: return ((const exec_func *)x->ptr)->store == s;
  case WASM_EXTERN_TABLE: return ((const exec_table *)x->ptr)->store == s;
  case WASM_EXTERN_MEMORY: return ((const exec_memory *)x->ptr)->store == s;
  case WASM_EXTERN_GLOBAL: return ((const exec_global *)x->ptr)->store == s;
  case WASM_EXTERN_TAG: return ((const exec_tag *)x->ptr)->store == s;
  }
  return false;
}

/* ---------- constant expressions ------------------------------------------------------------ */

/* Evaluates a validated constant expression: the 2.0 forms plus the extended-constant
 * integer arithmetic and GC's allocations (gc_ops.c). Results are one value (two slots
 * for v128). */
#define CONST_DEPTH 256
static bool eval_const(exec_instance *inst, const wasm_expr *e, exec_slot out[2], util_error *err) {
  util_reader r = {e->bytes, e->bytes, e->bytes + e->len, e->offset};
  exec_slot st[CONST_DEPTH][2];
  int sp = 0;
  for (;;) {
    uint8_t op;
    if (!util_read_u8(&r, &op, err)) return false;
    if (op == 0x0b) break;
    if (op == 0xfb) {
      uint32_t sub;
      if (!util_read_u32(&r, &sub, err)) return false;
      if (!exec_gc_const_op(inst, sub, &r, st, &sp, CONST_DEPTH, err)) return false;
      continue;
    }
    if (sp >= CONST_DEPTH && op != 0x6a && op != 0x6b && op != 0x6c && op != 0x7c && op != 0x7d && op != 0x7e)
      return util_fail(err, UTIL_ERR_LIMIT, (int64_t)util_reader_offset(&r), "constant expression too deep");
    exec_slot *v = st[sp & (CONST_DEPTH - 1)]; /* sp < CONST_DEPTH here (checked above) */
    v[1] = 0;
    switch (op) {
    case 0x41: {
      int32_t x;
      if (!util_read_s32(&r, &x, err)) return false;
      v[0] = (uint32_t)x;
      sp++;
      break;
    }
    case 0x42: {
      int64_t x;
      if (!util_read_s64(&r, &x, err)) return false;
      v[0] = (uint64_t)x;
      sp++;
      break;
    }
    case 0x43: {
      uint32_t x;
      if (!util_read_fixed32(&r, &x, err)) return false;
      v[0] = x;
      sp++;
      break;
    }
    case 0x44: {
      uint64_t x;
      if (!util_read_fixed64(&r, &x, err)) return false;
      v[0] = x;
      sp++;
      break;
    }
    case 0xfd: {
      uint32_t sub;
      const uint8_t *b;
      if (!util_read_u32(&r, &sub, err)) return false;
      if (sub != 12 || !util_read_bytes(&r, 16, &b, err))
        return util_fail(err, UTIL_ERR_INVALID, (int64_t)util_reader_offset(&r), "constant expression required");
      memcpy(v, b, 16);
      sp++;
      break;
    }
    case 0xd0: {
      uint32_t t;
      if (!wasm_read_heaptype(&r, &t, err)) return false;
      v[0] = 0;
      sp++;
      break;
    }
    case 0xd2: {
      uint32_t idx;
      if (!util_read_u32(&r, &idx, err)) return false;
      v[0] = (exec_slot)(uintptr_t)inst->funcs[idx];
      sp++;
      break;
    }
    case 0x23: {
      uint32_t idx;
      if (!util_read_u32(&r, &idx, err)) return false;
      v[0] = inst->globals[idx]->val[0];
      v[1] = inst->globals[idx]->val[1];
      sp++;
      break;
    }
    case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e: {
      if (sp < 2) return util_fail(err, UTIL_ERR_INVALID, (int64_t)util_reader_offset(&r), "type mismatch");
      exec_slot a = st[sp - 2][0], b = st[sp - 1][0], x;
      switch (op) {
      case 0x6a: x = (uint32_t)((uint32_t)a + (uint32_t)b); break;
      case 0x6b: x = (uint32_t)((uint32_t)a - (uint32_t)b); break;
      case 0x6c: x = (uint32_t)((uint32_t)a * (uint32_t)b); break;
      case 0x7c: x = a + b; break;
      case 0x7d: x = a - b; break;
      default: x = a * b; break;
      }
      sp--;
      st[sp - 1][0] = x;
      break;
    }
    default:
      return util_fail(err, UTIL_ERR_INVALID, (int64_t)util_reader_offset(&r) - 1,
                       "constant expression required");
    }
  }
  if (sp != 1) return util_fail(err, UTIL_ERR_INVALID, e->offset, "type mismatch");
  out[0] = st[0][0];
  out[1] = st[0][1];
  return true;
}

/* ---------- import matching -------------------------------------------------------------- */

static bool limits_match(uint64_t size, bool has_max, uint64_t max, const wasm_limits *want) {
  if (size < want->min) return false;
  if (want->has_max && (!has_max || max > want->max)) return false;
  return true;
}

static bool link_fail(util_error *err, const wasm_import *im, const char *why) {
  return util_fail(err, UTIL_ERR_LINK, im->offset, "%s: %.*s.%.*s", why, (int)im->module.len,
                   im->module.str, (int)im->field.len, im->field.str);
}

static bool match_import(const exec_store *s, const exec_module *em, const wasm_import *im,
                         const exec_extern *x, util_error *err) {
  if (!x || !x->ptr) return link_fail(err, im, "unknown import");
  if (x->kind != im->kind) return link_fail(err, im, "incompatible import type");
  if (!exec_store_owns_extern(s, x)) return link_fail(err, im, "import from another store");
  switch (im->kind) {
  case WASM_EXTERN_FUNC: {
    const exec_func *f = x->ptr;
    if (f->typeid != em->typeids[im->u.func_type] && !exec_typeid_sub(em->types, f->typeid, em->typeids[im->u.func_type]))
      return link_fail(err, im, "incompatible import type");
    return true;
  }
  case WASM_EXTERN_TABLE: {
    const exec_table *t = x->ptr;
    if (t->elemtype != exec_vtype_canon(em, im->u.table.elem) || t->is64 != im->u.table.limits.is64 ||
        !limits_match(t->size, t->has_max, t->max, &im->u.table.limits))
      return link_fail(err, im, "incompatible import type");
    return true;
  }
  case WASM_EXTERN_MEMORY: {
    const exec_memory *m = x->ptr;
    if (m->is64 != im->u.memory.limits.is64 || m->shared != im->u.memory.limits.shared)
      return link_fail(err, im, "incompatible import type");
    if (!limits_match(m->size / EXEC_PAGE_SIZE, m->has_max, m->max_pages, &im->u.memory.limits))
      return link_fail(err, im, "incompatible import type");
    return true;
  }
  case WASM_EXTERN_GLOBAL: {
    const exec_global *g = x->ptr;
    wasm_vtype want = exec_vtype_canon(em, im->u.global.type);
    if (g->mut != im->u.global.mut || (g->mut ? g->type != want : !exec_vtype_sub(em->types, g->type, want)))
      return link_fail(err, im, "incompatible import type");
    return true;
  }
  case WASM_EXTERN_TAG: {
    const exec_tag *t = x->ptr;
    if (t->typeid != em->typeids[im->u.tag_type]) return link_fail(err, im, "incompatible import type");
    return true;
  }
  }
  return link_fail(err, im, "incompatible import type");
}

/* ---------- instantiation ------------------------------------------------------------------ */

static bool oom_fail(util_error *err) { return util_fail(err, UTIL_ERR_LIMIT, -1, "out of memory"); }

static bool trap_fail(exec_store *s, exec_trap_kind k, int64_t off, util_error *err) {
  exec_thread *th = &s->thread;
  th->trap = k;
  if (k != EXEC_TRAP_HOST && k != EXEC_TRAP_EXIT && k != EXEC_TRAP_LIMIT) th->trap_msg[0] = 0;
  const char *msg = th->trap_msg[0] ? th->trap_msg : exec_trap_message(k);
  return util_fail(err, UTIL_ERR_TRAP, off, "%s", msg);
}

/* Refuses, before anything is allocated, an instantiation the store's limits cannot
 * hold: one instance too many, or declared minimums above the memory or table limit. */
static bool check_limits(exec_store *s, const wasm_module *m, util_error *err) {
  const exec_limits *l = &s->limits;
  exec_limit_kind hit = EXEC_LIMIT_NONE;
  if (l->max_instances && s->ninstances >= l->max_instances) {
    hit = EXEC_LIMIT_INSTANCES;
    util_fail(err, UTIL_ERR_LIMIT, -1, "instance limit reached (%u per store)", l->max_instances);
  }
  uint64_t total = 0;
  for (uint32_t i = m->nmemory_imports; !hit && i < m->nmemories; i++) {
    const wasm_limits *ml = &m->memories[i].type.limits;
    /* min is at most 2^16 pages for a 32-bit memory (validated); saturate anyway */
    uint64_t bytes = ml->min > (UINT64_MAX >> 16) ? UINT64_MAX : ml->min * EXEC_PAGE_SIZE;
    total = total + bytes < total ? UINT64_MAX : total + bytes;
    if (bytes > l->memory_bytes || total > l->memory_bytes) {
      hit = EXEC_LIMIT_MEMORY;
      util_fail(err, UTIL_ERR_LIMIT, -1,
                "memory %u: declared minimum of %llu bytes%s exceeds the memory limit (%llu bytes)", i,
                (unsigned long long)(bytes > l->memory_bytes ? bytes : total),
                bytes > l->memory_bytes ? "" : " (instance total)", (unsigned long long)l->memory_bytes);
    }
  }
  /* tables: each and the store's total against the table limit, their bytes against the
   * memory limit alone and in the instance's total */
  uint64_t elems = s->usage.table_elements;
  for (uint32_t i = m->ntable_imports; !hit && i < m->ntables; i++) {
    uint64_t min = m->tables[i].type.limits.min, bytes = min * EXEC_TABLE_ELEM_BYTES;
    elems += min;
    total = total + bytes < total ? UINT64_MAX : total + bytes;
    if (min > l->table_elements) {
      hit = EXEC_LIMIT_TABLE;
      util_fail(err, UTIL_ERR_LIMIT, -1,
                "table %u: declared minimum of %llu elements exceeds the table limit (%llu elements)",
                i, (unsigned long long)min, (unsigned long long)l->table_elements);
    } else if (elems > l->table_elements) {
      hit = EXEC_LIMIT_TABLE;
      util_fail(err, UTIL_ERR_LIMIT, -1,
                "table %u: declared minimum of %llu elements brings the store to %llu table elements, above the table limit (%llu elements)",
                i, (unsigned long long)min, (unsigned long long)elems, (unsigned long long)l->table_elements);
    } else if (bytes > l->memory_bytes || total > l->memory_bytes) {
      hit = EXEC_LIMIT_MEMORY;
      util_fail(err, UTIL_ERR_LIMIT, -1,
                "table %u: declared minimum of %llu elements (%llu bytes%s) exceeds the memory limit (%llu bytes)",
                i, (unsigned long long)min, (unsigned long long)(bytes > l->memory_bytes ? bytes : total),
                bytes > l->memory_bytes ? "" : ", instance total with its memories",
                (unsigned long long)l->memory_bytes);
    }
  }
  if (!hit) return true;
  s->usage.limit_denials++;
  s->usage.stopped_by = hit;
  return false;
}

exec_instance *exec_instantiate(exec_store *s, const exec_module *em, const exec_extern *imports,
                                util_error *err) {
  const wasm_module *m = em->wasm;
  if (em->types != s->types)
    return util_fail(err, UTIL_ERR_LINK, -1, "module compiled by another engine"), NULL;
  for (uint32_t i = 0; i < m->nimports; i++) {
    if (!match_import(s, em, &m->imports[i], imports ? &imports[i] : NULL, err)) return NULL;
  }
  if (!check_limits(s, m, err)) return NULL;

  exec_instance *inst = util_try_calloc(1, sizeof *inst);
  if (!inst) return oom_fail(err), NULL;
  util_arena_init(&inst->arena);
  util_arena *a = &inst->arena;
  inst->store = s;
  inst->module = em;
  uint32_t ndef = m->nfuncs - m->nfunc_imports;
  if (!(inst->funcs = util_arena_try_alloc(a, (m->nfuncs + 1) * sizeof(exec_func *))) ||
      !(inst->tables = util_arena_try_alloc(a, (m->ntables + 1) * sizeof(exec_table *))) ||
      !(inst->memories = util_arena_try_alloc(a, (m->nmemories + 1) * sizeof(exec_memory *))) ||
      !(inst->globals = util_arena_try_alloc(a, (m->nglobals + 1) * sizeof(exec_global *))) ||
      !(inst->datas = util_arena_try_alloc(a, (m->ndatas + 1) * sizeof(exec_data_inst))) ||
      !(inst->elems = util_arena_try_alloc(a, (m->nelems + 1) * sizeof(exec_elem_inst))) ||
      !(inst->defined_funcs = util_arena_try_alloc(a, (ndef + 1) * sizeof(exec_func))) ||
      !(inst->tags = util_arena_try_alloc(a, (m->ntags + 1) * sizeof(exec_tag *))) ||
      !(inst->layouts = util_arena_try_alloc(a, (m->ntypes + 1) * sizeof(exec_gc_layout *))) ||
      /* From here on the instance belongs to the store, even if instantiation fails
       * below: element segments may already have put its functions into imported tables. */
      !UTIL_VEC_TRY_PUSH(s->instances, s->ninstances, s->capinstances, inst)) {
    instance_free(inst);
    return oom_fail(err), NULL;
  }

  if (!exec_gc_instance_layouts(s, em, inst->layouts)) return oom_fail(err), NULL;
  uint32_t fi = 0, ti = 0, mi = 0, gi = 0, tgi = 0;
  for (uint32_t i = 0; i < m->nimports; i++) {
    void *p = imports[i].ptr;
    switch (m->imports[i].kind) {
    case WASM_EXTERN_TAG: inst->tags[tgi++] = p; break;
    case WASM_EXTERN_FUNC: inst->funcs[fi++] = p; break;
    case WASM_EXTERN_TABLE: inst->tables[ti++] = p; break;
    case WASM_EXTERN_MEMORY: inst->memories[mi++] = p; break;
    case WASM_EXTERN_GLOBAL: inst->globals[gi++] = p; break;
    }
  }
  for (uint32_t k = 0; k < ndef; k++) {
    uint32_t idx = m->nfunc_imports + k;
    exec_func *f = &inst->defined_funcs[k];
    f->typeid = em->typeids[m->funcs[idx].type];
    f->type = wasm_ir_func_type(m, idx);
    f->store = s;
    f->inst = inst;
    f->index = idx;
    f->code = &em->codes[k];
    inst->funcs[idx] = f;
  }
  for (uint32_t i = m->ntag_imports; i < m->ntags; i++) {
    uint32_t ty = m->tags[i].type;
    if (!(inst->tags[i] = exec_tag_new_typed(s, &m->types[ty], exec_module_typeid_acquire(em, ty))))
      return oom_fail(err), NULL;
    inst->tags[i]->module = m;
  }
  for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
    const wasm_tabletype *tt = &m->tables[i].type;
    /* 64-bit bounds beyond u32 are beyond TABLE_MAX_ELEMS: clamp rather than wrap */
    uint32_t tmin = tt->limits.min > UINT32_MAX ? UINT32_MAX : (uint32_t)tt->limits.min;
    uint32_t tmax = tt->limits.max > UINT32_MAX ? UINT32_MAX : (uint32_t)tt->limits.max;
    exec_table *t;
    if (s->pool) {
      if (!(t = exec_pool_table_new(s->pool, exec_vtype_canon(em, tt->elem), tmin, tmax, tt->limits.has_max, err)))
        return NULL;
    } else {
      t = exec_table_new(exec_vtype_canon(em, tt->elem), tmin, tmax, tt->limits.has_max, NULL);
    }
    if (t) t->kind = exec_kind_of_m(m, tt->elem);
    if (!t) {
      util_fail(err, UTIL_ERR_LIMIT, -1, "table %u: %llu elements: %s", i, (unsigned long long)tt->limits.min,
                tt->limits.min > 10000000 ? "exceed the implementation limit" : "out of memory");
      return NULL;
    }
    if (!UTIL_VEC_TRY_PUSH(s->tables, s->ntables, s->captables, t)) {
      exec_table_free(t);
      return oom_fail(err), NULL;
    }
    inst->tables[i] = t;
    t->is64 = tt->limits.is64;
    if (!exec_store_adopt_table(s, t, &inst->memory_bytes, err)) return NULL;
  }
  for (uint32_t i = m->nmemory_imports; i < m->nmemories; i++) {
    const wasm_limits *l = &m->memories[i].type.limits;
    if (l->is64 && l->min > EXEC_MAX_PAGES_64) {
      util_fail(err, UTIL_ERR_LIMIT, -1, "memory size exceeds its limit (%llu pages > %llu)",
                (unsigned long long)l->min, EXEC_MAX_PAGES_64);
      return NULL;
    }
    exec_memory *mem = s->pool ? exec_pool_memory_new(s->pool, em, i, l->min, l->max, l->has_max, s->guard_mode, err)
                               : exec_memory_new(l->min, l->max, l->has_max, s->guard_mode, err);
    if (!mem) return NULL;
    mem->is64 = l->is64;
    mem->shared = l->shared;
    if (l->is64 && mem->max_pages > EXEC_MAX_PAGES_64) mem->max_pages = EXEC_MAX_PAGES_64;
    if (!UTIL_VEC_TRY_PUSH(s->memories, s->nmemories, s->capmemories, mem)) {
      exec_memory_free(mem);
      return oom_fail(err), NULL;
    }
    inst->memories[i] = mem;
    if (!exec_store_adopt_memory(s, mem, &inst->memory_bytes, err)) return NULL;
  }
  for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
    exec_global *g = exec_global_new(s, exec_vtype_canon(em, m->globals[i].type.type), m->globals[i].type.mut);
    if (!g) return oom_fail(err), NULL;
    g->kind = exec_kind_of_m(m, m->globals[i].type.type);
    if (!eval_const(inst, &m->globals[i].init, g->val, err)) return NULL;
    inst->globals[i] = g;
  }
  /* 3.0 tables with an initial value (their expressions see imported globals only) */
  for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
    if (!m->tables[i].init.len) continue;
    exec_slot v[2];
    if (!eval_const(inst, &m->tables[i].init, v, err)) return NULL;
    exec_table *t = inst->tables[i];
    for (uint32_t k = 0; k < t->size; k++) t->elems[k] = (void *)(uintptr_t)v[0];
  }
  for (uint32_t i = 0; i < m->nelems; i++) {
    const wasm_elem *el = &m->elems[i];
    exec_elem_inst *ei = &inst->elems[i];
    ei->count = el->count;
    /* an active or declarative segment of function indices is never read from here:
     * the active one goes into its table lazily (table.c), both are dropped below */
    bool lazy = el->func_indices && el->mode != WASM_SEG_PASSIVE;
    ei->refs = util_arena_try_alloc(a, ((size_t)(lazy ? 0 : el->count) + 1) * sizeof(void *));
    if (!ei->refs) return oom_fail(err), NULL;
    for (uint32_t k = 0; !lazy && k < el->count; k++) {
      if (el->func_indices) {
        ei->refs[k] = inst->funcs[el->func_indices[k]];
      } else {
        exec_slot v[2];
        if (!eval_const(inst, &el->exprs[k], v, err)) return NULL;
        ei->refs[k] = (void *)(uintptr_t)v[0];
      }
    }
  }
  for (uint32_t i = 0; i < m->ndatas; i++) {
    inst->datas[i].bytes = m->datas[i].bytes;
    inst->datas[i].len = m->datas[i].len;
  }

  /* Active element segments: table.init then elem.drop; declarative ones are dropped.
   * A segment of function indices is recorded in its table rather than copied (lazy
   * initialisation, table.c): instantiation costs nothing per element, and an element
   * becomes its function reference when first read. written[t]: table t may hold
   * non-null elements (imported, with an initial value, or written by a segment of
   * expressions), which a lazy range must clear. */
  bool *written = util_arena_try_alloc(a, ((size_t)m->ntables + 1) * sizeof(bool));
  if (!written) return oom_fail(err), NULL;
  for (uint32_t i = 0; i < m->ntables; i++) written[i] = i < m->ntable_imports || m->tables[i].init.len;
  for (uint32_t i = 0; i < m->nelems; i++) {
    const wasm_elem *el = &m->elems[i];
    exec_elem_inst *ei = &inst->elems[i];
    if (el->mode == WASM_SEG_ACTIVE) {
      exec_slot off[2];
      if (!eval_const(inst, &el->offset, off, err)) return NULL;
      exec_table *t = inst->tables[el->table];
      uint64_t d = t->is64 ? off[0] : (uint32_t)off[0];
      if (d > t->size || ei->count > t->size - d) {
        trap_fail(s, EXEC_TRAP_TABLE_OOB, el->offset_in_input, err);
        /* the data segments were not due yet: memories mapped from an image lose it
         * (functions placed in imported tables above may still read them) */
        for (uint32_t k = m->nmemory_imports; k < m->nmemories; k++) exec_pool_memory_drop_image(inst->memories[k]);
        return NULL;
      }
      if (el->func_indices) {
        if (!exec_table_init_lazy(t, inst, el->func_indices, (uint32_t)d, ei->count, written[el->table]))
          return oom_fail(err), NULL;
      } else if (ei->count) {
        exec_table_forget(t, d, ei->count);
        memcpy(t->elems + d, ei->refs, ei->count * sizeof(void *));
        written[el->table] = true;
      }
    }
    if (el->mode != WASM_SEG_PASSIVE) ei->count = 0;
  }
  /* With a pool, a module whose active segments all have constant offsets into its own
   * memories and fit there has them mapped from its image already (pool.c): nothing to
   * copy, and none can trap. */
  bool imaged = s->pool && exec_pool_get_config(s->pool)->copy_on_write && m->nmemories > m->nmemory_imports &&
                exec_pool_module_imaged(s->pool, em);
  for (uint32_t i = 0; i < m->ndatas; i++) {
    const wasm_data *dd = &m->datas[i];
    if (dd->mode != WASM_SEG_ACTIVE) continue;
    if (imaged) {
      inst->datas[i].len = 0;
      continue;
    }
    exec_slot off[2];
    if (!eval_const(inst, &dd->offset, off, err)) return NULL;
    exec_memory *mem = inst->memories[dd->memory];
    uint64_t d = mem->is64 ? off[0] : (uint32_t)off[0];
    if (d > mem->size || dd->len > mem->size - d) {
      trap_fail(s, EXEC_TRAP_MEMORY_OOB, dd->offset_in_input, err);
      return NULL;
    }
    if (dd->len) memcpy(mem->base + d, dd->bytes, dd->len);
    inst->datas[i].len = 0;
  }
  if (m->has_start) {
    exec_slot argres[2] = {0, 0};
    exec_trap_kind k = exec_invoke(&s->thread, inst->funcs[m->start], argres);
    if (k != EXEC_OK) {
      trap_fail(s, k, -1, err);
      return NULL;
    }
  }
  return inst;
}

exec_extern exec_instance_export(const exec_instance *inst, const char *name, size_t len) {
  const wasm_module *m = inst->module->wasm;
  for (uint32_t i = 0; i < m->nexports; i++) {
    const wasm_export *x = &m->exports[i];
    if (x->name.len != len || memcmp(x->name.str, name, len) != 0) continue;
    switch (x->kind) {
    case WASM_EXTERN_FUNC: return (exec_extern){x->kind, inst->funcs[x->index]};
    case WASM_EXTERN_TABLE: return (exec_extern){x->kind, inst->tables[x->index]};
    case WASM_EXTERN_MEMORY: return (exec_extern){x->kind, inst->memories[x->index]};
    case WASM_EXTERN_GLOBAL: return (exec_extern){x->kind, inst->globals[x->index]};
    case WASM_EXTERN_TAG: return (exec_extern){x->kind, inst->tags[x->index]};
    }
  }
  return (exec_extern){0xff, NULL};
}

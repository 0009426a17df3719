/* Component instances: a validated component's definitions carried out in binary order —
 * core modules compiled and instantiated (through include/weld.h), core instances with
 * their `with` arguments and inline exports, aliases, nested components and their
 * instances, canonical lift, lower and resource built-ins, imports and exports — and
 * the handle tables of the Canonical ABI. */
#include <stdlib.h>
#include <string.h>

#include "rt.h"

typedef struct item item;
typedef struct named {
  const char *name;
  uint32_t len;
  struct item *it;
} named;

typedef struct core_inst {
  weld_instance *wi;             /* an instantiated module, or */
  named *ex;                     /* inline exports (items of core sorts) */
  uint32_t nex;
} core_inst;

struct item {
  uint8_t sort;                  /* comp_sort */
  weld_extern core;              /* core func, table, memory, global */
  core_inst *ci;
  weld_module *module;
  const comp_component *component;
  comp_inst *env;                /* component: where it was defined (outer aliases) */
  comp_func *func;
  comp_inst *instance;
  const comp_ctype *type;        /* type: its resolved type */
  comp_resource *rt;             /* type: a resource's run-time identity */
};

struct comp_func {
  const comp_ctype *type;
  comp_inst *inst;               /* lifted: the instance whose core function runs */
  weld_func *core;
  comp_opts opts;
  comp_host_fn host;             /* or implemented by the host */
  void *env;
};

typedef struct root {
  weld_engine *engine;
  weld_store *store;
  util_arena arena;
  const comp_info *info;
  comp_host *host;
  struct { const wasm_module *m; weld_module *wm; } *mods;
  size_t nmods, capmods;
  comp_inst **insts;
  size_t ninsts, capinsts;
  uint32_t next_rid;
  unsigned depth;
} root;

typedef struct space {
  item **v;
  size_t n, cap;
} space;

struct comp_inst {
  root *root;
  comp_inst *parent;             /* where its component was defined (outer aliases) */
  comp_inst *up;                 /* the instance that instantiated it (the Canonical ABI's parent) */
  const comp_component *c;
  space sp[COMP_SORT_COUNT];
  named *exports;
  size_t nexports, capexports;
  comp_handle *handles;
  size_t nhandles, caphandles;
  uint32_t *free;                /* freed handle indices, reused last-freed first */
  size_t nfree, capfree;
  struct { uint32_t rid; comp_resource *rt; } *res;
  size_t nres, capres;
  bool busy;                     /* a call into it is running (no reentrance) */
  struct task *task;             /* the task running in it (NULL: none) */
  bool trapped;                  /* a call trapped: the instance may not be entered again */
  bool no_leave;                 /* post-return is running: no calls out of the instance */
  uint32_t context[2];           /* context.get/set: the running task's storage (zero at entry) */
  uint32_t backpressure;         /* backpressure.inc/dec */
};

/* ---------- the host registry ---------------------------------------------------------------- */

typedef struct host_entry {
  char *instance, *name;
  comp_host_fn fn;
  void *env;
} host_entry;

typedef struct host_res {
  char *instance, *name;
  comp_resource *rt;
  bool owned;                    /* the first registration of rt frees it */
} host_res;

struct comp_host {
  host_entry *v;
  size_t n, cap;
  host_res *res;
  size_t nres, capres;
  comp_store_hook on_store;
  void *store_env;
};

void comp_host_on_store(comp_host *h, comp_store_hook fn, void *env) {
  h->on_store = fn;
  h->store_env = env;
}

comp_host *comp_host_new(void) { return util_try_calloc(1, sizeof(comp_host)); }

void comp_host_free(comp_host *h) {
  if (!h) return;
  for (size_t i = 0; i < h->n; i++) {
    free(h->v[i].instance);
    free(h->v[i].name);
  }
  free(h->v);
  for (size_t i = 0; i < h->nres; i++) {
    free(h->res[i].instance);
    free(h->res[i].name);
    if (h->res[i].owned) free(h->res[i].rt);
  }
  free(h->res);
  free(h);
}

comp_resource *comp_host_resource(comp_host *h, const char *instance, const char *name, comp_resource *same,
                                  comp_host_drop drop, void *env) {
  host_res e = {util_try_strdup(instance), util_try_strdup(name), same ? same : util_try_calloc(1, sizeof(comp_resource)),
                !same};
  if (!e.instance || !e.name || !e.rt || !UTIL_VEC_TRY_PUSH(h->res, h->nres, h->capres, e)) {
    free(e.instance);
    free(e.name);
    if (e.owned) free(e.rt);
    return NULL;
  }
  if (!same) {
    e.rt->host_drop = drop;
    e.rt->host_env = env;
  }
  return e.rt;
}

static comp_resource *host_find_resource(const comp_host *h, const char *instance, const char *name) {
  if (!h) return NULL;
  for (size_t i = 0; i < h->nres; i++)
    if (strcmp(h->res[i].instance, instance) == 0 && strcmp(h->res[i].name, name) == 0) return h->res[i].rt;
  return NULL;
}

bool comp_host_func(comp_host *h, const char *instance, const char *name, comp_host_fn fn, void *env) {
  host_entry e = {instance ? util_try_strdup(instance) : NULL, util_try_strdup(name), fn, env};
  if ((instance && !e.instance) || !e.name || !UTIL_VEC_TRY_PUSH(h->v, h->n, h->cap, e)) {
    free(e.instance);
    free(e.name);
    return false;
  }
  return true;
}

static const host_entry *host_find(const comp_host *h, const char *instance, const char *name) {
  if (!h) return NULL;
  for (size_t i = 0; i < h->n; i++)
    if (strcmp(h->v[i].name, name) == 0 && (!instance == !h->v[i].instance) &&
        (!instance || strcmp(instance, h->v[i].instance) == 0))
      return &h->v[i];
  return NULL;
}

static bool host_has_instance(const comp_host *h, const char *instance) {
  if (!h) return false;
  for (size_t i = 0; i < h->n; i++)
    if (h->v[i].instance && strcmp(h->v[i].instance, instance) == 0) return true;
  for (size_t i = 0; i < h->nres; i++)
    if (strcmp(h->res[i].instance, instance) == 0) return true;
  return false;
}

/* ---------- helpers ------------------------------------------------------------------------- */

typedef struct ictx {
  root *r;
  util_error *err;
} ictx;

static bool oom(util_error *err) { return util_fail(err, UTIL_ERR_OOM, -1, "out of memory"); }

static void *alloc(root *r, size_t n, util_error *err) {
  void *p = util_arena_try_alloc(&r->arena, n ? n : 1);
  if (!p) oom(err);
  return p;
}

static bool push_item(comp_inst *in, int sort, item *it, util_error *err) {
  space *s = &in->sp[sort];
  if (!UTIL_VEC_TRY_PUSH(s->v, s->n, s->cap, it)) return oom(err);
  return true;
}

static item *new_item(root *r, int sort, util_error *err) {
  item *it = alloc(r, sizeof *it, err);
  if (it) it->sort = (uint8_t)sort;
  return it;
}

static item *get_item(comp_inst *in, int sort, uint32_t idx) {
  return idx < in->sp[sort].n ? in->sp[sort].v[idx] : NULL;
}

static bool map_resource(comp_inst *in, const comp_ctype *t, comp_resource *rt, util_error *err) {
  if (!t || t->kind != CT_RESOURCE || !rt) return true;
  for (size_t i = 0; i < in->nres; i++)
    if (in->res[i].rid == t->rid) {
      in->res[i].rt = rt;
      return true;
    }
  if (!UTIL_VEC_TRY_PUSH(in->res, in->nres, in->capres, ((__typeof__(*in->res)){t->rid, rt}))) return oom(err);
  return true;
}

comp_resource *rt_resource_of(comp_inst *inst, const comp_ctype *r) {
  if (!r || r->kind != CT_RESOURCE) return NULL;
  for (size_t i = 0; i < inst->nres; i++)
    if (inst->res[i].rid == r->rid) return inst->res[i].rt;
  return NULL;
}

/* The resolved type the validator gave entry idx of a sort in this instance's component. */
static const comp_ctype *vtype(comp_inst *in, int sort, uint32_t idx) {
  return comp_info_sort(in->root->info, in->c, sort, idx);
}

static bool is_name(const named *n, const char *s, size_t len) { return n->len == len && memcmp(n->name, s, len) == 0; }

static item *export_of(comp_inst *in, const char *s, size_t len) {
  for (size_t i = 0; i < in->nexports; i++)
    if (is_name(&in->exports[i], s, len)) return in->exports[i].it;
  return NULL;
}

static bool add_export(comp_inst *in, const wasm_name *n, item *it, util_error *err) {
  named e = {n->str, n->len, it};
  if (!UTIL_VEC_TRY_PUSH(in->exports, in->nexports, in->capexports, e)) return oom(err);
  return true;
}

static comp_inst *new_inst(root *r, comp_inst *parent, const comp_component *c, util_error *err) {
  comp_inst *in = util_try_calloc(1, sizeof *in);
  if (!in) {
    oom(err);
    return NULL;
  }
  if (!UTIL_VEC_TRY_PUSH(r->insts, r->ninsts, r->capinsts, in)) {
    free(in);
    oom(err);
    return NULL;
  }
  in->root = r;
  in->parent = parent;
  in->c = c;
  return in;
}

static void inst_free(comp_inst *in) {
  for (int k = 0; k < COMP_SORT_COUNT; k++) free(in->sp[k].v);
  free(in->exports);
  free(in->handles);
  free(in->free);
  free(in->res);
  free(in);
}

/* ---------- handle tables ---------------------------------------------------------------------- */

#define MAX_HANDLES (1u << 28)

bool rt_handle_add(abi_cx *cx, comp_inst *inst, comp_handle h, uint32_t *idx) {
  if (inst->nhandles == 0) {
    /* index 0 stays unused: it is never a valid handle */
    comp_handle none = {0};
    if (!UTIL_VEC_TRY_PUSH(inst->handles, inst->nhandles, inst->caphandles, none)) return oom(cx->err);
  }
  if (inst->nfree) {
    *idx = inst->free[--inst->nfree];
    inst->handles[*idx] = h;
    return true;
  }
  if (inst->nhandles >= MAX_HANDLES) return abi_trap(cx, "canonical ABI: handle table full");
  if (!UTIL_VEC_TRY_PUSH(inst->handles, inst->nhandles, inst->caphandles, h)) return oom(cx->err);
  *idx = (uint32_t)(inst->nhandles - 1);
  return true;
}

comp_handle *rt_handle_get(abi_cx *cx, comp_inst *inst, uint32_t idx) {
  if (idx == 0 || idx >= inst->nhandles || !inst->handles[idx].rt) {
    abi_trap(cx, "canonical ABI: unknown handle index %u", idx);
    return NULL;
  }
  return &inst->handles[idx];
}

void rt_handle_remove(comp_inst *inst, uint32_t idx) {
  memset(&inst->handles[idx], 0, sizeof inst->handles[idx]);
  /* out of memory: the index is just not reused */
  (void)UTIL_VEC_TRY_PUSH(inst->free, inst->nfree, inst->capfree, idx);
}

/* ---------- calls ------------------------------------------------------------------------------- */

const comp_ctype *comp_func_type(const comp_func *f) { return f->type; }
uint32_t comp_functype_nparams(const comp_ctype *ft) { return ft->n; }
const comp_ctype *comp_functype_param(const comp_ctype *ft, uint32_t i) { return ft->elems[i]; }
const comp_ctype *comp_functype_result(const comp_ctype *ft) { return ft->a; }

static uint32_t params_flat(const comp_ctype *ft) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < ft->n; i++) n += abi_flat_count(ft->elems[i]);
  return n;
}

static void scope_release(comp_scope *sc) {
  for (size_t i = 0; i < sc->nlends; i++) {
    comp_inst *in = sc->lends[i].inst;
    uint32_t idx = sc->lends[i].idx;
    if (idx < in->nhandles && in->handles[idx].lend_count) in->handles[idx].lend_count--;
  }
  free(sc->lends);
  sc->lends = NULL;
  sc->nlends = sc->cap = 0;
}

/* A task: one call of a lifted function (CanonicalABI.md, "Task State"). A synchronously
 * lifted function's core function returns the result; an async-lifted one passes it to
 * `task.return`, before it returns (stackful) or before its callback says EXIT. weld
 * runs each task to its end inside the call: a task that would wait on an event traps
 * "not supported". */
typedef struct task {
  const comp_ctype *ft;
  const comp_opts *opts;         /* the lift's */
  bool resolved;                 /* the result is given (task.return, or the sync return) */
  comp_val *result;              /* where task.return lifts the result to */
  util_arena *arena;
  comp_scope *scope;             /* the borrows lent to the task */
  struct task *prev;             /* the instance's task before this one */
} task;

/* The Canonical ABI's Task.may_block: an async-typed function, or one that returned. */
static bool task_may_block(const task *t) { return t && (t->ft->async || t->resolved); }

enum { CALLBACK_EXIT = 0, CALLBACK_YIELD = 1, CALLBACK_WAIT = 2, SUBTASK_RETURNED = 2 };


/* An async lift with a callback: the core function's (and each callback's) packed
 * code, CanonicalABI.md's unpack_callback_result. EXIT ends the task. YIELD and WAIT give
 * the other tasks a turn and wait for an event: that needs the event loop, which weld
 * does not have (a task cannot be suspended and resumed here). */
static weld_trap *waitable_set_get(comp_inst *in, uint32_t idx, const char *what);

static bool callback_code(abi_cx *cx, uint32_t packed) {
  uint32_t code = packed & 0xf;
  if (code == CALLBACK_EXIT) return true;
  if (code > CALLBACK_WAIT) return abi_trap(cx, "canonical ABI: unsupported callback code %u", code);
  weld_trap *t = code == CALLBACK_WAIT ? waitable_set_get(cx->inst, packed >> 4, "a callback's WAIT") : NULL;
  if (t) return abi_core_trap(cx, t);
  return abi_trap(cx, "not supported: the component model's async ABI at run time (a callback returning %s)",
                  code == CALLBACK_YIELD ? "YIELD" : "WAIT");
}

/* Calls a component function: a lifted one lowers the arguments into its instance's
 * memory, runs the core function, lifts the result (or takes task.return's) and runs
 * post-return. */
static bool call(comp_func *f, const comp_val *args, comp_val *result, util_arena *arena, util_error *err) {
  const comp_ctype *ft = f->type;
  if (f->host) {
    const char *msg = f->host(f->env, ft, args, result, arena);
    if (msg) return util_fail(err, UTIL_ERR_TRAP, -1, "%s", msg);
    return true;
  }
  comp_inst *in = f->inst;
  if (in->trapped) return util_fail(err, UTIL_ERR_TRAP, -1, "cannot enter component instance: it trapped earlier");
  if (in->busy) return util_fail(err, UTIL_ERR_TRAP, -1, "cannot enter component instance: it is already running (reentrance)");
  if (in->root->depth > 1000) return util_fail(err, UTIL_ERR_TRAP, -1, "call stack exhausted (component calls)");
  comp_scope sc = {0};
  abi_cx cx = {in, &f->opts, arena, err, &sc, 0};
  task tk = {ft, &f->opts, false, result, arena, &sc, in->task};
  uint32_t np = params_flat(ft);
  weld_val flat[ABI_MAX_FLAT_PARAMS + 1];
  uint32_t k = 0;
  bool ok = true;
  in->busy = true;
  in->task = &tk;
  in->root->depth++;
  /* a new task's context storage starts zeroed (the instance runs one task at a time) */
  memset(in->context, 0, sizeof in->context);
  if (np <= ABI_MAX_FLAT_PARAMS) {
    for (uint32_t i = 0; ok && i < ft->n; i++) ok = abi_lower_flat(&cx, ft->elems[i], &args[i], flat, &k);
  } else {
    uint64_t size;
    uint32_t align, ptr = 0;
    abi_seq_layout(ft->elems, ft->n, &size, &align);
    ok = abi_alloc(&cx, "parameters", align, size, &ptr) && abi_store_seq(&cx, ft->elems, ft->n, args, ptr);
    flat[k++] = WELD_I32_VAL((int32_t)ptr);
  }
  weld_val res[2];
  uint32_t nres = f->opts.async ? (f->opts.callback ? 1 : 0) : ft->a ? 1 : 0;
  if (ok) {
    weld_trap *t = weld_func_call(f->core, flat, k, res, nres);
    if (t) ok = abi_core_trap(&cx, t);
  }
  if (f->opts.async) {
    if (ok && f->opts.callback) ok = callback_code(&cx, (uint32_t)res[0].of.i32);
    if (ok && !tk.resolved) ok = abi_trap(&cx, "canonical ABI: the async task ended without calling task.return");
    nres = 0;
  } else if (ok && ft->a) {
    uint32_t j = 0;
    if (abi_flat_count(ft->a) <= ABI_MAX_FLAT_RESULTS) {
      ok = abi_lift_flat(&cx, ft->a, res, &j, result);
    } else {
      uint32_t ptr = (uint32_t)res[0].of.i32;
      ok = abi_check_ptr(&cx, ptr, ft->a->align, ft->a->size, "result") && abi_load(&cx, ft->a, ptr, result);
    }
  }
  tk.resolved = true;
  if (ok && f->opts.post_return) {
    in->no_leave = true;
    weld_trap *t = weld_func_call(f->opts.post_return, res, nres, NULL, 0);
    in->no_leave = false;
    if (t) ok = abi_core_trap(&cx, t);
  }
  if (ok && sc.num_borrows)
    ok = abi_trap(&cx, "canonical ABI: %u borrow handle(s) still remain at the end of the call", sc.num_borrows);
  scope_release(&sc);
  in->task = tk.prev;
  in->busy = false;
  in->root->depth--;
  if (!ok && err->kind == UTIL_ERR_TRAP) in->trapped = true;
  return ok;
}

bool comp_call(comp_func *f, const comp_val *args, comp_val *result, util_arena *arena, util_error *err) {
  util_error_clear(err);
  return call(f, args, result, arena, err);
}

/* Whether a is b or one of the instances that (transitively) instantiated b. */
static bool inst_is_ancestor(const comp_inst *a, const comp_inst *b) {
  for (; b; b = b->up)
    if (a == b) return true;
  return false;
}

/* A lowered function: core code calls a component function. */
typedef struct lowered {
  comp_func *callee;
  comp_inst *inst;               /* the caller's instance */
  const comp_ctype *ft;          /* the function type as the caller sees it */
  comp_opts opts;
} lowered;

/* A lowered call (CanonicalABI.md, canon_lower). A synchronous lower passes the result
 * back flat or through the out-pointer last in args; an async lower takes at most 4 flat
 * parameters, stores the result through its out-pointer and returns the subtask's state:
 * the callee always runs to its end here, so the state is RETURNED and no subtask handle
 * is made. */
static weld_trap *lowered_call(weld_caller *caller, void *env, const weld_val *args, weld_val *results) {
  (void)caller;
  lowered *lw = env;
  const comp_ctype *ft = lw->ft;
  bool async = lw->opts.async;
  if (lw->inst->no_leave) return weld_trap_new("cannot leave component instance (a call out of post-return)");
  /* a synchronous task may not block before it returns: a synchronous call of an
   * async-typed function might */
  if (!async && ft->async && !task_may_block(lw->inst->task))
    return weld_trap_new("canonical ABI: cannot block a synchronous task before returning (a synchronous call of an async function)");
  /* the Canonical ABI's call_might_be_recursive: no calls between an instance and its
   * ancestors or descendants, either way */
  comp_inst *callee = lw->callee->host ? NULL : lw->callee->inst;
  if (callee && (inst_is_ancestor(lw->inst, callee) || inst_is_ancestor(callee, lw->inst)))
    return weld_trap_new("cannot enter component instance: a call between an instance and its own ancestor or descendant");
  util_arena arena;
  util_arena_init(&arena);
  util_error err;
  util_error_clear(&err);
  comp_scope sc = {0};
  abi_cx cx = {lw->inst, &lw->opts, &arena, &err, &sc, 0};
  uint32_t np = params_flat(ft);
  comp_val *vals = util_arena_try_alloc(&arena, (ft->n + 1) * sizeof *vals);
  comp_val result;
  memset(&result, 0, sizeof result);
  bool ok = vals != NULL;
  if (!ok) oom(&err);
  uint32_t k = 0;
  if (ok && np <= (async ? (uint32_t)ABI_MAX_FLAT_ASYNC_PARAMS : (uint32_t)ABI_MAX_FLAT_PARAMS)) {
    for (uint32_t i = 0; ok && i < ft->n; i++) ok = abi_lift_flat(&cx, ft->elems[i], args, &k, &vals[i]);
  } else if (ok) {
    uint64_t size;
    uint32_t align, ptr = (uint32_t)args[0].of.i32;
    abi_seq_layout(ft->elems, ft->n, &size, &align);
    ok = abi_check_ptr(&cx, ptr, align, size, "parameters") && abi_load_seq(&cx, ft->elems, ft->n, ptr, vals);
    k = 1;
  }
  if (ok) ok = call(lw->callee, vals, &result, &arena, &err);
  scope_release(&sc);
  cx.scope = NULL;
  if (ok && ft->a) {
    if (!async && abi_flat_count(ft->a) <= ABI_MAX_FLAT_RESULTS) {
      uint32_t j = 0;
      ok = abi_lower_flat(&cx, ft->a, &result, results, &j);
    } else {
      uint32_t ptr = (uint32_t)args[k].of.i32;
      ok = abi_check_ptr(&cx, ptr, ft->a->align, ft->a->size, "result") && abi_store(&cx, ft->a, &result, ptr);
    }
  }
  if (ok && async) results[0] = WELD_I32_VAL(SUBTASK_RETURNED);
  weld_trap *t = ok ? NULL : weld_trap_new(err.msg);
  util_arena_free(&arena);
  return t;
}

/* The resource built-ins. */
typedef struct builtin {
  comp_inst *inst;
  comp_resource *rt;
  uint8_t code;                  /* 2 new, 3 drop, 4 rep */
} builtin;

static weld_trap *builtin_call(weld_caller *caller, void *env, const weld_val *args, weld_val *results) {
  (void)caller;
  builtin *b = env;
  /* post-return may read a representation, not make or drop handles */
  if (b->inst->no_leave && b->code != 4)
    return weld_trap_new("cannot leave component instance (a resource built-in in post-return)");
  util_error err;
  util_error_clear(&err);
  comp_opts none = {0};
  abi_cx cx = {b->inst, &none, NULL, &err, NULL, 0};
  uint32_t x = (uint32_t)args[0].of.i32;
  if (b->code == 2) {
    uint32_t idx;
    if (!rt_handle_add(&cx, b->inst, (comp_handle){.rt = b->rt, .rep = x, .own = true}, &idx)) return weld_trap_new(err.msg);
    results[0] = WELD_I32_VAL((int32_t)idx);
    return NULL;
  }
  comp_handle *h = rt_handle_get(&cx, b->inst, x);
  if (!h) return weld_trap_new(err.msg);
  if (h->rt != b->rt) {
    char msg[200];
    snprintf(msg, sizeof msg, "canonical ABI: handle index %u used with the wrong type, expected guest-defined resource "
             "but found a different guest-defined resource", x);
    return weld_trap_new(msg);
  }
  if (b->code == 4) {
    results[0] = WELD_I32_VAL((int32_t)h->rep);
    return NULL;
  }
  comp_handle copy = *h;
  if (copy.own && copy.lend_count)
    return weld_trap_new("canonical ABI: cannot remove owned resource while borrowed");
  rt_handle_remove(b->inst, x);
  if (!copy.own) {
    if (copy.scope && copy.scope->num_borrows) copy.scope->num_borrows--;
    return NULL;
  }
  if (copy.rt->dtor) {
    comp_inst *impl = copy.rt->impl;
    if (impl && impl != b->inst && impl->busy)
      return weld_trap_new("cannot enter component instance: it is already running (reentrance)");
    weld_val a[1] = {WELD_I32_VAL((int32_t)copy.rep)};
    return weld_func_call(copy.rt->dtor, a, 1, NULL, 0);
  }
  if (copy.rt->host_drop) copy.rt->host_drop(copy.rt->host_env, copy.rep);
  return NULL;
}

/* ---------- definitions ------------------------------------------------------------------------ */

static bool instantiate_into(comp_inst *in, item **args, const wasm_name *argnames, uint32_t nargs, util_error *err);

static bool unsupported(util_error *err, uint32_t off, const char *what) {
  return util_fail(err, UTIL_ERR_LIMIT, off, "not supported: %s", what);
}

/* The async ABI's built-ins. A synchronous task (the only kind weld runs) can use
 * context.get/set, backpressure.inc/dec and thread.yield (which, with no other thread to
 * run, returns "not cancelled" at once, as the Canonical ABI does for a task that may not
 * block); like every call out of an instance, the others trap in post-return ("cannot
 * leave component instance"), and otherwise say that weld does not run them. */
typedef struct task_builtin {
  comp_inst *inst;
  uint8_t code;
  uint32_t idx;                  /* context.get/set: the storage slot */
  const char *name;
  weld_memory *mem;              /* waitable-set.wait/poll: where the event goes */
  bool flag;                     /* async / cancellable */
} task_builtin;

/* Waitable sets live in the instance's handle table, beside resource handles, with this
 * identity in place of a resource type (a resource built-in given one traps "wrong
 * type"). No waitable (subtask, stream or future end) is ever made here (an async
 * lower's callee always returns before it), so a set stays empty: poll finds no event,
 * join has nothing to join, and a wait would need the event loop. */
comp_resource rt_waitable_set;

static weld_trap *waitable_set_get(comp_inst *in, uint32_t idx, const char *what) {
  char msg[160];
  if (idx == 0 || idx >= in->nhandles || !in->handles[idx].rt) {
    snprintf(msg, sizeof msg, "canonical ABI: unknown handle index %u (%s)", idx, what);
    return weld_trap_new(msg);
  }
  if (in->handles[idx].rt != &rt_waitable_set) {
    snprintf(msg, sizeof msg, "canonical ABI: handle index %u is not a waitable set (%s)", idx, what);
    return weld_trap_new(msg);
  }
  return NULL;
}

static weld_trap *waitable_set_builtin(task_builtin *b, const weld_val *args, weld_val *results) {
  comp_inst *in = b->inst;
  util_error err;
  util_error_clear(&err);
  comp_opts o = {.mem = b->mem};
  abi_cx cx = {in, &o, NULL, &err, NULL, 0};
  uint32_t x = (uint32_t)args[0].of.i32;
  weld_trap *t;
  switch (b->code) {
  case 0x1f: {
    uint32_t idx;
    if (!rt_handle_add(&cx, in, (comp_handle){.rt = &rt_waitable_set}, &idx)) return weld_trap_new(err.msg);
    results[0] = WELD_I32_VAL((int32_t)idx);
    return NULL;
  }
  case 0x20:
    if (!task_may_block(in->task)) return weld_trap_new("canonical ABI: cannot block a synchronous task before returning (waitable-set.wait)");
    if ((t = waitable_set_get(in, x, "waitable-set.wait"))) return t;
    return weld_trap_new("not supported: the component model's async ABI at run time (waitable-set.wait: waiting needs the event loop)");
  case 0x21: {
    /* no event: NONE, with 0 and 0 stored at the pointer */
    if ((t = waitable_set_get(in, x, "waitable-set.poll"))) return t;
    uint32_t ptr = (uint32_t)args[1].of.i32;
    comp_val zero = {.u.u = 0};
    const comp_ctype *u32 = ct_prim(COMP_T_U32);
    if (!abi_check_ptr(&cx, ptr, 4, 8, "event") || !abi_store(&cx, u32, &zero, ptr) || !abi_store(&cx, u32, &zero, ptr + 4))
      return weld_trap_new(err.msg);
    results[0] = WELD_I32_VAL(0);
    return NULL;
  }
  case 0x22:
    if ((t = waitable_set_get(in, x, "waitable-set.drop"))) return t;
    rt_handle_remove(in, x);
    return NULL;
  default: {
    /* waitable.join: the first index must be a waitable, which none of the table's
     * entries (resource handles, waitable sets) is */
    char msg[160];
    if (x == 0 || x >= in->nhandles || !in->handles[x].rt)
      snprintf(msg, sizeof msg, "canonical ABI: unknown handle index %u (waitable.join)", x);
    else
      snprintf(msg, sizeof msg, "canonical ABI: handle index %u is not a waitable (waitable.join)", x);
    return weld_trap_new(msg);
  }
  }
}

static weld_trap *task_builtin_call(weld_caller *caller, void *env, const weld_val *args, weld_val *results) {
  (void)caller;
  task_builtin *b = env;
  comp_inst *in = b->inst;
  switch (b->code) {
  case 0x0a: results[0] = WELD_I32_VAL((int32_t)in->context[b->idx]); return NULL;
  case 0x0b: in->context[b->idx] = (uint32_t)args[0].of.i32; return NULL;
  case 0x24:
    if (in->backpressure == 0xffff) return weld_trap_new("canonical ABI: backpressure counter overflow");
    in->backpressure++;
    return NULL;
  case 0x25:
    if (in->backpressure == 0) return weld_trap_new("canonical ABI: backpressure counter underflow");
    in->backpressure--;
    return NULL;
  default: break;
  }
  if (in->no_leave) {
    char msg[160];
    snprintf(msg, sizeof msg, "cannot leave component instance (%s in post-return)", b->name);
    return weld_trap_new(msg);
  }
  if (b->code == 0x0c) {
    results[0] = WELD_I32_VAL(0);
    return NULL;
  }
  if (b->code >= 0x1f && b->code <= 0x23) return waitable_set_builtin(b, args, results);
  if (b->code == 0x06 || b->code == 0x0d) {
    /* subtask.cancel, subtask.drop: an async lower here never makes a subtask handle (its
     * callee has returned), so the index is never a subtask's */
    if (b->code == 0x06 && !b->flag && !task_may_block(in->task))
      return weld_trap_new("canonical ABI: cannot block a synchronous task before returning (subtask.cancel)");
    uint32_t x = (uint32_t)args[0].of.i32;
    char msg[160];
    if (x == 0 || x >= in->nhandles || !in->handles[x].rt)
      snprintf(msg, sizeof msg, "canonical ABI: unknown handle index %u (%s)", x, b->name);
    else
      snprintf(msg, sizeof msg, "canonical ABI: handle index %u is not a subtask (%s)", x, b->name);
    return weld_trap_new(msg);
  }
  if (b->code == 0x05) {
    /* Task.cancel: only after a cancellation request was delivered to the task, which
     * never happens in weld (every subtask runs to its end inside the call) */
    if (!in->task || !in->task->opts->async) return weld_trap_new("canonical ABI: task.cancel from a synchronously lifted function");
    return weld_trap_new("canonical ABI: task.cancel from a task whose cancellation was not requested");
  }
  char msg[200];
  snprintf(msg, sizeof msg, "not supported: the component model's async ABI at run time (%s)", b->name);
  return weld_trap_new(msg);
}

/* A task built-in's name and core signature ('i' i32, 'I' i64), or NULL for one weld
 * does not define (error-context, threads, task.return with a result). */
static const char *task_builtin_sig(const comp_canon *c, const char **params, const char **results) {
  static const struct {
    uint8_t code;
    char name[28], p[4], r[2]; /* arrays, not pointers: the table needs no relocations at start-up */
  } t[] = {
      {0x05, "task.cancel", "", ""},           {0x06, "subtask.cancel", "i", "i"},
      {0x09, "task.return", "", ""},           {0x0a, "context.get", "", "i"},
      {0x0b, "context.set", "i", ""},          {0x0c, "thread.yield", "", "i"},
      {0x0d, "subtask.drop", "i", ""},         {0x0e, "stream.new", "", "I"},
      {0x0f, "stream.read", "iii", "i"},       {0x10, "stream.write", "iii", "i"},
      {0x11, "stream.cancel-read", "i", "i"},  {0x12, "stream.cancel-write", "i", "i"},
      {0x13, "stream.drop-readable", "i", ""}, {0x14, "stream.drop-writable", "i", ""},
      {0x15, "future.new", "", "I"},           {0x16, "future.read", "ii", "i"},
      {0x17, "future.write", "ii", "i"},       {0x18, "future.cancel-read", "i", "i"},
      {0x19, "future.cancel-write", "i", "i"}, {0x1a, "future.drop-readable", "i", ""},
      {0x1b, "future.drop-writable", "i", ""}, {0x1f, "waitable-set.new", "", "i"},
      {0x20, "waitable-set.wait", "ii", "i"},  {0x21, "waitable-set.poll", "ii", "i"},
      {0x22, "waitable-set.drop", "i", ""},    {0x23, "waitable.join", "ii", ""},
      {0x24, "backpressure.inc", "", ""},      {0x25, "backpressure.dec", "", ""},
      {0x26, "thread.index", "", "i"},        {0x27, "thread.new-indirect", "ii", "i"},
      {0x28, "thread.resume-later", "i", ""},  {0x29, "thread.suspend", "", "i"},
      {0x2a, "thread.suspend-then-resume", "i", "i"}, {0x2b, "thread.yield-then-resume", "i", "i"},
      {0x2c, "thread.suspend-then-promote", "i", "i"}, {0x2d, "thread.yield-then-promote", "i", "i"},
  };
  if ((c->code == 0x0a || c->code == 0x0b) && c->a >= 2) return NULL;
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (t[i].code == c->code) {
      *params = t[i].p;
      *results = t[i].r;
      return t[i].name;
    }
  return NULL;
}

static bool def_task_builtin(comp_inst *in, const comp_canon *c, util_error *err) {
  root *r = in->root;
  const char *ps, *rs, *name = task_builtin_sig(c, &ps, &rs);
  if (!name) return unsupported(err, c->offset, "the async, error-context and thread built-ins at run time");
  task_builtin *b = alloc(r, sizeof *b, err);
  if (!b) return false;
  *b = (task_builtin){in, c->code, c->a, name, NULL, c->flag};
  if (c->code == 0x20 || c->code == 0x21) {
    item *m = get_item(in, COMP_SORT_CORE_MEMORY, c->a);
    if (!m || m->core.kind != WELD_EXTERN_MEMORY) return util_fail(err, UTIL_ERR_INVALID, c->offset, "unknown memory %u", c->a);
    b->mem = m->core.of.memory;
  }
  weld_valkind p[3], res[1];
  size_t np = strlen(ps), nr = strlen(rs);
  for (size_t i = 0; i < np; i++) p[i] = ps[i] == 'I' ? WELD_I64 : WELD_I32;
  for (size_t i = 0; i < nr; i++) res[i] = rs[i] == 'I' ? WELD_I64 : WELD_I32;
  item *it = new_item(r, COMP_SORT_CORE_FUNC, err);
  if (!it) return false;
  it->core.kind = WELD_EXTERN_FUNC;
  it->core.of.func = weld_func_new(r->store, p, np, res, nr, task_builtin_call, b, NULL);
  if (!it->core.of.func) return oom(err);
  return push_item(in, COMP_SORT_CORE_FUNC, it, err);
}

static weld_module *compile(comp_inst *in, const wasm_module *m, uint32_t off, util_error *err) {
  root *r = in->root;
  for (size_t i = 0; i < r->nmods; i++)
    if (r->mods[i].m == m) return r->mods[i].wm;
  weld_error *we = NULL;
  weld_module *wm = weld_module_new(r->engine, m->bytes, m->size, &we);
  if (!wm) {
    util_fail(err, UTIL_ERR_INVALID, off, "core module: %s", weld_error_message(we));
    weld_error_free(we);
    return NULL;
  }
  if (!UTIL_VEC_TRY_PUSH(r->mods, r->nmods, r->capmods, ((__typeof__(*r->mods)){m, wm}))) {
    weld_module_free(wm);
    oom(err);
    return NULL;
  }
  return wm;
}

static bool core_export(core_inst *ci, const char *name, size_t len, weld_extern *out) {
  if (ci->wi) {
    *out = weld_instance_export_n(ci->wi, name, len);
    return out->kind != WELD_EXTERN_NONE;
  }
  for (uint32_t i = 0; i < ci->nex; i++)
    if (is_name(&ci->ex[i], name, len)) {
      *out = ci->ex[i].it->core;
      return true;
    }
  return false;
}

static bool def_core_instance(comp_inst *in, const comp_instance *ci_def, util_error *err) {
  root *r = in->root;
  item *it = new_item(r, COMP_SORT_CORE_INSTANCE, err);
  core_inst *ci = it ? alloc(r, sizeof *ci, err) : NULL;
  if (!ci) return false;
  it->ci = ci;
  uint32_t off = ci_def->offset;
  if (ci_def->code == 1) {
    ci->nex = ci_def->nargs;
    ci->ex = alloc(r, (ci->nex + 1) * sizeof *ci->ex, err);
    if (!ci->ex) return false;
    for (uint32_t i = 0; i < ci->nex; i++) {
      const comp_arg *a = &ci_def->args[i];
      item *src = get_item(in, a->s.sort, a->s.idx);
      if (!src) return util_fail(err, UTIL_ERR_INVALID, off, "unknown %s %u", comp_sort_name(a->s.sort), a->s.idx);
      ci->ex[i] = (named){a->name.name.str, a->name.name.len, src};
    }
    return push_item(in, COMP_SORT_CORE_INSTANCE, it, err);
  }
  item *mi = get_item(in, COMP_SORT_CORE_MODULE, ci_def->idx);
  if (!mi || !mi->module) return util_fail(err, UTIL_ERR_INVALID, off, "unknown module %u", ci_def->idx);
  weld_module *wm = mi->module;
  size_t ni = weld_module_import_count(wm);
  weld_import *imps = util_try_calloc(ni + 1, sizeof *imps);
  if (!imps) return oom(err);
  bool ok = true;
  for (size_t i = 0; ok && i < ni; i++) {
    const char *mod, *name;
    weld_externkind kind;
    weld_module_import(wm, i, &mod, &name, &kind);
    imps[i].module = mod;
    imps[i].name = name;
    const comp_arg *arg = NULL;
    for (uint32_t j = 0; j < ci_def->nargs && !arg; j++)
      if (ci_def->args[j].name.name.len == strlen(mod) && memcmp(ci_def->args[j].name.name.str, mod, strlen(mod)) == 0)
        arg = &ci_def->args[j];
    item *ai = arg ? get_item(in, COMP_SORT_CORE_INSTANCE, arg->s.idx) : NULL;
    if (!ai || !core_export(ai->ci, name, strlen(name), &imps[i].item))
      ok = util_fail(err, UTIL_ERR_LINK, off, "core instance: no argument supplies import `%s` `%s`", mod, name);
  }
  if (ok) {
    weld_trap *trap = NULL;
    weld_error *we = NULL;
    ci->wi = weld_instance_new(r->store, wm, imps, ni, &trap, &we);
    if (!ci->wi) {
      if (trap) {
        util_fail(err, UTIL_ERR_TRAP, off, "%s", weld_trap_message(trap));
        weld_trap_free(trap);
      } else {
        util_fail(err, UTIL_ERR_LINK, off, "core instance: %s", we ? weld_error_message(we) : "instantiation failed");
      }
      weld_error_free(we);
      ok = false;
    }
  }
  free(imps);
  return ok && push_item(in, COMP_SORT_CORE_INSTANCE, it, err);
}

static bool def_instance(comp_inst *in, const comp_instance *d, util_error *err) {
  root *r = in->root;
  item *it = new_item(r, COMP_SORT_INSTANCE, err);
  if (!it) return false;
  uint32_t off = d->offset;
  item **args = util_try_calloc(d->nargs + 1, sizeof *args);
  wasm_name *names = util_try_calloc(d->nargs + 1, sizeof *names);
  bool ok = args && names;
  if (!ok) oom(err);
  for (uint32_t i = 0; ok && i < d->nargs; i++) {
    args[i] = get_item(in, d->args[i].s.sort, d->args[i].s.idx);
    names[i] = d->args[i].name.name;
    if (!args[i]) ok = util_fail(err, UTIL_ERR_INVALID, off, "unknown %s %u", comp_sort_name(d->args[i].s.sort), d->args[i].s.idx);
  }
  if (ok && d->code == 1) {
    comp_inst *bag = new_inst(r, NULL, NULL, err);
    ok = bag != NULL;
    for (uint32_t i = 0; ok && i < d->nargs; i++) ok = add_export(bag, &names[i], args[i], err);
    it->instance = bag;
  } else if (ok) {
    item *ci = get_item(in, COMP_SORT_COMPONENT, d->idx);
    if (!ci) ok = util_fail(err, UTIL_ERR_INVALID, off, "unknown component %u", d->idx);
    comp_inst *child = ok ? new_inst(r, ci->env, ci->component, err) : NULL;
    ok = child != NULL;
    if (ok) child->up = in;
    if (ok && ++r->depth > 100) ok = unsupported(err, off, "component instances nested deeper than 100 levels");
    if (ok) ok = instantiate_into(child, args, names, d->nargs, err);
    r->depth--;
    it->instance = child;
  }
  free(args);
  free(names);
  return ok && push_item(in, COMP_SORT_INSTANCE, it, err);
}

static bool def_alias(comp_inst *in, const comp_alias *a, uint32_t off, util_error *err) {
  root *r = in->root;
  if (a->target == 2) {
    comp_inst *o = in;
    for (uint32_t i = 0; i < a->a && o; i++) o = o->parent;
    item *src = o ? get_item(o, a->sort, a->b) : NULL;
    if (!src) return util_fail(err, UTIL_ERR_INVALID, off, "outer alias: unknown %s %u", comp_sort_name(a->sort), a->b);
    if (a->sort == COMP_SORT_TYPE && !map_resource(in, vtype(in, COMP_SORT_TYPE, (uint32_t)in->sp[COMP_SORT_TYPE].n), src->rt, err))
      return false;
    return push_item(in, a->sort, src, err);
  }
  if (a->target == 1) {
    item *ci = get_item(in, COMP_SORT_CORE_INSTANCE, a->a);
    item *it = new_item(r, a->sort, err);
    if (!it) return false;
    if (!ci || !core_export(ci->ci, a->name.str, a->name.len, &it->core))
      return util_fail(err, UTIL_ERR_LINK, off, "core instance %u has no export named `%s`", a->a, a->name.str);
    return push_item(in, a->sort, it, err);
  }
  item *ii = get_item(in, COMP_SORT_INSTANCE, a->a);
  item *src = ii ? export_of(ii->instance, a->name.str, a->name.len) : NULL;
  if (!src) return util_fail(err, UTIL_ERR_LINK, off, "instance %u has no export named `%s`", a->a, a->name.str);
  if (a->sort == COMP_SORT_TYPE && !map_resource(in, vtype(in, COMP_SORT_TYPE, (uint32_t)in->sp[COMP_SORT_TYPE].n), src->rt, err))
    return false;
  return push_item(in, a->sort, src, err);
}

static bool opts_of(comp_inst *in, const comp_canon *c, comp_opts *o, util_error *err) {
  memset(o, 0, sizeof *o);
  for (uint32_t i = 0; i < c->nopts; i++) {
    const comp_canonopt *op = &c->opts[i];
    item *it = NULL;
    switch (op->code) {
    case 0: case 1: case 2: o->enc = op->code; break;
    case 3:
      it = get_item(in, COMP_SORT_CORE_MEMORY, op->idx);
      if (!it || it->core.kind != WELD_EXTERN_MEMORY) return util_fail(err, UTIL_ERR_INVALID, op->offset, "unknown memory %u", op->idx);
      o->mem = it->core.of.memory;
      break;
    case 4:
    case 5:
      it = get_item(in, COMP_SORT_CORE_FUNC, op->idx);
      if (!it || it->core.kind != WELD_EXTERN_FUNC) return util_fail(err, UTIL_ERR_INVALID, op->offset, "unknown core func %u", op->idx);
      if (op->code == 4) o->realloc = it->core.of.func;
      else o->post_return = it->core.of.func;
      break;
    case 6: o->async = true; break;
    case 7:
      it = get_item(in, COMP_SORT_CORE_FUNC, op->idx);
      if (!it || it->core.kind != WELD_EXTERN_FUNC) return util_fail(err, UTIL_ERR_INVALID, op->offset, "unknown core func %u", op->idx);
      o->callback = it->core.of.func;
      break;
    default: return unsupported(err, op->offset, "the core-type and gc canonical options at run time");
    }
  }
  return true;
}

/* canon task.return (CanonicalABI.md, canon_task_return): lifts the flat arguments (at
 * most 16, else a pointer to them in memory) as the running task's result. */
typedef struct task_return {
  comp_inst *inst;
  const comp_ctype *t;           /* the result type (NULL: none) */
  comp_opts opts;
} task_return;

static bool same_type(const comp_ctype *a, const comp_ctype *b) {
  if (a == b) return true;
  if (!a || !b) return false;
  char why[8];
  return ct_match(a, b, NULL, why, sizeof why) && ct_match(b, a, NULL, why, sizeof why);
}

static weld_trap *task_return_call(weld_caller *caller, void *env, const weld_val *args, weld_val *results) {
  (void)caller;
  (void)results;
  task_return *tr = env;
  comp_inst *in = tr->inst;
  task *tk = in->task;
  if (in->no_leave) return weld_trap_new("cannot leave component instance (task.return in post-return)");
  if (!tk || !tk->opts->async) return weld_trap_new("canonical ABI: task.return from a synchronously lifted function");
  if (tk->resolved) return weld_trap_new("canonical ABI: task.return called after the task returned (a second time)");
  if (!same_type(tr->t, tk->ft->a)) return weld_trap_new("canonical ABI: task.return's result type is not the task's function's");
  /* the lifting options must be the lift's where lifting the result uses them (the
   * component-model tests let a task.return with no memory end a task lifted with one
   * for its parameters) */
  bool uses_mem = tr->t && (tr->t->needs_memory || abi_flat_count(tr->t) > ABI_MAX_FLAT_PARAMS);
  if (uses_mem && (tr->opts.mem != tk->opts->mem || tr->opts.enc != tk->opts->enc))
    return weld_trap_new("canonical ABI: task.return's options (memory, string encoding) are not the lift's");
  if (tk->scope->num_borrows)
    return weld_trap_new("canonical ABI: borrow handle(s) still remain at task.return");
  util_error err;
  util_error_clear(&err);
  abi_cx cx = {in, &tr->opts, tk->arena, &err, tk->scope, 0};
  bool ok = true;
  if (tr->t) {
    if (abi_flat_count(tr->t) <= ABI_MAX_FLAT_PARAMS) {
      uint32_t k = 0;
      ok = abi_lift_flat(&cx, tr->t, args, &k, tk->result);
    } else {
      uint32_t ptr = (uint32_t)args[0].of.i32;
      ok = abi_check_ptr(&cx, ptr, tr->t->align, tr->t->size, "result") && abi_load(&cx, tr->t, ptr, tk->result);
    }
  }
  if (!ok) return weld_trap_new(err.msg);
  tk->resolved = true;
  return NULL;
}

static bool def_task_return(comp_inst *in, const comp_canon *c, util_error *err) {
  root *r = in->root;
  task_return *tr = alloc(r, sizeof *tr, err);
  if (!tr || !opts_of(in, c, &tr->opts, err)) return false;
  tr->inst = in;
  tr->t = !c->has_result ? NULL : comp_vt_is_prim(c->result) ? ct_prim((uint8_t)(c->result & 0xff))
                                                             : vtype(in, COMP_SORT_TYPE, c->result);
  if (c->has_result && !tr->t) return util_fail(err, UTIL_ERR_INVALID, c->offset, "task.return: unknown result type");
  weld_valkind p[ABI_MAX_FLAT_PARAMS];
  uint8_t flat[ABI_MAX_FLAT_PARAMS + 1];
  uint32_t np = tr->t ? ct_flatten(tr->t, flat, ABI_MAX_FLAT_PARAMS + 1) : 0;
  if (np > ABI_MAX_FLAT_PARAMS) {
    np = 1;
    p[0] = WELD_I32;
  } else {
    for (uint32_t i = 0; i < np; i++) p[i] = abi_core_kind(flat[i]);
  }
  item *it = new_item(r, COMP_SORT_CORE_FUNC, err);
  if (!it) return false;
  it->core.kind = WELD_EXTERN_FUNC;
  it->core.of.func = weld_func_new(r->store, p, np, NULL, 0, task_return_call, tr, NULL);
  if (!it->core.of.func) return oom(err);
  return push_item(in, COMP_SORT_CORE_FUNC, it, err);
}

static bool def_canon(comp_inst *in, const comp_canon *c, util_error *err) {
  root *r = in->root;
  uint32_t off = c->offset;
  switch (c->code) {
  case 0x00: {
    const comp_ctype *ft = vtype(in, COMP_SORT_FUNC, (uint32_t)in->sp[COMP_SORT_FUNC].n);
    item *core = get_item(in, COMP_SORT_CORE_FUNC, c->a);
    if (!ft || !core || core->core.kind != WELD_EXTERN_FUNC)
      return util_fail(err, UTIL_ERR_INVALID, off, "canon lift: unknown core func %u", c->a);
    item *it = new_item(r, COMP_SORT_FUNC, err);
    comp_func *f = it ? alloc(r, sizeof *f, err) : NULL;
    if (!f || !opts_of(in, c, &f->opts, err)) return false;
    f->type = ft;
    f->inst = in;
    f->core = core->core.of.func;
    it->func = f;
    return push_item(in, COMP_SORT_FUNC, it, err);
  }
  case 0x01: {
    item *fi = get_item(in, COMP_SORT_FUNC, c->a);
    const comp_ctype *ft = vtype(in, COMP_SORT_FUNC, c->a);
    if (!fi || !ft) return util_fail(err, UTIL_ERR_INVALID, off, "canon lower: unknown func %u", c->a);
    lowered *lw = alloc(r, sizeof *lw, err);
    if (!lw || !opts_of(in, c, &lw->opts, err)) return false;
    lw->callee = fi->func;
    lw->inst = in;
    lw->ft = ft;
    wasm_functype core;
    if (!ct_flatten_func(ft, false, lw->opts.async, false, &r->arena, &core)) return oom(err);
    weld_valkind p[ABI_MAX_FLAT_PARAMS + 2], res[2];
    for (uint32_t i = 0; i < core.nparams; i++) p[i] = abi_core_kind((uint8_t)core.params[i]);
    for (uint32_t i = 0; i < core.nresults; i++) res[i] = abi_core_kind((uint8_t)core.results[i]);
    item *it = new_item(r, COMP_SORT_CORE_FUNC, err);
    if (!it) return false;
    it->core.kind = WELD_EXTERN_FUNC;
    it->core.of.func = weld_func_new(r->store, p, core.nparams, res, core.nresults, lowered_call, lw, NULL);
    if (!it->core.of.func) return oom(err);
    return push_item(in, COMP_SORT_CORE_FUNC, it, err);
  }
  case 0x02:
  case 0x03:
  case 0x04: {
    item *ti = get_item(in, COMP_SORT_TYPE, c->a);
    if (!ti || !ti->rt) return unsupported(err, off, "resource built-ins on a resource with no run-time identity");
    builtin *b = alloc(r, sizeof *b, err);
    if (!b) return false;
    *b = (builtin){in, ti->rt, c->code};
    weld_valkind i32[1] = {WELD_I32};
    item *it = new_item(r, COMP_SORT_CORE_FUNC, err);
    if (!it) return false;
    it->core.kind = WELD_EXTERN_FUNC;
    it->core.of.func = weld_func_new(r->store, i32, 1, i32, c->code == 0x03 ? 0 : 1, builtin_call, b, NULL);
    if (!it->core.of.func) return oom(err);
    return push_item(in, COMP_SORT_CORE_FUNC, it, err);
  }
  case 0x09: return def_task_return(in, c, err);
  default: return def_task_builtin(in, c, err);
  }
}

static bool def_type(comp_inst *in, const comp_type *d, util_error *err) {
  root *r = in->root;
  item *it = new_item(r, COMP_SORT_TYPE, err);
  if (!it) return false;
  it->type = vtype(in, COMP_SORT_TYPE, (uint32_t)in->sp[COMP_SORT_TYPE].n);
  if (d->code == COMP_T_RESOURCE) {
    comp_resource *rt = alloc(r, sizeof *rt, err);
    if (!rt) return false;
    rt->impl = in;
    rt->id = r->next_rid++;
    if (d->has_dtor) {
      item *f = get_item(in, COMP_SORT_CORE_FUNC, d->dtor);
      if (!f || f->core.kind != WELD_EXTERN_FUNC) return util_fail(err, UTIL_ERR_INVALID, d->offset, "unknown destructor %u", d->dtor);
      rt->dtor = f->core.of.func;
    }
    it->rt = rt;
    if (!map_resource(in, it->type, rt, err)) return false;
  }
  return push_item(in, COMP_SORT_TYPE, it, err);
}

/* An import of the outermost component, from the host. */
static bool host_import(comp_inst *in, const comp_import *im, uint32_t off, item **out, util_error *err) {
  root *r = in->root;
  int sort = im->desc.kind == COMP_EXT_FUNC ? COMP_SORT_FUNC : im->desc.kind == COMP_EXT_INSTANCE ? COMP_SORT_INSTANCE
           : im->desc.kind == COMP_EXT_TYPE ? COMP_SORT_TYPE : -1;
  const char *name = im->name.name.str;
  if (sort < 0) return unsupported(err, off, "importing modules, components or values from the host");
  const comp_ctype *t = vtype(in, sort, (uint32_t)in->sp[sort].n);
  item *it = new_item(r, sort, err);
  if (!it || !t) return it ? util_fail(err, UTIL_ERR_INVALID, off, "import `%s` has no type", name) : false;
  if (sort == COMP_SORT_TYPE) {
    it->type = t;
    if (t->kind == CT_RESOURCE) {
      comp_resource *rt = alloc(r, sizeof *rt, err);
      if (!rt) return false;
      rt->id = r->next_rid++;
      it->rt = rt;
    }
    *out = it;
    return true;
  }
  if (sort == COMP_SORT_FUNC) {
    const host_entry *h = host_find(r->host, NULL, name);
    if (!h) return util_fail(err, UTIL_ERR_LINK, off, "unsatisfied import `%s`: the host provides no such function", name);
    comp_func *f = alloc(r, sizeof *f, err);
    if (!f) return false;
    *f = (comp_func){.type = t, .host = h->fn, .env = h->env};
    it->func = f;
    *out = it;
    return true;
  }
  /* An instance that exports only types needs nothing at run time (an interface whose
   * types another one uses): one the host does not know is an instance of those types.
   * A resource among them gets a run-time type of its own (or the one it already has
   * through another import), which no host function makes handles of. */
  bool types_only = true;
  for (uint32_t i = 0; i < t->nexports && types_only; i++) types_only = t->exports[i].kind == COMP_EXT_TYPE;
  if (!types_only && !host_has_instance(r->host, name)) {
    if (strncmp(name, "wasi:", 5) == 0)
      return util_fail(err, UTIL_ERR_LIMIT, off, "not supported: the WASI 0.2 interface `%s`", name);
    return util_fail(err, UTIL_ERR_LINK, off, "unsatisfied import `%s`: the host provides no such instance", name);
  }
  comp_inst *bag = new_inst(r, NULL, NULL, err);
  if (!bag) return false;
  for (uint32_t i = 0; i < t->nexports; i++) {
    const ct_extern *e = &t->exports[i];
    item *x = new_item(r, COMP_SORT_FUNC, err);
    if (!x) return false;
    if (e->kind == COMP_EXT_TYPE) {
      x->sort = COMP_SORT_TYPE;
      x->type = e->type;
      if (e->type->kind == CT_RESOURCE) {
        /* one resource imported through several interfaces is one run-time type */
        comp_resource *rt = rt_resource_of(in, e->type);
        if (!rt) rt = host_find_resource(r->host, name, e->name.str);
        if (!rt) {
          rt = alloc(r, sizeof *rt, err);
          if (!rt) return false;
          rt->id = r->next_rid++;
        }
        x->rt = rt;
        if (!map_resource(in, e->type, rt, err)) return false;
      }
    } else if (e->kind == COMP_EXT_FUNC) {
      const host_entry *h = host_find(r->host, name, e->name.str);
      if (!h && strncmp(name, "wasi:", 5) == 0)
        return util_fail(err, UTIL_ERR_LIMIT, off, "not supported: %s#%s (a WASI 0.2 function weld does not implement)", name, e->name.str);
      if (!h) return util_fail(err, UTIL_ERR_LINK, off, "unsatisfied import `%s`: the host provides no function `%s`", name, e->name.str);
      comp_func *f = alloc(r, sizeof *f, err);
      if (!f) return false;
      *f = (comp_func){.type = e->type, .host = h->fn, .env = h->env};
      x->func = f;
    } else {
      return unsupported(err, off, "host instances exporting other than functions and types");
    }
    if (!add_export(bag, &e->name, x, err)) return false;
  }
  it->instance = bag;
  *out = it;
  return true;
}

static bool def_import(comp_inst *in, const comp_import *im, uint32_t off, item **args, const wasm_name *argnames,
                       uint32_t nargs, util_error *err) {
  item *it = NULL;
  if (args) {
    for (uint32_t i = 0; i < nargs && !it; i++)
      if (argnames[i].len == im->name.name.len && memcmp(argnames[i].str, im->name.name.str, argnames[i].len) == 0) it = args[i];
    if (!it) return util_fail(err, UTIL_ERR_LINK, off, "missing import named `%s`", im->name.name.str);
  } else if (!host_import(in, im, off, &it, err)) {
    return false;
  }
  int sort = it->sort;
  if (sort == COMP_SORT_TYPE && !map_resource(in, vtype(in, COMP_SORT_TYPE, (uint32_t)in->sp[COMP_SORT_TYPE].n), it->rt, err))
    return false;
  return push_item(in, sort, it, err);
}

static bool def_export(comp_inst *in, const comp_export *e, util_error *err) {
  item *it = get_item(in, e->s.sort, e->s.idx);
  if (!it) return util_fail(err, UTIL_ERR_INVALID, -1, "unknown %s %u", comp_sort_name(e->s.sort), e->s.idx);
  if (e->s.sort == COMP_SORT_TYPE && !map_resource(in, vtype(in, COMP_SORT_TYPE, (uint32_t)in->sp[COMP_SORT_TYPE].n), it->rt, err))
    return false;
  return add_export(in, &e->name.name, it, err) && push_item(in, e->s.sort, it, err);
}

static bool instantiate_into(comp_inst *in, item **args, const wasm_name *argnames, uint32_t nargs, util_error *err) {
  const comp_component *c = in->c;
  root *r = in->root;
  for (uint32_t i = 0; i < c->ndefs; i++) {
    const comp_def *d = &c->defs[i];
    bool ok = true;
    item *it;
    switch (d->sec) {
    case COMP_SEC_CORE_MODULE:
      ok = (it = new_item(r, COMP_SORT_CORE_MODULE, err)) && (it->module = compile(in, d->u.module, d->offset, err)) &&
           push_item(in, COMP_SORT_CORE_MODULE, it, err);
      break;
    case COMP_SEC_COMPONENT:
      ok = (it = new_item(r, COMP_SORT_COMPONENT, err)) != NULL;
      if (ok) {
        it->component = d->u.component;
        it->env = in;
        ok = push_item(in, COMP_SORT_COMPONENT, it, err);
      }
      break;
    case COMP_SEC_CORE_INSTANCE: ok = def_core_instance(in, d->u.instance, err); break;
    case COMP_SEC_INSTANCE: ok = def_instance(in, d->u.instance, err); break;
    case COMP_SEC_CORE_TYPE: ok = (it = new_item(r, COMP_SORT_CORE_TYPE, err)) && push_item(in, COMP_SORT_CORE_TYPE, it, err); break;
    case COMP_SEC_TYPE: ok = def_type(in, d->u.type, err); break;
    case COMP_SEC_ALIAS: ok = def_alias(in, d->u.alias, d->offset, err); break;
    case COMP_SEC_CANON: ok = def_canon(in, d->u.canon, err); break;
    case COMP_SEC_START: ok = unsupported(err, d->offset, "start definitions"); break;
    case COMP_SEC_IMPORT: ok = def_import(in, d->u.import, d->offset, args, argnames, nargs, err); break;
    case COMP_SEC_EXPORT: ok = def_export(in, d->u.export_, err); break;
    default: break;
    }
    if (!ok) {
      if (err->offset < 0) err->offset = d->offset;
      return false;
    }
  }
  return true;
}

/* ---------- the outermost instance -------------------------------------------------------- */

static void root_free(root *r) {
  for (size_t i = 0; i < r->ninsts; i++) inst_free(r->insts[i]);
  free(r->insts);
  weld_store_free(r->store);
  for (size_t i = 0; i < r->nmods; i++) weld_module_free(r->mods[i].wm);
  free(r->mods);
  weld_engine_free(r->engine);
  util_arena_free(&r->arena);
  free(r);
}

comp_inst *comp_instantiate(const comp_component *c, const comp_info *info, comp_host *host, util_error *err) {
  util_error_clear(err);
  if (!info || info->nscopes == 0) {
    util_fail(err, UTIL_ERR_USAGE, -1, "the component was not validated");
    return NULL;
  }
  root *r = util_try_calloc(1, sizeof *r);
  if (!r) {
    oom(err);
    return NULL;
  }
  util_arena_init(&r->arena);
  r->info = info;
  r->host = host;
  r->next_rid = 1;
  weld_config cfg;
  weld_config_default(&cfg);
  r->engine = weld_engine_new(&cfg);
  r->store = r->engine ? weld_store_new(r->engine) : NULL;
  if (r->store && host && host->on_store && !host->on_store(host->store_env, r->store, err)) {
    root_free(r);
    return NULL;
  }
  comp_inst *top = r->store ? new_inst(r, NULL, c, err) : NULL;
  if (!top) {
    if (err->kind == UTIL_ERR_NONE) oom(err);
    root_free(r);
    return NULL;
  }
  if (!instantiate_into(top, NULL, NULL, 0, err)) {
    root_free(r);
    return NULL;
  }
  return top;
}

void comp_inst_free(comp_inst *inst) {
  if (inst) root_free(inst->root);
}

static comp_func *func_in(comp_inst *in, const char *name, size_t len) {
  item *it = export_of(in, name, len);
  return it && it->sort == COMP_SORT_FUNC ? it->func : NULL;
}

comp_func *comp_inst_func(comp_inst *inst, const char *name) {
  size_t n = strlen(name);
  comp_func *f = func_in(inst, name, n);
  if (f) return f;
  const char *hash = strrchr(name, '#');
  if (hash) {
    item *ii = export_of(inst, name, (size_t)(hash - name));
    return ii && ii->sort == COMP_SORT_INSTANCE ? func_in(ii->instance, hash + 1, strlen(hash + 1)) : NULL;
  }
  /* a plain name found in exactly one exported instance */
  comp_func *found = NULL;
  for (size_t i = 0; i < inst->nexports; i++) {
    item *ii = inst->exports[i].it;
    if (ii->sort != COMP_SORT_INSTANCE) continue;
    comp_func *g = func_in(ii->instance, name, n);
    if (g && found && g != found) return NULL;
    if (g) found = g;
  }
  return found;
}

bool comp_inst_has_instance(comp_inst *inst, const char *name) {
  item *it = export_of(inst, name, strlen(name));
  return it && it->sort == COMP_SORT_INSTANCE;
}

bool comp_invoke(comp_inst *inst, const char *text, FILE *out, util_error *err) {
  util_arena arena;
  util_arena_init(&arena);
  const char *name;
  comp_val *args;
  bool ok = comp_wave_parse_call(text, &name, &arena, err);
  comp_func *f = ok ? comp_inst_func(inst, name) : NULL;
  if (ok && !f) ok = util_fail(err, UTIL_ERR_LINK, -1, "no exported function `%s` (an instance's: `instance#name`)", name);
  if (ok) ok = comp_wave_parse_args(f->type, text, &arena, &args, err);
  comp_val result;
  if (ok) ok = comp_call(f, args, &result, &arena, err);
  if (ok && f->type->a) {
    comp_wave_print(out, f->type->a, &result);
    fputc('\n', out);
  }
  util_arena_free(&arena);
  return ok;
}

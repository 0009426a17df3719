/* The module driver: compiles every defined function it can into one buffer, adds a
 * thunk for each function that stays interpreted (so compiled callers reach it through
 * the runtime), binds the direct calls, copies the result into sealed code memory and
 * points each compiled function's internal code at a NATIVE instruction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "jit_int.h"

bool jit_available(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  return true;
#else
  return false;
#endif
}

bool jit_tier_parse(const char *s, jit_tier *out) {
  if (!s) return false;
  if (strcmp(s, "interp") == 0) *out = JIT_TIER_INTERP;
  else if (strcmp(s, "baseline") == 0) *out = JIT_TIER_BASELINE;
  else if (strcmp(s, "optimized") == 0) *out = JIT_TIER_OPTIMIZED;
  else if (strcmp(s, "auto") == 0) *out = JIT_TIER_AUTO;
  else return false;
  return true;
}

void jit_func_set_stub(jit_func *f,
                       exec_trap_kind (*enter)(const exec_native *, exec_thread *, exec_instance *, exec_slot *),
                       const exec_unit *code, uint32_t code_len) {
  f->native.enter = enter;
  f->native.code = code;
  f->native.code_len = code_len;
  const uint64_t native = exec_interp_handlers()[EXEC_IOP_NATIVE];
  uint64_t imm = (uint64_t)(uintptr_t)&f->native;
  memcpy(&f->stub[0], &native, 8);
  memcpy(&f->stub[2], &imm, 8);
}

void jit_func_install(jit_func *f, exec_code *c,
                      exec_trap_kind (*enter)(const exec_native *, exec_thread *, exec_instance *, exec_slot *),
                      uint32_t frame_slots) {
  jit_func_set_stub(f, enter, c->code, c->code_len);
  c->code = f->stub;
  c->code_len = sizeof f->stub;
  if (frame_slots > c->frame_slots) c->frame_slots = frame_slots;
}

bool jit_prepare_module(exec_module *em, const jit_options *o, util_error *err) {
  switch (o->tier) {
  case JIT_TIER_INTERP: return true;
  case JIT_TIER_BASELINE: return jit_compile_module(em, o->guard, o->build_threads, err);
  case JIT_TIER_AUTO: return jit_available() ? jit_prepare_lazy(em, o, err) : true;
  case JIT_TIER_OPTIMIZED: /* src/opt prepares these modules (opt_compile_module), above src/jit */
    return util_fail(err, UTIL_ERR_USAGE, -1, "internal: the optimised tier is prepared by src/opt");
  }
  return true;
}

void jit_module_free(void *p) {
  jit_module *jm = p;
  if (!jm) return;
  jit_announce_free(jm);
  if (jm->lazy) jit_lazy_free(jm);
  if (jm->guard && jm->nsites) jit_fault_unregister(&jm->region);
  if (jm->sites) jit_sites_release(jm->sites, jm->sites_map);
  jit_code_unmap(jm->code, jm->code_map);
  if (jm->funcs)
    for (uint32_t k = 0; k < jm->nfuncs; k++) free((char *)jm->funcs[k].fallback);
  free(jm->funcs);
  free(jm);
}


void jit_build_free(jit_build *bd) {
  x64_free(&bd->b);
  if (bd->funcs)
    for (uint32_t k = 0; k < bd->n; k++) free(bd->funcs[k].fallback);
  free(bd->funcs);
  jit_sites_free(&bd->sites);
  memset(bd, 0, sizeof *bd);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Defined functions [k0, k1) compiled one after the other into b (their direct calls into
 * *calls, their guarded accesses into *sites), each one's offsets and fallback reason into
 * funcs[k]. False when out of memory. A function that stays interpreted leaves no code:
 * its offsets are all where its code would have started, so they move with the rest when
 * the code is laid out elsewhere. */
static bool compile_range(const exec_module *em, uint32_t k0, uint32_t k1, x64_buf *b, jit_patches *calls, bool guard,
                          jit_sites *sites, jit_build_func *funcs) {
  for (uint32_t k = k0; k < k1; k++) {
    jit_func_out o = {0};
    const char *why = jit_compile_func(em, k, b, calls, guard, sites, &o, NULL);
    if (b->oom || calls->oom) return false;
    jit_build_func *f = &funcs[k];
    f->frame_slots = o.frame_slots;
    f->end = b->len;
    if (why) {
      f->entry = f->checked = f->epilogue = b->len;
      if (!(f->fallback = strdup(why))) return false;
    } else {
      f->entry = o.entry;
      f->checked = o.checked;
      f->epilogue = o.epilogue;
    }
  }
  return true;
}

/* ---- compiling on several threads ----
 * The functions are cut into runs of consecutive ones (parts) of about the same size of
 * bodies; each thread takes the next part not taken (the largest first) and compiles it
 * into a buffer of its own, with its own lists of direct calls, accesses and
 * relocations. Once every part is done, the calling thread lays the parts out in
 * function order into the module's buffer, moving each part's offsets by where it lands:
 * the code is the same byte for byte as one thread compiling everything in order
 * (jumps and calls within a function are relative, and the direct calls between
 * functions are bound after the layout). The compiler only reads what the threads share
 * (the module, its internal code, the CPU features, the opcode table): what it writes is
 * the buffer, the lists and funcs[k] of the functions of its part. */
typedef struct build_part {
  uint32_t k0, k1;
  uint64_t bytes;            /* of bodies */
  uint32_t w;                /* the thread whose buffer holds it */
  size_t start, end;         /* its code in that buffer */
  size_t call0, call1, site0, site1, rel0, rel1;
} build_part;

typedef struct build_worker {
  x64_buf b;
  jit_patches calls;
  jit_sites sites;
  pthread_t tid;
  struct build_fan *fan;
  uint32_t index;
} build_worker;

typedef struct build_fan {
  const exec_module *em;
  bool guard;
  jit_build_func *funcs;
  build_part *parts;
  uint32_t *order;           /* part indices, largest first */
  uint32_t nparts;
  atomic_uint next;          /* the next entry of order[] to take */
  atomic_bool failed;        /* out of memory: the others stop taking parts */
} build_fan;

static void *build_worker_run(void *arg) {
  build_worker *w = arg;
  build_fan *fan = w->fan;
  for (;;) {
    if (atomic_load_explicit(&fan->failed, memory_order_relaxed)) break;
    uint32_t i = atomic_fetch_add_explicit(&fan->next, 1, memory_order_relaxed);
    if (i >= fan->nparts) break;
    build_part *p = &fan->parts[fan->order[i]];
    p->w = w->index;
    p->start = w->b.len;
    p->call0 = w->calls.n;
    p->site0 = w->sites.n;
    p->rel0 = w->b.nrel;
    if (!compile_range(fan->em, p->k0, p->k1, &w->b, &w->calls, fan->guard, &w->sites, fan->funcs)) {
      atomic_store(&fan->failed, true);
      break;
    }
    p->end = w->b.len;
    p->call1 = w->calls.n;
    p->site1 = w->sites.n;
    p->rel1 = w->b.nrel;
  }
  return NULL;
}

static int part_larger(const void *a, const void *b, void *parts) {
  const build_part *p = parts;
  uint64_t x = p[*(const uint32_t *)a].bytes, y = p[*(const uint32_t *)b].bytes;
  return x > y ? -1 : x < y ? 1 : (*(const uint32_t *)a > *(const uint32_t *)b) - (*(const uint32_t *)a < *(const uint32_t *)b);
}

static bool grow_calls(jit_patches *c, size_t need) {
  if (need <= c->cap) return true;
  jit_call_patch *v = realloc(c->v, need * sizeof *v);
  if (!v) return false;
  c->v = v;
  c->cap = need;
  return true;
}

/* Reserves room in the lists of calls and accesses for `bytes` of bodies (no copy while
 * they grow). */
static bool reserve_lists(jit_patches *calls, jit_sites *sites, uint64_t bytes, bool guard) {
  size_t nc = (size_t)(bytes / 64) + 64, ns = guard ? (size_t)(bytes / 8) + 64 : 0;
  if (!grow_calls(calls, nc)) return false;
  return !ns || jit_sites_reserve(sites, ns);
}

/* Compiles the functions on `threads` threads (the calling one among them) and lays the
 * parts out into bd->b, calls and bd->sites. False when out of memory. */
static bool build_parallel(const exec_module *em, uint32_t threads, uint64_t total, jit_build *bd, jit_patches *calls) {
  const wasm_module *m = em->wasm;
  uint32_t n = bd->n;
  /* parts of about a sixteenth of a thread's share (at least 4 KiB of bodies), so that a
   * thread that drew small functions takes more of them */
  uint64_t want = total / ((uint64_t)threads * 16);
  if (want < 4096) want = 4096;
  build_fan fan = {.em = em, .guard = bd->guard, .funcs = bd->funcs};
  fan.parts = calloc(n, sizeof *fan.parts);
  fan.order = calloc(n, sizeof *fan.order);
  build_worker *ws = calloc(threads, sizeof *ws);
  bool ok = fan.parts && fan.order && ws;
  for (uint32_t k = 0; ok && k < n;) {
    build_part *p = &fan.parts[fan.nparts];
    p->k0 = k;
    while (k < n && (k == p->k0 || p->bytes < want)) p->bytes += m->funcs[m->nfunc_imports + k++].code_len;
    p->k1 = k;
    fan.order[fan.nparts] = fan.nparts;
    fan.nparts++;
  }
  if (ok) qsort_r(fan.order, fan.nparts, sizeof *fan.order, part_larger, fan.parts);
  atomic_init(&fan.next, 0);
  atomic_init(&fan.failed, false);
  uint32_t started = 1;
  if (ok) {
    if (threads > fan.nparts) threads = fan.nparts;
    for (uint32_t i = 0; i < threads; i++) {
      ws[i].fan = &fan;
      ws[i].index = i;
      ws[i].b.keep_relocs = bd->b.keep_relocs;
      ws[i].b.mapped = true;
      ws[i].b.hint = (size_t)(total * JIT_CODE_PER_BODY_BYTE / threads + total);
      /* room for about as many accesses and calls as the bodies have (sqlite: a byte in
       * 14 is an access, one in 100 a call), reserved: pages are touched as written */
      if (!reserve_lists(&ws[i].calls, &ws[i].sites, total / threads, bd->guard)) ok = false;
    }
  }
  if (ok) {
    /* a thread that cannot be started leaves its share to the others */
    for (uint32_t i = 1; i < threads; i++)
      if (pthread_create(&ws[started].tid, NULL, build_worker_run, &ws[started]) == 0) started++;
    build_worker_run(&ws[0]);
    for (uint32_t i = 1; i < started; i++) pthread_join(ws[i].tid, NULL);
    ok = !atomic_load(&fan.failed);
  }
  bd->threads = started;
  /* the layout, in function order */
  size_t code = 0, ncalls = 0, nsites = 0;
  for (uint32_t i = 0; ok && i < fan.nparts; i++) {
    const build_part *p = &fan.parts[i];
    code += p->end - p->start;
    ncalls += p->call1 - p->call0;
    nsites += p->site1 - p->site0;
  }
  ok = ok && x64_grow(&bd->b, code) && grow_calls(calls, ncalls);
  if (ok && nsites && !jit_sites_reserve(&bd->sites, nsites)) ok = false;
  for (uint32_t i = 0; ok && i < fan.nparts; i++) {
    const build_part *p = &fan.parts[i];
    const build_worker *w = &ws[p->w];
    size_t base = bd->b.len;
    if (!x64_append(&bd->b, &w->b, p->start, p->end, p->rel0, p->rel1)) {
      ok = false;
      break;
    }
    for (uint32_t k = p->k0; k < p->k1; k++) {
      jit_build_func *f = &bd->funcs[k];
      f->entry = f->entry - p->start + base;
      f->checked = f->checked - p->start + base;
      f->epilogue = f->epilogue - p->start + base;
      f->end = f->end - p->start + base;
    }
    for (size_t c = p->call0; c < p->call1; c++) {
      jit_call_patch cp = w->calls.v[c];
      cp.at = cp.at - p->start + base;
      calls->v[calls->n++] = cp;
    }
    for (size_t s = p->site0; s < p->site1; s++) {
      jit_site st = w->sites.v[s];
      st.code = (uint32_t)(st.code - p->start + base);
      bd->sites.v[bd->sites.n++] = st;
    }
  }
  for (uint32_t i = 0; ws && i < threads; i++) {
    x64_free(&ws[i].b);
    free(ws[i].calls.v);
    jit_sites_free(&ws[i].sites);
  }
  free(ws);
  free(fan.parts);
  free(fan.order);
  return ok;
}

uint32_t jit_build_threads(uint32_t compile_threads) {
  if (compile_threads == JIT_COMPILE_THREADS_AUTO) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    compile_threads = cpus < 1 ? 1 : cpus > (long)JIT_MAX_COMPILE_THREADS ? JIT_MAX_COMPILE_THREADS : (uint32_t)cpus;
  }
  if (compile_threads > JIT_MAX_COMPILE_THREADS) compile_threads = JIT_MAX_COMPILE_THREADS;
  return compile_threads ? compile_threads : 1;
}

/* Below this many bytes of bodies a module is compiled on the calling thread alone:
 * starting a thread costs about what compiling 2 KB does. */
#define JIT_PARALLEL_MIN_BYTES ((uint64_t)32 * 1024)
/* With the default thread count, each thread has at least this many bytes of bodies:
 * one thread compiles 1 MiB in about 20 ms (50 MB/s), against the parallel path's
 * 3-4 ms more (README.md, Compile throughput). */
#define JIT_AUTO_THREAD_BYTES ((uint64_t)1 << 20)

bool jit_build_module(const exec_module *em, bool guard, bool keep_relocs, uint32_t threads, jit_build *bd,
                      util_error *err) {
  memset(bd, 0, sizeof *bd);
  if (!jit_available()) return util_fail(err, UTIL_ERR_USAGE, -1, "not supported: the baseline tier needs x86-64");
  /* every function's internal code first (its side tables: offsets, stack maps, loops),
   * here on one thread: translations take the module's lock one at a time */
  if (!exec_module_translate_all((exec_module *)em, err)) return false;
  const wasm_module *m = em->wasm;
  uint32_t n = m->nfuncs - m->nfunc_imports;
  bd->n = n;
  bd->funcs = n ? calloc(n, sizeof *bd->funcs) : NULL;
  bd->b.keep_relocs = keep_relocs;
  bd->b.mapped = true;
  bd->threads = 1;
  jit_patches calls = {0};
  /* guard mode needs the fault handler; without it every access is checked */
  if (guard && !jit_fault_install()) guard = false;
  bd->guard = guard;
  bool ok = !n || bd->funcs;
  uint64_t total = 0;
  for (uint32_t k = 0; k < n; k++) total += m->funcs[m->nfunc_imports + k].code_len;
  bool by_default = threads == JIT_COMPILE_THREADS_AUTO;
  threads = jit_build_threads(threads);
  /* by default, a thread per JIT_AUTO_THREAD_BYTES of bodies at most: the parallel path
   * costs some 3-4 ms of CPU more than one thread (each thread's fresh buffers and
   * lists, the layout's copy), which a smaller share does not win back */
  if (by_default && threads > total / JIT_AUTO_THREAD_BYTES)
    threads = total / JIT_AUTO_THREAD_BYTES > 1 ? (uint32_t)(total / JIT_AUTO_THREAD_BYTES) : 1;
  bd->b.hint = (size_t)total * JIT_CODE_PER_BODY_BYTE;
  bd->tramp = jit_emit_trampoline(&bd->b);
  if (ok && threads > 1 && n > 1 && total >= JIT_PARALLEL_MIN_BYTES)
    ok = build_parallel(em, threads, total, bd, &calls);
  else if (ok)
    ok = reserve_lists(&calls, &bd->sites, total, guard) &&
         compile_range(em, 0, n, &bd->b, &calls, guard, &bd->sites, bd->funcs);
  for (uint32_t k = 0; ok && k < n; k++) {
    if (bd->funcs[k].fallback) continue;
    bd->compiled++;
    bd->wasm_bytes += m->funcs[m->nfunc_imports + k].code_len;
  }
  /* thunks: a compiled caller's direct call to an interpreted function */
  for (uint32_t k = 0; ok && k < n; k++) {
    if (!bd->funcs[k].fallback) continue;
    bd->funcs[k].checked = bd->b.len;
    x64_mov_ri(&bd->b, false, X64_RDX, k);
    x64_mov_reloc(&bd->b, X64_RAX, X64_RELOC_ADDR, (uint64_t)(uintptr_t)jit_rt_call_defined,
                  (uint64_t)(uintptr_t)jit_rt_call_defined);
    x64_u8(&bd->b, 0xff), x64_u8(&bd->b, 0xe0); /* jmp rax */
  }
  for (size_t i = 0; ok && i < calls.n; i++) x64_bind(&bd->b, calls.v[i].at, bd->funcs[calls.v[i].callee].checked);
  free(calls.v);
  if (bd->b.oom) ok = false;
  if (!ok) {
    jit_build_free(bd);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory (compiling to machine code)");
  }
  return true;
}

bool jit_install_module(exec_module *em, jit_build *bd, double seconds, util_error *err) {
  const wasm_module *m = em->wasm;
  uint32_t n = bd->n;
  jit_module *jm = calloc(1, sizeof *jm);
  if (!jm) {
    jit_build_free(bd);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  jm->em = em;
  jm->nfuncs = n;
  jm->funcs = n ? calloc(n, sizeof *jm->funcs) : NULL;
  jm->tramp = bd->tramp;
  bool ok = !n || jm->funcs;
  for (uint32_t k = 0; ok && k < n; k++) {
    jm->funcs[k].fallback = bd->funcs[k].fallback;
    bd->funcs[k].fallback = NULL;
  }
  jm->stats.compiled = bd->compiled;
  jm->stats.compile_threads = bd->threads;
  jm->stats.wasm_bytes = bd->wasm_bytes;
  if (ok && bd->compiled) {
    /* a mapped buffer is sealed where the code was written; another is copied */
    size_t len = bd->b.len;
    jm->code = x64_take_mapping(&bd->b, &jm->code_map);
    if (!jm->code && (jm->code = jit_code_map(len, &jm->code_map))) memcpy(jm->code, bd->b.p, len);
    if (!jm->code) {
      ok = false;
    } else {
      jm->code_len = len;
      if (!jit_code_seal(jm->code, jm->code_map)) ok = false;
    }
  }
  jm->guard = bd->guard;
  jm->sites = bd->sites.v;
  jm->nsites = bd->sites.n;
  jm->sites_map = bd->sites.map;
  bd->sites.v = NULL;
  bd->sites.n = bd->sites.cap = bd->sites.map = 0;
  jm->region = (jit_region){jm->code, jm->code_len, jm->sites, jm->nsites, jm, NULL, 0};
  bool unregistered = ok && jm->guard && jm->nsites && !jit_fault_register(&jm->region);
  if (!ok || unregistered) {
    jm->guard = false;
    jm->nsites = 0;
    jit_module_free(jm);
    jit_build_free(bd);
    if (unregistered)
      return util_fail(err, UTIL_ERR_LIMIT, -1, "the fault handler's table of code regions is full");
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory (compiling to machine code)");
  }
  size_t *len = n ? calloc(n, sizeof *len) : NULL;
  for (uint32_t k = 0; k < n; k++) {
    jit_func *f = &jm->funcs[k];
    jit_build_func *g = &bd->funcs[k];
    f->jm = jm;
    f->k = k;
    f->frame_slots = g->frame_slots;
    if (len) len[k] = g->end - g->checked;
    if (!jm->code) continue; /* nothing was compiled: no code mapped */
    f->entry = jm->code + g->entry;
    f->checked = jm->code + g->checked;
    f->epilogue = jm->code + g->epilogue;
    if (f->fallback) continue;
    jit_func_install(f, &em->codes[k], jit_enter, g->frame_slots);
  }
  if (len) jit_perf_map(jm, 0, n, len);
  free(len);
  jit_build_free(bd);
  jm->stats.functions = n;
  jm->stats.tier = JIT_TIER_BASELINE;
  jm->stats.fell_back = n - jm->stats.compiled;
  jm->stats.code_bytes = jm->code_len;
  jm->stats.compile_seconds = seconds;
  (void)m;
  em->jit = jm;
  em->jit_free = jit_module_free;
  return true;
}

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool jit_compile_module(exec_module *em, bool guard, uint32_t threads, util_error *err) {
  if (em->jit) return true;
  double t0 = now(), c0 = cpu_now();
  jit_build bd;
  if (!jit_build_module(em, guard, false, threads, &bd, err)) return false;
  bool was_guard = bd.guard;
  if (jit_install_module(em, &bd, now() - t0, err)) {
    ((jit_module *)em->jit)->stats.compile_cpu_seconds = cpu_now() - c0;
    return true;
  }
  /* the fault handler's table is full: the same code with explicit checks */
  if (was_guard && err->kind == UTIL_ERR_LIMIT) {
    util_error_clear(err);
    if (!jit_build_module(em, false, false, threads, &bd, err)) return false;
    return jit_install_module(em, &bd, now() - t0, err);
  }
  return false;
}

void jit_module_stats(const exec_module *em, jit_stats *out) {
  memset(out, 0, sizeof *out);
  const jit_module *jm = em->jit;
  if (jm) {
    *out = jm->stats;
    out->osr_entered = atomic_load_explicit(&((jit_module *)jm)->osr_entered, memory_order_relaxed);
  }
}

const char *jit_func_fallback(const exec_module *em, uint32_t k) {
  const jit_module *jm = em->jit;
  if (!jm || k >= jm->nfuncs) return NULL;
  return jm->funcs[k].fallback;
}

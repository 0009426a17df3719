/* The guest profiler (profile.h): the timer thread, the sampler the interpreter calls,
 * the call tree, and the folded-stacks writer. */
#include "profile.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tree.h"
#include "wasm/module.h"

#define MAX_FRAMES 1024 /* deeper stacks keep their outermost frames, then "[N more]" */

typedef struct name_slot {
  const void *key;
  const char *name;
} name_slot;

struct obs_profiler {
  exec_sampler sampler; /* first: the interpreter hands back a pointer to it */
  exec_store *store;
  uint64_t interval_ns;
  pthread_t thread;
  bool running;
  pthread_mutex_t lock;   /* with wake: lets stop interrupt the timer's sleep */
  pthread_cond_t wake;
  bool quit;
  atomic_uint_fast64_t ticks_pending; /* ticks since the last sample */
  uint64_t samples, ticks;
  const exec_func *frames[MAX_FRAMES];
  obs_tree tree;
  name_slot *names;       /* open addressing: function -> its printable name */
  size_t nnames, capnames;
  char **owned;           /* every name string, for free */
  size_t nowned, capowned;
  uint64_t lost;          /* samples not recorded for lack of memory */
};

/* ---------- names ------------------------------------------------------------------------ */

/* A frame's name: the name section's, else "func[N]"; characters that would break the
 * folded format (';', white space, control characters) become '_'. */
static const char *make_name(obs_profiler *p, const exec_func *f) {
  if (!util_vec_try_grow((void **)&p->owned, &p->capowned, p->nowned, sizeof *p->owned)) return NULL;
  const wasm_module *m = f->inst ? f->inst->module->wasm : NULL;
  const wasm_name *nm = m && m->func_names ? &m->func_names[f->index] : NULL;
  char *s;
  if (nm && nm->str && nm->len) {
    s = util_try_malloc(nm->len + 1);
    if (!s) return NULL;
    for (uint32_t i = 0; i < nm->len; i++) {
      unsigned char c = (unsigned char)nm->str[i];
      s[i] = c == ';' || c <= ' ' || c == 0x7f ? '_' : (char)c;
    }
    s[nm->len] = 0;
  } else {
    char buf[32];
    snprintf(buf, sizeof buf, "func[%" PRIu32 "]", f->index);
    if (!(s = util_try_strdup(buf))) return NULL;
  }
  p->owned[p->nowned++] = s; /* room was made above */
  return s;
}

static size_t slot_of(const void *key, size_t cap) {
  uintptr_t h = (uintptr_t)key;
  h ^= h >> 17;
  h *= (uintptr_t)0x9e3779b97f4a7c15ull;
  return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

/* NULL when out of memory. */
static const char *name_of(obs_profiler *p, const exec_func *f) {
  if ((p->nnames + 1) * 2 > p->capnames) {
    size_t cap = p->capnames ? p->capnames * 2 : 64;
    name_slot *g = util_try_calloc(cap, sizeof *g);
    if (!g) return NULL;
    for (size_t i = 0; i < p->capnames; i++) {
      if (!p->names[i].key) continue;
      size_t k = slot_of(p->names[i].key, cap);
      while (g[k].key) k = (k + 1) & (cap - 1);
      g[k] = p->names[i];
    }
    free(p->names);
    p->names = g;
    p->capnames = cap;
  }
  size_t k = slot_of(f, p->capnames);
  while (p->names[k].key && p->names[k].key != f) k = (k + 1) & (p->capnames - 1);
  if (!p->names[k].key) {
    const char *name = make_name(p, f);
    if (!name) return NULL;
    p->names[k] = (name_slot){f, name};
    p->nnames++;
  }
  return p->names[k].name;
}

/* ---------- the call tree ------------------------------------------------------------------ */

/* Appends a node; false when out of memory (or past 2^32 nodes). */
static bool push_node(obs_tree *t, obs_node n) {
  size_t cap = t->cap;
  if (t->n == UINT32_MAX || !util_vec_try_grow((void **)&t->nodes, &cap, t->n, sizeof *t->nodes)) return false;
  if (cap > UINT32_MAX) cap = UINT32_MAX;
  t->cap = (uint32_t)cap;
  t->nodes[t->n++] = n;
  return true;
}

/* The node for key under parent, made when new; 0 (the root) when out of memory. */
static uint32_t child(obs_profiler *p, uint32_t parent, const void *key, const char *name) {
  obs_tree *t = &p->tree;
  for (uint32_t c = t->nodes[parent].child; c; c = t->nodes[c].next)
    if (t->nodes[c].key == key) return c;
  obs_node n = {.name = name, .key = key, .parent = parent, .next = t->nodes[parent].child};
  if (!name || !push_node(t, n)) return 0;
  t->nodes[parent].child = t->n - 1;
  return t->n - 1;
}

uint64_t obs_tree_totals(obs_tree *t) {
  /* children always come after their parent: one backward pass adds them up */
  for (uint32_t i = 0; i < t->n; i++) t->nodes[i].total = t->nodes[i].self;
  for (uint32_t i = t->n; i-- > 1;) t->nodes[t->nodes[i].parent].total += t->nodes[i].total;
  return t->n ? t->nodes[0].total : 0;
}

static const obs_tree *sort_tree; /* qsort has no context argument; writers run one at a time */
static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;

static int by_name(const void *a, const void *b) {
  const obs_node *x = &sort_tree->nodes[*(const uint32_t *)a], *y = &sort_tree->nodes[*(const uint32_t *)b];
  return strcmp(x->name, y->name);
}

uint32_t obs_tree_children(const obs_tree *t, uint32_t i, uint32_t *out) {
  uint32_t k = 0;
  for (uint32_t c = t->nodes[i].child; c; c = t->nodes[c].next) out[k++] = c;
  pthread_mutex_lock(&sort_lock);
  sort_tree = t;
  qsort(out, k, sizeof *out, by_name);
  pthread_mutex_unlock(&sort_lock);
  return k;
}

/* ---------- sampling ------------------------------------------------------------------------ */

/* Runs on the guest's thread, inside the interpreter's interruption check. */
static void take(exec_sampler *sm, const exec_func *const *frames, size_t n, size_t depth) {
  obs_profiler *p = (obs_profiler *)sm;
  uint64_t ticks = atomic_exchange(&p->ticks_pending, 0);
  if (ticks == 0) ticks = 1;
  uint32_t node = 0;
  for (size_t i = 0; i < n && (node || i == 0); i++) node = child(p, node, frames[i], name_of(p, frames[i]));
  if (node && depth > n) {
    /* the frames between the kept outer ones and the top: one node per count is too
     * many, so they share one */
    node = child(p, node, (const void *)(uintptr_t)1, "[deeper frames]");
  }
  if (n && !node) { /* out of memory: the sample is lost, and counted */
    p->lost += ticks;
    return;
  }
  p->tree.nodes[node].self += ticks;
  p->samples++;
  p->ticks += ticks;
}

static void *timer_main(void *arg) {
  obs_profiler *p = arg;
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  pthread_mutex_lock(&p->lock);
  while (!p->quit) {
    uint64_t ns = (uint64_t)next.tv_nsec + p->interval_ns;
    next.tv_sec += (time_t)(ns / 1000000000u);
    next.tv_nsec = (long)(ns % 1000000000u);
    int rc = 0;
    while (!p->quit && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&p->wake, &p->lock, &next);
    if (p->quit) break;
    atomic_fetch_add(&p->ticks_pending, 1);
    /* only from "nothing pending": a cancel or a deadline must not be overwritten, and
     * a sample still pending just takes this tick along */
    int expect = 0;
    atomic_compare_exchange_strong(&p->store->interrupt, &expect, EXEC_INTERRUPT_SAMPLE);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

obs_profiler *obs_profiler_start(exec_store *s, uint64_t interval_ns, util_error *err) {
  if (s->sampler) {
    util_fail(err, UTIL_ERR_USAGE, -1, "the store is already being profiled");
    return NULL;
  }
  obs_profiler *p = util_try_calloc(1, sizeof *p);
  obs_node root = {.name = "", .key = NULL};
  if (!p || !push_node(&p->tree, root)) {
    free(p);
    util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    return NULL;
  }
  p->sampler.take = take;
  p->sampler.buf = p->frames;
  p->sampler.cap = MAX_FRAMES;
  p->store = s;
  p->interval_ns = interval_ns ? interval_ns : 1000000u;
  atomic_init(&p->ticks_pending, 0);
  pthread_mutex_init(&p->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&p->wake, &ca);
  pthread_condattr_destroy(&ca);
  s->sampler = &p->sampler;
  int rc = pthread_create(&p->thread, NULL, timer_main, p);
  if (rc != 0) {
    s->sampler = NULL;
    obs_profiler_free(p);
    util_fail(err, UTIL_ERR_OOM, -1, "cannot start the profiler's timer thread (error %d)", rc);
    return NULL;
  }
  p->running = true;
  return p;
}

void obs_profiler_stop(obs_profiler *p) {
  if (!p || !p->running) return;
  pthread_mutex_lock(&p->lock);
  p->quit = true;
  pthread_cond_signal(&p->wake);
  pthread_mutex_unlock(&p->lock);
  pthread_join(p->thread, NULL);
  p->running = false;
  /* a request the guest did not serve must not outlive us */
  int expect = EXEC_INTERRUPT_SAMPLE;
  atomic_compare_exchange_strong(&p->store->interrupt, &expect, 0);
  p->store->sampler = NULL;
}

void obs_profiler_free(obs_profiler *p) {
  if (!p) return;
  obs_profiler_stop(p);
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->wake);
  for (size_t i = 0; i < p->nowned; i++) free(p->owned[i]);
  free(p->owned);
  free(p->names);
  free(p->tree.nodes);
  free(p);
}

uint64_t obs_profiler_samples(const obs_profiler *p) { return p->samples; }
uint64_t obs_profiler_ticks(const obs_profiler *p) { return p->ticks; }

/* ---------- output ------------------------------------------------------------------------- */

static FILE *open_out(const char *path, util_error *err) {
  FILE *f = fopen(path, "w");
  if (!f) util_fail(err, UTIL_ERR_IO, -1, "%s: %s", path, strerror(errno));
  return f;
}

static bool close_out(FILE *f, const char *path, util_error *err) {
  bool ok = !ferror(f);
  if (fclose(f) != 0) ok = false;
  if (!ok) util_fail(err, UTIL_ERR_IO, -1, "%s: write error", path);
  return ok;
}

/* Samples lost for lack of memory make the profile wrong: an error, not a file. */
static bool complete(const obs_profiler *p, util_error *err) {
  if (!p->lost) return true;
  return util_fail(err, UTIL_ERR_OOM, -1, "out of memory: %" PRIu64 " sample ticks could not be recorded", p->lost);
}

/* Depth-first, children by name: the lines come out sorted like flamegraph.pl's input. */
static void folded(const obs_tree *t, uint32_t *scratch, uint32_t i, const char **path, uint32_t depth, FILE *f) {
  const obs_node *n = &t->nodes[i];
  if (i) path[depth++] = n->name;
  if (i && n->self) {
    for (uint32_t k = 0; k < depth; k++) fprintf(f, "%s%s", k ? ";" : "", path[k]);
    fprintf(f, " %" PRIu64 "\n", n->self);
  }
  uint32_t *c = scratch, nc = obs_tree_children(t, i, c);
  for (uint32_t k = 0; k < nc; k++) folded(t, scratch + nc, c[k], path, depth, f);
}

bool obs_profiler_write_folded(const obs_profiler *p, const char *path, util_error *err) {
  if (!complete(p, err)) return false;
  const char **stack = util_try_malloc((MAX_FRAMES + 2) * sizeof *stack);
  uint32_t *scratch = util_try_calloc(p->tree.n, sizeof *scratch);
  FILE *f = stack && scratch ? open_out(path, err) : NULL;
  if (f) folded(&p->tree, scratch, 0, stack, 0, f);
  else if (!stack || !scratch) util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  free(stack);
  free(scratch);
  return f && close_out(f, path, err);
}

bool obs_profiler_write_svg(const obs_profiler *p, const char *path, const char *title, util_error *err) {
  if (!complete(p, err)) return false;
  obs_tree t = p->tree; /* the totals are scratch: fill them in a shallow copy's nodes */
  t.nodes = util_try_malloc((size_t)t.n * sizeof *t.nodes);
  uint32_t *scratch = util_try_calloc(t.n, sizeof *scratch);
  if (!t.nodes || !scratch) {
    free(t.nodes);
    free(scratch);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  FILE *f = open_out(path, err);
  bool ok = false;
  if (f) {
    memcpy(t.nodes, p->tree.nodes, (size_t)t.n * sizeof *t.nodes);
    obs_tree_totals(&t);
    ok = obs_flame_svg(&t, scratch, title, f);
    ok = close_out(f, path, err) && ok;
  }
  free(t.nodes);
  free(scratch);
  return ok;
}

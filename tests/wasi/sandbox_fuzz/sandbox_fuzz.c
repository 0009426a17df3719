/* A model-based fuzzer of the WASI sandbox.
 *
 * For each seed: a scratch tree (directories, files, symlinks in the tree, out of it,
 * dangling and to directories) beside an "outside" directory, a random policy (a root
 * [[fs.dir]], nested narrower or wider [[fs.dir]]s, [[fs.path]] exact/prefix/glob grants
 * with operation subsets and byte limits), and a tiny module that re-exports the WASI
 * imports it takes from weld (through the embedding API, the way a guest reaches them).
 * Then a bounded sequence of random WASI path and descriptor calls. After every call the
 * host tree is compared with the one before, and each change is held against the model
 * of the policy (model.c, written from docs/policy.md, not from src/policy):
 *
 *   - a name that appears needs `create` at its real location, one that disappears (or is
 *     replaced) needs `delete` there; moving a directory moves every name beneath it;
 *   - a file whose content, size or mtime changes needs `write` at one of its names;
 *   - a successful read, write, readdir, set-size, set-times or allocate needs `read`,
 *     `write`, `list`, `write`, `write`, `write` at the real location of the object;
 *   - bytes read from / written to a file stay within max_read / max_write of its grant,
 *     and a write never extends a file past max_write;
 *   - a hard link's new name grants no read/write its old name does not;
 *   - nothing outside the tree changes and no open reaches outside it.
 *
 * Deterministic by seed; bounded by seeds x steps, never by time.
 *
 *   weld_sandbox_fuzz [--seeds N] [--first S] [--steps K] [--seed S]... [--verbose] [CASE]...
 *
 * runs seeds first..first+N-1 (default 1..200, 60 calls each), every --seed given and
 * every case file (a tree, a policy and calls written out: cases/NAME.case);
 * prints each violation with its seed, step, the policy and the calls leading to it
 * (--seed S --verbose replays one seed showing every call), and ends with
 * `N passed, M failed` (one test per seed or case, plus the model's self-test). With
 * --verbose a seed prints as a case file, so a found case is cut down by hand into
 * cases/ and stays a regression whatever later happens to the generator. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model.h"
#include "weld.h"

/* snprintf through a va_list: names and paths here are short and a cut one is harmless,
 * so the compiler's truncation analysis has nothing to say about them. */
static int bprintf(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bprintf(char *out, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(out, n, fmt, ap);
  va_end(ap);
  return k < 0 ? 0 : (size_t)k < n ? k : (int)(n ? n - 1 : 0);
}

/* ---- randomness ------------------------------------------------------------------- */

static uint64_t rng_state;
static uint64_t rnd(void) {
  uint64_t x = rng_state;
  x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
  rng_state = x;
  return x * 0x2545F4914F6CDD1DULL;
}
static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }
static bool chance(unsigned pct) { return below(100) < pct; }
static unsigned rand_ops(unsigned pct) {
  unsigned o = 0;
  for (int i = 0; i < 5; i++)
    if (chance(pct)) o |= 1u << i;
  return o;
}

/* ---- host tree snapshots ---------------------------------------------------------- */

typedef struct {
  char rel[256];
  char type; /* 'f' 'd' 'l' 'o' */
  uint64_t dev, ino, size, hash;
  int64_t mtime;
  char link[256];
} entry;

typedef struct {
  entry *e;
  int n, cap;
} snap;

static uint64_t hash_file(const char *path, uint64_t size) {
  uint64_t h = 1469598103934665603ULL;
  int fd = open(path, O_RDONLY | O_NOFOLLOW);
  if (fd < 0) return 0;
  unsigned char buf[4096];
  uint64_t left = size < (1u << 20) ? size : (1u << 20); /* a sparse giant: its first MiB */
  while (left) {
    ssize_t k = read(fd, buf, left < sizeof buf ? left : sizeof buf);
    if (k <= 0) break;
    for (ssize_t i = 0; i < k; i++) h = (h ^ buf[i]) * 1099511628211ULL;
    left -= (uint64_t)k;
  }
  close(fd);
  return h;
}

static void snap_walk(snap *s, const char *root, const char *rel, int depth) {
  char path[PATH_MAX];
  bprintf(path, sizeof path, "%s%s%s", root, rel[0] ? "/" : "", rel);
  DIR *d = opendir(path);
  if (!d) return;
  struct dirent *de;
  /* Sorted order does not matter: lookups are by name. */
  while ((de = readdir(d))) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
    if (s->n == s->cap) {
      s->cap = s->cap ? 2 * s->cap : 64;
      s->e = realloc(s->e, (size_t)s->cap * sizeof *s->e);
      if (!s->e) abort();
    }
    entry *e = &s->e[s->n];
    memset(e, 0, sizeof *e);
    bprintf(e->rel, sizeof e->rel, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
    char p[PATH_MAX];
    bprintf(p, sizeof p, "%s/%s", root, e->rel);
    struct stat st;
    if (lstat(p, &st) != 0) continue;
    e->dev = st.st_dev, e->ino = st.st_ino, e->size = (uint64_t)st.st_size;
    e->mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    e->type = S_ISREG(st.st_mode) ? 'f' : S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : 'o';
    if (e->type == 'f') e->hash = hash_file(p, e->size);
    if (e->type == 'l') {
      ssize_t k = readlink(p, e->link, sizeof e->link - 1);
      e->link[k > 0 ? k : 0] = '\0';
    }
    if (e->type == 'd') e->size = 0; /* a directory's size follows its entries */
    s->n++;
    if (e->type == 'd' && depth < 12) {
      char sub[256];
      bprintf(sub, sizeof sub, "%s", e->rel);
      snap_walk(s, root, sub, depth + 1);
    }
  }
  closedir(d);
}

static void snap_take(snap *s, const char *root) {
  s->n = 0;
  snap_walk(s, root, "", 0);
}

static const entry *snap_find(const snap *s, const char *rel) {
  for (int i = 0; i < s->n; i++)
    if (strcmp(s->e[i].rel, rel) == 0) return &s->e[i];
  return NULL;
}

/* ---- the fuzzer's state ----------------------------------------------------------- */

#define MAXFD 24
enum { FN_OPEN, FN_CLOSE, FN_READ, FN_PREAD, FN_WRITE, FN_PWRITE, FN_READDIR, FN_SET_SIZE,
       FN_FD_TIMES, FN_PATH_TIMES, FN_ALLOCATE, FN_SYMLINK, FN_LINK, FN_RENAME, FN_UNLINK,
       FN_MKDIR, FN_RMDIR, FN_COUNT };

static const struct {
  const char *name, *params;
} fns[FN_COUNT] = {
    {"path_open", "iiiiiIIii"},    {"fd_close", "i"},
    {"fd_read", "iiii"},           {"fd_pread", "iiiIi"},
    {"fd_write", "iiii"},          {"fd_pwrite", "iiiIi"},
    {"fd_readdir", "iiiIi"},       {"fd_filestat_set_size", "iI"},
    {"fd_filestat_set_times", "iIIi"}, {"path_filestat_set_times", "iiiiIIi"},
    {"fd_allocate", "iII"},        {"path_symlink", "iiiii"},
    {"path_link", "iiiiiii"},      {"path_rename", "iiiiii"},
    {"path_unlink_file", "iii"},   {"path_create_directory", "iii"},
    {"path_remove_directory", "iii"},
};

/* Guest memory layout. */
enum { M_PATH1 = 1024, M_PATH2 = 2048, M_IOV = 3072, M_OUT = 3584, M_DATA = 4096, DATA_MAX = 4096 };

typedef struct {
  int fd;
  uint64_t dev, ino;
  bool dir;
  bool preopen, foreign;
  char mount[256]; /* preopen: its directory relative to the tree */
  /* Where it was opened: its real location then, what the policy allows there and the
   * byte limits. An fd keeps the rights of the place it was opened from: renaming the
   * file later (itself checked) does not take back what the guest already held. */
  char name[256];
  unsigned ops;
  uint64_t mr, mw;
} gfd;

typedef struct {
  uint64_t dev, ino, read, written;
  bool fd_writable; /* some fd was opened on it where the policy allows write */
  uint64_t fd_mw;   /* the largest max_write of the places fds were opened on it */
} byte_acct;

typedef struct {
  char label[300]; /* "seed N" or "case FILE" */
  bool verbose;
  char tmp[256], tree[300], outside[300], policy_file[300];
  model_policy pol;
  weld_engine *engine;
  weld_module *module;
  weld_store *store;
  weld_wasi *wasi;
  weld_instance *inst;
  weld_memory *mem;
  weld_func *fn[FN_COUNT];
  gfd fds[MAXFD];
  int nfds;
  byte_acct accts[64];
  int naccts;
  snap cur, out0, tmpsnap;
  char trace[64][720];
  int ntrace, step;
  int violations;
  bool stop; /* a mounted directory moved: the model no longer maps guest to host */
} fz;

static void trace_add(fz *z, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void trace_add(fz *z, const char *fmt, ...) {
  char line[700];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (z->verbose) printf("%s (step %d)\n", line, z->step);
  if (z->ntrace == 64) {
    memmove(z->trace[0], z->trace[1], sizeof z->trace[0] * 63);
    z->ntrace = 63;
  }
  bprintf(z->trace[z->ntrace++], sizeof z->trace[0], "%s (step %d)", line, z->step);
}

static void violation(fz *z, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violation(fz *z, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (z->violations == 0 && !z->verbose) {
    printf("FAIL %s: policy:\n", z->label);
    FILE *f = fopen(z->policy_file, "r");
    char line[600];
    while (f && fgets(line, sizeof line, f))
      if (line[0] != '\n') printf("    %s", line);
    if (f) fclose(f);
    printf("  calls (last %d):\n", z->ntrace);
    for (int i = 0; i < z->ntrace; i++) printf("    %s\n", z->trace[i]);
  }
  if (z->violations < 8) printf("%sFAIL %s step %d: %s\n", z->verbose ? "# " : "", z->label, z->step, msg);
  z->violations++;
}

static void guest_of(const char *rel, char *out, size_t n) {
  bprintf(out, n, "/sandbox%s%s", rel[0] ? "/" : "", rel);
}

/* What the policy allows on the tree's object at `rel`. A directory mounted below the
 * tree's guest path from elsewhere on the host (foreign) holds other files: the tree's
 * own objects under that guest path are decided without it. */
static unsigned ops_at(fz *z, const char *rel, uint64_t *mr, uint64_t *mw) {
  char g[300];
  guest_of(rel, g, sizeof g);
  bool foreign = false;
  for (int i = 0; i < z->pol.ndirs; i++) foreign |= z->pol.dirs[i].foreign;
  if (!foreign) return model_ops(&z->pol, g, mr, mw);
  model_policy own = z->pol;
  own.ndirs = 0;
  for (int i = 0; i < z->pol.ndirs; i++)
    if (!z->pol.dirs[i].foreign) own.dirs[own.ndirs++] = z->pol.dirs[i];
  return model_ops(&own, g, mr, mw);
}

/* ---- the policy and the tree -------------------------------------------------------- */

static const char *const names[] = {"a", "b", "c", "f", "g", "k.key", "l"};
#define NNAMES (sizeof names / sizeof names[0])

static void rand_rel(char *out, size_t n, int maxdepth) {
  int depth = 1 + (int)below((unsigned)maxdepth);
  size_t k = 0;
  out[0] = '\0';
  for (int i = 0; i < depth; i++) k += (size_t)bprintf(out + k, n - k, "%s%s", i ? "/" : "", names[below(NNAMES)]);
}

static void write_file(const char *path, unsigned len) {
  FILE *f = fopen(path, "w");
  if (!f) return;
  for (unsigned i = 0; i < len; i++) fputc('A' + (int)below(26), f);
  fclose(f);
}

/* An entry of the initial tree (its relative path), or a random path when none fits. */
static snap initial;
static void rand_existing(char *out, size_t n, bool dirs_only) {
  int cand[256], k = 0;
  for (int i = 0; i < initial.n && k < 256; i++)
    if (!dirs_only || initial.e[i].type == 'd') cand[k++] = i;
  if (k) bprintf(out, n, "%s", initial.e[cand[below((unsigned)k)]].rel);
  else rand_rel(out, n, 2);
}

/* A symlink target: in the tree (files, directories, up and down), out of it (relative
 * and absolute), into the tree by its absolute host path, or dangling. */
static void rand_target(fz *z, const char *linkrel, char *out, size_t n) {
  int depth = 0;
  for (const char *p = linkrel; *p; p++) depth += *p == '/';
  char up[64] = "";
  for (int i = 0; i < depth; i++) strcat(up, "../");
  char r[256];
  if (chance(60)) rand_existing(r, sizeof r, false);
  else rand_rel(r, sizeof r, 2);
  switch (below(8)) {
  case 0: case 1: case 2: bprintf(out, n, "%s%s", up, r); break; /* from the tree's root */
  case 3: bprintf(out, n, "%s", names[below(NNAMES)]); break;     /* a sibling */
  case 4: bprintf(out, n, "%s../outside/%s", up, chance(50) ? "o" : "d"); break;
  case 5: bprintf(out, n, "%s/%s", chance(50) ? z->outside : z->tree, chance(50) ? "o" : r); break;
  case 6: bprintf(out, n, "%snowhere/%s", up, r); break;
  default: bprintf(out, n, "%s.", up); break; /* the root itself */
  }
}

static void build_tree(fz *z) {
  char p[PATH_MAX];
  static const char *const dirs[] = {"a", "b", "a/c", "b/c", "a/c/b"};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    if (!chance(75)) continue;
    bprintf(p, sizeof p, "%s/%s", z->tree, dirs[i]);
    mkdir(p, 0755);
  }
  for (int i = 0, nfiles = 3 + (int)below(6); i < nfiles; i++) {
    char r[128];
    rand_rel(r, sizeof r, 3);
    bprintf(p, sizeof p, "%s/%s", z->tree, r);
    struct stat st;
    if (lstat(p, &st) == 0) continue;
    write_file(p, below(4) == 0 ? 0 : 1 + below(100));
  }
  snap_take(&initial, z->tree);
  for (int i = 0, nlinks = 3 + (int)below(6); i < nlinks; i++) {
    char r[128], t[300];
    rand_rel(r, sizeof r, 3);
    rand_target(z, r, t, sizeof t);
    bprintf(p, sizeof p, "%s/%s", z->tree, r);
    if (symlink(t, p) != 0) continue;
  }
}

static void rand_policy(fz *z) {
  model_policy *p = &z->pol;
  memset(p, 0, sizeof *p);
  bprintf(p->dirs[0].host, sizeof p->dirs[0].host, "%s", z->tree);
  bprintf(p->dirs[0].guest, sizeof p->dirs[0].guest, "/sandbox");
  p->dirs[0].ops = rand_ops(70);
  p->ndirs = 1;
  static const char *const nested[] = {"a", "b", "a/c"};
  for (int i = 0, n = (int)below(3); i < n; i++) {
    const char *rel = nested[below(3)];
    char host[PATH_MAX];
    struct stat st;
    bprintf(host, sizeof host, "%s/%s", z->tree, rel);
    if (lstat(host, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    bool dup = false;
    for (int k = 1; k < p->ndirs; k++) dup |= strcmp(p->dirs[k].host, host) == 0;
    if (dup) continue;
    model_dir *d = &p->dirs[p->ndirs++];
    bprintf(d->host, sizeof d->host, "%s", host);
    bprintf(d->guest, sizeof d->guest, "/sandbox/%s", rel);
    d->ops = rand_ops(50);
  }
  for (int i = 0, n = (int)below(5); i < n; i++) {
    model_grant *g = &p->grants[p->ngrants++];
    char r[128];
    rand_rel(r, sizeof r, 3);
    g->kind = (model_kind)(1 + below(3));
    switch (g->kind) {
    case KIND_EXACT:
      if (chance(70)) rand_existing(r, sizeof r, false);
      bprintf(g->pattern, sizeof g->pattern, "/sandbox/%s", r);
      break;
    case KIND_PREFIX:
      if (chance(70)) rand_existing(r, sizeof r, true);
      else rand_rel(r, sizeof r, 2);
      bprintf(g->pattern, sizeof g->pattern, "/sandbox/%s%s", r, chance(50) ? "/" : "/**");
      break;
    case KIND_GLOB:
      switch (below(4)) {
      case 0: bprintf(g->pattern, sizeof g->pattern, "/sandbox/**/%s", names[below(NNAMES)]); break;
      case 1: bprintf(g->pattern, sizeof g->pattern, "/sandbox/%s/*", names[below(3)]); break;
      case 2: bprintf(g->pattern, sizeof g->pattern, "/sandbox/**/*.key"); break;
      default: bprintf(g->pattern, sizeof g->pattern, "/sandbox/?/%s", names[below(NNAMES)]); break;
      }
      break;
    }
    if (chance(15)) { /* written unnormalised: it must match as normalised or be refused */
      char raw[300];
      bprintf(raw, sizeof raw, "/sandbox/%s%s", chance(50) ? "./" : "/", g->pattern + 9);
      model_set_pattern(g, raw);
    }
    g->ops = rand_ops(50);
    g->max_read = chance(25) ? below(80) : NO_LIMIT;
    g->max_write = chance(25) ? below(80) : NO_LIMIT;
  }
}

/* ---- the guest ------------------------------------------------------------------------ */

static char *module_text(void) {
  static char wat[8192];
  size_t k = (size_t)bprintf(wat, sizeof wat, "(module\n");
  for (int i = 0; i < FN_COUNT; i++) {
    k += (size_t)bprintf(wat + k, sizeof wat - k, "  (import \"wasi_snapshot_preview1\" \"%s\" (func $f%d (param", fns[i].name, i);
    for (const char *c = fns[i].params; *c; c++) k += (size_t)bprintf(wat + k, sizeof wat - k, " %s", *c == 'I' ? "i64" : "i32");
    k += (size_t)bprintf(wat + k, sizeof wat - k, ") (result i32)))\n  (export \"%s\" (func $f%d))\n", fns[i].name, i);
  }
  bprintf(wat + k, sizeof wat - k, "  (memory (export \"memory\") 2))\n");
  return wat;
}

/* Calls function `f` with the values in args (as many as its signature says). Returns
 * the WASI errno, or -1 after a trap (itself a violation). */
static int call(fz *z, int f, const int64_t *args) {
  weld_val a[12], r[1] = {WELD_I32_VAL(-1)};
  size_t n = strlen(fns[f].params);
  for (size_t i = 0; i < n; i++) a[i] = fns[f].params[i] == 'I' ? WELD_I64_VAL(args[i]) : WELD_I32_VAL((int32_t)args[i]);
  weld_trap *t = weld_func_call(z->fn[f], a, n, r, 1);
  if (t) {
    violation(z, "%s trapped: %s", fns[f].name, weld_trap_message(t));
    weld_trap_free(t);
    return -1;
  }
  return r[0].of.i32;
}

static void put_str(fz *z, uint32_t off, const char *s) { weld_memory_write(z->mem, off, s, strlen(s)); }
static uint32_t get_u32(fz *z, uint32_t off) {
  uint8_t b[4] = {0};
  weld_memory_read(z->mem, off, b, 4);
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static void put_u32(fz *z, uint32_t off, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  weld_memory_write(z->mem, off, b, 4);
}

static bool setup_guest(fz *z) {
  weld_error *err = NULL;
  const char *argv[] = {"sandbox_fuzz"};
  weld_wasi_config cfg = {.argv = argv, .argc = 1, .policy_file = z->policy_file};
  const char *wat = module_text();
  z->engine = weld_engine_new(NULL);
  z->module = weld_module_new(z->engine, (const uint8_t *)wat, strlen(wat), &err);
  if (z->module) z->wasi = weld_wasi_new(&cfg, &err);
  if (z->wasi) {
    z->store = weld_store_new(z->engine);
    weld_import imports[FN_COUNT];
    weld_trap *trap = NULL;
    if (weld_wasi_imports(z->wasi, z->store, z->module, imports, &err) == FN_COUNT)
      z->inst = weld_instance_new(z->store, z->module, imports, FN_COUNT, &trap, &err);
    if (trap) weld_trap_free(trap);
  }
  if (z->inst && !weld_wasi_bind(z->wasi, z->inst, &err)) z->inst = NULL;
  if (!z->inst) {
    /* A pattern written unnormalised may be refused at load, with its place in the
     * file; that, and only that, is a fine end. */
    bool raw = false;
    for (int i = 0; i < z->pol.ngrants; i++) raw |= z->pol.grants[i].written[0] != '\0';
    const char *msg = err ? weld_error_message(err) : "failed";
    if (raw && z->wasi == NULL && strstr(msg, z->policy_file) && strchr(msg + strlen(z->policy_file), ':')) {
      if (z->verbose) printf("# the policy was refused: %s\n", msg);
      z->stop = true;
    } else {
      violation(z, "setup: %s", msg);
    }
    weld_error_free(err);
    return false;
  }
  z->mem = weld_instance_memory(z->inst, "memory");
  for (int i = 0; i < FN_COUNT; i++) z->fn[i] = weld_instance_func(z->inst, fns[i].name);
  /* The preopens: fd 3 is the tree, then the nested directories in policy order. */
  for (int i = 0; i < z->pol.ndirs; i++) {
    gfd *g = &z->fds[z->nfds++];
    struct stat st;
    stat(z->pol.dirs[i].host, &st);
    *g = (gfd){.fd = 3 + i, .dev = st.st_dev, .ino = st.st_ino, .dir = true, .preopen = true};
    if (z->pol.dirs[i].foreign) {
      /* Not the tree: only what its own grant says (nothing in it is checked). */
      g->foreign = true;
      bprintf(g->name, sizeof g->name, "%s", z->pol.dirs[i].guest + 9);
      g->ops = model_ops(&z->pol, z->pol.dirs[i].guest, &g->mr, &g->mw);
      continue;
    }
    bprintf(g->mount, sizeof g->mount, "%s", i ? z->pol.dirs[i].host + strlen(z->tree) + 1 : "");
    bprintf(g->name, sizeof g->name, "%s", g->mount);
    g->ops = ops_at(z, g->mount, &g->mr, &g->mw);
  }
  return true;
}

static void teardown_guest(fz *z) {
  if (z->store) weld_store_free(z->store);
  if (z->wasi) weld_wasi_free(z->wasi);
  if (z->module) weld_module_free(z->module);
  if (z->engine) weld_engine_free(z->engine);
}

/* ---- locations ------------------------------------------------------------------------ */

/* The names an inode has in a snapshot, as a bitmask of what they allow: `any` the
 * union, and the largest byte limits among them. Returns false when it has none. */
static bool inode_ops(fz *z, const snap *s, uint64_t dev, uint64_t ino, unsigned *any, uint64_t *mr,
                      uint64_t *mw, const char **name) {
  bool found = false;
  *any = 0, *mr = 0, *mw = 0;
  for (int i = 0; i < s->n; i++) {
    const entry *e = &s->e[i];
    if (e->dev != dev || e->ino != ino || e->type == 'l') continue;
    uint64_t r, w;
    *any |= ops_at(z, e->rel, &r, &w);
    if (r > *mr) *mr = r;
    if (w > *mw) *mw = w;
    if (name) *name = e->rel;
    found = true;
  }
  return found;
}

/* Where the host puts `path` relative to the directory behind guest fd `base`: 1 with
 * `rel` inside the tree, 2 outside it, 0 when it does not exist or cannot be known. The
 * last component is followed only when `follow`. */
static int host_resolve(fz *z, const gfd *base, const char *path, bool follow, char *rel, size_t n) {
  const char *dirrel = NULL;
  if (base->foreign) return 0;
  if (base->preopen) dirrel = base->mount;
  else {
    for (int i = 0; i < z->cur.n && !dirrel; i++)
      if (z->cur.e[i].dev == base->dev && z->cur.e[i].ino == base->ino && z->cur.e[i].type == 'd') dirrel = z->cur.e[i].rel;
  }
  if (!dirrel) return 0;
  char full[PATH_MAX], real[PATH_MAX];
  bprintf(full, sizeof full, "%s%s%s/%s", z->tree, dirrel[0] ? "/" : "", dirrel, path);
  if (follow) {
    if (!realpath(full, real)) return 0;
  } else {
    char *slash = strrchr(full, '/');
    *slash = '\0';
    char dir[PATH_MAX];
    if (!realpath(full, dir)) return 0;
    const char *last = slash + 1;
    if (strcmp(last, ".") == 0) bprintf(real, sizeof real, "%s", dir);
    else bprintf(real, sizeof real, "%s/%s", dir, last);
    struct stat st;
    if (lstat(real, &st) != 0) return 0;
  }
  size_t tl = strlen(z->tree), ol = strlen(z->outside);
  if (strncmp(real, z->tree, tl) == 0 && (real[tl] == '\0' || real[tl] == '/')) {
    bprintf(rel, n, "%s", real[tl] ? real + tl + 1 : "");
    return 1;
  }
  if (strncmp(real, z->outside, ol) == 0 && (real[ol] == '\0' || real[ol] == '/')) return 2;
  return 0;
}

static byte_acct *acct_of(fz *z, uint64_t dev, uint64_t ino) {
  for (int i = 0; i < z->naccts; i++)
    if (z->accts[i].dev == dev && z->accts[i].ino == ino) return &z->accts[i];
  if (z->naccts == 64) return NULL;
  z->accts[z->naccts] = (byte_acct){.dev = dev, .ino = ino};
  return &z->accts[z->naccts++];
}

/* ---- the calls ------------------------------------------------------------------------ */

#define R_ALL ((1ULL << 29) - 1)
#define R_READ ((1ULL << 1) | (1ULL << 2) | (1ULL << 5) | (1ULL << 14) | (1ULL << 21) | (1ULL << 13))
#define R_WRITE ((1ULL << 6) | (1ULL << 8) | (1ULL << 22) | (1ULL << 23))

/* A descriptor to act on: a directory for path calls (the tree's preopen half the
 * time), a file when one is open for descriptor calls. */
static gfd *rand_fd(fz *z, bool dir_only) {
  int cand[MAXFD], n = 0;
  if (dir_only && chance(50)) return &z->fds[0];
  for (int i = 0; i < z->nfds; i++)
    if (dir_only ? z->fds[i].dir : !z->fds[i].dir) cand[n++] = i;
  if (!n && !dir_only)
    for (int i = 0; i < z->nfds; i++) cand[n++] = i;
  return n ? &z->fds[cand[below((unsigned)n)]] : NULL;
}

static const char *fd_dirrel(fz *z, const gfd *g) {
  if (g->foreign) return NULL;
  if (g->preopen) return g->mount;
  for (int i = 0; i < z->cur.n; i++)
    if (z->cur.e[i].dev == g->dev && z->cur.e[i].ino == g->ino && z->cur.e[i].type == 'd') return z->cur.e[i].rel;
  return NULL;
}

/* A path relative to `base`: mostly a name that exists beneath it (or a new name in a
 * directory that does), so calls reach the tree instead of failing with ENOENT. */
static void rand_path(fz *z, const gfd *base, char *out, size_t n) {
  const char *dir = base ? fd_dirrel(z, base) : NULL;
  unsigned pick = below(100);
  if (dir && pick < 75) {
    size_t dl = strlen(dir);
    int cand[512], k = 0;
    for (int i = 0; i < z->cur.n && k < 512; i++) {
      const char *r = z->cur.e[i].rel;
      if (dl == 0 || (strncmp(r, dir, dl) == 0 && r[dl] == '/')) cand[k++] = i;
    }
    if (k) {
      const entry *e = &z->cur.e[cand[below((unsigned)k)]];
      const char *r = dl ? e->rel + dl + 1 : e->rel;
      if (pick < 55 || e->type != 'd') bprintf(out, n, "%s", r);
      else bprintf(out, n, "%s/%s", r, names[below(NNAMES)]);
      return;
    }
  }
  if (pick >= 95) bprintf(out, n, ".");
  else rand_rel(out, n, 3);
}

static void need_fd(fz *z, const gfd *g, unsigned op, const char *what) {
  char have[80], want[80];
  if (!(g->ops & op))
    violation(z, "%s on fd %d succeeded, but /sandbox/%s (where it was opened) allows [%s], not [%s]", what,
              g->fd, g->name, model_ops_str(g->ops, have, sizeof have), model_ops_str(op, want, sizeof want));
}

/* One call, drawn at random or read from a case file. Its text form (callspec_format)
 * is the case-file syntax, so a failing seed's calls paste into a case. */
typedef struct {
  int fn;
  int fd1, fd2;
  char p1[300], p2[300];
  bool follow;
  unsigned oflags, fdflags;
  uint64_t rights;
  int64_t n1, n2, n3;
} callspec;

static const char *const verbs[FN_COUNT] = {"open", "close", "read", "pread", "write", "pwrite", "readdir",
                                            "set_size", "fd_times", "path_times", "allocate", "symlink",
                                            "link", "rename", "unlink", "mkdir", "rmdir"};
static const char *const oflag_names[] = {"CREAT", "DIRECTORY", "EXCL", "TRUNC"};

static const char *rights_name(uint64_t r, char *buf, size_t n) {
  if (r == R_ALL) return "all";
  if (r == R_READ) return "read";
  if (r == R_WRITE) return "write";
  if (r == (R_READ | R_WRITE)) return "rw";
  bprintf(buf, n, "0x%llx", (unsigned long long)r);
  return buf;
}

static void callspec_format(const callspec *c, char *out, size_t n) {
  const char *fl = c->follow ? "follow" : "nofollow";
  switch (c->fn) {
  case FN_OPEN: {
    char flags[80] = "";
    size_t k = 0;
    for (int i = 0; i < 4; i++)
      if (c->oflags & (1u << i)) k += (size_t)bprintf(flags + k, sizeof flags - k, "%s%s", k ? "|" : "", oflag_names[i]);
    if (c->fdflags & 1) k += (size_t)bprintf(flags + k, sizeof flags - k, "%sAPPEND", k ? "|" : "");
    char rb[24];
    bprintf(out, n, "open %d %s %s %s rights=%s", c->fd1, c->p1, fl, k ? flags : "-", rights_name(c->rights, rb, sizeof rb));
    break;
  }
  case FN_CLOSE: case FN_READDIR: bprintf(out, n, "%s %d", verbs[c->fn], c->fd1); break;
  case FN_READ: case FN_WRITE: case FN_SET_SIZE:
    bprintf(out, n, "%s %d %lld", verbs[c->fn], c->fd1, (long long)c->n1);
    break;
  case FN_PREAD: case FN_PWRITE: case FN_ALLOCATE:
    bprintf(out, n, "%s %d %lld %lld", verbs[c->fn], c->fd1, (long long)c->n1, (long long)c->n2);
    break;
  case FN_FD_TIMES:
    bprintf(out, n, "fd_times %d %lld %lld %lld", c->fd1, (long long)c->n1, (long long)c->n2, (long long)c->n3);
    break;
  case FN_PATH_TIMES: bprintf(out, n, "path_times %d %s %s", c->fd1, c->p1, fl); break;
  case FN_SYMLINK: bprintf(out, n, "symlink %s %d %s", c->p1, c->fd2, c->p2); break;
  case FN_LINK: bprintf(out, n, "link %d %s %s %d %s", c->fd1, c->p1, fl, c->fd2, c->p2); break;
  case FN_RENAME: bprintf(out, n, "rename %d %s %d %s", c->fd1, c->p1, c->fd2, c->p2); break;
  default: bprintf(out, n, "%s %d %s", verbs[c->fn], c->fd1, c->p1); break;
  }
}

static gfd *fd_by_num(fz *z, int fd) {
  for (int i = 0; i < z->nfds; i++)
    if (z->fds[i].fd == fd) return &z->fds[i];
  return NULL;
}

/* Draws one call. Returns false when there is nothing to do it on. */
static bool gen_call(fz *z, callspec *c) {
  memset(c, 0, sizeof *c);
  unsigned pick = below(100);
  static const struct { unsigned below; int fn; } mix[] = {
      {22, FN_OPEN}, {27, FN_CLOSE}, {33, FN_READ}, {37, FN_PREAD}, {43, FN_WRITE}, {47, FN_PWRITE},
      {51, FN_READDIR}, {55, FN_SET_SIZE}, {59, FN_FD_TIMES}, {62, FN_ALLOCATE}, {66, FN_PATH_TIMES},
      {71, FN_SYMLINK}, {75, FN_LINK}, {84, FN_RENAME}, {89, FN_UNLINK}, {95, FN_MKDIR}, {100, FN_RMDIR}};
  for (size_t i = 0; i < sizeof mix / sizeof mix[0]; i++)
    if (pick < mix[i].below) {
      c->fn = mix[i].fn;
      break;
    }
  gfd *g;
  switch (c->fn) {
  case FN_CLOSE: {
    int cand[MAXFD], n = 0;
    for (int i = 0; i < z->nfds; i++)
      if (!z->fds[i].preopen) cand[n++] = i;
    if (!n) return false;
    c->fd1 = z->fds[cand[below((unsigned)n)]].fd;
    return true;
  }
  case FN_READ: case FN_PREAD: case FN_WRITE: case FN_PWRITE:
    g = rand_fd(z, false);
    if (!g || g->dir) { /* nothing to read or write yet: open something instead */
      c->fn = FN_OPEN;
      break;
    }
    c->fd1 = g->fd;
    c->n1 = chance(20) ? 200 + below(300) : 1 + below(60);
    c->n2 = below(150);
    return true;
  case FN_SET_SIZE: case FN_FD_TIMES: case FN_ALLOCATE:
    g = rand_fd(z, false);
    if (!g) return false;
    c->fd1 = g->fd;
    if (c->fn == FN_SET_SIZE) c->n1 = chance(10) ? (1LL << 40) : below(200);
    else if (c->fn == FN_ALLOCATE) c->n1 = below(100), c->n2 = 1 + below(200);
    else c->n1 = 1000000000LL * (1 + below(1000)), c->n2 = 1000000000LL * (1 + below(1000)), c->n3 = (int64_t[]){5, 10, 4, 8}[below(4)];
    return true;
  case FN_READDIR: c->fd1 = rand_fd(z, true)->fd; return true;
  case FN_SYMLINK: {
    g = rand_fd(z, true);
    char r[200];
    rand_rel(r, sizeof r, 3);
    rand_target(z, r, c->p1, sizeof c->p1);
    bprintf(c->p2, sizeof c->p2, "%s", r);
    c->fd2 = g->fd;
    return true;
  }
  case FN_LINK: case FN_RENAME: {
    gfd *b1 = rand_fd(z, true), *b2 = rand_fd(z, true);
    rand_path(z, b1, c->p1, sizeof c->p1);
    rand_path(z, b2, c->p2, sizeof c->p2);
    c->fd1 = b1->fd, c->fd2 = b2->fd;
    c->follow = chance(30);
    return true;
  }
  default: break;
  }
  g = rand_fd(z, true);
  c->fd1 = g->fd;
  rand_path(z, g, c->p1, sizeof c->p1);
  if (c->fn == FN_OPEN) {
    for (int i = 0; i < 4; i++)
      if (chance((unsigned[]){40, 15, 15, 25}[i])) c->oflags |= 1u << i;
    c->follow = chance(80);
    c->rights = (uint64_t[]){R_ALL, R_READ, R_WRITE, R_READ | R_WRITE}[below(4)];
    c->fdflags = chance(20) ? 1 : 0; /* APPEND */
  } else if (c->fn == FN_PATH_TIMES) {
    c->follow = chance(70);
  }
  return true;
}

static void perform_open(fz *z, const callspec *c, const gfd *base, const char *text) {
  char before_rel[300];
  int before = host_resolve(z, base, c->p1, c->follow, before_rel, sizeof before_rel);
  const entry *pre = before == 1 ? snap_find(&z->cur, before_rel) : NULL;
  bool existed_file = pre && pre->type == 'f';
  put_str(z, M_PATH1, c->p1);
  int64_t a[] = {base->fd, c->follow, M_PATH1, (int64_t)strlen(c->p1), c->oflags, (int64_t)c->rights,
                 (int64_t)R_ALL, c->fdflags, M_OUT};
  int rc = call(z, FN_OPEN, a);
  uint32_t fd = rc == 0 ? get_u32(z, M_OUT) : 0;
  if (rc == 0) trace_add(z, "%s  # = 0, fd %u", text, fd);
  else trace_add(z, "%s  # = %d", text, rc);
  if (rc != 0) return;
  char rel[300];
  int where = host_resolve(z, base, c->p1, c->follow, rel, sizeof rel);
  if (where == 2) violation(z, "path_open \"%s\" reached a file outside the tree", c->p1);
  if (where != 1) {
    /* Opened, but the host cannot say where (it may have been opened and unlinked):
     * close it so no later check judges it blind. */
    int64_t cl[] = {fd};
    call(z, FN_CLOSE, cl);
    return;
  }
  if ((c->oflags & 8) && existed_file && !(ops_at(z, rel, NULL, NULL) & OP_WRITE))
    violation(z, "path_open O_TRUNC of /sandbox/%s succeeded, but it denies write", rel);
  char full[PATH_MAX];
  bprintf(full, sizeof full, "%s%s%s", z->tree, rel[0] ? "/" : "", rel);
  struct stat st;
  if (stat(full, &st) != 0 || z->nfds == MAXFD) {
    int64_t cl[] = {fd};
    call(z, FN_CLOSE, cl);
    return;
  }
  gfd *g = &z->fds[z->nfds++];
  *g = (gfd){.fd = (int)fd, .dev = st.st_dev, .ino = st.st_ino, .dir = S_ISDIR(st.st_mode)};
  bprintf(g->name, sizeof g->name, "%s", rel);
  g->ops = ops_at(z, rel, &g->mr, &g->mw);
  byte_acct *ac = acct_of(z, g->dev, g->ino);
  /* An inode with no name before this open is a new file (numbers are reused). */
  bool known = false;
  for (int i = 0; i < z->cur.n && !known; i++) known = z->cur.e[i].dev == g->dev && z->cur.e[i].ino == g->ino;
  if (ac && !known) *ac = (byte_acct){.dev = g->dev, .ino = g->ino};
  if (ac && (g->ops & OP_WRITE)) ac->fd_writable = true;
  if (ac && g->mw > ac->fd_mw) ac->fd_mw = g->mw;
}

static void perform_rw(fz *z, const callspec *c, gfd *g, const char *text) {
  bool write = c->fn == FN_WRITE || c->fn == FN_PWRITE, at = c->fn == FN_PREAD || c->fn == FN_PWRITE;
  uint32_t len = (uint32_t)(c->n1 > 0 && c->n1 <= DATA_MAX ? c->n1 : 1);
  if (write) {
    uint8_t buf[DATA_MAX];
    for (uint32_t i = 0; i < len; i++) buf[i] = (uint8_t)('a' + (z->step + i) % 26);
    weld_memory_write(z->mem, M_DATA, buf, len);
  }
  put_u32(z, M_IOV, M_DATA);
  put_u32(z, M_IOV + 4, len);
  int64_t a[5] = {g->fd, M_IOV, 1, M_OUT, 0};
  if (at) a[3] = c->n2, a[4] = M_OUT;
  int rc = call(z, c->fn, a);
  uint32_t n = rc == 0 ? get_u32(z, M_OUT) : 0;
  trace_add(z, "%s  # = %d, %u bytes", text, rc, n);
  if (rc != 0 || n == 0) return;
  need_fd(z, g, write ? OP_WRITE : OP_READ, fns[c->fn].name);
  byte_acct *ac = g->preopen ? NULL : acct_of(z, g->dev, g->ino);
  if (!ac) return;
  uint64_t *count = write ? &ac->written : &ac->read, limit = write ? g->mw : g->mr;
  *count += n;
  if (*count > limit)
    violation(z, "%llu bytes %s /sandbox/%s (where it was opened), whose grant has %s = %llu", (unsigned long long)*count,
              write ? "written to" : "read from", g->name, write ? "max_write" : "max_read", (unsigned long long)limit);
}

static void perform(fz *z, const callspec *c) {
  char text[700];
  callspec_format(c, text, sizeof text);
  gfd *g1 = fd_by_num(z, c->fd1), *g2 = fd_by_num(z, c->fd2);
  bool on_fd2 = c->fn == FN_SYMLINK;
  if ((on_fd2 ? !g2 : !g1) || ((c->fn == FN_LINK || c->fn == FN_RENAME) && !g2)) {
    trace_add(z, "%s  # no such fd: skipped", text);
    return;
  }
  int rc;
  switch (c->fn) {
  case FN_OPEN: perform_open(z, c, g1, text); return;
  case FN_CLOSE: {
    int64_t a[] = {c->fd1};
    rc = call(z, FN_CLOSE, a);
    trace_add(z, "%s  # = %d", text, rc);
    if (!g1->preopen) *g1 = z->fds[--z->nfds];
    return;
  }
  case FN_READ: case FN_PREAD: case FN_WRITE: case FN_PWRITE: perform_rw(z, c, g1, text); return;
  case FN_READDIR: {
    int64_t a[] = {c->fd1, M_DATA, 512, 0, M_OUT};
    rc = call(z, FN_READDIR, a);
    trace_add(z, "%s  # = %d", text, rc);
    if (rc == 0) need_fd(z, g1, OP_LIST, "fd_readdir");
    return;
  }
  case FN_SET_SIZE: case FN_FD_TIMES: case FN_ALLOCATE: {
    int64_t a[4] = {c->fd1, c->n1, c->n2, c->n3};
    rc = call(z, c->fn, a);
    trace_add(z, "%s  # = %d", text, rc);
    if (rc == 0) need_fd(z, g1, OP_WRITE, fns[c->fn].name);
    return;
  }
  case FN_PATH_TIMES: {
    char rel[300];
    int where = host_resolve(z, g1, c->p1, c->follow, rel, sizeof rel);
    put_str(z, M_PATH1, c->p1);
    int64_t a[] = {c->fd1, c->follow, M_PATH1, (int64_t)strlen(c->p1), 2000000000LL, 3000000000LL, 5};
    rc = call(z, FN_PATH_TIMES, a);
    trace_add(z, "%s  # = %d", text, rc);
    if (rc != 0) return;
    if (where == 2) violation(z, "path_filestat_set_times \"%s\" reached outside the tree", c->p1);
    if (where == 1 && !(ops_at(z, rel, NULL, NULL) & OP_WRITE))
      violation(z, "path_filestat_set_times of /sandbox/%s succeeded, but it denies write", rel);
    return;
  }
  case FN_SYMLINK: {
    put_str(z, M_PATH1, c->p1);
    put_str(z, M_PATH2, c->p2);
    int64_t a[] = {M_PATH1, (int64_t)strlen(c->p1), c->fd2, M_PATH2, (int64_t)strlen(c->p2)};
    rc = call(z, FN_SYMLINK, a);
    trace_add(z, "%s  # = %d", text, rc);
    return;
  }
  case FN_LINK: case FN_RENAME: {
    char oldrel[300], newrel[300];
    int wold = c->fn == FN_LINK ? host_resolve(z, g1, c->p1, c->follow, oldrel, sizeof oldrel) : 0;
    put_str(z, M_PATH1, c->p1);
    put_str(z, M_PATH2, c->p2);
    if (c->fn == FN_LINK) {
      int64_t a[] = {c->fd1, c->follow, M_PATH1, (int64_t)strlen(c->p1), c->fd2, M_PATH2, (int64_t)strlen(c->p2)};
      rc = call(z, FN_LINK, a);
    } else {
      int64_t a[] = {c->fd1, M_PATH1, (int64_t)strlen(c->p1), c->fd2, M_PATH2, (int64_t)strlen(c->p2)};
      rc = call(z, FN_RENAME, a);
    }
    trace_add(z, "%s  # = %d", text, rc);
    if (rc != 0 || c->fn != FN_LINK) return;
    if (wold == 2) violation(z, "path_link from \"%s\" reached outside the tree", c->p1);
    if (wold == 1 && host_resolve(z, g2, c->p2, false, newrel, sizeof newrel) == 1) {
      unsigned o = ops_at(z, oldrel, NULL, NULL) & (OP_READ | OP_WRITE);
      unsigned n = ops_at(z, newrel, NULL, NULL) & (OP_READ | OP_WRITE);
      char ho[80], hn[80];
      if (n & ~o)
        violation(z, "path_link /sandbox/%s [%s] -> /sandbox/%s [%s]: the new name grants more", oldrel,
                  model_ops_str(o, ho, sizeof ho), newrel, model_ops_str(n, hn, sizeof hn));
    }
    return;
  }
  default: {
    put_str(z, M_PATH1, c->p1);
    int64_t a[] = {c->fd1, M_PATH1, (int64_t)strlen(c->p1)};
    rc = call(z, c->fn, a);
    trace_add(z, "%s  # = %d", text, rc);
    return;
  }
  }
}

/* ---- the oracle ----------------------------------------------------------------------- */

static void compare(fz *z, const snap *before, const snap *after) {
  char have[80];
  for (int i = 0; i < after->n; i++) {
    const entry *e1 = &after->e[i];
    const entry *e0 = snap_find(before, e1->rel);
    uint64_t mr, mw;
    unsigned ops = ops_at(z, e1->rel, &mr, &mw);
    if (!e0 || e0->ino != e1->ino || e0->dev != e1->dev || e0->type != e1->type) {
      if (!(ops & OP_CREATE))
        violation(z, "/sandbox/%s appeared, but it allows [%s], not create", e1->rel, model_ops_str(ops, have, sizeof have));
      continue;
    }
    if (e1->type != 'f') continue;
    /* A file with several names (hard links) may be written through any name that
     * allows it, and grow to the largest max_write among its names and the places it
     * was opened from. */
    unsigned any0, any1;
    uint64_t r, w0, w1;
    inode_ops(z, before, e1->dev, e1->ino, &any0, &r, &w0, NULL);
    inode_ops(z, after, e1->dev, e1->ino, &any1, &r, &w1, NULL);
    byte_acct *ac = acct_of(z, e1->dev, e1->ino);
    uint64_t cap = w0 > w1 ? w0 : w1;
    if (ac && ac->fd_mw > cap) cap = ac->fd_mw;
    if ((e0->size != e1->size || e0->hash != e1->hash || e0->mtime != e1->mtime) &&
        !((any0 | any1) & OP_WRITE) && !(ac && ac->fd_writable))
      violation(z, "/sandbox/%s changed (size %llu -> %llu%s%s), but no name of it allows write", e1->rel,
                (unsigned long long)e0->size, (unsigned long long)e1->size,
                e0->hash != e1->hash ? ", content" : "", e0->mtime != e1->mtime ? ", mtime" : "");
    if (e1->size > e0->size && e1->size > cap)
      violation(z, "/sandbox/%s grew to %llu bytes, past its max_write = %llu", e1->rel,
                (unsigned long long)e1->size, (unsigned long long)cap);
  }
  for (int i = 0; i < before->n; i++) {
    const entry *e0 = &before->e[i];
    const entry *e1 = snap_find(after, e0->rel);
    if (e1 && e1->ino == e0->ino && e1->dev == e0->dev && e1->type == e0->type) continue;
    unsigned ops = ops_at(z, e0->rel, NULL, NULL);
    /* A name replaced (a rename over it) loses its object as an unlink would: that
     * needs delete there (docs/policy.md; write alone is not enough). */
    if (!(ops & OP_DELETE))
      violation(z, "/sandbox/%s was %s, but it allows [%s], not delete", e0->rel, e1 ? "replaced" : "removed",
                model_ops_str(ops, have, sizeof have));
  }
}

static bool same_snap(const snap *a, const snap *b, char *why, size_t n) {
  for (int i = 0; i < b->n; i++) {
    const entry *x = snap_find(a, b->e[i].rel);
    if (!x) return bprintf(why, n, "%s appeared", b->e[i].rel), false;
    if (x->ino != b->e[i].ino || x->size != b->e[i].size || x->hash != b->e[i].hash || x->mtime != b->e[i].mtime)
      return bprintf(why, n, "%s changed", b->e[i].rel), false;
  }
  if (a->n != b->n) return bprintf(why, n, "an entry disappeared"), false;
  return true;
}

static void check_mounts(fz *z) {
  for (int i = 1; i < z->pol.ndirs; i++) {
    struct stat st;
    if (lstat(z->pol.dirs[i].host, &st) != 0 || st.st_ino != z->fds[i].ino) {
      if (z->verbose) printf("  the mounted directory %s moved: the sequence ends\n", z->pol.dirs[i].host);
      z->stop = true;
    }
  }
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  remove(p);
  return 0;
}

static bool scratch_init(fz *z) {
  const char *tmpdir = getenv("TMPDIR");
  bprintf(z->tmp, sizeof z->tmp, "%s/weld-sandbox-fuzz-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if (!mkdtemp(z->tmp)) {
    printf("FAIL %s: mkdtemp: %s\n", z->label, strerror(errno));
    return false;
  }
  bprintf(z->tree, sizeof z->tree, "%s/tree", z->tmp);
  bprintf(z->outside, sizeof z->outside, "%s/outside", z->tmp);
  bprintf(z->policy_file, sizeof z->policy_file, "%s/policy.toml", z->tmp);
  char p[PATH_MAX];
  mkdir(z->tree, 0755);
  mkdir(z->outside, 0755);
  bprintf(p, sizeof p, "%s/o", z->outside);
  write_file(p, 10);
  bprintf(p, sizeof p, "%s/d", z->outside);
  mkdir(p, 0755);
  bprintf(p, sizeof p, "%s/d/o", z->outside);
  write_file(p, 10);
  return true;
}

/* The tree and the policy in case-file syntax (tests/wasi/sandbox_fuzz/README.md). */
static void print_case_head(fz *z) {
  size_t tl = strlen(z->tree), ol = strlen(z->outside);
  for (int i = 0; i < initial.n; i++) {
    const entry *e = &initial.e[i];
    if (e->type == 'd') printf("dir %s\n", e->rel);
    else if (e->type == 'f') printf("file %s %llu\n", e->rel, (unsigned long long)e->size);
    else if (e->type == 'l') {
      if (strncmp(e->link, z->tree, tl) == 0) printf("link %s @TREE@%s\n", e->rel, e->link + tl);
      else if (strncmp(e->link, z->outside, ol) == 0) printf("link %s @OUTSIDE@%s\n", e->rel, e->link + ol);
      else printf("link %s %s\n", e->rel, e->link);
    }
  }
  static const char *const words[] = {"read", "write", "create", "delete", "list"};
  static const char *const kinds[] = {"", "prefix", "glob", "exact"};
  for (int i = 0; i < z->pol.ndirs; i++) {
    if (z->pol.dirs[i].foreign) printf("fsmount %s", z->pol.dirs[i].guest + 9);
    else printf("fsdir %s", i ? z->pol.dirs[i].host + tl + 1 : ".");
    for (int k = 0; k < 5; k++)
      if (z->pol.dirs[i].ops & (1u << k)) printf(" %s", words[k]);
    printf("%s\n", z->pol.dirs[i].ops ? "" : " -");
  }
  for (int i = 0; i < z->pol.ngrants; i++) {
    const model_grant *g = &z->pol.grants[i];
    printf("grant %s %s", kinds[g->kind], g->written[0] ? g->written : g->pattern);
    for (int k = 0; k < 5; k++)
      if (g->ops & (1u << k)) printf(" %s", words[k]);
    if (!g->ops) printf(" -");
    if (g->max_read != NO_LIMIT) printf(" max_read=%llu", (unsigned long long)g->max_read);
    if (g->max_write != NO_LIMIT) printf(" max_write=%llu", (unsigned long long)g->max_write);
    printf("\n");
  }
}

static bool start(fz *z) {
  FILE *pf = fopen(z->policy_file, "w");
  if (pf) {
    model_write_toml(&z->pol, pf);
    fclose(pf);
  }
  snap_take(&initial, z->tree);
  if (z->verbose) {
    printf("# %s\n", z->label);
    print_case_head(z);
  }
  if (!setup_guest(z)) return false;
  snap_take(&z->cur, z->tree);
  snap_take(&z->out0, z->outside);
  return true;
}

/* After each call: the tree against the model, the outside against its first state. */
static void after_call(fz *z) {
  snap_take(&z->tmpsnap, z->tree);
  compare(z, &z->cur, &z->tmpsnap);
  snap t = z->cur;
  z->cur = z->tmpsnap;
  z->tmpsnap = t;
  snap o = {0};
  snap_take(&o, z->outside);
  char why[300];
  if (!same_snap(&z->out0, &o, why, sizeof why)) violation(z, "outside the tree: %s", why);
  free(o.e);
  check_mounts(z);
}

static bool finish(fz *z) {
  teardown_guest(z);
  if (z->tmp[0]) nftw(z->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  bool ok = z->violations == 0;
  free(z->cur.e);
  free(z->out0.e);
  free(z->tmpsnap.e);
  free(z);
  return ok;
}

/* One seed: returns true when no violation was found. */
static bool run_seed(uint64_t seed, int steps, bool verbose) {
  fz *z = calloc(1, sizeof *z);
  if (!z) return false;
  z->verbose = verbose;
  bprintf(z->label, sizeof z->label, "seed %llu", (unsigned long long)seed);
  rng_state = seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
  if (!rng_state) rng_state = 1;
  if (!scratch_init(z)) return finish(z), false;
  build_tree(z);
  snap_take(&initial, z->tree);
  rand_policy(z);
  if (start(z)) {
    for (z->step = 1; z->step <= steps && !z->stop && z->violations == 0; z->step++) {
      callspec c;
      if (gen_call(z, &c)) perform(z, &c);
      after_call(z);
    }
  }
  return finish(z);
}

/* ---- case files: a found case, minimised, kept as a regression ------------------------ */

static unsigned parse_ops(char **tok, int n, int *used) {
  static const char *const words[] = {"read", "write", "create", "delete", "list"};
  unsigned ops = 0;
  *used = 0;
  for (int i = 0; i < n; i++) {
    bool known = strcmp(tok[i], "-") == 0;
    for (int k = 0; k < 5; k++)
      if (strcmp(tok[i], words[k]) == 0) ops |= 1u << k, known = true;
    if (!known) break;
    (*used)++;
  }
  return ops;
}

static bool parse_call(char **tok, int n, callspec *c, const char **why) {
  memset(c, 0, sizeof *c);
  c->fn = -1;
  for (int i = 0; i < FN_COUNT; i++)
    if (strcmp(tok[0], verbs[i]) == 0) c->fn = i;
  static const int argc_of[FN_COUNT] = {[FN_OPEN] = 5, [FN_CLOSE] = 2, [FN_READ] = 3, [FN_PREAD] = 4,
                                        [FN_WRITE] = 3, [FN_PWRITE] = 4, [FN_READDIR] = 2, [FN_SET_SIZE] = 3,
                                        [FN_FD_TIMES] = 5, [FN_PATH_TIMES] = 4, [FN_ALLOCATE] = 4,
                                        [FN_SYMLINK] = 4, [FN_LINK] = 6, [FN_RENAME] = 5, [FN_UNLINK] = 3,
                                        [FN_MKDIR] = 3, [FN_RMDIR] = 3};
  if (c->fn < 0) return *why = "unknown line", false;
  if (n < argc_of[c->fn]) return *why = "too few fields", false;
  int64_t num[4] = {0};
  for (int i = 1; i < n && i < 5; i++) num[i - 1] = strtoll(tok[i], NULL, 0);
  c->fd1 = (int)num[0];
  switch (c->fn) {
  case FN_OPEN:
    bprintf(c->p1, sizeof c->p1, "%s", tok[2]);
    c->follow = strcmp(tok[3], "follow") == 0;
    for (char *f = strtok(tok[4], "|"); f; f = strtok(NULL, "|")) {
      for (int i = 0; i < 4; i++)
        if (strcmp(f, oflag_names[i]) == 0) c->oflags |= 1u << i;
      if (strcmp(f, "APPEND") == 0) c->fdflags |= 1;
    }
    c->rights = R_ALL;
    if (n > 5 && strcmp(tok[5], "rights=read") == 0) c->rights = R_READ;
    if (n > 5 && strcmp(tok[5], "rights=write") == 0) c->rights = R_WRITE;
    if (n > 5 && strcmp(tok[5], "rights=rw") == 0) c->rights = R_READ | R_WRITE;
    if (n > 5 && strncmp(tok[5], "rights=0x", 9) == 0) c->rights = strtoull(tok[5] + 7, NULL, 16);
    break;
  case FN_READ: case FN_WRITE: case FN_SET_SIZE: case FN_PREAD: case FN_PWRITE: case FN_ALLOCATE:
  case FN_FD_TIMES:
    c->n1 = num[1], c->n2 = num[2], c->n3 = num[3];
    break;
  case FN_PATH_TIMES:
    bprintf(c->p1, sizeof c->p1, "%s", tok[2]);
    c->follow = strcmp(tok[3], "follow") == 0;
    break;
  case FN_SYMLINK:
    bprintf(c->p1, sizeof c->p1, "%s", tok[1]);
    c->fd2 = atoi(tok[2]);
    bprintf(c->p2, sizeof c->p2, "%s", tok[3]);
    break;
  case FN_LINK:
    bprintf(c->p1, sizeof c->p1, "%s", tok[2]);
    c->follow = strcmp(tok[3], "follow") == 0;
    c->fd2 = atoi(tok[4]);
    bprintf(c->p2, sizeof c->p2, "%s", tok[5]);
    break;
  case FN_RENAME:
    bprintf(c->p1, sizeof c->p1, "%s", tok[2]);
    c->fd2 = atoi(tok[3]);
    bprintf(c->p2, sizeof c->p2, "%s", tok[4]);
    break;
  case FN_CLOSE: case FN_READDIR: break;
  default: bprintf(c->p1, sizeof c->p1, "%s", tok[2]); break;
  }
  return true;
}

/* Replays a case file: tree lines, then policy lines, then calls. */
static bool run_case(const char *file, bool verbose) {
  FILE *f = fopen(file, "r");
  if (!f) {
    printf("FAIL %s: cannot open: %s\n", file, strerror(errno));
    return false;
  }
  fz *z = calloc(1, sizeof *z);
  if (!z) return fclose(f), false;
  z->verbose = verbose;
  const char *base = strrchr(file, '/');
  bprintf(z->label, sizeof z->label, "case %s", base ? base + 1 : file);
  if (!scratch_init(z)) return fclose(f), finish(z);
  char line[1024];
  int lineno = 0;
  bool started = false, ok = true;
  while (ok && fgets(line, sizeof line, f) && !z->stop) {
    lineno++;
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char *tok[16];
    int n = 0;
    for (char *t = strtok(line, " \t\r\n"); t && n < 16; t = strtok(NULL, " \t\r\n")) tok[n++] = t;
    if (n == 0) continue;
    char p[PATH_MAX];
    const char *why = NULL;
    if (strcmp(tok[0], "dir") == 0 || strcmp(tok[0], "file") == 0 || strcmp(tok[0], "link") == 0) {
      if (n < (tok[0][0] == 'd' ? 2 : 3)) why = "too few fields";
      else if (started) why = "tree lines come before calls";
      else {
        bprintf(p, sizeof p, "%s/%s", z->tree, tok[1]);
        if (tok[0][0] == 'd') mkdir(p, 0755);
        else if (tok[0][0] == 'f') {
          FILE *w = fopen(p, "w");
          for (long i = 0, len = atol(tok[2]); w && i < len; i++) fputc('A' + (int)(i % 26), w);
          if (w) fclose(w);
        } else {
          char t[PATH_MAX];
          if (strncmp(tok[2], "@TREE@", 6) == 0) bprintf(t, sizeof t, "%s%s", z->tree, tok[2] + 6);
          else if (strncmp(tok[2], "@OUTSIDE@", 9) == 0) bprintf(t, sizeof t, "%s%s", z->outside, tok[2] + 9);
          else bprintf(t, sizeof t, "%s", tok[2]);
          if (symlink(t, p) != 0) why = "cannot make the symlink";
        }
      }
    } else if (strcmp(tok[0], "fsdir") == 0 && n >= 2 && z->pol.ndirs < 4 && !started) {
      model_dir *d = &z->pol.dirs[z->pol.ndirs++];
      int used;
      d->ops = parse_ops(tok + 2, n - 2, &used);
      bool root = strcmp(tok[1], ".") == 0;
      if (root != (z->pol.ndirs == 1)) why = "the first fsdir, and only it, is \".\"";
      bprintf(d->host, sizeof d->host, "%s%s%s", z->tree, root ? "" : "/", root ? "" : tok[1]);
      bprintf(d->guest, sizeof d->guest, "/sandbox%s%s", root ? "" : "/", root ? "" : tok[1]);
    } else if (strcmp(tok[0], "fsmount") == 0 && n >= 2 && z->pol.ndirs >= 1 && z->pol.ndirs < 4 && !started) {
      /* A directory from elsewhere on the host, mounted at /sandbox/REL. */
      model_dir *d = &z->pol.dirs[z->pol.ndirs];
      int used;
      d->ops = parse_ops(tok + 2, n - 2, &used);
      d->foreign = true;
      bprintf(d->host, sizeof d->host, "%s/mount%d", z->tmp, z->pol.ndirs);
      bprintf(d->guest, sizeof d->guest, "/sandbox/%s", tok[1]);
      mkdir(d->host, 0755);
      z->pol.ndirs++;
    } else if (strcmp(tok[0], "grant") == 0 && n >= 3 && z->pol.ngrants < 6 && !started) {
      model_grant *g = &z->pol.grants[z->pol.ngrants++];
      g->kind = strcmp(tok[1], "exact") == 0 ? KIND_EXACT : strcmp(tok[1], "glob") == 0 ? KIND_GLOB : KIND_PREFIX;
      model_set_pattern(g, tok[2]);
      int used;
      g->ops = parse_ops(tok + 3, n - 3, &used);
      g->max_read = g->max_write = NO_LIMIT;
      for (int i = 3 + used; i < n; i++) {
        if (strncmp(tok[i], "max_read=", 9) == 0) g->max_read = strtoull(tok[i] + 9, NULL, 10);
        else if (strncmp(tok[i], "max_write=", 10) == 0) g->max_write = strtoull(tok[i] + 10, NULL, 10);
        else why = "unknown grant field";
      }
    } else {
      callspec c;
      if (!started) {
        if (z->pol.ndirs == 0) why = "no fsdir before the first call";
        else if (!(started = start(z))) ok = false;
      }
      if (!why && ok && parse_call(tok, n, &c, &why)) {
        z->step++;
        perform(z, &c);
        after_call(z);
      }
    }
    if (why) {
      printf("FAIL %s:%d: %s\n", file, lineno, why);
      z->violations++;
      ok = false;
    }
  }
  fclose(f);
  if (!started && ok) {
    printf("FAIL %s: no calls\n", file);
    z->violations++;
  }
  return finish(z);
}

/* ---- self-test of the model's matching against docs/policy.md's examples ------------ */

static int model_selftest(void) {
  int bad = 0;
  struct { const char *pat; const char *path; bool want; } g[] = {
      {"/data/**/*.key", "/data/x.key", true}, {"/data/**/*.key", "/data/a/b/x.key", true},
      {"/data/**/*.key", "/data/a/x.keys", false}, {"/data/*", "/data/a", true},
      {"/data/*", "/data/a/b", false}, {"/d/?", "/d/ab", false}, {"/d/?/f", "/d/a/f", true},
  };
  for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
    if (model_glob(g[i].pat, g[i].path) != g[i].want) printf("FAIL model glob %s %s\n", g[i].pat, g[i].path), bad++;
  model_grant pre = {.pattern = "/data/", .kind = KIND_PREFIX};
  if (!model_match(&pre, "/data/x") || model_match(&pre, "/database") || !model_match(&pre, "/data"))
    printf("FAIL model prefix\n"), bad++;
  model_policy p = {.ndirs = 2, .ngrants = 3};
  p.dirs[0] = (model_dir){.guest = "/data", .ops = OP_READ};
  p.dirs[1] = (model_dir){.guest = "/data/w", .ops = OP_WRITE};
  p.grants[0] = (model_grant){.pattern = "/data/s/", .kind = KIND_PREFIX, .ops = 0};
  p.grants[1] = (model_grant){.pattern = "/data/**/*.txt", .kind = KIND_GLOB, .ops = OP_LIST};
  p.grants[2] = (model_grant){.pattern = "/data/s/x.txt", .kind = KIND_EXACT, .ops = OP_DELETE};
  if (model_ops(&p, "/data/f", NULL, NULL) != OP_READ || model_ops(&p, "/data/w/f", NULL, NULL) != OP_WRITE ||
      model_ops(&p, "/data/s/f", NULL, NULL) != 0 || model_ops(&p, "/data/s/y.txt", NULL, NULL) != OP_LIST ||
      model_ops(&p, "/data/s/x.txt", NULL, NULL) != OP_DELETE || model_ops(&p, "/other", NULL, NULL) != 0)
    printf("FAIL model most-specific rule\n"), bad++;
  return bad;
}

int main(int argc, char **argv) {
  uint64_t first = 1, nseeds = 200, list[256];
  int steps = 60, nlist = 0, ncases = 0;
  const char *cases[256];
  bool verbose = false, range = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) verbose = true;
    else if (strcmp(a, "--seeds") == 0 && v) nseeds = strtoull(v, NULL, 10), range = true, i++;
    else if (strcmp(a, "--first") == 0 && v) first = strtoull(v, NULL, 10), range = true, i++;
    else if (strcmp(a, "--steps") == 0 && v) steps = atoi(v), i++;
    else if (strcmp(a, "--seed") == 0 && v && nlist < 256) list[nlist++] = strtoull(v, NULL, 10), i++;
    else if (a[0] != '-' && ncases < 256) cases[ncases++] = a;
    else {
      fprintf(stderr, "usage: %s [--seeds N] [--first S] [--steps K] [--seed S]... [--verbose] [CASE_FILE]...\n", argv[0]);
      return 2;
    }
  }
  if (nlist == 0 && ncases == 0) range = true;
  setvbuf(stdout, NULL, _IOLBF, 0);
  int passed = 0, failed = model_selftest();
  if (failed == 0) passed++;
  for (int i = 0; i < ncases; i++) {
    if (run_case(cases[i], verbose)) passed++;
    else failed++;
  }
  for (int i = 0; i < nlist; i++) {
    if (run_seed(list[i], steps, verbose)) passed++;
    else failed++;
  }
  for (uint64_t s = first; range && s < first + nseeds; s++) {
    if (run_seed(s, steps, verbose)) passed++;
    else failed++;
  }
  free(initial.e);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}

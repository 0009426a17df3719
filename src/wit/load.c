/* wit: loading — a .wit file, or a directory of .wit files making one package with
 * its dependencies in `deps/` (each a directory or a single .wit file). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wit/internal.h"

static void io_fail(wit_ctx *c, const char *path, const char *what) {
  util_error_clear(c->err);
  c->err->kind = UTIL_ERR_IO;
  snprintf(c->err->msg, sizeof c->err->msg, "%s: %s", path, what);
  longjmp(c->jb, 1);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The entries of a directory, sorted (so the order of files never depends on the file
 * system). Returns the count; names in the arena. */
static size_t list_dir(wit_ctx *c, const char *dir, char ***out) {
  DIR *d = opendir(dir);
  if (!d) io_fail(c, dir, "cannot open the directory");
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 16;
      char **nn = util_arena_try_alloc(&c->s->arena, nc * sizeof *nn);
      if (!nn) {
        closedir(d);
        wit_oom(c);
      }
      if (n) memcpy(nn, names, n * sizeof *nn);
      names = nn;
      cap = nc;
    }
    names[n] = util_arena_try_strndup(&c->s->arena, e->d_name, strlen(e->d_name));
    if (!names[n]) {
      closedir(d);
      wit_oom(c);
    }
    n++;
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, cmp_str);
  *out = names;
  return n;
}

static char *join(wit_ctx *c, const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *p = wit_alloc(c, la + lb + 2);
  memcpy(p, a, la);
  p[la] = '/';
  memcpy(p + la + 1, b, lb + 1);
  return p;
}

static bool ends_with(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && strcmp(s + n - m, suf) == 0;
}

static void parse_path_file(wit_ctx *c, const char *path, wit_pkg *pkg, bool *had) {
  uint8_t *data;
  size_t len;
  util_error e;
  util_error_clear(&e);
  if (!util_read_file(path, &data, &len, &e)) io_fail(c, path, "cannot read the file");
  /* the text goes into the arena so positions and names stay valid after an error */
  char *text = util_arena_try_alloc(&c->s->arena, len + 1);
  if (!text) {
    free(data);
    wit_oom(c);
  }
  if (len) memcpy(text, data, len);
  free(data);
  const char *fname = wit_strndup(c, path, strlen(path));
  wit_parse_file(c, fname, text, len, pkg, had);
}

static wit_pkg *add_pkg(wit_ctx *c, bool is_main) {
  wit_pkg *p = wit_alloc(c, sizeof *p);
  p->is_main = is_main;
  *WIT_PUSH(c, c->s->pkgs, c->s->npkgs, c->s->cappkgs) = p;
  return p;
}

static void no_header(wit_ctx *c, wit_pkg *p, const char *path) {
  /* a file of nested packages only: the package slot stays empty and is dropped */
  (void)p;
  wit_pos pos = {path, 1, 1};
  wit_fail(c, pos, "no `package ns:name;` header in %s", path);
}

/* A package from a path: a file, or a directory of .wit files. */
static wit_pkg *load_pkg(wit_ctx *c, const char *path, bool is_main, bool with_deps) {
  struct stat st;
  if (stat(path, &st) != 0) io_fail(c, path, "no such file or directory");
  wit_pkg *p = add_pkg(c, is_main);
  size_t before = c->s->npkgs;
  bool any = false;
  if (S_ISDIR(st.st_mode)) {
    char **names;
    size_t n = list_dir(c, path, &names);
    bool had_files = false;
    for (size_t i = 0; i < n; i++) {
      if (!ends_with(names[i], ".wit")) continue;
      char *fp = join(c, path, names[i]);
      struct stat fs;
      if (stat(fp, &fs) != 0 || !S_ISREG(fs.st_mode)) continue;
      bool had;
      had_files = true;
      parse_path_file(c, fp, p, &had);
      any |= had;
    }
    if (!had_files) io_fail(c, path, "no .wit files in the directory");
    if (with_deps) {
      char *deps = join(c, path, "deps");
      struct stat ds;
      if (stat(deps, &ds) == 0 && S_ISDIR(ds.st_mode)) {
        char **dn;
        size_t m = list_dir(c, deps, &dn);
        for (size_t i = 0; i < m; i++) {
          char *dp = join(c, deps, dn[i]);
          struct stat es;
          if (stat(dp, &es) != 0) continue;
          if (S_ISDIR(es.st_mode) || (S_ISREG(es.st_mode) && ends_with(dn[i], ".wit"))) load_pkg(c, dp, false, false);
        }
      }
    }
  } else {
    parse_path_file(c, path, p, &any);
  }
  if (!any) {
    /* no header: allowed only when the file holds nested packages and nothing else */
    if (p->nifaces || p->nworlds || c->s->npkgs == before) no_header(c, p, path);
    /* drop the empty slot; the first nested package stands for the file */
    for (size_t i = 0; i + 1 < c->s->npkgs; i++)
      if (c->s->pkgs[i] == p) {
        memmove(&c->s->pkgs[i], &c->s->pkgs[i + 1], (c->s->npkgs - i - 1) * sizeof *c->s->pkgs);
        c->s->npkgs--;
        break;
      }
    p = c->s->pkgs[before - 1];
    if (is_main) {
      /* the last nested package is the main one, as the reference tools take it */
      p = c->s->pkgs[c->s->npkgs - 1];
    }
    p->is_main = is_main;
  }
  return p;
}

static wit_set *new_set(void) {
  wit_set *s = util_try_calloc(1, sizeof *s);
  if (s) util_arena_init(&s->arena);
  return s;
}

static void oom_err(util_error *err) {
  util_error_clear(err);
  err->kind = UTIL_ERR_OOM;
  snprintf(err->msg, sizeof err->msg, "out of memory");
}

wit_set *wit_load(const char *path, util_error *err) {
  util_error_clear(err);
  wit_set *volatile s = new_set();
  if (!s) {
    oom_err(err);
    return NULL;
  }
  wit_ctx c;
  memset(&c, 0, sizeof c);
  c.s = s;
  c.err = err;
  if (setjmp(c.jb)) {
    wit_set_free(s);
    return NULL;
  }
  s->main = load_pkg(&c, path, true, true);
  wit_resolve(&c);
  return s;
}

wit_set *wit_load_text(const char *name, const char *text, size_t len, util_error *err) {
  util_error_clear(err);
  wit_set *volatile s = new_set();
  if (!s) {
    oom_err(err);
    return NULL;
  }
  wit_ctx c;
  memset(&c, 0, sizeof c);
  c.s = s;
  c.err = err;
  if (setjmp(c.jb)) {
    wit_set_free(s);
    return NULL;
  }
  wit_pkg *p = add_pkg(&c, true);
  size_t before = s->npkgs;
  char *copy = wit_alloc(&c, len + 1);
  if (len) memcpy(copy, text, len);
  bool had;
  const char *fname = wit_strndup(&c, name, strlen(name));
  wit_parse_file(&c, fname, copy, len, p, &had);
  if (!had) {
    if (p->nifaces || p->nworlds || s->npkgs == before) no_header(&c, p, fname);
    memmove(&s->pkgs[0], &s->pkgs[1], (s->npkgs - 1) * sizeof *s->pkgs);
    s->npkgs--;
    p = s->pkgs[s->npkgs - 1];
    p->is_main = true;
  }
  s->main = p;
  wit_resolve(&c);
  return s;
}

void wit_set_free(wit_set *s) {
  if (!s) return;
  util_arena_free(&s->arena);
  free(s);
}

wit_world *wit_find_world(const wit_set *s, const char *name, util_error *err) {
  util_error_clear(err);
  wit_pkg *p = s->main;
  if (!name) {
    if (p->nworlds == 1) return p->worlds[0];
    util_fail(err, UTIL_ERR_USAGE, -1, "package %s:%s has %zu worlds: name one with --world", p->ns, p->name,
              p->nworlds);
    return NULL;
  }
  for (size_t i = 0; i < p->nworlds; i++)
    if (strcmp(p->worlds[i]->name, name) == 0) return p->worlds[i];
  util_fail(err, UTIL_ERR_USAGE, -1, "package %s:%s has no world `%s`", p->ns, p->name, name);
  return NULL;
}

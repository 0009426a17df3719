/* component.toml to pkg_manifest: every key and type checked, errors FILE:LINE:COL. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/manifest.h"
#include "util/sha256.h"

typedef struct ctx {
  pkg_manifest *m;
  const char *filename;
  util_error *err;
} ctx;

#define fail_at(c, line, col, ...) toml_fail_at((c)->err, UTIL_ERR_USAGE, (c)->filename, line, col, __VA_ARGS__)

static bool oom(ctx *c) { return util_fail(c->err, UTIL_ERR_OOM, -1, "%s: out of memory", c->filename); }

static void *alloc(ctx *c, size_t n) {
  void *p = util_arena_try_alloc(&c->m->doc.arena, n ? n : 1);
  if (!p) oom(c);
  return p;
}

static bool want(ctx *c, const toml_kv *kv, toml_type t) {
  if (kv->val->type == t) return true;
  return fail_at(c, kv->val->line, kv->val->col, "'%s' must be %s, not %s", kv->key, toml_type_name(t),
                 toml_type_name(kv->val->type));
}

/* A string without NULs; empty strings are refused unless allowed. */
static bool get_str(ctx *c, const toml_kv *kv, const char **out, bool allow_empty) {
  if (!want(c, kv, TOML_STRING)) return false;
  if (strlen(kv->val->str) != kv->val->len)
    return fail_at(c, kv->val->line, kv->val->col, "'%s' contains a NUL character", kv->key);
  if (!allow_empty && !kv->val->len) return fail_at(c, kv->val->line, kv->val->col, "'%s' must not be empty", kv->key);
  *out = kv->val->str;
  return true;
}

static bool get_str_array(ctx *c, const toml_kv *kv, const char ***out, size_t *n) {
  if (!want(c, kv, TOML_ARRAY)) return false;
  const toml_value *a = kv->val;
  const char **items = alloc(c, a->nitems * sizeof *items);
  if (!items) return false;
  for (size_t i = 0; i < a->nitems; i++) {
    const toml_value *it = a->items[i];
    if (it->type != TOML_STRING)
      return fail_at(c, it->line, it->col, "'%s' must hold strings, not %s", kv->key, toml_type_name(it->type));
    if (strlen(it->str) != it->len || !it->len)
      return fail_at(c, it->line, it->col, "'%s' holds an empty string or one with a NUL", kv->key);
    items[i] = it->str;
  }
  *out = items;
  *n = a->nitems;
  return true;
}

static bool bool_of(ctx *c, const toml_kv *kv, bool *out) {
  if (!want(c, kv, TOML_BOOL)) return false;
  *out = kv->val->b;
  return true;
}

static bool unknown(ctx *c, const toml_kv *kv, const char *where, const char *known) {
  return fail_at(c, kv->line, kv->col, "unknown key '%s' in %s (known: %s)", kv->key, where, known);
}

static bool is_lower_alnum(int ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); }

bool pkg_name_valid(const char *name) {
  size_t n = strlen(name);
  if (!n || n > 128) return false;
  bool seg_start = true;
  for (size_t i = 0; i < n; i++) {
    char ch = name[i];
    if (seg_start) {
      if (!(ch >= 'a' && ch <= 'z')) return false;
      seg_start = false;
      continue;
    }
    if (is_lower_alnum(ch)) continue;
    if (ch != '-' && ch != '_' && ch != '/') return false;
    if (i + 1 == n) return false;
    if (ch == '/') seg_start = true;
    else if (!is_lower_alnum(name[i + 1])) return false;
  }
  return true;
}

/* A file path inside the package: relative, no "..", no empty components. */
static bool path_ok(const char *p) {
  if (!*p || *p == '/') return false;
  for (const char *s = p; *s;) {
    size_t k = strcspn(s, "/");
    if (k == 0 || (k == 2 && s[0] == '.' && s[1] == '.') || (k == 1 && s[0] == '.')) return false;
    s += k;
    if (*s == '/') s++;
    if (*s == '\0' && s[-1] == '/') return false;
  }
  return true;
}

static bool get_path(ctx *c, const toml_kv *kv, const char **out) {
  if (!get_str(c, kv, out, false)) return false;
  if (!path_ok(*out))
    return fail_at(c, kv->val->line, kv->val->col, "'%s' must be a relative path inside the package (no '..')",
                   kv->key);
  return true;
}

static bool parse_package(ctx *c, const toml_value *t, int hline, int hcol) {
  pkg_manifest *m = c->m;
  bool have_version = false;
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    if (!strcmp(kv->key, "name")) {
      if (!get_str(c, kv, &m->name, false)) return false;
      if (!pkg_name_valid(m->name))
        return fail_at(c, kv->val->line, kv->val->col,
                       "bad package name \"%s\": lowercase letters, digits, '-' and '_', starting with a letter, "
                       "namespaces separated by '/'",
                       m->name);
    } else if (!strcmp(kv->key, "version")) {
      const char *s;
      char why[160];
      if (!get_str(c, kv, &s, false)) return false;
      if (!semver_parse(s, &m->version, why, sizeof why))
        return fail_at(c, kv->val->line, kv->val->col, "bad version \"%s\": %s", s, why);
      have_version = true;
    } else if (!strcmp(kv->key, "authors")) {
      if (!get_str_array(c, kv, &m->authors, &m->nauthors)) return false;
    } else if (!strcmp(kv->key, "description")) {
      if (!get_str(c, kv, &m->description, true)) return false;
    } else if (!strcmp(kv->key, "license")) {
      if (!get_str(c, kv, &m->license, false)) return false;
    } else if (!strcmp(kv->key, "component")) {
      if (!get_path(c, kv, &m->component)) return false;
    } else if (!strcmp(kv->key, "checksum")) {
      if (!get_str(c, kv, &m->checksum, false)) return false;
      const char *h = m->checksum;
      bool ok = strncmp(h, "sha256:", 7) == 0 && strlen(h) == 71;
      for (size_t k = 7; ok && k < 71; k++) ok = (h[k] >= '0' && h[k] <= '9') || (h[k] >= 'a' && h[k] <= 'f');
      if (!ok)
        return fail_at(c, kv->val->line, kv->val->col, "'checksum' must be \"sha256:\" and 64 lowercase hex digits");
    } else {
      return unknown(c, kv, "[package]", "name, version, authors, description, license, component, checksum");
    }
  }
  if (!m->name) return fail_at(c, hline, hcol, "[package] needs a 'name'");
  if (!have_version) return fail_at(c, hline, hcol, "[package] needs a 'version'");
  return true;
}

static bool want_table_array(ctx *c, const toml_kv *kv) {
  if (kv->val->type == TOML_ARRAY) {
    for (size_t i = 0; i < kv->val->nitems; i++)
      if (kv->val->items[i]->type != TOML_TABLE)
        return fail_at(c, kv->val->line, kv->val->col, "'%s' must be written [[%s]] (an array of tables)", kv->key,
                       kv->key);
    return true;
  }
  return fail_at(c, kv->line, kv->col, "'%s' must be written [[%s]] (an array of tables)", kv->key, kv->key);
}

static bool parse_interfaces(ctx *c, const toml_kv *kv) {
  pkg_manifest *m = c->m;
  if (!want_table_array(c, kv)) return false;
  m->ninterfaces = kv->val->nitems;
  if (!(m->interfaces = alloc(c, m->ninterfaces * sizeof *m->interfaces))) return false;
  for (size_t i = 0; i < m->ninterfaces; i++) {
    const toml_value *t = kv->val->items[i];
    pkg_interface *it = &m->interfaces[i];
    const char *kind = NULL;
    for (size_t k = 0; k < t->nkvs; k++) {
      const toml_kv *e = &t->kvs[k];
      if (!strcmp(e->key, "kind")) {
        if (!get_str(c, e, &kind, false)) return false;
        if (strcmp(kind, "import") && strcmp(kind, "export"))
          return fail_at(c, e->val->line, e->val->col, "'kind' must be \"import\" or \"export\", not \"%s\"", kind);
        it->is_export = !strcmp(kind, "export");
      } else if (!strcmp(e->key, "name")) {
        if (!get_str(c, e, &it->name, false)) return false;
      } else if (!strcmp(e->key, "wit")) {
        if (!get_path(c, e, &it->wit)) return false;
      } else if (!strcmp(e->key, "world")) {
        if (!get_str(c, e, &it->world, false)) return false;
      } else {
        return unknown(c, e, "[[interface]]", "kind, name, wit, world");
      }
    }
    if (!kind) return fail_at(c, t->line, t->col, "[[interface]] needs 'kind' (\"import\" or \"export\")");
    if (!it->name) return fail_at(c, t->line, t->col, "[[interface]] needs a 'name'");
  }
  return true;
}

static bool parse_deps(ctx *c, const toml_kv *kv) {
  pkg_manifest *m = c->m;
  if (!want_table_array(c, kv)) return false;
  m->ndeps = kv->val->nitems;
  if (!(m->deps = alloc(c, m->ndeps * sizeof *m->deps))) return false;
  for (size_t i = 0; i < m->ndeps; i++) {
    const toml_value *t = kv->val->items[i];
    pkg_dep *d = &m->deps[i];
    d->default_features = true;
    d->line = t->line, d->col = t->col;
    for (size_t k = 0; k < t->nkvs; k++) {
      const toml_kv *e = &t->kvs[k];
      if (!strcmp(e->key, "name")) {
        if (!get_str(c, e, &d->name, false)) return false;
        if (!pkg_name_valid(d->name)) return fail_at(c, e->val->line, e->val->col, "bad package name \"%s\"", d->name);
        for (size_t j = 0; j < i; j++)
          if (!strcmp(m->deps[j].name, d->name))
            return fail_at(c, e->val->line, e->val->col, "dependency \"%s\" is listed twice", d->name);
        if (m->name && !strcmp(d->name, m->name))
          return fail_at(c, e->val->line, e->val->col, "a package cannot depend on itself");
      } else if (!strcmp(e->key, "version")) {
        char why[200];
        if (!get_str(c, e, &d->req_text, false)) return false;
        if (!semver_req_parse(d->req_text, &d->req, why, sizeof why))
          return fail_at(c, e->val->line, e->val->col, "bad version requirement \"%s\": %s", d->req_text, why);
        d->vline = e->val->line, d->vcol = e->val->col;
      } else if (!strcmp(e->key, "optional")) {
        if (!bool_of(c, e, &d->optional)) return false;
      } else if (!strcmp(e->key, "default-features")) {
        if (!bool_of(c, e, &d->default_features)) return false;
      } else if (!strcmp(e->key, "features")) {
        if (!get_str_array(c, e, &d->features, &d->nfeatures)) return false;
      } else {
        return unknown(c, e, "[[dependency]]", "name, version, optional, features, default-features");
      }
    }
    if (!d->name) return fail_at(c, t->line, t->col, "[[dependency]] needs a 'name'");
    if (!d->req_text) return fail_at(c, t->line, t->col, "[[dependency]] \"%s\" needs a 'version' requirement", d->name);
  }
  return true;
}

static bool parse_features(ctx *c, const toml_kv *kv) {
  pkg_manifest *m = c->m;
  if (!want_table_array(c, kv)) return false;
  m->nfeatures = kv->val->nitems;
  if (!(m->features = alloc(c, m->nfeatures * sizeof *m->features))) return false;
  for (size_t i = 0; i < m->nfeatures; i++) {
    const toml_value *t = kv->val->items[i];
    pkg_feature *f = &m->features[i];
    for (size_t k = 0; k < t->nkvs; k++) {
      const toml_kv *e = &t->kvs[k];
      if (!strcmp(e->key, "name")) {
        if (!get_str(c, e, &f->name, false)) return false;
        for (const char *s = f->name; *s; s++)
          if (!is_lower_alnum(*s) && *s != '-' && *s != '_')
            return fail_at(c, e->val->line, e->val->col, "bad feature name \"%s\"", f->name);
        for (size_t j = 0; j < i; j++)
          if (!strcmp(m->features[j].name, f->name))
            return fail_at(c, e->val->line, e->val->col, "feature \"%s\" is defined twice", f->name);
      } else if (!strcmp(e->key, "enables")) {
        if (!get_str_array(c, e, &f->enables, &f->nenables)) return false;
      } else {
        return unknown(c, e, "[[feature]]", "name, enables");
      }
    }
    if (!f->name) return fail_at(c, t->line, t->col, "[[feature]] needs a 'name'");
  }
  return true;
}

static bool parse_build(ctx *c, const toml_kv *kv) {
  pkg_manifest *m = c->m;
  if (!want(c, kv, TOML_TABLE)) return false;
  m->has_build = true;
  for (size_t k = 0; k < kv->val->nkvs; k++) {
    const toml_kv *e = &kv->val->kvs[k];
    if (!strcmp(e->key, "lang")) {
      if (!get_str(c, e, &m->build_lang, false)) return false;
    } else if (!strcmp(e->key, "command")) {
      if (!get_str(c, e, &m->build_command, false)) return false;
    } else if (!strcmp(e->key, "output")) {
      if (!get_path(c, e, &m->build_output)) return false;
    } else {
      return unknown(c, e, "[build]", "lang, command, output");
    }
  }
  return true;
}

static bool parse_files(ctx *c, const toml_kv *kv) {
  pkg_manifest *m = c->m;
  if (!want_table_array(c, kv)) return false;
  m->nfiles = kv->val->nitems;
  if (!(m->files = alloc(c, m->nfiles * sizeof *m->files))) return false;
  for (size_t i = 0; i < m->nfiles; i++) {
    const toml_value *t = kv->val->items[i];
    pkg_file *f = &m->files[i];
    bool have_sha = false, have_size = false;
    for (size_t k = 0; k < t->nkvs; k++) {
      const toml_kv *e = &t->kvs[k];
      if (!strcmp(e->key, "path")) {
        if (!get_path(c, e, &f->path)) return false;
        for (size_t j = 0; j < i; j++)
          if (!strcmp(m->files[j].path, f->path))
            return fail_at(c, e->val->line, e->val->col, "file \"%s\" is listed twice", f->path);
      } else if (!strcmp(e->key, "sha256")) {
        const char *h;
        if (!get_str(c, e, &h, false)) return false;
        bool ok = strlen(h) == 64;
        for (size_t j = 0; ok && j < 64; j++) ok = (h[j] >= '0' && h[j] <= '9') || (h[j] >= 'a' && h[j] <= 'f');
        if (!ok) return fail_at(c, e->val->line, e->val->col, "'sha256' must be 64 lowercase hex digits");
        memcpy(f->sha256, h, 65);
        have_sha = true;
      } else if (!strcmp(e->key, "size")) {
        if (!want(c, e, TOML_INT)) return false;
        if (e->val->i < 0) return fail_at(c, e->val->line, e->val->col, "'size' must not be negative");
        f->size = (uint64_t)e->val->i;
        have_size = true;
      } else {
        return unknown(c, e, "[[file]]", "path, sha256, size");
      }
    }
    if (!f->path || !have_sha || !have_size)
      return fail_at(c, t->line, t->col, "[[file]] needs 'path', 'sha256' and 'size'");
  }
  return true;
}

/* Checks what single entries cannot: features name known features and dependencies. */
static bool check_features(ctx *c, const toml_value *root) {
  pkg_manifest *m = c->m;
  const toml_value *arr = toml_get(root, "feature");
  for (size_t i = 0; i < m->nfeatures; i++) {
    const pkg_feature *f = &m->features[i];
    const toml_value *t = arr->items[i];
    for (size_t k = 0; k < f->nenables; k++) {
      const char *e = f->enables[k];
      const char *slash = strchr(e, '/');
      if (!strncmp(e, "dep:", 4)) {
        const pkg_dep *d = pkg_manifest_dep(m, e + 4);
        if (!d) return fail_at(c, t->line, t->col, "feature \"%s\" enables \"%s\", which is not a dependency", f->name, e);
        if (!d->optional)
          return fail_at(c, t->line, t->col, "feature \"%s\" enables \"%s\", which is not optional", f->name, e);
      } else if (slash) {
        char dep[160];
        size_t n = (size_t)(slash - e);
        if (n >= sizeof dep || !slash[1])
          return fail_at(c, t->line, t->col, "feature \"%s\": bad entry \"%s\"", f->name, e);
        memcpy(dep, e, n);
        dep[n] = '\0';
        if (!pkg_manifest_dep(m, dep))
          return fail_at(c, t->line, t->col, "feature \"%s\" enables \"%s\", but \"%s\" is not a dependency", f->name, e,
                         dep);
      } else if (!pkg_manifest_feature(m, e)) {
        return fail_at(c, t->line, t->col, "feature \"%s\" enables \"%s\", which is not a feature", f->name, e);
      }
    }
  }
  return true;
}

bool pkg_manifest_parse(pkg_manifest *m, const char *text, size_t len, const char *filename, util_error *err) {
  util_error_clear(err);
  memset(m, 0, sizeof *m);
  if (!filename) filename = "component.toml";
  ctx c = {m, filename, err};
  if (!toml_parse(&m->doc, text, len, filename, &(toml_options){.what = "component.toml files"}, err)) {
    toml_free(&m->doc);
    return false;
  }
  const toml_value *root = m->doc.root;
  const toml_kv *pkg = NULL;
  bool ok = true;
  for (size_t i = 0; ok && i < root->nkvs; i++) {
    const toml_kv *kv = &root->kvs[i];
    if (!strcmp(kv->key, "package")) {
      pkg = kv;
      ok = want(&c, kv, TOML_TABLE) && parse_package(&c, kv->val, kv->val->line, kv->val->col);
    } else if (!strcmp(kv->key, "interface")) {
      ok = parse_interfaces(&c, kv);
    } else if (!strcmp(kv->key, "dependency")) {
      ok = parse_deps(&c, kv);
    } else if (!strcmp(kv->key, "feature")) {
      ok = parse_features(&c, kv);
    } else if (!strcmp(kv->key, "build")) {
      ok = parse_build(&c, kv);
    } else if (!strcmp(kv->key, "file")) {
      ok = parse_files(&c, kv);
    } else {
      ok = fail_at(&c, kv->line, kv->col, "unknown key '%s' (known: package, interface, dependency, feature, build, file)",
                   kv->key);
    }
  }
  if (ok && !pkg) ok = fail_at(&c, 1, 1, "no [package] table (it needs 'name' and 'version')");
  for (size_t i = 0; ok && i < m->ndeps; i++)
    if (!strcmp(m->deps[i].name, m->name))
      ok = fail_at(&c, m->deps[i].line, m->deps[i].col, "a package cannot depend on itself");
  if (ok) ok = check_features(&c, root);
  if (!ok) {
    toml_free(&m->doc);
    memset(m, 0, sizeof *m);
    return false;
  }
  m->filename = filename;
  return true;
}

bool pkg_manifest_load(pkg_manifest *m, const char *path, util_error *err) {
  uint8_t *data;
  size_t len;
  util_error_clear(err);
  memset(m, 0, sizeof *m);
  if (!util_read_file(path, &data, &len, err)) return false;
  bool ok = pkg_manifest_parse(m, (const char *)data, len, path, err);
  free(data);
  return ok;
}

void pkg_manifest_free(pkg_manifest *m) {
  toml_free(&m->doc);
  memset(m, 0, sizeof *m);
}

const pkg_dep *pkg_manifest_dep(const pkg_manifest *m, const char *name) {
  for (size_t i = 0; i < m->ndeps; i++)
    if (!strcmp(m->deps[i].name, name)) return &m->deps[i];
  return NULL;
}

const pkg_feature *pkg_manifest_feature(const pkg_manifest *m, const char *name) {
  for (size_t i = 0; i < m->nfeatures; i++)
    if (!strcmp(m->features[i].name, name)) return &m->features[i];
  return NULL;
}

static int by_path(const void *a, const void *b) {
  return strcmp((*(const pkg_file *const *)a)->path, (*(const pkg_file *const *)b)->path);
}

bool pkg_manifest_checksum(const pkg_manifest *m, char out[72]) {
  const pkg_file *small[64];
  const pkg_file **order = m->nfiles <= 64 ? small : util_try_malloc(m->nfiles * sizeof *order);
  util_sha256 s;
  util_sha256_init(&s);
  if (!order) return false;
  for (size_t i = 0; i < m->nfiles; i++) order[i] = &m->files[i];
  qsort(order, m->nfiles, sizeof *order, by_path);
  for (size_t i = 0; i < m->nfiles; i++) {
    const pkg_file *f = order[i];
    char line[64 + 32];
    int n = snprintf(line, sizeof line, "%s %llu ", f->sha256, (unsigned long long)f->size);
    util_sha256_update(&s, line, (size_t)n);
    util_sha256_update(&s, f->path, strlen(f->path));
    util_sha256_update(&s, "\n", 1);
  }
  if (order != small) free(order);
  uint8_t d[32];
  util_sha256_final(&s, d);
  memcpy(out, "sha256:", 7);
  for (int i = 0; i < 32; i++) {
    out[7 + 2 * i] = "0123456789abcdef"[d[i] >> 4];
    out[8 + 2 * i] = "0123456789abcdef"[d[i] & 15];
  }
  out[71] = '\0';
  return true;
}

/* weld.lock and `weld pkg install` (install.h). */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/install.h"
#include "util/sha256.h"
#include "util/toml.h"

/* ---------- weld.lock ---------- */

void pkg_lock_free(pkg_lock *lock) {
  for (size_t i = 0; i < lock->n; i++) {
    pkg_lock_entry *e = &lock->e[i];
    free(e->name);
    oci_strings_free(e->features, e->nfeatures);
    oci_strings_free(e->deps, e->ndeps);
  }
  free(lock->e);
  memset(lock, 0, sizeof *lock);
}

static bool lock_fail(util_error *err, const char *path, const toml_value *v, const char *msg, const char *key) {
  util_fail(err, UTIL_ERR_USAGE, -1, "%s:%d:%d: %s%s%s", path, v ? v->line : 1, v ? v->col : 1, msg, key ? " " : "",
            key ? key : "");
  return false;
}

static bool lock_strings(const toml_kv *kv, char ***out, size_t *n, const char *path, util_error *err) {
  if (kv->val->type != TOML_ARRAY) return lock_fail(err, path, kv->val, "expected an array of strings for", kv->key);
  for (size_t i = 0; i < kv->val->nitems; i++) {
    if (kv->val->items[i]->type != TOML_STRING) return lock_fail(err, path, kv->val->items[i], "expected a string in", kv->key);
    if (!oci_strings_push(out, n, kv->val->items[i]->str)) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  return true;
}

bool pkg_lock_load(pkg_lock *lock, const char *path, bool *exists, util_error *err) {
  memset(lock, 0, sizeof *lock);
  toml_doc doc;
  bool ok = toml_parse_file(&doc, path, NULL, exists, err);
  if (ok && !*exists) {
    toml_free(&doc);
    return true;
  }
  const toml_value *ver = ok ? toml_get(doc.root, "version") : NULL, *pk = ok ? toml_get(doc.root, "package") : NULL;
  if (ok && (!ver || ver->type != TOML_INT || ver->i != 1))
    ok = lock_fail(err, path, ver, "weld.lock needs 'version = 1' (written by another weld?)", NULL);
  if (ok && pk && (pk->type != TOML_ARRAY || !pk->table_array)) ok = lock_fail(err, path, pk, "expected [[package]]", NULL);
  size_t np = ok && pk ? pk->nitems : 0;
  if (ok && np && !(lock->e = util_try_calloc(np, sizeof *lock->e))) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  for (size_t i = 0; ok && i < np; i++) {
    const toml_value *t = pk->items[i];
    pkg_lock_entry *le = &lock->e[lock->n++];
    bool have_version = false;
    for (size_t k = 0; ok && k < t->nkvs; k++) {
      const toml_kv *kv = &t->kvs[k];
      const toml_value *v = kv->val;
      bool str = v->type == TOML_STRING;
      if (!strcmp(kv->key, "name") && str) {
        if (!(le->name = util_try_strdup(v->str))) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
      } else if (!strcmp(kv->key, "version") && str) {
        char why[160];
        if (!semver_parse(v->str, &le->version, why, sizeof why)) ok = lock_fail(err, path, v, "bad version:", why);
        have_version = true;
      } else if ((!strcmp(kv->key, "manifest") || !strcmp(kv->key, "component")) && str) {
        if (!oci_digest_valid(v->str)) ok = lock_fail(err, path, v, "expected sha256:HEX for", kv->key);
        else strcpy(kv->key[0] == 'm' ? le->manifest : le->component, v->str);
      } else if (!strcmp(kv->key, "size") && v->type == TOML_INT && v->i >= 0) {
        le->size = (uint64_t)v->i;
      } else if (!strcmp(kv->key, "features")) {
        ok = lock_strings(kv, &le->features, &le->nfeatures, path, err);
      } else if (!strcmp(kv->key, "dependencies")) {
        ok = lock_strings(kv, &le->deps, &le->ndeps, path, err);
      } else {
        ok = lock_fail(err, path, v, "unknown or mistyped key", kv->key);
      }
    }
    if (ok && (!le->name || !have_version)) ok = lock_fail(err, path, t, "[[package]] needs a name and a version", NULL);
  }
  toml_free(&doc);
  if (!ok) pkg_lock_free(lock);
  return ok;
}

const pkg_lock_entry *pkg_lock_find(const pkg_lock *lock, const char *name, const semver *v) {
  for (size_t i = 0; i < lock->n; i++)
    if (!strcmp(lock->e[i].name, name) && !semver_cmp(&lock->e[i].version, v) &&
        !strcmp(lock->e[i].version.build, v->build))
      return &lock->e[i];
  return NULL;
}

/* ---------- writing the lock ---------- */

typedef struct sbuf {
  char *p;
  size_t n, cap;
  bool oom;
} sbuf;

__attribute__((format(printf, 2, 3))) static void sb_printf(sbuf *b, const char *fmt, ...) {
  if (b->oom) return;
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int w = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (w < 0) {
      b->oom = true;
      return;
    }
    if (b->p && b->n + (size_t)w < b->cap) {
      b->n += (size_t)w;
      return;
    }
    size_t nc = b->cap ? b->cap * 2 : 1024;
    while (nc < b->n + (size_t)w + 1) nc *= 2;
    char *p = util_try_realloc(b->p, nc);
    if (!p) {
      b->oom = true;
      return;
    }
    b->p = p, b->cap = nc;
  }
}

static void sb_strlist(sbuf *b, const char *key, const char *const *s, size_t n) {
  sb_printf(b, "%s = [", key);
  for (size_t i = 0; i < n; i++) sb_printf(b, "%s\"%s\"", i ? ", " : "", s[i]);
  sb_printf(b, "]\n");
}

static int cmp_nodes(const pkg_resolution *r, size_t a, size_t b) {
  if (!a || !b) return a ? 1 : b ? -1 : 0; /* the root first */
  int c = strcmp(r->pkgs[a].name, r->pkgs[b].name);
  return c ? c : semver_cmp(&r->pkgs[a].version, &r->pkgs[b].version);
}

static int by_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* The lock text for a resolution; rels[i] is node i's release (NULL for the root). */
static char *lock_text(const pkg_resolution *res, const pkg_release *const *rels, util_error *err) {
  sbuf b = {0};
  sb_printf(&b, "# weld.lock: the exact versions `weld pkg install` chose. Written by weld; do not edit.\nversion = 1\n");
  size_t *order = util_try_malloc(res->n * sizeof *order);
  if (!order) {
    util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    return NULL;
  }
  for (size_t i = 0; i < res->n; i++) order[i] = i;
  for (size_t a = 1; a < res->n; a++)
    for (size_t k = a; k > 0 && cmp_nodes(res, order[k - 1], order[k]) > 0; k--) {
      size_t t = order[k - 1];
      order[k - 1] = order[k];
      order[k] = t;
    }
  for (size_t oi = 0; oi < res->n; oi++) {
    size_t i = order[oi];
    const pkg_resolved *p = &res->pkgs[i];
    char vt[300];
    sb_printf(&b, "\n[[package]]\nname = \"%s\"\nversion = \"%s\"\n", p->name, semver_format(&p->version, vt, sizeof vt));
    if (rels[i]) {
      sb_printf(&b, "manifest = \"%s\"\ncomponent = \"%s\"\nsize = %llu\n", rels[i]->manifest_digest,
                rels[i]->wasm_digest, (unsigned long long)rels[i]->wasm_size);
    }
    if (p->nfeatures) sb_strlist(&b, "features", p->features, p->nfeatures);
    if (p->ndeps) {
      char **deps = util_try_calloc(p->ndeps, sizeof *deps);
      bool ok = deps != NULL;
      for (size_t k = 0; ok && k < p->ndeps; k++) {
        const pkg_resolved *d = &res->pkgs[p->deps[k]];
        char dv[300], line[600];
        snprintf(line, sizeof line, "%s %s", d->name, semver_format(&d->version, dv, sizeof dv));
        ok = (deps[k] = util_try_strdup(line)) != NULL;
      }
      if (ok) {
        qsort(deps, p->ndeps, sizeof *deps, by_str);
        sb_strlist(&b, "dependencies", (const char *const *)deps, p->ndeps);
      } else {
        b.oom = true;
      }
      for (size_t k = 0; deps && k < p->ndeps; k++) free(deps[k]);
      free(deps);
    }
  }
  free(order);
  if (b.oom) {
    free(b.p);
    util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    return NULL;
  }
  return b.p;
}

/* ---------- installing ---------- */

bool pkg_rm_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st)) return errno == ENOENT;
  if (!S_ISDIR(st.st_mode)) return unlink(path) == 0;
  DIR *d = opendir(path);
  if (!d) return false;
  struct dirent *de;
  bool ok = true;
  while ((de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", path, de->d_name);
    ok &= pkg_rm_tree(p);
  }
  closedir(d);
  return ok && rmdir(path) == 0;
}

/* The package's own component.toml may list its component file with a sha256. */
static bool check_file_entry(const pkg_release *rel, util_error *err) {
  const pkg_manifest *m = &rel->manifest;
  const char *comp = m->component ? m->component : NULL;
  for (size_t i = 0; comp && i < m->nfiles; i++)
    if (!strcmp(m->files[i].path, comp) &&
        (strcmp(m->files[i].sha256, rel->wasm_digest + 7) || m->files[i].size != rel->wasm_size)) {
      char vt[300];
      return util_fail(err, UTIL_ERR_MALFORMED, -1,
                       "%s %s: its component.toml lists %s with sha256 %s, but the registry's layer is %s; refusing it",
                       rel->name, semver_format(&rel->version, vt, sizeof vt), comp, m->files[i].sha256, rel->wasm_digest);
    }
  return true;
}

/* Two lock texts say the same, manifest digests aside: yanking a version (or an
 * un-yank) republishes its OCI manifest with another annotation, the package unchanged. */
static bool same_lock(const char *a, size_t alen, const char *b) {
  const char *ae = a + alen, *be = b + strlen(b);
  for (;;) {
    while (a < ae && !strncmp(a, "manifest = ", 11)) a = memchr(a, '\n', (size_t)(ae - a)) ? (const char *)memchr(a, '\n', (size_t)(ae - a)) + 1 : ae;
    while (b < be && !strncmp(b, "manifest = ", 11)) b = strchr(b, '\n') ? strchr(b, '\n') + 1 : be;
    if (a >= ae || b >= be) return a >= ae && b >= be;
    const char *an = memchr(a, '\n', (size_t)(ae - a)), *bn = strchr(b, '\n');
    size_t al = an ? (size_t)(an - a) + 1 : (size_t)(ae - a), bl = bn ? (size_t)(bn - b) + 1 : (size_t)(be - b);
    if (al != bl || memcmp(a, b, al)) return false;
    a += al, b += bl;
  }
}

bool pkg_install(pkg_registry *reg, const pkg_install_opts *opts, util_error *err) {
  char mpath[4200], lpath[4200];
  snprintf(mpath, sizeof mpath, "%s/component.toml", opts->project);
  snprintf(lpath, sizeof lpath, "%s/weld.lock", opts->project);
  pkg_manifest root;
  if (!pkg_manifest_load(&root, mpath, err)) return false;
  pkg_lock lock;
  bool have_lock;
  if (!pkg_lock_load(&lock, lpath, &have_lock, err)) {
    pkg_manifest_free(&root);
    return false;
  }
  pkg_pin *pins = util_try_calloc(lock.n + 1, sizeof *pins);
  bool ok = pins != NULL;
  if (!ok) util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  for (size_t i = 0; ok && i < lock.n; i++) pins[i] = (pkg_pin){lock.e[i].name, lock.e[i].version};
  pkg_source src = pkg_registry_source(reg);
  pkg_resolve_opts ro = {opts->features, opts->nfeatures, opts->no_default_features, pins, lock.n, 0};
  pkg_resolution res = {0};
  if (ok) ok = pkg_resolve(&root, &src, &ro, &res, err);
  const pkg_release **rels = ok ? util_try_calloc(res.n, sizeof *rels) : NULL;
  if (ok && !rels) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  for (size_t i = 1; ok && i < res.n; i++) {
    rels[i] = pkg_registry_release(reg, res.pkgs[i].name, &res.pkgs[i].version, err);
    if (!rels[i]) ok = false;
  }
  /* a locked version must still be the same bytes */
  for (size_t i = 1; ok && i < res.n; i++) {
    const pkg_lock_entry *le = pkg_lock_find(&lock, rels[i]->name, &rels[i]->version);
    if (le && *le->component && strcmp(le->component, rels[i]->wasm_digest)) {
      char vt[300];
      ok = util_fail(err, UTIL_ERR_MALFORMED, -1,
                     "%s %s: the registry now serves component %s, but weld.lock recorded %s; refusing it",
                     rels[i]->name, semver_format(&rels[i]->version, vt, sizeof vt), rels[i]->wasm_digest, le->component);
    }
  }
  /* signatures before any blob is fetched: they name the digests the blobs must have */
  const pkg_pubkey **signers = ok ? util_try_calloc(res.n, sizeof *signers) : NULL;
  if (ok && !signers) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  for (size_t i = 1; ok && i < res.n; i++)
    ok = pkg_check_signature(rels[i], opts->trusted, opts->ntrusted, opts->require_signatures, &signers[i], err);
  char *text = ok ? lock_text(&res, (const pkg_release *const *)rels, err) : NULL;
  if (ok && !text) ok = false;
  if (ok && opts->locked) {
    uint8_t *old = NULL;
    size_t oldlen = 0;
    util_error e;
    util_error_clear(&e);
    if (!have_lock) {
      ok = util_fail(err, UTIL_ERR_USAGE, -1, "--locked: there is no weld.lock in %s", opts->project);
    } else if (!util_read_file(lpath, &old, &oldlen, &e) || !same_lock((const char *)old, oldlen, text)) {
      /* name what changed: the first package whose version is not locked */
      const char *what = "features, dependencies or digests differ";
      char buf[600];
      for (size_t i = 0; i < res.n; i++)
        if (!pkg_lock_find(&lock, res.pkgs[i].name, &res.pkgs[i].version)) {
          char vt[300];
          snprintf(buf, sizeof buf, "%s %s is not in it", res.pkgs[i].name, semver_format(&res.pkgs[i].version, vt, sizeof vt));
          what = buf;
          break;
        }
      ok = util_fail(err, UTIL_ERR_USAGE, -1, "--locked: weld.lock is out of date (%s); run `weld pkg install` without --locked", what);
    }
    free(old);
  }
  /* fetch and verify everything before touching the project */
  char dir[4200], tmpdir[4200], olddir[4200];
  snprintf(dir, sizeof dir, "%s/.weld/packages", opts->project);
  snprintf(tmpdir, sizeof tmpdir, "%s/.weld/packages.new.%ld", opts->project, (long)getpid());
  snprintf(olddir, sizeof olddir, "%s/.weld/packages.old.%ld", opts->project, (long)getpid());
  if (ok) ok = oci_mkdirs(tmpdir, err);
  for (size_t i = 1; ok && i < res.n; i++) {
    uint8_t *wasm;
    size_t wlen;
    char vt[300], pdir[4600], file[4700];
    if (!check_file_entry(rels[i], err) || !pkg_registry_fetch_wasm(reg, rels[i], &wasm, &wlen, err)) {
      ok = false;
      break;
    }
    semver_format(&rels[i]->version, vt, sizeof vt);
    snprintf(pdir, sizeof pdir, "%s/%s/%s", tmpdir, rels[i]->name, vt);
    snprintf(file, sizeof file, "%s/component.wasm", pdir);
    ok = (!opts->check || opts->check(opts->check_ud, rels[i], wasm, wlen, err)) && oci_mkdirs(pdir, err) &&
         oci_write_file_atomic(file, wasm, wlen, err);
    free(wasm);
    if (ok && !opts->quiet)
      printf("installed %s %s (%s)%s%s%s\n", rels[i]->name, vt, rels[i]->wasm_digest, rels[i]->yanked ? " (yanked)" : "",
             signers[i] ? ", signed by " : "", signers[i] ? signers[i]->id : "");
  }
  if (ok) {
    struct stat st;
    bool had = !lstat(dir, &st);
    if (had && rename(dir, olddir)) ok = util_fail(err, UTIL_ERR_IO, -1, "cannot move %s: %s", dir, strerror(errno));
    if (ok && rename(tmpdir, dir)) {
      ok = util_fail(err, UTIL_ERR_IO, -1, "cannot move %s to %s: %s", tmpdir, dir, strerror(errno));
      if (had) rename(olddir, dir);
    }
    if (ok && had) pkg_rm_tree(olddir);
  }
  if (!ok) pkg_rm_tree(tmpdir);
  if (ok && !opts->locked) ok = oci_write_file_atomic(lpath, text, strlen(text), err);
  if (ok && !opts->quiet) printf("%zu package%s installed; weld.lock %s\n", res.n - 1, res.n == 2 ? "" : "s",
                                 opts->locked ? "unchanged" : "written");
  free(text);
  free(rels);
  free(signers);
  pkg_resolution_free(&res);
  free(pins);
  pkg_lock_free(&lock);
  pkg_manifest_free(&root);
  return ok;
}

bool pkg_verify_installed(const char *project, size_t *checked, util_error *err) {
  char lpath[4200];
  snprintf(lpath, sizeof lpath, "%s/weld.lock", project);
  pkg_lock lock;
  bool exists;
  *checked = 0;
  if (!pkg_lock_load(&lock, lpath, &exists, err)) return false;
  if (!exists) return util_fail(err, UTIL_ERR_USAGE, -1, "no weld.lock in %s: run `weld pkg install` first", project);
  bool ok = true;
  for (size_t i = 0; ok && i < lock.n; i++) {
    const pkg_lock_entry *e = &lock.e[i];
    if (!*e->component) continue;
    char vt[300], file[4700];
    semver_format(&e->version, vt, sizeof vt);
    snprintf(file, sizeof file, "%s/.weld/packages/%s/%s/component.wasm", project, e->name, vt);
    uint8_t *data;
    size_t len;
    if (!util_read_file(file, &data, &len, err)) {
      ok = false;
      break;
    }
    char what[9600];
    snprintf(what, sizeof what, "%s %s (%s)", e->name, vt, file);
    ok = oci_digest_check(data, len, e->component, what, err);
    free(data);
    if (ok) {
      printf("ok %s %s\n", e->name, vt);
      (*checked)++;
    }
  }
  pkg_lock_free(&lock);
  return ok;
}

bool pkg_check_signature(const pkg_release *rel, const pkg_pubkey *trusted, size_t ntrusted, bool required,
                         const pkg_pubkey **signer, util_error *err) {
  char vt[300];
  semver_format(&rel->version, vt, sizeof vt);
  *signer = NULL;
  if (!rel->signature) {
    if (required)
      return util_fail(err, UTIL_ERR_USAGE, -1, "%s %s is not signed, and signatures are required (refusing it)", rel->name, vt);
    return true;
  }
  pkg_pubkey k;
  if (!pkg_key_from_base64(rel->signature_key, &k)) {
    if (!pkg_sign_supported())
      return required ? pkg_sign_need(err) : true;
    return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s %s: its %s annotation is not an ed25519 public key", rel->name, vt,
                     PKG_ANN_SIGNATURE_KEY);
  }
  const pkg_pubkey *t = NULL;
  for (size_t i = 0; i < ntrusted && !t; i++)
    if (!memcmp(trusted[i].pk, k.pk, sizeof k.pk)) t = &trusted[i];
  if (!t) {
    if (required)
      return util_fail(err, UTIL_ERR_USAGE, -1, "%s %s is signed by key %s, which is not a trusted key (refusing it)", rel->name,
                       vt, k.id);
    return true;
  }
  char st[1024];
  pkg_release_statement(rel, st, sizeof st);
  if (!pkg_sign_verify(t, st, rel->signature))
    return util_fail(err, UTIL_ERR_MALFORMED, -1,
                     "%s %s: the signature by key %s does not verify: the package was changed after it was signed (refusing it)",
                     rel->name, vt, t->id);
  *signer = t;
  return true;
}

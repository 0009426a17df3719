/* Packages as Wasm OCI artifacts (registry.h). Releases are read once per run and kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "pkg/registry.h"

struct pkg_known {
  char *name;
  pkg_release **rels; /* newest first */
  size_t n;
  semver *vers;
  bool *yanked;
};

bool pkg_registry_open(pkg_registry *reg, const char *where, const oci_registry_opts *opts, util_error *err) {
  memset(reg, 0, sizeof *reg);
  oci_cache_dir(reg->cache, sizeof reg->cache);
  reg->oci = oci_registry_open(where, opts, err);
  return reg->oci != NULL;
}

static void release_free(pkg_release *r) {
  if (!r) return;
  free(r->name);
  free(r->description);
  free(r->signature);
  free(r->signature_key);
  pkg_manifest_free(&r->manifest);
  free(r);
}

void pkg_registry_close(pkg_registry *reg) {
  for (size_t i = 0; i < reg->nknown; i++) {
    pkg_known *k = &reg->known[i];
    for (size_t j = 0; j < k->n; j++) release_free(k->rels[j]);
    free(k->rels);
    free(k->vers);
    free(k->yanked);
    free(k->name);
  }
  free(reg->known);
  oci_registry_close(reg->oci);
  memset(reg, 0, sizeof *reg);
}

void pkg_version_tag(const semver *v, char *buf, size_t n) {
  semver_format(v, buf, n);
  for (char *p = buf; *p; p++)
    if (*p == '+') *p = '_';
}

bool pkg_tag_version(const char *tag, semver *v) {
  char buf[300], why[100];
  if (strlen(tag) >= sizeof buf) return false;
  strcpy(buf, tag);
  for (char *p = buf; *p; p++)
    if (*p == '_') *p = '+';
  return semver_parse(buf, v, why, sizeof why);
}

/* Reads one release from its manifest. */
static pkg_release *load_release(pkg_registry *reg, const char *name, const char *tag, const semver *v,
                                 util_error *err) {
  uint8_t *bytes;
  size_t len;
  bool missing;
  char digest[OCI_DIGEST_MAX];
  if (!oci_get_manifest(reg->oci, name, tag, &bytes, &len, digest, &missing, err)) return NULL;
  char what[400];
  snprintf(what, sizeof what, "%s:%s: manifest", name, tag);
  oci_manifest om;
  bool ok = oci_manifest_parse(&om, bytes, len, what, err);
  free(bytes);
  if (!ok) return NULL;
  pkg_release *r = util_try_calloc(1, sizeof *r);
  if (!r || !(r->name = util_try_strdup(name))) {
    free(r);
    oci_manifest_free(&om);
    util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    return NULL;
  }
  r->version = *v;
  snprintf(r->tag, sizeof r->tag, "%s", tag);
  memcpy(r->manifest_digest, digest, sizeof digest);
  const oci_descriptor *wasm = NULL, *toml = NULL;
  for (size_t i = 0; i < om.nlayers; i++) {
    if (!strcmp(om.layers[i].media_type, OCI_MT_WASM)) {
      if (wasm) ok = util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: more than one application/wasm layer", what);
      wasm = &om.layers[i];
    } else if (!strcmp(om.layers[i].media_type, PKG_MT_MANIFEST)) {
      toml = &om.layers[i];
    }
  }
  if (ok && !wasm) ok = util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: no application/wasm layer (not a WebAssembly package)", what);
  if (ok) {
    memcpy(r->wasm_digest, wasm->digest, OCI_DIGEST_MAX);
    r->wasm_size = wasm->size;
    const char *y = oci_manifest_annotation(&om, PKG_ANN_YANKED);
    r->yanked = y && !strcmp(y, "true");
    const char *d = oci_manifest_annotation(&om, "org.opencontainers.image.description");
    if (d && !(r->description = util_try_strdup(d))) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    const char *s = oci_manifest_annotation(&om, PKG_ANN_SIGNATURE), *sk = oci_manifest_annotation(&om, PKG_ANN_SIGNATURE_KEY);
    if (ok && s && sk && (!(r->signature = util_try_strdup(s)) || !(r->signature_key = util_try_strdup(sk))))
      ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    if (toml) memcpy(r->toml_digest, toml->digest, OCI_DIGEST_MAX);
  }
  if (ok && !strcmp(om.config.media_type, OCI_MT_WASM_CONFIG)) {
    uint8_t *cfg;
    size_t clen;
    if (!oci_cache_fetch(reg->oci, reg->cache, name, om.config.digest, &cfg, &clen, err)) {
      ok = false;
    } else {
      json_doc doc;
      char cw[450];
      snprintf(cw, sizeof cw, "%s: config", what);
      if (json_parse(&doc, (const char *)cfg, clen, cw, err)) {
        const char *os = json_get_str(doc.root, "os");
        r->is_component = os && !strcmp(os, "wasip2");
      } else {
        ok = false;
      }
      json_free(&doc);
      free(cfg);
    }
  }
  char vt[300];
  semver_format(v, vt, sizeof vt);
  char fname[400];
  snprintf(fname, sizeof fname, "%s@%s/component.toml", name, vt);
  if (ok && toml) {
    uint8_t *t;
    size_t tlen;
    if (!oci_cache_fetch(reg->oci, reg->cache, name, toml->digest, &t, &tlen, err)) {
      ok = false;
    } else {
      /* the manifest keeps its file name for its error messages */
      char *fn = util_try_strdup(fname);
      if (!fn) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
      else ok = pkg_manifest_parse(&r->manifest, (const char *)t, tlen, fn, err);
      free(t);
      if (ok) {
        r->manifest.filename = NULL; /* fn is freed below; messages after parsing name the package */
        if (strcmp(r->manifest.name, name) || semver_cmp(&r->manifest.version, v) ||
            strcmp(r->manifest.version.build, v->build))
          ok = util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: the package's component.toml names %s %s",
                         what, r->manifest.name, semver_format(&r->manifest.version, vt, sizeof vt));
      }
      free(fn);
    }
  } else if (ok) {
    char text[600];
    snprintf(text, sizeof text, "[package]\nname = \"%s\"\nversion = \"%s\"\n", name, vt);
    ok = pkg_manifest_parse(&r->manifest, text, strlen(text), "component.toml", err);
    if (ok) r->manifest.filename = NULL;
  }
  oci_manifest_free(&om);
  if (!ok) {
    release_free(r);
    return NULL;
  }
  return r;
}

static int newest_first(const void *a, const void *b) {
  return semver_cmp(&(*(pkg_release *const *)b)->version, &(*(pkg_release *const *)a)->version);
}

static pkg_known *known(pkg_registry *reg, const char *name, util_error *err) {
  for (size_t i = 0; i < reg->nknown; i++)
    if (!strcmp(reg->known[i].name, name)) return &reg->known[i];
  if (!pkg_name_valid(name)) {
    util_fail(err, UTIL_ERR_USAGE, -1, "\"%s\" is not a valid package name", name);
    return NULL;
  }
  char **tags;
  size_t ntags;
  if (!oci_list_tags(reg->oci, name, &tags, &ntags, err)) return NULL;
  pkg_known k = {0};
  bool ok = (k.name = util_try_strdup(name)) && (k.rels = util_try_calloc(ntags + 1, sizeof *k.rels));
  if (!ok) util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  for (size_t i = 0; ok && i < ntags; i++) {
    semver v;
    if (!pkg_tag_version(tags[i], &v)) continue; /* "latest" and other tags that are no versions */
    pkg_release *r = load_release(reg, name, tags[i], &v, err);
    if (!r) ok = false;
    else k.rels[k.n++] = r;
  }
  oci_strings_free(tags, ntags);
  if (ok) {
    qsort(k.rels, k.n, sizeof *k.rels, newest_first);
    k.vers = util_try_calloc(k.n + 1, sizeof *k.vers);
    k.yanked = util_try_calloc(k.n + 1, sizeof *k.yanked);
    if (!k.vers || !k.yanked) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    for (size_t i = 0; ok && i < k.n; i++) k.vers[i] = k.rels[i]->version, k.yanked[i] = k.rels[i]->yanked;
  }
  pkg_known *grown = ok ? util_try_realloc(reg->known, (reg->nknown + 1) * sizeof *grown) : NULL;
  if (ok && !grown) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  if (!ok) {
    for (size_t j = 0; j < k.n; j++) release_free(k.rels[j]);
    free(k.rels), free(k.vers), free(k.yanked), free(k.name);
    return NULL;
  }
  reg->known = grown;
  reg->known[reg->nknown] = k;
  return &reg->known[reg->nknown++];
}

bool pkg_registry_releases(pkg_registry *reg, const char *name, const pkg_release *const **out, size_t *n,
                           util_error *err) {
  pkg_known *k = known(reg, name, err);
  if (!k) return false;
  *out = (const pkg_release *const *)k->rels;
  *n = k->n;
  return true;
}

const pkg_release *pkg_registry_release(pkg_registry *reg, const char *name, const semver *v, util_error *err) {
  pkg_known *k = known(reg, name, err);
  if (!k) return NULL;
  for (size_t i = 0; i < k->n; i++)
    if (!semver_cmp(&k->rels[i]->version, v) && !strcmp(k->rels[i]->version.build, v->build)) return k->rels[i];
  char vt[300];
  util_fail(err, UTIL_ERR_IO, -1, "%s %s is not in the registry %s", name, semver_format(v, vt, sizeof vt),
            oci_registry_where(reg->oci));
  return NULL;
}

static bool src_versions(void *ctx, const char *name, const semver **vers, const bool **yanked, size_t *n,
                         util_error *err) {
  pkg_known *k = known(ctx, name, err);
  if (!k) return false;
  *vers = k->vers, *yanked = k->yanked, *n = k->n;
  return true;
}

static const pkg_manifest *src_manifest(void *ctx, const char *name, const semver *v, util_error *err) {
  const pkg_release *r = pkg_registry_release(ctx, name, v, err);
  return r ? &r->manifest : NULL;
}

pkg_source pkg_registry_source(pkg_registry *reg) { return (pkg_source){reg, src_versions, src_manifest}; }

bool pkg_registry_fetch_wasm(pkg_registry *reg, const pkg_release *rel, uint8_t **bytes, size_t *len, util_error *err) {
  return oci_cache_fetch(reg->oci, reg->cache, rel->name, rel->wasm_digest, bytes, len, err);
}

/* ---------- publishing ---------- */

static bool make_config(const pkg_manifest *m, const char *wasm_digest, bool is_component, json_buf *b) {
  json_obj_begin(b);
  json_key(b, "architecture");
  json_str(b, "wasm");
  json_key(b, "os");
  json_str(b, is_component ? "wasip2" : "wasip1");
  if (m->nauthors) {
    json_key(b, "author");
    json_str(b, m->authors[0]);
  }
  json_key(b, "layerDigests");
  json_arr_begin(b);
  json_str(b, wasm_digest);
  json_arr_end(b);
  if (is_component) {
    json_key(b, "component");
    json_obj_begin(b);
    for (int exp = 1; exp >= 0; exp--) {
      json_key(b, exp ? "exports" : "imports");
      json_arr_begin(b);
      for (size_t i = 0; i < m->ninterfaces; i++)
        if (m->interfaces[i].is_export == (exp == 1)) json_str(b, m->interfaces[i].name);
      json_arr_end(b);
    }
    json_obj_end(b);
  }
  json_obj_end(b);
  return !b->out.oom;
}

bool pkg_publish(pkg_registry *reg, const pkg_manifest *m, const char *toml, size_t toml_len, const uint8_t *wasm,
                 size_t wasm_len, bool is_component, const pkg_seckey *key, char digest[OCI_DIGEST_MAX],
                 util_error *err) {
  char tag[300], vt[300];
  pkg_version_tag(&m->version, tag, sizeof tag);
  semver_format(&m->version, vt, sizeof vt);
  if (!oci_tag_valid(tag)) return util_fail(err, UTIL_ERR_USAGE, -1, "version %s is too long for a registry tag", vt);
  uint8_t *old;
  size_t oldlen;
  bool missing;
  char od[OCI_DIGEST_MAX];
  util_error e;
  util_error_clear(&e);
  if (oci_get_manifest(reg->oci, m->name, tag, &old, &oldlen, od, &missing, &e)) {
    free(old);
    return util_fail(err, UTIL_ERR_USAGE, -1, "%s %s is already published in %s (versions cannot be replaced; publish a new one)",
                     m->name, vt, oci_registry_where(reg->oci));
  }
  if (!missing) {
    *err = e;
    return false;
  }
  oci_manifest om = {0};
  bool ok = true;
  oci_descriptor layers[2];
  memset(layers, 0, sizeof layers);
  strcpy(layers[0].media_type, OCI_MT_WASM);
  layers[0].size = wasm_len;
  strcpy(layers[1].media_type, PKG_MT_MANIFEST);
  layers[1].size = toml_len;
  ok = oci_put_blob(reg->oci, m->name, wasm, wasm_len, layers[0].digest, err) &&
       oci_put_blob(reg->oci, m->name, (const uint8_t *)toml, toml_len, layers[1].digest, err);
  json_buf cfg = {0};
  if (ok && !make_config(m, layers[0].digest, is_component, &cfg)) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  if (ok) {
    strcpy(om.config.media_type, OCI_MT_WASM_CONFIG);
    om.config.size = cfg.out.len;
    ok = oci_put_blob(reg->oci, m->name, cfg.out.p, cfg.out.len, om.config.digest, err);
  }
  json_buf_free(&cfg);
  if (ok) {
    strcpy(om.media_type, OCI_MT_MANIFEST);
    om.layers = layers;
    om.nlayers = 2;
    char authors[1024] = "";
    for (size_t i = 0, k = 0; i < m->nauthors && k < sizeof authors; i++) {
      int w = snprintf(authors + k, sizeof authors - k, "%s%s", i ? ", " : "", m->authors[i]);
      if (w > 0) k += (size_t)w;
    }
    ok = oci_manifest_annotate(&om, "org.opencontainers.image.title", m->name) &&
         oci_manifest_annotate(&om, "org.opencontainers.image.version", vt) &&
         (!m->description || oci_manifest_annotate(&om, "org.opencontainers.image.description", m->description)) &&
         (!m->license || oci_manifest_annotate(&om, "org.opencontainers.image.licenses", m->license)) &&
         (!m->nauthors || oci_manifest_annotate(&om, "org.opencontainers.image.authors", authors));
    if (!ok) util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  if (ok && key) {
    char st[1024], sig[96], pk[48];
    pkg_sign_statement(m->name, vt, layers[0].digest, layers[1].digest, st, sizeof st);
    ok = pkg_sign(key, st, sig, pk, err);
    if (ok && !(oci_manifest_annotate(&om, PKG_ANN_SIGNATURE, sig) && oci_manifest_annotate(&om, PKG_ANN_SIGNATURE_KEY, pk)))
      ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  uint8_t *bytes = NULL;
  size_t len = 0;
  if (ok) ok = oci_manifest_write(&om, &bytes, &len, err);
  if (ok) ok = oci_put_manifest(reg->oci, m->name, tag, bytes, len, digest, err);
  free(bytes);
  om.layers = NULL, om.nlayers = 0;
  oci_manifest_free(&om);
  return ok;
}

bool pkg_yank(pkg_registry *reg, const char *name, const semver *v, bool undo, util_error *err) {
  char tag[300], vt[300];
  pkg_version_tag(v, tag, sizeof tag);
  semver_format(v, vt, sizeof vt);
  uint8_t *bytes;
  size_t len;
  bool missing;
  char digest[OCI_DIGEST_MAX];
  if (!pkg_name_valid(name)) return util_fail(err, UTIL_ERR_USAGE, -1, "\"%s\" is not a valid package name", name);
  if (!oci_get_manifest(reg->oci, name, tag, &bytes, &len, digest, &missing, err)) {
    if (missing) {
      util_error_clear(err);
      util_fail(err, UTIL_ERR_USAGE, -1, "%s %s is not published in %s", name, vt, oci_registry_where(reg->oci));
    }
    return false;
  }
  char what[400];
  snprintf(what, sizeof what, "%s:%s: manifest", name, tag);
  oci_manifest om;
  bool ok = oci_manifest_parse(&om, bytes, len, what, err);
  free(bytes);
  if (!ok) return false;
  bool was = oci_manifest_annotation(&om, PKG_ANN_YANKED) && !strcmp(oci_manifest_annotation(&om, PKG_ANN_YANKED), "true");
  if (was == !undo) {
    oci_manifest_free(&om);
    return true; /* nothing to change */
  }
  ok = oci_manifest_annotate(&om, PKG_ANN_YANKED, undo ? "false" : "true");
  if (!ok) util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  bytes = NULL;
  if (ok) ok = oci_manifest_write(&om, &bytes, &len, err);
  if (ok) ok = oci_put_manifest(reg->oci, name, tag, bytes, len, digest, err);
  free(bytes);
  oci_manifest_free(&om);
  return ok;
}

void pkg_release_statement(const pkg_release *r, char *buf, size_t n) {
  char vt[300];
  semver_format(&r->version, vt, sizeof vt);
  pkg_sign_statement(r->name, vt, r->wasm_digest, r->toml_digest, buf, n);
}

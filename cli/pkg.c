/* weld pkg: the package manager's command line (docs/packages.md). This file holds the
 * dispatch, the registry configuration, and new, add, tree, cache and run; publishing,
 * installing and the rest are in pkg_publish.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg.h"
#include "util/toml.h"

enum {
  O_REGISTRY, O_PROJECT, O_JSON, O_LOCKED, O_UNDO, O_OPTIONAL, O_FEATURES, O_NO_DEFAULT, O_LANG, O_DIR,
  O_SIGN, O_TRUSTED_KEY, O_REQUIRE_SIGNATURES, O_POLICY
};

static const cli_opt pkg_opts[] = {
    {"--registry", "", "URL|DIR", O_REGISTRY}, {"--project", "", "DIR", O_PROJECT},
    {"--json", "", "", O_JSON},              {"--locked", "", "", O_LOCKED},
    {"--undo", "", "", O_UNDO},              {"--optional", "", "", O_OPTIONAL},
    {"--features", "", "LIST", O_FEATURES},  {"--no-default-features", "", "", O_NO_DEFAULT},
    {"--lang", "", "LANG", O_LANG},          {"--dir", "", "DIR", O_DIR},
    {"--sign", "", "KEYFILE", O_SIGN},       {"--trusted-key", "", "FILE", O_TRUSTED_KEY},
    {"--require-signatures", "", "", O_REQUIRE_SIGNATURES}, {"--policy", "", "FILE", O_POLICY},
};

/* Which options each subcommand takes (the names are arrays, not pointers, so the table
 * needs no relocations when the program starts). */
static const struct {
  char name[8];
  unsigned opts;
  int min, max; /* operands */
} subs[] = {
    {"new", 1u << O_LANG | 1u << O_DIR, 1, 1},
    {"add", 1u << O_PROJECT | 1u << O_REGISTRY | 1u << O_OPTIONAL | 1u << O_FEATURES, 1, 1},
    {"install",
     1u << O_PROJECT | 1u << O_REGISTRY | 1u << O_LOCKED | 1u << O_FEATURES | 1u << O_NO_DEFAULT | 1u << O_TRUSTED_KEY |
         1u << O_REQUIRE_SIGNATURES | 1u << O_POLICY,
     0, 0},
    {"tree", 1u << O_PROJECT | 1u << O_JSON, 0, 0},
    {"publish", 1u << O_PROJECT | 1u << O_REGISTRY | 1u << O_SIGN, 0, 0},
    {"keygen", 1u << O_DIR, 1, 1},
    {"build", 1u << O_PROJECT, 0, 0},
    {"yank", 1u << O_REGISTRY | 1u << O_UNDO, 1, 1},
    {"search", 1u << O_REGISTRY | 1u << O_JSON, 0, 1},
    {"verify", 1u << O_PROJECT, 0, 0},
    {"cache", 1u << O_JSON, 0, 1},
    {"run", 1u << O_REGISTRY | 1u << O_TRUSTED_KEY | 1u << O_REQUIRE_SIGNATURES, 1, 64},
};

int pkg_fail(const pkg_cli *c, const util_error *err) {
  fprintf(stderr, "weld: pkg %s: %s\n", c->sub, err->msg);
  if (c->json) { /* a JSON listing that failed is still one JSON document (docs/json.md) */
    char cmd[64];
    snprintf(cmd, sizeof cmd, "pkg %s", c->sub);
    cli_json_error_doc(stdout, cmd, NULL, err);
  }
  return 1;
}

const char **pkg_split_features(const char *s, size_t *n, char **copy) {
  *n = 0;
  *copy = NULL;
  if (!s || !*s) return NULL;
  *copy = strdup(s);
  const char **out = calloc(strlen(s) + 1, sizeof *out);
  if (!*copy || !out) {
    free(*copy), free(out);
    *copy = NULL;
    return NULL;
  }
  for (char *tok = strtok(*copy, ", "); tok; tok = strtok(NULL, ", ")) out[(*n)++] = tok;
  return out;
}

/* ---------- where the registry is ---------- */

static void config_path(char *buf, size_t n) {
  const char *c = getenv("WELD_CONFIG"), *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
  if (c && *c) snprintf(buf, n, "%s", c);
  else if (x && *x) snprintf(buf, n, "%s/weld/config.toml", x);
  else snprintf(buf, n, "%s/.config/weld/config.toml", h && *h ? h : ".");
}

void pkg_config_free(pkg_config *cfg) {
  for (size_t i = 0; i < cfg->ntrusted; i++) free(cfg->trusted_keys[i]);
  free(cfg->trusted_keys);
  cfg->trusted_keys = NULL;
  cfg->ntrusted = 0;
}

#define CONFIG_KEYS \
  "registry = \"URL or DIR\", chunk-size = BYTES, trusted-keys = [\"FILE.pub\", ...], require-signatures = BOOL"

/* A trusted key's path, relative to the configuration file's directory. */
static bool add_trusted(pkg_config *cfg, const char *file, util_error *err) {
  char **t = realloc(cfg->trusted_keys, (cfg->ntrusted + 1) * sizeof *t);
  if (!t) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  cfg->trusted_keys = t;
  const char *slash = strrchr(cfg->path, '/');
  size_t n = strlen(file) + (slash ? (size_t)(slash - cfg->path) : 0) + 2;
  char *p = malloc(n);
  if (!p) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  if (file[0] == '/' || !slash) snprintf(p, n, "%s", file);
  else snprintf(p, n, "%.*s/%s", (int)(slash - cfg->path), cfg->path, file);
  t[cfg->ntrusted++] = p;
  return true;
}

/* The [pkg] table of the configuration file, if there is one. */
bool pkg_read_config(pkg_config *cfg, util_error *err) {
  memset(cfg, 0, sizeof *cfg);
  config_path(cfg->path, sizeof cfg->path);
  const char *path = cfg->path;
  toml_doc doc;
  bool exists;
  bool ok = toml_parse_file(&doc, path, NULL, &exists, err);
  for (size_t i = 0; ok && i < doc.root->nkvs; i++) {
    const toml_kv *kv = &doc.root->kvs[i];
    if (strcmp(kv->key, "pkg") || kv->val->type != TOML_TABLE) {
      ok = util_fail(err, UTIL_ERR_USAGE, -1, "%s:%d:%d: unknown key '%s' (known: [pkg])", path, kv->line, kv->col, kv->key);
      break;
    }
    for (size_t k = 0; ok && k < kv->val->nkvs; k++) {
      const toml_kv *e2 = &kv->val->kvs[k];
      const toml_value *v = e2->val;
      if (!strcmp(e2->key, "registry") && v->type == TOML_STRING && v->len) {
        snprintf(cfg->registry, sizeof cfg->registry, "%s", v->str);
      } else if (!strcmp(e2->key, "chunk-size") && v->type == TOML_INT && v->i >= 0) {
        cfg->chunk = (size_t)v->i;
      } else if (!strcmp(e2->key, "require-signatures") && v->type == TOML_BOOL) {
        cfg->require_signatures = v->b;
      } else if (!strcmp(e2->key, "trusted-keys") && v->type == TOML_ARRAY) {
        for (size_t x = 0; ok && x < v->nitems; x++) {
          const toml_value *it = v->items[x];
          if (it->type != TOML_STRING || !it->len)
            ok = util_fail(err, UTIL_ERR_USAGE, -1, "%s:%d:%d: trusted-keys holds file names (strings)", path, it->line, it->col);
          else ok = add_trusted(cfg, it->str, err);
        }
      } else {
        ok = util_fail(err, UTIL_ERR_USAGE, -1, "%s:%d:%d: unknown or mistyped key '%s' in [pkg] (known: " CONFIG_KEYS ")",
                       path, e2->line, e2->col, e2->key);
      }
    }
  }
  toml_free(&doc);
  if (!exists) cfg->path[0] = '\0';
  if (!ok) pkg_config_free(cfg);
  return ok;
}

bool pkg_open_registry(const pkg_cli *c, pkg_registry *reg, util_error *err) {
  pkg_config cfg;
  if (!pkg_read_config(&cfg, err)) return false;
  pkg_config_free(&cfg);
  char where[4096];
  size_t chunk = cfg.chunk;
  snprintf(where, sizeof where, "%s", cfg.registry);
  const char *env = getenv("WELD_REGISTRY");
  if (c->registry) snprintf(where, sizeof where, "%s", c->registry);
  else if (env && *env) snprintf(where, sizeof where, "%s", env);
  if (!*where) {
    const char *x = getenv("XDG_DATA_HOME"), *h = getenv("HOME");
    if (x && *x) snprintf(where, sizeof where, "%s/weld/registry", x);
    else snprintf(where, sizeof where, "%s/.local/share/weld/registry", h && *h ? h : ".");
  }
  const char *cs = getenv("WELD_REGISTRY_CHUNK_SIZE");
  if (cs && *cs) chunk = (size_t)strtoull(cs, NULL, 10);
  /* credentials: the environment, else a Docker-style config.json (held for the process's life) */
  static UTIL_COLD_BSS char duser[512], dpass[512];
  const char *user = getenv("WELD_REGISTRY_USERNAME"), *pass = getenv("WELD_REGISTRY_PASSWORD");
  if (!user && (!strncmp(where, "http://", 7) || !strncmp(where, "https://", 8))) {
    bool found;
    if (!oci_docker_credentials(where, duser, sizeof duser, dpass, sizeof dpass, &found, err)) return false;
    if (found) user = duser, pass = dpass;
  }
  /* progress of long transfers (over 1 MiB) when a person watches stderr */
  oci_registry_opts o = {user, pass, chunk, isatty(2) == 1};
  return pkg_registry_open(reg, where, &o, err);
}

/* ---------- new ---------- */

static int cmd_new(const pkg_cli *c) {
  const char *name = c->operands[0];
  if (c->lang && strcmp(c->lang, "c")) {
    fprintf(stderr, "weld: pkg new: not supported: `--lang %s` (weld generates bindings for C: --lang c)\n", c->lang);
    return 1;
  }
  if (!pkg_name_valid(name)) {
    fprintf(stderr, "weld: pkg new: \"%s\" is not a valid package name: lowercase letters, digits, '-' and '_', "
                    "starting with a letter, namespaces separated by '/'\n", name);
    return CLI_EXIT_USAGE;
  }
  const char *last = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
  const char *dir = c->dir ? c->dir : last;
  char path[4200], world[200], ns[200];
  snprintf(path, sizeof path, "%s/component.toml", dir);
  if (!access(path, F_OK)) {
    fprintf(stderr, "weld: pkg new: %s already exists\n", path);
    return 1;
  }
  /* a WIT world: kebab-case names, the package id NAMESPACE:NAME */
  snprintf(world, sizeof world, "%s", last);
  for (char *p = world; *p; p++)
    if (*p == '_') *p = '-';
  if (strchr(name, '/')) snprintf(ns, sizeof ns, "%.*s", (int)(strchr(name, '/') - name), name);
  else snprintf(ns, sizeof ns, "local");
  for (char *p = ns; *p; p++)
    if (*p == '_' || *p == '/') *p = '-';
  char toml[8192], wit[1024], witdir[4200], witpath[4300], cid[200];
  /* the C identifier the bindings use for the world */
  snprintf(cid, sizeof cid, "%s", world);
  for (char *p = cid; *p; p++)
    if (*p == '-') *p = '_';
  int k = snprintf(toml, sizeof toml,
                   "[package]\n"
                   "name = \"%s\"\n"
                   "version = \"0.1.0\"\n"
                   "description = \"\"\n"
                   "component = \"%s.wasm\"\n"
                   "\n"
                   "[[interface]]\n"
                   "kind = \"export\"\n"
                   "name = \"%s:%s/%s\"\n"
                   "wit = \"wit/world.wit\"\n"
                   "world = \"%s\"\n",
                   name, last, ns, world, world, world);
  if (c->lang)
    snprintf(toml + k, sizeof toml - (size_t)k,
             "\n"
             "# `weld pkg build` runs the command with $WELD set to the weld that runs it: bindings\n"
             "# from the WIT world, the C compiled for wasm32-wasi, the core module made a component\n"
             "[build]\n"
             "lang = \"c\"\n"
             "command = \"mkdir -p gen build && \\\"$WELD\\\" wit bindgen --lang c --world %s -o gen wit && clang "
             "--target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry -Igen -o build/core.wasm src/%s.c gen/%s.c && "
             "\\\"$WELD\\\" component new build/core.wasm --wit wit --world %s -o %s.wasm\"\n"
             "output = \"%s.wasm\"\n",
             world, cid, cid, world, last, last);
  snprintf(wit, sizeof wit,
           "package %s:%s@0.1.0;\n"
           "\n"
           "world %s {\n"
           "  export %s: func%s;\n"
           "}\n",
           ns, world, world, c->lang ? "greet" : "run", c->lang ? "(name: string) -> string" : "()");
  util_error err;
  util_error_clear(&err);
  snprintf(witdir, sizeof witdir, "%s/wit", dir);
  snprintf(witpath, sizeof witpath, "%s/world.wit", witdir);
  /* check what we write reads back before writing anything */
  pkg_manifest m;
  if (!pkg_manifest_parse(&m, toml, strlen(toml), path, &err)) return pkg_fail(c, &err);
  pkg_manifest_free(&m);
  if (!oci_mkdirs(witdir, &err) || !oci_write_file_atomic(witpath, wit, strlen(wit), &err)) return pkg_fail(c, &err);
  if (c->lang) {
    char src[2048], srcdir[4200], srcpath[4500];
    snprintf(src, sizeof src,
             "/* The component's code: the functions world %s exports (wit/world.wit), with the\n"
             " * types and glue `weld wit bindgen` writes into gen/. */\n"
             "#include <stdlib.h>\n"
             "#include <string.h>\n"
             "\n"
             "#include \"%s.h\"\n"
             "\n"
             "/* greet: \"hello, \" and the name. The argument is ours to free; the result must come\n"
             " * from malloc (the glue frees it once the caller has read it). */\n"
             "%s_string_t exports_%s_greet(%s_string_t name) {\n"
             "  static const char hi[] = \"hello, \";\n"
             "  %s_string_t out;\n"
             "  out.len = sizeof hi - 1 + name.len;\n"
             "  out.ptr = malloc(out.len);\n"
             "  if (out.ptr) {\n"
             "    memcpy(out.ptr, hi, sizeof hi - 1);\n"
             "    memcpy(out.ptr + sizeof hi - 1, name.ptr, name.len);\n"
             "  } else {\n"
             "    out.len = 0;\n"
             "  }\n"
             "  free(name.ptr);\n"
             "  return out;\n"
             "}\n",
             world, cid, cid, cid, cid, cid);
    snprintf(srcdir, sizeof srcdir, "%s/src", dir);
    snprintf(srcpath, sizeof srcpath, "%s/%s.c", srcdir, cid);
    if (!oci_mkdirs(srcdir, &err) || !oci_write_file_atomic(srcpath, src, strlen(src), &err)) return pkg_fail(c, &err);
  }
  if (!oci_write_file_atomic(path, toml, strlen(toml), &err)) return pkg_fail(c, &err);
  printf("created %s (component.toml, wit/world.wit%s)\n", dir, c->lang ? ", src/*.c; build it with `weld pkg build`" : "");
  return 0;
}

/* ---------- add ---------- */

static int cmd_add(const pkg_cli *c) {
  char spec[512];
  snprintf(spec, sizeof spec, "%s", c->operands[0]);
  char *at = strchr(spec, '@');
  const char *range = NULL;
  if (at) *at = '\0', range = at + 1;
  const char *name = spec;
  util_error err;
  util_error_clear(&err);
  if (!pkg_name_valid(name)) {
    fprintf(stderr, "weld: pkg add: \"%s\" is not a valid package name\n", name);
    return CLI_EXIT_USAGE;
  }
  char rbuf[400];
  semver_req req;
  char why[200];
  if (range && !semver_req_parse(range, &req, why, sizeof why)) {
    fprintf(stderr, "weld: pkg add: bad version requirement \"%s\": %s\n", range, why);
    return CLI_EXIT_USAGE;
  }
  if (!range) { /* the newest release that is neither yanked nor a pre-release */
    pkg_registry reg;
    if (!pkg_open_registry(c, &reg, &err)) return pkg_fail(c, &err);
    const pkg_release *const *rels;
    size_t n;
    if (!pkg_registry_releases(&reg, name, &rels, &n, &err)) {
      pkg_registry_close(&reg);
      return pkg_fail(c, &err);
    }
    for (size_t i = 0; i < n && !range; i++)
      if (!rels[i]->yanked && !*rels[i]->version.pre) {
        char vt[300];
        snprintf(rbuf, sizeof rbuf, "^%s", semver_format(&rels[i]->version, vt, sizeof vt));
        range = rbuf;
      }
    if (!range) {
      fprintf(stderr, "weld: pkg add: no release of %s in %s (give a requirement: %s@^1.0)\n", name,
              oci_registry_where(reg.oci), name);
      pkg_registry_close(&reg);
      return 1;
    }
    pkg_registry_close(&reg);
  }
  char path[4200];
  snprintf(path, sizeof path, "%s/component.toml", c->project);
  uint8_t *data;
  size_t len;
  if (!util_read_file(path, &data, &len, &err)) return pkg_fail(c, &err);
  pkg_manifest m;
  if (!pkg_manifest_parse(&m, (const char *)data, len, path, &err)) {
    free(data);
    return pkg_fail(c, &err);
  }
  /* the new text: the old version value replaced, or a [[dependency]] appended */
  size_t cap = len + 1024 + strlen(c->features ? c->features : "") * 4;
  char *text = malloc(cap);
  size_t k = 0;
  const pkg_dep *d = pkg_manifest_dep(&m, name);
  if (text && d) {
    size_t pos = 0;
    for (int line = 1; line < d->vline && pos < len; pos++)
      if (data[pos] == '\n') line++;
    pos += (size_t)d->vcol - 1; /* the opening quote */
    char q = (char)data[pos];
    size_t end = pos + 1;
    while (end < len && data[end] != (uint8_t)q) end++;
    memcpy(text, data, pos);
    k = pos + (size_t)snprintf(text + pos, cap - pos, "\"%s\"", range);
    memcpy(text + k, data + end + 1, len - end - 1);
    k += len - end - 1;
  } else if (text) {
    memcpy(text, data, len);
    k = len;
    if (k && text[k - 1] != '\n') text[k++] = '\n';
    k += (size_t)snprintf(text + k, cap - k, "\n[[dependency]]\nname = \"%s\"\nversion = \"%s\"\n", name, range);
    if (c->optional) k += (size_t)snprintf(text + k, cap - k, "optional = true\n");
    size_t nf;
    char *copy;
    const char **fs = pkg_split_features(c->features, &nf, &copy);
    if (nf) {
      k += (size_t)snprintf(text + k, cap - k, "features = [");
      for (size_t i = 0; i < nf; i++) k += (size_t)snprintf(text + k, cap - k, "%s\"%s\"", i ? ", " : "", fs[i]);
      k += (size_t)snprintf(text + k, cap - k, "]\n");
    }
    free(fs), free(copy);
  }
  bool had = d != NULL;
  pkg_manifest_free(&m);
  free(data);
  if (!text) {
    fprintf(stderr, "weld: pkg add: out of memory\n");
    return 1;
  }
  pkg_manifest check;
  bool ok = pkg_manifest_parse(&check, text, k, path, &err);
  if (ok) pkg_manifest_free(&check);
  if (ok) ok = oci_write_file_atomic(path, text, k, &err);
  free(text);
  if (!ok) return pkg_fail(c, &err);
  printf("%s %s %s in %s\n", had ? "changed" : "added", name, range, path);
  return 0;
}

/* ---------- tree ---------- */

static const pkg_lock_entry *find_dep(const pkg_lock *lock, const char *spec) {
  char name[300];
  const char *sp = strchr(spec, ' ');
  if (!sp || (size_t)(sp - spec) >= sizeof name) return NULL;
  memcpy(name, spec, (size_t)(sp - spec));
  name[sp - spec] = '\0';
  semver v;
  char why[100];
  if (!semver_parse(sp + 1, &v, why, sizeof why)) return NULL;
  return pkg_lock_find(lock, name, &v);
}

static void tree_print(const pkg_lock *lock, const pkg_lock_entry *e, char *prefix, size_t plen, bool *seen, int depth) {
  for (size_t i = 0; i < e->ndeps; i++) {
    const pkg_lock_entry *d = find_dep(lock, e->deps[i]);
    bool last = i + 1 == e->ndeps;
    printf("%s%s %s", prefix, last ? "└──" : "├──", e->deps[i]);
    if (d && d->nfeatures) {
      printf(" [");
      for (size_t f = 0; f < d->nfeatures; f++) printf("%s%s", f ? ", " : "", d->features[f]);
      printf("]");
    }
    size_t idx = d ? (size_t)(d - lock->e) : 0;
    if (!d) {
      printf(" (not in weld.lock)\n");
      continue;
    }
    if (seen[idx] || depth > 64) {
      printf(" (*)\n");
      continue;
    }
    printf("\n");
    seen[idx] = true;
    size_t add = (size_t)snprintf(prefix + plen, 4096 - plen, "%s", last ? "    " : "│   ");
    tree_print(lock, d, prefix, plen + add, seen, depth + 1);
    prefix[plen] = '\0';
    seen[idx] = false;
  }
}

static int cmd_tree(const pkg_cli *c) {
  char path[4200];
  snprintf(path, sizeof path, "%s/weld.lock", c->project);
  pkg_lock lock;
  bool exists;
  util_error err;
  util_error_clear(&err);
  if (!pkg_lock_load(&lock, path, &exists, &err)) return pkg_fail(c, &err);
  if (!exists || !lock.n) {
    pkg_lock_free(&lock);
    util_fail(&err, UTIL_ERR_IO, -1, "no weld.lock in %s: run `weld pkg install` first", c->project);
    return pkg_fail(c, &err); /* with --json, an error document too */
  }
  if (c->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_doc_begin(&j, "pkg tree", path);
    cli_json_key(&j, "packages");
    cli_json_array(&j);
    for (size_t i = 0; i < lock.n; i++) {
      const pkg_lock_entry *e = &lock.e[i];
      char vt[300];
      cli_json_object(&j);
      cli_json_key(&j, "name");
      cli_json_str(&j, e->name);
      cli_json_key(&j, "version");
      cli_json_str(&j, semver_format(&e->version, vt, sizeof vt));
      cli_json_key(&j, "root");
      cli_json_bool(&j, i == 0);
      cli_json_key(&j, "component");
      if (*e->component) cli_json_str(&j, e->component);
      else cli_json_null(&j);
      cli_json_key(&j, "features");
      cli_json_array_inline(&j);
      for (size_t f = 0; f < e->nfeatures; f++) cli_json_str(&j, e->features[f]);
      cli_json_end(&j);
      cli_json_key(&j, "dependencies");
      cli_json_array_inline(&j);
      for (size_t f = 0; f < e->ndeps; f++) cli_json_str(&j, e->deps[f]);
      cli_json_end(&j);
      cli_json_end(&j);
    }
    cli_json_end(&j);
    cli_json_end(&j);
    cli_json_finish(&j);
  } else {
    char vt[300], prefix[4096] = "";
    bool *seen = calloc(lock.n, sizeof *seen);
    printf("%s %s\n", lock.e[0].name, semver_format(&lock.e[0].version, vt, sizeof vt));
    if (seen) seen[0] = true;
    if (seen) tree_print(&lock, &lock.e[0], prefix, 0, seen, 0);
    free(seen);
  }
  pkg_lock_free(&lock);
  return 0;
}

/* ---------- cache ---------- */

static int cmd_cache(const pkg_cli *c) {
  const char *what = c->noperands ? c->operands[0] : "size";
  char dir[4096];
  oci_cache_dir(dir, sizeof dir);
  util_error err;
  util_error_clear(&err);
  if (!strcmp(what, "dir")) {
    printf("%s\n", dir);
    return 0;
  }
  if (!strcmp(what, "clean")) {
    uint64_t bytes, files;
    if (!oci_cache_usage(dir, &bytes, &files, &err) || !oci_cache_clean(dir, &err)) return pkg_fail(c, &err);
    printf("removed %llu files (%llu bytes) from %s\n", (unsigned long long)files, (unsigned long long)bytes, dir);
    return 0;
  }
  if (strcmp(what, "size")) return cli_usage_error("pkg cache", "unknown action '%s' (dir, size or clean)", what);
  uint64_t bytes, files;
  if (!oci_cache_usage(dir, &bytes, &files, &err)) return pkg_fail(c, &err);
  if (c->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_doc_begin(&j, "pkg cache", NULL);
    cli_json_key(&j, "dir");
    cli_json_str(&j, dir);
    cli_json_key(&j, "bytes");
    cli_json_uint(&j, bytes);
    cli_json_key(&j, "files");
    cli_json_uint(&j, files);
    cli_json_end(&j);
    cli_json_finish(&j);
  } else {
    printf("%s: %llu files, %llu bytes\n", dir, (unsigned long long)files, (unsigned long long)bytes);
  }
  return 0;
}

/* ---------- dispatch ---------- */

int cli_cmd_pkg(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    cli_print_command_help(argc < 2 ? stderr : stdout, cli_find_command("pkg"));
    return argc < 2 ? CLI_EXIT_USAGE : 0;
  }
  pkg_cli c = {0};
  c.sub = argv[1];
  c.project = ".";
  const char *names[sizeof subs / sizeof *subs]; /* those before the subcommand, for a suggestion */
  size_t si = 0;
  for (; si < sizeof subs / sizeof *subs && strcmp(subs[si].name, c.sub); si++) names[si] = subs[si].name;
  if (si == sizeof subs / sizeof *subs) {
    const char *s = cli_suggest(c.sub, names, sizeof subs / sizeof *subs);
    char hint[80] = "";
    if (s) snprintf(hint, sizeof hint, " (did you mean '%s'?)", s);
    return cli_usage_error("pkg", "unknown subcommand '%s'%s", c.sub, hint);
  }
  char cmdname[64];
  snprintf(cmdname, sizeof cmdname, "pkg %s", c.sub);
  c.operands = calloc((size_t)argc, sizeof *c.operands);
  c.trusted_keys = calloc((size_t)argc, sizeof *c.trusted_keys);
  if (!c.operands || !c.trusted_keys) {
    free(c.operands), free(c.trusted_keys);
    return 1;
  }
  cli_parser p;
  cli_parser_init(&p, "pkg", pkg_opts, sizeof pkg_opts / sizeof *pkg_opts, argc - 1, argv + 1);
  int r;
  while ((r = cli_parser_next(&p)) != CLI_ARG_DONE && r != CLI_ARG_EXIT) {
    if (r == CLI_ARG_OPERAND) {
      c.operands[c.noperands++] = p.operand;
      continue;
    }
    if (!(subs[si].opts & 1u << p.opt->id)) {
      free(c.operands), free(c.trusted_keys);
      return cli_usage_error("pkg", "%s does not take %s", cmdname, p.opt->name);
    }
    switch (p.opt->id) {
    case O_REGISTRY: c.registry = p.value; break;
    case O_PROJECT: c.project = p.value; break;
    case O_JSON: c.json = true; break;
    case O_LOCKED: c.locked = true; break;
    case O_UNDO: c.undo = true; break;
    case O_OPTIONAL: c.optional = true; break;
    case O_FEATURES: c.features = p.value; break;
    case O_NO_DEFAULT: c.no_default_features = true; break;
    case O_LANG: c.lang = p.value; break;
    case O_DIR: c.dir = p.value; break;
    case O_SIGN: c.sign = p.value; break;
    case O_TRUSTED_KEY: c.trusted_keys[c.ntrusted_keys++] = p.value; break;
    case O_REQUIRE_SIGNATURES: c.require_signatures = true; break;
    case O_POLICY: c.policy = p.value; break;
    }
  }
  if (r == CLI_ARG_EXIT) {
    free(c.operands), free(c.trusted_keys);
    return p.rc;
  }
  int rc;
  if (c.noperands < subs[si].min || c.noperands > subs[si].max) {
    rc = cli_usage_error("pkg", "%s takes %s", cmdname,
                         subs[si].max == 0 ? "no operands"
                         : !strcmp(c.sub, "new") ? "a package NAME"
                         : !strcmp(c.sub, "keygen") ? "one NAME (the key files NAME.key and NAME.pub)"
                         : !strcmp(c.sub, "add") ? "one NAME[@REQUIREMENT]"
                         : !strcmp(c.sub, "yank") ? "one NAME@VERSION"
                         : !strcmp(c.sub, "cache") ? "at most one of dir, size, clean"
                         : !strcmp(c.sub, "search") ? "at most one QUERY"
                                                    : "NAME@VERSION");
  } else if (!strcmp(c.sub, "new")) rc = cmd_new(&c);
  else if (!strcmp(c.sub, "add")) rc = cmd_add(&c);
  else if (!strcmp(c.sub, "install")) rc = pkg_cmd_install(&c);
  else if (!strcmp(c.sub, "tree")) rc = cmd_tree(&c);
  else if (!strcmp(c.sub, "publish")) rc = pkg_cmd_publish(&c);
  else if (!strcmp(c.sub, "yank")) rc = pkg_cmd_yank(&c);
  else if (!strcmp(c.sub, "search")) rc = pkg_cmd_search(&c);
  else if (!strcmp(c.sub, "verify")) rc = pkg_cmd_verify(&c);
  else if (!strcmp(c.sub, "cache")) rc = cmd_cache(&c);
  else if (!strcmp(c.sub, "keygen")) rc = pkg_cmd_keygen(&c);
  else if (!strcmp(c.sub, "build")) rc = pkg_cmd_build(&c);
  else rc = pkg_cmd_run(&c);
  free(c.operands), free(c.trusted_keys);
  return rc;
}

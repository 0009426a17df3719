/* Policy files: TOML (toml.c) to the policy model. The format is documented in
 * docs/policy.md. Unknown keys and wrongly typed values are errors with the location of
 * the offending key or value: a typo must never silently widen or narrow a sandbox. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "util/toml.h"

typedef struct ctx {
  const char *filename;
  util_error *err;
  policy *p;
  /* A file's explicit `false` turns a door off even when an earlier source opened it. */
  bool deny_stdin, deny_stdout, deny_stderr, deny_clocks, deny_random, deny_exit, deny_env_inherit;
} ctx;

#define fail_at(c, line, col, ...) toml_fail_at((c)->err, UTIL_ERR_USAGE, (c)->filename, line, col, __VA_ARGS__)

static bool out_of_memory(ctx *c) {
  return util_fail(c->err, UTIL_ERR_OOM, -1, "%s: out of memory", c->filename);
}

static bool want(ctx *c, const toml_value *v, toml_type t, const char *what) {
  if (v->type == t) return true;
  return fail_at(c, v->line, v->col, "%s must be %s, not %s", what, toml_type_name(t), toml_type_name(v->type));
}

static bool unknown_key(ctx *c, const toml_kv *kv, const char *where, const char *known) {
  return fail_at(c, kv->line, kv->col, "unknown key '%s' in %s (known: %s)", kv->key, where, known);
}

static bool get_bool(ctx *c, const toml_kv *kv, bool *grant, bool *deny) {
  if (!want(c, kv->val, TOML_BOOL, kv->key)) return false;
  *grant = kv->val->b;
  if (deny) *deny = !kv->val->b;
  return true;
}

/* A byte count: an integer, a string with a unit ("64MiB"), or "unlimited". */
static bool get_size(ctx *c, const toml_kv *kv, uint64_t *out) {
  const toml_value *v = kv->val;
  if (v->type == TOML_INT) {
    if (v->i < 0) return fail_at(c, v->line, v->col, "%s must not be negative", kv->key);
    *out = (uint64_t)v->i;
    return true;
  }
  if (v->type != TOML_STRING)
    return fail_at(c, v->line, v->col, "%s must be a size (an integer or a string like \"64MiB\"), not %s",
                   kv->key, toml_type_name(v->type));
  if (strcmp(v->str, "unlimited") == 0) {
    *out = POLICY_UNLIMITED;
    return true;
  }
  util_error e;
  util_error_clear(&e);
  if (!policy_parse_size(v->str, out, &e)) return fail_at(c, v->line, v->col, "%s: %s", kv->key, e.msg);
  return true;
}

/* A count: a non-negative integer, or "unlimited" when `unlimited` is not NULL. */
static bool get_count(ctx *c, const toml_kv *kv, uint64_t max, uint64_t *out, const uint64_t *unlimited) {
  const toml_value *v = kv->val;
  if (v->type == TOML_STRING && unlimited && strcmp(v->str, "unlimited") == 0) {
    *out = *unlimited;
    return true;
  }
  if (v->type != TOML_INT)
    return fail_at(c, v->line, v->col, "%s must be an integer%s, not %s", kv->key,
                   unlimited ? " or \"unlimited\"" : "", toml_type_name(v->type));
  if (v->i < 0 || (uint64_t)v->i > max)
    return fail_at(c, v->line, v->col, "%s out of range (0 to %llu)", kv->key, (unsigned long long)max);
  *out = (uint64_t)v->i;
  return true;
}

static bool get_ops(ctx *c, const toml_kv *kv, uint32_t *out) {
  const toml_value *v = kv->val;
  if (!want(c, v, TOML_ARRAY, kv->key)) return false;
  static const struct { const char *name; uint32_t bit; } names[] = {
      {"read", POLICY_OP_READ},     {"write", POLICY_OP_WRITE}, {"create", POLICY_OP_CREATE},
      {"delete", POLICY_OP_DELETE}, {"list", POLICY_OP_LIST},   {"all", POLICY_OP_ALL},
  };
  uint32_t ops = 0;
  for (size_t i = 0; i < v->nitems; i++) {
    const toml_value *it = v->items[i];
    if (!want(c, it, TOML_STRING, "an operation")) return false;
    size_t k = 0;
    while (k < sizeof names / sizeof names[0] && strcmp(names[k].name, it->str) != 0) k++;
    if (k == sizeof names / sizeof names[0])
      return fail_at(c, it->line, it->col, "unknown operation '%s' (read, write, create, delete, list, all)", it->str);
    ops |= names[k].bit;
  }
  *out = ops;
  return true;
}

/* An array of tables: [[fs.dir]] headers or `dir = [{...}, ...]`. */
static bool want_table_array(ctx *c, const toml_kv *kv) {
  if (!want(c, kv->val, TOML_ARRAY, kv->key)) return false;
  for (size_t i = 0; i < kv->val->nitems; i++)
    if (!want(c, kv->val->items[i], TOML_TABLE, kv->key)) return false;
  return true;
}

static bool parse_dir(ctx *c, const toml_value *t) {
  const char *host = NULL, *guest = NULL;
  uint32_t ops = 0;
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    if (strcmp(kv->key, "host") == 0) {
      if (!want(c, kv->val, TOML_STRING, "host")) return false;
      host = kv->val->str;
    } else if (strcmp(kv->key, "guest") == 0) {
      if (!want(c, kv->val, TOML_STRING, "guest")) return false;
      guest = kv->val->str;
    } else if (strcmp(kv->key, "ops") == 0) {
      if (!get_ops(c, kv, &ops)) return false;
    } else {
      return unknown_key(c, kv, "[[fs.dir]]", "host, guest, ops");
    }
  }
  if (!host || !*host) return fail_at(c, t->line, t->col, "[[fs.dir]] needs a host path (host = \"...\")");
  if (guest && !*guest) return fail_at(c, t->line, t->col, "[[fs.dir]] guest path is empty");
  return policy_add_dir(c->p, host, guest, ops) || out_of_memory(c);
}

static bool parse_path(ctx *c, const toml_value *t) {
  const toml_value *pat = NULL, *match = NULL;
  uint32_t ops = 0;
  uint64_t max_read = POLICY_UNLIMITED, max_write = POLICY_UNLIMITED;
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    if (strcmp(kv->key, "path") == 0) {
      if (!want(c, kv->val, TOML_STRING, "path")) return false;
      pat = kv->val;
    } else if (strcmp(kv->key, "match") == 0) {
      if (!want(c, kv->val, TOML_STRING, "match")) return false;
      match = kv->val;
    } else if (strcmp(kv->key, "ops") == 0) {
      if (!get_ops(c, kv, &ops)) return false;
    } else if (strcmp(kv->key, "max_read") == 0) {
      if (!get_size(c, kv, &max_read)) return false;
    } else if (strcmp(kv->key, "max_write") == 0) {
      if (!get_size(c, kv, &max_write)) return false;
    } else {
      return unknown_key(c, kv, "[[fs.path]]", "path, match, ops, max_read, max_write");
    }
  }
  if (!pat || !*pat->str) return fail_at(c, t->line, t->col, "[[fs.path]] needs a pattern (path = \"...\")");
  if (strlen(pat->str) != pat->len || pat->len > POLICY_PATH_MAX)
    return fail_at(c, pat->line, pat->col, "path pattern is not a usable path");
  /* A pattern that is not normalized would never match a (normalized) guest path: a hole
   * written that way would fail open. Normalize it, or refuse what has no one meaning. */
  char norm[POLICY_PATH_MAX + 1];
  const char *why;
  if (!policy_pattern_normalize(pat->str, norm, sizeof norm, &why))
    return fail_at(c, pat->line, pat->col, "path pattern '%s': %s", pat->str, why);
  if (!policy_add_path(c->p, norm, ops, max_read, max_write)) return out_of_memory(c);
  if (match) {
    policy_match *m = &c->p->paths[c->p->npaths - 1].match;
    if (strcmp(match->str, "exact") == 0) *m = POLICY_MATCH_EXACT;
    else if (strcmp(match->str, "prefix") == 0) *m = POLICY_MATCH_PREFIX;
    else if (strcmp(match->str, "glob") == 0) *m = POLICY_MATCH_GLOB;
    else return fail_at(c, match->line, match->col, "match must be \"exact\", \"prefix\" or \"glob\"");
  }
  return true;
}

static bool parse_fs(ctx *c, const toml_value *t) {
  policy *p = c->p;
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    if (strcmp(kv->key, "dir") == 0) {
      if (!want_table_array(c, kv)) return false;
      for (size_t k = 0; k < kv->val->nitems; k++)
        if (!parse_dir(c, kv->val->items[k])) return false;
    } else if (strcmp(kv->key, "path") == 0) {
      if (!want_table_array(c, kv)) return false;
      for (size_t k = 0; k < kv->val->nitems; k++)
        if (!parse_path(c, kv->val->items[k])) return false;
    } else if (strcmp(kv->key, "max_open_files") == 0) {
      static const uint64_t unl = POLICY_UNLIMITED;
      if (!get_count(c, kv, UINT32_MAX, &p->max_open_files, &unl)) return false;
      p->limits_set |= POLICY_LIMIT_OPEN_FILES;
    } else if (strcmp(kv->key, "max_read_total") == 0) {
      if (!get_size(c, kv, &p->max_read_total)) return false;
      p->limits_set |= POLICY_LIMIT_READ_TOTAL;
    } else if (strcmp(kv->key, "max_write_total") == 0) {
      if (!get_size(c, kv, &p->max_write_total)) return false;
      p->limits_set |= POLICY_LIMIT_WRITE_TOTAL;
    } else {
      return unknown_key(c, kv, "[fs]", "dir, path, max_open_files, max_read_total, max_write_total");
    }
  }
  return true;
}

static bool env_name_ok(const char *s, size_t len) {
  return len > 0 && strlen(s) == len && !strchr(s, '=');
}

static bool parse_env(ctx *c, const toml_value *t) {
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    if (strcmp(kv->key, "inherit") == 0) {
      if (!get_bool(c, kv, &c->p->env_inherit_all, &c->deny_env_inherit)) return false;
    } else if (strcmp(kv->key, "pass") == 0) {
      if (!want(c, kv->val, TOML_ARRAY, "pass")) return false;
      for (size_t k = 0; k < kv->val->nitems; k++) {
        const toml_value *it = kv->val->items[k];
        if (!want(c, it, TOML_STRING, "an environment variable name")) return false;
        if (!env_name_ok(it->str, it->len))
          return fail_at(c, it->line, it->col, "bad environment variable name '%s'", it->str);
        if (!policy_add_env(c->p, it->str, NULL)) return out_of_memory(c);
      }
    } else if (strcmp(kv->key, "set") == 0) {
      if (!want(c, kv->val, TOML_TABLE, "set")) return false;
      for (size_t k = 0; k < kv->val->nkvs; k++) {
        const toml_kv *e = &kv->val->kvs[k];
        if (!env_name_ok(e->key, strlen(e->key)))
          return fail_at(c, e->line, e->col, "bad environment variable name '%s'", e->key);
        if (!want(c, e->val, TOML_STRING, e->key)) return false;
        if (strlen(e->val->str) != e->val->len)
          return fail_at(c, e->val->line, e->val->col, "environment value contains a NUL character");
        if (!policy_add_env(c->p, e->key, e->val->str)) return out_of_memory(c);
      }
    } else {
      return unknown_key(c, kv, "[env]", "inherit, pass, set");
    }
  }
  return true;
}

static bool parse_net(ctx *c, const toml_value *t) {
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    uint32_t op;
    if (strcmp(kv->key, "connect") == 0) op = POLICY_NET_CONNECT;
    else if (strcmp(kv->key, "listen") == 0) op = POLICY_NET_LISTEN;
    else return unknown_key(c, kv, "[net]", "connect, listen");
    if (!want(c, kv->val, TOML_ARRAY, kv->key)) return false;
    for (size_t k = 0; k < kv->val->nitems; k++) {
      const toml_value *it = kv->val->items[k];
      if (!want(c, it, TOML_STRING, "an endpoint (\"host:port\")")) return false;
      util_error e;
      util_error_clear(&e);
      if (strlen(it->str) != it->len || !policy_add_net(c->p, it->str, op, &e)) {
        if (e.kind == UTIL_ERR_OOM) return out_of_memory(c);
        return fail_at(c, it->line, it->col, "%s", e.kind ? e.msg : "bad endpoint");
      }
    }
  }
  return true;
}

static bool parse_stdio(ctx *c, const toml_value *t) {
  policy *p = c->p;
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    bool ok;
    if (strcmp(kv->key, "stdin") == 0) ok = get_bool(c, kv, &p->allow_stdin, &c->deny_stdin);
    else if (strcmp(kv->key, "stdout") == 0) ok = get_bool(c, kv, &p->allow_stdout, &c->deny_stdout);
    else if (strcmp(kv->key, "stderr") == 0) ok = get_bool(c, kv, &p->allow_stderr, &c->deny_stderr);
    else return unknown_key(c, kv, "[stdio]", "stdin, stdout, stderr");
    if (!ok) return false;
  }
  return true;
}

static bool parse_system(ctx *c, const toml_value *t) {
  policy *p = c->p;
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    bool ok;
    if (strcmp(kv->key, "clocks") == 0) ok = get_bool(c, kv, &p->allow_clocks, &c->deny_clocks);
    else if (strcmp(kv->key, "random") == 0) ok = get_bool(c, kv, &p->allow_random, &c->deny_random);
    else if (strcmp(kv->key, "exit") == 0) ok = get_bool(c, kv, &p->allow_exit, &c->deny_exit);
    else return unknown_key(c, kv, "[system]", "clocks, random, exit");
    if (!ok) return false;
  }
  return true;
}

static bool parse_limits(ctx *c, const toml_value *t) {
  policy_limits *l = &c->p->limits;
  static const uint64_t unl = POLICY_UNLIMITED, zero = 0;
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    const char *k = kv->key;
    uint64_t v;
    if (strcmp(k, "memory") == 0) {
      if (!get_size(c, kv, &l->memory_bytes)) return false;
      c->p->limits_set |= POLICY_LIMIT_MEMORY;
    } else if (strcmp(k, "gc_heap") == 0) {
      if (!get_size(c, kv, &l->gc_heap_bytes)) return false;
      c->p->limits_set |= POLICY_LIMIT_GC_HEAP;
    } else if (strcmp(k, "table_elements") == 0) {
      if (!get_count(c, kv, UINT32_MAX, &l->table_elements, &unl)) return false;
      c->p->limits_set |= POLICY_LIMIT_TABLE;
    } else if (strcmp(k, "fuel") == 0) {
      if (!get_count(c, kv, INT64_MAX, &l->fuel, &unl)) return false;
      c->p->limits_set |= POLICY_LIMIT_FUEL;
    } else if (strcmp(k, "timeout") == 0) {
      const toml_value *tv = kv->val;
      if (tv->type != TOML_STRING)
        return fail_at(c, tv->line, tv->col, "timeout must be a duration string like \"2s\" or \"none\", not %s",
                       toml_type_name(tv->type));
      if (strcmp(tv->str, "none") == 0) {
        l->timeout_ns = 0;
      } else {
        util_error e;
        util_error_clear(&e);
        if (!policy_parse_duration(tv->str, &l->timeout_ns, &e))
          return fail_at(c, tv->line, tv->col, "timeout: %s", e.msg);
        if (l->timeout_ns == 0) return fail_at(c, tv->line, tv->col, "timeout must be positive (or \"none\")");
      }
      c->p->limits_set |= POLICY_LIMIT_TIMEOUT;
    } else if (strcmp(k, "max_stack") == 0) {
      if (!get_count(c, kv, UINT32_MAX, &v, &zero)) return false;
      l->max_stack = (uint32_t)v;
      c->p->limits_set |= POLICY_LIMIT_STACK;
    } else if (strcmp(k, "max_instances") == 0) {
      if (!get_count(c, kv, UINT32_MAX, &v, &zero)) return false;
      l->max_instances = (uint32_t)v;
      c->p->limits_set |= POLICY_LIMIT_INSTANCES;
    } else if (strcmp(k, "max_host_calls") == 0) {
      if (!get_count(c, kv, INT64_MAX, &l->max_host_calls, &unl)) return false;
      c->p->limits_set |= POLICY_LIMIT_HOST_CALLS;
    } else if (strcmp(k, "trap_on_grow_failure") == 0) {
      if (!get_bool(c, kv, &l->trap_on_grow_failure, NULL)) return false;
      c->p->limits_set |= POLICY_LIMIT_TRAP_ON_GROW;
    } else {
      return unknown_key(c, kv, "[limits]",
                         "memory, table_elements, fuel, timeout, max_stack, max_instances, "
                         "max_host_calls, trap_on_grow_failure, gc_heap");
    }
  }
  return true;
}

static bool parse_audit(ctx *c, const toml_value *t) {
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    if (strcmp(kv->key, "max_risk") != 0) return unknown_key(c, kv, "[audit]", "max_risk");
    if (!want(c, kv->val, TOML_STRING, "max_risk")) return false;
    if (!policy_risk_parse(kv->val->str, &c->p->max_risk))
      return fail_at(c, kv->val->line, kv->val->col,
                     "max_risk must be \"minimal\", \"low\", \"moderate\", \"high\" or \"critical\"");
    c->p->has_max_risk = true;
    c->p->limits_set |= POLICY_LIMIT_MAX_RISK;
  }
  return true;
}

static bool parse_root(ctx *c, const toml_value *root) {
  static const struct {
    const char *name;
    bool (*fn)(ctx *, const toml_value *);
  } sections[] = {
      {"fs", parse_fs},         {"env", parse_env},       {"net", parse_net},   {"stdio", parse_stdio},
      {"system", parse_system}, {"limits", parse_limits}, {"audit", parse_audit},
  };
  for (size_t i = 0; i < root->nkvs; i++) {
    const toml_kv *kv = &root->kvs[i];
    if (strcmp(kv->key, "name") == 0) {
      if (!want(c, kv->val, TOML_STRING, "name")) return false;
      char *name = util_try_strdup(kv->val->str);
      if (!name) return out_of_memory(c);
      free(c->p->name);
      c->p->name = name;
      continue;
    }
    size_t k = 0;
    while (k < sizeof sections / sizeof sections[0] && strcmp(sections[k].name, kv->key) != 0) k++;
    if (k == sizeof sections / sizeof sections[0])
      return unknown_key(c, kv, "the policy", "name, fs, env, net, stdio, system, limits, audit");
    char what[32];
    snprintf(what, sizeof what, "[%s]", kv->key);
    if (!want(c, kv->val, TOML_TABLE, what)) return false;
    if (!sections[k].fn(c, kv->val)) return false;
  }
  return true;
}

bool policy_parse(policy *p, const char *text, size_t len, const char *filename, util_error *err) {
  util_error_clear(err);
  if (!filename) filename = "<policy>";
  toml_doc doc;
  static const toml_options opts = {"policy files", false};
  bool ok = toml_parse(&doc, text, len, filename, &opts, err);
  policy tmp;
  policy_init(&tmp);
  /* Booleans the file leaves unset must not appear as grants from init's defaults. */
  tmp.allow_stdout = tmp.allow_stderr = tmp.allow_exit = false;
  ctx c = {filename, err, &tmp, false, false, false, false, false, false, false};
  if (ok) ok = parse_root(&c, doc.root);
  toml_free(&doc);
  if (ok) {
    /* The merge does not narrow the dir default; a file does not touch it. */
    uint32_t keep = p->dir_default_ops;
    if (!policy_merge(p, &tmp, err)) {
      policy_free(&tmp);
      return util_fail(err, UTIL_ERR_OOM, -1, "%s: out of memory", filename);
    }
    p->dir_default_ops = keep;
    if (c.deny_stdin) p->allow_stdin = false;
    if (c.deny_stdout) p->allow_stdout = false;
    if (c.deny_stderr) p->allow_stderr = false;
    if (c.deny_clocks) p->allow_clocks = false;
    if (c.deny_random) p->allow_random = false;
    if (c.deny_exit) p->allow_exit = false;
    if (c.deny_env_inherit) p->env_inherit_all = false;
  }
  policy_free(&tmp);
  return ok;
}

bool policy_parse_file(policy *p, const char *path, util_error *err) {
  uint8_t *data;
  size_t len;
  util_error_clear(err);
  if (!util_read_file(path, &data, &len, err)) return false;
  bool ok = policy_parse(p, (const char *)data, len, path, err);
  free(data);
  return ok;
}

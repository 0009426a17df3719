/* The cost model's coefficients: the defaults (measured by bench/efficiency.sh where it
 * measures them, estimates otherwise; docs/plan.md says which) and the file that
 * overrides them — TOML, or the JSON that bench/efficiency.sh and `weld bench efficiency
 * --json` write (the same keys, at the root or under "coefficients"). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "util/json.h"
#include "util/toml.h"

const char *plan_tech_name(int tech) { return tech == PLAN_WASM ? "wasm" : tech == PLAN_CONTAINER ? "container" : "?"; }

const char *plan_kind_name(int kind) {
  switch (kind) {
  case PLAN_HTTP: return "http";
  case PLAN_TCP: return "tcp";
  case PLAN_PIPE: return "pipe";
  }
  return "?";
}

void plan_coeffs_default(plan_coeffs *c) {
  memset(c, 0, sizeof *c);
  c->alpha = 1.0;  /* per millisecond of time spent per second of running */
  c->beta = 0.1;   /* per MiB resident */
  c->gamma = 1.0;  /* per point of security exposure */
  /* measured by bench/efficiency.sh (bench/RESULTS.md, "Efficiency"): a pooled instance
   * kept resident and a runc container — warm start, CPU over native, PSS per instance */
  c->start_ms[PLAN_WASM] = 0.0025, c->start_ms[PLAN_CONTAINER] = 549.0;
  c->cpu_overhead[PLAN_WASM] = 0.18, c->cpu_overhead[PLAN_CONTAINER] = 0.0095;
  c->mem_base_mib[PLAN_WASM] = 0.018, c->mem_base_mib[PLAN_CONTAINER] = 3.1;
  /* estimates (docs/plan.md says which) */
  c->io_overhead[PLAN_WASM] = 0.1, c->io_overhead[PLAN_CONTAINER] = 0.04;
  c->mem_factor[PLAN_WASM] = 1.0, c->mem_factor[PLAN_CONTAINER] = 1.1;
  c->exposure[PLAN_WASM] = 0.1, c->exposure[PLAN_CONTAINER] = 0.5;
  static const double call[PLAN_NKIND][3] = {{5, 60, 150}, {2, 30, 80}, {1, 20, 40}};
  static const double mib[PLAN_NKIND][3] = {{0.2, 1.0, 2.5}, {0.1, 0.8, 2.0}, {0.05, 0.5, 1.0}};
  memcpy(c->call_us, call, sizeof call);
  memcpy(c->mib_ms, mib, sizeof mib);
  c->node_call_us = 200.0;
  c->node_mib_ms = 8.0;
  c->source = "defaults";
}

typedef struct ctx {
  const char *filename;
  util_error *err;
} ctx;

#define fail_at(c, line, col, ...) toml_fail_at((c)->err, UTIL_ERR_USAGE, (c)->filename, line, col, __VA_ARGS__)

static bool number(ctx *c, const char *key, const toml_value *v, double *out) {
  double d;
  if (v->type == TOML_INT) d = (double)v->i;
  else if (v->type == TOML_FLOAT) d = v->f;
  else return fail_at(c, v->line, v->col, "%s must be a number, not %s", key, toml_type_name(v->type));
  if (!isfinite(d) || d < 0 || d > 1e9)
    return fail_at(c, v->line, v->col, "%s must be a finite number from 0 to 1e9", key);
  *out = d;
  return true;
}

static bool want_table(ctx *c, const toml_kv *kv) {
  if (kv->val->type == TOML_TABLE) return true;
  return fail_at(c, kv->val->line, kv->val->col, "[%s] must be a table, not %s", kv->key, toml_type_name(kv->val->type));
}

static bool triple(ctx *c, const toml_kv *kv, double out[3]) {
  const toml_value *v = kv->val;
  if (v->type != TOML_ARRAY || v->nitems != 3)
    return fail_at(c, v->line, v->col, "%s must be an array of 3 numbers (both wasm, both container, crossing)",
                   kv->key);
  for (size_t i = 0; i < 3; i++)
    if (!number(c, kv->key, v->items[i], &out[i])) return false;
  return true;
}

static bool tech_table(ctx *c, plan_coeffs *k, int d, const toml_value *t) {
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    double *dst = NULL;
    if (strcmp(kv->key, "start_ms") == 0) dst = &k->start_ms[d];
    else if (strcmp(kv->key, "cpu_overhead") == 0) dst = &k->cpu_overhead[d];
    else if (strcmp(kv->key, "io_overhead") == 0) dst = &k->io_overhead[d];
    else if (strcmp(kv->key, "memory_base_mib") == 0) dst = &k->mem_base_mib[d];
    else if (strcmp(kv->key, "memory_factor") == 0) dst = &k->mem_factor[d];
    else if (strcmp(kv->key, "exposure") == 0) dst = &k->exposure[d];
    else
      return fail_at(c, kv->line, kv->col,
                     "unknown key '%s' in [%s] (known: start_ms, cpu_overhead, io_overhead, memory_base_mib, "
                     "memory_factor, exposure)",
                     kv->key, plan_tech_name(d));
    if (!number(c, kv->key, kv->val, dst)) return false;
  }
  return true;
}

static bool parse_root(ctx *c, plan_coeffs *k, const toml_value *root) {
  for (size_t i = 0; i < root->nkvs; i++) {
    const toml_kv *kv = &root->kvs[i];
    if (strcmp(kv->key, "alpha") == 0) {
      if (!number(c, kv->key, kv->val, &k->alpha)) return false;
    } else if (strcmp(kv->key, "beta") == 0) {
      if (!number(c, kv->key, kv->val, &k->beta)) return false;
    } else if (strcmp(kv->key, "gamma") == 0) {
      if (!number(c, kv->key, kv->val, &k->gamma)) return false;
    } else if (strcmp(kv->key, "wasm") == 0 || strcmp(kv->key, "container") == 0) {
      if (!want_table(c, kv) || !tech_table(c, k, kv->key[0] == 'w' ? PLAN_WASM : PLAN_CONTAINER, kv->val))
        return false;
    } else if (strcmp(kv->key, "interaction") == 0) {
      if (!want_table(c, kv)) return false;
      for (size_t j = 0; j < kv->val->nkvs; j++) {
        const toml_kv *kk = &kv->val->kvs[j];
        int kind = -1;
        for (int q = 0; q < PLAN_NKIND; q++)
          if (strcmp(kk->key, plan_kind_name(q)) == 0) kind = q;
        if (kind < 0) return fail_at(c, kk->line, kk->col, "unknown interaction kind '%s' (http, tcp, pipe)", kk->key);
        if (!want_table(c, kk)) return false;
        for (size_t m = 0; m < kk->val->nkvs; m++) {
          const toml_kv *e = &kk->val->kvs[m];
          if (strcmp(e->key, "call_us") == 0) {
            if (!triple(c, e, k->call_us[kind])) return false;
          } else if (strcmp(e->key, "mib_ms") == 0) {
            if (!triple(c, e, k->mib_ms[kind])) return false;
          } else {
            return fail_at(c, e->line, e->col, "unknown key '%s' in [interaction.%s] (known: call_us, mib_ms)", e->key,
                           kk->key);
          }
        }
      }
    } else if (strcmp(kv->key, "nodes") == 0) {
      if (!want_table(c, kv)) return false;
      for (size_t j = 0; j < kv->val->nkvs; j++) {
        const toml_kv *e = &kv->val->kvs[j];
        if (strcmp(e->key, "call_us") == 0) {
          if (!number(c, e->key, e->val, &k->node_call_us)) return false;
        } else if (strcmp(e->key, "mib_ms") == 0) {
          if (!number(c, e->key, e->val, &k->node_mib_ms)) return false;
        } else {
          return fail_at(c, e->line, e->col, "unknown key '%s' in [nodes] (known: call_us, mib_ms)", e->key);
        }
      }
    } else {
      return fail_at(c, kv->line, kv->col,
                     "unknown key '%s' (known: alpha, beta, gamma, [wasm], [container], [interaction.KIND], [nodes])",
                     kv->key);
    }
  }
  return true;
}

/* ---------- JSON: read into the TOML reader's tree, so one reader checks both ---------- */

typedef struct jctx {
  const char *text;
  const char *filename;
  util_arena *arena;
  util_error *err;
} jctx;

static void line_col(const char *text, size_t pos, int *line, int *col) {
  *line = 1, *col = 1;
  for (size_t i = 0; i < pos; i++) {
    if (text[i] == '\n') ++*line, *col = 1;
    else if (((unsigned char)text[i] & 0xC0) != 0x80) ++*col; /* columns count characters */
  }
}

static toml_value *from_json(jctx *c, const json_value *j) {
  int line, col;
  line_col(c->text, j->pos, &line, &col);
  toml_value *v = util_arena_try_alloc(c->arena, sizeof *v);
  if (!v) return util_fail(c->err, UTIL_ERR_OOM, -1, "%s: out of memory", c->filename), NULL;
  v->line = line, v->col = col;
  switch (j->type) {
  case JSON_NULL:
    toml_fail_at(c->err, UTIL_ERR_USAGE, c->filename, line, col, "null is not a coefficient (leave the key out)");
    return NULL;
  case JSON_BOOL: v->type = TOML_BOOL, v->b = j->b; break;
  case JSON_STRING: v->type = TOML_STRING, v->str = j->s, v->len = j->len; break;
  case JSON_NUMBER:
    if (j->is_int) v->type = TOML_INT, v->i = j->i;
    else v->type = TOML_FLOAT, v->f = strtod(j->s, NULL);
    break;
  case JSON_ARRAY:
  case JSON_OBJECT:
    v->type = j->type == JSON_ARRAY ? TOML_ARRAY : TOML_TABLE;
    if (j->type == JSON_ARRAY) {
      v->items = util_arena_try_alloc(c->arena, (j->n ? j->n : 1) * sizeof *v->items);
      if (!v->items) return util_fail(c->err, UTIL_ERR_OOM, -1, "%s: out of memory", c->filename), NULL;
    } else {
      v->kvs = util_arena_try_alloc(c->arena, (j->n ? j->n : 1) * sizeof *v->kvs);
      if (!v->kvs) return util_fail(c->err, UTIL_ERR_OOM, -1, "%s: out of memory", c->filename), NULL;
    }
    for (size_t i = 0; i < j->n; i++) {
      toml_value *item = from_json(c, j->items[i]);
      if (!item) return NULL;
      if (j->type == JSON_ARRAY) {
        v->items[v->nitems++] = item;
      } else {
        /* a key's position: its value's (the JSON tree keeps no key offsets) */
        v->kvs[v->nkvs++] = (toml_kv){j->keys[i], item, item->line, item->col};
      }
    }
    break;
  }
  return v;
}

static bool parse_json(plan_coeffs *k, const char *text, size_t len, const char *filename, util_error *err) {
  json_doc doc;
  if (!json_parse(&doc, text, len, filename, err)) {
    /* "FILE: JSON message at offset N" becomes "FILE:LINE:COL: JSON message at offset N" */
    util_error e = *err;
    int line = 1, col = 1;
    if (e.offset >= 0 && (size_t)e.offset <= len) line_col(text, (size_t)e.offset, &line, &col);
    size_t skip = strlen(filename) + 2;
    const char *msg = strlen(e.msg) > skip && strncmp(e.msg, filename, skip - 2) == 0 ? e.msg + skip : e.msg;
    util_error_clear(err);
    json_free(&doc);
    return toml_fail_at(err, e.kind == UTIL_ERR_OOM ? UTIL_ERR_OOM : UTIL_ERR_USAGE, filename, line, col, "%s", msg);
  }
  util_arena arena;
  util_arena_init(&arena);
  jctx jc = {text, filename, &arena, err};
  ctx c = {filename, err};
  const json_value *root = doc.root;
  bool ok;
  if (root->type != JSON_OBJECT) {
    int line, col;
    line_col(text, root->pos, &line, &col);
    ok = toml_fail_at(err, UTIL_ERR_USAGE, filename, line, col,
                      "a coefficients file in JSON is one object (the coefficients, or a \"coefficients\" member)");
  } else {
    const json_value *inner = json_get(root, "coefficients");
    toml_value *t = from_json(&jc, inner ? inner : root);
    ok = t && (t->type == TOML_TABLE ||
               toml_fail_at(err, UTIL_ERR_USAGE, filename, t->line, t->col, "\"coefficients\" must be an object, not %s",
                            toml_type_name(t->type)));
    ok = ok && parse_root(&c, k, t);
  }
  util_arena_free(&arena);
  json_free(&doc);
  return ok;
}

/* JSON when the first character that is not white space is '{': no TOML document starts
 * with one (it starts with a key, a [table] header or a comment). */
static bool looks_json(const char *text, size_t len) {
  size_t i = 0;
  while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) i++;
  return i < len && text[i] == '{';
}

bool plan_coeffs_parse(plan_coeffs *k, const char *text, size_t len, const char *filename, util_error *err) {
  util_error_clear(err);
  plan_coeffs tmp = *k;
  bool ok;
  if (looks_json(text, len)) {
    ok = parse_json(&tmp, text, len, filename, err);
  } else {
    static const toml_options opts = {"coefficients files", true};
    toml_doc doc;
    ctx c = {filename, err};
    ok = toml_parse(&doc, text, len, filename, &opts, err) && parse_root(&c, &tmp, doc.root);
    toml_free(&doc);
  }
  if (ok) {
    tmp.source = filename;
    *k = tmp;
  }
  return ok;
}

bool plan_coeffs_load(plan_coeffs *k, const char *path, util_error *err) {
  uint8_t *data;
  size_t len;
  util_error_clear(err);
  if (!util_read_file(path, &data, &len, err)) return false;
  bool ok = plan_coeffs_parse(k, (const char *)data, len, path, err);
  free(data);
  return ok;
}

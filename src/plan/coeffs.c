/* The cost model's coefficients: the defaults (measured by bench/efficiency.sh where it
 * measures them, estimates otherwise; docs/plan.md says which) and the TOML file that
 * overrides them, which bench/efficiency.sh also writes. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
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

bool plan_coeffs_parse(plan_coeffs *k, const char *text, size_t len, const char *filename, util_error *err) {
  util_error_clear(err);
  static const toml_options opts = {"coefficients files", true};
  toml_doc doc;
  plan_coeffs tmp = *k;
  ctx c = {filename, err};
  bool ok = toml_parse(&doc, text, len, filename, &opts, err) && parse_root(&c, &tmp, doc.root);
  toml_free(&doc);
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

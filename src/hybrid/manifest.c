/* app.toml to the manifest model (docs/app-manifest.md). Services are named first, so an
 * interaction or constraint may name a service declared later; every key is checked, and
 * every mistake — an unknown key, a wrong type, a number out of range, a name that is no
 * service, constraints that cannot all hold — is one error at the position of the value
 * at fault. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "policy/policy.h"

typedef struct ctx {
  manifest *m;
  util_error *err;
  /* relations and interactions grow as services are read */
  size_t caprel;
  util_err_kind kind; /* UTIL_ERR_USAGE, or UTIL_ERR_INVALID for constraints that cannot hold */
  uint32_t *hash;     /* service indices by name, UINT32_MAX empty */
  size_t hmask;
} ctx;

static size_t name_hash(const char *s) {
  uint64_t h = 1469598103934665603u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return (size_t)(h ^ (h >> 29));
}

#define fail_at(c, line, col, ...) toml_fail_at((c)->err, (c)->kind, (c)->m->filename, line, col, __VA_ARGS__)

static bool oom(ctx *c) { return util_fail(c->err, UTIL_ERR_OOM, -1, "%s: out of memory", c->m->filename); }

static void *alloc(ctx *c, size_t n) {
  void *p = util_arena_try_alloc(&c->m->arena, n ? n : 1);
  if (!p) oom(c);
  return p;
}

static bool want(ctx *c, const toml_value *v, toml_type t, const char *what) {
  if (v->type == t) return true;
  return fail_at(c, v->line, v->col, "%s must be %s, not %s", what, toml_type_name(t), toml_type_name(v->type));
}

static bool unknown_key(ctx *c, const toml_kv *kv, const char *where, const char *known) {
  return fail_at(c, kv->line, kv->col, "unknown key '%s' in %s (known: %s)", kv->key, where, known);
}

/* A non-empty string without NULs. */
static bool get_str(ctx *c, const toml_kv *kv, const char **out) {
  if (!want(c, kv->val, TOML_STRING, kv->key)) return false;
  if (kv->val->len == 0 || strlen(kv->val->str) != kv->val->len)
    return fail_at(c, kv->val->line, kv->val->col, "%s must be a non-empty string without NUL characters", kv->key);
  *out = kv->val->str;
  return true;
}

/* A number (integer or float) in [lo, hi]. */
static bool get_num(ctx *c, const toml_kv *kv, double lo, double hi, double *out) {
  const toml_value *v = kv->val;
  double d;
  if (v->type == TOML_INT) d = (double)v->i;
  else if (v->type == TOML_FLOAT) d = v->f;
  else return fail_at(c, v->line, v->col, "%s must be a number, not %s", kv->key, toml_type_name(v->type));
  if (!(d >= lo && d <= hi)) return fail_at(c, v->line, v->col, "%s must be a number from %g to %g", kv->key, lo, hi);
  *out = d;
  return true;
}

/* A byte count: an integer, or a string with a unit ("256MiB"). */
static bool get_size(ctx *c, const toml_kv *kv, uint64_t *out) {
  const toml_value *v = kv->val;
  if (v->type == TOML_INT) {
    if (v->i < 0) return fail_at(c, v->line, v->col, "%s must not be negative", kv->key);
    *out = (uint64_t)v->i;
    return true;
  }
  if (v->type != TOML_STRING)
    return fail_at(c, v->line, v->col, "%s must be a size (an integer or a string like \"64MiB\"), not %s", kv->key,
                   toml_type_name(v->type));
  util_error e;
  util_error_clear(&e);
  if (!policy_parse_size(v->str, out, &e)) return fail_at(c, v->line, v->col, "%s: %s", kv->key, e.msg);
  return true;
}

static int service_index(const ctx *c, const char *name) {
  for (size_t h = name_hash(name) & c->hmask; c->hash[h] != UINT32_MAX; h = (h + 1) & c->hmask)
    if (strcmp(c->m->services[c->hash[h]].name, name) == 0) return (int)c->hash[h];
  return -1;
}

/* A value naming a service. */
static bool service_ref(ctx *c, const toml_value *v, const char *what, uint32_t *out) {
  if (!want(c, v, TOML_STRING, what)) return false;
  int i = service_index(c, v->str);
  if (i < 0) return fail_at(c, v->line, v->col, "%s: no service named '%s'", what, v->str);
  *out = (uint32_t)i;
  return true;
}

static int tech_of(const char *s) {
  if (strcmp(s, "wasm") == 0) return PLAN_WASM;
  if (strcmp(s, "container") == 0) return PLAN_CONTAINER;
  return -1;
}

/* ---------- variants --------------------------------------------------------------------- */

static bool parse_env(ctx *c, const toml_value *v, manifest_env **out, size_t *n) {
  if (!want(c, v, TOML_TABLE, "env")) return false;
  if (!(*out = alloc(c, v->nkvs * sizeof **out))) return false;
  for (size_t j = 0; j < v->nkvs; j++) {
    const toml_kv *e = &v->kvs[j];
    if (!*e->key || strchr(e->key, '=')) return fail_at(c, e->line, e->col, "an environment variable's name must be non-empty and without '='");
    if (!want(c, e->val, TOML_STRING, "an environment value")) return false;
    if (strlen(e->val->str) != e->val->len) return fail_at(c, e->val->line, e->val->col, "an environment value contains a NUL character");
    (*out)[(*n)++] = (manifest_env){e->key, e->val->str};
  }
  return true;
}

static bool parse_strings(ctx *c, const toml_value *v, const char *what, const char *item, const char ***out, size_t *n) {
  if (!want(c, v, TOML_ARRAY, what)) return false;
  if (!(*out = alloc(c, v->nitems * sizeof **out))) return false;
  for (size_t j = 0; j < v->nitems; j++) {
    const toml_value *it = v->items[j];
    if (!want(c, it, TOML_STRING, item)) return false;
    if (strlen(it->str) != it->len) return fail_at(c, it->line, it->col, "%s contains a NUL character", item);
    (*out)[(*n)++] = it->str;
  }
  return true;
}

static bool parse_wasm(ctx *c, manifest_wasm *w, const toml_value *t) {
  w->present = true;
  w->instances = 1;
  w->src = (plan_src){t->line, t->col};
  int sources = 0;
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    if (strcmp(kv->key, "module") == 0) {
      if (!get_str(c, kv, &w->module)) return false;
      sources++;
    } else if (strcmp(kv->key, "component") == 0) {
      if (!get_str(c, kv, &w->component)) return false;
      sources++;
    } else if (strcmp(kv->key, "package") == 0) {
      if (!get_str(c, kv, &w->package)) return false;
      sources++;
    } else if (strcmp(kv->key, "policy") == 0) {
      if (!get_str(c, kv, &w->policy)) return false;
    } else if (strcmp(kv->key, "max_memory") == 0) {
      if (!get_size(c, kv, &w->max_memory)) return false;
    } else if (strcmp(kv->key, "fuel") == 0) {
      if (!want(c, kv->val, TOML_INT, "fuel")) return false;
      if (kv->val->i < 0) return fail_at(c, kv->val->line, kv->val->col, "fuel must not be negative");
      w->fuel = (uint64_t)kv->val->i;
    } else if (strcmp(kv->key, "timeout") == 0) {
      if (!want(c, kv->val, TOML_STRING, "timeout")) return false;
      util_error e;
      util_error_clear(&e);
      if (!policy_parse_duration(kv->val->str, &w->timeout_ns, &e))
        return fail_at(c, kv->val->line, kv->val->col, "timeout: %s", e.msg);
    } else if (strcmp(kv->key, "listen") == 0) {
      if (!want(c, kv->val, TOML_INT, "listen")) return false;
      if (kv->val->i < 1 || kv->val->i > 65535) return fail_at(c, kv->val->line, kv->val->col, "listen must be a port from 1 to 65535");
      w->listen = (uint32_t)kv->val->i;
    } else if (strcmp(kv->key, "instances") == 0) {
      if (!want(c, kv->val, TOML_INT, "instances")) return false;
      if (kv->val->i < 1 || kv->val->i > 256) return fail_at(c, kv->val->line, kv->val->col, "instances must be from 1 to 256");
      w->instances = (uint32_t)kv->val->i;
    } else if (strcmp(kv->key, "args") == 0) {
      if (!parse_strings(c, kv->val, "args", "an argument", &w->args, &w->nargs)) return false;
    } else if (strcmp(kv->key, "env") == 0) {
      if (!parse_env(c, kv->val, &w->env, &w->nenv)) return false;
    } else {
      return unknown_key(c, kv, "a wasm variant", "module, component, package, policy, max_memory, fuel, timeout, listen, instances, args, env");
    }
    if (sources > 1)
      return fail_at(c, kv->line, kv->col, "a wasm variant names one of module, component or package, not several");
  }
  if (!sources) return fail_at(c, t->line, t->col, "a wasm variant needs module, component or package");
  return true;
}

static bool parse_port(ctx *c, const toml_value *v, manifest_port *p) {
  if (v->type == TOML_INT) {
    if (v->i < 1 || v->i > 65535) return fail_at(c, v->line, v->col, "a port must be from 1 to 65535");
    p->host = p->container = (uint32_t)v->i;
    return true;
  }
  if (v->type != TOML_STRING)
    return fail_at(c, v->line, v->col, "a port must be an integer or \"HOST:CONTAINER\", not %s", toml_type_name(v->type));
  unsigned long h = 0, k = 0;
  int used = 0;
  if (sscanf(v->str, "%5lu:%5lu%n", &h, &k, &used) != 2 || (size_t)used != v->len || h < 1 || h > 65535 || k < 1 ||
      k > 65535 || v->str[0] < '0' || v->str[0] > '9')
    return fail_at(c, v->line, v->col, "a port must be \"HOST:CONTAINER\" with both from 1 to 65535");
  p->host = (uint32_t)h, p->container = (uint32_t)k;
  return true;
}

static bool parse_mount(ctx *c, const toml_value *t, manifest_mount *mt) {
  if (!want(c, t, TOML_TABLE, "a mount")) return false;
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    if (strcmp(kv->key, "source") == 0) {
      if (!get_str(c, kv, &mt->source)) return false;
    } else if (strcmp(kv->key, "target") == 0) {
      if (!get_str(c, kv, &mt->target)) return false;
      if (mt->target[0] != '/') return fail_at(c, kv->val->line, kv->val->col, "a mount's target must be an absolute path");
    } else if (strcmp(kv->key, "readonly") == 0) {
      if (!want(c, kv->val, TOML_BOOL, "readonly")) return false;
      mt->readonly = kv->val->b;
    } else {
      return unknown_key(c, kv, "a mount", "source, target, readonly");
    }
  }
  if (!mt->source || !mt->target) return fail_at(c, t->line, t->col, "a mount needs source and target");
  return true;
}

static bool parse_container(ctx *c, manifest_container *k, const toml_value *t) {
  k->present = true;
  k->src = (plan_src){t->line, t->col};
  int sources = 0;
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    const toml_value *v = kv->val;
    if (strcmp(kv->key, "image") == 0) {
      if (!get_str(c, kv, &k->image)) return false;
      sources++;
    } else if (strcmp(kv->key, "layout") == 0) {
      if (!get_str(c, kv, &k->layout)) return false;
      sources++;
    } else if (strcmp(kv->key, "command") == 0) {
      if (!want(c, v, TOML_ARRAY, "command")) return false;
      if (!v->nitems) return fail_at(c, v->line, v->col, "command must not be empty");
      if (!parse_strings(c, v, "command", "a command argument", &k->command, &k->ncommand)) return false;
    } else if (strcmp(kv->key, "env") == 0) {
      if (!parse_env(c, v, &k->env, &k->nenv)) return false;
    } else if (strcmp(kv->key, "ports") == 0) {
      if (!want(c, v, TOML_ARRAY, "ports")) return false;
      if (!(k->ports = alloc(c, v->nitems * sizeof *k->ports))) return false;
      for (size_t j = 0; j < v->nitems; j++)
        if (!parse_port(c, v->items[j], &k->ports[k->nports++])) return false;
    } else if (strcmp(kv->key, "mounts") == 0) {
      if (!want(c, v, TOML_ARRAY, "mounts")) return false;
      if (!(k->mounts = alloc(c, v->nitems * sizeof *k->mounts))) return false;
      for (size_t j = 0; j < v->nitems; j++)
        if (!parse_mount(c, v->items[j], &k->mounts[k->nmounts++])) return false;
    } else if (strcmp(kv->key, "cpus") == 0) {
      if (!get_num(c, kv, 0.001, 1024, &k->cpus)) return false;
    } else if (strcmp(kv->key, "memory") == 0) {
      if (!get_size(c, kv, &k->memory)) return false;
    } else if (strcmp(kv->key, "read_only") == 0) {
      if (!want(c, v, TOML_BOOL, "read_only")) return false;
      k->read_only = v->b;
    } else {
      return unknown_key(c, kv, "a container variant", "image, layout, command, env, ports, mounts, cpus, memory, read_only");
    }
    if (sources > 1) return fail_at(c, kv->line, kv->col, "a container variant names an image or a layout, not both");
  }
  if (!sources) return fail_at(c, t->line, t->col, "a container variant needs image or layout");
  return true;
}

/* ---------- services ------------------------------------------------------------------- */

static bool parse_profile(ctx *c, plan_profile *p, const toml_value *t) {
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    if (strcmp(kv->key, "cpu") == 0) {
      if (!get_num(c, kv, 0, 1, &p->cpu)) return false;
    } else if (strcmp(kv->key, "io") == 0) {
      if (!get_num(c, kv, 0, 1, &p->io)) return false;
    } else if (strcmp(kv->key, "security") == 0) {
      if (!get_num(c, kv, 0, 1, &p->security)) return false;
    } else if (strcmp(kv->key, "starts_per_hour") == 0) {
      if (!get_num(c, kv, 0, 1e7, &p->starts_per_hour)) return false;
    } else if (strcmp(kv->key, "memory") == 0) {
      uint64_t b;
      if (!get_size(c, kv, &b)) return false;
      if (b > (UINT64_C(1) << 50)) return fail_at(c, kv->val->line, kv->val->col, "memory must be at most 1PiB");
      p->memory_mib = (double)b / 1048576.0;
    } else {
      return unknown_key(c, kv, "[service.profile]", "cpu, memory, io, starts_per_hour, security");
    }
  }
  return true;
}

static bool add_relation(ctx *c, uint32_t a, uint32_t b, bool same, const toml_value *at) {
  plan_app *app = &c->m->app;
  if (app->nrelations == c->caprel) {
    size_t nc = c->caprel ? c->caprel * 2 : 16;
    plan_relation *r = alloc(c, nc * sizeof *r);
    if (!r) return false;
    if (app->nrelations) memcpy(r, app->relations, app->nrelations * sizeof *r);
    app->relations = r;
    c->caprel = nc;
  }
  app->relations[app->nrelations++] = (plan_relation){a, b, same, {at->line, at->col}};
  return true;
}

static bool parse_constraints(ctx *c, uint32_t self, const toml_value *t) {
  manifest_service *s = &c->m->services[self];
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    const toml_value *v = kv->val;
    if (strcmp(kv->key, "must") == 0) {
      if (!want(c, v, TOML_STRING, "must")) return false;
      if ((s->must = tech_of(v->str)) < 0) return fail_at(c, v->line, v->col, "must is \"wasm\" or \"container\"");
      s->must_src = (plan_src){v->line, v->col};
    } else if (strcmp(kv->key, "same_as") == 0 || strcmp(kv->key, "different_from") == 0) {
      bool same = kv->key[0] == 's';
      if (!want(c, v, TOML_ARRAY, kv->key)) return false;
      for (size_t j = 0; j < v->nitems; j++) {
        uint32_t o;
        if (!service_ref(c, v->items[j], kv->key, &o)) return false;
        if (o == self)
          return fail_at(c, v->items[j]->line, v->items[j]->col, "%s names the service itself", kv->key);
        if (!add_relation(c, self, o, same, v->items[j])) return false;
      }
    } else {
      return unknown_key(c, kv, "[service.constraints]", "must, same_as, different_from");
    }
  }
  return true;
}

static bool parse_service(ctx *c, uint32_t idx, const toml_value *t) {
  manifest_service *s = &c->m->services[idx];
  const toml_value *constraints = NULL;
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    const toml_value *v = kv->val;
    if (strcmp(kv->key, "name") == 0) {
      continue; /* read in the first pass */
    } else if (strcmp(kv->key, "tech") == 0) {
      if (!want(c, v, TOML_STRING, "tech")) return false;
      if (strcmp(v->str, "auto") == 0) s->tech = -1;
      else if ((s->tech = tech_of(v->str)) < 0)
        return fail_at(c, v->line, v->col, "tech is \"wasm\", \"container\" or \"auto\" (the planner decides)");
      s->tech_src = (plan_src){v->line, v->col};
    } else if (strcmp(kv->key, "restart") == 0) {
      if (!want(c, v, TOML_STRING, "restart")) return false;
      if (strcmp(v->str, "no") == 0) s->restart = MANIFEST_RESTART_NO;
      else if (strcmp(v->str, "on-failure") == 0) s->restart = MANIFEST_RESTART_ON_FAILURE;
      else if (strcmp(v->str, "always") == 0) s->restart = MANIFEST_RESTART_ALWAYS;
      else return fail_at(c, v->line, v->col, "restart is \"no\", \"on-failure\" or \"always\"");
    } else if (strcmp(kv->key, "wasm") == 0) {
      if (!want(c, v, TOML_TABLE, "[service.wasm]") || !parse_wasm(c, &s->wasm, v)) return false;
    } else if (strcmp(kv->key, "container") == 0) {
      if (!want(c, v, TOML_TABLE, "[service.container]") || !parse_container(c, &s->container, v)) return false;
    } else if (strcmp(kv->key, "profile") == 0) {
      if (!want(c, v, TOML_TABLE, "[service.profile]") || !parse_profile(c, &s->prof, v)) return false;
    } else if (strcmp(kv->key, "constraints") == 0) {
      if (!want(c, v, TOML_TABLE, "[service.constraints]")) return false;
      constraints = v;
    } else {
      return unknown_key(c, kv, "[[service]]", "name, tech, restart, wasm, container, profile, constraints");
    }
  }
  if (constraints && !parse_constraints(c, idx, constraints)) return false;
  if (!s->wasm.present && !s->container.present)
    return fail_at(c, t->line, t->col, "service '%s' has no variant ([service.wasm] or [service.container])", s->name);
  /* what the service may run on, and why */
  plan_service *ps = &c->m->app.services[idx];
  ps->name = s->name;
  ps->prof = s->prof;
  ps->cpus = s->container.cpus > 0 ? s->container.cpus : s->prof.cpu;
  ps->forced_tech = -1;
  if (s->tech >= 0) {
    bool has = s->tech == PLAN_WASM ? s->wasm.present : s->container.present;
    if (!has)
      return fail_at(c, s->tech_src.line, s->tech_src.col, "tech = \"%s\" but service '%s' has no %s variant",
                     plan_tech_name(s->tech), s->name, plan_tech_name(s->tech));
    if (s->must >= 0 && s->must != s->tech)
      return c->kind = UTIL_ERR_INVALID, fail_at(c, s->must_src.line, s->must_src.col,
                     "infeasible constraints: service '%s' must be %s but its tech is fixed to %s (%d:%d)", s->name,
                     plan_tech_name(s->must), plan_tech_name(s->tech), s->tech_src.line, s->tech_src.col);
    ps->forced_tech = s->tech, ps->force = PLAN_FORCE_FIXED, ps->force_src = s->tech_src;
  } else if (s->must >= 0) {
    bool has = s->must == PLAN_WASM ? s->wasm.present : s->container.present;
    if (!has)
      return c->kind = UTIL_ERR_INVALID, fail_at(c, s->must_src.line, s->must_src.col, "infeasible constraints: service '%s' must be %s but has no %s variant",
                     s->name, plan_tech_name(s->must), plan_tech_name(s->must));
    ps->forced_tech = s->must, ps->force = PLAN_FORCE_MUST, ps->force_src = s->must_src;
  } else if (!s->wasm.present || !s->container.present) {
    ps->forced_tech = s->wasm.present ? PLAN_WASM : PLAN_CONTAINER;
    ps->force = PLAN_FORCE_VARIANT;
    ps->force_src = s->wasm.present ? s->wasm.src : s->container.src;
  }
  return true;
}

/* ---------- interactions and nodes -------------------------------------------------------- */

static bool parse_interaction(ctx *c, plan_interaction *in, const toml_value *t) {
  bool have_from = false, have_to = false, have_rate = false;
  double calls = 0, per_call = 0, volume = 0;
  in->kind = PLAN_HTTP;
  in->src = (plan_src){t->line, t->col};
  const toml_value *from_v = NULL;
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    const toml_value *v = kv->val;
    if (strcmp(kv->key, "from") == 0) {
      if (!service_ref(c, v, "from", &in->from)) return false;
      have_from = true, from_v = v;
    } else if (strcmp(kv->key, "to") == 0) {
      if (!service_ref(c, v, "to", &in->to)) return false;
      have_to = true;
    } else if (strcmp(kv->key, "kind") == 0) {
      if (!want(c, v, TOML_STRING, "kind")) return false;
      int k = -1;
      for (int q = 0; q < PLAN_NKIND; q++)
        if (strcmp(v->str, plan_kind_name(q)) == 0) k = q;
      if (k < 0) return fail_at(c, v->line, v->col, "kind is \"http\", \"tcp\" or \"pipe\"");
      in->kind = (plan_kind)k;
    } else if (strcmp(kv->key, "calls_per_second") == 0) {
      if (!get_num(c, kv, 0, 1e9, &calls)) return false;
      have_rate = true;
    } else if (strcmp(kv->key, "bytes_per_call") == 0) {
      if (!get_num(c, kv, 0, 1e12, &per_call)) return false;
    } else if (strcmp(kv->key, "bytes_per_second") == 0) {
      if (!get_num(c, kv, 0, 1e12, &volume)) return false;
      have_rate = true;
    } else {
      return unknown_key(c, kv, "[[interaction]]", "from, to, kind, calls_per_second, bytes_per_call, bytes_per_second");
    }
  }
  if (!have_from || !have_to) return fail_at(c, t->line, t->col, "an interaction needs from and to");
  if (in->from == in->to) return fail_at(c, from_v->line, from_v->col, "an interaction from a service to itself");
  if (!have_rate) return fail_at(c, t->line, t->col, "an interaction needs calls_per_second or bytes_per_second");
  in->calls_per_s = calls;
  in->bytes_per_s = calls * per_call + volume;
  if (in->bytes_per_s > 1e15) return fail_at(c, t->line, t->col, "an interaction moves more than 1e15 bytes per second");
  return true;
}

static bool parse_node(ctx *c, plan_node *n, const toml_value *t, size_t idx) {
  bool have_cpus = false, have_mem = false;
  n->src = (plan_src){t->line, t->col};
  for (size_t i = 0; i < t->nkvs; i++) {
    const toml_kv *kv = &t->kvs[i];
    if (strcmp(kv->key, "name") == 0) {
      if (!get_str(c, kv, &n->name)) return false;
      for (size_t j = 0; j < idx; j++)
        if (strcmp(c->m->app.nodes[j].name, n->name) == 0)
          return fail_at(c, kv->val->line, kv->val->col, "a node named '%s' is already declared", n->name);
    } else if (strcmp(kv->key, "cpus") == 0) {
      if (!get_num(c, kv, 0, 1e6, &n->cpus)) return false;
      have_cpus = true;
    } else if (strcmp(kv->key, "memory") == 0) {
      uint64_t b;
      if (!get_size(c, kv, &b)) return false;
      n->memory_mib = (double)b / 1048576.0;
      have_mem = true;
    } else {
      return unknown_key(c, kv, "[[node]]", "name, cpus, memory");
    }
  }
  if (!n->name || !have_cpus || !have_mem) return fail_at(c, t->line, t->col, "a node needs name, cpus and memory");
  return true;
}

/* ---------- the document ------------------------------------------------------------------- */

static bool table_array(ctx *c, const toml_kv *kv) {
  if (!want(c, kv->val, TOML_ARRAY, kv->key)) return false;
  for (size_t i = 0; i < kv->val->nitems; i++)
    if (!want(c, kv->val->items[i], TOML_TABLE, kv->key)) return false;
  return true;
}

static bool parse_root(ctx *c, const toml_value *root) {
  manifest *m = c->m;
  const toml_kv *services = NULL, *interactions = NULL, *nodes = NULL;
  for (size_t i = 0; i < root->nkvs; i++) {
    const toml_kv *kv = &root->kvs[i];
    if (strcmp(kv->key, "name") == 0) {
      if (!get_str(c, kv, &m->name)) return false;
    } else if (strcmp(kv->key, "tier") == 0) {
      /* the numbers are weld_tier's (include/weld.h) */
      static const char *const tiers[] = {"interp", "baseline", "optimized", "auto"};
      const char *t;
      if (!get_str(c, kv, &t)) return false;
      m->tier = -1;
      for (int k = 0; k < 4; k++)
        if (strcmp(t, tiers[k]) == 0) m->tier = k;
      if (m->tier < 0) return fail_at(c, kv->val->line, kv->val->col, "tier must be \"interp\", \"baseline\", \"auto\" or \"optimized\"");
      m->tier_src = (plan_src){kv->val->line, kv->val->col};
    } else if (strcmp(kv->key, "service") == 0) {
      if (!table_array(c, kv)) return false;
      services = kv;
    } else if (strcmp(kv->key, "interaction") == 0) {
      if (!table_array(c, kv)) return false;
      interactions = kv;
    } else if (strcmp(kv->key, "node") == 0) {
      if (!table_array(c, kv)) return false;
      nodes = kv;
    } else {
      return unknown_key(c, kv, "the manifest", "name, tier, [[service]], [[interaction]], [[node]]");
    }
  }
  if (!services) return fail_at(c, 1, 1, "the manifest declares no [[service]]");
  size_t ns = services->val->nitems;
  size_t ni = interactions ? interactions->val->nitems : 0, nn = nodes ? nodes->val->nitems : 0;
  if (ns > PLAN_MAX_SERVICES) return fail_at(c, services->line, services->col, "more than %d services", PLAN_MAX_SERVICES);
  if (ni > PLAN_MAX_INTERACTIONS)
    return fail_at(c, interactions->line, interactions->col, "more than %d interactions", PLAN_MAX_INTERACTIONS);
  if (!(m->services = alloc(c, ns * sizeof *m->services)) ||
      !(m->app.services = alloc(c, ns * sizeof *m->app.services)) ||
      !(m->app.interactions = alloc(c, ni * sizeof *m->app.interactions)) ||
      !(m->app.nodes = alloc(c, nn * sizeof *m->app.nodes)))
    return false;
  /* names first, so references may point forward */
  for (size_t i = 0; i < ns; i++) {
    const toml_value *t = services->val->items[i];
    const toml_value *name = toml_get(t, "name");
    if (!name) return fail_at(c, t->line, t->col, "a service needs a name");
    if (!want(c, name, TOML_STRING, "name")) return false;
    if (!name->len || strlen(name->str) != name->len)
      return fail_at(c, name->line, name->col, "a service's name must be non-empty and without NUL characters");
    manifest_service *s = &m->services[i];
    s->name = name->str;
    s->tech = -1, s->must = -1;
    s->src = (plan_src){t->line, t->col};
    s->prof = (plan_profile){0.1, 16.0, 0.1, 1.0, 0.5};
  }
  m->nservices = ns;
  m->app.nservices = ns;
  /* a hash table of the names: references are resolved in constant time */
  size_t hcap = 16;
  while (hcap < 2 * ns) hcap *= 2;
  if (!(c->hash = alloc(c, hcap * sizeof *c->hash))) return false;
  c->hmask = hcap - 1;
  for (size_t i = 0; i < hcap; i++) c->hash[i] = UINT32_MAX;
  for (size_t i = 0; i < ns; i++) {
    size_t h = name_hash(m->services[i].name) & c->hmask;
    while (c->hash[h] != UINT32_MAX) {
      if (strcmp(m->services[c->hash[h]].name, m->services[i].name) == 0) {
        const toml_value *name = toml_get(services->val->items[i], "name");
        return fail_at(c, name->line, name->col, "a service named '%s' is already declared", name->str);
      }
      h = (h + 1) & c->hmask;
    }
    c->hash[h] = (uint32_t)i;
  }
  for (size_t i = 0; i < ns; i++)
    if (!parse_service(c, (uint32_t)i, services->val->items[i])) return false;
  for (size_t i = 0; i < ni; i++) {
    if (!parse_interaction(c, &m->app.interactions[i], interactions->val->items[i])) return false;
    m->app.ninteractions++;
  }
  for (size_t i = 0; i < nn; i++) {
    if (!parse_node(c, &m->app.nodes[i], nodes->val->items[i], i)) return false;
    m->app.nnodes++;
  }
  /* constraints that cannot all hold: the planner's own check, at load time */
  plan_problem p = {0};
  p.n = ns;
  p.relations = m->app.relations;
  p.nrelations = m->app.nrelations;
  if (!(p.fixed = util_try_malloc(ns ? ns : 1))) return oom(c);
  for (size_t i = 0; i < ns; i++) p.fixed[i] = (int8_t)m->app.services[i].forced_tech;
  plan_step *chain;
  size_t nchain;
  bool out_of_mem;
  bool ok = plan_check_constraints(&p, &chain, &nchain, &out_of_mem);
  free(p.fixed);
  if (ok) return true;
  if (out_of_mem) return oom(c);
  /* the position: the relation that closes the chain (its last), or a forced service */
  plan_src at = nchain ? m->app.services[chain[0].a].force_src : (plan_src){1, 1};
  for (size_t k = 0; k < nchain; k++)
    if (chain[k].relation != SIZE_MAX) at = m->app.relations[chain[k].relation].src;
  char buf[160];
  manifest_chain_format(&m->app, chain, nchain, buf, sizeof buf);
  free(chain);
  c->kind = UTIL_ERR_INVALID;
  return fail_at(c, at.line, at.col, "infeasible constraints: %s", buf);
}

bool manifest_parse(manifest *m, const char *text, size_t len, const char *filename, util_error *err) {
  memset(m, 0, sizeof *m);
  util_error_clear(err);
  util_arena_init(&m->arena);
  m->filename = filename ? filename : "<manifest>";
  m->app.filename = m->filename;
  m->tier = -1;
  static const toml_options opts = {"manifests", true};
  ctx c = {m, err, 0, UTIL_ERR_USAGE, NULL, 0};
  bool ok = toml_parse(&m->doc, text, len, m->filename, &opts, err) && parse_root(&c, m->doc.root);
  if (!ok) manifest_free(m);
  return ok;
}

bool manifest_load(manifest *m, const char *path, util_error *err) {
  uint8_t *data;
  size_t len;
  memset(m, 0, sizeof *m);
  util_error_clear(err);
  if (!util_read_file(path, &data, &len, err)) return false;
  bool ok = manifest_parse(m, (const char *)data, len, path, err);
  free(data);
  return ok;
}

void manifest_free(manifest *m) {
  toml_free(&m->doc);
  util_arena_free(&m->arena);
  memset(m, 0, sizeof *m);
}

/* ---------- words for explanations ------------------------------------------------------ */

const char *manifest_force_format(const plan_app *app, uint32_t i, char *buf, size_t cap) {
  const plan_service *s = &app->services[i];
  const char *t = plan_tech_name(s->forced_tech);
  switch (s->force) {
  case PLAN_FORCE_FIXED:
    snprintf(buf, cap, "tech = \"%s\" is fixed in the manifest (%d:%d)", t, s->force_src.line, s->force_src.col);
    break;
  case PLAN_FORCE_MUST:
    snprintf(buf, cap, "constraints.must = \"%s\" (%d:%d)", t, s->force_src.line, s->force_src.col);
    break;
  case PLAN_FORCE_VARIANT:
    snprintf(buf, cap, "only a %s variant is declared (%d:%d)", t, s->force_src.line, s->force_src.col);
    break;
  default: return NULL;
  }
  return buf;
}

const char *manifest_chain_format(const plan_app *app, const plan_step *chain, size_t n, char *buf, size_t cap) {
  size_t k = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < n && k < cap; i++) {
    const plan_step *s = &chain[i];
    int w;
    if (s->relation == SIZE_MAX) {
      char why[128];
      const plan_service *sv = &app->services[s->a];
      w = snprintf(buf + k, cap - k, "%s'%s' is %s: %s", i ? ", " : "", sv->name, plan_tech_name(sv->forced_tech),
                   manifest_force_format(app, s->a, why, sizeof why) ? why : "forced");
    } else {
      const plan_relation *r = &app->relations[s->relation];
      w = snprintf(buf + k, cap - k, "%s'%s' %s '%s' (%d:%d)", i ? ", " : "", app->services[r->a].name,
                   r->same ? "same_as" : "different_from", app->services[r->b].name, r->src.line, r->src.col);
    }
    if (w < 0) break;
    k += (size_t)w;
  }
  if (k >= cap && cap > 4) memcpy(buf + cap - 4, "...", 4);
  return buf;
}

/* The history database (SQLite): one row per run of an application, one per service and
 * per interaction of each run, written by the supervisor when the application stops or
 * re-plans and read by `weld plan --history` and `weld up --replan`. The schema is
 * versioned (PRAGMA user_version) and marked as weld's (PRAGMA application_id), so a
 * foreign or newer file is refused by name rather than misread. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "exec_int.h"
#include "hybrid/history.h"
#include "oci/oci.h"

#ifdef WELD_HAVE_SQLITE
#include "util/dl_sqlite.h"
#endif

#define HISTORY_APP_ID 0x57454c44 /* "WELD" */
#define HISTORY_BUSY_MS 2000

bool hybrid_history_default(const char *app_name, char *buf, size_t n, util_error *err) {
  char root[PATH_MAX];
  if (!hybrid_state_root(root, sizeof root, err)) return false;
  char dir[PATH_MAX + 16];
  snprintf(dir, sizeof dir, "%s/.history", root);
  if (!oci_mkdirs(dir, err)) return false;
  snprintf(buf, n, "%s/%s.db", dir, app_name);
  return true;
}

/* ---------- measuring (the supervisor) ---------- */

void hy_history_sample(hy_app *a) {
  for (size_t i = 0; i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    if (!s->started_ns || (s->state != HY_RUNNING && s->state != HY_STARTING)) continue;
    int64_t mem, cpu;
    hy_usage_of(s, &mem, &cpu);
    if (mem > s->peak_mem) s->peak_mem = mem;
  }
  a->sampled_ns = hy_now_ns();
}

void hy_history_begin(hy_app *a, hy_svc *s) {
  int64_t mem, cpu;
  hy_usage_of(s, &mem, &cpu);
  s->seg_ns = hy_now_ns();
  s->seg_cpu_ns = cpu;
  s->peak_mem = mem;
  for (size_t i = 0; i < a->nedges; i++)
    if (a->edges[i].to == (int)s->index || a->edges[i].from == (int)s->index) a->edges[i].base = hy_stats_take(&a->edges[i].stats);
}

#ifndef WELD_HAVE_SQLITE

bool hybrid_history_supported(util_error *err) {
  return util_fail(err, UTIL_ERR_USAGE, -1, "not supported: history (built without SQLite)");
}

bool hy_history_record(hy_app *a, util_error *err) {
  (void)a;
  return util_fail(err, UTIL_ERR_USAGE, -1, "not supported: history (built without SQLite)");
}

bool hybrid_history_load(const char *path, const manifest *m, plan_history *h, util_error *err) {
  (void)path, (void)m, (void)h;
  return util_fail(err, UTIL_ERR_USAGE, -1, "not supported: history (built without SQLite)");
}

#else

bool hybrid_history_supported(util_error *err) {
  return util_dynlib_need(&dl_sqlite_lib, "the placement history", err);
}

static const char *const schema_sql =
    "CREATE TABLE run(id INTEGER PRIMARY KEY, app TEXT NOT NULL, at REAL NOT NULL, uptime_s REAL NOT NULL);"
    "CREATE TABLE service(run INTEGER NOT NULL REFERENCES run(id), service TEXT NOT NULL,"
    " tech TEXT NOT NULL CHECK (tech IN ('wasm', 'container')), start_ms REAL, uptime_s REAL NOT NULL, cpu_s REAL,"
    " peak_rss_mib REAL, calls INTEGER NOT NULL, errors INTEGER NOT NULL, p50_ms REAL, p95_ms REAL);"
    "CREATE TABLE interaction(run INTEGER NOT NULL REFERENCES run(id), caller TEXT NOT NULL, callee TEXT NOT NULL,"
    " kind TEXT NOT NULL, placement TEXT NOT NULL CHECK (placement IN ('both wasm', 'both container', 'crossing')),"
    " calls INTEGER NOT NULL, errors INTEGER NOT NULL, bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL,"
    " latency_sum_ms REAL NOT NULL, p50_ms REAL, p95_ms REAL);"
    "CREATE INDEX run_app ON run(app, at);"
    "CREATE INDEX service_run ON service(run);"
    "CREATE INDEX interaction_run ON interaction(run);";

static bool db_fail(sqlite3 *db, const char *path, int rc, util_error *err) {
  const char *why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    return util_fail(err, UTIL_ERR_IO, -1, "%s: the history database is locked by another process (waited %d ms): %s", path,
                     HISTORY_BUSY_MS, why);
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
    return util_fail(err, UTIL_ERR_USAGE, -1, "%s: not a weld history database or corrupt: %s", path, why);
  return util_fail(err, UTIL_ERR_IO, -1, "%s: %s", path, why);
}

static int pragma_int(sqlite3 *db, const char *sql, int *out) {
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) return rc;
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int(st, 0), rc = SQLITE_OK;
  sqlite3_finalize(st);
  return rc;
}

/* Opens the database and checks (or, when writing an empty one, creates) the schema. */
static bool db_open(const char *path, bool write, sqlite3 **out, util_error *err) {
  *out = NULL;
  if (!hybrid_history_supported(err)) return false;
  struct stat stt;
  if (!write && stat(path, &stt) != 0)
    return util_fail(err, UTIL_ERR_USAGE, -1, "%s: no history database there (%s)", path, strerror(errno));
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(path, &db, write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY, NULL);
  if (rc != SQLITE_OK) {
    db_fail(db, path, rc, err);
    sqlite3_close(db);
    return false;
  }
  sqlite3_busy_timeout(db, HISTORY_BUSY_MS);
  int app_id = 0, version = 0, tables = 0;
  if ((rc = pragma_int(db, "PRAGMA application_id", &app_id)) != SQLITE_OK ||
      (rc = pragma_int(db, "PRAGMA user_version", &version)) != SQLITE_OK ||
      (rc = pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables)) != SQLITE_OK) {
    db_fail(db, path, rc, err);
    sqlite3_close(db);
    return false;
  }
  bool ok = true;
  if (app_id == 0 && version == 0 && tables == 0) {
    if (!write) ok = util_fail(err, UTIL_ERR_USAGE, -1, "%s: an empty database, no weld history in it", path);
    else {
      char *msg = NULL;
      char sql[2048];
      snprintf(sql, sizeof sql, "BEGIN IMMEDIATE; %s PRAGMA application_id = %d; PRAGMA user_version = %d; COMMIT;", schema_sql,
               HISTORY_APP_ID, HYBRID_HISTORY_SCHEMA);
      rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
      sqlite3_free(msg);
      if (rc != SQLITE_OK) {
        db_fail(db, path, rc, err);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        ok = false;
      }
    }
  } else if (app_id != HISTORY_APP_ID) {
    ok = util_fail(err, UTIL_ERR_USAGE, -1, "%s: not a weld history database (application_id %d)", path, app_id);
  } else if (version != HYBRID_HISTORY_SCHEMA) {
    ok = util_fail(err, UTIL_ERR_USAGE, -1, "%s: history schema version %d; this weld reads version %d", path, version,
                   HYBRID_HISTORY_SCHEMA);
  }
  if (!ok) {
    sqlite3_close(db);
    return false;
  }
  *out = db;
  return true;
}

static const char *placement(int da, int db) {
  return da != db ? "crossing" : da == PLAN_WASM ? "both wasm" : "both container";
}

static void bind_opt(sqlite3_stmt *st, int i, double v) {
  if (v >= 0 && isfinite(v)) sqlite3_bind_double(st, i, v);
  else sqlite3_bind_null(st, i);
}

/* The counters of an edge since its base. */
static hy_snap since(hy_edge *e) {
  hy_snap now = hy_stats_take(&e->stats), d = now;
  d.calls -= e->base.calls, d.errors -= e->base.errors, d.in -= e->base.in, d.out -= e->base.out, d.sum -= e->base.sum;
  for (int b = 0; b < HY_LAT_BUCKETS; b++) d.hist[b] -= e->base.hist[b];
  return d;
}

bool hy_history_record(hy_app *a, util_error *err) {
  if (!a->history[0]) return true;
  sqlite3 *db;
  if (!db_open(a->history, true, &db, err)) return false;
  hy_history_sample(a);
  uint64_t now = hy_now_ns();
  double uptime = 0;
  for (size_t i = 0; i < a->nsvcs; i++)
    if (a->svcs[i].seg_ns && (double)(now - a->svcs[i].seg_ns) / 1e9 > uptime) uptime = (double)(now - a->svcs[i].seg_ns) / 1e9;
  hy_snap *d = calloc(a->nedges + 1, sizeof *d);
  if (!d) {
    sqlite3_close(db);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  for (size_t i = 0; i < a->nedges; i++) d[i] = since(&a->edges[i]);
  sqlite3_stmt *run = NULL, *svc = NULL, *in = NULL;
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, "INSERT INTO run(app, at, uptime_s) VALUES (?, ?, ?)", -1, &run, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(db,
                            "INSERT INTO service(run, service, tech, start_ms, uptime_s, cpu_s, peak_rss_mib, calls, errors,"
                            " p50_ms, p95_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            -1, &svc, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(db,
                            "INSERT INTO interaction(run, caller, callee, kind, placement, calls, errors, bytes_in, bytes_out,"
                            " latency_sum_ms, p50_ms, p95_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            -1, &in, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(run, 1, a->name, -1, SQLITE_STATIC);
    sqlite3_bind_double(run, 2, (double)time(NULL));
    sqlite3_bind_double(run, 3, uptime);
    rc = sqlite3_step(run) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
  }
  sqlite3_int64 id = sqlite3_last_insert_rowid(db);
  for (size_t i = 0; rc == SQLITE_OK && i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    if (!s->seg_ns) continue; /* never started */
    /* what it answered: every measured path into it */
    hy_snap all = {0};
    for (size_t k = 0; k < a->nedges; k++) {
      if (a->edges[k].to != (int)i || a->edges[k].unsupported || a->edges[k].kind == PLAN_PIPE) continue;
      all.calls += d[k].calls, all.errors += d[k].errors, all.sum += d[k].sum;
      if (d[k].max > all.max) all.max = d[k].max;
      for (int b = 0; b < HY_LAT_BUCKETS; b++) all.hist[b] += d[k].hist[b];
    }
    int64_t mem, cpu;
    hy_usage_of(s, &mem, &cpu);
    double up = (double)(now - s->seg_ns) / 1e9;
    sqlite3_reset(svc);
    sqlite3_bind_int64(svc, 1, id);
    sqlite3_bind_text(svc, 2, s->ms->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(svc, 3, plan_tech_name(s->tech), -1, SQLITE_STATIC);
    bind_opt(svc, 4, s->start_ms);
    sqlite3_bind_double(svc, 5, up);
    bind_opt(svc, 6, cpu >= 0 && s->seg_cpu_ns >= 0 && cpu >= s->seg_cpu_ns ? (double)(cpu - s->seg_cpu_ns) / 1e9 : -1);
    bind_opt(svc, 7, s->peak_mem >= 0 ? (double)s->peak_mem / 1048576.0 : -1);
    sqlite3_bind_int64(svc, 8, (sqlite3_int64)all.calls);
    sqlite3_bind_int64(svc, 9, (sqlite3_int64)all.errors);
    bind_opt(svc, 10, all.calls ? hy_snap_quantile_ms(&all, 0.5) : -1);
    bind_opt(svc, 11, all.calls ? hy_snap_quantile_ms(&all, 0.95) : -1);
    rc = sqlite3_step(svc) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
  }
  for (size_t k = 0; rc == SQLITE_OK && k < a->nedges; k++) {
    hy_edge *e = &a->edges[k];
    if (e->unsupported || (e->from >= 0 && !a->svcs[e->from].seg_ns) || !a->svcs[e->to].seg_ns) continue;
    sqlite3_reset(in);
    sqlite3_bind_int64(in, 1, id);
    sqlite3_bind_text(in, 2, e->from < 0 ? "(host)" : a->svcs[e->from].ms->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(in, 3, a->svcs[e->to].ms->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(in, 4, plan_kind_name(e->kind), -1, SQLITE_STATIC);
    int tf = e->from < 0 ? PLAN_CONTAINER : a->svcs[e->from].tech; /* the host: outside weld, as a container */
    sqlite3_bind_text(in, 5, placement(tf, a->svcs[e->to].tech), -1, SQLITE_STATIC);
    sqlite3_bind_int64(in, 6, (sqlite3_int64)d[k].calls);
    sqlite3_bind_int64(in, 7, (sqlite3_int64)d[k].errors);
    sqlite3_bind_int64(in, 8, (sqlite3_int64)d[k].in);
    sqlite3_bind_int64(in, 9, (sqlite3_int64)d[k].out);
    sqlite3_bind_double(in, 10, (double)d[k].sum / 1000.0);
    bind_opt(in, 11, d[k].calls ? hy_snap_quantile_ms(&d[k], 0.5) : -1);
    bind_opt(in, 12, d[k].calls ? hy_snap_quantile_ms(&d[k], 0.95) : -1);
    rc = sqlite3_step(in) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
  }
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  bool ok = rc == SQLITE_OK || db_fail(db, a->history, rc, err);
  if (!ok) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_finalize(run);
  sqlite3_finalize(svc);
  sqlite3_finalize(in);
  sqlite3_close(db);
  free(d);
  if (ok) /* the next record covers what follows; a start is recorded once */
    for (size_t i = 0; i < a->nsvcs; i++)
      if (a->svcs[i].seg_ns) hy_history_begin(a, &a->svcs[i]), a->svcs[i].start_ms = -1;
  return ok;
}

/* ---------- reading (weld plan --history, weld up --replan) ---------- */

/* A column that must be a number from 0 (NULL: unknown, -1). */
static bool column(sqlite3_stmt *st, int c, const char *path, const char *table, sqlite3_int64 run, double *out,
                   util_error *err) {
  int t = sqlite3_column_type(st, c);
  if (t == SQLITE_NULL) {
    *out = -1;
    return true;
  }
  double v = sqlite3_column_double(st, c);
  if ((t != SQLITE_INTEGER && t != SQLITE_FLOAT) || !isfinite(v) || v < 0)
    return util_fail(err, UTIL_ERR_USAGE, -1, "%s: table %s, run %lld: %s must be a number from 0, not '%s'", path, table,
                     (long long)run, sqlite3_column_name(st, c), (const char *)sqlite3_column_text(st, c));
  *out = v;
  return true;
}

static long find_service(const manifest *m, const char *name) {
  for (size_t i = 0; name && i < m->app.nservices; i++)
    if (!strcmp(m->app.services[i].name, name)) return (long)i;
  return -1;
}

static int tech_of(const char *t) { return !t ? -1 : !strcmp(t, "wasm") ? PLAN_WASM : !strcmp(t, "container") ? PLAN_CONTAINER : -1; }

bool hybrid_history_load(const char *path, const manifest *m, plan_history *h, util_error *err) {
  if (!plan_history_init(h, &m->app, path)) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  sqlite3 *db;
  if (!db_open(path, false, &db, err)) {
    plan_history_free(h);
    return false;
  }
  const char *app = m->name ? m->name : "app";
  sqlite3_stmt *st = NULL;
  bool ok = true;
  int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM run WHERE app = ?", -1, &st, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) h->runs = (uint32_t)sqlite3_column_int(st, 0), rc = SQLITE_OK;
    sqlite3_finalize(st), st = NULL;
  }
  /* services, oldest run first */
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(db,
                            "SELECT s.run, s.service, s.tech, s.start_ms, s.uptime_s, s.cpu_s, s.peak_rss_mib, s.calls,"
                            " s.errors, s.p50_ms, s.p95_ms FROM service s JOIN run r ON r.id = s.run WHERE r.app = ?"
                            " ORDER BY r.at, r.id",
                            -1, &st, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
      sqlite3_int64 run = sqlite3_column_int64(st, 0);
      long i = find_service(m, (const char *)sqlite3_column_text(st, 1));
      int t = tech_of((const char *)sqlite3_column_text(st, 2));
      double v[8];
      for (int c = 0; ok && c < 8; c++) ok = column(st, 3 + c, path, "service", run, &v[c], err);
      if (!ok || i < 0) continue;
      if (t < 0) {
        ok = util_fail(err, UTIL_ERR_USAGE, -1, "%s: table service, run %lld: tech must be 'wasm' or 'container'", path,
                       (long long)run);
        continue;
      }
      plan_svc_obs *o = &h->svc[(size_t)i * PLAN_NTECH + (size_t)t];
      double start = v[0], up = v[1], cpu = v[2], rss = v[3], calls = v[4], errors = v[5];
      o->runs++;
      plan_ewma_add(&o->start_ms, start);
      if (up > 0 && cpu >= 0) plan_ewma_add(&o->cpu_ms_per_s, cpu * 1000.0 / up);
      plan_ewma_add(&o->rss_mib, rss);
      if (calls > 0) {
        plan_ewma_add(&o->p50_ms, v[6]);
        plan_ewma_add(&o->p95_ms, v[7]);
        plan_ewma_add(&o->error_rate, errors / calls);
        o->calls += (uint64_t)calls;
      }
    }
    if (ok && rc != SQLITE_DONE) ok = db_fail(db, path, rc, err);
    sqlite3_finalize(st), st = NULL;
    rc = SQLITE_OK;
  }
  if (ok && rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(db,
                            "SELECT i.run, i.caller, i.callee, i.kind, i.placement, i.calls, i.errors, i.bytes_in,"
                            " i.bytes_out, i.latency_sum_ms, r.uptime_s FROM interaction i JOIN run r ON r.id = i.run"
                            " WHERE r.app = ? ORDER BY r.at, r.id",
                            -1, &st, NULL);
  if (ok && rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
      sqlite3_int64 run = sqlite3_column_int64(st, 0);
      long f = find_service(m, (const char *)sqlite3_column_text(st, 1)), t = find_service(m, (const char *)sqlite3_column_text(st, 2));
      const char *kind = (const char *)sqlite3_column_text(st, 3), *pl = (const char *)sqlite3_column_text(st, 4);
      int cb = !pl ? -1 : !strcmp(pl, "both wasm") ? 0 : !strcmp(pl, "both container") ? 1 : !strcmp(pl, "crossing") ? 2 : -1;
      double v[6];
      for (int c = 0; ok && c < 6; c++) ok = column(st, 5 + c, path, "interaction", run, &v[c], err);
      if (!ok) continue;
      if (cb < 0) {
        ok = util_fail(err, UTIL_ERR_USAGE, -1, "%s: table interaction, run %lld: placement must be 'both wasm', 'both container' or 'crossing'",
                       path, (long long)run);
        continue;
      }
      if (f < 0 || t < 0 || !kind) continue;
      for (size_t k = 0; k < m->app.ninteractions; k++) {
        const plan_interaction *pi = &m->app.interactions[k];
        if (pi->from != (uint32_t)f || pi->to != (uint32_t)t || strcmp(plan_kind_name(pi->kind), kind)) continue;
        plan_int_obs *o = &h->inter[k];
        double calls = v[0], bytes = (v[2] >= 0 ? v[2] : 0) + (v[3] >= 0 ? v[3] : 0), lat = v[4], up = v[5];
        if (up > 0 && calls >= 0) {
          plan_ewma_add(&o->calls_per_s, calls / up);
          plan_ewma_add(&o->bytes_per_s, bytes / up);
        }
        if (calls > 0 && lat >= 0) plan_ewma_add(&o->call_us[cb], lat * 1000.0 / calls);
        break;
      }
    }
    if (ok && rc != SQLITE_DONE) ok = db_fail(db, path, rc, err);
    sqlite3_finalize(st), st = NULL;
    rc = SQLITE_OK;
  }
  if (ok && rc != SQLITE_OK) ok = db_fail(db, path, rc, err);
  sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close(db);
  if (!ok) plan_history_free(h);
  return ok;
}

#endif

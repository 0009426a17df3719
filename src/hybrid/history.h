/* The adaptive selector's history: what `weld up` measured of each service on each
 * technology, run after run, in an SQLite database, and how `weld plan --history` and
 * `weld up --replan` read it back (docs/plan.md "History", docs/executor.md "History").
 * Optional at build time: without SQLite every entry point says "not supported"; when
 * libsqlite3.so.0 cannot be opened at run time they say "the placement history needs
 * libsqlite3.so.0: REASON". */
#ifndef WELD_HYBRID_HISTORY_H
#define WELD_HYBRID_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "hybrid/manifest.h"
#include "plan/plan.h"
#include "util/util.h"

#define HYBRID_HISTORY_SCHEMA 1

/* True when this weld was built with SQLite and can open libsqlite3.so.0 (opened on first
 * use, util/dynlib.h); otherwise false with why in err (may be NULL). */
bool hybrid_history_supported(util_error *err);
/* The application's default database: STATE_ROOT/.history/NAME.db (kept by weld down). */
bool hybrid_history_default(const char *app_name, char *buf, size_t n, util_error *err);
/* Reads the runs of manifest m's application from the database at path into h (which it
 * initialises; plan_history_free releases it). Rows of services or interactions the
 * manifest no longer has are left out. Errors: a missing, corrupt, foreign, locked or newer
 * database, or a bad value in a row, each "PATH: ..." (UTIL_ERR_USAGE; without SQLite
 * "not supported: history (built without SQLite)"). */
bool hybrid_history_load(const char *path, const manifest *m, plan_history *h, util_error *err);

#endif

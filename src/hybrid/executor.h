/* The hybrid executor: runs an application (app.toml) whose services are WebAssembly
 * modules inside this process or OCI containers under runc, with a supervisor process per
 * application and no daemon (docs/executor.md). The `weld up/ps/logs/down/diag` commands
 * are thin layers over these functions. */
#ifndef WELD_HYBRID_EXECUTOR_H
#define WELD_HYBRID_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/util.h"

/* Where applications keep their state: $WELD_RUN_DIR, else $XDG_RUNTIME_DIR/weld, else
 * /run/weld/apps for root, else /tmp/weld-UID. Created when missing. */
bool hybrid_state_root(char *buf, size_t n, util_error *err);

typedef struct hybrid_up_opts {
  bool foreground; /* supervise in this process (until SIGTERM/SIGINT) instead of a
                      detached one */
  FILE *out;       /* progress lines ("started ingest (container, pid 123)") */
  unsigned metrics_port; /* serve Prometheus text at http://127.0.0.1:PORT/metrics, 0 = not */
  const char *history;   /* the history database, NULL: STATE_ROOT/.history/NAME.db */
  bool replan;           /* plan from the history; when the application is up, move the
                            services whose technology changes and only those */
  /* Writes the component a `package` reference (NAME@VERSION) names to out_path (the weld
   * command fetches and composes it from its registry); NULL: package services are refused */
  bool (*fetch_package)(const char *ref, const char *out_path, util_error *err);
} hybrid_up_opts;

/* Starts the application of the manifest at path. Returns once every service started
 * (or, in the foreground, once the application stopped), false with err when the
 * manifest is bad (UTIL_ERR_USAGE / UTIL_ERR_INVALID), an application of that name
 * already runs (UTIL_ERR_USAGE), or a service could not start (UTIL_ERR_IO; everything
 * started is stopped and removed again). */
bool hybrid_up(const char *path, const hybrid_up_opts *o, util_error *err);

/* The state directory of the application `name_or_manifest` (a name, or an app.toml whose
 * name is read); NULL picks the only application there is. */
bool hybrid_find(const char *name_or_manifest, char *dir, size_t n, util_error *err);
/* Asks the application's supervisor: "ps", "diag", "mermaid" or "metrics"; its answer goes to out.
 * Fails (UTIL_ERR_IO) when the supervisor does not run. */
bool hybrid_query(const char *dir, const char *what, FILE *out, util_error *err);
/* Prints a service's log; follow keeps printing until the application stops. */
bool hybrid_logs(const char *dir, const char *service, bool follow, FILE *out, util_error *err);
/* Stops the application and removes everything it made: processes, containers, bundles,
 * sockets, the state directory. Works on what a killed supervisor left behind too. */
bool hybrid_down(const char *dir, FILE *out, util_error *err);
/* The names of the applications with state (caller frees each and the array). */
bool hybrid_list(char ***names, size_t *n, util_error *err);

#endif

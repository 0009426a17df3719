/* wasi2: WASI 0.2 host interfaces (wasi:cli, wasi:io, wasi:clocks, wasi:random,
 * wasi:filesystem) for component instances (src/component), answered through the preview1
 * context of src/wasi: the same sandbox, policy decisions, byte limits and denial log.
 * See README.md. Depends on src/component, src/wasi, src/policy, src/util. */
#ifndef WELD_WASI2_H
#define WELD_WASI2_H

#include <stdbool.h>

#include "../component/runtime.h"
#include "../wasi/wasi.h"

typedef struct wasi2 wasi2;

/* A WASI 0.2 host over a preview1 context (borrowed: it must outlive the host). NULL with
 * an OOM error when out of memory. */
wasi2 *wasi2_new(wasi_ctx *ctx, util_error *err);
void wasi2_free(wasi2 *w);

/* Registers, in `host`, the functions and resources of every WASI 0.2 interface
 * (`wasi:NS/NAME@0.2.x`) the component imports (info from comp_validate) that wasi2
 * implements. Interfaces and functions it does not implement are left out: instantiating
 * then fails with "not supported: ...". False only when out of memory. */
bool wasi2_link(wasi2 *w, comp_host *host, const comp_info *info, util_error *err);

/* The name of the component's `wasi:cli/run@0.2.x` export (`wasi:cli/run@0.2.N#run`, for
 * comp_inst_func) into buf; false when it exports none. */
bool wasi2_run_export(const comp_info *info, char *buf, size_t n);

/* After a call that trapped: true when the trap was the guest's wasi:cli/exit (*code: its
 * status), false otherwise. */
bool wasi2_exited(const wasi2 *w, int *code);

#endif

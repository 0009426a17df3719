/* The guest profiler: samples the WebAssembly call stack of one store at a fixed
 * interval and writes the result as folded stacks and as an SVG flame graph.
 *
 * A timer thread raises the store's interrupt flag with the "sample" reason; the
 * interpreter records its stack at the next interruption point (function entry or loop
 * back-edge) and carries on, so a run that is not profiled pays nothing. */
#ifndef WELD_OBS_PROFILE_H
#define WELD_OBS_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/exec.h"
#include "util/util.h"

typedef struct obs_profiler obs_profiler;

/* Starts sampling `s` every interval_ns (0: 1 ms). One profiler per store at a time. */
obs_profiler *obs_profiler_start(exec_store *s, uint64_t interval_ns, util_error *err);
/* Stops the timer and detaches from the store (the samples stay). Idempotent. Must
 * happen before the store is freed; writing may come after. */
void obs_profiler_stop(obs_profiler *p);
void obs_profiler_free(obs_profiler *p);

/* Samples taken, and timer ticks they stand for (a sample carries the ticks that passed
 * since the previous one, so time in long stretches without interruption points, or in
 * host calls, is not lost). */
uint64_t obs_profiler_samples(const obs_profiler *p);
uint64_t obs_profiler_ticks(const obs_profiler *p);

/* Folded stacks: one line per distinct stack, `outer;...;inner TICKS`. */
bool obs_profiler_write_folded(const obs_profiler *p, const char *path, util_error *err);
/* A self-contained SVG flame graph (no scripts): one box per function in each stack,
 * as wide as its share of the ticks, with a tooltip giving the count. */
bool obs_profiler_write_svg(const obs_profiler *p, const char *path, const char *title, util_error *err);

#endif

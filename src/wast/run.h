/* Running WAST scripts through the public embedding API (include/weld.h): every command
 * of the spec's scripts, each counted as passed, failed or skipped (with a reason). */
#ifndef WELD_WAST_RUN_H
#define WELD_WAST_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/util.h"

#define WAST_MAX_SKIP_REASONS 24

typedef struct wast_skip_count {
  const char *reason; /* static text */
  unsigned count;
} wast_skip_count;

typedef struct wast_run_options {
  FILE *log;                 /* FAIL (and SKIP, PASS) lines; NULL: none */
  bool verbose;              /* also a PASS line per command */
  uint64_t fuel;             /* fuel for each action and instantiation; 0: unmetered */
  uint64_t max_memory_bytes; /* per memory; 0: unlimited */
  uint32_t max_table_elements; /* per table; 0: unlimited */
  bool explicit_bounds;      /* software bounds checks instead of the guard region */
  int tier;                  /* 0: the default (WELD_TIER); else 1 + a weld_tier */
  uint32_t tier_up_threshold; /* with tier_up_given: weld_config.tier_up_threshold */
  bool tier_up_given;
  bool wasm2;                /* hold modules to WebAssembly 2.0 (WELD_STANDARD_2_0): the
                                2.0 suite asserts its restrictions and messages */
} wast_run_options;

#define WAST_MAX_TIER_REASONS 32

typedef struct wast_run_stats {
  unsigned passed, failed, skipped;
  wast_skip_count skips[WAST_MAX_SKIP_REASONS];
  size_t nskips;
  /* modules compiled for the baseline or auto tier (counted when the module is freed):
   * their defined functions, how many became machine code, and why the others did not
   * (the first WAST_MAX_TIER_REASONS reasons) */
  uint64_t tier_functions, tier_compiled;
  uint64_t tier_by_loop, tier_fell_back; /* auto tier: promoted by a loop; hot but not compiled */
  uint64_t tier_osr;                      /* auto tier: frames continued compiled from a loop */
  uint64_t tier_auto_functions;          /* of tier_functions, those of auto-tier modules */
  struct {
    char reason[96];
    unsigned count;
  } tier_reasons[WAST_MAX_TIER_REASONS];
  size_t ntier_reasons;
} wast_run_stats;

/* Adds `count` functions that stayed interpreted for `reason` to the tally. */
void wast_stats_tier_reason(wast_run_stats *st, const char *reason, unsigned count);

/* Runs a script's text; `name` is how messages name it (e.g. "i32.wast"). Returns false,
 * with a MALFORMED error and its line:col, when the script cannot be read as a script;
 * otherwise true with the script's counts in *st (failures are counted, not returned). The log
 * gets `FAIL NAME:LINE: COMMAND: reason` per failure and `SKIP NAME: reason: count` per
 * skip reason. */
bool wast_run_source(const char *src, size_t len, const char *name, const wast_run_options *o,
                     wast_run_stats *st, util_error *err);

/* The same for a file (IO errors are returned as such). */
bool wast_run_file(const char *path, const char *name, const wast_run_options *o, wast_run_stats *st,
                   util_error *err);

/* Adds `count` skips for `reason` to the tally (reasons compared by text). */
void wast_stats_skip(wast_run_stats *st, const char *reason, unsigned count);

#endif

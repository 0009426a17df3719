/* src/jit — the baseline compiling tier: validated function bodies to x86-64 machine code
 * in one pass per function. Depends on src/exec (the runtime whose frames, calls and
 * traps it shares), src/wasm and src/util. README.md describes what is compiled, what
 * stays interpreted and the calling contract. */
#ifndef WELD_JIT_H
#define WELD_JIT_H

#include <stdbool.h>
#include <stdint.h>

#include "../exec/exec.h"

/* Which tier runs a module's functions. */
typedef enum jit_tier {
  JIT_TIER_INTERP = 0,   /* the interpreter only */
  JIT_TIER_BASELINE = 1, /* every function the baseline compiler handles; the rest stay interpreted */
  JIT_TIER_OPTIMIZED = 2, /* every function src/opt (LLVM) handles; the rest stay interpreted */
} jit_tier;

/* True when this build and CPU can run compiled code (x86-64 on a POSIX system). */
bool jit_available(void);

/* Compiles every defined function of `em` it can (the others keep their internal code and
 * run in the interpreter) and makes the code executable. Idempotent. With `guard` the
 * code relies on guarded memories (the engine's `--bounds guard`) for bounds checks; an
 * instance whose memory is not guarded after all runs the functions in the interpreter. False only when out
 * of memory or when code memory cannot be mapped: then `em` is unchanged (every function
 * interpreted) and err says why. */
bool jit_compile_module(exec_module *em, bool guard, util_error *err);

/* Per-module numbers for `weld inspect` and --tier-stats. */
typedef struct jit_stats {
  uint32_t functions;      /* defined functions */
  uint32_t compiled;       /* now running as machine code */
  uint64_t code_bytes;     /* machine code, stubs and thunks included */
  uint64_t wasm_bytes;     /* body bytes of the compiled functions */
  double compile_seconds;  /* wall time of jit_compile_module */
} jit_stats;
/* All zero when the module was not compiled. */
void jit_module_stats(const exec_module *em, jit_stats *out);
/* Why defined function k stays interpreted ("not supported: f32.add", ...), or NULL when
 * it is compiled (or the module was not compiled: see jit_module_stats). */
const char *jit_func_fallback(const exec_module *em, uint32_t k);

/* The tier named by `s` ("interp", "baseline" or "optimized"); false for anything else. */
bool jit_tier_parse(const char *s, jit_tier *out);

#endif

/* src/jit — the baseline compiling tier: validated function bodies to x86-64 machine code
 * in one pass per function. Depends on src/exec (the runtime whose frames, calls and
 * traps it shares), src/wasm and src/util. README.md describes what is compiled, what
 * stays interpreted and the calling contract. */
#ifndef WELD_JIT_H
#define WELD_JIT_H

#include <stdbool.h>
#include <stdint.h>

#include "../exec/exec.h"

/* Which tier runs a module's functions. The one list of tiers: weld_tier (include/weld.h)
 * has the same values, and jit_prepare_module is the one place that acts on them. A
 * further tier (an optimising compiler) gets a value here and a case there, and hot
 * functions reach it through jit_tier_next (tier.c). */
typedef enum jit_tier {
  JIT_TIER_INTERP = 0,   /* the interpreter only */
  JIT_TIER_BASELINE = 1, /* every function the baseline compiler handles, compiled with the module */
  JIT_TIER_OPTIMIZED = 2, /* every function src/opt (LLVM) handles; the rest stay interpreted
                             (src/opt prepares the module, not jit_prepare_module) */
  JIT_TIER_AUTO = 3,     /* functions start interpreted; hot ones are compiled on the way */
} jit_tier;

/* Calls (or loop ticks, README.md) before a function is compiled under JIT_TIER_AUTO. */
#define JIT_TIER_UP_DEFAULT 1000u
/* Under JIT_TIER_AUTO a module with at most this many bytes of function bodies is
 * compiled whole when it is made (1 MiB: about 45 ms of the baseline compiler). */
#define JIT_TIER_EAGER_DEFAULT (1u << 20)

/* The optimising tier as the auto tier sees it: src/opt fills this in (src/jit cannot
 * call src/opt, which depends on it). load opens LLVM (false: the tier cannot run).
 * lower lowers defined function k of em by itself into LLVM IR (guard: accesses rely on
 * the guard region; code: the table of per-function LLVM code its call_indirect may call
 * directly) and returns it, or NULL with *why set; it is the only step that reads em.
 * finish optimises and compiles what lower returned (consuming it), without em, so the
 * module may be freed meanwhile; it returns NULL with *out filled, or why not, with
 * *unguarded set when the code needs lowering again without the guard region. drop frees
 * what lower returned without compiling it; release frees out->handle's code. All may run
 * on any thread. */
typedef struct jit_opt_code {
  const uint8_t *entry;  /* i32 (exec_slot *fp, jit_ctx *ctx), as jit_enter_llvm calls it */
  uint32_t frame_slots;
  void *handle;
} jit_opt_code;
typedef struct jit_opt_hooks {
  bool (*load)(void);
  void *(*lower)(exec_module *em, uint32_t k, bool guard, void *const *code, const char **why);
  const char *(*finish)(void *lowered, struct jit_opt_code *out, bool *unguarded);
  void (*drop)(void *lowered);
  void (*release)(void *handle);
} jit_opt_hooks;

/* How jit_prepare_module sets a module up. */
typedef struct jit_options {
  jit_tier tier;
  bool guard;          /* memories are guarded (--bounds guard): no bounds checks in code */
  uint32_t threshold;  /* JIT_TIER_AUTO: a function's calls before it is compiled (0: at
                          its first call) */
  uint32_t osr_grant;  /* JIT_TIER_AUTO: units of work (function entries and loop
                          back-edges) between two looks for a loop to continue compiled
                          (on-stack replacement); 0: the interruption check's 65,536 */
  const jit_opt_hooks *opt; /* JIT_TIER_AUTO: NULL (the baseline tier is the last) or the
                               optimising tier a hot compiled function goes on to */
  uint64_t eager_bytes; /* JIT_TIER_AUTO: a module whose function bodies total at most this
                           many bytes is compiled whole when prepared (no interpreted
                           warm-up); 0: never */
  uint32_t compile_threads; /* threads compiling for the optimising tier in the background
                               (a process-wide pool, at most JIT_MAX_COMPILE_THREADS); 0:
                               the call that makes a function hot compiles it */
  uint32_t build_threads;   /* JIT_TIER_BASELINE: threads compiling the module's functions
                               (jit_build_threads: JIT_COMPILE_THREADS_AUTO, or 0 and 1 for
                               the calling thread alone) */
} jit_options;
#define JIT_MAX_COMPILE_THREADS 8u
/* The process ends without waiting for an optimising compile still running in the
 * background when it exits (tierup.c: stdio is flushed, then _exit with the exit status;
 * atexit handlers registered before the auto tier's first module do not run). Off by
 * default: exit then waits for the compile, so libLLVM's destructors never run under it.
 * The command line turns it on. */
void jit_tierup_exit_abandons(void);
#define JIT_COMPILE_THREADS_DEFAULT 1u
/* weld_config.compile_threads's default (WELD_COMPILE_THREADS_AUTO): the optimising tier's
 * pool has JIT_COMPILE_THREADS_DEFAULT threads, a whole-module baseline compile as many
 * as jit_build_threads says. */
#define JIT_COMPILE_THREADS_AUTO 0xffffffffu
/* The threads a whole-module baseline compile uses for a compile_threads setting: the
 * online CPUs for JIT_COMPILE_THREADS_AUTO, at most JIT_MAX_COMPILE_THREADS, and 1 (the
 * calling thread alone) for 0 or 1. jit_build_module further gives the default at most
 * one thread per MiB of bodies. */
uint32_t jit_build_threads(uint32_t compile_threads);

/* True when this build and CPU can run compiled code (x86-64 on a POSIX system). */
bool jit_available(void);

/* The one decision of how `em`'s functions run, made when the module is made: nothing for
 * JIT_TIER_INTERP; jit_compile_module for JIT_TIER_BASELINE; for JIT_TIER_AUTO (where the
 * machine has no compiler: the interpreter) every function gets a counting entry and is
 * compiled by itself once hot. False only when out of memory or when code memory cannot
 * be mapped (em is then unchanged). */
bool jit_prepare_module(exec_module *em, const jit_options *o, util_error *err);

/* Compiles every defined function of `em` it can (the others keep their internal code and
 * run in the interpreter) and makes the code executable. Idempotent. With `guard` the
 * code relies on guarded memories (the engine's `--bounds guard`) for bounds checks; an
 * instance whose memory is not guarded after all runs the functions in the interpreter. False only when out
 * of memory or when code memory cannot be mapped: then `em` is unchanged (every function
 * interpreted) and err says why. */
bool jit_compile_module(exec_module *em, bool guard, uint32_t threads, util_error *err);

/* Per-module numbers for `weld inspect` and --tier-stats. */
typedef struct jit_stats {
  uint32_t functions;      /* defined functions */
  uint32_t compiled;       /* now running as machine code */
  jit_tier tier;           /* what the module was prepared for */
  uint32_t promoted_by_loop; /* JIT_TIER_AUTO: of `compiled`, those a long loop made hot */
  uint64_t osr_entered;    /* JIT_TIER_AUTO: interpreted frames that went on compiled from a
                              loop header (on-stack replacement) */
  uint32_t fell_back;      /* tried and left interpreted (fallback reason set) */
  uint64_t code_bytes;     /* machine code, stubs and thunks included */
  uint64_t wasm_bytes;     /* body bytes of the compiled functions */
  double compile_seconds;  /* wall time of compiling (the sum of every promotion) */
  uint32_t source;         /* weld_code_source: compiled, cache stored, cache hit, image */
  uint32_t optimized;      /* JIT_TIER_AUTO: of `compiled`, those now running LLVM code */
  uint32_t opt_failed;     /* JIT_TIER_AUTO: hot functions the optimising tier did not take */
  double opt_seconds;      /* JIT_TIER_AUTO: time spent compiling them (on any thread) */
  uint32_t compile_threads; /* JIT_TIER_BASELINE: threads that compiled the module (0: its
                               code was not compiled here) */
  double compile_cpu_seconds; /* JIT_TIER_BASELINE: the process's CPU time (every thread's)
                                 over compile_seconds */
  uint32_t ahead;          /* JIT_TIER_AUTO: of `compiled`, those compiled with the module
                              (jit_options.eager_bytes) */
} jit_stats;
/* Records where em's code came from (src/api: the code cache, a precompiled image) and,
 * when it was compiled on the way, how long that took. */
void jit_module_set_source(exec_module *em, uint32_t source, double compile_seconds);
/* All zero when the module was not compiled. */
void jit_module_stats(const exec_module *em, jit_stats *out);
/* Why defined function k stays interpreted ("not supported: f32.add", ...), or NULL when
 * it is compiled (or the module was not compiled: see jit_module_stats). */
const char *jit_func_fallback(const exec_module *em, uint32_t k);

/* The tier named by `s` ("interp", "baseline", "auto" or "optimized"); false for anything else. */
bool jit_tier_parse(const char *s, jit_tier *out);

#endif

/* src/opt — the optimising tier: validated function bodies lowered to LLVM IR, optimised
 * with LLVM's O2 pipeline and compiled by ORC LLJIT. The functions it makes keep the
 * baseline tier's frames, calls and traps (src/jit), so they mix with interpreted
 * functions. Available only when weld is built with LLVM (CMake option WELD_LLVM);
 * README.md says what is lowered and what stays interpreted. */
#ifndef WELD_OPT_H
#define WELD_OPT_H

#include <stdbool.h>

#include "../exec/exec.h"

/* True when this build has the optimising tier and the CPU can run it. */
bool opt_available(void);

/* Why opt_available is false (a "not supported: ..." sentence), or NULL. */
const char *opt_unavailable_reason(void);
/* The same without opening libLLVM (what the build and CPU say; NULL when the tier may
 * be available): for a caller that may not need LLVM at all, such as a run whose code
 * the cache has (opening libLLVM costs a start-up a tenth of a second). */
const char *opt_unavailable_quick(void);

/* Compiles every defined function of `em` it can lower (the others keep their internal
 * code and run in the interpreter). Idempotent; em->jit then holds a src/jit module, so
 * jit_module_stats and jit_func_fallback describe it. `guard`: the engine's bounds mode;
 * with it accesses to a 32-bit memory are left to the guard region (access.c) and an
 * instance whose memory is not guarded runs the functions interpreted. False when out of
 * memory, when LLVM fails, or when the tier is not available: `em` is then unchanged
 * (every function interpreted) and err says why. */
bool opt_compile_module(exec_module *em, bool guard, util_error *err);

struct jit_opt_hooks;
/* The optimising step of the auto tier (src/jit/tierup.c): compiles one function at a
 * time through LLVM. NULL when the build or the CPU has no such tier (the auto tier then
 * stops at the baseline); LLVM itself is opened at the first compilation. */
const struct jit_opt_hooks *opt_tierup_hooks(void);

struct jit_bytes;
/* A precompiled image's code section for `em` (which stays as it is): every function
 * lowered, optimised and emitted as an ELF object (object.c; src/jit/elf.c loads it);
 * `guard` as for opt_compile_module (the section's tag says which).
 * *features: the CPU features the code uses. False when the tier is not available, LLVM
 * fails, or out of memory. */
bool opt_image_compile(const exec_module *em, bool guard, struct jit_bytes *out, uint64_t *features, util_error *err);

#endif

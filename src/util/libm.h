/* libm's functions that weld calls but the compiler does not inline, opened on first use.
 *
 * Linked, libm costs every weld process its loading (~0.3 ms and 10 page faults of a
 * process that runs for ~2-4 ms, bench/README.md "Start-up"), while most runs call none of
 * it: the interpreter and the JIT round and take square roots inline. What remains is fma
 * (the portable relaxed madd, where one rounding must be the C library's exact one) and
 * the functions LLVM's code may call by name (src/jit/image_sym.c). They are looked up in
 * libm.so.6 when first needed, through util_dynlib (dynlib.h). */
#ifndef WELD_UTIL_LIBM_H
#define WELD_UTIL_LIBM_H

#include <math.h>

#include "util/dynlib.h"

#define UTIL_LIBM_FUNCS(X, T)                                                            \
  X(T, ceil) X(T, ceilf) X(T, floor) X(T, floorf) X(T, trunc) X(T, truncf) X(T, nearbyint) \
  X(T, nearbyintf) X(T, rint) X(T, rintf) X(T, sqrt) X(T, sqrtf) X(T, fmin) X(T, fminf)    \
  X(T, fmax) X(T, fmaxf) X(T, copysign) X(T, copysignf) X(T, fabs) X(T, fabsf) X(T, fma)   \
  X(T, fmaf)

typedef struct util_libm {
  UTIL_LIBM_FUNCS(UTIL_DYNLIB_FIELD, struct util_libm)
} util_libm;

/* The table, libm.so.6 opened on the first call (safe from any thread); NULL when it
 * cannot be, *why (when not NULL) then saying why. */
const util_libm *util_libm_get(const char **why);

/* A function of the list by its name, or NULL (not one of them, or libm not found). */
const void *util_libm_addr(const char *name);

/* The name of the function of the list at addr, or NULL. Opens libm only if it is
 * already open in the process (an address of it cannot come from anywhere else). */
const char *util_libm_name(const void *addr);

#endif

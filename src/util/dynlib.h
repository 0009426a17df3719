/* Shared libraries opened on first use (dlopen) instead of linked.
 *
 * The weld command's optional features (registries over HTTP, weld serve, container images,
 * the placement history, package signatures) need libcurl, libmicrohttpd, libarchive,
 * SQLite and libsodium, which with their own dependencies are some 45 libraries. Linked,
 * the dynamic loader maps and relocates all of them in every process before main, which
 * was ~17 ms of `weld run hello.wasm`'s ~21 ms. So weld links none of them: each feature
 * opens its library by its soname when first used, and a missing library fails that
 * feature alone with "FEATURE needs SONAME: REASON".
 *
 * A library is described by a header of its own (src/util/dl_*.h) that lists the functions
 * weld calls in an X-macro; the table of pointers has each function's real type, taken
 * from the library's header with __typeof__, so a call through it is checked as a direct
 * call would be. The header then defines each name as its table entry, so the code that
 * calls the library is written as if it were linked. A function used but not listed is an
 * undefined symbol when weld is linked (the library is not on the link line), so the list
 * cannot silently fall behind the code. */
#ifndef WELD_UTIL_DYNLIB_H
#define WELD_UTIL_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

typedef struct util_dynlib {
  const char *soname;            /* "libcurl.so.4": the name the dynamic loader searches for */
  const char *names;             /* the functions' names one after another, each ending in NUL, then an
                                  * empty one ("cos\0sin\0"): one string, so the list needs no
                                  * relocations at start-up */
  const size_t *offsets;         /* where each one's pointer goes in *table */
  void *table;                   /* the library's table of function pointers */
  int state;                     /* 0 not tried, 1 loaded, -1 failed (atomic) */
  char why[320];                 /* when failed: "SONAME: REASON" */
} util_dynlib;

/* A library's header lists its functions as FUNCS(X, T) { X(T, name) ... }: these make the
 * table's fields (each function's own pointer type), the names and their offsets. */
#define UTIL_DYNLIB_FIELD(T, n) __typeof__(n) *n;
#define UTIL_DYNLIB_NAME(T, n) #n "\0"
#define UTIL_DYNLIB_OFFSET(T, n) offsetof(T, n),

/* Defines the table TABLE (of type TYPE) and its descriptor LIB for the list FUNCS: one use
 * per library, in src/util/dynlibs.c, where the names are not yet redirected to the table. */
#define UTIL_DYNLIB_DEFINE(TYPE, TABLE, LIB, SONAME, FUNCS)                          \
  TYPE TABLE;                                                                         \
  static const char TABLE##_names[] = FUNCS(UTIL_DYNLIB_NAME, TYPE) "";               \
  static const size_t TABLE##_offsets[] = {FUNCS(UTIL_DYNLIB_OFFSET, TYPE)};          \
  util_dynlib LIB = {SONAME, TABLE##_names, TABLE##_offsets, &TABLE, 0, ""};

/* Opens the library and fills its table, once per process (safe from any thread).
 * False when the library or one of its functions cannot be found; *why (when not NULL)
 * then says why, starting with the soname ("libcurl.so.4: cannot open shared object
 * file: No such file or directory"). */
bool util_dynlib_load(util_dynlib *lib, const char **why);

/* util_dynlib_load for a feature: on failure fills err with "FEATURE needs WHY". */
bool util_dynlib_need(util_dynlib *lib, const char *feature, util_error *err);

#endif

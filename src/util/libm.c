/* libm opened on first use (libm.h says why). */
#include "util/libm.h"

#include <dlfcn.h>
#include <string.h>

UTIL_DYNLIB_DEFINE(util_libm, libm_table, libm_lib, "libm.so.6", UTIL_LIBM_FUNCS)

const util_libm *util_libm_get(const char **why) {
  return util_dynlib_load(&libm_lib, why) ? &libm_table : NULL;
}

static const void *entry(size_t i) {
  const void *p;
  memcpy(&p, (const char *)&libm_table + libm_table_offsets[i], sizeof p);
  return p;
}

const void *util_libm_addr(const char *name) {
  size_t i = 0;
  for (const char *n = libm_table_names; *n; n += strlen(n) + 1, i++)
    if (strcmp(n, name) == 0) return util_libm_get(NULL) ? entry(i) : NULL;
  return NULL;
}

const char *util_libm_name(const void *addr) {
  if (!addr) return NULL;
  /* libm is in the process when something holds one of its addresses: open it (a new
   * reference, no loading) only then, so naming a non-libm address never loads it */
  void *h = dlopen("libm.so.6", RTLD_NOW | RTLD_NOLOAD);
  if (!h) return NULL;
  dlclose(h);
  if (!util_libm_get(NULL)) return NULL;
  size_t i = 0;
  for (const char *n = libm_table_names; *n; n += strlen(n) + 1, i++)
    if (entry(i) == addr) return n;
  return NULL;
}

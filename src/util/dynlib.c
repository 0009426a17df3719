/* Opening a library on first use (dynlib.h says why weld does). */
#include "util/dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* One lock for every library: each is loaded once per process, so it is rarely taken. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* dlerror's text names the file (the soname, or the path it was found at) in most cases
 * but not all: the reason is kept without it and always given after the soname. */
static void set_why(util_dynlib *lib, const char *e, const char *sym) {
  char buf[80];
  if (!e && sym) snprintf(buf, sizeof buf, "undefined symbol: %s", sym), e = buf;
  if (!e) e = "unknown error";
  const char *sep = strstr(e, ": ");
  if (sep && memchr(e, ' ', (size_t)(sep - e)) == NULL) e = sep + 2; /* drop "FILE: " */
  snprintf(lib->why, sizeof lib->why, "%s: %s", lib->soname, e);
}

static void load(util_dynlib *lib) {
  void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    set_why(lib, dlerror(), NULL);
    __atomic_store_n(&lib->state, -1, __ATOMIC_RELEASE);
    return;
  }
  size_t i = 0;
  for (const char *name = lib->names; *name; name += strlen(name) + 1, i++) {
    dlerror();
    void *p = dlsym(h, name);
    if (!p) {
      set_why(lib, dlerror(), name);
      dlclose(h);
      __atomic_store_n(&lib->state, -1, __ATOMIC_RELEASE);
      return;
    }
    /* a function pointer and void * have one representation on every POSIX system */
    memcpy((char *)lib->table + lib->offsets[i], &p, sizeof p);
  }
  __atomic_store_n(&lib->state, 1, __ATOMIC_RELEASE);
}

bool util_dynlib_load(util_dynlib *lib, const char **why) {
  int st = __atomic_load_n(&lib->state, __ATOMIC_ACQUIRE);
  if (st == 0) {
    pthread_mutex_lock(&lock);
    if (__atomic_load_n(&lib->state, __ATOMIC_ACQUIRE) == 0) load(lib);
    pthread_mutex_unlock(&lock);
    st = __atomic_load_n(&lib->state, __ATOMIC_ACQUIRE);
  }
  if (st < 0 && why) *why = lib->why;
  return st > 0;
}

bool util_dynlib_need(util_dynlib *lib, const char *feature, util_error *err) {
  const char *why = lib->why;
  if (util_dynlib_load(lib, &why)) return true;
  return util_fail(err, UTIL_ERR_USAGE, -1, "%s needs %s", feature, why);
}

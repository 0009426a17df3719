/* Loads libLLVM at run time (llvm_api.h says why) and fills the table of its functions. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPT_LLVM_NO_DEFINES
#include "llvm_api.h"
#include "../util/util.h"

UTIL_COLD_BSS opt_llvm_api opt_llvm;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char error[300];
static bool loaded;

static void load(void) {
  /* the library found when weld was configured, then the one the loader finds */
  void *h = dlopen(WELD_LLVM_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  if (!h) h = dlopen("libLLVM-16.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    snprintf(error, sizeof error, "not supported: the optimising tier (cannot load LLVM 16: %s)", e ? e : "?");
    return;
  }
#define OPT_LLVM_SYM(n)                                                                  \
  {                                                                                      \
    void *p = dlsym(h, #n);                                                              \
    if (!p) {                                                                            \
      snprintf(error, sizeof error, "not supported: the optimising tier (LLVM lacks %s)", #n); \
      return;                                                                            \
    }                                                                                    \
    memcpy(&opt_llvm.n, &p, sizeof p);                                                   \
  }
  OPT_LLVM_FUNCS(OPT_LLVM_SYM)
#undef OPT_LLVM_SYM
  /* Code generation options, once for the process. The X86 domain reassignment pass
   * (moving integer chains to AVX-512 mask registers) took 13 % of the code generation
   * of bzip2's lowered functions for no measured gain in the code (src/opt/README.md). */
  const char *args[8] = {"weld", "-disable-x86-domain-reassignment"};
  int n = 2;
  char extra[256];
  const char *x = getenv("WELD_LLVM_ARGS");
  if (x) {
    snprintf(extra, sizeof extra, "%s", x);
    for (char *save = NULL, *t = strtok_r(extra, " ", &save); t && n < 8; t = strtok_r(NULL, " ", &save)) args[n++] = t;
  }
  opt_llvm.LLVMParseCommandLineOptions(n, args, NULL);
  loaded = true;
}

bool opt_llvm_load(const char **why) {
  pthread_once(&once, load);
  if (!loaded) *why = error;
  return loaded;
}

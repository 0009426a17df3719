/* The optimising tier in a build without LLVM: it says so. (CMake compiles this file
 * instead of lower.c and llvm.c when WELD_LLVM is OFF or llvm-config-16 is missing.) */
#include "opt.h"

bool opt_available(void) { return false; }

const char *opt_unavailable_reason(void) { return "not supported: the optimising tier (weld was built without LLVM)"; }

const char *opt_unavailable_quick(void) { return opt_unavailable_reason(); }

bool opt_compile_module(exec_module *em, bool guard, util_error *err) {
  (void)em;
  (void)guard;
  return util_fail(err, UTIL_ERR_USAGE, -1, "%s", opt_unavailable_reason());
}

bool opt_image_compile(const exec_module *em, bool guard, struct jit_bytes *out, uint64_t *features, util_error *err) {
  (void)em;
  (void)guard;
  (void)out;
  (void)features;
  return util_fail(err, UTIL_ERR_USAGE, -1, "%s", opt_unavailable_reason());
}

const struct jit_opt_hooks *opt_tierup_hooks(void) { return NULL; }

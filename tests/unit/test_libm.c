/* libm opened on first use (src/util/libm.h) and the names compiled code calls it by
 * (src/jit/image_sym.c): weld does not link libm, so these are its only way in. The
 * expected values are exact arithmetic facts, not libm's own answers. */
#include <stdint.h>
#include <string.h>

#include "jit/image.h"
#include "unit.h"
#include "util/libm.h"

UNIT_GROUP(libm) {
  const char *why = "untouched";
  const util_libm *m = util_libm_get(&why);
  CHECK(m != NULL && strcmp(why, "untouched") == 0);
  if (!m) return;
  volatile double h = 2.5, nh = -2.5, q = -0.25;
  CHECK(m->ceil(h) == 3.0 && m->floor(nh) == -3.0 && m->trunc(nh) == -2.0);
  CHECK(m->nearbyint(h) == 2.0 && m->rint(3.5) == 4.0); /* ties to even */
  double z = m->ceil(q); /* -0.25 rounds up to -0: the sign is kept */
  uint64_t zb;
  memcpy(&zb, &z, sizeof zb);
  CHECK(zb == 0x8000000000000000ull);
  /* fused: (1 + 2^-30)(1 - 2^-30) - 1 is -2^-60 exactly; rounding the product first
   * (to 1) would give 0 */
  volatile double a = 1 + 0x1p-30, b = 1 - 0x1p-30, c = -1;
  CHECK(m->fma(a, b, c) == -0x1p-60);
  volatile float af = 1 + 0x1p-13f, bf = 1 - 0x1p-13f, cf = -1;
  CHECK(m->fmaf(af, bf, cf) == -0x1p-26f);

  /* by name, as an image's loader and LLVM's relocations ask, and back */
  const void *ceil_at = jit_sym_addr("ceil");
  CHECK(ceil_at != NULL && ceil_at == (const void *)m->ceil);
  char name[32] = "";
  CHECK(jit_sym_name(ceil_at, name, sizeof name) && strcmp(name, "ceil") == 0);
  CHECK(jit_sym_name((const void *)m->fmaxf, name, sizeof name) && strcmp(name, "fmaxf") == 0);
  CHECK(jit_sym_addr("memcpy") == (const void *)memcpy);
  CHECK(jit_sym_addr("ceilx") == NULL && util_libm_addr("cos") == NULL);
  CHECK(util_libm_name((const void *)memcpy) == NULL && util_libm_name(NULL) == NULL);
}

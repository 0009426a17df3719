/* World `rnd` (random.wit) through the generated bindings, against the host's wasi:random. */
#include <stdlib.h>
#include <string.h>

#include "rnd.h"

uint32_t exports_rnd_count(uint64_t n) {
  rnd_list_u8_t b = rnd_random_get_random_bytes(n);
  uint32_t len = (uint32_t)b.len;
  if (b.len) free(b.ptr);
  return len;
}

bool exports_rnd_differ(void) {
  rnd_list_u8_t a = rnd_random_get_random_bytes(16), b = rnd_random_get_random_bytes(16);
  rnd_tuple2_u64_u64_t s = rnd_insecure_seed_insecure_seed();
  bool d = a.len == 16 && b.len == 16 && memcmp(a.ptr, b.ptr, 16) != 0 && (s.f0 || s.f1);
  free(a.ptr), free(b.ptr);
  return d;
}

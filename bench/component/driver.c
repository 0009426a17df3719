/* World `driver` (calls.wit): n calls across the component boundary, and a checksum of
 * what came back (the same formula as run.mjs's reference). */
#include <stdlib.h>
#include <string.h>

#include "driver.h"

uint64_t exports_driver_run(uint32_t n, uint32_t kind) {
  uint64_t sum = 0;
  if (kind == 0) {
    uint32_t x = 1;
    for (uint32_t i = 0; i < n; i++) {
      x = driver_ops_add(x, i);
      sum += x;
    }
    return sum;
  }
  for (uint32_t i = 0; i < n; i++) {
    uint8_t *p = malloc(16);
    if (!p) abort();
    memcpy(p, "abcdefghijklmnop", 16);
    p[0] = (uint8_t)('a' + i % 16);
    driver_string_t s = {p, 16};
    driver_string_t r = driver_ops_bump(s);
    for (size_t k = 0; k < r.len; k++) sum += r.ptr[k];
    if (r.len) free(r.ptr);
    free(p);
  }
  return sum;
}

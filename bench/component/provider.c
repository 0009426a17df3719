/* World `provider` (calls.wit): the callee of the cross-component benchmark. */
#include <stdlib.h>

#include "provider.h"

uint32_t exports_provider_ops_add(uint32_t a, uint32_t b) { return a + b; }

provider_string_t exports_provider_ops_bump(provider_string_t s) {
  for (size_t i = 0; i < s.len; i++) s.ptr[i] = (uint8_t)(s.ptr[i] + 1);
  return s; /* the argument's memory handed back: freed after the caller has read it */
}

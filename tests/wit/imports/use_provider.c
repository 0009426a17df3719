/* World `prov` (use.wit): interface geo, whose record comes from interface shapes. */
#include <stdlib.h>
#include <string.h>

#include "prov.h"

uint32_t exports_prov_geo_len(prov_pt_t p) {
  uint32_t n = (uint32_t)p.label.len + (uint32_t)p.x;
  if (p.label.len) free(p.label.ptr);
  return n;
}

prov_pt_t exports_prov_geo_mk(int32_t x) {
  prov_pt_t p = {x, {malloc(3), 3}};
  if (!p.label.ptr) abort();
  memcpy(p.label.ptr, "abc", 3);
  return p;
}

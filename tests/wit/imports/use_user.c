/* World `user` (use.wit): calls geo with the record geo uses from shapes. */
#include <stdlib.h>

#include "user.h"

uint32_t exports_user_go(int32_t x) {
  user_pt_t p = user_geo_mk(x);
  uint32_t n = user_geo_len(p);
  if (p.label.len) free(p.label.ptr);
  return n;
}

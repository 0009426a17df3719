/* World `both` of uses.wit through the generated bindings: geom's functions over the
 * types of the exported interface `types`. */
#include "both.h"

static int32_t iabs(int32_t v) { return v < 0 ? -v : v; }

uint32_t exports_both_geom_norm1(both_pt_t p) { return (uint32_t)iabs(p.x) + (uint32_t)iabs(p.y); }

both_dir_t exports_both_geom_turn(both_dir_t h) { return (h + 1) % 4; }

both_step_t exports_both_geom_walk(both_step_t s, int32_t n) {
  static const int32_t dx[4] = {0, 1, 0, -1}, dy[4] = {1, 0, -1, 0};
  s.at.x += dx[s.facing] * n;
  s.at.y += dy[s.facing] * n;
  return s;
}

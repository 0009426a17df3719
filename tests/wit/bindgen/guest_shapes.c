/* World `shapes` (echo.wit) through the generated bindings (shapes.h, shapes.c): records,
 * enums, flags and variants. */
#include <stdlib.h>
#include <string.h>

#include "shapes.h"

shapes_point_t exports_shapes_move(shapes_point_t p, int32_t dx) {
  p.x = (int32_t)((uint32_t)p.x + (uint32_t)dx);
  p.y = (int32_t)((uint32_t)p.y - (uint32_t)dx);
  return p;
}

/* the name upper-cased in place, the point mirrored, a tag "seen" appended */
shapes_labeled_t exports_shapes_describe(shapes_labeled_t l) {
  for (size_t i = 0; i < l.name.len; i++)
    if (l.name.ptr[i] >= 'a' && l.name.ptr[i] <= 'z') l.name.ptr[i] -= 32;
  int32_t t = l.at.x;
  l.at.x = l.at.y;
  l.at.y = t;
  shapes_string_t *tags = realloc(l.tags.len ? l.tags.ptr : NULL, (l.tags.len + 1) * sizeof *tags);
  if (!tags) abort();
  tags[l.tags.len].len = 4;
  tags[l.tags.len].ptr = malloc(4);
  if (!tags[l.tags.len].ptr) abort();
  memcpy(tags[l.tags.len].ptr, "seen", 4);
  l.tags.ptr = tags;
  l.tags.len++;
  return l;
}

shapes_color_t exports_shapes_next(shapes_color_t c) { return c == SHAPES_COLOR_BLUE ? SHAPES_COLOR_RED : c + 1; }

shapes_perms_t exports_shapes_toggle(shapes_perms_t p) { return p ^ (SHAPES_PERMS_READ | SHAPES_PERMS_EXEC); }

shapes_shape_t exports_shapes_make(uint8_t k) {
  shapes_shape_t s = {0};
  switch (k % 4) {
  case 0: s.tag = SHAPES_SHAPE_CIRCLE; s.val.circle = k / 2.0; break;
  case 1: s.tag = SHAPES_SHAPE_RECT; s.val.rect = (shapes_point_t){k, -k}; break;
  case 2:
    s.tag = SHAPES_SHAPE_NAMED;
    s.val.named.len = 3;
    s.val.named.ptr = malloc(3);
    if (!s.val.named.ptr) abort();
    memcpy(s.val.named.ptr, "hex", 3);
    break;
  default: s.tag = SHAPES_SHAPE_EMPTY; break;
  }
  return s;
}

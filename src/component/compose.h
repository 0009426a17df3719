/* Composition: components plugged into each other's imports by name, written as one new
 * component that nests them (src/component/compose.c; docs/components.md, "Composition"). */
#ifndef WELD_COMPONENT_COMPOSE_H
#define WELD_COMPONENT_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

/* One input: a component binary and the name messages call it by (its file name). */
typedef struct comp_compose_input {
  const char *name;
  const uint8_t *bytes;
  size_t len;
} comp_compose_input;

/* Composes in[0] (the root) with the plugs in[1..n-1]: each import of the root or of a
 * plug that a plug exports under the same interface name (the same version, or a
 * semver-compatible one) is satisfied by that export, after checking that the export's
 * type is a subtype of the import's; the remaining imports become imports of the result
 * (one per name); the result exports what the root exports. On success `out` holds the
 * new component (validated by weld before it is returned). On failure returns false with
 * one line in why[]: a bad input, a type mismatch (the interface, the function and both
 * types), two plugs exporting one interface, a plug nothing imports, a cycle, or "not
 * supported: ..." for what cannot be composed yet. */
bool comp_compose(const comp_compose_input *in, size_t n, util_buf *out, char *why, size_t nwhy);

/* Whether two import/export names name compatible interfaces: equal, or the same
 * `ns:pkg/iface` with versions that semver allows to stand for each other (the same
 * major version from 1 on, the same minor version for 0.x with x > 0, else equal). */
bool comp_compose_names_compatible(const char *a, size_t alen, const char *b, size_t blen);

#endif

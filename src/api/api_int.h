/* Private to src/api: what its files share. */
#ifndef WELD_API_INT_H
#define WELD_API_INT_H

#include "util/util.h"
#include "weld.h"

struct weld_error {
  util_error e;
};

/* A weld_error the caller owns, copied from a library error. */
weld_error *api_error_from(const util_error *e);

/* The weld.h value kind of a core value type (src/wasm/module.h's WASM_* codes). */
weld_valkind api_kind_of(uint32_t t); /* of a wasm_vtype */

#endif

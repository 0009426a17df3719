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
weld_valkind api_kind_of(uint32_t t); /* of a wasm_vtype (abstract heap types) */
weld_valkind api_valkind(uint8_t kind); /* of a storage kind (exec_kind_of_m) */

/* Values and slots (api.c): v128 takes two slots; returns the slots used. */
/* 0 when a host externref cannot be boxed in `store` (an exec_store) */
uint32_t api_val_to_slots(void *store, const weld_val *v, uint64_t *s);
uint32_t api_slots_to_val(void *store, uint8_t kind, const uint64_t *s, weld_val *v);
/* The core value type of a kind (0 for none). */
uint8_t api_valtype_of(weld_valkind k);
/* v may enter the store (an exec_store): a funcref or exnref of another store may not. */
bool api_val_in_store(const void *store, const weld_val *v);

#endif

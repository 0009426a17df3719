/* Private to the decoder files: the name-section reader called once the module's index
 * spaces are known. */
#ifndef WELD_WASM_DECODE_INTERNAL_H
#define WELD_WASM_DECODE_INTERNAL_H

#include "module.h"

/* Interprets the payload of a "name" custom section and fills m->module_name,
 * m->func_names and m->local_names. The spec makes errors in a custom section
 * non-fatal, so a malformed name section leaves all three empty and returns false
 * (callers may ignore the result). Running out of memory is different: it sets *err
 * ("out of memory") besides returning false. */
bool wasm_decode_names(wasm_module *m, const uint8_t *payload, uint32_t len, uint32_t offset,
                       util_error *err);


#endif

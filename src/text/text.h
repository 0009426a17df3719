/* The WebAssembly text format: reading `.wat` modules (encoded to the binary format and
 * handed to the one decoder), reading `.wast` scripts, and printing modules as text. */
#ifndef WELD_TEXT_H
#define WELD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../util/util.h"

struct wasm_module;

/* Reads one text module (`(module ...)`, a bare list of module fields, or the
 * `(module binary ...)` / `(module quote ...)` forms) and encodes it in the binary
 * format. On success *out (malloc'd, caller frees) holds the bytes. On failure returns
 * false with a MALFORMED error in the spec's wording and its line and column, or an OOM
 * error "out of memory" (with the line and column it was reading). */
bool text_wat_to_binary(const char *src, size_t len, const char *filename, uint8_t **out,
                        size_t *outlen, util_error *err);

/* False when the bytes are text: after white space and comments they start with `(`.
 * Anything else (the `\0asm` magic, garbage, empty input) is for the binary decoder. */
bool text_is_binary(const uint8_t *bytes, size_t len);

/* Loads a module from bytes in either format: text is encoded first, then decoded. */
struct wasm_module *text_load_module(const uint8_t *bytes, size_t len, const char *filename,
                                     util_error *err);
/* The same under a feature set (src/wasm/module.h's WASM_FEATURE_*). */
struct wasm_module *text_load_module_features(const uint8_t *bytes, size_t len, const char *filename,
                                              uint32_t features, util_error *err);

/* Components (the component model's text format): true when the text's first form is
 * `(component ...)`. text_component_to_binary encodes a `(component ...)` (or bare
 * component fields) to the component binary, errors as text_wat_to_binary's. */
bool text_is_component(const uint8_t *bytes, size_t len);
bool text_component_to_binary(const char *src, size_t len, uint8_t **out, size_t *outlen, util_error *err);

/* Printing ------------------------------------------------------------------------- */

typedef enum { TEXT_PRINT_FLAT, TEXT_PRINT_FOLDED } text_print_style;

/* Writes the module as text to f. Names come from the name section where present. The
 * output reads back (text_wat_to_binary) to the same sections, custom sections aside.
 * Out of memory: false with an OOM error; nothing is written when it happens before the
 * first function, else the output stops there. */
bool text_print_module(const struct wasm_module *m, text_print_style style, FILE *f,
                       util_error *err);

#endif

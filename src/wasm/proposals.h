/* Proposals that came after WebAssembly 3.0, which weld does not implement (threads, which
 * weld implements, keeps its entry for the scripts' feature names — a script's
 * `(thread ...)` commands — and nothing here maps to it). Their
 * encodings and keywords are recognised here, only so that a module using one is refused
 * with the proposal's name ("malformed limits flags (not supported: custom page sizes)")
 * rather than a bare format error, and so that script runners can count its commands as
 * skipped for that proposal. Nothing here decodes or validates such a construct. */
#ifndef WELD_WASM_PROPOSALS_H
#define WELD_WASM_PROPOSALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

typedef enum wasm_proposal {
  WASM_PROPOSAL_NONE,
  WASM_PROPOSAL_THREADS,
  WASM_PROPOSAL_SHARED_EVERYTHING,
  WASM_PROPOSAL_CUSTOM_PAGE_SIZES,
  WASM_PROPOSAL_WIDE_ARITHMETIC,
  WASM_PROPOSAL_STACK_SWITCHING,
  WASM_PROPOSAL_CUSTOM_DESCRIPTORS,
  WASM_PROPOSAL_MEMORY_CONTROL,
  WASM_PROPOSAL_COMPACT_IMPORTS,
  WASM_PROPOSAL_FP16,
  WASM_PROPOSAL_COUNT
} wasm_proposal;

/* "threads", "custom page sizes", ...; "none" for WASM_PROPOSAL_NONE. */
const char *wasm_proposal_name(wasm_proposal p);

/* Binary encodings. `prefix` is 0 for a one-byte opcode `sub`, else 0xfb..0xfe. */
wasm_proposal wasm_proposal_of_opcode(uint8_t prefix, uint32_t sub);
/* A composite or subtype form byte of the type section (cont, descriptor, shared). */
wasm_proposal wasm_proposal_of_type_form(uint8_t form);
/* A heap type's first byte (abstract cont/nocont, exact, shared). */
wasm_proposal wasm_proposal_of_heap_byte(uint8_t b);
/* Limits flags bits 3.0 does not define (shared, a page size); `table` for a table's. */
wasm_proposal wasm_proposal_of_limits_flags(uint8_t flags, bool table);

/* Text: a keyword (instruction name or field keyword) that only a later proposal has.
 * `after_lpar`: the keyword opens a form, `(pagesize ...`; `form` (may be NULL): the
 * keyword that opens the enclosing form (`table` for `(table shared ...)`). */
wasm_proposal wasm_proposal_of_keyword(const char *kw, size_t len, bool after_lpar, const char *form, size_t form_len);

/* Appends " (not supported: NAME)" to err's message (the spec's wording stays first, so
 * 3.0's own verdict on the bytes still reads the same). Returns false. */
bool wasm_proposal_note(util_error *err, wasm_proposal p);

/* The proposal named by a message carrying such a note, else WASM_PROPOSAL_NONE. */
wasm_proposal wasm_proposal_in_message(const char *msg);

#endif

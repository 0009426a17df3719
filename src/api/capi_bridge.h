/* Private to src/api: what the standard C API (wasm.h, capi_*.c) needs from the runtime
 * beyond include/weld.h, in weld.h's own terms.
 *
 * Why a bridge: the runtime's IR (src/wasm/module.h) names its value and extern kinds
 * WASM_I32, WASM_EXTERN_FUNC, ... with the binary format's codes, and wasm.h defines the
 * same names with the C API's codes. No file can include both, so the C API files include
 * wasm.h and this header, and capi_bridge.c alone includes the runtime's headers. */
#ifndef WELD_CAPI_BRIDGE_H
#define WELD_CAPI_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weld.h"

/* The type of an import, an export or a runtime object. */
typedef struct capi_xdesc {
  weld_externkind kind;
  /* functions: nparams + nresults kinds in `kinds` (malloc'd; the caller frees it) */
  uint32_t nparams, nresults;
  weld_valkind *kinds;
  /* tables (elem) and globals (elem = the value's kind) */
  weld_valkind elem;
  bool mut;
  /* tables (elements) and memories (pages) */
  uint64_t min, max;
  bool has_max;
} capi_xdesc;

/* Import / export i of a module, with its type; false if i is out of range. */
bool capi_module_import_desc(const weld_module *m, size_t i, const char **module, size_t *module_len,
                             const char **name, size_t *name_len, capi_xdesc *out);
bool capi_module_export_desc(const weld_module *m, size_t i, const char **name, size_t *name_len,
                             capi_xdesc *out);
/* The runtime object bound to export i of an instance (kind NONE if out of range). */
weld_extern capi_instance_export_at(weld_instance *inst, size_t i);

void capi_func_desc(const weld_func *f, capi_xdesc *out);
void capi_global_desc(const weld_global *g, capi_xdesc *out);
void capi_table_desc(const weld_table *t, capi_xdesc *out);
void capi_memory_desc(const weld_memory *m, capi_xdesc *out);

/* The store a runtime object belongs to (NULL for none). */
weld_store *capi_func_store(const weld_func *f);

/* The module's own copy of its binary. */
const uint8_t *capi_module_bytes(const weld_module *m, size_t *len);

/* One WebAssembly frame of the last trap in a store, innermost first. */
typedef struct capi_frame {
  weld_instance *inst;
  uint32_t func_index;
  uint32_t module_offset; /* of the trapping / calling instruction */
  uint32_t func_offset;   /* the same, from the start of the function's body */
} capi_frame;

/* Copies up to `max` WebAssembly frames of the store's last trap; returns how many there
 * are (host frames are left out). Valid right after the call that trapped. */
size_t capi_last_frames(weld_store *s, capi_frame *out, size_t max);

/* The kind and exit code of the store's last trap (weld_trap_get_kind's values). */
void capi_last_trap(weld_store *s, weld_trap_kind *kind, int32_t *exit_code);

/* Instantiates with imports given by position (imports[i] binds the module's import i),
 * as wasm.h does; weld_instance_new resolves by name instead. On failure returns NULL with
 * *msg set to the reason (a static or store-lived string, copied by the caller) and
 * *trapped true when a trap (start function, segment) stopped it. */
weld_instance *capi_instantiate(weld_store *s, const weld_module *m, const weld_extern *imports,
                                size_t nimports, char *msg, size_t msgcap, bool *trapped);

#endif

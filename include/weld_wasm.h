/*
 * weld_wasm.h — weld's own API on the standard C API's objects.
 *
 * A program written against wasm.h can reach weld's runtime behind its objects and use
 * include/weld.h on them: WASI with weld's capability policy, fuel, deadlines, resource
 * limits and usage reports. The weld objects returned here belong to the wasm.h objects
 * they came from: do not free them; they live as long as those objects.
 *
 *   wasm_store_t *store = wasm_store_new(engine);
 *   weld_limits l; weld_limits_default(&l); l.memory_bytes = 16 << 20;
 *   weld_store_set_limits(weld_wasm_store(store), &l);
 *
 * WASI: weld_wasm_wasi_imports fills, in a wasm.h import vector, the entries for the
 * module's WASI imports; after wasm_instance_new, bind the context to the instance with
 * weld_wasi_bind(w, weld_wasm_instance(instance), &err).
 */
#ifndef WELD_WASM_H
#define WELD_WASM_H

#include "wasm.h"
#include "weld.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The value kind wasm.h reports for v128 (wasm.h has none): types show it, but values
 * of it cannot cross the wasm.h API (a call with a v128 parameter or result traps). */
#define WELD_WASM_V128 ((wasm_valkind_t)4)

WASM_API_EXTERN weld_engine *weld_wasm_engine(wasm_engine_t *e);
WASM_API_EXTERN weld_store *weld_wasm_store(wasm_store_t *s);
WASM_API_EXTERN const weld_module *weld_wasm_module(const wasm_module_t *m);
WASM_API_EXTERN weld_instance *weld_wasm_instance(const wasm_instance_t *i);
WASM_API_EXTERN weld_func *weld_wasm_func(const wasm_func_t *f);
WASM_API_EXTERN weld_memory *weld_wasm_memory(const wasm_memory_t *m);
WASM_API_EXTERN weld_table *weld_wasm_table(const wasm_table_t *t);
WASM_API_EXTERN weld_global *weld_wasm_global(const wasm_global_t *g);

/* A new wasm.h handle for a weld object of the store (NULL for kind NONE). */
WASM_API_EXTERN wasm_extern_t *weld_wasm_extern(wasm_store_t *s, weld_extern x);

/* An engine with weld's settings (stack size, call depth, bounds-check mode). */
WASM_API_EXTERN wasm_engine_t *weld_wasm_engine_new(const weld_config *cfg);

/* What stopped WebAssembly, for a trap from wasm_func_call or wasm_instance_new: its weld
 * kind (out of fuel, deadline, interrupted, a limit, an exit requested by WASI's proc_exit
 * — WELD_TRAP_EXIT with the exit code — ...). False, with nothing written, for a trap
 * that does not come from running WebAssembly (wasm_trap_new, a refused call or a link
 * error). */
WASM_API_EXTERN bool weld_wasm_trap_kind(const wasm_trap_t *t, weld_trap_kind *kind,
                                         int32_t *exit_code);

/* For each of the module's imports from `wasi_snapshot_preview1`, puts a new extern in
 * imports->data[i] (imports: one entry per module import, from
 * wasm_extern_vec_new_uninitialized or with NULLs; entries already set are left alone).
 * Returns the number filled, or -1 with *err set (see weld_wasi_imports). */
WASM_API_EXTERN long weld_wasm_wasi_imports(weld_wasi *w, wasm_store_t *s, const wasm_module_t *m,
                                            wasm_extern_vec_t *imports, weld_error **err);

#ifdef __cplusplus
}
#endif
#endif

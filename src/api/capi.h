/* Private to the standard C API files (capi_*.c): the objects behind wasm.h's handles.
 *
 * Every reference handle (wasm_ref_t, wasm_func_t, wasm_extern_t, wasm_trap_t, ...) is one
 * small allocation pointing at an entity: the identity that wasm_*_same compares and that
 * carries the host info. Handles to the same runtime object share one entity, kept by the
 * store in a map from the runtime object, so a func fetched twice from an instance's
 * exports is the same func with the same host info. Store entities live as long as their
 * store (the runtime objects do too); traps and modules are not in a store and count
 * their handles instead. */
#ifndef WELD_CAPI_H
#define WELD_CAPI_H

#include <stdatomic.h>

#include "wasm.h"
#include "weld.h"
#include "weld_wasm.h"
#include "api/capi_bridge.h"

typedef enum capi_kind {
  CAPI_FUNC,
  CAPI_GLOBAL,
  CAPI_TABLE,
  CAPI_MEMORY,
  CAPI_INSTANCE,
  CAPI_FOREIGN,
  CAPI_TRAP,
  CAPI_MODULE,
} capi_kind;

typedef struct capi_entity {
  capi_kind kind;
  wasm_store_t *store;   /* NULL for traps and modules */
  void *obj;             /* weld_func / weld_global / ... / weld_module; the trap or the
                            foreign record for those */
  void *host_info;
  void (*finalizer)(void *);
  atomic_size_t refs;    /* traps and modules: handles (and stores) holding it */
} capi_entity;

/* What every reference handle is. */
struct wasm_ref_t {
  capi_entity *ent;
};

#define CAPI_H(p) ((struct wasm_ref_t *)(p))
#define CAPI_CH(p) ((const struct wasm_ref_t *)(p))

struct wasm_engine_t {
  weld_engine *engine;
  weld_config cfg;
};

struct wasm_config_t {
  weld_config cfg;
};

struct wasm_store_t {
  wasm_engine_t *engine;
  weld_store *store;
  /* entity map: open addressing on the runtime object's address */
  capi_entity **slots;
  size_t nslots, nused;
  /* modules instantiated here: their code must outlive the instances */
  capi_entity **modules;
  size_t nmodules, capmodules;
};

/* A trap: its message (NUL-terminated, the NUL counted) and its WebAssembly frames. */
typedef struct capi_frame_rec {
  capi_entity *inst;     /* the instance's entity, or NULL */
  uint32_t func_index;
  size_t func_offset, module_offset;
} capi_frame_rec;

typedef struct capi_trap {
  capi_entity ent;
  weld_trap_kind kind;   /* 0 for a trap made by wasm_trap_new */
  int32_t exit_code;     /* WELD_TRAP_EXIT */
  char *msg;
  size_t msglen;         /* with the NUL */
  size_t nframes;
  capi_frame_rec *frames;
} capi_trap;

struct wasm_frame_t {
  capi_frame_rec f;
  wasm_instance_t *inst; /* a handle the frame owns, for wasm_frame_instance */
};

/* ---- capi_ref.c ---- */

/* Out of memory: every function that allocates returns NULL (or an empty vector, or false)
 * as wasm.h allows; one that must return a trap returns capi_trap_oom's. */

/* The store's entity for a runtime object, made on first use; NULL when out of memory. */
capi_entity *capi_entity_of(wasm_store_t *s, capi_kind kind, void *obj);
/* A new handle on an entity (a reference to a trap or module counts); NULL for a NULL
 * entity or when out of memory (no reference is taken then). */
struct wasm_ref_t *capi_handle_new(capi_entity *e);
/* The entity with one less reference; frees it with its finalizer at zero. */
void capi_entity_release(capi_entity *e);
/* False when out of memory (the module is not retained). */
bool capi_store_retain_module(wasm_store_t *s, capi_entity *module);
/* The "out of memory" trap, for where a trap must be returned and none can be made: a
 * static one, which deleting does not free. */
wasm_trap_t *capi_trap_oom(void);

/* A trap from the last trap in `s` (frames from its backtrace) with `msg`. */
wasm_trap_t *capi_trap_from_store(wasm_store_t *s, const char *msg);
/* A trap with a message and no frames. */
wasm_trap_t *capi_trap_msg(const char *msg);

/* Values across the two APIs. False (with a message) when a value cannot cross: a kind
 * wasm.h lacks, a reference of the wrong kind or from another store. */
bool capi_val_to_weld(wasm_store_t *s, const wasm_val_t *v, weld_val *out, char *msg, size_t cap);
/* A new wasm_val_t; references become new handles the caller owns. */
bool capi_val_from_weld(wasm_store_t *s, const weld_val *v, wasm_val_t *out);
wasm_valkind_t capi_valkind_from_weld(weld_valkind k);
bool capi_valkind_to_weld(wasm_valkind_t k, weld_valkind *out);

/* ---- capi_types.c ---- */

/* An owned externtype for a runtime description (frees desc->kinds). */
wasm_externtype_t *capi_externtype_from_desc(capi_xdesc *desc);

#endif

/* Private to src/component's runtime (abi.c, instance.c, call.c): component instances,
 * handle tables and the Canonical ABI's lifting and lowering. */
#ifndef WELD_COMPONENT_RT_H
#define WELD_COMPONENT_RT_H

#include "internal.h"
#include "runtime.h"
#include "weld.h"

struct comp_resource {
  comp_inst *impl;               /* the instance that defined it (NULL: the host's) */
  weld_func *dtor;               /* NULL: none */
  uint32_t id;
  comp_host_drop host_drop;      /* a host resource's destructor (NULL: none) */
  void *host_env;
};

/* A call's borrow bookkeeping: handles lent by the caller (to release when the call
 * returns) and borrow handles given to the callee (all dropped by the end of the call). */
typedef struct comp_scope {
  uint32_t num_borrows;          /* borrow handles lowered into the callee's table */
  struct lend { comp_inst *inst; uint32_t idx; } *lends;
  size_t nlends, cap;
} comp_scope;

/* An entry of an instance's handle table (index 0 is never used; free entries have no rt). */
typedef struct comp_handle {
  comp_resource *rt;
  uint32_t rep;
  bool own;
  uint32_t lend_count;
  comp_scope *scope;             /* borrow handles: the call they were lent for */
} comp_handle;

/* Canonical options of a lift or a lower. */
typedef struct comp_opts {
  weld_memory *mem;
  weld_func *realloc;
  weld_func *post_return;
  uint8_t enc;                   /* 0 utf8, 1 utf16, 2 latin1+utf16 */
  bool async;                    /* the `async` option */
  weld_func *callback;           /* a lift's `callback` (NULL: stackful or synchronous) */
} comp_opts;

/* The context of one lifting or lowering: the instance on the core side, its options,
 * where values go, where a trap's message goes. */
typedef struct abi_cx {
  comp_inst *inst;
  const comp_opts *o;
  util_arena *arena;
  util_error *err;
  comp_scope *scope;
  unsigned depth;                /* of the value being lifted or lowered */
} abi_cx;

enum { ABI_MAX_FLAT_PARAMS = 16, ABI_MAX_FLAT_RESULTS = 1, ABI_MAX_FLAT_ASYNC_PARAMS = 4 };

/* Sets a trap (kind TRAP) in cx->err; returns false. */
bool abi_trap(abi_cx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A trap returned by a core call, into cx->err (the trap is freed). */
bool abi_core_trap(abi_cx *cx, weld_trap *t);

/* The flat core values of a value; count is ct_flatten's. */
bool abi_lower_flat(abi_cx *cx, const comp_ctype *t, const comp_val *v, weld_val *out, uint32_t *k);
bool abi_lift_flat(abi_cx *cx, const comp_ctype *t, const weld_val *in, uint32_t *k, comp_val *out);
/* A value in linear memory at ptr (aligned and in bounds, checked). */
bool abi_store(abi_cx *cx, const comp_ctype *t, const comp_val *v, uint32_t ptr);
bool abi_load(abi_cx *cx, const comp_ctype *t, uint32_t ptr, comp_val *out);

/* A sequence of values (parameters) as a tuple: size, alignment, store, load. */
void abi_seq_layout(const comp_ctype *const *types, uint32_t n, uint64_t *size, uint32_t *align);
bool abi_store_seq(abi_cx *cx, const comp_ctype *const *types, uint32_t n, const comp_val *v, uint32_t ptr);
bool abi_load_seq(abi_cx *cx, const comp_ctype *const *types, uint32_t n, uint32_t ptr, comp_val *out);
/* realloc(0, 0, align, size) with its result checked. */
bool abi_alloc(abi_cx *cx, const char *what, uint32_t align, uint64_t size, uint32_t *ptr);
/* Checks a pointer from the core side for a value of that size and alignment. */
bool abi_check_ptr(abi_cx *cx, uint32_t ptr, uint32_t align, uint64_t size, const char *what);
uint32_t abi_flat_count(const comp_ctype *t);
weld_valkind abi_core_kind(uint8_t wasm_vtype);

/* Handle tables (instance.c). */
bool rt_handle_add(abi_cx *cx, comp_inst *inst, comp_handle h, uint32_t *idx);
comp_handle *rt_handle_get(abi_cx *cx, comp_inst *inst, uint32_t idx);
void rt_handle_remove(comp_inst *inst, uint32_t idx);
/* The identity waitable sets have in a handle table in place of a resource type. */
extern comp_resource rt_waitable_set;
/* The runtime resource type for a resource type (by its identity) in inst; NULL: unknown. */
comp_resource *rt_resource_of(comp_inst *inst, const comp_ctype *r);

#endif

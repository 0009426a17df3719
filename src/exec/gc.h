/* The GC heap of a store: struct and array objects, host boxes, i31 values, and the
 * precise mark-and-sweep collector that frees what no root reaches. Private to src/exec
 * and the layers built on it (src/api, src/guard); README.md ("Garbage collection")
 * describes the representation and the roots. */
#ifndef WELD_EXEC_GC_H
#define WELD_EXEC_GC_H

#include "exec.h"

/* ---------- references ----------------------------------------------------------------
 * A reference of the any or extern hierarchy is one slot:
 *   0                  null
 *   odd                an i31: the 31-bit value in bits 1..31 (slot = v << 1 | 1)
 *   even, non-zero     an exec_gc_obj * (8-byte aligned): a struct, an array, or a host
 *                      box holding a host externref
 * Both hierarchies share the encoding, so any.convert_extern and extern.convert_any
 * change nothing. A host externref enters a store boxed (exec_gc_box) and leaves
 * unboxed (exec_gc_unbox), so every non-null, non-i31 value in these slots is a heap
 * object the collector can trace. funcref and exnref values are not on this heap (an
 * exec_func * and an exec_exn *, both owned by the store). */

/* The storage kind of references of the any hierarchy (exec_kind_of); WASM_EXTERNREF is
 * the extern hierarchy's. The value is the anyref type byte. */
#define EXEC_KIND_ANY WASM_ANYREF

/* Slots of these kinds may hold heap objects: the collector traces them. */
static inline bool exec_kind_is_gc(uint8_t kind) { return kind == EXEC_KIND_ANY || kind == WASM_EXTERNREF; }

static inline bool exec_ref_is_i31(exec_slot r) { return (r & 1) != 0; }
static inline exec_slot exec_i31_new(uint32_t v) { return ((exec_slot)(v & 0x7fffffffu) << 1) | 1; }
static inline uint32_t exec_i31_get_u(exec_slot r) { return (uint32_t)(r >> 1) & 0x7fffffffu; }
static inline int32_t exec_i31_get_s(exec_slot r) {
  uint32_t u = exec_i31_get_u(r);
  return (int32_t)(u | ((u & 0x40000000u) ? 0x80000000u : 0));
}

/* ---------- layouts -------------------------------------------------------------------- */

enum { EXEC_GC_STRUCT = 1, EXEC_GC_ARRAY, EXEC_GC_HOST };

/* How a field or an array element is stored: its size, and whether the collector traces
 * it (GC: a reference of the any or extern hierarchy). FUNC holds a funcref or exnref
 * (store-owned, not traced). Packed i8/i16 fields take 1 and 2 bytes. */
enum {
  EXEC_GC_I8 = 1,
  EXEC_GC_I16,
  EXEC_GC_I32,
  EXEC_GC_I64,
  EXEC_GC_F32,
  EXEC_GC_F64,
  EXEC_GC_V128,
  EXEC_GC_REF,  /* any / extern hierarchy: traced */
  EXEC_GC_PTR,  /* func / exn hierarchy: not traced */
};
uint32_t exec_gc_storage_size(uint8_t storage);

/* The runtime shape of one struct or array type, shared by every object of that type in
 * the store; made once per store-level type id (exec_gc_layout_get) and freed with the
 * heap. A struct's fields lie at natural alignment in declaration order; an array's
 * elements follow its length, each `elem_size` bytes. */
typedef struct exec_gc_layout {
  exec_typeid typeid;      /* the store-level type id: the runtime type casts compare */
  uint8_t kind;            /* EXEC_GC_STRUCT / _ARRAY / _HOST */
  uint32_t nfields;        /* struct: fields; array: 1 (the element) */
  uint32_t size;           /* struct: bytes of all fields; array: bytes of one element */
  uint8_t *storage;        /* per field (EXEC_GC_*) */
  uint32_t *offsets;       /* per field, bytes from the object's data */
  uint32_t nrefs;          /* struct: traced fields */
  uint32_t *ref_offsets;   /* their offsets */
  bool elem_ref;           /* array: elements are traced */
  /* the runtime type for casts: the declared supertype chain as store-level ids, the
   * type itself first (set by exec_gc_instance_layouts) */
  exec_typeid *supers;
  uint32_t nsupers;
  struct exec_gc_layout *next;
} exec_gc_layout;

/* The layout of store-level type `typeid` (kind STRUCT or ARRAY; an array has one
 * storage entry, its element), made on first use: NULL when out of memory. Later calls
 * with the same id return the same layout (the storage is not compared again). */
exec_gc_layout *exec_gc_layout_get(exec_store *s, exec_typeid typeid, uint8_t kind, uint32_t nfields,
                                   const uint8_t *storage);

/* ---------- objects -------------------------------------------------------------------- */

typedef struct exec_gc_obj {
  const exec_gc_layout *layout;
  struct exec_gc_obj *next;  /* every object of the heap, for the sweep */
  uint32_t len;              /* array: elements; struct: 0 */
  uint32_t mark;             /* the collection that last reached it */
  /* data: struct fields or array elements, 8-byte aligned */
} exec_gc_obj;

static inline uint8_t *exec_gc_data(exec_gc_obj *o) { return (uint8_t *)(o + 1); }
static inline exec_slot exec_gc_ref(const exec_gc_obj *o) { return (exec_slot)(uintptr_t)o; }
/* The object a reference names, or NULL for null and i31 values. */
static inline exec_gc_obj *exec_gc_obj_of(exec_slot r) {
  return (r && !(r & 1)) ? (exec_gc_obj *)(uintptr_t)r : NULL;
}

/* Reads and writes a value of `storage` at p, as a slot (packed fields read zero- or
 * sign-extended with `sign`; v128 takes two slots). */
void exec_gc_load(uint8_t storage, const uint8_t *p, bool sign, exec_slot *out);
void exec_gc_store(uint8_t storage, uint8_t *p, const exec_slot *in);

/* A new object with zeroed fields or elements (null references, zero numbers). With
 * may_collect the heap may collect first — only at a safepoint the frames' maps describe
 * (an allocating instruction, or no WebAssembly running); without it the allocation
 * never collects (instantiation, the embedding API boxing a value). NULL when the GC
 * heap limit refuses it (exec_gc_heap.failed_limit set) or out of memory. */
exec_gc_obj *exec_gc_new_struct(exec_store *s, const exec_gc_layout *l, bool may_collect);
exec_gc_obj *exec_gc_new_array(exec_store *s, const exec_gc_layout *l, uint32_t len, bool may_collect);

/* A host externref as a slot value: NULL is null, any other pointer is boxed (never
 * collects). Returns false when the box cannot be made. */
bool exec_gc_box(exec_store *s, void *host, exec_slot *out);
/* The host's value of an extern-hierarchy slot: null as NULL, a box as its pointer.
 * Returns false when the value is not a host externref (an internalized i31, struct or
 * array: the API represents those differently). */
bool exec_gc_unbox(exec_slot r, void **host);

/* ---------- the heap ------------------------------------------------------------------- */

/* Collections start when the bytes allocated since the last one pass the threshold:
 * max(EXEC_GC_MIN_THRESHOLD, live bytes after the last collection * EXEC_GC_GROWTH). */
#define EXEC_GC_MIN_THRESHOLD ((uint64_t)1 << 20)
#define EXEC_GC_GROWTH 2

typedef struct exec_gc_heap {
  exec_gc_obj *objs;         /* every live (or not yet swept) object */
  uint64_t bytes;            /* allocated bytes, headers included */
  uint64_t threshold;        /* collect when bytes would pass it */
  uint64_t collections;
  uint64_t freed_bytes;      /* over all collections */
  uint32_t epoch;            /* mark value of the current collection */
  bool stress;               /* collect at every allocation that may collect */
  bool failed_limit;         /* the last refused allocation hit the limit (not out of memory) */
  bool collecting;
  exec_gc_layout *layouts;
  exec_gc_layout host_layout;
  /* references held by the host (exec_gc_root_*): a slot per handle; free ones
   * (root_used 0) are chained through their slot (the next free index + 1, 0 ends) */
  exec_slot *roots;
  uint8_t *root_used;
  uint32_t nroots, caproots, free_root;
  /* the mark stack */
  exec_gc_obj **stack;
  size_t nstack, capstack;
} exec_gc_heap;

/* Makes / frees a store's heap (exec_store_new / exec_store_free): freeing frees every
 * object and layout. stress comes from exec_store_config.gc_stress or WELD_GC_STRESS=1. */
exec_gc_heap *exec_gc_heap_new(bool stress);
void exec_gc_heap_free(exec_gc_heap *h);

/* A full collection now: marks from every root (exec_gc_collect's comment in gc.c lists
 * them) and frees the rest. Callable only where the frames' maps hold: from the
 * interpreter's allocation, from a host function, or with no WebAssembly running. */
void exec_gc_collect(exec_store *s);

/* Rooted handles for references the host keeps: a handle keeps its value alive until
 * freed. exec_gc_root_new returns the handle (UINT32_MAX when out of memory). */
uint32_t exec_gc_root_new(exec_store *s, exec_slot r);
exec_slot exec_gc_root_get(const exec_store *s, uint32_t h);
void exec_gc_root_set(exec_store *s, uint32_t h, exec_slot r);
void exec_gc_root_free(exec_store *s, uint32_t h);

/* Objects on the heap now (tests, reports). */
size_t exec_gc_count(const exec_store *s);

/* ---------- instructions (gc_ops.c) ---------------------------------------------------- */

/* The storage kind of a struct field or array element type of module m. */
uint8_t exec_gc_storage_of(const wasm_module *m, wasm_vtype t);
/* The byte offset of a struct type's field in its objects' data (the layout's rule: in
 * order, natural alignment up to 8), for code that accesses fields directly (src/jit). */
uint32_t exec_gc_field_offset(const wasm_module *m, uint32_t typeidx, uint32_t field);
/* The layouts of a module's struct and array types in s's heap (NULL for function
 * types): false when out of memory. */
bool exec_gc_instance_layouts(exec_store *s, const exec_module *em, exec_gc_layout **out);
/* Whether function f's type is store-level type `id` or declares it as a supertype,
 * directly or further up (call_indirect, casts to function types). */
bool exec_gc_func_sub(const exec_func *f, exec_typeid id);
/* ref.test: whether reference value v (stored as its hierarchy's kind) is in (ref null?
 * heap), heap a heap type of inst's module. */
bool exec_gc_test(const exec_instance *inst, exec_slot v, uint32_t heap, bool nullable);
/* A GC instruction (0xFB sub-opcode `sub`, its immediates at r) in a constant expression
 * of inst: pops its operands from the value stack st (*sp values, two slots each) and
 * pushes its result. Allocation never collects here. False with err set on a malformed
 * expression, an overflowing stack or a refused allocation. */
bool exec_gc_const_op(exec_instance *inst, uint32_t sub, util_reader *r, exec_slot (*st)[2], int *sp,
                      int cap, util_error *err);
/* The bulk array instructions, after the null checks: bounds, fuel by size, the work.
 * Return EXEC_OK or the trap. `th` is charged like the bulk memory instructions. */
exec_trap_kind exec_gc_array_fill(exec_thread *th, exec_gc_obj *a, uint32_t off, const exec_slot *v, uint32_t n);
exec_trap_kind exec_gc_array_copy(exec_thread *th, exec_gc_obj *d, uint32_t doff, exec_gc_obj *s, uint32_t soff,
                                  uint32_t n);
exec_trap_kind exec_gc_array_init_data(exec_thread *th, const exec_instance *inst, exec_gc_obj *a, uint32_t d,
                                       uint32_t data, uint32_t s, uint32_t n);
exec_trap_kind exec_gc_array_init_elem(exec_thread *th, const exec_instance *inst, exec_gc_obj *a, uint32_t d,
                                       uint32_t elem, uint32_t s, uint32_t n);
/* array.new_data / array.new_elem: the new array in *out, or the trap. May collect. */
exec_trap_kind exec_gc_array_new_data(exec_thread *th, const exec_instance *inst, uint32_t type, uint32_t data,
                                      uint32_t s, uint32_t n, exec_slot *out);
exec_trap_kind exec_gc_array_new_elem(exec_thread *th, const exec_instance *inst, uint32_t type, uint32_t elem,
                                      uint32_t s, uint32_t n, exec_slot *out);
/* The trap of a failed allocation: EXEC_TRAP_LIMIT with the limit's message in th, or
 * out of memory (EXEC_TRAP_LIMIT too, said so). */
exec_trap_kind exec_gc_alloc_trap(exec_thread *th);

#endif

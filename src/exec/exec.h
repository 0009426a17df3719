/* exec: the runtime — compiled modules, stores, instances, memories, tables, globals,
 * traps, calls and the interpreter. Depends on src/wasm and src/util.
 *
 * Split of work inside this folder:
 *   compile.c   translator: validator hooks -> internal code (one pass per function)
 *   interp.c    the direct-threaded interpreter, exec_invoke
 *   memory.c    linear memories (mmap reservation + guard, or explicit bounds)
 *   table.c     tables
 *   instance.c  store, instantiation, linking, constant expressions, segments
 *   trap.c      trap kinds, messages, backtraces
 *   api.c       include/weld.h on top of all of the above
 */
#ifndef WELD_EXEC_H
#define WELD_EXEC_H

#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../util/util.h"
#include "../wasm/module.h"
#include "../wasm/validate.h"

/* A value-stack slot. Every value takes one slot except v128, which takes two
 * consecutive slots (low 8 bytes first). References are pointers stored in a slot. */
typedef uint64_t exec_slot;

static inline uint32_t exec_slots_of(wasm_vtype valtype) { return valtype == WASM_V128 ? 2 : 1; }

/* How a value is stored: numeric and vector types as themselves, references by the top of
 * their hierarchy (WASM_FUNCREF: an exec_func pointer; WASM_EXTERNREF and WASM_ANYREF: a
 * GC reference, gc.h; WASM_EXNREF: an exec_exn pointer). A concrete type index is a
 * function type here; exec_kind_of_m knows the module's struct and array types. */
static inline uint8_t exec_kind_of(wasm_vtype t) {
  if (!wasm_is_reftype(t)) return (uint8_t)t;
  switch (wasm_ref_heap(t)) {
  case WASM_HEAP_EXTERN:
  case WASM_HEAP_NOEXTERN: return WASM_EXTERNREF;
  case WASM_HEAP_EXN:
  case WASM_HEAP_NOEXN: return WASM_EXNREF;
  case WASM_HEAP_ANY:
  case WASM_HEAP_EQ:
  case WASM_HEAP_I31:
  case WASM_HEAP_STRUCT:
  case WASM_HEAP_ARRAY:
  case WASM_HEAP_NONE: return WASM_ANYREF;
  default: return WASM_FUNCREF;
  }
}
/* The same for a type of module m (type indices name m's types). */
static inline uint8_t exec_kind_of_m(const wasm_module *m, wasm_vtype t) {
  if (wasm_is_reftype(t)) {
    int64_t i = wasm_heap_typeidx(wasm_ref_heap(t));
    if (i >= 0 && (uint64_t)i < m->ntypes && m->deftypes && m->deftypes[i].kind != WASM_TYPE_FUNC) return WASM_ANYREF;
  }
  return exec_kind_of(t);
}

/* Store-level value types: a compiled module's types with each type index replaced by
 * WASM_HEAP_INDEX + the type's engine-wide id, so types of different modules compare
 * directly (exec_vtype_canon, exec_vtype_sub in instance.c). Inside a signature, a
 * reference to the signature itself uses the heap value EXEC_HEAP_SELF. */
#define EXEC_HEAP_SELF 0xffu

typedef enum exec_trap_kind {
  EXEC_OK = 0,
  EXEC_TRAP_UNREACHABLE,
  EXEC_TRAP_MEMORY_OOB,
  EXEC_TRAP_TABLE_OOB,
  EXEC_TRAP_UNDEFINED_ELEMENT,
  EXEC_TRAP_UNINITIALIZED_ELEMENT,
  EXEC_TRAP_INDIRECT_TYPE_MISMATCH,
  EXEC_TRAP_INT_DIV_ZERO,
  EXEC_TRAP_INT_OVERFLOW,
  EXEC_TRAP_INVALID_CONVERSION,
  EXEC_TRAP_STACK_EXHAUSTED,
  EXEC_TRAP_OUT_OF_FUEL,
  EXEC_TRAP_DEADLINE,
  EXEC_TRAP_INTERRUPTED,
  EXEC_TRAP_HOST,
  EXEC_TRAP_EXIT,
  EXEC_TRAP_LIMIT,      /* a resource limit with trap_on_grow_failure, or a host-call limit */
  EXEC_TRAP_NULL_FUNC_REF, /* call_ref / return_call_ref of null */
  EXEC_TRAP_NULL_REF,      /* ref.as_non_null of null */
  EXEC_TRAP_EXCEPTION,  /* an exception no handler caught: exec_thread.exn is the exception */
  EXEC_TRAP_NULL_STRUCT,   /* GC: struct.get/set of null */
  EXEC_TRAP_NULL_ARRAY,    /* GC: array.* of null */
  EXEC_TRAP_NULL_I31,      /* GC: i31.get_s/u of null */
  EXEC_TRAP_ARRAY_OOB,     /* GC: an array index or range past its length */
  EXEC_TRAP_CAST,          /* GC: ref.cast of a value not of the type */
  EXEC_TRAP_UNALIGNED_ATOMIC, /* threads: an atomic access at an address not a multiple of its size */
  EXEC_TRAP_EXPECTED_SHARED,  /* threads: memory.atomic.wait on a memory that is not shared */
  EXEC_TRAP_WAIT_FOREVER,     /* threads: a wait without timeout, which nothing could ever end */
  EXEC_TRAP_COUNT
} exec_trap_kind;

/* The spec's wording for each kind ("out of bounds memory access", ...). */
const char *exec_trap_message(exec_trap_kind k);

typedef struct exec_store exec_store;
typedef struct exec_instance exec_instance;

/* Which resource limit stopped or refused something (usage reports). */
typedef enum exec_limit_kind {
  EXEC_LIMIT_NONE = 0,
  EXEC_LIMIT_MEMORY,
  EXEC_LIMIT_TABLE,
  EXEC_LIMIT_INSTANCES,
  EXEC_LIMIT_FUEL,
  EXEC_LIMIT_DEADLINE,
  EXEC_LIMIT_STACK,
  EXEC_LIMIT_HOST_CALLS,
  EXEC_LIMIT_GC_HEAP,
} exec_limit_kind;
/* "memory", "table", "instances", "fuel", "deadline", "stack", "host-calls", "gc-heap";
 * NULL for NONE. */
const char *exec_limit_name(exec_limit_kind k);
typedef struct exec_thread exec_thread;
typedef struct exec_func exec_func;
typedef struct exec_tag exec_tag;
typedef struct exec_exn exec_exn;

/* ---------- compiled modules ------------------------------------------------------- */

/* The internal code of one defined function (format private to compile.c/interp.c). */
typedef struct exec_code {
  /* What a call runs: the internal code; before the function's first call, the shared lazy
   * entry (exec_lazy_stub, code.h), whose LAZY instruction translates it; or a compiling
   * tier's NATIVE entry. Read with acquire (the translation publishes with release). */
  void *code;
  uint32_t code_len;       /* in bytes */
  /* The internal code once translated (NULL before; set once, release) and its length. */
  void *icode;
  uint32_t icode_len;
  uint32_t nparam_slots;   /* slots taken by parameters */
  uint32_t nlocal_slots;   /* parameters + declared locals */
  uint32_t nresult_slots;
  uint32_t frame_slots;    /* locals + the deepest operand stack + call scratch */
  /* Maps internal code positions back to module byte offsets for backtraces; sorted by
   * code position. */
  uint32_t nsrcmap;
  uint32_t *srcmap_code;   /* code offsets */
  uint32_t *srcmap_wasm;   /* module offsets */
  /* try_table regions (exception handling), in the order they open: an inner region
   * comes after the regions containing it (exn.c searches them from the last). */
  uint32_t ntries;
  struct exec_try *tries;
  /* Stack maps for the collector (gc.c): which slots hold references it must trace.
   * ref_locals: the parameters and declared locals of the any and extern hierarchies
   * (live at every safepoint); safe_pos[i] is the code position (units) just after the
   * i-th safepoint instruction (a call, an allocation), sorted, and safe_slots from
   * safe_off[i] holds a count, then the operand slots holding references there. A
   * function with no such values has none (nsafe 0, nref_locals 0). */
  uint32_t nref_locals;
  uint32_t *ref_locals;
  uint32_t nsafe;
  uint32_t *safe_pos;
  uint32_t *safe_off;
  uint32_t *safe_slots;
  /* Every reachable loop's header (the code position its back-edges jump to) and the
   * module offset of its `loop` instruction, in body order (positions ascending): how
   * on-stack replacement (src/jit/osr.c) finds which loop an interpreted frame is in. */
  uint32_t nloops;
  uint32_t *loop_pos;
  uint32_t *loop_wasm;
} exec_code;

/* One catch clause of a try_table: where its landing pad is in the code. */
typedef struct exec_catch {
  uint32_t tag;     /* module tag index; EXEC_CATCH_ALL for catch_all(_ref) */
  bool ref;         /* the _ref forms: the exnref follows the payload */
  uint32_t pad;     /* code position of the pad (the branch to the clause's label); for
                       a legacy catch, of the handler's code */
  uint32_t ref_slot; /* legacy catch: the hidden local that keeps the exception for
                        rethrow (with ref); EXEC_NO_SLOT for try_table */
} exec_catch;
#define EXEC_CATCH_ALL UINT32_MAX
#define EXEC_NO_SLOT UINT32_MAX

/* A try_table's body [start, end) in code positions; a caught exception's payload is
 * written to the frame's slots from `dst` on, then the pad runs. */
typedef struct exec_try {
  uint32_t start, end;
  uint32_t dst;
  uint32_t ncatch;
  exec_catch *catches;
  /* legacy try ... delegate: the search goes on at this region (an index into tries), or
   * in the caller (EXEC_DELEGATE_CALLER); EXEC_NO_DELEGATE for other regions */
  uint32_t delegate;
} exec_try;
#define EXEC_NO_DELEGATE UINT32_MAX
#define EXEC_DELEGATE_CALLER (UINT32_MAX - 1)

/* A function signature interned in its engine's table: equal signatures share one id, so
 * call_indirect compares one integer. 0 names no signature. */
typedef uint32_t exec_typeid;

/* The signature table of one engine (typeid.c): every module compiled and every store made
 * with the engine shares it, so ids are comparable between all of their instances.
 * Entries are reference-counted and go away with the last module or host function using
 * them. Thread-safe. */
typedef struct exec_typetab exec_typetab;
exec_typetab *exec_typetab_new(void); /* NULL when out of memory */
void exec_typetab_free(exec_typetab *t);
/* The process-wide table used when no engine is given (NULL when out of memory). */
exec_typetab *exec_typetab_default(void);
size_t exec_typetab_count(exec_typetab *t); /* live signatures */
/* The id of a signature, taking one reference; 0 when out of memory. */
exec_typeid exec_typeid_acquire(exec_typetab *t, uint32_t nparams, const wasm_vtype *params,
                                uint32_t nresults, const wasm_vtype *results);
void exec_typeid_release(exec_typetab *t, exec_typeid id);
void exec_typeid_retain(exec_typetab *t, exec_typeid id); /* one more reference */
/* GC (3.0): every type of a module has a store-level id. A plain function type (final,
 * no supertype, alone in its recursion group) is its signature, as above; any other
 * type is (its recursion group's description, its position), so iso-recursively
 * equivalent types of different modules share an id. `ids` (m->ntypes entries, zeroed)
 * receives one reference per type; *ndone counts the entries filled, which the caller
 * releases when this fails (out of memory, or ids beyond WASM_MAX_TYPE_INDEX). */
bool exec_typeids_intern(exec_typetab *t, const wasm_module *m, exec_typeid *ids, uint32_t *ndone);
/* Of a store-level id: its kind (WASM_TYPE_*), its declared supertype's id (0: none),
 * and whether it is a subtype of another by declared supertypes (or equal). */
uint8_t exec_typeid_kind(exec_typetab *t, exec_typeid id);
exec_typeid exec_typeid_super(exec_typetab *t, exec_typeid id);
bool exec_typeid_sub(exec_typetab *t, exec_typeid a, exec_typeid b);

typedef struct exec_module {
  wasm_module *wasm;        /* owned */
  exec_typetab *types;      /* the engine's table; typeids hold one reference each */
  exec_typeid *typeids;     /* per type index */
  uint32_t ntypeids;
  exec_code *codes;         /* per defined function (index - nfunc_imports) */
  util_arena arena;         /* code and side tables */
  /* A compiling tier's per-module state (src/jit): machine code and its tables, freed
   * by jit_free with the module. NULL when every function runs in the interpreter. */
  void *jit;
  void (*jit_free)(void *jit);
  /* Set by a tier that compiles hot functions on the way: called from the interruption
   * check's slow path (once per budget grant of function entries and loop back-edges)
   * with the defined function running at that moment, so a long loop counts as heat. */
  void (*jit_tick)(struct exec_module *em, uint32_t k);
  /* Copy-on-write memory images (pool.c), made by the first pooled instantiation and
   * freed with the module; NULL until then. */
  _Atomic(struct exec_image_set *) images;
  /* Set by a tier that can enter compiled code in the middle of a function (on-stack
   * replacement): called instead of jit_tick when the slow path was taken at a loop
   * back-edge of defined function k, once the interruption check has passed, with the
   * frame and the position of the loop header about to run. EXEC_NATIVE_DECLINE: go on
   * interpreting; anything else is what the NATIVE instruction's `enter` returns (the
   * function ran to its end compiled, its results in fp[0..], or trapped). */
  exec_trap_kind (*jit_osr)(struct exec_module *em, uint32_t k, uint32_t pos, exec_thread *th,
                            exec_instance *inst, exec_slot *fp);
  /* With jit_osr: the interpreter's budget grant is at most this many units (0: the
   * usual 65,536), so loops are looked at more often (a testing knob). */
  uint32_t osr_grant;
  /* src/api: the engine's in-memory cache entry that counts this module's holders (one
   * module object serves every weld_module_new of the same bytes and settings), or NULL
   * when the module is its one holder's. exec_module_free does not look at it. */
  void *shared;
  /* Lazy translation (compile.c): the validator's state, the translator, the lock. */
  struct exec_lazy *lazy;
} exec_module;

/* Decodes nothing: takes a decoded module, validates it (every function body) and
 * interns its signatures in `types` (NULL: exec_typetab_default()). exec_module_compile
 * translates every function to internal code now; exec_module_compile_lazy with `lazy`
 * translates each on its first call instead (exec_code_translate), which pays when many
 * are never called: the validator runs again over each one translated, so a module whose
 * functions nearly all run pays ~20% more (bench/README.md, Start-up).
 * WELD_TRANSLATE=eager or =lazy in the environment overrides the choice. The module may
 * only be instantiated in stores using the same table. On success owns `m`. On failure
 * returns NULL with an INVALID error (m is not freed). */
exec_module *exec_module_compile(wasm_module *m, exec_typetab *types, util_error *err);
exec_module *exec_module_compile_lazy(wasm_module *m, exec_typetab *types, bool lazy, util_error *err);
/* The lazy form for a module whose bodies are known valid: the bytes, the edition and
 * the weld build are those of a module weld validated before (a compiled-code image or
 * cache entry, whose machine code is run as is: src/api). The module is validated (its
 * types, imports, globals, segments, exports...), but a body only when it is translated,
 * on its first call — functions whose code comes from the image never are. A body that
 * is not valid after all fails its first call with the validator's message as an
 * EXEC_TRAP_LIMIT trap, never runs. */
exec_module *exec_module_compile_known_valid(wasm_module *m, exec_typetab *types, util_error *err);
/* Whether translating lazily is likely to pay for a module run by the interpreter: at
 * least EXEC_LAZY_MIN_BYTES of function bodies (a smaller one tends to call most of its
 * code: the C hello world runs 5 of its 7 functions, 2.9 KB of 3). */
#define EXEC_LAZY_MIN_BYTES ((uint64_t)64 * 1024)
bool exec_module_lazy_pays(const wasm_module *m);
typedef struct exec_lazy exec_lazy;
/* Translates defined function k now if it is not yet (thread-safe: one translation at a
 * time per module; others wait for it). false with an error (out of memory, "function
 * too large"), the function left untranslated. */
bool exec_code_translate(exec_module *em, uint32_t k, util_error *err);
/* Every defined function (a compiling tier that wants them all). */
bool exec_module_translate_all(exec_module *em, util_error *err);
/* How many defined functions have been translated so far. */
uint32_t exec_module_translated(const exec_module *em);
void exec_module_free(exec_module *em);
/* One more reference to the store-level id of the module's function type `typeidx` (the
 * id em->typeids holds): 0 when out of memory. */
exec_typeid exec_module_typeid_acquire(const exec_module *em, uint32_t typeidx);

/* ---------- runtime objects ---------------------------------------------------------- */

/* Host functions see arguments in `argres` (slots) and write results there too.
 * On a trap they may set thread->trap_msg and return the kind. */
typedef exec_trap_kind (*exec_host_fn)(exec_thread *th, exec_func *self, exec_slot *argres);

struct exec_func {
  exec_typeid typeid;
  exec_store *store;          /* the owning store */
  const wasm_functype *type;  /* points into a module's IR or into host_type */
  exec_instance *inst;        /* defining instance; NULL for host functions */
  uint32_t index;             /* in the defining module's function index space */
  exec_code *code;            /* wasm functions */
  exec_host_fn host;          /* host functions */
  void *host_env;
  void (*host_env_free)(void *);
  wasm_functype host_type;    /* storage for host signatures */
  wasm_vtype host_types[8];   /* params then results, when they fit */
  void *api;                  /* the weld_func wrapper, if one was made */
};

typedef struct exec_memory {
  uint8_t *base;        /* never moves in GUARD mode; may move on grow in EXPLICIT mode */
  uint64_t size;        /* bytes */
  uint64_t max_pages;   /* effective maximum (declared max, limited by policy/engine) */
  bool has_max;
  size_t reserved;      /* bytes of address space reserved */
  bool guarded;         /* accesses up to 8 GiB past base fault instead of needing a check */
  uint32_t refs;        /* instances sharing it */
  /* Limit accounting (set by the store that owns it; NULL for free-standing memories):
   * grow consults store->limits and charges store->usage and *inst_bytes. */
  exec_store *store;
  uint64_t *inst_bytes; /* the defining instance's total over its memories, or NULL */
  bool is64;            /* memory64: i64 addresses (kept below 4 GiB: EXEC_MAX_PAGES_64) */
  bool shared;          /* a shared memory (threads): declared max; wait is allowed on it */
  /* From an instance pool (pool.c): the slot it occupies, returned to `pool` when freed;
   * NULL otherwise. image_bytes: how much of it is mapped from the module's image. */
  void *pool_slot;
  struct exec_pool *pool;
  uint64_t image_bytes;
} exec_memory;

/* weld's limit for a 64-bit memory: 4 GiB less one page, so that a 64-bit address
 * saturated to 2^32-1 is out of bounds (compile_mem.c). */
#define EXEC_MAX_PAGES_64 65535ull

typedef struct exec_table {
  void **elems;         /* funcref: exec_func*; externref: host pointer; NULL = null, or an
                           element still to be materialised when `lazy` says so */
  uint32_t size;
  uint32_t max;
  bool has_max;
  wasm_vtype elemtype;  /* a store-level reference type (exec_kind_of: func or extern) */
  uint32_t refs;
  exec_store *store;    /* limit accounting, as for memories; NULL = none */
  uint64_t *inst_bytes; /* the defining instance's memory total, which counts the table's
                           bytes (EXEC_TABLE_ELEM_BYTES per element); NULL = none */
  bool is64;            /* a 64-bit table (i64 indices) */
  uint8_t kind;         /* how elements are stored (exec_kind_of_m of the module's type) */
  void *pool_slot;      /* from an instance pool (pool.c), as for memories; NULL otherwise */
  struct exec_pool *pool;
  /* Elements placed by active element segments of function indices and not yet read or
   * written (table.c): they read NULL in `elems` until materialised, so only a reader
   * that sees NULL looks here. NULL = every element is in `elems`. */
  struct exec_table_lazy *lazy;
  uint64_t materialised; /* elements materialised from `lazy` so far */
} exec_table;

/* What one table element occupies, for the memory limit: a pointer. */
#define EXEC_TABLE_ELEM_BYTES ((uint64_t)sizeof(void *))

typedef struct exec_global {
  exec_slot val[2];     /* two slots for v128 */
  wasm_vtype type;      /* store-level */
  uint8_t kind;         /* how the value is stored (exec_kind_of_m of the module's type) */
  bool mut;
  exec_store *store;    /* the owning store */
} exec_global;

/* Instance-side view of a segment: dropped segments have len/count 0. */
typedef struct exec_data_inst {
  const uint8_t *bytes;
  uint32_t len;
} exec_data_inst;

typedef struct exec_elem_inst {
  void **refs;          /* evaluated items */
  uint32_t count;
} exec_elem_inst;

struct exec_instance {
  exec_store *store;
  const exec_module *module;
  exec_func **funcs;        /* function index space */
  exec_table **tables;
  exec_memory **memories;
  exec_global **globals;
  exec_data_inst *datas;
  exec_elem_inst *elems;
  exec_tag **tags;          /* tag index space (exception handling) */
  struct exec_gc_layout **layouts; /* per type index: its layout in the store's GC heap
                                      (struct and array types; NULL for function types) */
  exec_func *defined_funcs; /* storage for the module's own functions */
  util_arena arena;         /* the arrays above */
  void *api;                /* the weld_instance wrapper */
  uint64_t memory_bytes;    /* over the memories and tables it defines (the per-instance
                               memory limit; a table counts EXEC_TABLE_ELEM_BYTES per element) */
};

#define EXEC_BT_MAX 64
#define EXEC_BT_OUTER 16

/* Per-call execution context: the value stack and the frames. One per store; a store is
 * used by one thread at a time. */
struct exec_thread {
  exec_store *store;
  exec_slot *stack;         /* value stack */
  exec_slot *stack_end;
  exec_slot *stack_top;     /* first free slot: a re-entrant call (host -> wasm) starts here */
  void *rec_top;            /* lowest call record in use (records grow down from stack_end);
                               NULL when no call is running (interp.c) */
  uint32_t depth, max_depth;
  /* Interruption: decremented at function entry and loop back-edges; when it goes
   * negative the slow path (exec_check_interrupt) looks at fuel, deadline and the
   * interrupt flag. */
  int64_t budget;
  /* the trap of the last failed call */
  exec_trap_kind trap;
  char trap_msg[256];
  int32_t exit_code;
  /* backtrace, innermost first: functions, module byte offsets and each frame's depth in
   * the whole stack (0 = innermost). A stack deeper than EXEC_BT_MAX keeps its innermost
   * and its EXEC_BT_OUTER outermost frames; bt_total counts them all, and bt_gap_func is
   * the one function every skipped frame belongs to (NULL when they differ). */
  uint32_t nbt, bt_total;
  exec_func *bt_func[EXEC_BT_MAX];
  uint32_t bt_offset[EXEC_BT_MAX];
  uint32_t bt_depth[EXEC_BT_MAX];
  exec_func *bt_gap_func;
  /* guard-mode fault recovery */
  sigjmp_buf *fault_jmp;
  void *api_caller;         /* weld_caller for host calls */
  exec_func *tail_call;       /* compiled code's pending tail call (EXEC_NATIVE_TAILCALL) */
  exec_instance *host_caller; /* during a host call made by WebAssembly: the calling
                                 instance (NULL when the host function was invoked directly) */
  /* The exception in flight: set with EXEC_TRAP_EXCEPTION (by the interpreter for an
   * uncaught one, or by a host function that throws or passes one on). */
  exec_exn *exn;
  /* The innermost running interpreter activation (code.h exec_act), NULL when none: the
   * collector walks the frames from here. */
  struct exec_act *act;
  /* The innermost compiled frame that holds references at its calls (src/jit), NULL when
   * none: the collector walks these too (code.h exec_jit_frame). */
  struct exec_jit_frame *jit_frames;
};

/* Resource limits a store enforces (src/guard fills them from a policy; the defaults set
 * by exec_store_new limit nothing). Checked only where resources are created or grown, so
 * the interpreter's hot path is untouched. */
typedef struct exec_limits {
  uint64_t memory_bytes;    /* per memory and per table (its elements' bytes), and over the
                               memories and tables one instance defines; UINT64_MAX = none */
  uint64_t table_elements;  /* per table, and over all the store's tables; UINT64_MAX = none */
  uint32_t max_instances;   /* instantiations per store; 0 = none */
  bool trap_on_grow_failure; /* a refused grow traps (EXEC_TRAP_LIMIT) instead of -1 */
  uint64_t gc_heap_bytes;   /* the store's GC heap (objects and their headers); UINT64_MAX = none */
} exec_limits;

/* What a store has used, for reports. */
typedef struct exec_usage {
  uint64_t memory_bytes, peak_memory_bytes;     /* linear memory the store owns */
  uint64_t table_elements, peak_table_elements; /* table elements the store owns */
  uint64_t fuel_consumed;    /* before the last weld_store_set_fuel/add_fuel (see fuel_base) */
  uint64_t fuel_base;        /* fuel given since then */
  uint64_t grow_denials;     /* memory.grow / table.grow refused by a limit */
  uint64_t limit_denials;    /* instantiations refused by a limit */
  exec_limit_kind stopped_by; /* the last limit that stopped a call or refused an instance */
  uint64_t gc_bytes, peak_gc_bytes; /* the GC heap: now, and the most at once */
  uint64_t gc_collections;
} exec_usage;

/* The reason in exec_store.interrupt (0 = none). */
#define EXEC_INTERRUPT_CANCEL ((int)EXEC_TRAP_INTERRUPTED)
#define EXEC_INTERRUPT_DEADLINE ((int)EXEC_TRAP_DEADLINE)
/* Not a stop: the running call records its stack for the store's sampler and goes on.
 * Set only from 0 (compare-and-swap), so it never hides a cancel or a deadline. */
#define EXEC_INTERRUPT_SAMPLE ((int)EXEC_TRAP_COUNT + 1)

/* A stack sampler (src/obs/profile.c): at the first interruption check after
 * EXEC_INTERRUPT_SAMPLE was raised, the interpreter writes the running activation's
 * functions to buf, outermost first (at most cap of them: the outermost ones), and calls
 * take on the running thread with n written and the stack's full depth. */
typedef struct exec_sampler {
  void (*take)(struct exec_sampler *s, const exec_func *const *frames, size_t n, size_t depth);
  const exec_func **buf;
  size_t cap;
} exec_sampler;

struct exec_store {
  void *engine;             /* the weld_engine */
  exec_typetab *types;      /* the engine's signature table (host functions' ids) */
  exec_thread thread;
  bool fuel_enabled;
  uint64_t fuel;            /* remaining, when enabled */
  /* Set from any thread: EXEC_INTERRUPT_CANCEL (cleared when noticed) or
   * EXEC_INTERRUPT_DEADLINE (stays set until the deadline is re-armed or cleared, so
   * every later call traps too). The trap kind is the reason. */
  atomic_int interrupt;
  exec_sampler *sampler;    /* NULL unless a profiler samples this store */
  bool guard_mode;
  exec_limits limits;
  exec_usage usage;
  /* The wake-up pipe of blocking host calls (wake.c), made on first use: each holds the
   * fd + 1, 0 = none yet. */
  atomic_int wake_r, wake_w;
  /* Called first by exec_store_free (src/guard disarms the store's deadline). */
  void (*on_free)(exec_store *s);
  /* everything the store owns, freed with it */
  exec_instance **instances;
  size_t ninstances, capinstances;
  exec_func **funcs;
  size_t nfuncs, capfuncs;
  exec_memory **memories;
  size_t nmemories, capmemories;
  exec_table **tables;
  size_t ntables, captables;
  exec_global **globals;
  size_t nglobals, capglobals;
  exec_tag **tags;
  size_t ntags, captags;
  exec_exn *exns;           /* live exception objects (a list through exec_exn.next) */
  struct exec_gc_heap *gc;  /* GC objects (gc.h) */
  struct exec_pool *pool;   /* the instance pool its instances' memories and tables come
                               from (pool.c); NULL = plain allocation */
};

/* Slow path of the interruption check: returns EXEC_OK to continue (after refilling the
 * budget) or the trap kind that stops the run. */
exec_trap_kind exec_check_interrupt(exec_thread *th);

/* The threads proposal's atomic instructions (atomic.c), for the interpreter and compiled
 * code alike: `op` a wasm_opcode of the 0xFE memarg group, `ea` the effective address
 * (address + offset, unwrapped), b and c the operands after the address (the value;
 * cmpxchg's expected and replacement values; wait's expected value and timeout; notify's
 * count). Writes the result (if any) to *res, zero-extended, or returns the trap:
 * out of bounds, then "unaligned atomic", "expected shared memory" (wait on an unshared
 * memory), or EXEC_TRAP_WAIT_FOREVER. A store runs one thread, so no other agent can
 * notify a waiter: notify returns 0, a wait whose value differs returns 1 ("not-equal"),
 * and one whose value matches sleeps its timeout out (interruptible: a cancel or a
 * deadline ends it with that trap; it costs one fuel unit per 1,024 ns of timeout,
 * charged before the sleep) and returns 2 ("timed-out"), or with no timeout
 * (negative) traps at once instead of hanging. */
exec_trap_kind exec_atomic(exec_thread *th, exec_memory *mem, unsigned op, uint64_t ea, uint64_t b, uint64_t c,
                           uint64_t *res);

/* Interruption of blocking host calls (wake.c). Raising sets the store's interrupt flag —
 * EXEC_INTERRUPT_DEADLINE always, EXEC_INTERRUPT_CANCEL only when no reason (or only a
 * sample request) is set yet (a passed deadline stays the reason) — and wakes a host call blocked in exec_store_poll.
 * Any thread; async-signal-safe (an atomic and a write(2)). */
void exec_store_raise(exec_store *s, int reason);
/* Waits like ppoll(2) on fds[0..n) (n may be 0) for at most timeout_ns (UINT64_MAX: no
 * limit), and returns early when the store is interrupted. Returns ppoll's count (0 on
 * timeout; revents filled), -1 with errno set, or EXEC_POLL_INTERRUPTED with *trap the
 * reason's trap kind (a cancel is consumed, as exec_check_interrupt does). */
#define EXEC_POLL_INTERRUPTED (-2)
struct pollfd;
int exec_store_poll(exec_store *s, struct pollfd *fds, unsigned n, uint64_t timeout_ns,
                    exec_trap_kind *trap);
/* Closes the wake-up pipe (exec_store_free). */
void exec_store_wake_close(exec_store *s);

/* Calls f with arguments in argres[0..nparam_slots) and leaves the results in
 * argres[0..nresult_slots). Works for wasm and host functions. On a trap returns its
 * kind with th->trap, th->trap_msg and the backtrace filled. Never longjmps out. */
exec_trap_kind exec_invoke(exec_thread *th, exec_func *f, exec_slot *argres);
/* exec_invoke for a caller that bounds the native stack itself (compiled code, which
 * checks the stack pointer against a limit before every call into C): not counted
 * against exec_invoke's nesting limit, so a recursion alternating between compiled and
 * interpreted functions goes as deep as the interpreter's own. */
exec_trap_kind exec_invoke_unnested(exec_thread *th, exec_func *f, exec_slot *argres);

/* Memories and tables (memory.c, table.c). grow returns the old size or -1. */
exec_memory *exec_memory_new(uint64_t min_pages, uint64_t max_pages, bool has_max, bool guard,
                             util_error *err);
void exec_memory_free(exec_memory *m);
int64_t exec_memory_grow(exec_memory *m, uint64_t delta_pages);
/* Returned by exec_memory_grow / exec_table_grow when a store limit refused the grow and
 * the store's limits ask for a trap. */
#define EXEC_GROW_TRAP (-2)
/* Puts a memory / table under the store's limits and accounting (inst_bytes: the
 * defining instance's counter, or NULL). False, with a LIMIT error, when its current size
 * already exceeds a limit (the object is then not adopted). */
bool exec_store_adopt_memory(exec_store *s, exec_memory *m, uint64_t *inst_bytes, util_error *err);
bool exec_store_adopt_table(exec_store *s, exec_table *t, uint64_t *inst_bytes, util_error *err);
/* Why the store would refuse `add` more table elements in table `t` (NULL: a new table
 * whose instance total is *inst_bytes, or none): EXEC_LIMIT_TABLE (the per-table or the
 * store's total element limit), EXEC_LIMIT_MEMORY (the table's or its instance's bytes),
 * or EXEC_LIMIT_NONE. */
exec_limit_kind exec_table_limit_hit(const exec_store *s, uint64_t size_after, uint64_t add,
                                     const uint64_t *inst_bytes);
exec_table *exec_table_new(wasm_vtype elemtype, uint32_t min, uint32_t max, bool has_max, void *init);
void exec_table_free(exec_table *t);
int64_t exec_table_grow(exec_table *t, uint32_t delta, void *init);
/* Lazy table initialisation (table.c). Instantiation records an active segment of
 * function indices over elements [d, d+n) (in bounds) instead of writing them: element
 * d+k becomes inst->funcs[funcs[k]] when first read or written. `funcs` (the module's)
 * and `inst` must outlive the table (the store owns both). `clear`: the range may hold
 * non-null elements (false only for a new table nothing has written). False when out
 * of memory. */
bool exec_table_init_lazy(exec_table *t, const exec_instance *inst, const uint32_t *funcs, uint32_t d, uint32_t n,
                          bool clear);
/* The slow path of exec_table_get: element i materialised if it was still due. */
void *exec_table_materialise(exec_table *t, uint32_t i);
/* Materialises every element still due in [i, i+n) (in bounds), before a bulk read or
 * write of that range (table.copy, table.fill, table.init, a host write). */
void exec_table_settle_range(exec_table *t, uint64_t i, uint64_t n);
/* Element i (in bounds) as the program sees it. */
static inline void *exec_table_get(exec_table *t, uint32_t i) {
  void *r = t->elems[i];
  return r || !t->lazy ? r : exec_table_materialise(t, i);
}
static inline void exec_table_settle(exec_table *t, uint64_t i, uint64_t n) {
  if (t->lazy && n) exec_table_settle_range(t, i, n);
}
/* Elements [i, i+n) (in bounds) will be overwritten whole, with nothing able to stop
 * the write half-way (table.set, a segment at instantiation): no longer due, and not
 * materialised. */
void exec_table_forget_range(exec_table *t, uint64_t i, uint64_t n);
static inline void exec_table_forget(exec_table *t, uint64_t i, uint64_t n) {
  if (t->lazy && n) exec_table_forget_range(t, i, n);
}
/* Elements still due (0 when none). */
uint64_t exec_table_pending(const exec_table *t);

#define EXEC_PAGE_SIZE 65536u

/* ---------- stores, host functions, instantiation (instance.c) ---------------------- */

/* A resolved import: `kind` is a wasm_externkind, `ptr` the exec_func / exec_table /
 * exec_memory / exec_global it binds to. */
typedef struct exec_extern {
  uint8_t kind;
  void *ptr;
} exec_extern;

typedef struct exec_store_config {
  size_t stack_bytes;      /* value stack; 0 = 8 MiB */
  uint32_t max_call_depth; /* 0 = 10000 */
  bool guard_mode;         /* memories reserve the 4 GiB index space + guard */
  exec_typetab *types;     /* the engine's signature table; NULL = exec_typetab_default() */
  bool gc_stress;          /* collect at every GC allocation (also WELD_GC_STRESS=1) */
  struct exec_pool *pool;  /* instances' memories and tables come from here; NULL = none */
} exec_store_config;

exec_store *exec_store_new(const exec_store_config *cfg); /* cfg may be NULL */
void exec_store_free(exec_store *s);

/* A global owned by the store (zero-initialised; the caller sets its value). */
exec_global *exec_global_new(exec_store *s, wasm_vtype type, bool mut);
/* A module's value type at store level, and subtyping between store-level types. */
wasm_vtype exec_vtype_canon(const exec_module *em, wasm_vtype t);
bool exec_vtype_sub(exec_typetab *types, wasm_vtype a, wasm_vtype b);
/* Whether a reference value (NULL = null) may be stored where store-level type t is
 * expected: null needs a nullable type, a function for a type index must have that type.
 * Values that are not references always fit. For what enters from outside WebAssembly
 * (the embedding API), which validation cannot see. */
bool exec_ref_fits(wasm_vtype t, const void *ref);
/* The same for a value type of function f's signature. */
bool exec_func_ref_fits(const exec_func *f, wasm_vtype t, const void *ref);

/* Store identity. An object made in one store must never enter another: it would be
 * freed with its own store while the other still reached it. Every place where an object
 * or a reference enters a store checks these: instantiation imports, call arguments,
 * table and global writes (set, grow, fill, initial values) and host-function results.
 * A funcref belongs to `s` when it is null or one of s's functions; an externref is the
 * host's own pointer, which belongs to no store, so it is always accepted. */
bool exec_store_owns_ref(const exec_store *s, uint8_t valtype, const void *ref);
/* The import's object (function, table, memory or global) was made in `s`. */
bool exec_store_owns_extern(const exec_store *s, const exec_extern *x);

/* A host function owned by the store (NULL when out of memory). The signature is copied. `env_free`, if given,
 * is called on `env` when the store is freed. */
exec_func *exec_host_func_new(exec_store *s, const uint8_t *params, uint32_t nparams,
                              const uint8_t *results, uint32_t nresults, exec_host_fn fn,
                              void *env, void (*env_free)(void *));

/* Instantiates `m` in `s`. imports[i] binds the module's i-th import (in import order);
 * each is checked against the import's type (the spec's matching rules: "incompatible
 * import type"). Allocates memories/tables/globals, applies active element and data
 * segments, drops declarative ones, runs the start function.
 * The module must have been compiled with the store's signature table ("module compiled
 * by another engine" otherwise: type ids of two tables are not comparable).
 * On a link error returns NULL with a LINK error; when a segment is out of bounds or the
 * start function traps returns NULL with a TRAP error whose message is the trap's (the
 * thread's trap fields stay filled). Objects made before the failure stay in the store
 * (the spec's semantics: a failed instantiation may have written to imported tables and
 * memories). */
exec_instance *exec_instantiate(exec_store *s, const exec_module *m, const exec_extern *imports,
                                util_error *err);

/* ---------- the instance pool (pool.c) ------------------------------------------------- */

/* Memories and tables of instances from slots of address space reserved once and reused
 * (pool.c explains the layout). Zero fields take the defaults: 1000 memory slots of
 * 4 GiB, each followed by a 4 GiB guard (so slots are guarded like guard-mode memories),
 * 1000 table slots of 10,000,000 elements (the implementation limit). */
typedef struct exec_pool_config {
  uint32_t memory_slots;      /* linear memories in use at once */
  uint64_t memory_slot_bytes; /* the largest memory a slot holds (at most 4 GiB) */
  uint64_t guard_bytes;       /* never accessible, after each memory slot */
  uint32_t table_slots;       /* tables in use at once */
  uint32_t table_elements;    /* the largest table a slot holds */
  bool copy_on_write;         /* map data segments from a per-module memfd image */
  uint64_t keep_resident;     /* a released memory of at most this many bytes (and no image)
                                 is cleared by hand and stays resident; 0 = always discard */
} exec_pool_config;

typedef struct exec_pool_stats {
  uint32_t memory_slots, memories_in_use;
  uint32_t table_slots, tables_in_use;
  uint64_t reserved_bytes;    /* address space reserved for the slots */
  uint64_t images, image_bytes; /* memory images made, and their mapped bytes */
  uint64_t reused;            /* memory slots handed out again after a release */
  uint64_t image_hits;        /* ... that already mapped the module's image */
  uint64_t exhausted;         /* requests refused because every slot was in use */
  uint64_t retired;           /* slots the kernel would not clear, never used again */
} exec_pool_stats;

typedef struct exec_pool exec_pool;
typedef struct exec_image exec_image;
typedef struct exec_image_set exec_image_set;

void exec_pool_config_fill(exec_pool_config *c); /* zero fields to their defaults */
/* NULL with a LIMIT error when the address space cannot be reserved. */
exec_pool *exec_pool_new(const exec_pool_config *cfg, util_error *err);
/* Every memory and table taken from the pool must have been released (their stores freed). */
void exec_pool_free(exec_pool *p);
const exec_pool_config *exec_pool_get_config(const exec_pool *p);
void exec_pool_get_stats(exec_pool *p, exec_pool_stats *out);
/* Memory `index` of module em (em NULL: no image): a slot opened to min_pages, with the
 * module's image mapped when it has one. A LIMIT error when min_pages exceeds a slot or
 * every slot is in use. The memory's maximum is capped at the slot's size. */
exec_memory *exec_pool_memory_new(exec_pool *p, const exec_module *em, uint32_t index, uint64_t min_pages,
                                  uint64_t max_pages, bool has_max, bool guard, util_error *err);
bool exec_pool_memory_grow(exec_memory *m, uint64_t new_size); /* opens pages up to new_size */
/* Replaces the image under m by zeros (an instantiation that failed before its data
 * segments were due must not show them). */
void exec_pool_memory_drop_image(exec_memory *m);
void exec_pool_memory_release(exec_memory *m);
/* Whether the module's active data segments come from images in this pool (making them
 * on first use): instantiation then skips copying them. */
bool exec_pool_module_imaged(exec_pool *p, const exec_module *em);
exec_table *exec_pool_table_new(exec_pool *p, wasm_vtype elemtype, uint32_t min, uint32_t max, bool has_max,
                                util_error *err);
void exec_pool_table_release(exec_table *t);
void exec_image_set_free(exec_image_set *set); /* exec_module_free */
/* A value stack of `bytes` kept from a freed store (NULL: none), and keeping one (false:
 * the pool keeps no more; the caller unmaps it). */
void *exec_pool_stack_get(exec_pool *p, size_t bytes);
bool exec_pool_stack_put(exec_pool *p, void *stack, size_t bytes);

/* ---------- exception handling (exn.c) ---------------------------------------------- */

/* A tag: the identity an exception is caught by. Each tag definition of each instance is
 * a new tag; an import shares the exporter's. The payload is the type's params. */
struct exec_tag {
  exec_store *store;
  exec_typeid typeid;        /* one reference held; import matching compares it */
  const wasm_functype *type; /* into a module's IR or into host_type */
  const wasm_module *module; /* the module whose IR `type` is in; NULL for host-made tags */
  wasm_functype host_type;   /* storage for host-made tags */
  void *api;                 /* free for src/api */
};

/* An exception: its tag and payload slots (a v128 takes two). Owned by the store, on its
 * list. An exception never seen as an exnref (caught by catch / catch_all only) is freed
 * when caught; one that became a reference (catch_ref, catch_all_ref, handed to the host)
 * lives as long as the store, since nothing tracks who still holds it. */
struct exec_exn {
  exec_tag *tag;
  exec_exn *prev, *next;
  bool exposed;
  uint32_t nslots;
  exec_slot slots[];
};

/* A tag of `s` with the given payload types (copied): NULL when out of memory. */
exec_tag *exec_tag_new(exec_store *s, const uint8_t *params, uint32_t nparams);
/* A tag of `s` for a module's tag type (type points into the module's IR, which the
 * instance keeps alive). The tag takes over one reference to `typeid`, the type's
 * store-level id (exec_module_typeid_acquire), and releases it when it cannot be made. */
exec_tag *exec_tag_new_typed(exec_store *s, const wasm_functype *type, exec_typeid typeid);
/* A new exception of `tag` with the payload copied from `slots`: NULL when out of memory. */
exec_exn *exec_exn_new(exec_store *s, exec_tag *tag, const exec_slot *slots);
/* Frees an exception no reference can reach any more. */
void exec_exn_free(exec_store *s, exec_exn *e);
/* Frees every tag and exception of the store (exec_store_free). */
void exec_store_free_exn(exec_store *s);

/* The export named `name` (kind 0xff when absent). */
exec_extern exec_instance_export(const exec_instance *inst, const char *name, size_t len);


#endif

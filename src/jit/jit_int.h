/* Private to src/jit: the context compiled code runs with, the per-module state, the
 * runtime helpers compiled code calls, and the code-memory functions. */
#ifndef WELD_JIT_INT_H
#define WELD_JIT_INT_H

#include <stddef.h>

#include "../exec/code.h"
#include "jit.h"
#include "x64.h"

/* What compiled code keeps in r12 while it runs: one per entry from the interpreter
 * (built on the C stack by jit_enter), shared by the compiled functions it calls
 * directly (they run in the same instance). */
typedef struct jit_ctx {
  exec_thread *th;
  exec_instance *inst;
  exec_memory *mem;          /* memory 0, or an empty one */
  exec_slot *stack_limit;    /* frames must end at or below this */
  uint32_t depth, max_depth; /* call depth of the running function; the limit */
  uintptr_t cstack_limit;    /* the native stack must stay above this */
  exec_global **globals;
  const struct jit_module *jm;
} jit_ctx;

/* A compiled function's entries take fp in rdi and the context in rsi (r12-r15 already
 * set) and return the trap kind in eax. */
/* The module's entry trampoline: saves the callee-saved registers, sets r12-r15 from the
 * context and calls `entry` (a function's interpreter entry). */
typedef uint32_t (*jit_tramp)(exec_slot *fp, jit_ctx *ctx, const uint8_t *entry);
size_t jit_emit_trampoline(x64_buf *b);

/* A stretch of machine code the fault handler knows: its access sites (code offsets
 * relative to `code`). One per module under JIT_TIER_BASELINE, one per compiled
 * function under JIT_TIER_AUTO. */
typedef struct jit_region {
  const uint8_t *code;
  size_t len;
  const struct jit_site *sites; /* sorted by code offset */
  size_t nsites;
  const struct jit_module *jm;
  /* code made by LLVM: its table of accesses (src/opt/access.c), nmarks records of
   * JIT_MARK_SIZE bytes, sorted by the access's address */
  const uint8_t *marks;
  size_t nmarks;
} jit_region;

/* A loop an interpreted frame can continue in compiled code (on-stack replacement):
 * the module offset of its `loop` instruction and the code offset of its entry. */
typedef struct jit_osr_entry {
  uint32_t wasm;
  size_t code;
} jit_osr_entry;

/* JIT_TIER_AUTO: where a function is on its way to machine code. */
enum { JIT_COUNTING, JIT_COMPILED, JIT_FAILED };

typedef struct jit_func {
  exec_native native;     /* what the NATIVE instruction calls (must stay first) */
  const struct jit_module *jm;
  uint32_t k;             /* defined-function index */
  const uint8_t *entry, *checked; /* the interpreter's entry, a compiled caller's */
  const char *fallback;   /* NULL when compiled */
  const uint8_t *epilogue; /* the function's epilogue (a fault lands there) */
  uint32_t frame_slots;   /* the compiled frame (jit_enter checks it) */
  _Alignas(8) exec_unit stub[4]; /* the NATIVE instruction (handler word, immediate) */
  /* JIT_TIER_AUTO: the counting entry the function starts with (a NATIVE instruction
   * whose `enter` counts calls and declines until the function is hot), the count left,
   * the state, and the function's own code mapping once compiled */
  exec_native counting;
  _Alignas(8) exec_unit cstub[4];
  _Atomic int64_t count;
  _Atomic int state;
  _Atomic bool by_loop;
  uint8_t *map;           /* its own mapping (NULL when compiled with the module) */
  size_t map_len;
  const uint8_t *base;    /* where its code's offsets count from: map, or the module's
                             mapping of functions compiled ahead (jit_module.ahead) */
  jit_region region;      /* its code's range (and, in its own mapping, its sites) */
  struct jit_site *sites;
  /* once compiled under JIT_TIER_AUTO: the loops an interpreted frame may enter
   * (osr.c), entry offsets relative to `base` */
  jit_osr_entry *osr;
  size_t nosr;
} jit_func;

typedef struct jit_module {
  exec_module *em;
  /* executable, code_len bytes (mapping of code_map bytes): every function under
   * JIT_TIER_BASELINE; the trampoline and the thunks under JIT_TIER_AUTO */
  uint8_t *code;
  size_t tramp;           /* offset of the entry trampoline */
  size_t code_len, code_map;
  jit_func *funcs;        /* per defined function */
  uint32_t nfuncs;
  jit_stats stats;
  bool guard;             /* memory accesses rely on the guard region */
  struct jit_site *sites; /* guard mode: the accesses, sorted by code offset */
  size_t nsites;
  size_t sites_map;       /* sites is a mapping of this length (jit_sites.map), or 0 */
  jit_region region;      /* JIT_TIER_BASELINE: code and sites for the fault handler */
  /* JIT_TIER_AUTO: compiled callers call defined function k through callee[k] (its
   * checked entry once compiled, a thunk into the runtime before); promotions are
   * serialised by lock */
  bool lazy;
  uint32_t threshold;
  struct jit_tierup *up;  /* JIT_TIER_AUTO with an optimising tier: tierup.c's state */
  const uint8_t *_Atomic *callee;
  void *lock;             /* a pthread_mutex_t */
  /* JIT_TIER_AUTO, a module of at most jit_options.eager_bytes of bodies: its functions
   * compiled whole when it was prepared (tier.c, compile_ahead), their sites' region */
  uint8_t *ahead;
  size_t ahead_map;
  jit_region ahead_region;
  _Atomic uint64_t osr_entered; /* frames that went on compiled from a loop header */
  struct jit_dbg *dbg;          /* WELD_GDB_JIT: this module's entries in gdb's list */
} jit_module;

/* ---- naming code for perf and gdb (announce.c) ---- */
typedef struct jit_code_sym {
  uint32_t k;           /* defined function */
  const uint8_t *start; /* its code */
  size_t len;
} jit_code_sym;
/* WELD_PERF_MAP=1: lines in /tmp/perf-PID.map; WELD_GDB_JIT=1: one entry in the GDB JIT
 * interface's list, owned by jm and taken out by jit_announce_free. */
void jit_announce(jit_module *jm, const jit_code_sym *s, size_t n);
void jit_announce_free(jit_module *jm);
/* Whether either is asked for (then callers gather the symbols). */
bool jit_announce_wanted(void);

/* The NATIVE entry of a function compiled by LLVM (src/opt's JIT, or a precompiled
 * image's object, elf.c), `uint32_t f(exec_slot *fp, jit_ctx *ctx)` at f->entry: builds
 * the context as jit_enter does; the function's own entry repeats the checks a compiled
 * caller needs, so the budget unit the interpreter took for the call is given back. */
exec_trap_kind jit_enter_llvm(const exec_native *n, exec_thread *th, exec_instance *inst, exec_slot *fp);

/* ---- code memory (codemem.c): mapped writable, then sealed read+execute; never both ---- */
void *jit_code_map(size_t len, size_t *mapped); /* NULL on failure */
bool jit_code_seal(void *p, size_t mapped);
void jit_code_unmap(void *p, size_t mapped);

/* ---- runtime helpers called by compiled code (rt.c); all return a trap kind (0 = go on) ---- */
exec_trap_kind jit_enter(const exec_native *n, exec_thread *th, exec_instance *inst, exec_slot *fp);
/* Runs f's code from `entry` (its interpreter entry, or an on-stack replacement entry)
 * on the frame fp. With `osr`, where the frame or the native stack has no room for the
 * compiled function, or its memory is not guarded as the code expects, it declines
 * (JIT_DECLINE) instead of trapping: the interpreter goes on. */
exec_trap_kind jit_run_at(const jit_func *f, const uint8_t *entry, exec_thread *th, exec_instance *inst,
                          exec_slot *fp, bool osr);
/* The lowest native stack address compiled code may reach on this thread (a reserve for
 * the C code it calls kept free): jit_ctx.cstack_limit. */
uintptr_t jit_rt_cstack_limit(void);
/* A trap at wasm offset `off` in defined function k: fills th's trap and backtrace. */
uint32_t jit_rt_trap(jit_ctx *c, uint32_t kind, uint32_t off, uint32_t k);
/* A callee returned a trap: adds the caller's frame (k, off) to the backtrace. */
uint32_t jit_rt_unwind(jit_ctx *c, uint32_t kind, uint32_t off, uint32_t k);
/* LLVM code's guard-region trap (src/opt/access.c): `out of bounds memory access` at the
 * wasm offset the fault handler took from the faulting access's marker. */
extern _Thread_local uint32_t jit_fault_wasm_off;
uint32_t jit_rt_trap_access(jit_ctx *c, uint32_t k);
/* A stack limit hit in a callee's entry: the trap carries no frame of the callee (the
 * interpreter reports it at the caller's call, which the caller's unwind adds). */
uint32_t jit_rt_stack_trap(jit_ctx *c);
/* The slow path of the interruption check. */
uint32_t jit_rt_interrupt(jit_ctx *c);
/* Calls through the runtime: a defined function still interpreted (index k), an imported
 * one (function index), an element of a table after the type check. `top` is the end of
 * the caller's frame. */
uint32_t jit_rt_call_defined(exec_slot *nfp, jit_ctx *c, uint32_t k);
/* Names compiled functions [k0, k1) (len[k - k0] bytes from each one's checked entry)
 * for perf and gdb when WELD_PERF_MAP / WELD_GDB_JIT ask for it (announce.c). */
void jit_perf_map(struct jit_module *jm, uint32_t k0, uint32_t k1, const size_t *len);
uint32_t jit_rt_call_import(jit_ctx *c, exec_slot *nfp, uint32_t funcidx, exec_slot *top);
uint32_t jit_rt_call_indirect(jit_ctx *c, exec_slot *nfp, uint32_t elem, uint32_t table, uint32_t typeid,
                              exec_slot *top);
/* Tail calls (return_call*): the helper names the callee in th->tail_call and returns
 * JIT_TAILCALL (or a trap kind); the function then returns JIT_TAILCALL with the
 * arguments in its fp[0..], and whoever called it makes the call in its place:
 * jit_rt_tail_run at a compiled call site, call_func's loop, the interpreter's NATIVE. */
#define JIT_TAILCALL EXEC_NATIVE_TAILCALL
uint32_t jit_rt_tail_func(jit_ctx *c, uint32_t funcidx);
uint32_t jit_rt_tail_indirect(jit_ctx *c, uint32_t elem, uint32_t table, uint32_t typeid);
uint32_t jit_rt_tail_ref(jit_ctx *c, exec_func *f);
uint32_t jit_rt_tail_run(jit_ctx *c, exec_slot *nfp, exec_slot *top);
/* call_ref: f is the reference (an exec_func *; null traps). */
uint32_t jit_rt_call_ref(jit_ctx *c, exec_slot *nfp, exec_func *f, exec_slot *top);
uint32_t jit_rt_memory_grow(jit_ctx *c, exec_slot *d); /* d[0]: delta in, result out */
/* memory.grow on the instance's memory `mem` (wide: a 64-bit memory, -1 as 64 bits). */
uint32_t jit_rt_memory_grow_at(jit_ctx *c, exec_slot *a, uint32_t mem, uint32_t wide);
/* Bulk memory, table and reference instructions (rt_bulk.c): operands in a[0..], the
 * result to a[0]; x and y are the instruction's indices (memory.fill: x the memory;
 * memory.copy: x, y the destination and source memories; memory.init: y the memory;
 * table.grow: y nonzero for a 64-bit table). */
typedef uint32_t (*jit_helper)(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y);
uint32_t jit_rt_memory_fill(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y);
uint32_t jit_rt_atomic(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y);       /* rt_atomic.c */
uint32_t jit_rt_atomic_fence(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y);
uint32_t jit_rt_memory_copy(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y);
uint32_t jit_rt_memory_init(jit_ctx *c, exec_slot *a, uint32_t seg, uint32_t y);
uint32_t jit_rt_data_drop(jit_ctx *c, exec_slot *a, uint32_t seg, uint32_t y);
uint32_t jit_rt_elem_drop(jit_ctx *c, exec_slot *a, uint32_t seg, uint32_t y);
uint32_t jit_rt_ref_func(jit_ctx *c, exec_slot *a, uint32_t f, uint32_t y);
uint32_t jit_rt_table_get(jit_ctx *c, exec_slot *a, uint32_t t, uint32_t y);
uint32_t jit_rt_table_set(jit_ctx *c, exec_slot *a, uint32_t t, uint32_t y);
uint32_t jit_rt_table_size(jit_ctx *c, exec_slot *a, uint32_t t, uint32_t y);
uint32_t jit_rt_table_grow(jit_ctx *c, exec_slot *a, uint32_t t, uint32_t y);
uint32_t jit_rt_table_fill(jit_ctx *c, exec_slot *a, uint32_t t, uint32_t y);
uint32_t jit_rt_table_copy(jit_ctx *c, exec_slot *a, uint32_t dst, uint32_t src);
uint32_t jit_rt_table_init(jit_ctx *c, exec_slot *a, uint32_t t, uint32_t seg);
/* GC instructions (rt_gc.c): the same form (x, y as each names them). */
uint32_t jit_rt_struct_new(jit_ctx *c, exec_slot *a, uint32_t type, uint32_t y);
uint32_t jit_rt_struct_new_default(jit_ctx *c, exec_slot *a, uint32_t type, uint32_t y);
uint32_t jit_rt_struct_get(jit_ctx *c, exec_slot *a, uint32_t field, uint32_t sign);
uint32_t jit_rt_struct_set(jit_ctx *c, exec_slot *a, uint32_t field, uint32_t y);
uint32_t jit_rt_array_new(jit_ctx *c, exec_slot *a, uint32_t type, uint32_t vslots);
uint32_t jit_rt_array_new_default(jit_ctx *c, exec_slot *a, uint32_t type, uint32_t y);
uint32_t jit_rt_array_new_fixed(jit_ctx *c, exec_slot *a, uint32_t type, uint32_t n);
uint32_t jit_rt_array_new_data(jit_ctx *c, exec_slot *a, uint32_t type, uint32_t data);
uint32_t jit_rt_array_new_elem(jit_ctx *c, exec_slot *a, uint32_t type, uint32_t el);
uint32_t jit_rt_array_get(jit_ctx *c, exec_slot *a, uint32_t sign, uint32_t y);
uint32_t jit_rt_array_set(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y);
uint32_t jit_rt_array_len(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y);
uint32_t jit_rt_array_fill(jit_ctx *c, exec_slot *a, uint32_t vslots, uint32_t y);
uint32_t jit_rt_array_copy(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y);
uint32_t jit_rt_array_init_data(jit_ctx *c, exec_slot *a, uint32_t data, uint32_t y);
uint32_t jit_rt_array_init_elem(jit_ctx *c, exec_slot *a, uint32_t el, uint32_t y);
uint32_t jit_rt_ref_test(jit_ctx *c, exec_slot *a, uint32_t heap, uint32_t flags);
uint32_t jit_rt_ref_cast(jit_ctx *c, exec_slot *a, uint32_t heap, uint32_t nullable);
/* Exceptions (rt_exn.c): throw with the payload in a[0..] (EXEC_TRAP_EXCEPTION, th->exn
 * set; EXEC_TRAP_LIMIT out of memory), throw_ref (a null one traps), and the clause search
 * of a try_table: t = {count, payload slot, (tag or EXEC_CATCH_ALL, ref) per clause};
 * returns the catching clause's number from 1 (payload and exnref delivered to fp), or 0. */
uint32_t jit_rt_throw(jit_ctx *c, exec_slot *a, uint32_t tag);
uint32_t jit_rt_throw_ref(jit_ctx *c, exec_exn *exn);
uint32_t jit_rt_catch(jit_ctx *c, exec_slot *fp, const uint32_t *t);
/* Float operations and conversions, on slot bits (rt_float.c). */
typedef uint64_t (*jit_f1)(uint64_t a);
typedef uint64_t (*jit_f2)(uint64_t a, uint64_t b);
typedef uint32_t (*jit_ftrap)(uint64_t a, exec_slot *out); /* trapping conversions */
/* The helper of a float or conversion opcode (one of the three shapes, by `shape`
 * 1, 2 or 3 = trapping), or NULL. */
void *jit_float_helper(uint16_t op, int *shape);

/* ---- the compiler (compile.c) ---- */
/* Compiles defined function k into b; on success fills *entry and *checked and returns
 * NULL, else the reason the function stays interpreted (static, or valid until the next call).
 * Direct calls to defined functions are recorded in calls[] (position of the rel32,
 * callee) for the module driver to bind. */
typedef struct jit_call_patch {
  size_t at;
  uint32_t callee;
} jit_call_patch;
typedef struct jit_patches {
  jit_call_patch *v;
  size_t n, cap;
  bool oom;
} jit_patches;
/* A memory access left to the guard region: where it is, what it reports. */
typedef struct jit_site {
  uint32_t code;  /* offset of the accessing instruction in the module's code */
  uint32_t wasm;  /* module offset of the WebAssembly instruction */
  uint32_t k;     /* defined function */
} jit_site;
typedef struct jit_sites {
  jit_site *v;
  size_t n, cap;
  size_t map;   /* v is a mapping of this length (jit_sites_reserve), else malloc'd (0) */
} jit_sites;
/* Room for `need` accesses. A whole module's list is reserved at once, from 1 MiB on in
 * a mapping of its own on huge pages (x64_map_fresh): its fresh 4 KiB pages cost a page
 * fault each, dear in a virtual machine (Code memory in README.md). Grows a list kept in
 * either form; frees one. False when out of memory. */
bool jit_sites_reserve(jit_sites *s, size_t need);
void jit_sites_free(jit_sites *s);
/* Frees a list taken out of a jit_sites (v and map). */
void jit_sites_release(struct jit_site *v, size_t map);
/* The function's output: entries, frame size, epilogue (for the fault handler). With
 * want_osr set by the caller, also the loops' on-stack replacement entries (osr, nosr:
 * ascending module offsets; malloc'd, the caller frees them). */
typedef struct jit_func_out {
  size_t entry, checked, epilogue;
  uint32_t frame_slots;
  bool want_osr;
  jit_osr_entry *osr;
  size_t nosr;
} jit_func_out;
/* guard: accesses rely on the guard region (the module's memories are guarded) and are
 * recorded in *sites instead of being checked. callee: NULL to record direct calls in
 * *calls, else the table of 8-byte code addresses a direct call to defined function k
 * goes through (entry k). */
const char *jit_compile_func(const exec_module *em, uint32_t k, x64_buf *b, jit_patches *calls, bool guard,
                             jit_sites *sites, jit_func_out *out, const void *calltab);

/* ---- the whole-module driver (module.c), in two steps so that a precompiled image
 * (image.c) can stand between them: compile into a buffer, then map and install ---- */
typedef struct jit_build_func {
  size_t entry, checked, epilogue, end; /* code offsets (end: where its code stops) */
  uint32_t frame_slots;
  char *fallback;                       /* why it stays interpreted, or NULL */
} jit_build_func;
typedef struct jit_build {
  x64_buf b;            /* the code: trampoline, functions, thunks (direct calls bound) */
  size_t tramp;
  uint32_t n;           /* defined functions */
  jit_build_func *funcs;
  jit_sites sites;      /* guard mode: the accesses, sorted by code offset */
  bool guard;
  uint32_t compiled;
  uint64_t wasm_bytes;
  uint32_t threads;     /* the threads that compiled it (1: the calling one alone) */
} jit_build;
/* Compiles every function of em it can into bd (keep_relocs: bd->b records the
 * process-specific immediates), on up to `threads` threads (jit_build_threads; the
 * code is the same whatever the number). False when out of memory (bd is then empty). */
bool jit_build_module(const exec_module *em, bool guard, bool keep_relocs, uint32_t threads, jit_build *bd,
                      util_error *err);
/* Maps bd's code, seals it and makes em's compiled functions run it; consumes bd. A
 * UTIL_ERR_LIMIT error: the fault handler could not take the region (em unchanged). */
bool jit_install_module(exec_module *em, jit_build *bd, double seconds, util_error *err);
void jit_build_free(jit_build *bd);

/* ---- JIT_TIER_AUTO (tier.c) ---- */
bool jit_prepare_lazy(exec_module *em, const jit_options *o, util_error *err);
/* tierup.c: the optimising step of JIT_TIER_AUTO. jit_tierup_new sets jm->up (false when
 * out of memory); jit_tierup_hot says defined function k (just compiled by the baseline
 * tier) is hot: it is compiled through the hooks on a pool thread (or now, with no
 * threads) and switched to; jit_tierup_enter is the NATIVE entry of a baseline-compiled
 * function that counts calls towards that; jit_tierup_free waits for the module's
 * compilations in flight, drops its queued ones and frees the code. */
bool jit_tierup_new(jit_module *jm, const jit_options *o);
void jit_tierup_hot(jit_module *jm, uint32_t k);
exec_trap_kind jit_tierup_enter(const exec_native *n, exec_thread *th, exec_instance *inst, exec_slot *fp);
void jit_tierup_free(jit_module *jm);
/* One call of baseline-compiled f counted towards the optimising tier (jit_tierup_enter,
 * and the runtime's direct calls of such a function, rt.c). */
void jit_tierup_count(const jit_func *f);
/* Waits until the module has no compilation queued or in flight (tests, --tier-stats). */
void jit_tierup_wait(jit_module *jm);
/* The interruption check's slow path was taken from code address pc (once per budget
 * grant): a baseline-compiled function it lies in is hot. */
void jit_tierup_sample(jit_module *jm, const void *pc);
/* Frees what tier.c added to jm (the functions' mappings and regions). */
void jit_lazy_free(jit_module *jm);
/* Frees a module's compiled state (exec_module.jit_free). */
void jit_module_free(void *jm);

/* Points f's native descriptor at `enter` (falling back to the internal code `code`) and
 * writes f->stub, the NATIVE instruction that runs it: what a function's exec_code is
 * switched to once it is compiled (baseline, optimising and auto tiers alike). */
void jit_func_set_stub(jit_func *f,
                       exec_trap_kind (*enter)(const exec_native *, exec_thread *, exec_instance *, exec_slot *),
                       const exec_unit *code, uint32_t code_len);
/* Switches the function's exec_code c to f's NATIVE stub (jit_func_set_stub over c's own
 * code) and raises c's frame to frame_slots: how a compiled function is installed. */
void jit_func_install(jit_func *f, exec_code *c,
                      exec_trap_kind (*enter)(const exec_native *, exec_thread *, exec_instance *, exec_slot *),
                      uint32_t frame_slots);

/* ---- on-stack replacement (osr.c) ---- */
/* Continues the interpreted frame fp of compiled function f at the loop whose header is
 * at internal code position pos: JIT_DECLINE when it has no entry there (or jit_run_at
 * declines), else what the function returned. */
exec_trap_kind jit_osr_enter(jit_func *f, uint32_t pos, exec_thread *th, exec_instance *inst, exec_slot *fp);

/* ---- guard-region faults (fault.c) ---- */
/* Installs the SIGSEGV/SIGBUS handler once per process (false if sigaction fails). */
bool jit_fault_install(void);
/* Registers a region of code for the handler / removes it. False when the table is full. */
bool jit_fault_register(const jit_region *r);
void jit_fault_unregister(const jit_region *r);
/* The same for code made by LLVM (code, len, marks): a fault at an access of its table
 * (src/opt/access.c) resumes at the access's trap block. */
bool jit_fault_register_marked(const jit_region *r);

/* Machine code is 4-5 bytes per byte of function bodies (lua, sqlite): the size a module's
 * code buffer is first mapped at (x64_buf.hint). */
#define JIT_CODE_PER_BODY_BYTE 5u

/* The table of accesses of LLVM code whose end function (src/opt/access.c,
 * opt_access_end) starts at end_fn, checked (the end function's header and the table
 * inside [lim, lim + lim_len), each access and trap block inside [r->code, r->code +
 * r->len), accesses in increasing order) and set as r->marks, r->nmarks. False when there
 * is none or it is not so. lim NULL: code this process just made (the JIT), not bounded. */
#define JIT_MARK_SIZE 12u
bool jit_fault_marks(jit_region *r, const uint8_t *end_fn, const uint8_t *lim, size_t lim_len);
void jit_fault_unregister_marked(const jit_region *r);
/* Returned by jit_enter when the instance's memory is not guarded but the code was
 * compiled for a guarded one: the interpreter runs the function's internal code instead. */
#define JIT_DECLINE EXEC_NATIVE_DECLINE

/* rt_bulk.c, shared with rt_gc.c: a trap with its kind's message; bulk work charged
 * against the budget as the interpreter's BULK_CHARGE does (0, or the trap). */
uint32_t jit_rt_fail(jit_ctx *c, exec_trap_kind k);
uint32_t jit_rt_charge(jit_ctx *c, uint64_t units);

#endif

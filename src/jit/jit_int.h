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

typedef struct jit_func {
  exec_native native;     /* what the NATIVE instruction calls (must stay first) */
  const struct jit_module *jm;
  uint32_t k;             /* defined-function index */
  uint32_t entry, checked; /* offsets in the code: the interpreter's entry, a compiled caller's */
  const char *fallback;   /* NULL when compiled */
  uint32_t epilogue;      /* offset of the function's epilogue (a fault lands there) */
  _Alignas(8) exec_unit stub[4]; /* the NATIVE instruction (handler word, immediate) */
  const exec_code *orig;  /* the internal code before (for frame sizes) */
} jit_func;

typedef struct jit_module {
  exec_module *em;
  uint8_t *code;          /* executable, code_len bytes (mapping of code_map bytes) */
  size_t tramp;           /* offset of the entry trampoline */
  size_t code_len, code_map;
  jit_func *funcs;        /* per defined function */
  uint32_t nfuncs;
  jit_stats stats;
  bool guard;             /* memory accesses rely on the guard region */
  struct jit_site *sites; /* guard mode: the accesses, sorted by code offset */
  size_t nsites;
} jit_module;

/* ---- code memory (codemem.c): mapped writable, then sealed read+execute; never both ---- */
void *jit_code_map(size_t len, size_t *mapped); /* NULL on failure */
bool jit_code_seal(void *p, size_t mapped);
void jit_code_unmap(void *p, size_t mapped);

/* ---- runtime helpers called by compiled code (rt.c); all return a trap kind (0 = go on) ---- */
exec_trap_kind jit_enter(const exec_native *n, exec_thread *th, exec_instance *inst, exec_slot *fp);
/* The lowest native stack address compiled code may reach on this thread (a reserve for
 * the C code it calls kept free): jit_ctx.cstack_limit. */
uintptr_t jit_rt_cstack_limit(void);
/* A trap at wasm offset `off` in defined function k: fills th's trap and backtrace. */
uint32_t jit_rt_trap(jit_ctx *c, uint32_t kind, uint32_t off, uint32_t k);
/* A callee returned a trap: adds the caller's frame (k, off) to the backtrace. */
uint32_t jit_rt_unwind(jit_ctx *c, uint32_t kind, uint32_t off, uint32_t k);
/* A stack limit hit in a callee's entry: the trap carries no frame of the callee (the
 * interpreter reports it at the caller's call, which the caller's unwind adds). */
uint32_t jit_rt_stack_trap(jit_ctx *c);
/* The slow path of the interruption check. */
uint32_t jit_rt_interrupt(jit_ctx *c);
/* Calls through the runtime: a defined function still interpreted (index k), an imported
 * one (function index), an element of a table after the type check. `top` is the end of
 * the caller's frame. */
uint32_t jit_rt_call_defined(exec_slot *nfp, jit_ctx *c, uint32_t k);
uint32_t jit_rt_call_import(jit_ctx *c, exec_slot *nfp, uint32_t funcidx, exec_slot *top);
uint32_t jit_rt_call_indirect(jit_ctx *c, exec_slot *nfp, uint32_t elem, uint32_t table, uint32_t typeid,
                              exec_slot *top);
uint32_t jit_rt_memory_grow(jit_ctx *c, exec_slot *d); /* d[0]: delta in, result out */
/* Bulk memory, table and reference instructions (rt_bulk.c): operands in a[0..], the
 * result to a[0]; x and y are the instruction's indices. */
typedef uint32_t (*jit_helper)(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y);
uint32_t jit_rt_memory_fill(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y);
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
} jit_sites;
/* The function's output: entries, frame size, epilogue (for the fault handler). */
typedef struct jit_func_out {
  size_t entry, checked, epilogue;
  uint32_t frame_slots;
} jit_func_out;
/* guard: accesses rely on the guard region (the module's memories are guarded) and are
 * recorded in *sites instead of being checked. */
const char *jit_compile_func(const exec_module *em, uint32_t k, x64_buf *b, jit_patches *calls, bool guard,
                             jit_sites *sites, jit_func_out *out);

/* ---- guard-region faults (fault.c) ---- */
/* Installs the SIGSEGV/SIGBUS handler once per process (false if sigaction fails). */
bool jit_fault_install(void);
/* Registers a module's code for the handler / removes it. False when the table is full. */
bool jit_fault_register(const struct jit_module *jm);
void jit_fault_unregister(const struct jit_module *jm);
/* Returned by jit_enter when the instance's memory is not guarded but the code was
 * compiled for a guarded one: the interpreter runs the function's internal code instead. */
#define JIT_DECLINE EXEC_NATIVE_DECLINE

#endif

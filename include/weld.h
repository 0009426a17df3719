/*
 * weld — the embedding API.
 *
 * The only header an embedder needs. The objects and their lifetimes:
 *
 *   weld_engine    settings and the table of function signatures its modules and host
 *                  functions share; outlives everything made from it. A module is
 *                  instantiated only in stores of the engine that compiled it.
 *   weld_module    a decoded, validated and compiled module. Immutable; may be
 *                  instantiated any number of times, in any number of stores.
 *   weld_store     owns instances and every runtime object (functions, memories, tables,
 *                  globals) created in it; freeing the store frees them all.
 *   weld_instance  a module instantiated in a store with its imports resolved.
 *
 * Objects never cross stores: an import, a call argument, a table or global value or a
 * host function's result that is a function, table, memory or global of another store is
 * refused (a LINK error "import from another store", a trap, or false / NULL / -1 as the
 * call reports failure). externref values are the host's own pointers and belong to no
 * store.
 *
 * Fallible calls return NULL / false and, where asked, a weld_error (decode, validation,
 * link errors) or a weld_trap (a WebAssembly trap, also from a start function). The
 * caller frees errors and traps. Nothing in weld exits or aborts on bad input.
 *
 * A minimal embedding:
 *
 *   weld_engine *e = weld_engine_new(NULL);
 *   weld_error *err = NULL;
 *   weld_module *m = weld_module_new(e, bytes, len, &err);
 *   weld_store *s = weld_store_new(e);
 *   weld_trap *trap = NULL;
 *   weld_instance *i = weld_instance_new(s, m, NULL, 0, &trap, &err);
 *   weld_func *f = weld_instance_func(i, "add");
 *   weld_val args[2] = {WELD_I32_VAL(1), WELD_I32_VAL(2)}, res[1];
 *   trap = weld_func_call(f, args, 2, res, 1);
 *   ...
 *   weld_store_free(s); weld_module_free(m); weld_engine_free(e);
 */
#ifndef WELD_H
#define WELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WELD_API_VERSION 1

/* The public API. The library is compiled with -fvisibility=hidden; the pragma below gives
 * every function this header declares default visibility, so these are the only symbols
 * libweld.so exports and the only global ones in the installed libweld.a (tests/install
 * checks the header against the libraries). WELD_API is kept for code that spells it. */
#ifndef WELD_API
#if defined(__GNUC__) && !defined(_WIN32)
#define WELD_API __attribute__((visibility("default")))
#else
#define WELD_API
#endif
#endif
#if defined(__GNUC__) && !defined(_WIN32)
#pragma GCC visibility push(default)
#endif

typedef struct weld_engine weld_engine;
typedef struct weld_module weld_module;
typedef struct weld_store weld_store;
typedef struct weld_instance weld_instance;
typedef struct weld_func weld_func;
typedef struct weld_memory weld_memory;
typedef struct weld_table weld_table;
typedef struct weld_global weld_global;
typedef struct weld_trap weld_trap;
typedef struct weld_error weld_error;
typedef struct weld_caller weld_caller;
typedef struct weld_tag weld_tag;
typedef struct weld_exn weld_exn;

/* ---------- values ---------------------------------------------------------------- */

typedef enum weld_valkind {
  WELD_I32 = 0,
  WELD_I64 = 1,
  WELD_F32 = 2,
  WELD_F64 = 3,
  WELD_V128 = 4,
  WELD_FUNCREF = 5,
  WELD_EXTERNREF = 6,
  WELD_EXNREF = 7,   /* an exception (exception handling); see "exceptions" below */
  WELD_ANYREF = 8,   /* GC: a reference of the any hierarchy (anyref, eqref, i31ref, structref,
                        arrayref, references to struct and array types); see "GC references" */
} weld_valkind;

/* A GC reference held by the host: a rooted handle of its store, which keeps the object
 * alive (the collector does not free what a handle names) until released or the store is
 * freed. NULL is the null reference. */
typedef struct weld_ref weld_ref;

typedef struct weld_val {
  weld_valkind kind;
  union {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    uint8_t v128[16]; /* little-endian lane order, as in linear memory */
    weld_func *funcref;   /* NULL = null reference */
    void *externref;      /* NULL = null reference; any other pointer is the host's */
    weld_exn *exnref;     /* NULL = null reference */
    weld_ref *anyref;     /* NULL = null reference; a rooted handle otherwise */
  } of;
} weld_val;

#define WELD_I32_VAL(x) ((weld_val){.kind = WELD_I32, .of.i32 = (x)})
#define WELD_I64_VAL(x) ((weld_val){.kind = WELD_I64, .of.i64 = (x)})
#define WELD_F32_VAL(x) ((weld_val){.kind = WELD_F32, .of.f32 = (x)})
#define WELD_F64_VAL(x) ((weld_val){.kind = WELD_F64, .of.f64 = (x)})

const char *weld_valkind_name(weld_valkind k);

/* ---------- errors and traps -------------------------------------------------------- */

typedef enum weld_error_kind {
  WELD_ERROR_MALFORMED = 1, /* not a WebAssembly module (decode error) */
  WELD_ERROR_INVALID,       /* does not validate */
  WELD_ERROR_LINK,          /* an import could not be resolved ("unknown import",
                               "incompatible import type") */
  WELD_ERROR_IO,
  WELD_ERROR_USAGE,         /* a bad argument to an API call */
  WELD_ERROR_LIMIT,
} weld_error_kind;

weld_error_kind weld_error_get_kind(const weld_error *e);
/* The message starts with the spec's wording; location details follow. */
const char *weld_error_message(const weld_error *e);
int64_t weld_error_offset(const weld_error *e); /* byte offset in the module, or -1 */
void weld_error_free(weld_error *e);

typedef enum weld_trap_kind {
  WELD_TRAP_UNREACHABLE = 1,        /* "unreachable" */
  WELD_TRAP_MEMORY_OOB,             /* "out of bounds memory access" */
  WELD_TRAP_TABLE_OOB,              /* "out of bounds table access" */
  WELD_TRAP_UNDEFINED_ELEMENT,      /* "undefined element" */
  WELD_TRAP_UNINITIALIZED_ELEMENT,  /* "uninitialized element" */
  WELD_TRAP_INDIRECT_TYPE_MISMATCH, /* "indirect call type mismatch" */
  WELD_TRAP_INT_DIV_ZERO,           /* "integer divide by zero" */
  WELD_TRAP_INT_OVERFLOW,           /* "integer overflow" */
  WELD_TRAP_INVALID_CONVERSION,     /* "invalid conversion to integer" */
  WELD_TRAP_STACK_EXHAUSTED,        /* "call stack exhausted" */
  WELD_TRAP_OUT_OF_FUEL,            /* "out of fuel" */
  WELD_TRAP_DEADLINE,               /* "deadline exceeded" */
  WELD_TRAP_INTERRUPTED,            /* "interrupted" (cancelled from another thread) */
  WELD_TRAP_HOST,                   /* raised by a host function; see the message */
  WELD_TRAP_EXIT,                   /* a clean exit requested by a host (e.g. proc_exit) */
  WELD_TRAP_LIMIT,                  /* "resource limit exceeded": a grow refused by a limit
                                       with trap_on_grow_failure, or a host-call limit */
  WELD_TRAP_NULL_FUNC_REF,          /* "null function reference" (call_ref of null) */
  WELD_TRAP_NULL_REF,               /* "null reference" (ref.as_non_null of null) */
  WELD_TRAP_EXCEPTION,              /* "uncaught exception": a WebAssembly exception no
                                       handler caught; weld_trap_exception gives it */
  WELD_TRAP_NULL_STRUCT,            /* "null structure reference" (GC) */
  WELD_TRAP_NULL_ARRAY,             /* "null array reference" (GC) */
  WELD_TRAP_NULL_I31,               /* "null i31 reference" (GC) */
  WELD_TRAP_ARRAY_OOB,              /* "out of bounds array access" (GC) */
  WELD_TRAP_CAST,                   /* "cast failure" (GC: ref.cast) */
  WELD_TRAP_UNALIGNED_ATOMIC,       /* "unaligned atomic" (threads: a misaligned atomic access) */
  WELD_TRAP_EXPECTED_SHARED,        /* "expected shared memory" (memory.atomic.wait on an unshared memory) */
  WELD_TRAP_WAIT_FOREVER,           /* memory.atomic.wait with no timeout: weld runs one thread per
                                       store, so nothing could notify it; it traps instead of hanging */
} weld_trap_kind;

weld_trap_kind weld_trap_get_kind(const weld_trap *t);
const char *weld_trap_message(const weld_trap *t);
int32_t weld_trap_exit_code(const weld_trap *t); /* WELD_TRAP_EXIT only */

/* The WebAssembly backtrace, innermost frame first. */
typedef struct weld_frame {
  uint32_t func_index;      /* in its module's function index space */
  const char *func_name;    /* from the name section, or NULL */
  const char *module_name;  /* from the name section, or NULL */
  uint32_t code_offset;     /* byte offset of the instruction in the module, or 0 */
  uint32_t depth;           /* position in the whole stack, 0 = innermost */
  const char *file;         /* source file from the module's DWARF .debug_line, or NULL */
  uint32_t line, column;    /* with file: 1-based line, column (0 = unknown) */
} weld_frame;
/* The recorded frames (at most 64). A deeper stack keeps its innermost and its 16
 * outermost frames: their `depth` fields show the gap. */
size_t weld_trap_frame_count(const weld_trap *t);
const weld_frame *weld_trap_frame(const weld_trap *t, size_t i);
/* How many frames the stack had when the trap happened (recorded or not). */
size_t weld_trap_frame_total(const weld_trap *t);
/* When frames were skipped and all of them ran the same function (a deep recursion), a
 * frame naming that function (its code_offset 0, its depth the first skipped one's);
 * else NULL. */
const weld_frame *weld_trap_skipped_func(const weld_trap *t);
/* Writes the backtrace to `out`, one line per frame ("  N: NAME (func I) at FILE:LINE:COL,
 * offset 0xOFF"); runs of a repeating call cycle and the skipped part of a deep stack are
 * summarised on one line ("  ... 9,936 more frames of r (func 1)"). */
void weld_trap_print_backtrace(const weld_trap *t, FILE *out);
void weld_trap_free(weld_trap *t);

/* For host functions: a trap carrying a message (copied). */
weld_trap *weld_trap_new(const char *message);
/* For host functions: stop the whole run cleanly with an exit code. */
weld_trap *weld_trap_new_exit(int32_t code);

/* ---------- engine ---------------------------------------------------------------- */

typedef enum weld_bounds_mode {
  WELD_BOUNDS_GUARD = 0,    /* reserve the 4 GiB index space + guard: bounds checks are
                               done by the MMU (64-bit hosts; the default) */
  WELD_BOUNDS_EXPLICIT = 1, /* check every access in software; reserves only what the
                               memory can grow to */
} weld_bounds_mode;

/* Which tier runs WebAssembly functions. */
typedef enum weld_tier {
  WELD_TIER_INTERP = 0,   /* the interpreter */
  WELD_TIER_BASELINE = 1, /* machine code from the baseline compiler (x86-64) for every function
                             it handles, compiled with the module; the others stay interpreted */
  WELD_TIER_OPTIMIZED = 2, /* machine code optimised by LLVM for every function it handles,
                              compiled when the module is made; the others stay interpreted.
                              Only in builds with LLVM: see weld_tier_unsupported */
  WELD_TIER_AUTO = 3,     /* a module of at most tier_eager_bytes of function bodies is
                             compiled by the baseline compiler when made; in a larger one
                             functions start in the interpreter, and one that is called
                             tier_up_threshold times (or runs a long loop) is compiled by the
                             baseline compiler for its next call. Either way, a compiled
                             function that stays hot goes on to LLVM code where weld has it.
                             The interpreter alone where there is no compiler */
} weld_tier;

/* NULL when this build and machine can run tier t, else why not ("not supported: the
 * optimising tier (weld was built without LLVM)"). */
const char *weld_tier_unsupported(weld_tier t);

/* The edition of the standard modules are held to. */
typedef enum weld_standard {
  WELD_STANDARD_LATEST = 0, /* every feature weld implements (3.0's multiple memories,
                               64-bit memories and tables, tail calls, ...) */
  WELD_STANDARD_2_0 = 2,    /* WebAssembly 2.0's restrictions and messages: one memory,
                               32-bit memories and tables, a zero byte for memory indices */
} weld_standard;

/* The instance pool (docs/embedding.md, "Many instances"): the memories and tables of
 * instances come from slots of address space reserved once with the engine and reused
 * after their store is freed (their pages discarded, so a reused slot reads zero);
 * with copy_on_write, a module's data segments are laid out once in a memory image that
 * every instance maps copy-on-write, so instantiation copies nothing and the pages no
 * instance writes are shared. A zero field takes its default. */
typedef struct weld_pool_config {
  uint32_t memory_slots;      /* linear memories alive at once in the engine's stores (1000) */
  uint64_t memory_slot_bytes; /* the largest memory a slot holds, at most and by default 4 GiB;
                                 a memory's maximum is capped to it */
  uint64_t guard_bytes;       /* inaccessible bytes after each slot (4 GiB); slot + guard of
                                 8 GiB or more keep WELD_BOUNDS_GUARD's layout */
  uint32_t table_slots;       /* tables alive at once (1000) */
  uint32_t table_elements;    /* the largest table a slot holds (10,000,000) */
  bool copy_on_write;         /* data segments from a shared memory image (off: copied) */
  uint64_t keep_resident;     /* a released memory of at most this many bytes not mapped from
                                 an image is cleared with memset and kept resident, so the
                                 next instance takes no page fault (faster starts, memory
                                 held between instances); 0: always discarded (the default) */
} weld_pool_config;

/* weld_config.compile_threads's default: as many threads as the machine has CPUs online (at
 * most 8, and at most one per MiB of function bodies) for a baseline compile, 1 for the
 * optimising tier's pool. */
#define WELD_COMPILE_THREADS_AUTO 0xffffffffu

typedef struct weld_config {
  size_t stack_bytes;          /* value stack per call; 0 = default (8 MiB) */
  uint32_t max_call_depth;     /* 0 = default (10000) */
  weld_bounds_mode bounds;
  weld_tier tier;              /* modules are compiled for this tier when made */
  weld_standard standard;      /* default WELD_STANDARD_LATEST */
  bool gc_stress;              /* collect the GC heap at every allocation (testing; also
                                  the environment variable WELD_GC_STRESS=1) */
  uint32_t tier_up_threshold;  /* WELD_TIER_AUTO: calls before a function is compiled (0: at
                                  its first call); the default is 1000 */
  bool pooling;                /* instances' memories and tables from the pool below (also the
                                  environment variable WELD_POOL=1, which turns copy_on_write on) */
  weld_pool_config pool;
  bool allow_precompiled;      /* weld_module_new accepts precompiled images (weld compile's
                                  .cwasm files). Loading one runs the machine code inside
                                  it, which nothing can check: trust it as you would a shared
                                  library. Off by default */
  const char *cache_dir;       /* WELD_TIER_BASELINE and WELD_TIER_OPTIMIZED: keep compiled
                                  code in this directory and reuse it (src/cache/README.md);
                                  NULL (the default): no cache. The engine copies the string */
  uint64_t cache_max_bytes;    /* the cache's budget, least recently used entries evicted
                                  first; 0: 512 MiB */
  uint32_t osr_threshold;      /* WELD_TIER_AUTO: units of work (calls and loop iterations)
                                  between two looks for a running loop to move to compiled
                                  code; a function whose loop is seen at two looks goes on
                                  compiled from that loop (on-stack replacement). 0: the
                                  default, 65,536 */
  uint32_t compile_threads;    /* threads that compile. WELD_TIER_BASELINE (and precompiling
                                  for it): a module's functions are compiled on this many
                                  threads, the calling one among them (at most 8; 0 or 1:
                                  the calling thread alone; the code is the same whatever
                                  the number). WELD_TIER_AUTO in a build with the optimising
                                  tier: threads (a process-wide pool, at most 8) that compile
                                  functions still hot in baseline code through LLVM in the
                                  background; 0: the call that finds one hot compiles it.
                                  Default WELD_COMPILE_THREADS_AUTO: the online CPUs (at most
                                  8, and one per MiB of bodies) for a baseline compile, 1 for
                                  the pool */
  uint64_t module_cache_bytes; /* the engine's in-memory cache of compiled modules: a
                                  weld_module_new of bytes (either format, or a precompiled
                                  image) the engine made a module of before gets that same
                                  module again, compiled once, while it stays cached; modules
                                  least recently asked for are dropped from the cache first
                                  once the cached ones pass this many bytes (their IR,
                                  internal code and machine code); 0: 64 MiB (also the
                                  environment variable WELD_MODULE_CACHE_BYTES) */
  bool module_cache_off;       /* no in-memory cache: every weld_module_new compiles */
  uint64_t tier_eager_bytes;   /* WELD_TIER_AUTO: a module whose function bodies total at most
                                  this many bytes is compiled whole by the baseline compiler
                                  when it is made, as under WELD_TIER_BASELINE (hot functions
                                  still go on to the optimising tier); a larger one starts
                                  interpreted and goes by tier_up_threshold. 0: never. The
                                  default is 1 MiB (1048576; also the environment variable
                                  WELD_TIER_EAGER_BYTES) */
} weld_config;

/* Fills a config with the defaults: the auto tier where the baseline compiler runs
 * (x86-64; the interpreter elsewhere), unless the environment variable WELD_TIER names
 * another tier ("interp", "baseline", "auto", "optimized");
 * WELD_TIER_UP_THRESHOLD (a number) sets tier_up_threshold, WELD_OSR_THRESHOLD osr_threshold,
 * WELD_TIER_EAGER_BYTES tier_eager_bytes, WELD_COMPILE_THREADS compile_threads. */
void weld_config_default(weld_config *c);
/* cfg may be NULL for the defaults. NULL when out of memory, or when the pool's address
 * space cannot be reserved (weld_engine_new_err says which). */
weld_engine *weld_engine_new(const weld_config *cfg);
weld_engine *weld_engine_new_err(const weld_config *cfg, weld_error **err);

/* What the engine's pool holds (false, and *out zeroed, when it has none). An instance's
 * memories and tables return to the pool when its store is freed; asking for a slot when
 * all are in use fails the instantiation with WELD_ERROR_LIMIT ("instance pool
 * exhausted"), as does a memory or table larger than a slot. */
typedef struct weld_pool_stats {
  uint32_t memory_slots, memories_in_use;
  uint32_t table_slots, tables_in_use;
  uint64_t reserved_bytes;      /* address space reserved for the slots */
  uint64_t images, image_bytes; /* memory images made, and their bytes */
  uint64_t reused;              /* memory slots handed out again */
  uint64_t image_hits;          /* ... that still mapped the module's image */
  uint64_t exhausted;           /* slot requests refused */
} weld_pool_stats;
bool weld_engine_pool_stats(const weld_engine *e, weld_pool_stats *out);

/* The engine's in-memory module cache (weld_config.module_cache_bytes). */
typedef struct weld_module_cache_stats {
  uint64_t entries, bytes, max_bytes; /* modules cached, their bytes, the budget */
  uint64_t hits;      /* weld_module_new calls answered with a cached module: nothing compiled */
  uint64_t misses;    /* ... that were not (the module was compiled, and cached) */
  uint64_t evictions; /* modules dropped from the cache for the budget (one still held by a
                         weld_module_new caller lives on until freed) */
  uint64_t compiles;  /* modules the engine compiled (decoded, validated, translated and
                         prepared for its tier, or loaded from an image or the code cache) */
} weld_module_cache_stats;
/* false (and the counts zero but `compiles`) when the engine keeps no cache. */
bool weld_engine_module_cache_stats(const weld_engine *e, weld_module_cache_stats *out);
void weld_engine_free(weld_engine *e);

/* ---------- modules ---------------------------------------------------------------- */

/* Decodes, validates and compiles. Accepts the binary format, and the text format (input
 * that starts with `(` after white space and comments); text errors carry a line and
 * column. Running out of memory while loading, from either format, is a WELD_ERROR_LIMIT
 * error "out of memory". Modules are immutable: with the engine's in-memory cache (on by
 * default, weld_config.module_cache_bytes) the same bytes give the same module object
 * again, compiled once and shared (its weld_module_tier_stats too); each call still
 * needs its own weld_module_free, in any order. Thread-safe on a shared engine: two
 * threads asking for the same bytes at once get the one module, compiled once. */
weld_module *weld_module_new(weld_engine *e, const uint8_t *bytes, size_t len, weld_error **err);
/* The same, taking `bytes` (allocated with malloc): a binary module keeps them instead of
 * a copy, so the caller must not use them afterwards; they are freed with the module, or
 * before this returns (failure, another format, an engine with the module cache on). */
weld_module *weld_module_new_take(weld_engine *e, uint8_t *bytes, size_t len, weld_error **err);
/* Compiles a module (either format) ahead of time for the engine's tier, which must be
 * WELD_TIER_BASELINE or WELD_TIER_OPTIMIZED, into a precompiled image (*out, to be
 * released with free()) that weld_module_new loads without compiling when the engine
 * allows precompiled images and has the same bounds mode and standard, on a machine with
 * the CPU features the code uses, with the same version of weld (docs/precompiled.md). */
bool weld_module_precompile(weld_engine *e, const uint8_t *bytes, size_t len, uint8_t **out, size_t *out_len,
                            weld_error **err);
void weld_module_free(weld_module *m);

typedef enum weld_externkind {
  WELD_EXTERN_NONE = -1,
  WELD_EXTERN_FUNC = 0,
  WELD_EXTERN_TABLE = 1,
  WELD_EXTERN_MEMORY = 2,
  WELD_EXTERN_GLOBAL = 3,
  WELD_EXTERN_TAG = 4,      /* an exception tag */
} weld_externkind;

size_t weld_module_import_count(const weld_module *m);
/* Module and field names of import i, and its kind. */
void weld_module_import(const weld_module *m, size_t i, const char **module, const char **name,
                        weld_externkind *kind);
size_t weld_module_export_count(const weld_module *m);
void weld_module_export(const weld_module *m, size_t i, const char **name, weld_externkind *kind);

typedef enum weld_code_source {
  WELD_CODE_COMPILED = 0,     /* compiled when the module was made (or nothing compiled) */
  WELD_CODE_CACHE_STORED = 1, /* compiled, and stored in the code cache */
  WELD_CODE_CACHE_HIT = 2,    /* read from the code cache: nothing compiled */
  WELD_CODE_PRECOMPILED = 3,  /* read from a precompiled image: nothing compiled */
} weld_code_source;

/* How a module's defined functions run: under WELD_TIER_BASELINE, how many became machine
 * code (the others run in the interpreter); under WELD_TIER_AUTO, how many were promoted
 * so far; all zero under WELD_TIER_INTERP. */
typedef struct weld_tier_stats {
  uint32_t functions;      /* defined functions */
  uint32_t compiled;       /* running as machine code */
  weld_tier tier;          /* the tier the module was made for */
  uint32_t promoted_by_loop; /* WELD_TIER_AUTO: of `compiled`, those a long loop made hot */
  uint32_t fell_back;      /* tried and left in the interpreter (weld_module_func_fallback) */
  uint64_t code_bytes;     /* machine code made */
  uint64_t wasm_bytes;     /* body bytes of the compiled functions */
  double compile_seconds;
  weld_code_source source; /* where the machine code came from */
  uint64_t osr_entered;    /* WELD_TIER_AUTO: interpreted calls that went on as machine code
                              from a loop (on-stack replacement) */
  uint32_t optimized;      /* WELD_TIER_AUTO: of `compiled`, those switched to LLVM code (the
                              optimising tier) because they stayed hot */
  uint32_t opt_failed;     /* WELD_TIER_AUTO: hot ones the optimising tier did not take */
  double opt_seconds;      /* WELD_TIER_AUTO: time spent compiling those (on any thread) */
  uint32_t compile_threads; /* WELD_TIER_BASELINE: the threads that compiled the module (0:
                               its code was not compiled by this process) */
  double compile_cpu_seconds; /* WELD_TIER_BASELINE, compiled by this process: the CPU time
                                 of all its threads during compile_seconds */
  uint32_t compiled_ahead; /* WELD_TIER_AUTO: of `compiled`, those compiled when the module
                              was made (weld_config.tier_eager_bytes) */
  uint32_t translated;     /* functions translated to the interpreter's internal code so far:
                              all of them when the module is made, or, when translation is
                              lazy (a large module in the interpreter, code from an image),
                              those called at least once */
} weld_tier_stats;
void weld_module_tier_stats(const weld_module *m, weld_tier_stats *out);
/* Why the module's k-th defined function (0 = the first function after the imported ones)
 * stays in the interpreter under WELD_TIER_BASELINE, or under WELD_TIER_AUTO once it was
 * hot ("not supported: f32x4.add"); NULL when it was compiled, was never tried, or the
 * module was not compiled for these tiers. */
const char *weld_module_func_fallback(const weld_module *m, uint32_t k);

/* ---------- stores and instances ---------------------------------------------------- */

weld_store *weld_store_new(weld_engine *e);
void weld_store_free(weld_store *s);

/* Fuel: when enabled, each function entry and loop iteration consumes a unit, and bulk
 * memory/table instructions one per 64 bytes, per 8 elements or per page grown; running
 * out traps with WELD_TRAP_OUT_OF_FUEL. Fuel can be added again and the call retried. */
void weld_store_set_fuel(weld_store *s, uint64_t fuel); /* enables metering */
uint64_t weld_store_get_fuel(const weld_store *s);
/* Adds fuel (saturating) and enables metering if it was off: after WELD_TRAP_OUT_OF_FUEL,
 * add fuel and call again. */
void weld_store_add_fuel(weld_store *s, uint64_t fuel);
/* Asks a running call in this store to stop with WELD_TRAP_INTERRUPTED. Safe to call from
 * any thread or a signal handler. The running call (or, if none runs, the next one) stops
 * at its next function entry or loop back-edge, between the chunks of a large bulk
 * operation, or — when it is blocked in a WASI call (poll_oneoff, a read on a pipe or
 * socket, sock_accept) — at once; the store stays usable. A deadline wakes them alike. */
void weld_store_interrupt(weld_store *s);

/* ---------- resource limits (src/guard) ---------------------------------------------------
 * Every limit holds for every module in the store: a grow beyond a limit fails (-1, as the
 * spec allows) or traps WELD_TRAP_LIMIT; an instantiation whose declared minimums exceed a
 * limit, or one instance too many, fails with a WELD_ERROR_LIMIT error. A stopped call
 * leaves the store usable. */
#define WELD_UNLIMITED UINT64_MAX

typedef struct weld_limits {
  uint64_t memory_bytes;     /* per memory and per table (8 bytes an element), and over the
                                memories and tables one instance defines */
  uint64_t table_elements;   /* per table, and over all the store's tables */
  uint32_t max_call_depth;   /* nested calls; 0 = the engine's (default 10000) */
  uint32_t max_instances;    /* instantiations per store; 0 = unlimited */
  bool trap_on_grow_failure; /* a refused memory.grow / table.grow traps instead of -1 */
  uint64_t gc_heap_bytes;    /* the store's GC heap (structs, arrays, boxed host references,
                                with their headers): an allocation past it, after a
                                collection, traps WELD_TRAP_LIMIT */
} weld_limits;

/* Everything unlimited. */
void weld_limits_default(weld_limits *l);
/* Applies to later instantiations and grows (memories already larger stay as they are). */
void weld_store_set_limits(weld_store *s, const weld_limits *l);
void weld_store_get_limits(const weld_store *s, weld_limits *out);

/* A wall-clock deadline `timeout_ns` from now (0 clears it). When it passes, the running
 * call traps with WELD_TRAP_DEADLINE, and so does every later call until the deadline is
 * set again. A process-wide timer thread raises it; nothing polls the clock while
 * WebAssembly runs. False if the timer thread cannot be started. */
bool weld_store_set_deadline(weld_store *s, uint64_t timeout_ns);

/* What a store has used. */
typedef struct weld_usage {
  uint64_t memory_bytes, peak_memory_bytes;     /* linear memory in the store */
  uint64_t table_elements, peak_table_elements;
  bool fuel_enabled;
  uint64_t fuel_consumed;   /* over the store's life */
  uint64_t instances;       /* instantiations attempted past linking */
  uint64_t grow_denials;    /* memory.grow / table.grow refused by a limit */
  uint64_t limit_denials;   /* instantiations refused by a limit */
  const char *stopped_by;   /* the last limit that stopped a call or refused an instance:
                               "memory", "table", "instances", "fuel", "deadline", "stack",
                               "host-calls", "gc-heap"; NULL if none did */
  uint64_t gc_bytes, peak_gc_bytes; /* the GC heap: now, and the most at once */
  uint64_t gc_collections;
} weld_usage;
void weld_store_usage(const weld_store *s, weld_usage *out);

/* ---------- GC references ------------------------------------------------------------
 * anyref values (WELD_ANYREF) cross the API as rooted handles. A handle the API hands out
 * (a call's result, weld_global_get, weld_table_get, weld_exn_arg) belongs to the caller,
 * who releases it when done (or lets the store free it); handles in a host function's
 * arguments are valid during that call only. A host externref that WebAssembly turned
 * into an anyref (any.convert_extern) is a WELD_REF_HOST handle holding the same
 * pointer. An externref result that holds an i31, struct or array turned extern
 * (extern.convert_any) arrives as an opaque non-null pointer: compare it with NULL only. */
typedef enum weld_ref_kind {
  WELD_REF_I31 = 1,   /* a 31-bit integer */
  WELD_REF_STRUCT,
  WELD_REF_ARRAY,
  WELD_REF_HOST,      /* a host pointer (an internalized externref) */
} weld_ref_kind;
weld_ref_kind weld_ref_get_kind(const weld_store *s, const weld_ref *r);
uint32_t weld_ref_i31_value(const weld_store *s, const weld_ref *r); /* the 31 bits, zero-extended */
void *weld_ref_host(const weld_store *s, const weld_ref *r);          /* WELD_REF_HOST: the pointer */
/* New handles (NULL when out of memory): an i31 (the low 31 bits of v), a host pointer
 * as an anyref (non-NULL). */
weld_ref *weld_ref_new_i31(weld_store *s, uint32_t v);
weld_ref *weld_ref_new_host(weld_store *s, void *host);
/* Whether two handles name the same reference (ref.eq; host references by pointer). */
bool weld_ref_same(const weld_store *s, const weld_ref *a, const weld_ref *b);
void weld_ref_release(weld_store *s, weld_ref *r);
/* Collects the store's GC heap now (also allowed from a host function). */
void weld_store_gc(weld_store *s);

typedef struct weld_extern {
  weld_externkind kind;
  union {
    weld_func *func;
    weld_table *table;
    weld_memory *memory;
    weld_global *global;
    weld_tag *tag;
  } of;
} weld_extern;

typedef struct weld_import {
  const char *module;
  const char *name;
  weld_extern item;
} weld_import;

/* Instantiates: resolves imports by (module, name) among `imports`, allocates memories,
 * tables and globals, applies element and data segments, runs the start function.
 * On a link or instantiation error returns NULL with *err set (kind LINK with the spec's
 * reason, or a trap in *trap when the start function or a segment traps). */
weld_instance *weld_instance_new(weld_store *s, const weld_module *m, const weld_import *imports,
                                 size_t nimports, weld_trap **trap, weld_error **err);

/* Exports by name; kind WELD_EXTERN_NONE if absent. */
weld_extern weld_instance_export(weld_instance *i, const char *name);
/* The same for names that may contain NUL bytes (WebAssembly names are any UTF-8). */
weld_extern weld_instance_export_n(weld_instance *i, const char *name, size_t len);
weld_func *weld_instance_func(weld_instance *i, const char *name);
weld_memory *weld_instance_memory(weld_instance *i, const char *name);
weld_global *weld_instance_global(weld_instance *i, const char *name);
weld_table *weld_instance_table(weld_instance *i, const char *name);

/* ---------- functions ---------------------------------------------------------------- */

/* A host function. `args` holds the parameters; write the results into `results`.
 * Return NULL on success or a trap (weld_trap_new / weld_trap_new_exit). */
typedef weld_trap *(*weld_host_fn)(weld_caller *caller, void *env, const weld_val *args,
                                   weld_val *results);

/* NULL on a bad argument or when memory runs out (env is then left to the caller). */
weld_func *weld_func_new(weld_store *s, const weld_valkind *params, size_t nparams,
                         const weld_valkind *results, size_t nresults, weld_host_fn fn,
                         void *env, void (*env_free)(void *));

size_t weld_func_param_count(const weld_func *f);
size_t weld_func_result_count(const weld_func *f);
weld_valkind weld_func_param(const weld_func *f, size_t i);
weld_valkind weld_func_result(const weld_func *f, size_t i);

/* Calls a function. Argument kinds must match the signature, and funcref arguments must
 * be null or functions of f's store (else a trap saying which argument is wrong).
 * Returns NULL on success with `results` filled, or the trap. */
weld_trap *weld_func_call(weld_func *f, const weld_val *args, size_t nargs, weld_val *results,
                          size_t nresults);

/* Inside a host function: the calling instance's exported memory (usually "memory"). */
weld_memory *weld_caller_memory(weld_caller *c, const char *export_name);
weld_store *weld_caller_store(weld_caller *c);

/* ---------- memories, tables, globals ------------------------------------------------ */

/* Host-created objects for imports. max_pages / max = UINT64_MAX / UINT32_MAX: no maximum. */
weld_memory *weld_memory_new(weld_store *s, uint64_t min_pages, uint64_t max_pages);
/* A 64-bit (memory64) memory: i64 addresses; it matches only 64-bit memory imports.
 * weld keeps 64-bit memories below 4 GiB (65535 pages): a larger minimum is refused
 * (NULL) and growing past it fails. */
weld_memory *weld_memory_new_i64(weld_store *s, uint64_t min_pages, uint64_t max_pages);
bool weld_memory_is_i64(const weld_memory *m);
/* A shared memory (threads): it matches only `shared` memory imports, and
 * memory.atomic.wait may block on it. It must have a maximum (NULL when max_pages is
 * UINT64_MAX). weld runs one thread per store: it does not spawn threads (no
 * wasi-threads), so a wait is only ever ended by its timeout. */
weld_memory *weld_memory_new_shared(weld_store *s, uint64_t min_pages, uint64_t max_pages);
bool weld_memory_is_shared(const weld_memory *m);
uint8_t *weld_memory_data(weld_memory *m);       /* valid until the next grow */
size_t weld_memory_size(const weld_memory *m);   /* bytes */
uint64_t weld_memory_pages(const weld_memory *m);
/* Returns the old size in pages, or -1 if the memory cannot grow that much. */
int64_t weld_memory_grow(weld_memory *m, uint64_t delta_pages);
/* Bounds-checked copies. */
bool weld_memory_read(const weld_memory *m, uint64_t offset, void *dst, size_t n);
bool weld_memory_write(weld_memory *m, uint64_t offset, const void *src, size_t n);

weld_table *weld_table_new(weld_store *s, weld_valkind elem, uint32_t min, uint32_t max,
                           weld_val init);
/* A 64-bit table (i64 indices); it matches only 64-bit table imports. */
weld_table *weld_table_new_i64(weld_store *s, weld_valkind elem, uint32_t min, uint32_t max, weld_val init);
bool weld_table_is_i64(const weld_table *t);
uint32_t weld_table_size(const weld_table *t);
bool weld_table_get(const weld_table *t, uint32_t i, weld_val *out);
/* False when out of range, of the wrong kind, or a funcref of another store. */
bool weld_table_set(weld_table *t, uint32_t i, weld_val v);
int64_t weld_table_grow(weld_table *t, uint32_t delta, weld_val init);

weld_global *weld_global_new(weld_store *s, weld_valkind kind, bool mutable_, weld_val init);
weld_val weld_global_get(const weld_global *g);
/* False if the global is immutable, the kind differs, or v is a funcref of another store. */
bool weld_global_set(weld_global *g, weld_val v);

/* ---------- exceptions ------------------------------------------------------------ *
 * WebAssembly exception handling (`throw`, `try_table`, `exnref`). An exception that no
 * try_table catches ends the call like a trap: weld_func_call returns a trap of kind
 * WELD_TRAP_EXCEPTION ("uncaught exception") whose backtrace is the stack at the throw.
 * The host sees what was thrown through weld_trap_exception, and may throw too:
 *
 *   weld_trap *t = weld_func_call(f, args, n, res, nres);
 *   weld_exn *e = t ? weld_trap_exception(t) : NULL;
 *   if (e && weld_exn_tag(e) == my_tag) { weld_val v; weld_exn_arg(e, 0, &v); ... }
 *
 * A host function throws by returning weld_trap_new_exception(tag, args, n); one that
 * returns a trap it got from weld_func_call passes the exception on unchanged (a
 * try_table further out may catch it, by tag, as if no host function were in between).
 * Tags are compared by identity: each tag a module defines is new per instance; an
 * imported or exported tag is the same tag. Tags and exceptions belong to their store
 * and live as long as it does (an exception caught by value inside WebAssembly is freed
 * at once). */

/* A tag of `s` whose exceptions carry values of the given kinds. NULL on a bad argument
 * or when out of memory. */
weld_tag *weld_tag_new(weld_store *s, const weld_valkind *params, size_t nparams);
/* The exported tag `name`, or NULL. */
weld_tag *weld_instance_tag(weld_instance *i, const char *name);
size_t weld_tag_param_count(const weld_tag *t);
weld_valkind weld_tag_param(const weld_tag *t, size_t i);

/* The exception a WELD_TRAP_EXCEPTION trap carries (NULL for other traps). Valid while
 * the store lives, also after the trap is freed. */
weld_exn *weld_trap_exception(const weld_trap *t);
weld_tag *weld_exn_tag(const weld_exn *e);
size_t weld_exn_arg_count(const weld_exn *e);
/* The i-th payload value; false when i is out of range. */
bool weld_exn_arg(const weld_exn *e, size_t i, weld_val *out);
/* For host functions: throws a new exception of `tag` with `args` (kinds must match the
 * tag's). On a bad argument or out of memory, a WELD_TRAP_HOST trap saying so. */
weld_trap *weld_trap_new_exception(weld_tag *tag, const weld_val *args, size_t nargs);
/* For host functions: throws `e` again (an exnref the host got). */
weld_trap *weld_trap_new_rethrow(weld_exn *e);

/* ---------- WASI ---------------------------------------------------------------- */

/* WASI preview1 (`wasi_snapshot_preview1`) for a module, with the same capability model
 * as `weld run` (docs/policy.md): deny by default, then what the policy file or profile
 * and the directory and environment grants allow. One weld_wasi serves one instance. */
typedef struct weld_wasi weld_wasi;

typedef struct weld_wasi_config {
  const char *const *argv;  /* the guest's arguments; argv[0] is its program name */
  size_t argc;
  const char *policy_file;  /* a policy file (TOML), or NULL */
  const char *profile;      /* "isolated", "readonly-fs", "cli", or NULL; with neither,
                               the standard streams, clocks and randomness */
  const char *const *dirs;  /* "HOST[::GUEST]": a full grant on HOST, seen as GUEST */
  size_t ndirs;
  const char *const *env;   /* "NAME=VALUE", or "NAME" for the host's value */
  size_t nenv;
  bool log_denials;         /* one line on stderr per refused call */
} weld_wasi_config;

/* Builds the policy and opens the directories. On failure returns NULL with *err set
 * (a bad policy file names FILE:LINE:COL). */
weld_wasi *weld_wasi_new(const weld_wasi_config *cfg, weld_error **err);
void weld_wasi_free(weld_wasi *w);

/* Creates, in `s`, a host function for each of the module's WASI imports and writes
 * the entries for weld_instance_new to `out` (room for weld_module_import_count(m)
 * entries). Returns how many, or -1 with *err set (an unknown WASI function or a wrong
 * signature: a LINK error). Other imports are left for the caller to add. */
long weld_wasi_imports(weld_wasi *w, weld_store *s, const weld_module *m, weld_import *out,
                       weld_error **err);

/* Binds the context to the instance's exported "memory"; call it after
 * weld_instance_new and before the first call. A module that imports WASI must export
 * its memory. */
bool weld_wasi_bind(weld_wasi *w, weld_instance *inst, weld_error **err);

/* A call ended by `proc_exit` returns a WELD_TRAP_EXIT trap; weld_trap_exit_code gives
 * the status. */

/* ---------- audit ---------------------------------------------------------------- */

/* The static audit of `weld audit` (docs/audit.md), without running the module: the host
 * resources its imports reach, a risk level, and the violations of a policy. */
typedef struct weld_audit weld_audit;

/* Audits `m` against a policy: a preset ("isolated", "readonly-fs", "cli"), a policy file
 * (TOML, on top of the preset when both are given), or neither (no policy: nothing is
 * violated, the risk is still scored). NULL with *err set for a bad policy (a file's errors
 * name FILE:LINE:COL) or out of memory. The audit keeps no reference to `m`. */
weld_audit *weld_audit_new(const weld_module *m, const char *policy_file, const char *preset,
                           weld_error **err);
void weld_audit_free(weld_audit *a);
bool weld_audit_passed(const weld_audit *a);      /* no violation of the policy */
const char *weld_audit_risk(const weld_audit *a); /* "minimal", "low", "moderate", "high", "critical" */
size_t weld_audit_violation_count(const weld_audit *a);
/* The i-th violation's message (owned by the audit), NULL for i past the end. */
const char *weld_audit_violation(const weld_audit *a, size_t i);
/* The whole report as `weld audit` prints it: Markdown, or JSON (docs/json.md); `name`
 * is the module's name in it. */
void weld_audit_print(const weld_audit *a, FILE *out, const char *name, bool json);

/* ---------- profiling ------------------------------------------------------------ */

/* A sampling profiler of the guest's WebAssembly stack. A timer thread asks the running
 * call for its stack every interval_ns (0: 1 ms); the interpreter answers at its next
 * function entry or loop back-edge and goes on, so an unprofiled store pays nothing.
 * Each sample is weighted by the timer ticks since the previous one, so time spent in
 * host calls counts, for the WebAssembly stack that is running when the guest next
 * reaches an interruption point. Only the innermost activation is sampled (a host
 * function that calls back into WebAssembly starts a new stack). One profiler per store;
 * stop (or free) it before freeing the store, from the thread that runs the
 * store's calls or while none is running. In the interpreter there is no guest machine
 * code for `perf` to attribute, so the profile comes from here (the baseline tier's code
 * can be named to perf with WELD_PERF_MAP=1: docs/debugging.md). Compiled frames are not
 * sampled: under WELD_TIER_AUTO a store being profiled compiles nothing more, but a module
 * of at most tier_eager_bytes of bodies was compiled whole when it was made, so profile
 * with WELD_TIER_INTERP (as `weld run --profile=guest` does) or tier_eager_bytes = 0. */
typedef struct weld_profiler weld_profiler;
weld_profiler *weld_profiler_start(weld_store *s, uint64_t interval_ns, weld_error **err);
void weld_profiler_stop(weld_profiler *p); /* detaches from the store; samples stay */
void weld_profiler_free(weld_profiler *p); /* stops it first if needed */
uint64_t weld_profiler_sample_count(const weld_profiler *p);
/* Folded stacks ("outer;middle;inner TICKS" per line), as flamegraph.pl, speedscope and
 * inferno read them; and a self-contained SVG flame graph. */
bool weld_profiler_write_folded(const weld_profiler *p, const char *path, weld_error **err);
bool weld_profiler_write_svg(const weld_profiler *p, const char *path, const char *title, weld_error **err);

/* ---------- components --------------------------------------------------------------
 *
 * The component model (docs/components.md): a component is decoded and validated once
 * (weld_component_new, binary or text), instantiated any number of times against a
 * linker holding the host's functions, and its exported functions are called with
 * typed values (weld_cval) or with WAVE text, the value notation `weld run --invoke`
 * reads. Values cross through the Canonical ABI exactly as between two components
 * (strings in each side's encoding, lists, records, variants, resources, the spec's
 * traps). Each instance has its own engine and store (default configuration); the
 * linker's store hook can set limits, fuel or a deadline before anything runs. WASI 0.2
 * imports are not provided through this API (`weld run` provides them); the async ABI
 * is not supported (its built-ins say so). */
typedef struct weld_component weld_component;
typedef struct weld_component_linker weld_component_linker;
typedef struct weld_component_instance weld_component_instance;
typedef struct weld_component_func weld_component_func;
typedef struct weld_component_resource weld_component_resource; /* a resource type */
typedef struct weld_component_scratch weld_component_scratch;   /* a host call's memory */

/* The kinds of component value types (WIT's). A fixed-length list is a LIST; a map is
 * a MAP whose items are 2-element TUPLEs (key, value). */
typedef enum weld_ctype_kind {
  WELD_CT_BOOL = 1, WELD_CT_S8, WELD_CT_U8, WELD_CT_S16, WELD_CT_U16, WELD_CT_S32, WELD_CT_U32, WELD_CT_S64,
  WELD_CT_U64, WELD_CT_F32, WELD_CT_F64, WELD_CT_CHAR, WELD_CT_STRING, WELD_CT_LIST, WELD_CT_RECORD,
  WELD_CT_TUPLE, WELD_CT_VARIANT, WELD_CT_ENUM, WELD_CT_OPTION, WELD_CT_RESULT, WELD_CT_FLAGS, WELD_CT_OWN,
  WELD_CT_BORROW, WELD_CT_MAP,
  WELD_CT_OTHER = 100, /* a type this API cannot carry (streams, futures, error contexts) */
} weld_ctype_kind;

/* A component value. `kind` must be the kind of the type it is passed as (checked). */
typedef struct weld_cval weld_cval;
struct weld_cval {
  weld_ctype_kind kind;
  union {
    bool b;                                         /* BOOL */
    int64_t s;                                      /* S8..S64 */
    uint64_t u;                                     /* U8..U64 */
    float f32;
    double f64;
    uint32_t ch;                                    /* CHAR: a Unicode scalar value */
    struct { const char *ptr; size_t len; } str;    /* STRING: UTF-8 */
    struct { weld_cval *items; size_t n; } seq;     /* LIST, MAP, RECORD (fields in order), TUPLE */
    struct { uint32_t index; weld_cval *payload; } var; /* VARIANT and ENUM: the case's index;
                                                       OPTION: 0 none, 1 some; RESULT: 0 ok,
                                                       1 err; payload NULL when the case has
                                                       none */
    uint32_t flags;                                 /* FLAGS: bit i is flag i */
    struct { weld_component_resource *type; uint32_t rep; } handle; /* OWN, BORROW: the
                                                       resource type and the representation
                                                       the host sees */
  } of;
};

/* Decodes and validates a component (binary, or the text format). NULL with *err
 * (MALFORMED or INVALID, with the byte offset) on failure. The bytes are copied. */
weld_component *weld_component_new(const uint8_t *bytes, size_t len, weld_error **err);
void weld_component_free(weld_component *c); /* after every instance made of it */
/* The component's exports and imports by name (`iface#name` style names are not
 * expanded: an exported interface is one entry). */
size_t weld_component_export_count(const weld_component *c);
const char *weld_component_export_name(const weld_component *c, size_t i);
size_t weld_component_import_count(const weld_component *c);
const char *weld_component_import_name(const weld_component *c, size_t i);

/* A host function: args are the function's parameters (nargs of them, typed); when the
 * function has a result it fills *result, allocating strings and arrays with
 * weld_component_scratch_alloc (freed after the call). Returns NULL, or a trap message
 * (copied). */
typedef const char *(*weld_component_host_fn)(void *env, const weld_cval *args, size_t nargs, weld_cval *result,
                                              weld_component_scratch *scratch);
void *weld_component_scratch_alloc(weld_component_scratch *s, size_t n); /* NULL when out of memory */
/* Called once an instance's store exists, before anything runs in it. */
typedef void (*weld_component_store_fn)(void *env, weld_store *store);

weld_component_linker *weld_component_linker_new(void);
void weld_component_linker_free(weld_component_linker *l); /* after the instances made with it */
/* The function `name` of the imported instance `iface` (e.g. "my:pkg/api@1.0.0"), or a
 * function imported directly (iface NULL). False when out of memory. */
bool weld_component_linker_define_func(weld_component_linker *l, const char *iface, const char *name,
                                       weld_component_host_fn fn, void *env);
/* A resource type the host implements (`name` in the imported instance `iface`): host
 * functions hand out handles as {this type, a representation of the host's choosing};
 * drop(env, rep) runs when the guest drops an own handle (drop may be NULL). Owned by
 * the linker; NULL when out of memory. */
weld_component_resource *weld_component_linker_define_resource(weld_component_linker *l, const char *iface,
                                                               const char *name, void (*drop)(void *env, uint32_t rep),
                                                               void *env);
void weld_component_linker_on_store(weld_component_linker *l, weld_component_store_fn fn, void *env);

/* Instantiates c with the imports in l (NULL: none). NULL with *err on failure: LINK for
 * an import the linker lacks or whose type differs, a trap in a start function, LIMIT
 * with "not supported: ..." for a feature weld does not run. */
weld_component_instance *weld_component_instantiate(const weld_component *c, const weld_component_linker *l,
                                                    weld_error **err);
void weld_component_instance_free(weld_component_instance *inst);
/* An exported function: "name", or "iface#name" for a function of an exported instance
 * (a plain name also finds the one exported instance that has it). NULL when none. */
weld_component_func *weld_component_instance_func(weld_component_instance *inst, const char *name);
size_t weld_component_func_param_count(const weld_component_func *f);
const char *weld_component_func_param_name(const weld_component_func *f, size_t i);
weld_ctype_kind weld_component_func_param_kind(const weld_component_func *f, size_t i);
bool weld_component_func_has_result(const weld_component_func *f);
weld_ctype_kind weld_component_func_result_kind(const weld_component_func *f); /* 0 without */

/* Calls f. args must match its parameters (kinds checked all the way down, integers
 * range-checked, strings valid UTF-8): otherwise false with *err (USAGE) and nothing runs.
 * A trap: false with *trap (the instance may not be entered again, as the component
 * model requires). *result (when f has one) and everything it points to stay valid until
 * the next call on this instance or its free. */
bool weld_component_call(weld_component_func *f, const weld_cval *args, size_t nargs, weld_cval *result,
                         weld_trap **trap, weld_error **err);
/* The same with WAVE text: `name(arg, ...)`; *result_text (malloc'd, free it) is the
 * result in WAVE, "" for a function without one. */
bool weld_component_call_wave(weld_component_instance *inst, const char *call, char **result_text, weld_trap **trap,
                              weld_error **err);

/* ---------- misc ---------------------------------------------------------------- */

const char *weld_version(void);

#if defined(__GNUC__) && !defined(_WIN32)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif

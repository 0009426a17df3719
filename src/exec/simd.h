/* exec: the semantics of the fixed-width SIMD instructions (the 0xFD opcodes), one
 * function per instruction, executed with the host's vector instructions where it has
 * them (simd_x86.c) and in plain C everywhere else (simd_portable.c, also the reference
 * the vector code is tested against). simd_select.c picks one implementation per process.
 *
 * The interpreter looks an instruction up once, at translation time, and keeps the
 * function pointer in its internal code; executing the instruction is one indirect call
 * on 16-byte values that live in the frame.
 *
 * Conventions shared by every function:
 *  - Values are exec_v128 in host memory with lane 0 at the lowest address (WebAssembly's
 *    little-endian lane order; the library requires a little-endian host). Pointers need
 *    only 8-byte alignment: frame slots are 8-byte aligned and the code never assumes 16.
 *  - The result pointer may alias any operand: every function reads all of its inputs
 *    before it writes the result.
 *  - Scalar operands and results travel as raw 64-bit slot contents. An i32 or f32
 *    operand is read from the low 32 bits and the high half is ignored; an i32 or f32
 *    result comes back zero-extended to 64 bits (i8/i16 extract_lane_s sign-extend to
 *    32 bits first); i64 and f64 use all 64 bits. f32/f64 are IEEE bit patterns.
 *  - Lane immediates are trusted: the validator has checked lane < lanes and shuffle
 *    indices < 32.
 *  - Memory forms take a pointer to the accessed bytes, already bounds-checked by the
 *    caller for `bytes` bytes (no alignment needed).
 */
#ifndef WELD_EXEC_SIMD_H
#define WELD_EXEC_SIMD_H

#include <stdint.h>

#include "../wasm/opcodes.h"

typedef union exec_v128 {
  uint8_t u8[16];
  int8_t i8[16];
  uint16_t u16[8];
  int16_t i16[8];
  uint32_t u32[4];
  int32_t i32[4];
  uint64_t u64[2];
  int64_t i64[2];
  float f32[4];
  double f64[2];
} exec_v128;

/* How an entry's function is called (which member of exec_simd_fn is set). */
typedef enum exec_simd_shape {
  EXEC_SIMD_NONE = 0,    /* not provided by the library (v128.load, v128.store, v128.const) */
  EXEC_SIMD_UNOP,        /* d = op(a)                                  */
  EXEC_SIMD_BINOP,       /* d = op(a, b)          (b is the top of the operand stack) */
  EXEC_SIMD_TERNOP,      /* d = op(a, b, c)       (v128.bitselect: c is the mask) */
  EXEC_SIMD_SHIFT,       /* d = op(a, count)      (count is the raw i32; taken mod lane width) */
  EXEC_SIMD_SPLAT,       /* d = op(x)             (x: raw scalar slot) */
  EXEC_SIMD_EXTRACT,     /* slot = op(a, lane)    */
  EXEC_SIMD_REPLACE,     /* d = op(a, x, lane)    */
  EXEC_SIMD_SHUFFLE,     /* d = op(a, b, lanes)   (i8x16.shuffle: the 16 immediate bytes) */
  EXEC_SIMD_TEST,        /* i32 = op(a)           (any_true, all_true, bitmask) */
  EXEC_SIMD_LOAD,        /* d = op(src)           (load-extend, load-splat, load-zero) */
  EXEC_SIMD_LOAD_LANE,   /* d = op(a, src, lane)  */
  EXEC_SIMD_STORE_LANE,  /* op(dst, a, lane)      */
} exec_simd_shape;

typedef void (*exec_simd_unop_fn)(exec_v128 *d, const exec_v128 *a);
typedef void (*exec_simd_binop_fn)(exec_v128 *d, const exec_v128 *a, const exec_v128 *b);
typedef void (*exec_simd_ternop_fn)(exec_v128 *d, const exec_v128 *a, const exec_v128 *b,
                                    const exec_v128 *c);
typedef void (*exec_simd_shift_fn)(exec_v128 *d, const exec_v128 *a, uint32_t count);
typedef void (*exec_simd_splat_fn)(exec_v128 *d, uint64_t x);
typedef uint64_t (*exec_simd_extract_fn)(const exec_v128 *a, uint32_t lane);
typedef void (*exec_simd_replace_fn)(exec_v128 *d, const exec_v128 *a, uint64_t x, uint32_t lane);
typedef void (*exec_simd_shuffle_fn)(exec_v128 *d, const exec_v128 *a, const exec_v128 *b,
                                     const uint8_t lanes[16]);
typedef uint32_t (*exec_simd_test_fn)(const exec_v128 *a);
typedef void (*exec_simd_load_fn)(exec_v128 *d, const uint8_t *src);
typedef void (*exec_simd_load_lane_fn)(exec_v128 *d, const exec_v128 *a, const uint8_t *src,
                                       uint32_t lane);
typedef void (*exec_simd_store_lane_fn)(uint8_t *dst, const exec_v128 *a, uint32_t lane);

typedef union exec_simd_fn {
  void (*any)(void);     /* for "is it set" checks only */
  exec_simd_unop_fn unop;
  exec_simd_binop_fn binop;
  exec_simd_ternop_fn ternop;
  exec_simd_shift_fn shift;
  exec_simd_splat_fn splat;
  exec_simd_extract_fn extract;
  exec_simd_replace_fn replace;
  exec_simd_shuffle_fn shuffle;
  exec_simd_test_fn test;
  exec_simd_load_fn load;
  exec_simd_load_lane_fn load_lane;
  exec_simd_store_lane_fn store_lane;
} exec_simd_fn;

typedef struct exec_simd_entry {
  uint8_t shape;   /* exec_simd_shape */
  uint8_t bytes;   /* LOAD, LOAD_LANE, STORE_LANE: bytes of memory accessed; else 0 */
  uint8_t lanes;   /* EXTRACT, REPLACE, LOAD_LANE, STORE_LANE: lane count; else 0 */
  exec_simd_fn fn;
} exec_simd_entry;

/* The entry for a SIMD opcode in the implementation chosen for this process, or NULL
 * for a non-SIMD opcode and for v128.load, v128.store and v128.const (16-byte copies the
 * interpreter does itself). Thread-safe; the choice is made on the first call. */
const exec_simd_entry *exec_simd_op(wasm_opcode op);

/* "avx2", "sse4.1" or "portable". */
const char *exec_simd_impl_name(void);

/* Whether the interpreter may run its hot SIMD operations inline with the compiler's
 * vector types (interp_simd.def) instead of through exec_simd_op: yes unless the build
 * (WELD_PORTABLE_SIMD) or the environment (WELD_SIMD=portable) forces the portable code. */
int exec_simd_vector_inline(void);

/* i8x16.shuffle with its index work done once, at translation time: `masks` holds the 32
 * bytes exec_simd_shuffle_masks made from the 16 lane immediates (one pshufb mask per
 * operand). NULL when the chosen implementation has no such form (then use the entry's
 * shuffle with the lanes). */
typedef void (*exec_simd_shuffle_masked_fn)(exec_v128 *d, const exec_v128 *a,
                                            const exec_v128 *b, const uint8_t masks[32]);
exec_simd_shuffle_masked_fn exec_simd_shuffle_masked(void);
void exec_simd_shuffle_masks(const uint8_t lanes[16], uint8_t masks[32]);

/* ---------- implementations (for simd_select.c, tests and benchmarks) ----------------- */

typedef enum exec_simd_impl {
  EXEC_SIMD_IMPL_PORTABLE,
  EXEC_SIMD_IMPL_SSE41,
  EXEC_SIMD_IMPL_AVX2,
  EXEC_SIMD_IMPL_COUNT
} exec_simd_impl;

/* Whether an implementation is compiled in and the CPU can run it. */
int exec_simd_impl_available(exec_simd_impl impl);
const char *exec_simd_impl_label(exec_simd_impl impl);
/* Like exec_simd_op for a given implementation; NULL when it is not available. */
const exec_simd_entry *exec_simd_op_in(exec_simd_impl impl, wasm_opcode op);

/* The 0xFD rows are contiguous in opcodes.def (the SIMD instructions, then relaxed SIMD);
 * tables are indexed by op - EXEC_SIMD_FIRST. */
#define EXEC_SIMD_FIRST WASM_OP_V128_LOAD
#define EXEC_SIMD_NOPS (WASM_OP_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S - WASM_OP_V128_LOAD + 1)
/* The relaxed SIMD rows: [EXEC_SIMD_RELAXED_FIRST, EXEC_SIMD_FIRST + EXEC_SIMD_NOPS). */
#define EXEC_SIMD_RELAXED_FIRST WASM_OP_I8X16_RELAXED_SWIZZLE

#define EXEC_SIMD_IDX(id) (WASM_OP_##id - EXEC_SIMD_FIRST)
/* One entry stored into the table `t` of a fill function (exec_simd_*_fill), entries
 * separated by commas: EXEC_SIMD_ENTRY(I8X16_ADD, BINOP, binop, fn, 0, 0). The tables are
 * filled on first use, not initialised: tables of function pointers in a
 * position-independent weld are relocated, so written, by the dynamic loader at every
 * start of every process (3 x 4 KiB, 1,500 relocations), SIMD or not. */
#define EXEC_SIMD_ENTRY(id, SHAPE, member, f, nbytes, nlanes)                             \
  (t[EXEC_SIMD_IDX(id)] = (exec_simd_entry){.shape = EXEC_SIMD_##SHAPE, .bytes = (nbytes), \
                                            .lanes = (nlanes), .fn.member = (f)})
#define EXEC_SIMD_E_UNOP(id, f) EXEC_SIMD_ENTRY(id, UNOP, unop, f, 0, 0)
#define EXEC_SIMD_E_BINOP(id, f) EXEC_SIMD_ENTRY(id, BINOP, binop, f, 0, 0)
#define EXEC_SIMD_E_TERNOP(id, f) EXEC_SIMD_ENTRY(id, TERNOP, ternop, f, 0, 0)
#define EXEC_SIMD_E_SHIFT(id, f) EXEC_SIMD_ENTRY(id, SHIFT, shift, f, 0, 0)
#define EXEC_SIMD_E_TEST(id, f) EXEC_SIMD_ENTRY(id, TEST, test, f, 0, 0)
#define EXEC_SIMD_E_SPLAT(id, f) EXEC_SIMD_ENTRY(id, SPLAT, splat, f, 0, 0)
#define EXEC_SIMD_E_SHUFFLE(id, f) EXEC_SIMD_ENTRY(id, SHUFFLE, shuffle, f, 0, 0)
#define EXEC_SIMD_E_EXTRACT(id, f, n) EXEC_SIMD_ENTRY(id, EXTRACT, extract, f, 0, n)
#define EXEC_SIMD_E_REPLACE(id, f, n) EXEC_SIMD_ENTRY(id, REPLACE, replace, f, 0, n)
#define EXEC_SIMD_E_LOAD(id, f, nbytes) EXEC_SIMD_ENTRY(id, LOAD, load, f, nbytes, 0)
#define EXEC_SIMD_E_LOAD_LANE(id, f, nbytes)                                               \
  EXEC_SIMD_ENTRY(id, LOAD_LANE, load_lane, f, nbytes, 16 / (nbytes))
#define EXEC_SIMD_E_STORE_LANE(id, f, nbytes)                                              \
  EXEC_SIMD_ENTRY(id, STORE_LANE, store_lane, f, nbytes, 16 / (nbytes))

/* The vector implementations exist on x86-64 unless the build forces the portable path. */
#if defined(__x86_64__) && !(defined(WELD_PORTABLE_SIMD) && WELD_PORTABLE_SIMD)
#define EXEC_SIMD_HAVE_X86 1
#else
#define EXEC_SIMD_HAVE_X86 0
#endif

/* Complete portable table (simd_portable.c). */
extern exec_simd_entry exec_simd_portable_ops[EXEC_SIMD_NOPS];
/* Partial tables (simd_x86.c): an entry with shape NONE falls back to the tier below
 * (AVX2 -> SSE4.1 -> portable). Only linked on x86 builds without WELD_PORTABLE_SIMD. */
extern exec_simd_entry exec_simd_sse41_ops[EXEC_SIMD_NOPS];
extern exec_simd_entry exec_simd_avx2_ops[EXEC_SIMD_NOPS];
/* Fill the tables above; called once, by exec_simd_op_in (simd_select.c), before any
 * read of them. */
void exec_simd_portable_fill(void);
void exec_simd_x86_fill(void);
/* The SSE4.1 form of exec_simd_shuffle_masked (simd_x86.c). */
void exec_simd_sse41_shuffle_masked(exec_v128 *d, const exec_v128 *a, const exec_v128 *b,
                                    const uint8_t masks[32]);

#endif

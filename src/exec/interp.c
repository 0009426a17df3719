/* The interpreter: runs the internal code made by compile.c. Direct-threaded (each
 * instruction starts with its handler's address) with a switch fallback; frames are
 * arrays of 8-byte slots on the thread's value stack and instructions name their slots.
 * WebAssembly calls never recurse on the C stack: a call pushes a record (return address,
 * frame, code, instance) that grows down from the end of the value stack. Handlers are
 * generated from interp_ops.def where they follow a pattern; README.md has the format. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code.h"
#include "gc.h"
#include "simd.h"

/* WebAssembly float ops round each step: never fuse a*b+c (also -ffp-contract=off). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Units of work between two looks at fuel and the interrupt flag. */
#define BUDGET_CHUNK 65536
#define DEFAULT_MAX_DEPTH EXEC_DEFAULT_MAX_DEPTH
/* Host -> WebAssembly re-entry does recurse on the C stack (a few hundred bytes of ours per
 * level plus the host's frames), so it has its own, smaller bound. */
#define MAX_NESTING 1000

static _Thread_local uint32_t invoke_nesting;

/* ---------- value representation -------------------------------------------------------
 * An i32 is the low 32 bits of its slot (the high half is unspecified: readers truncate),
 * an i64 the whole slot, a float its IEEE bits in the same places, a reference a pointer. */

static inline float f32_of(uint32_t b) {
  float f;
  memcpy(&f, &b, 4);
  return f;
}
static inline uint32_t bits_f32(float f) {
  uint32_t b;
  memcpy(&b, &f, 4);
  return b;
}
static inline double f64_of(uint64_t b) {
  double f;
  memcpy(&f, &b, 8);
  return f;
}
static inline uint64_t bits_f64(double f) {
  uint64_t b;
  memcpy(&b, &f, 8);
  return b;
}

#define T_i32 uint32_t
#define T_i64 uint64_t
#define T_f32 float
#define T_f64 double
#define RD_i32(s) ((uint32_t)(s))
#define RD_i64(s) ((uint64_t)(s))
#define RD_f32(s) f32_of((uint32_t)(s))
#define RD_f64(s) f64_of((uint64_t)(s))
#define WR_i32(v) ((exec_slot)(uint32_t)(v))
#define WR_i64(v) ((exec_slot)(uint64_t)(v))
#define WR_f32(v) ((exec_slot)bits_f32(v))
#define WR_f64(v) ((exec_slot)bits_f64(v))
#define IMM_i32(u) ((uint32_t)(u))
#define IMM_i64(u) ((uint64_t)(int64_t)(int32_t)(u))

/* WebAssembly min/max: NaN in, NaN out; -0 is below +0. */
static inline float exec_fmin32(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return f32_of(bits_f32(a) | bits_f32(b));
  return a < b ? a : b;
}
static inline float exec_fmax32(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return f32_of(bits_f32(a) & bits_f32(b));
  return a > b ? a : b;
}
static inline double exec_fmin64(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return f64_of(bits_f64(a) | bits_f64(b));
  return a < b ? a : b;
}
static inline double exec_fmax64(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return f64_of(bits_f64(a) & bits_f64(b));
  return a > b ? a : b;
}

/* Rounding: libm may hand a signaling NaN back unchanged, WebAssembly wants it quieted. */
static inline float exec_round32(float a, float r) { return a != a ? a + a : r; }
static inline double exec_round64(double a, double r) { return a != a ? a + a : r; }

/* Saturating truncations: NaN is 0, out-of-range values clamp. */
static inline uint32_t exec_sat_i32_f32_s(float a) {
  if (a != a) return 0;
  if (a < -2147483648.0f) return 0x80000000u;
  if (a >= 2147483648.0f) return 0x7fffffffu;
  return (uint32_t)(int32_t)a;
}
static inline uint32_t exec_sat_i32_f32_u(float a) {
  if (!(a > -1.0f)) return 0;
  if (a >= 4294967296.0f) return 0xffffffffu;
  return (uint32_t)a;
}
static inline uint32_t exec_sat_i32_f64_s(double a) {
  if (a != a) return 0;
  if (a <= -2147483649.0) return 0x80000000u;
  if (a >= 2147483648.0) return 0x7fffffffu;
  return (uint32_t)(int32_t)a;
}
static inline uint32_t exec_sat_i32_f64_u(double a) {
  if (!(a > -1.0)) return 0;
  if (a >= 4294967296.0) return 0xffffffffu;
  return (uint32_t)a;
}
static inline uint64_t exec_sat_i64_f32_s(float a) {
  if (a != a) return 0;
  if (a < -9223372036854775808.0f) return 0x8000000000000000ull;
  if (a >= 9223372036854775808.0f) return 0x7fffffffffffffffull;
  return (uint64_t)(int64_t)a;
}
static inline uint64_t exec_sat_i64_f32_u(float a) {
  if (!(a > -1.0f)) return 0;
  if (a >= 18446744073709551616.0f) return 0xffffffffffffffffull;
  return (uint64_t)a;
}
static inline uint64_t exec_sat_i64_f64_s(double a) {
  if (a != a) return 0;
  if (a < -9223372036854775808.0) return 0x8000000000000000ull;
  if (a >= 9223372036854775808.0) return 0x7fffffffffffffffull;
  return (uint64_t)(int64_t)a;
}
static inline uint64_t exec_sat_i64_f64_u(double a) {
  if (!(a > -1.0)) return 0;
  if (a >= 18446744073709551616.0) return 0xffffffffffffffffull;
  return (uint64_t)a;
}

/* Linear memory is little-endian. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE16(x) __builtin_bswap16(x)
#define LE32(x) __builtin_bswap32(x)
#define LE64(x) __builtin_bswap64(x)
#else
#define LE16(x) (x)
#define LE32(x) (x)
#define LE64(x) (x)
#endif

static inline uint16_t exec_ld16(const uint8_t *p) {
  uint16_t v;
  memcpy(&v, p, 2);
  return LE16(v);
}
static inline uint32_t exec_ld32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return LE32(v);
}
static inline uint64_t exec_ld64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return LE64(v);
}
static inline void exec_st16(uint8_t *p, uint16_t v) {
  v = LE16(v);
  memcpy(p, &v, 2);
}
static inline void exec_st32(uint8_t *p, uint32_t v) {
  v = LE32(v);
  memcpy(p, &v, 4);
}
static inline void exec_st64(uint8_t *p, uint64_t v) {
  v = LE64(v);
  memcpy(p, &v, 8);
}

/* Vector types for the inline SIMD handlers (interp_simd.def): 16 bytes, lane 0 at the
 * lowest address; frames hold them as two slots and memcpy moves them. */
typedef uint8_t vu8 __attribute__((vector_size(16)));
typedef int8_t vi8 __attribute__((vector_size(16)));
typedef uint16_t vu16 __attribute__((vector_size(16)));
typedef int16_t vi16 __attribute__((vector_size(16)));
typedef uint32_t vu32 __attribute__((vector_size(16)));
typedef int32_t vi32 __attribute__((vector_size(16)));
typedef uint64_t vu64 __attribute__((vector_size(16)));
typedef int64_t vi64 __attribute__((vector_size(16)));
typedef float vf32 __attribute__((vector_size(16)));
typedef double vf64 __attribute__((vector_size(16)));
typedef int8_t vi8x8 __attribute__((vector_size(8)));
typedef uint8_t vu8x8 __attribute__((vector_size(8)));
typedef int16_t vi16x4 __attribute__((vector_size(8)));
typedef uint16_t vu16x4 __attribute__((vector_size(8)));
typedef int32_t vi32x2 __attribute__((vector_size(8)));
typedef uint32_t vu32x2 __attribute__((vector_size(8)));

/* Every v128 is moved as one 16-byte access: a vector load of two slots written by two
 * 8-byte stores misses store-to-load forwarding and stalls (measurably, in SIMD loops
 * whose temporaries pass through MOV2, constants and lane writes). */
static inline void v128_copy(exec_slot *d, const void *s) {
  vu64 v;
  memcpy(&v, s, 16);
  memcpy(d, &v, 16);
}
/* A lane of n = 1, 2, 4 or 8 bytes, copied with a fixed size (no memmove call). */
static inline void lane_copy(uint8_t *d, const uint8_t *s, uint32_t n) {
  switch (n) {
  case 1: *d = *s; break;
  case 2: memcpy(d, s, 2); break;
  case 4: memcpy(d, s, 4); break;
  default: memcpy(d, s, 8); break;
  }
}
static inline void v128_put(exec_slot *d, uint64_t lo, uint64_t hi) {
  vu64 v = {lo, hi};
  memcpy(d, &v, 16);
}

/* The VLOAD forms of interp_simd.def: widen 8 bytes lane by lane (SSE2 unpacks), splat
 * one value, or zero-fill above it. `p` is bounds-checked memory, `d` two frame slots. */
#define VLD_EXT(name, NT, WT)                                                            \
  static inline void name(exec_slot *d, const uint8_t *p) {                              \
    NT x;                                                                                \
    memcpy(&x, p, 8);                                                                    \
    WT r = __builtin_convertvector(x, WT);                                               \
    memcpy(d, &r, 16);                                                                   \
  }
VLD_EXT(vld_8x8_s, vi8x8, vi16)
VLD_EXT(vld_8x8_u, vu8x8, vu16)
VLD_EXT(vld_16x4_s, vi16x4, vi32)
VLD_EXT(vld_16x4_u, vu16x4, vu32)
VLD_EXT(vld_32x2_s, vi32x2, vi64)
VLD_EXT(vld_32x2_u, vu32x2, vu64)
#undef VLD_EXT
static inline void vld_splat8(exec_slot *d, const uint8_t *p) {
  vu8 r = (vu8){0} + p[0];
  memcpy(d, &r, 16);
}
static inline void vld_splat16(exec_slot *d, const uint8_t *p) {
  vu16 r = (vu16){0} + exec_ld16(p);
  memcpy(d, &r, 16);
}
static inline void vld_splat32(exec_slot *d, const uint8_t *p) {
  vu32 r = (vu32){0} + exec_ld32(p);
  memcpy(d, &r, 16);
}
static inline void vld_splat64(exec_slot *d, const uint8_t *p) {
  uint64_t x = exec_ld64(p);
  v128_put(d, x, x);
}
static inline void vld_zero32(exec_slot *d, const uint8_t *p) { v128_put(d, exec_ld32(p), 0); }
static inline void vld_zero64(exec_slot *d, const uint8_t *p) { v128_put(d, exec_ld64(p), 0); }

/* ---------- interruption ------------------------------------------------------------------ */

exec_trap_kind exec_check_interrupt(exec_thread *th) {
  exec_store *s = th->store;
  int why = s ? atomic_load_explicit(&s->interrupt, memory_order_relaxed) : 0;
  if (why == EXEC_INTERRUPT_SAMPLE) {
    /* a sample asked for where no stack is at hand: dropped */
    atomic_compare_exchange_strong(&s->interrupt, &why, 0);
    why = 0;
  }
  if (why) {
    th->budget = 0;
    if (why == EXEC_INTERRUPT_DEADLINE) return EXEC_TRAP_DEADLINE; /* stays set */
    /* a cancel only stops one call; a deadline raised meanwhile survives the exchange */
    int expect = why;
    atomic_compare_exchange_strong(&s->interrupt, &expect, 0);
    return EXEC_TRAP_INTERRUPTED;
  }
  if (s && s->fuel_enabled) {
    /* th->budget is negative: that many units were spent beyond the last grant. */
    uint64_t owed = th->budget < 0 ? (uint64_t)(-th->budget) : 0;
    if (s->fuel < owed) {
      s->fuel = 0;
      th->budget = 0;
      return EXEC_TRAP_OUT_OF_FUEL;
    }
    s->fuel -= owed;
    uint64_t grant = s->fuel < BUDGET_CHUNK ? s->fuel : BUDGET_CHUNK;
    s->fuel -= grant;
    th->budget = (int64_t)grant;
    return EXEC_OK;
  }
  th->budget = BUDGET_CHUNK;
  return EXEC_OK;
}

void exec_budget_clamp(exec_thread *th, uint32_t grant) {
  if (!grant || th->budget <= (int64_t)grant) return;
  /* the excess goes back, so fuel stays exact */
  exec_store *s = th->store;
  if (s && s->fuel_enabled) s->fuel += (uint64_t)(th->budget - (int64_t)grant);
  th->budget = (int64_t)grant;
}

static void budget_begin(exec_thread *th) {
  exec_store *s = th->store;
  if (s && s->fuel_enabled) {
    uint64_t grant = s->fuel < BUDGET_CHUNK ? s->fuel : BUDGET_CHUNK;
    s->fuel -= grant;
    th->budget = (int64_t)grant;
  } else {
    th->budget = BUDGET_CHUNK;
  }
  /* A pending cancel or a passed deadline stops the call at its first check. */
  if (s && atomic_load_explicit(&s->interrupt, memory_order_relaxed)) {
    if (s->fuel_enabled) s->fuel += (uint64_t)th->budget;
    th->budget = 0;
  }
}

/* Gives the unspent part of the grant back, so the store's fuel is exact between calls. */
static void budget_end(exec_thread *th) {
  exec_store *s = th->store;
  if (s && s->fuel_enabled && th->budget > 0) s->fuel += (uint64_t)th->budget;
  th->budget = 0;
}

/* ---------- bulk operations ---------------------------------------------------------------
 * memory.copy/fill/init, table.copy/fill/init and the two grows do work proportional to a
 * size operand in one instruction, so they pay fuel by size — one unit per 64 bytes moved
 * or filled (a table element is 8 bytes: one unit per 8 elements), one unit per page a
 * memory grows (the kernel zero-fills pages lazily; touching them is paid by the
 * instructions that touch) — charged whole through the budget before anything is
 * written, so running out of fuel leaves memory and tables untouched. Past EXEC_BULK_CHUNK bytes
 * the work goes in chunks with a look at the interrupt flag between them, so a deadline
 * or a cancel stops even one 4 GiB fill within a chunk: the run is aborted, and the part
 * already written stays written (the only way a bulk operation is observably partial). */
#define BULK_SHIFT 6                 /* bytes per fuel unit: 64 */
#define BULK_ELEM_SHIFT 3            /* table elements per fuel unit: 8 */

/* The chunked helpers (exec_bulk_move, exec_bulk_fill, exec_bulk_fill_refs) are in bulk.c. */

/* ---------- backtraces -------------------------------------------------------------------- */

static uint32_t frame_offset(const exec_func *f, const exec_unit *ip, bool is_return) {
  const exec_code *c = f->code;
  if (!c || !c->code) return 0;
  const exec_unit *base = __atomic_load_n((const exec_unit *const *)&c->code, __ATOMIC_ACQUIRE);
  if (base != exec_lazy_stub && exec_rd64(base) == exec_interp_handlers()[EXEC_IOP_NATIVE]) {
    /* compiled, running its internal code (the NATIVE instruction declined) */
    const exec_native *n = (const exec_native *)(uintptr_t)exec_rd64(base + 2);
    /* at the NATIVE instruction itself (the entry's interruption check, before it ran):
     * the function's first position */
    if (ip == base) ip = n->code;
    base = n->code;
  }
  if (base == exec_lazy_stub && ip == base && f->inst && !c->icode) {
    /* stopped at its lazy entry (the entry's interruption check) before its first
     * instruction was ever translated: the first position, as for any other function */
    exec_module *em = (exec_module *)f->inst->module;
    util_error e = {0};
    (void)exec_code_translate(em, (uint32_t)(c - em->codes), &e);
    util_error_clear(&e);
  }
  size_t len = 0;
  const exec_unit *icode = exec_code_internal(c, &len);
  if (ip == exec_lazy_stub && icode) ip = icode;
  base = icode;
  if (!base || ip < base || ip >= base + len / sizeof(exec_unit)) {
    return f->inst ? f->inst->module->wasm->funcs[f->index].code_offset : 0;
  }
  uint32_t pos = (uint32_t)(ip - base);
  if (is_return && pos) pos--; /* a return address points past the call */
  uint32_t off = exec_code_wasm_offset(c, pos);
  if (!off && f->inst) off = f->inst->module->wasm->funcs[f->index].code_offset;
  return off;
}

/* The function whose code runs in instance `inst`. */
static exec_func *func_of(exec_instance *inst, const exec_code *code) {
  return inst->defined_funcs + (code - inst->module->codes);
}

static void bt_reset(exec_thread *th) {
  th->nbt = 0;
  th->bt_total = 0;
  th->bt_gap_func = NULL;
}
void exec_bt_reset(exec_thread *th) { bt_reset(th); }

/* Adds the next frame outwards. The backtrace keeps the innermost frames and the
 * EXEC_BT_OUTER outermost ones: frames arrive innermost first, so once it is full the
 * outer part is a window that slides outwards, and what slides out of it is the skipped
 * middle (summarised by its function when they all ran one). Compiled code (src/jit) and
 * every activation of the interpreter add through here, so a stack that mixes them keeps
 * the same frames as one that does not. */
static void bt_add(exec_thread *th, exec_func *f, uint32_t off) {
  if (th->nbt < EXEC_BT_MAX) {
    th->bt_func[th->nbt] = f;
    th->bt_offset[th->nbt] = off;
    th->bt_depth[th->nbt] = th->bt_total;
    th->nbt++;
    th->bt_total++;
    return;
  }
  const size_t d = EXEC_BT_MAX - EXEC_BT_OUTER, n = EXEC_BT_OUTER - 1;
  exec_func *dropped = th->bt_func[d];
  if (th->bt_total == th->nbt) th->bt_gap_func = dropped; /* the first one skipped */
  else if (th->bt_gap_func != dropped) th->bt_gap_func = NULL;
  memmove(&th->bt_func[d], &th->bt_func[d + 1], n * sizeof th->bt_func[0]);
  memmove(&th->bt_offset[d], &th->bt_offset[d + 1], n * sizeof th->bt_offset[0]);
  memmove(&th->bt_depth[d], &th->bt_depth[d + 1], n * sizeof th->bt_depth[0]);
  th->bt_func[EXEC_BT_MAX - 1] = f;
  th->bt_offset[EXEC_BT_MAX - 1] = off;
  th->bt_depth[EXEC_BT_MAX - 1] = th->bt_total;
  th->bt_total++;
}
void exec_bt_add(exec_thread *th, exec_func *f, uint32_t off) { bt_add(th, f, off); }

/* The frames of one activation of run(): the current one, then the callers' records
 * from rp up to rp_entry. */
static void bt_activation(exec_thread *th, exec_func *cur, const exec_unit *ip, const exec_frame_rec *rp,
                          const exec_frame_rec *rp_entry) {
  size_t nrec = (size_t)(rp_entry - rp);
  if (cur) bt_add(th, cur, frame_offset(cur, ip, false)); /* NULL: compiled code added it */
  for (size_t k = 0; k < nrec; k++) {
    const exec_frame_rec *r = rp + k;
    exec_func *f = func_of(r->inst, r->code);
    bt_add(th, f, frame_offset(f, r->ip, true));
  }
}

/* ---------- sampling ---------------------------------------------------------------------- */

/* The interruption check's slow path inside run(): a sample request is served here, where
 * the running activation's stack is known, and then the usual check runs. Out of line,
 * so the hot path keeps its one decrement and branch. */
__attribute__((noinline)) static exec_trap_kind interrupt_here(exec_thread *th, exec_instance *inst,
                                                               const exec_code *code,
                                                               const exec_frame_rec *rp,
                                                               const exec_frame_rec *rp_entry, bool back) {
  exec_store *s = th->store;
  int expect = EXEC_INTERRUPT_SAMPLE;
  if (s && atomic_load_explicit(&s->interrupt, memory_order_relaxed) == EXEC_INTERRUPT_SAMPLE &&
      atomic_compare_exchange_strong(&s->interrupt, &expect, 0) && s->sampler) {
    exec_sampler *sm = s->sampler;
    size_t depth = (size_t)(rp_entry - rp) + 1, n = 0;
    /* outermost first: the records from the entry down, then the running function */
    for (const exec_frame_rec *r = rp_entry; r-- > rp && n < sm->cap;) sm->buf[n++] = func_of(r->inst, r->code);
    if (n < sm->cap) sm->buf[n++] = func_of(inst, code);
    sm->take(sm, sm->buf, n, depth);
  }
  const exec_module *em = inst->module;
  /* at a back-edge, a tier with on-stack replacement hears of it through jit_osr */
  if (em->jit_tick && !(back && em->jit_osr)) em->jit_tick((exec_module *)em, (uint32_t)(code - em->codes));
  exec_trap_kind k = exec_check_interrupt(th);
  if (k == EXEC_OK) exec_budget_clamp(th, em->osr_grant);
  return k;
}

/* ---------- the interpreter loop ---------------------------------------------------------- */

static exec_memory no_memory;

#define U(k) (ip[2 + (k)])
#define S(k) (fp[U(k)])
#define IMM64 exec_rd64(ip + 2)
#define SZ(nops) ((2u + (nops) + 1u) & ~1u)

#if WELD_SWITCH_DISPATCH
#define HANDLER(n) case EXEC_IOP_##n:
#define NEXT() goto dispatch
#else
#define HANDLER(n) L_##n:
#define NEXT() goto *(void *)(uintptr_t)exec_rd64(ip)
#endif
#define DISPATCH(n)                                                                      \
  do {                                                                                   \
    ip += (n);                                                                           \
    NEXT();                                                                              \
  } while (0)
#define JUMP(k)                                                                          \
  do {                                                                                   \
    ip += (int32_t)U(k);                                                                 \
    NEXT();                                                                              \
  } while (0)
#define TRAP(k)                                                                          \
  do {                                                                                   \
    trap = (k);                                                                          \
    goto do_trap;                                                                        \
  } while (0)
/* The running frame leaves the interpreter (a host call, compiled code, an allocation):
 * record it for the collector, `ret` being the position just after the instruction. */
#define SAFEPOINT(ret)                                                                   \
  do {                                                                                   \
    act->rp = rp;                                                                        \
    act->fp = fp;                                                                        \
    act->code = code;                                                                    \
    act->ip = (ret);                                                                     \
  } while (0)
#define BUDGET()                                                                         \
  do {                                                                                   \
    if (UNLIKELY(--th->budget < 0)) {                                                    \
      exec_trap_kind k_ = interrupt_here(th, inst, code, rp, rp_entry, false);           \
      if (k_) TRAP(k_);                                                                  \
    }                                                                                    \
  } while (0)
/* The check at a loop back-edge whose target is operand k's jump: the same, and on the
 * slow path a tier with on-stack replacement may take the frame over at the loop header
 * (osr_at: the interpreter jumps there if it declines). */
#define BUDGET_BACK(k)                                                                   \
  do {                                                                                   \
    if (UNLIKELY(--th->budget < 0)) {                                                    \
      exec_trap_kind k_ = interrupt_here(th, inst, code, rp, rp_entry, true);            \
      if (k_) TRAP(k_);                                                                  \
      if (inst->module->jit_osr) {                                                       \
        osr_ip = ip + (int32_t)U(k);                                                     \
        goto osr_at;                                                                     \
      }                                                                                  \
    }                                                                                    \
  } while (0)
/* Charges `units` of bulk work (see above): one subtraction and compare when the budget
 * covers it; otherwise the slow path settles fuel (out of fuel before any write) and
 * looks at the interrupt flag. */
#define BULK_CHARGE(units)                                                               \
  do {                                                                                   \
    uint64_t u_ = (units);                                                               \
    if (UNLIKELY(u_ > (uint64_t)INT64_MAX / 2)) u_ = (uint64_t)INT64_MAX / 2;            \
    th->budget -= (int64_t)u_;                                                           \
    if (UNLIKELY(th->budget < 0)) {                                                      \
      exec_trap_kind k_ = exec_check_interrupt(th);                                      \
      if (k_) TRAP(k_);                                                                  \
    }                                                                                    \
  } while (0)
/* Runs a chunked bulk helper for large sizes; small ones take the plain call. */
#define BULK_DO(bytes, small, big)                                                       \
  do {                                                                                   \
    if (LIKELY((bytes) <= EXEC_BULK_CHUNK)) {                                                 \
      small;                                                                             \
    } else {                                                                             \
      exec_trap_kind k_ = (big);                                                         \
      if (k_) TRAP(k_);                                                                  \
    }                                                                                    \
  } while (0)
#define LOAD_MEM()                                                                       \
  do {                                                                                   \
    mbase = mem->base;                                                                   \
    msize = mem->size;                                                                   \
  } while (0)
#define SET_INST(i)                                                                      \
  do {                                                                                   \
    inst = (i);                                                                          \
    mem = inst->module->wasm->nmemories ? inst->memories[0] : &no_memory;                \
    LOAD_MEM();                                                                          \
  } while (0)

#define MCHK(ea, n)                                                                      \
  do {                                                                                   \
    if (UNLIKELY((ea) + (n) > msize)) TRAP(EXEC_TRAP_MEMORY_OOB);                        \
  } while (0)

/* Declared locals start at zero. Written as a plain loop the compiler must not turn into
 * a memset call: frames usually have a handful of locals. */
#if WELD_SWITCH_DISPATCH
#define ZERO_LOCALS(nfp, cc)                                                             \
  for (uint32_t i_ = (cc)->nparam_slots; i_ < (cc)->nlocal_slots; i_++) (nfp)[i_] = 0
#else
#define ZERO_LOCALS(nfp, cc)                                                             \
  do {                                                                                   \
    exec_slot *z_ = (nfp) + (cc)->nparam_slots, *e_ = (nfp) + (cc)->nlocal_slots;        \
    while (z_ < e_) {                                                                    \
      *z_++ = 0;                                                                         \
      __asm__("" : "+r"(z_));                                                            \
    }                                                                                    \
  } while (0)
#endif

static exec_trap_kind run(exec_thread *th, exec_func *entry, exec_slot *fp, exec_frame_rec *rp,
                          uint64_t *table_out) {
  if (UNLIKELY(th == NULL)) {
#if WELD_SWITCH_DISPATCH
    for (int i = 0; i < EXEC_IOP_COUNT; i++) table_out[i] = (uint64_t)i;
#else
    /* Offsets from one handler's label, not addresses: a table of addresses would be
     * relocated (and so written) by the dynamic loader at every start of a
     * position-independent weld. Every entry is set: the lists below expand the same
     * .def files, macro for macro, as the exec_iop enum (code.h). A plain difference of
     * two labels of this function, which GCC and clang both take as a constant (and
     * only GCC with anything added to it). */
#define LOFF(l) (int32_t)(&&l - &&L_MOV)
    static const int32_t labels[EXEC_IOP_COUNT] = {
#define HAND(n) [EXEC_IOP_##n] = LOFF(L_##n),
#define NUMH(id) [EXEC_IOP_##id] = LOFF(L_##id),
#define NUMHI(id) [EXEC_IOP_##id] = LOFF(L_##id), [EXEC_IOP_##id##_I] = LOFF(L_##id##_I),
#define LOAD(n, sz, e)                                                                   \
  [EXEC_IOP_##n] = LOFF(L_##n), [EXEC_IOP_##n##_AI] = LOFF(L_##n##_AI), [EXEC_IOP_##n##_AR] = LOFF(L_##n##_AR), \
  [EXEC_IOP_##n##_K] = LOFF(L_##n##_K), [EXEC_IOP_##n##_SI] = LOFF(L_##n##_SI), \
  [EXEC_IOP_##n##_SR] = LOFF(L_##n##_SR),
#define STORE(n, sz, st)                                                                 \
  [EXEC_IOP_##n] = LOFF(L_##n), [EXEC_IOP_##n##_AI] = LOFF(L_##n##_AI),                          \
  [EXEC_IOP_##n##_AR] = LOFF(L_##n##_AR), [EXEC_IOP_##n##_I] = LOFF(L_##n##_I),                  \
  [EXEC_IOP_##n##_AI_I] = LOFF(L_##n##_AI_I), [EXEC_IOP_##n##_AR_I] = LOFF(L_##n##_AR_I),        \
  [EXEC_IOP_##n##_K] = LOFF(L_##n##_K), [EXEC_IOP_##n##_K_I] = LOFF(L_##n##_K_I),
#define NUM1(id, ta, tr, e) [EXEC_IOP_##id] = LOFF(L_##id),
#define NUM2(id, ta, tr, e) [EXEC_IOP_##id] = LOFF(L_##id),
#define NUM2I(id, ta, tr, sw, e) [EXEC_IOP_##id] = LOFF(L_##id), [EXEC_IOP_##id##_I] = LOFF(L_##id##_I),
#define CMP(id, ta, inv, sw, e)                                                          \
  [EXEC_IOP_##id] = LOFF(L_##id), [EXEC_IOP_##id##_I] = LOFF(L_##id##_I),                        \
  [EXEC_IOP_BR_##id] = LOFF(L_BR_##id), [EXEC_IOP_BR_##id##_I] = LOFF(L_BR_##id##_I),            \
  [EXEC_IOP_BR_##id##_B] = LOFF(L_BR_##id##_B), [EXEC_IOP_BR_##id##_IB] = LOFF(L_BR_##id##_IB),
#define CMP32(id, ta, inv, sw, e)                                                        \
  CMP(id, ta, inv, sw, e)                                                                \
  [EXEC_IOP_BRINC_##id] = LOFF(L_BRINC_##id), [EXEC_IOP_BRINC_##id##_I] = LOFF(L_BRINC_##id##_I), \
  [EXEC_IOP_BRINC_##id##_B] = LOFF(L_BRINC_##id##_B),                                        \
  [EXEC_IOP_BRINC_##id##_IB] = LOFF(L_BRINC_##id##_IB),                                      \
  [EXEC_IOP_BRINCR_##id] = LOFF(L_BRINCR_##id), [EXEC_IOP_BRINCR_##id##_I] = LOFF(L_BRINCR_##id##_I), \
  [EXEC_IOP_BRINCR_##id##_B] = LOFF(L_BRINCR_##id##_B),                                      \
  [EXEC_IOP_BRINCR_##id##_IB] = LOFF(L_BRINCR_##id##_IB),
#define FCMP(id, ta, e)                                                                  \
  [EXEC_IOP_##id] = LOFF(L_##id), [EXEC_IOP_BR_##id] = LOFF(L_BR_##id),                          \
  [EXEC_IOP_BR_##id##_B] = LOFF(L_BR_##id##_B), [EXEC_IOP_BRN_##id] = LOFF(L_BRN_##id),          \
  [EXEC_IOP_BRN_##id##_B] = LOFF(L_BRN_##id##_B),
#include "interp_ops.def"
#define SHAND(n) [EXEC_IOP_##n] = LOFF(L_##n),
#define VUN(id, vt, e) [EXEC_IOP_V_##id] = LOFF(L_V_##id),
#define VBIN(id, vt, e) [EXEC_IOP_V_##id] = LOFF(L_V_##id),
#define VSHIFT(id, vt, bits, o) [EXEC_IOP_V_##id] = LOFF(L_V_##id),
#define VSPLAT(id, vt, et) [EXEC_IOP_V_##id] = LOFF(L_V_##id),
#define VEXTRACT(id, et, wt) [EXEC_IOP_V_##id] = LOFF(L_V_##id),
#define VREPLACE(id, et) [EXEC_IOP_V_##id] = LOFF(L_V_##id),
#define VLOAD(id, fn, n)                                                                 \
  [EXEC_IOP_V_##id] = LOFF(L_V_##id), [EXEC_IOP_V_##id##_AI] = LOFF(L_V_##id##_AI),              \
  [EXEC_IOP_V_##id##_AR] = LOFF(L_V_##id##_AR),
#include "interp_simd.def"
#define GHAND(n) [EXEC_IOP_##n] = LOFF(L_##n),
#include "interp_gc.def"
#include "interp_undef.h"
    };
#undef LOFF
    for (int i = 0; i < EXEC_IOP_COUNT; i++)
      table_out[i] = (uint64_t)(uintptr_t)((const char *)&&L_MOV + labels[i]);
#endif
    return EXEC_OK;
  }

  exec_frame_rec *const rp_entry = rp;
  /* where the collector finds this activation's frames (SAFEPOINT before leaving) */
  exec_act *const act = th->act;
  /* The running function is (inst, code); the exec_func is only needed for backtraces. */
  const exec_code *code = entry->code;
  const exec_unit *ip = __atomic_load_n((const exec_unit *const *)&code->code, __ATOMIC_ACQUIRE);
  exec_instance *inst = NULL;
  exec_memory *mem = &no_memory;
  uint8_t *mbase = NULL;
  uint64_t msize = 0;
  /* The call depth is the number of records, so the depth limit is a floor for rp. */
  const uint32_t max_depth = th->max_depth ? th->max_depth : DEFAULT_MAX_DEPTH;
  const uint32_t base_depth = th->depth + 1;
  size_t room = (size_t)(rp - (exec_frame_rec *)(void *)th->stack);
  size_t allowed = base_depth < max_depth ? max_depth - base_depth : 0;
  exec_frame_rec *const rp_min = rp - (allowed < room ? allowed : room);
  exec_trap_kind trap = EXEC_OK;
  bool host_trap = false, msg_set = false, native_trap = false;
  /* the pending call of call_any */
  exec_func *cf = NULL;
  uint32_t cbase = 0, cnres = 0;
  const exec_unit *cret = NULL;
  /* a throw puts its exception in th->exn; skip_frame: the running frame was replaced by
   * a tail call of the host function that threw, so its handlers do not apply */
  bool skip_frame = false;
  /* on-stack replacement: the loop header a back-edge goes to; what compiled code returned */
  const exec_unit *osr_ip = NULL;
  exec_trap_kind native_k = EXEC_OK;

  SET_INST(entry->inst);
  BUDGET();
  NEXT();

#if WELD_SWITCH_DISPATCH
dispatch:
  switch ((exec_iop)exec_rd64(ip)) {
#endif

  /* ---- moves and constants ---- */
  HANDLER(MOV) {
    S(0) = S(1);
    DISPATCH(SZ(2));
  }
  HANDLER(MOV2) {
    v128_copy(&fp[U(0)], &fp[U(1)]);
    DISPATCH(SZ(2));
  }
  HANDLER(CONST32) {
    S(0) = U(1);
    DISPATCH(SZ(2));
  }
  HANDLER(CONST64) {
    fp[U(2)] = IMM64;
    DISPATCH(SZ(3));
  }

  /* ---- control ---- */
  HANDLER(UNREACHABLE) { TRAP(EXEC_TRAP_UNREACHABLE); }
  HANDLER(NATIVE) {
    const exec_native *n = (const exec_native *)(uintptr_t)IMM64;
    SAFEPOINT(ip + SZ(2));
    th->stack_top = fp + code->frame_slots;
    th->rec_top = rp;
    th->depth = base_depth + (uint32_t)(rp_entry - rp);
    exec_trap_kind k = n->enter(n, th, inst, fp);
    if (UNLIKELY(k == EXEC_NATIVE_DECLINE)) {
      ip = n->code;
      NEXT();
    }
    native_k = k;
    goto native_done;
  }
  HANDLER(LAZY) {
    /* The function's first call, or a call that read its entry before the translation
     * was published: translate it (once, whichever thread comes first), check the frame
     * again with its final size, and go on in the translated code. */
    exec_module *const lem = (exec_module *)inst->module;
    const exec_unit *icode = __atomic_load_n((const exec_unit *const *)&code->icode, __ATOMIC_ACQUIRE);
    if (UNLIKELY(!icode)) {
      util_error e = {0};
      if (!exec_code_translate(lem, (uint32_t)(code - lem->codes), &e)) {
        snprintf(th->trap_msg, sizeof th->trap_msg, "%s", e.msg[0] ? e.msg : "out of memory");
        util_error_clear(&e);
        msg_set = true;
        TRAP(EXEC_TRAP_LIMIT);
      }
      icode = __atomic_load_n((const exec_unit *const *)&code->icode, __ATOMIC_ACQUIRE);
    }
    if (UNLIKELY(fp + __atomic_load_n(&code->frame_slots, __ATOMIC_ACQUIRE) > (exec_slot *)(rp - 1)))
      TRAP(EXEC_TRAP_STACK_EXHAUSTED);
    ip = icode;
    NEXT();
  }
  HANDLER(BR) { JUMP(0); }
  HANDLER(BR_B) {
    BUDGET_BACK(0);
    JUMP(0);
  }
  HANDLER(BR_NZ) {
    if ((uint32_t)S(0)) JUMP(1);
    DISPATCH(SZ(2));
  }
  HANDLER(BR_NZ_B) {
    if ((uint32_t)S(0)) {
      BUDGET_BACK(1);
      JUMP(1);
    }
    DISPATCH(SZ(2));
  }
  HANDLER(BR_Z) {
    if (!(uint32_t)S(0)) JUMP(1);
    DISPATCH(SZ(2));
  }
  HANDLER(BR_Z_B) {
    if (!(uint32_t)S(0)) {
      BUDGET_BACK(1);
      JUMP(1);
    }
    DISPATCH(SZ(2));
  }
  HANDLER(BR_NZ64) {
    if (S(0)) JUMP(1);
    DISPATCH(SZ(2));
  }
  HANDLER(BR_NZ64_B) {
    if (S(0)) {
      BUDGET_BACK(1);
      JUMP(1);
    }
    DISPATCH(SZ(2));
  }
  HANDLER(BR_Z64) {
    if (!S(0)) JUMP(1);
    DISPATCH(SZ(2));
  }
  HANDLER(BR_Z64_B) {
    if (!S(0)) {
      BUDGET_BACK(1);
      JUMP(1);
    }
    DISPATCH(SZ(2));
  }
  HANDLER(BRINC_NZ) {
    uint32_t x = (uint32_t)S(0) + U(1);
    S(0) = x;
    if (x) JUMP(2);
    DISPATCH(SZ(3));
  }
  HANDLER(BRINC_NZ_B) {
    uint32_t x = (uint32_t)S(0) + U(1);
    S(0) = x;
    if (x) {
      BUDGET_BACK(2);
      JUMP(2);
    }
    DISPATCH(SZ(3));
  }
  HANDLER(BRINC_Z) {
    uint32_t x = (uint32_t)S(0) + U(1);
    S(0) = x;
    if (!x) JUMP(2);
    DISPATCH(SZ(3));
  }
  HANDLER(BRINC_Z_B) {
    uint32_t x = (uint32_t)S(0) + U(1);
    S(0) = x;
    if (!x) {
      BUDGET_BACK(2);
      JUMP(2);
    }
    DISPATCH(SZ(3));
  }
#define INC_BR(inc, test, back)                                                          \
  {                                                                                      \
    uint32_t x = (uint32_t)S(0) + (uint32_t)(inc);                                       \
    S(0) = x;                                                                            \
    if (test) {                                                                          \
      if (back) BUDGET_BACK(2);                                                           \
      JUMP(2);                                                                           \
    }                                                                                    \
    DISPATCH(SZ(3));                                                                     \
  }
  HANDLER(BRINCR_NZ) INC_BR(S(1), x, 0)
  HANDLER(BRINCR_NZ_B) INC_BR(S(1), x, 1)
  HANDLER(BRINCR_Z) INC_BR(S(1), !x, 0)
  HANDLER(BRINCR_Z_B) INC_BR(S(1), !x, 1)
  HANDLER(BRINC_JMP_B) INC_BR(U(1), 1, 1)
  HANDLER(BRINCR_JMP_B) INC_BR(S(1), 1, 1)
#undef INC_BR
  HANDLER(BR_TABLE) {
    uint32_t i = (uint32_t)S(0), n = U(1);
    if (i > n) i = n;
    JUMP(2 + i);
  }
  HANDLER(RET1) {
    fp[0] = S(0);
    goto do_return;
  }
  HANDLER(RET) {
  do_return:
    if (UNLIKELY(rp == rp_entry)) goto done;
    ip = rp->ip;
    fp = rp->fp;
    code = rp->code;
    if (UNLIKELY(rp->inst != inst)) SET_INST(rp->inst);
    else LOAD_MEM(); /* the callee may have grown memory */
    rp++;
    NEXT();
  }
  HANDLER(CALL) {
    const exec_code *cc = (const exec_code *)(uintptr_t)IMM64;
    exec_slot *nfp = fp + U(2);
    /* the entry before the frame size: a translation publishes them the other way round */
    const exec_unit *nip = __atomic_load_n((const exec_unit *const *)&cc->code, __ATOMIC_ACQUIRE);
    if (UNLIKELY(nfp + cc->frame_slots > (exec_slot *)(rp - 1) || rp <= rp_min)) {
      TRAP(EXEC_TRAP_STACK_EXHAUSTED);
    }
    ZERO_LOCALS(nfp, cc);
    rp--;
    rp->ip = ip + SZ(4);
    rp->fp = fp;
    rp->code = code;
    rp->inst = inst;
    code = cc;
    fp = nfp;
    ip = nip;
    BUDGET();
    NEXT();
  }
  HANDLER(CALL_IMPORT) {
    cf = inst->funcs[U(0)];
    cbase = U(1);
    cret = ip + SZ(2);
    goto call_any;
  }
  /* call_indirect and return_call_indirect share the operand layout: type id, table,
   * (base), element index slot. Sets cf to the checked callee or traps. */
#define INDIRECT_CALLEE()                                                                \
  do {                                                                                   \
    exec_table *tab = inst->tables[U(1)];                                                \
    uint32_t i = (uint32_t)S(3);                                                         \
    if (UNLIKELY(i >= tab->size)) TRAP(EXEC_TRAP_UNDEFINED_ELEMENT);                      \
    cf = (exec_func *)tab->elems[i];                                                     \
    if (UNLIKELY(!cf) && !(cf = exec_table_get(tab, i))) {                               \
      /* the reference interpreter's full wording names the element */                   \
      snprintf(th->trap_msg, sizeof th->trap_msg, "uninitialized element %u", i);        \
      msg_set = true;                                                                    \
      TRAP(EXEC_TRAP_UNINITIALIZED_ELEMENT);                                             \
    }                                                                                    \
    if (UNLIKELY(cf->typeid != U(0)) && !exec_gc_func_sub(cf, U(0)))                    \
      TRAP(EXEC_TRAP_INDIRECT_TYPE_MISMATCH);                                            \
  } while (0)
  HANDLER(CALL_INDIRECT) {
    INDIRECT_CALLEE();
    cbase = U(2);
    cret = ip + SZ(4);
    goto call_any;
  }

  HANDLER(CALL_REF) {
    cf = (exec_func *)(uintptr_t)S(1);
    if (UNLIKELY(!cf)) TRAP(EXEC_TRAP_NULL_FUNC_REF);
    cbase = U(0);
    cret = ip + SZ(2);
    goto call_any;
  }
  HANDLER(RETURN_CALL_REF) {
    cf = (exec_func *)(uintptr_t)S(1);
    if (UNLIKELY(!cf)) TRAP(EXEC_TRAP_NULL_FUNC_REF);
    cbase = U(0);
    cnres = U(2);
    goto tail_any;
  }
  HANDLER(REF_AS_NON_NULL) {
    if (UNLIKELY(!S(0))) TRAP(EXEC_TRAP_NULL_REF);
    DISPATCH(SZ(1));
  }

  /* Tail calls: the callee takes the caller's frame (same fp, same return record), so
   * a chain of them runs in constant stack. */
  HANDLER(RETURN_CALL) {
    cf = inst->funcs[U(0)];
    cbase = U(1);
    cnres = U(2);
    goto tail_any;
  }
  HANDLER(RETURN_CALL_INDIRECT) {
    INDIRECT_CALLEE();
    cbase = U(2);
    cnres = U(4);
    goto tail_any;
  }

  /* ---- exceptions: the handler search is in exn.c, the unwinding at do_throw ---- */
  HANDLER(THROW) {
    th->exn = exec_exn_new(th->store, inst->tags[U(0)], &fp[U(1)]);
    if (UNLIKELY(!th->exn)) {
      snprintf(th->trap_msg, sizeof th->trap_msg, "out of memory (throw)");
      msg_set = true;
      TRAP(EXEC_TRAP_LIMIT);
    }
    goto do_throw;
  }
  HANDLER(THROW_REF) {
    th->exn = (exec_exn *)(uintptr_t)S(0);
    if (UNLIKELY(!th->exn)) {
      snprintf(th->trap_msg, sizeof th->trap_msg, "null exception reference");
      msg_set = true;
      TRAP(EXEC_TRAP_UNREACHABLE);
    }
    goto do_throw;
  }

  /* ---- parametric, variables ---- */
  HANDLER(SELECT) {
    exec_slot v = (uint32_t)S(3) ? S(1) : S(2);
    S(0) = v;
    DISPATCH(SZ(4));
  }
  HANDLER(SELECT2) {
    uint32_t s = (uint32_t)S(3) ? U(1) : U(2);
    v128_copy(&fp[U(0)], &fp[s]);
    DISPATCH(SZ(4));
  }
  HANDLER(GLOBAL_GET) {
    S(0) = inst->globals[U(1)]->val[0];
    DISPATCH(SZ(2));
  }
  HANDLER(GLOBAL_SET) {
    inst->globals[U(0)]->val[0] = S(1);
    DISPATCH(SZ(2));
  }
  HANDLER(GLOBAL_GET2) {
    exec_global *g = inst->globals[U(1)];
    v128_copy(&fp[U(0)], g->val);
    DISPATCH(SZ(2));
  }
  HANDLER(GLOBAL_SET2) {
    exec_global *g = inst->globals[U(0)];
    g->val[0] = fp[U(1)];
    g->val[1] = fp[U(1) + 1];
    DISPATCH(SZ(2));
  }

  /* ---- memory ---- */
  HANDLER(MEM_SIZE) {
    S(0) = (uint32_t)(msize / EXEC_PAGE_SIZE);
    DISPATCH(SZ(1));
  }
  HANDLER(MEM_GROW) {
    uint32_t delta = (uint32_t)S(1);
    /* a grow past the declared maximum fails (-1) without work, and costs nothing */
    if (delta <= mem->max_pages - msize / EXEC_PAGE_SIZE) BULK_CHARGE(delta);
    int64_t r = exec_memory_grow(mem, delta);
    if (UNLIKELY(r == EXEC_GROW_TRAP)) {
      snprintf(th->trap_msg, sizeof th->trap_msg, "memory limit exceeded (memory.grow to %llu bytes, limit %llu)",
               (unsigned long long)(msize + (uint64_t)delta * EXEC_PAGE_SIZE),
               (unsigned long long)th->store->limits.memory_bytes);
      msg_set = true;
      TRAP(EXEC_TRAP_LIMIT);
    }
    LOAD_MEM();
    S(0) = r < 0 ? 0xffffffffu : (uint32_t)r;
    DISPATCH(SZ(2));
  }
  HANDLER(MEM_FILL) {
    uint64_t d = (uint32_t)S(0), n = (uint32_t)S(2);
    if (UNLIKELY(d + n > msize)) TRAP(EXEC_TRAP_MEMORY_OOB);
    BULK_CHARGE(n >> BULK_SHIFT);
    BULK_DO(n, memset(mbase + d, (int)(uint8_t)S(1), n), exec_bulk_fill(th, mbase + d, (int)(uint8_t)S(1), n));
    DISPATCH(SZ(3));
  }
  HANDLER(MEM_COPY) {
    uint64_t d = (uint32_t)S(0), s = (uint32_t)S(1), n = (uint32_t)S(2);
    if (UNLIKELY(d + n > msize || s + n > msize)) TRAP(EXEC_TRAP_MEMORY_OOB);
    BULK_CHARGE(n >> BULK_SHIFT);
    BULK_DO(n, memmove(mbase + d, mbase + s, n), exec_bulk_move(th, mbase + d, mbase + s, n));
    DISPATCH(SZ(3));
  }
  HANDLER(MEM_INIT) {
    const exec_data_inst *ds = &inst->datas[U(0)];
    uint64_t d = (uint32_t)S(1), s = (uint32_t)S(2), n = (uint32_t)S(3);
    if (UNLIKELY(s + n > ds->len || d + n > msize)) TRAP(EXEC_TRAP_MEMORY_OOB);
    BULK_CHARGE(n >> BULK_SHIFT);
    if (n) BULK_DO(n, memcpy(mbase + d, ds->bytes + s, n), exec_bulk_move(th, mbase + d, ds->bytes + s, n));
    DISPATCH(SZ(4));
  }
  HANDLER(DATA_DROP) {
    inst->datas[U(0)].len = 0;
    DISPATCH(SZ(1));
  }
  HANDLER(USE_MEM) {
    mem = U(0) ? inst->memories[U(0)] : inst->module->wasm->nmemories ? inst->memories[0] : &no_memory;
    LOAD_MEM();
    DISPATCH(SZ(1));
  }
  /* A 64-bit memory is at most 2^32 - 64 KiB bytes and a table far smaller, so a
   * saturated address, index or length is out of bounds exactly when the original is. */
  HANDLER(SAT64) {
    uint64_t a = S(1);
    S(0) = a > UINT32_MAX ? UINT32_MAX : a;
    DISPATCH(SZ(2));
  }
  HANDLER(SAT64_OFF) {
    uint64_t a = S(1), off = (uint64_t)U(2) | (uint64_t)U(3) << 32, ea = a + off;
    S(0) = ea < a || ea > UINT32_MAX ? UINT32_MAX : ea;
    DISPATCH(SZ(4));
  }
  HANDLER(EXT_M1) {
    uint32_t v = (uint32_t)S(0);
    S(0) = v == UINT32_MAX ? UINT64_MAX : v;
    DISPATCH(SZ(1));
  }
  HANDLER(MEM_COPYX) {
    exec_memory *dm = inst->memories[U(0)], *sm = inst->memories[U(1)];
    uint64_t d = (uint32_t)S(2), s = (uint32_t)S(3), n = (uint32_t)S(4);
    if (UNLIKELY(d + n > dm->size || s + n > sm->size)) TRAP(EXEC_TRAP_MEMORY_OOB);
    BULK_CHARGE(n >> BULK_SHIFT);
    BULK_DO(n, memmove(dm->base + d, sm->base + s, n), exec_bulk_move(th, dm->base + d, sm->base + s, n));
    DISPATCH(SZ(5));
  }

  /* threads: operands b and c read slot 0 when the instruction has fewer */
  HANDLER(ATOMIC) {
    uint64_t r = 0;
    exec_trap_kind k = exec_atomic(th, mem, U(0), (uint64_t)(uint32_t)S(2) + U(5), S(3), S(4), &r);
    if (UNLIKELY(k)) TRAP(k);
    if (wasm_opinfo_table[U(0)].result) S(1) = r;
    DISPATCH(SZ(6));
  }
  HANDLER(ATOMIC_FENCE) {
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    DISPATCH(SZ(0));
  }

  /* ---- references and tables ---- */
  HANDLER(REF_FUNC) {
    S(0) = (exec_slot)(uintptr_t)inst->funcs[U(1)];
    DISPATCH(SZ(2));
  }
  HANDLER(TABLE_GET) {
    exec_table *tb = inst->tables[U(1)];
    uint32_t i = (uint32_t)S(2);
    if (UNLIKELY(i >= tb->size)) TRAP(EXEC_TRAP_TABLE_OOB);
    S(0) = (exec_slot)(uintptr_t)exec_table_get(tb, i);
    DISPATCH(SZ(3));
  }
  HANDLER(TABLE_SET) {
    exec_table *tb = inst->tables[U(0)];
    uint32_t i = (uint32_t)S(1);
    if (UNLIKELY(i >= tb->size)) TRAP(EXEC_TRAP_TABLE_OOB);
    exec_table_forget(tb, i, 1);
    tb->elems[i] = (void *)(uintptr_t)S(2);
    DISPATCH(SZ(3));
  }
  HANDLER(TABLE_SIZE) {
    S(0) = inst->tables[U(1)]->size;
    DISPATCH(SZ(2));
  }
  HANDLER(TABLE_GROW) {
    exec_table *tb = inst->tables[U(1)];
    void *init = (void *)(uintptr_t)S(2);
    if ((uint32_t)S(3) <= tb->max - tb->size) BULK_CHARGE((uint32_t)S(3) >> BULK_ELEM_SHIFT);
    int64_t r = exec_table_grow(tb, (uint32_t)S(3), init);
    if (UNLIKELY(r == EXEC_GROW_TRAP)) {
      exec_store *st = th->store;
      unsigned long long want = (unsigned long long)tb->size + (uint32_t)S(3);
      if (st->usage.stopped_by == EXEC_LIMIT_MEMORY)
        snprintf(th->trap_msg, sizeof th->trap_msg,
                 "memory limit exceeded (table.grow to %llu elements, %llu bytes; limit %llu bytes)", want,
                 want * EXEC_TABLE_ELEM_BYTES, (unsigned long long)st->limits.memory_bytes);
      else if (want <= st->limits.table_elements)
        snprintf(th->trap_msg, sizeof th->trap_msg,
                 "table limit exceeded (table.grow to %llu elements, store total %llu, limit %llu)", want,
                 (unsigned long long)(st->usage.table_elements + (uint32_t)S(3)),
                 (unsigned long long)st->limits.table_elements);
      else
        snprintf(th->trap_msg, sizeof th->trap_msg, "table limit exceeded (table.grow to %llu elements, limit %llu)",
                 want, (unsigned long long)st->limits.table_elements);
      msg_set = true;
      TRAP(EXEC_TRAP_LIMIT);
    }
    S(0) = r < 0 ? 0xffffffffu : (uint32_t)r;
    DISPATCH(SZ(4));
  }
  HANDLER(TABLE_FILL) {
    exec_table *tb = inst->tables[U(0)];
    uint64_t i = (uint32_t)S(1), n = (uint32_t)S(3);
    void *v = (void *)(uintptr_t)S(2);
    if (UNLIKELY(i + n > tb->size)) TRAP(EXEC_TRAP_TABLE_OOB);
    BULK_CHARGE(n >> BULK_ELEM_SHIFT);
    exec_table_settle(tb, i, n); /* a fill stopped half-way leaves the rest as it was */
    BULK_DO(n * sizeof(void *), for (uint64_t k = 0; k < n; k++) tb->elems[i + k] = v,
            exec_bulk_fill_refs(th, tb->elems + i, v, n));
    DISPATCH(SZ(4));
  }
  HANDLER(TABLE_COPY) {
    exec_table *dt = inst->tables[U(0)], *st = inst->tables[U(1)];
    uint64_t d = (uint32_t)S(2), s = (uint32_t)S(3), n = (uint32_t)S(4);
    if (UNLIKELY(d + n > dt->size || s + n > st->size)) TRAP(EXEC_TRAP_TABLE_OOB);
    BULK_CHARGE(n >> BULK_ELEM_SHIFT);
    exec_table_settle(st, s, n);
    exec_table_settle(dt, d, n);
    if (n) BULK_DO(n * sizeof(void *), memmove(dt->elems + d, st->elems + s, n * sizeof(void *)),
                   exec_bulk_move(th, (uint8_t *)(dt->elems + d), (const uint8_t *)(st->elems + s), n * sizeof(void *)));
    DISPATCH(SZ(5));
  }
  HANDLER(TABLE_INIT) {
    exec_table *tb = inst->tables[U(0)];
    const exec_elem_inst *es = &inst->elems[U(1)];
    uint64_t d = (uint32_t)S(2), s = (uint32_t)S(3), n = (uint32_t)S(4);
    if (UNLIKELY(s + n > es->count || d + n > tb->size)) TRAP(EXEC_TRAP_TABLE_OOB);
    BULK_CHARGE(n >> BULK_ELEM_SHIFT);
    exec_table_settle(tb, d, n);
    if (n) BULK_DO(n * sizeof(void *), memcpy(tb->elems + d, es->refs + s, n * sizeof(void *)),
                   exec_bulk_move(th, (uint8_t *)(tb->elems + d), (const uint8_t *)(es->refs + s), n * sizeof(void *)));
    DISPATCH(SZ(5));
  }
  HANDLER(ELEM_DROP) {
    inst->elems[U(0)].count = 0;
    DISPATCH(SZ(1));
  }

  /* ---- numeric ops that can trap ---- */
  HANDLER(I32_DIV_S) {
    int32_t a = (int32_t)S(1), b = (int32_t)S(2);
    if (UNLIKELY(b == 0)) TRAP(EXEC_TRAP_INT_DIV_ZERO);
    if (UNLIKELY(a == INT32_MIN && b == -1)) TRAP(EXEC_TRAP_INT_OVERFLOW);
    S(0) = WR_i32(a / b);
    DISPATCH(SZ(3));
  }
  HANDLER(I32_DIV_U) {
    uint32_t a = (uint32_t)S(1), b = (uint32_t)S(2);
    if (UNLIKELY(b == 0)) TRAP(EXEC_TRAP_INT_DIV_ZERO);
    S(0) = WR_i32(a / b);
    DISPATCH(SZ(3));
  }
  HANDLER(I32_REM_S) {
    int32_t a = (int32_t)S(1), b = (int32_t)S(2);
    if (UNLIKELY(b == 0)) TRAP(EXEC_TRAP_INT_DIV_ZERO);
    S(0) = WR_i32(b == -1 ? 0 : a % b);
    DISPATCH(SZ(3));
  }
  HANDLER(I32_REM_U) {
    uint32_t a = (uint32_t)S(1), b = (uint32_t)S(2);
    if (UNLIKELY(b == 0)) TRAP(EXEC_TRAP_INT_DIV_ZERO);
    S(0) = WR_i32(a % b);
    DISPATCH(SZ(3));
  }
  HANDLER(I64_DIV_S) {
    int64_t a = (int64_t)S(1), b = (int64_t)S(2);
    if (UNLIKELY(b == 0)) TRAP(EXEC_TRAP_INT_DIV_ZERO);
    if (UNLIKELY(a == INT64_MIN && b == -1)) TRAP(EXEC_TRAP_INT_OVERFLOW);
    S(0) = WR_i64(a / b);
    DISPATCH(SZ(3));
  }
  HANDLER(I64_DIV_U) {
    uint64_t a = S(1), b = S(2);
    if (UNLIKELY(b == 0)) TRAP(EXEC_TRAP_INT_DIV_ZERO);
    S(0) = a / b;
    DISPATCH(SZ(3));
  }
  HANDLER(I64_REM_S) {
    int64_t a = (int64_t)S(1), b = (int64_t)S(2);
    if (UNLIKELY(b == 0)) TRAP(EXEC_TRAP_INT_DIV_ZERO);
    S(0) = WR_i64(b == -1 ? 0 : a % b);
    DISPATCH(SZ(3));
  }
  HANDLER(I64_REM_U) {
    uint64_t a = S(1), b = S(2);
    if (UNLIKELY(b == 0)) TRAP(EXEC_TRAP_INT_DIV_ZERO);
    S(0) = a % b;
    DISPATCH(SZ(3));
  }

  /* division by a constant the translator proved nonzero and not -1 */
  HANDLER(I32_DIV_S_I) {
    S(0) = WR_i32((int32_t)S(1) / (int32_t)U(2));
    DISPATCH(SZ(3));
  }
  HANDLER(I32_DIV_U_I) {
    S(0) = WR_i32((uint32_t)S(1) / U(2));
    DISPATCH(SZ(3));
  }
  HANDLER(I32_REM_S_I) {
    S(0) = WR_i32((int32_t)S(1) % (int32_t)U(2));
    DISPATCH(SZ(3));
  }
  HANDLER(I32_REM_U_I) {
    S(0) = WR_i32((uint32_t)S(1) % U(2));
    DISPATCH(SZ(3));
  }
  HANDLER(I64_DIV_S_I) {
    S(0) = WR_i64((int64_t)S(1) / (int64_t)(int32_t)U(2));
    DISPATCH(SZ(3));
  }
  HANDLER(I64_DIV_U_I) {
    S(0) = S(1) / IMM_i64(U(2));
    DISPATCH(SZ(3));
  }
  HANDLER(I64_REM_S_I) {
    S(0) = WR_i64((int64_t)S(1) % (int64_t)(int32_t)U(2));
    DISPATCH(SZ(3));
  }
  HANDLER(I64_REM_U_I) {
    S(0) = S(1) % IMM_i64(U(2));
    DISPATCH(SZ(3));
  }

  HANDLER(I32_DIVU_M) {
    uint32_t a = (uint32_t)S(1);
    S(0) = exec_divu32(a, U(2), U(3));
    DISPATCH(SZ(4));
  }
  HANDLER(I32_REMU_M) {
    uint32_t a = (uint32_t)S(1);
    S(0) = a - exec_divu32(a, U(2), U(3)) * U(4);
    DISPATCH(SZ(5));
  }
  HANDLER(I64_DIVU_M) {
    uint64_t a = S(3);
    fp[U(2)] = exec_divu64(a, exec_rd64(ip + 2), U(4));
    DISPATCH(SZ(5));
  }
  HANDLER(I64_REMU_M) {
    uint64_t a = S(5);
    fp[U(4)] = a - exec_divu64(a, exec_rd64(ip + 2), U(6)) * exec_rd64(ip + 4);
    DISPATCH(SZ(7));
  }

/* Trapping float-to-int truncation: NaN is an invalid conversion; the range is open at
 * both ends (lo < a < hi) after truncation toward zero. */
#define TRUNC(id, TF, TR, CT, lo, hi)                                                    \
  HANDLER(id) {                                                                          \
    T_##TF a = RD_##TF(S(1));                                                            \
    if (UNLIKELY(a != a)) TRAP(EXEC_TRAP_INVALID_CONVERSION);                            \
    if (UNLIKELY(!(a > (lo) && a < (hi)))) TRAP(EXEC_TRAP_INT_OVERFLOW);                 \
    S(0) = WR_##TR((CT)a);                                                               \
    DISPATCH(SZ(2));                                                                     \
  }
  TRUNC(I32_TRUNC_F32_S, f32, i32, int32_t, -2147483904.0f, 2147483648.0f)
  TRUNC(I32_TRUNC_F32_U, f32, i32, uint32_t, -1.0f, 4294967296.0f)
  TRUNC(I32_TRUNC_F64_S, f64, i32, int32_t, -2147483649.0, 2147483648.0)
  TRUNC(I32_TRUNC_F64_U, f64, i32, uint32_t, -1.0, 4294967296.0)
  TRUNC(I64_TRUNC_F32_S, f32, i64, int64_t, -9223373136366403584.0f, 9223372036854775808.0f)
  TRUNC(I64_TRUNC_F32_U, f32, i64, uint64_t, -1.0f, 18446744073709551616.0f)
  TRUNC(I64_TRUNC_F64_S, f64, i64, int64_t, -9223372036854777856.0, 9223372036854775808.0)
  TRUNC(I64_TRUNC_F64_U, f64, i64, uint64_t, -1.0, 18446744073709551616.0)
#undef TRUNC

  /* ---- SIMD: generic handlers call the library function in the immediate ---- */
#define FN(T) ((T)(uintptr_t)IMM64)
#define VP(k) ((exec_v128 *)(void *)&fp[U(k)])
  HANDLER(SIMD_UN) {
    FN(exec_simd_unop_fn)(VP(2), VP(3));
    DISPATCH(SZ(4));
  }
  HANDLER(SIMD_BIN) {
    FN(exec_simd_binop_fn)(VP(2), VP(3), VP(4));
    DISPATCH(SZ(5));
  }
  HANDLER(SIMD_TER) {
    FN(exec_simd_ternop_fn)(VP(2), VP(3), VP(4), VP(5));
    DISPATCH(SZ(6));
  }
  HANDLER(SIMD_SHIFT) {
    FN(exec_simd_shift_fn)(VP(2), VP(3), (uint32_t)S(4));
    DISPATCH(SZ(5));
  }
  HANDLER(SIMD_SPLAT) {
    FN(exec_simd_splat_fn)(VP(2), S(3));
    DISPATCH(SZ(4));
  }
  HANDLER(SIMD_EXTRACT) {
    exec_slot r = FN(exec_simd_extract_fn)(VP(3), U(4));
    S(2) = r;
    DISPATCH(SZ(5));
  }
  HANDLER(SIMD_REPLACE) {
    FN(exec_simd_replace_fn)(VP(2), VP(3), S(4), U(5));
    DISPATCH(SZ(6));
  }
  HANDLER(SIMD_SHUFFLE) {
    FN(exec_simd_shuffle_fn)(VP(2), VP(3), VP(4), (const uint8_t *)(ip + 7));
    DISPATCH(SZ(9));
  }
  HANDLER(SIMD_TEST) {
    uint32_t r = FN(exec_simd_test_fn)(VP(3));
    S(2) = r;
    DISPATCH(SZ(4));
  }
  HANDLER(SIMD_LOAD) {
    uint64_t ea = (uint64_t)(uint32_t)S(3) + U(4);
    MCHK(ea, U(5));
    FN(exec_simd_load_fn)(VP(2), mbase + ea);
    DISPATCH(SZ(6));
  }
  HANDLER(SIMD_LOAD_AI) {
    uint64_t ea = (uint64_t)(uint32_t)((uint32_t)S(3) + U(4)) + U(5);
    MCHK(ea, U(6));
    FN(exec_simd_load_fn)(VP(2), mbase + ea);
    DISPATCH(SZ(7));
  }
  HANDLER(SIMD_LOAD_AR) {
    uint64_t ea = (uint64_t)(uint32_t)((uint32_t)S(3) + (uint32_t)S(4)) + U(5);
    MCHK(ea, U(6));
    FN(exec_simd_load_fn)(VP(2), mbase + ea);
    DISPATCH(SZ(7));
  }
  HANDLER(SIMD_LOAD_LANE) {
    uint64_t ea = (uint64_t)(uint32_t)S(3) + U(5);
    MCHK(ea, U(6) >> 8);
    FN(exec_simd_load_lane_fn)(VP(2), VP(4), mbase + ea, U(6) & 0xff);
    DISPATCH(SZ(7));
  }
  HANDLER(SIMD_STORE_LANE) {
    uint64_t ea = (uint64_t)(uint32_t)S(2) + U(4);
    MCHK(ea, U(5) >> 8);
    FN(exec_simd_store_lane_fn)(mbase + ea, VP(3), U(5) & 0xff);
    DISPATCH(SZ(6));
  }
#undef FN
#undef VP

  /* ---- SIMD: 16-byte constants, loads and stores ---- */
  HANDLER(V128_CONST) {
    v128_put(&fp[U(4)], IMM64, exec_rd64(ip + 4));
    DISPATCH(SZ(5));
  }
#define V128_LD_BODY(addr, size)                                                         \
  {                                                                                      \
    uint64_t ea = (addr);                                                                \
    MCHK(ea, 16);                                                                        \
    memcpy(&fp[U(0)], mbase + ea, 16);                                                   \
    DISPATCH(size);                                                                      \
  }
#define V128_ST_BODY(addr, v, size)                                                      \
  {                                                                                      \
    uint64_t ea = (addr);                                                                \
    MCHK(ea, 16);                                                                        \
    memcpy(mbase + ea, &fp[v], 16);                                                      \
    DISPATCH(size);                                                                      \
  }
  HANDLER(V128_LD) V128_LD_BODY((uint64_t)(uint32_t)S(1) + U(2), SZ(3))
  HANDLER(V128_LD_AI) V128_LD_BODY((uint64_t)(uint32_t)((uint32_t)S(1) + U(2)) + U(3), SZ(4))
  HANDLER(V128_LD_AR) V128_LD_BODY((uint64_t)(uint32_t)((uint32_t)S(1) + (uint32_t)S(2)) + U(3), SZ(4))
  HANDLER(V128_ST) V128_ST_BODY((uint64_t)(uint32_t)S(0) + U(2), U(1), SZ(3))
  HANDLER(V128_ST_AI) V128_ST_BODY((uint64_t)(uint32_t)((uint32_t)S(0) + U(1)) + U(3), U(2), SZ(4))
  HANDLER(V128_ST_AR) V128_ST_BODY((uint64_t)(uint32_t)((uint32_t)S(0) + (uint32_t)S(1)) + U(3), U(2), SZ(4))
#undef V128_LD_BODY
#undef V128_ST_BODY
  HANDLER(SIMD_SHUFFLE_M) {
    exec_simd_shuffle_masked_fn f = (exec_simd_shuffle_masked_fn)(uintptr_t)IMM64;
    f((exec_v128 *)(void *)&fp[U(2)], (const exec_v128 *)(void *)&fp[U(3)],
      (const exec_v128 *)(void *)&fp[U(4)], (const uint8_t *)(ip + 7));
    DISPATCH(SZ(13));
  }
  HANDLER(V128_LOAD_LANE) {
    uint32_t n = U(4) >> 8;
    uint64_t ea = (uint64_t)(uint32_t)S(1) + U(3);
    MCHK(ea, n);
    exec_v128 v;
    memcpy(&v, &fp[U(2)], 16);
    lane_copy(v.u8 + (U(4) & 0xff) * n, mbase + ea, n);
    v128_copy(&fp[U(0)], &v);
    DISPATCH(SZ(5));
  }
  HANDLER(V128_STORE_LANE) {
    uint32_t n = U(3) >> 8;
    uint64_t ea = (uint64_t)(uint32_t)S(0) + U(2);
    MCHK(ea, n);
    lane_copy(mbase + ea, (const uint8_t *)&fp[U(1)] + (U(3) & 0xff) * n, n);
    DISPATCH(SZ(4));
  }
  HANDLER(V128_ANY_TRUE) {
    exec_slot r = (fp[U(1)] | fp[U(1) + 1]) != 0;
    S(0) = r;
    DISPATCH(SZ(2));
  }

  /* ---- SIMD: hot operations inline (vector types; see interp_simd.def) ---- */
#define SHAND(n)
#define VUN(id, VT, e)                                                                   \
  HANDLER(V_##id) {                                                                      \
    VT a, r;                                                                             \
    memcpy(&a, &fp[U(1)], 16);                                                           \
    r = (e);                                                                             \
    memcpy(&fp[U(0)], &r, 16);                                                           \
    DISPATCH(SZ(2));                                                                     \
  }
#define VBIN(id, VT, e)                                                                  \
  HANDLER(V_##id) {                                                                      \
    VT a, b, r;                                                                          \
    memcpy(&a, &fp[U(1)], 16);                                                           \
    memcpy(&b, &fp[U(2)], 16);                                                           \
    r = (e);                                                                             \
    memcpy(&fp[U(0)], &r, 16);                                                           \
    DISPATCH(SZ(3));                                                                     \
  }
#define VSHIFT(id, VT, bits, o)                                                          \
  HANDLER(V_##id) {                                                                      \
    VT a, r;                                                                             \
    memcpy(&a, &fp[U(1)], 16);                                                           \
    r = a o (int)((uint32_t)S(2) & ((bits) - 1));                                        \
    memcpy(&fp[U(0)], &r, 16);                                                           \
    DISPATCH(SZ(3));                                                                     \
  }
#define VSPLAT(id, VT, ET)                                                               \
  HANDLER(V_##id) {                                                                      \
    ET x = (ET)S(1);                                                                     \
    VT r = (VT){0} + x;                                                                  \
    memcpy(&fp[U(0)], &r, 16);                                                           \
    DISPATCH(SZ(2));                                                                     \
  }
#define VEXTRACT(id, ET, WT)                                                             \
  HANDLER(V_##id) {                                                                      \
    ET x;                                                                                \
    memcpy(&x, (const uint8_t *)&fp[U(1)] + U(2) * sizeof(ET), sizeof x);                \
    S(0) = (exec_slot)(WT)x;                                                             \
    DISPATCH(SZ(3));                                                                     \
  }
#define VREPLACE(id, ET)                                                                 \
  HANDLER(V_##id) {                                                                      \
    ET x = (ET)S(2);                                                                     \
    exec_v128 v;                                                                         \
    memcpy(&v, &fp[U(1)], 16);                                                           \
    memcpy(v.u8 + U(3) * sizeof(ET), &x, sizeof x);                                      \
    v128_copy(&fp[U(0)], &v);                                                            \
    DISPATCH(SZ(4));                                                                     \
  }
#define VLOAD_BODY(fn, bytes, addr, size)                                               \
  {                                                                                      \
    uint64_t ea = (addr);                                                                \
    MCHK(ea, bytes);                                                                     \
    fn(&fp[U(0)], mbase + ea);                                                           \
    DISPATCH(size);                                                                      \
  }
#define VLOAD(id, fn, n)                                                                 \
  HANDLER(V_##id) VLOAD_BODY(fn, n, (uint64_t)(uint32_t)S(1) + U(2), SZ(3))              \
  HANDLER(V_##id##_AI)                                                                   \
  VLOAD_BODY(fn, n, (uint64_t)(uint32_t)((uint32_t)S(1) + U(2)) + U(3), SZ(4))           \
  HANDLER(V_##id##_AR)                                                                   \
  VLOAD_BODY(fn, n, (uint64_t)(uint32_t)((uint32_t)S(1) + (uint32_t)S(2)) + U(3), SZ(4))
#include "interp_simd.def"
#define GHAND(n)
#define GC_BODIES
#include "interp_gc.def"
#undef GC_BODIES
#undef GHAND
#undef SHAND
#undef VUN
#undef VBIN
#undef VSHIFT
#undef VSPLAT
#undef VEXTRACT
#undef VREPLACE
#undef VLOAD
#undef VLOAD_BODY

  /* ---- generated handlers ---- */
#define HAND(n)
#define NUMH(id)
#define NUMHI(id)
#define LOAD(n, sz, e)                                                                   \
  HANDLER(n) {                                                                           \
    uint64_t ea = (uint64_t)(uint32_t)S(1) + U(2);                                       \
    MCHK(ea, sz);                                                                        \
    const uint8_t *p = mbase + ea;                                                       \
    S(0) = (exec_slot)(e);                                                               \
    DISPATCH(SZ(3));                                                                     \
  }                                                                                      \
  HANDLER(n##_AI) {                                                                      \
    uint64_t ea = (uint64_t)(uint32_t)((uint32_t)S(1) + U(2)) + U(3);                    \
    MCHK(ea, sz);                                                                        \
    const uint8_t *p = mbase + ea;                                                       \
    S(0) = (exec_slot)(e);                                                               \
    DISPATCH(SZ(4));                                                                     \
  }                                                                                      \
  HANDLER(n##_AR) {                                                                      \
    uint64_t ea = (uint64_t)(uint32_t)((uint32_t)S(1) + (uint32_t)S(2)) + U(3);          \
    MCHK(ea, sz);                                                                        \
    const uint8_t *p = mbase + ea;                                                       \
    S(0) = (exec_slot)(e);                                                               \
    DISPATCH(SZ(4));                                                                     \
  }                                                                                      \
  HANDLER(n##_K) {                                                                       \
    uint64_t ea = U(1);                                                                  \
    MCHK(ea, sz);                                                                        \
    const uint8_t *p = mbase + ea;                                                       \
    S(0) = (exec_slot)(e);                                                               \
    DISPATCH(SZ(2));                                                                     \
  }                                                                                      \
  HANDLER(n##_SI) {                                                                      \
    uint64_t ea = (uint64_t)(uint32_t)(((uint32_t)S(1) << U(2)) + U(3)) + U(4);           \
    MCHK(ea, sz);                                                                        \
    const uint8_t *p = mbase + ea;                                                       \
    S(0) = (exec_slot)(e);                                                               \
    DISPATCH(SZ(5));                                                                     \
  }                                                                                      \
  HANDLER(n##_SR) {                                                                      \
    uint64_t ea = (uint64_t)(uint32_t)((uint32_t)S(1) + ((uint32_t)S(2) << U(3))) + U(4); \
    MCHK(ea, sz);                                                                        \
    const uint8_t *p = mbase + ea;                                                       \
    S(0) = (exec_slot)(e);                                                               \
    DISPATCH(SZ(5));                                                                     \
  }
#define STORE_BODY(sz, st, addr, val, size)                                              \
  {                                                                                      \
    uint64_t ea = (addr);                                                                \
    uint64_t v = (val);                                                                  \
    MCHK(ea, sz);                                                                        \
    uint8_t *p = mbase + ea;                                                             \
    st;                                                                                  \
    DISPATCH(size);                                                                      \
  }
#define A_PLAIN ((uint64_t)(uint32_t)S(0) + U(2))
#define A_AI ((uint64_t)(uint32_t)((uint32_t)S(0) + U(1)) + U(3))
#define A_AR ((uint64_t)(uint32_t)((uint32_t)S(0) + (uint32_t)S(1)) + U(3))
#define VIMM(k) ((uint64_t)(int64_t)(int32_t)U(k))
#define STORE(n, sz, st)                                                                 \
  HANDLER(n) STORE_BODY(sz, st, A_PLAIN, S(1), SZ(3))                                    \
  HANDLER(n##_AI) STORE_BODY(sz, st, A_AI, S(2), SZ(4))                                  \
  HANDLER(n##_AR) STORE_BODY(sz, st, A_AR, S(2), SZ(4))                                  \
  HANDLER(n##_I) STORE_BODY(sz, st, A_PLAIN, VIMM(1), SZ(3))                             \
  HANDLER(n##_AI_I) STORE_BODY(sz, st, A_AI, VIMM(2), SZ(4))                             \
  HANDLER(n##_AR_I) STORE_BODY(sz, st, A_AR, VIMM(2), SZ(4))                             \
  HANDLER(n##_K) STORE_BODY(sz, st, (uint64_t)U(0), S(1), SZ(2))                         \
  HANDLER(n##_K_I) STORE_BODY(sz, st, (uint64_t)U(0), VIMM(1), SZ(2))
#define NUM1(id, ta, tr, e)                                                              \
  HANDLER(id) {                                                                          \
    T_##ta a = RD_##ta(S(1));                                                            \
    S(0) = WR_##tr(e);                                                                   \
    DISPATCH(SZ(2));                                                                     \
  }
#define NUM2(id, ta, tr, e)                                                              \
  HANDLER(id) {                                                                          \
    T_##ta a = RD_##ta(S(1));                                                            \
    T_##ta b = RD_##ta(S(2));                                                            \
    S(0) = WR_##tr(e);                                                                   \
    DISPATCH(SZ(3));                                                                     \
  }
#define NUM2I(id, ta, tr, sw, e)                                                         \
  NUM2(id, ta, tr, e)                                                                    \
  HANDLER(id##_I) {                                                                      \
    T_##ta a = RD_##ta(S(1));                                                            \
    T_##ta b = IMM_##ta(U(2));                                                           \
    S(0) = WR_##tr(e);                                                                   \
    DISPATCH(SZ(3));                                                                     \
  }
#define CMP(id, ta, inv, sw, e)                                                          \
  NUM2I(id, ta, i32, sw, e)                                                              \
  HANDLER(BR_##id) {                                                                     \
    T_##ta a = RD_##ta(S(0));                                                            \
    T_##ta b = RD_##ta(S(1));                                                            \
    if (e) JUMP(2);                                                                      \
    DISPATCH(SZ(3));                                                                     \
  }                                                                                      \
  HANDLER(BR_##id##_I) {                                                                 \
    T_##ta a = RD_##ta(S(0));                                                            \
    T_##ta b = IMM_##ta(U(1));                                                           \
    if (e) JUMP(2);                                                                      \
    DISPATCH(SZ(3));                                                                     \
  }                                                                                      \
  HANDLER(BR_##id##_B) {                                                                 \
    T_##ta a = RD_##ta(S(0));                                                            \
    T_##ta b = RD_##ta(S(1));                                                            \
    if (e) {                                                                             \
      BUDGET_BACK(2);                                                                     \
      JUMP(2);                                                                           \
    }                                                                                    \
    DISPATCH(SZ(3));                                                                     \
  }                                                                                      \
  HANDLER(BR_##id##_IB) {                                                                \
    T_##ta a = RD_##ta(S(0));                                                            \
    T_##ta b = IMM_##ta(U(1));                                                           \
    if (e) {                                                                             \
      BUDGET_BACK(2);                                                                     \
      JUMP(2);                                                                           \
    }                                                                                    \
    DISPATCH(SZ(3));                                                                     \
  }
/* x += inc, then the comparison against b: a counted loop's tail in one dispatch */
#define BRINC_BODY(e, bval, back) BRINC_BODY2(e, bval, back, U(1))
#define BRINC_BODY2(e, bval, back, inc)                                                  \
  {                                                                                      \
    T_i32 a = (uint32_t)S(0) + (uint32_t)(inc);                                          \
    S(0) = a;                                                                            \
    T_i32 b = (bval);                                                                    \
    if (e) {                                                                             \
      if (back) BUDGET_BACK(3);                                                           \
      JUMP(3);                                                                           \
    }                                                                                    \
    DISPATCH(SZ(4));                                                                     \
  }
#define CMP32(id, ta, inv, sw, e)                                                        \
  CMP(id, ta, inv, sw, e)                                                                \
  HANDLER(BRINC_##id) BRINC_BODY(e, RD_i32(S(2)), 0)                                     \
  HANDLER(BRINC_##id##_I) BRINC_BODY(e, U(2), 0)                                         \
  HANDLER(BRINC_##id##_B) BRINC_BODY(e, RD_i32(S(2)), 1)                                 \
  HANDLER(BRINC_##id##_IB) BRINC_BODY(e, U(2), 1)                                       \
  HANDLER(BRINCR_##id) BRINC_BODY2(e, RD_i32(S(2)), 0, S(1))                             \
  HANDLER(BRINCR_##id##_I) BRINC_BODY2(e, U(2), 0, S(1))                                 \
  HANDLER(BRINCR_##id##_B) BRINC_BODY2(e, RD_i32(S(2)), 1, S(1))                         \
  HANDLER(BRINCR_##id##_IB) BRINC_BODY2(e, U(2), 1, S(1))
#define FBR_BODY(ta, cond, back)                                                         \
  {                                                                                      \
    T_##ta a = RD_##ta(S(0));                                                            \
    T_##ta b = RD_##ta(S(1));                                                            \
    if (cond) {                                                                          \
      if (back) BUDGET_BACK(2);                                                           \
      JUMP(2);                                                                           \
    }                                                                                    \
    DISPATCH(SZ(3));                                                                     \
  }
#define FCMP(id, ta, e)                                                                  \
  NUM2(id, ta, i32, e)                                                                   \
  HANDLER(BR_##id) FBR_BODY(ta, (e), 0)                                                  \
  HANDLER(BR_##id##_B) FBR_BODY(ta, (e), 1)                                              \
  HANDLER(BRN_##id) FBR_BODY(ta, !(e), 0)                                                \
  HANDLER(BRN_##id##_B) FBR_BODY(ta, !(e), 1)
#include "interp_ops.def"
#undef CMP32
#undef FCMP
#undef FBR_BODY
#undef BRINC_BODY
#undef BRINC_BODY2
#undef HAND
#undef NUMH
#undef NUMHI
#undef LOAD
#undef STORE
#undef STORE_BODY
#undef A_PLAIN
#undef A_AI
#undef A_AR
#undef VIMM
#undef NUM1
#undef NUM2
#undef NUM2I
#undef CMP

  /* ---- binary ops with a folded load as the right operand (the _LD forms) ---- */
#define LDOP_BODY(ta, sz, ld, e, ea_expr, nops)                                          \
  {                                                                                      \
    uint64_t ea = (ea_expr);                                                             \
    MCHK(ea, sz);                                                                        \
    T_##ta a = RD_##ta(S(1));                                                            \
    T_##ta b = RD_##ta(ld(mbase + ea));                                                  \
    S(0) = WR_##ta(e);                                                                   \
    DISPATCH(SZ(nops));                                                                  \
  }
#define LDOP(n, ta, sz, ld, e)                                                           \
  HANDLER(n##_LD) LDOP_BODY(ta, sz, ld, e, (uint64_t)(uint32_t)S(2) + U(3), 4)            \
  HANDLER(n##_LDAI)                                                                      \
  LDOP_BODY(ta, sz, ld, e, (uint64_t)(uint32_t)((uint32_t)S(2) + U(3)) + U(4), 5)         \
  HANDLER(n##_LDAR)                                                                      \
  LDOP_BODY(ta, sz, ld, e, (uint64_t)(uint32_t)((uint32_t)S(2) + (uint32_t)S(3)) + U(4), 5)
  LDOP(I32_ADD, i32, 4, exec_ld32, a + b)
  LDOP(I32_SUB, i32, 4, exec_ld32, a - b)
  LDOP(I32_MUL, i32, 4, exec_ld32, a * b)
  LDOP(I32_AND, i32, 4, exec_ld32, a & b)
  LDOP(I32_OR, i32, 4, exec_ld32, a | b)
  LDOP(I32_XOR, i32, 4, exec_ld32, a ^ b)
  LDOP(I64_ADD, i64, 8, exec_ld64, a + b)
  LDOP(I64_SUB, i64, 8, exec_ld64, a - b)
  LDOP(I64_MUL, i64, 8, exec_ld64, a * b)
  LDOP(I64_AND, i64, 8, exec_ld64, a & b)
  LDOP(I64_OR, i64, 8, exec_ld64, a | b)
  LDOP(I64_XOR, i64, 8, exec_ld64, a ^ b)
  LDOP(F32_ADD, f32, 4, exec_ld32, a + b)
  LDOP(F32_SUB, f32, 4, exec_ld32, a - b)
  LDOP(F32_MUL, f32, 4, exec_ld32, a * b)
  LDOP(F64_ADD, f64, 8, exec_ld64, a + b)
  LDOP(F64_SUB, f64, 8, exec_ld64, a - b)
  LDOP(F64_MUL, f64, 8, exec_ld64, a * b)
#undef LDOP
#undef LDOP_BODY

#if WELD_SWITCH_DISPATCH
  default: TRAP(EXEC_TRAP_UNREACHABLE);
  }
#endif

  /* A call through an import or a table: a host function, or WebAssembly code perhaps in
   * another instance. */
call_any: {
  exec_slot *nfp = fp + cbase;
  if (cf->host) {
    SAFEPOINT(cret);
    th->stack_top = fp + code->frame_slots;
    th->rec_top = rp;
    th->depth = base_depth + (uint32_t)(rp_entry - rp);
    bt_reset(th);
    exec_instance *const saved_caller = th->host_caller;
    th->host_caller = inst;
    exec_trap_kind k = cf->host(th, cf, nfp);
    th->host_caller = saved_caller;
    LOAD_MEM();
    if (UNLIKELY(k != EXEC_OK)) {
      host_trap = true;
      if (k == EXEC_TRAP_EXCEPTION && th->exn) goto do_throw;
      TRAP(k);
    }
    ip = cret;
    NEXT();
  }
  const exec_code *cc = cf->code;
  const exec_unit *nip = __atomic_load_n((const exec_unit *const *)&cc->code, __ATOMIC_ACQUIRE);
  if (UNLIKELY(nfp + cc->frame_slots > (exec_slot *)(rp - 1) || rp <= rp_min)) {
    TRAP(EXEC_TRAP_STACK_EXHAUSTED);
  }
  ZERO_LOCALS(nfp, cc);
  rp--;
  rp->ip = cret;
  rp->fp = fp;
  rp->code = code;
  rp->inst = inst;
  if (cf->inst != inst) SET_INST(cf->inst);
  code = cc;
  fp = nfp;
  ip = nip;
  BUDGET();
  NEXT();
}

osr_at: {
  /* A loop back-edge's slow path under a tier with on-stack replacement: the frame may
   * go on in compiled code from the loop header at osr_ip. Everything the NATIVE
   * instruction sets up for its callee holds here for the running frame, which the
   * collector must not read as interpreted any more (no position). */
  SAFEPOINT(NULL);
  th->stack_top = fp + code->frame_slots;
  th->rec_top = rp;
  th->depth = base_depth + (uint32_t)(rp_entry - rp);
  exec_module *const oem = (exec_module *)inst->module;
  exec_trap_kind k = oem->jit_osr(oem, (uint32_t)(code - oem->codes), (uint32_t)(osr_ip - exec_code_base(code)), th,
                                  inst, fp);
  if (k == EXEC_NATIVE_DECLINE) {
    ip = osr_ip;
    NEXT();
  }
  native_k = k;
  goto native_done;
}

native_done: {
  /* compiled code ran the frame to its end (NATIVE, or on-stack replacement) */
  if (UNLIKELY(native_k == EXEC_NATIVE_TAILCALL)) {
    cf = th->tail_call;
    cbase = 0;
    cnres = code->nresult_slots;
    goto tail_any;
  }
  if (UNLIKELY(native_k != EXEC_OK)) {
    native_trap = true;
    if (native_k == EXEC_TRAP_EXCEPTION && th->exn) {
      /* thrown inside compiled code (or below it): the compiled frame has no
       * handlers, the callers' try_tables may catch it */
      skip_frame = true;
      goto do_throw;
    }
    TRAP(native_k);
  }
  goto do_return;
}

tail_any: {
  /* the arguments are at fp + cbase, as for a call; they move down to fp */
  exec_slot *nfp = fp + cbase;
  if (cf->host) {
    /* a host function has no frame to reuse: call it, then return its results (the
     * frame holds nothing live any more: no map) */
    SAFEPOINT(NULL);
    th->stack_top = fp + code->frame_slots;
    th->rec_top = rp;
    th->depth = base_depth + (uint32_t)(rp_entry - rp);
    bt_reset(th);
    exec_instance *const saved_caller = th->host_caller;
    th->host_caller = inst;
    exec_trap_kind k = cf->host(th, cf, nfp);
    th->host_caller = saved_caller;
    LOAD_MEM();
    if (UNLIKELY(k != EXEC_OK)) {
      host_trap = true;
      if (k == EXEC_TRAP_EXCEPTION && th->exn) {
        skip_frame = true;
        goto do_throw;
      }
      TRAP(k);
    }
    memmove(fp, nfp, cnres * sizeof *fp);
    goto do_return;
  }
  const exec_code *cc = cf->code;
  const exec_unit *nip = __atomic_load_n((const exec_unit *const *)&cc->code, __ATOMIC_ACQUIRE);
  if (UNLIKELY(fp + cc->frame_slots > (exec_slot *)(rp - 1))) TRAP(EXEC_TRAP_STACK_EXHAUSTED);
  memmove(fp, nfp, cc->nparam_slots * sizeof *fp);
  ZERO_LOCALS(fp, cc);
  if (cf->inst != inst) SET_INST(cf->inst);
  code = cc;
  ip = nip;
  BUDGET();
  NEXT();
}

do_throw: {
  exec_catch_site cs;
  bool skip = skip_frame;
  skip_frame = false;
  if (exec_exn_find(th->exn, inst, code, ip, rp, rp_entry, skip, &cs)) {
    if (cs.frame) {
      const exec_frame_rec *r = rp + cs.frame - 1;
      fp = r->fp;
      code = r->code;
      if (r->inst != inst) SET_INST(r->inst);
      else LOAD_MEM(); /* a callee may have grown memory */
      rp += cs.frame;
    }
    exec_exn_deliver(th->store, th->exn, fp, &cs);
    th->exn = NULL;
    host_trap = false;
    native_trap = false;
    ip = exec_code_base(code) + cs.pad;
    NEXT();
  }
  /* uncaught here: the caller of this activation (a host function or the embedder) gets
   * it, in th->exn */
  snprintf(th->trap_msg, sizeof th->trap_msg, "%s", exec_trap_message(EXEC_TRAP_EXCEPTION));
  msg_set = true;
  trap = EXEC_TRAP_EXCEPTION;
  goto do_trap;
}

do_trap:
  th->trap = trap;
  if (!host_trap && !native_trap) {
    if (!msg_set) th->trap_msg[0] = 0;
    bt_reset(th);
  }
  bt_activation(th, native_trap ? NULL : func_of(inst, code), ip, rp, rp_entry);
  return trap;

done:
  return EXEC_OK;
}

static uint64_t handler_table[EXEC_IOP_COUNT];
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;

static void build_handlers(void) {
  run(NULL, NULL, NULL, NULL, handler_table);
  memcpy(exec_lazy_stub, &handler_table[EXEC_IOP_LAZY], 8);
}

const uint64_t *exec_interp_handlers(void) {
  pthread_once(&handler_once, build_handlers);
  return handler_table;
}

/* ---------- entry ------------------------------------------------------------------------ */

static exec_trap_kind invoke(exec_thread *th, exec_func *f, exec_slot *argres);

exec_trap_kind exec_invoke_unnested(exec_thread *th, exec_func *f, exec_slot *argres) {
  return invoke(th, f, argres);
}

exec_trap_kind exec_invoke(exec_thread *th, exec_func *f, exec_slot *argres) {
  if (invoke_nesting >= MAX_NESTING) {
    th->trap = EXEC_TRAP_STACK_EXHAUSTED;
    th->trap_msg[0] = 0;
    bt_reset(th);
    return th->trap;
  }
  invoke_nesting++;
  exec_trap_kind k = invoke(th, f, argres);
  invoke_nesting--;
  return k;
}

static exec_trap_kind invoke(exec_thread *th, exec_func *f, exec_slot *argres) {
  if (f->host) {
    /* If the arguments sit on the value stack, a re-entrant call must start above them. */
    exec_slot *const top = th->stack_top;
    if (th->stack && argres >= th->stack && argres < th->stack_end) {
      uint32_t n = f->type->nparams > f->type->nresults ? f->type->nparams : f->type->nresults;
      exec_slot *end = argres + 2 * (size_t)n; /* v128 takes two */
      if (!top || end > top) th->stack_top = end < th->stack_end ? end : th->stack_end;
    }
    bt_reset(th);
    exec_instance *const saved_caller = th->host_caller;
    th->host_caller = NULL;
    exec_trap_kind k = f->host(th, f, argres);
    th->host_caller = saved_caller;
    th->stack_top = top;
    if (k != EXEC_OK) th->trap = k;
    return k;
  }
  const exec_code *c = f->code;
  /* a function not yet translated is translated here, so the frame size read below is
   * the translation's (a call site reads the entry first, and LAZY checks the frame) */
  if (c && __atomic_load_n(&c->code, __ATOMIC_ACQUIRE) == (void *)exec_lazy_stub && f->inst) {
    exec_module *em = (exec_module *)f->inst->module;
    util_error e = {0};
    if (!exec_code_translate(em, (uint32_t)(c - em->codes), &e)) {
      th->trap = EXEC_TRAP_LIMIT;
      snprintf(th->trap_msg, sizeof th->trap_msg, "%s", e.msg[0] ? e.msg : "out of memory");
      bt_reset(th);
      bt_add(th, f, 0);
      return th->trap;
    }
  }
  exec_slot *const old_top = th->stack_top;
  void *const old_rec = th->rec_top;
  exec_slot *fp = old_top ? old_top : th->stack;
  exec_frame_rec *rp = old_rec ? (exec_frame_rec *)old_rec : (exec_frame_rec *)th->stack_end;
  const uint32_t max_depth = th->max_depth ? th->max_depth : DEFAULT_MAX_DEPTH;
  if (!c || !fp || fp + c->frame_slots > (exec_slot *)rp || th->depth >= max_depth) {
    th->trap = EXEC_TRAP_STACK_EXHAUSTED;
    th->trap_msg[0] = 0;
    bt_reset(th);
    bt_add(th, f, 0);
    return th->trap;
  }
  if (argres != fp && c->nparam_slots) memmove(fp, argres, c->nparam_slots * sizeof(exec_slot));
  for (uint32_t i = c->nparam_slots; i < c->nlocal_slots; i++) fp[i] = 0;
  bool outer = old_rec == NULL;
  if (outer) {
    budget_begin(th);
    if (f->inst) exec_budget_clamp(th, f->inst->module->osr_grant);
  }
  uint32_t old_depth = th->depth;
  exec_act act = {.prev = th->act, .rp_entry = rp, .rp = rp, .fp = fp, .code = c, .ip = NULL};
  th->act = &act;
  exec_trap_kind k = run(th, f, fp, rp, NULL);
  th->act = act.prev;
  th->depth = old_depth;
  th->stack_top = old_top;
  th->rec_top = old_rec;
  if (outer) budget_end(th);
  if (k == EXEC_OK && argres != fp && c->nresult_slots) {
    memmove(argres, fp, c->nresult_slots * sizeof(exec_slot));
  }
  return k;
}

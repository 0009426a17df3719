/* The internal code format shared by the translator (compile.c) and the interpreter
 * (interp.c). Private to src/exec; README.md describes the encoding. */
#ifndef WELD_EXEC_CODE_H
#define WELD_EXEC_CODE_H

#include <string.h>

#include "exec.h"

/* Direct threading (computed goto) on GCC and Clang; -DWELD_SWITCH_DISPATCH=1 (or another
 * compiler) selects the portable switch loop. */
#if !defined(WELD_SWITCH_DISPATCH)
#if defined(__GNUC__) || defined(__clang__)
#define WELD_SWITCH_DISPATCH 0
#else
#define WELD_SWITCH_DISPATCH 1
#endif
#endif

typedef enum exec_iop {
#define HAND(n) EXEC_IOP_##n,
#define NUMH(id) EXEC_IOP_##id,
#define NUMHI(id) EXEC_IOP_##id, EXEC_IOP_##id##_I,
#define LOAD(n, sz, e) EXEC_IOP_##n, EXEC_IOP_##n##_AI, EXEC_IOP_##n##_AR, EXEC_IOP_##n##_K, EXEC_IOP_##n##_SI, EXEC_IOP_##n##_SR,
#define STORE(n, sz, st)                                                                 \
  EXEC_IOP_##n, EXEC_IOP_##n##_AI, EXEC_IOP_##n##_AR, EXEC_IOP_##n##_I, EXEC_IOP_##n##_AI_I, \
      EXEC_IOP_##n##_AR_I, EXEC_IOP_##n##_K, EXEC_IOP_##n##_K_I,
#define NUM1(id, ta, tr, e) EXEC_IOP_##id,
#define NUM2(id, ta, tr, e) EXEC_IOP_##id,
#define NUM2I(id, ta, tr, sw, e) EXEC_IOP_##id, EXEC_IOP_##id##_I,
#define CMP(id, ta, inv, sw, e)                                                          \
  EXEC_IOP_##id, EXEC_IOP_##id##_I, EXEC_IOP_BR_##id, EXEC_IOP_BR_##id##_I,              \
      EXEC_IOP_BR_##id##_B, EXEC_IOP_BR_##id##_IB,
#define CMP32(id, ta, inv, sw, e)                                                        \
  CMP(id, ta, inv, sw, e)                                                                \
  EXEC_IOP_BRINC_##id, EXEC_IOP_BRINC_##id##_I, EXEC_IOP_BRINC_##id##_B,                 \
      EXEC_IOP_BRINC_##id##_IB, EXEC_IOP_BRINCR_##id, EXEC_IOP_BRINCR_##id##_I,          \
      EXEC_IOP_BRINCR_##id##_B, EXEC_IOP_BRINCR_##id##_IB,
#define FCMP(id, ta, e)                                                                  \
  EXEC_IOP_##id, EXEC_IOP_BR_##id, EXEC_IOP_BR_##id##_B, EXEC_IOP_BRN_##id,              \
      EXEC_IOP_BRN_##id##_B,
#include "interp_ops.def"
#define SHAND(n) EXEC_IOP_##n,
#define VUN(id, vt, e) EXEC_IOP_V_##id,
#define VBIN(id, vt, e) EXEC_IOP_V_##id,
#define VSHIFT(id, vt, bits, o) EXEC_IOP_V_##id,
#define VSPLAT(id, vt, et) EXEC_IOP_V_##id,
#define VEXTRACT(id, et, wt) EXEC_IOP_V_##id,
#define VREPLACE(id, et) EXEC_IOP_V_##id,
#define VLOAD(id, fn, n) EXEC_IOP_V_##id, EXEC_IOP_V_##id##_AI, EXEC_IOP_V_##id##_AR,
#include "interp_simd.def"
#define GHAND(n) EXEC_IOP_##n,
#include "interp_gc.def"
#include "interp_undef.h"
  EXEC_IOP_COUNT
} exec_iop;

/* Code is an array of 32-bit units. An instruction starts 8-byte aligned with a 64-bit
 * handler word (the handler's address, or the opcode under switch dispatch), followed by
 * an optional 64-bit immediate and then 32-bit operands, padded to a multiple of 8 bytes.
 * Branch offsets are signed, in 32-bit units, relative to the branching instruction. */
typedef uint32_t exec_unit;

/* The handler word of every internal opcode (built once, thread-safe). */
const uint64_t *exec_interp_handlers(void);

/* A call record: where to resume the caller. Records grow down from the end of the value
 * stack while frames grow up, so one bound check covers both. */
typedef struct exec_frame_rec {
  const exec_unit *ip;     /* return address in the caller */
  exec_slot *fp;           /* caller frame */
  const exec_code *code;   /* caller's code: with inst it names the function */
  exec_instance *inst;     /* caller's instance */
} exec_frame_rec;

/* One running interpreter activation (a `run` of interp.c), on the C stack, linked from
 * th->act to the ones it was called from (through host functions or compiled code).
 * Before the running function leaves the interpreter at a safepoint — a host call, an
 * allocation, compiled code — it records its frame here (fp, code, ip just after the
 * instruction, rp its lowest call record), so the collector can walk every frame: this
 * one, then each record from rp up to rp_entry. */
typedef struct exec_act {
  struct exec_act *prev;
  exec_frame_rec *rp_entry;
  exec_frame_rec *rp;
  exec_slot *fp;
  const exec_code *code;
  const exec_unit *ip;
} exec_act;

/* A compiled frame the collector must scan (src/jit): a function with stack maps keeps
 * one on the native stack while it runs, linked from th->jit_frames, and writes `pos`
 * (an interpreter position just after a safepoint instruction, the key of the stack map
 * that describes the frame there: compiled code keeps the interpreter's frame layout and
 * puts every operand home before a call) before each call. pos 0: no map applies. The
 * layout is fixed: compiled code writes it (src/jit/compile.c). */
typedef struct exec_jit_frame {
  struct exec_jit_frame *prev;
  exec_slot *fp;
  exec_instance *inst;
  uint32_t k;   /* defined function index in inst's module */
  uint32_t pos;
} exec_jit_frame;

static inline uint64_t exec_rd64(const exec_unit *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* Unsigned division by an invariant divisor (not a power of two): the translator picks
 * (magic, shift, add) with exec_divu_magic so that these equal a / d for every a. */
static inline uint32_t exec_divu32(uint32_t a, uint32_t magic, uint32_t sh) {
  uint32_t q = (uint32_t)(((uint64_t)a * magic) >> 32);
  if (sh & 0x100) q += (a - q) >> 1;
  return q >> (sh & 0xff);
}
#if defined(__SIZEOF_INT128__)
#define EXEC_HAVE_DIVU64_MAGIC 1
static inline uint64_t exec_divu64(uint64_t a, uint64_t magic, uint32_t sh) {
  uint64_t q = (uint64_t)(((unsigned __int128)a * magic) >> 64);
  if (sh & 0x100) q += (a - q) >> 1;
  return q >> (sh & 0xff);
}
#else
#define EXEC_HAVE_DIVU64_MAGIC 0
static inline uint64_t exec_divu64(uint64_t a, uint64_t magic, uint32_t sh) {
  (void)magic;
  (void)sh;
  return a; /* never emitted without 128-bit multiply */
}
#endif

/* Compiled code (src/jit). A function the compiling tier translated gets internal code of
 * one instruction, NATIVE, whose immediate points at one of these. The interpreter
 * calls `enter` with the callee's frame set up as for any call (parameters in place,
 * declared locals zeroed, the entry's interruption check done) and th->stack_top,
 * th->rec_top and th->depth describing the running stack; the results come back in
 * fp[0..]. On a trap it returns the kind with th->trap, th->trap_msg and the backtrace
 * of the compiled frames filled (innermost first); the interpreter appends its own
 * callers. */
typedef struct exec_native exec_native;
struct exec_native {
  exec_trap_kind (*enter)(const exec_native *n, exec_thread *th, exec_instance *inst, exec_slot *fp);
  /* The function's internal code from the translator: run instead when `enter` returns
   * EXEC_NATIVE_DECLINE (code compiled for a guarded memory meeting an unguarded one),
   * and used to map interpreter positions to module offsets. */
  const exec_unit *code;
  uint32_t code_len; /* bytes */
};
#define EXEC_NATIVE_DECLINE ((exec_trap_kind)0x7fff)
/* Returned by `enter` when the compiled function ended in a tail call: its frame is gone,
 * the callee's arguments are in fp[0..], and th->tail_call is the callee; the
 * interpreter makes the call in the frame's place (constant stack across tiers). */
#define EXEC_NATIVE_TAILCALL ((exec_trap_kind)0x7ffe)

/* The entry of every function not yet translated (compile.c): one LAZY instruction,
 * which translates the running function (exec_code_translate) and goes on in its internal
 * code. Its handler word is written when the handler table is built. */
extern exec_unit exec_lazy_stub[4];

/* The internal code c stands for, and its length in bytes: c->code, or the code behind
 * its NATIVE instruction (compiled, or a counting entry on the way to compiled code), and
 * behind the lazy entry the translation (NULL before it). An activation that began
 * before a function was compiled keeps running that code, so positions (backtraces,
 * exception handlers) are relative to it. */
static inline const exec_unit *exec_code_internal(const exec_code *c, size_t *len) {
  const exec_unit *base = (const exec_unit *)__atomic_load_n(&c->code, __ATOMIC_ACQUIRE);
  size_t l = c->code_len;
  if (base != exec_lazy_stub && exec_rd64(base) == exec_interp_handlers()[EXEC_IOP_NATIVE]) {
    const exec_native *n = (const exec_native *)(uintptr_t)exec_rd64(base + 2);
    base = n->code;
    l = n->code_len;
  }
  if (base == exec_lazy_stub) {
    base = (const exec_unit *)__atomic_load_n(&c->icode, __ATOMIC_ACQUIRE);
    l = base ? c->icode_len : 0;
  }
  if (len) *len = l;
  return base;
}
static inline const exec_unit *exec_code_base(const exec_code *c) { return exec_code_internal(c, NULL); }

/* Lowers the thread's interruption budget to at most `grant` units (0: leaves it), giving
 * the excess back to the store's fuel: exec_module.osr_grant (interp.c). */
void exec_budget_clamp(exec_thread *th, uint32_t grant);

/* Backtrace building for the compiling tier (interp.c). */
void exec_bt_reset(exec_thread *th);
void exec_bt_add(exec_thread *th, exec_func *f, uint32_t off);
/* The interpreter's default call-depth limit (th->max_depth 0). */
#define EXEC_DEFAULT_MAX_DEPTH 10000u

/* Maps a code position (in units) of `code` to a module byte offset. */
uint32_t exec_code_wasm_offset(const exec_code *code, uint32_t pos);

/* Exception handling (exn.c): where a thrown exception is caught. Frame 0 is the running
 * function (code, inst) at `ip`; frame k >= 1 is the caller recorded in rp[k - 1], up to
 * rp_entry. skip_first: the running frame has been replaced by a tail call to a host
 * function, so its handlers no longer apply. */
typedef struct exec_catch_site {
  size_t frame;      /* records to pop */
  uint32_t pad, dst; /* code position of the landing pad; first payload slot */
  bool ref;          /* the exnref follows the payload */
  bool all;          /* catch_all(_ref): no payload */
  uint32_t ref_slot; /* where the exnref goes: EXEC_NO_SLOT = after the payload */
} exec_catch_site;
bool exec_exn_find(const exec_exn *exn, exec_instance *inst, const exec_code *code, const exec_unit *ip,
                   const exec_frame_rec *rp, const exec_frame_rec *rp_entry, bool skip_first,
                   exec_catch_site *out);
/* Writes the payload (unless `all`) and the exnref (with `ref`) to dst; frees an exception
 * nothing can refer to any more. */
void exec_exn_deliver(exec_store *s, exec_exn *exn, exec_slot *fp, const exec_catch_site *cs);

/* Bulk work past EXEC_BULK_CHUNK bytes (bulk.c): done in chunks of that size, with a look
 * at the store's interrupt flag between them; EXEC_OK or the trap that stopped it (the
 * chunks before it stay written). A move keeps an overlapping copy right. */
#define EXEC_BULK_CHUNK ((size_t)1 << 20)
exec_trap_kind exec_bulk_move(exec_thread *th, uint8_t *d, const uint8_t *src, size_t n);
exec_trap_kind exec_bulk_fill(exec_thread *th, uint8_t *d, int v, size_t n);
exec_trap_kind exec_bulk_fill_refs(exec_thread *th, void **d, void *v, size_t n);

#endif

/* The threads proposal's atomic memory instructions (0xFE with a memarg), shared by the
 * interpreter's ATOMIC handler and the baseline compiler's helper call (src/jit).
 *
 * Every access is sequentially consistent (the compiler's __atomic builtins with
 * __ATOMIC_SEQ_CST) on a naturally aligned address, so a shared memory read by a host
 * thread at the same time sees whole values. A store runs one thread (weld does not spawn
 * threads: no wasi-threads), so no other agent can be waiting or notifying: see exec.h
 * for what wait and notify do then. */
#include "exec.h"

#include "../wasm/opcodes.h"

#define WAIT_SHIFT 10 /* ns of a wait's timeout per fuel unit: 1,024 */

/* The read-modify-write operations, in opcodes.def's order: seven widths each. */
enum { RMW_ADD, RMW_SUB, RMW_AND, RMW_OR, RMW_XOR, RMW_XCHG, RMW_CMPXCHG };

#define RMW(T, p, kind, v, c)                                                            \
  do {                                                                                   \
    T *q_ = (T *)(p), v_ = (T)(v), old_;                                                 \
    switch (kind) {                                                                      \
    case RMW_ADD: old_ = __atomic_fetch_add(q_, v_, __ATOMIC_SEQ_CST); break;            \
    case RMW_SUB: old_ = __atomic_fetch_sub(q_, v_, __ATOMIC_SEQ_CST); break;            \
    case RMW_AND: old_ = __atomic_fetch_and(q_, v_, __ATOMIC_SEQ_CST); break;            \
    case RMW_OR: old_ = __atomic_fetch_or(q_, v_, __ATOMIC_SEQ_CST); break;              \
    case RMW_XOR: old_ = __atomic_fetch_xor(q_, v_, __ATOMIC_SEQ_CST); break;            \
    case RMW_XCHG: old_ = __atomic_exchange_n(q_, v_, __ATOMIC_SEQ_CST); break;          \
    default: {                                                                           \
      /* cmpxchg: v is the expected value (wrapped to the width), c the replacement */   \
      old_ = v_;                                                                         \
      __atomic_compare_exchange_n(q_, &old_, (T)(c), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
      break;                                                                             \
    }                                                                                    \
    }                                                                                    \
    *res = (uint64_t)old_;                                                               \
  } while (0)

static uint64_t load_n(const uint8_t *p, unsigned size) {
  switch (size) {
  case 1: return __atomic_load_n(p, __ATOMIC_SEQ_CST);
  case 2: return __atomic_load_n((const uint16_t *)p, __ATOMIC_SEQ_CST);
  case 4: return __atomic_load_n((const uint32_t *)p, __ATOMIC_SEQ_CST);
  default: return __atomic_load_n((const uint64_t *)p, __ATOMIC_SEQ_CST);
  }
}

static void store_n(uint8_t *p, unsigned size, uint64_t v) {
  switch (size) {
  case 1: __atomic_store_n(p, (uint8_t)v, __ATOMIC_SEQ_CST); break;
  case 2: __atomic_store_n((uint16_t *)p, (uint16_t)v, __ATOMIC_SEQ_CST); break;
  case 4: __atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_SEQ_CST); break;
  default: __atomic_store_n((uint64_t *)p, v, __ATOMIC_SEQ_CST); break;
  }
}

/* wait: the value at p compared with the expected one; then the timeout (ns, negative:
 * none). Nothing in this store can notify, so a matching value only ever times out. */
static exec_trap_kind wait(exec_thread *th, const uint8_t *p, unsigned size, uint64_t expected, int64_t timeout,
                           uint64_t *res) {
  uint64_t cur = load_n(p, size);
  if (size == 4 ? (uint32_t)cur != (uint32_t)expected : cur != expected) {
    *res = 1; /* "not-equal" */
    return EXEC_OK;
  }
  if (timeout < 0) return EXEC_TRAP_WAIT_FOREVER;
  if (timeout > 0) {
    /* fuel bounds sleeping too: one unit per 1,024 ns of the timeout, charged whole
     * through the budget before the sleep (as bulk work is), so a metered store runs out
     * of fuel instead of sleeping past it */
    uint64_t units = (uint64_t)timeout >> WAIT_SHIFT;
    th->budget -= (int64_t)units;
    if (th->budget < 0) {
      exec_trap_kind k = exec_check_interrupt(th);
      if (k) return k;
    }
    exec_trap_kind trap = EXEC_OK;
    /* the store's interruption (a cancel, a deadline) ends the sleep with its trap */
    int r = exec_store_poll(th->store, NULL, 0, (uint64_t)timeout, &trap);
    if (r == EXEC_POLL_INTERRUPTED) return trap;
  }
  *res = 2; /* "timed-out" */
  return EXEC_OK;
}

exec_trap_kind exec_atomic(exec_thread *th, exec_memory *mem, unsigned op, uint64_t ea, uint64_t b, uint64_t c,
                           uint64_t *res) {
  const wasm_opinfo *oi = &wasm_opinfo_table[op];
  unsigned size = 1u << oi->arg;
  bool is_wait = op == WASM_OP_MEMORY_ATOMIC_WAIT32 || op == WASM_OP_MEMORY_ATOMIC_WAIT64;
  if (is_wait && !mem->shared) return EXEC_TRAP_EXPECTED_SHARED;
  /* bounds first: a 64-bit address past 4 GiB arrives saturated to 2^32-1 (compile_mem.c),
   * which is out of bounds whatever its alignment */
  if (ea > mem->size || mem->size - ea < size) return EXEC_TRAP_MEMORY_OOB;
  if (ea & (size - 1)) return EXEC_TRAP_UNALIGNED_ATOMIC;
  uint8_t *p = mem->base + ea;
  if (is_wait) return wait(th, p, size, b, (int64_t)c, res);
  if (op == WASM_OP_MEMORY_ATOMIC_NOTIFY) {
    *res = 0; /* no thread of this store can be waiting */
    return EXEC_OK;
  }
  if (op >= WASM_OP_I32_ATOMIC_LOAD && op <= WASM_OP_I64_ATOMIC_LOAD32_U) {
    *res = load_n(p, size);
    return EXEC_OK;
  }
  if (op >= WASM_OP_I32_ATOMIC_STORE && op <= WASM_OP_I64_ATOMIC_STORE32) {
    store_n(p, size, b);
    return EXEC_OK;
  }
  unsigned kind = (op - WASM_OP_I32_ATOMIC_RMW_ADD) / 7;
  switch (size) {
  case 1: RMW(uint8_t, p, kind, b, c); break;
  case 2: RMW(uint16_t, p, kind, b, c); break;
  case 4: RMW(uint32_t, p, kind, b, c); break;
  default: RMW(uint64_t, p, kind, b, c); break;
  }
  return EXEC_OK;
}

/* Runtime helpers of compiled code for the threads instructions (compile_atomic.c). */
#include "jit_int.h"

/* a[0] the address, a[1], a[2] the other operands; the result goes to a[0].
 * x: the opcode (low 16 bits) and the memory index; y: the memarg offset. */
uint32_t jit_rt_atomic(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y) {
  unsigned op = x & 0xffff, k = x >> 16;
  exec_memory *m = k ? c->inst->memories[k] : c->mem;
  unsigned np = wasm_opinfo_table[op].nparams;
  uint64_t r = 0;
  exec_trap_kind t =
      exec_atomic(c->th, m, op, (uint64_t)(uint32_t)a[0] + y, np > 1 ? a[1] : 0, np > 2 ? a[2] : 0, &r);
  if (t) return jit_rt_fail(c, t);
  if (wasm_opinfo_table[op].result) a[0] = r;
  return 0;
}

uint32_t jit_rt_atomic_fence(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y) {
  (void)c, (void)a, (void)x, (void)y;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  return 0;
}

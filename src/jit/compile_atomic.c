/* The baseline compiler's threads instructions (0xFE): every atomic access, wait and
 * notify is a call to jit_rt_atomic (rt_atomic.c), which does what the interpreter's
 * ATOMIC handler does (exec_atomic: alignment and bounds checks, sequentially consistent
 * access, wait's timeout through the store's interruption); atomic.fence calls
 * jit_rt_atomic_fence. A 64-bit memory's address is narrowed first with the offset
 * folded in, as for any access (compile_mem.c). */
#include "compile_int.h"

const char *jc_atomic(jc *j, const wasm_instr *in, uint32_t off) {
  const wasm_opinfo *oi = &wasm_opinfo_table[in->op];
  if (in->op == WASM_OP_ATOMIC_FENCE) {
    jc_emit_helper(j, jit_rt_atomic_fence, 0, 0, 0, 0, off);
    return NULL;
  }
  if (oi->imm != WASM_IMM_MEM) return "not supported: an unknown 0xfe instruction";
  uint32_t k = in->mem.memidx;
  if (k > 0xffff) return "not supported: an atomic access to a memory index above 65535";
  uint64_t offset = in->mem.offset;
  if (j->m->memories[k].type.limits.is64) {
    jc_mem_narrow(j, j->n - oi->nparams, offset);
    offset = 0;
  }
  /* x: the opcode and the memory; y: the offset (< 2^32 for a 32-bit memory) */
  jc_emit_helper(j, jit_rt_atomic, oi->nparams, oi->result ? 1 : 0, (uint32_t)in->op | k << 16, (uint32_t)offset, off);
  return NULL;
}

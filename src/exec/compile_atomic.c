/* Translation of the threads proposal's instructions (0xFE): every atomic access is one
 * ATOMIC instruction naming its WebAssembly opcode, handled out of line by exec_atomic
 * (atomic.c); atomic.fence is ATOMIC_FENCE. A memory other than 0, or a 64-bit one, comes
 * here through compile_mem.c's bracket (USE_MEM, the address narrowed with the offset
 * folded in), like every memory instruction. */
#include "compile.h"

bool exec_tr_atomic(exec_tr *t, const wasm_instr *in, util_error *err) {
  (void)err;
  const wasm_opinfo *oi = &wasm_opinfo_table[in->op];
  if (in->op == WASM_OP_ATOMIC_FENCE) {
    emit0(t, EXEC_IOP_ATOMIC_FENCE);
    return true;
  }
  uint32_t np = oi->nparams, s[3] = {0, 0, 0};
  if (!need(t, np)) return true;
  for (uint32_t i = 0; i < np; i++) s[i] = opnd(t, t->n - np + i);
  pop_n(t, np);
  uint32_t d = oi->result ? push_temp(t, oi->result) : 0;
  op_begin(t, EXEC_IOP_ATOMIC);
  put(t, in->op);
  put(t, d);
  put(t, s[0]);
  put(t, s[1]);
  put(t, s[2]);
  put(t, (uint32_t)in->mem.offset); /* < 2^32: the validator's bound, or 0 once folded */
  op_end(t);
  /* nothing later may fold into this instruction */
  t->last_start = NONE32;
  t->last_dst = NONE32;
  t->prev_start = NONE32;
  t->last_wop = 0;
  t->last_cond_ok = false;
  return true;
}

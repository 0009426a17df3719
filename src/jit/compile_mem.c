/* The baseline compiler's memory instructions: loads and stores, memory.size, grow,
 * fill, copy and init, on any memory; and the narrowing of 64-bit table operands.
 *
 * Memory 0 with 32-bit addresses is the fast path: its base and size stay in r13 and r15
 * and, in guard mode, an access is left to the guard region (a site for fault.c). Beyond
 * it the code does what the interpreter's translator does (src/exec/compile_mem.c):
 *
 * - memory k != 0: r13/r15 are switched to memory k's base and size around the access
 *   (from the instance's memories) and back to memory 0's after it; the access is always
 *   checked explicitly (memory k may be imported, guarded or not).
 * - a 64-bit memory's address, with the memarg offset folded in, is narrowed to 32 bits
 *   by saturation (2^32 and more, or an overflowing sum, become 2^32-1): a 64-bit memory
 *   is kept below 4 GiB (EXEC_MAX_PAGES_64), so the narrowed access is out of bounds
 *   exactly when the original is, and the usual 32-bit access, checked explicitly,
 *   traps where the interpreter does. Lengths and grow deltas are narrowed the same way;
 *   a failed grow's -1 comes back as 64 bits.
 * - 64-bit tables: indices and lengths narrowed likewise (tables are far smaller). */
#include <string.h>

#include "compile_int.h"

static bool mem64(const jc *j, uint32_t k) { return j->m->memories[k].type.limits.is64; }
static bool tab64(const jc *j, uint32_t k) { return j->m->tables[k].type.limits.is64; }

typedef struct memop {
  uint8_t bytes;
  x64_ld ld;     /* loads */
  bool store, w; /* stores: width of the value */
} memop;

static bool mem_form(uint16_t op, memop *mo) {
  switch (op) {
#define L(id, n, k)                                                                      \
  case WASM_OP_##id:                                                                     \
    *mo = (memop){n, k, false, false};                                                   \
    return true;
#define S(id, n, w)                                                                      \
  case WASM_OP_##id:                                                                     \
    *mo = (memop){n, X64_LD64, true, w};                                                 \
    return true;
    L(I32_LOAD, 4, X64_LD32) L(I64_LOAD, 8, X64_LD64) L(F32_LOAD, 4, X64_LD32) L(F64_LOAD, 8, X64_LD64)
    L(I32_LOAD8_S, 1, X64_LD8S) L(I32_LOAD8_U, 1, X64_LD8U) L(I32_LOAD16_S, 2, X64_LD16S)
    L(I32_LOAD16_U, 2, X64_LD16U) L(I64_LOAD8_S, 1, X64_LD8S64) L(I64_LOAD8_U, 1, X64_LD8U)
    L(I64_LOAD16_S, 2, X64_LD16S64) L(I64_LOAD16_U, 2, X64_LD16U) L(I64_LOAD32_S, 4, X64_LD32S)
    L(I64_LOAD32_U, 4, X64_LD32)
    S(I32_STORE, 4, false) S(I64_STORE, 8, true) S(F32_STORE, 4, false) S(F64_STORE, 8, true)
    S(I32_STORE8, 1, false) S(I32_STORE16, 2, false) S(I64_STORE8, 1, false) S(I64_STORE16, 2, false)
    S(I64_STORE32, 4, false)
#undef L
#undef S
  default: return false;
  }
}

/* rax = the 32-bit address, plus the offset when it does not fit a displacement (then
 * *offset becomes 0): the access is [r13 + rax + *offset]. */
static void addr_rax(jc *j, ent a, uint32_t pos, uint32_t *offset) {
  jc_load(j, RAX, a, pos, false);
  if (*offset > 0x7fff0000u) {
    x64_mov_ri(j->b, false, RCX, *offset);
    x64_alu_rr(j->b, X64_ADD, true, RAX, RCX);
    *offset = 0;
  }
}

/* rax as above, checked against the memory's size. */
static void mem_addr(jc *j, ent a, uint32_t pos, uint32_t *offsetp, uint32_t bytes, uint32_t off) {
  addr_rax(j, a, pos, offsetp);
  uint32_t offset = *offsetp;
  x64_lea(j->b, true, RCX, RAX, NOREG, 1, (int32_t)(offset + bytes));
  x64_alu_rr(j->b, X64_CMP, true, RCX, R15);
  jc_trap_if(j, X64_CC_A, EXEC_TRAP_MEMORY_OOB, off);
}

/* Guard mode: the access at the current position faults past the memory's end. */
static void add_site(jc *j, uint32_t off) {
  if (j->sites->n == j->sites->cap && !jit_sites_reserve(j->sites, j->sites->n + 1)) {
    j->oom = true;
    return;
  }
  j->sites->v[j->sites->n++] = (jit_site){(uint32_t)j->b->len, off, j->k};
}

static void emit_mem(jc *j, const memop *mo, uint32_t offset, uint32_t off) {
  if (!mo->store) {
    ent a = jc_pop(j);
    if (j->guard) {
      addr_rax(j, a, j->n, &offset); /* below 8 GiB: inside the reservation */
      add_site(j, off);
    } else {
      mem_addr(j, a, j->n, &offset, mo->bytes, off);
    }
    x64_load(j->b, mo->ld, RAX, R13, RAX, (int32_t)offset);
    jc_push_rax(j);
    return;
  }
  ent v = jc_pop(j), a = jc_pop(j);
  uint32_t pos = j->n;
  if (j->guard) addr_rax(j, a, pos, &offset);
  else mem_addr(j, a, pos, &offset, mo->bytes, off);
  jc_load(j, RDX, v, pos + 1, mo->bytes == 8);
  if (j->guard) add_site(j, off);
  x64_store(j->b, mo->bytes, R13, RAX, (int32_t)offset, RDX);
}

/* Position pos's value (64 bits) plus `offset`, saturated to 2^32-1, in its home slot. */
static void narrow(jc *j, uint32_t pos, uint64_t offset) {
  ent *e = &j->st[pos];
  if (e->kind == E_CONST) { /* folded here */
    uint64_t a = e->imm, ea = a + offset;
    e->imm = ea < a || ea > UINT32_MAX ? UINT32_MAX : ea;
    return;
  }
  jc_load(j, RAX, *e, pos, true);
  if (offset) {
    x64_mov_ri(j->b, true, RCX, offset);
    x64_alu_rr(j->b, X64_ADD, true, RAX, RCX);
    x64_mov_ri(j->b, true, RCX, UINT64_MAX); /* mov keeps the carry */
    x64_cmov(j->b, X64_CC_B, true, RAX, RCX);
  }
  x64_mov_ri(j->b, false, RCX, UINT32_MAX);
  x64_alu_rr(j->b, X64_CMP, true, RAX, RCX);
  x64_cmov(j->b, X64_CC_A, true, RAX, RCX);
  x64_mov_mr(j->b, true, RBX, NOREG, 1, home(j, pos), RAX);
  e->kind = E_SLOT;
  e->konst = false;
}

/* rcx = the instance's memory k (an exec_memory *). */
static void mem_ptr(jc *j, uint32_t k) {
  x64_mov_rm(j->b, true, RCX, R12, NOREG, 1, CTX(inst));
  x64_mov_rm(j->b, true, RCX, RCX, NOREG, 1, (int32_t)offsetof(exec_instance, memories));
  x64_mov_rm(j->b, true, RCX, RCX, NOREG, 1, slot_disp(k));
}

bool jc_memory(jc *j, const wasm_instr *in) {
  uint32_t off = in->offset;
  memop mo;
  if (mem_form(in->op, &mo)) {
    uint32_t k = in->mem.memidx;
    bool w = mem64(j, k);
    if (!k && !w) {
      emit_mem(j, &mo, (uint32_t)in->mem.offset, off);
      return true;
    }
    uint64_t offset = in->mem.offset;
    if (w) {
      narrow(j, j->n - (mo.store ? 2 : 1), offset);
      offset = 0;
    }
    if (k) {
      mem_ptr(j, k);
      x64_mov_rm(j->b, true, R13, RCX, NOREG, 1, (int32_t)offsetof(exec_memory, base));
      x64_mov_rm(j->b, true, R15, RCX, NOREG, 1, (int32_t)offsetof(exec_memory, size));
    }
    bool guard = j->guard;
    j->guard = false; /* checked explicitly */
    emit_mem(j, &mo, (uint32_t)offset, off);
    j->guard = guard;
    if (k) jc_reload_mem(j);
    return true;
  }
  switch (in->op) {
  case WASM_OP_MEMORY_SIZE:
    if (in->idx) {
      mem_ptr(j, in->idx);
      x64_mov_rm(j->b, true, RAX, RCX, NOREG, 1, (int32_t)offsetof(exec_memory, size));
    } else {
      x64_mov_rr(j->b, true, RAX, R15);
    }
    x64_shift_ri(j->b, X64_SHR, true, RAX, 16);
    jc_push_rax(j); /* pages: the same value as i32 or i64 */
    return true;
  case WASM_OP_MEMORY_GROW:
    if (!in->idx && !mem64(j, 0)) {
      jc_spill_regs(j);
      jc_materialize(j, j->n - 1);
      x64_mov_rr(j->b, true, RDI, R12);
      x64_lea(j->b, true, RSI, RBX, NOREG, 1, home(j, j->n - 1));
      jc_call_abs(j, (const void *)jit_rt_memory_grow);
      jc_reload_mem(j);
      jc_check_eax(j, off);
      return true;
    }
    if (mem64(j, in->idx)) narrow(j, j->n - 1, 0);
    jc_emit_helper(j, jit_rt_memory_grow_at, 1, 1, in->idx, mem64(j, in->idx), off);
    return true;
  case WASM_OP_MEMORY_FILL:
    if (mem64(j, in->idx)) {
      narrow(j, j->n - 3, 0);
      narrow(j, j->n - 1, 0);
    }
    jc_emit_helper(j, jit_rt_memory_fill, 3, 0, in->idx, 0, off);
    return true;
  case WASM_OP_MEMORY_COPY: {
    bool d = mem64(j, in->idx), s = mem64(j, in->idx2);
    if (d) narrow(j, j->n - 3, 0);
    if (s) narrow(j, j->n - 2, 0);
    if (d && s) narrow(j, j->n - 1, 0);
    jc_emit_helper(j, jit_rt_memory_copy, 3, 0, in->idx, in->idx2, off);
    return true;
  }
  case WASM_OP_MEMORY_INIT:
    if (mem64(j, in->idx2)) narrow(j, j->n - 3, 0);
    jc_emit_helper(j, jit_rt_memory_init, 3, 0, in->idx, in->idx2, off);
    return true;
  default: return false;
  }
}

bool jc_mem_begin(jc *j, const wasm_instr *in, uint32_t apos, uint32_t bytes, bool site_ok, int32_t *disp) {
  uint32_t k = in->mem.memidx;
  bool w = mem64(j, k);
  uint64_t offset = in->mem.offset;
  if (w) {
    narrow(j, apos, offset);
    offset = 0;
  }
  if (k) {
    mem_ptr(j, k);
    x64_mov_rm(j->b, true, R13, RCX, NOREG, 1, (int32_t)offsetof(exec_memory, base));
    x64_mov_rm(j->b, true, R15, RCX, NOREG, 1, (int32_t)offsetof(exec_memory, size));
  }
  uint32_t o = (uint32_t)offset;
  bool site = site_ok && j->guard && !k && !w;
  if (site) addr_rax(j, j->st[apos], apos, &o);
  else mem_addr(j, j->st[apos], apos, &o, bytes, in->offset);
  *disp = (int32_t)o;
  return site;
}

void jc_mem_site(jc *j, uint32_t off) { add_site(j, off); }

void jc_mem_narrow(jc *j, uint32_t pos, uint64_t offset) { narrow(j, pos, offset); }

void jc_mem_end(jc *j, const wasm_instr *in) {
  if (in->mem.memidx) jc_reload_mem(j);
}

void jc_table_narrow(jc *j, const wasm_instr *in) {
  switch (in->op) {
  case WASM_OP_TABLE_GET:
  case WASM_OP_TABLE_GROW:
    if (tab64(j, in->idx)) narrow(j, j->n - 1, 0);
    break;
  case WASM_OP_TABLE_SET:
    if (tab64(j, in->idx)) narrow(j, j->n - 2, 0);
    break;
  case WASM_OP_TABLE_FILL:
    if (tab64(j, in->idx)) {
      narrow(j, j->n - 3, 0);
      narrow(j, j->n - 1, 0);
    }
    break;
  case WASM_OP_TABLE_COPY: {
    bool d = tab64(j, in->idx), s = tab64(j, in->idx2);
    if (d) narrow(j, j->n - 3, 0);
    if (s) narrow(j, j->n - 2, 0);
    if (d && s) narrow(j, j->n - 1, 0);
    break;
  }
  case WASM_OP_TABLE_INIT:
    if (tab64(j, in->idx2)) narrow(j, j->n - 3, 0);
    break;
  case WASM_OP_CALL_INDIRECT:
  case WASM_OP_RETURN_CALL_INDIRECT:
    if (tab64(j, in->idx2)) narrow(j, j->n - 1, 0);
    break;
  default: break;
  }
}

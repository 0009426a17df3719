/* Translation of memory and table instructions beyond 2.0's one 32-bit memory: a memory
 * other than 0 (multiple memories), 64-bit memories and 64-bit tables.
 *
 * The interpreter keeps memory 0 in registers and its memory instructions take 32-bit
 * addresses. An instruction on memory k is bracketed by USE_MEM k ... USE_MEM 0, so every
 * memory handler (SIMD ones included) serves every memory unchanged. A 64-bit address,
 * index or length is narrowed first by SAT64 (SAT64_OFF folds a memarg offset in):
 * values of 2^32 and more become 2^32-1, and since a 64-bit memory is kept below 4 GiB
 * (exec_memory_limit64) and tables below TABLE_MAX_ELEMS, the narrowed access is out of
 * bounds exactly when the original one is. Grow results come back widened by EXT_M1. */
#include "compile.h"

static bool mem64(const exec_tr *t, uint32_t k) { return t->m->memories[k].type.limits.is64; }
static bool tab64(const exec_tr *t, uint32_t k) { return t->m->tables[k].type.limits.is64; }

bool exec_tr_needs_ext(const exec_tr *t, const wasm_instr *in) {
  const wasm_module *m = t->m;
  const wasm_opinfo *oi = &wasm_opinfo_table[in->op];
  switch ((wasm_imm_kind)oi->imm) {
  case WASM_IMM_MEM:
  case WASM_IMM_MEMLANE: return in->mem.memidx < m->nmemories && (in->mem.memidx != 0 || mem64(t, 0));
  case WASM_IMM_MEMIDX: return in->idx < m->nmemories && (in->idx != 0 || mem64(t, 0));
  case WASM_IMM_MEMINIT: return in->idx2 < m->nmemories && (in->idx2 != 0 || mem64(t, 0));
  case WASM_IMM_MEMCOPY:
    return in->idx < m->nmemories && in->idx2 < m->nmemories &&
           (in->idx != 0 || in->idx2 != 0 || mem64(t, 0));
  case WASM_IMM_TABLE: return in->idx < m->ntables && tab64(t, in->idx);
  case WASM_IMM_CALL_INDIRECT: return in->idx2 < m->ntables && tab64(t, in->idx2);
  case WASM_IMM_TABLECOPY:
    return in->idx < m->ntables && in->idx2 < m->ntables && (tab64(t, in->idx) || tab64(t, in->idx2));
  case WASM_IMM_TABLEINIT: return in->idx2 < m->ntables && tab64(t, in->idx2);
  default: return false;
  }
}

/* Operand `from_top` places below the top (1 = the top) narrowed to 32 bits, in place. */
static void narrow(exec_tr *t, size_t from_top, uint64_t off) {
  size_t i = t->n - from_top;
  materialize(t, i);
  exec_tr_entry *e = &t->st[i];
  if (off) emit4(t, EXEC_IOP_SAT64_OFF, e->home, e->home, (uint32_t)off, (uint32_t)(off >> 32));
  else emit2(t, EXEC_IOP_SAT64, e->home, e->home);
  e->type = WASM_I32;
}

/* The 32-bit result on top widened back to the 64-bit index type. */
static void widen(exec_tr *t, bool grow) {
  if (!t->n) return;
  if (grow) emit1(t, EXEC_IOP_EXT_M1, t->st[t->n - 1].home);
  t->st[t->n - 1].type = WASM_I64;
}

static bool inner(exec_tr *t, const wasm_instr *in, util_error *err) {
  if (wasm_opinfo_table[in->op].prefix == 0xfd) return exec_tr_simd(t, in, err);
  if (wasm_opinfo_table[in->op].prefix == 0xfe) return exec_tr_atomic(t, in, err);
  return exec_tr_instr(t, in, err);
}

/* Emitted instructions after this one must not fold into what came before (the
 * peephole state names code the bracket separates). */
static void barrier(exec_tr *t) {
  t->last_start = NONE32;
  t->last_dst = NONE32;
  t->prev_start = NONE32;
  t->last_wop = 0;
  t->last_cond_ok = false;
}

static bool tables(exec_tr *t, const wasm_instr *in, util_error *err) {
  bool w = false, grow = false;
  switch (in->op) {
  case WASM_OP_TABLE_GET:
    if (!need(t, 1)) return true;
    narrow(t, 1, 0);
    break;
  case WASM_OP_TABLE_SET:
    if (!need(t, 2)) return true;
    narrow(t, 2, 0);
    break;
  case WASM_OP_TABLE_SIZE: w = true; break;
  case WASM_OP_TABLE_GROW:
    if (!need(t, 2)) return true;
    narrow(t, 1, 0);
    w = grow = true;
    break;
  case WASM_OP_TABLE_FILL:
    if (!need(t, 3)) return true;
    narrow(t, 3, 0);
    narrow(t, 1, 0);
    break;
  case WASM_OP_TABLE_COPY: {
    if (!need(t, 3)) return true;
    bool d = tab64(t, in->idx), s = tab64(t, in->idx2);
    if (d) narrow(t, 3, 0);
    if (s) narrow(t, 2, 0);
    if (d && s) narrow(t, 1, 0);
    break;
  }
  case WASM_OP_TABLE_INIT:
    if (!need(t, 3)) return true;
    narrow(t, 3, 0);
    break;
  case WASM_OP_CALL_INDIRECT:
  case WASM_OP_RETURN_CALL_INDIRECT:
    if (!need(t, 1)) return true;
    narrow(t, 1, 0);
    break;
  default: break;
  }
  barrier(t);
  if (!inner(t, in, err)) return false;
  if (w && !t->dead) widen(t, grow);
  return true;
}

bool exec_tr_ext(exec_tr *t, const wasm_instr *in, util_error *err) {
  const wasm_opinfo *oi = &wasm_opinfo_table[in->op];
  wasm_instr x = *in;
  uint32_t k = 0;
  bool w = false, grow = false;
  switch ((wasm_imm_kind)oi->imm) {
  case WASM_IMM_MEM:
  case WASM_IMM_MEMLANE:
    k = in->mem.memidx;
    x.mem.memidx = 0;
    if (mem64(t, k)) {
      if (!need(t, oi->nparams)) return true;
      narrow(t, oi->nparams, in->mem.offset);
      x.mem.offset = 0;
    }
    break;
  case WASM_IMM_MEMIDX:
    k = in->idx;
    x.idx = 0;
    if (mem64(t, k)) {
      if (in->op == WASM_OP_MEMORY_SIZE) w = true;
      else if (in->op == WASM_OP_MEMORY_GROW) {
        if (!need(t, 1)) return true;
        narrow(t, 1, 0);
        w = grow = true;
      } else { /* memory.fill d v n */
        if (!need(t, 3)) return true;
        narrow(t, 3, 0);
        narrow(t, 1, 0);
      }
    }
    break;
  case WASM_IMM_MEMINIT:
    k = in->idx2;
    x.idx2 = 0;
    if (mem64(t, k)) {
      if (!need(t, 3)) return true;
      narrow(t, 3, 0);
    }
    break;
  case WASM_IMM_MEMCOPY: {
    if (!need(t, 3)) return true;
    bool d = mem64(t, in->idx), s = mem64(t, in->idx2);
    if (d) narrow(t, 3, 0);
    if (s) narrow(t, 2, 0);
    if (d && s) narrow(t, 1, 0);
    if (in->idx != in->idx2) {
      uint32_t dv = opnd(t, t->n - 3), sv = opnd(t, t->n - 2), nv = opnd(t, t->n - 1);
      pop_n(t, 3);
      emit5(t, EXEC_IOP_MEM_COPYX, in->idx, in->idx2, dv, sv, nv);
      barrier(t);
      return true;
    }
    k = in->idx;
    x.idx = x.idx2 = 0;
    break;
  }
  default: return tables(t, in, err);
  }
  barrier(t);
  if (k) emit1(t, EXEC_IOP_USE_MEM, k);
  if (!inner(t, &x, err)) return false;
  if (k) emit1(t, EXEC_IOP_USE_MEM, 0);
  barrier(t);
  if (w && !t->dead) widen(t, grow);
  return true;
}

/* Translation of everything but control flow: numeric ops (immediate forms, identities,
 * division by constants), memory with folded addresses, calls, locals, globals, tables. */
#include "compile.h"


/* ---------- instructions ---------------------------------------------------------------- */

static bool fits_i32(uint8_t type, uint64_t c) {
  return type == WASM_I32 || (int64_t)(int32_t)c == (int64_t)c;
}

/* ---------- unsigned division by constants -------------------------------------------
 * q = a / d for every N-bit a, with l = floor(log2 d) and d not a power of two:
 *   m = ceil(2^(N+l) / d); if m*d - 2^(N+l) <= 2^l then q = mulhi(a, m) >> l;
 *   else with m' = ceil(2^(N+l+1) / d) (N+1 bits), magic = m' - 2^N and
 *   q = (((a - t) >> 1) + t) >> l where t = mulhi(a, magic)   (the "add" form).
 * The bound is the Granlund-Montgomery condition for exactness over all N-bit inputs. */
static bool divu_magic32(uint32_t d, uint32_t *magic, uint32_t *sh) {
  if (d < 3 || (d & (d - 1)) == 0) return false;
  uint32_t l = 31u - (uint32_t)__builtin_clz(d);
  uint64_t p = (uint64_t)1 << (32 + l);
  uint64_t m = (p + d - 1) / d;
  if (m * d - p <= ((uint64_t)1 << l)) {
    *magic = (uint32_t)m;
    *sh = l;
    return true;
  }
  if (l >= 31) return false;
  uint64_t m2 = ((p << 1) + d - 1) / d;
  *magic = (uint32_t)(m2 - ((uint64_t)1 << 32));
  *sh = l | 0x100u;
  return true;
}

#if EXEC_HAVE_DIVU64_MAGIC
static bool divu_magic64(uint64_t d, uint64_t *magic, uint32_t *sh) {
  if (d < 3 || (d & (d - 1)) == 0) return false;
  uint32_t l = 63u - (uint32_t)__builtin_clzll(d);
  if (l >= 63) return false;
  unsigned __int128 p = (unsigned __int128)1 << (64 + l);
  unsigned __int128 m = (p + d - 1) / d;
  if (m * d - p <= ((unsigned __int128)1 << l)) {
    *magic = (uint64_t)m;
    *sh = l;
    return true;
  }
  unsigned __int128 m2 = ((p << 1) + d - 1) / d;
  *magic = (uint64_t)(m2 - ((unsigned __int128)1 << 64));
  *sh = l | 0x100u;
  return true;
}
#endif

/* Unsigned division or remainder by a nonzero constant: a shift or mask for powers of
 * two, a multiply-high otherwise. Returns false to fall back to the immediate form. */
static bool tr_divu_const(exec_tr *t, uint16_t op, uint64_t c) {
  bool is64 = op == WASM_OP_I64_DIV_U || op == WASM_OP_I64_REM_U;
  bool rem = op == WASM_OP_I32_REM_U || op == WASM_OP_I64_REM_U;
  if (!is64) c = (uint32_t)c;
  if (c == 0) return false;
  uint32_t d = t->st[t->n - 2].home;
  if ((c & (c - 1)) == 0) {
    unsigned k = (unsigned)__builtin_ctzll(c);
    if (rem && is64 && c - 1 > 0x7fffffffu) return false;
    uint32_t a = opnd(t, t->n - 2);
    pop_n(t, 2);
    unsigned iop = rem ? (is64 ? EXEC_IOP_I64_AND_I : EXEC_IOP_I32_AND_I)
                       : (is64 ? EXEC_IOP_I64_SHR_U_I : EXEC_IOP_I32_SHR_U_I);
    uint32_t p = emit3(t, iop, d, a, rem ? (uint32_t)(c - 1) : k);
    push_temp(t, is64 ? WASM_I64 : WASM_I32);
    produced(t, p + 2);
    return true;
  }
  if (!is64) {
    uint32_t magic, sh;
    if (!divu_magic32((uint32_t)c, &magic, &sh)) return false;
    uint32_t a = opnd(t, t->n - 2);
    pop_n(t, 2);
    uint32_t p = rem ? emit5(t, EXEC_IOP_I32_REMU_M, d, a, magic, sh, (uint32_t)c)
                     : emit4(t, EXEC_IOP_I32_DIVU_M, d, a, magic, sh);
    push_temp(t, WASM_I32);
    produced(t, p + 2);
    return true;
  }
#if EXEC_HAVE_DIVU64_MAGIC
  uint64_t magic;
  uint32_t sh;
  if (!divu_magic64(c, &magic, &sh)) return false;
  uint32_t a = opnd(t, t->n - 2);
  pop_n(t, 2);
  uint32_t p = op_begin(t, rem ? EXEC_IOP_I64_REMU_M : EXEC_IOP_I64_DIVU_M);
  put64(t, magic);
  if (rem) put64(t, c);
  uint32_t field = (uint32_t)t->len;
  put(t, d);
  put(t, a);
  put(t, sh);
  op_end(t);
  (void)p;
  push_temp(t, WASM_I64);
  produced(t, field);
  return true;
#else
  return false;
#endif
}

/* x op c == x for every x. */
static bool is_identity(uint16_t op, uint64_t c) {
  switch (op) {
  case WASM_OP_I32_ADD:
  case WASM_OP_I32_SUB:
  case WASM_OP_I32_OR:
  case WASM_OP_I32_XOR: return (uint32_t)c == 0;
  case WASM_OP_I32_SHL:
  case WASM_OP_I32_SHR_S:
  case WASM_OP_I32_SHR_U:
  case WASM_OP_I32_ROTL:
  case WASM_OP_I32_ROTR: return (c & 31) == 0;
  case WASM_OP_I32_MUL:
  case WASM_OP_I32_DIV_S:
  case WASM_OP_I32_DIV_U: return (uint32_t)c == 1;
  case WASM_OP_I32_AND: return (uint32_t)c == 0xffffffffu;
  case WASM_OP_I64_ADD:
  case WASM_OP_I64_SUB:
  case WASM_OP_I64_OR:
  case WASM_OP_I64_XOR: return c == 0;
  case WASM_OP_I64_SHL:
  case WASM_OP_I64_SHR_S:
  case WASM_OP_I64_SHR_U:
  case WASM_OP_I64_ROTL:
  case WASM_OP_I64_ROTR: return (c & 63) == 0;
  case WASM_OP_I64_MUL:
  case WASM_OP_I64_DIV_S:
  case WASM_OP_I64_DIV_U: return c == 1;
  case WASM_OP_I64_AND: return c == ~(uint64_t)0;
  default: return false;
  }
}

/* Division by a constant takes the immediate form only when it cannot trap (and a signed
 * divisor is not -1, the one overflowing case). */
static bool imm_safe(uint16_t op, const exec_tr_entry *e) {
  switch (op) {
  case WASM_OP_I32_DIV_S:
  case WASM_OP_I32_DIV_U:
  case WASM_OP_I32_REM_S:
  case WASM_OP_I32_REM_U: return (uint32_t)e->c != 0 && (uint32_t)e->c != 0xffffffffu;
  case WASM_OP_I64_DIV_S:
  case WASM_OP_I64_DIV_U:
  case WASM_OP_I64_REM_S:
  case WASM_OP_I64_REM_U: return e->c != 0 && e->c != ~(uint64_t)0;
  default: return true;
  }
}

/* The _LD family for a binary op and the full-width load that feeds it, or 0. */
static unsigned ld_fused_iop(uint16_t op, uint16_t ldop) {
  unsigned iop = 0;
  uint16_t want = WASM_OP_I32_LOAD;
  switch (op) {
  case WASM_OP_I32_ADD: iop = EXEC_IOP_I32_ADD_LD; break;
  case WASM_OP_I32_SUB: iop = EXEC_IOP_I32_SUB_LD; break;
  case WASM_OP_I32_MUL: iop = EXEC_IOP_I32_MUL_LD; break;
  case WASM_OP_I32_AND: iop = EXEC_IOP_I32_AND_LD; break;
  case WASM_OP_I32_OR: iop = EXEC_IOP_I32_OR_LD; break;
  case WASM_OP_I32_XOR: iop = EXEC_IOP_I32_XOR_LD; break;
  case WASM_OP_I64_ADD: iop = EXEC_IOP_I64_ADD_LD, want = WASM_OP_I64_LOAD; break;
  case WASM_OP_I64_SUB: iop = EXEC_IOP_I64_SUB_LD, want = WASM_OP_I64_LOAD; break;
  case WASM_OP_I64_MUL: iop = EXEC_IOP_I64_MUL_LD, want = WASM_OP_I64_LOAD; break;
  case WASM_OP_I64_AND: iop = EXEC_IOP_I64_AND_LD, want = WASM_OP_I64_LOAD; break;
  case WASM_OP_I64_OR: iop = EXEC_IOP_I64_OR_LD, want = WASM_OP_I64_LOAD; break;
  case WASM_OP_I64_XOR: iop = EXEC_IOP_I64_XOR_LD, want = WASM_OP_I64_LOAD; break;
  case WASM_OP_F32_ADD: iop = EXEC_IOP_F32_ADD_LD, want = WASM_OP_F32_LOAD; break;
  case WASM_OP_F32_SUB: iop = EXEC_IOP_F32_SUB_LD, want = WASM_OP_F32_LOAD; break;
  case WASM_OP_F32_MUL: iop = EXEC_IOP_F32_MUL_LD, want = WASM_OP_F32_LOAD; break;
  case WASM_OP_F64_ADD: iop = EXEC_IOP_F64_ADD_LD, want = WASM_OP_F64_LOAD; break;
  case WASM_OP_F64_SUB: iop = EXEC_IOP_F64_SUB_LD, want = WASM_OP_F64_LOAD; break;
  case WASM_OP_F64_MUL: iop = EXEC_IOP_F64_MUL_LD, want = WASM_OP_F64_LOAD; break;
  default: return 0;
  }
  return ldop == want ? iop : 0;
}

static bool int_commutes(uint16_t op) {
  switch (op) {
  case WASM_OP_I32_ADD:
  case WASM_OP_I32_MUL:
  case WASM_OP_I32_AND:
  case WASM_OP_I32_OR:
  case WASM_OP_I32_XOR:
  case WASM_OP_I64_ADD:
  case WASM_OP_I64_MUL:
  case WASM_OP_I64_AND:
  case WASM_OP_I64_OR:
  case WASM_OP_I64_XOR: return true;
  default: return false;
  }
}

/* A binary op one of whose operands the load just emitted produced: the load is taken
 * back and becomes the op's memory operand, saving a dispatch and a slot round trip. The
 * right operand, or for integer add/mul/and/or/xor the left one when the right is a
 * pending local.get (so nothing was emitted since, and its slot is not a home slot the
 * load's address may still need). Returns false when the pattern does not apply. */
static bool tr_load_operand(exec_tr *t, uint16_t op, uint32_t d) {
  if (t->last_dst == NONE32 || t->last_start == NONE32) return false;
  unsigned iop = ld_fused_iop(op, t->last_wop);
  if (!iop) return false;
  exec_tr_entry *ea = &t->st[t->n - 2], *eb = &t->st[t->n - 1];
  size_t other;
  if (eb->kind == E_TEMP && t->code[t->last_dst] == eb->home && t->last_dst_n == t->n &&
      ea->kind != E_CONST) {
    other = t->n - 2;
  } else if (ea->kind == E_TEMP && t->code[t->last_dst] == ea->home &&
             t->last_dst_n == t->n - 1 && eb->kind == E_LOCAL && int_commutes(op)) {
    other = t->n - 1;
  } else {
    return false;
  }
  int form = t->last_ld_form;
  uint32_t la = t->last_ld_a, lb = t->last_ld_b, off = t->last_ld_off;
  uint32_t wasm_off = t->last_ld_wasm;
  uint16_t wop = t->last_wop;
  rewind_to(t, t->last_start);
  uint32_t a = opnd(t, other);
  pop_n(t, 2);
  /* a trap here is the load's: the source map names the load */
  uint32_t cur = t->cur_off;
  t->cur_off = wasm_off;
  uint32_t p = form ? emit5(t, iop + (unsigned)form, d, a, la, lb, off) : emit4(t, iop, d, a, la, off);
  t->cur_off = cur;
  push_temp(t, wasm_opinfo_table[wop].result);
  produced(t, p + 2);
  return true;
}

static void tr_numeric(exec_tr *t, const wasm_instr *in, unsigned iop) {
  const wasm_opinfo *info = &wasm_opinfo_table[in->op];
  uint16_t op = in->op;
  if (info->nparams == 1) {
    if (!need(t, 1)) return;
    uint32_t a = opnd(t, t->n - 1);
    uint32_t d = t->st[t->n - 1].home;
    pop(t);
    uint32_t p = emit2(t, iop, d, a);
    push_temp(t, info->result);
    produced(t, p + 2);
    if (op == WASM_OP_I32_EQZ || op == WASM_OP_I64_EQZ) {
      t->last_cond_ok = true;
      t->last_cond.kind = op == WASM_OP_I32_EQZ ? C_Z : C_Z64;
      t->last_cond.a = a;
    }
    return;
  }
  if (!need(t, 2)) return;
  if ((op == WASM_OP_I32_DIV_U || op == WASM_OP_I32_REM_U || op == WASM_OP_I64_DIV_U ||
       op == WASM_OP_I64_REM_U) &&
      t->st[t->n - 1].kind == E_CONST && tr_divu_const(t, op, t->st[t->n - 1].c)) {
    return;
  }
  exec_tr_entry *ea = &t->st[t->n - 2], *eb = &t->st[t->n - 1];
  if (eb->kind == E_CONST && ea->kind != E_CONST && is_identity(op, eb->c)) {
    pop(t); /* the result is the left operand, wherever it lives */
    return;
  }
  uint32_t d = ea->home;
  bool is_cmp = brc_iop[op][0] != 0;
  uint32_t a, b;
  bool imm = false;
  if (imm_iop[op] && eb->kind == E_CONST && fits_i32(eb->type, eb->c) && imm_safe(op, eb)) {
    a = opnd(t, t->n - 2);
    b = (uint32_t)eb->c;
    imm = true;
  } else if (swap_op[op] && imm_iop[swap_op[op] - 1] && ea->kind == E_CONST && eb->kind != E_CONST &&
             fits_i32(ea->type, ea->c)) {
    op = (uint16_t)(swap_op[op] - 1);
    a = opnd(t, t->n - 1);
    b = (uint32_t)ea->c;
    imm = true;
  } else if (tr_load_operand(t, op, d)) {
    return;
  } else {
    a = opnd(t, t->n - 2);
    b = opnd(t, t->n - 1);
  }
  pop_n(t, 2);
  uint32_t p = emit3(t, imm ? imm_iop[op] - 1 : num_iop[op] - 1, d, a, b);
  push_temp(t, info->result);
  produced(t, p + 2);
  t->last_wop = op;
  t->last_imm = imm;
  t->last_a = a;
  t->last_b = b;
  if (brf_iop[op][0]) {
    t->last_cond_ok = true;
    t->last_cond.kind = C_FCMP;
    t->last_cond.op = op;
    t->last_cond.imm = false;
    t->last_cond.a = a;
    t->last_cond.b = b;
  }
  if (is_cmp) {
    t->last_cond_ok = true;
    t->last_cond.kind = C_CMP;
    t->last_cond.op = op;
    t->last_cond.imm = imm;
    t->last_cond.a = a;
    t->last_cond.b = b;
  }
}

/* An address computed by the instruction just emitted (x + imm or x + y, i32) is taken
 * back and folded into the memory access: returns 1 (imm, *b is the immediate) or 2
 * (register), matching the _AI/_AR handler order; 0 leaves *a as the plain address slot
 * only for loads (callers of the 0 case materialize themselves). */
int exec_tr_take_addr(exec_tr *t, size_t i, uint32_t *a, uint32_t *b) {
  exec_tr_entry *e = &t->st[i];
  if (e->kind == E_TEMP && t->last_dst != NONE32 && t->last_start != NONE32 &&
      t->code[t->last_dst] == e->home && t->last_dst_n == i + 1 &&
      (t->last_wop == WASM_OP_I32_ADD)) {
    *a = t->last_a;
    *b = t->last_b;
    int form = t->last_imm ? 1 : 2;
    rewind_to(t, t->last_start);
    return form;
  }
  *a = opnd(t, i);
  *b = 0;
  return 0;
}

/* A constant address whose effective address fits 32 bits (a larger one is out of bounds
 * anyway and keeps the general form). */
static bool const_addr(exec_tr *t, size_t i, uint32_t off, uint64_t *ea) {
  const exec_tr_entry *e = &t->st[i];
  if (e->kind != E_CONST) return false;
  *ea = (uint64_t)(uint32_t)e->c + off;
  return *ea <= UINT32_MAX;
}

static unsigned load_iop(uint16_t op) {
  switch (op) {
  case WASM_OP_I32_LOAD:
  case WASM_OP_F32_LOAD:
  case WASM_OP_I64_LOAD32_U: return EXEC_IOP_LD32;
  case WASM_OP_I64_LOAD:
  case WASM_OP_F64_LOAD: return EXEC_IOP_LD64;
  case WASM_OP_I32_LOAD8_S: return EXEC_IOP_LD8S32;
  case WASM_OP_I32_LOAD8_U:
  case WASM_OP_I64_LOAD8_U: return EXEC_IOP_LD8U;
  case WASM_OP_I32_LOAD16_S: return EXEC_IOP_LD16S32;
  case WASM_OP_I32_LOAD16_U:
  case WASM_OP_I64_LOAD16_U: return EXEC_IOP_LD16U;
  case WASM_OP_I64_LOAD8_S: return EXEC_IOP_LD8S64;
  case WASM_OP_I64_LOAD16_S: return EXEC_IOP_LD16S64;
  case WASM_OP_I64_LOAD32_S: return EXEC_IOP_LD32S64;
  default: return 0;
  }
}

static unsigned store_iop(uint16_t op) {
  switch (op) {
  case WASM_OP_I32_STORE:
  case WASM_OP_F32_STORE:
  case WASM_OP_I64_STORE32: return EXEC_IOP_ST32;
  case WASM_OP_I64_STORE:
  case WASM_OP_F64_STORE: return EXEC_IOP_ST64;
  case WASM_OP_I32_STORE8:
  case WASM_OP_I64_STORE8: return EXEC_IOP_ST8;
  case WASM_OP_I32_STORE16:
  case WASM_OP_I64_STORE16: return EXEC_IOP_ST16;
  default: return 0;
  }
}

/* table == NONE32 with `indirect`: call_ref, the callee a reference on top. */
static void tr_call(exec_tr *t, const wasm_functype *ft, uint32_t fidx, bool indirect,
                    uint32_t typeidx, uint32_t table) {
  size_t np = ft->nparams;
  if (!need(t, np + (indirect ? 1 : 0))) return;
  uint32_t idx = 0;
  if (indirect) {
    idx = opnd(t, t->n - 1);
  }
  size_t argtop = t->n - (indirect ? 1 : 0);
  for (size_t i = argtop - np; i < argtop; i++) materialize(t, i);
  uint32_t base = np ? t->st[argtop - np].home : (indirect ? t->st[t->n - 1].home : next_home(t));
  pop_n(t, np + (indirect ? 1 : 0));
  if (indirect && table == NONE32) {
    emit2(t, EXEC_IOP_CALL_REF, base, idx);
  } else if (indirect) {
    emit4(t, EXEC_IOP_CALL_INDIRECT, t->em->typeids[typeidx], table, base, idx);
  } else if (fidx >= t->m->nfunc_imports) {
    uint32_t k = fidx - t->m->nfunc_imports;
    op_begin(t, EXEC_IOP_CALL);
    put64(t, (uint64_t)(uintptr_t)&t->em->codes[k]);
    put(t, base);
    put(t, k);
    op_end(t);
  } else {
    emit2(t, EXEC_IOP_CALL_IMPORT, fidx, base);
  }
  safepoint(t);
  for (uint32_t i = 0; i < ft->nresults; i++) push_temp(t, ft->results[i]);
}

/* return_call / return_call_indirect: the arguments are materialized where a call would
 * put them; the interpreter moves them to the frame's base and replaces the frame. */
static void tr_return_call(exec_tr *t, const wasm_functype *ft, uint32_t fidx, bool indirect,
                           uint32_t typeidx, uint32_t table) {
  size_t np = ft->nparams;
  if (!need(t, np + (indirect ? 1 : 0))) return;
  uint32_t idx = indirect ? opnd(t, t->n - 1) : 0;
  size_t argtop = t->n - (indirect ? 1 : 0);
  for (size_t i = argtop - np; i < argtop; i++) materialize(t, i);
  uint32_t base = np ? t->st[argtop - np].home : (indirect ? t->st[t->n - 1].home : next_home(t));
  pop_n(t, np + (indirect ? 1 : 0));
  /* a host callee writes its results at base: the frame must hold them */
  if (base + t->nresult_slots > t->max_slots) t->max_slots = base + t->nresult_slots;
  if (indirect && table == NONE32) emit3(t, EXEC_IOP_RETURN_CALL_REF, base, idx, t->nresult_slots);
  else if (indirect) emit5(t, EXEC_IOP_RETURN_CALL_INDIRECT, t->em->typeids[typeidx], table, base, idx, t->nresult_slots);
  else emit3(t, EXEC_IOP_RETURN_CALL, fidx, base, t->nresult_slots);
  t->dead = true;
}

static void tr_local_set(exec_tr *t, uint32_t x, bool tee) {
  if (!need(t, 1)) return;
  exec_tr_entry e = t->st[t->n - 1];
  if (e.kind == E_LOCAL && e.local == x) {
    if (!tee) pop(t);
    return;
  }
  uint64_t bit = x < 64 ? (uint64_t)1 << x : 0;
  if (e.kind == E_CONST && e.c == 0 && (t->zero_locals & bit)) {
    if (!tee) pop(t); /* the local already holds zero: a tee leaves the constant pending */
    return;
  }
  t->zero_locals &= ~bit;
  bool retarget = e.kind == E_TEMP && t->last_dst != NONE32 && t->last_dst_n == t->n &&
                  t->code[t->last_dst] == e.home;
  uint32_t last_dst = t->last_dst;
  pop(t);
  if (t->lrefs[x]) {
    flush_local(t, x);
    retarget = false; /* the copies now sit between the producer and here */
  }
  uint32_t dst = t->lslot[x];
  if (retarget) {
    t->code[last_dst] = dst;
    if (t->last_wop == WASM_OP_I32_ADD && (t->last_a == dst || (!t->last_imm && t->last_b == dst))) {
      t->inc_start = t->last_start;
      t->inc_end = (uint32_t)t->len;
      t->inc_x = dst;
      t->inc_local = x;
      t->inc_reg = !t->last_imm;
      t->inc_v = t->last_a == dst ? t->last_b : t->last_a;
    }
    t->last_dst = NONE32;
    t->last_cond_ok = false;
  } else if (e.kind == E_CONST) {
    emit_const(t, e.type, dst, e.c);
  } else {
    emit_mov(t, e.type, dst, e.kind == E_LOCAL ? e.slot : e.home);
  }
  if (tee) push_local(t, x);
}

/* Indices the translator itself dereferences. The validator checks immediates before the
 * hook runs; this only keeps a lapse there from becoming an out-of-bounds read here. */
static bool immediates_ok(const exec_tr *t, const wasm_instr *in) {
  const wasm_module *m = t->m;
  switch (in->op) {
  case WASM_OP_BR:
  case WASM_OP_BR_IF: return in->idx < t->nctl;
  case WASM_OP_BR_TABLE: {
    if (in->idx >= t->nctl) return false;
    const uint8_t *p = in->targets;
    for (uint32_t i = 0; i < in->ntargets; i++) {
      if (wasm_br_table_next(&p) >= t->nctl) return false;
    }
    return true;
  }
  case WASM_OP_CALL: return in->idx < m->nfuncs;
  case WASM_OP_CALL_INDIRECT: return in->idx < m->ntypes;
  case WASM_OP_RETURN_CALL: return in->idx < m->nfuncs;
  case WASM_OP_RETURN_CALL_INDIRECT:
  case WASM_OP_CALL_REF:
  case WASM_OP_RETURN_CALL_REF: return in->idx < m->ntypes;
  case WASM_OP_BR_ON_NULL:
  case WASM_OP_BR_ON_NON_NULL: return in->idx < t->nctl;
  case WASM_OP_LOCAL_GET:
  case WASM_OP_LOCAL_SET:
  case WASM_OP_LOCAL_TEE: return in->idx < t->nlocals;
  case WASM_OP_GLOBAL_GET:
  case WASM_OP_GLOBAL_SET: return in->idx < m->nglobals;
  case WASM_OP_TABLE_GET: return in->idx < m->ntables;
  default: return true;
  }
}

bool exec_tr_instr(exec_tr *t, const wasm_instr *in, util_error *err) {
  uint16_t op = in->op;
  if (!immediates_ok(t, in)) {
    t->dead = true; /* the validator rejects the function */
    return true;
  }
  if (num_iop[op]) {
    tr_numeric(t, in, num_iop[op] - 1);
    return true;
  }
  unsigned iop;
  uint32_t off = (uint32_t)in->mem.offset;
  if ((iop = load_iop(op)) != 0) {
    if (!need(t, 1)) return true;
    uint32_t d = t->st[t->n - 1].home;
    uint32_t a, b, p;
    uint64_t ea;
    if (const_addr(t, t->n - 1, off, &ea)) {
      pop(t);
      p = emit2(t, iop + 3, d, (uint32_t)ea); /* the _K form */
    } else {
      int form = exec_tr_take_addr(t, t->n - 1, &a, &b);
      if (form == 1 && t->prev_start != NONE32 && t->prev_dst != NONE32 &&
          t->prev_wop == WASM_OP_I32_SHL && t->prev_imm && t->code[t->prev_dst] == a &&
          t->prev_dst_n == t->n && t->prev_start < t->len) {
        /* (x << s) + imm just before: the _SI form, for a static array's element */
        uint32_t x = t->prev_a, s = t->prev_b & 31;
        rewind_to(t, t->prev_start);
        pop(t);
        p = emit5(t, iop + 4, d, x, s, b, off);
        push_temp(t, wasm_opinfo_table[op].result);
        produced(t, p + 2);
        return true;
      }
      if (form == 2 && t->prev_start != NONE32 && t->prev_dst != NONE32 &&
          t->prev_wop == WASM_OP_I32_SHL && t->prev_imm) {
        /* base + (x << s): the shifted index is the add's right operand (the shl came
         * last) or its left one with a pending local.get on the right: the _SR form */
        uint32_t pd = t->code[t->prev_dst], base = NONE32;
        if (pd == b && t->prev_dst_n == t->n + 1) base = a;
        else if (pd == a && t->prev_dst_n == t->n) base = b;
        if (base != NONE32) {
          uint32_t x = t->prev_a, s = t->prev_b & 31;
          rewind_to(t, t->prev_start);
          pop(t);
          p = emit5(t, iop + 5, d, base, x, s, off);
          push_temp(t, wasm_opinfo_table[op].result);
          produced(t, p + 2);
          return true;
        }
      }
      pop(t);
      p = form ? emit4(t, iop + form, d, a, b, off) : emit3(t, iop, d, a, off);
      t->last_wop = op;
      t->last_ld_form = form;
      t->last_ld_a = a;
      t->last_ld_b = b;
      t->last_ld_off = off;
      t->last_ld_wasm = t->cur_off;
    }
    push_temp(t, wasm_opinfo_table[op].result);
    produced(t, p + 2);
    return true;
  }
  if ((iop = store_iop(op)) != 0) {
    if (!need(t, 2)) return true;
    exec_tr_entry *ev = &t->st[t->n - 1];
    bool vimm = ev->kind == E_CONST && fits_i32(ev->type, ev->c);
    uint32_t v = vimm ? (uint32_t)ev->c : 0;
    uint32_t a, b;
    uint64_t ea;
    if (const_addr(t, t->n - 2, off, &ea)) {
      if (!vimm) v = opnd(t, t->n - 1);
      pop_n(t, 2);
      emit2(t, iop + 6 + (vimm ? 1u : 0u), (uint32_t)ea, v); /* the _K forms */
      return true;
    }
    int form = ev->kind != E_TEMP ? exec_tr_take_addr(t, t->n - 2, &a, &b) : 0;
    if (!form) a = opnd(t, t->n - 2);
    if (!vimm) v = opnd(t, t->n - 1);
    pop_n(t, 2);
    /* the _I forms follow the three address forms */
    unsigned sop = iop + (unsigned)form + (vimm ? 3u : 0u);
    if (form) emit4(t, sop, a, b, v, off);
    else emit3(t, sop, a, v, off);
    return true;
  }
  switch (op) {
  case WASM_OP_UNREACHABLE:
    emit0(t, EXEC_IOP_UNREACHABLE);
    t->dead = true;
    return true;
  case WASM_OP_NOP: return true;
  case WASM_OP_BR:
    exec_tr_br(t, t->nctl - 1 - in->idx);
    t->dead = true;
    return true;
  case WASM_OP_BR_IF: exec_tr_br_if(t, in->idx); return true;
  case WASM_OP_BR_TABLE:
    exec_tr_br_table(t, in);
    t->dead = true;
    return true;
  case WASM_OP_RETURN:
    exec_tr_return(t);
    t->dead = true;
    return true;
  case WASM_OP_CALL: tr_call(t, wasm_ir_func_type(t->m, in->idx), in->idx, false, 0, 0); return true;
  case WASM_OP_CALL_INDIRECT:
    tr_call(t, &t->m->types[in->idx], 0, true, in->idx, in->idx2);
    return true;
  case WASM_OP_RETURN_CALL: tr_return_call(t, wasm_ir_func_type(t->m, in->idx), in->idx, false, 0, 0); return true;
  case WASM_OP_RETURN_CALL_INDIRECT:
    tr_return_call(t, &t->m->types[in->idx], 0, true, in->idx, in->idx2);
    return true;
  case WASM_OP_CALL_REF: tr_call(t, &t->m->types[in->idx], 0, true, in->idx, NONE32); return true;
  case WASM_OP_RETURN_CALL_REF: tr_return_call(t, &t->m->types[in->idx], 0, true, in->idx, NONE32); return true;
  case WASM_OP_DROP:
    if (need(t, 1)) pop(t);
    return true;
  case WASM_OP_SELECT:
  case WASM_OP_SELECT_T: {
    if (!need(t, 3)) return true;
    uint8_t type = t->st[t->n - 3].type;
    uint32_t a = opnd(t, t->n - 3), b = opnd(t, t->n - 2), c = opnd(t, t->n - 1);
    uint32_t d = t->st[t->n - 3].home;
    pop_n(t, 3);
    uint32_t p = emit4(t, type == WASM_V128 ? EXEC_IOP_SELECT2 : EXEC_IOP_SELECT, d, a, b, c);
    push_temp(t, type);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_LOCAL_GET: push_local(t, in->idx); return true;
  case WASM_OP_LOCAL_SET: tr_local_set(t, in->idx, false); return true;
  case WASM_OP_LOCAL_TEE: tr_local_set(t, in->idx, true); return true;
  case WASM_OP_GLOBAL_GET: {
    uint8_t type = t->m->globals[in->idx].type.type;
    uint32_t d = next_home(t);
    uint32_t p = emit2(t, type == WASM_V128 ? EXEC_IOP_GLOBAL_GET2 : EXEC_IOP_GLOBAL_GET, d, in->idx);
    push_temp(t, type);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_GLOBAL_SET: {
    if (!need(t, 1)) return true;
    uint8_t type = t->m->globals[in->idx].type.type;
    uint32_t s = opnd(t, t->n - 1);
    pop(t);
    emit2(t, type == WASM_V128 ? EXEC_IOP_GLOBAL_SET2 : EXEC_IOP_GLOBAL_SET, in->idx, s);
    return true;
  }
  case WASM_OP_TABLE_GET: {
    if (!need(t, 1)) return true;
    uint32_t i = opnd(t, t->n - 1);
    uint32_t d = t->st[t->n - 1].home;
    pop(t);
    uint32_t p = emit3(t, EXEC_IOP_TABLE_GET, d, in->idx, i);
    push_temp(t, t->m->tables[in->idx].type.elem);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_TABLE_SET: {
    if (!need(t, 2)) return true;
    uint32_t i = opnd(t, t->n - 2), v = opnd(t, t->n - 1);
    pop_n(t, 2);
    emit3(t, EXEC_IOP_TABLE_SET, in->idx, i, v);
    return true;
  }
  case WASM_OP_TABLE_SIZE: {
    uint32_t d = next_home(t);
    uint32_t p = emit2(t, EXEC_IOP_TABLE_SIZE, d, in->idx);
    push_temp(t, WASM_I32);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_TABLE_GROW: {
    if (!need(t, 2)) return true;
    uint32_t v = opnd(t, t->n - 2), k = opnd(t, t->n - 1);
    uint32_t d = t->st[t->n - 2].home;
    pop_n(t, 2);
    uint32_t p = emit4(t, EXEC_IOP_TABLE_GROW, d, in->idx, v, k);
    push_temp(t, WASM_I32);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_TABLE_FILL: {
    if (!need(t, 3)) return true;
    uint32_t i = opnd(t, t->n - 3), v = opnd(t, t->n - 2), k = opnd(t, t->n - 1);
    pop_n(t, 3);
    emit4(t, EXEC_IOP_TABLE_FILL, in->idx, i, v, k);
    return true;
  }
  case WASM_OP_TABLE_COPY: {
    if (!need(t, 3)) return true;
    uint32_t d = opnd(t, t->n - 3), s = opnd(t, t->n - 2), k = opnd(t, t->n - 1);
    pop_n(t, 3);
    emit5(t, EXEC_IOP_TABLE_COPY, in->idx, in->idx2, d, s, k);
    return true;
  }
  case WASM_OP_TABLE_INIT: {
    if (!need(t, 3)) return true;
    uint32_t d = opnd(t, t->n - 3), s = opnd(t, t->n - 2), k = opnd(t, t->n - 1);
    pop_n(t, 3);
    emit5(t, EXEC_IOP_TABLE_INIT, in->idx2, in->idx, d, s, k);
    return true;
  }
  case WASM_OP_ELEM_DROP: emit1(t, EXEC_IOP_ELEM_DROP, in->idx); return true;
  case WASM_OP_MEMORY_SIZE: {
    uint32_t d = next_home(t);
    uint32_t p = emit1(t, EXEC_IOP_MEM_SIZE, d);
    push_temp(t, WASM_I32);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_MEMORY_GROW: {
    if (!need(t, 1)) return true;
    uint32_t s = opnd(t, t->n - 1);
    uint32_t d = t->st[t->n - 1].home;
    pop(t);
    uint32_t p = emit2(t, EXEC_IOP_MEM_GROW, d, s);
    push_temp(t, WASM_I32);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_MEMORY_FILL:
  case WASM_OP_MEMORY_COPY: {
    if (!need(t, 3)) return true;
    uint32_t d = opnd(t, t->n - 3), v = opnd(t, t->n - 2), k = opnd(t, t->n - 1);
    pop_n(t, 3);
    emit3(t, op == WASM_OP_MEMORY_FILL ? EXEC_IOP_MEM_FILL : EXEC_IOP_MEM_COPY, d, v, k);
    return true;
  }
  case WASM_OP_MEMORY_INIT: {
    if (!need(t, 3)) return true;
    uint32_t d = opnd(t, t->n - 3), s = opnd(t, t->n - 2), k = opnd(t, t->n - 1);
    pop_n(t, 3);
    emit4(t, EXEC_IOP_MEM_INIT, in->idx, d, s, k);
    return true;
  }
  case WASM_OP_DATA_DROP: emit1(t, EXEC_IOP_DATA_DROP, in->idx); return true;
  case WASM_OP_I32_CONST: push_const(t, WASM_I32, (uint32_t)in->c.i32); return true;
  case WASM_OP_I64_CONST: push_const(t, WASM_I64, (uint64_t)in->c.i64); return true;
  case WASM_OP_F32_CONST: push_const(t, WASM_F32, in->c.f32); return true;
  case WASM_OP_F64_CONST: push_const(t, WASM_F64, in->c.f64); return true;
  case WASM_OP_REF_NULL: push_const(t, in->reftype, 0); return true;
  case WASM_OP_THROW:
  case WASM_OP_THROW_REF: exec_tr_throw(t, in); return true;
  case WASM_OP_RETHROW: exec_tr_rethrow(t, in->idx); return true;
  case WASM_OP_REF_IS_NULL: {
    if (!need(t, 1)) return true;
    uint32_t a = opnd(t, t->n - 1);
    uint32_t d = t->st[t->n - 1].home;
    pop(t);
    uint32_t p = emit2(t, EXEC_IOP_I64_EQZ, d, a);
    push_temp(t, WASM_I32);
    produced(t, p + 2);
    t->last_cond_ok = true;
    t->last_cond.kind = C_Z64;
    t->last_cond.a = a;
    return true;
  }
  case WASM_OP_REF_AS_NON_NULL: {
    if (!need(t, 1)) return true;
    emit1(t, EXEC_IOP_REF_AS_NON_NULL, opnd(t, t->n - 1));
    return true;
  }
  case WASM_OP_BR_ON_NULL: exec_tr_br_on_null(t, in->idx, false); return true;
  case WASM_OP_BR_ON_NON_NULL: exec_tr_br_on_null(t, in->idx, true); return true;
  case WASM_OP_REF_FUNC: {
    uint32_t d = next_home(t);
    uint32_t p = emit2(t, EXEC_IOP_REF_FUNC, d, in->idx);
    push_temp(t, WASM_FUNCREF);
    produced(t, p + 2);
    return true;
  }
  /* An i32 is the low half of its slot and a float is its bits, so these only retype. */
  case WASM_OP_I32_WRAP_I64:
  case WASM_OP_I32_REINTERPRET_F32:
  case WASM_OP_I64_REINTERPRET_F64:
  case WASM_OP_F32_REINTERPRET_I32:
  case WASM_OP_F64_REINTERPRET_I64: {
    if (!need(t, 1)) return true;
    exec_tr_entry *e = &t->st[t->n - 1];
    uint8_t r = wasm_opinfo_table[op].result;
    if (e->kind == E_CONST && op == WASM_OP_I32_WRAP_I64) e->c = (uint32_t)e->c;
    e->type = r;
    return true;
  }
  default: break;
  }
  return util_fail(err, UTIL_ERR_LIMIT, in->offset, "instruction %s is not supported",
                   wasm_op_name(op));
}

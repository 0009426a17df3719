/* Lowers one validated function body to LLVM IR.
 *
 * The body is the internal entry `ghccc|fastcc {i32 kind, i64 budget, results...} @bodyK(ptr
 * fp, ptr ctx, i32 depth, i64 budget, params...)`: fp is its frame on the value stack
 * (the interpreter's layout: parameters, declared locals, then one slot per operand-stack
 * position), ctx the baseline tier's jit_ctx, depth the call's depth and budget the
 * thread's interruption budget (both kept in registers, stored to ctx->depth and
 * th->budget before any call into the runtime), kind a trap kind (0: returned). The
 * module's other functions call it directly; the ABI entry `i32 @f(ptr fp, ptr ctx)`
 * (results in fp[0..]) is a wrapper for the runtime. Locals and operand-stack values are
 * SSA values (locals through allocas that mem2reg promotes), and only calls into the
 * runtime and helpers see the frame: their arguments go to the home slots of the
 * operand-stack positions they occupy, as in the interpreter, so a callee's frame starts
 * where the interpreter's would.
 *
 * Traps go to one block per function that calls jit_rt_trap(ctx, kind, offset, k) and
 * returns the kind; a callee's or helper's trap goes to one that adds this function's
 * frame (jit_rt_unwind). Runtime helpers are called through their addresses (constants in
 * the IR), so the JIT resolves no symbols of weld. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../wasm/instr.h"
#include "opt_int.h"

enum { C_FUNC, C_BLOCK, C_LOOP, C_IF };
typedef struct ctl {
  uint8_t kind;
  bool has_else;
  uint32_t height, np, nr;
  LLVMBasicBlockRef end, head, els; /* head: a loop's header; els: an if's else part */
  LLVMValueRef *vars;               /* allocas: a loop's parameters */
  LLVMValueRef *res;                /* allocas: the results */
  uint32_t nfacts;                  /* the bounds facts at the opening (restored at its end) */
  LLVMValueRef *params;             /* an if's parameter values (for the else part) */
} ctl;

typedef struct lw {
  opt_lower *ol;
  LLVMContextRef cx;
  LLVMBuilderRef b;
  const wasm_module *m;
  uint32_t k;
  LLVMValueRef fn, fp, ctx;
  LLVMTypeRef i1, i8, i16, i32, i64, f32, f64, ptr;
  LLVMValueRef *locals;
  uint32_t nlocals;
  LLVMValueRef mbase, msize, scratch; /* allocas: memory base and size, a helper's out slot */
  LLVMValueRef *st;
  uint64_t *org;              /* per operand-stack entry: the address key of its value (0: none) */
  uint32_t n, cap, maxn, capo;
  ctl *ctl;
  uint32_t nctl, capctl;
  bool dead;
  uint32_t dead_nest;
  bool oom;
  LLVMBasicBlockRef acc_trap; /* guard-region accesses' trap block (one per function) */
  LLVMValueRef depth;         /* i32: this call's depth (a parameter of the internal entry) */
  /* Accesses proven in bounds (below): what the accesses executed so far have shown
   * the memory's size to be at least, per address key. */
  struct fact {
    uint64_t key, end;
  } *facts;
  uint32_t nfacts, capfacts;
  uint32_t *lver, nver;              /* per local: its version (a new one at each set) */
  uint64_t mem_min;                  /* bytes the memory has at least (its minimum) */
  LLVMValueRef bud;           /* alloca i64: the thread's interruption budget, in a register
                                 between calls into the runtime (th->budget outside) */
} lw;

static bool grow(void **p, uint32_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return true;
  size_t c = *cap < 16 ? 16 : *cap;
  while (c < need) c *= 2;
  void *q = realloc(*p, c * elem);
  if (!q) return false;
  *p = q;
  *cap = (uint32_t)c;
  return true;
}

/* ---------- types and constants ---------- */

static LLVMTypeRef vt(lw *l, wasm_vtype t) {
  switch (t) {
  case WASM_I32: return l->i32;
  case WASM_I64: return l->i64;
  case WASM_F32: return l->f32;
  case WASM_F64: return l->f64;
  case WASM_V128: return NULL;
  default: return l->i64; /* references: a pointer in one slot */
  }
}

static LLVMValueRef ci32(lw *l, uint32_t v) { return LLVMConstInt(l->i32, v, false); }
static LLVMValueRef ci64(lw *l, uint64_t v) { return LLVMConstInt(l->i64, v, false); }
static LLVMValueRef cptr(lw *l, const void *p) {
  /* an image to be loaded elsewhere names the address (a symbol its loader resolves) */
  if (l->ol->symbol) return l->ol->symbol(l->ol, p);
  return LLVMConstIntToPtr(LLVMConstInt(l->i64, (uint64_t)(uintptr_t)p, false), l->ptr);
}

static LLVMBasicBlockRef new_bb(lw *l, const char *name) { return LLVMAppendBasicBlockInContext(l->cx, l->fn, name); }

/* A field of the context (jit_ctx at ctx). */
static LLVMValueRef ctx_field(lw *l, size_t off) {
  LLVMValueRef o = ci64(l, off);
  return LLVMBuildGEP2(l->b, l->i8, l->ctx, &o, 1, "");
}
static LLVMValueRef load_at(lw *l, LLVMTypeRef t, LLVMValueRef base, size_t off, bool invariant) {
  LLVMValueRef o = ci64(l, off);
  LLVMValueRef p = off ? LLVMBuildGEP2(l->b, l->i8, base, &o, 1, "") : base;
  LLVMValueRef v = LLVMBuildLoad2(l->b, t, p, "");
  if (invariant) {
    unsigned kind = LLVMGetMDKindIDInContext(l->cx, "invariant.load", 14);
    LLVMSetMetadata(v, kind, LLVMMDNodeInContext(l->cx, NULL, 0));
  }
  return v;
}
#define CTXOFF(f) offsetof(jit_ctx, f)

/* Slot i of the frame. */
static LLVMValueRef slot_ptr(lw *l, uint32_t i) {
  LLVMValueRef o = ci64(l, (uint64_t)i * 8);
  return LLVMBuildGEP2(l->b, l->i8, l->fp, &o, 1, "");
}

/* A value to its slot encoding (i64) and back. */
static LLVMValueRef to_slot(lw *l, LLVMValueRef v) {
  LLVMTypeRef t = LLVMTypeOf(v);
  if (t == l->i32) return LLVMBuildZExt(l->b, v, l->i64, "");
  if (t == l->f32) return LLVMBuildZExt(l->b, LLVMBuildBitCast(l->b, v, l->i32, ""), l->i64, "");
  if (t == l->f64) return LLVMBuildBitCast(l->b, v, l->i64, "");
  return v;
}
static LLVMValueRef from_slot(lw *l, LLVMValueRef v, LLVMTypeRef t) {
  if (t == l->i32) return LLVMBuildTrunc(l->b, v, l->i32, "");
  if (t == l->f32) return LLVMBuildBitCast(l->b, LLVMBuildTrunc(l->b, v, l->i32, ""), l->f32, "");
  if (t == l->f64) return LLVMBuildBitCast(l->b, v, l->f64, "");
  return v;
}
static void store_slot(lw *l, uint32_t i, LLVMValueRef v) { LLVMBuildStore(l->b, to_slot(l, v), slot_ptr(l, i)); }
static LLVMValueRef load_slot(lw *l, uint32_t i, LLVMTypeRef t) {
  return from_slot(l, LLVMBuildLoad2(l->b, l->i64, slot_ptr(l, i), ""), t);
}

/* A call to a C function at a fixed address that reads nothing of the context. */
static LLVMValueRef call_pure(lw *l, const void *fn, LLVMTypeRef ret, LLVMTypeRef *pt, unsigned n,
                              LLVMValueRef *args) {
  LLVMTypeRef ft = LLVMFunctionType(ret, pt, n, false);
  return LLVMBuildCall2(l->b, ft, cptr(l, fn), args, n, "");
}

/* A call to a runtime helper: the call depth, kept in a register, goes to ctx->depth
 * first (the runtime reads it there: calls out, traps, backtraces). */
static LLVMValueRef budget_ptr(lw *l) {
  LLVMValueRef th = load_at(l, l->ptr, l->ctx, CTXOFF(th), true);
  LLVMValueRef o = ci64(l, offsetof(exec_thread, budget));
  return LLVMBuildGEP2(l->b, l->i8, th, &o, 1, "");
}
/* The budget to th->budget (before code that reads or spends it there), and back. */
static void budget_out(lw *l) {
  if (l->bud) LLVMBuildStore(l->b, LLVMBuildLoad2(l->b, l->i64, l->bud, ""), budget_ptr(l));
}
static void budget_in(lw *l) {
  if (l->bud) LLVMBuildStore(l->b, LLVMBuildLoad2(l->b, l->i64, budget_ptr(l), ""), l->bud);
}

static LLVMValueRef call_c(lw *l, const void *fn, LLVMTypeRef ret, LLVMTypeRef *pt, unsigned n, LLVMValueRef *args) {
  if (l->depth) LLVMBuildStore(l->b, l->depth, ctx_field(l, CTXOFF(depth)));
  budget_out(l);
  LLVMValueRef r = call_pure(l, fn, ret, pt, n, args);
  budget_in(l);
  return r;
}

static LLVMTypeRef ivt(LLVMContextRef cx, wasm_vtype t) {
  switch (t) {
  case WASM_I32: return LLVMInt32TypeInContext(cx);
  case WASM_F32: return LLVMFloatTypeInContext(cx);
  case WASM_F64: return LLVMDoubleTypeInContext(cx);
  default: return LLVMInt64TypeInContext(cx); /* i64, references */
  }
}

/* The internal entry's return: {i32 trap kind, i64 budget, results...} (the results
 * undefined when the kind is not 0). NULL: out of memory. */
static LLVMTypeRef iret_type(LLVMContextRef cx, const wasm_functype *ft) {
  LLVMTypeRef *t = malloc((2 + (size_t)ft->nresults) * sizeof *t);
  if (!t) return NULL;
  t[0] = LLVMInt32TypeInContext(cx);
  t[1] = LLVMInt64TypeInContext(cx);
  for (uint32_t i = 0; i < ft->nresults; i++) t[2 + i] = ivt(cx, ft->results[i]);
  LLVMTypeRef r = LLVMStructTypeInContext(cx, t, 2 + ft->nresults, false);
  free(t);
  return r;
}
/* Returns kind, the budget and the values res (NULL: a trap). */
static void ret_with(lw *l, LLVMValueRef kind, LLVMValueRef *res) {
  LLVMValueRef v = LLVMGetUndef(LLVMGetReturnType(LLVMGlobalGetValueType(l->fn)));
  v = LLVMBuildInsertValue(l->b, v, kind, 0, "");
  v = LLVMBuildInsertValue(l->b, v, LLVMBuildLoad2(l->b, l->i64, l->bud, ""), 1, "");
  const wasm_functype *ft = &l->m->types[l->m->funcs[l->m->nfunc_imports + l->k].type];
  for (uint32_t i = 0; res && i < ft->nresults; i++) v = LLVMBuildInsertValue(l->b, v, res[i], 2 + i, "");
  LLVMBuildRet(l->b, v);
}
static void ret(lw *l, LLVMValueRef kind) { ret_with(l, kind, NULL); }

static LLVMValueRef intrinsic(lw *l, const char *name, LLVMTypeRef *tys, size_t ntys, LLVMValueRef *args, unsigned n) {
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  LLVMValueRef f = LLVMGetIntrinsicDeclaration(l->ol->mod, id, tys, ntys);
  LLVMTypeRef ft = LLVMIntrinsicGetType(l->cx, id, tys, ntys);
  return LLVMBuildCall2(l->b, ft, f, args, n, "");
}

/* ---------- traps ---------- */

/* A block that reports a trap and returns its kind: jit_rt_trap (this instruction's trap)
 * or jit_rt_unwind (a callee's or helper's, adding this function's frame). One per site:
 * one shared block with phis of every site's kind and offset made LLVM's register
 * allocation slow on large functions. */
static LLVMBasicBlockRef leave_bb(lw *l, const void *fn, LLVMValueRef kind, uint32_t off) {
  LLVMBasicBlockRef here = LLVMGetInsertBlock(l->b), bb = new_bb(l, "trap");
  LLVMPositionBuilderAtEnd(l->b, bb);
  LLVMTypeRef pt[4] = {l->ptr, l->i32, l->i32, l->i32};
  LLVMValueRef args[4] = {l->ctx, kind, ci32(l, off), ci32(l, l->k)};
  call_c(l, fn, l->i32, pt, 4, args);
  ret(l, kind);
  LLVMPositionBuilderAtEnd(l->b, here);
  return bb;
}

/* Leaves through a trap of `kind` when cond holds. */
static void trap_if(lw *l, LLVMValueRef cond, uint32_t kind, uint32_t off) {
  LLVMBasicBlockRef t = leave_bb(l, (const void *)jit_rt_trap, ci32(l, kind), off), go = new_bb(l, "");
  LLVMBuildCondBr(l->b, cond, t, go);
  LLVMPositionBuilderAtEnd(l->b, go);
}

/* A trap kind `r` (i32) from a helper or callee: nonzero leaves, adding this frame. */
static void check(lw *l, LLVMValueRef r, uint32_t off) {
  LLVMBasicBlockRef t = leave_bb(l, (const void *)jit_rt_unwind, r, off), go = new_bb(l, "");
  LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntNE, r, ci32(l, 0), ""), t, go);
  LLVMPositionBuilderAtEnd(l->b, go);
}

/* A trap kind computed at run time reported as this instruction's (jit_rt_trap). */
static void trap_kind_if(lw *l, LLVMValueRef r, uint32_t off) {
  LLVMBasicBlockRef t = leave_bb(l, (const void *)jit_rt_trap, r, off), go = new_bb(l, "");
  LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntNE, r, ci32(l, 0), ""), t, go);
  LLVMPositionBuilderAtEnd(l->b, go);
}

/* The memory's base and size to their variables: at the entry, and again after anything
 * that may grow the memory (a call, a helper, memory.grow; unused values are dropped by
 * LLVM). Code made for the guard region runs only with a memory that has one (jit_enter
 * declines it else), whose base never moves (growing opens pages of the reservation,
 * src/exec/memory.c, pool.c): the base is read once, at the entry, and LLVM may keep it in
 * a register or read it again at will (invariant). The size is always read again. */
static void reload_mem(lw *l, bool entry) {
  LLVMValueRef mem = load_at(l, l->ptr, l->ctx, CTXOFF(mem), true);
  if (entry || !l->ol->guard) LLVMBuildStore(l->b, load_at(l, l->ptr, mem, offsetof(exec_memory, base), l->ol->guard), l->mbase);
  LLVMBuildStore(l->b, load_at(l, l->i64, mem, offsetof(exec_memory, size), false), l->msize);
}

/* The interruption check: one decrement of the thread's budget, the slow path out of line. */
static void budget(lw *l, uint32_t off) {
  LLVMValueRef v = LLVMBuildSub(l->b, LLVMBuildLoad2(l->b, l->i64, l->bud, ""), ci64(l, 1), "");
  LLVMBuildStore(l->b, v, l->bud);
  LLVMBasicBlockRef slow = new_bb(l, "interrupt"), go = new_bb(l, "");
  LLVMValueRef neg = LLVMBuildICmp(l->b, LLVMIntSLT, v, ci64(l, 0), "");
  LLVMValueRef ex[2] = {neg, LLVMConstInt(l->i1, 0, false)};
  LLVMTypeRef t1 = l->i1;
  neg = intrinsic(l, "llvm.expect", &t1, 1, ex, 2);
  LLVMBuildCondBr(l->b, neg, slow, go);
  LLVMPositionBuilderAtEnd(l->b, slow);
  LLVMTypeRef pt = l->ptr;
  LLVMValueRef r = call_c(l, (const void *)jit_rt_interrupt, l->i32, &pt, 1, &l->ctx);
  check(l, r, off);
  LLVMBuildBr(l->b, go);
  LLVMPositionBuilderAtEnd(l->b, go);
}

/* ---------- the operand stack ---------- */

static void push_key(lw *l, LLVMValueRef v, uint64_t key) {
  if (!grow((void **)&l->st, &l->cap, (size_t)l->n + 1, sizeof *l->st) ||
      !grow((void **)&l->org, &l->capo, (size_t)l->n + 1, sizeof *l->org)) {
    l->oom = true;
    return;
  }
  l->org[l->n] = key;
  l->st[l->n++] = v;
  if (l->n > l->maxn) l->maxn = l->n;
}
static void push(lw *l, LLVMValueRef v) { push_key(l, v, 0); }
static LLVMValueRef pop(lw *l) { return l->st[--l->n]; }
static LLVMValueRef bool32(lw *l, LLVMValueRef c) { return LLVMBuildZExt(l->b, c, l->i32, ""); }

/* ---------- blocks ---------- */

static LLVMValueRef entry_alloca(lw *l, LLVMTypeRef t) {
  LLVMBuilderRef b = LLVMCreateBuilderInContext(l->cx);
  LLVMBasicBlockRef e = LLVMGetEntryBasicBlock(l->fn);
  LLVMValueRef first = LLVMGetFirstInstruction(e);
  if (first) LLVMPositionBuilderBefore(b, first);
  else LLVMPositionBuilderAtEnd(b, e);
  LLVMValueRef a = LLVMBuildAlloca(b, t, "");
  LLVMDisposeBuilder(b);
  return a;
}

static ctl *open_ctl(lw *l, uint8_t kind, uint32_t np, uint32_t nr, const wasm_vtype *pt, const wasm_vtype *rt) {
  if (!grow((void **)&l->ctl, &l->capctl, (size_t)l->nctl + 1, sizeof *l->ctl)) {
    l->oom = true;
    return NULL;
  }
  ctl *c = &l->ctl[l->nctl++];
  memset(c, 0, sizeof *c);
  c->kind = kind;
  c->np = np;
  c->nr = nr;
  c->height = l->n - np;
  c->nfacts = l->nfacts;
  if (kind == C_FUNC) return c;
  if (kind == C_LOOP && np) {
    c->vars = calloc(np, sizeof *c->vars);
    if (!c->vars) {
      l->oom = true;
      return c;
    }
    for (uint32_t i = 0; i < np; i++) c->vars[i] = entry_alloca(l, vt(l, pt[i]));
  }
  if (nr) {
    c->res = calloc(nr, sizeof *c->res);
    if (!c->res) {
      l->oom = true;
      return c;
    }
    for (uint32_t i = 0; i < nr; i++) c->res[i] = entry_alloca(l, vt(l, rt[i]));
  }
  return c;
}

static void free_ctl(ctl *c) {
  free(c->vars);
  free(c->res);
  free(c->params);
}

static ctl *label(lw *l, uint32_t depth) { return &l->ctl[l->nctl - 1 - depth]; }

/* The function's return: trap kind 0 and the results. */
static void emit_return(lw *l) {
  const wasm_functype *ft = &l->m->types[l->m->funcs[l->m->nfunc_imports + l->k].type];
  ret_with(l, ci32(l, 0), ft->nresults ? l->st + (l->n - ft->nresults) : NULL);
}

static void budget(lw *l, uint32_t off);

/* A branch to label depth: the label's values into its variables, then the jump. A
 * back-edge carries the interruption check (the interpreter's accounting: fuel is spent
 * identically in every tier). */
static void emit_branch(lw *l, uint32_t depth, uint32_t off) {
  ctl *c = label(l, depth);
  if (c->kind == C_FUNC) {
    emit_return(l);
    return;
  }
  if (c->kind == C_LOOP) {
    for (uint32_t i = 0; i < c->np; i++) LLVMBuildStore(l->b, l->st[l->n - c->np + i], c->vars[i]);
    budget(l, off);
    LLVMBuildBr(l->b, c->head);
    return;
  }
  for (uint32_t i = 0; i < c->nr; i++) LLVMBuildStore(l->b, l->st[l->n - c->nr + i], c->res[i]);
  LLVMBuildBr(l->b, c->end);
}

/* The end of a block's body (or an if's then part): its results, then past its end. */
static void fall_through(lw *l, ctl *c) {
  for (uint32_t i = 0; i < c->nr; i++) LLVMBuildStore(l->b, l->st[l->n - c->nr + i], c->res[i]);
  LLVMBuildBr(l->b, c->end);
}

static bool block_sig(lw *l, const wasm_instr *in, uint32_t *np, const wasm_vtype **p, uint32_t *nr,
                      const wasm_vtype **r, wasm_vtype *scratch) {
  if (!wasm_blocktype_sig(l->m, in, scratch, np, p, nr, r)) return false;
  for (uint32_t i = 0; i < *np; i++)
    if ((*p)[i] == WASM_V128) return false;
  for (uint32_t i = 0; i < *nr; i++)
    if ((*r)[i] == WASM_V128) return false;
  return true;
}

/* ---------- memory ---------- */

typedef struct memop {
  uint8_t bytes;
  bool store, sign;
  wasm_vtype t; /* the value's type */
} memop;

static bool mem_form(uint16_t op, memop *mo) {
  switch (op) {
#define L(id, n, s, t)                                                                   \
  case WASM_OP_##id:                                                                     \
    *mo = (memop){n, false, s, t};                                                       \
    return true;
#define S(id, n, t)                                                                      \
  case WASM_OP_##id:                                                                     \
    *mo = (memop){n, true, false, t};                                                    \
    return true;
    L(I32_LOAD, 4, false, WASM_I32) L(I64_LOAD, 8, false, WASM_I64) L(F32_LOAD, 4, false, WASM_F32)
    L(F64_LOAD, 8, false, WASM_F64) L(I32_LOAD8_S, 1, true, WASM_I32) L(I32_LOAD8_U, 1, false, WASM_I32)
    L(I32_LOAD16_S, 2, true, WASM_I32) L(I32_LOAD16_U, 2, false, WASM_I32) L(I64_LOAD8_S, 1, true, WASM_I64)
    L(I64_LOAD8_U, 1, false, WASM_I64) L(I64_LOAD16_S, 2, true, WASM_I64) L(I64_LOAD16_U, 2, false, WASM_I64)
    L(I64_LOAD32_S, 4, true, WASM_I64) L(I64_LOAD32_U, 4, false, WASM_I64)
    S(I32_STORE, 4, WASM_I32) S(I64_STORE, 8, WASM_I64) S(F32_STORE, 4, WASM_F32) S(F64_STORE, 8, WASM_F64)
    S(I32_STORE8, 1, WASM_I32) S(I32_STORE16, 2, WASM_I32) S(I64_STORE8, 1, WASM_I64)
    S(I64_STORE16, 2, WASM_I64) S(I64_STORE32, 4, WASM_I64)
#undef L
#undef S
  default: return false;
  }
}

static LLVMTypeRef int_of(lw *l, uint32_t bytes) {
  return bytes == 1 ? l->i8 : bytes == 2 ? l->i16 : bytes == 4 ? l->i32 : l->i64;
}

/* The effective address addr + offset (64 bits: it does not wrap). */
static LLVMValueRef mem_ea(lw *l, LLVMValueRef addr, uint64_t offset) {
  LLVMValueRef ea = LLVMBuildZExt(l->b, addr, l->i64, "");
  return offset ? LLVMBuildAdd(l->b, ea, ci64(l, offset), "") : ea;
}

/* The host address of effective address ea. */
static LLVMValueRef mem_ptr(lw *l, LLVMValueRef ea) {
  LLVMValueRef base = LLVMBuildLoad2(l->b, l->ptr, l->mbase, "");
  return LLVMBuildGEP2(l->b, l->i8, base, &ea, 1, "");
}

/* The host address of an access of `bytes` at addr + offset, checked against the size. */
static LLVMValueRef mem_addr(lw *l, LLVMValueRef addr, uint64_t offset, uint32_t bytes, uint32_t off) {
  LLVMValueRef ea = mem_ea(l, addr, offset);
  LLVMValueRef end = LLVMBuildAdd(l->b, ea, ci64(l, bytes), "");
  LLVMValueRef size = LLVMBuildLoad2(l->b, l->i64, l->msize, "");
  trap_if(l, LLVMBuildICmp(l->b, LLVMIntUGT, end, size, ""), EXEC_TRAP_MEMORY_OOB, off);
  return mem_ptr(l, ea);
}

/* The access itself at host address p, as an LLVM load or store (store: its value v). */
static void mem_plain(lw *l, const memop *mo, LLVMValueRef p, LLVMValueRef v) {
  bool fl = mo->t == WASM_F32 || mo->t == WASM_F64;
  LLVMTypeRef t = vt(l, mo->t);
  if (!mo->store) {
    LLVMValueRef x = LLVMBuildLoad2(l->b, fl ? t : int_of(l, mo->bytes), p, "");
    LLVMSetAlignment(x, 1);
    if (!fl && LLVMTypeOf(x) != t) x = mo->sign ? LLVMBuildSExt(l->b, x, t, "") : LLVMBuildZExt(l->b, x, t, "");
    push(l, x);
    return;
  }
  if (!fl && LLVMTypeOf(v) != int_of(l, mo->bytes)) v = LLVMBuildTrunc(l->b, v, int_of(l, mo->bytes), "");
  LLVMSetAlignment(LLVMBuildStore(l->b, v, p), 1);
}

/* ---------- accesses proven in bounds ----------
 *
 * A memory never shrinks, so once an access reaching address E has executed (not
 * trapped), every later access that ends at or below E is in bounds: it cannot trap,
 * and is lowered as a plain LLVM load or store (no check, no guard-region form), which
 * LLVM optimises as it does C code. The lowering proves it with what it sees: an
 * address that is a local's value (the same local, not set in between) or a constant,
 * an earlier access of that address that dominates this one (straight-line code before
 * it, or code before the enclosing blocks), and this access's offset + size at most the
 * earlier one's. A constant address ending within the memory's declared minimum is in
 * bounds from the start. Facts are dropped at an `else` and at the end of the construct
 * that made them, and every local the body of a loop sets gets a new version at the
 * loop's start (on the next iteration it holds another value than before the loop). */
#define KEY_LOCAL(i, v) ((1ull << 63) | ((uint64_t)(i) << 32) | (uint64_t)(v))
#define KEY_CONST (1ull << 62)

/* At a loop's start (r just past the `loop`): a new version of every local its body sets. */
static void loop_versions(lw *l, const util_reader *r) {
  util_reader sc = *r;
  wasm_instr in;
  util_error e;
  util_error_clear(&e);
  for (uint32_t nest = 1; nest && wasm_read_instr(&sc, &in, &e);) {
    if (in.op == WASM_OP_BLOCK || in.op == WASM_OP_LOOP || in.op == WASM_OP_IF || in.op == WASM_OP_TRY_TABLE ||
        in.op == WASM_OP_TRY)
      nest++;
    else if (in.op == WASM_OP_END || in.op == WASM_OP_DELEGATE)
      nest--;
    else if ((in.op == WASM_OP_LOCAL_SET || in.op == WASM_OP_LOCAL_TEE) && in.idx < l->nlocals)
      l->lver[in.idx] = ++l->nver;
  }
}

static uint64_t fact_end(lw *l, uint64_t key) {
  /* the latest fact of the key (each new one raises the end); a bounded look back */
  for (uint32_t i = l->nfacts, seen = 0; i > 0 && seen < 512; i--, seen++)
    if (l->facts[i - 1].key == key) return l->facts[i - 1].end;
  return 0;
}

/* The key and end of an access whose address is operand-stack entry pos: the end is
 * relative to the local's value, absolute for a constant. False: no key. */
static bool access_end(lw *l, uint32_t pos, uint64_t offset, uint32_t bytes, uint64_t *key, uint64_t *end) {
  *key = l->org[pos];
  if (!*key) return false;
  *end = offset + bytes;
  if (*key == KEY_CONST) *end += (uint32_t)LLVMConstIntGetZExtValue(l->st[pos]);
  return true;
}

static bool covered(lw *l, uint64_t key, uint64_t end) {
  if (key == KEY_CONST && end <= l->mem_min) return true;
  return fact_end(l, key) >= end;
}

static void add_fact(lw *l, uint64_t key, uint64_t end) {
  if (fact_end(l, key) >= end) return;
  if (!grow((void **)&l->facts, &l->capfacts, (size_t)l->nfacts + 1, sizeof *l->facts)) {
    l->oom = true;
    return;
  }
  l->facts[l->nfacts++] = (struct fact){key, end};
}

/* An access left to the guard region (access.c): no comparison, the fault is the check.
 * False when this access needs the explicit check (not guard mode, an offset of 2 GiB or
 * more, no templates). */
static bool guard_mem(lw *l, uint16_t op, const memop *mo, uint64_t offset, uint32_t off) {
  opt_lower *ol = l->ol;
  if (!ol->guard || offset >= ((uint64_t)1 << 31) || ol->access_failed) return false;
  if (!ol->access && !(ol->access = opt_access_new(l->cx))) {
    ol->access_failed = true;
    return false;
  }
  LLVMValueRef v = mo->store ? pop(l) : NULL;
  LLVMValueRef p = mem_ptr(l, mem_ea(l, pop(l), offset));
  bool fl = mo->t == WASM_F32 || mo->t == WASM_F64;
  if (v && !fl && LLVMTypeOf(v) != int_of(l, mo->bytes)) v = LLVMBuildTrunc(l->b, v, int_of(l, mo->bytes), "");
  if (!l->acc_trap) {
    /* one per function: the fault handler hands it the access's offset (no phi) */
    LLVMBasicBlockRef here = LLVMGetInsertBlock(l->b);
    l->acc_trap = new_bb(l, "oob");
    LLVMPositionBuilderAtEnd(l->b, l->acc_trap);
    LLVMTypeRef pt[2] = {l->ptr, l->i32};
    LLVMValueRef args[2] = {l->ctx, ci32(l, l->k)};
    call_c(l, (const void *)jit_rt_trap_access, l->i32, pt, 2, args);
    ret(l, ci32(l, EXEC_TRAP_MEMORY_OOB));
    LLVMPositionBuilderAtEnd(l->b, here);
  }
  LLVMValueRef r = opt_access_emit(ol->access, l->b, op, p, v, ci32(l, off), new_bb(l, ""), l->acc_trap);
  if (!mo->store) {
    LLVMTypeRef t = vt(l, mo->t);
    if (LLVMTypeOf(r) != t) r = LLVMBuildZExt(l->b, r, t, "");
    push(l, r);
  }
  return true;
}

/* A memory access: a plain one when proven in bounds (above), else left to the guard
 * region or checked explicitly; then what it reached is a fact for the code it dominates. */
static void emit_mem(lw *l, uint16_t op, const memop *mo, uint64_t offset, uint32_t off) {
  uint64_t key, end;
  bool keyed = access_end(l, l->n - (mo->store ? 2 : 1), offset, mo->bytes, &key, &end);
  bool proven = keyed && covered(l, key, end);
  if (proven || !guard_mem(l, op, mo, offset, off)) {
    LLVMValueRef v = mo->store ? pop(l) : NULL, a = pop(l);
    mem_plain(l, mo, proven ? mem_ptr(l, mem_ea(l, a, offset)) : mem_addr(l, a, offset, mo->bytes, off), v);
  }
  if (keyed && !proven) add_fact(l, key, end);
}

/* ---------- calls ---------- */

static bool sig_scalar(const wasm_functype *ft) {
  for (uint32_t i = 0; i < ft->nparams; i++)
    if (ft->params[i] == WASM_V128) return false;
  for (uint32_t i = 0; i < ft->nresults; i++)
    if (ft->results[i] == WASM_V128) return false;
  return true;
}

/* Arguments to their home slots; returns the callee frame's first slot. */
static uint32_t call_args(lw *l, const wasm_functype *ft) {
  uint32_t first = l->nlocals + l->n - ft->nparams;
  for (uint32_t i = 0; i < ft->nparams; i++) store_slot(l, first + i, l->st[l->n - ft->nparams + i]);
  return first;
}

static void call_results(lw *l, const wasm_functype *ft, uint32_t nfp) {
  l->n -= ft->nparams;
  for (uint32_t i = 0; i < ft->nresults; i++) push(l, load_slot(l, nfp + i, vt(l, ft->results[i])));
  /* call_results may grow the frame's operand part past its deepest height */
  if (l->n > l->maxn) l->maxn = l->n;
}

static LLVMValueRef depth_ptr(lw *l) { return ctx_field(l, CTXOFF(depth)); }

static bool ifns_alloc(opt_lower *ol) {
  uint32_t n = ol->em->wasm->nfuncs - ol->em->wasm->nfunc_imports;
  if (!ol->ifns) ol->ifns = calloc(n ? n : 1, sizeof *ol->ifns);
  return ol->ifns != NULL;
}

/* The internal entry's type: {i32 kind, i64 budget} (ptr fp, ptr ctx, i32 depth,
 * i64 budget, params...). */
#define IARGS 4
static LLVMTypeRef ifn_type(opt_lower *ol, const wasm_functype *ft) {
  LLVMTypeRef *pt = malloc((IARGS + (size_t)ft->nparams) * sizeof *pt);
  if (!pt) return NULL;
  LLVMTypeRef ptr = LLVMPointerTypeInContext(ol->cx, 0);
  pt[0] = ptr;
  pt[1] = ptr;
  pt[2] = LLVMInt32TypeInContext(ol->cx);
  pt[3] = LLVMInt64TypeInContext(ol->cx);
  for (uint32_t i = 0; i < ft->nparams; i++) pt[IARGS + i] = ivt(ol->cx, ft->params[i]);
  LLVMTypeRef rt = iret_type(ol->cx, ft);
  LLVMTypeRef t = rt ? LLVMFunctionType(rt, pt, IARGS + ft->nparams, false) : NULL;
  free(pt);
  return t;
}

/* The internal entries' calling convention. GHC's (LLVM's `ghccc`) has no callee-saved
 * registers: a function saves nothing at its entry, and a caller keeps what lives across
 * a call of one in its own frame, so a call that returns at once (a recursion's base
 * case) pushes and pops nothing. Its argument registers are 10 integers and 6 floats; a
 * signature beyond them uses fastcc (whose further arguments go on the stack as in C),
 * so only register passing is relied on. */
static unsigned ifn_cc(const wasm_functype *ft) {
  uint32_t ni = IARGS, nf = 0;
  for (uint32_t i = 0; i < ft->nparams; i++) {
    if (ft->params[i] == WASM_F32 || ft->params[i] == WASM_F64) nf++;
    else ni++;
  }
  /* more results than the return registers hold come back through a hidden pointer, one
   * more integer argument */
  if (ft->nresults > 2) ni++;
  return ni <= 10 && nf <= 6 ? 10 /* GHC */ : LLVMFastCallConv;
}

/* Defined function j's internal entry (a declaration until j is lowered); NULL when it
 * has none (v128 in its signature) or out of memory. */
static LLVMValueRef get_ifn(opt_lower *ol, uint32_t j) {
  const wasm_module *m = ol->em->wasm;
  const wasm_functype *ft = &m->types[m->funcs[m->nfunc_imports + j].type];
  if (!sig_scalar(ft) || !ifns_alloc(ol)) return NULL;
  if (ol->ifns[j]) return ol->ifns[j];
  LLVMTypeRef t = ifn_type(ol, ft);
  if (!t) return NULL;
  char name[32];
  snprintf(name, sizeof name, "i%u", j);
  LLVMValueRef fn = LLVMAddFunction(ol->mod, name, t);
  LLVMSetLinkage(fn, LLVMInternalLinkage);
  LLVMSetFunctionCallConv(fn, ifn_cc(ft));
  ol->ifns[j] = fn;
  return fn;
}

/* The arguments of a call to an internal entry (or a dispatcher): the callee's frame at
 * slot nfp, the context, depth + 1, the budget, then ft's parameters from the operand
 * stack, and `extra` more slots for the caller to fill. NULL (l->oom set) when out of
 * memory; the caller frees it. */
static LLVMValueRef *internal_args(lw *l, uint32_t nfp, const wasm_functype *ft, size_t extra) {
  LLVMValueRef *args = malloc((IARGS + (size_t)ft->nparams + extra) * sizeof *args);
  if (!args) {
    l->oom = true;
    return NULL;
  }
  args[0] = slot_ptr(l, nfp);
  args[1] = l->ctx;
  args[2] = LLVMBuildAdd(l->b, l->depth, ci32(l, 1), "");
  args[3] = LLVMBuildLoad2(l->b, l->i64, l->bud, "");
  for (uint32_t i = 0; i < ft->nparams; i++) args[IARGS + i] = l->st[l->n - ft->nparams + i];
  return args;
}

static void emit_call(lw *l, uint32_t funcidx, uint32_t off) {
  const wasm_functype *ft = wasm_ir_func_type(l->m, funcidx);
  uint32_t span = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
  LLVMValueRef r;
  LLVMValueRef ifn = funcidx >= l->m->nfunc_imports ? get_ifn(l->ol, funcidx - l->m->nfunc_imports) : NULL;
  if (ifn) {
    /* a function of this module: its internal entry, arguments and depth in registers
     * (the callee's frame starts at the arguments' home slots all the same) */
    uint32_t nfp = l->nlocals + l->n - ft->nparams;
    if (l->n - ft->nparams + span > l->maxn) l->maxn = l->n - ft->nparams + span;
    LLVMValueRef *args = internal_args(l, nfp, ft, 0);
    if (!args) return;
    LLVMValueRef rs = LLVMBuildCall2(l->b, LLVMGlobalGetValueType(ifn), ifn, args, IARGS + ft->nparams, "");
    LLVMSetInstructionCallConv(rs, ifn_cc(ft));
    free(args);
    r = LLVMBuildExtractValue(l->b, rs, 0, "");
    LLVMBuildStore(l->b, LLVMBuildExtractValue(l->b, rs, 1, ""), l->bud);
    reload_mem(l, false);
    check(l, r, off);
    /* the results come back in registers */
    l->n -= ft->nparams;
    for (uint32_t i = 0; i < ft->nresults; i++) push(l, LLVMBuildExtractValue(l->b, rs, 2 + i, ""));
    if (l->n > l->maxn) l->maxn = l->n;
    return;
  }
  uint32_t nfp = call_args(l, ft);
  if (l->n - ft->nparams + span > l->maxn) l->maxn = l->n - ft->nparams + span;
  if (funcidx >= l->m->nfunc_imports) {
    /* the ABI entry (fp, ctx): the caller counts the call in ctx->depth */
    LLVMBuildStore(l->b, LLVMBuildAdd(l->b, l->depth, ci32(l, 1), ""), depth_ptr(l));
    LLVMValueRef args[2] = {slot_ptr(l, nfp), l->ctx};
    budget_out(l);
    r = LLVMBuildCall2(l->b, l->ol->fn_type, l->ol->fns[funcidx - l->m->nfunc_imports], args, 2, "");
    budget_in(l);
  } else {
    LLVMTypeRef pt[4] = {l->ptr, l->ptr, l->i32, l->ptr};
    LLVMValueRef args[4] = {l->ctx, slot_ptr(l, nfp), ci32(l, funcidx), slot_ptr(l, nfp + span)};
    r = call_c(l, (const void *)jit_rt_call_import, l->i32, pt, 4, args);
  }
  reload_mem(l, false);
  check(l, r, off);
  call_results(l, ft, nfp);
}

/* call_indirect's dispatcher for a type id: `fastcc {i32 kind, i64 budget, results...}
 * (ptr fp, ptr ctx, i32 depth, i64 budget, params..., i32 k)`, a switch on the defined
 * function k to a tail call (a jump) of its internal entry: the internal entries' type
 * follows from the signature, so one dispatcher serves every function of the type. Its
 * body is made by opt_lower_end, when all functions are known. NULL: out of memory. */
typedef struct opt_disp {
  uint32_t typeid, typeidx;
  LLVMValueRef fn;
} opt_disp;

static LLVMTypeRef disp_type(opt_lower *ol, const wasm_functype *ft) {
  LLVMTypeRef it = ifn_type(ol, ft);
  if (!it) return NULL;
  uint32_t n = LLVMCountParamTypes(it);
  LLVMTypeRef *pt = malloc(((size_t)n + 1) * sizeof *pt);
  if (!pt) return NULL;
  LLVMGetParamTypes(it, pt);
  pt[n] = LLVMInt32TypeInContext(ol->cx);
  LLVMTypeRef t = LLVMFunctionType(LLVMGetReturnType(it), pt, n + 1, false);
  free(pt);
  return t;
}

static LLVMValueRef get_disp(opt_lower *ol, uint32_t typeidx) {
  uint32_t id = ol->em->typeids[typeidx];
  for (uint32_t i = 0; i < ol->ndisp; i++)
    if (ol->disp[i].typeid == id) return ol->disp[i].fn;
  if (!ifns_alloc(ol) || !grow((void **)&ol->disp, &ol->capdisp, (size_t)ol->ndisp + 1, sizeof *ol->disp)) return NULL;
  LLVMTypeRef t = disp_type(ol, &ol->em->wasm->types[typeidx]);
  if (!t) return NULL;
  char name[32];
  snprintf(name, sizeof name, "disp%u", ol->ndisp);
  LLVMValueRef fn = LLVMAddFunction(ol->mod, name, t);
  LLVMSetLinkage(fn, LLVMInternalLinkage);
  LLVMSetFunctionCallConv(fn, LLVMFastCallConv);
  ol->disp[ol->ndisp++] = (opt_disp){id, typeidx, fn};
  return fn;
}

/* The dispatchers' bodies: every defined function whose type has the dispatcher's id (a
 * call_indirect's fast path comes here only with such a function of this instance, whose
 * code this tier made). False: out of memory. */
static bool build_disps(opt_lower *ol) {
  const wasm_module *m = ol->em->wasm;
  uint32_t n = m->nfuncs - m->nfunc_imports;
  LLVMBuilderRef b = LLVMCreateBuilderInContext(ol->cx);
  bool ok = true;
  for (uint32_t d = 0; d < ol->ndisp && ok; d++) {
    LLVMValueRef fn = ol->disp[d].fn;
    uint32_t nargs = LLVMCountParams(fn) - 1;
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(ol->cx, fn, "entry"));
    LLVMBasicBlockRef none = LLVMAppendBasicBlockInContext(ol->cx, fn, "none");
    uint32_t ncases = 0;
    for (uint32_t j = 0; j < n; j++)
      if (ol->em->typeids[m->funcs[m->nfunc_imports + j].type] == ol->disp[d].typeid) ncases++;
    LLVMValueRef sw = LLVMBuildSwitch(b, LLVMGetParam(fn, nargs), none, ncases);
    LLVMValueRef *args = malloc(((size_t)nargs + 1) * sizeof *args);
    if (!args) {
      ok = false;
      break;
    }
    for (uint32_t i = 0; i < nargs; i++) args[i] = LLVMGetParam(fn, i);
    for (uint32_t j = 0; j < n && ok; j++) {
      if (ol->em->typeids[m->funcs[m->nfunc_imports + j].type] != ol->disp[d].typeid) continue;
      LLVMValueRef ifn = get_ifn(ol, j);
      if (!ifn) {
        ok = false;
        break;
      }
      LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(ol->cx, fn, "");
      LLVMAddCase(sw, LLVMConstInt(LLVMInt32TypeInContext(ol->cx), j, false), bb);
      LLVMPositionBuilderAtEnd(b, bb);
      LLVMValueRef r = LLVMBuildCall2(b, LLVMGlobalGetValueType(ifn), ifn, args, nargs, "");
      LLVMSetInstructionCallConv(r, ifn_cc(&m->types[m->funcs[m->nfunc_imports + j].type]));
      LLVMSetTailCall(r, true);
      LLVMBuildRet(b, r);
    }
    free(args);
    /* no other function can come here (above) */
    LLVMPositionBuilderAtEnd(b, none);
    LLVMBuildUnreachable(b);
  }
  LLVMDisposeBuilder(b);
  free(ol->disp);
  ol->disp = NULL;
  ol->ndisp = ol->capdisp = 0;
  return ok;
}

static void emit_call_indirect(lw *l, uint32_t typeidx, uint32_t table, uint32_t off) {
  const wasm_functype *ft = &l->m->types[typeidx];
  LLVMValueRef idx = pop(l);
  uint32_t nfp = l->nlocals + l->n - ft->nparams;
  uint32_t span = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
  if (l->n - ft->nparams + span > l->maxn) l->maxn = l->n - ft->nparams + span;
  /* the engine's id of the type; an image to be loaded elsewhere reads it from the
   * loading engine's table (symbol weld_typeids) */
  LLVMValueRef typeid_v = ci32(l, l->ol->em->typeids[typeidx]);
  if (l->ol->symbol) {
    LLVMValueRef ti = ci64(l, typeidx);
    typeid_v = LLVMBuildLoad2(l->b, l->i32, LLVMBuildGEP2(l->b, l->i32, l->ol->symbol(l->ol, NULL), &ti, 1, ""), "");
    LLVMSetMetadata(typeid_v, LLVMGetMDKindIDInContext(l->cx, "invariant.load", 14), LLVMMDNodeInContext(l->cx, NULL, 0));
  }
  /* the fast path: an element that is a function of this instance compiled by this tier
   * is called directly, as `call` would: through the type's dispatcher to its internal
   * entry (arguments, depth, budget and results in registers) when the whole module is
   * lowered here, else its ABI entry; anything else (and every trap) goes through the
   * runtime, with the arguments in their home slots */
  LLVMValueRef disp = l->ol->whole ? get_disp(l->ol, typeidx) : NULL;
  LLVMBasicBlockRef b1 = new_bb(l, ""), b2 = new_bb(l, ""), b3 = new_bb(l, ""), fast = new_bb(l, "");
  LLVMBasicBlockRef slow = new_bb(l, ""), done = new_bb(l, "");
  LLVMValueRef inst = load_at(l, l->ptr, l->ctx, CTXOFF(inst), true);
  LLVMValueRef tables = load_at(l, l->ptr, inst, offsetof(exec_instance, tables), true);
  LLVMValueRef tab = load_at(l, l->ptr, tables, (size_t)table * sizeof(void *), true);
  LLVMValueRef size = load_at(l, l->i32, tab, offsetof(exec_table, size), false);
  LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntULT, idx, size, ""), b1, slow);
  LLVMPositionBuilderAtEnd(l->b, b1);
  LLVMValueRef elems = load_at(l, l->ptr, tab, offsetof(exec_table, elems), false);
  LLVMValueRef ix = LLVMBuildZExt(l->b, idx, l->i64, "");
  LLVMValueRef f = LLVMBuildLoad2(l->b, l->ptr, LLVMBuildGEP2(l->b, l->ptr, elems, &ix, 1, ""), "");
  LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntNE, f, LLVMConstNull(l->ptr), ""), b2, slow);
  LLVMPositionBuilderAtEnd(l->b, b2);
  LLVMValueRef same = LLVMBuildICmp(l->b, LLVMIntEQ, load_at(l, l->i32, f, offsetof(exec_func, typeid), false),
                                    typeid_v, "");
  same = LLVMBuildAnd(
      l->b, same, LLVMBuildICmp(l->b, LLVMIntEQ, load_at(l, l->ptr, f, offsetof(exec_func, inst), false), inst, ""), "");
  LLVMBuildCondBr(l->b, same, b3, slow);
  LLVMPositionBuilderAtEnd(l->b, b3);
  LLVMValueRef k = LLVMBuildSub(l->b, load_at(l, l->i32, f, offsetof(exec_func, index), false),
                                ci32(l, l->m->nfunc_imports), "");
  LLVMValueRef kx = LLVMBuildZExt(l->b, k, l->i64, "");
  LLVMValueRef code = LLVMBuildLoad2(l->b, l->ptr, LLVMBuildGEP2(l->b, l->ptr, cptr(l, l->ol->code), &kx, 1, ""), "");
  LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntNE, code, LLVMConstNull(l->ptr), ""), fast, slow);
  LLVMPositionBuilderAtEnd(l->b, fast);
  LLVMValueRef r1, rs = NULL;
  if (disp) {
    LLVMValueRef *args = internal_args(l, nfp, ft, 1);
    if (!args) return;
    args[IARGS + ft->nparams] = k;
    rs = LLVMBuildCall2(l->b, LLVMGlobalGetValueType(disp), disp, args, IARGS + ft->nparams + 1, "");
    LLVMSetInstructionCallConv(rs, LLVMFastCallConv);
    free(args);
    r1 = LLVMBuildExtractValue(l->b, rs, 0, "");
    LLVMBuildStore(l->b, LLVMBuildExtractValue(l->b, rs, 1, ""), l->bud);
  } else {
    /* the ABI entry: the call counted in ctx->depth (it is left so: this code reads the
     * depth from its register, and stores it again before the runtime reads it) */
    call_args(l, ft);
    LLVMBuildStore(l->b, LLVMBuildAdd(l->b, l->depth, ci32(l, 1), ""), depth_ptr(l));
    LLVMValueRef fargs[2] = {slot_ptr(l, nfp), l->ctx};
    budget_out(l);
    r1 = LLVMBuildCall2(l->b, l->ol->fn_type, code, fargs, 2, "");
    budget_in(l);
  }
  LLVMBasicBlockRef fast_end = LLVMGetInsertBlock(l->b);
  LLVMValueRef *fres = NULL;
  if (ft->nresults) {
    fres = malloc(ft->nresults * sizeof *fres);
    if (!fres) {
      l->oom = true;
      return;
    }
    for (uint32_t i = 0; i < ft->nresults; i++)
      fres[i] = rs ? LLVMBuildExtractValue(l->b, rs, 2 + i, "") : load_slot(l, nfp + i, vt(l, ft->results[i]));
  }
  LLVMBuildBr(l->b, done);
  LLVMPositionBuilderAtEnd(l->b, slow);
  call_args(l, ft);
  LLVMTypeRef pt[6] = {l->ptr, l->ptr, l->i32, l->i32, l->i32, l->ptr};
  LLVMValueRef args[6] = {l->ctx, slot_ptr(l, nfp), idx, ci32(l, table), typeid_v, slot_ptr(l, nfp + span)};
  LLVMValueRef r2 = call_c(l, (const void *)jit_rt_call_indirect, l->i32, pt, 6, args);
  LLVMValueRef *sres = NULL;
  if (ft->nresults) {
    sres = malloc(ft->nresults * sizeof *sres);
    if (!sres) {
      free(fres);
      l->oom = true;
      return;
    }
    for (uint32_t i = 0; i < ft->nresults; i++) sres[i] = load_slot(l, nfp + i, vt(l, ft->results[i]));
  }
  LLVMBasicBlockRef slow_end = LLVMGetInsertBlock(l->b);
  LLVMBuildBr(l->b, done);
  LLVMPositionBuilderAtEnd(l->b, done);
  LLVMValueRef r = LLVMBuildPhi(l->b, l->i32, "");
  LLVMValueRef rv[2] = {r1, r2};
  LLVMBasicBlockRef rb[2] = {fast_end, slow_end};
  LLVMAddIncoming(r, rv, rb, 2);
  LLVMValueRef *res = NULL;
  if (ft->nresults) {
    res = malloc(ft->nresults * sizeof *res);
    if (!res) {
      free(fres);
      free(sres);
      l->oom = true;
      return;
    }
    for (uint32_t i = 0; i < ft->nresults; i++) {
      res[i] = LLVMBuildPhi(l->b, vt(l, ft->results[i]), "");
      LLVMValueRef v[2] = {fres[i], sres[i]};
      LLVMAddIncoming(res[i], v, rb, 2);
    }
  }
  free(fres);
  free(sres);
  reload_mem(l, false);
  check(l, r, off);
  /* the results (undefined after a trap: check left) */
  l->n -= ft->nparams;
  for (uint32_t i = 0; i < ft->nresults; i++) push(l, res[i]);
  free(res);
  if (l->n > l->maxn) l->maxn = l->n;
}

/* An instruction done by a runtime helper (rt_bulk.c): nargs operands to their home
 * slots, the helper gets their address, nres results (of type rt) come back there. */
static void emit_helper(lw *l, jit_helper fn, uint32_t nargs, uint32_t nres, LLVMTypeRef rt, uint32_t x, uint32_t y,
                        uint32_t off) {
  uint32_t base = l->n - nargs;
  for (uint32_t i = 0; i < nargs; i++) store_slot(l, l->nlocals + base + i, l->st[base + i]);
  if (base + 1 > l->maxn) l->maxn = base + 1;
  LLVMTypeRef pt[4] = {l->ptr, l->ptr, l->i32, l->i32};
  LLVMValueRef args[4] = {l->ctx, slot_ptr(l, l->nlocals + base), ci32(l, x), ci32(l, y)};
  LLVMValueRef r = call_c(l, (const void *)fn, l->i32, pt, 4, args);
  reload_mem(l, false);
  check(l, r, off);
  l->n = base;
  for (uint32_t i = 0; i < nres; i++) push(l, load_slot(l, l->nlocals + base + i, rt));
}

/* ---------- numeric instructions ---------- */

static LLVMValueRef shift_amount(lw *l, LLVMValueRef b, bool w) {
  return LLVMBuildAnd(l->b, b, w ? ci64(l, 63) : ci32(l, 31), "");
}

static void emit_div(lw *l, bool w, bool sign, bool rem, uint32_t off) {
  LLVMValueRef b = pop(l), a = pop(l);
  LLVMTypeRef t = w ? l->i64 : l->i32;
  LLVMValueRef zero = LLVMConstInt(t, 0, false), m1 = LLVMConstAllOnes(t);
  trap_if(l, LLVMBuildICmp(l->b, LLVMIntEQ, b, zero, ""), EXEC_TRAP_INT_DIV_ZERO, off);
  if (!sign) {
    push(l, rem ? LLVMBuildURem(l->b, a, b, "") : LLVMBuildUDiv(l->b, a, b, ""));
    return;
  }
  LLVMValueRef min = LLVMConstInt(t, w ? (uint64_t)INT64_MIN : (uint64_t)(uint32_t)INT32_MIN, false);
  LLVMValueRef bm1 = LLVMBuildICmp(l->b, LLVMIntEQ, b, m1, "");
  if (!rem) {
    LLVMValueRef ovf = LLVMBuildAnd(l->b, bm1, LLVMBuildICmp(l->b, LLVMIntEQ, a, min, ""), "");
    trap_if(l, ovf, EXEC_TRAP_INT_OVERFLOW, off);
    push(l, LLVMBuildSDiv(l->b, a, b, ""));
    return;
  }
  /* x rem -1 is 0 (and MIN rem -1 must not reach the instruction) */
  LLVMValueRef d = LLVMBuildSelect(l->b, bm1, LLVMConstInt(t, 1, false), b, "");
  push(l, LLVMBuildSRem(l->b, a, d, ""));
}

static int icmp_pred(uint16_t op, bool *w) {
  *w = false;
  switch (op) {
  case WASM_OP_I32_EQ: return LLVMIntEQ;
  case WASM_OP_I32_NE: return LLVMIntNE;
  case WASM_OP_I32_LT_S: return LLVMIntSLT;
  case WASM_OP_I32_LT_U: return LLVMIntULT;
  case WASM_OP_I32_GT_S: return LLVMIntSGT;
  case WASM_OP_I32_GT_U: return LLVMIntUGT;
  case WASM_OP_I32_LE_S: return LLVMIntSLE;
  case WASM_OP_I32_LE_U: return LLVMIntULE;
  case WASM_OP_I32_GE_S: return LLVMIntSGE;
  case WASM_OP_I32_GE_U: return LLVMIntUGE;
  default: break;
  }
  *w = true;
  switch (op) {
  case WASM_OP_I64_EQ: return LLVMIntEQ;
  case WASM_OP_I64_NE: return LLVMIntNE;
  case WASM_OP_I64_LT_S: return LLVMIntSLT;
  case WASM_OP_I64_LT_U: return LLVMIntULT;
  case WASM_OP_I64_GT_S: return LLVMIntSGT;
  case WASM_OP_I64_GT_U: return LLVMIntUGT;
  case WASM_OP_I64_LE_S: return LLVMIntSLE;
  case WASM_OP_I64_LE_U: return LLVMIntULE;
  case WASM_OP_I64_GE_S: return LLVMIntSGE;
  case WASM_OP_I64_GE_U: return LLVMIntUGE;
  default: return -1;
  }
}

static int fcmp_pred(uint16_t op) {
  switch (op) {
  case WASM_OP_F32_EQ: case WASM_OP_F64_EQ: return LLVMRealOEQ;
  case WASM_OP_F32_NE: case WASM_OP_F64_NE: return LLVMRealUNE;
  case WASM_OP_F32_LT: case WASM_OP_F64_LT: return LLVMRealOLT;
  case WASM_OP_F32_GT: case WASM_OP_F64_GT: return LLVMRealOGT;
  case WASM_OP_F32_LE: case WASM_OP_F64_LE: return LLVMRealOLE;
  case WASM_OP_F32_GE: case WASM_OP_F64_GE: return LLVMRealOGE;
  default: return -1;
  }
}

static LLVMValueRef bin_int(lw *l, uint16_t op, LLVMValueRef a, LLVMValueRef b, bool w) {
  LLVMTypeRef t = w ? l->i64 : l->i32;
  LLVMValueRef ab[3] = {a, a, shift_amount(l, b, w)};
  switch (op) {
  case WASM_OP_I32_ADD: case WASM_OP_I64_ADD: return LLVMBuildAdd(l->b, a, b, "");
  case WASM_OP_I32_SUB: case WASM_OP_I64_SUB: return LLVMBuildSub(l->b, a, b, "");
  case WASM_OP_I32_MUL: case WASM_OP_I64_MUL: return LLVMBuildMul(l->b, a, b, "");
  case WASM_OP_I32_AND: case WASM_OP_I64_AND: return LLVMBuildAnd(l->b, a, b, "");
  case WASM_OP_I32_OR: case WASM_OP_I64_OR: return LLVMBuildOr(l->b, a, b, "");
  case WASM_OP_I32_XOR: case WASM_OP_I64_XOR: return LLVMBuildXor(l->b, a, b, "");
  case WASM_OP_I32_SHL: case WASM_OP_I64_SHL: return LLVMBuildShl(l->b, a, ab[2], "");
  case WASM_OP_I32_SHR_S: case WASM_OP_I64_SHR_S: return LLVMBuildAShr(l->b, a, ab[2], "");
  case WASM_OP_I32_SHR_U: case WASM_OP_I64_SHR_U: return LLVMBuildLShr(l->b, a, ab[2], "");
  case WASM_OP_I32_ROTL: case WASM_OP_I64_ROTL: return intrinsic(l, "llvm.fshl", &t, 1, ab, 3);
  case WASM_OP_I32_ROTR: case WASM_OP_I64_ROTR: return intrinsic(l, "llvm.fshr", &t, 1, ab, 3);
  default: return NULL;
  }
}

static LLVMValueRef opaque(lw *l, LLVMValueRef v);

/* Float arithmetic LLVM does exactly as WebAssembly says (IEEE 754, round to nearest,
 * no fast-math); min and max (NaN and signed-zero rules) use rt_float.c's helpers. */
static bool emit_float(lw *l, uint16_t op, uint32_t off) {
  const wasm_opinfo *oi = &wasm_opinfo_table[op];
  LLVMTypeRef rt = oi->result ? vt(l, oi->result) : NULL;
  int pred = fcmp_pred(op);
  if (pred >= 0) {
    LLVMValueRef b = pop(l), a = pop(l);
    push(l, bool32(l, LLVMBuildFCmp(l->b, (LLVMRealPredicate)pred, a, b, "")));
    return true;
  }
  const char *un = NULL;
  switch (op) {
  case WASM_OP_F32_ADD: case WASM_OP_F64_ADD:
  case WASM_OP_F32_SUB: case WASM_OP_F64_SUB:
  case WASM_OP_F32_MUL: case WASM_OP_F64_MUL:
  case WASM_OP_F32_DIV: case WASM_OP_F64_DIV: {
    LLVMValueRef b = pop(l), a = pop(l);
    LLVMValueRef r;
    if (op == WASM_OP_F32_ADD || op == WASM_OP_F64_ADD) r = LLVMBuildFAdd(l->b, a, b, "");
    else if (op == WASM_OP_F32_SUB || op == WASM_OP_F64_SUB) r = LLVMBuildFSub(l->b, a, b, "");
    else if (op == WASM_OP_F32_MUL || op == WASM_OP_F64_MUL) r = LLVMBuildFMul(l->b, a, b, "");
    else r = LLVMBuildFDiv(l->b, a, b, "");
    push(l, r);
    return true;
  }
  case WASM_OP_F32_COPYSIGN: case WASM_OP_F64_COPYSIGN: {
    LLVMValueRef ab[2];
    ab[1] = pop(l), ab[0] = pop(l);
    push(l, intrinsic(l, "llvm.copysign", &rt, 1, ab, 2));
    return true;
  }
  case WASM_OP_F32_NEG: case WASM_OP_F64_NEG: push(l, LLVMBuildFNeg(l->b, pop(l), "")); return true;
  case WASM_OP_F32_ABS: case WASM_OP_F64_ABS: un = "llvm.fabs"; break;
  case WASM_OP_F32_SQRT: case WASM_OP_F64_SQRT: un = "llvm.sqrt"; break;
  case WASM_OP_F32_CEIL: case WASM_OP_F64_CEIL: un = "llvm.ceil"; break;
  case WASM_OP_F32_FLOOR: case WASM_OP_F64_FLOOR: un = "llvm.floor"; break;
  case WASM_OP_F32_TRUNC: case WASM_OP_F64_TRUNC: un = "llvm.trunc"; break;
  case WASM_OP_F32_NEAREST: case WASM_OP_F64_NEAREST: un = "llvm.roundeven"; break;
  case WASM_OP_F32_CONVERT_I32_S: case WASM_OP_F32_CONVERT_I64_S:
  case WASM_OP_F64_CONVERT_I32_S: case WASM_OP_F64_CONVERT_I64_S:
    push(l, LLVMBuildSIToFP(l->b, pop(l), rt, ""));
    return true;
  case WASM_OP_F32_CONVERT_I32_U: case WASM_OP_F32_CONVERT_I64_U:
  case WASM_OP_F64_CONVERT_I32_U: case WASM_OP_F64_CONVERT_I64_U:
    push(l, LLVMBuildUIToFP(l->b, pop(l), rt, ""));
    return true;
  case WASM_OP_F32_DEMOTE_F64: {
    /* demote(promote(x)) would fold to x (a signalling NaN would stay one) */
    LLVMValueRef a = pop(l);
    if (LLVMIsAFPExtInst(a)) a = opaque(l, a);
    push(l, LLVMBuildFPTrunc(l->b, a, rt, ""));
    return true;
  }
  case WASM_OP_F64_PROMOTE_F32: push(l, LLVMBuildFPExt(l->b, pop(l), rt, "")); return true;
  case WASM_OP_I32_TRUNC_SAT_F32_S: case WASM_OP_I32_TRUNC_SAT_F64_S:
  case WASM_OP_I64_TRUNC_SAT_F32_S: case WASM_OP_I64_TRUNC_SAT_F64_S:
  case WASM_OP_I32_TRUNC_SAT_F32_U: case WASM_OP_I32_TRUNC_SAT_F64_U:
  case WASM_OP_I64_TRUNC_SAT_F32_U: case WASM_OP_I64_TRUNC_SAT_F64_U: {
    bool s = op == WASM_OP_I32_TRUNC_SAT_F32_S || op == WASM_OP_I32_TRUNC_SAT_F64_S ||
             op == WASM_OP_I64_TRUNC_SAT_F32_S || op == WASM_OP_I64_TRUNC_SAT_F64_S;
    LLVMValueRef a = pop(l);
    LLVMTypeRef tys[2] = {rt, LLVMTypeOf(a)};
    push(l, intrinsic(l, s ? "llvm.fptosi.sat" : "llvm.fptoui.sat", tys, 2, &a, 1));
    return true;
  }
  default: break;
  }
  if (un) {
    LLVMValueRef a = pop(l);
    push(l, intrinsic(l, un, &rt, 1, &a, 1));
    return true;
  }
  int shape = 0;
  void *fn = jit_float_helper(op, &shape);
  if (!fn) return false;
  if (shape == 2) { /* min, max: on slot bits */
    LLVMValueRef b = pop(l), a = pop(l);
    LLVMTypeRef pt[2] = {l->i64, l->i64};
    LLVMValueRef args[2] = {to_slot(l, a), to_slot(l, b)};
    push(l, from_slot(l, call_pure(l, fn, l->i64, pt, 2, args), rt));
    return true;
  }
  if (shape == 3) { /* the trapping truncations */
    LLVMValueRef a = pop(l);
    LLVMTypeRef pt[2] = {l->i64, l->ptr};
    LLVMValueRef args[2] = {to_slot(l, a), l->scratch};
    trap_kind_if(l, call_pure(l, fn, l->i32, pt, 2, args), off);
    push(l, from_slot(l, LLVMBuildLoad2(l->b, l->i64, l->scratch, ""), rt));
    return true;
  }
  return false;
}

/* ---------- the body ---------- */

/* A value LLVM cannot see through. LLVM folds x - 0.0, x * 1.0, x / -1.0 (and the like)
 * to x or -x, which keeps a signalling NaN signalling where WebAssembly requires an
 * arithmetic (quiet) NaN; the constants ±0 and ±1 therefore reach the arithmetic through
 * an empty asm statement: one register move, hoisted out of loops. */
static LLVMValueRef opaque(lw *l, LLVMValueRef v) {
  LLVMTypeRef t = LLVMTypeOf(v);
  LLVMTypeRef ft = LLVMFunctionType(t, &t, 1, false);
  LLVMValueRef as = LLVMGetInlineAsm(ft, "", 0, "=x,0", 4, false, false, LLVMInlineAsmDialectATT, false);
  return LLVMBuildCall2(l->b, ft, as, &v, 1, "");
}

static const char *unsupported(uint16_t op) {
  static _Thread_local char buf[96];
  snprintf(buf, sizeof buf, "not supported: %s", wasm_op_name(op));
  return buf;
}

static const char *body(lw *l, util_reader *r) {
  wasm_instr in;
  util_error e;
  util_error_clear(&e);
  while (l->nctl) {
    if (l->oom) return "out of memory";
    if (!wasm_read_instr(r, &in, &e)) return "unreadable body";
    uint16_t op = in.op;
    uint32_t off = in.offset;
    if (l->dead) {
      if (op == WASM_OP_BLOCK || op == WASM_OP_LOOP || op == WASM_OP_IF || op == WASM_OP_TRY_TABLE ||
          op == WASM_OP_TRY) {
        l->dead_nest++;
        continue;
      }
      if ((op == WASM_OP_END || op == WASM_OP_DELEGATE) && l->dead_nest) {
        l->dead_nest--;
        continue;
      }
      if (op != WASM_OP_END && op != WASM_OP_ELSE) continue;
      if (op == WASM_OP_ELSE && l->dead_nest) continue;
    }
    const wasm_opinfo *oi = &wasm_opinfo_table[op];
    if (oi->prefix == 0xfd) return unsupported(op);
    if (oi->prefix == 0xfe) return unsupported(op); /* threads' atomics: left to the baseline tier */
    switch (op) {
    case WASM_OP_NOP: break;
    case WASM_OP_UNREACHABLE:
      trap_if(l, LLVMConstInt(l->i1, 1, false), EXEC_TRAP_UNREACHABLE, off);
      LLVMBuildUnreachable(l->b);
      l->dead = true;
      break;
    case WASM_OP_BLOCK:
    case WASM_OP_LOOP:
    case WASM_OP_IF: {
      uint32_t np, nr;
      const wasm_vtype *pt, *rt;
      wasm_vtype scratch;
      if (!block_sig(l, &in, &np, &pt, &nr, &rt, &scratch)) return "not supported: v128 block values";
      LLVMValueRef cond = op == WASM_OP_IF ? pop(l) : NULL;
      if (op == WASM_OP_LOOP) loop_versions(l, r);
      ctl *c = open_ctl(l, op == WASM_OP_BLOCK ? C_BLOCK : op == WASM_OP_LOOP ? C_LOOP : C_IF, np, nr, pt, rt);
      if (!c || l->oom) return "out of memory";
      c->end = new_bb(l, "end");
      if (op == WASM_OP_LOOP) {
        c->head = new_bb(l, "loop");
        for (uint32_t i = 0; i < np; i++) LLVMBuildStore(l->b, l->st[l->n - np + i], c->vars[i]);
        LLVMBuildBr(l->b, c->head);
        LLVMPositionBuilderAtEnd(l->b, c->head);
        l->n -= np;
        for (uint32_t i = 0; i < np; i++) push(l, LLVMBuildLoad2(l->b, vt(l, pt[i]), c->vars[i], ""));
      } else if (op == WASM_OP_IF) {
        if (np) {
          c->params = calloc(np, sizeof *c->params);
          if (!c->params) return "out of memory";
          memcpy(c->params, &l->st[l->n - np], np * sizeof *c->params);
        }
        LLVMBasicBlockRef then = new_bb(l, "then");
        c->els = new_bb(l, "else");
        LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntNE, cond, ci32(l, 0), ""), then, c->els);
        LLVMPositionBuilderAtEnd(l->b, then);
      }
      break;
    }
    case WASM_OP_ELSE: {
      ctl *c = label(l, 0);
      if (!l->dead) fall_through(l, c);
      LLVMPositionBuilderAtEnd(l->b, c->els);
      c->has_else = true;
      l->nfacts = c->nfacts;
      l->n = c->height;
      for (uint32_t i = 0; i < c->np; i++) push(l, c->params[i]);
      l->dead = false;
      break;
    }
    case WASM_OP_END: {
      ctl *c = label(l, 0);
      if (c->kind == C_FUNC) {
        if (!l->dead) emit_return(l);
        free_ctl(c);
        l->nctl--;
        break;
      }
      if (!l->dead) fall_through(l, c);
      if (c->kind == C_IF && !c->has_else) {
        /* no else: the parameters are the results */
        LLVMPositionBuilderAtEnd(l->b, c->els);
        for (uint32_t i = 0; i < c->nr; i++) LLVMBuildStore(l->b, c->params[i], c->res[i]);
        LLVMBuildBr(l->b, c->end);
      }
      LLVMMoveBasicBlockAfter(c->end, LLVMGetLastBasicBlock(l->fn));
      LLVMPositionBuilderAtEnd(l->b, c->end);
      l->nfacts = c->nfacts;
      l->n = c->height;
      for (uint32_t i = 0; i < c->nr; i++)
        push(l, LLVMBuildLoad2(l->b, LLVMGetAllocatedType(c->res[i]), c->res[i], ""));
      free_ctl(c);
      l->nctl--;
      l->dead = false;
      break;
    }
    case WASM_OP_BR:
      emit_branch(l, in.idx, off);
      l->dead = true;
      break;
    case WASM_OP_RETURN:
      emit_return(l);
      l->dead = true;
      break;
    case WASM_OP_BR_IF: {
      LLVMValueRef c = pop(l);
      LLVMBasicBlockRef taken = new_bb(l, "br"), go = new_bb(l, "");
      LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntNE, c, ci32(l, 0), ""), taken, go);
      LLVMPositionBuilderAtEnd(l->b, taken);
      emit_branch(l, in.idx, off);
      LLVMPositionBuilderAtEnd(l->b, go);
      break;
    }
    case WASM_OP_BR_TABLE: {
      LLVMValueRef c = pop(l);
      uint32_t n = in.ntargets;
      uint32_t *depths = malloc(((size_t)n + 1) * sizeof *depths);
      LLVMBasicBlockRef *bbs = malloc(((size_t)n + 1) * sizeof *bbs);
      if (!depths || !bbs) {
        free(depths);
        free(bbs);
        return "out of memory";
      }
      const uint8_t *tp = in.targets;
      for (uint32_t i = 0; i < n; i++) depths[i] = wasm_br_table_next(&tp);
      depths[n] = in.idx;
      LLVMBasicBlockRef here = LLVMGetInsertBlock(l->b);
      /* one edge block per distinct target */
      for (uint32_t i = 0; i <= n; i++) {
        bbs[i] = NULL;
        for (uint32_t q = 0; q < i; q++)
          if (depths[q] == depths[i]) {
            bbs[i] = bbs[q];
            break;
          }
        if (bbs[i]) continue;
        bbs[i] = new_bb(l, "case");
        LLVMPositionBuilderAtEnd(l->b, bbs[i]);
        emit_branch(l, depths[i], off);
      }
      LLVMPositionBuilderAtEnd(l->b, here);
      LLVMValueRef sw = LLVMBuildSwitch(l->b, c, bbs[n], n);
      for (uint32_t i = 0; i < n; i++) LLVMAddCase(sw, ci32(l, i), bbs[i]);
      free(depths);
      free(bbs);
      l->dead = true;
      break;
    }
    case WASM_OP_CALL:
      if (!sig_scalar(wasm_ir_func_type(l->m, in.idx))) return "not supported: v128 call";
      emit_call(l, in.idx, off);
      break;
    case WASM_OP_CALL_INDIRECT:
      if (!sig_scalar(&l->m->types[in.idx])) return "not supported: v128 call";
      /* the compiled check compares type ids (as the baseline tier's): a type with
       * subtypes needs the interpreter's subtype walk */
      if (!l->m->deftypes[in.idx].final) return "not supported: call_indirect to a non-final type";
      emit_call_indirect(l, in.idx, in.idx2, off);
      break;
    case WASM_OP_DROP: pop(l); break;
    case WASM_OP_SELECT:
    case WASM_OP_SELECT_T: {
      if (op == WASM_OP_SELECT_T && in.ntargets && in.reftype == WASM_V128) return "not supported: v128 select";
      LLVMValueRef c = pop(l), b = pop(l), a = pop(l);
      if (LLVMGetTypeKind(LLVMTypeOf(a)) == LLVMVectorTypeKind) return "not supported: v128 select";
      push(l, LLVMBuildSelect(l->b, LLVMBuildICmp(l->b, LLVMIntNE, c, ci32(l, 0), ""), a, b, ""));
      break;
    }
    case WASM_OP_LOCAL_GET:
      push_key(l, LLVMBuildLoad2(l->b, LLVMGetAllocatedType(l->locals[in.idx]), l->locals[in.idx], ""),
               KEY_LOCAL(in.idx, l->lver[in.idx]));
      break;
    case WASM_OP_LOCAL_SET:
      LLVMBuildStore(l->b, pop(l), l->locals[in.idx]);
      l->lver[in.idx] = ++l->nver;
      break;
    case WASM_OP_LOCAL_TEE:
      LLVMBuildStore(l->b, l->st[l->n - 1], l->locals[in.idx]);
      l->lver[in.idx] = ++l->nver;
      l->org[l->n - 1] = KEY_LOCAL(in.idx, l->nver);
      break;
    case WASM_OP_GLOBAL_GET:
    case WASM_OP_GLOBAL_SET: {
      uint32_t gi = in.idx;
      wasm_vtype gt = l->m->globals[gi].type.type;
      if (gt == WASM_V128) return "not supported: v128 global";
      LLVMValueRef globals = load_at(l, l->ptr, l->ctx, CTXOFF(globals), true);
      LLVMValueRef g = load_at(l, l->ptr, globals, (size_t)gi * sizeof(void *), true);
      LLVMValueRef o = ci64(l, offsetof(exec_global, val));
      LLVMValueRef vp = LLVMBuildGEP2(l->b, l->i8, g, &o, 1, "");
      if (op == WASM_OP_GLOBAL_GET) push(l, from_slot(l, LLVMBuildLoad2(l->b, l->i64, vp, ""), vt(l, gt)));
      else LLVMBuildStore(l->b, to_slot(l, pop(l)), vp);
      break;
    }
    case WASM_OP_MEMORY_FILL: emit_helper(l, jit_rt_memory_fill, 3, 0, NULL, 0, 0, off); break;
    case WASM_OP_MEMORY_COPY: emit_helper(l, jit_rt_memory_copy, 3, 0, NULL, 0, 0, off); break;
    case WASM_OP_MEMORY_INIT: emit_helper(l, jit_rt_memory_init, 3, 0, NULL, in.idx, 0, off); break;
    case WASM_OP_DATA_DROP: emit_helper(l, jit_rt_data_drop, 0, 0, NULL, in.idx, 0, off); break;
    case WASM_OP_ELEM_DROP: emit_helper(l, jit_rt_elem_drop, 0, 0, NULL, in.idx, 0, off); break;
    case WASM_OP_REF_FUNC: emit_helper(l, jit_rt_ref_func, 0, 1, l->i64, in.idx, 0, off); break;
    case WASM_OP_TABLE_GET: emit_helper(l, jit_rt_table_get, 1, 1, l->i64, in.idx, 0, off); break;
    case WASM_OP_TABLE_SET: emit_helper(l, jit_rt_table_set, 2, 0, NULL, in.idx, 0, off); break;
    case WASM_OP_TABLE_SIZE: emit_helper(l, jit_rt_table_size, 0, 1, l->i32, in.idx, 0, off); break;
    case WASM_OP_TABLE_GROW: emit_helper(l, jit_rt_table_grow, 2, 1, l->i32, in.idx, 0, off); break;
    case WASM_OP_TABLE_FILL: emit_helper(l, jit_rt_table_fill, 3, 0, NULL, in.idx, 0, off); break;
    case WASM_OP_TABLE_COPY: emit_helper(l, jit_rt_table_copy, 3, 0, NULL, in.idx, in.idx2, off); break;
    case WASM_OP_TABLE_INIT: emit_helper(l, jit_rt_table_init, 3, 0, NULL, in.idx2, in.idx, off); break;
    case WASM_OP_REF_NULL: push(l, ci64(l, 0)); break;
    case WASM_OP_REF_IS_NULL: push(l, bool32(l, LLVMBuildICmp(l->b, LLVMIntEQ, pop(l), ci64(l, 0), ""))); break;
    case WASM_OP_MEMORY_SIZE: {
      LLVMValueRef s = LLVMBuildLoad2(l->b, l->i64, l->msize, "");
      push(l, LLVMBuildTrunc(l->b, LLVMBuildLShr(l->b, s, ci64(l, 16), ""), l->i32, ""));
      break;
    }
    case WASM_OP_MEMORY_GROW: {
      uint32_t pos = l->nlocals + l->n - 1;
      store_slot(l, pos, pop(l));
      LLVMTypeRef pt[2] = {l->ptr, l->ptr};
      LLVMValueRef args[2] = {l->ctx, slot_ptr(l, pos)};
      LLVMValueRef rr = call_c(l, (const void *)jit_rt_memory_grow, l->i32, pt, 2, args);
      reload_mem(l, false);
      check(l, rr, off);
      push(l, load_slot(l, pos, l->i32));
      break;
    }
    case WASM_OP_I32_CONST: push_key(l, ci32(l, (uint32_t)in.c.i32), KEY_CONST); break;
    case WASM_OP_I64_CONST: push(l, ci64(l, (uint64_t)in.c.i64)); break;
    case WASM_OP_F32_CONST: {
      LLVMValueRef v = LLVMBuildBitCast(l->b, ci32(l, in.c.f32), l->f32, "");
      uint32_t mag = in.c.f32 & 0x7fffffffu;
      push(l, mag == 0 || mag == 0x3f800000u ? opaque(l, v) : v);
      break;
    }
    case WASM_OP_F64_CONST: {
      LLVMValueRef v = LLVMBuildBitCast(l->b, ci64(l, in.c.f64), l->f64, "");
      uint64_t mag = in.c.f64 & 0x7fffffffffffffffull;
      push(l, mag == 0 || mag == 0x3ff0000000000000ull ? opaque(l, v) : v);
      break;
    }
    case WASM_OP_I32_EQZ: push(l, bool32(l, LLVMBuildICmp(l->b, LLVMIntEQ, pop(l), ci32(l, 0), ""))); break;
    case WASM_OP_I64_EQZ: push(l, bool32(l, LLVMBuildICmp(l->b, LLVMIntEQ, pop(l), ci64(l, 0), ""))); break;
    case WASM_OP_I32_DIV_S: emit_div(l, false, true, false, off); break;
    case WASM_OP_I32_DIV_U: emit_div(l, false, false, false, off); break;
    case WASM_OP_I32_REM_S: emit_div(l, false, true, true, off); break;
    case WASM_OP_I32_REM_U: emit_div(l, false, false, true, off); break;
    case WASM_OP_I64_DIV_S: emit_div(l, true, true, false, off); break;
    case WASM_OP_I64_DIV_U: emit_div(l, true, false, false, off); break;
    case WASM_OP_I64_REM_S: emit_div(l, true, true, true, off); break;
    case WASM_OP_I64_REM_U: emit_div(l, true, false, true, off); break;
    case WASM_OP_I32_CLZ:
    case WASM_OP_I64_CLZ:
    case WASM_OP_I32_CTZ:
    case WASM_OP_I64_CTZ: {
      bool clz = op == WASM_OP_I32_CLZ || op == WASM_OP_I64_CLZ;
      LLVMValueRef a[2] = {pop(l), LLVMConstInt(l->i1, 0, false)};
      LLVMTypeRef t = LLVMTypeOf(a[0]);
      push(l, intrinsic(l, clz ? "llvm.ctlz" : "llvm.cttz", &t, 1, a, 2));
      break;
    }
    case WASM_OP_I32_POPCNT:
    case WASM_OP_I64_POPCNT: {
      LLVMValueRef a = pop(l);
      LLVMTypeRef t = LLVMTypeOf(a);
      push(l, intrinsic(l, "llvm.ctpop", &t, 1, &a, 1));
      break;
    }
    case WASM_OP_I32_WRAP_I64: push(l, LLVMBuildTrunc(l->b, pop(l), l->i32, "")); break;
    case WASM_OP_I64_EXTEND_I32_U: push(l, LLVMBuildZExt(l->b, pop(l), l->i64, "")); break;
    case WASM_OP_I64_EXTEND_I32_S: push(l, LLVMBuildSExt(l->b, pop(l), l->i64, "")); break;
    case WASM_OP_I32_EXTEND8_S:
    case WASM_OP_I32_EXTEND16_S:
    case WASM_OP_I64_EXTEND8_S:
    case WASM_OP_I64_EXTEND16_S:
    case WASM_OP_I64_EXTEND32_S: {
      LLVMValueRef a = pop(l);
      LLVMTypeRef nt = op == WASM_OP_I32_EXTEND8_S || op == WASM_OP_I64_EXTEND8_S     ? l->i8
                       : op == WASM_OP_I32_EXTEND16_S || op == WASM_OP_I64_EXTEND16_S ? l->i16
                                                                                      : l->i32;
      push(l, LLVMBuildSExt(l->b, LLVMBuildTrunc(l->b, a, nt, ""), LLVMTypeOf(a), ""));
      break;
    }
    case WASM_OP_I32_REINTERPRET_F32: push(l, LLVMBuildBitCast(l->b, pop(l), l->i32, "")); break;
    case WASM_OP_I64_REINTERPRET_F64: push(l, LLVMBuildBitCast(l->b, pop(l), l->i64, "")); break;
    case WASM_OP_F32_REINTERPRET_I32: push(l, LLVMBuildBitCast(l->b, pop(l), l->f32, "")); break;
    case WASM_OP_F64_REINTERPRET_I64: push(l, LLVMBuildBitCast(l->b, pop(l), l->f64, "")); break;
    default: {
      bool w;
      int pred = icmp_pred(op, &w);
      if (pred >= 0) {
        LLVMValueRef b = pop(l), a = pop(l);
        push(l, bool32(l, LLVMBuildICmp(l->b, (LLVMIntPredicate)pred, a, b, "")));
        break;
      }
      memop mo;
      if (mem_form(op, &mo)) {
        if (in.mem.memidx != 0) return "not supported: multiple memories";
        emit_mem(l, op, &mo, in.mem.offset, off);
        break;
      }
      if (oi->nparams == 2 && (oi->result == WASM_I32 || oi->result == WASM_I64) && oi->params[0] == oi->result &&
          oi->params[1] == oi->result) {
        LLVMValueRef b = l->st[l->n - 1], a = l->st[l->n - 2];
        LLVMValueRef v = bin_int(l, op, a, b, oi->result == WASM_I64);
        if (v) {
          l->n -= 2;
          push(l, v);
          break;
        }
      }
      if (emit_float(l, op, off)) break;
      return unsupported(op);
    }
    }
  }
  return NULL;
}

/* ---------- the function ---------- */

/* Why function k is left to the interpreter before its body is read, or NULL. */
static const char *refused_up_front(const exec_module *em, uint32_t k) {
  /* the lowering reads the function's internal code's side tables */
  util_error te = {0};
  if (!exec_code_translate((exec_module *)em, k, &te)) return te.kind == UTIL_ERR_OOM ? "out of memory" : "function too large";
  const wasm_module *m = em->wasm;
  const wasm_func *f = &m->funcs[m->nfunc_imports + k];
  const wasm_functype *ft = &m->types[f->type];
  const exec_code *code = &em->codes[k];
  if (!sig_scalar(ft)) return "not supported: v128 parameters or results";
  if (m->nmemories > 1) return "not supported: multiple memories";
  if (m->nmemories && m->memories[0].type.limits.is64) return "not supported: 64-bit memory";
  for (uint32_t i = 0; i < m->ntables; i++)
    if (m->tables[i].type.limits.is64) return "not supported: 64-bit table";
  for (uint32_t i = 0; i < f->nlocals; i++)
    if (f->local_types[i] == WASM_V128) return "not supported: v128 locals";
  /* The collector finds references in interpreted frames only (src/exec/gc.c), as for the
   * baseline tier: a function holding an any or extern reference across a call or an
   * allocation (it has stack maps) stays interpreted. */
  if (code->nsafe) return "not supported: references held across a call or allocation (GC stack maps)";
  uint32_t nlocals = ft->nparams + f->nlocals;
  if (nlocals != code->nlocal_slots || nlocals > (1u << 24)) return "not supported: frame layout";
  return NULL;
}

const char *opt_lower_func(opt_lower *ol, uint32_t k, uint32_t *frame_slots) {
  const exec_module *em = ol->em;
  const wasm_module *m = em->wasm;
  const wasm_func *f = &m->funcs[m->nfunc_imports + k];
  const wasm_functype *ft = &m->types[f->type];
  const exec_code *code = &em->codes[k];
  /* a function left interpreted still gets its symbol: a thunk into the runtime, which
   * the other functions' direct calls reach */
  const char *no = refused_up_front(em, k);
  if (no) {
    opt_lower_thunk(ol, k);
    return no;
  }
  uint32_t nlocals = ft->nparams + f->nlocals;

  lw ll, *l = &ll;
  memset(l, 0, sizeof *l);
  l->ol = ol;
  l->cx = ol->cx;
  l->m = m;
  l->k = k;
  l->nlocals = nlocals;
  l->i1 = LLVMInt1TypeInContext(l->cx);
  l->i8 = LLVMInt8TypeInContext(l->cx);
  l->i16 = LLVMInt16TypeInContext(l->cx);
  l->i32 = LLVMInt32TypeInContext(l->cx);
  l->i64 = LLVMInt64TypeInContext(l->cx);
  l->f32 = LLVMFloatTypeInContext(l->cx);
  l->f64 = LLVMDoubleTypeInContext(l->cx);
  l->ptr = LLVMPointerTypeInContext(l->cx, 0);
  char name[32];
  snprintf(name, sizeof name, "body%u", k);
  LLVMTypeRef ity = ifns_alloc(ol) ? ifn_type(ol, ft) : NULL;
  if (!ity) {
    opt_lower_thunk(ol, k);
    return "out of memory";
  }
  l->fn = LLVMAddFunction(ol->mod, name, ity);
  LLVMSetLinkage(l->fn, LLVMInternalLinkage);
  LLVMSetFunctionCallConv(l->fn, ifn_cc(ft));
  l->fp = LLVMGetParam(l->fn, 0);
  l->ctx = LLVMGetParam(l->fn, 1);
  l->depth = LLVMGetParam(l->fn, 2);
  l->b = LLVMCreateBuilderInContext(l->cx);
  l->locals = nlocals ? calloc(nlocals, sizeof *l->locals) : NULL;
  l->lver = nlocals ? calloc(nlocals, sizeof *l->lver) : NULL;
  if (m->nmemories) l->mem_min = m->memories[0].type.limits.min * 65536;
  const char *why = NULL;
  if (nlocals && (!l->locals || !l->lver)) why = "out of memory";

  LLVMBasicBlockRef entry = new_bb(l, "entry");
  LLVMPositionBuilderAtEnd(l->b, entry);
  LLVMValueRef frame_end = NULL;
  if (!why) {
    l->mbase = LLVMBuildAlloca(l->b, l->ptr, "mbase");
    l->msize = LLVMBuildAlloca(l->b, l->i64, "msize");
    l->scratch = LLVMBuildAlloca(l->b, l->i64, "scratch");
    l->bud = LLVMBuildAlloca(l->b, l->i64, "budget");
    LLVMBuildStore(l->b, LLVMGetParam(l->fn, 3), l->bud);
    for (uint32_t i = 0; i < nlocals; i++) {
      wasm_vtype t = i < ft->nparams ? ft->params[i] : f->local_types[i - ft->nparams];
      l->locals[i] = LLVMBuildAlloca(l->b, vt(l, t), "");
    }
    /* the stack checks of a call (the caller counted this call's depth); a limit hit
     * reports no frame of this function, as in the interpreter */
    LLVMBasicBlockRef st = new_bb(l, "stack"), ok = new_bb(l, "");
    LLVMValueRef maxd = load_at(l, l->i32, l->ctx, CTXOFF(max_depth), true);
    LLVMValueRef bad = LLVMBuildICmp(l->b, LLVMIntUGT, l->depth, maxd, "");
    LLVMTypeRef pt = l->ptr;
    /* the native stack: the address of the return address (the stack pointer at entry;
     * llvm.frameaddress would make every function keep a frame pointer) */
    LLVMValueRef sp = LLVMBuildPtrToInt(l->b, intrinsic(l, "llvm.addressofreturnaddress", &pt, 1, NULL, 0), l->i64, "");
    LLVMValueRef climit = load_at(l, l->i64, l->ctx, CTXOFF(cstack_limit), true);
    bad = LLVMBuildOr(l->b, bad, LLVMBuildICmp(l->b, LLVMIntULT, sp, climit, ""), "");
    /* fp + frame size <= stack_limit: the size is known at the end (a placeholder now) */
    frame_end = LLVMBuildAdd(l->b, LLVMBuildPtrToInt(l->b, l->fp, l->i64, ""), ci64(l, 0), "");
    LLVMValueRef slimit = LLVMBuildPtrToInt(l->b, load_at(l, l->ptr, l->ctx, CTXOFF(stack_limit), true), l->i64, "");
    bad = LLVMBuildOr(l->b, bad, LLVMBuildICmp(l->b, LLVMIntUGT, frame_end, slimit, ""), "");
    LLVMBuildCondBr(l->b, bad, st, ok);
    LLVMPositionBuilderAtEnd(l->b, st);
    ret(l, call_c(l, (const void *)jit_rt_stack_trap, l->i32, &pt, 1, &l->ctx));
    LLVMPositionBuilderAtEnd(l->b, ok);
    for (uint32_t i = 0; i < nlocals; i++) {
      LLVMTypeRef t = LLVMGetAllocatedType(l->locals[i]);
      LLVMValueRef v = i < ft->nparams ? LLVMGetParam(l->fn, IARGS + i) : LLVMConstNull(t);
      LLVMBuildStore(l->b, v, l->locals[i]);
    }
    reload_mem(l, true);
    uint32_t entry_off = exec_code_wasm_offset(code, 0);
    if (!entry_off) entry_off = f->code_offset;
    budget(l, entry_off);
    open_ctl(l, C_FUNC, 0, ft->nresults, NULL, ft->results);
    util_reader r = {f->code, f->code, f->code + f->code_len, f->code_offset};
    why = l->oom ? "out of memory" : body(l, &r);
    if (!why && l->oom) why = "out of memory";
  }
  for (uint32_t i = 0; i < l->nctl; i++) free_ctl(&l->ctl[i]);
  free(l->ctl);
  free(l->st);
  free(l->locals);
  free(l->lver);
  free(l->org);
  free(l->facts);
  LLVMDisposeBuilder(l->b);
  if (why) {
    LLVMDeleteFunction(l->fn);
    opt_lower_thunk(ol, k);
    return why;
  }
  uint32_t fs = nlocals + l->maxn;
  if (fs < ft->nresults) fs = ft->nresults;
  /* read atomically: under the auto tier another thread may raise it (tier.c) */
  uint32_t cfs = __atomic_load_n(&code->frame_slots, __ATOMIC_ACQUIRE);
  if (fs < cfs) fs = cfs;
  *frame_slots = fs;
  LLVMSetOperand(frame_end, 1, ci64(l, (uint64_t)fs * 8));
  /* the body becomes the internal entry the other functions' calls name */
  if (ol->ifns[k]) {
    LLVMReplaceAllUsesWith(ol->ifns[k], l->fn);
    LLVMDeleteFunction(ol->ifns[k]);
  }
  ol->ifns[k] = l->fn;
  /* and the declared function (the ABI entry: the runtime, the interpreter, call_indirect
   * and the other tiers call it) a wrapper: the caller counted the call in ctx->depth,
   * the arguments are in the frame; the depth is left as it was found */
  LLVMValueRef w = ol->fns[k];
  l->b = LLVMCreateBuilderInContext(l->cx);
  l->fn = w;
  l->fp = LLVMGetParam(w, 0);
  l->ctx = LLVMGetParam(w, 1);
  LLVMPositionBuilderAtEnd(l->b, new_bb(l, ""));
  LLVMValueRef *args = malloc((IARGS + (size_t)ft->nparams) * sizeof *args);
  if (!args) {
    LLVMDisposeBuilder(l->b);
    opt_lower_thunk(ol, k);
    return "out of memory";
  }
  LLVMValueRef d = load_at(l, l->i32, l->ctx, CTXOFF(depth), false);
  args[0] = l->fp;
  args[1] = l->ctx;
  args[2] = d;
  args[3] = LLVMBuildLoad2(l->b, l->i64, budget_ptr(l), "");
  for (uint32_t i = 0; i < ft->nparams; i++) args[IARGS + i] = load_slot(l, i, vt(l, ft->params[i]));
  LLVMValueRef r = LLVMBuildCall2(l->b, LLVMGlobalGetValueType(ol->ifns[k]), ol->ifns[k], args, IARGS + ft->nparams, "");
  LLVMSetInstructionCallConv(r, ifn_cc(ft));
  free(args);
  LLVMBuildStore(l->b, d, depth_ptr(l));
  LLVMBuildStore(l->b, LLVMBuildExtractValue(l->b, r, 1, ""), budget_ptr(l));
  /* the results to fp[0..] (undefined values after a trap: nobody reads them) */
  for (uint32_t i = 0; i < ft->nresults; i++) store_slot(l, i, LLVMBuildExtractValue(l->b, r, 2 + i, ""));
  LLVMBuildRet(l->b, LLVMBuildExtractValue(l->b, r, 0, ""));
  LLVMDisposeBuilder(l->b);
  LLVMSetLinkage(w, LLVMExternalLinkage);
  return NULL;
}

bool opt_lower_end(opt_lower *ol) {
  if (!ol->ifns) return true;
  /* the dispatchers first: they name internal entries that may still need a body */
  bool ok = build_disps(ol);
  const wasm_module *m = ol->em->wasm;
  uint32_t n = m->nfuncs - m->nfunc_imports;
  lw ll, *l = &ll;
  memset(l, 0, sizeof *l);
  l->ol = ol;
  l->cx = ol->cx;
  l->i8 = LLVMInt8TypeInContext(l->cx);
  l->i32 = LLVMInt32TypeInContext(l->cx);
  l->i64 = LLVMInt64TypeInContext(l->cx);
  l->f32 = LLVMFloatTypeInContext(l->cx);
  l->f64 = LLVMDoubleTypeInContext(l->cx);
  l->ptr = LLVMPointerTypeInContext(l->cx, 0);
  l->b = LLVMCreateBuilderInContext(l->cx);
  for (uint32_t j = 0; j < n; j++) {
    LLVMValueRef fn = ol->ifns[j];
    if (!fn || LLVMCountBasicBlocks(fn) != 0) continue;
    if (!LLVMGetFirstUse(fn)) {
      LLVMDeleteFunction(fn);
      continue;
    }
    /* function j was not lowered: its internal entry calls its ABI entry (a thunk into
     * the runtime), with the arguments in the frame and the call counted in ctx->depth */
    const wasm_functype *ft = &m->types[m->funcs[m->nfunc_imports + j].type];
    l->fn = fn;
    l->fp = LLVMGetParam(fn, 0);
    l->ctx = LLVMGetParam(fn, 1);
    LLVMPositionBuilderAtEnd(l->b, new_bb(l, ""));
    for (uint32_t i = 0; i < ft->nparams; i++) store_slot(l, i, LLVMGetParam(fn, IARGS + i));
    LLVMBuildStore(l->b, LLVMGetParam(fn, 2), depth_ptr(l));
    LLVMBuildStore(l->b, LLVMGetParam(fn, 3), budget_ptr(l));
    LLVMValueRef args[2] = {l->fp, l->ctx};
    LLVMValueRef r = LLVMBuildCall2(l->b, ol->fn_type, ol->fns[j], args, 2, "");
    LLVMValueRef v = LLVMBuildInsertValue(l->b, LLVMGetUndef(LLVMGetReturnType(LLVMGlobalGetValueType(fn))), r, 0, "");
    v = LLVMBuildInsertValue(l->b, v, LLVMBuildLoad2(l->b, l->i64, budget_ptr(l), ""), 1, "");
    for (uint32_t i = 0; i < ft->nresults; i++)
      v = LLVMBuildInsertValue(l->b, v, load_slot(l, i, ivt(l->cx, ft->results[i])), 2 + i, "");
    LLVMBuildRet(l->b, v);
  }
  LLVMDisposeBuilder(l->b);
  free(ol->ifns);
  ol->ifns = NULL;
  return ok;
}

void opt_lower_thunk(opt_lower *ol, uint32_t k) {
  LLVMValueRef fn = ol->fns[k];
  LLVMBuilderRef b = LLVMCreateBuilderInContext(ol->cx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(ol->cx, fn, ""));
  LLVMTypeRef i32 = LLVMInt32TypeInContext(ol->cx), i64 = LLVMInt64TypeInContext(ol->cx),
              ptr = LLVMPointerTypeInContext(ol->cx, 0);
  LLVMValueRef fp = LLVMGetParam(fn, 0), ctx = LLVMGetParam(fn, 1);
  if (!ol->symbol && ol->code) {
    /* in this process: a function whose LLVM code exists by now (the auto tier compiles
     * one function per module, src/jit/tierup.c) is called directly, with the same
     * contract; else, and for an interpreted one, through the runtime */
    LLVMValueRef at = LLVMConstIntToPtr(LLVMConstInt(i64, (uint64_t)(uintptr_t)&ol->code[k], false), ptr);
    LLVMValueRef p = LLVMBuildLoad2(b, ptr, at, "");
    LLVMBasicBlockRef direct = LLVMAppendBasicBlockInContext(ol->cx, fn, "direct"),
                      slow = LLVMAppendBasicBlockInContext(ol->cx, fn, "runtime");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, p, LLVMConstNull(ptr), ""), direct, slow);
    LLVMPositionBuilderAtEnd(b, direct);
    LLVMValueRef a2[2] = {fp, ctx};
    LLVMBuildRet(b, LLVMBuildCall2(b, ol->fn_type, p, a2, 2, ""));
    LLVMPositionBuilderAtEnd(b, slow);
  }
  LLVMTypeRef pt[3] = {ptr, ptr, i32};
  LLVMValueRef args[3] = {fp, ctx, LLVMConstInt(i32, k, false)};
  LLVMValueRef callee = ol->symbol ? ol->symbol(ol, (const void *)jit_rt_call_defined)
                                   : LLVMConstIntToPtr(LLVMConstInt(i64, (uint64_t)(uintptr_t)jit_rt_call_defined, false), ptr);
  LLVMValueRef r = LLVMBuildCall2(b, LLVMFunctionType(i32, pt, 3, false), callee, args, 3, "");
  LLVMBuildRet(b, r);
  LLVMSetLinkage(fn, LLVMInternalLinkage);
  LLVMDisposeBuilder(b);
}

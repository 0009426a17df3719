/* Private to the baseline compiler (compile.c and the files split from it by concern:
 * compile_mem.c for memories other than 0, 64-bit memories and tables, compile_exn.c for
 * exceptions): the compile-time
 * operand stack, control frames, out-of-line paths, and the helpers they share. */
#ifndef WELD_JIT_COMPILE_INT_H
#define WELD_JIT_COMPILE_INT_H

#include <stddef.h>

#include "../wasm/instr.h"
#include "jit_int.h"

/* E_XREG: a v128 held in an xmm register (both halves name it, compile_simd.c) */
enum { E_SLOT, E_CONST, E_LOCAL, E_REG, E_XREG };
typedef struct ent {
  uint8_t kind;
  uint8_t reg;      /* E_REG: the register holding it */
  uint8_t vh;       /* half of a v128 (two entries, like its two slots): 1 low, 2 high; 0 scalar */
  bool konst;       /* may be a constant the interpreter's translator keeps pending (see
                       osr_header): a constant, or the same value passed on unchanged */
  uint64_t kval;    /* konst: that constant's bits */
  uint32_t local;
  uint64_t imm;
} ent;

enum { C_FUNC, C_BLOCK, C_LOOP, C_IF };
typedef struct ctl {
  uint8_t kind;
  bool has_else;
  uint32_t height;      /* stack height below the block's parameters */
  uint32_t nparams, nresults;
  size_t loop_pos;      /* LOOP: the branch target */
  size_t else_jump;     /* IF: the jump to the else part (X64_UNBOUND once bound) */
  size_t *fwd;          /* forward branches to the end */
  size_t nfwd, capfwd;
  bool is_try;          /* a try_table or legacy try (compile_exn.c): tries[try_idx] */
  bool typed;           /* block/loop/if: bt, bt_type give its result types (END pushes them) */
  int64_t bt;
  uint32_t bt_type;
  uint32_t try_idx;
} ctl;

/* Out-of-line paths, emitted after the body. */
/* S_TRAPK: the kind is in eax; S_CALL: after a direct call (eax a trap kind, or
 * JIT_TAILCALL: the callee's tail calls are made here, then the code resumes) */
enum { S_TRAP, S_TRAPK, S_UNWIND, S_INTERRUPT, S_CALL };
typedef struct stub {
  uint8_t kind;
  uint32_t trap;        /* S_TRAP: the kind */
  uint32_t off;         /* wasm offset reported */
  size_t jump;          /* the rel32 that reaches the stub */
  size_t resume;        /* S_INTERRUPT, S_CALL: where to go on */
  uint32_t nfp, top;    /* S_CALL: the callee's frame and the end of the arguments (slots) */
  int32_t try_idx;      /* S_UNWIND, S_CALL: the innermost try (or try_table) around it, or -1 */
} stub;

/* One clause of a try_table, or one catch / catch_all of a legacy try (compile_exn.c). */
typedef struct jc_clause {
  uint32_t tag;         /* EXEC_CATCH_ALL: any exception, no payload */
  uint32_t label;       /* try_table: the clause's label, counted from outside it */
  bool ref;             /* the exnref is delivered: catch_ref, or a legacy catch a rethrow names */
  uint32_t ref_slot;    /* legacy: its hidden local; EXEC_NO_SLOT: after the payload */
  size_t pad;           /* its landing pad's code offset, once known */
} jc_clause;

/* A try_table or a legacy try (compile_exn.c): its clauses, the slot its payload goes to,
 * the try around it, and where an exception none of its clauses catches goes on to. */
typedef struct jc_try {
  uint32_t dst;         /* first payload slot: the try's height */
  int32_t outer;        /* the innermost try open around it (-1: none) */
  int32_t next;         /* an uncaught exception's next handler: outer, a delegate's target;
                           -1: the caller */
  bool legacy;          /* try ... catch / delegate: clauses come as its catches are compiled */
  uint32_t ncatch, capcatch;
  jc_clause *clauses;
  size_t handler;       /* its handler's code offset, once emitted */
} jc_try;

typedef struct jc {
  const exec_module *em;
  const wasm_module *m;
  uint32_t k;           /* defined index */
  x64_buf *b;
  jit_patches *calls;
  const uint8_t *calltab; /* NULL: direct calls are rel32, bound by the module driver */
  uint32_t nlocals;     /* slots: params + declared locals */
  uint32_t *lslot;      /* per local index: its first slot (a v128 takes two) */
  uint8_t *lv128;       /* per local index: 1 for a v128 */
  ent *st;
  uint32_t n, cap, maxn;
  /* Positions below noreg hold no value in a register (E_REG, E_XREG), below noloc no
   * pending local.get (E_LOCAL): the passes that look for such entries (a free register,
   * the spills at a block's entry, before a local is written) start there, so a deep
   * operand stack is not walked again at every level. Each may exceed n (the entries
   * above n it covered are left as they were); a push lowers both to n, which is all it
   * takes, since entries become registers or local.gets only by a push or by local.tee's
   * rewrite of the top. */
  uint32_t noreg, noloc;
  ctl *ctl;
  uint32_t nctl, capctl;
  stub *stubs;
  size_t nstubs, capstubs;
  bool dead;
  uint32_t dead_nest;
  bool guard;
  jit_sites *sites;
  size_t *to_epi;       /* jumps to the epilogue */
  size_t nto_epi, capto_epi;
  const char *fail;     /* why the function stays interpreted */
  bool oom;
  /* loops an interpreted frame may enter (on-stack replacement, osr.c): the `loop`
   * instruction's module offset and its header's code offset */
  jit_osr_entry *osr;
  size_t nosr, caposr;
  bool want_osr;
  /* per entry, the slots its stub writes first (osr_header): osr_fix0[i] is entry i's
   * first in fix[], entry i + 1's first ends them */
  uint32_t *osr_fix0;
  size_t capfix0;
  struct jc_fix {
    int32_t disp;
    uint64_t val;
  } *fix;
  size_t nfix, capfix;
  /* try_tables (compile_exn.c): all of the function's, the innermost open one (-1: none),
   * and jumps to their handlers, bound when the handlers are emitted after the body */
  jc_try *tries;
  size_t ntries, captries;
  int32_t cur_try;
  struct jc_hjump {
    size_t at;
    uint32_t t;
  } *hjumps;
  size_t nhjumps, caphjumps;
  /* legacy catches keep their exception (for rethrow) in hidden locals after the declared
   * ones, assigned in order as in the interpreter's frame (src/exec/compile_exn.c) */
  uint32_t hidden, nhidden, hidden_used;
  /* GC stack maps (the function's internal code has some): the frame keeps an
   * exec_jit_frame below its saved rbx, and every call or allocation first puts every
   * operand home and names the interpreter's map of that instruction (jc_gc_site) */
  const exec_code *code;
  bool gcmap;
  uint32_t *map_woff;   /* per interpreter safepoint: its instruction's module offset */
  bool woff_sorted;     /* map_woff ascending (the usual case): searched by bisection */
} jc;

#define RAX X64_RAX
#define RCX X64_RCX
#define RDX X64_RDX
#define RBX X64_RBX
#define RSI X64_RSI
#define RDI X64_RDI
#define R8 X64_R8
#define R9 X64_R9
#define R12 X64_R12
#define R13 X64_R13
#define R14 X64_R14
#define R15 X64_R15
#define NOREG X64_NOREG

#define CTX(f) ((int32_t)offsetof(jit_ctx, f))
#define TH(f) ((int32_t)offsetof(exec_thread, f))
#define JF(f) ((int32_t)offsetof(exec_jit_frame, f))

static inline int32_t slot_disp(uint32_t slot) { return (int32_t)(slot * 8); }
static inline int32_t home(jc *j, uint32_t pos) { return slot_disp(j->nlocals + pos); }

/* compile.c */
bool jc_grow_arr(void **p, size_t *cap, size_t need, size_t elem);
void jc_call_abs(jc *j, const void *fn);
void jc_add_stub(jc *j, uint8_t kind, uint32_t trap, uint32_t off, size_t jump, size_t resume);
/* A conditional trap: jcc to a stub reporting `kind` at `off`. */
void jc_trap_if(jc *j, int cc, uint32_t kind, uint32_t off);
/* After a helper or callee that returns a trap kind in eax. */
void jc_check_eax(jc *j, uint32_t off);
/* r13/r15 = memory 0's base and size again (after calls, and after another memory's access). */
void jc_reload_mem(jc *j);
/* The operand stack's push and pop are inline (an entry passed by value to a call went
 * through memory, and they are the commonest calls of the compiler); growing is not. */
bool jc_push_grow(jc *j, ent e);
static inline bool jc_push(jc *j, ent e) {
  if (j->noreg > j->n) j->noreg = j->n;
  if (j->noloc > j->n) j->noloc = j->n;
  if (j->n == j->cap) return jc_push_grow(j, e);
  j->st[j->n++] = e;
  if (j->n > j->maxn) j->maxn = j->n;
  return true;
}
void jc_push_slot(jc *j);
static inline ent jc_pop(jc *j) { return j->st[--j->n]; }
/* Loads an entry into reg (w: all 64 bits; else the low 32, zero-extended). */
void jc_load(jc *j, int reg, ent e, uint32_t pos, bool w);
void jc_materialize(jc *j, uint32_t pos);
/* Makes rax (all 64 bits) the value of a new top entry. */
void jc_push_rax(jc *j);
void jc_spill_regs(jc *j);
void jc_unreg(jc *j, ent *e, uint32_t pos);
/* Before a call or an allocating helper (after its operands went home): in a function
 * with stack maps, every operand goes home and the frame's exec_jit_frame names the map
 * of the instruction at module offset `off`, so the collector finds the frame's
 * references. */
void jc_gc_site(jc *j, uint32_t off);
/* An instruction done by a runtime helper (operands home, results in their slots). */
void jc_emit_helper(jc *j, jit_helper fn, uint32_t nargs, uint32_t nres, uint32_t x, uint32_t y, uint32_t off);

ctl *jc_open_block(jc *j, uint8_t kind, uint32_t np, uint32_t nr);
void jc_enter_block(jc *j, uint32_t np);
/* The taken path of a branch to label `depth`: moves, the back-edge check, the jump. */
void jc_branch_taken(jc *j, uint32_t depth, uint32_t off);
bool jc_block_sig(jc *j, const wasm_instr *in, uint32_t *np, uint32_t *nr);
/* Slots taken by n values of these types (a v128 takes two). */
uint32_t jc_slots(const wasm_vtype *t, uint32_t n);
/* Pushes n values of these types, in their home slots (a v128 as its two halves). */
void jc_push_typed(jc *j, const wasm_vtype *t, uint32_t n);
/* The epilogue's offset is known: stubs and handlers jump there. */

/* compile_exn.c: try_table, throw, throw_ref; try, catch, catch_all, delegate, rethrow */
/* The hidden locals of legacy catches (the interpreter's frame has them after the
 * declared locals): j->nlocals grows to code's frame layout. */
void jc_hidden_locals(jc *j, const exec_code *code);
/* try_table: opens its block; NULL, or why the function stays interpreted. */
const char *jc_try_open(jc *j, const wasm_instr *in);
/* At a try_table's or a legacy try's end (its ctl still open, the results home; a
 * delegate's end too): a try_table's landing pads, each a branch to its label with the
 * payload from the try's slots. */
void jc_try_end(jc *j, ctl *c, uint32_t off);
const char *jc_throw(jc *j, const wasm_instr *in, uint32_t off);
void jc_throw_ref(jc *j, uint32_t off);
/* The legacy form. try: opens its block; catch, catch_all: ends the body or the previous
 * handler and starts this one (its landing pad); delegate: before the block's end, where
 * the try's uncaught exceptions go; rethrow: throws a catch's exception again. */
const char *jc_legacy_try(jc *j, const wasm_instr *in);
const char *jc_legacy_catch(jc *j, const wasm_instr *in, uint32_t off);
void jc_delegate(jc *j, uint32_t depth);
const char *jc_rethrow(jc *j, uint32_t depth, uint32_t off);
/* In an S_UNWIND or S_CALL stub inside a try (eax the kind): an exception goes to the
 * try's handler, anything else on to the stub's unwinding. */
void jc_route_exn(jc *j, const stub *s);
/* After the stubs: each try's handler (the clause search, the landing pads, the next
 * handler or the unwinding to the caller). */
void jc_emit_handlers(jc *j, size_t epi);
void jc_free_tries(jc *j);

/* br_if to label `depth` on the condition on top. */
void jc_br_if(jc *j, uint32_t depth, uint32_t off);
/* compile_gc.c: the 0xFB instructions and ref.eq; NULL, or why the function stays
 * interpreted. */
const char *jc_gc(jc *j, const wasm_instr *in, uint32_t off);

/* compile_atomic.c: the 0xFE (threads) instructions; NULL, or why the function stays
 * interpreted. */
const char *jc_atomic(jc *j, const wasm_instr *in, uint32_t off);

/* compile_simd.c: the 0xFD instructions; NULL, or why the function stays interpreted. */
const char *jc_simd(jc *j, const wasm_instr *in);
/* A v128 at positions pos, pos+1 is readable at [rbx + disp] (pending halves go home
 * first unless they are a local's two slots): returns disp. */
int32_t jc_vaddr(jc *j, uint32_t pos);
/* The v128 at positions pos, pos+1 written to slots slot, slot+1 with one 16-byte store
 * (false: its halves are not both in the frame or constants; copy them one by one). */
bool jc_v128_copy(jc *j, uint32_t pos, uint32_t slot);
/* A half of a v128 held in an xmm register goes to `slot` alone (8 bytes). */
void jc_xreg_half(jc *j, ent e, uint32_t slot);
/* A half of a v128 held in an xmm register into a general register. */
void jc_xreg_load(jc *j, int reg, ent e);
/* select of two v128 values (the condition on top). */
void jc_v128_select(jc *j);
/* global.get / global.set of v128 global gi. */
void jc_v128_global(jc *j, bool set, uint32_t gi);
/* Pushes a v128 (two entries) whose value is written to its home slots by the caller. */
void jc_push_v128(jc *j);

/* compile_mem.c */
/* A SIMD memory access of `bytes` bytes with the memarg of `in`, its address at stack
 * position apos: on return the access is [r13 + rax + *disp] (r13/r15 switched to
 * memory k's base and size for k != 0; jc_mem_end switches back). Checked explicitly
 * unless `site_ok` and the fast path applies (memory 0, 32-bit, guard mode): then the
 * return is true and the caller records the access instruction with jc_mem_site right
 * before emitting it. */
bool jc_mem_begin(jc *j, const wasm_instr *in, uint32_t apos, uint32_t bytes, bool site_ok, int32_t *disp);
void jc_mem_site(jc *j, uint32_t off);
void jc_mem_end(jc *j, const wasm_instr *in);

/* Loads, stores and memory.size/grow/fill/copy/init on any memory (32- or 64-bit): false
 * when `in` is none of them. */
bool jc_memory(jc *j, const wasm_instr *in);
/* A 64-bit table's index, length or size operands of `in` (table.*, call_indirect,
 * return_call_indirect) narrowed to 32 bits before it, as the interpreter does. */
void jc_table_narrow(jc *j, const wasm_instr *in);
/* The 64-bit address at `pos` narrowed to 32 bits (saturating) with `offset` folded in. */
void jc_mem_narrow(jc *j, uint32_t pos, uint64_t offset);

#endif

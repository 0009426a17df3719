/* The runtime side of compiled code: the entry from the interpreter (jit_enter) and the
 * helpers machine code calls for traps, backtraces, interruption, calls that leave
 * compiled code, and memory.grow. A helper that returns a trap kind has set th->trap,
 * th->trap_msg and the backtrace of everything inside it; the compiled caller then adds
 * its own frame (jit_rt_unwind), exactly as the interpreter's trap path would. */

#include <pthread.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "../exec/gc.h"
#include "jit_int.h"

static exec_memory no_memory;

/* The lowest address compiled code may push to: the thread's stack end plus a reserve
 * for the C code it calls (host functions, the interpreter). Looked up once per thread. */
#define CSTACK_RESERVE ((uintptr_t)512 * 1024)
static _Thread_local uintptr_t cstack_low;

/* The main thread's stack without pthread_getattr_np, which for it parses
 * /proc/self/maps (a file open, a read of every mapping and sscanf: a noticeable part of
 * a short run's start): the kernel puts the executable's path (AT_EXECFN) at the very top
 * of the initial stack, below one null pointer, and the stack may grow down to its
 * rlimit. 0 when that does not hold up (no finite limit, a path that is not above this
 * frame): the caller then asks pthread. */
static uintptr_t main_stack_low(void) {
  if (getpid() != (pid_t)syscall(SYS_gettid)) return 0;
  struct rlimit rl;
  const char *fn = (const char *)getauxval(AT_EXECFN);
  if (!fn || getrlimit(RLIMIT_STACK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 0;
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), here = (uintptr_t)__builtin_frame_address(0);
  uintptr_t top = ((uintptr_t)fn + strlen(fn) + 1 + sizeof(void *) + page - 1) / page * page;
  if (top <= here || top - here >= rl.rlim_cur || rl.rlim_cur >= top) return 0;
  return top - (uintptr_t)rl.rlim_cur;
}

uintptr_t jit_rt_cstack_limit(void) {
  if (!cstack_low) {
    uintptr_t low = main_stack_low();
    pthread_attr_t a;
    if (!low && pthread_getattr_np(pthread_self(), &a) == 0) {
      void *addr = NULL;
      size_t size = 0;
      if (pthread_attr_getstack(&a, &addr, &size) == 0) low = (uintptr_t)addr;
      pthread_attr_destroy(&a);
    }
    /* unknown: allow 1 MiB below here */
    if (!low) low = (uintptr_t)__builtin_frame_address(0) - ((uintptr_t)1 << 20);
    cstack_low = low + CSTACK_RESERVE;
  }
  return cstack_low;
}

exec_trap_kind jit_enter(const exec_native *n, exec_thread *th, exec_instance *inst, exec_slot *fp) {
  const jit_func *f = (const jit_func *)n;
  return jit_run_at(f, f->entry, th, inst, fp, false);
}

exec_trap_kind jit_run_at(const jit_func *f, const uint8_t *entry, exec_thread *th, exec_instance *inst,
                          exec_slot *fp, bool osr) {
  jit_ctx c;
  c.th = th;
  c.inst = inst;
  c.mem = inst->module->wasm->nmemories ? inst->memories[0] : &no_memory;
  if (f->jm->guard && c.mem != &no_memory && !c.mem->guarded) return JIT_DECLINE;
  c.stack_limit = (exec_slot *)(void *)((exec_frame_rec *)th->rec_top - 1);
  c.depth = th->depth;
  c.max_depth = th->max_depth ? th->max_depth : EXEC_DEFAULT_MAX_DEPTH;
  c.cstack_limit = jit_rt_cstack_limit();
  /* the interpreted frame goes on interpreted: it was never going to trap here */
  if (osr && ((uintptr_t)__builtin_frame_address(0) < c.cstack_limit || fp + f->frame_slots > c.stack_limit))
    return JIT_DECLINE;
  if ((uintptr_t)__builtin_frame_address(0) < c.cstack_limit) {
    /* compiled code and the interpreter calling each other in a deep recursion */
    th->trap = EXEC_TRAP_STACK_EXHAUSTED;
    th->trap_msg[0] = 0;
    exec_bt_reset(th);
    return EXEC_TRAP_STACK_EXHAUSTED;
  }
  if (fp + f->frame_slots > c.stack_limit) {
    /* the caller sized the frame for the internal code: under JIT_TIER_AUTO the
     * function may have been compiled (to a larger frame) since */
    th->trap = EXEC_TRAP_STACK_EXHAUSTED;
    th->trap_msg[0] = 0;
    exec_bt_reset(th);
    return EXEC_TRAP_STACK_EXHAUSTED;
  }
  c.globals = inst->globals;
  c.jm = f->jm;
  jit_tramp tramp = (jit_tramp)(void *)(f->jm->code + f->jm->tramp);
  return (exec_trap_kind)tramp(fp, &c, entry);
}

static exec_func *defined(jit_ctx *c, uint32_t k) { return &c->inst->defined_funcs[k]; }

/* A trap of the current instruction that the caller's frame will report. */
static uint32_t trap_here(jit_ctx *c, exec_trap_kind kind) {
  c->th->trap = kind;
  c->th->trap_msg[0] = 0;
  exec_bt_reset(c->th);
  return kind;
}

uint32_t jit_rt_trap(jit_ctx *c, uint32_t kind, uint32_t off, uint32_t k) {
  trap_here(c, (exec_trap_kind)kind);
  exec_bt_add(c->th, defined(c, k), off);
  return kind;
}

uint32_t jit_rt_unwind(jit_ctx *c, uint32_t kind, uint32_t off, uint32_t k) {
  exec_bt_add(c->th, defined(c, k), off);
  return kind;
}

uint32_t jit_rt_trap_access(jit_ctx *c, uint32_t k) {
  return jit_rt_trap(c, EXEC_TRAP_MEMORY_OOB, jit_fault_wasm_off, k);
}

uint32_t jit_rt_stack_trap(jit_ctx *c) { return trap_here(c, EXEC_TRAP_STACK_EXHAUSTED); }

uint32_t jit_rt_interrupt(jit_ctx *c) {
  /* the auto tier's heat sample: the compiled function this was called from */
  if (c->jm->up) jit_tierup_sample((jit_module *)c->jm, __builtin_return_address(0));
  exec_trap_kind k = exec_check_interrupt(c->th);
  if (!k) exec_budget_clamp(c->th, c->jm->em->osr_grant); /* the interpreter looks again as soon */
  return k ? trap_here(c, k) : 0;
}

static uint32_t call_func(jit_ctx *c, exec_func *f, exec_slot *nfp, exec_slot *top);

/* Makes the pending tail calls of a callee that returned JIT_TAILCALL, one after the
 * other at the same frame (the native stack does not grow). `top` must stay above the
 * arguments and results of each. */
static uint32_t tail_calls(jit_ctx *c, exec_slot *nfp, exec_slot *top) {
  uint32_t r = JIT_TAILCALL;
  while (r == JIT_TAILCALL) {
    exec_func *f = c->th->tail_call;
    uint32_t np = 0, nr = 0; /* slots: a v128 takes two */
    for (uint32_t i = 0; i < f->type->nparams; i++) np += f->type->params[i] == WASM_V128 ? 2 : 1;
    for (uint32_t i = 0; i < f->type->nresults; i++) nr += f->type->results[i] == WASM_V128 ? 2 : 1;
    uint32_t n = np > nr ? np : nr;
    exec_slot *t = nfp + n > top ? nfp + n : top;
    r = call_func(c, f, nfp, t);
  }
  return r;
}

uint32_t jit_rt_tail_run(jit_ctx *c, exec_slot *nfp, exec_slot *top) { return tail_calls(c, nfp, top); }

uint32_t jit_rt_tail_func(jit_ctx *c, uint32_t funcidx) {
  c->th->tail_call = c->inst->funcs[funcidx];
  return JIT_TAILCALL;
}

uint32_t jit_rt_tail_ref(jit_ctx *c, exec_func *f) {
  if (!f) return trap_here(c, EXEC_TRAP_NULL_FUNC_REF);
  c->th->tail_call = f;
  return JIT_TAILCALL;
}

/* Leaves compiled code for function f (any kind), its frame at nfp. */
static uint32_t call_func(jit_ctx *c, exec_func *f, exec_slot *nfp, exec_slot *top) {
  exec_thread *th = c->th;
  /* a call into C recurses on the native stack: the same limit as compiled calls */
  if ((uintptr_t)__builtin_frame_address(0) < c->cstack_limit) return trap_here(c, EXEC_TRAP_STACK_EXHAUSTED);
  if (f->host) {
    th->stack_top = top;
    th->depth = c->depth;
    exec_bt_reset(th);
    exec_instance *const saved = th->host_caller;
    th->host_caller = c->inst;
    exec_trap_kind k = f->host(th, f, nfp);
    th->host_caller = saved;
    if (k != EXEC_OK) th->trap = k;
    return k;
  }
  if (c->depth >= c->max_depth) return trap_here(c, EXEC_TRAP_STACK_EXHAUSTED);
  const exec_unit *code = f->code->code;
  if (f->inst == c->inst && exec_rd64(code) == exec_interp_handlers()[EXEC_IOP_NATIVE]) {
    const exec_native *n = (const exec_native *)(uintptr_t)exec_rd64(code + 2);
    const jit_func *jf = (const jit_func *)n;
    if ((n->enter == jit_enter || n->enter == jit_tierup_enter) && jf->jm == c->jm && !(c->jm->guard && c->mem->base && !c->mem->guarded)) {
      /* compiled in this module: its checked entry, as a direct call would (no
       * interpreter activation on the native stack); the auto tier counts the call */
      if (n->enter == jit_tierup_enter) jit_tierup_count(jf);
      jit_tramp tramp = (jit_tramp)(void *)(c->jm->code + c->jm->tramp);
      c->depth++;
      uint32_t r = tramp(nfp, c, jf->checked);
      c->depth--;
      return r == JIT_TAILCALL ? tail_calls(c, nfp, top) : r;
    }
    if (n->enter == jit_enter_llvm && jf->jm == c->jm && !(c->jm->guard && c->mem->base && !c->mem->guarded)) {
      /* switched to LLVM code by the auto tier (tierup.c): an ordinary C function with
       * the checked entry's contract and this same context */
      c->depth++;
      uint32_t r = ((uint32_t(*)(exec_slot *, jit_ctx *))(uintptr_t)jf->entry)(nfp, c);
      c->depth--;
      return r == JIT_TAILCALL ? tail_calls(c, nfp, top) : r;
    }
  }
  th->stack_top = nfp; /* argres == the new frame: nothing is copied */
  th->depth = c->depth;
  return exec_invoke_unnested(th, f, nfp);
}

uint32_t jit_rt_call_defined(exec_slot *nfp, jit_ctx *c, uint32_t k) {
  /* reached from a compiled caller that counted the callee's depth already */
  c->depth--;
  uint32_t r = call_func(c, defined(c, k), nfp, nfp);
  c->depth++;
  return r;
}

uint32_t jit_rt_call_import(jit_ctx *c, exec_slot *nfp, uint32_t funcidx, exec_slot *top) {
  return call_func(c, c->inst->funcs[funcidx], nfp, top);
}

/* The callee of call_indirect and return_call_indirect, or NULL after a trap. */
static exec_func *indirect_callee(jit_ctx *c, uint32_t i, uint32_t table, uint32_t typeid) {
  exec_table *tab = c->inst->tables[table];
  if (i >= tab->size) {
    trap_here(c, EXEC_TRAP_UNDEFINED_ELEMENT);
    return NULL;
  }
  exec_func *f = exec_table_get(tab, i);
  if (!f) {
    trap_here(c, EXEC_TRAP_UNINITIALIZED_ELEMENT);
    snprintf(c->th->trap_msg, sizeof c->th->trap_msg, "uninitialized element %u", i);
    return NULL;
  }
  /* ids equal, or a declared subtype (the interpreter's walk) */
  if (f->typeid != typeid && !exec_gc_func_sub(f, typeid)) {
    trap_here(c, EXEC_TRAP_INDIRECT_TYPE_MISMATCH);
    return NULL;
  }
  return f;
}

uint32_t jit_rt_tail_indirect(jit_ctx *c, uint32_t i, uint32_t table, uint32_t typeid) {
  exec_func *f = indirect_callee(c, i, table, typeid);
  if (!f) return c->th->trap;
  c->th->tail_call = f;
  return JIT_TAILCALL;
}

uint32_t jit_rt_call_indirect(jit_ctx *c, exec_slot *nfp, uint32_t i, uint32_t table, uint32_t typeid,
                              exec_slot *top) {
  exec_func *f = indirect_callee(c, i, table, typeid);
  if (!f) return c->th->trap;
  return call_func(c, f, nfp, top);
}

uint32_t jit_rt_call_ref(jit_ctx *c, exec_slot *nfp, exec_func *f, exec_slot *top) {
  if (!f) return trap_here(c, EXEC_TRAP_NULL_FUNC_REF);
  return call_func(c, f, nfp, top);
}

/* memory.grow on mem; a failure's -1 as 64 bits when wide (a 64-bit memory, whose delta
 * compiled code has narrowed to 32 bits as the interpreter does) */
static uint32_t grow(jit_ctx *c, exec_memory *mem, exec_slot *d, bool wide) {
  exec_thread *th = c->th;
  uint32_t delta = (uint32_t)d[0];
  uint64_t msize = mem->size;
  /* as the interpreter: a grow past the maximum fails without work and costs nothing;
   * otherwise one fuel unit per page, charged before growing */
  if (delta <= mem->max_pages - msize / EXEC_PAGE_SIZE) {
    th->budget -= (int64_t)delta;
    if (th->budget < 0) {
      exec_trap_kind k = exec_check_interrupt(th);
      if (k) return trap_here(c, k);
    }
  }
  int64_t r = exec_memory_grow(mem, delta);
  if (r == EXEC_GROW_TRAP) {
    trap_here(c, EXEC_TRAP_LIMIT);
    snprintf(th->trap_msg, sizeof th->trap_msg, "memory limit exceeded (memory.grow to %llu bytes, limit %llu)",
             (unsigned long long)(msize + (uint64_t)delta * EXEC_PAGE_SIZE),
             (unsigned long long)th->store->limits.memory_bytes);
    return EXEC_TRAP_LIMIT;
  }
  d[0] = r >= 0 ? (uint32_t)r : wide ? UINT64_MAX : 0xffffffffu;
  return 0;
}

uint32_t jit_rt_memory_grow(jit_ctx *c, exec_slot *d) { return grow(c, c->mem, d, false); }

uint32_t jit_rt_memory_grow_at(jit_ctx *c, exec_slot *a, uint32_t mem, uint32_t wide) {
  return grow(c, c->inst->memories[mem], a, wide != 0);
}

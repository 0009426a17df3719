/* Guard-region faults. Under `--bounds guard` compiled code accesses linear memory with no
 * bounds check: every address it can form (a 32-bit index plus an offset below 2 GiB)
 * lies inside the memory's reservation, and the part past the memory's size is not
 * accessible, so an out-of-bounds access faults. This handler recognises such a fault —
 * the faulting instruction is one of the recorded access sites of a registered module —
 * and the faulting address lies in the running instance's memory reservation — and
 * resumes the thread in jit_rt_trap as if the code had called it, returning into the
 * function's epilogue: the trap is `out of bounds memory access` with the interpreter's
 * backtrace. Any other fault goes to the handler that was installed before, or gets the
 * default action (the process dies as it would without weld). */

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <ucontext.h>

#include "jit_int.h"

/* Regions of code: one per module compiled whole, one per function compiled on its own. */
#define MAX_REGIONS 16384

static UTIL_COLD_BSS _Atomic(const jit_region *) regions[MAX_REGIONS];
static struct sigaction old_segv, old_bus;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool installed;

bool jit_fault_register(const jit_region *r) {
  for (size_t i = 0; i < MAX_REGIONS; i++) {
    const jit_region *expect = NULL;
    if (atomic_compare_exchange_strong(&regions[i], &expect, r)) return true;
  }
  return false;
}

void jit_fault_unregister(const jit_region *r) {
  for (size_t i = 0; i < MAX_REGIONS; i++) {
    const jit_region *expect = r;
    if (atomic_compare_exchange_strong(&regions[i], &expect, NULL)) return;
  }
}

/* The access site at code offset `at` of region g, or NULL. */
static const jit_site *site_at(const jit_region *g, uint32_t at) {
  size_t lo = 0, hi = g->nsites;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (g->sites[mid].code < at) lo = mid + 1;
    else hi = mid;
  }
  return lo < g->nsites && g->sites[lo].code == at ? &g->sites[lo] : NULL;
}

/* Code made by LLVM (src/opt/access.c): each access has a record in a table after the
 * code, {int32 access - &record, int32 trap block - &record.trap, uint32 wasm offset}, in
 * the order of the accesses in the code. The offset is handed to the trap block (one per
 * function) through jit_fault_wasm_off, which jit_rt_trap_access reads. */
_Thread_local uint32_t jit_fault_wasm_off;

static int32_t rd32(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, 4);
  return v;
}
static uintptr_t mark_access(const uint8_t *rec) { return (uintptr_t)rec + (uintptr_t)(intptr_t)rd32(rec); }
static uintptr_t mark_trap(const uint8_t *rec) { return (uintptr_t)rec + 4 + (uintptr_t)(intptr_t)rd32(rec + 4); }

/* The end function's header: ud2, "WACC", then the table's start and end, each relative
 * to its own field. Looked for in the function's first bytes (a prologue may precede). */
bool jit_fault_marks(jit_region *r, const uint8_t *end_fn, const uint8_t *lim, size_t lim_len) {
  static const uint8_t magic[6] = {0x0f, 0x0b, 'W', 'A', 'C', 'C'};
  enum { SCAN = 32, HEAD = SCAN + sizeof magic + 8 }; /* where the magic may start; its end */
  uintptr_t llo = lim ? (uintptr_t)lim : 0, lhi = lim ? llo + lim_len : UINTPTR_MAX;
  if ((uintptr_t)end_fn < llo || (uintptr_t)end_fn > lhi || lhi - (uintptr_t)end_fn < HEAD) return false;
  const uint8_t *h = NULL;
  for (size_t i = 0; i < SCAN && !h; i++)
    if (memcmp(end_fn + i, magic, sizeof magic) == 0) h = end_fn + i + sizeof magic;
  if (!h) return false;
  uintptr_t b = (uintptr_t)h + (uintptr_t)(intptr_t)rd32(h), e = (uintptr_t)h + 4 + (uintptr_t)(intptr_t)rd32(h + 4);
  if (e < b || (e - b) % JIT_MARK_SIZE || b < llo || e > lhi) return false;
  uintptr_t lo = (uintptr_t)r->code, hi = lo + r->len, last = 0;
  for (uintptr_t rec = b; rec < e; rec += JIT_MARK_SIZE) {
    uintptr_t a = mark_access((const uint8_t *)rec), t = mark_trap((const uint8_t *)rec);
    if (a < lo || a >= hi || t < lo || t >= hi || a <= last) return false;
    last = a;
  }
  r->marks = (const uint8_t *)b;
  r->nmarks = (e - b) / JIT_MARK_SIZE;
  return true;
}

#define MAX_MARKED 4096
static UTIL_COLD_BSS _Atomic(const jit_region *) marked[MAX_MARKED];

bool jit_fault_register_marked(const jit_region *r) {
  for (size_t i = 0; i < MAX_MARKED; i++) {
    const jit_region *expect = NULL;
    if (atomic_compare_exchange_strong(&marked[i], &expect, r)) return true;
  }
  return false;
}

void jit_fault_unregister_marked(const jit_region *r) {
  for (size_t i = 0; i < MAX_MARKED; i++) {
    const jit_region *expect = r;
    if (atomic_compare_exchange_strong(&marked[i], &expect, NULL)) return;
  }
}

/* The trap block of an access of LLVM code faulting at pc, or 0 when pc is not one. */
static uintptr_t marked_landing(uintptr_t pc) {
  for (size_t i = 0; i < MAX_MARKED; i++) {
    const jit_region *g = atomic_load_explicit(&marked[i], memory_order_acquire);
    if (!g) continue;
    uintptr_t lo = (uintptr_t)g->code, hi = lo + g->len;
    if (pc < lo || pc >= hi) continue;
    size_t a = 0, b = g->nmarks;
    while (a < b) {
      size_t mid = a + (b - a) / 2;
      if (mark_access(g->marks + mid * JIT_MARK_SIZE) < pc) a = mid + 1;
      else b = mid;
    }
    if (a == g->nmarks) return 0;
    const uint8_t *rec = g->marks + a * JIT_MARK_SIZE;
    if (mark_access(rec) != pc) return 0;
    memcpy(&jit_fault_wasm_off, rec + 8, 4);
    return mark_trap(rec);
  }
  return 0;
}

static void chain(int sig, siginfo_t *si, void *uc) {
  struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;
  if (old->sa_flags & SA_SIGINFO) {
    old->sa_sigaction(sig, si, uc);
    return;
  }
  if (old->sa_handler == SIG_IGN) return;
  if (old->sa_handler != SIG_DFL) {
    old->sa_handler(sig);
    return;
  }
  /* the default action: restore it and return, so the instruction faults again */
  signal(sig, SIG_DFL);
}

static void on_fault(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  greg_t *r = uc->uc_mcontext.gregs;
  uintptr_t pc = (uintptr_t)r[REG_RIP];
  for (size_t i = 0; i < MAX_REGIONS; i++) {
    const jit_region *g = atomic_load_explicit(&regions[i], memory_order_acquire);
    if (!g || pc < (uintptr_t)g->code || pc >= (uintptr_t)g->code + g->len) continue;
    const jit_site *s = site_at(g, (uint32_t)(pc - (uintptr_t)g->code));
    if (!s) break; /* generated code, but not an access: not the guest's fault */
    /* and the address must be in the running instance's memory reservation */
    const jit_ctx *c = (const jit_ctx *)(uintptr_t)r[REG_R12];
    uintptr_t a = (uintptr_t)si->si_addr, base = (uintptr_t)c->mem->base;
    if (a < base || a - base >= c->mem->reserved) break;
    /* call jit_rt_trap(ctx, kind, offset, k), returning into the epilogue */
    uintptr_t sp = (uintptr_t)r[REG_RSP] - 8;
    *(uintptr_t *)sp = (uintptr_t)g->jm->funcs[s->k].epilogue;
    r[REG_RSP] = (greg_t)sp;
    r[REG_RDI] = r[REG_R12];
    r[REG_RSI] = EXEC_TRAP_MEMORY_OOB;
    r[REG_RDX] = (greg_t)s->wasm;
    r[REG_RCX] = (greg_t)s->k;
    r[REG_RIP] = (greg_t)(uintptr_t)jit_rt_trap;
    return;
  }
  /* LLVM code: the function's access trap block reports it (with the function's frame) */
  uintptr_t to = marked_landing(pc);
  if (to) {
    r[REG_RIP] = (greg_t)to;
    return;
  }
  chain(sig, si, ucv);
}

static void install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  installed = sigaction(SIGSEGV, &sa, &old_segv) == 0 && sigaction(SIGBUS, &sa, &old_bus) == 0;
}

bool jit_fault_install(void) {
  pthread_once(&once, install);
  return installed;
}

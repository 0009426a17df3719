/* On-stack replacement (JIT_TIER_AUTO): an interpreted frame running a hot loop goes on in
 * the function's compiled code from that loop's header, so a long loop in a function
 * called once (main) does not stay interpreted to its end.
 *
 * The two tiers share the frame (README.md, "Frames"): locals, then one home slot per
 * operand-stack position. At a loop header the compiled code holds nothing in registers,
 * and the interpreter, at the back-edge that jumps there, has already moved the loop's
 * parameters into their slots and paid the back-edge's interruption unit. So the frame
 * needs no copying: the compiler emits, per loop it can enter, an entry that takes the
 * frame pointer like the function's interpreter entry and jumps to the header
 * (compile.c, osr_header), and the interpreter's frame becomes the compiled frame. (The
 * one exception, a constant below the loop that the interpreter may have kept pending
 * while compiled code reads its slot, is written to that slot by the entry first.) The
 * interpreter's translator records each reachable loop's header position with the
 * module offset of its `loop` instruction (exec_code.loop_pos, loop_wasm); the compiler
 * records its entries by the same offsets; the two meet here. */
#include "jit_int.h"

/* The entry of the loop whose `loop` instruction is at module offset `wasm`, or NULL. */
static const jit_osr_entry *entry_of(const jit_func *f, uint32_t wasm) {
  size_t lo = 0, hi = f->nosr;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (f->osr[mid].wasm < wasm) lo = mid + 1;
    else hi = mid;
  }
  return lo < f->nosr && f->osr[lo].wasm == wasm ? &f->osr[lo] : NULL;
}

exec_trap_kind jit_osr_enter(jit_func *f, uint32_t pos, exec_thread *th, exec_instance *inst, exec_slot *fp) {
  const exec_code *c = &f->jm->em->codes[f->k];
  uint32_t lo = 0, hi = c->nloops;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (c->loop_pos[mid] < pos) lo = mid + 1;
    else hi = mid;
  }
  /* Loops opened one right after the other share a header position (nothing was emitted
   * between them): each must have an entry, and then they lead to the same code. */
  const jit_osr_entry *e = NULL;
  for (uint32_t i = lo; i < c->nloops && c->loop_pos[i] == pos; i++) {
    const jit_osr_entry *ei = entry_of(f, c->loop_wasm[i]);
    if (!ei) return JIT_DECLINE;
    if (!e) e = ei;
  }
  if (!e) return JIT_DECLINE;
  exec_trap_kind k = jit_run_at(f, f->base + e->code, th, inst, fp, true);
  if (k != JIT_DECLINE) atomic_fetch_add_explicit(&((jit_module *)f->jm)->osr_entered, 1, memory_order_relaxed);
  return k;
}

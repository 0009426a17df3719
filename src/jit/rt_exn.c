/* Exception handling for compiled code (compile_exn.c): throw, throw_ref (and rethrow) and
 * the search of a try's clauses. As the interpreter's THROW, THROW_REF and handler search
 * (src/exec/interp.c, exn.c): the exception in flight is th->exn with
 * EXEC_TRAP_EXCEPTION; a caught one's payload and exnref go to the frame's slots. */
#include <stdio.h>

#include "jit_int.h"

/* A thrown exception: the backtrace starts afresh (this frame is added by the caller's
 * unwinding if nothing catches it). */
static uint32_t thrown(jit_ctx *c, exec_exn *exn) {
  exec_thread *th = c->th;
  th->exn = exn;
  th->trap = EXEC_TRAP_EXCEPTION;
  snprintf(th->trap_msg, sizeof th->trap_msg, "%s", exec_trap_message(EXEC_TRAP_EXCEPTION));
  exec_bt_reset(th);
  return EXEC_TRAP_EXCEPTION;
}

uint32_t jit_rt_throw(jit_ctx *c, exec_slot *a, uint32_t tag) {
  exec_thread *th = c->th;
  exec_exn *exn = exec_exn_new(th->store, c->inst->tags[tag], a);
  if (!exn) {
    th->trap = EXEC_TRAP_LIMIT;
    snprintf(th->trap_msg, sizeof th->trap_msg, "out of memory (throw)");
    exec_bt_reset(th);
    return EXEC_TRAP_LIMIT;
  }
  return thrown(c, exn);
}

uint32_t jit_rt_throw_ref(jit_ctx *c, exec_exn *exn) {
  exec_thread *th = c->th;
  if (!exn) {
    th->trap = EXEC_TRAP_UNREACHABLE;
    snprintf(th->trap_msg, sizeof th->trap_msg, "null exception reference");
    exec_bt_reset(th);
    return EXEC_TRAP_UNREACHABLE;
  }
  return thrown(c, exn);
}

/* t: the try's clause table (compile_exn.c): count, payload slot, then per clause its
 * tag (EXEC_CATCH_ALL: any) and where the exnref goes: 0 nowhere, 1 after the payload,
 * 2 + s to slot s (a legacy catch's hidden local). */
uint32_t jit_rt_catch(jit_ctx *c, exec_slot *fp, const uint32_t *t) {
  exec_thread *th = c->th;
  exec_exn *exn = th->exn;
  uint32_t n = t[0];
  for (uint32_t i = 0; i < n; i++) {
    const uint32_t *k = &t[2 + 2 * i];
    uint32_t tag = k[0];
    if (tag != EXEC_CATCH_ALL && c->inst->tags[tag] != exn->tag) continue;
    exec_catch_site cs = {0, 0, t[1], k[1] != 0, tag == EXEC_CATCH_ALL, k[1] >= 2 ? k[1] - 2 : EXEC_NO_SLOT};
    exec_exn_deliver(th->store, exn, fp, &cs);
    th->exn = NULL;
    th->trap = EXEC_OK;
    return i + 1;
  }
  return 0;
}

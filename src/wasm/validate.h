/* Validator interface for code consumers. The validator walks each function body once;
 * a consumer (the translator in src/exec) rides along through hooks and reads the
 * validator's type and control stacks instead of keeping its own. */
#ifndef WELD_WASM_VALIDATE_H
#define WELD_WASM_VALIDATE_H

#include "instr.h"
#include "module.h"

/* Value-stack entry for "unknown" (the polymorphic bottom after unreachable code). */
#define WASM_TYPE_UNKNOWN 0

typedef enum {
  WASM_CTRL_FUNC, WASM_CTRL_BLOCK, WASM_CTRL_LOOP, WASM_CTRL_IF, WASM_CTRL_ELSE,
  WASM_CTRL_TRY_TABLE, /* a block whose body's exceptions its catch clauses may catch */
  WASM_CTRL_TRY,       /* legacy `try`: its body, before any catch */
  WASM_CTRL_CATCH,     /* legacy: inside a catch / catch_all of a try (rethrow's target) */
} wasm_ctrl_kind;

typedef struct wasm_ctrl {
  uint8_t kind;            /* wasm_ctrl_kind */
  bool unreachable;        /* the rest of this block is unreachable */
  uint8_t scratch;         /* storage for a single-valtype block type */
  uint32_t nparams, nresults;
  const uint8_t *params, *results;
  uint32_t height;         /* value-stack height at entry, below the block's params */
  uint32_t user;           /* free for the hook consumer (e.g. a patch-list index) */
} wasm_ctrl;

/* The branch arity of a frame: a loop's label takes its params, others their results. */
static inline uint32_t wasm_label_arity(const wasm_ctrl *c) {
  return c->kind == WASM_CTRL_LOOP ? c->nparams : c->nresults;
}
static inline const uint8_t *wasm_label_types(const wasm_ctrl *c) {
  return c->kind == WASM_CTRL_LOOP ? c->params : c->results;
}

typedef struct wasm_vstate {
  const wasm_module *m;
  uint32_t func;            /* function index */
  const wasm_functype *type;
  uint32_t nlocals;         /* params + declared locals */
  uint8_t *locals;          /* their types */
  uint8_t *vals;            /* operand type stack */
  uint32_t nvals, capvals;
  wasm_ctrl *ctrls;         /* control stack, ctrls[0] is the function frame */
  uint32_t nctrls, capctrls;
} wasm_vstate;

typedef struct wasm_code_hooks {
  void *ctx;
  /* Called for every instruction after its immediates are read and checked, before
   * its stack effect is applied: `st` shows the operands still on the stack. */
  bool (*before)(void *ctx, const wasm_vstate *st, const wasm_instr *in, util_error *err);
  /* Called after the effect is applied (results pushed, frames pushed or popped; for
   * `end` the popped frame is passed in `ended`, else NULL). */
  bool (*after)(void *ctx, const wasm_vstate *st, const wasm_instr *in, const wasm_ctrl *ended,
                util_error *err);
} wasm_code_hooks;

/* Module-level facts the per-function validator needs (declared function references). */
typedef struct wasm_vmodule {
  const wasm_module *m;
  uint8_t *declared_funcs; /* nfuncs flags: referenced outside code, so ref.func may name it */
} wasm_vmodule;

/* Validates everything but function bodies and fills `vm`. Free with wasm_vmodule_free. */
bool wasm_validate_module(const wasm_module *m, wasm_vmodule *vm, util_error *err);
void wasm_vmodule_free(wasm_vmodule *vm);

/* Validates one defined function's body; `hooks` may be NULL. */
bool wasm_validate_func(const wasm_vmodule *vm, uint32_t funcidx, const wasm_code_hooks *hooks,
                        util_error *err);

/* Validates a constant expression producing `type` (globals, offsets, element items). */
bool wasm_validate_const_expr(const wasm_vmodule *vm, const wasm_expr *e, uint8_t type,
                              uint32_t nglobals_visible, util_error *err);

#endif

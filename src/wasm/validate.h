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
  wasm_vtype scratch;      /* a single-valtype block type's result (then results is NULL) */
  uint32_t nparams, nresults;
  const wasm_vtype *params, *results;
  uint32_t inits;          /* length of the initialised-locals log at entry */
  uint32_t height;         /* value-stack height at entry, below the block's params */
  uint32_t user;           /* free for the hook consumer (e.g. a patch-list index) */
} wasm_ctrl;

/* The branch arity of a frame: a loop's label takes its params, others their results. */
static inline uint32_t wasm_label_arity(const wasm_ctrl *c) {
  return c->kind == WASM_CTRL_LOOP ? c->nparams : c->nresults;
}
static inline const wasm_vtype *wasm_ctrl_results(const wasm_ctrl *c) {
  return c->results || !c->nresults ? c->results : &c->scratch;
}
static inline const wasm_vtype *wasm_label_types(const wasm_ctrl *c) {
  return c->kind == WASM_CTRL_LOOP ? c->params : wasm_ctrl_results(c);
}

typedef struct wasm_vstate {
  const wasm_module *m;
  uint32_t func;            /* function index */
  const wasm_functype *type;
  uint32_t nlocals;         /* params + declared locals */
  wasm_vtype *locals;       /* their types */
  uint8_t *unset;           /* per local: a non-defaultable local not yet set here */
  uint32_t *inits, ninits, capinits; /* locals set so far, to unset at their block's end */
  wasm_vtype *vals;         /* operand type stack */
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
  uint32_t *canon;         /* ntypes: the first type index equivalent to each type */
} wasm_vmodule;

/* Subtyping between value types of the module (3.0: references by heap type and
 * nullability; WASM_TYPE_UNKNOWN matches anything). */
bool wasm_vtype_sub(const wasm_vmodule *vm, wasm_vtype a, wasm_vtype b);
/* Heap subtyping (abstract hierarchy, declared supertypes, equivalence), and the top of
 * a heap type's hierarchy (any, func, extern or exn). */
bool wasm_heap_sub(const wasm_vmodule *vm, uint32_t a, uint32_t b);
bool wasm_abstract_heap_sub(uint32_t a, uint32_t b); /* between abstract heap types */
uint32_t wasm_heap_top(const wasm_module *m, uint32_t h);
/* Whether a value type has a default value (non-nullable references have none). */
static inline bool wasm_vtype_defaultable(wasm_vtype t) { return !wasm_is_reftype(t) || wasm_ref_nullable(t); }

/* Validates everything but function bodies and fills `vm`. Free with wasm_vmodule_free. */
bool wasm_validate_module(const wasm_module *m, wasm_vmodule *vm, util_error *err);
void wasm_vmodule_free(wasm_vmodule *vm);

/* Validates one defined function's body; `hooks` may be NULL. */
bool wasm_validate_func(const wasm_vmodule *vm, uint32_t funcidx, const wasm_code_hooks *hooks,
                        util_error *err);

/* The operand stack of a constant expression, and GC's constant instructions (struct.new,
 * struct.new_default, array.new, array.new_default, array.new_fixed, ref.i31,
 * any.convert_extern, extern.convert_any; validate_gc.c): false with an error, or false
 * with none for an instruction that is not constant. Type errors set `mismatch`. */
typedef struct wasm_const_stack {
  wasm_vtype *vals;
  uint32_t depth, cap;
  bool mismatch;
} wasm_const_stack;
bool wasm_const_push(wasm_const_stack *cs, wasm_vtype t);
bool wasm_gc_const_instr(const wasm_vmodule *vm, const wasm_instr *in, wasm_const_stack *cs, util_error *err);

/* Validates a constant expression producing `type` (globals, offsets, element items). */
bool wasm_validate_const_expr(const wasm_vmodule *vm, const wasm_expr *e, wasm_vtype type,
                              uint32_t nglobals_visible, util_error *err);

#endif

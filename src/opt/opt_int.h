/* Private to src/opt: the lowering of one function to LLVM IR (lower.c) and what the
 * module driver (llvm.c) shares with it. Only compiled when weld is built with LLVM. */
#ifndef WELD_OPT_INT_H
#define WELD_OPT_INT_H

#include "llvm_api.h"

#include "../jit/jit_int.h"
#include "opt.h"

/* What lowering a module needs: the LLVM module being built and one function per
 * defined function (`i32 (ptr fp, ptr ctx)`, the baseline tier's checked-entry contract:
 * the caller counted the call in ctx->depth; the result is a trap kind). */
typedef struct opt_lower {
  LLVMContextRef cx;
  LLVMModuleRef mod;
  const exec_module *em;
  LLVMValueRef *fns;       /* per defined function */
  LLVMTypeRef fn_type;
  bool guard;              /* reserved: accesses are checked explicitly in both modes */
  void *const *code;       /* per defined function: its machine code once compiled (NULL
                              for the interpreted ones); read by call_indirect's fast path */
  /* NULL when the code runs in this process (addresses are constants). Else the code is
   * an image loaded elsewhere (object.c): every address the lowering would embed (a
   * runtime helper, `code`; NULL for the array of the engine's type ids) becomes the
   * value this returns, a declaration of a symbol the loader resolves. */
  LLVMValueRef (*symbol)(struct opt_lower *ol, const void *addr);
  void *symbol_data;
} opt_lower;

/* Lowers defined function k into ol->fns[k]. NULL on success, else why it stays in the
 * interpreter (a static string or one valid until the next call); then fns[k] is a thunk
 * that calls the function through the runtime. */
const char *opt_lower_func(opt_lower *ol, uint32_t k, uint32_t *frame_slots);
/* Makes fns[k] call defined function k through the runtime (jit_rt_call_defined). */
void opt_lower_thunk(opt_lower *ol, uint32_t k);

#endif

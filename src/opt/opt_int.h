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
  bool guard;              /* accesses to a 32-bit memory rely on the guard region (access.c) */
  void *const *code;       /* per defined function: its machine code once compiled (NULL
                              for the interpreted ones); read by call_indirect's fast path */
  /* NULL when the code runs in this process (addresses are constants). Else the code is
   * an image loaded elsewhere (object.c): every address the lowering would embed (a
   * runtime helper, `code`; NULL for the array of the engine's type ids) becomes the
   * value this returns, a declaration of a symbol the loader resolves. */
  LLVMValueRef (*symbol)(struct opt_lower *ol, const void *addr);
  void *symbol_data;
  struct opt_access *access; /* guard: the access templates (made on first use; the
                                driver frees them with opt_access_free after lowering) */
  bool access_failed;        /* the templates could not be made: accesses are checked */
  /* Per defined function, made on first use: its internal entry, `{i32, i64, results...}
   * (ptr fp, ptr ctx, i32 depth, i64 budget, params...)` in the GHC convention or fastcc
   * (lower.c ifn_cc), which direct calls between the module's functions use (arguments,
   * depth, budget and results in registers); fns[k] is a wrapper around it. */
  LLVMValueRef *ifns;
  /* Every function of the module is lowered into this LLVM module (not the auto tier's
   * one function per module): call_indirect's fast path calls a function of its type
   * through a dispatcher (lower.c) that jumps to the internal entry. */
  bool whole;
  struct opt_disp *disp; /* the dispatchers made, one per type id (lower.c) */
  uint32_t ndisp, capdisp;
} opt_lower;

/* Lowers defined function k into ol->fns[k]. NULL on success, else why it stays in the
 * interpreter (a static string or one valid until the next call); then fns[k] is a thunk
 * that calls the function through the runtime. */
const char *opt_lower_func(opt_lower *ol, uint32_t k, uint32_t *frame_slots);
/* Makes fns[k] call defined function k through the runtime (jit_rt_call_defined). */
void opt_lower_thunk(opt_lower *ol, uint32_t k);
/* After the module's functions are lowered: gives each internal entry still without a
 * body (its function was not lowered) one that calls fns[k], makes call_indirect's
 * dispatchers, and frees ol->ifns. */
bool opt_lower_end(opt_lower *ol); /* false: out of memory (the module is unusable) */

/* access.c: guard-region accesses, one `callbr` of inline assembly each whose indirect
 * destination is the function's access trap block (src/jit/fault.c jumps there on a
 * fault, handing over the access's wasm offset, from the table of the accesses). */
typedef struct opt_access opt_access;
opt_access *opt_access_new(LLVMContextRef cx); /* NULL: out of memory or LLVM refused */
void opt_access_free(opt_access *a);
/* Emits the access `op` (a plain load or store) of ptr (a store's value: val, already of
 * the stored width) at wasm offset woff (an i32 constant, in the marker for the fault
 * handler) and leaves the builder at the end of cont; a load's value is returned (an i32
 * for the zero-extending i64 loads of 1, 2 and 4 bytes). trap: the function's access
 * trap block (jit_rt_trap_access). */
LLVMValueRef opt_access_emit(opt_access *a, LLVMBuilderRef b, uint16_t op, LLVMValueRef ptr, LLVMValueRef val,
                             LLVMValueRef woff, LLVMBasicBlockRef cont, LLVMBasicBlockRef trap);
/* Adds the module's last function, `name`: never called, it locates the table of the
 * accesses' records (src/jit/fault.c, jit_fault_marks); its start is the end of the
 * module's other functions' code. */
void opt_access_end(LLVMModuleRef mod, LLVMContextRef cx, const char *name);

#endif

/* The optimising tier's part of a precompiled image: every defined function lowered as
 * for the JIT (lower.c), optimised with the same O2 pipeline, and emitted by LLVM as an
 * x86-64 ELF relocatable object (LLVMTargetMachineEmitToMemoryBuffer) instead of being
 * handed to LLJIT. src/jit/elf.c loads that object without LLVM.
 *
 * What makes the object independent of this process: no address is a constant. Each
 * runtime helper the lowering would call at a fixed address is an external global named
 * as src/jit/image_sym.c names it (its address reaches the code through the GOT), the
 * table of compiled functions is `weld_code` and the engine's type ids `weld_typeids`.
 * The code model is small and position-independent; the functions are hidden, so calls
 * between them are direct. The target is generic x86-64 plus exactly the CPU features
 * jit_cpu_features() finds (recorded in the image, checked when it is loaded), tuned for
 * the host CPU. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../jit/image.h"
#include "opt_int.h"

#define TRIPLE "x86_64-pc-linux-gnu"

static char code_marker; /* stands for ol.code: the symbol weld_code */

static LLVMValueRef global(opt_lower *ol, const char *name) {
  LLVMValueRef g = LLVMGetNamedGlobal(ol->mod, name);
  if (!g) g = LLVMAddGlobal(ol->mod, LLVMInt8TypeInContext(ol->cx), name);
  return g;
}

static LLVMValueRef symbol(opt_lower *ol, const void *addr) {
  if (!addr) return global(ol, "weld_typeids");
  if (addr == &code_marker) return global(ol, "weld_code");
  char name[64];
  if (!jit_sym_name(addr, name, sizeof name)) {
    *(bool *)ol->symbol_data = true; /* an address with no name: the image cannot be made */
    snprintf(name, sizeof name, "weld_unnamed");
  }
  return global(ol, name);
}

static bool fail(util_error *err, const char *what) { return util_fail(err, UTIL_ERR_USAGE, -1, "%s", what); }

bool opt_image_compile(const exec_module *em, bool guard, jit_bytes *out, uint64_t *features, util_error *err) {
  const char *why = opt_unavailable_reason();
  if (why) return fail(err, why);
  /* the loader needs the fault handler for such code; without it every access is checked */
  if (guard && !jit_fault_install()) guard = false;
  LLVMInitializeX86TargetInfo();
  LLVMInitializeX86Target();
  LLVMInitializeX86TargetMC();
  LLVMInitializeX86AsmPrinter();
  LLVMInitializeX86AsmParser();
  LLVMTargetRef t;
  char *msg = NULL;
  if (LLVMGetTargetFromTriple(TRIPLE, &t, &msg)) {
    LLVMDisposeMessage(msg);
    return fail(err, "LLVM: no x86-64 target");
  }
  uint64_t mask = jit_cpu_features();
  char feat[512];
  jit_cpu_feature_list(mask, "+", feat, sizeof feat);
  LLVMTargetMachineRef tm =
      LLVMCreateTargetMachine(t, TRIPLE, "x86-64", feat, LLVMCodeGenLevelDefault, LLVMRelocPIC, LLVMCodeModelSmall);
  if (!tm) return fail(err, "LLVM: cannot create a target machine");
  const wasm_module *m = em->wasm;
  uint32_t n = m->nfuncs - m->nfunc_imports;
  LLVMContextRef cx = LLVMContextCreate();
  LLVMModuleRef mod = LLVMModuleCreateWithNameInContext("wasm", cx);
  LLVMSetTarget(mod, TRIPLE);
  LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
  LLVMSetModuleDataLayout(mod, td);
  LLVMValueRef *fns = calloc(n ? n : 1, sizeof *fns);
  uint32_t *frames = calloc(n ? n : 1, sizeof *frames);
  char **fallback = calloc(n ? n : 1, sizeof *fallback);
  bool unnamed = false, oom = !fns || !frames || !fallback;
  LLVMTypeRef ptr = LLVMPointerTypeInContext(cx, 0), args[2] = {ptr, ptr};
  opt_lower ol = {cx,    mod,   em, fns, LLVMFunctionType(LLVMInt32TypeInContext(cx), args, 2, false),
                  guard, (void *const *)(const void *)&code_marker, symbol, &unnamed, NULL, false, NULL, true, NULL, 0, 0};
  char name[32];
  for (uint32_t k = 0; !oom && k < n; k++) {
    snprintf(name, sizeof name, "wf%u", k);
    fns[k] = LLVMAddFunction(mod, name, ol.fn_type);
    LLVMSetVisibility(fns[k], LLVMHiddenVisibility);
  }
  uint32_t compiled = 0;
  for (uint32_t k = 0; !oom && k < n; k++) {
    const char *w = opt_lower_func(&ol, k, &frames[k]);
    if (!w) {
      compiled++;
      continue;
    }
    if (strcmp(w, "out of memory") == 0 || !(fallback[k] = strdup(w))) oom = true;
  }
  if (!opt_lower_end(&ol)) oom = true;
  opt_access_free(ol.access);
  ol.access = NULL;
  /* guard mode: the last function locates the table of the accesses (the loader reads it) */
  if (!oom && guard && !ol.access_failed) opt_access_end(mod, cx, "wend");
  unsigned nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
  char *host = LLVMGetHostCPUName();
  for (LLVMValueRef f = LLVMGetFirstFunction(mod); f && !oom; f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f)) continue;
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(cx, nounwind, 0));
    /* scheduling for this CPU; the instructions allowed are the feature list's */
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                            LLVMCreateStringAttribute(cx, "tune-cpu", 8, host, (unsigned)strlen(host)));
  }
  LLVMDisposeMessage(host);
  const char *bad = unnamed ? "internal: compiled code calls an address without a name" : NULL;
  LLVMMemoryBufferRef obj = NULL;
  if (!oom && !bad) {
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(mod, "default<O2>", tm, po);
    LLVMDisposePassBuilderOptions(po);
    if (e) {
      LLVMConsumeError(e);
      bad = "LLVM: the O2 pipeline failed";
    }
  }
  if (!oom && !bad && LLVMTargetMachineEmitToMemoryBuffer(tm, mod, LLVMObjectFile, &msg, &obj)) {
    LLVMDisposeMessage(msg);
    bad = "LLVM: cannot emit the object file";
    obj = NULL;
  }
  if (!oom && !bad) {
    /* OPTG: accesses rely on the guard region (the loader registers the code with the
     * fault handler); OPTZ: every access is checked */
    jit_bytes_put(out, guard && !ol.access_failed ? "OPTG" : "OPTZ", 4);
    jit_bytes_u32(out, n);
    for (uint32_t k = 0; k < n; k++) {
      jit_bytes_u32(out, frames[k]);
      size_t fl = fallback[k] ? strlen(fallback[k]) : 0;
      jit_bytes_u32(out, (uint32_t)fl);
      jit_bytes_put(out, fallback[k], fl);
    }
    size_t olen = LLVMGetBufferSize(obj);
    jit_bytes_u32(out, (uint32_t)olen);
    jit_bytes_put(out, LLVMGetBufferStart(obj), olen);
    if (out->oom) oom = true;
  }
  if (obj) LLVMDisposeMemoryBuffer(obj);
  for (uint32_t k = 0; fallback && k < n; k++) free(fallback[k]);
  free(fallback);
  free(frames);
  free(fns);
  LLVMDisposeModule(mod);
  LLVMDisposeTargetData(td);
  LLVMContextDispose(cx);
  LLVMDisposeTargetMachine(tm);
  (void)compiled;
  if (oom) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory (compiling to machine code)");
  if (bad) return fail(err, bad);
  *features = mask;
  return true;
}

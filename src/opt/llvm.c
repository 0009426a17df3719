/* The module driver of the optimising tier: lowers every defined function of a module
 * into one LLVM module (lower.c), optimises it with the standard O2 pipeline, hands it to
 * ORC LLJIT and points each lowered function's internal code at a NATIVE instruction
 * whose entry (jit_enter_llvm, src/jit) builds the baseline tier's context and calls the machine code.
 *
 * One LLJIT instance serves the process; each weld module's code is added under its own
 * resource tracker, so freeing the module frees its code. Symbol names carry a per-module
 * number so modules never clash in the JIT's one symbol table. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "opt_int.h"

typedef struct opt_module {
  jit_module base; /* first: em->jit is read as a jit_module (stats, fallback reasons) */
  LLVMOrcResourceTrackerRef rt;
  uint32_t (**fns)(exec_slot *fp, jit_ctx *ctx); /* per defined function, NULL if interpreted */
} opt_module;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t jit_lock = PTHREAD_MUTEX_INITIALIZER;
static LLVMOrcLLJITRef jit;
static LLVMTargetMachineRef tm;
static char init_error[256];
static atomic_uint_fast64_t module_serial;

/* Needs x86-64 (the X86 target, the baseline tier's runtime) and libLLVM 16 at run time. */
const char *opt_unavailable_reason(void) {
#if !defined(__x86_64__)
  return "not supported: the optimising tier needs x86-64";
#else
  const char *why = NULL;
  return opt_llvm_load(&why) ? NULL : why;
#endif
}

bool opt_available(void) { return opt_unavailable_reason() == NULL; }

const char *opt_unavailable_quick(void) {
#if !defined(__x86_64__)
  return "not supported: the optimising tier needs x86-64";
#else
  return NULL;
#endif
}

static void set_error(const char *what, LLVMErrorRef e) {
  char *msg = LLVMGetErrorMessage(e);
  snprintf(init_error, sizeof init_error, "%s: %s", what, msg);
  LLVMDisposeErrorMessage(msg);
}

static void init(void) {
  LLVMInitializeX86TargetInfo();
  LLVMInitializeX86Target();
  LLVMInitializeX86TargetMC();
  LLVMInitializeX86AsmPrinter();
  LLVMInitializeX86AsmParser();
  LLVMOrcLLJITBuilderRef b = LLVMOrcCreateLLJITBuilder();
  LLVMErrorRef e = LLVMOrcCreateLLJIT(&jit, b);
  if (e) {
    set_error("LLVM: cannot create the JIT", e);
    jit = NULL;
    return;
  }
  /* code LLVM adds on its own (memcpy, memset, libm) resolves in the process */
  LLVMOrcDefinitionGeneratorRef gen;
  e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(jit), NULL, NULL);
  if (e) {
    set_error("LLVM: cannot search the process", e);
    LLVMOrcDisposeLLJIT(jit);
    jit = NULL;
    return;
  }
  LLVMOrcJITDylibAddGenerator(LLVMOrcLLJITGetMainJITDylib(jit), gen);
  /* the optimiser's cost model: the machine LLJIT compiles for (the host CPU) */
  const char *triple = LLVMOrcLLJITGetTripleString(jit);
  LLVMTargetRef t;
  char *err = NULL;
  if (LLVMGetTargetFromTriple(triple, &t, &err)) {
    snprintf(init_error, sizeof init_error, "LLVM: no target for %s: %s", triple, err ? err : "?");
    LLVMDisposeMessage(err);
    LLVMOrcDisposeLLJIT(jit);
    jit = NULL;
    return;
  }
  char *cpu = LLVMGetHostCPUName(), *feat = LLVMGetHostCPUFeatures();
  tm = LLVMCreateTargetMachine(t, triple, cpu, feat, LLVMCodeGenLevelDefault, LLVMRelocDefault,
                               LLVMCodeModelJITDefault);
  LLVMDisposeMessage(cpu);
  LLVMDisposeMessage(feat);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void module_free(void *p) {
  opt_module *om = p;
  if (!om) return;
  if (om->base.region.len) jit_fault_unregister_marked(&om->base.region);
  if (om->rt) {
    pthread_mutex_lock(&jit_lock);
    LLVMErrorRef e = LLVMOrcResourceTrackerRemove(om->rt);
    if (e) LLVMConsumeError(e);
    LLVMOrcReleaseResourceTracker(om->rt);
    pthread_mutex_unlock(&jit_lock);
  }
  if (om->base.funcs)
    for (uint32_t k = 0; k < om->base.nfuncs; k++) free((char *)om->base.funcs[k].fallback);
  free(om->base.funcs);
  free(om->fns);
  free(om);
}

static bool fail(util_error *err, opt_module *om, const char *msg) {
  module_free(om);
  return util_fail(err, UTIL_ERR_OOM, -1, "%s", msg);
}

/* The code of a module compiled in guard mode for the fault handler: from its first
 * function to `end`, the function LLVM emits after all the others, which locates the
 * table of the accesses (src/opt/access.c). False when the functions are not laid out so
 * or the table is not as it must be. */
static bool register_code(opt_module *om, uint64_t end) {
  uintptr_t lo = UINTPTR_MAX;
  for (uint32_t k = 0; k < om->base.nfuncs; k++)
    if (om->fns[k] && (uintptr_t)om->fns[k] < lo) lo = (uintptr_t)om->fns[k];
  if (lo == UINTPTR_MAX) return true; /* nothing compiled */
  if (!end || end <= lo) return false;
  for (uint32_t k = 0; k < om->base.nfuncs; k++)
    if (om->fns[k] && (uintptr_t)om->fns[k] >= end) return false;
  om->base.region = (jit_region){(const uint8_t *)lo, (size_t)(end - lo), NULL, 0, &om->base, NULL, 0};
  om->base.stats.code_bytes = (size_t)(end - lo);
  if (jit_fault_marks(&om->base.region, (const uint8_t *)(uintptr_t)end, NULL, 0) &&
      jit_fault_register_marked(&om->base.region))
    return true;
  om->base.region.len = 0;
  return false;
}

static bool compile_module(exec_module *em, bool guard, util_error *err);

bool opt_compile_module(exec_module *em, bool guard, util_error *err) {
  if (em->jit) return true;
  if (!opt_available()) return util_fail(err, UTIL_ERR_USAGE, -1, "%s", opt_unavailable_reason());
  pthread_once(&once, init);
  if (!jit) return util_fail(err, UTIL_ERR_USAGE, -1, "%s", init_error);
  /* guard mode needs the fault handler; without it every access is checked */
  if (guard && !jit_fault_install()) guard = false;
  if (!exec_module_translate_all(em, err)) return false; /* the lowering reads its side tables */
  if (compile_module(em, guard, err)) return true;
  /* the fault handler cannot take the code: the same with explicit checks */
  if (guard && err->kind == UTIL_ERR_LIMIT) {
    util_error_clear(err);
    return compile_module(em, false, err);
  }
  return false;
}

static bool compile_module(exec_module *em, bool guard, util_error *err) {
  double t0 = now();
  const wasm_module *m = em->wasm;
  uint32_t n = m->nfuncs - m->nfunc_imports;
  opt_module *om = calloc(1, sizeof *om);
  if (!om) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  om->base.em = em;
  om->base.nfuncs = n;
  om->base.funcs = n ? calloc(n, sizeof *om->base.funcs) : NULL;
  om->fns = n ? calloc(n, sizeof *om->fns) : NULL;
  uint32_t *frames = n ? calloc(n, sizeof *frames) : NULL;
  LLVMValueRef *fns = n ? calloc(n, sizeof *fns) : NULL;
  if (n && (!om->base.funcs || !om->fns || !frames || !fns)) {
    free(frames);
    free(fns);
    return fail(err, om, "out of memory");
  }
  uint64_t serial = atomic_fetch_add(&module_serial, 1);
  LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
  LLVMContextRef cx = LLVMOrcThreadSafeContextGetContext(tsc);
  LLVMModuleRef mod = LLVMModuleCreateWithNameInContext("wasm", cx);
  LLVMSetTarget(mod, LLVMOrcLLJITGetTripleString(jit));
  LLVMSetDataLayout(mod, LLVMOrcLLJITGetDataLayoutStr(jit));
  LLVMTypeRef ptr = LLVMPointerTypeInContext(cx, 0), args[2] = {ptr, ptr};
  opt_lower ol = {cx, mod, em, fns, LLVMFunctionType(LLVMInt32TypeInContext(cx), args, 2, false), guard,
                  (void *const *)om->fns, NULL, NULL, NULL, false, NULL, true, NULL, 0, 0};
  char name[48];
  for (uint32_t k = 0; k < n; k++) {
    snprintf(name, sizeof name, "weld%llu_f%u", (unsigned long long)serial, k);
    fns[k] = LLVMAddFunction(mod, name, ol.fn_type);
  }
  bool oom = false;
  for (uint32_t k = 0; k < n && !oom; k++) {
    const char *why = opt_lower_func(&ol, k, &frames[k]);
    if (!why) {
      om->base.stats.compiled++;
      om->base.stats.wasm_bytes += m->funcs[m->nfunc_imports + k].code_len;
      continue;
    }
    if (strcmp(why, "out of memory") == 0) oom = true;
    char *copy = strdup(why);
    if (!copy) oom = true;
    om->base.funcs[k].fallback = copy;
  }
  if (!opt_lower_end(&ol)) oom = true;
  opt_access_free(ol.access);
  ol.access = NULL;
  /* guard mode: an empty function after all the others marks where the code ends */
  snprintf(name, sizeof name, "weld%llu_end", (unsigned long long)serial);
  opt_access_end(mod, cx, name);
  /* nounwind: no unwind tables are needed (traps are return values) */
  unsigned nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
  for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
    if (!LLVMIsDeclaration(f))
      LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(cx, nounwind, 0));
  const char *bad = NULL;
  char *verr = NULL;
  if (!oom && getenv("WELD_OPT_VERIFY") && LLVMVerifyModule(mod, LLVMReturnStatusAction, &verr)) {
    fprintf(stderr, "weld: LLVM module does not verify:\n%s\n", verr ? verr : "");
    bad = "internal error: the optimising tier made invalid LLVM IR (WELD_OPT_VERIFY)";
  }
  LLVMDisposeMessage(verr);
  if (!oom && !bad && om->base.stats.compiled) {
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    /* WELD_OPT_PIPELINE: another pass pipeline, for measuring (docs/debugging.md) */
    const char *pipeline = getenv("WELD_OPT_PIPELINE");
    LLVMErrorRef e = LLVMRunPasses(mod, pipeline && *pipeline ? pipeline : "default<O2>", tm, po);
    LLVMDisposePassBuilderOptions(po);
    if (e) {
      LLVMConsumeError(e);
      bad = "LLVM: the O2 pipeline failed";
    }
    /* WELD_OPT_DUMP: the optimised IR on stderr (docs/debugging.md) */
    if (!bad && getenv("WELD_OPT_DUMP")) {
      char *ir = LLVMPrintModuleToString(mod);
      fputs(ir, stderr);
      LLVMDisposeMessage(ir);
    }
  }
  if (oom || bad || !om->base.stats.compiled) {
    LLVMDisposeModule(mod);
    LLVMOrcDisposeThreadSafeContext(tsc);
    if (oom || bad) {
      free(frames);
      free(fns);
      return fail(err, om, oom ? "out of memory (compiling to machine code)" : bad);
    }
  } else {
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(mod, tsc);
    LLVMOrcDisposeThreadSafeContext(tsc);
    pthread_mutex_lock(&jit_lock);
    om->rt = LLVMOrcJITDylibCreateResourceTracker(LLVMOrcLLJITGetMainJITDylib(jit));
    LLVMErrorRef e = LLVMOrcLLJITAddLLVMIRModuleWithRT(jit, om->rt, tsm);
    if (e) {
      LLVMOrcDisposeThreadSafeModule(tsm);
      set_error("LLVM", e);
      bad = init_error;
    }
    /* the first lookup compiles the whole module */
    for (uint32_t k = 0; !bad && k < n; k++) {
      if (om->base.funcs[k].fallback) continue;
      snprintf(name, sizeof name, "weld%llu_f%u", (unsigned long long)serial, k);
      LLVMOrcExecutorAddress addr = 0;
      e = LLVMOrcLLJITLookup(jit, &addr, name);
      if (e) {
        set_error("LLVM", e);
        bad = init_error;
        break;
      }
      om->fns[k] = (uint32_t(*)(exec_slot *, jit_ctx *))(uintptr_t)addr;
    }
    LLVMOrcExecutorAddress end = 0;
    if (!bad && guard) {
      snprintf(name, sizeof name, "weld%llu_end", (unsigned long long)serial);
      e = LLVMOrcLLJITLookup(jit, &end, name);
      if (e) {
        set_error("LLVM", e);
        bad = init_error;
      }
    }
    pthread_mutex_unlock(&jit_lock);
    if (!bad && guard && !register_code(om, end)) {
      free(frames);
      free(fns);
      module_free(om);
      return util_fail(err, UTIL_ERR_LIMIT, -1, "the fault handler cannot take the code");
    }
    if (bad) {
      free(frames);
      free(fns);
      module_free(om);
      return util_fail(err, UTIL_ERR_USAGE, -1, "%s", bad);
    }
  }
  free(fns);
  for (uint32_t k = 0; k < n; k++) {
    jit_func *f = &om->base.funcs[k];
    f->jm = &om->base;
    f->k = k;
    if (f->fallback) continue;
    f->entry = (const uint8_t *)(uintptr_t)om->fns[k];
    jit_func_install(f, &em->codes[k], jit_enter_llvm, frames[k]);
  }
  free(frames);
  om->base.guard = guard;
  om->base.stats.functions = n;
  om->base.stats.tier = JIT_TIER_OPTIMIZED;
  om->base.stats.compile_seconds = now() - t0;
  em->jit = om;
  em->jit_free = module_free;
  return true;
}

/* ---------- one function at a time: the auto tier's optimising step ---------- */

typedef struct func_code {
  LLVMOrcResourceTrackerRef rt;
  jit_region region; /* marked for the fault handler (guard mode), len 0 if not */
} func_code;

static void release_func(void *p) {
  func_code *fc = p;
  if (!fc) return;
  if (fc->region.len) jit_fault_unregister_marked(&fc->region);
  pthread_mutex_lock(&jit_lock);
  LLVMErrorRef e = LLVMOrcResourceTrackerRemove(fc->rt);
  if (e) LLVMConsumeError(e);
  LLVMOrcReleaseResourceTracker(fc->rt);
  pthread_mutex_unlock(&jit_lock);
  free(fc);
}

/* Defined function k of em lowered by itself into an LLVM module (the other functions
 * it calls are thunks into the runtime), not yet optimised: what the lowering phase hands
 * to the LLVM phase, which no longer reads the weld module. */
typedef struct lowered {
  LLVMOrcThreadSafeContextRef tsc;
  LLVMModuleRef mod;
  uint64_t serial;
  uint32_t k, frame;
  bool guard;
} lowered;

static void lowered_free(lowered *lo) {
  if (!lo) return;
  LLVMDisposeModule(lo->mod);
  LLVMOrcDisposeThreadSafeContext(lo->tsc);
  free(lo);
}

static void *lower_one(exec_module *em, uint32_t k, bool guard, void *const *code, const char **whyp) {
  const wasm_module *m = em->wasm;
  uint32_t n = m->nfuncs - m->nfunc_imports;
  LLVMValueRef *fns = calloc(n ? n : 1, sizeof *fns);
  lowered *lo = calloc(1, sizeof *lo);
  if (!fns || !lo) {
    free(fns);
    free(lo);
    *whyp = "out of memory";
    return NULL;
  }
  lo->serial = atomic_fetch_add(&module_serial, 1);
  lo->k = k;
  lo->guard = guard;
  lo->tsc = LLVMOrcCreateNewThreadSafeContext();
  LLVMContextRef cx = LLVMOrcThreadSafeContextGetContext(lo->tsc);
  lo->mod = LLVMModuleCreateWithNameInContext("wasm", cx);
  LLVMSetTarget(lo->mod, LLVMOrcLLJITGetTripleString(jit));
  LLVMSetDataLayout(lo->mod, LLVMOrcLLJITGetDataLayoutStr(jit));
  LLVMTypeRef ptr = LLVMPointerTypeInContext(cx, 0), args[2] = {ptr, ptr};
  opt_lower ol = {cx, lo->mod, em, fns, LLVMFunctionType(LLVMInt32TypeInContext(cx), args, 2, false), guard,
                  code, NULL, NULL, NULL, false, NULL, false, NULL, 0, 0};
  char name[48];
  for (uint32_t j = 0; j < n; j++) {
    snprintf(name, sizeof name, "weld%llu_f%u", (unsigned long long)lo->serial, j);
    fns[j] = LLVMAddFunction(lo->mod, name, ol.fn_type);
  }
  const char *why = opt_lower_func(&ol, k, &lo->frame);
  /* the internal entries of the functions the body calls (they call their ABI entries) */
  if (!opt_lower_end(&ol) && !why) why = "out of memory";
  /* a thunk for each function the body refers to; the other declarations go (lowering
   * and compiling a thunk for every function of a big module cost more than the body) */
  for (uint32_t j = 0; !why && j < n; j++) {
    if (j == k) continue;
    if (LLVMGetFirstUse(fns[j])) opt_lower_thunk(&ol, j);
    else LLVMDeleteFunction(fns[j]);
  }
  opt_access_free(ol.access);
  free(fns);
  if (why) {
    lowered_free(lo);
    *whyp = why;
    return NULL;
  }
  snprintf(name, sizeof name, "weld%llu_end", (unsigned long long)lo->serial);
  opt_access_end(lo->mod, cx, name);
  unsigned nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
  for (LLVMValueRef f = LLVMGetFirstFunction(lo->mod); f; f = LLVMGetNextFunction(f))
    if (!LLVMIsDeclaration(f))
      LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(cx, nounwind, 0));
  *whyp = NULL;
  return lo;
}

/* The LLVM phase: O2, machine code, the fault handler's region. Consumes lo. *limit: the
 * fault handler could not take the code (lower again without the guard region). */
static const char *finish_one(lowered *lo, jit_opt_code *out, bool *limit) {
  const char *why = NULL;
  func_code *fc = calloc(1, sizeof *fc);
  if (!fc) {
    lowered_free(lo);
    return "out of memory";
  }
  /* a target machine of its own: pool threads run pipelines at the same time, and
   * LLVM's target machine is not made to be shared by them */
  LLVMTargetRef t;
  char *terr = NULL, *cpu = LLVMGetHostCPUName(), *feat = LLVMGetHostCPUFeatures();
  const char *triple = LLVMOrcLLJITGetTripleString(jit);
  LLVMTargetMachineRef mytm = LLVMGetTargetFromTriple(triple, &t, &terr)
                                  ? NULL
                                  : LLVMCreateTargetMachine(t, triple, cpu, feat, LLVMCodeGenLevelDefault,
                                                            LLVMRelocDefault, LLVMCodeModelJITDefault);
  LLVMDisposeMessage(terr);
  LLVMDisposeMessage(cpu);
  LLVMDisposeMessage(feat);
  if (!mytm) {
    why = "LLVM: cannot create a target machine";
  } else {
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(lo->mod, "default<O2>", mytm, po);
    LLVMDisposePassBuilderOptions(po);
    LLVMDisposeTargetMachine(mytm);
    if (e) {
      LLVMConsumeError(e);
      why = "LLVM: the O2 pipeline failed";
    }
  }
  if (why) {
    lowered_free(lo);
    free(fc);
    return why;
  }
  bool guard = lo->guard;
  uint64_t serial = lo->serial;
  uint32_t k = lo->k, frame = lo->frame;
  LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(lo->mod, lo->tsc);
  LLVMOrcDisposeThreadSafeContext(lo->tsc);
  free(lo);
  char name[48];
  LLVMOrcExecutorAddress addr = 0, end = 0;
  pthread_mutex_lock(&jit_lock);
  fc->rt = LLVMOrcJITDylibCreateResourceTracker(LLVMOrcLLJITGetMainJITDylib(jit));
  LLVMErrorRef e = LLVMOrcLLJITAddLLVMIRModuleWithRT(jit, fc->rt, tsm);
  if (e) {
    LLVMOrcDisposeThreadSafeModule(tsm);
    LLVMConsumeError(e);
    why = "LLVM: cannot add the module";
  }
  snprintf(name, sizeof name, "weld%llu_f%u", (unsigned long long)serial, k);
  if (!why && (e = LLVMOrcLLJITLookup(jit, &addr, name))) {
    LLVMConsumeError(e);
    why = "LLVM: the function was not compiled";
  }
  snprintf(name, sizeof name, "weld%llu_end", (unsigned long long)serial);
  if (!why && guard && (e = LLVMOrcLLJITLookup(jit, &end, name))) {
    LLVMConsumeError(e);
    why = "LLVM: the function was not compiled";
  }
  pthread_mutex_unlock(&jit_lock);
  if (!why && guard) {
    fc->region = (jit_region){(const uint8_t *)(uintptr_t)addr, (size_t)(end - addr), NULL, 0, NULL, NULL, 0};
    if (end <= addr || !jit_fault_marks(&fc->region, (const uint8_t *)(uintptr_t)end, NULL, 0) ||
        !jit_fault_register_marked(&fc->region)) {
      fc->region.len = 0;
      *limit = true;
      why = "the fault handler cannot take the code";
    }
  }
  if (why) {
    release_func(fc);
    return why;
  }
  out->entry = (const uint8_t *)(uintptr_t)addr;
  out->frame_slots = frame;
  out->handle = fc;
  return NULL;
}

static void *lower_func(exec_module *em, uint32_t k, bool guard, void *const *code, const char **why) {
  if (!opt_available()) {
    *why = opt_unavailable_reason();
    return NULL;
  }
  pthread_once(&once, init);
  if (!jit) {
    *why = init_error;
    return NULL;
  }
  if (guard && !jit_fault_install()) guard = false;
  return lower_one(em, k, guard, code, why);
}

static const char *finish_func(void *lo, jit_opt_code *out, bool *unguarded) {
  bool limit = false;
  const char *why = finish_one(lo, out, &limit);
  /* the fault handler's table is full: the caller lowers the function again with checks */
  *unguarded = limit;
  return why;
}

static void drop_func(void *lo) { lowered_free(lo); }

static bool load_func(void) {
  if (!opt_available()) return false;
  pthread_once(&once, init);
  return jit != NULL;
}

static const jit_opt_hooks hooks = {load_func, lower_func, finish_func, drop_func, release_func};

const jit_opt_hooks *opt_tierup_hooks(void) { return opt_unavailable_quick() ? NULL : &hooks; }

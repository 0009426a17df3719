/* Memory accesses left to the guard region (`--bounds guard`, a 32-bit memory).
 *
 * The code does not compare the address with the memory's size: the access itself is
 * the check. Every address it can form (a 32-bit index plus an offset below 2 GiB) lies
 * inside the memory's 8 GiB reservation, and the part past the memory's size is not
 * accessible, so an out-of-bounds access faults; src/jit/fault.c turns that fault into a
 * jump to the function's access trap block, handing it the access's wasm offset, and the
 * block reports the trap as the explicit check would (jit_rt_trap_access).
 *
 * What makes that jump possible is that LLVM cannot tell us where it put an access. So
 * each access is one `callbr` of inline assembly: the access itself (LLVM chooses its
 * addressing mode and register), labelled, and a record of it written to another part
 * of the code section, which the assembler places after all the code:
 *
 *     .pushsection .text,2
 *     .long 1f - .            # the access, relative to this field
 *     .long <trap block> - .  # the function's access trap block, relative to this field
 *     .long <wasm offset>
 *     .popsection
 *   1: mov.. mem, reg
 *
 * with the function's access trap block as the `callbr`'s indirect destination (one per
 * function: the offset reaches it through the fault handler, not a phi). Subsection 2
 * of .text follows the code (subsection 0), so the records lie in the order of their
 * accesses, between a start label in subsection 1 and an end label in subsection 3 that
 * the module's last function (opt_access_end) writes and points at. Nothing of it is in
 * the instruction stream (an earlier form put two eight-byte NOPs before each access,
 * which cost SQLite's run about 15 %). The fault handler (src/jit/fault.c) finds the
 * faulting address in the table, stores the offset (jit_fault_wasm_off) and resumes the
 * thread at the trap block, with the registers and stack of the access, which is
 * exactly what a jump from the access to the trap block would see. The asm is marked as
 * touching only the memory it is given (`memory(argmem: ...)`), so the optimiser still
 * moves other code around it.
 *
 * The C API of LLVM 16 cannot build a `callbr`, so each form is written once as IR text
 * (a template function per opcode), parsed into the module's context, and cloned per
 * access with its operands and destinations replaced. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../wasm/instr.h"
#include "opt_int.h"

/* The strings are arrays, not pointers, so the table needs no relocations when the
 * program starts. */
typedef struct form {
  uint16_t op;
  char insn[8]; /* AT&T mnemonic */
  char rt[8];   /* loads: the asm's result type; stores: "" */
  char et[8];   /* the memory's element type */
  char vt[8];   /* stores: the value's type */
  char vc[4];   /* stores: the value's constraint */
} form;

static const form forms[] = {
    {WASM_OP_I32_LOAD, "movl", "i32", "i32", "", ""},
    {WASM_OP_I64_LOAD, "movq", "i64", "i64", "", ""},
    {WASM_OP_F32_LOAD, "movss", "float", "float", "", ""},
    {WASM_OP_F64_LOAD, "movsd", "double", "double", "", ""},
    {WASM_OP_I32_LOAD8_S, "movsbl", "i32", "i8", "", ""},
    {WASM_OP_I32_LOAD8_U, "movzbl", "i32", "i8", "", ""},
    {WASM_OP_I32_LOAD16_S, "movswl", "i32", "i16", "", ""},
    {WASM_OP_I32_LOAD16_U, "movzwl", "i32", "i16", "", ""},
    {WASM_OP_I64_LOAD8_S, "movsbq", "i64", "i8", "", ""},
    {WASM_OP_I64_LOAD8_U, "movzbl", "i32", "i8", "", ""},
    {WASM_OP_I64_LOAD16_S, "movswq", "i64", "i16", "", ""},
    {WASM_OP_I64_LOAD16_U, "movzwl", "i32", "i16", "", ""},
    {WASM_OP_I64_LOAD32_S, "movslq", "i64", "i32", "", ""},
    {WASM_OP_I64_LOAD32_U, "movl", "i32", "i32", "", ""},
    {WASM_OP_I32_STORE, "movl", "", "i32", "i32", "ri"},
    {WASM_OP_I64_STORE, "movq", "", "i64", "i64", "r"},
    {WASM_OP_F32_STORE, "movss", "", "float", "float", "x"},
    {WASM_OP_F64_STORE, "movsd", "", "double", "double", "x"},
    {WASM_OP_I32_STORE8, "movb", "", "i8", "i8", "ri"},
    {WASM_OP_I32_STORE16, "movw", "", "i16", "i16", "ri"},
    {WASM_OP_I64_STORE8, "movb", "", "i8", "i8", "ri"},
    {WASM_OP_I64_STORE16, "movw", "", "i16", "i16", "ri"},
    {WASM_OP_I64_STORE32, "movl", "", "i32", "i32", "ri"},
};
#define NFORMS (sizeof forms / sizeof forms[0])

/* The access's record (above): operand 2 is its wasm offset (an immediate), operand 3 the
 * trap block (the indirect destination, in both forms). */
#define MARK ".pushsection .text,2\\0A.long 1f-.\\0A.long ${3:l}-.\\0A.long ${2:c}\\0A.popsection\\0A1: "

struct opt_access {
  LLVMModuleRef mod;            /* the templates */
  LLVMValueRef tpl[NFORMS];     /* per form: its callbr */
};

static int form_of(uint16_t op) {
  for (size_t i = 0; i < NFORMS; i++)
    if (forms[i].op == op) return (int)i;
  return -1;
}

static char *templates(void) {
  size_t cap = NFORMS * 640 + 256, len = 0;
  char *s = malloc(cap);
  if (!s) return NULL;
  for (size_t i = 0; i < NFORMS; i++) {
    const form *f = &forms[i];
    if (*f->rt)
      len += (size_t)snprintf(s + len, cap - len,
                              "define void @t%zu(ptr %%p) {\ne:\n  %%r = callbr %s asm sideeffect \"" MARK
                              "%s $1, $0\", \"=%s,*m,i,!i\"(ptr elementtype(%s) %%p, i32 0) #0 to label %%a [label %%b]\n"
                              "a:\n  ret void\nb:\n  ret void\n}\n",
                              i, f->rt, f->insn, strcmp(f->rt, "float") && strcmp(f->rt, "double") ? "r" : "x", f->et);
    else
      len += (size_t)snprintf(s + len, cap - len,
                              "define void @t%zu(ptr %%p, %s %%v) {\ne:\n  callbr void asm sideeffect \"" MARK
                              "%s $0, $1\", \"%s,*m,i,!i\"(%s %%v, ptr elementtype(%s) %%p, i32 0) #1 to label %%a [label %%b]\n"
                              "a:\n  ret void\nb:\n  ret void\n}\n",
                              i, f->vt, f->insn, f->vc, f->vt, f->et);
  }
  snprintf(s + len, cap - len,
           "attributes #0 = { nounwind memory(argmem: read) }\nattributes #1 = { nounwind memory(argmem: write) }\n");
  return s;
}

opt_access *opt_access_new(LLVMContextRef cx) {
  opt_access *a = calloc(1, sizeof *a);
  char *text = templates();
  if (!a || !text) {
    free(a);
    free(text);
    return NULL;
  }
  LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(text, strlen(text), "weld-access");
  free(text);
  char *msg = NULL;
  if (!buf || LLVMParseIRInContext(cx, buf, &a->mod, &msg)) {
    /* a template LLVM does not take is a bug here: the caller checks explicitly */
    if (msg) fprintf(stderr, "weld: internal: access templates: %s\n", msg);
    LLVMDisposeMessage(msg);
    free(a);
    return NULL;
  }
  for (size_t i = 0; i < NFORMS; i++) {
    char name[16];
    snprintf(name, sizeof name, "t%zu", i);
    LLVMValueRef f = LLVMGetNamedFunction(a->mod, name);
    a->tpl[i] = f ? LLVMGetFirstInstruction(LLVMGetFirstBasicBlock(f)) : NULL;
    if (!a->tpl[i]) {
      opt_access_free(a);
      return NULL;
    }
  }
  return a;
}

void opt_access_free(opt_access *a) {
  if (!a) return;
  if (a->mod) LLVMDisposeModule(a->mod);
  free(a);
}

bool opt_access_has(uint16_t op) { return form_of(op) >= 0; }

LLVMValueRef opt_access_emit(opt_access *a, LLVMBuilderRef b, uint16_t op, LLVMValueRef ptr, LLVMValueRef val,
                             LLVMValueRef woff, LLVMBasicBlockRef cont, LLVMBasicBlockRef trap) {
  int i = form_of(op);
  if (i < 0) return NULL;
  LLVMValueRef c = LLVMInstructionClone(a->tpl[i]);
  LLVMInsertIntoBuilder(b, c);
  if (*forms[i].rt) {
    LLVMSetOperand(c, 0, ptr);
    LLVMSetOperand(c, 1, woff);
  } else {
    LLVMSetOperand(c, 0, val);
    LLVMSetOperand(c, 1, ptr);
    LLVMSetOperand(c, 2, woff);
  }
  LLVMSetSuccessor(c, 0, cont);
  LLVMSetSuccessor(c, 1, trap);
  LLVMPositionBuilderAtEnd(b, cont);
  return c;
}

void opt_access_end(LLVMModuleRef mod, LLVMContextRef cx, const char *name) {
  /* never called: ud2, "WACC", the table's start and end (each relative to its field);
   * subsections 1 and 3 of .text come before and after every record (subsection 2) */
  static const char text[] = ".pushsection .text,1\n.p2align 2\n.Lweld_acc_begin:\n.popsection\n"
                             ".pushsection .text,3\n.Lweld_acc_end:\n.popsection\n"
                             "ud2\n.ascii \"WACC\"\n.long .Lweld_acc_begin-.\n.long .Lweld_acc_end-.\n";
  LLVMTypeRef ft = LLVMFunctionType(LLVMVoidTypeInContext(cx), NULL, 0, false);
  LLVMValueRef f = LLVMAddFunction(mod, name, ft);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(cx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(cx, f, ""));
  LLVMValueRef as = LLVMGetInlineAsm(ft, (char *)text, sizeof text - 1, (char *)"", 0, true, false,
                                     LLVMInlineAsmDialectATT, false);
  LLVMBuildCall2(b, ft, as, NULL, 0, "");
  LLVMBuildRetVoid(b);
  LLVMDisposeBuilder(b);
}

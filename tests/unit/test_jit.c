/* The baseline compiler (src/jit):
 *   jit_x64     every form of the encoder, disassembled by binutils' objdump and compared
 *               with the instruction it is meant to be (skipped, and said so, without objdump);
 *   jit_traps   the same trapping calls under the interpreter and the baseline tier: same
 *               trap kind, message and backtrace (functions, offsets, depths);
 *   jit_memory  compiled code lives in a mapping that is never writable and executable;
 *   jit_tierup  the auto tier: the same traps when the interpreter and compiled code share
 *               one stack (threshold 1: a function's first call is interpreted, the next
 *               ones compiled), promotions by calls and by a long loop (whose call goes on
 *               compiled: on-stack replacement, more in test_jit_osr.c), and threads of one
 *               module calling functions while they are being promoted. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jit/jit_int.h"
#include "jit_test.h"
#include "text/text.h"

/* ---------- encoder against objdump ---------- */

typedef struct enc_case {
  const char *want; /* objdump -M intel, spaces collapsed */
  size_t at;        /* where it starts in the buffer */
} enc_case;

static void collapse(char *s) {
  char *d = s;
  bool sp = false;
  for (char *p = s; *p; p++) {
    if (*p == ' ' || *p == '\t') {
      sp = true;
      continue;
    }
    if (sp && d != s) *d++ = ' ';
    sp = false;
    *d++ = *p;
  }
  *d = 0;
}

UNIT_GROUP(jit_x64) {
  if (system("objdump --version >/dev/null 2>&1") != 0) {
    printf("jit_x64: skipped: objdump (binutils) not found\n");
    return;
  }
  x64_buf b = {0};
  enc_case cases[160];
  size_t n = 0;
#define E(want_, stmt)                                                                   \
  do {                                                                                   \
    cases[n].at = b.len;                                                                 \
    cases[n++].want = want_;                                                             \
    stmt;                                                                                \
  } while (0)
  E("mov rax,rbx", x64_mov_rr(&b, true, X64_RAX, X64_RBX));
  E("mov r12d,eax", x64_mov_rr(&b, false, X64_R12, X64_RAX));
  E("mov ecx,0x5", x64_mov_ri(&b, false, X64_RCX, 5));
  E("mov rax,0xffffffffffffffff", x64_mov_ri(&b, true, X64_RAX, UINT64_MAX));
  E("movabs rdx,0x123456789", x64_mov_ri(&b, true, X64_RDX, 0x123456789ull));
  E("mov r9d,0x80000000", x64_mov_ri(&b, true, X64_R9, 0x80000000ull));
  E("xor r8d,r8d", x64_mov_ri(&b, false, X64_R8, 0));
  E("mov rax,QWORD PTR [rbx+0x10]", x64_mov_rm(&b, true, X64_RAX, X64_RBX, X64_NOREG, 1, 16));
  E("mov r13,QWORD PTR [rcx]", x64_mov_rm(&b, true, X64_R13, X64_RCX, X64_NOREG, 1, 0));
  E("mov eax,DWORD PTR [r12+0x8]", x64_mov_rm(&b, false, X64_RAX, X64_R12, X64_NOREG, 1, 8));
  E("mov rax,QWORD PTR [r13+0x0]", x64_mov_rm(&b, true, X64_RAX, X64_R13, X64_NOREG, 1, 0));
  E("mov rcx,QWORD PTR [rbx+0x1000]", x64_mov_rm(&b, true, X64_RCX, X64_RBX, X64_NOREG, 1, 0x1000));
  E("mov rdx,QWORD PTR [rsp+0x8]", x64_mov_rm(&b, true, X64_RDX, X64_RSP, X64_NOREG, 1, 8));
  E("mov rax,QWORD PTR [rcx+rdx*8+0x20]", x64_mov_rm(&b, true, X64_RAX, X64_RCX, X64_RDX, 8, 0x20));
  E("mov QWORD PTR [rbx-0x8],rax", x64_mov_mr(&b, true, X64_RBX, X64_NOREG, 1, -8, X64_RAX));
  E("mov DWORD PTR [rbp+0x0],r10d", x64_mov_mr(&b, false, X64_RBP, X64_NOREG, 1, 0, X64_R10));
  E("mov QWORD PTR [rbx+0x18],0xffffffffffffffff", x64_mov_mi(&b, true, X64_RBX, 24, -1));
  E("mov DWORD PTR [r12+0x4],0x7b", x64_mov_mi(&b, false, X64_R12, 4, 123));
  E("movzx eax,BYTE PTR [r13+rax*1+0x4]", x64_load(&b, X64_LD8U, X64_RAX, X64_R13, X64_RAX, 4));
  E("movsx eax,BYTE PTR [r13+rax*1+0x0]", x64_load(&b, X64_LD8S, X64_RAX, X64_R13, X64_RAX, 0));
  E("movzx eax,WORD PTR [r13+rax*1+0x2]", x64_load(&b, X64_LD16U, X64_RAX, X64_R13, X64_RAX, 2));
  E("movsx eax,WORD PTR [r13+rax*1+0x0]", x64_load(&b, X64_LD16S, X64_RAX, X64_R13, X64_RAX, 0));
  E("movsx rax,BYTE PTR [r13+rax*1+0x0]", x64_load(&b, X64_LD8S64, X64_RAX, X64_R13, X64_RAX, 0));
  E("movsx rax,WORD PTR [r13+rax*1+0x0]", x64_load(&b, X64_LD16S64, X64_RAX, X64_R13, X64_RAX, 0));
  E("movsxd rax,DWORD PTR [r13+rax*1+0x100]", x64_load(&b, X64_LD32S, X64_RAX, X64_R13, X64_RAX, 0x100));
  E("mov eax,DWORD PTR [r13+rax*1+0x0]", x64_load(&b, X64_LD32, X64_RAX, X64_R13, X64_RAX, 0));
  E("mov rax,QWORD PTR [r13+rax*1+0x0]", x64_load(&b, X64_LD64, X64_RAX, X64_R13, X64_RAX, 0));
  E("mov r8,QWORD PTR [rbx+r9*1+0x7fff0000]", x64_load(&b, X64_LD64, X64_R8, X64_RBX, X64_R9, 0x7fff0000));
  E("mov BYTE PTR [r13+rax*1+0x3],sil", x64_store(&b, 1, X64_R13, X64_RAX, 3, X64_RSI));
  E("mov BYTE PTR [r13+rax*1+0x0],dl", x64_store(&b, 1, X64_R13, X64_RAX, 0, X64_RDX));
  E("mov WORD PTR [r13+rax*1+0x0],dx", x64_store(&b, 2, X64_R13, X64_RAX, 0, X64_RDX));
  E("mov DWORD PTR [r13+rax*1+0x8],edx", x64_store(&b, 4, X64_R13, X64_RAX, 8, X64_RDX));
  E("mov QWORD PTR [rbx],r9", x64_store(&b, 8, X64_RBX, X64_NOREG, 0, X64_R9));
  E("lea rcx,[rax+0x7fff0008]", x64_lea(&b, true, X64_RCX, X64_RAX, X64_NOREG, 1, 0x7fff0008));
  E("lea rdi,[rbx+0x40]", x64_lea(&b, true, X64_RDI, X64_RBX, X64_NOREG, 1, 64));
  E("lea r9,[rbx+0x7fffffff]", x64_lea(&b, true, X64_R9, X64_RBX, X64_NOREG, 1, 0x7fffffff));
  E("movsxd rax,eax", x64_movsxd(&b, X64_RAX, X64_RAX));
  E("movzx eax,al", x64_movzx8(&b, X64_RAX, X64_RAX));
  E("movsx rax,ax", x64_movx(&b, true, true, 16, X64_RAX, X64_RAX));
  E("movsx eax,sil", x64_movx(&b, false, true, 8, X64_RAX, X64_RSI));
  E("add eax,ecx", x64_alu_rr(&b, X64_ADD, false, X64_RAX, X64_RCX));
  E("xor r8,r15", x64_alu_rr(&b, X64_XOR, true, X64_R8, X64_R15));
  E("sub rsp,0x8", x64_alu_ri(&b, X64_SUB, true, X64_RSP, 8));
  E("cmp eax,0x3e8", x64_alu_ri(&b, X64_CMP, false, X64_RAX, 1000));
  E("and rax,0xfffffffffffffffe", x64_alu_ri(&b, X64_AND, true, X64_RAX, -2));
  E("or ecx,0x80000000", x64_alu_ri(&b, X64_OR, false, X64_RCX, INT32_MIN));
  E("cmp rsp,QWORD PTR [r12+0x10]", x64_alu_rm(&b, X64_CMP, true, X64_RSP, X64_R12, 16));
  E("or eax,DWORD PTR [rbx+0x8]", x64_alu_rm(&b, X64_OR, false, X64_RAX, X64_RBX, 8));
  E("sub QWORD PTR [r14+0x40],0x1", x64_alu_mi(&b, X64_SUB, true, X64_R14, 0x40, 1));
  E("add DWORD PTR [r12+0x20],0x1", x64_alu_mi(&b, X64_ADD, false, X64_R12, 0x20, 1));
  E("cmp QWORD PTR [rbx+0x8],0x12345", x64_alu_mi(&b, X64_CMP, true, X64_RBX, 8, 0x12345));
  E("test edx,edx", x64_test_rr(&b, false, X64_RDX, X64_RDX));
  E("test r11,rax", x64_test_rr(&b, true, X64_R11, X64_RAX));
  E("imul rax,rcx", x64_imul_rr(&b, true, X64_RAX, X64_RCX));
  E("imul eax,eax,0xa", x64_imul_rri(&b, false, X64_RAX, X64_RAX, 10));
  E("imul rax,rax,0x186a0", x64_imul_rri(&b, true, X64_RAX, X64_RAX, 100000));
  E("idiv rcx", x64_unary(&b, X64_IDIV, true, X64_RCX));
  E("div ecx", x64_unary(&b, X64_DIV, false, X64_RCX));
  E("neg rax", x64_unary(&b, X64_NEG, true, X64_RAX));
  E("not r10d", x64_unary(&b, X64_NOT, false, X64_R10));
  E("sar eax,cl", x64_shift_cl(&b, X64_SAR, false, X64_RAX));
  E("shl r9,cl", x64_shift_cl(&b, X64_SHL, true, X64_R9));
  E("rol rax,0xd", x64_shift_ri(&b, X64_ROL, true, X64_RAX, 13));
  E("shr rax,0x10", x64_shift_ri(&b, X64_SHR, true, X64_RAX, 16));
  E("ror edx,0x1f", x64_shift_ri(&b, X64_ROR, false, X64_RDX, 31));
  E("cdq", x64_cdq(&b, false));
  E("cqo", x64_cdq(&b, true));
  E("popcnt rax,rax", x64_bitscan(&b, 0xb8, true, X64_RAX, X64_RAX));
  E("popcnt eax,ecx", x64_bitscan(&b, 0xb8, false, X64_RAX, X64_RCX));
  E("bsr eax,eax", x64_bsx(&b, 0xbd, false, X64_RAX, X64_RAX));
  E("bsf rax,rax", x64_bsx(&b, 0xbc, true, X64_RAX, X64_RAX));
  E("setl al", x64_setcc(&b, X64_CC_L, X64_RAX));
  E("seta sil", x64_setcc(&b, X64_CC_A, X64_RSI));
  E("setne r8b", x64_setcc(&b, X64_CC_NE, X64_R8));
  E("cmove rax,rcx", x64_cmov(&b, X64_CC_E, true, X64_RAX, X64_RCX));
  E("cmova eax,ecx", x64_cmov(&b, X64_CC_A, false, X64_RAX, X64_RCX));
  E("call rax", x64_call_r(&b, X64_RAX));
  E("call r11", x64_call_r(&b, X64_R11));
  E("jmp QWORD PTR [rcx+rax*8]", x64_jmp_m(&b, X64_RCX, X64_RAX, 0));
  E("push r15", x64_push(&b, X64_R15));
  E("push rbx", x64_push(&b, X64_RBX));
  E("pop rbp", x64_pop(&b, X64_RBP));
  E("pop r12", x64_pop(&b, X64_R12));
  E("ret", x64_ret(&b));
  E("ud2", x64_ud2(&b));
  E("movq xmm0,rax", x64_movq_xr(&b, 0, X64_RAX));
  E("movq xmm1,r9", x64_movq_xr(&b, 1, X64_R9));
  E("movq rax,xmm0", x64_movq_rx(&b, X64_RAX, 0));
  E("movq rsi,xmm1", x64_movq_rx(&b, X64_RSI, 1));
  E("addss xmm0,xmm1", x64_sse(&b, false, 0x58, 0, 1));
  E("addsd xmm0,xmm1", x64_sse(&b, true, 0x58, 0, 1));
  E("subss xmm0,xmm1", x64_sse(&b, false, 0x5c, 0, 1));
  E("mulsd xmm0,xmm1", x64_sse(&b, true, 0x59, 0, 1));
  E("divss xmm0,xmm1", x64_sse(&b, false, 0x5e, 0, 1));
  E("sqrtsd xmm0,xmm0", x64_sse(&b, true, 0x51, 0, 0));
  /* packed SSE (compile_simd.c) */
  E("movdqu xmm0,XMMWORD PTR [rbx+0x18]", x64_vop_rm(&b, 0xf3, 0x0f6f, 0, X64_RBX, X64_NOREG, 0x18));
  E("movdqu XMMWORD PTR [r13+rax*1+0x5],xmm14", x64_vop_rm(&b, 0xf3, 0x0f7f, 14, X64_R13, X64_RAX, 5));
  E("movdqa xmm11,xmm0", x64_vop_rr(&b, 0x66, 0x0f6f, 11, 0));
  E("paddb xmm0,xmm1", x64_vop_rr(&b, 0x66, 0x0ffc, 0, 1));
  E("pand xmm3,xmm13", x64_vop_rr(&b, 0x66, 0x0fdb, 3, 13));
  E("addps xmm0,xmm1", x64_vop_rr(&b, 0, 0x0f58, 0, 1));
  E("pmulld xmm0,xmm1", x64_vop_rr(&b, 0x66, 0x0f3840, 0, 1));
  E("pshufb xmm1,xmm2", x64_vop_rr(&b, 0x66, 0x0f3800, 1, 2));
  E("pmovsxbw xmm0,QWORD PTR [r13+rax*1+0x0]", x64_vop_rm(&b, 0x66, 0x0f3820, 0, X64_R13, X64_RAX, 0));
  E("movd xmm1,eax", x64_vop_rr(&b, 0x66, 0x0f6e, 1, X64_RAX));
  E("pmovmskb eax,xmm0", x64_vop_rr(&b, 0x66, 0x0fd7, X64_RAX, 0));
  E("movq QWORD PTR [rbx+0x8],xmm5", x64_vop_rm(&b, 0x66, 0x0fd6, 5, X64_RBX, X64_NOREG, 8));
  E("movhps QWORD PTR [rbx+0x10],xmm12", x64_vop_rm(&b, 0, 0x0f17, 12, X64_RBX, X64_NOREG, 0x10));
  E("movq xmm15,rax", x64_movq_xr(&b, 15, X64_RAX));
  E("jl 0x0", x64_jcc(&b, X64_CC_L, 0));
  E("jbe 0x0", x64_jcc(&b, X64_CC_BE, 0));
  E("jmp 0x0", x64_jmp(&b, 0));
  E("call 0x0", x64_call_rel(&b, 0));
#undef E
  if (!CHECK(!b.oom)) return;
  char path[] = "/tmp/weld-jit-XXXXXX";
  int fd = mkstemp(path);
  if (!CHECK(fd >= 0)) return;
  CHECK(write(fd, b.p, b.len) == (ssize_t)b.len);
  close(fd);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "objdump -D -b binary -m i386:x86-64 -M intel --no-show-raw-insn %s", path);
  FILE *p = popen(cmd, "r");
  if (!CHECK(p != NULL)) return;
  char line[512];
  size_t got = 0;
  while (fgets(line, sizeof line, p)) {
    /* "   1f:\tmov    rax,QWORD PTR [rbx+0x10]" */
    char *colon = strchr(line, ':');
    if (!colon || colon[1] != '\t') continue;
    char *end;
    unsigned long addr = strtoul(line, &end, 16);
    if (end != colon) continue;
    char *text = colon + 2;
    text[strcspn(text, "\n")] = 0;
    char *sym = strstr(text, " <");
    if (sym) *sym = 0;
    collapse(text);
    while (got < n && cases[got].at < addr) got++;
    if (got < n && cases[got].at == addr) {
      unit_check(strcmp(text, cases[got].want) == 0, __FILE__, __LINE__, "at 0x%lx: objdump says \"%s\", want \"%s\"",
                 addr, text, cases[got].want);
      got++;
    } else {
      unit_check(false, __FILE__, __LINE__, "objdump found an instruction at 0x%lx (\"%s\") no form starts at", addr,
                 text);
    }
  }
  pclose(p);
  unlink(path);
  CHECK_EQ_U64(got, n);
  x64_free(&b);
}

/* ---------- traps: interpreter and baseline agree ---------- */

static const char trap_wat[] =
    "(module\n"
    "  (import \"host\" \"fail\" (func $fail))\n"
    "  (type $ii (func (param i32) (result i32)))\n"
    "  (memory 1)\n"
    "  (table funcref (elem $inner $leaf $other $indrec))\n"
    "  (func $indrec (export \"indrec\") (param i32) (result i32)\n"
    "    (call_indirect (type $ii) (i32.add (local.get 0) (i32.const 1)) (i32.const 3)))\n"
    "  (func $other (result i32) (i32.const 3))\n"
    "  (func $leaf (param i32) (result i32) (i32.div_s (i32.const 7) (local.get 0)))\n"
    "  (func $inner (param i32) (result i32) (i32.add (i32.const 1) (call $leaf (local.get 0))))\n"
    "  (func (export \"div\") (param i32) (result i32) (call $inner (local.get 0)))\n"
    "  (func (export \"ovf\") (param i32) (result i32) (i32.div_s (i32.const 0x80000000) (local.get 0)))\n"
    "  (func (export \"load\") (param i32) (result i32) (i32.load offset=4 (local.get 0)))\n"
    "  (func (export \"store\") (param i32) (i64.store (local.get 0) (i64.const 1)))\n"
    "  (func (export \"unreach\") (param i32) (result i32) (block (br_if 0 (local.get 0)) (unreachable)) (i32.const 2))\n"
    "  (func $rec (export \"rec\") (param i32) (result i32) (call $rec (i32.add (local.get 0) (i32.const 1))))\n"
    "  (func (export \"ind\") (param i32) (result i32) (call_indirect (type $ii) (i32.const 0) (local.get 0)))\n"
    "  (func (export \"ind_type\") (param i32) (result i32) (call_indirect (type $ii) (local.get 0) (i32.const 2)))\n"
    "  (func (export \"host\") (param i32) (result i32) (call $fail) (local.get 0))\n"
    "  (func (export \"trunc\") (param i32) (result i32) (i32.trunc_f32_s (f32.div (f32.const 0) (f32.convert_i32_s (local.get 0)))))\n"
    "  (func (export \"spin\") (param i32) (result i32) (loop (br 0)) (i32.const 0))\n"
    "  (func (export \"count\") (param i32) (result i32) (local i32)\n"
    "    (block (loop (br_if 1 (i32.eqz (local.get 0)))\n"
    "      (local.set 1 (i32.add (local.get 1) (call $inner (local.get 0))))\n"
    "      (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br 0)))\n"
    "    (local.get 1))\n"
    ")\n";

static weld_trap *host_fail(weld_caller *c, void *env, const weld_val *args, weld_val *results) {
  (void)c, (void)env, (void)args, (void)results;
  return weld_trap_new("host says no");
}

typedef jit_run tier_run;

static uint32_t open_threshold = 1; /* for WELD_TIER_AUTO */
static uint64_t open_eager = 0;     /* for WELD_TIER_AUTO: 0, functions compiled one by one */

static bool tier_open(tier_run *t, weld_tier tier, weld_bounds_mode bounds, const uint8_t *bin, size_t len) {
  weld_config cfg;
  weld_config_default(&cfg);
  cfg.tier = tier;
  cfg.tier_up_threshold = open_threshold;
  cfg.tier_eager_bytes = open_eager;
  cfg.bounds = bounds;
  /* deep enough for the deep-stack backtrace checks; shallow enough that a recursion
   * through call_indirect (C frames between compiled ones) fits the native stack of a
   * sanitizer build too */
  cfg.max_call_depth = 2000;
  if (!jit_run_open(t, &cfg, bin, len)) return false;
  weld_valkind none[1];
  weld_func *fail = weld_func_new(t->s, none, 0, none, 0, host_fail, NULL, NULL);
  weld_import imp = {"host", "fail", {.kind = WELD_EXTERN_FUNC, .of.func = fail}};
  return jit_run_instantiate(t, &imp, 1);
}

static void tier_close(tier_run *t) { jit_run_close(t); }

static void same_trap(tier_run *a, tier_run *b, const char *name, int32_t arg, const char *want_msg) {
  weld_val args[1] = {WELD_I32_VAL(arg)}, res[1];
  weld_trap *ta = weld_func_call(weld_instance_func(a->i, name), args, 1, res, 1);
  weld_trap *tb = weld_func_call(weld_instance_func(b->i, name), args, 1, res, 1);
  if (!unit_check(ta && tb, __FILE__, __LINE__, "%s(%d) traps in both tiers", name, arg)) {
    if (ta) weld_trap_free(ta);
    if (tb) weld_trap_free(tb);
    return;
  }
  unit_check(strcmp(weld_trap_message(ta), want_msg) == 0, __FILE__, __LINE__, "%s: interpreter says \"%s\"", name,
             weld_trap_message(ta));
  unit_check(strcmp(weld_trap_message(ta), weld_trap_message(tb)) == 0, __FILE__, __LINE__,
             "%s: \"%s\" vs baseline \"%s\"", name, weld_trap_message(ta), weld_trap_message(tb));
  unit_check(weld_trap_get_kind(ta) == weld_trap_get_kind(tb), __FILE__, __LINE__, "%s: kinds", name);
  jit_same_frames(ta, tb, name, "baseline");
  const weld_frame *sa = weld_trap_skipped_func(ta), *sb = weld_trap_skipped_func(tb);
  unit_check((!sa && !sb) || (sa && sb && sa->func_index == sb->func_index && sa->depth == sb->depth), __FILE__,
             __LINE__, "%s: the skipped frames' function differs", name);
  weld_trap_free(ta);
  weld_trap_free(tb);
}

UNIT_GROUP(jit_traps) {
  if (!jit_available()) {
    printf("jit_traps: skipped: no baseline tier on this machine\n");
    return;
  }
  uint8_t *bin;
  size_t len;
  util_error uerr;
  util_error_clear(&uerr);
  if (!CHECK(text_wat_to_binary(trap_wat, sizeof trap_wat - 1, "traps", &bin, &len, &uerr))) return;
  tier_run a = {0}, b = {0}, x = {0};
  /* b relies on the guard region and the fault handler, x checks every access */
  if (tier_open(&a, WELD_TIER_INTERP, WELD_BOUNDS_GUARD, bin, len) &&
      tier_open(&b, WELD_TIER_BASELINE, WELD_BOUNDS_GUARD, bin, len) &&
      tier_open(&x, WELD_TIER_BASELINE, WELD_BOUNDS_EXPLICIT, bin, len)) {
    same_trap(&a, &x, "load", 65533, "out of bounds memory access");
    same_trap(&a, &x, "load", -1, "out of bounds memory access");
    same_trap(&a, &x, "store", 65529, "out of bounds memory access");
    same_trap(&a, &x, "div", 0, "integer divide by zero");
    weld_val arg[1] = {WELD_I32_VAL(65528)}, res[1]; /* offset=4: bytes 65532..65535 */
    weld_trap *ok = weld_func_call(weld_instance_func(b.i, "load"), arg, 1, res, 1);
    CHECK(ok == NULL); /* the last 4 bytes: in bounds */
    CHECK_EQ_I64(res[0].of.i32, 0);
    if (ok) weld_trap_free(ok);
    arg[0] = WELD_I32_VAL(65528);
    ok = weld_func_call(weld_instance_func(b.i, "store"), arg, 1, NULL, 0);
    CHECK(ok == NULL);
    if (ok) weld_trap_free(ok);
    weld_tier_stats ts;
    weld_module_tier_stats(b.m, &ts);
    CHECK_EQ_U64(ts.compiled, ts.functions); /* every function here is one the compiler handles */
    weld_module_tier_stats(a.m, &ts);
    CHECK_EQ_U64(ts.compiled, 0);
    same_trap(&a, &b, "div", 0, "integer divide by zero");
    same_trap(&a, &b, "ovf", -1, "integer overflow");
    same_trap(&a, &b, "load", 65533, "out of bounds memory access");
    same_trap(&a, &b, "load", -1, "out of bounds memory access");
    same_trap(&a, &b, "store", 65529, "out of bounds memory access");
    same_trap(&a, &b, "unreach", 0, "unreachable");
    same_trap(&a, &b, "rec", 0, "call stack exhausted");
    same_trap(&a, &b, "indrec", 0, "call stack exhausted");
    same_trap(&a, &b, "ind", 5, "undefined element");
    same_trap(&a, &b, "ind", 4, "undefined element");
    same_trap(&a, &b, "ind", 0, "integer divide by zero");
    same_trap(&a, &b, "ind_type", 0, "indirect call type mismatch");
    same_trap(&a, &b, "host", 1, "host says no");
    same_trap(&a, &b, "trunc", 0, "invalid conversion to integer");
    weld_store_set_fuel(a.s, 1000);
    weld_store_set_fuel(b.s, 1000);
    same_trap(&a, &b, "spin", 0, "out of fuel");
    CHECK_EQ_U64(weld_store_get_fuel(a.s), weld_store_get_fuel(b.s));
    /* fuel is spent alike: one unit per call and per loop iteration */
    weld_store_set_fuel(a.s, 100000);
    weld_store_set_fuel(b.s, 100000);
    weld_val ra[1], rb[1];
    arg[0] = WELD_I32_VAL(500);
    weld_trap *t1 = weld_func_call(weld_instance_func(a.i, "count"), arg, 1, ra, 1);
    weld_trap *t2 = weld_func_call(weld_instance_func(b.i, "count"), arg, 1, rb, 1);
    CHECK(!t1 && !t2);
    CHECK_EQ_I64(ra[0].of.i32, rb[0].of.i32);
    CHECK_EQ_U64(100000 - weld_store_get_fuel(a.s), 100000 - weld_store_get_fuel(b.s));
    CHECK(weld_store_get_fuel(b.s) < 100000 - 1500); /* 500 iterations, 1000 calls */
    if (t1) weld_trap_free(t1);
    if (t2) weld_trap_free(t2);
  }
  tier_close(&b);
  tier_close(&x);
  /* the auto tier with the module compiled whole when made (tier_eager_bytes): every
   * function machine code before the first call, the same traps (out-of-bounds accesses
   * through the fault handler and this code's own region), the same fuel */
  tier_run w = {0};
  open_eager = 1u << 20;
  if (a.i && tier_open(&w, WELD_TIER_AUTO, WELD_BOUNDS_GUARD, bin, len)) {
    weld_tier_stats ts;
    weld_module_tier_stats(w.m, &ts);
    CHECK_EQ_U64(ts.tier, WELD_TIER_AUTO);
    CHECK_EQ_U64(ts.compiled, ts.functions);
    CHECK_EQ_U64(ts.compiled_ahead, ts.functions);
    CHECK_EQ_U64(ts.fell_back, 0);
    const char *names[] = {"div", "ovf", "load", "load", "store", "unreach", "rec", "indrec", "ind", "ind",
                           "ind_type", "host", "trunc"};
    const int32_t args[] = {0, -1, 65533, -1, 65529, 0, 0, 0, 5, 0, 0, 1, 0};
    const char *msgs[] = {"integer divide by zero", "integer overflow", "out of bounds memory access",
                          "out of bounds memory access", "out of bounds memory access", "unreachable",
                          "call stack exhausted", "call stack exhausted", "undefined element",
                          "integer divide by zero", "indirect call type mismatch", "host says no",
                          "invalid conversion to integer"};
    for (size_t q = 0; q < sizeof args / sizeof args[0]; q++) same_trap(&a, &w, names[q], args[q], msgs[q]);
    weld_store_set_fuel(a.s, 100000);
    weld_store_set_fuel(w.s, 100000);
    weld_val arg[1] = {WELD_I32_VAL(500)}, ra[1], rw[1];
    weld_trap *t1 = weld_func_call(weld_instance_func(a.i, "count"), arg, 1, ra, 1);
    weld_trap *t2 = weld_func_call(weld_instance_func(w.i, "count"), arg, 1, rw, 1);
    CHECK(!t1 && !t2);
    CHECK_EQ_I64(ra[0].of.i32, rw[0].of.i32);
    CHECK_EQ_U64(weld_store_get_fuel(a.s), weld_store_get_fuel(w.s));
    if (t1) weld_trap_free(t1);
    if (t2) weld_trap_free(t2);
    weld_module_tier_stats(w.m, &ts);
    CHECK_EQ_U64(ts.compiled_ahead, ts.functions); /* nothing compiled again */
  }
  open_eager = 0;
  tier_close(&w);
  tier_close(&a);
  free(bin);
}

/* ---------- code memory ---------- */

UNIT_GROUP(jit_memory) {
  size_t mapped = 0;
  uint8_t *p = jit_code_map(100, &mapped);
  if (!CHECK(p != NULL)) return;
  CHECK(mapped >= 100);
  p[0] = 0xc3; /* ret */
  CHECK(jit_code_seal(p, mapped));
  /* the mapping is now r-x: find it in /proc/self/maps */
  FILE *f = fopen("/proc/self/maps", "r");
  bool found = false;
  if (f) {
    char line[512];
    while (fgets(line, sizeof line, f)) {
      unsigned long lo, hi;
      char perms[8];
      if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3) continue;
      if ((uintptr_t)p >= lo && (uintptr_t)p < hi) {
        found = true;
        unit_check(strncmp(perms, "r-x", 3) == 0, __FILE__, __LINE__, "sealed code is %s, want r-x", perms);
      }
    }
    fclose(f);
  }
  CHECK(found);
  ((void (*)(void))(void *)p)();
  jit_code_unmap(p, mapped);
}

/* ---------- the auto tier ---------- */

static const char tierup_wat[] =
    "(module\n"
    "  (func $fib (export \"fib\") (param i32) (result i32)\n"
    "    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))\n"
    "      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))\n"
    "                     (call $odd (i32.sub (local.get 0) (i32.const 2)))))))\n"
    /* $odd throws a v128 payload (never), so it stays interpreted: fib's stack
     * alternates tiers */
    "  (tag $ev (param v128))\n"
    "  (func $odd (param i32) (result i32)\n"
    "    (if (i32.const 0) (then (throw $ev (v128.const i64x2 0 0))))\n"
    "    (call $fib (local.get 0)))\n"
    "  (func (export \"loop\") (param i32) (result i32) (local i32)\n"
    "    (block (loop (br_if 1 (i32.eqz (local.get 0)))\n"
    "      (local.set 1 (i32.add (local.get 1) (local.get 0)))\n"
    "      (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br 0)))\n"
    "    (local.get 1))\n"
    ")\n";

typedef struct tier_thread {
  weld_engine *e;
  weld_module *m;
  int bad;
} tier_thread;

static void *tier_worker(void *p) {
  tier_thread *t = p;
  weld_store *s = weld_store_new(t->e);
  weld_error *err = NULL;
  weld_trap *trap = NULL;
  weld_instance *in = s ? weld_instance_new(s, t->m, NULL, 0, &trap, &err) : NULL;
  if (!in) {
    t->bad++;
    weld_error_free(err);
    weld_store_free(s);
    return NULL;
  }
  static const int32_t fibs[] = {0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610};
  for (int r = 0; r < 300; r++) {
    int32_t n = r % 16;
    weld_val a[1] = {WELD_I32_VAL(n)}, res[1];
    weld_trap *tr = weld_func_call(weld_instance_func(in, "fib"), a, 1, res, 1);
    if (tr || res[0].of.i32 != fibs[n]) t->bad++;
    if (tr) weld_trap_free(tr);
  }
  weld_store_free(s);
  return NULL;
}

UNIT_GROUP(jit_tierup) {
  if (!jit_available()) {
    printf("jit_tierup: skipped: no baseline tier on this machine\n");
    return;
  }
  uint8_t *bin;
  size_t len;
  util_error uerr;
  util_error_clear(&uerr);
  if (!CHECK(text_wat_to_binary(trap_wat, sizeof trap_wat - 1, "traps", &bin, &len, &uerr))) return;
  /* the same traps with both tiers in one stack: each call twice, so the first runs the
   * exported function interpreted and its callees compiled, the second all compiled */
  tier_run a = {0}, t = {0};
  open_threshold = 1;
  if (tier_open(&a, WELD_TIER_INTERP, WELD_BOUNDS_GUARD, bin, len) &&
      tier_open(&t, WELD_TIER_AUTO, WELD_BOUNDS_GUARD, bin, len)) {
    for (int round = 0; round < 3; round++) {
      same_trap(&a, &t, "div", 0, "integer divide by zero");
      same_trap(&a, &t, "ovf", -1, "integer overflow");
      same_trap(&a, &t, "load", 65533, "out of bounds memory access");
      same_trap(&a, &t, "store", 65529, "out of bounds memory access");
      same_trap(&a, &t, "unreach", 0, "unreachable");
      same_trap(&a, &t, "rec", 0, "call stack exhausted");
      same_trap(&a, &t, "indrec", 0, "call stack exhausted");
      same_trap(&a, &t, "ind", 0, "integer divide by zero");
      same_trap(&a, &t, "ind_type", 0, "indirect call type mismatch");
      same_trap(&a, &t, "host", 1, "host says no");
      same_trap(&a, &t, "trunc", 0, "invalid conversion to integer");
    }
    weld_tier_stats ts;
    weld_module_tier_stats(t.m, &ts);
    CHECK_EQ_U64(ts.tier, WELD_TIER_AUTO);
    CHECK(ts.compiled >= 10 && ts.fell_back == 0);
    weld_store_set_fuel(a.s, 100000);
    weld_store_set_fuel(t.s, 100000);
    for (int round = 0; round < 2; round++) {
      weld_val ra[1], rb[1], arg[1] = {WELD_I32_VAL(300)};
      weld_trap *t1 = weld_func_call(weld_instance_func(a.i, "count"), arg, 1, ra, 1);
      weld_trap *t2 = weld_func_call(weld_instance_func(t.i, "count"), arg, 1, rb, 1);
      CHECK(!t1 && !t2);
      CHECK_EQ_I64(ra[0].of.i32, rb[0].of.i32);
      /* fuel is spent alike whichever tier runs */
      CHECK_EQ_U64(weld_store_get_fuel(a.s), weld_store_get_fuel(t.s));
      if (t1) weld_trap_free(t1);
      if (t2) weld_trap_free(t2);
    }
  }
  tier_close(&a);
  tier_close(&t);
  free(bin);

  if (!CHECK(text_wat_to_binary(tierup_wat, sizeof tierup_wat - 1, "tierup", &bin, &len, &uerr))) return;
  /* a long loop makes its function hot: the next call runs compiled */
  weld_config cfg;
  weld_config_default(&cfg);
  cfg.tier = WELD_TIER_AUTO;
  cfg.tier_up_threshold = 1000000;
  cfg.tier_eager_bytes = 0; /* one by one, as they get hot */
  weld_engine *e = weld_engine_new(&cfg);
  weld_error *err = NULL;
  weld_module *m = e ? weld_module_new(e, bin, len, &err) : NULL;
  if (CHECK(m != NULL)) {
    weld_store *s = weld_store_new(e);
    weld_trap *trap = NULL;
    weld_instance *in = weld_instance_new(s, m, NULL, 0, &trap, &err);
    if (CHECK(in != NULL)) {
      weld_val a[1] = {WELD_I32_VAL(1000000)}, res[1];
      weld_tier_stats ts;
      weld_trap *tr = weld_func_call(weld_instance_func(in, "loop"), a, 1, res, 1);
      CHECK(tr == NULL);
      CHECK_EQ_I64(res[0].of.i32, (int32_t)(uint32_t)(1000000ull * 1000001ull / 2));
      weld_module_tier_stats(m, &ts);
      /* the running call went on compiled from the loop (on-stack replacement) */
      CHECK_EQ_U64(ts.compiled, 1);
      CHECK_EQ_U64(ts.osr_entered, 1);
      tr = weld_func_call(weld_instance_func(in, "loop"), a, 1, res, 1);
      CHECK(tr == NULL);
      CHECK_EQ_I64(res[0].of.i32, (int32_t)(uint32_t)(1000000ull * 1000001ull / 2));
      weld_module_tier_stats(m, &ts);
      CHECK_EQ_U64(ts.compiled, 1);
      CHECK_EQ_U64(ts.promoted_by_loop, 1);
      CHECK_EQ_U64(ts.osr_entered, 1); /* the second call entered compiled */
      CHECK(weld_module_func_fallback(m, 1) == NULL);
    }
    weld_store_free(s);
    weld_module_free(m);
  }
  weld_error_free(err);
  weld_engine_free(e);

  /* threads with stores of their own share one module while its functions are promoted */
  cfg.tier_up_threshold = 20;
  e = weld_engine_new(&cfg);
  m = e ? weld_module_new(e, bin, len, &err) : NULL;
  if (CHECK(m != NULL)) {
    tier_thread th[4];
    pthread_t tid[4];
    for (int i = 0; i < 4; i++) th[i] = (tier_thread){e, m, 0};
    for (int i = 0; i < 4; i++) CHECK(pthread_create(&tid[i], NULL, tier_worker, &th[i]) == 0);
    for (int i = 0; i < 4; i++) {
      pthread_join(tid[i], NULL);
      CHECK_EQ_I64(th[i].bad, 0);
    }
    weld_tier_stats ts;
    weld_module_tier_stats(m, &ts);
    CHECK_EQ_U64(ts.compiled, 1);  /* fib; $odd uses a GC instruction */
    CHECK_EQ_U64(ts.fell_back, 1);
    const char *why = weld_module_func_fallback(m, 1);
    CHECK(why && strstr(why, "not supported") != NULL);
    weld_module_free(m);
  }
  weld_error_free(err);
  weld_engine_free(e);

  /* compiled whole when made: fib and loop ahead, $odd (a v128 payload) left to the
   * interpreter with its reason, calls between fib and $odd crossing tiers; a module larger than tier_eager_bytes starts on the counting path */
  for (int big = 0; big < 2; big++) {
    cfg.tier_up_threshold = 1000000;
    cfg.tier_eager_bytes = big ? 1 : 1u << 20;
    e = weld_engine_new(&cfg);
    m = e ? weld_module_new(e, bin, len, &err) : NULL;
    if (CHECK(m != NULL)) {
      weld_tier_stats ts;
      weld_module_tier_stats(m, &ts);
      CHECK_EQ_U64(ts.compiled, (big ? 0 : 2));
      CHECK_EQ_U64(ts.compiled_ahead, (big ? 0 : 2));
      CHECK_EQ_U64(ts.fell_back, (big ? 0 : 1));
      const char *why = weld_module_func_fallback(m, 1);
      CHECK(big ? why == NULL : why && strstr(why, "not supported") != NULL);
      tier_thread th = {e, m, 0};
      tier_worker(&th);
      CHECK_EQ_I64(th.bad, 0);
      weld_module_tier_stats(m, &ts);
      CHECK_EQ_U64(ts.compiled_ahead, (big ? 0 : 2));
      weld_module_free(m);
    }
    weld_error_free(err);
    weld_engine_free(e);
  }
  free(bin);
}

/* ---------- naming code for gdb (announce.c) ---------- */

/* The GDB JIT interface's list, as the debugger reads it. */
struct gdb_entry {
  struct gdb_entry *next, *prev;
  const char *file;
  uint64_t size;
};
struct gdb_descriptor {
  uint32_t version, action;
  struct gdb_entry *relevant, *first;
};
extern struct gdb_descriptor __jit_debug_descriptor;

/* With WELD_GDB_JIT=1 a baseline module adds one symbol file to the list; binutils'
 * readelf (an independent ELF reader) finds a function symbol per compiled function, at an
 * address inside the module's code; freeing the module takes the entry out. Without the
 * variable nothing is added. */
UNIT_GROUP(jit_gdb) {
  static const char wat[] = "(module (func $alpha (export \"a\") (result i32) (i32.const 1))\n"
                            "  (func $beta (export \"b\") (result i32) (i32.add (call $alpha) (i32.const 2))))";
  uint8_t *bin = NULL;
  size_t len = 0;
  util_error uerr;
  util_error_clear(&uerr);
  if (!CHECK(text_wat_to_binary(wat, sizeof wat - 1, "gdb", &bin, &len, &uerr))) return;
  struct gdb_entry *before = __jit_debug_descriptor.first;
  CHECK_EQ_I64(__jit_debug_descriptor.version, 1);
  jit_run t = {0};
  setenv("WELD_GDB_JIT", "0", 1);
  if (jit_run_open_tier(&t, WELD_TIER_BASELINE, WELD_BOUNDS_GUARD, bin, len)) CHECK(__jit_debug_descriptor.first == before);
  jit_run_close(&t);
  memset(&t, 0, sizeof t);
  setenv("WELD_GDB_JIT", "1", 1);
  bool opened = jit_run_open_tier(&t, WELD_TIER_BASELINE, WELD_BOUNDS_GUARD, bin, len);
  unsetenv("WELD_GDB_JIT");
  struct gdb_entry *e = __jit_debug_descriptor.first;
  if (opened && CHECK(e != NULL && e != before)) {
    CHECK(e->next == before);
    CHECK_EQ_I64(__jit_debug_descriptor.action, 1); /* JIT_REGISTER_FN */
    CHECK(__jit_debug_descriptor.relevant == e);
    CHECK(e->size > 64 && memcmp(e->file, "\177ELF", 4) == 0);
    char path[] = "/tmp/weld-gdbjit-XXXXXX";
    int fd = mkstemp(path);
    if (CHECK(fd >= 0)) {
      CHECK(write(fd, e->file, e->size) == (ssize_t)e->size);
      close(fd);
      char cmd[128], line[256];
      snprintf(cmd, sizeof cmd, "readelf -sW %s 2>&1", path);
      FILE *p = popen(cmd, "r");
      int found = 0;
      const jit_module *jm = (const jit_module *)((const exec_module *)(const void *)t.m)->jit; /* a weld_module is its exec_module */
      while (p && fgets(line, sizeof line, p)) {
        unsigned long long value, size;
        char type[16], bind[16], name[64];
        if (sscanf(line, " %*d: %llx %llu %15s %15s %*s %*s %63s", &value, &size, type, bind, name) != 5) continue;
        if (strcmp(type, "FUNC") != 0 || strcmp(bind, "GLOBAL") != 0) continue;
        bool inside = value >= (uintptr_t)jm->code && value + size <= (uintptr_t)jm->code + jm->code_len && size > 0;
        if ((strcmp(name, "wasm:alpha") == 0 || strcmp(name, "wasm:beta") == 0) && inside) found++;
        else unit_check(false, __FILE__, __LINE__, "unexpected symbol: %s", line);
      }
      if (p) pclose(p);
      unit_check(found == 2, __FILE__, __LINE__, "readelf found %d of the 2 functions", found);
      unlink(path);
    }
  }
  jit_run_close(&t);
  CHECK(__jit_debug_descriptor.first == before);
  CHECK_EQ_I64(__jit_debug_descriptor.action, 2); /* JIT_UNREGISTER_FN */
  free(bin);
}

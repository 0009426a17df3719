#include <pthread.h>

#include "opcodes.h"

#define WASM_SIG___ 0
#define SIGV(t) WASM_SIG_##t
#define NP(a, b, c) ((SIGV(a) != 0 && SIGV(a) != 0xff) + (SIGV(b) != 0) + (SIGV(c) != 0))

const wasm_opinfo wasm_opinfo_table[WASM_OP_COUNT] = {
#define OP(id, nm, pfx, cd, im, ag, p0, p1, p2, r)                                        \
  [WASM_OP_##id] = {.name = nm,                                                           \
                    .prefix = pfx,                                                        \
                    .code = cd,                                                           \
                    .imm = WASM_IMM_##im,                                                 \
                    .arg = ag,                                                            \
                    .params = {SIGV(p0) == 0xff ? 0 : SIGV(p0), SIGV(p1), SIGV(p2)},      \
                    .nparams = NP(p0, p1, p2),                                            \
                    .result = SIGV(r),                                                    \
                    .special = SIGV(p0) == 0xff},
#include "opcodes.def"
#undef OP
};

/* Dense lookup tables built on first use; the opcode spaces are small. */
static int16_t single[256], fb[32], fc[32], fd[0x120], fe[0x50]; /* 0xFD: SIMD, then relaxed SIMD from 0x100 */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void) {
  for (int i = 0; i < 256; i++) single[i] = -1;
  for (int i = 0; i < 0x120; i++) fd[i] = -1;
  for (int i = 0; i < 32; i++) fb[i] = fc[i] = -1;
  for (int i = 0; i < 0x50; i++) fe[i] = -1;
  for (int op = 0; op < WASM_OP_COUNT; op++) {
    const wasm_opinfo *o = &wasm_opinfo_table[op];
    if (o->prefix == 0) single[o->code] = (int16_t)op;
    else if (o->prefix == 0xfb) fb[o->code] = (int16_t)op;
    else if (o->prefix == 0xfc) fc[o->code] = (int16_t)op;
    else if (o->prefix == 0xfd) fd[o->code] = (int16_t)op;
    else fe[o->code] = (int16_t)op;
  }
}

int wasm_opcode_lookup(uint8_t prefix, uint32_t code) {
  pthread_once(&once, build);
  switch (prefix) {
  case 0: return code < 256 ? single[code] : -1;
  case 0xfb: return code < 32 ? fb[code] : -1;
  case 0xfc: return code < 32 ? fc[code] : -1;
  case 0xfd: return code < 0x120 ? fd[code] : -1;
  case 0xfe: return code < 0x50 ? fe[code] : -1;
  default: return -1;
  }
}

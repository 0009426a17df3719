#include <stddef.h>

#include "opcodes.h"

#define WASM_SIG___ 0
#define SIGV(t) WASM_SIG_##t
#define NP(a, b, c) ((SIGV(a) != 0 && SIGV(a) != 0xff) + (SIGV(b) != 0) + (SIGV(c) != 0))

/* Every name, one after the other with its NUL, as the fields of one struct: a name's
 * offset is its field's. */
typedef struct opnames {
#define OP(id, nm, pfx, cd, im, ag, p0, p1, p2, r) char id[sizeof nm];
#include "opcodes.def"
#undef OP
} opnames;
static const opnames names = {
#define OP(id, nm, pfx, cd, im, ag, p0, p1, p2, r) nm,
#include "opcodes.def"
#undef OP
};
_Static_assert(sizeof(opnames) <= 65535, "instruction names must fit 16-bit offsets");

const char *wasm_op_name(unsigned op) { return (const char *)&names + wasm_opinfo_table[op].name_off; }

const wasm_opinfo wasm_opinfo_table[WASM_OP_COUNT] = {
#define OP(id, nm, pfx, cd, im, ag, p0, p1, p2, r)                                        \
  [WASM_OP_##id] = {.name_off = offsetof(opnames, id),                                    \
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

/* Every encoding's entry at WASM_OPCODE_SLOT(prefix) * WASM_OPCODE_STRIDE + code, built
 * by the compiler from opcodes.def (no start-up work, no lock on the readers' path); two
 * instructions with one encoding would be one index given twice, which -Woverride-init
 * (-Wextra) refuses. */
#define GATED(id)                                                                                   \
  (WASM_OP_##id == WASM_OP_CALL_REF || WASM_OP_##id == WASM_OP_RETURN_CALL_REF ||                   \
   WASM_OP_##id == WASM_OP_REF_AS_NON_NULL || WASM_OP_##id == WASM_OP_BR_ON_NULL ||                 \
   WASM_OP_##id == WASM_OP_BR_ON_NON_NULL || WASM_OP_##id == WASM_OP_REF_EQ)
const wasm_opcode_entry wasm_opcode_index[WASM_OPCODE_SLOTS * WASM_OPCODE_STRIDE] = {
#define OP(id, nm, pfx, cd, im, ag, p0, p1, p2, r)                                        \
  [WASM_OPCODE_SLOT(pfx) * WASM_OPCODE_STRIDE + (cd)] = {                                  \
      .op1 = WASM_OP_##id + 1, .imm = WASM_IMM_##im, .gated = (pfx) == 0 && GATED(id)},
#include "opcodes.def"
#undef OP
};

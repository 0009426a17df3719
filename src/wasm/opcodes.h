/* Internal opcode numbering and per-instruction facts, generated from opcodes.def. */
#ifndef WELD_WASM_OPCODES_H
#define WELD_WASM_OPCODES_H

#include <stdint.h>

typedef enum {
#define OP(id, name, pfx, code, imm, arg, p0, p1, p2, r) WASM_OP_##id,
#include "opcodes.def"
#undef OP
  WASM_OP_COUNT
} wasm_opcode;

/* Immediate kinds (the IMM column). */
typedef enum {
  WASM_IMM_NONE,
  WASM_IMM_BLOCKTYPE,     /* s33 block type */
  WASM_IMM_LABEL,         /* u32 label depth */
  WASM_IMM_BR_TABLE,      /* vec(u32) + default */
  WASM_IMM_FUNC,          /* u32 function index */
  WASM_IMM_CALL_INDIRECT, /* u32 type index, u32 table index */
  WASM_IMM_SELECT_T,      /* vec(valtype) */
  WASM_IMM_LOCAL,
  WASM_IMM_GLOBAL,
  WASM_IMM_TABLE,         /* u32 table index */
  WASM_IMM_MEM,           /* memarg: u32 align, u32 offset */
  WASM_IMM_MEMLANE,       /* memarg + lane byte */
  WASM_IMM_MEMIDX,        /* memory index (a zero byte in 2.0) */
  WASM_IMM_I32C,
  WASM_IMM_I64C,
  WASM_IMM_F32C,
  WASM_IMM_F64C,
  WASM_IMM_V128C,
  WASM_IMM_SHUFFLE,       /* 16 lane bytes */
  WASM_IMM_LANE,          /* one lane byte */
  WASM_IMM_REFTYPE,
  WASM_IMM_MEMINIT,       /* u32 data index, memory index */
  WASM_IMM_DATAIDX,
  WASM_IMM_MEMCOPY,       /* two memory indices */
  WASM_IMM_TABLEINIT,     /* u32 elem index, u32 table index */
  WASM_IMM_ELEMIDX,
  WASM_IMM_TABLECOPY,     /* u32 dst table, u32 src table */
  WASM_IMM_TYPE,          /* u32 type index (call_ref, return_call_ref) */
  WASM_IMM_TAG,           /* u32 tag index */
  WASM_IMM_TRY_TABLE,     /* block type, vec(catch clause) */
  /* GC (3.0); the first index is in `idx`, the second in `idx2` */
  WASM_IMM_TYPE_FIELD,    /* u32 type index, u32 field index (struct.get/set) */
  WASM_IMM_TYPE_FIXED,    /* u32 type index, u32 element count (array.new_fixed) */
  WASM_IMM_TYPE_DATA,     /* u32 type index, u32 data index */
  WASM_IMM_TYPE_ELEM,     /* u32 type index, u32 element segment index */
  WASM_IMM_TYPE_TYPE,     /* u32 destination type index, u32 source type index (array.copy) */
  WASM_IMM_HEAPTYPE,      /* heap type; `reftype` = (ref null? ht), nullable when ARG is 1 */
  WASM_IMM_BR_ON_CAST,    /* flags byte, u32 label, two heap types: `idx` the label,
                             `reftype` the source type, `reftype2` the target type */
  WASM_IMM_FENCE,         /* atomic.fence: one zero byte (threads) */
} wasm_imm_kind;

/* Operand type codes of the P0..R columns. */
enum {
  WASM_SIG___ = 0, /* none */
  WASM_SIG_XX = 0xff, /* typed by hand */
  WASM_SIG_I32 = 0x7f,
  WASM_SIG_I64 = 0x7e,
  WASM_SIG_F32 = 0x7d,
  WASM_SIG_F64 = 0x7c,
  WASM_SIG_V128 = 0x7b,
  WASM_SIG_EQREF = 0x6d,    /* (ref null eq) */
  WASM_SIG_I31REF = 0x6c,   /* (ref null i31) */
  WASM_SIG_ARRAYREF = 0x6a, /* (ref null array) */
};

/* No pointers in it: the table is plain read-only data, which the dynamic loader of a
 * position-independent weld does not have to relocate (and so copy) at every start; the
 * name is an offset into one string of all the names (wasm_op_name). */
typedef struct wasm_opinfo {
  uint32_t code;
  uint16_t name_off; /* wasm_op_name */
  uint16_t arg;      /* see opcodes.def */
  uint8_t prefix;    /* 0, 0xfb, 0xfc, 0xfd, 0xfe */
  uint8_t imm;       /* wasm_imm_kind */
  uint8_t params[3];
  uint8_t nparams;
  uint8_t result;    /* 0 = none */
  uint8_t special;   /* typed by hand */
} wasm_opinfo;

extern const wasm_opinfo wasm_opinfo_table[WASM_OP_COUNT];
/* The instruction's text name ("i32.add"). */
const char *wasm_op_name(unsigned op);

/* An atomic memory access of the threads proposal (0xFE, with a memarg): its alignment
 * must be the natural one, and a misaligned effective address traps. */
static inline int wasm_op_is_atomic(unsigned op) {
  return wasm_opinfo_table[op].prefix == 0xfe && wasm_opinfo_table[op].imm == WASM_IMM_MEM;
}

/* The encodings, for wasm_opcode_lookup and the instruction reader's inline path
 * (instr.h): one entry per (prefix, code), at WASM_OPCODE_SLOT(prefix) *
 * WASM_OPCODE_STRIDE + code, so the one-byte opcodes are the first 256. */
typedef struct wasm_opcode_entry {
  uint16_t op1;   /* the internal opcode + 1; 0: no such instruction */
  uint8_t imm;    /* its wasm_imm_kind */
  uint8_t gated;  /* a one-byte opcode that only the typed-references or GC feature allows */
} wasm_opcode_entry;
#define WASM_OPCODE_STRIDE 0x200 /* above every sub-opcode (0xFD's reach 0x113) */
#define WASM_OPCODE_SLOTS 5      /* no prefix, 0xFB, 0xFC, 0xFD, 0xFE */
#define WASM_OPCODE_SLOT(prefix) ((prefix) == 0 ? 0 : (prefix) - 0xfa)
extern const wasm_opcode_entry wasm_opcode_index[WASM_OPCODE_SLOTS * WASM_OPCODE_STRIDE];

/* Maps an encoding to the internal opcode; returns -1 for an unknown opcode. */
static inline int wasm_opcode_lookup(uint8_t prefix, uint32_t code) {
  if ((prefix != 0 && (prefix < 0xfb || prefix > 0xfe)) || code >= WASM_OPCODE_STRIDE) return -1;
  return (int)wasm_opcode_index[WASM_OPCODE_SLOT(prefix) * WASM_OPCODE_STRIDE + code].op1 - 1;
}

#endif

/* Names for the addresses compiled code calls: an image stores names, its loader puts
 * this process's addresses in their place. The runtime helpers of rt*.c by their C names,
 * the float helpers by opcode (`weld_float_N`), and the C library functions LLVM's code
 * generator may call on its own (memcpy, libm's rounding). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../exec/simd.h"
#include "util/libm.h"
#include "image.h"
#include "jit_int.h"

typedef struct sym {
  const char *name;
  const void *addr;
} sym;

#define S(f) {#f, (const void *)f}
static const sym syms[] = {
    S(jit_rt_trap), S(jit_rt_trap_access), S(jit_rt_unwind), S(jit_rt_stack_trap), S(jit_rt_interrupt),
    S(jit_rt_call_defined), S(jit_rt_call_import), S(jit_rt_call_indirect), S(jit_rt_tail_func),
    S(jit_rt_tail_indirect), S(jit_rt_tail_ref), S(jit_rt_tail_run), S(jit_rt_call_ref),
    S(jit_rt_memory_grow), S(jit_rt_memory_fill), S(jit_rt_memory_copy), S(jit_rt_memory_init),
    S(jit_rt_data_drop), S(jit_rt_elem_drop), S(jit_rt_ref_func), S(jit_rt_table_get),
    S(jit_rt_table_set), S(jit_rt_table_size), S(jit_rt_table_grow), S(jit_rt_table_fill),
    S(jit_rt_table_copy), S(jit_rt_table_init), S(jit_rt_memory_grow_at),
    S(jit_rt_throw), S(jit_rt_throw_ref), S(jit_rt_catch),
    S(jit_rt_struct_new), S(jit_rt_struct_new_default), S(jit_rt_struct_get), S(jit_rt_struct_set),
    S(jit_rt_array_new), S(jit_rt_array_new_default), S(jit_rt_array_new_fixed), S(jit_rt_array_new_data),
    S(jit_rt_array_new_elem), S(jit_rt_array_get), S(jit_rt_array_set), S(jit_rt_array_len),
    S(jit_rt_array_fill), S(jit_rt_array_copy), S(jit_rt_array_init_data), S(jit_rt_array_init_elem),
    S(jit_rt_ref_test), S(jit_rt_ref_cast), S(jit_rt_atomic), S(jit_rt_atomic_fence),
    /* what LLVM may call by itself: these, and libm's rounding and the like, which are
     * looked up in libm when first named (src/util/libm.h: weld does not link libm) */
    S(memcpy), S(memmove), S(memset),
};
#undef S
#define NSYMS (sizeof syms / sizeof syms[0])

bool jit_sym_name(const void *addr, char *buf, size_t n) {
  for (size_t i = 0; i < NSYMS; i++)
    if (syms[i].addr == addr) {
      snprintf(buf, n, "%s", syms[i].name);
      return true;
    }
  const char *lm = util_libm_name(addr);
  if (lm) {
    snprintf(buf, n, "%s", lm);
    return true;
  }
  for (unsigned op = 0; op < WASM_OP_COUNT; op++) {
    int shape;
    if (jit_float_helper((uint16_t)op, &shape) == addr) {
      snprintf(buf, n, "weld_float_%u", op);
      return true;
    }
  }
  /* the SIMD library's functions by opcode: the loading process's own choice for it */
  for (unsigned op = EXEC_SIMD_FIRST; op < EXEC_SIMD_FIRST + EXEC_SIMD_NOPS; op++) {
    const exec_simd_entry *e = exec_simd_op((wasm_opcode)op);
    if (e && e->fn.any && (const void *)e->fn.any == addr) {
      snprintf(buf, n, "weld_simd_%u", op);
      return true;
    }
  }
  return false;
}

const void *jit_sym_addr(const char *name) {
  for (size_t i = 0; i < NSYMS; i++)
    if (strcmp(syms[i].name, name) == 0) return syms[i].addr;
  const void *lm = util_libm_addr(name);
  if (lm) return lm;
  if (strncmp(name, "weld_float_", 11) == 0) {
    char *end;
    unsigned long op = strtoul(name + 11, &end, 10);
    int shape;
    if (*end || end == name + 11 || op >= WASM_OP_COUNT) return NULL;
    return jit_float_helper((uint16_t)op, &shape);
  }
  if (strncmp(name, "weld_simd_", 10) == 0) {
    char *end;
    unsigned long op = strtoul(name + 10, &end, 10);
    if (*end || end == name + 10 || op < EXEC_SIMD_FIRST || op >= EXEC_SIMD_FIRST + EXEC_SIMD_NOPS) return NULL;
    const exec_simd_entry *e = exec_simd_op((wasm_opcode)op);
    return e && e->fn.any ? (const void *)e->fn.any : NULL;
  }
  return NULL;
}

/* Chooses the SIMD implementation once per process: the best tier the CPU runs, unless
 * the build (WELD_PORTABLE_SIMD) or the environment (WELD_SIMD=portable, or sse4.1 / avx2
 * to cap the tier) asks for less. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"
#include "../util/cpu.h"

static const char impl_labels[EXEC_SIMD_IMPL_COUNT][10] = {
  [EXEC_SIMD_IMPL_PORTABLE] = "portable",
  [EXEC_SIMD_IMPL_SSE41] = "sse4.1",
  [EXEC_SIMD_IMPL_AVX2] = "avx2",
};

int exec_simd_impl_available(exec_simd_impl impl) {
  switch (impl) {
  case EXEC_SIMD_IMPL_PORTABLE: return 1;
#if EXEC_SIMD_HAVE_X86
  case EXEC_SIMD_IMPL_SSE41: return (util_cpu_x86() & UTIL_CPU_SSE41) != 0;
  case EXEC_SIMD_IMPL_AVX2: /* usable only when the OS saves the AVX state */
    return (util_cpu_x86() & UTIL_CPU_AVX2) != 0;
#endif
  default: return 0;
  }
}

const char *exec_simd_impl_label(exec_simd_impl impl) {
  return (unsigned)impl < EXEC_SIMD_IMPL_COUNT ? impl_labels[impl] : "?";
}

static void fill(void) {
  exec_simd_portable_fill();
#if EXEC_SIMD_HAVE_X86
  exec_simd_x86_fill();
#endif
}

static pthread_once_t filled = PTHREAD_ONCE_INIT;

const exec_simd_entry *exec_simd_op_in(exec_simd_impl impl, wasm_opcode op) {
  int k = (int)op - (int)EXEC_SIMD_FIRST;
  if (k < 0 || k >= EXEC_SIMD_NOPS) return NULL;
  if (!exec_simd_impl_available(impl)) return NULL;
  pthread_once(&filled, fill); /* the tables are filled on first use (simd.h) */
  size_t i = (size_t)k;
#if EXEC_SIMD_HAVE_X86
  if (impl >= EXEC_SIMD_IMPL_AVX2 && exec_simd_avx2_ops[i].shape) return &exec_simd_avx2_ops[i];
  if (impl >= EXEC_SIMD_IMPL_SSE41 && exec_simd_sse41_ops[i].shape) return &exec_simd_sse41_ops[i];
#endif
  const exec_simd_entry *e = &exec_simd_portable_ops[i];
  return e->shape ? e : NULL;
}

static exec_simd_impl choose(void) {
  exec_simd_impl best = EXEC_SIMD_IMPL_PORTABLE;
  for (int i = EXEC_SIMD_IMPL_COUNT - 1; i > EXEC_SIMD_IMPL_PORTABLE; i--)
    if (exec_simd_impl_available((exec_simd_impl)i)) {
      best = (exec_simd_impl)i;
      break;
    }
  const char *want = getenv("WELD_SIMD");
  if (want)
    for (int i = 0; i < (int)best; i++)
      if (strcmp(want, impl_labels[i]) == 0) return (exec_simd_impl)i;
  return best;
}

/* Racing first calls compute the same answer, so a relaxed publish is enough. */
static atomic_int chosen = -1;

static exec_simd_impl current(void) {
  int c = atomic_load_explicit(&chosen, memory_order_relaxed);
  if (c < 0) {
    c = (int)choose();
    atomic_store_explicit(&chosen, c, memory_order_relaxed);
  }
  return (exec_simd_impl)c;
}

const exec_simd_entry *exec_simd_op(wasm_opcode op) { return exec_simd_op_in(current(), op); }

const char *exec_simd_impl_name(void) { return impl_labels[current()]; }

int exec_simd_vector_inline(void) {
#if defined(WELD_PORTABLE_SIMD) && WELD_PORTABLE_SIMD
  return 0;
#else
  if (current() != EXEC_SIMD_IMPL_PORTABLE) return 1;
  const char *want = getenv("WELD_SIMD"); /* hosts without a vector tier still inline */
  return !(want && strcmp(want, impl_labels[EXEC_SIMD_IMPL_PORTABLE]) == 0);
#endif
}

/* pshufb masks: an index with bit 7 set yields 0, so each operand's mask selects its own
 * lanes and zeroes the other operand's; the two results are or-ed. */
void exec_simd_shuffle_masks(const uint8_t lanes[16], uint8_t masks[32]) {
  for (int i = 0; i < 16; i++) {
    uint8_t k = lanes[i] & 31;
    masks[i] = k < 16 ? k : 0x80;
    masks[16 + i] = k >= 16 ? (uint8_t)(k - 16) : 0x80;
  }
}

exec_simd_shuffle_masked_fn exec_simd_shuffle_masked(void) {
#if EXEC_SIMD_HAVE_X86
  if (current() >= EXEC_SIMD_IMPL_SSE41) return exec_simd_sse41_shuffle_masked;
#endif
  return NULL;
}

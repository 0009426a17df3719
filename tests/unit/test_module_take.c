/* weld_module_new_take: the module keeps a malloc'd binary instead of copying it, and
 * frees it with itself; any other outcome frees it at once (the ASan build checks that
 * nothing leaks and nothing is freed twice). The module below is written out byte by
 * byte: one function, exported as "ans", returning 42. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "weld.h"

static const uint8_t ans_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, /* magic, version */
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,       /* type 0: [] -> [i32] */
    0x03, 0x02, 0x01, 0x00,                         /* func 0: type 0 */
    0x07, 0x07, 0x01, 0x03, 'a', 'n', 's', 0x00, 0x00, /* export "ans" func 0 */
    0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b, /* body: i32.const 42 */
};

static uint8_t *dup_bytes(const void *p, size_t n) {
  uint8_t *b = malloc(n ? n : 1);
  if (b) memcpy(b, p, n);
  return b;
}

/* the answer of "ans" in module m, or -1 */
static int64_t ans(weld_engine *e, weld_module *m) {
  weld_store *s = weld_store_new(e);
  weld_trap *trap = NULL;
  weld_error *err = NULL;
  weld_instance *i = weld_instance_new(s, m, NULL, 0, &trap, &err);
  int64_t r = -1;
  if (i) {
    weld_extern x = weld_instance_export(i, "ans");
    weld_val res[1];
    weld_trap *t = x.kind == WELD_EXTERN_FUNC ? weld_func_call(x.of.func, NULL, 0, res, 1) : NULL;
    if (t) weld_trap_free(t);
    else if (x.kind == WELD_EXTERN_FUNC) r = res[0].of.i32;
  }
  if (trap) weld_trap_free(trap);
  if (err) weld_error_free(err);
  weld_store_free(s);
  return r;
}

UNIT_GROUP(module_take) {
  weld_config c;
  weld_config_default(&c);
  c.module_cache_off = true;
  weld_engine *e = weld_engine_new(&c);
  weld_error *err = NULL;
  /* binary: kept */
  weld_module *m = weld_module_new_take(e, dup_bytes(ans_wasm, sizeof ans_wasm), sizeof ans_wasm, &err);
  if (CHECK(m != NULL)) CHECK_EQ_U64((uint64_t)ans(e, m), 42);
  weld_module_free(m);
  /* text: converted, the text freed */
  static const char wat[] = "(module (func (export \"ans\") (result i32) (i32.const 42)))";
  m = weld_module_new_take(e, dup_bytes(wat, sizeof wat - 1), sizeof wat - 1, &err);
  if (CHECK(m != NULL)) CHECK_EQ_U64((uint64_t)ans(e, m), 42);
  weld_module_free(m);
  /* malformed: an error with the offset, the bytes freed */
  m = weld_module_new_take(e, dup_bytes(ans_wasm, sizeof ans_wasm - 1), sizeof ans_wasm - 1, &err);
  CHECK(m == NULL);
  if (CHECK(err != NULL)) {
    CHECK(weld_error_offset(err) >= 0);
    weld_error_free(err);
    err = NULL;
  }
  /* invalid (type mismatch: i64.const where i32 is returned): refused after decoding */
  uint8_t *bad = dup_bytes(ans_wasm, sizeof ans_wasm);
  bad[sizeof ans_wasm - 3] = 0x42;
  m = weld_module_new_take(e, bad, sizeof ans_wasm, &err);
  CHECK(m == NULL);
  if (CHECK(err != NULL)) weld_error_free(err);
  weld_engine_free(e);
  /* with the engine's module cache on, the same answers */
  e = weld_engine_new(NULL);
  err = NULL;
  m = weld_module_new_take(e, dup_bytes(ans_wasm, sizeof ans_wasm), sizeof ans_wasm, &err);
  if (CHECK(m != NULL)) CHECK_EQ_U64((uint64_t)ans(e, m), 42);
  weld_module_free(m);
  weld_engine_free(e);
}

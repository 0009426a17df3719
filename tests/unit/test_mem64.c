/* 64-bit memories and multiple memories through the embedding API, where the spec scripts
 * do not reach: accesses at addresses of 4 GiB and more trap (weld keeps a 64-bit memory
 * below 4 GiB and narrows addresses), the memory limit holds for 64-bit memories and over
 * the sum of an instance's memories, memory.copy between two memories, and 2.0 mode. */
#include <stdlib.h>

#include "unit.h"
#include "weld.h"

static const char mem64_wat[] =
    "(module\n"
    "  (memory $a (export \"a\") i64 1)\n"
    "  (memory $b (export \"b\") i64 1)\n"
    "  (memory $c 1)\n"
    "  (data (memory $a) (i64.const 8) \"\\2a\")\n"
    "  (data (memory $c) (i32.const 0) \"\\07\")\n"
    "  (func (export \"load\") (param i64) (result i32) (i32.load8_u $a (local.get 0)))\n"
    "  (func (export \"load_off\") (param i64) (result i32) (i32.load8_u $a offset=0xffffffff (local.get 0)))\n"
    "  (func (export \"store_b\") (param i64 i32) (i32.store8 $b (local.get 0) (local.get 1)))\n"
    "  (func (export \"load_b\") (param i64) (result i32) (i32.load8_u $b (local.get 0)))\n"
    "  (func (export \"grow_a\") (param i64) (result i64) (memory.grow $a (local.get 0)))\n"
    "  (func (export \"grow_b\") (param i64) (result i64) (memory.grow $b (local.get 0)))\n"
    "  (func (export \"size_b\") (result i64) (memory.size $b))\n"
    /* copies n bytes from $c (32-bit) to $a (64-bit): the length is i32 */
    "  (func (export \"copy_c_a\") (param i64 i32 i32) (memory.copy $a $c (local.get 0) (local.get 1) (local.get 2)))\n"
    ")\n";

typedef struct fx {
  weld_engine *e;
  weld_module *m;
  weld_store *s;
  weld_instance *i;
} fx;

static bool setup(fx *f, const weld_limits *lim) {
  memset(f, 0, sizeof *f);
  f->e = weld_engine_new(NULL);
  weld_error *err = NULL;
  f->m = weld_module_new(f->e, (const uint8_t *)mem64_wat, sizeof mem64_wat - 1, &err);
  if (!CHECK(f->m != NULL)) {
    if (err) weld_error_free(err);
    return false;
  }
  f->s = weld_store_new(f->e);
  if (lim) weld_store_set_limits(f->s, lim);
  weld_trap *trap = NULL;
  f->i = weld_instance_new(f->s, f->m, NULL, 0, &trap, &err);
  return CHECK(f->i != NULL);
}

static void teardown(fx *f) {
  weld_store_free(f->s);
  weld_module_free(f->m);
  weld_engine_free(f->e);
}

/* Calls export `name` with i64 a0 (and i32 a1, a2 when nargs says so); returns the trap
 * kind (-1: none) and the i32 or i64 result in *r. */
static int call(fx *f, const char *name, size_t nargs, uint64_t a0, uint32_t a1, uint32_t a2, int64_t *r) {
  weld_extern x = weld_instance_export(f->i, name);
  if (!CHECK(x.kind == WELD_EXTERN_FUNC)) return -2;
  weld_val args[3] = {{.kind = WELD_I64, .of.i64 = (int64_t)a0}, {.kind = WELD_I32, .of.i32 = (int32_t)a1},
                      {.kind = WELD_I32, .of.i32 = (int32_t)a2}};
  weld_val res[1];
  size_t nres = weld_func_result_count(x.of.func);
  weld_trap *t = weld_func_call(x.of.func, args, nargs, res, nres);
  if (t) {
    int k = (int)weld_trap_get_kind(t);
    weld_trap_free(t);
    return k;
  }
  if (r && nres) *r = res[0].kind == WELD_I64 ? res[0].of.i64 : res[0].of.i32;
  return -1;
}

UNIT_GROUP(mem64_bounds) {
  fx f;
  if (!setup(&f, NULL)) return;
  int64_t r = 0;
  CHECK_EQ_I64(call(&f, "load", 1, 8, 0, 0, &r), -1);
  CHECK_EQ_I64(r, 42);
  /* the last byte of the page, then one past it */
  CHECK_EQ_I64(call(&f, "load", 1, 65535, 0, 0, &r), -1);
  CHECK_EQ_I64(call(&f, "load", 1, 65536, 0, 0, &r), WELD_TRAP_MEMORY_OOB);
  /* 4 GiB + 8 and beyond: the low 32 bits (8) are in bounds, the address is not */
  CHECK_EQ_I64(call(&f, "load", 1, 0x100000008ull, 0, 0, &r), WELD_TRAP_MEMORY_OOB);
  CHECK_EQ_I64(call(&f, "load", 1, 0xffffffffull, 0, 0, &r), WELD_TRAP_MEMORY_OOB);
  CHECK_EQ_I64(call(&f, "load", 1, UINT64_MAX, 0, 0, &r), WELD_TRAP_MEMORY_OOB);
  /* address + offset past 2^64 wraps in 64 bits but must trap */
  CHECK_EQ_I64(call(&f, "load_off", 1, UINT64_MAX - 0xfffffff0ull, 0, 0, &r), WELD_TRAP_MEMORY_OOB);
  CHECK_EQ_I64(call(&f, "load_off", 1, 0, 0, 0, &r), WELD_TRAP_MEMORY_OOB);
  /* the second memory is separate from the first */
  CHECK_EQ_I64(call(&f, "store_b", 2, 8, 99, 0, NULL), -1);
  CHECK_EQ_I64(call(&f, "load_b", 1, 8, 0, 0, &r), -1);
  CHECK_EQ_I64(r, 99);
  CHECK_EQ_I64(call(&f, "load", 1, 8, 0, 0, &r), -1);
  CHECK_EQ_I64(r, 42);
  CHECK_EQ_I64(call(&f, "store_b", 2, 0x100000000ull, 1, 0, NULL), WELD_TRAP_MEMORY_OOB);
  /* memory.copy from the 32-bit $c into the 64-bit $a */
  CHECK_EQ_I64(call(&f, "copy_c_a", 3, 100, 0, 1, NULL), -1);
  CHECK_EQ_I64(call(&f, "load", 1, 100, 0, 0, &r), -1);
  CHECK_EQ_I64(r, 7);
  CHECK_EQ_I64(call(&f, "copy_c_a", 3, 0x100000000ull, 0, 0, NULL), WELD_TRAP_MEMORY_OOB);
  CHECK_EQ_I64(call(&f, "copy_c_a", 3, 0, 65535, 2, NULL), WELD_TRAP_MEMORY_OOB);
  /* growing past weld's 4 GiB bound for 64-bit memories fails with -1 */
  CHECK_EQ_I64(call(&f, "grow_a", 1, 0x100000000ull, 0, 0, &r), -1);
  CHECK_EQ_I64(r, -1);
  CHECK_EQ_I64(call(&f, "grow_a", 1, 65535, 0, 0, &r), -1);
  CHECK_EQ_I64(r, -1);
  /* the API reports the kind */
  CHECK(weld_memory_is_i64(weld_instance_memory(f.i, "a")));
  teardown(&f);
}

UNIT_GROUP(mem64_limits) {
  weld_limits lim;
  weld_limits_default(&lim);
  /* the instance's three memories start at 3 pages; the limit allows one more */
  lim.memory_bytes = 4 * 65536;
  fx f;
  if (!setup(&f, &lim)) return;
  int64_t r = 0;
  CHECK_EQ_I64(call(&f, "grow_b", 1, 1, 0, 0, &r), -1);
  CHECK_EQ_I64(r, 1);
  CHECK_EQ_I64(call(&f, "size_b", 0, 0, 0, 0, &r), -1);
  CHECK_EQ_I64(r, 2);
  /* the sum over the memories is at the limit: a grow of the other memory is refused */
  CHECK_EQ_I64(call(&f, "grow_a", 1, 1, 0, 0, &r), -1);
  CHECK_EQ_I64(r, -1);
  weld_usage u;
  weld_store_usage(f.s, &u);
  CHECK_EQ_U64(u.grow_denials, 1);
  CHECK_EQ_U64(u.peak_memory_bytes, 4 * 65536);
  teardown(&f);

  /* an instance whose memories together exceed the limit is refused */
  lim.memory_bytes = 2 * 65536;
  weld_engine *e = weld_engine_new(NULL);
  weld_error *err = NULL;
  weld_module *m = weld_module_new(e, (const uint8_t *)mem64_wat, sizeof mem64_wat - 1, &err);
  weld_store *s = weld_store_new(e);
  weld_store_set_limits(s, &lim);
  weld_trap *trap = NULL;
  CHECK(m && weld_instance_new(s, m, NULL, 0, &trap, &err) == NULL);
  if (CHECK(err != NULL)) {
    CHECK_EQ_I64(weld_error_get_kind(err), WELD_ERROR_LIMIT);
    weld_error_free(err);
  }
  /* a host 64-bit memory above weld's bound is refused, one below it made */
  CHECK(weld_memory_new_i64(s, 65536, 65536) == NULL);
  weld_store_free(s);
  weld_module_free(m);
  weld_engine_free(e);
}

UNIT_GROUP(mem64_standard) {
  /* 2.0 rejects a second memory and a 64-bit one; the default accepts both */
  weld_config cfg;
  weld_config_default(&cfg);
  cfg.standard = WELD_STANDARD_2_0;
  weld_engine *e2 = weld_engine_new(&cfg);
  weld_error *err = NULL;
  CHECK(weld_module_new(e2, (const uint8_t *)mem64_wat, sizeof mem64_wat - 1, &err) == NULL);
  if (CHECK(err != NULL)) {
    CHECK_PREFIX(weld_error_message(err), "integer too large"); /* limits flags 4: 2.0 reads one bit */
    weld_error_free(err);
  }
  static const char two[] = "(module (memory 1) (memory 1))";
  err = NULL;
  CHECK(weld_module_new(e2, (const uint8_t *)two, sizeof two - 1, &err) == NULL);
  if (CHECK(err != NULL)) {
    CHECK_PREFIX(weld_error_message(err), "multiple memories");
    weld_error_free(err);
  }
  weld_engine_free(e2);
  weld_engine *e3 = weld_engine_new(NULL);
  weld_module *m = weld_module_new(e3, (const uint8_t *)two, sizeof two - 1, NULL);
  CHECK(m != NULL);
  if (m) weld_module_free(m);
  weld_engine_free(e3);
}

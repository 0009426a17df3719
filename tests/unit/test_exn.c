/* Exception handling through the embedding API: what the host sees of an uncaught
 * exception (tag, payload, backtrace), host functions that throw or pass an exception
 * on, exceptions crossing host frames and tail calls, exnref values at the boundary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "weld.h"

static const char mod_wat[] =
    "(module\n"
    "  (import \"env\" \"host_throw\" (func $host_throw (param i64)))\n"
    "  (import \"env\" \"host_i32\" (func $host_i32 (result i32)))\n"
    "  (import \"env\" \"call_back\" (func $call_back (param i32) (result i32)))\n"
    "  (import \"env\" \"ht\" (tag $ht (param i64)))\n"
    "  (tag $e (export \"e\") (param i32 f64))\n"
    "  (func $inner (param i32) (throw $e (local.get 0) (f64.const 2.5)))\n"
    "  (func $outer (export \"outer\") (param i32) (call $inner (local.get 0)))\n"
    "  (func (export \"catch_host\") (param i64) (result i64)\n"
    "    (block $h (result i64)\n"
    "      (try_table (catch $ht $h) (call $host_throw (local.get 0)))\n"
    "      (i64.const -1)))\n"
    "  (func (export \"uncaught_host\") (param i64) (call $host_throw (local.get 0)))\n"
    "  (func (export \"across_host\") (param i32) (result i32)\n"
    "    (block $h (result i32 f64)\n"
    "      (try_table (result i32) (catch $e $h) (call $call_back (local.get 0)))\n"
    "      (return))\n"
    "    (drop) (i32.const 1000) (i32.add))\n"
    "  (func (export \"tail_host\") (result i32)\n"
    "    (block $h (try_table (catch_all $h) (return_call $host_i32)))\n"
    "    (i32.const -1))\n"
    "  (func (export \"call_host\") (result i32)\n"
    "    (block $h (try_table (catch_all $h) (return (call $host_i32))))\n"
    "    (i32.const -1))\n"
    "  (func (export \"get_exn\") (param i32) (result exnref)\n"
    "    (block $h (result exnref)\n"
    "      (try_table (catch_all_ref $h) (call $inner (local.get 0)))\n"
    "      (unreachable)))\n"
    "  (func (export \"rethrow\") (param exnref) (throw_ref (local.get 0)))\n"
    "  (func (export \"loop\") (param i32) (result i32) (local $n i32)\n"
    "    (loop $l\n"
    "      (block $h (result i32 f64)\n"
    "        (try_table (catch $e $h) (call $inner (local.get $n)))\n"
    "        (unreachable))\n"
    "      (drop) (local.set $n (i32.add (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get $n) (local.get 0))))\n"
    "    (local.get $n)))\n";

typedef struct ctx {
  weld_tag *ht;      /* the host's tag the module imports */
  weld_func *outer;  /* the module's "outer", for call_back */
} ctx;

static weld_trap *host_throw(weld_caller *c, void *env, const weld_val *args, weld_val *res) {
  (void)c, (void)res;
  ctx *x = env;
  weld_val v = WELD_I64_VAL(args[0].of.i64 * 2);
  return weld_trap_new_exception(x->ht, &v, 1);
}

/* Throws as host_i32's result type would allow: an exception, never a result. */
static weld_trap *host_i32(weld_caller *c, void *env, const weld_val *args, weld_val *res) {
  (void)c, (void)args, (void)res;
  ctx *x = env;
  weld_val v = WELD_I64_VAL(7);
  return weld_trap_new_exception(x->ht, &v, 1);
}

/* Calls back into WebAssembly, which throws; passes the exception on unchanged. */
static weld_trap *call_back(weld_caller *c, void *env, const weld_val *args, weld_val *res) {
  (void)c, (void)res;
  ctx *x = env;
  return weld_func_call(x->outer, args, 1, NULL, 0);
}

typedef struct fixture {
  weld_engine *e;
  weld_module *m;
  weld_store *s;
  weld_instance *i;
  ctx x;
} fixture;

static bool setup(fixture *f) {
  memset(f, 0, sizeof *f);
  f->e = weld_engine_new(NULL);
  weld_error *err = NULL;
  f->m = weld_module_new(f->e, (const uint8_t *)mod_wat, strlen(mod_wat), &err);
  if (!CHECK(f->m != NULL)) {
    if (err) fprintf(stderr, "  %s\n", weld_error_message(err));
    weld_error_free(err);
    weld_engine_free(f->e);
    return false;
  }
  f->s = weld_store_new(f->e);
  weld_valkind i64 = WELD_I64, i32 = WELD_I32;
  f->x.ht = weld_tag_new(f->s, &i64, 1);
  weld_import imps[] = {
      {"env", "host_throw", {.kind = WELD_EXTERN_FUNC, .of.func = weld_func_new(f->s, &i64, 1, NULL, 0, host_throw, &f->x, NULL)}},
      {"env", "host_i32", {.kind = WELD_EXTERN_FUNC, .of.func = weld_func_new(f->s, NULL, 0, &i32, 1, host_i32, &f->x, NULL)}},
      {"env", "call_back", {.kind = WELD_EXTERN_FUNC, .of.func = weld_func_new(f->s, &i32, 1, &i32, 1, call_back, &f->x, NULL)}},
      {"env", "ht", {.kind = WELD_EXTERN_TAG, .of.tag = f->x.ht}},
  };
  weld_trap *trap = NULL;
  f->i = weld_instance_new(f->s, f->m, imps, 4, &trap, &err);
  if (!CHECK(f->i != NULL)) {
    if (err) fprintf(stderr, "  %s\n", weld_error_message(err));
    weld_error_free(err);
    if (trap) weld_trap_free(trap);
    return false;
  }
  f->x.outer = weld_instance_func(f->i, "outer");
  return true;
}

static void teardown(fixture *f) {
  weld_store_free(f->s);
  weld_module_free(f->m);
  weld_engine_free(f->e);
}

/* An exception no handler catches reaches the host as a trap with its tag, payload and
 * the backtrace of the throw. */
UNIT_GROUP(exn_uncaught) {
  fixture f;
  if (!setup(&f)) return;
  weld_val arg = WELD_I32_VAL(41);
  weld_trap *t = weld_func_call(weld_instance_func(f.i, "outer"), &arg, 1, NULL, 0);
  if (CHECK(t != NULL)) {
    CHECK_EQ_I64(weld_trap_get_kind(t), WELD_TRAP_EXCEPTION);
    CHECK_STR(weld_trap_message(t), "uncaught exception");
    weld_exn *x = weld_trap_exception(t);
    if (CHECK(x != NULL)) {
      CHECK(weld_exn_tag(x) == weld_instance_tag(f.i, "e"));
      CHECK_EQ_U64(weld_exn_arg_count(x), 2);
      weld_val v;
      CHECK(weld_exn_arg(x, 0, &v) && v.kind == WELD_I32 && v.of.i32 == 41);
      CHECK(weld_exn_arg(x, 1, &v) && v.kind == WELD_F64 && v.of.f64 == 2.5);
      CHECK(!weld_exn_arg(x, 2, &v));
    }
    /* innermost first: inner (the throw), then outer (the call) */
    if (CHECK(weld_trap_frame_count(t) == 2)) {
      CHECK_STR(weld_trap_frame(t, 0)->func_name, "inner");
      CHECK_STR(weld_trap_frame(t, 1)->func_name, "outer");
      CHECK(weld_trap_frame(t, 0)->code_offset != 0);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    weld_trap_print_backtrace(t, out);
    fclose(out);
    CHECK(buf && strstr(buf, "inner") && strstr(buf, "outer"));
    free(buf);
    weld_trap *other = weld_trap_new("plain");
    CHECK(weld_trap_exception(other) == NULL);
    weld_trap_free(other);
    weld_trap_free(t);
  }
  CHECK(weld_instance_tag(f.i, "outer") == NULL);
  weld_tag *e = weld_instance_tag(f.i, "e");
  CHECK(e && weld_tag_param_count(e) == 2 && weld_tag_param(e, 1) == WELD_F64);
  teardown(&f);
}

/* A host function's exception is caught by a try_table of the calling WebAssembly, and
 * one no handler catches comes back to the host with the host's own tag. */
UNIT_GROUP(exn_host_throw) {
  fixture f;
  if (!setup(&f)) return;
  weld_val arg = WELD_I64_VAL(21), res;
  weld_trap *t = weld_func_call(weld_instance_func(f.i, "catch_host"), &arg, 1, &res, 1);
  CHECK(t == NULL && res.kind == WELD_I64 && res.of.i64 == 42);
  if (t) weld_trap_free(t);

  t = weld_func_call(weld_instance_func(f.i, "uncaught_host"), &arg, 1, NULL, 0);
  if (CHECK(t != NULL && weld_trap_get_kind(t) == WELD_TRAP_EXCEPTION)) {
    weld_exn *x = weld_trap_exception(t);
    weld_val v;
    CHECK(x && weld_exn_tag(x) == f.x.ht && weld_exn_arg(x, 0, &v) && v.of.i64 == 42);
    /* the stack at the throw: the host function, called by uncaught_host */
    CHECK(weld_trap_frame_count(t) >= 1);
  }
  if (t) weld_trap_free(t);

  /* a payload of the wrong kind is the host's mistake, not an exception */
  weld_val bad = WELD_I32_VAL(1);
  t = weld_trap_new_exception(f.x.ht, &bad, 1);
  CHECK(t && weld_trap_get_kind(t) == WELD_TRAP_HOST && weld_trap_exception(t) == NULL);
  if (t) weld_trap_free(t);
  t = weld_trap_new_exception(f.x.ht, NULL, 0);
  CHECK(t && weld_trap_get_kind(t) == WELD_TRAP_HOST);
  if (t) weld_trap_free(t);
  teardown(&f);
}

/* WebAssembly -> host -> WebAssembly that throws: the host passes the exception on and
 * the outer try_table catches it by tag, payload intact. */
UNIT_GROUP(exn_across_host) {
  fixture f;
  if (!setup(&f)) return;
  weld_val arg = WELD_I32_VAL(5), res;
  weld_trap *t = weld_func_call(weld_instance_func(f.i, "across_host"), &arg, 1, &res, 1);
  CHECK(t == NULL && res.kind == WELD_I32 && res.of.i32 == 1005);
  if (t) weld_trap_free(t);
  teardown(&f);
}

/* return_call replaces the frame: its try_table no longer catches what the (host) callee
 * throws; a plain call inside the same try_table is caught. */
UNIT_GROUP(exn_tail_call) {
  fixture f;
  if (!setup(&f)) return;
  weld_val res;
  weld_trap *t = weld_func_call(weld_instance_func(f.i, "call_host"), NULL, 0, &res, 1);
  CHECK(t == NULL && res.of.i32 == -1);
  if (t) weld_trap_free(t);
  t = weld_func_call(weld_instance_func(f.i, "tail_host"), NULL, 0, &res, 1);
  CHECK(t != NULL && weld_trap_get_kind(t) == WELD_TRAP_EXCEPTION);
  if (t) weld_trap_free(t);
  teardown(&f);
}

/* exnref values cross the boundary: the host gets one, passes it back, and throw_ref
 * throws that same exception again; a store refuses another store's exnref. */
UNIT_GROUP(exn_ref) {
  fixture f, g;
  if (!setup(&f)) return;
  weld_val arg = WELD_I32_VAL(9), res;
  weld_trap *t = weld_func_call(weld_instance_func(f.i, "get_exn"), &arg, 1, &res, 1);
  if (CHECK(t == NULL && res.kind == WELD_EXNREF && res.of.exnref)) {
    weld_exn *x = res.of.exnref;
    weld_val v;
    CHECK(weld_exn_tag(x) == weld_instance_tag(f.i, "e") && weld_exn_arg(x, 0, &v) && v.of.i32 == 9);
    t = weld_func_call(weld_instance_func(f.i, "rethrow"), &res, 1, NULL, 0);
    CHECK(t && weld_trap_get_kind(t) == WELD_TRAP_EXCEPTION && weld_trap_exception(t) == x);
    if (t) weld_trap_free(t);
    weld_val null = {.kind = WELD_EXNREF};
    t = weld_func_call(weld_instance_func(f.i, "rethrow"), &null, 1, NULL, 0);
    CHECK(t && weld_trap_get_kind(t) != WELD_TRAP_EXCEPTION);
    if (t) weld_trap_free(t);
    if (setup(&g)) {
      t = weld_func_call(weld_instance_func(g.i, "rethrow"), &res, 1, NULL, 0);
      CHECK(t && weld_trap_get_kind(t) == WELD_TRAP_HOST); /* refused: another store's */
      if (t) weld_trap_free(t);
      teardown(&g);
    }
  } else if (t) {
    weld_trap_free(t);
  }
  teardown(&f);
}

/* Many throws caught by value: each exception is freed when caught, so this runs in
 * constant memory (LeakSanitizer and the store's list stay quiet). */
UNIT_GROUP(exn_loop) {
  fixture f;
  if (!setup(&f)) return;
  weld_val arg = WELD_I32_VAL(100000), res;
  weld_trap *t = weld_func_call(weld_instance_func(f.i, "loop"), &arg, 1, &res, 1);
  CHECK(t == NULL && res.of.i32 == 100000);
  if (t) weld_trap_free(t);
  teardown(&f);
}

/* ---------- text: read, print, read back ----------------------------------------------- */

#include "text/text.h"
#include "wasm/module.h"

static const char text_wat[] =
    "(module\n"
    "  (import \"m\" \"t\" (tag $t (param i32)))\n"
    "  (tag $e (export \"e\") (param i32 f32))\n"
    "  (func (export \"f\") (param i32) (result i32 exnref)\n"
    "    (block $h (result i32 exnref)\n"
    "      (block $a\n"
    "        (try_table (catch_ref $t $h) (catch_all $a)\n"
    "          (throw $e (local.get 0) (f32.const 1))))\n"
    "      (i32.const 0) (ref.null exn)))\n"
    "  (func (param exnref) (throw_ref (local.get 0)))\n"
    "  (func $l (param i32) (result i32)\n"
    "    (try $o (result i32)\n"
    "      (do (try (result i32) (do (throw $e (local.get 0) (f32.const 2))) (delegate $o)))\n"
    "      (catch $e (drop))\n"
    "      (catch_all (try (do (rethrow 1)) (catch_all)) (i32.const 5)))))\n";

/* The body bytes of every function, to compare two encodings of one module. */
static bool same_code(const wasm_module *a, const wasm_module *b) {
  if (a->nfuncs != b->nfuncs || a->ntags != b->ntags || a->nimports != b->nimports) return false;
  for (uint32_t i = 0; i < a->ntags; i++)
    if (a->tags[i].type != b->tags[i].type || a->tags[i].imported != b->tags[i].imported) return false;
  for (uint32_t i = a->nfunc_imports; i < a->nfuncs; i++) {
    const wasm_func *x = &a->funcs[i], *y = &b->funcs[i];
    if (x->code_len != y->code_len || memcmp(x->code, y->code, x->code_len) != 0) return false;
  }
  return true;
}

static wasm_module *read_text(const char *src, size_t len) {
  util_error err;
  util_error_clear(&err);
  wasm_module *m = text_load_module((const uint8_t *)src, len, "exn.wat", &err);
  if (!m) fprintf(stderr, "  %s (%d:%d)\n", err.msg, err.line, err.col);
  return m;
}

UNIT_GROUP(exn_text) {
  wasm_module *m = read_text(text_wat, strlen(text_wat));
  if (!CHECK(m != NULL)) return;
  CHECK(m->ntags == 2 && m->ntag_imports == 1 && m->legacy_exceptions);
  CHECK(m->nexports == 2 && m->exports[0].kind == WASM_EXTERN_TAG && m->exports[0].index == 1);
  util_error err;
  CHECK(wasm_validate(m, &err));
  for (int style = 0; style < 2; style++) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    util_error_clear(&err);
    bool ok = text_print_module(m, style ? TEXT_PRINT_FOLDED : TEXT_PRINT_FLAT, f, &err);
    fclose(f);
    if (CHECK(ok && buf)) {
      CHECK(strstr(buf, "try_table") && strstr(buf, "catch_ref") && strstr(buf, "delegate") && strstr(buf, "rethrow"));
      wasm_module *back = read_text(buf, len);
      CHECK(back && same_code(m, back));
      if (back) wasm_module_free(back);
    }
    free(buf);
  }
  wasm_module_free(m);

  /* errors in the spec's words */
  static const struct { const char *wat, *msg; } bad[] = {
      {"(module (func (catch_all)))", "unexpected token"},
      {"(module (tag $e) (func (catch $e)))", "unexpected token"},
      {"(module (func (try (do) (catch_all) (catch_all))))", "unexpected token"},
      {"(module (func (try_table (catch $nope 0))))", "unknown tag"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint8_t *out = NULL;
    size_t n = 0;
    util_error_clear(&err);
    bool ok = text_wat_to_binary(bad[i].wat, strlen(bad[i].wat), "bad.wat", &out, &n, &err);
    free(out);
    CHECK(!ok);
    CHECK_PREFIX(err.msg, bad[i].msg);
  }
}

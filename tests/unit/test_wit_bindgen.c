/* C bindings and component text for a world (src/wit/bindgen_c.c, compnew.c): the
 * declarations and the component's imports and lifts for a small world, the errors,
 * and every allocation failing in turn ending in "out of memory" (or success). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "wit/wit.h"

static const char world_text[] =
    "package t:b@1.0.0;\n"
    "interface i { up: func(s: string) -> string; }\n"
    "interface k { record q { s: string } }\n"
    "interface j {\n"
    "  use k.{q};\n"
    "  greet: func(s: string, n: list<u8>) -> string;\n"
    "  pick: func(v: result<f32, string>) -> u32;\n"
    "  take: func(v: q) -> u32;\n"
    "}\n"
    "world w {\n"
    "  record point { x: s32, y: s32 }\n"
    "  enum color { red, green }\n"
    "  import tick: func(n: u32) -> u64;\n"
    "  import j;\n"
    "  export move: func(p: point, c: color) -> point;\n"
    "  export i;\n"
    "}\n"
    "world bad { export f: func(x: result<f32, string>); }\n"
    "interface res { resource r; }\n"
    "world handle { use res.{r}; export f: func(x: borrow<r>); }\n";

static const char *exports[] = {"move", "t:b/i@1.0.0#up", "cabi_post_t:b/i@1.0.0#up", "memory", "cabi_realloc"};
static const char *imods[] = {"$root", "t:b/j@1.0.0", "t:b/j@1.0.0"}, *ifields[] = {"tick", "greet", "take"};

/* bindings and component text; false (err set) on failure */
static bool both(util_buf *h, util_buf *c, util_buf *t, util_error *err) {
  wit_set *s = wit_load_text("b.wit", world_text, sizeof world_text - 1, err);
  if (!s) return false;
  wit_world *w = wit_find_world(s, "w", err);
  static const uint8_t core[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  wit_core_names names = {exports, 5, imods, ifields, 3};
  bool ok = w && wit_bindgen_c(w, h, c, err) && wit_component_text(w, core, sizeof core, &names, t, err);
  wit_set_free(s);
  return ok;
}

UNIT_GROUP(wit_bindgen) {
  util_error err;
  util_buf h = {0}, c = {0}, t = {0};
  if (!CHECK(both(&h, &c, &t, &err))) fprintf(stderr, "%s\n", err.msg);
  if (h.p && c.p && t.p) {
    CHECK(strstr((char *)h.p, "typedef struct { int32_t x; int32_t y; } w_point_t;\n") != NULL);
    CHECK(strstr((char *)h.p, "#define W_COLOR_GREEN 1\n") != NULL);
    CHECK(strstr((char *)h.p, "w_point_t exports_w_move(w_point_t p, w_color_t c);\n") != NULL);
    CHECK(strstr((char *)h.p, "uint64_t w_tick(uint32_t n);\n") != NULL);
    CHECK(strstr((char *)c.p, "__attribute__((export_name(\"cabi_post_t:b/i@1.0.0#up\")))") != NULL);
    CHECK(strstr((char *)t.p, "(import \"point\" (type $n1 (eq $d1)))") != NULL);
    CHECK(strstr((char *)t.p, "(import \"tick\" (func $i0 (param \"n\" u32) (result u64)))") != NULL);
    CHECK(strstr((char *)t.p, "(post-return $cp1)") != NULL);
    /* an import through memory: the shim's trampoline, lowered once the memory exists */
    CHECK(strstr((char *)h.p, "w_string_t w_j_greet(w_string_t s, w_list_u8_t n);\n") != NULL);
    CHECK(strstr((char *)c.p, "extern void __wasm_import_w_j_greet(int32_t, int32_t, int32_t, int32_t, void *);") != NULL);
    CHECK(strstr((char *)t.p, "(func (export \"0\") (param i32) (param i32) (param i32) (param i32) (param i32)\n"
                              "      local.get 0 local.get 1 local.get 2 local.get 3 local.get 4 i32.const 0 call_indirect") != NULL);
    CHECK(strstr((char *)t.p, "(alias core export $shim \"0\" (core func $ci1))") != NULL);
    CHECK(strstr((char *)t.p, "(core func $lo1 (canon lower (func $i1) (memory $mem) (realloc $realloc)))") != NULL);
    CHECK(strstr((char *)t.p, "(elem (i32.const 0) func $f0 $f1)") != NULL);
    /* a record j uses from k: declared in k's instance import, aliased out for j's */
    CHECK(strstr((char *)t.p, "(import \"t:b/k@1.0.0\" (instance $ii") != NULL);
    CHECK(strstr((char *)t.p, "(export \"q\" (type $l0 (eq $ld0)))") != NULL);
    CHECK(strstr((char *)t.p, "\"q\" (type $n0))") != NULL);
    CHECK(strstr((char *)t.p, "(export \"take\" (func (param \"v\" $n0) (result u32)))") != NULL);
    /* a result's f32 payload joined into the i32 slot of the string's pointer */
    CHECK(strstr((char *)c.p, "((!v.is_err) ? __wasm_i32f(((!v.is_err) ? (float)v.val.ok : 0)) : 0)") != NULL);
  }
  util_buf_free(&h), util_buf_free(&c), util_buf_free(&t);

  /* a result with payloads as a parameter: its slots joined (f32 into i32) */
  wit_set *s = wit_load_text("b.wit", world_text, sizeof world_text - 1, &err);
  if (CHECK(s != NULL)) {
    wit_world *w = wit_find_world(s, "bad", &err);
    util_buf hb = {0}, cb = {0};
    if (!CHECK(w && wit_bindgen_c(w, &hb, &cb, &err))) fprintf(stderr, "%s\n", err.msg);
    CHECK(cb.p && strstr((char *)cb.p, "void __wasm_export_bad_f(int32_t p0, int32_t p1, int32_t p2) {") != NULL);
    CHECK(cb.p && strstr((char *)cb.p, "    x.val.ok = (float)__wasm_f32(p1);\n") != NULL);
    util_buf_free(&hb), util_buf_free(&cb);
    /* a handle */
    w = wit_find_world(s, "handle", &err);
    CHECK(w && !wit_bindgen_c(w, &hb, &cb, &err));
    CHECK_STR(err.msg, "not supported: function `f` uses borrow<r> (a handle: resources are not wrapped yet)");
    util_buf_free(&hb), util_buf_free(&cb);
    /* a missing export */
    wit_core_names none = {NULL, 0, NULL, NULL, 0};
    static const uint8_t core[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    w = wit_find_world(s, "w", &err);
    CHECK(w && !wit_component_text(w, core, sizeof core, &none, &hb, &err));
    CHECK_STR(err.msg, "the core module does not export `move`, which world `w` needs");
    util_buf_free(&hb);
    wit_set_free(s);
  }

  /* each allocation failing in turn */
  unsigned long n = 1, failed = 0;
  bool finished = false;
  for (; n < 100000; n++) {
    util_error_clear(&err);
    util_buf a = {0}, b = {0}, d = {0};
    util_alloc_fail_at(n);
    bool ok = both(&a, &b, &d, &err);
    unsigned long made = util_alloc_fail_at(0);
    util_buf_free(&a), util_buf_free(&b), util_buf_free(&d);
    if (made < n) {
      finished = true;
      CHECK(ok);
      break;
    }
    if (!ok) {
      failed++;
      if (!CHECK(strcmp(err.msg, "out of memory") == 0)) fprintf(stderr, "allocation %lu: %s\n", n, err.msg);
    }
  }
  CHECK(finished);
  CHECK(failed > 0);
}

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
    "world handle { use res.{r}; export f: func(x: borrow<r>); }\n"
    "interface cnt {\n"
    "  resource ctr {\n"
    "    constructor(n: u32);\n"
    "    get: func() -> u32;\n"
    "    merge: func(o: borrow<ctr>) -> ctr;\n"
    "    make: static func(s: string) -> result<ctr, string>;\n"
    "  }\n"
    "  record box { c: ctr }\n"
    "  all: func(cs: list<borrow<ctr>>, b: box) -> u32;\n"
    "}\n"
    "world rx { export cnt; }\n"
    "world ri { import cnt; export go: func(); }\n";

static const char *exports[] = {"move", "t:b/i@1.0.0#up", "cabi_post_t:b/i@1.0.0#up", "memory", "cabi_realloc"};
static const char *imods[] = {"$root", "t:b/j@1.0.0", "t:b/j@1.0.0"}, *ifields[] = {"tick", "greet", "take"};
/* an exported resource (rx) and an imported one (ri) */
static const char *rx_exports[] = {"t:b/cnt@1.0.0#[constructor]ctr", "t:b/cnt@1.0.0#[method]ctr.get",
                                   "t:b/cnt@1.0.0#[method]ctr.merge", "t:b/cnt@1.0.0#[static]ctr.make",
                                   "t:b/cnt@1.0.0#all", "t:b/cnt@1.0.0#[dtor]ctr", "memory", "cabi_realloc"};
static const char *rx_imods[] = {"[export]t:b/cnt@1.0.0", "[export]t:b/cnt@1.0.0"},
                  *rx_ifields[] = {"[resource-new]ctr", "[resource-rep]ctr"};
static const char *ri_exports[] = {"go"};
static const char *ri_imods[] = {"t:b/cnt@1.0.0", "t:b/cnt@1.0.0", "t:b/cnt@1.0.0"},
                  *ri_ifields[] = {"[constructor]ctr", "[method]ctr.get", "[resource-drop]ctr"};

/* bindings and component text; false (err set) on failure */
static bool both(util_buf *h, util_buf *c, util_buf *t, util_error *err) {
  wit_set *s = wit_load_text("b.wit", world_text, sizeof world_text - 1, err);
  if (!s) return false;
  wit_world *w = wit_find_world(s, "w", err);
  static const uint8_t core[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  wit_core_names names = {exports, 5, imods, ifields, 3};
  bool ok = w && wit_bindgen_c(w, h, c, err) && wit_component_text(w, core, sizeof core, &names, t, err);
  wit_core_names rx = {rx_exports, 8, rx_imods, rx_ifields, 2}, ri = {ri_exports, 1, ri_imods, ri_ifields, 3};
  w = ok ? wit_find_world(s, "rx", err) : NULL;
  ok = w && wit_bindgen_c(w, h, c, err) && wit_component_text(w, core, sizeof core, &rx, t, err);
  w = ok ? wit_find_world(s, "ri", err) : NULL;
  ok = w && wit_bindgen_c(w, h, c, err) && wit_component_text(w, core, sizeof core, &ri, t, err);
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
    /* an exported resource: the representation is the program's, a borrow its pointer; the
     * built-ins imported from [export]IFACE, the destructor exported; the component defines
     * the resource (its destructor through the shim's table) and exports the interface
     * through a component naming the resource for its functions */
    const char *hs = (char *)h.p, *cs = (char *)c.p, *ts = (char *)t.p;
    CHECK(strstr(hs, "typedef struct exports_rx_ctr exports_rx_ctr_t;\n") != NULL);
    CHECK(strstr(hs, "exports_rx_own_ctr_t exports_rx_cnt_constructor_ctr(uint32_t n);\n") != NULL);
    CHECK(strstr(hs, "exports_rx_own_ctr_t exports_rx_cnt_method_ctr_merge(exports_rx_ctr_t * self, exports_rx_ctr_t * o);\n") != NULL);
    CHECK(strstr(hs, "typedef struct { bool is_err; union { exports_rx_own_ctr_t ok; rx_string_t err; } val; } rx_result_xown_ctr_string_t;\n") != NULL);
    CHECK(strstr(hs, "typedef struct { exports_rx_ctr_t * *ptr; size_t len; } rx_list_xborrow_ctr_t;\n") != NULL);
    CHECK(strstr(cs, "__attribute__((import_module(\"[export]t:b/cnt@1.0.0\"), import_name(\"[resource-new]ctr\")))\n") != NULL);
    CHECK(strstr(cs, "__attribute__((export_name(\"t:b/cnt@1.0.0#[dtor]ctr\")))\n") != NULL);
    CHECK(strstr(cs, "  o = (exports_rx_ctr_t *)(uintptr_t)p1;\n") != NULL);
    CHECK(strstr(cs, "  b.c.handle = p2;\n") != NULL);
    CHECK(strstr(ts, "(func (export \"0\") (param i32) local.get 0 i32.const 0 call_indirect (param i32))") != NULL);
    CHECK(strstr(ts, "(type $n0 (resource (rep i32) (dtor (core func $dt0))))") != NULL);
    CHECK(strstr(ts, "(core func $ci0 (canon resource.new $n0))") != NULL);
    CHECK(strstr(ts, "(core func $ci1 (canon resource.rep $n0))") != NULL);
    CHECK(strstr(ts, "(alias core export $main \"t:b/cnt@1.0.0#[dtor]ctr\" (core func $md0))") != NULL);
    CHECK(strstr(ts, "(import \"t0\" (type $l0 (sub resource)))") != NULL);
    CHECK(strstr(ts, "(export $x0 \"ctr\" (type $l0))") != NULL);
    CHECK(strstr(ts, "(export \"[method]ctr.merge\" (func $f3) (func (param \"self\" (borrow $x0)) (param \"o\" (borrow $x0)) (result (own $x0))))") != NULL);
    CHECK(strstr(ts, "(with \"t0\" (type $n0))") != NULL);
    /* an imported resource: handles, the drop, the functions' canonical names */
    CHECK(strstr(hs, "typedef struct { int32_t handle; } ri_borrow_ctr_t;\n") != NULL);
    CHECK(strstr(hs, "uint32_t ri_cnt_method_ctr_get(ri_borrow_ctr_t self);\n") != NULL);
    CHECK(strstr(hs, "ri_own_ctr_t ri_cnt_method_ctr_merge(ri_borrow_ctr_t self, ri_borrow_ctr_t o);\n") != NULL);
    CHECK(strstr(cs, "__attribute__((import_module(\"t:b/cnt@1.0.0\"), import_name(\"[resource-drop]ctr\")))\n") != NULL);
    CHECK(strstr(cs, "__attribute__((import_module(\"t:b/cnt@1.0.0\"), import_name(\"[method]ctr.merge\")))\n") != NULL);
    CHECK(strstr(cs, "  ret.handle = p0;\n") != NULL);
    CHECK(strstr(ts, "(export \"ctr\" (type $l0 (sub resource)))") != NULL);
    CHECK(strstr(ts, "(export \"[method]ctr.get\" (func (param \"self\" (borrow $l0)) (result u32)))") != NULL);
    CHECK(strstr(ts, "(canon resource.drop $n") != NULL);
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
    /* a borrow of a resource the world imports through its `use` */
    w = wit_find_world(s, "handle", &err);
    if (!CHECK(w && wit_bindgen_c(w, &hb, &cb, &err))) fprintf(stderr, "%s\n", err.msg);
    CHECK(hb.p && strstr((char *)hb.p, "void exports_handle_f(handle_borrow_r_t x);\n") != NULL);
    CHECK(cb.p && strstr((char *)cb.p, "  x.handle = p0;\n") != NULL);
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

/* weld.h's component API: a component (in the text format, below) decoded and
 * validated, its exports and imports listed, instantiated against a linker whose host
 * functions implement its import (one returning a string allocated from the call's
 * scratch memory), its exports called with typed values (numbers, a list, a tuple, an
 * option and a result with a string) and with WAVE text; arguments of the wrong kind, out
 * of range or too few refused before anything runs; a host result of the wrong kind and
 * a guest trap as traps; an instance that trapped refusing to be entered again; a
 * missing import as a link error; the store hook run once per instance. The expected
 * output (weld_component.out) follows from the component's code and the Canonical ABI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weld.h"

#define CHECK(cond)                                                                          \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      printf("FAILED at %s:%d: %s\n", __FILE__, __LINE__, #cond);                            \
      exit(1);                                                                               \
    }                                                                                        \
  } while (0)

static const char text[] =
    "(component\n"
    "  (import \"host:test/env\" (instance $env\n"
    "    (export \"scale\" (func (param \"x\" u32) (result u32)))\n"
    "    (export \"name\" (func (result string)))))\n"
    "  (core module $memm\n"
    "    (memory (export \"mem\") 1)\n"
    "    (global $bump (mut i32) (i32.const 4096))\n"
    "    (func (export \"realloc\") (param i32 i32 i32 i32) (result i32)\n"
    "      (local $p i32)\n"
    "      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))\n"
    "                             (i32.sub (i32.const 0) (local.get 2))))\n"
    "      (global.set $bump (i32.add (local.get $p) (local.get 3)))\n"
    "      (local.get $p)))\n"
    "  (core instance $mi (instantiate $memm))\n"
    "  (alias core export $mi \"mem\" (core memory $mem))\n"
    "  (alias core export $mi \"realloc\" (core func $realloc))\n"
    "  (core func $scale (canon lower (func $env \"scale\")))\n"
    "  (core func $name (canon lower (func $env \"name\") (memory $mem) (realloc $realloc)))\n"
    "  (core module $m\n"
    "    (import \"\" \"mem\" (memory 1))\n"
    "    (import \"\" \"scale\" (func $scale (param i32) (result i32)))\n"
    "    (import \"\" \"name\" (func $name (param i32)))\n"
    "    (data (i32.const 100) \"oddnone\")\n"
    "    (func (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))\n"
    "    (func (export \"sum\") (param $p i32) (param $n i32) (result i64) (local $s i64)\n"
    "      (block $done (loop $next\n"
    "        (br_if $done (i32.eqz (local.get $n)))\n"
    "        (local.set $s (i64.add (local.get $s) (i64.load32_u (local.get $p))))\n"
    "        (local.set $p (i32.add (local.get $p) (i32.const 4)))\n"
    "        (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "        (br $next)))\n"
    "      (local.get $s))\n"
    "    (func (export \"swap\") (param i32 i32) (result i32)\n"
    "      (i32.store (i32.const 512) (local.get 1)) (i32.store (i32.const 516) (local.get 0)) (i32.const 512))\n"
    "    (func (export \"half\") (param $d i32) (param $x i32) (result i32)\n"
    "      (if (i32.eqz (local.get $d)) (then\n"
    "        (i32.store8 (i32.const 520) (i32.const 1)) (i32.store (i32.const 524) (i32.const 103))\n"
    "        (i32.store (i32.const 528) (i32.const 4)) (return (i32.const 520))))\n"
    "      (if (i32.and (local.get $x) (i32.const 1)) (then\n"
    "        (i32.store8 (i32.const 520) (i32.const 1)) (i32.store (i32.const 524) (i32.const 100))\n"
    "        (i32.store (i32.const 528) (i32.const 3)) (return (i32.const 520))))\n"
    "      (i32.store8 (i32.const 520) (i32.const 0))\n"
    "      (i32.store8 (i32.const 524) (i32.shr_u (local.get $x) (i32.const 1)))\n"
    "      (i32.const 520))\n"
    "    (func (export \"scaled\") (param i32) (result i32) (i32.add (call $scale (local.get 0)) (i32.const 1)))\n"
    "    (func (export \"hello\") (result i32) (call $name (i32.const 600)) (i32.const 600))\n"
    "    (func (export \"boom\") unreachable))\n"
    "  (core instance $i (instantiate $m (with \"\" (instance (export \"mem\" (memory $mem))\n"
    "    (export \"scale\" (func $scale)) (export \"name\" (func $name))))))\n"
    "  (func (export \"add\") (param \"a\" u32) (param \"b\" u32) (result u32) (canon lift (core func $i \"add\")))\n"
    "  (func (export \"sum\") (param \"xs\" (list u32)) (result u64)\n"
    "    (canon lift (core func $i \"sum\") (memory $mem) (realloc $realloc)))\n"
    "  (func (export \"swap\") (param \"t\" (tuple s32 s32)) (result (tuple s32 s32))\n"
    "    (canon lift (core func $i \"swap\") (memory $mem)))\n"
    "  (func (export \"half\") (param \"o\" (option u8)) (result (result u8 (error string)))\n"
    "    (canon lift (core func $i \"half\") (memory $mem)))\n"
    "  (func (export \"scaled\") (param \"x\" u32) (result u32) (canon lift (core func $i \"scaled\")))\n"
    "  (func (export \"hello\") (result string) (canon lift (core func $i \"hello\") (memory $mem)))\n"
    "  (func (export \"boom\") (canon lift (core func $i \"boom\")))\n"
    ")\n";

/* host:test/env#scale(x) = 3x */
static const char *scale(void *env, const weld_cval *args, size_t nargs, weld_cval *result, weld_component_scratch *s) {
  (void)env, (void)s;
  CHECK(nargs == 1 && args[0].kind == WELD_CT_U32);
  *result = (weld_cval){.kind = WELD_CT_U32, .of.u = 3 * args[0].of.u};
  return NULL;
}

/* host:test/env#name() = "weld", built in the call's scratch memory */
static const char *name(void *env, const weld_cval *args, size_t nargs, weld_cval *result, weld_component_scratch *s) {
  (void)env, (void)args;
  CHECK(nargs == 0);
  char *p = weld_component_scratch_alloc(s, 4);
  CHECK(p);
  memcpy(p, "weld", 4);
  *result = (weld_cval){.kind = WELD_CT_STRING, .of.str = {p, 4}};
  return NULL;
}

/* a name() of the wrong kind */
static const char *bad_name(void *env, const weld_cval *args, size_t nargs, weld_cval *result, weld_component_scratch *s) {
  (void)env, (void)args, (void)nargs, (void)s;
  *result = (weld_cval){.kind = WELD_CT_U32, .of.u = 1};
  return NULL;
}

static void count_store(void *env, weld_store *store) {
  CHECK(store != NULL);
  ++*(int *)env;
}

static const char *kind_name(weld_ctype_kind k) {
  switch (k) {
  case WELD_CT_U32: return "u32";
  case WELD_CT_U64: return "u64";
  case WELD_CT_LIST: return "list";
  case WELD_CT_TUPLE: return "tuple";
  case WELD_CT_OPTION: return "option";
  case WELD_CT_RESULT: return "result";
  case WELD_CT_STRING: return "string";
  default: return "?";
  }
}

/* Calls f; prints the error or the trap when there is one; true when it returned. */
static bool call(weld_component_func *f, const char *what, const weld_cval *args, size_t n, weld_cval *res) {
  weld_trap *trap = NULL;
  weld_error *err = NULL;
  if (weld_component_call(f, args, n, res, &trap, &err)) return true;
  if (trap) {
    printf("%s: trap: %s\n", what, weld_trap_message(trap));
    weld_trap_free(trap);
  } else {
    CHECK(err);
    printf("%s: error (%s): %s\n", what, weld_error_get_kind(err) == WELD_ERROR_USAGE ? "usage" : "other",
           weld_error_message(err));
    weld_error_free(err);
  }
  return false;
}

static void wave(weld_component_instance *in, const char *text) {
  char *out = NULL;
  weld_trap *trap = NULL;
  weld_error *err = NULL;
  if (weld_component_call_wave(in, text, &out, &trap, &err)) {
    printf("wave %s = %s\n", text, out);
    free(out);
  } else if (trap) {
    printf("wave %s: trap: %s\n", text, weld_trap_message(trap));
    weld_trap_free(trap);
  } else {
    printf("wave %s: error: %s\n", text, weld_error_message(err));
    weld_error_free(err);
  }
}

int main(void) {
  weld_error *err = NULL;
  /* not a component */
  CHECK(!weld_component_new((const uint8_t *)"\0asm\x0d\0\x01\0\xff", 9, &err) && err);
  printf("garbage: %s\n", weld_error_get_kind(err) == WELD_ERROR_MALFORMED ? "malformed" : "other");
  weld_error_free(err);

  weld_component *c = weld_component_new((const uint8_t *)text, sizeof text - 1, &err);
  CHECK(c && !err);
  printf("exports:");
  for (size_t i = 0; i < weld_component_export_count(c); i++) printf(" %s", weld_component_export_name(c, i));
  printf("\nimports:");
  for (size_t i = 0; i < weld_component_import_count(c); i++) printf(" %s", weld_component_import_name(c, i));
  printf("\n");

  /* without the import: a link error */
  CHECK(!weld_component_instantiate(c, NULL, &err) && err);
  printf("no linker: %s\n", weld_error_get_kind(err) == WELD_ERROR_LINK ? "link error" : "other");
  weld_error_free(err);

  int stores = 0;
  weld_component_linker *l = weld_component_linker_new();
  CHECK(l);
  CHECK(weld_component_linker_define_func(l, "host:test/env", "scale", scale, NULL));
  CHECK(weld_component_linker_define_func(l, "host:test/env", "name", name, NULL));
  weld_component_linker_on_store(l, count_store, &stores);
  weld_component_instance *in = weld_component_instantiate(c, l, &err);
  CHECK(in && !err);
  printf("store hook ran %d time(s)\n", stores);

  weld_component_func *add = weld_component_instance_func(in, "add");
  CHECK(add && weld_component_instance_func(in, "add") == add && !weld_component_instance_func(in, "nope"));
  printf("add(%s: %s, %s: %s) -> %s\n", weld_component_func_param_name(add, 0),
         kind_name(weld_component_func_param_kind(add, 0)), weld_component_func_param_name(add, 1),
         kind_name(weld_component_func_param_kind(add, 1)), kind_name(weld_component_func_result_kind(add)));
  weld_cval r;
  weld_cval two[2] = {{.kind = WELD_CT_U32, .of.u = 2}, {.kind = WELD_CT_U32, .of.u = 40}};
  if (call(add, "add", two, 2, &r)) printf("add(2, 40) = %llu\n", (unsigned long long)r.of.u);
  /* wrapping u32 arithmetic in the guest */
  weld_cval big[2] = {{.kind = WELD_CT_U32, .of.u = 4000000000u}, {.kind = WELD_CT_U32, .of.u = 500000000u}};
  if (call(add, "add", big, 2, &r)) printf("add(4000000000, 500000000) = %llu\n", (unsigned long long)r.of.u);
  /* refused before running */
  weld_cval wrong[2] = {{.kind = WELD_CT_STRING, .of.str = {"x", 1}}, {.kind = WELD_CT_U32, .of.u = 1}};
  call(add, "add(\"x\", 1)", wrong, 2, &r);
  weld_cval range[2] = {{.kind = WELD_CT_U32, .of.u = 1ull << 32}, {.kind = WELD_CT_U32, .of.u = 1}};
  call(add, "add(2^32, 1)", range, 2, &r);
  call(add, "add(2)", two, 1, &r);

  weld_component_func *sum = weld_component_instance_func(in, "sum");
  CHECK(sum);
  weld_cval items[4] = {{.kind = WELD_CT_U32, .of.u = 1}, {.kind = WELD_CT_U32, .of.u = 2},
                        {.kind = WELD_CT_U32, .of.u = 3}, {.kind = WELD_CT_U32, .of.u = 4000000000u}};
  weld_cval list = {.kind = WELD_CT_LIST, .of.seq = {items, 4}};
  if (call(sum, "sum", &list, 1, &r)) printf("sum([1, 2, 3, 4000000000]) = %llu (%s)\n", (unsigned long long)r.of.u, kind_name(r.kind));
  items[2].kind = WELD_CT_S32;
  call(sum, "sum([1, 2, s32 3, 4000000000])", &list, 1, &r);

  weld_component_func *swap = weld_component_instance_func(in, "swap");
  weld_cval pair[2] = {{.kind = WELD_CT_S32, .of.s = 7}, {.kind = WELD_CT_S32, .of.s = -9}};
  weld_cval tup = {.kind = WELD_CT_TUPLE, .of.seq = {pair, 2}};
  if (call(swap, "swap", &tup, 1, &r))
    printf("swap((7, -9)) = (%lld, %lld)\n", (long long)r.of.seq.items[0].of.s, (long long)r.of.seq.items[1].of.s);

  weld_component_func *half = weld_component_instance_func(in, "half");
  CHECK(half && weld_component_func_param_kind(half, 0) == WELD_CT_OPTION &&
        weld_component_func_result_kind(half) == WELD_CT_RESULT);
  const long long ins[3] = {10, 7, -1};
  for (int k = 0; k < 3; k++) {
    weld_cval x = {.kind = WELD_CT_U8, .of.u = (uint64_t)ins[k]};
    weld_cval opt = {.kind = WELD_CT_OPTION, .of.var = {ins[k] >= 0, ins[k] >= 0 ? &x : NULL}};
    if (!call(half, "half", &opt, 1, &r)) continue;
    const weld_cval *p = r.of.var.payload;
    if (r.of.var.index == 0) printf("half(%lld) = ok(%llu)\n", ins[k], (unsigned long long)p->of.u);
    else printf("half(%lld) = err(\"%.*s\")\n", ins[k], (int)p->of.str.len, p->of.str.ptr);
  }
  weld_cval two_a = {.kind = WELD_CT_U8, .of.u = 2};
  weld_cval badopt = {.kind = WELD_CT_OPTION, .of.var = {2, &two_a}};
  call(half, "half(option index 2)", &badopt, 1, &r);

  weld_component_func *scaled = weld_component_instance_func(in, "scaled");
  weld_cval five = {.kind = WELD_CT_U32, .of.u = 5};
  if (call(scaled, "scaled", &five, 1, &r)) printf("scaled(5) = %llu\n", (unsigned long long)r.of.u);
  weld_component_func *hello = weld_component_instance_func(in, "hello");
  if (call(hello, "hello", NULL, 0, &r)) printf("hello() = \"%.*s\"\n", (int)r.of.str.len, r.of.str.ptr);

  wave(in, "add(1, 2)");
  wave(in, "half(some(4))");
  wave(in, "swap((1, 2))");
  wave(in, "add(1)");

  /* a trap, then the instance may not be entered again */
  weld_component_func *boom = weld_component_instance_func(in, "boom");
  call(boom, "boom", NULL, 0, &r);
  call(add, "add after the trap", two, 2, &r);
  weld_component_instance_free(in);

  /* a host result of the wrong kind is a trap of the call */
  weld_component_linker *l2 = weld_component_linker_new();
  CHECK(l2);
  CHECK(weld_component_linker_define_func(l2, "host:test/env", "scale", scale, NULL));
  CHECK(weld_component_linker_define_func(l2, "host:test/env", "name", bad_name, NULL));
  weld_component_instance *in2 = weld_component_instantiate(c, l2, &err);
  CHECK(in2);
  call(weld_component_instance_func(in2, "hello"), "hello with a bad host", NULL, 0, &r);
  weld_component_instance_free(in2);
  printf("store hook ran %d time(s)\n", stores);

  weld_component_linker_free(l2);
  weld_component_linker_free(l);
  weld_component_free(c);
  return 0;
}

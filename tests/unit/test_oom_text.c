/* Out of memory in the text format (part of the `oom` group, test_oom.c): the module
 * reader (text_wat_to_binary, and weld_module_new on text), the script parser
 * (text_wast_parse, text_wast_module_bytes) and the printer (text_print_module) are run
 * once per allocation they make, with that one allocation failing (util_alloc_fail_at).
 * Every run must either succeed with the same result as a run without failures, or fail
 * with "out of memory" (UTIL_ERR_OOM, with a line and column where the input is text);
 * never abort, and never leak (LeakSanitizer checks that in the ASan build). The loop
 * ends at the first run whose injected failure never came, which proves every
 * allocation on the path was tried. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "text/text.h"
#include "text/wast.h"
#include "util/util.h"
#include "wasm/module.h"
#include "weld.h"

/* ---------- inputs ------------------------------------------------------------------ */

typedef struct sbuf {
  char *p;
  size_t len, cap;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) abort();
    if (b->p && (size_t)n < b->cap - b->len) {
      b->len += (size_t)n;
      return;
    }
    b->cap = (b->cap + (size_t)n + 1) * 2;
    b->p = realloc(b->p, b->cap);
    if (!b->p) abort();
  }
}

/* A float literal longer than the 127 characters the reader converts on its stack. */
static void long_float(sbuf *b) {
  put(b, "1.");
  for (int i = 0; i < 200; i++) put(b, "%d", i % 10);
  put(b, "e-3");
}

/* A valid 2.0 module with every kind of field, `nfuncs` functions of several types
 * (named parameters and locals, labels, folded and flat blocks, br_table, calls,
 * call_indirect, select with a type, SIMD, memory and table instructions), data
 * strings with escapes and a long one, element segments in every form, quoted
 * identifiers, and a function whose blocks and expressions nest `depth` deep. */
static char *gen_module(int nfuncs, int depth) {
  sbuf b = {0};
  put(&b, "(module $big\n"
          "  (type $t0 (func (param i32) (result i32)))\n"
          "  (import \"env\" \"h\" (func $h (type $t0)))\n"
          "  (import \"env\" \"tab\" (table $it 1 funcref))\n"
          "  (import \"env\" \"g\" (global $ig i32))\n"
          "  (memory $mem (export \"mem\") (data \"\\00\\01hello\\n\\u{1F600}\\\"q\\\"\" \"second\"))\n"
          "  (table $tab (export \"tab\") funcref (elem $f0 $f1 $f2))\n"
          "  (table $tab2 externref (elem (ref.null extern) (item ref.null extern)))\n"
          "  (global $g (mut i32) (i32.const 0))\n"
          "  (global $gf f64 (f64.const ");
  long_float(&b);
  put(&b, "))\n"
          "  (global $\"quoted id\" (mut i64) (i64.const -1))\n"
          "  (elem $e1 (table $tab) (offset (i32.const 1)) func $f0 $f1)\n"
          "  (elem $e2 funcref (ref.func $f2) (item ref.func $f0))\n"
          "  (elem $e3 funcref (ref.null func) (ref.func $f1))\n"
          "  (elem declare func $f0)\n"
          "  (data $d0 (i32.const 100) \"data\\ff\\00\" \"more\")\n"
          "  (data $d1 \"");
  for (int i = 0; i < 3000; i++) put(&b, i % 7 ? "ab" : "\\t\\u{e9}");
  put(&b, "\")\n"
          "  (func $init (global.set $g (i32.const 1)))\n"
          "  (start $init)\n");
  for (int k = 0; k < nfuncs; k++) {
    put(&b, "  (func $f%d (export \"f%d\") (param $a i32) (param $b i64)", k, k);
    for (int j = 0; j < k % 6; j++) put(&b, " (param f64)");
    put(&b, " (result i32) (local $x f32) (local $\"y %d\" i32) (local v128 i64)\n", k);
    put(&b, "    (block $out%d (result i32)\n"
            "      (loop $lp%d\n"
            "        (br_if $out%d (i32.const %d) (i32.eqz (local.get $a)))\n"
            "        (local.set $a (i32.sub (local.get $a) (i32.const 1)))\n"
            "        (block $sw (block (br_table 0 $sw $lp%d (local.get $\"y %d\"))))\n"
            "        (br $lp%d))\n"
            "      (i32.const 0))\n"
            "    (drop)\n"
            "    (if (result i32) (local.get $a)\n"
            "      (then (call $h (local.get $a)))\n"
            "      (else (call_indirect $tab (type $t0) (local.get $a) (i32.const 0))))\n"
            "    (drop)\n"
            "    (drop (v128.const i32x4 1 2 3 %d))\n"
            "    (global.set $g (select (result i32) (i32.const 1) (i32.const 2) (local.get $\"y %d\")))\n"
            "    (i64.store offset=8 align=4 (i32.const 0) (local.get $b))\n"
            "    (local.set $x (f32.const 0x1.8p+1))\n"
            "    (memory.init $d1 (i32.const 0) (i32.const 0) (i32.const 1))\n"
            "    (table.init $tab $e2 (i32.const 0) (i32.const 0) (i32.const 0))\n"
            "    block $flat (result i32)\n"
            "      i32.const %d\n"
            "      if $fi\n"
            "        nop\n"
            "      else $fi\n"
            "        nop\n"
            "      end $fi\n"
            "      i32.const 1\n"
            "    end $flat)\n",
        k, k, k, k, k, k, k, k, k, k);
  }
  /* deep: flat blocks, folded blocks and a folded expression, each `depth` levels */
  put(&b, "  (func $deep (export \"deep\") (result i32)\n    ");
  for (int i = 0; i < depth; i++) put(&b, "block $b%d ", i);
  for (int i = 0; i < depth; i++) put(&b, "end ");
  put(&b, "\n    ");
  for (int i = 0; i < depth; i++) put(&b, "(block ");
  for (int i = 0; i < depth; i++) put(&b, ")");
  put(&b, "\n    ");
  for (int i = 0; i < depth; i++) put(&b, "(i32.add (i32.const %d) ", i);
  put(&b, "(i32.const 0)");
  for (int i = 0; i < depth; i++) put(&b, ")");
  put(&b, "))\n");
  return b.p;
}

static const char script[] =
    "(module $m1 (func (export \"f\") (param i32) (result i32) (local.get 0)))\n"
    "(register \"m1\" $m1)\n"
    "(assert_return (invoke $m1 \"f\" (i32.const 5)) (i32.const 5))\n"
    "(assert_return (invoke \"f\" (i32.const 1)) (either (i32.const 1) (i32.const 2)))\n"
    "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")\n"
    "(module quote \"(func (export \\\"g\\\") (result f32)\" \"(f32.const 1.5))\")\n"
    "(assert_malformed (module quote \"(func (i32.const))\") \"unexpected token\")\n"
    "(assert_invalid (module (func (result i32))) \"type mismatch\")\n"
    "(assert_trap (invoke \"f\" (i32.const 0)) \"unreachable\")\n"
    "(assert_return (invoke \"f\" (f32.const 1.5) (f64.const -0x1p-3))\n"
    "  (f32.const nan:canonical) (f64.const nan:arithmetic) (ref.null func) (ref.extern 1) (ref.func))\n"
    "(assert_return (invoke \"v\" (v128.const i32x4 1 2 3 4)) (v128.const f32x4 nan:canonical 1 2 3))\n"
    "(thread $T (shared (module $m1)) (register \"x\" $m1) (assert_return (invoke $m1 \"f\" (i32.const 2)) (i32.const 2)))\n"
    "(wait $T)\n"
    "(module definition $d (import \"m1\" \"f\" (func (param i32) (result i32))) (data (i32.const 0)) (memory 1))\n"
    "(module instance $i $d)\n"
    "(assert_exhaustion (invoke \"f\") \"call stack exhausted\")\n"
    "(assert_unlinkable (module (import \"m1\" \"nope\" (func))) \"unknown import\")\n"
    "(assert_return (invoke \"c\" (record.const (field \"a\" u8.const 1) (field \"b\" (list.const (str.const \"x\")))))\n"
    "  (variant.const \"v\" (option.some (flags.const \"a\" \"b\"))))\n";

/* ---------- the driver -------------------------------------------------------------- */

typedef struct run {
  const char *what;
  /* One attempt: true on success; on failure false with *err set. *out and *outlen: the
   * result to compare (malloc'd), or NULL. */
  bool (*op)(void *ctx, util_error *err, uint8_t **out, size_t *outlen);
  void *ctx;
  bool want_line;  /* errors at a place in the text (offset >= 0) must carry its line and column */
} run;

/* Returns how many allocations the operation makes. */
static unsigned long each_allocation(const run *r) {
  util_error err;
  uint8_t *ref = NULL, *got = NULL;
  size_t reflen = 0, gotlen = 0;
  util_error_clear(&err);
  util_alloc_fail_at(0);
  if (!CHECK(r->op(r->ctx, &err, &ref, &reflen))) {
    fprintf(stderr, "%s: %s\n", r->what, err.msg);
    return 0;
  }
  unsigned long total = util_alloc_fail_at(0), n, failed = 0, bad = 0;
  bool finished = false;
  for (n = 1; n <= total + 1; n++) {
    util_error_clear(&err);
    got = NULL;
    gotlen = 0;
    util_alloc_fail_at(n);
    bool ok = r->op(r->ctx, &err, &got, &gotlen);
    unsigned long made = util_alloc_fail_at(0);
    if (made < n) { /* nothing failed: the same result as without failures */
      finished = true;
      if (CHECK(ok)) CHECK(gotlen == reflen && (reflen == 0 || memcmp(got, ref, reflen) == 0));
      free(got);
      break;
    }
    if (ok) { /* a failed allocation must be reported */
      bad++;
      if (bad <= 3) fprintf(stderr, "%s: allocation %lu failed, but the operation succeeded\n", r->what, n);
      free(got);
      continue;
    }
    failed++;
    bool right = err.kind == UTIL_ERR_OOM && strcmp(err.msg, "out of memory") == 0 &&
                 (!r->want_line || (err.line > 0 && err.col > 0) || err.offset < 0);
    if (!right) {
      bad++;
      if (bad <= 3)
        fprintf(stderr, "%s: allocation %lu: kind %d, \"%s\" at %d:%d\n", r->what, n, (int)err.kind, err.msg,
                err.line, err.col);
    }
  }
  CHECK(finished);
  CHECK_EQ_U64(bad, 0);
  CHECK_EQ_U64(failed, total);
  CHECK(total > 0);
  fprintf(stderr, "oom %s: %lu allocations, each failed once (%lu failures reported)\n", r->what, total, failed);
  free(ref);
  return total;
}

/* ---------- operations -------------------------------------------------------------- */

/* A component in the text format with the reader's every kind of field and abbreviation:
 * nested core module and component, inline types, aliases of instance exports, implicit
 * outer aliases, inline exports, a resource, canonical functions with options, names. */
static const char component_text[] =
    "(component $c\n"
    "  (core module $m (memory (export \"mem\") 1)\n"
    "    (func (export \"realloc\") (param i32 i32 i32 i32) (result i32) (i32.const 0))\n"
    "    (func (export \"f\") (param i32 i32) (result i32) (local.get 0)))\n"
    "  (core instance $i (instantiate $m))\n"
    "  (type $r (record (field \"a\" u32) (field \"b\" (list string))))\n"
    "  (type $v (variant (case \"x\" $r) (case \"y\")))\n"
    "  (type $R (resource (rep i32)))\n"
    "  (func $f (export \"f\") (param \"s\" string) (result u32)\n"
    "    (canon lift (core func $i \"f\") (memory (core memory $i \"mem\"))\n"
    "      (realloc (core func $i \"realloc\")) string-encoding=utf8))\n"
    "  (core func $drop (canon resource.drop $R))\n"
    "  (import \"host\" (implements \"a:b/c\") (instance $h\n"
    "    (export \"t\" (type $t (sub resource)))\n"
    "    (export \"g\" (func (param \"x\" (own $t)) (result (option (own $t)))))))\n"
    "  (alias export $h \"g\" (func $g))\n"
    "  (core func $g2 (canon lower (func $g) (memory (core memory $i \"mem\"))))\n"
    "  (core type $mt (module (import \"a\" \"b\" (func (param i32))) (export \"c\" (memory 1))))\n"
    "  (component $inner\n"
    "    (import \"x\" (func (param \"s\" string) (result u32)))\n"
    "    (type $tu (func (param \"a\" (tuple u8 s8)) (result (result u32 (error string)))))\n"
    "    (type (instance (export \"q\" (type (eq $r))))))\n"
    "  (instance $ii (instantiate $inner (with \"x\" (func $f))))\n"
    "  (export \"r\" (type $r)))\n";

static bool op_component(void *ctx, util_error *err, uint8_t **out, size_t *outlen) {
  const char *src = ctx;
  return text_component_to_binary(src, strlen(src), out, outlen, err);
}

static bool op_wat(void *ctx, util_error *err, uint8_t **out, size_t *outlen) {
  const char *src = ctx;
  return text_wat_to_binary(src, strlen(src), "big.wat", out, outlen, err);
}

/* weld_module_new on text: the reader, then the decoder, validator and translator. */
typedef struct api_ctx {
  weld_engine *e;
  const char *src;
} api_ctx;

static bool op_api(void *ctx, util_error *err, uint8_t **out, size_t *outlen) {
  api_ctx *a = ctx;
  weld_error *we = NULL;
  weld_module *m = weld_module_new(a->e, (const uint8_t *)a->src, strlen(a->src), &we);
  (void)out, (void)outlen;
  if (!m) {
    const char *msg = we ? weld_error_message(we) : "(no error)";
    bool oom = we && weld_error_get_kind(we) == WELD_ERROR_LIMIT;
    util_fail(err, oom ? UTIL_ERR_OOM : UTIL_ERR_MALFORMED, -1, "%s", msg);
    weld_error_free(we);
    return false;
  }
  bool ok = weld_module_export_count(m) > 0;
  weld_module_free(m);
  return ok || util_fail(err, UTIL_ERR_MALFORMED, -1, "no exports");
}

/* An engine with its module cache, a module made twice (a miss, then a hit: the same
 * module), both holders freed, the engine freed. */
static bool op_api_cached(void *ctx, util_error *err, uint8_t **out, size_t *outlen) {
  const char *src = ctx;
  (void)out, (void)outlen;
  weld_config c;
  weld_config_default(&c);
  c.module_cache_off = false;
  weld_error *we = NULL;
  weld_engine *e = weld_engine_new_err(&c, &we);
  weld_module *a = e ? weld_module_new(e, (const uint8_t *)src, strlen(src), &we) : NULL;
  weld_module *b = a ? weld_module_new(e, (const uint8_t *)src, strlen(src), &we) : NULL;
  bool ok = a && b == a;
  if (!b && !we) return util_fail(err, UTIL_ERR_MALFORMED, -1, "no error");
  if (a && b && a != b) util_fail(err, UTIL_ERR_MALFORMED, -1, "the second module is not the first");
  else if (!b) {
    bool oom = weld_error_get_kind(we) == WELD_ERROR_LIMIT;
    util_fail(err, oom ? UTIL_ERR_OOM : UTIL_ERR_MALFORMED, -1, "%s", weld_error_message(we));
  }
  weld_error_free(we);
  weld_module_free(b);
  weld_module_free(a);
  weld_engine_free(e);
  return ok;
}

/* The script parsed, and every module command's bytes (concatenated into *out). */
static bool op_wast(void *ctx, util_error *err, uint8_t **out, size_t *outlen) {
  const char *src = ctx;
  wast_script *s = text_wast_parse(src, strlen(src), err);
  if (!s) return false;
  sbuf all = {0};
  bool ok = true;
  for (size_t i = 0; ok && i < s->ncmds; i++) {
    const wast_command *c = &s->cmds[i];
    if (c->kind != WAST_MODULE && c->kind != WAST_ASSERT_INVALID && c->kind != WAST_ASSERT_UNLINKABLE) continue;
    uint8_t *bin;
    size_t len;
    if (!(ok = text_wast_module_bytes(s, &c->module, &bin, &len, err))) break;
    put(&all, "%zu:", len);
    for (size_t k = 0; k < len; k++) put(&all, "%02x", bin[k]);
    free(bin);
  }
  text_wast_free(s);
  if (!ok) {
    free(all.p);
    return false;
  }
  *out = (uint8_t *)all.p;
  *outlen = all.len;
  return true;
}

static void count_name(void *ctx, const char *name, size_t len) {
  (void)name;
  *(size_t *)ctx += len;
}

/* The runner's helpers that cannot report an error: they must not crash or leak. */
static void wast_helpers_each_allocation(const char *src) {
  util_error err;
  wast_script *s = text_wast_parse(src, strlen(src), &err);
  if (!CHECK(s)) return;
  unsigned long total = 0;
  for (unsigned long n = 1;; n++) {
    util_alloc_fail_at(n);
    size_t names = 0;
    for (size_t i = 0; i < s->ncmds; i++) {
      if (!s->cmds[i].has_module) continue;
      (void)text_wast_module_feature(s, &s->cmds[i].module);
      text_wast_module_writes(s, &s->cmds[i].module, count_name, &names);
    }
    unsigned long made = util_alloc_fail_at(0);
    if (made < n) {
      total = made;
      break;
    }
  }
  CHECK(total > 0);
  fprintf(stderr, "oom wast feature scan: %lu allocations, each failed once\n", total);
  text_wast_free(s);
}

typedef struct print_ctx {
  const wasm_module *m;
  text_print_style style;
} print_ctx;

static bool op_print(void *ctx, util_error *err, uint8_t **out, size_t *outlen) {
  print_ctx *pc = ctx;
  FILE *f = tmpfile();
  if (!f) return util_fail(err, UTIL_ERR_IO, -1, "tmpfile");
  bool ok = text_print_module(pc->m, pc->style, f, err);
  if (ok) {
    long n = ftell(f);
    rewind(f);
    *out = malloc(n > 0 ? (size_t)n : 1);
    *outlen = n > 0 ? (size_t)n : 0;
    if (!*out || fread(*out, 1, *outlen, f) != *outlen) ok = util_fail(err, UTIL_ERR_IO, -1, "read back");
  }
  fclose(f);
  return ok;
}

void oom_text_tests(void);
void oom_text_tests(void) {
  char *big = gen_module(60, 1000);
  uint8_t *bin = NULL;
  size_t len = 0;
  util_error err;
  util_alloc_fail_at(0);
  if (!CHECK(text_wat_to_binary(big, strlen(big), "big.wat", &bin, &len, &err))) {
    fprintf(stderr, "%s at %d:%d\n", err.msg, err.line, err.col);
    free(big);
    return;
  }
  /* the module is valid and complete (imports: h, a table, a global); the engine keeps
   * no module cache, so that every run below compiles */
  weld_config cfg;
  weld_config_default(&cfg);
  cfg.module_cache_off = true;
  weld_engine *e = weld_engine_new(&cfg);
  weld_error *we = NULL;
  weld_module *wm = weld_module_new(e, bin, len, &we);
  if (!CHECK(wm)) fprintf(stderr, "big.wat: %s\n", weld_error_message(we));
  else CHECK_EQ_U64(weld_module_export_count(wm), 60 + 3);
  weld_module_free(wm);
  weld_error_free(we);

  run wat = {"text_wat_to_binary (large module)", op_wat, big, true};
  each_allocation(&wat);

  run comp = {"text_component_to_binary", op_component, (void *)component_text, true};
  each_allocation(&comp);

  free(bin);

  /* the printer on a decoded module (a smaller one: each run prints all of it), both
   * styles */
  char *mid = gen_module(12, 100);
  bin = NULL;
  CHECK(text_wat_to_binary(mid, strlen(mid), "mid.wat", &bin, &len, &err));
  free(mid);
  wasm_module *m = bin ? wasm_decode(bin, len, &err) : NULL;
  if (CHECK(m)) {
    print_ctx flat = {m, TEXT_PRINT_FLAT}, folded = {m, TEXT_PRINT_FOLDED};
    run pf = {"text_print_module (flat)", op_print, &flat, false};
    run pd = {"text_print_module (folded)", op_print, &folded, false};
    each_allocation(&pf);
    each_allocation(&pd);
    wasm_module_free(m);
  }
  free(bin);

  /* weld_module_new on a smaller text: reading, decoding, validating, translating */
  char *small = gen_module(3, 20);
  api_ctx ac = {e, small};
  run api = {"weld_module_new (text)", op_api, &ac, false};
  each_allocation(&api);
  run cached = {"weld_module_new twice through the module cache", op_api_cached, small, false};
  each_allocation(&cached);
  free(small);
  weld_engine_free(e);

  run ws = {"text_wast_parse and module bytes", op_wast, (void *)script, true};
  each_allocation(&ws);
  wast_helpers_each_allocation(script);
  free(big);
}

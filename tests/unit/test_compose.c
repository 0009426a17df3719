/* Composition (src/component/compose.c): version matching, a small composition whose
 * output is decoded and validated again, every allocation failing in turn, and every
 * byte of the inputs changed (no crash; an output is always valid). The command line
 * and runs under weld and Node.js: tests/component/compose/run.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/component.h"
#include "component/compose.h"
#include "text/text.h"
#include "unit.h"

static const char lib_wat[] =
    "(component\n"
    "  (core module $m (func (export \"f\") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))\n"
    "  (core instance $i (instantiate $m))\n"
    "  (func $f (param \"x\" u32) (result u32) (canon lift (core func $i \"f\")))\n"
    "  (instance $e (export \"inc\" (func $f)))\n"
    "  (export \"local:t/ops@1.2.0\" (instance $e)))\n";

static const char root_wat[] =
    "(component\n"
    "  (import \"local:t/ops@1.0.0\" (instance $o (export \"inc\" (func (param \"x\" u32) (result u32)))))\n"
    "  (import \"local:t/other\" (instance $p (export \"r\" (type (sub resource)))\n"
    "    (export \"get\" (func (result (own 0))))))\n"
    "  (alias export $o \"inc\" (func $inc))\n"
    "  (core func $l (canon lower (func $inc)))\n"
    "  (core module $m (import \"\" \"inc\" (func $inc (param i32) (result i32)))\n"
    "    (func (export \"g\") (result i32) (call $inc (i32.const 41))))\n"
    "  (core instance $i (instantiate $m (with \"\" (instance (export \"inc\" (func $l))))))\n"
    "  (func (export \"g\") (result u32) (canon lift (core func $i \"g\"))))\n";

static bool encode(const char *src, uint8_t **out, size_t *len) {
  util_error err;
  return text_component_to_binary(src, strlen(src), out, len, &err);
}

UNIT_GROUP(compose_names) {
  static const struct {
    const char *a, *b;
    bool ok;
  } cases[] = {
      {"local:calc/ops", "local:calc/ops", true},      {"local:calc/ops@0.2.0", "local:calc/ops@0.2.1", true},
      {"local:calc/ops@0.2.1", "local:calc/ops@0.2.0", true}, {"local:calc/ops@0.2.0", "local:calc/ops@0.3.0", false},
      {"local:calc/ops@1.0.0", "local:calc/ops@1.4.2", true}, {"local:calc/ops@1.0.0", "local:calc/ops@2.0.0", false},
      {"local:calc/ops@0.0.1", "local:calc/ops@0.0.2", false}, {"local:calc/ops@0.0.1", "local:calc/ops@0.0.1", true},
      {"local:calc/ops@0.2.0", "local:calc/opz@0.2.0", false}, {"local:calc/ops@0.2.0-rc", "local:calc/ops@0.2.0", false},
      {"local:calc/ops", "local:calc/ops@0.2.0", false},   {"a", "b", false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    if (!CHECK(comp_compose_names_compatible(cases[i].a, strlen(cases[i].a), cases[i].b, strlen(cases[i].b)) ==
               cases[i].ok))
      fprintf(stderr, "  %s vs %s\n", cases[i].a, cases[i].b);
}

UNIT_GROUP(compose) {
  uint8_t *lib, *root;
  size_t nlib, nroot;
  if (!CHECK(encode(lib_wat, &lib, &nlib)) || !CHECK(encode(root_wat, &root, &nroot))) return;
  comp_compose_input in[2] = {{"root", root, nroot}, {"lib", lib, nlib}};
  util_buf out = {0};
  char why[512];
  bool ok = comp_compose(in, 2, &out, why, sizeof why);
  if (!CHECK(ok)) fprintf(stderr, "  %s\n", why);
  if (ok) {
    util_error err;
    comp_component *c = comp_decode(out.p, out.len, &err);
    comp_info *info = NULL;
    CHECK(c && comp_validate(c, &info, &err));
    /* local:t/other passes through; local:t/ops is satisfied */
    if (CHECK(info && info->nimports == 1)) CHECK(info->imports[0].name->name.len == strlen("local:t/other"));
    CHECK(info && info->nexports == 1);
    comp_info_free(info);
    comp_free(c);
  }
  util_buf_free(&out);

  /* every allocation failing in turn: false with "out of memory", or done */
  unsigned long n = 1, failed = 0;
  bool finished = false;
  for (; n < 200000; n++) {
    util_buf o = {0};
    util_alloc_fail_at(n);
    bool r = comp_compose(in, 2, &o, why, sizeof why);
    unsigned long made = util_alloc_fail_at(0);
    util_buf_free(&o);
    if (made < n) {
      finished = true;
      CHECK(r);
      break;
    }
    if (!r) {
      failed++;
      if (!CHECK(strcmp(why, "out of memory") == 0 || strstr(why, "out of memory"))) fprintf(stderr, "  %lu: %s\n", n, why);
    }
  }
  CHECK(finished);
  CHECK(failed > 0);

  /* every byte of each input changed: never a crash, an output always valid (compose
   * validates what it writes and says "internal error" when that fails) */
  for (int which = 0; which < 2; which++) {
    uint8_t *copy = malloc(in[which].len);
    const uint8_t *orig = in[which].bytes;
    for (size_t i = 0; copy && i < in[which].len; i++) {
      memcpy(copy, orig, in[which].len);
      copy[i] ^= 0x41;
      comp_compose_input m[2] = {in[0], in[1]};
      m[which].bytes = copy;
      util_buf o = {0};
      if (!comp_compose(m, 2, &o, why, sizeof why) && !CHECK(strstr(why, "internal error") == NULL))
        fprintf(stderr, "  input %d byte %zu: %s\n", which, i, why);
      util_buf_free(&o);
    }
    free(copy);
  }
  free(lib);
  free(root);
}

/* A root that exports a resource and a record and then functions using them (found by
 * fuzz_component): composed (here alone), its function exports must name the exported
 * types through a type ascription, or the output does not validate ("internal error"). */
static const char exports_types_wat[] =
    "(component\n"
    "  (core module $m (func (export \"f\") (param i32) (result i32) (local.get 0)))\n"
    "  (core instance $i (instantiate $m))\n"
    "  (type $r (resource (rep i32)))\n"
    "  (type $rec (record (field \"x\" u32)))\n"
    "  (export $R \"r\" (type $r))\n"
    "  (export $P \"pt\" (type $rec))\n"
    "  (func (export \"get\") (param \"h\" (borrow $R)) (result u32) (canon lift (core func $i \"f\")))\n"
    "  (func (export \"mk\") (param \"x\" u32) (result $P) (canon lift (core func $i \"f\"))))\n";

UNIT_GROUP(compose_export_types) {
  uint8_t *root;
  size_t nroot;
  if (!CHECK(encode(exports_types_wat, &root, &nroot))) return;
  comp_compose_input in[1] = {{"root", root, nroot}};
  util_buf out = {0};
  char why[512];
  bool ok = comp_compose(in, 1, &out, why, sizeof why);
  if (!CHECK(ok)) fprintf(stderr, "  %s\n", why);
  if (ok) {
    util_error err;
    comp_component *c = comp_decode(out.p, out.len, &err);
    comp_info *info = NULL;
    CHECK(c && comp_validate(c, &info, &err));
    CHECK(info && info->nimports == 0 && info->nexports == 4);
    comp_info_free(info);
    comp_free(c);
  }
  util_buf_free(&out);
  /* every allocation failing in turn: "out of memory" or done */
  bool finished = false;
  for (unsigned long n = 1; n < 200000; n++) {
    util_buf o = {0};
    util_alloc_fail_at(n);
    bool r = comp_compose(in, 1, &o, why, sizeof why);
    unsigned long made = util_alloc_fail_at(0);
    util_buf_free(&o);
    if (made < n) {
      finished = CHECK(r);
      break;
    }
    if (!r && !CHECK(strstr(why, "out of memory"))) fprintf(stderr, "  %lu: %s\n", n, why);
  }
  CHECK(finished);
  free(root);
}

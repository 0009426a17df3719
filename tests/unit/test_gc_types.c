/* GC's front end (3.0): the type IR the decoder builds from rec/sub/struct/array, the
 * iso-recursive equivalence of recursion groups (in one module, and across modules
 * through the engine's type ids), subtyping, the validation of GC instructions and
 * constant expressions, and that modules using them compile. Expected verdicts are the
 * 3.0 specification's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "text/text.h"
#include "unit.h"
#include "wasm/validate.h"

static wasm_module *load(const char *wat) {
  util_error err;
  util_error_clear(&err);
  return text_load_module((const uint8_t *)wat, strlen(wat), NULL, &err);
}

/* NULL: valid; else the message must contain expect_msg. */
static bool validates(const char *wat, const char *expect_msg) {
  util_error err;
  util_error_clear(&err);
  wasm_module *m = text_load_module((const uint8_t *)wat, strlen(wat), NULL, &err);
  if (!m) return false;
  bool ok = wasm_validate(m, &err);
  wasm_module_free(m);
  if (expect_msg) return !ok && strstr(err.msg, expect_msg) != NULL;
  return ok;
}

static exec_module *compile(exec_typetab *tab, const char *wat, util_error *err) {
  util_error_clear(err);
  wasm_module *m = text_load_module((const uint8_t *)wat, strlen(wat), NULL, err);
  if (!m) return NULL;
  exec_module *em = exec_module_compile(m, tab, err);
  if (!em) wasm_module_free(m);
  return em;
}

UNIT_GROUP(gc) {
  /* the IR: kinds, fields, supertypes, finality, recursion groups */
  wasm_module *m = load("(module (rec (type $a (sub (struct (field (mut i8)) (field $r (ref null $b)))))"
                        " (type $b (sub final $a (struct (field (mut i8)) (field (ref null $b)) (field i16)))))"
                        " (type $v (array i64)) (type $f (func (param anyref))))");
  if (CHECK(m) && CHECK(m->ntypes == 4)) {
    const wasm_deftype *a = &m->deftypes[0], *b = &m->deftypes[1], *v = &m->deftypes[2], *f = &m->deftypes[3];
    CHECK(a->kind == WASM_TYPE_STRUCT && !a->final && a->super == WASM_NO_SUPER && a->rec == 0 && a->rec_len == 2);
    CHECK(a->nfields == 2 && a->fields[0].type == WASM_PACKED_I8 && a->fields[0].mut && !a->fields[1].mut);
    CHECK(a->fields[1].type == wasm_reftype(true, WASM_HEAP_INDEX + 1));
    CHECK(b->kind == WASM_TYPE_STRUCT && b->final && b->super == 0 && b->rec == 0 && b->nfields == 3);
    CHECK(b->fields[2].type == WASM_PACKED_I16 && wasm_unpacked(b->fields[2].type) == WASM_I32);
    CHECK(v->kind == WASM_TYPE_ARRAY && v->final && v->nfields == 1 && v->fields[0].type == WASM_I64 && v->rec == 2 && v->rec_len == 1);
    CHECK(f->kind == WASM_TYPE_FUNC && m->types[3].nparams == 1 && m->types[3].params[0] == WASM_ANYREF);
    CHECK(wasm_validate(m, NULL));
    wasm_module_free(m);
  }
  CHECK(strcmp(wasm_valtype_name(wasm_reftype(false, WASM_HEAP_I31)), "(ref i31)") == 0);
  CHECK(strcmp(wasm_valtype_name(WASM_NULLEXTERNREF), "nullexternref") == 0);

  /* equivalence: the same group shape at different indices is one type... */
  CHECK(validates("(module (rec (type $a (struct (field (ref null $a)))))"
                  " (rec (type $b (struct (field (ref null $b)))))"
                  " (func (param (ref $a)) (result (ref $b)) (local.get 0)))", NULL));
  /* ...a different position in equal groups, or a different group, is not */
  CHECK(validates("(module (rec (type $a1 (struct)) (type $a2 (struct (field i32))))"
                  " (rec (type $b1 (struct)) (type $b2 (struct (field i32))))"
                  " (func (param (ref $a1)) (result (ref $b2)) (local.get 0)))", "type mismatch"));
  CHECK(validates("(module (rec (type $a (struct)) (type (func)))"
                  " (rec (type $b (struct)))"
                  " (func (param (ref $a)) (result (ref $b)) (local.get 0)))", "type mismatch"));
  /* finality is part of the type */
  CHECK(validates("(module (type $a (sub (func))) (type $b (func))"
                  " (func (param (ref $a)) (result (ref $b)) (local.get 0)))", "type mismatch"));

  /* subtyping: declared supertypes, transitively; the abstract hierarchy */
  CHECK(validates("(module (type $a (sub (struct))) (type $b (sub $a (struct (field i32))))"
                  " (type $c (sub $b (struct (field i32) (field f32))))"
                  " (func (param (ref $c)) (result (ref $a)) (local.get 0))"
                  " (func (param (ref $c)) (result eqref) (local.get 0))"
                  " (func (param nullref) (result (ref null $c)) (local.get 0))"
                  " (func (param i31ref) (result anyref) (local.get 0)))", NULL));
  CHECK(validates("(module (type $a (sub (struct))) (type $b (sub $a (struct)))"
                  " (func (param (ref $a)) (result (ref $b)) (local.get 0)))", "type mismatch"));
  CHECK(validates("(module (func (param nullfuncref) (result anyref) (local.get 0)))", "type mismatch"));
  CHECK(validates("(module (type $f (func)) (func (param (ref $f)) (result structref) (local.get 0)))", "type mismatch"));
  /* sub declarations: not final, same kind, matching structure, defined before */
  CHECK(validates("(module (type $a (struct)) (type (sub $a (struct))))", "sub type"));
  CHECK(validates("(module (type $a (sub (struct (field i32)))) (type (sub $a (struct (field i64)))))", "sub type"));
  CHECK(validates("(module (type $a (sub (struct (field (mut i32))))) (type (sub $a (struct (field i32)))))", "sub type"));
  CHECK(validates("(module (type $a (sub (array (ref null any)))) (type (sub $a (array (ref null eq)))))", NULL));
  CHECK(validates("(module (type $a (sub (array (mut anyref)))) (type (sub $a (array (mut eqref)))))", "sub type"));
  CHECK(validates("(module (type $a (sub (func (param eqref) (result anyref))))"
                  " (type (sub $a (func (param anyref) (result eqref)))))", NULL));
  CHECK(validates("(module (type $a (sub (func (param anyref)))) (type (sub $a (func (param eqref)))))", "sub type"));
  CHECK(validates("(module (rec (type (sub 1 (struct))) (type (sub (struct)))))", "unknown type"));

  /* instructions */
  CHECK(validates("(module (type $s (struct (field $x (mut i8)) (field $y f64)))"
                  " (func (result i32) (struct.get_s $s $x (struct.new $s (i32.const 300) (f64.const 1))))"
                  " (func (param (ref null $s)) (struct.set $s $x (local.get 0) (i32.const 1))))", NULL));
  CHECK(validates("(module (type $s (struct (field i8))) (func (param (ref $s)) (result i32) (struct.get $s 0 (local.get 0))))",
                  "type mismatch"));
  CHECK(validates("(module (type $s (struct (field f64))) (func (param (ref $s)) (struct.set $s 0 (local.get 0) (f64.const 0))))",
                  "immutable field"));
  CHECK(validates("(module (type $s (struct (field (ref any)))) (func (drop (struct.new_default $s))))", "type mismatch"));
  CHECK(validates("(module (type $a (array (mut i8))) (type $b (array i16))"
                  " (func (param (ref $a) (ref $b)) (array.copy $a $b (local.get 0) (i32.const 0) (local.get 1) (i32.const 0) (i32.const 1))))",
                  "array types do not match"));
  CHECK(validates("(module (type $a (array (mut anyref))) (type $b (array eqref))"
                  " (func (param (ref $a) (ref $b)) (array.copy $a $b (local.get 0) (i32.const 0) (local.get 1) (i32.const 0) (i32.const 1))))",
                  NULL));
  CHECK(validates("(module (type $a (array funcref)) (data \"\") (func (drop (array.new_data $a 0 (i32.const 0) (i32.const 0)))))",
                  "array type is not numeric or vector"));
  CHECK(validates("(module (type $a (array i8)) (func (param (ref $a)) (array.fill $a (local.get 0) (i32.const 0) (i32.const 0) (i32.const 0))))",
                  "immutable array"));
  CHECK(validates("(module (func (param anyref) (result (ref i31)) (ref.cast (ref i31) (local.get 0))))", NULL));
  CHECK(validates("(module (func (param externref) (result i32) (ref.test (ref i31) (local.get 0))))", "type mismatch"));
  /* br_on_cast: the target below the source; what stays is the source minus the target */
  CHECK(validates("(module (type $s (struct)) (func (param anyref) (result (ref null $s))"
                  " (block $l (result (ref null $s)) (br_on_cast $l anyref (ref null $s) (local.get 0)) (drop) (ref.null none))))",
                  NULL));
  CHECK(validates("(module (type $s (struct)) (func (param anyref) (result anyref)"
                  " (block $l (result anyref) (br_on_cast_fail $l anyref (ref $s) (local.get 0)))))", NULL));
  CHECK(validates("(module (type $s (struct)) (func (param (ref $s)) (result anyref)"
                  " (block $l (result anyref) (br_on_cast $l (ref $s) anyref (local.get 0)))))", "type mismatch"));
  CHECK(validates("(module (func (param externref) (result (ref null any)) (any.convert_extern (local.get 0))))", NULL));
  CHECK(validates("(module (func (param (ref extern)) (result (ref any)) (any.convert_extern (local.get 0))))", NULL));
  CHECK(validates("(module (func (param externref) (result (ref any)) (any.convert_extern (local.get 0))))", "type mismatch"));
  CHECK(validates("(module (func (result i32) (ref.eq (ref.i31 (i32.const 1)) (ref.null none))))", NULL));

  /* constant expressions: GC's constant instructions and earlier immutable globals */
  CHECK(validates("(module (type $s (struct (field i32))) (type $a (array i8))"
                  " (global $n i32 (i32.const 3)) (global (ref $s) (struct.new $s (global.get $n)))"
                  " (global (ref $a) (array.new_fixed $a 2 (i32.const 1) (i32.const 2)))"
                  " (global anyref (any.convert_extern (ref.null extern))) (global (ref i31) (ref.i31 (i32.const 0))))",
                  NULL));
  CHECK(validates("(module (type $a (array i8)) (data \"\") (global (ref $a) (array.new_data $a 0 (i32.const 0) (i32.const 0))))",
                  "constant expression required"));
  CHECK(validates("(module (global i32 (global.get 1)) (global i32 (i32.const 0)))", "unknown global"));

  /* 2.0's rules: GC is not there */
  const char *gc20 = "(module (func (param anyref)))";
  util_error err;
  util_error_clear(&err);
  wasm_module *m20 = text_load_module_features((const uint8_t *)gc20, strlen(gc20), NULL, WASM_FEATURES_2_0, &err);
  if (m20) {
    CHECK(!wasm_validate(m20, &err) && strstr(err.msg, "malformed reference type"));
    wasm_module_free(m20);
  }
  static const uint8_t fb20[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0,
                                 10, 7, 1, 5, 0, 0xfb, 0x1c, 0x1a, 0x0b};
  util_error_clear(&err);
  wasm_module *b20 = wasm_decode_features(fb20, sizeof fb20, WASM_FEATURES_2_0, &err);
  CHECK(!b20 && strstr(err.msg, "illegal opcode"));
  wasm_module_free(b20);
  util_error_clear(&err);
  wasm_module *b30 = wasm_decode(fb20, sizeof fb20, &err); /* (drop (ref.i31 <nothing>)): decodes, invalid */
  CHECK(b30 && !wasm_validate(b30, &err) && strstr(err.msg, "type mismatch"));
  wasm_module_free(b30);

  /* store-level ids: equivalent groups of two modules share ids, subtypes link */
  exec_typetab *tab = exec_typetab_new();
  if (!CHECK(tab)) return;
  exec_module *e1 = compile(tab, "(module (type (func)) (rec (type $a (sub (struct (field (ref null $b))))) (type $b (sub $a (struct (field (ref null $b)) (field i32))))))", &err);
  exec_module *e2 = compile(tab, "(module (rec (type $a (sub (struct (field (ref null $b))))) (type $b (sub $a (struct (field (ref null $b)) (field i32))))) (type (array i8)))", &err);
  if (CHECK(e1 && e2)) {
    CHECK(e1->typeids[1] == e2->typeids[0] && e1->typeids[2] == e2->typeids[1]);
    CHECK(e1->typeids[0] != e2->typeids[2] && e1->typeids[1] != e1->typeids[2]);
    CHECK(exec_typeid_sub(tab, e1->typeids[2], e1->typeids[1]) && !exec_typeid_sub(tab, e1->typeids[1], e1->typeids[2]));
    CHECK(exec_typeid_kind(tab, e2->typeids[2]) == WASM_TYPE_ARRAY && exec_typeid_super(tab, e2->typeids[1]) == e2->typeids[0]);
    wasm_vtype sub = exec_vtype_canon(e1, wasm_reftype(false, WASM_HEAP_INDEX + 2));
    CHECK(exec_vtype_sub(tab, sub, WASM_STRUCTREF) && exec_vtype_sub(tab, sub, WASM_ANYREF) && !exec_vtype_sub(tab, sub, WASM_ARRAYREF));
    CHECK(exec_vtype_sub(tab, WASM_NULLREF, exec_vtype_canon(e2, wasm_reftype(true, WASM_HEAP_INDEX + 1))));
  }
  exec_module_free(e1);
  exec_module_free(e2);
  CHECK_EQ_U64(exec_typetab_count(tab), 0); /* groups and members go with their modules */

  /* GC instructions and GC constant expressions compile (the run time exists); an
   * invalid module is reported as invalid whatever it uses */
  exec_module *e3 = compile(tab, "(module (func (drop (ref.i31 (i32.const 1)))))", &err);
  CHECK(e3 != NULL);
  exec_module_free(e3);
  exec_module *e4 = compile(tab, "(module (func (drop (ref.i31 (i32.const 1)))) (func (result i32)))", &err);
  CHECK(!e4 && err.kind == UTIL_ERR_INVALID && strstr(err.msg, "type mismatch"));
  exec_module *e5 = compile(tab, "(module (global (ref i31) (ref.i31 (i32.const 1))))", &err);
  CHECK(e5 != NULL);
  exec_module_free(e5);
  exec_typetab_free(tab);
}

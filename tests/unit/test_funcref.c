/* Typed function references in the module IR and the validator: the value-type encoding,
 * subtyping through type equivalence, and the local-initialisation rule. Modules are read
 * from text and checked against what the 3.0 specification says of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/text.h"
#include "unit.h"
#include "wasm/validate.h"
#include "weld.h"

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

UNIT_GROUP(funcref) {
  /* one encoding per type: (ref null func) is funcref */
  CHECK(wasm_reftype(true, WASM_HEAP_FUNC) == WASM_FUNCREF);
  CHECK(wasm_reftype(true, WASM_HEAP_EXTERN) == WASM_EXTERNREF);
  wasm_vtype t3 = wasm_reftype(false, WASM_HEAP_INDEX + 3);
  CHECK(wasm_is_reftype(t3) && !wasm_ref_nullable(t3) && wasm_heap_typeidx(wasm_ref_heap(t3)) == 3);
  CHECK(!wasm_vtype_defaultable(t3) && wasm_vtype_defaultable(WASM_FUNCREF) && wasm_vtype_defaultable(WASM_I32));
  CHECK(strcmp(wasm_valtype_name(t3), "(ref 3)") == 0);
  CHECK(strcmp(wasm_valtype_name(wasm_reftype(false, WASM_HEAP_FUNC)), "(ref func)") == 0);

  /* (ref $t) <: (ref null $t) <: funcref, not the other way */
  CHECK(validates("(module (type $t (func)) (func $f (type $t)) (elem declare func $f)"
                  " (func (result funcref) (ref.func $f)))", NULL));
  CHECK(validates("(module (type $t (func)) (func (param (ref null $t)) (result (ref $t)) (local.get 0)))",
                  "type mismatch"));
  CHECK(validates("(module (func (param funcref) (result (ref null func)) (local.get 0)))", NULL));
  CHECK(validates("(module (func (param externref) (result funcref) (local.get 0)))", "type mismatch"));
  /* equivalent types are interchangeable; different ones are not */
  CHECK(validates("(module (type $a (func (param i32))) (type $b (func (param i32)))"
                  " (func (param (ref $a)) (result (ref $b)) (local.get 0)))", NULL));
  CHECK(validates("(module (type $a (func (param i32))) (type $b (func (param i64)))"
                  " (func (param (ref $a)) (result (ref $b)) (local.get 0)))", "type mismatch"));
  /* a reference to a type index that does not exist */
  CHECK(validates("(module (func (param (ref 7))))", "unknown type"));

  /* locals without a default must be set before they are read, in the same block */
  CHECK(validates("(module (func (param (ref extern)) (local (ref extern))"
                  " (local.set 1 (local.get 0)) (drop (local.get 1))))", NULL));
  CHECK(validates("(module (func (local (ref extern)) (drop (local.get 0))))", "uninitialized local"));
  CHECK(validates("(module (func (param (ref extern)) (local (ref extern))"
                  " (block (local.set 1 (local.get 0))) (drop (local.get 1))))", "uninitialized local"));

  /* tables of non-nullable references need an initialiser of their type */
  CHECK(validates("(module (type $t (func)) (table 1 (ref $t)))", "type mismatch"));
  CHECK(validates("(module (type $t (func)) (func $f (type $t)) (table 1 (ref $t) (ref.func $f)))", NULL));

  /* br_on_non_null needs a label ending in a reference */
  CHECK(validates("(module (func (param funcref) (block (br_on_non_null 0 (local.get 0)))))", "type mismatch"));
  CHECK(validates("(module (func (param funcref) (result (ref func))"
                  " (block (result (ref func)) (br_on_non_null 0 (local.get 0)) (unreachable))))", NULL));
}

/* Values from the embedder must fit typed parameters: validation cannot see them, and
 * call_ref trusts the type of what it calls. */
UNIT_GROUP(funcref_api) {
  const char *wat = "(module (type $t (func (result i32))) (type $u (func (param i64)))"
                    " (func $seven (type $t) (i32.const 7)) (func $other (type $u))"
                    " (export \"seven\" (func $seven)) (export \"other\" (func $other))"
                    " (func (export \"call\") (param (ref $t)) (result i32) (call_ref $t (local.get 0)))"
                    " (func (export \"call_null\") (param (ref null $t)) (result i32) (call_ref $t (local.get 0))))";
  weld_engine *e = weld_engine_new(NULL);
  weld_error *err = NULL;
  weld_module *m = weld_module_new(e, (const uint8_t *)wat, strlen(wat), &err);
  weld_store *s = weld_store_new(e);
  weld_trap *trap = NULL;
  weld_instance *inst = m ? weld_instance_new(s, m, NULL, 0, &trap, &err) : NULL;
  if (CHECK(inst != NULL)) {
    weld_val r[1];
    weld_val good = {.kind = WELD_FUNCREF, .of.funcref = weld_instance_func(inst, "seven")};
    weld_val wrong = {.kind = WELD_FUNCREF, .of.funcref = weld_instance_func(inst, "other")};
    weld_val null = {.kind = WELD_FUNCREF, .of.funcref = NULL};
    weld_func *call = weld_instance_func(inst, "call"), *call_null = weld_instance_func(inst, "call_null");
    weld_trap *t = weld_func_call(call, &good, 1, r, 1);
    CHECK(!t && r[0].of.i32 == 7);
    t = weld_func_call(call, &wrong, 1, r, 1);
    CHECK(t && strstr(weld_trap_message(t), "does not fit"));
    weld_trap_free(t);
    t = weld_func_call(call, &null, 1, r, 1);
    CHECK(t && strstr(weld_trap_message(t), "does not fit"));
    weld_trap_free(t);
    t = weld_func_call(call_null, &null, 1, r, 1);
    CHECK(t && weld_trap_get_kind(t) == WELD_TRAP_NULL_FUNC_REF &&
          strcmp(weld_trap_message(t), "null function reference") == 0);
    weld_trap_free(t);
  }
  if (err) weld_error_free(err);
  weld_store_free(s);
  weld_module_free(m);
  weld_engine_free(e);
}

/* The printer writes typed references, heap types, table initialisers and the new
 * instructions so that the output reads back to a module that prints the same, in both
 * styles. */
static char *print_text(const char *wat, text_print_style style) {
  util_error err;
  util_error_clear(&err);
  wasm_module *m = text_load_module((const uint8_t *)wat, strlen(wat), NULL, &err);
  if (!m) return NULL;
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  bool ok = f && text_print_module(m, style, f, &err);
  if (f) fclose(f);
  wasm_module_free(m);
  if (!ok) {
    free(out);
    return NULL;
  }
  return out;
}

UNIT_GROUP(funcref_print) {
  const char *wat =
      "(module (type $t (func (param i32) (result i32))) (type $r (func (param (ref null $r))))"
      " (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))"
      " (table $tab 2 (ref $t) (ref.func $inc)) (global $g (ref null $t) (ref.null $t))"
      " (elem (table $tab) (i32.const 0) (ref $t) (ref.func $inc))"
      " (func (export \"run\") (param i32) (result i32) (local $l (ref $t))"
      "  (local.set $l (table.get $tab (i32.const 1)))"
      "  (drop (block $b (result (ref $t)) (br_on_non_null $b (global.get $g))"
      "   (block $n (drop (br_on_null $n (ref.as_non_null (local.get $l))))) (local.get $l)))"
      "  (call_ref $t (local.get 0) (local.get $l)) (return_call_ref $t (local.get $l))))";
  CHECK(validates(wat, NULL));
  for (int style = TEXT_PRINT_FLAT; style <= TEXT_PRINT_FOLDED; style++) {
    char *once = print_text(wat, (text_print_style)style);
    char *twice = once ? print_text(once, (text_print_style)style) : NULL;
    CHECK(once && twice && strcmp(once, twice) == 0);
    CHECK(once && strstr(once, "(ref null 1)") && strstr(once, "call_ref") && strstr(once, "br_on_non_null"));
    CHECK(twice && validates(twice, NULL));
    free(once);
    free(twice);
  }
}

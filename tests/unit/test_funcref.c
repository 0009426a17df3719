/* Typed function references in the module IR and the validator: the value-type encoding,
 * subtyping through type equivalence, and the local-initialisation rule. Modules are read
 * from text and checked against what the 3.0 specification says of them. */
#include <string.h>

#include "text/text.h"
#include "unit.h"
#include "wasm/validate.h"

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

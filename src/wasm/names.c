#include "module.h"

const char *wasm_valtype_name(uint8_t t) {
  switch (t) {
  case WASM_I32: return "i32";
  case WASM_I64: return "i64";
  case WASM_F32: return "f32";
  case WASM_F64: return "f64";
  case WASM_V128: return "v128";
  case WASM_FUNCREF: return "funcref";
  case WASM_EXTERNREF: return "externref";
  case WASM_EXNREF: return "exnref";
  default: return "?";
  }
}

const char *wasm_externkind_name(uint8_t k) {
  switch (k) {
  case WASM_EXTERN_FUNC: return "func";
  case WASM_EXTERN_TABLE: return "table";
  case WASM_EXTERN_MEMORY: return "memory";
  case WASM_EXTERN_GLOBAL: return "global";
  case WASM_EXTERN_TAG: return "tag";
  default: return "?";
  }
}

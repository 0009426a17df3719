#include <stdio.h>

#include "module.h"

const char *wasm_heap_name(uint32_t h) {
  switch (h) {
  case WASM_HEAP_FUNC: return "func";
  case WASM_HEAP_EXTERN: return "extern";
  case WASM_HEAP_EXN: return "exn";
  case WASM_HEAP_ANY: return "any";
  case WASM_HEAP_EQ: return "eq";
  case WASM_HEAP_I31: return "i31";
  case WASM_HEAP_STRUCT: return "struct";
  case WASM_HEAP_ARRAY: return "array";
  case WASM_HEAP_NONE: return "none";
  case WASM_HEAP_NOEXTERN: return "noextern";
  case WASM_HEAP_NOFUNC: return "nofunc";
  case WASM_HEAP_NOEXN: return "noexn";
  default: return NULL;
  }
}
#define heap_name wasm_heap_name

const char *wasm_valtype_name(wasm_vtype t) {
  if (t >= 0x100 && wasm_is_reftype(t)) {
    static _Thread_local char ring[4][40];
    static _Thread_local unsigned next;
    char *b = ring[next++ % 4];
    uint32_t h = wasm_ref_heap(t);
    const char *null = wasm_ref_nullable(t) ? "null " : "";
    if (heap_name(h)) snprintf(b, sizeof ring[0], "(ref %s%s)", null, heap_name(h));
    else snprintf(b, sizeof ring[0], "(ref %s%u)", null, (unsigned)(h - WASM_HEAP_INDEX));
    return b;
  }
  switch (t) {
  case WASM_I32: return "i32";
  case WASM_I64: return "i64";
  case WASM_F32: return "f32";
  case WASM_F64: return "f64";
  case WASM_V128: return "v128";
  case WASM_FUNCREF: return "funcref";
  case WASM_EXTERNREF: return "externref";
  case WASM_EXNREF: return "exnref";
  case WASM_ANYREF: return "anyref";
  case WASM_EQREF: return "eqref";
  case WASM_I31REF: return "i31ref";
  case WASM_STRUCTREF: return "structref";
  case WASM_ARRAYREF: return "arrayref";
  case WASM_NULLREF: return "nullref";
  case WASM_NULLEXTERNREF: return "nullexternref";
  case WASM_NULLFUNCREF: return "nullfuncref";
  case WASM_NULLEXNREF: return "nullexnref";
  case WASM_PACKED_I8: return "i8";
  case WASM_PACKED_I16: return "i16";
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

/* Script values: constants become weld_vals; results are compared bit for bit, floats
 * also against the NaN patterns, v128 lane by lane in the expected shape. */
#include <stdio.h>
#include <string.h>

#include "value.h"

static const unsigned lane_bytes[] = {1, 2, 4, 8, 4, 8}; /* by wast_value.shape */

static bool heap_is(const wast_value *v, const char *name) {
  size_t n = strlen(name);
  return v->heap.s && v->heap.len == n && memcmp(v->heap.s, name, n) == 0;
}

/* Host references `ref.extern N` are the pointer N + 1, so that 0 stays null. */
static void *extern_ref(uint32_t n) { return (void *)((uintptr_t)n + 1); }

/* The null reference's kind for a heap type keyword: func, extern and exn have their
 * own; the GC heap types (and type names) are anyref. */
static weld_valkind null_kind(const wast_value *v) {
  if (heap_is(v, "func") || heap_is(v, "nofunc")) return WELD_FUNCREF;
  if (heap_is(v, "extern") || heap_is(v, "noextern")) return WELD_EXTERNREF;
  if (heap_is(v, "exn") || heap_is(v, "noexn")) return WELD_EXNREF;
  return WELD_ANYREF;
}

const char *wast_value_arg(weld_store *s, const wast_value *v, weld_val *out) {
  memset(out, 0, sizeof *out);
  switch (v->kind) {
  case WAST_V_I32: *out = WELD_I32_VAL((int32_t)v->u.i32); return NULL;
  case WAST_V_I64: *out = WELD_I64_VAL((int64_t)v->u.i64); return NULL;
  case WAST_V_F32: out->kind = WELD_F32; memcpy(&out->of.f32, &v->u.i32, 4); return NULL;
  case WAST_V_F64: out->kind = WELD_F64; memcpy(&out->of.f64, &v->u.i64, 8); return NULL;
  case WAST_V_V128: out->kind = WELD_V128; memcpy(out->of.v128, v->u.v128, 16); return NULL;
  case WAST_V_REF_NULL: out->kind = null_kind(v); return NULL;
  case WAST_V_REF_EXTERN: out->kind = WELD_EXTERNREF; out->of.externref = extern_ref(v->u.i32); return NULL;
  case WAST_V_REF_HOST: /* the host's reference as an anyref (an internalized externref) */
    out->kind = WELD_ANYREF;
    out->of.anyref = weld_ref_new_host(s, extern_ref(v->u.i32));
    return out->of.anyref ? NULL : "memory for a host reference";
  default: return text_wast_feature_name(WAST_FEAT_GC);
  }
}

/* A GC result against (ref.KIND) / (ref.host N). */
static bool any_matches(const weld_store *s, const wast_value *e, const weld_val *got) {
  if (got->kind != WELD_ANYREF || !got->of.anyref) return false;
  weld_ref_kind k = weld_ref_get_kind(s, got->of.anyref);
  if (e->kind == WAST_V_REF_HOST)
    return k == WELD_REF_HOST && (!e->has_payload || weld_ref_host(s, got->of.anyref) == extern_ref(e->u.i32));
  if (heap_is(e, "any")) return true;
  if (heap_is(e, "eq")) return k == WELD_REF_I31 || k == WELD_REF_STRUCT || k == WELD_REF_ARRAY;
  if (heap_is(e, "i31")) return k == WELD_REF_I31;
  if (heap_is(e, "struct")) return k == WELD_REF_STRUCT;
  if (heap_is(e, "array")) return k == WELD_REF_ARRAY;
  return false;
}

static bool nan_matches(int pattern, uint64_t bits, unsigned size) {
  uint64_t exp_mask = size == 4 ? 0x7f800000u : 0x7ff0000000000000ull;
  uint64_t quiet = size == 4 ? 0x00400000u : 0x0008000000000000ull;
  uint64_t payload = size == 4 ? 0x007fffffu : 0x000fffffffffffffull;
  if ((bits & exp_mask) != exp_mask || (bits & payload) == 0) return false;
  if (pattern == WAST_NAN_CANONICAL) return (bits & payload) == quiet;
  return (bits & quiet) != 0; /* arithmetic: any quiet NaN */
}

static bool float_matches(int pattern, uint64_t want, uint64_t bits, unsigned size) {
  if (pattern != WAST_NAN_NONE) return nan_matches(pattern, bits, size);
  return size == 4 ? (uint32_t)want == (uint32_t)bits : want == bits;
}

static bool v128_matches(const wast_value *e, const uint8_t got[16]) {
  unsigned size = lane_bytes[e->shape];
  bool fl = e->shape >= 4;
  for (unsigned i = 0; i < 16 / size; i++) {
    uint64_t want = 0, lane = 0;
    memcpy(&want, e->u.v128 + i * size, size);
    memcpy(&lane, got + i * size, size);
    if (fl ? !float_matches(e->nan[i], want, lane, size) : want != lane) return false;
  }
  return true;
}

wast_match wast_value_match(const weld_store *s, const wast_value *e, const weld_val *got, const char **feature) {
  switch (e->kind) {
  case WAST_V_I32: return got->kind == WELD_I32 && (uint32_t)got->of.i32 == e->u.i32;
  case WAST_V_I64: return got->kind == WELD_I64 && (uint64_t)got->of.i64 == e->u.i64;
  case WAST_V_F32: {
    uint32_t b;
    memcpy(&b, &got->of.f32, 4);
    return got->kind == WELD_F32 && float_matches(e->nan[0], e->u.i32, b, 4);
  }
  case WAST_V_F64: {
    uint64_t b;
    memcpy(&b, &got->of.f64, 8);
    return got->kind == WELD_F64 && float_matches(e->nan[0], e->u.i64, b, 8);
  }
  case WAST_V_V128: return got->kind == WELD_V128 && v128_matches(e, got->of.v128);
  case WAST_V_REF_NULL:
    if (!e->heap.len) /* (ref.null) without a heap type: a null of any hierarchy */
      return (got->kind == WELD_ANYREF && !got->of.anyref) || (got->kind == WELD_FUNCREF && !got->of.funcref) ||
             (got->kind == WELD_EXTERNREF && !got->of.externref) || (got->kind == WELD_EXNREF && !got->of.exnref);
    switch (null_kind(e)) {
    case WELD_FUNCREF: return got->kind == WELD_FUNCREF && !got->of.funcref;
    case WELD_EXTERNREF: return got->kind == WELD_EXTERNREF && !got->of.externref;
    case WELD_EXNREF: return got->kind == WELD_EXNREF && !got->of.exnref;
    default: /* any, none, eq, ..., or a type name: a null of the any or func hierarchy */
      return (got->kind == WELD_ANYREF && !got->of.anyref) || (got->kind == WELD_FUNCREF && !got->of.funcref);
    }
  case WAST_V_REF_EXTERN:
    if (got->kind != WELD_EXTERNREF || !got->of.externref) return WAST_MATCH_NO;
    return !e->has_payload || got->of.externref == extern_ref(e->u.i32);
  case WAST_V_REF_FUNC: return got->kind == WELD_FUNCREF && got->of.funcref;
  case WAST_V_EITHER: {
    wast_match best = WAST_MATCH_NO;
    for (uint32_t i = 0; i < e->nalts; i++) {
      wast_match m = wast_value_match(s, &e->alts[i], got, feature);
      if (m == WAST_MATCH_YES) return m;
      if (m == WAST_MATCH_FEATURE) best = m;
    }
    return best;
  }
  case WAST_V_REF_HOST: return any_matches(s, e, got);
  default: /* ref.i31, ref.struct, ref.array, ref.eq, ref.any, ref.exn, ... */
    if (heap_is(e, "exn")) return got->kind == WELD_EXNREF && got->of.exnref;
    if (heap_is(e, "extern")) return got->kind == WELD_EXTERNREF && got->of.externref;
    if (heap_is(e, "any") || heap_is(e, "eq") || heap_is(e, "i31") || heap_is(e, "struct") || heap_is(e, "array"))
      return any_matches(s, e, got);
    *feature = text_wast_feature_name(WAST_FEAT_GC);
    return WAST_MATCH_FEATURE;
  }
}

void wast_value_format_got(const weld_store *s, const weld_val *v, char *buf, size_t n) {
  switch (v->kind) {
  case WELD_I32: snprintf(buf, n, "i32:%u", (uint32_t)v->of.i32); break;
  case WELD_I64: snprintf(buf, n, "i64:%llu", (unsigned long long)v->of.i64); break;
  case WELD_F32: {
    uint32_t b;
    memcpy(&b, &v->of.f32, 4);
    snprintf(buf, n, "f32:0x%08x (%g)", b, (double)v->of.f32);
    break;
  }
  case WELD_F64: {
    uint64_t b;
    memcpy(&b, &v->of.f64, 8);
    snprintf(buf, n, "f64:0x%016llx (%g)", (unsigned long long)b, v->of.f64);
    break;
  }
  case WELD_V128: {
    size_t o = (size_t)snprintf(buf, n, "v128:");
    for (int i = 0; i < 16 && o < n; i++) o += (size_t)snprintf(buf + o, n - o, "%02x", v->of.v128[i]);
    break;
  }
  case WELD_FUNCREF: snprintf(buf, n, "funcref:%s", v->of.funcref ? "non-null" : "null"); break;
  case WELD_EXNREF: snprintf(buf, n, "exnref:%s", v->of.exnref ? "non-null" : "null"); break;
  case WELD_EXTERNREF:
    if (v->of.externref) snprintf(buf, n, "externref:%llu", (unsigned long long)((uintptr_t)v->of.externref - 1));
    else snprintf(buf, n, "externref:null");
    break;
  case WELD_ANYREF: {
    /* names here are char arrays, not pointers: their tables need no relocations at start-up */
    static const char kinds[][7] = {"?", "i31", "struct", "array", "host"};
    weld_ref_kind k = v->of.anyref ? weld_ref_get_kind(s, v->of.anyref) : (weld_ref_kind)0;
    if (!v->of.anyref) snprintf(buf, n, "anyref:null");
    else if (k == WELD_REF_I31) snprintf(buf, n, "anyref:i31 %u", weld_ref_i31_value(s, v->of.anyref));
    else snprintf(buf, n, "anyref:%s", kinds[(unsigned)k <= 4 ? (unsigned)k : 0]);
    break;
  }
  }
}

void wast_value_format_expected(const wast_value *v, char *buf, size_t n) {
  static const char nans[][15] = {"", "nan:canonical", "nan:arithmetic"};
  switch (v->kind) {
  case WAST_V_I32: snprintf(buf, n, "i32:%u", v->u.i32); break;
  case WAST_V_I64: snprintf(buf, n, "i64:%llu", (unsigned long long)v->u.i64); break;
  case WAST_V_F32:
    if (v->nan[0]) snprintf(buf, n, "f32:%s", nans[v->nan[0] & 3]);
    else snprintf(buf, n, "f32:0x%08x", v->u.i32);
    break;
  case WAST_V_F64:
    if (v->nan[0]) snprintf(buf, n, "f64:%s", nans[v->nan[0] & 3]);
    else snprintf(buf, n, "f64:0x%016llx", (unsigned long long)v->u.i64);
    break;
  case WAST_V_V128: {
    size_t o = (size_t)snprintf(buf, n, "v128:");
    for (int i = 0; i < 16 && o < n; i++) o += (size_t)snprintf(buf + o, n - o, "%02x", v->u.v128[i]);
    break;
  }
  case WAST_V_REF_NULL: snprintf(buf, n, "ref.null %.*s", (int)v->heap.len, v->heap.s ? v->heap.s : ""); break;
  case WAST_V_REF_EXTERN:
    if (v->has_payload) snprintf(buf, n, "externref:%u", v->u.i32);
    else snprintf(buf, n, "externref:non-null");
    break;
  case WAST_V_REF_FUNC: snprintf(buf, n, "funcref:non-null"); break;
  case WAST_V_EITHER: snprintf(buf, n, "one of %u alternatives", v->nalts); break;
  default: snprintf(buf, n, "ref.%.*s", (int)v->heap.len, v->heap.s ? v->heap.s : ""); break;
  }
}

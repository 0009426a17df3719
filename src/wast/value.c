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

const char *wast_value_arg(const wast_value *v, weld_val *out) {
  memset(out, 0, sizeof *out);
  switch (v->kind) {
  case WAST_V_I32: *out = WELD_I32_VAL((int32_t)v->u.i32); return NULL;
  case WAST_V_I64: *out = WELD_I64_VAL((int64_t)v->u.i64); return NULL;
  case WAST_V_F32: out->kind = WELD_F32; memcpy(&out->of.f32, &v->u.i32, 4); return NULL;
  case WAST_V_F64: out->kind = WELD_F64; memcpy(&out->of.f64, &v->u.i64, 8); return NULL;
  case WAST_V_V128: out->kind = WELD_V128; memcpy(out->of.v128, v->u.v128, 16); return NULL;
  case WAST_V_REF_NULL:
    if (heap_is(v, "func") || heap_is(v, "nofunc")) { out->kind = WELD_FUNCREF; return NULL; }
    if (heap_is(v, "extern") || heap_is(v, "noextern")) { out->kind = WELD_EXTERNREF; return NULL; }
    if (heap_is(v, "exn") || heap_is(v, "noexn")) { out->kind = WELD_EXNREF; return NULL; }
    return text_wast_feature_name(WAST_FEAT_GC);
  case WAST_V_REF_EXTERN: out->kind = WELD_EXTERNREF; out->of.externref = extern_ref(v->u.i32); return NULL;
  default: return text_wast_feature_name(WAST_FEAT_GC); /* ref.host: an anyref from the host */
  }
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

wast_match wast_value_match(const wast_value *e, const weld_val *got, const char **feature) {
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
    /* a null of the func, extern or exn hierarchy (a bottom type names the same null);
     * `ref.null` alone: a null reference of any type */
    if (heap_is(e, "func") || heap_is(e, "nofunc")) return got->kind == WELD_FUNCREF && !got->of.funcref;
    if (heap_is(e, "extern") || heap_is(e, "noextern")) return got->kind == WELD_EXTERNREF && !got->of.externref;
    if (heap_is(e, "exn") || heap_is(e, "noexn")) return got->kind == WELD_EXNREF && !got->of.exnref;
    if (!e->heap.s)
      return (got->kind == WELD_FUNCREF && !got->of.funcref) || (got->kind == WELD_EXTERNREF && !got->of.externref) ||
             (got->kind == WELD_EXNREF && !got->of.exnref);
    *feature = text_wast_feature_name(WAST_FEAT_GC);
    return WAST_MATCH_FEATURE;
  case WAST_V_REF_EXTERN:
    if (got->kind != WELD_EXTERNREF || !got->of.externref) return WAST_MATCH_NO;
    return !e->has_payload || got->of.externref == extern_ref(e->u.i32);
  case WAST_V_REF_FUNC: return got->kind == WELD_FUNCREF && got->of.funcref;
  case WAST_V_EITHER: {
    wast_match best = WAST_MATCH_NO;
    for (uint32_t i = 0; i < e->nalts; i++) {
      wast_match m = wast_value_match(&e->alts[i], got, feature);
      if (m == WAST_MATCH_YES) return m;
      if (m == WAST_MATCH_FEATURE) best = m;
    }
    return best;
  }
  default: /* ref.host, ref.i31, ref.struct, ref.array, ref.eq, ref.any, ref.exn, ... */
    *feature = text_wast_feature_name(heap_is(e, "exn") ? WAST_FEAT_EXCEPTIONS : WAST_FEAT_GC);
    return WAST_MATCH_FEATURE;
  }
}

void wast_value_format_got(const weld_val *v, char *buf, size_t n) {
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
  }
}

void wast_value_format_expected(const wast_value *v, char *buf, size_t n) {
  static const char *const nans[] = {"", "nan:canonical", "nan:arithmetic"};
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

/* The Canonical ABI at run time: component values to and from linear memory and flat
 * core values (lowering and lifting), strings in UTF-8, UTF-16 and latin1+UTF-16,
 * realloc, handles; every check the Canonical ABI makes, as a trap with its reason. */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "rt.h"

bool abi_trap(abi_cx *cx, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return util_fail(cx->err, UTIL_ERR_TRAP, -1, "%s", msg);
}

bool abi_core_trap(abi_cx *cx, weld_trap *t) {
  util_fail(cx->err, UTIL_ERR_TRAP, -1, "%s", weld_trap_message(t));
  weld_trap_free(t);
  return false;
}

static bool oom(abi_cx *cx) { return util_fail(cx->err, UTIL_ERR_OOM, -1, "out of memory"); }

static bool lift_flat(abi_cx *cx, const comp_ctype *t, const weld_val *in, uint32_t *k, comp_val *out);

weld_valkind abi_core_kind(uint8_t t) {
  return t == WASM_I64 ? WELD_I64 : t == WASM_F32 ? WELD_F32 : t == WASM_F64 ? WELD_F64 : WELD_I32;
}

uint32_t abi_flat_count(const comp_ctype *t) {
  uint8_t tmp[1];
  return ct_flatten(t, tmp, 0);
}

static uint64_t align_to(uint64_t x, uint32_t a) { return (x + a - 1) / a * a; }

/* ---------- memory ------------------------------------------------------------------------- */

static uint8_t *at(abi_cx *cx, uint64_t ptr, uint64_t len) {
  if (!cx->o->mem) {
    abi_trap(cx, "canonical ABI: no memory to access");
    return NULL;
  }
  size_t size = weld_memory_size(cx->o->mem);
  if (ptr + len > size) {
    abi_trap(cx, "canonical ABI: access of %llu bytes at %llu out of bounds of memory (%zu bytes)",
             (unsigned long long)len, (unsigned long long)ptr, size);
    return NULL;
  }
  return weld_memory_data(cx->o->mem) + ptr;
}

bool abi_check_ptr(abi_cx *cx, uint32_t ptr, uint32_t align, uint64_t size, const char *what) {
  if (align > 1 && ptr % align)
    return abi_trap(cx, "canonical ABI: unaligned pointer: %s at %u (alignment %u)", what, ptr, align);
  if (!cx->o->mem) return abi_trap(cx, "canonical ABI: no memory to access");
  size_t msize = weld_memory_size(cx->o->mem);
  if ((uint64_t)ptr + size > msize) {
    /* strings and lists in the reference tools' two wordings */
    bool content = strcmp(what, "string") == 0 || strcmp(what, "list") == 0;
    return abi_trap(cx, "canonical ABI: %s pointer/length out of bounds of memory (%s%s%u + %llu bytes, memory %zu bytes)",
                    what, content ? what : "", content ? " content out-of-bounds: " : "", ptr, (unsigned long long)size,
                    msize);
  }
  return true;
}

bool abi_alloc(abi_cx *cx, const char *what, uint32_t align, uint64_t size, uint32_t *ptr) {
  if (!cx->o->realloc) return abi_trap(cx, "canonical ABI: no realloc function to allocate %llu bytes", (unsigned long long)size);
  if (size > 0xffffffffu) return abi_trap(cx, "canonical ABI: allocation of %llu bytes is too large", (unsigned long long)size);
  weld_val args[4] = {WELD_I32_VAL(0), WELD_I32_VAL(0), WELD_I32_VAL((int32_t)align), WELD_I32_VAL((int32_t)(uint32_t)size)};
  weld_val res[1];
  weld_trap *t = weld_func_call(cx->o->realloc, args, 4, res, 1);
  if (t) return abi_core_trap(cx, t);
  *ptr = (uint32_t)res[0].of.i32;
  if (*ptr % align)
    return abi_trap(cx, "canonical ABI: unaligned pointer (realloc return: result not aligned: %u for %s, alignment %u)",
                    *ptr, what, align);
  size_t msize = weld_memory_size(cx->o->mem);
  if ((uint64_t)*ptr + size > msize)
    return abi_trap(cx, "canonical ABI: %s content out-of-bounds (realloc return: beyond end of memory: %u + %llu bytes, "
                    "memory %zu bytes)", what, *ptr, (unsigned long long)size, msize);
  return true;
}

static bool put(abi_cx *cx, uint32_t ptr, const void *src, uint32_t n) {
  uint8_t *p = at(cx, ptr, n);
  if (!p) return false;
  memcpy(p, src, n);
  return true;
}
static bool get(abi_cx *cx, uint32_t ptr, void *dst, uint32_t n) {
  const uint8_t *p = at(cx, ptr, n);
  if (!p) return false;
  memcpy(dst, p, n);
  return true;
}

/* ---------- scalars ------------------------------------------------------------------------ */

static float canon_f32(float f) {
  if (isnan(f)) {
    uint32_t b = 0x7fc00000u;
    memcpy(&f, &b, 4);
  }
  return f;
}
static double canon_f64(double d) {
  if (isnan(d)) {
    uint64_t b = 0x7ff8000000000000ull;
    memcpy(&d, &b, 8);
  }
  return d;
}

static bool char_ok(abi_cx *cx, uint32_t c) {
  if (c >= 0x110000 || (c >= 0xd800 && c <= 0xdfff))
    return abi_trap(cx, "canonical ABI: invalid `char` bit pattern 0x%x (not a Unicode scalar value)", c);
  return true;
}

static uint32_t prim_bits(const comp_ctype *t, const comp_val *v) {
  switch (t->prim) {
  case COMP_T_BOOL: return v->u.b ? 1 : 0;
  case COMP_T_CHAR: return v->u.c;
  default: return (uint32_t)v->u.u;
  }
}

static void prim_from_i32(const comp_ctype *t, uint32_t x, comp_val *out) {
  switch (t->prim) {
  case COMP_T_BOOL: out->u.b = x != 0; break;
  case COMP_T_S8: out->u.i = (int8_t)x; break;
  case COMP_T_U8: out->u.u = (uint8_t)x; break;
  case COMP_T_S16: out->u.i = (int16_t)x; break;
  case COMP_T_U16: out->u.u = (uint16_t)x; break;
  case COMP_T_S32: out->u.i = (int32_t)x; break;
  case COMP_T_U32: out->u.u = x; break;
  case COMP_T_CHAR: out->u.c = x; break;
  default: break;
  }
}

/* ---------- strings ------------------------------------------------------------------------ */

#define MAX_STRING_BYTES 0x7fffffffu
#define UTF16_TAG 0x80000000u

/* Whether invalid UTF-8 is a valid prefix cut short inside its last sequence. */
static bool utf8_incomplete(const uint8_t *p, uint32_t len) {
  uint32_t st = len;
  while (st > 0 && len - st < 4 && (p[st - 1] & 0xc0) == 0x80) st--;
  if (st == 0) return false;
  st--; /* the last lead byte */
  uint8_t c = p[st];
  uint32_t need = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  return need > len - st && util_utf8_valid(p, st);
}

/* Decodes UTF-8 s (known valid) into code points one at a time. */
static uint32_t utf8_next(const uint8_t *s, uint32_t *i) {
  uint8_t c = s[*i];
  uint32_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
  uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
  for (uint32_t k = 1; k < len; k++) cp = (cp << 6) | (s[*i + k] & 0x3f);
  *i += len;
  return cp;
}

static uint32_t utf8_put(uint32_t cp, uint8_t *o) {
  if (cp < 0x80) { o[0] = (uint8_t)cp; return 1; }
  if (cp < 0x800) { o[0] = (uint8_t)(0xc0 | cp >> 6); o[1] = (uint8_t)(0x80 | (cp & 0x3f)); return 2; }
  if (cp < 0x10000) {
    o[0] = (uint8_t)(0xe0 | cp >> 12); o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)); o[2] = (uint8_t)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (uint8_t)(0xf0 | cp >> 18); o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
  o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)); o[3] = (uint8_t)(0x80 | (cp & 0x3f));
  return 4;
}

static bool load_utf16(abi_cx *cx, uint32_t ptr, uint32_t units, comp_val *out) {
  if (!abi_check_ptr(cx, ptr, 2, 2ull * units, "string")) return false;
  /* at most 3 UTF-8 bytes per code unit */
  uint8_t *buf = util_arena_try_alloc(cx->arena, 3ull * units + 1);
  if (!buf) return oom(cx);
  const uint8_t *p = at(cx, ptr, 2ull * units);
  if (!p) return false;
  uint32_t n = 0;
  for (uint32_t i = 0; i < units; i++) {
    uint32_t u = p[2 * i] | (uint32_t)p[2 * i + 1] << 8;
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < units) {
      uint32_t lo = p[2 * i + 2] | (uint32_t)p[2 * i + 3] << 8;
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (u >= 0xd800 && u <= 0xdfff)
      return abi_trap(cx, "canonical ABI: invalid UTF-16 in string (unpaired surrogate at code unit %u)", i);
    n += utf8_put(u, buf + n);
  }
  out->u.str.s = (const char *)buf;
  out->u.str.len = n;
  return true;
}

static bool load_string(abi_cx *cx, uint32_t ptr, uint32_t len, comp_val *out) {
  switch (cx->o->enc) {
  case 1: return load_utf16(cx, ptr, len, out);
  case 2:
    if (len & UTF16_TAG) return load_utf16(cx, ptr, len & ~UTF16_TAG, out);
    {
      /* latin1+utf16 strings are 2-aligned in either form */
      if (!abi_check_ptr(cx, ptr, 2, len, "string")) return false;
      uint8_t *buf = util_arena_try_alloc(cx->arena, 2ull * len + 1);
      if (!buf) return oom(cx);
      const uint8_t *p = at(cx, ptr, len);
      if (!p) return false;
      uint32_t n = 0;
      for (uint32_t i = 0; i < len; i++) n += utf8_put(p[i], buf + n);
      out->u.str.s = (const char *)buf;
      out->u.str.len = n;
      return true;
    }
  default: {
    if (!abi_check_ptr(cx, ptr, 1, len, "string")) return false;
    const uint8_t *p = at(cx, ptr, len);
    if (!p) return false;
    if (!util_utf8_valid(p, len))
      return abi_trap(cx, utf8_incomplete(p, len) ? "canonical ABI: incomplete utf-8 byte sequence at the end of a string"
                                                  : "canonical ABI: invalid utf-8 in string");
    char *s = util_arena_try_alloc(cx->arena, (size_t)len + 1);
    if (!s) return oom(cx);
    memcpy(s, p, len);
    out->u.str.s = s;
    out->u.str.len = len;
    return true;
  }
  }
}

/* Writes the string into memory allocated with realloc: *ptr and the length the core
 * side sees (bytes for UTF-8 and latin-1, code units for UTF-16, tagged for latin1+utf16). */
static bool lower_string(abi_cx *cx, const comp_val *v, uint32_t *ptr, uint32_t *len) {
  const uint8_t *s = (const uint8_t *)v->u.str.s;
  uint32_t n = v->u.str.len;
  if (cx->o->enc == 0) {
    if (n > MAX_STRING_BYTES) return abi_trap(cx, "canonical ABI: string too long");
    if (!abi_alloc(cx, "string", 1, n, ptr)) return false;
    if (n && !put(cx, *ptr, s, n)) return false;
    *len = n;
    return true;
  }
  uint64_t units = 0;
  bool latin1 = true;
  for (uint32_t i = 0; i < n;) {
    uint32_t cp = utf8_next(s, &i);
    units += cp >= 0x10000 ? 2 : 1;
    if (cp > 0xff) latin1 = false;
  }
  if (cx->o->enc == 2 && latin1) {
    if (units > MAX_STRING_BYTES) return abi_trap(cx, "canonical ABI: string too long");
    if (!abi_alloc(cx, "string", 2, units, ptr)) return false;
    uint8_t *p = at(cx, *ptr, units);
    if (!p) return false;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n;) p[k++] = (uint8_t)utf8_next(s, &i);
    *len = (uint32_t)units;
    return true;
  }
  if (2 * units > MAX_STRING_BYTES) return abi_trap(cx, "canonical ABI: string too long");
  if (!abi_alloc(cx, "string", 2, 2 * units, ptr)) return false;
  uint8_t *p = at(cx, *ptr, 2 * units);
  if (!p) return false;
  uint32_t k = 0;
  for (uint32_t i = 0; i < n;) {
    uint32_t cp = utf8_next(s, &i);
    uint32_t w[2], nw = 1;
    if (cp >= 0x10000) {
      w[0] = 0xd800 + ((cp - 0x10000) >> 10);
      w[1] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
      nw = 2;
    } else {
      w[0] = cp;
    }
    for (uint32_t j = 0; j < nw; j++) {
      p[k++] = (uint8_t)w[j];
      p[k++] = (uint8_t)(w[j] >> 8);
    }
  }
  *len = (uint32_t)units | (cx->o->enc == 2 ? UTF16_TAG : 0);
  return true;
}

/* ---------- lists ------------------------------------------------------------------------- */

/* Each element of a lifted list becomes a comp_val: beyond this many the host's memory,
 * not the guest's, would be what runs out. */
#define MAX_LIST_ELEMS (1u << 26)

static bool load_list(abi_cx *cx, const comp_ctype *elem, uint32_t ptr, uint32_t n, comp_val *out) {
  if (!abi_check_ptr(cx, ptr, elem->align, (uint64_t)n * elem->size, "list")) return false;
  if (n > MAX_LIST_ELEMS)
    return util_fail(cx->err, UTIL_ERR_LIMIT, -1, "not supported: lists of more than %u elements at run time", MAX_LIST_ELEMS);
  comp_val *v = util_arena_try_alloc(cx->arena, ((size_t)n + 1) * sizeof *v);
  if (!v) return oom(cx);
  for (uint32_t i = 0; i < n; i++)
    if (!abi_load(cx, elem, ptr + i * (uint32_t)elem->size, &v[i])) return false;
  out->u.seq.v = v;
  out->u.seq.n = n;
  return true;
}

static bool lower_list(abi_cx *cx, const comp_ctype *elem, const comp_val *v, uint32_t *ptr) {
  uint64_t bytes = (uint64_t)v->u.seq.n * elem->size;
  if (!abi_alloc(cx, "list", elem->align, bytes, ptr)) return false;
  for (uint32_t i = 0; i < v->u.seq.n; i++)
    if (!abi_store(cx, elem, &v->u.seq.v[i], *ptr + i * (uint32_t)elem->size)) return false;
  return true;
}

/* A map's entries: tuples of key and value, laid out as a list of them. */
static const comp_ctype *map_entry(abi_cx *cx, const comp_ctype *t) {
  comp_ctype *e = util_arena_try_alloc(cx->arena, sizeof *e);
  const comp_ctype **el = util_arena_try_alloc(cx->arena, 2 * sizeof *el);
  if (!e || !el) {
    oom(cx);
    return NULL;
  }
  el[0] = t->a;
  el[1] = t->b;
  e->kind = CT_TUPLE;
  e->n = 2;
  e->elems = el;
  ct_layout(e);
  return e;
}

/* ---------- handles ----------------------------------------------------------------------- */

static bool lift_handle(abi_cx *cx, const comp_ctype *t, uint32_t idx, comp_val *out) {
  comp_handle *h = rt_handle_get(cx, cx->inst, idx);
  if (!h) return false;
  comp_resource *want = rt_resource_of(cx->inst, t->a);
  if (h->rt == &rt_waitable_set) return abi_trap(cx, "canonical ABI: handle index %u is a waitable set, not a resource handle", idx);
  if (want && h->rt != want)
    return abi_trap(cx, "canonical ABI: handle index %u used with the wrong type, expected guest-defined resource but "
                    "found a different guest-defined resource", idx);
  out->u.h.rt = h->rt;
  out->u.h.rep = h->rep;
  if (t->kind == CT_OWN) {
    if (!h->own) return abi_trap(cx, "canonical ABI: handle index %u is a borrow handle, an own handle was expected", idx);
    if (h->lend_count) return abi_trap(cx, "canonical ABI: cannot remove owned resource while borrowed (handle index %u)", idx);
    rt_handle_remove(cx->inst, idx);
    return true;
  }
  if (h->own) {
    comp_scope *sc = cx->scope;
    if (sc) {
      if (!UTIL_VEC_TRY_PUSH(sc->lends, sc->nlends, sc->cap, ((struct lend){cx->inst, idx}))) return oom(cx);
      h->lend_count++;
    }
  }
  return true;
}

static bool lower_handle(abi_cx *cx, const comp_ctype *t, const comp_val *v, uint32_t *idx) {
  if (t->kind == CT_BORROW && v->u.h.rt && v->u.h.rt->impl == cx->inst) {
    *idx = v->u.h.rep; /* a borrow of its own resource: the representation itself */
    return true;
  }
  comp_handle h = {.rt = v->u.h.rt, .rep = v->u.h.rep, .own = t->kind == CT_OWN};
  if (t->kind == CT_BORROW) {
    h.scope = cx->scope;
    if (cx->scope) cx->scope->num_borrows++;
  }
  return rt_handle_add(cx, cx->inst, h, idx);
}

/* ---------- variants ---------------------------------------------------------------------- */

/* The cases of a variant-like type: payload types (NULL: none). */
static uint32_t cases_of(const comp_ctype *t, const comp_ctype **tmp, const comp_ctype *const **cases) {
  switch (t->kind) {
  case CT_VARIANT: *cases = t->elems; return t->n;
  case CT_OPTION: tmp[0] = NULL; tmp[1] = t->a; *cases = tmp; return 2;
  case CT_RESULT: tmp[0] = t->a; tmp[1] = t->b; *cases = tmp; return 2;
  default: *cases = NULL; return t->n; /* enum */
  }
}

static uint32_t disc_size(uint32_t n) { return n <= 256 ? 1 : n <= 65536 ? 2 : 4; }

static uint32_t payload_offset(const comp_ctype *t, uint32_t ncases, const comp_ctype *const *cases) {
  uint32_t ca = 1;
  for (uint32_t i = 0; i < ncases; i++)
    if (cases[i] && cases[i]->align > ca) ca = cases[i]->align;
  (void)t;
  return (uint32_t)align_to(disc_size(ncases), ca);
}

/* ---------- memory: store and load -------------------------------------------------------- */

static bool store_in(abi_cx *cx, const comp_ctype *t, const comp_val *v, uint32_t ptr) {
  switch (t->kind) {
  case CT_PRIM:
    switch (t->prim) {
    case COMP_T_BOOL: case COMP_T_S8: case COMP_T_U8: {
      uint8_t b = (uint8_t)prim_bits(t, v);
      return put(cx, ptr, &b, 1);
    }
    case COMP_T_S16: case COMP_T_U16: {
      uint16_t x = (uint16_t)v->u.u;
      return put(cx, ptr, &x, 2);
    }
    case COMP_T_S64: case COMP_T_U64: return put(cx, ptr, &v->u.u, 8);
    case COMP_T_F32: {
      float f = canon_f32(v->u.f32);
      return put(cx, ptr, &f, 4);
    }
    case COMP_T_F64: {
      double d = canon_f64(v->u.f64);
      return put(cx, ptr, &d, 8);
    }
    case COMP_T_STRING: {
      uint32_t w[2];
      if (!lower_string(cx, v, &w[0], &w[1])) return false;
      return put(cx, ptr, w, 8);
    }
    default: {
      uint32_t x = prim_bits(t, v);
      return put(cx, ptr, &x, 4);
    }
    }
  case CT_LIST:
  case CT_MAP: {
    const comp_ctype *elem = t->kind == CT_MAP ? map_entry(cx, t) : t->a;
    uint32_t w[2] = {0, v->u.seq.n};
    if (!elem || !lower_list(cx, elem, v, &w[0])) return false;
    return put(cx, ptr, w, 8);
  }
  case CT_FIXED_LIST:
    for (uint32_t i = 0; i < t->len; i++)
      if (!abi_store(cx, t->a, &v->u.seq.v[i], ptr + i * (uint32_t)t->a->size)) return false;
    return true;
  case CT_RECORD:
  case CT_TUPLE: return abi_store_seq(cx, t->elems, t->n, v->u.seq.v, ptr);
  case CT_FLAGS: {
    uint32_t x = v->u.flags;
    return put(cx, ptr, &x, (uint32_t)t->size);
  }
  case CT_ENUM:
  case CT_VARIANT:
  case CT_OPTION:
  case CT_RESULT: {
    const comp_ctype *tmp[2];
    const comp_ctype *const *cases;
    uint32_t n = cases_of(t, tmp, &cases);
    uint32_t d = v->u.var.disc;
    if (!put(cx, ptr, &d, disc_size(n))) return false;
    if (!cases || !cases[d]) return true;
    return abi_store(cx, cases[d], v->u.var.p, ptr + payload_offset(t, n, cases));
  }
  case CT_OWN:
  case CT_BORROW: {
    uint32_t idx;
    return lower_handle(cx, t, v, &idx) && put(cx, ptr, &idx, 4);
  }
  default: return abi_trap(cx, "not supported: values of this type at run time");
  }
}

static bool load_in(abi_cx *cx, const comp_ctype *t, uint32_t ptr, comp_val *out) {
  memset(out, 0, sizeof *out);
  switch (t->kind) {
  case CT_PRIM:
    switch (t->prim) {
    case COMP_T_BOOL: case COMP_T_S8: case COMP_T_U8: {
      uint8_t b;
      if (!get(cx, ptr, &b, 1)) return false;
      prim_from_i32(t, b, out);
      return true;
    }
    case COMP_T_S16: case COMP_T_U16: {
      uint16_t x;
      if (!get(cx, ptr, &x, 2)) return false;
      prim_from_i32(t, x, out);
      return true;
    }
    case COMP_T_S64: case COMP_T_U64: return get(cx, ptr, &out->u.u, 8);
    case COMP_T_F32:
      if (!get(cx, ptr, &out->u.f32, 4)) return false;
      out->u.f32 = canon_f32(out->u.f32);
      return true;
    case COMP_T_F64:
      if (!get(cx, ptr, &out->u.f64, 8)) return false;
      out->u.f64 = canon_f64(out->u.f64);
      return true;
    case COMP_T_STRING: {
      uint32_t w[2];
      return get(cx, ptr, w, 8) && load_string(cx, w[0], w[1], out);
    }
    default: {
      uint32_t x;
      if (!get(cx, ptr, &x, 4)) return false;
      if (t->prim == COMP_T_CHAR && !char_ok(cx, x)) return false;
      prim_from_i32(t, x, out);
      return true;
    }
    }
  case CT_LIST:
  case CT_MAP: {
    const comp_ctype *elem = t->kind == CT_MAP ? map_entry(cx, t) : t->a;
    uint32_t w[2];
    return elem && get(cx, ptr, w, 8) && load_list(cx, elem, w[0], w[1], out);
  }
  case CT_FIXED_LIST: {
    comp_val *v = util_arena_try_alloc(cx->arena, ((size_t)t->len + 1) * sizeof *v);
    if (!v) return oom(cx);
    for (uint32_t i = 0; i < t->len; i++)
      if (!abi_load(cx, t->a, ptr + i * (uint32_t)t->a->size, &v[i])) return false;
    out->u.seq.v = v;
    out->u.seq.n = t->len;
    return true;
  }
  case CT_RECORD:
  case CT_TUPLE: {
    comp_val *v = util_arena_try_alloc(cx->arena, ((size_t)t->n + 1) * sizeof *v);
    if (!v) return oom(cx);
    out->u.seq.v = v;
    out->u.seq.n = t->n;
    return abi_load_seq(cx, t->elems, t->n, ptr, v);
  }
  case CT_FLAGS: {
    uint32_t x = 0;
    if (!get(cx, ptr, &x, (uint32_t)t->size)) return false;
    out->u.flags = t->n == 32 ? x : x & ((1u << t->n) - 1);
    return true;
  }
  case CT_ENUM:
  case CT_VARIANT:
  case CT_OPTION:
  case CT_RESULT: {
    const comp_ctype *tmp[2];
    const comp_ctype *const *cases;
    uint32_t n = cases_of(t, tmp, &cases);
    uint32_t d = 0;
    if (!get(cx, ptr, &d, disc_size(n))) return false;
    if (d >= n) return abi_trap(cx, "canonical ABI: invalid variant discriminant %u (the type has %u cases)", d, n);
    out->u.var.disc = d;
    if (!cases || !cases[d]) return true;
    comp_val *p = util_arena_try_alloc(cx->arena, sizeof *p);
    if (!p) return oom(cx);
    out->u.var.p = p;
    return abi_load(cx, cases[d], ptr + payload_offset(t, n, cases), p);
  }
  case CT_OWN:
  case CT_BORROW: {
    uint32_t idx;
    return get(cx, ptr, &idx, 4) && lift_handle(cx, t, idx, out);
  }
  default: return abi_trap(cx, "not supported: values of this type at run time");
  }
}

void abi_seq_layout(const comp_ctype *const *types, uint32_t n, uint64_t *size, uint32_t *align) {
  uint64_t s = 0;
  uint32_t a = 1;
  for (uint32_t i = 0; i < n; i++) {
    s = align_to(s, types[i]->align) + types[i]->size;
    if (types[i]->align > a) a = types[i]->align;
  }
  *size = align_to(s, a);
  *align = a;
}

bool abi_store_seq(abi_cx *cx, const comp_ctype *const *types, uint32_t n, const comp_val *v, uint32_t ptr) {
  uint64_t off = 0;
  for (uint32_t i = 0; i < n; i++) {
    off = align_to(off, types[i]->align);
    if (!abi_store(cx, types[i], &v[i], ptr + (uint32_t)off)) return false;
    off += types[i]->size;
  }
  return true;
}

bool abi_load_seq(abi_cx *cx, const comp_ctype *const *types, uint32_t n, uint32_t ptr, comp_val *out) {
  uint64_t off = 0;
  for (uint32_t i = 0; i < n; i++) {
    off = align_to(off, types[i]->align);
    if (!abi_load(cx, types[i], ptr + (uint32_t)off, &out[i])) return false;
    off += types[i]->size;
  }
  return true;
}

/* ---------- flat values ------------------------------------------------------------------- */

static weld_val i32v(uint32_t x) { return WELD_I32_VAL((int32_t)x); }

static bool lower_flat_in(abi_cx *cx, const comp_ctype *t, const comp_val *v, weld_val *out, uint32_t *k) {
  switch (t->kind) {
  case CT_PRIM:
    switch (t->prim) {
    case COMP_T_S64: case COMP_T_U64: out[(*k)++] = WELD_I64_VAL((int64_t)v->u.u); return true;
    case COMP_T_F32: out[(*k)++] = WELD_F32_VAL(canon_f32(v->u.f32)); return true;
    case COMP_T_F64: out[(*k)++] = WELD_F64_VAL(canon_f64(v->u.f64)); return true;
    case COMP_T_STRING: {
      uint32_t p, n;
      if (!lower_string(cx, v, &p, &n)) return false;
      out[(*k)++] = i32v(p);
      out[(*k)++] = i32v(n);
      return true;
    }
    default: out[(*k)++] = i32v(prim_bits(t, v)); return true;
    }
  case CT_LIST:
  case CT_MAP: {
    const comp_ctype *elem = t->kind == CT_MAP ? map_entry(cx, t) : t->a;
    uint32_t p;
    if (!elem || !lower_list(cx, elem, v, &p)) return false;
    out[(*k)++] = i32v(p);
    out[(*k)++] = i32v(v->u.seq.n);
    return true;
  }
  case CT_FIXED_LIST:
    for (uint32_t i = 0; i < t->len; i++)
      if (!abi_lower_flat(cx, t->a, &v->u.seq.v[i], out, k)) return false;
    return true;
  case CT_RECORD:
  case CT_TUPLE:
    for (uint32_t i = 0; i < t->n; i++)
      if (!abi_lower_flat(cx, t->elems[i], &v->u.seq.v[i], out, k)) return false;
    return true;
  case CT_FLAGS: out[(*k)++] = i32v(v->u.flags); return true;
  case CT_ENUM: out[(*k)++] = i32v(v->u.var.disc); return true;
  case CT_VARIANT:
  case CT_OPTION:
  case CT_RESULT: {
    const comp_ctype *tmp[2];
    const comp_ctype *const *cases;
    cases_of(t, tmp, &cases);
    uint8_t joined[ABI_MAX_FLAT_PARAMS + 2];
    uint32_t nj = ct_flatten(t, joined, sizeof joined) - 1; /* without the discriminant */
    if (nj + 1 > sizeof joined) return abi_trap(cx, "canonical ABI: variant too large for flat values");
    uint32_t d = v->u.var.disc;
    out[(*k)++] = i32v(d);
    uint32_t base = *k, np = 0;
    if (cases[d]) {
      if (!abi_lower_flat(cx, cases[d], v->u.var.p, out, k)) return false;
      np = *k - base;
    }
    /* each payload value widened to the joined type, the rest zero */
    for (uint32_t i = 0; i < nj; i++) {
      weld_valkind want = abi_core_kind(joined[i + 1]);
      weld_val *x = &out[base + i];
      if (i >= np) { *x = (weld_val){.kind = want}; x->of.i64 = 0; continue; }
      if (x->kind == want) continue;
      if (want == WELD_I32 && x->kind == WELD_F32) { uint32_t b; memcpy(&b, &x->of.f32, 4); *x = i32v(b); }
      else if (want == WELD_I64 && x->kind == WELD_I32) *x = WELD_I64_VAL((int64_t)(uint32_t)x->of.i32);
      else if (want == WELD_I64 && x->kind == WELD_F32) { uint32_t b; memcpy(&b, &x->of.f32, 4); *x = WELD_I64_VAL((int64_t)b); }
      else if (want == WELD_I64 && x->kind == WELD_F64) { int64_t b; memcpy(&b, &x->of.f64, 8); *x = WELD_I64_VAL(b); }
    }
    *k = base + nj;
    return true;
  }
  case CT_OWN:
  case CT_BORROW: {
    uint32_t idx;
    if (!lower_handle(cx, t, v, &idx)) return false;
    out[(*k)++] = i32v(idx);
    return true;
  }
  default: return abi_trap(cx, "not supported: values of this type at run time");
  }
}

/* Reads flat values as the types a payload expects, from the joined types a variant has. */
typedef struct coerce {
  const weld_val *in;
  uint32_t k;
} coerce;

static bool lift_flat(abi_cx *cx, const comp_ctype *t, const weld_val *in, uint32_t *k, comp_val *out);

bool abi_lift_flat(abi_cx *cx, const comp_ctype *t, const weld_val *in, uint32_t *k, comp_val *out) {
  return lift_flat(cx, t, in, k, out);
}

/* The payload's flat values converted from the joined representation. */
static bool lift_payload(abi_cx *cx, const comp_ctype *pt, const weld_val *in, uint32_t base, comp_val *out) {
  uint8_t want[ABI_MAX_FLAT_PARAMS + 2];
  uint32_t n = ct_flatten(pt, want, sizeof want);
  weld_val tmp[ABI_MAX_FLAT_PARAMS + 2];
  if (n > ABI_MAX_FLAT_PARAMS + 1) return abi_trap(cx, "canonical ABI: payload too large for flat values");
  for (uint32_t i = 0; i < n; i++) {
    weld_val x = in[base + i];
    weld_valkind w = abi_core_kind(want[i]);
    if (x.kind != w) {
      if (x.kind == WELD_I32 && w == WELD_F32) { uint32_t b = (uint32_t)x.of.i32; x.kind = WELD_F32; memcpy(&x.of.f32, &b, 4); }
      else if (x.kind == WELD_I64 && w == WELD_I32) x = i32v((uint32_t)x.of.i64);
      else if (x.kind == WELD_I64 && w == WELD_F32) { uint32_t b = (uint32_t)x.of.i64; x.kind = WELD_F32; memcpy(&x.of.f32, &b, 4); }
      else if (x.kind == WELD_I64 && w == WELD_F64) { int64_t b = x.of.i64; x.kind = WELD_F64; memcpy(&x.of.f64, &b, 8); }
    }
    tmp[i] = x;
  }
  uint32_t j = 0;
  return lift_flat(cx, pt, tmp, &j, out);
}

static bool lift_flat_in(abi_cx *cx, const comp_ctype *t, const weld_val *in, uint32_t *k, comp_val *out) {
  memset(out, 0, sizeof *out);
  switch (t->kind) {
  case CT_PRIM:
    switch (t->prim) {
    case COMP_T_S64: case COMP_T_U64: out->u.u = (uint64_t)in[(*k)++].of.i64; return true;
    case COMP_T_F32: out->u.f32 = canon_f32(in[(*k)++].of.f32); return true;
    case COMP_T_F64: out->u.f64 = canon_f64(in[(*k)++].of.f64); return true;
    case COMP_T_STRING: {
      uint32_t p = (uint32_t)in[*k].of.i32, n = (uint32_t)in[*k + 1].of.i32;
      *k += 2;
      return load_string(cx, p, n, out);
    }
    default: {
      uint32_t x = (uint32_t)in[(*k)++].of.i32;
      if (t->prim == COMP_T_CHAR && !char_ok(cx, x)) return false;
      prim_from_i32(t, x, out);
      return true;
    }
    }
  case CT_LIST:
  case CT_MAP: {
    const comp_ctype *elem = t->kind == CT_MAP ? map_entry(cx, t) : t->a;
    uint32_t p = (uint32_t)in[*k].of.i32, n = (uint32_t)in[*k + 1].of.i32;
    *k += 2;
    return elem && load_list(cx, elem, p, n, out);
  }
  case CT_FIXED_LIST:
  case CT_RECORD:
  case CT_TUPLE: {
    uint32_t n = t->kind == CT_FIXED_LIST ? t->len : t->n;
    comp_val *v = util_arena_try_alloc(cx->arena, ((size_t)n + 1) * sizeof *v);
    if (!v) return oom(cx);
    for (uint32_t i = 0; i < n; i++)
      if (!lift_flat(cx, t->kind == CT_FIXED_LIST ? t->a : t->elems[i], in, k, &v[i])) return false;
    out->u.seq.v = v;
    out->u.seq.n = n;
    return true;
  }
  case CT_FLAGS: {
    uint32_t x = (uint32_t)in[(*k)++].of.i32;
    out->u.flags = t->n == 32 ? x : x & ((1u << t->n) - 1);
    return true;
  }
  case CT_ENUM: {
    uint32_t d = (uint32_t)in[(*k)++].of.i32;
    if (d >= t->n) return abi_trap(cx, "canonical ABI: invalid variant discriminant %u (an enum of %u cases)", d, t->n);
    out->u.var.disc = d;
    return true;
  }
  case CT_VARIANT:
  case CT_OPTION:
  case CT_RESULT: {
    const comp_ctype *tmp[2];
    const comp_ctype *const *cases;
    uint32_t n = cases_of(t, tmp, &cases);
    uint32_t nj = abi_flat_count(t) - 1;
    uint32_t d = (uint32_t)in[(*k)++].of.i32;
    if (d >= n) return abi_trap(cx, "canonical ABI: invalid variant discriminant %u (the type has %u cases)", d, n);
    out->u.var.disc = d;
    uint32_t base = *k;
    *k += nj;
    if (!cases[d]) return true;
    comp_val *p = util_arena_try_alloc(cx->arena, sizeof *p);
    if (!p) return oom(cx);
    out->u.var.p = p;
    return lift_payload(cx, cases[d], in, base, p);
  }
  case CT_OWN:
  case CT_BORROW: return lift_handle(cx, t, (uint32_t)in[(*k)++].of.i32, out);
  default: return abi_trap(cx, "not supported: values of this type at run time");
  }
}

/* ---------- nesting ------------------------------------------------------------------------ */

/* Types may nest as deep as a component's type index space is long; values are lifted
 * and lowered recursively, so the depth is bounded before the host's stack is. */
#define ABI_MAX_DEPTH 1000

static bool too_deep(abi_cx *cx) {
  if (cx->depth < ABI_MAX_DEPTH) {
    cx->depth++;
    return false;
  }
  util_fail(cx->err, UTIL_ERR_LIMIT, -1, "not supported: values nested deeper than %d levels", ABI_MAX_DEPTH);
  return true;
}

bool abi_store(abi_cx *cx, const comp_ctype *t, const comp_val *v, uint32_t ptr) {
  if (too_deep(cx)) return false;
  bool ok = store_in(cx, t, v, ptr);
  cx->depth--;
  return ok;
}

bool abi_load(abi_cx *cx, const comp_ctype *t, uint32_t ptr, comp_val *out) {
  if (too_deep(cx)) return false;
  bool ok = load_in(cx, t, ptr, out);
  cx->depth--;
  return ok;
}

bool abi_lower_flat(abi_cx *cx, const comp_ctype *t, const comp_val *v, weld_val *out, uint32_t *k) {
  if (too_deep(cx)) return false;
  bool ok = lower_flat_in(cx, t, v, out, k);
  cx->depth--;
  return ok;
}

static bool lift_flat(abi_cx *cx, const comp_ctype *t, const weld_val *in, uint32_t *k, comp_val *out) {
  if (too_deep(cx)) return false;
  bool ok = lift_flat_in(cx, t, in, k, out);
  cx->depth--;
  return ok;
}

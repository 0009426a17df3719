/* Private to the function-body validator (validate_code.c, validate_gc.c): its state and
 * the operand-stack primitives of the spec's validation algorithm. */
#ifndef WELD_WASM_VALIDATE_INTERNAL_H
#define WELD_WASM_VALIDATE_INTERNAL_H

#include <stdarg.h>
#include <stdio.h>

#include "validate.h"

typedef struct vfn {
  wasm_vstate st;
  const wasm_vmodule *vm;
  const wasm_module *m;
  util_error *err;
  uint32_t off; /* of the current instruction */
  bool oom;     /* a stack could not grow: the error is set, the body loop stops */
} vfn;

static inline bool fail(vfn *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline bool fail(vfn *v, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  util_vfail(v->err, UTIL_ERR_INVALID, v->off, fmt, ap);
  va_end(ap);
  return false;
}

static inline const char *tname(wasm_vtype t) { return t == WASM_TYPE_UNKNOWN ? "any" : wasm_valtype_name(t); }

/* ---------- the operand stack --------------------------------------------------------- */

static inline wasm_ctrl *top_ctrl(vfn *v) { return &v->st.ctrls[v->st.nctrls - 1]; }

static inline bool out_of_memory(vfn *v) {
  v->oom = true;
  return util_fail(v->err, UTIL_ERR_OOM, v->off, "out of memory");
}

/* Pushes are not checked one by one: a failed one leaves the stack short (never out of
 * bounds) and sets v->oom, which validate_body checks before any hook sees the stack. */
static inline void push(vfn *v, wasm_vtype t) {
  wasm_vstate *s = &v->st;
  if (s->nvals == s->capvals) {
    uint32_t nc = s->capvals ? s->capvals * 2 : 64;
    wasm_vtype *p = nc > s->capvals ? util_try_realloc(s->vals, (size_t)nc * sizeof *p) : NULL;
    if (!p) {
      out_of_memory(v);
      return;
    }
    s->vals = p;
    s->capvals = nc;
  }
  s->vals[s->nvals++] = t;
}

static inline void push_types(vfn *v, const wasm_vtype *ts, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) push(v, ts[i]);
}

static inline bool pop_any(vfn *v, wasm_vtype *out) {
  wasm_ctrl *c = top_ctrl(v);
  *out = WASM_TYPE_UNKNOWN; /* defined on failure too: callers are inlined past the check */
  if (v->st.nvals == c->height) {
    if (c->unreachable) return true;
    return fail(v, "type mismatch: expected a value, found nothing");
  }
  *out = v->st.vals[--v->st.nvals];
  return true;
}

static inline bool pop_expect(vfn *v, wasm_vtype expect) {
  wasm_ctrl *c = top_ctrl(v);
  if (v->st.nvals > c->height) {
    wasm_vtype t = v->st.vals[v->st.nvals - 1];
    if (t != expect && t != WASM_TYPE_UNKNOWN && expect != WASM_TYPE_UNKNOWN && !wasm_vtype_sub(v->vm, t, expect)) {
      return fail(v, "type mismatch: expected %s, found %s", tname(expect), tname(t));
    }
    v->st.nvals--;
    return true;
  }
  if (c->unreachable) return true;
  return fail(v, "type mismatch: expected %s, found nothing", tname(expect));
}

static inline bool pop_types(vfn *v, const wasm_vtype *ts, uint32_t n) {
  for (uint32_t i = n; i-- > 0;) {
    if (!pop_expect(v, ts[i])) return false;
  }
  return true;
}

/* Checks that the top of the stack could be popped as `ts` without popping it; missing
 * values in unreachable code count as unknown, exactly as pop-then-push would leave them. */
static inline bool peek_types(vfn *v, const wasm_vtype *ts, uint32_t n) {
  wasm_ctrl *c = top_ctrl(v);
  uint32_t avail = v->st.nvals - c->height;
  for (uint32_t i = 0; i < n; i++) {
    wasm_vtype expect = ts[n - 1 - i];
    if (i >= avail) {
      if (c->unreachable) return true;
      return fail(v, "type mismatch: expected %s, found nothing", tname(expect));
    }
    wasm_vtype t = v->st.vals[v->st.nvals - 1 - i];
    if (t != expect && t != WASM_TYPE_UNKNOWN && !wasm_vtype_sub(v->vm, t, expect)) {
      return fail(v, "type mismatch: expected %s, found %s", tname(expect), tname(t));
    }
  }
  return true;
}

static inline void set_unreachable(vfn *v) {
  wasm_ctrl *c = top_ctrl(v);
  v->st.nvals = c->height;
  c->unreachable = true;
}

static inline wasm_ctrl *label(vfn *v, uint32_t depth) { return &v->st.ctrls[v->st.nctrls - 1 - depth]; }

/* Pops a reference (or the unknown type in unreachable code) into *out. */
static inline bool pop_ref(vfn *v, const char *what, wasm_vtype *out) {
  if (!pop_any(v, out)) return false;
  if (*out != WASM_TYPE_UNKNOWN && !wasm_is_reftype(*out)) {
    return fail(v, "type mismatch: %s expects a reference, found %s", what, tname(*out));
  }
  return true;
}

static inline wasm_vtype non_null(wasm_vtype t) {
  return t == WASM_TYPE_UNKNOWN ? t : wasm_reftype(false, wasm_ref_heap(t));
}

static inline bool check_table(vfn *v, uint32_t idx) {
  if (idx >= v->m->ntables) return fail(v, "unknown table %u", idx);
  return true;
}

static inline bool check_elem(vfn *v, uint32_t idx) {
  if (idx >= v->m->nelems) return fail(v, "unknown elem segment %u", idx);
  return true;
}

/* Text-format encoders omit the data count section when there are no data segments, so
 * an out-of-range index is reported as such first; a module that has segments but no
 * count section is malformed (the decoder normally catches it). */
static inline bool check_data(vfn *v, uint32_t idx) {
  uint32_t n = v->m->has_data_count ? v->m->data_count : v->m->ndatas;
  if (idx >= n) return fail(v, "unknown data segment %u", idx);
  if (!v->m->has_data_count) {
    return util_fail(v->err, UTIL_ERR_MALFORMED, v->off, "data count section required");
  }
  return true;
}

static inline bool check_label(vfn *v, uint32_t depth) {
  if (depth >= v->st.nctrls) return fail(v, "unknown label %u", depth);
  return true;
}

static inline bool check_vtype(vfn *v, wasm_vtype t) {
  if (!wasm_is_reftype(t)) return true;
  if (t >= 0x100 && !(v->m->features & WASM_FEATURE_TYPED_REFS)) return fail(v, "malformed reference type");
  if (wasm_is_gc_abstract_heap(wasm_ref_heap(t)) && !(v->m->features & WASM_FEATURE_GC))
    return fail(v, "malformed reference type");
  int64_t i = wasm_heap_typeidx(wasm_ref_heap(t));
  if (i >= 0 && (uint64_t)i >= v->m->ntypes) return fail(v, "unknown type %lld", (long long)i);
  return true;
}

/* validate_gc.c: GC instructions' immediates (before the stack effect) and effects;
 * GC instructions in constant expressions. */
bool wasm_gc_check_immediates(vfn *v, const wasm_instr *in);
bool wasm_gc_effect(vfn *v, const wasm_instr *in);

#endif

/* Validation of GC's instructions (3.0): struct and array access, casts and branches on
 * casts, i31 and the extern/any conversions. The immediates are checked before the
 * consumer's hook runs, the stack effect after, as for every other instruction. */
#include "validate_internal.h"

static const wasm_deftype *deftype(vfn *v, uint32_t x) { return &v->m->deftypes[x]; }

static bool check_kind(vfn *v, uint32_t x, uint8_t kind) {
  static const char *const names[] = {"function", "struct", "array"};
  if (x >= v->m->ntypes) return fail(v, "unknown type %u", x);
  if (deftype(v, x)->kind != kind) return fail(v, "type mismatch: type %u is not %s %s type", x, kind == WASM_TYPE_ARRAY ? "an" : "a", names[kind]);
  return true;
}

static bool is_numeric_or_vector(wasm_vtype t) { return wasm_is_packed(t) || !wasm_is_reftype(t); }

/* An array type's element: must be mutable for the writing instructions. */
static bool check_array_mut(vfn *v, uint32_t x) {
  if (!deftype(v, x)->fields[0].mut) return fail(v, "immutable array %u", x);
  return true;
}

/* The element segment's reference type must fit the array's element type. */
static bool check_array_elem(vfn *v, uint32_t x, uint32_t e) {
  if (!check_elem(v, e)) return false;
  wasm_vtype et = deftype(v, x)->fields[0].type;
  if (!wasm_vtype_sub(v->vm, v->m->elems[e].type, et))
    return fail(v, "type mismatch: element segment %u of %s for an array of %s", e, tname(v->m->elems[e].type), tname(et));
  return true;
}

bool wasm_gc_check_immediates(vfn *v, const wasm_instr *in) {
  switch (in->op) {
  case WASM_OP_STRUCT_NEW: return check_kind(v, in->idx, WASM_TYPE_STRUCT);
  case WASM_OP_STRUCT_NEW_DEFAULT: {
    if (!check_kind(v, in->idx, WASM_TYPE_STRUCT)) return false;
    const wasm_deftype *d = deftype(v, in->idx);
    for (uint32_t k = 0; k < d->nfields; k++)
      if (!wasm_is_packed(d->fields[k].type) && !wasm_vtype_defaultable(d->fields[k].type))
        return fail(v, "type mismatch: field %u of type %u has no default value", k, in->idx);
    return true;
  }
  case WASM_OP_STRUCT_GET:
  case WASM_OP_STRUCT_GET_S:
  case WASM_OP_STRUCT_GET_U:
  case WASM_OP_STRUCT_SET: {
    if (!check_kind(v, in->idx, WASM_TYPE_STRUCT)) return false;
    const wasm_deftype *d = deftype(v, in->idx);
    if (in->idx2 >= d->nfields) return fail(v, "unknown field %u", in->idx2);
    const wasm_fieldtype *f = &d->fields[in->idx2];
    bool packed = wasm_is_packed(f->type);
    if (in->op == WASM_OP_STRUCT_GET && packed) return fail(v, "type mismatch: field %u is packed: struct.get_s or struct.get_u reads it", in->idx2);
    if ((in->op == WASM_OP_STRUCT_GET_S || in->op == WASM_OP_STRUCT_GET_U) && !packed)
      return fail(v, "type mismatch: field %u is not packed", in->idx2);
    if (in->op == WASM_OP_STRUCT_SET && !f->mut) return fail(v, "immutable field %u", in->idx2);
    return true;
  }
  case WASM_OP_ARRAY_NEW:
  case WASM_OP_ARRAY_NEW_FIXED: return check_kind(v, in->idx, WASM_TYPE_ARRAY);
  case WASM_OP_ARRAY_NEW_DEFAULT: {
    if (!check_kind(v, in->idx, WASM_TYPE_ARRAY)) return false;
    wasm_vtype t = deftype(v, in->idx)->fields[0].type;
    if (!wasm_is_packed(t) && !wasm_vtype_defaultable(t)) return fail(v, "type mismatch: array type %u has no default value", in->idx);
    return true;
  }
  case WASM_OP_ARRAY_NEW_DATA:
  case WASM_OP_ARRAY_INIT_DATA:
    if (!check_kind(v, in->idx, WASM_TYPE_ARRAY)) return false;
    if (in->op == WASM_OP_ARRAY_INIT_DATA && !check_array_mut(v, in->idx)) return false;
    if (!is_numeric_or_vector(deftype(v, in->idx)->fields[0].type)) return fail(v, "array type is not numeric or vector");
    return check_data(v, in->idx2);
  case WASM_OP_ARRAY_NEW_ELEM:
  case WASM_OP_ARRAY_INIT_ELEM:
    if (!check_kind(v, in->idx, WASM_TYPE_ARRAY)) return false;
    if (in->op == WASM_OP_ARRAY_INIT_ELEM && !check_array_mut(v, in->idx)) return false;
    return check_array_elem(v, in->idx, in->idx2);
  case WASM_OP_ARRAY_GET:
  case WASM_OP_ARRAY_GET_S:
  case WASM_OP_ARRAY_GET_U:
  case WASM_OP_ARRAY_SET:
  case WASM_OP_ARRAY_FILL: {
    if (!check_kind(v, in->idx, WASM_TYPE_ARRAY)) return false;
    bool packed = wasm_is_packed(deftype(v, in->idx)->fields[0].type);
    if (in->op == WASM_OP_ARRAY_GET && packed) return fail(v, "type mismatch: array type %u is packed: array.get_s or array.get_u reads it", in->idx);
    if ((in->op == WASM_OP_ARRAY_GET_S || in->op == WASM_OP_ARRAY_GET_U) && !packed)
      return fail(v, "type mismatch: array type %u is not packed", in->idx);
    if ((in->op == WASM_OP_ARRAY_SET || in->op == WASM_OP_ARRAY_FILL) && !check_array_mut(v, in->idx)) return false;
    return true;
  }
  case WASM_OP_ARRAY_COPY: {
    if (!check_kind(v, in->idx, WASM_TYPE_ARRAY) || !check_kind(v, in->idx2, WASM_TYPE_ARRAY)) return false;
    if (!check_array_mut(v, in->idx)) return false;
    wasm_vtype dt = deftype(v, in->idx)->fields[0].type, st = deftype(v, in->idx2)->fields[0].type;
    bool ok = wasm_is_packed(dt) || wasm_is_packed(st) ? dt == st : wasm_vtype_sub(v->vm, st, dt);
    if (!ok) return fail(v, "array types do not match: copying %s into %s", tname(st), tname(dt));
    return true;
  }
  case WASM_OP_REF_TEST:
  case WASM_OP_REF_TEST_NULL:
  case WASM_OP_REF_CAST:
  case WASM_OP_REF_CAST_NULL: return check_vtype(v, in->reftype);
  case WASM_OP_BR_ON_CAST:
  case WASM_OP_BR_ON_CAST_FAIL:
    if (!check_label(v, in->idx) || !check_vtype(v, in->reftype) || !check_vtype(v, in->reftype2)) return false;
    if (!wasm_vtype_sub(v->vm, in->reftype2, in->reftype))
      return fail(v, "type mismatch: %s is not a subtype of %s", tname(in->reftype2), tname(in->reftype));
    return true;
  default: return true;
  }
}

/* Pops the operand of a cast to rt: any reference of rt's hierarchy. */
static bool pop_cast_operand(vfn *v, wasm_vtype rt, wasm_vtype *out) {
  wasm_vtype top = wasm_reftype(true, wasm_heap_top(v->m, wasm_ref_heap(rt)));
  *out = WASM_TYPE_UNKNOWN;
  if (v->st.nvals > top_ctrl(v)->height) *out = v->st.vals[v->st.nvals - 1];
  return pop_expect(v, top);
}

/* rt1 minus rt2: non-null when rt2 admits null, else rt1. */
static wasm_vtype ref_diff(wasm_vtype rt1, wasm_vtype rt2) {
  return wasm_ref_nullable(rt2) ? wasm_reftype(false, wasm_ref_heap(rt1)) : rt1;
}

static bool effect_br_on_cast(vfn *v, const wasm_instr *in) {
  const wasm_ctrl *c = label(v, in->idx);
  const wasm_vtype *ts = wasm_label_types(c);
  uint32_t n = wasm_label_arity(c);
  bool fail_form = in->op == WASM_OP_BR_ON_CAST_FAIL;
  if (n == 0) return fail(v, "type mismatch: %s needs a label that takes a reference", wasm_op_name(in->op));
  /* the value that branches: the target type, or for _fail what is left of the source */
  wasm_vtype branch = fail_form ? ref_diff(in->reftype, in->reftype2) : in->reftype2;
  wasm_vtype stays = fail_form ? in->reftype2 : ref_diff(in->reftype, in->reftype2);
  if (!wasm_vtype_sub(v->vm, branch, ts[n - 1]))
    return fail(v, "type mismatch: expected %s, found %s", tname(ts[n - 1]), tname(branch));
  if (!pop_expect(v, in->reftype)) return false;
  if (!pop_types(v, ts, n - 1)) return false;
  push_types(v, ts, n - 1);
  push(v, stays);
  return true;
}

/* any.convert_extern and extern.convert_any keep the operand's nullability. */
static bool effect_convert(vfn *v, uint32_t from, uint32_t to) {
  wasm_vtype t = WASM_TYPE_UNKNOWN;
  if (v->st.nvals > top_ctrl(v)->height) t = v->st.vals[v->st.nvals - 1];
  if (!pop_expect(v, wasm_reftype(true, from))) return false;
  push(v, wasm_reftype(t != WASM_TYPE_UNKNOWN && wasm_ref_nullable(t), to));
  return true;
}

bool wasm_gc_effect(vfn *v, const wasm_instr *in) {
  const wasm_deftype *d = in->idx < v->m->ntypes ? deftype(v, in->idx) : NULL;
  wasm_vtype ref_x = wasm_reftype(true, WASM_HEAP_INDEX + in->idx); /* (ref null x) */
  wasm_vtype new_x = wasm_reftype(false, WASM_HEAP_INDEX + in->idx);
  switch (in->op) {
  case WASM_OP_STRUCT_NEW:
    for (uint32_t k = d->nfields; k-- > 0;)
      if (!pop_expect(v, wasm_unpacked(d->fields[k].type))) return false;
    push(v, new_x);
    return true;
  case WASM_OP_STRUCT_NEW_DEFAULT: push(v, new_x); return true;
  case WASM_OP_STRUCT_GET:
  case WASM_OP_STRUCT_GET_S:
  case WASM_OP_STRUCT_GET_U:
    if (!pop_expect(v, ref_x)) return false;
    push(v, wasm_unpacked(d->fields[in->idx2].type));
    return true;
  case WASM_OP_STRUCT_SET:
    return pop_expect(v, wasm_unpacked(d->fields[in->idx2].type)) && pop_expect(v, ref_x);
  case WASM_OP_ARRAY_NEW:
    if (!pop_expect(v, WASM_I32) || !pop_expect(v, wasm_unpacked(d->fields[0].type))) return false;
    push(v, new_x);
    return true;
  case WASM_OP_ARRAY_NEW_DEFAULT:
    if (!pop_expect(v, WASM_I32)) return false;
    push(v, new_x);
    return true;
  case WASM_OP_ARRAY_NEW_FIXED: {
    /* the count is a u32: once the frame's values are used up, one more pop fails or
     * (unreachable code) every remaining pop succeeds */
    uint32_t k = 0;
    for (; k < in->idx2 && v->st.nvals > top_ctrl(v)->height; k++)
      if (!pop_expect(v, wasm_unpacked(d->fields[0].type))) return false;
    if (k < in->idx2 && !pop_expect(v, wasm_unpacked(d->fields[0].type))) return false;
    push(v, new_x);
    return true;
  }
  case WASM_OP_ARRAY_NEW_DATA:
  case WASM_OP_ARRAY_NEW_ELEM:
    if (!pop_expect(v, WASM_I32) || !pop_expect(v, WASM_I32)) return false;
    push(v, new_x);
    return true;
  case WASM_OP_ARRAY_GET:
  case WASM_OP_ARRAY_GET_S:
  case WASM_OP_ARRAY_GET_U:
    if (!pop_expect(v, WASM_I32) || !pop_expect(v, ref_x)) return false;
    push(v, wasm_unpacked(d->fields[0].type));
    return true;
  case WASM_OP_ARRAY_SET:
    return pop_expect(v, wasm_unpacked(d->fields[0].type)) && pop_expect(v, WASM_I32) && pop_expect(v, ref_x);
  case WASM_OP_ARRAY_FILL:
    return pop_expect(v, WASM_I32) && pop_expect(v, wasm_unpacked(d->fields[0].type)) && pop_expect(v, WASM_I32) &&
           pop_expect(v, ref_x);
  case WASM_OP_ARRAY_COPY:
    return pop_expect(v, WASM_I32) && pop_expect(v, WASM_I32) &&
           pop_expect(v, wasm_reftype(true, WASM_HEAP_INDEX + in->idx2)) && pop_expect(v, WASM_I32) &&
           pop_expect(v, ref_x);
  case WASM_OP_ARRAY_INIT_DATA:
  case WASM_OP_ARRAY_INIT_ELEM:
    return pop_expect(v, WASM_I32) && pop_expect(v, WASM_I32) && pop_expect(v, WASM_I32) && pop_expect(v, ref_x);
  case WASM_OP_REF_TEST:
  case WASM_OP_REF_TEST_NULL: {
    wasm_vtype t;
    if (!pop_cast_operand(v, in->reftype, &t)) return false;
    push(v, WASM_I32);
    return true;
  }
  case WASM_OP_REF_CAST:
  case WASM_OP_REF_CAST_NULL: {
    wasm_vtype t;
    if (!pop_cast_operand(v, in->reftype, &t)) return false;
    push(v, in->reftype);
    return true;
  }
  case WASM_OP_BR_ON_CAST:
  case WASM_OP_BR_ON_CAST_FAIL: return effect_br_on_cast(v, in);
  case WASM_OP_ANY_CONVERT_EXTERN: return effect_convert(v, WASM_HEAP_EXTERN, WASM_HEAP_ANY);
  case WASM_OP_EXTERN_CONVERT_ANY: return effect_convert(v, WASM_HEAP_ANY, WASM_HEAP_EXTERN);
  case WASM_OP_REF_I31:
    if (!pop_expect(v, WASM_I32)) return false;
    push(v, wasm_reftype(false, WASM_HEAP_I31));
    return true;
  default: return fail(v, "unexpected instruction %s", wasm_op_name(in->op));
  }
}

/* ---------- constant expressions ------------------------------------------------------- */

bool wasm_const_push(wasm_const_stack *cs, wasm_vtype t) {
  if (cs->depth == cs->cap) {
    uint32_t nc = cs->cap ? cs->cap * 2 : 16;
    wasm_vtype *p = nc > cs->cap ? util_try_realloc(cs->vals, (size_t)nc * sizeof *p) : NULL;
    if (!p) return false;
    cs->vals = p;
    cs->cap = nc;
  }
  cs->vals[cs->depth++] = t;
  return true;
}

static void const_pop(const wasm_vmodule *vm, wasm_const_stack *cs, wasm_vtype want) {
  if (cs->depth == 0 || !wasm_vtype_sub(vm, cs->vals[cs->depth - 1], want)) cs->mismatch = true;
  if (cs->depth) cs->depth--;
}

static bool const_fail(util_error *err, const wasm_instr *in, const char *fmt, uint32_t x) {
  return util_fail(err, UTIL_ERR_INVALID, in->offset, fmt, x);
}

bool wasm_gc_const_instr(const wasm_vmodule *vm, const wasm_instr *in, wasm_const_stack *cs, util_error *err) {
  const wasm_module *m = vm->m;
  uint8_t kind;
  switch (in->op) {
  case WASM_OP_STRUCT_NEW:
  case WASM_OP_STRUCT_NEW_DEFAULT: kind = WASM_TYPE_STRUCT; break;
  case WASM_OP_ARRAY_NEW:
  case WASM_OP_ARRAY_NEW_DEFAULT:
  case WASM_OP_ARRAY_NEW_FIXED: kind = WASM_TYPE_ARRAY; break;
  case WASM_OP_REF_I31:
    const_pop(vm, cs, WASM_I32);
    return wasm_const_push(cs, wasm_reftype(false, WASM_HEAP_I31)) || util_fail(err, UTIL_ERR_OOM, in->offset, "out of memory");
  case WASM_OP_ANY_CONVERT_EXTERN:
  case WASM_OP_EXTERN_CONVERT_ANY: {
    bool to_any = in->op == WASM_OP_ANY_CONVERT_EXTERN;
    bool nullable = cs->depth == 0 || wasm_ref_nullable(cs->vals[cs->depth - 1]);
    const_pop(vm, cs, to_any ? WASM_EXTERNREF : WASM_ANYREF);
    return wasm_const_push(cs, wasm_reftype(nullable, to_any ? WASM_HEAP_ANY : WASM_HEAP_EXTERN)) ||
           util_fail(err, UTIL_ERR_OOM, in->offset, "out of memory");
  }
  default: return false; /* not constant */
  }
  if (in->idx >= m->ntypes) return const_fail(err, in, "unknown type %u", in->idx);
  const wasm_deftype *d = &m->deftypes[in->idx];
  if (d->kind != kind) return const_fail(err, in, "type mismatch: type %u has the wrong kind", in->idx);
  switch (in->op) {
  case WASM_OP_STRUCT_NEW:
    for (uint32_t k = d->nfields; k-- > 0;) const_pop(vm, cs, wasm_unpacked(d->fields[k].type));
    break;
  case WASM_OP_STRUCT_NEW_DEFAULT:
    for (uint32_t k = 0; k < d->nfields; k++)
      if (!wasm_is_packed(d->fields[k].type) && !wasm_vtype_defaultable(d->fields[k].type))
        return const_fail(err, in, "type mismatch: type %u has a field without a default value", in->idx);
    break;
  case WASM_OP_ARRAY_NEW:
    const_pop(vm, cs, WASM_I32);
    const_pop(vm, cs, wasm_unpacked(d->fields[0].type));
    break;
  case WASM_OP_ARRAY_NEW_DEFAULT:
    if (!wasm_is_packed(d->fields[0].type) && !wasm_vtype_defaultable(d->fields[0].type))
      return const_fail(err, in, "type mismatch: array type %u has no default value", in->idx);
    const_pop(vm, cs, WASM_I32);
    break;
  default: /* array.new_fixed (a u32 count: stop once the stack is used up) */
    for (uint32_t k = 0; k < in->idx2 && !cs->mismatch; k++) const_pop(vm, cs, wasm_unpacked(d->fields[0].type));
    break;
  }
  return wasm_const_push(cs, wasm_reftype(false, WASM_HEAP_INDEX + in->idx)) ||
         util_fail(err, UTIL_ERR_OOM, in->offset, "out of memory");
}

/* Function-body validation: one pass over the instructions with the operand type stack and
 * the control stack of the spec's validation algorithm (appendix "Validation Algorithm").
 * Instructions with a fixed signature are typed from the opcode table; the rest are typed
 * here by hand. A consumer may ride along through hooks (see validate.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

#include "validate_internal.h"

/* ---------- the control stack ---------------------------------------------------------- */

/* A single-valtype block passes results NULL and the type in `scratch`. */
static bool push_ctrl(vfn *v, uint8_t kind, uint32_t np, const wasm_vtype *params, uint32_t nr,
                      const wasm_vtype *results, wasm_vtype scratch) {
  wasm_vstate *s = &v->st;
  if (s->nctrls == s->capctrls) {
    uint32_t nc = s->capctrls ? s->capctrls * 2 : 16;
    wasm_ctrl *p = nc > s->capctrls ? util_try_realloc(s->ctrls, (size_t)nc * sizeof *s->ctrls) : NULL;
    if (!p) return out_of_memory(v);
    s->ctrls = p;
    s->capctrls = nc;
  }
  wasm_ctrl *c = &s->ctrls[s->nctrls++];
  memset(c, 0, sizeof *c);
  c->kind = kind;
  c->scratch = scratch;
  c->nparams = np;
  c->params = params;
  c->nresults = nr;
  c->results = results;
  c->height = s->nvals;
  c->inits = s->ninits;
  push_types(v, params, np);
  return !v->oom;
}

/* Rewrites a failed operand check in the reference interpreter's words, "type mismatch:
 * instruction requires [i32] but stack has [i64]" (the 3.0 scripts check them for throw). */
static bool fail_requires_as(vfn *v, const char *who, const wasm_vtype *ts, uint32_t n, uint32_t k) {
  char want[256], have[256];
  size_t a = 0, b = 0;
  for (uint32_t i = 0; i < n && a < 200; i++)
    a += (size_t)snprintf(want + a, sizeof want - a, "%s%s", i ? " " : "", tname(ts[i]));
  for (uint32_t i = 0; i < k && b < 200; i++)
    b += (size_t)snprintf(have + b, sizeof have - b, "%s%s", i ? " " : "", tname(v->st.vals[v->st.nvals - k + i]));
  want[a] = have[b] = 0;
  util_error_clear(v->err);
  return fail(v, "type mismatch: %s requires [%s] but stack has [%s]", who, want, have);
}

static bool fail_requires(vfn *v, const wasm_vtype *ts, uint32_t n) {
  uint32_t avail = v->st.nvals - top_ctrl(v)->height;
  return fail_requires_as(v, "instruction", ts, n, avail < n ? avail : n);
}

/* Checks the frame's results are exactly what is left above its entry height. */
static bool check_frame_end(vfn *v) {
  wasm_ctrl *c = top_ctrl(v);
  const wasm_vtype *results = wasm_ctrl_results(c);
  if ((c->kind == WASM_CTRL_TRY || c->kind == WASM_CTRL_CATCH) && !c->unreachable) {
    /* the legacy scripts check the reference interpreter's wording here */
    uint32_t avail = v->st.nvals - c->height;
    if (avail > c->nresults) return fail_requires_as(v, "block", results, c->nresults, avail);
    if (!peek_types(v, results, c->nresults)) return fail_requires(v, results, c->nresults);
  }
  if (!pop_types(v, results, c->nresults)) return false;
  if (v->st.nvals != c->height) {
    return fail(v, "type mismatch: %u extra value(s) at the end of the block", v->st.nvals - c->height);
  }
  return true;
}

/* ---------- immediate checks (before the stack effect) ------------------------------ */

static bool check_memory(vfn *v, uint32_t memidx) {
  if (memidx >= v->m->nmemories) return fail(v, "unknown memory %u", memidx);
  return true;
}

/* The index (address) type of a memory or table: i64 for memory64's, else i32. */
static uint8_t mem_at(const vfn *v, uint32_t memidx) {
  return v->m->memories[memidx].type.limits.is64 ? WASM_I64 : WASM_I32;
}
static uint8_t table_at(const vfn *v, uint32_t idx) {
  return v->m->tables[idx].type.limits.is64 ? WASM_I64 : WASM_I32;
}

static bool check_align(vfn *v, uint32_t align, uint32_t natural) {
  if (align > natural) return fail(v, "alignment must not be larger than natural");
  return true;
}

/* A memarg: its memory, its alignment, then its offset, which must fit the memory's
 * index type. */
static bool check_memarg(vfn *v, const wasm_memarg *ma, uint32_t natural) {
  if (!check_memory(v, ma->memidx) || !check_align(v, ma->align, natural)) return false;
  if (mem_at(v, ma->memidx) == WASM_I32 && ma->offset > UINT32_MAX) return fail(v, "offset out of range");
  return true;
}


static bool check_func_type(vfn *v, uint32_t idx) {
  if (idx >= v->m->ntypes) return fail(v, "unknown type %u", idx);
  if (v->m->deftypes[idx].kind != WASM_TYPE_FUNC) return fail(v, "type mismatch: type %u is not a function type", idx);
  return true;
}

static bool check_blocktype(vfn *v, const wasm_instr *in) {
  int64_t bt = in->blocktype;
  if (bt >= 0 && (uint64_t)bt >= v->m->ntypes) return fail(v, "unknown type %lld", (long long)bt);
  if (bt >= 0) return check_func_type(v, (uint32_t)bt);
  if (bt == -1) return check_vtype(v, in->bt_type);
  return true;
}

static bool check_type(vfn *v, uint32_t idx) {
  if (idx >= v->m->ntypes) return fail(v, "unknown type %u", idx);
  return true;
}

/* Everything that depends only on immediates and the module: the spec's "unknown X"
 * errors, alignment and lane ranges. The consumer's `before` hook runs after this. */
static bool check_immediates(vfn *v, const wasm_instr *in) {
  const wasm_module *m = v->m;
  const wasm_opinfo *oi = &wasm_opinfo_table[in->op];
  switch ((wasm_imm_kind)oi->imm) {
  case WASM_IMM_BLOCKTYPE: return check_blocktype(v, in);
  case WASM_IMM_TYPE:
    if (in->op == WASM_OP_CALL_REF || in->op == WASM_OP_RETURN_CALL_REF) return check_func_type(v, in->idx);
    if (wasm_opinfo_table[in->op].prefix == 0xfb) return wasm_gc_check_immediates(v, in);
    return check_type(v, in->idx);
  case WASM_IMM_LABEL: return check_label(v, in->idx);
  case WASM_IMM_BR_TABLE: {
    const uint8_t *p = in->targets;
    for (uint32_t i = 0; i < in->ntargets; i++) {
      if (!check_label(v, wasm_br_table_next(&p))) return false;
    }
    return check_label(v, in->idx);
  }
  case WASM_IMM_FUNC:
    if (in->idx >= m->nfuncs) return fail(v, "unknown function %u", in->idx);
    if (m->funcs[in->idx].type >= m->ntypes) return fail(v, "unknown type %u", m->funcs[in->idx].type);
    if (in->op == WASM_OP_REF_FUNC && !v->vm->declared_funcs[in->idx]) {
      return fail(v, "undeclared function reference");
    }
    return true;
  case WASM_IMM_CALL_INDIRECT:
    if (!check_table(v, in->idx2)) return false;
    if (!check_func_type(v, in->idx)) return false;
    if (!wasm_vtype_sub(v->vm, m->tables[in->idx2].type.elem, WASM_FUNCREF)) {
      return fail(v, "type mismatch: call_indirect requires a table of funcref");
    }
    return true;
  case WASM_IMM_SELECT_T:
    if (in->ntargets != 1) return fail(v, "invalid result arity");
    return check_vtype(v, in->reftype);
  case WASM_IMM_LOCAL:
    if (in->idx >= v->st.nlocals) return fail(v, "unknown local %u", in->idx);
    return true;
  case WASM_IMM_GLOBAL:
    if (in->idx >= m->nglobals) return fail(v, "unknown global %u", in->idx);
    if (in->op == WASM_OP_GLOBAL_SET && !m->globals[in->idx].type.mut) {
      return fail(v, "%s", util_spec_edition() >= 3 ? "immutable global" : "global is immutable");
    }
    return true;
  case WASM_IMM_TABLE: return check_table(v, in->idx);
  case WASM_IMM_MEM:
    if (!check_memarg(v, &in->mem, oi->arg)) return false;
    /* threads: an atomic access's alignment is exactly its size */
    if (wasm_op_is_atomic(in->op) && in->mem.align != oi->arg) return fail(v, "atomic alignment must be natural");
    return true;
  case WASM_IMM_FENCE: return true;
  case WASM_IMM_MEMLANE:
    if (!check_memarg(v, &in->mem, oi->arg & 0xf)) return false;
    if (in->lane >= (oi->arg >> 4)) return fail(v, "invalid lane index");
    return true;
  case WASM_IMM_MEMIDX: return check_memory(v, in->idx);
  case WASM_IMM_LANE:
    if (in->lane >= oi->arg) return fail(v, "invalid lane index");
    return true;
  case WASM_IMM_SHUFFLE:
    for (int i = 0; i < 16; i++) {
      if (in->c.v128[i] >= 32) return fail(v, "invalid lane index");
    }
    return true;
  case WASM_IMM_MEMINIT: return check_memory(v, in->idx2) && check_data(v, in->idx);
  case WASM_IMM_DATAIDX: return check_data(v, in->idx);
  case WASM_IMM_MEMCOPY: return check_memory(v, in->idx) && check_memory(v, in->idx2);
  case WASM_IMM_TABLEINIT:
    if (!check_table(v, in->idx2) || !check_elem(v, in->idx)) return false;
    if (!wasm_vtype_sub(v->vm, m->elems[in->idx].type, m->tables[in->idx2].type.elem)) {
      return fail(v, "type mismatch: table.init of %s into a table of %s",
                  wasm_valtype_name(m->elems[in->idx].type), wasm_valtype_name(m->tables[in->idx2].type.elem));
    }
    return true;
  case WASM_IMM_ELEMIDX: return check_elem(v, in->idx);
  case WASM_IMM_TAG:
    if (in->idx >= m->ntags) return fail(v, "unknown tag %u", in->idx);
    return true;
  case WASM_IMM_TRY_TABLE: {
    if (!check_blocktype(v, in)) return false;
    const uint8_t *p = in->targets;
    for (uint32_t i = 0; i < in->ntargets; i++) {
      wasm_catch c;
      wasm_catch_next(&p, &c);
      if (wasm_catch_has_tag(c.kind) && c.tag >= m->ntags) return fail(v, "unknown tag %u", c.tag);
      if (!check_label(v, c.label)) return false;
    }
    return true;
  }
  case WASM_IMM_TABLECOPY:
    if (!check_table(v, in->idx) || !check_table(v, in->idx2)) return false;
    if (!wasm_vtype_sub(v->vm, m->tables[in->idx2].type.elem, m->tables[in->idx].type.elem)) {
      return fail(v, "type mismatch: table.copy between tables of %s and %s",
                  wasm_valtype_name(m->tables[in->idx2].type.elem), wasm_valtype_name(m->tables[in->idx].type.elem));
    }
    return true;
  case WASM_IMM_NONE:
    if (in->op == WASM_OP_ELSE && top_ctrl(v)->kind != WASM_CTRL_IF) {
      return util_fail(v->err, UTIL_ERR_MALFORMED, v->off, "else without matching if");
    }
    return true;
  case WASM_IMM_I32C:
  case WASM_IMM_I64C:
  case WASM_IMM_F32C:
  case WASM_IMM_F64C:
  case WASM_IMM_V128C: return true;
  case WASM_IMM_REFTYPE: return check_vtype(v, in->reftype);
  case WASM_IMM_TYPE_FIELD:
  case WASM_IMM_TYPE_FIXED:
  case WASM_IMM_TYPE_DATA:
  case WASM_IMM_TYPE_ELEM:
  case WASM_IMM_TYPE_TYPE:
  case WASM_IMM_HEAPTYPE:
  case WASM_IMM_BR_ON_CAST: return wasm_gc_check_immediates(v, in);
  }
  return true;
}

/* ---------- stack effects ------------------------------------------------------------ */

static bool effect_block(vfn *v, const wasm_instr *in) {
  wasm_vtype scratch = 0;
  uint32_t np, nr;
  const wasm_vtype *params, *results;
  if (!wasm_blocktype_sig(v->m, in, &scratch, &np, &params, &nr, &results)) {
    return fail(v, "unknown type %lld", (long long)in->blocktype);
  }
  if (nr == 1 && results == &scratch) results = NULL; /* the frame keeps it in its scratch */
  if (in->op == WASM_OP_IF && !pop_expect(v, WASM_I32)) return false;
  if (!pop_types(v, params, np)) return false;
  uint8_t kind = in->op == WASM_OP_BLOCK ? WASM_CTRL_BLOCK : in->op == WASM_OP_LOOP ? WASM_CTRL_LOOP
               : in->op == WASM_OP_TRY   ? WASM_CTRL_TRY
                                         : WASM_CTRL_IF;
  return push_ctrl(v, kind, np, params, nr, results, scratch);
}

/* A catch clause branches to its label with the tag's payload (and, for the _ref forms,
 * the exnref): those must be exactly the label's types. */
static bool check_catch(vfn *v, const wasm_catch *c) {
  const wasm_ctrl *l = label(v, c->label);
  const wasm_functype *tt = wasm_catch_has_tag(c->kind) ? &v->m->types[v->m->tags[c->tag].type] : NULL;
  uint32_t np = tt ? tt->nparams : 0, n = np + (wasm_catch_is_ref(c->kind) ? 1 : 0);
  const wasm_vtype *lt = wasm_label_types(l);
  if (wasm_label_arity(l) != n) {
    return fail(v, "type mismatch: catch clause gives %u value(s), its label takes %u", n, wasm_label_arity(l));
  }
  for (uint32_t i = 0; i < np; i++) {
    if (!wasm_vtype_sub(v->vm, tt->params[i], lt[i])) {
      return fail(v, "type mismatch: catch clause gives %s, its label takes %s", tname(tt->params[i]), tname(lt[i]));
    }
  }
  if (n > np && !wasm_vtype_sub(v->vm, wasm_reftype(false, WASM_HEAP_EXN), lt[np])) {
    return fail(v, "type mismatch: catch clause gives (ref exn), its label takes %s", tname(lt[np]));
  }
  return true;
}

static bool effect_try_table(vfn *v, const wasm_instr *in) {
  wasm_vtype scratch = 0;
  uint32_t np, nr;
  const wasm_vtype *params, *results;
  if (!wasm_blocktype_sig(v->m, in, &scratch, &np, &params, &nr, &results)) {
    return fail(v, "unknown type %lld", (long long)in->blocktype);
  }
  if (nr == 1 && results == &scratch) results = NULL; /* the frame keeps it in its scratch */
  const uint8_t *p = in->targets;
  for (uint32_t i = 0; i < in->ntargets; i++) {
    wasm_catch c;
    wasm_catch_next(&p, &c);
    if (!check_catch(v, &c)) return false;
  }
  if (!pop_types(v, params, np)) return false;
  return push_ctrl(v, WASM_CTRL_TRY_TABLE, np, params, nr, results, scratch);
}

static bool effect_select(vfn *v, const wasm_instr *in) {
  if (!pop_expect(v, WASM_I32)) return false;
  if (in->op == WASM_OP_SELECT_T) {
    wasm_vtype t = in->reftype;
    if (!pop_expect(v, t) || !pop_expect(v, t)) return false;
    push(v, t);
    return true;
  }
  wasm_vtype t1, t2;
  if (!pop_any(v, &t1) || !pop_any(v, &t2)) return false;
  /* Untyped select is limited to numeric and vector operands; unknown matches both. */
  if (wasm_is_reftype(t1) || wasm_is_reftype(t2)) {
    return fail(v, "type mismatch: select without a type needs numeric or vector operands, found %s",
                tname(wasm_is_reftype(t1) ? t1 : t2));
  }
  if (t1 != t2 && t1 != WASM_TYPE_UNKNOWN && t2 != WASM_TYPE_UNKNOWN) {
    return fail(v, "type mismatch: select operands %s and %s differ", tname(t2), tname(t1));
  }
  push(v, t1 == WASM_TYPE_UNKNOWN ? t2 : t1);
  return true;
}

static bool effect_br_table(vfn *v, const wasm_instr *in) {
  if (!pop_expect(v, WASM_I32)) return false;
  const wasm_ctrl *def = label(v, in->idx);
  uint32_t arity = wasm_label_arity(def);
  const uint8_t *p = in->targets;
  for (uint32_t i = 0; i < in->ntargets; i++) {
    const wasm_ctrl *c = label(v, wasm_br_table_next(&p));
    if (wasm_label_arity(c) != arity) {
      return fail(v, "type mismatch: br_table targets have different arities (%u and %u)",
                  wasm_label_arity(c), arity);
    }
    if (!peek_types(v, wasm_label_types(c), arity)) return false;
  }
  if (!pop_types(v, wasm_label_types(def), arity)) return false;
  set_unreachable(v);
  return true;
}

static bool effect_call(vfn *v, const wasm_functype *ft) {
  if (!pop_types(v, ft->params, ft->nparams)) return false;
  push_types(v, ft->results, ft->nresults);
  return true;
}

/* return_call*: the callee's results become the function's, so they must be subtypes of
 * the function's; the rest of the block is unreachable. */
static bool effect_return_call(vfn *v, const wasm_functype *ft) {
  const wasm_ctrl *fc = &v->st.ctrls[0];
  bool same = ft->nresults == fc->nresults;
  for (uint32_t i = 0; same && i < ft->nresults; i++) same = wasm_vtype_sub(v->vm, ft->results[i], fc->results[i]);
  if (!same) return fail(v, "type mismatch: tail call's results differ from the function's");
  if (!pop_types(v, ft->params, ft->nparams)) return false;
  set_unreachable(v);
  return true;
}

/* call_ref/return_call_ref $t take a (ref null $t) after the arguments. */
static bool pop_funcref_of(vfn *v, uint32_t typeidx) {
  return pop_expect(v, wasm_reftype(true, WASM_HEAP_INDEX + typeidx));
}

static bool effect_br_on_null(vfn *v, const wasm_instr *in) {
  wasm_vtype t;
  if (!pop_ref(v, "br_on_null", &t)) return false;
  const wasm_ctrl *c = label(v, in->idx);
  const wasm_vtype *ts = wasm_label_types(c);
  uint32_t n = wasm_label_arity(c);
  if (!pop_types(v, ts, n)) return false;
  push_types(v, ts, n);
  push(v, non_null(t));
  return true;
}

static bool effect_br_on_non_null(vfn *v, const wasm_instr *in) {
  const wasm_ctrl *c = label(v, in->idx);
  const wasm_vtype *ts = wasm_label_types(c);
  uint32_t n = wasm_label_arity(c);
  if (n == 0 || !wasm_is_reftype(ts[n - 1])) {
    return fail(v, "type mismatch: br_on_non_null needs a label whose last type is a reference");
  }
  wasm_vtype t;
  if (!pop_ref(v, "br_on_non_null", &t)) return false;
  if (!wasm_vtype_sub(v->vm, non_null(t), ts[n - 1])) {
    return fail(v, "type mismatch: expected %s, found %s", tname(ts[n - 1]), tname(non_null(t)));
  }
  if (!pop_types(v, ts, n - 1)) return false;
  push_types(v, ts, n - 1);
  return true;
}

/* The local-initialisation rule (3.0): a local without a default value may be read only
 * after a set in the same or an enclosing block; the end of a block forgets its sets. */
static void set_local(vfn *v, uint32_t idx) {
  wasm_vstate *s = &v->st;
  if (!s->unset || !s->unset[idx]) return;
  if (s->ninits == s->capinits) {
    uint32_t nc = s->capinits ? s->capinits * 2 : 16;
    uint32_t *p = util_try_realloc(s->inits, (size_t)nc * sizeof *p);
    if (!p) {
      out_of_memory(v);
      return;
    }
    s->inits = p;
    s->capinits = nc;
  }
  s->unset[idx] = 0;
  s->inits[s->ninits++] = idx;
}

static void forget_sets(vfn *v, uint32_t to) {
  wasm_vstate *s = &v->st;
  while (s->ninits > to) s->unset[s->inits[--s->ninits]] = 1;
}

static bool effect_special(vfn *v, const wasm_instr *in) {
  const wasm_module *m = v->m;
  switch (in->op) {
  case WASM_OP_UNREACHABLE: set_unreachable(v); return true;
  case WASM_OP_BLOCK:
  case WASM_OP_LOOP:
  case WASM_OP_IF:
  case WASM_OP_TRY: return effect_block(v, in);
  case WASM_OP_RETHROW:
    if (label(v, in->idx)->kind != WASM_CTRL_CATCH) return fail(v, "invalid rethrow label");
    set_unreachable(v);
    return true;
  case WASM_OP_BR: {
    const wasm_ctrl *c = label(v, in->idx);
    if (!pop_types(v, wasm_label_types(c), wasm_label_arity(c))) return false;
    set_unreachable(v);
    return true;
  }
  case WASM_OP_BR_IF: {
    if (!pop_expect(v, WASM_I32)) return false;
    const wasm_ctrl *c = label(v, in->idx);
    const wasm_vtype *ts = wasm_label_types(c);
    uint32_t n = wasm_label_arity(c);
    if (!pop_types(v, ts, n)) return false;
    push_types(v, ts, n);
    return true;
  }
  case WASM_OP_BR_TABLE: return effect_br_table(v, in);
  case WASM_OP_RETURN:
    if (!pop_types(v, v->st.ctrls[0].results, v->st.ctrls[0].nresults)) return false;
    set_unreachable(v);
    return true;
  case WASM_OP_CALL: return effect_call(v, wasm_ir_func_type(m, in->idx));
  case WASM_OP_CALL_INDIRECT:
    if (!pop_expect(v, table_at(v, in->idx2))) return false;
    return effect_call(v, &m->types[in->idx]);
  case WASM_OP_RETURN_CALL: return effect_return_call(v, wasm_ir_func_type(m, in->idx));
  case WASM_OP_RETURN_CALL_INDIRECT:
    if (!pop_expect(v, table_at(v, in->idx2))) return false;
    return effect_return_call(v, &m->types[in->idx]);
  case WASM_OP_DROP: {
    wasm_vtype t;
    return pop_any(v, &t);
  }
  case WASM_OP_SELECT:
  case WASM_OP_SELECT_T: return effect_select(v, in);
  case WASM_OP_LOCAL_GET:
    if (v->st.unset && v->st.unset[in->idx]) return fail(v, "uninitialized local %u", in->idx);
    push(v, v->st.locals[in->idx]);
    return true;
  case WASM_OP_LOCAL_SET:
    if (!pop_expect(v, v->st.locals[in->idx])) return false;
    set_local(v, in->idx);
    return true;
  case WASM_OP_LOCAL_TEE:
    if (!pop_expect(v, v->st.locals[in->idx])) return false;
    set_local(v, in->idx);
    push(v, v->st.locals[in->idx]);
    return true;
  case WASM_OP_GLOBAL_GET: push(v, m->globals[in->idx].type.type); return true;
  case WASM_OP_GLOBAL_SET: return pop_expect(v, m->globals[in->idx].type.type);
  case WASM_OP_TABLE_GET:
    if (!pop_expect(v, table_at(v, in->idx))) return false;
    push(v, m->tables[in->idx].type.elem);
    return true;
  case WASM_OP_TABLE_SET:
    return pop_expect(v, m->tables[in->idx].type.elem) && pop_expect(v, table_at(v, in->idx));
  case WASM_OP_TABLE_SIZE: push(v, table_at(v, in->idx)); return true;
  case WASM_OP_TABLE_GROW:
    if (!pop_expect(v, table_at(v, in->idx)) || !pop_expect(v, m->tables[in->idx].type.elem)) return false;
    push(v, table_at(v, in->idx));
    return true;
  case WASM_OP_TABLE_FILL:
    return pop_expect(v, table_at(v, in->idx)) && pop_expect(v, m->tables[in->idx].type.elem) &&
           pop_expect(v, table_at(v, in->idx));
  case WASM_OP_TABLE_INIT: /* table.init elem table: d in the table's index type, s and n i32 */
    return pop_expect(v, WASM_I32) && pop_expect(v, WASM_I32) && pop_expect(v, table_at(v, in->idx2));
  case WASM_OP_TABLE_COPY: { /* table.copy dst src: n is i64 only when both are 64-bit */
    uint8_t dt = table_at(v, in->idx), st = table_at(v, in->idx2);
    uint8_t nt = dt == WASM_I64 && st == WASM_I64 ? WASM_I64 : WASM_I32;
    return pop_expect(v, nt) && pop_expect(v, st) && pop_expect(v, dt);
  }
  case WASM_OP_REF_NULL: push(v, in->reftype); return true;
  case WASM_OP_REF_IS_NULL: {
    wasm_vtype t;
    if (!pop_any(v, &t)) return false;
    if (t != WASM_TYPE_UNKNOWN && !wasm_is_reftype(t)) {
      return fail(v, "type mismatch: ref.is_null expects a reference, found %s", tname(t));
    }
    push(v, WASM_I32);
    return true;
  }
  case WASM_OP_REF_FUNC: push(v, wasm_reftype(false, WASM_HEAP_INDEX + m->funcs[in->idx].type)); return true;
  case WASM_OP_REF_AS_NON_NULL: {
    wasm_vtype t;
    if (!pop_ref(v, "ref.as_non_null", &t)) return false;
    push(v, non_null(t));
    return true;
  }
  case WASM_OP_BR_ON_NULL: return effect_br_on_null(v, in);
  case WASM_OP_BR_ON_NON_NULL: return effect_br_on_non_null(v, in);
  case WASM_OP_CALL_REF: return pop_funcref_of(v, in->idx) && effect_call(v, &m->types[in->idx]);
  case WASM_OP_RETURN_CALL_REF: return pop_funcref_of(v, in->idx) && effect_return_call(v, &m->types[in->idx]);
  case WASM_OP_TRY_TABLE: return effect_try_table(v, in);
  case WASM_OP_THROW: {
    const wasm_functype *tt = &m->types[m->tags[in->idx].type];
    if (!peek_types(v, tt->params, tt->nparams)) return fail_requires(v, tt->params, tt->nparams);
    if (!pop_types(v, tt->params, tt->nparams)) return false;
    set_unreachable(v);
    return true;
  }
  case WASM_OP_THROW_REF:
    if (!pop_expect(v, WASM_EXNREF)) return false; /* (ref null exn): null traps */
    set_unreachable(v);
    return true;
  default:
    if (wasm_opinfo_table[in->op].prefix == 0xfb) return wasm_gc_effect(v, in);
    break;
  }
  return fail(v, "unexpected instruction %s", wasm_op_name(in->op));
}

static bool effect_plain(vfn *v, const wasm_opinfo *oi);

/* A memory instruction on a 64-bit memory: the opcode table's signature with i64 for each
 * address, size and page count (memory.copy's length is i64 only between two 64-bit
 * memories). */
static bool effect_memory64(vfn *v, const wasm_instr *in, const wasm_opinfo *oi) {
  wasm_opinfo o = *oi;
  switch ((wasm_imm_kind)oi->imm) {
  case WASM_IMM_MEM:
  case WASM_IMM_MEMLANE: o.params[0] = WASM_I64; break;
  case WASM_IMM_MEMINIT: o.params[0] = WASM_I64; break;
  case WASM_IMM_MEMCOPY: {
    uint8_t d = mem_at(v, in->idx), s = mem_at(v, in->idx2);
    o.params[0] = d;
    o.params[1] = s;
    o.params[2] = d == WASM_I64 && s == WASM_I64 ? WASM_I64 : WASM_I32;
    break;
  }
  default: /* MEMIDX: memory.size, memory.grow, memory.fill */
    if (in->op == WASM_OP_MEMORY_FILL) o.params[0] = o.params[2] = WASM_I64;
    else if (in->op == WASM_OP_MEMORY_GROW) o.params[0] = o.result = WASM_I64;
    else o.result = WASM_I64;
    break;
  }
  return effect_plain(v, &o);
}

/* Whether an instruction touches a 64-bit memory (so effect_memory64 types it). */
static bool uses_memory64(const vfn *v, const wasm_instr *in, const wasm_opinfo *oi) {
  switch ((wasm_imm_kind)oi->imm) {
  case WASM_IMM_MEM:
  case WASM_IMM_MEMLANE: return mem_at(v, in->mem.memidx) == WASM_I64;
  case WASM_IMM_MEMIDX: return mem_at(v, in->idx) == WASM_I64;
  case WASM_IMM_MEMINIT: return mem_at(v, in->idx2) == WASM_I64;
  case WASM_IMM_MEMCOPY: return mem_at(v, in->idx) == WASM_I64 || mem_at(v, in->idx2) == WASM_I64;
  default: return false;
  }
}

static bool effect_plain(vfn *v, const wasm_opinfo *oi) {
  wasm_vstate *s = &v->st;
  wasm_ctrl *c = top_ctrl(v);
  uint32_t n = oi->nparams;
  /* The common case: all operands present and well typed. */
  if (s->nvals - c->height >= n) {
    uint32_t i = 0;
    for (; i < n; i++) {
      wasm_vtype t = s->vals[s->nvals - n + i];
      if (t != oi->params[i] && t != WASM_TYPE_UNKNOWN) break;
    }
    if (i == n) {
      s->nvals -= n;
      if (oi->result) push(v, oi->result);
      return true;
    }
  }
  for (uint32_t i = n; i-- > 0;) {
    if (!pop_expect(v, oi->params[i])) return false;
  }
  if (oi->result) push(v, oi->result);
  return true;
}

/* ---------- the driver ------------------------------------------------------------------ */

static bool run_hook_before(vfn *v, const wasm_code_hooks *h, const wasm_instr *in) {
  if (!h || !h->before) return true;
  if (h->before(h->ctx, &v->st, in, v->err)) return true;
  return util_fail(v->err, UTIL_ERR_LIMIT, v->off, "code consumer failed");
}

static bool run_hook_after(vfn *v, const wasm_code_hooks *h, const wasm_instr *in, const wasm_ctrl *ended) {
  if (!h || !h->after) return true;
  if (h->after(h->ctx, &v->st, in, ended, v->err)) return true;
  return util_fail(v->err, UTIL_ERR_LIMIT, v->off, "code consumer failed");
}

/* Legacy `catch x` / `catch_all`: ends the try body (or the previous catch) like `else`,
 * and the handler starts with the tag's payload on the stack. */
static bool legacy_catch(vfn *v, const wasm_instr *in, const wasm_code_hooks *hooks) {
  wasm_ctrl *c = top_ctrl(v);
  if (c->kind != WASM_CTRL_TRY && c->kind != WASM_CTRL_CATCH)
    return util_fail(v->err, UTIL_ERR_MALFORMED, v->off, "catch without try");
  if (!check_frame_end(v)) return false;
  c = top_ctrl(v);
  wasm_ctrl before = *c;
  c->kind = WASM_CTRL_CATCH;
  c->unreachable = false;
  forget_sets(v, c->inits);
  if (in->op == WASM_OP_CATCH) {
    const wasm_functype *tt = &v->m->types[v->m->tags[in->idx].type];
    push_types(v, tt->params, tt->nparams);
  }
  return !v->oom && run_hook_after(v, hooks, in, &before);
}

static bool validate_body(vfn *v, const wasm_func *f, const wasm_code_hooks *hooks) {
  const wasm_functype *ft = v->st.type;
  util_reader r = {f->code, f->code, f->code + f->code_len, f->code_offset};
  if (!f->code && f->code_len) return util_fail(v->err, UTIL_ERR_MALFORMED, f->code_offset, "unexpected end");
  v->off = f->code_offset;
  if (!push_ctrl(v, WASM_CTRL_FUNC, 0, NULL, ft->nresults, ft->results, 0)) return false;
  for (uint32_t i = 0; i < f->nlocals; i++) {
    if (!check_vtype(v, f->local_types[i])) return false;
  }
  while (v->st.nctrls > 0) {
    if (util_reader_eof(&r)) {
      return util_fail(v->err, UTIL_ERR_MALFORMED, (int64_t)util_reader_offset(&r),
                       "unexpected end of section or function");
    }
    wasm_instr in;
    if (!wasm_read_instr_features(&r, &in, v->m->features, v->err)) return false;
    v->off = in.offset;
    if (!check_immediates(v, &in) || !run_hook_before(v, hooks, &in)) return false;
    const wasm_opinfo *oi = &wasm_opinfo_table[in.op];
    if (in.op == WASM_OP_END) {
      if (!check_frame_end(v)) return false;
      wasm_ctrl ended = *top_ctrl(v);
      if (ended.kind == WASM_CTRL_IF) {
        /* An `if` without `else` has an implicit empty else branch that passes the
         * params through, so they must match the results. */
        bool same = ended.nparams == ended.nresults;
        for (uint32_t i = 0; same && i < ended.nparams; i++) {
          same = wasm_vtype_sub(v->vm, ended.params[i], wasm_ctrl_results(&ended)[i]);
        }
        if (!same) return fail(v, "type mismatch: if without else must have the same params and results");
      }
      v->st.nctrls--;
      forget_sets(v, ended.inits);
      push_types(v, wasm_ctrl_results(&ended), ended.nresults);
      if (v->oom || !run_hook_after(v, hooks, &in, &ended)) return false;
    } else if (in.op == WASM_OP_CATCH || in.op == WASM_OP_CATCH_ALL) {
      if (!legacy_catch(v, &in, hooks)) return false;
    } else if (in.op == WASM_OP_DELEGATE) {
      if (top_ctrl(v)->kind != WASM_CTRL_TRY || in.idx >= v->st.nctrls - 1) {
        if (top_ctrl(v)->kind != WASM_CTRL_TRY) return util_fail(v->err, UTIL_ERR_MALFORMED, v->off, "delegate without try");
        return fail(v, "unknown label %u", in.idx);
      }
      if (!check_frame_end(v)) return false;
      wasm_ctrl ended = *top_ctrl(v);
      v->st.nctrls--;
      forget_sets(v, ended.inits);
      push_types(v, wasm_ctrl_results(&ended), ended.nresults);
      if (v->oom || !run_hook_after(v, hooks, &in, &ended)) return false;
    } else if (in.op == WASM_OP_ELSE) {
      if (!check_frame_end(v)) return false;
      wasm_ctrl *c = top_ctrl(v);
      wasm_ctrl before = *c;
      c->kind = WASM_CTRL_ELSE;
      c->unreachable = false;
      forget_sets(v, c->inits);
      push_types(v, c->params, c->nparams);
      if (v->oom || !run_hook_after(v, hooks, &in, &before)) return false;
    } else {
      bool ok = oi->special                  ? effect_special(v, &in)
                : uses_memory64(v, &in, oi) ? effect_memory64(v, &in, oi)
                                            : effect_plain(v, oi);
      if (!ok) return false;
      if (v->oom || !run_hook_after(v, hooks, &in, NULL)) return false;
    }
  }
  if (!util_reader_eof(&r)) {
    return util_fail(v->err, UTIL_ERR_MALFORMED, (int64_t)util_reader_offset(&r), "END opcode expected");
  }
  return true;
}

bool wasm_validate_func(const wasm_vmodule *vm, uint32_t funcidx, const wasm_code_hooks *hooks,
                        util_error *err) {
  const wasm_module *m = vm->m;
  if (!m || funcidx < m->nfunc_imports || funcidx >= m->nfuncs) {
    return util_fail(err, UTIL_ERR_USAGE, -1, "not a defined function: %u", funcidx);
  }
  const wasm_func *f = &m->funcs[funcidx];
  if (f->type >= m->ntypes) {
    util_fail(err, UTIL_ERR_INVALID, f->body_offset, "unknown type %u", f->type);
    if (err && err->func < 0) err->func = funcidx;
    return false;
  }
  vfn v;
  memset(&v, 0, sizeof v);
  v.vm = vm;
  v.m = m;
  v.err = err;
  v.st.m = m;
  v.st.func = funcidx;
  v.st.type = &m->types[f->type];
  bool ok;
  uint64_t nl = (uint64_t)v.st.type->nparams + f->nlocals;
  if (nl > UINT32_MAX || (f->nlocals && !f->local_types)) {
    ok = util_fail(err, UTIL_ERR_MALFORMED, f->body_offset, "too many locals");
  } else {
    v.st.nlocals = (uint32_t)nl;
    v.st.locals = util_try_malloc((nl ? nl : 1) * sizeof *v.st.locals);
    bool need_init = false;
    for (uint32_t i = 0; i < f->nlocals && f->local_types; i++) need_init |= !wasm_vtype_defaultable(f->local_types[i]);
    if (need_init) v.st.unset = util_try_calloc(nl, 1);
    if (!v.st.locals || (need_init && !v.st.unset)) {
      ok = util_fail(err, UTIL_ERR_OOM, f->body_offset, "out of memory");
    } else {
      uint32_t np = v.st.type->nparams;
      if (np) memcpy(v.st.locals, v.st.type->params, np * sizeof *v.st.locals);
      if (f->nlocals) memcpy(v.st.locals + np, f->local_types, f->nlocals * sizeof *v.st.locals);
      for (uint32_t i = 0; need_init && i < f->nlocals; i++) v.st.unset[np + i] = !wasm_vtype_defaultable(f->local_types[i]);
      ok = validate_body(&v, f, hooks);
    }
  }
  free(v.st.locals);
  free(v.st.unset);
  free(v.st.inits);
  free(v.st.vals);
  free(v.st.ctrls);
  if (!ok && err && err->func < 0) err->func = funcidx;
  return ok;
}

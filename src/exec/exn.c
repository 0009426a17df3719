/* Exception handling at run time: tags, exception objects, and the search for the
 * try_table handler that catches a thrown exception (the interpreter unwinds to it). */
#include <stdlib.h>
#include <string.h>

#include "code.h"

/* ---------- tags ------------------------------------------------------------------------ */

static bool store_add_tag(exec_store *s, exec_tag *t) {
  if (!UTIL_VEC_TRY_PUSH(s->tags, s->ntags, s->captags, t)) return false;
  return true;
}

exec_tag *exec_tag_new(exec_store *s, const uint8_t *params, uint32_t nparams) {
  exec_tag *t = util_try_calloc(1, sizeof *t + ((size_t)nparams + 1) * sizeof(wasm_vtype));
  if (!t) return NULL;
  wasm_vtype *types = (wasm_vtype *)(t + 1);
  for (uint32_t i = 0; i < nparams; i++) types[i] = params[i];
  t->store = s;
  t->host_type.nparams = nparams;
  t->host_type.params = types;
  t->type = &t->host_type;
  t->typeid = exec_typeid_acquire(s->types, nparams, types, 0, NULL);
  if (!t->typeid || !store_add_tag(s, t)) {
    if (t->typeid) exec_typeid_release(s->types, t->typeid);
    free(t);
    return NULL;
  }
  return t;
}

exec_tag *exec_tag_new_typed(exec_store *s, const wasm_functype *type, exec_typeid typeid) {
  /* The id is the store-level one (type indices in the payload canonicalised), so tags of
   * different modules with equivalent types match on import; the tag holds its own
   * reference: it may outlive the module. */
  exec_tag *t = typeid ? util_try_calloc(1, sizeof *t) : NULL;
  if (!t) {
    if (typeid) exec_typeid_release(s->types, typeid);
    return NULL;
  }
  t->store = s;
  t->type = type;
  t->typeid = typeid;
  if (!store_add_tag(s, t)) {
    exec_typeid_release(s->types, t->typeid);
    free(t);
    return NULL;
  }
  return t;
}

/* ---------- exceptions ------------------------------------------------------------------ */

static uint32_t payload_slots(const wasm_functype *ft) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < ft->nparams; i++) n += exec_slots_of(ft->params[i]);
  return n;
}

exec_exn *exec_exn_new(exec_store *s, exec_tag *tag, const exec_slot *slots) {
  uint32_t n = payload_slots(tag->type);
  exec_exn *e = util_try_malloc(sizeof *e + n * sizeof(exec_slot));
  if (!e) return NULL;
  e->tag = tag;
  e->exposed = false;
  e->nslots = n;
  if (n) memcpy(e->slots, slots, n * sizeof(exec_slot));
  e->prev = NULL;
  e->next = s->exns;
  if (s->exns) s->exns->prev = e;
  s->exns = e;
  return e;
}

void exec_exn_free(exec_store *s, exec_exn *e) {
  if (e->prev) e->prev->next = e->next;
  else s->exns = e->next;
  if (e->next) e->next->prev = e->prev;
  free(e);
}

void exec_store_free_exn(exec_store *s) {
  for (exec_exn *e = s->exns, *next; e; e = next) {
    next = e->next;
    free(e);
  }
  s->exns = NULL;
  for (size_t i = 0; i < s->ntags; i++) {
    exec_typeid_release(s->types, s->tags[i]->typeid);
    free(s->tags[i]);
  }
  free(s->tags);
  s->tags = NULL;
  s->ntags = s->captags = 0;
}

void exec_exn_deliver(exec_store *s, exec_exn *exn, exec_slot *fp, const exec_catch_site *cs) {
  exec_slot *dst = fp + cs->dst;
  uint32_t n = cs->all ? 0 : exn->nslots;
  if (n) memcpy(dst, exn->slots, n * sizeof(exec_slot));
  if (cs->ref) {
    if (cs->ref_slot != EXEC_NO_SLOT) fp[cs->ref_slot] = (exec_slot)(uintptr_t)exn;
    else dst[n] = (exec_slot)(uintptr_t)exn;
    exn->exposed = true;
  } else if (!exn->exposed) {
    exec_exn_free(s, exn);
  }
}

/* ---------- the handler search ----------------------------------------------------------- */

/* The innermost clause of `code`'s try_tables around position pos that catches exn. */
static bool find_in(const exec_exn *exn, exec_instance *inst, const exec_code *code, uint32_t pos,
                    exec_catch_site *out) {
  for (uint32_t i = code->ntries; i-- > 0;) {
    const exec_try *tr = &code->tries[i];
    if (pos < tr->start || pos >= tr->end) continue;
    if (tr->delegate == EXEC_DELEGATE_CALLER) return false;
    if (tr->delegate != EXEC_NO_DELEGATE) {
      if (tr->delegate < i) i = tr->delegate + 1; /* the loop goes on at the target */
      continue;
    }
    for (uint32_t k = 0; k < tr->ncatch; k++) {
      const exec_catch *c = &tr->catches[k];
      if (c->tag != EXEC_CATCH_ALL && inst->tags[c->tag] != exn->tag) continue;
      out->pad = c->pad;
      out->dst = tr->dst;
      out->ref = c->ref;
      out->all = c->tag == EXEC_CATCH_ALL;
      out->ref_slot = c->ref_slot;
      return true;
    }
  }
  return false;
}

bool exec_exn_find(const exec_exn *exn, exec_instance *inst, const exec_code *code, const exec_unit *ip,
                   const exec_frame_rec *rp, const exec_frame_rec *rp_entry, bool skip_first,
                   exec_catch_site *out) {
  if (!skip_first && code->ntries && find_in(exn, inst, code, (uint32_t)(ip - exec_code_base(code)), out)) {
    out->frame = 0;
    return true;
  }
  for (const exec_frame_rec *r = rp; r < rp_entry; r++) {
    if (!r->code->ntries) continue;
    /* a return address points past the call: the call itself is one unit before */
    uint32_t pos = (uint32_t)(r->ip - exec_code_base(r->code)) - 1;
    if (find_in(exn, r->inst, r->code, pos, out)) {
      out->frame = (size_t)(r - rp) + 1;
      return true;
    }
  }
  return false;
}

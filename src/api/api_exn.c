/* include/weld.h's exception handling: tags, and the payload of an exception the host
 * caught or throws. A weld_tag is an exec_tag and a weld_exn an exec_exn, as every other
 * handle is its runtime object. */
#include <stdio.h>
#include <stdlib.h>

#include "weld.h"
#include "exec/exec.h"
#include "api_int.h"

weld_tag *weld_tag_new(weld_store *s, const weld_valkind *params, size_t nparams) {
  if (!s || (nparams && !params) || nparams > 1000) return NULL;
  uint8_t *types = util_try_malloc(nparams + 1);
  if (!types) return NULL;
  for (size_t i = 0; i < nparams; i++) {
    types[i] = api_valtype_of(params[i]);
    if (!types[i]) {
      free(types);
      return NULL;
    }
  }
  exec_tag *t = exec_tag_new((exec_store *)s, types, (uint32_t)nparams);
  free(types);
  return (weld_tag *)t;
}

weld_tag *weld_instance_tag(weld_instance *i, const char *name) {
  weld_extern x = weld_instance_export(i, name);
  return x.kind == WELD_EXTERN_TAG ? x.of.tag : NULL;
}

size_t weld_tag_param_count(const weld_tag *t) { return t ? ((const exec_tag *)t)->type->nparams : 0; }

weld_valkind weld_tag_param(const weld_tag *t, size_t i) {
  const exec_tag *tg = (const exec_tag *)t;
  return api_valkind(tg->module ? exec_kind_of_m(tg->module, tg->type->params[i]) : exec_kind_of(tg->type->params[i]));
}

weld_tag *weld_exn_tag(const weld_exn *e) { return e ? (weld_tag *)((const exec_exn *)e)->tag : NULL; }

size_t weld_exn_arg_count(const weld_exn *e) { return e ? ((const exec_exn *)e)->tag->type->nparams : 0; }

bool weld_exn_arg(const weld_exn *e, size_t i, weld_val *out) {
  const exec_exn *x = (const exec_exn *)e;
  if (!x || !out || i >= x->tag->type->nparams) return false;
  const wasm_vtype *ps = x->tag->type->params;
  uint32_t s = 0;
  for (size_t k = 0; k < i; k++) s += exec_slots_of(ps[k]);
  const wasm_module *m = x->tag->module;
  api_slots_to_val(x->tag->store, m ? exec_kind_of_m(m, ps[i]) : exec_kind_of(ps[i]), x->slots + s, out);
  return true;
}

weld_trap *weld_trap_new_exception(weld_tag *tag, const weld_val *args, size_t nargs) {
  exec_tag *t = (exec_tag *)tag;
  if (!t) return weld_trap_new("weld_trap_new_exception: no tag");
  const wasm_functype *ft = t->type;
  if (nargs != ft->nparams) return weld_trap_new("weld_trap_new_exception: wrong number of arguments");
  exec_slot small[32], *slots = small;
  size_t n = 2 * (size_t)nargs + 1;
  if (n > 32 && !(slots = util_try_calloc(n, sizeof *slots))) return weld_trap_new("out of memory");
  weld_trap *trap = NULL;
  uint32_t s = 0;
  for (size_t i = 0; i < nargs && !trap; i++) {
    char msg[128];
    if (args[i].kind != weld_tag_param(tag, i)) {
      snprintf(msg, sizeof msg, "weld_trap_new_exception: argument %zu is %s, expected %s", i,
               weld_valkind_name(args[i].kind), weld_valkind_name(weld_tag_param(tag, i)));
      trap = weld_trap_new(msg);
    } else if (!api_val_in_store(t->store, &args[i])) {
      snprintf(msg, sizeof msg, "weld_trap_new_exception: argument %zu is a reference from another store", i);
      trap = weld_trap_new(msg);
    } else {
      uint32_t used = api_val_to_slots(t->store, &args[i], slots + s);
      if (!used) trap = weld_trap_new("out of memory");
      s += used;
    }
  }
  if (!trap) {
    exec_exn *e = exec_exn_new(t->store, t, slots);
    trap = e ? weld_trap_new_rethrow((weld_exn *)e) : weld_trap_new("out of memory");
  }
  if (slots != small) free(slots);
  return trap;
}

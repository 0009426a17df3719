/* weld inspect --json: the same facts as the text form, as one JSON object. The field
 * names are documented in docs/cli.md; add fields freely, never rename them. */
#include <string.h>

#include "cli.h"
#include "jit/image.h"

static void valtypes(cli_json *j, const wasm_vtype *t, uint32_t n) {
  cli_json_array_inline(j);
  for (uint32_t i = 0; i < n; i++) cli_json_str(j, wasm_valtype_name(t[i]));
  cli_json_end(j);
}

static void limits(cli_json *j, const wasm_limits *l, bool memory) {
  cli_json_key(j, "min");
  cli_json_uint(j, l->min);
  cli_json_key(j, "max");
  if (l->has_max) cli_json_uint(j, l->max);
  else cli_json_null(j);
  cli_json_key(j, "index_type");
  cli_json_str(j, l->is64 ? "i64" : "i32");
  if (memory) {
    cli_json_key(j, "shared");
    cli_json_bool(j, l->shared);
  }
}

static void expr(cli_json *j, const wasm_expr *e) {
  char buf[512];
  cli_json_str(j, cli_expr_format(e, buf, sizeof buf));
}

static void sections(cli_json *j, const wasm_module *m) {
  cli_json_key(j, "sections");
  cli_json_array(j);
  for (uint32_t i = 0; i < m->nsections; i++) {
    const wasm_section_info *s = &m->sections[i];
    cli_json_object(j);
    cli_json_key(j, "id");
    cli_json_uint(j, s->id);
    cli_json_key(j, "name");
    cli_json_str(j, cli_section_name(s->id));
    cli_json_key(j, "offset");
    cli_json_uint(j, s->offset);
    cli_json_key(j, "size");
    cli_json_uint(j, s->size);
    if (s->id == 0) {
      cli_json_key(j, "custom_name");
      cli_json_str(j, s->custom_name ? s->custom_name : "");
    } else if (s->id != 8 && s->id != 12) {
      cli_json_key(j, "count");
      cli_json_uint(j, s->count);
    }
    cli_json_end(j);
  }
  cli_json_end(j);
}

static void types(cli_json *j, const wasm_module *m) {
  cli_json_key(j, "types");
  cli_json_array(j);
  for (uint32_t i = 0; i < m->ntypes; i++) {
    cli_json_object(j);
    cli_json_key(j, "index");
    cli_json_uint(j, i);
    const wasm_deftype *d = &m->deftypes[i];
    if (d->kind != WASM_TYPE_FUNC || !d->final || d->super != WASM_NO_SUPER || d->rec_len > 1) {
      /* GC (3.0): the kind, the supertype, finality and the recursion group */
      cli_json_key(j, "kind");
      cli_json_str(j, d->kind == WASM_TYPE_FUNC ? "func" : d->kind == WASM_TYPE_STRUCT ? "struct" : "array");
      cli_json_key(j, "final");
      cli_json_bool(j, d->final);
      if (d->super != WASM_NO_SUPER) {
        cli_json_key(j, "super");
        cli_json_uint(j, d->super);
      }
      cli_json_key(j, "rec");
      cli_json_uint(j, d->rec);
    }
    if (d->kind == WASM_TYPE_FUNC) {
      cli_json_key(j, "params");
      valtypes(j, m->types[i].params, m->types[i].nparams);
      cli_json_key(j, "results");
      valtypes(j, m->types[i].results, m->types[i].nresults);
    } else {
      cli_json_key(j, "fields");
      cli_json_array_inline(j);
      for (uint32_t k = 0; k < d->nfields; k++) {
        cli_json_object(j);
        cli_json_key(j, "type");
        cli_json_str(j, wasm_valtype_name(d->fields[k].type));
        cli_json_key(j, "mutable");
        cli_json_bool(j, d->fields[k].mut);
        cli_json_end(j);
      }
      cli_json_end(j);
    }
    cli_json_end(j);
  }
  cli_json_end(j);
}

static void imports(cli_json *j, const wasm_module *m) {
  uint32_t next[4] = {0, 0, 0, 0};
  cli_json_key(j, "imports");
  cli_json_array(j);
  for (uint32_t i = 0; i < m->nimports; i++) {
    const wasm_import *im = &m->imports[i];
    cli_json_object(j);
    cli_json_key(j, "index");
    cli_json_uint(j, i);
    cli_json_key(j, "module");
    cli_json_name(j, &im->module);
    cli_json_key(j, "name");
    cli_json_name(j, &im->field);
    cli_json_key(j, "kind");
    cli_json_str(j, wasm_externkind_name(im->kind));
    cli_json_key(j, "kind_index"); /* index in the function/table/memory/global space */
    cli_json_uint(j, im->kind < 4 ? next[im->kind]++ : 0);
    switch (im->kind) {
    case WASM_EXTERN_FUNC:
      cli_json_key(j, "type");
      cli_json_uint(j, im->u.func_type);
      break;
    case WASM_EXTERN_TABLE:
      cli_json_key(j, "elem");
      cli_json_str(j, wasm_valtype_name(im->u.table.elem));
      limits(j, &im->u.table.limits, false);
      break;
    case WASM_EXTERN_MEMORY: limits(j, &im->u.memory.limits, true); break;
    case WASM_EXTERN_GLOBAL:
      cli_json_key(j, "valtype");
      cli_json_str(j, wasm_valtype_name(im->u.global.type));
      cli_json_key(j, "mutable");
      cli_json_bool(j, im->u.global.mut);
      break;
    case WASM_EXTERN_TAG:
      cli_json_key(j, "type");
      cli_json_uint(j, im->u.tag_type);
      break;
    }
    cli_json_end(j);
  }
  cli_json_end(j);
}

static void functions(cli_json *j, const wasm_module *m) {
  cli_json_key(j, "functions");
  cli_json_array(j);
  for (uint32_t i = 0; i < m->nfuncs; i++) {
    const wasm_func *f = &m->funcs[i];
    cli_json_object(j);
    cli_json_key(j, "index");
    cli_json_uint(j, i);
    cli_json_key(j, "name");
    cli_json_name(j, cli_func_name(m, i));
    cli_json_key(j, "type");
    cli_json_uint(j, f->type);
    if (f->type < m->ntypes) {
      cli_json_key(j, "params");
      valtypes(j, m->types[f->type].params, m->types[f->type].nparams);
      cli_json_key(j, "results");
      valtypes(j, m->types[f->type].results, m->types[f->type].nresults);
    }
    cli_json_key(j, "imported");
    cli_json_bool(j, f->imported);
    if (!f->imported) {
      cli_json_key(j, "locals");
      cli_json_uint(j, f->nlocals);
      cli_json_key(j, "body_offset");
      cli_json_uint(j, f->body_offset);
      cli_json_key(j, "body_size");
      cli_json_uint(j, f->body_size);
    }
    cli_json_end(j);
  }
  cli_json_end(j);
}

static void tables_memories_globals(cli_json *j, const wasm_module *m) {
  cli_json_key(j, "tables");
  cli_json_array(j);
  for (uint32_t i = 0; i < m->ntables; i++) {
    cli_json_object(j);
    cli_json_key(j, "index");
    cli_json_uint(j, i);
    cli_json_key(j, "elem");
    cli_json_str(j, wasm_valtype_name(m->tables[i].type.elem));
    limits(j, &m->tables[i].type.limits, false);
    cli_json_key(j, "imported");
    cli_json_bool(j, m->tables[i].imported);
    cli_json_end(j);
  }
  cli_json_end(j);

  cli_json_key(j, "memories");
  cli_json_array(j);
  for (uint32_t i = 0; i < m->nmemories; i++) {
    cli_json_object(j);
    cli_json_key(j, "index");
    cli_json_uint(j, i);
    limits(j, &m->memories[i].type.limits, true);
    cli_json_key(j, "imported");
    cli_json_bool(j, m->memories[i].imported);
    cli_json_end(j);
  }
  cli_json_end(j);

  cli_json_key(j, "globals");
  cli_json_array(j);
  for (uint32_t i = 0; i < m->nglobals; i++) {
    const wasm_global *g = &m->globals[i];
    cli_json_object(j);
    cli_json_key(j, "index");
    cli_json_uint(j, i);
    cli_json_key(j, "valtype");
    cli_json_str(j, wasm_valtype_name(g->type.type));
    cli_json_key(j, "mutable");
    cli_json_bool(j, g->type.mut);
    cli_json_key(j, "imported");
    cli_json_bool(j, g->imported);
    cli_json_key(j, "init");
    if (g->imported) cli_json_null(j);
    else expr(j, &g->init);
    cli_json_end(j);
  }
  cli_json_end(j);
}

static void exports(cli_json *j, const wasm_module *m) {
  cli_json_key(j, "exports");
  cli_json_array(j);
  for (uint32_t i = 0; i < m->nexports; i++) {
    const wasm_export *ex = &m->exports[i];
    cli_json_object(j);
    cli_json_key(j, "name");
    cli_json_name(j, &ex->name);
    cli_json_key(j, "kind");
    cli_json_str(j, wasm_externkind_name(ex->kind));
    cli_json_key(j, "index");
    cli_json_uint(j, ex->index);
    cli_json_end(j);
  }
  cli_json_end(j);
  cli_json_key(j, "start");
  if (m->has_start) cli_json_uint(j, m->start);
  else cli_json_null(j);
}

static void segments(cli_json *j, const wasm_module *m) {
  static const char modes[][12] = {"active", "passive", "declarative"};
  cli_json_key(j, "elements");
  cli_json_array(j);
  for (uint32_t i = 0; i < m->nelems; i++) {
    const wasm_elem *e = &m->elems[i];
    cli_json_object(j);
    cli_json_key(j, "index");
    cli_json_uint(j, i);
    cli_json_key(j, "mode");
    cli_json_str(j, e->mode <= 2 ? modes[e->mode] : "?");
    cli_json_key(j, "type");
    cli_json_str(j, wasm_valtype_name(e->type));
    if (e->mode == WASM_SEG_ACTIVE) {
      cli_json_key(j, "table");
      cli_json_uint(j, e->table);
      cli_json_key(j, "offset");
      expr(j, &e->offset);
    }
    cli_json_key(j, "count");
    cli_json_uint(j, e->count);
    if (e->func_indices) {
      cli_json_key(j, "functions");
      cli_json_array_inline(j);
      for (uint32_t k = 0; k < e->count; k++) cli_json_uint(j, e->func_indices[k]);
      cli_json_end(j);
    } else if (e->exprs) {
      cli_json_key(j, "exprs");
      cli_json_array_inline(j);
      for (uint32_t k = 0; k < e->count; k++) expr(j, &e->exprs[k]);
      cli_json_end(j);
    }
    cli_json_end(j);
  }
  cli_json_end(j);

  cli_json_key(j, "data_count");
  if (m->has_data_count) cli_json_uint(j, m->data_count);
  else cli_json_null(j);

  cli_json_key(j, "data");
  cli_json_array(j);
  for (uint32_t i = 0; i < m->ndatas; i++) {
    const wasm_data *d = &m->datas[i];
    cli_json_object(j);
    cli_json_key(j, "index");
    cli_json_uint(j, i);
    cli_json_key(j, "mode");
    cli_json_str(j, d->mode == WASM_SEG_ACTIVE ? "active" : "passive");
    if (d->mode == WASM_SEG_ACTIVE) {
      cli_json_key(j, "memory");
      cli_json_uint(j, d->memory);
      cli_json_key(j, "offset");
      expr(j, &d->offset);
    }
    cli_json_key(j, "file_offset");
    cli_json_uint(j, d->offset_in_input);
    cli_json_key(j, "size");
    cli_json_uint(j, d->len);
    cli_json_end(j);
  }
  cli_json_end(j);
}

static void customs(cli_json *j, const wasm_module *m) {
  cli_json_key(j, "customs");
  cli_json_array(j);
  for (uint32_t i = 0; i < m->ncustoms; i++) {
    const wasm_custom *c = &m->customs[i];
    cli_json_object(j);
    cli_json_key(j, "name");
    cli_json_name(j, &c->name);
    cli_json_key(j, "offset");
    cli_json_uint(j, c->offset);
    cli_json_key(j, "size");
    cli_json_uint(j, c->len);
    cli_json_end(j);
  }
  cli_json_end(j);
}

void cli_inspect_image_json(cli_json *j, const jit_image_info *in) {
  const jit_image *img = &in->img;
  char sha[65];
  for (int i = 0; i < 32; i++) snprintf(sha + 2 * i, 3, "%02x", img->module_sha[i]);
  cli_json_object(j);
  cli_json_key(j, "format");
  cli_json_uint(j, in->format);
  cli_json_key(j, "weld_version");
  cli_json_str(j, img->version);
  cli_json_key(j, "same_build");
  cli_json_bool(j, in->same_build);
  cli_json_key(j, "tier");
  cli_json_str(j, cli_image_tier_name(img->set.tier));
  cli_json_key(j, "bounds");
  cli_json_str(j, img->set.guard ? "guard" : "explicit");
  cli_json_key(j, "standard");
  cli_json_str(j, img->set.standard_2_0 ? "2.0" : "3.0");
  cli_json_key(j, "flags");
  cli_json_uint(j, in->flags);
  cli_json_key(j, "cpu_features");
  cli_json_array_inline(j);
  for (unsigned b = 0; b < JIT_CPU_NFEATURES; b++)
    if (img->features & (1ull << b)) cli_json_str(j, jit_cpu_feature_name(b));
  cli_json_end(j);
  cli_json_key(j, "cpu_feature_bits");
  cli_json_uint(j, img->features);
  cli_json_key(j, "module_sha256");
  cli_json_str(j, sha);
  cli_json_key(j, "module_offset");
  cli_json_uint(j, JIT_IMAGE_HEADER);
  cli_json_key(j, "module_size");
  cli_json_uint(j, img->module_len);
  cli_json_key(j, "code_size");
  cli_json_uint(j, img->code_len);
  cli_json_key(j, "code_section");
  if (in->section[0]) cli_json_str(j, in->section);
  else cli_json_null(j);
  cli_json_key(j, "machine_code_size");
  cli_json_uint(j, in->machine_code);
  cli_json_key(j, "functions");
  cli_json_uint(j, in->functions);
  cli_json_key(j, "compiled_functions");
  cli_json_uint(j, in->compiled);
  cli_json_key(j, "section_error");
  if (in->section_error) cli_json_str(j, in->section_error);
  else cli_json_null(j);
  cli_json_end(j);
}

void cli_inspect_json(FILE *out, const char *path, const wasm_module *m, const jit_image_info *img,
                      const util_error *verr) {
  cli_json j;
  cli_json_init(&j, out);
  cli_json_doc_begin(&j, "inspect", path);
  if (img) {
    cli_json_key(&j, "precompiled");
    cli_inspect_image_json(&j, img);
  }
  cli_json_key(&j, "version");
  cli_json_uint(&j, 1);
  cli_json_key(&j, "size");
  cli_json_uint(&j, m->size);
  cli_json_key(&j, "valid");
  cli_json_bool(&j, verr->kind == UTIL_ERR_NONE);
  cli_json_key(&j, "error");
  if (verr->kind == UTIL_ERR_NONE) cli_json_null(&j);
  else cli_json_error_value(&j, verr);
  cli_json_key(&j, "module_name");
  cli_json_name(&j, m->module_name.str ? &m->module_name : NULL);
  sections(&j, m);
  types(&j, m);
  imports(&j, m);
  functions(&j, m);
  tables_memories_globals(&j, m);
  exports(&j, m);
  segments(&j, m);
  customs(&j, m);
  cli_json_end(&j);
  cli_json_finish(&j);
}

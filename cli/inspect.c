/* weld inspect: the structure of a module, as readable text (this file) or JSON
 * (inspect_json.c). The module only has to decode: an invalid module is shown too, so
 * every index is range-checked before it is followed. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jit/image.h"
#include "jit/jit.h"

static const cli_opt inspect_opts[] = {{"--json", "", "", 0}};

int cli_cmd_inspect(int argc, char **argv) {
  bool json = false;
  const char *path = NULL;
  cli_parser p;
  cli_parser_init(&p, "inspect", inspect_opts, 1, argc, argv);
  int r;
  while ((r = cli_parser_next(&p)) != CLI_ARG_DONE) {
    if (r == CLI_ARG_EXIT) return p.rc;
    if (r == CLI_ARG_OPTION) json = true;
    else if (path) return cli_usage_error("inspect", "unexpected argument '%s' (one FILE at a time)", p.operand);
    else path = p.operand;
  }
  if (!path) return cli_usage_error("inspect", "missing FILE");

  wasm_module *m = NULL;
  jit_image_info img;
  memset(&img, 0, sizeof img);
  util_error lerr;
  uint8_t *bytes;
  size_t len;
  int rc;
  if (cli_read_component(path, &bytes, &len, &lerr)) {
    rc = cli_component_inspect(path, bytes, len, json);
    free(bytes);
    return rc;
  }
  if (!bytes) {
    rc = CLI_EXIT_USAGE;
  } else {
    rc = cli_load_module_image(path, bytes, len, &m, &img, &lerr);
    free(bytes);
  }
  if (rc != CLI_EXIT_OK) {
    /* --json promises JSON on stdout whatever happens; the line on stderr is for people */
    if (json) cli_json_error_doc(stdout, "inspect", path, &lerr);
    cli_print_load_error(path, rc, &lerr);
    return rc;
  }
  util_error verr;
  util_error_clear(&verr);
  bool valid = wasm_validate(m, &verr);
  if (!valid && img.format) cli_embedded_error(&verr);
  if (json) cli_inspect_json(stdout, path, m, img.format ? &img : NULL, &verr);
  else {
    if (img.format) cli_inspect_image_text(stdout, &img);
    cli_inspect_text(stdout, path, m, &verr);
  }
  if (!valid) {
    fflush(stdout);
    cli_print_module_error(path, &verr);
  }
  wasm_module_free(m);
  return valid ? CLI_EXIT_OK : CLI_EXIT_BAD_MODULE;
}

/* ---------- text -------------------------------------------------------------------- */

static void hex(char *buf, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) snprintf(buf + 2 * i, 3, "%02x", p[i]);
}

void cli_inspect_image_text(FILE *out, const jit_image_info *in) {
  const jit_image *img = &in->img;
  char sha[65], feats[512];
  hex(sha, img->module_sha, 32);
  fprintf(out, "precompiled module (weld compile), format %" PRIu32 ", checksum ok\n", in->format);
  fprintf(out, "  made by weld %s%s\n", img->version, in->same_build ? "" : " (another build of it: this weld will not load its code)");
  fprintf(out, "  tier: %s", cli_image_tier_name(img->set.tier));
  if (img->set.tier != JIT_TIER_BASELINE && img->set.tier != JIT_TIER_OPTIMIZED) fprintf(out, " (%" PRIu32 ")", img->set.tier);
  fprintf(out, "\n  settings: --bounds %s, --standard %s", img->set.guard ? "guard" : "explicit",
          img->set.standard_2_0 ? "2.0" : "3.0");
  if (in->flags & ~7u) fprintf(out, ", unknown flags 0x%" PRIx32, in->flags & ~7u);
  jit_cpu_feature_list(img->features, "", feats, sizeof feats);
  fprintf(out, "\n  CPU features: %s", img->features ? feats : "none beyond x86-64");
  if (img->features >> JIT_CPU_NFEATURES)
    fprintf(out, " (and unknown bits 0x%" PRIx64 ")", img->features >> JIT_CPU_NFEATURES << JIT_CPU_NFEATURES);
  fprintf(out, "\n  module: %zu bytes at file offset %u, sha256 %s (matches)\n", img->module_len, JIT_IMAGE_HEADER, sha);
  fprintf(out, "  code section: %zu bytes", img->code_len);
  if (in->section[0])
    fprintf(out, ", %s, %" PRIu64 " bytes of %s, %" PRIu32 " of %" PRIu32 " functions compiled", in->section,
            in->machine_code, in->section[0] == 'B' ? "machine code" : "ELF object", in->compiled, in->functions);
  if (in->section_error) fprintf(out, " (%s)", in->section_error);
  fputs("\n\nEmbedded module (offsets below are within it):\n", out);
}

static void print_types(FILE *out, const wasm_vtype *t, uint32_t n) {
  fputc('(', out);
  for (uint32_t i = 0; i < n; i++) fprintf(out, "%s%s", i ? ", " : "", wasm_valtype_name(t[i]));
  fputc(')', out);
}

static void print_sig(FILE *out, const wasm_module *m, uint32_t typeidx) {
  if (typeidx >= m->ntypes) {
    fprintf(out, "type[%" PRIu32 "] (unknown type)", typeidx);
    return;
  }
  const wasm_functype *ft = &m->types[typeidx];
  fprintf(out, "type[%" PRIu32 "] ", typeidx);
  print_types(out, ft->params, ft->nparams);
  fputs(" -> ", out);
  print_types(out, ft->results, ft->nresults);
}

static void print_name(FILE *out, const wasm_name *n) {
  char buf[256];
  if (n && n->str) fprintf(out, " \"%s\"", cli_escape((const uint8_t *)n->str, n->len, 100, buf, sizeof buf));
}

static void print_func_ref(FILE *out, const wasm_module *m, uint32_t idx) {
  fprintf(out, "func[%" PRIu32 "]", idx);
  print_name(out, cli_func_name(m, idx));
}

static void print_limits(FILE *out, const wasm_limits *l) {
  if (l->shared) fputs("shared ", out); /* a shared memory (threads) */
  if (l->is64) fputs("i64 ", out);
  fprintf(out, "min %" PRIu64, l->min);
  if (l->has_max) fprintf(out, " max %" PRIu64, l->max);
}

static void print_import_desc(FILE *out, const wasm_module *m, const wasm_import *im) {
  switch (im->kind) {
  case WASM_EXTERN_FUNC: print_sig(out, m, im->u.func_type); break;
  case WASM_EXTERN_TABLE:
    fprintf(out, "%s ", wasm_valtype_name(im->u.table.elem));
    print_limits(out, &im->u.table.limits);
    break;
  case WASM_EXTERN_MEMORY:
    print_limits(out, &im->u.memory.limits);
    fputs(" pages", out);
    break;
  case WASM_EXTERN_GLOBAL:
    fprintf(out, "%s %s", im->u.global.mut ? "mut" : "const", wasm_valtype_name(im->u.global.type));
    break;
  case WASM_EXTERN_TAG: print_sig(out, m, im->u.tag_type); break;
  }
}

static void print_sections(FILE *out, const wasm_module *m) {
  if (!m->nsections) return;
  fprintf(out, "\nSections (%" PRIu32 "):\n", m->nsections);
  fprintf(out, "  %2s %-10s %10s %10s %7s\n", "id", "name", "offset", "size", "count");
  for (uint32_t i = 0; i < m->nsections; i++) {
    const wasm_section_info *s = &m->sections[i];
    fprintf(out, "  %2u %-10s 0x%08" PRIx32 " %10" PRIu32, s->id, cli_section_name(s->id), s->offset, s->size);
    if (s->id == 0) {
      char buf[256];
      const char *n = s->custom_name ? s->custom_name : "";
      fprintf(out, " %7s \"%s\"", "", cli_escape((const uint8_t *)n, strlen(n), 60, buf, sizeof buf));
    } else if (s->id != 8 && s->id != 12) {
      fprintf(out, " %7" PRIu32, s->count);
    }
    fputc('\n', out);
  }
}

static void print_funcs(FILE *out, const wasm_module *m) {
  if (!m->nfuncs) return;
  fprintf(out, "\nFunctions (%" PRIu32 ", %" PRIu32 " imported):\n", m->nfuncs, m->nfunc_imports);
  for (uint32_t i = 0; i < m->nfuncs; i++) {
    const wasm_func *f = &m->funcs[i];
    fputs("  ", out);
    print_func_ref(out, m, i);
    fputc(' ', out);
    print_sig(out, m, f->type);
    if (f->imported) fputs(", imported", out);
    else
      fprintf(out, ", %" PRIu32 " local%s, body %" PRIu32 " bytes at 0x%08" PRIx32, f->nlocals, f->nlocals == 1 ? "" : "s", f->body_size,
              f->body_offset);
    fputc('\n', out);
  }
}

static void print_elems(FILE *out, const wasm_module *m) {
  static const char modes[][12] = {"active", "passive", "declarative"};
  char buf[512];
  if (!m->nelems) return;
  fprintf(out, "\nElements (%" PRIu32 "):\n", m->nelems);
  for (uint32_t i = 0; i < m->nelems; i++) {
    const wasm_elem *e = &m->elems[i];
    fprintf(out, "  elem[%" PRIu32 "] %s", i, e->mode <= 2 ? modes[e->mode] : "?");
    if (e->mode == WASM_SEG_ACTIVE)
      fprintf(out, " table[%" PRIu32 "] offset (%s)", e->table, cli_expr_format(&e->offset, buf, sizeof buf));
    fprintf(out, " %s, %" PRIu32 " item%s", wasm_valtype_name(e->type), e->count, e->count == 1 ? "" : "s");
    /* Long tables are common; the first few items say what the segment is. */
    uint32_t shown = e->count < 8 ? e->count : 8;
    for (uint32_t k = 0; k < shown; k++) {
      fputs(k ? ", " : ": ", out);
      if (e->func_indices) print_func_ref(out, m, e->func_indices[k]);
      else if (e->exprs) fprintf(out, "(%s)", cli_expr_format(&e->exprs[k], buf, sizeof buf));
    }
    if (shown < e->count) fprintf(out, ", ... (%" PRIu32 " more)", e->count - shown);
    fputc('\n', out);
  }
}

static void print_datas(FILE *out, const wasm_module *m) {
  char buf[512];
  if (m->has_data_count) fprintf(out, "\nData count: %" PRIu32 "\n", m->data_count);
  if (!m->ndatas) return;
  fprintf(out, "\nData (%" PRIu32 "):\n", m->ndatas);
  for (uint32_t i = 0; i < m->ndatas; i++) {
    const wasm_data *d = &m->datas[i];
    fprintf(out, "  data[%" PRIu32 "] %s", i, d->mode == WASM_SEG_ACTIVE ? "active" : "passive");
    if (d->mode == WASM_SEG_ACTIVE)
      fprintf(out, " memory[%" PRIu32 "] offset (%s)", d->memory, cli_expr_format(&d->offset, buf, sizeof buf));
    fprintf(out, ", %" PRIu32 " bytes at 0x%08" PRIx32, d->len, d->offset_in_input);
    if (d->len) fprintf(out, ": \"%s\"", cli_escape(d->bytes, d->len, 32, buf, sizeof buf));
    fputc('\n', out);
  }
}

void cli_inspect_text(FILE *out, const char *path, const wasm_module *m, const util_error *verr) {
  char buf[512];
  fprintf(out, "%s: WebAssembly module, version 1, %" PRIu32 " bytes\n", cli_display_name(path), m->size);
  if (verr->kind == UTIL_ERR_NONE) fprintf(out, "validation: ok\n");
  else fprintf(out, "validation: %s\n", util_error_format(verr, buf, sizeof buf));
  if (m->module_name.str) {
    fputs("module name:", out);
    print_name(out, &m->module_name);
    fputc('\n', out);
  }
  print_sections(out, m);

  if (m->ntypes) fprintf(out, "\nTypes (%" PRIu32 "):\n", m->ntypes);
  for (uint32_t i = 0; i < m->ntypes; i++) {
    const wasm_deftype *d = &m->deftypes[i];
    fputs("  ", out);
    if (d->kind == WASM_TYPE_FUNC) {
      print_sig(out, m, i);
    } else { /* GC (3.0): struct (fields), array (element) */
      fprintf(out, "type[%" PRIu32 "] %s (", i, d->kind == WASM_TYPE_STRUCT ? "struct" : "array");
      for (uint32_t k = 0; k < d->nfields; k++)
        fprintf(out, "%s%s%s", k ? ", " : "", d->fields[k].mut ? "mut " : "", wasm_valtype_name(d->fields[k].type));
      fputc(')', out);
    }
    if (d->super != WASM_NO_SUPER) fprintf(out, " <: type[%" PRIu32 "]", d->super);
    if (!d->final) fputs(" (not final)", out);
    if (d->rec_len > 1) fprintf(out, " rec[%" PRIu32 "..%" PRIu32 "]", d->rec, d->rec + d->rec_len - 1);
    fputc('\n', out);
  }

  if (m->nimports) fprintf(out, "\nImports (%" PRIu32 "):\n", m->nimports);
  /* Imports fill the index spaces in order, one counter per kind. */
  uint32_t next[4] = {0, 0, 0, 0};
  for (uint32_t i = 0; i < m->nimports; i++) {
    const wasm_import *im = &m->imports[i];
    char mb[256], fb[256];
    fprintf(out, "  import[%" PRIu32 "] \"%s\".\"%s\" %s[%" PRIu32 "]: ", i,
            cli_escape((const uint8_t *)im->module.str, im->module.len, 100, mb, sizeof mb),
            cli_escape((const uint8_t *)im->field.str, im->field.len, 100, fb, sizeof fb),
            wasm_externkind_name(im->kind), im->kind < 4 ? next[im->kind]++ : 0);
    print_import_desc(out, m, im);
    fputc('\n', out);
  }

  print_funcs(out, m);

  if (m->ntables) fprintf(out, "\nTables (%" PRIu32 "):\n", m->ntables);
  for (uint32_t i = 0; i < m->ntables; i++) {
    const wasm_table *t = &m->tables[i];
    fprintf(out, "  table[%" PRIu32 "] %s ", i, wasm_valtype_name(t->type.elem));
    print_limits(out, &t->type.limits);
    fprintf(out, "%s\n", t->imported ? ", imported" : "");
  }

  if (m->nmemories) fprintf(out, "\nMemories (%" PRIu32 "):\n", m->nmemories);
  for (uint32_t i = 0; i < m->nmemories; i++) {
    const wasm_memory *mem = &m->memories[i];
    fprintf(out, "  memory[%" PRIu32 "] ", i);
    print_limits(out, &mem->type.limits);
    fprintf(out, " pages%s\n", mem->imported ? ", imported" : "");
  }

  if (m->nglobals) fprintf(out, "\nGlobals (%" PRIu32 "):\n", m->nglobals);
  for (uint32_t i = 0; i < m->nglobals; i++) {
    const wasm_global *g = &m->globals[i];
    fprintf(out, "  global[%" PRIu32 "] %s %s", i, g->type.mut ? "mut" : "const", wasm_valtype_name(g->type.type));
    if (g->imported) fputs(", imported\n", out);
    else fprintf(out, " = %s\n", cli_expr_format(&g->init, buf, sizeof buf));
  }

  if (m->nexports) fprintf(out, "\nExports (%" PRIu32 "):\n", m->nexports);
  for (uint32_t i = 0; i < m->nexports; i++) {
    const wasm_export *ex = &m->exports[i];
    fprintf(out, "  export[%" PRIu32 "] \"%s\" -> %s[%" PRIu32 "]", i,
            cli_escape((const uint8_t *)ex->name.str, ex->name.len, 100, buf, sizeof buf),
            wasm_externkind_name(ex->kind), ex->index);
    if (ex->kind == WASM_EXTERN_FUNC) print_name(out, cli_func_name(m, ex->index));
    fputc('\n', out);
  }

  if (m->has_start) {
    fputs("\nStart: ", out);
    print_func_ref(out, m, m->start);
    fputc('\n', out);
  }

  print_elems(out, m);
  print_datas(out, m);

  if (m->ncustoms) fprintf(out, "\nCustom sections (%" PRIu32 "):\n", m->ncustoms);
  for (uint32_t i = 0; i < m->ncustoms; i++) {
    const wasm_custom *c = &m->customs[i];
    fprintf(out, "  custom[%" PRIu32 "] \"%s\" at 0x%08" PRIx32 ", %" PRIu32 " bytes\n", i,
            cli_escape((const uint8_t *)c->name.str, c->name.len, 100, buf, sizeof buf), c->offset, c->len);
  }
}

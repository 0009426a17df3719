/* weld validate, weld inspect and weld run on components (the component model's binary
 * format): decoded, validated and run by src/component. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "component/runtime.h"
#include "guard/guard.h"
#include "text/text.h"
#include "wasi2/http_curl.h"
#include "wasi2/wasi2.h"

static const char section_names[][14] = {"custom", "core module", "core instance", "core type", "component",
                                          "instance", "alias", "type", "canon", "start", "import", "export", "value"};

static void print_extname(FILE *out, const comp_extname *n) {
  char buf[256];
  fprintf(out, "\"%s\"", cli_escape((const uint8_t *)n->name.str, n->name.len, 120, buf, sizeof buf));
  if (n->has_implements)
    fprintf(out, " (implements \"%s\")", cli_escape((const uint8_t *)n->implements.str, n->implements.len, 120, buf, sizeof buf));
  if (n->has_versionsuffix)
    fprintf(out, " (versionsuffix \"%s\")", cli_escape((const uint8_t *)n->versionsuffix.str, n->versionsuffix.len, 60, buf, sizeof buf));
  if (n->has_external_id)
    fprintf(out, " (external-id \"%s\")", cli_escape((const uint8_t *)n->external_id.str, n->external_id.len, 120, buf, sizeof buf));
}

/* Decodes and validates; *c and *info are set when the bytes decode. */
static bool load(const uint8_t *bytes, size_t len, comp_component **c, comp_info **info, util_error *derr,
                 util_error *verr) {
  *info = NULL;
  util_error_clear(verr);
  util_error_clear(derr);
  /* a text component is encoded first; its bytes are what gets decoded */
  uint8_t *bin = NULL;
  size_t n;
  if (!text_is_binary(bytes, len)) {
    *c = NULL;
    if (!text_component_to_binary((const char *)bytes, len, &bin, &n, derr)) return false;
    bytes = bin;
    len = n;
  }
  *c = comp_decode(bytes, len, derr);
  free(bin);
  if (!*c) return false;
  comp_validate(*c, info, verr);
  return true;
}

static void print_error(const char *path, const util_error *err) { cli_print_module_error(path, err); }

static int status_of(const util_error *err) {
  return err->kind == UTIL_ERR_NONE ? CLI_EXIT_OK : CLI_EXIT_BAD_MODULE;
}

int cli_component_validate(const char *path, const uint8_t *bytes, size_t len, bool quiet) {
  comp_component *c;
  comp_info *info;
  util_error derr, verr;
  if (!load(bytes, len, &c, &info, &derr, &verr)) {
    print_error(path, &derr);
    return CLI_EXIT_BAD_MODULE;
  }
  int rc = status_of(&verr);
  if (rc == CLI_EXIT_OK) {
    if (!quiet) printf("%s: valid (component)\n", cli_display_name(path));
  } else {
    print_error(path, &verr);
  }
  comp_info_free(info);
  comp_free(c);
  return rc;
}

/* ---------- text ---------------------------------------------------------------------------- */

static void externs_text(FILE *out, const char *title, const comp_extern *v, uint32_t n) {
  fprintf(out, "\n%s (%u):\n", title, n);
  for (uint32_t i = 0; i < n; i++) {
    fputs("  ", out);
    if (v[i].name) print_extname(out, v[i].name);
    fprintf(out, " %s ", comp_extern_kind_name(v[i].kind));
    comp_ctype_print(out, v[i].type, 0);
    fputc('\n', out);
  }
}

static void inspect_text(FILE *out, const char *path, const comp_component *c, const comp_info *info,
                         const util_error *verr) {
  fprintf(out, "%s: WebAssembly component, version %u (layer 1), %u bytes\n", cli_display_name(path), COMP_VERSION,
          c->size);
  if (verr->kind == UTIL_ERR_NONE) fputs("validation: ok\n", out);
  else fprintf(out, "validation: failed: %s\n", verr->msg);
  if (c->name.str) fprintf(out, "component name: \"%s\"\n", c->name.str);
  fprintf(out, "\nSections (%u):\n  id name              offset       size   count\n", c->nsections);
  for (uint32_t i = 0; i < c->nsections; i++) {
    const comp_section_info *s = &c->sections[i];
    fprintf(out, "  %2u %-14s 0x%08x %10u", s->id, s->id <= COMP_SEC_VALUE ? section_names[s->id] : "?", s->offset,
            s->size);
    if (s->id == COMP_SEC_CUSTOM) fprintf(out, "         \"%s\"\n", s->custom_name ? s->custom_name : "");
    else fprintf(out, " %7u\n", s->count);
  }
  uint32_t nmod = 0, ncomp = 0;
  for (uint32_t i = 0; i < c->ndefs; i++) {
    if (c->defs[i].sec == COMP_SEC_CORE_MODULE) nmod++;
    if (c->defs[i].sec == COMP_SEC_COMPONENT) ncomp++;
  }
  fprintf(out, "\nNested: %u core module(s), %u component(s)\n", nmod, ncomp);
  for (uint32_t i = 0, k = 0; i < c->ndefs; i++) {
    if (c->defs[i].sec != COMP_SEC_CORE_MODULE) continue;
    const wasm_module *m = c->defs[i].u.module;
    fprintf(out, "  module[%u] at 0x%08x, %u bytes: %u imports, %u exports, %u functions\n", k++, c->defs[i].offset,
            m->size, m->nimports, m->nexports, m->nfuncs);
  }
  if (!info) return;
  externs_text(out, "Imports", info->imports, info->nimports);
  externs_text(out, "Exports", info->exports, info->nexports);
}

/* ---------- JSON ---------------------------------------------------------------------------- */

static void json_name(cli_json *j, const char *key, bool has, const wasm_name *n) {
  cli_json_key(j, key);
  if (has) cli_json_strn(j, n->str, n->len);
  else cli_json_null(j);
}

static void json_type(cli_json *j, const comp_ctype *t) {
  char *text = NULL;
  size_t tlen = 0;
  FILE *f = open_memstream(&text, &tlen);
  if (!f) {
    cli_json_null(j);
    return;
  }
  comp_ctype_print(f, t, 0);
  fclose(f);
  cli_json_strn(j, text, tlen);
  free(text);
}

static void externs_json(cli_json *j, const char *key, const comp_extern *v, uint32_t n) {
  cli_json_key(j, key);
  cli_json_array(j);
  for (uint32_t i = 0; i < n; i++) {
    cli_json_object(j);
    cli_json_key(j, "name");
    if (v[i].name) cli_json_strn(j, v[i].name->name.str, v[i].name->name.len);
    else cli_json_null(j);
    if (v[i].name) {
      json_name(j, "implements", v[i].name->has_implements, &v[i].name->implements);
      json_name(j, "versionsuffix", v[i].name->has_versionsuffix, &v[i].name->versionsuffix);
      json_name(j, "external_id", v[i].name->has_external_id, &v[i].name->external_id);
    }
    cli_json_key(j, "kind");
    cli_json_str(j, comp_extern_kind_name(v[i].kind));
    cli_json_key(j, "type");
    json_type(j, v[i].type);
    cli_json_key(j, "offset");
    cli_json_uint(j, v[i].offset);
    cli_json_end(j);
  }
  cli_json_end(j);
}

static void inspect_json(FILE *out, const char *path, const comp_component *c, const comp_info *info,
                         const util_error *verr) {
  cli_json j;
  cli_json_init(&j, out);
  cli_json_doc_begin(&j, "inspect", path);
  cli_json_key(&j, "format");
  cli_json_str(&j, "component");
  cli_json_key(&j, "version");
  cli_json_uint(&j, COMP_VERSION);
  cli_json_key(&j, "layer");
  cli_json_uint(&j, COMP_LAYER);
  cli_json_key(&j, "size");
  cli_json_uint(&j, c->size);
  cli_json_key(&j, "valid");
  cli_json_bool(&j, verr->kind == UTIL_ERR_NONE);
  cli_json_key(&j, "error");
  if (verr->kind == UTIL_ERR_NONE) cli_json_null(&j);
  else cli_json_error_value(&j, verr);
  json_name(&j, "component_name", c->name.str != NULL, &c->name);
  cli_json_key(&j, "sections");
  cli_json_array(&j);
  for (uint32_t i = 0; i < c->nsections; i++) {
    const comp_section_info *s = &c->sections[i];
    cli_json_object(&j);
    cli_json_key(&j, "id");
    cli_json_uint(&j, s->id);
    cli_json_key(&j, "name");
    cli_json_str(&j, s->id <= COMP_SEC_VALUE ? section_names[s->id] : "?");
    cli_json_key(&j, "offset");
    cli_json_uint(&j, s->offset);
    cli_json_key(&j, "size");
    cli_json_uint(&j, s->size);
    if (s->id == COMP_SEC_CUSTOM) {
      cli_json_key(&j, "custom_name");
      cli_json_str(&j, s->custom_name ? s->custom_name : "");
    } else {
      cli_json_key(&j, "count");
      cli_json_uint(&j, s->count);
    }
    cli_json_end(&j);
  }
  cli_json_end(&j);
  cli_json_key(&j, "modules");
  cli_json_array(&j);
  for (uint32_t i = 0, k = 0; i < c->ndefs; i++) {
    if (c->defs[i].sec != COMP_SEC_CORE_MODULE) continue;
    const wasm_module *m = c->defs[i].u.module;
    cli_json_object(&j);
    cli_json_key(&j, "index");
    cli_json_uint(&j, k++);
    cli_json_key(&j, "offset");
    cli_json_uint(&j, c->defs[i].offset);
    cli_json_key(&j, "size");
    cli_json_uint(&j, m->size);
    cli_json_key(&j, "imports");
    cli_json_uint(&j, m->nimports);
    cli_json_key(&j, "exports");
    cli_json_uint(&j, m->nexports);
    cli_json_key(&j, "functions");
    cli_json_uint(&j, m->nfuncs);
    cli_json_end(&j);
  }
  cli_json_end(&j);
  externs_json(&j, "imports", info ? info->imports : NULL, info ? info->nimports : 0);
  externs_json(&j, "exports", info ? info->exports : NULL, info ? info->nexports : 0);
  cli_json_end(&j);
  cli_json_finish(&j);
}

int cli_component_inspect(const char *path, const uint8_t *bytes, size_t len, bool json) {
  comp_component *c;
  comp_info *info;
  util_error derr, verr;
  if (!load(bytes, len, &c, &info, &derr, &verr)) {
    if (json) cli_json_error_doc(stdout, "inspect", path, &derr);
    print_error(path, &derr);
    return CLI_EXIT_BAD_MODULE;
  }
  if (json) inspect_json(stdout, path, c, info, &verr);
  else inspect_text(stdout, path, c, info, &verr);
  int rc = status_of(&verr);
  if (rc != CLI_EXIT_OK) {
    fflush(stdout);
    print_error(path, &verr);
  }
  comp_info_free(info);
  comp_free(c);
  return rc;
}

/* ---------- run ------------------------------------------------------------------------------ */

static int run_fail(char *why, size_t nwhy, char *what, size_t nwhat, const char *kind, int rc, const char *fmt,
                    const char *path, const char *msg) {
  snprintf(what, nwhat, "%s", kind);
  snprintf(why, nwhy, fmt, path, msg);
  return rc;
}

typedef struct store_arm {
  const policy *limits;
  guard_clock *clk;
  wasi_ctx *wctx;
} store_arm;

/* The component's store, before anything runs in it: src/guard's limits and deadline,
 * and the store the WASI waits wake on. */
static bool arm_store(void *env, struct weld_store *store, util_error *err) {
  store_arm *a = env;
  wasi_ctx_set_call_store(a->wctx, (exec_store *)store);
  return cli_guard_arm(store, a->limits, a->clk, err);
}

int cli_component_run(const char *path, const uint8_t *bytes, size_t len, const char *const *invokes, int ninvokes,
                      int nargs, struct wasi_ctx *wctx, const struct policy *limits, struct guard_clock *clk, char *why,
                      size_t nwhy, char *what, size_t nwhat) {
  const char *name = cli_display_name(path);
  if (ninvokes && nargs > 0)
    return run_fail(why, nwhy, what, nwhat, "error", CLI_EXIT_USAGE,
                    "%s: a component's arguments go inside --invoke '%s(...)' (in WAVE), not after the file", name,
                    invokes[ninvokes - 1]);
  comp_component *c;
  comp_info *info;
  util_error derr, verr;
  if (!load(bytes, len, &c, &info, &derr, &verr)) {
    char msg[400];
    snprintf(msg, sizeof msg, "%s (at offset 0x%llx)", derr.msg, (unsigned long long)(derr.offset < 0 ? 0 : derr.offset));
    return run_fail(why, nwhy, what, nwhat, "error", CLI_EXIT_BAD_MODULE, "%s: %s", name, msg);
  }
  int rc = CLI_EXIT_OK;
  comp_host *host = NULL;
  wasi2 *w = NULL;
  comp_inst *inst = NULL;
  w2_curl *curl = NULL;
  char run_name[256];
  util_error err;
  util_error_clear(&err);
  if (verr.kind != UTIL_ERR_NONE) {
    rc = run_fail(why, nwhy, what, nwhat, "error", CLI_EXIT_BAD_MODULE, "%s: %s", name, verr.msg);
    goto done;
  }
  if (!ninvokes && !wasi2_run_export(info, run_name, sizeof run_name)) {
    rc = run_fail(why, nwhy, what, nwhat, "refused", CLI_EXIT_BAD_MODULE,
                  "%s: the component exports no wasi:cli/run interface: call one of its functions with "
                  "--invoke 'name(args)'%s", name, "");
    goto done;
  }
  if (!(host = comp_host_new()) || !(w = wasi2_new(wctx, &err)) || !wasi2_link(w, host, info, &err)) {
    rc = run_fail(why, nwhy, what, nwhat, "error", CLI_EXIT_USAGE, "%s: %s", name, "out of memory");
    goto done;
  }
  /* wasi:http's outgoing requests (made only when the component imports it) */
  bool http = false, outgoing = false;
  for (uint32_t i = 0; i < info->nimports; i++) {
    const char *in = info->imports[i].name ? info->imports[i].name->name.str : "";
    http |= strncmp(in, "wasi:http/", 10) == 0;
    outgoing |= strncmp(in, "wasi:http/outgoing-handler", 26) == 0;
  }
  if (http) {
    util_error cerr;
    util_error_clear(&cerr);
    if ((curl = w2_curl_new(&cerr))) wasi2_http_set_client(w, w2_curl_client(curl));
    else if (outgoing) fprintf(stderr, "weld: %s: %s (its requests will fail)\n", name, cerr.msg);
  }
  store_arm arm = {limits, clk, wctx};
  comp_host_on_store(host, arm_store, &arm);
  inst = comp_instantiate(c, info, host, &err);
  if (!inst) {
    rc = run_fail(why, nwhy, what, nwhat, err.kind == UTIL_ERR_TRAP ? "trap" : "refused",
                  err.kind == UTIL_ERR_TRAP ? CLI_EXIT_TRAP : CLI_EXIT_BAD_MODULE, "%s: %s", name, err.msg);
    goto done;
  }
  if (!ninvokes) {
    comp_func *f = comp_inst_func(inst, run_name);
    util_arena arena;
    util_arena_init(&arena);
    comp_val result;
    memset(&result, 0, sizeof result);
    int code;
    if (!f) {
      rc = run_fail(why, nwhy, what, nwhat, "refused", CLI_EXIT_BAD_MODULE, "%s: %s", name,
                    "its wasi:cli/run export has no function `run`");
    } else if (comp_functype_nparams(comp_func_type(f)) != 0 || !comp_functype_result(comp_func_type(f))) {
      rc = run_fail(why, nwhy, what, nwhat, "refused", CLI_EXIT_BAD_MODULE, "%s: %s", name,
                    "its wasi:cli/run function `run` is not `func() -> result`");
    } else if (comp_call(f, NULL, &result, &arena, &err)) {
      rc = result.u.var.disc == 0 ? CLI_EXIT_OK : 1; /* result<_, _>: err is a failure without a code */
    } else if (err.kind == UTIL_ERR_TRAP && wasi2_exited(w, &code)) {
      rc = code;
    } else {
      rc = run_fail(why, nwhy, what, nwhat, err.kind == UTIL_ERR_TRAP ? "trap" : "error",
                    err.kind == UTIL_ERR_TRAP ? CLI_EXIT_TRAP : CLI_EXIT_BAD_MODULE,
                    err.kind == UTIL_ERR_TRAP ? "%s: trap: %s" : "%s: %s", name, err.msg);
    }
    util_arena_free(&arena);
  }
  for (int k = 0; k < ninvokes && rc == CLI_EXIT_OK; k++) {
    if (comp_invoke(inst, invokes[k], stdout, &err)) continue;
    int code;
    if (err.kind == UTIL_ERR_TRAP && wasi2_exited(w, &code)) rc = code;
    else if (err.kind == UTIL_ERR_TRAP) rc = run_fail(why, nwhy, what, nwhat, "trap", CLI_EXIT_TRAP, "%s: trap: %s", name, err.msg);
    else rc = run_fail(why, nwhy, what, nwhat, "error", err.kind == UTIL_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_BAD_MODULE,
                       "%s: %s", name, err.msg);
  }
  fflush(stdout);
done:
  if (wctx) wasi_ctx_set_call_store(wctx, NULL);
  comp_inst_free(inst);
  wasi2_free(w);
  w2_curl_free(curl);
  comp_host_free(host);
  comp_info_free(info);
  comp_free(c);
  return rc;
}

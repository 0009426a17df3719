/* weld component new: a core module wrapped into a component for a WIT world. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text/text.h"
#include "wasm/module.h"
#include "wit/wit.h"

enum { OPT_WIT, OPT_WORLD, OPT_OUT, OPT_WAT };

static const cli_opt new_opts[] = {{"--wit", "", "PATH", OPT_WIT},
                                   {"--world", "", "W", OPT_WORLD},
                                   {"--output", "-o", "OUT", OPT_OUT},
                                   {"--emit-wat", "", "", OPT_WAT}};

static int cmd_new(int argc, char **argv) {
  const char *core = NULL, *witp = NULL, *world = NULL, *out = NULL;
  bool wat = false;
  int r;
  cli_parser p;
  cli_parser_init(&p, "component new", new_opts, 4, argc, argv);
  while ((r = cli_parser_next(&p)) != CLI_ARG_DONE && r != CLI_ARG_EXIT) {
    if (r == CLI_ARG_OPERAND) {
      if (core) return cli_usage_error("component new", "one CORE.wasm only");
      core = p.operand;
    } else if (p.opt->id == OPT_WIT) {
      witp = p.value;
    } else if (p.opt->id == OPT_WORLD) {
      world = p.value;
    } else if (p.opt->id == OPT_OUT) {
      out = p.value;
    } else {
      wat = true;
    }
  }
  if (r == CLI_ARG_EXIT) return p.rc;
  if (!core) return cli_usage_error("component new", "missing CORE.wasm");
  if (!witp) return cli_usage_error("component new", "missing --wit PATH");
  if (!out) return cli_usage_error("component new", "missing -o OUT");
  util_error err;
  wit_set *s = wit_load(witp, &err);
  if (!s) {
    fprintf(stderr, "weld: %s\n", err.msg);
    return err.kind == UTIL_ERR_IO ? CLI_EXIT_USAGE : CLI_EXIT_BAD_MODULE;
  }
  wit_world *w = wit_find_world(s, world, &err);
  if (!w) {
    wit_set_free(s);
    fprintf(stderr, "weld: component new: %s\n", err.msg);
    return CLI_EXIT_USAGE;
  }
  uint8_t *bytes;
  size_t len;
  if (cli_read_component(core, &bytes, &len, &err) || !bytes) {
    free(bytes);
    wit_set_free(s);
    if (bytes) fprintf(stderr, "weld: %s: a component, not a core module\n", cli_display_name(core));
    else fprintf(stderr, "weld: %s\n", err.msg);
    return bytes ? CLI_EXIT_BAD_MODULE : CLI_EXIT_USAGE;
  }
  wasm_module *m = wasm_decode(bytes, len, &err);
  if (!m) {
    free(bytes);
    wit_set_free(s);
    char b[320];
    fprintf(stderr, "weld: %s: %s\n", cli_display_name(core), util_error_format(&err, b, sizeof b));
    return CLI_EXIT_BAD_MODULE;
  }
  wit_core_names names = {0};
  names.exports = calloc(m->nexports + 1, sizeof *names.exports);
  names.import_modules = calloc(m->nimports + 1, sizeof *names.import_modules);
  names.import_fields = calloc(m->nimports + 1, sizeof *names.import_fields);
  int rc = CLI_EXIT_BAD_MODULE;
  util_buf text = {0};
  uint8_t *bin = NULL;
  size_t binlen = 0;
  if (!names.exports || !names.import_modules || !names.import_fields) {
    fprintf(stderr, "weld: out of memory\n");
    goto done;
  }
  for (uint32_t i = 0; i < m->nexports; i++) names.exports[i] = m->exports[i].name.str;
  names.nexports = m->nexports;
  for (uint32_t i = 0; i < m->nimports; i++) {
    if (m->imports[i].kind != 0) {
      fprintf(stderr, "weld: %s: not supported: the core module imports `%s` `%s`, which is not a function\n",
              cli_display_name(core), m->imports[i].module.str, m->imports[i].field.str);
      goto done;
    }
    names.import_modules[i] = m->imports[i].module.str;
    names.import_fields[i] = m->imports[i].field.str;
  }
  names.nimports = m->nimports;
  if (!wit_component_text(w, bytes, len, &names, &text, &err)) {
    fprintf(stderr, "weld: %s: %s\n", cli_display_name(core), err.msg);
    goto done;
  }
  if (wat) {
    rc = cli_write_file(out, text.p, text.len) ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    goto done;
  }
  if (!text_component_to_binary((const char *)text.p, text.len, &bin, &binlen, &err)) {
    char b[320];
    fprintf(stderr, "weld: %s: the component does not encode: %s\n", cli_display_name(core),
            util_error_format(&err, b, sizeof b));
    goto done;
  }
  rc = cli_component_validate(out, bin, binlen, true);
  if (rc != CLI_EXIT_OK) goto done;
  if (!cli_write_file(out, bin, binlen)) {
    fprintf(stderr, "weld: %s: cannot write\n", out);
    rc = CLI_EXIT_USAGE;
  }
done:
  free(bin);
  util_buf_free(&text);
  free(names.exports);
  free(names.import_modules);
  free(names.import_fields);
  wasm_module_free(m);
  free(bytes);
  wit_set_free(s);
  return rc;
}

int cli_cmd_component(int argc, char **argv) {
  if (argc < 2) return cli_usage_error("component", "missing SUBCOMMAND (new)");
  const char *sub = argv[1];
  if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    cli_print_command_help(stdout, cli_find_command("component"));
    return CLI_EXIT_OK;
  }
  if (strcmp(sub, "new") == 0) return cmd_new(argc - 1, argv + 1);
  return cli_usage_error("component", "unknown subcommand `%s` (new)", sub);
}

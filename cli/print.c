/* weld print: a module (binary or text) written as text. */
#include <string.h>

#include "cli.h"
#include "text/text.h"

int cli_cmd_print(int argc, char **argv) {
  text_print_style style = TEXT_PRINT_FLAT;
  const char *file = NULL;
  bool options = true;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (options && strcmp(a, "--") == 0) options = false;
    else if (options && strcmp(a, "--flat") == 0) style = TEXT_PRINT_FLAT;
    else if (options && strcmp(a, "--folded") == 0) style = TEXT_PRINT_FOLDED;
    else if (options && cli_is_option(a)) return cli_usage_error("print", "unknown option '%s'", a);
    else if (file) return cli_usage_error("print", "more than one FILE");
    else file = a;
  }
  if (!file) return cli_usage_error("print", "missing FILE");
  wasm_module *m;
  int rc = cli_load_module(file, &m);
  if (rc != CLI_EXIT_OK) return rc;
  util_error err;
  if (!text_print_module(m, style, stdout, &err)) {
    cli_print_module_error(file, &err);
    rc = CLI_EXIT_BAD_MODULE;
  }
  wasm_module_free(m);
  return rc;
}

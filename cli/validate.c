/* weld validate: decode and validate, one line per bad module. */
#include <string.h>

#include "cli.h"

int cli_cmd_validate(int argc, char **argv) {
  bool quiet = false, options = true;
  int nfiles = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (options && strcmp(a, "--") == 0) options = false;
    else if (options && (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)) quiet = true;
    else if (options && cli_is_option(a)) return cli_usage_error("validate", "unknown option '%s'", a);
    else nfiles++;
  }
  if (nfiles == 0) return cli_usage_error("validate", "missing FILE");

  /* Every file is checked even after a failure; the worst outcome decides the status. */
  int rc = CLI_EXIT_OK;
  options = true;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (options && strcmp(a, "--") == 0) { options = false; continue; }
    if (options && cli_is_option(a)) continue;
    wasm_module *m;
    int r = cli_load_module(a, &m);
    if (r == CLI_EXIT_OK) {
      util_error err;
      util_error_clear(&err);
      if (wasm_validate(m, &err)) {
        if (!quiet) printf("%s: valid\n", cli_display_name(a));
      } else {
        cli_print_module_error(a, &err);
        r = CLI_EXIT_BAD_MODULE;
      }
      wasm_module_free(m);
    }
    if (r > rc) rc = r;
  }
  return rc;
}

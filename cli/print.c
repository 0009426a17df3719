/* weld print: a module (binary or text) written as text. */
#include <string.h>

#include "cli.h"
#include "text/text.h"

enum { PRINT_FLAT, PRINT_FOLDED };
static const cli_opt print_opts[] = {{"--flat", "", "", PRINT_FLAT}, {"--folded", "", "", PRINT_FOLDED}};

int cli_cmd_print(int argc, char **argv) {
  text_print_style style = TEXT_PRINT_FLAT;
  const char *file = NULL;
  cli_parser p;
  cli_parser_init(&p, "print", print_opts, 2, argc, argv);
  int r;
  while ((r = cli_parser_next(&p)) != CLI_ARG_DONE) {
    if (r == CLI_ARG_EXIT) return p.rc;
    if (r == CLI_ARG_OPTION) style = p.opt->id == PRINT_FOLDED ? TEXT_PRINT_FOLDED : TEXT_PRINT_FLAT;
    else if (file) return cli_usage_error("print", "more than one FILE");
    else file = p.operand;
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

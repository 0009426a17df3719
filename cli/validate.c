/* weld validate: decode and validate, one line per bad module or component; a
 * precompiled image's embedded module, and its recorded sha256. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jit/image.h"

static const cli_opt validate_opts[] = {{"--quiet", "-q", "", 0}};

int cli_cmd_validate(int argc, char **argv) {
  bool quiet = false;
  const char **files = calloc((size_t)argc, sizeof *files);
  if (!files) return CLI_EXIT_USAGE;
  int nfiles = 0, r;
  cli_parser p;
  cli_parser_init(&p, "validate", validate_opts, 1, argc, argv);
  while ((r = cli_parser_next(&p)) != CLI_ARG_DONE && r != CLI_ARG_EXIT) {
    if (r == CLI_ARG_OPTION) quiet = true;
    else files[nfiles++] = p.operand;
  }
  if (r == CLI_ARG_EXIT) {
    free(files);
    return p.rc;
  }
  if (nfiles == 0) {
    free(files);
    return cli_usage_error("validate", "missing FILE");
  }

  /* Every file is checked even after a failure; the worst outcome decides the status. */
  int rc = CLI_EXIT_OK;
  for (int i = 0; i < nfiles; i++) {
    const char *a = files[i];
    wasm_module *m = NULL;
    uint8_t *bytes;
    size_t len;
    int st;
    util_error lerr;
    jit_image_info img;
    memset(&img, 0, sizeof img);
    if (cli_read_component(a, &bytes, &len, &lerr)) {
      st = cli_component_validate(a, bytes, len, quiet);
      free(bytes);
      if (st > rc) rc = st;
      continue;
    }
    if (!bytes) {
      st = CLI_EXIT_USAGE;
    } else {
      st = cli_load_module_image(a, bytes, len, &m, &img, &lerr);
      free(bytes);
    }
    if (st != CLI_EXIT_OK) cli_print_load_error(a, st, &lerr);
    if (st == CLI_EXIT_OK) {
      util_error err;
      util_error_clear(&err);
      bool valid = wasm_validate(m, &err);
      if (!valid && img.format) cli_embedded_error(&err);
      /* an image: its checksum and its module's sha256 were checked when it was read; its
       * code section must describe this module's functions */
      int64_t code_at = (int64_t)(JIT_IMAGE_HEADER + img.img.module_len);
      if (valid && img.format && img.section_error) {
        valid = util_fail(&err, UTIL_ERR_MALFORMED, code_at, "precompiled module is corrupt (%s)", img.section_error);
      } else if (valid && img.format && img.functions != m->nfuncs - m->nfunc_imports) {
        valid = util_fail(&err, UTIL_ERR_MALFORMED, code_at,
                          "precompiled module is corrupt (its code section lists %u functions, the module defines %u)",
                          img.functions, m->nfuncs - m->nfunc_imports);
      }
      if (valid) {
        if (!quiet && img.format)
          printf("%s: valid (precompiled by weld %s for the %s tier; the module's sha256 matches)\n",
                 cli_display_name(a), img.img.version, cli_image_tier_name(img.img.set.tier));
        else if (!quiet) printf("%s: valid\n", cli_display_name(a));
      } else {
        cli_print_module_error(a, &err);
        st = CLI_EXIT_BAD_MODULE;
      }
      wasm_module_free(m);
    }
    if (st > rc) rc = st;
  }
  free(files);
  return rc;
}

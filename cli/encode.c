/* weld encode: a module or component in the text format written in the binary format. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "text/text.h"

enum { E_OUT };
static const cli_opt encode_opts[] = {{"--output", "-o", "FILE", E_OUT}};

/* Text is encoded; binary input passes through unchanged. Either way the result must decode
 * and validate before a byte is written. */
static int encode(const char *file, uint8_t **out, size_t *outlen) {
  uint8_t *bytes;
  size_t len;
  util_error err;
  *out = NULL;
  if (cli_read_component(file, &bytes, &len, &err)) {
    int rc = cli_component_validate(file, bytes, len, true);
    if (rc != CLI_EXIT_OK) {
      free(bytes);
      return rc;
    }
    if (text_is_binary(bytes, len)) {
      *out = bytes;
      *outlen = len;
      return CLI_EXIT_OK;
    }
    bool ok = text_component_to_binary((const char *)bytes, len, out, outlen, &err);
    free(bytes);
    if (!ok) {
      cli_print_module_error(file, &err);
      return CLI_EXIT_BAD_MODULE;
    }
    return CLI_EXIT_OK;
  }
  if (!bytes) {
    cli_print_load_error(file, CLI_EXIT_USAGE, &err);
    return CLI_EXIT_USAGE;
  }
  wasm_module *m;
  int rc = cli_load_module_bytes(file, bytes, len, &m, &err);
  if (rc != CLI_EXIT_OK) {
    free(bytes);
    cli_print_load_error(file, rc, &err);
    return rc;
  }
  util_error_clear(&err);
  bool valid = wasm_validate(m, &err);
  wasm_module_free(m);
  if (!valid) {
    free(bytes);
    cli_print_module_error(file, &err);
    return CLI_EXIT_BAD_MODULE;
  }
  if (text_is_binary(bytes, len)) {
    *out = bytes;
    *outlen = len;
    return CLI_EXIT_OK;
  }
  bool ok = text_wat_to_binary((const char *)bytes, len, cli_display_name(file), out, outlen, &err);
  free(bytes);
  if (!ok) {
    cli_print_module_error(file, &err);
    return CLI_EXIT_BAD_MODULE;
  }
  return CLI_EXIT_OK;
}

int cli_cmd_encode(int argc, char **argv) {
  const char *file = NULL, *outpath = NULL;
  cli_parser p;
  cli_parser_init(&p, "encode", encode_opts, 1, argc, argv);
  int r;
  while ((r = cli_parser_next(&p)) != CLI_ARG_DONE) {
    if (r == CLI_ARG_EXIT) return p.rc;
    if (r == CLI_ARG_OPTION) outpath = p.value;
    else if (file) return cli_usage_error("encode", "more than one FILE");
    else file = p.operand;
  }
  if (!file) return cli_usage_error("encode", "missing FILE");
  if ((!outpath || strcmp(outpath, "-") == 0) && isatty(STDOUT_FILENO))
    return cli_usage_error("encode", "standard output is a terminal; name a file with -o FILE");
  uint8_t *bin;
  size_t n;
  int rc = encode(file, &bin, &n);
  if (rc != CLI_EXIT_OK) return rc;
  if (outpath && strcmp(outpath, "-") != 0) {
    if (!cli_write_file(outpath, bin, n)) {
      fprintf(stderr, "weld: cannot write %s\n", outpath);
      rc = CLI_EXIT_USAGE;
    }
  } else if (fwrite(bin, 1, n, stdout) != n || fflush(stdout) != 0) {
    fprintf(stderr, "weld: encode: cannot write standard output\n");
    rc = CLI_EXIT_USAGE;
  }
  free(bin);
  return rc;
}

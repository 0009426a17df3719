/* Reading modules from files or stdin, and reporting why one is rejected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jit/image.h"
#include "jit/jit.h"
#include "text/text.h"

bool cli_is_option(const char *arg) { return arg[0] == '-' && arg[1] != '\0'; }

const char *cli_display_name(const char *path) { return strcmp(path, "-") == 0 ? "<stdin>" : path; }

void cli_print_module_error(const char *path, const util_error *err) {
  char buf[400];
  if (err->line > 0) {
    fprintf(stderr, "weld: %s:%d:%d: %s\n", cli_display_name(path), err->line, err->col, err->msg);
    return;
  }
  fprintf(stderr, "weld: %s: %s\n", cli_display_name(path), util_error_format(err, buf, sizeof buf));
}

void cli_embedded_error(util_error *err) {
  static const char prefix[] = "embedded module: ";
  size_t n = strnlen(err->msg, sizeof err->msg - 1), p = sizeof prefix - 1;
  if (n > sizeof err->msg - 1 - p) n = sizeof err->msg - 1 - p; /* the end of a long message goes */
  memmove(err->msg + p, err->msg, n);
  memcpy(err->msg, prefix, p);
  err->msg[p + n] = 0;
}

const char *cli_image_tier_name(uint32_t tier) {
  return tier == JIT_TIER_BASELINE ? "baseline" : tier == JIT_TIER_OPTIMIZED ? "optimized" : "unknown";
}

int cli_load_module_image(const char *path, const uint8_t *bytes, size_t len, wasm_module **out, jit_image_info *img,
                          util_error *err) {
  *out = NULL;
  util_error_clear(err);
  jit_image_info local;
  if (!img) img = &local;
  memset(img, 0, sizeof *img);
  bool image = jit_image_is(bytes, len);
  if (image) {
    if (!jit_image_read(bytes, len, img, err)) return CLI_EXIT_BAD_MODULE;
    bytes = img->img.module;
    len = img->img.module_len;
  }
  /* Anything without the binary magic is read as the text format (an image's module is
   * always binary: weld compile stores a text module's encoding). */
  wasm_module *m = image && !text_is_binary(bytes, len) ? NULL : text_load_module(bytes, len, path, err);
  if (!m) {
    if (image && err->kind == UTIL_ERR_NONE)
      util_fail(err, UTIL_ERR_MALFORMED, 0, "the module is not in the binary format");
    if (image) cli_embedded_error(err);
    return CLI_EXIT_BAD_MODULE;
  }
  *out = m;
  return CLI_EXIT_OK;
}

int cli_load_module_bytes(const char *path, const uint8_t *bytes, size_t len, wasm_module **out, util_error *err) {
  return cli_load_module_image(path, bytes, len, out, NULL, err);
}

int cli_load_module_quiet(const char *path, wasm_module **out, util_error *err) {
  uint8_t *bytes;
  size_t len;
  *out = NULL;
  util_error_clear(err);
  if (!util_read_file(path, &bytes, &len, err)) return CLI_EXIT_USAGE;
  int rc = cli_load_module_bytes(path, bytes, len, out, err);
  free(bytes);
  return rc;
}

bool cli_read_component(const char *path, uint8_t **bytes, size_t *len, util_error *err) {
  util_error_clear(err);
  if (!util_read_file(path, bytes, len, err)) {
    *bytes = NULL;
    return false;
  }
  return comp_has_component_layer(*bytes, *len) || text_is_component(*bytes, *len);
}

void cli_print_load_error(const char *path, int rc, const util_error *err) {
  /* An I/O message already names the file. */
  if (rc == CLI_EXIT_USAGE) fprintf(stderr, "weld: %s\n", err->msg);
  else cli_print_module_error(path, err);
}

int cli_load_module(const char *path, wasm_module **out) {
  util_error err;
  int rc = cli_load_module_quiet(path, out, &err);
  if (rc != CLI_EXIT_OK) cli_print_load_error(path, rc, &err);
  return rc;
}

bool cli_write_file(const char *path, const uint8_t *p, size_t n) {
  /* written beside the target and renamed: a reader never sees half a file */
  char tmp[4200];
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) return false;
  FILE *f = fopen(tmp, "wb");
  if (!f) return false;
  bool ok = fwrite(p, 1, n, f) == n;
  if (fclose(f) != 0) ok = false;
  if (ok && rename(tmp, path) != 0) ok = false;
  if (!ok) remove(tmp);
  return ok;
}

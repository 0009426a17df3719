/* A streaming JSON writer: pretty-printed with two-space indentation; short scalar
 * lists can be kept on one line. Strings are escaped so the output is always valid JSON,
 * whatever bytes a module's names hold. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "cli.h"

#define MAX_DEPTH ((int)sizeof(((cli_json *)0)->first))

void cli_json_init(cli_json *j, FILE *out) {
  memset(j, 0, sizeof *j);
  j->out = out;
  j->first[0] = true;
}

static void indent(cli_json *j) {
  fputc('\n', j->out);
  for (int i = 0; i < j->depth; i++) fputs("  ", j->out);
}

/* Separator and indentation before a value (or a key). */
static void before_item(cli_json *j) {
  if (j->after_key) {
    j->after_key = false;
    return;
  }
  if (j->depth == 0) return;
  if (!j->first[j->depth]) fputc(',', j->out);
  if (j->inline_[j->depth]) {
    if (!j->first[j->depth]) fputc(' ', j->out);
  } else {
    indent(j);
  }
  j->first[j->depth] = false;
}

static void open_container(cli_json *j, char open, char close, bool is_inline) {
  before_item(j);
  fputc(open, j->out);
  /* The writer's callers nest a handful of levels; the bound only keeps memory safe. */
  if (j->depth + 1 >= MAX_DEPTH) return;
  j->depth++;
  j->first[j->depth] = true;
  j->closer[j->depth] = close;
  /* Inside an inline container everything stays inline. */
  j->inline_[j->depth] = is_inline || j->inline_[j->depth - 1];
}

void cli_json_object(cli_json *j) { open_container(j, '{', '}', false); }
void cli_json_array(cli_json *j) { open_container(j, '[', ']', false); }
void cli_json_array_inline(cli_json *j) { open_container(j, '[', ']', true); }

void cli_json_end(cli_json *j) {
  if (j->depth == 0) return;
  bool empty = j->first[j->depth], is_inline = j->inline_[j->depth];
  char c = j->closer[j->depth];
  j->depth--;
  if (!empty && !is_inline) indent(j);
  fputc(c, j->out);
}

static void write_string(cli_json *j, const char *s, size_t len);

void cli_json_key(cli_json *j, const char *key) {
  before_item(j);
  write_string(j, key, strlen(key));
  fputs(": ", j->out);
  j->after_key = true;
}

static void write_string(cli_json *j, const char *s, size_t len) {
  /* Names are UTF-8 by the binary format's rules; anything else (a custom section's
   * payload preview, say) is written byte by byte as \u00XX so the output stays valid. */
  bool utf8 = util_utf8_valid((const uint8_t *)s, len);
  fputc('"', j->out);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"': fputs("\\\"", j->out); break;
    case '\\': fputs("\\\\", j->out); break;
    case '\n': fputs("\\n", j->out); break;
    case '\r': fputs("\\r", j->out); break;
    case '\t': fputs("\\t", j->out); break;
    default:
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8)) fprintf(j->out, "\\u%04x", c);
      else fputc(c, j->out);
    }
  }
  fputc('"', j->out);
}

void cli_json_strn(cli_json *j, const char *s, size_t len) {
  before_item(j);
  write_string(j, s, len);
}

void cli_json_str(cli_json *j, const char *s) {
  if (!s) {
    cli_json_null(j);
    return;
  }
  cli_json_strn(j, s, strlen(s));
}

void cli_json_name(cli_json *j, const wasm_name *n) {
  if (!n || !n->str) cli_json_null(j);
  else cli_json_strn(j, n->str, n->len);
}

void cli_json_uint(cli_json *j, uint64_t v) {
  before_item(j);
  fprintf(j->out, "%" PRIu64, v);
}

void cli_json_int(cli_json *j, int64_t v) {
  before_item(j);
  fprintf(j->out, "%" PRId64, v);
}

void cli_json_fixed3(cli_json *j, int64_t v) {
  before_item(j);
  uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  fprintf(j->out, "%s%" PRIu64 ".%03u", v < 0 ? "-" : "", m / 1000, (unsigned)(m % 1000));
}

void cli_json_double(cli_json *j, double v) {
  before_item(j);
  if (isfinite(v)) fprintf(j->out, "%.6g", v);
  else fputs("null", j->out);
}

void cli_json_bool(cli_json *j, bool v) {
  before_item(j);
  fputs(v ? "true" : "false", j->out);
}

void cli_json_null(cli_json *j) {
  before_item(j);
  fputs("null", j->out);
}

void cli_json_finish(cli_json *j) { fputc('\n', j->out); }

static const char *error_kind(util_err_kind k) {
  switch (k) {
  case UTIL_ERR_NONE: return "none";
  case UTIL_ERR_MALFORMED: return "malformed";
  case UTIL_ERR_INVALID: return "invalid";
  case UTIL_ERR_LINK: return "unlinkable";
  case UTIL_ERR_TRAP: return "trap";
  case UTIL_ERR_IO: return "io";
  case UTIL_ERR_USAGE: return "usage";
  case UTIL_ERR_LIMIT: return "limit";
  case UTIL_ERR_OOM: return "out-of-memory";
  }
  return "error";
}

void cli_json_error_value(cli_json *j, const util_error *err) {
  cli_json_object(j);
  cli_json_key(j, "kind");
  cli_json_str(j, error_kind(err->kind));
  cli_json_key(j, "message");
  cli_json_str(j, err->msg);
  cli_json_key(j, "offset");
  if (err->offset >= 0) cli_json_int(j, err->offset);
  else cli_json_null(j);
  cli_json_key(j, "function");
  if (err->func >= 0) cli_json_int(j, err->func);
  else cli_json_null(j);
  cli_json_key(j, "line");
  if (err->line > 0) cli_json_int(j, err->line);
  else cli_json_null(j);
  cli_json_key(j, "column");
  if (err->line > 0) cli_json_int(j, err->col);
  else cli_json_null(j);
  cli_json_end(j);
}

void cli_json_doc_begin(cli_json *j, const char *command, const char *path) {
  cli_json_object(j);
  cli_json_key(j, "schema_version");
  cli_json_uint(j, CLI_JSON_SCHEMA_VERSION);
  cli_json_key(j, "command");
  cli_json_str(j, command);
  cli_json_key(j, "file");
  if (path) cli_json_str(j, cli_display_name(path));
  else cli_json_null(j);
}

void cli_json_error_doc(FILE *out, const char *command, const char *path, const util_error *err) {
  cli_json j;
  cli_json_init(&j, out);
  cli_json_doc_begin(&j, command, path);
  cli_json_key(&j, "error");
  cli_json_error_value(&j, err);
  cli_json_end(&j);
  cli_json_finish(&j);
}

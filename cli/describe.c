/* Small renderings of module parts shared by the text and JSON forms of `weld inspect`,
 * so both say the same thing. */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "wasm/instr.h"

const char *cli_section_name(uint8_t id) {
  static const char names[][10] = {"custom", "type", "import", "function", "table",
                                   "memory", "global", "export", "start", "element",
                                   "code", "data", "datacount", "tag"};
  return id < sizeof names / sizeof names[0] ? names[id] : "unknown";
}

const wasm_name *cli_func_name(const wasm_module *m, uint32_t funcidx) {
  if (!m->func_names || funcidx >= m->nfuncs || !m->func_names[funcidx].str) return NULL;
  return &m->func_names[funcidx];
}

const char *cli_escape(const uint8_t *s, size_t len, size_t max, char *buf, size_t n) {
  size_t k = 0;
  bool cut = len > max;
  if (cut) len = max;
  if (n == 0) return buf;
  for (size_t i = 0; i < len; i++) {
    char tmp[8];
    uint8_t c = s[i];
    switch (c) {
    case '\n': strcpy(tmp, "\\n"); break;
    case '\t': strcpy(tmp, "\\t"); break;
    case '\r': strcpy(tmp, "\\r"); break;
    case '"': strcpy(tmp, "\\\""); break;
    case '\\': strcpy(tmp, "\\\\"); break;
    default:
      if (c >= 0x20 && c < 0x7f) {
        tmp[0] = (char)c;
        tmp[1] = '\0';
      } else {
        snprintf(tmp, sizeof tmp, "\\x%02x", c);
      }
    }
    size_t t = strlen(tmp);
    if (k + t + 4 >= n) {
      cut = true;
      break;
    }
    memcpy(buf + k, tmp, t);
    k += t;
  }
  if (cut && k + 3 < n) {
    memcpy(buf + k, "...", 3);
    k += 3;
  }
  buf[k] = '\0';
  return buf;
}

/* Appends to buf at *k, never past n. */
static void put(char *buf, size_t n, size_t *k, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t n, size_t *k, const char *fmt, ...) {
  if (*k >= n) return;
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(buf + *k, n - *k, fmt, ap);
  va_end(ap);
  if (w > 0) *k = (size_t)w < n - *k ? *k + (size_t)w : n - 1;
}

const char *cli_expr_format(const wasm_expr *e, char *buf, size_t n) {
  util_reader r = {e->bytes, e->bytes, e->bytes + e->len, e->offset};
  util_error err;
  size_t k = 0;
  buf[0] = '\0';
  util_error_clear(&err);
  while (!util_reader_eof(&r)) {
    wasm_instr in;
    memset(&in, 0, sizeof in);
    if (!wasm_read_instr(&r, &in, &err)) {
      put(buf, n, &k, "%s<malformed>", k ? "; " : "");
      break;
    }
    if (in.op == WASM_OP_END && util_reader_eof(&r)) break;
    const wasm_opinfo *oi = &wasm_opinfo_table[in.op];
    put(buf, n, &k, "%s%s", k ? "; " : "", wasm_op_name(in.op));
    switch (oi->imm) {
    case WASM_IMM_I32C: put(buf, n, &k, " %" PRId32, in.c.i32); break;
    case WASM_IMM_I64C: put(buf, n, &k, " %" PRId64, in.c.i64); break;
    case WASM_IMM_F32C: {
      float f;
      memcpy(&f, &in.c.f32, sizeof f);
      put(buf, n, &k, " %.9g", (double)f);
      break;
    }
    case WASM_IMM_F64C: {
      double d;
      memcpy(&d, &in.c.f64, sizeof d);
      put(buf, n, &k, " %.17g", d);
      break;
    }
    case WASM_IMM_V128C:
      put(buf, n, &k, " i8x16");
      for (int i = 0; i < 16; i++) put(buf, n, &k, " 0x%02x", in.c.v128[i]);
      break;
    case WASM_IMM_REFTYPE:
      put(buf, n, &k, " %s", in.reftype == WASM_FUNCREF ? "func" : in.reftype == WASM_EXTERNREF ? "extern" : in.reftype == WASM_EXNREF ? "exn" : "?");
      break;
    case WASM_IMM_GLOBAL:
    case WASM_IMM_FUNC:
    case WASM_IMM_LOCAL:
    case WASM_IMM_LABEL:
    case WASM_IMM_TABLE:
      put(buf, n, &k, " %" PRIu32, in.idx);
      break;
    default: break;
    }
  }
  return buf;
}

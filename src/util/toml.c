/* The TOML reader (see toml.h for the subset). Everything it builds lives in one arena.
 * Positions are 1-based lines and byte columns. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "toml.h"

#define TOML_MAX_DEPTH 64 /* nested arrays / inline tables; deeper input is rejected */
#define TOML_MAX_KEY_PARTS 64

typedef struct parser {
  toml_doc *doc;
  const char *s;
  size_t n, pos;
  int line;
  size_t line_start;
  const char *filename;
  util_error *err;
  int depth;
  const char *what; /* "policy files", for unsupported features */
  bool floats;
} parser;

static int col_of(const parser *ps, size_t pos) { return (int)(pos - ps->line_start) + 1; }

__attribute__((format(printf, 4, 5))) static bool fail_at(parser *ps, int line, int col, const char *fmt, ...) {
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (ps->err) toml_fail_at(ps->err, UTIL_ERR_USAGE, ps->filename, line, col, "%s", msg);
  return false;
}
#define FAIL(ps, ...) fail_at((ps), (ps)->line, col_of((ps), (ps)->pos), __VA_ARGS__)

static bool out_of_memory(parser *ps) {
  return util_fail(ps->err, UTIL_ERR_OOM, -1, "%s: out of memory", ps->filename);
}

static int peek(const parser *ps) { return ps->pos < ps->n ? (unsigned char)ps->s[ps->pos] : -1; }
static int peek_at(const parser *ps, size_t k) {
  return ps->pos + k < ps->n ? (unsigned char)ps->s[ps->pos + k] : -1;
}

static void skip_ws(parser *ps) {
  while (peek(ps) == ' ' || peek(ps) == '\t') ps->pos++;
}

static void skip_comment(parser *ps) {
  if (peek(ps) != '#') return;
  while (ps->pos < ps->n && ps->s[ps->pos] != '\n') ps->pos++;
}

/* Consumes one newline ("\n" or "\r\n") if present. */
static bool eat_newline(parser *ps) {
  if (peek(ps) == '\n') {
    ps->pos++;
  } else if (peek(ps) == '\r' && peek_at(ps, 1) == '\n') {
    ps->pos += 2;
  } else {
    return false;
  }
  ps->line++;
  ps->line_start = ps->pos;
  return true;
}

/* Whitespace, comments and newlines (inside arrays). */
static void skip_blank(parser *ps) {
  for (;;) {
    skip_ws(ps);
    skip_comment(ps);
    if (!eat_newline(ps)) return;
  }
}

/* After a key/value pair or a header: optional comment, then a newline or the end. */
static bool end_of_line(parser *ps) {
  skip_ws(ps);
  skip_comment(ps);
  if (ps->pos >= ps->n || eat_newline(ps)) return true;
  return FAIL(ps, "expected the end of the line");
}

/* ---------- values ------------------------------------------------------------------- */

/* NULL (the error set) when out of memory. */
static toml_value *new_value(parser *ps, toml_type t, int line, int col) {
  toml_value *v = util_arena_try_alloc(&ps->doc->arena, sizeof *v);
  if (!v) return out_of_memory(ps), NULL;
  v->type = t;
  v->line = line;
  v->col = col;
  return v;
}

static bool array_push(parser *ps, toml_value *arr, toml_value *v) {
  if (arr->nitems == arr->capitems) {
    size_t nc = arr->capitems ? arr->capitems * 2 : 4;
    toml_value **items = util_arena_try_alloc(&ps->doc->arena, nc * sizeof *items);
    if (!items) return out_of_memory(ps);
    if (arr->nitems) memcpy(items, arr->items, arr->nitems * sizeof *items);
    arr->items = items;
    arr->capitems = nc;
  }
  arr->items[arr->nitems++] = v;
  return true;
}

static bool table_put(parser *ps, toml_value *t, const char *key, toml_value *v, int line, int col) {
  if (t->nkvs == t->capkvs) {
    size_t nc = t->capkvs ? t->capkvs * 2 : 4;
    toml_kv *kvs = util_arena_try_alloc(&ps->doc->arena, nc * sizeof *kvs);
    if (!kvs) return out_of_memory(ps);
    if (t->nkvs) memcpy(kvs, t->kvs, t->nkvs * sizeof *kvs);
    t->kvs = kvs;
    t->capkvs = nc;
  }
  t->kvs[t->nkvs++] = (toml_kv){key, v, line, col};
  return true;
}

toml_value *toml_get(const toml_value *table, const char *key) {
  if (!table || table->type != TOML_TABLE) return NULL;
  for (size_t i = 0; i < table->nkvs; i++)
    if (strcmp(table->kvs[i].key, key) == 0) return table->kvs[i].val;
  return NULL;
}

const char *toml_type_name(toml_type t) {
  switch (t) {
  case TOML_STRING: return "a string";
  case TOML_INT: return "an integer";
  case TOML_FLOAT: return "a float";
  case TOML_BOOL: return "a boolean";
  case TOML_ARRAY: return "an array";
  case TOML_TABLE: return "a table";
  }
  return "a value";
}

static void put_utf8(util_buf *b, uint32_t c) {
  char u[4];
  size_t k;
  if (c < 0x80) u[0] = (char)c, k = 1;
  else if (c < 0x800) u[0] = (char)(0xc0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3f)), k = 2;
  else if (c < 0x10000)
    u[0] = (char)(0xe0 | c >> 12), u[1] = (char)(0x80 | ((c >> 6) & 0x3f)), u[2] = (char)(0x80 | (c & 0x3f)), k = 3;
  else
    u[0] = (char)(0xf0 | c >> 18), u[1] = (char)(0x80 | ((c >> 12) & 0x3f)),
    u[2] = (char)(0x80 | ((c >> 6) & 0x3f)), u[3] = (char)(0x80 | (c & 0x3f)), k = 4;
  util_buf_put(b, u, k);
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* A single-line basic (double-quoted) or literal (single-quoted) string; on success
 * the arena copy is stored through out and outlen. */
static bool parse_string(parser *ps, const char **out, size_t *outlen) {
  int q = peek(ps);
  if (peek_at(ps, 1) == q && peek_at(ps, 2) == q)
    return FAIL(ps, "multi-line strings are not supported in %s", ps->what);
  int line = ps->line, col = col_of(ps, ps->pos);
  ps->pos++;
  util_buf b = {0};
  bool ok = false;
  for (;;) {
    int c = peek(ps);
    if (c < 0 || c == '\n' || c == '\r') {
      fail_at(ps, line, col, "unterminated string");
      break;
    }
    if (c == q) {
      ps->pos++;
      ok = true;
      break;
    }
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      FAIL(ps, "control character in string");
      break;
    }
    if (c == '\\' && q == '"') {
      int e = peek_at(ps, 1);
      const char *simple = NULL;
      switch (e) {
      case 'b': simple = "\b"; break;
      case 't': simple = "\t"; break;
      case 'n': simple = "\n"; break;
      case 'f': simple = "\f"; break;
      case 'r': simple = "\r"; break;
      case '"': simple = "\""; break;
      case '\\': simple = "\\"; break;
      case 'u':
      case 'U': {
        int digits = e == 'u' ? 4 : 8;
        uint32_t v = 0;
        for (int k = 0; k < digits; k++) {
          int h = hexval(peek_at(ps, 2 + (size_t)k));
          if (h < 0) {
            FAIL(ps, "bad \\%c escape: expected %d hex digits", e, digits);
            goto done;
          }
          v = v << 4 | (uint32_t)h;
        }
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
          FAIL(ps, "escape names no Unicode scalar value");
          goto done;
        }
        put_utf8(&b, v);
        ps->pos += 2 + (size_t)digits;
        continue;
      }
      default:
        FAIL(ps, "unknown escape sequence");
        goto done;
      }
      util_buf_put(&b, simple, 1);
      ps->pos += 2;
      continue;
    }
    util_buf_put(&b, ps->s + ps->pos, 1);
    ps->pos++;
  }
done:
  if (ok) {
    char *copy = b.oom ? NULL : util_arena_try_alloc(&ps->doc->arena, b.len + 1);
    if (!copy) {
      ok = out_of_memory(ps);
    } else {
      if (b.len) memcpy(copy, b.p, b.len);
      *out = copy;
      *outlen = b.len;
    }
  }
  free(b.p);
  return ok;
}

static bool is_bare(int c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* A float (the caller asked for them): [+-] integer part [. digits] [e [+-] digits], or
 * [+-]inf / [+-]nan; underscores only between digits. t[0..n) is the whole token. */
static bool parse_float(parser *ps, toml_value *v, const char *t, size_t n) {
  char buf[128];
  size_t k = 0, i = 0;
  if (n >= sizeof buf) return FAIL(ps, "number too long");
  if (t[0] == '+' || t[0] == '-') buf[k++] = t[i++];
  if (n - i == 3 && (memcmp(t + i, "inf", 3) == 0 || memcmp(t + i, "nan", 3) == 0)) {
    v->type = TOML_FLOAT;
    v->f = t[i] == 'i' ? (t[0] == '-' ? -HUGE_VAL : HUGE_VAL) : (t[0] == '-' ? -NAN : NAN);
    ps->pos += n;
    return true;
  }
  /* part 0: integer digits, 1: fraction digits, 2: exponent digits */
  int part = 0;
  size_t digits = 0;
  bool prev_digit = false;
  for (; i < n; i++) {
    char ch = t[i];
    if (ch >= '0' && ch <= '9') {
      if (part == 0 && digits == 1 && buf[k - 1] == '0') return FAIL(ps, "leading zeros are not allowed in numbers");
      buf[k++] = ch;
      digits++;
      prev_digit = true;
    } else if (ch == '_') {
      if (!prev_digit || i + 1 >= n || t[i + 1] < '0' || t[i + 1] > '9')
        return FAIL(ps, "an underscore must sit between digits");
      prev_digit = false;
    } else if (ch == '.' && part == 0) {
      if (!digits) return FAIL(ps, "a float needs digits before '.'");
      buf[k++] = ch;
      part = 1, digits = 0, prev_digit = false;
    } else if ((ch == 'e' || ch == 'E') && part < 2) {
      if (!digits) return FAIL(ps, "a float needs digits before the exponent");
      buf[k++] = 'e';
      part = 2, digits = 0, prev_digit = false;
      if (i + 1 < n && (t[i + 1] == '+' || t[i + 1] == '-')) buf[k++] = t[++i];
    } else if (ch == ':' || ch == '-' || ch == 'T' || ch == 'Z') {
      return FAIL(ps, "dates and times are not supported in %s", ps->what);
    } else {
      return FAIL(ps, "bad character '%c' in number", ch);
    }
  }
  if (!digits) return FAIL(ps, part == 1 ? "a float needs digits after '.'" : "expected digits");
  buf[k] = '\0';
  char *end;
  double d = strtod(buf, &end);
  if (*end) return FAIL(ps, "malformed number");
  if (isinf(d)) return FAIL(ps, "number out of range");
  v->type = TOML_FLOAT;
  v->f = d;
  ps->pos += n;
  return true;
}

/* An integer (or, when asked for, a float); otherwise floats, dates, inf and nan are named
 * in the error. */
static bool parse_int(parser *ps, toml_value *v) {
  size_t start = ps->pos;
  while (ps->pos < ps->n && (is_bare(peek(ps)) || strchr("+.:", peek(ps)))) ps->pos++;
  const char *t = ps->s + start;
  size_t n = ps->pos - start;
  ps->pos = start;
  bool hex = n > 1 && t[0] == '0' && t[1] == 'x';
  bool floaty = false;
  for (size_t i = 0; i < n; i++)
    if (t[i] == '.' || ((t[i] == 'e' || t[i] == 'E') && !hex)) floaty = true;
  size_t s0 = n > 0 && (t[0] == '+' || t[0] == '-');
  if (n - s0 >= 3 && (memcmp(t + s0, "inf", 3) == 0 || memcmp(t + s0, "nan", 3) == 0)) floaty = true;
  bool date = memchr(t, ':', n) != NULL || (n > 4 && !hex && memchr(t + 1, '-', n - 1) != NULL && t[4] == '-');
  if (date) return FAIL(ps, "dates and times are not supported in %s", ps->what);
  if (floaty) {
    if (ps->floats) return parse_float(ps, v, t, n);
    return FAIL(ps, "floating-point numbers are not supported in %s", ps->what);
  }
  size_t i = 0;
  bool neg = false;
  if (t[0] == '+' || t[0] == '-') neg = t[0] == '-', i = 1;
  unsigned base = 10;
  if (n - i >= 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'o' || t[i + 1] == 'b')) {
    if (i) return FAIL(ps, "a sign is not allowed before 0x, 0o or 0b");
    base = t[i + 1] == 'x' ? 16 : t[i + 1] == 'o' ? 8 : 2;
    i += 2;
  } else if (n - i >= 2 && t[i] == '0') {
    return FAIL(ps, "leading zeros are not allowed in integers");
  }
  if (i >= n) return FAIL(ps, "expected digits");
  uint64_t mag = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  bool prev_digit = false;
  for (; i < n; i++) {
    if (t[i] == '_') {
      if (!prev_digit || i + 1 >= n || hexval(t[i + 1]) < 0) return FAIL(ps, "an underscore must sit between digits");
      prev_digit = false;
      continue;
    }
    int d = hexval(t[i]);
    if (d < 0 || (unsigned)d >= base) return FAIL(ps, "bad digit '%c' in integer", t[i]);
    if (mag > (lim - (unsigned)d) / base) return FAIL(ps, "integer out of range (64-bit signed)");
    mag = mag * base + (unsigned)d;
    prev_digit = true;
  }
  v->i = neg ? (int64_t)(0 - mag) : (int64_t)mag;
  ps->pos = start + n;
  return true;
}

static bool parse_keyval(parser *ps, toml_value *table);

static bool parse_value(parser *ps, toml_value **out) {
  int line = ps->line, col = col_of(ps, ps->pos);
  int c = peek(ps);
  if (c == '"' || c == '\'') {
    toml_value *v = new_value(ps, TOML_STRING, line, col);
    if (!v || !parse_string(ps, &v->str, &v->len)) return false;
    *out = v;
    return true;
  }
  if (c == 't' || c == 'f') {
    const char *w = c == 't' ? "true" : "false";
    size_t wl = strlen(w);
    if (ps->n - ps->pos >= wl && memcmp(ps->s + ps->pos, w, wl) == 0 && !is_bare(peek_at(ps, wl))) {
      toml_value *v = new_value(ps, TOML_BOOL, line, col);
      if (!v) return false;
      v->b = c == 't';
      ps->pos += wl;
      *out = v;
      return true;
    }
    return FAIL(ps, "expected a value (strings need quotes)");
  }
  if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'i' || c == 'n') {
    if ((c == 'i' || c == 'n') && !(ps->n - ps->pos >= 3 && (memcmp(ps->s + ps->pos, "inf", 3) == 0 ||
                                                            memcmp(ps->s + ps->pos, "nan", 3) == 0)))
      return FAIL(ps, "expected a value (strings need quotes)");
    toml_value *v = new_value(ps, TOML_INT, line, col);
    if (!v || !parse_int(ps, v)) return false;
    *out = v;
    return true;
  }
  if (c == '[' || c == '{') {
    if (ps->depth >= TOML_MAX_DEPTH) return FAIL(ps, "values nested too deeply");
    ps->depth++;
    bool ok;
    if (c == '[') {
      toml_value *v = new_value(ps, TOML_ARRAY, line, col);
      if (!v) return false;
      ps->pos++;
      ok = true;
      for (;;) {
        skip_blank(ps);
        if (peek(ps) == ']') {
          ps->pos++;
          break;
        }
        if (peek(ps) < 0) {
          ok = fail_at(ps, line, col, "unterminated array");
          break;
        }
        toml_value *item;
        if (!parse_value(ps, &item)) {
          ok = false;
          break;
        }
        if (!array_push(ps, v, item)) {
          ok = false;
          break;
        }
        skip_blank(ps);
        if (peek(ps) == ',') {
          ps->pos++;
          continue;
        }
        if (peek(ps) == ']') {
          ps->pos++;
          break;
        }
        ok = peek(ps) < 0 ? fail_at(ps, line, col, "unterminated array")
                          : FAIL(ps, "expected ',' or ']' in array");
        break;
      }
      *out = v;
    } else {
      toml_value *v = new_value(ps, TOML_TABLE, line, col);
      if (!v) return false;
      ps->pos++;
      skip_ws(ps);
      ok = true;
      if (peek(ps) == '}') {
        ps->pos++;
      } else {
        for (;;) {
          skip_ws(ps);
          if (!parse_keyval(ps, v)) {
            ok = false;
            break;
          }
          skip_ws(ps);
          if (peek(ps) == ',') {
            ps->pos++;
            continue;
          }
          if (peek(ps) == '}') {
            ps->pos++;
            break;
          }
          ok = FAIL(ps, "expected ',' or '}' in inline table (inline tables stay on one line)");
          break;
        }
      }
      v->frozen = true;
      *out = v;
    }
    ps->depth--;
    return ok;
  }
  if (c < 0 || c == '\n' || c == '\r' || c == '#') return FAIL(ps, "expected a value after '='");
  return FAIL(ps, "expected a value (strings need quotes)");
}

/* ---------- keys and tables ------------------------------------------------------------ */

typedef struct keypart {
  const char *name;
  int line, col;
} keypart;

static bool parse_key(parser *ps, keypart *parts, size_t *nparts) {
  size_t n = 0;
  for (;;) {
    skip_ws(ps);
    if (n == TOML_MAX_KEY_PARTS) return FAIL(ps, "key has too many parts");
    keypart *k = &parts[n];
    k->line = ps->line;
    k->col = col_of(ps, ps->pos);
    int c = peek(ps);
    if (c == '"' || c == '\'') {
      size_t len;
      if (!parse_string(ps, &k->name, &len)) return false;
      if (strlen(k->name) != len) return fail_at(ps, k->line, k->col, "key contains a NUL character");
    } else if (is_bare(c)) {
      size_t start = ps->pos;
      while (is_bare(peek(ps))) ps->pos++;
      k->name = util_arena_try_strndup(&ps->doc->arena, ps->s + start, ps->pos - start);
      if (!k->name) return out_of_memory(ps);
    } else {
      return FAIL(ps, "expected a key");
    }
    n++;
    skip_ws(ps);
    if (peek(ps) != '.') break;
    ps->pos++;
  }
  *nparts = n;
  return true;
}

static void join_key(const keypart *parts, size_t n, char *buf, size_t cap) {
  size_t k = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < n && k < cap; i++) {
    int w = snprintf(buf + k, cap - k, "%s%s", i ? "." : "", parts[i].name);
    if (w < 0) return;
    k += (size_t)w;
  }
}

static bool parse_keyval(parser *ps, toml_value *table) {
  keypart parts[TOML_MAX_KEY_PARTS];
  size_t n;
  if (!parse_key(ps, parts, &n)) return false;
  if (peek(ps) != '=') return FAIL(ps, "expected '=' after a key");
  ps->pos++;
  skip_ws(ps);
  toml_value *t = table;
  for (size_t i = 0; i + 1 < n; i++) {
    toml_value *child = toml_get(t, parts[i].name);
    if (!child) {
      child = new_value(ps, TOML_TABLE, parts[i].line, parts[i].col);
      if (!child) return false;
      child->dotted = true;
      if (!table_put(ps, t, parts[i].name, child, parts[i].line, parts[i].col)) return false;
    } else if (child->type != TOML_TABLE || child->frozen || child->header_defined) {
      return fail_at(ps, parts[i].line, parts[i].col, "key '%s' is already defined and cannot be extended",
                     parts[i].name);
    }
    t = child;
  }
  if (toml_get(t, parts[n - 1].name)) {
    char buf[256];
    join_key(parts, n, buf, sizeof buf);
    return fail_at(ps, parts[n - 1].line, parts[n - 1].col, "duplicate key '%s'", buf);
  }
  toml_value *v;
  if (!parse_value(ps, &v)) return false;
  return table_put(ps, t, parts[n - 1].name, v, parts[n - 1].line, parts[n - 1].col);
}

/* [a.b] or [[a.b]]: returns the table that following key/value pairs fill. */
static bool parse_header(parser *ps, toml_value **current) {
  int line = ps->line, col = col_of(ps, ps->pos);
  bool array = peek_at(ps, 1) == '[';
  ps->pos += array ? 2 : 1;
  keypart parts[TOML_MAX_KEY_PARTS];
  size_t n;
  if (!parse_key(ps, parts, &n)) return false;
  if (peek(ps) != ']' || (array && peek_at(ps, 1) != ']'))
    return FAIL(ps, array ? "expected ']]' to close the header" : "expected ']' to close the header");
  ps->pos += array ? 2 : 1;
  char name[256];
  join_key(parts, n, name, sizeof name);
  toml_value *t = ps->doc->root;
  for (size_t i = 0; i + 1 < n; i++) {
    toml_value *child = toml_get(t, parts[i].name);
    if (!child) {
      child = new_value(ps, TOML_TABLE, parts[i].line, parts[i].col);
      if (!child || !table_put(ps, t, parts[i].name, child, parts[i].line, parts[i].col)) return false;
    } else if (child->type == TOML_ARRAY && child->table_array) {
      child = child->items[child->nitems - 1];
    } else if (child->type != TOML_TABLE || child->frozen) {
      return fail_at(ps, parts[i].line, parts[i].col, "'%s' is not a table", parts[i].name);
    }
    t = child;
  }
  const char *last = parts[n - 1].name;
  toml_value *existing = toml_get(t, last);
  if (array) {
    if (!existing) {
      existing = new_value(ps, TOML_ARRAY, line, col);
      if (!existing) return false;
      existing->table_array = true;
      if (!table_put(ps, t, last, existing, parts[n - 1].line, parts[n - 1].col)) return false;
    } else if (existing->type != TOML_ARRAY || !existing->table_array) {
      return fail_at(ps, line, col, "'%s' is already defined and is not an array of tables", name);
    }
    toml_value *tab = new_value(ps, TOML_TABLE, line, col);
    if (!tab || !array_push(ps, existing, tab)) return false;
    tab->header_defined = true;
    *current = tab;
    return true;
  }
  if (!existing) {
    existing = new_value(ps, TOML_TABLE, line, col);
    if (!existing || !table_put(ps, t, last, existing, parts[n - 1].line, parts[n - 1].col)) return false;
  } else if (existing->type != TOML_TABLE || existing->header_defined || existing->dotted || existing->frozen) {
    return fail_at(ps, line, col, "table '%s' is defined twice", name);
  }
  existing->header_defined = true;
  existing->line = line;
  existing->col = col;
  *current = existing;
  return true;
}

bool toml_parse(toml_doc *doc, const char *text, size_t len, const char *filename, const toml_options *opt,
                util_error *err) {
  util_arena_init(&doc->arena);
  parser ps = {doc, text, len, 0, 1, 0, filename ? filename : "<input>", err, 0,
               opt && opt->what[0] ? opt->what : "this file", opt && opt->floats};
  doc->root = new_value(&ps, TOML_TABLE, 1, 1);
  if (!doc->root) return false;
  doc->root->header_defined = true;
  /* Reject bad UTF-8 up front, naming the line it is on. */
  for (size_t ls = 0, line = 1; ls < len; line++) {
    const char *nl = memchr(text + ls, '\n', len - ls);
    size_t le = nl ? (size_t)(nl - text) : len;
    if (!util_utf8_valid((const uint8_t *)text + ls, le - ls)) {
      /* The longest valid prefix ends where the bad sequence starts; a character is at
       * most 4 bytes, so stop looking 4 bytes past the last valid prefix. */
      size_t k = 0;
      for (size_t j = 1; j <= le - ls && j <= k + 4; j++)
        if (util_utf8_valid((const uint8_t *)text + ls, j)) k = j;
      ps.line = (int)line;
      ps.line_start = ls;
      ps.pos = ls + k;
      return FAIL(&ps, "invalid UTF-8");
    }
    ls = le + 1;
  }
  toml_value *current = doc->root;
  for (;;) {
    skip_ws(&ps);
    int c = peek(&ps);
    if (c < 0) return true;
    if (c == '#') {
      skip_comment(&ps);
      continue;
    }
    if (eat_newline(&ps)) continue;
    if (c == '[') {
      if (!parse_header(&ps, &current) || !end_of_line(&ps)) return false;
      continue;
    }
    if (!parse_keyval(&ps, current) || !end_of_line(&ps)) return false;
  }
}

bool toml_parse_file(toml_doc *doc, const char *path, const toml_options *opt, bool *exists, util_error *err) {
  uint8_t *data;
  size_t len;
  util_error e;
  util_error_clear(&e);
  if (exists) *exists = false;
  if (!util_read_file(path, &data, &len, &e)) {
    if (exists && access(path, F_OK) && errno == ENOENT) return toml_parse(doc, "", 0, path, opt, err);
    util_arena_init(&doc->arena);
    doc->root = NULL;
    *err = e;
    return false;
  }
  if (exists) *exists = true;
  bool ok = toml_parse(doc, (const char *)data, len, path, opt, err);
  free(data);
  return ok;
}

void toml_free(toml_doc *doc) {
  util_arena_free(&doc->arena);
  doc->root = NULL;
}

bool toml_fail_at(util_error *err, util_err_kind kind, const char *filename, int line, int col, const char *fmt, ...) {
  if (err->kind != UTIL_ERR_NONE) return false;
  char raw[256], msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(raw, sizeof raw, fmt, ap);
  va_end(ap);
  /* Names and strings from the file may hold control characters (a "\n" escape): the
   * message stays one line, with them written as escapes. */
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)raw; *p && o + 5 < sizeof msg; p++) {
    if (*p >= 0x20 && *p != 0x7f) msg[o++] = (char)*p;
    else if (*p == '\n') msg[o++] = '\\', msg[o++] = 'n';
    else if (*p == '\t') msg[o++] = '\\', msg[o++] = 't';
    else if (*p == '\r') msg[o++] = '\\', msg[o++] = 'r';
    else o += (size_t)snprintf(msg + o, sizeof msg - o, "\\x%02x", *p);
  }
  msg[o] = 0;
  util_fail(err, kind, -1, "%s:%d:%d: %s", filename, line, col, msg);
  err->line = line;
  err->col = col;
  return false;
}

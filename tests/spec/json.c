/* Recursive-descent JSON reader. Nesting depth is bounded so a hostile document cannot
 * exhaust the C stack. */
#include "json.h"

#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 256

typedef struct parser {
  const char *p, *start, *end;
  util_arena *arena;
  util_error *err;
  int depth;
} parser;

static bool fail(parser *ps, const char *msg) {
  return util_fail(ps->err, UTIL_ERR_MALFORMED, (int64_t)(ps->p - ps->start), "%s", msg);
}

static void skip_ws(parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static json_value *new_value(parser *ps, json_kind kind) {
  json_value *v = util_arena_alloc(ps->arena, sizeof *v);
  v->kind = kind;
  return v;
}

static bool literal(parser *ps, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) return fail(ps, "unexpected token");
  ps->p += n;
  return true;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool read_hex4(parser *ps, unsigned *out) {
  if (ps->end - ps->p < 4) return fail(ps, "truncated \\u escape");
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    int d = hex_digit(ps->p[i]);
    if (d < 0) return fail(ps, "bad \\u escape");
    v = v * 16 + (unsigned)d;
  }
  ps->p += 4;
  *out = v;
  return true;
}

static size_t put_utf8(char *o, unsigned cp) {
  if (cp < 0x80) { o[0] = (char)cp; return 1; }
  if (cp < 0x800) {
    o[0] = (char)(0xc0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xe0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (char)(0xf0 | (cp >> 18));
  o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
  o[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

/* Reads a string starting at its opening quote. The decoded form is never longer than
 * the source, so one allocation of the source length suffices. */
static bool read_string(parser *ps, const char **out, size_t *outlen) {
  ps->p++; /* opening quote */
  const char *q = ps->p;
  while (q < ps->end && *q != '"') q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
  if (q >= ps->end) return fail(ps, "unterminated string");
  char *buf = util_arena_alloc(ps->arena, (size_t)(q - ps->p) + 1);
  size_t n = 0;
  while (*ps->p != '"') {
    unsigned char c = (unsigned char)*ps->p;
    if (c < 0x20) return fail(ps, "control character in string");
    if (c != '\\') {
      buf[n++] = (char)c;
      ps->p++;
      continue;
    }
    ps->p++;
    char e = *ps->p++;
    switch (e) {
    case '"': buf[n++] = '"'; break;
    case '\\': buf[n++] = '\\'; break;
    case '/': buf[n++] = '/'; break;
    case 'b': buf[n++] = '\b'; break;
    case 'f': buf[n++] = '\f'; break;
    case 'n': buf[n++] = '\n'; break;
    case 'r': buf[n++] = '\r'; break;
    case 't': buf[n++] = '\t'; break;
    case 'u': {
      unsigned cp;
      if (!read_hex4(ps, &cp)) return false;
      if (cp >= 0xd800 && cp < 0xdc00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
        const char *save = ps->p;
        unsigned lo;
        ps->p += 2;
        if (!read_hex4(ps, &lo)) return false;
        if (lo >= 0xdc00 && lo < 0xe000) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        else ps->p = save; /* lone high surrogate: keep it, the next escape stands alone */
      }
      /* Six source bytes always cover the (at most four) UTF-8 bytes written. */
      n += put_utf8(buf + n, cp);
      break;
    }
    default: ps->p--; return fail(ps, "bad escape");
    }
  }
  ps->p++; /* closing quote */
  buf[n] = '\0';
  *out = buf;
  *outlen = n;
  return true;
}

static bool read_number(parser *ps, json_value *v) {
  const char *s = ps->p;
  if (ps->p < ps->end && *ps->p == '-') ps->p++;
  bool digits = false;
  while (ps->p < ps->end && ((*ps->p >= '0' && *ps->p <= '9') || *ps->p == '.' || *ps->p == 'e' ||
                             *ps->p == 'E' || *ps->p == '+' || *ps->p == '-')) {
    if (*ps->p >= '0' && *ps->p <= '9') digits = true;
    ps->p++;
  }
  if (!digits) return fail(ps, "bad number");
  v->str = util_arena_strndup(ps->arena, s, (size_t)(ps->p - s));
  v->len = (size_t)(ps->p - s);
  char *endp;
  v->number = strtod(v->str, &endp);
  if (*endp != '\0') return fail(ps, "bad number");
  return true;
}

static json_value *read_value(parser *ps);

/* Arrays and objects collect items in a growable heap array, then move them into the
 * arena once the count is known. */
static json_value *read_container(parser *ps, bool is_object) {
  json_value *v = new_value(ps, is_object ? JSON_OBJECT : JSON_ARRAY);
  char close = is_object ? '}' : ']';
  json_value **items = NULL;
  const char **keys = NULL;
  size_t len = 0, cap = 0, kcap = 0, klen = 0;
  ps->p++;
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == close) {
    ps->p++;
    return v;
  }
  for (;;) {
    skip_ws(ps);
    if (is_object) {
      const char *key;
      size_t keylen;
      if (ps->p >= ps->end || *ps->p != '"') { fail(ps, "expected a key"); goto bad; }
      if (!read_string(ps, &key, &keylen)) goto bad;
      UTIL_VEC_PUSH(keys, klen, kcap, key);
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != ':') { fail(ps, "expected ':'"); goto bad; }
      ps->p++;
    }
    json_value *item = read_value(ps);
    if (!item) goto bad;
    UTIL_VEC_PUSH(items, len, cap, item);
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
    if (ps->p < ps->end && *ps->p == close) { ps->p++; break; }
    fail(ps, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
    goto bad;
  }
  v->n = len;
  v->items = util_arena_dup(ps->arena, items, len * sizeof *items);
  if (is_object) v->keys = util_arena_dup(ps->arena, keys, len * sizeof *keys);
  free(items);
  free(keys);
  return v;
bad:
  free(items);
  free(keys);
  return NULL;
}

static json_value *read_value(parser *ps) {
  skip_ws(ps);
  if (ps->p >= ps->end) { fail(ps, "unexpected end"); return NULL; }
  json_value *v;
  switch (*ps->p) {
  case '{':
  case '[':
    if (++ps->depth > JSON_MAX_DEPTH) { fail(ps, "nesting too deep"); return NULL; }
    v = read_container(ps, *ps->p == '{');
    ps->depth--;
    return v;
  case '"':
    v = new_value(ps, JSON_STRING);
    return read_string(ps, &v->str, &v->len) ? v : NULL;
  case 't':
    v = new_value(ps, JSON_BOOL);
    v->boolean = true;
    return literal(ps, "true") ? v : NULL;
  case 'f':
    v = new_value(ps, JSON_BOOL);
    return literal(ps, "false") ? v : NULL;
  case 'n':
    v = new_value(ps, JSON_NULL);
    return literal(ps, "null") ? v : NULL;
  default:
    v = new_value(ps, JSON_NUMBER);
    return read_number(ps, v) ? v : NULL;
  }
}

const json_value *json_parse(const char *text, size_t len, util_arena *arena, util_error *err) {
  parser ps = {text, text, text + len, arena, err, 0};
  util_error_clear(err);
  json_value *v = read_value(&ps);
  if (!v) return NULL;
  skip_ws(&ps);
  if (ps.p != ps.end) {
    fail(&ps, "trailing characters");
    return NULL;
  }
  return v;
}

const json_value *json_get(const json_value *obj, const char *key) {
  if (!obj || obj->kind != JSON_OBJECT) return NULL;
  for (size_t i = 0; i < obj->n; i++)
    if (strcmp(obj->keys[i], key) == 0) return obj->items[i];
  return NULL;
}

const char *json_get_str(const json_value *obj, const char *key) {
  const json_value *v = json_get(obj, key);
  return v && v->kind == JSON_STRING ? v->str : NULL;
}

long json_get_long(const json_value *obj, const char *key, long dflt) {
  const json_value *v = json_get(obj, key);
  return v && v->kind == JSON_NUMBER ? (long)v->number : dflt;
}

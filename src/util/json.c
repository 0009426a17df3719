/* JSON reader and writer (json.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

#define JSON_MAX_DEPTH 64

typedef struct rd {
  const char *s;
  size_t n, pos;
  json_doc *doc;
  const char *what;
  util_error *err;
  int depth;
} rd;

static bool fail(rd *r, const char *msg) {
  return util_fail(r->err, UTIL_ERR_MALFORMED, (int64_t)r->pos, "%s: JSON %s at offset %zu", r->what, msg, r->pos);
}
static bool oom(rd *r) { return util_fail(r->err, UTIL_ERR_OOM, -1, "%s: out of memory", r->what); }

static void ws(rd *r) {
  while (r->pos < r->n && (r->s[r->pos] == ' ' || r->s[r->pos] == '\t' || r->s[r->pos] == '\n' || r->s[r->pos] == '\r'))
    r->pos++;
}

static json_value *newv(rd *r, json_type t) {
  json_value *v = util_arena_try_alloc(&r->doc->arena, sizeof *v);
  if (!v) return oom(r), NULL;
  v->type = t;
  return v;
}

static int hex(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool read_u4(rd *r, uint32_t *out) {
  if (r->n - r->pos < 4) return fail(r, "truncated \\u escape");
  uint32_t v = 0;
  for (int k = 0; k < 4; k++) {
    int h = hex((unsigned char)r->s[r->pos + (size_t)k]);
    if (h < 0) return fail(r, "bad \\u escape");
    v = v << 4 | (uint32_t)h;
  }
  r->pos += 4;
  *out = v;
  return true;
}

static bool parse_string(rd *r, const char **out, size_t *outlen) {
  r->pos++; /* the quote */
  /* the decoded text is never longer than the source */
  size_t start = r->pos, end = start;
  while (end < r->n && r->s[end] != '"') end += r->s[end] == '\\' ? 2 : 1;
  if (end >= r->n) return fail(r, "unterminated string");
  char *buf = util_arena_try_alloc(&r->doc->arena, end - start + 1);
  if (!buf) return oom(r);
  size_t k = 0;
  while (r->s[r->pos] != '"') {
    unsigned char c = (unsigned char)r->s[r->pos];
    if (c < 0x20) return fail(r, "control character in string");
    if (c != '\\') {
      buf[k++] = (char)c;
      r->pos++;
      continue;
    }
    r->pos++;
    char e = r->s[r->pos++];
    switch (e) {
    case '"': buf[k++] = '"'; break;
    case '\\': buf[k++] = '\\'; break;
    case '/': buf[k++] = '/'; break;
    case 'b': buf[k++] = '\b'; break;
    case 'f': buf[k++] = '\f'; break;
    case 'n': buf[k++] = '\n'; break;
    case 'r': buf[k++] = '\r'; break;
    case 't': buf[k++] = '\t'; break;
    case 'u': {
      uint32_t cp;
      if (!read_u4(r, &cp)) return false;
      if (cp >= 0xd800 && cp < 0xdc00) {
        uint32_t lo;
        if (r->n - r->pos < 2 || r->s[r->pos] != '\\' || r->s[r->pos + 1] != 'u') return fail(r, "lone surrogate");
        r->pos += 2;
        if (!read_u4(r, &lo)) return false;
        if (lo < 0xdc00 || lo > 0xdfff) return fail(r, "lone surrogate");
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        return fail(r, "lone surrogate");
      }
      if (cp < 0x80) buf[k++] = (char)cp;
      else if (cp < 0x800) buf[k++] = (char)(0xc0 | cp >> 6), buf[k++] = (char)(0x80 | (cp & 0x3f));
      else if (cp < 0x10000)
        buf[k++] = (char)(0xe0 | cp >> 12), buf[k++] = (char)(0x80 | ((cp >> 6) & 0x3f)), buf[k++] = (char)(0x80 | (cp & 0x3f));
      else
        buf[k++] = (char)(0xf0 | cp >> 18), buf[k++] = (char)(0x80 | ((cp >> 12) & 0x3f)),
        buf[k++] = (char)(0x80 | ((cp >> 6) & 0x3f)), buf[k++] = (char)(0x80 | (cp & 0x3f));
      break;
    }
    default: r->pos--; return fail(r, "unknown escape");
    }
  }
  r->pos++;
  buf[k] = '\0';
  if (!util_utf8_valid((const uint8_t *)buf, k)) return fail(r, "string is not UTF-8");
  *out = buf;
  *outlen = k;
  return true;
}

static bool parse_value(rd *r, json_value **out);

static bool push(rd *r, json_value *a, json_value *v, const char *key, size_t *cap) {
  if (a->n == *cap) {
    size_t nc = *cap ? *cap * 2 : 4;
    json_value **items = util_arena_try_alloc(&r->doc->arena, nc * sizeof *items);
    const char **keys = a->type == JSON_OBJECT ? util_arena_try_alloc(&r->doc->arena, nc * sizeof *keys) : NULL;
    if (!items || (a->type == JSON_OBJECT && !keys)) return oom(r);
    if (a->n) memcpy(items, a->items, a->n * sizeof *items);
    if (keys && a->n) memcpy(keys, a->keys, a->n * sizeof *keys);
    a->items = items;
    if (keys) a->keys = keys;
    *cap = nc;
  }
  if (a->type == JSON_OBJECT) a->keys[a->n] = key;
  a->items[a->n++] = v;
  return true;
}

static bool parse_value(rd *r, json_value **out) {
  ws(r);
  if (r->pos >= r->n) return fail(r, "unexpected end");
  char c = r->s[r->pos];
  size_t at = r->pos;
  json_value *v;
  if (c == '{' || c == '[') {
    if (++r->depth > JSON_MAX_DEPTH) return fail(r, "nested too deeply");
    bool obj = c == '{';
    if (!(v = newv(r, obj ? JSON_OBJECT : JSON_ARRAY))) return false;
    size_t cap = 0;
    r->pos++;
    ws(r);
    if (r->pos < r->n && r->s[r->pos] == (obj ? '}' : ']')) {
      r->pos++;
    } else {
      for (;;) {
        const char *key = NULL;
        size_t klen;
        ws(r);
        if (obj) {
          if (r->pos >= r->n) return fail(r, "unexpected end");
          if (r->s[r->pos] != '"') return fail(r, "expected a key");
          if (!parse_string(r, &key, &klen)) return false;
          ws(r);
          if (r->pos >= r->n || r->s[r->pos] != ':') return fail(r, "expected ':'");
          r->pos++;
        }
        json_value *item;
        if (!parse_value(r, &item) || !push(r, v, item, key, &cap)) return false;
        ws(r);
        if (r->pos >= r->n) return fail(r, "unexpected end");
        if (r->s[r->pos] == ',') {
          r->pos++;
          continue;
        }
        if (r->s[r->pos] == (obj ? '}' : ']')) {
          r->pos++;
          break;
        }
        return fail(r, obj ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
    r->depth--;
  } else if (c == '"') {
    if (!(v = newv(r, JSON_STRING)) || !parse_string(r, &v->s, &v->len)) return false;
  } else if (c == '-' || (c >= '0' && c <= '9')) {
    size_t start = r->pos;
    if (r->s[r->pos] == '-') r->pos++;
    if (r->pos >= r->n || !(r->s[r->pos] >= '0' && r->s[r->pos] <= '9')) return fail(r, "bad number");
    if (r->s[r->pos] == '0' && r->pos + 1 < r->n && r->s[r->pos + 1] >= '0' && r->s[r->pos + 1] <= '9')
      return fail(r, "number with a leading zero");
    bool integer = true;
    while (r->pos < r->n && strchr("0123456789.eE+-", r->s[r->pos])) {
      if (!strchr("0123456789-", r->s[r->pos])) integer = false;
      r->pos++;
    }
    if (!(v = newv(r, JSON_NUMBER))) return false;
    char *t = util_arena_try_strndup(&r->doc->arena, r->s + start, r->pos - start);
    if (!t) return oom(r);
    v->s = t;
    v->len = r->pos - start;
    char *end;
    if (integer) {
      errno = 0;
      long long x = strtoll(t, &end, 10);
      v->is_int = *end == '\0' && errno == 0;
      v->i = x;
    } else {
      strtod(t, &end);
      if (*end) return fail(r, "bad number");
    }
  } else if (r->n - r->pos >= 4 && !memcmp(r->s + r->pos, "true", 4)) {
    if (!(v = newv(r, JSON_BOOL))) return false;
    v->b = true;
    r->pos += 4;
  } else if (r->n - r->pos >= 5 && !memcmp(r->s + r->pos, "false", 5)) {
    if (!(v = newv(r, JSON_BOOL))) return false;
    r->pos += 5;
  } else if (r->n - r->pos >= 4 && !memcmp(r->s + r->pos, "null", 4)) {
    if (!(v = newv(r, JSON_NULL))) return false;
    r->pos += 4;
  } else {
    return fail(r, "unexpected character");
  }
  v->pos = at;
  *out = v;
  return true;
}

bool json_parse(json_doc *doc, const char *text, size_t len, const char *what, util_error *err) {
  util_arena_init(&doc->arena);
  doc->root = NULL;
  rd r = {text, len, 0, doc, what, err, 0};
  if (!parse_value(&r, &doc->root)) return false;
  ws(&r);
  if (r.pos != r.n) return fail(&r, "trailing characters");
  return true;
}

void json_free(json_doc *doc) {
  util_arena_free(&doc->arena);
  doc->root = NULL;
}

const json_value *json_get(const json_value *obj, const char *key) {
  if (!obj || obj->type != JSON_OBJECT) return NULL;
  for (size_t i = 0; i < obj->n; i++)
    if (!strcmp(obj->keys[i], key)) return obj->items[i];
  return NULL;
}

const char *json_get_str(const json_value *obj, const char *key) {
  const json_value *v = json_get(obj, key);
  return v && v->type == JSON_STRING ? v->s : NULL;
}

/* ---------- writing ---------- */

void json_buf_free(json_buf *b) {
  util_buf_free(&b->out);
  memset(b, 0, sizeof *b);
}

void json_raw(json_buf *b, const char *s, size_t n) { util_buf_put(&b->out, s, n); }

static void item(json_buf *b) {
  if (b->after_key) {
    b->after_key = false;
    return;
  }
  if (b->depth > 0 && b->depth < 32) {
    if (b->need_comma[b->depth]) json_raw(b, ",", 1);
    b->need_comma[b->depth] = true;
  }
}

static void open_(json_buf *b, const char *c) {
  json_raw(b, c, 1);
  b->depth++;
  if (b->depth < 32) b->need_comma[b->depth] = false;
}

void json_obj_begin(json_buf *b) { item(b), open_(b, "{"); }
void json_arr_begin(json_buf *b) { item(b), open_(b, "["); }
void json_obj_end(json_buf *b) { json_raw(b, "}", 1), b->depth--; }
void json_arr_end(json_buf *b) { json_raw(b, "]", 1), b->depth--; }

static void str_body(json_buf *b, const char *s) {
  json_raw(b, "\"", 1);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char esc[8];
    if (c == '"' || c == '\\') {
      esc[0] = '\\', esc[1] = (char)c;
      json_raw(b, esc, 2);
    } else if (c < 0x20) {
      snprintf(esc, sizeof esc, "\\u%04x", c);
      json_raw(b, esc, 6);
    } else {
      json_raw(b, s, 1);
    }
  }
  json_raw(b, "\"", 1);
}

void json_key(json_buf *b, const char *key) {
  item(b);
  str_body(b, key);
  json_raw(b, ":", 1);
  b->after_key = true;
}

void json_str(json_buf *b, const char *s) { item(b), str_body(b, s); }

void json_int(json_buf *b, int64_t v) {
  char t[32];
  item(b);
  json_raw(b, t, (size_t)snprintf(t, sizeof t, "%lld", (long long)v));
}

void json_bool(json_buf *b, bool v) { item(b), json_raw(b, v ? "true" : "false", v ? 4 : 5); }

void json_value_write(json_buf *b, const json_value *v) {
  switch (v->type) {
  case JSON_NULL: item(b), json_raw(b, "null", 4); break;
  case JSON_BOOL: json_bool(b, v->b); break;
  case JSON_NUMBER: item(b), json_raw(b, v->s, v->len); break;
  case JSON_STRING: json_str(b, v->s); break;
  case JSON_ARRAY:
    json_arr_begin(b);
    for (size_t i = 0; i < v->n; i++) json_value_write(b, v->items[i]);
    json_arr_end(b);
    break;
  case JSON_OBJECT:
    json_obj_begin(b);
    for (size_t i = 0; i < v->n; i++) {
      json_key(b, v->keys[i]);
      json_value_write(b, v->items[i]);
    }
    json_obj_end(b);
    break;
  }
}

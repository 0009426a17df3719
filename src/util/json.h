/* JSON: a reader into a tree held in one arena, and a writer into a growable buffer.
 * Strings are UTF-8 (\u escapes and surrogate pairs decoded); numbers keep their text
 * and, when they are integers, their value; every value its byte offset. Used by src/oci,
 * src/pkg, the executor (OCI documents) and src/plan (coefficients files). */
#ifndef WELD_UTIL_JSON_H
#define WELD_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json_value json_value;
struct json_value {
  json_type type;
  bool b;
  bool is_int; /* NUMBER: an integer that fits in int64 */
  int64_t i;
  const char *s; /* STRING (NUL-terminated; len counts embedded NULs) or NUMBER text */
  size_t len;
  json_value **items; /* ARRAY items, OBJECT values */
  const char **keys;  /* OBJECT keys */
  size_t n;
  size_t pos; /* byte offset of the value's first character in the text */
};

typedef struct json_doc {
  util_arena arena;
  json_value *root;
} json_doc;

/* Parses the whole text; on failure err says "WHAT: JSON MESSAGE at offset N". */
bool json_parse(json_doc *doc, const char *text, size_t len, const char *what, util_error *err);
void json_free(json_doc *doc);
const json_value *json_get(const json_value *obj, const char *key);
/* The string under key, or NULL when absent or not a string. */
const char *json_get_str(const json_value *obj, const char *key);

/* ---------- writing ---------- */

typedef struct json_buf {
  util_buf out; /* the text so far, NUL-terminated; out.oom: an append failed, unusable */
  bool need_comma[32];
  bool after_key; /* the next value follows a key: no comma */
  int depth;
} json_buf;

void json_buf_free(json_buf *b);
void json_raw(json_buf *b, const char *s, size_t n);
void json_obj_begin(json_buf *b);
void json_obj_end(json_buf *b);
void json_arr_begin(json_buf *b);
void json_arr_end(json_buf *b);
void json_key(json_buf *b, const char *key); /* inside an object: "key": */
void json_str(json_buf *b, const char *s);
void json_int(json_buf *b, int64_t v);
void json_bool(json_buf *b, bool v);
/* Writes a parsed value back (compact). */
void json_value_write(json_buf *b, const json_value *v);

#endif

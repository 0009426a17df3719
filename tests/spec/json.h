/* A small JSON reader for the conformance driver: parses a whole document into a tree
 * held in one arena. Enough for wast2json output (and any other well-formed JSON);
 * numbers keep their source text because spec values can exceed a double's precision. */
#ifndef WELD_TESTS_SPEC_JSON_H
#define WELD_TESTS_SPEC_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_kind;

typedef struct json_value json_value;
struct json_value {
  json_kind kind;
  bool boolean;
  double number;
  const char *str;      /* STRING: decoded, NUL-terminated (may hold NULs: use len);
                           NUMBER: the source text */
  size_t len;
  size_t n;             /* ARRAY, OBJECT: number of items */
  json_value **items;   /* ARRAY, OBJECT: the values */
  const char **keys;    /* OBJECT: the keys, decoded */
};

/* Parses text[0..len). On failure returns NULL and sets a MALFORMED error whose offset
 * is the byte where parsing stopped. Everything lives in `arena`. */
const json_value *json_parse(const char *text, size_t len, util_arena *arena, util_error *err);

/* Object member lookup; NULL when `obj` is not an object or has no such key. */
const json_value *json_get(const json_value *obj, const char *key);
/* The string member `key`, or NULL when absent or not a string. */
const char *json_get_str(const json_value *obj, const char *key);
/* The number member `key` as a long, or `dflt`. */
long json_get_long(const json_value *obj, const char *key, long dflt);

#endif

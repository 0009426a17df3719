/* A TOML reader for the subset weld's files use (policy files, application manifests):
 * tables, arrays of tables, dotted keys, basic and literal strings (single-line) with
 * escapes, decimal/hex/octal/binary integers with underscores, floats where the caller
 * asks for them, booleans, arrays (multi-line, trailing comma), inline tables and
 * comments. Dates, multi-line strings (and floats unless asked for) are rejected with a
 * clear message. Used by src/policy and src/hybrid. */
#ifndef WELD_UTIL_TOML_H
#define WELD_UTIL_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef enum { TOML_STRING, TOML_INT, TOML_FLOAT, TOML_BOOL, TOML_ARRAY, TOML_TABLE } toml_type;

typedef struct toml_value toml_value;

typedef struct toml_kv {
  const char *key;
  toml_value *val;
  int line, col; /* where the key (or the [header] naming it) is */
} toml_kv;

struct toml_value {
  toml_type type;
  int line, col;       /* where the value (or the table's header) starts */
  const char *str;     /* STRING: NUL-terminated; may hold NULs from \u0000, use len */
  size_t len;
  int64_t i;           /* INT */
  double f;            /* FLOAT (finite, inf or nan) */
  bool b;              /* BOOL */
  toml_value **items;  /* ARRAY */
  size_t nitems, capitems;
  toml_kv *kvs;        /* TABLE, in file order */
  size_t nkvs, capkvs;
  /* TABLE bookkeeping for the redefinition rules. */
  bool header_defined; /* a [header] named it */
  bool dotted;         /* created by a dotted key */
  bool frozen;         /* inline table: closed for good */
  bool table_array;    /* ARRAY made by [[header]] */
};

typedef struct toml_doc {
  util_arena arena;
  toml_value *root;
} toml_doc;

/* What a caller accepts. The name is an array, not a pointer, so a static toml_options
 * needs no relocation when the program starts. */
typedef struct toml_options {
  char what[24]; /* the kind of file, in "not supported in ..." messages ("policy files");
                    "": "this file" */
  bool floats;   /* read floating-point numbers as TOML_FLOAT (otherwise an error) */
} toml_options;

/* Parses text into doc (free with toml_free even on failure); opt may be NULL (no floats).
 * Errors have kind UTIL_ERR_USAGE, err->line/col set and msg "FILE:LINE:COL: message". */
bool toml_parse(toml_doc *doc, const char *text, size_t len, const char *filename, const toml_options *opt,
                util_error *err);
/* Reads the file at path and parses it as toml_parse does (free doc with toml_free even
 * on failure). With exists non-NULL the file is optional: a missing file gives an empty
 * document, true and *exists = false. */
bool toml_parse_file(toml_doc *doc, const char *path, const toml_options *opt, bool *exists, util_error *err);
void toml_free(toml_doc *doc);

/* For the readers of the documents (policy files, manifests, coefficients): records
 * "FILE:LINE:COL: message" with err->line/col, unless err already holds an error (the
 * first one wins). Returns false. */
__attribute__((format(printf, 6, 7))) bool toml_fail_at(util_error *err, util_err_kind kind, const char *filename,
                                                       int line, int col, const char *fmt, ...);

/* The value under key in a table, or NULL. */
toml_value *toml_get(const toml_value *table, const char *key);
const char *toml_type_name(toml_type t);

#endif

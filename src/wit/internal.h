/* wit: private to the folder — the parser's entry point and shared helpers. */
#ifndef WELD_WIT_INTERNAL_H
#define WELD_WIT_INTERNAL_H

#include <setjmp.h>

#include "wit/wit.h"

/* Errors inside the folder jump back to the entry point (wit_load / wit_load_text). */
typedef struct wit_ctx {
  wit_set *s;
  util_error *err;
  jmp_buf jb;
  int depth; /* resolution's recursion (use chains, includes, alias chains) */
  /* references from one package to another, for the rule that packages form no cycle */
  struct wit_edge {
    wit_pkg *from, *to;
    wit_pos pos;
  } *edges;
  size_t nedges, capedges;
} wit_ctx;

/* How deep resolution may recurse before "not supported" (the stack stays small). */
#define WIT_MAX_DEPTH 1000

_Noreturn void wit_fail(wit_ctx *c, wit_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
_Noreturn void wit_oom(wit_ctx *c);
void *wit_alloc(wit_ctx *c, size_t n);
char *wit_strndup(wit_ctx *c, const char *s, size_t n);
/* Grows an array of elem-sized items by one; returns the new (zeroed) slot. */
void *wit_push(wit_ctx *c, void **items, size_t *len, size_t *cap, size_t elem);
#define WIT_PUSH(c, items, len, cap) \
  ((__typeof__(items))wit_push((c), (void **)&(items), &(len), &(cap), sizeof(*(items))))

/* Parses one file's text into `pkg` (its top-level items; the `package` header names
 * pkg, which must agree with an earlier file's header) and nested `package x:y { }`
 * blocks into new packages of the set. `*had_header` tells whether the file had one. */
void wit_parse_file(wit_ctx *c, const char *fname, const char *text, size_t len, wit_pkg *pkg,
                    bool *had_header);

/* Resolves every name of the set's packages and checks the rules (resolve.c). */
void wit_resolve(wit_ctx *c);

/* A definition through `use` chains: the record/variant/.../alias it stands for. */
wit_def *wit_def_base(wit_def *d);

/* Resources, for the generators (resolve.c). The resource a definition stands for
 * (through `use`s and aliases), or NULL. */
const wit_def *wit_res_base(const wit_def *d);
/* The resource of a handle type (own<r>, borrow<r>, or r itself: own), *kind WIT_OWN or
 * WIT_BORROW; NULL for other types. */
const wit_def *wit_handle(const wit_type *t, wit_tkind *kind);
/* A resource's function as a plain one (WIT_FUNC_PLAIN): a method's `self: borrow<r>`
 * first, a constructor's result `own<r>` when not written, `name` the canonical name
 * (`[constructor]r`, `[method]r.m`, `[static]r.f`). It points into itself (do not copy
 * it); free `params` after use. False: out of memory. */
typedef struct wit_plain {
  wit_func f;
  wit_field *params;
  wit_type self, own;
  char name[300];
} wit_plain;
bool wit_res_plain(const wit_def *r, const wit_func *f, wit_plain *out);

#endif

/* wit: the WebAssembly Interface Type (WIT) language — files and directories parsed into
 * packages, names resolved, and the result printed in canonical form.
 * May use src/util, and src/component for a component's types (component.c). */
#ifndef WELD_WIT_H
#define WELD_WIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

typedef struct wit_pos {
  const char *file; /* the file's name as given (owned by the wit_set) */
  int line, col;    /* 1-based; col counts bytes */
} wit_pos;

/* Feature gates: @since(version = V), @unstable(feature = F), @deprecated(version = V). */
enum { WIT_GATE_SINCE = 1, WIT_GATE_UNSTABLE, WIT_GATE_DEPRECATED };
typedef struct wit_gate {
  int kind;
  const char *value; /* the version or the feature name */
} wit_gate;
typedef struct wit_gates {
  wit_gate *items;
  size_t n;
} wit_gates;

typedef enum {
  WIT_BOOL, WIT_S8, WIT_S16, WIT_S32, WIT_S64, WIT_U8, WIT_U16, WIT_U32, WIT_U64,
  WIT_F32, WIT_F64, WIT_CHAR, WIT_STRING, WIT_ERROR_CONTEXT,
  WIT_LIST,   /* a: element; fixed > 0 for list<T, N> */
  WIT_OPTION, /* a */
  WIT_RESULT, /* a: ok or NULL, b: error or NULL */
  WIT_TUPLE,  /* elems */
  WIT_OWN,    /* name/def: a resource */
  WIT_BORROW, /* name/def: a resource */
  WIT_FUTURE, /* a or NULL */
  WIT_STREAM, /* a or NULL */
  WIT_MAP,    /* a: key, b: value */
  WIT_REF,    /* name/def: a named type */
} wit_tkind;

typedef struct wit_def wit_def;
typedef struct wit_iface wit_iface;
typedef struct wit_world wit_world;
typedef struct wit_pkg wit_pkg;

typedef struct wit_type {
  wit_tkind kind;
  wit_pos pos;
  struct wit_type *a, *b;
  struct wit_type **elems;
  size_t n;
  uint32_t fixed;
  const char *name; /* WIT_OWN, WIT_BORROW, WIT_REF: the name written */
  wit_def *def;     /* ... and what it names, after resolution */
} wit_type;

/* A record field, variant case, enum case, flag, or function parameter. */
typedef struct wit_field {
  const char *name;
  wit_pos pos;
  wit_type *type; /* NULL for enum cases, flags and variant cases without payload */
  const char *docs;
  wit_gates gates;
} wit_field;

enum { WIT_FUNC_PLAIN, WIT_FUNC_CONSTRUCTOR, WIT_FUNC_METHOD, WIT_FUNC_STATIC };
typedef struct wit_func {
  const char *name; /* for a constructor: "constructor" */
  wit_pos pos;
  int kind;
  bool async;
  wit_field *params;
  size_t nparams;
  wit_type *result; /* NULL: no result */
  const char *docs;
  wit_gates gates;
} wit_func;

typedef enum {
  WIT_D_RECORD, WIT_D_VARIANT, WIT_D_ENUM, WIT_D_FLAGS, WIT_D_RESOURCE, WIT_D_ALIAS,
  WIT_D_USE, /* a name brought in by `use`: target is the definition it names */
} wit_dkind;

struct wit_def {
  const char *name;
  wit_pos pos;
  wit_dkind kind;
  const char *docs;
  wit_gates gates;
  wit_field *fields; /* record fields, variant/enum cases, flags */
  size_t nfields;
  wit_func *funcs; /* resource: constructor, methods, static functions */
  size_t nfuncs;
  wit_type *alias;   /* WIT_D_ALIAS */
  const char *orig;  /* WIT_D_USE: the name in the used interface */
  wit_def *target;   /* WIT_D_USE */
  wit_iface *owner;  /* the interface (or a world's pseudo-interface) it belongs to */
  int mark;          /* resolution state */
};

/* A path to an interface or a world: `name` (this package) or `ns:pkg/name@version`. */
typedef struct wit_path {
  wit_pos pos;
  const char *ns, *pkg, *name, *version; /* ns/pkg/version NULL for a local name */
} wit_path;

typedef struct wit_use_name {
  const char *name, *as; /* as NULL when not renamed */
  wit_pos pos;
} wit_use_name;

typedef struct wit_use {
  wit_pos pos;
  wit_path path;
  wit_use_name *names;
  size_t nnames;
  wit_gates gates;
  wit_iface *target;
} wit_use;

struct wit_iface {
  const char *name; /* NULL: an inline interface of a world */
  wit_pos pos;
  const char *docs;
  wit_gates gates;
  wit_use *uses;
  size_t nuses, capuses;
  wit_def **defs; /* in source order, the names `use` introduces included */
  size_t ndefs, capdefs;
  wit_func *funcs;
  size_t nfuncs, capfuncs;
  wit_pkg *pkg;
  struct wit_file *file;
  int mark;
};

enum { WIT_IMPORT, WIT_EXPORT };
enum { WIT_ITEM_IFACE, WIT_ITEM_FUNC, WIT_ITEM_INLINE, WIT_ITEM_TYPE };
typedef struct wit_witem {
  int dir, kind;
  const char *name; /* WIT_ITEM_FUNC/INLINE: the name; WIT_ITEM_IFACE: NULL */
  wit_pos pos;
  wit_path path;     /* WIT_ITEM_IFACE */
  wit_iface *iface;  /* WIT_ITEM_IFACE (resolved) and WIT_ITEM_INLINE */
  wit_func *func;    /* WIT_ITEM_FUNC */
  wit_def *def;      /* WIT_ITEM_TYPE (elaborated worlds only) */
  const char *docs;
  wit_gates gates;
} wit_witem;

typedef struct wit_include_name {
  const char *from, *to;
  wit_pos pos;
} wit_include_name;

typedef struct wit_include {
  wit_pos pos;
  wit_path path;
  wit_include_name *names;
  size_t nnames;
  wit_gates gates;
  wit_world *target;
} wit_include;

struct wit_world {
  const char *name;
  wit_pos pos;
  const char *docs;
  wit_gates gates;
  wit_iface scope; /* the world's own `use`s and type definitions */
  wit_witem *items; /* as written */
  size_t nitems, capitems;
  wit_include *includes;
  size_t nincludes, capincludes;
  /* after resolution: imports and exports with includes merged in, each interface once */
  wit_witem *imports, *exports;
  size_t nimports, nexports, capimports, capexports;
  wit_pkg *pkg;
  int mark;
};

struct wit_pkg {
  const char *ns, *name, *version; /* version NULL when the package has none */
  wit_pos pos;
  const char *docs;
  wit_iface **ifaces;
  size_t nifaces, capifaces;
  wit_world **worlds;
  size_t nworlds, capworlds;
  bool is_main; /* the package the path named, not one from deps/ */
  int mark;
};

/* A file-level `use ns:pkg/iface as name;`. */
typedef struct wit_file {
  const char *name;
  wit_use *uses; /* names[0].name is the alias; path the interface */
  size_t nuses, capuses;
} wit_file;

/* Everything loaded: the main package first, then the ones it depends on. */
typedef struct wit_set {
  util_arena arena;
  wit_pkg **pkgs;
  size_t npkgs, cappkgs;
  wit_pkg *main;
} wit_set;

/* Loads a .wit file or a directory of them (with deps/), resolves every name, and
 * checks the rules. On failure returns NULL with err->msg a single line
 * `file:line:col: message` (IO errors: `path: message`). */
wit_set *wit_load(const char *path, util_error *err);
/* The same from text in memory; `name` is the file name in messages. */
wit_set *wit_load_text(const char *name, const char *text, size_t len, util_error *err);
void wit_set_free(wit_set *s);

/* Prints the main package in canonical form, its dependencies as nested packages after
 * it. Returns false when out of memory (nothing useful in *out then). */
bool wit_print(const wit_set *s, util_buf *out);

/* Finds a world of the main package by name (NULL: the only world). */
wit_world *wit_find_world(const wit_set *s, const char *name, util_error *err);

/* A component's world (component.c): the imports and exports of the component in
 * `bytes` as `package root:component; world root { ... }`, laid out as the reference
 * tools print it. False with err set: the component is malformed or invalid (the
 * decoder's and validator's errors), or a part has no WIT form ("not supported: ..."). */
bool wit_print_component(const uint8_t *bytes, size_t len, util_buf *out, util_error *err);

/* The names a core module imports and exports (compnew.c's input). */
typedef struct wit_core_names {
  const char **exports;
  size_t nexports;
  const char **import_modules, **import_fields;
  size_t nimports;
} wit_core_names;

/* A core module wrapped into a component for world `w` (compnew.c): the component text,
 * with the module embedded, its imports lowered from the world's imported functions
 * (`$root` for the world's own, the interface name for an interface's), the world's
 * exported functions lifted from the module's `NAME` / `INTERFACE#NAME` exports with
 * `memory`, `cabi_realloc` and `cabi_post_NAME` where used. False with err set: an
 * export the world needs is missing (LINK), a core import the world does not provide,
 * or a type not handled yet ("not supported: ..."). */
bool wit_component_text(const wit_world *w, const uint8_t *core, size_t corelen, const wit_core_names *names,
                        util_buf *out, util_error *err);

/* C guest bindings for world `w` (bindgen_c.c): the header in *h (named WORLD.h, the
 * world's name in snake case) and the glue in *c. False with err set ("not supported:
 * ...") for what is not covered yet. */
bool wit_bindgen_c(const wit_world *w, util_buf *h, util_buf *c, util_error *err);

/* The type a reference names, through `use` and `type` aliases (for the generators); NULL
 * for a definition (record, variant, ...), which *def receives, or a dangling `use`. */
const wit_type *wit_unalias(const wit_type *t, const wit_def **def);

/* `ns:pkg@ver` / `ns:pkg/name@ver` spellings of a package and interface. */
void wit_print_pkg_name(const wit_pkg *p, util_buf *out);

#endif

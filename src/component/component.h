/* The component model's binary format: the decoded form of a component (the IR), the
 * decoder and the validator. A component is decoded completely before it is validated,
 * as core modules are; nested core modules go through src/wasm's decoder and
 * validator. Running components: runtime.h. */
#ifndef WELD_COMPONENT_H
#define WELD_COMPONENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../util/util.h"
#include "../wasm/module.h"

/* The preamble's version and layer (pre-standard version 0x0d). */
#define COMP_VERSION 0x0d
#define COMP_LAYER 1

/* True when bytes start with the component preamble (magic, version 0x0d, layer 1). */
bool comp_is_component(const uint8_t *bytes, size_t len);
/* True when bytes start with the magic and layer 1 (a component of any version). */
bool comp_has_component_layer(const uint8_t *bytes, size_t len);

/* Sorts: the index spaces of a component. */
typedef enum {
  COMP_SORT_CORE_FUNC, COMP_SORT_CORE_TABLE, COMP_SORT_CORE_MEMORY, COMP_SORT_CORE_GLOBAL,
  COMP_SORT_CORE_TYPE, COMP_SORT_CORE_MODULE, COMP_SORT_CORE_INSTANCE,
  COMP_SORT_FUNC, COMP_SORT_VALUE, COMP_SORT_TYPE, COMP_SORT_COMPONENT, COMP_SORT_INSTANCE,
  COMP_SORT_CORE_TAG, /* a core sort, last so the others keep their numbers */
  COMP_SORT_COUNT
} comp_sort;
const char *comp_sort_name(int sort);

/* A value type: a type index, or COMP_PRIM | a primitive type code (0x73..0x7f). */
typedef uint32_t comp_valtype;
#define COMP_PRIM 0x80000000u
static inline bool comp_vt_is_prim(comp_valtype t) { return (t & COMP_PRIM) != 0; }

/* Primitive and defined type codes (the leading byte). */
enum {
  COMP_T_BOOL = 0x7f, COMP_T_S8 = 0x7e, COMP_T_U8 = 0x7d, COMP_T_S16 = 0x7c, COMP_T_U16 = 0x7b,
  COMP_T_S32 = 0x7a, COMP_T_U32 = 0x79, COMP_T_S64 = 0x78, COMP_T_U64 = 0x77, COMP_T_F32 = 0x76,
  COMP_T_F64 = 0x75, COMP_T_CHAR = 0x74, COMP_T_STRING = 0x73,
  COMP_T_RECORD = 0x72, COMP_T_VARIANT = 0x71, COMP_T_LIST = 0x70, COMP_T_TUPLE = 0x6f,
  COMP_T_FLAGS = 0x6e, COMP_T_ENUM = 0x6d, COMP_T_OPTION = 0x6b, COMP_T_RESULT = 0x6a,
  COMP_T_OWN = 0x69, COMP_T_BORROW = 0x68, COMP_T_FIXED_LIST = 0x67, COMP_T_STREAM = 0x66,
  COMP_T_FUTURE = 0x65, COMP_T_ERROR_CONTEXT = 0x64, COMP_T_MAP = 0x63,
  COMP_T_FUNC = 0x40, COMP_T_COMPONENT = 0x41, COMP_T_INSTANCE = 0x42, COMP_T_ASYNC_FUNC = 0x43,
  COMP_T_RESOURCE = 0x3f,
};
static inline bool comp_is_primcode(uint8_t b) {
  return (b >= COMP_T_STRING && b <= COMP_T_BOOL) || b == COMP_T_ERROR_CONTEXT;
}

/* A label with an optional type: record fields, variant cases, function parameters,
 * flags and enum labels (no type). */
typedef struct comp_label {
  wasm_name name;
  bool has_type;
  comp_valtype type;
} comp_label;

/* Extern descriptors (importdecl, exportdecl, import, export ascriptions). */
enum { COMP_EXT_MODULE = 0, COMP_EXT_FUNC = 1, COMP_EXT_VALUE = 2, COMP_EXT_TYPE = 3,
       COMP_EXT_COMPONENT = 4, COMP_EXT_INSTANCE = 5 };
typedef struct comp_externdesc {
  uint8_t kind;
  uint8_t bound;     /* TYPE: 0 (eq idx), 1 (sub resource); VALUE: 0 (eq valueidx), 1 valtype */
  uint32_t idx;      /* core type index (MODULE) or type index */
  comp_valtype vt;   /* VALUE with bound 1 */
} comp_externdesc;

/* An import or export name: the plain string and the optional attributes. */
typedef struct comp_extname {
  wasm_name name;
  uint8_t prefix;    /* 0x00, 0x01 (same meaning) or 0x02 (with attributes) */
  bool has_implements, has_versionsuffix, has_external_id;
  wasm_name implements, versionsuffix, external_id;
  uint32_t offset;
} comp_extname;

typedef struct comp_decl comp_decl;

/* A component-level type definition (type section, or a type declarator). */
typedef struct comp_type {
  uint8_t code;          /* a COMP_T_* code */
  uint32_t offset;
  uint32_t n;            /* labels / tuple types / declarators */
  comp_label *labels;    /* record, variant, flags, enum, func params */
  comp_valtype *types;   /* tuple */
  bool has_a, has_b;
  comp_valtype a, b;     /* list, option, fixed list, own/borrow (type index), stream, future,
                            map key; result ok (a) and error (b); map value (b); func result (a) */
  uint32_t len;          /* fixed list length */
  comp_decl *decls;      /* component and instance types */
  bool has_dtor;         /* resource */
  uint32_t dtor;
} comp_type;

/* A core type: a function type, a (non-final or final) subtype of one, or a module type. */
typedef struct comp_core_decl comp_core_decl;
typedef struct comp_core_type {
  uint8_t code;          /* 0x60 func, 0x50 module */
  uint32_t offset;
  wasm_functype ft;
  uint32_t ndecls;
  comp_core_decl *decls;
} comp_core_type;

/* core:moduledecl */
typedef struct comp_core_decl {
  uint8_t kind;          /* 0 import, 1 type, 2 alias (outer type), 3 export */
  uint32_t offset;
  wasm_import imp;       /* import and export (export uses imp.field and the descriptor) */
  comp_core_type *type;
  uint32_t ct, idx;      /* alias */
} comp_core_decl;

/* An alias: target 0 = export of an instance, 1 = export of a core instance, 2 = outer. */
typedef struct comp_alias {
  uint8_t sort;          /* comp_sort */
  uint8_t target;
  uint32_t a, b;         /* instance index / (ct, idx) for outer */
  wasm_name name;
  uint32_t offset;
} comp_alias;

/* Declarators of component and instance types. */
enum { COMP_DECL_CORE_TYPE = 0, COMP_DECL_TYPE = 1, COMP_DECL_ALIAS = 2, COMP_DECL_IMPORT = 3,
       COMP_DECL_EXPORT = 4 };
struct comp_decl {
  uint8_t kind;
  uint32_t offset;
  comp_core_type *core_type;
  comp_type *type;
  comp_alias alias;
  comp_extname name;     /* import, export */
  comp_externdesc desc;
};

typedef struct comp_sortidx {
  uint8_t sort;          /* comp_sort */
  uint32_t idx;
} comp_sortidx;

/* An instantiation argument or an inline export. */
typedef struct comp_arg {
  comp_extname name;     /* core args and core exports use name.name only */
  comp_sortidx s;
} comp_arg;

/* core:instance and instance: code 0 instantiates `idx` with args, 1 is inline exports. */
typedef struct comp_instance {
  uint8_t code;
  uint32_t offset;
  uint32_t idx;
  uint32_t nargs;
  comp_arg *args;
} comp_instance;

typedef struct comp_canonopt {
  uint8_t code;          /* 0 utf8, 1 utf16, 2 latin1+utf16, 3 memory, 4 realloc, 5 post-return,
                            6 async, 7 callback, 8 core-type, 9 gc */
  uint32_t idx;
  uint32_t offset;
} comp_canonopt;

/* Canonical functions: the byte after the section's vector (0x00 lift, 0x01 lower,
 * 0x02..0x04 resource built-ins, and the async, error-context and thread built-ins). */
typedef struct comp_canon {
  uint8_t code;
  uint32_t offset;
  uint32_t a, b;         /* lift: core func a, type b; lower: func a; built-ins: their indices */
  bool flag;             /* async / cancellable */
  bool has_result;       /* task.return */
  comp_valtype result;
  uint32_t nopts;
  comp_canonopt *opts;
} comp_canon;

typedef struct comp_import {
  comp_extname name;
  comp_externdesc desc;
} comp_import;

typedef struct comp_export {
  comp_extname name;
  comp_sortidx s;
  bool has_desc;
  comp_externdesc desc;
} comp_export;

typedef struct comp_start {
  uint32_t func;
  uint32_t nargs;
  uint32_t *args;
  uint32_t nresults;
} comp_start;

typedef struct comp_component comp_component;

/* One definition, in the order of the binary (index spaces grow in this order). */
enum { COMP_SEC_CUSTOM = 0, COMP_SEC_CORE_MODULE = 1, COMP_SEC_CORE_INSTANCE = 2, COMP_SEC_CORE_TYPE = 3,
       COMP_SEC_COMPONENT = 4, COMP_SEC_INSTANCE = 5, COMP_SEC_ALIAS = 6, COMP_SEC_TYPE = 7,
       COMP_SEC_CANON = 8, COMP_SEC_START = 9, COMP_SEC_IMPORT = 10, COMP_SEC_EXPORT = 11,
       COMP_SEC_VALUE = 12 };
typedef struct comp_def {
  uint8_t sec;           /* COMP_SEC_* */
  uint32_t offset;
  union {
    wasm_module *module;
    comp_component *component;
    comp_instance *instance;  /* core instance and instance */
    comp_core_type *core_type;
    comp_alias *alias;
    comp_type *type;
    comp_canon *canon;
    comp_start *start;
    comp_import *import;
    comp_export *export_;
  } u;
} comp_def;

typedef struct comp_section_info {
  uint8_t id;
  uint32_t offset;       /* of the contents, in the outermost input */
  uint32_t size;
  uint32_t count;        /* vector sections: entries */
  const char *custom_name;
} comp_section_info;

struct comp_component {
  util_arena *arena;     /* the outermost component's; nested ones share it */
  bool owns_arena;       /* the outermost component */
  uint32_t base;         /* offset of this component's preamble in the outermost input */
  uint32_t size;
  uint32_t ndefs;
  comp_def *defs;
  uint32_t nsections;
  comp_section_info *sections;
  wasm_name name;        /* from the component-name section, if any */
};

/* Decodes a component. NULL with a MALFORMED error (byte offset) on failure; a
 * definition the decoder knows but weld does not support (value definitions) fails
 * with a message starting "not supported: ". Offsets are absolute in `bytes`. */
comp_component *comp_decode(const uint8_t *bytes, size_t len, util_error *err);
void comp_free(comp_component *c);

/* ---------- validation ------------------------------------------------------------- */

typedef struct comp_ctype comp_ctype; /* a resolved type (validate.c) */

/* An import or export of a component with its resolved type, for inspect. */
typedef struct comp_extern {
  const comp_extname *name;
  uint8_t kind;          /* COMP_EXT_* */
  const comp_ctype *type;
  uint32_t offset;
} comp_extern;

/* The resolved index spaces of one component (the outermost or a nested one): entries
 * are `const comp_ctype *` (core tables, memories and globals: their core extern). */
typedef struct comp_scope_types {
  const comp_component *c;
  uint32_t n[COMP_SORT_COUNT];
  const void *const *v[COMP_SORT_COUNT];
} comp_scope_types;

/* What validation learnt: the component's type (imports and exports), kept for `weld
 * inspect`, and every component's index spaces, for the runtime. */
typedef struct comp_info {
  util_arena arena;
  uint32_t nimports, nexports;
  comp_extern *imports, *exports;
  uint32_t count[COMP_SORT_COUNT]; /* index space sizes of the outermost component */
  comp_scope_types *scopes;        /* after a successful validation: one per component */
  size_t nscopes, scopes_cap;
} comp_info;

/* Validates a decoded component (and every nested module and component). On failure sets
 * an INVALID error with the byte offset. When info is not NULL and validation got far
 * enough, *info receives the component's imports and exports (comp_info_free it, also
 * after a failure). */
bool comp_validate(const comp_component *c, comp_info **info, util_error *err);
void comp_info_free(comp_info *info);
/* comp_validate numbering the component's resource types from first_rid (not 0), so that
 * the types of components validated apart can be compared (src/component/compose.c). */
bool comp_validate_rids(const comp_component *c, uint32_t first_rid, comp_info **info, util_error *err);
/* The resolved type of entry idx of a sort's index space in component c (the outermost
 * or a nested one) after a successful validation; NULL when unknown. */
const void *comp_info_sort(const comp_info *info, const comp_component *c, int sort, uint32_t idx);

/* A resolved type as text, in the component text format's style. */
void comp_ctype_print(FILE *out, const comp_ctype *t, int depth);
/* The printed kind of an extern ("func", "instance", ...). */
const char *comp_extern_kind_name(uint8_t kind);

#endif

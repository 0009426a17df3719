/* Private to src/component: resolved types and the helpers over them. */
#ifndef WELD_COMPONENT_INTERNAL_H
#define WELD_COMPONENT_INTERNAL_H

#include "component.h"

/* Kinds of resolved types. Value types come first (up to CT_ERROR_CONTEXT). */
enum {
  CT_PRIM, CT_RECORD, CT_VARIANT, CT_LIST, CT_FIXED_LIST, CT_TUPLE, CT_FLAGS, CT_ENUM,
  CT_OPTION, CT_RESULT, CT_OWN, CT_BORROW, CT_STREAM, CT_FUTURE, CT_MAP, CT_ERROR_CONTEXT,
  CT_FUNC, CT_COMPONENT, CT_INSTANCE, CT_RESOURCE, CT_CORE_FUNC, CT_CORE_MODULE,
};
static inline bool ct_is_value(int k) { return k <= CT_ERROR_CONTEXT; }
enum { CT_FOREIGN = 0, CT_DEFINED, CT_EXPORTED, CT_IMPORTED };

/* An extern of a component, instance or component type. */
typedef struct ct_extern {
  wasm_name name;
  uint8_t kind;                  /* COMP_EXT_* */
  const comp_ctype *type;        /* TYPE: the type itself (a resource for (sub resource)) */
} ct_extern;

/* An import or export of a core module type. */
typedef struct ct_core_extern {
  wasm_name module, name;        /* module is empty for exports */
  uint8_t kind;                  /* wasm_externkind */
  const comp_ctype *func;        /* CT_CORE_FUNC */
  wasm_tabletype table;
  wasm_memtype memory;
  wasm_globaltype global;
} ct_core_extern;

struct comp_ctype {
  uint8_t kind;
  uint8_t prim;                  /* CT_PRIM: the type code */
  bool async;                    /* CT_FUNC */
  bool has_borrow;               /* value types: a borrow handle somewhere inside */
  bool needs_memory;             /* value types: strings or lists inside (lifting touches memory) */
  uint32_t n;                    /* labels / elements / params */
  const wasm_name *names;        /* record fields, variant cases, flags, enum, params */
  const comp_ctype **elems;      /* record fields, variant payloads (NULL: none), tuple, params */
  const comp_ctype *a, *b;       /* element, ok/error, key/value, handle's resource, func result */
  uint32_t len;                  /* fixed list */
  uint64_t size;                 /* value types: the Canonical ABI's byte size (saturating) */
  uint32_t align;                /* and alignment */
  uint64_t size64;               /* the same in a 64-bit memory (memory64: 16-byte strings and lists) */
  uint32_t align64;
  /* resources: an identity; other types imported as a type (`eq`): one too, which an
   * instantiation binds to its argument (0: none) */
  uint32_t rid;
  uint32_t tid;                  /* records, variants, enums, flags: an identity the copies keep */
  /* where the type came from, for the rule that exports and imports only name types
   * that are exported or imported: the scope (by id) that made this type object, and
   * how: CT_DEFINED (a type definition; also resources), CT_EXPORTED or CT_IMPORTED (the
   * new type index an export or import of a type introduces) */
  uint32_t scope_id;
  uint8_t scope_kind;            /* that scope's: 0 component, 1 component type, 2 instance type */
  uint8_t origin;
  uint32_t home;                 /* resources: the scope that defined it (0: abstract) */
  /* component and instance types */
  uint32_t nimports, nexports;
  ct_extern *imports, *exports;
  uint32_t rid_lo, rid_hi;       /* CT_COMPONENT: resources created inside it */
  /* core */
  wasm_functype ft;              /* CT_CORE_FUNC */
  uint32_t ncimports, ncexports; /* CT_CORE_MODULE */
  ct_core_extern *cimports, *cexports;
};

/* The Canonical ABI's size and alignment of a value type whose parts have theirs, for
 * 32-bit and for 64-bit memories. A value type's size must be below 2^28 in both
 * (CanonicalABI.md, element size). */
void ct_layout(comp_ctype *t);
#define CT_MAX_VALUE_SIZE ((1u << 28) - 1)

/* The primitive type for a code (COMP_T_* or COMP_T_ERROR_CONTEXT). */
const comp_ctype *ct_prim(uint8_t code);

/* A substitution of resources, applied while matching and when instantiating. */
typedef struct ct_subst {
  uint32_t n, cap;
  uint32_t *from;
  const comp_ctype **to;
  util_arena *arena;
  uint32_t *next_rid;            /* for fresh resources */
  uint32_t fresh_lo, fresh_hi;   /* resources in this range not bound become fresh ones */
} ct_subst;

const comp_ctype *ct_subst_find(const ct_subst *s, uint32_t rid);
bool ct_subst_add(ct_subst *s, uint32_t rid, const comp_ctype *to);
void ct_subst_free(ct_subst *s);

/* Is `a` (what is given) usable where `b` (what is expected, after substituting s) is?
 * On a mismatch fills why[] with a reason. */
bool ct_match(const comp_ctype *a, const comp_ctype *b, ct_subst *s, char *why, size_t n);
bool ct_core_func_eq(const wasm_functype *a, const wasm_functype *b);
bool ct_match_core_extern(const ct_core_extern *a, const ct_core_extern *b, char *why, size_t n);

/* `t` with s applied (a copy only where something changes); NULL when out of memory. */
const comp_ctype *ct_apply(const comp_ctype *t, ct_subst *s);

/* The Canonical ABI's core signature of a component function type: `lift` or lower,
 * `async` as the canonical option says. Arrays live in `arena`. False when out of memory. */
bool ct_flatten_func(const comp_ctype *ft, bool lift, bool async, bool callback, util_arena *arena,
                     wasm_functype *out);
/* The flat core types of a value type (at most `max`; returns the full count). */
uint32_t ct_flatten(const comp_ctype *t, uint8_t *out, uint32_t max);

/* Extern names (names.c): NULL when valid, else the reason (maybe written in why). */
const char *comp_name_check(const wasm_name *n, bool import, char *why, size_t nwhy);
/* Whether two labels (record fields, cases, flags) are equal ignoring ASCII case. */
bool comp_names_conflict(const wasm_name *a, const wasm_name *b);
/* import and export names that are not strongly unique (Explainer.md, "Name uniqueness") */
bool comp_extern_names_conflict(const wasm_name *a, const wasm_name *b);
/* A label (record field, case, param, flag): kebab case. */
bool comp_label_valid(const wasm_name *n);
/* For an annotated plain name ([constructor]r, [method]r.f, [static]r.f): the resource
 * label r, or false. */
bool comp_name_resource(const wasm_name *n, wasm_name *resource, int *annotation);
enum { COMP_ANN_NONE, COMP_ANN_CONSTRUCTOR, COMP_ANN_METHOD, COMP_ANN_STATIC };

#endif

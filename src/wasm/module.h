/* The module IR: what the decoder produces and every later layer reads.
 * A module owns one arena holding its IR and a private copy of the input bytes, so
 * function bodies and data segments point into memory the module owns. */
#ifndef WELD_WASM_MODULE_H
#define WELD_WASM_MODULE_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/util.h"

typedef enum {
  WASM_I32 = 0x7f,
  WASM_I64 = 0x7e,
  WASM_F32 = 0x7d,
  WASM_F64 = 0x7c,
  WASM_V128 = 0x7b,
  WASM_FUNCREF = 0x70,
  WASM_EXTERNREF = 0x6f,
  WASM_EXNREF = 0x69,      /* exception handling (3.0): (ref null exn) */
  /* GC (3.0): the nullable references to its abstract heap types */
  WASM_ANYREF = 0x6e,
  WASM_EQREF = 0x6d,
  WASM_I31REF = 0x6c,
  WASM_STRUCTREF = 0x6b,
  WASM_ARRAYREF = 0x6a,
  WASM_NULLREF = 0x71,         /* (ref null none) */
  WASM_NULLEXTERNREF = 0x72,   /* (ref null noextern) */
  WASM_NULLFUNCREF = 0x73,     /* (ref null nofunc) */
  WASM_NULLEXNREF = 0x74,      /* (ref null noexn) */
} wasm_valtype;

/* GC's packed storage types: a struct field or array element may be one of these or any
 * value type. They are not value types (wasm_is_valtype is false): reading one gives an
 * i32 (struct.get_s/_u, array.get_s/_u). */
enum { WASM_PACKED_I8 = 0x78, WASM_PACKED_I16 = 0x77 };

/* A value type as one 32-bit word (3.0 reference types carry a heap type):
 *   - numeric and vector types: their type byte (WASM_I32 ... WASM_V128);
 *   - a nullable reference to an abstract heap type: the heap type's byte, which is also
 *     the binary shorthand (WASM_FUNCREF = (ref null func), WASM_EXTERNREF = (ref null
 *     extern)); GC's anyref, eqref, ... slot in the same way;
 *   - every other reference: WASM_REF_NULL_TAG or WASM_REF_TAG in the low byte and the
 *     heap type above it: an abstract heap type's byte, or WASM_HEAP_INDEX + a type index.
 * Each type has exactly one encoding, so equal types compare equal as integers. */
typedef uint32_t wasm_vtype;

enum {
  WASM_REF_NULL_TAG = 0x63, /* the binary prefixes of (ref null ht) and (ref ht) */
  WASM_REF_TAG = 0x64,
  /* abstract heap types (their binary codes) */
  WASM_HEAP_FUNC = 0x70,
  WASM_HEAP_EXTERN = 0x6f,
  WASM_HEAP_EXN = 0x69,              /* exception handling */
  WASM_HEAP_ANY = 0x6e,              /* GC: any, eq, i31, struct, array, and the bottoms */
  WASM_HEAP_EQ = 0x6d,
  WASM_HEAP_I31 = 0x6c,
  WASM_HEAP_STRUCT = 0x6b,
  WASM_HEAP_ARRAY = 0x6a,
  WASM_HEAP_NONE = 0x71,             /* bottom of any */
  WASM_HEAP_NOEXTERN = 0x72,         /* bottom of extern */
  WASM_HEAP_NOFUNC = 0x73,           /* bottom of func */
  WASM_HEAP_NOEXN = 0x74,            /* bottom of exn */
  WASM_HEAP_INDEX = 0x100,           /* heap values from here on are type indices */
  WASM_MAX_TYPE_INDEX = 0xfffeff,    /* type indices that fit the encoding */
};

/* The abstract heap types' codes are exactly 0x69..0x74. */
static inline bool wasm_is_abstract_heap(uint32_t h) { return h >= WASM_HEAP_EXN && h <= WASM_HEAP_NOEXN; }
/* The abstract heap types GC adds (not func, extern or exn). */
static inline bool wasm_is_gc_abstract_heap(uint32_t h) {
  return wasm_is_abstract_heap(h) && h != WASM_HEAP_FUNC && h != WASM_HEAP_EXTERN && h != WASM_HEAP_EXN;
}
static inline bool wasm_is_reftype(wasm_vtype t) {
  return wasm_is_abstract_heap(t) || (((t & 0xff) == WASM_REF_NULL_TAG || (t & 0xff) == WASM_REF_TAG) && t >> 8);
}
static inline bool wasm_is_valtype(wasm_vtype t) {
  return (t >= WASM_V128 && t <= WASM_I32) || wasm_is_reftype(t);
}
/* The reference type (ref null? heap), in its one encoding. */
static inline wasm_vtype wasm_reftype(bool nullable, uint32_t heap) {
  if (nullable && wasm_is_abstract_heap(heap)) return heap;
  return heap << 8 | (nullable ? WASM_REF_NULL_TAG : WASM_REF_TAG);
}
/* Of a reference type: its heap type and nullability. */
static inline uint32_t wasm_ref_heap(wasm_vtype t) { return t < 0x100 ? t : t >> 8; }
static inline bool wasm_ref_nullable(wasm_vtype t) { return t < 0x100 || (t & 0xff) == WASM_REF_NULL_TAG; }
/* A heap type naming a module type: its index, else -1. */
static inline int64_t wasm_heap_typeidx(uint32_t h) { return h >= WASM_HEAP_INDEX ? (int64_t)(h - WASM_HEAP_INDEX) : -1; }

/* The printable name ("i32", "funcref", "(ref null 3)"); reference types with a heap
 * type are formatted into a small per-thread ring of buffers, valid for a few calls. */
const char *wasm_valtype_name(wasm_vtype t);
/* An abstract heap type's name ("func", "any", "none", ...), else NULL. */
const char *wasm_heap_name(uint32_t h);

typedef enum {
  WASM_EXTERN_FUNC = 0, WASM_EXTERN_TABLE = 1, WASM_EXTERN_MEMORY = 2, WASM_EXTERN_GLOBAL = 3,
  WASM_EXTERN_TAG = 4, /* exception handling (3.0) */
} wasm_externkind;
const char *wasm_externkind_name(uint8_t k);

typedef struct wasm_name {
  const char *str; /* NUL-terminated copy; may contain NULs, use len */
  uint32_t len;
} wasm_name;

typedef struct wasm_functype {
  uint32_t nparams, nresults;
  const wasm_vtype *params;
  const wasm_vtype *results;
} wasm_functype;

/* GC (3.0): the defined types. Every type index i has a wasm_deftype m->deftypes[i]
 * (and m->types[i], the signature, meaningful when the kind is WASM_TYPE_FUNC; zero for
 * struct and array types, so code that needs a function type must check the kind, which
 * the validator does for every use: function declarations, call_indirect, call_ref,
 * block types, tags).
 *   - kind: func, struct or array (the composite type);
 *   - fields: a struct's fields in order, an array's one element type (nfields = 1);
 *     each a storage type (a wasm_vtype, or WASM_PACKED_I8/_I16) and its mutability;
 *   - super: the declared supertype's index, or WASM_NO_SUPER; nsupers counts them as
 *     decoded (the binary format allows a vector; more than one is invalid);
 *   - final: `sub final` or no `sub` at all (a plain composite type is final);
 *   - rec, rec_len: the recursion group holds the indices rec .. rec + rec_len - 1
 *     (a type outside any `rec` is a group of one).
 * A module without GC types has every entry {FUNC, final, no super, a group of one}. */
typedef enum { WASM_TYPE_FUNC = 0, WASM_TYPE_STRUCT = 1, WASM_TYPE_ARRAY = 2 } wasm_typekind;

typedef struct wasm_fieldtype {
  wasm_vtype type; /* storage type: a value type or WASM_PACKED_I8 / WASM_PACKED_I16 */
  bool mut;
} wasm_fieldtype;

#define WASM_NO_SUPER UINT32_MAX

typedef struct wasm_deftype {
  uint8_t kind; /* wasm_typekind */
  bool final;
  uint32_t nsupers;
  uint32_t super;          /* the (first) declared supertype, or WASM_NO_SUPER */
  uint32_t rec, rec_len;   /* the recursion group: first index and size */
  uint32_t nfields;        /* struct: its fields; array: 1; func: 0 */
  const wasm_fieldtype *fields;
} wasm_deftype;

/* A storage type that is packed (i8, i16), and the value type it reads as. */
static inline bool wasm_is_packed(wasm_vtype t) { return t == WASM_PACKED_I8 || t == WASM_PACKED_I16; }
static inline wasm_vtype wasm_unpacked(wasm_vtype t) { return wasm_is_packed(t) ? WASM_I32 : t; }

typedef struct wasm_limits {
  uint64_t min, max;
  bool has_max;
  bool shared;  /* a shared memory (threads); always false in 2.0 and for tables */
  bool is64;    /* memory64; always false in 2.0 */
} wasm_limits;

typedef struct wasm_tabletype {
  wasm_vtype elem;  /* a reference type */
  wasm_limits limits;
} wasm_tabletype;

typedef struct wasm_memtype {
  wasm_limits limits; /* in 64 KiB pages */
} wasm_memtype;

typedef struct wasm_globaltype {
  wasm_vtype type;
  bool mut;
} wasm_globaltype;

/* A constant expression, kept as its raw bytes (up to and including the final `end`). */
typedef struct wasm_expr {
  const uint8_t *bytes;
  uint32_t len;
  uint32_t offset; /* in the input */
} wasm_expr;

typedef struct wasm_import {
  wasm_name module, field;
  uint8_t kind; /* wasm_externkind */
  union {
    uint32_t func_type;       /* type index */
    wasm_tabletype table;
    wasm_memtype memory;
    wasm_globaltype global;
    uint32_t tag_type;        /* type index of the tag's function type */
  } u;
  uint32_t offset;
} wasm_import;

typedef struct wasm_func {
  uint32_t type;            /* type index */
  bool imported;
  /* defined functions only: */
  uint32_t nlocals;         /* declared locals, excluding parameters */
  wasm_vtype *local_types;  /* nlocals value types */
  const uint8_t *code;      /* the instruction bytes (after the locals), ending in `end` */
  uint32_t code_len;
  uint32_t code_offset;     /* offset of `code` in the input */
  uint32_t body_offset;     /* offset of the body's size field */
  uint32_t body_size;
} wasm_func;

typedef struct wasm_table {
  wasm_tabletype type;
  bool imported;
  wasm_expr init; /* defined tables only: the elements' initial value (3.0), or len 0 for null */
} wasm_table;

typedef struct wasm_memory {
  wasm_memtype type;
  bool imported;
} wasm_memory;

typedef struct wasm_global {
  wasm_globaltype type;
  bool imported;
  wasm_expr init; /* defined globals only */
} wasm_global;

/* An exception tag (3.0): its payload is the params of a function type with no results. */
typedef struct wasm_tag {
  uint32_t type; /* type index */
  bool imported;
} wasm_tag;

typedef struct wasm_export {
  wasm_name name;
  uint8_t kind;
  uint32_t index;
} wasm_export;

typedef enum { WASM_SEG_ACTIVE, WASM_SEG_PASSIVE, WASM_SEG_DECLARATIVE } wasm_segmode;

typedef struct wasm_elem {
  uint8_t mode;        /* wasm_segmode */
  wasm_vtype type;     /* reference type of the items */
  uint32_t table;      /* active only */
  wasm_expr offset;    /* active only */
  uint32_t count;
  uint32_t *func_indices; /* when the segment lists function indices, else NULL */
  wasm_expr *exprs;       /* when the segment lists expressions, else NULL */
  uint32_t offset_in_input;
} wasm_elem;

typedef struct wasm_data {
  uint8_t mode;        /* active or passive */
  uint32_t memory;
  wasm_expr offset;    /* active only */
  const uint8_t *bytes;
  uint32_t len;
  uint32_t offset_in_input;
} wasm_data;

typedef struct wasm_custom {
  wasm_name name;
  const uint8_t *bytes;
  uint32_t len;
  uint32_t offset;
} wasm_custom;

/* One entry of the section list, for `weld inspect`. */
typedef struct wasm_section_info {
  uint8_t id;
  uint32_t offset; /* of the section's contents */
  uint32_t size;
  uint32_t count;  /* number of entries, where the section is a vector */
  const char *custom_name; /* custom sections only */
} wasm_section_info;

typedef struct wasm_local_names {
  uint32_t count;
  uint32_t *indices;
  wasm_name *names;
} wasm_local_names;

typedef struct wasm_module {
  util_arena arena;
  /* private copy of the input, the input itself (wasm_decode_take), or within `mapped` */
  const uint8_t *bytes;
  uint32_t size;
  uint8_t *owned;       /* the input taken by wasm_decode_take: freed with the module */
  /* A read-only file mapping `bytes` lies in (wasm_decode_mapped), unmapped with the
   * module; else NULL. */
  const uint8_t *mapped;
  size_t mapped_len;

  uint32_t ntypes;
  wasm_functype *types;     /* the signature of each function type (zero for the others) */
  wasm_deftype *deftypes;   /* every type: kind, fields, supertype, finality, rec group */

  uint32_t nimports;
  wasm_import *imports;

  /* Index spaces: imported entries first, then defined ones. */
  uint32_t nfuncs, nfunc_imports;
  wasm_func *funcs;
  uint32_t ntables, ntable_imports;
  wasm_table *tables;
  uint32_t nmemories, nmemory_imports;
  wasm_memory *memories;
  uint32_t nglobals, nglobal_imports;
  wasm_global *globals;
  uint32_t ntags, ntag_imports;
  wasm_tag *tags;
  bool legacy_exceptions; /* some code uses the legacy try/catch (set by the decoder) */

  uint32_t nexports;
  wasm_export *exports;

  bool has_start;
  uint32_t start;

  uint32_t nelems;
  wasm_elem *elems;

  bool has_data_count;
  uint32_t data_count;
  uint32_t ndatas;
  wasm_data *datas;

  /* name section (absent entries are {NULL, 0}) */
  wasm_name module_name;
  wasm_name *func_names;         /* nfuncs entries, or NULL */
  wasm_local_names *local_names; /* nfuncs entries, or NULL */
  /* extended name section (labels are numbered by the block/loop/if's position in the
   * function's code, counting from 0) */
  wasm_local_names *label_names; /* nfuncs entries, or NULL */
  wasm_name *type_names, *table_names, *memory_names, *global_names; /* per index, or NULL */
  wasm_name *elem_names, *data_names;

  uint32_t ncustoms;
  wasm_custom *customs;

  /* source lines from the DWARF .debug_line section: built by the first
   * wasm_line_lookup (debug_line.c), freed with the module */
  _Atomic(struct wasm_line_table *) lines;

  uint32_t nsections;
  wasm_section_info *sections;

  /* the WASM_FEATURE_* set the module was decoded and is validated under */
  uint32_t features;
} wasm_module;

/* Features beyond 2.0 that change how a module is decoded or validated. A 2.0 module
 * reads the same under both sets except where 2.0 demands a rejection 3.0 lifts: a memory
 * index is a single zero byte ("zero byte expected"), limits flags above 1 and integers
 * wider than 32 bits in limits and offsets are malformed, a second memory is invalid. */
#define WASM_FEATURE_MULTI_MEMORY 0x1u
#define WASM_FEATURE_MEMORY64 0x2u /* 64-bit memories and tables */
#define WASM_FEATURE_EXCEPTIONS 0x4u /* the tag section (id 13) and the tag kind (4) */
#define WASM_FEATURE_EXTENDED_CONST 0x8u /* add, sub, mul in constant expressions */
#define WASM_FEATURE_TYPED_REFS 0x10u /* call_ref, return_call_ref, ref.as_non_null, br_on_(non_)null */
#define WASM_FEATURE_GC 0x20u /* rec groups, sub, struct and array types, the 0xFB instructions, ref.eq */
#define WASM_FEATURE_THREADS 0x40u /* shared memories (limits flag bit 1) and the 0xFE atomic instructions */
#define WASM_FEATURES_2_0 0u
#define WASM_FEATURES_ALL                                                                                   \
  (WASM_FEATURE_MULTI_MEMORY | WASM_FEATURE_MEMORY64 | WASM_FEATURE_EXCEPTIONS | WASM_FEATURE_EXTENDED_CONST | \
   WASM_FEATURE_TYPED_REFS | WASM_FEATURE_GC | WASM_FEATURE_THREADS)

/* Decodes a binary module. On success returns a module the caller frees with
 * wasm_module_free; on failure returns NULL with a MALFORMED error carrying the offset. */
wasm_module *wasm_decode(const uint8_t *bytes, size_t len, util_error *err);
/* The same under a feature set (wasm_decode: WASM_FEATURES_ALL). */
wasm_module *wasm_decode_features(const uint8_t *bytes, size_t len, uint32_t features, util_error *err);
/* The same, the module taking `bytes` (from malloc) instead of copying them: freed with
 * the module, or before this returns NULL. Nothing else may write them afterwards. */
wasm_module *wasm_decode_take(uint8_t *bytes, size_t len, uint32_t features, util_error *err);
/* The same without copying the bytes: they lie in the read-only file mapping (map,
 * map_len) of util_map_file, which the module takes over on success and unmaps when freed
 * (on failure the caller keeps it). For a code cache entry, which embeds the module and is
 * only ever replaced by rename, never written in place: its pages are the page cache's. */
wasm_module *wasm_decode_mapped(const uint8_t *bytes, size_t len, const uint8_t *map, size_t map_len,
                                uint32_t features, util_error *err);
/* wasm_decode_mapped for a module known valid: byte for byte one this weld build decoded
 * and validated under the same features before (a code cache entry's, compared with the
 * module asked for). Its function bodies are not walked: each one's code is where its
 * size says, and legacy_exceptions (whether some body uses the legacy try/catch, which
 * the walk would find) is what the caller recorded. Everything else is decoded and
 * checked as usual. A body is read only when something needs it (a translation for the
 * interpreter validates it then: exec_module_compile_known_valid). map NULL: the bytes
 * are copied, as wasm_decode_features does. */
wasm_module *wasm_decode_known(const uint8_t *bytes, size_t len, const uint8_t *map, size_t map_len,
                               uint32_t features, bool legacy_exceptions, util_error *err);
void wasm_module_free(wasm_module *m);
void wasm_line_table_free(wasm_module *m); /* by wasm_module_free */

/* The source location of the instruction at module byte offset `offset`, from the
 * module's DWARF line table: false when there is none. *file lives as long as m. Safe to
 * call from several threads (the first call builds the table). */
bool wasm_line_lookup(const wasm_module *m, uint32_t offset, const char **file, uint32_t *line,
                      uint32_t *column);

/* Validates a decoded module (WebAssembly 2.0). Sets an INVALID error on failure with the
 * offset and, inside code, the function index. */
bool wasm_validate(const wasm_module *m, util_error *err);

/* Helpers over the IR. */
static inline const wasm_functype *wasm_ir_func_type(const wasm_module *m, uint32_t funcidx) {
  return &m->types[m->funcs[funcidx].type];
}
/* The kind of type index t (WASM_TYPE_FUNC ...); t must be below m->ntypes. */
static inline uint8_t wasm_ir_type_kind(const wasm_module *m, uint32_t t) { return m->deftypes[t].kind; }

#endif

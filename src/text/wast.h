/* WAST scripts: the command forms of the spec's test scripts, parsed into a structure a
 * runner executes. Modules stay text until asked for: `text_wast_module_bytes` encodes
 * one (so an assert_malformed module fails there, where the runner expects it). */
#ifndef WELD_TEXT_WAST_H
#define WELD_TEXT_WAST_H

#include "internal.h"

typedef enum {
  WAST_MODULE,            /* (module ...), also `module definition` */
  WAST_MODULE_INSTANCE,   /* (module instance $i $m?) */
  WAST_REGISTER,
  WAST_ACTION,            /* a bare (invoke ...) or (get ...) */
  WAST_ASSERT_RETURN,
  WAST_ASSERT_TRAP,       /* action or module */
  WAST_ASSERT_EXHAUSTION,
  WAST_ASSERT_EXCEPTION,
  WAST_ASSERT_MALFORMED,
  WAST_ASSERT_INVALID,
  WAST_ASSERT_UNLINKABLE,
  WAST_ASSERT_UNINSTANTIABLE,
  WAST_THREAD,            /* (thread $t (shared (module $m))* command*) */
  WAST_WAIT,
  WAST_ASSERT_MALFORMED_CUSTOM, /* custom-section annotations (3.0 scripts) */
  WAST_ASSERT_INVALID_CUSTOM,
  WAST_ASSERT_SUSPENSION,       /* (assert_suspension action text): stack switching's scripts */
} wast_cmd_kind;

typedef enum { WAST_MOD_TEXT, WAST_MOD_BINARY, WAST_MOD_QUOTE } wast_mod_form;

typedef struct wast_name {
  const char *s; /* NULL when absent; for ids includes the `$` */
  uint32_t len;
} wast_name;

typedef struct wast_module {
  uint8_t form;        /* wast_mod_form */
  bool definition;     /* `module definition`: compiled, not instantiated */
  bool component;      /* (component ...) of the component model's scripts */
  wast_name id;        /* $name */
  size_t lpar;         /* token of its `(` */
} wast_module;

/* Value kinds of constants and expected results. */
typedef enum {
  WAST_V_I32, WAST_V_I64, WAST_V_F32, WAST_V_F64, WAST_V_V128,
  WAST_V_REF_NULL,     /* heap type in `heap` */
  WAST_V_REF_EXTERN,   /* (ref.extern N); in results N may be absent (any) */
  WAST_V_REF_HOST,     /* (ref.host N) */
  WAST_V_REF_FUNC,     /* (ref.func) in results: any function reference */
  WAST_V_REF_OTHER,    /* (ref.any), (ref.i31), (ref.struct), ... in results: by `heap` */
  WAST_V_EITHER,       /* (either r1 r2 ...) */
  WAST_V_COMPONENT,    /* a component-level value (u32.const, str.const, record.const, ...): `comp` */
} wast_value_kind;

enum { WAST_NAN_NONE = 0, WAST_NAN_CANONICAL = 1, WAST_NAN_ARITHMETIC = 2 };

/* Component-level values of the component model's scripts:
 *   (bool.const true|false)  (u8.const N) ... (s64.const N)  (f32.const X) (f64.const X)
 *   (char.const "c")  (str.const "text")  (list.const V*)  (tuple.const V*)
 *   (record.const (field "label" V)*)  -- V written with or without its parentheses:
 *                                         (field "n" u32.const 1) or (field "n" (u32.const 1))
 *   (variant.const "case" V?)  (enum.const "case")  (flags.const "label"*)
 *   (option.none)  (option.some V)  (result.ok V?)  (result.err V?)
 * (f32.const ...) and (f64.const ...) at the top of an argument or result are read as
 * core values (WAST_V_F32/F64), which the runner takes as float32/float64. */
typedef enum {
  WAST_CV_BOOL, WAST_CV_S8, WAST_CV_U8, WAST_CV_S16, WAST_CV_U16, WAST_CV_S32, WAST_CV_U32,
  WAST_CV_S64, WAST_CV_U64, WAST_CV_F32, WAST_CV_F64, WAST_CV_CHAR, WAST_CV_STRING,
  WAST_CV_LIST, WAST_CV_RECORD, WAST_CV_TUPLE, WAST_CV_VARIANT, WAST_CV_ENUM, WAST_CV_FLAGS,
  WAST_CV_OPTION, WAST_CV_RESULT,
} wast_cval_kind;

typedef struct wast_cval {
  uint8_t kind;          /* wast_cval_kind */
  uint8_t nan;           /* F32/F64 in results: WAST_NAN_* (bits unused when set) */
  bool err;              /* RESULT: result.err */
  uint64_t bits;         /* BOOL 0 or 1; integers (signed ones sign-extended to 64 bits);
                            F32/F64 bits; CHAR the Unicode scalar value */
  wast_name str;         /* STRING: its UTF-8 bytes; VARIANT/ENUM: the case (decoded) */
  wast_name *labels;     /* RECORD: one field label per item; FLAGS: the flags (n of them) */
  struct wast_cval *items; /* LIST/TUPLE/RECORD: the elements; VARIANT/OPTION/RESULT: the
                            payload, when n is 1 */
  uint32_t n;
} wast_cval;

typedef struct wast_value {
  uint8_t kind;        /* wast_value_kind */
  uint8_t shape;       /* V128: 0 i8x16, 1 i16x8, 2 i32x4, 3 i64x2, 4 f32x4, 5 f64x2 */
  uint8_t nan[4];      /* per float lane (F32/F64 use [0]): WAST_NAN_* */
  bool has_payload;    /* REF_EXTERN/REF_HOST: N given */
  union {
    uint32_t i32;      /* also f32 bits, ref payloads */
    uint64_t i64;      /* also f64 bits */
    uint8_t v128[16];
  } u;
  wast_name heap;      /* REF_NULL / REF_OTHER: the keyword after ref.null / ref.;
                          COMPONENT: the keyword (u32.const, ...) */
  wast_cval *comp;     /* COMPONENT: the value; NULL for a form the reader does not know
                          the contents of (option.const, result.const) */
  struct wast_value *alts; /* EITHER */
  uint32_t nalts;
} wast_value;

typedef struct wast_action {
  int line;            /* of its `(` */
  bool get;            /* (get ...) rather than (invoke ...) */
  wast_name module;    /* $id or absent (the current module) */
  uint8_t *field;      /* decoded name bytes */
  uint32_t field_len;
  wast_value *args;
  uint32_t nargs;
} wast_action;

typedef struct wast_command {
  uint8_t kind;        /* wast_cmd_kind */
  int line, col;       /* of its `(` */
  size_t first_tok;    /* index of its `(` */
  bool has_module;     /* MODULE and the asserts on modules */
  wast_module module;
  bool has_action;
  wast_action action;
  wast_value *results; /* ASSERT_RETURN */
  uint32_t nresults;
  const char *text;    /* expected message (decoded, NUL-terminated), or NULL */
  wast_name name;      /* REGISTER: the name (decoded); MODULE_INSTANCE: instance id;
                          THREAD / WAIT: thread id */
  wast_name ref;       /* REGISTER: optional module id; MODULE_INSTANCE: definition id */
  struct wast_command *sub; /* THREAD: its commands */
  uint32_t nsub;
} wast_command;

typedef struct wast_script {
  util_arena arena;
  text_lexed lx;
  char *src;           /* private copy of the script text */
  wast_command *cmds;
  size_t ncmds, cap;
} wast_script;

/* Parses a script. On failure returns NULL with a MALFORMED error and its line:col, or
 * an OOM error "out of memory". */
wast_script *text_wast_parse(const char *src, size_t len, util_error *err);
void text_wast_free(wast_script *s);

/* Binary bytes of a command's module (malloc'd). Text is encoded here, so syntax errors
 * of `assert_malformed` modules surface here. */
bool text_wast_module_bytes(const wast_script *s, const wast_module *m, uint8_t **out, size_t *len,
                            util_error *err);
/* The same under a feature set (src/wasm/module.h's WASM_FEATURE_*). */
bool text_wast_module_bytes_features(const wast_script *s, const wast_module *m, uint32_t features, uint8_t **out,
                                     size_t *len, util_error *err);

const char *text_wast_cmd_name(int kind);

/* Proposals after 2.0 whose text a script module may use (wast_feature.c). When a module
 * uses several, the first is reported. The first group is new syntax: the 2.0 grammar
 * cannot read it at all. The last group reads as 2.0 text that 2.0 validation rejects
 * (2.0 scripts assert exactly that), so only a verdict that disagrees with the script
 * makes them the reason for a skip. */
typedef enum {
  WAST_FEAT_NONE,
  WAST_FEAT_GC,
  WAST_FEAT_EXCEPTIONS,
  WAST_FEAT_FUNC_REFS,
  WAST_FEAT_TAIL_CALLS,
  WAST_FEAT_MEMORY64,
  WAST_FEAT_RELAXED_SIMD,
  WAST_FEAT_THREADS,
  WAST_FEAT_ANNOTATIONS,      /* (@id ...): read as white space, not checked or encoded */
  /* proposals after 3.0 that weld recognises (src/wasm/proposals.h), in its order */
  WAST_FEAT_SHARED_EVERYTHING,
  WAST_FEAT_CUSTOM_PAGE_SIZES,
  WAST_FEAT_WIDE_ARITHMETIC,
  WAST_FEAT_STACK_SWITCHING,
  WAST_FEAT_CUSTOM_DESCRIPTORS,
  WAST_FEAT_MEMORY_CONTROL,
  WAST_FEAT_COMPACT_IMPORTS,
  WAST_FEAT_FP16,
  WAST_FEAT_MULTI_MEMORY,     /* more than one memory, defined or imported */
  WAST_FEAT_EXTENDED_CONST,   /* i32/i64 add, sub, mul in constant expressions */
  WAST_FEAT_WIDE_LIMITS,      /* memory64's 64-bit limits and offsets (2.0: out of range) */
  WAST_FEAT_CONST_GLOBALS,    /* global.get of a defined global in a constant expression (GC) */
  WAST_FEAT_COUNT
} wast_feature;

/* True for features of the first group (new syntax). */
static inline bool text_wast_feature_is_syntax(int f) { return f > WAST_FEAT_NONE && f < WAST_FEAT_MULTI_MEMORY; }

/* The first feature whose syntax the module's text uses (for `module quote`, the quoted
 * text), or WAST_FEAT_NONE. Binary modules are not inspected. */
int text_wast_module_feature(const wast_script *s, const wast_module *m);
const char *text_wast_feature_name(int f);
/* The feature for a src/wasm/proposals.h proposal (threads included), or WAST_FEAT_NONE. */
int text_wast_feature_of_proposal(int proposal);

/* For a text module with active segments or a start function (it may change what it
 * imports while it is instantiated): calls fn with each import's module name. */
void text_wast_module_writes(const wast_script *s, const wast_module *m,
                             void (*fn)(void *ctx, const char *name, size_t len), void *ctx);

#endif

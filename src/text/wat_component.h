/* Private to the component reader (wat_component.c, wat_component_types.c): scopes,
 * index spaces and the parser state. */
#ifndef WELD_TEXT_WAT_COMPONENT_H
#define WELD_TEXT_WAT_COMPONENT_H

#include "internal.h"

/* Index spaces (sorts) of a component and of component, instance and module types. */
enum {
  CS_CORE_FUNC, CS_CORE_TABLE, CS_CORE_MEMORY, CS_CORE_GLOBAL, CS_CORE_TAG, CS_CORE_TYPE, CS_CORE_MODULE,
  CS_CORE_INSTANCE, CS_FUNC, CS_VALUE, CS_TYPE, CS_COMPONENT, CS_INSTANCE, CS_COUNT
};
static inline bool cs_is_core(int s) { return s <= CS_CORE_INSTANCE; }
/* Sorts that core instances export (the rest come from component instances). */
static inline bool cs_core_export(int s) { return s <= CS_CORE_TAG; }

/* What a scope is: where its definitions go and which index spaces it has. */
enum { CK_COMPONENT, CK_COMPONENT_TYPE, CK_INSTANCE_TYPE, CK_MODULE_TYPE };

/* Component section ids. */
enum { CSEC_CUSTOM = 0, CSEC_CORE_MODULE = 1, CSEC_CORE_INSTANCE = 2, CSEC_CORE_TYPE = 3, CSEC_COMPONENT = 4,
       CSEC_INSTANCE = 5, CSEC_ALIAS = 6, CSEC_TYPE = 7, CSEC_CANON = 8, CSEC_START = 9, CSEC_IMPORT = 10,
       CSEC_EXPORT = 11 };

typedef struct cscope {
  struct cscope *parent;
  int kind;                    /* CK_* */
  const text_token *id;        /* the component's or type's $name, for outer references */
  text_namemap names[CS_COUNT];
  uint32_t count[CS_COUNT];
  /* outer names aliased here by the current field or declarator (the reference reader
   * makes a new alias in each): "sort:name" keys */
  text_namemap implicit;
  /* CK_COMPONENT: finished sections, and the section being filled (items of the same
   * kind in a row share one); type scopes: the declarators */
  text_buf out;
  int sec;                     /* the open section's id, -1 when none */
  text_buf sec_body;
  uint32_t sec_count;
  uint32_t ndecls;             /* type scopes */
  text_buf deferred;           /* inline exports, emitted after the last field: per export
                                  its sort, its length (5-byte LEB128) and its item */
  /* the component-name section: per sort, (index, name) entries */
  text_buf nm[CS_COUNT];
  uint32_t nmn[CS_COUNT];
} cscope;

typedef struct cp {
  const char *src;
  const text_token *toks;
  size_t pos;
  util_error *err;
  cscope *sc;
  unsigned depth;              /* nested components, types and inline value types */
  text_buf tmp;                /* string decoding */
} cp;

#define CP_MAX_DEPTH 100

/* tokens */
static inline const text_token *cp_tok(const cp *p) { return &p->toks[p->pos]; }
static inline const text_token *cp_peek(const cp *p, size_t k) { return &p->toks[p->pos + k]; }
bool cp_fail(cp *p, const text_token *t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool cp_oom(cp *p);
bool cp_is_kw(const cp *p, const text_token *t, const char *kw);
bool cp_kw(cp *p, const char *kw);             /* consumes kw when it is next */
bool cp_lpar_kw(const cp *p, const char *kw);  /* `(` kw at the cursor */
bool cp_lpar_kw2(const cp *p, const char *kw1, const char *kw2);
bool cp_expect_rpar(cp *p);
bool cp_expect_lpar_kw(cp *p, const char *kw);
bool cp_u32(cp *p, uint32_t *out);
/* A string token, decoded into p->tmp (valid until the next call); its bytes as a
 * name (u32 length, bytes) into out. */
bool cp_name(cp *p, text_buf *out);

/* index spaces */
const char *cs_name(int sort);
/* A new index in sort; named by id when id is a TOK_ID. */
bool cs_define(cp *p, int sort, const text_token *id, uint32_t *index);
/* Sort keyword(s) at the cursor (after a `(`): `func`, `core func`, ...; with `core` the
 * core sorts need the `core` prefix, without it (core instance exports, module types)
 * they do not. Consumes them; -1 when none. */
int cs_sort_kw(cp *p, bool core_prefix);
/* The binary sort (with the 0x00 prefix for core sorts). */
void cs_emit_sort(text_buf *b, int sort);
/* An index of sort: a number or $name (a name of an enclosing scope's type, component
 * or core type or module becomes an outer alias here). */
bool cp_index(cp *p, int sort, uint32_t *out);
/* A reference of sort: an index, or `(sortkw index)`, or `(sortkw $inst "name"...)` which
 * defines an alias of an instance's export here. `core` as for cs_sort_kw. */
bool cp_ref(cp *p, int sort, bool core_prefix, uint32_t *out);
/* After the sort keyword(s): `index` or `$inst "name"...` and the `)`. */
bool cp_ref_inner(cp *p, int sort, uint32_t *out);

/* Definitions: one item of section `sec` (a component scope) or of declarator kind
 * `decl` (type scopes); body is the item without its section or declarator byte. */
bool cp_emit(cp *p, int sec, int decl, const text_buf *body);
bool cp_emit_type(cp *p, const text_buf *body);       /* a type definition */
bool cp_emit_core_type(cp *p, const text_buf *body);  /* a core type definition */
bool cp_emit_alias(cp *p, const text_buf *body);

/* Extern names with their attributes: `"name" (implements "...")? ...` as importname'. */
bool cp_extname(cp *p, text_buf *out);

/* wat_component_types.c */
/* A value type: primitive keyword, index, or an inline definition (hoisted). */
bool cp_valtype(cp *p, text_buf *out);
/* `(type $id? (export "..")* deftype)` and the `deftype` alone (after `(type $id?`). */
bool cp_type_field(cp *p);
bool cp_deftype(cp *p, text_buf *out, bool *resource);
/* `(core type $id? ...)` */
bool cp_core_type_field(cp *p);
/* A component function type from a type use at the cursor: `(type x)`, or `async`?
 * `(param ..)* (result ..)?` (a new type, hoisted). */
bool cp_func_typeuse(cp *p, uint32_t *typeidx);
/* An externdesc (after `(` sortkw, the sort given): `$id?` then the type use; defines
 * the index in sort when `define`. */
bool cp_externdesc(cp *p, int sort, text_buf *out, bool define);
/* `(alias ...)` forms: the long field (`(alias export $i "n" (func $id?))`) and the
 * inline one after `(sortkw $id? ` (`(alias export $i "n")`). */
bool cp_alias_field(cp *p);
bool cp_alias_inline(cp *p, int sort, const text_token *id);
/* Declarators of a component or instance type, up to the `)` of the type. */
bool cp_decls(cp *p, int kind, const text_token *id, text_buf *out);

/* wat_component.c */
bool cp_component_fields(cp *p, size_t end);
bool cp_decl_import_export(cp *p, bool import);
size_t cp_skip_inline_exports(cp *p); /* returns where they start */
bool cp_inline_exports(cp *p, size_t start, size_t stop, int sort, uint32_t idx);
/* A new field or declarator of the current scope starts (forgets implicit aliases). */
void cp_next_field(cp *p);
void cp_scope_free(cscope *s); /* after `(import` / `(export` */

#endif

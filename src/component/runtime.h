/* Running components: component values, the WAVE value notation, component instances
 * and calls. Built on the embedding API (include/weld.h) for the core modules inside. */
#ifndef WELD_COMPONENT_RUNTIME_H
#define WELD_COMPONENT_RUNTIME_H

#include "component.h"

typedef struct comp_resource comp_resource; /* a resource type at run time */
typedef struct comp_inst comp_inst;         /* a component instance */
typedef struct comp_func comp_func;         /* a component function */

/* A component value. Its type travels beside it (a comp_ctype); the shape follows the
 * type's kind. Values built by the runtime live in the arena of the call that made them. */
typedef struct comp_val comp_val;
struct comp_val {
  union {
    bool b;
    int64_t i;                   /* s8..s64 */
    uint64_t u;                  /* u8..u64 */
    float f32;
    double f64;
    uint32_t c;                  /* char: a Unicode scalar value */
    struct { const char *s; uint32_t len; } str;      /* string, as UTF-8 */
    struct { comp_val *v; uint32_t n; } seq;          /* list, fixed list, record, tuple */
    struct { uint32_t disc; comp_val *p; } var;       /* variant, enum, option (1 some),
                                                          result (0 ok, 1 err); p NULL: none */
    uint32_t flags;                                   /* bit i: label i */
    struct { comp_resource *rt; uint32_t rep; } h;    /* own, borrow */
  } u;
};

/* ---------- WAVE (the WebAssembly Value Encoding) ----------------------------------------- */

/* Parses text as a value of type t into *out (allocations in arena). On a syntax or type
 * error returns false with a one-line message (column included) in err. */
bool comp_wave_parse(const comp_ctype *t, const char *text, size_t len, util_arena *arena, comp_val *out,
                     util_error *err);
/* A call `name(arg, ...)` in two steps: comp_wave_parse_call reads the name (into
 * arena), comp_wave_parse_args the arguments against the function type ft (*args: an
 * array of ft's parameter count, in arena). */
bool comp_wave_parse_call(const char *text, const char **name, util_arena *arena, util_error *err);
bool comp_wave_parse_args(const comp_ctype *ft, const char *text, util_arena *arena, comp_val **args,
                          util_error *err);
/* Prints v (of type t) in WAVE. */
void comp_wave_print(FILE *out, const comp_ctype *t, const comp_val *v);
/* Whether a and b, values of type t, are the same value (floats bit for bit, except that
 * every NaN equals every NaN: the Canonical ABI lifts any NaN as the canonical one). */
bool comp_val_equal(const comp_ctype *t, const comp_val *a, const comp_val *b);

/* ---------- the host side ------------------------------------------------------------------- */

/* A host function implementing an import: reads args (ft's parameters), writes *result
 * when ft has one (allocations in arena). Returns NULL or a trap message. */
typedef const char *(*comp_host_fn)(void *env, const comp_ctype *ft, const comp_val *args, comp_val *result,
                                    util_arena *arena);

/* The host's implementations of imports, by name: plain functions (`name`) and functions
 * of an imported instance (`iface` + `name`). */
typedef struct comp_host comp_host;
comp_host *comp_host_new(void);
void comp_host_free(comp_host *h);
/* Adds a function: instance NULL for a function imported directly. False when out of memory. */
bool comp_host_func(comp_host *h, const char *instance, const char *name, comp_host_fn fn, void *env);

/* A resource the host implements (the resource type `name` exported by the imported
 * instance `instance`): host functions return its handles as {the returned comp_resource,
 * a representation of the host's choosing}, and receive them so. When the guest drops an
 * own handle, drop(env, rep) runs (drop may be NULL). `same` non-NULL registers that
 * resource under one more name (an interface's `use` of it; drop and env are its own).
 * The resource belongs to h; NULL when out of memory. */
typedef void (*comp_host_drop)(void *env, uint32_t rep);
comp_resource *comp_host_resource(comp_host *h, const char *instance, const char *name, comp_resource *same,
                                  comp_host_drop drop, void *env);

/* Called once an instance tree's store exists, before anything runs in it, so the
 * embedder can hold every core instance to its limits (memory, tables, fuel, deadline,
 * stack, instances). False (with err set) ends the instantiation with that error. */
struct weld_store;
typedef bool (*comp_store_hook)(void *env, struct weld_store *store, util_error *err);
void comp_host_on_store(comp_host *h, comp_store_hook fn, void *env);

/* ---------- instances and calls ----------------------------------------------------------- */

/* Instantiates a validated component (info from comp_validate) in a new store of its
 * own: imports from host (may be NULL), then every definition in order. On failure NULL
 * with the reason in err (LINK for an unsatisfied import, TRAP for a trap, LIMIT with
 * "not supported: ..."). c and info must outlive the instance. */
comp_inst *comp_instantiate(const comp_component *c, const comp_info *info, comp_host *host, util_error *err);
void comp_inst_free(comp_inst *inst);

/* An exported function: `name` at the top level, or `iface#name` for a function of an
 * exported instance. NULL when there is none. */
comp_func *comp_inst_func(comp_inst *inst, const char *name);
const comp_ctype *comp_func_type(const comp_func *f);
/* True when the component exports an instance of that name. */
bool comp_inst_has_instance(comp_inst *inst, const char *name);

/* Calls f with args (its parameters); *result (when the type has one) and its parts live
 * in arena. On a trap returns false with the message in err (kind TRAP). */
bool comp_call(comp_func *f, const comp_val *args, comp_val *result, util_arena *arena, util_error *err);

/* Parses a WAVE call `name(args)`, calls the export and prints its result in WAVE on
 * out (nothing for a function without a result). False with err on a parse error
 * (USAGE), an unknown export (LINK) or a trap (TRAP). */
bool comp_invoke(comp_inst *inst, const char *call, FILE *out, util_error *err);

/* Parameter and result access of a function type, for callers outside the folder. */
uint32_t comp_functype_nparams(const comp_ctype *ft);
const comp_ctype *comp_functype_param(const comp_ctype *ft, uint32_t i);
const comp_ctype *comp_functype_result(const comp_ctype *ft); /* NULL: none */

/* ---------- the embedding API's values (embed.c; include/weld.h, weld_cval) -------------- */

struct weld_cval;
/* The public kind of a value type (a weld_ctype_kind; WELD_CT_OTHER for streams,
 * futures and error contexts, 0 for NULL). */
int comp_public_kind(const comp_ctype *t);
/* A public value checked against t (kinds all the way down, integer ranges, UTF-8, case
 * indices) and copied into arena as *out; false with a one-line reason in why, which
 * starts with `what` and names the part at fault. */
bool comp_val_from_public(const comp_ctype *t, const struct weld_cval *in, util_arena *arena, comp_val *out,
                          const char *what, char *why, size_t nwhy);
/* A value of type t as a public value, its parts in arena; false when out of memory. */
bool comp_val_to_public(const comp_ctype *t, const comp_val *in, util_arena *arena, struct weld_cval *out);
/* The name of parameter i, NULL past the end. */
const char *comp_functype_param_name(const comp_ctype *ft, uint32_t i);

#endif

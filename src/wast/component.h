/* The component model's script commands: components decoded, validated and instantiated
 * by src/component, and calls of their exports with the scripts' component values
 * (src/text's wast_cval). Private to src/wast; run.c routes component commands here. */
#ifndef WELD_WAST_COMPONENT_H
#define WELD_WAST_COMPONENT_H

#include <stdbool.h>
#include <stddef.h>

#include "text/wast.h"

/* A component of a script: a definition (decoded and validated) or an instance of one.
 * Instances share their definition, which lives as long as any of them. */
typedef struct wast_comp wast_comp;

/* Outcomes, in the runner's order (pass, fail, skip). */
enum { WAST_COMP_PASS, WAST_COMP_FAIL, WAST_COMP_SKIP };

/* What reading a command's component gave. */
enum { WAST_COMP_LOADED, WAST_COMP_UNSUPPORTED, WAST_COMP_TEXT, WAST_COMP_REJECTED };
typedef struct wast_comp_load {
  int status;            /* WAST_COMP_LOADED, ... */
  int feature;           /* UNSUPPORTED for a core module's syntax: the WAST_FEAT_*; else 0 */
  const char *skip;      /* UNSUPPORTED otherwise: the reason (static text) */
  util_err_kind kind;    /* TEXT and REJECTED: MALFORMED, INVALID, LIMIT or OOM */
  char msg[400];         /* TEXT and REJECTED */
  wast_comp *comp;       /* LOADED: the definition (wast_comp_free it) */
} wast_comp_load;

/* Encodes (text), decodes and validates a command's component. */
void wast_comp_load_module(const wast_script *s, const wast_module *m, wast_comp_load *out);

/* A new instance of def (a definition, or an instance whose definition is used), in
 * *out (also when instantiation failed: actions on it then fail, or skip when *skip is
 * set). Returns WAST_COMP_PASS, or FAIL with the reason in why (a link error or a trap),
 * or SKIP with the reason in *skip. */
int wast_comp_instantiate(wast_comp *def, wast_comp **out, char *why, size_t nwhy, const char **skip);
/* Why actions on c are skipped (its instantiation needs a feature weld lacks), or NULL. */
const char *wast_comp_skip(const wast_comp *c);

/* assert_trap / assert_unlinkable on a component: instantiating def must trap (want_trap)
 * or fail to link, with a message containing `text`. */
int wast_comp_expect_failure(wast_comp *def, bool want_trap, const char *text, char *why, size_t nwhy,
                             const char **skip);

/* Commands with an action on the instance c: a bare (invoke ...), assert_return and
 * assert_trap. Other commands with actions are skipped with a reason. */
int wast_comp_command(wast_comp *c, const wast_command *cmd, char *why, size_t nwhy, const char **skip);

void wast_comp_free(wast_comp *c);

/* Writes a script value in WAVE (labels with `%`, chars as \u{...} escapes, floats with
 * 17 significant digits). */
void wast_comp_cval_wave(text_buf *b, const wast_cval *v);

/* The skip reason for a "not supported: ..." message of src/component (static text). */
const char *wast_comp_unsupported(const char *msg);

#endif

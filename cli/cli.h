/* The `weld` command: shared pieces of the subcommands. Each subcommand lives in its own
 * file and is listed once in the command table in main.c. */
#ifndef WELD_CLI_H
#define WELD_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "util/util.h"
#include "wasm/module.h"

/* Exit codes, documented in docs/cli.md. Scripts rely on them: keep them stable. */
enum {
  CLI_EXIT_OK = 0,
  CLI_EXIT_BAD_MODULE = 1, /* the module is malformed or invalid */
  CLI_EXIT_USAGE = 2,      /* bad command line, or a file that cannot be read */
  CLI_EXIT_TRAP = 134,     /* `weld run`: the module trapped (128 + SIGABRT, as other
                              runtimes report a trap); proc_exit codes pass through */
};

typedef struct cli_command {
  const char *name;
  const char *args;    /* synopsis after the name, e.g. "[--json] FILE" */
  const char *summary; /* one line for `weld help` */
  const char *help;    /* the rest of `weld help NAME`: description and options */
  /* argv[0] is the command name; returns an exit code. */
  int (*run)(int argc, char **argv);
} cli_command;

/* The command table (main.c). */
const cli_command *cli_find_command(const char *name);

/* Prints `weld: CMD: message (see 'weld help CMD')` to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True for arguments that look like options ("-x", "--x"); "-" alone is a file (stdin). */
bool cli_is_option(const char *arg);

/* How a path is shown in messages: "-" is "<stdin>". */
const char *cli_display_name(const char *path);

/* Reads and decodes a module. On failure prints one line to stderr and returns the exit
 * code (CLI_EXIT_USAGE when the file cannot be read, CLI_EXIT_BAD_MODULE when it is not
 * a module); on success returns CLI_EXIT_OK and *out owns the module. */
int cli_load_module(const char *path, wasm_module **out);

/* Prints `weld: FILE: message (at offset 0x..)` to stderr. */
void cli_print_module_error(const char *path, const util_error *err);

/* ---------- descriptions shared by the text and JSON outputs ------------------------- */

const char *cli_section_name(uint8_t id);
/* A constant expression as text ("i32.const 42", "global.get 0; ..."), without the
 * final `end`. */
const char *cli_expr_format(const wasm_expr *e, char *buf, size_t n);
/* A function's name from the name section, or NULL. */
const wasm_name *cli_func_name(const wasm_module *m, uint32_t funcidx);
/* Writes bytes as printable ASCII with C-style escapes (\n, \", \xNN) into buf,
 * truncated to fit with "..." when longer than `max` input bytes. */
const char *cli_escape(const uint8_t *s, size_t len, size_t max, char *buf, size_t n);

/* ---------- a JSON writer --------------------------------------------------------------- */

typedef struct cli_json {
  FILE *out;
  int depth;
  bool first[64];     /* no item written yet at this depth */
  bool inline_[64];   /* this container is written on one line */
  char closer[64];    /* '}' or ']' for the container open at this depth */
  bool after_key;
} cli_json;

void cli_json_init(cli_json *j, FILE *out);
void cli_json_object(cli_json *j);
void cli_json_array(cli_json *j);
void cli_json_array_inline(cli_json *j); /* for short lists of scalars */
void cli_json_end(cli_json *j);          /* closes the innermost object or array */
void cli_json_key(cli_json *j, const char *key);
void cli_json_str(cli_json *j, const char *s);
void cli_json_strn(cli_json *j, const char *s, size_t len); /* may contain NULs */
void cli_json_name(cli_json *j, const wasm_name *n);        /* null when absent */
void cli_json_uint(cli_json *j, uint64_t v);
void cli_json_int(cli_json *j, int64_t v);
void cli_json_bool(cli_json *j, bool v);
void cli_json_null(cli_json *j);
void cli_json_finish(cli_json *j); /* final newline */

/* ---------- subcommands ------------------------------------------------------------- */

int cli_cmd_validate(int argc, char **argv);
int cli_cmd_inspect(int argc, char **argv);
int cli_cmd_run(int argc, char **argv);
int cli_cmd_print(int argc, char **argv);
int cli_cmd_audit(int argc, char **argv);
int cli_cmd_wast(int argc, char **argv);
/* run_wasi.c: the module's WASI imports bound to ctx (entries for weld_instance_new), and
 * the context bound to the instance's memory once it exists. */
struct wasi_ctx;
struct weld_store;
struct weld_module;
struct weld_instance;
struct weld_import;
bool cli_wasi_imports(struct wasi_ctx *ctx, struct weld_store *store, const struct weld_module *mod,
                      struct weld_import **out, size_t *n, util_error *err);
bool cli_wasi_bind(struct wasi_ctx *ctx, struct weld_instance *inst, size_t nimports, util_error *err);
/* run_guard.c: `weld run`'s limit flags, --report and --audit-first. */
struct policy;
struct guard_clock;
typedef struct cli_guard_opts {
  struct policy_limits_flags {
    uint64_t fuel, memory_bytes, timeout_ns, table_elements;
    uint32_t max_stack, max_instances;
    bool trap_on_grow_failure;
  } lim;
  uint32_t set;            /* POLICY_LIMIT_* bits given on the command line */
  const char *report;      /* --report FILE ("-" = stdout) */
  bool audit_first;
} cli_guard_opts;
void cli_guard_init(cli_guard_opts *g);
/* Like wasi_options_parse: 1 consumed, 0 not a limit flag, -1 usage error (err set). */
int cli_guard_parse(cli_guard_opts *g, int argc, char **argv, int *i, util_error *err);
/* The flags override the policy's limits. */
void cli_guard_override(const cli_guard_opts *g, struct policy *p);
/* Audits the module against p; prints the violations and returns CLI_EXIT_BAD_MODULE when
 * it fails, CLI_EXIT_OK when it passes. */
int cli_guard_audit(const char *path, const struct weld_module *mod, const struct policy *p);
/* Applies p's limits to the store, starts the run clocks and arms the deadline. */
bool cli_guard_arm(struct weld_store *store, const struct policy *p, struct guard_clock *clk,
                   util_error *err);
/* Writes --report's file, if one was asked for. */
bool cli_guard_report(const cli_guard_opts *g, const char *path, struct weld_store *store,
                      const struct wasi_ctx *wctx, const struct policy *p,
                      const struct guard_clock *clk, const char *outcome, const char *trap,
                      int exit_code);
/* run_profile.c: `weld run --profile=guest[,PATH]`, the guest profiler. */
typedef struct cli_profile {
  bool on;
  const char *path;        /* the folded stacks; the SVG goes beside it */
  struct weld_profiler *p;
} cli_profile;
/* True when argv[*i] is --profile=guest[,PATH] (or --profile guest[,PATH], consuming
 * the value); anything else after --profile is a policy preset, left to the caller. */
bool cli_profile_parse(cli_profile *c, int argc, char **argv, int *i);
bool cli_profile_start(cli_profile *c, struct weld_store *store);
/* Stops sampling and writes the files (reporting where on stderr). Call before freeing
 * the store; a no-op without --profile. False when a file could not be written. */
bool cli_profile_finish(cli_profile *c, const char *module_path);
/* Text and JSON renderings of `weld inspect`; `verr` is the validation result. */
void cli_inspect_text(FILE *out, const char *path, const wasm_module *m, const util_error *verr);
void cli_inspect_json(FILE *out, const char *path, const wasm_module *m, const util_error *verr);

#endif

/* The `weld` command: shared pieces of the subcommands. Each subcommand lives in its own
 * file and is listed once in the command table in main.c. */
#ifndef WELD_CLI_H
#define WELD_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "util/util.h"
#include "component/component.h"
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

/* `weld help NAME`'s text for one command (main.c). */
void cli_print_command_help(FILE *f, const cli_command *c);

/* ---------- option parsing (options.c) ------------------------------------------------ */

/* One option of a command. Every option with a value is accepted as `--name VALUE` and
 * `--name=VALUE`; a flag (no metavar) refuses `--name=VALUE`. The strings are arrays, not
 * pointers, so the option tables need no relocations when the program starts. */
typedef struct cli_opt {
  char name[24];    /* "--fuel" */
  char alias[4];    /* a short spelling ("-q") or "" */
  char metavar[32]; /* the value's name in messages ("N"); "" for a flag */
  int id;
} cli_opt;

enum { CLI_ARG_DONE, CLI_ARG_OPTION, CLI_ARG_OPERAND, CLI_ARG_EXIT };

typedef struct cli_parser {
  const char *cmd;
  const cli_opt *opts;
  size_t nopts;
  int argc;
  char **argv;
  int i;                /* the next argument */
  bool stop_at_operand; /* the first operand ends the options (`weld run FILE ARGS...`) */
  bool operands_only;   /* after `--` (or that first operand): nothing is an option */
  /* the argument just returned */
  const cli_opt *opt;
  const char *value;
  const char *operand;
  int rc; /* with CLI_ARG_EXIT: the exit status (help printed, or a usage error) */
} cli_parser;

void cli_parser_init(cli_parser *p, const char *cmd, const cli_opt *opts, size_t nopts, int argc,
                     char **argv);
/* The next argument: an option (p->opt, p->value), an operand (p->operand), the end, or
 * CLI_ARG_EXIT when `--help` was printed or a usage error was reported (p->rc). */
int cli_parser_next(cli_parser *p);
/* True when arg (`--name` or `--name=VALUE`) is one of opts. */
bool cli_parser_knows(const cli_opt *opts, size_t nopts, const char *arg);
/* The candidate closest to word within a few typos (leading dashes and `=VALUE`
 * ignored), or NULL. */
const char *cli_suggest(const char *word, const char *const *candidates, size_t n);
/* `weld run`'s options (run.c), for `weld --fuel 1 app.wasm` (run implied). */
bool cli_run_knows_option(const char *arg);

/* True for arguments that look like options ("-x", "--x"); "-" alone is a file (stdin). */
bool cli_is_option(const char *arg);

/* How a path is shown in messages: "-" is "<stdin>". */
const char *cli_display_name(const char *path);

/* Reads and decodes a module. On failure prints one line to stderr and returns the exit
 * code (CLI_EXIT_USAGE when the file cannot be read, CLI_EXIT_BAD_MODULE when it is not
 * a module); on success returns CLI_EXIT_OK and *out owns the module. */
int cli_load_module(const char *path, wasm_module **out);

/* cli_load_module without the message: err says why (kind UTIL_ERR_IO when the file
 * could not be read). */
int cli_load_module_quiet(const char *path, wasm_module **out, util_error *err);
/* The message cli_load_module prints for cli_load_module_quiet's result rc. */
void cli_print_load_error(const char *path, int rc, const util_error *err);

/* Components (component.c): a file whose preamble has layer 1 goes here instead of
 * the module path. `validate` prints `FILE: valid (component)` unless quiet; `inspect`
 * prints the component's structure, imports and exports (text or JSON). Both return
 * the exit status. */
int cli_component_validate(const char *path, const uint8_t *bytes, size_t len, bool quiet);
int cli_component_inspect(const char *path, const uint8_t *bytes, size_t len, bool json);
/* `weld run` on a component: instantiates it, its WASI 0.2 imports served by src/wasi2
 * over `wctx` (the run's preview1 context: policy, preopens, arguments), and calls each
 * of invokes (`name(args)` in WAVE) in turn on that instance, printing each result; with
 * no invokes, runs its `wasi:cli/run` export (a command) and returns the exit status
 * the program gave. On failure returns the exit status with the message in why[] and
 * the outcome ("error", "refused", "trap") in what[]. */
struct wasi_ctx;
struct policy;
struct guard_clock;
/* `limits` (the policy's, through cli_guard_arm) hold the component's store; `clk`
 * starts with it. */
int cli_component_run(const char *path, const uint8_t *bytes, size_t len, const char *const *invokes, int ninvokes,
                      int nargs, struct wasi_ctx *wctx, const struct policy *limits, struct guard_clock *clk, char *why,
                      size_t nwhy, char *what, size_t nwhat);
/* Reads a file ("-" is stdin) and tells whether it is a component. Either way *bytes
 * holds the file (the caller frees it; cli_load_module_bytes reads a module from it).
 * On a read error returns false with err set (kind UTIL_ERR_IO) and *bytes NULL. */
bool cli_read_component(const char *path, uint8_t **bytes, size_t *len, util_error *err);
/* cli_load_module_quiet on bytes already read (it does not free them). */
/* Writes a whole file: to PATH.tmp, then renamed over PATH (nothing half-written stays). */
bool cli_write_file(const char *path, const uint8_t *p, size_t n);
int cli_load_module_bytes(const char *path, const uint8_t *bytes, size_t len, wasm_module **out, util_error *err);
/* The same, and a precompiled image (`weld compile`'s .cwasm) is read leniently
 * (jit_image_read: structure, checksum and the module's sha256; not this weld's version,
 * CPU or settings, since nothing is mapped or run) and its embedded module decoded; *img
 * (may be NULL) says what the header says, img->format 0 when the file is not an image.
 * The embedded module's errors start "embedded module: " and their offsets are within it
 * (it starts at file offset 160). */
struct jit_image_info;
int cli_load_module_image(const char *path, const uint8_t *bytes, size_t len, wasm_module **out,
                          struct jit_image_info *img, util_error *err);
/* Prefixes an error of an image's module with "embedded module: ". */
void cli_embedded_error(util_error *err);
/* "baseline", "optimized" or "unknown" for an image's tier field. */
const char *cli_image_tier_name(uint32_t tier);
/* The header and code section of an image as text (inspect.c) or as the inspect JSON's
 * "precompiled" member (inspect_json.c). */
void cli_inspect_image_text(FILE *out, const struct jit_image_info *img);
struct cli_json;
void cli_inspect_image_json(struct cli_json *j, const struct jit_image_info *img);

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
void cli_json_fixed3(cli_json *j, int64_t thousandths); /* a number with three decimals */
void cli_json_double(cli_json *j, double v); /* six significant digits; null if not finite */
void cli_json_null(cli_json *j);
void cli_json_finish(cli_json *j); /* final newline */

/* Every JSON document weld writes starts with this "schema_version" (docs/json.md); it
 * goes up when a field changes meaning or goes away, not when one is added. */
#define CLI_JSON_SCHEMA_VERSION 1
/* An error as a JSON value: {"kind", "message", "offset", "function", "line", "column"}
 * (absent positions are null). */
void cli_json_error_value(cli_json *j, const util_error *err);
/* Opens a JSON document with the fields every one carries: schema_version, command, file
 * (null without a path). */
void cli_json_doc_begin(cli_json *j, const char *command, const char *path);
/* A whole JSON document for a command that failed before it had anything to report:
 * {"schema_version", "command", "file", "error": {...}}. */
void cli_json_error_doc(FILE *out, const char *command, const char *path, const util_error *err);

/* ---------- subcommands ------------------------------------------------------------- */

int cli_cmd_validate(int argc, char **argv);
int cli_cmd_inspect(int argc, char **argv);
int cli_cmd_run(int argc, char **argv);
int cli_cmd_print(int argc, char **argv);
int cli_cmd_audit(int argc, char **argv);
int cli_cmd_wast(int argc, char **argv);
int cli_cmd_plan(int argc, char **argv);
int cli_cmd_up(int argc, char **argv);
int cli_cmd_serve(int argc, char **argv); /* serve.c: wasi:http/proxy components */
int cli_cmd_ps(int argc, char **argv);
int cli_cmd_logs(int argc, char **argv);
int cli_cmd_down(int argc, char **argv);
int cli_cmd_diag(int argc, char **argv);
int cli_cmd_pkg(int argc, char **argv); /* pkg.c: the package manager */
int cli_cmd_compile(int argc, char **argv); /* compile.c: precompiled images */
int cli_cmd_encode(int argc, char **argv);  /* encode.c: text to binary */
int cli_cmd_cache(int argc, char **argv);   /* compile.c: the compiled-code cache */
int cli_cmd_wit(int argc, char **argv);     /* wit.c: WIT packages */
int cli_cmd_compose(int argc, char **argv); /* compose.c: component composition */
int cli_cmd_component(int argc, char **argv); /* component_new.c: component new */
int cli_cmd_bench(int argc, char **argv);     /* bench.c: bench efficiency */
/* `weld run`'s own options beyond the library's: the guest profiler. */
typedef struct cli_run_opts {
  bool profile_guest;       /* --profile=guest[,PATH] */
  const char *profile_path; /* PATH, or NULL for the default */
  bool profile_perfmap;     /* --profile=perfmap: WELD_PERF_MAP for the compiling tiers */
} cli_run_opts;
/* True when a --profile value names the profiler ("guest" or "guest,PATH"), setting
 * *path to PATH (NULL without one); false for a (deprecated) preset name. */
bool cli_profile_value(const char *v, bool *guest, const char **path);
/* --tier's value: "interp", "baseline", "auto" or "optimized" (a weld_tier); false for anything else. */
bool cli_tier_value(const char *v, int *tier);
/* --tier-up-threshold's value: a count of calls up to 2^32-1. */
bool cli_threshold_value(const char *v, uint32_t *out);
/* --tier-stats: how many of the module's functions run as machine code, and why the others
 * do not, on stderr. */
struct weld_module;
void cli_print_tier_stats(const struct weld_module *mod, int tier);
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
    uint64_t fuel, memory_bytes, timeout_ns, table_elements, gc_heap_bytes;
    uint32_t max_stack, max_instances;
    bool trap_on_grow_failure;
  } lim;
  uint32_t set;            /* POLICY_LIMIT_* bits given on the command line */
  const char *report;      /* --report FILE ("-" = stderr: stdout is the guest's) */
  bool audit_first;
} cli_guard_opts;
void cli_guard_init(cli_guard_opts *g);
/* One of run.c's limit, --report or --audit-first options (`value` NULL for a flag);
 * false with err set when the value is bad. */
bool cli_guard_option(cli_guard_opts *g, const char *flag, const char *value, util_error *err);
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
                      const char *error, int exit_code);
/* run_profile.c: `weld run --profile=guest[,PATH]`, the guest profiler. */
typedef struct cli_profile {
  bool on;
  const char *path;        /* the folded stacks (NULL: weld-profile.folded); the SVG goes beside it */
  struct weld_profiler *p;
} cli_profile;
bool cli_profile_start(cli_profile *c, struct weld_store *store);
/* Stops sampling and writes the files (reporting where on stderr). Call before freeing
 * the store; a no-op without --profile. False when a file could not be written. */
bool cli_profile_finish(cli_profile *c, const char *module_path);
/* Text and JSON renderings of `weld inspect`; `verr` is the validation result. */
void cli_inspect_text(FILE *out, const char *path, const wasm_module *m, const util_error *verr);
void cli_inspect_json(FILE *out, const char *path, const wasm_module *m, const struct jit_image_info *img,
                      const util_error *verr);

#endif

/* weld: the command-line front end. Thin by design: it parses arguments and calls the
 * library. A subcommand is one entry in `commands[]` plus a function in its own file. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "jit/jit.h"
/* WELD_COMMIT: the git commit this was built from, written at build time by
 * cli/commit.cmake ("unknown" outside a git checkout). */
#include "weld_commit.h"

#ifndef WELD_VERSION
#define WELD_VERSION "unknown"
#endif

static int cmd_help(int argc, char **argv);
static const char *command_suggestion(const char *name, char *buf, size_t n);
static int cmd_version(int argc, char **argv);

static const cli_command commands[] = {
    {"validate", "[-q] FILE...", "check that modules are well formed and valid",
     "Decodes and validates each WebAssembly module, binary or text (WebAssembly 2.0).\n"
     "A valid module prints `FILE: valid`; a bad one prints one line to stderr:\n"
     "  weld: FILE: <message> (at offset 0x...)\n"
     "\n"
     "Options:\n"
     "  -q, --quiet   print nothing for valid modules\n"
     "\n"
     "FILE may be `-` for standard input. Exit status: 0 all valid, 1 a module is\n"
     "malformed or invalid, 2 usage error or unreadable file.\n",
     cli_cmd_validate},
    {"inspect", "[--json] FILE", "show a module's sections, types, imports, exports, functions...",
     "Decodes a WebAssembly module (binary or text) and prints its structure: sections with\n"
     "offsets and sizes, types, imports, functions (names from the name section, local\n"
     "counts, body sizes), tables, memories, globals with their initialisers, exports,\n"
     "the start function, element and data segments and custom sections. The module is\n"
     "also validated and the result shown.\n"
     "\n"
     "Options:\n"
     "  --json   print the same information as one JSON object\n"
     "\n"
     "FILE may be `-` for standard input. Exit status: 0 valid module, 1 malformed or\n"
     "invalid module (an invalid module is still shown), 2 usage error or unreadable file.\n",
     cli_cmd_inspect},
    {"print", "[--flat|--folded] FILE", "write a module as WebAssembly text",
     "Reads a module (binary or text) and writes it in the WebAssembly text format on\n"
     "standard output: every type, import, function, table, memory, global, export,\n"
     "start, element and data segment, with identifiers from the name section where\n"
     "they are valid. The output reads back to the same module (custom sections aside).\n"
     "\n"
     "Options:\n"
     "  --flat     one instruction per line, blocks closed by `end` (the default)\n"
     "  --folded   blocks, loops and ifs as s-expressions, other instructions flat\n"
     "\n"
     "FILE may be `-` for standard input. Exit status: 0 printed, 1 malformed module,\n"
     "2 usage error or unreadable file.\n",
     cli_cmd_print},
    {"encode", "[-o OUT] FILE", "write a module or component in the binary format",
     "Reads a module or a component in the text format (or the binary format, which is\n"
     "passed through), checks that it decodes and validates, and writes its binary form to\n"
     "OUT or to standard output (never to a terminal). Nothing is written when FILE is\n"
     "malformed or invalid.\n"
     "\n"
     "Options:\n"
     "  -o, --output FILE  the .wasm file to write (`-`: standard output)\n"
     "\n"
     "Exit status: 0 written, 1 malformed or invalid input, 2 usage error, unreadable\n"
     "file or unwritable output.\n",
     cli_cmd_encode},
    {"run", "[OPTIONS] FILE [ARGS...]", "run a module: its start function and _start, or one export",
     "Instantiates the module (running its start function), then calls `_start` if the\n"
     "module exports it, or with --invoke the named export with ARGS converted to its\n"
     "parameter types, printing each result on its own line. A component exporting\n"
     "wasi:cli/run runs as a WASI 0.2 command under the same policy flags\n"
     "(docs/components.md).\n"
     "\n"
     "weld's options come before FILE; everything after FILE belongs to the module\n"
     "(`weld run app.wasm --help` passes --help to it). `weld FILE [ARGS...]` is short\n"
     "for `weld run FILE [ARGS...]`. Every option with a value may be written\n"
     "`--opt VALUE` or `--opt=VALUE`.\n"
     "\n"
     "Options:\n"
     "  --invoke NAME          call the exported function NAME with ARGS; on a component\n"
     "                         --invoke 'NAME(ARGS)' with WAVE values (docs/components.md)\n"
     "  --fuel N               stop with `out of fuel` after N units of work (function\n"
     "                         entries, loop iterations, bulk bytes: docs/cli.md)\n"
     "  --bounds guard|explicit  linear memory layout (default guard)\n"
     "  --tier interp|baseline|auto|optimized  run functions in the interpreter, as\n"
     "                         machine code from the baseline compiler (x86-64), start\n"
     "                         interpreted and compile hot functions and loops (auto: the\n"
     "                         default on x86-64; or WELD_TIER; a module of at most 1 MiB\n"
     "                         of function bodies, or WELD_TIER_EAGER_BYTES, is compiled\n"
     "                         whole when loaded), or optimised by LLVM (builds with LLVM only)\n"
     "  --tier-up-threshold N  auto, a larger module: calls before a function is compiled\n"
     "                         (default 1000; or WELD_TIER_UP_THRESHOLD)\n"
     "  --compile-threads N    threads compiling (0-8, or WELD_COMPILE_THREADS):\n"
     "                         baseline: the module's functions (default the CPUs\n"
     "                         online, one per MiB of bodies at most; 0 and 1: one);\n"
     "                         auto with LLVM: still-hot\n"
     "                         functions through LLVM in the background (default 1,\n"
     "                         0: the call that finds one hot)\n"
     "  --tier-stats           print what was compiled, and why the rest was not\n"
     "  --allow-precompiled    FILE may be a precompiled module (`weld compile`): its\n"
     "                         machine code runs as is, trusted like a shared library\n"
     "  --no-cache             baseline|optimized: compile, neither read nor write the\n"
     "                         compiled-code cache (`weld help cache`)\n"
     "  --cache-dir DIR        the cache's directory\n"
     "  --cache-max-bytes SIZE the cache's budget (default 512MiB; least recently used\n"
     "                         entries go first)\n"
     "Resource limits (override the policy file's; docs/cli.md):\n"
     "  --max-memory SIZE      bytes per memory and per instance (65536, 64KiB, 16M, 1GiB)\n"
     "  --max-gc-heap SIZE     bytes of GC objects (structs, arrays) per store\n"
     "  --max-table-elements N elements per table\n"
     "  --max-stack N          call depth (`call stack exhausted` beyond)\n"
     "  --max-instances N      instantiations per store\n"
     "  --timeout DURATION     wall-clock deadline (100ms, 2s, 1m): `deadline exceeded`\n"
     "  --trap-on-grow-failure a grow beyond a limit traps instead of returning -1\n"
     "  --report FILE          write the usage report as JSON (docs/json.md); `-` writes\n"
     "                         it to stderr, never mixed with the module's stdout\n"
     "  --audit-first          audit against the policy first; refuse a failing module\n"
     "WASI (wasi_snapshot_preview1) options:\n"
     "  --dir HOST[::GUEST]    give the module the directory HOST, seen as GUEST\n"
     "  --env NAME[=VALUE]     set NAME (the host's value when none is given)\n"
     "  --policy FILE          start from a policy file (docs/policy.md)\n"
     "  --preset NAME          start from a preset policy: isolated, readonly-fs, cli\n"
     "                         (`--profile NAME` still works, with a warning)\n"
     "  --log-denials          print each call the policy refuses on stderr (without it\n"
     "                         one line at exit counts the refused calls)\n"
     "  --tcplisten HOST:PORT  a listening socket the module may accept on\n"
     "Profiling:\n"
     "  --profile=guest[,PATH] sample the module's stack: folded stacks to PATH (default\n"
     "                         weld-profile.folded) and an SVG flame graph beside it\n"
     "  --profile=perfmap      with --tier baseline or auto (or optimized with the code\n"
     "                         cache): name each compiled function in /tmp/perf-PID.map\n"
     "                         for perf; WELD_GDB_JIT=1 names them for gdb (docs/debugging.md)\n"
     "Without --policy/--preset a module gets the standard streams, clocks and\n"
     "randomness; files, environment and network only as granted. ARGS after FILE\n"
     "become the module's arguments (argv[0] is FILE) unless --invoke is given.\n"
     "\n"
     "Arguments: i32/i64 in decimal or 0x hex, signed or unsigned; f32/f64 as decimal,\n"
     "hex floats (0x1.8p3), inf, nan or nan:0xPAYLOAD; references as null; v128 as one\n"
     "argument: a shape and its lanes (\"i32x4 1 2 3 4\", \"f32x4:1,2,3,nan\") or 0x and\n"
     "32 hex digits (the 128-bit number, lane 0 lowest).\n"
     "Results: integers in signed decimal, floats as the shortest decimal that reads back\n"
     "exactly (nan, nan:0xPAYLOAD for non-canonical NaNs); v128 as 0x and 32 hex digits.\n"
     "\n"
     "A trap prints `weld: trap: MESSAGE` and the WebAssembly backtrace to stderr\n"
     "(names from the name section, file:line from DWARF; docs/debugging.md).\n"
     "Exit status: 0 success, 1 malformed/invalid/unlinkable module, 2 usage error or\n"
     "unreadable file, 134 trap; an exit requested by the module passes its code through.\n",
     cli_cmd_run},
    {"compose", "ROOT --plug DEP [--plug DEP...] -o OUT.wasm", "plug components into a component's imports",
     "Writes a new component made of ROOT (a component, binary or text) and the plugs: each\n"
     "import of ROOT or of a plug that a plug exports under the same name (an interface\n"
     "like `local:calc/ops@0.2.0`; a semver-compatible version also matches) is satisfied\n"
     "by that export, once its type is checked to fit; the other imports become imports of\n"
     "the new component, which exports what ROOT exports. Every plug must be used, no two\n"
     "may export the same interface that is imported, and plugs may not import from each\n"
     "other in a cycle (docs/components.md, \"Composition\").\n"
     "\n"
     "Options:\n"
     "  --plug FILE        a component whose exports satisfy imports (repeatable)\n"
     "  -o, --output FILE  the component to write\n"
     "\n"
     "Exit status: 0 written, 1 a bad component or a composition that does not fit\n"
     "(one line: which interface, which function, both types), 2 usage error or\n"
     "unreadable file.\n",
     cli_cmd_compose},
    {"compile", "[--tier baseline|optimized] [--bounds B] [--standard V] [--compile-threads N] -o OUT.cwasm FILE",
     "compile a module ahead of time into a precompiled module (.cwasm)",
     "Compiles every function of the module (binary or text) to x86-64 machine code and\n"
     "writes a precompiled module: the original module, the code, and what the code\n"
     "depends on (weld's version, the CPU features it uses, the tier, the bounds mode,\n"
     "the standard's edition, the module's sha256). `weld run --allow-precompiled\n"
     "OUT.cwasm` then maps the code instead of compiling it (docs/precompiled.md).\n"
     "\n"
     "Options:\n"
     "  -o, --output FILE  the precompiled module to write\n"
     "  --tier baseline|optimized  the compiler (default: optimized when weld has LLVM,\n"
     "                     else baseline)\n"
     "  --bounds guard|explicit  the bounds mode the code is made for (default guard;\n"
     "                     run it with the same)\n"
     "  --standard 2.0|3.0 the edition modules are held to (default 3.0)\n"
     "  --compile-threads N  baseline: threads compiling the functions (0-8; default the\n"
     "                     CPUs online, at most 8 and one per MiB of bodies; 0 and 1: one;\n"
     "                     or WELD_COMPILE_THREADS);\n"
     "                     the image is the same whatever the number\n"
     "\n"
     "Exit status: 0 written, 1 malformed or invalid module, 2 usage error, unreadable\n"
     "file or tier not available.\n",
     cli_cmd_compile},
    {"cache", "[info|dir|clean|evict] [--cache-dir DIR] [--cache-max-bytes SIZE]",
     "the compiled-code cache of `weld run`",
     "`weld run --tier baseline|optimized` keeps the machine code it compiles in a cache\n"
     "and maps it on the next run of the same module instead of compiling again\n"
     "(src/cache/README.md). The directory: $WELD_CACHE_DIR/code, else\n"
     "$XDG_CACHE_HOME/weld/code, else ~/.cache/weld/code.\n"
     "\n"
     "Actions:\n"
     "  info    the directory, its entries and bytes (the default; also `stats`)\n"
     "  dir     the directory alone\n"
     "  clean   remove every entry (also `clear`)\n"
     "  evict   remove least recently used entries down to --cache-max-bytes\n"
     "\n"
     "Options:\n"
     "  --cache-dir DIR         another directory\n"
     "  --cache-max-bytes SIZE  the budget for evict (65536, 64KiB, 16M, 1GiB)\n"
     "\n"
     "Exit status: 0 success, 2 usage error or a directory that cannot be read.\n",
     cli_cmd_cache},
    {"audit", "[--policy FILE] [--preset NAME] [--format md|json] FILE",
     "what a module can reach, its risk, and whether a policy allows it",
     "Reads a WebAssembly module without running it and reports: every import and the\n"
     "host resources it reaches (files and the operations on them, network,\n"
     "environment, clocks, randomness, process, stdio; unknown host modules are\n"
     "opaque), the permission boundary, a risk level (minimal, low, moderate, high,\n"
     "critical) with its reasons, exports, the start function, memory and table\n"
     "limits, memory.grow and indirect calls, embedded files in data segments and the\n"
     "producers section. With a policy it lists every violation with its severity.\n"
     "\n"
     "Options:\n"
     "  --policy FILE    check against a policy file (docs/policy.md)\n"
     "  --preset NAME    check against a preset policy: isolated, readonly-fs, cli\n"
     "                   (both: the file is merged over the preset; `--profile NAME`\n"
     "                   still works, with a warning)\n"
     "  --format md|json Markdown for people (default) or JSON (docs/json.md)\n"
     "\n"
     "Exit status: 0 the policy allows the module (or no policy given), 1 violations,\n"
     "2 bad input (usage, unreadable file, malformed or invalid module, bad policy).\n",
     cli_cmd_audit},
    {"wast", "[--log FILE] [--name NAME] [--fuel N] [--bounds B] [--tier T] [--tier-up-threshold N] [--tier-stats] [--standard VERSION] [-v] FILE.wast...", "run WebAssembly script files (.wast)",
     "Runs each script natively: modules (text, `binary` and `quote` forms) are read,\n"
     "compiled and instantiated through the embedding API with the `spectest` host\n"
     "module, and every command is checked: module, register, invoke/get, assert_return\n"
     "(exact values, NaN patterns, v128 lanes, either), assert_trap, assert_exhaustion,\n"
     "assert_malformed, assert_invalid, assert_unlinkable, assert_uninstantiable.\n"
     "Commands that need a feature weld does not implement (GC, exceptions, ...) are\n"
     "skipped and counted by feature.\n"
     "\n"
     "Prints `NAME: N passed, M failed, K skipped` per script; with several scripts also\n"
     "the skipped commands by reason and the total `N passed, M failed, K skipped` last.\n"
     "Failures (`FAIL FILE:LINE: COMMAND: reason`) and skip counts go to the log.\n"
     "\n"
     "Options:\n"
     "  --log FILE   write failures and skip counts to FILE (default stderr)\n"
     "  --name NAME  the script's name in its line (one FILE only)\n"
     "  --fuel N     bound every call and instantiation to N units of work\n"
     "  --bounds guard|explicit  linear memory layout (default guard)\n"
     "  --tier interp|baseline|auto|optimized  the interpreter, machine code,\n"
     "               interpreted until hot then machine code (the default on x86-64;\n"
     "               or WELD_TIER; a module of at most 1 MiB of function bodies is\n"
     "               compiled whole when made), or machine code optimised by LLVM\n"
     "  --tier-up-threshold N  auto, a larger module: calls before a function is\n"
     "               compiled (default 1000)\n"
     "  --tier-stats functions compiled over all the scripts, and why the rest were not\n"
     "  --standard VERSION  hold modules to WebAssembly 2.0 or 3.0, in that edition's\n"
     "               error wording (default 3.0; the 2.0 suite asserts 2.0's restrictions:\n"
     "               one memory, 32-bit offsets, no tags, and its messages)\n"
     "  -v, --verbose  also log each passing command\n"
     "\n"
     "Exit status: 0 nothing failed, 1 a command failed, 2 usage error or a script that\n"
     "cannot be read or parsed.\n",
     cli_cmd_wast},
    {"plan", "[--explain] [--json] [--method M] [--coefficients FILE] [--history DB] APP.toml",
     "decide where each service of an application runs: WebAssembly or container",
     "Reads an application manifest (docs/app-manifest.md) and places each service on\n"
     "WebAssembly or a container by minimising the cost model (docs/plan.md):\n"
     "  C = Σ α·T + β·M + γ·S per service + the interactions' costs, which depend on\n"
     "  whether both ends run the same way, under the constraints (tech fixed, must,\n"
     "  same_as, different_from). With [[node]] tables it also places the services onto\n"
     "  the nodes within their CPU and memory (a MIP through GLPK).\n"
     "Prints the plan, its total and the cost per term, and for every service why it\n"
     "runs where it does (forced, tied to a forced service, or what moving it would cost).\n"
     "\n"
     "Options:\n"
     "  --explain              each service's costs on both technologies, its\n"
     "                         interactions, and the reason in full\n"
     "  --json                 the plan as one JSON object (docs/json.md)\n"
     "  --method exact|exhaustive|greedy\n"
     "                         exact (default): minimum cut, branch and bound when a pair\n"
     "                         table is not submodular; exhaustive: every assignment (at\n"
     "                         most 24 services); greedy: the baseline, no guarantee\n"
     "  --coefficients FILE    the cost model's coefficients (TOML; docs/plan.md)\n"
     "  --history DB           blend what weld up measured (SQLite; docs/plan.md,\n"
     "                         History) into the costs; the explanation cites it\n"
     "\n"
     "Exit status: 0 a plan, 1 the constraints cannot all hold (the chain of constraints\n"
     "is printed) or the nodes cannot hold the services, 2 bad manifest, bad\n"
     "coefficients, usage error or an unsupported request (`not supported: ...`).\n",
     cli_cmd_plan},
    {"bench", "efficiency [OPTIONS] [MODULE]", "measure pooled instances: start, memory, density, CPU",
     "`weld bench efficiency` measures, inside this process, pooled instances of one workload\n"
     "for each pool (copy-on-write: memories mapped from the module's image, discarded on\n"
     "release; resident: memories copied and kept resident): the cold start (engine, compile,\n"
     "store, instance, one call), the warm start (store + instance + work(1) + the store freed;\n"
     "median and 90th percentile of --runs), PSS and RSS per live instance (the growth of the\n"
     "process over --live instances), density (instances made until PSS grew by --budget, at\n"
     "most --cap) and the CPU time of work(--work). It prints a table and the `[wasm]`\n"
     "coefficients of `weld plan` (docs/plan.md); --json writes all of it (docs/json.md), and\n"
     "`weld plan --coefficients` reads that document.\n"
     "\n"
     "The workload is a built-in one-page module (bench/efficiency/service.c's algorithm in\n"
     "WebAssembly text), checked against the same algorithm in C, which also gives the CPU\n"
     "overhead over native; or MODULE, which must export `work: (i32) -> i32` (--invoke names\n"
     "another), import nothing and keep its memory within the pool's 16 MiB slots; its\n"
     "answers are checked from instance to instance.\n"
     "\n"
     "Options:\n"
     "  --json              print one JSON object\n"
     "  --pool both|copy-on-write|resident   which pools (default both)\n"
     "  --work N            rounds for the CPU figure (default 200000)\n"
     "  --runs N            warm starts (default 2000)\n"
     "  --live N            live instances for the memory figures (default 1000)\n"
     "  --budget SIZE       memory budget for density (default 256MiB)\n"
     "  --cap N             instances made at most (default 16000)\n"
     "  --invoke NAME       the workload's export (default work)\n"
     "  --tier T            interp, baseline, auto or optimized (default: WELD_TIER or auto)\n"
     "\n"
     "Exit status: 0 measured, 1 the module is malformed or invalid, fails to instantiate or\n"
     "traps, 2 usage error, unreadable file or a module without the export.\n",
     cli_cmd_bench},
    {"up", "[--foreground] [--metrics PORT] [--replan] [--history DB] APP.toml", "start an application: WebAssembly services and containers",
     "Starts every service of an application manifest (docs/app-manifest.md): WebAssembly\n"
     "services inside a supervisor process (one store per instance, the policy and limits\n"
     "of the manifest), containers through runc from an OCI layout or a registry. The\n"
     "technology of a service left open is the planner's choice (weld plan). Interactions\n"
     "pass through the supervisor's proxy, which measures them (weld diag). There is no\n"
     "daemon: the supervisor is the application's own process (docs/executor.md).\n"
     "\n"
     "Options:\n"
     "  --foreground           supervise in this process until SIGINT or SIGTERM\n"
     "  --metrics PORT         serve Prometheus text at http://127.0.0.1:PORT/metrics\n"
     "  --replan               plan from the history; when the application is up, move\n"
     "                         the services whose technology changes, and only those\n"
     "  --history DB           the history database (default: STATE_ROOT/.history/NAME.db)\n"
     "\n"
     "Exit status: 0 up, 1 a service could not start (nothing is left running), 2 bad\n"
     "manifest or usage, or the application is already up.\n",
     cli_cmd_up},
    {"serve", "[OPTIONS] COMPONENT", "serve HTTP with a component's wasi:http/incoming-handler",
     "Listens for HTTP requests and answers each with the component's\n"
     "wasi:http/incoming-handler export (the wasi:http/proxy world), in a fresh instance\n"
     "per request: the component is compiled once, the policy and limits hold for each\n"
     "request (--timeout is per request). A trap, or a handler that sets no response,\n"
     "answers 500 and is logged on stderr. Outgoing requests reach only the hosts the\n"
     "policy grants (`[net] connect`, docs/policy.md). SIGINT or SIGTERM stop it.\n"
     "\n"
     "Options:\n"
     "  --addr HOST:PORT       where to listen (default 127.0.0.1:8080; port 0: any free\n"
     "                         one, the line on stderr says which)\n"
     "  --timeout DURATION, --fuel N, --max-memory SIZE, --max-stack N,\n"
     "  --max-table-elements N, --max-instances N   limits, as for weld run\n"
     "  --dir, --env, --policy FILE, --preset NAME, --log-denials   as for weld run\n"
     "\n"
     "Exit status: 0 after SIGINT/SIGTERM, 1 not a wasi:http/proxy component, 2 usage or\n"
     "the address cannot be bound (docs/components.md).\n",
     cli_cmd_serve},
    {"ps", "[APP]", "the services of a running application",
     "Prints each service of the application (its name or manifest; optional when only one\n"
     "is up): technology, state, container pid or running/total instances, ports,\n"
     "restarts and the last exit status.\n",
     cli_cmd_ps},
    {"logs", "[--follow] [--app NAME] SERVICE", "a service's output",
     "Prints what a service wrote (standard error, and standard output unless it feeds a\n"
     "pipeline).\n"
     "\n"
     "Options:\n"
     "  -f, --follow           keep printing until the application stops\n"
     "  --app NAME             the application (optional when only one is up)\n",
     cli_cmd_logs},
    {"down", "[APP]", "stop an application and remove everything it made",
     "Stops the supervisor, which stops every service; then removes the containers,\n"
     "bundles, sockets and the state directory — also what a killed supervisor left.\n",
     cli_cmd_down},
    {"diag", "[--mermaid|--prometheus] [APP]", "the interactions between services, as the proxy measured them",
     "Per interaction: calls, errors, bytes each way, average latency and p50/p95/p99/max\n"
     "(from a power-of-two histogram), then the hotspots with their reasons.\n"
     "\n"
     "Options:\n"
     "  --mermaid              a Mermaid graph instead, edges coloured by health\n"
     "  --prometheus           the counters in Prometheus text format instead\n",
     cli_cmd_diag},
    {"pkg", "SUBCOMMAND [OPTIONS] [ARGS]", "packages: make, publish, find and install components",
     "Packages are components with a manifest (component.toml), stored as Wasm OCI\n"
     "artifacts in a registry: a directory in the OCI image-layout format (the default,\n"
     "no server) or any OCI distribution registry (docs/packages.md).\n"
     "\n"
     "Subcommands:\n"
     "  new NAME [--dir DIR] [--lang c]\n"
     "                             a manifest and a WIT world in DIR (default NAME); with\n"
     "                             --lang c also C source and a build (weld pkg build)\n"
     "  add NAME[@REQ] [--optional] [--features LIST]\n"
     "                             add or change a dependency (REQ: a Cargo requirement;\n"
     "                             without one, ^ the newest release)\n"
     "  install [--locked] [--features LIST] [--no-default-features]\n"
     "          [--trusted-key FILE.pub]... [--require-signatures] [--policy FILE]\n"
     "                             resolve, fetch, verify, install into .weld/packages and\n"
     "                             write weld.lock (--locked: fail rather than change it);\n"
     "                             a signature by a trusted key must verify, and with\n"
     "                             --require-signatures every package needs one; with\n"
     "                             --policy each package is audited against FILE first\n"
     "  tree [--json]              the locked dependency tree\n"
     "  publish [--sign FILE.key]  publish the project's component to the registry,\n"
     "                             signed (ed25519) with --sign\n"
     "  keygen NAME [--dir DIR]    a signing key pair: NAME.key (secret) and NAME.pub\n"
     "  build                      run [build] command ($WELD: this weld) and check its\n"
     "                             output\n"
     "  yank NAME@VERSION [--undo] keep a version from new resolutions (or allow it again)\n"
     "  search [QUERY] [--json]    packages in the registry, newest versions\n"
     "  verify                     the project's [[file]] checksums and the installed\n"
     "                             packages against weld.lock\n"
     "  cache [dir|size|clean] [--json]  the local blob cache\n"
     "  run NAME@VERSION [ARGS...] fetch a package and its dependencies, compose them and\n"
     "                             run the result (wasi:cli/run)\n"
     "\n"
     "Options:\n"
     "  --registry URL|DIR  an http(s):// registry (an optional path is a namespace) or a\n"
     "                      registry directory; else $WELD_REGISTRY, else [pkg] registry in\n"
     "                      $WELD_CONFIG (~/.config/weld/config.toml), else\n"
     "                      ~/.local/share/weld/registry\n"
     "  --project DIR       the project directory (default .)\n"
     "Credentials: $WELD_REGISTRY_USERNAME, $WELD_REGISTRY_PASSWORD (basic, or for a\n"
     "bearer token), else ~/.docker/config.json's auths ($DOCKER_CONFIG). The cache:\n"
     "$WELD_CACHE_DIR (default ~/.cache/weld).\n"
     "\n"
     "Exit status: 0 success, 1 failure (refused, not found, conflict, not supported),\n"
     "2 usage error.\n",
     cli_cmd_pkg},
    {"wit", "SUBCOMMAND [OPTIONS] PATH", "WIT packages: check, print, generate bindings",
     "WIT (WebAssembly Interface Types) packages: a .wit file, or a directory of .wit\n"
     "files with its dependencies in deps/ (docs/wit.md).\n"
     "\n"
     "Subcommands:\n"
     "  check [-q] PATH            parse and resolve; errors as FILE:LINE:COL: message\n"
     "  print PATH                 the resolved package in canonical form, dependencies\n"
     "                             as nested packages; a component: its world\n"
     "  bindgen --lang c [--world W] -o DIR PATH\n"
     "                             C guest bindings: DIR/WORLD.h and DIR/WORLD.c\n"
     "\n"
     "Options:\n"
     "  --quiet, -q   check: no output when valid\n"
     "  --world W     bindgen: the world (default: the package's only world)\n"
     "  --lang LANG   bindgen: the language (c)\n"
     "  --out-dir, -o DIR  bindgen: where the files go\n"
     "\n"
     "Exit status: 0 valid, 1 invalid or not supported, 2 usage error or unreadable path.\n",
     cli_cmd_wit},
    {"component", "new --wit PATH [--world W] -o OUT CORE.wasm", "wrap a core module into a component for a WIT world",
     "Wraps a core module built for the canonical ABI (exports NAME or INTERFACE#NAME,\n"
     "cabi_realloc, cabi_post_NAME; imports $root or interface functions) into a\n"
     "component for the world, validated before it is written (docs/wit.md).\n"
     "\n"
     "Options:\n"
     "  --wit PATH     the WIT package (a .wit file or a directory)\n"
     "  --world W      the world (default: the package's only world)\n"
     "  --output, -o OUT  the component to write\n"
     "  --emit-wat     write the component text instead of the binary\n"
     "\n"
     "Exit status: 0 written, 1 refused or not supported, 2 usage error.\n",
     cli_cmd_component},
    {"help", "[COMMAND]", "show help for weld or for one command", NULL, cmd_help},
    {"version", "", "print the version and the git commit", NULL, cmd_version},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

const cli_command *cli_find_command(const char *name) {
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0) return &commands[i];
  return NULL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "weld: ");
  if (cmd) fprintf(stderr, "%s: ", cmd);
  vfprintf(stderr, fmt, ap);
  if (cmd) fprintf(stderr, " (see 'weld help %s')\n", cmd);
  else fprintf(stderr, " (see 'weld help')\n");
  va_end(ap);
  return CLI_EXIT_USAGE;
}

static void print_usage(FILE *f) {
  fprintf(f,
          "weld %s — a WebAssembly runtime\n"
          "\n"
          "usage: weld COMMAND [OPTIONS] [ARGS]\n"
          "       weld [RUN OPTIONS] FILE [ARGS...]   (same as `weld run`)\n"
          "\n"
          "commands:\n",
          WELD_VERSION);
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f,
          "\n"
          "`weld help COMMAND` or `weld COMMAND --help` shows a command's options.\n"
          "`weld --version` prints the version and the commit it was built from.\n");
}

void cli_print_command_help(FILE *f, const cli_command *c) {
  fprintf(f, "usage: weld %s%s%s\n\n%s\n", c->name, c->args[0] ? " " : "", c->args, c->summary);
  if (c->help) fprintf(f, "\n%s", c->help);
}

static int cmd_help(int argc, char **argv) {
  if (argc == 1) {
    print_usage(stdout);
    return CLI_EXIT_OK;
  }
  if (argc > 2) return cli_usage_error("help", "too many arguments");
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) name = "help";
  const cli_command *c = cli_find_command(name);
  char buf[96];
  if (!c) return cli_usage_error(NULL, "unknown command '%s'%s", argv[1], command_suggestion(argv[1], buf, sizeof buf));
  cli_print_command_help(stdout, c);
  return CLI_EXIT_OK;
}

static int cmd_version(int argc, char **argv) {
  if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
    return cmd_help(2, (char *[]){(char *)"help", (char *)"version", NULL});
  if (argc > 1) return cli_usage_error("version", "unexpected argument '%s'", argv[1]);
  printf("weld %s (commit %s)\n", WELD_VERSION, WELD_COMMIT);
  return CLI_EXIT_OK;
}

/* "; did you mean 'inspect'?" for a misspelt command, or "". */
static const char *command_suggestion(const char *name, char *buf, size_t n) {
  const char *names[NCOMMANDS];
  for (size_t i = 0; i < NCOMMANDS; i++) names[i] = commands[i].name;
  const char *s = cli_suggest(name, names, NCOMMANDS);
  if (!s) return "";
  snprintf(buf, n, "; did you mean '%s'?", s);
  return buf;
}

/* `weld FILE [ARGS...]` and `weld --run-option ... FILE` mean `weld run ...`: a first
 * argument that is not a command but names a module (.wasm, .wat, or any existing file)
 * or is one of run's options. */
static bool implies_run(const char *arg) {
  if (cli_is_option(arg)) return cli_run_knows_option(arg);
  size_t n = strlen(arg);
  if ((n > 5 && strcmp(arg + n - 5, ".wasm") == 0) || (n > 4 && strcmp(arg + n - 4, ".wat") == 0))
    return true;
  struct stat st;
  return stat(arg, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* ---- start-up: the functions a start runs, mapped in one call -------------------------------
 * A start of weld runs code from some dozens of pages of its executable, and each first
 * touch of a page is a page fault (the kernel then maps up to 16 neighbouring pages that
 * are in the page cache). On a virtual machine a fault costs some 10 us, while mapping
 * pages already in the page cache costs about 0.2 us each when one system call asks for a
 * range. cmake/startup-order.ld puts the functions a start runs together at the front of
 * the text and bounds them with the two symbols below; before a command runs, weld maps
 * that range (some 100 pages) with MADV_POPULATE_READ, which reads nothing the start would
 * not read anyway. Without the linker script (the symbols are then null) or on a kernel
 * before Linux 5.14 (the call fails) nothing changes. The read-only data and the zeroed
 * data were measured the same way and left alone: a start touches few of their pages, so
 * mapping them all costs about what it saves. */
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
extern const char weld_startup_text_begin[] __attribute__((weak, visibility("hidden")));
extern const char weld_startup_text_end[] __attribute__((weak, visibility("hidden")));

static void map_startup_text(void) {
  if (!weld_startup_text_begin || !weld_startup_text_end) return;
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  uintptr_t from = (uintptr_t)weld_startup_text_begin & ~(page - 1);
  uintptr_t to = (uintptr_t)weld_startup_text_end;
  if (to > from) (void)madvise((void *)from, to - from, MADV_POPULATE_READ);
}

/* The same for the first part of the heap: the C library's allocator takes its first
 * 132 KiB from the data segment's break at the first malloc, and a start writes most of
 * those pages (the module's bytes, its decoded form, the engine): made present in one call
 * (~0.65 us a page) instead of a fault each (~9 us). Only where the first block does come
 * from below the break (glibc's main arena; not an allocator of a sanitizer, nor a break
 * that could not grow). Faults of `run hello.wasm`: 114 -> 98. */
static void map_heap_top(void) {
#if defined(__SANITIZE_ADDRESS__)
  return;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
  return;
#endif
#endif
  void *volatile first = malloc(1);
  uintptr_t p = (uintptr_t)first, top = (uintptr_t)sbrk(0);
  free(first);
  if (p && top != (uintptr_t)-1 && top > p && top - p <= ((uintptr_t)1 << 20)) util_populate((void *)p, top - p);
}

int main(int argc, char **argv) {
  map_startup_text();
  map_heap_top();
  if (argc < 2) {
    print_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *name = argv[1];
  char buf[96];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) return cmd_help(1, argv + 1);
  if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) return cmd_version(1, argv + 1);
  const cli_command *c = cli_find_command(name);
  int rc;
  /* a compile the auto tier runs in the background does not hold up the exit */
  jit_tierup_exit_abandons();
  if (c) {
    rc = c->run(argc - 1, argv + 1);
  } else if (implies_run(name)) {
    argv[0] = (char *)"run";
    rc = cli_find_command("run")->run(argc, argv);
  } else if (cli_is_option(name)) {
    const char *const top[] = {"--help", "--version"};
    const char *s = cli_suggest(name, top, 2);
    if (s) snprintf(buf, sizeof buf, "; did you mean '%s'?", s);
    return cli_usage_error(NULL, "unknown option '%s'%s", name, s ? buf : "");
  } else {
    return cli_usage_error(NULL, "unknown command '%s'%s", name, command_suggestion(name, buf, sizeof buf));
  }
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "weld: error writing output\n");
    return rc ? rc : CLI_EXIT_USAGE;
  }
  return rc;
}

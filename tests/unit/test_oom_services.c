/* The oom group's second half: out of memory in what surrounds the runtime — policy
 * loading, the audit and the DWARF line table here; WASI and the standard C API in
 * test_oom_capi.c. Each scenario runs
 * once per allocation it makes, with that allocation failing (util_alloc_fail_at), until
 * a run makes fewer allocations than the one failed, which proves every allocation was
 * tried. Every failed run must report out of memory in that scenario's way ("out of
 * memory" errors, ENOMEM to the guest, NULL or an empty vector from wasm.h, the "out of
 * memory" trap) and leave nothing half made; the ASan build checks for leaks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "policy/policy.h"
#include "text/text.h"
#include "oom.h"
#include "wasm/module.h"

/* ---------- policy loading ------------------------------------------------------------ */

typedef struct policy_ctx {
  char path[256];
  policy p;
  size_t ndirs, npaths, nenv, nnet;
} policy_ctx;

static void policy_setup(void *v) {
  policy_ctx *c = v;
  policy_init(&c->p);
  /* what an earlier source granted: a failed load must leave exactly this */
  CHECK(policy_profile(&c->p, "readonly-fs", NULL));
  CHECK(policy_add_dir(&c->p, "/srv", "/srv", POLICY_OP_READ));
  CHECK(policy_add_env(&c->p, "KEEP", "1"));
  c->ndirs = c->p.ndirs, c->npaths = c->p.npaths, c->nenv = c->p.nenv, c->nnet = c->p.nnet;
}

static void policy_teardown(void *v) { policy_free(&((policy_ctx *)v)->p); }

static int policy_run(void *v) {
  policy_ctx *c = v;
  util_error err;
  util_error_clear(&err);
  if (policy_parse_file(&c->p, c->path, &err)) {
    bool whole = c->p.ndirs == c->ndirs + 3 && c->p.npaths == c->npaths + 6 && c->p.nenv == c->nenv + 4 &&
                 c->p.nnet == c->nnet + 3 && c->p.name && strcmp(c->p.name, "many-sections") == 0 &&
                 c->p.limits.fuel == 5000 && c->p.allow_clocks;
    if (!whole) fprintf(stderr, "oom policy: loaded, but not all of it\n");
    return whole ? RUN_OK : RUN_BAD;
  }
  if (err.kind != UTIL_ERR_OOM || !says_oom(err.msg)) {
    fprintf(stderr, "oom policy: %s\n", err.msg);
    return RUN_BAD;
  }
  /* no partial state: the earlier grants, nothing of the file */
  bool same = c->p.ndirs == c->ndirs && c->p.npaths == c->npaths && c->p.nenv == c->nenv &&
              c->p.nnet == c->nnet && c->p.name && strcmp(c->p.name, "readonly-fs") == 0 &&
              c->p.limits.fuel != 5000;
  if (!same) fprintf(stderr, "oom policy: a failed load changed the policy\n");
  return same ? RUN_OOM : RUN_BAD;
}

static int profile_run(void *v) {
  policy_ctx *c = v;
  util_error err;
  util_error_clear(&err);
  if (policy_profile(&c->p, "cli", &err)) return c->p.name && strcmp(c->p.name, "cli") == 0 ? RUN_OK : RUN_BAD;
  bool same = c->p.ndirs == c->ndirs && c->p.nenv == c->nenv && strcmp(c->p.name, "readonly-fs") == 0;
  return err.kind == UTIL_ERR_OOM && says_oom(err.msg) && same ? RUN_OOM : RUN_BAD;
}

static const char many_sections[] =
    "name = \"many-sections\"\n"
    "[fs]\nmax_open_files = 16\nmax_read_total = \"1GiB\"\n"
    "[[fs.dir]]\nhost = \"/tmp/a\"\nguest = \"/a\"\nops = [\"read\", \"list\"]\n"
    "[[fs.dir]]\nhost = \"/tmp/b\"\nguest = \"/b\"\nops = []\n"
    "[[fs.dir]]\nhost = \"/tmp/c\"\nops = [\"all\"]\n"
    "[[fs.path]]\npath = \"/b/logs/\"\nops = [\"write\", \"create\"]\nmax_write = \"16MiB\"\n"
    "[[fs.path]]\npath = \"/b/*.csv\"\nops = [\"read\", \"write\", \"create\"]\n"
    "[[fs.path]]\npath = \"/a/secrets/\"\nops = []\n"
    "[[fs.path]]\npath = \"/a/**/*.key\"\nops = []\n"
    "[[fs.path]]\npath = \"/a/./x//y\"\nops = [\"read\"]\nmatch = \"exact\"\n"
    "[[fs.path]]\npath = \"/b/\\u00e9t\\u00e9/\"\nops = [\"read\"]\n"
    "[env]\ninherit = false\npass = [\"LANG\", \"TZ\"]\n"
    "set = { MODE = \"production\", REGION = 'eu-west' }\n"
    "[net]\nconnect = [\"api.example.com:443\", \"[::1]:5432\"]\nlisten = [\"127.0.0.1:8000-8099\"]\n"
    "[stdio]\nstdin = false\nstdout = true\n"
    "[system]\nclocks = true\nrandom = true\n"
    "[limits]\nmemory = \"256MiB\"\nfuel = 5_000\ntimeout = \"30s\"\nmax_stack = 20_000\n"
    "[audit]\nmax_risk = \"moderate\"\n";

static void oom_policy(const char *dir) {
  policy_ctx c;
  snprintf(c.path, sizeof c.path, "%s/many.toml", dir);
  if (!CHECK(write_file(c.path, many_sections))) return;
  scenario sc = {"policy", policy_setup, policy_run, policy_teardown, false};
  each_allocation(&sc, &c);
  scenario pr = {"preset", policy_setup, profile_run, policy_teardown, false};
  each_allocation(&pr, &c);
}

/* ---------- the audit ------------------------------------------------------------------- */

typedef struct audit_ctx {
  wasm_module *m;
  policy p;
} audit_ctx;

static int audit_run(void *v) {
  audit_ctx *c = v;
  audit_report r;
  util_error err;
  util_error_clear(&err);
  if (audit_module(c->m, &c->p, &r, &err)) {
    bool whole = r.nimports == 6 && r.nexports == 2 && r.nproducers == 2 && r.nembedded == 1 && r.start_name &&
                 r.nviolations > 0 && r.nreasons > 0 && r.policy_name && !r.oom;
    if (!whole) fprintf(stderr, "oom audit: a report with parts missing\n");
    audit_report_free(&r);
    return whole ? RUN_OK : RUN_BAD;
  }
  /* nothing is left for the caller to free, and nothing reads as a passing report */
  bool empty = !r.imports && !r.reasons && !r.violations && !r.exports && !r.producers && !r.oom;
  if (err.kind != UTIL_ERR_OOM || !says_oom(err.msg) || !empty) {
    fprintf(stderr, "oom audit: %s\n", err.msg);
    return RUN_BAD;
  }
  return RUN_OOM;
}

static const char audit_wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"path_open\" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\" (func (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_unstable\" \"random_get\" (func (param i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"sock_accept\" (func (param i32 i32 i32) (result i32)))\n"
    "  (import \"env\" \"opaque\" (func))\n"
    "  (import \"env\" \"table\" (table 1 funcref))\n"
    "  (memory (export \"memory\") 2)\n"
    "  (data (i32.const 64) \"\\7fELF\\02\\01\\01\")\n"
    "  (func $init (export \"init\") (drop (memory.grow (i32.const 1))) (call 4))\n"
    "  (start $init))\n";

/* tool-conventions producers: language C 11, processed-by clang 16 */
static const uint8_t producers[] = {0x00, 0x31, 9, 'p', 'r', 'o', 'd', 'u', 'c', 'e', 'r', 's', 2,
                                    8, 'l', 'a', 'n', 'g', 'u', 'a', 'g', 'e', 1, 1, 'C', 2, '1', '1',
                                    12, 'p', 'r', 'o', 'c', 'e', 's', 's', 'e', 'd', '-', 'b', 'y', 1,
                                    5, 'c', 'l', 'a', 'n', 'g', 2, '1', '6'};

static void oom_audit(void) {
  uint8_t *bin = NULL;
  size_t len = 0;
  util_error err;
  util_error_clear(&err);
  if (!CHECK(text_wat_to_binary(audit_wat, strlen(audit_wat), "audit.wat", &bin, &len, &err))) {
    fprintf(stderr, "%s\n", err.msg);
    return;
  }
  CHECK_EQ_U64(sizeof producers, 2 + 0x31);
  uint8_t *full = malloc(len + sizeof producers);
  if (!CHECK(full)) {
    free(bin);
    return;
  }
  memcpy(full, bin, len);
  memcpy(full + len, producers, sizeof producers);
  audit_ctx c;
  c.m = wasm_decode(full, len + sizeof producers, &err);
  if (CHECK(c.m)) {
    policy_init(&c.p);
    c.p.name = strdup("tight");
    CHECK(policy_add_dir(&c.p, "/tmp", "/tmp", POLICY_OP_READ));
    c.p.limits.memory_bytes = 65536;
    scenario sc = {"audit", NULL, audit_run, NULL, false};
    each_allocation(&sc, &c);
    policy_free(&c.p);
    wasm_module_free(c.m);
  } else {
    fprintf(stderr, "%s\n", err.msg);
  }
  free(full);
  free(bin);
}

/* ---------- the DWARF line table ------------------------------------------------------------ */

typedef struct line_ctx {
  wasm_module *m;
  uint32_t *offsets;   /* every code offset the table answers for, and the answers */
  const char **files;
  uint32_t *lines, *cols;
  size_t n;
} line_ctx;

static int lines_run(void *v) {
  line_ctx *c = v;
  wasm_line_table_free(c->m); /* each run builds the table again */
  const char *file;
  uint32_t line, col;
  /* the first lookup builds the table: its answer, or none when out of memory */
  bool first = wasm_line_lookup(c->m, c->offsets[0], &file, &line, &col);
  int r = first ? RUN_OK : RUN_OOM;
  if (first && (strcmp(file, c->files[0]) != 0 || line != c->lines[0] || col != c->cols[0])) return RUN_BAD;
  /* nothing half built was kept: every later lookup gives the whole table's answers */
  for (size_t i = 0; i < c->n; i++) {
    if (!wasm_line_lookup(c->m, c->offsets[i], &file, &line, &col) || strcmp(file, c->files[i]) != 0 ||
        line != c->lines[i] || col != c->cols[i]) {
      fprintf(stderr, "oom debug_line: offset %u answers differently\n", c->offsets[i]);
      return RUN_BAD;
    }
  }
  return r;
}

static const char debug_c[] =
    "static int poke(int *p, int i) { return p[i] * 3; }\n"
    "int middle(int *p, int n) {\n"
    "  int s = 0;\n"
    "  for (int i = 0; i < n; i++)\n"
    "    s += poke(p, i);\n"
    "  return s;\n"
    "}\n"
    "int main(void) { int a[4] = {1, 2, 3, 4}; return middle(a, 4) == 30 ? 0 : 1; }\n";

static void oom_debug_line(const char *dir) {
  char src[300], out[300], cmd[1024];
  snprintf(src, sizeof src, "%s/dbg.c", dir);
  snprintf(out, sizeof out, "%s/dbg.wasm", dir);
  if (!CHECK(write_file(src, debug_c))) return;
  for (int dwarf = 4; dwarf <= 5; dwarf++) {
    snprintf(cmd, sizeof cmd, "clang --target=wasm32-wasi -gdwarf-%d -O0 -o '%s' '%s' >/dev/null 2>&1", dwarf,
             out, src);
    if (system(cmd) != 0) {
      fprintf(stderr, "oom debug_line: skipped (DWARF %d): clang --target=wasm32-wasi could not build a module "
                      "with -g here\n", dwarf);
      return;
    }
    uint8_t *bytes = NULL;
    size_t len = 0;
    util_error err;
    util_error_clear(&err);
    if (!CHECK(util_read_file(out, &bytes, &len, &err))) return;
    line_ctx c = {0};
    c.m = wasm_decode(bytes, len, &err);
    if (CHECK(c.m)) {
      /* the reference answers, from the table built without failures */
      uint32_t code_start = 0, code_size = 0;
      for (uint32_t i = 0; i < c.m->nsections; i++)
        if (c.m->sections[i].id == 10) code_start = c.m->sections[i].offset, code_size = c.m->sections[i].size;
      c.offsets = calloc(code_size + 1, sizeof *c.offsets);
      c.files = calloc(code_size + 1, sizeof *c.files);
      c.lines = calloc(code_size + 1, sizeof *c.lines);
      c.cols = calloc(code_size + 1, sizeof *c.cols);
      for (uint32_t off = code_start; c.offsets && c.files && c.lines && c.cols && off < code_start + code_size; off++) {
        const char *file;
        uint32_t line, col;
        if (!wasm_line_lookup(c.m, off, &file, &line, &col)) continue;
        c.offsets[c.n] = off, c.files[c.n] = file, c.lines[c.n] = line, c.cols[c.n] = col;
        c.n++;
      }
      bool ours = false; /* the rows include dbg.c's own lines */
      for (size_t i = 0; i < c.n; i++) ours |= strstr(c.files[i], "dbg.c") && c.lines[i] >= 1 && c.lines[i] <= 8;
      if (CHECK(c.n > 0 && ours)) {
        /* the strings of the reference table die with it: keep copies */
        for (size_t i = 0; i < c.n; i++) c.files[i] = strdup(c.files[i]);
        scenario sc = {dwarf == 4 ? "debug_line (DWARF 4)" : "debug_line (DWARF 5)", NULL, lines_run, NULL, false};
        each_allocation(&sc, &c);
        for (size_t i = 0; i < c.n; i++) free((void *)c.files[i]);
      }
      free(c.offsets);
      free(c.files);
      free(c.lines);
      free(c.cols);
      wasm_module_free(c.m);
    }
    free(bytes);
  }
}

void oom_services(void);
void oom_services(void) {
  char dir[] = "/tmp/weld-oom-XXXXXX";
  if (!CHECK(mkdtemp(dir))) return;
  oom_policy(dir);
  oom_audit();
  oom_debug_line(dir);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0);
}

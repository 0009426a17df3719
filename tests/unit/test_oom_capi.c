/* The oom group, continued: WASI (setting a context up, and a guest's path_open,
 * fd_readdir and poll_oneoff) through weld.h, and the standard C API (wasm.h). See
 * oom.h for how each scenario is run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oom.h"
#include "text/text.h"
#include "wasm.h"
#include "weld.h"

/* ---------- WASI: a context, and a guest's calls ---------------------------------------- */

/* run() returns 0, or 1000 * step + the errno of the first call that failed. */
static const char wasi_wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"path_open\"\n"
    "    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_readdir\" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"poll_oneoff\" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_close\" (func $fd_close (param i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"environ_sizes_get\" (func $env_sizes (param i32 i32) (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 16) \"sub/new.txt\")\n"
    "  (data (i32.const 32) \"sub\")\n"
    "  (data (i32.const 48) \"sub/../link/a.key\")\n"
    "  (func (export \"run\") (result i32) (local $e i32) (local $fd i32) (local $dir i32)\n"
    "    ;; 1: create sub/new.txt (beneath a policy with a glob hole: real-location checks)\n"
    "    (local.set $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 16) (i32.const 11)\n"
    "      (i32.const 1) (i64.const 0x42) (i64.const 0) (i32.const 0) (i32.const 0)))\n"
    "    (if (local.get $e) (then (return (i32.add (i32.const 1000) (local.get $e)))))\n"
    "    (local.set $fd (i32.load (i32.const 0)))\n"
    "    ;; 2: open sub as a directory and list it\n"
    "    (local.set $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 32) (i32.const 3)\n"
    "      (i32.const 2) (i64.const 0x4000) (i64.const 0) (i32.const 0) (i32.const 4)))\n"
    "    (if (local.get $e) (then (return (i32.add (i32.const 2000) (local.get $e)))))\n"
    "    (local.set $dir (i32.load (i32.const 4)))\n"
    "    (local.set $e (call $fd_readdir (local.get $dir) (i32.const 1024) (i32.const 512) (i64.const 0) (i32.const 8)))\n"
    "    (if (local.get $e) (then (return (i32.add (i32.const 3000) (local.get $e)))))\n"
    "    ;; 3: a key file through a symlink falls in the glob hole: refused (EACCES = 2)\n"
    "    (local.set $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 48) (i32.const 17)\n"
    "      (i32.const 0) (i64.const 0x2) (i64.const 0) (i32.const 0) (i32.const 12)))\n"
    "    (if (i32.ne (local.get $e) (i32.const 2)) (then (return (i32.add (i32.const 4000) (local.get $e)))))\n"
    "    ;; 4: poll a relative clock and a read on the new file\n"
    "    (i64.store (i32.const 2048) (i64.const 1))\n"
    "    (i32.store8 (i32.const 2056) (i32.const 0))\n"
    "    (i32.store (i32.const 2064) (i32.const 1))\n"
    "    (i64.store (i32.const 2072) (i64.const 1000))\n"
    "    (i64.store (i32.const 2096) (i64.const 2))\n"
    "    (i32.store8 (i32.const 2104) (i32.const 1))\n"
    "    (i32.store (i32.const 2112) (local.get $fd))\n"
    "    (local.set $e (call $poll_oneoff (i32.const 2048) (i32.const 2304) (i32.const 2) (i32.const 16)))\n"
    "    (if (local.get $e) (then (return (i32.add (i32.const 5000) (local.get $e)))))\n"
    "    (local.set $e (call $env_sizes (i32.const 20) (i32.const 24)))\n"
    "    (if (local.get $e) (then (return (i32.add (i32.const 6000) (local.get $e)))))\n"
    "    (drop (call $fd_close (local.get $dir)))\n"
    "    (drop (call $fd_close (local.get $fd)))\n"
    "    (i32.const 0)))\n";

typedef struct wasi_ctx_t {
  char dir[200], policy[256], created[256];
  weld_engine *e;
  weld_module *m;
  unsigned long guest_enomem; /* runs where a call gave the guest ENOMEM */
  int steps_hit[8];           /* per step of run() */
} wasi_test;

static void wasi_setup(void *v) { unlink(((wasi_test *)v)->created); }

static int oom_error(weld_error *err, const char *step) {
  int r = err && weld_error_get_kind(err) == WELD_ERROR_LIMIT && says_oom(weld_error_message(err)) ? RUN_OOM : RUN_BAD;
  if (r == RUN_BAD) fprintf(stderr, "oom wasi: %s: %s\n", step, err ? weld_error_message(err) : "(no error)");
  weld_error_free(err);
  return r;
}

static int wasi_run(void *v) {
  wasi_test *c = v;
  weld_store *s = weld_store_new(c->e);
  if (!s) return RUN_OOM;
  const char *argv[] = {"prog", "arg"}, *env[] = {"C=3"};
  weld_wasi_config cfg = {.argv = argv, .argc = 2, .policy_file = c->policy, .env = env, .nenv = 1};
  weld_error *err = NULL;
  int r;
  weld_wasi *w = weld_wasi_new(&cfg, &err);
  if (!w) {
    r = oom_error(err, "weld_wasi_new");
    goto out;
  }
  weld_import imps[8];
  long n = weld_wasi_imports(w, s, c->m, imps, &err);
  if (n < 0) {
    r = oom_error(err, "weld_wasi_imports");
    goto out;
  }
  weld_trap *trap = NULL;
  weld_instance *inst = weld_instance_new(s, c->m, imps, (size_t)n, &trap, &err);
  if (!inst) {
    r = trap ? (says_oom(weld_trap_message(trap)) ? RUN_OOM : RUN_BAD) : oom_error(err, "weld_instance_new");
    weld_trap_free(trap);
    goto out;
  }
  if (!weld_wasi_bind(w, inst, &err)) {
    r = oom_error(err, "weld_wasi_bind");
    goto out;
  }
  weld_val res[1];
  trap = weld_func_call(weld_instance_func(inst, "run"), NULL, 0, res, 1);
  if (trap) {
    r = says_oom(weld_trap_message(trap)) ? RUN_OOM : RUN_BAD;
    if (r == RUN_BAD) fprintf(stderr, "oom wasi: run trapped: %s\n", weld_trap_message(trap));
    weld_trap_free(trap);
  } else if (res[0].of.i32 == 0) {
    r = RUN_OK;
  } else if (res[0].of.i32 % 1000 == 48) { /* ENOMEM, to the guest */
    r = RUN_OOM;
    c->guest_enomem++;
    if (res[0].of.i32 / 1000 < 8) c->steps_hit[res[0].of.i32 / 1000]++;
  } else {
    fprintf(stderr, "oom wasi: step %d failed with errno %d\n", res[0].of.i32 / 1000, res[0].of.i32 % 1000);
    r = RUN_BAD;
  }
out:
  weld_wasi_free(w);
  weld_store_free(s);
  return r;
}

static void oom_wasi(const char *dir) {
  wasi_test c;
  snprintf(c.dir, sizeof c.dir, "%s/tree", dir);
  char path[300], text[1024];
  snprintf(path, sizeof path, "%s/sub", c.dir);
  CHECK(mkdir(c.dir, 0755) == 0 && mkdir(path, 0755) == 0);
  snprintf(path, sizeof path, "%s/a.key", c.dir);
  CHECK(write_file(path, "secret"));
  snprintf(path, sizeof path, "%s/link", c.dir);
  CHECK(symlink(".", path) == 0);
  snprintf(c.created, sizeof c.created, "%s/sub/new.txt", c.dir);
  snprintf(c.policy, sizeof c.policy, "%s/wasi.toml", dir);
  snprintf(text, sizeof text,
           "name = \"oom-wasi\"\n"
           "[[fs.dir]]\nhost = \"%s\"\nguest = \"/data\"\nops = [\"read\", \"write\", \"create\", \"list\"]\n"
           "[[fs.path]]\npath = \"/data/**/*.key\"\nops = []\n"
           "[env]\nset = { A = \"1\", B = \"2\" }\n"
           "[system]\nclocks = true\n",
           c.dir);
  if (!CHECK(write_file(c.policy, text))) return;
  c.e = weld_engine_new(NULL);
  weld_error *err = NULL;
  c.m = c.e ? weld_module_new(c.e, (const uint8_t *)wasi_wat, strlen(wasi_wat), &err) : NULL;
  if (CHECK(c.m)) {
    scenario sc = {"wasi", wasi_setup, wasi_run, NULL, false};
    c.guest_enomem = 0;
    memset(c.steps_hit, 0, sizeof c.steps_hit);
    each_allocation(&sc, &c);
    /* the guest's own calls met the failures too: path_open (creating, and a directory),
     * fd_readdir and poll_oneoff each answered ENOMEM at least once */
    CHECK(c.steps_hit[1] > 0 && c.steps_hit[2] > 0 && c.steps_hit[3] > 0 && c.steps_hit[5] > 0);
    fprintf(stderr, "oom wasi: ENOMEM reached the guest %lu times (path_open %d, %d, fd_readdir %d, poll_oneoff %d)\n",
            c.guest_enomem, c.steps_hit[1], c.steps_hit[2], c.steps_hit[3], c.steps_hit[5]);
  } else if (err) {
    fprintf(stderr, "%s\n", weld_error_message(err));
  }
  weld_error_free(err);
  weld_module_free(c.m);
  weld_engine_free(c.e);
}

/* ---------- the standard C API ----------------------------------------------------------- */

static wasm_trap_t *capi_host(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  int32_t x = args->data[0].of.i32;
  if (x == 0) {
    wasm_message_t msg;
    wasm_name_new_from_string_nt(&msg, "host says no");
    /* the message could not be made: the callback says why */
    static char oom[] = "out of memory";
    wasm_message_t fallback = {sizeof oom, oom};
    wasm_trap_t *t = wasm_trap_new(NULL, msg.size ? &msg : &fallback); /* never NULL */
    wasm_byte_vec_delete(&msg);
    return t;
  }
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = x * 2;
  return NULL;
}

static const char capi_wat[] =
    "(module\n"
    "  (import \"env\" \"h\" (func $h (param i32) (result i32)))\n"
    "  (table 2 funcref)\n"
    "  (elem (i32.const 0) $f)\n"
    "  (func $f (export \"f\") (param i32) (result i32) (i32.add (call $h (local.get 0)) (i32.const 1)))\n"
    "  (func (export \"ref\") (result funcref) (table.get (i32.const 0)))\n"
    "  (func (export \"trap\") unreachable))\n";

typedef struct capi_ctx {
  wasm_byte_vec_t bin;
} capi_ctx;

/* A trap's message is the one expected, or "out of memory" (counted as a failure seen). */
static bool trap_is(wasm_trap_t *t, const char *want, int *failures) {
  if (!t) return false;
  wasm_message_t msg;
  wasm_trap_message(t, &msg);
  /* an instantiation failing for lack of memory says what it was making */
  bool ok = msg.size && strcmp(msg.data, want) == 0;
  bool oom = msg.size && strstr(msg.data, "out of memory");
  bool none = !msg.size; /* the message itself could not be copied */
  if (none || oom) (*failures)++;
  if (!ok && !oom && !none) fprintf(stderr, "oom capi: trap \"%s\", expected \"%s\"\n", msg.data, want);
  wasm_byte_vec_delete(&msg);
  return ok || oom || none;
}

static int capi_run(void *v) {
  capi_ctx *c = v;
  int failures = 0;
  bool right = true;
  wasm_engine_t *e = wasm_engine_new();
  wasm_store_t *s = e ? wasm_store_new(e) : NULL;
  wasm_module_t *m = s ? wasm_module_new(s, &c->bin) : NULL;
  if (!m) {
    failures++;
    goto done_store;
  }
  wasm_importtype_vec_t its;
  wasm_exporttype_vec_t ets;
  wasm_module_imports(m, &its);
  wasm_module_exports(m, &ets);
  failures += (its.size != 1) + (ets.size != 3);
  if (its.size == 1) {
    const wasm_functype_t *ft = wasm_externtype_as_functype_const(wasm_importtype_type(its.data[0]));
    right &= ft && wasm_functype_params(ft)->size == 1;
  }
  wasm_importtype_vec_delete(&its);
  wasm_exporttype_vec_delete(&ets);
  wasm_valtype_t *p = wasm_valtype_new_i32(), *r = wasm_valtype_new_i32();
  failures += !p + !r;
  wasm_functype_t *ft = wasm_functype_new_1_1(p, r);
  /* its vectors come out empty when they cannot be made */
  if (ft && (wasm_functype_params(ft)->size != 1 || wasm_functype_results(ft)->size != 1)) {
    failures += p && r;
    wasm_functype_delete(ft);
    ft = NULL;
    p = r = NULL;
  }
  wasm_func_t *h = ft ? wasm_func_new(s, ft, capi_host) : NULL;
  wasm_functype_delete(ft);
  if (!h) {
    failures += !!ft; /* a NULL type was counted already */
    failures += !ft && p && r;
    goto done_module;
  }
  wasm_extern_t *imp[1] = {wasm_func_as_extern(h)};
  wasm_extern_vec_t iv = {1, imp};
  wasm_trap_t *trap = NULL;
  wasm_instance_t *inst = wasm_instance_new(s, m, &iv, &trap);
  if (!inst) {
    failures++;
    right &= trap_is(trap, "out of memory", &failures);
    wasm_trap_delete(trap);
    goto done_func;
  }
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  if (ex.size != 3) {
    failures++;
  } else {
    wasm_func_t *f = wasm_extern_as_func(ex.data[0]), *ref = wasm_extern_as_func(ex.data[1]),
                *tr = wasm_extern_as_func(ex.data[2]);
    wasm_val_t a[1] = {WASM_I32_VAL(20)}, res[1] = {WASM_INIT_VAL};
    wasm_val_vec_t av = {1, a}, rv = {1, res}, none = {0, NULL};
    wasm_trap_t *t = wasm_func_call(f, &av, &rv);
    if (t) right &= trap_is(t, "out of memory", &failures);
    else right &= res[0].of.i32 == 41;
    wasm_trap_delete(t);
    a[0].of.i32 = 0; /* the host function traps */
    t = wasm_func_call(f, &av, &rv);
    right &= t && trap_is(t, "host says no", &failures);
    wasm_trap_delete(t);
    t = wasm_func_call(ref, &none, &rv);
    if (t) right &= trap_is(t, "out of memory", &failures);
    else if (!res[0].of.ref) failures++;
    wasm_val_delete(&res[0]);
    wasm_trap_delete(t);
    t = wasm_func_call(tr, &none, &none);
    right &= t && trap_is(t, "unreachable", &failures);
    if (t) {
      wasm_frame_vec_t frames;
      wasm_trap_trace(t, &frames);
      failures += frames.size != 1;
      wasm_frame_t *origin = wasm_trap_origin(t);
      failures += !origin;
      wasm_frame_delete(origin);
      wasm_frame_vec_delete(&frames);
    }
    wasm_trap_delete(t);
  }
  wasm_extern_vec_delete(&ex);
  wasm_shared_module_t *sh = wasm_module_share(m);
  wasm_module_t *m2 = sh ? wasm_module_obtain(s, sh) : NULL;
  failures += !sh + !m2;
  wasm_module_delete(m2);
  wasm_shared_module_delete(sh);
  wasm_byte_vec_t ser;
  wasm_module_serialize(m, &ser);
  failures += !ser.size;
  wasm_byte_vec_delete(&ser);
  wasm_instance_delete(inst);
done_func:
  wasm_func_delete(h);
done_module:
  wasm_module_delete(m);
done_store:
  failures += !e || !s;
  wasm_store_delete(s);
  wasm_engine_delete(e);
  if (!right) return RUN_BAD;
  return failures ? RUN_OOM : RUN_OK;
}

static void oom_capi(void) {
  uint8_t *bin = NULL;
  size_t len = 0;
  util_error err;
  util_error_clear(&err);
  if (!CHECK(text_wat_to_binary(capi_wat, strlen(capi_wat), "capi.wat", &bin, &len, &err))) return;
  capi_ctx c = {{len, (wasm_byte_t *)bin}};
  scenario sc = {"wasm.h", NULL, capi_run, NULL, false};
  each_allocation(&sc, &c);
  free(bin);
}

/* ---------- the profiler ------------------------------------------------------------------- */

/* Starting, writing both forms and stopping (no guest runs, so no sample arrives at a
 * time the count could depend on). */
typedef struct prof_ctx {
  weld_engine *e;
  char folded[256], svg[256];
} prof_ctx;

static int prof_run(void *v) {
  prof_ctx *c = v;
  weld_store *s = weld_store_new(c->e);
  if (!s) return RUN_OOM;
  weld_error *err = NULL;
  int r = RUN_OK;
  weld_profiler *p = weld_profiler_start(s, 1000000, &err);
  if (!p) {
    r = err && says_oom(weld_error_message(err)) ? RUN_OOM : RUN_BAD;
  } else {
    weld_profiler_stop(p);
    if (!weld_profiler_write_folded(p, c->folded, &err) || !weld_profiler_write_svg(p, c->svg, "t", &err))
      r = err && says_oom(weld_error_message(err)) ? RUN_OOM : RUN_BAD;
  }
  if (r == RUN_BAD) fprintf(stderr, "oom profiler: %s\n", err ? weld_error_message(err) : "(no error)");
  weld_error_free(err);
  weld_profiler_free(p);
  weld_store_free(s);
  return r;
}

static void oom_profiler(const char *dir) {
  prof_ctx c;
  snprintf(c.folded, sizeof c.folded, "%s/p.folded", dir);
  snprintf(c.svg, sizeof c.svg, "%s/p.svg", dir);
  c.e = weld_engine_new(NULL);
  if (!CHECK(c.e)) return;
  scenario sc = {"profiler", NULL, prof_run, NULL, false};
  each_allocation(&sc, &c);
  weld_engine_free(c.e);
}

void oom_hosts(void);
void oom_hosts(void) {
  char dir[] = "/tmp/weld-oom-XXXXXX";
  if (!CHECK(mkdtemp(dir))) return;
  oom_wasi(dir);
  oom_capi();
  oom_profiler(dir);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0);
}

/* weld pkg run NAME@VERSION [ARGS...]: the package and its dependencies resolved and
 * fetched (as `install` does, into a scratch project), composed into one component (the
 * package as the root, every dependency a plug) and run as `weld run` runs a component. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "component/compose.h"
#include "pkg.h"

/* The scratch project: a manifest that depends on exactly NAME VERSION. */
static bool make_project(const char *dir, const char *name, const char *version, util_error *err) {
  char path[4200], toml[1024];
  snprintf(path, sizeof path, "%s/component.toml", dir);
  snprintf(toml, sizeof toml, "[package]\nname = \"weld-pkg-run\"\nversion = \"0.0.0\"\n\n[[dependency]]\nname = \"%s\"\nversion = \"=%s\"\n",
           name, version);
  return oci_write_file_atomic(path, toml, strlen(toml), err);
}

static bool read_pkg(const char *dir, const pkg_lock_entry *e, comp_compose_input *in, uint8_t **bytes, util_error *err) {
  char vt[300], path[4800];
  semver_format(&e->version, vt, sizeof vt);
  snprintf(path, sizeof path, "%s/.weld/packages/%s/%s/component.wasm", dir, e->name, vt);
  size_t len;
  if (!util_read_file(path, bytes, &len, err)) return false;
  in->name = e->name;
  in->bytes = *bytes;
  in->len = len;
  return true;
}

/* The release NAME VERSION and its dependencies fetched into the scratch project dir and
 * composed into one component at out_path. */
static bool fetch_composed(const pkg_cli *c, const char *dir, const char *name, const semver *v, const char *version,
                           const char *out_path, util_error *err) {
  pkg_pubkey *trusted = NULL;
  size_t ntrusted = 0;
  bool require = false, have_reg = false, ok = pkg_cli_trust(c, &trusted, &ntrusted, &require, err);
  pkg_registry reg;
  if (ok) ok = have_reg = pkg_open_registry(c, &reg, err);
  if (ok) ok = make_project(dir, name, version, err);
  if (ok) {
    pkg_install_opts o = {dir, false, NULL, 0, false, true, trusted, ntrusted, require, NULL, NULL};
    ok = pkg_install(&reg, &o, err);
  }
  if (have_reg) pkg_registry_close(&reg);
  free(trusted);
  /* the lock lists the scratch root, the package and its dependencies */
  pkg_lock lock = {0};
  bool exists;
  char lpath[4200];
  snprintf(lpath, sizeof lpath, "%s/weld.lock", dir);
  if (ok) ok = pkg_lock_load(&lock, lpath, &exists, err);
  comp_compose_input *in = ok ? calloc(lock.n + 1, sizeof *in) : NULL;
  uint8_t **owned = ok ? calloc(lock.n + 1, sizeof *owned) : NULL;
  if (ok && (!in || !owned)) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  size_t nin = 1;
  for (size_t i = 0; ok && i < lock.n; i++) {
    const pkg_lock_entry *e = &lock.e[i];
    if (!*e->manifest) continue; /* the scratch root */
    bool root = !strcmp(e->name, name) && !semver_cmp(&e->version, v);
    ok = read_pkg(dir, e, &in[root ? 0 : nin], &owned[root ? 0 : nin], err);
    if (!root) nin++;
  }
  if (ok && !owned[0]) ok = util_fail(err, UTIL_ERR_USAGE, -1, "%s %s was not installed", name, version);
  /* composed when it has dependencies */
  if (ok && nin == 1) {
    ok = oci_write_file_atomic(out_path, in[0].bytes, in[0].len, err);
  } else if (ok) {
    util_buf out = {0};
    char why[600] = "";
    if (!comp_compose(in, nin, &out, why, sizeof why)) ok = util_fail(err, UTIL_ERR_USAGE, -1, "composing %s with its dependencies: %s", name, why);
    else ok = oci_write_file_atomic(out_path, out.p, out.len, err);
    util_buf_free(&out);
  }
  for (size_t i = 0; owned && i < nin; i++) free(owned[i]);
  free(owned), free(in);
  pkg_lock_free(&lock);
  return ok;
}

/* NAME@VERSION (an exact version) into name (NUL-terminated inside spec) and v. */
static bool parse_ref(char *spec, semver *v, const char **version) {
  char *at = strchr(spec, '@');
  char why_v[200];
  if (!at || !pkg_name_valid((*at = '\0', spec)) || !semver_parse(at + 1, v, why_v, sizeof why_v)) return false;
  *version = at + 1;
  return true;
}

bool pkg_fetch_release(const char *ref, const char *out_path, util_error *err) {
  char spec[512];
  snprintf(spec, sizeof spec, "%s", ref);
  semver v;
  const char *version;
  if (!parse_ref(spec, &v, &version))
    return util_fail(err, UTIL_ERR_USAGE, -1, "package \"%s\" is not NAME@VERSION (an exact version)", ref);
  char dir[] = "/tmp/weld-pkg-run-XXXXXX";
  if (!mkdtemp(dir)) return util_fail(err, UTIL_ERR_IO, -1, "cannot make a scratch directory: %s", strerror(errno));
  pkg_cli c = {.sub = "run", .project = dir};
  bool ok = fetch_composed(&c, dir, spec, &v, version, out_path, err);
  pkg_rm_tree(dir);
  return ok;
}

int pkg_cmd_run(const pkg_cli *c) {
  util_error err;
  util_error_clear(&err);
  char spec[512];
  snprintf(spec, sizeof spec, "%s", c->operands[0]);
  semver v;
  const char *version;
  if (!parse_ref(spec, &v, &version)) {
    fprintf(stderr, "weld: pkg run: \"%s\" is not NAME@VERSION (an exact version)\n", c->operands[0]);
    return CLI_EXIT_USAGE;
  }
  const char *name = spec;
  char dir[] = "/tmp/weld-pkg-run-XXXXXX";
  if (!mkdtemp(dir)) {
    fprintf(stderr, "weld: pkg run: cannot make a scratch directory: %s\n", strerror(errno));
    return 1;
  }
  char run_path[4200];
  snprintf(run_path, sizeof run_path, "%s/run.wasm", dir);
  bool ok = fetch_composed(c, dir, name, &v, version, run_path, &err);
  int rc = 0;
  if (!ok) {
    rc = pkg_fail(c, &err);
  } else {
    /* `weld run` in a child, so the scratch directory goes when it ends */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      char **argv = calloc((size_t)c->noperands + 3, sizeof *argv);
      if (!argv) _exit(1);
      argv[0] = "weld", argv[1] = "run", argv[2] = run_path;
      for (int i = 1; i < c->noperands; i++) argv[i + 2] = (char *)c->operands[i];
      execv("/proc/self/exe", argv);
      fprintf(stderr, "weld: pkg run: cannot run weld: %s\n", strerror(errno));
      _exit(1);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0) rc = 1;
    else rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
  pkg_rm_tree(dir);
  return rc;
}

/* weld pkg install, publish, yank, search and verify (the registry side of weld pkg). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit/audit.h"
#include "pkg.h"
#include "util/sha256.h"

/* The trusted keys: the configuration's trusted-keys and every --trusted-key. */
static bool load_trusted(const pkg_cli *c, const pkg_config *cfg, pkg_pubkey **out, size_t *n, util_error *err) {
  size_t total = cfg->ntrusted + (size_t)c->ntrusted_keys;
  *n = 0;
  *out = NULL;
  if (!total) return true;
  if (!(*out = calloc(total, sizeof **out))) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  for (size_t i = 0; i < total; i++) {
    const char *f = i < cfg->ntrusted ? cfg->trusted_keys[i] : c->trusted_keys[i - cfg->ntrusted];
    if (!pkg_key_load_public(f, &(*out)[i], err)) {
      free(*out);
      *out = NULL;
      return false;
    }
  }
  *n = total;
  return true;
}

bool pkg_cli_trust(const pkg_cli *c, pkg_pubkey **trusted, size_t *ntrusted, bool *require, util_error *err) {
  pkg_config cfg;
  if (!pkg_read_config(&cfg, err)) return false;
  bool ok = load_trusted(c, &cfg, trusted, ntrusted, err);
  *require = c->require_signatures || cfg.require_signatures;
  pkg_config_free(&cfg);
  if (ok && *require && !*ntrusted)
    ok = util_fail(err, UTIL_ERR_USAGE, -1, "signatures are required, but no key is trusted (--trusted-key FILE.pub, or "
                                            "trusted-keys in the configuration's [pkg])");
  if (!ok) free(*trusted), *trusted = NULL;
  return ok;
}

/* install --policy: a package (component or module) whose audit finds a violation of the
 * policy is refused, naming the first violation. */
static bool audit_package(void *ud, const pkg_release *rel, const uint8_t *wasm, size_t len, util_error *err) {
  const policy *pol = ud;
  char vt[300];
  semver_format(&rel->version, vt, sizeof vt);
  util_error e;
  util_error_clear(&e);
  audit_report r;
  bool audited;
  bool is_component = len >= 8 && !memcmp(wasm, "\0asm", 4) && wasm[6] == 1 && wasm[7] == 0;
  if (is_component) {
    comp_component *cc = comp_decode(wasm, len, &e);
    comp_info *info = NULL;
    audited = cc && comp_validate(cc, &info, &e) && audit_component(info, pol, &r, &e);
    comp_info_free(info);
    if (cc) comp_free(cc);
  } else {
    wasm_module *m = wasm_decode(wasm, len, &e);
    audited = m && audit_module(m, pol, &r, &e);
    if (m) wasm_module_free(m);
  }
  if (!audited) return util_fail(err, UTIL_ERR_INVALID, -1, "%s %s cannot be audited: %s", rel->name, vt, e.msg);
  bool ok = audit_passed(&r);
  if (!ok)
    util_fail(err, UTIL_ERR_USAGE, -1, "%s %s asks for more than the policy %s grants (%zu violation%s; the first: %s)", rel->name,
              vt, pol->name ? pol->name : "", r.nviolations, r.nviolations == 1 ? "" : "s", r.violations[0].message);
  audit_report_free(&r);
  return ok;
}

int pkg_cmd_install(const pkg_cli *c) {
  util_error err;
  util_error_clear(&err);
  pkg_pubkey *trusted = NULL;
  size_t ntrusted = 0;
  bool require = false;
  bool ok = pkg_cli_trust(c, &trusted, &ntrusted, &require, &err);
  pkg_registry reg;
  if (!ok || !pkg_open_registry(c, &reg, &err)) {
    free(trusted);
    return pkg_fail(c, &err);
  }
  size_t nf;
  char *copy;
  const char **fs = pkg_split_features(c->features, &nf, &copy);
  policy pol;
  policy_init(&pol);
  ok = !c->policy || policy_parse_file(&pol, c->policy, &err);
  pkg_install_opts o = {c->project, c->locked, fs, nf, c->no_default_features, false, trusted, ntrusted, require,
                        c->policy ? audit_package : NULL, &pol};
  if (ok) ok = pkg_install(&reg, &o, &err);
  policy_free(&pol);
  free(fs), free(copy);
  free(trusted);
  pkg_registry_close(&reg);
  return ok ? 0 : pkg_fail(c, &err);
}

int pkg_cmd_keygen(const pkg_cli *c) {
  util_error err;
  util_error_clear(&err);
  char base[4200];
  if (c->dir) snprintf(base, sizeof base, "%s/%s", c->dir, c->operands[0]);
  else snprintf(base, sizeof base, "%s", c->operands[0]);
  pkg_pubkey k;
  if (!pkg_key_generate(base, c->operands[0], &k, &err)) return pkg_fail(c, &err);
  printf("wrote %s.key (secret: keep it private) and %s.pub (give it to those who install your packages)\nkey %s\n", base,
         base, k.id);
  return 0;
}

/* Checks the project's [[file]] entries against the files on disk. */
static bool check_files(const pkg_manifest *m, const char *project, bool print, util_error *err) {
  for (size_t i = 0; i < m->nfiles; i++) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", project, m->files[i].path);
    uint8_t *data;
    size_t len;
    if (!util_read_file(path, &data, &len, err)) return false;
    char hex[65];
    util_sha256_hex(data, len, hex);
    free(data);
    if (strcmp(hex, m->files[i].sha256) || len != m->files[i].size)
      return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: sha256 %s and size %zu, but component.toml says %s and %llu", path,
                       hex, len, m->files[i].sha256, (unsigned long long)m->files[i].size);
    if (print) printf("ok %s\n", m->files[i].path);
  }
  if (m->checksum && m->nfiles) {
    char sum[72];
    if (!pkg_manifest_checksum(m, sum)) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    if (strcmp(sum, m->checksum))
      return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: the package checksum is %s, but the [[file]] list gives %s",
                       m->filename, m->checksum, sum);
  }
  return true;
}

/* The component (or module) must decode and validate before it is published. */
static bool check_wasm(const char *path, const uint8_t *bytes, size_t len, bool *is_component, util_error *err) {
  *is_component = len >= 8 && !memcmp(bytes, "\0asm", 4) && bytes[6] == 1 && bytes[7] == 0;
  util_error e;
  util_error_clear(&e);
  if (*is_component) {
    comp_component *cc = comp_decode(bytes, len, &e);
    comp_info *info = NULL;
    bool ok = cc && comp_validate(cc, &info, &e);
    comp_info_free(info);
    if (cc) comp_free(cc);
    if (!ok) return util_fail(err, UTIL_ERR_INVALID, -1, "%s: not a valid component: %s", path, e.msg);
    return true;
  }
  wasm_module *m = wasm_decode(bytes, len, &e);
  bool ok = m && wasm_validate(m, &e);
  if (m) wasm_module_free(m);
  if (!ok) return util_fail(err, UTIL_ERR_INVALID, -1, "%s: not a valid WebAssembly module or component: %s", path, e.msg);
  return true;
}

int pkg_cmd_publish(const pkg_cli *c) {
  util_error err;
  util_error_clear(&err);
  char mpath[4200];
  snprintf(mpath, sizeof mpath, "%s/component.toml", c->project);
  uint8_t *text;
  size_t tlen;
  if (!util_read_file(mpath, &text, &tlen, &err)) return pkg_fail(c, &err);
  pkg_manifest m;
  if (!pkg_manifest_parse(&m, (const char *)text, tlen, mpath, &err)) {
    free(text);
    return pkg_fail(c, &err);
  }
  const char *comp = m.component ? m.component : m.build_output;
  uint8_t *wasm = NULL, *out = NULL;
  size_t wlen = 0, olen = 0;
  bool is_component = false, ok = true;
  char wpath[4200];
  if (!comp) ok = util_fail(&err, UTIL_ERR_USAGE, -1, "%s: [package] needs 'component' (the .wasm file to publish)", mpath);
  if (ok) {
    snprintf(wpath, sizeof wpath, "%s/%s", c->project, comp);
    ok = util_read_file(wpath, &wasm, &wlen, &err) && check_wasm(wpath, wasm, wlen, &is_component, &err) &&
         check_files(&m, c->project, false, &err);
  }
  /* The published manifest lists the component with its sha256 and carries the package
   * checksum; both are added when the project's file does not have them. */
  if (ok) {
    char hex[65];
    util_sha256_hex(wasm, wlen, hex);
    bool listed = false;
    for (size_t i = 0; i < m.nfiles; i++) listed |= !strcmp(m.files[i].path, comp);
    size_t cap = tlen + 512;
    out = malloc(cap);
    if (!out) ok = util_fail(&err, UTIL_ERR_OOM, -1, "out of memory");
    if (ok) {
      memcpy(out, text, tlen);
      olen = tlen;
      if (olen && out[olen - 1] != '\n') out[olen++] = '\n';
      if (!listed)
        olen += (size_t)snprintf((char *)out + olen, cap - olen, "\n[[file]]\npath = \"%s\"\nsha256 = \"%s\"\nsize = %zu\n",
                                 comp, hex, wlen);
      out[olen] = '\0';
    }
    pkg_manifest m2;
    if (ok && !m.checksum) {
      /* the checksum goes right under the [package] header */
      ok = pkg_manifest_parse(&m2, (const char *)out, olen, mpath, &err);
      char sum[72];
      if (ok && !pkg_manifest_checksum(&m2, sum)) ok = util_fail(&err, UTIL_ERR_OOM, -1, "out of memory");
      if (ok) pkg_manifest_free(&m2);
      /* the line after the [package] header, as the reader saw it (not a comment that
       * happens to say "[package]") */
      const toml_value *pt = ok ? toml_get(m.doc.root, "package") : NULL;
      if (ok && pt) {
        size_t at = 0;
        for (int line = 1; line <= pt->line && at < olen; at++)
          if (out[at] == '\n') line++;
        char line[100];
        int w = snprintf(line, sizeof line, "checksum = \"%s\"\n", sum);
        uint8_t *o2 = malloc(olen + (size_t)w);
        if (!o2) {
          ok = util_fail(&err, UTIL_ERR_OOM, -1, "out of memory");
        } else {
          memcpy(o2, out, at);
          memcpy(o2 + at, line, (size_t)w);
          memcpy(o2 + at + w, out + at, olen - at);
          free(out);
          out = o2;
          olen += (size_t)w;
        }
      }
    }
  }
  pkg_manifest pub;
  bool have_pub = false;
  if (ok) ok = have_pub = pkg_manifest_parse(&pub, (const char *)out, olen, mpath, &err);
  if (ok) ok = check_files(&pub, c->project, false, &err);
  pkg_registry reg;
  bool have_reg = false;
  char digest[OCI_DIGEST_MAX];
  pkg_seckey key;
  if (ok && c->sign) ok = pkg_key_load_secret(c->sign, &key, &err);
  if (ok) ok = have_reg = pkg_open_registry(c, &reg, &err);
  if (ok) ok = pkg_publish(&reg, &pub, (const char *)out, olen, wasm, wlen, is_component, c->sign ? &key : NULL, digest, &err);
  char key_id[PKG_KEY_ID_LEN] = "";
  if (c->sign) {
    memcpy(key_id, key.pub.id, sizeof key_id);
    memset(&key, 0, sizeof key);
  }
  if (ok) {
    char vt[300];
    printf("published %s %s (%s, %zu bytes) to %s\nmanifest %s\n", pub.name, semver_format(&pub.version, vt, sizeof vt),
           is_component ? "component" : "core module", wlen, oci_registry_where(reg.oci), digest);
    if (c->sign) printf("signed by key %s\n", key_id);
  }
  if (have_reg) pkg_registry_close(&reg);
  if (have_pub) pkg_manifest_free(&pub);
  pkg_manifest_free(&m);
  free(text), free(wasm), free(out);
  return ok ? 0 : pkg_fail(c, &err);
}

static bool name_at_version(const pkg_cli *c, char *name, size_t n, semver *v) {
  const char *spec = c->operands[0], *at = strchr(spec, '@');
  char why[200];
  if (!at || (size_t)(at - spec) >= n) {
    fprintf(stderr, "weld: pkg %s: expected NAME@VERSION, not \"%s\"\n", c->sub, spec);
    return false;
  }
  memcpy(name, spec, (size_t)(at - spec));
  name[at - spec] = '\0';
  if (!semver_parse(at + 1, v, why, sizeof why)) {
    fprintf(stderr, "weld: pkg %s: bad version \"%s\": %s\n", c->sub, at + 1, why);
    return false;
  }
  return true;
}

int pkg_cmd_yank(const pkg_cli *c) {
  char name[300];
  semver v;
  if (!name_at_version(c, name, sizeof name, &v)) return CLI_EXIT_USAGE;
  util_error err;
  util_error_clear(&err);
  pkg_registry reg;
  if (!pkg_open_registry(c, &reg, &err)) return pkg_fail(c, &err);
  bool ok = pkg_yank(&reg, name, &v, c->undo, &err);
  char vt[300];
  if (ok) printf("%s %s %s\n", c->undo ? "unyanked" : "yanked", name, semver_format(&v, vt, sizeof vt));
  pkg_registry_close(&reg);
  return ok ? 0 : pkg_fail(c, &err);
}

int pkg_cmd_search(const pkg_cli *c) {
  const char *q = c->noperands ? c->operands[0] : "";
  util_error err;
  util_error_clear(&err);
  pkg_registry reg;
  if (!pkg_open_registry(c, &reg, &err)) return pkg_fail(c, &err);
  char **repos;
  size_t n;
  if (!oci_catalog(reg.oci, &repos, &n, &err)) {
    pkg_registry_close(&reg);
    return pkg_fail(c, &err);
  }
  cli_json j;
  if (c->json) {
    cli_json_init(&j, stdout);
    cli_json_doc_begin(&j, "pkg search", NULL);
    cli_json_key(&j, "registry");
    cli_json_str(&j, oci_registry_where(reg.oci));
    cli_json_key(&j, "packages");
    cli_json_array(&j);
  }
  bool ok = true;
  size_t found = 0;
  for (size_t i = 0; ok && i < n; i++) {
    if (!strstr(repos[i], q) || !pkg_name_valid(repos[i])) continue;
    const pkg_release *const *rels;
    size_t nr;
    if (!pkg_registry_releases(&reg, repos[i], &rels, &nr, &err)) {
      ok = false;
      break;
    }
    const pkg_release *best = NULL;
    for (size_t k = 0; k < nr && !best; k++)
      if (!rels[k]->yanked && !*rels[k]->version.pre) best = rels[k];
    for (size_t k = 0; k < nr && !best; k++)
      if (!rels[k]->yanked) best = rels[k];
    if (!best) continue;
    found++;
    char vt[300];
    semver_format(&best->version, vt, sizeof vt);
    if (c->json) {
      cli_json_object(&j);
      cli_json_key(&j, "name");
      cli_json_str(&j, repos[i]);
      cli_json_key(&j, "version");
      cli_json_str(&j, vt);
      cli_json_key(&j, "versions");
      cli_json_uint(&j, nr);
      cli_json_key(&j, "description");
      if (best->description) cli_json_str(&j, best->description);
      else cli_json_null(&j);
      cli_json_end(&j);
    } else {
      printf("%s %s%s%s\n", repos[i], vt, best->description && *best->description ? "  " : "",
             best->description ? best->description : "");
    }
  }
  if (c->json && ok) {
    cli_json_end(&j);
    cli_json_end(&j);
    cli_json_finish(&j);
  }
  if (ok && !c->json && !found) printf("no packages%s%s%s in %s\n", *q ? " matching \"" : "", q, *q ? "\"" : "", oci_registry_where(reg.oci));
  oci_strings_free(repos, n);
  pkg_registry_close(&reg);
  return ok ? 0 : pkg_fail(c, &err);
}

int pkg_cmd_verify(const pkg_cli *c) {
  util_error err;
  util_error_clear(&err);
  char mpath[4200], lpath[4200];
  snprintf(mpath, sizeof mpath, "%s/component.toml", c->project);
  snprintf(lpath, sizeof lpath, "%s/weld.lock", c->project);
  pkg_manifest m;
  if (!pkg_manifest_load(&m, mpath, &err)) return pkg_fail(c, &err);
  bool ok = check_files(&m, c->project, true, &err);
  size_t npk = 0;
  FILE *f = ok ? fopen(lpath, "r") : NULL;
  if (f) {
    fclose(f);
    ok = pkg_verify_installed(c->project, &npk, &err);
  }
  if (ok) printf("verified %zu file%s and %zu installed package%s\n", m.nfiles, m.nfiles == 1 ? "" : "s", npk, npk == 1 ? "" : "s");
  pkg_manifest_free(&m);
  return ok ? 0 : pkg_fail(c, &err);
}

/* weld pkg build: [build] command run by /bin/sh in the project directory; its output must
 * then be a valid component or module. */
int pkg_cmd_build(const pkg_cli *c) {
  util_error err;
  util_error_clear(&err);
  char mpath[4200];
  snprintf(mpath, sizeof mpath, "%s/component.toml", c->project);
  pkg_manifest m;
  if (!pkg_manifest_load(&m, mpath, &err)) return pkg_fail(c, &err);
  int rc = 0;
  if (!m.has_build || !m.build_command || !m.build_output) {
    util_fail(&err, UTIL_ERR_USAGE, -1, "%s: [build] needs command (run by /bin/sh in the project) and output (the .wasm it makes)",
              mpath);
    rc = pkg_fail(c, &err);
  }
  if (!rc) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      /* $WELD: this weld, for build commands that generate bindings or wrap components */
      char self[4096];
      ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
      if (n > 0) {
        self[n] = '\0';
        setenv("WELD", self, 1);
      }
      if (chdir(c->project) != 0) _exit(127);
      execl("/bin/sh", "sh", "-c", m.build_command, (char *)NULL);
      _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0) {
      util_fail(&err, UTIL_ERR_IO, -1, "cannot run the build command: %s", strerror(errno));
      rc = pkg_fail(c, &err);
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      if (WIFEXITED(st)) util_fail(&err, UTIL_ERR_USAGE, -1, "the build command `%s` exited with status %d", m.build_command, WEXITSTATUS(st));
      else util_fail(&err, UTIL_ERR_USAGE, -1, "the build command `%s` was killed by signal %d", m.build_command, WTERMSIG(st));
      rc = pkg_fail(c, &err);
    }
  }
  if (!rc) {
    char wpath[4200];
    snprintf(wpath, sizeof wpath, "%s/%s", c->project, m.build_output);
    uint8_t *wasm = NULL;
    size_t wlen;
    bool is_component;
    if (!util_read_file(wpath, &wasm, &wlen, &err) || !check_wasm(wpath, wasm, wlen, &is_component, &err)) {
      free(wasm);
      rc = pkg_fail(c, &err);
    } else {
      char hex[65];
      util_sha256_hex(wasm, wlen, hex);
      printf("built %s (%s, %zu bytes, sha256 %s)\n", m.build_output, is_component ? "component" : "core module", wlen, hex);
      free(wasm);
    }
  }
  pkg_manifest_free(&m);
  return rc;
}

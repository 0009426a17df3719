/* libFuzzer target: the package manager's readers. The first byte picks one:
 *   0  component.toml (src/pkg/manifest.c): a rejection is one "FILE:LINE:COL: message"
 *      line (or out of memory); a manifest that reads has a valid name and a checksum;
 *   1  JSON (src/util/json.c): what parses is written back, and the writing parses again
 *      to the same bytes (the writer's output is a fixed point);
 *   2  an OCI image manifest: what parses is written, read back and written to the
 *      same bytes;
 *   3  a semver version and a requirement (the input split at its first NUL): what
 *      parses formats to text that parses to the same value and the same matching;
 *   4  a public key file (src/pkg/sign.c): a rejection is one line naming the file;
 *   5  a secret key file: one that loads signs a statement its public half verifies,
 *      and the signature of another statement does not verify;
 *   6  a Docker config.json (src/oci/auth.c, looked up for a registry on loopback): a
 *      rejection is one line naming the file, found credentials are NUL-terminated.
 * Nothing may crash, leak or trip a sanitizer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "oci/oci.h"
#include "pkg/manifest.h"
#include "pkg/semver.h"
#include "pkg/sign.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* A scratch directory per process for the file-reading modes, removed at exit. */
static char scratch_dir[64];

static void scratch_remove(void) {
  static const char *const files[] = {"k.pub", "k.sec", "config.json"};
  char path[128];
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", scratch_dir, files[i]);
    unlink(path);
  }
  rmdir(scratch_dir);
}

static const char *scratch(void) {
  if (!scratch_dir[0]) {
    snprintf(scratch_dir, sizeof scratch_dir, "/tmp/weld-fuzz-pkg-%ld", (long)getpid());
    mkdir(scratch_dir, 0700);
    atexit(scratch_remove);
  }
  return scratch_dir;
}

static void put_file(const char *path, const uint8_t *bytes, size_t len, mode_t mode) {
  FILE *f = fopen(path, "wb");
  if (!f) __builtin_trap();
  if (len && fwrite(bytes, 1, len, f) != len) __builtin_trap();
  fclose(f);
  chmod(path, mode);
}

static void one_line_about(const util_error *err, const char *path) {
  if (err->kind == UTIL_ERR_NONE || strchr(err->msg, '\n')) __builtin_trap();
  if (err->kind != UTIL_ERR_OOM && strstr(err->msg, path) == NULL) __builtin_trap();
}

static void check_key(const uint8_t *bytes, size_t len, bool secret) {
  if (!pkg_sign_supported()) return;
  char path[128];
  snprintf(path, sizeof path, "%s/%s", scratch(), secret ? "k.sec" : "k.pub");
  put_file(path, bytes, len, 0600);
  util_error err;
  util_error_clear(&err);
  if (!secret) {
    pkg_pubkey pk;
    if (!pkg_key_load_public(path, &pk, &err)) one_line_about(&err, path);
    return;
  }
  pkg_seckey sk;
  if (!pkg_key_load_secret(path, &sk, &err)) {
    one_line_about(&err, path);
    return;
  }
  char sig[96], key[48];
  if (!pkg_sign(&sk, "statement one", sig, key, &err)) __builtin_trap();
  if (!pkg_sign_verify(&sk.pub, "statement one", sig)) __builtin_trap();
  if (pkg_sign_verify(&sk.pub, "statement two", sig)) __builtin_trap();
}

static void check_docker_config(const uint8_t *bytes, size_t len) {
  char path[128];
  snprintf(path, sizeof path, "%s/config.json", scratch());
  put_file(path, bytes, len, 0600);
  setenv("DOCKER_CONFIG", scratch(), 1);
  char user[256], pass[256];
  bool found = false;
  util_error err;
  util_error_clear(&err);
  if (!oci_docker_credentials("http://127.0.0.1:5000/v2/", user, sizeof user, pass, sizeof pass, &found, &err)) {
    one_line_about(&err, path);
    return;
  }
  if (found && (!memchr(user, 0, sizeof user) || !memchr(pass, 0, sizeof pass))) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_manifest(const char *text, size_t len) {
  pkg_manifest m;
  util_error err;
  if (!pkg_manifest_parse(&m, text, len, "c.toml", &err)) {
    if (err.kind == UTIL_ERR_NONE || strchr(err.msg, '\n')) __builtin_trap();
    if (err.kind != UTIL_ERR_OOM && strncmp(err.msg, "c.toml:", 7) != 0) __builtin_trap();
    return;
  }
  if (!m.name || !pkg_name_valid(m.name)) __builtin_trap();
  char sum[72];
  if (!pkg_manifest_checksum(&m, sum) || strncmp(sum, "sha256:", 7) != 0 || strlen(sum) != 71) __builtin_trap();
  pkg_manifest_free(&m);
}

static void check_json(const char *text, size_t len) {
  json_doc d1, d2;
  util_error err;
  if (!json_parse(&d1, text, len, "f", &err)) {
    json_free(&d1);
    if (err.kind == UTIL_ERR_NONE || strchr(err.msg, '\n')) __builtin_trap();
    return;
  }
  json_buf w1 = {0}, w2 = {0};
  json_value_write(&w1, d1.root);
  if (!w1.out.oom) {
    if (!json_parse(&d2, (const char *)w1.out.p, w1.out.len, "f", &err)) __builtin_trap();
    json_value_write(&w2, d2.root);
    if (!w2.out.oom && (w1.out.len != w2.out.len || memcmp(w1.out.p, w2.out.p, w1.out.len) != 0)) __builtin_trap();
    json_free(&d2);
  }
  json_buf_free(&w1);
  json_buf_free(&w2);
  json_free(&d1);
}

static void check_oci(const uint8_t *bytes, size_t len) {
  oci_manifest m1, m2;
  util_error err;
  if (!oci_manifest_parse(&m1, bytes, len, "m", &err)) {
    if (err.kind == UTIL_ERR_NONE || strchr(err.msg, '\n')) __builtin_trap();
    return;
  }
  uint8_t *o1, *o2;
  size_t n1, n2;
  if (oci_manifest_write(&m1, &o1, &n1, &err)) {
    if (!oci_manifest_parse(&m2, o1, n1, "m", &err)) __builtin_trap();
    if (oci_manifest_write(&m2, &o2, &n2, &err)) {
      if (n1 != n2 || memcmp(o1, o2, n1) != 0) __builtin_trap();
      free(o2);
    }
    oci_manifest_free(&m2);
    free(o1);
  }
  oci_manifest_free(&m1);
}

static void check_semver(const char *text, size_t len) {
  const char *nul = memchr(text, 0, len);
  size_t vlen = nul ? (size_t)(nul - text) : len;
  char vs[256], rs[256], why[128], buf[1024];
  if (vlen >= sizeof vs) return;
  memcpy(vs, text, vlen);
  vs[vlen] = 0;
  size_t rlen = nul ? len - vlen - 1 : 0;
  if (rlen >= sizeof rs) return;
  if (nul) memcpy(rs, nul + 1, rlen);
  rs[rlen] = 0;
  if (memchr(rs, 0, rlen)) return;
  semver v, v2;
  bool have_v = semver_parse(vs, &v, why, sizeof why);
  if (have_v) {
    if (!semver_parse(semver_format(&v, buf, sizeof buf), &v2, why, sizeof why) || semver_cmp(&v, &v2) != 0 ||
        strcmp(v.build, v2.build) != 0)
      __builtin_trap();
  }
  semver_req r, r2;
  if (semver_req_parse(rs, &r, why, sizeof why)) {
    if (!semver_req_parse(semver_req_format(&r, buf, sizeof buf), &r2, why, sizeof why)) __builtin_trap();
    if (have_v && semver_req_matches(&r, &v) != semver_req_matches(&r2, &v)) __builtin_trap();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const char *text = (const char *)data + 1;
  size_t len = size - 1;
  switch (data[0] % 7) {
  case 0: check_manifest(text, len); break;
  case 1: check_json(text, len); break;
  case 2: check_oci(data + 1, len); break;
  case 3: check_semver(text, len); break;
  case 4: check_key(data + 1, len, false); break;
  case 5: check_key(data + 1, len, true); break;
  default: check_docker_config(data + 1, len); break;
  }
  return 0;
}

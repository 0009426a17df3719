/* Package signatures with ed25519 (sign.h). */
#include "pkg/sign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/sha256.h"

#define PUB_TAG "weld-ed25519"
#define SEC_TAG "weld-ed25519-secret"

static void key_id(const uint8_t pk[32], char id[PKG_KEY_ID_LEN]) {
  char hex[65];
  util_sha256_hex(pk, 32, hex);
  memcpy(id, hex, PKG_KEY_ID_LEN - 1);
  id[PKG_KEY_ID_LEN - 1] = '\0';
}

void pkg_sign_statement(const char *name, const char *version, const char *wasm_digest, const char *toml_digest,
                        char *buf, size_t n) {
  snprintf(buf, n, "weld-package-signature-v1\nname %s\nversion %s\ncomponent %s\nmanifest %s\n", name, version,
           wasm_digest, *toml_digest ? toml_digest : "none");
}

#ifdef WELD_HAVE_SODIUM
#include "util/dl_sodium.h"

bool pkg_sign_supported(void) { return util_dynlib_load(&dl_sodium_lib, NULL) && sodium_init() >= 0; }

static bool ready(util_error *err) {
  if (!util_dynlib_need(&dl_sodium_lib, "package signing", err)) return false;
  if (sodium_init() < 0) return util_fail(err, UTIL_ERR_IO, -1, "libsodium could not be initialised");
  return true;
}

bool pkg_sign_need(util_error *err) { return ready(err); }

static bool b64_decode(const char *s, size_t slen, uint8_t *out, size_t want) {
  size_t got = 0;
  const char *end;
  if (sodium_base642bin(out, want, s, slen, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) != 0) return false;
  return got == want && end == s + slen;
}

bool pkg_key_from_base64(const char *b64, pkg_pubkey *out) {
  if (!ready(NULL) || !b64_decode(b64, strlen(b64), out->pk, 32)) return false;
  key_id(out->pk, out->id);
  return true;
}

/* Reads a one-line key file: TAG BASE64 [COMMENT]; *b64 points into *text. */
static bool read_key_line(const char *path, const char *tag, char **text, const char **b64, size_t *b64len,
                          util_error *err) {
  uint8_t *data;
  size_t len;
  if (!util_read_file(path, &data, &len, err)) return false;
  *text = (char *)data;
  size_t tl = strlen(tag);
  if (len < tl + 1 || memcmp(data, tag, tl) || data[tl] != ' ' || memchr(data, '\0', len)) {
    free(data);
    return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s:1:1: not a weld key file (expected a line starting \"%s \")", path, tag);
  }
  const char *p = (const char *)data + tl + 1;
  size_t k = 0;
  while (p + k < (const char *)data + len && p[k] != ' ' && p[k] != '\n' && p[k] != '\r') k++;
  *b64 = p;
  *b64len = k;
  return true;
}

bool pkg_key_load_public(const char *path, pkg_pubkey *out, util_error *err) {
  char *text;
  const char *b64;
  size_t n;
  if (!ready(err) || !read_key_line(path, PUB_TAG, &text, &b64, &n, err)) return false;
  bool ok = b64_decode(b64, n, out->pk, 32);
  if (ok) key_id(out->pk, out->id);
  else util_fail(err, UTIL_ERR_MALFORMED, -1, "%s:1:%zu: the public key is not 32 bytes in base64", path, strlen(PUB_TAG) + 2);
  free(text);
  return ok;
}

bool pkg_key_load_secret(const char *path, pkg_seckey *out, util_error *err) {
  struct stat st;
  if (stat(path, &st) == 0 && (st.st_mode & 077))
    return util_fail(err, UTIL_ERR_USAGE, -1, "%s: a secret key must be readable by its owner only (chmod 600 %s)", path, path);
  char *text;
  const char *b64;
  size_t n;
  if (!ready(err) || !read_key_line(path, SEC_TAG, &text, &b64, &n, err)) return false;
  bool ok = b64_decode(b64, n, out->sk, 64);
  sodium_memzero(text, strlen(text));
  free(text);
  if (!ok) return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s:1:%zu: the secret key is not 64 bytes in base64", path, strlen(SEC_TAG) + 2);
  /* the 64 bytes are the seed and the public key: a public half that is not the seed's
   * would sign with one key and name another (every signature would fail to verify) */
  uint8_t pk[32], sk[64];
  crypto_sign_seed_keypair(pk, sk, out->sk);
  bool same = sodium_memcmp(pk, out->sk + 32, 32) == 0;
  sodium_memzero(sk, sizeof sk);
  if (!same) {
    sodium_memzero(out->sk, sizeof out->sk);
    return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s:1:%zu: the secret key is damaged (its public half is not its seed's)", path,
                     strlen(SEC_TAG) + 2);
  }
  crypto_sign_ed25519_sk_to_pk(out->pub.pk, out->sk);
  key_id(out->pub.pk, out->pub.id);
  return true;
}

static bool write_new(const char *path, const char *text, mode_t mode, util_error *err) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return util_fail(err, UTIL_ERR_IO, -1, "cannot create %s: %s", path, strerror(errno));
  size_t len = strlen(text);
  bool ok = write(fd, text, len) == (ssize_t)len;
  if (close(fd) != 0) ok = false;
  if (!ok) {
    unlink(path);
    return util_fail(err, UTIL_ERR_IO, -1, "cannot write %s", path);
  }
  return true;
}

bool pkg_key_generate(const char *base, const char *comment, pkg_pubkey *out, util_error *err) {
  if (!ready(err)) return false;
  char kpath[4200], ppath[4200];
  snprintf(kpath, sizeof kpath, "%s.key", base);
  snprintf(ppath, sizeof ppath, "%s.pub", base);
  if (!access(kpath, F_OK) || !access(ppath, F_OK))
    return util_fail(err, UTIL_ERR_USAGE, -1, "%s.key or %s.pub already exists (keys are never overwritten)", base, base);
  uint8_t sk[64];
  crypto_sign_keypair(out->pk, sk);
  key_id(out->pk, out->id);
  char line[256], b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, sk, 64, sodium_base64_VARIANT_ORIGINAL);
  snprintf(line, sizeof line, SEC_TAG " %s\n", b64);
  bool ok = write_new(kpath, line, 0600, err);
  sodium_memzero(sk, sizeof sk);
  sodium_memzero(line, sizeof line);
  sodium_memzero(b64, sizeof b64);
  if (!ok) return false;
  sodium_bin2base64(b64, sizeof b64, out->pk, 32, sodium_base64_VARIANT_ORIGINAL);
  char pline[600];
  snprintf(pline, sizeof pline, PUB_TAG " %s%s%.400s\n", b64, comment && *comment ? " " : "", comment ? comment : "");
  if (!write_new(ppath, pline, 0644, err)) {
    unlink(kpath);
    return false;
  }
  return true;
}

bool pkg_sign(const pkg_seckey *k, const char *statement, char sig_b64[96], char key_b64[48], util_error *err) {
  if (!ready(err)) return false;
  uint8_t sig[64];
  crypto_sign_detached(sig, NULL, (const uint8_t *)statement, strlen(statement), k->sk);
  sodium_bin2base64(sig_b64, 96, sig, 64, sodium_base64_VARIANT_ORIGINAL);
  sodium_bin2base64(key_b64, 48, k->pub.pk, 32, sodium_base64_VARIANT_ORIGINAL);
  return true;
}

bool pkg_sign_verify(const pkg_pubkey *k, const char *statement, const char *sig_b64) {
  uint8_t sig[64];
  if (!ready(NULL) || !b64_decode(sig_b64, strlen(sig_b64), sig, 64)) return false;
  return crypto_sign_verify_detached(sig, (const uint8_t *)statement, strlen(statement), k->pk) == 0;
}

#else /* no libsodium */

static bool unsupported(util_error *err) {
  return util_fail(err, UTIL_ERR_LIMIT, -1, "not supported: package signatures (weld was built without libsodium; Debian: libsodium-dev)");
}
bool pkg_sign_supported(void) { return false; }
bool pkg_sign_need(util_error *err) { return unsupported(err); }
bool pkg_key_generate(const char *base, const char *comment, pkg_pubkey *out, util_error *err) { return unsupported(err); }
bool pkg_key_load_public(const char *path, pkg_pubkey *out, util_error *err) { return unsupported(err); }
bool pkg_key_load_secret(const char *path, pkg_seckey *out, util_error *err) { return unsupported(err); }
bool pkg_key_from_base64(const char *b64, pkg_pubkey *out) { return false; }
bool pkg_sign(const pkg_seckey *k, const char *statement, char sig_b64[96], char key_b64[48], util_error *err) {
  return unsupported(err);
}
bool pkg_sign_verify(const pkg_pubkey *k, const char *statement, const char *sig_b64) { return false; }
#endif

/* Package signatures against RFC 8032's Ed25519 test vectors (section 7.1), through the key
 * file format of src/pkg/sign.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/sign.h"
#include "unit.h"

static void unhex(const char *h, uint8_t *out) {
  for (size_t i = 0; h[2 * i]; i++) sscanf(h + 2 * i, "%2hhx", &out[i]);
}

static void b64(const uint8_t *in, size_t n, char *out) {
  static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t k = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
    out[k++] = tab[v >> 18 & 63];
    out[k++] = tab[v >> 12 & 63];
    out[k++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
    out[k++] = i + 2 < n ? tab[v & 63] : '=';
  }
  out[k] = '\0';
}

UNIT_GROUP(pkg_sign) {
  if (!pkg_sign_supported()) {
    util_error err;
    util_error_clear(&err);
    pkg_pubkey k;
    CHECK(!pkg_key_load_public("/nonexistent", &k, &err));
    /* built without libsodium, or it cannot be opened */
    CHECK(strstr(err.msg, "not supported") != NULL || strstr(err.msg, "needs libsodium.so.23: ") != NULL);
    return;
  }
  /* RFC 8032 7.1, TEST 2: a one-byte message 0x72 */
  uint8_t sk[64], sig[64];
  unhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", sk);
  unhex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", sk + 32);
  unhex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00", sig);
  char dir[] = "/tmp/weld-sign-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char kpath[64], ppath[64], line[200], enc[100], want_sig[100];
  snprintf(kpath, sizeof kpath, "%s/t.key", dir);
  snprintf(ppath, sizeof ppath, "%s/t.pub", dir);
  b64(sk, 64, enc);
  snprintf(line, sizeof line, "weld-ed25519-secret %s\n", enc);
  FILE *f = fopen(kpath, "w");
  fputs(line, f);
  fclose(f);
  util_error err;
  util_error_clear(&err);
  pkg_seckey key;
  chmod(kpath, 0644);
  CHECK(!pkg_key_load_secret(kpath, &key, &err));
  CHECK(strstr(err.msg, "readable by its owner only") != NULL);
  chmod(kpath, 0600);
  util_error_clear(&err);
  CHECK(pkg_key_load_secret(kpath, &key, &err));
  CHECK(memcmp(key.pub.pk, sk + 32, 32) == 0);
  char s64[96], k64[48];
  CHECK(pkg_sign(&key, "r", s64, k64, &err));
  b64(sig, 64, want_sig);
  CHECK_STR(s64, want_sig); /* Ed25519 is deterministic: the RFC's signature, byte for byte */
  pkg_pubkey pub;
  CHECK(pkg_key_from_base64(k64, &pub));
  CHECK(pkg_sign_verify(&pub, "r", s64));
  CHECK(!pkg_sign_verify(&pub, "s", s64));
  want_sig[10] = want_sig[10] == 'A' ? 'B' : 'A';
  CHECK(!pkg_sign_verify(&pub, "r", want_sig));
  CHECK(!pkg_sign_verify(&pub, "r", "not base64!"));
  /* RFC 8032 TEST 1: the empty message, checked through a public key file */
  uint8_t pk1[32], sig1[64];
  unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pk1);
  unhex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        sig1);
  b64(pk1, 32, enc);
  snprintf(line, sizeof line, "weld-ed25519 %s rfc8032\n", enc);
  f = fopen(ppath, "w");
  fputs(line, f);
  fclose(f);
  CHECK(pkg_key_load_public(ppath, &pub, &err));
  b64(sig1, 64, want_sig);
  CHECK(pkg_sign_verify(&pub, "", want_sig));
  CHECK(!pkg_sign_verify(&pub, "x", want_sig));
  /* malformed files: one line with the place */
  f = fopen(ppath, "w");
  fputs("ssh-ed25519 AAAA\n", f);
  fclose(f);
  util_error_clear(&err);
  CHECK(!pkg_key_load_public(ppath, &pub, &err));
  CHECK(strstr(err.msg, ":1:1: not a weld key file") != NULL);
  /* generated keys are never written over */
  char base[64];
  snprintf(base, sizeof base, "%s/g", dir);
  util_error_clear(&err);
  CHECK(pkg_key_generate(base, "g", &pub, &err));
  util_error_clear(&err);
  CHECK(!pkg_key_generate(base, "g", &pub, &err));
  char st[300];
  pkg_sign_statement("a", "1.0.0", "sha256:00", "", st, sizeof st);
  CHECK_STR(st, "weld-package-signature-v1\nname a\nversion 1.0.0\ncomponent sha256:00\nmanifest none\n");
  char cmd[100];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
}

/* Package signatures: ed25519 (libsodium) over a statement that names the package, its
 * version and the digests of its two layers (the component and its component.toml), so a
 * signature binds the exact bytes: blobs are checked against those digests when fetched.
 * The statement does not cover the manifest's other annotations, so yanking a release
 * (an annotation) leaves its signature valid.
 *
 * Key files are one line of text:
 *   NAME.pub  "weld-ed25519 BASE64(32-byte public key) COMMENT"
 *   NAME.key  "weld-ed25519-secret BASE64(64-byte secret key)", mode 0600 (refused when
 *             group or others may read it)
 * A key's id is the first 16 hex digits of the sha256 of its public key. In a weld built
 * without libsodium every function fails with "not supported: package signatures (weld was
 * built without libsodium)"; when libsodium.so.23 cannot be opened at run time, with
 * "package signing needs libsodium.so.23: REASON". */
#ifndef WELD_PKG_SIGN_H
#define WELD_PKG_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#define PKG_ANN_SIGNATURE "dev.weld.signature"         /* base64 of the 64-byte signature */
#define PKG_ANN_SIGNATURE_KEY "dev.weld.signature.key" /* base64 of the signer's public key */
#define PKG_KEY_ID_LEN 17                              /* 16 hex digits and a NUL */

typedef struct pkg_pubkey {
  uint8_t pk[32];
  char id[PKG_KEY_ID_LEN];
} pkg_pubkey;

typedef struct pkg_seckey {
  uint8_t sk[64];
  pkg_pubkey pub;
} pkg_seckey;

/* Whether signatures can be made and checked: libsodium is opened on first use
 * (util/dynlib.h), so a weld built with it may still find it missing. pkg_sign_need fills
 * err with why not ("package signing needs libsodium.so.23: ..."). */
bool pkg_sign_supported(void);
bool pkg_sign_need(util_error *err);
/* Writes BASE.key (0600, never over an existing file) and BASE.pub. */
bool pkg_key_generate(const char *base, const char *comment, pkg_pubkey *out, util_error *err);
bool pkg_key_load_public(const char *path, pkg_pubkey *out, util_error *err);
bool pkg_key_load_secret(const char *path, pkg_seckey *out, util_error *err);
/* A public key from its base64 form (the annotation). */
bool pkg_key_from_base64(const char *b64, pkg_pubkey *out);

/* The signed statement; toml_digest is "" for a package without a component.toml. */
void pkg_sign_statement(const char *name, const char *version, const char *wasm_digest, const char *toml_digest,
                        char *buf, size_t n);
/* sig_b64 and key_b64 receive the annotations' values (NUL-terminated). */
bool pkg_sign(const pkg_seckey *k, const char *statement, char sig_b64[96], char key_b64[48], util_error *err);
/* True when sig_b64 is a valid signature of statement by k. */
bool pkg_sign_verify(const pkg_pubkey *k, const char *statement, const char *sig_b64);

#endif

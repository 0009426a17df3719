/* SHA-256 (FIPS 180-4): the digest OCI content addressing and package checksums use.
 * Tested against the standard's example vectors (tests/unit/test_sha256.c). */
#ifndef WELD_UTIL_SHA256_H
#define WELD_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct util_sha256 {
  uint32_t h[8];
  uint64_t total; /* bytes hashed so far */
  uint8_t buf[64];
  size_t nbuf;
} util_sha256;

void util_sha256_init(util_sha256 *s);
void util_sha256_update(util_sha256 *s, const void *data, size_t n);
void util_sha256_final(util_sha256 *s, uint8_t out[32]);
/* One call: the digest of data as 64 lowercase hex digits and a NUL. */
void util_sha256_hex(const void *data, size_t n, char out[65]);
/* out = "sha256:" + 64 hex digits + NUL (72 bytes). */
void util_sha256_digest(const void *data, size_t n, char out[72]);

#endif

/* libsodium: package signatures (src/pkg/sign.c), opened on first use (util/dynlib.h).
 * Calls are written as usual; the names below are redirected to dl_sodium's table, which
 * is filled when dl_sodium_lib is loaded: call util_dynlib_load(&dl_sodium_lib, ...) or
 * util_dynlib_need(&dl_sodium_lib, ...) first. A function the code starts calling is added
 * to DL_SODIUM_FUNCS (else weld does not link: the library is not on the link line). */
#ifndef WELD_UTIL_DL_SODIUM_H
#define WELD_UTIL_DL_SODIUM_H

#include <sodium.h>

#include "util/dynlib.h"

#define DL_SODIUM_SONAME "libsodium.so.23"

#define DL_SODIUM_FUNCS(X, T) \
  X(T, crypto_sign_detached) \
  X(T, crypto_sign_ed25519_sk_to_pk) \
  X(T, crypto_sign_keypair) \
  X(T, crypto_sign_seed_keypair) \
  X(T, crypto_sign_verify_detached) \
  X(T, sodium_base642bin) \
  X(T, sodium_bin2base64) \
  X(T, sodium_init) \
  X(T, sodium_memcmp) \
  X(T, sodium_memzero)

typedef struct dl_sodium_api {
  DL_SODIUM_FUNCS(UTIL_DYNLIB_FIELD, _)
} dl_sodium_api;
extern dl_sodium_api dl_sodium;
extern util_dynlib dl_sodium_lib;

#ifndef DL_NO_REDIRECT
#define crypto_sign_detached (dl_sodium.crypto_sign_detached)
#define crypto_sign_ed25519_sk_to_pk (dl_sodium.crypto_sign_ed25519_sk_to_pk)
#define crypto_sign_keypair (dl_sodium.crypto_sign_keypair)
#define crypto_sign_seed_keypair (dl_sodium.crypto_sign_seed_keypair)
#define crypto_sign_verify_detached (dl_sodium.crypto_sign_verify_detached)
#define sodium_base642bin (dl_sodium.sodium_base642bin)
#define sodium_bin2base64 (dl_sodium.sodium_bin2base64)
#define sodium_init (dl_sodium.sodium_init)
#define sodium_memcmp (dl_sodium.sodium_memcmp)
#define sodium_memzero (dl_sodium.sodium_memzero)
#endif

#endif

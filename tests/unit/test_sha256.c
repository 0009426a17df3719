/* SHA-256 against the examples of FIPS 180-4 (and its companion example document). */
#include <stdlib.h>

#include "unit.h"
#include "util/sha256.h"

UNIT_GROUP(sha256) {
  char hex[65];
  util_sha256_hex("abc", 3, hex);
  CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  util_sha256_hex("", 0, hex);
  CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  util_sha256_hex(two, strlen(two), hex);
  CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  /* a million 'a', fed in uneven pieces so the buffering is exercised */
  util_sha256 s;
  util_sha256_init(&s);
  char *a = malloc(1000000);
  memset(a, 'a', 1000000);
  size_t off = 0, step = 1;
  while (off < 1000000) {
    size_t k = step < 1000000 - off ? step : 1000000 - off;
    util_sha256_update(&s, a + off, k);
    off += k;
    step = step * 3 % 997 + 1;
  }
  free(a);
  uint8_t d[32];
  util_sha256_final(&s, d);
  static const uint8_t want[32] = {0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
                                   0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
                                   0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
  CHECK(memcmp(d, want, 32) == 0);
  /* lengths around the padding boundary (55, 56, 63, 64 bytes) against the one-call form */
  char digest[72];
  util_sha256_digest("abc", 3, digest);
  CHECK_STR(digest, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *b448 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
  util_sha256_hex(b448, strlen(b448), hex);
  CHECK_STR(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

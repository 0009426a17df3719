/* Numeric literals as the spec's lexical grammar defines them: optional sign, decimal or
 * 0x-hex digits with single underscores between digits, floats with exponents, hex
 * floats, inf, nan and nan:0x payloads. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int digit(char c, bool hex) {
  if (c >= '0' && c <= '9') return c - '0';
  if (hex && c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (hex && c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Reads digits with underscores from s[*i..n); requires at least one digit. Accumulates
 * into *v and sets *over when it passes 2^64. */
static bool digits(const char *s, size_t n, size_t *i, bool hex, uint64_t *v, bool *over) {
  size_t k = *i;
  bool any = false;
  while (k < n) {
    int d = digit(s[k], hex);
    if (d < 0) {
      if (s[k] == '_' && any && k + 1 < n && digit(s[k + 1], hex) >= 0) { k++; continue; }
      break;
    }
    uint64_t base = hex ? 16 : 10;
    if (*v > (UINT64_MAX - (uint64_t)d) / base) *over = true;
    *v = *v * base + (uint64_t)d;
    any = true;
    k++;
  }
  *i = k;
  return any;
}

bool text_parse_nat(const char *s, size_t n, uint64_t *out, bool *range) {
  size_t i = 0;
  bool hex = n > 2 && s[0] == '0' && s[1] == 'x';
  if (hex) i = 2;
  uint64_t v = 0;
  bool over = false;
  if (!digits(s, n, &i, hex, &v, &over) || i != n) return false;
  if (over) *range = true;
  *out = v;
  return true;
}

bool text_parse_int(const char *s, size_t n, unsigned bits, uint64_t *out, bool *range) {
  bool neg = false, sign = false;
  if (n && (s[0] == '+' || s[0] == '-')) { neg = s[0] == '-'; sign = true; s++; n--; }
  uint64_t v;
  bool over = false;
  if (!text_parse_nat(s, n, &v, &over)) return false;
  uint64_t umax = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
  uint64_t smin = 1ull << (bits - 1); /* magnitude of the most negative */
  if (over || (neg && v > smin) || (!neg && v > umax)) { *range = true; return true; }
  (void)sign;
  *out = neg ? (0 - v) & umax : v;
  return true;
}

/* Copies the literal without underscores, checking the grammar; returns false on a
 * syntax error. */
static bool clean_float(const char *s, size_t n, char *buf, size_t cap, bool *hexp) {
  size_t i = 0, o = 0;
  if (n + 1 > cap) return false;
  if (i < n && (s[i] == '+' || s[i] == '-')) buf[o++] = s[i++];
  bool hex = n - i > 2 && s[i] == '0' && s[i + 1] == 'x';
  *hexp = hex;
  if (hex) { buf[o++] = '0'; buf[o++] = 'x'; i += 2; }
  size_t start = i;
  uint64_t dummy = 0;
  bool over = false;
  if (!digits(s, n, &i, hex, &dummy, &over)) return false;
  if (i < n && s[i] == '.') {
    i++;
    size_t k = i;
    digits(s, n, &k, hex, &dummy, &over);
    i = k;
  }
  if (i < n && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if (!digits(s, n, &i, false, &dummy, &over)) return false;
  }
  if (i != n) return false;
  for (size_t k = start; k < n; k++) if (s[k] != '_') buf[o++] = s[k];
  buf[o] = 0;
  return true;
}

/* nan, nan:0xN, inf with the sign already split off; returns 0 when not one of them. */
static int special(const char *s, size_t n, uint64_t *payload, bool *range) {
  if (n == 3 && memcmp(s, "inf", 3) == 0) return 1;
  if (n == 3 && memcmp(s, "nan", 3) == 0) return 2;
  if (n > 6 && memcmp(s, "nan:0x", 6) == 0) {
    size_t i = 6;
    uint64_t v = 0;
    bool over = false;
    if (!digits(s, n, &i, true, &v, &over) || i != n) return -1;
    if (over) *range = true;
    *payload = v;
    return 3;
  }
  return 0;
}

static bool parse_float(const char *s, size_t n, unsigned bits, uint64_t *out, bool *range) {
  bool neg = n && s[0] == '-';
  size_t off = n && (s[0] == '+' || s[0] == '-') ? 1 : 0;
  uint64_t payload = 0;
  unsigned mant = bits == 32 ? 23 : 52;
  uint64_t expmask = bits == 32 ? 0xffull << 23 : 0x7ffull << 52;
  uint64_t signbit = bits == 32 ? 1ull << 31 : 1ull << 63;
  int sp = special(s + off, n - off, &payload, range);
  if (sp < 0) return false;
  if (sp) {
    uint64_t v = expmask;
    if (sp == 2) v |= 1ull << (mant - 1);
    if (sp == 3) {
      if (payload == 0 || payload >= (1ull << mant)) { *range = true; return true; }
      v |= payload;
    }
    *out = neg ? v | signbit : v;
    return true;
  }
  char stack[128];
  char *buf = n + 1 <= sizeof stack ? stack : util_try_malloc(n + 1);
  if (!buf) { *range = true; return false; } /* out of memory: TEXT_NUM_OOM */
  bool hex;
  bool ok = clean_float(s, n, buf, n + 1, &hex);
  if (ok) {
    errno = 0;
    if (bits == 32) {
      float f = strtof(buf, NULL);
      if (isinf(f)) *range = true;
      uint32_t u;
      memcpy(&u, &f, 4);
      *out = u;
    } else {
      double d = strtod(buf, NULL);
      if (isinf(d)) *range = true;
      memcpy(out, &d, 8);
    }
  }
  if (buf != stack) free(buf);
  return ok;
}

bool text_parse_f32(const char *s, size_t n, uint32_t *out, bool *range) {
  uint64_t v = 0;
  if (!parse_float(s, n, 32, &v, range)) return false;
  *out = (uint32_t)v;
  return true;
}

bool text_parse_f64(const char *s, size_t n, uint64_t *out, bool *range) {
  return parse_float(s, n, 64, out, range);
}

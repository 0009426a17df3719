/* Little-endian fixed-width and LEB128 reading with the spec's rules: an encoding of an
 * N-bit integer uses at most ceil(N/7) bytes, and the unused bits of the last byte must
 * be zero (unsigned) or a sign extension (signed). */
#include <string.h>

#include "util.h"

static bool unexpected_end(util_reader *r, util_error *e) {
  return util_fail(e, UTIL_ERR_MALFORMED, (int64_t)util_reader_offset(r), "unexpected end");
}

bool util_read_u8_long(util_reader *r, uint8_t *out, util_error *e) {
  if (r->p >= r->end) return unexpected_end(r, e);
  *out = *r->p++;
  return true;
}

bool util_read_bytes(util_reader *r, size_t n, const uint8_t **out, util_error *e) {
  if ((size_t)(r->end - r->p) < n) return unexpected_end(r, e);
  *out = r->p;
  r->p += n;
  return true;
}

bool util_read_fixed32(util_reader *r, uint32_t *out, util_error *e) {
  const uint8_t *b = NULL;
  if (!util_read_bytes(r, 4, &b, e)) return false;
  *out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
  return true;
}

bool util_read_fixed64(util_reader *r, uint64_t *out, util_error *e) {
  uint32_t lo, hi;
  if (!util_read_fixed32(r, &lo, e) || !util_read_fixed32(r, &hi, e)) return false;
  *out = (uint64_t)hi << 32 | lo;
  return true;
}

/* Reads an unsigned LEB of `bits` width. */
static bool read_uleb(util_reader *r, unsigned bits, uint64_t *out, util_error *e) {
  uint64_t result = 0;
  unsigned shift = 0;
  size_t start = util_reader_offset(r);
  for (;;) {
    if (r->p >= r->end) return unexpected_end(r, e);
    uint8_t b = *r->p++;
    if (shift + 7 >= bits && (b & 0x80)) {
      return util_fail(e, UTIL_ERR_MALFORMED, (int64_t)start, "integer representation too long");
    }
    if (shift + 7 > bits) {
      /* last allowed byte: bits above `bits` must be zero */
      unsigned used = bits - shift;
      if ((b & 0x7f) >> used) {
        return util_fail(e, UTIL_ERR_MALFORMED, (int64_t)start, "integer too large");
      }
    }
    result |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
  }
  *out = result;
  return true;
}

static bool read_sleb(util_reader *r, unsigned bits, int64_t *out, util_error *e) {
  uint64_t result = 0;
  unsigned shift = 0;
  size_t start = util_reader_offset(r);
  uint8_t b;
  for (;;) {
    if (r->p >= r->end) return unexpected_end(r, e);
    b = *r->p++;
    if (shift + 7 >= bits && (b & 0x80)) {
      return util_fail(e, UTIL_ERR_MALFORMED, (int64_t)start, "integer representation too long");
    }
    if (shift + 7 > bits) {
      /* last allowed byte: the bits from (bits-1-shift) up must all equal the sign bit */
      unsigned used = bits - shift; /* value bits in this byte, 1..7 */
      int8_t sb = (int8_t)(b << 1) >> 1;        /* the 7 payload bits, sign-extended */
      int8_t ext = (int8_t)((uint8_t)sb << (8 - used)) >> (8 - used);
      if (sb != ext) {
        return util_fail(e, UTIL_ERR_MALFORMED, (int64_t)start, "integer too large");
      }
    }
    result |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  if (shift < 64 && (b & 0x40)) result |= ~(uint64_t)0 << shift;
  *out = (int64_t)result;
  return true;
}

bool util_read_u32_long(util_reader *r, uint32_t *out, util_error *e) {
  uint64_t v;
  if (!read_uleb(r, 32, &v, e)) return false;
  *out = (uint32_t)v;
  return true;
}

bool util_read_u64(util_reader *r, uint64_t *out, util_error *e) { return read_uleb(r, 64, out, e); }

bool util_read_s32_long(util_reader *r, int32_t *out, util_error *e) {
  int64_t v;
  if (!read_sleb(r, 32, &v, e)) return false;
  *out = (int32_t)v;
  return true;
}

bool util_read_s33(util_reader *r, int64_t *out, util_error *e) { return read_sleb(r, 33, out, e); }

bool util_read_s64_long(util_reader *r, int64_t *out, util_error *e) { return read_sleb(r, 64, out, e); }

size_t util_write_u64(uint8_t *buf, uint64_t v) {
  size_t n = 0;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    buf[n++] = b;
  } while (v);
  return n;
}

size_t util_write_s64(uint8_t *buf, int64_t v) {
  size_t n = 0;
  for (;;) {
    uint8_t b = v & 0x7f;
    v >>= 7; /* arithmetic shift on every supported compiler */
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    if (!done) b |= 0x80;
    buf[n++] = b;
    if (done) return n;
  }
}

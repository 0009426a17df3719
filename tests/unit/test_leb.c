/* LEB128 and fixed-width readers: lengths, unused bits, signed edges, s33. */
#include "unit.h"
#include "util/util.h"

typedef enum { U32, S32, S33, U64, S64 } leb_kind;

/* Reads one integer of `kind` from exactly `n` bytes; returns the error message or NULL
 * (and the value, widened) on success. Also checks the whole input was consumed. */
static const char *rd(leb_kind kind, const char *bytes, size_t n, int64_t *out) {
  static util_error e;
  util_error_clear(&e);
  util_reader r = {(const uint8_t *)bytes, (const uint8_t *)bytes, (const uint8_t *)bytes + n, 0};
  bool ok = false;
  uint32_t u32;
  int32_t s32;
  uint64_t u64;
  int64_t s64 = 0;
  switch (kind) {
  case U32: ok = util_read_u32(&r, &u32, &e), s64 = u32; break;
  case S32: ok = util_read_s32(&r, &s32, &e), s64 = s32; break;
  case S33: ok = util_read_s33(&r, &s64, &e); break;
  case U64: ok = util_read_u64(&r, &u64, &e), s64 = (int64_t)u64; break;
  case S64: ok = util_read_s64(&r, &s64, &e); break;
  }
  if (!ok) return e.msg;
  if (r.p != r.end) return "not all consumed";
  *out = s64;
  return NULL;
}

#define OK(kind, lit, val)                                                            \
  do {                                                                                \
    int64_t v_ = 0;                                                                   \
    const char *m_ = rd(kind, lit, sizeof(lit) - 1, &v_);                             \
    CHECK(m_ == NULL);                                                                \
    CHECK_EQ_I64(v_, (int64_t)(val));                                                 \
  } while (0)

#define BAD(kind, lit, msg) CHECK_STR(rd(kind, lit, sizeof(lit) - 1, &(int64_t){0}), msg)

UNIT_GROUP(leb) {
  /* unsigned 32 */
  OK(U32, "\x00", 0);
  OK(U32, "\x7f", 127);
  OK(U32, "\x80\x01", 128);
  OK(U32, "\x80\x00", 0); /* non-minimal but within the length limit */
  OK(U32, "\x80\x80\x80\x80\x00", 0);
  OK(U32, "\xff\xff\xff\xff\x0f", 0xffffffffu);
  BAD(U32, "\xff\xff\xff\xff\x1f", "integer too large");
  BAD(U32, "\x82\x80\x80\x80\x70", "integer too large");
  BAD(U32, "\x82\x80\x80\x80\x40", "integer too large");
  BAD(U32, "\x80\x80\x80\x80\x80\x00", "integer representation too long");
  BAD(U32, "", "unexpected end");
  BAD(U32, "\x80", "unexpected end");
  BAD(U32, "\xff\xff\xff\xff", "unexpected end");

  /* signed 32 */
  OK(S32, "\x00", 0);
  OK(S32, "\x7f", -1);
  OK(S32, "\x3f", 63);
  OK(S32, "\x40", -64);
  OK(S32, "\xc0\x00", 64);
  OK(S32, "\xff\xff\xff\xff\x07", INT32_MAX);
  OK(S32, "\x80\x80\x80\x80\x78", INT32_MIN);
  OK(S32, "\xff\xff\xff\xff\x7f", -1);
  BAD(S32, "\x80\x80\x80\x80\x70", "integer too large");
  BAD(S32, "\xff\xff\xff\xff\x0f", "integer too large");
  BAD(S32, "\x80\x80\x80\x80\x1f", "integer too large");
  BAD(S32, "\xff\xff\xff\xff\x4f", "integer too large");
  BAD(S32, "\xff\xff\xff\xff\x08", "integer too large");
  BAD(S32, "\x80\x80\x80\x80\x80\x00", "integer representation too long");
  BAD(S32, "\xff\xff\xff\xff\xff\x7f", "integer representation too long");
  BAD(S32, "\xc0", "unexpected end");

  /* signed 33 (block types) */
  OK(S33, "\x40", -64);
  OK(S33, "\xff\xff\xff\xff\x0f", 0xffffffffll);
  BAD(S33, "\x80\x80\x80\x80\x10", "integer too large"); /* sign bit not extended */
  OK(S33, "\x80\x80\x80\x80\x70", -(1ll << 32));
  BAD(S33, "\x80\x80\x80\x80\x20", "integer too large");
  BAD(S33, "\xff\xff\xff\xff\x5f", "integer too large");
  BAD(S33, "\x80\x80\x80\x80\x80\x00", "integer representation too long");

  /* unsigned and signed 64 */
  OK(U64, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", UINT64_MAX);
  BAD(U64, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", "integer too large");
  BAD(U64, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", "integer representation too long");
  OK(S64, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00", INT64_MAX);
  OK(S64, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f", INT64_MIN);
  OK(S64, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", -1);
  BAD(S64, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7e", "integer too large");
  BAD(S64, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", "integer too large");
  BAD(S64, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x41", "integer too large");
  BAD(S64, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", "integer representation too long");

  /* writers round-trip through the readers */
  static const int64_t svals[] = {0, 1, -1, 63, 64, -64, -65, INT32_MAX, INT32_MIN,
                                  INT64_MAX, INT64_MIN, 1ll << 40, -(1ll << 40)};
  for (size_t i = 0; i < sizeof svals / sizeof *svals; i++) {
    uint8_t buf[16];
    size_t n = util_write_s64(buf, svals[i]);
    int64_t v = 0;
    CHECK(rd(S64, (const char *)buf, n, &v) == NULL);
    CHECK_EQ_I64(v, svals[i]);
    n = util_write_u64(buf, (uint64_t)svals[i]);
    CHECK(rd(U64, (const char *)buf, n, &v) == NULL);
    CHECK_EQ_U64((uint64_t)v, (uint64_t)svals[i]);
  }
  uint8_t buf[16];
  CHECK_EQ_U64(util_write_u64(buf, 0), 1);
  CHECK_EQ_U64(util_write_u64(buf, 127), 1);
  CHECK_EQ_U64(util_write_u64(buf, 128), 2);
  CHECK_EQ_U64(util_write_u64(buf, UINT64_MAX), 10);
  CHECK_EQ_U64(util_write_s64(buf, -64), 1);
  CHECK_EQ_U64(util_write_s64(buf, 64), 2);

  /* fixed width and raw bytes */
  util_error e;
  util_error_clear(&e);
  const uint8_t raw[] = {0x78, 0x56, 0x34, 0x12, 0xef, 0xcd, 0xab, 0x89, 0x67};
  util_reader r = {raw, raw, raw + sizeof raw, 100};
  uint32_t f32;
  CHECK(util_read_fixed32(&r, &f32, &e));
  CHECK_EQ_U64(f32, 0x12345678u);
  CHECK_EQ_U64(util_reader_offset(&r), 104);
  uint64_t f64;
  CHECK(!util_read_fixed64(&r, &f64, &e));
  CHECK_STR(e.msg, "unexpected end");
  const uint8_t *p;
  util_error_clear(&e);
  r.p = raw;
  CHECK(util_read_bytes(&r, sizeof raw, &p, &e) && p == raw && util_reader_eof(&r));
  CHECK(!util_read_bytes(&r, 1, &p, &e));
}

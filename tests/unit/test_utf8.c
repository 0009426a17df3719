/* UTF-8 well-formedness as the spec defines it for names. */
#include "unit.h"
#include "util/util.h"

#define VALID(lit) CHECK(util_utf8_valid((const uint8_t *)(lit), sizeof(lit) - 1))
#define INVALID(lit) CHECK(!util_utf8_valid((const uint8_t *)(lit), sizeof(lit) - 1))

UNIT_GROUP(utf8) {
  VALID("");
  VALID("plain ascii");
  VALID("\x00\x7f");
  VALID("\xc2\x80");             /* U+0080, smallest 2-byte */
  VALID("\xdf\xbf");             /* U+07FF */
  VALID("\xe0\xa0\x80");         /* U+0800 */
  VALID("\xed\x9f\xbf");         /* U+D7FF, just below the surrogates */
  VALID("\xee\x80\x80");         /* U+E000, just above */
  VALID("\xef\xbf\xbf");         /* U+FFFF */
  VALID("\xf0\x90\x80\x80");     /* U+10000 */
  VALID("\xf4\x8f\xbf\xbf");     /* U+10FFFF */
  VALID("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");

  /* overlong forms */
  INVALID("\xc0\x80");
  INVALID("\xc1\xbf");
  INVALID("\xe0\x80\x80");
  INVALID("\xe0\x9f\xbf");
  INVALID("\xf0\x80\x80\x80");
  INVALID("\xf0\x8f\xbf\xbf");
  /* surrogates */
  INVALID("\xed\xa0\x80");
  INVALID("\xed\xbf\xbf");
  /* beyond U+10FFFF and bytes that never start a sequence */
  INVALID("\xf4\x90\x80\x80");
  INVALID("\xf5\x80\x80\x80");
  INVALID("\xf8\x88\x80\x80\x80");
  INVALID("\xfc\x84\x80\x80\x80\x80");
  INVALID("\xfe");
  INVALID("\xff");
  /* stray and missing continuation bytes */
  INVALID("\x80");
  INVALID("\xbf");
  INVALID("a\x80" "b");
  INVALID("\xc2\x41");
  INVALID("\xe0\xa0\x41");
  INVALID("\xf0\x90\x80\x41");
  /* truncated at the end */
  INVALID("\xc2");
  INVALID("\xe0\xa0");
  INVALID("\xf0\x90\x80");
  INVALID("ok\xf4\x8f\xbf");
}

/* A minimal unit-test framework.
 *
 * A test file defines one or more groups:
 *
 *     #include "unit.h"
 *     UNIT_GROUP(leb) {
 *       CHECK(1 + 1 == 2);
 *       CHECK_EQ_U64(util_write_u64(buf, 0), 1);
 *     }
 *
 * and nothing else: a group registers itself when the program starts, so adding a file
 * to tests/unit/ is all it takes. `weld_unit` runs every group (or the ones named on its
 * command line), prints each failed check, and ends with the line `N passed, M failed`. */
#ifndef WELD_TESTS_UNIT_H
#define WELD_TESTS_UNIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef void (*unit_group_fn)(void);

void unit_register(const char *name, unit_group_fn fn);
/* Records one check; returns `ok` so callers can stop early on a failed precondition. */
bool unit_check(bool ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define UNIT_GROUP(name)                                                              \
  static void unit_group_##name(void);                                                \
  __attribute__((constructor)) static void unit_register_##name(void) {               \
    unit_register(#name, unit_group_##name);                                          \
  }                                                                                   \
  static void unit_group_##name(void)

#define CHECK(cond) unit_check((cond) ? true : false, __FILE__, __LINE__, "%s", #cond)

#define CHECK_EQ_U64(a, b)                                                            \
  do {                                                                                \
    unsigned long long unit_a_ = (unsigned long long)(a), unit_b_ = (unsigned long long)(b); \
    unit_check(unit_a_ == unit_b_, __FILE__, __LINE__, "%s == %s (%llu vs %llu)", #a, #b, \
               unit_a_, unit_b_);                                                     \
  } while (0)

#define CHECK_EQ_I64(a, b)                                                            \
  do {                                                                                \
    long long unit_a_ = (long long)(a), unit_b_ = (long long)(b);                     \
    unit_check(unit_a_ == unit_b_, __FILE__, __LINE__, "%s == %s (%lld vs %lld)", #a, #b, \
               unit_a_, unit_b_);                                                     \
  } while (0)

#define CHECK_STR(a, b)                                                               \
  do {                                                                                \
    const char *unit_a_ = (a), *unit_b_ = (b);                                        \
    unit_check(unit_a_ && unit_b_ && strcmp(unit_a_, unit_b_) == 0, __FILE__, __LINE__, \
               "%s == \"%s\" (got \"%s\")", #a, unit_b_ ? unit_b_ : "(null)",         \
               unit_a_ ? unit_a_ : "(null)");                                         \
  } while (0)

/* `s` starts with `prefix` (the spec suite's rule for error messages). */
#define CHECK_PREFIX(s, prefix)                                                       \
  do {                                                                                \
    const char *unit_s_ = (s), *unit_p_ = (prefix);                                   \
    unit_check(unit_s_ && strncmp(unit_s_, unit_p_, strlen(unit_p_)) == 0, __FILE__,  \
               __LINE__, "%s starts with \"%s\" (got \"%s\")", #s, unit_p_,           \
               unit_s_ ? unit_s_ : "(null)");                                         \
  } while (0)

#endif

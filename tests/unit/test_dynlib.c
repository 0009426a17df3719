/* Libraries opened on first use (src/util/dynlib.h): a table filled from a real library
 * (libm, whose functions are compared with the linked ones), and the one-line reasons for a
 * library that is not there and a function a library lacks. */
#include <math.h>
#include <string.h>

#include "unit.h"
#include "util/dynlib.h"

#define M_FUNCS(X, T) X(T, cos) X(T, ldexp)
typedef struct m_api {
  M_FUNCS(UTIL_DYNLIB_FIELD, _)
} m_api;
UTIL_DYNLIB_DEFINE(m_api, m_table, m_lib, "libm.so.6", M_FUNCS)

UNIT_GROUP(dynlib) {
  const char *why = "untouched";
  /* a library that is there: each pointer is the function the executable itself links */
  CHECK(util_dynlib_load(&m_lib, &why));
  CHECK(strcmp(why, "untouched") == 0);
  CHECK(m_table.cos == cos && m_table.ldexp == ldexp);
  volatile double x = 0.5;
  CHECK(m_table.cos(x) == cos(x) && m_table.ldexp(x, 3) == 4.0);
  CHECK(util_dynlib_load(&m_lib, NULL)); /* once: the second call finds it loaded */

  /* a library that is not: the soname, then the loader's reason; asked again, the same */
  static const char none_names[] = "cos\0";
  static const size_t none_offsets[] = {0};
  void *none_table[1] = {NULL};
  util_dynlib none = {"libweld-no-such-library.so.9", none_names, none_offsets, none_table, 0, ""};
  CHECK(!util_dynlib_load(&none, &why));
  CHECK(strncmp(why, "libweld-no-such-library.so.9: ", 30) == 0);
  CHECK(strstr(why, "cannot open shared object file") != NULL);
  CHECK(strchr(why, '\n') == NULL);
  CHECK(none_table[0] == NULL);
  const char *again = NULL;
  CHECK(!util_dynlib_load(&none, &again) && again == why);
  util_error err;
  util_error_clear(&err);
  CHECK(!util_dynlib_need(&none, "testing", &err));
  CHECK(strncmp(err.msg, "testing needs libweld-no-such-library.so.9: cannot open", 55) == 0);

  /* a library without one of the functions: it is named, and the library counts as missing */
  static const char lacks_names[] = "cos\0weld_no_such_function\0";
  static const size_t lacks_offsets[] = {0, sizeof(void *)};
  void *lacks_table[2] = {NULL, NULL};
  util_dynlib lacks = {"libm.so.6", lacks_names, lacks_offsets, lacks_table, 0, ""};
  CHECK(!util_dynlib_load(&lacks, &why));
  CHECK(strncmp(why, "libm.so.6: ", 11) == 0 && strstr(why, "weld_no_such_function") != NULL);
}

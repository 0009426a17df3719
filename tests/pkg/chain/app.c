/* A command: greets the names it is given (arguments 2 and on) through local:greeter/greet
 * and succeeds when the greeting is argument 1. */
#include <stdlib.h>
#include <string.h>

#include "app.h"

app_result_void_void_t exports_app_run_run(void) {
  app_list_string_t args = app_environment_get_arguments();
  app_result_void_void_t r = {true};
  if (args.len >= 2) {
    app_list_string_t names = {args.ptr + 2, args.len - 2};
    app_string_t got = app_greet_greet(names);
    r.is_err = got.len != args.ptr[1].len || memcmp(got.ptr, args.ptr[1].ptr, got.len) != 0;
    if (got.len) free(got.ptr);
  }
  for (size_t i = 0; i < args.len; i++)
    if (args.ptr[i].len) free(args.ptr[i].ptr);
  if (args.len) free(args.ptr);
  return r;
}

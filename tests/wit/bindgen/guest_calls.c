/* World `calls` (echo.wit) through the generated bindings (calls.h, calls.c): an
 * export that calls the world's imported function and an interface's. */
#include "calls.h"

int64_t exports_calls_twice(uint32_t x) { return (int64_t)calls_scale(x) * 2 + calls_host_offset(); }

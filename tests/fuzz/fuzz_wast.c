/* libFuzzer target: arbitrary bytes as a WAST script, parsed and run by the script
 * runner (src/wast) with every guard on: fuel per call and instantiation, small memory
 * and table limits, software bounds checks. Nothing may crash, leak or trip a sanitizer;
 * a script that cannot be parsed must say why. */
#include <stddef.h>
#include <stdint.h>

#include "wast/run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wast_run_options o = {
      .log = NULL,
      .fuel = 20000,
      .max_memory_bytes = 4u << 20,
      .max_table_elements = 4096,
      .explicit_bounds = true,
  };
  wast_run_stats st;
  util_error err;
  util_error_clear(&err);
  if (!wast_run_source((const char *)data, size, "fuzz.wast", &o, &st, &err) && err.msg[0] == '\0')
    __builtin_trap();
  return 0;
}

/* libFuzzer target: arbitrary bytes through decode, validate and the static audit (with
 * the isolated profile), including the producers-section reader, the code and data scans
 * and both renderings. Nothing may crash, leak or trip a sanitizer. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "audit/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static FILE *sink;
  if (!sink) sink = fopen("/dev/null", "w");
  /* The producers reader on the raw bytes: it must reject what it cannot read. */
  audit_report q = {0};
  audit_parse_producers(&q, data, size);
  audit_report_free(&q);
  util_error err;
  wasm_module *m = wasm_decode(data, size, &err);
  if (!m) return 0;
  policy p;
  policy_init(&p);
  if (!policy_profile(&p, "isolated", &err)) __builtin_trap();
  audit_report r;
  if (audit_module(m, &p, &r, &err)) {
    if (sink) {
      audit_print_json(sink, "f.wasm", &r);
      audit_print_markdown(sink, "f.wasm", &r);
    }
    audit_report_free(&r);
  }
  policy_free(&p);
  wasm_module_free(m);
  return 0;
}

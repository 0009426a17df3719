/* libFuzzer target: arbitrary bytes as a precompiled module (.cwasm). The header checks,
 * strict (jit_image_open, for loading) and lenient (jit_image_read, for weld inspect,
 * audit, validate and print), must refuse anything malformed with an error, never
 * crash. Then, so that mutations get past the checksum, the input's header fields and
 * sections are written again as a well-formed image (jit_image_write: a correct checksum
 * and module sha256) and loaded: the module decoded and translated, the code section
 * parsed, the baseline code relocated or the ELF object laid out and relocated, sealed
 * and installed. The code is never run (loading an image is trusted like a shared
 * library; parsing it is not). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "jit/image.h"
#include "jit/jit.h"
#include "text/text.h"
#include "wasm/module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t g64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  jit_image img;
  util_error err;
  util_error_clear(&err);
  if (!jit_image_open(data, size, &img, &err) && err.kind == UTIL_ERR_NONE) __builtin_trap();
  /* the lenient reader of weld inspect/audit/validate/print: an error with a message, or
   * a summary that stays inside the input */
  jit_image_info info;
  util_error_clear(&err);
  if (jit_image_read(data, size, &info, &err)) {
    const uint8_t *end = data + size;
    if (info.img.module < data || info.img.module + info.img.module_len > end ||
        info.img.code + info.img.code_len != end || info.compiled > info.functions ||
        info.machine_code > info.img.code_len || strlen(info.img.version) > 31)
      __builtin_trap();
  } else if (err.kind == UTIL_ERR_NONE || !err.msg[0]) {
    __builtin_trap();
  }
  if (size < JIT_IMAGE_HEADER) return 0;
  size_t body = size - JIT_IMAGE_HEADER;
  uint64_t mlen = g64(data + 96), clen = g64(data + 104);
  if (mlen > body) mlen = body;
  if (clen > body - mlen) clen = body - mlen;
  jit_image_settings s = {.tier = data[56] & 1 ? JIT_TIER_OPTIMIZED : JIT_TIER_BASELINE,
                          .guard = data[60] & 1,
                          .standard_2_0 = data[60] & 2};
  jit_bytes out = {0};
  const uint8_t *module = data + JIT_IMAGE_HEADER;
  if (!jit_image_write(&s, g64(data + 48) & jit_cpu_features(), module, (size_t)mlen, data[60] & 4, module + mlen,
                       (size_t)clen, &out))
    return 0;
  util_error_clear(&err);
  if (!jit_image_open(out.p, out.len, &img, &err)) __builtin_trap(); /* written well-formed */
  if (!jit_image_read(out.p, out.len, &info, &err) || info.compiled > info.functions) __builtin_trap();
  wasm_module *m = text_is_binary(img.module, img.module_len)
                       ? text_load_module(img.module, img.module_len, NULL, &err)
                       : NULL;
  exec_typetab *types = exec_typetab_new();
  exec_module *em = m && types ? exec_module_compile(m, types, &err) : NULL;
  if (m && !em) wasm_module_free(m);
  if (em) {
    util_error_clear(&err);
    if (!jit_image_load(em, &img, &err) && err.kind == UTIL_ERR_NONE) __builtin_trap();
    exec_module_free(em);
  }
  exec_typetab_free(types);
  jit_bytes_free(&out);
  return 0;
}

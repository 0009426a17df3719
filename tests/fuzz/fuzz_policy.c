/* libFuzzer target: arbitrary bytes as a policy file. Parsing must never crash, leak or
 * trip a sanitizer; a rejection must carry a "FILE:LINE:COL: message" error, and a policy
 * that parses must survive merging, the checks and freeing. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  policy p;
  util_error err;
  policy_init(&p);
  if (!policy_parse(&p, (const char *)data, size, "f.toml", &err)) {
    if (err.kind == UTIL_ERR_NONE || err.line <= 0 || err.col <= 0 || strncmp(err.msg, "f.toml:", 7) != 0)
      __builtin_trap();
    policy_free(&p);
    return 0;
  }
  static const char *const paths[] = {"/", "/data", "/data/a/b.txt", ".", "rel/x", "/tmp/out/f"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    const policy_path *g;
    uint32_t ops = policy_path_ops(&p, paths[i], &g);
    if (ops & ~(uint32_t)POLICY_OP_ALL) __builtin_trap();
  }
  policy_env_allowed(&p, "HOME");
  policy_net_allowed(&p, "127.0.0.1", 8080, POLICY_NET_CONNECT);
  policy_net_allowed(&p, "::1", 443, POLICY_NET_LISTEN);
  policy q;
  policy_init(&q);
  if (!policy_profile(&q, "isolated", &err)) __builtin_trap();
  if (!policy_merge(&q, &p, &err)) __builtin_trap(); /* no allocation fails here */
  policy_free(&q);
  policy_free(&p);
  return 0;
}

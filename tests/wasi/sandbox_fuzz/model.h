/* The sandbox fuzzer's model of a policy: what docs/policy.md says a guest may do at a
 * guest path. Written from the documentation alone; it never calls src/policy, so a
 * disagreement between the two is a finding, not a tautology. */
#ifndef WELD_SANDBOX_FUZZ_MODEL_H
#define WELD_SANDBOX_FUZZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { OP_READ = 1, OP_WRITE = 2, OP_CREATE = 4, OP_DELETE = 8, OP_LIST = 16 };
#define NO_LIMIT UINT64_MAX

typedef enum { KIND_PREFIX = 1, KIND_GLOB = 2, KIND_EXACT = 3 } model_kind; /* rank = specificity */

typedef struct {
  char host[512], guest[256];
  unsigned ops;
  bool foreign; /* its host is not the outer tree's directory at that guest path */
} model_dir;

typedef struct {
  char pattern[256]; /* normalised: what the model matches */
  char written[256]; /* as written in the policy file when that differs ("" otherwise) */
  model_kind kind;
  unsigned ops;
  uint64_t max_read, max_write;
} model_grant;

typedef struct {
  model_dir dirs[4];
  int ndirs;
  model_grant grants[6];
  int ngrants;
} model_policy;

/* What the policy allows at a normalised guest path, and the byte limits of the grant
 * that decided (NO_LIMIT when a directory decided or the grant sets none). */
unsigned model_ops(const model_policy *p, const char *guest, uint64_t *max_read, uint64_t *max_write);

/* The policy as a TOML file, in the syntax docs/policy.md describes. */
void model_write_toml(const model_policy *p, FILE *f);

/* Sets g->pattern to `raw` normalised as docs/policy.md says guest paths are (no `.`,
 * no repeated slashes; a trailing slash kept, since it marks a prefix), and g->written
 * to `raw` when that differs. */
void model_set_pattern(model_grant *g, const char *raw);

/* "read, write" */
const char *model_ops_str(unsigned ops, char *buf, size_t n);

/* Matching as docs/policy.md defines it (exported for the self-test). */
bool model_glob(const char *pattern, const char *path);
bool model_match(const model_grant *g, const char *path);

#endif

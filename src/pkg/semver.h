/* Semantic Versioning 2.0.0 versions and Cargo's version requirements.
 *
 * A version is MAJOR.MINOR.PATCH[-PRE][+BUILD] with the spec's rules (no leading zeros,
 * identifiers of [0-9A-Za-z-]); precedence ignores build metadata. A requirement is a
 * comma-separated list of comparators that must all hold, each an operator (=, >, >=,
 * <, <=, ~, ^, or none, which means ^) and a version that may leave out the minor and
 * patch, or a wildcard (*, 1.*, 1.2.x). A version with a pre-release matches only a
 * requirement with a comparator naming the same MAJOR.MINOR.PATCH with a pre-release
 * (docs/packages.md has the tables). */
#ifndef WELD_PKG_SEMVER_H
#define WELD_PKG_SEMVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEMVER_TEXT_MAX 128 /* longest pre-release or build text kept */

typedef struct semver {
  uint64_t major, minor, patch;
  char pre[SEMVER_TEXT_MAX];   /* "" for a release */
  char build[SEMVER_TEXT_MAX]; /* "" without build metadata */
} semver;

/* Parses a whole version; on failure writes why into why[0..n). */
bool semver_parse(const char *s, semver *v, char *why, size_t n);
/* Precedence: <0, 0, >0 (build metadata ignored, as the spec says). */
int semver_cmp(const semver *a, const semver *b);
/* "1.2.3-rc.1+build" into buf. */
const char *semver_format(const semver *v, char *buf, size_t n);
/* The compatibility class Cargo keeps one version of: "1" for 1.x.y, "0.2" for 0.2.y,
 * "0.0.3" for 0.0.3. */
const char *semver_compat_class(const semver *v, char *buf, size_t n);

typedef enum {
  SEMVER_OP_EXACT, /* =  */
  SEMVER_OP_GT,    /* >  */
  SEMVER_OP_GE,    /* >= */
  SEMVER_OP_LT,    /* <  */
  SEMVER_OP_LE,    /* <= */
  SEMVER_OP_TILDE, /* ~  */
  SEMVER_OP_CARET, /* ^ or no operator */
  SEMVER_OP_WILDCARD, /* *, 1.*, 1.2.* */
} semver_op;

typedef struct semver_comparator {
  semver_op op;
  uint64_t major, minor, patch;
  bool has_major, has_minor, has_patch; /* has_major is false only for a lone * */
  char pre[SEMVER_TEXT_MAX];
} semver_comparator;

#define SEMVER_REQ_MAX 16

typedef struct semver_req {
  semver_comparator c[SEMVER_REQ_MAX];
  size_t n;
} semver_req;

bool semver_req_parse(const char *s, semver_req *r, char *why, size_t n);
bool semver_req_matches(const semver_req *r, const semver *v);
/* The requirement written back in a normal form ("^1.2, <1.5.0"). */
const char *semver_req_format(const semver_req *r, char *buf, size_t n);

#endif

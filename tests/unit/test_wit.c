/* The WIT reader from memory: a package with every construct reads, prints, and its print
 * reads back to the same print; errors are one line with the position; every allocation
 * failing in turn ends in "out of memory" with nothing leaked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "wit/wit.h"

static const char sample[] =
    "/// docs\n"
    "package t:s@1.0.0;\n"
    "interface a {\n"
    "  @since(version = 1.0.0)\n"
    "  record r { x: u32, y: list<string> }\n"
    "  variant v { none, some(r) }\n"
    "  enum e { one, two }\n"
    "  flags f { p, q }\n"
    "  resource h { constructor(); get: func() -> option<r>; mk: static func() -> h; }\n"
    "  type al = tuple<bool, char, f64, result<_, e>>;\n"
    "  go: func(a: borrow<h>, b: v, c: f) -> result<al, string>;\n"
    "}\n"
    "interface b { use a.{r as rr, h}; f: async func(x: rr) -> stream<h>; }\n"
    "world w { import b; export run: func(); include x:y/z; }\n"
    "package x:y { world z { import log: func(m: string); } }\n";

static char *print(const char *text, size_t len, util_error *err) {
  wit_set *s = wit_load_text("s.wit", text, len, err);
  if (!s) return NULL;
  util_buf b = {0};
  bool ok = wit_print(s, &b);
  wit_set_free(s);
  if (!ok) {
    util_buf_free(&b);
    return NULL;
  }
  return (char *)b.p;
}

static void expect_error(const char *text, const char *msg) {
  util_error err;
  wit_set *s = wit_load_text("s.wit", text, strlen(text), &err);
  CHECK(s == NULL);
  wit_set_free(s);
  CHECK_STR(err.msg, msg);
}

UNIT_GROUP(wit) {
  util_error err;
  char *a = print(sample, sizeof sample - 1, &err);
  if (!CHECK(a != NULL)) {
    fprintf(stderr, "%s\n", err.msg);
    return;
  }
  char *b = print(a, strlen(a), &err);
  CHECK(b != NULL);
  if (b) CHECK_STR(a, b);
  CHECK(strstr(a, "  import b;\n") != NULL);
  CHECK(strstr(a, "  import a;\n") != NULL); /* b uses a: imported before it */
  CHECK(strstr(a, "  import log: func(m: string);\n") != NULL);
  free(a);
  free(b);

  expect_error("package a:b;\ninterface i { f: func() -> nope; }", "s.wit:2:28: type `nope` is not defined");
  expect_error("package a:b;\ninterface i {", "s.wit:2:14: expected `use`, a type definition or a function, found end of file");
  expect_error("package a:b@01.0.0;", "s.wit:1:13: `01.0.0` is not a valid semantic version");
  expect_error("interface i {}", "s.wit:1:1: no `package ns:name;` header in s.wit");

  /* each allocation failing in turn */
  unsigned long n = 1, failed = 0;
  bool finished = false;
  for (; n < 100000; n++) {
    util_error_clear(&err);
    util_alloc_fail_at(n);
    char *p = print(sample, sizeof sample - 1, &err);
    unsigned long made = util_alloc_fail_at(0);
    if (made < n) {
      finished = true;
      CHECK(p != NULL);
      free(p);
      break;
    }
    if (!p) {
      failed++;
      if (err.msg[0] && !CHECK(strcmp(err.msg, "out of memory") == 0)) fprintf(stderr, "allocation %lu: %s\n", n, err.msg);
    }
    free(p);
  }
  CHECK(finished);
  CHECK(failed > 0);
}

/* The `spectest` host module of the conformance scripts. */
#ifndef WELD_TESTS_SPEC_SPECTEST_H
#define WELD_TESTS_SPEC_SPECTEST_H

#include "weld.h"

typedef struct spectest {
  weld_import items[16];
  size_t n;
} spectest;

/* Creates the module's functions, globals, table and memory in `s`. */
void spectest_define(weld_store *s, spectest *out);

#endif

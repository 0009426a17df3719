/* The `spectest` host module of the conformance scripts. */
#ifndef WELD_WAST_SPECTEST_H
#define WELD_WAST_SPECTEST_H

#include "weld.h"

typedef struct wast_spectest {
  weld_import items[16];
  size_t n;
} wast_spectest;

/* Creates the module's functions, globals, table and memory in `s`. */
void wast_spectest_define(weld_store *s, wast_spectest *out);

#endif

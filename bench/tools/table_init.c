/* What instantiating a module with a large funcref table costs, through include/weld.h
 * with the instance pool (bench/table_init.sh runs it):
 *
 *   table_init ELEMS FUNCS ROUNDS [touch]
 *
 * The module has FUNCS functions (function k returns k) and a table of ELEMS elements,
 * all set by one active element segment (element j is function j % FUNCS), like a C
 * program's indirect-call table. One round is: a store, an instance, one call_indirect
 * through element ELEMS/2 (its answer checked), the store freed, back to the pool. With
 * `touch`, the round calls every element instead (each answer checked): the most a lazily
 * initialised table can cost. Prints `us_per_instance MEDIAN` over ROUNDS rounds (in
 * batches of 100, after 100 unmeasured rounds). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weld.h"

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int die(const char *what, weld_error *err, weld_trap *trap) {
  fprintf(stderr, "table_init: %s: %s\n", what, err ? weld_error_message(err) : trap ? weld_trap_message(trap) : "failed");
  exit(1);
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static char *module_text(unsigned elems, unsigned funcs) {
  size_t cap = (size_t)elems * 12 + (size_t)funcs * 80 + 1024, n = 0;
  char *w = malloc(cap);
  if (!w) die("out of memory", NULL, NULL);
  n += (size_t)snprintf(w + n, cap - n, "(module (type $t (func (result i32))) (table %u %u funcref)\n", elems, elems);
  for (unsigned k = 0; k < funcs; k++) n += (size_t)snprintf(w + n, cap - n, "(func $f%u (result i32) (i32.const %u))\n", k, k);
  n += (size_t)snprintf(w + n, cap - n, "(elem (i32.const 0) func");
  for (unsigned j = 0; j < elems; j++) n += (size_t)snprintf(w + n, cap - n, " $f%u", j % funcs);
  snprintf(w + n, cap - n,
           ")\n(func (export \"call\") (param i32) (result i32) (call_indirect (type $t) (local.get 0))))\n");
  return w;
}

static void round_once(weld_engine *e, weld_module *m, unsigned elems, unsigned funcs, int touch) {
  weld_error *err = NULL;
  weld_trap *trap = NULL;
  weld_store *s = weld_store_new(e);
  weld_instance *i = weld_instance_new(s, m, NULL, 0, &trap, &err);
  if (!i) die("instantiate", err, trap);
  weld_func *f = weld_instance_func(i, "call");
  unsigned from = touch ? 0 : elems / 2, to = touch ? elems : elems / 2 + 1;
  for (unsigned j = from; j < to; j++) {
    weld_val a[1] = {WELD_I32_VAL((int32_t)j)}, r[1];
    if ((trap = weld_func_call(f, a, 1, r, 1))) die("call", NULL, trap);
    if ((unsigned)r[0].of.i32 != j % funcs) {
      fprintf(stderr, "table_init: element %u answered %d, not %u\n", j, r[0].of.i32, j % funcs);
      exit(1);
    }
  }
  weld_store_free(s);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: table_init ELEMS FUNCS ROUNDS [touch]\n");
    return 2;
  }
  unsigned elems = (unsigned)atoi(argv[1]), funcs = (unsigned)atoi(argv[2]), rounds = (unsigned)atoi(argv[3]);
  int touch = argc > 4 && strcmp(argv[4], "touch") == 0;
  if (!elems || !funcs || rounds < 100) return fprintf(stderr, "table_init: ELEMS, FUNCS > 0, ROUNDS >= 100\n"), 2;
  weld_config c;
  weld_config_default(&c);
  c.pooling = true;
  c.pool.memory_slots = 16;
  c.pool.table_slots = 16;
  c.pool.table_elements = elems;
  weld_error *err = NULL;
  weld_engine *e = weld_engine_new_err(&c, &err);
  if (!e) die("engine", err, NULL);
  char *w = module_text(elems, funcs);
  weld_module *m = weld_module_new(e, (const uint8_t *)w, strlen(w), &err);
  free(w);
  if (!m) die("module", err, NULL);
  for (unsigned r = 0; r < 100; r++) round_once(e, m, elems, funcs, touch);
  unsigned nb = rounds / 100;
  double *per = malloc(nb * sizeof *per);
  if (!per) die("out of memory", NULL, NULL);
  for (unsigned b = 0; b < nb; b++) {
    double t0 = now_us();
    for (unsigned r = 0; r < 100; r++) round_once(e, m, elems, funcs, touch);
    per[b] = (now_us() - t0) / 100;
  }
  qsort(per, nb, sizeof *per, cmp);
  printf("us_per_instance %.2f\n", per[nb / 2]);
  free(per);
  weld_module_free(m);
  weld_engine_free(e);
  return 0;
}

/* Binary trees with malloc'd nodes: the reference for binarytrees.wat's checksum (the same
 * algorithm, independently of weld). Prints run(N) as an unsigned 32-bit number. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct node { struct node *l, *r; } node;

static node *make(int d) {
  node *t = malloc(sizeof *t);
  if (!t) { perror("binarytrees"); exit(1); }
  t->l = d ? make(d - 1) : NULL;
  t->r = d ? make(d - 1) : NULL;
  return t;
}
static uint32_t check(const node *t) { return t->l ? 1 + check(t->l) + check(t->r) : 1; }
static void drop(node *t) { if (t->l) { drop(t->l); drop(t->r); } free(t); }
static uint32_t checked(node *t) { uint32_t c = check(t); drop(t); return c; }

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10, max = n > 6 ? n : 6;
  uint32_t sum = checked(make(max + 1));
  node *lived = make(max);
  for (int d = 4; d <= max; d += 2) {
    uint32_t iters = 1u << (max - d + 4);
    for (uint32_t i = 0; i < iters; i++) sum += checked(make(d));
  }
  sum += checked(lived);
  printf("%u\n", sum);
  return 0;
}

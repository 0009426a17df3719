/* Private to src/obs: the call tree a profile is kept in. Each node is one function
 * reached by one path from the root; its ticks are the samples whose innermost frame it
 * was. Names are copied when a function is first seen, so a profile outlives the store. */
#ifndef WELD_OBS_TREE_H
#define WELD_OBS_TREE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct obs_node {
  const char *name;   /* interned, owned by the profiler */
  const void *key;    /* what identifies the function while sampling */
  uint32_t parent;    /* node index; the root (0) is its own parent */
  uint32_t child, next; /* first child, next sibling; 0 = none */
  uint64_t self;      /* ticks with this node innermost */
  uint64_t total;     /* self + the children's totals (filled before writing) */
} obs_node;

typedef struct obs_tree {
  obs_node *nodes;    /* nodes[0] is the root */
  uint32_t n, cap;
} obs_tree;

/* Fills every node's total; returns the root's. */
uint64_t obs_tree_totals(obs_tree *t);
/* Stores the children of node i, sorted by name, in out and returns how many. The
 * children of the nodes on one path from the root are disjoint, so a depth-first walk
 * serves every level from one array of t->n entries (a level uses the part after its
 * parent's children). */
uint32_t obs_tree_children(const obs_tree *t, uint32_t i, uint32_t *out);

/* flame.c: writes the SVG flame graph of a tree whose totals are filled. */
bool obs_flame_svg(const obs_tree *t, uint32_t *scratch, const char *title, FILE *f);

#endif

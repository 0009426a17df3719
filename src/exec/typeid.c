/* Process-wide interning of function signatures, so call_indirect compares one integer
 * and modules compiled separately (and host functions) agree on ids. Entries live for the
 * whole process: the set of distinct signatures a process sees is small. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"

typedef struct sig_entry {
  uint32_t hash;
  uint32_t nparams, nresults;
  exec_typeid id;
  uint8_t *types; /* params then results */
} sig_entry;

static pthread_mutex_t sig_lock = PTHREAD_MUTEX_INITIALIZER;
static sig_entry *sig_table; /* open addressing, power-of-two size */
static size_t sig_cap, sig_count;

static uint32_t sig_hash(uint32_t np, const uint8_t *p, uint32_t nr, const uint8_t *r) {
  uint32_t h = 2166136261u ^ np ^ (nr << 16);
  for (uint32_t i = 0; i < np; i++) h = (h ^ p[i]) * 16777619u;
  h = (h ^ 0xff) * 16777619u;
  for (uint32_t i = 0; i < nr; i++) h = (h ^ r[i]) * 16777619u;
  return h;
}

static bool sig_equal(const sig_entry *e, uint32_t h, uint32_t np, const uint8_t *p, uint32_t nr,
                      const uint8_t *r) {
  return e->hash == h && e->nparams == np && e->nresults == nr &&
         (np == 0 || memcmp(e->types, p, np) == 0) && (nr == 0 || memcmp(e->types + np, r, nr) == 0);
}

static void sig_grow(void) {
  size_t ncap = sig_cap ? sig_cap * 2 : 64;
  sig_entry *nt = util_xcalloc(ncap, sizeof *nt);
  for (size_t i = 0; i < sig_cap; i++) {
    if (!sig_table[i].id) continue;
    size_t j = sig_table[i].hash & (ncap - 1);
    while (nt[j].id) j = (j + 1) & (ncap - 1);
    nt[j] = sig_table[i];
  }
  free(sig_table);
  sig_table = nt;
  sig_cap = ncap;
}

exec_typeid exec_typeid_of(uint32_t nparams, const uint8_t *params, uint32_t nresults,
                           const uint8_t *results) {
  uint32_t h = sig_hash(nparams, params, nresults, results);
  pthread_mutex_lock(&sig_lock);
  if ((sig_count + 1) * 2 > sig_cap) sig_grow();
  size_t j = h & (sig_cap - 1);
  while (sig_table[j].id) {
    if (sig_equal(&sig_table[j], h, nparams, params, nresults, results)) {
      exec_typeid id = sig_table[j].id;
      pthread_mutex_unlock(&sig_lock);
      return id;
    }
    j = (j + 1) & (sig_cap - 1);
  }
  sig_entry *e = &sig_table[j];
  e->hash = h;
  e->nparams = nparams;
  e->nresults = nresults;
  e->types = util_xmalloc((size_t)nparams + nresults + 1);
  if (nparams) memcpy(e->types, params, nparams);
  if (nresults) memcpy(e->types + nparams, results, nresults);
  e->id = (exec_typeid)++sig_count; /* ids start at 1; 0 never names a signature */
  exec_typeid id = e->id;
  pthread_mutex_unlock(&sig_lock);
  return id;
}

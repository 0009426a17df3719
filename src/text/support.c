/* Byte buffers, name maps and the instruction-name table of src/text. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../wasm/opcodes.h"
#include "../wasm/proposals.h"
#include "internal.h"

void text_buf_byte(text_buf *b, uint8_t v) { util_buf_put(b, &v, 1); }

void text_buf_bytes(text_buf *b, const void *p, size_t n) { util_buf_put(b, p, n); }

void text_buf_append(text_buf *b, const text_buf *from) {
  if (from->oom) b->oom = true;
  text_buf_bytes(b, from->p, from->len);
}

void text_buf_u32(text_buf *b, uint32_t v) {
  uint8_t tmp[10];
  text_buf_bytes(b, tmp, util_write_u64(tmp, v));
}
void text_buf_u64(text_buf *b, uint64_t v) {
  uint8_t tmp[10];
  text_buf_bytes(b, tmp, util_write_u64(tmp, v));
}
void text_buf_s32(text_buf *b, int32_t v) {
  uint8_t tmp[10];
  text_buf_bytes(b, tmp, util_write_s64(tmp, v));
}
void text_buf_s64(text_buf *b, int64_t v) {
  uint8_t tmp[10];
  text_buf_bytes(b, tmp, util_write_s64(tmp, v));
}
void text_buf_free(text_buf *b) { util_buf_free(b); }

/* ---------- name maps: open addressing, FNV-1a ----------------------------------------- */

struct text_name_slot {
  const char *s;
  uint32_t len, index;
};

static uint64_t hash(const char *s, uint32_t n) {
  uint64_t h = 1469598103934665603ull;
  for (uint32_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
  return h;
}

static struct text_name_slot *find(const text_namemap *m, const char *s, uint32_t len) {
  size_t mask = m->cap - 1;
  for (size_t i = hash(s, len) & mask;; i = (i + 1) & mask) {
    struct text_name_slot *e = &m->slots[i];
    if (!e->s || (e->len == len && memcmp(e->s, s, len) == 0)) return e;
  }
}

bool text_names_add(text_namemap *m, const char *s, uint32_t len, uint32_t index) {
  if ((m->count + 1) * 2 > m->cap) {
    text_namemap g = {util_try_calloc(m->cap ? m->cap * 2 : 16, sizeof *g.slots), m->cap ? m->cap * 2 : 16, 0, false};
    if (!g.slots) {
      m->oom = true;
      return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
      if (m->slots[i].s) *find(&g, m->slots[i].s, m->slots[i].len) = m->slots[i];
    }
    g.count = m->count;
    free(m->slots);
    *m = g;
  }
  struct text_name_slot *e = find(m, s, len);
  if (e->s) return false;
  e->s = s;
  e->len = len;
  e->index = index;
  m->count++;
  return true;
}

bool text_names_get(const text_namemap *m, const char *s, uint32_t len, uint32_t *index) {
  if (m->count == 0) return false;
  struct text_name_slot *e = find(m, s, len);
  if (!e->s) return false;
  *index = e->index;
  return true;
}

void text_names_clear(text_namemap *m) {
  if (m->count == 0) return;
  /* Small maps are reused per function: shrink back rather than sweep a big table. */
  if (m->cap > 64) {
    free(m->slots);
    m->slots = NULL;
    m->cap = 0;
  } else {
    memset(m->slots, 0, m->cap * sizeof *m->slots);
  }
  m->count = 0;
}

void text_names_free(text_namemap *m) {
  free(m->slots);
  memset(m, 0, sizeof *m);
}

/* ---------- instruction names ------------------------------------------------------------ */

/* A fixed table, so the one-time set-up allocates nothing and cannot fail: at most half
 * full, the map never grows. */
#define OP_SLOTS 2048
_Static_assert(WASM_OP_COUNT * 2 <= OP_SLOTS, "OP_SLOTS too small for the opcode table");
static UTIL_COLD_BSS struct text_name_slot op_slots[OP_SLOTS];
static text_namemap op_names = {op_slots, OP_SLOTS, 0, false};
static pthread_once_t op_once = PTHREAD_ONCE_INIT;

static void init_op_names(void) {
  for (int i = 0; i < WASM_OP_COUNT; i++) {
    const char *n = wasm_op_name(i);
    /* The first entry of a shared name (select) wins; the parser picks the other form. */
    text_names_add(&op_names, n, (uint32_t)strlen(n), (uint32_t)i);
  }
}

int text_opcode_by_name(const char *s, size_t n) {
  pthread_once(&op_once, init_op_names);
  uint32_t idx;
  return text_names_get(&op_names, s, (uint32_t)n, &idx) ? (int)idx : -1;
}

int text_token_proposal(const char *src, const text_token *toks, size_t k, size_t lo) {
  const text_token *t = &toks[k];
  if (t->kind != TOK_KEYWORD) return WASM_PROPOSAL_NONE;
  bool after_lpar = k > lo && toks[k - 1].kind == TOK_LPAR;
  const char *form = NULL;
  size_t form_len = 0;
  if ((t->len == 6 && memcmp(src + t->start, "shared", 6) == 0) || (t->len == 4 && memcmp(src + t->start, "item", 4) == 0)) {
    /* the keyword of the form around it: (table shared ...) is not a shared memory, and
     * (item ...) is a compact import only inside (import ...) */
    for (size_t j = after_lpar ? k - 1 : k; j-- > lo;) /* not the `(` of the keyword's own form */
      if (toks[j].kind == TOK_LPAR && toks[j].match > k) {
        if (toks[j + 1].kind == TOK_KEYWORD) form = src + toks[j + 1].start, form_len = toks[j + 1].len;
        break;
      }
  }
  return wasm_proposal_of_keyword(src + t->start, t->len, after_lpar, form, form_len);
}

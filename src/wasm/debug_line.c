/* Source lines from DWARF: a reader of the `.debug_line` custom section (DWARF versions
 * 2 to 5, 32- and 64-bit), enough to turn a code offset into file:line:column for
 * backtraces. In WebAssembly DWARF an address is a byte offset from the start of the
 * code section's contents (the function count's first byte), which is how clang and
 * wasm-ld emit it and llvm-dwarfdump reads it.
 *
 * Debug info is advisory: anything malformed stops the reading where it is and keeps
 * the rows read so far; it never fails the module. The table is built on the first
 * lookup (a run that never traps pays nothing for its debug info) and published with a
 * compare-and-swap, since a module is shared by threads; it is plain malloc'd memory,
 * not the module's arena, for the same reason. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"

typedef struct line_row {
  uint32_t addr;
  uint32_t line;
  uint32_t column;
  uint32_t file; /* into wasm_line_table.files */
  bool end;      /* the first address after a sequence */
} line_row;

typedef struct wasm_line_table wasm_line_table;
struct wasm_line_table {
  uint32_t code_start; /* module offset of the code section's contents */
  line_row *rows;      /* by address; at one address an end row comes first */
  size_t nrows;
  const char **files;
  size_t nfiles;
  char **owned;        /* the joined path strings */
  size_t nowned;
};

/* A bounded little-endian byte reader; every read fails cleanly at the end. */
typedef struct rd {
  const uint8_t *p, *end;
  bool bad;
} rd;

static uint64_t fixed(rd *r, unsigned n) {
  if (r->bad || (size_t)(r->end - r->p) < n) {
    r->bad = true;
    return 0;
  }
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= (uint64_t)r->p[i] << (8 * i);
  r->p += n;
  return v;
}

static uint64_t uleb(rd *r) {
  uint64_t v = 0;
  for (unsigned shift = 0; !r->bad; shift += 7) {
    if (r->p >= r->end || shift > 63) break;
    uint8_t b = *r->p++;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  r->bad = true;
  return 0;
}

static int64_t sleb(rd *r) {
  int64_t v = 0;
  unsigned shift = 0;
  for (;;) {
    if (r->bad || r->p >= r->end || shift > 63) {
      r->bad = true;
      return 0;
    }
    uint8_t b = *r->p++;
    v |= (int64_t)((uint64_t)(b & 0x7f) << shift);
    shift += 7;
    if (!(b & 0x80)) {
      if (shift < 64 && (b & 0x40)) v = (int64_t)((uint64_t)v | (~(uint64_t)0 << shift));
      return v;
    }
  }
}

/* A NUL-terminated string in place. */
static const char *cstr(rd *r) {
  const char *s = (const char *)r->p;
  const uint8_t *z = r->p < r->end ? memchr(r->p, 0, (size_t)(r->end - r->p)) : NULL;
  if (r->bad || !z) {
    r->bad = true;
    return "";
  }
  r->p = z + 1;
  return s;
}

/* A NUL-terminated string at `off` in another section (.debug_str, .debug_line_str). */
static const char *str_at(const wasm_custom *sec, uint64_t off) {
  if (!sec || off >= sec->len) return NULL;
  const uint8_t *s = sec->bytes + off;
  if (!memchr(s, 0, sec->len - off)) return NULL;
  return (const char *)s;
}

typedef struct reader {
  const wasm_module *m;
  const wasm_custom *debug_str, *line_str;
  line_row *rows;
  size_t nrows, caprows;
  const char **files;
  size_t nfiles, capfiles;
  char **owned;
  size_t nowned, capowned;
  bool oom; /* an allocation failed: the table is not built */
} reader;

/* "dir/name" (just name when it is absolute or dir is empty); NULL with R->oom when out
 * of memory. */
static const char *join(reader *R, const char *dir, const char *name) {
  if (!dir || !*dir || name[0] == '/') return name; /* points into the section */
  size_t dn = strlen(dir), nn = strlen(name);
  bool slash = dir[dn - 1] == '/';
  char *s = util_try_malloc(dn + nn + 2);
  if (!s || !UTIL_VEC_TRY_PUSH(R->owned, R->nowned, R->capowned, s)) {
    free(s);
    R->oom = true;
    return NULL;
  }
  memcpy(s, dir, dn);
  if (!slash) s[dn++] = '/';
  memcpy(s + dn, name, nn + 1);
  return s;
}

enum {
  FORM_BLOCK = 0x09, FORM_DATA1 = 0x0b, FORM_DATA2 = 0x05, FORM_DATA4 = 0x06, FORM_DATA8 = 0x07,
  FORM_DATA16 = 0x1e, FORM_STRING = 0x08, FORM_STRP = 0x0e, FORM_LINE_STRP = 0x1f, FORM_UDATA = 0x0f,
  FORM_STRX = 0x1a, FORM_STRX1 = 0x25, FORM_STRX2 = 0x26, FORM_STRX3 = 0x27, FORM_STRX4 = 0x28,
};
enum { LNCT_PATH = 1, LNCT_DIRECTORY_INDEX = 2 };

/* One attribute value of a DWARF 5 directory or file entry: a string (*s) or a number. */
static bool form_value(reader *R, rd *r, uint64_t form, bool dwarf64, const char **s, uint64_t *n) {
  *s = NULL;
  *n = 0;
  switch (form) {
  case FORM_STRING: *s = cstr(r); break;
  case FORM_LINE_STRP: *s = str_at(R->line_str, fixed(r, dwarf64 ? 8 : 4)); break;
  case FORM_STRP: *s = str_at(R->debug_str, fixed(r, dwarf64 ? 8 : 4)); break;
  case FORM_UDATA: *n = uleb(r); break;
  case FORM_DATA1: *n = fixed(r, 1); break;
  case FORM_DATA2: *n = fixed(r, 2); break;
  case FORM_DATA4: *n = fixed(r, 4); break;
  case FORM_DATA8: *n = fixed(r, 8); break;
  case FORM_DATA16: fixed(r, 8), fixed(r, 8); break;
  case FORM_BLOCK: {
    uint64_t len = uleb(r);
    if (len > (uint64_t)(r->end - r->p)) r->bad = true;
    else r->p += len;
    break;
  }
  /* string offsets need .debug_str_offsets and the unit's base: read, not resolved */
  case FORM_STRX: uleb(r); break;
  case FORM_STRX1: fixed(r, 1); break;
  case FORM_STRX2: fixed(r, 2); break;
  case FORM_STRX3: fixed(r, 3); break;
  case FORM_STRX4: fixed(r, 4); break;
  default: return false; /* a form this reader cannot skip: stop */
  }
  return !r->bad;
}

/* DWARF 5 directory or file table: entry formats, then entries. Paths go to out[]
 * (dirs) or, joined with their directory, to R->files. */
static bool v5_table(reader *R, rd *r, bool dwarf64, const char **dirs, size_t ndirs, const char ***out,
                     size_t *nout) {
  uint8_t nfmt = (uint8_t)fixed(r, 1);
  uint64_t fmt[32][2];
  if (nfmt > 32) return false;
  for (unsigned i = 0; i < nfmt; i++) {
    fmt[i][0] = uleb(r);
    fmt[i][1] = uleb(r);
  }
  uint64_t count = uleb(r);
  if (r->bad || count > (uint64_t)(r->end - r->p)) return false;
  const char **list = util_try_calloc((size_t)count + 1, sizeof *list);
  if (!list) return !(R->oom = true);
  *out = list;
  *nout = 0;
  for (uint64_t k = 0; k < count; k++) {
    const char *path = NULL;
    uint64_t dir = 0;
    for (unsigned i = 0; i < nfmt; i++) {
      const char *s;
      uint64_t n;
      if (!form_value(R, r, fmt[i][1], dwarf64, &s, &n)) return false; /* *out: the caller frees */
      if (fmt[i][0] == LNCT_PATH) path = s;
      else if (fmt[i][0] == LNCT_DIRECTORY_INDEX) dir = n;
    }
    if (!path) path = "";
    list[k] = dirs ? join(R, dir < ndirs ? dirs[dir] : NULL, path) : path;
    if (!list[k]) return false; /* R->oom */
    *nout = (size_t)k + 1;
  }
  return true;
}

static void push_row(reader *R, line_row row) {
  if (!UTIL_VEC_TRY_PUSH(R->rows, R->nrows, R->caprows, row)) R->oom = true;
}

/* One line-number program unit starting at r->p; leaves r->p after it. */
static bool unit(reader *R, rd *all) {
  bool dwarf64 = false;
  uint64_t len = fixed(all, 4);
  if (len == 0xffffffffu) {
    dwarf64 = true;
    len = fixed(all, 8);
  }
  if (all->bad || len > (uint64_t)(all->end - all->p)) return false;
  rd r = {all->p, all->p + len, false};
  all->p += len;

  unsigned version = (unsigned)fixed(&r, 2);
  if (version < 2 || version > 5) return true; /* not ours to read: skip the unit */
  if (version >= 5) {
    fixed(&r, 1); /* address size */
    fixed(&r, 1); /* segment selector size */
  }
  uint64_t hlen = fixed(&r, dwarf64 ? 8 : 4);
  if (r.bad || hlen > (uint64_t)(r.end - r.p)) return false;
  const uint8_t *program = r.p + hlen;
  unsigned min_inst = (unsigned)fixed(&r, 1);
  if (version >= 4) fixed(&r, 1); /* maximum operations per instruction (VLIW only) */
  fixed(&r, 1); /* default_is_stmt: every row counts for a backtrace */
  int line_base = (int8_t)fixed(&r, 1);
  unsigned line_range = (unsigned)fixed(&r, 1);
  unsigned opcode_base = (unsigned)fixed(&r, 1);
  if (r.bad || line_range == 0 || opcode_base == 0) return false;
  uint8_t std_len[256] = {0};
  for (unsigned i = 1; i < opcode_base; i++) std_len[i] = (uint8_t)fixed(&r, 1);

  /* the file table: indices 1.. in DWARF 2-4 (0 = the unit's primary file in 5) */
  size_t file_base = R->nfiles;
  unsigned first_index = version >= 5 ? 0 : 1;
  if (version >= 5) {
    const char **dirs = NULL, **files = NULL;
    size_t ndirs = 0, nfiles = 0;
    bool ok = v5_table(R, &r, dwarf64, NULL, 0, &dirs, &ndirs) && v5_table(R, &r, dwarf64, dirs, ndirs, &files, &nfiles);
    for (size_t i = 0; ok && i < nfiles; i++)
      if (!UTIL_VEC_TRY_PUSH(R->files, R->nfiles, R->capfiles, files[i])) ok = !(R->oom = true);
    free(dirs);
    free(files);
    if (!ok) return false;
  } else {
    const char *dirs[256];
    size_t ndirs = 1;
    dirs[0] = NULL; /* the compilation directory, named only in .debug_info */
    for (;;) {
      const char *d = cstr(&r);
      if (r.bad) return false;
      if (!*d) break;
      if (ndirs < 256) dirs[ndirs++] = d;
    }
    for (;;) {
      const char *name = cstr(&r);
      if (r.bad) return false;
      if (!*name) break;
      uint64_t dir = uleb(&r);
      uleb(&r); /* modification time */
      uleb(&r); /* length */
      if (r.bad) return false;
      const char *path = join(R, dir < ndirs ? dirs[dir] : NULL, name);
      if (!path || !UTIL_VEC_TRY_PUSH(R->files, R->nfiles, R->capfiles, path)) return !(R->oom = true);
    }
  }
  size_t nunit_files = R->nfiles - file_base;

  /* the line-number program */
  r.p = program;
  uint64_t addr = 0;
  uint64_t file = 1, line = 1, column = 0;
  size_t seq_start = R->nrows; /* rows of the current sequence start here */
  bool seq_dead = false;      /* the linker's tombstone: code that was not kept */
#define EMIT(is_end)                                                                           \
  do {                                                                                         \
    uint64_t fi_ = file - first_index;                                                         \
    if (!seq_dead && addr <= UINT32_MAX && fi_ < nunit_files)                                  \
      push_row(R, (line_row){(uint32_t)addr, (uint32_t)(line > UINT32_MAX ? 0 : line),         \
                             (uint32_t)(column > UINT32_MAX ? 0 : column),                     \
                             (uint32_t)(file_base + fi_), (is_end)});                          \
  } while (0)
  while (r.p < r.end && !r.bad && !R->oom) {
    uint8_t op = (uint8_t)fixed(&r, 1);
    if (op >= opcode_base) {
      unsigned adj = op - opcode_base;
      addr += (uint64_t)(adj / line_range) * min_inst;
      line += (uint64_t)(int64_t)(line_base + (int)(adj % line_range));
      EMIT(false);
      continue;
    }
    switch (op) {
    case 0: { /* extended */
      uint64_t elen = uleb(&r);
      if (r.bad || elen == 0 || elen > (uint64_t)(r.end - r.p)) return false;
      const uint8_t *next = r.p + elen;
      uint8_t sub = (uint8_t)fixed(&r, 1);
      if (sub == 1) { /* end_sequence */
        EMIT(true);
        if (seq_dead) R->nrows = seq_start;
        seq_start = R->nrows;
        addr = 0, file = 1, line = 1, column = 0, seq_dead = false;
      } else if (sub == 2) { /* set_address */
        uint64_t a = fixed(&r, (unsigned)(elen - 1 > 8 ? 8 : elen - 1));
        /* wasm-ld points the sequences of discarded functions at 0 (LLVM < 13) or at
         * the all-ones tombstone; no function's code starts at offset 0 */
        if (R->nrows == seq_start && (a == 0 || a >= 0xfffffff0u)) seq_dead = true;
        addr = a;
      }
      r.p = next;
      break;
    }
    case 1: EMIT(false); break;                                 /* copy */
    case 2: addr += uleb(&r) * min_inst; break;                 /* advance_pc */
    case 3: line += (uint64_t)sleb(&r); break;                  /* advance_line */
    case 4: file = uleb(&r); break;                             /* set_file */
    case 5: column = uleb(&r); break;                           /* set_column */
    case 6: case 7: break;                                      /* negate_stmt, set_basic_block */
    case 8: addr += (uint64_t)((255 - opcode_base) / line_range) * min_inst; break; /* const_add_pc */
    case 9: addr += fixed(&r, 2); break;                        /* fixed_advance_pc */
    case 10: case 11: break;                                    /* prologue_end, epilogue_begin */
    default:
      for (unsigned i = 0; i < std_len[op]; i++) uleb(&r);
    }
  }
#undef EMIT
  return !r.bad && !R->oom;
}

static int by_addr(const void *a, const void *b) {
  const line_row *x = a, *y = b;
  if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
  if (x->end != y->end) return x->end ? -1 : 1; /* a sequence ending where another starts */
  return 0;
}

static const wasm_custom *custom(const wasm_module *m, const char *name) {
  size_t n = strlen(name);
  for (uint32_t i = 0; i < m->ncustoms; i++)
    if (m->customs[i].name.len == n && memcmp(m->customs[i].name.str, name, n) == 0) return &m->customs[i];
  return NULL;
}

static void table_free(wasm_line_table *t) {
  for (size_t i = 0; i < t->nowned; i++) free(t->owned[i]);
  free(t->owned);
  free(t->rows);
  free((void *)t->files);
  free(t);
}

/* The table of m's .debug_line; one with no rows when there is nothing to read, so the
 * work is done once. NULL when out of memory (nothing is kept: a later lookup tries
 * again). */
static wasm_line_table *build(const wasm_module *m) {
  wasm_line_table *t = util_try_calloc(1, sizeof *t);
  if (!t) return NULL;
  const wasm_custom *sec = custom(m, ".debug_line");
  uint32_t code_start = UINT32_MAX;
  for (uint32_t i = 0; i < m->nsections; i++)
    if (m->sections[i].id == 10) code_start = m->sections[i].offset;
  if (!sec || code_start == UINT32_MAX) return t;
  reader R = {.m = m, .debug_str = custom(m, ".debug_str"), .line_str = custom(m, ".debug_line_str")};
  rd r = {sec->bytes, sec->bytes + sec->len, false};
  while (r.p < r.end && unit(&R, &r)) {
  }
  if (R.oom) {
    for (size_t i = 0; i < R.nowned; i++) free(R.owned[i]);
    free(R.owned);
    free(R.rows);
    free((void *)R.files);
    free(t);
    return NULL;
  }
  if (R.nrows) qsort(R.rows, R.nrows, sizeof *R.rows, by_addr);
  t->code_start = code_start;
  t->rows = R.rows;
  t->nrows = R.nrows;
  t->files = R.files;
  t->nfiles = R.nfiles;
  t->owned = R.owned;
  t->nowned = R.nowned;
  return t;
}

void wasm_line_table_free(wasm_module *m) {
  wasm_line_table *t = atomic_load(&m->lines);
  if (t) table_free(t);
  atomic_store(&m->lines, NULL);
}

bool wasm_line_lookup(const wasm_module *m, uint32_t offset, const char **file, uint32_t *line, uint32_t *column) {
  _Atomic(wasm_line_table *) *slot = (_Atomic(wasm_line_table *) *)&m->lines; /* a cache, not content */
  wasm_line_table *t = atomic_load(slot);
  if (!t && !custom(m, ".debug_line")) return false; /* nothing to build, nothing allocated */
  if (!t) {
    wasm_line_table *mine = build(m), *none = NULL;
    if (!mine) return false; /* out of memory: no line this time */
    if (atomic_compare_exchange_strong(slot, &none, mine)) {
      t = mine;
    } else {
      table_free(mine); /* another thread was first */
      t = none;
    }
  }
  if (!t->nrows || offset < t->code_start) return false;
  uint32_t addr = offset - t->code_start;
  /* the last row at or before addr */
  size_t lo = 0, hi = t->nrows;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t->rows[mid].addr <= addr) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return false;
  const line_row *row = &t->rows[lo - 1];
  /* line 0 is code the compiler made up (spills, merged paths): the line before it in
   * the same sequence is the closest honest answer */
  while (!row->end && row->line == 0 && row > t->rows && !row[-1].end) row--;
  if (row->end || row->line == 0) return false; /* past a sequence, or no line at all */
  *file = t->files[row->file];
  *line = row->line;
  *column = row->column;
  return true;
}

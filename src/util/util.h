/* util: the small shared toolbox — errors, arenas, growable arrays, LEB128, UTF-8, files.
 * Depends on libc only. */
#ifndef WELD_UTIL_H
#define WELD_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------- errors ---------------------------------------------------------------- */

/* What kind of failure an error reports. The decode/validate split follows the spec:
 * malformed = the bytes are not a module; invalid = a well-formed module that does not
 * validate. */
typedef enum {
  UTIL_ERR_NONE = 0,
  UTIL_ERR_MALFORMED,
  UTIL_ERR_INVALID,
  UTIL_ERR_LINK,      /* import resolution failed (unlinkable) */
  UTIL_ERR_TRAP,      /* a trap during instantiation or a call */
  UTIL_ERR_IO,        /* files, the OS */
  UTIL_ERR_USAGE,     /* bad flags or arguments */
  UTIL_ERR_LIMIT,     /* an implementation or policy limit */
  UTIL_ERR_OOM,
} util_err_kind;

typedef struct util_error {
  util_err_kind kind;
  char msg[256];   /* the spec's wording first, details after ": " where useful */
  int64_t offset;  /* byte offset in the input, or -1 */
  int64_t func;    /* function index, or -1 */
  int line, col;   /* text positions (0 = unknown) */
} util_error;

void util_error_clear(util_error *e);

/* The edition of the WebAssembly specification whose wording errors follow where 3.0
 * reworded 2.0 (limits flags, "immutable global", lane index literals): 2 (the default)
 * or 3. Set per thread: weld_module_new sets it from the engine's weld_standard, and the
 * .wast runner for its scripts (`weld wast --standard`); the verdicts never depend on it. */
int util_spec_edition(void);
void util_set_spec_edition(int edition);
/* Sets the error (first error wins: a later set on an already-set error is ignored).
 * Always returns false so callers can `return util_fail(...)`. */
bool util_fail(util_error *e, util_err_kind kind, int64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
bool util_vfail(util_error *e, util_err_kind kind, int64_t offset, const char *fmt, va_list ap);
/* Formats "msg (at offset 0x1a, function 3)" into buf. */
const char *util_error_format(const util_error *e, char *buf, size_t n);

/* The GNU build ID (hex) of the binary this code is linked into, or the time buildid.c
 * was compiled where there is none: what tells two builds of one version apart. */
const char *util_build_id(void);

/* ---------- memory ---------------------------------------------------------------- */

/* Two kinds of allocation. The util_try_* functions (and util_arena_try_alloc,
 * UTIL_VEC_TRY_PUSH) return NULL / false when the heap is exhausted; all of weld uses
 * them and reports "out of memory" in its own way: an error or a trap from weld.h
 * (stores, instances, host functions, tables, globals, calls, loading a binary or text
 * module, WASI contexts, profilers), ENOMEM to the guest from a WASI call, an "out of
 * memory" error with nothing changed from policy, audit and file loading, the text reader,
 * the .wast script parser and the printer, NULL / an empty vector / the "out of memory"
 * trap from wasm.h, a failed command in the .wast runner, and a backtrace frame without
 * its source line when the DWARF line table cannot be built.
 * The util_x* functions (and util_arena_alloc/_dup/_strndup, UTIL_VEC_PUSH) print and
 * abort instead; they are kept for the tools and tests around weld, not for the library. */
void *util_try_malloc(size_t n);
void *util_try_calloc(size_t n, size_t sz);
void *util_try_realloc(void *p, size_t n);
/* util_try_malloc for a large buffer about to be filled whole (a file read at once): n
 * rounded up to whole 2 MiB pages, 2 MiB-aligned, advised MADV_HUGEPAGE and made present
 * in one call, so that filling it costs a fault per 2 MiB instead of one per 4 KiB (in a
 * virtual machine with shadow page tables, about 4 µs per 4 KiB page even when made
 * present ahead, on first touch by read() and again by the process). free() releases it;
 * the rounding is resident, so it is for buffers most of whose last 2 MiB is used. */
void *util_try_malloc_huge(size_t n);
/* From this size on, util_read_file and util_try_calloc_big take huge pages (at most
 * three quarters of the last one unused). */
#define UTIL_HUGE_MIN ((size_t)512 << 10)
/* From this size on, util_try_calloc_big and util_arena_try_alloc make the pages of what
 * they hand out present in one call (MADV_POPULATE_WRITE) before it is written. */
#define UTIL_POPULATE_MIN ((size_t)16 << 10)
/* The whole 4 KiB pages within [p, p + n) made present and writable in one call
 * (MADV_POPULATE_WRITE; nothing where the kernel lacks it): for memory about to be written
 * whole. A fresh page costs a fault on its first write (about 9 µs on the benchmarks' VM,
 * and two when it is read first: the zero page, then a copy); made present ahead, about
 * 0.65 µs. */
void util_populate(void *p, size_t n);
/* Zero-filled static arrays that a start does not write (or writes one page of) are
 * declared UTIL_COLD_BSS: GCC on x86-64 gives them the section .lbss, which the linker
 * places after .bss, so the small statics a start does write share fewer pages (each
 * page a process first writes costs it a fault, above). Elsewhere it is nothing. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__ELF__)
#define UTIL_COLD_BSS __attribute__((section(".lbss")))
#else
#define UTIL_COLD_BSS
#endif
/* util_try_calloc for an array that is written whole soon: from UTIL_HUGE_MIN bytes on, in
 * huge pages (util_try_malloc_huge), zeroed; from UTIL_POPULATE_MIN, its pages made present
 * at once. free() releases it. */
void *util_try_calloc_big(size_t n, size_t sz);
char *util_try_strdup(const char *s);
/* Test hook: the n-th allocation from now (by any of the functions here, counted per
 * thread) fails as if the heap were exhausted; 0 turns it off. Returns how many
 * allocations were made since the previous call. */
unsigned long util_alloc_fail_at(unsigned long n);

void *util_xmalloc(size_t n);
void *util_xcalloc(size_t n, size_t sz);
void *util_xrealloc(void *p, size_t n);
char *util_xstrdup(const char *s);

/* Bump allocator; everything is freed at once. */
typedef struct util_arena_chunk util_arena_chunk;
typedef struct util_arena {
  util_arena_chunk *head;
  size_t used_total;
} util_arena;

/* A fresh read+write anonymous mapping of `bytes` bytes aligned to 2 MiB and advised
 * MADV_HUGEPAGE, so that the kernel can back it with transparent huge pages (one fault per
 * 2 MiB instead of one per 4 KiB); NULL on failure. Freed with munmap(p, bytes). */
void *util_map_huge(size_t bytes);

/* munmap, unless util_unmap_at_exit() was called: a process about to exit leaves its
 * mappings to the kernel, which drops them all at once, where each munmap is a TLB flush
 * and page-table frees of its own (a guest memory's 8 GiB reservation, the value stack,
 * machine code: about 1 ms of a `weld run hello.wasm` in a virtual machine). Only for
 * mappings nothing else refers to once freed. */
void util_unmap(void *p, size_t bytes);
/* From now on util_unmap leaves mappings in place: for a process (the weld command) that
 * frees its objects on the way to exit(). Not for a library that goes on running. */
void util_unmap_at_exit(void);

void util_arena_init(util_arena *a);
void util_arena_free(util_arena *a);
void *util_arena_alloc(util_arena *a, size_t n);           /* 16-byte aligned, zeroed */
void *util_arena_try_alloc(util_arena *a, size_t n);       /* the same, NULL when out of memory */
void *util_arena_dup(util_arena *a, const void *p, size_t n);
char *util_arena_strndup(util_arena *a, const char *s, size_t n); /* NUL-terminated copy */
void *util_arena_try_dup(util_arena *a, const void *p, size_t n);      /* NULL when out of memory */
char *util_arena_try_strndup(util_arena *a, const char *s, size_t n);  /* NULL when out of memory */

/* Growable array of T: declare `T *items; size_t len, cap;` and use UTIL_VEC_PUSH. */
#define UTIL_VEC_RESERVE(items, len, cap, extra)                                   \
  do {                                                                             \
    if ((len) + (extra) > (cap)) {                                                 \
      size_t util_nc_ = (cap) ? (cap) * 2 : 8;                                     \
      while (util_nc_ < (len) + (extra)) util_nc_ *= 2;                            \
      (items) = util_xrealloc((items), util_nc_ * sizeof(*(items)));               \
      (cap) = util_nc_;                                                            \
    }                                                                              \
  } while (0)
#define UTIL_VEC_PUSH(items, len, cap, value)                                      \
  do {                                                                             \
    UTIL_VEC_RESERVE(items, len, cap, 1);                                          \
    (items)[(len)++] = (value);                                                    \
  } while (0)
/* Makes room for one more element; false (array unchanged) when out of memory. */
bool util_vec_try_grow(void **items, size_t *cap, size_t len, size_t elem);

/* ---------- byte buffers -------------------------------------------------------------- */

/* A growable byte buffer; once anything is put in it, its bytes are followed by a NUL (so
 * text in it can be used as a C string). When growing runs out of memory, `oom` is set and stays set: later
 * appends do nothing, so the owner checks `oom` before using the contents. Zero-initialise;
 * free with util_buf_free. */
typedef struct util_buf {
  uint8_t *p;
  size_t len, cap;
  bool oom;
} util_buf;

/* Room for n more bytes (and the NUL); false (with oom set) when there is no memory. */
bool util_buf_reserve(util_buf *b, size_t n);
void util_buf_put(util_buf *b, const void *p, size_t n);
/* Appends a NUL-terminated string / printf-formatted text (b->oom when out of memory). */
void util_buf_puts(util_buf *b, const char *s);
void util_buf_printf(util_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void util_buf_free(util_buf *b);

/* An expression: true after appending, false (array unchanged) when out of memory. */
#define UTIL_VEC_TRY_PUSH(items, len, cap, value)                                  \
  (util_vec_try_grow((void **)&(items), &(cap), (len), sizeof(*(items))) &&        \
   ((items)[(len)++] = (value), true))

/* ---------- byte reader with LEB128 ------------------------------------------------- */

/* A cursor over a byte range. `base` is the offset of `start` within the whole input so
 * errors can report absolute positions. */
typedef struct util_reader {
  const uint8_t *start, *p, *end;
  size_t base;
} util_reader;

static inline size_t util_reader_offset(const util_reader *r) {
  return r->base + (size_t)(r->p - r->start);
}
static inline bool util_reader_eof(const util_reader *r) { return r->p >= r->end; }

/* Each returns false and sets the error (kind MALFORMED) on failure, with the spec's
 * wording: "unexpected end", "integer representation too long", "integer too large". */
/* u8, u32, s32 and s64 are inline for the common one-byte case (most indices and
 * constants of code), the rest in leb.c (the *_long functions). */
bool util_read_u8_long(util_reader *r, uint8_t *out, util_error *e);
bool util_read_u32_long(util_reader *r, uint32_t *out, util_error *e);
bool util_read_s32_long(util_reader *r, int32_t *out, util_error *e);
bool util_read_s64_long(util_reader *r, int64_t *out, util_error *e);
static inline bool util_read_u8(util_reader *r, uint8_t *out, util_error *e) {
  if (r->p < r->end) {
    *out = *r->p++;
    return true;
  }
  return util_read_u8_long(r, out, e);
}
/* unsigned LEB128 */
static inline bool util_read_u32(util_reader *r, uint32_t *out, util_error *e) {
  if (r->p < r->end && !(*r->p & 0x80)) {
    *out = *r->p++;
    return true;
  }
  return util_read_u32_long(r, out, e);
}
/* signed LEB128 */
static inline bool util_read_s32(util_reader *r, int32_t *out, util_error *e) {
  if (r->p < r->end && !(*r->p & 0x80)) {
    *out = (int32_t)((uint32_t)*r->p++ << 25) >> 25; /* bit 6 is the sign */
    return true;
  }
  return util_read_s32_long(r, out, e);
}
static inline bool util_read_s64(util_reader *r, int64_t *out, util_error *e) {
  if (r->p < r->end && !(*r->p & 0x80)) {
    *out = (int64_t)((uint64_t)*r->p++ << 57) >> 57;
    return true;
  }
  return util_read_s64_long(r, out, e);
}
bool util_read_s33(util_reader *r, int64_t *out, util_error *e);    /* block types */
bool util_read_u64(util_reader *r, uint64_t *out, util_error *e);
bool util_read_bytes(util_reader *r, size_t n, const uint8_t **out, util_error *e);
bool util_read_fixed32(util_reader *r, uint32_t *out, util_error *e); /* little endian */
bool util_read_fixed64(util_reader *r, uint64_t *out, util_error *e);

/* LEB128 writers (used by encoders and tests). Return bytes written (buf >= 10 bytes). */
size_t util_write_u64(uint8_t *buf, uint64_t v);
size_t util_write_s64(uint8_t *buf, int64_t v);

/* ---------- UTF-8 ------------------------------------------------------------------ */

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool util_utf8_valid(const uint8_t *s, size_t n);

/* ---------- files ------------------------------------------------------------------ */

/* Reads a whole file ("-" = stdin) into a malloc'd buffer the caller frees; data[len] is
 * a NUL byte past the contents (not counted in len), so text can be read as a C string.
 * On failure sets an IO error naming the path. */
bool util_read_file(const char *path, uint8_t **data, size_t *len, util_error *e);

/* Maps a regular, non-empty file read-only (private, its pages mapped at once): for large
 * files read once, it costs neither a copy nor a fresh page per 4 KiB, as a read into
 * new memory does. The file must not be truncated while mapped (touching a page past its
 * end is SIGBUS): meant for files that are replaced by rename, never rewritten in place.
 * False with an IO error naming the path; util_unmap_file releases the mapping. */
bool util_map_file(const char *path, const uint8_t **data, size_t *len, util_error *e);
/* The same, and the file's modification time (seconds since the epoch) in *mtime. */
bool util_map_file_mtime(const char *path, const uint8_t **data, size_t *len, int64_t *mtime, util_error *e);
void util_unmap_file(const uint8_t *data, size_t len);
/* The whole pages within [data, data + len) of such a mapping leave the resident set
 * (MADV_DONTNEED; read again from the file if touched). */
void util_drop_pages(const uint8_t *data, size_t len);

#endif

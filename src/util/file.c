#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* A regular file is read with one read() into a buffer of its size plus one byte (the
 * terminating NUL, and room to see a file that grew meanwhile): no stdio buffer and no 64 KiB guess, which for a small
 * module is heap touched for nothing at every start. Pipes, terminals and "-" (stdin) are
 * read in growing chunks until end of file. */
bool util_read_file(const char *path, uint8_t **data, size_t *len, util_error *e) {
  bool is_stdin = strcmp(path, "-") == 0;
  int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return util_fail(e, UTIL_ERR_IO, -1, "cannot open %s: %s", path, strerror(errno));
  struct stat st;
  size_t cap = 64 * 1024, n = 0;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 && (uint64_t)st.st_size < SIZE_MAX - 1)
    cap = (size_t)st.st_size + 1;
  /* a large buffer is fresh memory (the allocator maps it) that read() fills at once: of
   * 512 KiB or more, in huge pages (util_try_malloc_huge; at most 1.5 MiB of the last one
   * unused); from 256 KiB, its pages made present in one call, which costs about half of
   * a page fault each. sqlite.wasm, 1 MB: 2.4 ms to read and touch once in 4 KiB pages
   * made present, 0.23 ms in a huge page (on a VM whose shadow page tables make the first
   * touch of each 4 KiB page cost about 4 µs more, by read() and by the process alike). */
  bool huge = cap >= UTIL_HUGE_MIN;
  uint8_t *buf = huge ? util_try_malloc_huge(cap) : util_try_malloc(cap);
  if (!huge && buf && cap >= ((size_t)256 << 10)) util_populate(buf, cap);
  int err = 0;
  for (;;) {
    if (buf && n == cap) {
      uint8_t *bigger = cap <= SIZE_MAX / 2 ? util_try_realloc(buf, cap * 2) : NULL;
      if (!bigger) free(buf);
      buf = bigger;
      cap *= 2;
    }
    if (!buf) {
      if (!is_stdin) close(fd);
      return util_fail(e, UTIL_ERR_OOM, -1, "cannot read %s: out of memory", path);
    }
    ssize_t k = read(fd, buf + n, cap - n);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) err = errno;
    if (k <= 0) break;
    n += (size_t)k;
  }
  if (!is_stdin) close(fd);
  if (err) {
    free(buf);
    return util_fail(e, UTIL_ERR_IO, -1, "cannot read %s: %s", path, strerror(err));
  }
  buf[n] = 0; /* n < cap: the last read had room and found the end */
  *data = buf;
  *len = n;
  return true;
}

bool util_map_file(const char *path, const uint8_t **data, size_t *len, util_error *e) {
  return util_map_file_mtime(path, data, len, NULL, e);
}

bool util_map_file_mtime(const char *path, const uint8_t **data, size_t *len, int64_t *mtime, util_error *e) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return util_fail(e, UTIL_ERR_IO, -1, "cannot open %s: %s", path, strerror(errno));
  struct stat st;
  const char *why = NULL;
  if (fstat(fd, &st) != 0) why = strerror(errno);
  else if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > SIZE_MAX) why = "empty or not a regular file";
  if (why) {
    util_fail(e, UTIL_ERR_IO, -1, "cannot map %s: %s", path, why);
    close(fd);
    return false;
  }
  void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  int err = errno;
  close(fd);
  if (p == MAP_FAILED) return util_fail(e, UTIL_ERR_IO, -1, "cannot map %s: %s", path, strerror(err));
  *data = p;
  *len = (size_t)st.st_size;
  if (mtime) *mtime = (int64_t)st.st_mtime;
  return true;
}

void util_unmap_file(const uint8_t *data, size_t len) {
  if (data) util_unmap((void *)(uintptr_t)data, len); /* left in place by a process about to exit */
}

void util_drop_pages(const uint8_t *data, size_t len) {
  uintptr_t lo = ((uintptr_t)data + 4095) & ~(uintptr_t)4095, hi = ((uintptr_t)data + len) & ~(uintptr_t)4095;
  if (data && hi > lo) (void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

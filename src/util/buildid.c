/* util_build_id: the GNU build ID of the binary weld's code is linked into — the
 * executable, libweld.so, or an embedder's program that links libweld.a — read from its
 * loaded ELF notes. The linker makes it from the linked bytes, so any rebuild that changes
 * the code changes it; caches of compiled code key on it besides the version, which a
 * development build does not change. Without a build ID note (a linker run without
 * --build-id), the time this file was compiled stands in. */
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static char build_id[2 * 64 + 1];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The note's descriptor, found in the object whose loaded segments hold this function. */
static int find(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size, (void)data;
  uintptr_t self = (uintptr_t)&find;
  bool mine = false;
  for (int i = 0; i < info->dlpi_phnum && !mine; i++) {
    const ElfW(Phdr) *p = &info->dlpi_phdr[i];
    uintptr_t lo = info->dlpi_addr + p->p_vaddr;
    mine = p->p_type == PT_LOAD && self >= lo && self < lo + p->p_memsz;
  }
  if (!mine) return 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *p = &info->dlpi_phdr[i];
    if (p->p_type != PT_NOTE) continue;
    const uint8_t *at = (const uint8_t *)(info->dlpi_addr + p->p_vaddr), *end = at + p->p_memsz;
    while (at + sizeof(ElfW(Nhdr)) <= end) {
      const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)(const void *)at;
      const uint8_t *name = at + sizeof *n, *desc = name + ((n->n_namesz + 3) & ~3u);
      const uint8_t *next = desc + ((n->n_descsz + 3) & ~3u);
      if (next > end) break;
      if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 && n->n_descsz &&
          n->n_descsz <= 64) {
        for (uint32_t k = 0; k < n->n_descsz; k++) snprintf(build_id + 2 * k, 3, "%02x", desc[k]);
        return 1;
      }
      at = next;
    }
  }
  return 1;
}

static void init(void) {
  dl_iterate_phdr(find, NULL);
  if (!build_id[0]) snprintf(build_id, sizeof build_id, "built %s %s", __DATE__, __TIME__);
}

const char *util_build_id(void) {
  pthread_once(&once, init);
  return build_id;
}

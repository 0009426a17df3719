/* Naming generated code for the tools that look at a running weld (opt-in):
 *  - WELD_PERF_MAP=1: a line per compiled function in /tmp/perf-PID.map ("START SIZE
 *    NAME", hex), where `perf report` looks up addresses outside any mapped file;
 *  - WELD_GDB_JIT=1: the GDB JIT interface. For every batch of code, a small in-memory
 *    ELF file holding only a symbol table (a NOBITS .text at the code's address, one
 *    STT_FUNC symbol per function) is linked into __jit_debug_descriptor's list and
 *    __jit_debug_register_code is called; gdb (and lldb) keep a breakpoint on that
 *    function and read the file from our memory, so `bt`, `info symbol` and `disassemble`
 *    name the WebAssembly functions. The entry is taken out again when the code is freed.
 * The names are those of the module's name section ("wasm:NAME"), else
 * "wasm-function[N]" (N the function index, imports counted). */
#include <elf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jit_int.h"

/* ---- the interface as gdb defines it (gdb/jit.h, "JIT Interface" in its manual) ---- */

typedef enum { JIT_NOACTION = 0, JIT_REGISTER_FN, JIT_UNREGISTER_FN } jit_actions_t;

struct jit_code_entry {
  struct jit_code_entry *next_entry;
  struct jit_code_entry *prev_entry;
  const char *symfile_addr;
  uint64_t symfile_size;
};

struct jit_descriptor {
  uint32_t version;
  uint32_t action_flag; /* a jit_actions_t */
  struct jit_code_entry *relevant_entry;
  struct jit_code_entry *first_entry;
};

/* Both names are what the debugger looks for; they must stay global and not be inlined
 * away. */
void __jit_debug_register_code(void);
extern struct jit_descriptor __jit_debug_descriptor;

__attribute__((noinline, used)) void __jit_debug_register_code(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((used)) struct jit_descriptor __jit_debug_descriptor = {1, JIT_NOACTION, NULL, NULL};

/* The list is the process's (one per debugger), changed by any thread that makes or frees
 * code. */
static pthread_mutex_t dbg_lock = PTHREAD_MUTEX_INITIALIZER;

struct jit_dbg {
  struct jit_code_entry entry;
  struct jit_dbg *next; /* the owning module's other batches */
  uint8_t file[];       /* the ELF file */
};

static bool want(const char *var) {
  const char *v = getenv(var);
  return v && *v && strcmp(v, "0") != 0;
}

static int name_of(const jit_module *jm, uint32_t k, char *buf, size_t n) {
  const wasm_module *m = jm->em->wasm;
  uint32_t idx = m->nfunc_imports + k;
  const wasm_name *nm = m->func_names && m->func_names[idx].str ? &m->func_names[idx] : NULL;
  if (nm) return snprintf(buf, n, "wasm:%.*s", (int)nm->len, nm->str);
  return snprintf(buf, n, "wasm-function[%u]", idx);
}

static void perf_map(const jit_module *jm, const jit_code_sym *s, size_t n) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/perf-%ld.map", (long)getpid());
  FILE *f = fopen(path, "a");
  if (!f) return;
  char name[256];
  for (size_t i = 0; i < n; i++) {
    name_of(jm, s[i].k, name, sizeof name);
    fprintf(f, "%llx %llx %s\n", (unsigned long long)(uintptr_t)s[i].start, (unsigned long long)s[i].len, name);
  }
  fclose(f);
}

/* The symbol file of one batch: ELF header, one PT_LOAD program header over the code,
 * then .symtab, .strtab, .shstrtab and the five section headers. */
static struct jit_dbg *symfile(const jit_module *jm, const jit_code_sym *s, size_t n) {
  static const char shstr[] = "\0.text\0.symtab\0.strtab\0.shstrtab";
  enum { SH_TEXT = 1, SH_SYMTAB = 7, SH_STRTAB = 15, SH_SHSTRTAB = 23 };
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  size_t strsz = 1;
  char name[256];
  for (size_t i = 0; i < n; i++) {
    uintptr_t a = (uintptr_t)s[i].start;
    if (a < lo) lo = a;
    if (a + s[i].len > hi) hi = a + s[i].len;
    int w = name_of(jm, s[i].k, name, sizeof name);
    strsz += (size_t)(w < (int)sizeof name ? w : (int)sizeof name - 1) + 1;
  }
  if (!n || hi <= lo) return NULL;
  size_t off_ph = sizeof(Elf64_Ehdr), off_sym = off_ph + sizeof(Elf64_Phdr);
  size_t symsz = (n + 1) * sizeof(Elf64_Sym);
  size_t off_str = off_sym + symsz, off_shstr = off_str + strsz;
  size_t off_sh = (off_shstr + sizeof shstr + 7) / 8 * 8, total = off_sh + 5 * sizeof(Elf64_Shdr);
  struct jit_dbg *d = calloc(1, sizeof *d + total);
  if (!d) return NULL;
  uint8_t *f = d->file;
  Elf64_Ehdr *eh = (Elf64_Ehdr *)(void *)f;
  memcpy(eh->e_ident, ELFMAG, SELFMAG);
  eh->e_ident[EI_CLASS] = ELFCLASS64;
  eh->e_ident[EI_DATA] = ELFDATA2LSB;
  eh->e_ident[EI_VERSION] = EV_CURRENT;
  eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
  eh->e_type = ET_EXEC; /* addresses are final: the symbols' values are where the code is */
  eh->e_machine = EM_X86_64;
  eh->e_version = EV_CURRENT;
  eh->e_phoff = off_ph;
  eh->e_shoff = off_sh;
  eh->e_ehsize = sizeof(Elf64_Ehdr);
  eh->e_phentsize = sizeof(Elf64_Phdr);
  eh->e_phnum = 1;
  eh->e_shentsize = sizeof(Elf64_Shdr);
  eh->e_shnum = 5;
  eh->e_shstrndx = 4;
  Elf64_Phdr *ph = (Elf64_Phdr *)(void *)(f + off_ph);
  ph->p_type = PT_LOAD;
  ph->p_flags = PF_R | PF_X;
  ph->p_vaddr = ph->p_paddr = lo;
  ph->p_memsz = hi - lo;
  ph->p_align = 1;
  Elf64_Sym *sym = (Elf64_Sym *)(void *)(f + off_sym);
  char *str = (char *)f + off_str;
  size_t at = 1;
  for (size_t i = 0; i < n; i++) {
    int w = name_of(jm, s[i].k, str + at, strsz - at);
    size_t len = (size_t)w < strsz - at ? (size_t)w : strsz - at - 1;
    sym[i + 1].st_name = (uint32_t)at;
    sym[i + 1].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
    sym[i + 1].st_shndx = 1;
    sym[i + 1].st_value = (uintptr_t)s[i].start;
    sym[i + 1].st_size = s[i].len;
    at += len + 1;
  }
  memcpy(f + off_shstr, shstr, sizeof shstr);
  Elf64_Shdr *sh = (Elf64_Shdr *)(void *)(f + off_sh);
  sh[1] = (Elf64_Shdr){.sh_name = SH_TEXT, .sh_type = SHT_NOBITS, .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
                       .sh_addr = lo, .sh_offset = off_sym, .sh_size = hi - lo, .sh_addralign = 1};
  sh[2] = (Elf64_Shdr){.sh_name = SH_SYMTAB, .sh_type = SHT_SYMTAB, .sh_offset = off_sym, .sh_size = symsz,
                       .sh_link = 3, .sh_info = 1, .sh_addralign = 8, .sh_entsize = sizeof(Elf64_Sym)};
  sh[3] = (Elf64_Shdr){.sh_name = SH_STRTAB, .sh_type = SHT_STRTAB, .sh_offset = off_str, .sh_size = strsz,
                       .sh_addralign = 1};
  sh[4] = (Elf64_Shdr){.sh_name = SH_SHSTRTAB, .sh_type = SHT_STRTAB, .sh_offset = off_shstr,
                       .sh_size = sizeof shstr, .sh_addralign = 1};
  d->entry.symfile_addr = (const char *)f;
  d->entry.symfile_size = total;
  return d;
}

void jit_announce(jit_module *jm, const jit_code_sym *s, size_t n) {
  if (!n) return;
  if (want("WELD_PERF_MAP")) perf_map(jm, s, n);
  if (!want("WELD_GDB_JIT")) return;
  struct jit_dbg *d = symfile(jm, s, n);
  if (!d) return; /* out of memory: the code runs unnamed */
  pthread_mutex_lock(&dbg_lock);
  d->next = jm->dbg;
  jm->dbg = d;
  d->entry.next_entry = __jit_debug_descriptor.first_entry;
  if (d->entry.next_entry) d->entry.next_entry->prev_entry = &d->entry;
  __jit_debug_descriptor.first_entry = &d->entry;
  __jit_debug_descriptor.relevant_entry = &d->entry;
  __jit_debug_descriptor.action_flag = JIT_REGISTER_FN;
  __jit_debug_register_code();
  pthread_mutex_unlock(&dbg_lock);
}

void jit_announce_free(jit_module *jm) {
  if (!jm->dbg) return;
  pthread_mutex_lock(&dbg_lock);
  for (struct jit_dbg *d = jm->dbg, *next; d; d = next) {
    next = d->next;
    struct jit_code_entry *e = &d->entry;
    if (e->prev_entry) e->prev_entry->next_entry = e->next_entry;
    else __jit_debug_descriptor.first_entry = e->next_entry;
    if (e->next_entry) e->next_entry->prev_entry = e->prev_entry;
    __jit_debug_descriptor.relevant_entry = e;
    __jit_debug_descriptor.action_flag = JIT_UNREGISTER_FN;
    __jit_debug_register_code();
    free(d);
  }
  jm->dbg = NULL;
  pthread_mutex_unlock(&dbg_lock);
}

/* The baseline tier's functions [k0, k1): from each one's checked entry, len[k - k0]
 * bytes. */
bool jit_announce_wanted(void) { return want("WELD_PERF_MAP") || want("WELD_GDB_JIT"); }

void jit_perf_map(jit_module *jm, uint32_t k0, uint32_t k1, const size_t *len) {
  if (!jit_announce_wanted()) return;
  jit_code_sym *s = calloc(k1 > k0 ? k1 - k0 : 1, sizeof *s);
  if (!s) return;
  size_t n = 0;
  for (uint32_t k = k0; k < k1; k++) {
    if (jm->funcs[k].fallback || !len[k - k0]) continue;
    s[n++] = (jit_code_sym){k, jm->funcs[k].checked, len[k - k0]};
  }
  jit_announce(jm, s, n);
  free(s);
}

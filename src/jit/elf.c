/* The optimising tier's code section of a precompiled image: per-function frames and
 * fallback reasons, then an x86-64 ELF relocatable object made by LLVM (src/opt/object.c,
 * small code model, position-independent). This file is its loader: it lays the object's
 * allocated sections out in one mapping, adds a GOT and a jump stub per symbol, applies
 * the x86-64 relocations, seals the mapping read+execute and points each compiled
 * function's internal code at a NATIVE instruction. No LLVM is needed to load.
 *
 * Symbols the object leaves undefined are the runtime's (image_sym.c), `weld_typeids`
 * (the loading engine's type ids of the module's types) and `weld_code` (per defined
 * function its machine code, NULL when interpreted: call_indirect's fast path). Every
 * header, offset, index and relocation is checked against the object's size; anything
 * else is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "jit_int.h"

typedef uint32_t (*opt_fn)(exec_slot *fp, jit_ctx *ctx);

typedef struct aot_module {
  jit_module base; /* first: em->jit is read as a jit_module (stats, fallback reasons) */
  opt_fn *fns;     /* per defined function (the `weld_code` table) */
  uint8_t *map;
  size_t map_len;
  const uint8_t *wend; /* guard mode: the function locating the table of the accesses */
} aot_module;

static exec_memory no_memory;

static void aot_free(void *p) {
  aot_module *am = p;
  if (!am) return;
  jit_announce_free(&am->base);
  if (am->base.region.len) jit_fault_unregister_marked(&am->base.region);
  jit_code_unmap(am->map, am->map_len);
  if (am->base.funcs)
    for (uint32_t k = 0; k < am->base.nfuncs; k++) free((char *)am->base.funcs[k].fallback);
  free(am->base.funcs);
  free(am->fns);
  free(am);
}

exec_trap_kind jit_enter_llvm(const exec_native *n, exec_thread *th, exec_instance *inst, exec_slot *fp) {
  const jit_func *f = (const jit_func *)n;
  jit_ctx c;
  c.th = th;
  c.inst = inst;
  c.mem = inst->module->wasm->nmemories ? inst->memories[0] : &no_memory;
  /* code relying on the guard region runs only on a guarded memory */
  if (f->jm->guard && c.mem != &no_memory && !c.mem->guarded) return JIT_DECLINE;
  c.stack_limit = (exec_slot *)(void *)((exec_frame_rec *)th->rec_top - 1);
  c.depth = th->depth;
  c.max_depth = th->max_depth ? th->max_depth : EXEC_DEFAULT_MAX_DEPTH;
  c.cstack_limit = jit_rt_cstack_limit();
  if ((uintptr_t)__builtin_frame_address(0) < c.cstack_limit) {
    th->trap = EXEC_TRAP_STACK_EXHAUSTED;
    th->trap_msg[0] = 0;
    exec_bt_reset(th);
    return EXEC_TRAP_STACK_EXHAUSTED;
  }
  c.globals = inst->globals;
  c.jm = f->jm;
  th->budget++;
  return (exec_trap_kind)((opt_fn)(uintptr_t)f->entry)(fp, &c);
}

/* ---------- ELF64 ---------- */

enum { SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4, SHT_NOBITS = 8 };
enum { SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4, SHF_TLS = 0x400 };
enum { SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2 };
enum { STT_FUNC = 2 };
enum {
  R_NONE = 0, R_64 = 1, R_PC32 = 2, R_PLT32 = 4, R_GOTPCREL = 9, R_32 = 10, R_32S = 11, R_PC64 = 24,
  R_GOTPCRELX = 41, R_REX_GOTPCRELX = 42
};

typedef struct shdr {
  uint32_t name, type;
  uint64_t flags, addr, offset, size;
  uint32_t link, info;
  uint64_t align, entsize;
  size_t at; /* SHF_ALLOC: its offset in the mapping */
} shdr;

static uint16_t g16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t g32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t g64(const uint8_t *p) { return g32(p) | (uint64_t)g32(p + 4) << 32; }

typedef struct elf {
  const uint8_t *p;
  size_t len;
  shdr *sh;
  uint32_t nsh;
  const uint8_t *syms; /* the symbol table's entries (24 bytes each) */
  uint32_t nsyms;
  const char *strs;    /* its string table */
  size_t nstrs;
} elf;

static bool in_file(const elf *e, uint64_t off, uint64_t n) { return off <= e->len && n <= e->len - off; }

/* A name from the symbol string table, or NULL when it does not end inside it. */
static const char *sym_name(const elf *e, uint32_t off) {
  if (off >= e->nstrs || !memchr(e->strs + off, 0, e->nstrs - off)) return NULL;
  return e->strs + off;
}

static const char *parse(elf *e) {
  const uint8_t *p = e->p;
  if (e->len < 64 || memcmp(p, "\177ELF", 4) != 0) return "not an ELF object";
  if (p[4] != 2 || p[5] != 1) return "not a 64-bit little-endian ELF object";
  if (g16(p + 16) != 1 || g16(p + 18) != 62) return "not an x86-64 relocatable object";
  uint64_t shoff = g64(p + 40);
  uint16_t shentsize = g16(p + 58), shnum = g16(p + 60);
  if (shentsize != 64 || !shnum || !in_file(e, shoff, (uint64_t)shnum * 64)) return "bad section headers";
  e->nsh = shnum;
  e->sh = calloc(shnum, sizeof *e->sh);
  if (!e->sh) return "out of memory";
  int symtab = -1;
  for (uint32_t i = 0; i < shnum; i++) {
    const uint8_t *h = p + shoff + (uint64_t)i * 64;
    shdr *s = &e->sh[i];
    s->name = g32(h);
    s->type = g32(h + 4);
    s->flags = g64(h + 8);
    s->offset = g64(h + 24);
    s->size = g64(h + 32);
    s->link = g32(h + 40);
    s->info = g32(h + 44);
    s->align = g64(h + 48);
    s->entsize = g64(h + 56);
    if (s->type != SHT_NOBITS && s->type != 0 && !in_file(e, s->offset, s->size)) return "section outside the file";
    if (s->align > 4096 || (s->align & (s->align - 1))) return "bad section alignment";
    if ((s->flags & SHF_ALLOC) && s->size >= ((uint64_t)1 << 30)) return "section too large";
    if (s->type == SHT_SYMTAB) {
      if (symtab >= 0) return "two symbol tables";
      symtab = (int)i;
    }
  }
  if (symtab < 0) return "no symbol table";
  shdr *st = &e->sh[symtab];
  if (st->entsize != 24 || st->size % 24 || st->link >= shnum || e->sh[st->link].type != SHT_STRTAB)
    return "bad symbol table";
  e->syms = p + st->offset;
  e->nsyms = (uint32_t)(st->size / 24);
  e->strs = (const char *)p + e->sh[st->link].offset;
  e->nstrs = e->sh[st->link].size;
  return NULL;
}

typedef struct loaded {
  uint8_t *map;       /* read+write until sealed */
  size_t len, map_len;
  size_t got, stubs;  /* offsets of the GOT (8 bytes per symbol) and stubs (16 per symbol) */
  uint64_t *addr;     /* per symbol: its address (0: none) */
} loaded;

/* The value of symbol i in the mapping (or outside, for the runtime's). */
static const char *resolve(const elf *e, loaded *L, exec_module *em, opt_fn *fns, uint32_t i) {
  const uint8_t *s = e->syms + (size_t)i * 24;
  uint32_t name = g32(s);
  uint16_t shndx = g16(s + 6);
  uint64_t value = g64(s + 8);
  uint8_t type = s[4] & 0xf;
  if (shndx == SHN_UNDEF) {
    if (i == 0) return NULL; /* the null symbol */
    const char *n = sym_name(e, name);
    if (!n) return "bad symbol name";
    const void *a = NULL;
    if (strcmp(n, "weld_typeids") == 0) a = em->typeids;
    else if (strcmp(n, "weld_code") == 0) a = fns;
    else a = jit_sym_addr(n);
    if (!a) return "undefined symbol weld does not provide";
    L->addr[i] = (uint64_t)(uintptr_t)a;
    return NULL;
  }
  if (shndx == SHN_ABS) {
    L->addr[i] = value;
    return NULL;
  }
  if (shndx >= SHN_LORESERVE || shndx >= e->nsh) return "symbol in an unknown section";
  const shdr *sec = &e->sh[shndx];
  if (!(sec->flags & SHF_ALLOC)) {
    if (type == 3 /* STT_SECTION */ || type == 4 /* STT_FILE */) return NULL; /* a section not loaded */
    return "symbol in a section not loaded";
  }
  if (value > sec->size) return "symbol outside its section";
  L->addr[i] = (uint64_t)(uintptr_t)(L->map + sec->at + value);
  return NULL;
}

static bool fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

static const char *relocate(const elf *e, loaded *L, const shdr *rs, const shdr *target) {
  if (rs->entsize != 24 || rs->size % 24) return "bad relocation section";
  const uint8_t *r = e->p + rs->offset;
  for (uint64_t j = 0; j < rs->size / 24; j++, r += 24) {
    uint64_t off = g64(r), info = g64(r + 8);
    int64_t add = (int64_t)g64(r + 16);
    uint32_t type = (uint32_t)info, si = (uint32_t)(info >> 32);
    if (type == R_NONE) continue;
    if (si >= e->nsyms) return "relocation against an unknown symbol";
    size_t width = type == R_64 || type == R_PC64 ? 8 : 4;
    if (off > target->size || target->size - off < width) return "relocation outside its section";
    uint8_t *at = L->map + target->at + off;
    uint64_t P = (uint64_t)(uintptr_t)at, S = L->addr[si];
    if (!S && si) return "relocation against a symbol without an address";
    uint64_t got = (uint64_t)(uintptr_t)(L->map + L->got + (size_t)si * 8);
    uint64_t stub = (uint64_t)(uintptr_t)(L->map + L->stubs + (size_t)si * 16);
    int64_t v;
    switch (type) {
    case R_64: v = (int64_t)(S + (uint64_t)add); memcpy(at, &v, 8); continue;
    case R_PC64: v = (int64_t)(S + (uint64_t)add - P); memcpy(at, &v, 8); continue;
    case R_PC32:
    case R_PLT32:
      v = (int64_t)(S + (uint64_t)add - P);
      /* out of reach (a runtime helper): through the symbol's stub, `jmp [got]` */
      if (!fits32(v)) v = (int64_t)(stub + (uint64_t)add - P);
      if (!fits32(v)) return "PC-relative relocation out of range";
      break;
    case R_GOTPCREL:
    case R_GOTPCRELX:
    case R_REX_GOTPCRELX:
      v = (int64_t)(got + (uint64_t)add - P);
      if (!fits32(v)) return "GOT relocation out of range";
      break;
    case R_32:
      v = (int64_t)(S + (uint64_t)add);
      if (v < 0 || v > (int64_t)UINT32_MAX) return "32-bit relocation out of range";
      break;
    case R_32S:
      v = (int64_t)(S + (uint64_t)add);
      if (!fits32(v)) return "32-bit relocation out of range";
      break;
    default: return "unsupported relocation type";
    }
    int32_t v32 = (int32_t)v;
    memcpy(at, &v32, 4);
  }
  return NULL;
}

/* Names the functions for perf and gdb (announce.c) when asked: a defined function k
 * has its ABI entry wfK, its internal entry iK and its body bodyK (src/opt/lower.c). */
static void announce(const elf *e, const loaded *L, aot_module *am) {
  if (!jit_announce_wanted()) return;
  jit_code_sym *syms = calloc(e->nsyms ? e->nsyms : 1, sizeof *syms);
  if (!syms) return;
  size_t n = 0;
  static const char prefixes[][6] = {"wf", "i", "body"};
  for (uint32_t i = 0; i < e->nsyms; i++) {
    const uint8_t *s = e->syms + (size_t)i * 24;
    uint16_t shndx = g16(s + 6);
    uint64_t size = g64(s + 16);
    const char *nm = sym_name(e, g32(s));
    if ((s[4] & 0xf) != STT_FUNC || !nm || !size || !L->addr[i] || shndx == SHN_UNDEF || shndx >= e->nsh) continue;
    for (size_t p = 0; p < sizeof prefixes / sizeof *prefixes; p++) {
      size_t pl = strlen(prefixes[p]);
      if (strncmp(nm, prefixes[p], pl) != 0 || nm[pl] < '0' || nm[pl] > '9') continue;
      char *end;
      unsigned long k = strtoul(nm + pl, &end, 10);
      if (!*end && k < am->base.nfuncs)
        syms[n++] = (jit_code_sym){(uint32_t)k, (const uint8_t *)(uintptr_t)L->addr[i], (size_t)size};
      break;
    }
  }
  jit_announce(&am->base, syms, n);
  free(syms);
}

/* Lays the object out, resolves, relocates and seals; fills fns[k] from the symbols wfK. */
static const char *load_object(exec_module *em, const uint8_t *obj, size_t len, aot_module *am) {
  elf e = {obj, len, NULL, 0, NULL, 0, NULL, 0};
  loaded L = {0};
  const char *why = parse(&e);
  size_t at = 0;
  for (uint32_t i = 0; !why && i < e.nsh; i++) {
    shdr *s = &e.sh[i];
    if (!(s->flags & SHF_ALLOC)) continue;
    if (s->flags & SHF_TLS) why = "thread-local data";
    else if ((s->flags & SHF_WRITE) && s->size) why = "writable data (the code must be read-only)";
    else if (s->type != SHT_PROGBITS && s->type != SHT_NOBITS && s->size) why = "an allocated section of unknown type";
    size_t a = s->align ? (size_t)s->align : 1;
    at = (at + a - 1) / a * a;
    s->at = at;
    at += (size_t)s->size;
  }
  if (!why) {
    at = (at + 15) / 16 * 16;
    L.got = at;
    L.stubs = at + (size_t)e.nsyms * 8;
    L.len = L.stubs + (size_t)e.nsyms * 16;
    L.addr = calloc(e.nsyms ? e.nsyms : 1, sizeof *L.addr);
    L.map = L.addr ? jit_code_map(L.len, &L.map_len) : NULL;
    if (!L.map) why = "out of memory";
  }
  for (uint32_t i = 0; !why && i < e.nsh; i++) {
    const shdr *s = &e.sh[i];
    if ((s->flags & SHF_ALLOC) && s->type == SHT_PROGBITS) memcpy(L.map + s->at, obj + s->offset, (size_t)s->size);
  }
  for (uint32_t i = 0; !why && i < e.nsyms; i++) why = resolve(&e, &L, em, am->fns, i);
  for (uint32_t i = 0; !why && i < e.nsyms; i++) {
    /* GOT entry and stub: jmp qword [rip + to the GOT entry] */
    uint8_t *g = L.map + L.got + (size_t)i * 8, *st = L.map + L.stubs + (size_t)i * 16;
    memcpy(g, &L.addr[i], 8);
    int32_t d = (int32_t)((int64_t)(g - (st + 6)));
    st[0] = 0xff, st[1] = 0x25;
    memcpy(st + 2, &d, 4);
    memset(st + 6, 0xcc, 10);
  }
  for (uint32_t i = 0; !why && i < e.nsh; i++) {
    const shdr *s = &e.sh[i];
    if (s->type != SHT_RELA) continue;
    if (s->info >= e.nsh) why = "relocations for an unknown section";
    else if (e.sh[s->info].flags & SHF_ALLOC) why = relocate(&e, &L, s, &e.sh[s->info]);
  }
  /* the functions: symbols wfK */
  uint32_t n = am->base.nfuncs;
  for (uint32_t i = 0; !why && i < e.nsyms; i++) {
    const uint8_t *s = e.syms + (size_t)i * 24;
    const char *nm = sym_name(&e, g32(s));
    uint16_t shndx = g16(s + 6);
    if (!nm || shndx == SHN_UNDEF || shndx >= e.nsh) continue;
    /* wend: the last function, which locates the table of the accesses (guard mode) */
    if (strcmp(nm, "wend") == 0 && (e.sh[shndx].flags & SHF_EXECINSTR))
      am->wend = (const uint8_t *)(uintptr_t)L.addr[i];
    if (strncmp(nm, "wf", 2) != 0) continue;
    char *end;
    unsigned long k = strtoul(nm + 2, &end, 10);
    if (*end || end == nm + 2 || k >= n) continue;
    if (!(e.sh[shndx].flags & SHF_EXECINSTR)) why = "a function outside the code";
    else if (!am->base.funcs[k].fallback) am->fns[k] = (opt_fn)(uintptr_t)L.addr[i];
  }
  for (uint32_t k = 0; !why && k < n; k++)
    if (!am->base.funcs[k].fallback && !am->fns[k]) why = "a compiled function is missing from the object";
  if (!why && !jit_code_seal(L.map, L.map_len)) why = "cannot make the code executable";
  if (!why) announce(&e, &L, am);
  free(e.sh);
  free(L.addr);
  if (why) {
    jit_code_unmap(L.map, L.map_len);
    return why;
  }
  am->map = L.map;
  am->map_len = L.map_len;
  am->base.stats.code_bytes = L.len;
  return NULL;
}

bool jit_image_load_optimized(exec_module *em, const uint8_t *code, size_t len, bool guard, util_error *err) {
  if (em->jit) return true;
  if (!jit_available()) return util_fail(err, UTIL_ERR_USAGE, -1, "not supported: the optimised tier needs x86-64");
  jit_rd r = {code, code + len, false};
  const uint8_t *tag = jit_rd_bytes(&r, 4);
  /* OPTZ: every access checked; OPTG: accesses rely on the guard region (src/opt/access.c) */
  bool code_guard = tag && memcmp(tag, "OPTG", 4) == 0;
  if (!tag || (!code_guard && memcmp(tag, "OPTZ", 4) != 0))
    return util_fail(err, UTIL_ERR_MALFORMED, -1, "precompiled module is corrupt (not an optimised code section)");
  if (code_guard && !guard)
    return util_fail(err, UTIL_ERR_MALFORMED, -1, "precompiled module is corrupt (bounds mode of the code)");
  if (code_guard && !jit_fault_install())
    return util_fail(err, UTIL_ERR_USAGE, -1,
                     "not supported: the fault handler cannot be installed (the code relies on guard regions)");
  const wasm_module *m = em->wasm;
  uint32_t n = jit_rd_u32(&r);
  if (r.bad || n != m->nfuncs - m->nfunc_imports || (uint64_t)n * 8 > (size_t)(r.end - r.p))
    return util_fail(err, UTIL_ERR_MALFORMED, -1, "precompiled module is corrupt (function count)");
  aot_module *am = calloc(1, sizeof *am);
  if (!am) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  am->base.em = em;
  am->base.nfuncs = n;
  /* read, then written, below: a fresh 4 KiB page of it cost two faults (the zero page,
   * then a copy), 60 pages for sqlite's 958 functions: made present at once instead */
  am->base.funcs = n ? util_try_calloc_big(n, sizeof *am->base.funcs) : NULL;
  am->fns = calloc(n ? n : 1, sizeof *am->fns);
  uint32_t *frames = calloc(n ? n : 1, sizeof *frames);
  const char *why = (n && !am->base.funcs) || !am->fns || !frames ? "out of memory" : NULL;
  for (uint32_t k = 0; !why && k < n; k++) {
    frames[k] = jit_rd_u32(&r);
    uint32_t fl = jit_rd_u32(&r);
    const uint8_t *s = jit_rd_bytes(&r, fl);
    if (r.bad) why = "truncated function table";
    else if (frames[k] > (1u << 24)) why = "function frame too large";
    else if (fl) {
      char *copy = memchr(s, 0, fl) ? NULL : malloc(fl + 1);
      if (!copy) why = memchr(s, 0, fl) ? "fallback reason with a NUL" : "out of memory";
      else memcpy(copy, s, fl), copy[fl] = 0, am->base.funcs[k].fallback = copy;
    } else {
      am->base.stats.compiled++;
      am->base.stats.wasm_bytes += m->funcs[m->nfunc_imports + k].code_len;
    }
  }
  uint32_t olen = why ? 0 : jit_rd_u32(&r);
  const uint8_t *obj = why ? NULL : jit_rd_bytes(&r, olen);
  if (!why && (!obj || r.p != r.end)) why = "object length";
  if (!why && am->base.stats.compiled) why = load_object(em, obj, olen, am);
  if (!why && code_guard && am->map) {
    am->base.region = (jit_region){am->map, am->base.stats.code_bytes, NULL, 0, &am->base, NULL, 0};
    if (!am->wend || !jit_fault_marks(&am->base.region, am->wend, am->map, am->map_len)) {
      am->base.region.len = 0;
      why = "no table of the accesses";
    } else if (!jit_fault_register_marked(&am->base.region)) {
      am->base.region.len = 0;
      why = "the fault handler's table is full";
    }
  }
  if (why) {
    free(frames);
    aot_free(am);
    if (strcmp(why, "out of memory") == 0) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    return util_fail(err, UTIL_ERR_MALFORMED, -1, "precompiled module is corrupt (%s)", why);
  }
  for (uint32_t k = 0; k < n; k++) {
    jit_func *f = &am->base.funcs[k];
    f->jm = &am->base;
    f->k = k;
    f->frame_slots = frames[k];
    if (f->fallback) continue;
    f->entry = (const uint8_t *)(uintptr_t)am->fns[k];
    jit_func_install(f, &em->codes[k], jit_enter_llvm, frames[k]);
  }
  free(frames);
  am->base.guard = code_guard;
  am->base.stats.functions = n;
  am->base.stats.tier = JIT_TIER_OPTIMIZED;
  am->base.stats.fell_back = n - am->base.stats.compiled;
  em->jit = am;
  em->jit_free = aot_free;
  return true;
}

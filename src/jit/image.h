/* Precompiled images (`.cwasm`): a module's compiled code stored with the module and what
 * the code depends on, so that a later process maps the code instead of compiling it.
 * docs/precompiled.md describes the file format; README.md ("Precompiled images") the
 * design. image.c reads and writes the container and the baseline tier's code section;
 * elf.c loads the optimising tier's section (an x86-64 ELF object made by src/opt);
 * image_sym.c names the runtime's addresses; cpu.c reads the CPU's features.
 *
 * Loading an image runs its machine code: it is as trusted as a shared library. The
 * parser checks every length and offset (a hostile or truncated file is refused, never
 * followed), but nothing can check what the code does. */
#ifndef WELD_JIT_IMAGE_H
#define WELD_JIT_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../exec/exec.h"

/* ---- CPU features (cpu.c) ---- */
enum {
  JIT_CPU_SSE3 = 1 << 0, JIT_CPU_SSSE3 = 1 << 1, JIT_CPU_SSE41 = 1 << 2, JIT_CPU_SSE42 = 1 << 3,
  JIT_CPU_POPCNT = 1 << 4, JIT_CPU_CX16 = 1 << 5, JIT_CPU_MOVBE = 1 << 6, JIT_CPU_SAHF = 1 << 7,
  JIT_CPU_LZCNT = 1 << 8, JIT_CPU_AVX = 1 << 9, JIT_CPU_AVX2 = 1 << 10, JIT_CPU_FMA = 1 << 11,
  JIT_CPU_F16C = 1 << 12, JIT_CPU_BMI = 1 << 13, JIT_CPU_BMI2 = 1 << 14, JIT_CPU_PCLMUL = 1 << 15,
  JIT_CPU_AES = 1 << 16,
};
#define JIT_CPU_NFEATURES 17u
/* This machine's features (beyond x86-64's SSE2 baseline). */
uint64_t jit_cpu_features(void);
const char *jit_cpu_feature_name(unsigned bit);
/* The features of `mask` as a comma-separated list, each name after `prefix` ("+" makes
 * LLVM's feature string); returns the length. */
size_t jit_cpu_feature_list(uint64_t mask, const char *prefix, char *buf, size_t n);

/* ---- growable bytes ---- */
typedef struct jit_bytes {
  uint8_t *p;
  size_t len, cap;
  bool oom;
} jit_bytes;
void jit_bytes_put(jit_bytes *b, const void *p, size_t n);
/* Room for n more bytes at once (so a large image is not copied as it grows). */
void jit_bytes_reserve(jit_bytes *b, size_t n);
void jit_bytes_u32(jit_bytes *b, uint32_t v);
void jit_bytes_u64(jit_bytes *b, uint64_t v);
void jit_bytes_free(jit_bytes *b);

/* ---- the container (image.c) ---- */
#define JIT_IMAGE_MAGIC "\0weldAOT"
#define JIT_IMAGE_FORMAT 4u
#define JIT_IMAGE_HEADER 160u

/* What changes the code, besides the module, weld's version and the CPU features. */
typedef struct jit_image_settings {
  uint32_t tier;     /* JIT_TIER_BASELINE or JIT_TIER_OPTIMIZED */
  bool guard;        /* --bounds guard (else explicit) */
  bool standard_2_0; /* the module was read under WebAssembly 2.0's rules */
} jit_image_settings;

/* A header that passed jit_image_open. */
typedef struct jit_image {
  jit_image_settings set;
  uint64_t features;        /* the CPU features the code needs */
  char version[33];         /* weld's version that wrote it */
  uint8_t module_sha[32];
  /* the module uses the legacy try/catch (recorded with it, so that a loader trusting the
   * module, the code cache, need not walk its bodies to know: wasm_decode_known) */
  bool legacy_exceptions;
  const uint8_t *module;    /* the original module's bytes */
  size_t module_len;
  const uint8_t *code;      /* the tier's code section */
  size_t code_len;
} jit_image;

/* True when a header's build stamp is this weld build's (two builds of one version may
 * differ in their runtime's helpers: jit_image_open refuses another build's code). */
bool jit_image_same_build(const uint8_t *bytes, size_t len);
/* True when `bytes` starts like a precompiled image. */
bool jit_image_is(const uint8_t *bytes, size_t len);
/* The whole file: header, the module's bytes, the code section. */
bool jit_image_write(const jit_image_settings *s, uint64_t features, const uint8_t *module, size_t module_len,
                     bool legacy_exceptions, const uint8_t *code, size_t code_len, jit_bytes *out);
/* The same in place, so the code section is not copied: jit_image_begin puts a blank
 * header and the module into the empty out; the caller appends the code section; then
 * jit_image_end fills the header (lengths, sums). */
void jit_image_begin(jit_bytes *out, const uint8_t *module, size_t module_len);
bool jit_image_end(const jit_image_settings *s, uint64_t features, size_t module_len, bool legacy_exceptions,
                   jit_bytes *out);
/* Checks the magic, the format version, the lengths, the checksum, weld's version and
 * the CPU features, and fills img (pointing into bytes). The error is one sentence. */
bool jit_image_open(const uint8_t *bytes, size_t len, jit_image *img, util_error *err);
/* The same for an image that must hold exactly `module` (a cache entry, found under a key
 * that hashed the module): its bytes are compared instead of their recorded sha256. */
bool jit_image_open_of(const uint8_t *bytes, size_t len, const uint8_t *module, size_t module_len, jit_image *img,
                       util_error *err);
/* What an image says about itself, read without trusting it or checking it against this
 * weld and machine (weld inspect, audit, validate and print never map or run the code):
 * the structure must hold (magic, format version, header size, lengths, a terminated
 * version string), and so must the checksum and the module's sha256, so the module
 * handed on is the one that was compiled. Header values this weld would refuse to load
 * (another version, unknown tier, settings or CPU features) are reported, not refused. */
typedef struct jit_image_info {
  jit_image img;            /* img.set.tier may be any value here */
  uint32_t format;
  uint32_t flags;           /* the settings word as written (img.set holds the known bits) */
  bool same_build;          /* written by this very build of weld (else jit_image_open refuses it) */
  /* the code section, summarised without loading it ("" and zeros when unreadable) */
  char section[5];          /* "BASE", "OPTZ" (checked accesses) or "OPTG" (guard regions) */
  uint32_t functions;       /* defined functions the section describes */
  uint32_t compiled;        /* of them, those with machine code (the rest are interpreted) */
  uint64_t machine_code;    /* bytes of machine code, or of the ELF object holding it */
  const char *section_error; /* why the summary stopped, or NULL */
} jit_image_info;
/* Errors are one sentence with the file offset of the field at fault. */
bool jit_image_read(const uint8_t *bytes, size_t len, jit_image_info *info, util_error *err);
/* The settings the image was compiled with against the engine's: equal or an error. */
bool jit_image_check_settings(const jit_image *img, const jit_image_settings *want, util_error *err);

/* ---- code sections ---- */
/* The baseline tier: compiles em (which must not be compiled yet) into a code section, on
 * up to `threads` threads (jit_build_threads: the section is the same whatever the
 * number); *features: what the code needs of the CPU. */
bool jit_image_baseline(const exec_module *em, bool guard, uint32_t threads, jit_bytes *code, uint64_t *features,
                        util_error *err);
/* Installs a code section made by jit_image_baseline (em made from the image's module). */
bool jit_image_load_baseline(exec_module *em, const uint8_t *code, size_t len, bool guard, util_error *err);
/* The optimising tier's section (elf.c): frames, fallbacks and an ELF object. */
bool jit_image_load_optimized(exec_module *em, const uint8_t *code, size_t len, bool guard, util_error *err);
/* Either, by tier. */
bool jit_image_load(exec_module *em, const jit_image *img, util_error *err);

/* ---- names of the runtime's addresses (image_sym.c) ---- */
/* The name an image uses for `addr` (a runtime helper, a float helper), or false. */
bool jit_sym_name(const void *addr, char *buf, size_t n);
/* The address of a name (helpers; the few C library functions LLVM calls on its own). */
const void *jit_sym_addr(const char *name);

/* A little-endian reader that never reads past its end (`bad` is set instead). */
typedef struct jit_rd {
  const uint8_t *p, *end;
  bool bad;
} jit_rd;
uint32_t jit_rd_u32(jit_rd *r);
uint64_t jit_rd_u64(jit_rd *r);
const uint8_t *jit_rd_bytes(jit_rd *r, size_t n);

#endif

/* Precompiled images: the container (header, module, code section) and the baseline
 * tier's code section. docs/precompiled.md is the format; image.h the interface. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/crc32c.h"
#include "../util/sha256.h"
#include "image.h"
#include "jit_int.h"

#ifndef WELD_VERSION
#define WELD_VERSION "0"
#endif

/* ---------- bytes ---------- */

static bool room(jit_bytes *b, size_t n, bool exact) {
  if (b->oom) return false;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    if (exact) cap = b->len + n;
    while (cap < b->len + n) cap *= 2;
    uint8_t *q = util_try_realloc(b->p, cap);
    if (!q) {
      b->oom = true;
      return false;
    }
    b->p = q;
    b->cap = cap;
  }
  return true;
}

void jit_bytes_reserve(jit_bytes *b, size_t n) { (void)room(b, n, true); }

void jit_bytes_put(jit_bytes *b, const void *p, size_t n) {
  if (!n || !room(b, n, false)) return;
  memcpy(b->p + b->len, p, n);
  b->len += n;
}

void jit_bytes_u32(jit_bytes *b, uint32_t v) {
  uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  jit_bytes_put(b, x, 4);
}

void jit_bytes_u64(jit_bytes *b, uint64_t v) {
  jit_bytes_u32(b, (uint32_t)v);
  jit_bytes_u32(b, (uint32_t)(v >> 32));
}

void jit_bytes_free(jit_bytes *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

const uint8_t *jit_rd_bytes(jit_rd *r, size_t n) {
  if (r->bad || (size_t)(r->end - r->p) < n) {
    r->bad = true;
    return NULL;
  }
  const uint8_t *p = r->p;
  r->p += n;
  return p;
}

uint32_t jit_rd_u32(jit_rd *r) {
  const uint8_t *p = jit_rd_bytes(r, 4);
  return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}

uint64_t jit_rd_u64(jit_rd *r) {
  uint64_t lo = jit_rd_u32(r);
  return lo | (uint64_t)jit_rd_u32(r) << 32;
}

static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }
static void set32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void set64(uint8_t *p, uint64_t v) {
  set32(p, (uint32_t)v);
  set32(p + 4, (uint32_t)(v >> 32));
}

/* ---------- the container ---------- */

/* Header layout (docs/precompiled.md). */
enum {
  H_MAGIC = 0, H_FORMAT = 8, H_HEADER = 12, H_VERSION = 16, H_FEATURES = 48, H_TIER = 56, H_FLAGS = 60,
  H_MODULE_SHA = 64, H_MODULE_LEN = 96, H_CODE_LEN = 104, H_CHECKSUM = 112, H_BUILD = 144
};
/* F_LEGACY_EXCEPTIONS is the module's, not a setting: wasm_module.legacy_exceptions */
enum { F_GUARD = 1, F_STANDARD_2_0 = 2, F_LEGACY_EXCEPTIONS = 4, F_KNOWN = 7 };

bool jit_image_is(const uint8_t *bytes, size_t len) { return len >= 8 && memcmp(bytes, JIT_IMAGE_MAGIC, 8) == 0; }

/* CRC-32C of the header but its checksum field (bytes 112-115) and of everything after
 * the header: damage is what it detects, not tampering (whoever can write the file can
 * write its checksum); it replaced a sha256 that cost a warm start of sqlite 4-5 ms. */
static uint32_t checksum(const uint8_t *file, size_t len) {
  uint32_t c = util_crc32c(0, file, H_CHECKSUM);
  return util_crc32c(c, file + H_CHECKSUM + 4, len - H_CHECKSUM - 4);
}

/* The checksum field holds the CRC and 28 zero bytes. */
static bool checksum_ok(const uint8_t *file, size_t len) {
  static const uint8_t zero[28];
  return get32(file + H_CHECKSUM) == checksum(file, len) && memcmp(file + H_CHECKSUM + 4, zero, 28) == 0;
}

/* This weld build's stamp: the first 16 bytes of the sha256 of its build ID, so code
 * compiled by one build of a version is never loaded by another (helpers' addresses and
 * calling contracts may differ between them). */
static void build_stamp(uint8_t out[16]) {
  const char *id = util_build_id();
  uint8_t sum[32];
  util_sha256 sh;
  util_sha256_init(&sh);
  util_sha256_update(&sh, id, strlen(id));
  util_sha256_final(&sh, sum);
  memcpy(out, sum, 16);
}

bool jit_image_same_build(const uint8_t *bytes, size_t len) {
  uint8_t mine[16];
  build_stamp(mine);
  return len >= JIT_IMAGE_HEADER && memcmp(bytes + H_BUILD, mine, 16) == 0;
}

void jit_image_begin(jit_bytes *out, const uint8_t *module, size_t module_len) {
  uint8_t h[JIT_IMAGE_HEADER];
  memset(h, 0, sizeof h);
  jit_bytes_reserve(out, sizeof h + module_len);
  jit_bytes_put(out, h, sizeof h);
  jit_bytes_put(out, module, module_len);
}

bool jit_image_end(const jit_image_settings *s, uint64_t features, size_t module_len, bool legacy_exceptions,
                   jit_bytes *out) {
  if (out->oom || out->len < JIT_IMAGE_HEADER + module_len) return false;
  uint8_t *h = out->p;
  memcpy(h + H_MAGIC, JIT_IMAGE_MAGIC, 8);
  set32(h + H_FORMAT, JIT_IMAGE_FORMAT);
  set32(h + H_HEADER, JIT_IMAGE_HEADER);
  snprintf((char *)h + H_VERSION, 32, "%s", WELD_VERSION);
  set64(h + H_FEATURES, features);
  set32(h + H_TIER, s->tier);
  set32(h + H_FLAGS, (s->guard ? F_GUARD : 0) | (s->standard_2_0 ? F_STANDARD_2_0 : 0) |
                         (legacy_exceptions ? F_LEGACY_EXCEPTIONS : 0));
  build_stamp(h + H_BUILD);
  util_sha256 sh;
  util_sha256_init(&sh);
  util_sha256_update(&sh, h + JIT_IMAGE_HEADER, module_len);
  util_sha256_final(&sh, h + H_MODULE_SHA);
  set64(h + H_MODULE_LEN, module_len);
  set64(h + H_CODE_LEN, out->len - JIT_IMAGE_HEADER - module_len);
  memset(h + H_CHECKSUM, 0, 32);
  set32(h + H_CHECKSUM, checksum(out->p, out->len));
  return true;
}

bool jit_image_write(const jit_image_settings *s, uint64_t features, const uint8_t *module, size_t module_len,
                     bool legacy_exceptions, const uint8_t *code, size_t code_len, jit_bytes *out) {
  jit_image_begin(out, module, module_len);
  jit_bytes_reserve(out, code_len);
  jit_bytes_put(out, code, code_len);
  return jit_image_end(s, features, module_len, legacy_exceptions, out);
}

/* Points img at the module and code after a checked header and checks the module: its
 * recorded sha256, or (`expect`, the cache's lookups) equal to the bytes the caller has,
 * whose sha256 the cache key already took (jit_image_open and jit_image_read). */
static bool attach_module(jit_image *img, const uint8_t *bytes, uint64_t mlen, uint64_t clen, const uint8_t *expect,
                          size_t expect_len, util_error *err) {
  memcpy(img->module_sha, bytes + H_MODULE_SHA, 32);
  img->module = bytes + JIT_IMAGE_HEADER;
  img->module_len = (size_t)mlen;
  img->code = img->module + mlen;
  img->code_len = (size_t)clen;
  if (expect) {
    if (img->module_len != expect_len || memcmp(img->module, expect, expect_len) != 0)
      return util_fail(err, UTIL_ERR_MALFORMED, JIT_IMAGE_HEADER, "precompiled module holds another module");
    return true;
  }
  uint8_t sum[32];
  util_sha256 sh;
  util_sha256_init(&sh);
  util_sha256_update(&sh, img->module, img->module_len);
  util_sha256_final(&sh, sum);
  if (memcmp(sum, img->module_sha, 32) != 0)
    return util_fail(err, UTIL_ERR_MALFORMED, H_MODULE_SHA, "precompiled module is corrupt (the module's sha256 differs)");
  return true;
}

static bool open_image(const uint8_t *bytes, size_t len, const uint8_t *expect, size_t expect_len, jit_image *img,
                       util_error *err) {
  memset(img, 0, sizeof *img);
  if (!jit_image_is(bytes, len)) return util_fail(err, UTIL_ERR_MALFORMED, 0, "not a precompiled weld module (bad magic)");
  if (len < 16) return util_fail(err, UTIL_ERR_MALFORMED, (int64_t)len, "precompiled module truncated (in the header)");
  uint32_t format = get32(bytes + H_FORMAT);
  if (format != JIT_IMAGE_FORMAT)
    return util_fail(err, UTIL_ERR_MALFORMED, H_FORMAT,
                     "precompiled module has format version %u, this weld reads version %u (recompile it with `weld compile`)",
                     format, JIT_IMAGE_FORMAT);
  if (get32(bytes + H_HEADER) != JIT_IMAGE_HEADER)
    return util_fail(err, UTIL_ERR_MALFORMED, H_HEADER, "precompiled module has a header of %u bytes, expected %u",
                     get32(bytes + H_HEADER), JIT_IMAGE_HEADER);
  if (len < JIT_IMAGE_HEADER)
    return util_fail(err, UTIL_ERR_MALFORMED, (int64_t)len, "precompiled module truncated (in the header)");
  uint64_t mlen = get64(bytes + H_MODULE_LEN), clen = get64(bytes + H_CODE_LEN);
  size_t body = len - JIT_IMAGE_HEADER;
  if (mlen > body || clen > body - mlen)
    return util_fail(err, UTIL_ERR_MALFORMED, (int64_t)len,
                     "precompiled module truncated (%llu bytes, the header says %llu)", (unsigned long long)len,
                     (unsigned long long)(JIT_IMAGE_HEADER + mlen + (clen > body ? 0 : clen)));
  if (mlen + clen != body)
    return util_fail(err, UTIL_ERR_MALFORMED, (int64_t)(JIT_IMAGE_HEADER + mlen + clen),
                     "precompiled module has %llu bytes after its end", (unsigned long long)(body - mlen - clen));
  if (!checksum_ok(bytes, len))
    return util_fail(err, UTIL_ERR_MALFORMED, H_CHECKSUM, "precompiled module is corrupt (checksum mismatch)");
  memcpy(img->version, bytes + H_VERSION, 32);
  img->version[32] = 0;
  if (memchr(bytes + H_VERSION, 0, 32) == NULL || strcmp(img->version, WELD_VERSION) != 0)
    return util_fail(err, UTIL_ERR_MALFORMED, H_VERSION,
                     "precompiled module was made by weld %.32s, this is weld %s (recompile it with `weld compile`)",
                     img->version, WELD_VERSION);
  if (!jit_image_same_build(bytes, len))
    return util_fail(err, UTIL_ERR_MALFORMED, H_BUILD,
                     "precompiled module was made by another build of weld %s (recompile it with `weld compile`)",
                     WELD_VERSION);
  uint32_t flags = get32(bytes + H_FLAGS);
  img->set.tier = get32(bytes + H_TIER);
  if (img->set.tier != JIT_TIER_BASELINE && img->set.tier != JIT_TIER_OPTIMIZED)
    return util_fail(err, UTIL_ERR_MALFORMED, H_TIER, "precompiled module names an unknown tier (%u)", img->set.tier);
  if (flags & ~(uint32_t)F_KNOWN)
    return util_fail(err, UTIL_ERR_MALFORMED, H_FLAGS, "precompiled module has unknown settings (flags 0x%x)", flags);
  img->set.guard = flags & F_GUARD;
  img->set.standard_2_0 = flags & F_STANDARD_2_0;
  img->legacy_exceptions = flags & F_LEGACY_EXCEPTIONS;
  img->features = get64(bytes + H_FEATURES);
  uint64_t missing = img->features & ~jit_cpu_features();
  if (img->features >> JIT_CPU_NFEATURES)
    return util_fail(err, UTIL_ERR_MALFORMED, H_FEATURES, "precompiled module needs CPU features this weld does not know");
  if (missing) {
    char list[256];
    jit_cpu_feature_list(missing, "", list, sizeof list);
    return util_fail(err, UTIL_ERR_USAGE, H_FEATURES, "precompiled module needs CPU features this machine lacks: %s",
                     list);
  }
  return attach_module(img, bytes, mlen, clen, expect, expect_len, err);
}

bool jit_image_open(const uint8_t *bytes, size_t len, jit_image *img, util_error *err) {
  return open_image(bytes, len, NULL, 0, img, err);
}

bool jit_image_open_of(const uint8_t *bytes, size_t len, const uint8_t *module, size_t module_len, jit_image *img,
                       util_error *err) {
  return open_image(bytes, len, module, module_len, img, err);
}

/* The code section's summary: counts only, nothing allocated, nothing followed that the
 * lengths do not cover. */
static void summarise(jit_image_info *in) {
  jit_rd r = {in->img.code, in->img.code + in->img.code_len, false};
  const uint8_t *tag = jit_rd_bytes(&r, 4);
  if (!tag || (memcmp(tag, "BASE", 4) && memcmp(tag, "OPTZ", 4) && memcmp(tag, "OPTG", 4))) {
    in->section_error = "unknown code section";
    return;
  }
  memcpy(in->section, tag, 4);
  in->section[4] = 0;
  bool base = tag[0] == 'B';
  uint32_t n = jit_rd_u32(&r), clen = 0;
  if (base) {
    jit_rd_u32(&r); /* trampoline */
    clen = jit_rd_u32(&r);
    for (int i = 0; i < 4; i++) jit_rd_u32(&r); /* relocations, sites, names, guard */
  }
  in->functions = n;
  for (uint32_t k = 0; !r.bad && k < n; k++) {
    jit_rd_bytes(&r, base ? 20 : 4); /* offsets and frame slots */
    uint32_t fl = jit_rd_u32(&r);
    jit_rd_bytes(&r, fl);
    if (!r.bad && !fl) in->compiled++;
  }
  if (!base) clen = jit_rd_u32(&r);
  if (!r.bad) jit_rd_bytes(&r, clen);
  if (r.bad) {
    in->section_error = "truncated code section";
    return;
  }
  in->machine_code = clen;
}

bool jit_image_read(const uint8_t *bytes, size_t len, jit_image_info *in, util_error *err) {
  memset(in, 0, sizeof *in);
  jit_image *img = &in->img;
  if (!jit_image_is(bytes, len)) return util_fail(err, UTIL_ERR_MALFORMED, 0, "not a precompiled weld module (bad magic)");
  if (len < 16) return util_fail(err, UTIL_ERR_MALFORMED, (int64_t)len, "precompiled module truncated (in the header)");
  in->format = get32(bytes + H_FORMAT);
  if (in->format != JIT_IMAGE_FORMAT)
    return util_fail(err, UTIL_ERR_MALFORMED, H_FORMAT,
                     "precompiled module has format version %u, this weld reads version %u", in->format,
                     JIT_IMAGE_FORMAT);
  if (get32(bytes + H_HEADER) != JIT_IMAGE_HEADER)
    return util_fail(err, UTIL_ERR_MALFORMED, H_HEADER, "precompiled module has a header of %u bytes, expected %u",
                     get32(bytes + H_HEADER), JIT_IMAGE_HEADER);
  in->same_build = jit_image_same_build(bytes, len);
  if (len < JIT_IMAGE_HEADER)
    return util_fail(err, UTIL_ERR_MALFORMED, (int64_t)len, "precompiled module truncated (in the header)");
  uint64_t mlen = get64(bytes + H_MODULE_LEN), clen = get64(bytes + H_CODE_LEN);
  size_t body = len - JIT_IMAGE_HEADER;
  if (mlen > body)
    return util_fail(err, UTIL_ERR_MALFORMED, H_MODULE_LEN,
                     "precompiled module truncated (%llu bytes, the header says the module alone has %llu)",
                     (unsigned long long)len, (unsigned long long)mlen);
  if (clen > body - mlen)
    return util_fail(err, UTIL_ERR_MALFORMED, H_CODE_LEN,
                     "precompiled module truncated (%llu bytes, the header says %llu)", (unsigned long long)len,
                     (unsigned long long)(JIT_IMAGE_HEADER + mlen + clen));
  if (mlen + clen != body)
    return util_fail(err, UTIL_ERR_MALFORMED, (int64_t)(JIT_IMAGE_HEADER + mlen + clen),
                     "precompiled module has %llu bytes after its end", (unsigned long long)(body - mlen - clen));
  if (memchr(bytes + H_VERSION, 0, 32) == NULL)
    return util_fail(err, UTIL_ERR_MALFORMED, H_VERSION, "precompiled module's weld version is not terminated");
  for (const uint8_t *v = bytes + H_VERSION; *v; v++)
    if (*v < 0x20 || *v > 0x7e)
      return util_fail(err, UTIL_ERR_MALFORMED, (int64_t)(v - bytes),
                       "precompiled module's weld version has a byte that is not printable");
  memcpy(img->version, bytes + H_VERSION, 32);
  img->version[32] = 0;
  if (!checksum_ok(bytes, len))
    return util_fail(err, UTIL_ERR_MALFORMED, H_CHECKSUM, "precompiled module is corrupt (checksum mismatch)");
  if (!attach_module(img, bytes, mlen, clen, NULL, 0, err)) return false;
  img->set.tier = get32(bytes + H_TIER);
  in->flags = get32(bytes + H_FLAGS);
  img->set.guard = in->flags & F_GUARD;
  img->set.standard_2_0 = in->flags & F_STANDARD_2_0;
  img->legacy_exceptions = in->flags & F_LEGACY_EXCEPTIONS;
  img->features = get64(bytes + H_FEATURES);
  summarise(in);
  return true;
}

static const char *tier_name(uint32_t t) { return t == JIT_TIER_OPTIMIZED ? "optimized" : "baseline"; }

bool jit_image_check_settings(const jit_image *img, const jit_image_settings *want, util_error *err) {
  if (img->set.guard != want->guard)
    return util_fail(err, UTIL_ERR_USAGE, H_FLAGS, "precompiled module was compiled for --bounds %s, not --bounds %s",
                     img->set.guard ? "guard" : "explicit", want->guard ? "guard" : "explicit");
  if (img->set.standard_2_0 != want->standard_2_0)
    return util_fail(err, UTIL_ERR_USAGE, H_FLAGS, "precompiled module was compiled for --standard %s, not %s",
                     img->set.standard_2_0 ? "2.0" : "3.0", want->standard_2_0 ? "2.0" : "3.0");
  if (want->tier && img->set.tier != want->tier)
    return util_fail(err, UTIL_ERR_USAGE, H_TIER, "precompiled module was compiled for --tier %s, not --tier %s",
                     tier_name(img->set.tier), tier_name(want->tier));
  return true;
}

void jit_module_set_source(exec_module *em, uint32_t source, double compile_seconds) {
  jit_module *jm = em->jit;
  if (!jm) return;
  jm->stats.source = source;
  jm->stats.compile_seconds = compile_seconds;
}

bool jit_image_load(exec_module *em, const jit_image *img, util_error *err) {
  if (img->set.tier == JIT_TIER_OPTIMIZED) return jit_image_load_optimized(em, img->code, img->code_len, img->set.guard, err);
  return jit_image_load_baseline(em, img->code, img->code_len, img->set.guard, err);
}

/* ---------- the baseline tier's section ----------
 * "BASE", u32 functions, trampoline, code length, relocations, sites, names, guard;
 * per function: entry, checked, epilogue, end, frame slots, fallback length + text;
 * the code; names (u32 length + text); relocations (at, kind, value: a name's index or a
 * type index); sites (code, wasm offset, function). */

static bool put_str(jit_bytes *b, const char *s) {
  size_t n = s ? strlen(s) : 0;
  jit_bytes_u32(b, (uint32_t)n);
  jit_bytes_put(b, s, n);
  return !b->oom;
}

bool jit_image_baseline(const exec_module *em, bool guard, uint32_t threads, jit_bytes *out, uint64_t *features,
                        util_error *err) {
  jit_build bd;
  if (!jit_build_module(em, guard, true, threads, &bd, err)) return false;
  /* the names of the helper addresses, each once */
  char (*names)[48] = bd.b.nrel ? calloc(bd.b.nrel, sizeof *names) : NULL;
  uint32_t *ix = bd.b.nrel ? calloc(bd.b.nrel, sizeof *ix) : NULL;
  /* the address each name was found for: an address met again (most are) is not named
   * again (naming one outside the table asks the dynamic loader whether libm is in the
   * process, which maps and unmaps its cache: with threads, a TLB shootdown each time) */
  uint64_t *named = bd.b.nrel ? calloc(bd.b.nrel, sizeof *named) : NULL;
  uint32_t nnames = 0;
  bool ok = !bd.b.nrel || (names && ix && named);
  for (size_t i = 0; ok && i < bd.b.nrel; i++) {
    x64_reloc *r = &bd.b.rel[i];
    if (r->kind != X64_RELOC_ADDR) continue;
    uint32_t j = 0;
    while (j < nnames && named[j] != r->value) j++;
    if (j < nnames) {
      ix[i] = j;
      continue;
    }
    char nm[48];
    if (!jit_sym_name((const void *)(uintptr_t)r->value, nm, sizeof nm)) {
      free(names);
      free(ix);
      free(named);
      jit_build_free(&bd);
      return util_fail(err, UTIL_ERR_USAGE, -1, "internal: compiled code calls an address without a name");
    }
    j = 0;
    while (j < nnames && strcmp(names[j], nm) != 0) j++;
    if (j == nnames) {
      named[nnames] = r->value;
      memcpy(names[nnames++], nm, sizeof nm);
    }
    ix[i] = j;
  }
  free(named);
  jit_bytes *b = out;
  /* everything below at once: the function table (its reasons' lengths are not counted,
   * a fallback is rare), the code, the names, relocations and sites */
  jit_bytes_reserve(b, 32 + (size_t)bd.n * 24 + bd.b.len + (size_t)nnames * 52 + (bd.b.nrel + bd.sites.n) * 12);
  jit_bytes_put(b, "BASE", 4);
  jit_bytes_u32(b, bd.n);
  jit_bytes_u32(b, (uint32_t)bd.tramp);
  jit_bytes_u32(b, (uint32_t)bd.b.len);
  jit_bytes_u32(b, (uint32_t)bd.b.nrel);
  jit_bytes_u32(b, (uint32_t)bd.sites.n);
  jit_bytes_u32(b, nnames);
  jit_bytes_u32(b, bd.guard);
  for (uint32_t k = 0; ok && k < bd.n; k++) {
    jit_build_func *f = &bd.funcs[k];
    /* an interpreted function has only its thunk (checked) */
    jit_bytes_u32(b, f->fallback ? 0 : (uint32_t)f->entry);
    jit_bytes_u32(b, (uint32_t)f->checked);
    jit_bytes_u32(b, f->fallback ? 0 : (uint32_t)f->epilogue);
    jit_bytes_u32(b, f->fallback ? (uint32_t)f->checked : (uint32_t)f->end);
    jit_bytes_u32(b, f->frame_slots);
    put_str(b, f->fallback);
  }
  /* the code with every relocated immediate zeroed: the file does not depend on where
   * this process put its helpers */
  size_t code_at = b->len;
  jit_bytes_put(b, bd.b.p, bd.b.len);
  for (size_t i = 0; ok && !b->oom && i < bd.b.nrel; i++)
    memset(b->p + code_at + bd.b.rel[i].at, 0, bd.b.rel[i].kind == X64_RELOC_ADDR ? 8 : 4);
  for (uint32_t j = 0; j < nnames; j++) put_str(b, names[j]);
  for (size_t i = 0; ok && i < bd.b.nrel; i++) {
    x64_reloc *r = &bd.b.rel[i];
    jit_bytes_u32(b, (uint32_t)r->at);
    jit_bytes_u32(b, r->kind);
    jit_bytes_u32(b, r->kind == X64_RELOC_ADDR ? ix[i] : (uint32_t)r->value);
  }
  for (size_t i = 0; ok && i < bd.sites.n; i++) {
    jit_bytes_u32(b, bd.sites.v[i].code);
    jit_bytes_u32(b, bd.sites.v[i].wasm);
    jit_bytes_u32(b, bd.sites.v[i].k);
  }
  /* the extensions the compiler uses: popcnt, and SSSE3/SSE4.1 in SIMD code */
  *features = jit_cpu_features() & (JIT_CPU_POPCNT | JIT_CPU_SSSE3 | JIT_CPU_SSE41);
  free(names);
  free(ix);
  jit_build_free(&bd);
  if (!ok || b->oom) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory (writing a precompiled module)");
  return true;
}

static bool corrupt(util_error *err, const char *what) {
  return util_fail(err, UTIL_ERR_MALFORMED, -1, "precompiled module is corrupt (%s)", what);
}

bool jit_image_load_baseline(exec_module *em, const uint8_t *code, size_t len, bool guard, util_error *err) {
  if (em->jit) return true;
  if (!jit_available()) return util_fail(err, UTIL_ERR_USAGE, -1, "not supported: the baseline tier needs x86-64");
  jit_rd r = {code, code + len, false};
  const uint8_t *tag = jit_rd_bytes(&r, 4);
  if (!tag || memcmp(tag, "BASE", 4) != 0) return corrupt(err, "not a baseline code section");
  const wasm_module *m = em->wasm;
  uint32_t n = jit_rd_u32(&r), tramp = jit_rd_u32(&r), clen = jit_rd_u32(&r), nrel = jit_rd_u32(&r);
  uint32_t nsites = jit_rd_u32(&r), nnames = jit_rd_u32(&r), code_guard = jit_rd_u32(&r);
  if (r.bad) return corrupt(err, "truncated code section");
  if (n != m->nfuncs - m->nfunc_imports) return corrupt(err, "function count differs from the module's");
  if (code_guard > 1 || (code_guard && !guard)) return corrupt(err, "bounds mode of the code");
  if (tramp >= clen && clen) return corrupt(err, "trampoline outside the code");
  /* every count must fit in what is left, before anything is allocated for it */
  size_t left = (size_t)(r.end - r.p);
  if ((uint64_t)n * 24 > left || (uint64_t)nrel * 12 > left || (uint64_t)nsites * 12 > left ||
      (uint64_t)nnames * 4 > left || clen > left)
    return corrupt(err, "counts larger than the section");
  jit_build bd;
  memset(&bd, 0, sizeof bd);
  bd.n = n;
  bd.tramp = tramp;
  bd.guard = code_guard;
  bd.funcs = n ? calloc(n, sizeof *bd.funcs) : NULL;
  const void **addrs = nnames ? calloc(nnames, sizeof *addrs) : NULL;
  const char *why = NULL;
  if ((n && !bd.funcs) || (nnames && !addrs)) why = "out of memory";
  for (uint32_t k = 0; !why && k < n; k++) {
    jit_build_func *f = &bd.funcs[k];
    f->entry = jit_rd_u32(&r);
    f->checked = jit_rd_u32(&r);
    f->epilogue = jit_rd_u32(&r);
    f->end = jit_rd_u32(&r);
    f->frame_slots = jit_rd_u32(&r);
    uint32_t fl = jit_rd_u32(&r);
    const uint8_t *s = jit_rd_bytes(&r, fl);
    if (r.bad) why = "truncated function table";
    else if (f->checked >= clen || (!fl && (f->entry >= clen || f->epilogue >= clen || f->end > clen ||
                                             f->checked > f->end)))
      why = "function offsets outside the code";
    else if (f->frame_slots > (1u << 24)) why = "function frame too large";
    else if (fl) {
      if (memchr(s, 0, fl)) why = "fallback reason with a NUL";
      else if (!(f->fallback = malloc(fl + 1))) why = "out of memory";
      else memcpy(f->fallback, s, fl), f->fallback[fl] = 0;
    } else {
      bd.compiled++;
      bd.wasm_bytes += m->funcs[m->nfunc_imports + k].code_len;
    }
  }
  const uint8_t *cp = why ? NULL : jit_rd_bytes(&r, clen);
  if (!why && !cp) why = "truncated code";
  if (!why) {
    bd.b.mapped = true; /* installed where it is patched, without another copy */
    bd.b.hint = clen;
    if (!x64_grow(&bd.b, clen ? clen : 1)) why = "out of memory";
    else memcpy(bd.b.p, cp, clen), bd.b.len = clen;
  }
  for (uint32_t j = 0; !why && j < nnames; j++) {
    uint32_t sl = jit_rd_u32(&r);
    const uint8_t *s = jit_rd_bytes(&r, sl);
    char nm[64];
    if (r.bad || sl == 0 || sl >= sizeof nm) {
      why = "bad helper name";
      break;
    }
    memcpy(nm, s, sl);
    nm[sl] = 0;
    if (!(addrs[j] = jit_sym_addr(nm))) why = "unknown helper name";
  }
  for (uint32_t i = 0; !why && i < nrel; i++) {
    uint32_t at = jit_rd_u32(&r), kind = jit_rd_u32(&r), v = jit_rd_u32(&r);
    if (r.bad) why = "truncated relocations";
    else if (kind == X64_RELOC_ADDR && at <= clen && clen - at >= 8 && v < nnames) {
      uint64_t a = (uint64_t)(uintptr_t)addrs[v];
      for (int b = 0; b < 8; b++) bd.b.p[at + b] = (uint8_t)(a >> (8 * b));
    } else if (kind == X64_RELOC_TYPEID && at <= clen && clen - at >= 4 && v < m->ntypes) {
      uint32_t t = em->typeids[v];
      for (int b = 0; b < 4; b++) bd.b.p[at + b] = (uint8_t)(t >> (8 * b));
    } else why = "bad relocation";
  }
  if (!why && nsites) {
    bd.sites.v = calloc(nsites, sizeof *bd.sites.v);
    if (!bd.sites.v) why = "out of memory";
    bd.sites.n = bd.sites.cap = nsites;
  }
  for (uint32_t i = 0; !why && i < nsites; i++) {
    jit_site *s = &bd.sites.v[i];
    s->code = jit_rd_u32(&r);
    s->wasm = jit_rd_u32(&r);
    s->k = jit_rd_u32(&r);
    if (r.bad) why = "truncated sites";
    else if (s->code >= clen || s->k >= n || (i && s->code < bd.sites.v[i - 1].code)) why = "bad access site";
  }
  if (!why && r.p != r.end) why = "bytes after the code section";
  free(addrs);
  if (!why && code_guard && !jit_fault_install())
    why = "the fault handler cannot be installed (the code relies on guard regions)";
  if (why) {
    jit_build_free(&bd);
    if (strcmp(why, "out of memory") == 0) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    return corrupt(err, why);
  }
  return jit_install_module(em, &bd, 0, err);
}

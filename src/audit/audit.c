/* The analysis: imports to capabilities, the permission boundary, and the module facts
 * a reviewer wants (exports, start, limits, grow and indirect-call sites, embedded
 * files, producers). Scoring and policy checks are in score.c, renderings in report.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "../wasm/instr.h"

#define MAX_EMBEDDED 64 /* findings kept; more set embedded_truncated */

static char *name_dup(audit_report *r, const wasm_name *n) {
  /* Names may hold NULs; a report shows them cut at the first one, which only hides
   * bytes after it, never invents any. */
  char *s = util_try_malloc((size_t)n->len + 1);
  if (!s) {
    r->oom = true;
    return NULL;
  }
  if (n->len) memcpy(s, n->str, n->len);
  s[n->len] = '\0';
  return s;
}

/* The name tables below are arrays of strings, so they need no relocations at start-up. */
const char *audit_cap_name(audit_cap c) {
  static const char names[][12] = {"file", "network", "environment", "clock",
                                   "random", "process", "stdio", "opaque"};
  return (unsigned)c < AUDIT_CAP_COUNT ? names[c] : "unknown";
}

const char *audit_severity_name(audit_severity s) {
  static const char names[][7] = {"low", "medium", "high"};
  return (unsigned)s <= AUDIT_SEV_HIGH ? names[s] : "unknown";
}

const char *audit_ops_format(uint32_t ops, char *buf, size_t n) {
  static const char names[][11] = {"listen", "socket-io", "env-vars", "args", "clock-read",
                                   "clock-wait", "random", "exit", "raise", "yield",
                                   "read-fd", "write-fd", "fd-meta"};
  size_t k = 0;
  if (n == 0) return buf;
  buf[0] = '\0';
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (!(ops & (1u << i))) continue;
    int w = snprintf(buf + k, n - k, "%s%s", k ? ", " : "", names[i]);
    if (w < 0 || (size_t)w >= n - k) return buf;
    k += (size_t)w;
  }
  if (k == 0) snprintf(buf, n, "none");
  return buf;
}

/* Descriptor functions whose file operations need a file descriptor, which only
 * path_open makes: without it they reach the standard streams alone. Those that also
 * work on a preopened directory (fd_filestat_get, fd_readdir, fd_filestat_set_times) are
 * not listed. */
static bool needs_opened_file(const char *name) {
  static const char names[][21] = {"fd_allocate", "fd_datasync", "fd_filestat_set_size", "fd_pread",
                                   "fd_pwrite",   "fd_read",     "fd_sync",              "fd_write"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(names[i], name) == 0) return true;
  return false;
}

/* The host modules weld run serves as WASI (src/wasi/wasi.c): preview1 and the
 * snapshot before it, "wasi_unstable", which it answers with the same functions. The
 * audit must see the same doors the run opens, so both map through one table. The two
 * snapshots differ in some data layouts (filestat's nlink width, fd_seek's whence
 * numbering) but not in what any function can reach, which is all the table records. */
static bool is_wasi_module(const wasm_name *n) {
  static const char names[][23] = {"wasi_snapshot_preview1", "wasi_unstable"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (n->len == strlen(names[i]) && memcmp(n->str, names[i], n->len) == 0) return true;
  return false;
}

void audit_map_imports(const wasm_module *m, audit_report *r) {
  r->imports = util_try_calloc(m->nimports ? m->nimports : 1, sizeof *r->imports);
  if (!r->imports) {
    r->oom = true;
    return;
  }
  r->nimports = m->nimports;
  bool can_open = false;
  for (uint32_t i = 0; i < m->nimports; i++) {
    const wasm_import *im = &m->imports[i];
    audit_import *a = &r->imports[i];
    a->module = name_dup(r, &im->module);
    a->name = name_dup(r, &im->field);
    if (!a->module || !a->name) return; /* r->oom: the names below are needed whole */
    a->kind = im->kind;
    if (im->kind == WASM_EXTERN_TAG) {
      a->implies = "an exception tag of the host: exceptions of it cross the boundary (not a capability)";
      continue;
    }
    if (im->kind != WASM_EXTERN_FUNC) {
      a->implies = "shares state with the host (not a capability by itself)";
      continue;
    }
    bool is_wasi = is_wasi_module(&im->module);
    const audit_wasi_fn *f = is_wasi && strlen(a->name) == im->field.len ? audit_wasi_lookup(a->name) : NULL;
    if (f) {
      a->wasi = true;
      a->caps = f->caps;
      a->file_ops = f->file_ops;
      a->ops = f->ops;
      a->implies = f->implies;
      can_open |= strcmp(a->name, "path_open") == 0;
    } else {
      a->opaque = true;
      a->caps = 1u << AUDIT_CAP_OPAQUE;
      a->implies = is_wasi ? "not a WASI preview1 function: the host decides what it does"
                           : "a host function weld cannot see into: it may do anything the host allows";
    }
  }
  for (uint32_t i = 0; i < r->nimports; i++) {
    audit_import *a = &r->imports[i];
    if (a->wasi && !can_open && needs_opened_file(a->name)) {
      a->file_ops = 0;
      a->caps &= ~(1u << AUDIT_CAP_FILE);
    }
    r->boundary.caps |= a->caps;
    r->boundary.file_ops |= a->file_ops;
    r->boundary.ops |= a->ops;
  }
  /* Distinct opaque host modules. */
  for (uint32_t i = 0; i < r->nimports; i++) {
    if (!r->imports[i].opaque) continue;
    bool seen = false;
    for (uint32_t k = 0; k < i && !seen; k++)
      seen = r->imports[k].opaque && strcmp(r->imports[k].module, r->imports[i].module) == 0;
    if (!seen) r->boundary.nopaque_modules++;
  }
}

static void limits_of(audit_limits_info *o, const wasm_limits *l, bool imported) {
  o->min = l->min;
  o->max = l->max;
  o->has_max = l->has_max;
  o->shared = l->shared;
  o->is64 = l->is64;
  o->imported = imported;
}

static void module_facts(const wasm_module *m, audit_report *r) {
  r->exports = util_try_calloc(m->nexports ? m->nexports : 1, sizeof *r->exports);
  r->memories = util_try_calloc(m->nmemories ? m->nmemories : 1, sizeof *r->memories);
  r->tables = util_try_calloc(m->ntables ? m->ntables : 1, sizeof *r->tables);
  if (!r->exports || !r->memories || !r->tables) {
    r->oom = true;
    return;
  }
  r->nexports = m->nexports;
  for (uint32_t i = 0; i < m->nexports; i++) {
    r->exports[i].name = name_dup(r, &m->exports[i].name);
    r->exports[i].kind = m->exports[i].kind;
    r->exports[i].index = m->exports[i].index;
  }
  r->has_start = m->has_start;
  r->start = m->start;
  if (m->has_start) {
    for (uint32_t i = 0; i < m->nexports && !r->start_name; i++)
      if (m->exports[i].kind == WASM_EXTERN_FUNC && m->exports[i].index == m->start)
        r->start_name = name_dup(r, &m->exports[i].name);
    if (!r->start_name && m->func_names && m->start < m->nfuncs && m->func_names[m->start].str)
      r->start_name = name_dup(r, &m->func_names[m->start]);
  }
  r->nmemories = m->nmemories;
  for (uint32_t i = 0; i < m->nmemories; i++)
    limits_of(&r->memories[i], &m->memories[i].type.limits, m->memories[i].imported);
  r->ntables = m->ntables;
  for (uint32_t i = 0; i < m->ntables; i++) {
    limits_of(&r->tables[i], &m->tables[i].type.limits, m->tables[i].imported);
    r->tables[i].elem = m->tables[i].type.elem;
  }
  r->nfuncs_defined = m->nfuncs - m->nfunc_imports;
}

/* Counts memory.grow, table.grow and indirect-call sites. The module is valid, so every
 * body reads cleanly; a read error only stops counting in that body. */
static void scan_code(const wasm_module *m, audit_report *r) {
  for (uint32_t f = m->nfunc_imports; f < m->nfuncs; f++) {
    const wasm_func *fn = &m->funcs[f];
    util_reader rd = {fn->code, fn->code, fn->code + fn->code_len, fn->code_offset};
    util_error e;
    util_error_clear(&e);
    while (!util_reader_eof(&rd)) {
      wasm_instr in;
      if (!wasm_read_instr_features(&rd, &in, m->features, &e)) break;
      if (in.op == WASM_OP_MEMORY_GROW) r->memory_grow_sites++;
      else if (in.op == WASM_OP_TABLE_GROW) r->table_grow_sites++;
      else if (in.op == WASM_OP_MEMORY_ATOMIC_WAIT32 || in.op == WASM_OP_MEMORY_ATOMIC_WAIT64) r->atomic_wait_sites++;
      else if (in.op == WASM_OP_CALL_INDIRECT || in.op == WASM_OP_RETURN_CALL_INDIRECT) r->indirect_call_sites++;
    }
  }
}

/* File signatures worth flagging in data: executables, archives, compressed streams,
 * documents and images. Only signatures of 4 bytes or more are searched anywhere in a
 * segment; shorter ones would match ordinary data by chance. The bytes and the kind are
 * arrays, so the table needs no relocations at start-up. */
typedef struct magic {
  char bytes[17];
  uint8_t len;
  char kind[38];
} magic;

#define M(s, k) {s, sizeof(s) - 1, k}
static const magic magics[] = {
    M("\x7f" "ELF", "ELF executable or library"),
    M("\0asm\x01\0\0\0", "WebAssembly module"),
    M("MZ\x90\0", "Windows PE executable"),
    M("\xcf\xfa\xed\xfe", "Mach-O executable"),
    M("\xca\xfe\xba\xbe", "Mach-O universal binary or Java class"),
    M("PK\x03\x04", "ZIP archive (also JAR, APK, DOCX)"),
    M("\x1f\x8b\x08", "gzip stream"),
    M("BZh9", "bzip2 stream"),
    M("\xfd" "7zXZ\0", "xz stream"),
    M("7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    M("\x28\xb5\x2f\xfd", "zstd stream"),
    M("Rar!\x1a\x07", "RAR archive"),
    M("%PDF-", "PDF document"),
    M("\x89PNG\r\n\x1a\n", "PNG image"),
    M("GIF87a", "GIF image"),
    M("GIF89a", "GIF image"),
    M("\xff\xd8\xff\xe0", "JPEG image"),
    M("\xff\xd8\xff\xe1", "JPEG image"),
    M("SQLite format 3\0", "SQLite database"),
    M("#!/bin/", "shell script"),
    M("#!/usr/bin/", "script"),
    M("-----BEGIN ", "PEM key or certificate"),
};
#undef M

static void scan_data(const wasm_module *m, audit_report *r) {
  r->ndatas = m->ndatas;
  for (uint32_t d = 0; d < m->ndatas; d++) {
    const uint8_t *b = m->datas[d].bytes;
    uint32_t n = m->datas[d].len;
    r->data_bytes += n;
    for (uint32_t off = 0; off < n; off++) {
      for (size_t k = 0; k < sizeof magics / sizeof magics[0]; k++) {
        const magic *mg = &magics[k];
        if ((uint8_t)mg->bytes[0] != b[off] || n - off < mg->len || memcmp(b + off, mg->bytes, mg->len) != 0)
          continue;
        if (r->nembedded == MAX_EMBEDDED) {
          r->embedded_truncated = true;
          return;
        }
        audit_embedded e = {d, off, mg->kind};
        if (!UTIL_VEC_TRY_PUSH(r->embedded, r->nembedded, r->capembedded, e)) {
          r->oom = true;
          return;
        }
        break;
      }
    }
  }
}

/* The tool-conventions producers section: vec(field name, vec(name, version)). */
static bool read_str(audit_report *r, util_reader *rd, char **out, util_error *e) {
  uint32_t len;
  const uint8_t *p;
  if (!util_read_u32(rd, &len, e) || !util_read_bytes(rd, len, &p, e)) return false;
  if (!util_utf8_valid(p, len)) return util_fail(e, UTIL_ERR_MALFORMED, (int64_t)util_reader_offset(rd), "malformed UTF-8 encoding");
  char *s = util_try_malloc((size_t)len + 1);
  if (!s) {
    r->oom = true;
    return util_fail(e, UTIL_ERR_OOM, -1, "out of memory");
  }
  if (len) memcpy(s, p, len);
  s[len] = '\0';
  *out = s;
  return true;
}

void audit_parse_producers(audit_report *r, const uint8_t *bytes, size_t len) {
  util_reader rd = {bytes, bytes, bytes + len, 0};
  util_error e;
  util_error_clear(&e);
  uint32_t nfields;
  bool ok = util_read_u32(&rd, &nfields, &e);
  for (uint32_t f = 0; ok && f < nfields; f++) {
    char *field = NULL;
    uint32_t nvals;
    ok = read_str(r, &rd, &field, &e) && util_read_u32(&rd, &nvals, &e);
    for (uint32_t v = 0; ok && v < nvals; v++) {
      audit_producer pr = {NULL, NULL, NULL};
      ok = read_str(r, &rd, &pr.name, &e) && read_str(r, &rd, &pr.version, &e);
      if (ok && (!(pr.field = util_try_strdup(field)) ||
                 !UTIL_VEC_TRY_PUSH(r->producers, r->nproducers, r->capproducers, pr))) {
        r->oom = true;
        ok = false;
      }
      if (!ok) {
        free(pr.field);
        free(pr.name);
        free(pr.version);
        break;
      }
    }
    free(field);
  }
  if (ok && !util_reader_eof(&rd)) ok = util_fail(&e, UTIL_ERR_MALFORMED, (int64_t)util_reader_offset(&rd), "section size mismatch");
  if (!ok && !r->oom) {
    char buf[300];
    snprintf(buf, sizeof buf, "%s at byte %lld of the section", e.msg, (long long)e.offset);
    if (!(r->producers_error = util_try_strdup(buf))) r->oom = true;
  }
}

bool audit_module(const wasm_module *m, const policy *p, audit_report *out, util_error *err) {
  memset(out, 0, sizeof *out);
  util_error_clear(err);
  if (!wasm_validate(m, err)) return false;
  audit_map_imports(m, out);
  if (!out->oom) module_facts(m, out);
  if (!out->oom) scan_code(m, out);
  if (!out->oom) scan_data(m, out);
  for (uint32_t i = 0; !out->oom && i < m->ncustoms; i++) {
    const wasm_custom *c = &m->customs[i];
    if (c->name.len == 9 && memcmp(c->name.str, "producers", 9) == 0 && !out->producers && !out->producers_error)
      audit_parse_producers(out, c->bytes, c->len);
  }
  if (!out->oom) audit_score(out);
  if (!out->oom && p) audit_verify(out, p);
  if (out->oom) {
    /* an incomplete report could pass a module it should not: none at all */
    audit_report_free(out);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  return true;
}

void audit_report_free(audit_report *r) {
  if (!r) return;
  for (uint32_t i = 0; i < r->nimports; i++) {
    free(r->imports[i].module);
    free(r->imports[i].name);
  }
  free(r->imports);
  for (size_t i = 0; i < r->nreasons; i++) free(r->reasons[i].text);
  free(r->reasons);
  free(r->policy_name);
  for (size_t i = 0; i < r->nviolations; i++) free(r->violations[i].message);
  free(r->violations);
  for (uint32_t i = 0; i < r->nexports; i++) free(r->exports[i].name);
  free(r->exports);
  free(r->start_name);
  free(r->memories);
  free(r->tables);
  free(r->embedded);
  for (size_t i = 0; i < r->nproducers; i++) {
    free(r->producers[i].field);
    free(r->producers[i].name);
    free(r->producers[i].version);
  }
  free(r->producers);
  free(r->producers_error);
  memset(r, 0, sizeof *r);
}

/* Which post-2.0 proposal a script module's syntax belongs to, read from its tokens.
 *
 * weld implements WebAssembly 3.0 (GC included) and threads' shared memories and atomics.
 * A runner that meets a module written in the syntax of a proposal weld lacks
 * (shared-everything threads, custom page sizes, stack switching, ...:
 * the keywords src/wasm/proposals.c knows) must count the commands on it as skipped
 * for that feature, not as failures (the feature is missing, not broken) and never as
 * passes (an assertion that such a module is malformed proves nothing about the feature). The markers are keywords and field
 * shapes that do not exist in the 2.0 text format, so a 2.0 module never has one. */
#include <string.h>

#include "../wasm/proposals.h"
#include "internal.h"
#include "wast.h"

typedef struct scan {
  const char *src;
  const text_token *toks;
  size_t end;       /* index of the module's `)` */
  unsigned memories;
  unsigned defined_globals; /* globals the module defines (not imports) */
  int found;
} scan;

static bool kw_eq(const scan *s, const text_token *t, const char *kw) {
  size_t n = strlen(kw);
  return t->kind == TOK_KEYWORD && t->len == n && memcmp(s->src + t->start, kw, n) == 0;
}

int text_wast_feature_of_proposal(int p) {
  switch ((wasm_proposal)p) {
  case WASM_PROPOSAL_THREADS: return WAST_FEAT_THREADS;
  case WASM_PROPOSAL_SHARED_EVERYTHING: return WAST_FEAT_SHARED_EVERYTHING;
  case WASM_PROPOSAL_CUSTOM_PAGE_SIZES: return WAST_FEAT_CUSTOM_PAGE_SIZES;
  case WASM_PROPOSAL_WIDE_ARITHMETIC: return WAST_FEAT_WIDE_ARITHMETIC;
  case WASM_PROPOSAL_STACK_SWITCHING: return WAST_FEAT_STACK_SWITCHING;
  case WASM_PROPOSAL_CUSTOM_DESCRIPTORS: return WAST_FEAT_CUSTOM_DESCRIPTORS;
  case WASM_PROPOSAL_MEMORY_CONTROL: return WAST_FEAT_MEMORY_CONTROL;
  case WASM_PROPOSAL_COMPACT_IMPORTS: return WAST_FEAT_COMPACT_IMPORTS;
  case WASM_PROPOSAL_FP16: return WAST_FEAT_FP16;
  default: return WAST_FEAT_NONE;
  }
}

static void found(scan *s, int f) {
  if (s->found == WAST_FEAT_NONE || f < s->found) s->found = f; /* lower = reported first */
}

/* A field whose constant expression computes (i32.add etc.) uses extended constants;
 * in a 2.0 global, data or elem field those instructions cannot occur at all. */
static void const_field(scan *s, size_t lpar) {
  static const char *const ops[] = {"i32.add", "i32.sub", "i32.mul", "i64.add", "i64.sub", "i64.mul"};
  for (size_t k = lpar; k < s->toks[lpar].match; k++) {
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
      if (kw_eq(s, &s->toks[k], ops[i])) found(s, WAST_FEAT_EXTENDED_CONST);
    if (kw_eq(s, &s->toks[k], "global.get") && s->defined_globals) found(s, WAST_FEAT_CONST_GLOBALS);
  }
}

static bool has_import(const scan *s, size_t lpar) {
  for (size_t j = lpar + 2; j < s->toks[lpar].match; j++)
    if (s->toks[j].kind == TOK_LPAR && kw_eq(s, &s->toks[j + 1], "import")) return true;
  return false;
}

/* A table field whose element type is followed by an expression (not `(elem ...)`)
 * gives its elements an initial value: typed function references' syntax. */
static void table_init(scan *s, size_t lpar) {
  size_t close = s->toks[lpar].match, k = lpar + 2;
  while (k < close) {
    const text_token *t = &s->toks[k];
    if (t->kind == TOK_ID || t->kind == TOK_NUM || t->kind == TOK_KEYWORD) k++;
    else if (t->kind == TOK_LPAR && kw_eq(s, &s->toks[k + 1], "export")) k = t->match + 1;
    else break;
  }
  (void)k; /* typed function references are implemented */
}

/* The module's top-level fields: tables with initialisers, constant-expression fields.
 * (Multiple memories and memory64's i64 index types, u64 limits and offsets are read and
 * run, under 2.0's rules too with `--standard 2.0`.) */
static void fields(scan *s, size_t first) {
  for (size_t k = first; k < s->end && s->toks[k].kind != TOK_EOF;) {
    const text_token *t = &s->toks[k];
    if (t->kind != TOK_LPAR) { k++; continue; }
    if (kw_eq(s, &s->toks[k + 1], "global") && !has_import(s, k)) s->defined_globals++;
    k = t->match + 1;
  }
  for (size_t k = first; k < s->end && s->toks[k].kind != TOK_EOF;) {
    const text_token *t = &s->toks[k];
    if (t->kind != TOK_LPAR) { k++; continue; }
    const text_token *f = &s->toks[k + 1];
    if (kw_eq(s, f, "table") && !has_import(s, k)) table_init(s, k);
    else if (kw_eq(s, f, "global") || kw_eq(s, f, "data") || kw_eq(s, f, "elem")) {
      const_field(s, k);
    }
    k = t->match + 1;
  }
}

/* `from`: where the text before token `first` starts. */
static int scan_tokens(const char *src, const text_token *toks, size_t from, size_t first, size_t end) {
  (void)from; /* annotations are read (skipped) by the lexer: no longer a feature marker */
  scan s = {src, toks, end, 0, 0, WAST_FEAT_NONE};
  /* keywords of the proposals after 3.0 weld lacks: src/wasm/proposals.c */
  for (size_t k = first; k < end; k++) {
    int f = text_wast_feature_of_proposal(text_token_proposal(src, toks, k, first));
    if (f != WAST_FEAT_NONE) found(&s, f);
  }
  fields(&s, first);
  return s.found;
}

int text_wast_module_feature(const wast_script *s, const wast_module *m) {
  const text_token *toks = s->lx.toks;
  if (m->lpar == SIZE_MAX) return scan_tokens(s->src, toks, 0, 0, s->lx.ntoks - 1);
  size_t close = toks[m->lpar].match;
  size_t k = m->lpar + 2;
  while (k < close && toks[k].kind != TOK_LPAR && toks[k].kind != TOK_STRING) k++;
  if (m->form == WAST_MOD_BINARY) return WAST_FEAT_NONE;
  if (m->form == WAST_MOD_TEXT) return scan_tokens(s->src, toks, toks[k - 1].start + toks[k - 1].len, k, close);
  /* `module quote`: the strings are the text; read them as such. */
  text_buf b = {0};
  for (size_t j = k; j < close; j++) {
    if (toks[j].kind != TOK_STRING) continue;
    text_string_decode(s->src + toks[j].start, toks[j].len, &b);
    text_buf_byte(&b, ' ');
  }
  text_lexed lx;
  util_error err;
  int f = WAST_FEAT_NONE;
  /* Out of memory (here or in the lexer): no feature found; encoding the text then tells
   * whether it is 2.0. */
  if (!b.oom && text_lex(b.p ? (const char *)b.p : "", b.len, &lx, &err)) {
    /* The quoted text is module fields, or a whole `(module ...)`. */
    size_t first = 0;
    if (lx.ntoks > 2 && lx.toks[0].kind == TOK_LPAR && lx.src && lx.toks[1].kind == TOK_KEYWORD &&
        lx.toks[1].len == 6 && memcmp(lx.src + lx.toks[1].start, "module", 6) == 0)
      first = 2;
    f = scan_tokens(lx.src, lx.toks, first ? lx.toks[1].start + lx.toks[1].len : 0, first, lx.ntoks - 1);
    text_lexed_free(&lx);
  }
  text_buf_free(&b);
  return f;
}

const char *text_wast_feature_name(int f) {
  /* char arrays, not pointers: the table needs no relocations at start-up */
  static const char names[][44] = {
      [WAST_FEAT_NONE] = "none",
      [WAST_FEAT_GC] = "garbage collection (GC)",
      [WAST_FEAT_EXCEPTIONS] = "exception handling",
      [WAST_FEAT_FUNC_REFS] = "typed function references",
      [WAST_FEAT_TAIL_CALLS] = "tail calls",
      [WAST_FEAT_MEMORY64] = "memory64",
      [WAST_FEAT_MULTI_MEMORY] = "multiple memories",
      [WAST_FEAT_RELAXED_SIMD] = "relaxed SIMD",
      [WAST_FEAT_EXTENDED_CONST] = "extended constant expressions",
      [WAST_FEAT_THREADS] = "threads",
      [WAST_FEAT_ANNOTATIONS] = "annotations",
      [WAST_FEAT_WIDE_LIMITS] = "memory64",
      [WAST_FEAT_CONST_GLOBALS] = "constant global.get of defined globals (GC)",
  };
  for (int p = WASM_PROPOSAL_NONE + 1; p < WASM_PROPOSAL_COUNT; p++)
    if (f != WAST_FEAT_NONE && text_wast_feature_of_proposal(p) == f) return wasm_proposal_name((wasm_proposal)p);
  return f >= 0 && f < WAST_FEAT_COUNT ? names[f] : "?";
}

void text_wast_module_writes(const wast_script *s, const wast_module *m,
                             void (*fn)(void *ctx, const char *name, size_t len), void *ctx) {
  if (m->form != WAST_MOD_TEXT) return;
  const text_token *toks = s->lx.toks;
  size_t first = m->lpar == SIZE_MAX ? 0 : m->lpar + 2;
  size_t end = m->lpar == SIZE_MAX ? s->lx.ntoks - 1 : toks[m->lpar].match;
  scan sc = {s->src, toks, end, 0, 0, WAST_FEAT_NONE};
  bool writes = false;
  for (size_t k = first; k < end; k++)
    if (toks[k].kind == TOK_LPAR && (kw_eq(&sc, &toks[k + 1], "elem") || kw_eq(&sc, &toks[k + 1], "data") ||
                                     kw_eq(&sc, &toks[k + 1], "start")))
      writes = true;
  if (!writes) return;
  for (size_t k = first; k + 2 < end; k++) {
    if (toks[k].kind != TOK_LPAR || !kw_eq(&sc, &toks[k + 1], "import") || toks[k + 2].kind != TOK_STRING) continue;
    text_buf b = {0};
    text_string_decode(s->src + toks[k + 2].start, toks[k + 2].len, &b);
    /* out of memory: the name as written (the same unless it has escapes) */
    if (b.oom) fn(ctx, s->src + toks[k + 2].start + 1, toks[k + 2].len - 2);
    else fn(ctx, b.p ? (const char *)b.p : "", b.len);
    text_buf_free(&b);
  }
}

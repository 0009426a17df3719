/* The lexer: tokens with line and column, comments, strings, paired parentheses. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool is_idchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return strchr("!#$%&'*+-./:<=>?@\\^_`|~", c) != NULL && c != 0;
}

typedef struct lexer {
  const char *s;
  size_t n, i;
  uint32_t line;
  size_t line_start;
  util_error *err;
} lexer;

static bool lex_fail(lexer *l, size_t at, const char *msg) {
  /* Columns count bytes from 1, as the reference tools do. */
  uint32_t line = 1;
  size_t ls = 0;
  for (size_t k = 0; k < at && k < l->n; k++) {
    if (l->s[k] == '\n') { line++; ls = k + 1; }
  }
  util_fail(l->err, UTIL_ERR_MALFORMED, (int64_t)at, "%s", msg);
  if (l->err) { l->err->line = (int)line; l->err->col = (int)(at - ls + 1); }
  return false;
}

/* Out of memory while reading the token at `at`: no tokens are returned. */
static bool lex_oom(lexer *l, size_t at) {
  if (l->err && l->err->kind == UTIL_ERR_NONE) {
    lex_fail(l, at, "out of memory");
    l->err->kind = UTIL_ERR_OOM;
  }
  return false;
}

static void newline(lexer *l, size_t at) {
  l->line++;
  l->line_start = at + 1;
}

static bool scan_string(lexer *l);

/* A nested block comment (; ... ;) starting at the cursor. */
static bool block_comment(lexer *l) {
  size_t start = l->i;
  int depth = 1;
  l->i += 2;
  while (depth > 0) {
    if (l->i >= l->n) return lex_fail(l, start, "unclosed comment");
    char d = l->s[l->i];
    if (d == '(' && l->i + 1 < l->n && l->s[l->i + 1] == ';') { depth++; l->i += 2; }
    else if (d == ';' && l->i + 1 < l->n && l->s[l->i + 1] == ')') { depth--; l->i += 2; }
    else { if (d == '\n') newline(l, l->i); l->i++; }
  }
  return true;
}

/* A character of an annotation's body outside strings and comments: what a token or
 * white space may hold. Other control characters, and any non-ASCII character, are
 * illegal there ("malformed UTF-8 encoding" when the bytes are not UTF-8 at all). */
static bool annotation_char(lexer *l) {
  unsigned char c = (unsigned char)l->s[l->i];
  if (c < 0x80) {
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return lex_fail(l, l->i, "illegal character");
    return true;
  }
  size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
  if (l->i + need > l->n || !util_utf8_valid((const uint8_t *)l->s + l->i, need))
    return lex_fail(l, l->i, "malformed UTF-8 encoding");
  return lex_fail(l, l->i, "illegal character");
}

/* An annotation `(@id ...)` (3.0) at the cursor: skipped whole, like a comment; strings
 * inside may hold parentheses. The id is a run of identifier characters or a non-empty
 * UTF-8 string; `(@` followed by anything else is "empty annotation id". Custom-section
 * annotations are not encoded. */
static bool annotation(lexer *l) {
  size_t start = l->i;
  l->i += 2;
  if (l->i < l->n && is_idchar((unsigned char)l->s[l->i])) {
    while (l->i < l->n && is_idchar((unsigned char)l->s[l->i])) l->i++;
  } else if (l->i < l->n && l->s[l->i] == '"') {
    size_t q = l->i;
    if (!scan_string(l)) { /* not a string, so no id, as the reference reader says */
      util_error_clear(l->err);
      return lex_fail(l, start, "empty annotation id");
    }
    text_buf b = {0};
    text_string_decode(l->s + q, l->i - q, &b);
    bool empty = b.len == 0, utf8 = util_utf8_valid(b.p, b.len);
    text_buf_free(&b);
    if (empty) return lex_fail(l, start, "empty annotation id");
    if (!utf8) return lex_fail(l, q, "malformed UTF-8 encoding");
  } else {
    return lex_fail(l, start, "empty annotation id");
  }
  int depth = 1;
  while (depth > 0) {
    if (l->i >= l->n) return lex_fail(l, start, "unclosed annotation");
    char d = l->s[l->i];
    if (d == '"') {
      if (!scan_string(l)) return false;
      continue;
    }
    if (d == ';' && l->i + 1 < l->n && l->s[l->i + 1] == ';') {
      while (l->i < l->n && l->s[l->i] != '\n' && l->s[l->i] != '\r') l->i++;
      continue;
    }
    if (d == '(' && l->i + 1 < l->n && l->s[l->i + 1] == ';') {
      if (!block_comment(l)) return false;
      continue;
    }
    if (!annotation_char(l)) return false;
    if (d == '(') depth++;
    else if (d == ')') depth--;
    else if (d == '\n') newline(l, l->i);
    l->i++;
  }
  return true;
}

/* Skips whitespace, comments and annotations. */
static bool skip_space(lexer *l) {
  while (l->i < l->n) {
    char c = l->s[l->i];
    if (c == ' ' || c == '\t' || c == '\r') { l->i++; continue; }
    if (c == '\n') { newline(l, l->i); l->i++; continue; }
    if (c == ';' && l->i + 1 < l->n && l->s[l->i + 1] == ';') {
      /* a line comment ends at a line feed or a carriage return (the spec's newline) */
      while (l->i < l->n && l->s[l->i] != '\n' && l->s[l->i] != '\r') l->i++;
      continue;
    }
    if (c == '(' && l->i + 1 < l->n && l->s[l->i + 1] == ';') {
      if (!block_comment(l)) return false;
      continue;
    }
    if (c == '(' && l->i + 1 < l->n && l->s[l->i + 1] == '@') {
      if (!annotation(l)) return false;
      continue;
    }
    break;
  }
  return true;
}

/* Scans a string starting at the opening quote; checks escapes and that the source
 * text inside is UTF-8. */
static bool scan_string(lexer *l) {
  size_t start = l->i++;
  while (l->i < l->n) {
    unsigned char c = (unsigned char)l->s[l->i];
    if (c == '"') { l->i++; return true; }
    if (c == '\n') return lex_fail(l, start, "unclosed string");
    if (c < 0x20 || c == 0x7f) return lex_fail(l, l->i, "illegal control character");
    if (c == '\\') {
      if (l->i + 1 >= l->n) return lex_fail(l, start, "unclosed string");
      char e = l->s[l->i + 1];
      if (strchr("tnr\"'\\", e)) { l->i += 2; continue; }
      if (e == 'u') {
        size_t k = l->i + 2;
        if (k >= l->n || l->s[k] != '{') return lex_fail(l, l->i, "illegal escape");
        k++;
        uint32_t v = 0;
        size_t digits = 0;
        while (k < l->n && l->s[k] != '}') {
          char h = l->s[k];
          int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10 : h == '_' && digits ? -2 : -1;
          if (d == -1) return lex_fail(l, l->i, "illegal escape");
          if (d >= 0) { v = v * 16 + (uint32_t)d; digits++; }
          if (v > 0x10ffff) return lex_fail(l, l->i, "illegal escape");
          k++;
        }
        if (k >= l->n || digits == 0 || (v >= 0xd800 && v < 0xe000)) return lex_fail(l, l->i, "illegal escape");
        l->i = k + 1;
        continue;
      }
      int hex = 0;
      for (int j = 1; j <= 2; j++) {
        char h = l->i + (size_t)j < l->n ? l->s[l->i + (size_t)j] : 0;
        if ((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')) hex++;
      }
      if (hex != 2) return lex_fail(l, l->i, "illegal escape");
      l->i += 3;
      continue;
    }
    if (c < 0x80) { l->i++; continue; }
    /* a multi-byte character of the source */
    size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    if (l->i + need > l->n || !util_utf8_valid((const uint8_t *)l->s + l->i, need))
      return lex_fail(l, l->i, "malformed UTF-8 encoding");
    l->i += need;
  }
  return lex_fail(l, start, "unclosed string");
}

/* max: stop after that many tokens, without pairing parentheses (text_lex_first); 0: all */
static bool lex(const char *src, size_t len, size_t max, text_lexed *out, util_error *err) {
  lexer l = {src, len, 0, 1, 0, err};
  text_buf ids = {0};
  text_token *toks = NULL;
  size_t n = 0, cap = 0;
  uint32_t *stack = NULL;
  size_t depth = 0, scap = 0;
  memset(out, 0, sizeof *out);
  for (;;) {
    if (!skip_space(&l)) goto fail;
    text_token t = {0};
    t.start = (uint32_t)l.i;
    t.line = l.line;
    t.col = (uint32_t)(l.i - l.line_start + 1);
    if (l.i >= len) {
      t.kind = TOK_EOF;
      if (!UTIL_VEC_TRY_PUSH(toks, n, cap, t)) { lex_oom(&l, t.start); goto fail; }
      break;
    }
    char c = src[l.i];
    if (c == '(') {
      t.kind = TOK_LPAR;
      t.len = 1;
      l.i++;
      if (!UTIL_VEC_TRY_PUSH(stack, depth, scap, (uint32_t)n)) { lex_oom(&l, t.start); goto fail; }
    } else if (c == ')') {
      t.kind = TOK_RPAR;
      t.len = 1;
      l.i++;
      /* Reported by the parser, so errors before it in the text come first. */
      if (depth == 0) t.kind = TOK_STRAY;
      else toks[stack[--depth]].match = (uint32_t)n;
    } else {
      size_t strings = 0, other = 0;
      bool bad = false;
      /* `$"...": a quoted identifier (3.0); a bad string there is an empty identifier,
       * as the reference reader says */
      bool quoted = c == '$' && l.i + 1 < len && src[l.i + 1] == '"';
      while (l.i < len) {
        unsigned char d = (unsigned char)src[l.i];
        if (d == '"') {
          if (!scan_string(&l)) {
            if (quoted && strings == 0) { util_error_clear(err); lex_fail(&l, t.start, "empty identifier"); }
            goto fail;
          }
          strings++;
        } else if (is_idchar(d)) {
          l.i++;
          other++;
        } else if (d == ',' || d == '[' || d == ']' || d == '{' || d == '}' ||
                   (d == ';' && !(l.i + 1 < len && src[l.i + 1] == ';'))) {
          l.i++;
          bad = true;
        } else {
          break;
        }
      }
      if (l.i == t.start) { lex_fail(&l, t.start, "unknown character"); goto fail; }
      t.len = (uint32_t)(l.i - t.start);
      if (c == '$' && t.len == 1) { lex_fail(&l, t.start, "empty identifier"); goto fail; }
      if (quoted && !bad && strings == 1 && other == 1) {
        /* the name is `$` and the decoded string, kept as an offset until ids stops
         * growing */
        size_t at = ids.len;
        text_buf_byte(&ids, '$');
        text_string_decode(src + t.start + 1, t.len - 1, &ids);
        if (ids.oom) { lex_oom(&l, t.start); goto fail; }
        if (ids.len == at + 1) { lex_fail(&l, t.start, "empty identifier"); goto fail; }
        if (!util_utf8_valid(ids.p + at + 1, ids.len - at - 1)) {
          lex_fail(&l, t.start, "malformed UTF-8 encoding");
          goto fail;
        }
        t.kind = TOK_ID;
        t.id = (const char *)(uintptr_t)(at + 1); /* offset + 1; 0 means the source */
        t.idlen = (uint32_t)(ids.len - at);
      } else if (bad || (strings && other) || strings > 1) t.kind = TOK_RESERVED;
      else if (strings) t.kind = TOK_STRING;
      else if (c == '$') t.kind = t.len > 1 ? TOK_ID : TOK_RESERVED;
      else if (c >= 'a' && c <= 'z') t.kind = TOK_KEYWORD;
      else if ((c >= '0' && c <= '9') || c == '+' || c == '-') t.kind = TOK_NUM;
      else t.kind = TOK_RESERVED;
    }
    if (!UTIL_VEC_TRY_PUSH(toks, n, cap, t)) { lex_oom(&l, t.start); goto fail; }
    if (n == max) break;
  }
  if (depth > 0 && !max) {
    lex_fail(&l, toks[stack[depth - 1]].start, "unclosed parenthesis");
    goto fail;
  }
  free(stack);
  for (size_t k = 0; k < n; k++) {
    text_token *tk = &toks[k];
    if (tk->kind != TOK_ID) continue;
    if (tk->id) tk->id = (const char *)ids.p + ((uintptr_t)tk->id - 1);
    else { tk->id = src + tk->start; tk->idlen = tk->len; }
  }
  out->src = src;
  out->len = len;
  out->toks = toks;
  out->ntoks = n;
  out->ids = (char *)ids.p;
  return true;
fail:
  free(stack);
  free(toks);
  text_buf_free(&ids);
  return false;
}

bool text_lex(const char *src, size_t len, text_lexed *out, util_error *err) {
  return lex(src, len, 0, out, err);
}

bool text_lex_first(const char *src, size_t len, size_t max, text_lexed *out, util_error *err) {
  return lex(src, len, max ? max : 1, out, err);
}

void text_lexed_free(text_lexed *lx) {
  free(lx->toks);
  free(lx->ids);
  lx->toks = NULL;
  lx->ids = NULL;
  lx->ntoks = 0;
}

/* ---------- strings -------------------------------------------------------------- */

static int hexval(char h) {
  return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h - 'A' + 10;
}

bool text_string_decode(const char *s, size_t n, text_buf *b) {
  /* s includes the quotes; the lexer has checked the escapes */
  if (n < 2 || s[0] != '"') return false;
  for (size_t i = 1; i + 1 < n; i++) {
    char c = s[i];
    if (c != '\\') { text_buf_byte(b, (uint8_t)c); continue; }
    char e = s[++i];
    switch (e) {
    case 't': text_buf_byte(b, '\t'); break;
    case 'n': text_buf_byte(b, '\n'); break;
    case 'r': text_buf_byte(b, '\r'); break;
    case '"': case '\'': case '\\': text_buf_byte(b, (uint8_t)e); break;
    case 'u': {
      uint32_t v = 0;
      i += 2;
      while (s[i] != '}') { if (s[i] != '_') v = v * 16 + (uint32_t)hexval(s[i]); i++; }
      uint8_t u[4];
      size_t k;
      if (v < 0x80) { u[0] = (uint8_t)v; k = 1; }
      else if (v < 0x800) { u[0] = (uint8_t)(0xc0 | v >> 6); u[1] = (uint8_t)(0x80 | (v & 0x3f)); k = 2; }
      else if (v < 0x10000) {
        u[0] = (uint8_t)(0xe0 | v >> 12); u[1] = (uint8_t)(0x80 | ((v >> 6) & 0x3f));
        u[2] = (uint8_t)(0x80 | (v & 0x3f)); k = 3;
      } else {
        u[0] = (uint8_t)(0xf0 | v >> 18); u[1] = (uint8_t)(0x80 | ((v >> 12) & 0x3f));
        u[2] = (uint8_t)(0x80 | ((v >> 6) & 0x3f)); u[3] = (uint8_t)(0x80 | (v & 0x3f)); k = 4;
      }
      text_buf_bytes(b, u, k);
      break;
    }
    default:
      text_buf_byte(b, (uint8_t)(hexval(e) * 16 + hexval(s[i + 1])));
      i++;
    }
  }
  return true;
}

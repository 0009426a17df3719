/* wit: the lexer and parser — WIT text into packages, interfaces and worlds (names not
 * resolved yet; resolve.c does that). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wit/internal.h"

/* ---------- shared helpers ------------------------------------------------------------ */

void wit_fail(wit_ctx *c, wit_pos pos, const char *fmt, ...) {
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  util_error_clear(c->err);
  c->err->kind = UTIL_ERR_INVALID;
  c->err->line = pos.line;
  c->err->col = pos.col;
  snprintf(c->err->msg, sizeof c->err->msg, "%s:%d:%d: %s", pos.file ? pos.file : "<input>",
           pos.line, pos.col, msg);
  longjmp(c->jb, 1);
}

void wit_oom(wit_ctx *c) {
  util_error_clear(c->err);
  c->err->kind = UTIL_ERR_OOM;
  snprintf(c->err->msg, sizeof c->err->msg, "out of memory");
  longjmp(c->jb, 1);
}

void *wit_alloc(wit_ctx *c, size_t n) {
  void *p = util_arena_try_alloc(&c->s->arena, n ? n : 1);
  if (!p) wit_oom(c);
  return p;
}

char *wit_strndup(wit_ctx *c, const char *s, size_t n) {
  char *p = util_arena_try_strndup(&c->s->arena, s, n);
  if (!p) wit_oom(c);
  return p;
}

/* Arrays live in the arena: growing copies them (the old copy stays until the end). */
void *wit_push(wit_ctx *c, void **items, size_t *len, size_t *cap, size_t elem) {
  if (*len == *cap) {
    size_t nc = *cap ? *cap * 2 : 4;
    void *n = wit_alloc(c, nc * elem);
    if (*len) memcpy(n, *items, *len * elem);
    *items = n;
    *cap = nc;
  }
  void *slot = (char *)*items + (*len)++ * elem;
  memset(slot, 0, elem);
  return slot;
}

/* ---------- lexer --------------------------------------------------------------------- */

enum { T_EOF = 256, T_ID, T_NUM, T_ARROW };

typedef struct tok {
  int kind;
  const char *s; /* identifier text (without a leading %) */
  size_t n;
  bool escaped;
  wit_pos pos;
  const char *docs;
} tok;

#define MAX_DEPTH 100

typedef struct parser {
  wit_ctx *c;
  const char *file;
  const char *src, *p, *end;
  int line;
  const char *line_start;
  tok t;
  bool have;
  char *docbuf; /* pending doc comment lines (in the arena) */
  size_t doclen, doccap;
  wit_pkg *pkg; /* the package top-level items go to */
  wit_file *wf;
  int depth;
} parser;

static wit_pos here(parser *P) {
  wit_pos pos = {P->file, P->line, (int)(P->p - P->line_start) + 1};
  return pos;
}

static void doc_add(parser *P, const char *s, size_t n) {
  if (P->doclen + n + 2 > P->doccap) {
    size_t nc = P->doccap ? P->doccap * 2 : 128;
    while (nc < P->doclen + n + 2) nc *= 2;
    char *b = wit_alloc(P->c, nc); /* the arena: nothing to release on an error */
    if (P->doclen) memcpy(b, P->docbuf, P->doclen);
    P->docbuf = b;
    P->doccap = nc;
  }
  if (P->doclen) P->docbuf[P->doclen++] = '\n';
  memcpy(P->docbuf + P->doclen, s, n);
  P->doclen += n;
  P->docbuf[P->doclen] = 0;
}

static void newline(parser *P) {
  P->line++;
  P->line_start = P->p;
}

/* Skips white space and comments, collecting doc comments. */
static void skip(parser *P) {
  for (;;) {
    if (P->p >= P->end) return;
    char ch = *P->p;
    if (ch == '\n') {
      P->p++;
      newline(P);
    } else if (ch == ' ' || ch == '\t' || ch == '\r') {
      P->p++;
    } else if (ch == '/' && P->p + 1 < P->end && P->p[1] == '/') {
      bool doc = P->p + 2 < P->end && P->p[2] == '/' && !(P->p + 3 < P->end && P->p[3] == '/');
      const char *s = P->p + (doc ? 3 : 2);
      while (P->p < P->end && *P->p != '\n') P->p++;
      if (doc) {
        size_t n = (size_t)(P->p - s);
        if (n && s[n - 1] == '\r') n--;
        doc_add(P, s, n);
      }
    } else if (ch == '/' && P->p + 1 < P->end && P->p[1] == '*') {
      wit_pos start = here(P);
      bool doc = P->p + 2 < P->end && P->p[2] == '*' && !(P->p + 3 < P->end && P->p[3] == '/');
      P->p += doc ? 3 : 2;
      const char *s = P->p;
      int depth = 1;
      while (depth > 0) {
        if (P->p >= P->end) wit_fail(P->c, start, "unterminated block comment");
        if (*P->p == '/' && P->p + 1 < P->end && P->p[1] == '*') {
          depth++;
          P->p += 2;
        } else if (*P->p == '*' && P->p + 1 < P->end && P->p[1] == '/') {
          depth--;
          P->p += 2;
        } else {
          if (*P->p == '\n') {
            P->p++;
            newline(P);
          } else {
            P->p++;
          }
        }
      }
      if (doc) {
        /* each line of the block, a leading ` * ` stripped */
        const char *e = P->p - 2, *q = s;
        while (q < e) {
          const char *nl = memchr(q, '\n', (size_t)(e - q));
          const char *le = nl ? nl : e;
          const char *a = q;
          if (q != s) {
            while (a < le && (*a == ' ' || *a == '\t')) a++;
            if (a < le && *a == '*') a++;
          }
          size_t n = (size_t)(le - a);
          while (n && (a[n - 1] == '\r' || a[n - 1] == ' ' || a[n - 1] == '\t')) n--;
          bool blank = true;
          for (size_t i = 0; i < n; i++)
            if (a[i] != ' ' && a[i] != '\t') blank = false;
          if (!blank || (nl && q != s)) doc_add(P, a, blank ? 0 : n);
          q = nl ? nl + 1 : e;
        }
      }
    } else {
      return;
    }
  }
}

static bool is_id_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-';
}

/* Identifiers are kebab case: words of lowercase letters and digits or of uppercase
 * letters and digits, each starting with a letter, joined by single dashes. */
static void check_kebab(parser *P, wit_pos pos, const char *s, size_t n) {
  size_t i = 0;
  if (n == 0) wit_fail(P->c, pos, "expected an identifier");
  while (i < n) {
    char ch = s[i];
    bool lower = ch >= 'a' && ch <= 'z', upper = ch >= 'A' && ch <= 'Z';
    if (!lower && !upper) {
      pos.col += (int)i;
      if (ch == '-') wit_fail(P->c, pos, "identifier `%.*s` has an empty word (dashes must separate words)", (int)n, s);
      wit_fail(P->c, pos, "identifier `%.*s`: each word must start with a letter", (int)n, s);
    }
    size_t j = i + 1;
    while (j < n && s[j] != '-') {
      char d = s[j];
      bool ok = (d >= '0' && d <= '9') || (lower ? (d >= 'a' && d <= 'z') : (d >= 'A' && d <= 'Z'));
      if (!ok) {
        pos.col += (int)j;
        wit_fail(P->c, pos, "identifier `%.*s` is not kebab case (a word mixes upper and lower case)", (int)n, s);
      }
      j++;
    }
    if (j < n) {
      j++;
      if (j == n) {
        pos.col += (int)j - 1;
        wit_fail(P->c, pos, "identifier `%.*s` ends with a dash", (int)n, s);
      }
    }
    i = j;
  }
}

static void lex(parser *P, tok *t) {
  skip(P);
  memset(t, 0, sizeof *t);
  t->pos = here(P);
  if (P->doclen) {
    t->docs = wit_strndup(P->c, P->docbuf, P->doclen);
    P->doclen = 0;
  }
  if (P->p >= P->end) {
    t->kind = T_EOF;
    return;
  }
  unsigned char ch = (unsigned char)*P->p;
  if (ch == '%' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
    if (ch == '%') {
      t->escaped = true;
      P->p++;
    }
    const char *s = P->p;
    while (P->p < P->end && is_id_char(*P->p)) P->p++;
    t->kind = T_ID;
    t->s = s;
    t->n = (size_t)(P->p - s);
    wit_pos ip = t->pos;
    if (t->escaped) ip.col++;
    check_kebab(P, ip, s, t->n);
    return;
  }
  if (ch >= '0' && ch <= '9') {
    const char *s = P->p;
    while (P->p < P->end && *P->p >= '0' && *P->p <= '9') P->p++;
    t->kind = T_NUM;
    t->s = s;
    t->n = (size_t)(P->p - s);
    return;
  }
  if (ch == '-' && P->p + 1 < P->end && P->p[1] == '>') {
    P->p += 2;
    t->kind = T_ARROW;
    return;
  }
  if (strchr("{}()<>,;:=./@*_", ch) && ch) {
    P->p++;
    t->kind = ch;
    return;
  }
  if (ch < 0x20 || ch >= 0x7f) wit_fail(P->c, t->pos, "unexpected byte 0x%02x", ch);
  wit_fail(P->c, t->pos, "unexpected character `%c`", ch);
}

static tok *peek(parser *P) {
  if (!P->have) {
    lex(P, &P->t);
    P->have = true;
  }
  return &P->t;
}

static tok next(parser *P) {
  peek(P);
  P->have = false;
  return P->t;
}

static const char *tok_desc(const tok *t, char *buf, size_t n) {
  switch (t->kind) {
  case T_EOF: return "end of file";
  case T_ID: snprintf(buf, n, "`%.*s`", (int)(t->n > 40 ? 40 : t->n), t->s); return buf;
  case T_NUM: snprintf(buf, n, "number `%.*s`", (int)(t->n > 20 ? 20 : t->n), t->s); return buf;
  case T_ARROW: return "`->`";
  default: snprintf(buf, n, "`%c`", t->kind); return buf;
  }
}

_Noreturn static void unexpected(parser *P, const tok *t, const char *what) {
  char b[64];
  wit_fail(P->c, t->pos, "expected %s, found %s", what, tok_desc(t, b, sizeof b));
}

static tok expect(parser *P, int kind, const char *what) {
  tok t = next(P);
  if (t.kind != kind) unexpected(P, &t, what);
  return t;
}

static bool is_kw(const tok *t, const char *kw) {
  return t->kind == T_ID && !t->escaped && strlen(kw) == t->n && memcmp(t->s, kw, t->n) == 0;
}

static bool accept(parser *P, int kind) {
  if (peek(P)->kind == kind) {
    next(P);
    return true;
  }
  return false;
}

static bool accept_kw(parser *P, const char *kw) {
  if (is_kw(peek(P), kw)) {
    next(P);
    return true;
  }
  return false;
}

static void expect_kw(parser *P, const char *kw) {
  tok t = next(P);
  if (!is_kw(&t, kw)) {
    char what[40];
    snprintf(what, sizeof what, "`%s`", kw);
    unexpected(P, &t, what);
  }
}

/* Keywords here are char arrays, not pointers, so their tables need no relocations at start-up. */
static const char keywords[][14] = {
    "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "resource", "own", "borrow", "record", "flags", "variant", "enum",
    "bool", "string", "option", "result", "future", "stream", "error-context", "list", "as",
    "static", "interface", "tuple", "import", "export", "world", "package", "constructor",
    "include", "with", "async", "_"};

static bool is_keyword(const tok *t) {
  if (t->kind != T_ID || t->escaped) return false;
  for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
    if (strlen(keywords[i]) == t->n && memcmp(keywords[i], t->s, t->n) == 0) return true;
  return false;
}

/* An identifier that is not a keyword (a keyword must be written `%name`). */
static const char *ident(parser *P, wit_pos *pos) {
  tok t = next(P);
  if (t.kind != T_ID) unexpected(P, &t, "an identifier");
  if (is_keyword(&t)) {
    char b[64];
    wit_fail(P->c, t.pos, "expected an identifier, found keyword %s (write `%%%.*s` for the name)",
             tok_desc(&t, b, sizeof b), (int)t.n, t.s);
  }
  if (pos) *pos = t.pos;
  return wit_strndup(P->c, t.s, t.n);
}

/* A semantic version, read straight from the text after `@` (or `=`). */
static const char *version(parser *P) {
  skip(P);
  wit_pos pos = here(P);
  const char *s = P->p;
  while (P->p < P->end && (is_id_char(*P->p) || *P->p == '+' ||
                           (*P->p == '.' && P->p + 1 < P->end && is_id_char(P->p[1]))))
    P->p++;
  size_t n = (size_t)(P->p - s);
  /* major.minor.patch, numbers without leading zeros, then -pre and +build parts of
   * [0-9A-Za-z-] separated by dots */
  size_t i = 0;
  for (int part = 0; part < 3; part++) {
    size_t st = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == st || (i - st > 1 && s[st] == '0') || i - st > 19) goto bad;
    if (part < 2) {
      if (i >= n || s[i] != '.') goto bad;
      i++;
    }
  }
  for (int sect = 0; sect < 2 && i < n; sect++) {
    char lead = s[i];
    if ((lead != '-' || sect == 1) && lead != '+') goto bad;
    if (lead == '+') sect = 1;
    i++;
    for (;;) {
      size_t st = i;
      while (i < n && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
                       (s[i] >= 'A' && s[i] <= 'Z') || (s[i] == '-' && i > st)))
        i++;
      if (i == st) goto bad;
      if (i < n && s[i] == '.') {
        i++;
        continue;
      }
      break;
    }
  }
  if (i != n) goto bad;
  return wit_strndup(P->c, s, n);
bad:
  if (n == 0) wit_fail(P->c, pos, "expected a version after `@`");
  wit_fail(P->c, pos, "`%.*s` is not a valid semantic version", (int)(n > 40 ? 40 : n), s);
}

static void gates_push(parser *P, wit_gates *g, int kind, const char *value) {
  wit_gate *ng = wit_alloc(P->c, (g->n + 1) * sizeof *ng);
  if (g->n) memcpy(ng, g->items, g->n * sizeof *ng);
  ng[g->n].kind = kind;
  ng[g->n].value = value;
  g->items = ng;
  g->n++;
}

/* Gates before an item; the item's docs are those before the first token. */
static void gates(parser *P, wit_gates *g, const char **docs) {
  *docs = peek(P)->docs;
  memset(g, 0, sizeof *g);
  while (peek(P)->kind == '@') {
    tok at = next(P);
    tok name = next(P);
    if (is_kw(&name, "since") || is_kw(&name, "deprecated")) {
      int kind = is_kw(&name, "since") ? WIT_GATE_SINCE : WIT_GATE_DEPRECATED;
      expect(P, '(', "`(`");
      expect_kw(P, "version");
      expect(P, '=', "`=`");
      if (P->have) unexpected(P, peek(P), "a version");
      const char *v = version(P);
      for (size_t i = 0; i < g->n; i++)
        if (g->items[i].kind == kind) wit_fail(P->c, at.pos, "duplicate `@%.*s` gate", (int)name.n, name.s);
      gates_push(P, g, kind, v);
      expect(P, ')', "`)`");
    } else if (is_kw(&name, "unstable")) {
      expect(P, '(', "`(`");
      expect_kw(P, "feature");
      expect(P, '=', "`=`");
      tok f = next(P);
      if (f.kind != T_ID) unexpected(P, &f, "a feature name");
      for (size_t i = 0; i < g->n; i++)
        if (g->items[i].kind == WIT_GATE_UNSTABLE) wit_fail(P->c, at.pos, "duplicate `@unstable` gate");
      gates_push(P, g, WIT_GATE_UNSTABLE, wit_strndup(P->c, f.s, f.n));
      expect(P, ')', "`)`");
    } else {
      unexpected(P, &name, "`since`, `unstable` or `deprecated` after `@`");
    }
  }
  for (size_t i = 0; i < g->n; i++)
    if (g->items[i].kind == WIT_GATE_UNSTABLE)
      for (size_t j = 0; j < g->n; j++)
        if (g->items[j].kind == WIT_GATE_SINCE)
          wit_fail(P->c, peek(P)->pos, "an item cannot be both `@since` and `@unstable`");
}

/* ---------- types --------------------------------------------------------------------- */

static wit_type *new_type(parser *P, wit_tkind k, wit_pos pos) {
  wit_type *t = wit_alloc(P->c, sizeof *t);
  t->kind = k;
  t->pos = pos;
  return t;
}

static wit_type *type(parser *P);

static wit_type *angle_type(parser *P) {
  expect(P, '<', "`<`");
  wit_type *t = type(P);
  return t;
}

static const struct {
  char name[14];
  wit_tkind kind;
} prims[] = {{"bool", WIT_BOOL}, {"s8", WIT_S8}, {"s16", WIT_S16}, {"s32", WIT_S32},
             {"s64", WIT_S64}, {"u8", WIT_U8}, {"u16", WIT_U16}, {"u32", WIT_U32},
             {"u64", WIT_U64}, {"f32", WIT_F32}, {"f64", WIT_F64}, {"char", WIT_CHAR}, {"string", WIT_STRING},
             {"error-context", WIT_ERROR_CONTEXT}};

static wit_type *type(parser *P) {
  if (++P->depth > MAX_DEPTH) wit_fail(P->c, peek(P)->pos, "not supported: types nested deeper than %d levels", MAX_DEPTH);
  tok t = next(P);
  wit_type *r = NULL;
  if (t.kind != T_ID) unexpected(P, &t, "a type");
  for (size_t i = 0; i < sizeof prims / sizeof *prims && !t.escaped; i++)
    if (strlen(prims[i].name) == t.n && memcmp(prims[i].name, t.s, t.n) == 0) {
      r = new_type(P, prims[i].kind, t.pos);
      goto done;
    }
  if (is_kw(&t, "list")) {
    r = new_type(P, WIT_LIST, t.pos);
    r->a = angle_type(P);
    if (accept(P, ',')) {
      tok nt = expect(P, T_NUM, "a list length");
      uint64_t v = 0;
      for (size_t i = 0; i < nt.n; i++) {
        v = v * 10 + (uint64_t)(nt.s[i] - '0');
        if (v > 0xffffffffu) wit_fail(P->c, nt.pos, "list length too large");
      }
      if (v == 0) wit_fail(P->c, nt.pos, "a fixed-length list needs a length greater than 0");
      r->fixed = (uint32_t)v;
    }
    expect(P, '>', "`>`");
  } else if (is_kw(&t, "option")) {
    r = new_type(P, WIT_OPTION, t.pos);
    r->a = angle_type(P);
    expect(P, '>', "`>`");
  } else if (is_kw(&t, "result")) {
    r = new_type(P, WIT_RESULT, t.pos);
    if (accept(P, '<')) {
      if (accept(P, '_')) {
        expect(P, ',', "`,`");
        r->b = type(P);
      } else {
        r->a = type(P);
        if (accept(P, ',')) r->b = type(P);
      }
      expect(P, '>', "`>`");
    }
  } else if (is_kw(&t, "tuple")) {
    r = new_type(P, WIT_TUPLE, t.pos);
    expect(P, '<', "`<`");
    size_t cap = 0;
    while (peek(P)->kind != '>') {
      wit_type *e = type(P);
      *WIT_PUSH(P->c, r->elems, r->n, cap) = e;
      if (!accept(P, ',')) break;
    }
    tok c = expect(P, '>', "`>`");
    if (r->n == 0) wit_fail(P->c, c.pos, "a tuple needs at least one type");
  } else if (is_kw(&t, "own") || is_kw(&t, "borrow")) {
    r = new_type(P, is_kw(&t, "own") ? WIT_OWN : WIT_BORROW, t.pos);
    expect(P, '<', "`<`");
    wit_pos np;
    r->name = ident(P, &np);
    r->pos = np;
    expect(P, '>', "`>`");
  } else if (is_kw(&t, "future") || is_kw(&t, "stream")) {
    r = new_type(P, is_kw(&t, "future") ? WIT_FUTURE : WIT_STREAM, t.pos);
    if (accept(P, '<')) {
      r->a = type(P);
      expect(P, '>', "`>`");
    }
  } else if (is_kw(&t, "map") && peek(P)->kind == '<') {
    r = new_type(P, WIT_MAP, t.pos);
    r->a = angle_type(P);
    expect(P, ',', "`,`");
    r->b = type(P);
    expect(P, '>', "`>`");
  } else if (is_keyword(&t)) {
    unexpected(P, &t, "a type");
  } else {
    r = new_type(P, WIT_REF, t.pos);
    r->name = wit_strndup(P->c, t.s, t.n);
  }
done:
  P->depth--;
  return r;
}

/* ---------- functions ----------------------------------------------------------------- */

static void params(parser *P, wit_func *f) {
  expect(P, '(', "`(`");
  size_t cap = 0;
  while (peek(P)->kind != ')') {
    wit_field *fl = WIT_PUSH(P->c, f->params, f->nparams, cap);
    fl->name = ident(P, &fl->pos);
    expect(P, ':', "`:`");
    fl->type = type(P);
    for (size_t i = 0; i + 1 < f->nparams; i++)
      if (strcmp(f->params[i].name, fl->name) == 0)
        wit_fail(P->c, fl->pos, "duplicate parameter `%s`", fl->name);
    if (!accept(P, ',')) break;
  }
  expect(P, ')', "`)`");
}

static void results(parser *P, wit_func *f) {
  if (accept(P, T_ARROW)) {
    if (peek(P)->kind == '(') wit_fail(P->c, peek(P)->pos, "not supported: named results (`-> (name: type, ...)`)");
    f->result = type(P);
  }
}

/* `async? func(...) -> T` after `name:` */
static void functype(parser *P, wit_func *f) {
  if (accept_kw(P, "async")) f->async = true;
  expect_kw(P, "func");
  params(P, f);
  results(P, f);
}

/* ---------- definitions --------------------------------------------------------------- */

static void add_def(parser *P, wit_iface *in, wit_def *d) {
  d->owner = in;
  *WIT_PUSH(P->c, in->defs, in->ndefs, in->capdefs) = d;
}

static void fields_block(parser *P, wit_def *d, bool typed, bool payload_optional, const char *what) {
  tok open = expect(P, '{', "`{`");
  size_t cap = 0;
  while (peek(P)->kind != '}') {
    wit_field *fl = WIT_PUSH(P->c, d->fields, d->nfields, cap);
    gates(P, &fl->gates, &fl->docs);
    fl->name = ident(P, &fl->pos);
    if (typed && !payload_optional) {
      expect(P, ':', "`:`");
      fl->type = type(P);
    } else if (payload_optional && accept(P, '(')) {
      fl->type = type(P);
      expect(P, ')', "`)`");
    }
    for (size_t i = 0; i + 1 < d->nfields; i++)
      if (strcmp(d->fields[i].name, fl->name) == 0)
        wit_fail(P->c, fl->pos, "duplicate %s `%s` in `%s`", what, fl->name, d->name);
    if (!accept(P, ',')) break;
  }
  expect(P, '}', "`}`");
  if (d->nfields == 0) wit_fail(P->c, open.pos, "`%s` needs at least one %s", d->name, what);
}

static void resource_body(parser *P, wit_def *d) {
  if (accept(P, ';')) return;
  expect(P, '{', "`{` or `;`");
  size_t cap = 0;
  bool has_ctor = false;
  while (!accept(P, '}')) {
    wit_func *f = WIT_PUSH(P->c, d->funcs, d->nfuncs, cap);
    gates(P, &f->gates, &f->docs);
    if (is_kw(peek(P), "constructor")) {
      tok ct = next(P);
      if (has_ctor) wit_fail(P->c, ct.pos, "resource `%s` has more than one constructor", d->name);
      has_ctor = true;
      f->name = "constructor";
      f->pos = ct.pos;
      f->kind = WIT_FUNC_CONSTRUCTOR;
      params(P, f);
      results(P, f);
    } else {
      f->name = ident(P, &f->pos);
      expect(P, ':', "`:`");
      f->kind = accept_kw(P, "static") ? WIT_FUNC_STATIC : WIT_FUNC_METHOD;
      functype(P, f);
    }
    expect(P, ';', "`;`");
    for (size_t i = 0; i + 1 < d->nfuncs; i++)
      if (strcmp(d->funcs[i].name, f->name) == 0)
        wit_fail(P->c, f->pos, "duplicate function `%s` in resource `%s`", f->name, d->name);
  }
}

/* A type definition starting with keyword `kw` (already peeked); false when `kw` does not
 * start one. */
static bool typedef_item(parser *P, wit_iface *in, const char *docs, wit_gates g) {
  tok *t = peek(P);
  wit_dkind k;
  if (is_kw(t, "record")) k = WIT_D_RECORD;
  else if (is_kw(t, "variant")) k = WIT_D_VARIANT;
  else if (is_kw(t, "enum")) k = WIT_D_ENUM;
  else if (is_kw(t, "flags")) k = WIT_D_FLAGS;
  else if (is_kw(t, "resource")) k = WIT_D_RESOURCE;
  else if (is_kw(t, "type")) k = WIT_D_ALIAS;
  else return false;
  next(P);
  wit_def *d = wit_alloc(P->c, sizeof *d);
  d->kind = k;
  d->docs = docs;
  d->gates = g;
  d->name = ident(P, &d->pos);
  switch (k) {
  case WIT_D_RECORD: fields_block(P, d, true, false, "field"); break;
  case WIT_D_VARIANT: fields_block(P, d, true, true, "case"); break;
  case WIT_D_ENUM: fields_block(P, d, false, false, "case"); break;
  case WIT_D_FLAGS: fields_block(P, d, false, false, "flag"); break;
  case WIT_D_RESOURCE: resource_body(P, d); break;
  default:
    expect(P, '=', "`=`");
    d->alias = type(P);
    expect(P, ';', "`;`");
    break;
  }
  add_def(P, in, d);
  return true;
}

/* `name` or `ns:pkg/name@version` */
static void path(parser *P, wit_path *pa) {
  memset(pa, 0, sizeof *pa);
  wit_pos pos;
  const char *first = ident(P, &pos);
  pa->pos = pos;
  if (peek(P)->kind == ':') {
    next(P);
    pa->ns = first;
    pa->pkg = ident(P, NULL);
    expect(P, '/', "`/`");
    pa->name = ident(P, NULL);
    if (peek(P)->kind == '@') {
      next(P);
      if (P->have) unexpected(P, peek(P), "a version");
      pa->version = version(P);
    }
  } else {
    pa->name = first;
  }
}

static void use_item(parser *P, wit_iface *in, wit_gates g) {
  tok u = next(P); /* `use` */
  wit_use *use = wit_alloc(P->c, sizeof *use);
  use->pos = u.pos;
  use->gates = g;
  path(P, &use->path);
  expect(P, '.', "`.`");
  expect(P, '{', "`{`");
  size_t cap = 0;
  while (peek(P)->kind != '}') {
    wit_use_name *n = WIT_PUSH(P->c, use->names, use->nnames, cap);
    n->name = ident(P, &n->pos);
    if (accept_kw(P, "as")) n->as = ident(P, NULL);
    if (!accept(P, ',')) break;
  }
  tok close = expect(P, '}', "`}`");
  if (use->nnames == 0) wit_fail(P->c, close.pos, "`use` needs at least one name");
  expect(P, ';', "`;`");
  *WIT_PUSH(P->c, in->uses, in->nuses, in->capuses) = *use;
  for (size_t i = 0; i < use->nnames; i++) {
    wit_def *d = wit_alloc(P->c, sizeof *d);
    d->kind = WIT_D_USE;
    d->name = use->names[i].as ? use->names[i].as : use->names[i].name;
    d->orig = use->names[i].name;
    d->pos = use->names[i].pos;
    d->gates = g;
    add_def(P, in, d);
  }
}

static void iface_body(parser *P, wit_iface *in) {
  expect(P, '{', "`{`");
  while (!accept(P, '}')) {
    wit_gates g;
    const char *docs;
    gates(P, &g, &docs);
    tok *t = peek(P);
    if (is_kw(t, "use")) {
      use_item(P, in, g);
    } else if (typedef_item(P, in, docs, g)) {
    } else if (t->kind == T_ID) {
      wit_func *f = WIT_PUSH(P->c, in->funcs, in->nfuncs, in->capfuncs);
      f->docs = docs;
      f->gates = g;
      f->name = ident(P, &f->pos);
      expect(P, ':', "`:`");
      functype(P, f);
      expect(P, ';', "`;`");
    } else {
      unexpected(P, t, "`use`, a type definition or a function");
    }
  }
}

static wit_iface *new_iface(parser *P, wit_pkg *pkg) {
  wit_iface *in = wit_alloc(P->c, sizeof *in);
  in->pkg = pkg;
  in->file = P->wf;
  return in;
}

static void world_body(parser *P, wit_world *w) {
  expect(P, '{', "`{`");
  while (!accept(P, '}')) {
    wit_gates g;
    const char *docs;
    gates(P, &g, &docs);
    tok *t = peek(P);
    if (is_kw(t, "use")) {
      use_item(P, &w->scope, g);
    } else if (typedef_item(P, &w->scope, docs, g)) {
    } else if (is_kw(t, "import") || is_kw(t, "export")) {
      tok kw = next(P);
      wit_witem *it = WIT_PUSH(P->c, w->items, w->nitems, w->capitems);
      it->dir = is_kw(&kw, "import") ? WIT_IMPORT : WIT_EXPORT;
      it->docs = docs;
      it->gates = g;
      it->pos = peek(P)->pos;
      /* `name: func`, `name: async func`, `name: interface { }` or a path */
      tok first = *peek(P);
      if (first.kind != T_ID) unexpected(P, &first, "a name or an interface path");
      const char *save_p = P->p, *save_ls = P->line_start;
      int save_line = P->line;
      tok save_t = P->t;
      next(P);
      bool named = false;
      if (accept(P, ':')) {
        tok *n = peek(P);
        named = is_kw(n, "func") || is_kw(n, "async") || is_kw(n, "interface");
      }
      /* rewind to the first token */
      P->p = save_p;
      P->line_start = save_ls;
      P->line = save_line;
      P->t = save_t;
      P->have = true;
      if (named) {
        it->name = ident(P, &it->pos);
        expect(P, ':', "`:`");
        if (accept_kw(P, "interface")) {
          it->kind = WIT_ITEM_INLINE;
          it->iface = new_iface(P, w->pkg);
          it->iface->pos = it->pos;
          iface_body(P, it->iface);
          accept(P, ';');
        } else {
          it->kind = WIT_ITEM_FUNC;
          it->func = wit_alloc(P->c, sizeof *it->func);
          it->func->name = it->name;
          it->func->pos = it->pos;
          it->func->docs = docs;
          it->func->gates = g;
          functype(P, it->func);
          expect(P, ';', "`;`");
        }
      } else {
        it->kind = WIT_ITEM_IFACE;
        path(P, &it->path);
        it->pos = it->path.pos;
        expect(P, ';', "`;`");
      }
    } else if (is_kw(t, "include")) {
      tok kw = next(P);
      wit_include *inc = WIT_PUSH(P->c, w->includes, w->nincludes, w->capincludes);
      inc->pos = kw.pos;
      inc->gates = g;
      path(P, &inc->path);
      if (accept_kw(P, "with")) {
        expect(P, '{', "`{`");
        size_t cap = 0;
        while (peek(P)->kind != '}') {
          wit_include_name *n = WIT_PUSH(P->c, inc->names, inc->nnames, cap);
          n->from = ident(P, &n->pos);
          expect_kw(P, "as");
          n->to = ident(P, NULL);
          if (!accept(P, ',')) break;
        }
        expect(P, '}', "`}`");
        accept(P, ';');
      } else {
        expect(P, ';', "`;`");
      }
    } else {
      unexpected(P, t, "`use`, a type definition, `import`, `export` or `include`");
    }
  }
}

/* ---------- packages and files -------------------------------------------------------- */

static void pkg_name(parser *P, wit_pkg *p) {
  p->ns = ident(P, &p->pos);
  expect(P, ':', "`:`");
  p->name = ident(P, NULL);
  if (peek(P)->kind == '@') {
    next(P);
    if (P->have) unexpected(P, peek(P), "a version");
    p->version = version(P);
  }
}

static bool same_str(const char *a, const char *b) {
  return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void pkg_item(parser *P, wit_pkg *pkg, bool nested_allowed) {
  wit_gates g;
  const char *docs;
  gates(P, &g, &docs);
  tok *t = peek(P);
  if (is_kw(t, "interface")) {
    next(P);
    wit_iface *in = new_iface(P, pkg);
    in->docs = docs;
    in->gates = g;
    in->name = ident(P, &in->pos);
    iface_body(P, in);
    *WIT_PUSH(P->c, pkg->ifaces, pkg->nifaces, pkg->capifaces) = in;
  } else if (is_kw(t, "world")) {
    next(P);
    wit_world *w = wit_alloc(P->c, sizeof *w);
    w->pkg = pkg;
    w->docs = docs;
    w->gates = g;
    w->name = ident(P, &w->pos);
    w->scope.pkg = pkg;
    w->scope.file = P->wf;
    w->scope.name = w->name;
    w->scope.pos = w->pos;
    world_body(P, w);
    *WIT_PUSH(P->c, pkg->worlds, pkg->nworlds, pkg->capworlds) = w;
  } else if (nested_allowed && is_kw(t, "use")) {
    tok u = next(P);
    wit_use *use = WIT_PUSH(P->c, P->wf->uses, P->wf->nuses, P->wf->capuses);
    use->pos = u.pos;
    use->gates = g;
    path(P, &use->path);
    use->names = wit_alloc(P->c, sizeof *use->names);
    use->nnames = 1;
    use->names[0].pos = use->path.pos;
    use->names[0].name = use->path.name;
    if (accept_kw(P, "as")) use->names[0].name = ident(P, &use->names[0].pos);
    expect(P, ';', "`;`");
  } else if (nested_allowed && is_kw(t, "package")) {
    tok kw = next(P);
    wit_pkg *np = wit_alloc(P->c, sizeof *np);
    np->docs = docs;
    pkg_name(P, np);
    if (peek(P)->kind == ';') wit_fail(P->c, kw.pos, "the `package` header must come first in the file");
    expect(P, '{', "`{`");
    np->is_main = false;
    while (!accept(P, '}')) {
      if (peek(P)->kind == T_EOF) unexpected(P, peek(P), "`}`");
      pkg_item(P, np, false);
    }
    *WIT_PUSH(P->c, P->c->s->pkgs, P->c->s->npkgs, P->c->s->cappkgs) = np;
  } else {
    unexpected(P, t, nested_allowed ? "`interface`, `world`, `use` or `package`" : "`interface` or `world`");
  }
}

void wit_parse_file(wit_ctx *c, const char *fname, const char *text, size_t len, wit_pkg *pkg,
                    bool *had_header) {
  parser P;
  memset(&P, 0, sizeof P);
  P.c = c;
  P.file = fname;
  P.src = P.p = P.line_start = text;
  P.end = text + len;
  P.line = 1;
  P.pkg = pkg;
  P.wf = wit_alloc(c, sizeof *P.wf);
  P.wf->name = fname;
  *had_header = false;
  if (!util_utf8_valid((const uint8_t *)text, len)) {
    wit_pos pos = {fname, 1, 1};
    wit_fail(c, pos, "the file is not valid UTF-8");
  }
  if (memchr(text, 0, len)) {
    const char *z = memchr(text, 0, len);
    int line = 1;
    const char *ls = text;
    for (const char *q = text; q < z; q++)
      if (*q == '\n') {
        line++;
        ls = q + 1;
      }
    wit_pos pos = {fname, line, (int)(z - ls) + 1};
    wit_fail(c, pos, "unexpected byte 0x00");
  }
  /* the package header: docs and `package ns:name@v;` before everything else */
  {
    const char *sp = P.p;
    int sl = P.line;
    const char *sls = P.line_start;
    wit_gates g;
    const char *docs;
    gates(&P, &g, &docs);
    tok *t = peek(&P);
    if (is_kw(t, "package") && g.n == 0) {
      /* header or a nested package: look past the name */
      const char *save_p = P.p, *save_ls = P.line_start;
      int save_line = P.line;
      tok save_t = P.t;
      next(&P);
      wit_pkg tmp;
      memset(&tmp, 0, sizeof tmp);
      pkg_name(&P, &tmp);
      if (accept(&P, ';')) {
        *had_header = true;
        if (pkg->ns && !(same_str(pkg->ns, tmp.ns) && same_str(pkg->name, tmp.name) &&
                         same_str(pkg->version, tmp.version)))
          wit_fail(c, tmp.pos, "package `%s:%s%s%s` differs from the `%s:%s%s%s` another file of the directory names",
                   tmp.ns, tmp.name, tmp.version ? "@" : "", tmp.version ? tmp.version : "", pkg->ns,
                   pkg->name, pkg->version ? "@" : "", pkg->version ? pkg->version : "");
        if (!pkg->ns) {
          pkg->ns = tmp.ns;
          pkg->name = tmp.name;
          pkg->version = tmp.version;
          pkg->pos = tmp.pos;
        }
        if (docs) pkg->docs = docs;
      } else {
        P.p = save_p;
        P.line_start = save_ls;
        P.line = save_line;
        P.t = save_t;
        P.have = true;
        /* keep the docs for the nested package */
        P.t.docs = docs;
      }
    } else if (!P.have || g.n) {
      /* gates read: rewind to the start so the item reads them again */
      P.p = sp;
      P.line = sl;
      P.line_start = sls;
      P.have = false;
      P.doclen = 0;
    } else {
      P.t.docs = docs;
    }
  }
  while (peek(&P)->kind != T_EOF) pkg_item(&P, pkg, true);
}

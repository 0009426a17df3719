/* Private to src/text: tokens, the lexer, numeric literals, byte buffers, name maps. */
#ifndef WELD_TEXT_INTERNAL_H
#define WELD_TEXT_INTERNAL_H

#include "text.h"

typedef enum {
  TOK_EOF,
  TOK_LPAR,
  TOK_RPAR,
  TOK_KEYWORD,  /* starts with a-z: keywords, instruction names, offset=/align= */
  TOK_ID,       /* $name */
  TOK_NUM,      /* starts with a digit, + or - (numbers; checked when used) */
  TOK_STRING,
  TOK_RESERVED, /* any other run of id characters and strings */
  TOK_STRAY,    /* a `)` without its `(`: an error where the parser meets it */
} text_tok_kind;

typedef struct text_token {
  uint8_t kind;
  uint32_t start, len; /* in the source */
  uint32_t line, col;
  uint32_t match;      /* LPAR: index of the matching RPAR */
  /* TOK_ID: the identifier as compared, with its `$`: the source text for `$abc`, the
   * decoded string for a quoted `$"..."` (so `$"abc"` and `$abc` are one name). */
  const char *id;
  uint32_t idlen;
} text_token;

typedef struct text_lexed {
  const char *src;
  size_t len;
  text_token *toks; /* ends with one TOK_EOF */
  size_t ntoks;
  char *ids;        /* decoded quoted identifiers, which tokens' `id` point into */
} text_lexed;

/* Splits src into tokens and pairs the parentheses. Errors are MALFORMED with a line. */
bool text_lex(const char *src, size_t len, text_lexed *out, util_error *err);
/* Only the first `max` tokens (fewer when the text ends first: then the last is TOK_EOF),
 * each exactly as text_lex makes it; parentheses are not paired (no `match`, and an
 * unclosed one is no error). False for an error within those tokens, which text_lex
 * reports too. */
bool text_lex_first(const char *src, size_t len, size_t max, text_lexed *out, util_error *err);
void text_lexed_free(text_lexed *lx);

/* Growable byte buffer (util_buf: on running out of memory `oom` is set and stays set;
 * text_buf_append carries it over to the buffer appended to). */
typedef util_buf text_buf;

void text_buf_byte(text_buf *b, uint8_t v);
void text_buf_bytes(text_buf *b, const void *p, size_t n);
void text_buf_append(text_buf *b, const text_buf *from); /* from's bytes, and its oom */
void text_buf_u32(text_buf *b, uint32_t v);
void text_buf_u64(text_buf *b, uint64_t v);
void text_buf_s32(text_buf *b, int32_t v);
void text_buf_s64(text_buf *b, int64_t v);
void text_buf_free(text_buf *b);

/* Decodes a string token's contents (escapes) into b; false on a bad escape (b->oom
 * tells whether it ran out of memory). */
bool text_string_decode(const char *tok, size_t len, text_buf *b);

/* Numeric literals, exactly as the spec's lexical rules define them. Each returns false
 * when the token is not such a literal (syntax) and sets *range when it is one but out of
 * range. The float readers copy literals longer than 127 characters to the heap: when
 * that runs out of memory they return false with *range set (TEXT_NUM_OOM). */
#define TEXT_NUM_OOM(ok, range) (!(ok) && (range))
bool text_parse_nat(const char *s, size_t n, uint64_t *out, bool *range);  /* u64 range */
bool text_parse_int(const char *s, size_t n, unsigned bits, uint64_t *out, bool *range);
bool text_parse_f32(const char *s, size_t n, uint32_t *out, bool *range);
bool text_parse_f64(const char *s, size_t n, uint64_t *out, bool *range);

/* Map from names (byte strings) to indices; linear time overall. */
typedef struct text_namemap {
  struct text_name_slot *slots;
  size_t cap, count;
  bool oom; /* a text_names_add failed for want of memory (stays set) */
} text_namemap;

/* Returns false when the name is already present, or when growing the map runs out of
 * memory (then m->oom is set and the map is unchanged). */
bool text_names_add(text_namemap *m, const char *s, uint32_t len, uint32_t index);
bool text_names_get(const text_namemap *m, const char *s, uint32_t len, uint32_t *index);
void text_names_clear(text_namemap *m);
void text_names_free(text_namemap *m);

/* Instruction names to internal opcodes (src/wasm/opcodes.def); -1 when unknown. */
int text_opcode_by_name(const char *s, size_t n);



/* The module reader (wat.c). text_wat_encode reads a whole text (a module or bare module
 * fields); text_encode_module the `(module ...)` whose `(` is token lpar. */
bool text_wat_encode(const char *src, size_t len, text_buf *out, util_error *err);
bool text_encode_module(const char *src, const text_token *toks, size_t lpar, text_buf *out, util_error *err);
/* The same under a feature set (src/wasm/module.h's WASM_FEATURE_*): without memory64 a
 * memarg offset beyond u32 is "i32 constant out of range", as in 2.0's grammar. */
bool text_wat_encode_features(const char *src, size_t len, uint32_t features, text_buf *out, util_error *err);
bool text_encode_module_features(const char *src, const text_token *toks, size_t lpar, uint32_t features,
                                 text_buf *out, util_error *err);
/* The fields between tokens start and end (a `)`) as one module, named module_id (or
 * NULL): the component reader's `(core module ...)`. */
bool text_encode_module_fields(const char *src, const text_token *toks, size_t start, size_t end,
                               const text_token *module_id, uint32_t features, text_buf *out, util_error *err);
/* Decoded string tokens from *pos up to end, appended to out (`binary` and `quote` forms). */
bool text_concat_strings(const char *src, const text_token *toks, size_t *pos, size_t end, text_buf *out,
                         util_error *err);

/* The later proposal (src/wasm/proposals.h) that keyword token k belongs to, or
 * WASM_PROPOSAL_NONE (an int, to keep that header out of here); `lo`: the first token
 * that may enclose it. */
int text_token_proposal(const char *src, const text_token *toks, size_t k, size_t lo);

/* The component reader (wat_component.c): the `(component ...)` whose `(` is token lpar
 * (also its `definition $id? binary|quote` script forms) to the component binary. */
bool text_encode_component(const char *src, const text_token *toks, size_t lpar, text_buf *out, util_error *err);
/* A whole text: `(component ...)` or bare component fields. */
bool text_component_encode(const char *src, size_t len, text_buf *out, util_error *err);
#endif

/* The component values of the component model's scripts (src/text's wast_cval): every
 * form the suite writes, read into a tree with decoded strings and checked ranges, each
 * kind of bad input refused with a line:col, and the WAVE text src/wast writes for them
 * (src/wast/component.c), which the runtime's WAVE reader parses against a type. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/internal.h"
#include "component/runtime.h"
#include "text/wast.h"
#include "unit.h"
#include "wast/component.h"

/* The first argument of the script's first command, "(assert_return (invoke "f" ARG))". */
static wast_script *one(const char *arg, const wast_value **v) {
  char src[2048];
  snprintf(src, sizeof src, "(assert_return (invoke \"f\" %s))", arg);
  util_error err;
  wast_script *s = text_wast_parse(src, strlen(src), &err);
  *v = s && s->ncmds == 1 && s->cmds[0].action.nargs == 1 ? &s->cmds[0].action.args[0] : NULL;
  return s;
}

/* The WAVE text of a script value, or "error: MESSAGE (line:col)". */
static const char *wave(const char *arg) {
  static char out[512];
  const wast_value *v;
  char src[2048];
  snprintf(src, sizeof src, "(assert_return (invoke \"f\" %s))", arg);
  util_error err;
  wast_script *s = text_wast_parse(src, strlen(src), &err);
  if (!s) {
    snprintf(out, sizeof out, "error: %s (%d:%d)", err.msg, err.line, err.col);
    return out;
  }
  v = &s->cmds[0].action.args[0];
  if (v->kind != WAST_V_COMPONENT || !v->comp) {
    snprintf(out, sizeof out, "not a component value");
  } else {
    text_buf b = {0};
    wast_comp_cval_wave(&b, v->comp);
    snprintf(out, sizeof out, "%.*s", (int)b.len, b.p ? (const char *)b.p : "");
    text_buf_free(&b);
  }
  text_wast_free(s);
  return out;
}

#define WAVE(arg, want) CHECK_STR(wave(arg), want)
#define REFUSED(arg, msg) CHECK_PREFIX(wave(arg), "error: " msg)

UNIT_GROUP(wast_cval) {
  const wast_value *v;
  wast_script *s;

  /* the tree: integers sign-extended, ranges per type */
  s = one("(s8.const -128)", &v);
  CHECK(v && v->kind == WAST_V_COMPONENT && v->comp && v->comp->kind == WAST_CV_S8);
  if (v && v->comp) CHECK_EQ_U64(v->comp->bits, (uint64_t)-128);
  text_wast_free(s);
  s = one("(u64.const 18446744073709551615)", &v);
  CHECK(v && v->comp && v->comp->kind == WAST_CV_U64 && v->comp->bits == UINT64_MAX);
  text_wast_free(s);
  s = one("(u32.const 0xffff_ffff)", &v);
  CHECK(v && v->comp && v->comp->kind == WAST_CV_U32 && v->comp->bits == 0xffffffffu);
  text_wast_free(s);

  /* strings decoded, chars as scalar values */
  s = one("(str.const \"a\\n\\u{1F370}\")", &v);
  CHECK(v && v->comp && v->comp->kind == WAST_CV_STRING && v->comp->str.len == 6 &&
        memcmp(v->comp->str.s, "a\n\xf0\x9f\x8d\xb0", 6) == 0);
  text_wast_free(s);
  s = one("(char.const \"\xe2\x9b\xb3\")", &v);
  CHECK(v && v->comp && v->comp->kind == WAST_CV_CHAR && v->comp->bits == 0x26f3);
  text_wast_free(s);

  /* records: fields bare or parenthesised */
  s = one("(record.const (field \"s\" str.const \"v=\") (field \"n\" (u32.const 7)))", &v);
  CHECK(v && v->comp && v->comp->kind == WAST_CV_RECORD && v->comp->n == 2);
  if (v && v->comp && v->comp->n == 2) {
    CHECK(v->comp->labels[0].len == 1 && v->comp->labels[0].s[0] == 's');
    CHECK(v->comp->items[0].kind == WAST_CV_STRING && v->comp->items[1].kind == WAST_CV_U32 && v->comp->items[1].bits == 7);
  }
  text_wast_free(s);

  /* payloads */
  s = one("(result.err (u32.const 404))", &v);
  CHECK(v && v->comp && v->comp->kind == WAST_CV_RESULT && v->comp->err && v->comp->n == 1);
  text_wast_free(s);
  s = one("(result.ok)", &v);
  CHECK(v && v->comp && v->comp->kind == WAST_CV_RESULT && !v->comp->err && v->comp->n == 0);
  text_wast_free(s);

  /* top-level floats stay core values (the runner takes them as float32/float64) */
  s = one("(f32.const 1.5)", &v);
  CHECK(v && v->kind == WAST_V_F32 && v->u.i32 == 0x3fc00000u);
  text_wast_free(s);

  /* results may hold NaN patterns inside component values */
  {
    const char *src = "(assert_return (invoke \"f\") (list.const (f64.const nan:canonical) (f64.const -0)))";
    util_error err;
    s = text_wast_parse(src, strlen(src), &err);
    CHECK(s && s->cmds[0].nresults == 1);
    if (s && s->cmds[0].nresults == 1) {
      const wast_cval *l = s->cmds[0].results[0].comp;
      CHECK(l && l->n == 2 && l->items[0].nan == WAST_NAN_CANONICAL && l->items[1].bits == 0x8000000000000000ull);
    }
    text_wast_free(s);
  }

  /* forms whose contents are not read are kept without a tree */
  s = one("(option.const whatever 1 2)", &v);
  CHECK(v && v->kind == WAST_V_COMPONENT && !v->comp);
  text_wast_free(s);

  /* WAVE */
  WAVE("(bool.const true)", "true");
  WAVE("(s16.const -32768)", "-32768");
  WAVE("(u8.const 255)", "255");
  WAVE("(s64.const -14)", "-14");
  WAVE("(char.const \"A\")", "'\\u{41}'");
  WAVE("(str.const \"say \\\"hi\\\"\\\\\\t\")", "\"say \\\"hi\\\"\\\\\\u{9}\"");
  WAVE("(list.const (u32.const 1) (u32.const 2))", "[1, 2]");
  WAVE("(list.const)", "[]");
  WAVE("(tuple.const (str.const \"x\") (bool.const false))", "(\"x\", false)");
  WAVE("(record.const (field \"name\" str.const \"p\") (field \"scores\" list.const (u32.const 10)))",
       "{%name: \"p\", %scores: [10]}");
  WAVE("(variant.const \"n\" (u32.const 99))", "%n(99)");
  WAVE("(variant.const \"none\")", "%none");
  WAVE("(enum.const \"red\")", "%red");
  WAVE("(flags.const \"a\" \"c\")", "{%a, %c}");
  WAVE("(flags.const)", "{}");
  WAVE("(option.none)", "none");
  WAVE("(option.some (tuple.const (str.const \"n=\") (u32.const 7)))", "some((\"n=\", 7))");
  WAVE("(result.ok (str.const \"yo\"))", "ok(\"yo\")");
  WAVE("(result.err)", "err");
  WAVE("(list.const (f32.const 0x1p-149) (f32.const -inf) (f64.const 45.5) (f32.const nan))",
       "[1.4012984643248171e-45, -inf, 45.5, nan]");

  /* refused */
  REFUSED("(u8.const 256)", "constant out of range (1:38)");
  REFUSED("(u8.const -1)", "constant out of range");
  REFUSED("(s8.const 128)", "constant out of range");
  REFUSED("(s8.const -129)", "constant out of range");
  REFUSED("(u32.const 1.5)", "unknown operator");
  REFUSED("(u32.const)", "unexpected token");
  REFUSED("(bool.const yes)", "unexpected token");
  REFUSED("(char.const \"ab\")", "a char.const needs exactly one character");
  REFUSED("(char.const \"\")", "a char.const needs exactly one character");
  REFUSED("(str.const \"\\ff\")", "malformed UTF-8 encoding");
  REFUSED("(record.const (u32.const 1))", "unexpected token");
  REFUSED("(record.const (field \"a\" i32.const 1))", "unexpected token");
  REFUSED("(list.const (i32.const 1))", "unexpected token");
  REFUSED("(option.some)", "unexpected token");
  REFUSED("(variant.const red)", "unexpected token");
  REFUSED("(enum.const \"a\" \"b\")", "unexpected token");

  /* nesting is bounded, not a stack overflow */
  {
    char deep[4000] = "";
    for (int i = 0; i < 150; i++) strcat(deep, "(list.const ");
    for (int i = 0; i < 150; i++) strcat(deep, ")");
    REFUSED(deep, "nesting too deep");
  }
}

/* The WAVE text reads back against the types it is meant for. */
UNIT_GROUP(wast_cval_wave_types) {
  util_arena arena;
  util_arena_init(&arena);
  comp_val out;
  util_error err;
  const char *text = wave("(list.const (f32.const 0x1p-149) (f32.const 3.4028235e38))");
  comp_ctype *f32 = util_arena_alloc(&arena, sizeof *f32);
  memset(f32, 0, sizeof *f32);
  f32->kind = CT_PRIM;
  f32->prim = COMP_T_F32;
  comp_ctype *list = util_arena_alloc(&arena, sizeof *list);
  memset(list, 0, sizeof *list);
  list->kind = CT_LIST;
  list->a = f32;
  CHECK(comp_wave_parse(list, text, strlen(text), &arena, &out, &err));
  if (out.u.seq.n == 2) {
    float a = out.u.seq.v[0].u.f32, b = out.u.seq.v[1].u.f32;
    uint32_t ab, bb;
    memcpy(&ab, &a, 4);
    memcpy(&bb, &b, 4);
    CHECK_EQ_U64(ab, 1);          /* the smallest subnormal, exactly */
    CHECK_EQ_U64(bb, 0x7f7fffffu); /* the largest float, exactly */
  }
  comp_ctype *chr = util_arena_alloc(&arena, sizeof *chr);
  memset(chr, 0, sizeof *chr);
  chr->kind = CT_PRIM;
  chr->prim = COMP_T_CHAR;
  text = wave("(char.const \"\xf0\x9f\x8d\xb0\")");
  CHECK(comp_wave_parse(chr, text, strlen(text), &arena, &out, &err) && out.u.c == 0x1f370);
  util_arena_free(&arena);
}

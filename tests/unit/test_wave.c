/* WAVE, the value notation of `weld run --invoke` on components: values parsed against
 * a type and printed back in WAVE's canonical form (the forms of the WAVE description:
 * `%` before keyword labels, record fields that are none left out, flags in type order,
 * floats with the fewest digits), and every kind of bad input rejected with a message
 * and a column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/internal.h"
#include "component/runtime.h"
#include "unit.h"

static util_arena arena;

static wasm_name nm(const char *s) { return (wasm_name){s, (uint32_t)strlen(s)}; }

static comp_ctype *mk(int kind) {
  comp_ctype *t = util_arena_alloc(&arena, sizeof *t);
  t->kind = (uint8_t)kind;
  return t;
}

static const comp_ctype *labelled(int kind, uint32_t n, const char *const *names, const comp_ctype *const *elems) {
  comp_ctype *t = mk(kind);
  wasm_name *ns = util_arena_alloc(&arena, (n + 1) * sizeof *ns);
  const comp_ctype **es = elems ? util_arena_alloc(&arena, (n + 1) * sizeof *es) : NULL;
  for (uint32_t i = 0; i < n; i++) {
    ns[i] = nm(names[i]);
    if (es) es[i] = elems[i];
  }
  t->n = n;
  t->names = ns;
  t->elems = es;
  ct_layout(t);
  return t;
}

static const comp_ctype *one(int kind, const comp_ctype *a, const comp_ctype *b) {
  comp_ctype *t = mk(kind);
  t->a = a;
  t->b = b;
  ct_layout(t);
  return t;
}

static const comp_ctype *tuple(uint32_t n, const comp_ctype *const *elems) {
  comp_ctype *t = mk(CT_TUPLE);
  const comp_ctype **es = util_arena_alloc(&arena, (n + 1) * sizeof *es);
  for (uint32_t i = 0; i < n; i++) es[i] = elems[i];
  t->n = n;
  t->elems = es;
  ct_layout(t);
  return t;
}

/* parse text as t and print it: the printed text, or "error: MESSAGE" */
static const char *reprint(const comp_ctype *t, const char *text) {
  static char buf[512];
  comp_val v;
  util_error err;
  if (!comp_wave_parse(t, text, strlen(text), &arena, &v, &err)) {
    snprintf(buf, sizeof buf, "error: %s", err.msg);
    return buf;
  }
  FILE *f = fmemopen(buf, sizeof buf, "w");
  comp_wave_print(f, t, &v);
  fclose(f);
  return buf;
}

#define ROUND(t, text, want) CHECK_STR(reprint((t), (text)), (want))
#define REJECT(t, text, part)                                                              \
  do {                                                                                     \
    const char *got_ = reprint((t), (text));                                                 \
    unit_check(strncmp(got_, "error: value: ", 14) == 0 && strstr(got_, (part)) && strstr(got_, " at column "), \
               __FILE__, __LINE__, "%s rejected with \"%s\" (got \"%s\")", (text), (part), got_); \
  } while (0)

UNIT_GROUP(wave) {
  util_arena_init(&arena);
  const comp_ctype *u8 = ct_prim(COMP_T_U8), *s8 = ct_prim(COMP_T_S8), *u32 = ct_prim(COMP_T_U32),
                   *s64 = ct_prim(COMP_T_S64), *u64 = ct_prim(COMP_T_U64), *f32 = ct_prim(COMP_T_F32),
                   *f64 = ct_prim(COMP_T_F64), *ch = ct_prim(COMP_T_CHAR), *str = ct_prim(COMP_T_STRING),
                   *bl = ct_prim(COMP_T_BOOL);

  /* integers: decimal, range-checked */
  ROUND(u8, "42", "42");
  ROUND(u8, " 255 ", "255");
  ROUND(s8, "-128", "-128");
  ROUND(s64, "-9223372036854775808", "-9223372036854775808");
  ROUND(u64, "18446744073709551615", "18446744073709551615");
  REJECT(u8, "256", "integer `256` out of range");
  REJECT(s8, "128", "out of range");
  REJECT(u32, "-1", "out of range");
  REJECT(u64, "18446744073709551616", "out of range");
  REJECT(u32, "0x10", "expected an integer");
  REJECT(u32, "1.5", "expected an integer");
  REJECT(u32, "", "expected a number");
  ROUND(bl, "true", "true");
  ROUND(bl, "false", "false");
  REJECT(bl, "yes", "expected `true` or `false`");

  /* floats: shortest digits, `.0` on whole numbers, exponents outside [1e-5, 1e16) */
  ROUND(f64, "1", "1.0");
  ROUND(f64, "0.1", "0.1");
  ROUND(f64, "-2.5", "-2.5");
  ROUND(f64, "1e-7", "1e-7");
  ROUND(f64, "0.00001", "0.00001");
  ROUND(f64, "1e16", "1e16");
  ROUND(f64, "123456789.125", "123456789.125");
  ROUND(f64, "5e-324", "5e-324");
  ROUND(f64, "-0.0", "-0.0");
  ROUND(f64, "nan", "nan");
  ROUND(f64, "-inf", "-inf");
  ROUND(f32, "3.4028235e38", "3.4028235e38");
  ROUND(f32, "0.1", "0.1");
  ROUND(f32, "16777217", "16777216.0");
  REJECT(f32, "1e39", "out of range");
  REJECT(f64, "1e400", "out of range");
  REJECT(f64, "infinity", "expected a number");
  REJECT(f64, ".", "expected a number");

  /* chars and strings */
  ROUND(ch, "'a'", "'a'");
  ROUND(ch, "'\\u{1F600}'", "'\xf0\x9f\x98\x80'");
  ROUND(ch, "'\\''", "'\\''");
  ROUND(ch, "'\"'", "'\"'");
  ROUND(ch, "'\\u{7}'", "'\\u{7}'");
  REJECT(ch, "'ab'", "one character");
  REJECT(ch, "''", "empty character");
  REJECT(ch, "'\\u{D800}'", "not a Unicode scalar value");
  REJECT(ch, "'\\u{110000}'", "not a Unicode scalar value");
  ROUND(str, "\"\"", "\"\"");
  ROUND(str, "\"a\\\"b\\\\c\\n\\t\"", "\"a\\\"b\\\\c\\n\\t\"");
  ROUND(str, "\"h\xc3\xa9\\u{e9}'\"", "\"h\xc3\xa9\xc3\xa9'\"");
  REJECT(str, "\"abc", "unterminated string");
  REJECT(str, "\"a\\qb\"", "unknown escape");
  REJECT(str, "\"\xff\"", "malformed UTF-8");
  REJECT(str, "abc", "expected `\"`");
  REJECT(str, "\"a\" x", "unexpected text after the value");

  /* lists, tuples */
  const comp_ctype *lu8 = one(CT_LIST, u8, NULL);
  ROUND(lu8, "[]", "[]");
  ROUND(lu8, "[1, 2,3,]", "[1, 2, 3]");
  REJECT(lu8, "[1 2]", "expected `,`");
  REJECT(lu8, "[1, 300]", "out of range");
  const comp_ctype *tu[2] = {u8, str};
  const comp_ctype *tup = tuple(2, tu);
  ROUND(tup, "(1, \"a\")", "(1, \"a\")");
  REJECT(tup, "(1)", "too few tuple elements");
  REJECT(tup, "(1, \"a\", 2)", "too many tuple elements");

  /* records: any field order, option fields may be left out, none fields not printed */
  const char *rn[2] = {"age", "nick"};
  const comp_ctype *re[2] = {u32, one(CT_OPTION, str, NULL)};
  const comp_ctype *rec = labelled(CT_RECORD, 2, rn, re);
  ROUND(rec, "{nick: some(\"x\"), age: 1}", "{age: 1, nick: some(\"x\")}");
  ROUND(rec, "{age: 1}", "{age: 1}");
  ROUND(rec, "{age: 1, nick: none}", "{age: 1}");
  REJECT(rec, "{}", "missing field `age`");
  REJECT(rec, "{age: 1, age: 2}", "field `age` given twice");
  REJECT(rec, "{size: 1}", "no field `size`");

  /* variants and enums, `%` for labels that are keywords */
  const char *vn[3] = {"circle", "none", "label"};
  const comp_ctype *ve[3] = {f64, NULL, str};
  const comp_ctype *var = labelled(CT_VARIANT, 3, vn, ve);
  ROUND(var, "circle(1.5)", "circle(1.5)");
  ROUND(var, "%none", "%none");
  ROUND(var, "none", "%none");
  ROUND(var, "%circle(2)", "circle(2.0)");
  REJECT(var, "circle", "needs a payload");
  REJECT(var, "none(1)", "has no payload");
  REJECT(var, "square(1)", "no case `square`");
  const char *en[2] = {"red", "ok"};
  const comp_ctype *enm = labelled(CT_ENUM, 2, en, NULL);
  ROUND(enm, "red", "red");
  ROUND(enm, "%ok", "%ok");
  REJECT(enm, "red(1)", "has no payload");

  /* options and results */
  const comp_ctype *oo = one(CT_OPTION, one(CT_OPTION, u8, NULL), NULL);
  ROUND(oo, "some(none)", "some(none)");
  ROUND(oo, "some(some(7))", "some(some(7))");
  ROUND(oo, "none", "none");
  REJECT(oo, "some", "needs a payload");
  REJECT(oo, "7", "expected `some(...)` or `none`");
  const comp_ctype *r1 = one(CT_RESULT, NULL, str);
  ROUND(r1, "ok", "ok");
  ROUND(r1, "err(\"e\")", "err(\"e\")");
  REJECT(r1, "ok(1)", "has no payload");
  const comp_ctype *r2 = one(CT_RESULT, u8, NULL);
  ROUND(r2, "err", "err");
  ROUND(r2, "ok(3)", "ok(3)");

  /* flags: printed in the type's order */
  const char *fn[3] = {"read", "write", "exec"};
  const comp_ctype *fl = labelled(CT_FLAGS, 3, fn, NULL);
  ROUND(fl, "{exec, read}", "{read, exec}");
  ROUND(fl, "{}", "{}");
  REJECT(fl, "{read, read}", "flag `read` given twice");
  REJECT(fl, "{delete}", "no flag `delete`");

  /* nesting has a limit, not a stack overflow */
  const comp_ctype *deep = lu8;
  for (int i = 0; i < 200; i++) deep = one(CT_LIST, deep, NULL);
  char text[700];
  memset(text, '[', 300);
  text[300] = 0;
  REJECT(deep, text, "nested too deeply");

  /* calls */
  const char *name;
  util_error err;
  CHECK(comp_wave_parse_call("  add ( 1, 2)", &name, &arena, &err));
  CHECK_STR(name, "add");
  CHECK(comp_wave_parse_call("wasi:cli/run@0.2.0#run()", &name, &arena, &err));
  CHECK_STR(name, "wasi:cli/run@0.2.0#run");
  CHECK(!comp_wave_parse_call("(1)", &name, &arena, &err));
  comp_ctype *ft = mk(CT_FUNC);
  const comp_ctype *params[2] = {u32, str};
  wasm_name pn[2] = {nm("a"), nm("b")};
  ft->n = 2;
  ft->elems = params;
  ft->names = pn;
  comp_val *args;
  CHECK(comp_wave_parse_args(ft, "f(7, \"x\")", &arena, &args, &err));
  CHECK_EQ_U64(args[0].u.u, 7);
  CHECK(args[1].u.str.len == 1 && args[1].u.str.s[0] == 'x');
  CHECK(!comp_wave_parse_args(ft, "f(7)", &arena, &args, &err) && strstr(err.msg, "too few arguments"));
  CHECK(!comp_wave_parse_args(ft, "f(7, \"x\", 1)", &arena, &args, &err) && strstr(err.msg, "too many arguments"));
  CHECK(!comp_wave_parse_args(ft, "f", &arena, &args, &err) && strstr(err.msg, "expected `(`"));
  CHECK(!comp_wave_parse_args(ft, "f(7, \"x\") x", &arena, &args, &err) && strstr(err.msg, "unexpected text"));
  util_arena_free(&arena);
}

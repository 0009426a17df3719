/* Conformance of the text reader: reads a spec script with weld's WAST parser and checks
 * each command against wast2json's conversion of the same script.
 *
 *   weld_text_test SCRIPT.wast SCRIPT.json
 *
 * - the two command lists agree (same kinds on the same lines);
 * - every module (also inside assert_invalid/unlinkable/uninstantiable/trap) encodes to
 *   the same bytes as wast2json's .wasm, custom sections aside, and `module` commands
 *   decode and validate;
 * - every assert_invalid module encodes, decodes and then fails validation;
 * - every text assert_malformed module is rejected by the reader or the decoder, with
 *   the script's message;
 * - binary assert_malformed modules encode to wast2json's bytes.
 * Prints FAIL lines and ends with `NAME: N passed, M failed`. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../spec/json.h"
#include "text/text.h"
#include "text/wast.h"
#include "wasm/module.h"

static unsigned passed, failed;
static const char *script_name;

static void failf(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("FAIL %s:%d: ", script_name, line);
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  failed++;
}

/* Drops custom sections (id 0) so the comparison is about the module itself. */
static void strip_custom(const uint8_t *b, size_t n, uint8_t **out, size_t *outn) {
  uint8_t *o = malloc(n ? n : 1);
  size_t k = 0;
  if (n < 8) { memcpy(o, b, n); *out = o; *outn = n; return; }
  memcpy(o, b, 8);
  k = 8;
  util_reader r = {b + 8, b + 8, b + n, 8};
  util_error e;
  util_error_clear(&e);
  while (!util_reader_eof(&r)) {
    const uint8_t *start = r.p;
    uint8_t id;
    uint32_t size;
    const uint8_t *body;
    if (!util_read_u8(&r, &id, &e) || !util_read_u32(&r, &size, &e) || !util_read_bytes(&r, size, &body, &e)) {
      memcpy(o + k, start, (size_t)(r.end - start));
      k += (size_t)(r.end - start);
      break;
    }
    if (id != 0) {
      memcpy(o + k, start, (size_t)(r.p - start));
      k += (size_t)(r.p - start);
    }
  }
  *out = o;
  *outn = k;
}

static bool same_module(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
  if (an == bn && memcmp(a, b, an) == 0) return true;
  uint8_t *x, *y;
  size_t xn, yn;
  strip_custom(a, an, &x, &xn);
  strip_custom(b, bn, &y, &yn);
  bool same = xn == yn && memcmp(x, y, xn) == 0;
  free(x);
  free(y);
  return same;
}

static size_t first_diff(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
  size_t i = 0;
  while (i < an && i < bn && a[i] == b[i]) i++;
  return i;
}

/* Modules wast2json writes differently from what their text means, so their bytes are
 * not compared: `select (result)` with no types is the typed select with zero types
 * (which validation rejects), but wast2json writes the untyped select. These must be
 * rejected by the validator with the script's message instead. */
static const struct {
  const char *wast;
  long line;
} wast2json_deviations[] = {{"select.wast", 324}};

static bool deviation(const json_value *j) {
  long line = json_get_long(j, "line", -1);
  for (size_t i = 0; i < sizeof wast2json_deviations / sizeof wast2json_deviations[0]; i++)
    if (wast2json_deviations[i].line == line && strcmp(wast2json_deviations[i].wast, script_name) == 0) return true;
  return false;
}

/* The rules the scripts are read under: 3.0's, or 2.0's with --standard 2.0 (the 2.0
 * suite asserts 2.0's restrictions). */
static uint32_t features = WASM_FEATURES_ALL;

static void check(const wast_script *s, const wast_command *c, const json_value *j, const char *dir) {
  const char *file = json_get_str(j, "filename");
  const char *mtype = json_get_str(j, "module_type");
  uint8_t *mine = NULL, *theirs = NULL;
  size_t mn = 0, tn = 0;
  util_error err;
  char path[4096];
  bool text_malformed = c->kind == WAST_ASSERT_MALFORMED && c->module.form != WAST_MOD_BINARY;
  bool encoded = text_wast_module_bytes_features(s, &c->module, features, &mine, &mn, &err);
  if (text_malformed) {
    bool rejected = !encoded;
    if (encoded) {
      util_error derr;
      wasm_module *m = wasm_decode_features(mine, mn, features, &derr);
      if (m) wasm_module_free(m);
      else { rejected = true; err = derr; }
    }
    if (!rejected) {
      failf(c->line, "assert_malformed: module accepted, expected \"%s\"", c->text);
    } else if (strncmp(err.msg, c->text, strlen(c->text)) != 0) {
      failf(c->line, "assert_malformed: expected \"%s\", got \"%s\"", c->text, err.msg);
    } else {
      passed++;
    }
    free(mine);
    return;
  }
  if (!encoded) {
    failf(c->line, "%s: text not read: %d:%d: %s", text_wast_cmd_name(c->kind), err.line, err.col, err.msg);
    return;
  }
  if (c->kind == WAST_ASSERT_INVALID && deviation(j)) {
    wasm_module *m = wasm_decode_features(mine, mn, features, &err);
    bool valid = m && wasm_validate(m, &err);
    if (!m || valid || strncmp(err.msg, c->text, strlen(c->text)) != 0)
      failf(c->line, "assert_invalid: expected \"%s\", got %s", c->text, m && valid ? "a valid module" : err.msg);
    else
      passed++;
    if (m) wasm_module_free(m);
    free(mine);
    return;
  }
  if (!file || (mtype && strcmp(mtype, "binary") != 0)) {
    failf(c->line, "%s: wast2json wrote no binary module", text_wast_cmd_name(c->kind));
    free(mine);
    return;
  }
  snprintf(path, sizeof path, "%s/%s", dir, file);
  if (!util_read_file(path, &theirs, &tn, &err)) {
    failf(c->line, "%s", err.msg);
    free(mine);
    return;
  }
  if (!same_module(mine, mn, theirs, tn)) {
    size_t d = first_diff(mine, mn, theirs, tn);
    failf(c->line, "%s: bytes differ from %s at offset 0x%zx (%zu vs %zu bytes)", text_wast_cmd_name(c->kind),
          file, d, mn, tn);
  } else if (c->kind == WAST_MODULE || c->kind == WAST_ASSERT_INVALID) {
    wasm_module *m = wasm_decode_features(mine, mn, features, &err);
    bool valid = m && wasm_validate(m, &err);
    if (c->kind == WAST_MODULE && !valid)
      failf(c->line, "module: rejected: %s", err.msg);
    else if (c->kind == WAST_ASSERT_INVALID && (!m || valid))
      failf(c->line, "assert_invalid: %s", m ? "module validated" : err.msg);
    else
      passed++;
    if (m) wasm_module_free(m);
  } else {
    passed++;
  }
  free(mine);
  free(theirs);
}

/* weld_text_test --print FILE.wasm...: each module that decodes is printed (flat and
 * folded), read back, and must give the same bytes, custom sections aside. */
static int print_round_trip(int argc, char **argv) {
  unsigned skipped = 0, as_text = 0;
  script_name = "print";
  for (int i = 2; i < argc; i++) {
    uint8_t *bytes;
    size_t len;
    util_error err;
    if (!util_read_file(argv[i], &bytes, &len, &err)) { failf(0, "%s", err.msg); continue; }
    wasm_module *m = wasm_decode(bytes, len, &err);
    if (!m) { skipped++; free(bytes); continue; }
    for (int style = 0; style < 2; style++) {
      char *text = NULL;
      size_t tlen = 0;
      FILE *f = open_memstream(&text, &tlen);
      bool printed = text_print_module(m, style ? TEXT_PRINT_FOLDED : TEXT_PRINT_FLAT, f, &err);
      fclose(f);
      uint8_t *back;
      size_t blen;
      if (!printed) failf(0, "%s: not printed: %s", argv[i], err.msg);
      else if (!text_wat_to_binary(text, tlen, "print", &back, &blen, &err))
        failf(err.line, "%s: printed %s text not read: %d:%d: %s", argv[i], style ? "folded" : "flat", err.line, err.col, err.msg);
      else {
        if (same_module(bytes, len, back, blen)) {
          passed++;
        } else {
          /* A binary the text format cannot reproduce byte for byte (LEB128 padding,
           * empty sections, the longer segment encodings) must still read back to the
           * same module: printing the re-read module gives the same text. */
          wasm_module *m2 = wasm_decode(back, blen, &err);
          char *text2 = NULL;
          size_t tlen2 = 0;
          FILE *f2 = open_memstream(&text2, &tlen2);
          bool ok2 = m2 && text_print_module(m2, style ? TEXT_PRINT_FOLDED : TEXT_PRINT_FLAT, f2, &err);
          fclose(f2);
          if (ok2 && tlen2 == tlen && memcmp(text, text2, tlen) == 0) {
            passed++;
            as_text++;
          } else {
            failf(0, "%s: printed %s text reads back differently at offset 0x%zx", argv[i], style ? "folded" : "flat",
                  first_diff(bytes, len, back, blen));
          }
          free(text2);
          if (m2) wasm_module_free(m2);
        }
        free(back);
      }
      free(text);
    }
    wasm_module_free(m);
    free(bytes);
  }
  printf("%u malformed modules skipped; %u prints equal as text only (non-canonical binaries)\n", skipped, as_text);
  printf("print: %u passed, %u failed\n", passed, failed);
  return failed ? 1 : 0;
}

/* weld_text_test --parse SCRIPT.wast...: reads each script, and encodes each module not
 * expected to be malformed; prints one line per script that fails and the counts. */
static int parse_only(int argc, char **argv) {
  unsigned scripts_ok = 0, mods_ok = 0, mods = 0;
  script_name = "parse";
  for (int i = 2; i < argc; i++) {
    uint8_t *src;
    size_t len;
    util_error err;
    if (!util_read_file(argv[i], &src, &len, &err)) { failf(0, "%s", err.msg); continue; }
    wast_script *s = text_wast_parse((const char *)src, len, &err);
    if (!s) {
      printf("SCRIPT %s:%d:%d: %s\n", argv[i], err.line, err.col, err.msg);
      failed++;
    } else {
      scripts_ok++;
      bool all = true;
      for (size_t k = 0; k < s->ncmds; k++) {
        const wast_command *c = &s->cmds[k];
        if (!c->has_module || c->kind == WAST_ASSERT_MALFORMED) continue;
        uint8_t *b;
        size_t n;
        mods++;
        if (text_wast_module_bytes(s, &c->module, &b, &n, &err)) { mods_ok++; free(b); }
        else if (all) { printf("MODULE %s:%d: %d:%d: %s\n", argv[i], c->line, err.line, err.col, err.msg); all = false; }
      }
      text_wast_free(s);
    }
    free(src);
  }
  printf("%u of %d scripts read; %u of %u modules encoded\n", scripts_ok, argc - 2, mods_ok, mods);
  return failed ? 1 : 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "--standard") == 0) {
    if (strcmp(argv[2], "2.0") == 0) features = WASM_FEATURES_2_0;
    argv[2] = argv[0];
    argv += 2;
    argc -= 2;
  }
  if (argc >= 2 && strcmp(argv[1], "--print") == 0) return print_round_trip(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "--parse") == 0) return parse_only(argc, argv);
  if (argc != 3) {
    fprintf(stderr, "usage: weld_text_test [--standard 2.0] SCRIPT.wast SCRIPT.json\n");
    return 2;
  }
  const char *slash = strrchr(argv[1], '/');
  script_name = slash ? slash + 1 : argv[1];
  uint8_t *src, *jtext;
  size_t slen, jlen;
  util_error err;
  if (!util_read_file(argv[1], &src, &slen, &err) || !util_read_file(argv[2], &jtext, &jlen, &err)) {
    fprintf(stderr, "weld_text_test: %s\n", err.msg);
    return 2;
  }
  util_arena arena;
  util_arena_init(&arena);
  const json_value *doc = json_parse((const char *)jtext, jlen, &arena, &err);
  const json_value *cmds = json_get(doc, "commands");
  char *dir = util_xstrdup(argv[2]);
  char *ds = strrchr(dir, '/');
  if (ds) *ds = 0;
  else strcpy(dir, ".");

  wast_script *s = text_wast_parse((const char *)src, slen, &err);
  if (!s) {
    failf(err.line, "script not read: %d:%d: %s", err.line, err.col, err.msg);
  } else if (!cmds || cmds->kind != JSON_ARRAY) {
    failf(0, "%s: no command list", argv[2]);
  } else {
    /* the command lists must agree one to one */
    size_t n = s->ncmds < cmds->n ? s->ncmds : cmds->n;
    bool agree = s->ncmds == cmds->n;
    if (!agree) failf(0, "%zu commands read, wast2json has %zu", s->ncmds, cmds->n);
    for (size_t i = 0; i < n; i++) {
      const wast_command *c = &s->cmds[i];
      const json_value *j = cmds->items[i];
      const char *type = json_get_str(j, "type");
      long line = json_get_long(j, "line", -1);
      /* wast2json dates an assertion by its module or action */
      bool line_ok = line == c->line || (c->has_action && line == c->action.line) ||
                     line == (long)s->lx.toks[c->first_tok + 1].line ||
                     (c->has_module && c->module.lpar != SIZE_MAX &&
                      (line == (long)s->lx.toks[c->module.lpar].line || line == (long)s->lx.toks[c->module.lpar + 1].line));
      /* (assert_trap (module ...)) is what wast2json calls assert_uninstantiable */
      const char *kind = c->kind == WAST_ASSERT_TRAP && c->has_module ? "assert_uninstantiable" : text_wast_cmd_name(c->kind);
      if (!type || strcmp(type, kind) != 0 || !line_ok) {
        failf(c->line, "command %zu is %s here, %s at line %ld in the JSON", i, text_wast_cmd_name(c->kind),
              type ? type : "?", line);
        agree = false;
        break;
      }
      if (c->has_module) check(s, c, j, dir);
    }
    if (agree) passed++;
  }
  printf("%s: %u passed, %u failed\n", script_name, passed, failed);
  text_wast_free(s);
  free(dir);
  util_arena_free(&arena);
  free(src);
  free(jtext);
  return failed ? 1 : 0;
}

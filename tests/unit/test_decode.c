/* The binary decoder: module structure, section order and sizes, segments, code syntax,
 * custom and name sections. The spec suite covers the malformed corners in bulk; these
 * tests pin down what the IR looks like. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"
#include "wasm/module.h"
#include "wasm/proposals.h"

typedef struct {
  uint8_t b[4096];
  size_t n;
} wbuf;

static void put(wbuf *o, const void *p, size_t n) {
  memcpy(o->b + o->n, p, n);
  o->n += n;
}
static void put_u32(wbuf *o, uint32_t v) { o->n += util_write_u64(o->b + o->n, v); }
static wbuf header(void) {
  wbuf o = {.n = 0};
  put(&o, "\0asm\1\0\0\0", 8);
  return o;
}
static void section(wbuf *o, uint8_t id, const void *content, size_t n) {
  o->b[o->n++] = id;
  put_u32(o, (uint32_t)n);
  put(o, content, n);
}
#define SEC(o, id, lit) section((o), (id), (lit), sizeof(lit) - 1)

static util_error last_err;

/* Decodes and returns the error message, or NULL when the module decoded. */
static const char *decode_msg(const wbuf *o) {
  wasm_module *m = wasm_decode(o->b, o->n, &last_err);
  if (!m) return last_err.msg;
  wasm_module_free(m);
  return NULL;
}

/* The same under 2.0's rules. */
static const char *decode_msg2(const wbuf *o) {
  wasm_module *m = wasm_decode_features(o->b, o->n, WASM_FEATURES_2_0, &last_err);
  if (!m) return last_err.msg;
  wasm_module_free(m);
  return NULL;
}

static bool name_is(wasm_name n, const char *s) {
  return n.str && n.len == strlen(s) && memcmp(n.str, s, n.len) == 0;
}

/* The position of each non-custom section id in the required order. */
static const uint8_t order[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11};

UNIT_GROUP(decode_header) {
  wbuf o = header();
  util_error e;
  wasm_module *m = wasm_decode(o.b, o.n, &e);
  if (CHECK(m != NULL)) {
    CHECK_EQ_U64(m->size, 8);
    CHECK(m->bytes != o.b && memcmp(m->bytes, o.b, 8) == 0);
    CHECK_EQ_U64(m->ntypes + m->nimports + m->nfuncs + m->ntables + m->nmemories + m->nglobals, 0);
    CHECK_EQ_U64(m->nexports + m->nelems + m->ndatas + m->ncustoms + m->nsections, 0);
    CHECK(!m->has_start && !m->has_data_count);
    CHECK(m->funcs == NULL && m->func_names == NULL && m->sections == NULL);
    wasm_module_free(m);
  }
  wasm_module_free(NULL);

  CHECK_PREFIX(decode_msg(&(wbuf){.n = 0}), "unexpected end");
  CHECK_PREFIX(decode_msg(&(wbuf){.b = "\0as", .n = 3}), "unexpected end");
  CHECK_PREFIX(decode_msg(&(wbuf){.b = "\0asm\1\0", .n = 6}), "unexpected end");
  CHECK_PREFIX(decode_msg(&(wbuf){.b = "\0asn\1\0\0\0", .n = 8}), "magic header not detected");
  CHECK_EQ_I64(last_err.offset, 0);
  CHECK(last_err.kind == UTIL_ERR_MALFORMED);
  CHECK_PREFIX(decode_msg(&(wbuf){.b = "\0asm\2\0\0\0", .n = 8}), "unknown binary version");
  /* a component (version 0x0d, layer 1) is named; version 0x0d layer 0 is not one */
  CHECK_PREFIX(decode_msg(&(wbuf){.b = "\0asm\x0d\0\1\0", .n = 8}), "is a WebAssembly component");
  CHECK(last_err.kind == UTIL_ERR_MALFORMED);
  CHECK_PREFIX(decode_msg(&(wbuf){.b = "\0asm\x0d\0\0\0", .n = 8}), "unknown binary version");
  CHECK_EQ_I64(last_err.offset, 4);

  /* trailing garbage that is not a section id (13 is the tag section since 3.0) */
  o = header();
  put(&o, "\x0e\x00", 2);
  CHECK_PREFIX(decode_msg(&o), "malformed section id");
  CHECK_EQ_I64(last_err.offset, 8);
}

UNIT_GROUP(decode_sections) {
  /* A content of one zero byte is a well-formed empty instance of every section (an
   * empty vector, start function 0, data count 0), so any order can be tried. */
  for (int i = 0; i < 12; i++) {
    for (int j = 0; j < 12; j++) {
      wbuf o = header();
      SEC(&o, order[i], "\0");
      SEC(&o, order[j], "\0");
      const char *msg = decode_msg(&o);
      if (i < j) {
        if (!CHECK(msg == NULL)) fprintf(stderr, "  sections %d then %d: %s\n", order[i], order[j], msg);
      } else {
        CHECK_PREFIX(msg, "unexpected content after last section");
        CHECK_EQ_I64(last_err.offset, 8 + 3); /* the second section's id */
      }
    }
  }
  /* all twelve in order, custom sections anywhere */
  wbuf o = header();
  SEC(&o, 0, "\1a");
  for (int i = 0; i < 12; i++) {
    SEC(&o, order[i], "\0");
    SEC(&o, 0, "\1b");
  }
  util_error e;
  wasm_module *m = wasm_decode(o.b, o.n, &e);
  if (CHECK(m != NULL)) {
    CHECK_EQ_U64(m->nsections, 25);
    CHECK_EQ_U64(m->ncustoms, 13);
    CHECK_EQ_U64(m->sections[0].id, 0);
    CHECK_STR(m->sections[0].custom_name, "a");
    CHECK_EQ_U64(m->sections[1].id, 1);
    CHECK_EQ_U64(m->sections[1].offset, 8 + 4 + 2);
    CHECK_EQ_U64(m->sections[1].size, 1);
    CHECK(m->sections[1].custom_name == NULL);
    CHECK_STR(m->sections[2].custom_name, "b");
    CHECK_EQ_U64(m->sections[19].id, 12);
    CHECK(m->has_start && m->start == 0);
    CHECK(m->has_data_count && m->data_count == 0);
    wasm_module_free(m);
  }

  /* size checks */
  o = header();
  SEC(&o, 1, "\0\0");
  CHECK_PREFIX(decode_msg(&o), "section size mismatch");
  CHECK_EQ_I64(last_err.offset, 10);
  o = header();
  put(&o, "\x01\x05\x00", 3);
  CHECK_PREFIX(decode_msg(&o), "length out of bounds");
  o = header();
  put(&o, "\x01\x01\x01", 3); /* one type promised, none given */
  CHECK_PREFIX(decode_msg(&o), "unexpected end of section or function");
  o = header();
  put(&o, "\x01\x80\x80\x80\x80\x80\x00", 7);
  CHECK_PREFIX(decode_msg(&o), "integer representation too long");

  /* custom sections */
  o = header();
  SEC(&o, 0, "\5helloxyz");
  SEC(&o, 0, "\0");
  m = wasm_decode(o.b, o.n, &e);
  if (CHECK(m != NULL)) {
    CHECK_EQ_U64(m->ncustoms, 2);
    CHECK(name_is(m->customs[0].name, "hello"));
    CHECK_EQ_U64(m->customs[0].len, 3);
    CHECK(memcmp(m->customs[0].bytes, "xyz", 3) == 0);
    CHECK(m->customs[0].bytes >= m->bytes && m->customs[0].bytes < m->bytes + m->size);
    CHECK_EQ_U64(m->customs[0].offset, 10);
    CHECK_STR(m->sections[0].custom_name, "hello");
    CHECK(name_is(m->customs[1].name, ""));
    CHECK_EQ_U64(m->customs[1].len, 0);
    wasm_module_free(m);
  }
  o = header();
  SEC(&o, 0, "");
  CHECK_PREFIX(decode_msg(&o), "unexpected end");
  o = header();
  SEC(&o, 0, "\3ab");
  CHECK_PREFIX(decode_msg(&o), "unexpected end");
  o = header();
  SEC(&o, 0, "\2\xc0\x80");
  CHECK_PREFIX(decode_msg(&o), "malformed UTF-8 encoding");
  o = header();
  SEC(&o, 0, "\3\xed\xa0\x80");
  CHECK_PREFIX(decode_msg(&o), "malformed UTF-8 encoding");
}

UNIT_GROUP(decode_module) {
  wbuf o = header();
  SEC(&o, 1, "\x02\x60\x00\x00\x60\x02\x7f\x7e\x01\x7d");
  SEC(&o, 2, "\x04"
             "\x03" "env" "\x01" "f" "\x00\x01"
             "\x03" "env" "\x01" "t" "\x01\x70\x00\x01"
             "\x03" "env" "\x01" "m" "\x02\x01\x01\x02"
             "\x03" "env" "\x01" "g" "\x03\x7f\x00");
  SEC(&o, 3, "\x02\x00\x00");
  SEC(&o, 4, "\x01\x6f\x01\x00\x05");
  SEC(&o, 6, "\x01\x7e\x01\x42\x2a\x0b");
  SEC(&o, 7, "\x02\x03" "run" "\x00\x03\x01" "g" "\x03\x01");
  SEC(&o, 8, "\x02");
  SEC(&o, 9, "\x01\x01\x00\x02\x02\x03");
  SEC(&o, 12, "\x01");
  SEC(&o, 10, "\x02\x06\x02\x02\x7f\x01\x7c\x0b\x05\x00\xfc\x09\x00\x0b");
  SEC(&o, 11, "\x01\x01\x03" "abc");
  SEC(&o, 0, "\x04" "name"
             "\x00\x04\x03" "mod"
             "\x01\x0d\x02\x02\x05" "first" "\x03\x03" "run"
             "\x02\x09\x01\x02\x02\x00\x01" "a" "\x02\x01" "c");
  util_error e;
  wasm_module *m = wasm_decode(o.b, o.n, &e);
  if (!CHECK(m != NULL)) {
    fprintf(stderr, "  %s at %lld\n", e.msg, (long long)e.offset);
    return;
  }
  CHECK_EQ_U64(m->ntypes, 2);
  CHECK_EQ_U64(m->types[0].nparams + m->types[0].nresults, 0);
  CHECK_EQ_U64(m->types[1].nparams, 2);
  CHECK(m->types[1].params[0] == WASM_I32 && m->types[1].params[1] == WASM_I64);
  CHECK(m->types[1].nresults == 1 && m->types[1].results[0] == WASM_F32);

  CHECK_EQ_U64(m->nimports, 4);
  CHECK(name_is(m->imports[0].module, "env") && name_is(m->imports[0].field, "f"));
  CHECK_EQ_U64(m->imports[0].kind, WASM_EXTERN_FUNC);
  CHECK_EQ_U64(m->imports[0].u.func_type, 1);
  CHECK_EQ_U64(m->imports[0].offset, 8 + 12 + 2 + 1);
  CHECK(m->imports[1].kind == WASM_EXTERN_TABLE && m->imports[1].u.table.elem == WASM_FUNCREF);
  CHECK(m->imports[1].u.table.limits.min == 1 && !m->imports[1].u.table.limits.has_max);
  CHECK(m->imports[2].kind == WASM_EXTERN_MEMORY && m->imports[2].u.memory.limits.has_max);
  CHECK(m->imports[2].u.memory.limits.min == 1 && m->imports[2].u.memory.limits.max == 2);
  CHECK(m->imports[3].kind == WASM_EXTERN_GLOBAL && m->imports[3].u.global.type == WASM_I32);
  CHECK(!m->imports[3].u.global.mut);

  /* index spaces: imports first */
  CHECK_EQ_U64(m->nfuncs, 3);
  CHECK_EQ_U64(m->nfunc_imports, 1);
  CHECK(m->funcs[0].imported && m->funcs[0].type == 1 && m->funcs[0].code == NULL);
  CHECK(!m->funcs[1].imported && m->funcs[1].type == 0);
  CHECK_EQ_U64(m->funcs[1].nlocals, 3);
  CHECK(m->funcs[1].local_types[0] == WASM_I32 && m->funcs[1].local_types[1] == WASM_I32);
  CHECK(m->funcs[1].local_types[2] == WASM_F64);
  CHECK_EQ_U64(m->funcs[1].code_len, 1);
  CHECK(m->funcs[1].code[0] == 0x0b);
  CHECK_EQ_U64(m->funcs[1].body_size, 6);
  CHECK_EQ_U64(m->funcs[1].code_offset, m->funcs[1].body_offset + 1 + 5);
  CHECK(m->funcs[1].code == m->bytes + m->funcs[1].code_offset);
  CHECK_EQ_U64(m->funcs[2].nlocals, 0);
  CHECK(m->funcs[2].local_types == NULL);
  CHECK_EQ_U64(m->funcs[2].code_len, 4);
  CHECK_EQ_U64(m->ntables, 2);
  CHECK(m->tables[0].imported && m->tables[0].type.elem == WASM_FUNCREF);
  CHECK(!m->tables[1].imported && m->tables[1].type.elem == WASM_EXTERNREF);
  CHECK(m->tables[1].type.limits.has_max && m->tables[1].type.limits.max == 5);
  CHECK(m->nmemories == 1 && m->nmemory_imports == 1 && m->memories[0].imported);
  CHECK(m->nglobals == 2 && m->nglobal_imports == 1 && m->globals[0].imported);
  CHECK(m->globals[1].type.type == WASM_I64 && m->globals[1].type.mut);
  CHECK_EQ_U64(m->globals[1].init.len, 3);
  CHECK(memcmp(m->globals[1].init.bytes, "\x42\x2a\x0b", 3) == 0);
  CHECK(m->globals[1].init.bytes == m->bytes + m->globals[1].init.offset);

  CHECK_EQ_U64(m->nexports, 2);
  CHECK(name_is(m->exports[0].name, "run") && m->exports[0].kind == 0 && m->exports[0].index == 3);
  CHECK(name_is(m->exports[1].name, "g") && m->exports[1].kind == 3 && m->exports[1].index == 1);
  CHECK(m->has_start && m->start == 2);
  CHECK_EQ_U64(m->nelems, 1);
  /* 3.0: a list of function indices has type (ref func) */
  CHECK(m->elems[0].mode == WASM_SEG_PASSIVE && m->elems[0].type == wasm_reftype(false, WASM_HEAP_FUNC));
  CHECK(m->elems[0].count == 2 && m->elems[0].func_indices && !m->elems[0].exprs);
  CHECK(m->elems[0].func_indices[0] == 2 && m->elems[0].func_indices[1] == 3);
  CHECK(m->has_data_count && m->data_count == 1);
  CHECK(m->ndatas == 1 && m->datas[0].mode == WASM_SEG_PASSIVE);
  CHECK(m->datas[0].len == 3 && memcmp(m->datas[0].bytes, "abc", 3) == 0);

  CHECK(name_is(m->module_name, "mod"));
  if (CHECK(m->func_names != NULL)) {
    CHECK(m->func_names[0].str == NULL);
    CHECK(name_is(m->func_names[2], "first"));
    CHECK(m->func_names[1].str == NULL);
  }
  if (CHECK(m->local_names != NULL)) {
    CHECK_EQ_U64(m->local_names[2].count, 2);
    CHECK(m->local_names[2].indices[1] == 2 && name_is(m->local_names[2].names[1], "c"));
    CHECK_EQ_U64(m->local_names[1].count, 0);
  }
  CHECK_EQ_U64(m->nsections, 12);
  CHECK_EQ_U64(m->sections[1].count, 4);
  CHECK_EQ_U64(m->sections[9].id, 10);
  CHECK_EQ_U64(m->sections[9].count, 2);
  CHECK_STR(m->sections[11].custom_name, "name");
  wasm_module_free(m);
}

UNIT_GROUP(decode_types) {
  wbuf o = header();
  SEC(&o, 1, "\x01\x61\x00\x00");
  CHECK_PREFIX(decode_msg(&o), "malformed function type");
  o = header();
  SEC(&o, 1, "\x01\xe0\x7f\x00\x00");
  CHECK_PREFIX(decode_msg(&o), "integer representation too long");
  o = header();
  SEC(&o, 1, "\x01\x60\x01\x7a\x00");
  CHECK_PREFIX(decode_msg(&o), "malformed value type");
  o = header();
  SEC(&o, 1, "\x01\x60\x01\x7b\x01\x6f"); /* v128 -> externref */
  CHECK(decode_msg(&o) == NULL);

  o = header();
  SEC(&o, 2, "\x01\x00\x00\x05\x00"); /* 4 is a tag since 3.0 */
  CHECK_PREFIX(decode_msg(&o), "malformed import kind");
  o = header();
  SEC(&o, 2, "\x01\x01\xff\x00\x00\x00");
  CHECK_PREFIX(decode_msg(&o), "malformed UTF-8 encoding");
  o = header();
  SEC(&o, 2, "\x01\x00\x00\x03\x7f\x02");
  CHECK_PREFIX(decode_msg(&o), "malformed mutability");
  o = header();
  SEC(&o, 2, "\x01\x00\x00\x01\x7f\x00\x00");
  CHECK_PREFIX(decode_msg(&o), "malformed reference type");

  /* limits flags: a one-bit number in 2.0 */
  o = header();
  SEC(&o, 5, "\x01\x02\x00");
  CHECK_PREFIX(decode_msg2(&o), "integer too large");
  o = header();
  SEC(&o, 5, "\x01\x03\x00\x00"); /* shared memory: threads, not 2.0 */
  CHECK_PREFIX(decode_msg2(&o), "integer too large");
  o = header();
  SEC(&o, 5, "\x01\x81\x00\x00");
  CHECK_PREFIX(decode_msg2(&o), "integer representation too long");
  /* in 3.0 a byte of which bits 0 (a maximum), 1 (shared: threads) and 2 (64-bit) are
   * defined for memories; a table's bit 1 is a later proposal's */
  o = header();
  SEC(&o, 5, "\x01\x03\x00\x00");
  CHECK(decode_msg(&o) == NULL);
  o = header();
  SEC(&o, 4, "\x01\x70\x03\x00\x00");
  CHECK_PREFIX(decode_msg(&o), "malformed limits flags");
  o = header();
  SEC(&o, 5, "\x01\x81\x00\x00");
  CHECK_PREFIX(decode_msg(&o), "malformed limits flags");
  o = header();
  SEC(&o, 5, "\x01\x05\x00\x80\x80\x80\x80\x10"); /* i64, max 2^32 pages: decodes */
  CHECK(decode_msg(&o) == NULL);
  o = header();
  SEC(&o, 5, "\x01\x01\x00\xff\xff\xff\xff\x0f");
  util_error e;
  wasm_module *m = wasm_decode(o.b, o.n, &e);
  if (CHECK(m != NULL)) {
    CHECK(m->nmemories == 1 && m->memories[0].type.limits.max == 0xffffffffu);
    wasm_module_free(m);
  }

  o = header();
  SEC(&o, 7, "\x01\x00\x05\x00");
  CHECK_PREFIX(decode_msg(&o), "malformed export kind");
  o = header();
  SEC(&o, 6, "\x01\x7f\x00\x41\x00");
  CHECK_PREFIX(decode_msg(&o), "unexpected end");
}

UNIT_GROUP(decode_segments) {
  wbuf o = header();
  SEC(&o, 9, "\x08"
             "\x00\x41\x00\x0b\x01\x00"
             "\x01\x00\x01\x00"
             "\x02\x01\x41\x00\x0b\x00\x01\x00"
             "\x03\x00\x01\x00"
             "\x04\x41\x00\x0b\x01\xd2\x00\x0b"
             "\x05\x70\x01\xd0\x70\x0b"
             "\x06\x01\x41\x00\x0b\x6f\x01\xd0\x6f\x0b"
             "\x07\x70\x01\xd2\x00\x0b");
  util_error e;
  wasm_module *m = wasm_decode(o.b, o.n, &e);
  if (CHECK(m != NULL) && CHECK(m->nelems == 8)) {
    static const uint8_t modes[8] = {WASM_SEG_ACTIVE, WASM_SEG_PASSIVE, WASM_SEG_ACTIVE,
                                     WASM_SEG_DECLARATIVE, WASM_SEG_ACTIVE, WASM_SEG_PASSIVE,
                                     WASM_SEG_ACTIVE, WASM_SEG_DECLARATIVE};
    static const uint8_t tables[8] = {0, 0, 1, 0, 0, 0, 1, 0};
    for (int i = 0; i < 8; i++) {
      const wasm_elem *el = &m->elems[i];
      CHECK_EQ_U64(el->mode, modes[i]);
      CHECK_EQ_U64(el->table, tables[i]);
      CHECK_EQ_U64(el->count, 1);
      CHECK_EQ_U64(el->type, i < 4 ? wasm_reftype(false, WASM_HEAP_FUNC) : i == 6 ? WASM_EXTERNREF : WASM_FUNCREF);
      CHECK((el->func_indices != NULL) == (i < 4));
      CHECK((el->exprs != NULL) == (i >= 4));
      CHECK((el->offset.bytes != NULL) == (modes[i] == WASM_SEG_ACTIVE));
    }
    CHECK(m->elems[0].offset.len == 3 && m->elems[0].offset.offset == 8 + 2 + 1 + 1);
    CHECK(m->elems[4].exprs[0].len == 3 && m->elems[4].exprs[0].bytes[0] == 0xd2);
    CHECK_EQ_U64(m->elems[1].offset_in_input, 8 + 2 + 1 + 6);
    wasm_module_free(m);
  }
  o = header();
  SEC(&o, 9, "\x01\x08\x00");
  CHECK_PREFIX(decode_msg(&o), "malformed elements segment kind");
  o = header();
  SEC(&o, 9, "\x01\x01\x01\x00");
  CHECK_PREFIX(decode_msg(&o), "malformed element kind");
  o = header();
  SEC(&o, 9, "\x01\x05\x7f\x00");
  CHECK_PREFIX(decode_msg(&o), "malformed reference type");
  o = header();
  SEC(&o, 9, "\x01\x05\x70\x01\xf3\x0b");
  CHECK_PREFIX(decode_msg(&o), "illegal opcode");

  o = header();
  SEC(&o, 11, "\x03"
              "\x00\x41\x00\x0b\x02" "hi"
              "\x01\x00"
              "\x02\x00\x41\x01\x0b\x01" "x");
  m = wasm_decode(o.b, o.n, &e);
  if (CHECK(m != NULL) && CHECK(m->ndatas == 3)) {
    CHECK(m->datas[0].mode == WASM_SEG_ACTIVE && m->datas[0].len == 2);
    CHECK(memcmp(m->datas[0].bytes, "hi", 2) == 0);
    CHECK(m->datas[1].mode == WASM_SEG_PASSIVE && m->datas[1].len == 0);
    CHECK(m->datas[2].mode == WASM_SEG_ACTIVE && m->datas[2].offset.len == 3);
    CHECK(!m->has_data_count);
    wasm_module_free(m);
  }
  o = header();
  SEC(&o, 11, "\x01\x03\x00");
  CHECK_PREFIX(decode_msg(&o), "malformed data segment kind");
  o = header();
  SEC(&o, 11, "\x01\x01\x05" "abc"); /* lengths are checked against the whole input */
  CHECK_PREFIX(decode_msg(&o), "length out of bounds");
  o = header();
  SEC(&o, 12, "\x02");
  SEC(&o, 11, "\x01\x01\x00");
  CHECK_PREFIX(decode_msg(&o), "data count and data section have inconsistent lengths");
  o = header();
  SEC(&o, 12, "\x01");
  CHECK_PREFIX(decode_msg(&o), "data count and data section have inconsistent lengths");
}

/* A module with one function of type [] -> [] and the given body (locals included). */
static wbuf func_module(const char *body, size_t n, bool datacount, bool data) {
  wbuf o = header();
  SEC(&o, 1, "\x01\x60\x00\x00");
  SEC(&o, 3, "\x01\x00");
  if (datacount) SEC(&o, 12, "\x01");
  uint8_t code[512];
  size_t k = 0;
  code[k++] = 1;
  k += util_write_u64(code + k, n);
  memcpy(code + k, body, n);
  section(&o, 10, code, k + n);
  if (data) SEC(&o, 11, "\x01\x01\x00");
  return o;
}
#define FUNC(lit) func_module((lit), sizeof(lit) - 1, false, false)

UNIT_GROUP(decode_code) {
  CHECK(decode_msg(&(wbuf){0}) != NULL);
  wbuf o = FUNC("\x00\x0b");
  CHECK(decode_msg(&o) == NULL);
  o = FUNC("\x00\x04\x40\x05\x0b\x0b"); /* if else end */
  CHECK(decode_msg(&o) == NULL);
  o = FUNC("\x00\x02\x40\x03\x7f\x41\x00\x0b\x1a\x0b\x0b"); /* block (loop (result i32)) */
  CHECK(decode_msg(&o) == NULL);
  o = FUNC("\x00\x05\x0b");
  CHECK_PREFIX(decode_msg(&o), "END opcode expected");
  o = FUNC("\x00\x02\x40\x05\x0b\x0b");
  CHECK_PREFIX(decode_msg(&o), "END opcode expected");
  o = FUNC("\x00\x04\x40\x05\x05\x0b\x0b");
  CHECK_PREFIX(decode_msg(&o), "END opcode expected");
  o = FUNC("\x00\x01\x01");
  CHECK_PREFIX(decode_msg(&o), "unexpected end of section or function");
  o = FUNC("\x00\x0b\x01");
  CHECK_PREFIX(decode_msg(&o), "section size mismatch");
  o = FUNC("\x00\xff\x0b");
  CHECK_PREFIX(decode_msg(&o), "illegal opcode");
  CHECK_EQ_I64(last_err.func, 0);
  CHECK_EQ_I64(last_err.offset, o.n - 2);
  o = FUNC("\x00\xfc\x12\x0b");
  CHECK_PREFIX(decode_msg(&o), "illegal opcode");
  o = FUNC("\x00\xfd\x80\x80\x80\x80\x10\x0b");
  CHECK_PREFIX(decode_msg(&o), "integer too large");
  o = FUNC("\x00\x3f\x01\x0b");
  CHECK_PREFIX(decode_msg2(&o), "zero byte expected"); /* 2.0; 3.0 reads memory 1 */
  CHECK(decode_msg(&o) == NULL);
  o = FUNC("\x00\x02\x7a\x0b\x0b");
  CHECK_PREFIX(decode_msg(&o), "malformed value type");
  o = FUNC("\x00\xd0\x7f\x0b");
  CHECK_PREFIX(decode_msg(&o), "malformed reference type");
  o = FUNC("\x00\x41\x80\x80\x80\x80\x80\x00\x0b");
  CHECK_PREFIX(decode_msg(&o), "integer representation too long");

  /* locals */
  o = FUNC("\x02\xff\xff\xff\xff\x0f\x7f\x01\x7e\x0b");
  CHECK_PREFIX(decode_msg(&o), "too many locals");
  CHECK(last_err.kind == UTIL_ERR_MALFORMED);
  o = FUNC("\x01\xff\xff\x0f\x7f\x0b");
  CHECK_PREFIX(decode_msg(&o), "too many locals");
  CHECK(last_err.kind == UTIL_ERR_LIMIT);
  o = FUNC("\x01\x80\x80\x80\x80\x10\x7f\x0b");
  CHECK_PREFIX(decode_msg(&o), "integer too large");
  o = FUNC("\x01\x01\x40\x0b");
  CHECK_PREFIX(decode_msg(&o), "malformed value type");

  /* data count */
  const char *drop = "\x00\xfc\x09\x00\x0b";
  o = func_module(drop, 5, false, true);
  CHECK_PREFIX(decode_msg(&o), "data count section required");
  o = func_module(drop, 5, true, true);
  CHECK(decode_msg(&o) == NULL);
  o = func_module(drop, 5, false, false); /* no segment to name: the validator's call */
  CHECK(decode_msg(&o) == NULL);

  /* function and code counts */
  o = header();
  SEC(&o, 1, "\x01\x60\x00\x00");
  SEC(&o, 3, "\x01\x00");
  CHECK_PREFIX(decode_msg(&o), "function and code section have inconsistent lengths");
  o = header();
  SEC(&o, 10, "\x01\x02\x00\x0b");
  CHECK_PREFIX(decode_msg(&o), "function and code section have inconsistent lengths");
}

/* A module with two functions and the given name-section payload. */
static wasm_module *names_module(const char *payload, size_t n) {
  wbuf o = header();
  SEC(&o, 1, "\x01\x60\x00\x00");
  SEC(&o, 3, "\x02\x00\x00");
  SEC(&o, 10, "\x02\x02\x00\x0b\x02\x00\x0b");
  uint8_t c[256];
  memcpy(c, "\x04name", 5);
  memcpy(c + 5, payload, n);
  section(&o, 0, c, 5 + n);
  util_error e;
  return wasm_decode(o.b, o.n, &e);
}
#define NAMES(lit) names_module((lit), sizeof(lit) - 1)

UNIT_GROUP(decode_names) {
  wasm_module *m = NAMES("\x01\x07\x02\x00\x01" "a" "\x01\x01" "b");
  if (CHECK(m != NULL)) {
    CHECK(m->func_names && name_is(m->func_names[0], "a") && name_is(m->func_names[1], "b"));
    CHECK(m->local_names == NULL && m->module_name.str == NULL);
    wasm_module_free(m);
  }
  /* unknown subsections are skipped */
  m = NAMES("\x20\x02\x00\x00" "\x00\x02\x01" "m");
  if (CHECK(m != NULL)) {
    CHECK(name_is(m->module_name, "m"));
    wasm_module_free(m);
  }
  /* extended name section: labels (function 0, label 0) and types */
  m = NAMES("\x01\x04\x01\x01\x01" "b" "\x03\x06\x01\x00\x01\x00\x01" "L" "\x04\x04\x01\x00\x01" "t");
  if (CHECK(m != NULL)) {
    CHECK(m->func_names && name_is(m->func_names[1], "b") && m->func_names[0].str == NULL);
    CHECK(m->label_names && m->label_names[0].count == 1 && m->label_names[0].indices[0] == 0 &&
          name_is(m->label_names[0].names[0], "L") && m->label_names[1].count == 0);
    CHECK(m->type_names && name_is(m->type_names[0], "t"));
    wasm_module_free(m);
  }
  /* a malformed extended subsection loses its own names only; indices past the space
   * are dropped */
  m = NAMES("\x01\x04\x01\x00\x01" "a" "\x04\x03\x01\x00\x05" "\x07\x04\x01\x00\x01" "g");
  if (CHECK(m != NULL)) {
    CHECK(m->func_names && name_is(m->func_names[0], "a"));
    CHECK(m->type_names == NULL && m->global_names == NULL);
    wasm_module_free(m);
  }
  /* malformed: the module still decodes, without names */
  static const struct {
    const char *p;
    size_t n;
  } bad[] = {
#define B(lit) {lit, sizeof(lit) - 1}
      B("\x01\x07\x02\x00\x01" "a" "\x01\x02" "b"), /* name runs past the subsection */
      B("\x01\x05\x01\x00\x01" "a" "\x00"),          /* subsection longer than its content */
      B("\x00\x02\x01\xff"),                          /* bad UTF-8 */
      B("\x01\x03\x01\x00\x00" "\x00\x02\x01" "m"),  /* out of order */
      B("\x02\x09\x01\x00\x05"),                      /* truncated */
      B("\x01\x80"),
#undef B
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    m = names_module(bad[i].p, bad[i].n);
    if (CHECK(m != NULL)) {
      CHECK(m->func_names == NULL && m->local_names == NULL && m->module_name.str == NULL);
      CHECK_EQ_U64(m->ncustoms, 1);
      wasm_module_free(m);
    }
  }
  /* names of functions that do not exist are dropped */
  m = NAMES("\x01\x04\x01\x07\x01" "z");
  if (CHECK(m != NULL)) {
    CHECK(m->func_names && !m->func_names[0].str && !m->func_names[1].str);
    wasm_module_free(m);
  }
}

/* Encodings of proposals after 3.0: 3.0's wording first, then the proposal's name, which
 * wasm_proposal_in_message reads back. */
static void check_proposal(const char *msg, const char *want, wasm_proposal p) {
  if (!CHECK(msg != NULL && strcmp(msg, want) == 0)) return (void)fprintf(stderr, "  got: %s\n", msg ? msg : "(valid)");
  CHECK(wasm_proposal_in_message(msg) == p);
}

UNIT_GROUP(decode_proposals) {
  wbuf o = header();
  SEC(&o, 5, "\x01\x03\x01\x01"); /* shared memory: threads, implemented */
  CHECK(decode_msg(&o) == NULL);
  o = header();
  SEC(&o, 5, "\x01\x08\x01\x00"); /* a page size follows */
  check_proposal(decode_msg(&o), "malformed limits flags (not supported: custom page sizes)", WASM_PROPOSAL_CUSTOM_PAGE_SIZES);
  o = header();
  SEC(&o, 5, "\x01\x43\x01\x00"); /* bit 6: no proposal */
  check_proposal(decode_msg(&o), "malformed limits flags", WASM_PROPOSAL_NONE);
  o = header();
  SEC(&o, 4, "\x01\x70\x03\x01\x01"); /* shared table */
  check_proposal(decode_msg(&o), "malformed limits flags (not supported: shared-everything threads)",
                 WASM_PROPOSAL_SHARED_EVERYTHING);
  o = header();
  SEC(&o, 1, "\x02\x60\x00\x00\x5d\x00"); /* (cont 0) */
  check_proposal(decode_msg(&o), "malformed function type (not supported: stack switching)", WASM_PROPOSAL_STACK_SWITCHING);
  o = header();
  SEC(&o, 1, "\x01\x5f\x01\x63\x62\x00\x00"); /* (ref null (exact 0)) */
  check_proposal(decode_msg(&o), "malformed heap type (not supported: custom descriptors)", WASM_PROPOSAL_CUSTOM_DESCRIPTORS);
  o = header();
  SEC(&o, 6, "\x01\x7f\x02\x41\x00\x0b"); /* shared global */
  check_proposal(decode_msg(&o), "malformed mutability (not supported: shared-everything threads)",
                 WASM_PROPOSAL_SHARED_EVERYTHING);
  o = header();
  SEC(&o, 1, "\x01\x60\x00\x00");
  SEC(&o, 2, "\x01\x01m\x00\x7f\x01\x01" "f\x00\x00"); /* compact import group */
  check_proposal(decode_msg(&o), "malformed import kind (not supported: compact import section)", WASM_PROPOSAL_COMPACT_IMPORTS);
  static const struct { const char *body, *msg; wasm_proposal p; } code[] = {
      /* 0xfe past threads' last atomic (0x4e): shared-everything's */
      {"\x04\x00\xfe\x4f\x00", "illegal opcode (not supported: shared-everything threads)", WASM_PROPOSAL_SHARED_EVERYTHING},
      {"\x04\x00\xe3\x00\x00", "illegal opcode e3 (not supported: stack switching)", WASM_PROPOSAL_STACK_SWITCHING},
      {"\x03\x00\xfc\x13", "illegal opcode (not supported: wide arithmetic)", WASM_PROPOSAL_WIDE_ARITHMETIC},
      {"\x04\x00\xfc\x12\x00", "illegal opcode (not supported: memory control)", WASM_PROPOSAL_MEMORY_CONTROL},
      {"\x04\x00\xfd\xa0\x02", "illegal opcode (not supported: half precision (fp16))", WASM_PROPOSAL_FP16},
      {"\x04\x00\xfb\x22\x00", "illegal opcode (not supported: custom descriptors)", WASM_PROPOSAL_CUSTOM_DESCRIPTORS},
      {"\x03\x00\xfc\x20", "illegal opcode", WASM_PROPOSAL_NONE},
  };
  for (size_t i = 0; i < sizeof code / sizeof code[0]; i++) {
    o = header();
    SEC(&o, 1, "\x01\x60\x00\x00");
    SEC(&o, 3, "\x01\x00");
    char sec[16];
    size_t n = (size_t)code[i].body[0] + 1; /* the body's size byte, then the body */
    sec[0] = 1;
    memcpy(sec + 1, code[i].body, n);
    section(&o, 10, sec, n + 1);
    check_proposal(decode_msg(&o), code[i].msg, code[i].p);
  }
}

/* wasm_decode_mapped: a module decoded where its bytes lie in a file mapping (a code cache
 * entry: the module after a header) uses them in place and owns the mapping; on failure
 * the caller keeps it. */
UNIT_GROUP(decode_mapped) {
  /* a 7-byte prefix, then (module (func (export "f") (result i32) i32.const 42)) */
  static const uint8_t file[] = {'p', 'r', 'e', 'f', 'i', 'x', 0,
                                 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00,
                                 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,
                                 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b};
  char path[] = "/tmp/weld-decode-mapped-XXXXXX";
  int fd = mkstemp(path);
  if (!CHECK(fd >= 0)) return;
  bool wrote = write(fd, file, sizeof file) == (ssize_t)sizeof file;
  close(fd);
  CHECK(wrote);
  const uint8_t *map;
  size_t len;
  util_error e;
  util_error_clear(&e);
  bool mapped = util_map_file(path, &map, &len, &e);
  if (!CHECK(mapped && len == sizeof file)) {
    unlink(path);
    return;
  }
  wasm_module *m = wasm_decode_mapped(map + 7, len - 7, map, len, WASM_FEATURES_ALL, &e);
  CHECK(m != NULL);
  if (m) {
    CHECK(m->bytes == map + 7); /* not copied */
    CHECK(m->mapped == map && m->mapped_len == len);
    CHECK_EQ_U64(m->nfuncs, 1);
    CHECK(m->nexports == 1 && m->exports[0].name.len == 1 && m->exports[0].name.str[0] == 'f');
    wasm_module_free(m); /* unmaps */
  }
  /* a malformed module (cut short): NULL, and the mapping is still the caller's */
  util_error_clear(&e);
  mapped = util_map_file(path, &map, &len, &e);
  if (CHECK(mapped)) {
    m = wasm_decode_mapped(map + 7, len - 9, map, len, WASM_FEATURES_ALL, &e);
    CHECK(m == NULL && e.kind == UTIL_ERR_MALFORMED);
    CHECK(map[7] == 0 && map[8] == 0x61); /* still mapped */
    util_unmap_file(map, len);
  }
  unlink(path);
}

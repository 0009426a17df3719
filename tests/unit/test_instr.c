/* The instruction reader's two paths: the inline one for common instructions
 * (wasm_read_instr_short) must read exactly what the complete reader
 * (wasm_read_instr_long) reads, and refuse everything else; and the static encoding
 * table behind wasm_opcode_lookup must give back every instruction of opcodes.def. */
#include <stdio.h>

#include "unit.h"
#include "wasm/instr.h"
#include "wasm/module.h"

UNIT_GROUP(instr_encodings) {
  /* every instruction of the table, found again from its encoding */
  int bad = 0;
  for (int op = 0; op < WASM_OP_COUNT; op++) {
    const wasm_opinfo *o = &wasm_opinfo_table[op];
    if (wasm_opcode_lookup(o->prefix, o->code) != op && bad++ < 5)
      CHECK(!"an instruction's encoding maps back to it"), printf("  %s\n", wasm_op_name((unsigned)op));
  }
  CHECK_EQ_U64(bad, 0);
  /* and nothing else: the encodings that name no instruction */
  static const uint8_t prefixes[] = {0, 0xfb, 0xfc, 0xfd, 0xfe};
  int unknown = 0, wrong = 0;
  for (size_t i = 0; i < sizeof prefixes; i++) {
    for (uint32_t code = 0; code < 0x400; code++) {
      if (prefixes[i] == 0 && code > 0xff) break;
      bool listed = false;
      for (int op = 0; op < WASM_OP_COUNT && !listed; op++)
        listed = wasm_opinfo_table[op].prefix == prefixes[i] && wasm_opinfo_table[op].code == code;
      if (listed) continue;
      unknown++;
      if (wasm_opcode_lookup(prefixes[i], code) != -1) wrong++;
    }
  }
  CHECK(unknown > 1000);
  CHECK_EQ_U64(wrong, 0);
  CHECK_EQ_I64(wasm_opcode_lookup(0xfa, 0), -1);
  CHECK_EQ_I64(wasm_opcode_lookup(0x01, 0), -1);
  CHECK_EQ_I64(wasm_opcode_lookup(0xfd, 0xffffffffu), -1);
}

/* Reads bytes[0..n) both ways under `features`; returns false (after a failed check) when
 * they differ in outcome, error, position or instruction. *fast: the inline path took it. */
static bool same_read(const uint8_t *bytes, size_t n, uint32_t features, bool *fast) {
  util_reader ra = {bytes, bytes, bytes + n, 100}, rb = ra, rs = ra;
  wasm_instr a, b, s;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  memset(&s, 0, sizeof s);
  util_error ea, eb;
  util_error_clear(&ea);
  util_error_clear(&eb);
  bool oka = wasm_read_instr_features(&ra, &a, features, &ea);
  bool okb = wasm_read_instr_long(&rb, &b, features, &eb);
  *fast = wasm_read_instr_short(&rs, &s);
  bool same = oka == okb && ra.p == rb.p && memcmp(&a, &b, sizeof a) == 0 && ea.offset == eb.offset &&
              strcmp(ea.msg, eb.msg) == 0;
  /* what the inline path took, the complete reader reads the same */
  if (*fast) same = same && okb && rs.p == rb.p && memcmp(&s, &b, sizeof s) == 0;
  else same = same && rs.p == bytes; /* refused: the reader untouched */
  if (!same) {
    printf("  bytes");
    for (size_t i = 0; i < n; i++) printf(" %02x", bytes[i]);
    printf(" (features %#x): %s / %s; \"%s\" / \"%s\"\n", features, oka ? "ok" : "error", okb ? "ok" : "error",
           ea.msg, eb.msg);
  }
  return same;
}

UNIT_GROUP(instr_short) {
  static const uint8_t seconds[] = {0x00, 0x01, 0x05, 0x3f, 0x40, 0x41, 0x6f, 0x70, 0x7b,
                                    0x7c, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0xc0, 0xff};
  static const uint8_t thirds[] = {0x00, 0x02, 0x40, 0x7f, 0x80, 0xff};
  static const uint32_t feature_sets[] = {WASM_FEATURES_2_0, WASM_FEATURES_ALL, WASM_FEATURE_MULTI_MEMORY,
                                          WASM_FEATURE_MEMORY64, WASM_FEATURE_TYPED_REFS | WASM_FEATURE_GC,
                                          WASM_FEATURE_THREADS};
  int differ = 0;
  size_t fast = 0, total = 0;
  for (size_t f = 0; f < sizeof feature_sets / sizeof *feature_sets; f++) {
    for (int b0 = 0; b0 < 256; b0++) {
      for (size_t i = 0; i < sizeof seconds; i++) {
        for (size_t k = 0; k < sizeof thirds; k++) {
          /* then bytes that end any LEB128 (a float constant's bytes when it is one) */
          uint8_t in[12] = {(uint8_t)b0, seconds[i], thirds[k], 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x01, 0x02, 0x03};
          /* every length from 1: the short inputs are where the two paths part */
          for (size_t n = 1; n <= sizeof in; n++) {
            bool took;
            total++;
            if (!same_read(in, n, feature_sets[f], &took) && differ++ > 10) goto done;
            fast += took;
          }
        }
      }
    }
  }
done:
  CHECK_EQ_U64(differ, 0);
  /* the inline path is taken, and for what it is meant for */
  CHECK(fast > total / 10);
  static const uint8_t local_get[] = {0x20, 0x05, 0x0b};          /* local.get 5 */
  static const uint8_t load[] = {0x28, 0x02, 0x10, 0x0b};         /* i32.load align=4 offset=16 */
  static const uint8_t gated[] = {0xd3, 0x0b, 0x0b};              /* ref.eq: GC only */
  static const uint8_t long_leb[] = {0x41, 0x80, 0x01, 0x0b};     /* i32.const 128: two bytes */
  const struct {
    const uint8_t *b;
    size_t n;
    bool fast;
  } cases[] = {{local_get, 3, true}, {load, 4, true}, {gated, 3, false}, {long_leb, 4, false}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    util_reader r = {cases[i].b, cases[i].b, cases[i].b + cases[i].n, 0};
    wasm_instr in;
    CHECK(wasm_read_instr_short(&r, &in) == cases[i].fast);
  }
  util_reader r = {load, load, load + 4, 7};
  wasm_instr in;
  CHECK(wasm_read_instr_short(&r, &in) && in.op == WASM_OP_I32_LOAD && in.mem.align == 2 && in.mem.offset == 16 &&
        in.offset == 7 && r.p == load + 3);
}

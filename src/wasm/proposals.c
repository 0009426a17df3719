/* Recognising the proposals after 3.0 (proposals.h): their binary encodings and text
 * keywords, from each proposal's overview, as far as needed to name the proposal. */
#include "proposals.h"

#include <stdio.h>
#include <string.h>

const char *wasm_proposal_name(wasm_proposal p) {
  static const char names[WASM_PROPOSAL_COUNT][28] = {
      [WASM_PROPOSAL_NONE] = "none",
      [WASM_PROPOSAL_THREADS] = "threads",
      [WASM_PROPOSAL_SHARED_EVERYTHING] = "shared-everything threads",
      [WASM_PROPOSAL_CUSTOM_PAGE_SIZES] = "custom page sizes",
      [WASM_PROPOSAL_WIDE_ARITHMETIC] = "wide arithmetic",
      [WASM_PROPOSAL_STACK_SWITCHING] = "stack switching",
      [WASM_PROPOSAL_CUSTOM_DESCRIPTORS] = "custom descriptors",
      [WASM_PROPOSAL_MEMORY_CONTROL] = "memory control",
      [WASM_PROPOSAL_COMPACT_IMPORTS] = "compact import section",
      [WASM_PROPOSAL_FP16] = "half precision (fp16)",
  };
  return p >= 0 && p < WASM_PROPOSAL_COUNT ? names[p] : "none";
}

wasm_proposal wasm_proposal_of_opcode(uint8_t prefix, uint32_t sub) {
  switch (prefix) {
  case 0: return sub >= 0xe0 && sub <= 0xe6 ? WASM_PROPOSAL_STACK_SWITCHING : WASM_PROPOSAL_NONE; /* cont.new .. switch */
  case 0xfb: return sub >= 0x20 && sub <= 0x26 ? WASM_PROPOSAL_CUSTOM_DESCRIPTORS : WASM_PROPOSAL_NONE; /* struct.new_desc .. */
  case 0xfc:
    if (sub == 0x12) return WASM_PROPOSAL_MEMORY_CONTROL;                   /* memory.discard */
    if (sub >= 0x13 && sub <= 0x16) return WASM_PROPOSAL_WIDE_ARITHMETIC;   /* i64.add128 .. i64.mul_wide_u */
    if (sub == 0x30 || sub == 0x31) return WASM_PROPOSAL_FP16;              /* f32.load_f16, f32.store_f16 */
    return WASM_PROPOSAL_NONE;
  case 0xfd: return sub >= 0x120 && sub < 0x150 ? WASM_PROPOSAL_FP16 : WASM_PROPOSAL_NONE; /* f16x8.* */
  case 0xfe: /* threads' atomics (0x00..0x4e) are implemented; later ones share everything */
    return sub <= 0x4e ? WASM_PROPOSAL_NONE : WASM_PROPOSAL_SHARED_EVERYTHING;
  default: return WASM_PROPOSAL_NONE;
  }
}

wasm_proposal wasm_proposal_of_type_form(uint8_t form) {
  switch (form) {
  case 0x5d: return WASM_PROPOSAL_STACK_SWITCHING;                       /* cont $ft */
  case 0x4d: case 0x4c: return WASM_PROPOSAL_CUSTOM_DESCRIPTORS;         /* descriptor, describes */
  case 0x65: return WASM_PROPOSAL_SHARED_EVERYTHING;                     /* shared */
  default: return WASM_PROPOSAL_NONE;
  }
}

wasm_proposal wasm_proposal_of_heap_byte(uint8_t b) {
  switch (b) {
  case 0x68: case 0x75: return WASM_PROPOSAL_STACK_SWITCHING;            /* cont, nocont */
  case 0x62: return WASM_PROPOSAL_CUSTOM_DESCRIPTORS;                    /* exact $t */
  case 0x65: return WASM_PROPOSAL_SHARED_EVERYTHING;                     /* shared ht */
  default: return WASM_PROPOSAL_NONE;
  }
}

wasm_proposal wasm_proposal_of_limits_flags(uint8_t flags, bool table) {
  if (flags & 0xf0) return WASM_PROPOSAL_NONE; /* no proposal defines these bits */
  if (flags & 0x08) return WASM_PROPOSAL_CUSTOM_PAGE_SIZES;
  if (flags & 0x02) return table ? WASM_PROPOSAL_SHARED_EVERYTHING : WASM_PROPOSAL_NONE; /* a shared memory: threads */
  return WASM_PROPOSAL_NONE;
}

static bool eq(const char *kw, size_t len, const char *s) { return strlen(s) == len && memcmp(kw, s, len) == 0; }

static bool prefix(const char *kw, size_t len, const char *p) {
  size_t n = strlen(p);
  return len >= n && memcmp(kw, p, n) == 0;
}

wasm_proposal wasm_proposal_of_keyword(const char *kw, size_t len, bool after_lpar, const char *form, size_t form_len) {
  /* keywords that may stand anywhere: instruction names and heap types (the names are
   * arrays, not pointers, so the tables need no relocations when the program starts) */
  static const struct { char kw[24]; wasm_proposal p; } words[] = {
      {"i64.add128", WASM_PROPOSAL_WIDE_ARITHMETIC},       {"i64.sub128", WASM_PROPOSAL_WIDE_ARITHMETIC},
      {"i64.mul_wide_s", WASM_PROPOSAL_WIDE_ARITHMETIC},   {"i64.mul_wide_u", WASM_PROPOSAL_WIDE_ARITHMETIC},
      {"cont", WASM_PROPOSAL_STACK_SWITCHING},             {"nocont", WASM_PROPOSAL_STACK_SWITCHING},
      {"contref", WASM_PROPOSAL_STACK_SWITCHING},          {"nullcontref", WASM_PROPOSAL_STACK_SWITCHING},
      {"cont.new", WASM_PROPOSAL_STACK_SWITCHING},         {"cont.bind", WASM_PROPOSAL_STACK_SWITCHING},
      {"suspend", WASM_PROPOSAL_STACK_SWITCHING},          {"resume", WASM_PROPOSAL_STACK_SWITCHING},
      {"resume_throw", WASM_PROPOSAL_STACK_SWITCHING},     {"resume_throw_ref", WASM_PROPOSAL_STACK_SWITCHING},
      {"switch", WASM_PROPOSAL_STACK_SWITCHING},
      {"ref.get_desc", WASM_PROPOSAL_CUSTOM_DESCRIPTORS},  {"ref.cast_desc", WASM_PROPOSAL_CUSTOM_DESCRIPTORS},
      {"ref.cast_desc_eq", WASM_PROPOSAL_CUSTOM_DESCRIPTORS}, {"br_on_cast_desc", WASM_PROPOSAL_CUSTOM_DESCRIPTORS},
      {"br_on_cast_desc_fail", WASM_PROPOSAL_CUSTOM_DESCRIPTORS},
      {"br_on_cast_desc_eq", WASM_PROPOSAL_CUSTOM_DESCRIPTORS},
      {"br_on_cast_desc_eq_fail", WASM_PROPOSAL_CUSTOM_DESCRIPTORS},
      {"struct.new_desc", WASM_PROPOSAL_CUSTOM_DESCRIPTORS}, {"struct.new_default_desc", WASM_PROPOSAL_CUSTOM_DESCRIPTORS},
      {"memory.discard", WASM_PROPOSAL_MEMORY_CONTROL},
      {"f32.load_f16", WASM_PROPOSAL_FP16},                {"f32.store_f16", WASM_PROPOSAL_FP16},
  };
  /* keywords that only open a form: (pagesize 1), (type (cont $f)), (ref (exact $t)) */
  static const struct { char kw[12]; wasm_proposal p; } forms[] = {
      {"shared", WASM_PROPOSAL_SHARED_EVERYTHING},  /* (shared (func)), (ref (shared any)) */
      {"pagesize", WASM_PROPOSAL_CUSTOM_PAGE_SIZES},
      {"on", WASM_PROPOSAL_STACK_SWITCHING},        /* resume's handlers */
      {"descriptor", WASM_PROPOSAL_CUSTOM_DESCRIPTORS}, {"describes", WASM_PROPOSAL_CUSTOM_DESCRIPTORS},
      {"exact", WASM_PROPOSAL_CUSTOM_DESCRIPTORS},
  };
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (eq(kw, len, words[i].kw)) return words[i].p;
  /* (import "m" (item "f" (func))); (elem (item ...)) is 2.0's */
  if (after_lpar && eq(kw, len, "item")) return form && eq(form, form_len, "import") ? WASM_PROPOSAL_COMPACT_IMPORTS : WASM_PROPOSAL_NONE;
  if (after_lpar)
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
      if (eq(kw, len, forms[i].kw)) return forms[i].p;
  if (eq(kw, len, "shared")) {
    /* (table shared 1 funcref), (global shared i32) share more than memories */
    if (form && (eq(form, form_len, "table") || eq(form, form_len, "global"))) return WASM_PROPOSAL_SHARED_EVERYTHING;
    return WASM_PROPOSAL_NONE; /* a shared memory, (memory 1 1 shared): threads, implemented */
  }
  if (prefix(kw, len, "struct.atomic.") || prefix(kw, len, "array.atomic.") || prefix(kw, len, "global.atomic.") ||
      prefix(kw, len, "table.atomic."))
    return WASM_PROPOSAL_SHARED_EVERYTHING;
  /* memory.atomic.*, i32.atomic.*, i64.atomic.*: threads, implemented (opcodes.def); a
   * name of that shape that is none of its instructions is plainly unknown */
  if (prefix(kw, len, "f16x8.")) return WASM_PROPOSAL_FP16;
  return WASM_PROPOSAL_NONE;
}

bool wasm_proposal_note(util_error *err, wasm_proposal p) {
  if (p == WASM_PROPOSAL_NONE || !err || strstr(err->msg, "(not supported: ")) return false;
  size_t n = strlen(err->msg);
  if (n < sizeof err->msg) snprintf(err->msg + n, sizeof err->msg - n, " (not supported: %s)", wasm_proposal_name(p));
  return false;
}

wasm_proposal wasm_proposal_in_message(const char *msg) {
  const char *s = msg ? strstr(msg, "not supported: ") : NULL;
  if (!s) return WASM_PROPOSAL_NONE;
  s += strlen("not supported: ");
  for (int p = WASM_PROPOSAL_NONE + 1; p < WASM_PROPOSAL_COUNT; p++) {
    const char *name = wasm_proposal_name((wasm_proposal)p);
    size_t n = strlen(name);
    if (strncmp(s, name, n) == 0 && (s[n] == ')' || s[n] == '\0' || s[n] == ':' || s[n] == ' ')) return (wasm_proposal)p;
  }
  return WASM_PROPOSAL_NONE;
}

/* Printing a trap's backtrace for people: one line per frame, but a deep recursion is
 * one frame and a count, not 64 copies of the same line. Works only through the public
 * accessors of weld.h, so an embedder's own printer can do the same. */
#include <stdio.h>
#include <string.h>

#include "weld.h"

/* One position of the printed stack: a recorded frame, or the frames the trap did not
 * record (count of them; frame set when they all ran one function). */
typedef struct item {
  const weld_frame *f;
  size_t count;
  bool skipped;
} item;

#define MAX_PERIOD 4 /* longest call cycle (a -> b -> c -> d -> a) recognised */
#define MIN_REPEATS 3
#define MIN_HIDDEN 3 /* fewer repeated frames than this are shown as they are */

static bool same_func(const item *a, const item *b) {
  if (!a->f || !b->f) return false;
  return a->f->func_index == b->f->func_index && a->f->module_name == b->f->module_name;
}

static void put_count(FILE *out, size_t n) {
  char digits[32];
  int len = snprintf(digits, sizeof digits, "%zu", n);
  for (int i = 0; i < len; i++) {
    if (i && (len - i) % 3 == 0) fputc(',', out);
    fputc(digits[i], out);
  }
}

static void put_name(FILE *out, const weld_frame *f) {
  if (f->func_name) fprintf(out, "%s (func %u)", f->func_name, f->func_index);
  else fprintf(out, "func %u", f->func_index);
}

static void put_frame(FILE *out, const weld_frame *f) {
  fprintf(out, "  %u: ", f->depth);
  put_name(out, f);
  if (f->file) {
    fprintf(out, " at %s", f->file);
    if (f->line) fprintf(out, ":%u", f->line);
    if (f->line && f->column) fprintf(out, ":%u", f->column);
    if (f->code_offset) fprintf(out, " (offset 0x%x)", f->code_offset);
  } else if (f->code_offset) {
    fprintf(out, " at offset 0x%x", f->code_offset);
  }
  fputc('\n', out);
}

static void put_item(FILE *out, const item *it) {
  if (!it->skipped) {
    put_frame(out, it->f);
    return;
  }
  fputs("  ... ", out);
  put_count(out, it->count);
  fputs(it->count == 1 ? " more frame" : " more frames", out);
  if (it->f) {
    fputs(" of ", out);
    put_name(out, it->f);
  }
  fputc('\n', out);
}

void weld_trap_print_backtrace(const weld_trap *t, FILE *out) {
  size_t n = weld_trap_frame_count(t);
  item items[2 * 64 + 1]; /* every frame, a gap before each, the unrecorded tail */
  size_t ni = 0;
  const weld_frame *gap = weld_trap_skipped_func(t);
  for (size_t i = 0; i < n; i++) {
    const weld_frame *f = weld_trap_frame(t, i);
    uint32_t expect = i ? weld_trap_frame(t, i - 1)->depth + 1 : 0;
    if (f->depth > expect) items[ni++] = (item){gap, f->depth - expect, true};
    items[ni++] = (item){f, 1, false};
  }
  size_t total = weld_trap_frame_total(t);
  if (n && total > (size_t)weld_trap_frame(t, n - 1)->depth + 1)
    items[ni++] = (item){NULL, total - weld_trap_frame(t, n - 1)->depth - 1, true};

  for (size_t i = 0; i < ni;) {
    /* the shortest call cycle starting here that repeats at least MIN_REPEATS times */
    size_t period = 0, end = i;
    for (size_t p = 1; p <= MAX_PERIOD && !period; p++) {
      size_t j = i + p;
      while (j < ni && same_func(&items[j], &items[j - p])) j++;
      if (j - i >= MIN_REPEATS * p) period = p, end = j;
    }
    size_t more = 0;
    for (size_t k = i + period; k < end; k++) more += items[k].count;
    if (!period || more < MIN_HIDDEN) {
      put_item(out, &items[i++]);
      continue;
    }
    for (size_t k = i; k < i + period; k++) put_item(out, &items[k]);
    fputs("  ... ", out);
    put_count(out, more);
    if (period == 1) {
      fputs(more == 1 ? " more frame of " : " more frames of ", out);
      put_name(out, items[i].f);
    } else {
      fprintf(out, " more frames repeating the %zu above", period);
    }
    fputc('\n', out);
    i = end;
  }
}

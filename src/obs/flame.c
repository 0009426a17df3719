/* The SVG flame graph, drawn here rather than by an external script: the root's
 * callees along the bottom, each callee stacked on its caller, every box as wide as its
 * share of the ticks. Plain SVG 1.1 with <title> tooltips and no scripts, so any browser
 * or image viewer shows it and it can be checked as XML. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"

#define WIDTH 1200.0
#define PAD 10.0
#define FRAME_H 16.0
#define TOP 34.0       /* room for the title */
#define BOTTOM 24.0    /* room for the summary line */
#define CHAR_W 6.6     /* average glyph width of 11px monospace, for clipping labels */
#define MIN_W 0.1      /* boxes narrower than this are left out (as flamegraph.pl does) */

static void xml_text(FILE *f, const char *s, size_t max) {
  for (size_t i = 0; s[i] && i < max; i++) {
    switch (s[i]) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&apos;", f); break;
    default:
      /* control characters are not allowed in XML 1.0; names are UTF-8, kept as is */
      fputc((unsigned char)s[i] < 0x20 ? '?' : s[i], f);
    }
  }
}

/* A warm colour from the name, so one function has one colour throughout. */
static void colour(const char *name, unsigned *r, unsigned *g, unsigned *b) {
  uint32_t h = 2166136261u;
  for (const char *c = name; *c; c++) h = (h ^ (unsigned char)*c) * 16777619u;
  *r = 205 + h % 50;
  *g = (h >> 8) % 200;
  *b = (h >> 16) % 55;
}

static uint32_t max_depth(const obs_tree *t, uint32_t i) {
  uint32_t d = 0;
  for (uint32_t c = t->nodes[i].child; c; c = t->nodes[c].next) {
    uint32_t k = max_depth(t, c) + 1;
    if (k > d) d = k;
  }
  return d;
}

static void boxes(const obs_tree *t, uint32_t *scratch, uint32_t i, double x, uint32_t depth, double scale,
                  double base_y, uint64_t all, FILE *f) {
  const obs_node *n = &t->nodes[i];
  double w = (double)n->total * scale;
  if (w < MIN_W) return;
  if (i) {
    double y = base_y - (double)depth * FRAME_H;
    unsigned r, g, b;
    colour(n->name, &r, &g, &b);
    fputs("<g><title>", f);
    xml_text(f, n->name, SIZE_MAX);
    fprintf(f, " (%" PRIu64 " sample%s, %.2f%%)</title>", n->total, n->total == 1 ? "" : "s",
            100.0 * (double)n->total / (double)all);
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"rgb(%u,%u,%u)\" rx=\"2\"/>", x, y, w,
            FRAME_H - 1, r, g, b);
    size_t fit = w > 2 * CHAR_W ? (size_t)((w - 6) / CHAR_W) : 0;
    if (fit >= 3) {
      size_t len = strlen(n->name);
      fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 3, y + FRAME_H - 5);
      if (len <= fit) {
        xml_text(f, n->name, len);
      } else {
        xml_text(f, n->name, fit - 2);
        fputs("..", f);
      }
      fputs("</text>", f);
    }
    fputs("</g>\n", f);
  }
  uint32_t *c = scratch, nc = obs_tree_children(t, i, c);
  double cx = x;
  for (uint32_t k = 0; k < nc; k++) {
    boxes(t, scratch + nc, c[k], cx, depth + 1, scale, base_y, all, f);
    cx += (double)t->nodes[c[k]].total * scale;
  }
}

bool obs_flame_svg(const obs_tree *t, uint32_t *scratch, const char *title, FILE *f) {
  uint64_t all = t->n ? t->nodes[0].total : 0;
  uint32_t depth = t->n ? max_depth(t, 0) : 0;
  double height = TOP + (double)depth * FRAME_H + BOTTOM;
  fprintf(f,
          "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
          "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
          "viewBox=\"0 0 %.0f %.0f\">\n"
          "<style>text { font-family: monospace; font-size: 11px; fill: #000; pointer-events: none; }\n"
          "g:hover rect { stroke: #000; stroke-width: 0.5; }</style>\n"
          "<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" fill=\"#fdf6e8\"/>\n"
          "<text x=\"%.0f\" y=\"22\" style=\"font-size: 15px\" text-anchor=\"middle\">",
          WIDTH, height, WIDTH, height, WIDTH / 2);
  xml_text(f, title ? title : "Flame graph", SIZE_MAX);
  fputs("</text>\n", f);
  if (all) boxes(t, scratch, 0, PAD, 0, (WIDTH - 2 * PAD) / (double)all, TOP + ((double)depth - 1) * FRAME_H + FRAME_H, all, f);
  fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">%" PRIu64 " sample%s; hover a box for its count</text>\n</svg>\n", PAD,
          height - 8, all, all == 1 ? "" : "s");
  return !ferror(f);
}

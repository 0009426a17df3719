/* `weld run --profile=guest[,PATH]`: samples the guest's WebAssembly stack while it runs
 * and writes folded stacks to PATH (default weld-profile.folded) and an SVG flame graph
 * beside it (PATH with .svg for .folded). The profiler itself is the library's
 * (weld_profiler_*); the flag is parsed with the others in run.c. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "weld.h"

#define DEFAULT_PATH "weld-profile.folded"

bool cli_profile_start(cli_profile *c, weld_store *store) {
  if (!c->on) return true;
  weld_error *err = NULL;
  c->p = weld_profiler_start(store, 0, &err);
  if (!c->p) {
    fprintf(stderr, "weld: --profile: %s\n", weld_error_message(err));
    weld_error_free(err);
    return false;
  }
  return true;
}

bool cli_profile_finish(cli_profile *c, const char *module_path) {
  if (!c->p) return true;
  weld_profiler_stop(c->p);
  if (!c->path) c->path = DEFAULT_PATH;
  size_t n = strlen(c->path);
  char *svg = malloc(n + 5);
  memcpy(svg, c->path, n + 1);
  if (n > 7 && strcmp(svg + n - 7, ".folded") == 0) svg[n - 7] = 0;
  strcat(svg, ".svg");
  const char *base = strrchr(module_path, '/');
  char title[300];
  snprintf(title, sizeof title, "weld run %s", base ? base + 1 : module_path);
  weld_error *err = NULL;
  bool ok = weld_profiler_write_folded(c->p, c->path, &err) && weld_profiler_write_svg(c->p, svg, title, &err);
  if (ok) {
    unsigned long long k = (unsigned long long)weld_profiler_sample_count(c->p);
    fprintf(stderr, "weld: profile: %llu sample%s in %s, flame graph in %s\n", k, k == 1 ? "" : "s", c->path, svg);
  } else {
    fprintf(stderr, "weld: --profile: %s\n", weld_error_message(err));
    weld_error_free(err);
  }
  free(svg);
  weld_profiler_free(c->p);
  c->p = NULL;
  return ok;
}

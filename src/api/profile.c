/* The profiler part of the API (weld_profiler_*): src/obs's guest profiler with errors
 * as weld_errors. */
#include <stdlib.h>

#include "api_int.h"
#include "obs/profile.h"

struct weld_profiler {
  obs_profiler *p;
};

weld_profiler *weld_profiler_start(weld_store *s, uint64_t interval_ns, weld_error **err) {
  util_error e;
  util_error_clear(&e);
  obs_profiler *p = obs_profiler_start((exec_store *)s, interval_ns, &e);
  if (!p) {
    if (err) *err = api_error_from(&e);
    return NULL;
  }
  weld_profiler *w = util_try_calloc(1, sizeof *w);
  if (!w) {
    obs_profiler_free(p);
    util_fail(&e, UTIL_ERR_OOM, -1, "out of memory");
    if (err) *err = api_error_from(&e);
    return NULL;
  }
  w->p = p;
  return w;
}

void weld_profiler_stop(weld_profiler *w) { obs_profiler_stop(w->p); }

void weld_profiler_free(weld_profiler *w) {
  if (!w) return;
  obs_profiler_free(w->p);
  free(w);
}

uint64_t weld_profiler_sample_count(const weld_profiler *w) { return obs_profiler_samples(w->p); }

bool weld_profiler_write_folded(const weld_profiler *w, const char *path, weld_error **err) {
  util_error e;
  util_error_clear(&e);
  if (obs_profiler_write_folded(w->p, path, &e)) return true;
  if (err) *err = api_error_from(&e);
  return false;
}

bool weld_profiler_write_svg(const weld_profiler *w, const char *path, const char *title, weld_error **err) {
  util_error e;
  util_error_clear(&e);
  if (obs_profiler_write_svg(w->p, path, title, &e)) return true;
  if (err) *err = api_error_from(&e);
  return false;
}

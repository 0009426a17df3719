/* The policy model (see model.h): docs/policy.md's rules, restated. */
#include "model.h"

#include <stdarg.h>
#include <string.h>

/* snprintf through a va_list: names and paths here are short and a cut one is harmless,
 * so the compiler's truncation analysis has nothing to say about them. */
static int bprintf(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bprintf(char *out, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(out, n, fmt, ap);
  va_end(ap);
  return k < 0 ? 0 : (size_t)k < n ? k : (int)(n ? n - 1 : 0);
}

/* One component against one pattern component: `*` any run, `?` one character. */
static bool comp_match(const char *p, size_t pn, const char *s, size_t sn) {
  if (pn == 0) return sn == 0;
  if (p[0] == '*') {
    for (size_t k = 0; k <= sn; k++)
      if (comp_match(p + 1, pn - 1, s + k, sn - k)) return true;
    return false;
  }
  if (sn == 0) return false;
  if (p[0] != '?' && p[0] != s[0]) return false;
  return comp_match(p + 1, pn - 1, s + 1, sn - 1);
}

static size_t comp_len(const char *s) {
  const char *e = strchr(s, '/');
  return e ? (size_t)(e - s) : strlen(s);
}

/* Both start after a '/'. `**` is any number of whole components, none included. */
static bool glob_from(const char *p, const char *s) {
  if (*p == '\0') return *s == '\0';
  size_t pn = comp_len(p);
  const char *prest = p[pn] ? p + pn + 1 : p + pn;
  if (pn == 2 && p[0] == '*' && p[1] == '*') {
    if (glob_from(prest, s)) return true;
    if (*s == '\0') return false;
    size_t sn = comp_len(s);
    return glob_from(p, s[sn] ? s + sn + 1 : s + sn);
  }
  if (*s == '\0') return false;
  size_t sn = comp_len(s);
  if (!comp_match(p, pn, s, sn)) return false;
  return glob_from(prest, s[sn] ? s + sn + 1 : s + sn);
}

bool model_glob(const char *pattern, const char *path) {
  if (pattern[0] != '/' || path[0] != '/') return false;
  return glob_from(pattern + 1, path + 1);
}

static bool under(const char *base, const char *path) {
  size_t n = strlen(base);
  while (n > 1 && base[n - 1] == '/') n--;
  if (strncmp(base, path, n) != 0) return false;
  return path[n] == '\0' || path[n] == '/' || (n == 1 && base[0] == '/');
}

bool model_match(const model_grant *g, const char *path) {
  switch (g->kind) {
  case KIND_EXACT: return strcmp(g->pattern, path) == 0;
  case KIND_GLOB: return model_glob(g->pattern, path);
  case KIND_PREFIX: {
    char base[256];
    bprintf(base, sizeof base, "%s", g->pattern);
    size_t n = strlen(base);
    if (n >= 3 && strcmp(base + n - 3, "/**") == 0) base[n - 3] = '\0';
    return under(base[0] ? base : "/", path);
  }
  }
  return false;
}

unsigned model_ops(const model_policy *p, const char *guest, uint64_t *max_read, uint64_t *max_write) {
  const model_grant *best = NULL;
  for (int i = 0; i < p->ngrants; i++) {
    const model_grant *g = &p->grants[i];
    if (!model_match(g, guest)) continue;
    if (!best || g->kind > best->kind ||
        (g->kind == best->kind && strlen(g->pattern) >= strlen(best->pattern)))
      best = g;
  }
  if (max_read) *max_read = best ? best->max_read : NO_LIMIT;
  if (max_write) *max_write = best ? best->max_write : NO_LIMIT;
  if (best) return best->ops;
  const model_dir *deepest = NULL;
  for (int i = 0; i < p->ndirs; i++)
    if (under(p->dirs[i].guest, guest) && (!deepest || strlen(p->dirs[i].guest) > strlen(deepest->guest)))
      deepest = &p->dirs[i];
  return deepest ? deepest->ops : 0;
}

void model_set_pattern(model_grant *g, const char *raw) {
  size_t k = 0, n = strlen(raw);
  char *out = g->pattern;
  for (size_t i = 0; i < n && k + 2 < sizeof g->pattern;) {
    if (raw[i] == '/') {
      while (i < n && raw[i] == '/') i++;
      if (i + 1 <= n && raw[i] == '.' && (i + 1 == n || raw[i + 1] == '/')) {
        i++;
        continue; /* a "." component */
      }
      out[k++] = '/';
      continue;
    }
    out[k++] = raw[i++];
  }
  out[k] = '\0';
  if (k == 0) bprintf(out, sizeof g->pattern, "/");
  if (strcmp(out, raw) != 0) bprintf(g->written, sizeof g->written, "%s", raw);
  else g->written[0] = '\0';
}

const char *model_ops_str(unsigned ops, char *buf, size_t n) {
  static const char *const names[] = {"read", "write", "create", "delete", "list"};
  size_t k = 0;
  buf[0] = '\0';
  for (int i = 0; i < 5; i++)
    if (ops & (1u << i)) k += (size_t)bprintf(buf + k, n - k, "%s\"%s\"", k ? ", " : "", names[i]);
  return buf;
}

void model_write_toml(const model_policy *p, FILE *f) {
  char ops[80];
  for (int i = 0; i < p->ndirs; i++)
    fprintf(f, "[[fs.dir]]\nhost = \"%s\"\nguest = \"%s\"\nops = [%s]\n\n", p->dirs[i].host,
            p->dirs[i].guest, model_ops_str(p->dirs[i].ops, ops, sizeof ops));
  static const char *const kinds[] = {"", "prefix", "glob", "exact"};
  for (int i = 0; i < p->ngrants; i++) {
    const model_grant *g = &p->grants[i];
    fprintf(f, "[[fs.path]]\npath = \"%s\"\nmatch = \"%s\"\nops = [%s]\n", g->written[0] ? g->written : g->pattern, kinds[g->kind],
            model_ops_str(g->ops, ops, sizeof ops));
    if (g->max_read != NO_LIMIT) fprintf(f, "max_read = %llu\n", (unsigned long long)g->max_read);
    if (g->max_write != NO_LIMIT) fprintf(f, "max_write = %llu\n", (unsigned long long)g->max_write);
    fputc('\n', f);
  }
}

/* Option parsing shared by every command: `--opt value` and `--opt=value` for options with
 * a value, flags that refuse a value, `--` ending the options, `--help`, and "did you
 * mean" suggestions for misspelt options and commands. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_parser_init(cli_parser *p, const char *cmd, const cli_opt *opts, size_t nopts, int argc,
                     char **argv) {
  memset(p, 0, sizeof *p);
  p->cmd = cmd;
  p->opts = opts;
  p->nopts = nopts;
  p->argc = argc;
  p->argv = argv;
  p->i = 1;
}

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions): a
 * swapped pair of letters is one typo, as people make them. */
static size_t typo_distance(const char *a, size_t la, const char *b, size_t lb) {
  enum { MAX = 64 };
  if (la >= MAX || lb >= MAX) return (size_t)-1;
  size_t d[MAX][MAX];
  for (size_t i = 0; i <= la; i++) d[i][0] = i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = j;
  for (size_t i = 1; i <= la; i++) {
    for (size_t j = 1; j <= lb; j++) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
      if (d[i - 1][j - 1] + cost < best) best = d[i - 1][j - 1] + cost;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  }
  return d[la][lb];
}

static const char *skip_dashes(const char *s) {
  while (*s == '-') s++;
  return s;
}

const char *cli_suggest(const char *word, const char *const *candidates, size_t n) {
  const char *w = skip_dashes(word);
  size_t wl = strcspn(w, "=");
  /* about one typo in three letters, at most three */
  size_t limit = wl / 3 < 1 ? 1 : wl / 3 > 3 ? 3 : wl / 3;
  const char *best = NULL;
  size_t bestd = limit + 1;
  for (size_t k = 0; k < n; k++) {
    if (!candidates[k]) continue;
    const char *c = skip_dashes(candidates[k]);
    size_t d = typo_distance(w, wl, c, strlen(c));
    if (d < bestd && d < wl) {
      best = candidates[k];
      bestd = d;
    }
  }
  return best;
}

/* "; did you mean '--dir'?" or "" */
static const char *suggestion(const cli_parser *p, const char *arg, char *buf, size_t n) {
  const char *names[2 * 64 + 1];
  size_t k = 0;
  for (size_t o = 0; o < p->nopts && k + 2 < sizeof names / sizeof names[0]; o++) {
    names[k++] = p->opts[o].name;
    if (p->opts[o].alias[0]) names[k++] = p->opts[o].alias;
  }
  names[k++] = "--help";
  const char *s = cli_suggest(arg, names, k);
  if (!s) return "";
  snprintf(buf, n, "; did you mean '%s'?", s);
  return buf;
}

int cli_parser_next(cli_parser *p) {
  p->opt = NULL;
  p->value = NULL;
  p->operand = NULL;
  if (p->i >= p->argc) return CLI_ARG_DONE;
  char *a = p->argv[p->i++];
  if (p->operands_only || !cli_is_option(a)) {
    if (p->stop_at_operand) p->operands_only = true;
    p->operand = a;
    return CLI_ARG_OPERAND;
  }
  if (strcmp(a, "--") == 0) {
    p->operands_only = true;
    return cli_parser_next(p);
  }
  if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
    const cli_command *c = cli_find_command(p->cmd);
    if (c) cli_print_command_help(stdout, c);
    p->rc = CLI_EXIT_OK;
    return CLI_ARG_EXIT;
  }
  const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
  size_t nl = eq ? (size_t)(eq - a) : strlen(a);
  for (size_t k = 0; k < p->nopts; k++) {
    const cli_opt *o = &p->opts[k];
    bool long_match = strlen(o->name) == nl && strncmp(o->name, a, nl) == 0;
    bool alias_match = !eq && o->alias[0] && strcmp(o->alias, a) == 0;
    if (!long_match && !alias_match) continue;
    p->opt = o;
    if (!o->metavar[0]) {
      if (eq) {
        p->rc = cli_usage_error(p->cmd, "%s is a flag and takes no value (got '%s')", o->name, a);
        return CLI_ARG_EXIT;
      }
      return CLI_ARG_OPTION;
    }
    if (eq) {
      p->value = eq + 1;
    } else if (p->i < p->argc) {
      p->value = p->argv[p->i++];
    } else {
      p->rc = cli_usage_error(p->cmd, "%s needs a value (%s %s)", o->name, o->name, o->metavar);
      return CLI_ARG_EXIT;
    }
    return CLI_ARG_OPTION;
  }
  char buf[96];
  char shown[128];
  snprintf(shown, sizeof shown, "%.*s", (int)(nl < 100 ? nl : 100), a);
  p->rc = cli_usage_error(p->cmd, "unknown option '%s'%s", shown, suggestion(p, shown, buf, sizeof buf));
  return CLI_ARG_EXIT;
}

bool cli_parser_knows(const cli_opt *opts, size_t nopts, const char *arg) {
  const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
  size_t nl = eq ? (size_t)(eq - arg) : strlen(arg);
  for (size_t k = 0; k < nopts; k++) {
    if (strlen(opts[k].name) == nl && strncmp(opts[k].name, arg, nl) == 0) return true;
    if (!eq && opts[k].alias[0] && strcmp(opts[k].alias, arg) == 0) return true;
  }
  return false;
}

bool cli_tier_value(const char *v, int *tier) {
  if (strcmp(v, "interp") == 0) *tier = 0;
  else if (strcmp(v, "baseline") == 0) *tier = 1;
  else if (strcmp(v, "optimized") == 0) *tier = 2;
  else if (strcmp(v, "auto") == 0) *tier = 3;
  else return false;
  return true;
}

bool cli_threshold_value(const char *v, uint32_t *out) {
  if (!v || *v < '0' || *v > '9') return false;
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (*end || errno || n > UINT32_MAX) return false;
  *out = (uint32_t)n;
  return true;
}

/* The policy model: grants, matching rules, limit parsers, profiles, the TOML reader and
 * the policy file format, including malformed files and where their errors point. */
#include <stdio.h>
#include <stdlib.h>

#include "policy/policy.h"
#include "util/toml.h"
#include "unit.h"

static bool parse(policy *p, const char *text, util_error *err) {
  return policy_parse(p, text, strlen(text), "t.toml", err);
}

/* Parses text expecting failure at line:col with a message containing `needle`. */
static void bad(const char *text, int line, int col, const char *needle, int src_line) {
  policy p;
  util_error err;
  policy_init(&p);
  bool ok = parse(&p, text, &err);
  unit_check(!ok, __FILE__, src_line, "file should be rejected: %s", text);
  if (!ok) {
    char want[32];
    snprintf(want, sizeof want, "t.toml:%d:%d: ", line, col);
    unit_check(err.line == line && err.col == col && strncmp(err.msg, want, strlen(want)) == 0, __FILE__,
               src_line, "error at %d:%d, got %d:%d (%s)", line, col, err.line, err.col, err.msg);
    unit_check(strstr(err.msg, needle) != NULL, __FILE__, src_line, "message has '%s': %s", needle, err.msg);
  }
  policy_free(&p);
}
#define BAD(text, line, col, needle) bad(text, line, col, needle, __LINE__)

UNIT_GROUP(policy_sizes) {
  util_error err;
  uint64_t v = 0;
  struct { const char *s; uint64_t want; } ok[] = {
      {"4096", 4096}, {"64KiB", 64 << 10}, {"64K", 64 << 10}, {"16MiB", 16 << 20}, {"16M", 16 << 20},
      {"1GiB", 1ull << 30}, {"1G", 1ull << 30}, {"0", 0}, {"2TiB", 2ull << 40}, {"1_000", 1000},
      {"10B", 10}, {"18446744073709551615", UINT64_MAX},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    util_error_clear(&err);
    v = 0;
    CHECK(policy_parse_size(ok[i].s, &v, &err));
    CHECK_EQ_U64(v, ok[i].want);
  }
  const char *badv[] = {"", "K", "-1", "12X", "1.5M", "64 KiB", "18446744073709551616", "17179869184G", "1__0", "_1"};
  for (size_t i = 0; i < sizeof badv / sizeof badv[0]; i++) {
    util_error_clear(&err);
    CHECK(!policy_parse_size(badv[i], &v, &err));
    CHECK(err.kind == UTIL_ERR_USAGE && err.msg[0]);
  }
}

UNIT_GROUP(policy_durations) {
  util_error err;
  uint64_t v = 0;
  struct { const char *s; uint64_t want; } ok[] = {
      {"100ms", 100000000}, {"2s", 2000000000}, {"1m", 60000000000ull}, {"500us", 500000},
      {"7ns", 7}, {"1h", 3600000000000ull},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    util_error_clear(&err);
    CHECK(policy_parse_duration(ok[i].s, &v, &err));
    CHECK_EQ_U64(v, ok[i].want);
  }
  const char *badv[] = {"", "100", "2 s", "s", "1d", "-1s", "99999999999999999999s", "9999999999h"};
  for (size_t i = 0; i < sizeof badv / sizeof badv[0]; i++) {
    util_error_clear(&err);
    CHECK(!policy_parse_duration(badv[i], &v, &err));
  }
}

UNIT_GROUP(policy_paths) {
  char buf[64];
  CHECK(policy_path_normalize("/a//b/./c/", buf, sizeof buf) && strcmp(buf, "/a/b/c") == 0);
  CHECK(policy_path_normalize("/a/b/../c", buf, sizeof buf) && strcmp(buf, "/a/c") == 0);
  CHECK(policy_path_normalize("a/./b", buf, sizeof buf) && strcmp(buf, "a/b") == 0);
  CHECK(policy_path_normalize("./", buf, sizeof buf) && strcmp(buf, ".") == 0);
  CHECK(policy_path_normalize("/", buf, sizeof buf) && strcmp(buf, "/") == 0);
  CHECK(!policy_path_normalize("/..", buf, sizeof buf));
  CHECK(!policy_path_normalize("a/../..", buf, sizeof buf));
  CHECK(!policy_path_normalize("/aaaaaaaaaa", buf, 4));

  CHECK(policy_path_classify("/data/x.txt") == POLICY_MATCH_EXACT);
  CHECK(policy_path_classify("/data/") == POLICY_MATCH_PREFIX);
  CHECK(policy_path_classify("/data/**") == POLICY_MATCH_PREFIX);
  CHECK(policy_path_classify("/data/*.txt") == POLICY_MATCH_GLOB);
  CHECK(policy_path_classify("/d?ta/**") == POLICY_MATCH_GLOB);

  /* prefix: component boundaries */
  CHECK(policy_path_match("/data/", POLICY_MATCH_PREFIX, "/data"));
  CHECK(policy_path_match("/data/**", POLICY_MATCH_PREFIX, "/data/a/b"));
  CHECK(!policy_path_match("/data/", POLICY_MATCH_PREFIX, "/database"));
  CHECK(policy_path_match("/", POLICY_MATCH_PREFIX, "/anything"));
  /* glob */
  CHECK(policy_path_match("/d/*.txt", POLICY_MATCH_GLOB, "/d/a.txt"));
  CHECK(!policy_path_match("/d/*.txt", POLICY_MATCH_GLOB, "/d/x/a.txt"));
  CHECK(policy_path_match("/d/**/*.txt", POLICY_MATCH_GLOB, "/d/a.txt"));
  CHECK(policy_path_match("/d/**/*.txt", POLICY_MATCH_GLOB, "/d/x/y/a.txt"));
  CHECK(policy_path_match("/d/?.log", POLICY_MATCH_GLOB, "/d/a.log"));
  CHECK(!policy_path_match("/d/?.log", POLICY_MATCH_GLOB, "/d/ab.log"));
  CHECK(!policy_path_match("/d?x", POLICY_MATCH_GLOB, "/d/x"));
  CHECK(policy_path_match("/d/**", POLICY_MATCH_GLOB, "/d/a/b"));
  CHECK(policy_path_match("/a*b*c*d*e*f*g", POLICY_MATCH_GLOB, "/aXbXcXdXeXfXg"));
  CHECK(!policy_path_match("/a*a*a*a*a*a*a*a*a*a*a*b", POLICY_MATCH_GLOB,
                           "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
  /* exact */
  CHECK(policy_path_match("/a/b", POLICY_MATCH_EXACT, "/a/b"));
  CHECK(!policy_path_match("/a/b", POLICY_MATCH_EXACT, "/a/b/c"));
}

UNIT_GROUP(policy_most_specific) {
  policy p;
  policy_init(&p);
  const policy_path *g;
  CHECK_EQ_U64(policy_path_ops(&p, "/data/x", &g), 0); /* deny by default */
  policy_add_dir(&p, "/host/data", "/data", POLICY_OP_READ | POLICY_OP_LIST);
  policy_add_dir(&p, "/host/data/out", "/data/out", POLICY_OP_ALL);
  policy_add_path(&p, "/data/secret/", 0, POLICY_UNLIMITED, POLICY_UNLIMITED);
  policy_add_path(&p, "/data/secret/*.pub", POLICY_OP_READ, 1024, 0);
  policy_add_path(&p, "/data/secret/ok.pub", POLICY_OP_READ | POLICY_OP_WRITE, 10, 20);
  policy_add_path(&p, "/data/logs/", POLICY_OP_READ, POLICY_UNLIMITED, POLICY_UNLIMITED);
  policy_add_path(&p, "/data/logs/app/", POLICY_OP_READ | POLICY_OP_WRITE, POLICY_UNLIMITED, POLICY_UNLIMITED);

  CHECK_EQ_U64(policy_path_ops(&p, "/data/a.txt", &g), POLICY_OP_READ | POLICY_OP_LIST);
  CHECK(g == NULL);
  CHECK_EQ_U64(policy_path_ops(&p, "/data/out/a", &g), POLICY_OP_ALL); /* deeper dir wins */
  CHECK_EQ_U64(policy_path_ops(&p, "/elsewhere", &g), 0);
  CHECK_EQ_U64(policy_path_ops(&p, "/data/secret/key", &g), 0);        /* prefix */
  CHECK(g && g->match == POLICY_MATCH_PREFIX);
  CHECK_EQ_U64(policy_path_ops(&p, "/data/secret/a.pub", &g), POLICY_OP_READ); /* glob > prefix */
  CHECK(g && g->max_read_bytes == 1024);
  CHECK_EQ_U64(policy_path_ops(&p, "/data/secret/ok.pub", &g), POLICY_OP_READ | POLICY_OP_WRITE); /* exact */
  CHECK(g && g->max_write_bytes == 20);
  CHECK_EQ_U64(policy_path_ops(&p, "/data/logs/app/x", &g), POLICY_OP_READ | POLICY_OP_WRITE); /* longer */
  CHECK_EQ_U64(policy_path_ops(&p, "/data/logs/other", &g), POLICY_OP_READ);
  policy_free(&p);

  /* "." preopen: relative guest paths */
  policy_init(&p);
  policy_add_dir(&p, "/srv", ".", POLICY_OP_READ);
  CHECK_EQ_U64(policy_path_ops(&p, "a/b", NULL), POLICY_OP_READ);
  CHECK_EQ_U64(policy_path_ops(&p, "/a/b", NULL), 0);
  policy_free(&p);
}

UNIT_GROUP(policy_env_net) {
  policy p;
  util_error err;
  policy_init(&p);
  CHECK(!policy_env_allowed(&p, "HOME"));
  policy_add_env(&p, "HOME", NULL);
  policy_add_env(&p, "MODE", "prod");
  CHECK(policy_env_allowed(&p, "HOME"));
  CHECK(policy_env_allowed(&p, "MODE"));
  CHECK(!policy_env_allowed(&p, "PATH"));
  p.env_inherit_all = true;
  CHECK(policy_env_allowed(&p, "PATH"));
  policy_free(&p);

  policy_init(&p);
  util_error_clear(&err);
  CHECK(!policy_net_allowed(&p, "example.com", 443, POLICY_NET_CONNECT));
  CHECK(policy_add_net(&p, "api.example.com:443", POLICY_NET_CONNECT, &err));
  CHECK(policy_add_net(&p, "127.0.0.1:8000-8099", POLICY_NET_LISTEN, &err));
  CHECK(policy_add_net(&p, "[::1]:*", POLICY_NET_CONNECT, &err));
  CHECK(policy_add_net(&p, "*.internal:5432", POLICY_NET_CONNECT | POLICY_NET_LISTEN, &err));
  CHECK(policy_net_allowed(&p, "API.example.com", 443, POLICY_NET_CONNECT));
  CHECK(!policy_net_allowed(&p, "api.example.com", 80, POLICY_NET_CONNECT));
  CHECK(!policy_net_allowed(&p, "api.example.com", 443, POLICY_NET_LISTEN));
  CHECK(policy_net_allowed(&p, "127.0.0.1", 8050, POLICY_NET_LISTEN));
  CHECK(!policy_net_allowed(&p, "127.0.0.1", 8100, POLICY_NET_LISTEN));
  CHECK(policy_net_allowed(&p, "0:0::1", 1, POLICY_NET_CONNECT));
  CHECK(policy_net_allowed(&p, "db.internal", 5432, POLICY_NET_LISTEN));
  CHECK(!policy_net_allowed(&p, "internal", 5432, POLICY_NET_CONNECT));
  const char *badspecs[] = {"nohost", ":80", "h:", "h:70000", "h:9-1", "::1:80", "[::1]80", "h:8x", "a b:1"};
  for (size_t i = 0; i < sizeof badspecs / sizeof badspecs[0]; i++) {
    util_error_clear(&err);
    CHECK(!policy_add_net(&p, badspecs[i], POLICY_NET_CONNECT, &err));
  }
  util_error_clear(&err);
  CHECK(!policy_add_net(&p, "h:1", 0, &err));
  CHECK_EQ_U64(p.nnet, 4);
  policy_free(&p);
}

UNIT_GROUP(policy_profiles) {
  policy p;
  util_error err;
  util_error_clear(&err);
  policy_init(&p);
  CHECK(p.allow_stdout && p.allow_stderr && p.allow_exit && !p.allow_stdin && !p.allow_clocks);
  CHECK(policy_profile(&p, "isolated", &err));
  CHECK(!p.allow_clocks && !p.allow_random && !p.allow_stdin && p.allow_stdout && p.nnet == 0 && p.ndirs == 0);
  CHECK(p.has_max_risk && p.max_risk == POLICY_RISK_LOW);
  CHECK_EQ_U64(p.limits.memory_bytes, 64ull << 20);
  CHECK_STR(p.name, "isolated");
  policy_free(&p);

  policy_init(&p);
  CHECK(policy_profile(&p, "readonly-fs", &err));
  CHECK(p.allow_clocks && p.allow_random && !p.env_inherit_all);
  CHECK_EQ_U64(p.dir_default_ops, POLICY_OP_READ | POLICY_OP_LIST);
  policy_free(&p);

  policy_init(&p);
  CHECK(policy_profile(&p, "cli", &err));
  CHECK(p.env_inherit_all && p.allow_stdin && p.nnet == 0);
  CHECK_EQ_U64(p.dir_default_ops, POLICY_OP_ALL);
  CHECK(!policy_profile(&p, "nope", &err));
  CHECK(strstr(err.msg, "unknown preset") != NULL);
  policy_free(&p);

  size_t n = 0;
  while (policy_profile_names[n]) n++;
  CHECK_EQ_U64(n, 3);
}

UNIT_GROUP(policy_merge) {
  policy a, b;
  util_error err;
  util_error_clear(&err);
  policy_init(&a);
  CHECK(policy_profile(&a, "isolated", &err));
  policy_init(&b);
  b.limits.memory_bytes = 1 << 20;
  b.allow_clocks = true;
  policy_add_env(&b, "X", "1");
  CHECK(policy_merge(&a, &b, NULL));
  CHECK_EQ_U64(a.limits.memory_bytes, 1 << 20);      /* later limit overrides */
  CHECK_EQ_U64(a.limits.table_elements, 10000);      /* unset limit keeps */
  CHECK(a.allow_clocks && a.nenv == 1 && a.max_risk == POLICY_RISK_LOW);
  policy_free(&b);
  /* An explicit "unlimited" overrides too. */
  policy_init(&b);
  b.limits_set = POLICY_LIMIT_MEMORY;
  CHECK(policy_merge(&a, &b, NULL));
  CHECK_EQ_U64(a.limits.memory_bytes, POLICY_UNLIMITED);
  policy_free(&b);
  policy_free(&a);
}

static const char full_file[] =
    "# a complete policy\n"
    "name = \"svc\"\n"
    "[fs]\n"
    "max_open_files = 32\n"
    "max_read_total = \"1GiB\"\n"
    "max_write_total = 65_536\n"
    "[[fs.dir]]\n"
    "host = './data'   # literal string\n"
    "guest = \"/data\"\n"
    "ops = [\"read\", \"list\"]\n"
    "[[fs.dir]]\n"
    "host = \"/tmp/out\"\n"
    "ops = [\"all\"]\n"
    "[[fs.path]]\n"
    "path = \"/data/out/**\"\n"
    "ops = [\n  \"read\",\n  \"write\", # comment\n  \"create\",\n]\n"
    "max_read = \"16MiB\"\n"
    "max_write = \"1MiB\"\n"
    "[[fs.path]]\n"
    "path = \"/data/x\"\n"
    "match = \"glob\"\n"
    "ops = []\n"
    "[env]\n"
    "inherit = false\n"
    "pass = [\"HOME\", \"LANG\"]\n"
    "set = { MODE = \"prod\", \"QUOTED\" = \"a\\tb\\u00e9\" }\n"
    "[net]\n"
    "connect = [\"api.example.com:443\"]\n"
    "listen = [\"127.0.0.1:8000-8099\"]\n"
    "[stdio]\n"
    "stdin = true\n"
    "stderr = false\n"
    "[system]\n"
    "clocks = true\n"
    "random = true\n"
    "[limits]\n"
    "memory = \"64MiB\"\n"
    "table_elements = 1_000\n"
    "fuel = 0x10\n"
    "timeout = \"2s\"\n"
    "max_stack = 500\n"
    "max_instances = 4\n"
    "max_host_calls = \"unlimited\"\n"
    "trap_on_grow_failure = true\n"
    "[audit]\n"
    "max_risk = \"moderate\"\n";

UNIT_GROUP(policy_file) {
  policy p;
  util_error err;
  policy_init(&p);
  CHECK(parse(&p, full_file, &err) || unit_check(false, __FILE__, __LINE__, "%s", err.msg));
  CHECK_STR(p.name, "svc");
  CHECK_EQ_U64(p.max_open_files, 32);
  CHECK_EQ_U64(p.max_read_total, 1ull << 30);
  CHECK_EQ_U64(p.max_write_total, 65536);
  CHECK_EQ_U64(p.ndirs, 2);
  if (p.ndirs == 2) {
    CHECK_STR(p.dirs[0].host, "./data");
    CHECK_STR(p.dirs[0].guest, "/data");
    CHECK_EQ_U64(p.dirs[0].ops, POLICY_OP_READ | POLICY_OP_LIST);
    CHECK_STR(p.dirs[1].guest, "/tmp/out");
    CHECK_EQ_U64(p.dirs[1].ops, POLICY_OP_ALL);
  }
  CHECK_EQ_U64(p.npaths, 2);
  if (p.npaths == 2) {
    CHECK(p.paths[0].match == POLICY_MATCH_PREFIX);
    CHECK_EQ_U64(p.paths[0].ops, POLICY_OP_READ | POLICY_OP_WRITE | POLICY_OP_CREATE);
    CHECK_EQ_U64(p.paths[0].max_read_bytes, 16 << 20);
    CHECK_EQ_U64(p.paths[0].max_write_bytes, 1 << 20);
    CHECK(p.paths[1].match == POLICY_MATCH_GLOB);
    CHECK_EQ_U64(p.paths[1].max_read_bytes, POLICY_UNLIMITED);
  }
  CHECK_EQ_U64(p.nenv, 4);
  if (p.nenv == 4) {
    CHECK(p.env[0].value == NULL);
    CHECK_STR(p.env[2].value, "prod");
    CHECK_STR(p.env[3].name, "QUOTED");
    CHECK_STR(p.env[3].value, "a\tb\xc3\xa9");
  }
  CHECK(policy_net_allowed(&p, "api.example.com", 443, POLICY_NET_CONNECT));
  CHECK(policy_net_allowed(&p, "127.0.0.1", 8001, POLICY_NET_LISTEN));
  CHECK(p.allow_stdin && p.allow_stdout && !p.allow_stderr && p.allow_clocks && p.allow_random && p.allow_exit);
  CHECK_EQ_U64(p.limits.memory_bytes, 64 << 20);
  CHECK_EQ_U64(p.limits.table_elements, 1000);
  CHECK_EQ_U64(p.limits.fuel, 16);
  CHECK_EQ_U64(p.limits.timeout_ns, 2000000000ull);
  CHECK_EQ_U64(p.limits.max_stack, 500);
  CHECK_EQ_U64(p.limits.max_instances, 4);
  CHECK_EQ_U64(p.limits.max_host_calls, POLICY_UNLIMITED);
  CHECK(p.limits.trap_on_grow_failure);
  CHECK(p.has_max_risk && p.max_risk == POLICY_RISK_MODERATE);
  policy_free(&p);

  /* A file merges into a profile: limits override, grants add, explicit false revokes. */
  policy_init(&p);
  util_error_clear(&err);
  CHECK(policy_profile(&p, "cli", &err));
  CHECK(parse(&p, "[limits]\nmemory = 4096\n[system]\nrandom = false\n[[fs.dir]]\nhost = \"/x\"\n", &err));
  CHECK_EQ_U64(p.limits.memory_bytes, 4096);
  CHECK(!p.allow_random && p.allow_clocks && p.env_inherit_all);
  CHECK_EQ_U64(p.dir_default_ops, POLICY_OP_ALL);
  CHECK_EQ_U64(p.ndirs, 1);
  /* A failed parse leaves the policy as it was. */
  CHECK(!parse(&p, "[[fs.dir]]\nhost = \"/y\"\n[limits]\nmemory = true\n", &err));
  CHECK_EQ_U64(p.ndirs, 1);
  CHECK_EQ_U64(p.limits.memory_bytes, 4096);
  policy_free(&p);

  /* empty file: nothing changes */
  policy_init(&p);
  CHECK(parse(&p, "", &err));
  CHECK(parse(&p, "# only a comment\r\n\n", &err));
  CHECK(p.allow_stdout && p.ndirs == 0);
  policy_free(&p);
}

UNIT_GROUP(policy_file_errors) {
  /* the TOML layer */
  BAD("x = \n", 1, 5, "expected a value");
  BAD("name = \"abc\n", 1, 8, "unterminated string");
  BAD("name = \"a\\qb\"\n", 1, 10, "unknown escape");
  BAD("name = \"\\u12\"\n", 1, 9, "hex digits");
  BAD("name = \"\\uD800\"\n", 1, 9, "Unicode scalar");
  BAD("name = \"\"\"x\"\"\"\n", 1, 8, "multi-line");
  BAD("[limits]\nfuel = 1.5\n", 2, 8, "floating-point");
  BAD("[limits]\nfuel = 007\n", 2, 8, "leading zeros");
  BAD("[limits]\nfuel = 1__0\n", 2, 8, "underscore");
  BAD("[limits]\nfuel = 99999999999999999999\n", 2, 8, "out of range");
  BAD("[limits]\nfuel = 12 34\n", 2, 11, "end of the line");
  BAD("[limits]\nfuel = --m", 2, 8, "bad digit");
  BAD("[limits]\nfuel = -inf\n", 2, 8, "floating-point");
  BAD("[limits\n", 1, 8, "expected ']'");
  BAD("[fs]\n[fs]\n", 2, 1, "defined twice");
  BAD("name = \"a\"\nname = \"b\"\n", 2, 1, "duplicate key 'name'");
  BAD("[env]\nset.A = \"1\"\nset.A = \"2\"\n", 3, 5, "duplicate key 'set.A'");
  BAD("[net]\nconnect = [\"a:1\" \"b:2\"]\n", 2, 18, "expected ',' or ']'");
  BAD("[net]\nconnect = [\"a:1\",\n", 2, 11, "unterminated array");
  BAD("[env]\nset = { A = \"1\"\n", 2, 16, "inline table");
  BAD("[env]\nset = { A = \"1\" }\nset.B = \"2\"\n", 3, 1, "cannot be extended");
  BAD("= 1\n", 1, 1, "expected a key");
  BAD("a b = 1\n", 1, 3, "expected '='");
  BAD("name = yes\n", 1, 8, "strings need quotes");
  BAD("name = \"a\x01\"\n", 1, 10, "control character");
  BAD("name = \"\xff\"\n", 1, 9, "invalid UTF-8");
  BAD("[fs]\ndir = 1\n[[fs.dir]]\n", 3, 1, "not an array of tables");
  BAD("[[a]]\n[a]\n", 2, 1, "defined twice");
  /* the policy layer */
  BAD("color = \"red\"\n", 1, 1, "unknown key 'color' in the policy");
  BAD("[fs]\nmax_files = 3\n", 2, 1, "unknown key 'max_files' in [fs]");
  BAD("[[fs.dir]]\nhost = \"/a\"\nmode = \"rw\"\n", 3, 1, "unknown key 'mode' in [[fs.dir]]");
  BAD("[[fs.dir]]\nguest = \"/a\"\n", 1, 1, "needs a host path");
  BAD("[[fs.dir]]\nhost = 5\n", 2, 8, "host must be a string, not an integer");
  BAD("[[fs.dir]]\nhost = \"/a\"\nops = [\"read\", \"execute\"]\n", 3, 16, "unknown operation 'execute'");
  BAD("[[fs.dir]]\nhost = \"/a\"\nops = \"read\"\n", 3, 7, "ops must be an array");
  BAD("[[fs.path]]\nops = [\"read\"]\n", 1, 1, "needs a pattern");
  BAD("[[fs.path]]\npath = \"/a\"\nmatch = \"regex\"\n", 3, 9, "match must be");
  BAD("[[fs.path]]\npath = \"/a\"\nmax_read = \"12Q\"\n", 3, 12, "bad size unit");
  BAD("[[fs.path]]\npath = \"/a\"\nmax_write = -1\n", 3, 13, "must not be negative");
  BAD("[env]\ninherit = \"yes\"\n", 2, 11, "must be a boolean");
  BAD("[env]\npass = [\"A=B\"]\n", 2, 9, "bad environment variable name");
  BAD("[env]\nset = { A = 1 }\n", 2, 13, "must be a string");
  BAD("[net]\nconnect = [\"example.com\"]\n", 2, 12, "HOST:PORT");
  BAD("[net]\nlisten = [\"h:99999\"]\n", 2, 11, "port out of range");
  BAD("[net]\ndial = []\n", 2, 1, "unknown key 'dial' in [net]");
  BAD("[stdio]\nstdout = 1\n", 2, 10, "must be a boolean");
  BAD("[system]\nnetwork = true\n", 2, 1, "unknown key 'network' in [system]");
  BAD("[limits]\nmemory = true\n", 2, 10, "must be a size");
  BAD("[limits]\ntimeout = 5\n", 2, 11, "duration string");
  BAD("[limits]\ntimeout = \"5\"\n", 2, 11, "needs a unit");
  BAD("[limits]\ntimeout = \"0s\"\n", 2, 11, "must be positive");
  BAD("[limits]\nmax_stack = 4294967296\n", 2, 13, "out of range");
  BAD("[limits]\nmax_instances = -2\n", 2, 17, "out of range");
  BAD("[limits]\ncpu = 1\n", 2, 1, "unknown key 'cpu' in [limits]");
  BAD("[audit]\nmax_risk = \"extreme\"\n", 2, 12, "max_risk must be");
  BAD("[audit]\nmin_risk = \"low\"\n", 2, 1, "unknown key 'min_risk'");
  BAD("fs = 3\n", 1, 6, "[fs] must be a table");
}

UNIT_GROUP(policy_toml) {
  toml_doc d;
  util_error err;
  util_error_clear(&err);
  const char *t = "a.b.c = 1\n\"q.k\" = 'lit\\n'\n[[arr]]\nx = -9_223_372_036_854_775_808\n[[arr]]\n"
                  "x = 0b101\n[arr.sub]\ny = [[1, 2], [\"s\"], []]\nz = 0o17\n";
  CHECK(toml_parse(&d, t, strlen(t), "t", &err) || unit_check(false, __FILE__, __LINE__, "%s", err.msg));
  if (d.root) {
    toml_value *a = toml_get(d.root, "a");
    CHECK(a && toml_get(toml_get(a, "b"), "c") && toml_get(toml_get(a, "b"), "c")->i == 1);
    toml_value *q = toml_get(d.root, "q.k");
    CHECK(q && q->type == TOML_STRING && strcmp(q->str, "lit\\n") == 0);
    toml_value *arr = toml_get(d.root, "arr");
    CHECK(arr && arr->type == TOML_ARRAY && arr->nitems == 2);
    if (arr && arr->nitems == 2) {
      CHECK(toml_get(arr->items[0], "x")->i == INT64_MIN);
      CHECK(toml_get(arr->items[1], "x")->i == 5);
      toml_value *sub = toml_get(arr->items[1], "sub");
      CHECK(sub && toml_get(sub, "z") && toml_get(sub, "z")->i == 15);
      toml_value *y = toml_get(sub, "y");
      CHECK(y && y->nitems == 3 && y->items[0]->nitems == 2 && y->items[2]->nitems == 0);
    }
  }
  toml_free(&d);
  /* deep nesting is an error, not a stack overflow */
  char deep[400];
  memset(deep, '[', sizeof deep);
  memcpy(deep, "x = ", 4);
  deep[sizeof deep - 1] = '\0';
  util_error_clear(&err);
  CHECK(!toml_parse(&d, deep, strlen(deep), "t", &err));
  CHECK(strstr(err.msg, "nested too deeply") != NULL);
  toml_free(&d);
}

UNIT_GROUP(policy_names) {
  char buf[64];
  CHECK_STR(policy_ops_format(POLICY_OP_READ | POLICY_OP_DELETE, buf, sizeof buf), "read, delete");
  CHECK_STR(policy_ops_format(0, buf, sizeof buf), "none");
  CHECK_STR(policy_ops_format(POLICY_OP_ALL, buf, sizeof buf), "read, write, create, delete, list");
  policy_risk r;
  CHECK(policy_risk_parse("critical", &r) && r == POLICY_RISK_CRITICAL);
  CHECK(!policy_risk_parse("Critical", &r));
  CHECK_STR(policy_risk_name(POLICY_RISK_MODERATE), "moderate");
  CHECK_STR(policy_risk_name((policy_risk)99), "unknown");
}

/* Patterns are normalized at load (a hole written "/data/./hidden/" must still be a hole)
 * or refused with their location; the expected forms are written out by hand. */
UNIT_GROUP(policy_patterns) {
  static const struct { const char *in, *want; } ok[] = {
      {"/data/./hidden/", "/data/hidden/"}, {"/data//hidden/", "/data/hidden/"},
      {"/data/hidden//", "/data/hidden/"},  {"//data/x", "/data/x"},
      {"./sandbox/x", "sandbox/x"},         {"/data/**//*.key", "/data/**/*.key"},
      {"/data/*/", "/data/*/**"},           {"/data/**/", "/data/**"},
      {"/", "/"},                           {"/data/./", "/data/"},
      {"a", "a"},                           {".", "."},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    char buf[256];
    const char *why = NULL;
    bool r = policy_pattern_normalize(ok[i].in, buf, sizeof buf, &why);
    unit_check(r && strcmp(buf, ok[i].want) == 0, __FILE__, __LINE__, "%s -> %s (want %s; %s)",
               ok[i].in, r ? buf : "refused", ok[i].want, why ? why : "");
  }
  static const char *const refused[] = {"/data/../etc/", "/data/hidden/.", "/data/x/..", "", "../x"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    char buf[256];
    const char *why = NULL;
    unit_check(!policy_pattern_normalize(refused[i], buf, sizeof buf, &why) && why, __FILE__, __LINE__,
               "'%s' should be refused", refused[i]);
  }
  /* loaded from a file, the non-normalized hole holds */
  policy p;
  util_error err;
  policy_init(&p);
  const char *text = "[[fs.dir]]\nhost = \"/tmp\"\nguest = \"/data\"\nops = [\"all\"]\n"
                     "[[fs.path]]\npath = \"/data/./hidden/\"\nops = []\n"
                     "[[fs.path]]\npath = \"/data//keys/**//*.key\"\nops = []\n";
  CHECK(parse(&p, text, &err) || unit_check(false, __FILE__, __LINE__, "%s", err.msg));
  CHECK_EQ_U64(policy_path_ops(&p, "/data/hidden/x", NULL), 0);
  CHECK_EQ_U64(policy_path_ops(&p, "/data/hidden", NULL), 0);
  CHECK_EQ_U64(policy_path_ops(&p, "/data/keys/a/b.key", NULL), 0);
  CHECK_EQ_U64(policy_path_ops(&p, "/data/other", NULL), POLICY_OP_ALL);
  policy_free(&p);
  BAD("[[fs.path]]\npath = \"/data/../etc/\"\nops = []\n", 2, 8, "'..' component");
  BAD("[[fs.path]]\nops = []\npath = \"/data/hidden/.\"\n", 3, 8, "ends in '/.'");
  /* a trailing slash-"**" matches the directory itself, as a prefix does */
  CHECK(policy_path_match("/d/*/**", POLICY_MATCH_GLOB, "/d/x"));
  CHECK(policy_path_match("/d/*/**", POLICY_MATCH_GLOB, "/d/x/y"));
  CHECK(!policy_path_match("/d/*/**", POLICY_MATCH_GLOB, "/d"));
}

/* Paths past the matcher's length bound are refused when a glob could decide them. */
UNIT_GROUP(policy_long_paths) {
  policy p;
  policy_init(&p);
  policy_add_dir(&p, "/tmp", "/data", POLICY_OP_READ);
  char *longp = malloc(POLICY_PATH_MAX + 100);
  strcpy(longp, "/data/");
  memset(longp + 6, 'a', POLICY_PATH_MAX + 10);
  strcpy(longp + 6 + POLICY_PATH_MAX + 10, "/x.key");
  CHECK_EQ_U64(policy_path_ops(&p, longp, NULL), POLICY_OP_READ); /* no glob: decided by the dir */
  policy_add_path(&p, "/data/**/*.key", 0, POLICY_UNLIMITED, POLICY_UNLIMITED);
  CHECK_EQ_U64(policy_path_ops(&p, longp, NULL), 0);
  CHECK_EQ_U64(policy_path_ops(&p, "/data/a/b.txt", NULL), POLICY_OP_READ);
  free(longp);
  policy_free(&p);
}

/* The rename rule: which rules lie beneath a directory (docs/policy.md). */
UNIT_GROUP(policy_rules_beneath) {
  policy p;
  policy_init(&p);
  policy_add_dir(&p, "/tmp", "/data", POLICY_OP_ALL);
  policy_add_dir(&p, "/tmp/m", "/data/mnt/inner", POLICY_OP_READ);
  policy_add_path(&p, "/data/d/secret", 0, POLICY_UNLIMITED, POLICY_UNLIMITED);
  policy_add_path(&p, "/data/keep/", POLICY_OP_READ, POLICY_UNLIMITED, POLICY_UNLIMITED);
  policy_add_path(&p, "/data/g/**/*.key", 0, POLICY_UNLIMITED, POLICY_UNLIMITED);
  policy_add_path(&p, "/data/top*", POLICY_OP_READ, POLICY_UNLIMITED, POLICY_UNLIMITED);
  CHECK(policy_rules_beneath(&p, "/data/d"));         /* exact beneath */
  CHECK(!policy_rules_beneath(&p, "/data/d/secret")); /* only the path itself */
  CHECK(policy_rules_beneath(&p, "/data/keep"));      /* a prefix rooted there */
  CHECK(policy_rules_beneath(&p, "/data"));
  CHECK(policy_rules_beneath(&p, "/data/g"));
  CHECK(policy_rules_beneath(&p, "/data/g/h/i"));     /* the glob reaches any depth below g */
  CHECK(!policy_rules_beneath(&p, "/data/gg"));
  CHECK(!policy_rules_beneath(&p, "/data/topx"));     /* "/data/top*" matches it, not beneath */
  CHECK(policy_rules_beneath(&p, "/data/mnt"));       /* a mount beneath */
  CHECK(policy_rules_beneath(&p, "/data/mnt/inner")); /* a mount at */
  CHECK(!policy_rules_beneath(&p, "/data/free"));
  CHECK(!policy_rules_beneath(&p, "/data/ke"));
  policy_free(&p);
}

/* The directory-move rule: the rule deciding the directory must decide all beneath it. */
UNIT_GROUP(policy_dir_unmovable) {
  policy p;
  policy_init(&p);
  policy_add_dir(&p, "/tmp", "/data", POLICY_OP_ALL);
  policy_add_path(&p, "/data/a/", POLICY_OP_READ, POLICY_UNLIMITED, POLICY_UNLIMITED);
  policy_add_path(&p, "/data/a/*", POLICY_OP_ALL, POLICY_UNLIMITED, POLICY_UNLIMITED);
  policy_add_path(&p, "/data/x", POLICY_OP_ALL, POLICY_UNLIMITED, POLICY_UNLIMITED);
  policy_add_path(&p, "/data/w*/**", POLICY_OP_ALL, POLICY_UNLIMITED, POLICY_UNLIMITED);
  policy_add_path(&p, "/data/k/", POLICY_OP_ALL, POLICY_UNLIMITED, POLICY_UNLIMITED);
  CHECK(policy_dir_unmovable(&p, "/data/a/c") != NULL); /* the one-level glob stops at c */
  CHECK(policy_dir_unmovable(&p, "/data/a/c/d") == NULL); /* the prefix holds it and all below */
  CHECK(policy_dir_unmovable(&p, "/data/a") != NULL);   /* the glob lies beneath */
  CHECK(policy_dir_unmovable(&p, "/data/x") != NULL);   /* an exact grant */
  CHECK(policy_dir_unmovable(&p, "/data/wz") == NULL);  /* a final "**" covers every depth */
  CHECK(policy_dir_unmovable(&p, "/data/wz/q") == NULL);
  CHECK(policy_dir_unmovable(&p, "/data/k") == NULL);   /* its own prefix, rooted at it */
  CHECK(policy_dir_unmovable(&p, "/data/free") == NULL); /* the [[fs.dir]] */
  CHECK(policy_dir_unmovable(&p, "/data") != NULL);
  policy_free(&p);
}

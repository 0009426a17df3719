/* component.toml: a complete manifest, and malformed ones refused at FILE:LINE:COL. */
#include "pkg/manifest.h"
#include "unit.h"

static const char good[] =
    "# a package\n"
    "[package]\n"
    "name = \"acme/greet\"\n"
    "version = \"1.2.0-rc.1+b7\"\n"
    "authors = [\"Ada <ada@example.org>\"]\n"
    "description = \"greetings\"\n"
    "license = \"Apache-2.0\"\n"
    "component = \"greet.wasm\"\n"
    "\n"
    "[[interface]]\n"
    "kind = \"export\"\n"
    "name = \"acme:greet/api\"\n"
    "wit = \"wit/greet.wit\"\n"
    "world = \"greeter\"\n"
    "\n"
    "[[interface]]\n"
    "kind = \"import\"\n"
    "name = \"wasi:cli/stdout\"\n"
    "\n"
    "[[dependency]]\n"
    "name = \"fmt\"\n"
    "version = \"^0.3\"\n"
    "\n"
    "[[dependency]]\n"
    "name = \"log\"\n"
    "version = \">=1.1, <1.4\"\n"
    "optional = true\n"
    "default-features = false\n"
    "features = [\"color\"]\n"
    "\n"
    "[[feature]]\n"
    "name = \"default\"\n"
    "enables = [\"fancy\"]\n"
    "\n"
    "[[feature]]\n"
    "name = \"fancy\"\n"
    "enables = [\"dep:log\", \"fmt/unicode\"]\n"
    "\n"
    "[build]\n"
    "lang = \"c\"\n"
    "command = \"make\"\n"
    "output = \"greet.wasm\"\n"
    "\n"
    "[[file]]\n"
    "path = \"greet.wasm\"\n"
    "sha256 = \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"\n"
    "size = 3\n";

static void bad(const char *text, const char *want) {
  pkg_manifest m;
  util_error err;
  bool ok = pkg_manifest_parse(&m, text, strlen(text), "component.toml", &err);
  unit_check(!ok && strcmp(err.msg, want) == 0, __FILE__, __LINE__, "want \"%s\", got \"%s\"", want,
             ok ? "(parsed)" : err.msg);
  if (ok) pkg_manifest_free(&m);
}

#define PKG "[package]\nname = \"a\"\nversion = \"1.0.0\"\n"

UNIT_GROUP(pkg_manifest) {
  pkg_manifest m;
  util_error err;
  bool ok = pkg_manifest_parse(&m, good, sizeof good - 1, "component.toml", &err);
  if (!unit_check(ok, __FILE__, __LINE__, "parse: %s", err.msg)) return;
  CHECK_STR(m.name, "acme/greet");
  CHECK_EQ_U64(m.version.minor, 2);
  CHECK_STR(m.version.pre, "rc.1");
  CHECK_STR(m.version.build, "b7");
  CHECK_EQ_U64(m.nauthors, 1);
  CHECK_STR(m.license, "Apache-2.0");
  CHECK_STR(m.component, "greet.wasm");
  CHECK_EQ_U64(m.ninterfaces, 2);
  CHECK(m.interfaces[0].is_export && !m.interfaces[1].is_export);
  CHECK_STR(m.interfaces[0].world, "greeter");
  CHECK_EQ_U64(m.ndeps, 2);
  CHECK(!m.deps[0].optional && m.deps[0].default_features);
  CHECK(m.deps[1].optional && !m.deps[1].default_features && m.deps[1].nfeatures == 1);
  CHECK_EQ_U64(m.deps[1].line, 24);
  CHECK_EQ_U64(m.deps[1].vline, 26);
  CHECK_EQ_U64(m.nfeatures, 2);
  CHECK_STR(pkg_manifest_feature(&m, "fancy")->enables[1], "fmt/unicode");
  CHECK(m.has_build);
  CHECK_STR(m.build_command, "make");
  CHECK_EQ_U64(m.nfiles, 1);
  CHECK_EQ_U64(m.files[0].size, 3);
  /* the checksum over "HASH SIZE PATH\n" lines, worked out by hand with sha256sum:
   * printf 'ba78...15ad 3 greet.wasm\n' | sha256sum */
  char sum[72];
  CHECK(pkg_manifest_checksum(&m, sum));
  CHECK_STR(sum, "sha256:045fef622dc6661ce375c37cef17ebb9187b65e3b884f4c9767ae4a352696e27");
  pkg_manifest_free(&m);

  bad("", "component.toml:1:1: no [package] table (it needs 'name' and 'version')");
  bad("[package]\nname = \"a\"\n", "component.toml:1:1: [package] needs a 'version'");
  bad("[package]\nname = \"A\"\nversion = \"1.0.0\"\n",
      "component.toml:2:8: bad package name \"A\": lowercase letters, digits, '-' and '_', starting with a letter, "
      "namespaces separated by '/'");
  /* a name with control characters: the message stays one line, with escapes */
  bad("[package]\nname = \"a\\nb\\tc\\u0001\"\nversion = \"1.0.0\"\n",
      "component.toml:2:8: bad package name \"a\\nb\\tc\\x01\": lowercase letters, digits, '-' and '_', starting with a "
      "letter, namespaces separated by '/'");
  bad("[package]\nname = \"a\"\nversion = \"1.0\"\n", "component.toml:3:11: bad version \"1.0\": expected MAJOR.MINOR.PATCH");
  bad("[package]\nname = \"a\"\nversion = 1\n", "component.toml:3:11: 'version' must be a string, not an integer");
  bad(PKG "licence = \"MIT\"\n",
      "component.toml:4:1: unknown key 'licence' in [package] (known: name, version, authors, description, license, "
      "component, checksum)");
  bad(PKG "[[dependency]]\nname = \"b\"\nversion = \"^1.x.3\"\n",
      "component.toml:6:11: bad version requirement \"^1.x.3\": a wildcard cannot follow an operator other than =");
  bad(PKG "[[dependency]]\nname = \"b\"\n", "component.toml:4:1: [[dependency]] \"b\" needs a 'version' requirement");
  bad(PKG "[[dependency]]\nname = \"b\"\nversion = \"1\"\n[[dependency]]\nname = \"b\"\nversion = \"2\"\n",
      "component.toml:8:8: dependency \"b\" is listed twice");
  bad(PKG "[[dependency]]\nname = \"a\"\nversion = \"1\"\n", "component.toml:5:8: a package cannot depend on itself");
  bad(PKG "[dependency]\nname = \"b\"\n", "component.toml:4:2: 'dependency' must be written [[dependency]] (an array of tables)");
  bad(PKG "[[feature]]\nname = \"x\"\nenables = [\"dep:nope\"]\n",
      "component.toml:4:1: feature \"x\" enables \"dep:nope\", which is not a dependency");
  bad(PKG "[[dependency]]\nname = \"b\"\nversion = \"1\"\n[[feature]]\nname = \"x\"\nenables = [\"dep:b\"]\n",
      "component.toml:7:1: feature \"x\" enables \"dep:b\", which is not optional");
  bad(PKG "[[feature]]\nname = \"x\"\nenables = [\"y\"]\n", "component.toml:4:1: feature \"x\" enables \"y\", which is not a feature");
  bad(PKG "[[file]]\npath = \"../x\"\nsha256 = \"00\"\nsize = 1\n",
      "component.toml:5:8: 'path' must be a relative path inside the package (no '..')");
  bad(PKG "[[file]]\npath = \"x\"\nsha256 = \"00\"\nsize = 1\n", "component.toml:6:10: 'sha256' must be 64 lowercase hex digits");
  bad(PKG "[[file]]\npath = \"x\"\n", "component.toml:4:1: [[file]] needs 'path', 'sha256' and 'size'");
  bad(PKG "[[interface]]\nkind = \"both\"\nname = \"x\"\n",
      "component.toml:5:8: 'kind' must be \"import\" or \"export\", not \"both\"");
  bad(PKG "[build]\nlanguage = \"c\"\n", "component.toml:5:1: unknown key 'language' in [build] (known: lang, command, output)");
  bad(PKG "[package2]\n", "component.toml:4:2: unknown key 'package2' (known: package, interface, dependency, feature, build, file)");
  bad("[package\n", "component.toml:1:9: expected ']' to close the header");
  bad(PKG "description = \"\"\"x\"\"\"\n", "component.toml:4:15: multi-line strings are not supported in component.toml files");
  bad(PKG "checksum = \"md5:00\"\n", "component.toml:4:12: 'checksum' must be \"sha256:\" and 64 lowercase hex digits");

  CHECK(pkg_name_valid("a"));
  CHECK(pkg_name_valid("acme/greet-v2"));
  CHECK(pkg_name_valid("a_b/c1"));
  CHECK(!pkg_name_valid("1a"));
  CHECK(!pkg_name_valid("a--b"));
  CHECK(!pkg_name_valid("a/"));
  CHECK(!pkg_name_valid("a//b"));
  CHECK(!pkg_name_valid("a-"));
  CHECK(!pkg_name_valid("Acme"));
}

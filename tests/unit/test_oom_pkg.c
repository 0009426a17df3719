/* Out of memory in src/pkg and src/oci: every allocation of reading a manifest, reading
 * an OCI manifest and resolving fails once in turn; each is reported as out of memory,
 * never a crash or a wrong answer. */
#include <stdlib.h>

#include "oci/oci.h"
#include "oom.h"
#include "pkg/resolve.h"

static const char toml_text[] =
    "[package]\nname = \"app\"\nversion = \"1.0.0\"\nauthors = [\"a\", \"b\"]\n"
    "[[interface]]\nkind = \"export\"\nname = \"x:y/z\"\n"
    "[[dependency]]\nname = \"lib\"\nversion = \"^1.1\"\nfeatures = [\"f\"]\n"
    "[[dependency]]\nname = \"opt\"\nversion = \"1\"\noptional = true\n"
    "[[feature]]\nname = \"default\"\nenables = [\"dep:opt\"]\n"
    "[[file]]\npath = \"c.wasm\"\nsha256 = \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"\nsize = 3\n";

static int manifest_run(void *ctx) {
  pkg_manifest m;
  util_error err;
  if (!pkg_manifest_parse(&m, toml_text, sizeof toml_text - 1, "c.toml", &err))
    return err.kind == UTIL_ERR_OOM && says_oom(err.msg) ? RUN_OOM : (fprintf(stderr, "%s\n", err.msg), RUN_BAD);
  char sum[72];
  bool ok = pkg_manifest_checksum(&m, sum);
  pkg_manifest_free(&m);
  return ok ? RUN_OK : RUN_BAD;
}

static const char oci_text[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.wasm.config.v0+json\",\"digest\":\"sha256:"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":0},"
    "\"layers\":[{\"mediaType\":\"application/wasm\",\"digest\":\"sha256:"
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\",\"size\":3}],"
    "\"annotations\":{\"a\":\"1\",\"b\":\"2\"}}";

static int oci_run(void *ctx) {
  oci_manifest m;
  util_error err;
  util_error_clear(&err);
  if (!oci_manifest_parse(&m, (const uint8_t *)oci_text, sizeof oci_text - 1, "m", &err))
    return err.kind == UTIL_ERR_OOM && says_oom(err.msg) ? RUN_OOM : (fprintf(stderr, "%s\n", err.msg), RUN_BAD);
  uint8_t *out;
  size_t len;
  bool ok = oci_manifest_write(&m, &out, &len, &err);
  oci_manifest_free(&m);
  if (!ok) return err.kind == UTIL_ERR_OOM ? RUN_OOM : RUN_BAD;
  bool same = len == sizeof oci_text - 1 && !memcmp(out, oci_text, len);
  free(out);
  return same ? RUN_OK : RUN_BAD;
}

/* A registry of two packages whose manifests are read before the run. */
typedef struct reg {
  pkg_manifest lib, opt;
  semver lv[2], ov[1];
  bool ly[2], oy[1];
} reg;

static bool versions(void *ctx, const char *name, const semver **vers, const bool **yanked, size_t *n, util_error *err) {
  reg *r = ctx;
  bool lib = !strcmp(name, "lib");
  *vers = lib ? r->lv : r->ov, *yanked = lib ? r->ly : r->oy, *n = lib ? 2 : 1;
  return true;
}

static const pkg_manifest *manifest(void *ctx, const char *name, const semver *v, util_error *err) {
  reg *r = ctx;
  return !strcmp(name, "lib") ? &r->lib : &r->opt;
}

static void resolve_setup(void *ctx) {
  reg *r = ctx;
  util_error err;
  const char *lib = "[package]\nname = \"lib\"\nversion = \"1.2.0\"\n[[feature]]\nname = \"f\"\n";
  const char *opt = "[package]\nname = \"opt\"\nversion = \"1.0.0\"\n";
  pkg_manifest_parse(&r->lib, lib, strlen(lib), "lib", &err);
  pkg_manifest_parse(&r->opt, opt, strlen(opt), "opt", &err);
  char why[64];
  semver_parse("1.2.0", &r->lv[0], why, sizeof why);
  semver_parse("1.0.0", &r->lv[1], why, sizeof why);
  semver_parse("1.0.0", &r->ov[0], why, sizeof why);
  r->ly[0] = r->ly[1] = r->oy[0] = false;
}

static void resolve_teardown(void *ctx) {
  reg *r = ctx;
  pkg_manifest_free(&r->lib);
  pkg_manifest_free(&r->opt);
}

static pkg_manifest root;

static int resolve_run(void *ctx) {
  pkg_source src = {ctx, versions, manifest};
  pkg_resolution res;
  util_error err;
  if (!pkg_resolve(&root, &src, NULL, &res, &err))
    return err.kind == UTIL_ERR_OOM && says_oom(err.msg) ? RUN_OOM : (fprintf(stderr, "%s\n", err.msg), RUN_BAD);
  bool ok = res.n == 3 && !strcmp(res.pkgs[1].name, "lib") && res.pkgs[1].version.minor == 2 && res.pkgs[1].nfeatures == 1;
  pkg_resolution_free(&res);
  return ok ? RUN_OK : RUN_BAD;
}

UNIT_GROUP(oom_pkg) {
  scenario m = {"pkg manifest", NULL, manifest_run, NULL, false};
  each_allocation(&m, NULL);
  scenario o = {"oci manifest", NULL, oci_run, NULL, false};
  each_allocation(&o, NULL);
  util_error err;
  if (!CHECK(pkg_manifest_parse(&root, toml_text, sizeof toml_text - 1, "c.toml", &err))) return;
  reg r;
  scenario s = {"resolve", resolve_setup, resolve_run, resolve_teardown, false};
  each_allocation(&s, &r);
  pkg_manifest_free(&root);
}

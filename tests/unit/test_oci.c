/* src/oci without a network: JSON, manifests, names, digests, and a registry directory
 * with a tampered blob and a broken index. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/json.h"
#include "oci/oci.h"
#include "unit.h"
#include "util/sha256.h"

static void json_bad(const char *text, const char *want) {
  json_doc d;
  util_error err;
  util_error_clear(&err);
  bool ok = json_parse(&d, text, strlen(text), "doc", &err);
  json_free(&d);
  unit_check(!ok && strstr(err.msg, want), __FILE__, __LINE__, "\"%s\": want \"%s\", got \"%s\"", text, want,
             ok ? "(parsed)" : err.msg);
}

UNIT_GROUP(oci_json) {
  json_doc d;
  util_error err;
  util_error_clear(&err);
  const char *t = "{\"a\": [1, -2, 3.5e1, true, false, null], \"s\": \"x\\u00e9\\ud83d\\ude00\\n\", \"o\": {}}";
  CHECK(json_parse(&d, t, strlen(t), "doc", &err));
  const json_value *a = json_get(d.root, "a");
  CHECK(a && a->type == JSON_ARRAY && a->n == 6);
  CHECK(a->items[1]->is_int && a->items[1]->i == -2);
  CHECK(!a->items[2]->is_int);
  CHECK_STR(json_get_str(d.root, "s"), "x\xc3\xa9\xf0\x9f\x98\x80\n");
  json_buf b = {0};
  json_value_write(&b, d.root);
  CHECK_STR((const char *)b.out.p, "{\"a\":[1,-2,3.5e1,true,false,null],\"s\":\"x\xc3\xa9\xf0\x9f\x98\x80\\u000a\",\"o\":{}}");
  json_buf_free(&b);
  json_free(&d);
  json_bad("{\"a\": [1, 2", "JSON unexpected end at offset 11");
  json_bad("{\"a\" 1}", "expected ':'");
  json_bad("{\"a\": 01}", "leading zero");
  json_bad("\"\\ud800\"", "lone surrogate");
  json_bad("[1] x", "trailing characters");
  json_bad("", "unexpected end");
  json_bad("\"abc", "unterminated string");
  char deep[200];
  memset(deep, '[', sizeof deep - 1);
  deep[sizeof deep - 1] = '\0';
  json_bad(deep, "nested too deeply");
}

static const char manifest_text[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.wasm.config.v0+json\",\"digest\":\"sha256:"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":0},"
    "\"layers\":[{\"mediaType\":\"application/wasm\",\"digest\":\"sha256:"
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\",\"size\":3}],"
    "\"annotations\":{\"a\":\"1\",\"org.opencontainers.image.version\":\"1.0.0\"}}";

static void manifest_bad(const char *text, const char *want) {
  oci_manifest m;
  util_error err;
  util_error_clear(&err);
  bool ok = oci_manifest_parse(&m, (const uint8_t *)text, strlen(text), "m", &err);
  if (ok) oci_manifest_free(&m);
  unit_check(!ok && strstr(err.msg, want), __FILE__, __LINE__, "want \"%s\", got \"%s\"", want, ok ? "(parsed)" : err.msg);
}

UNIT_GROUP(oci_manifest) {
  oci_manifest m;
  util_error err;
  util_error_clear(&err);
  CHECK(oci_manifest_parse(&m, (const uint8_t *)manifest_text, sizeof manifest_text - 1, "m", &err));
  CHECK_STR(m.config.media_type, OCI_MT_WASM_CONFIG);
  CHECK_EQ_U64(m.nlayers, 1);
  CHECK_EQ_U64(m.layers[0].size, 3);
  CHECK_STR(oci_manifest_annotation(&m, "org.opencontainers.image.version"), "1.0.0");
  /* written back: the same bytes (the text above is in weld's key order) */
  uint8_t *out;
  size_t len;
  CHECK(oci_manifest_write(&m, &out, &len, &err));
  CHECK(len == sizeof manifest_text - 1 && !memcmp(out, manifest_text, len));
  free(out);
  CHECK(oci_manifest_annotate(&m, "a", "2"));
  CHECK_STR(oci_manifest_annotation(&m, "a"), "2");
  oci_manifest_free(&m);
  manifest_bad("{\"schemaVersion\":1}", "schemaVersion is not 2");
  manifest_bad("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"layers\":[]}",
               "is not an image manifest");
  manifest_bad("{\"schemaVersion\":2,\"layers\":[],\"config\":{\"mediaType\":\"x\",\"digest\":\"md5:00\",\"size\":1}}",
               "config digest \"md5:00\" is not sha256:HEX");
  manifest_bad("{\"schemaVersion\":2,\"layers\":[],\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":-1}}",
               "size is not a non-negative integer");
  manifest_bad("{\"schemaVersion\":2,\"config\":{}}", "no layers array");
  manifest_bad("{\"schemaVersion\":2,", "JSON unexpected end");

  CHECK(oci_digest_valid("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  CHECK(!oci_digest_valid("sha256:E3B0C44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  CHECK(!oci_digest_valid("sha512:e3b0"));
  CHECK(oci_tag_valid("1.2.3-rc.1_build.5"));
  CHECK(!oci_tag_valid("1.2.3+b"));
  CHECK(!oci_tag_valid(".x"));
  CHECK(oci_repo_valid("acme/greet-v2"));
  CHECK(oci_repo_valid("a__b/c.d"));
  CHECK(!oci_repo_valid("Acme"));
  CHECK(!oci_repo_valid("a//b"));
  CHECK(!oci_repo_valid("a/"));
  CHECK(!oci_repo_valid("a___b"));
  CHECK(!oci_digest_check((const uint8_t *)"abd", 3,
                          "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "blob", &err));
  CHECK_STR(err.msg, "blob: digest mismatch: expected sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad, "
                     "got sha256:a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9");
}

UNIT_GROUP(oci_layout) {
  char dir[] = "/tmp/weld-oci-XXXXXX";
  if (!unit_check(mkdtemp(dir) != NULL, __FILE__, __LINE__, "mkdtemp")) return;
  util_error err;
  util_error_clear(&err);
  oci_registry *r = oci_registry_open(dir, NULL, &err);
  if (!unit_check(r != NULL, __FILE__, __LINE__, "open: %s", err.msg)) return;
  char d[OCI_DIGEST_MAX], md[OCI_DIGEST_MAX];
  CHECK(oci_put_blob(r, "x", (const uint8_t *)"abc", 3, d, &err));
  CHECK_STR(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(oci_put_manifest(r, "x", "1.0.0", (const uint8_t *)manifest_text, sizeof manifest_text - 1, md, &err));
  char **tags;
  size_t n;
  CHECK(oci_list_tags(r, "x", &tags, &n, &err) && n == 1 && !strcmp(tags[0], "1.0.0"));
  oci_strings_free(tags, n);
  CHECK(oci_list_tags(r, "nothing", &tags, &n, &err) && n == 0);
  uint8_t *b;
  size_t len;
  bool missing;
  char got[OCI_DIGEST_MAX];
  CHECK(oci_get_manifest(r, "x", "1.0.0", &b, &len, got, &missing, &err) && !strcmp(got, md));
  free(b);
  CHECK(!oci_get_manifest(r, "x", "2.0.0", &b, &len, got, &missing, &err) && missing);
  util_error_clear(&err);
  CHECK(oci_get_blob(r, "x", d, &b, &len, &err) && len == 3);
  free(b);
  /* a tampered blob is refused */
  char path[300];
  snprintf(path, sizeof path, "%s/x/blobs/sha256/%s", dir, d + 7);
  FILE *f = fopen(path, "wb");
  fputs("abd", f);
  fclose(f);
  CHECK(!oci_get_blob(r, "x", d, &b, &len, &err) && strstr(err.msg, "digest mismatch"));
  util_error_clear(&err);
  /* a tampered manifest: the tag's digest no longer matches */
  snprintf(path, sizeof path, "%s/x/blobs/sha256/%s", dir, md + 7);
  f = fopen(path, "ab");
  fputs(" ", f);
  fclose(f);
  CHECK(!oci_get_manifest(r, "x", "1.0.0", &b, &len, got, &missing, &err) && strstr(err.msg, "digest mismatch") && !missing);
  util_error_clear(&err);
  /* a broken index.json */
  snprintf(path, sizeof path, "%s/x/index.json", dir);
  f = fopen(path, "wb");
  fputs("{\"manifests\": [", f);
  fclose(f);
  CHECK(!oci_list_tags(r, "x", &tags, &n, &err) && strstr(err.msg, "index.json: JSON unexpected end"));
  util_error_clear(&err);
  CHECK(!oci_list_tags(r, "Bad", &tags, &n, &err) && strstr(err.msg, "not a valid repository name"));
  oci_registry_close(r);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0);
}

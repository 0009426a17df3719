/* Registry credentials from a Docker-style client configuration (oci.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "oci/oci.h"

static int b64val(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* Standard base64 with padding; false for anything else or output over n-1 bytes. */
static bool b64_decode(const char *s, char *out, size_t n) {
  size_t len = strlen(s), k = 0;
  if (len % 4) return false;
  for (size_t i = 0; i < len; i += 4) {
    int v[4];
    for (int j = 0; j < 4; j++) {
      v[j] = s[i + j] == '=' && i + 4 == len && j >= 2 ? 0 : b64val((unsigned char)s[i + j]);
      if (v[j] < 0) return false;
    }
    if (s[i + 2] == '=' && s[i + 3] != '=') return false;
    uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
    int bytes = s[i + 2] == '=' ? 1 : s[i + 3] == '=' ? 2 : 3;
    for (int j = 0; j < bytes; j++) {
      if (k + 1 >= n) return false;
      out[k++] = (char)(w >> (16 - 8 * j) & 0xff);
    }
  }
  out[k] = '\0';
  return memchr(out, '\0', k) == NULL;
}

/* The registry's host[:port] from http(s)://HOST[:PORT][/path]. */
static void host_of(const char *url, char *host, size_t n) {
  const char *h = strstr(url, "://");
  h = h ? h + 3 : url;
  size_t k = strcspn(h, "/");
  snprintf(host, n, "%.*s", (int)k, h);
}

/* An auths key matches as "HOST", "http://HOST", "https://HOST", with or without a path. */
static bool key_matches(const char *key, const char *host) {
  char kh[512];
  host_of(key, kh, sizeof kh);
  return !strcmp(kh, host);
}

bool oci_docker_credentials(const char *url, char *user, size_t un, char *pass, size_t pn, bool *found, util_error *err) {
  *found = false;
  char path[4096];
  const char *dc = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
  if (dc && *dc) snprintf(path, sizeof path, "%s/config.json", dc);
  else snprintf(path, sizeof path, "%s/.docker/config.json", home && *home ? home : ".");
  uint8_t *text;
  size_t len;
  util_error e;
  util_error_clear(&e);
  if (!util_read_file(path, &text, &len, &e)) return true; /* no file: no credentials */
  json_doc doc;
  bool ok = json_parse(&doc, (const char *)text, len, path, err);
  free(text);
  if (!ok) {
    json_free(&doc);
    return false;
  }
  char host[512];
  host_of(url, host, sizeof host);
  const json_value *auths = doc.root->type == JSON_OBJECT ? json_get(doc.root, "auths") : NULL;
  const json_value *entry = NULL;
  for (size_t i = 0; auths && auths->type == JSON_OBJECT && i < auths->n && !entry; i++)
    if (key_matches(auths->keys[i], host)) entry = auths->items[i];
  if (entry && entry->type == JSON_OBJECT) {
    const char *a = json_get_str(entry, "auth"), *u = json_get_str(entry, "username"), *p = json_get_str(entry, "password");
    char pair[1024];
    if (a && *a) {
      char *colon;
      if (!b64_decode(a, pair, sizeof pair) || !(colon = strchr(pair, ':')))
        ok = util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: auths.\"%s\".auth is not base64 of USER:PASSWORD", path, host);
      else {
        *colon = '\0';
        snprintf(user, un, "%s", pair);
        snprintf(pass, pn, "%s", colon + 1);
        *found = true;
      }
    } else if (u && p) {
      snprintf(user, un, "%s", u);
      snprintf(pass, pn, "%s", p);
      *found = true;
    } else if (json_get_str(entry, "identitytoken")) {
      ok = util_fail(err, UTIL_ERR_LIMIT, -1, "%s: not supported: identity tokens (auths.\"%s\".identitytoken); log in with a password",
                     path, host);
    }
  }
  if (ok && !*found) {
    /* credentials kept by an external program: weld does not run it */
    const json_value *helpers = json_get(doc.root, "credHelpers");
    const char *store = json_get_str(doc.root, "credsStore");
    bool helper = false;
    for (size_t i = 0; helpers && helpers->type == JSON_OBJECT && i < helpers->n; i++) helper |= key_matches(helpers->keys[i], host);
    if (helper || (store && *store && entry))
      ok = util_fail(err, UTIL_ERR_LIMIT, -1,
                     "%s: not supported: credential helpers (docker-credential-*) for %s; set WELD_REGISTRY_USERNAME and "
                     "WELD_REGISTRY_PASSWORD instead", path, host);
  }
  json_free(&doc);
  return ok;
}

/* The OCI distribution API v2 client over libcurl: manifests and blobs by GET (checked
 * against their digests by the caller, oci.c), blob uploads (POST then one PUT, or PATCH
 * chunks and a closing PUT), manifest PUT, tag lists and the catalog with Link
 * pagination, and the token dance of a 401 with a Bearer challenge. Without libcurl
 * every call reports that weld was built without it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "oci/oci_int.h"

#ifndef WELD_HAVE_CURL

static bool no_curl(util_error *err) {
  return util_fail(err, UTIL_ERR_USAGE, -1, "not supported: this weld was built without libcurl, so it cannot reach "
                                            "registries over HTTP (a registry directory still works)");
}
bool oci_dist_open(oci_registry *r, util_error *err) { return no_curl(err); }
void oci_dist_close(oci_registry *r) {}
bool oci_dist_tags(oci_registry *r, const char *repo, char ***tags, size_t *n, util_error *err) { return no_curl(err); }
bool oci_dist_catalog(oci_registry *r, char ***repos, size_t *n, util_error *err) { return no_curl(err); }
bool oci_dist_get_manifest(oci_registry *r, const char *repo, const char *ref, uint8_t **bytes, size_t *len,
                           char digest[OCI_DIGEST_MAX], bool *missing, util_error *err) {
  return no_curl(err);
}
bool oci_dist_get_blob(oci_registry *r, const char *repo, const char *digest, uint8_t **bytes, size_t *len,
                       util_error *err) {
  return no_curl(err);
}
bool oci_dist_put_blob(oci_registry *r, const char *repo, const uint8_t *bytes, size_t len, const char *digest,
                       util_error *err) {
  return no_curl(err);
}
bool oci_dist_put_manifest(oci_registry *r, const char *repo, const char *tag, const uint8_t *bytes, size_t len,
                           const char *media_type, util_error *err) {
  return no_curl(err);
}

#else

#include "util/dl_curl.h"

#include "util/sha256.h"

#define MAX_BODY ((size_t)1 << 31) /* no manifest or package is near this */

typedef struct body {
  util_buf b;
  bool too_big;
} body;

typedef struct resp {
  long status;
  body data;
  char location[2048];
  char digest[OCI_DIGEST_MAX];
  char challenge[1024]; /* WWW-Authenticate */
  char link[1024];
  char content_type[128];
} resp;

typedef struct upload {
  const uint8_t *p;
  size_t n, pos;
} upload;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud) {
  body *b = ud;
  size_t n = size * nmemb;
  if (b->b.len + n > MAX_BODY) {
    b->too_big = true;
    return 0;
  }
  util_buf_put(&b->b, ptr, n);
  return b->b.oom ? 0 : n;
}

static size_t on_upload(char *ptr, size_t size, size_t nmemb, void *ud) {
  upload *u = ud;
  size_t n = size * nmemb, left = u->n - u->pos;
  if (n > left) n = left;
  if (n) memcpy(ptr, u->p + u->pos, n);
  u->pos += n;
  return n;
}

static void header_value(const char *line, size_t n, const char *name, char *out, size_t cap) {
  size_t k = strlen(name);
  if (n <= k || strncasecmp(line, name, k) || line[k] != ':') return;
  const char *v = line + k + 1;
  size_t vn = n - k - 1;
  while (vn && (*v == ' ' || *v == '\t')) v++, vn--;
  while (vn && (v[vn - 1] == '\r' || v[vn - 1] == '\n' || v[vn - 1] == ' ')) vn--;
  if (vn >= cap) vn = cap - 1;
  memcpy(out, v, vn);
  out[vn] = '\0';
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud) {
  resp *r = ud;
  size_t n = size * nmemb;
  header_value(ptr, n, "Location", r->location, sizeof r->location);
  header_value(ptr, n, "Docker-Content-Digest", r->digest, sizeof r->digest);
  header_value(ptr, n, "WWW-Authenticate", r->challenge, sizeof r->challenge);
  header_value(ptr, n, "Link", r->link, sizeof r->link);
  header_value(ptr, n, "Content-Type", r->content_type, sizeof r->content_type);
  return n;
}

static int progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
  const char *what = ud;
  static curl_off_t last;
  curl_off_t now = dlnow + ulnow, total = dltotal + ultotal;
  if (total > (1 << 20) && (now - last > (1 << 20) || now == total)) {
    fprintf(stderr, "\r%s: %lld / %lld KiB", what, (long long)(now >> 10), (long long)(total >> 10));
    if (now == total) fputc('\n', stderr);
    last = now;
  }
  return 0;
}

bool oci_dist_open(oci_registry *r, util_error *err) {
  static bool inited;
  if (!util_dynlib_need(&dl_curl_lib, "reaching a registry over HTTP", err)) return false;
  if (!inited) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT)) return util_fail(err, UTIL_ERR_IO, -1, "cannot start libcurl");
    inited = true;
  }
  const char *s = r->where;
  const char *host = strstr(s, "://") + 3;
  const char *slash = strchr(host, '/');
  size_t blen = slash ? (size_t)(slash - s) : strlen(s);
  if (blen == (size_t)(host - s)) return util_fail(err, UTIL_ERR_USAGE, -1, "registry URL %s has no host", s);
  r->base = util_try_malloc(blen + 1);
  const char *ns = slash ? slash + 1 : "";
  size_t nsl = strlen(ns);
  while (nsl && ns[nsl - 1] == '/') nsl--;
  r->ns = util_try_malloc(nsl + 2);
  if (!r->base || !r->ns) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  memcpy(r->base, s, blen);
  r->base[blen] = '\0';
  memcpy(r->ns, ns, nsl);
  r->ns[nsl] = '\0';
  if (nsl) strcat(r->ns, "/");
  if (nsl) {
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%.*s", (int)nsl, ns);
    if (!oci_repo_valid(tmp)) return util_fail(err, UTIL_ERR_USAGE, -1, "registry URL %s: \"%s\" is not a valid namespace", s, tmp);
  }
  r->curl = curl_easy_init();
  if (!r->curl) return util_fail(err, UTIL_ERR_OOM, -1, "cannot start libcurl");
  return true;
}

void oci_dist_close(oci_registry *r) {
  if (r->curl) curl_easy_cleanup(r->curl);
  r->curl = NULL;
}

/* The message of a registry's error body ({"errors":[{"code","message"}]}), if any. */
static void error_detail(const resp *rs, char *out, size_t n) {
  out[0] = '\0';
  if (!rs->data.b.len) return;
  json_doc doc;
  util_error e;
  util_error_clear(&e);
  if (json_parse(&doc, (const char *)rs->data.b.p, rs->data.b.len, "error", &e)) {
    const json_value *errs = json_get(doc.root, "errors");
    if (errs && errs->type == JSON_ARRAY && errs->n) {
      const char *code = json_get_str(errs->items[0], "code"), *msg = json_get_str(errs->items[0], "message");
      snprintf(out, n, " (%s%s%s)", code ? code : "", code && msg ? ": " : "", msg ? msg : "");
    }
  }
  json_free(&doc);
}

static bool fetch_token(oci_registry *r, const char *challenge, util_error *err);

/* One request. method GET/HEAD/POST/PUT/PATCH; url absolute or a path under the base. */
static bool request(oci_registry *r, const char *method, const char *url, const char *const *headers,
                    const uint8_t *data, size_t len, resp *rs, util_error *err) {
  char full[4096];
  if (!strncmp(url, "http://", 7) || !strncmp(url, "https://", 8)) snprintf(full, sizeof full, "%s", url);
  else snprintf(full, sizeof full, "%s%s", r->base, url);
  for (int attempt = 0; attempt < 2; attempt++) {
    memset(rs, 0, sizeof *rs);
    CURL *c = r->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, full);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    /* a connection that stalls (under 1 byte/s for a minute) is given up */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &rs->data);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, rs);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "weld/" WELD_VERSION);
    /* blobs are often served by redirect to storage; follow it */
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, strcmp(method, "GET") ? 0L : 1L);
    upload up = {data, len, 0};
    if (!strcmp(method, "HEAD")) {
      curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (!strcmp(method, "PUT") || !strcmp(method, "PATCH")) {
      curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(c, CURLOPT_READFUNCTION, on_upload);
      curl_easy_setopt(c, CURLOPT_READDATA, &up);
      curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
      if (!strcmp(method, "PATCH")) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PATCH");
    } else if (!strcmp(method, "POST")) {
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, data ? (const char *)data : "");
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    if (r->opts.verbose) {
      curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
      curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)url);
    }
    struct curl_slist *hl = NULL;
    char auth[4200];
    for (size_t i = 0; headers && headers[i]; i++) hl = curl_slist_append(hl, headers[i]);
    if (r->token) {
      snprintf(auth, sizeof auth, "Authorization: Bearer %s", r->token);
      hl = curl_slist_append(hl, auth);
    } else if (r->opts.username) {
      curl_easy_setopt(c, CURLOPT_USERNAME, r->opts.username);
      curl_easy_setopt(c, CURLOPT_PASSWORD, r->opts.password ? r->opts.password : "");
    }
    hl = curl_slist_append(hl, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(hl);
    if (rs->data.b.oom) {
      free(rs->data.b.p);
      return util_fail(err, UTIL_ERR_OOM, -1, "%s %s: out of memory", method, full);
    }
    if (rs->data.too_big) {
      free(rs->data.b.p);
      return util_fail(err, UTIL_ERR_LIMIT, -1, "%s %s: response too large", method, full);
    }
    if (rc != CURLE_OK) {
      free(rs->data.b.p);
      return util_fail(err, UTIL_ERR_IO, -1, "%s %s: %s", method, full, curl_easy_strerror(rc));
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rs->status);
    if (rs->status == 401 && attempt == 0 && !strncasecmp(rs->challenge, "Bearer ", 7)) {
      free(rs->data.b.p);
      char challenge[sizeof rs->challenge];
      strcpy(challenge, rs->challenge);
      if (!fetch_token(r, challenge, err)) return false;
      continue;
    }
    return true;
  }
  return true;
}

/* "Bearer realm="...",service="...",scope="..."": asks the realm for a token, with the
 * basic credentials if there are any. */
static void challenge_param(const char *ch, const char *key, char *out, size_t n) {
  out[0] = '\0';
  char pat[64];
  snprintf(pat, sizeof pat, "%s=\"", key);
  const char *p = strstr(ch, pat);
  if (!p) return;
  p += strlen(pat);
  const char *q = strchr(p, '"');
  if (!q) return;
  size_t k = (size_t)(q - p) < n - 1 ? (size_t)(q - p) : n - 1;
  memcpy(out, p, k);
  out[k] = '\0';
}

static bool fetch_token(oci_registry *r, const char *challenge, util_error *err) {
  char realm[1024], service[256], scope[512], url[2200];
  challenge_param(challenge, "realm", realm, sizeof realm);
  challenge_param(challenge, "service", service, sizeof service);
  challenge_param(challenge, "scope", scope, sizeof scope);
  if (!*realm) return util_fail(err, UTIL_ERR_IO, -1, "registry %s: a Bearer challenge without a realm", r->base);
  CURL *c = r->curl;
  char *es = curl_easy_escape(c, service, 0), *esc = curl_easy_escape(c, scope, 0);
  snprintf(url, sizeof url, "%s%s%s%s%s%s", realm, strchr(realm, '?') ? "&" : "?", *service ? "service=" : "",
           *service ? es : "", *scope ? (*service ? "&scope=" : "scope=") : "", *scope ? esc : "");
  curl_free(es);
  curl_free(esc);
  free(r->token);
  r->token = NULL;
  resp rs;
  /* the token endpoint gets basic credentials, never a bearer token */
  if (!request(r, "GET", url, NULL, NULL, 0, &rs, err)) return false;
  bool ok = false;
  if (rs.status != 200) {
    util_fail(err, UTIL_ERR_IO, -1, "registry %s: the token service %s answered %ld", r->base, realm, rs.status);
  } else {
    json_doc doc;
    if (json_parse(&doc, (const char *)rs.data.b.p, rs.data.b.len, "token response", err)) {
      const char *t = json_get_str(doc.root, "token");
      if (!t) t = json_get_str(doc.root, "access_token");
      if (!t) util_fail(err, UTIL_ERR_IO, -1, "registry %s: the token response holds no token", r->base);
      else if (!(r->token = util_try_strdup(t))) util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
      else ok = true;
    }
    json_free(&doc);
  }
  free(rs.data.b.p);
  return ok;
}

static bool status_error(oci_registry *r, const char *method, const char *path, const resp *rs, util_error *err) {
  char detail[400];
  error_detail(rs, detail, sizeof detail);
  const char *hint = rs->status == 401 ? " (set WELD_REGISTRY_USERNAME and WELD_REGISTRY_PASSWORD)" : "";
  return util_fail(err, rs->status == 404 ? UTIL_ERR_IO : UTIL_ERR_IO, -1, "registry %s: %s %s: HTTP %ld%s%s", r->base,
                   method, path, rs->status, detail, hint);
}

/* Tag lists and the catalog: JSON pages with a "Link: <next>; rel=next" header. */
static bool paged_list(oci_registry *r, const char *path, const char *field, char ***out, size_t *n, bool *missing,
                       util_error *err) {
  char url[4096];
  snprintf(url, sizeof url, "%s", path);
  for (int page = 0; page < 1000; page++) {
    resp rs;
    if (!request(r, "GET", url, NULL, NULL, 0, &rs, err)) return false;
    if (rs.status == 404 && missing) {
      free(rs.data.b.p);
      *missing = true;
      return true;
    }
    if (rs.status != 200) {
      status_error(r, "GET", url, &rs, err);
      free(rs.data.b.p);
      return false;
    }
    json_doc doc;
    bool ok = json_parse(&doc, (const char *)rs.data.b.p, rs.data.b.len, url, err);
    free(rs.data.b.p);
    if (ok) {
      const json_value *a = json_get(doc.root, field);
      if (a && a->type == JSON_ARRAY) {
        for (size_t i = 0; ok && i < a->n; i++)
          if (a->items[i]->type == JSON_STRING && !oci_strings_push(out, n, a->items[i]->s))
            ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
      } else if (a && a->type != JSON_NULL) {
        ok = util_fail(err, UTIL_ERR_MALFORMED, -1, "registry %s: GET %s: '%s' is not a list", r->base, url, field);
      }
    }
    json_free(&doc);
    if (!ok) return false;
    const char *lt = strchr(rs.link, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (!gt || !strstr(gt, "rel=\"next\"")) return true;
    snprintf(url, sizeof url, "%.*s", (int)(gt - lt - 1), lt + 1);
  }
  return util_fail(err, UTIL_ERR_LIMIT, -1, "registry %s: more than 1000 pages in %s", r->base, path);
}

bool oci_dist_tags(oci_registry *r, const char *repo, char ***tags, size_t *n, util_error *err) {
  char path[1024];
  snprintf(path, sizeof path, "/v2/%s%s/tags/list", r->ns, repo);
  bool missing = false;
  bool ok = paged_list(r, path, "tags", tags, n, &missing, err);
  if (!ok) oci_strings_free(*tags, *n), *tags = NULL, *n = 0;
  return ok;
}

bool oci_dist_catalog(oci_registry *r, char ***repos, size_t *n, util_error *err) {
  char **all = NULL;
  size_t nall = 0;
  if (!paged_list(r, "/v2/_catalog", "repositories", &all, &nall, NULL, err)) {
    oci_strings_free(all, nall);
    return false;
  }
  size_t k = strlen(r->ns);
  for (size_t i = 0; i < nall; i++)
    if (!strncmp(all[i], r->ns, k) && !oci_strings_push(repos, n, all[i] + k)) {
      oci_strings_free(all, nall);
      return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    }
  oci_strings_free(all, nall);
  return true;
}

bool oci_dist_get_manifest(oci_registry *r, const char *repo, const char *ref, uint8_t **bytes, size_t *len,
                           char digest[OCI_DIGEST_MAX], bool *missing, util_error *err) {
  char path[1024];
  snprintf(path, sizeof path, "/v2/%s%s/manifests/%s", r->ns, repo, ref);
  const char *hdr[] = {"Accept: " OCI_MT_MANIFEST ", " OCI_MT_DOCKER_MANIFEST, NULL};
  resp rs;
  if (!request(r, "GET", path, hdr, NULL, 0, &rs, err)) return false;
  if (rs.status != 200) {
    if (rs.status == 404) *missing = true;
    status_error(r, "GET", path, &rs, err);
    free(rs.data.b.p);
    return false;
  }
  util_sha256_digest(rs.data.b.p ? rs.data.b.p : (uint8_t *)"", rs.data.b.len, digest);
  if (*rs.digest && strcmp(rs.digest, digest)) {
    free(rs.data.b.p);
    return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s:%s: manifest digest mismatch: the registry says %s, got %s", repo,
                     ref, rs.digest, digest);
  }
  if (!rs.data.b.p && !(rs.data.b.p = util_try_malloc(1))) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  *bytes = rs.data.b.p;
  *len = rs.data.b.len;
  return true;
}

bool oci_dist_get_blob(oci_registry *r, const char *repo, const char *digest, uint8_t **bytes, size_t *len,
                       util_error *err) {
  char path[1024];
  snprintf(path, sizeof path, "/v2/%s%s/blobs/%s", r->ns, repo, digest);
  resp rs;
  if (!request(r, "GET", path, NULL, NULL, 0, &rs, err)) return false;
  if (rs.status != 200) {
    status_error(r, "GET", path, &rs, err);
    free(rs.data.b.p);
    return false;
  }
  if (!rs.data.b.p && !(rs.data.b.p = util_try_malloc(1))) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  *bytes = rs.data.b.p;
  *len = rs.data.b.len;
  return true;
}

/* Location headers may be relative; a query string may already be there. */
static void next_url(const resp *rs, char *out, size_t n) { snprintf(out, n, "%s", rs->location); }

bool oci_dist_put_blob(oci_registry *r, const char *repo, const uint8_t *bytes, size_t len, const char *digest,
                       util_error *err) {
  char path[1024], url[4096];
  resp rs;
  snprintf(path, sizeof path, "/v2/%s%s/blobs/%s", r->ns, repo, digest);
  if (!request(r, "HEAD", path, NULL, NULL, 0, &rs, err)) return false;
  free(rs.data.b.p);
  if (rs.status == 200) return true; /* already there */
  snprintf(path, sizeof path, "/v2/%s%s/blobs/uploads/", r->ns, repo);
  if (!request(r, "POST", path, NULL, NULL, 0, &rs, err)) return false;
  free(rs.data.b.p);
  if (rs.status != 202 || !*rs.location) {
    if (rs.status == 202) return util_fail(err, UTIL_ERR_IO, -1, "registry %s: POST %s: no Location", r->base, path);
    return status_error(r, "POST", path, &rs, err);
  }
  next_url(&rs, url, sizeof url);
  size_t chunk = r->opts.chunk_size;
  if (chunk && len > chunk) {
    const char *hdr[3] = {"Content-Type: application/octet-stream", NULL, NULL};
    char range[80];
    for (size_t off = 0; off < len; off += chunk) {
      size_t k = len - off < chunk ? len - off : chunk;
      snprintf(range, sizeof range, "Content-Range: %zu-%zu", off, off + k - 1);
      hdr[1] = range;
      if (!request(r, "PATCH", url, hdr, bytes + off, k, &rs, err)) return false;
      free(rs.data.b.p);
      if (rs.status != 202 || !*rs.location) return status_error(r, "PATCH", url, &rs, err);
      next_url(&rs, url, sizeof url);
    }
    bytes = NULL, len = 0;
  }
  char put[4200];
  snprintf(put, sizeof put, "%s%sdigest=%s", url, strchr(url, '?') ? "&" : "?", digest);
  const char *hdr[] = {"Content-Type: application/octet-stream", NULL};
  if (!request(r, "PUT", put, hdr, bytes, len, &rs, err)) return false;
  free(rs.data.b.p);
  if (rs.status != 201) return status_error(r, "PUT", put, &rs, err);
  return true;
}

bool oci_dist_put_manifest(oci_registry *r, const char *repo, const char *tag, const uint8_t *bytes, size_t len,
                           const char *media_type, util_error *err) {
  char path[1024], ct[200];
  snprintf(path, sizeof path, "/v2/%s%s/manifests/%s", r->ns, repo, tag);
  snprintf(ct, sizeof ct, "Content-Type: %s", media_type);
  const char *hdr[] = {ct, NULL};
  resp rs;
  if (!request(r, "PUT", path, hdr, bytes, len, &rs, err)) return false;
  free(rs.data.b.p);
  if (rs.status != 201) return status_error(r, "PUT", path, &rs, err);
  return true;
}

#endif

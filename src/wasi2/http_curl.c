/* wasi2: the HTTP client of wasi:http's outgoing requests, on libcurl's multi interface:
 * transfers move on only when step runs (the guest reads, polls or waits), never on a
 * thread of their own, so a run's deadline and limits stay where they are. Built into the
 * weld command (weld_http), not into libweld, which links no libcurl. */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <time.h>

#include "http_curl.h"

#ifdef WELD_HAVE_CURL
#include "util/dl_curl.h"

typedef struct cxfer {
  CURL *easy;
  struct curl_slist *hdrs;
  wasi2_http_xfer *x;
  uint64_t started, first_byte_ns;
  bool got_head, failed;
  struct cxfer *next;
} cxfer;

struct w2_curl {
  CURLM *multi;
  cxfer *list;
  wasi2_http_client client;
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One header line: "HTTP/1.1 200 OK" starts a head (an interim 1xx one is dropped),
 * "name: value" is a header, the blank line ends a final head. */
static size_t on_header(char *p, size_t size, size_t n, void *env) {
  cxfer *c = env;
  size_t len = size * n, l = len;
  while (l && (p[l - 1] == '\n' || p[l - 1] == '\r')) l--;
  if (l >= 5 && strncmp(p, "HTTP/", 5) == 0) {
    const char *sp = memchr(p, ' ', l);
    long code = sp ? strtol(sp + 1, NULL, 10) : 0;
    wasi2_http_got_status(c->x, (uint16_t)(code > 0 && code < 1000 ? code : 0));
    c->got_head = false;
    return len;
  }
  if (l == 0) {
    long code = 0;
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200) {
      c->got_head = true;
      wasi2_http_got_head(c->x);
    }
    return len;
  }
  const char *colon = memchr(p, ':', l);
  if (!colon) return len;
  const char *v = colon + 1, *e = p + l;
  while (v < e && (*v == ' ' || *v == '\t')) v++;
  while (e > v && (e[-1] == ' ' || e[-1] == '\t')) e--;
  if (!wasi2_http_got_header(c->x, p, (size_t)(colon - p), v, (size_t)(e - v))) c->failed = true;
  return c->failed ? 0 : len;
}

static size_t on_data(char *p, size_t size, size_t n, void *env) {
  cxfer *c = env;
  if (!wasi2_http_got_data(c->x, p, size * n)) {
    c->failed = true;
    return 0;
  }
  return size * n;
}

static int error_case(CURLcode rc, bool head) {
  switch (rc) {
  case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_RESOLVE_PROXY: return WASI2_HTTP_E_DNS_ERROR;
  case CURLE_COULDNT_CONNECT: return WASI2_HTTP_E_CONN_REFUSED;
  case CURLE_OPERATION_TIMEDOUT: return head ? WASI2_HTTP_E_RESPONSE_TIMEOUT : WASI2_HTTP_E_CONN_TIMEOUT;
  case CURLE_SSL_CONNECT_ERROR: return WASI2_HTTP_E_TLS_PROTOCOL;
  case CURLE_PEER_FAILED_VERIFICATION: case CURLE_SSL_CERTPROBLEM: case CURLE_SSL_CACERT_BADFILE:
    return WASI2_HTTP_E_TLS_CERTIFICATE;
  case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE: case CURLE_RECV_ERROR:
    return head ? WASI2_HTTP_E_RESPONSE_INCOMPLETE : WASI2_HTTP_E_CONN_TERMINATED;
  case CURLE_SEND_ERROR: return WASI2_HTTP_E_CONN_TERMINATED;
  case CURLE_WEIRD_SERVER_REPLY: case CURLE_UNSUPPORTED_PROTOCOL: return WASI2_HTTP_E_PROTOCOL;
  case CURLE_URL_MALFORMAT: return WASI2_HTTP_E_URI_INVALID;
  default: return WASI2_HTTP_E_INTERNAL;
  }
}

static void drop(w2_curl *k, cxfer *c) {
  for (cxfer **pp = &k->list; *pp; pp = &(*pp)->next)
    if (*pp == c) {
      *pp = c->next;
      break;
    }
  curl_multi_remove_handle(k->multi, c->easy);
  curl_easy_cleanup(c->easy);
  curl_slist_free_all(c->hdrs);
  free(c);
}

static void *start(void *env, wasi2_http_xfer *x, const wasi2_http_req *r, char *msg, size_t nmsg) {
  w2_curl *k = env;
  cxfer *c = calloc(1, sizeof *c);
  if (!c || !(c->easy = curl_easy_init())) {
    free(c);
    snprintf(msg, nmsg, "out of memory");
    return NULL;
  }
  c->x = x;
  CURL *e = c->easy;
  bool ok = true;
  for (size_t i = 0; ok && i < r->nheaders; i++) {
    struct curl_slist *s = curl_slist_append(c->hdrs, r->headers[i]);
    if (!s) ok = false;
    else c->hdrs = s;
  }
  /* what curl would add unasked: the guest's request is sent as it made it (arrays: no
   * relocations at start-up) */
  static const char unasked[][8] = {"Accept:", "Expect:"};
  for (size_t i = 0; ok && i < 2; i++) {
    bool has = false;
    for (size_t j = 0; j < r->nheaders; j++) has |= strncasecmp(r->headers[j], unasked[i], strlen(unasked[i])) == 0;
    struct curl_slist *s = has ? c->hdrs : curl_slist_append(c->hdrs, unasked[i]);
    if (!s) ok = false;
    else c->hdrs = s;
  }
  ok = ok && curl_easy_setopt(e, CURLOPT_URL, r->url) == CURLE_OK;
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->hdrs);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PRIVATE, c);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_PROXY, ""); /* the policy decided on this host, not a proxy */
  if (strcmp(r->method, "HEAD") == 0) curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  else if (strcmp(r->method, "GET") != 0) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
  if (r->body && r->body_len) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
    if (strcmp(r->method, "POST") != 0) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
  }
  if (r->connect_timeout_ns)
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)((r->connect_timeout_ns + 999999) / 1000000));
  if (r->between_bytes_timeout_ns) { /* no byte for that long: the transfer stops */
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)((r->between_bytes_timeout_ns + 999999999) / 1000000000));
  }
  c->first_byte_ns = r->first_byte_timeout_ns;
  c->started = now_ns();
  if (!ok || curl_multi_add_handle(k->multi, e) != CURLM_OK) {
    curl_easy_cleanup(e);
    curl_slist_free_all(c->hdrs);
    free(c);
    snprintf(msg, nmsg, "the HTTP client refused the request");
    return NULL;
  }
  c->next = k->list;
  k->list = c;
  return c;
}

static void step(void *env) {
  w2_curl *k = env;
  int running = 0;
  curl_multi_perform(k->multi, &running);
  CURLMsg *m;
  int left;
  while ((m = curl_multi_info_read(k->multi, &left))) {
    if (m->msg != CURLMSG_DONE) continue;
    cxfer *c = NULL;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
    for (cxfer *i = k->list; i && !c; i = i->next)
      if (i->easy == m->easy_handle) c = i;
    if (!c) continue;
    CURLcode rc = m->data.result;
    wasi2_http_xfer *x = c->x;
    if (c->failed) { /* reported already */
    } else if (rc == CURLE_OK) wasi2_http_got_end(x, -1, NULL);
    else wasi2_http_got_end(x, error_case(rc, c->got_head), curl_easy_strerror(rc));
    drop(k, c);
  }
  uint64_t now = now_ns();
  for (cxfer *c = k->list, *next; c; c = next) {
    next = c->next;
    if (c->first_byte_ns && !c->got_head && now - c->started > c->first_byte_ns) {
      wasi2_http_got_end(c->x, WASI2_HTTP_E_RESPONSE_TIMEOUT, "no response within the first-byte timeout");
      drop(k, c);
    }
  }
}

static void cancel(void *env, void *handle) { drop(env, handle); }

w2_curl *w2_curl_new(util_error *err) {
  static bool inited;
  if (!util_dynlib_need(&dl_curl_lib, "making outgoing HTTP requests", err)) return NULL;
  if (!inited) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      util_fail(err, UTIL_ERR_IO, -1, "making outgoing HTTP requests: cannot start libcurl");
      return NULL;
    }
    inited = true;
  }
  w2_curl *k = calloc(1, sizeof *k);
  if (!(k && (k->multi = curl_multi_init()))) {
    free(k);
    util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    return NULL;
  }
  k->client = (wasi2_http_client){start, step, cancel, k};
  return k;
}

const wasi2_http_client *w2_curl_client(w2_curl *k) { return k ? &k->client : NULL; }

void w2_curl_free(w2_curl *k) {
  if (!k) return;
  while (k->list) drop(k, k->list);
  curl_multi_cleanup(k->multi);
  free(k);
}

#else /* without libcurl: outgoing requests answer "not supported" */

w2_curl *w2_curl_new(util_error *err) {
  util_fail(err, UTIL_ERR_USAGE, -1, "not supported: outgoing HTTP requests (this weld was built without libcurl)");
  return NULL;
}
const wasi2_http_client *w2_curl_client(w2_curl *k) { (void)k; return NULL; }
void w2_curl_free(w2_curl *k) { (void)k; }

#endif

#define _GNU_SOURCE
/* The test containers' program (built static, packed into an OCI image by the test):
 *   svc pre PORT    HTTP: cleans a CSV body (blank lines, comments and the header dropped,
 *                   spaces trimmed, names lower-cased), posts it to $WELD_ADDR_AGGREGATE,
 *                   posts that answer to $WELD_ADDR_RENDER, answers with the result
 *   svc post PORT   HTTP: "name total" lines into a report ("NAME = total", then a total)
 *   svc gen N       writes N CSV lines "kK,V" to stdout (a pipeline's first step)
 *   svc upper       copies stdin to stdout upper-cased (a pipeline's last step)
 *   svc crash       says so on stderr and exits with status 3
 *   svc keep PORT   HTTP/1.1 with keep-alive (a thread per connection, pipelined requests
 *                   answered in order): bodies by Content-Length or chunked, 100-continue;
 *                   GET /status/NNN answers NNN, /chunked/N in N chunks and a trailer,
 *                   /eof without a length and closes, POST /echo echoes the body; a request
 *                   it cannot read gets 400 and the connection closes */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char *read_request(int fd, size_t *body_len, char **body) {
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap + 1);
  char *end = NULL;
  long clen = -1;
  for (;;) {
    if (n == cap) buf = realloc(buf, (cap *= 2) + 1);
    ssize_t r = read(fd, buf + n, cap - n);
    if (r <= 0) break;
    n += (size_t)r;
    buf[n] = 0;
    if (!end && (end = strstr(buf, "\r\n\r\n"))) {
      char *cl = strcasestr(buf, "content-length:");
      clen = cl && cl < end ? strtol(cl + 15, NULL, 10) : 0;
    }
    if (end && (long)(n - (size_t)(end + 4 - buf)) >= clen) break;
  }
  if (!end) {
    free(buf);
    return NULL;
  }
  *body = end + 4;
  *body_len = n - (size_t)(end + 4 - buf);
  return buf;
}

static void answer(int fd, int status, const char *body, size_t len) {
  char head[256];
  int h = snprintf(head, sizeof head, "HTTP/1.0 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                   status, status == 200 ? "OK" : "Error", len);
  if (write(fd, head, (size_t)h) < 0 || write(fd, body, len) < 0) return;
}

/* POSTs body to "127.0.0.1:PORT" (from the environment); returns the answer's body. */
static char *post(const char *var, const char *body, size_t len, int *status) {
  const char *addr = getenv(var);
  *status = 0;
  if (!addr || !strchr(addr, ':')) return NULL;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(strchr(addr, ':') + 1))};
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    close(fd);
    return NULL;
  }
  char head[256];
  int h = snprintf(head, sizeof head, "POST / HTTP/1.0\r\nHost: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", addr, len);
  if (write(fd, head, (size_t)h) < 0 || write(fd, body, len) < 0) {
    close(fd);
    return NULL;
  }
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap + 1);
  ssize_t r;
  while ((r = read(fd, buf + n, cap - n)) > 0)
    if ((n += (size_t)r) == cap) buf = realloc(buf, (cap *= 2) + 1);
  close(fd);
  buf[n] = 0;
  char *b = strstr(buf, "\r\n\r\n");
  if (strncmp(buf, "HTTP/1.", 7) != 0 || !b) {
    free(buf);
    return NULL;
  }
  *status = atoi(buf + 9);
  char *out = strdup(b + 4);
  free(buf);
  return out;
}

static char *clean(const char *in, size_t len) {
  char *out = malloc(len + 1);
  size_t o = 0;
  const char *p = in, *end = in + len;
  int first = 1;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    while (p < le && isspace((unsigned char)*p)) p++;
    const char *q = le;
    while (q > p && isspace((unsigned char)q[-1])) q--;
    if (q > p && *p != '#') {
      if (first && strncmp(p, "name,", 5) == 0) {
        first = 0;
      } else {
        first = 0;
        for (const char *c = p; c < q; c++)
          if (*c != ' ') out[o++] = (char)tolower((unsigned char)*c);
        out[o++] = '\n';
      }
    }
    p = nl ? nl + 1 : end;
  }
  out[o] = 0;
  return out;
}

static char *render(const char *in) {
  size_t cap = strlen(in) * 2 + 64, o = 0;
  char *out = malloc(cap);
  long long sum = 0;
  char name[128];
  long long v;
  o += (size_t)snprintf(out + o, cap - o, "REPORT\n");
  for (const char *p = in; *p;) {
    if (sscanf(p, "%127s %lld", name, &v) == 2) {
      for (char *c = name; *c; c++) *c = (char)toupper((unsigned char)*c);
      o += (size_t)snprintf(out + o, cap - o, "%s = %lld\n", name, v);
      sum += v;
    }
    const char *nl = strchr(p, '\n');
    p = nl ? nl + 1 : p + strlen(p);
  }
  snprintf(out + o, cap - o, "TOTAL = %lld\n", sum);
  return out;
}

static int serve(int port, int pre) {
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(s, 64) != 0) {
    perror("listen");
    return 1;
  }
  fprintf(stderr, "svc %s listening on %d\n", pre ? "pre" : "post", port);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    size_t blen;
    char *body, *req = read_request(c, &blen, &body);
    if (!req) {
      close(c);
      continue;
    }
    if (pre) {
      char *csv = clean(body, blen);
      int st1, st2 = 0;
      char *agg = post("WELD_ADDR_AGGREGATE", csv, strlen(csv), &st1), *rep = NULL;
      if (agg && st1 == 200) rep = post("WELD_ADDR_RENDER", agg, strlen(agg), &st2);
      if (rep && st2 == 200) answer(c, 200, rep, strlen(rep));
      else {
        char msg[128];
        snprintf(msg, sizeof msg, "upstream failed (aggregate %d, render %d)\n", st1, st2);
        answer(c, 502, msg, strlen(msg));
      }
      free(csv), free(agg), free(rep);
    } else {
      body[blen] = 0;
      char *r = render(body);
      answer(c, 200, r, strlen(r));
      free(r);
    }
    free(req);
    close(c);
  }
}

/* ---------- svc keep: HTTP/1.1 with keep-alive ---------- */

typedef struct kconn {
  int fd;
  char *buf;
  size_t n, cap;
} kconn;

/* At least want bytes buffered; false at the end of the connection. */
static bool kfill(kconn *k, size_t want) {
  while (k->n < want) {
    if (k->n == k->cap) k->buf = realloc(k->buf, (k->cap *= 2) + 1);
    ssize_t r = read(k->fd, k->buf + k->n, k->cap - k->n);
    if (r <= 0) return false;
    k->n += (size_t)r;
  }
  return true;
}

/* The offset just after the next "\r\n" from off (reading more as needed), 0 at the end. */
static size_t kline(kconn *k, size_t off) {
  for (size_t i = off;; i++) {
    if (!kfill(k, i + 2)) return 0;
    if (k->buf[i] == '\r' && k->buf[i + 1] == '\n') return i + 2;
  }
}

static void kwrite(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) return;
    p += w, n -= (size_t)w;
  }
}

static void kanswer(int fd, int status, const char *extra, const char *body, size_t len, bool head) {
  char h[512];
  int n = snprintf(h, sizeof h, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n%s\r\n", status, status < 400 ? "OK" : "Failed", len,
                   extra);
  kwrite(fd, h, (size_t)n);
  if (!head) kwrite(fd, body, len);
}

static void *keep_conn(void *arg) {
  kconn k = {(int)(intptr_t)arg, malloc(4097), 0, 4096};
  for (;;) {
    /* the request line and headers */
    size_t end = 0;
    for (size_t at = 0;;) {
      size_t next = kline(&k, at);
      if (!next) goto done;
      if (next == at + 2) {
        end = next;
        break;
      }
      at = next;
    }
    k.buf[end - 2] = 0;
    char method[16] = "", path[256] = "";
    size_t ll = strcspn(k.buf, "\r");
    if (ll < 9 || memcmp(k.buf + ll - 9, " HTTP/1.", 8) != 0 || sscanf(k.buf, "%15s %255s ", method, path) != 2) {
      kanswer(k.fd, 400, "Connection: close\r\n", "bad request\n", 12, false);
      goto done;
    }
    bool head = !strcmp(method, "HEAD"), chunked = false, close_after = false, cont = false;
    long clen = 0;
    for (char *h = strstr(k.buf, "\r\n"); h && h[2]; h = strstr(h + 2, "\r\n")) {
      char *v = h + 2;
      if (!strncasecmp(v, "content-length:", 15)) clen = strtol(v + 15, NULL, 10);
      if (!strncasecmp(v, "transfer-encoding:", 18)) chunked = strstr(v, "chunked") != NULL;
      if (!strncasecmp(v, "connection:", 11)) close_after = strcasestr(v, "close") != NULL;
      if (!strncasecmp(v, "expect:", 7)) cont = strcasestr(v, "100-continue") != NULL;
    }
    if (cont) kwrite(k.fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    /* the body, gathered at its end */
    size_t bstart = end, blen = 0;
    char *body = malloc(1);
    if (chunked) {
      size_t at = end;
      for (;;) {
        size_t next = kline(&k, at);
        if (!next) goto done;
        size_t sz = strtoul(k.buf + at, NULL, 16);
        at = next;
        if (!sz) {
          while ((next = kline(&k, at)) && next != at + 2) at = next; /* trailers */
          if (!next) goto done;
          at = next;
          break;
        }
        if (!kfill(&k, at + sz + 2)) goto done;
        body = realloc(body, blen + sz + 1);
        memcpy(body + blen, k.buf + at, sz);
        blen += sz, at += sz + 2;
      }
      bstart = at;
    } else {
      if (!kfill(&k, end + (size_t)clen)) goto done;
      body = realloc(body, (size_t)clen + 1);
      memcpy(body, k.buf + end, (size_t)clen);
      blen = (size_t)clen, bstart = end + (size_t)clen;
    }
    /* the answer */
    char msg[256];
    const char *extra = close_after ? "Connection: close\r\n" : "";
    bool eof = false;
    if (!strncmp(path, "/status/", 8)) {
      int st = atoi(path + 8);
      int n = snprintf(msg, sizeof msg, "status %d\n", st);
      kanswer(k.fd, st, extra, msg, (size_t)n, head);
    } else if (!strncmp(path, "/chunked/", 9)) {
      int parts = atoi(path + 9);
      int n = snprintf(msg, sizeof msg, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Parts\r\n%s\r\n", extra);
      kwrite(k.fd, msg, (size_t)n);
      for (int i = 0; i < parts; i++) {
        char piece[64];
        int pl = snprintf(piece, sizeof piece, "part %d of %d\n", i + 1, parts);
        n = snprintf(msg, sizeof msg, "%x;n=%d\r\n%s\r\n", pl, i, piece);
        kwrite(k.fd, msg, (size_t)n);
      }
      n = snprintf(msg, sizeof msg, "0\r\nX-Parts: %d\r\n\r\n", parts);
      kwrite(k.fd, msg, (size_t)n);
    } else if (!strcmp(path, "/eof")) {
      static const char e[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthe body ends with the connection\n";
      kwrite(k.fd, e, sizeof e - 1);
      eof = true;
    } else if (!strcmp(path, "/echo")) {
      kanswer(k.fd, 200, extra, body, blen, head);
    } else {
      kanswer(k.fd, 404, extra, "no such path\n", 13, head);
    }
    free(body);
    if (close_after || eof) goto done;
    memmove(k.buf, k.buf + bstart, k.n - bstart);
    k.n -= bstart;
  }
done:
  close(k.fd);
  free(k.buf);
  return NULL;
}

static int keep(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(s, 64) != 0) {
    perror("listen");
    return 1;
  }
  fprintf(stderr, "svc keep listening on %d\n", port);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    pthread_t t;
    if (pthread_create(&t, NULL, keep_conn, (void *)(intptr_t)c) == 0) pthread_detach(t);
    else close(c);
  }
}

static void on_term(int sig) {
  (void)sig;
  _exit(0);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  signal(SIGTERM, on_term); /* as the container's init, SIGTERM is ignored unless handled */
  if (argc >= 3 && !strcmp(argv[1], "pre")) return serve(atoi(argv[2]), 1);
  if (argc >= 3 && !strcmp(argv[1], "post")) return serve(atoi(argv[2]), 0);
  if (argc >= 3 && !strcmp(argv[1], "keep")) return keep(atoi(argv[2]));
  if (argc >= 3 && !strcmp(argv[1], "gen")) {
    int n = atoi(argv[2]);
    for (int i = 0; i < n; i++) printf("k%d,%d\n", i % 7, i);
    return 0;
  }
  if (argc >= 2 && !strcmp(argv[1], "upper")) {
    int ch;
    while ((ch = getchar()) != EOF) putchar(toupper(ch));
    return 0;
  }
  if (argc >= 2 && !strcmp(argv[1], "crash")) {
    fprintf(stderr, "svc: crashing on purpose\n");
    return 3;
  }
  fprintf(stderr, "usage: svc pre|post|keep PORT | gen N | upper | crash\n");
  return 2;
}

/* The test's WebAssembly service (wasm32-wasi): sums CSV lines "name,value" per name and
 * answers "name total" lines sorted by name.
 *   agg.wasm          serves HTTP on the listening socket the executor hands in (fd 3)
 *   agg.wasm stream   reads stdin to its end, writes the sums to stdout (a pipeline step)
 * Built natively (bench/hybrid.sh runs the same service as a container), `agg serve PORT`
 * listens on 127.0.0.1:PORT itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi/api.h>
static int next_conn(void) {
  __wasi_fd_t c;
  return __wasi_sock_accept(3, 0, &c) == 0 ? (int)c : -1;
}
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
static int lfd = -1;
static int next_conn(void) {
  int c;
  while ((c = accept(lfd, NULL, NULL)) < 0) {
  }
  return c;
}
#endif

#define MAXN 256
static char names[MAXN][64];
static long long sums[MAXN];
static int n;

static void add(const char *line, size_t len) {
  const char *comma = memchr(line, ',', len);
  if (!comma || comma == line || (size_t)(comma - line) >= 64) return;
  char name[64];
  memcpy(name, line, (size_t)(comma - line));
  name[comma - line] = 0;
  char num[32];
  size_t nl = len - (size_t)(comma + 1 - line);
  if (nl >= sizeof num) return;
  memcpy(num, comma + 1, nl);
  num[nl] = 0;
  long long v = strtoll(num, NULL, 10);
  for (int i = 0; i < n; i++)
    if (!strcmp(names[i], name)) {
      sums[i] += v;
      return;
    }
  if (n < MAXN) strcpy(names[n], name), sums[n++] = v;
}

static int cmp(const void *a, const void *b) { return strcmp(names[*(const int *)a], names[*(const int *)b]); }

static size_t aggregate(const char *in, size_t len, char *out, size_t cap) {
  n = 0;
  for (const char *p = in, *end = in + len; p < end;) {
    const char *e = memchr(p, '\n', (size_t)(end - p));
    if (!e) e = end;
    add(p, (size_t)(e - p));
    p = e + 1;
  }
  int idx[MAXN];
  for (int i = 0; i < n; i++) idx[i] = i;
  qsort(idx, (size_t)n, sizeof idx[0], cmp);
  size_t o = 0;
  for (int i = 0; i < n && o < cap; i++) o += (size_t)snprintf(out + o, cap - o, "%s %lld\n", names[idx[i]], sums[idx[i]]);
  return o < cap ? o : cap;
}

static char buf[1 << 20], out[1 << 16];

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "stream")) {
    size_t len = 0;
    ssize_t r;
    while (len < sizeof buf && (r = read(0, buf + len, sizeof buf - len)) > 0) len += (size_t)r;
    size_t o = aggregate(buf, len, out, sizeof out);
    fwrite(out, 1, o, stdout);
    return 0;
  }
#ifndef __wasi__
  if (argc < 3 || strcmp(argv[1], "serve") != 0) {
    fprintf(stderr, "usage: agg serve PORT | agg stream\n");
    return 2;
  }
  lfd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 64) != 0) {
    perror("agg: listen");
    return 1;
  }
#endif
  for (;;) {
    int c = next_conn();
    if (c < 0) return 1;
    size_t len = 0;
    char *body = NULL;
    long clen = -1;
    ssize_t r;
    while (len < sizeof buf - 1 && (r = read(c, buf + len, sizeof buf - 1 - len)) > 0) {
      len += (size_t)r;
      buf[len] = 0;
      if (!body && (body = strstr(buf, "\r\n\r\n"))) {
        body += 4;
        char *cl = strstr(buf, "Content-Length:");
        clen = cl ? strtol(cl + 15, NULL, 10) : 0;
      }
      if (body && (long)(len - (size_t)(body - buf)) >= clen) break;
    }
    if (body) {
      size_t o = aggregate(body, len - (size_t)(body - buf), out, sizeof out);
      char head[160];
      int h = snprintf(head, sizeof head, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", o);
      if (write(c, head, (size_t)h) < 0 || write(c, out, o) < 0) fprintf(stderr, "agg: write failed\n");
    }
    close(c);
  }
}

/* A wasi:sockets test program for tests/wasi2/sockets.sh: wasi-libc for stdio, and the
 * WASI 0.2 socket functions imported directly with their canonical ABI lowering (the
 * component type comes from tests/wasi2/sockprog.wit, embedded by `jco embed`).
 *
 *   sockprog tcp-echo IP PORT TEXT    connect, send TEXT, print as many bytes of reply, shut down
 *   sockprog tcp-serve IP PORT        listen, accept one client, reply "got: " + what it sent
 *   sockprog tcp-block IP PORT        listen and wait for a client forever (for --timeout)
 *   sockprog udp IP PORT TEXT         send a datagram to IP:PORT, print the reply
 *   sockprog lookup NAME              resolve NAME, print its addresses in order
 *   sockprog options IP PORT          connect and print socket options set and read back
 *   sockprog name-echo NAME PORT TEXT resolve NAME, then tcp-echo to its first IPv4 address
 *   sockprog many N                   create TCP sockets until one is refused (at most N)
 *   sockprog tcp-nonblocking IP PORT  read before anything was sent (an empty list), then
 *                                     after the stream's pollable says data came
 * Failures print `CALL: ERROR-CODE` and exit 1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define V "@0.2.12"
#define IMPORT(mod, name) __attribute__((import_module(mod V), import_name(name)))

/* cabi_realloc: the memory lists returned to the program are allocated in */
__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, size_t oldsz, size_t align, size_t n) {
  (void)oldsz, (void)align;
  return realloc(old, n ? n : 1);
}

IMPORT("wasi:sockets/instance-network", "instance-network") int32_t instance_network(void);
IMPORT("wasi:sockets/tcp-create-socket", "create-tcp-socket") void create_tcp(int32_t fam, void *ret);
IMPORT("wasi:sockets/udp-create-socket", "create-udp-socket") void create_udp(int32_t fam, void *ret);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.start-connect")
void tcp_start_connect(int32_t s, int32_t net, int32_t d, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t,
                       int32_t, int32_t, int32_t, int32_t, int32_t, void *ret);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.start-bind")
void tcp_start_bind(int32_t s, int32_t net, int32_t d, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t,
                    int32_t, int32_t, int32_t, int32_t, int32_t, void *ret);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.finish-connect") void tcp_finish_connect(int32_t s, void *ret);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.finish-bind") void tcp_finish_bind(int32_t s, void *ret);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.start-listen") void tcp_start_listen(int32_t s, void *ret);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.finish-listen") void tcp_finish_listen(int32_t s, void *ret);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.accept") void tcp_accept(int32_t s, void *ret);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.remote-address") void tcp_remote_address(int32_t s, void *ret);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.local-address") void tcp_local_address(int32_t s, void *ret);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.shutdown") void tcp_shutdown(int32_t s, int32_t how, void *ret);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.subscribe") int32_t tcp_subscribe(int32_t s);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.is-listening") int32_t tcp_is_listening(int32_t s);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.set-keep-alive-enabled") void tcp_set_keepalive(int32_t s, int32_t v, void *ret);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.keep-alive-enabled") void tcp_keepalive(int32_t s, void *ret);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.set-hop-limit") void tcp_set_hop_limit(int32_t s, int32_t v, void *ret);
IMPORT("wasi:sockets/tcp", "[method]tcp-socket.hop-limit") void tcp_hop_limit(int32_t s, void *ret);
IMPORT("wasi:sockets/tcp", "[resource-drop]tcp-socket") void tcp_drop(int32_t s);
IMPORT("wasi:sockets/udp", "[method]udp-socket.start-bind")
void udp_start_bind(int32_t s, int32_t net, int32_t d, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t,
                    int32_t, int32_t, int32_t, int32_t, int32_t, void *ret);
IMPORT("wasi:sockets/udp", "[method]udp-socket.finish-bind") void udp_finish_bind(int32_t s, void *ret);
IMPORT("wasi:sockets/udp", "[method]udp-socket.stream")
void udp_stream(int32_t s, int32_t some, int32_t d, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t,
                int32_t, int32_t, int32_t, int32_t, void *ret);
IMPORT("wasi:sockets/udp", "[method]incoming-datagram-stream.receive") void udp_receive(int32_t s, int64_t max, void *ret);
IMPORT("wasi:sockets/udp", "[method]incoming-datagram-stream.subscribe") int32_t udp_in_subscribe(int32_t s);
IMPORT("wasi:sockets/udp", "[method]outgoing-datagram-stream.check-send") void udp_check_send(int32_t s, void *ret);
IMPORT("wasi:sockets/udp", "[method]outgoing-datagram-stream.send") void udp_send(int32_t s, void *p, int32_t n, void *ret);
IMPORT("wasi:sockets/ip-name-lookup", "resolve-addresses") void resolve_addresses(int32_t net, const char *s, int32_t n, void *ret);
IMPORT("wasi:sockets/ip-name-lookup", "[method]resolve-address-stream.resolve-next-address") void resolve_next(int32_t s, void *ret);
IMPORT("wasi:sockets/ip-name-lookup", "[method]resolve-address-stream.subscribe") int32_t resolve_subscribe(int32_t s);
IMPORT("wasi:io/poll", "[method]pollable.block") void pollable_block(int32_t p);
IMPORT("wasi:io/poll", "[resource-drop]pollable") void pollable_drop(int32_t p);
IMPORT("wasi:io/streams", "[method]input-stream.read") void stream_read_now(int32_t s, int64_t n, void *ret);
IMPORT("wasi:io/streams", "[method]input-stream.subscribe") int32_t input_subscribe(int32_t s);
IMPORT("wasi:io/streams", "[method]input-stream.blocking-read") void stream_read(int32_t s, int64_t n, void *ret);
IMPORT("wasi:io/streams", "[method]output-stream.blocking-write-and-flush") void stream_write(int32_t s, const void *p, int32_t n, void *ret);
IMPORT("wasi:io/streams", "[resource-drop]input-stream") void input_drop(int32_t s);
IMPORT("wasi:io/streams", "[resource-drop]output-stream") void output_drop(int32_t s);

static const char *const codes[] = {
  "unknown", "access-denied", "not-supported", "invalid-argument", "out-of-memory", "timeout",
  "concurrency-conflict", "not-in-progress", "would-block", "invalid-state", "new-socket-limit",
  "address-not-bindable", "address-in-use", "remote-unreachable", "connection-refused", "connection-reset",
  "connection-aborted", "datagram-too-large", "name-unresolvable", "temporary-resolver-failure",
  "permanent-resolver-failure"};

enum { WOULD_BLOCK = 8 };

static _Alignas(8) uint8_t ret[64];

static void fail(const char *call, uint8_t code) {
  printf("%s: %s\n", call, code < sizeof codes / sizeof codes[0] ? codes[code] : "?");
  exit(1);
}

/* result<_, error-code> in ret */
static void check0(const char *call) {
  if (ret[0]) fail(call, ret[1]);
}
/* result<T, error-code> with T at offset 4 */
static void check4(const char *call) {
  if (ret[0]) fail(call, ret[4]);
}
static int32_t i32_at(int off) {
  int32_t v;
  memcpy(&v, ret + off, 4);
  return v;
}

static void wait_on(int32_t pollable) {
  pollable_block(pollable);
  pollable_drop(pollable);
}

/* an IPv4 address in the flattened ip-socket-address (disc, port, a, b, c, d, 0...) */
static void parse_v4(const char *s, int32_t b[4]) {
  unsigned x[4] = {0, 0, 0, 0};
  sscanf(s, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]);
  for (int i = 0; i < 4; i++) b[i] = (int32_t)x[i];
}

static void print_sockaddr(const char *what, int base) {
  /* ip-socket-address at base: disc u8, record at base+4 */
  if (ret[base] == 0) {
    uint16_t port;
    memcpy(&port, ret + base + 4, 2);
    printf("%s %u.%u.%u.%u:%u\n", what, ret[base + 6], ret[base + 7], ret[base + 8], ret[base + 9], port);
  } else {
    printf("%s ipv6\n", what);
  }
}

static int32_t connect_to(int32_t net, const char *ip, int port) {
  create_tcp(0, ret);
  check4("create-tcp-socket");
  int32_t s = i32_at(4), b[4];
  parse_v4(ip, b);
  tcp_start_connect(s, net, 0, port, b[0], b[1], b[2], b[3], 0, 0, 0, 0, 0, 0, ret);
  check0("start-connect");
  for (;;) {
    tcp_finish_connect(s, ret);
    if (ret[0] && ret[4] == WOULD_BLOCK) {
      wait_on(tcp_subscribe(s));
      continue;
    }
    check4("finish-connect");
    break;
  }
  return s;
}

static void write_all(int32_t out, const char *text, size_t n) {
  stream_write(out, text, (int32_t)n, ret);
  if (ret[0]) {
    printf("write: stream error\n");
    exit(1);
  }
}

/* reads to the end of the stream, or `want` bytes; returns a malloc'd string */
static char *read_some(int32_t in, size_t want) {
  size_t n = 0;
  char *buf = malloc(1);
  while (n < want) {
    stream_read(in, 4096, ret);
    if (ret[0]) {
      if (ret[4] == 1) break; /* closed */
      printf("read: last-operation-failed\n");
      exit(1);
    }
    uint8_t *p = (uint8_t *)(uintptr_t)i32_at(4);
    int32_t k = i32_at(8);
    buf = realloc(buf, n + (size_t)k + 1);
    memcpy(buf + n, p, (size_t)k);
    n += (size_t)k;
    free(p);
  }
  buf[n] = 0;
  return buf;
}

static int tcp_echo(int32_t net, const char *ip, int port, const char *text) {
  int32_t s = connect_to(net, ip, port);
  int32_t in = i32_at(4), out = i32_at(8);
  tcp_remote_address(s, ret);
  check4("remote-address");
  print_sockaddr("connected to", 4);
  size_t want = strlen(text);
  write_all(out, text, want);
  char *reply = read_some(in, want);
  printf("reply: %s\n", reply);
  free(reply);
  tcp_shutdown(s, 2, ret);
  check0("shutdown");
  input_drop(in);
  output_drop(out);
  tcp_drop(s);
  return 0;
}

static int32_t listen_on(int32_t net, const char *ip, int port) {
  create_tcp(0, ret);
  check4("create-tcp-socket");
  int32_t s = i32_at(4), b[4];
  parse_v4(ip, b);
  tcp_start_bind(s, net, 0, port, b[0], b[1], b[2], b[3], 0, 0, 0, 0, 0, 0, ret);
  check0("start-bind");
  tcp_finish_bind(s, ret);
  check0("finish-bind");
  tcp_start_listen(s, ret);
  check0("start-listen");
  tcp_finish_listen(s, ret);
  check0("finish-listen");
  printf("listening: %s\n", tcp_is_listening(s) ? "yes" : "no");
  fflush(stdout);
  return s;
}

static void accept_one(int32_t s) {
  for (;;) {
    tcp_accept(s, ret);
    if (ret[0] && ret[4] == WOULD_BLOCK) {
      wait_on(tcp_subscribe(s));
      continue;
    }
    check4("accept");
    return;
  }
}

static int tcp_serve(int32_t net, const char *ip, int port) {
  int32_t s = listen_on(net, ip, port);
  accept_one(s);
  int32_t c = i32_at(4), in = i32_at(8), out = i32_at(12);
  tcp_local_address(c, ret);
  check4("local-address");
  print_sockaddr("accepted on", 4);
  char *got = read_some(in, SIZE_MAX);
  printf("received: %s\n", got);
  write_all(out, "got: ", 5);
  write_all(out, got, strlen(got));
  free(got);
  input_drop(in);
  output_drop(out);
  tcp_drop(c);
  tcp_drop(s);
  return 0;
}

static int tcp_block(int32_t net, const char *ip, int port) {
  int32_t s = listen_on(net, ip, port);
  accept_one(s);
  printf("a client connected\n");
  return 0;
}

static int udp(int32_t net, const char *ip, int port, const char *text) {
  create_udp(0, ret);
  check4("create-udp-socket");
  int32_t s = i32_at(4), b[4];
  udp_start_bind(s, net, 0, 0, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, ret);
  check0("start-bind");
  udp_finish_bind(s, ret);
  check0("finish-bind");
  parse_v4(ip, b);
  udp_stream(s, 1, 0, port, b[0], b[1], b[2], b[3], 0, 0, 0, 0, 0, 0, ret);
  check4("stream");
  int32_t in = i32_at(4), out = i32_at(8);
  udp_check_send(out, ret);
  if (ret[0]) fail("check-send", ret[8]);
  /* outgoing-datagram: data (ptr, len), remote-address none */
  _Alignas(4) uint8_t dg[44];
  memset(dg, 0, sizeof dg);
  int32_t p = (int32_t)(uintptr_t)text, n = (int32_t)strlen(text);
  memcpy(dg, &p, 4);
  memcpy(dg + 4, &n, 4);
  udp_send(out, dg, 1, ret);
  if (ret[0]) fail("send", ret[8]);
  uint64_t sent;
  memcpy(&sent, ret + 8, 8);
  printf("sent: %llu\n", (unsigned long long)sent);
  for (;;) {
    udp_receive(in, 1, ret);
    if (ret[0]) fail("receive", ret[4]);
    if (i32_at(8) > 0) break;
    wait_on(udp_in_subscribe(in));
  }
  uint8_t *d = (uint8_t *)(uintptr_t)i32_at(4);
  int32_t dp, dn;
  memcpy(&dp, d, 4);
  memcpy(&dn, d + 4, 4);
  printf("reply: %.*s\n", (int)dn, (const char *)(uintptr_t)dp);
  uint16_t rport;
  memcpy(&rport, d + 12, 2);
  printf("from %u.%u.%u.%u:%s\n", d[14], d[15], d[16], d[17], rport == port ? "PORT" : "another port");
  return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int lookup(int32_t net, const char *name) {
  resolve_addresses(net, name, (int32_t)strlen(name), ret);
  check4("resolve-addresses");
  int32_t st = i32_at(4);
  char *addrs[64];
  int n = 0;
  for (;;) {
    resolve_next(st, ret);
    if (ret[0] && ret[2] == WOULD_BLOCK) {
      wait_on(resolve_subscribe(st));
      continue;
    }
    if (ret[0]) fail("resolve-next-address", ret[2]);
    if (ret[2] == 0) break; /* none: the end */
    char buf[64];
    if (ret[4] == 0) {
      snprintf(buf, sizeof buf, "%u.%u.%u.%u", ret[6], ret[7], ret[8], ret[9]);
    } else {
      uint16_t h[8];
      memcpy(h, ret + 6, 16);
      snprintf(buf, sizeof buf, "%x:%x:%x:%x:%x:%x:%x:%x", h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
    }
    if (n < 64) addrs[n++] = strdup(buf);
  }
  qsort(addrs, (size_t)n, sizeof addrs[0], cmp_str);
  for (int i = 0; i < n; i++) printf("address: %s\n", addrs[i]);
  return 0;
}

/* input-stream.read does not wait: nothing to read yet is an empty list; then what the
 * echo server sends back, once the stream's pollable is ready */
static int tcp_nonblocking(int32_t net, const char *ip, int port) {
  int32_t s = connect_to(net, ip, port);
  int32_t in = i32_at(4), out = i32_at(8);
  stream_read_now(in, 100, ret);
  if (ret[0]) fail("read", 0);
  printf("read before sending: %d bytes\n", (int)i32_at(8));
  free((void *)(uintptr_t)i32_at(4));
  write_all(out, "ping", 4);
  size_t got = 0;
  while (got < 4) {
    wait_on(input_subscribe(in));
    stream_read_now(in, 100, ret);
    if (ret[0]) fail("read", 0);
    got += (size_t)i32_at(8);
    free((void *)(uintptr_t)i32_at(4));
  }
  printf("read after the pollable: %zu bytes\n", got);
  input_drop(in);
  output_drop(out);
  tcp_drop(s);
  return 0;
}

/* resolves NAME, then talks to its first IPv4 address as tcp-echo does */
static int name_echo(int32_t net, const char *name, int port, const char *text) {
  resolve_addresses(net, name, (int32_t)strlen(name), ret);
  check4("resolve-addresses");
  int32_t st = i32_at(4);
  char ip[32] = "";
  while (!ip[0]) {
    resolve_next(st, ret);
    if (ret[0]) fail("resolve-next-address", ret[2]);
    if (ret[2] == 0) break;
    if (ret[4] == 0) snprintf(ip, sizeof ip, "%u.%u.%u.%u", ret[6], ret[7], ret[8], ret[9]);
  }
  if (!ip[0]) {
    printf("%s: no IPv4 address\n", name);
    return 1;
  }
  return tcp_echo(net, ip, port, text);
}

/* creates tcp sockets until one is refused (at most n) */
static int many(int n) {
  int k = 0;
  for (; k < n; k++) {
    create_tcp(0, ret);
    if (ret[0]) {
      printf("socket %d: %s\n", k + 1, codes[ret[4]]);
      return 0;
    }
  }
  printf("%d sockets\n", k);
  return 0;
}

static int options(int32_t net, const char *ip, int port) {
  int32_t s = connect_to(net, ip, port);
  tcp_set_keepalive(s, 1, ret);
  check0("set-keep-alive-enabled");
  tcp_keepalive(s, ret);
  check0("keep-alive-enabled");
  printf("keep-alive: %s\n", ret[1] ? "true" : "false");
  tcp_set_hop_limit(s, 42, ret);
  check0("set-hop-limit");
  tcp_hop_limit(s, ret);
  check0("hop-limit");
  printf("hop-limit: %u\n", ret[1]);
  tcp_set_hop_limit(s, 0, ret);
  printf("hop-limit 0: %s\n", ret[0] ? codes[ret[1]] : "ok");
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: sockprog MODE ARGS...\n");
    return 2;
  }
  const char *mode = argv[1];
  int32_t net = instance_network();
  if (strcmp(mode, "tcp-echo") == 0 && argc == 5) return tcp_echo(net, argv[2], atoi(argv[3]), argv[4]);
  if (strcmp(mode, "tcp-serve") == 0 && argc == 4) return tcp_serve(net, argv[2], atoi(argv[3]));
  if (strcmp(mode, "tcp-block") == 0 && argc == 4) return tcp_block(net, argv[2], atoi(argv[3]));
  if (strcmp(mode, "udp") == 0 && argc == 5) return udp(net, argv[2], atoi(argv[3]), argv[4]);
  if (strcmp(mode, "lookup") == 0 && argc == 3) return lookup(net, argv[2]);
  if (strcmp(mode, "options") == 0 && argc == 4) return options(net, argv[2], atoi(argv[3]));
  if (strcmp(mode, "name-echo") == 0 && argc == 5) return name_echo(net, argv[2], atoi(argv[3]), argv[4]);
  if (strcmp(mode, "many") == 0 && argc == 3) return many(atoi(argv[2]));
  if (strcmp(mode, "tcp-nonblocking") == 0 && argc == 4) return tcp_nonblocking(net, argv[2], atoi(argv[3]));
  fprintf(stderr, "sockprog: unknown mode or arguments\n");
  return 2;
}

/* Serves one connection on the listening socket the operator passed in (weld run
 * --tcplisten): accept, receive a line, send it back prefixed, shut down. Then checks the
 * errors the socket calls give on fds that are not sockets. Uses the preview1 imports
 * directly: this wasi-libc has no accept(). Prints what it did on stdout. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))
IMPORT("sock_accept") int32_t raw_sock_accept(int32_t fd, int32_t flags, int32_t *newfd);
IMPORT("sock_recv") int32_t raw_sock_recv(int32_t fd, const __wasi_iovec_t *iovs, int32_t n, int32_t flags,
                                           uint32_t *got, uint16_t *oflags);
IMPORT("sock_send") int32_t raw_sock_send(int32_t fd, const __wasi_ciovec_t *iovs, int32_t n, int32_t flags,
                                           uint32_t *sent);
IMPORT("sock_shutdown") int32_t raw_sock_shutdown(int32_t fd, int32_t how);

int main(void) {
  int32_t listener = -1;
  for (int32_t fd = 3; fd < 16; fd++) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM) {
      listener = fd;
      break;
    }
  }
  if (listener < 0) {
    printf("no listening socket\n");
    return 1;
  }
  printf("listening socket found\n");
  int32_t conn;
  int32_t e = raw_sock_accept(listener, 0, &conn);
  if (e) {
    printf("sock_accept: errno %d\n", e);
    return 1;
  }
  printf("accepted\n");
  char buf[128];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  uint32_t got = 0, total = 0;
  uint16_t oflags;
  /* read until the newline the client ends its line with */
  while (total < sizeof buf - 1) {
    iov.buf = (uint8_t *)buf + total;
    iov.buf_len = sizeof buf - 1 - total;
    e = raw_sock_recv(conn, &iov, 1, 0, &got, &oflags);
    if (e || got == 0) break;
    total += got;
    if (memchr(buf, '\n', total)) break;
  }
  buf[total] = 0;
  printf("received %u bytes: %s", total, buf);
  char reply[160];
  int n = snprintf(reply, sizeof reply, "echo: %s", buf);
  __wasi_ciovec_t civ = {(const uint8_t *)reply, (size_t)n};
  uint32_t sent = 0;
  e = raw_sock_send(conn, &civ, 1, 0, &sent);
  printf("sent %u bytes (errno %d)\n", sent, e);
  printf("shutdown: errno %d\n", raw_sock_shutdown(conn, __WASI_SDFLAGS_WR));
  /* sockets calls on things that are not sockets */
  printf("accept on stdout: errno %d\n", raw_sock_accept(1, 0, &conn));
  printf("recv on a bad fd: errno %d\n", raw_sock_recv(99, &iov, 1, 0, &got, &oflags));
  printf("shutdown with bad flags: errno %d\n", raw_sock_shutdown(listener, 99));
  return 0;
}

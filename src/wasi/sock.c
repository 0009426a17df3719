/* wasi/sock: accept, receive, send and shut down on sockets the operator passed in
 * (listening sockets opened by the embedder, e.g. `weld run --tcplisten`). preview1 has
 * no way to open a socket, so the policy's grant is the operator's act of passing it.
 *
 * Accept, receive and send wait for readiness in wasi_wait_ready (so a deadline or a
 * cancel wakes them), then receive and send without blocking and go back to waiting on
 * EAGAIN. Accept itself is a blocking call on the operator's listening socket: should a
 * pending connection vanish between the wake-up and accept4 (another process accepting on
 * the same socket), it would block until the next one. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_int.h"


/* What the fd is comes before what it may do: a file or directory never holds the socket
 * rights, and the answer for it is ENOTSOCK (as on a host), not ENOTCAPABLE. */
static wasi_fd *sock_get(wasi_ctx *c, uint32_t fd, uint64_t rights, uint16_t *e) {
  wasi_fd *f = wasi_fd_get(c, fd, 0, e);
  if (f && f->kind != WASI_FD_SOCKET) {
    *e = WASI_ENOTSOCK;
    return NULL;
  }
  return f ? wasi_fd_get(c, fd, rights, e) : NULL;
}

WASI_HOST(sock_accept) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = sock_get(c, A32(0), WASI_RIGHT(R_SOCK_ACCEPT), &e);
  if (!f) RET(e);
  uint32_t flags = A32(1);
  if (flags & ~(uint32_t)WASI_FDFLAG_NONBLOCK) RET(WASI_EINVAL);
  if (!wasi_mem(c, A32(2), 4)) RET(WASI_EFAULT);
  uint64_t max_open = c->pol->max_open_files;
  if (max_open != POLICY_UNLIMITED && c->open_files >= max_open)
    RET(wasi_deny(c, WASI_EMFILE, "sock_accept", NULL, "open-file limit reached"));
  if ((e = wasi_wait_ready(c, f, POLLIN))) RET(e);
  /* the slot first, so a connection is never taken and then dropped for lack of one */
  uint32_t n;
  if ((e = wasi_fd_alloc(c, &n))) RET(e);
  f = &c->fds[A32(0)];
  int h = accept4(f->host, NULL, NULL, SOCK_CLOEXEC | ((flags & WASI_FDFLAG_NONBLOCK) ? SOCK_NONBLOCK : 0));
  if (h < 0) RET(wasi_errno(errno));
  wasi_fd *nf = &c->fds[n];
  nf->kind = WASI_FD_SOCKET;
  nf->host = h;
  nf->owned = true;
  nf->filetype = WASI_FILETYPE_SOCKET_STREAM;
  nf->fdflags = (uint16_t)flags;
  nf->rights = WASI_RIGHTS_SOCK & ~WASI_RIGHT(R_SOCK_ACCEPT);
  nf->inheriting = 0;
  nf->preopen = -1;
  nf->ops = POLICY_OP_READ | POLICY_OP_WRITE;
  nf->max_read = nf->max_write = POLICY_UNLIMITED;
  nf->count = SIZE_MAX;
  c->open_files++;
  wasi_put_u32(wasi_mem(c, A32(2), 4), n);
  RET(0);
}

static uint16_t recv_iovs(wasi_ctx *c, wasi_fd *f, const wasi_iovs *v, uint32_t riflags, uint32_t outp,
                          uint32_t flagsp) {
  uint16_t e;
  uint64_t total = v->total;
  struct msghdr mh = {.msg_iov = v->iov, .msg_iovlen = (size_t)v->n};
  bool peek = riflags & 1, waitall = (riflags & 2) && !peek;
  uint64_t got = 0;
  ssize_t r;
  for (;;) {
    if ((e = wasi_wait_ready(c, f, POLLIN))) return e;
    r = recvmsg(f->host, &mh, (peek ? MSG_PEEK : 0) | MSG_DONTWAIT);
    if (r < 0 && (errno == EINTR || (errno == EAGAIN && !(f->fdflags & WASI_FDFLAG_NONBLOCK))))
      continue;
    if (r < 0) {
      if (got) break;
      return wasi_errno(errno);
    }
    got += (uint64_t)r;
    if (!waitall || r == 0 || got >= total) break;
    /* MSG_WAITALL, done here so each part is waited for wakeably */
    size_t skip = (size_t)r;
    while (mh.msg_iovlen && skip >= mh.msg_iov[0].iov_len) {
      skip -= mh.msg_iov[0].iov_len;
      mh.msg_iov++;
      mh.msg_iovlen--;
    }
    if (mh.msg_iovlen) {
      mh.msg_iov[0].iov_base = (uint8_t *)mh.msg_iov[0].iov_base + skip;
      mh.msg_iov[0].iov_len -= skip;
    }
  }
  r = (ssize_t)got;
  c->stats.bytes_read += (uint64_t)r;
  wasi_put_u32(wasi_mem(c, outp, 4), (uint32_t)r);
  wasi_put_u16(wasi_mem(c, flagsp, 2), (mh.msg_flags & MSG_TRUNC) ? 1 : 0);
  return 0;
}

WASI_HOST(sock_recv) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = sock_get(c, A32(0), WASI_RIGHT(R_FD_READ), &e);
  if (!f) RET(e);
  uint32_t riflags = A32(3);
  if (riflags & ~3u) RET(WASI_EINVAL);
  if (!wasi_mem(c, A32(4), 4) || !wasi_mem(c, A32(5), 2)) RET(WASI_EFAULT);
  wasi_iovs v;
  if ((e = wasi_iovs_get(c, A32(1), A32(2), &v))) RET(e);
  e = recv_iovs(c, f, &v, riflags, A32(4), A32(5));
  wasi_iovs_free(&v);
  RET(e);
}

static uint16_t send_iovs(wasi_ctx *c, wasi_fd *f, const wasi_iovs *v, uint32_t outp) {
  uint16_t e;
  struct msghdr mh = {.msg_iov = v->iov, .msg_iovlen = (size_t)v->n};
  ssize_t r;
  for (;;) {
    if ((e = wasi_wait_ready(c, f, POLLOUT))) return e;
    r = sendmsg(f->host, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r < 0 && (errno == EINTR || (errno == EAGAIN && !(f->fdflags & WASI_FDFLAG_NONBLOCK))))
      continue;
    break;
  }
  if (r < 0) return wasi_errno(errno);
  c->stats.bytes_written += (uint64_t)r;
  wasi_put_u32(wasi_mem(c, outp, 4), (uint32_t)r);
  return 0;
}

WASI_HOST(sock_send) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = sock_get(c, A32(0), WASI_RIGHT(R_FD_WRITE), &e);
  if (!f) RET(e);
  if (A32(3) != 0) RET(WASI_EINVAL);
  if (!wasi_mem(c, A32(4), 4)) RET(WASI_EFAULT);
  wasi_iovs v;
  if ((e = wasi_iovs_get(c, A32(1), A32(2), &v))) RET(e);
  e = send_iovs(c, f, &v, A32(4));
  wasi_iovs_free(&v);
  RET(e);
}

WASI_HOST(sock_shutdown) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = sock_get(c, A32(0), WASI_RIGHT(R_SOCK_SHUTDOWN), &e);
  if (!f) RET(e);
  uint32_t how = A32(1);
  if (how == 0 || how > 3) RET(WASI_EINVAL);
  int h = how == 1 ? SHUT_RD : how == 2 ? SHUT_WR : SHUT_RDWR;
  RET(shutdown(f->host, h) == 0 ? 0 : wasi_errno(errno));
}

int wasi_ctx_socket_room(wasi_ctx *c, const char *call) {
  uint64_t max_open = c->pol->max_open_files;
  if (max_open != POLICY_UNLIMITED && c->open_files >= max_open)
    return wasi_deny(c, WASI_EMFILE, call, NULL, "open-file limit reached");
  return 0;
}

int wasi_ctx_add_socket(wasi_ctx *c, int host, uint32_t *fd) {
  uint64_t max_open = c->pol->max_open_files;
  if (max_open != POLICY_UNLIMITED && c->open_files >= max_open) {
    close(host);
    return wasi_deny(c, WASI_EMFILE, "socket", NULL, "open-file limit reached");
  }
  uint32_t n;
  uint16_t e = wasi_fd_alloc(c, &n);
  if (e) {
    close(host);
    return e;
  }
  wasi_fd *nf = &c->fds[n];
  nf->kind = WASI_FD_SOCKET;
  nf->host = host;
  nf->owned = true;
  nf->filetype = WASI_FILETYPE_SOCKET_STREAM;
  nf->fdflags = 0;
  nf->rights = WASI_RIGHTS_SOCK & ~WASI_RIGHT(R_SOCK_ACCEPT);
  nf->inheriting = 0;
  nf->preopen = -1;
  nf->ops = POLICY_OP_READ | POLICY_OP_WRITE;
  nf->max_read = nf->max_write = POLICY_UNLIMITED;
  nf->count = SIZE_MAX;
  c->open_files++;
  *fd = n;
  return 0;
}

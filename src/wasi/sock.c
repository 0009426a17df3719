/* wasi/sock: accept, receive, send and shut down on sockets the operator passed in
 * (listening sockets opened by the embedder, e.g. `weld run --tcplisten`). preview1 has
 * no way to open a socket, so the policy's grant is the operator's act of passing it. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_int.h"


static wasi_fd *sock_get(wasi_ctx *c, uint32_t fd, uint64_t rights, uint16_t *e) {
  wasi_fd *f = wasi_fd_get(c, fd, rights, e);
  if (f && f->kind != WASI_FD_SOCKET) {
    *e = WASI_ENOTSOCK;
    return NULL;
  }
  return f;
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
  int h = accept4(f->host, NULL, NULL, SOCK_CLOEXEC | ((flags & WASI_FDFLAG_NONBLOCK) ? SOCK_NONBLOCK : 0));
  if (h < 0) RET(wasi_errno(errno));
  uint32_t n = wasi_fd_alloc(c);
  if (n == UINT32_MAX) {
    close(h);
    RET(WASI_EMFILE);
  }
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

WASI_HOST(sock_recv) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = sock_get(c, A32(0), WASI_RIGHT(R_FD_READ), &e);
  if (!f) RET(e);
  uint32_t riflags = A32(3);
  if (riflags & ~3u) RET(WASI_EINVAL);
  if (!wasi_mem(c, A32(4), 4) || !wasi_mem(c, A32(5), 2)) RET(WASI_EFAULT);
  struct iovec iov[WASI_MAX_IOVS];
  int niov;
  uint64_t total;
  if ((e = wasi_get_iovs(c, A32(1), A32(2), iov, &niov, &total))) RET(e);
  struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)niov};
  int fl = ((riflags & 1) ? MSG_PEEK : 0) | ((riflags & 2) ? MSG_WAITALL : 0);
  ssize_t r;
  do r = recvmsg(f->host, &mh, fl);
  while (r < 0 && errno == EINTR);
  if (r < 0) RET(wasi_errno(errno));
  c->stats.bytes_read += (uint64_t)r;
  wasi_put_u32(wasi_mem(c, A32(4), 4), (uint32_t)r);
  wasi_put_u16(wasi_mem(c, A32(5), 2), (mh.msg_flags & MSG_TRUNC) ? 1 : 0);
  RET(0);
}

WASI_HOST(sock_send) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = sock_get(c, A32(0), WASI_RIGHT(R_FD_WRITE), &e);
  if (!f) RET(e);
  if (A32(3) != 0) RET(WASI_EINVAL);
  if (!wasi_mem(c, A32(4), 4)) RET(WASI_EFAULT);
  struct iovec iov[WASI_MAX_IOVS];
  int niov;
  uint64_t total;
  if ((e = wasi_get_iovs(c, A32(1), A32(2), iov, &niov, &total))) RET(e);
  struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)niov};
  ssize_t r;
  do r = sendmsg(f->host, &mh, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0) RET(wasi_errno(errno));
  c->stats.bytes_written += (uint64_t)r;
  wasi_put_u32(wasi_mem(c, A32(4), 4), (uint32_t)r);
  RET(0);
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

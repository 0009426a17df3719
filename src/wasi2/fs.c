/* wasi2: wasi:filesystem — descriptors are preview1 fds, each call the preview1 call that
 * does the same (path_open for open-at, path_unlink_file for unlink-file-at, ...), so the
 * sandbox, the policy's decisions, byte limits and the denial log are preview1's. */
#include <stdio.h>
#include <stdlib.h>

#include "sigs.h"
#include "wasi2_int.h"

static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* Scratch layout of one call: results at 0..255, then the path arguments. */
enum { RES = 0, PATH1 = 256 };

static w2_obj *desc(wasi2 *w, const comp_val *v) { return w2_get(w, W2_R_DESC, v->u.h.rep); }
#define DESC(v)                                                                      \
  w2_obj *d = desc(w, (v));                                                          \
  if (!d) return w2_trap(w, "wasi:filesystem/types: not a descriptor")

/* Copies path arguments into the scratch memory: the first at PATH1, the second after it. */
static bool paths(wasi2 *w, const comp_val *p1, const comp_val *p2, uint64_t *off2) {
  uint64_t n1 = p1->u.str.len, n2 = p2 ? p2->u.str.len : 0;
  if (!w2_scratch(w, PATH1 + n1 + n2 + 1)) return false;
  memcpy(w->mem + PATH1, p1->u.str.s, n1);
  if (p2) memcpy(w->mem + PATH1 + n1, p2->u.str.s, n2);
  if (off2) *off2 = PATH1 + n1;
  return true;
}

static const char *fail(wasi2 *w, comp_val *res, util_arena *a, int e) { return w2_fs_result(w, res, e, a); }

static const char *ok_val(wasi2 *w, comp_val *res, util_arena *a, comp_val **payload) {
  *payload = w2_vals(a, 1);
  if (!*payload) return W2_OOM(w);
  w2_ok(res, *payload);
  return NULL;
}

/* preview1 filetype -> descriptor-type */
static uint32_t dtype(uint8_t ft) {
  switch (ft) {
  case WASI_FILETYPE_BLOCK_DEVICE: return 1;
  case WASI_FILETYPE_CHARACTER_DEVICE: return 2;
  case WASI_FILETYPE_DIRECTORY: return 3;
  case WASI_FILETYPE_SYMBOLIC_LINK: return 5;
  case WASI_FILETYPE_REGULAR_FILE: return 6;
  case WASI_FILETYPE_SOCKET_DGRAM: case WASI_FILETYPE_SOCKET_STREAM: return 7;
  default: return 0;
  }
}

/* ---------- streams and plain reads and writes ---------------------------------------- */

static const char *stream_of(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a, uint8_t kind, uint64_t off,
                             bool append) {
  DESC(&args[0]);
  uint32_t fd = d->fd;
  comp_val *v;
  const char *t = ok_val(w, res, a, &v);
  return t ? t : w2_stream(w, v, kind, fd, true, off, append);
}

static const char *read_via_stream(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return stream_of(w, args, res, a, W2_R_INPUT, args[1].u.u, false);
}
static const char *write_via_stream(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return stream_of(w, args, res, a, W2_R_OUTPUT, args[1].u.u, false);
}
static const char *append_via_stream(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return stream_of(w, args, res, a, W2_R_OUTPUT, 0, true);
}

static const char *desc_read(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  DESC(&args[0]);
  uint64_t len = args[1].u.u > W2_MAX_IO ? W2_MAX_IO : args[1].u.u;
  if (!w2_scratch(w, 16 + len)) return W2_OOM(w);
  put32(w->mem, 16);
  put32(w->mem + 4, (uint32_t)len);
  uint64_t p[5] = {d->fd, 0, 1, args[2].u.u, 8};
  int e = w2_p1(w, "fd_pread", p);
  if (e) return fail(w, res, a, e);
  uint32_t n = get32(w->mem + 8);
  if (n > len) n = (uint32_t)len;
  comp_val *tup = w2_vals(a, 3), *bytes = w2_vals(a, n);
  if (!tup || !bytes) return W2_OOM(w);
  for (uint32_t i = 0; i < n; i++) bytes[i].u.u = w->mem[16 + i];
  tup[0].u.seq.v = bytes;
  tup[0].u.seq.n = n;
  tup[1].u.b = n == 0 && len > 0;
  tup[2].u.seq.v = tup;
  tup[2].u.seq.n = 2;
  w2_ok(res, &tup[2]);
  return NULL;
}

static const char *desc_write(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  DESC(&args[0]);
  uint32_t n = args[1].u.seq.n;
  if (!w2_scratch(w, 16 + (uint64_t)n)) return W2_OOM(w);
  for (uint32_t i = 0; i < n; i++) w->mem[16 + i] = (uint8_t)args[1].u.seq.v[i].u.u;
  put32(w->mem, 16);
  put32(w->mem + 4, n);
  uint64_t p[5] = {d->fd, 0, 1, args[2].u.u, 8};
  int e = w2_p1(w, "fd_pwrite", p);
  if (e) return fail(w, res, a, e);
  comp_val *v;
  const char *t = ok_val(w, res, a, &v);
  if (!t) v->u.u = get32(w->mem + 8);
  return t;
}

/* ---------- on the descriptor itself --------------------------------------------------- */

static const char *simple(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a, const char *call) {
  DESC(&args[0]);
  uint64_t p[1] = {d->fd};
  return fail(w, res, a, w2_p1(w, call, p));
}
static const char *sync_data(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return simple(w, args, res, a, "fd_datasync");
}
static const char *sync_all(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return simple(w, args, res, a, "fd_sync");
}

static const char *advise(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  DESC(&args[0]);
  /* the advice enum has preview1's order */
  uint64_t p[4] = {d->fd, args[1].u.u, args[2].u.u, args[3].u.var.disc};
  return fail(w, res, a, w2_p1(w, "fd_advise", p));
}

static const char *set_size(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  DESC(&args[0]);
  uint64_t p[2] = {d->fd, args[1].u.u};
  return fail(w, res, a, w2_p1(w, "fd_filestat_set_size", p));
}

/* new-timestamp (no-change, now, timestamp(datetime)) -> preview1 time and fstflags */
static void new_time(const comp_val *v, uint64_t *ns, uint32_t *fst, uint32_t set, uint32_t now) {
  *ns = 0;
  if (v->u.var.disc == 1) *fst |= now;
  if (v->u.var.disc == 2) {
    *fst |= set;
    *ns = v->u.var.p->u.seq.v[0].u.u * 1000000000ull + v->u.var.p->u.seq.v[1].u.u;
  }
}

static const char *set_times(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  DESC(&args[0]);
  uint64_t at, mt;
  uint32_t fst = 0;
  new_time(&args[1], &at, &fst, WASI_FST_ATIM, WASI_FST_ATIM_NOW);
  new_time(&args[2], &mt, &fst, WASI_FST_MTIM, WASI_FST_MTIM_NOW);
  uint64_t p[4] = {d->fd, at, mt, fst};
  return fail(w, res, a, w2_p1(w, "fd_filestat_set_times", p));
}

static const char *get_type(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  DESC(&args[0]);
  uint64_t p[2] = {d->fd, RES};
  int e = w2_p1(w, "fd_fdstat_get", p);
  if (e) return fail(w, res, a, e);
  comp_val *v;
  const char *t = ok_val(w, res, a, &v);
  if (!t) v->u.var.disc = dtype(w->mem[RES]);
  return t;
}

static const char *get_flags(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  DESC(&args[0]);
  uint64_t p[2] = {d->fd, RES};
  int e = w2_p1(w, "fd_fdstat_get", p);
  if (e) return fail(w, res, a, e);
  uint16_t fl;
  memcpy(&fl, w->mem + RES + 2, 2);
  uint64_t r = get64(w->mem + RES + 8);
  uint32_t flags = 0;
  if (r & (WASI_RIGHT(R_FD_READ) | WASI_RIGHT(R_FD_READDIR))) flags |= 1;
  if (r & WASI_RIGHT(R_FD_WRITE)) flags |= 2;
  if (fl & WASI_FDFLAG_SYNC) flags |= 4;
  if (fl & WASI_FDFLAG_DSYNC) flags |= 8;
  if (fl & WASI_FDFLAG_RSYNC) flags |= 16;
  if (r & (WASI_RIGHT(R_PATH_CREATE_FILE) | WASI_RIGHT(R_PATH_UNLINK_FILE))) flags |= 32;
  comp_val *v;
  const char *t = ok_val(w, res, a, &v);
  if (!t) v->u.flags = flags;
  return t;
}

/* A preview1 filestat (at RES) as a descriptor-stat record. */
static const char *stat_val(wasi2 *w, comp_val *res, util_arena *a) {
  const uint8_t *b = w->mem + RES;
  comp_val *rec;
  const char *t = ok_val(w, res, a, &rec);
  comp_val *f = t ? NULL : w2_vals(a, 6 + 3 + 6);
  if (t || !f) return t ? t : W2_OOM(w);
  f[0].u.var.disc = dtype(b[16]);
  f[1].u.u = get64(b + 24);
  f[2].u.u = get64(b + 32);
  for (int i = 0; i < 3; i++) {
    uint64_t ns = get64(b + 40 + 8 * i);
    comp_val *dt = &f[6 + i], *parts = &f[9 + 2 * i];
    parts[0].u.u = ns / 1000000000ull;
    parts[1].u.u = ns % 1000000000ull;
    dt->u.seq.v = parts;
    dt->u.seq.n = 2;
    f[3 + i].u.var.disc = 1;
    f[3 + i].u.var.p = dt;
  }
  rec->u.seq.v = f;
  rec->u.seq.n = 6;
  return NULL;
}

/* The filestat of the descriptor args[0] (at: of the path args[2] beneath it, args[1]
 * the path flags) read into RES, then the result `then` makes of it. */
static const char *filestat(wasi2 *w, const comp_val *args, bool at, comp_val *res, util_arena *a,
                            const char *(*then)(wasi2 *, comp_val *, util_arena *)) {
  DESC(&args[0]);
  int e;
  if (at) {
    if (!paths(w, &args[2], NULL, NULL)) return W2_OOM(w);
    uint64_t p[5] = {d->fd, args[1].u.flags & 1, PATH1, args[2].u.str.len, RES};
    e = w2_p1(w, "path_filestat_get", p);
  } else {
    uint64_t p[2] = {d->fd, RES};
    e = w2_p1(w, "fd_filestat_get", p);
  }
  return e ? fail(w, res, a, e) : then(w, res, a);
}

static const char *desc_stat(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return filestat(w, args, false, res, a, stat_val);
}

static const char *stat_at(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return filestat(w, args, true, res, a, stat_val);
}

static const char *set_times_at(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  DESC(&args[0]);
  if (!paths(w, &args[2], NULL, NULL)) return W2_OOM(w);
  uint64_t at, mt;
  uint32_t fst = 0;
  new_time(&args[3], &at, &fst, WASI_FST_ATIM, WASI_FST_ATIM_NOW);
  new_time(&args[4], &mt, &fst, WASI_FST_MTIM, WASI_FST_MTIM_NOW);
  uint64_t p[7] = {d->fd, args[1].u.flags & 1, PATH1, args[2].u.str.len, at, mt, fst};
  return fail(w, res, a, w2_p1(w, "path_filestat_set_times", p));
}

/* A hash of the object's identity (device and inode): the same object, the same hash. */
static const char *hash_val(wasi2 *w, comp_val *res, util_arena *a) {
  uint64_t dev = get64(w->mem + RES), ino = get64(w->mem + RES + 8);
  uint64_t h1 = dev * 0x9e3779b97f4a7c15ull ^ ino, h2 = ino * 0xbf58476d1ce4e5b9ull ^ (dev >> 7);
  h1 ^= h1 >> 31;
  h2 ^= h2 >> 29;
  comp_val *rec;
  const char *t = ok_val(w, res, a, &rec);
  comp_val *f = t ? NULL : w2_vals(a, 2);
  if (t || !f) return t ? t : W2_OOM(w);
  f[0].u.u = h1;
  f[1].u.u = h2;
  rec->u.seq.v = f;
  rec->u.seq.n = 2;
  return NULL;
}

static const char *metadata_hash(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return filestat(w, args, false, res, a, hash_val);
}

static const char *metadata_hash_at(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return filestat(w, args, true, res, a, hash_val);
}

static const char *is_same_object(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  w2_obj *x = desc(w, &args[0]), *y = desc(w, &args[1]);
  if (!x || !y) return w2_trap(w, "wasi:filesystem/types: not a descriptor");
  uint32_t fx = x->fd, fy = y->fd;
  uint64_t p[2] = {fx, RES}, q[2] = {fy, RES + 64};
  int e = w2_p1(w, "fd_filestat_get", p);
  if (!e) e = w2_p1(w, "fd_filestat_get", q);
  if (e < 0) return w->msg;
  res->u.b = !e && get64(w->mem + RES) == get64(w->mem + RES + 64) && get64(w->mem + RES + 8) == get64(w->mem + RES + 72);
  return NULL;
}

/* ---------- opening -------------------------------------------------------------------- */

#define R(n) WASI_RIGHT(n)
/* What each descriptor flag asks of preview1, and what a directory needs for path calls. */
#define READ_RIGHTS (R(R_FD_READ) | R(R_FD_ADVISE) | R(R_POLL_FD_READWRITE))
#define WRITE_RIGHTS                                                                  \
  (R(R_FD_WRITE) | R(R_FD_DATASYNC) | R(R_FD_SYNC) | R(R_FD_ALLOCATE) | R(R_FD_FILESTAT_SET_SIZE) | \
   R(R_FD_FILESTAT_SET_TIMES) | R(R_POLL_FD_READWRITE))
#define ANY_RIGHTS (R(R_FD_SEEK) | R(R_FD_TELL) | R(R_FD_FILESTAT_GET) | R(R_FD_FDSTAT_SET_FLAGS))
/* a directory's path rights (listing is asked for by read-directory, not by opening) */
#define DIR_RIGHTS (WASI_RIGHTS_DIR & ~(R(R_FD_READDIR) | R(R_FD_DATASYNC) | R(R_FD_SYNC)))

static const char *open_at(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  DESC(&args[0]);
  uint32_t dirfd = d->fd, flags = args[4].u.flags, oflags = args[3].u.flags & 0xf;
  /* what the directory hands down bounds what is asked */
  uint64_t q[2] = {dirfd, RES};
  int e = w2_p1(w, "fd_fdstat_get", q);
  if (e) return fail(w, res, a, e);
  uint64_t inh = get64(w->mem + RES + 16);
  uint64_t want = ANY_RIGHTS | ((flags & 1) ? READ_RIGHTS : 0) | ((flags & 2) ? WRITE_RIGHTS : 0);
  if (oflags & WASI_O_DIRECTORY) want &= ~WRITE_RIGHTS;
  /* a directory's path rights: dropped by preview1 when the object is a file */
  want = (want | DIR_RIGHTS) & inh;
  uint16_t fdflags = (uint16_t)(((flags & 4) ? WASI_FDFLAG_SYNC : 0) | ((flags & 8) ? WASI_FDFLAG_DSYNC : 0) |
                                ((flags & 16) ? WASI_FDFLAG_RSYNC : 0));
  if (!paths(w, &args[2], NULL, NULL)) return W2_OOM(w);
  uint64_t p[9] = {dirfd, args[1].u.flags & 1, PATH1, args[2].u.str.len, oflags, want, inh, fdflags, RES};
  e = w2_p1(w, "path_open", p);
  if (e) return fail(w, res, a, e);
  uint32_t fd = get32(w->mem + RES), idx;
  comp_val *v = w2_vals(a, 1);
  w2_obj *o = v ? w2_new(w, W2_R_DESC, &idx) : NULL;
  if (!o) {
    uint64_t c[1] = {fd};
    (void)w2_p1(w, "fd_close", c);
    return W2_OOM(w);
  }
  o->fd = fd;
  w2_handle(w, v, W2_R_DESC, idx);
  w2_ok(res, v);
  return NULL;
}

/* ---------- path calls ----------------------------------------------------------------- */

static const char *path_call(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a, const char *call) {
  DESC(&args[0]);
  if (!paths(w, &args[1], NULL, NULL)) return W2_OOM(w);
  uint64_t p[3] = {d->fd, PATH1, args[1].u.str.len};
  return fail(w, res, a, w2_p1(w, call, p));
}
static const char *create_directory_at(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return path_call(w, args, res, a, "path_create_directory");
}
static const char *remove_directory_at(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return path_call(w, args, res, a, "path_remove_directory");
}
static const char *unlink_file_at(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return path_call(w, args, res, a, "path_unlink_file");
}

static const char *rename_at(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  DESC(&args[0]);
  w2_obj *n = desc(w, &args[2]);
  if (!n) return w2_trap(w, "wasi:filesystem/types: not a descriptor");
  uint64_t off2;
  if (!paths(w, &args[1], &args[3], &off2)) return W2_OOM(w);
  uint64_t p[6] = {d->fd, PATH1, args[1].u.str.len, n->fd, off2, args[3].u.str.len};
  return fail(w, res, a, w2_p1(w, "path_rename", p));
}

static const char *link_at(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  DESC(&args[0]);
  w2_obj *n = desc(w, &args[3]);
  if (!n) return w2_trap(w, "wasi:filesystem/types: not a descriptor");
  uint64_t off2;
  if (!paths(w, &args[2], &args[4], &off2)) return W2_OOM(w);
  uint64_t p[7] = {d->fd, args[1].u.flags & 1, PATH1, args[2].u.str.len, n->fd, off2, args[4].u.str.len};
  return fail(w, res, a, w2_p1(w, "path_link", p));
}

static const char *symlink_at(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  DESC(&args[0]);
  uint64_t off2;
  if (!paths(w, &args[1], &args[2], &off2)) return W2_OOM(w);
  uint64_t p[5] = {PATH1, args[1].u.str.len, d->fd, off2, args[2].u.str.len};
  return fail(w, res, a, w2_p1(w, "path_symlink", p));
}

static const char *readlink_at(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  DESC(&args[0]);
  uint64_t len = args[1].u.str.len, buf = PATH1 + len, cap = 4096;
  if (!paths(w, &args[1], NULL, NULL) || !w2_scratch(w, buf + cap)) return W2_OOM(w);
  uint64_t p[6] = {d->fd, PATH1, len, buf, cap, RES};
  int e = w2_p1(w, "path_readlink", p);
  if (e) return fail(w, res, a, e);
  uint32_t n = get32(w->mem + RES);
  if (n > cap) n = (uint32_t)cap;
  char *s = util_arena_try_alloc(a, n + 1);
  comp_val *v = w2_vals(a, 1);
  if (!s || !v) return W2_OOM(w);
  memcpy(s, w->mem + buf, n);
  s[n] = 0;
  v->u.str.s = s;
  v->u.str.len = n;
  w2_ok(res, v);
  return NULL;
}

/* ---------- directories ---------------------------------------------------------------- */

/* Listing opens "." beneath the descriptor with fd_readdir: preview1 decides `list` on
 * the directory as it really is, then reads a snapshot of the entries. */
static const char *read_directory(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  DESC(&args[0]);
  uint32_t dirfd = d->fd;
  uint64_t q[2] = {dirfd, RES};
  int e = w2_p1(w, "fd_fdstat_get", q);
  if (e) return fail(w, res, a, e);
  uint64_t inh = get64(w->mem + RES + 16);
  w->mem[PATH1] = '.';
  uint64_t p[9] = {dirfd, 0, PATH1, 1, WASI_O_DIRECTORY, R(R_FD_READDIR) & inh, 0, 0, RES};
  e = w2_p1(w, "path_open", p);
  if (e) return fail(w, res, a, e);
  uint32_t lfd = get32(w->mem + RES);
  w2_dirent *ents = NULL;
  size_t n = 0, cap = 0;
  uint64_t cookie = 0;
  const uint64_t bufsz = 16384, buf = 64;
  const char *t = NULL;
  if (!w2_scratch(w, buf + bufsz)) t = W2_OOM(w);
  for (bool more = true; !t && more && !e;) {
    uint64_t r[5] = {lfd, buf, bufsz, cookie, RES};
    e = w2_p1(w, "fd_readdir", r);
    if (e) break;
    uint32_t used = get32(w->mem + RES);
    more = used == bufsz;
    uint64_t at = 0, progress = 0;
    while (at + 24 <= used) {
      const uint8_t *ent = w->mem + buf + at;
      uint32_t nl = get32(ent + 16);
      if (at + 24 + nl > used) break; /* cut short: read again from this cookie */
      cookie = get64(ent);
      progress++;
      const char *name = (const char *)ent + 24;
      bool dot = (nl == 1 && name[0] == '.') || (nl == 2 && name[0] == '.' && name[1] == '.');
      if (!dot) {
        w2_dirent de = {malloc(nl + 1), (uint8_t)dtype(ent[20])};
        if (!de.name || !UTIL_VEC_TRY_PUSH(ents, n, cap, de)) {
          free(de.name);
          t = W2_OOM(w);
          break;
        }
        memcpy(de.name, name, nl);
        de.name[nl] = 0;
      }
      at += 24 + nl;
    }
    if (!progress && more) {
      t = w2_trap(w, "wasi:filesystem/types.read-directory: an entry longer than the buffer");
    }
  }
  uint64_t c[1] = {lfd};
  (void)w2_p1(w, "fd_close", c);
  uint32_t idx;
  w2_obj *o = (t || e) ? NULL : w2_new(w, W2_R_DIRSTREAM, &idx);
  comp_val *v = o ? w2_vals(a, 1) : NULL;
  if (!t && !e && (!o || !v)) t = W2_OOM(w);
  if (t || e) {
    for (size_t i = 0; i < n; i++) free(ents[i].name);
    free(ents);
    if (o) w2_release(w, idx);
    return t ? t : fail(w, res, a, e);
  }
  o->ents = ents;
  o->nents = n;
  w2_handle(w, v, W2_R_DIRSTREAM, idx);
  w2_ok(res, v);
  return NULL;
}

static const char *read_directory_entry(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  w2_obj *o = w2_get(w, W2_R_DIRSTREAM, args[0].u.h.rep);
  if (!o) return w2_trap(w, "wasi:filesystem/types: not a directory-entry-stream");
  comp_val *opt;
  const char *t = ok_val(w, res, a, &opt);
  if (t || o->pos >= o->nents) return t;
  comp_val *f = w2_vals(a, 3);
  if (!f) return W2_OOM(w);
  w2_dirent *de = &o->ents[o->pos++];
  size_t nl = strlen(de->name);
  char *s = util_arena_try_alloc(a, nl + 1);
  if (!s) return W2_OOM(w);
  memcpy(s, de->name, nl + 1);
  f[0].u.var.disc = de->type;
  f[1].u.str.s = s;
  f[1].u.str.len = (uint32_t)nl;
  f[2].u.seq.v = f;
  f[2].u.seq.n = 2;
  opt->u.var.disc = 1;
  opt->u.var.p = &f[2];
  return NULL;
}

static const char *filesystem_error_code(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  w2_obj *o = w2_get(w, W2_R_ERROR, args[0].u.h.rep);
  if (!o) return w2_trap(w, "wasi:filesystem/types: not an error handle");
  comp_val *v = w2_vals(a, 1);
  if (!v) return W2_OOM(w);
  v->u.var.disc = w2_error_code(o->code);
  res->u.var.disc = 1;
  res->u.var.p = v;
  return NULL;
}

const w2_func w2_types_funcs[] = {
  {"[method]descriptor.read-via-stream", read_via_stream, S_FN(S_P(S_BORROW) S_P("u64"), S_FS(S_OWN))},
  {"[method]descriptor.write-via-stream", write_via_stream, S_FN(S_P(S_BORROW) S_P("u64"), S_FS(S_OWN))},
  {"[method]descriptor.append-via-stream", append_via_stream, S_FN(S_P(S_BORROW), S_FS(S_OWN))},
  {"[method]descriptor.advise", advise, S_FN(S_P(S_BORROW) S_P("u64") S_P("u64") S_P(S_ADVICE), S_FS0)},
  {"[method]descriptor.sync-data", sync_data, S_FN(S_P(S_BORROW), S_FS0)},
  {"[method]descriptor.get-flags", get_flags, S_FN(S_P(S_BORROW), S_FS(S_DFLAGS))},
  {"[method]descriptor.get-type", get_type, S_FN(S_P(S_BORROW), S_FS(S_DTYPE))},
  {"[method]descriptor.set-size", set_size, S_FN(S_P(S_BORROW) S_P("u64"), S_FS0)},
  {"[method]descriptor.set-times", set_times, S_FN(S_P(S_BORROW) S_P(S_NEWTS) S_P(S_NEWTS), S_FS0)},
  {"[method]descriptor.read", desc_read, S_FN(S_P(S_BORROW) S_P("u64") S_P("u64"), S_FS("(tuple (list u8) bool)"))},
  {"[method]descriptor.write", desc_write, S_FN(S_P(S_BORROW) S_P("(list u8)") S_P("u64"), S_FS("u64"))},
  {"[method]descriptor.read-directory", read_directory, S_FN(S_P(S_BORROW), S_FS(S_OWN))},
  {"[method]descriptor.sync", sync_all, S_FN(S_P(S_BORROW), S_FS0)},
  {"[method]descriptor.create-directory-at", create_directory_at, S_FN(S_P(S_BORROW) S_P("string"), S_FS0)},
  {"[method]descriptor.stat", desc_stat, S_FN(S_P(S_BORROW), S_FS(S_STAT))},
  {"[method]descriptor.stat-at", stat_at, S_FN(S_P(S_BORROW) S_P(S_PATHFLAGS) S_P("string"), S_FS(S_STAT))},
  {"[method]descriptor.set-times-at", set_times_at, S_FN(S_P(S_BORROW) S_P(S_PATHFLAGS) S_P("string") S_P(S_NEWTS) S_P(S_NEWTS), S_FS0)},
  {"[method]descriptor.link-at", link_at, S_FN(S_P(S_BORROW) S_P(S_PATHFLAGS) S_P("string") S_P(S_BORROW) S_P("string"), S_FS0)},
  {"[method]descriptor.open-at", open_at, S_FN(S_P(S_BORROW) S_P(S_PATHFLAGS) S_P("string") S_P(S_OPENFLAGS) S_P(S_DFLAGS), S_FS(S_OWN))},
  {"[method]descriptor.readlink-at", readlink_at, S_FN(S_P(S_BORROW) S_P("string"), S_FS("string"))},
  {"[method]descriptor.remove-directory-at", remove_directory_at, S_FN(S_P(S_BORROW) S_P("string"), S_FS0)},
  {"[method]descriptor.rename-at", rename_at, S_FN(S_P(S_BORROW) S_P("string") S_P(S_BORROW) S_P("string"), S_FS0)},
  {"[method]descriptor.symlink-at", symlink_at, S_FN(S_P(S_BORROW) S_P("string") S_P("string"), S_FS0)},
  {"[method]descriptor.unlink-file-at", unlink_file_at, S_FN(S_P(S_BORROW) S_P("string"), S_FS0)},
  {"[method]descriptor.is-same-object", is_same_object, S_FN(S_P(S_BORROW) S_P(S_BORROW), S_R("bool"))},
  {"[method]descriptor.metadata-hash", metadata_hash, S_FN(S_P(S_BORROW), S_FS(S_HASH))},
  {"[method]descriptor.metadata-hash-at", metadata_hash_at, S_FN(S_P(S_BORROW) S_P(S_PATHFLAGS) S_P("string"), S_FS(S_HASH))},
  {"[method]directory-entry-stream.read-directory-entry", read_directory_entry, S_FN(S_P(S_BORROW), S_FS("(option " S_DIRENT ")"))},
  {"filesystem-error-code", filesystem_error_code, S_FN(S_P(S_BORROW), S_R("(option " S_EC ")"))},
  {NULL, NULL, NULL},
};

/* ---------- wasi:filesystem/preopens --------------------------------------------------- */

/* Every preopened directory of the preview1 context (fds 3, 4, ... until fd_prestat_get
 * says EBADF), with its guest name. */
static const char *get_directories(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args;
  comp_val *list = NULL;
  uint32_t n = 0, cap = 0;
  for (uint32_t fd = 3;; fd++) {
    uint64_t p[2] = {fd, RES};
    int e = w2_p1(w, "fd_prestat_get", p);
    if (e < 0) return w->msg;
    if (e == WASI_EBADF) break;
    if (e) continue; /* not a preopen (a socket passed in) */
    uint32_t nl = get32(w->mem + RES + 4);
    if (!w2_scratch(w, PATH1 + (uint64_t)nl)) return W2_OOM(w);
    uint64_t q[3] = {fd, PATH1, nl};
    e = w2_p1(w, "fd_prestat_dir_name", q);
    if (e < 0) return w->msg;
    if (e) continue;
    if (n == cap) {
      uint32_t nc = cap ? cap * 2 : 8;
      comp_val *bigger = w2_vals(a, nc);
      if (!bigger) return W2_OOM(w);
      if (n) memcpy(bigger, list, sizeof *list * n);
      list = bigger;
      cap = nc;
    }
    comp_val *pair = w2_vals(a, 2);
    char *s = util_arena_try_alloc(a, nl + 1);
    uint32_t idx;
    w2_obj *o = pair && s ? w2_new(w, W2_R_DESC, &idx) : NULL;
    if (!o) return W2_OOM(w);
    o->fd = fd;
    o->preopen = true;
    memcpy(s, w->mem + PATH1, nl);
    s[nl] = 0;
    w2_handle(w, &pair[0], W2_R_DESC, idx);
    pair[1].u.str.s = s;
    pair[1].u.str.len = nl;
    list[n].u.seq.v = pair;
    list[n].u.seq.n = 2;
    n++;
  }
  res->u.seq.v = list;
  res->u.seq.n = n;
  return NULL;
}

const w2_func w2_preopens_funcs[] = {{"get-directories", get_directories, S_FN("", S_R("(list (tuple " S_OWN " string))"))},
    {NULL, NULL, NULL}};

// An AssemblyScript program making raw preview1 calls (the wasi-shim bindings) on the
// preopened directory (fd 3): create and write a file, append to it, read it back,
// make a directory, rename the file into it, list nothing but report each errno.
// Run under weld and Node.js on copies of one tree: output and resulting tree compared.
import {
  fd_close, fd_read, fd_write, path_open, path_create_directory, path_rename,
  path_unlink_file, fd_prestat_dir_name, oflags, rights, fdflags, lookupflags, errno, fd
} from "bindings/wasi_snapshot_preview1";

const scratch = memory.data(256);
const iov = memory.data(16);
const out = memory.data(8);

function cstr(s: string): usize {
  const n = String.UTF8.encode(s);
  memory.copy(scratch, changetype<usize>(n), n.byteLength);
  return scratch;
}
function pathLen(s: string): usize { return String.UTF8.byteLength(s); }

function open(path: string, ofl: u16, r: u64, fl: u16): fd {
  const p = cstr(path);
  const e = path_open(3, lookupflags.SYMLINK_FOLLOW, p, pathLen(path), ofl, r, r, fl, out);
  console.log("open " + path + ": " + e.toString());
  return e == 0 ? load<u32>(out) : <u32>-1;
}
function write(f: fd, s: string): void {
  const b = String.UTF8.encode(s);
  store<u32>(iov, <u32>changetype<usize>(b));
  store<u32>(iov, <u32>b.byteLength, 4);
  const e = fd_write(f, iov, 1, out);
  console.log("write " + b.byteLength.toString() + ": " + e.toString() + " wrote " + load<u32>(out).toString());
}
function readAll(f: fd): string {
  const buf = new ArrayBuffer(5);
  let s = "";
  while (true) {
    store<u32>(iov, <u32>changetype<usize>(buf));
    store<u32>(iov, 5, 4);
    const e = fd_read(f, iov, 1, out);
    const n = load<u32>(out);
    if (e != 0 || n == 0) break;
    s += String.UTF8.decode(buf.slice(0, n));
  }
  return s;
}

const name = memory.data(64);
console.log("preopen: " + fd_prestat_dir_name(3, name, 7).toString() + " " + String.UTF8.decodeUnsafe(name, 7));
const all: u64 = rights.FD_READ | rights.FD_WRITE | rights.FD_SEEK | rights.FD_TELL | rights.FD_FILESTAT_GET;
let f = open("made.txt", oflags.CREAT | oflags.TRUNC, all, 0);
write(f, "hello from assemblyscript\n");
console.log("close: " + fd_close(f).toString());
f = open("made.txt", 0, all, fdflags.APPEND);
write(f, "appended\n");
fd_close(f);
f = open("made.txt", 0, rights.FD_READ, 0);
console.log("read back: " + readAll(f).replaceAll("\n", "|"));
fd_close(f);
console.log("missing: " + (open("nope/missing.txt", 0, rights.FD_READ, 0) == <u32>-1 ? "refused" : "opened"));
let e: errno = path_create_directory(3, cstr("newdir"), pathLen("newdir"));
console.log("mkdir: " + e.toString());
e = path_create_directory(3, cstr("newdir"), pathLen("newdir"));
console.log("mkdir again: " + e.toString());
const from = "made.txt", to = "newdir/moved.txt";
const fromBuf = String.UTF8.encode(from), toBuf = String.UTF8.encode(to);
e = path_rename(3, changetype<usize>(fromBuf), fromBuf.byteLength, 3, changetype<usize>(toBuf), toBuf.byteLength);
console.log("rename: " + e.toString());
e = path_unlink_file(3, cstr("sub/f2.txt"), pathLen("sub/f2.txt"));
console.log("unlink: " + e.toString());
e = path_unlink_file(3, cstr("sub/f2.txt"), pathLen("sub/f2.txt"));
console.log("unlink again: " + e.toString());

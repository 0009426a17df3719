// std::fs under WASI: the same program natively and under weld must print the same and
// leave the same tree. Paths are relative to the directory holding `sandbox` (preopened
// as "sandbox" under weld), including ones with `.` and `..` components.
use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::Path;

fn check<T>(what: &str, r: std::io::Result<T>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            // The kind, not the message: messages differ between hosts.
            println!("{}: error {:?}", what, e.kind());
            None
        }
    }
}

fn list(dir: &str) {
    if let Some(rd) = check(&format!("read_dir {}", dir), fs::read_dir(dir)) {
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| {
                let ty = e.file_type().map(|t| if t.is_dir() { "/" } else if t.is_symlink() { "@" } else { "" }).unwrap_or("?");
                format!("{}{}", e.file_name().to_string_lossy(), ty)
            })
            .collect();
        names.sort();
        println!("{}: {}", dir, names.join(" "));
    }
}

fn main() {
    // reading the fixture, through a path with . and ..
    if let Some(s) = check("read", fs::read_to_string("sandbox/./sub/../sub/data.txt")) {
        print!("data.txt: {}", s);
    }
    // create_dir_all, write, append, read back
    check("create_dir_all", fs::create_dir_all("sandbox/out/deep/er"));
    check("write", fs::write("sandbox/out/deep/er/a.txt", b"first line\n"));
    if let Some(mut f) = check("append", OpenOptions::new().append(true).open("sandbox/out/deep/er/a.txt")) {
        check("append write", f.write_all(b"second line\n"));
    }
    if let Some(mut f) = check("open", fs::File::open("sandbox/out/deep/er/a.txt")) {
        let mut s = String::new();
        check("read_to_string", f.read_to_string(&mut s));
        print!("a.txt: {}", s);
    }
    // metadata
    if let Some(m) = check("metadata", fs::metadata("sandbox/out/deep/er/a.txt")) {
        println!("a.txt: len {} file {} dir {}", m.len(), m.is_file(), m.is_dir());
    }
    if let Some(m) = check("metadata dir", fs::metadata("sandbox/out/deep")) {
        println!("deep: file {} dir {}", m.is_file(), m.is_dir());
    }
    // copy, rename (a file and a directory), remove
    check("copy", fs::copy("sandbox/sub/f1.txt", "sandbox/out/copy.txt"));
    check("rename file", fs::rename("sandbox/out/copy.txt", "sandbox/out/moved.txt"));
    check("rename dir", fs::rename("sandbox/out/deep/er", "sandbox/out/er"));
    check("remove_dir", fs::remove_dir("sandbox/out/deep"));
    check("remove_file", fs::remove_file("sandbox/sub/f2.txt"));
    // a truncating create over an existing file
    if let Some(mut f) = check("create", fs::File::create("sandbox/sub/f3.txt")) {
        check("write f3", writeln!(f, "replaced"));
    }
    list("sandbox");
    list("sandbox/sub");
    list("sandbox/out");
    println!("exists moved: {} copy: {}", Path::new("sandbox/out/moved.txt").exists(), Path::new("sandbox/out/copy.txt").exists());
    // errors by kind
    match fs::read("sandbox/missing.txt") {
        Err(e) if e.kind() == ErrorKind::NotFound => println!("missing: NotFound"),
        other => println!("missing: unexpected {:?}", other.map(|v| v.len())),
    }
    match fs::create_dir("sandbox/sub") {
        Err(e) if e.kind() == ErrorKind::AlreadyExists => println!("mkdir sub: AlreadyExists"),
        other => println!("mkdir sub: unexpected {:?}", other),
    }
    match fs::remove_dir("sandbox/sub") {
        Err(_) => println!("rmdir sub: refused (not empty)"),
        Ok(()) => println!("rmdir sub: unexpected success"),
    }
    // a symlink from the fixture: read through it, read it, stat it without following
    if let Some(s) = check("read link", fs::read_to_string("sandbox/link")) {
        print!("through link: {}", s);
    }
    if let Some(t) = check("read_link", fs::read_link("sandbox/link")) {
        println!("link -> {}", t.display());
    }
    if let Some(m) = check("symlink_metadata", fs::symlink_metadata("sandbox/link")) {
        println!("link is symlink: {}, metadata follows: {}", m.file_type().is_symlink(),
                 fs::metadata("sandbox/link").map(|m| m.is_file()).unwrap_or(false));
    }
    // remove_dir_all of a tree it made
    check("create_dir_all 2", fs::create_dir_all("sandbox/tmp/x/y"));
    check("write 2", fs::write("sandbox/tmp/x/y/z", b"z"));
    check("remove_dir_all", fs::remove_dir_all("sandbox/tmp"));
    println!("tmp exists: {}", Path::new("sandbox/tmp").exists());
}

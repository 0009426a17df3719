// A Rust program on std (built by Debian's rustc for wasm32-wasi, made a WASI 0.2 command
// component by `jco new --wasi-command`): tests/wasi2/run.sh runs it under weld and under
// Node.js (jco transpile + the preview2 shim) and checks both against what the script
// computes itself.
//
//   rsprog files IN OUT    reads IN (under the preopened `data`), writes OUT: each line
//                          numbered and upper-cased, then a line with the byte and line
//                          counts; reads OUT back, lists `data`, opens a missing file
//   rsprog env             the RS_* variables, sorted, and whether HOME is set
//   rsprog args A...       the arguments after the mode, with their lengths in chars
//   rsprog stdin           lines and bytes of standard input, and a checksum
//   rsprog fail N          a line to stdout and one to stderr, then exit(N)
use std::fs;
use std::io::{self, Read, Write};

fn files(input: &str, output: &str) -> i32 {
    let text = match fs::read_to_string(input) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("read {}: {:?}", input, e.kind());
            return 2;
        }
    };
    let mut out = String::new();
    let mut lines = 0;
    for (i, line) in text.lines().enumerate() {
        out.push_str(&format!("{:03} {}\n", i + 1, line.to_uppercase()));
        lines += 1;
    }
    out.push_str(&format!("{} bytes, {} lines\n", text.len(), lines));
    if let Err(e) = fs::File::create(output).and_then(|mut f| f.write_all(out.as_bytes())) {
        eprintln!("write {}: {:?}", output, e.kind());
        return 2;
    }
    match fs::read(output) {
        Ok(back) => println!("{}: {} bytes written and read back, same: {}", output, back.len(), back == out.as_bytes()),
        Err(e) => println!("read back {}: {:?}", output, e.kind()),
    }
    match fs::metadata(output) {
        Ok(m) => println!("metadata {}: len {}, file {}", output, m.len(), m.is_file()),
        Err(e) => println!("metadata {}: {:?}", output, e.kind()),
    }
    let mut names: Vec<String> = fs::read_dir("data")
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    println!("data: {}", names.join(" "));
    match fs::read("data/no-such-file") {
        Ok(_) => println!("data/no-such-file: read"),
        Err(e) => println!("data/no-such-file: {:?}", e.kind()),
    }
    eprintln!("files: done");
    0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("");
    let code = match mode {
        "files" if args.len() == 4 => files(&args[2], &args[3]),
        "env" => {
            let mut vars: Vec<(String, String)> = std::env::vars().filter(|(k, _)| k.starts_with("RS_")).collect();
            vars.sort();
            for (k, v) in &vars {
                println!("{}={}", k, v);
            }
            println!("HOME set: {}", std::env::var_os("HOME").is_some());
            0
        }
        "args" => {
            println!("{} arguments", args.len() - 2);
            for (i, a) in args.iter().enumerate().skip(2) {
                println!("arg {}: [{}] {} chars", i - 1, a, a.chars().count());
            }
            0
        }
        "stdin" => {
            // in 4 KiB reads; tests/wasi2/run.sh sends 24 KB (some 350 KB stop at an
            // assertion of jco 1.35.0's preview1 adapter, "adapter line 2857", under weld
            // and Node.js alike, while the core module reads them under preview1)
            let mut data = Vec::new();
            let mut buf = [0u8; 4096];
            let mut stdin = io::stdin().lock();
            let r = loop {
                match stdin.read(&mut buf) {
                    Ok(0) => break Ok(()),
                    Ok(n) => data.extend_from_slice(&buf[..n]),
                    Err(e) => break Err(e),
                }
            };
            if let Err(e) = r {
                eprintln!("stdin: {:?}", e.kind());
                2
            } else {
                let lines = data.iter().filter(|&&b| b == b'\n').count();
                let sum = data.iter().fold(0u32, |s, &b| s.wrapping_mul(31).wrapping_add(b as u32));
                println!("{} bytes, {} lines, checksum {}", data.len(), lines, sum);
                0
            }
        }
        "fail" => {
            let n: i32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
            println!("failing with {}", n);
            eprintln!("error: asked to fail");
            n
        }
        _ => {
            eprintln!("usage: rsprog files IN OUT | env | args A... | stdin | fail N");
            64
        }
    };
    io::stdout().flush().unwrap();
    std::process::exit(code);
}

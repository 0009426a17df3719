// std::env, std::io and std::process::exit: arguments, chosen variables, stdin lines to
// stdout, a line to stderr, and the exit status. Same output natively and under weld.
use std::io::{self, BufRead, Write};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("args: {:?}", args);
    println!("GREETING={:?}", std::env::var("GREETING").ok());
    println!("EMPTY={:?}", std::env::var("EMPTY").ok());
    println!("UNSET={:?}", std::env::var("WELD_SURELY_UNSET").ok());
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    println!("vars: {:?}", vars);
    let stdin = io::stdin();
    let mut total = 0usize;
    for (i, line) in stdin.lock().lines().enumerate() {
        let line = line.expect("stdin");
        total += line.len();
        println!("{:>3}: {}", i + 1, line.to_uppercase());
    }
    eprintln!("read {} bytes of lines", total);
    io::stdout().flush().unwrap();
    let code = args.first().and_then(|a| a.parse::<i32>().ok()).unwrap_or(0);
    std::process::exit(code);
}

//! The `mmhs` command line: every wasm function has a subcommand with the same JSON in/out.

pub mod serve;

/// Entry point: parse arguments, run, return the process exit code
/// (0 success, 1 "not valid"/refused, 2 unusable input).
pub fn main() -> i32 {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some("serve") {
        return serve::main_from(argv.get(1..).unwrap_or(&[]));
    }
    eprintln!("mmhs: no subcommands yet");
    2
}

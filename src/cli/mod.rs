//! The `mmhs` command line: every wasm function has a subcommand with the same JSON in/out.

/// Entry point: parse arguments, run, return the process exit code
/// (0 success, 1 "not valid"/refused, 2 unusable input).
pub fn main() -> i32 {
    eprintln!("mmhs: no subcommands yet");
    2
}

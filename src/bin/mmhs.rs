//! The `mmhs` command-line tool (native only).
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(mmhs::cli::main());
}
#[cfg(target_arch = "wasm32")]
fn main() {}

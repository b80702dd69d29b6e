//! `mmhs serve`: the reference webmail, its SMTP submission agent and the mailbox store.
//! Arguments and behaviour live in [`crate::server`]; this is the CLI entry.

pub use crate::server::ServeArgs;

/// Run `mmhs serve` with parsed arguments; returns the exit code.
pub fn serve(args: ServeArgs) -> i32 {
    crate::server::run(args)
}

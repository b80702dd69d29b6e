//! `mmhs serve`: the reference webmail, its SMTP submission agent and the mailbox store.
//! Arguments and behaviour live in [`crate::server`]; this is the CLI entry.

pub use crate::server::ServeArgs;

/// Run `mmhs serve` with parsed arguments; returns the exit code.
pub fn serve(args: ServeArgs) -> i32 {
    crate::server::run(args)
}

/// `mmhs serve ARGS…` parsed on its own (until the main clap dispatcher includes
/// [`ServeArgs`] as the `serve` subcommand). `argv` excludes the program name and "serve".
pub fn main_from(argv: &[String]) -> i32 {
    use clap::{Args, Command, FromArgMatches};
    let cmd = ServeArgs::augment_args(Command::new("mmhs serve").about(
        "Reference webmail + SMTP submission agent + mailbox store (docs/server.md)",
    ));
    let matches = match cmd.try_get_matches_from(
        std::iter::once("mmhs serve".to_string()).chain(argv.iter().cloned()),
    ) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match ServeArgs::from_arg_matches(&matches) {
        Ok(a) => serve(a),
        Err(e) => {
            let _ = e.print();
            2
        }
    }
}

//! `mmhs serve`: the reference webmail, its SMTP submission agent and the mailbox store;
//! `mmhs boundary`: the boundary MTA agent of domain security. Arguments and behaviour live
//! in [`crate::server`] and [`crate::server::boundary`]; these are the CLI entries.

pub(crate) use crate::server::boundary::BoundaryArgs;
pub(crate) use crate::server::ServeArgs;

/// Run `mmhs serve` with parsed arguments; returns the exit code.
pub(crate) fn serve(args: ServeArgs) -> i32 {
    crate::server::run(args)
}

/// Run `mmhs boundary` with parsed arguments; returns the exit code.
pub(crate) fn boundary(args: BoundaryArgs) -> i32 {
    crate::server::boundary::run(args)
}

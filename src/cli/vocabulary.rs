//! `mmhs vocabulary`: the standard precedences (with their STANAG4406 MT-PRIORITY) and message
//! types as JSON — the same as the wasm `mmhsVocabulary` ([`crate::fields::vocabulary`]).

use super::{io, Outcome};
use crate::Result;

/// Arguments of `mmhs vocabulary` (none).
#[derive(Debug, clap::Args)]
pub(super) struct Args {}

/// Run `mmhs vocabulary`.
pub(super) fn run(_args: Args) -> Result<Outcome> {
    io::print_json(&crate::fields::vocabulary::vocabulary())?;
    Ok(Outcome::Success)
}

//! `mmhs inspect IN.eml [--at TIME]`: the MMHS view of a message's header fields
//! ([`crate::mmhs::inspect`], the same JSON as the wasm `inspect`).

use std::path::PathBuf;

use super::{io, Outcome};
use crate::mmhs::{inspect, InspectOptions};
use crate::Result;

/// Arguments of `mmhs inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The message (`-` for stdin).
    pub message: PathBuf,
    /// The current time for the `expired` flag (RFC 3339); default: now.
    #[arg(long, visible_alias = "now", value_name = "RFC3339")]
    pub at: Option<String>,
    /// The reader's address: the view then says which precedence applies to this reader
    /// (`readerPrecedence`, MMHS profile §3.5.1, §3.5.2).
    #[arg(long, value_name = "ADDRESS")]
    pub reader: Option<String>,
}

/// Run `mmhs inspect`.
pub fn run(args: Args) -> Result<Outcome> {
    let raw = io::read_input(&args.message, "message")?;
    let opts = InspectOptions {
        now: Some(io::time_or_now("--at", args.at.as_deref())?),
        reader: args.reader,
    };
    let view = inspect(&raw, &opts)?;
    io::print_json(&view)?;
    Ok(Outcome::Success)
}

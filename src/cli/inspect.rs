//! `mmhs inspect IN.eml [--at TIME] [--reader ADDRESS] [--json REQUEST.json]`: the MMHS view
//! of a message's header fields ([`crate::fields::inspect()`], the same JSON as the wasm
//! `inspect`). The flags build the core's [`InspectRequest`]; `--json` reads one instead.

use std::path::PathBuf;

use super::material::read_request;
use super::{io, Outcome};
use crate::fields::{inspect, InspectRequest};
use crate::Result;

/// Arguments of `mmhs inspect`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The message (`-` for stdin).
    pub message: PathBuf,
    /// The current time for the `expired` flag (RFC 3339); default: now.
    #[arg(long, visible_alias = "now", value_name = "RFC3339")]
    pub at: Option<String>,
    /// The reader's address: the view then says which precedence applies to this reader
    /// (`readerPrecedence`, MMHS profile §3.5.1, §3.5.2).
    #[arg(long, value_name = "ADDRESS")]
    pub reader: Option<String>,
    /// The inspect request as JSON (docs/js-api.md `InspectRequest`) instead of the flags.
    #[arg(long, value_name = "REQUEST.json", conflicts_with_all = ["at", "reader"])]
    pub json: Option<PathBuf>,
}

/// Run `mmhs inspect`.
pub(super) fn run(args: Args) -> Result<Outcome> {
    let raw = io::read_input(&args.message, "message")?;
    let req = match &args.json {
        Some(path) => read_request(path, "inspect request")?,
        None => InspectRequest {
            at: io::optional_time("--at", args.at.as_deref())?,
            reader: args.reader,
            ..InspectRequest::default()
        },
    };
    let view = inspect(&raw, &req.options(time::OffsetDateTime::now_utc()))?;
    io::print_json(&view)?;
    Ok(Outcome::Success)
}

//! `mmhs mdn REQUEST.json [--now TIME] [--out MDN.eml]`: the reader's message disposition
//! notification (RFC 8098) for a request in the JSON of the wasm `makeMdn`
//! ([`crate::compose::MdnRequest`]). Prints `{raw (base64), envelope, messageId}`, or with
//! `--out` writes the message and prints `{envelope, messageId}`.

use std::path::PathBuf;

use super::material::read_json;
use super::{io, Outcome};
use crate::compose::{make_mdn, MdnRequest};
use crate::Result;

/// Arguments of `mmhs mdn`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The request (JSON, docs/cli.md "mdn").
    pub request: PathBuf,
    /// The MDN's Date (RFC 3339), default: now.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Write the message here instead of printing it in the JSON.
    #[arg(long, value_name = "MDN.eml")]
    pub out: Option<PathBuf>,
}

/// Run `mmhs mdn`.
pub(super) fn run(args: Args) -> Result<Outcome> {
    let request: MdnRequest = read_json(&args.request, "MDN request")?;
    let now = io::time_or_now("--now", args.now.as_deref())?;
    let mdn = make_mdn(&request, now, &mut crate::rng::system_rng())?;
    match &args.out {
        Some(path) => {
            io::write_file(path, &mdn.raw)?;
            io::print_json(&serde_json::json!({
                "envelope": mdn.envelope,
                "messageId": mdn.message_id,
            }))?;
        }
        None => io::print_json(&mdn)?,
    }
    Ok(Outcome::Success)
}

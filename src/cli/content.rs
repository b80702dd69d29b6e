//! `mmhs content IN.eml [--header-protection SCHEME] [--attachment N [-o FILE]]`: what a
//! reader shows of a message's content ([`crate::mime::content`], the same JSON as the wasm
//! `readContent`), or the decoded octets of one attachment (wasm `attachmentBytes`).

use std::path::PathBuf;

use super::{io, Outcome};
use crate::mime::content::{attachment_bytes, read_content, ContentLimits, ReadContentRequest};
use crate::report::HpScheme;
use crate::Result;

/// Arguments of `mmhs content`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The message, or the `content` `verify` wrote (`-` for stdin).
    pub message: PathBuf,
    /// The verification report's header-protection scheme (`wrapped`, `injected`, `none`).
    #[arg(long, value_name = "SCHEME", value_parser = ["wrapped", "injected", "none"], default_value = "none")]
    pub header_protection: String,
    /// Write the decoded octets of this attachment (its `index`) instead of the JSON view.
    #[arg(long, value_name = "INDEX")]
    pub attachment: Option<usize>,
    /// Where to write the attachment (default: stdout).
    #[arg(short, long, value_name = "FILE", requires = "attachment")]
    pub output: Option<PathBuf>,
}

/// Run `mmhs content`.
pub(super) fn run(args: Args) -> Result<Outcome> {
    let raw = io::read_input(&args.message, "message")?;
    let req = ReadContentRequest {
        header_protection: match args.header_protection.as_str() {
            "wrapped" => HpScheme::Wrapped,
            "injected" => HpScheme::Injected,
            _ => HpScheme::None,
        },
    };
    let limits = ContentLimits::default();
    match args.attachment {
        Some(index) => {
            let bytes = attachment_bytes(&raw, index, &req, &limits)?;
            match &args.output {
                Some(path) => io::write_file(path, &bytes)?,
                None => io::write_stdout(&bytes)?,
            }
        }
        None => io::print_json(&read_content(&raw, &req, &limits)?)?,
    }
    Ok(Outcome::Success)
}

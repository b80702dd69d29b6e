//! `mmhs certificate-info CERT.pem`: subject, issuer, validity, e-mail addresses and SHA-256
//! fingerprint of every certificate in the file (PEM, or one DER certificate) as a JSON
//! array — the same JSON as the wasm `certificateInfo` ([`crate::trust::certificate_info`]).
//! Validates nothing.

use std::path::PathBuf;

use super::{io, Outcome};
use crate::Result;

/// Arguments of `mmhs certificate-info`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The certificate file (PEM with one or more certificates, or DER; `-` for stdin).
    pub certificate: PathBuf,
}

/// Run `mmhs certificate-info`.
pub(super) fn run(args: Args) -> Result<Outcome> {
    let input = io::read_input(&args.certificate, "certificate")?;
    io::print_json(&crate::trust::certificate_info(&input)?)?;
    Ok(Outcome::Success)
}

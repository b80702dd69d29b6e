//! `mmhs certificate-info CERT.pem`: subject, issuer, validity, e-mail addresses and SHA-256
//! fingerprint of every certificate in the file (PEM, or one DER certificate) as a JSON
//! array — the same JSON as the wasm `certificateInfo` ([`crate::trust::certificate_info`]).
//! Validates nothing.
//!
//! `mmhs certificate-status REQUEST.json` and `mmhs encryption-recipients REQUEST.json`: the
//! same JSON in and out as the wasm `certificateStatus` ([`crate::trust::certificate_status`])
//! and `encryptionRecipients` ([`crate::domain::encryption_recipients()`]), at the system clock
//! unless the request gives `at`.

use std::path::PathBuf;

use super::material::read_request;
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

/// Arguments of `mmhs certificate-status` and `mmhs encryption-recipients`.
#[derive(Debug, clap::Args)]
pub(super) struct RequestArgs {
    /// The JSON request (`-` for stdin).
    pub request: PathBuf,
}

/// Run `mmhs certificate-status`: exit 0 when the certificate is trusted for the purpose, 1
/// when not (the JSON says why).
pub(super) fn run_status(args: RequestArgs) -> Result<Outcome> {
    let req: crate::trust::CertificateStatusRequest =
        read_request(&args.request, "certificate status request")?;
    let status = crate::trust::certificate_status(&req, time::OffsetDateTime::now_utc())?;
    io::print_json(&status)?;
    Ok(if status.trusted {
        Outcome::Success
    } else {
        Outcome::NotValid
    })
}

/// Run `mmhs encryption-recipients`: exit 0 when every recipient has a certificate, 1 when
/// one has none.
pub(super) fn run_recipients(args: RequestArgs) -> Result<Outcome> {
    let req: crate::domain::EncryptRequest = read_request(&args.request, "encrypt request")?;
    let out = crate::domain::encryption_recipients(&req, time::OffsetDateTime::now_utc())?;
    io::print_json(&out)?;
    Ok(if out.iter().all(|r| !r.chosen.is_empty()) {
        Outcome::Success
    } else {
        Outcome::NotValid
    })
}

//! `mmhs compose REQUEST.json [--out DIR] [--now TIME] [--message-id-domain DOMAIN]
//! [--key KEY.pem --cert CERT.pem [--chain CA.pem] | --p12 FILE.p12] [--recipient-cert X.pem …]`
//!
//! The key flags supply the signer for a request with `sign` but no `sign.key` (the wasm
//! `compose` takes the same from `options.signer`); `--recipient-cert` adds recipient
//! certificates for `encrypt` (found by e-mail address, like `encrypt.certificates`).
//!
//! Reads a compose request (`docs/compose.md`; `-` = stdin) and composes it at the given
//! time (default: now) with the system RNG. With `--out DIR`, writes `NN.eml` and
//! `NN.envelope.json` for each copy (01, 02, …) and prints a JSON list of what it wrote;
//! without, prints the `ComposedMessage` array exactly as JSON serialises it (`raw` in
//! base64) — the same objects the wasm `compose` returns.

use std::path::PathBuf;

use serde::Serialize;

use super::material::{read_cert_files, KeyArgs};
use super::{io, Outcome};
use crate::compose::{
    compose_with_material, ComposeContext, ComposeMaterial, ComposeRequest, CopyKind,
};
use crate::Result;

/// Arguments of `mmhs compose`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The JSON compose request (`-` for stdin).
    pub request: PathBuf,
    /// Write NN.eml and NN.envelope.json per copy into this directory (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Composition time (RFC 3339), default: now.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Right-hand side of the generated Message-ID (default: the From domain).
    #[arg(long, value_name = "DOMAIN")]
    pub message_id_domain: Option<String>,
    /// The signer for `sign` (when the request carries no key).
    #[command(flatten)]
    pub key: KeyArgs,
    /// Recipient certificates for `encrypt` (PEM; repeatable).
    #[arg(long, value_name = "X.pem")]
    pub recipient_cert: Vec<PathBuf>,
}

/// One written copy, as printed with `--out`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Written {
    eml: String,
    envelope: String,
    kind: CopyKind,
    message_id: String,
    receipt_notification: bool,
}

/// Run `mmhs compose`.
pub(super) fn run(args: Args) -> Result<Outcome> {
    let json = io::read_input(&args.request, "request")?;
    let request = ComposeRequest::from_json(&json)?;
    let mut ctx = ComposeContext::new(io::time_or_now("--now", args.now.as_deref())?);
    if let Some(domain) = args.message_id_domain {
        ctx = ctx.with_message_id_domain(domain);
    }
    let signer = if args.key.key.is_some() || args.key.p12.is_some() {
        Some(args.key.signer("signer")?)
    } else {
        None
    };
    let material = ComposeMaterial {
        signer,
        recipient_certificates: read_cert_files(&args.recipient_cert, "recipient certificate")?,
    };
    let copies = compose_with_material(&request, &ctx, &material, &mut crate::rng::system_rng())?;

    let Some(dir) = args.out else {
        io::print_json(&copies)?;
        return Ok(Outcome::Success);
    };
    io::create_dir(&dir)?;
    let mut written = Vec::with_capacity(copies.len());
    for (i, copy) in copies.iter().enumerate() {
        let eml = dir.join(format!("{:02}.eml", i + 1));
        let envelope = dir.join(format!("{:02}.envelope.json", i + 1));
        io::write_file(&eml, &copy.raw)?;
        io::write_file(&envelope, &io::to_json(&copy.envelope)?)?;
        written.push(Written {
            eml: eml.display().to_string(),
            envelope: envelope.display().to_string(),
            kind: copy.kind,
            message_id: copy.message_id.clone(),
            receipt_notification: copy.receipt_notification,
        });
    }
    io::print_json(&written)?;
    Ok(Outcome::Success)
}

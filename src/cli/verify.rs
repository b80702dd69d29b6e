//! `mmhs verify IN.eml --trust ROOTS.pem [--cert X.pem …] [--crl CRL.pem …]
//! [--key KEY.pem [--password-file F]] [--p12 FILE.p12] [--at TIME] [--content OUT.eml]
//! [--original SENT.eml] [--trusted-authserv-id ID …] [--json REQUEST.json] > REPORT.json`
//!
//! The flags build the core's [`VerifyRequest`]; `--json` reads one (the object the wasm
//! `verify` takes, docs/js-api.md: PEM texts, unknown fields refused with `request-invalid`)
//! instead of `--at`, `--allow-weak` and `--trusted-authserv-id`. Certificate, CRL and key
//! files given as flags are added to the request's.
//!
//! Unwraps every S/MIME layer and prints the one verification report (docs/report.md), with
//! the Draft & Release reading side (`authorizingUsers`) filled
//! ([`crate::verify::verify_message`]) — the same JSON as the wasm `verify`.
//! Exit 0 when the report says `valid`, 1 when not, 2 on unusable input.
//!
//! `--cert` adds certificates (intermediates, or signer certificates of messages sent
//! without them); with `--key`, the `--cert` certificate matching the key is also the
//! decryption certificate. Without `--at` the time is now. `--original` is the sent message a
//! signed receipt answers (docs/report.md, "Signed receipts"); the same keys open it.
//! `--trusted-authserv-id` names the receiving agent whose `Authentication-Results` (DKIM,
//! RFC 8601) the report shows ([`crate::verify::auth_results`]).

use std::path::PathBuf;

use super::material::{read_cert_files, read_crls, read_key, read_request, KeyArgs, ARGS_INVALID};
use super::{io, Outcome};
use crate::verify::{verify_message, VerifyRequest};
use crate::{Error, Result};

/// Arguments of `mmhs verify`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The message (`-` for stdin).
    pub message: PathBuf,
    /// Trust anchors (PEM, one or more CERTIFICATE blocks; repeatable).
    #[arg(long, value_name = "ROOTS.pem", required_unless_present = "json")]
    pub trust: Vec<PathBuf>,
    /// CRLs (PEM `X509 CRL` or DER; repeatable).
    #[arg(long, value_name = "CRL.pem")]
    pub crl: Vec<PathBuf>,
    /// Decryption key / extra certificates: `--key`, `--cert` (repeatable here), `--p12`.
    #[command(flatten)]
    pub key: VerifyKeyArgs,
    /// Validation time (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Also write the innermost content (the MIME entity to render) to this file.
    #[arg(long, value_name = "FILE")]
    pub content: Option<PathBuf>,
    /// The original (sent) message a signed receipt answers.
    #[arg(long, value_name = "SENT.eml")]
    pub original: Option<PathBuf>,
    /// Legacy receive: accept weak algorithms and keys (SHA-1, DSA, RSA under 2048 bits,
    /// 3DES / RC2, PKCS#1 v1.5 key transport), reporting each as the note
    /// `weak-algorithm-accepted` instead of a problem (docs/security.md, Algorithm policy).
    #[arg(long)]
    pub allow_weak: bool,
    /// Read the `Authentication-Results` fields (RFC 8601) of this authserv-id — the host
    /// name of the receiving agent (`mmhs serve`'s `hostname`) — into
    /// `authenticationResults`, when above the first `Received` field (repeatable).
    #[arg(long, value_name = "ID")]
    pub trusted_authserv_id: Vec<String>,
    /// The verify request as JSON (docs/js-api.md `VerifyRequest`) instead of `--at`,
    /// `--allow-weak` and `--trusted-authserv-id`.
    #[arg(long, value_name = "REQUEST.json", conflicts_with_all = ["at", "allow_weak", "trusted_authserv_id"])]
    pub json: Option<PathBuf>,
}

/// `verify`'s key flags: like [`KeyArgs`] but `--cert` may repeat (extra certificates).
#[derive(Debug, Clone, Default, clap::Args)]
pub(super) struct VerifyKeyArgs {
    /// Decryption key (PEM).
    #[arg(long, value_name = "KEY.pem")]
    pub key: Option<PathBuf>,
    /// Extra certificates; the one matching --key is the decryption certificate (repeatable).
    #[arg(long, value_name = "CERT.pem")]
    pub cert: Vec<PathBuf>,
    /// Decryption key and certificate from a PKCS#12 file.
    #[arg(long, value_name = "FILE.p12")]
    pub p12: Option<PathBuf>,
    #[command(flatten)]
    pub password: super::material::PasswordArgs,
}

/// Run `mmhs verify`.
pub(super) fn run(args: Args) -> Result<Outcome> {
    let raw = io::read_input(&args.message, "message")?;
    let req = match &args.json {
        Some(path) => read_request(path, "verify request")?,
        None => VerifyRequest {
            at: io::optional_time("--at", args.at.as_deref())?,
            allow_weak: args.allow_weak,
            trusted_authserv_ids: args.trusted_authserv_id.clone(),
            ..VerifyRequest::default()
        },
    };
    let mut ctx = req.context(time::OffsetDateTime::now_utc())?;
    ctx.trust_anchors
        .extend(read_cert_files(&args.trust, "trust anchors")?);
    ctx.certificates
        .extend(read_cert_files(&args.key.cert, "certificate")?);
    ctx.crls.extend(read_crls(&args.crl)?);
    if ctx.trust_anchors.is_empty() {
        return Err(Error::input(
            ARGS_INVALID,
            "no trust anchor: give --trust files or trustAnchors",
        ));
    }
    if let Some(p12) = &args.key.p12 {
        let s = KeyArgs {
            p12: Some(p12.clone()),
            password: args.key.password.clone(),
            ..KeyArgs::default()
        }
        .signer("decryption key")?;
        ctx.certificates.extend(s.chain.iter().cloned());
        ctx.decryption_keys.push((s.key, s.cert));
    } else if let Some(key_path) = &args.key.key {
        let key = read_key(key_path, &args.key.password)?;
        let cert = ctx
            .certificates
            .iter()
            .find(|c| crate::keys::key_matches_certificate(&key, c))
            .cloned()
            .ok_or_else(|| {
                Error::input(
                    ARGS_INVALID,
                    "--key needs its certificate among the --cert files",
                )
            })?;
        ctx.decryption_keys.push((key, cert));
    }
    if let Some(p) = &args.original {
        ctx.original = Some(io::read_input(p, "original message")?);
    }
    // One verification: the report and the content come from the same walk.
    let verified = verify_message(&raw, &ctx)?;
    if let Some(path) = &args.content {
        io::write_file(path, &verified.content)?;
    }
    let report = verified.report;
    io::print_json(&report)?;
    Ok(if report.valid {
        Outcome::Success
    } else {
        Outcome::NotValid
    })
}

//! `mmhs sign IN.eml --key KEY.pem --cert CERT.pem [--chain CA.pem] [--opaque] [--label LABEL.json]
//! [--protect-headers] [--digest sha256|sha384|sha512] [--pss] [--ski] [--no-certs] [--at TIME]
//! [--signature-type TYPE[,TYPE…]]
//! [--receipt-request all|first-tier|list [--receipt-from ADDR …] --receipt-to ADDR …] > OUT.eml`
//! or `mmhs sign IN.eml --key … --json REQUEST.json > OUT.eml`
//!
//! The flags build the core's [`SignRequest`]; `--json` reads one instead (the object the
//! wasm `sign` takes, docs/js-api.md), with unknown fields refused (`request-invalid`).
//!
//! Signs a whole RFC 5322 message ([`crate::domain::sign_typed`]): multipart/signed by
//! default, `application/pkcs7-mime; smime-type=signed-data` with `--opaque`. With
//! `--signature-type` (`originator`, `domain`, `additionalAttributes`, `review`,
//! `delegatedOriginator`; draft-melnikov-smime-msa-to-mda-04 §3) the signatureType attribute
//! is added and the draft's rules apply: a domain, review or additional-attributes signature
//! is a new signed layer around the message (over an empty signature layer when it is not
//! signed yet), and the certificate must name an agent of the originator's domain (§2.6). With
//! `--protect-headers` the message is first wrapped as `message/rfc822; forwarded=no`
//! ([`crate::protect::wrap`], the MMHS profile's header protection). signingTime is `--at`
//! (default: now). `--receipt-request` asks for signed receipts (RFC 2634 §2.2): from every
//! recipient, first-tier recipients, or the `--receipt-from` addresses (`list`), to be sent to
//! the `--receipt-to` addresses.

use std::path::PathBuf;

use super::material::{read_json, read_request, KeyArgs, ARGS_INVALID};
use super::{io, Outcome};
use crate::domain::{sign_request, SignDigest, SignRequest};
use crate::fields::EssSecurityLabel as SecurityLabel;
use crate::report::{ReceiptsFrom, SignatureType};
use crate::smime::{ReceiptRequestOptions, RsaPadding};
use crate::{Error, Result};

/// The option flags `--json` replaces.
const OPTION_FLAGS: [&str; 12] = [
    "opaque",
    "label",
    "protect_headers",
    "digest",
    "pss",
    "ski",
    "no_certs",
    "at",
    "signature_type",
    "receipt_request",
    "receipt_from",
    "receipt_to",
];

/// Arguments of `mmhs sign`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The message to sign (`-` for stdin).
    pub message: PathBuf,
    #[command(flatten)]
    pub key: KeyArgs,
    /// application/pkcs7-mime (signed-data) instead of multipart/signed.
    #[arg(long)]
    pub opaque: bool,
    /// ESS security label (JSON, docs/report.md "securityLabel").
    #[arg(long, value_name = "LABEL.json")]
    pub label: Option<PathBuf>,
    /// Wrap the message as message/rfc822; forwarded=no before signing (header protection).
    #[arg(long)]
    pub protect_headers: bool,
    /// Digest algorithm (default sha256).
    #[arg(long, value_parser = ["sha256", "sha384", "sha512"])]
    pub digest: Option<String>,
    /// RSASSA-PSS instead of PKCS#1 v1.5 (RSA keys).
    #[arg(long)]
    pub pss: bool,
    /// Identify the signer by subjectKeyIdentifier.
    #[arg(long)]
    pub ski: bool,
    /// Include no certificates (impoverished links).
    #[arg(long)]
    pub no_certs: bool,
    /// signingTime (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// signatureType attribute values, comma-separated (draft-melnikov-smime-msa-to-mda-04
    /// §3.2): originator, domain, additionalAttributes, review, delegatedOriginator.
    #[arg(long, value_name = "TYPES")]
    pub signature_type: Option<String>,
    /// Ask for signed receipts: from all recipients, first-tier ones, or the --receipt-from list.
    #[arg(long, value_name = "WHO", value_parser = ["all", "first-tier", "list"], requires = "receipt_to")]
    pub receipt_request: Option<String>,
    /// With `--receipt-request list`: an address asked for a receipt (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub receipt_from: Vec<String>,
    /// Where receipts go (repeatable, 1 to 16).
    #[arg(long, value_name = "ADDR")]
    pub receipt_to: Vec<String>,
    /// The sign request as JSON (docs/js-api.md `SignRequest`) instead of the option flags.
    #[arg(long, value_name = "REQUEST.json", conflicts_with_all = OPTION_FLAGS)]
    pub json: Option<PathBuf>,
}

/// The receipt request of the `--receipt-*` flags.
fn receipt_request(args: &Args) -> Result<Option<ReceiptRequestOptions>> {
    let receipts_from = match args.receipt_request.as_deref() {
        None => {
            if !args.receipt_from.is_empty() || !args.receipt_to.is_empty() {
                return Err(Error::input(
                    ARGS_INVALID,
                    "--receipt-from / --receipt-to need --receipt-request",
                ));
            }
            return Ok(None);
        }
        Some("list") => ReceiptsFrom::List {
            recipients: args.receipt_from.iter().map(|a| vec![a.clone()]).collect(),
        },
        Some(other) => {
            if !args.receipt_from.is_empty() {
                return Err(Error::input(
                    ARGS_INVALID,
                    "--receipt-from goes with --receipt-request list",
                ));
            }
            if other == "all" {
                ReceiptsFrom::All
            } else {
                ReceiptsFrom::FirstTier
            }
        }
    };
    Ok(Some(ReceiptRequestOptions {
        receipts_from,
        receipts_to: args.receipt_to.clone(),
    }))
}

/// Parse `--signature-type`: known names joined with `,`.
fn signature_types(s: &str) -> Result<Vec<SignatureType>> {
    s.split(',')
        .map(|t| {
            SignatureType::from_name(t.trim()).ok_or_else(|| {
                crate::Error::input(
                    "args-invalid",
                    format!("--signature-type: unknown signature type {t:?} (originator, domain, additionalAttributes, review, delegatedOriginator)"),
                )
            })
        })
        .collect()
}

/// The digest named on the command line.
fn digest(name: &str) -> SignDigest {
    match name {
        "sha384" => SignDigest::Sha384,
        "sha512" => SignDigest::Sha512,
        _ => SignDigest::Sha256,
    }
}

/// The sign request of the flags (or of `--json`).
fn request(args: &Args) -> Result<SignRequest> {
    if let Some(path) = &args.json {
        return read_request(path, "sign request");
    }
    let security_label: Option<SecurityLabel> = match &args.label {
        Some(p) => Some(read_json(p, "label")?),
        None => None,
    };
    Ok(SignRequest {
        detached: Some(!args.opaque),
        digest: args.digest.as_deref().map(digest),
        rsa_padding: Some(if args.pss {
            RsaPadding::Pss
        } else {
            RsaPadding::Pkcs1v15
        }),
        use_ski: Some(args.ski),
        include_certs: Some(!args.no_certs),
        signing_time: io::optional_time("--at", args.at.as_deref())?,
        security_label,
        signature_type: match args.signature_type.as_deref() {
            Some(t) => Some(signature_types(t)?),
            None => None,
        },
        protect_headers: Some(args.protect_headers),
        receipt_request: receipt_request(args)?,
        ..SignRequest::default()
    })
}

/// Run `mmhs sign`.
pub(super) fn run(args: Args) -> Result<Outcome> {
    let raw = io::read_input(&args.message, "message")?;
    let signer = args.key.signer("signer")?;
    let req = request(&args)?;
    let now = time::OffsetDateTime::now_utc();
    let out = sign_request(raw, &signer, &req, now, &mut crate::rng::system_rng())?;
    io::write_stdout(&out)?;
    Ok(Outcome::Success)
}

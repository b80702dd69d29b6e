//! `mmhs receipt ORIGINAL.eml (--key KEY.pem --cert CERT.pem [--chain CA.pem] | --p12 FILE.p12)
//! --trust ROOTS.pem [--extra-cert X.pem …] [--crl CRL.pem …] [--at TIME]
//! [--message-id ID | --json REQUEST.json] > RECEIPT.eml`
//!
//! `--message-id` builds the core's [`MakeReceiptRequest`]; `--json` reads one instead (the
//! receipt request the wasm `makeReceipt` takes, docs/js-api.md), with unknown fields refused
//! (`request-invalid`). The verification material stays flags, as the wasm function takes it
//! in its own `VerifyRequest`.
//!
//! The signed receipt the recipient (the key's owner) returns for a received message
//! ([`crate::verify::make_receipt`], RFC 2634 §2.3–§2.4): the original is verified first with
//! the one pipeline (the recipient's key also opens it when it is encrypted), and the receipt
//! is refused — exit 1, the error JSON on stderr — unless the report is `valid` and a verified
//! originator signature asks this recipient for one. The receipt message goes to stdout; its
//! SMTP recipients are its `To` (the request's receiptsTo). Without `--message-id` one is
//! drawn at random in the recipient's domain; without `--at` the time is now.

use std::path::PathBuf;

use super::material::{read_cert_files, read_crls, read_request, KeyArgs, ARGS_INVALID};
use super::{io, Outcome};
use crate::error::ErrorJson;
use crate::verify::{MakeReceiptRequest, VerifyRequest};
use crate::{Error, Result};

/// Arguments of `mmhs receipt`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The received message that requests a receipt (`-` for stdin).
    pub original: PathBuf,
    /// The recipient's key and certificate (signs the receipt, opens an encrypted original).
    #[command(flatten)]
    pub key: KeyArgs,
    /// Trust anchors (PEM; repeatable).
    #[arg(long, value_name = "ROOTS.pem", required = true)]
    pub trust: Vec<PathBuf>,
    /// Extra certificates for verifying the original (repeatable).
    #[arg(long, value_name = "X.pem")]
    pub extra_cert: Vec<PathBuf>,
    /// CRLs (PEM or DER; repeatable).
    #[arg(long, value_name = "CRL.pem")]
    pub crl: Vec<PathBuf>,
    /// Verification time, Date and signingTime of the receipt (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Message-ID of the receipt message, without angle brackets.
    #[arg(long, value_name = "ID")]
    pub message_id: Option<String>,
    /// The receipt request as JSON (docs/js-api.md `MakeReceiptRequest`) instead of
    /// `--message-id`.
    #[arg(long, value_name = "REQUEST.json", conflicts_with = "message_id")]
    pub json: Option<PathBuf>,
}

/// Run `mmhs receipt`.
pub(super) fn run(args: Args) -> Result<Outcome> {
    let original = io::read_input(&args.original, "message")?;
    let signer = args.key.signer("recipient")?;
    let req: MakeReceiptRequest = match &args.json {
        Some(path) => read_request(path, "receipt request")?,
        None => MakeReceiptRequest {
            message_id: match &args.message_id {
                Some(id) => id.clone(),
                None => random_message_id(&signer.cert),
            },
            ..MakeReceiptRequest::default()
        },
    };
    let now = time::OffsetDateTime::now_utc();
    let mut ctx = VerifyRequest {
        at: io::optional_time("--at", args.at.as_deref())?,
        ..VerifyRequest::default()
    }
    .context(now)?;
    ctx.trust_anchors
        .extend(read_cert_files(&args.trust, "trust anchors")?);
    ctx.certificates
        .extend(read_cert_files(&args.extra_cert, "certificate")?);
    ctx.crls.extend(read_crls(&args.crl)?);
    if ctx.trust_anchors.is_empty() {
        return Err(Error::input(
            ARGS_INVALID,
            "no certificate in the --trust files",
        ));
    }
    match req.make(&original, ctx, &signer, now, &mut crate::rng::system_rng()) {
        Ok(r) => {
            io::write_stdout(&r.message)?;
            Ok(Outcome::Success)
        }
        Err(e @ crate::smime::Error::ReceiptRefused { .. }) => {
            let e = Error::from(e);
            let json = serde_json::to_string(&ErrorJson::from(&e))
                .unwrap_or_else(|_| format!("{{\"code\":\"{}\"}}", e.code()));
            eprintln!("{json}");
            Ok(Outcome::NotValid)
        }
        Err(e) => Err(e.into()),
    }
}

/// `<32 hex digits>@<domain of the certificate's first address>` (`receipt.invalid` without
/// one).
fn random_message_id(cert: &x509_cert::Certificate) -> String {
    use crate::rng::Rng as _;
    let mut b = [0u8; 16];
    crate::rng::system_rng().fill_bytes(&mut b);
    let domain = crate::trust::email_addresses(cert)
        .into_iter()
        .find_map(|a| a.rsplit_once('@').map(|(_, d)| d.to_string()))
        .unwrap_or_else(|| "receipt.invalid".into());
    format!("{}@{domain}", crate::smime::signed_parse::hex(&b))
}

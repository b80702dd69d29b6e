//! `mmhs encrypt IN.eml --to CERT.pem [--to CERT.pem …] [--rcpt ADDRESS … --certs CERTS.pem …
//! [--domain-encryption MODE]] [--gcm] [--compress] [--protect-headers] > OUT.eml` and
//! `mmhs decrypt IN.eml --key KEY.pem --cert CERT.pem > OUT.eml`
//! ([`crate::smime::encrypt_message`], [`crate::smime::decrypt_message`]).
//!
//! Encrypt to every `--to` certificate (include your own so you can read the sent copy):
//! EnvelopedData with AES-256-CBC, or AuthEnvelopedData with AES-256-GCM with `--gcm`;
//! RSA recipients by RSAES-OAEP (never PKCS#1 v1.5: `algorithm_policy`), EC P-256 recipients by
//! ECDH key agreement.
//!
//! The flags build the core's [`EncryptRequest`]; `--json REQUEST.json` reads one instead
//! (the object the wasm `encrypt` takes, docs/js-api.md; unknown fields refused with
//! `request-invalid`). `--to` certificates are always encrypted to.

use std::path::PathBuf;

use super::material::{read_cert_files, read_request, KeyArgs, ARGS_INVALID};
use super::{io, Outcome};
use crate::domain::{encrypt_request, DomainEncryption, EncryptRequest};
use crate::keys;
use crate::smime::decrypt_message;
use crate::{Error, Result};

/// Arguments of `mmhs encrypt`.
#[derive(Debug, clap::Args)]
pub(super) struct EncryptArgs {
    /// The message to encrypt (`-` for stdin).
    pub message: PathBuf,
    /// A recipient certificate (PEM or DER; repeatable): always encrypted to.
    #[arg(long = "to", value_name = "CERT.pem", required_unless_present_any = ["rcpt", "json"])]
    pub to: Vec<PathBuf>,
    /// A recipient address whose certificate is looked up in the `--certs` files
    /// (repeatable): its own certificate, or its domain's DCA or gateway certificate as
    /// `--domain-encryption` says (draft-melnikov-smime-msa-to-mda-04 §4).
    #[arg(long = "rcpt", value_name = "ADDRESS")]
    pub rcpt: Vec<String>,
    /// Certificates to look `--rcpt` addresses up in: personal, DCA and gateway
    /// certificates (PEM or DER; repeatable).
    #[arg(long = "certs", value_name = "CERTS.pem", requires = "rcpt")]
    pub certs: Vec<PathBuf>,
    /// For `--rcpt`: `none` (own certificate only), `when-no-personal` (the domain's DCA or
    /// gateway certificate when there is no own one), `also` (both), `instead` (the domain's
    /// only).
    #[arg(
        long = "domain-encryption",
        value_name = "MODE",
        default_value = "none"
    )]
    pub domain_encryption: String,
    /// AuthEnvelopedData with AES-256-GCM (RFC 5083/5084).
    #[arg(long)]
    pub gcm: bool,
    /// Compress (RFC 3274) before encrypting.
    #[arg(long)]
    pub compress: bool,
    /// Wrap the message as message/rfc822; forwarded=no before encrypting (header protection).
    #[arg(long)]
    pub protect_headers: bool,
    /// The encrypt request as JSON (docs/js-api.md `EncryptRequest`) instead of the option
    /// flags.
    #[arg(long, value_name = "REQUEST.json", conflicts_with_all = ["rcpt", "certs", "domain_encryption", "gcm", "compress", "protect_headers"])]
    pub json: Option<PathBuf>,
}

/// Arguments of `mmhs decrypt`.
#[derive(Debug, clap::Args)]
pub(super) struct DecryptArgs {
    /// The encrypted message (`-` for stdin).
    pub message: PathBuf,
    #[command(flatten)]
    pub key: KeyArgs,
}

/// The encrypt request of the flags (or of `--json`).
fn request(args: &EncryptArgs) -> Result<EncryptRequest> {
    if let Some(path) = &args.json {
        return read_request(path, "encrypt request");
    }
    let domain_encryption: DomainEncryption = args
        .domain_encryption
        .parse()
        .map_err(|e: crate::domain::Error| Error::input(ARGS_INVALID, e.to_string()))?;
    let mut certificates = Vec::new();
    for p in &args.certs {
        certificates.push(pem_text(&io::read_input(p, "certificate")?)?);
    }
    Ok(EncryptRequest {
        gcm: Some(args.gcm),
        compress: Some(args.compress),
        protect_headers: Some(args.protect_headers),
        rcpt: args.rcpt.clone(),
        certificates,
        domain_encryption: Some(domain_encryption),
        ..EncryptRequest::default()
    })
}

/// A certificate file as the PEM text a request carries (a DER certificate is converted).
fn pem_text(bytes: &[u8]) -> Result<String> {
    use der::EncodePem;
    let mut out = String::new();
    for c in keys::certificates_from_der_or_pem(bytes)? {
        out.push_str(
            &c.to_pem(der::pem::LineEnding::LF)
                .map_err(|e| keys::Error::CertificateMalformed(e.to_string()))?,
        );
    }
    Ok(out)
}

/// Run `mmhs encrypt`.
pub(super) fn encrypt(args: EncryptArgs) -> Result<Outcome> {
    let raw = io::read_input(&args.message, "message")?;
    let req = request(&args)?;
    let given = read_cert_files(&args.to, "recipient certificate")?;
    if given.is_empty() && req.rcpt.is_empty() {
        return Err(Error::input(
            ARGS_INVALID,
            "no certificate in the --to files",
        ));
    }
    let out = encrypt_request(
        raw,
        given,
        &req,
        time::OffsetDateTime::now_utc(),
        &mut crate::rng::system_rng(),
    )?;
    io::write_stdout(&out)?;
    Ok(Outcome::Success)
}

/// Run `mmhs decrypt`.
pub(super) fn decrypt(args: DecryptArgs) -> Result<Outcome> {
    let raw = io::read_input(&args.message, "message")?;
    let s = args.key.signer("decryption key")?;
    let out = decrypt_message(&raw, &s.key, &s.cert)?;
    io::write_stdout(&out)?;
    Ok(Outcome::Success)
}

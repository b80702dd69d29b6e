//! `mmhs encrypt IN.eml --to CERT.pem [--to CERT.pem …] [--rcpt ADDRESS … --certs CERTS.pem …
//! [--domain-encryption MODE]] [--gcm] [--compress] [--protect-headers] > OUT.eml` and
//! `mmhs decrypt IN.eml --key KEY.pem --cert CERT.pem > OUT.eml`
//! ([`crate::smime::encrypt_message`], [`crate::smime::decrypt_message`]).
//!
//! Encrypt to every `--to` certificate (include your own so you can read the sent copy):
//! EnvelopedData with AES-256-CBC, or AuthEnvelopedData with AES-256-GCM with `--gcm`;
//! RSA recipients by RSAES-OAEP (never PKCS#1 v1.5: `algorithm_policy`), EC P-256 recipients by
//! ECDH key agreement.

use std::path::PathBuf;

use super::material::{read_cert_files, KeyArgs, ARGS_INVALID};
use super::{io, Outcome};
use crate::domain::{encryption_certificates, DomainEncryption};
use crate::smime::{decrypt_message, encrypt_message, EncryptOptions, KeyTransportPadding};
use crate::{Error, Result};

/// Arguments of `mmhs encrypt`.
#[derive(Debug, clap::Args)]
pub struct EncryptArgs {
    /// The message to encrypt (`-` for stdin).
    pub message: PathBuf,
    /// A recipient certificate (PEM or DER; repeatable): always encrypted to.
    #[arg(long = "to", value_name = "CERT.pem", required_unless_present = "rcpt")]
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
}

/// Arguments of `mmhs decrypt`.
#[derive(Debug, clap::Args)]
pub struct DecryptArgs {
    /// The encrypted message (`-` for stdin).
    pub message: PathBuf,
    #[command(flatten)]
    pub key: KeyArgs,
}

/// Run `mmhs encrypt`.
pub fn encrypt(args: EncryptArgs) -> Result<Outcome> {
    let raw = io::read_input(&args.message, "message")?;
    let mut recipients = read_cert_files(&args.to, "recipient certificate")?;
    if !args.rcpt.is_empty() {
        let mode: DomainEncryption = args
            .domain_encryption
            .parse()
            .map_err(|e: crate::domain::Error| Error::input(ARGS_INVALID, e.to_string()))?;
        let pool = read_cert_files(&args.certs, "certificate")?;
        for c in encryption_certificates(&args.rcpt, &pool, mode, |_| true)? {
            if !recipients.contains(&c) {
                recipients.push(c);
            }
        }
    }
    if recipients.is_empty() {
        return Err(Error::input(
            ARGS_INVALID,
            "no certificate in the --to files",
        ));
    }
    let opts = EncryptOptions {
        gcm: args.gcm,
        compress: args.compress,
        rsa_padding: KeyTransportPadding::Oaep,
        ..EncryptOptions::default()
    };
    let input = if args.protect_headers {
        crate::protect::wrap(&raw)?
    } else {
        raw
    };
    let out = encrypt_message(&input, &recipients, &opts, &mut crate::rng::system_rng())?;
    io::write_stdout(&out)?;
    Ok(Outcome::Success)
}

/// Run `mmhs decrypt`.
pub fn decrypt(args: DecryptArgs) -> Result<Outcome> {
    let raw = io::read_input(&args.message, "message")?;
    let s = args.key.signer("decryption key")?;
    let out = decrypt_message(&raw, &s.key, &s.cert)?;
    io::write_stdout(&out)?;
    Ok(Outcome::Success)
}

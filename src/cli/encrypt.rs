//! `mmhs encrypt IN.eml --to CERT.pem [--to CERT.pem …] [--gcm] [--compress]
//! [--protect-headers] > OUT.eml` and `mmhs decrypt IN.eml --key KEY.pem --cert CERT.pem > OUT.eml`
//! ([`crate::smime::encrypt_message`], [`crate::smime::decrypt_message`]).
//!
//! Encrypt to every `--to` certificate (include your own so you can read the sent copy):
//! EnvelopedData with AES-256-CBC, or AuthEnvelopedData with AES-256-GCM with `--gcm`;
//! RSA recipients by RSAES-OAEP (never PKCS#1 v1.5: `algorithm_policy`), EC P-256 recipients by
//! ECDH key agreement.

use std::path::PathBuf;

use super::material::{read_cert_files, KeyArgs, ARGS_INVALID};
use super::{io, Outcome};
use crate::smime::{decrypt_message, encrypt_message, EncryptOptions, KeyTransportPadding};
use crate::{Error, Result};

/// Arguments of `mmhs encrypt`.
#[derive(Debug, clap::Args)]
pub struct EncryptArgs {
    /// The message to encrypt (`-` for stdin).
    pub message: PathBuf,
    /// A recipient certificate (PEM or DER; repeatable, at least one).
    #[arg(long = "to", value_name = "CERT.pem", required = true)]
    pub to: Vec<PathBuf>,
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
    let recipients = read_cert_files(&args.to, "recipient certificate")?;
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

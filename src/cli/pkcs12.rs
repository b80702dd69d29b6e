//! `mmhs import-pkcs12 FILE.p12 (--password-file F | --password-env VAR)
//! [--export-password-file F | --export-password-env VAR] [--iterations N]
//! [--key-out KEY.pem] [--cert-out CERT.pem]`
//!
//! Imports a PKCS#12 file ([`crate::keys::import_pkcs12`]: PBES2/AES as OpenSSL 3 writes it,
//! and the legacy 3DES / RC2-40 PBEs of `openssl pkcs12 -legacy`) and re-encrypts the private
//! key as an `ENCRYPTED PRIVATE KEY` PEM (PKCS#8 PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC)
//! under the export password (default: the PKCS#12 password). Prints the same JSON as the
//! wasm `importPkcs12`: `{encryptedPkcs8, certificate, chain, emails, subject}`. The key is
//! never written unencrypted.

use std::path::PathBuf;

use serde::Serialize;

use super::material::{PasswordArgs, ARGS_INVALID};
use super::{io, Outcome};
use crate::keys::{self, KeyBundle, DEFAULT_PBKDF2_ITERATIONS};
use crate::{Error, Result};

/// Arguments of `mmhs import-pkcs12`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The PKCS#12 file (.p12 / .pfx).
    pub file: PathBuf,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// Read the export password from this file (default: the PKCS#12 password).
    #[arg(long, value_name = "FILE")]
    pub export_password_file: Option<PathBuf>,
    /// Read the export password from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub export_password_env: Option<String>,
    /// PBKDF2 iterations of the exported key (at least 10000).
    #[arg(long, default_value_t = DEFAULT_PBKDF2_ITERATIONS)]
    pub iterations: u32,
    /// Also write the encrypted key PEM here.
    #[arg(long, value_name = "KEY.pem")]
    pub key_out: Option<PathBuf>,
    /// Also write the certificate and chain PEM here.
    #[arg(long, value_name = "CERT.pem")]
    pub cert_out: Option<PathBuf>,
}

/// What an import yields (JSON; the wasm `importPkcs12` returns the same object).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Imported {
    /// The private key, `ENCRYPTED PRIVATE KEY` PEM.
    pub encrypted_pkcs8: String,
    /// The key's certificate (PEM).
    pub certificate: String,
    /// The other certificates of the file (PEM each).
    pub chain: Vec<String>,
    /// The certificate's e-mail addresses.
    pub emails: Vec<String>,
    /// The certificate's subject (RFC 4514).
    pub subject: String,
}

/// Build the [`Imported`] view of a bundle, encrypting the key.
pub fn imported(bundle: &KeyBundle, export_password: &str, iterations: u32) -> Result<Imported> {
    use der::EncodePem;
    let pem = |c: &x509_cert::Certificate| {
        c.to_pem(der::pem::LineEnding::LF)
            .map_err(|e| keys::Error::CertificateMalformed(e.to_string()))
    };
    Ok(Imported {
        encrypted_pkcs8: keys::export_encrypted_pkcs8_with_iterations(
            &bundle.key,
            export_password,
            iterations,
            &mut crate::rng::system_rng(),
        )?,
        certificate: pem(&bundle.cert)?,
        chain: bundle.chain.iter().map(pem).collect::<Result<_, _>>()?,
        emails: crate::trust::email_addresses(&bundle.cert),
        subject: bundle.cert.tbs_certificate().subject().to_string(),
    })
}

/// Run `mmhs import-pkcs12`.
pub fn run(args: Args) -> Result<Outcome> {
    let der = io::read_input(&args.file, "PKCS#12 file")?;
    let Some(pw) = args.password.get()? else {
        return Err(Error::input(
            ARGS_INVALID,
            "import-pkcs12 needs --password-file FILE or --password-env VAR",
        ));
    };
    let export_pw = PasswordArgs {
        password_file: args.export_password_file.clone(),
        password_env: args.export_password_env.clone(),
    }
    .get()?
    .unwrap_or_else(|| pw.clone());
    let bundle = keys::import_pkcs12(&der, &pw)?;
    let out = imported(&bundle, &export_pw, args.iterations)?;
    if let Some(p) = &args.key_out {
        io::write_file(p, out.encrypted_pkcs8.as_bytes())?;
    }
    if let Some(p) = &args.cert_out {
        let mut all = out.certificate.clone();
        for c in &out.chain {
            all.push_str(c);
        }
        io::write_file(p, all.as_bytes())?;
    }
    io::print_json(&out)?;
    Ok(Outcome::Success)
}

//! `mmhs import-pkcs12 FILE.p12 (--password-file F | --password-env VAR)
//! [--export-password-file F | --export-password-env VAR] [--iterations N]
//! [--json REQUEST.json] [--key-out KEY.pem] [--cert-out CERT.pem]`
//!
//! The export flags build the core's [`ImportPkcs12Request`]; `--json` reads one instead (the
//! object the wasm `importPkcs12` takes, docs/js-api.md), with unknown fields refused
//! (`request-invalid`).
//!
//! Imports a PKCS#12 file ([`crate::keys::import_pkcs12`]: PBES2/AES as OpenSSL 3 writes it,
//! and the legacy 3DES / RC2-40 PBEs of `openssl pkcs12 -legacy`) and re-encrypts the private
//! key as an `ENCRYPTED PRIVATE KEY` PEM (PKCS#8 PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC)
//! under the export password (default: the PKCS#12 password). Prints the same JSON as the
//! wasm `importPkcs12` ([`crate::trust::ImportedKey`]: `{encryptedPkcs8, certificate, chain,
//! emails, subject}`). The key is
//! never written unencrypted.

use std::path::PathBuf;

use super::material::{read_request, PasswordArgs, ARGS_INVALID};
use super::{io, Outcome};
use crate::trust::{import_pkcs12_request, ImportPkcs12Request};
use crate::{Error, Result};

/// Arguments of `mmhs import-pkcs12`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
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
    /// PBKDF2 iterations of the exported key (default 600000, at least 10000).
    #[arg(long)]
    pub iterations: Option<u32>,
    /// The import request as JSON (docs/js-api.md `ImportPkcs12Request`) instead of the
    /// export flags.
    #[arg(long, value_name = "REQUEST.json", conflicts_with_all = ["export_password_file", "export_password_env", "iterations"])]
    pub json: Option<PathBuf>,
    /// Also write the encrypted key PEM here.
    #[arg(long, value_name = "KEY.pem")]
    pub key_out: Option<PathBuf>,
    /// Also write the certificate and chain PEM here.
    #[arg(long, value_name = "CERT.pem")]
    pub cert_out: Option<PathBuf>,
}

/// Run `mmhs import-pkcs12`.
pub(super) fn run(args: Args) -> Result<Outcome> {
    let der = io::read_input(&args.file, "PKCS#12 file")?;
    let Some(pw) = args.password.get()? else {
        return Err(Error::input(
            ARGS_INVALID,
            "import-pkcs12 needs --password-file FILE or --password-env VAR",
        ));
    };
    let req: ImportPkcs12Request = match &args.json {
        Some(path) => read_request(path, "importPkcs12 request")?,
        None => ImportPkcs12Request {
            export_password: PasswordArgs {
                password_file: args.export_password_file.clone(),
                password_env: args.export_password_env.clone(),
            }
            .get()?
            .map(|p| p.to_string()),
            iterations: args.iterations,
        },
    };
    let out = import_pkcs12_request(&der, &pw, &req, &mut crate::rng::system_rng())?;
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

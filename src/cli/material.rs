//! Key, certificate, CRL, policy and JSON inputs shared by the subcommands: the flags
//! `--key/--cert/--chain`, `--p12` with `--password-file`/`--password-env`, `--trust`,
//! `--crl`. Every failure is a typed [`crate::Error`] (exit 2).

use std::path::{Path, PathBuf};

use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::io;
use crate::keys::{self, PrivateKey};
use crate::smime::Signer;
use crate::{Error, Result};

/// A required flag is missing or flags contradict each other.
pub(super) const ARGS_INVALID: &str = "args-invalid";
/// A JSON input file does not have the documented shape.
pub(super) const JSON_INVALID: &str = "json-invalid";
/// A password environment variable is unset or not UTF-8.
pub(super) const PASSWORD_UNAVAILABLE: &str = "password-unavailable";

/// Where a signing/decryption key and its certificate come from.
#[derive(Debug, Clone, Default, clap::Args)]
pub(super) struct KeyArgs {
    /// Private key (PEM: PKCS#8, PKCS#1, SEC1, or ENCRYPTED PRIVATE KEY with a password).
    #[arg(long, value_name = "KEY.pem")]
    pub key: Option<PathBuf>,
    /// The key's certificate (PEM; further CERTIFICATE blocks become the chain).
    #[arg(long, value_name = "CERT.pem")]
    pub cert: Option<PathBuf>,
    /// Further certificates to include (PEM, repeatable).
    #[arg(long, value_name = "CA.pem")]
    pub chain: Vec<PathBuf>,
    /// Key, certificate and chain from a PKCS#12 file instead of --key/--cert.
    #[arg(long, value_name = "FILE.p12")]
    pub p12: Option<PathBuf>,
    #[command(flatten)]
    pub password: PasswordArgs,
}

/// Where a password comes from (never a command-line value: it would show in `ps`).
#[derive(Debug, Clone, Default, clap::Args)]
pub(super) struct PasswordArgs {
    /// Read the password (first line) from this file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Read the password from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
}

impl PasswordArgs {
    /// The password, if one was given.
    pub(super) fn get(&self) -> Result<Option<Zeroizing<String>>> {
        if let Some(path) = &self.password_file {
            let bytes = Zeroizing::new(io::read_input(path, "password file")?);
            let text = std::str::from_utf8(&bytes).map_err(|_| {
                Error::input(JSON_INVALID, format!("{} is not UTF-8", path.display()))
            })?;
            let line = text.lines().next().unwrap_or("");
            return Ok(Some(Zeroizing::new(line.to_string())));
        }
        if let Some(var) = &self.password_env {
            return std::env::var(var)
                .map(|v| Some(Zeroizing::new(v)))
                .map_err(|_| {
                    Error::input(
                        PASSWORD_UNAVAILABLE,
                        format!("environment variable {var} is unset or not UTF-8"),
                    )
                });
        }
        Ok(None)
    }
}

impl KeyArgs {
    /// The signer (key + certificate + chain); `what` names the role in messages.
    pub(super) fn signer(&self, what: &str) -> Result<Signer> {
        let mut chain = Vec::new();
        for p in &self.chain {
            chain.extend(read_certs(p, "chain")?);
        }
        if let Some(p12) = &self.p12 {
            if self.key.is_some() || self.cert.is_some() {
                return Err(Error::input(
                    ARGS_INVALID,
                    "--p12 cannot be combined with --key/--cert",
                ));
            }
            let der = io::read_input(p12, "PKCS#12 file")?;
            let pw = self.password.get()?.unwrap_or_default();
            let bundle = keys::import_pkcs12(&der, &pw)?;
            let mut all = bundle.chain;
            all.extend(chain);
            let s = Signer {
                key: bundle.key,
                cert: bundle.cert,
                chain: all,
            };
            s.check()?;
            return Ok(s);
        }
        let (Some(key), Some(cert)) = (&self.key, &self.cert) else {
            return Err(Error::input(
                ARGS_INVALID,
                format!("the {what} needs --key KEY.pem and --cert CERT.pem (or --p12 FILE)"),
            ));
        };
        let key = read_key(key, &self.password)?;
        let mut certs = read_certs(cert, "certificate")?;
        if certs.is_empty() {
            return Err(keys::Error::NoCertificate.into());
        }
        let first = certs.remove(0);
        certs.extend(chain);
        let s = Signer {
            key,
            cert: first,
            chain: certs,
        };
        s.check()?;
        Ok(s)
    }
}

/// Read a private key file (encrypted PKCS#8 needs a password).
pub(super) fn read_key(path: &Path, password: &PasswordArgs) -> Result<PrivateKey> {
    let bytes = Zeroizing::new(io::read_input(path, "private key")?);
    let pem = std::str::from_utf8(&bytes)
        .map_err(|_| keys::Error::Malformed(format!("{} is not a PEM file", path.display())))?;
    match password.get()? {
        Some(pw) => Ok(keys::import_encrypted_pkcs8(pem, &pw)?),
        None => Ok(PrivateKey::from_pem(pem)?),
    }
}

/// Read every certificate of a PEM (or DER) file.
pub(super) fn read_certs(path: &Path, what: &str) -> Result<Vec<Certificate>> {
    let bytes = io::read_input(path, what)?;
    Ok(keys::certificates_from_der_or_pem(&bytes)?)
}

/// Read and concatenate the certificates of several files.
pub(super) fn read_cert_files(paths: &[PathBuf], what: &str) -> Result<Vec<Certificate>> {
    let mut out = Vec::new();
    for p in paths {
        out.extend(read_certs(p, what)?);
    }
    Ok(out)
}

/// Read CRLs (PEM `X509 CRL` blocks or one DER CRL per file) as DER.
pub(super) fn read_crls(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for p in paths {
        let bytes = io::read_input(p, "CRL")?;
        match std::str::from_utf8(&bytes) {
            Ok(text) if text.contains("-----BEGIN") => out.extend(keys::crls_from_pem(text)?),
            _ => out.push(bytes),
        }
    }
    Ok(out)
}

/// Read an operation's request from a `--json` file: the core's request type, parsed as the
/// wasm facade parses it ([`crate::request::from_json`]: `request-invalid` for an unknown
/// field or a wrong type, `request-too-large`).
pub(super) fn read_request<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T> {
    let bytes = io::read_input(path, what)?;
    Ok(crate::request::from_json(&bytes, what)?)
}

/// Parse a JSON file into `T` (`what` names it in messages).
pub(super) fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T> {
    let bytes = io::read_input(path, what)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::input(JSON_INVALID, format!("{what} {}: {e}", path.display())))
}

//! The request and response of importing a PKCS#12 file (`importPkcs12`,
//! `mmhs import-pkcs12`): the private key re-encrypted as an `ENCRYPTED PRIVATE KEY` PEM
//! (PKCS#8 PBES2, RFC 8018 §6.2: PBKDF2-HMAC-SHA256 + AES-256-CBC) under the export password,
//! the certificates as PEM — the plaintext key never leaves the core. Here rather than in
//! `crate::keys` because the response names the certificate's e-mail addresses
//! ([`super::email_addresses`], RFC 8550 §3) and `keys` sits below `trust`
//! (docs/design.md "Module layers").

use der::EncodePem;
use serde::{Deserialize, Serialize};

use super::email_addresses;
use crate::keys::{
    export_encrypted_pkcs8_with_iterations, import_pkcs12, Error, DEFAULT_PBKDF2_ITERATIONS,
};
use crate::rng::CryptoRng;

/// Options of an import (JSON `ImportPkcs12Request`, all optional).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportPkcs12Request {
    /// Password to encrypt the exported key with; default: the PKCS#12 password.
    #[serde(default)]
    pub export_password: Option<String>,
    /// PBKDF2 iterations of the exported key (default 600000, at least 10000).
    #[serde(default)]
    pub iterations: Option<u32>,
}

impl Drop for ImportPkcs12Request {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.export_password);
    }
}

/// What an import yields (JSON `ImportedKey`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ImportedKey {
    /// The private key, `ENCRYPTED PRIVATE KEY` PEM (use as `KeyUse.encryptedPkcs8`).
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

/// Import a PKCS#12 file opened with `password` and re-encrypt its key as `req` says.
pub fn import_pkcs12_request<R: CryptoRng + ?Sized>(
    der: &[u8],
    password: &str,
    req: &ImportPkcs12Request,
    rng: &mut R,
) -> Result<ImportedKey, Error> {
    let bundle = import_pkcs12(der, password)?;
    let pem = |c: &x509_cert::Certificate| {
        c.to_pem(der::pem::LineEnding::LF)
            .map_err(|e| Error::CertificateMalformed(e.to_string()))
    };
    Ok(ImportedKey {
        encrypted_pkcs8: export_encrypted_pkcs8_with_iterations(
            &bundle.key,
            req.export_password.as_deref().unwrap_or(password),
            req.iterations.unwrap_or(DEFAULT_PBKDF2_ITERATIONS),
            rng,
        )?,
        certificate: pem(&bundle.cert)?,
        chain: bundle.chain.iter().map(pem).collect::<Result<_, _>>()?,
        emails: email_addresses(&bundle.cert),
        subject: super::subject_string(&bundle.cert),
    })
}

//! `KeyUse`: a private key with its certificate as a request carries it — an `ENCRYPTED
//! PRIVATE KEY` PEM (PKCS#8 PBES2, RFC 5958 / RFC 8018) with its password, as
//! `importPkcs12` returns it and the extension stores it, or a plain PEM key — turned into a
//! checked [`Signer`]. Key material and password are zeroized when the request is dropped.

use serde::Deserialize;
use zeroize::Zeroize;

use super::Signer;
use crate::keys::{self, PrivateKey};
use crate::request::invalid;

/// A stored key and its certificate (JSON `{ encryptedPkcs8?, pkcs8?, password?,
/// certificate, chain? }`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyUse {
    /// An `ENCRYPTED PRIVATE KEY` PEM, opened with `password`.
    #[serde(default)]
    pub encrypted_pkcs8: Option<String>,
    /// A plain PEM key (`PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`).
    #[serde(default)]
    pub pkcs8: Option<String>,
    /// The password of `encryptedPkcs8`.
    #[serde(default)]
    pub password: Option<String>,
    /// The key's certificate (PEM; further CERTIFICATE blocks become the chain).
    pub certificate: String,
    /// Further certificates to include (PEM each).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub chain: Vec<String>,
}

impl Drop for KeyUse {
    fn drop(&mut self) {
        self.encrypted_pkcs8.zeroize();
        self.pkcs8.zeroize();
        self.password.zeroize();
    }
}

impl KeyUse {
    /// Decrypt / decode the key and check that it matches the certificate
    /// (`signer-key-invalid` when not).
    pub fn signer(&self) -> Result<Signer, super::Error> {
        let key = match (&self.encrypted_pkcs8, &self.pkcs8) {
            (Some(pem), _) => {
                keys::import_encrypted_pkcs8(pem, self.password.as_deref().unwrap_or(""))?
            }
            (None, Some(pem)) => PrivateKey::from_pem(pem)?,
            (None, None) => {
                return Err(invalid("key", "give encryptedPkcs8 (with password) or pkcs8").into())
            }
        };
        self.signer_with(key)
    }

    /// The stored key's PBKDF2 step for a provider to compute, when it has one
    /// ([`keys::begin_import_encrypted_pkcs8`]): its answer goes to
    /// [`keys::PendingKeyImport::finish`], the key then to [`Self::signer_with`].
    pub fn pending_import(&self) -> Option<keys::PendingKeyImport> {
        self.encrypted_pkcs8
            .as_deref()
            .and_then(keys::begin_import_encrypted_pkcs8)
    }

    /// [`Self::signer`] with the key already opened (by [`Self::pending_import`]): the
    /// certificate and chain read, the key checked against the certificate.
    pub fn signer_with(&self, key: PrivateKey) -> Result<Signer, super::Error> {
        let mut certs = keys::certificates_from_texts(&[self.certificate.as_str()])?;
        if certs.is_empty() {
            return Err(keys::Error::NoCertificate.into());
        }
        let cert = certs.remove(0);
        certs.extend(keys::certificates_from_texts(&self.chain)?);
        let s = Signer {
            key,
            cert,
            chain: certs,
        };
        s.check()?;
        Ok(s)
    }
}

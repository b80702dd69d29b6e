//! Demo PKI generated on first run: a root CA and one S/MIME certificate per demo user
//! (RFC 8550 §4.4: emailProtection EKU, subjectAltName rfc822Name; RFC 5280 profile),
//! all with NIST P-256 keys (ECDSA-with-SHA256 signatures; keyAgreement for ECDH, RFC 5753).
//!
//! The certificates follow the core's one demo/test profile ([`crate::pki`]); this module
//! writes them to disk with the system clock and RNG.
//! Output (PEM, RFC 7468) under `<data>/pki/`:
//! `ca.cert.pem`, and for each user `<address>.cert.pem`, `<address>.key.pem` (unencrypted
//! PKCS#8 — demo material only, file mode 0600), `<address>.chain.pem` (cert + CA) and
//! `<address>.p12` (PKCS#12 with key, certificate and CA, password [`DEMO_P12_PASSWORD`],
//! file mode 0600; [`super::p12`]) — what the extension imports.
//! The CA's private key is not kept. Nothing here is committed: every key is generated on
//! first run from the system RNG.

use std::path::{Path, PathBuf};

use der::EncodePem;
use p256::ecdsa::SigningKey;
use pkcs8::{EncodePrivateKey, LineEnding};
use x509_cert::time::Validity;
use x509_cert::Certificate;

pub use crate::pki::Subject;
use crate::pki::{issue_user, make_ca, PkiError};

use super::Error;

/// The files written for one user.
#[derive(Debug, Clone)]
pub struct UserKeyFiles {
    /// The user's address.
    pub address: String,
    /// Certificate (PEM).
    pub cert: PathBuf,
    /// Private key, unencrypted PKCS#8 PEM.
    pub key: PathBuf,
    /// Certificate followed by the CA certificate (PEM).
    pub chain: PathBuf,
    /// PKCS#12 (key + certificate + CA), password [`DEMO_P12_PASSWORD`].
    pub p12: PathBuf,
}

/// The password of every demo PKCS#12 file (documented in docs/server.md, printed at
/// startup). Demo material only.
pub const DEMO_P12_PASSWORD: &str = "mmhs-demo";

/// The demo PKI on disk.
#[derive(Debug, Clone)]
pub struct DemoPki {
    /// The root CA certificate (PEM): the trust anchor to import.
    pub ca_cert: PathBuf,
    /// Per-user files.
    pub users: Vec<UserKeyFiles>,
}

fn pki_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Pki(format!("{what}: {e}"))
}

impl From<PkiError> for Error {
    fn from(e: PkiError) -> Self {
        Error::Pki(e.0)
    }
}

/// A validity period of `years` from now (the system clock), one hour of skew before.
fn validity(years: u32) -> Result<Validity, Error> {
    Ok(crate::pki::validity(
        time::OffsetDateTime::now_utc(),
        years,
    )?)
}

fn cert_pem(cert: &Certificate) -> Result<String, Error> {
    cert.to_pem(LineEnding::LF).map_err(|e| pki_err("PEM", e))
}

fn write_file(path: &Path, data: &[u8], private: bool) -> Result<(), Error> {
    if private {
        return super::private_file::write_private(path, data);
    }
    std::fs::write(path, data).map_err(|e| Error::Io(format!("{}: {e}", path.display())))
}

/// Paths of the demo PKI under `dir` for the given addresses (whether or not they exist yet).
pub fn paths(dir: &Path, addresses: &[&str]) -> DemoPki {
    DemoPki {
        ca_cert: dir.join("ca.cert.pem"),
        users: addresses
            .iter()
            .map(|a| UserKeyFiles {
                address: a.to_string(),
                cert: dir.join(format!("{a}.cert.pem")),
                key: dir.join(format!("{a}.key.pem")),
                chain: dir.join(format!("{a}.chain.pem")),
                p12: dir.join(format!("{a}.p12")),
            })
            .collect(),
    }
}

/// The core's key type for a P-256 signing key.
pub fn private_key(key: &SigningKey) -> Result<crate::keys::PrivateKey, Error> {
    let der = key.to_pkcs8_der().map_err(|e| pki_err("PKCS#8", e))?;
    crate::keys::PrivateKey::from_pkcs8_der(der.as_bytes()).map_err(|e| pki_err("PKCS#8", e))
}

fn write_p12(
    files: &UserKeyFiles,
    key: &crate::keys::PrivateKey,
    cert: &Certificate,
    ca: &Certificate,
    rng: &mut impl crate::rng::CryptoRng,
) -> Result<(), Error> {
    let der = super::p12::export_pkcs12(
        key,
        cert,
        std::slice::from_ref(ca),
        &files.address,
        DEMO_P12_PASSWORD,
        rng,
    )?;
    write_file(&files.p12, &der, true)
}

/// Write the PKCS#12 files missing from an existing demo PKI (data directories made before
/// PKCS#12 export existed), from the PEM key and certificate files.
fn complete_p12(out: &DemoPki) -> Result<(), Error> {
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| Error::Io(format!("{}: {e}", p.display())))
    };
    let mut rng = crate::rng::system_rng();
    for u in &out.users {
        if u.p12.exists() || !u.key.exists() || !u.cert.exists() {
            continue;
        }
        let key = crate::keys::PrivateKey::from_pem(&read(&u.key)?)
            .map_err(|e| pki_err("demo key", e))?;
        let certs = crate::keys::certificates_from_pem(&read(&u.cert)?)
            .map_err(|e| pki_err("demo certificate", e))?;
        let cas = crate::keys::certificates_from_pem(&read(&out.ca_cert)?)
            .map_err(|e| pki_err("demo CA", e))?;
        let (Some(cert), Some(ca)) = (certs.first(), cas.first()) else {
            continue;
        };
        write_p12(u, &key, cert, ca, &mut rng)?;
    }
    Ok(())
}

/// Create the demo PKI under `dir` if `ca.cert.pem` is not there yet; return its paths and
/// whether it was created now.
pub fn ensure_demo_pki(dir: &Path, subjects: &[Subject<'_>]) -> Result<(DemoPki, bool), Error> {
    let addresses: Vec<&str> = subjects.iter().map(|s| s.address).collect();
    let out = paths(dir, &addresses);
    if out.ca_cert.exists() {
        complete_p12(&out)?;
        return Ok((out, false));
    }
    super::private_file::create_private_dir(dir)?;
    let mut rng = crate::rng::system_rng();
    let (ca_key, ca_cert) = make_ca(
        &mut rng,
        "CN=MMHS Demo Root CA,O=MMHS Demo,C=GB",
        validity(10)?,
    )?;
    let ca_pem = cert_pem(&ca_cert)?;
    for (subject, files) in subjects.iter().zip(&out.users) {
        let (key, cert) = issue_user(&mut rng, &ca_key, &ca_cert, subject, validity(5)?)?;
        let pem = cert_pem(&cert)?;
        let key_pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| pki_err("PKCS#8", e))?;
        write_file(&files.key, key_pem.as_bytes(), true)?;
        write_file(&files.cert, pem.as_bytes(), false)?;
        write_file(&files.chain, format!("{pem}{ca_pem}").as_bytes(), false)?;
        write_p12(files, &private_key(&key)?, &cert, &ca_cert, &mut rng)?;
    }
    // The CA key is not kept: the demo CA issues these certificates once and never again.
    write_file(&out.ca_cert, ca_pem.as_bytes(), false)?;
    Ok((out, true))
}

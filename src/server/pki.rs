//! Demo PKI generated on first run: a root CA and one S/MIME certificate per demo user
//! (RFC 8550 §4.4: emailProtection EKU, subjectAltName rfc822Name; RFC 5280 profile),
//! all with NIST P-256 keys (ECDSA-with-SHA256 signatures; keyAgreement for ECDH, RFC 5753).
//!
//! Generated in Rust with the `x509-cert` builder, so `mmhs serve` needs no openssl binary.
//! Output (PEM, RFC 7468) under `<data>/pki/`:
//! `ca.cert.pem`, and for each user `<address>.cert.pem`, `<address>.key.pem` (unencrypted
//! PKCS#8 — demo material only, file mode 0600), `<address>.chain.pem` (cert + CA) and
//! `<address>.p12` (PKCS#12 with key, certificate and CA, password [`DEMO_P12_PASSWORD`],
//! file mode 0600; [`crate::keys::export_pkcs12`]) — what the extension imports.
//! The CA's private key is not kept. Nothing here is committed: every key is generated on
//! first run from the system RNG.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use der::asn1::Ia5String;
use der::EncodePem;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::elliptic_curve::Generate;
use pkcs8::{EncodePrivateKey, LineEnding};
use spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

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

/// A demo user to certify: address and display name.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// rfc822 address (goes into subjectAltName and the emailAddress-free subject CN).
    pub address: &'a str,
    /// Common name.
    pub name: &'a str,
    /// Organisation (O=).
    pub org: &'a str,
}

/// S/MIME end-entity profile (RFC 8550 §4.4.2, §4.4.4): not a CA; digitalSignature,
/// nonRepudiation and keyAgreement; EKU emailProtection; SAN rfc822Name; SKI and AKI.
struct SmimeLeaf {
    issuer: Name,
    subject: Name,
    address: String,
}

fn ext_err(e: der::Error) -> x509_cert::builder::Error {
    x509_cert::builder::Error::Asn1(e)
}

impl BuilderProfile for SmimeLeaf {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }
    fn get_subject(&self) -> Name {
        self.subject.clone()
    }
    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut exts: Vec<Extension> = Vec::new();
        let ski = SubjectKeyIdentifier::try_from(spk)?;
        let issuer_ski = SubjectKeyIdentifier::try_from(issuer_spk)?;
        exts.push(
            AuthorityKeyIdentifier {
                key_identifier: Some(issuer_ski.0.clone()),
                ..Default::default()
            }
            .to_extension(tbs.subject(), &exts)?,
        );
        exts.push(ski.to_extension(tbs.subject(), &exts)?);
        exts.push(
            BasicConstraints {
                ca: false,
                path_len_constraint: None,
            }
            .to_extension(tbs.subject(), &exts)?,
        );
        exts.push(
            KeyUsage(
                KeyUsages::DigitalSignature | KeyUsages::NonRepudiation | KeyUsages::KeyAgreement,
            )
            .to_extension(tbs.subject(), &exts)?,
        );
        exts.push(
            ExtendedKeyUsage(vec![const_oid::db::rfc5280::ID_KP_EMAIL_PROTECTION])
                .to_extension(tbs.subject(), &exts)?,
        );
        let email = Ia5String::new(&self.address).map_err(ext_err)?;
        exts.push(
            SubjectAltName(vec![GeneralName::Rfc822Name(email)])
                .to_extension(tbs.subject(), &exts)?,
        );
        Ok(exts)
    }
}

fn pki_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Pki(format!("{what}: {e}"))
}

fn validity(years: u64) -> Result<Validity, Error> {
    let now = SystemTime::now();
    let start = now.checked_sub(Duration::from_secs(3600)).unwrap_or(now);
    let end = now + Duration::from_secs(years * 365 * 86400);
    Ok(Validity::new(
        Time::try_from(start).map_err(|e| pki_err("validity", e))?,
        Time::try_from(end).map_err(|e| pki_err("validity", e))?,
    ))
}

fn serial(rng: &mut impl crate::rng::CryptoRng) -> Result<SerialNumber, Error> {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[0] &= 0x7f; // positive
    b[0] |= 0x01; // non-zero leading byte: minimal DER encoding
    SerialNumber::new(&b).map_err(|e| pki_err("serial", e))
}

fn spki_of(key: &SigningKey) -> Result<SubjectPublicKeyInfoOwned, Error> {
    SubjectPublicKeyInfoOwned::from_key(key.verifying_key()).map_err(|e| pki_err("spki", e))
}

/// Create the root CA (self-signed, cabf Root profile: basicConstraints CA, keyCertSign+cRLSign).
pub fn make_ca(
    rng: &mut impl crate::rng::CryptoRng,
    subject: &str,
) -> Result<(SigningKey, Certificate), Error> {
    let key = SigningKey::generate_from_rng(rng);
    let name = Name::from_str(subject).map_err(|e| pki_err("CA name", e))?;
    let profile = x509_cert::builder::profile::cabf::Root::new(false, name)
        .map_err(|e| pki_err("CA profile", e))?;
    let builder = CertificateBuilder::new(profile, serial(rng)?, validity(10)?, spki_of(&key)?)
        .map_err(|e| pki_err("CA builder", e))?;
    let cert = builder
        .build::<_, DerSignature>(&key)
        .map_err(|e| pki_err("CA signing", e))?;
    Ok((key, cert))
}

/// Issue an S/MIME certificate for `subject` signed by the CA.
pub fn issue_user(
    rng: &mut impl crate::rng::CryptoRng,
    ca_key: &SigningKey,
    ca_cert: &Certificate,
    subject: &Subject<'_>,
) -> Result<(SigningKey, Certificate), Error> {
    let key = SigningKey::generate_from_rng(rng);
    let name = Name::from_str(&format!(
        "CN={},O={},C=GB",
        escape_rdn(subject.name),
        escape_rdn(subject.org)
    ))
    .map_err(|e| pki_err("user name", e))?;
    let profile = SmimeLeaf {
        issuer: ca_cert.tbs_certificate().subject().clone(),
        subject: name,
        address: subject.address.to_string(),
    };
    let builder = CertificateBuilder::new(profile, serial(rng)?, validity(5)?, spki_of(&key)?)
        .map_err(|e| pki_err("user builder", e))?;
    let cert = builder
        .build::<_, DerSignature>(ca_key)
        .map_err(|e| pki_err("user signing", e))?;
    Ok((key, cert))
}

fn escape_rdn(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .flat_map(|c| {
            if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
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
    let der = crate::keys::export_pkcs12(
        key,
        cert,
        std::slice::from_ref(ca),
        &files.address,
        DEMO_P12_PASSWORD,
        rng,
    )
    .map_err(|e| pki_err("PKCS#12", e))?;
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
    let (ca_key, ca_cert) = make_ca(&mut rng, "CN=MMHS Demo Root CA,O=MMHS Demo,C=GB")?;
    let ca_pem = cert_pem(&ca_cert)?;
    for (subject, files) in subjects.iter().zip(&out.users) {
        let (key, cert) = issue_user(&mut rng, &ca_key, &ca_cert, subject)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;
    use x509_cert::ext::pkix::SubjectAltName;

    #[test]
    fn issues_smime_cert_with_eku_and_san() {
        let mut rng = crate::rng::system_rng();
        let (ca_key, ca) = make_ca(&mut rng, "CN=Test CA,O=Test,C=GB").unwrap();
        let (_k, cert) = issue_user(
            &mut rng,
            &ca_key,
            &ca,
            &Subject {
                address: "alice@army.example",
                name: "Alice",
                org: "Army",
            },
        )
        .unwrap();
        let der = der::Encode::to_der(&cert).unwrap();
        let cert = Certificate::from_der(&der).unwrap();
        let exts = cert.tbs_certificate().extensions().unwrap();
        let san = exts
            .iter()
            .find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME)
            .unwrap();
        let san = SubjectAltName::from_der(san.extn_value.as_bytes()).unwrap();
        assert!(
            matches!(&san.0[0], GeneralName::Rfc822Name(s) if s.as_str() == "alice@army.example")
        );
        assert!(exts
            .iter()
            .any(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE));
        assert_eq!(
            cert.tbs_certificate().issuer(),
            ca.tbs_certificate().subject()
        );
    }
}

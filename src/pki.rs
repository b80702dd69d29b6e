//! The demo and test certificate profile: a root CA and S/MIME end-entity certificates
//! (RFC 8550 §4.4: emailProtection EKU, subjectAltName rfc822Name; RFC 5280 profile), all with
//! NIST P-256 keys (ECDSA-with-SHA256 signatures, RFC 5758 §3.2; keyAgreement for ECDH,
//! RFC 5753). The one profile `mmhs serve`'s demo PKI, the tests and the benchmarks issue.
//!
//! Made with the `x509-cert` builder, so nothing needs an openssl binary. Sans-I/O like the
//! rest of the core: the random number generator and the validity period are parameters
//! ([`validity`] makes one from a start time), so the same code runs natively and on wasm32.
//! Demo and test material only: nothing here keeps or protects a key.

use std::str::FromStr;

use der::asn1::Ia5String;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::elliptic_curve::Generate;
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

use crate::rng::CryptoRng;

/// A certificate that cannot be made; the message says which step failed and why. Callers
/// give it their own code (`mmhs serve`: `server-pki`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PkiError(pub String);

fn pki_err(what: &str, e: impl std::fmt::Display) -> PkiError {
    PkiError(format!("{what}: {e}"))
}

/// A user to certify: address and display name.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// rfc822 address (goes into subjectAltName; the subject DN has no emailAddress).
    pub address: &'a str,
    /// Common name.
    pub name: &'a str,
    /// Organisation (O=).
    pub org: &'a str,
}

/// S/MIME end-entity profile (RFC 8550 §4.4.2, §4.4.4): not a CA; digitalSignature,
/// nonRepudiation and keyAgreement; EKU emailProtection; SAN rfc822Name; SKI and AKI
/// (RFC 5280 §4.2.1.1, §4.2.1.2).
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

fn x509_time(t: time::OffsetDateTime) -> Result<Time, PkiError> {
    let secs = u64::try_from(t.unix_timestamp())
        .map_err(|_| PkiError(format!("validity: {t} is before 1970")))?;
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(|e| pki_err("validity", e))?;
    // UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
    Ok(Time::from(dt))
}

/// A validity period from one hour before `start` (clock skew between machines) to `years`
/// 365-day years after it.
pub fn validity(start: time::OffsetDateTime, years: u32) -> Result<Validity, PkiError> {
    let not_before = start - time::Duration::hours(1);
    let not_after = start + time::Duration::days(365 * i64::from(years));
    Ok(Validity::new(x509_time(not_before)?, x509_time(not_after)?))
}

fn serial(rng: &mut (impl CryptoRng + ?Sized)) -> Result<SerialNumber, PkiError> {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[0] &= 0x7f; // positive
    b[0] |= 0x01; // non-zero leading byte: minimal DER encoding
    SerialNumber::new(&b).map_err(|e| pki_err("serial", e))
}

fn spki_of(key: &SigningKey) -> Result<SubjectPublicKeyInfoOwned, PkiError> {
    SubjectPublicKeyInfoOwned::from_key(key.verifying_key()).map_err(|e| pki_err("spki", e))
}

/// Create a root CA named `subject` (an RFC 4514 string), self-signed, with the CA/Browser
/// Forum root profile (basicConstraints CA, keyCertSign and cRLSign), valid for `validity`.
pub fn make_ca(
    rng: &mut (impl CryptoRng + ?Sized),
    subject: &str,
    validity: Validity,
) -> Result<(SigningKey, Certificate), PkiError> {
    let key = SigningKey::generate_from_rng(rng);
    let name = Name::from_str(subject).map_err(|e| pki_err("CA name", e))?;
    let profile = x509_cert::builder::profile::cabf::Root::new(false, name)
        .map_err(|e| pki_err("CA profile", e))?;
    let builder = CertificateBuilder::new(profile, serial(rng)?, validity, spki_of(&key)?)
        .map_err(|e| pki_err("CA builder", e))?;
    let cert = builder
        .build::<_, DerSignature>(&key)
        .map_err(|e| pki_err("CA signing", e))?;
    Ok((key, cert))
}

/// Issue an S/MIME certificate for `subject` (subject DN `CN=<name>,O=<org>,C=GB`) signed
/// by the CA, valid for `validity`.
pub fn issue_user(
    rng: &mut (impl CryptoRng + ?Sized),
    ca_key: &SigningKey,
    ca_cert: &Certificate,
    subject: &Subject<'_>,
    validity: Validity,
) -> Result<(SigningKey, Certificate), PkiError> {
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
    let builder = CertificateBuilder::new(profile, serial(rng)?, validity, spki_of(&key)?)
        .map_err(|e| pki_err("user builder", e))?;
    let cert = builder
        .build::<_, DerSignature>(ca_key)
        .map_err(|e| pki_err("user signing", e))?;
    Ok((key, cert))
}

/// Escape the RFC 4514 §2.4 special characters of an attribute value; control characters
/// are dropped.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::danger::SeededRng;
    use der::Decode;
    use time::macros::datetime;

    fn at() -> time::OffsetDateTime {
        datetime!(2030-01-01 00:00 UTC)
    }

    #[test]
    fn issues_smime_cert_with_eku_and_san() {
        let mut rng = SeededRng::new(1);
        let v = || validity(at(), 5).unwrap();
        let (ca_key, ca) = make_ca(&mut rng, "CN=Test CA,O=Test,C=GB", v()).unwrap();
        let (_k, cert) = issue_user(
            &mut rng,
            &ca_key,
            &ca,
            &Subject {
                address: "alice@army.example",
                name: "Alice",
                org: "Army",
            },
            v(),
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
        assert_eq!(
            crate::trust::email_addresses(&cert),
            vec!["alice@army.example".to_string()]
        );
    }

    #[test]
    fn validity_is_the_injected_period() {
        let v = validity(at(), 10).unwrap();
        let secs = |t: Time| i64::try_from(t.to_unix_duration().as_secs()).unwrap();
        assert_eq!(secs(v.not_before), at().unix_timestamp() - 3600);
        assert_eq!(secs(v.not_after), at().unix_timestamp() + 10 * 365 * 86400);
        // After 2049 the time is a GeneralizedTime (RFC 5280 §4.1.2.5).
        let late = validity(at(), 30).unwrap();
        assert!(matches!(late.not_after, Time::GeneralTime(_)));
        assert!(matches!(late.not_before, Time::UtcTime(_)));
    }

    #[test]
    fn refuses_what_it_cannot_encode() {
        let mut rng = SeededRng::new(2);
        let v = validity(at(), 1).unwrap();
        let e = make_ca(&mut rng, "not a distinguished name", v).unwrap_err();
        assert!(e.0.starts_with("CA name: "), "{e}");
        let before_1970 = datetime!(1960-01-01 00:00 UTC);
        assert!(validity(before_1970, 1).is_err());
        // An address that is not IA5 (RFC 5280 §4.2.1.6: rfc822Name is an IA5String).
        let (ca_key, ca) = make_ca(&mut rng, "CN=CA,O=Test,C=GB", v).unwrap();
        let s = Subject {
            address: "älice@army.example",
            name: "Alice",
            org: "Army",
        };
        assert!(issue_user(&mut rng, &ca_key, &ca, &s, v).is_err());
    }
}

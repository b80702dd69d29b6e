//! What a user is shown about a certificate before trusting it or encrypting to it: subject
//! and issuer (RFC 4514 strings), serial number, validity (RFC 5280 §4.1.2.2–§4.1.2.5), the
//! e-mail addresses it is issued to (RFC 8550 §3, [`super::email_addresses`]) and the SHA-256
//! fingerprint of its DER encoding (what identifies a trust anchor to a person comparing it
//! out of band).
//!
//! Inspection only: nothing here validates the certificate (that is [`super::validate`], at
//! the time and against the anchors of each use), and the addresses are a lookup key for the
//! correspondents' list, never a proof of identity.

use der::Encode;
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::keys::{certificates_from_der_or_pem, Error};

/// At most this many certificates are inspected from one input (a bundle pasted into the
/// settings page); more is refused as `certificate-malformed`.
pub const MAX_INSPECTED_CERTIFICATES: usize = 256;

/// The shown facts of one certificate. JSON (camelCase) is the wasm `certificateInfo` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CertificateInfo {
    /// The subject as an RFC 4514 string, most specific RDN first (`CN=…,O=…`).
    pub subject: String,
    /// The issuer, in the same form.
    pub issuer: String,
    /// The serial number, upper-case hex of its DER content octets.
    pub serial_number: String,
    /// notBefore, RFC 3339 (UTC).
    pub not_before: String,
    /// notAfter, RFC 3339 (UTC).
    pub not_after: String,
    /// subjectAltName rfc822Name entries, then the subject's emailAddress attributes; domain
    /// lower-cased, duplicates removed ([`super::email_addresses`]).
    pub email_addresses: Vec<String>,
    /// SHA-256 of the certificate's DER, colon-separated upper-case hex (`AB:CD:…`).
    pub sha256_fingerprint: String,
    /// The certificate re-encoded as one RFC 7468 `CERTIFICATE` block (LF line ends): what
    /// a caller stores, so that a certificate pasted again, wrapped differently, is the same
    /// text.
    pub pem: String,
}

/// Inspect every certificate of `input` (PEM text with one or more `CERTIFICATE` blocks, or
/// one DER certificate), in order. A block that is not a certificate, or no certificate at
/// all, is an error (`certificate-malformed`, `certificate-missing`).
pub fn certificate_info(input: &[u8]) -> Result<Vec<CertificateInfo>, Error> {
    let certs = certificates_from_der_or_pem(input)?;
    if certs.len() > MAX_INSPECTED_CERTIFICATES {
        return Err(Error::CertificateMalformed(format!(
            "{} certificates; at most {MAX_INSPECTED_CERTIFICATES} are inspected at once",
            certs.len()
        )));
    }
    certs.iter().map(info).collect()
}

/// The facts of one parsed certificate.
pub fn info(cert: &Certificate) -> Result<CertificateInfo, Error> {
    let der = cert
        .to_der()
        .map_err(|e| Error::CertificateMalformed(format!("cannot re-encode: {e}")))?;
    let tbs = cert.tbs_certificate();
    let validity = tbs.validity();
    // der's DateTime prints `YYYY-MM-DDThh:mm:ssZ` (RFC 3339, UTC); both UTCTime and
    // GeneralizedTime decode to it (RFC 5280 §4.1.2.5).
    let time = |t: &x509_cert::time::Time| t.to_date_time().to_string();
    Ok(CertificateInfo {
        subject: super::subject_string(cert),
        issuer: super::name_string(tbs.issuer()),
        serial_number: hex(tbs.serial_number().as_bytes(), ""),
        not_before: time(&validity.not_before),
        not_after: time(&validity.not_after),
        email_addresses: super::email_addresses(cert),
        sha256_fingerprint: hex(&Sha256::digest(&der), ":"),
        pem: crate::keys::certificate_pem_from_der(&der)?,
    })
}

fn hex(bytes: &[u8], sep: &str) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Coded;

    // RFC 9216 sample certificates (tests/vectors/rfc9216-certs, see its PROVENANCE.md);
    // expected values as `openssl x509 -noout -subject -issuer -serial -dates -fingerprint
    // -sha256 -nameopt RFC2253` prints them.
    const RSA_CA: &str = include_str!(
        "../../tests/vectors/rfc9216-certs/Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem"
    );
    const ED_CA: &str = include_str!(
        "../../tests/vectors/rfc9216-certs/Sample_LAMPS_Ed25519_Certification_Authority.selfsigned.pem"
    );
    const ALICE: &str =
        include_str!("../../tests/vectors/rfc9216-certs/alice@smime.example.sig.pem");
    const BOB: &str = include_str!("../../tests/vectors/rfc9216-certs/bob@smime.example.enc.pem");

    fn one(pem: &str) -> CertificateInfo {
        let mut v = certificate_info(pem.as_bytes()).unwrap();
        assert_eq!(v.len(), 1);
        v.remove(0)
    }

    #[test]
    fn shows_what_openssl_shows() {
        let ca = one(RSA_CA);
        assert_eq!(
            ca.subject,
            "CN=Sample LAMPS RSA Certification Authority,OU=LAMPS WG,O=IETF"
        );
        assert_eq!(ca.issuer, ca.subject);
        assert_eq!(ca.serial_number, "7019F4C5BFF375A782425AA9EB265400665408");
        assert_eq!(ca.not_before, "2019-11-20T06:54:18Z");
        assert_eq!(ca.not_after, "2052-09-27T06:54:18Z");
        assert_eq!(
            ca.sha256_fingerprint,
            "6C:F3:0F:FD:F2:9B:E9:01:35:BB:5E:2D:0A:A8:B4:F2:D7:B0:96:0E:94:18:6C:F6:51:13:B3:89:2A:30:F7:C1"
        );
        assert!(ca.email_addresses.is_empty(), "a CA has no e-mail address");

        let alice = one(ALICE);
        assert_eq!(alice.subject, "CN=Alice Lovelace,OU=LAMPS WG,O=IETF");
        assert_eq!(alice.issuer, ca.subject);
        assert_eq!(alice.email_addresses, vec!["alice@smime.example"]);
        assert_eq!(
            alice.sha256_fingerprint,
            "61:23:7C:07:02:84:DC:EF:14:EB:B5:A0:5B:0E:89:50:D4:27:EE:46:04:1C:DB:48:91:46:83:30:C1:34:75:A6"
        );
        assert_eq!(one(BOB).email_addresses, vec!["bob@smime.example"]);

        let ed = one(ED_CA);
        assert_eq!(
            ed.subject,
            "CN=Sample LAMPS Ed25519 Certification Authority,OU=LAMPS WG,O=IETF"
        );
        assert_eq!(
            ed.sha256_fingerprint,
            "74:8F:B6:4E:B1:2F:8C:63:C5:97:10:F3:3B:42:22:00:A4:00:56:46:6E:79:00:0D:5C:D8:B0:81:7C:11:88:0F"
        );
    }

    #[test]
    fn bundles_der_and_rewrapped_pem() {
        let both = format!("{RSA_CA}\n{ALICE}");
        let v = certificate_info(both.as_bytes()).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].email_addresses, vec!["alice@smime.example"]);
        // the fingerprint is over the DER: CRLF line ends do not change it
        let crlf = RSA_CA.replace('\n', "\r\n");
        assert_eq!(one(&crlf), v[0]);
        assert_eq!(
            one(&v[0].pem),
            v[0],
            "the PEM it gives is read back the same"
        );
        assert!(v[0].pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        let der = crate::keys::certificates_from_pem(RSA_CA).unwrap()[0]
            .to_der()
            .unwrap();
        assert_eq!(certificate_info(&der).unwrap(), vec![v[0].clone()]);
    }

    #[test]
    fn refuses_what_is_not_a_certificate() {
        for (input, code) in [
            ("nothing", "certificate-missing"),
            ("", "certificate-missing"),
            (
                "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
                "certificate-malformed",
            ),
            (
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "certificate-malformed",
            ),
            (
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                "certificate-malformed",
            ),
        ] {
            let e = certificate_info(input.as_bytes()).unwrap_err();
            assert_eq!(e.code(), code, "{input:?}");
        }
        // truncated DER
        let der = crate::keys::certificates_from_pem(ALICE).unwrap()[0]
            .to_der()
            .unwrap();
        let cut = &der[..der.len() / 2];
        assert_eq!(
            certificate_info(cut).unwrap_err().code(),
            "certificate-malformed"
        );
        // bounded: a bundle larger than the limit is refused, not inspected
        let many = ALICE.repeat(MAX_INSPECTED_CERTIFICATES + 1);
        assert_eq!(
            certificate_info(many.as_bytes()).unwrap_err().code(),
            "certificate-malformed"
        );
    }
}

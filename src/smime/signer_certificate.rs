//! Resolving a SignerIdentifier to the one certificate it names (RFC 5652 §5.3, §10.2.4).
//!
//! ```text
//! SignerIdentifier ::= CHOICE {
//!   issuerAndSerialNumber IssuerAndSerialNumber,
//!   subjectKeyIdentifier [0] SubjectKeyIdentifier }
//! ```
//!
//! The certificate a (counter)signature is verified with is the one its SignerIdentifier
//! names, and nothing else: never a certificate found by e-mail address or subject name.
//! Every later judgement (trust, the signer's addresses, authorizations) uses that same
//! certificate. When several *different* certificates match one identifier — a second
//! certificate with the same issuer and serial number, or with the same subjectKeyIdentifier
//! (anyone can put any SKI in a self-made certificate) — the identifier does not name one
//! certificate and the signature is not attributed to any of them
//! ([`Resolution::Ambiguous`]); the same certificate carried twice is not a collision.
//!
//! The index is built once per SignedData (message certificates plus the caller's), so each
//! lookup is an ordered-map probe (logarithmic whatever the keys, with no hash a sender
//! could make collide): many SignerInfos × many certificates stays near linear.

use std::collections::{BTreeMap, BTreeSet};

use der::Encode;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::Certificate;

use super::signed_parse::SignerId;

/// The certificates of one SignedData (and the caller's), deduplicated and indexed by
/// issuerAndSerialNumber and by subjectKeyIdentifier.
#[derive(Debug, Default)]
pub struct CertIndex<'c> {
    certs: Vec<&'c Certificate>,
    by_issuer_serial: BTreeMap<(Vec<u8>, Vec<u8>), Vec<usize>>,
    by_ski: BTreeMap<Vec<u8>, Vec<usize>>,
}

/// What a SignerIdentifier resolves to.
#[derive(Debug, Clone, Copy)]
pub enum Resolution<'c> {
    /// Exactly one certificate.
    Found(&'c Certificate),
    /// No certificate.
    NotFound,
    /// This many different certificates match: a collision, never a choice.
    Ambiguous(usize),
}

impl<'c> CertIndex<'c> {
    /// Index `certs` (in order; identical certificates — same DER — are kept once).
    pub fn new<I: IntoIterator<Item = &'c Certificate>>(certs: I) -> Self {
        let mut idx = CertIndex::default();
        let mut seen: BTreeSet<Vec<u8>> = BTreeSet::new();
        for c in certs {
            let Ok(der) = crate::keys::certificate_der(c) else {
                continue;
            };
            if seen.contains(&der) {
                continue;
            }
            let i = idx.certs.len();
            idx.certs.push(c);
            let tbs = c.tbs_certificate();
            // The issuer's DER as it lies in the certificate's: the octets `to_der` gives.
            let issuer = crate::keys::issuer_octets(&der)
                .map(<[u8]>::to_vec)
                .or_else(|| tbs.issuer().to_der().ok());
            if let Some(issuer) = issuer {
                let serial = tbs.serial_number().as_bytes().to_vec();
                idx.by_issuer_serial
                    .entry((issuer, serial))
                    .or_default()
                    .push(i);
            }
            seen.insert(der);
            if let Ok(Some((_, ski))) = tbs.get_extension::<SubjectKeyIdentifier>() {
                idx.by_ski
                    .entry(ski.0.as_bytes().to_vec())
                    .or_default()
                    .push(i);
            }
        }
        idx
    }

    /// The distinct certificates, in first-seen order.
    pub fn certificates(&self) -> &[&'c Certificate] {
        &self.certs
    }

    /// The certificate `sid` names.
    pub fn resolve(&self, sid: &SignerId) -> Resolution<'c> {
        let hits = match sid {
            SignerId::IssuerSerial(isn) => match isn.issuer.to_der() {
                Ok(issuer) => self
                    .by_issuer_serial
                    .get(&(issuer, isn.serial_number.as_bytes().to_vec())),
                Err(_) => None,
            },
            SignerId::Ski(ski) => self.by_ski.get(ski),
        };
        match hits.map(Vec::as_slice) {
            None | Some([]) => Resolution::NotFound,
            Some([one]) => self
                .certs
                .get(*one)
                .map_or(Resolution::NotFound, |c| Resolution::Found(c)),
            Some(many) => Resolution::Ambiguous(many.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::der::{constructed, primitive};
    use der::Decode;

    #[test]
    fn issuer_octets_are_the_issuers_der() {
        // A version 3 certificate (RFC 9216 sample, tests/vectors/rfc9216-certs).
        let pem = include_str!("../../tests/vectors/rfc9216-certs/alice@smime.example.sig.pem");
        let der = crate::keys::certificates_from_der_or_pem(pem.as_bytes())
            .unwrap()
            .remove(0)
            .to_der()
            .unwrap();
        let cert = Certificate::from_der(&der).unwrap();
        assert_eq!(
            crate::keys::issuer_octets(&der),
            Some(cert.tbs_certificate().issuer().to_der().unwrap().as_slice())
        );
        // Without the version field (version 1): the third field.
        let issuer = constructed(0x30, &[&constructed(0x31, &[&primitive(0x0c, b"x")])]);
        let tbs = constructed(
            0x30,
            &[
                &primitive(0x02, &[7]),
                &constructed(0x30, &[]),
                &issuer,
                &[0x30, 0],
            ],
        );
        let v1 = constructed(
            0x30,
            &[&tbs, &constructed(0x30, &[]), &primitive(0x03, &[0])],
        );
        assert_eq!(crate::keys::issuer_octets(&v1), Some(issuer.as_slice()));
        // With it, the fourth; a truncated TBSCertificate has none.
        let version = constructed(0xa0, &[&primitive(0x02, &[2])]);
        let tbs = constructed(
            0x30,
            &[
                &version,
                &primitive(0x02, &[7]),
                &constructed(0x30, &[]),
                &issuer,
            ],
        );
        assert_eq!(
            crate::keys::issuer_octets(&constructed(0x30, &[&tbs])),
            Some(issuer.as_slice())
        );
        let short = constructed(0x30, &[&version, &primitive(0x02, &[7])]);
        assert_eq!(
            crate::keys::issuer_octets(&constructed(0x30, &[&short])),
            None
        );
        assert_eq!(crate::keys::issuer_octets(b"\x30"), None);
    }
}

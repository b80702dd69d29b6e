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
            if !seen.insert(der) {
                continue;
            }
            let i = idx.certs.len();
            idx.certs.push(c);
            let tbs = c.tbs_certificate();
            if let Ok(issuer) = tbs.issuer().to_der() {
                let serial = tbs.serial_number().as_bytes().to_vec();
                idx.by_issuer_serial
                    .entry((issuer, serial))
                    .or_default()
                    .push(i);
            }
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

//! The certificate pool a path is built from: the trust anchors and every other certificate
//! known (the message's, the caller's intermediates), each encoded to DER once, without
//! duplicates, and indexed by subject name so that finding the issuer candidates of a
//! certificate (RFC 4158 §2.4, "forward" building) is one lookup instead of a scan.
//!
//! Name matching is RFC 5280 §7.1 ([`names_match`]: attribute values equal octet for octet,
//! or equal once case and insignificant white space are ignored). The
//! index key ([`name_key`]) keeps, per attribute, its type and the lower-cased letters and
//! digits of its value: every pair of names [`names_match`] matches has the same key, so a lookup finds
//! a superset of the matching subjects, which `names_match` then confirms.

use std::collections::{BTreeMap, BTreeSet};

use super::name_match::names_match;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, SubjectKeyIdentifier};
use x509_cert::name::Name;
use x509_cert::Certificate;

/// How many certificates' key identifiers [`Node::new`] keeps (per thread).
const REMEMBERED_KEY_IDENTIFIERS: usize = 32;

/// A certificate's (authorityKeyIdentifier keyIdentifier, subjectKeyIdentifier).
type KeyIdentifiers = (Option<Vec<u8>>, Option<Vec<u8>>);

std::thread_local! {
    static KEY_IDENTIFIERS: std::cell::RefCell<crate::memo::Memo<Vec<u8>, KeyIdentifiers>> =
        const { std::cell::RefCell::new(crate::memo::Memo::new(REMEMBERED_KEY_IDENTIFIERS)) };
}

/// `cert`'s authorityKeyIdentifier keyIdentifier and subjectKeyIdentifier, when present
/// (RFC 5280 §4.2.1.1, §4.2.1.2).
fn key_identifiers(cert: &Certificate) -> KeyIdentifiers {
    let tbs = cert.tbs_certificate();
    let aki = tbs
        .get_extension::<AuthorityKeyIdentifier>()
        .ok()
        .flatten()
        .and_then(|(_, a)| a.key_identifier)
        .map(|k| k.as_bytes().to_vec());
    let ski = tbs
        .get_extension::<SubjectKeyIdentifier>()
        .ok()
        .flatten()
        .map(|(_, s)| s.0.as_bytes().to_vec());
    (aki, ski)
}

/// One certificate of the pool with what path building reads from it, decoded once.
pub(super) struct Node<'a> {
    /// The certificate.
    pub cert: &'a Certificate,
    /// Its DER encoding.
    pub der: Vec<u8>,
    /// authorityKeyIdentifier keyIdentifier, when present.
    aki: Option<Vec<u8>>,
    /// subjectKeyIdentifier, when present.
    ski: Option<Vec<u8>>,
}

impl<'a> Node<'a> {
    /// Decode what building needs; `None` when the certificate cannot be encoded.
    pub(super) fn new(cert: &'a Certificate) -> Option<Self> {
        let der = crate::keys::certificate_der(cert).ok()?;
        // The same certificates make up every pool of a user's verifications (the trust
        // anchors, a correspondent's certificate and CA), so their key identifiers are kept
        // by the DER they are read from.
        let Ok((aki, ski)) = crate::memo::decoded(&KEY_IDENTIFIERS, &der, |_| {
            Ok::<_, std::convert::Infallible>(key_identifiers(cert))
        });
        Some(Node {
            cert,
            der,
            aki,
            ski,
        })
    }

    /// Whether `issuer` may have issued this certificate: name chaining (RFC 5280 §6.1.3
    /// (a)(4)) plus authorityKeyIdentifier / subjectKeyIdentifier agreement when both are
    /// present (RFC 5280 §4.2.1.1).
    pub(super) fn issued_by(&self, issuer: &Node<'_>) -> bool {
        if !names_match(
            self.cert.tbs_certificate().issuer(),
            issuer.cert.tbs_certificate().subject(),
        ) {
            return false;
        }
        match (&self.aki, &issuer.ski) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        }
    }

    /// Whether this certificate's authorityKeyIdentifier is present and is `issuer`'s
    /// subjectKeyIdentifier.
    pub(super) fn key_id_matches(&self, issuer: &Node<'_>) -> bool {
        self.aki.is_some() && self.aki == issuer.ski
    }

    /// Whether both certificates have the same subject name and public key: one of them in
    /// a path makes the other a repetition (RFC 4158 §2.4.1), never a new issuer.
    pub(super) fn same_entity(&self, other: &Node<'_>) -> bool {
        let (a, b) = (self.cert.tbs_certificate(), other.cert.tbs_certificate());
        a.subject_public_key_info() == b.subject_public_key_info()
            && names_match(a.subject(), b.subject())
    }
}

/// An issuer candidate: a trust anchor or a pool certificate, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Issuer {
    /// Index into [`Pool::anchors`].
    Anchor(usize),
    /// Index into [`Pool::certs`].
    Cert(usize),
}

/// Anchors and the other certificates, deduplicated and indexed by subject name.
pub(super) struct Pool<'a> {
    /// The trust anchors, in the caller's order.
    pub anchors: Vec<Node<'a>>,
    /// Every other certificate once (first occurrence kept), never an anchor.
    pub certs: Vec<Node<'a>>,
    /// [`name_key`] of a subject → the certificates with that subject, anchors first.
    by_subject: BTreeMap<Vec<u8>, Vec<Issuer>>,
}

impl<'a> Pool<'a> {
    /// Build the pool: O(n log n) in the number of certificates.
    pub(super) fn new(
        anchors: impl IntoIterator<Item = &'a Certificate>,
        others: impl IntoIterator<Item = &'a Certificate>,
    ) -> Self {
        let mut seen: BTreeSet<Vec<u8>> = BTreeSet::new();
        let mut pool = Pool {
            anchors: Vec::new(),
            certs: Vec::new(),
            by_subject: BTreeMap::new(),
        };
        for a in anchors {
            if let Some(node) = Node::new(a) {
                seen.insert(node.der.clone());
                pool.index(Issuer::Anchor(pool.anchors.len()), a);
                pool.anchors.push(node);
            }
        }
        for c in others {
            if let Some(node) = Node::new(c) {
                if seen.insert(node.der.clone()) {
                    pool.index(Issuer::Cert(pool.certs.len()), c);
                    pool.certs.push(node);
                }
            }
        }
        pool
    }

    fn index(&mut self, at: Issuer, cert: &Certificate) {
        self.by_subject
            .entry(name_key(cert.tbs_certificate().subject()))
            .or_default()
            .push(at);
    }

    /// The certificates whose subject may match `name` (anchors first); confirm each with
    /// [`Node::issued_by`].
    pub(super) fn subjects(&self, name: &Name) -> &[Issuer] {
        self.by_subject
            .get(&name_key(name))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The node of an issuer candidate.
    pub(super) fn node(&self, at: Issuer) -> Option<&Node<'a>> {
        match at {
            Issuer::Anchor(i) => self.anchors.get(i),
            Issuer::Cert(i) => self.certs.get(i),
        }
    }

    /// Whether `der` is one of the anchors.
    pub(super) fn is_anchor(&self, der: &[u8]) -> bool {
        self.anchors.iter().any(|a| a.der == der)
    }
}

/// The index key of a name: per RDN and attribute, the attribute type and the lower-cased
/// letters and digits of the value's content octets (read as UTF-8, lossily). Case, white
/// space, escapes and the string type do not change it, so the names [`names_match`] matches share a key.
pub(super) fn name_key(name: &Name) -> Vec<u8> {
    let mut key = Vec::new();
    for rdn in name.iter_rdn() {
        key.push(b'/');
        for atv in rdn.iter() {
            key.push(b'+');
            key.extend_from_slice(atv.oid.as_bytes());
            key.push(b'=');
            let value = String::from_utf8_lossy(atv.value.value()).to_lowercase();
            for c in value.chars().filter(|c| c.is_alphanumeric()) {
                let mut buf = [0u8; 4];
                key.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    key
}

//! Certificate path validation (RFC 5280 §6) for S/MIME certificates, against caller-supplied
//! trust anchors at a caller-supplied time, plus the certificate helpers the S/MIME verifier
//! needs (e-mail address matching). Signature values are verified by
//! [`crate::smime::algorithms::verify_signature`] (CMS and certificates alike, or answered by
//! the provider: [`SignatureChecks`]); which algorithms and key sizes are acceptable is
//! [`crate::algorithm_policy`]'s to say, for both.
//!
//! Pure: no clock, no network, no disk. Path *building* (finding issuers among the message's
//! certificates, the caller's intermediates and the anchors) is `path`; path *validation* —
//! validity periods, signatures, basicConstraints and pathLen, CA keyUsage, name chaining
//! (`name_match`), name constraints (`name_constraints`), policies (`policy`, the policy
//! graph of RFC 9618), critical extensions — is `rfc5280`, and revocation over the CRLs
//! supplied is `crl`. The end-entity purpose checks (keyUsage for signing / encryption,
//! extendedKeyUsage emailProtection) are `purpose`. The whole of RFC 5280 §6.1 is checked
//! against the NIST PKITS suite (`tests/pkits.rs`).
//!
//! Path building is bounded in work, whatever certificates a message carries (`path`,
//! [`MAX_PATH_NODES`]); many certificates against one pool — every signer of a SignedData —
//! are validated by one [`Validator`], which indexes the pool once. See `docs/report.md`
//! ("Certificates") for every problem code.

mod certificate_info;
mod certificate_status;
mod crl;
mod import_request;
mod name_constraints;
mod name_match;
mod names;
mod path;
mod policy;
mod pool;
mod purpose;
mod rfc5280;
mod signature_check;
mod validator;

pub use certificate_info::{
    certificate_info, info as certificate_info_of, CertificateInfo, MAX_INSPECTED_CERTIFICATES,
};
pub use certificate_status::{certificate_status, CertificateStatus, CertificateStatusRequest};
pub use import_request::{import_pkcs12_request, ImportPkcs12Request, ImportedKey};
pub use names::{address_matches, email_addresses, name_string, subject_string};
pub use signature_check::{
    Announce, CheckHash, CheckKey, Lookup, Recording, SignatureCheck, SignatureChecks,
    MAX_CHECKED_MESSAGE, PROVIDER_UNSUPPORTED,
};
pub use validator::{Validator, MAX_VALIDATOR_NODES, MAX_VALIDATOR_VALIDATIONS};

use serde::{Deserialize, Serialize};
use x509_cert::crl::CertificateList;
use x509_cert::Certificate;

use crate::report::Problem;

/// Stable problem codes produced by [`validate`] (documented in `docs/report.md`).
pub mod codes {
    /// A certificate in the path is past its notAfter at the validation time.
    pub const CERT_EXPIRED: &str = "cert-expired";
    /// A certificate in the path is before its notBefore at the validation time.
    pub const CERT_NOT_YET_VALID: &str = "cert-not-yet-valid";
    /// No path from the certificate to any supplied trust anchor.
    pub const CERT_UNTRUSTED: &str = "cert-untrusted";
    /// A certificate in the path is listed on a supplied, valid CRL.
    pub const CERT_REVOKED: &str = "cert-revoked";
    /// A CRL from the certificate's issuer was supplied but could not settle its status.
    pub const CERT_REVOCATION_UNKNOWN: &str = "cert-revocation-unknown";
    /// A certificate's signature does not verify with its issuer's key.
    pub const CERT_BAD_SIGNATURE: &str = "cert-bad-signature";
    /// keyUsage does not allow the purpose (leaf) or certificate signing (CA).
    pub const CERT_KEY_USAGE: &str = "cert-key-usage";
    /// extendedKeyUsage present without emailProtection or anyExtendedKeyUsage.
    pub const CERT_EKU: &str = "cert-eku";
    /// An issuing certificate is not a CA (basicConstraints missing or cA false).
    pub const CERT_NOT_CA: &str = "cert-not-ca";
    /// A pathLenConstraint is exceeded, or the path is longer than [`super::MAX_PATH_LEN`].
    pub const PATH_TOO_LONG: &str = "path-too-long";
    /// A certificate violates a name constraint of a CA above it.
    pub const CERT_NAME_CONSTRAINTS: &str = "cert-name-constraints";
    /// Certificate policy processing ends with an empty valid policy tree (or bad mapping).
    pub const CERT_POLICY: &str = "cert-policy";
    /// A critical extension that the validator does not process.
    pub const CERT_UNKNOWN_CRITICAL_EXTENSION: &str = "cert-unknown-critical-extension";
    /// An RSA key shorter than 2048 bits in the path ([`crate::algorithm_policy`]).
    pub const CERT_WEAK_KEY: &str = crate::algorithm_policy::codes::CERT_WEAK_KEY;
    /// A weak (SHA-1, MD5, DSA) certificate signature or key in the path
    /// ([`crate::algorithm_policy`]).
    pub const WEAK_ALGORITHM: &str = crate::algorithm_policy::codes::WEAK_ALGORITHM;
    /// A certificate or CRL in the path cannot be decoded or used.
    pub const CERT_MALFORMED: &str = "cert-malformed";
    /// Path building stopped at its work budget ([`super::MAX_PATH_NODES`] issuer candidates
    /// for one certificate, or a [`super::Validator`]'s budget for all of them) without a path
    /// that validates: the certificates supplied allow too many paths.
    pub const PATH_BUDGET_EXHAUSTED: &str = "path-budget-exhausted";
    /// A certificate signature in the path that this build's provider cannot check (a
    /// build without the pure-Rust provider: [`super::PROVIDER_UNSUPPORTED`]).
    pub const PROVIDER_UNSUPPORTED: &str = super::PROVIDER_UNSUPPORTED;
}

/// Longest path considered: intermediates between the leaf and an anchor.
pub const MAX_PATH_LEN: usize = 8;

/// Most issuer candidates examined while building one certificate's paths (RFC 4158 §8.1).
/// A real PKI offers a handful of issuers per name — a CA, its key rollovers, a few
/// cross-certificates — over at most [`MAX_PATH_LEN`] levels: a few hundred nodes even for a
/// bridged PKI, so 4096 never refuses one, while it bounds the search of a hostile set to
/// a few milliseconds (each node is one index lookup and one name comparison).
pub const MAX_PATH_NODES: usize = 4096;

/// Everything path validation needs from the caller.
#[derive(Debug, Clone)]
pub struct TrustContext {
    /// Trust anchors (self-signed roots or any certificate the user decided to trust).
    pub anchors: Vec<Certificate>,
    /// Extra intermediate CA certificates the caller knows (besides the message's).
    pub intermediates: Vec<Certificate>,
    /// CRLs to consult. Certificates whose issuer has no CRL here are not revocation-checked.
    pub crls: Vec<CertificateList>,
    /// The validation time.
    pub at: time::OffsetDateTime,
}

/// What the certificate is used for; selects the end-entity keyUsage bits required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Purpose {
    /// Signing: digitalSignature or nonRepudiation (RFC 8550 §4.4.2).
    Signing,
    /// Encryption: keyEncipherment (RSA) or keyAgreement (EC) (RFC 8550 §4.4.2).
    Encryption,
}

/// Outcome of [`validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathResult {
    /// True only when a path to an anchor validated and `problems` is empty.
    pub trusted: bool,
    /// Subject DNs (RFC 4514) from the leaf to the anchor of the path chosen; when no anchor
    /// was reached, as far as issuers were found.
    pub chain: Vec<String>,
    /// The certificates (DER) of the path that validated, leaf first, anchor last: what
    /// a user is shown as "the chain to the anchor"; empty when not trusted.
    #[serde(skip)]
    pub path: Vec<Vec<u8>>,
    /// Findings with stable codes ([`codes`]).
    pub problems: Vec<Problem>,
    /// Weak algorithms or keys that the algorithm policy accepted (`weak-algorithm-accepted`,
    /// [`crate::algorithm_policy::AlgorithmPolicy::legacy`]); they do not change `trusted`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Problem>,
}

/// Validate `leaf` for `purpose` at `ctx.at`: build candidate paths through `extra` (the
/// certificates carried in the CMS message) and `ctx.intermediates` up to `ctx.anchors`,
/// validate each per RFC 5280 §6.1 (with revocation from `ctx.crls`), and report the first
/// path that validates, or the problems of the best failing one. For several certificates
/// against the same `extra`, use one [`Validator`].
pub fn validate(
    leaf: &Certificate,
    extra: &[Certificate],
    ctx: &TrustContext,
    purpose: Purpose,
) -> PathResult {
    Validator::new(ctx, extra).validate(leaf, purpose)
}

/// Decode CRLs supplied as DER; each one that cannot be decoded is a `cert-malformed` problem
/// (to report with every path, [`Validator::with_problems`]).
pub fn decode_crls(ders: &[Vec<u8>]) -> (Vec<CertificateList>, Vec<Problem>) {
    use der::Decode;
    let mut crls = Vec::with_capacity(ders.len());
    let mut problems = Vec::new();
    for der in ders {
        match CertificateList::from_der(der) {
            Ok(c) => crls.push(c),
            Err(e) => problems.push(Problem::new(
                codes::CERT_MALFORMED,
                format!("a supplied CRL cannot be decoded: {e}"),
            )),
        }
    }
    (crls, problems)
}

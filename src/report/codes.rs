//! Every code a [`super::VerifyReport`] can carry, in one enumerated list: the problems
//! (each makes the report not valid) and the notes (informational). `docs/report.md` documents
//! each one and the extension's problem catalogue (`www/src/shared/problems.ts`) renders each
//! one; `tests/report_codes.rs` checks all three agree.
//!
//! Each problem belongs to a [`Cause`]; the report lists its problems cause first
//! ([`rank`]), so the first problem a reader shows is the cause and not a consequence: a
//! certificate that does not chain is shown before the header mismatch it may explain, and a
//! modified content before anything derived from the signature.

/// What a problem is about, in the order a reader must see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cause {
    /// The message cannot be read as S/MIME at all, or a layer cannot be opened.
    Structure,
    /// A signature (or countersignature) value or its signed attributes.
    Signature,
    /// The signer certificate and its certification path.
    Certificate,
    /// The binding between the signer and the sender shown.
    Originator,
    /// Draft & Release authorisations.
    Authorization,
    /// Header protection.
    HeaderProtection,
    /// The MMHS header fields and the security label.
    Label,
}

/// Every problem code with its cause. Codes are stable once released.
pub const PROBLEMS: &[(&str, Cause)] = &[
    // Layers and MIME.
    ("mime-malformed", Cause::Structure),
    ("unsupported-protocol", Cause::Structure),
    ("cms-malformed", Cause::Structure),
    ("content-missing", Cause::Structure),
    ("content-ambiguous", Cause::Structure),
    ("no-signers", Cause::Structure),
    ("not-signed", Cause::Structure),
    ("depth-limit", Cause::Structure),
    ("signature-limit", Cause::Structure),
    ("no-decryption-key", Cause::Structure),
    ("decrypt-failed", Cause::Structure),
    ("decrypt-auth-failed", Cause::Structure),
    ("decompress-limit", Cause::Structure),
    ("decompress-failed", Cause::Structure),
    ("compressed-twice", Cause::Structure),
    ("unsupported-algorithm", Cause::Structure),
    ("key-provider-unsupported", Cause::Structure),
    ("provider-unsupported", Cause::Structure),
    ("header-too-large", Cause::Structure),
    ("header-too-many-fields", Cause::Structure),
    ("verification-cancelled", Cause::Structure),
    // Signatures.
    ("signer-cert-not-found", Cause::Signature),
    ("signer-cert-ambiguous", Cause::Signature),
    ("signature-invalid", Cause::Signature),
    ("message-digest-mismatch", Cause::Signature),
    ("content-type-mismatch", Cause::Signature),
    ("signed-attr-missing", Cause::Signature),
    ("signed-attr-malformed", Cause::Signature),
    ("attr-must-be-signed", Cause::Signature),
    ("signing-certificate-mismatch", Cause::Signature),
    ("security-label-inconsistent", Cause::Signature),
    ("signature-type-inconsistent", Cause::Signature),
    ("signature-type-not-encapsulating", Cause::Signature),
    ("weak-algorithm", Cause::Signature),
    // Signed receipts (RFC 2634 §2).
    ("receipt-malformed", Cause::Structure),
    ("receipt-request-misplaced", Cause::Signature),
    ("receipt-request-inconsistent", Cause::Signature),
    ("receipt-request-in-receipt", Cause::Signature),
    ("receipt-original-unknown", Cause::Signature),
    ("receipt-not-for-original", Cause::Signature),
    ("receipt-msg-sig-digest-mismatch", Cause::Signature),
    ("receipt-content-type-mismatch", Cause::Signature),
    ("receipt-not-requested", Cause::Signature),
    ("receipt-identifier-mismatch", Cause::Signature),
    ("receipt-signer-not-requested", Cause::Signature),
    // Certificates.
    ("validation-time-unknown", Cause::Certificate),
    ("cert-expired", Cause::Certificate),
    ("cert-not-yet-valid", Cause::Certificate),
    ("cert-untrusted", Cause::Certificate),
    ("cert-revoked", Cause::Certificate),
    ("cert-revocation-unknown", Cause::Certificate),
    ("cert-bad-signature", Cause::Certificate),
    ("cert-key-usage", Cause::Certificate),
    ("cert-eku", Cause::Certificate),
    ("cert-not-ca", Cause::Certificate),
    ("path-too-long", Cause::Certificate),
    ("path-budget-exhausted", Cause::Certificate),
    ("cert-name-constraints", Cause::Certificate),
    ("cert-policy", Cause::Certificate),
    ("cert-unknown-critical-extension", Cause::Certificate),
    ("cert-weak-key", Cause::Certificate),
    ("cert-malformed", Cause::Certificate),
    // Originator.
    ("originator-field-duplicate", Cause::Originator),
    ("signer-address-mismatch", Cause::Originator),
    ("from-display-name-address", Cause::Originator),
    ("no-originator-signature", Cause::Originator),
    ("domain-naming-mismatch", Cause::Originator),
    // Authorizing users.
    ("countersignature-orphaned", Cause::Authorization),
    ("authorizing-user-not-countersigned", Cause::Authorization),
    (
        "authorizing-user-countersignature-invalid",
        Cause::Authorization,
    ),
    ("authorizing-user-untrusted", Cause::Authorization),
    ("countersigner-not-listed", Cause::Authorization),
    // Header protection.
    ("hp-from-mismatch", Cause::HeaderProtection),
    ("hp-header-mismatch", Cause::HeaderProtection),
    ("hp-cipher-unencrypted", Cause::HeaderProtection),
    ("hp-invalid", Cause::HeaderProtection),
    ("hp-no-from", Cause::HeaderProtection),
    ("hp-unreadable", Cause::HeaderProtection),
    // MMHS fields and labels.
    ("sio-label-mismatch", Cause::Label),
    ("sio-label-invalid", Cause::Label),
    ("sio-label-duplicate", Cause::Label),
    // Label-based access control (label_policy::decide).
    ("label-missing", Cause::Label),
    ("label-undefined", Cause::Label),
    ("label-policy-unknown", Cause::Label),
    ("label-not-cleared", Cause::Label),
    ("label-no-clearance", Cause::Label),
    ("mmhs-input-too-large", Cause::Label),
    ("mmhs-header-too-large", Cause::Label),
    ("mmhs-header-too-many-fields", Cause::Label),
    ("mmhs-not-a-message", Cause::Label),
];

/// Every note code (informational findings in `notes`; they never change `valid`).
pub const NOTES: &[&str] = &[
    "authorizing-users-outer-only",
    "sender-outer-only",
    "release-time-outer",
    "hp-forwarded",
    "field-not-covered",
    "empty-signature-layer",
    "weak-algorithm-accepted",
    "encrypted-for-domain",
    "gateway-decrypted",
    "ml-expanded",
];

/// The cause of a problem code; an unknown code (there should be none: the catalogue test
/// checks every producer) sorts first, as a structural problem.
pub fn cause(code: &str) -> Cause {
    PROBLEMS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(Cause::Structure, |(_, k)| *k)
}

/// Sort key of a problem: its cause (a stable sort keeps the walk's order, outermost layer
/// first, within one cause).
pub fn rank(code: &str) -> Cause {
    cause(code)
}

/// The security-label codes that more than one module produces or reads: the receive pipeline
/// (`verify::label`) reports them and label-based access control (`label_policy`) decides on
/// them, so they live here, below both.
pub(crate) mod label {
    /// More than one SIO-Label field (RFC 7444 §4).
    pub(crate) const SIO_LABEL_DUPLICATE: &str = "sio-label-duplicate";
    /// SIO-Label `type=":ess"` whose label cannot be read (RFC 7444 §4).
    pub(crate) const SIO_LABEL_INVALID: &str = "sio-label-invalid";
    /// The SIO-Label and the signed ESS security label disagree (MMHS profile §4.2.5).
    pub(crate) const SIO_LABEL_MISMATCH: &str = "sio-label-mismatch";
    /// `mmhs::inspect` could not read the header section (the suffix is its error code).
    pub(crate) const MMHS_PREFIX: &str = "mmhs-";
}

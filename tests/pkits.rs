//! NIST PKITS (Public Key Interoperability Test Suite, PKITS.pdf v1.0.1 §4.1–§4.16), in the
//! RSA-2048/SHA-256 re-issue of `tests/vectors/pkits/` (PROVENANCE.md there), run through
//! [`mmhs::trust::validate`] under the PKITS default settings (RFC 5280 §6.1.1:
//! initial-policy-set = {anyPolicy}; initial-explicit-policy, initial-policy-mapping-inhibit
//! and initial-any-policy-inhibit all false).
//!
//! Each [`Row`] is one PKITS test: the end-entity certificate, the CA certificates of its
//! path (plus the CRL-signing certificates the test needs), every CRL of the test (the trust
//! anchor's `TrustAnchorRootCRL` included) and the outcome PKITS expects. Where one of the
//! crate's own rules differs from PKITS, `ours` holds the crate's expectation and the rule:
//!
//! 1. A certificate whose issuer published none of the supplied CRLs is not
//!    revocation-checked ([`mmhs::trust::TrustContext::crls`]): PKITS instead requires
//!    revocation information for every certificate (RFC 5280 §6.3).
//! 2. The strict algorithm policy (`src/algorithm_policy.rs`) refuses DSA, SHA-1 and RSA
//!    keys below 2048 bits: the PKITS DSA tests (§4.1.4–§4.1.6) are the only certificates
//!    of this data set it refuses.
//! 3. The end-entity purpose check for [`Purpose::Signing`] (keyUsage digitalSignature or
//!    nonRepudiation when keyUsage is present, RFC 8550 §4.4.2; extendedKeyUsage with
//!    emailProtection or anyExtendedKeyUsage when present).
//! 4. Revocation is checked only against the CRLs supplied (no CRL distribution point is
//!    fetched), so each row lists every CRL of its test.
//!
//! Tests PKITS defines only for other initial settings are run with the outcome their
//! certification path has under the default settings (PKITS §4.8–§4.12: the
//! authorities-constrained-policy-set is non-empty exactly when the path is valid with
//! initial-policy-set {anyPolicy}); §4.8.1 is left out: under the default settings it is
//! §4.1.1 again. Problem codes are those of the first RFC 5280 §6.1 check that fails: in
//! §4.5.8 the CRL-signing certificate used as an issuer has neither basicConstraints nor
//! keyCertSign, and §6.1.4(k) (basicConstraints, `cert-not-ca`) comes before §6.1.4(n)
//! (keyUsage).
//!
//! Where the current validator's outcome differs from the expected one, the row is listed
//! in [`KNOWN_DEVIATIONS`] with the outcome it gets today; the harness checks that outcome,
//! so every deviation stays visible and one that goes away must be removed from the list.
//! Each section runs all of its rows and fails once with every mismatch.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use der::Decode;
use mmhs::trust::{self, codes, PathResult, Purpose, TrustContext};
use x509_cert::Certificate;

/// The validation time: 2020-01-01T00:00:00Z. The certificates of the valid paths are valid
/// from 2010-01-01 to 2030-12-31 and the CRLs were issued between 2010-01-01 and 2011-01-01
/// with a nextUpdate of 2030-12-31, so every valid path and CRL is current; the §4.2 and
/// §4.4 tests built on time still fail (notBefore 2047, notAfter 2011 or 1999, CRL
/// nextUpdate 2010-01-02 or 1999).
const AT_UNIX: i64 = 1_577_836_800;

/// An outcome of path validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Trusted, with no problem.
    Valid,
    /// Not trusted, with (at least) this problem code.
    Invalid(&'static str),
}
use Outcome::{Invalid, Valid};

/// One PKITS test.
struct Row {
    /// PKITS section number, e.g. "4.1.2".
    id: &'static str,
    /// The end-entity certificate (file stem in `certs/`); the PKITS test name is this stem
    /// without its `EE` suffix.
    ee: &'static str,
    /// The CA certificates of the path and the CRL-signing certificates of the test (file
    /// stems in `certs/`), supplied as the message's certificates.
    cas: &'static [&'static str],
    /// Every CRL of the test (file stems in `crls/`).
    crls: &'static [&'static str],
    /// The outcome PKITS specifies under the default settings.
    pkits: Outcome,
    /// The crate's expectation and the rule (module documentation) where it differs from
    /// PKITS.
    ours: Option<(Outcome, &'static str)>,
}

impl Row {
    fn expected(&self) -> Outcome {
        self.ours.map_or(self.pkits, |(o, _)| o)
    }
}

/// Rows where the current validator's outcome differs from the expected one: the outcome
/// it gets today and why.
const KNOWN_DEVIATIONS: &[(&str, Outcome, &str)] = &[
    ("4.2.3", Invalid(codes::CERT_MALFORMED), "the end-entity notBefore is UTCTime 1950 (RFC 5280 §4.1.2.5.1 allows 1950–2049), which the der crate's UtcTime does not decode, so the certificate cannot be passed to the validator"),
    ("4.2.4", Invalid(codes::CERT_BAD_SIGNATURE), "the notBefore is a GeneralizedTime in 2002 (RFC 5280 §4.1.2.5 asks UTCTime up to 2049, but PKITS requires accepting it): the decoded certificate re-encodes it as UTCTime, so the signature is checked over other octets"),
    ("4.14.4", Invalid(codes::CERT_REVOCATION_UNKNOWN), "distribution point names given relative to the CRL issuer (nameRelativeToCRLIssuer, RFC 5280 §6.3.3(b)(2)) are not matched: the CRL is not applied"),
    ("4.14.5", Invalid(codes::CERT_REVOCATION_UNKNOWN), "distribution point names given relative to the CRL issuer (nameRelativeToCRLIssuer, RFC 5280 §6.3.3(b)(2)) are not matched: the CRL is not applied"),
    ("4.14.6", Invalid(codes::CERT_REVOCATION_UNKNOWN), "distribution point names given relative to the CRL issuer (nameRelativeToCRLIssuer, RFC 5280 §6.3.3(b)(2)) are not matched: the CRL is not applied"),
    ("4.14.7", Invalid(codes::CERT_REVOCATION_UNKNOWN), "distribution point names given relative to the CRL issuer (nameRelativeToCRLIssuer, RFC 5280 §6.3.3(b)(2)) are not matched: the CRL is not applied"),
    ("4.14.15", Invalid(codes::CERT_REVOCATION_UNKNOWN), "CRLs partitioned by onlySomeReasons (RFC 5280 §6.3.3(d), reasons_mask) are not used"),
    ("4.14.16", Invalid(codes::CERT_REVOCATION_UNKNOWN), "CRLs partitioned by onlySomeReasons (RFC 5280 §6.3.3(d), reasons_mask) are not used"),
    ("4.14.18", Invalid(codes::CERT_REVOCATION_UNKNOWN), "CRLs partitioned by onlySomeReasons (RFC 5280 §6.3.3(d), reasons_mask) are not used"),
    ("4.14.19", Invalid(codes::CERT_REVOCATION_UNKNOWN), "CRLs partitioned by onlySomeReasons (RFC 5280 §6.3.3(d), reasons_mask) are not used"),
    ("4.14.20", Invalid(codes::CERT_REVOCATION_UNKNOWN), "CRLs partitioned by onlySomeReasons (RFC 5280 §6.3.3(d), reasons_mask) are not used"),
    ("4.14.21", Invalid(codes::CERT_REVOCATION_UNKNOWN), "CRLs partitioned by onlySomeReasons (RFC 5280 §6.3.3(d), reasons_mask) are not used"),
    ("4.14.28", Invalid(codes::CERT_REVOCATION_UNKNOWN), "the indirect CRL of the cRLIssuer named in the certificate's distribution point (RFC 5280 §6.3.3(b)(2), §5.2.5) is not used"),
    ("4.14.29", Invalid(codes::CERT_REVOCATION_UNKNOWN), "the indirect CRL of the cRLIssuer named in the certificate's distribution point (RFC 5280 §6.3.3(b)(2), §5.2.5) is not used"),
];

/// The PKITS tests, by section.
const ROWS: &[Row] = &[
    Row {
        id: "4.1.1",
        ee: "ValidCertificatePathTest1EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.1.2",
        ee: "InvalidCASignatureTest2EE",
        cas: &["BadSignedCACert"],
        crls: &["BadSignedCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_BAD_SIGNATURE),
        ours: None,
    },
    Row {
        id: "4.1.3",
        ee: "InvalidEESignatureTest3EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_BAD_SIGNATURE),
        ours: None,
    },
    Row {
        id: "4.1.4",
        ee: "ValidDSASignaturesTest4EE",
        cas: &["DSACACert"],
        crls: &["DSACACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: Some((Invalid(codes::WEAK_ALGORITHM), "DSA with SHA-1 (1024-bit) is refused by the strict algorithm policy (crate rule 2)")),
    },
    Row {
        id: "4.1.5",
        ee: "ValidDSAParameterInheritanceTest5EE",
        cas: &["DSACACert", "DSAParametersInheritedCACert"],
        crls: &["DSACACRL", "DSAParametersInheritedCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: Some((Invalid(codes::WEAK_ALGORITHM), "DSA with SHA-1 (1024-bit) is refused by the strict algorithm policy (crate rule 2)")),
    },
    Row {
        id: "4.1.6",
        ee: "InvalidDSASignatureTest6EE",
        cas: &["DSACACert"],
        crls: &["DSACACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_BAD_SIGNATURE),
        ours: Some((Invalid(codes::WEAK_ALGORITHM), "DSA with SHA-1 (1024-bit) is refused by the strict algorithm policy (crate rule 2)")),
    },
    Row {
        id: "4.2.1",
        ee: "InvalidCAnotBeforeDateTest1EE",
        cas: &["BadnotBeforeDateCACert"],
        crls: &["BadnotBeforeDateCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_NOT_YET_VALID),
        ours: None,
    },
    Row {
        id: "4.2.2",
        ee: "InvalidEEnotBeforeDateTest2EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_NOT_YET_VALID),
        ours: None,
    },
    Row {
        id: "4.2.3",
        ee: "Validpre2000UTCnotBeforeDateTest3EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.2.4",
        ee: "ValidGeneralizedTimenotBeforeDateTest4EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.2.5",
        ee: "InvalidCAnotAfterDateTest5EE",
        cas: &["BadnotAfterDateCACert"],
        crls: &["BadnotAfterDateCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_EXPIRED),
        ours: None,
    },
    Row {
        id: "4.2.6",
        ee: "InvalidEEnotAfterDateTest6EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_EXPIRED),
        ours: None,
    },
    Row {
        id: "4.2.7",
        ee: "Invalidpre2000UTCEEnotAfterDateTest7EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_EXPIRED),
        ours: None,
    },
    Row {
        id: "4.2.8",
        ee: "ValidGeneralizedTimenotAfterDateTest8EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.3.1",
        ee: "InvalidNameChainingTest1EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_UNTRUSTED),
        ours: None,
    },
    Row {
        id: "4.3.2",
        ee: "InvalidNameChainingOrderTest2EE",
        cas: &["NameOrderingCACert"],
        crls: &["NameOrderCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_UNTRUSTED),
        ours: None,
    },
    Row {
        id: "4.3.3",
        ee: "ValidNameChainingWhitespaceTest3EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.3.4",
        ee: "ValidNameChainingWhitespaceTest4EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.3.5",
        ee: "ValidNameChainingCapitalizationTest5EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.3.6",
        ee: "ValidNameUIDsTest6EE",
        cas: &["UIDCACert"],
        crls: &["TrustAnchorRootCRL", "UIDCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.3.7",
        ee: "ValidRFC3280MandatoryAttributeTypesTest7EE",
        cas: &["RFC3280MandatoryAttributeTypesCACert"],
        crls: &["RFC3280MandatoryAttributeTypesCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.3.8",
        ee: "ValidRFC3280OptionalAttributeTypesTest8EE",
        cas: &["RFC3280OptionalAttributeTypesCACert"],
        crls: &["RFC3280OptionalAttributeTypesCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.3.9",
        ee: "ValidUTF8StringEncodedNamesTest9EE",
        cas: &["UTF8StringEncodedNamesCACert"],
        crls: &["TrustAnchorRootCRL", "UTF8StringEncodedNamesCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.3.10",
        ee: "ValidRolloverfromPrintableStringtoUTF8StringTest10EE",
        cas: &["RolloverfromPrintableStringtoUTF8StringCACert"],
        crls: &["RolloverfromPrintableStringtoUTF8StringCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.3.11",
        ee: "ValidUTF8StringCaseInsensitiveMatchTest11EE",
        cas: &["UTF8StringCaseInsensitiveMatchCACert"],
        crls: &["TrustAnchorRootCRL", "UTF8StringCaseInsensitiveMatchCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.4.1",
        ee: "InvalidMissingCRLTest1EE",
        cas: &["NoCRLCACert"],
        crls: &["TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: Some((Valid, "the issuing CA published none of the supplied CRLs, so the certificate is not revocation-checked (crate rule 1)")),
    },
    Row {
        id: "4.4.2",
        ee: "InvalidRevokedCATest2EE",
        cas: &["GoodCACert", "RevokedsubCACert"],
        crls: &["GoodCACRL", "RevokedsubCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.4.3",
        ee: "InvalidRevokedEETest3EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.4.4",
        ee: "InvalidBadCRLSignatureTest4EE",
        cas: &["BadCRLSignatureCACert"],
        crls: &["BadCRLSignatureCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.4.5",
        ee: "InvalidBadCRLIssuerNameTest5EE",
        cas: &["BadCRLIssuerNameCACert"],
        crls: &["TrustAnchorRootCRL", "BadCRLIssuerNameCACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: Some((Valid, "the only CRL supplied for this CA names another issuer, so the CA published none of the supplied CRLs (crate rule 1)")),
    },
    Row {
        id: "4.4.6",
        ee: "InvalidWrongCRLTest6EE",
        cas: &["WrongCRLCACert"],
        crls: &["TrustAnchorRootCRL", "WrongCRLCACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: Some((Valid, "the CRL supplied for this CA is issued under the trust anchor's name, so the CA published none of the supplied CRLs (crate rule 1)")),
    },
    Row {
        id: "4.4.7",
        ee: "ValidTwoCRLsTest7EE",
        cas: &["TwoCRLsCACert"],
        crls: &["TrustAnchorRootCRL", "TwoCRLsCAGoodCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.4.8",
        ee: "InvalidUnknownCRLEntryExtensionTest8EE",
        cas: &["UnknownCRLEntryExtensionCACert"],
        crls: &["TrustAnchorRootCRL", "UnknownCRLEntryExtensionCACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.4.9",
        ee: "InvalidUnknownCRLExtensionTest9EE",
        cas: &["UnknownCRLExtensionCACert"],
        crls: &["TrustAnchorRootCRL", "UnknownCRLExtensionCACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.4.10",
        ee: "InvalidUnknownCRLExtensionTest10EE",
        cas: &["UnknownCRLExtensionCACert"],
        crls: &["TrustAnchorRootCRL", "UnknownCRLExtensionCACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.4.11",
        ee: "InvalidOldCRLnextUpdateTest11EE",
        cas: &["OldCRLnextUpdateCACert"],
        crls: &["OldCRLnextUpdateCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.4.12",
        ee: "Invalidpre2000CRLnextUpdateTest12EE",
        cas: &["pre2000CRLnextUpdateCACert"],
        crls: &["TrustAnchorRootCRL", "pre2000CRLnextUpdateCACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.4.13",
        ee: "ValidGeneralizedTimeCRLnextUpdateTest13EE",
        cas: &["GeneralizedTimeCRLnextUpdateCACert"],
        crls: &["GeneralizedTimeCRLnextUpdateCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.4.14",
        ee: "ValidNegativeSerialNumberTest14EE",
        cas: &["NegativeSerialNumberCACert"],
        crls: &["NegativeSerialNumberCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.4.15",
        ee: "InvalidNegativeSerialNumberTest15EE",
        cas: &["NegativeSerialNumberCACert"],
        crls: &["NegativeSerialNumberCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.4.16",
        ee: "ValidLongSerialNumberTest16EE",
        cas: &["LongSerialNumberCACert"],
        crls: &["LongSerialNumberCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.4.17",
        ee: "ValidLongSerialNumberTest17EE",
        cas: &["LongSerialNumberCACert"],
        crls: &["LongSerialNumberCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.4.18",
        ee: "InvalidLongSerialNumberTest18EE",
        cas: &["LongSerialNumberCACert"],
        crls: &["LongSerialNumberCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.4.19",
        ee: "ValidSeparateCertificateandCRLKeysTest19EE",
        cas: &["SeparateCertificateandCRLKeysCertificateSigningCACert", "SeparateCertificateandCRLKeysCRLSigningCert"],
        crls: &["SeparateCertificateandCRLKeysCRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.4.20",
        ee: "InvalidSeparateCertificateandCRLKeysTest20EE",
        cas: &["SeparateCertificateandCRLKeysCertificateSigningCACert", "SeparateCertificateandCRLKeysCRLSigningCert"],
        crls: &["SeparateCertificateandCRLKeysCRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.4.21",
        ee: "InvalidSeparateCertificateandCRLKeysTest21EE",
        cas: &["SeparateCertificateandCRLKeysCA2CertificateSigningCACert", "SeparateCertificateandCRLKeysCA2CRLSigningCert"],
        crls: &["SeparateCertificateandCRLKeysCA2CRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.5.1",
        ee: "ValidBasicSelfIssuedOldWithNewTest1EE",
        cas: &["BasicSelfIssuedNewKeyCACert", "BasicSelfIssuedNewKeyOldWithNewCACert"],
        crls: &["BasicSelfIssuedNewKeyCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.5.2",
        ee: "InvalidBasicSelfIssuedOldWithNewTest2EE",
        cas: &["BasicSelfIssuedNewKeyCACert", "BasicSelfIssuedNewKeyOldWithNewCACert"],
        crls: &["BasicSelfIssuedNewKeyCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.5.3",
        ee: "ValidBasicSelfIssuedNewWithOldTest3EE",
        cas: &["BasicSelfIssuedOldKeyCACert", "BasicSelfIssuedOldKeyNewWithOldCACert"],
        crls: &["BasicSelfIssuedOldKeyCACRL", "BasicSelfIssuedOldKeySelfIssuedCertCRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.5.4",
        ee: "ValidBasicSelfIssuedNewWithOldTest4EE",
        cas: &["BasicSelfIssuedOldKeyCACert", "BasicSelfIssuedOldKeyNewWithOldCACert"],
        crls: &["BasicSelfIssuedOldKeyCACRL", "BasicSelfIssuedOldKeySelfIssuedCertCRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.5.5",
        ee: "InvalidBasicSelfIssuedNewWithOldTest5EE",
        cas: &["BasicSelfIssuedOldKeyCACert", "BasicSelfIssuedOldKeyNewWithOldCACert"],
        crls: &["BasicSelfIssuedOldKeyCACRL", "BasicSelfIssuedOldKeySelfIssuedCertCRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.5.6",
        ee: "ValidBasicSelfIssuedCRLSigningKeyTest6EE",
        cas: &["BasicSelfIssuedCRLSigningKeyCACert", "BasicSelfIssuedCRLSigningKeyCRLCert"],
        crls: &["BasicSelfIssuedCRLSigningKeyCACRL", "BasicSelfIssuedCRLSigningKeyCRLCertCRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.5.7",
        ee: "InvalidBasicSelfIssuedCRLSigningKeyTest7EE",
        cas: &["BasicSelfIssuedCRLSigningKeyCACert", "BasicSelfIssuedCRLSigningKeyCRLCert"],
        crls: &["BasicSelfIssuedCRLSigningKeyCACRL", "BasicSelfIssuedCRLSigningKeyCRLCertCRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.5.8",
        ee: "InvalidBasicSelfIssuedCRLSigningKeyTest8EE",
        cas: &["BasicSelfIssuedCRLSigningKeyCACert", "BasicSelfIssuedCRLSigningKeyCRLCert"],
        crls: &["BasicSelfIssuedCRLSigningKeyCACRL", "BasicSelfIssuedCRLSigningKeyCRLCertCRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_NOT_CA),
        ours: None,
    },
    Row {
        id: "4.6.1",
        ee: "InvalidMissingbasicConstraintsTest1EE",
        cas: &["MissingbasicConstraintsCACert"],
        crls: &["MissingbasicConstraintsCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_NOT_CA),
        ours: None,
    },
    Row {
        id: "4.6.2",
        ee: "InvalidcAFalseTest2EE",
        cas: &["basicConstraintsCriticalcAFalseCACert"],
        crls: &["TrustAnchorRootCRL", "basicConstraintsCriticalcAFalseCACRL"],
        pkits: Invalid(codes::CERT_NOT_CA),
        ours: None,
    },
    Row {
        id: "4.6.3",
        ee: "InvalidcAFalseTest3EE",
        cas: &["basicConstraintsNotCriticalcAFalseCACert"],
        crls: &["TrustAnchorRootCRL", "basicConstraintsNotCriticalcAFalseCACRL"],
        pkits: Invalid(codes::CERT_NOT_CA),
        ours: None,
    },
    Row {
        id: "4.6.4",
        ee: "ValidbasicConstraintsNotCriticalTest4EE",
        cas: &["basicConstraintsNotCriticalCACert"],
        crls: &["TrustAnchorRootCRL", "basicConstraintsNotCriticalCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.6.5",
        ee: "InvalidpathLenConstraintTest5EE",
        cas: &["pathLenConstraint0CACert", "pathLenConstraint0subCACert"],
        crls: &["TrustAnchorRootCRL", "pathLenConstraint0CACRL", "pathLenConstraint0subCACRL"],
        pkits: Invalid(codes::PATH_TOO_LONG),
        ours: None,
    },
    Row {
        id: "4.6.6",
        ee: "InvalidpathLenConstraintTest6EE",
        cas: &["pathLenConstraint0CACert", "pathLenConstraint0subCACert"],
        crls: &["TrustAnchorRootCRL", "pathLenConstraint0CACRL", "pathLenConstraint0subCACRL"],
        pkits: Invalid(codes::PATH_TOO_LONG),
        ours: None,
    },
    Row {
        id: "4.6.7",
        ee: "ValidpathLenConstraintTest7EE",
        cas: &["pathLenConstraint0CACert"],
        crls: &["TrustAnchorRootCRL", "pathLenConstraint0CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.6.8",
        ee: "ValidpathLenConstraintTest8EE",
        cas: &["pathLenConstraint0CACert"],
        crls: &["TrustAnchorRootCRL", "pathLenConstraint0CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.6.9",
        ee: "InvalidpathLenConstraintTest9EE",
        cas: &["pathLenConstraint6CACert", "pathLenConstraint6subCA0Cert", "pathLenConstraint6subsubCA00Cert"],
        crls: &["TrustAnchorRootCRL", "pathLenConstraint6CACRL", "pathLenConstraint6subCA0CRL", "pathLenConstraint6subsubCA00CRL"],
        pkits: Invalid(codes::PATH_TOO_LONG),
        ours: None,
    },
    Row {
        id: "4.6.10",
        ee: "InvalidpathLenConstraintTest10EE",
        cas: &["pathLenConstraint6CACert", "pathLenConstraint6subCA0Cert", "pathLenConstraint6subsubCA00Cert"],
        crls: &["TrustAnchorRootCRL", "pathLenConstraint6CACRL", "pathLenConstraint6subCA0CRL", "pathLenConstraint6subsubCA00CRL"],
        pkits: Invalid(codes::PATH_TOO_LONG),
        ours: None,
    },
    Row {
        id: "4.6.11",
        ee: "InvalidpathLenConstraintTest11EE",
        cas: &["pathLenConstraint6CACert", "pathLenConstraint6subCA1Cert", "pathLenConstraint6subsubCA11Cert", "pathLenConstraint6subsubsubCA11XCert"],
        crls: &["TrustAnchorRootCRL", "pathLenConstraint6CACRL", "pathLenConstraint6subCA1CRL", "pathLenConstraint6subsubCA11CRL", "pathLenConstraint6subsubsubCA11XCRL"],
        pkits: Invalid(codes::PATH_TOO_LONG),
        ours: None,
    },
    Row {
        id: "4.6.12",
        ee: "InvalidpathLenConstraintTest12EE",
        cas: &["pathLenConstraint6CACert", "pathLenConstraint6subCA1Cert", "pathLenConstraint6subsubCA11Cert", "pathLenConstraint6subsubsubCA11XCert"],
        crls: &["TrustAnchorRootCRL", "pathLenConstraint6CACRL", "pathLenConstraint6subCA1CRL", "pathLenConstraint6subsubCA11CRL", "pathLenConstraint6subsubsubCA11XCRL"],
        pkits: Invalid(codes::PATH_TOO_LONG),
        ours: None,
    },
    Row {
        id: "4.6.13",
        ee: "ValidpathLenConstraintTest13EE",
        cas: &["pathLenConstraint6CACert", "pathLenConstraint6subCA4Cert", "pathLenConstraint6subsubCA41Cert", "pathLenConstraint6subsubsubCA41XCert"],
        crls: &["TrustAnchorRootCRL", "pathLenConstraint6CACRL", "pathLenConstraint6subCA4CRL", "pathLenConstraint6subsubCA41CRL", "pathLenConstraint6subsubsubCA41XCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.6.14",
        ee: "ValidpathLenConstraintTest14EE",
        cas: &["pathLenConstraint6CACert", "pathLenConstraint6subCA4Cert", "pathLenConstraint6subsubCA41Cert", "pathLenConstraint6subsubsubCA41XCert"],
        crls: &["TrustAnchorRootCRL", "pathLenConstraint6CACRL", "pathLenConstraint6subCA4CRL", "pathLenConstraint6subsubCA41CRL", "pathLenConstraint6subsubsubCA41XCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.6.15",
        ee: "ValidSelfIssuedpathLenConstraintTest15EE",
        cas: &["pathLenConstraint0CACert", "pathLenConstraint0SelfIssuedCACert"],
        crls: &["TrustAnchorRootCRL", "pathLenConstraint0CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.6.16",
        ee: "InvalidSelfIssuedpathLenConstraintTest16EE",
        cas: &["pathLenConstraint0CACert", "pathLenConstraint0SelfIssuedCACert", "pathLenConstraint0subCA2Cert"],
        crls: &["TrustAnchorRootCRL", "pathLenConstraint0CACRL", "pathLenConstraint0subCA2CRL"],
        pkits: Invalid(codes::PATH_TOO_LONG),
        ours: None,
    },
    Row {
        id: "4.6.17",
        ee: "ValidSelfIssuedpathLenConstraintTest17EE",
        cas: &["pathLenConstraint1CACert", "pathLenConstraint1SelfIssuedCACert", "pathLenConstraint1subCACert", "pathLenConstraint1SelfIssuedsubCACert"],
        crls: &["TrustAnchorRootCRL", "pathLenConstraint1CACRL", "pathLenConstraint1subCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.7.1",
        ee: "InvalidkeyUsageCriticalkeyCertSignFalseTest1EE",
        cas: &["keyUsageCriticalkeyCertSignFalseCACert"],
        crls: &["TrustAnchorRootCRL", "keyUsageCriticalkeyCertSignFalseCACRL"],
        pkits: Invalid(codes::CERT_KEY_USAGE),
        ours: None,
    },
    Row {
        id: "4.7.2",
        ee: "InvalidkeyUsageNotCriticalkeyCertSignFalseTest2EE",
        cas: &["keyUsageNotCriticalkeyCertSignFalseCACert"],
        crls: &["TrustAnchorRootCRL", "keyUsageNotCriticalkeyCertSignFalseCACRL"],
        pkits: Invalid(codes::CERT_KEY_USAGE),
        ours: None,
    },
    Row {
        id: "4.7.3",
        ee: "ValidkeyUsageNotCriticalTest3EE",
        cas: &["keyUsageNotCriticalCACert"],
        crls: &["TrustAnchorRootCRL", "keyUsageNotCriticalCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.7.4",
        ee: "InvalidkeyUsageCriticalcRLSignFalseTest4EE",
        cas: &["keyUsageCriticalcRLSignFalseCACert"],
        crls: &["TrustAnchorRootCRL", "keyUsageCriticalcRLSignFalseCACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.7.5",
        ee: "InvalidkeyUsageNotCriticalcRLSignFalseTest5EE",
        cas: &["keyUsageNotCriticalcRLSignFalseCACert"],
        crls: &["TrustAnchorRootCRL", "keyUsageNotCriticalcRLSignFalseCACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.8.2",
        ee: "AllCertificatesNoPoliciesTest2EE",
        cas: &["NoPoliciesCACert"],
        crls: &["NoPoliciesCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.8.3",
        ee: "DifferentPoliciesTest3EE",
        cas: &["GoodCACert", "PoliciesP2subCACert"],
        crls: &["GoodCACRL", "PoliciesP2subCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.8.4",
        ee: "DifferentPoliciesTest4EE",
        cas: &["GoodCACert", "GoodsubCACert"],
        crls: &["GoodCACRL", "GoodsubCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.8.5",
        ee: "DifferentPoliciesTest5EE",
        cas: &["GoodCACert", "PoliciesP2subCA2Cert"],
        crls: &["GoodCACRL", "PoliciesP2subCA2CRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.8.6",
        ee: "OverlappingPoliciesTest6EE",
        cas: &["PoliciesP1234CACert", "PoliciesP1234subCAP123Cert", "PoliciesP1234subsubCAP123P12Cert"],
        crls: &["PoliciesP1234CACRL", "PoliciesP1234subCAP123CRL", "PoliciesP1234subsubCAP123P12CRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.8.7",
        ee: "DifferentPoliciesTest7EE",
        cas: &["PoliciesP123CACert", "PoliciesP123subCAP12Cert", "PoliciesP123subsubCAP12P1Cert"],
        crls: &["PoliciesP123CACRL", "PoliciesP123subCAP12CRL", "PoliciesP123subsubCAP12P1CRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.8.8",
        ee: "DifferentPoliciesTest8EE",
        cas: &["PoliciesP12CACert", "PoliciesP12subCAP1Cert", "PoliciesP12subsubCAP1P2Cert"],
        crls: &["PoliciesP12CACRL", "PoliciesP12subCAP1CRL", "PoliciesP12subsubCAP1P2CRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.8.9",
        ee: "DifferentPoliciesTest9EE",
        cas: &["PoliciesP123CACert", "PoliciesP123subCAP12Cert", "PoliciesP123subsubCAP12P2Cert", "PoliciesP123subsubsubCAP12P2P1Cert"],
        crls: &["PoliciesP123CACRL", "PoliciesP123subCAP12CRL", "PoliciesP123subsubCAP2P2CRL", "PoliciesP123subsubsubCAP12P2P1CRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.8.10",
        ee: "AllCertificatesSamePoliciesTest10EE",
        cas: &["PoliciesP12CACert"],
        crls: &["PoliciesP12CACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.8.11",
        ee: "AllCertificatesanyPolicyTest11EE",
        cas: &["anyPolicyCACert"],
        crls: &["TrustAnchorRootCRL", "anyPolicyCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.8.12",
        ee: "DifferentPoliciesTest12EE",
        cas: &["PoliciesP3CACert"],
        crls: &["PoliciesP3CACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.8.13",
        ee: "AllCertificatesSamePoliciesTest13EE",
        cas: &["PoliciesP123CACert"],
        crls: &["PoliciesP123CACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.8.14",
        ee: "AnyPolicyTest14EE",
        cas: &["anyPolicyCACert"],
        crls: &["TrustAnchorRootCRL", "anyPolicyCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.8.15",
        ee: "UserNoticeQualifierTest15EE",
        cas: &[],
        crls: &["TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.8.16",
        ee: "UserNoticeQualifierTest16EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.8.17",
        ee: "UserNoticeQualifierTest17EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.8.18",
        ee: "UserNoticeQualifierTest18EE",
        cas: &["PoliciesP12CACert"],
        crls: &["PoliciesP12CACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.8.19",
        ee: "UserNoticeQualifierTest19EE",
        cas: &[],
        crls: &["TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.8.20",
        ee: "CPSPointerQualifierTest20EE",
        cas: &["GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.9.1",
        ee: "ValidrequireExplicitPolicyTest1EE",
        cas: &["requireExplicitPolicy10CACert", "requireExplicitPolicy10subCACert", "requireExplicitPolicy10subsubCACert", "requireExplicitPolicy10subsubsubCACert"],
        crls: &["TrustAnchorRootCRL", "requireExplicitPolicy10CACRL", "requireExplicitPolicy10subCACRL", "requireExplicitPolicy10subsubCACRL", "requireExplicitPolicy10subsubsubCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.9.2",
        ee: "ValidrequireExplicitPolicyTest2EE",
        cas: &["requireExplicitPolicy5CACert", "requireExplicitPolicy5subCACert", "requireExplicitPolicy5subsubCACert", "requireExplicitPolicy5subsubsubCACert"],
        crls: &["TrustAnchorRootCRL", "requireExplicitPolicy5CACRL", "requireExplicitPolicy5subCACRL", "requireExplicitPolicy5subsubCACRL", "requireExplicitPolicy5subsubsubCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.9.3",
        ee: "InvalidrequireExplicitPolicyTest3EE",
        cas: &["requireExplicitPolicy4CACert", "requireExplicitPolicy4subCACert", "requireExplicitPolicy4subsubCACert", "requireExplicitPolicy4subsubsubCACert"],
        crls: &["TrustAnchorRootCRL", "requireExplicitPolicy4CACRL", "requireExplicitPolicy4subCACRL", "requireExplicitPolicy4subsubCACRL", "requireExplicitPolicy4subsubsubCACRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.9.4",
        ee: "ValidrequireExplicitPolicyTest4EE",
        cas: &["requireExplicitPolicy0CACert", "requireExplicitPolicy0subCACert", "requireExplicitPolicy0subsubCACert", "requireExplicitPolicy0subsubsubCACert"],
        crls: &["TrustAnchorRootCRL", "requireExplicitPolicy0CACRL", "requireExplicitPolicy0subCACRL", "requireExplicitPolicy0subsubCACRL", "requireExplicitPolicy0subsubsubCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.9.5",
        ee: "InvalidrequireExplicitPolicyTest5EE",
        cas: &["requireExplicitPolicy7CACert", "requireExplicitPolicy7subCARE2Cert", "requireExplicitPolicy7subsubCARE2RE4Cert", "requireExplicitPolicy7subsubsubCARE2RE4Cert"],
        crls: &["TrustAnchorRootCRL", "requireExplicitPolicy7CACRL", "requireExplicitPolicy7subCARE2CRL", "requireExplicitPolicy7subsubCARE2RE4CRL", "requireExplicitPolicy7subsubsubCARE2RE4CRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.9.6",
        ee: "ValidSelfIssuedrequireExplicitPolicyTest6EE",
        cas: &["requireExplicitPolicy2CACert", "requireExplicitPolicy2SelfIssuedCACert"],
        crls: &["TrustAnchorRootCRL", "requireExplicitPolicy2CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.9.7",
        ee: "InvalidSelfIssuedrequireExplicitPolicyTest7EE",
        cas: &["requireExplicitPolicy2CACert", "requireExplicitPolicy2SelfIssuedCACert", "requireExplicitPolicy2subCACert"],
        crls: &["TrustAnchorRootCRL", "requireExplicitPolicy2CACRL", "requireExplicitPolicy2subCACRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.9.8",
        ee: "InvalidSelfIssuedrequireExplicitPolicyTest8EE",
        cas: &["requireExplicitPolicy2CACert", "requireExplicitPolicy2SelfIssuedCACert", "requireExplicitPolicy2subCACert", "requireExplicitPolicy2SelfIssuedsubCACert"],
        crls: &["TrustAnchorRootCRL", "requireExplicitPolicy2CACRL", "requireExplicitPolicy2subCACRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.10.1",
        ee: "ValidPolicyMappingTest1EE",
        cas: &["Mapping1to2CACert"],
        crls: &["Mapping1to2CACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.10.2",
        ee: "InvalidPolicyMappingTest2EE",
        cas: &["Mapping1to2CACert"],
        crls: &["Mapping1to2CACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.10.3",
        ee: "ValidPolicyMappingTest3EE",
        cas: &["P12Mapping1to3CACert", "P12Mapping1to3subCACert", "P12Mapping1to3subsubCACert"],
        crls: &["P12Mapping1to3CACRL", "P12Mapping1to3subCACRL", "P12Mapping1to3subsubCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.10.4",
        ee: "InvalidPolicyMappingTest4EE",
        cas: &["P12Mapping1to3CACert", "P12Mapping1to3subCACert", "P12Mapping1to3subsubCACert"],
        crls: &["P12Mapping1to3CACRL", "P12Mapping1to3subCACRL", "P12Mapping1to3subsubCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.10.5",
        ee: "ValidPolicyMappingTest5EE",
        cas: &["P1Mapping1to234CACert", "P1Mapping1to234subCACert"],
        crls: &["P1Mapping1to234CACRL", "P1Mapping1to234subCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.10.6",
        ee: "ValidPolicyMappingTest6EE",
        cas: &["P1Mapping1to234CACert", "P1Mapping1to234subCACert"],
        crls: &["P1Mapping1to234CACRL", "P1Mapping1to234subCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.10.7",
        ee: "InvalidMappingFromanyPolicyTest7EE",
        cas: &["MappingFromanyPolicyCACert"],
        crls: &["MappingFromanyPolicyCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.10.8",
        ee: "InvalidMappingToanyPolicyTest8EE",
        cas: &["MappingToanyPolicyCACert"],
        crls: &["MappingToanyPolicyCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.10.9",
        ee: "ValidPolicyMappingTest9EE",
        cas: &["PanyPolicyMapping1to2CACert"],
        crls: &["PanyPolicyMapping1to2CACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.10.10",
        ee: "InvalidPolicyMappingTest10EE",
        cas: &["GoodCACert", "GoodsubCAPanyPolicyMapping1to2CACert"],
        crls: &["GoodCACRL", "GoodsubCAPanyPolicyMapping1to2CACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.10.11",
        ee: "ValidPolicyMappingTest11EE",
        cas: &["GoodCACert", "GoodsubCAPanyPolicyMapping1to2CACert"],
        crls: &["GoodCACRL", "GoodsubCAPanyPolicyMapping1to2CACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.10.12",
        ee: "ValidPolicyMappingTest12EE",
        cas: &["P12Mapping1to3CACert"],
        crls: &["P12Mapping1to3CACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.10.13",
        ee: "ValidPolicyMappingTest13EE",
        cas: &["P1anyPolicyMapping1to2CACert"],
        crls: &["P1anyPolicyMapping1to2CACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.10.14",
        ee: "ValidPolicyMappingTest14EE",
        cas: &["P1anyPolicyMapping1to2CACert"],
        crls: &["P1anyPolicyMapping1to2CACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.11.1",
        ee: "InvalidinhibitPolicyMappingTest1EE",
        cas: &["inhibitPolicyMapping0CACert", "inhibitPolicyMapping0subCACert"],
        crls: &["TrustAnchorRootCRL", "inhibitPolicyMapping0CACRL", "inhibitPolicyMapping0subCACRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.11.2",
        ee: "ValidinhibitPolicyMappingTest2EE",
        cas: &["inhibitPolicyMapping1P12CACert", "inhibitPolicyMapping1P12subCACert"],
        crls: &["TrustAnchorRootCRL", "inhibitPolicyMapping1P12CACRL", "inhibitPolicyMapping1P12subCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.11.3",
        ee: "InvalidinhibitPolicyMappingTest3EE",
        cas: &["inhibitPolicyMapping1P12CACert", "inhibitPolicyMapping1P12subCACert", "inhibitPolicyMapping1P12subsubCACert"],
        crls: &["TrustAnchorRootCRL", "inhibitPolicyMapping1P12CACRL", "inhibitPolicyMapping1P12subCACRL", "inhibitPolicyMapping1P12subsubCACRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.11.4",
        ee: "ValidinhibitPolicyMappingTest4EE",
        cas: &["inhibitPolicyMapping1P12CACert", "inhibitPolicyMapping1P12subCACert", "inhibitPolicyMapping1P12subsubCACert"],
        crls: &["TrustAnchorRootCRL", "inhibitPolicyMapping1P12CACRL", "inhibitPolicyMapping1P12subCACRL", "inhibitPolicyMapping1P12subsubCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.11.5",
        ee: "InvalidinhibitPolicyMappingTest5EE",
        cas: &["inhibitPolicyMapping5CACert", "inhibitPolicyMapping5subCACert", "inhibitPolicyMapping5subsubCACert", "inhibitPolicyMapping5subsubsubCACert"],
        crls: &["TrustAnchorRootCRL", "inhibitPolicyMapping5CACRL", "inhibitPolicyMapping5subCACRL", "inhibitPolicyMapping5subsubCACRL", "inhibitPolicyMapping5subsubsubCACRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.11.6",
        ee: "InvalidinhibitPolicyMappingTest6EE",
        cas: &["inhibitPolicyMapping1P12CACert", "inhibitPolicyMapping1P12subCAIPM5Cert", "inhibitPolicyMapping1P12subsubCAIPM5Cert"],
        crls: &["TrustAnchorRootCRL", "inhibitPolicyMapping1P12CACRL", "inhibitPolicyMapping1P12subCAIPM5CRL", "inhibitPolicyMapping1P12subsubCAIPM5CRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.11.7",
        ee: "ValidSelfIssuedinhibitPolicyMappingTest7EE",
        cas: &["inhibitPolicyMapping1P1CACert", "inhibitPolicyMapping1P1SelfIssuedCACert", "inhibitPolicyMapping1P1subCACert"],
        crls: &["TrustAnchorRootCRL", "inhibitPolicyMapping1P1CACRL", "inhibitPolicyMapping1P1subCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.11.8",
        ee: "InvalidSelfIssuedinhibitPolicyMappingTest8EE",
        cas: &["inhibitPolicyMapping1P1CACert", "inhibitPolicyMapping1P1SelfIssuedCACert", "inhibitPolicyMapping1P1subCACert", "inhibitPolicyMapping1P1subsubCACert"],
        crls: &["TrustAnchorRootCRL", "inhibitPolicyMapping1P1CACRL", "inhibitPolicyMapping1P1subCACRL", "inhibitPolicyMapping1P1subsubCACRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.11.9",
        ee: "InvalidSelfIssuedinhibitPolicyMappingTest9EE",
        cas: &["inhibitPolicyMapping1P1CACert", "inhibitPolicyMapping1P1SelfIssuedCACert", "inhibitPolicyMapping1P1subCACert", "inhibitPolicyMapping1P1subsubCACert"],
        crls: &["TrustAnchorRootCRL", "inhibitPolicyMapping1P1CACRL", "inhibitPolicyMapping1P1subCACRL", "inhibitPolicyMapping1P1subsubCACRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.11.10",
        ee: "InvalidSelfIssuedinhibitPolicyMappingTest10EE",
        cas: &["inhibitPolicyMapping1P1CACert", "inhibitPolicyMapping1P1SelfIssuedCACert", "inhibitPolicyMapping1P1subCACert", "inhibitPolicyMapping1P1SelfIssuedsubCACert"],
        crls: &["TrustAnchorRootCRL", "inhibitPolicyMapping1P1CACRL", "inhibitPolicyMapping1P1subCACRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.11.11",
        ee: "InvalidSelfIssuedinhibitPolicyMappingTest11EE",
        cas: &["inhibitPolicyMapping1P1CACert", "inhibitPolicyMapping1P1SelfIssuedCACert", "inhibitPolicyMapping1P1subCACert", "inhibitPolicyMapping1P1SelfIssuedsubCACert"],
        crls: &["TrustAnchorRootCRL", "inhibitPolicyMapping1P1CACRL", "inhibitPolicyMapping1P1subCACRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.12.1",
        ee: "InvalidinhibitAnyPolicyTest1EE",
        cas: &["inhibitAnyPolicy0CACert"],
        crls: &["TrustAnchorRootCRL", "inhibitAnyPolicy0CACRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.12.2",
        ee: "ValidinhibitAnyPolicyTest2EE",
        cas: &["inhibitAnyPolicy0CACert"],
        crls: &["TrustAnchorRootCRL", "inhibitAnyPolicy0CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.12.3",
        ee: "inhibitAnyPolicyTest3EE",
        cas: &["inhibitAnyPolicy1CACert", "inhibitAnyPolicy1subCA1Cert"],
        crls: &["TrustAnchorRootCRL", "inhibitAnyPolicy1CACRL", "inhibitAnyPolicy1subCA1CRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.12.4",
        ee: "InvalidinhibitAnyPolicyTest4EE",
        cas: &["inhibitAnyPolicy1CACert", "inhibitAnyPolicy1subCA1Cert"],
        crls: &["TrustAnchorRootCRL", "inhibitAnyPolicy1CACRL", "inhibitAnyPolicy1subCA1CRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.12.5",
        ee: "InvalidinhibitAnyPolicyTest5EE",
        cas: &["inhibitAnyPolicy5CACert", "inhibitAnyPolicy5subCACert", "inhibitAnyPolicy5subsubCACert"],
        crls: &["TrustAnchorRootCRL", "inhibitAnyPolicy5CACRL", "inhibitAnyPolicy5subCACRL", "inhibitAnyPolicy5subsubCACRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.12.6",
        ee: "InvalidinhibitAnyPolicyTest6EE",
        cas: &["inhibitAnyPolicy1CACert", "inhibitAnyPolicy1subCAIAP5Cert"],
        crls: &["TrustAnchorRootCRL", "inhibitAnyPolicy1CACRL", "inhibitAnyPolicy1subCAIAP5CRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.12.7",
        ee: "ValidSelfIssuedinhibitAnyPolicyTest7EE",
        cas: &["inhibitAnyPolicy1CACert", "inhibitAnyPolicy1SelfIssuedCACert", "inhibitAnyPolicy1subCA2Cert"],
        crls: &["TrustAnchorRootCRL", "inhibitAnyPolicy1CACRL", "inhibitAnyPolicy1subCA2CRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.12.8",
        ee: "InvalidSelfIssuedinhibitAnyPolicyTest8EE",
        cas: &["inhibitAnyPolicy1CACert", "inhibitAnyPolicy1SelfIssuedCACert", "inhibitAnyPolicy1subCA2Cert", "inhibitAnyPolicy1subsubCA2Cert"],
        crls: &["TrustAnchorRootCRL", "inhibitAnyPolicy1CACRL", "inhibitAnyPolicy1subCA2CRL", "inhibitAnyPolicy1subsubCA2CRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.12.9",
        ee: "ValidSelfIssuedinhibitAnyPolicyTest9EE",
        cas: &["inhibitAnyPolicy1CACert", "inhibitAnyPolicy1SelfIssuedCACert", "inhibitAnyPolicy1subCA2Cert", "inhibitAnyPolicy1SelfIssuedsubCA2Cert"],
        crls: &["TrustAnchorRootCRL", "inhibitAnyPolicy1CACRL", "inhibitAnyPolicy1subCA2CRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.12.10",
        ee: "InvalidSelfIssuedinhibitAnyPolicyTest10EE",
        cas: &["inhibitAnyPolicy1CACert", "inhibitAnyPolicy1SelfIssuedCACert", "inhibitAnyPolicy1subCA2Cert"],
        crls: &["TrustAnchorRootCRL", "inhibitAnyPolicy1CACRL", "inhibitAnyPolicy1subCA2CRL"],
        pkits: Invalid(codes::CERT_POLICY),
        ours: None,
    },
    Row {
        id: "4.13.1",
        ee: "ValidDNnameConstraintsTest1EE",
        cas: &["nameConstraintsDN1CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN1CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.2",
        ee: "InvalidDNnameConstraintsTest2EE",
        cas: &["nameConstraintsDN1CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN1CACRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.3",
        ee: "InvalidDNnameConstraintsTest3EE",
        cas: &["nameConstraintsDN1CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN1CACRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.4",
        ee: "ValidDNnameConstraintsTest4EE",
        cas: &["nameConstraintsDN1CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN1CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.5",
        ee: "ValidDNnameConstraintsTest5EE",
        cas: &["nameConstraintsDN2CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN2CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.6",
        ee: "ValidDNnameConstraintsTest6EE",
        cas: &["nameConstraintsDN3CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN3CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.7",
        ee: "InvalidDNnameConstraintsTest7EE",
        cas: &["nameConstraintsDN3CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN3CACRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.8",
        ee: "InvalidDNnameConstraintsTest8EE",
        cas: &["nameConstraintsDN4CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN4CACRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.9",
        ee: "InvalidDNnameConstraintsTest9EE",
        cas: &["nameConstraintsDN4CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN4CACRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.10",
        ee: "InvalidDNnameConstraintsTest10EE",
        cas: &["nameConstraintsDN5CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN5CACRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.11",
        ee: "ValidDNnameConstraintsTest11EE",
        cas: &["nameConstraintsDN5CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN5CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.12",
        ee: "InvalidDNnameConstraintsTest12EE",
        cas: &["nameConstraintsDN1CACert", "nameConstraintsDN1subCA1Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN1CACRL", "nameConstraintsDN1subCA1CRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.13",
        ee: "InvalidDNnameConstraintsTest13EE",
        cas: &["nameConstraintsDN1CACert", "nameConstraintsDN1subCA2Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN1CACRL", "nameConstraintsDN1subCA2CRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.14",
        ee: "ValidDNnameConstraintsTest14EE",
        cas: &["nameConstraintsDN1CACert", "nameConstraintsDN1subCA2Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN1CACRL", "nameConstraintsDN1subCA2CRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.15",
        ee: "InvalidDNnameConstraintsTest15EE",
        cas: &["nameConstraintsDN3CACert", "nameConstraintsDN3subCA1Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN3CACRL", "nameConstraintsDN3subCA1CRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.16",
        ee: "InvalidDNnameConstraintsTest16EE",
        cas: &["nameConstraintsDN3CACert", "nameConstraintsDN3subCA1Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN3CACRL", "nameConstraintsDN3subCA1CRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.17",
        ee: "InvalidDNnameConstraintsTest17EE",
        cas: &["nameConstraintsDN3CACert", "nameConstraintsDN3subCA2Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN3CACRL", "nameConstraintsDN3subCA2CRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.18",
        ee: "ValidDNnameConstraintsTest18EE",
        cas: &["nameConstraintsDN3CACert", "nameConstraintsDN3subCA2Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN3CACRL", "nameConstraintsDN3subCA2CRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.19",
        ee: "ValidDNnameConstraintsTest19EE",
        cas: &["nameConstraintsDN1CACert", "nameConstraintsDN1SelfIssuedCACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN1CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.20",
        ee: "InvalidDNnameConstraintsTest20EE",
        cas: &["nameConstraintsDN1CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN1CACRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.21",
        ee: "ValidRFC822nameConstraintsTest21EE",
        cas: &["nameConstraintsRFC822CA1Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsRFC822CA1CRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.22",
        ee: "InvalidRFC822nameConstraintsTest22EE",
        cas: &["nameConstraintsRFC822CA1Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsRFC822CA1CRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.23",
        ee: "ValidRFC822nameConstraintsTest23EE",
        cas: &["nameConstraintsRFC822CA2Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsRFC822CA2CRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.24",
        ee: "InvalidRFC822nameConstraintsTest24EE",
        cas: &["nameConstraintsRFC822CA2Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsRFC822CA2CRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.25",
        ee: "ValidRFC822nameConstraintsTest25EE",
        cas: &["nameConstraintsRFC822CA3Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsRFC822CA3CRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.26",
        ee: "InvalidRFC822nameConstraintsTest26EE",
        cas: &["nameConstraintsRFC822CA3Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsRFC822CA3CRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.27",
        ee: "ValidDNandRFC822nameConstraintsTest27EE",
        cas: &["nameConstraintsDN1CACert", "nameConstraintsDN1subCA3Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN1CACRL", "nameConstraintsDN1subCA3CRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.28",
        ee: "InvalidDNandRFC822nameConstraintsTest28EE",
        cas: &["nameConstraintsDN1CACert", "nameConstraintsDN1subCA3Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN1CACRL", "nameConstraintsDN1subCA3CRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.29",
        ee: "InvalidDNandRFC822nameConstraintsTest29EE",
        cas: &["nameConstraintsDN1CACert", "nameConstraintsDN1subCA3Cert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDN1CACRL", "nameConstraintsDN1subCA3CRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.30",
        ee: "ValidDNSnameConstraintsTest30EE",
        cas: &["nameConstraintsDNS1CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDNS1CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.31",
        ee: "InvalidDNSnameConstraintsTest31EE",
        cas: &["nameConstraintsDNS1CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDNS1CACRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.32",
        ee: "ValidDNSnameConstraintsTest32EE",
        cas: &["nameConstraintsDNS2CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDNS2CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.33",
        ee: "InvalidDNSnameConstraintsTest33EE",
        cas: &["nameConstraintsDNS2CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDNS2CACRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.34",
        ee: "ValidURInameConstraintsTest34EE",
        cas: &["nameConstraintsURI1CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsURI1CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.35",
        ee: "InvalidURInameConstraintsTest35EE",
        cas: &["nameConstraintsURI1CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsURI1CACRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.36",
        ee: "ValidURInameConstraintsTest36EE",
        cas: &["nameConstraintsURI2CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsURI2CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.13.37",
        ee: "InvalidURInameConstraintsTest37EE",
        cas: &["nameConstraintsURI2CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsURI2CACRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.13.38",
        ee: "InvalidDNSnameConstraintsTest38EE",
        cas: &["nameConstraintsDNS1CACert"],
        crls: &["TrustAnchorRootCRL", "nameConstraintsDNS1CACRL"],
        pkits: Invalid(codes::CERT_NAME_CONSTRAINTS),
        ours: None,
    },
    Row {
        id: "4.14.1",
        ee: "ValiddistributionPointTest1EE",
        cas: &["distributionPoint1CACert"],
        crls: &["TrustAnchorRootCRL", "distributionPoint1CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.2",
        ee: "InvaliddistributionPointTest2EE",
        cas: &["distributionPoint1CACert"],
        crls: &["TrustAnchorRootCRL", "distributionPoint1CACRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.14.3",
        ee: "InvaliddistributionPointTest3EE",
        cas: &["distributionPoint1CACert"],
        crls: &["TrustAnchorRootCRL", "distributionPoint1CACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.14.4",
        ee: "ValiddistributionPointTest4EE",
        cas: &["distributionPoint1CACert"],
        crls: &["TrustAnchorRootCRL", "distributionPoint1CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.5",
        ee: "ValiddistributionPointTest5EE",
        cas: &["distributionPoint2CACert"],
        crls: &["TrustAnchorRootCRL", "distributionPoint2CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.6",
        ee: "InvaliddistributionPointTest6EE",
        cas: &["distributionPoint2CACert"],
        crls: &["TrustAnchorRootCRL", "distributionPoint2CACRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.14.7",
        ee: "ValiddistributionPointTest7EE",
        cas: &["distributionPoint2CACert"],
        crls: &["TrustAnchorRootCRL", "distributionPoint2CACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.8",
        ee: "InvaliddistributionPointTest8EE",
        cas: &["distributionPoint2CACert"],
        crls: &["TrustAnchorRootCRL", "distributionPoint2CACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.14.9",
        ee: "InvaliddistributionPointTest9EE",
        cas: &["distributionPoint2CACert"],
        crls: &["TrustAnchorRootCRL", "distributionPoint2CACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.14.10",
        ee: "ValidNoissuingDistributionPointTest10EE",
        cas: &["NoissuingDistributionPointCACert"],
        crls: &["NoissuingDistributionPointCACRL", "TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.11",
        ee: "InvalidonlyContainsUserCertsTest11EE",
        cas: &["onlyContainsUserCertsCACert"],
        crls: &["TrustAnchorRootCRL", "onlyContainsUserCertsCACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.14.12",
        ee: "InvalidonlyContainsCACertsTest12EE",
        cas: &["onlyContainsCACertsCACert"],
        crls: &["TrustAnchorRootCRL", "onlyContainsCACertsCACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.14.13",
        ee: "ValidonlyContainsCACertsTest13EE",
        cas: &["onlyContainsCACertsCACert"],
        crls: &["TrustAnchorRootCRL", "onlyContainsCACertsCACRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.14",
        ee: "InvalidonlyContainsAttributeCertsTest14EE",
        cas: &["onlyContainsAttributeCertsCACert"],
        crls: &["TrustAnchorRootCRL", "onlyContainsAttributeCertsCACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.14.15",
        ee: "InvalidonlySomeReasonsTest15EE",
        cas: &["onlySomeReasonsCA1Cert"],
        crls: &["TrustAnchorRootCRL", "onlySomeReasonsCA1compromiseCRL", "onlySomeReasonsCA1otherreasonsCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.14.16",
        ee: "InvalidonlySomeReasonsTest16EE",
        cas: &["onlySomeReasonsCA1Cert"],
        crls: &["TrustAnchorRootCRL", "onlySomeReasonsCA1compromiseCRL", "onlySomeReasonsCA1otherreasonsCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.14.17",
        ee: "InvalidonlySomeReasonsTest17EE",
        cas: &["onlySomeReasonsCA2Cert"],
        crls: &["TrustAnchorRootCRL", "onlySomeReasonsCA2CRL1", "onlySomeReasonsCA2CRL2"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.14.18",
        ee: "ValidonlySomeReasonsTest18EE",
        cas: &["onlySomeReasonsCA3Cert"],
        crls: &["TrustAnchorRootCRL", "onlySomeReasonsCA3compromiseCRL", "onlySomeReasonsCA3otherreasonsCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.19",
        ee: "ValidonlySomeReasonsTest19EE",
        cas: &["onlySomeReasonsCA4Cert"],
        crls: &["TrustAnchorRootCRL", "onlySomeReasonsCA4compromiseCRL", "onlySomeReasonsCA4otherreasonsCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.20",
        ee: "InvalidonlySomeReasonsTest20EE",
        cas: &["onlySomeReasonsCA4Cert"],
        crls: &["TrustAnchorRootCRL", "onlySomeReasonsCA4compromiseCRL", "onlySomeReasonsCA4otherreasonsCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.14.21",
        ee: "InvalidonlySomeReasonsTest21EE",
        cas: &["onlySomeReasonsCA4Cert"],
        crls: &["TrustAnchorRootCRL", "onlySomeReasonsCA4compromiseCRL", "onlySomeReasonsCA4otherreasonsCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.14.22",
        ee: "ValidIDPwithindirectCRLTest22EE",
        cas: &["indirectCRLCA1Cert"],
        crls: &["TrustAnchorRootCRL", "indirectCRLCA1CRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.23",
        ee: "InvalidIDPwithindirectCRLTest23EE",
        cas: &["indirectCRLCA1Cert"],
        crls: &["TrustAnchorRootCRL", "indirectCRLCA1CRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.14.24",
        ee: "ValidIDPwithindirectCRLTest24EE",
        cas: &["indirectCRLCA2Cert", "indirectCRLCA1Cert"],
        crls: &["TrustAnchorRootCRL", "indirectCRLCA1CRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.25",
        ee: "ValidIDPwithindirectCRLTest25EE",
        cas: &["indirectCRLCA2Cert", "indirectCRLCA1Cert"],
        crls: &["TrustAnchorRootCRL", "indirectCRLCA1CRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.26",
        ee: "InvalidIDPwithindirectCRLTest26EE",
        cas: &["indirectCRLCA2Cert", "indirectCRLCA1Cert"],
        crls: &["TrustAnchorRootCRL", "indirectCRLCA1CRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: Some((Valid, "the certificate's issuer published none of the supplied CRLs (its revocation information is an indirect CRL under another issuer's name), so it is not revocation-checked (crate rule 1)")),
    },
    Row {
        id: "4.14.27",
        ee: "InvalidcRLIssuerTest27EE",
        cas: &["indirectCRLCA2Cert", "GoodCACert"],
        crls: &["GoodCACRL", "TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: Some((Valid, "the certificate's issuer published none of the supplied CRLs (its revocation information is an indirect CRL under another issuer's name), so it is not revocation-checked (crate rule 1)")),
    },
    Row {
        id: "4.14.28",
        ee: "ValidcRLIssuerTest28EE",
        cas: &["indirectCRLCA3Cert", "indirectCRLCA3cRLIssuerCert"],
        crls: &["TrustAnchorRootCRL", "indirectCRLCA3CRL", "indirectCRLCA3cRLIssuerCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.29",
        ee: "ValidcRLIssuerTest29EE",
        cas: &["indirectCRLCA3Cert", "indirectCRLCA3cRLIssuerCert"],
        crls: &["TrustAnchorRootCRL", "indirectCRLCA3CRL", "indirectCRLCA3cRLIssuerCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.30",
        ee: "ValidcRLIssuerTest30EE",
        cas: &["indirectCRLCA4Cert", "indirectCRLCA4cRLIssuerCert"],
        crls: &["TrustAnchorRootCRL", "indirectCRLCA4cRLIssuerCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.31",
        ee: "InvalidcRLIssuerTest31EE",
        cas: &["indirectCRLCA6Cert", "indirectCRLCA5Cert"],
        crls: &["TrustAnchorRootCRL", "indirectCRLCA5CRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: Some((Valid, "the certificate's issuer published none of the supplied CRLs (its revocation information is an indirect CRL under another issuer's name), so it is not revocation-checked (crate rule 1)")),
    },
    Row {
        id: "4.14.32",
        ee: "InvalidcRLIssuerTest32EE",
        cas: &["indirectCRLCA6Cert", "indirectCRLCA5Cert"],
        crls: &["TrustAnchorRootCRL", "indirectCRLCA5CRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: Some((Valid, "the certificate's issuer published none of the supplied CRLs (its revocation information is an indirect CRL under another issuer's name), so it is not revocation-checked (crate rule 1)")),
    },
    Row {
        id: "4.14.33",
        ee: "ValidcRLIssuerTest33EE",
        cas: &["indirectCRLCA6Cert", "indirectCRLCA5Cert"],
        crls: &["TrustAnchorRootCRL", "indirectCRLCA5CRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.14.34",
        ee: "InvalidcRLIssuerTest34EE",
        cas: &["indirectCRLCA5Cert"],
        crls: &["TrustAnchorRootCRL", "indirectCRLCA5CRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.14.35",
        ee: "InvalidcRLIssuerTest35EE",
        cas: &["indirectCRLCA5Cert", "indirectCRLCA6Cert"],
        crls: &["TrustAnchorRootCRL", "indirectCRLCA5CRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.15.1",
        ee: "InvaliddeltaCRLIndicatorNoBaseTest1EE",
        cas: &["deltaCRLIndicatorNoBaseCACert"],
        crls: &["TrustAnchorRootCRL", "deltaCRLIndicatorNoBaseCACRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.15.2",
        ee: "ValiddeltaCRLTest2EE",
        cas: &["deltaCRLCA1Cert"],
        crls: &["TrustAnchorRootCRL", "deltaCRLCA1CRL", "deltaCRLCA1deltaCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.15.3",
        ee: "InvaliddeltaCRLTest3EE",
        cas: &["deltaCRLCA1Cert"],
        crls: &["TrustAnchorRootCRL", "deltaCRLCA1CRL", "deltaCRLCA1deltaCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.15.4",
        ee: "InvaliddeltaCRLTest4EE",
        cas: &["deltaCRLCA1Cert"],
        crls: &["TrustAnchorRootCRL", "deltaCRLCA1CRL", "deltaCRLCA1deltaCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.15.5",
        ee: "ValiddeltaCRLTest5EE",
        cas: &["deltaCRLCA1Cert"],
        crls: &["TrustAnchorRootCRL", "deltaCRLCA1CRL", "deltaCRLCA1deltaCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.15.6",
        ee: "InvaliddeltaCRLTest6EE",
        cas: &["deltaCRLCA1Cert"],
        crls: &["TrustAnchorRootCRL", "deltaCRLCA1CRL", "deltaCRLCA1deltaCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.15.7",
        ee: "ValiddeltaCRLTest7EE",
        cas: &["deltaCRLCA1Cert"],
        crls: &["TrustAnchorRootCRL", "deltaCRLCA1CRL", "deltaCRLCA1deltaCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.15.8",
        ee: "ValiddeltaCRLTest8EE",
        cas: &["deltaCRLCA2Cert"],
        crls: &["TrustAnchorRootCRL", "deltaCRLCA2CRL", "deltaCRLCA2deltaCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.15.9",
        ee: "InvaliddeltaCRLTest9EE",
        cas: &["deltaCRLCA2Cert"],
        crls: &["TrustAnchorRootCRL", "deltaCRLCA2CRL", "deltaCRLCA2deltaCRL"],
        pkits: Invalid(codes::CERT_REVOKED),
        ours: None,
    },
    Row {
        id: "4.15.10",
        ee: "InvaliddeltaCRLTest10EE",
        cas: &["deltaCRLCA3Cert"],
        crls: &["TrustAnchorRootCRL", "deltaCRLCA3CRL", "deltaCRLCA3deltaCRL"],
        pkits: Invalid(codes::CERT_REVOCATION_UNKNOWN),
        ours: None,
    },
    Row {
        id: "4.16.1",
        ee: "ValidUnknownNotCriticalCertificateExtensionTest1EE",
        cas: &[],
        crls: &["TrustAnchorRootCRL"],
        pkits: Valid,
        ours: None,
    },
    Row {
        id: "4.16.2",
        ee: "InvalidUnknownCriticalCertificateExtensionTest2EE",
        cas: &[],
        crls: &["TrustAnchorRootCRL"],
        pkits: Invalid(codes::CERT_UNKNOWN_CRITICAL_EXTENSION),
        ours: None,
    },
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/pkits")
}

fn read(sub: &str, stem: &str, ext: &str) -> Vec<u8> {
    let p = dir().join(sub).join(format!("{stem}.{ext}"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn cert(stem: &str) -> Certificate {
    Certificate::from_der(&read("certs", stem, "crt")).unwrap_or_else(|e| panic!("{stem}: {e}"))
}

/// Validate the row's end-entity certificate. One that cannot be decoded never reaches
/// [`trust::validate`] (which takes a decoded certificate): it is `cert-malformed`, as the
/// S/MIME verifier reports a certificate it cannot decode.
fn run(row: &Row) -> PathResult {
    let leaf = match Certificate::from_der(&read("certs", row.ee, "crt")) {
        Ok(c) => c,
        Err(e) => {
            return PathResult {
                trusted: false,
                chain: vec![],
                path: vec![],
                problems: vec![mmhs::Problem::new(
                    codes::CERT_MALFORMED,
                    format!("{} cannot be decoded: {e}", row.ee),
                )],
                notes: vec![],
            }
        }
    };
    let ders: Vec<Vec<u8>> = row.crls.iter().map(|c| read("crls", c, "crl")).collect();
    let (crls, problems) = trust::decode_crls(&ders);
    assert!(problems.is_empty(), "{}: {problems:?}", row.id);
    let extra: Vec<Certificate> = row.cas.iter().map(|c| cert(c)).collect();
    let ctx = TrustContext {
        anchors: vec![cert("TrustAnchorRootCertificate")],
        intermediates: vec![],
        crls,
        at: time::OffsetDateTime::from_unix_timestamp(AT_UNIX).unwrap(),
    };
    trust::validate(&leaf, &extra, &ctx, Purpose::Signing)
}

fn matches(r: &PathResult, o: Outcome) -> bool {
    match o {
        Valid => r.trusted && r.problems.is_empty(),
        Invalid(code) => !r.trusted && r.problems.iter().any(|p| p.code == code),
    }
}

fn describe(r: &PathResult) -> String {
    let problems: Vec<String> = r
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.code, p.message))
        .collect();
    format!("trusted={} problems={problems:?}", r.trusted)
}

/// Run every row of PKITS section `section` ("4.1", …) and fail once with all mismatches.
fn section(section: &str) {
    let prefix = format!("{section}.");
    let deviations: BTreeMap<&str, (Outcome, &str)> = KNOWN_DEVIATIONS
        .iter()
        .map(|&(id, o, why)| (id, (o, why)))
        .collect();
    let mut ran = 0;
    let mut mismatches = Vec::new();
    for row in ROWS.iter().filter(|r| r.id.starts_with(&prefix)) {
        ran += 1;
        let r = run(row);
        let (want, what) = match deviations.get(row.id) {
            Some(&(o, why)) => (o, format!("known deviation ({why})")),
            None => (row.expected(), "expected".to_string()),
        };
        if !matches(&r, want) {
            mismatches.push(format!(
                "{} {}: {what} {want:?} (PKITS {:?}), got {}",
                row.id,
                row.ee.trim_end_matches("EE"),
                row.pkits,
                describe(&r)
            ));
        }
    }
    assert!(ran > 0, "no rows for section {section}");
    assert!(
        mismatches.is_empty(),
        "{} of {ran} PKITS {section} rows mismatch:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn table_is_consistent() {
    let mut ids = std::collections::BTreeSet::new();
    for row in ROWS {
        assert!(ids.insert(row.id), "duplicate row {}", row.id);
        assert!(row.ee.ends_with("EE"), "{}", row.id);
        assert!(row.crls.contains(&"TrustAnchorRootCRL"), "{}", row.id);
        if let Some((o, why)) = row.ours {
            assert_ne!(o, row.pkits, "{}: `ours` equal to PKITS", row.id);
            assert!(why.contains("crate rule"), "{}", row.id);
        }
    }
    for &(id, o, _) in KNOWN_DEVIATIONS {
        let row = ROWS
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("deviation {id} has no row"));
        assert_ne!(o, row.expected(), "deviation {id} equal to the expectation");
    }
}

#[test]
fn section_4_1_signature_verification() {
    section("4.1");
}

#[test]
fn section_4_2_validity_periods() {
    section("4.2");
}

#[test]
fn section_4_3_verifying_name_chaining() {
    section("4.3");
}

#[test]
fn section_4_4_basic_certificate_revocation() {
    section("4.4");
}

#[test]
fn section_4_5_self_issued_certificates() {
    section("4.5");
}

#[test]
fn section_4_6_basic_constraints() {
    section("4.6");
}

#[test]
fn section_4_7_key_usage() {
    section("4.7");
}

#[test]
fn section_4_8_certificate_policies() {
    section("4.8");
}

#[test]
fn section_4_9_require_explicit_policy() {
    section("4.9");
}

#[test]
fn section_4_10_policy_mappings() {
    section("4.10");
}

#[test]
fn section_4_11_inhibit_policy_mapping() {
    section("4.11");
}

#[test]
fn section_4_12_inhibit_any_policy() {
    section("4.12");
}

#[test]
fn section_4_13_name_constraints() {
    section("4.13");
}

#[test]
fn section_4_14_distribution_points() {
    section("4.14");
}

#[test]
fn section_4_15_delta_crls() {
    section("4.15");
}

#[test]
fn section_4_16_private_certificate_extensions() {
    section("4.16");
}

/// RFC 5280 §6.3.3 (f): a CRL signed by another key of its issuer's name counts only when
/// that key's certificate is known and its own path validates. PKITS §4.4.19 and §4.5.6
/// without the CRL-signing certificate: the CRL cannot be used, so the end entity's status
/// is unknown — never "not revoked"; with it, valid; and the revoked end entities of
/// §4.4.20 and §4.5.7 are revoked only through it.
#[test]
fn a_crl_of_another_key_needs_that_key_s_validated_certificate() {
    let row = |id: &str| ROWS.iter().find(|r| r.id == id).expect("a PKITS row");
    for (id, signer) in [
        ("4.4.19", "SeparateCertificateandCRLKeysCRLSigningCert"),
        ("4.4.20", "SeparateCertificateandCRLKeysCRLSigningCert"),
        ("4.5.6", "BasicSelfIssuedCRLSigningKeyCRLCert"),
        ("4.5.7", "BasicSelfIssuedCRLSigningKeyCRLCert"),
    ] {
        let full = row(id);
        let cas: Vec<&'static str> = full.cas.iter().copied().filter(|c| *c != signer).collect();
        let without = Row {
            id: full.id,
            ee: full.ee,
            cas: Box::leak(cas.into_boxed_slice()),
            crls: full.crls,
            pkits: full.pkits,
            ours: None,
        };
        let r = run(&without);
        assert!(
            matches(&r, Invalid(codes::CERT_REVOCATION_UNKNOWN)),
            "{id} without {signer}: {}",
            describe(&r)
        );
        assert!(matches(&run(full), full.expected()), "{id}");
    }
}

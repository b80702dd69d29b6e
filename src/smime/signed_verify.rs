//! Verifying the SignerInfos of one SignedData (RFC 5652 §5.4–5.6) and their
//! countersignatures (RFC 5652 §11.4). Our code, on the `cms` / `x509-cert` value types and the
//! RustCrypto primitives: the verification logic is ours (docs/design.md).
//!
//! Per SignerInfo: the digest of the content octets (not their encoding) is computed once per
//! digest algorithm; with signedAttrs, contentType and messageDigest must each be present
//! exactly once with one value and match; every attribute we understand must be well formed
//! and single where RFC 5652 / 8551 / 2634 say so; the signature is checked over the DER of
//! the signed attributes *as received*. Countersignatures sign the countersigned SignerInfo's
//! signature value and must not carry contentType. Weak signature algorithms (SHA-1, DSA)
//! are judged by the caller's [`AlgorithmPolicy`].

use std::collections::HashMap;

use x509_cert::Certificate;

use super::algorithms::{self, DigestAlg, VerifyFailure};
use super::attributes;
use super::receipt_request::ReceiptRequest;
use super::sig_type;
use super::signed_parse::{parse_signer_info, ParsedSignedData, ParsedSignerInfo};
use super::signer_certificate::{CertIndex, Resolution};
use crate::algorithm_policy::{self, AlgorithmPolicy, Judged};
use crate::asn1::oid::ID_DATA;
use crate::asn1::oid::{CONTENT_TYPE, COUNTERSIGNATURE, MESSAGE_DIGEST};
use crate::cancel::{is_cancelled, Cancel};
use crate::report::{Problem, SecurityLabel, SignatureTypes};
use crate::trust::SignatureChecks;

/// Several different certificates match one SignerIdentifier (same issuer and serial number,
/// or same subjectKeyIdentifier): the signature is attributed to none of them.
pub const SIGNER_CERT_AMBIGUOUS: &str = "signer-cert-ambiguous";

/// Maximum nesting of countersignatures we follow.
pub const MAX_COUNTERSIGNATURE_DEPTH: usize = 8;

/// Most signature values (SignerInfos and countersignatures, every layer together) checked
/// for one message. Each costs a public-key operation; real messages carry a handful (an
/// originator, a few officers, a domain signature), so 64 leaves ample room while a message
/// of many thousands of SignerInfos stays bounded work.
pub const MAX_SIGNATURES: usize = 64;

/// Too many signatures in one message: those beyond [`MAX_SIGNATURES`] are not checked.
pub const SIGNATURE_LIMIT: &str = "signature-limit";

/// What is left of [`MAX_SIGNATURES`] for one message (shared by its layers), the
/// caller's cancellation flag (a cancelled verification checks no further signature), and
/// the provider's answers to signature values, if a provider checks them
/// ([`crate::trust::SignatureChecks`]).
#[derive(Debug)]
pub struct SignatureBudget(
    std::cell::Cell<usize>,
    Option<Cancel>,
    Option<SignatureChecks>,
);

impl Default for SignatureBudget {
    fn default() -> Self {
        SignatureBudget(std::cell::Cell::new(MAX_SIGNATURES), None, None)
    }
}

impl SignatureBudget {
    /// The full budget, spent no further once `cancel` is set.
    pub fn with_cancel(cancel: Option<Cancel>) -> Self {
        SignatureBudget(std::cell::Cell::new(MAX_SIGNATURES), cancel, None)
    }

    /// Signature values answered by `checks` before the pure-Rust verification.
    #[must_use]
    pub fn with_signature_checks(mut self, checks: Option<SignatureChecks>) -> Self {
        self.2 = checks;
        self
    }

    /// Take one signature check; false when the budget is spent or the caller cancelled.
    fn take(&self) -> bool {
        let left = self.0.get();
        if left == 0 || is_cancelled(self.1.as_ref()) {
            return false;
        }
        self.0.set(left - 1);
        true
    }
}

/// The outcome of checking one SignerInfo (or countersignature) at the CMS level: the
/// certificate its SignerIdentifier names (see [`super::signer_certificate`]), whether the
/// signature and its attributes verify, and the countersignatures over its signature value.
/// Trust is not judged here (`crate::verify` does it with exactly [`SignerCheck::cert`]).
#[derive(Debug, Clone, Default)]
pub struct SignerCheck {
    /// Position of the SignerInfo in its SignedData, in encoding order (0 for a
    /// countersignature).
    pub index: usize,
    /// The signer's identity: here the SignerIdentifier as text; the receive pipeline
    /// (`crate::verify::signers::name_signers`) replaces it with the identity of
    /// [`SignerCheck::cert`] when there is one.
    pub signer: String,
    /// The one certificate the SignerIdentifier names; `None` when none or several do.
    pub cert: Option<Certificate>,
    /// Signature and attributes verify with [`SignerCheck::cert`].
    pub valid: bool,
    /// Problems found.
    pub problems: Vec<Problem>,
    /// Weak algorithms the algorithm policy accepted (`weak-algorithm-accepted`).
    pub notes: Vec<Problem>,
    /// eSSSecurityLabel.
    pub label: Option<SecurityLabel>,
    /// signatureType values, in encoding order; empty when the attribute is absent (or
    /// malformed).
    pub signature_types: SignatureTypes,
    /// signingTime.
    pub signing_time: Option<time::OffsetDateTime>,
    /// mlExpansionHistory (RFC 2634 §4.4), when the SignerInfo carries one.
    pub ml_history: Option<super::ml_expansion::MlExpansionHistory>,
    /// Digest algorithm name (e.g. `sha-256`) or OID.
    pub digest_algorithm: String,
    /// Signature algorithm name or OID.
    pub signature_algorithm: String,
    /// Countersignatures found in unsignedAttrs (RFC 5652 §11.4), each over this signature value.
    pub countersignatures: Vec<SignerCheck>,
    /// The signature value (what a signed receipt's originatorSignatureValue names, RFC 2634
    /// §2.8).
    pub signature_value: Vec<u8>,
    /// The DER of the signed attributes as received (what msgSigDigest digests, RFC 2634 §2.4).
    pub signed_attrs_der: Option<Vec<u8>>,
    /// The digest algorithm, when supported.
    pub digest: Option<DigestAlg>,
    /// The contentType signed attribute, when present and well formed.
    pub content_type: Option<const_oid::ObjectIdentifier>,
    /// receiptRequest (RFC 2634 §2.2), when present and well formed.
    pub receipt_request: Option<ReceiptRequest>,
    /// msgSigDigest (RFC 2634 §2.10), when present and well formed.
    pub msg_sig_digest: Option<Vec<u8>>,
    /// Whether an mlExpansionHistory signed attribute is present (RFC 2634 §4.2: the message
    /// went through a mailing list).
    pub ml_expansion_history: bool,
}

impl SignerCheck {
    /// The e-mail addresses of the certificate the SignerIdentifier names.
    pub fn emails(&self) -> Vec<String> {
        self.cert
            .as_ref()
            .map(crate::trust::email_addresses)
            .unwrap_or_default()
    }

    /// The certificate's subject DN (RFC 4514 string), when the certificate was found.
    pub fn subject(&self) -> Option<String> {
        self.cert.as_ref().map(crate::trust::subject_string)
    }
}

/// What the signature covers.
pub enum Covered<'c> {
    /// Content of a SignedData with this eContentType (cached digests per algorithm).
    Content {
        /// Content octets.
        octets: &'c [u8],
        /// eContentType.
        econtent_type: const_oid::ObjectIdentifier,
    },
    /// A countersignature: the countersigned signature value.
    Countersigned(&'c [u8]),
}

/// A digest cache: one pass over the content per digest algorithm, or none when the
/// provider already answered for these exact octets ([`DigestCache::answered`]).
#[derive(Default)]
pub struct DigestCache {
    answers: HashMap<DigestAlg, Vec<u8>>,
    /// Algorithms whose digest of the content the provider is still computing
    /// ([`Self::expecting`]).
    expected: Vec<DigestAlg>,
    /// Where the content lies in the message the expected digests are of.
    expected_range: std::ops::Range<usize>,
    /// The digests taken from messageDigest attributes for `expected` algorithms.
    claimed: Vec<(DigestAlg, Vec<u8>)>,
}

impl DigestCache {
    /// A cache holding the provider's digests of the content about to be checked (each a
    /// `DigestRequest` answer over exactly that content, RFC 5652 §5.4).
    pub fn answered(digests: impl IntoIterator<Item = (DigestAlg, Vec<u8>)>) -> Self {
        DigestCache {
            answers: digests
                .into_iter()
                .filter(|(alg, d)| d.len() == alg.output_len())
                .collect(),
            ..DigestCache::default()
        }
    }

    /// The provider is still computing the digest with `algs` of the content, octets
    /// `range` of the message: a SignerInfo with signed attributes takes its messageDigest
    /// value as that digest for now, and the claim is kept ([`Self::take_claims`]) for the
    /// caller to confirm with the provider's answer before anything the check says stands.
    pub(crate) fn expecting(
        mut self,
        range: std::ops::Range<usize>,
        algs: impl IntoIterator<Item = DigestAlg>,
    ) -> Self {
        self.expected.extend(algs);
        self.expected_range = range;
        self
    }

    /// The digests taken for expected algorithms ([`Self::expecting`]), with the range they
    /// are of.
    pub(crate) fn take_claims(&mut self) -> (std::ops::Range<usize>, Vec<(DigestAlg, Vec<u8>)>) {
        (
            self.expected_range.clone(),
            std::mem::take(&mut self.claimed),
        )
    }

    /// The content's digest with `alg`: the provider's answer; else, for an expected
    /// algorithm, `claimed` (the signed messageDigest), recorded as a claim; else computed.
    fn get(&mut self, alg: DigestAlg, data: &[u8], claimed: Option<&[u8]>) -> Vec<u8> {
        if let Some(d) = self.answers.get(&alg) {
            return d.clone();
        }
        if let Some(c) = claimed.filter(|c| c.len() == alg.output_len()) {
            if self.expected.contains(&alg) {
                self.claimed.push((alg, c.to_vec()));
                return c.to_vec();
            }
        }
        self.answers
            .entry(alg)
            .or_insert_with(|| alg.hash(data))
            .clone()
    }
}

fn p(code: &str, msg: impl Into<String>) -> Problem {
    Problem::new(code, msg)
}

/// Check one SignerInfo over what it covers, with the certificate its SignerIdentifier names
/// in `certs` (and nothing else).
pub fn check_signer(
    si: &ParsedSignerInfo<'_>,
    covered: &Covered<'_>,
    certs: &CertIndex<'_>,
    cache: &mut DigestCache,
    budget: &SignatureBudget,
    policy: &AlgorithmPolicy,
    depth: usize,
) -> SignerCheck {
    let mut out = SignerCheck {
        digest_algorithm: algorithms::name(&si.digest_alg.oid),
        signature_algorithm: algorithms::name(&si.signature_alg.oid),
        signature_value: si.signature.to_vec(),
        signed_attrs_der: si.signed_attrs_der.clone(),
        digest: DigestAlg::from_oid(&si.digest_alg.oid),
        signer: si.sid.describe(),
        ..SignerCheck::default()
    };
    if !budget.take() {
        out.problems.push(p(
            SIGNATURE_LIMIT,
            format!(
                "more than {MAX_SIGNATURES} signatures in one message: this one was not checked"
            ),
        ));
        return out;
    }
    let cert = match certs.resolve(&si.sid) {
        Resolution::Found(c) => Some(c.clone()),
        Resolution::NotFound => {
            out.problems.push(p(
                "signer-cert-not-found",
                format!("no certificate for signer {}", si.sid.describe()),
            ));
            None
        }
        Resolution::Ambiguous(n) => {
            out.problems.push(p(
                SIGNER_CERT_AMBIGUOUS,
                format!(
                    "{n} different certificates match signer {}: the SignerIdentifier does not name one certificate, so the signature is attributed to none of them",
                    si.sid.describe()
                ),
            ));
            None
        }
    };
    let Some(digest) = DigestAlg::from_oid(&si.digest_alg.oid) else {
        out.problems.push(p(
            "unsupported-algorithm",
            format!("digest algorithm {}", si.digest_alg.oid),
        ));
        return out;
    };
    // A provider is asked for the signature value over the signed attributes as soon as
    // the key is known (it may begin while the content's digest and the attributes are
    // checked); the answer is taken below, in order.
    if let (Some(checks), Some(c), Some(der)) = (budget.2.as_ref(), &cert, &si.signed_attrs_der) {
        algorithms::ask_signature(
            checks,
            c.tbs_certificate().subject_public_key_info(),
            digest,
            &si.signature_alg,
            der,
            &si.signature,
        );
    }
    let content = match covered {
        Covered::Content { octets, .. } => *octets,
        Covered::Countersigned(sig) => *sig,
    };
    let message: &[u8] = match (&si.signed_attrs, &si.signed_attrs_der) {
        (Some(attrs), Some(der)) => {
            // Only signed attributes need the content's digest (RFC 5652 §5.4): without
            // them the signature is verified over the content itself.
            let content_digest = match covered {
                Covered::Content { octets, .. } => {
                    cache.get(digest, octets, signed_message_digest(attrs).as_deref())
                }
                Covered::Countersigned(sig) => digest.hash(sig),
            };
            check_signed_attributes(attrs, covered, &content_digest, cert.as_ref(), &mut out);
            der
        }
        _ => {
            if let Covered::Content { econtent_type, .. } = covered {
                if *econtent_type != ID_DATA {
                    out.problems.push(p(
                        "signed-attr-missing",
                        "signed attributes are required when the content type is not id-data",
                    ));
                }
            }
            content
        }
    };
    if let Some(c) = &cert {
        match algorithms::verify_signature_with(
            budget.2.as_ref(),
            c.tbs_certificate().subject_public_key_info(),
            digest,
            &si.signature_alg,
            message,
            &si.signature,
        ) {
            Ok(()) => {}
            Err(VerifyFailure::Invalid(m)) => out.problems.push(p("signature-invalid", m)),
            Err(VerifyFailure::Unsupported(m)) => out.problems.push(p("unsupported-algorithm", m)),
            Err(VerifyFailure::NoProvider(m)) => {
                out.problems.push(p(crate::trust::PROVIDER_UNSUPPORTED, m))
            }
        }
    }
    // The algorithm policy (RFC 8551 §2.7): a SHA-1 / DSA signature is not valid unless the
    // caller accepts weak algorithms. The signer's key size is judged with its path
    // (`crate::trust`).
    if let Some(w) = algorithm_policy::signature(Some(&si.digest_alg.oid), &si.signature_alg) {
        match policy.judge(&w.at("signature")) {
            Judged::Problem(pr) => out.problems.push(pr),
            Judged::Note(n) => out.notes.push(n),
        }
    }
    // Attributes that RFC 5652 §11 / RFC 8551 §2.5 / RFC 2634 require to be signed must not
    // appear unsigned (OpenSSL's bad_signtime_attr vector).
    for a in &si.unsigned_attrs {
        if attributes::SINGLE_VALUED.contains(&a.oid)
            || a.oid == crate::asn1::oid::SIGNING_CERTIFICATE
            || a.oid == crate::asn1::oid::EQUIVALENT_LABELS
        {
            out.problems.push(p(
                "attr-must-be-signed",
                format!("attribute {} must be a signed attribute", a.oid),
            ));
        }
    }
    out.valid = out.problems.is_empty() && cert.is_some();
    out.cert = cert;
    // Countersignatures over this signature value.
    for a in si
        .unsigned_attrs
        .iter()
        .filter(|a| a.oid == COUNTERSIGNATURE)
    {
        for v in &a.values {
            out.countersignatures.push(check_countersignature(
                v,
                &si.signature,
                certs,
                budget,
                policy,
                depth + 1,
            ));
        }
    }
    out
}

/// The value of the one messageDigest attribute among `attrs`, when it is well formed.
fn signed_message_digest(attrs: &[super::signed_parse::ParsedAttribute<'_>]) -> Option<Vec<u8>> {
    match attributes::single(attrs, MESSAGE_DIGEST) {
        Ok(Some(v)) => v
            .octet_string("messageDigest")
            .ok()
            .map(|d| d.as_ref().to_vec()),
        _ => None,
    }
}

fn check_signed_attributes(
    attrs: &[super::signed_parse::ParsedAttribute<'_>],
    covered: &Covered<'_>,
    content_digest: &[u8],
    cert: Option<&Certificate>,
    out: &mut SignerCheck,
) {
    // Single-instance, single-valued attributes.
    for oid in attributes::SINGLE_VALUED {
        if let Err(m) = attributes::single(attrs, oid) {
            out.problems.push(p("signed-attr-malformed", m));
        }
    }
    if attrs.iter().any(|a| a.oid == COUNTERSIGNATURE) {
        out.problems.push(p(
            "signed-attr-malformed",
            "countersignature must be an unsigned attribute",
        ));
    }
    // contentType.
    match (attributes::single(attrs, CONTENT_TYPE), covered) {
        (Ok(None), Covered::Content { .. }) => out.problems.push(p(
            "signed-attr-missing",
            "signed attributes without contentType (RFC 5652 §5.3)",
        )),
        (Ok(Some(_)), Covered::Countersigned(_)) => out.problems.push(p(
            "signed-attr-malformed",
            "a countersignature must not carry contentType (RFC 5652 §11.4)",
        )),
        (Ok(Some(v)), Covered::Content { econtent_type, .. }) => match v.oid("contentType") {
            Ok(ct) if ct == *econtent_type => out.content_type = Some(ct),
            Ok(ct) => out.problems.push(p(
                "content-type-mismatch",
                format!("contentType attribute {ct} differs from eContentType {econtent_type}"),
            )),
            Err(e) => out.problems.push(p("signed-attr-malformed", e.0)),
        },
        _ => {}
    }
    // messageDigest.
    match attributes::single(attrs, MESSAGE_DIGEST) {
        Ok(None) => out.problems.push(p(
            "signed-attr-missing",
            "signed attributes without messageDigest (RFC 5652 §5.3)",
        )),
        Ok(Some(v)) => match v.octet_string("messageDigest") {
            Ok(d) if d.as_ref() == content_digest => {}
            Ok(_) => out.problems.push(p(
                "message-digest-mismatch",
                "the content does not match the signed message digest (modified content)",
            )),
            Err(e) => out.problems.push(p("signed-attr-malformed", e.0)),
        },
        Err(_) => {}
    }
    // signingTime.
    if let Ok(Some(v)) = attributes::single(attrs, crate::asn1::oid::SIGNING_TIME) {
        match attributes::parse_time(v) {
            Ok(t) => out.signing_time = Some(t),
            Err(e) => out
                .problems
                .push(p("signed-attr-malformed", format!("signingTime: {e}"))),
        }
    }
    // eSSSecurityLabel.
    if let Ok(Some(v)) = attributes::single(attrs, crate::asn1::oid::SECURITY_LABEL) {
        match crate::ess::EssSecurityLabel::from_tlv(v) {
            Ok(l) => out.label = Some(crate::ess::to_report(&l)),
            Err(e) => out
                .problems
                .push(p("signed-attr-malformed", format!("eSSSecurityLabel: {e}"))),
        }
    }
    // mlExpansionHistory (RFC 2634 §4.4; its single instance is checked above).
    match super::ml_expansion::MlExpansionHistory::from_attributes(attrs) {
        Ok(h) => out.ml_history = h,
        Err(e) if attributes::single(attrs, crate::asn1::oid::ML_EXPAND_HISTORY).is_ok() => {
            out.problems.push(p(
                "signed-attr-malformed",
                format!("mlExpansionHistory: {e}"),
            ))
        }
        Err(_) => {}
    }
    // signatureType.
    if let Ok(Some(v)) = attributes::single(attrs, crate::asn1::oid::SIGNATURE_TYPE) {
        match sig_type::decode_signature_type(v) {
            Ok(types) => out.signature_types = types,
            Err(e) => out
                .problems
                .push(p("signed-attr-malformed", format!("signatureType: {e}"))),
        }
    }
    // Signed receipts (RFC 2634 §2.2, §2.10, §4.2).
    if let Ok(Some(v)) = attributes::single(attrs, crate::asn1::oid::RECEIPT_REQUEST) {
        match ReceiptRequest::decode(v) {
            Ok(r) => out.receipt_request = Some(r),
            Err(e) => out
                .problems
                .push(p("signed-attr-malformed", format!("receiptRequest: {e}"))),
        }
    }
    if let Ok(Some(v)) = attributes::single(attrs, crate::asn1::oid::MSG_SIG_DIGEST) {
        match v.octet_string("msgSigDigest") {
            Ok(d) => out.msg_sig_digest = Some(d.into_owned()),
            Err(e) => out
                .problems
                .push(p("signed-attr-malformed", format!("msgSigDigest: {}", e.0))),
        }
    }
    out.ml_expansion_history = attrs
        .iter()
        .any(|a| a.oid == crate::asn1::oid::ML_EXPAND_HISTORY);
    // signingCertificate / signingCertificateV2 bind the certificate (RFC 5035 §5.4).
    for oid in [
        crate::asn1::oid::SIGNING_CERTIFICATE_V2,
        crate::asn1::oid::SIGNING_CERTIFICATE,
    ] {
        if let (Some(a), Some(c)) = (attrs.iter().find(|a| a.oid == oid), cert) {
            if let Err(m) = attributes::check_signing_certificate(a, c) {
                out.problems.push(p("signing-certificate-mismatch", m));
            }
        }
    }
}

/// Verify one countersignature value (a SignerInfo) over `countersigned` signature octets,
/// with the certificate its own SignerIdentifier names.
pub fn check_countersignature(
    value: &crate::asn1::ber::Tlv<'_>,
    countersigned: &[u8],
    certs: &CertIndex<'_>,
    budget: &SignatureBudget,
    policy: &AlgorithmPolicy,
    depth: usize,
) -> SignerCheck {
    if depth > MAX_COUNTERSIGNATURE_DEPTH {
        return SignerCheck {
            signer: "(too deep)".into(),
            problems: vec![p("depth-limit", "countersignatures nested too deeply")],
            ..SignerCheck::default()
        };
    }
    let si = match parse_signer_info(*value) {
        Ok(si) => si,
        Err(e) => {
            return SignerCheck {
                signer: "(malformed)".into(),
                problems: vec![p("cms-malformed", format!("countersignature: {}", e.0))],
                ..SignerCheck::default()
            }
        }
    };
    let mut cache = DigestCache::default();
    check_signer(
        &si,
        &Covered::Countersigned(countersigned),
        certs,
        &mut cache,
        budget,
        policy,
        depth,
    )
}

/// Whether a SignedData is an empty signature layer (draft-melnikov-smime-msa-to-mda-04 §2.5
/// method 1: no SignerInfo, eContentType id-data, the unsigned message as eContent): a layer
/// a DOMSEC signature encapsulates, not an error. Without eContent (certs-only, RFC 8551
/// §3.6, or a detached SignedData) nothing is signed: `no-signers`.
pub fn is_empty_signature_layer(sd: &ParsedSignedData<'_>) -> bool {
    sd.signer_infos.is_empty() && sd.econtent.is_some() && sd.econtent_type == ID_DATA
}

/// Check every SignerInfo of a SignedData over `content`, each with the certificate its
/// SignerIdentifier names among `certs` (the SignedData's certificates and the caller's).
/// Returns one check per SignerInfo, in encoding order, and the SignedData-level problems.
/// `cache` holds the digests of `content` a provider already computed (else default).
pub fn check_signed_data(
    sd: &ParsedSignedData<'_>,
    content: &[u8],
    certs: &CertIndex<'_>,
    budget: &SignatureBudget,
    policy: &AlgorithmPolicy,
    cache: &mut DigestCache,
) -> (Vec<SignerCheck>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    if sd.signer_infos.is_empty() && !is_empty_signature_layer(sd) {
        problems.push(p(
            "no-signers",
            "SignedData without any SignerInfo: nothing is signed",
        ));
    }
    for (index, si) in sd.signer_infos.iter().enumerate() {
        let mut c = check_signer(
            si,
            &Covered::Content {
                octets: content,
                econtent_type: sd.econtent_type,
            },
            certs,
            cache,
            budget,
            policy,
            0,
        );
        c.index = index;
        out.push(c);
    }
    // RFC 2634 §3.1.1: if one SignerInfo has a label, all must carry an identical one.
    let labels: Vec<Option<&SecurityLabel>> = out.iter().map(|c| c.label.as_ref()).collect();
    if labels.iter().any(|l| l.is_some()) && labels.windows(2).any(|w| w[0] != w[1]) {
        problems.push(p(
            "security-label-inconsistent",
            "the SignerInfos of one SignedData carry different security labels",
        ));
    }
    // draft-melnikov-smime-msa-to-mda-04 §3.2: "If there is more than one SignerInfo in a
    // signerInfos (…) then the SignatureType attribute in all the SignerInfos MUST contain
    // the same content" — a parallel SignerInfo cannot turn a signature into another type.
    if out
        .windows(2)
        .any(|w| effective_types(&w[0]) != effective_types(&w[1]))
    {
        problems.push(p(
            "signature-type-inconsistent",
            "the SignerInfos of one SignedData carry different signature types",
        ));
    }
    (out, problems)
}

/// The types a SignerInfo declares, an absent attribute being an originator signature
/// (draft-melnikov-smime-msa-to-mda-04 §3.2, §3.6).
fn effective_types(c: &SignerCheck) -> SignatureTypes {
    if c.signature_types.is_empty() {
        SignatureTypes::originator()
    } else {
        c.signature_types.clone()
    }
}

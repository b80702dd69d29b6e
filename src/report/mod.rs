//! The one verification report every caller renders (see `docs/report.md`).
//!
//! [`VerifyReport`] is the contract between the core ([`crate::verify`]) and every caller: the
//! browser extension, the CLI (`mmhs verify` prints it as JSON), the server and the tests.
//! Field names are camelCase in JSON. Every `code` that can appear in a [`Problem`] is listed
//! in `docs/report.md`; codes never change once released.

pub mod codes;
pub(crate) mod receipt;
pub(crate) mod signature_type;

use serde::{Deserialize, Serialize};

pub use receipt::{ReceiptReport, ReceiptRequestReport, ReceiptsFrom};
pub use signature_type::{SignatureType, SignatureTypeValue, SignatureTypes};

pub use crate::ess::report_form::{SecurityCategory, SecurityLabel};
pub use crate::mime::content::HpScheme;
pub use crate::problem::Problem;

/// The verification report of one message ([`crate::verify`]).
///
/// `valid` is true only when at least one signature is present, every signature (and every
/// countersignature) verifies and chains to a trust anchor, and `problems` is empty.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    /// Overall verdict (see the type documentation).
    pub valid: bool,
    /// The S/MIME layers unwrapped, outermost first.
    pub layers: Vec<Layer>,
    /// Every SignerInfo found, in layer order (outermost first), then in the order the
    /// SignerInfos appear in each SignedData.
    pub signatures: Vec<SignatureReport>,
    /// The effective ESS security label: the one of the innermost signed layer that carries a
    /// label (RFC 2634 §3.1.1: the inner label describes the content). `null` when no
    /// verified signature carries one.
    pub security_label: Option<SecurityLabel>,
    /// Header protection found on the innermost signed or encrypted content.
    pub header_protection: HeaderProtection,
    /// The MMHS view of the (protected, when present) header fields — the output of
    /// `mmhs::inspect`, or `null` when that is not available.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "MmhsView | null"))]
    pub mmhs: Option<Box<crate::fields::MmhsView>>,
    /// Status of every address in MMHS-Authorizing-Users, and of every countersignature (or
    /// review signature) whose signer is not listed ([`crate::verify::authorizing_users`]).
    #[serde(default)]
    pub authorizing_users: Vec<AuthorizingUser>,
    /// Every address of every From field of the header the message is read from (the
    /// protected one when header protection is present, else the outer one), in order: the
    /// exact addresses a reader must show. More than one From field is a problem
    /// (`originator-field-duplicate`).
    #[serde(default)]
    pub from: Vec<String>,
    /// Every address of every Sender field of that header, in order.
    #[serde(default)]
    pub sender: Vec<String>,
    /// True when a valid, trusted domain signature whose certificate follows the naming
    /// convention (`namingOk`) covers the message (draft-melnikov-smime-msa-to-mda-04 §3.3:
    /// it "authenticates the fact that the message has been released from that domain"):
    /// with no originator signature, the originator's *domain* is what is verified, and
    /// the message is not `no-originator-signature`.
    #[serde(default)]
    pub domain_verified: bool,
    /// For whom each encrypted layer was encrypted, as far as the certificates the caller
    /// supplied tell (draft-melnikov-smime-msa-to-mda-04 §4: the recipient, and/or the DCA
    /// or S/MIME gateway of its domain). Absent when there is no encrypted layer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub encryption: Vec<EncryptedLayer>,
    /// The domains whose S/MIME gateway decrypted the message before delivery
    /// (draft-ramsdell-enc-smime-gateway-00 §5.2; the `SMIME-Gateway-Decrypted` field the
    /// gateway adds, `crate::domain::gateway`): the content was encrypted only as far as that
    /// domain's boundary. Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gateway_decrypted: Vec<String>,
    /// Authentication results recorded by an agent the reader trusts (RFC 8601): only
    /// `Authentication-Results` fields of the outer header whose authserv-id is one of
    /// [`crate::verify::VerifyContext::trusted_authserv_ids`] and that sit above the first
    /// `Received` field (RFC 8601 §5, §7.1: only those the receiving border added are
    /// trustworthy); malformed ones are ignored. Shown beside the verdict; never part of
    /// `valid` ([`crate::verify::auth_results`]). Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authentication_results: Vec<AuthenticationResult>,
    /// Per header field of the message (first spelling of each name, in order of first
    /// appearance, protected header first): whether a valid, trusted signature covers the
    /// value a reader is shown (`docs/report.md`, "Field coverage").
    #[serde(default)]
    pub field_coverage: Vec<FieldCoverage>,
    /// The signed-receipt request (RFC 2634 §2.2) of the originator signature, when the
    /// message carries one; absent otherwise ([`crate::verify::receipt`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_request: Option<ReceiptRequestReport>,
    /// When the message is a signed receipt (RFC 2634 §2.4, SignedData of id-ct-receipt): whom
    /// it is from and whether it proves receipt of the original; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<ReceiptReport>,
    /// The correspondents' certificates this message vouches for: only in a valid report,
    /// one entry per originator address (Sender, else From) that a valid, trusted originator
    /// signature is bound to, naming that signature ([`crate::verify::correspondents`]). What
    /// a mail client may keep to encrypt to that address later (RFC 8551 §2.5.1). Absent
    /// when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub correspondents: Vec<CorrespondentCertificate>,
    /// Every problem found, each with a stable code, the cause first (`docs/report.md`).
    pub problems: Vec<Problem>,
    /// Informational findings with stable codes that do not affect `valid` (e.g.
    /// `authorizing-users-outer-only`).
    #[serde(default)]
    pub notes: Vec<Problem>,
}

/// A signer certificate bound to an originator address ([`VerifyReport::correspondents`]).
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CorrespondentCertificate {
    /// The originator address, as the message's Sender (else From) field wrote it; one of the
    /// certificate's e-mail addresses (compared case-insensitively).
    pub address: String,
    /// Index into [`VerifyReport::signatures`] of the signature whose SignerIdentifier named
    /// the certificate (its `certificate` and `chain`).
    pub signature: usize,
}

/// One `resinfo` of a trusted `Authentication-Results` field (RFC 8601 §2.2).
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationResult {
    /// The authserv-id of the field (one the reader trusts).
    pub authserv_id: String,
    /// The method, lower-case (`dkim`, RFC 8601 §2.7.1).
    pub method: String,
    /// The result keyword, lower-case (`pass`, `fail`, `none`, `policy`, `neutral`,
    /// `temperror`, `permerror` for `dkim`).
    pub result: String,
    /// The `reason`, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `ptype.property` → value (`header.d`, `header.i`, `header.s`, …).
    #[serde(default)]
    pub properties: std::collections::BTreeMap<String, String>,
}

/// One expansion of a mail list (RFC 2634 §4.4 `MLData`), as the signature that carries the
/// mlExpansionHistory records it ([`SignatureReport::ml_expansion_history`]).
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MlExpansion {
    /// The Mail List Agent: `issuer "…" serial …` or `subjectKeyIdentifier …`.
    pub mail_list_identifier: String,
    /// When it expanded the list (RFC 3339).
    pub expansion_time: String,
    /// `none`, `insteadOf` or `inAdditionTo`; absent when the MLA set none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_policy: Option<String>,
}

/// For whom one encrypted layer was encrypted ([`VerifyReport::encryption`]).
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptedLayer {
    /// Index into `layers`.
    pub layer: usize,
    /// One entry per recipient (every KeyTransRecipientInfo, every recipientEncryptedKey of
    /// a KeyAgreeRecipientInfo), in encoding order.
    pub recipients: Vec<EncryptionRecipient>,
}

/// One recipient of an encrypted layer.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionRecipient {
    /// The certificate the RecipientInfo names, shown as a signer is (first e-mail address,
    /// else agent name, else subject); `null` when none of the supplied certificates is the
    /// one it names.
    pub certificate: Option<String>,
    /// `personal`, `dca` or `gateway`; `null` when the certificate is unknown.
    pub kind: Option<RecipientKind>,
    /// For a DCA or gateway: the domain it serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// One of the supplied keys opened the layer through this recipient.
    pub decrypted_here: bool,
}

/// Whose certificate a RecipientInfo names.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RecipientKind {
    /// A person's (or any certificate that is neither of the two below).
    Personal,
    /// A Domain Confidentiality Authority's (draft-melnikov-smime-msa-to-mda-04 §4, §2.6).
    Dca,
    /// An S/MIME gateway's domain certificate (`smg_encryptor@domain`).
    Gateway,
}

/// One S/MIME layer (RFC 8551 §3), as named in [`VerifyReport::layers`].
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Layer {
    /// multipart/signed (RFC 1847 §2.1) or SignedData (RFC 5652 §5).
    Signed,
    /// EnvelopedData (RFC 5652 §6).
    Enveloped,
    /// AuthEnvelopedData (RFC 5083).
    AuthEnveloped,
    /// CompressedData (RFC 3274) or an `application/zlib|gzip` body (RFC 6713).
    Compressed,
}

impl Layer {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Signed => "signed",
            Layer::Enveloped => "enveloped",
            Layer::AuthEnveloped => "authEnveloped",
            Layer::Compressed => "compressed",
        }
    }
}

impl PartialEq<&str> for Layer {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a valid signature covers one header field (`VerifyReport::field_coverage`).
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldCoverage {
    /// The field name as it appears first.
    pub field: String,
    /// True when the value shown comes from a protected header section inside a signed layer
    /// whose signatures are valid and trusted, and no unprotected instance contradicts it.
    pub covered: bool,
}

/// How an authorizing user's authorisation is protected ([`AuthorizingUser::status`]).
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuthorizationStatus {
    /// A valid, trusted countersignature (or RFC 7912 review signature) by this address on a
    /// valid originator signature of this content.
    Countersigned,
    /// Listed, nothing signed by this address.
    NotCountersigned,
    /// Its signature does not verify, or authorises nothing (not on a valid originator
    /// signature of this content).
    Invalid,
    /// Its signature verifies but its certificate does not chain to a trust anchor.
    Untrusted,
    /// A countersignature (or review signature) whose signer is not listed.
    NotListed,
}

impl AuthorizationStatus {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorizationStatus::Countersigned => "countersigned",
            AuthorizationStatus::NotCountersigned => "notCountersigned",
            AuthorizationStatus::Invalid => "invalid",
            AuthorizationStatus::Untrusted => "untrusted",
            AuthorizationStatus::NotListed => "notListed",
        }
    }
}

impl PartialEq<&str> for AuthorizationStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for AuthorizationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One authorizing user (draft-melnikov-mmhs-authorizing-users §4, RFC 7912 §4) and how its
/// authorisation is protected.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizingUser {
    /// The address (listed in MMHS-Authorizing-Users, or the unlisted countersigner's).
    pub address: String,
    /// How its authorisation is protected.
    pub status: AuthorizationStatus,
    /// `countersignature` or `reviewSignature` when a signature by this address was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
}

/// One SignerInfo of a SignedData layer.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SignatureReport {
    /// Index into [`VerifyReport::layers`] of the SignedData this signature belongs to.
    pub layer: usize,
    /// Index of the SignerInfo inside its SignedData, in encoding order (the index that
    /// `smime::countersign_message` takes).
    pub index: usize,
    /// The signer's identity: the first e-mail address of its certificate, else its first
    /// agent name (subjectAltName `smtp://` / `submit://` URI or dNSName, as written there),
    /// else its subject DN, else (certificate not found) the SignerIdentifier as text.
    pub signer: String,
    /// The signer certificate's subject DN (RFC 4514 string), when the certificate was found.
    pub subject: Option<String>,
    /// E-mail addresses of the signer certificate (SAN rfc822Name, then subject emailAddress).
    pub emails: Vec<String>,
    /// The certificate this SignerInfo's SignerIdentifier names (RFC 5652 §5.3), as one PEM
    /// `CERTIFICATE` block (`keys::certificate_pem`); absent when none (or several) matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// The path that validated, from the issuer of [`Self::certificate`] up to the trust
    /// anchor, PEM (RFC 5280 §6.1); empty when the signer is not trusted, or is itself an
    /// anchor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<String>,
    /// True when the signature value and the signed attributes verify (messageDigest,
    /// contentType, well-formed attributes).
    pub valid: bool,
    /// True when the signer certificate chains to a supplied trust anchor at the
    /// verification time (RFC 5280 path validation).
    pub trusted: bool,
    /// True when one of the certificate's addresses equals the message's From (or Sender)
    /// address; `null` when the message has no From to compare against (inner layers).
    pub address_match: Option<bool>,
    /// The naming-convention verdict of a domain, delegated-originator, additional-attributes
    /// or (agent-certificate) review signature (draft-melnikov-smime-msa-to-mda-04 §2.6): the
    /// certificate names an agent (`smtp://` / `submit://` URI or dNSName) whose domain
    /// equals or is an ascendant of the originator's domain. Absent for originator signatures
    /// (they keep `addressMatch`) and for a bare CMS object (no originator to compare with).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub naming_ok: Option<bool>,
    /// The domain the signer certificate names an agent of (the one satisfying the naming
    /// rule, else the first); absent when the certificate names no agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_domain: Option<String>,
    /// The signature types (draft-melnikov-smime-msa-to-mda §3.2); `originator` when the
    /// attribute is absent. In JSON the names
    /// (`originator|domain|review|additionalAttributes|delegatedOriginator`, unknown OIDs
    /// dotted) joined with `,` ([`SignatureTypes`]).
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string"))]
    pub signature_type: SignatureTypes,
    /// The ESS security label of this SignerInfo (RFC 2634 §3.2), if any.
    pub security_label: Option<SecurityLabel>,
    /// The mailing lists that expanded the message, oldest first (RFC 2634 §4.4
    /// mlExpansionHistory of this SignerInfo; an MLA's outer signature carries it). Absent
    /// when the SignerInfo has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ml_expansion_history: Vec<MlExpansion>,
    /// signingTime (RFC 5652 §11.3) in RFC 3339, if present.
    pub signing_time: Option<String>,
    /// Digest algorithm name (e.g. `sha-256`) or OID.
    pub digest_algorithm: String,
    /// Signature algorithm name (e.g. `rsassa-pss`, `ecdsa-with-sha256`) or OID.
    pub signature_algorithm: String,
    /// Countersignatures (RFC 5652 §11.4) over this signer's signature value.
    pub countersignatures: Vec<CountersignatureReport>,
    /// Problems specific to this signer (also copied into [`VerifyReport::problems`]).
    pub problems: Vec<Problem>,
    /// Notes specific to this signer (`weak-algorithm-accepted`; also copied into
    /// [`VerifyReport::notes`]); omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Problem>,
}

/// A countersignature (RFC 5652 §11.4) nested under the SignerInfo it countersigns.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CountersignatureReport {
    /// The countersigner's identity (as [`SignatureReport::signer`]).
    pub signer: String,
    /// The countersigner certificate's subject DN, when found.
    pub subject: Option<String>,
    /// E-mail addresses of the countersigner certificate.
    pub emails: Vec<String>,
    /// True when the countersignature verifies over the countersigned signature value.
    pub valid: bool,
    /// True when the countersigner certificate chains to a supplied trust anchor.
    pub trusted: bool,
    /// The signature type attribute of the countersignature (as
    /// [`SignatureReport::signature_type`]); empty (`""`) without the attribute.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string"))]
    pub signature_type: SignatureTypes,
    /// signingTime of the countersignature in RFC 3339, if present.
    pub signing_time: Option<String>,
    /// Countersignatures of this countersignature.
    pub countersignatures: Vec<CountersignatureReport>,
    /// Problems specific to this countersignature.
    pub problems: Vec<Problem>,
    /// Notes specific to this countersignature (as [`SignatureReport::notes`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Problem>,
}

/// The `forwarded` parameter of a `message/rfc822` payload (draft-melnikov-iana-reg-forwarded
/// §2; [`HeaderProtection::forwarded`]).
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Forwarded {
    /// `forwarded=yes`: a forwarded message.
    Yes,
    /// `forwarded=no`: header protection.
    No,
    /// No such parameter (or no message/rfc822 payload).
    #[default]
    Absent,
}

impl Forwarded {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Forwarded::Yes => "yes",
            Forwarded::No => "no",
            Forwarded::Absent => "absent",
        }
    }
}

impl PartialEq<&str> for Forwarded {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Header protection found on the message.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeaderProtection {
    /// The scheme.
    pub scheme: HpScheme,
    /// The `forwarded` parameter of the wrapping message/rfc822.
    pub forwarded: Forwarded,
    /// Every header field whose outer value differs from the protected (inner) value.
    pub mismatches: Vec<HeaderMismatch>,
}

impl Default for HeaderProtection {
    fn default() -> Self {
        HeaderProtection {
            scheme: HpScheme::None,
            forwarded: Forwarded::Absent,
            mismatches: Vec::new(),
        }
    }
}

/// One outer/inner header field difference.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeaderMismatch {
    /// Field name, e.g. `Subject`.
    pub field: String,
    /// The unprotected (outer) value, `null` when absent outside.
    pub outer: Option<String>,
    /// The protected (inner) value, `null` when absent inside.
    pub inner: Option<String>,
}

impl VerifyReport {
    /// Add a problem to the report.
    pub fn problem(&mut self, code: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(code, message));
    }

    /// Whether a problem with this code was reported.
    pub fn has_problem(&self, code: &str) -> bool {
        self.problems.iter().any(|p| p.code == code)
    }

    /// Recompute [`VerifyReport::valid`] from the signatures and problems: true only when at
    /// least one signature exists, every signature and countersignature is valid and trusted,
    /// and there is no problem.
    pub fn finish(&mut self) {
        fn cs_ok(c: &CountersignatureReport) -> bool {
            c.valid && c.trusted && c.countersignatures.iter().all(cs_ok)
        }
        self.valid = !self.signatures.is_empty()
            && self
                .signatures
                .iter()
                .all(|s| s.valid && s.trusted && s.countersignatures.iter().all(cs_ok))
            && self.problems.is_empty()
            && self
                .authorizing_users
                .iter()
                .all(|a| a.status == AuthorizationStatus::Countersigned);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_names_are_the_contract() {
        let mut r = VerifyReport {
            layers: vec![Layer::Signed],
            signatures: vec![SignatureReport {
                signer: "alice@army.example".into(),
                valid: true,
                trusted: true,
                signature_type: SignatureTypes::originator(),
                countersignatures: vec![CountersignatureReport {
                    signer: "rel@army.example".into(),
                    valid: true,
                    trusted: true,
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        };
        r.finish();
        assert!(r.valid);
        let v = serde_json::to_value(&r).unwrap();
        for k in [
            "valid",
            "layers",
            "signatures",
            "securityLabel",
            "headerProtection",
            "mmhs",
            "problems",
        ] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        let s = &v["signatures"][0];
        for k in [
            "signer",
            "valid",
            "trusted",
            "signatureType",
            "securityLabel",
            "countersignatures",
        ] {
            assert!(s.get(k).is_some(), "missing signatures[0].{k}");
        }
        assert_eq!(s["signatureType"], "originator");
        assert_eq!(s["countersignatures"][0]["signatureType"], "");
        assert_eq!(v["headerProtection"]["scheme"], "none");
        assert_eq!(v["headerProtection"]["forwarded"], "absent");
        r.problem("x-y", "z");
        r.finish();
        assert!(!r.valid);
    }

    #[test]
    fn no_signature_is_not_valid() {
        let mut r = VerifyReport::default();
        r.finish();
        assert!(!r.valid);
    }
}

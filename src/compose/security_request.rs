//! The security members of the compose request (`sign`, `encrypt`, `labels`,
//! `protectHeaders`; `compress` is a plain bool on [`super::ComposeRequest`]). Schema and
//! examples: `docs/compose.md` § "Security". Key material given here is PEM text (PKCS#8
//! `PRIVATE KEY`, or `RSA PRIVATE KEY` / `EC PRIVATE KEY`), held in a [`SecretPem`] that is
//! zeroized on drop, never printed by `Debug` and never serialised.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use crate::protect::Hcp;
use crate::report::SecurityCategory;
use crate::smime::{
    ContentCipher, DigestAlg, KeyTransportPadding, ReceiptRequestOptions, RecipientIdKind,
    SignatureType,
};

/// A PEM private key: zeroized on drop, `Debug` prints `<redacted>`, serialises as `null`
/// (a serialised request never carries the key).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretPem(Zeroizing<String>);

impl SecretPem {
    /// Wrap a PEM text.
    pub fn new(pem: impl Into<String>) -> Self {
        SecretPem(Zeroizing::new(pem.into()))
    }

    /// The PEM text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretPem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<'de> Deserialize<'de> for SecretPem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(SecretPem::new)
    }
}

impl Serialize for SecretPem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_none()
    }
}

/// How the SignerInfo names the signer (RFC 5652 §5.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum SignerIdentifier {
    /// issuerAndSerialNumber (version 1 SignerInfo). The default.
    #[default]
    IssuerAndSerial,
    /// subjectKeyIdentifier (version 3 SignerInfo).
    Ski,
}

/// `sign`: who signs and how. Every member is optional; `sign: true` is all defaults with
/// the signer taken from [`super::ComposeKeys`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(rename = "ComposeSignRequest", optional_fields)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SignRequest {
    /// The signer's private key, PEM (PKCS#8 `PRIVATE KEY`, PKCS#1 or SEC1). RSA ≥ 2048 or
    /// P-256. Absent: the signer of [`super::ComposeKeys`].
    #[serde(skip_serializing_if = "is_empty_secret")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<String>"))]
    pub key: Option<SecretPem>,
    /// The signer's certificate, PEM; further CERTIFICATE blocks are the chain.
    pub certificate: Option<String>,
    /// More chain certificates (intermediates), PEM.
    pub chain: Option<String>,
    /// `sha256` (default), `sha384`, `sha512`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub digest: DigestAlg,
    /// RSA signature padding: `pkcs1v15` (default) or `pss` (RSASSA-PSS). Ignored for EC.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub rsa_padding: crate::smime::RsaPadding,
    /// `false` (default): multipart/signed with a detached signature; `true`:
    /// application/pkcs7-mime; smime-type=signed-data.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub opaque: bool,
    /// Include the signer certificate and chain (default `true`; `false` for impoverished
    /// links).
    pub include_certificates: Option<bool>,
    /// `issuerAndSerial` (default) or `ski`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub signer_identifier: SignerIdentifier,
    /// The signature type attribute (draft-melnikov-smime-msa-to-mda §3.2), e.g.
    /// `["originator"]`; empty: no attribute.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub signature_type: Vec<SignatureType>,
    /// Triple wrapping (RFC 2634 §1.1, profile §4.2.2): sign, encrypt, sign again (needs
    /// `encrypt`). The outer signature carries the same label.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub triple_wrap: bool,
    /// Ask for signed receipts (RFC 2634 §2.2, MMHS profile §4.1.7): `{ "receiptsFrom":
    /// {"kind": "all" | "firstTier"} | {"kind": "list", "recipients": [["bob@…"]]},
    /// "receiptsTo": ["alice@…"] }`. The inner (originator) signature of each copy carries a
    /// receiptRequest with its own fresh signedContentIdentifier.
    pub receipt_request: Option<ReceiptRequestOptions>,
}

fn is_empty_secret(k: &Option<SecretPem>) -> bool {
    k.is_none()
}

/// A recipient certificate: a PEM string, or `{ "certificate": PEM, "capabilities": [...] }`
/// with the content-encryption algorithms the recipient advertised (its verified
/// sMIMECapabilities, RFC 8551 §2.7.1): `aes256-gcm`, `aes128-gcm`, `aes256-cbc`,
/// `aes128-cbc`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct RecipientCertificate {
    /// The certificate, PEM.
    pub certificate: String,
    /// The advertised content ciphers; `None`: unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Vec<ContentCipher>>,
}

impl<'de> Deserialize<'de> for RecipientCertificate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Full {
            certificate: String,
            #[serde(default)]
            capabilities: Option<Vec<ContentCipher>>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Pem(String),
            Full(Full),
        }
        Ok(match Either::deserialize(d)? {
            Either::Pem(certificate) => RecipientCertificate {
                certificate,
                capabilities: None,
            },
            Either::Full(f) => RecipientCertificate {
                certificate: f.certificate,
                capabilities: f.capabilities,
            },
        })
    }
}

/// `encrypt`: recipient certificates and options. The sender is always a recipient of its own
/// copy (its certificate: `senderCertificate`, else [`super::ComposeKeys`], else the signer's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(rename = "ComposeEncryptRequest", optional_fields)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct EncryptRequest {
    /// Recipient certificates; each envelope recipient's is found by its e-mail address
    /// (subjectAltName rfc822Name, or emailAddress in the subject). A Bcc recipient's
    /// certificate is used only in its own copy.
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "Array<string | RecipientCertificate>", optional)
    )]
    pub certificates: Vec<RecipientCertificate>,
    /// The sender's own encryption certificate, PEM (encrypt-to-self).
    pub sender_certificate: Option<String>,
    /// Force a content cipher (`aes256-gcm`, `aes128-gcm`, `aes256-cbc`, `aes128-cbc`).
    /// Default: AES-256-GCM AuthEnvelopedData when every recipient of the copy advertises
    /// it, else the best cipher all advertise, else AES-256-CBC EnvelopedData.
    pub cipher: Option<ContentCipher>,
    /// RSA key transport: `oaep` (RSAES-OAEP SHA-256), the default and only value (PKCS#1
    /// v1.5 is weak: `crate::algorithm_policy`).
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub key_transport: KeyTransportPadding,
    /// `issuer-and-serial-number` (default) or `subject-key-identifier`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub recipient_identifier: RecipientIdKind,
    /// Encryption for a recipient's domain (draft-melnikov-smime-msa-to-mda-04 §4 case (b);
    /// draft-ramsdell-enc-smime-gateway-00): `none` (default: each recipient's own
    /// certificate, or `recipient-certificate-missing`), `whenNoPersonal` (the recipient
    /// domain's DCA or gateway certificate among `certificates` when the recipient has
    /// none of its own), `also` (both), `instead` (the domain's only). The most specific
    /// domain's certificates are used (`crate::domain::dca`).
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub domain_encryption: crate::domain::DomainEncryption,
}

/// `labels` / `securityLabel`: one label, used as the ESS security label signed attribute
/// (RFC 2634 §3.2) of every signature and, with `sioLabel`, as an `SIO-Label` header
/// (RFC 7444 `type=":ess"`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct LabelRequest {
    /// security-policy-identifier, dotted OID (required).
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub policy: String,
    /// security-classification: 0 unmarked, 1 unclassified, 2 restricted, 3 confidential,
    /// 4 secret, 5 top-secret, or a policy-defined value up to 256.
    pub classification: Option<u32>,
    /// privacy-mark (UTF8String), e.g. `"NATO SECRET"`.
    pub privacy_mark: Option<String>,
    /// security-categories: `{ "type": OID, "value": base64 DER }`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub categories: Vec<SecurityCategory>,
    /// Also write an `SIO-Label` header field: `true`, or display parameters.
    #[serde(deserialize_with = "sio_flag_or")]
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "boolean | SioLabelRequest", optional)
    )]
    pub sio_label: Option<SioLabelRequest>,
}

impl LabelRequest {
    /// The label as the report / S/MIME type.
    pub fn security_label(&self) -> crate::report::SecurityLabel {
        crate::report::SecurityLabel {
            policy: self.policy.clone(),
            classification: self.classification,
            privacy_mark: self.privacy_mark.clone(),
            categories: self.categories.clone(),
        }
    }
}

/// `SIO-Label` display parameters (RFC 7444 §3: `marking`, `fgcolor`, `bgcolor`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SioLabelRequest {
    /// Display marking, e.g. `NATO SECRET`.
    pub marking: Option<String>,
    /// Foreground colour (RFC 7444 named colour or `#rrggbb`).
    pub fgcolor: Option<String>,
    /// Background colour.
    pub bgcolor: Option<String>,
}

fn sio_flag_or<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SioLabelRequest>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Flag(bool),
        Options(SioLabelRequest),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        None | Some(Either::Flag(false)) => None,
        Some(Either::Flag(true)) => Some(SioLabelRequest::default()),
        Some(Either::Options(o)) => Some(o),
    })
}

/// Header protection scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ProtectHeaders {
    /// No header protection: only the MIME entity is signed / encrypted.
    None,
    /// The MMHS profile form (§4.2.6, RFC 8551 §3.1): the whole message as
    /// `message/rfc822; forwarded=no` inside the signed / encrypted part
    /// (`crate::protect::wrap_parts`).
    Wrapped,
    /// RFC 9788 injected headers (`crate::protect::inject_with`): `hp="clear"` when signed
    /// only, `hp="cipher"` with `HP-Outer` and the header confidentiality policy when
    /// encrypted.
    Injected,
}

/// `protectHeaders`: a scheme name, or `{ "scheme", "policy", "legacyDisplay" }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ProtectHeadersRequest {
    /// The scheme.
    pub scheme: ProtectHeaders,
    /// RFC 9788 §3.2 header confidentiality policy for `injected` + `encrypt`: `baseline`
    /// (default), `shy`, `noConfidentiality`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub policy: Hcp,
    /// RFC 9788 §2.1.2 Legacy Display Element for `injected` + `encrypt`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub legacy_display: bool,
}

impl<'de> Deserialize<'de> for ProtectHeadersRequest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Full {
            scheme: ProtectHeaders,
            #[serde(default)]
            policy: Hcp,
            #[serde(default)]
            legacy_display: bool,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Scheme(ProtectHeaders),
            Full(Full),
        }
        Ok(match Either::deserialize(d)? {
            Either::Scheme(scheme) => ProtectHeadersRequest {
                scheme,
                policy: Hcp::default(),
                legacy_display: false,
            },
            Either::Full(f) => ProtectHeadersRequest {
                scheme: f.scheme,
                policy: f.policy,
                legacy_display: f.legacy_display,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_redacted_and_never_serialised() {
        let s = SignRequest {
            key: Some(SecretPem::new("-----BEGIN PRIVATE KEY-----\nabc\n")),
            ..SignRequest::default()
        };
        assert!(!format!("{s:?}").contains("abc"));
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("abc"), "{json}");
    }

    #[test]
    fn shorthand_forms() {
        let p: ProtectHeadersRequest = serde_json::from_str("\"injected\"").unwrap();
        assert_eq!(p.scheme, ProtectHeaders::Injected);
        let p: ProtectHeadersRequest =
            serde_json::from_str(r#"{"scheme":"injected","policy":"shy"}"#).unwrap();
        assert_eq!(p.policy, Hcp::Shy);
        let r: RecipientCertificate = serde_json::from_str("\"PEM\"").unwrap();
        assert_eq!(r.capabilities, None);
        let r: RecipientCertificate =
            serde_json::from_str(r#"{"certificate":"PEM","capabilities":["aes256-gcm"]}"#).unwrap();
        assert_eq!(r.capabilities, Some(vec![ContentCipher::Aes256Gcm]));
        let l: LabelRequest =
            serde_json::from_str(r#"{"policy":"1.2.3","classification":3,"sioLabel":true}"#)
                .unwrap();
        assert_eq!(l.sio_label, Some(SioLabelRequest::default()));
    }
}

//! The receiptRequest signed attribute (RFC 2634 §2.2): generating and decoding it.
//!
//! ```text
//! id-aa-receiptRequest OBJECT IDENTIFIER ::= { 1 2 840 113549 1 9 16 2 1 }
//! ReceiptRequest ::= SEQUENCE {
//!   signedContentIdentifier ContentIdentifier,
//!   receiptsFrom ReceiptsFrom,
//!   receiptsTo SEQUENCE SIZE (1..ub-receiptsTo) OF GeneralNames }
//! ub-receiptsTo INTEGER ::= 16
//! ContentIdentifier ::= OCTET STRING
//! ReceiptsFrom ::= CHOICE {
//!   allOrFirstTier [0] AllOrFirstTier,        -- IMPLICIT (the ESS module has IMPLICIT TAGS)
//!   receiptList [1] SEQUENCE OF GeneralNames }
//! AllOrFirstTier ::= INTEGER { allReceipts (0), firstTierRecipients (1) }
//! GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName       -- RFC 5280 §4.2.1.6
//! ```
//! Rules (RFC 2634 §2.2): the attribute is signed, occurs once per SignerInfo with one value;
//! the originator MUST make signedContentIdentifier unique (we draw 32 octets from the
//! caller's RNG); receiptsTo holds at least the address each receipt goes to. It never goes in
//! the SignerInfo of a signed receipt (checked on receipt by [`crate::verify::receipt`]).
//! The values are the report's ([`crate::report::ReceiptsFrom`]).

use der::Decode;

use crate::asn1::ber::Tlv;
use crate::asn1::der::{constructed, primitive};
use crate::report::{ReceiptRequestReport, ReceiptsFrom};
use crate::rng::CryptoRng;

use crate::asn1::oid::RECEIPT_REQUEST;

/// ub-receiptsTo (RFC 2634 §2.2).
pub const UB_RECEIPTS_TO: usize = 16;
/// Longest signedContentIdentifier accepted (RFC 2634 sets no bound; ours keeps the work on a
/// received request bounded — real identifiers are a few dozen octets).
pub const MAX_IDENTIFIER_LEN: usize = 1024;
/// Most entities in a receiptList, and most names in one GeneralNames, accepted.
pub const MAX_NAMES: usize = 256;
/// Octets of a generated signedContentIdentifier.
pub const GENERATED_IDENTIFIER_LEN: usize = 32;

/// What a sender asks for (compose / sign option): the request is made when signing, with a
/// fresh signedContentIdentifier ([`ReceiptRequest::generate`]). JSON:
/// `{ "receiptsFrom": {"kind": "all"}, "receiptsTo": ["alice@army.example"] }`.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptRequestOptions {
    /// Who is asked to return a signed receipt.
    pub receipts_from: ReceiptsFrom,
    /// The addresses receipts go to (1 to 16; usually the originator's own).
    pub receipts_to: Vec<String>,
}

impl ReceiptRequestOptions {
    /// Check the options as [`ReceiptRequest::check`] would, before any signing.
    pub fn check(&self) -> Result<(), String> {
        ReceiptRequest {
            signed_content_identifier: vec![0; GENERATED_IDENTIFIER_LEN],
            receipts_from: self.receipts_from.clone(),
            receipts_to: self.receipts_to.iter().map(|a| vec![a.clone()]).collect(),
        }
        .check()
    }

    /// The request, with a fresh identifier from `rng`.
    pub fn generate<R: CryptoRng + ?Sized>(&self, rng: &mut R) -> Result<ReceiptRequest, String> {
        ReceiptRequest::generate(self.receipts_from.clone(), &self.receipts_to, rng)
    }
}

/// A receipt request (RFC 2634 §2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptRequest {
    /// signedContentIdentifier.
    pub signed_content_identifier: Vec<u8>,
    /// receiptsFrom.
    pub receipts_from: ReceiptsFrom,
    /// receiptsTo, one list of names per entity (see [`crate::report::receipt`] for the text
    /// form of a name).
    pub receipts_to: Vec<Vec<String>>,
}

impl ReceiptRequest {
    /// A new request with a fresh signedContentIdentifier of
    /// [`GENERATED_IDENTIFIER_LEN`] random octets; `receipts_to` are the addresses receipts
    /// go to (one entity each). Checks the request ([`ReceiptRequest::check`]).
    pub fn generate<R: CryptoRng + ?Sized>(
        receipts_from: ReceiptsFrom,
        receipts_to: &[String],
        rng: &mut R,
    ) -> Result<Self, String> {
        let mut id = vec![0u8; GENERATED_IDENTIFIER_LEN];
        rng.fill_bytes(&mut id);
        let r = ReceiptRequest {
            signed_content_identifier: id,
            receipts_from,
            receipts_to: receipts_to.iter().map(|a| vec![a.clone()]).collect(),
        };
        r.check()?;
        Ok(r)
    }

    /// The RFC 2634 §2.2 constraints: a non-empty identifier of at most
    /// [`MAX_IDENTIFIER_LEN`] octets, 1 to 16 receiptsTo entities each with at least one
    /// name, a receiptList of at least one entity, every name encodable.
    pub fn check(&self) -> Result<(), String> {
        self.check_received()?;
        if let ReceiptsFrom::List { recipients } = &self.receipts_from {
            if recipients.is_empty() || recipients.len() > MAX_NAMES {
                return Err(format!(
                    "receiptList must name 1 to {MAX_NAMES} entities, not {}",
                    recipients.len()
                ));
            }
        }
        self.to_der().map(|_| ())
    }

    /// DER of the ReceiptRequest value.
    pub fn to_der(&self) -> Result<Vec<u8>, String> {
        let id = primitive(0x04, &self.signed_content_identifier);
        let from = match &self.receipts_from {
            ReceiptsFrom::All => primitive(0x80, &[0]),
            ReceiptsFrom::FirstTier => primitive(0x80, &[1]),
            ReceiptsFrom::List { recipients } => {
                // [1] IMPLICIT SEQUENCE OF: the tag replaces the SEQUENCE's.
                let mut list = entities_der(recipients)?;
                if let Some(b) = list.first_mut() {
                    *b = 0xA1;
                }
                list
            }
        };
        let to = entities_der(&self.receipts_to)?;
        Ok(constructed(0x30, &[&id, &from, &to]))
    }

    /// The receiptRequest attribute (DER), after [`ReceiptRequest::check`].
    pub fn attribute(&self) -> Result<Vec<u8>, String> {
        self.check()?;
        super::attributes::attribute(RECEIPT_REQUEST, vec![self.to_der()?])
    }

    /// Decode a received ReceiptRequest value (BER accepted), within the bounds above.
    pub fn decode(t: &Tlv<'_>) -> Result<Self, String> {
        let f = t.sequence_at_most(4, "ReceiptRequest").map_err(|e| e.0)?;
        let [id, from, to] = f.as_slice() else {
            return Err("ReceiptRequest: expected three fields".into());
        };
        let signed_content_identifier = id
            .octet_string("signedContentIdentifier")
            .map_err(|e| e.0)?
            .into_owned();
        let receipts_from = if from.is_context(0) && !from.constructed {
            match from.content {
                [0] => ReceiptsFrom::All,
                [1] => ReceiptsFrom::FirstTier,
                _ => return Err("allOrFirstTier: value other than 0 or 1".into()),
            }
        } else if from.is_context(1) && from.constructed {
            ReceiptsFrom::List {
                recipients: decode_entities(
                    &from
                        .children_at_most(MAX_NAMES + 1, "receiptList")
                        .map_err(|e| e.0)?,
                )?,
            }
        } else {
            return Err("receiptsFrom: neither [0] allOrFirstTier nor [1] receiptList".into());
        };
        let receipts_to = decode_entities(
            &to.sequence_at_most(MAX_NAMES + 1, "receiptsTo")
                .map_err(|e| e.0)?,
        )?;
        let r = ReceiptRequest {
            signed_content_identifier,
            receipts_from,
            receipts_to,
        };
        r.check_received()?;
        Ok(r)
    }

    /// The bounds every request meets, received or generated: [`ReceiptRequest::check`]
    /// without re-encoding (a received request may name what we do not generate, e.g. a
    /// directoryName).
    fn check_received(&self) -> Result<(), String> {
        if self.signed_content_identifier.is_empty() {
            return Err("signedContentIdentifier is empty: it must identify the content".into());
        }
        if self.signed_content_identifier.len() > MAX_IDENTIFIER_LEN {
            return Err(format!(
                "signedContentIdentifier longer than {MAX_IDENTIFIER_LEN} octets"
            ));
        }
        if self.receipts_to.is_empty() || self.receipts_to.len() > UB_RECEIPTS_TO {
            return Err(format!(
                "receiptsTo must name 1 to {UB_RECEIPTS_TO} entities, not {}",
                self.receipts_to.len()
            ));
        }
        Ok(())
    }

    /// The rfc822Name addresses of receiptsTo, in order: where a receipt is sent.
    pub fn receipts_to_addresses(&self) -> Vec<String> {
        rfc822_names(&self.receipts_to)
    }

    /// The report form, naming the signer that carries the request.
    pub fn report(&self, signer: &str) -> ReceiptRequestReport {
        ReceiptRequestReport {
            identifier: super::signed_parse::hex(&self.signed_content_identifier),
            receipts_from: self.receipts_from.clone(),
            receipts_to: self.receipts_to.clone(),
            signer: signer.to_string(),
        }
    }
}

/// The rfc822Name entries (bare addresses) of a list of entities.
pub fn rfc822_names(entities: &[Vec<String>]) -> Vec<String> {
    entities
        .iter()
        .flatten()
        .filter(|n| !n.contains(':') && n.contains('@'))
        .cloned()
        .collect()
}

/// `SEQUENCE OF GeneralNames` DER.
fn entities_der(entities: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(entities.len());
    for e in entities {
        if e.is_empty() {
            return Err("an entity (GeneralNames) without any name".into());
        }
        let mut names = Vec::with_capacity(e.len());
        for n in e {
            names.push(general_name_der(n)?);
        }
        let refs: Vec<&[u8]> = names.iter().map(|n| n.as_slice()).collect();
        out.push(constructed(0x30, &refs));
    }
    let refs: Vec<&[u8]> = out.iter().map(|n| n.as_slice()).collect();
    Ok(constructed(0x30, &refs))
}

/// One GeneralName from its text form: a bare address → rfc822Name `[1]`, `dns:` → dNSName
/// `[2]`, `uri:` → uniformResourceIdentifier `[6]` (IA5String, IMPLICIT).
fn general_name_der(name: &str) -> Result<Vec<u8>, String> {
    let (tag, value) = if let Some(d) = name.strip_prefix("dns:") {
        (0x82, d)
    } else if let Some(u) = name.strip_prefix("uri:") {
        (0x86, u)
    } else if name.contains(':') {
        return Err(format!(
            "name \"{name}\": only addresses, dns: and uri: names can be requested"
        ));
    } else {
        crate::fields::address::Mailbox::new(name)
            .map_err(|e| format!("\"{name}\" is not an address: {e}"))?;
        (0x81, name)
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "name \"{name}\" is not a printable IA5String without spaces"
        ));
    }
    Ok(primitive(tag, value.as_bytes()))
}

/// Decode `SEQUENCE OF GeneralNames` children.
fn decode_entities(items: &[Tlv<'_>]) -> Result<Vec<Vec<String>>, String> {
    if items.len() > MAX_NAMES {
        return Err(format!("more than {MAX_NAMES} entities"));
    }
    let mut out = Vec::with_capacity(items.len());
    for e in items {
        let names = e
            .sequence_at_most(MAX_NAMES, "GeneralNames")
            .map_err(|e| format!("{e} (1 to {MAX_NAMES} names)"))?;
        if names.is_empty() {
            return Err(format!(
                "GeneralNames must hold 1 to {MAX_NAMES} names, holds none"
            ));
        }
        let mut entity = Vec::with_capacity(names.len());
        for n in &names {
            entity.push(decode_general_name(n)?);
        }
        out.push(entity);
    }
    Ok(out)
}

/// One GeneralName (RFC 5280 §4.2.1.6, IMPLICIT tags) in its text form.
fn decode_general_name(n: &Tlv<'_>) -> Result<String, String> {
    if n.class != 0x80 {
        return Err("GeneralName: not a context-specific tag".into());
    }
    let ia5 = |prefix: &str| -> Result<String, String> {
        let octets = n.string_octets().map_err(|e| e.0)?;
        if !octets.iter().all(|b| b.is_ascii() && !b.is_ascii_control()) {
            return Err("GeneralName: IA5String with control or non-ASCII octets".into());
        }
        Ok(format!("{prefix}{}", String::from_utf8_lossy(&octets)))
    };
    match n.number {
        // An rfc822Name is shown bare only when it cannot be read as a prefixed name.
        1 => ia5("").map(|v| {
            if v.contains(':') {
                format!("rfc822:{v}")
            } else {
                v
            }
        }),
        2 => ia5("dns:"),
        6 => ia5("uri:"),
        4 => {
            let inner = n.children_at_most(2, "directoryName").map_err(|e| e.0)?;
            let [name] = inner.as_slice() else {
                return Err("directoryName: expected one Name".into());
            };
            let der = name.to_der().map_err(|e| e.0)?;
            let dn = x509_cert::name::Name::from_der(&der).map_err(|e| e.to_string())?;
            Ok(format!("dn:{}", crate::trust::name_string(&dn)))
        }
        7 => Ok(format!(
            "ip:{}",
            super::signed_parse::hex(&n.string_octets().map_err(|e| e.0)?)
        )),
        k @ (0 | 3 | 5 | 8) => Ok(format!("other:[{k}]")),
        k => Err(format!("GeneralName: unknown choice [{k}]")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::danger::SeededRng;

    fn roundtrip(r: &ReceiptRequest) -> ReceiptRequest {
        let der = r.to_der().unwrap();
        ReceiptRequest::decode(&Tlv::parse_all(&der).unwrap()).unwrap()
    }

    #[test]
    fn generate_and_decode_every_receipts_from() {
        let mut rng = SeededRng::new(7);
        for from in [
            ReceiptsFrom::All,
            ReceiptsFrom::FirstTier,
            ReceiptsFrom::List {
                recipients: vec![
                    vec!["bob@navy.example".into()],
                    vec!["carol@army.example".into()],
                ],
            },
        ] {
            let r =
                ReceiptRequest::generate(from, &["alice@army.example".into()], &mut rng).unwrap();
            assert_eq!(r.signed_content_identifier.len(), GENERATED_IDENTIFIER_LEN);
            assert_eq!(roundtrip(&r), r);
            assert_eq!(r.receipts_to_addresses(), vec!["alice@army.example"]);
        }
        // Two requests never share an identifier.
        let a =
            ReceiptRequest::generate(ReceiptsFrom::All, &["a@b.example".into()], &mut rng).unwrap();
        let b =
            ReceiptRequest::generate(ReceiptsFrom::All, &["a@b.example".into()], &mut rng).unwrap();
        assert_ne!(a.signed_content_identifier, b.signed_content_identifier);
    }

    #[test]
    fn all_is_implicit_integer_zero() {
        // SEQUENCE { OCTET STRING 01 02, [0] 00, SEQUENCE { SEQUENCE { [1] "a@b.c" } } }
        // (the OpenSSL CMS_ReceiptRequest template: IMPLICIT tags)
        let r = ReceiptRequest {
            signed_content_identifier: vec![1, 2],
            receipts_from: ReceiptsFrom::All,
            receipts_to: vec![vec!["a@b.c".into()]],
        };
        assert_eq!(
            r.to_der().unwrap(),
            [
                0x30, 0x12, 0x04, 0x02, 1, 2, 0x80, 0x01, 0x00, 0x30, 0x09, 0x30, 0x07, 0x81, 0x05,
                b'a', b'@', b'b', b'.', b'c'
            ]
        );
    }

    #[test]
    fn bad_requests_are_refused() {
        let mut rng = SeededRng::new(1);
        // No receiptsTo, too many, a non-address, an empty list.
        assert!(ReceiptRequest::generate(ReceiptsFrom::All, &[], &mut rng).is_err());
        let many: Vec<String> = (0..17).map(|i| format!("u{i}@x.example")).collect();
        assert!(ReceiptRequest::generate(ReceiptsFrom::All, &many, &mut rng).is_err());
        assert!(
            ReceiptRequest::generate(ReceiptsFrom::All, &["not an address".into()], &mut rng)
                .is_err()
        );
        assert!(ReceiptRequest::generate(
            ReceiptsFrom::List { recipients: vec![] },
            &["a@b.example".into()],
            &mut rng
        )
        .is_err());
        // Received: empty identifier, allOrFirstTier 2, trailing field, EXPLICIT [0].
        for der in [
            &[
                0x30, 0x0C, 0x04, 0x00, 0x80, 0x01, 0x00, 0x30, 0x05, 0x30, 0x03, 0x81, 0x01, b'a',
            ][..],
            &[
                0x30, 0x0D, 0x04, 0x01, 9, 0x80, 0x01, 0x02, 0x30, 0x05, 0x30, 0x03, 0x81, 0x01,
                b'a',
            ],
            &[
                0x30, 0x0F, 0x04, 0x01, 9, 0x80, 0x01, 0x00, 0x30, 0x05, 0x30, 0x03, 0x81, 0x01,
                b'a', 0x05, 0x00,
            ],
            &[
                0x30, 0x0F, 0x04, 0x01, 9, 0xA0, 0x03, 0x02, 0x01, 0x00, 0x30, 0x05, 0x30, 0x03,
                0x81, 0x01, b'a',
            ],
        ] {
            let t = Tlv::parse_all(der).unwrap();
            assert!(ReceiptRequest::decode(&t).is_err(), "{der:02x?}");
        }
    }

    #[test]
    fn received_names_of_every_kind_are_shown() {
        // receiptList with a dNSName and an iPAddress; receiptsTo with a URI.
        let der = [
            0x30, 0x1E, 0x04, 0x01, 9, 0xA1, 0x0F, 0x30, 0x0D, 0x82, 0x05, b'x', b'.', b'e', b'x',
            b'a', 0x87, 0x04, 127, 0, 0, 1, 0x30, 0x08, 0x30, 0x06, 0x86, 0x04, b'u', b':', b'/',
            b'x',
        ];
        let r = ReceiptRequest::decode(&Tlv::parse_all(&der).unwrap()).unwrap();
        assert_eq!(
            r.receipts_from,
            ReceiptsFrom::List {
                recipients: vec![vec!["dns:x.exa".into(), "ip:7f000001".into()]]
            }
        );
        assert_eq!(r.receipts_to, vec![vec!["uri:u:/x".to_string()]]);
        assert!(r.receipts_to_addresses().is_empty());
        // An rfc822Name that looks like a prefixed name is not shown as one.
        let der = [
            0x30, 0x10, 0x04, 0x01, 9, 0x80, 0x01, 0x00, 0x30, 0x08, 0x30, 0x06, 0x81, 0x04, b'd',
            b'n', b's', b':',
        ];
        let r = ReceiptRequest::decode(&Tlv::parse_all(&der).unwrap()).unwrap();
        assert_eq!(r.receipts_to, vec![vec!["rfc822:dns:".to_string()]]);
        assert!(r.to_der().is_err());
    }
}

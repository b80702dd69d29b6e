//! The mail list expansion history signed attribute (ESS, RFC 2634 §4.4; used by the Mail
//! List Agent rules of draft-melnikov-smime-msa-to-mda-04 §5).
//!
//! ```text
//! id-aa-mlExpandHistory OBJECT IDENTIFIER ::= { iso(1) member-body(2) us(840)
//!     rsadsi(113549) pkcs(1) pkcs9(9) smime(16) id-aa(2) 3 }
//! MLExpansionHistory ::= SEQUENCE SIZE (1..ub-ml-expansion-history) OF MLData
//! ub-ml-expansion-history INTEGER ::= 64
//! MLData ::= SEQUENCE {
//!   mailListIdentifier EntityIdentifier,
//!   expansionTime GeneralizedTime,
//!   mlReceiptPolicy MLReceiptPolicy OPTIONAL }
//! EntityIdentifier ::= CHOICE {
//!   issuerAndSerialNumber IssuerAndSerialNumber,
//!   subjectKeyIdentifier SubjectKeyIdentifier }
//! MLReceiptPolicy ::= CHOICE {
//!   none [0] NULL,
//!   insteadOf [1] SEQUENCE SIZE (1..MAX) OF GeneralNames,
//!   inAdditionTo [2] SEQUENCE SIZE (1..MAX) OF GeneralNames }
//! ```
//! RFC 2634 §1.3.4: the attribute goes in the *outer* signature only, signed; §4.1: an MLA
//! adds one MLData at the end (creating the attribute when absent), one attribute per
//! SignerInfo, identical in every SignerInfo of the MLA's SignedData. The identifier is the
//! MLA's: an EntityIdentifier is matched against a certificate by issuer and serial number or
//! by subjectKeyIdentifier ([`EntityIdentifier::names`]), whichever form an earlier MLA used.
//! GeneralNames of a receipt policy are kept as their DER (each `GeneralNames` element).

use der::{Decode, Encode};
use x509_cert::Certificate;

use super::attributes;
use super::signed_parse::{hex, ParsedAttribute};
use crate::asn1::ber::Tlv;
use crate::asn1::der::{constructed, primitive};

use crate::asn1::oid::ML_EXPAND_HISTORY;

/// ub-ml-expansion-history (RFC 2634 §4.4): at most 64 MLData records.
pub const UB_ML_EXPANSION_HISTORY: usize = 64;

/// The most GeneralNames an mlReceiptPolicy list is read with (`SEQUENCE SIZE (1..MAX)`,
/// RFC 2634 §4.4; the names are kept as received); more is an error.
pub const MAX_RECEIPT_POLICY_NAMES: usize = 256;

/// Who expanded a list: the MLA's certificate, by issuer and serial or by key identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityIdentifier {
    /// issuerAndSerialNumber (its DER).
    IssuerAndSerial(Vec<u8>),
    /// subjectKeyIdentifier (the key identifier octets).
    SubjectKeyIdentifier(Vec<u8>),
}

impl EntityIdentifier {
    /// The identifier of `cert`: its subjectKeyIdentifier when `use_ski` (the certificate
    /// must carry one), else its issuer and serial number.
    pub fn of(cert: &Certificate, use_ski: bool) -> Result<Self, String> {
        if use_ski {
            let ski = subject_key_identifier(cert)
                .ok_or("the certificate has no subjectKeyIdentifier extension")?;
            return Ok(EntityIdentifier::SubjectKeyIdentifier(ski));
        }
        attributes::issuer_and_serial(cert).map(EntityIdentifier::IssuerAndSerial)
    }

    /// Whether this identifier names `cert` (in either form: an MLA is the same list agent
    /// whichever form an earlier expansion recorded).
    pub fn names(&self, cert: &Certificate) -> bool {
        match self {
            EntityIdentifier::IssuerAndSerial(der) => {
                attributes::issuer_and_serial(cert).is_ok_and(|d| &d == der)
            }
            EntityIdentifier::SubjectKeyIdentifier(k) => {
                subject_key_identifier(cert).is_some_and(|s| &s == k)
            }
        }
    }

    /// Text form for messages and reports.
    pub fn describe(&self) -> String {
        match self {
            EntityIdentifier::IssuerAndSerial(der) => {
                match cms::cert::IssuerAndSerialNumber::from_der(der) {
                    Ok(isn) => format!(
                        "issuer \"{}\" serial {}",
                        crate::trust::name_string(&isn.issuer),
                        isn.serial_number
                    ),
                    Err(_) => format!("issuerAndSerialNumber {}", hex(der)),
                }
            }
            EntityIdentifier::SubjectKeyIdentifier(k) => {
                format!("subjectKeyIdentifier {}", hex(k))
            }
        }
    }

    fn to_der(&self) -> Vec<u8> {
        match self {
            EntityIdentifier::IssuerAndSerial(der) => der.clone(),
            // SubjectKeyIdentifier ::= OCTET STRING (untagged in the CHOICE).
            EntityIdentifier::SubjectKeyIdentifier(k) => primitive(0x04, k),
        }
    }

    fn decode(t: &Tlv<'_>) -> Result<Self, String> {
        if t.is_universal(16) && t.constructed {
            let der = t.to_der().map_err(|e| e.0)?.into_owned();
            cms::cert::IssuerAndSerialNumber::from_der(&der)
                .map_err(|e| format!("mailListIdentifier: {e}"))?;
            return Ok(EntityIdentifier::IssuerAndSerial(der));
        }
        if t.is_universal(4) {
            let k = t.octet_string("mailListIdentifier").map_err(|e| e.0)?;
            return Ok(EntityIdentifier::SubjectKeyIdentifier(k.into_owned()));
        }
        Err("mailListIdentifier is neither issuerAndSerialNumber nor subjectKeyIdentifier".into())
    }
}

fn subject_key_identifier(cert: &Certificate) -> Option<Vec<u8>> {
    match cert
        .tbs_certificate()
        .get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
    {
        Ok(Some((_, k))) => Some(k.0.as_bytes().to_vec()),
        _ => None,
    }
}

/// Where signed receipts of list members go (RFC 2634 §4.4, §2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MlReceiptPolicy {
    /// `none [0]`: members return no receipt.
    None,
    /// `insteadOf [1]`: receipts go to these GeneralNames (each one `GeneralNames` DER)
    /// instead of the originator's list.
    InsteadOf(Vec<Vec<u8>>),
    /// `inAdditionTo [2]`: receipts go to these as well.
    InAdditionTo(Vec<Vec<u8>>),
}

impl MlReceiptPolicy {
    /// `GeneralNames` DER holding one rfc822Name (`[1] IA5String`) per address.
    pub fn general_names(addresses: &[&str]) -> Result<Vec<u8>, String> {
        let mut names = Vec::new();
        for a in addresses {
            if a.is_empty() || !a.is_ascii() || a.bytes().any(|b| b.is_ascii_control()) {
                return Err(format!("\"{a}\" is not an IA5 mail address"));
            }
            names.push(primitive(0x81, a.as_bytes()));
        }
        let refs: Vec<&[u8]> = names.iter().map(|n| n.as_slice()).collect();
        Ok(constructed(0x30, &refs))
    }

    fn to_der(&self) -> Vec<u8> {
        let seq = |tag: u8, names: &[Vec<u8>]| {
            let refs: Vec<&[u8]> = names.iter().map(|n| n.as_slice()).collect();
            constructed(tag, &refs)
        };
        match self {
            // [0] IMPLICIT NULL.
            MlReceiptPolicy::None => vec![0x80, 0x00],
            MlReceiptPolicy::InsteadOf(n) => seq(0xA1, n),
            MlReceiptPolicy::InAdditionTo(n) => seq(0xA2, n),
        }
    }

    fn decode(t: &Tlv<'_>) -> Result<Self, String> {
        let names = |t: &Tlv<'_>| -> Result<Vec<Vec<u8>>, String> {
            let kids = t
                .children_at_most(MAX_RECEIPT_POLICY_NAMES, "mlReceiptPolicy")
                .map_err(|e| e.0)?;
            if kids.is_empty() {
                return Err(
                    "mlReceiptPolicy: an empty list of GeneralNames (SIZE (1..MAX))".into(),
                );
            }
            kids.iter()
                .map(|k| {
                    if !(k.is_universal(16) && k.constructed) {
                        return Err("mlReceiptPolicy: GeneralNames is not a SEQUENCE".to_string());
                    }
                    Ok(k.to_der().map_err(|e| e.0)?.into_owned())
                })
                .collect()
        };
        match (t.class, t.number, t.constructed) {
            (_, 0, false) if t.is_context(0) && t.content.is_empty() => Ok(MlReceiptPolicy::None),
            (_, 1, true) if t.is_context(1) => Ok(MlReceiptPolicy::InsteadOf(names(t)?)),
            (_, 2, true) if t.is_context(2) => Ok(MlReceiptPolicy::InAdditionTo(names(t)?)),
            _ => Err("mlReceiptPolicy is not none [0], insteadOf [1] or inAdditionTo [2]".into()),
        }
    }
}

/// One expansion (RFC 2634 §4.4 `MLData`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MlData {
    /// The MLA that expanded the list.
    pub mail_list_identifier: EntityIdentifier,
    /// When (GeneralizedTime, whole seconds, UTC).
    pub expansion_time: time::OffsetDateTime,
    /// The receipt policy the MLA set, if any.
    pub ml_receipt_policy: Option<MlReceiptPolicy>,
}

/// The mlExpansionHistory value: every expansion so far, oldest first (RFC 2634 §4.1: "add
/// an MLData record (…) to the end of the mlExpansionHistory sequence").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MlExpansionHistory(pub Vec<MlData>);

impl MlExpansionHistory {
    /// Whether an expansion by the MLA whose certificate is `mla` is already recorded: an
    /// expansion loop (RFC 2634 §4.1.1).
    pub fn contains(&self, mla: &Certificate) -> bool {
        self.0.iter().any(|d| d.mail_list_identifier.names(mla))
    }

    /// The attribute (DER `Attribute`) carrying this history; refuses an empty history and
    /// one longer than [`UB_ML_EXPANSION_HISTORY`].
    pub fn to_attribute(&self) -> Result<Vec<u8>, String> {
        if self.0.is_empty() || self.0.len() > UB_ML_EXPANSION_HISTORY {
            return Err(format!(
                "an mlExpansionHistory holds 1 to {UB_ML_EXPANSION_HISTORY} MLData, not {}",
                self.0.len()
            ));
        }
        let mut records = Vec::with_capacity(self.0.len());
        for d in &self.0 {
            let mut fields = vec![
                d.mail_list_identifier.to_der(),
                generalized_time(d.expansion_time)?,
            ];
            if let Some(p) = &d.ml_receipt_policy {
                fields.push(p.to_der());
            }
            let refs: Vec<&[u8]> = fields.iter().map(|f| f.as_slice()).collect();
            records.push(constructed(0x30, &refs));
        }
        let refs: Vec<&[u8]> = records.iter().map(|r| r.as_slice()).collect();
        attributes::attribute(ML_EXPAND_HISTORY, vec![constructed(0x30, &refs)])
    }

    /// Decode one attribute value (`MLExpansionHistory`), within the size bound.
    pub fn decode(t: &Tlv<'_>) -> Result<Self, String> {
        let records = t
            .sequence_at_most(UB_ML_EXPANSION_HISTORY + 1, "MLExpansionHistory")
            .map_err(|e| e.0)?;
        if records.is_empty() {
            return Err("MLExpansionHistory holds no MLData".into());
        }
        if records.len() > UB_ML_EXPANSION_HISTORY {
            return Err(format!(
                "MLExpansionHistory holds more than {UB_ML_EXPANSION_HISTORY} MLData"
            ));
        }
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            let f = r.sequence_at_most(4, "MLData").map_err(|e| e.0)?;
            let (id, when, policy) = match f.as_slice() {
                [id, when] => (id, when, None),
                [id, when, p] => (id, when, Some(MlReceiptPolicy::decode(p)?)),
                _ => return Err("MLData has 2 or 3 fields".into()),
            };
            if !when.is_universal(24) {
                return Err("MLData expansionTime is not a GeneralizedTime".into());
            }
            out.push(MlData {
                mail_list_identifier: EntityIdentifier::decode(id)?,
                expansion_time: attributes::parse_time(when)?,
                ml_receipt_policy: policy,
            });
        }
        Ok(MlExpansionHistory(out))
    }

    /// The report's form ([`crate::report::MlExpansion`]), oldest first.
    pub fn to_report(&self) -> Vec<crate::report::MlExpansion> {
        self.0
            .iter()
            .map(|d| crate::report::MlExpansion {
                mail_list_identifier: d.mail_list_identifier.describe(),
                expansion_time: attributes::rfc3339(d.expansion_time),
                receipt_policy: d.ml_receipt_policy.as_ref().map(|p| {
                    match p {
                        MlReceiptPolicy::None => "none",
                        MlReceiptPolicy::InsteadOf(_) => "insteadOf",
                        MlReceiptPolicy::InAdditionTo(_) => "inAdditionTo",
                    }
                    .to_string()
                }),
            })
            .collect()
    }

    /// The history of a SignerInfo's signed attributes: `None` without the attribute; an
    /// error when it occurs twice, with other than one value (RFC 2634 §1.3.4), or is
    /// malformed.
    pub fn from_attributes(attrs: &[ParsedAttribute<'_>]) -> Result<Option<Self>, String> {
        match attributes::single(attrs, ML_EXPAND_HISTORY)? {
            None => Ok(None),
            Some(v) => Self::decode(v).map(Some),
        }
    }
}

/// GeneralizedTime DER, `YYYYMMDDHHMMSSZ` (X.690 §11.7: UTC, no fraction for whole seconds).
fn generalized_time(t: time::OffsetDateTime) -> Result<Vec<u8>, String> {
    let t = t.to_offset(time::UtcOffset::UTC);
    if !(0..=9999).contains(&t.year()) {
        return Err(format!("expansionTime year {} out of range", t.year()));
    }
    let text = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let g = der::asn1::GeneralizedTime::from_der(&primitive(0x18, text.as_bytes()))
        .map_err(|e| e.to_string())?;
    g.to_der().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(policy: Option<MlReceiptPolicy>) -> MlExpansionHistory {
        MlExpansionHistory(vec![
            MlData {
                mail_list_identifier: EntityIdentifier::SubjectKeyIdentifier(vec![1, 2, 3]),
                expansion_time: time::macros::datetime!(2026-12-04 10:00:00 UTC),
                ml_receipt_policy: None,
            },
            MlData {
                mail_list_identifier: EntityIdentifier::SubjectKeyIdentifier(vec![9; 20]),
                expansion_time: time::macros::datetime!(2051-01-01 00:00:01 UTC),
                ml_receipt_policy: policy,
            },
        ])
    }

    fn round_trip(h: &MlExpansionHistory) -> MlExpansionHistory {
        let a = h.to_attribute().unwrap();
        let t = Tlv::parse_all(&a).unwrap();
        let kids = t.sequence("a").unwrap();
        assert_eq!(kids[0].oid("a").unwrap(), ML_EXPAND_HISTORY);
        let v = kids[1].set("v").unwrap();
        assert_eq!(v.len(), 1, "RFC 2634 §1.3.4: exactly one AttributeValue");
        MlExpansionHistory::decode(&v[0]).unwrap()
    }

    /// RFC 2634 §4.4: MLData with each MLReceiptPolicy choice survives encode → decode, and
    /// expansionTime is a GeneralizedTime even before 2050 (unlike signingTime).
    #[test]
    fn history_round_trips() {
        let names = MlReceiptPolicy::general_names(&["list-owner@army.example"]).unwrap();
        for p in [
            None,
            Some(MlReceiptPolicy::None),
            Some(MlReceiptPolicy::InsteadOf(vec![names.clone()])),
            Some(MlReceiptPolicy::InAdditionTo(vec![names.clone()])),
        ] {
            let h = sample(p);
            assert_eq!(round_trip(&h), h);
        }
        let a = sample(None).to_attribute().unwrap();
        assert!(a.windows(15).any(|w| w == b"20261204100000Z"));
    }

    /// ub-ml-expansion-history = 64: a 65th record is refused both ways; an empty history
    /// too (SIZE (1..ub)).
    #[test]
    fn history_is_bounded() {
        let one = sample(None).0[0].clone();
        let full = MlExpansionHistory(vec![one.clone(); UB_ML_EXPANSION_HISTORY]);
        assert_eq!(round_trip(&full).0.len(), 64);
        let over = MlExpansionHistory(vec![one; UB_ML_EXPANSION_HISTORY + 1]);
        assert!(over.to_attribute().is_err());
        assert!(MlExpansionHistory::default().to_attribute().is_err());
        // A 65-record value made by hand is refused on decode.
        let rec = {
            let a = full.to_attribute().unwrap();
            let t = Tlv::parse_all(&a).unwrap();
            let v = t.sequence("a").unwrap()[1].set("v").unwrap()[0]
                .sequence("h")
                .unwrap()[0]
                .raw
                .to_vec();
            v
        };
        let recs = vec![rec; 65];
        let refs: Vec<&[u8]> = recs.iter().map(|r| r.as_slice()).collect();
        let seq = constructed(0x30, &refs);
        assert!(MlExpansionHistory::decode(&Tlv::parse_all(&seq).unwrap()).is_err());
    }

    #[test]
    fn malformed_records_are_refused() {
        for bad in [
            &[0x30, 0x00][..],                                 // empty history
            &[0x30, 0x02, 0x30, 0x00],                         // MLData without fields
            &[0x30, 0x06, 0x30, 0x04, 0x04, 0x00, 0x05, 0x00], // expansionTime not a time
        ] {
            assert!(
                MlExpansionHistory::decode(&Tlv::parse_all(bad).unwrap()).is_err(),
                "{bad:02x?}"
            );
        }
    }
}

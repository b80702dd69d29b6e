//! Signature types (draft-melnikov-smime-msa-to-mda-04 §3.2, RFC 3183 §3.1.2) as the report
//! shows them: [`SignatureReport::signature_type`](super::SignatureReport::signature_type) and
//! [`CountersignatureReport::signature_type`](super::CountersignatureReport::signature_type).
//!
//! ```text
//! SignatureType ::= SEQUENCE OF OBJECT IDENTIFIER
//! id-sti OBJECT IDENTIFIER ::= { 1 2 840 113549 1 9 16 9 }
//!   id-sti-originatorSig { id-sti 1 }   id-sti-domainSig { id-sti 2 }
//!   id-sti-addAttribSig  { id-sti 3 }   id-sti-reviewSig { id-sti 4 }
//!   id-sti-delegatedOriginatorSig { id-sti 5 }
//! ```
//! The attribute's encoding and decoding are [`crate::smime::sig_type`]'s. In JSON a list is
//! one string: the names joined with `,` (`originator`, `domain`, `additionalAttributes`,
//! `review`, `delegatedOriginator`; an OID we do not know in dotted form), empty for an empty
//! list (`docs/report.md`).

use std::fmt;
use std::str::FromStr;

use const_oid::ObjectIdentifier as Oid;

use crate::asn1::oid;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A signature type we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SignatureType {
    /// id-sti-originatorSig.
    Originator,
    /// id-sti-domainSig.
    Domain,
    /// id-sti-addAttribSig.
    AdditionalAttributes,
    /// id-sti-reviewSig.
    Review,
    /// id-sti-delegatedOriginatorSig.
    DelegatedOriginator,
}

impl SignatureType {
    /// Every signature type, in OID order.
    pub const ALL: [SignatureType; 5] = [
        SignatureType::Originator,
        SignatureType::Domain,
        SignatureType::AdditionalAttributes,
        SignatureType::Review,
        SignatureType::DelegatedOriginator,
    ];

    /// The OID.
    pub fn oid(self) -> Oid {
        match self {
            SignatureType::Originator => oid::STI_ORIGINATOR,
            SignatureType::Domain => oid::STI_DOMAIN,
            SignatureType::AdditionalAttributes => oid::STI_ADDITIONAL_ATTRIBUTES,
            SignatureType::Review => oid::STI_REVIEW,
            SignatureType::DelegatedOriginator => oid::STI_DELEGATED_ORIGINATOR,
        }
    }

    /// From the OID.
    pub fn from_oid(oid: &Oid) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.oid() == *oid)
    }

    /// The report name (`originator|domain|review|additionalAttributes|delegatedOriginator`).
    pub fn name(self) -> &'static str {
        match self {
            SignatureType::Originator => "originator",
            SignatureType::Domain => "domain",
            SignatureType::AdditionalAttributes => "additionalAttributes",
            SignatureType::Review => "review",
            SignatureType::DelegatedOriginator => "delegatedOriginator",
        }
    }

    /// From the report name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// One value of a SignatureType attribute: a type we know, or another OID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SignatureTypeValue {
    /// A signature type we know.
    Known(SignatureType),
    /// An OID outside [`SignatureType`] (shown in dotted form).
    Other(Oid),
}

impl SignatureTypeValue {
    /// The value for an OID.
    pub fn from_oid(oid: Oid) -> Self {
        SignatureType::from_oid(&oid).map_or(SignatureTypeValue::Other(oid), Self::Known)
    }
}

impl From<SignatureType> for SignatureTypeValue {
    fn from(t: SignatureType) -> Self {
        SignatureTypeValue::Known(t)
    }
}

impl fmt::Display for SignatureTypeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureTypeValue::Known(t) => f.write_str(t.name()),
            SignatureTypeValue::Other(oid) => write!(f, "{oid}"),
        }
    }
}

impl FromStr for SignatureTypeValue {
    type Err = String;

    /// A report name, or a dotted OID.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(t) = SignatureType::from_name(s) {
            return Ok(SignatureTypeValue::Known(t));
        }
        Oid::new(s)
            .map(Self::from_oid)
            .map_err(|_| format!("not a signature type: {s:?}"))
    }
}

/// The values of a SignatureType attribute, in encoding order; empty when a countersignature
/// carries no attribute. A SignerInfo without the attribute is an originator signature
/// (draft-melnikov-smime-msa-to-mda-04 §3.2) and is reported as `[originator]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SignatureTypes(pub Vec<SignatureTypeValue>);

impl SignatureTypes {
    /// The list of one originator type: what a SignerInfo without the attribute means.
    pub fn originator() -> Self {
        SignatureTypes(vec![SignatureType::Originator.into()])
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the list holds this type.
    pub fn contains(&self, t: SignatureType) -> bool {
        self.0.contains(&SignatureTypeValue::Known(t))
    }

    /// Whether these types make an originator signature, one that authenticates the drafter:
    /// no type at all, or `originator` or `delegatedOriginator` among them
    /// (draft-melnikov-smime-msa-to-mda-04 §3.2). Only domain, review, additional-attributes
    /// or unknown types do not.
    pub fn is_originator(&self) -> bool {
        self.is_empty()
            || self.contains(SignatureType::Originator)
            || self.contains(SignatureType::DelegatedOriginator)
    }
}

impl From<Vec<SignatureType>> for SignatureTypes {
    fn from(v: Vec<SignatureType>) -> Self {
        SignatureTypes(v.into_iter().map(SignatureTypeValue::Known).collect())
    }
}

impl fmt::Display for SignatureTypes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl FromStr for SignatureTypes {
    type Err = String;

    /// The JSON form: values joined with `,`; the empty string is the empty list.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Ok(SignatureTypes::default());
        }
        s.split(',')
            .map(|v| v.trim().parse())
            .collect::<Result<_, _>>()
            .map(SignatureTypes)
    }
}

impl PartialEq<&str> for SignatureTypes {
    /// Compares with the JSON form.
    fn eq(&self, other: &&str) -> bool {
        if self.is_empty() {
            return other.is_empty();
        }
        let mut parts = other.split(',');
        self.0.iter().all(|v| {
            parts.next().is_some_and(|p| match v {
                SignatureTypeValue::Known(t) => t.name() == p,
                SignatureTypeValue::Other(oid) => {
                    let dotted = oid.to_string();
                    dotted == p
                }
            })
        }) && parts.next().is_none()
    }
}

impl Serialize for SignatureTypes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SignatureTypes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_the_joined_string() {
        for s in [
            "originator",
            "domain,review",
            "additionalAttributes",
            "delegatedOriginator",
            "",
            "1.2.3.4",
        ] {
            let json = serde_json::to_string(s).unwrap();
            let t: SignatureTypes = serde_json::from_str(&json).unwrap();
            assert_eq!(serde_json::to_string(&t).unwrap(), json);
            assert_eq!(t, s);
        }
        let t: SignatureTypes = serde_json::from_str("\"domain,review\"").unwrap();
        assert_eq!(
            t.0,
            vec![
                SignatureTypeValue::Known(SignatureType::Domain),
                SignatureTypeValue::Known(SignatureType::Review)
            ]
        );
        let t: SignatureTypes = serde_json::from_str("\"1.2.3.4\"").unwrap();
        assert_eq!(
            t.0,
            vec![SignatureTypeValue::Other(Oid::new_unwrap("1.2.3.4"))]
        );
        // A known type spelled as its OID is the known type.
        let t: SignatureTypes = "1.2.840.113549.1.9.16.9.4".parse().unwrap();
        assert_eq!(t, "review");
        assert!(t != "review,");
        assert!(t != "revie");
        assert!(SignatureTypes::default() != "review");
        assert!(serde_json::from_str::<SignatureTypes>("\"reviewer\"").is_err());
        assert!(serde_json::from_str::<SignatureTypes>("\"domain,\"").is_err());
    }

    #[test]
    fn originator_signatures() {
        let is = |s: &str| s.parse::<SignatureTypes>().unwrap().is_originator();
        assert!(is(""));
        assert!(is("originator"));
        assert!(is("delegatedOriginator"));
        assert!(is("domain,originator"));
        assert!(!is("domain"));
        assert!(!is("review"));
        assert!(!is("additionalAttributes"));
        assert!(!is("1.2.3.4"));
        assert!(SignatureTypes::originator().is_originator());
        assert!(SignatureTypes::from(vec![SignatureType::Review]).contains(SignatureType::Review));
    }

    #[test]
    fn names_and_oids_are_one_table() {
        for t in SignatureType::ALL {
            assert_eq!(SignatureType::from_oid(&t.oid()), Some(t));
            assert_eq!(SignatureType::from_name(t.name()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.name());
        }
    }
}

//! Reading ContentInfo / SignedData / SignerInfo as received (RFC 5652 §3, §5), BER or DER,
//! keeping the raw octets needed for signature checks and for re-encoding around an added
//! countersignature.
//!
//! ```text
//! ContentInfo ::= SEQUENCE { contentType ContentType, content [0] EXPLICIT ANY }
//! SignedData ::= SEQUENCE {
//!   version CMSVersion,
//!   digestAlgorithms SET OF DigestAlgorithmIdentifier,
//!   encapContentInfo EncapsulatedContentInfo,
//!   certificates [0] IMPLICIT CertificateSet OPTIONAL,
//!   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
//!   signerInfos SET OF SignerInfo }
//! EncapsulatedContentInfo ::= SEQUENCE {
//!   eContentType ContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
//! SignerInfo ::= SEQUENCE {
//!   version CMSVersion, sid SignerIdentifier, digestAlgorithm DigestAlgorithmIdentifier,
//!   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
//!   signatureAlgorithm SignatureAlgorithmIdentifier, signature SignatureValue,
//!   unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
//! SignerIdentifier ::= CHOICE { issuerAndSerialNumber IssuerAndSerialNumber,
//!   subjectKeyIdentifier [0] SubjectKeyIdentifier }
//! Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }
//! ```

use std::borrow::Cow;

use const_oid::ObjectIdentifier as Oid;
use der::Decode;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use crate::asn1::ber::{BerError, Tlv};

/// A ContentInfo as received ([`crate::asn1::content_info`]).
pub use crate::asn1::content_info::ContentInfo as ParsedContentInfo;

/// Parse a ContentInfo (BER or DER) that fills `input`.
pub fn parse_content_info(input: &[u8]) -> Result<ParsedContentInfo<'_>, BerError> {
    ParsedContentInfo::parse_all(input)
}

/// One attribute: its type and each value's element, as received.
#[derive(Debug, Clone)]
pub struct ParsedAttribute<'a> {
    /// attrType.
    pub oid: Oid,
    /// attrValues, each one element.
    pub values: Vec<Tlv<'a>>,
}

/// The signer identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerId {
    /// issuerAndSerialNumber.
    IssuerSerial(cms::cert::IssuerAndSerialNumber),
    /// subjectKeyIdentifier.
    Ski(Vec<u8>),
}

impl SignerId {
    /// Whether `cert` is the certificate this identifier names.
    pub fn matches(&self, cert: &Certificate) -> bool {
        let tbs = cert.tbs_certificate();
        match self {
            SignerId::IssuerSerial(isn) => {
                tbs.issuer() == &isn.issuer && tbs.serial_number() == &isn.serial_number
            }
            SignerId::Ski(ski) => matches!(
                tbs.get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>(),
                Ok(Some((_, k))) if k.0.as_bytes() == ski.as_slice()
            ),
        }
    }

    /// Text form for reports.
    pub fn describe(&self) -> String {
        match self {
            SignerId::IssuerSerial(isn) => {
                format!(
                    "issuer \"{}\" serial {}",
                    crate::trust::name_string(&isn.issuer),
                    isn.serial_number
                )
            }
            SignerId::Ski(ski) => format!("subjectKeyIdentifier {}", hex(ski)),
        }
    }
}

/// Lower-case hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A SignerInfo as received.
#[derive(Debug, Clone)]
pub struct ParsedSignerInfo<'a> {
    /// The whole SignerInfo element.
    pub raw: Tlv<'a>,
    /// version.
    pub version: u32,
    /// sid.
    pub sid: SignerId,
    /// digestAlgorithm.
    pub digest_alg: AlgorithmIdentifierOwned,
    /// signedAttrs, in the order received.
    pub signed_attrs: Option<Vec<ParsedAttribute<'a>>>,
    /// The octets the signature covers when signedAttrs are present: the DER of the SET,
    /// i.e. the received `[0]` element with its tag replaced by `0x31` (RFC 5652 §5.4).
    pub signed_attrs_der: Option<Vec<u8>>,
    /// signatureAlgorithm.
    pub signature_alg: AlgorithmIdentifierOwned,
    /// signature octets.
    pub signature: Cow<'a, [u8]>,
    /// unsignedAttrs, in the order received.
    pub unsigned_attrs: Vec<ParsedAttribute<'a>>,
    /// The unsignedAttrs element, when present.
    pub unsigned_raw: Option<Tlv<'a>>,
}

/// A SignedData as received.
#[derive(Debug, Clone)]
pub struct ParsedSignedData<'a> {
    /// The SignedData element.
    pub raw: Tlv<'a>,
    /// version.
    pub version: u32,
    /// digestAlgorithms.
    pub digest_algs: Vec<AlgorithmIdentifierOwned>,
    /// eContentType.
    pub econtent_type: Oid,
    /// eContent octets (chunks concatenated), `None` when detached.
    pub econtent: Option<Cow<'a, [u8]>>,
    /// certificates (only X.509 certificates; other choices are skipped).
    pub certificates: Vec<Certificate>,
    /// crls, each element's DER.
    pub crls: Vec<Vec<u8>>,
    /// signerInfos in the order received.
    pub signer_infos: Vec<ParsedSignerInfo<'a>>,
    /// The top-level fields of the SignedData, in order (for re-encoding).
    pub fields: Vec<Tlv<'a>>,
}

/// How many signer identifiers and algorithm identifiers this module keeps decoded (per
/// thread, [`crate::memo::decoded`]): a correspondent's messages name the same signer and
/// the same few algorithms in each.
const REMEMBERED_IDENTIFIERS: usize = 16;

std::thread_local! {
    static SIGNER_IDS: std::cell::RefCell<crate::memo::Memo<Vec<u8>, cms::cert::IssuerAndSerialNumber>> =
        const { std::cell::RefCell::new(crate::memo::Memo::new(REMEMBERED_IDENTIFIERS)) };
    static ALGORITHMS: std::cell::RefCell<crate::memo::Memo<Vec<u8>, AlgorithmIdentifierOwned>> =
        const { std::cell::RefCell::new(crate::memo::Memo::new(REMEMBERED_IDENTIFIERS)) };
}

fn algorithm(t: &Tlv<'_>, what: &str) -> Result<AlgorithmIdentifierOwned, BerError> {
    let der = t.to_der()?;
    crate::memo::decoded(&ALGORITHMS, &der, |d| AlgorithmIdentifierOwned::from_der(d))
        .map_err(|e| BerError(format!("{what}: {e}")))
}

/// The most SignerInfos a SignedData is read with; more is malformed (the signatures of a
/// whole message are checked up to `signed_verify::MAX_SIGNATURES`, the rest reported).
pub const MAX_SIGNER_INFOS: usize = 1024;

/// The most certificates, CRLs and digest algorithms a SignedData is read with, and
/// attributes in one SignerInfo's set and values in one attribute; more is malformed.
/// Each is read one at a time: a list of every element of a set would hold about 48
/// octets per element of two (`Tlv::children`).
pub const MAX_CERTIFICATES: usize = 4096;
/// The most octets of certificates a SignedData is read with, all together. A decoded
/// certificate holds several times its octets, and many more when it is mostly a long list
/// (a certificate of half a million empty extensions, 4.5 MB, decoded to 78 MB); a
/// SignedData carries a few certificates of a few KB each.
pub const MAX_CERTIFICATE_OCTETS: usize = 4 << 20;
/// See [`MAX_CERTIFICATES`].
pub const MAX_CRLS: usize = 256;
/// See [`MAX_CERTIFICATES`].
pub const MAX_DIGEST_ALGORITHMS: usize = 64;
/// See [`MAX_CERTIFICATES`].
pub const MAX_ATTRIBUTES: usize = 1024;
/// See [`MAX_CERTIFICATES`].
pub const MAX_ATTRIBUTE_VALUES: usize = 1024;

/// Parse the attributes inside an `[n] IMPLICIT SET OF Attribute` element.
pub fn parse_attributes<'a>(t: &Tlv<'a>, what: &str) -> Result<Vec<ParsedAttribute<'a>>, BerError> {
    let mut out = Vec::new();
    for a in t.children_at_most(MAX_ATTRIBUTES, what)? {
        let parts = a.sequence_at_most(3, what)?;
        let [oid, values] = parts.as_slice() else {
            return Err(BerError(format!(
                "{what}: Attribute must have type and values"
            )));
        };
        let oid = oid.oid(what)?;
        // As `Tlv::set`, with the context formatted only for the error.
        if !(values.is_universal(17) && values.constructed) {
            return Err(BerError(format!("{what} {oid} values: expected SET")));
        }
        let values =
            values.children_at_most(MAX_ATTRIBUTE_VALUES, format_args!("{what} {oid} values"))?;
        out.push(ParsedAttribute { oid, values });
    }
    Ok(out)
}

/// Parse one SignerInfo element.
pub fn parse_signer_info<'a>(t: Tlv<'a>) -> Result<ParsedSignerInfo<'a>, BerError> {
    let f = t.sequence_at_most(8, "SignerInfo")?;
    let mut it = f.iter().peekable();
    let mut next = |what: &str| {
        it.next()
            .copied()
            .ok_or_else(|| BerError(format!("SignerInfo: missing {what}")))
    };
    let version = next("version")?.small_uint("SignerInfo.version")?;
    let sid_t = next("sid")?;
    let sid = if sid_t.is_universal(16) {
        let der = sid_t.to_der()?;
        SignerId::IssuerSerial(
            crate::memo::decoded(&SIGNER_IDS, &der, |d| {
                cms::cert::IssuerAndSerialNumber::from_der(d)
            })
            .map_err(|e| BerError(format!("SignerInfo.sid: {e}")))?,
        )
    } else if sid_t.is_context(0) {
        SignerId::Ski(sid_t.string_octets()?.into_owned())
    } else {
        return Err(BerError("SignerInfo.sid: unknown choice".into()));
    };
    let digest_alg = algorithm(&next("digestAlgorithm")?, "SignerInfo.digestAlgorithm")?;
    let mut cur = next("signatureAlgorithm")?;
    let mut signed_attrs = None;
    let mut signed_attrs_der = None;
    if cur.is_context(0) {
        if !cur.constructed {
            return Err(BerError("signedAttrs: must be constructed".into()));
        }
        // [0] IMPLICIT SET OF Attribute: the children are Attributes (SEQUENCE), never a
        // SET wrapped in an explicit tag.
        let attrs = parse_attributes(&cur, "signedAttrs")?;
        if attrs.is_empty() {
            return Err(BerError("signedAttrs: empty SET (SIZE 1..MAX)".into()));
        }
        let mut der = cur.to_der()?.into_owned();
        if let Some(first) = der.first_mut() {
            *first = 0x31;
        }
        signed_attrs = Some(attrs);
        signed_attrs_der = Some(der);
        cur = next("signatureAlgorithm")?;
    }
    let signature_alg = algorithm(&cur, "SignerInfo.signatureAlgorithm")?;
    let sig_t = next("signature")?;
    let signature = sig_t.octet_string("SignerInfo.signature")?;
    let mut unsigned_attrs = Vec::new();
    let mut unsigned_raw = None;
    if let Some(u) = it.next() {
        if !(u.is_context(1) && u.constructed) {
            return Err(BerError(
                "SignerInfo: unexpected field after signature".into(),
            ));
        }
        unsigned_attrs = parse_attributes(u, "unsignedAttrs")?;
        unsigned_raw = Some(*u);
    }
    if it.next().is_some() {
        return Err(BerError("SignerInfo: trailing fields".into()));
    }
    Ok(ParsedSignerInfo {
        raw: t,
        version,
        sid,
        digest_alg,
        signed_attrs,
        signed_attrs_der,
        signature_alg,
        signature,
        unsigned_attrs,
        unsigned_raw,
    })
}

/// Parse a `SignerInfos ::= SET OF SignerInfo` element (at most [`MAX_SIGNER_INFOS`]).
pub fn parse_signer_infos<'a>(t: &Tlv<'a>) -> Result<Vec<ParsedSignerInfo<'a>>, BerError> {
    t.set_iter("SignerInfos")?;
    t.children_at_most(MAX_SIGNER_INFOS, "SignerInfos")?
        .into_iter()
        .map(parse_signer_info)
        .collect()
}

/// The digestAlgorithm of the first `max` SignerInfos of a SignedData (RFC 5652 §5.1, §5.3),
/// in order, read without decoding the rest (certificates, CRLs, signed attributes): what a
/// digest can be asked for before the SignedData is parsed (`verify::digest_ranges`). The
/// algorithms of [`parse_signed_data`]'s `signer_infos` when that parse succeeds.
pub fn signer_digest_algorithms(
    t: Tlv<'_>,
    max: usize,
) -> Result<Vec<AlgorithmIdentifierOwned>, BerError> {
    let fields = t.sequence_at_most(7, "SignedData")?;
    // version, digestAlgorithms, encapContentInfo, then certificates [0] and crls [1] as
    // parse_signed_data skips them, then signerInfos.
    let mut i = 3;
    while fields
        .get(i)
        .is_some_and(|f| f.is_context(0) || f.is_context(1))
    {
        i += 1;
    }
    let sis = fields
        .get(i)
        .ok_or_else(|| BerError("SignedData: missing signerInfos".into()))?;
    sis.set_iter("SignerInfos")?
        .take(max)
        .map(|si| {
            let f = si?.sequence_at_most(8, "SignerInfo")?;
            let alg = f
                .get(2)
                .ok_or_else(|| BerError("SignerInfo: missing digestAlgorithm".into()))?;
            algorithm(alg, "SignerInfo.digestAlgorithm")
        })
        .collect()
}

/// Parse a SignedData element (the content of a ContentInfo of type id-signedData).
pub fn parse_signed_data<'a>(t: Tlv<'a>) -> Result<ParsedSignedData<'a>, BerError> {
    // Six fields at most; one more is reported as trailing.
    let fields = t.sequence_at_most(7, "SignedData")?;
    let mut i = 0usize;
    let get = |i: usize, what: &str| {
        fields
            .get(i)
            .copied()
            .ok_or_else(|| BerError(format!("SignedData: missing {what}")))
    };
    let version = get(i, "version")?.small_uint("SignedData.version")?;
    i += 1;
    let mut digest_algs = Vec::new();
    let algs = get(i, "digestAlgorithms")?;
    algs.set_iter("SignedData.digestAlgorithms")?;
    for a in algs.children_at_most(MAX_DIGEST_ALGORITHMS, "SignedData.digestAlgorithms")? {
        digest_algs.push(algorithm(&a, "digestAlgorithms")?);
    }
    i += 1;
    let eci = get(i, "encapContentInfo")?.sequence_at_most(3, "EncapsulatedContentInfo")?;
    i += 1;
    let econtent_type = eci
        .first()
        .ok_or_else(|| BerError("EncapsulatedContentInfo: empty".into()))?
        .oid("eContentType")?;
    let econtent = match eci.get(1) {
        None => None,
        Some(w) => {
            if !(w.is_context(0) && w.constructed) {
                return Err(BerError("eContent: expected [0] EXPLICIT".into()));
            }
            let inner = w.children_at_most(2, "eContent")?;
            let [os] = inner.as_slice() else {
                return Err(BerError("eContent: expected one OCTET STRING".into()));
            };
            Some(os.octet_string("eContent")?)
        }
    };
    if eci.len() > 2 {
        return Err(BerError("EncapsulatedContentInfo: trailing fields".into()));
    }
    let mut certificates = Vec::new();
    let mut crls = Vec::new();
    while let Some(f) = fields.get(i) {
        if f.is_context(0) {
            let mut octets = 0usize;
            for (n, c) in f.children_iter()?.enumerate() {
                if n == MAX_CERTIFICATES {
                    return Err(BerError(format!(
                        "certificates: more than {MAX_CERTIFICATES}"
                    )));
                }
                let c = c?;
                octets = octets.saturating_add(c.raw.len());
                if octets > MAX_CERTIFICATE_OCTETS {
                    return Err(BerError(format!(
                        "certificates: more than {} MiB of them",
                        MAX_CERTIFICATE_OCTETS >> 20
                    )));
                }
                if c.is_universal(16) {
                    // A certificate decoded lately is found by its octets before they are
                    // checked for DER form (only DER octets are remembered).
                    let cert = match crate::keys::certificate_remembered(c.raw) {
                        Some(cert) => cert,
                        None => crate::keys::certificate_from_der(&c.to_der()?)
                            .map_err(|e| BerError(format!("certificates: {e}")))?,
                    };
                    certificates.push(cert);
                }
            }
            i += 1;
        } else if f.is_context(1) {
            for c in f.children_at_most(MAX_CRLS, "crls")? {
                crls.push(c.to_der()?.into_owned());
            }
            i += 1;
        } else {
            break;
        }
    }
    let si = get(i, "signerInfos")?;
    let signer_infos = parse_signer_infos(&si)?;
    if i + 1 != fields.len() {
        return Err(BerError("SignedData: trailing fields".into()));
    }
    Ok(ParsedSignedData {
        raw: t,
        version,
        digest_algs,
        econtent_type,
        econtent,
        certificates,
        crls,
        signer_infos,
        fields,
    })
}

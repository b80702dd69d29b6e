//! Generating each DOMSEC signature type with its rules (draft-melnikov-smime-msa-to-mda-04
//! §2.5, §3): what it encapsulates, which attributes it carries, which certificate may make it.
//!
//! | type (§3.2 `id-sti-*`) | encapsulates (§3.2, §2.5) | signer certificate (§2.6) |
//! |---|---|---|
//! | originator (§3.6; also: no attribute) | may sign the content directly | the originator's own |
//! | delegatedOriginator (§3.7) | may sign the content directly | an agent of the originator's domain |
//! | domain (§3.3) | MUST encapsulate a signature | an agent of the originator's domain |
//! | additionalAttributes (§3.4) | MUST encapsulate a signature | an agent of the originator's domain |
//! | review (§3.5) | MUST encapsulate a signature | an agent certificate follows §2.6; a person's (RFC 7912 §3.3) is judged by the authorizing-users rules |
//!
//! "All signature types, except the originator and the delegated originator types, MUST
//! encapsulate other signatures. Note a DOMSEC defined signature could be encapsulating an
//! empty signature as defined in Section 2.5" (§3.2): a message that is not yet signed (or
//! encrypted) first gets an **empty signature layer** (§2.5 method 1: a SignedData whose
//! signerInfos is empty, eContentType id-data and eContent the unsigned MIME entity —
//! [`empty_signature_layer`]), and the new signature is then a new signed layer around the
//! message (§2.5 method 2, [`crate::smime::sign_message`] over the signed entity): it covers
//! the content and every signature already there, and its position tells the order in which
//! signatures were added. A signature that must encapsulate is therefore never a parallel
//! SignerInfo next to the originator's: "If there is more than one SignerInfo in a
//! signerInfos (…) then the SignatureType attribute in all the SignerInfos MUST contain the
//! same content" (§3.2).
//!
//! The attribute list (§3.2): at most one SignatureType per SignerInfo, different values
//! only, `additionalAttributes` alone. An additional-attributes signature's other signed
//! attributes (e.g. the ESS security label, §3.4 item 2) are the [`SignOptions`] ones.
//!
//! Before a domain or delegated-originator signature is added the agent "MUST first satisfy
//! itself of the authenticity of the message originator" and that "all other signatures
//! present are valid, including those that have been encrypted" (§3.3, §3.7):
//! [`ready_for_domain_signature`] checks that on the report of the message.

use x509_cert::Certificate;

use super::naming::{agent_names, naming_verdict};
use super::Error;
use crate::asn1::oid::{ID_AUTH_ENVELOPED_DATA, ID_DATA, ID_ENVELOPED_DATA, ID_SIGNED_DATA};
use crate::fields::address;
use crate::mime::entity::{self, canonical_crlf, fields, split};
use crate::report::codes::{cause, Cause};
use crate::report::{SignatureType, VerifyReport};
use crate::rng::CryptoRng;
use crate::smime::sign::split_entity;
use crate::smime::signed_build::assemble_signed_data;
use crate::smime::signed_parse::parse_content_info;
use crate::smime::{
    pkcs7_mime_part, PendingSignedEntity, SignOptions, SignedEntityContent, Signer, SmimeType,
};

/// Check a signature-type list against §3.2: no repeated value, `additionalAttributes` alone.
pub(crate) fn check_types(types: &[SignatureType]) -> Result<(), Error> {
    for (i, t) in types.iter().enumerate() {
        if types[..i].contains(t) {
            return Err(Error::SignatureType(format!(
                "{} is listed twice (§3.2: different SignatureType values only)",
                t.name()
            )));
        }
    }
    if types.contains(&SignatureType::AdditionalAttributes) && types.len() > 1 {
        return Err(Error::SignatureType(
            "additionalAttributes must be the only signature type (§3.4: other OIDs MUST NOT be included)".into(),
        ));
    }
    Ok(())
}

/// Whether a signature of these types must encapsulate another signature (§3.2): any type
/// other than originator and delegated originator.
pub(crate) fn must_encapsulate(types: &[SignatureType]) -> bool {
    types.iter().any(|t| {
        matches!(
            t,
            SignatureType::Domain | SignatureType::AdditionalAttributes | SignatureType::Review
        )
    })
}

/// Whether a signature of these types, made with `cert`, is bound by the naming convention
/// (§2.6; §3.3, §3.4, §3.5, §3.7): domain, additional-attributes and delegated-originator
/// signatures always; a review signature when its certificate names an agent (a person's
/// review, RFC 7912 §3.3, is judged by the authorizing-users rules instead).
pub(crate) fn naming_applies(types: &[SignatureType], cert: Option<&Certificate>) -> bool {
    types.iter().any(|t| match t {
        SignatureType::Domain
        | SignatureType::AdditionalAttributes
        | SignatureType::DelegatedOriginator => true,
        SignatureType::Review => cert.is_some_and(|c| !agent_names(c).is_empty()),
        SignatureType::Originator => false,
    })
}

/// The originator addresses of a message's header (the Sender, else the From: who the
/// recipient's naming check will compare with, `crate::verify::originator`).
pub(crate) fn originator_addresses(raw: &[u8]) -> Vec<String> {
    let canon = canonical_crlf(raw);
    let (header, _) = split(&canon);
    let fs = fields(header);
    let of = |name: &str| -> Vec<String> {
        fs.iter()
            .filter(|f| f.name.eq_ignore_ascii_case(name))
            .flat_map(|f| address::addresses(&f.value))
            .collect()
    };
    let sender = of("sender");
    if sender.is_empty() {
        of("from")
    } else {
        sender
    }
}

/// What the top MIME entity of a message is, for encapsulation (§2.5).
fn is_signed_or_encrypted(raw: &[u8]) -> bool {
    let (header, body) = split(raw);
    let fs = fields(header);
    let ct = entity::entity_media_type(&fs);
    match ct.mime.as_str() {
        "multipart/signed" => true,
        "application/pkcs7-mime" | "application/x-pkcs7-mime" => {
            let cte = entity::field(&fs, "content-transfer-encoding").map(|f| f.value.clone());
            let Ok(der) = entity::decode_transfer(body, cte.as_deref()) else {
                return false;
            };
            parse_content_info(&der).is_ok_and(|ci| {
                ci.content_type == ID_SIGNED_DATA
                    || ci.content_type == ID_ENVELOPED_DATA
                    || ci.content_type == ID_AUTH_ENVELOPED_DATA
            })
        }
        _ => false,
    }
}

/// Wrap a message in an empty signature layer (§2.5 method 1): its RFC 5322 header fields
/// stay outside; its MIME entity becomes the eContent (id-data) of a SignedData without any
/// SignerInfo, as `application/pkcs7-mime; smime-type=signed-data` — what S/MIME software
/// without DOMSEC support reads as a signed message with no signers.
pub fn empty_signature_layer(raw: &[u8]) -> Result<Vec<u8>, Error> {
    if raw.is_empty() {
        return Err(crate::smime::Error::Malformed("empty message".into()).into());
    }
    let (outer, entity) = split_entity(raw);
    // RFC 5652 §5.1: version 1 (no certificates, attribute certificates or v3 SignerInfos,
    // eContentType id-data); digestAlgorithms is the empty SET of no signer's algorithms.
    let cms = assemble_signed_data(1, &[], ID_DATA, Some(&entity), &[], &[])?;
    pkcs7_mime_part(SmimeType::SignedData, &cms)
        .to_message(&outer)
        .map_err(|e| crate::smime::pkcs7_mime::encode_error(e).into())
}

/// Refuse a signer certificate that breaks the naming convention for these types (§2.6):
/// it must name an agent whose domain equals or is an ascendant of every originator
/// address's domain.
fn check_naming(types: &[SignatureType], cert: &Certificate, raw: &[u8]) -> Result<(), Error> {
    if !naming_applies(types, Some(cert)) {
        return Ok(());
    }
    let originators = originator_addresses(raw);
    let v = naming_verdict(cert, &originators);
    if v.ok {
        return Ok(());
    }
    let who = if originators.is_empty() {
        "the message has no From or Sender".to_string()
    } else {
        format!("the originator is {}", originators.join(", "))
    };
    Err(Error::Naming(match v.agent {
        None => format!(
            "the signer certificate names no agent (subjectAltName smtp://<domain>, submit://<domain> or dNSName, §2.6); {who}"
        ),
        Some(a) => format!(
            "the signer certificate names the agent {} of {}, which is not the originator's domain nor an ascendant of it (§2.6); {who}",
            a.text, a.domain
        ),
    }))
}

/// Sign a whole message with the signature types of `opts.signature_type` (empty: an
/// originator signature without the attribute), applying the rules of §2.5, §2.6 and §3.2
/// (module documentation): refuses forbidden type lists and certificates that break the
/// naming convention, and makes every type that must encapsulate a new signed layer (over
/// an empty signature layer when the message is not yet signed or encrypted). Returns the
/// new message (CRLF).
pub fn sign_typed<R: CryptoRng + ?Sized>(
    raw: &[u8],
    signer: &Signer,
    opts: &SignOptions,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let pending = begin_sign_typed(raw, &signer.cert, &signer.chain, opts, rng)?;
    let sig = crate::smime::key_operation::sign_with_key(&signer.key, pending.request(), rng)?;
    Ok(pending.finish(&sig)?)
}

/// [`sign_typed`] in steps, for a private key held by the caller's provider
/// (`crate::smime::key_operation`): the same checks and layering, then the pending signature
/// by the key of `cert` (with `chain` as the further certificates to include); the content
/// digest by the pure-Rust provider ([`prepare_sign_typed`] leaves it to the caller's).
pub fn begin_sign_typed<R: CryptoRng + ?Sized>(
    raw: &[u8],
    cert: &Certificate,
    chain: &[Certificate],
    opts: &SignOptions,
    rng: &mut R,
) -> Result<PendingSignedEntity, Error> {
    Ok(prepare_sign_typed(raw.to_vec(), cert, opts)?.begin_hashed(cert, chain, opts, rng)?)
}

/// The first step of [`begin_sign_typed`]: the signature-type and naming checks and the
/// layering, giving the content whose digest the provider computes
/// ([`SignedEntityContent::digest_request`]) before the signature is begun
/// ([`SignedEntityContent::begin`]). The message is handed over: its entity is made in its
/// buffer ([`SignedEntityContent::message_owned`]); [`SignedEntityContent::unchanged_from`]
/// is relative to `raw`.
pub fn prepare_sign_typed(
    raw: Vec<u8>,
    cert: &Certificate,
    opts: &SignOptions,
) -> Result<SignedEntityContent, Error> {
    check_types(&opts.signature_type)?;
    check_naming(&opts.signature_type, cert, &raw)?;
    if must_encapsulate(&opts.signature_type) && !is_signed_or_encrypted(&canonical_crlf(&raw)) {
        let layered = empty_signature_layer(&raw)?;
        drop(raw);
        return Ok(SignedEntityContent::message_owned(layered)?.made_from_other_octets());
    }
    Ok(SignedEntityContent::message_owned(raw)?)
}

/// Domain-sign a complete MIME message (§3.3): a new signed layer with signatureType
/// `domain` around the message as it is (its signatures, encrypted layers and content
/// untouched; an unsigned message first gets an empty signature layer, §2.5), made with the
/// domain agent's key and certificate (`signer.cert` must name an agent of the originator's
/// domain, §2.6). `opts` gives everything else (detached or not, digest, signingTime — the
/// core reads no clock); its `signature_type` is replaced by `[domain]`. Call
/// [`ready_for_domain_signature`] on the verification report of `raw` first. Returns the new
/// message (CRLF).
pub fn domain_sign<R: CryptoRng + ?Sized>(
    raw: &[u8],
    signer: &Signer,
    opts: &SignOptions,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let opts = SignOptions {
        signature_type: vec![SignatureType::Domain],
        ..opts.clone()
    };
    sign_typed(raw, signer, &opts, rng)
}

/// How the agent knows who the originator is (§3.3: "one of two methods").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginatorAuthentication {
    /// By the originator's signature in the message: a valid, trusted originator signature
    /// bound to the originator address (`addressMatch`), or a valid domain signature already
    /// there (`domainVerified`).
    Signature,
    /// By a mechanism external to S/MIME (SMTP AUTH, STARTTLS client certificate, an
    /// authenticated link), asserted by the caller.
    External,
}

/// Whether every layer of the report was read and every signature in it is valid and
/// trusted: what an agent checks before it signs over a message (§3.3, §3.7) or expands it
/// for a list (RFC 2634 §4.2). `Err` says what is not.
pub(crate) fn all_signatures_valid(report: &VerifyReport) -> Result<(), String> {
    if let Some(p) = report
        .problems
        .iter()
        .find(|p| cause(&p.code) == Cause::Structure && p.code != "not-signed")
    {
        return Err(format!(
            "the message cannot be fully read ({}: {})",
            p.code, p.message
        ));
    }
    if let Some(s) = report.signatures.iter().find(|s| !(s.valid && s.trusted)) {
        return Err(format!(
            "the signature by {} is not {}",
            s.signer,
            if s.valid { "trusted" } else { "valid" }
        ));
    }
    Ok(())
}

/// §3.3 / §3.7 preconditions of a domain or delegated-originator signature, on the report of
/// the message to be signed (verified with the keys of every encrypted layer, "including those
/// that have been encrypted"): no layer left unread, every signature present valid and
/// trusted, and the originator authenticated as `auth` says. `Err` says why the signature
/// "MUST NOT be generated".
pub fn ready_for_domain_signature(
    report: &VerifyReport,
    auth: OriginatorAuthentication,
) -> Result<(), Error> {
    let refuse = |m: String| Err(Error::NotReady(m));
    if let Err(m) = all_signatures_valid(report) {
        return refuse(format!(
            "{m} (§3.3: all other signatures present must be valid)"
        ));
    }
    let by_signature = report.domain_verified
        || report
            .signatures
            .iter()
            .any(|s| s.signature_type.is_originator() && s.address_match == Some(true));
    match auth {
        OriginatorAuthentication::External => Ok(()),
        OriginatorAuthentication::Signature if by_signature => Ok(()),
        OriginatorAuthentication::Signature => refuse(
            "no valid originator signature bound to the originator address (§3.3: the originator's authenticity must be verified first)".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded::Coded;

    /// §3.2: "MAY include multiple instances of different SignatureType values (…) as long
    /// as the SignatureType 'additional attributes' is not present."
    #[test]
    fn type_lists_follow_section_3_2() {
        use SignatureType::*;
        assert!(check_types(&[Domain, Review]).is_ok());
        assert!(check_types(&[]).is_ok());
        assert_eq!(
            check_types(&[AdditionalAttributes, Domain])
                .unwrap_err()
                .code(),
            "signature-type-invalid"
        );
        assert!(check_types(&[Domain, Domain]).is_err());
    }

    /// §3.2: "All signature types, except the originator and the delegated originator types,
    /// MUST encapsulate other signatures."
    #[test]
    fn which_types_encapsulate() {
        use SignatureType::*;
        assert!(must_encapsulate(&[Domain]));
        assert!(must_encapsulate(&[Review]));
        assert!(must_encapsulate(&[AdditionalAttributes]));
        assert!(!must_encapsulate(&[Originator]));
        assert!(!must_encapsulate(&[DelegatedOriginator]));
        assert!(!must_encapsulate(&[]));
        assert!(naming_applies(&[DelegatedOriginator], None));
        assert!(naming_applies(&[AdditionalAttributes], None));
        assert!(!naming_applies(&[Originator], None));
        assert!(!naming_applies(&[Review], None));
    }

    /// §2.5 method 1: "the message is wrapped in a signedData that has a signerInfos which
    /// contains no elements (…) the eContentType (…) MUST be id-data (…) the eContent field
    /// will contain the unsigned message".
    #[test]
    fn empty_signature_layer_holds_the_message() {
        let raw =
            b"From: alice@army.example\r\nSubject: s\r\nContent-Type: text/plain\r\n\r\nhello\r\n";
        let out = empty_signature_layer(raw).unwrap();
        assert!(out.starts_with(b"From: alice@army.example\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data"));
        assert!(is_signed_or_encrypted(&out));
        assert!(!is_signed_or_encrypted(raw));
        let (_, body) = split(&out);
        let der = entity::decode_transfer(body, Some("base64")).unwrap();
        let ci = parse_content_info(&der).unwrap();
        let sd = crate::smime::signed_parse::parse_signed_data(ci.content).unwrap();
        assert!(sd.signer_infos.is_empty());
        assert_eq!(sd.econtent_type, ID_DATA);
        assert_eq!(
            sd.econtent.as_deref(),
            Some(&b"Content-Type: text/plain\r\n\r\nhello\r\n"[..])
        );
    }

    #[test]
    fn originator_is_the_sender_else_the_from() {
        assert_eq!(
            originator_addresses(b"From: a@army.example\nSender: s@army.example\n\nx"),
            vec!["s@army.example"]
        );
        assert_eq!(
            originator_addresses(b"From: A <a@army.example>\n\nx"),
            vec!["a@army.example"]
        );
    }
}

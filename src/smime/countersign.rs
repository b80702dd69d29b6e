//! Adding a countersignature (RFC 5652 §11.4) to a SignerInfo of an existing SignedData.
//!
//! ```text
//! countersignature ATTRIBUTE ::= { WITH SYNTAX Countersignature ID id-countersignature }
//! id-countersignature OBJECT IDENTIFIER ::= { iso(1) member-body(2) us(840) rsadsi(113549)
//!     pkcs(1) pkcs9(9) 6 }
//! Countersignature ::= SignerInfo
//! ```
//! The countersignature is an *unsigned* attribute of the countersigned SignerInfo; its
//! messageDigest is the digest of that SignerInfo's `signature` octets (the value, not its
//! tag and length), and its signed attributes must not contain contentType.
//!
//! Re-encoding keeps every octet the existing signatures cover: the encapsulated content, all
//! other SignerInfos and the countersigned SignerInfo's fields up to its signature are copied
//! as received (BER input is normalised to definite lengths, which leaves content octets and
//! DER signed attributes unchanged); only its unsignedAttrs and the certificate set change.
//! For a multipart/signed message only the application/pkcs7-signature body is replaced, so
//! the signed first part stays byte-identical.

use der::Encode;

use super::attributes;
use super::key_operation::{sign_with_key, SignRequest};
use super::signed_build::{PendingSignerInfo, SignOptions, Signer};
use super::signed_parse::{parse_content_info, parse_signed_data};
use super::Error;
use crate::asn1::ber::Tlv;
use crate::asn1::content_info;
use crate::asn1::der::{constructed, der_set_of};
use crate::asn1::oid::ID_SIGNED_DATA;
use crate::mime::encode::base64_lines;
use crate::mime::entity::{self, canonical_crlf, fields, split};
use crate::rng::CryptoRng;
use x509_cert::Certificate;

fn malformed(e: impl std::fmt::Display) -> Error {
    Error::Cms(e.to_string())
}

/// Add a countersignature by `signer` to SignerInfo number `signer_index` (encoding order) of
/// a ContentInfo(SignedData) DER/BER; returns the new ContentInfo DER. The steps of
/// [`PendingCountersignature`] answered by the pure-Rust provider.
pub fn countersign_der<R: CryptoRng + ?Sized>(
    content_info_der: &[u8],
    signer_index: usize,
    signer: &Signer,
    opts: &SignOptions,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let p = PendingCountersignature::begin(
        content_info_der,
        signer_index,
        &signer.cert,
        &signer.chain,
        opts,
    )?;
    let sig = sign_with_key(&signer.key, p.request(), rng)?;
    p.finish(&sig)
}

/// A countersignature (RFC 5652 §11.4) waiting for its signature value: the countersignature
/// SignerInfo is begun ([`PendingSignerInfo`]); [`Self::finish`] places it in the
/// countersigned SignerInfo's unsigned attributes.
#[derive(Debug, Clone)]
pub struct PendingCountersignature {
    content_info: Vec<u8>,
    signer_index: usize,
    certs: Vec<Certificate>,
    include_certs: bool,
    signer_info: PendingSignerInfo,
}

impl PendingCountersignature {
    /// Begin a countersignature by the key of `cert` on SignerInfo number `signer_index`
    /// (encoding order) of a ContentInfo(SignedData) DER/BER; `chain` is included with
    /// `cert` when `opts.include_certs`.
    pub fn begin(
        content_info_der: &[u8],
        signer_index: usize,
        cert: &Certificate,
        chain: &[Certificate],
        opts: &SignOptions,
    ) -> Result<Self, Error> {
        let ci = parse_content_info(content_info_der).map_err(malformed)?;
        if ci.content_type != ID_SIGNED_DATA {
            return Err(Error::NotSigned(format!(
                "the CMS content is {}, not SignedData",
                ci.content_type
            )));
        }
        let sd = parse_signed_data(ci.content).map_err(malformed)?;
        let target = sd.signer_infos.get(signer_index).ok_or_else(|| {
            Error::SignerIndex(format!(
                "signer index {signer_index} but the SignedData has {} SignerInfo(s)",
                sd.signer_infos.len()
            ))
        })?;
        // The countersignature SignerInfo: messageDigest over the signature value, no
        // contentType (RFC 5652 §11.4).
        let digest = opts.digest.hash(&target.signature);
        let mut signed_attrs = vec![attributes::message_digest(&digest).map_err(malformed)?];
        if let Some(t) = opts.signing_time {
            signed_attrs.push(attributes::signing_time(t).map_err(malformed)?);
        }
        if opts.signing_certificate_v2 {
            signed_attrs.push(attributes::signing_certificate_v2(cert).map_err(malformed)?);
        }
        if !opts.signature_type.is_empty() {
            signed_attrs.push(
                super::sig_type::signature_type_attribute(&opts.signature_type)
                    .map_err(Error::Options)?,
            );
        }
        if let Some(l) = &opts.security_label {
            signed_attrs.push(super::attributes::security_label(l).map_err(Error::Label)?);
        }
        Ok(PendingCountersignature {
            content_info: content_info_der.to_vec(),
            signer_index,
            certs: std::iter::once(cert).chain(chain).cloned().collect(),
            include_certs: opts.include_certs,
            signer_info: PendingSignerInfo::begin(cert, opts, signed_attrs)?,
        })
    }

    /// What the private key must sign.
    pub fn request(&self) -> &SignRequest {
        self.signer_info.request()
    }

    /// The new ContentInfo DER with the countersignature made of `signature` (verified
    /// first, [`PendingSignerInfo::finish`]).
    pub fn finish(self, signature: &[u8]) -> Result<Vec<u8>, Error> {
        let cs = self.signer_info.finish(signature)?;
        let ci = parse_content_info(&self.content_info).map_err(malformed)?;
        let sd = parse_signed_data(ci.content).map_err(malformed)?;
        let signer_index = self.signer_index;
        let target = sd
            .signer_infos
            .get(signer_index)
            .ok_or_else(|| Error::SignerIndex(format!("signer index {signer_index}")))?;
        let (certs, include_certs) = (&self.certs, self.include_certs);
        assemble(&sd, target, signer_index, cs, certs, include_certs)
    }
}

/// The SignedData with `cs` added to the unsigned attributes of `target` (SignerInfo
/// `signer_index`) and the countersigner's certificates added when `include_certs`.
fn assemble(
    sd: &super::signed_parse::ParsedSignedData<'_>,
    target: &super::signed_parse::ParsedSignerInfo<'_>,
    signer_index: usize,
    cs: Vec<u8>,
    signer_certs: &[Certificate],
    include_certs: bool,
) -> Result<Vec<u8>, Error> {
    // New unsigned attributes: the existing ones as received plus one countersignature
    // attribute.
    let mut unsigned: Vec<Vec<u8>> = Vec::new();
    if let Some(u) = &target.unsigned_raw {
        for a in u.children().map_err(malformed)? {
            unsigned.push(a.to_der().map_err(malformed)?.into_owned());
        }
    }
    unsigned.push(
        attributes::attribute(crate::asn1::oid::COUNTERSIGNATURE, vec![cs]).map_err(malformed)?,
    );
    let mut unsigned_set = der_set_of(unsigned);
    if let Some(b) = unsigned_set.first_mut() {
        *b = 0xA1;
    }

    // The countersigned SignerInfo: its fields as received, new unsignedAttrs.
    let mut si_fields: Vec<Vec<u8>> = Vec::new();
    for f in target.raw.children().map_err(malformed)? {
        if f.is_context(1) {
            continue;
        }
        si_fields.push(f.to_der().map_err(malformed)?.into_owned());
    }
    si_fields.push(unsigned_set);
    let refs: Vec<&[u8]> = si_fields.iter().map(|f| f.as_slice()).collect();
    let new_si = constructed(0x30, &refs);

    // SignerInfos in the order received.
    let mut sis: Vec<Vec<u8>> = Vec::new();
    for (i, si) in sd.signer_infos.iter().enumerate() {
        if i == signer_index {
            sis.push(new_si.clone());
        } else {
            sis.push(si.raw.to_der().map_err(malformed)?.into_owned());
        }
    }
    let si_refs: Vec<&[u8]> = sis.iter().map(|f| f.as_slice()).collect();
    let signer_infos = constructed(0x31, &si_refs);

    // Certificates: add the countersigner's (and chain) when certificates are included.
    let mut new_fields: Vec<Vec<u8>> = Vec::new();
    let mut certs_done = false;
    let last = sd.fields.len().saturating_sub(1);
    for (i, f) in sd.fields.iter().enumerate() {
        if i == last {
            if !certs_done && include_certs {
                new_fields.push(cert_set(None, signer_certs)?);
            }
            new_fields.push(signer_infos.clone());
        } else if f.is_context(0) && i >= 3 {
            certs_done = true;
            new_fields.push(if include_certs {
                cert_set(Some(f), signer_certs)?
            } else {
                f.to_der().map_err(malformed)?.into_owned()
            });
        } else if f.is_context(1) && i >= 3 && !certs_done && include_certs {
            certs_done = true;
            new_fields.push(cert_set(None, signer_certs)?);
            new_fields.push(f.to_der().map_err(malformed)?.into_owned());
        } else {
            new_fields.push(f.to_der().map_err(malformed)?.into_owned());
        }
    }
    let refs: Vec<&[u8]> = new_fields.iter().map(|f| f.as_slice()).collect();
    let new_sd = constructed(0x30, &refs);
    Ok(content_info::encode(ID_SIGNED_DATA, &new_sd))
}

/// The `[0] IMPLICIT CertificateSet` with the existing certificates (as received) and the
/// countersigner's certificate and chain when missing.
fn cert_set(existing: Option<&Tlv<'_>>, signer_certs: &[Certificate]) -> Result<Vec<u8>, Error> {
    let mut certs: Vec<Vec<u8>> = Vec::new();
    if let Some(e) = existing {
        for c in e.children().map_err(malformed)? {
            certs.push(c.to_der().map_err(malformed)?.into_owned());
        }
    }
    for c in signer_certs {
        let d = c.to_der().map_err(malformed)?;
        if !certs.contains(&d) {
            certs.push(d);
        }
    }
    let refs: Vec<&[u8]> = certs.iter().map(|f| f.as_slice()).collect();
    Ok(constructed(0xA0, &refs))
}

/// Byte offset of `part` inside `whole` (both from the same buffer).
fn offset_in(whole: &[u8], part: &[u8]) -> Option<usize> {
    let w = whole.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    (p >= w && p + part.len() <= w + whole.len()).then(|| p - w)
}

/// Add a countersignature to SignerInfo `signer_index` of the outermost SignedData of a whole
/// S/MIME message (multipart/signed or application/pkcs7-mime signed-data), signing at `at`.
/// Returns the whole message, everything else unchanged.
pub fn countersign_message<R: CryptoRng + ?Sized>(
    raw: &[u8],
    signer_index: usize,
    signer: &Signer,
    at: time::OffsetDateTime,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let opts = SignOptions {
        signing_time: Some(at),
        ..SignOptions::default()
    };
    countersign_message_with(raw, signer_index, signer, &opts, rng)
}

/// [`countersign_message`] with explicit options (digest, padding, SKI, signature type,
/// certificates; `detached`, capabilities and the key preference are not used). The steps of
/// [`PendingCountersignedMessage`] answered by the pure-Rust provider.
pub fn countersign_message_with<R: CryptoRng + ?Sized>(
    raw: &[u8],
    signer_index: usize,
    signer: &Signer,
    opts: &SignOptions,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let p =
        PendingCountersignedMessage::begin(raw, signer_index, &signer.cert, &signer.chain, opts)?;
    let sig = sign_with_key(&signer.key, p.request(), rng)?;
    p.finish(&sig)
}

/// A whole S/MIME message (multipart/signed or application/pkcs7-mime signed-data) whose
/// outermost SignedData waits for a countersignature ([`PendingCountersignature`]);
/// everything but the CMS body stays as received.
#[derive(Debug, Clone)]
pub struct PendingCountersignedMessage {
    /// The message (CRLF) up to the CMS body, and after it.
    before: Vec<u8>,
    after: Vec<u8>,
    base64: bool,
    inner: PendingCountersignature,
}

impl PendingCountersignedMessage {
    /// Begin countersigning SignerInfo `signer_index` of the message's outermost SignedData.
    pub fn begin(
        raw: &[u8],
        signer_index: usize,
        cert: &Certificate,
        chain: &[Certificate],
        opts: &SignOptions,
    ) -> Result<Self, Error> {
        let canon = canonical_crlf(raw);
        let (header, body) = split(&canon);
        let fs = fields(header);
        let ct = entity::entity_media_type(&fs);
        let (cms_fields, cms_body) = match ct.mime.as_str() {
            "multipart/signed" => {
                let boundary = ct
                    .param("boundary")
                    .ok_or_else(|| Error::Malformed("multipart/signed without boundary".into()))?;
                let parts = entity::multipart_iter(body, boundary)
                    .map(|parts| parts.take(2).collect::<Vec<_>>())
                    .filter(|p| p.len() >= 2)
                    .ok_or_else(|| Error::Malformed("multipart/signed without two parts".into()))?;
                let (ph, pb) = split(parts[1]);
                (fields(ph), pb)
            }
            "application/pkcs7-mime" | "application/x-pkcs7-mime" => (fs, body),
            other => {
                return Err(Error::NotSigned(format!(
                    "the message is {other}, not an S/MIME signed message"
                )))
            }
        };
        let cte = entity::field(&cms_fields, "content-transfer-encoding").map(|f| f.value.clone());
        let der = entity::decode_transfer(cms_body, cte.as_deref()).map_err(Error::Malformed)?;
        let at = offset_in(&canon, cms_body).ok_or_else(|| Error::Malformed("layout".into()))?;
        let end = at + cms_body.len();
        Ok(PendingCountersignedMessage {
            before: canon.get(..at).unwrap_or_default().to_vec(),
            after: canon.get(end..).unwrap_or_default().to_vec(),
            base64: cte.is_some_and(|c| c.eq_ignore_ascii_case("base64")),
            inner: PendingCountersignature::begin(&der, signer_index, cert, chain, opts)?,
        })
    }

    /// What the private key must sign.
    pub fn request(&self) -> &SignRequest {
        self.inner.request()
    }

    /// The whole message with the countersignature made of `signature`.
    pub fn finish(self, signature: &[u8]) -> Result<Vec<u8>, Error> {
        let new_der = self.inner.finish(signature)?;
        let mut out = self.before;
        if self.base64 {
            out.extend_from_slice(&base64_lines(&new_der));
        } else {
            out.extend_from_slice(&new_der);
        }
        out.extend_from_slice(&self.after);
        Ok(out)
    }
}

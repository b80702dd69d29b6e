//! Signing a whole message (RFC 8551 §3.5): the RFC 5322 header fields stay outside, the MIME
//! entity (Content-* fields + body, canonical CRLF) is signed, either as multipart/signed with
//! a detached application/pkcs7-signature (RFC 1847 §2.1, RFC 8551 §3.5.3) or as
//! application/pkcs7-mime; smime-type=signed-data (RFC 8551 §3.5.2).
//!
//! Composability: [`sign_entity`] signs any MIME entity and returns the new entity; header
//! protection (`protect`) wraps the message as message/rfc822 first and then calls it, and
//! triple wrapping feeds its output to the envelope functions.

use x509_cert::Certificate;

use super::key_operation::{sign_with_key, SignRequest};
use super::signed_build::{PendingSignedData, SignOptions, Signer};
use super::Error;
use crate::mime::encode::base64_lines;
use crate::mime::entity::{canonical_crlf, fields, is_content_field, split};
use crate::rng::CryptoRng;

/// Split a message into (outer RFC 5322 header fields, MIME entity). The entity gets the
/// Content-* fields (or `Content-Type: text/plain; charset=us-ascii` when there is none) and
/// the body, in canonical CRLF form; `MIME-Version` is dropped from both (the caller adds
/// one on the outside).
pub fn split_entity(raw: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let canon = canonical_crlf(raw);
    let (header, body) = split(&canon);
    let mut outer = Vec::with_capacity(header.len());
    let mut entity = Vec::with_capacity(raw.len());
    let mut has_ct = false;
    for f in fields(header) {
        if is_content_field(f.name) {
            has_ct |= f.name.eq_ignore_ascii_case("content-type");
            entity.extend_from_slice(f.raw);
            if !f.raw.ends_with(b"\n") {
                entity.extend_from_slice(b"\r\n");
            }
        } else if !f.name.eq_ignore_ascii_case("mime-version") {
            outer.extend_from_slice(f.raw);
            if !f.raw.ends_with(b"\n") {
                outer.extend_from_slice(b"\r\n");
            }
        }
    }
    if !has_ct {
        let mut e = b"Content-Type: text/plain; charset=us-ascii\r\n".to_vec();
        e.extend_from_slice(&entity);
        entity = e;
    }
    entity.extend_from_slice(b"\r\n");
    entity.extend_from_slice(body);
    (outer, entity)
}

/// The `application/pkcs7-mime` entity of a CMS object (RFC 8551 §3.2): the given
/// `smime-type` and file name, base64 in 76-column CRLF lines (RFC 2045 §6.8), e.g.
/// `("signed-data", "smime.p7m")`, `("compressed-data", "smime.p7z")`,
/// `("signed-receipt", "smime.p7m")` (RFC 2634 §2.4).
pub fn pkcs7_mime_entity(smime_type: &str, name: &str, der: &[u8]) -> Vec<u8> {
    let b64 = base64_lines(der);
    let mut e = Vec::with_capacity(b64.len() + 200);
    e.extend_from_slice(
        format!(
            "Content-Type: application/pkcs7-mime; smime-type={smime_type}; name=\"{name}\"\r\n\
Content-Transfer-Encoding: base64\r\n\
Content-Disposition: attachment; filename=\"{name}\"\r\n\r\n"
        )
        .as_bytes(),
    );
    e.extend_from_slice(&b64);
    e
}

/// A boundary unlikely to occur and checked not to occur in `content`.
fn boundary<R: CryptoRng + ?Sized>(content: &[u8], rng: &mut R) -> Result<String, Error> {
    for _ in 0..8 {
        let mut b = [0u8; 12];
        rng.fill_bytes(&mut b);
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        let candidate = format!("----=_mmhs_signed_{hex}");
        let needle = format!("--{candidate}");
        if !content
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
        {
            return Ok(candidate);
        }
    }
    Err(Error::Encode("could not choose a MIME boundary".into()))
}

/// A signed MIME entity (or whole message) waiting for its signature value: the SignedData
/// is begun ([`PendingSignedData`]) and the MIME boundary chosen, so that [`Self::finish`]
/// needs nothing but the signature (RFC 8551 §3.5).
#[derive(Debug, Clone)]
pub struct PendingSignedEntity {
    data: PendingSignedData,
    /// The canonical entity (kept for multipart/signed, which carries it in clear).
    entity: Vec<u8>,
    /// multipart/signed boundary; `None` for application/pkcs7-mime.
    boundary: Option<String>,
    micalg: &'static str,
    /// The message's RFC 5322 header fields, when a whole message is signed.
    outer: Option<Vec<u8>>,
}

impl PendingSignedEntity {
    /// Begin signing a MIME entity (header fields + empty line + body) by the key of `cert`.
    pub fn begin<R: CryptoRng + ?Sized>(
        entity: &[u8],
        cert: &Certificate,
        chain: &[Certificate],
        opts: &SignOptions,
        rng: &mut R,
    ) -> Result<Self, Error> {
        let entity = canonical_crlf(entity);
        let data = PendingSignedData::begin(&entity, cert, chain, opts, rng)?;
        let boundary = if opts.detached {
            Some(boundary(&entity, rng)?)
        } else {
            None
        };
        Ok(PendingSignedEntity {
            data,
            entity: if opts.detached {
                entity.into_owned()
            } else {
                Vec::new()
            },
            boundary,
            micalg: opts.digest.micalg(),
            outer: None,
        })
    }

    /// Begin signing a full RFC 5322 message: its RFC 5322 header fields stay outside, its
    /// MIME entity is signed ([`split_entity`]).
    pub fn begin_message<R: CryptoRng + ?Sized>(
        raw_message: &[u8],
        cert: &Certificate,
        chain: &[Certificate],
        opts: &SignOptions,
        rng: &mut R,
    ) -> Result<Self, Error> {
        if raw_message.is_empty() {
            return Err(Error::Malformed("empty message".into()));
        }
        let (outer, entity) = split_entity(raw_message);
        let mut p = Self::begin(&entity, cert, chain, opts, rng)?;
        p.outer = Some(outer);
        Ok(p)
    }

    /// What the private key must sign.
    pub fn request(&self) -> &SignRequest {
        self.data.request()
    }

    /// The signed entity (or message), CRLF, with `signature`
    /// ([`PendingSignedData::finish`]).
    pub fn finish(self, signature: &[u8]) -> Result<Vec<u8>, Error> {
        let cms = self.data.finish(signature)?;
        let b64 = base64_lines(&cms);
        let is_message = self.outer.is_some();
        let outer = self.outer.unwrap_or_default();
        let mut out = Vec::with_capacity(outer.len() + self.entity.len() + b64.len() + 512);
        out.extend_from_slice(&outer);
        if is_message {
            out.extend_from_slice(b"MIME-Version: 1.0\r\n");
        }
        match &self.boundary {
            Some(b) => {
                out.extend_from_slice(
                    format!(
                        "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n micalg={}; boundary=\"{b}\"\r\n\r\n",
                        self.micalg
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(
                    b"This is a cryptographically signed message in MIME format.\r\n\r\n",
                );
                out.extend_from_slice(format!("--{b}\r\n").as_bytes());
                out.extend_from_slice(&self.entity);
                out.extend_from_slice(format!("\r\n--{b}\r\n").as_bytes());
                out.extend_from_slice(
                    b"Content-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7s\"\r\nContent-Description: S/MIME Cryptographic Signature\r\n\r\n",
                );
                out.extend_from_slice(&b64);
                out.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
            }
            None => out.extend_from_slice(&pkcs7_mime_entity("signed-data", "smime.p7m", &cms)),
        }
        Ok(out)
    }
}

/// Sign a MIME entity (header fields + empty line + body) with the pure-Rust provider;
/// returns the signed entity (multipart/signed or application/pkcs7-mime), CRLF line ends.
pub fn sign_entity<R: CryptoRng + ?Sized>(
    entity: &[u8],
    signer: &Signer,
    opts: &SignOptions,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let pending = PendingSignedEntity::begin(entity, &signer.cert, &signer.chain, opts, rng)?;
    let sig = sign_with_key(&signer.key, pending.request(), rng)?;
    pending.finish(&sig)
}

/// Sign a full RFC 5322 message with the pure-Rust provider: its RFC 5322 header fields stay
/// outside, its MIME entity is signed; returns the full signed message (CRLF).
pub fn sign_message<R: CryptoRng + ?Sized>(
    raw_message: &[u8],
    signer: &Signer,
    opts: &SignOptions,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let pending =
        PendingSignedEntity::begin_message(raw_message, &signer.cert, &signer.chain, opts, rng)?;
    let sig = sign_with_key(&signer.key, pending.request(), rng)?;
    pending.finish(&sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_split_keeps_rfc5322_fields_outside() {
        let (outer, entity) = split_entity(
            b"From: a@b.example\nSubject: hi\nMIME-Version: 1.0\nContent-Type: text/plain\n\nbody\n",
        );
        assert_eq!(outer, b"From: a@b.example\r\nSubject: hi\r\n");
        assert_eq!(entity, b"Content-Type: text/plain\r\n\r\nbody\r\n");
        let (_, entity) = split_entity(b"From: a@b\r\n\r\nx");
        assert_eq!(
            entity,
            b"Content-Type: text/plain; charset=us-ascii\r\n\r\nx"
        );
    }
}

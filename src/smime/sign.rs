//! Signing a whole message (RFC 8551 §3.5): the RFC 5322 header fields stay outside, the MIME
//! entity (Content-* fields + body, canonical CRLF) is signed, either as multipart/signed with
//! a detached application/pkcs7-signature (RFC 1847 §2.1, RFC 8551 §3.5.3) or as
//! application/pkcs7-mime; smime-type=signed-data (RFC 8551 §3.5.2).
//!
//! Composability: [`sign_entity`] signs any MIME entity and returns the new entity; header
//! protection (`protect`) wraps the message as message/rfc822 first and then calls it, and
//! triple wrapping feeds its output to the envelope functions.

use x509_cert::Certificate;

use super::key_operation::{sign_with_key, DigestRequest, SignRequest};
use super::pkcs7_mime::{encode_error, multipart_signed, pkcs7_mime_part, SmimeType};
use super::signed_build::{PendingSignedData, SignOptions, Signer};
use super::Error;
use crate::mime::encode::fresh_boundary;
use crate::mime::entity::{canonical_crlf, fields, is_content_field, split};
use crate::rng::CryptoRng;
use crate::trust::{SignatureCheck, SignatureChecks};

/// Split a message into (outer RFC 5322 header fields, MIME entity). The entity gets the
/// Content-* fields (or `Content-Type: text/plain; charset=us-ascii` when there is none) and
/// the body, in canonical CRLF form; `MIME-Version` is dropped from both (the caller adds
/// one on the outside).
pub fn split_entity(raw: &[u8]) -> (Vec<u8>, Vec<u8>) {
    split_entity_owned(raw.to_vec())
}

/// [`split_entity`] of a message the caller hands over: the entity is made in the message's
/// own buffer (its header section replaced by the Content-* fields, the body moved once),
/// so a large message is not copied into a second buffer (a message that is not in canonical
/// CRLF form is converted into a new one first, and its first buffer freed).
pub fn split_entity_owned(raw: Vec<u8>) -> (Vec<u8>, Vec<u8>) {
    let converted = match canonical_crlf(&raw) {
        std::borrow::Cow::Owned(c) => Some(c),
        std::borrow::Cow::Borrowed(_) => None,
    };
    let mut canon = converted.unwrap_or(raw);
    let (header, body) = split(&canon);
    let body_start = canon.len() - body.len();
    let mut outer = Vec::with_capacity(header.len());
    let mut prefix = Vec::with_capacity(256);
    let mut has_ct = false;
    for f in fields(header) {
        if is_content_field(f.name) {
            has_ct |= f.name.eq_ignore_ascii_case("content-type");
            prefix.extend_from_slice(f.raw);
            if !f.raw.ends_with(b"\n") {
                prefix.extend_from_slice(b"\r\n");
            }
        } else if !f.name.eq_ignore_ascii_case("mime-version") {
            outer.extend_from_slice(f.raw);
            if !f.raw.ends_with(b"\n") {
                outer.extend_from_slice(b"\r\n");
            }
        }
    }
    if !has_ct {
        prefix.splice(0..0, *b"Content-Type: text/plain; charset=us-ascii\r\n");
    }
    prefix.extend_from_slice(b"\r\n");
    canon.splice(0..body_start, prefix);
    (outer, canon)
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

/// The content of a signature about to be begun (RFC 8551 §3.5): the canonical MIME entity
/// and, when a whole message is signed, its RFC 5322 header fields. Its message digest
/// (RFC 5652 §5.4) is the provider's to compute ([`Self::digest_request`], one pass over the
/// entity where it lies); [`Self::begin`] takes the answer.
#[derive(Debug, Clone)]
pub struct SignedEntityContent {
    /// The canonical entity (signed, and carried in clear by multipart/signed).
    entity: Vec<u8>,
    /// The message's RFC 5322 header fields, when a whole message is signed.
    outer: Option<Vec<u8>>,
    /// The multipart/signed boundary, when chosen before the digest ([`Self::with_boundary`]).
    boundary: Option<String>,
}

impl SignedEntityContent {
    /// A MIME entity (header fields + empty line + body) to sign, in canonical CRLF form.
    pub fn entity(entity: &[u8]) -> Self {
        SignedEntityContent {
            entity: canonical_crlf(entity).into_owned(),
            outer: None,
            boundary: None,
        }
    }

    /// A full RFC 5322 message to sign: its RFC 5322 header fields stay outside, its MIME
    /// entity is signed ([`split_entity`]).
    pub fn message(raw_message: &[u8]) -> Result<Self, Error> {
        Self::message_owned(raw_message.to_vec())
    }

    /// [`Self::message`] of a message the caller hands over: the entity is made in its
    /// buffer ([`split_entity_owned`]).
    pub fn message_owned(raw_message: Vec<u8>) -> Result<Self, Error> {
        if raw_message.is_empty() {
            return Err(Error::Malformed("empty message".into()));
        }
        let (outer, entity) = split_entity_owned(raw_message);
        Ok(SignedEntityContent {
            entity,
            outer: Some(outer),
            boundary: None,
        })
    }

    /// "Hash the entity with `alg`" (the signature's digest algorithm, `SignOptions::digest`).
    pub fn digest_request(&self, alg: super::DigestAlg) -> DigestRequest<'_> {
        DigestRequest {
            alg,
            data: &self.entity,
        }
    }

    /// Choose the multipart/signed boundary now (when `opts.detached`), one pass over the
    /// entity ([`fresh_boundary`]) that a provider hashing the entity elsewhere can overlap;
    /// [`Self::begin`] chooses it otherwise.
    #[must_use]
    pub fn with_boundary<R: CryptoRng + ?Sized>(mut self, opts: &SignOptions, rng: &mut R) -> Self {
        if opts.detached && self.boundary.is_none() {
            self.boundary = Some(fresh_boundary(&self.entity, rng));
        }
        self
    }

    /// Begin the signature by the key of `cert` with the provider's `digest` of the entity
    /// (by `opts.digest`; [`PendingSignedData::begin_with_digest`]).
    pub fn begin<R: CryptoRng + ?Sized>(
        self,
        digest: &[u8],
        cert: &Certificate,
        chain: &[Certificate],
        opts: &SignOptions,
        rng: &mut R,
    ) -> Result<PendingSignedEntity, Error> {
        let data =
            PendingSignedData::begin_with_digest(&self.entity, digest, cert, chain, opts, rng)?;
        let boundary = match (opts.detached, self.boundary) {
            (true, Some(b)) => Some(b),
            (true, None) => Some(fresh_boundary(&self.entity, rng)),
            (false, _) => None,
        };
        Ok(PendingSignedEntity {
            data,
            entity: if opts.detached {
                self.entity
            } else {
                Vec::new()
            },
            boundary,
            micalg: opts.digest.micalg(),
            outer: self.outer,
        })
    }

    /// [`Self::begin`] with the digest computed by the pure-Rust provider.
    pub fn begin_hashed<R: CryptoRng + ?Sized>(
        self,
        cert: &Certificate,
        chain: &[Certificate],
        opts: &SignOptions,
        rng: &mut R,
    ) -> Result<PendingSignedEntity, Error> {
        let digest = self.digest_request(opts.digest).answer_with_rust();
        self.begin(&digest, cert, chain, opts, rng)
    }
}

impl PendingSignedEntity {
    /// Begin signing a MIME entity (header fields + empty line + body) by the key of `cert`
    /// (the digest by the pure-Rust provider).
    pub fn begin<R: CryptoRng + ?Sized>(
        entity: &[u8],
        cert: &Certificate,
        chain: &[Certificate],
        opts: &SignOptions,
        rng: &mut R,
    ) -> Result<Self, Error> {
        SignedEntityContent::entity(entity).begin_hashed(cert, chain, opts, rng)
    }

    /// Begin signing a full RFC 5322 message: its RFC 5322 header fields stay outside, its
    /// MIME entity is signed ([`split_entity`]; the digest by the pure-Rust provider).
    pub fn begin_message<R: CryptoRng + ?Sized>(
        raw_message: &[u8],
        cert: &Certificate,
        chain: &[Certificate],
        opts: &SignOptions,
        rng: &mut R,
    ) -> Result<Self, Error> {
        SignedEntityContent::message(raw_message)?.begin_hashed(cert, chain, opts, rng)
    }

    /// What the private key must sign.
    pub fn request(&self) -> &SignRequest {
        self.data.request()
    }

    /// The signed entity (or message), CRLF, with `signature`
    /// ([`PendingSignedData::finish`]).
    pub fn finish(self, signature: &[u8]) -> Result<Vec<u8>, Error> {
        self.finish_checked(signature, None)
    }

    /// [`PendingSignedData::signature_check`].
    pub fn signature_check(&self, signature: &[u8]) -> Option<SignatureCheck> {
        self.data.signature_check(signature)
    }

    /// [`Self::finish`] with [`PendingSignedData::finish_checked`].
    pub fn finish_checked(
        self,
        signature: &[u8],
        checks: Option<&SignatureChecks>,
    ) -> Result<Vec<u8>, Error> {
        self.assemble(signature)?.release(checks)
    }

    /// The signed entity (or message) with `signature`, held back until the signature
    /// verifies ([`AssembledSigned::release`]): a provider that verifies signatures elsewhere
    /// (WebCrypto) does so while the output is assembled.
    pub fn assemble(self, signature: &[u8]) -> Result<AssembledSigned, Error> {
        let (cms, check) = self.data.assemble(signature)?;
        let part = match self.boundary {
            Some(boundary) => multipart_signed(self.entity, self.micalg, boundary, &cms),
            None => pkcs7_mime_part(SmimeType::SignedData, &cms),
        };
        let output = match &self.outer {
            Some(outer) => part.to_message(outer),
            None => part.to_vec(),
        }
        .map_err(encode_error)?;
        Ok(AssembledSigned { output, check })
    }
}

/// A signed entity or message assembled ([`PendingSignedEntity::assemble`]) whose signature
/// has not been verified yet: it leaves the core only through [`Self::release`].
pub struct AssembledSigned {
    output: Vec<u8>,
    check: super::signed_build::SignatureToVerify,
}

impl std::fmt::Debug for AssembledSigned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssembledSigned").finish_non_exhaustive()
    }
}

impl AssembledSigned {
    /// The output, once the signature verifies with the signer certificate's key (answered by
    /// `checks` when the provider verified it, [`PendingSignedEntity::signature_check`];
    /// otherwise in Rust).
    ///
    /// Errors: `signer-key-invalid` when it does not verify; the output is then dropped.
    pub fn release(self, checks: Option<&SignatureChecks>) -> Result<Vec<u8>, Error> {
        self.check.verify(checks)?;
        Ok(self.output)
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

    /// The entity made in the message's own buffer: the same octets for a canonical message
    /// (the body moved, not copied), a message with bare LFs, one without a body, and a
    /// header section longer than the entity's Content-* fields.
    #[test]
    fn entity_in_the_messages_buffer() {
        let long_header = format!(
            "From: a@b.example\r\nComments: {}\r\nContent-Type: text/plain\r\n\r\nbody\r\n",
            "x".repeat(500)
        );
        for (raw, outer, entity) in [
            (
                long_header.as_bytes(),
                format!("From: a@b.example\r\nComments: {}\r\n", "x".repeat(500)),
                "Content-Type: text/plain\r\n\r\nbody\r\n",
            ),
            (
                b"Content-Type: text/plain\r\n\r\nb".as_slice(),
                String::new(),
                "Content-Type: text/plain\r\n\r\nb",
            ),
            (
                b"From: a@b\nContent-Transfer-Encoding: 7bit\n\nline\nline\n".as_slice(),
                "From: a@b\r\n".into(),
                "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\nline\r\nline\r\n",
            ),
            (
                b"From: a@b\r\nSubject: no body".as_slice(),
                "From: a@b\r\nSubject: no body\r\n".into(),
                "Content-Type: text/plain; charset=us-ascii\r\n\r\n",
            ),
        ] {
            let (o, e) = split_entity_owned(raw.to_vec());
            assert_eq!(String::from_utf8(o).unwrap(), outer);
            assert_eq!(String::from_utf8(e).unwrap(), entity);
        }
    }
}

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
/// own buffer ([`split_entity_in_place`]) and moved to its start, so a large message is not
/// copied into a second buffer.
pub fn split_entity_owned(raw: Vec<u8>) -> (Vec<u8>, Vec<u8>) {
    let (outer, mut buf, start) = split_entity_in_place(raw);
    buf.drain(..start);
    (outer, buf)
}

/// [`split_entity`] in the message's own buffer: `(outer fields, buffer, start)`, the entity
/// being `buffer[start..]`. The entity's Content-* fields are written over the end of the
/// header section, just before the body, so the body is neither moved nor copied (a header
/// section too short to hold them — a message of only Content-* fields given none — is
/// replaced by them, the body moved once; a message that is not in canonical CRLF form is
/// converted into a new buffer first, and its first buffer freed).
pub fn split_entity_in_place(raw: Vec<u8>) -> (Vec<u8>, Vec<u8>, usize) {
    let s = split_in_place(raw);
    (s.outer, s.buf, s.start)
}

/// What [`split_in_place`] made.
struct InPlace {
    outer: Vec<u8>,
    buf: Vec<u8>,
    start: usize,
    /// `buf[start..]` is the message's own octets there, unchanged: it was in canonical CRLF
    /// form and its Content-* fields (one a Content-Type) end its header section, so writing
    /// them before the body wrote what was already there.
    unchanged: bool,
}

/// [`split_entity_in_place`], and whether the entity is the message's own octets.
fn split_in_place(raw: Vec<u8>) -> InPlace {
    let converted = match canonical_crlf(&raw) {
        std::borrow::Cow::Owned(c) => Some(c),
        std::borrow::Cow::Borrowed(_) => None,
    };
    let canonical = converted.is_none();
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
    match body_start.checked_sub(prefix.len()) {
        Some(start) => {
            let mut unchanged = false;
            if let Some(room) = canon.get_mut(start..body_start) {
                unchanged = canonical && *room == *prefix;
                room.copy_from_slice(&prefix);
            }
            InPlace {
                outer,
                buf: canon,
                start,
                unchanged,
            }
        }
        None => {
            canon.splice(0..body_start, prefix);
            InPlace {
                outer,
                buf: canon,
                start: 0,
                unchanged: false,
            }
        }
    }
}

/// Where the signed entity of a message that begins with `head` starts in the message, when
/// its header section ends within `head` and the entity will be the message's own octets
/// from there on ([`SignedEntityContent::unchanged_from`]: canonical CRLF form, the Content-*
/// fields last, as `compose` writes a message). A provider may begin hashing the message
/// from there before all of it is handed over; only `unchanged_from`, once the whole message
/// is read, says whether that digest is the entity's (a bare LF further on changes it).
pub fn entity_start(head: &[u8]) -> Option<usize> {
    // Whole lines only: a line end cut in two is not taken for the empty line.
    let head = head.get(..=head.iter().rposition(|&b| b == b'\n')?)?;
    let (header, body) = split(head);
    if header.len() + body.len() == head.len() {
        // No empty line: the header section goes on past `head`.
        return None;
    }
    let s = split_in_place(head.to_vec());
    s.unchanged.then_some(s.start)
}

/// A signed MIME entity (or whole message) waiting for its signature value: the SignedData
/// is begun ([`PendingSignedData`]) and the MIME boundary chosen, so that [`Self::finish`]
/// needs nothing but the signature (RFC 8551 §3.5).
#[derive(Debug, Clone)]
pub struct PendingSignedEntity {
    data: PendingSignedData,
    /// The buffer holding the canonical entity from `start` on (kept for multipart/signed,
    /// which carries it in clear).
    entity: Vec<u8>,
    start: usize,
    /// multipart/signed boundary; `None` for application/pkcs7-mime.
    boundary: Option<String>,
    micalg: &'static str,
    /// The message's RFC 5322 header fields, when a whole message is signed.
    outer: Option<Vec<u8>>,
}

/// An upper bound of what a multipart/signed output has before its first part beyond the
/// message's own header fields: MIME-Version, the Content-Type with protocol, micalg and a
/// boundary of at most 70 characters (each folded), the preamble and the delimiter line.
pub const MULTIPART_SIGNED_HEAD: usize = 1024;

/// The content of a signature about to be begun (RFC 8551 §3.5): the canonical MIME entity
/// and, when a whole message is signed, its RFC 5322 header fields. Its message digest
/// (RFC 5652 §5.4) is the provider's to compute ([`Self::digest_request`], one pass over the
/// entity where it lies); [`Self::begin`] takes the answer.
#[derive(Debug, Clone)]
pub struct SignedEntityContent {
    /// The buffer holding the canonical entity (signed, and carried in clear by
    /// multipart/signed) from `start` on ([`split_entity_in_place`]).
    entity: Vec<u8>,
    start: usize,
    /// The message's RFC 5322 header fields, when a whole message is signed.
    outer: Option<Vec<u8>>,
    /// The multipart/signed boundary, when chosen before the digest ([`Self::with_boundary`]).
    boundary: Option<String>,
    /// The entity is the octets of the message given to [`Self::message_owned`] from `start`
    /// on, unchanged ([`Self::unchanged_from`]).
    unchanged: bool,
}

impl SignedEntityContent {
    /// A MIME entity (header fields + empty line + body) to sign, in canonical CRLF form.
    pub fn entity(entity: &[u8]) -> Self {
        SignedEntityContent {
            entity: canonical_crlf(entity).into_owned(),
            start: 0,
            outer: None,
            boundary: None,
            unchanged: false,
        }
    }

    /// A full RFC 5322 message to sign: its RFC 5322 header fields stay outside, its MIME
    /// entity is signed ([`split_entity`]).
    pub fn message(raw_message: &[u8]) -> Result<Self, Error> {
        Self::message_owned(raw_message.to_vec())
    }

    /// [`Self::message`] of a message the caller hands over: the entity is made in its
    /// buffer ([`split_entity_in_place`]), and stays there until the output is written.
    pub fn message_owned(raw_message: Vec<u8>) -> Result<Self, Error> {
        if raw_message.is_empty() {
            return Err(Error::Malformed("empty message".into()));
        }
        let s = split_in_place(raw_message);
        Ok(SignedEntityContent {
            entity: s.buf,
            start: s.start,
            outer: Some(s.outer),
            boundary: None,
            unchanged: s.unchanged,
        })
    }

    /// Where the entity begins in the message given to [`Self::message_owned`], when it is
    /// that message's own octets from there on, unchanged ([`entity_start`]); `None` when it
    /// was made otherwise (converted to canonical CRLF form, Content-* fields gathered or
    /// added, a layer put around the message).
    pub fn unchanged_from(&self) -> Option<usize> {
        self.unchanged.then_some(self.start)
    }

    /// The entity was made from other octets than the message given (a layer was put
    /// around it first): [`Self::unchanged_from`] is `None`.
    #[must_use]
    pub fn made_from_other_octets(mut self) -> Self {
        self.unchanged = false;
        self
    }

    /// "Hash the entity with `alg`" (the signature's digest algorithm, `SignOptions::digest`).
    pub fn digest_request(&self, alg: super::DigestAlg) -> DigestRequest<'_> {
        DigestRequest {
            alg,
            data: self.content(),
        }
    }

    /// The canonical entity.
    fn content(&self) -> &[u8] {
        self.entity.get(self.start..).unwrap_or_default()
    }

    /// The octets a multipart/signed output carries in clear as its first part, once
    /// [`Self::with_boundary`] chose its boundary: exactly the second of
    /// [`SignedOutput::pieces`], in this same buffer, unchanged from here on — so that a
    /// caller may copy them to where the output will hold them while the digest and the
    /// signature are computed (nothing of the signature is in them). `None` without a
    /// boundary (application/pkcs7-mime, or none chosen yet).
    pub fn entity_in_clear(&self) -> Option<&[u8]> {
        self.boundary.as_ref().map(|_| self.content())
    }

    /// At least as many octets as come before the entity in a multipart/signed output: the
    /// message's header fields, then the multipart/signed header, its preamble and the first
    /// delimiter (RFC 1847 §2.1; [`MULTIPART_SIGNED_HEAD`] beyond the fields).
    pub fn head_bound(&self) -> usize {
        self.outer
            .as_ref()
            .map_or(0, Vec::len)
            .saturating_add(MULTIPART_SIGNED_HEAD)
    }

    /// Choose the multipart/signed boundary now (when `opts.detached`), one pass over the
    /// entity ([`fresh_boundary`]) that a provider hashing the entity elsewhere can overlap;
    /// [`Self::begin`] chooses it otherwise.
    #[must_use]
    pub fn with_boundary<R: CryptoRng + ?Sized>(mut self, opts: &SignOptions, rng: &mut R) -> Self {
        if opts.detached && self.boundary.is_none() {
            self.boundary = Some(fresh_boundary(self.content(), rng));
        }
        self
    }

    /// Begin the signature by the key of `cert` with the provider's `digest` of the entity
    /// (by `opts.digest`; [`PendingSignedData::begin_with_digest`]).
    pub fn begin<R: CryptoRng + ?Sized>(
        mut self,
        digest: &[u8],
        cert: &Certificate,
        chain: &[Certificate],
        opts: &SignOptions,
        rng: &mut R,
    ) -> Result<PendingSignedEntity, Error> {
        let data =
            PendingSignedData::begin_with_digest(self.content(), digest, cert, chain, opts, rng)?;
        let boundary = match (opts.detached, self.boundary.take()) {
            (true, Some(b)) => Some(b),
            (true, None) => Some(fresh_boundary(self.content(), rng)),
            (false, _) => None,
        };
        let (entity, start) = if opts.detached {
            (self.entity, self.start)
        } else {
            (Vec::new(), 0)
        };
        Ok(PendingSignedEntity {
            data,
            entity,
            start,
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
    /// (WebCrypto) does so while the output is assembled. multipart/signed is written around
    /// the signed entity, which stays in its buffer ([`SignedOutput`]).
    pub fn assemble(self, signature: &[u8]) -> Result<AssembledSigned, Error> {
        let (cms, check) = self.data.assemble(signature)?;
        let output = match self.boundary {
            Some(boundary) => {
                // The entity's octets are the first part; the part itself is left empty.
                let part = multipart_signed(Vec::new(), self.micalg, boundary, &cms);
                let (head, tail) = part
                    .write_around(self.outer.as_deref(), 0)
                    .map_err(encode_error)?
                    .ok_or_else(|| Error::Encode("multipart/signed without its parts".into()))?;
                SignedOutput {
                    head,
                    entity: self.entity,
                    start: self.start,
                    tail,
                }
            }
            None => {
                let part = pkcs7_mime_part(SmimeType::SignedData, &cms);
                let whole = match &self.outer {
                    Some(outer) => part.to_message(outer),
                    None => part.to_vec(),
                }
                .map_err(encode_error)?;
                SignedOutput {
                    head: whole,
                    entity: Vec::new(),
                    start: 0,
                    tail: Vec::new(),
                }
            }
        };
        Ok(AssembledSigned { output, check })
    }
}

/// A signed entity or message, CRLF: `head`, then the signed entity where it was made
/// (`entity[start..]`, multipart/signed's first part, RFC 8551 §3.5.3), then `tail` — so a
/// large entity is copied once, into wherever the whole is wanted ([`Self::pieces`]), or not
/// at all when the whole is already one piece ([`Self::into_vec`]).
pub struct SignedOutput {
    head: Vec<u8>,
    entity: Vec<u8>,
    start: usize,
    tail: Vec<u8>,
}

impl std::fmt::Debug for SignedOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedOutput")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl SignedOutput {
    /// The output's three pieces, in order; their concatenation is the output.
    pub fn pieces(&self) -> [&[u8]; 3] {
        [
            &self.head,
            self.entity.get(self.start..).unwrap_or_default(),
            &self.tail,
        ]
    }

    /// The output's length in octets.
    pub fn len(&self) -> usize {
        self.pieces().iter().map(|p| p.len()).sum()
    }

    /// Whether the output is empty (it never is).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The output in one buffer.
    pub fn into_vec(self) -> Vec<u8> {
        if self.entity.len() == self.start && self.tail.is_empty() {
            return self.head;
        }
        let mut out = Vec::with_capacity(self.len());
        for p in self.pieces() {
            out.extend_from_slice(p);
        }
        out
    }
}

/// A signed entity or message assembled ([`PendingSignedEntity::assemble`]) whose signature
/// has not been verified yet: it leaves the core only through [`Self::release`].
pub struct AssembledSigned {
    output: SignedOutput,
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
        self.release_output(checks).map(SignedOutput::into_vec)
    }

    /// [`Self::release`] in pieces, the signed entity not copied ([`SignedOutput`]).
    pub fn release_output(self, checks: Option<&SignatureChecks>) -> Result<SignedOutput, Error> {
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
            let (o, buf, start) = split_entity_in_place(raw.to_vec());
            assert_eq!(String::from_utf8(o).unwrap(), outer);
            assert_eq!(String::from_utf8(buf[start..].to_vec()).unwrap(), entity);
        }
    }

    /// `unchanged_from` is where the entity begins in the message exactly when the entity is
    /// the message's own octets from there on; `entity_start` of any head of the message that
    /// holds its header section finds that place, and never another.
    #[test]
    fn entity_found_in_the_messages_own_octets() {
        let base = "From: a@b.example\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\n\r\nline one\r\nline two\r\n";
        let cases: [(&str, String, bool); 9] = [
            ("Content-* fields last", base.into(), true),
            (
                "a folded Content-Type last",
                base.replace("text/plain\r\n", "text/plain;\r\n charset=us-ascii\r\n"),
                true,
            ),
            (
                "only Content-* fields",
                "Content-Type: text/plain\r\n\r\nb\r\n".into(),
                true,
            ),
            (
                "a bare LF in the body",
                base.replace("two\r\n", "two\n"),
                false,
            ),
            ("LF line ends", base.replace("\r\n", "\n"), false),
            (
                "a field after the Content-* fields",
                base.replace("7bit\r\n", "7bit\r\nX-After: 1\r\n"),
                false,
            ),
            (
                "MIME-Version between them",
                base.replace(
                    "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n",
                    "Content-Type: text/plain\r\nMIME-Version: 1.0\r\n",
                ),
                false,
            ),
            (
                "no Content-Type",
                base.replace("Content-Type: text/plain\r\n", ""),
                false,
            ),
            (
                "no empty line",
                "From: a@b\r\nContent-Type: text/plain\r\n".into(),
                false,
            ),
        ];
        for (what, raw, own) in cases {
            let raw = raw.into_bytes();
            let content = SignedEntityContent::message_owned(raw.clone()).unwrap();
            let at = content.unchanged_from();
            assert_eq!(at.is_some(), own, "{what}");
            if let Some(at) = at {
                assert_eq!(content.content(), &raw[at..], "{what}");
            }
            let header_end = raw.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
            for cut in 0..=raw.len() {
                let found = entity_start(&raw[..cut]);
                match (found, at) {
                    (Some(f), Some(a)) => assert_eq!(f, a, "{what}, head of {cut}"),
                    // Found in a head, yet the whole message is converted: a later bare LF.
                    (Some(_), None) => assert_eq!(what, "a bare LF in the body", "head of {cut}"),
                    (None, Some(_)) => assert!(
                        header_end.is_none_or(|e| cut < e),
                        "{what}: not found in a head of {cut} holding the header section"
                    ),
                    (None, None) => {}
                }
            }
        }
        // A layer put around the message: never the message's octets.
        let content = SignedEntityContent::message_owned(base.as_bytes().to_vec()).unwrap();
        assert!(content.made_from_other_octets().unchanged_from().is_none());
    }

    /// A canonical message's body stays where it was: the Content-* fields are written just
    /// before it, in the buffer the message came in.
    #[test]
    fn entity_made_around_the_body_in_place() {
        let raw = b"From: a@b.example\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nbody\r\n".to_vec();
        let body_at = raw.len() - b"body\r\n".len();
        let ptr = raw.as_ptr();
        let (outer, buf, start) = split_entity_in_place(raw);
        assert_eq!(buf.as_ptr(), ptr);
        assert_eq!(outer, b"From: a@b.example\r\nSubject: s\r\n");
        assert_eq!(&buf[start..], b"Content-Type: text/plain\r\n\r\nbody\r\n");
        assert_eq!(start + b"Content-Type: text/plain\r\n\r\n".len(), body_at);
    }
}

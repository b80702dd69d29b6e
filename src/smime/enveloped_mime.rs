//! Message-level encryption (RFC 8551 §3.3): the RFC 5322 header fields stay outside, the
//! MIME entity (Content-* fields + body) is canonicalised (CRLF, RFC 8551 §3.1.1),
//! encrypted, and carried as
//!
//! ```text
//! Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m
//!                                       (or smime-type=authEnveloped-data, RFC 8551 §3.2.2)
//! Content-Transfer-Encoding: base64
//! Content-Disposition: attachment; filename=smime.p7m
//! ```
//! Decryption reverses this: outer header fields (minus the outer Content-* fields) followed
//! by the decrypted inner entity.

use x509_cert::Certificate;

use super::compressed::{self, DecompressLimits};
use super::enveloped::{ContentKey, Decryption, EncryptOptions, Encryption, PendingContent};
use super::key_operation::{
    decrypt_with_key, encrypt_content_with_rust, wrap_all_with_rust, ContentDecryptRequest,
    ContentEncryptRequest, DecryptRequest, KeyWrapAnswer, KeyWrapRequest,
};
use super::pkcs7_mime::{encode_error, pkcs7_mime_entity, pkcs7_mime_part, SmimeType};
use super::sign::split_entity;
use super::Error;
use crate::keys::PrivateKey;
use crate::mime::entity::{self, Field, MediaType};
use crate::mime::header::{DefectKind, HeaderSection};
use crate::rng::CryptoRng;
use zeroize::Zeroizing;

/// Split a message into its header fields and body ([`entity::split`], [`entity::fields`]),
/// refusing a header section with lines that are not fields: a message to be encrypted or
/// decrypted keeps its outer fields, so they must be exactly the fields every reader sees.
/// Accepts CRLF or LF line ends. The header section is read within the header reader's limits
/// (`header-too-large`, `header-too-many-fields`), as `verify` reads it.
pub(crate) fn split_message(raw: &[u8]) -> Result<(Vec<Field<'_>>, &[u8]), Error> {
    let (header, body) = entity::split(raw);
    let section = HeaderSection::parse(header)?;
    let (fields, defects) = (entity::fields_of(&section, header), section.defects);
    let refused = defects.iter().find(|d| {
        matches!(
            d.kind,
            DefectKind::NotAField | DefectKind::InvalidName | DefectKind::LeadingContinuation
        )
    });
    match refused.map(|d| d.kind) {
        Some(DefectKind::LeadingContinuation) => Err(Error::Malformed(
            "the message starts with a continuation line".into(),
        )),
        Some(_) => Err(Error::Malformed(
            "a header line is not a header field".into(),
        )),
        None => Ok((fields, body)),
    }
}

/// A field without its final line break.
fn trim_eol(b: &[u8]) -> &[u8] {
    let b = b.strip_suffix(b"\n").unwrap_or(b);
    b.strip_suffix(b"\r").unwrap_or(b)
}

/// Canonicalise line ends to CRLF (RFC 8551 §3.1.1).
fn to_crlf(data: &[u8]) -> Vec<u8> {
    entity::canonical_crlf(data).into_owned()
}

/// The body of an application/pkcs7-mime part, decoded per its Content-Transfer-Encoding.
pub(crate) fn decode_body(fields: &[Field<'_>], body: &[u8]) -> Result<Vec<u8>, Error> {
    decode_body_after(fields, body, 0)
}

/// [`decode_body`] into a buffer that begins with `headroom` zero octets.
fn decode_body_after(fields: &[Field<'_>], body: &[u8], headroom: usize) -> Result<Vec<u8>, Error> {
    match transfer_encoding(fields).as_deref() {
        Some("base64") => entity::base64_decode_after(body, headroom).map_err(Error::Malformed),
        None | Some("binary") | Some("8bit") | Some("7bit") => {
            let mut out = Vec::with_capacity(headroom + body.len());
            out.resize(headroom, 0);
            out.extend_from_slice(body);
            Ok(out)
        }
        Some(other) => Err(Error::Malformed(format!(
            "unsupported Content-Transfer-Encoding {other} for a CMS body"
        ))),
    }
}

/// The Content-Transfer-Encoding of a part (RFC 2045 §6.1), lower case.
fn transfer_encoding(fields: &[Field<'_>]) -> Option<String> {
    fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case("content-transfer-encoding"))
        .map(|f| f.value.to_ascii_lowercase())
}

/// The S/MIME type of a part: `(media type, smime-type or "" , name)`.
pub(crate) fn smime_type(fields: &[Field<'_>]) -> Option<MediaType> {
    entity::field(fields, "content-type").map(|f| entity::media_type(&f.value))
}

fn is_pkcs7_mime(ct: &MediaType) -> bool {
    let name = ct.param("name").unwrap_or("").to_ascii_lowercase();
    matches!(
        ct.mime.as_str(),
        "application/pkcs7-mime" | "application/x-pkcs7-mime"
    ) || (ct.mime == "application/octet-stream"
        && (name.ends_with(".p7m") || name.ends_with(".p7z")))
}

/// Encrypt a whole RFC 5322 message for `recipients` (which must include the sender's own
/// certificate so the sender can read its sent copy). Returns the message with the same
/// outer header fields and an `application/pkcs7-mime; smime-type=enveloped-data` (or
/// `authEnveloped-data` when a GCM cipher is chosen) body, base64, CRLF line ends. The steps
/// of [`MessageEncryption`] answered by the pure-Rust provider.
pub fn encrypt_message<R: CryptoRng + ?Sized>(
    raw_message: &[u8],
    recipients: &[x509_cert::Certificate],
    opts: &EncryptOptions,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let e = MessageEncryption::start(raw_message, recipients, opts, rng)?;
    let answers = wrap_all_with_rust(e.requests(), rng)?;
    let pending = e.resume(answers, rng)?;
    let ct = encrypt_content_with_rust(&pending.request())?;
    pending.finish(ct)
}

/// A whole message being encrypted in steps ([`Encryption`]): the outer header fields and
/// the MIME entity (compressed first when asked, RFC 3274) are ready, the key-transport /
/// key-agreement requests are named.
#[derive(Debug)]
pub struct MessageEncryption {
    /// The outer header fields (without MIME-Version and Content-*), kept as they are.
    outer: Vec<u8>,
    /// enveloped-data or authEnveloped-data, by the content cipher.
    kind: SmimeType,
    /// The MIME entity to encrypt (canonical, CRLF).
    entity: Vec<u8>,
    encryption: Encryption,
}

impl MessageEncryption {
    /// Split the message, compress its entity when `opts.compress`, and begin the
    /// encryption of the entity ([`Encryption::start`]).
    pub fn start<R: CryptoRng + ?Sized>(
        raw_message: &[u8],
        recipients: &[x509_cert::Certificate],
        opts: &EncryptOptions,
        rng: &mut R,
    ) -> Result<Self, Error> {
        // the outer fields must be exactly what every reader sees
        split_message(raw_message)?;
        let (outer, mut entity) = split_entity(raw_message);
        if opts.compress {
            let der = compressed::compress_content(&entity)?;
            entity = pkcs7_mime_entity(SmimeType::CompressedData, &der)?;
        }
        let encryption = Encryption::start(recipients, opts, rng)?;
        let kind = if encryption.cipher().is_aead() {
            SmimeType::AuthEnvelopedData
        } else {
            SmimeType::EnvelopedData
        };
        Ok(MessageEncryption {
            outer,
            kind,
            entity,
            encryption,
        })
    }

    /// One request per recipient ([`Encryption::requests`]).
    pub fn requests(&self) -> Vec<&KeyWrapRequest> {
        self.encryption.requests()
    }

    /// Resume with the answers ([`Encryption::resume`]).
    pub fn resume<R: CryptoRng + ?Sized>(
        self,
        answers: Vec<KeyWrapAnswer>,
        rng: &mut R,
    ) -> Result<PendingMessageContent, Error> {
        Ok(PendingMessageContent {
            content: self.encryption.resume(answers, rng)?,
            outer: self.outer,
            kind: self.kind,
            entity: self.entity,
        })
    }
}

/// A message whose entity waits for its content encryption ([`PendingContent`]).
#[derive(Debug)]
pub struct PendingMessageContent {
    outer: Vec<u8>,
    kind: SmimeType,
    entity: Vec<u8>,
    content: PendingContent,
}

impl PendingMessageContent {
    /// "Encrypt the entity with this key and IV".
    pub fn request(&self) -> ContentEncryptRequest<'_> {
        self.content.request(&self.entity)
    }

    /// The encrypted message, with the provider's answer to [`Self::request`]
    /// ([`PendingContent::finish`]).
    pub fn finish(self, answer: Vec<u8>) -> Result<Vec<u8>, Error> {
        let der = self.content.finish(&self.entity, answer)?;
        pkcs7_mime_part(self.kind, &der)
            .to_message(&self.outer)
            .map_err(encode_error)
    }
}

/// An S/MIME encrypted message (`application/pkcs7-mime` enveloped-data or
/// authEnveloped-data at the top level, RFC 8551 §3.3) being decrypted in steps
/// ([`Decryption`]): [`Self::request`] names the private-key operation, [`Self::resume`]
/// takes its answer and returns the decrypted message once a key fits.
#[derive(Debug)]
pub struct MessageDecryption {
    /// The message's header section (with its empty line), to join the decrypted entity to.
    header: Vec<u8>,
    decryption: Decryption<'static>,
    /// The octets before the ContentInfo in the decoded body: room for the outer fields.
    room: usize,
}

/// The header fields and body of an encrypted message (`application/pkcs7-mime`
/// enveloped-data or authEnveloped-data, RFC 8551 §3.3), or why it is not one.
fn encrypted_body(raw_message: &[u8]) -> Result<(Vec<Field<'_>>, &[u8]), Error> {
    let (fields, body) = split_message(raw_message)?;
    let ct = smime_type(&fields)
        .ok_or_else(|| Error::NotEncrypted("the message has no Content-Type".into()))?;
    if !is_pkcs7_mime(&ct) {
        return Err(Error::NotEncrypted(format!(
            "the message is {}, not application/pkcs7-mime",
            ct.mime
        )));
    }
    if let Some(t) = ct.param("smime-type") {
        let t = t.to_ascii_lowercase();
        if t != "enveloped-data" && t != "authenveloped-data" {
            return Err(Error::NotEncrypted(format!(
                "the message is smime-type={t}, not enveloped-data"
            )));
        }
    }
    Ok((fields, body))
}

/// The octets before the decoded ContentInfo: room for the outer fields
/// ([`MessageDecryption::content_request_with_room`]), as long as they can be (CRLF line
/// ends), in whole AES blocks.
fn room_for_outer_fields(fields: &[Field<'_>]) -> usize {
    outer_fields(fields, true).len().max(1).div_ceil(16) * 16
}

/// How much of the body [`MessageDecryption::early_request`] decodes: room for the
/// RecipientInfos of about a hundred RSA-2048 recipients (some 400 octets each).
const EARLY_BODY: usize = 64 * 1024;

impl MessageDecryption {
    /// Parse the message and its EnvelopedData / AuthEnvelopedData, addressed to `certs`.
    pub fn start(raw_message: &[u8], certs: &[&Certificate]) -> Result<Self, Error> {
        let (fields, body) = encrypted_body(raw_message)?;
        let room = room_for_outer_fields(&fields);
        let der = decode_body_after(&fields, body, room)?;
        let header_len = raw_message.len() - body.len();
        Ok(MessageDecryption {
            header: raw_message.get(..header_len).unwrap_or_default().to_vec(),
            decryption: Decryption::start_owned_after(der, room, certs)?,
            room,
        })
    }

    /// [`Self::start`] of a message the caller hands over: a base64 body is decoded in the
    /// message's own buffer ([`entity::base64_decode_in_place`]), not into a second one.
    pub fn start_owned(raw_message: Vec<u8>, certs: &[&Certificate]) -> Result<Self, Error> {
        let (header, room) = {
            let (fields, body) = encrypted_body(&raw_message)?;
            if transfer_encoding(&fields).as_deref() != Some("base64") {
                return Self::start(&raw_message, certs);
            }
            let room = room_for_outer_fields(&fields);
            let header_len = raw_message.len() - body.len();
            (
                raw_message.get(..header_len).unwrap_or_default().to_vec(),
                room,
            )
        };
        let body_start = header.len();
        let der = entity::base64_decode_in_place(raw_message, body_start, room)
            .map_err(Error::Malformed)?;
        Ok(MessageDecryption {
            header,
            decryption: Decryption::start_owned_after(der, room, certs)?,
            room,
        })
    }

    /// The private-key operation [`Self::start`] will ask first, read from the first lines
    /// of the body only ([`Decryption::early_request`]), so that a provider can begin it while
    /// the whole body is decoded: the certificate index and the request, or `None` (then
    /// simply answer [`Self::request`] as it comes).
    pub fn early_request(
        raw_message: &[u8],
        certs: &[&Certificate],
    ) -> Option<(usize, DecryptRequest)> {
        let (fields, body) = encrypted_body(raw_message).ok()?;
        // Whole lines of base64 are whole quads: a prefix ending at a line end decodes to a
        // prefix of the octets.
        let prefix = match body.get(..EARLY_BODY) {
            Some(p) => &p[..p.iter().rposition(|b| *b == b'\n')? + 1],
            None => body,
        };
        let der = decode_body(&fields, prefix).ok()?;
        Decryption::early_request(&der, certs)
    }

    /// The pending private-key operation ([`Decryption::request`]).
    pub fn request(&self) -> Result<(usize, &DecryptRequest), Error> {
        self.decryption.request()
    }

    /// Resume with the provider's answer ([`Decryption::resume`]). Returns the outer header
    /// fields (less the outer Content-* fields) followed by the decrypted MIME entity. When
    /// the encrypted content is itself a CMS CompressedData (RFC 3274 nested directly), it is
    /// decompressed too. A compressed-data *MIME part* inside is left as it is (the caller
    /// unwraps layers one at a time; see `decompress_message`).
    pub fn resume(
        &mut self,
        answer: Result<Zeroizing<Vec<u8>>, Error>,
    ) -> Result<Option<Vec<u8>>, Error> {
        let Some(d) = self.decryption.resume(answer)? else {
            return Ok(None);
        };
        self.message(d).map(Some)
    }

    /// [`Decryption::resume_key`]: the content-encryption key, or `None` when another
    /// RecipientInfo is pending.
    pub fn resume_key(
        &mut self,
        answer: Result<Zeroizing<Vec<u8>>, Error>,
    ) -> Result<Option<ContentKey>, Error> {
        self.decryption.resume_key(answer)
    }

    /// [`Decryption::content_request`].
    pub fn content_request<'a>(
        &'a self,
        key: &'a ContentKey,
    ) -> Result<ContentDecryptRequest<'a>, Error> {
        self.decryption.content_request(key)
    }

    /// [`Decryption::content_request_with_room`] with room for [`Self::finish_outside`]'s
    /// fields, when the content is the entity ([`Self::content_is_entity`]): the request and
    /// the number of octets of no use before the content in its answer. A provider that
    /// leaves them in its output buffer can write the outer fields over their end and hand
    /// out the message where it lies, instead of joining fields and content in a new buffer.
    /// `None` when the request has no such room (not AES-CBC, or a chunked BER ciphertext):
    /// then [`Self::content_request`].
    pub fn content_request_with_room<'a>(
        &'a mut self,
        key: &'a ContentKey,
    ) -> Option<(ContentDecryptRequest<'a>, usize)> {
        if !self.content_is_entity() {
            return None;
        }
        let room = self.room;
        let req = self.decryption.content_request_with_room(key, room)?;
        Some((req, room))
    }

    /// [`Decryption::finish_content`], then the message as [`Self::resume`] returns it.
    pub fn finish_content(
        &self,
        key: ContentKey,
        answer: Result<Vec<u8>, Error>,
    ) -> Result<Vec<u8>, Error> {
        let d = self.decryption.finish_content(key, answer)?;
        self.message(d)
    }

    /// Whether the decrypted content is the MIME entity itself — not a CMS CompressedData
    /// (RFC 3274), which [`Self::finish_content`] decompresses — so that a provider may keep
    /// it and the caller join it to [`Self::finish_outside`]'s fields.
    pub fn content_is_entity(&self) -> bool {
        !self.decryption.content_is_compressed()
    }

    /// [`Self::finish_content`] for a content the provider keeps (`len` octets; `read` copies
    /// a range of it out) when [`Self::content_is_entity`]: the same checks, reading only the
    /// blocks they need and the entity up to its first line end. Returns the outer header
    /// fields: the decrypted message is these octets followed by the content, octet for octet
    /// what [`Self::finish_content`] returns.
    pub fn finish_outside(
        &self,
        key: ContentKey,
        len: usize,
        read: &mut dyn FnMut(std::ops::Range<usize>) -> Vec<u8>,
    ) -> Result<Vec<u8>, Error> {
        if !self.content_is_entity() {
            return Err(Error::Malformed(
                "a compressed content is decompressed in the core, not joined outside".into(),
            ));
        }
        self.decryption.check_content_outside(&key, len, read)?;
        drop(key);
        // join_outer's line-end choice: CRLF when the entity has one anywhere (or is empty).
        const CHUNK: usize = 64 * 1024;
        let mut crlf = len == 0;
        let mut at = 0;
        while !crlf && at < len {
            // One octet of overlap, so a CRLF across two chunks is seen.
            let start = at.saturating_sub(1);
            let end = (at + CHUNK).min(len);
            crlf = read(start..end).windows(2).any(|w| w == b"\r\n");
            at = end;
        }
        let (fields, _) = split_message(&self.header)?;
        Ok(outer_fields(&fields, crlf))
    }

    fn message(&self, d: super::Decrypted) -> Result<Vec<u8>, Error> {
        let entity = if !self.content_is_entity() {
            compressed::decompress_content_info(&d.content, &DecompressLimits::default())?
        } else {
            d.content
        };
        let (fields, _) = split_message(&self.header)?;
        Ok(join_outer(&fields, &entity))
    }
}

/// Decrypt an S/MIME encrypted message with our key and certificate and the pure-Rust
/// provider ([`MessageDecryption`]). Returns the outer header fields (less the outer
/// Content-* fields) followed by the decrypted MIME entity.
pub fn decrypt_message(
    raw_message: &[u8],
    key: &PrivateKey,
    cert: &Certificate,
) -> Result<Vec<u8>, Error> {
    let mut d = MessageDecryption::start(raw_message, &[cert])?;
    // Each round consumes one matching RecipientInfo; `request` fails once none is left.
    loop {
        let answer = decrypt_with_key(key, d.request()?.1);
        if let Some(out) = d.resume(answer)? {
            return Ok(out);
        }
    }
}

/// Outer non-Content-* fields followed by an inner entity, using the entity's line ends.
pub(crate) fn join_outer(fields: &[Field<'_>], entity: &[u8]) -> Vec<u8> {
    let crlf = entity.windows(2).any(|w| w == b"\r\n") || entity.is_empty();
    let mut out = Vec::with_capacity(entity.len() + 1024);
    out.extend_from_slice(&outer_fields(fields, crlf));
    out.extend_from_slice(entity);
    out
}

/// The outer fields [`join_outer`] puts before the entity (less the Content-* fields), with
/// CRLF or LF line ends.
fn outer_fields(fields: &[Field<'_>], crlf: bool) -> Vec<u8> {
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = Vec::with_capacity(1024);
    for f in fields.iter().filter(|f| !entity::is_content_field(f.name)) {
        let raw = if crlf {
            to_crlf(trim_eol(f.raw))
        } else {
            trim_eol(f.raw)
                .iter()
                .copied()
                .filter(|b| *b != b'\r')
                .collect()
        };
        out.extend_from_slice(&raw);
        out.extend_from_slice(eol);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_headers_and_body() {
        let m = b"From: a@b\r\nSubject: hi\r\n  there\r\nContent-Type: text/plain\r\n\r\nbody\r\n";
        let (f, b) = split_message(m).unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(f[1].value, "hi  there");
        assert!(entity::is_content_field(f[2].name));
        assert_eq!(b, b"body\r\n");
        let (f, b) = split_message(b"A: 1\nB: 2\n\nx").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(b, b"x");
        assert!(split_message(b" bad\r\n\r\n").is_err());
        assert!(split_message(b"nocolon\r\n\r\n").is_err());
        assert!(split_message(b"Bad Name: x\r\n\r\n").is_err());
        // Obsolete white space before the colon is a field (RFC 5322 §4.5.8).
        let (f, _) = split_message(b"Subject : x\r\n\r\n").unwrap();
        assert_eq!(f[0].name, "Subject");
    }

    #[test]
    fn recognises_pkcs7_mime() {
        let (f, _) = split_message(
            b"Content-Type: application/pkcs7-mime; smime-type=\"enveloped-data\"; name=smime.p7m\r\n\r\n",
        )
        .unwrap();
        let ct = smime_type(&f).unwrap();
        assert!(is_pkcs7_mime(&ct));
        assert_eq!(ct.param("smime-type"), Some("enveloped-data"));
    }

    #[test]
    fn inner_entity_is_canonical() {
        assert_eq!(
            split_entity(b"From: a\nContent-Type: text/plain\n\nx\ny\n").1,
            b"Content-Type: text/plain\r\n\r\nx\r\ny\r\n".to_vec()
        );
    }
}

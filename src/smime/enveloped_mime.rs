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

use base64::Engine;
use x509_cert::Certificate;

use super::compressed::{self, DecompressLimits};
use super::enveloped::{choose_content_cipher, encrypt_content, Decryption, EncryptOptions};
use super::key_operation::{decrypt_with_key, DecryptRequest};
use super::Error;
use crate::asn1::oid::ID_COMPRESSED_DATA;
use crate::keys::PrivateKey;
use crate::rng::CryptoRng;
use zeroize::Zeroizing;

/// One header field as it appeared (name, and the whole field including folded lines,
/// without the final line break).
#[derive(Debug, Clone)]
pub(crate) struct Field<'a> {
    pub name: &'a str,
    pub raw: &'a [u8],
}

impl Field<'_> {
    /// The unfolded value, trimmed.
    pub fn value(&self) -> String {
        let s = String::from_utf8_lossy(self.raw);
        let v = s.split_once(':').map(|(_, v)| v).unwrap_or("");
        v.replace("\r\n", "").replace('\n', "").trim().to_string()
    }

    /// Is this a MIME Content-* field (part of the entity, not of the message)?
    pub fn is_content(&self) -> bool {
        super::smime_mime::is_content_field(self.name)
    }
}

/// Split a message into its header fields and body. Accepts CRLF or LF line ends.
pub(crate) fn split_message(raw: &[u8]) -> Result<(Vec<Field<'_>>, &[u8]), Error> {
    let mut fields: Vec<Field<'_>> = Vec::new();
    let mut pos = 0usize;
    let mut start: Option<usize> = None;
    let mut name_end = 0usize;
    loop {
        let line_end = raw[pos..].iter().position(|b| *b == b'\n').map(|i| pos + i);
        let (line, next) = match line_end {
            Some(e) => (&raw[pos..e], e + 1),
            None => (&raw[pos..], raw.len()),
        };
        let line_trim = line.strip_suffix(b"\r").unwrap_or(line);
        let is_cont = matches!(line_trim.first(), Some(b' ') | Some(b'\t'));
        if line_trim.is_empty() || !is_cont {
            if let Some(s) = start.take() {
                let raw_field = trim_eol(&raw[s..pos]);
                let name = std::str::from_utf8(&raw[s..name_end])
                    .map_err(|_| Error::Malformed("header field name is not ASCII".into()))?;
                fields.push(Field {
                    name: name.trim(),
                    raw: raw_field,
                });
            }
        }
        if line_trim.is_empty() {
            let body = if line_end.is_some() {
                &raw[next..]
            } else {
                &raw[raw.len()..]
            };
            return Ok((fields, body));
        }
        if !is_cont {
            let colon = line_trim
                .iter()
                .position(|b| *b == b':')
                .ok_or_else(|| Error::Malformed("a header line has no colon".into()))?;
            start = Some(pos);
            name_end = pos + colon;
        } else if start.is_none() {
            return Err(Error::Malformed(
                "the message starts with a continuation line".into(),
            ));
        }
        if line_end.is_none() {
            // Header section without a body.
            if let Some(s) = start.take() {
                let name = std::str::from_utf8(&raw[s..name_end])
                    .map_err(|_| Error::Malformed("header field name is not ASCII".into()))?;
                fields.push(Field {
                    name: name.trim(),
                    raw: trim_eol(&raw[s..]),
                });
            }
            return Ok((fields, &raw[raw.len()..]));
        }
        pos = next;
    }
}

fn trim_eol(b: &[u8]) -> &[u8] {
    let b = b.strip_suffix(b"\n").unwrap_or(b);
    b.strip_suffix(b"\r").unwrap_or(b)
}

/// A parsed Content-Type: lower-cased media type and parameters (names lower-cased,
/// values unquoted).
pub(crate) struct ContentType {
    pub media: String,
    pub params: Vec<(String, String)>,
}

impl ContentType {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parse a Content-Type value (RFC 2045 §5.1; comments not supported).
pub(crate) fn parse_content_type(v: &str) -> ContentType {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut escape = false;
    for ch in v.chars() {
        if escape {
            cur.push(ch);
            escape = false;
        } else if quoted && ch == '\\' {
            escape = true;
        } else if ch == '"' {
            quoted = !quoted;
        } else if ch == ';' && !quoted {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(ch);
        }
    }
    parts.push(cur);
    let media = parts
        .first()
        .map(|s| s.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let params = parts
        .iter()
        .skip(1)
        .filter_map(|p| {
            let (n, v) = p.split_once('=')?;
            Some((n.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    ContentType { media, params }
}

/// Canonicalise line ends to CRLF (RFC 8551 §3.1.1).
pub(crate) fn to_crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 40);
    let mut prev = 0u8;
    for &b in data {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

/// The inner MIME entity of a message: its Content-* fields (default text/plain) + body,
/// in canonical CRLF form.
pub(crate) fn inner_entity(fields: &[Field<'_>], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 256);
    let mut has_ct = false;
    for f in fields.iter().filter(|f| f.is_content()) {
        has_ct |= f.name.eq_ignore_ascii_case("content-type");
        out.extend_from_slice(f.raw);
        out.extend_from_slice(b"\r\n");
    }
    if !has_ct {
        out.extend_from_slice(b"Content-Type: text/plain; charset=us-ascii\r\n");
    }
    let mut entity = to_crlf(&out);
    entity.extend_from_slice(b"\r\n");
    entity.extend_from_slice(&to_crlf(body));
    entity
}

use crate::mime::encode::base64_lines;

/// Decode a base64 body, ignoring whitespace.
pub(crate) fn base64_decode(body: &[u8]) -> Result<Vec<u8>, Error> {
    let clean: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    engine
        .decode(&clean)
        .map_err(|e| Error::Malformed(format!("bad base64 body: {e}")))
}

/// Build a message: the outer (non-Content-*) fields, MIME-Version, then the given
/// Content-* lines and body. CRLF throughout.
pub(crate) fn wrap_outer(fields: &[Field<'_>], content_lines: &[&str], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 1024);
    for f in fields
        .iter()
        .filter(|f| !f.is_content() && !f.name.eq_ignore_ascii_case("mime-version"))
    {
        out.extend_from_slice(&to_crlf(f.raw));
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    for l in content_lines {
        out.extend_from_slice(l.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// The body of an application/pkcs7-mime part, decoded per its Content-Transfer-Encoding.
pub(crate) fn decode_body(fields: &[Field<'_>], body: &[u8]) -> Result<Vec<u8>, Error> {
    let cte = fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case("content-transfer-encoding"))
        .map(|f| f.value().to_ascii_lowercase());
    match cte.as_deref() {
        Some("base64") => base64_decode(body),
        None | Some("binary") | Some("8bit") | Some("7bit") => Ok(body.to_vec()),
        Some(other) => Err(Error::Malformed(format!(
            "unsupported Content-Transfer-Encoding {other} for a CMS body"
        ))),
    }
}

/// The S/MIME type of a part: `(media type, smime-type or "" , name)`.
pub(crate) fn smime_type(fields: &[Field<'_>]) -> Option<ContentType> {
    fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case("content-type"))
        .map(|f| parse_content_type(&f.value()))
}

fn is_pkcs7_mime(ct: &ContentType) -> bool {
    let name = ct.param("name").unwrap_or("").to_ascii_lowercase();
    matches!(
        ct.media.as_str(),
        "application/pkcs7-mime" | "application/x-pkcs7-mime"
    ) || (ct.media == "application/octet-stream"
        && (name.ends_with(".p7m") || name.ends_with(".p7z")))
}

/// Encrypt a whole RFC 5322 message for `recipients` (which must include the sender's own
/// certificate so the sender can read its sent copy). Returns the message with the same
/// outer header fields and an `application/pkcs7-mime; smime-type=enveloped-data` (or
/// `authEnveloped-data` when a GCM cipher is chosen) body, base64, CRLF line ends.
pub fn encrypt_message<R: CryptoRng + ?Sized>(
    raw_message: &[u8],
    recipients: &[x509_cert::Certificate],
    opts: &EncryptOptions,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let (fields, body) = split_message(raw_message)?;
    let mut entity = inner_entity(&fields, body);
    if opts.compress {
        let der = compressed::compress_content(&entity)?;
        let mut e =
            b"Content-Type: application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z\r\n\
Content-Transfer-Encoding: base64\r\n\
Content-Disposition: attachment; filename=smime.p7z\r\n\r\n"
                .to_vec();
        e.extend_from_slice(&base64_lines(&der));
        entity = e;
    }
    let cipher = choose_content_cipher(opts, recipients.len());
    let der = encrypt_content(&entity, recipients, opts, rng)?;
    let smime_type = if cipher.is_aead() {
        "authEnveloped-data"
    } else {
        "enveloped-data"
    };
    let ct =
        format!("Content-Type: application/pkcs7-mime; smime-type={smime_type}; name=smime.p7m");
    Ok(wrap_outer(
        &fields,
        &[
            &ct,
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment; filename=smime.p7m",
        ],
        &base64_lines(&der),
    ))
}

/// An S/MIME encrypted message (`application/pkcs7-mime` enveloped-data or
/// authEnveloped-data at the top level, RFC 8551 §3.3) being decrypted in steps
/// ([`Decryption`]): [`Self::request`] names the private-key operation, [`Self::resume`]
/// takes its answer and returns the decrypted message once a key fits.
#[derive(Debug)]
pub struct MessageDecryption {
    /// The message's header section (with its empty line), to join the decrypted entity to.
    header: Vec<u8>,
    decryption: Decryption,
}

impl MessageDecryption {
    /// Parse the message and its EnvelopedData / AuthEnvelopedData, addressed to `certs`.
    pub fn start(raw_message: &[u8], certs: &[&Certificate]) -> Result<Self, Error> {
        let (fields, body) = split_message(raw_message)?;
        let ct = smime_type(&fields)
            .ok_or_else(|| Error::NotEncrypted("the message has no Content-Type".into()))?;
        if !is_pkcs7_mime(&ct) {
            return Err(Error::NotEncrypted(format!(
                "the message is {}, not application/pkcs7-mime",
                ct.media
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
        let der = decode_body(&fields, body)?;
        let header_len = raw_message.len() - body.len();
        Ok(MessageDecryption {
            header: raw_message.get(..header_len).unwrap_or_default().to_vec(),
            decryption: Decryption::start(&der, certs)?,
        })
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
        let entity = if d.content_type == ID_COMPRESSED_DATA.to_string() {
            compressed::decompress_content_info(&d.content, &DecompressLimits::default())?
        } else {
            d.content
        };
        let (fields, _) = split_message(&self.header)?;
        Ok(Some(join_outer(&fields, &entity)))
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
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = Vec::with_capacity(entity.len() + 1024);
    for f in fields.iter().filter(|f| !f.is_content()) {
        let raw = if crlf {
            to_crlf(f.raw)
        } else {
            f.raw.iter().copied().filter(|b| *b != b'\r').collect()
        };
        out.extend_from_slice(&raw);
        out.extend_from_slice(eol);
    }
    out.extend_from_slice(entity);
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
        assert_eq!(f[1].value(), "hi  there");
        assert!(f[2].is_content());
        assert_eq!(b, b"body\r\n");
        let (f, b) = split_message(b"A: 1\nB: 2\n\nx").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(b, b"x");
        assert!(split_message(b" bad\r\n\r\n").is_err());
        assert!(split_message(b"nocolon\r\n\r\n").is_err());
    }

    #[test]
    fn parses_content_type() {
        let ct = parse_content_type(
            "application/pkcs7-mime; smime-type=\"enveloped-data\"; name=smime.p7m",
        );
        assert_eq!(ct.media, "application/pkcs7-mime");
        assert_eq!(ct.param("smime-type"), Some("enveloped-data"));
        assert_eq!(ct.param("name"), Some("smime.p7m"));
    }

    #[test]
    fn inner_entity_is_canonical() {
        let (f, b) = split_message(b"From: a\nContent-Type: text/plain\n\nx\ny\n").unwrap();
        assert_eq!(
            inner_entity(&f, b),
            b"Content-Type: text/plain\r\n\r\nx\r\ny\r\n".to_vec()
        );
    }
}

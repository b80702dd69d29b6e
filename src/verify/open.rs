//! The non-signature layers `verify` removes: EnvelopedData (RFC 5652 §6), AuthEnvelopedData
//! (RFC 5083) — decrypted with the caller's keys or their holder's answers
//! ([`crate::smime::enveloped::decrypt_content_info_with`]) — and
//! CompressedData (RFC 3274) and `application/zlib` / `application/gzip` bodies (RFC 6713),
//! inflated within [`crate::smime::DecompressLimits`].
//!
//! Every failure is a problem in the report naming the layer (its index in `layers` and its
//! kind), never an `Err`: the walk stops at the layer that cannot be opened.

use std::borrow::Cow;

use super::domain_encryption::record_recipients;
use super::{Error, VerifyContext};
use crate::algorithm_policy::Judged;
use crate::asn1::oid::ID_COMPRESSED_DATA;
use crate::report::{Layer, VerifyReport};
use crate::smime::compressed::{decompress_body, decompress_content_info};
use crate::smime::enveloped::{decrypt_content_info_with, EncryptedKind};
use crate::smime::key_operation::ContentDigest;

/// Problem codes of this module (documented in `docs/report.md`).
pub(crate) mod codes {
    /// An encrypted layer and no supplied key is one of its recipients (or no key at all).
    pub(crate) const NO_DECRYPTION_KEY: &str = "no-decryption-key";
    /// Our RecipientInfo was found but the content key or the content did not decrypt.
    pub(crate) const DECRYPT_FAILED: &str = "decrypt-failed";
    /// AuthEnvelopedData whose AES-GCM tag does not verify (modified ciphertext).
    pub(crate) const DECRYPT_AUTH_FAILED: &str = "decrypt-auth-failed";
    /// Decompressed output over the size / ratio limit (compression bomb).
    pub(crate) const DECOMPRESS_LIMIT: &str = "decompress-limit";
    /// Corrupt compressed data.
    pub(crate) const DECOMPRESS_FAILED: &str = "decompress-failed";
    /// A content-encryption, key-management or compression algorithm we do not implement.
    pub(crate) const UNSUPPORTED_ALGORITHM: &str = "unsupported-algorithm";
    /// An algorithm the key's provider lacks (WebCrypto: RSAES-PKCS1-v1_5 key transport);
    /// the stored key, opened with its password, can decrypt the layer.
    pub(crate) const KEY_PROVIDER_UNSUPPORTED: &str = "key-provider-unsupported";
    /// CompressedData used more than once (MMHS profile §4.2.1.4.1: at most once, innermost).
    pub(crate) const COMPRESSED_TWICE: &str = "compressed-twice";
    /// A CMS structure that cannot be decoded.
    pub(crate) const CMS_MALFORMED: &str = "cms-malformed";
}

/// Name of the layer at `index` for messages: `layer 2 (enveloped)`.
fn layer_name(report: &VerifyReport, index: usize) -> String {
    format!(
        "layer {} ({})",
        index + 1,
        report.layers.get(index).map_or("?", |l| l.as_str())
    )
}

/// Add the problem for a decryption / decompression error of layer `index`.
fn error_problem(report: &mut VerifyReport, index: usize, e: &Error, key_count: usize) {
    let at = layer_name(report, index);
    let (code, msg) = match e {
        Error::DecryptNoRecipient(m) => (
            codes::NO_DECRYPTION_KEY,
            if key_count == 0 {
                format!("{at}: the content is encrypted and no decryption key was supplied")
            } else {
                format!("{at}: none of the supplied decryption keys is a recipient: {m}")
            },
        ),
        Error::DecryptFailed(m) => (codes::DECRYPT_FAILED, format!("{at}: {m}")),
        Error::DecryptAuthFailed(m) => (codes::DECRYPT_AUTH_FAILED, format!("{at}: {m}")),
        Error::DecompressLimit(m) => (codes::DECOMPRESS_LIMIT, format!("{at}: {m}")),
        Error::DecompressFailed(m) => (codes::DECOMPRESS_FAILED, format!("{at}: {m}")),
        Error::UnsupportedAlgorithm(m) | Error::Unsupported(m) => {
            (codes::UNSUPPORTED_ALGORITHM, format!("{at}: {m}"))
        }
        Error::KeyProviderUnsupported(m) => (codes::KEY_PROVIDER_UNSUPPORTED, format!("{at}: {m}")),
        Error::ProviderUnsupported(m) => (crate::trust::PROVIDER_UNSUPPORTED, format!("{at}: {m}")),
        other => (codes::CMS_MALFORMED, format!("{at}: {other}")),
    };
    report.problem(code, msg);
}

/// Decrypt the EnvelopedData / AuthEnvelopedData ContentInfo `der` (the layer has already
/// been pushed as `report.layers[index]`). A CompressedData carried directly as the
/// encrypted content type (RFC 3274 §1.1 nesting without MIME) is inflated too and reported
/// as a further `compressed` layer. `owner`: the buffer `der` lies in, when the walks keep it
/// unchanged (a content request then shares it). Returns the content (a MIME entity) — the provider's
/// plaintext where it lies, with its digests of ranges of it, when the provider answered
/// ([`VerifyContext::answer_content`]) — or `None` after recording the problem.
pub(crate) fn decrypt_layer<'c>(
    report: &mut VerifyReport,
    index: usize,
    der: &[u8],
    owner: Option<&std::sync::Arc<Vec<u8>>>,
    ctx: &'c VerifyContext,
) -> Option<(Cow<'c, [u8]>, &'c [ContentDigest])> {
    let certs = ctx.decryption_certificates();
    if certs.is_empty() {
        record_recipients(report, index, der, ctx, None);
        error_problem(report, index, &Error::DecryptNoRecipient(String::new()), 0);
        return None;
    }
    let mut provider_digests: &[ContentDigest] = &[];
    let (d, lent) = match decrypt_content_info_with(
        der,
        &certs,
        |i, req| ctx.answer_decryption(i, req),
        |req| {
            let (answer, digests) = ctx.answer_content(req, owner);
            provider_digests = digests;
            answer
        },
    ) {
        Ok(d) => d,
        Err(e) => {
            record_recipients(report, index, der, ctx, None);
            error_problem(report, index, &e, certs.len());
            return None;
        }
    };
    record_recipients(report, index, der, ctx, Some(d.key_index));
    if let Some(l) = report.layers.get_mut(index) {
        *l = match d.kind {
            EncryptedKind::Enveloped => Layer::Enveloped,
            EncryptedKind::AuthEnveloped => Layer::AuthEnveloped,
        };
    }
    // The algorithm policy (RFC 8551 §2.7): 3DES / RC2 content encryption and PKCS#1 v1.5 key
    // transport are problems unless the caller accepts weak algorithms. The content is still
    // read, so the report says everything else about it.
    let at = layer_name(report, index);
    for w in &d.weaknesses {
        match ctx.algorithms.judge(&w.clone().at(&at)) {
            Judged::Problem(p) => report.problems.push(p),
            Judged::Note(n) => report.notes.push(n),
        }
    }
    let content = match lent {
        Some(p) => Cow::Borrowed(p),
        None => Cow::Owned(d.content),
    };
    if d.content_type == ID_COMPRESSED_DATA.to_string() {
        let ci = match crate::smime::enveloped::content_info_der(ID_COMPRESSED_DATA, &content) {
            Ok(ci) => ci,
            Err(e) => {
                error_problem(report, index, &e, 0);
                return None;
            }
        };
        report.layers.push(Layer::Compressed);
        return decompress_layer(report, report.layers.len() - 1, &ci, ctx)
            .map(|c| (Cow::Owned(c), &[][..]));
    }
    // The provider's answer as it is (checked, never changed): the digests are of these very
    // octets.
    Some((content, provider_digests))
}

/// Inflate the CompressedData ContentInfo `der` (layer `index`, already pushed).
pub(crate) fn decompress_layer(
    report: &mut VerifyReport,
    index: usize,
    der: &[u8],
    ctx: &VerifyContext,
) -> Option<Vec<u8>> {
    if compressed_twice(report, index) {
        return None;
    }
    match decompress_content_info(der, &ctx.decompress_limits) {
        Ok(c) => Some(c),
        Err(e) => {
            error_problem(report, index, &e, 0);
            None
        }
    }
}

/// Inflate an `application/zlib` or `application/gzip` body (RFC 6713), transfer-decoded,
/// as layer `index` (already pushed as `compressed`).
pub(crate) fn decompress_media(
    report: &mut VerifyReport,
    index: usize,
    media_type: &str,
    body: &[u8],
    ctx: &VerifyContext,
) -> Option<Vec<u8>> {
    if compressed_twice(report, index) {
        return None;
    }
    match decompress_body(media_type, body, &ctx.decompress_limits) {
        Ok(c) => Some(c),
        Err(e) => {
            error_problem(report, index, &e, 0);
            None
        }
    }
}

/// A second compressed layer: refused (profile §4.2.1.4.1; also bounds the total inflation).
fn compressed_twice(report: &mut VerifyReport, index: usize) -> bool {
    let earlier = report
        .layers
        .iter()
        .take(index)
        .filter(|l| **l == Layer::Compressed)
        .count();
    if earlier > 0 {
        let at = layer_name(report, index);
        report.problem(
            codes::COMPRESSED_TWICE,
            format!("{at}: a second compressed layer (the MMHS profile §4.2.1.4.1 allows one, innermost); not inflated"),
        );
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(layers: &[Layer]) -> VerifyReport {
        VerifyReport {
            layers: layers.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn compressed_layer_inflates() {
        let ci = crate::smime::compress_content(b"Content-Type: text/plain\r\n\r\nhi\r\n").unwrap();
        let mut r = report(&[Layer::Signed, Layer::Compressed]);
        let out = decompress_layer(&mut r, 1, &ci, &Default::default()).unwrap();
        assert_eq!(out, b"Content-Type: text/plain\r\n\r\nhi\r\n");
        assert!(r.problems.is_empty());
    }

    #[test]
    fn second_compressed_layer_is_refused() {
        let ci = crate::smime::compress_content(b"x").unwrap();
        let mut r = report(&[Layer::Compressed, Layer::Compressed]);
        assert!(decompress_layer(&mut r, 1, &ci, &Default::default()).is_none());
        assert!(r.has_problem(codes::COMPRESSED_TWICE));
    }

    #[test]
    fn bomb_and_corruption_are_problems() {
        let ctx = VerifyContext {
            decompress_limits: crate::smime::DecompressLimits {
                max_size: 100,
                ..Default::default()
            },
            ..Default::default()
        };
        let ci = crate::smime::compress_content(&[0u8; 1000]).unwrap();
        let mut r = report(&[Layer::Compressed]);
        assert!(decompress_layer(&mut r, 0, &ci, &ctx).is_none());
        assert!(r.has_problem(codes::DECOMPRESS_LIMIT), "{:?}", r.problems);
        let mut r = report(&[Layer::Compressed]);
        assert!(decompress_media(&mut r, 0, "application/gzip", b"not gzip", &ctx).is_none());
        assert!(r.has_problem(codes::DECOMPRESS_FAILED), "{:?}", r.problems);
    }

    #[test]
    fn no_key_is_a_problem_naming_the_layer() {
        let mut r = report(&[Layer::Signed, Layer::Enveloped]);
        assert!(decrypt_layer(&mut r, 1, b"\x30\x00", None, &Default::default()).is_none());
        assert_eq!(r.problems[0].code, codes::NO_DECRYPTION_KEY);
        assert!(r.problems[0].message.contains("layer 2 (enveloped)"));
    }
}

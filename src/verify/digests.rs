//! Message digests computed by the caller's provider (a host with native hashing, e.g.
//! WebCrypto's `digest`) rather than in the core, for the one place where a large message's
//! signed content lies in the message as received: the first body part of an outermost
//! multipart/signed (RFC 1847 §2.1, RFC 8551 §3.5.3) of a message already in canonical CRLF
//! form (RFC 8551 §3.1.1).
//!
//! [`digest_ranges`] names those octets — "hash this range of the message with this
//! algorithm", one request per digest algorithm of the SignedData's SignerInfos (RFC 5652
//! §5.4) — and the caller hands its answers ([`DigestAnswers`], which borrow the message) to
//! [`verify_message_with_digests`](super::verify_message_with_digests). The walk uses an
//! answer only for content that is exactly that range of the very octets it verifies
//! ([`DigestAnswers::for_content`]); any other content (an inner layer, opaque-signed
//! eContent, a message with bare LF line ends) is hashed in the core as before, so the report
//! is the same with or without answers.

use std::ops::Range;

use super::walk::{signed_parts, MAX_MESSAGE_SIZE};
use crate::asn1::oid::ID_SIGNED_DATA;
use crate::mime::entity::{self, fields, split};
use crate::smime::signed_parse::{parse_content_info, parse_signed_data};
use crate::smime::signed_verify::{DigestCache, MAX_SIGNATURES};
use crate::smime::{DigestAlg, DigestRequest};

/// "Hash octets `range` of the message with `alg`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestRange {
    /// The digest algorithm.
    pub alg: DigestAlg,
    /// The octets of the message as given to [`digest_ranges`].
    pub range: Range<usize>,
}

impl DigestRange {
    /// The request for these octets of `raw` (`None` when the range is not in `raw`).
    pub fn request<'a>(&self, raw: &'a [u8]) -> Option<DigestRequest<'a>> {
        raw.get(self.range.clone()).map(|data| DigestRequest {
            alg: self.alg,
            data,
        })
    }
}

/// The provider's answers to [`digest_ranges`] for one message, bound to that message's
/// octets: they borrow them, and are used only by a walk of that same memory
/// ([`Self::for_content`]), so an answer can never stand for other content — a different or
/// altered message, even of the same length, is hashed by the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestAnswers<'a> {
    raw: &'a [u8],
    answers: Vec<(DigestRange, Vec<u8>)>,
}

impl<'a> DigestAnswers<'a> {
    /// No answers yet for the message `raw`.
    pub fn new(raw: &'a [u8]) -> Self {
        DigestAnswers {
            raw,
            answers: Vec::new(),
        }
    }

    /// Record the digest of `range` (an answer of the wrong length is never used).
    pub fn add(&mut self, range: DigestRange, digest: Vec<u8>) {
        self.answers.push((range, digest));
    }

    /// The answers that are digests of `content`: `raw` must be the very message the
    /// answers were made for (the same memory), and `content` exactly the range of it that
    /// was digested.
    pub(crate) fn for_content(&self, raw: &[u8], content: &[u8]) -> DigestCache {
        if !std::ptr::eq(self.raw, raw) {
            return DigestCache::default();
        }
        let Some(at) = range_in(raw, content) else {
            return DigestCache::default();
        };
        DigestCache::answered(
            self.answers
                .iter()
                .filter(|(r, _)| r.range == at)
                .map(|(r, d)| (r.alg, d.clone())),
        )
    }
}

/// Where `inner` lies in `outer`, when it is a subslice of it.
fn range_in(outer: &[u8], inner: &[u8]) -> Option<Range<usize>> {
    let start = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    let end = start.checked_add(inner.len())?;
    (end <= outer.len()).then_some(start..end)
}

/// The digests the walk of `raw` will need of octets that lie in `raw` itself (module
/// documentation): for an outermost multipart/signed, its first body
/// part with each supported digest algorithm of its SignerInfos (at most
/// [`MAX_SIGNATURES`] SignerInfos are read, as the walk checks no more). Empty for anything
/// else; bounded work (one pass over the message to find its line ends and delimiters).
pub fn digest_ranges(raw: &[u8]) -> Vec<DigestRange> {
    if raw.len() > MAX_MESSAGE_SIZE {
        return Vec::new();
    }
    // A message with bare LF line ends is walked in its canonical copy, so its content is
    // not a range of `raw`: the range found here is then simply never used
    // ([`DigestAnswers::for_content`]); a whole-message pass to tell beforehand is spared.
    let (header, body) = split(raw);
    let ct = entity::entity_media_type(&fields(header));
    if ct.mime != "multipart/signed" {
        return Vec::new();
    }
    let Ok((content, der)) = signed_parts(&ct, body) else {
        return Vec::new();
    };
    let Some(range) = range_in(raw, content) else {
        return Vec::new();
    };
    let Ok(ci) = parse_content_info(&der) else {
        return Vec::new();
    };
    if ci.content_type != ID_SIGNED_DATA {
        return Vec::new();
    }
    let Ok(sd) = parse_signed_data(ci.content) else {
        return Vec::new();
    };
    let mut out: Vec<DigestRange> = Vec::new();
    for si in sd.signer_infos.iter().take(MAX_SIGNATURES) {
        if let Some(alg) = DigestAlg::from_oid(&si.digest_alg.oid) {
            if !out.iter().any(|r| r.alg == alg) {
                out.push(DigestRange {
                    alg,
                    range: range.clone(),
                });
            }
        }
    }
    out
}

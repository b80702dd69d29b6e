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

use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::ops::Range;
use std::sync::Arc;

use super::walk::{signed_parts, MAX_MESSAGE_SIZE};
use crate::asn1::ber::range_within;
use crate::asn1::oid::ID_SIGNED_DATA;
use crate::mime::entity::{self, split};
use crate::smime::signed_parse::{parse_content_info, signer_digest_algorithms};
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
///
/// A digest the provider is still computing ([`Self::expect`]) lets a recording step
/// ([`super::verify_message_step_with_digests`]) walk on without it, as signature values
/// are walked past before the provider answers them ([`super::SignatureRound`]): the walk
/// takes the value a SignerInfo's messageDigest attribute gives (RFC 5652 §5.4, §11.2) and
/// records that claim; the walk stands only once the provider's answer confirms every claim
/// ([`Self::confirms`]), and is walked again with the answers otherwise. Outside a recording
/// step a digest not yet answered is computed by the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestAnswers<'a> {
    raw: &'a [u8],
    answers: Vec<(DigestRange, Vec<u8>)>,
    /// Ranges the provider is computing ([`Self::expect`]), until it answers ([`Self::add`])
    /// or is done ([`Self::settle`]).
    expected: Vec<DigestRange>,
    /// During a recording step ([`Self::recording`]): the digests the walk took from
    /// messageDigest attributes for expected ranges.
    claims: RefCell<Option<Vec<DigestClaim>>>,
    /// What an earlier walk of the same message learnt of it: that it is in canonical form,
    /// and the outermost layer's body decoded ([`Self::decoded_body`]).
    seen: Seen,
}

/// A body decoded once: where it lies in the message, its transfer encoding, the octets
/// (shared with the content requests whose ciphertext lies in them).
type DecodedBody = (Range<usize>, Option<String>, Arc<Vec<u8>>);

/// [`DigestAnswers::seen`].
#[derive(Clone, Default, PartialEq, Eq)]
struct Seen {
    canonical: Cell<bool>,
    /// (where the body lies in the message, its transfer encoding, the decoded octets).
    decoded: OnceCell<DecodedBody>,
}

impl std::fmt::Debug for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seen")
            .field("canonical", &self.canonical.get())
            .field("decoded", &self.decoded.get().map(|(r, _, d)| (r, d.len())))
            .finish()
    }
}

/// A digest the walk took from a SignerInfo's messageDigest attribute for a range whose
/// digest the provider was still computing: it holds only if the provider's answer is the
/// same ([`DigestAnswers::confirms`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestClaim {
    /// The octets and algorithm.
    pub range: DigestRange,
    /// The digest the walk took.
    pub digest: Vec<u8>,
}

/// Ends a recording step when dropped ([`DigestAnswers::recording`]).
pub struct DigestRecording<'r, 'a>(&'r DigestAnswers<'a>);

impl DigestRecording<'_, '_> {
    /// The claims the walk made since the step began.
    pub fn claims(&self) -> Vec<DigestClaim> {
        self.0.claims.borrow_mut().take().unwrap_or_default()
    }
}

impl Drop for DigestRecording<'_, '_> {
    fn drop(&mut self) {
        *self.0.claims.borrow_mut() = None;
    }
}

impl<'a> DigestAnswers<'a> {
    /// No answers yet for the message `raw`.
    pub fn new(raw: &'a [u8]) -> Self {
        DigestAnswers {
            raw,
            answers: Vec::new(),
            expected: Vec::new(),
            claims: RefCell::new(None),
            seen: Seen::default(),
        }
    }

    /// Whether an earlier walk found `raw` — the very message of these answers — in
    /// canonical form ([`Self::found_canonical`]).
    pub(crate) fn known_canonical(&self, raw: &[u8]) -> bool {
        std::ptr::eq(self.raw, raw) && self.seen.canonical.get()
    }

    /// A walk found `raw` in canonical form (nothing to copy).
    pub(crate) fn found_canonical(&self, raw: &[u8]) {
        if std::ptr::eq(self.raw, raw) {
            self.seen.canonical.set(true);
        }
    }

    /// The outermost layer's body `body`, a range of the very message `raw`, decoded from its
    /// transfer encoding `cte` by `decode` — once: a later walk of the same message (a
    /// provider's answers between walks, `super::verify_message_step`) gets the same octets
    /// without decoding them again. Any other body is decoded each time.
    pub(crate) fn decoded_body<E>(
        &self,
        raw: &[u8],
        body: &[u8],
        cte: Option<&str>,
        decode: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<Cow<'_, [u8]>, E> {
        let Some(at) = self.range_of(raw, body) else {
            return decode().map(Cow::Owned);
        };
        let same = |(r, c, _): &DecodedBody| *r == at && c.as_deref() == cte;
        if let Some(kept) = self.seen.decoded.get() {
            return match same(kept) {
                true => Ok(Cow::Borrowed(&kept.2)),
                false => decode().map(Cow::Owned),
            };
        }
        let d = Arc::new(decode()?);
        let kept = self
            .seen
            .decoded
            .get_or_init(|| (at, cte.map(str::to_owned), d));
        Ok(Cow::Borrowed(&kept.2))
    }

    /// The buffer [`Self::decoded_body`] keeps, when `der` lies in it: shared, never changed.
    pub(crate) fn decoded_owner(&self, der: &[u8]) -> Option<&Arc<Vec<u8>>> {
        self.seen
            .decoded
            .get()
            .map(|(_, _, d)| d)
            .filter(|d| range_within(d, der).is_some())
    }

    /// Answers already given for the message `raw` (the digests of a decrypted layer's
    /// plaintext, `DecryptAnswers::content_answer`, for that very plaintext).
    pub(crate) fn answered(raw: &'a [u8], answers: Vec<(DigestRange, Vec<u8>)>) -> Self {
        DigestAnswers {
            answers,
            ..DigestAnswers::new(raw)
        }
    }

    /// Record the digest of `range` (an answer of the wrong length is never used); the
    /// range is no longer expected.
    pub fn add(&mut self, range: DigestRange, digest: Vec<u8>) {
        self.expected.retain(|r| *r != range);
        self.answers.push((range, digest));
    }

    /// The provider is computing the digest of `range` and will answer ([`Self::add`]).
    pub fn expect(&mut self, range: DigestRange) {
        if !self.expected.contains(&range) {
            self.expected.push(range);
        }
    }

    /// The provider answered all it will: a range still expected is hashed by the core.
    pub fn settle(&mut self) {
        self.expected.clear();
    }

    /// Begin a recording step: until the guard is dropped, a walk takes the messageDigest
    /// value for an expected range and records the claim ([`DigestRecording::claims`]).
    pub fn recording(&self) -> DigestRecording<'_, 'a> {
        *self.claims.borrow_mut() = Some(Vec::new());
        DigestRecording(self)
    }

    /// Whether the provider's answers confirm every claim: each is the very answer the walk
    /// would use for its range ([`Self::for_content`]: the last of the right length).
    pub fn confirms(&self, claims: &[DigestClaim]) -> bool {
        claims.iter().all(|c| {
            self.answers
                .iter()
                .rev()
                .find(|(r, d)| *r == c.range && d.len() == r.alg.output_len())
                .is_some_and(|(_, d)| *d == c.digest)
        })
    }

    /// The answers that are digests of `content`: `raw` must be the very message the
    /// answers were made for (the same memory), and `content` exactly the range of it that
    /// was digested. During a recording step, the cache also names the algorithms whose
    /// digest of that range is still expected ([`DigestCache::expecting`]).
    pub(crate) fn for_content(&self, raw: &[u8], content: &[u8]) -> DigestCache {
        let Some(at) = self.range_of(raw, content) else {
            return DigestCache::default();
        };
        let cache = DigestCache::answered(
            self.answers
                .iter()
                .filter(|(r, _)| r.range == at)
                .map(|(r, d)| (r.alg, d.clone())),
        );
        if self.claims.borrow().is_none() {
            return cache;
        }
        let algs: Vec<DigestAlg> = self
            .expected
            .iter()
            .filter(|r| r.range == at)
            .map(|r| r.alg)
            .collect();
        cache.expecting(at, algs)
    }

    /// Keep the claims a walk made ([`DigestCache::take_claims`]) during a recording step
    /// (only then does [`Self::for_content`] name expected algorithms, so only then are
    /// claims made).
    pub(crate) fn record(&self, (range, claims): (Range<usize>, Vec<(DigestAlg, Vec<u8>)>)) {
        if let Some(kept) = self.claims.borrow_mut().as_mut() {
            kept.extend(claims.into_iter().map(|(alg, digest)| DigestClaim {
                range: DigestRange {
                    alg,
                    range: range.clone(),
                },
                digest,
            }));
        }
    }

    /// Where `content` lies in the message, when `raw` is the very message.
    fn range_of(&self, raw: &[u8], content: &[u8]) -> Option<Range<usize>> {
        if !std::ptr::eq(self.raw, raw) {
            return None;
        }
        range_within(raw, content)
    }
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
    // Within the header reader's limits, as the walk reads it (which refuses the message
    // beyond them).
    let Ok(fs) = entity::read_fields(header) else {
        return Vec::new();
    };
    let ct = entity::entity_media_type(&fs);
    if ct.mime != "multipart/signed" {
        return Vec::new();
    }
    let Ok((content, der)) = signed_parts(&ct, body) else {
        return Vec::new();
    };
    let Some(range) = range_within(raw, content) else {
        return Vec::new();
    };
    let Ok(ci) = parse_content_info(&der) else {
        return Vec::new();
    };
    if ci.content_type != ID_SIGNED_DATA {
        return Vec::new();
    }
    let Ok(algs) = signer_digest_algorithms(ci.content, MAX_SIGNATURES) else {
        return Vec::new();
    };
    let mut out: Vec<DigestRange> = Vec::new();
    for a in &algs {
        if let Some(alg) = DigestAlg::from_oid(&a.oid) {
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

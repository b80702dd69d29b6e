//! The layer walk: unwrap every S/MIME layer of a message (RFC 8551 §3) — multipart/signed
//! (RFC 1847 §2.1) and application/pkcs7-mime with a SignedData, EnvelopedData,
//! AuthEnvelopedData or CompressedData, and `application/zlib` / `application/gzip` bodies
//! (RFC 6713), nested in any order (triple wrapping, RFC 2634 §1.1) up to
//! [`VerifyContext::max_depth`]. A SignedData whose eContentType is id-ct-compressedData
//! (RFC 3274 §1.1; MMHS profile §4.2.1.2.1: compress, then sign) is a signed layer followed by
//! a compressed one. For every SignedData each SignerInfo is checked at the CMS level
//! (`smime::signed_verify`) with the certificate its SignerIdentifier names, and the report
//! built with trust judged on that certificate ([`super::signers`]); encrypted layers are
//! opened with [`VerifyContext::decryption_keys`] and compressed ones inflated within
//! [`VerifyContext::decompress_limits`] ([`super::open`]). The cross-layer checks are
//! [`super::verdict`]'s.
//!
//! The message is canonicalised to CRLF once when it arrived with bare LF line ends (as mail
//! stores often keep it); signatures are computed over the canonical form (RFC 8551 §3.1.1).

use std::borrow::Cow;

use crate::asn1::oid::ID_CT_RECEIPT;
use crate::asn1::oid::{
    ID_AUTH_ENVELOPED_DATA, ID_COMPRESSED_DATA, ID_ENVELOPED_DATA, ID_SIGNED_DATA,
};
use crate::cancel::{is_cancelled, Cancel};
use crate::mime::entity::{self, canonical_crlf, split, with_outer_fields, MediaType};
use crate::report::{Layer, Problem, VerifyReport};
use crate::smime::signed_parse::{parse_content_info, parse_signed_data};
use crate::smime::signed_verify::{
    check_signed_data, is_empty_signature_layer, DigestCache, SignatureBudget, SignerCheck,
};
use crate::smime::signer_certificate::CertIndex;

use super::digests::{DigestAnswers, DigestRange};
use super::open::{decompress_layer, decompress_media, decrypt_layer};
use super::receipt::ReceivedReceipt;
use super::signers::{name_signers, signature_report};
use super::trust::Trust;
use super::verdict::{conclude, Input, OuterHeader};
use super::{Error, Verified, VerifyContext};
use crate::asn1::ber::range_within;

/// Default nesting limit of S/MIME layers.
pub const DEFAULT_MAX_DEPTH: usize = 8;
/// Largest message accepted (octets).
pub const MAX_MESSAGE_SIZE: usize = 128 * 1024 * 1024;

/// Walk state of one layer.
struct Walk<'c> {
    ctx: &'c VerifyContext,
    report: VerifyReport,
    checks: Vec<SignerCheck>,
    /// Signature checks left for this message.
    budget: SignatureBudget,
    /// Whether an encrypted layer was opened (for header protection's obscuring rules).
    encrypted: bool,
    /// A SignedData of id-ct-receipt (RFC 2634 §2.4): a signed receipt, checked by
    /// [`super::receipt::check`].
    receipt: Option<ReceivedReceipt>,
    /// The caller's cancellation flag ([`VerifyContext::cancel`]).
    cancel: Option<Cancel>,
}

impl<'c> Walk<'c> {
    /// A walk stopped early once `cancel` is set (its report is then not to be used).
    fn new(ctx: &'c VerifyContext, cancel: Option<Cancel>) -> Self {
        Walk {
            ctx,
            report: VerifyReport::default(),
            checks: Vec::new(),
            budget: SignatureBudget::with_cancel(cancel.clone())
                .with_signature_checks(ctx.signature_checks.clone()),
            cancel,
            encrypted: false,
            receipt: None,
        }
    }

    fn problem(&mut self, code: &str, msg: impl Into<String>) {
        self.report.problems.push(Problem::new(code, msg));
    }

    /// Verify a SignedData over `content` (`cache`: digests of it the provider already
    /// computed); returns the content it carries — the detached content where it lies —, or
    /// `None` when it could not be parsed.
    fn signed_layer<'d>(
        &mut self,
        der: &[u8],
        detached: Option<&'d [u8]>,
        cache: &mut DigestCache,
    ) -> Option<Cow<'d, [u8]>> {
        let layer = self.report.layers.len();
        self.report.layers.push(Layer::Signed);
        let ci = match parse_content_info(der) {
            Ok(ci) => ci,
            Err(e) => {
                self.problem("cms-malformed", format!("ContentInfo: {}", e.0));
                return None;
            }
        };
        if ci.content_type != ID_SIGNED_DATA {
            self.problem(
                "cms-malformed",
                format!(
                    "expected SignedData, found content type {}",
                    ci.content_type
                ),
            );
            return None;
        }
        let sd = match parse_signed_data(ci.content) {
            Ok(sd) => sd,
            Err(e) => {
                self.problem("cms-malformed", format!("SignedData: {}", e.0));
                return None;
            }
        };
        let content: Cow<'_, [u8]> = match (detached, &sd.econtent) {
            (Some(d), None) => Cow::Borrowed(d),
            (Some(d), Some(e)) => {
                if d != e.as_ref() {
                    self.problem(
                        "content-ambiguous",
                        "multipart/signed carries a SignedData with different encapsulated content",
                    );
                }
                Cow::Borrowed(d)
            }
            (None, Some(e)) => Cow::Borrowed(e.as_ref()),
            (None, None) => {
                self.problem(
                    "content-missing",
                    "signed-data without encapsulated content and no detached content",
                );
                if sd.signer_infos.is_empty() {
                    self.problem(
                        "no-signers",
                        "SignedData without any SignerInfo (certs-only)",
                    );
                }
                return None;
            }
        };
        let index = CertIndex::new(sd.certificates.iter().chain(self.ctx.certificates.iter()));
        let (mut checks, problems) = check_signed_data(
            &sd,
            &content,
            &index,
            &self.budget,
            &self.ctx.algorithms,
            cache,
        );
        name_signers(&mut checks);
        self.report.problems.extend(problems);
        if is_empty_signature_layer(&sd) {
            self.report.notes.push(Problem::new(
                "empty-signature-layer",
                format!("layer {layer} is an empty signature layer (a SignedData without signers around the unsigned message, draft-melnikov-smime-msa-to-mda-04 §2.5 method 1)"),
            ));
        }
        let (tctx, crl_problems) = super::trust::context(self.ctx);
        let trust = Trust::new(
            &tctx,
            crl_problems,
            index.certificates(),
            self.ctx.at,
            self.ctx.algorithms,
            self.cancel.clone(),
            self.ctx.signature_checks.clone(),
        );
        if let Some(h) = checks.iter().find_map(|c| c.ml_history.as_ref()) {
            self.report.notes.push(Problem::new(
                "ml-expanded",
                format!(
                    "layer {layer} carries a mail list expansion history: the message was expanded by {} mailing list(s) (RFC 2634 §4); signatures[].mlExpansionHistory",
                    h.0.len()
                ),
            ));
        }
        for check in checks {
            self.report
                .signatures
                .push(signature_report(&check, layer, &trust));
            self.checks.push(check);
        }
        if sd.econtent_type == ID_COMPRESSED_DATA {
            return self.compressed_econtent(&content).map(Cow::Owned);
        }
        if sd.econtent_type == ID_CT_RECEIPT {
            // A signed receipt: its content is a Receipt, not a MIME entity; the walk ends.
            self.receipt = Some(ReceivedReceipt {
                content: content.into_owned(),
                layer,
            });
            return None;
        }
        Some(match detached {
            Some(d) => Cow::Borrowed(d),
            None => Cow::Owned(content.into_owned()),
        })
    }

    /// The eContent of a SignedData whose eContentType is id-ct-compressedData: a
    /// CompressedData (RFC 3274 §1.1), inflated as a further `compressed` layer.
    fn compressed_econtent(&mut self, content: &[u8]) -> Option<Vec<u8>> {
        self.report.layers.push(Layer::Compressed);
        let index = self.report.layers.len() - 1;
        let ci = match crate::smime::enveloped::content_info_der(ID_COMPRESSED_DATA, content) {
            Ok(ci) => ci,
            Err(e) => {
                self.problem("cms-malformed", format!("CompressedData: {e}"));
                return None;
            }
        };
        decompress_layer(&mut self.report, index, &ci, self.ctx)
    }
}

/// Verify a message and return the report and the innermost content.
pub fn verify_message(raw: &[u8], ctx: &VerifyContext) -> Result<Verified, Error> {
    verify_message_with_digests(raw, ctx, None)
}

/// [`verify_message`] with digests of `raw`'s signed content computed by the caller's
/// provider ([`DigestAnswers`], bound to these very octets): the same report.
pub fn verify_message_with_digests(
    raw: &[u8],
    ctx: &VerifyContext,
    digests: Option<&DigestAnswers<'_>>,
) -> Result<Verified, Error> {
    walk_message(raw, ctx, digests, |report, checks, canon, entity| {
        let certs = checks.into_iter().map(|c| c.cert).collect();
        if ctx.without_content {
            return verified(report, certs, canon, Cow::Borrowed(&[]));
        }
        verified(report, certs, canon, entity)
    })
}

/// [`verify_message`], also returning the CMS-level check of every signature, in the order
/// of `report.signatures` (signed receipts need the signature values and signed attributes).
pub(crate) fn verify_with_checks(
    raw: &[u8],
    ctx: &VerifyContext,
) -> Result<(Verified, Vec<SignerCheck>), Error> {
    walk_message(raw, ctx, None, |report, checks, canon, entity| {
        let certs = checks.iter().map(|c| c.cert.clone()).collect();
        (verified(report, certs, canon, entity), checks)
    })
}

/// The [`Verified`] of a finished walk: the content to render is the outer header fields and
/// the innermost entity when there were S/MIME layers, else the message as received.
fn verified(
    report: VerifyReport,
    signer_certificates: Vec<Option<x509_cert::Certificate>>,
    canon: &[u8],
    entity: Cow<'_, [u8]>,
) -> Verified {
    let content = if report.layers.is_empty() || !is_mime_entity(&entity) {
        entity.into_owned()
    } else {
        with_outer_fields(canon, &entity)
    };
    Verified {
        signer_certificates,
        report,
        content,
    }
}

/// Verify a message and return the report only: the innermost content is judged where it
/// lies and never copied out (a message without S/MIME layers is only borrowed), so a
/// caller that needs no content — the release gate — holds no second copy of the message.
pub(crate) fn verify_report(raw: &[u8], ctx: &VerifyContext) -> Result<VerifyReport, Error> {
    walk_message(raw, ctx, None, |report, _, _, _| report)
}

/// The layer walk and the cross-layer verdict; `finish` gets the report, the signature
/// checks (index-aligned with the report's signatures), the canonical message and the
/// innermost entity.
fn walk_message<T>(
    raw: &[u8],
    ctx: &VerifyContext,
    digests: Option<&DigestAnswers<'_>>,
    finish: impl FnOnce(VerifyReport, Vec<SignerCheck>, &[u8], Cow<'_, [u8]>) -> T,
) -> Result<T, Error> {
    if is_cancelled(ctx.cancel.as_ref()) {
        return Err(Error::Cancelled);
    }
    if raw.is_empty() {
        return Err(Error::Malformed("empty message".into()));
    }
    if raw.len() > MAX_MESSAGE_SIZE {
        return Err(Error::Malformed(format!(
            "message larger than {MAX_MESSAGE_SIZE} octets"
        )));
    }
    let max_depth = if ctx.max_depth == 0 {
        DEFAULT_MAX_DEPTH
    } else {
        ctx.max_depth
    };
    let canon = match digests {
        Some(a) if a.known_canonical(raw) => Cow::Borrowed(raw),
        _ => canonical_crlf(raw),
    };
    if let (Some(a), Cow::Borrowed(_)) = (digests, &canon) {
        a.found_canonical(raw);
    }
    // The outer header section, read once: the first layer's fields, the gateway and
    // authentication-results fields, and the cross-layer checks all read it.
    let outer = OuterHeader::read(&canon)?;
    let mut w = Walk::new(ctx, ctx.cancel.clone());
    let mut current: Cow<'_, [u8]> = Cow::Borrowed(&canon);
    // The provider's digests of ranges of `current`, when it is the very plaintext the
    // provider decrypted (`DecryptAnswers::content_answer`).
    let mut current_digests: Vec<(DigestRange, Vec<u8>)> = Vec::new();
    let mut depth = 0usize;
    loop {
        // Each layer is bounded work; the flag set while one ran is seen before the next
        // (and before decrypting: decryption opens a layer).
        if is_cancelled(ctx.cancel.as_ref()) {
            return Err(Error::Cancelled);
        }
        if depth >= max_depth {
            w.problem(
                "depth-limit",
                format!("more than {max_depth} nested S/MIME layers"),
            );
            break;
        }
        depth += 1;
        let mut plaintext_digests = Vec::new();
        let mut within = None;
        let (header, body) = split(&current);
        let fs: Cow<'_, [entity::Field<'_>]> = if depth == 1 {
            Cow::Borrowed(&outer.fields)
        } else {
            // A layer's entity is read within the same limits as the message's header.
            Cow::Owned(entity::read_fields(header)?)
        };
        let ct = entity::entity_media_type(&fs);
        let cte = entity::field(&fs, "content-transfer-encoding").map(|f| f.value.clone());
        let next: Option<Cow<'_, [u8]>> = match ct.mime.as_str() {
            "multipart/signed" => match signed_parts(&ct, body) {
                Ok((content, der)) => {
                    let nested;
                    let digests = if depth == 1 {
                        digests
                    } else {
                        nested =
                            DigestAnswers::answered(&current, std::mem::take(&mut current_digests));
                        Some(&nested)
                    };
                    let buffer: &[u8] = if depth == 1 { raw } else { &current };
                    let mut cache = digests
                        .map(|a| a.for_content(buffer, content))
                        .unwrap_or_default();
                    let next = w.signed_layer(&der, Some(content), &mut cache);
                    if let Some(a) = digests {
                        a.record(cache.take_claims());
                    }
                    match next {
                        // The signed content where it lies in this layer (narrowed below).
                        Some(Cow::Borrowed(c)) => match range_within(&current, c) {
                            Some(r) => {
                                within = Some(r);
                                None
                            }
                            None => Some(Cow::Owned(c.to_vec())),
                        },
                        other => other.map(|c| Cow::Owned(c.into_owned())),
                    }
                }
                Err(SignedPartsError::Protocol(proto)) => {
                    w.problem(
                        "unsupported-protocol",
                        format!("multipart/signed with protocol \"{proto}\""),
                    );
                    None
                }
                Err(SignedPartsError::Parts) => {
                    w.problem("mime-malformed", "multipart/signed without two body parts");
                    None
                }
                Err(SignedPartsError::SignaturePart(e)) => {
                    w.report.layers.push(Layer::Signed);
                    w.problem("mime-malformed", format!("signature part: {e}"));
                    None
                }
            },
            "application/pkcs7-mime" | "application/x-pkcs7-mime" => {
                let decode = || entity::decode_transfer(body, cte.as_deref());
                let decoded = match digests {
                    Some(a) if depth == 1 => a.decoded_body(raw, body, cte.as_deref(), decode),
                    _ => decode().map(Cow::Owned),
                };
                match decoded {
                    Err(e) => {
                        w.problem("mime-malformed", e);
                        None
                    }
                    Ok(der) => {
                        let kind = parse_content_info(&der).map(|ci| ci.content_type);
                        match kind {
                            Ok(k) if k == ID_SIGNED_DATA => w
                                .signed_layer(&der, None, &mut DigestCache::default())
                                .map(|c| Cow::Owned(c.into_owned())),
                            Ok(k) if k == ID_ENVELOPED_DATA || k == ID_AUTH_ENVELOPED_DATA => {
                                w.report.layers.push(if k == ID_ENVELOPED_DATA {
                                    Layer::Enveloped
                                } else {
                                    Layer::AuthEnveloped
                                });
                                let index = w.report.layers.len() - 1;
                                let owner = digests.and_then(|a| a.decoded_owner(&der));
                                let out = decrypt_layer(&mut w.report, index, &der, owner, ctx);
                                w.encrypted |= out.is_some();
                                out.map(|(content, digests)| {
                                    plaintext_digests = digests.to_vec();
                                    content
                                })
                            }
                            Ok(k) if k == ID_COMPRESSED_DATA => {
                                w.report.layers.push(Layer::Compressed);
                                let index = w.report.layers.len() - 1;
                                decompress_layer(&mut w.report, index, &der, ctx).map(Cow::Owned)
                            }
                            Ok(k) => {
                                w.problem(
                                    "cms-malformed",
                                    format!("unexpected CMS content type {k}"),
                                );
                                None
                            }
                            Err(e) => {
                                w.problem("cms-malformed", format!("ContentInfo: {}", e.0));
                                None
                            }
                        }
                    }
                }
            }
            "application/zlib" | "application/gzip" | "application/x-gzip" => {
                match entity::decode_transfer(body, cte.as_deref()) {
                    Err(e) => {
                        w.problem("mime-malformed", e);
                        None
                    }
                    Ok(data) => {
                        w.report.layers.push(Layer::Compressed);
                        let index = w.report.layers.len() - 1;
                        match decompress_media(&mut w.report, index, &ct.mime, &data, ctx) {
                            // A MIME entity inside goes on being unwrapped; other data is
                            // the content as it is (RFC 6713 does not say what it holds).
                            Some(d) if is_mime_entity(&d) => Some(Cow::Owned(d)),
                            Some(d) => {
                                current = Cow::Owned(d);
                                break;
                            }
                            None => None,
                        }
                    }
                }
            }
            _ => None,
        };
        if let Some(r) = within {
            // The next layer is a range of this one: narrowed in place, not copied.
            current_digests = Vec::new();
            current = match current {
                Cow::Borrowed(b) => Cow::Borrowed(b.get(r).unwrap_or_default()),
                Cow::Owned(mut v) => {
                    v.truncate(r.end);
                    v.drain(..r.start);
                    Cow::Owned(v)
                }
            };
            if let Cow::Owned(c) = canonical_crlf(&current) {
                current = Cow::Owned(c);
            }
            continue;
        }
        match next {
            Some(n) => {
                current_digests = Vec::new();
                current = match canonical_crlf(&n) {
                    Cow::Owned(c) => Cow::Owned(c),
                    Cow::Borrowed(_) => {
                        // The digests are of these very octets only while they stay as
                        // decrypted (a canonical copy is other octets).
                        current_digests = std::mem::take(&mut plaintext_digests)
                            .into_iter()
                            .map(|d| {
                                let range = DigestRange {
                                    alg: d.alg,
                                    range: d.range,
                                };
                                (range, d.digest)
                            })
                            .collect();
                        n
                    }
                }
            }
            None => break,
        }
    }
    // A check point that stopped early (signature budget, path building) left a report
    // that says nothing true: the flag is never reset, so it is seen here.
    if is_cancelled(ctx.cancel.as_ref()) {
        return Err(Error::Cancelled);
    }
    super::domain_encryption::record_gateway(&mut w.report, &outer.fields);
    super::auth_results::record(&mut w.report, &outer.fields, &ctx.trusted_authserv_ids);
    conclude(
        &mut w.report,
        &w.checks,
        &Input {
            message: &canon,
            outer: &outer,
            inner: &current,
            encrypted: w.encrypted,
            mail: true,
            at: ctx.at,
            receipt: w.receipt.as_ref(),
            ctx,
        },
    );
    Ok(finish(w.report, w.checks, &canon, current))
}

/// Verify a bare CMS ContentInfo(SignedData), DER or BER — no MIME, no address check (there is
/// no From to compare with). `detached` is the content for a detached signature. Returns the
/// report (one `signed` layer) and the encapsulated (or detached) content. It has no error
/// to answer with, so [`VerifyContext::cancel`] is not consulted (one layer, bounded work).
pub fn verify_cms(der: &[u8], detached: Option<&[u8]>, ctx: &VerifyContext) -> Verified {
    let mut w = Walk::new(ctx, None);
    let content = w
        .signed_layer(der, detached, &mut DigestCache::default())
        .map(Cow::into_owned)
        .unwrap_or_default();
    conclude(
        &mut w.report,
        &w.checks,
        &Input {
            message: &[],
            outer: &OuterHeader::default(),
            inner: &content,
            encrypted: false,
            mail: false,
            at: ctx.at,
            receipt: w.receipt.as_ref(),
            ctx,
        },
    );
    Verified {
        signer_certificates: w.checks.iter().map(|c| c.cert.clone()).collect(),
        report: w.report,
        content,
    }
}

/// Why a multipart/signed could not be taken apart ([`signed_parts`]).
pub(crate) enum SignedPartsError {
    /// A protocol other than application/pkcs7-signature (lowercased).
    Protocol(String),
    /// Fewer than two body parts, or no boundary.
    Parts,
    /// The signature part's transfer encoding did not decode.
    SignaturePart(String),
}

/// The signed content (the first body part, exactly as received) and the decoded signature
/// (the second body part) of a multipart/signed with `ct` and `body` (RFC 1847 §2.1,
/// RFC 8551 §3.5.3).
pub(crate) fn signed_parts<'a>(
    ct: &MediaType,
    body: &'a [u8],
) -> Result<(&'a [u8], Vec<u8>), SignedPartsError> {
    let proto = ct.param("protocol").unwrap_or("").to_ascii_lowercase();
    if proto != "application/pkcs7-signature" && proto != "application/x-pkcs7-signature" {
        return Err(SignedPartsError::Protocol(proto));
    }
    let parts = ct
        .param("boundary")
        .and_then(|b| entity::multipart_iter(body, b))
        .map(|parts| parts.take(2).collect::<Vec<_>>())
        .filter(|p| p.len() >= 2)
        .ok_or(SignedPartsError::Parts)?;
    let (Some(content), Some(signature)) = (parts.first(), parts.get(1)) else {
        return Err(SignedPartsError::Parts);
    };
    let (sh, sb) = split(signature);
    let sfs =
        entity::read_fields(sh).map_err(|e| SignedPartsError::SignaturePart(e.to_string()))?;
    let scte = entity::field(&sfs, "content-transfer-encoding").map(|f| f.value.clone());
    let der =
        entity::decode_transfer(sb, scte.as_deref()).map_err(SignedPartsError::SignaturePart)?;
    Ok((content, der))
}

/// Whether `data` starts with a header section holding a Content-Type field (a MIME entity).
fn is_mime_entity(data: &[u8]) -> bool {
    let (h, _) = split(data);
    !h.is_empty()
        && entity::read_fields(h).is_ok_and(|f| entity::field(&f, "content-type").is_some())
}

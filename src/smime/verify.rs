//! `verify`: unwrap every S/MIME layer of a message and build the one [`VerifyReport`].
//!
//! Layers (RFC 8551 §3): multipart/signed (RFC 1847 §2.1) and application/pkcs7-mime with a
//! SignedData, EnvelopedData, AuthEnvelopedData or CompressedData, and `application/zlib` /
//! `application/gzip` bodies (RFC 6713), nested in any order (triple wrapping, RFC 2634 §1.1)
//! up to [`VerifyContext::max_depth`]. For every SignedData each SignerInfo is checked
//! (`signed_verify`) and its certificate path validated (trust); encrypted layers are opened
//! with [`VerifyContext::decryption_keys`] and compressed ones inflated within
//! [`VerifyContext::decompress_limits`] (`verify_unwrap`). The cross-layer checks — header
//! protection, From/Sender vs signers, MMHS view, ESS label vs SIO-Label, authorizing users,
//! the verdict — are `verify_finish`'s.
//!
//! The message is canonicalised to CRLF once when it arrived with bare LF line ends (as mail
//! stores often keep it); signatures are computed over the canonical form (RFC 8551 §3.1.1).

use std::borrow::Cow;

use x509_cert::Certificate;

use super::compressed::DecompressLimits;
use super::signed_parse::{
    parse_content_info, parse_signed_data, ID_AUTH_ENVELOPED_DATA, ID_COMPRESSED_DATA,
    ID_ENVELOPED_DATA, ID_SIGNED_DATA,
};
use super::signed_verify::{check_signed_data, SignerCheck};
use super::smime_mime::{self, canonical_crlf, fields, media_type, split_message};
use super::verify_finish::{finish, Input};
use super::verify_unwrap::{decompress_layer, decompress_media, decrypt_layer};
use super::Error;
use crate::keys::PrivateKey;
use crate::report::{Problem, SignatureReport, VerifyReport};

/// Default nesting limit of S/MIME layers.
pub const DEFAULT_MAX_DEPTH: usize = 8;
/// Largest message accepted (octets).
pub const MAX_MESSAGE_SIZE: usize = 128 * 1024 * 1024;

/// What `verify` needs from the caller: trust anchors, the time, optional extra certificates
/// and CRLs, optional decryption keys. Nothing is read from the environment.
#[derive(Clone, Debug, Default)]
pub struct VerifyContext {
    /// Trust anchors (root certificates).
    pub trust_anchors: Vec<Certificate>,
    /// Extra certificates: intermediates, or signer certificates for messages sent without
    /// them (impoverished links).
    pub certificates: Vec<Certificate>,
    /// CRLs (DER) to use in path validation.
    pub crls: Vec<Vec<u8>>,
    /// The validation time; `None` means "now" is not known — path validation then uses the
    /// signingTime of each signature, and reports `validation-time-unknown` without one.
    pub at: Option<time::OffsetDateTime>,
    /// Keys (with their certificates) to decrypt enveloped layers.
    pub decryption_keys: Vec<(PrivateKey, Certificate)>,
    /// Maximum number of nested S/MIME layers (0 = [`DEFAULT_MAX_DEPTH`]).
    pub max_depth: usize,
    /// Limits on decompressed output (CompressedData, application/zlib, application/gzip).
    pub decompress_limits: DecompressLimits,
}

/// The report plus the content to render once the layers are removed.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The verification report.
    pub report: VerifyReport,
    /// For a message ([`verify_message`]) with S/MIME layers: the outer header fields (less
    /// the outer `Content-*` ones) followed by the innermost MIME entity — a whole message,
    /// as [`super::decrypt_message`] returns it; for a header-protected message that entity
    /// is the `message/rfc822` wrapper, whose inner message is what to render. Without any
    /// S/MIME layer, the message as received (CRLF). For [`verify_cms`], the encapsulated
    /// (or detached) content octets.
    pub content: Vec<u8>,
}

/// Verify a message; see the module documentation. `Err` only when the input cannot be
/// treated as a message at all (empty, too large); every finding about a message is a
/// problem in the report.
pub fn verify(raw: &[u8], ctx: &VerifyContext) -> Result<VerifyReport, Error> {
    verify_message(raw, ctx).map(|v| v.report)
}

/// Trust decision for one signer certificate: RFC 5280 path validation by the SignedData's
/// [`crate::trust::Validator`] (its certificates and the caller's extra ones, the caller's
/// anchors and CRLs) for the signing purpose, at the caller's time (or the signature's
/// signingTime when the caller gave none). `Err` carries every problem found.
fn check_trust(
    cert: &Certificate,
    trust: &crate::trust::Validator<'_>,
    ctx: &VerifyContext,
    signing_time: Option<time::OffsetDateTime>,
) -> Result<(), Vec<Problem>> {
    let Some(at) = ctx.at.or(signing_time) else {
        return Err(vec![Problem::new(
            "validation-time-unknown",
            "no validation time was supplied and the signature has no signingTime",
        )]);
    };
    let res = trust.validate_at(cert, crate::trust::Purpose::Signing, at);
    let mut problems = res.problems;
    if res.trusted && problems.is_empty() {
        Ok(())
    } else {
        if problems.is_empty() {
            problems.push(Problem::new(
                crate::trust::codes::CERT_UNTRUSTED,
                "the signer's certificate does not chain to a trust anchor",
            ));
        }
        Err(problems)
    }
}

/// The trust context of `ctx` (its `at` is a placeholder when absent: [`check_trust`] always
/// passes the time) and the problems of its CRLs.
fn trust_context(ctx: &VerifyContext) -> (crate::trust::TrustContext, Vec<Problem>) {
    let (crls, problems) = crate::trust::decode_crls(&ctx.crls);
    let tctx = crate::trust::TrustContext {
        anchors: ctx.trust_anchors.clone(),
        intermediates: Vec::new(),
        crls,
        at: ctx.at.unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
    };
    (tctx, problems)
}

/// Walk state of one layer.
struct Walk<'c> {
    ctx: &'c VerifyContext,
    report: VerifyReport,
    checks: Vec<SignerCheck>,
    /// Whether an encrypted layer was opened (for header protection's obscuring rules).
    encrypted: bool,
}

impl Walk<'_> {
    fn problem(&mut self, code: &str, msg: impl Into<String>) {
        self.report.problems.push(Problem::new(code, msg));
    }

    /// Verify a SignedData over `content`; returns false when it could not be parsed.
    fn signed_layer(&mut self, der: &[u8], detached: Option<&[u8]>) -> Option<Vec<u8>> {
        let layer = self.report.layers.len();
        self.report.layers.push("signed".into());
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
        let (sigs, problems) = check_signed_data(&sd, &content, &self.ctx.certificates, layer);
        self.report.problems.extend(problems);
        let pool: Vec<&Certificate> = sd
            .certificates
            .iter()
            .chain(self.ctx.certificates.iter())
            .collect();
        let (tctx, crl_problems) = trust_context(self.ctx);
        let trust =
            crate::trust::Validator::new(&tctx, pool.iter().copied()).with_problems(crl_problems);
        for (mut rep, check) in sigs {
            if let Some(cert) = &check.cert {
                match check_trust(cert, &trust, self.ctx, check.signing_time) {
                    Ok(()) => rep.trusted = true,
                    Err(p) => rep.problems.extend(p),
                }
            }
            set_cs_trust(&mut rep.countersignatures, &pool, &trust, self.ctx);
            self.report.signatures.push(rep);
            self.checks.push(check);
        }
        Some(content.into_owned())
    }
}

fn set_cs_trust(
    cs: &mut [crate::report::CountersignatureReport],
    pool: &[&Certificate],
    trust: &crate::trust::Validator<'_>,
    ctx: &VerifyContext,
) {
    for c in cs {
        let cert = pool
            .iter()
            .find(|p| {
                let e = super::signed_verify::cert_emails(p);
                (!c.emails.is_empty() && e == c.emails)
                    || c.subject.as_deref() == Some(&p.tbs_certificate().subject().to_string())
            })
            .copied();
        if let Some(cert) = cert {
            match check_trust(cert, trust, ctx, None) {
                Ok(()) => c.trusted = true,
                Err(p) => c.problems.extend(p),
            }
        }
        set_cs_trust(&mut c.countersignatures, pool, trust, ctx);
    }
}

/// Verify a message and return the report and the innermost content.
pub fn verify_message(raw: &[u8], ctx: &VerifyContext) -> Result<Verified, Error> {
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
    let canon = canonical_crlf(raw);
    let mut w = Walk {
        ctx,
        report: VerifyReport::default(),
        checks: Vec::new(),
        encrypted: false,
    };
    let mut current: Cow<'_, [u8]> = Cow::Borrowed(&canon);
    let mut depth = 0usize;
    loop {
        if depth >= max_depth {
            w.problem(
                "depth-limit",
                format!("more than {max_depth} nested S/MIME layers"),
            );
            break;
        }
        depth += 1;
        let (header, body) = split_message(&current);
        let fs = fields(header);
        let ct = media_type(
            smime_mime::field(&fs, "content-type")
                .map(|f| f.value.as_str())
                .unwrap_or("text/plain"),
        );
        let cte = smime_mime::field(&fs, "content-transfer-encoding").map(|f| f.value.clone());
        let next: Option<Vec<u8>> = match ct.mime.as_str() {
            "multipart/signed" => {
                let proto = ct.param("protocol").unwrap_or("").to_ascii_lowercase();
                if proto != "application/pkcs7-signature"
                    && proto != "application/x-pkcs7-signature"
                {
                    w.problem(
                        "unsupported-protocol",
                        format!("multipart/signed with protocol \"{proto}\""),
                    );
                    None
                } else {
                    let parts = ct
                        .param("boundary")
                        .and_then(|b| smime_mime::multipart_parts(body, b))
                        .filter(|p| p.len() >= 2);
                    match parts {
                        None => {
                            w.problem("mime-malformed", "multipart/signed without two body parts");
                            None
                        }
                        Some(parts) => {
                            let (sh, sb) = split_message(parts[1]);
                            let sfs = fields(sh);
                            let scte = smime_mime::field(&sfs, "content-transfer-encoding")
                                .map(|f| f.value.clone());
                            match smime_mime::decode_transfer(sb, scte.as_deref()) {
                                Ok(der) => w.signed_layer(&der, Some(parts[0])),
                                Err(e) => {
                                    w.report.layers.push("signed".into());
                                    w.problem("mime-malformed", format!("signature part: {e}"));
                                    None
                                }
                            }
                        }
                    }
                }
            }
            "application/pkcs7-mime" | "application/x-pkcs7-mime" => {
                match smime_mime::decode_transfer(body, cte.as_deref()) {
                    Err(e) => {
                        w.problem("mime-malformed", e);
                        None
                    }
                    Ok(der) => {
                        let kind = parse_content_info(&der).map(|ci| ci.content_type);
                        match kind {
                            Ok(k) if k == ID_SIGNED_DATA => w.signed_layer(&der, None),
                            Ok(k) if k == ID_ENVELOPED_DATA || k == ID_AUTH_ENVELOPED_DATA => {
                                w.report.layers.push(
                                    if k == ID_ENVELOPED_DATA {
                                        "enveloped"
                                    } else {
                                        "authEnveloped"
                                    }
                                    .into(),
                                );
                                let index = w.report.layers.len() - 1;
                                let out = decrypt_layer(&mut w.report, index, &der, ctx);
                                w.encrypted |= out.is_some();
                                out
                            }
                            Ok(k) if k == ID_COMPRESSED_DATA => {
                                w.report.layers.push("compressed".into());
                                let index = w.report.layers.len() - 1;
                                decompress_layer(&mut w.report, index, &der, ctx)
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
                match smime_mime::decode_transfer(body, cte.as_deref()) {
                    Err(e) => {
                        w.problem("mime-malformed", e);
                        None
                    }
                    Ok(data) => {
                        w.report.layers.push("compressed".into());
                        let index = w.report.layers.len() - 1;
                        match decompress_media(&mut w.report, index, &ct.mime, &data, ctx) {
                            // A MIME entity inside goes on being unwrapped; other data is
                            // the content as it is (RFC 6713 does not say what it holds).
                            Some(d) if is_mime_entity(&d) => Some(d),
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
        match next {
            Some(n) => current = Cow::Owned(canonical_crlf(&n).into_owned()),
            None => break,
        }
    }
    let entity = current.into_owned();
    finish(
        &mut w.report,
        &w.checks,
        &Input {
            message: &canon,
            inner: &entity,
            encrypted: w.encrypted,
            mail: true,
            at: ctx.at,
        },
    );
    let content = if w.report.layers.is_empty() || !is_mime_entity(&entity) {
        entity
    } else {
        with_outer_fields(&canon, &entity)
    };
    Ok(Verified {
        report: w.report,
        content,
    })
}

/// The outer header fields of `message` except `Content-*`, then `entity`.
fn with_outer_fields(message: &[u8], entity: &[u8]) -> Vec<u8> {
    let (header, _) = split_message(message);
    let mut out = Vec::with_capacity(header.len() + entity.len());
    for f in fields(header) {
        let content = f
            .name
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("content-"));
        if !content {
            out.extend_from_slice(f.raw);
        }
    }
    out.extend_from_slice(entity);
    out
}

/// Verify a bare CMS ContentInfo(SignedData), DER or BER — no MIME, no address check (there is
/// no From to compare with). `detached` is the content for a detached signature. Returns the
/// report (one `signed` layer) and the encapsulated (or detached) content.
pub fn verify_cms(der: &[u8], detached: Option<&[u8]>, ctx: &VerifyContext) -> Verified {
    let mut w = Walk {
        ctx,
        report: VerifyReport::default(),
        checks: Vec::new(),
        encrypted: false,
    };
    let content = w.signed_layer(der, detached).unwrap_or_default();
    finish(
        &mut w.report,
        &w.checks,
        &Input {
            message: &[],
            inner: &content,
            encrypted: false,
            mail: false,
            at: ctx.at,
        },
    );
    Verified {
        report: w.report,
        content,
    }
}

/// Whether `data` starts with a header section holding a Content-Type field (a MIME entity).
fn is_mime_entity(data: &[u8]) -> bool {
    let (h, _) = split_message(data);
    !h.is_empty() && smime_mime::field(&fields(h), "content-type").is_some()
}

/// Convenience for tests and callers: the signature reports of a report.
pub fn signatures(r: &VerifyReport) -> &[SignatureReport] {
    &r.signatures
}

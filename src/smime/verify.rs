//! `verify`: unwrap every S/MIME layer of a message and build the one [`VerifyReport`].
//!
//! Layers (RFC 8551 §3): multipart/signed (RFC 1847 §2.1) and application/pkcs7-mime with a
//! SignedData, EnvelopedData, AuthEnvelopedData or CompressedData, nested in any order (triple
//! wrapping, RFC 2634 §1.1) up to [`VerifyContext::max_depth`]. For every SignedData each
//! SignerInfo is checked (`signed_verify`), its certificate path validated (trust), its
//! address compared with From/Sender, and its label and signature type reported.
//!
//! The message is canonicalised to CRLF once when it arrived with bare LF line ends (as mail
//! stores often keep it); signatures are computed over the canonical form (RFC 8551 §3.1.1).

use std::borrow::Cow;

use x509_cert::Certificate;

use super::attributes_label::{decode_label, labels_agree};
use super::ber::Tlv;
use super::sig_type::SignatureType;
use super::signed_parse::{
    parse_content_info, parse_signed_data, ID_AUTH_ENVELOPED_DATA, ID_COMPRESSED_DATA,
    ID_ENVELOPED_DATA, ID_SIGNED_DATA,
};
use super::signed_verify::{check_signed_data, SignerCheck};
use super::smime_mime::{self, canonical_crlf, fields, media_type, split_message};
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
}

/// The report plus the innermost content (the MIME entity to render after the layers are
/// removed; for a header-protected message the message/rfc822 entity).
#[derive(Debug, Clone)]
pub struct Verified {
    /// The verification report.
    pub report: VerifyReport,
    /// The innermost MIME entity (header fields + body).
    pub content: Vec<u8>,
}

/// Verify a message; see the module documentation. `Err` only when the input cannot be
/// treated as a message at all (empty, too large); every finding about a message is a
/// problem in the report.
pub fn verify(raw: &[u8], ctx: &VerifyContext) -> Result<VerifyReport, Error> {
    verify_message(raw, ctx).map(|v| v.report)
}

/// Trust decision for one signer certificate: RFC 5280 path validation by
/// [`crate::trust::validate`] for the signing purpose, through the message's certificates and
/// the caller's extra ones, at the caller's time (or the signature's signingTime when the
/// caller gave none), with the caller's CRLs. `Err` carries every problem found.
fn check_trust(
    cert: &Certificate,
    pool: &[&Certificate],
    ctx: &VerifyContext,
    signing_time: Option<time::OffsetDateTime>,
) -> Result<(), Vec<Problem>> {
    use der::Decode;
    let Some(at) = ctx.at.or(signing_time) else {
        return Err(vec![Problem::new(
            "validation-time-unknown",
            "no validation time was supplied and the signature has no signingTime",
        )]);
    };
    let mut crls = Vec::with_capacity(ctx.crls.len());
    let mut problems = Vec::new();
    for der in &ctx.crls {
        match x509_cert::crl::CertificateList::from_der(der) {
            Ok(c) => crls.push(c),
            Err(e) => problems.push(Problem::new(
                crate::trust::codes::CERT_MALFORMED,
                format!("a supplied CRL cannot be decoded: {e}"),
            )),
        }
    }
    let tctx = crate::trust::TrustContext {
        anchors: ctx.trust_anchors.clone(),
        intermediates: Vec::new(),
        crls,
        at,
    };
    let extra: Vec<Certificate> = pool.iter().map(|c| (*c).clone()).collect();
    let res = crate::trust::validate(cert, &extra, &tctx, crate::trust::Purpose::Signing);
    problems.extend(res.problems);
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

/// Walk state of one layer.
struct Walk<'c> {
    ctx: &'c VerifyContext,
    report: VerifyReport,
    checks: Vec<SignerCheck>,
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
        for (mut rep, check) in sigs {
            if let Some(cert) = &check.cert {
                match check_trust(cert, &pool, self.ctx, check.signing_time) {
                    Ok(()) => rep.trusted = true,
                    Err(p) => rep.problems.extend(p),
                }
            }
            set_cs_trust(&mut rep.countersignatures, &pool, self.ctx);
            self.report.signatures.push(rep);
            self.checks.push(check);
        }
        Some(content.into_owned())
    }
}

fn set_cs_trust(
    cs: &mut [crate::report::CountersignatureReport],
    pool: &[&Certificate],
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
            match check_trust(cert, pool, ctx, None) {
                Ok(()) => c.trusted = true,
                Err(p) => c.problems.extend(p),
            }
        }
        set_cs_trust(&mut c.countersignatures, pool, ctx);
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
    let (top_header, _) = split_message(&canon);
    let top_fields = fields(top_header);
    let mut w = Walk {
        ctx,
        report: VerifyReport::default(),
        checks: Vec::new(),
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
                                decrypt_layer(&der, ctx, &mut w)
                            }
                            Ok(k) if k == ID_COMPRESSED_DATA => {
                                w.report.layers.push("compressed".into());
                                decompress_layer(&der, &mut w)
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
            _ => None,
        };
        match next {
            Some(n) => current = Cow::Owned(canonical_crlf(&n).into_owned()),
            None => break,
        }
    }
    let entity = current.into_owned();
    finish(&mut w, &top_fields, &entity, true);
    Ok(Verified {
        report: w.report,
        content: entity,
    })
}

/// Verify a bare CMS ContentInfo(SignedData), DER or BER — no MIME, no address check (there is
/// no From to compare with). `detached` is the content for a detached signature. Returns the
/// report (one `signed` layer) and the encapsulated (or detached) content.
pub fn verify_cms(der: &[u8], detached: Option<&[u8]>, ctx: &VerifyContext) -> Verified {
    let mut w = Walk {
        ctx,
        report: VerifyReport::default(),
        checks: Vec::new(),
    };
    let content = w.signed_layer(der, detached).unwrap_or_default();
    finish(&mut w, &[], &content, false);
    Verified {
        report: w.report,
        content,
    }
}

/// Decrypt an EnvelopedData / AuthEnvelopedData layer with the caller's keys. Decryption is
/// the envelope module's; until it is available the layer is reported and the walk stops.
fn decrypt_layer(_der: &[u8], ctx: &VerifyContext, w: &mut Walk<'_>) -> Option<Vec<u8>> {
    if ctx.decryption_keys.is_empty() {
        w.problem(
            "no-decryption-key",
            "encrypted layer and no decryption key supplied",
        );
    } else {
        w.problem(
            "decrypt-unavailable",
            "decryption of this layer is not available in this build",
        );
    }
    None
}

/// Decompress a CompressedData layer (RFC 3274) — the envelope module's; until available
/// the layer is reported and the walk stops.
fn decompress_layer(_der: &[u8], w: &mut Walk<'_>) -> Option<Vec<u8>> {
    w.problem(
        "decompress-unavailable",
        "decompression of this layer is not available in this build",
    );
    None
}

/// Cross-layer checks: address match, security label, SIO-Label, header protection, verdict.
fn finish(w: &mut Walk<'_>, top_fields: &[smime_mime::Field<'_>], inner: &[u8], mail: bool) {
    // Header protection (wrapped form): the innermost entity is message/rfc822.
    let (ih, _) = split_message(inner);
    let ifs = fields(ih);
    let ict = media_type(
        smime_mime::field(&ifs, "content-type")
            .map(|f| f.value.as_str())
            .unwrap_or("text/plain"),
    );
    let mut protected_fields: Option<Vec<smime_mime::Field<'_>>> = None;
    if !w.report.signatures.is_empty() {
        if ict.mime == "message/rfc822" || ict.mime == "message/global" {
            w.report.header_protection.scheme = "wrapped".into();
            w.report.header_protection.forwarded = match ict.param("forwarded") {
                Some(v) if v.eq_ignore_ascii_case("no") => "no".into(),
                Some(v) if v.eq_ignore_ascii_case("yes") => "yes".into(),
                Some(_) => "absent".into(),
                None => "absent".into(),
            };
            let (_, ib) = split_message(inner);
            let (wh, _) = split_message(ib);
            protected_fields = Some(fields(wh));
        } else if ict.param("hp").is_some() || ict.param("protected-headers").is_some() {
            w.report.header_protection.scheme = "injected".into();
            protected_fields = Some(ifs.clone());
        }
    }
    // The From/Sender the signatures must match: the protected ones when present.
    let addr_fields: &[smime_mime::Field<'_>] = match &protected_fields {
        Some(p) if smime_mime::field(p, "from").is_some() => p,
        _ => top_fields,
    };
    let mut claimed: Vec<String> = Vec::new();
    for name in ["from", "sender"] {
        for f in addr_fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case(name))
        {
            claimed.extend(smime_mime::addresses(&f.value));
        }
    }
    if let Some(p) = &protected_fields {
        // Outer vs protected From must agree (RFC 9788 §4.4); further fields are the
        // protect module's analysis.
        let outer: Vec<String> = top_fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("from"))
            .flat_map(|f| smime_mime::addresses(&f.value))
            .collect();
        let inner: Vec<String> = p
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("from"))
            .flat_map(|f| smime_mime::addresses(&f.value))
            .collect();
        if !inner.is_empty() && outer != inner {
            w.report
                .header_protection
                .mismatches
                .push(crate::report::HeaderMismatch {
                    field: "From".into(),
                    outer: smime_mime::field(top_fields, "from").map(|f| f.value.clone()),
                    inner: smime_mime::field(p, "from").map(|f| f.value.clone()),
                });
            w.problem(
                "header-mismatch",
                "the outer From differs from the protected From",
            );
        }
    }
    // A display name that itself looks like another address (Johnny i2 class).
    if mail {
        for f in addr_fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("from"))
        {
            if let Some(m) = display_name_spoof(&f.value) {
                w.problem("from-display-name-address", m);
            }
        }
    }
    let checks = std::mem::take(&mut w.checks);
    let mut any_match = false;
    let mut originator_sigs = 0usize;
    for (rep, check) in w.report.signatures.iter_mut().zip(checks.iter()) {
        let non_originator = !check.known_types.is_empty()
            && check.known_types.iter().all(|t| {
                matches!(
                    t,
                    SignatureType::Domain
                        | SignatureType::Review
                        | SignatureType::AdditionalAttributes
                )
            });
        if non_originator || check.cert.is_none() || !mail {
            continue;
        }
        originator_sigs += 1;
        let m = !claimed.is_empty() && rep.emails.iter().any(|e| claimed.contains(e));
        rep.address_match = Some(m);
        any_match |= m && rep.valid;
        if !m {
            rep.problems.push(Problem::new(
                "signer-address-mismatch",
                format!(
                    "signer {} does not match the From/Sender address {}",
                    rep.signer,
                    if claimed.is_empty() {
                        "(none)".to_string()
                    } else {
                        claimed.join(", ")
                    }
                ),
            ));
        }
    }
    let _ = any_match;
    if w.report.signatures.is_empty() && !w.report.has_problem("no-signers") {
        w.problem("not-signed", "the message carries no signature");
    } else if mail && originator_sigs == 0 && !w.report.signatures.is_empty() {
        w.problem(
            "no-originator-signature",
            "no signature authenticates the originator (only domain/review/additional-attributes signatures)",
        );
    }
    // Effective label: innermost signed layer with a label among valid signatures.
    let label = w
        .report
        .signatures
        .iter()
        .rev()
        .filter(|s| s.valid)
        .find_map(|s| s.security_label.clone());
    w.report.security_label = label.clone();
    // SIO-Label (RFC 7444) vs ESS label (profile §4.2.5).
    let sio_fields: &[smime_mime::Field<'_>] = match &protected_fields {
        Some(p) if smime_mime::field(p, "sio-label").is_some() => p,
        _ => top_fields,
    };
    let sios: Vec<&smime_mime::Field<'_>> = sio_fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("sio-label"))
        .collect();
    if sios.len() > 1 {
        w.problem(
            "sio-label-duplicate",
            "more than one SIO-Label field (RFC 7444 §4)",
        );
    }
    if let (Some(sio), Some(ess)) = (sios.first(), &label) {
        let params = media_type(&format!("x/x; {}", sio.value));
        if params.param("type") == Some(":ess") {
            match params
                .param("label")
                .ok_or_else(|| "no label".to_string())
                .and_then(|b| smime_mime::base64_decode(b.as_bytes()))
                .and_then(|der| {
                    Tlv::parse_all(&der)
                        .map_err(|e| e.0)
                        .and_then(|t| decode_label(&t))
                }) {
                Ok(sio_label) => {
                    if !labels_agree(&sio_label, ess) {
                        w.problem(
                            "label-sio-mismatch",
                            "the SIO-Label header and the signed ESS security label disagree",
                        );
                    }
                }
                Err(e) => w.problem("sio-label-malformed", format!("SIO-Label label: {e}")),
            }
        }
    }
    // Copy per-signature problems into the report.
    let mut extra: Vec<Problem> = Vec::new();
    for s in &w.report.signatures {
        extra.extend(s.problems.iter().cloned());
        collect_cs(&s.countersignatures, &mut extra);
    }
    w.report.problems.extend(extra);
    w.report.mmhs = serde_json::Value::Null;
    w.report.finish();
}

/// When a From value's display name contains an address other than its addr-spec.
fn display_name_spoof(value: &str) -> Option<String> {
    let lt = value.rfind('<')?;
    let addr = smime_mime::addresses(value);
    let display = &value[..lt];
    let shown: Vec<String> = display
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',')
        .filter(|t| t.contains('@'))
        .map(smime_mime::normalize_address)
        .collect();
    let other = shown.iter().find(|s| !addr.contains(s))?;
    Some(format!(
        "the From display name shows {other} but the address is {}",
        addr.join(", ")
    ))
}

fn collect_cs(cs: &[crate::report::CountersignatureReport], out: &mut Vec<Problem>) {
    for c in cs {
        out.extend(c.problems.iter().cloned());
        collect_cs(&c.countersignatures, out);
    }
}

/// Convenience for tests and callers: the signature reports of a report.
pub fn signatures(r: &VerifyReport) -> &[SignatureReport] {
    &r.signatures
}

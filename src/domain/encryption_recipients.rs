//! Which certificate each recipient of a message will be encrypted to, and why another one it
//! holds is not used: the answer a compose form shows *before* sending (wasm
//! `encryptionRecipients`, whose request is `encrypt`'s own [`EncryptRequest`]), computed by
//! the same choice `encrypt` makes ([`super::recipient_certificates`] over the certificates
//! the caller holds, each judged by [`usable_for_encryption`] when the request gives trust
//! anchors).
//!
//! A certificate is usable to encrypt to only when it validates for encryption (RFC 5280
//! §6.1 at the caller's time against the caller's trust anchors; RFC 8550 §4.4.2 keyUsage
//! keyEncipherment / keyAgreement): an expired certificate (`cert-expired`), one under a root
//! the user does not trust (`cert-untrusted`) or a signing-only one (`cert-key-usage`) is
//! listed as refused, with its problems, and a recipient left without any is
//! `no-recipient-certificate` at `encrypt` — never sent in clear.

use serde::Serialize;
use time::OffsetDateTime;
use x509_cert::Certificate;

use super::{recipient_certificates, EncryptRequest, Error, RecipientVia};
use crate::keys;
use crate::report::{Problem, RecipientKind};
use crate::trust::{self, CertificateInfo, Purpose, TrustContext, Validator};

/// Most recipients one request may ask about (a compose form's To, Cc and Bcc).
pub const MAX_RECIPIENTS: usize = 1000;

/// One recipient's answer (JSON `RecipientCertificates`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RecipientCertificates {
    /// The recipient address, as given.
    pub address: String,
    /// The certificates the message will be encrypted to for this recipient; empty: the
    /// recipient has none (`encrypt` then refuses with `no-recipient-certificate`).
    pub chosen: Vec<ChosenCertificate>,
    /// Certificates issued to this address that are not used, each with why.
    pub refused: Vec<RefusedCertificate>,
}

/// A certificate a recipient will be encrypted to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ChosenCertificate {
    /// The recipient's own, its domain's DCA or its domain's gateway certificate.
    pub kind: RecipientKind,
    /// The domain a DCA or gateway certificate serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The certificate's facts.
    pub certificate: CertificateInfo,
}

/// A certificate issued to the recipient's address that cannot be encrypted to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RefusedCertificate {
    /// The certificate's facts.
    pub certificate: CertificateInfo,
    /// Why (`cert-expired`, `cert-untrusted`, `cert-key-usage` …).
    pub problems: Vec<Problem>,
}

/// Path validation for encryption at one time against one set of anchors, through the
/// certificates the caller holds.
pub struct EncryptionTrust {
    ctx: TrustContext,
    pool: Vec<Certificate>,
}

impl EncryptionTrust {
    /// Judge certificates of `pool` (and paths through it) against `anchors` at `at`.
    pub fn new(anchors: Vec<Certificate>, pool: Vec<Certificate>, at: OffsetDateTime) -> Self {
        EncryptionTrust {
            ctx: TrustContext {
                anchors,
                intermediates: Vec::new(),
                crls: Vec::new(),
                at,
            },
            pool,
        }
    }

    /// A validator over the pool (one per request: it memoises and bounds its work).
    pub fn validator(&self) -> Validator<'_> {
        Validator::new(&self.ctx, self.pool.iter())
    }
}

/// The problems that keep `cert` from being encrypted to (empty: usable).
pub fn usable_for_encryption(validator: &Validator<'_>, cert: &Certificate) -> Vec<Problem> {
    validator.validate(cert, Purpose::Encryption).problems
}

/// The answer of `encryptionRecipients`, one entry per recipient of `req.rcpt` in order: the
/// choice `encrypt` with the same request makes ([`EncryptRequest::recipients`]).
pub fn encryption_recipients(
    req: &EncryptRequest,
    now: OffsetDateTime,
) -> Result<Vec<RecipientCertificates>, Error> {
    if req.rcpt.len() > MAX_RECIPIENTS {
        return Err(Error::from(keys::Error::CertificateMalformed(format!(
            "{} recipients; at most {MAX_RECIPIENTS} are looked up at once",
            req.rcpt.len()
        ))));
    }
    let pool = keys::certificates_from_texts(&req.certificates)?;
    let trust = req.encryption_trust(&pool, now)?;
    let validator = trust.as_ref().map(EncryptionTrust::validator);
    let problems = |c: &Certificate| {
        validator
            .as_ref()
            .map(|v| usable_for_encryption(v, c))
            .unwrap_or_default()
    };
    let mode = req.domain_encryption.unwrap_or_default();
    let mut out = Vec::with_capacity(req.rcpt.len());
    for address in &req.rcpt {
        let chosen = match recipient_certificates(address, &pool, mode, |c| problems(c).is_empty())
        {
            Ok(found) => found
                .into_iter()
                .filter_map(|(i, via)| {
                    let certificate = trust::certificate_info_of(pool.get(i)?).ok()?;
                    let (kind, domain) = match via {
                        RecipientVia::Personal => (RecipientKind::Personal, None),
                        RecipientVia::Dca { domain } => (RecipientKind::Dca, Some(domain)),
                        RecipientVia::Gateway { domain } => (RecipientKind::Gateway, Some(domain)),
                    };
                    Some(ChosenCertificate {
                        kind,
                        domain,
                        certificate,
                    })
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        let refused = pool
            .iter()
            .filter(|c| trust::address_matches(c, address))
            .filter_map(|c| {
                let problems = problems(c);
                if problems.is_empty() {
                    return None;
                }
                Some(RefusedCertificate {
                    certificate: trust::certificate_info_of(c).ok()?,
                    problems,
                })
            })
            .collect();
        out.push(RecipientCertificates {
            address: address.clone(),
            chosen,
            refused,
        });
    }
    Ok(out)
}

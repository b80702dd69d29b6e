//! What a user is shown about a stored certificate *now*: its facts
//! ([`super::certificate_info()`]), whether it validates for a purpose against the user's own
//! trust anchors at a time (RFC 5280 §6.1, [`super::Validator`]) — an expired one is
//! `cert-expired`, one under an unknown root `cert-untrusted` — and the path that validated,
//! from its issuer up to the anchor (wasm `certificateStatus`, `mmhs certificate-status`).
//!
//! The certificate's own addresses are shown as facts only: nothing here binds it to a
//! correspondent (that is `crate::verify::correspondents`, from a valid message).

use der::Decode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{certificate_info::info, CertificateInfo, Purpose, TrustContext, Validator};
use crate::keys::{self, Error};
use crate::report::Problem;
use crate::request::time_or;

/// The request of `certificateStatus` (JSON `CertificateStatusRequest`; docs/js-api.md).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateStatusRequest {
    /// The certificate (PEM; its first `CERTIFICATE` block, or one DER certificate).
    pub certificate: String,
    /// Intermediate CA certificates that may complete its path (PEM texts).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub certificates: Vec<String>,
    /// The user's trust anchors (PEM texts). None: nothing is trusted.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub trust_anchors: Vec<String>,
    /// Validation time (RFC 3339); default: the caller's clock.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
    pub at: Option<OffsetDateTime>,
    /// What it is to be used for (default `encryption`: a correspondent's certificate).
    #[serde(default)]
    pub purpose: Option<Purpose>,
}

/// The answer of `certificateStatus` (JSON `CertificateStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CertificateStatus {
    /// The certificate's facts.
    pub certificate: CertificateInfo,
    /// True only when a path to one of the trust anchors validated for the purpose at the
    /// time, and `problems` is empty.
    pub trusted: bool,
    /// The path that validated, from the certificate's issuer up to the anchor; empty when
    /// not trusted or when the certificate is itself an anchor.
    pub chain: Vec<CertificateInfo>,
    /// Why it is not trusted (stable codes of docs/report.md "Certificates": `cert-expired`,
    /// `cert-untrusted`, `cert-key-usage` …).
    pub problems: Vec<Problem>,
    /// The validation time used, RFC 3339.
    pub at: String,
}

/// The status of `req.certificate` at `req.at` (else `now`). Refuses material that is not
/// certificates (`certificate-malformed`, `certificate-missing`).
pub fn certificate_status(
    req: &CertificateStatusRequest,
    now: OffsetDateTime,
) -> Result<CertificateStatus, Error> {
    let leaf = keys::certificates_from_der_or_pem(req.certificate.as_bytes())?
        .into_iter()
        .next()
        .ok_or(Error::NoCertificate)?;
    let extra = keys::certificates_from_texts(&req.certificates)?;
    if extra.len() > super::MAX_INSPECTED_CERTIFICATES {
        return Err(Error::CertificateMalformed(format!(
            "{} intermediate certificates; at most {} are considered",
            extra.len(),
            super::MAX_INSPECTED_CERTIFICATES
        )));
    }
    let at = time_or(req.at, now);
    let ctx = TrustContext {
        anchors: keys::certificates_from_texts(&req.trust_anchors)?,
        intermediates: Vec::new(),
        crls: Vec::new(),
        at,
    };
    let result = Validator::new(&ctx, extra.iter())
        .validate(&leaf, req.purpose.unwrap_or(Purpose::Encryption));
    let chain = result
        .path
        .iter()
        .skip(1)
        .map(|der| {
            x509_cert::Certificate::from_der(der)
                .map_err(|e| Error::CertificateMalformed(format!("path certificate: {e}")))
                .and_then(|c| info(&c))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CertificateStatus {
        certificate: info(&leaf)?,
        trusted: result.trusted,
        chain,
        problems: result.problems,
        at: at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    })
}

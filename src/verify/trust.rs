//! The trust decision for one signer certificate: RFC 5280 path validation by
//! [`crate::trust::Validator`] for the signing purpose, through the message's certificates and
//! the caller's extra ones, at the caller's time (or the signature's signingTime when the
//! caller gave none), with the caller's CRLs. One validator serves every signer and
//! countersigner of a SignedData: the pool is indexed once, results are remembered per
//! certificate and time, and path building has one work budget (`path-budget-exhausted`).
//!
//! Weak algorithms and keys in the path are judged by the caller's
//! [`crate::algorithm_policy::AlgorithmPolicy`] (`VerifyContext::algorithms`).
//!
//! The certificate judged is always the one the (counter)signature's SignerIdentifier names
//! ([`crate::smime::signer_certificate`]); this module never looks a certificate up.

use x509_cert::Certificate;

use super::VerifyContext;
use crate::algorithm_policy::AlgorithmPolicy;
use crate::cancel::Cancel;
use crate::report::Problem;
use crate::trust::{codes, Purpose, TrustContext, Validator};

/// The trust context of `ctx` (its `at` is a placeholder when absent: [`Trust::check`] always
/// passes the time) and the problems of its CRLs.
pub(crate) fn context(ctx: &VerifyContext) -> (TrustContext, Vec<Problem>) {
    let (crls, problems) = crate::trust::decode_crls(&ctx.crls);
    let tctx = TrustContext {
        anchors: ctx.trust_anchors.clone(),
        intermediates: Vec::new(),
        crls,
        at: ctx.at.unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
    };
    (tctx, problems)
}

/// Trust evaluation for the signers of one SignedData.
pub(crate) struct Trust<'v> {
    validator: Validator<'v>,
    at: Option<time::OffsetDateTime>,
}

impl<'v> Trust<'v> {
    /// Prepare for certificates of `pool` (the SignedData's and the caller's) under `tctx`
    /// (from [`context`], with its CRL problems), at the caller's time `at` if known; path
    /// building stops once `cancel` is set; certificate signatures are answered by `checks`
    /// first when a provider checks them.
    pub(crate) fn new(
        tctx: &'v TrustContext,
        crl_problems: Vec<Problem>,
        pool: &[&'v Certificate],
        at: Option<time::OffsetDateTime>,
        algorithms: AlgorithmPolicy,
        cancel: Option<Cancel>,
        checks: Option<crate::trust::SignatureChecks>,
    ) -> Self {
        Trust {
            validator: Validator::new(tctx, pool.iter().copied())
                .with_problems(crl_problems)
                .with_algorithm_policy(algorithms)
                .with_cancel(cancel)
                .with_signature_checks(checks),
            at,
        }
    }

    /// Judge `cert` — the certificate a SignerIdentifier named — for a signature made at
    /// `signing_time`: trusted when [`Judgement::problems`] is empty.
    pub(crate) fn check(
        &self,
        cert: &Certificate,
        signing_time: Option<time::OffsetDateTime>,
    ) -> Judgement {
        let Some(at) = self.at.or(signing_time) else {
            return Judgement {
                problems: vec![Problem::new(
                    "validation-time-unknown",
                    "no validation time was supplied and the signature has no signingTime",
                )],
                notes: Vec::new(),
                path: Vec::new(),
            };
        };
        let res = self.validator.validate_at(cert, Purpose::Signing, at);
        let mut problems = res.problems;
        if !res.trusted && problems.is_empty() {
            problems.push(Problem::new(
                codes::CERT_UNTRUSTED,
                "the signer's certificate does not chain to a trust anchor",
            ));
        }
        Judgement {
            path: if problems.is_empty() {
                res.path
            } else {
                Vec::new()
            },
            problems,
            notes: res.notes,
        }
    }
}

/// The trust judgement of one signer certificate.
#[derive(Debug, Clone, Default)]
pub(crate) struct Judgement {
    /// Every problem found; empty when the certificate is trusted.
    pub problems: Vec<Problem>,
    /// Weak algorithms or keys the algorithm policy accepted (`weak-algorithm-accepted`).
    pub notes: Vec<Problem>,
    /// The validated path (DER, leaf first, anchor last) when trusted; else empty.
    pub path: Vec<Vec<u8>>,
}

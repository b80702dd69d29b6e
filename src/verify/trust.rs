//! The trust decision for one signer certificate: RFC 5280 path validation by
//! [`crate::trust::validate`] for the signing purpose, through the message's certificates and
//! the caller's extra ones, at the caller's time (or the signature's signingTime when the
//! caller gave none), with the caller's CRLs.
//!
//! The certificate judged is always the one the (counter)signature's SignerIdentifier names
//! ([`crate::smime::signer_certificate`]); this module never looks a certificate up.

use der::Decode;
use x509_cert::Certificate;

use super::VerifyContext;
use crate::report::Problem;
use crate::trust::codes;

/// Trust evaluation for the signers of one SignedData: the certificate pool and the CRLs are
/// prepared once, not per signer.
pub struct Trust<'c> {
    ctx: &'c VerifyContext,
    pool: Vec<Certificate>,
    crls: Vec<x509_cert::crl::CertificateList>,
    crl_problems: Vec<Problem>,
}

impl<'c> Trust<'c> {
    /// Prepare for certificates of `pool` (the SignedData's and the caller's, deduplicated).
    pub fn new(ctx: &'c VerifyContext, pool: &[&Certificate]) -> Self {
        let mut crls = Vec::with_capacity(ctx.crls.len());
        let mut crl_problems = Vec::new();
        for der in &ctx.crls {
            match x509_cert::crl::CertificateList::from_der(der) {
                Ok(c) => crls.push(c),
                Err(e) => crl_problems.push(Problem::new(
                    codes::CERT_MALFORMED,
                    format!("a supplied CRL cannot be decoded: {e}"),
                )),
            }
        }
        Trust {
            ctx,
            pool: pool.iter().map(|c| (*c).clone()).collect(),
            crls,
            crl_problems,
        }
    }

    /// Judge `cert` — the certificate a SignerIdentifier named — for a signature made at
    /// `signing_time`. `Err` carries every problem found.
    pub fn check(
        &self,
        cert: &Certificate,
        signing_time: Option<time::OffsetDateTime>,
    ) -> Result<(), Vec<Problem>> {
        let Some(at) = self.ctx.at.or(signing_time) else {
            return Err(vec![Problem::new(
                "validation-time-unknown",
                "no validation time was supplied and the signature has no signingTime",
            )]);
        };
        let tctx = crate::trust::TrustContext {
            anchors: self.ctx.trust_anchors.clone(),
            intermediates: Vec::new(),
            crls: self.crls.clone(),
            at,
        };
        let res = crate::trust::validate(cert, &self.pool, &tctx, crate::trust::Purpose::Signing);
        let mut problems = self.crl_problems.clone();
        problems.extend(res.problems);
        if res.trusted && problems.is_empty() {
            return Ok(());
        }
        if problems.is_empty() {
            problems.push(Problem::new(
                codes::CERT_UNTRUSTED,
                "the signer's certificate does not chain to a trust anchor",
            ));
        }
        Err(problems)
    }
}

//! The release officer's procedure (`release`): the five steps of
//! draft-melnikov-mmhs-authorizing-users-00 §3, with RFC 7912's review-signature form as a
//! policy choice.
//!
//! 1. Verify the message's authenticity: an originator signature (signature type absent,
//!    `originator` or `delegatedOriginator`) must verify, chain and carry the drafter's address
//!    (Sender when present, else From). Otherwise → `refused` (`release-originator-unverified`).
//! 2. If MMHS-Authorizing-Users already lists this officer and his countersignature (or review
//!    signature) is valid → straight to step 5 (`alreadyReleased`). Listings that are not
//!    validly protected — the officer's own or anybody's — are handled by the policy's form:
//!    - draft form (`countersignature`): stripped, as draft-melnikov-mmhs-authorizing-users-00
//!      §3 step 2 says ("Otherwise strip the MMHS-Authorizing-Users header field"); we strip
//!      only the unprotected addresses, keeping other officers' valid authorisations;
//!    - RFC 7912 form (`reviewSignature`): RFC 7912 §3.3 step 2 bounces a message whose
//!      MMHS-Authorizing-Users cannot be verified instead of stripping it (§3.2: the field
//!      must be protected for every listed entity) → `bounced`: nothing is released, the
//!      drafter gets the return notice naming the unverified addresses
//!      (`release-authorisation-unverified`), whatever the officer decided.
//! 3. Review: the policy's automated checks produce findings. A `reject` decision produces the
//!    return-to-sender notice and stops (`rejected`); a `block` finding stops an approval
//!    (`blocked`) — the officer must reject or the policy must change.
//! 4. Countersign (RFC 5652 §11.4, unsigned attribute on the originator's SignerInfo) — or, with
//!    `form: reviewSignature`, add an RFC 7912 review signature (an encapsulating signature with
//!    signature type id-sti-reviewSig over the drafter's signed entity, RFC 3183 §3) — unless
//!    the policy says not to sign; then
//!    append the officer's address to MMHS-Authorizing-Users (one field, no duplicates).
//! 5. Return the message with its envelope: to the next officer when the policy requires more
//!    authorisations in order, else to the transfer system (the original envelope when given,
//!    else one built from To/Cc/Bcc).
//!
//! Header protection: with the wrapped form (`forwarded=no`) the protected inner header is the
//! drafter's and is covered by his signature, so it cannot change. MMHS-Authorizing-Users lives
//! in the **outer** header; what makes each listed address trustworthy is not the header but the
//! countersignature made with that officer's certificate, which `verify` checks address by
//! address (`authorizingUsers`). `verify` therefore does not report an outer-only
//! MMHS-Authorizing-Users as a header-protection mismatch when every listed address is validly
//! countersigned.

use serde::{Deserialize, Serialize};

use super::policy::{AuthorizationForm, ReleasePolicy, Severity};
use super::review::{review, Finding, ReviewInput};
use crate::compose::Envelope;
use crate::fields::address::addr_specs;
use crate::mime::entity;
use crate::mime::header::HeaderSection;
use crate::report::{Problem, VerifyReport};
use crate::rng::CryptoRng;
use crate::smime::key_operation::sign_with_key;
use crate::smime::{
    self, PendingCountersignedMessage, PendingSignedEntity, SignRequest, Signer, SignerCertificates,
};
use crate::verify::{is_originator_signature, listed_authorizing_users, VerifyContext};

/// The officer's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", tag = "action")]
pub enum Decision {
    /// Release (countersign + authorizing user).
    Approve,
    /// Return to the drafter with a reason.
    Reject {
        /// The officer's reason, sent to the drafter.
        reason: String,
    },
    /// Only run steps 1–3 and report (for the release-queue view).
    Review,
}

/// Problem codes of the procedure (documented in docs/release.md and docs/report.md).
pub(crate) mod codes {
    /// Step 1: no valid, trusted originator signature by the drafter.
    pub(crate) const ORIGINATOR_UNVERIFIED: &str = "release-originator-unverified";
    /// Step 3: a review finding of severity `block` stops the approval.
    pub(crate) const BLOCKED_BY_REVIEW: &str = "release-blocked-by-review";
    /// Step 2 in RFC 7912 form: a listed authorisation cannot be verified; bounced.
    pub(crate) const AUTHORISATION_UNVERIFIED: &str = "release-authorisation-unverified";
}

/// Everything `release` needs. `O` is the officer: his key and certificates ([`Signer`],
/// for [`release`]) or his certificates only, the key held elsewhere
/// ([`SignerCertificates`], for [`begin_release`]).
pub struct ReleaseRequest<'a, O: ?Sized = Signer> {
    /// The submitted message.
    pub raw: &'a [u8],
    /// The officer's key and certificate.
    pub officer: &'a O,
    /// Trust anchors, time, decryption keys for step 1.
    pub verify: &'a VerifyContext,
    /// The release policy.
    pub policy: &'a ReleasePolicy,
    /// The decision.
    pub decision: Decision,
    /// The envelope the message was submitted with, if known (keeps Bcc recipients and DSN
    /// parameters).
    pub envelope: Option<&'a Envelope>,
    /// Current time (signingTime of the countersignature, notice date).
    pub now: time::OffsetDateTime,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// Countersigned / listed and handed on (`message`, `envelope`).
    Released,
    /// This officer had already validly authorised it (step 2 short-cut); handed on unchanged.
    AlreadyReleased,
    /// Step 1 failed: the originator is not authenticated. Nothing produced.
    Refused,
    /// The officer rejected it: `message` is the notice to the drafter.
    Rejected,
    /// RFC 7912 form, step 2: MMHS-Authorizing-Users lists an address whose authorisation
    /// cannot be verified; `message` is the return notice to the drafter with the reason.
    Bounced,
    /// Approval stopped by a `block` finding.
    Blocked,
    /// `Decision::Review`: findings only.
    Reviewed,
}

/// Where the released message goes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum NextHop {
    /// The message transfer system (its recipients).
    Transfer,
    /// The next officer in the policy's order.
    Officer,
    /// The drafter (rejection notice).
    Drafter,
}

/// The result of `release`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ReleaseResult {
    /// What happened.
    pub outcome: Outcome,
    /// The updated message (released) or the notice (rejected).
    #[serde(with = "crate::compose::raw_base64", default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "Uint8Array"))]
    pub message: Vec<u8>,
    /// The SMTP envelope for `message`.
    pub envelope: Option<Envelope>,
    /// Where it goes.
    pub next: Option<NextHop>,
    /// Review findings (step 3).
    pub findings: Vec<Finding>,
    /// The step-1 verification report (with `authorizingUsers`).
    pub report: VerifyReport,
    /// Addresses stripped from MMHS-Authorizing-Users in step 2.
    pub stripped: Vec<String>,
    /// Why a release was refused or blocked.
    pub problems: Vec<Problem>,
}

/// Run the procedure with the officer's own key (the pure-Rust provider answers the
/// signing step of [`begin_release`]).
pub fn release<R: CryptoRng + ?Sized>(
    req: &ReleaseRequest<'_>,
    rng: &mut R,
) -> Result<ReleaseResult, super::Error> {
    match begin_release(req, rng)? {
        ReleaseStep::Done(result) => Ok(*result),
        ReleaseStep::Sign(pending) => {
            let sig = sign_with_key(&req.officer.key, pending.request(), rng)?;
            pending.finish(&sig)
        }
    }
}

/// The procedure up to the officer's signature, for an officer whose key is held outside the
/// core (`crate::smime::key_operation`): `Done` when nothing is to be signed (refused,
/// already released, rejected, bounced, blocked, reviewed, or released without a
/// countersignature), else the pending countersignature or review signature.
pub fn begin_release<O: SignerCertificates + ?Sized, R: CryptoRng + ?Sized>(
    req: &ReleaseRequest<'_, O>,
    rng: &mut R,
) -> Result<ReleaseStep, super::Error> {
    let done = |r: ReleaseResult| -> Result<ReleaseStep, super::Error> {
        Ok(ReleaseStep::Done(Box::new(r)))
    };
    let step5 = Step5::of(req);
    let officer_addrs = crate::trust::email_addresses(req.officer.certificate());
    let Some(officer_addr) = officer_addrs.first().cloned() else {
        return Err(super::Error::Malformed(
            "the officer's certificate carries no e-mail address".into(),
        ));
    };
    let is_me = |a: &str| officer_addrs.iter().any(|o| o.eq_ignore_ascii_case(a));
    let mut result = ReleaseResult {
        outcome: Outcome::Refused,
        message: Vec::new(),
        envelope: None,
        next: None,
        findings: Vec::new(),
        report: VerifyReport::default(),
        stripped: Vec::new(),
        problems: Vec::new(),
    };

    // Step 1: authenticity of the drafter.
    // (verify fills `authorizingUsers` from the outer MMHS-Authorizing-Users field.)
    let verified = crate::verify::verify_message(req.raw, req.verify)?;
    let report = verified.report;
    let listed = listed_authorizing_users(req.raw);
    let drafter = drafter_of(req.raw);
    let originator_ok = report.layers.first() == Some(&crate::report::Layer::Signed)
        && report.signatures.iter().any(|s| {
            s.layer == 0
                && is_originator_signature(s)
                && s.valid
                && s.trusted
                && drafter
                    .as_deref()
                    .is_some_and(|d| s.emails.iter().any(|e| e.eq_ignore_ascii_case(d)))
        });
    result.report = report.clone();
    if !originator_ok {
        result.problems.push(Problem::new(
            codes::ORIGINATOR_UNVERIFIED,
            format!(
                "no valid, trusted originator signature by the drafter {} on the outer signed layer",
                drafter.as_deref().unwrap_or("(no From/Sender)")
            ),
        ));
        return done(result);
    }

    // Step 2: already listed?
    let mut message = req.raw.to_vec();
    let my_status = report.authorizing_users.iter().find(|a| is_me(&a.address));
    if my_status.is_some_and(|a| a.status == crate::report::AuthorizationStatus::Countersigned)
        && req.decision != Decision::Review
    {
        result.outcome = Outcome::AlreadyReleased;
        return done(finish_step5(
            result,
            message,
            &step5,
            &officer_addr,
            &listed,
        )?);
    }
    let keep: Vec<String> = report
        .authorizing_users
        .iter()
        .filter(|a| a.status == crate::report::AuthorizationStatus::Countersigned)
        .map(|a| a.address.clone())
        .collect();
    let unverified: Vec<String> = listed
        .iter()
        .filter(|l| !keep.iter().any(|k| k.eq_ignore_ascii_case(l)))
        .cloned()
        .collect();
    if !unverified.is_empty()
        && req.policy.form == AuthorizationForm::ReviewSignature
        && req.decision != Decision::Review
    {
        return done(bounce(result, req, &officer_addr, &unverified, rng)?);
    }
    result.stripped = unverified;
    if !result.stripped.is_empty() {
        message = set_authorizing_users(&message, &keep)?;
    }

    // Step 3: review.
    let rcpts: Vec<String> = req
        .envelope
        .map(|e| e.rcpts.iter().map(|r| r.address.clone()).collect())
        .unwrap_or_default();
    let classification = report
        .security_label
        .as_ref()
        .and_then(|l| l.classification);
    let view = review_view(req.raw, &verified.content);
    let input = ReviewInput::from_message(&view, classification, &rcpts);
    result.findings = review(&input, req.policy);
    match &req.decision {
        Decision::Review => {
            result.outcome = Outcome::Reviewed;
            return done(result);
        }
        Decision::Reject { reason } => {
            let (notice, to) = super::notice::rejection_notice(
                &super::notice::NoticeInput {
                    original: req.raw,
                    officer: &officer_addr,
                    reason,
                    now: req.now,
                },
                rng,
            )?;
            result.outcome = Outcome::Rejected;
            result.message = notice;
            result.envelope = Some(simple_envelope(&officer_addr, &[to]));
            result.next = Some(NextHop::Drafter);
            return done(result);
        }
        Decision::Approve => {}
    }
    if result
        .findings
        .iter()
        .any(|f| f.severity == Severity::Block)
    {
        result.outcome = Outcome::Blocked;
        result.problems.push(Problem::new(
            codes::BLOCKED_BY_REVIEW,
            "a review finding of severity block stops release; reject the message or change the policy",
        ));
        return done(result);
    }

    // Step 4: protect the authorisation and list the officer.
    let mut list = keep.clone();
    if !list.iter().any(|a| is_me(a)) {
        list.push(officer_addr.clone());
    }
    // The drafter step 1 authenticated (Sender, else From, bound to his signature).
    let drafter = drafter.unwrap_or_default();
    if req.policy.countersign {
        let signing = match req.policy.form {
            AuthorizationForm::Countersignature => {
                let idx = report
                    .signatures
                    .iter()
                    .find(|s| s.layer == 0 && is_originator_signature(s) && s.valid && s.trusted)
                    .map(|s| s.index)
                    .unwrap_or(0);
                let opts = smime::SignOptions {
                    signing_time: Some(req.now),
                    ..smime::SignOptions::default()
                };
                Signing::Countersignature(PendingCountersignedMessage::begin(
                    &message,
                    idx,
                    req.officer.certificate(),
                    req.officer.chain(),
                    &opts,
                )?)
            }
            AuthorizationForm::ReviewSignature => {
                message = set_authorizing_users(&message, &list)?;
                message = set_release_fields(&message, &drafter, req.now)?;
                let opts = smime::SignOptions {
                    signing_time: Some(req.now),
                    signature_type: vec![smime::SignatureType::Review],
                    ..smime::SignOptions::default()
                };
                Signing::ReviewSignature(PendingSignedEntity::begin_message(
                    &message,
                    req.officer.certificate(),
                    req.officer.chain(),
                    &opts,
                    rng,
                )?)
            }
        };
        return Ok(ReleaseStep::Sign(Box::new(PendingRelease {
            result,
            signing,
            list,
            drafter,
            officer: officer_addr,
            step5,
        })));
    }
    message = set_authorizing_users(&message, &list)?;
    message = set_release_fields(&message, &drafter, req.now)?;
    result.outcome = Outcome::Released;
    done(finish_step5(result, message, &step5, &officer_addr, &list)?)
}

/// A step of [`begin_release`].
#[derive(Debug)]
pub enum ReleaseStep {
    /// The procedure ended without a signature by the officer.
    Done(Box<ReleaseResult>),
    /// The officer's countersignature or review signature is to be made.
    Sign(Box<PendingRelease>),
}

/// The officer's signature of step 4, begun.
#[derive(Debug)]
enum Signing {
    Countersignature(PendingCountersignedMessage),
    ReviewSignature(PendingSignedEntity),
}

/// What step 5 needs of the request.
#[derive(Debug)]
struct Step5 {
    officers: Vec<String>,
    envelope: Option<Envelope>,
    now: time::OffsetDateTime,
}

impl Step5 {
    fn of<O: ?Sized>(req: &ReleaseRequest<'_, O>) -> Self {
        Step5 {
            officers: req.policy.officers.clone(),
            envelope: req.envelope.cloned(),
            now: req.now,
        }
    }
}

/// A release waiting for the officer's signature (step 4): [`Self::request`] says what his
/// key must sign, [`Self::finish`] completes steps 4 and 5 with the signature (verified with
/// his certificate first).
#[derive(Debug)]
pub struct PendingRelease {
    result: ReleaseResult,
    signing: Signing,
    list: Vec<String>,
    drafter: String,
    officer: String,
    step5: Step5,
}

impl PendingRelease {
    /// What the officer's private key must sign.
    pub fn request(&self) -> &SignRequest {
        match &self.signing {
            Signing::Countersignature(p) => p.request(),
            Signing::ReviewSignature(p) => p.request(),
        }
    }

    /// The released message with the officer's `signature`, addressed (step 5).
    pub fn finish(self, signature: &[u8]) -> Result<ReleaseResult, super::Error> {
        let message = match self.signing {
            Signing::Countersignature(p) => {
                let m = p.finish(signature)?;
                let m = set_authorizing_users(&m, &self.list)?;
                set_release_fields(&m, &self.drafter, self.step5.now)?
            }
            Signing::ReviewSignature(p) => p.finish(signature)?,
        };
        let mut result = self.result;
        result.outcome = Outcome::Released;
        finish_step5(result, message, &self.step5, &self.officer, &self.list)
    }
}

/// RFC 7912 §3.3 step 2 failed: return the draft to the drafter with the reason (the
/// return-to-sender notice of `super::notice`), release nothing.
fn bounce<O: ?Sized, R: CryptoRng + ?Sized>(
    mut result: ReleaseResult,
    req: &ReleaseRequest<'_, O>,
    officer: &str,
    unverified: &[String],
    rng: &mut R,
) -> Result<ReleaseResult, super::Error> {
    let reason = format!(
        "MMHS-Authorizing-Users lists {} but no valid review signature or countersignature by {} protects it (RFC 7912 section 3.3 step 2: the message is bounced)",
        unverified.join(", "),
        if unverified.len() == 1 { "that address" } else { "those addresses" }
    );
    let (notice, to) = super::notice::rejection_notice(
        &super::notice::NoticeInput {
            original: req.raw,
            officer,
            reason: &reason,
            now: req.now,
        },
        rng,
    )?;
    result
        .problems
        .push(Problem::new(codes::AUTHORISATION_UNVERIFIED, reason));
    result.outcome = Outcome::Bounced;
    result.message = notice;
    result.envelope = Some(simple_envelope(officer, &[to]));
    result.next = Some(NextHop::Drafter);
    Ok(result)
}

/// Step 5: address the message to the next officer or to the transfer system.
fn finish_step5(
    mut result: ReleaseResult,
    message: Vec<u8>,
    req: &Step5,
    officer: &str,
    authorized: &[String],
) -> Result<ReleaseResult, super::Error> {
    let next_officer = req.officers.iter().find(|o| {
        !authorized.iter().any(|a| a.eq_ignore_ascii_case(o)) && !o.eq_ignore_ascii_case(officer)
    });
    let drafter = drafter_of(&message).unwrap_or_else(|| officer.to_string());
    if let Some(next) = next_officer {
        result.next = Some(NextHop::Officer);
        let mut env = req
            .envelope
            .clone()
            .unwrap_or_else(|| simple_envelope(&drafter, &[]));
        // The next officer gets it; the recipients stay in the original envelope he receives
        // with the message (release queue entries keep the envelope).
        env.rcpts = vec![crate::compose::Rcpt {
            address: next.clone(),
            notify: None,
            orcpt: None,
        }];
        result.envelope = Some(env);
    } else {
        result.next = Some(NextHop::Transfer);
        result.envelope = Some(match &req.envelope {
            Some(e) => e.clone(),
            None => simple_envelope(&drafter, &recipients_of(&message)),
        });
    }
    if let Some(env) = result.envelope.as_mut() {
        if env.mail_params.size.is_some() {
            env.mail_params.size = Some(message.len() as u64);
        }
        // BY= counts from the moment of sending: recompute it from the absolute deadline.
        env.rebase_deliver_by(req.now);
        // The envelope is written as MAIL FROM / RCPT TO lines: its limits (addresses without
        // blanks, controls or `<>`, RFC 3461 / 2852 / 4865 / 6710 parameter ranges) hold here as
        // at the submission agent. A deadline that passed while the message waited stays as it
        // is: the transfer system returns it (RFC 2852 §4, by-mode R).
        match env.check() {
            Ok(()) | Err(crate::compose::envelope::EnvelopeError::ByPassed) => {}
            Err(e) => {
                return Err(super::Error::Malformed(format!(
                    "the envelope cannot be sent: {e}"
                )))
            }
        }
    }
    result.message = message;
    Ok(result)
}

fn simple_envelope(from: &str, rcpts: &[String]) -> Envelope {
    Envelope {
        mail_from: from.to_string(),
        rcpts: rcpts
            .iter()
            .map(|r| crate::compose::Rcpt {
                address: r.clone(),
                notify: None,
                orcpt: None,
            })
            .collect(),
        mail_params: crate::compose::MailParams::default(),
    }
}

/// The addr-specs of every field named `name` in the header section of `raw`.
fn mailboxes_of(raw: &[u8], name: &str) -> Vec<String> {
    HeaderSection::parse(entity::split(raw).0)
        .map(|section| addr_specs(&section, name))
        .unwrap_or_default()
}

/// The drafter of a message: the first Sender mailbox, else the first From mailbox
/// (RFC 5322 §3.6.2: Sender names the agent responsible for the transmission).
pub(super) fn drafter_of(raw: &[u8]) -> Option<String> {
    mailboxes_of(raw, "sender")
        .into_iter()
        .next()
        .or_else(|| mailboxes_of(raw, "from").into_iter().next())
}

/// The To, Cc and Bcc addresses of a message, each once (compared case-insensitively).
pub(super) fn recipients_of(raw: &[u8]) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for x in ["to", "cc", "bcc"]
        .into_iter()
        .flat_map(|n| mailboxes_of(raw, n))
    {
        if !v.iter().any(|y| y.eq_ignore_ascii_case(&x)) {
            v.push(x);
        }
    }
    v
}

/// Replace the top-level MMHS-Authorizing-Users field(s) by one field listing `list` (or
/// remove it when `list` is empty), leaving every other byte of the message unchanged. A new
/// field goes right after the last MMHS-* field, else before MIME-Version / Content-Type.
pub fn set_authorizing_users(raw: &[u8], list: &[String]) -> Result<Vec<u8>, super::Error> {
    for a in list {
        check_addr_spec(a)?;
    }
    let value = (!list.is_empty()).then(|| list.join(",\n "));
    set_top_field(raw, "MMHS-Authorizing-Users", value.as_deref())
}

fn check_addr_spec(a: &str) -> Result<(), super::Error> {
    crate::mime::check_header_value(a)?;
    if !a.contains('@') || a.contains([',', '<', '>', ' ']) {
        return Err(super::Error::Malformed(format!("not an addr-spec: {a:?}")));
    }
    Ok(())
}

/// The header fields a release writes besides MMHS-Authorizing-Users (profile §3.4.3,
/// §3.5.5), in the top-level (outer) header section, where the officer's authorisation lives:
/// - `Sender:` the drafter — the originator whose signature step 1 verified — when the
///   message has no Sender yet. With MMHS-Authorizing-Users present the profile requires the
///   Sender field carrying the Originator Indication (§3.4.3, §3.4.29, "in accordance with
///   RFC 2156"); MIXER maps it to IPMS originator and From + MMHS-Authorizing-Users to
///   authorizing-users (draft-melnikov-mmhs-authorizing-users §5.1, RFC 7912 §5). An existing
///   Sender is kept: step 1 bound it to the originator signature.
/// - `MMHS-Extended-Authorisation-Info:` the time of release (RFC 6477 §3.2: "the date and
///   time when the message was authorised for release"), in UTC to the second — the
///   signingTime of the officer's countersignature or review signature made at the same
///   `now`, which is what lets a recipient trust the outer value (`crate::verify`).
pub fn set_release_fields(
    raw: &[u8],
    drafter: &str,
    now: time::OffsetDateTime,
) -> Result<Vec<u8>, super::Error> {
    check_addr_spec(drafter)?;
    let hs = crate::mime::HeaderSection::parse(raw)?;
    let has_sender = hs.fields.iter().any(|f| f.is("Sender"));
    let mut out = raw.to_vec();
    if !has_sender {
        out = set_top_field(&out, "Sender", Some(drafter))?;
    }
    let at = release_time(now)?;
    set_top_field(
        &out,
        "MMHS-Extended-Authorisation-Info",
        Some(&crate::fields::date_time::DateTime(at).to_string()),
    )
}

/// The release time as written and signed: UTC, whole seconds (UTCTime/GeneralizedTime of
/// signingTime carry seconds, RFC 5652 §11.3).
pub fn release_time(now: time::OffsetDateTime) -> Result<time::OffsetDateTime, super::Error> {
    now.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .map_err(|e| super::Error::Malformed(format!("release time: {e}")))
}

/// Replace every top-level `name` field by one `name: value` field (a `\n` in `value` is a
/// fold, written with the message's line end), or remove them all (`None`), leaving every
/// other byte unchanged. A new field goes where the first old one was, else right after the
/// last MMHS-* field, else before MIME-Version / Content-Type.
fn set_top_field(raw: &[u8], name: &str, value: Option<&str>) -> Result<Vec<u8>, super::Error> {
    if let Some(v) = value {
        for line in v.split('\n') {
            crate::mime::check_header_value(line)?;
        }
    }
    let hs = crate::mime::HeaderSection::parse(raw)?;
    let existing: Vec<std::ops::Range<usize>> = hs
        .fields
        .iter()
        .filter(|f| f.is(name))
        .map(|f| f.span.clone())
        .collect();
    let eol: &[u8] = if raw.windows(2).any(|w| w == b"\r\n") {
        b"\r\n"
    } else {
        b"\n"
    };
    let field = match value {
        None => Vec::new(),
        Some(v) => {
            let mut f = format!("{name}: ").into_bytes();
            for (i, line) in v.split('\n').enumerate() {
                if i > 0 {
                    f.extend_from_slice(eol);
                }
                f.extend_from_slice(line.as_bytes());
            }
            f.extend_from_slice(eol);
            f
        }
    };
    let insert_at = match existing.first() {
        Some(r) => r.start,
        None if name.eq_ignore_ascii_case("Sender") => hs
            .fields
            .iter()
            .find(|f| f.is("From"))
            .map(|f| f.span.end)
            .unwrap_or(hs.body_offset.saturating_sub(eol.len())),
        None => hs
            .fields
            .iter()
            .filter(|f| f.name.to_ascii_lowercase().starts_with("mmhs-"))
            .map(|f| f.span.end)
            .max()
            .or_else(|| {
                hs.fields
                    .iter()
                    .find(|f| f.is("MIME-Version") || f.is("Content-Type"))
                    .map(|f| f.span.start)
            })
            .unwrap_or(hs.body_offset.saturating_sub(eol.len())),
    };
    let mut out = Vec::with_capacity(raw.len() + field.len());
    let mut pos = 0;
    let mut inserted = false;
    for r in &existing {
        if !inserted && r.start >= insert_at {
            out.extend_from_slice(&raw[pos..r.start]);
            out.extend_from_slice(&field);
            inserted = true;
        } else {
            out.extend_from_slice(&raw[pos..r.start]);
        }
        pos = r.end;
    }
    if !inserted {
        out.extend_from_slice(&raw[pos..insert_at]);
        out.extend_from_slice(&field);
        pos = insert_at;
    }
    out.extend_from_slice(&raw[pos..]);
    Ok(out)
}

/// What the review reads: the innermost content when it is a complete message (a
/// header-protection wrapper, `message/rfc822`), otherwise the outer header fields (without
/// the MIME fields of the outer S/MIME layer) followed by the innermost MIME entity — the
/// message as its recipients will see it.
fn review_view(raw: &[u8], content: &[u8]) -> Vec<u8> {
    let content_fields = entity::fields(entity::split(content).0);
    let mime = entity::entity_media_type(&content_fields).mime;
    let is_message = entity::field(&content_fields, "content-type").is_some()
        && (mime == "message/rfc822" || mime == "message/global");
    if is_message {
        return content.to_vec();
    }
    let outer_fields = entity::fields(entity::split(raw).0);
    let mut out = Vec::with_capacity(raw.len().min(64 * 1024) + content.len());
    for f in outer_fields {
        if entity::is_content_field(f.name) || f.name.eq_ignore_ascii_case("mime-version") {
            continue;
        }
        out.extend_from_slice(&entity::canonical_crlf(f.raw));
        if !f.raw.ends_with(b"\n") {
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_field_insert_append_remove() {
        let m = b"From: a@x\r\nMMHS-Primary-Precedence: 4\r\nMIME-Version: 1.0\r\n\r\nbody\r\n";
        let one = set_authorizing_users(m, &["o1@x".into()]).unwrap();
        assert_eq!(
            one,
            b"From: a@x\r\nMMHS-Primary-Precedence: 4\r\nMMHS-Authorizing-Users: o1@x\r\nMIME-Version: 1.0\r\n\r\nbody\r\n"
        );
        let two = set_authorizing_users(&one, &["o1@x".into(), "o2@x".into()]).unwrap();
        assert_eq!(listed_authorizing_users(&two), vec!["o1@x", "o2@x"]);
        assert_eq!(
            String::from_utf8_lossy(&two)
                .matches("MMHS-Authorizing-Users")
                .count(),
            1
        );
        let none = set_authorizing_users(&two, &[]).unwrap();
        assert_eq!(none, m);
        let dup = b"From: a@x\r\nMMHS-Authorizing-Users: f@x\r\nSubject: s\r\nMMHS-Authorizing-Users: g@x\r\n\r\nb\r\n";
        let fixed = set_authorizing_users(dup, &["o@x".into()]).unwrap();
        assert_eq!(
            fixed,
            b"From: a@x\r\nMMHS-Authorizing-Users: o@x\r\nSubject: s\r\n\r\nb\r\n"
        );
        assert!(set_authorizing_users(m, &["bad\r\nInjected: x@y".into()]).is_err());
    }

    #[test]
    fn release_fields_sender_after_from_and_the_time_replaced() {
        let m = b"From: A <a@x>\r\nTo: b@y\r\nMMHS-Extended-Authorisation-Info: Mon, 23 Nov 2026 12:00:00 +0000\r\nMMHS-Extended-Authorisation-Info: Tue, 24 Nov 2026 12:00:00 +0000\r\n\r\nbody\r\n";
        let at = time::macros::datetime!(2026-11-25 10:11:12.987 +02:00);
        let out = set_release_fields(m, "a@x", at).unwrap();
        assert_eq!(
            out,
            b"From: A <a@x>\r\nSender: a@x\r\nTo: b@y\r\nMMHS-Extended-Authorisation-Info: Wed, 25 Nov 2026 08:11:12 +0000\r\n\r\nbody\r\n"
        );
        // An existing Sender is kept (step 1 bound it to the originator signature).
        let with_sender = b"From: A <a@x>\r\nSender: s@x\r\n\r\nbody\r\n";
        let out = set_release_fields(with_sender, "s@x", at).unwrap();
        assert_eq!(String::from_utf8_lossy(&out).matches("Sender:").count(), 1);
        assert!(String::from_utf8_lossy(&out).contains("Sender: s@x\r\n"));
        // LF messages keep LF; a drafter that is not an addr-spec is refused.
        let lf = set_release_fields(b"From: a@x\n\nbody\n", "a@x", at).unwrap();
        assert!(!lf.windows(2).any(|w| w == b"\r\n"));
        for bad in ["a@x\r\nBcc: m@z", "A <a@x>", "nobody", ""] {
            assert!(set_release_fields(m, bad, at).is_err(), "{bad:?}");
        }
    }
}

//! Reading a received message: the one receive pipeline behind every verdict.
//!
//! [`verify_message`] unwraps every S/MIME layer (RFC 8551 §3: multipart/signed, SignedData,
//! EnvelopedData, AuthEnvelopedData, CompressedData, `application/zlib|gzip`), nested in any
//! order up to [`VerifyContext::max_depth`], and produces the one [`VerifyReport`] that the
//! CLI, the wasm facade, the release procedure, the release gate and the extension render.
//! Each concept lives in one file:
//!
//! - [`walk`]: the layer walk (`verify_message`, `verify_cms`);
//! - [`open`]: opening encrypted and compressed layers;
//! - [`digests`]: message digests of the signed content computed by the caller's provider
//!   ("hash this range"), used by the walk where the content lies in the message;
//! - [`signers`]: every SignerInfo and countersignature bound to exactly the certificate its
//!   SignerIdentifier names (`smime::signer_certificate`), and trust judged on that same
//!   certificate ([`trust`]) — nothing is ever looked up by name or address;
//! - [`originator`]: the From / Sender the recipient is shown, and the signer ↔ sender binding;
//! - [`naming`]: the DOMSEC naming verdict of domain-type signatures against the originator,
//!   and `domainVerified` (draft-melnikov-smime-msa-to-mda-04 §2.6, §3);
//! - [`domain_encryption`]: for whom each encrypted layer was encrypted (a recipient, a
//!   domain's DCA or gateway) and what a gateway decrypted before delivery;
//! - [`label`]: the MMHS view and the ESS security label against SIO-Label;
//! - [`coverage`]: per header field, whether a valid signature covers it;
//! - [`auth_results`]: the `Authentication-Results` (DKIM, RFC 8601) of agents the reader
//!   trusts, shown beside the verdict and never part of it;
//! - [`authorizing_users`]: which authorisations (RFC 7912) a valid countersignature protects;
//! - [`receipt`]: signed receipts (RFC 2634 §2): the request an original carries, returning a
//!   receipt ([`receipt::make_receipt`]) and checking one against its original;
//! - [`correspondents`]: the signer certificates a valid report vouches for, and the
//!   originator address each is bound to (what a client keeps to encrypt to);
//! - [`verdict`]: the cross-layer steps in order, problems ordered cause first, and `valid`.
//!
//! `smime` keeps the CMS-level checks (signature values, signed attributes, SignerIdentifier
//! resolution); `protect` the header-protection analysis; `mmhs` the header fields.

pub(crate) mod auth_results;
pub(crate) mod authorizing_users;
pub(crate) mod correspondents;
pub(crate) mod coverage;
pub(crate) mod digests;
pub(crate) mod domain_encryption;
pub(crate) mod label;
pub(crate) mod naming;
pub(crate) mod open;
pub(crate) mod originator;
pub(crate) mod receipt;
pub(crate) mod request;
pub(crate) mod signers;
pub(crate) mod trust;
pub(crate) mod verdict;
pub(crate) mod walk;

use x509_cert::Certificate;

use crate::algorithm_policy::AlgorithmPolicy;
use crate::keys::PrivateKey;
use crate::report::VerifyReport;
use crate::smime::key_operation::{
    decrypt_content_with_rust, decrypt_with_key, ContentDecryptAsk, ContentDecryptRequest,
    ContentDigest, DecryptAnswers, DecryptRequest,
};
use crate::smime::DecompressLimits;
use crate::trust::{SignatureCheck, SignatureChecks};
use zeroize::Zeroizing;

pub use authorizing_users::{
    authorizing_users_status, is_originator_signature, listed_authorizing_users,
};
pub use digests::{digest_ranges, DigestAnswers, DigestClaim, DigestRange, DigestRecording};
pub use receipt::{
    make_receipt, PendingReceipt, ReceiptInProgress, ReceiptOptions, ReceiptStep, SignedReceipt,
};
pub(crate) use request::with_verify_material;
pub use request::{add_recipient_key, MakeReceiptRequest, VerifyRequest};
pub use walk::{
    verify_cms, verify_message, verify_message_with_digests, DEFAULT_MAX_DEPTH, MAX_MESSAGE_SIZE,
};

/// What `verify` needs from the caller: trust anchors, the time, optional extra certificates
/// and CRLs, optional decryption keys. Nothing is read from the environment.
#[derive(Clone, Debug, Default)]
pub struct VerifyContext {
    /// Trust anchors (root certificates).
    pub trust_anchors: Vec<Certificate>,
    /// Extra certificates: intermediates, or signer certificates for messages sent without
    /// them (impoverished links). They can be named by a SignerIdentifier like the message's
    /// own; they never stand in for a certificate the identifier does not name.
    pub certificates: Vec<Certificate>,
    /// CRLs (DER) to use in path validation.
    pub crls: Vec<Vec<u8>>,
    /// The validation time; `None` means "now" is not known — path validation then uses the
    /// signingTime of each signature, and reports `validation-time-unknown` without one.
    pub at: Option<time::OffsetDateTime>,
    /// Keys (with their certificates) to decrypt enveloped layers.
    pub decryption_keys: Vec<(PrivateKey, Certificate)>,
    /// Keys held outside the core (a WebCrypto `CryptoKey`): their certificates and the
    /// answers their holder gave so far ([`verify_message_step`]); tried after
    /// `decryption_keys`.
    pub decryption_answers: Option<DecryptAnswers>,
    /// Signature values checked by a provider outside the core (WebCrypto): its answers so
    /// far ([`verify_message_step`], [`SignatureRound`]); `None`: every value is verified in
    /// Rust. Outside a step, an unanswered value is verified in Rust as well.
    pub signature_checks: Option<SignatureChecks>,
    /// Maximum number of nested S/MIME layers (0 = [`DEFAULT_MAX_DEPTH`]).
    pub max_depth: usize,
    /// Limits on decompressed output (CompressedData, application/zlib, application/gzip).
    pub decompress_limits: DecompressLimits,
    /// The original message a signed receipt answers (the sender's copy, e.g. from Sent):
    /// a signed receipt is checked against it (RFC 2634 §2.7, [`receipt`]); `None` for
    /// anything else.
    pub original: Option<Vec<u8>>,
    /// What weak algorithms and keys do to the verdict (default: they make it not valid;
    /// [`AlgorithmPolicy::legacy`] reports them as notes).
    pub algorithms: AlgorithmPolicy,
    /// The reader's address, for the MMHS view's `readerPrecedence` (the precedence this
    /// reader acts on, MMHS profile §3.5.1, §3.5.2); `None` → not computed.
    pub reader: Option<String>,
    /// The authserv-ids (RFC 8601 §2.2) of the agents whose `Authentication-Results` the
    /// reader trusts — its own receiving border, e.g. the `hostname` of `mmhs serve`
    /// ([`auth_results`]); empty (the default) trusts none.
    pub trusted_authserv_ids: Vec<String>,
    /// The caller's cancellation flag (e.g. set by a time budget's timer): once set, the
    /// walk stops at its next check point — between layers, per signature value, per issuer
    /// candidate in path building, before decrypting — and [`verify_message`] answers
    /// `verification-cancelled` ([`Error::Cancelled`](crate::smime::Error::Cancelled)), no
    /// report. `None` (the CLI, the wasm facade): never cancelled. Not part of any JSON.
    pub cancel: Option<crate::cancel::Cancel>,
    /// The caller wants the report only: [`Verified::content`] is left empty, so the
    /// innermost content is judged where it lies and never copied out (a 10 MiB message
    /// costs no second 10 MiB). Not part of any JSON (the requests' `withContent` sets it).
    pub without_content: bool,
}

impl VerifyContext {
    /// The certificates of every decryption key: `decryption_keys`, then those of
    /// `decryption_answers` (the index [`Self::answer_decryption`] takes).
    pub(crate) fn decryption_certificates(&self) -> Vec<&Certificate> {
        let answered = self.decryption_answers.iter().flat_map(|a| &a.certificates);
        self.decryption_keys
            .iter()
            .map(|(_, c)| c)
            .chain(answered)
            .collect()
    }

    /// Add a decryption key held outside the core by its certificate (`chain`: its further
    /// certificates, for path building): the walk asks for its answers
    /// ([`verify_message_step`]). Its index in `decryption_answers.certificates` is the
    /// position it is added at.
    pub fn add_held_key(&mut self, cert: &Certificate, chain: &[Certificate]) {
        self.certificates.extend(chain.iter().cloned());
        self.decryption_answers
            .get_or_insert_with(|| DecryptAnswers::new(Vec::new()))
            .certificates
            .push(cert.clone());
    }

    /// Answer a decryption request for certificate `index` of
    /// [`Self::decryption_certificates`]: with the private key, or from the key holder's
    /// answers.
    pub(crate) fn answer_decryption(
        &self,
        index: usize,
        req: &DecryptRequest,
    ) -> Result<Zeroizing<Vec<u8>>, crate::smime::Error> {
        if let Some((key, _)) = self.decryption_keys.get(index) {
            return decrypt_with_key(key, req);
        }
        match &self.decryption_answers {
            Some(a) => a.answer(index - self.decryption_keys.len(), req),
            None => Err(crate::smime::Error::Malformed(
                "key index out of range".into(),
            )),
        }
    }

    /// Decrypt a layer's content: from the provider's answer, with its digests of ranges of
    /// it ([`DecryptAnswers::content_answer`]), or with the pure-Rust provider.
    pub(crate) fn answer_content(
        &self,
        req: &ContentDecryptRequest<'_>,
        owner: Option<&std::sync::Arc<Vec<u8>>>,
    ) -> (
        Result<std::borrow::Cow<'_, [u8]>, crate::smime::Error>,
        &[ContentDigest],
    ) {
        use std::borrow::Cow;
        match self
            .decryption_answers
            .as_ref()
            .and_then(|a| a.content_answer(req, owner))
        {
            Some((answer, digests)) => (answer.map(Cow::Borrowed), digests),
            None => (decrypt_content_with_rust(req).map(Cow::Owned), &[]),
        }
    }
}

/// How many times [`verify_message_step`] may ask for answers in one verification: one
/// round per encrypted layer and RecipientInfo tried, and one per layer's content, bounded
/// like the layers themselves.
pub const MAX_DECRYPT_ROUNDS: usize = 3 * DEFAULT_MAX_DEPTH;

/// One step of [`verify_message`] with keys held outside the core
/// ([`VerifyContext::decryption_answers`]) or signature values checked outside it
/// ([`VerifyContext::signature_checks`]).
#[derive(Debug)]
pub enum VerifyStep {
    /// The verification, every decryption request it made answered and every signature
    /// value it met verified.
    Done(Box<Verified>),
    /// Decryption requests to answer ([`DecryptAnswers::add`]) before verifying again:
    /// (index into `decryption_answers.certificates`, request).
    Decrypt(Vec<(usize, DecryptRequest)>),
    /// Contents to decrypt ([`DecryptAnswers::add_content`]) before verifying again, when
    /// the provider decrypts contents ([`DecryptAnswers::provider_decrypts_content`]).
    DecryptContent(Vec<ContentDecryptAsk>),
    /// Signature values the walk took as valid, and content digests it took from the
    /// signed messageDigest attributes, until the provider answers them
    /// ([`SignatureRound::finish`]).
    Check(SignatureRound),
}

/// A walk that took the signature values of [`Self::requests`] as valid, and the content
/// digests of [`Self::digest_claims`] from the signed messageDigest attributes, while the
/// provider computed them: it stands once the provider has answered every signature value
/// valid and every digest the same — the walk is a function of those answers, so it is then
/// the walk with the answers — and is discarded otherwise.
#[derive(Debug)]
pub struct SignatureRound {
    verified: Box<Verified>,
    requests: Vec<SignatureCheck>,
    digest_claims: Vec<DigestClaim>,
}

impl SignatureRound {
    /// The signature values to verify.
    pub fn requests(&self) -> &[SignatureCheck] {
        &self.requests
    }

    /// The walk as it stands if the provider confirms it ([`Self::finish`]).
    pub fn walk(&self) -> &Verified {
        &self.verified
    }

    /// The digests the walk took before the provider answered them
    /// ([`DigestAnswers::expect`]); empty when none.
    pub fn digest_claims(&self) -> &[DigestClaim] {
        &self.digest_claims
    }

    /// The provider's answers, index-aligned with [`Self::requests`] (`Some(valid)`, or
    /// `None` where it could not check a value; a missing answer counts as `None`), recorded
    /// in `ctx.signature_checks` ([`crate::trust::SignatureChecks::add`]), and
    /// its digests (`digests`, answered since the step: [`DigestAnswers::add`]): the
    /// verification when every value is `true` and every digest claim confirmed
    /// ([`DigestAnswers::confirms`]), else `None` — walk again ([`verify_message_step`]);
    /// the values the provider did not confirm are then verified in Rust, and the digests
    /// it did not answer computed.
    pub fn finish(
        self,
        ctx: &VerifyContext,
        answers: &[Option<bool>],
        digests: Option<&DigestAnswers<'_>>,
    ) -> Option<Box<Verified>> {
        let all = self.requests.len() == answers.len() && answers.iter().all(|a| *a == Some(true));
        let confirmed = self.digest_claims.is_empty()
            || digests.is_some_and(|d| d.confirms(&self.digest_claims));
        if let Some(checks) = &ctx.signature_checks {
            for (i, r) in self.requests.into_iter().enumerate() {
                if let Some(valid) = answers.get(i).copied().flatten() {
                    checks.add(r, valid);
                }
            }
        }
        (all && confirmed).then_some(self.verified)
    }
}

/// [`verify_message`], then the decryption requests the walk could not answer yet, or the
/// signature values it took as valid until the provider answers them: the caller answers
/// ([`DecryptAnswers::add`], [`SignatureRound::finish`]) and calls again, at most
/// [`MAX_DECRYPT_ROUNDS`] times — the same walk, the same report as with the key itself and
/// every signature verified in Rust.
pub fn verify_message_step(
    raw: &[u8],
    ctx: &VerifyContext,
) -> Result<VerifyStep, crate::smime::Error> {
    verify_message_step_with_digests(raw, ctx, None)
}

/// [`verify_message_step`] with the provider's digests of `raw`'s signed content
/// ([`digest_ranges`], [`verify_message_with_digests`]).
pub fn verify_message_step_with_digests(
    raw: &[u8],
    ctx: &VerifyContext,
    digests: Option<&DigestAnswers<'_>>,
) -> Result<VerifyStep, crate::smime::Error> {
    let recording = ctx
        .signature_checks
        .as_ref()
        .map(SignatureChecks::recording);
    let recording_digests = digests.map(DigestAnswers::recording);
    let recording_contents = ctx
        .decryption_answers
        .as_ref()
        .map(DecryptAnswers::recording_contents);
    let verified = verify_message_with_digests(raw, ctx, digests);
    drop(recording_contents);
    let digest_claims = recording_digests
        .as_ref()
        .map(DigestRecording::claims)
        .unwrap_or_default();
    drop(recording_digests);
    drop(recording);
    let requests = ctx
        .signature_checks
        .as_ref()
        .map(SignatureChecks::take_asked)
        .unwrap_or_default();
    let verified = verified?;
    let asked = ctx
        .decryption_answers
        .as_ref()
        .map(DecryptAnswers::take_asked)
        .unwrap_or_default();
    let contents = ctx
        .decryption_answers
        .as_ref()
        .map(DecryptAnswers::take_asked_contents)
        .unwrap_or_default();
    Ok(if !asked.is_empty() {
        VerifyStep::Decrypt(asked)
    } else if !contents.is_empty() {
        VerifyStep::DecryptContent(contents)
    } else if !requests.is_empty() || !digest_claims.is_empty() {
        VerifyStep::Check(SignatureRound {
            verified: Box::new(verified),
            requests,
            digest_claims,
        })
    } else {
        VerifyStep::Done(Box::new(verified))
    })
}

/// The report plus the content to render once the layers are removed.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The verification report.
    pub report: VerifyReport,
    /// Index-aligned with `report.signatures`: the one certificate each SignerIdentifier
    /// named (`None` when none or several did) — for callers that judge a certificate
    /// further, e.g. the names of a domain signing agent (draft-melnikov-smime-msa-to-mda-04
    /// §2.6), with exactly the certificate the signature was verified with.
    pub signer_certificates: Vec<Option<Certificate>>,
    /// For a message ([`verify_message`]) with S/MIME layers: the outer header fields (less
    /// the outer `Content-*` ones) followed by the innermost MIME entity — a whole message,
    /// as [`crate::smime::decrypt_message`] returns it; for a header-protected message that
    /// entity is the `message/rfc822` wrapper, whose inner message is what to render. Without
    /// any S/MIME layer, the message as received (CRLF). For [`verify_cms`], the encapsulated
    /// (or detached) content octets.
    pub content: Vec<u8>,
}

/// A message together with its verification, made in one step ([`VerifiedMessage::verify`])
/// so that the report of one message is never taken for another's. Agents that act on a
/// verified message — the domain signing agent (draft-melnikov-smime-msa-to-mda-04 §3.3:
/// "all other signatures present are valid") and the Mail List Agent (RFC 2634 §4.2: verify
/// before expanding) — take it instead of verifying the message again, so a caller that
/// judged the report (a boundary agent's policy) and the agent act on the same verification.
#[derive(Debug, Clone)]
pub struct VerifiedMessage<'a> {
    raw: &'a [u8],
    verified: Verified,
}

impl<'a> VerifiedMessage<'a> {
    /// Verify `raw` with `ctx` ([`verify_message`]).
    pub fn verify(raw: &'a [u8], ctx: &VerifyContext) -> Result<VerifiedMessage<'a>, Error> {
        Ok(VerifiedMessage {
            raw,
            verified: verify_message(raw, ctx)?,
        })
    }

    /// The message as verified.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Its verification.
    pub fn verified(&self) -> &Verified {
        &self.verified
    }

    /// Its report.
    pub fn report(&self) -> &VerifyReport {
        &self.verified.report
    }
}

/// Errors of `verify`: only when the input cannot be treated as a message at all; every
/// finding about a message is a problem in the report.
pub type Error = crate::smime::Error;

/// Verify a message; see the module documentation. `Err` only when the input cannot be
/// treated as a message at all (empty, too large).
pub fn verify(raw: &[u8], ctx: &VerifyContext) -> Result<VerifyReport, Error> {
    walk::verify_report(raw, ctx)
}

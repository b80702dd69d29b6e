//! Signed receipts on the receive side (RFC 2634 §2; MMHS profile §4.1.7, non-repudiation of
//! receipt): the receipt request an original carries, returning a signed receipt for it, and
//! checking a signed receipt against the original it answers.
//!
//! - `request`: the `receiptRequest` of the report. RFC 2634 §2.2: a request belongs on the
//!   originator's signature (`receipt-request-misplaced` on a domain / review /
//!   additional-attributes signature); §2.2.1: every SignerInfo that carries one carries the
//!   same (`receipt-request-inconsistent`).
//! - [`make_receipt`]: RFC 2634 §2.3 and §2.4 — never for a message whose verification
//!   report is not `valid`, never for a signed receipt, only when a verified originator
//!   signature requests one, and only when `receiptsFrom` includes this recipient (`all`;
//!   `firstTier` when the message did not come through a mailing list; a `receiptList`
//!   naming one of the recipient certificate's addresses). A message that went through a
//!   mailing list (an mlExpansionHistory attribute, §4.2) is refused: its mlReceiptPolicy
//!   (§2.3 step 3) is not implemented, and refusing is the side that cannot lie.
//! - `check`: RFC 2634 §2.7 — a SignedData of id-ct-receipt is recognised by the walk; its
//!   Receipt must be DER, carry no receiptRequest, every SignerInfo a msgSigDigest, and, with
//!   the original the caller supplies ([`super::VerifyContext::original`]):
//!   originatorSignatureValue names one of the original's SignerInfos, msgSigDigest is the
//!   digest of that SignerInfo's signed attributes, contentType is its content type, the
//!   identifier is that of its receipt request, and the receipt signer is one the request
//!   asked (a `receiptList` entity; a first-tier recipient — To / Cc / Bcc of the original —
//!   for `firstTier`).

use crate::fields::address;
use crate::mime::entity::{self, split};
use crate::report::{Problem, ReceiptReport, ReceiptsFrom, SignatureReport, VerifyReport};
use crate::rng::CryptoRng;
use crate::smime::key_operation::{
    sign_with_key, ContentAnswer, ContentDecryptAsk, DecryptAnswers, DecryptRequest, SignRequest,
};
use crate::smime::receipt::{begin_signed_receipt, msg_sig_digest, Receipt};
use crate::smime::receipt_request::{rfc822_names, ReceiptRequest};
use crate::smime::signed_build::PendingSignedData;
use crate::smime::signed_parse::hex;
use crate::smime::signed_verify::SignerCheck;
use crate::smime::{pkcs7_mime_part, SmimeType};
use crate::smime::{DigestAlg, SignOptions, Signer};
use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::authorizing_users::is_originator_signature;
use super::{Error, VerifyContext};
use crate::mime::encode::{mailbox, Headers, Message, Part};

/// Problem codes of this module (documented in `docs/report.md`).
pub(crate) mod codes {
    /// A receiptRequest on a signature that is not an originator signature.
    pub(crate) const REQUEST_MISPLACED: &str = "receipt-request-misplaced";
    /// SignerInfos carrying different receipt requests (RFC 2634 §2.2.1).
    pub(crate) const REQUEST_INCONSISTENT: &str = "receipt-request-inconsistent";
    /// A signed receipt whose SignerInfo carries a receiptRequest (RFC 2634 §2.2).
    pub(crate) const REQUEST_IN_RECEIPT: &str = "receipt-request-in-receipt";
    /// The Receipt content cannot be decoded, is not v1 or not DER.
    pub(crate) const MALFORMED: &str = "receipt-malformed";
    /// A signed receipt checked without its original.
    pub(crate) const ORIGINAL_UNKNOWN: &str = "receipt-original-unknown";
    /// originatorSignatureValue names none of the original's signatures.
    pub(crate) const NOT_FOR_ORIGINAL: &str = "receipt-not-for-original";
    /// msgSigDigest is not the digest of the original's signed attributes.
    pub(crate) const MSG_SIG_DIGEST_MISMATCH: &str = "receipt-msg-sig-digest-mismatch";
    /// The Receipt's contentType is not the original's.
    pub(crate) const CONTENT_TYPE_MISMATCH: &str = "receipt-content-type-mismatch";
    /// The original signature asked for no receipt.
    pub(crate) const NOT_REQUESTED: &str = "receipt-not-requested";
    /// signedContentIdentifier differs from the original request's.
    pub(crate) const IDENTIFIER_MISMATCH: &str = "receipt-identifier-mismatch";
    /// The receipt signer is not one the request asked for a receipt.
    pub(crate) const SIGNER_NOT_REQUESTED: &str = "receipt-signer-not-requested";
}

/// Why [`make_receipt`] returns no receipt; [`Refusal::code`] is the stable code of the
/// [`Error::ReceiptRefused`] it returns (`docs/cli.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum Refusal {
    /// The original's verification report is not `valid`.
    Invalid,
    /// No verified originator signature requests a receipt.
    NotRequested,
    /// The original is itself a signed receipt.
    Receipt,
    /// receiptsFrom does not include this recipient.
    NotListed,
    /// The message went through a mailing list (mlExpansionHistory).
    MailingList,
    /// receiptsTo names no address, or the recipient certificate has none.
    NoAddress,
}

impl Refusal {
    /// The stable code.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Refusal::Invalid => "receipt-refused-invalid",
            Refusal::NotRequested => "receipt-refused-not-requested",
            Refusal::Receipt => "receipt-refused-receipt",
            Refusal::NotListed => "receipt-refused-not-listed",
            Refusal::MailingList => "receipt-refused-mailing-list",
            Refusal::NoAddress => "receipt-refused-no-address",
        }
    }
}

/// A SignedData of id-ct-receipt found by the walk: its Receipt content and its layer.
#[derive(Debug, Clone)]
pub(crate) struct ReceivedReceipt {
    /// The eContent (Receipt DER as received).
    pub content: Vec<u8>,
    /// Index into `layers` of that SignedData.
    pub layer: usize,
}

fn problem(out: &mut Vec<Problem>, code: &str, message: impl Into<String>) {
    out.push(Problem::new(code, message));
}

/// The originator signatures of `report` that carry a receipt request, with their checks
/// (`checks` are in the order of `report.signatures`).
fn requests<'a>(
    report: &'a VerifyReport,
    checks: &'a [SignerCheck],
) -> impl Iterator<Item = (&'a SignatureReport, &'a SignerCheck, &'a ReceiptRequest)> {
    report
        .signatures
        .iter()
        .zip(checks)
        .filter_map(|(s, c)| c.receipt_request.as_ref().map(|r| (s, c, r)))
}

/// Fill `report.receipt_request` and the request problems (RFC 2634 §2.2, §2.2.1).
pub(crate) fn request(report: &mut VerifyReport, checks: &[SignerCheck]) {
    let mut problems = Vec::new();
    let mut shown: Option<(String, &ReceiptRequest)> = None;
    for (s, _, r) in requests(report, checks) {
        if !is_originator_signature(s) {
            problem(
                &mut problems,
                codes::REQUEST_MISPLACED,
                format!(
                    "{} ({} signature) carries a receipt request: only the originator's signature may ask for signed receipts (RFC 2634 §2.2)",
                    s.signer, s.signature_type
                ),
            );
            continue;
        }
        match &shown {
            None => shown = Some((s.signer.clone(), r)),
            Some((_, first)) if *first != r => problem(
                &mut problems,
                codes::REQUEST_INCONSISTENT,
                format!(
                    "{} carries a receipt request different from another signature's (RFC 2634 §2.2.1: they must be identical)",
                    s.signer
                ),
            ),
            Some(_) => {}
        }
    }
    let view = shown.map(|(signer, r)| r.report(&signer));
    report.receipt_request = view;
    report.problems.extend(problems);
}

/// Check the signed receipt `received` (RFC 2634 §2.7) against `ctx.original`; fills
/// `report.receipt` and adds its problems to `report.problems`. `checks` are in the order of
/// `report.signatures`.
pub(crate) fn check(
    report: &mut VerifyReport,
    checks: &[SignerCheck],
    received: &ReceivedReceipt,
    ctx: &VerifyContext,
) {
    let mut problems = Vec::new();
    let signers: Vec<(&SignatureReport, &SignerCheck)> = report
        .signatures
        .iter()
        .zip(checks)
        .filter(|(s, _)| s.layer == received.layer)
        .collect();
    let mut view = ReceiptReport {
        original_checked: ctx.original.is_some(),
        ..ReceiptReport::default()
    };
    if let Some((s, _)) = signers.first() {
        view.signer = s.signer.clone();
        view.from = s.emails.clone();
        view.signing_time = s.signing_time.clone();
    }
    for (s, c) in &signers {
        if c.receipt_request.is_some() {
            problem(
                &mut problems,
                codes::REQUEST_IN_RECEIPT,
                format!(
                    "the signed receipt of {} requests a receipt itself (RFC 2634 §2.2: never in a receipt)",
                    s.signer
                ),
            );
        }
        if c.msg_sig_digest.is_none() {
            problem(
                &mut problems,
                "signed-attr-missing",
                format!(
                    "the signed receipt of {} has no msgSigDigest attribute (RFC 2634 §2.4)",
                    s.signer
                ),
            );
        }
    }
    match Receipt::from_der(&received.content) {
        Err(e) => problem(&mut problems, codes::MALFORMED, format!("Receipt: {e}")),
        Ok(receipt) => {
            view.identifier = hex(&receipt.signed_content_identifier);
            view.content_type = receipt.content_type.to_string();
            match &ctx.original {
                None => problem(
                    &mut problems,
                    codes::ORIGINAL_UNKNOWN,
                    "a signed receipt proves receipt only of the original it names: supply the original (the sent message) to check it",
                ),
                Some(original) => {
                    against_original(&receipt, &signers, original, ctx, &mut problems);
                }
            }
        }
    }
    view.problems = problems.clone();
    report.receipt = Some(view);
    report.problems.extend(problems);
}

/// RFC 2634 §2.7 steps against the original message.
fn against_original(
    receipt: &Receipt,
    signers: &[(&SignatureReport, &SignerCheck)],
    original: &[u8],
    ctx: &VerifyContext,
    problems: &mut Vec<Problem>,
) {
    let octx = VerifyContext {
        original: None,
        ..ctx.clone()
    };
    let (verified, ochecks) = match super::walk::verify_with_checks(original, &octx) {
        Ok(w) => w,
        Err(e) => {
            problem(
                problems,
                codes::NOT_FOR_ORIGINAL,
                format!("the original cannot be read: {e}"),
            );
            return;
        }
    };
    let Some(o) = ochecks
        .iter()
        .find(|c| c.signature_value == receipt.originator_signature_value)
    else {
        problem(
            problems,
            codes::NOT_FOR_ORIGINAL,
            "originatorSignatureValue is not the value of any signature of the original: this receipt is for another message",
        );
        return;
    };
    // msgSigDigest: the original SignerInfo's digest algorithm over its signed attributes.
    match (&o.signed_attrs_der, o.digest) {
        (Some(attrs), Some(alg)) => {
            for (s, c) in signers {
                let Some(got) = &c.msg_sig_digest else {
                    continue;
                };
                let receipt_alg = c.digest;
                let ok = *got == msg_sig_digest(alg, attrs)
                    || receipt_alg.is_some_and(|r| *got == msg_sig_digest(r, attrs));
                if !ok {
                    problem(
                        problems,
                        codes::MSG_SIG_DIGEST_MISMATCH,
                        format!(
                            "the msgSigDigest signed by {} is not the digest of the original signature's signed attributes: the receipt acknowledges other content",
                            s.signer
                        ),
                    );
                }
            }
        }
        _ => problem(
            problems,
            codes::NOT_REQUESTED,
            "the original signature has no signed attributes, so it requests no receipt",
        ),
    }
    if o.content_type != Some(receipt.content_type) {
        problem(
            problems,
            codes::CONTENT_TYPE_MISMATCH,
            format!(
                "the receipt names content type {}, the original signature {}",
                receipt.content_type,
                o.content_type
                    .map_or_else(|| "none".to_string(), |c| c.to_string())
            ),
        );
    }
    let Some(request) = &o.receipt_request else {
        problem(
            problems,
            codes::NOT_REQUESTED,
            "the original signature carries no receipt request",
        );
        return;
    };
    if request.signed_content_identifier != receipt.signed_content_identifier {
        problem(
            problems,
            codes::IDENTIFIER_MISMATCH,
            format!(
                "the receipt's signedContentIdentifier {} is not the request's {}",
                hex(&receipt.signed_content_identifier),
                hex(&request.signed_content_identifier)
            ),
        );
    }
    let allowed: Option<Vec<String>> = match &request.receipts_from {
        ReceiptsFrom::All => None,
        ReceiptsFrom::FirstTier => Some(recipients_of(original, &verified.content)),
        ReceiptsFrom::List { recipients } => Some(rfc822_names(recipients)),
    };
    if let Some(allowed) = allowed {
        for (s, _) in signers {
            if !s
                .emails
                .iter()
                .any(|e| allowed.iter().any(|a| a.eq_ignore_ascii_case(e)))
            {
                problem(
                    problems,
                    codes::SIGNER_NOT_REQUESTED,
                    format!(
                        "{} is not among those asked for a receipt ({})",
                        s.signer,
                        allowed.join(", ")
                    ),
                );
            }
        }
    }
}

/// The To / Cc / Bcc addresses of a message: of its outer header and of `content`'s (the
/// protected header when header-protected).
fn recipients_of(message: &[u8], content: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for source in [message, content] {
        let (h, body) = split(source);
        let mut sections = vec![h];
        // A wrapped (message/rfc822) payload: its inner header.
        let inner = split(body).0;
        if !inner.is_empty() {
            sections.push(inner);
        }
        // Within the header reader's limits: a section beyond them (or a body that is no
        // header at all) lists nobody, so a receipt from its recipients is not asked for.
        for h in sections {
            for f in entity::read_fields(h).unwrap_or_default() {
                if ["to", "cc", "bcc"]
                    .iter()
                    .any(|n| f.name.eq_ignore_ascii_case(n))
                {
                    out.extend(address::addresses(&f.value));
                }
            }
        }
    }
    out
}

/// What a signed receipt message needs besides the original and the key.
#[derive(Debug, Clone)]
pub struct ReceiptOptions {
    /// The Date of the receipt message and the signingTime of the receipt (the core reads no
    /// clock).
    pub date: time::OffsetDateTime,
    /// The Message-ID of the receipt message, without angle brackets.
    pub message_id: String,
    /// Include the signer certificate and chain.
    pub include_certs: bool,
    /// Identify the signer by subjectKeyIdentifier.
    pub use_ski: bool,
}

/// A signed receipt, ready to send (JSON `SignedReceipt`: the wasm `makeReceipt` result, with
/// `message` as a Uint8Array).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
pub struct SignedReceipt {
    /// The whole RFC 5322 message (CRLF): From the recipient, To the receiptsTo addresses,
    /// the signed receipt as `application/pkcs7-mime; smime-type=signed-receipt`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "Uint8Array"))]
    pub message: Vec<u8>,
    /// The SMTP recipients: the receiptsTo rfc822Name addresses.
    pub to: Vec<String>,
    /// The signedContentIdentifier answered, lower-case hex.
    pub identifier: String,
}

fn refuse(why: Refusal, message: impl Into<String>) -> Error {
    Error::ReceiptRefused {
        code: why.code(),
        message: message.into(),
    }
}

/// Make the signed receipt `signer` (the recipient) returns for `original` (RFC 2634 §2.3,
/// §2.4), after verifying `original` with the one pipeline under `ctx`. Refused
/// ([`Error::ReceiptRefused`]) unless the report is `valid` and a verified originator
/// signature asks this recipient for a receipt (module documentation). Signed by the
/// pure-Rust provider with `signer.key`; [`ReceiptInProgress`] is the same with a key held
/// outside the core.
pub fn make_receipt<R: CryptoRng + ?Sized>(
    original: &[u8],
    ctx: &VerifyContext,
    signer: &Signer,
    opts: &ReceiptOptions,
    rng: &mut R,
) -> Result<SignedReceipt, Error> {
    let pending = decide(original, ctx, &signer.cert, &signer.chain, opts)?;
    let sig = sign_with_key(&signer.key, pending.request(), rng)?;
    pending.finish(&sig)
}

/// A signed receipt made with a key held outside the core (a WebCrypto `CryptoKey`): the
/// same decision as [`make_receipt`], in steps. [`Self::step`] verifies the original; while
/// an encrypted layer needs the key, it returns the decryption requests
/// ([`ReceiptStep::Decrypt`], answered with [`Self::answer`]) — and, when the provider
/// decrypts contents, the content requests ([`ReceiptStep::DecryptContent`]) —, at most
/// [`super::MAX_DECRYPT_ROUNDS`] times — after that an unanswered layer stays closed and the
/// receipt is refused as for any message that does not verify; then the receipt to sign
/// ([`ReceiptStep::Sign`]).
#[derive(Debug)]
pub struct ReceiptInProgress<'a> {
    original: &'a [u8],
    ctx: VerifyContext,
    cert: Certificate,
    chain: Vec<Certificate>,
    opts: ReceiptOptions,
    rounds: usize,
}

/// A step of [`ReceiptInProgress`].
#[derive(Debug)]
pub enum ReceiptStep {
    /// Decryption requests for the held key: (index into the context's
    /// `decryption_answers.certificates`, request).
    Decrypt(Vec<(usize, DecryptRequest)>),
    /// Contents to decrypt, when the provider decrypts contents
    /// ([`ReceiptInProgress::provider_decrypts_content`], answered with
    /// [`ReceiptInProgress::answer_content`]).
    DecryptContent(Vec<ContentDecryptAsk>),
    /// The receipt is to be returned: its signature is to be made.
    Sign(Box<PendingReceipt>),
}

impl<'a> ReceiptInProgress<'a> {
    /// Begin the receipt the holder of `cert`'s key (`chain`: its further certificates)
    /// returns for `original`, verified under `ctx` with that key added
    /// ([`VerifyContext::add_held_key`]).
    pub fn begin(
        original: &'a [u8],
        mut ctx: VerifyContext,
        cert: &Certificate,
        chain: &[Certificate],
        opts: ReceiptOptions,
    ) -> Self {
        ctx.add_held_key(cert, chain);
        ReceiptInProgress {
            original,
            ctx,
            cert: cert.clone(),
            chain: chain.to_vec(),
            opts,
            rounds: 0,
        }
    }

    /// Verify the original again with the answers so far: the decryption requests still
    /// open, or the receipt to sign (or its refusal).
    pub fn step(&mut self) -> Result<ReceiptStep, Error> {
        self.rounds += 1;
        let last = self.rounds >= super::MAX_DECRYPT_ROUNDS;
        // Until the last round, a large content is asked of the provider (when it decrypts
        // contents); in the last the walk decrypts it.
        let recording = self
            .ctx
            .decryption_answers
            .as_ref()
            .filter(|_| !last)
            .map(DecryptAnswers::recording_contents);
        let decided = decide(
            self.original,
            &self.ctx,
            &self.cert,
            &self.chain,
            &self.opts,
        );
        drop(recording);
        // A layer the held key was asked to open failed for now: answer, then decide again.
        let asked = self
            .ctx
            .decryption_answers
            .as_ref()
            .map(DecryptAnswers::take_asked)
            .unwrap_or_default();
        let contents = self
            .ctx
            .decryption_answers
            .as_ref()
            .map(DecryptAnswers::take_asked_contents)
            .unwrap_or_default();
        if !asked.is_empty() && !last {
            return Ok(ReceiptStep::Decrypt(asked));
        }
        if !contents.is_empty() && !last {
            return Ok(ReceiptStep::DecryptContent(contents));
        }
        decided.map(|p| ReceiptStep::Sign(Box::new(p)))
    }

    /// The provider decrypts large contents too ([`ReceiptStep::DecryptContent`];
    /// `DecryptAnswers::provider_decrypts_content`).
    pub fn provider_decrypts_content(&mut self) {
        if let Some(a) = self.ctx.decryption_answers.as_mut() {
            a.provider_decrypts_content();
        }
    }

    /// Record the provider's answer to a request of [`ReceiptStep::DecryptContent`] (the
    /// plaintext or why it did not decrypt, and its digests of ranges of it;
    /// `DecryptAnswers::add_content_with_digests`).
    pub fn answer_content(&mut self, ask: ContentDecryptAsk, answer: ContentAnswer) {
        if let Some(a) = self.ctx.decryption_answers.as_mut() {
            a.add_content_with_digests(ask, answer.0, answer.1);
        }
    }

    /// Record the key holder's answer to a request of [`ReceiptStep::Decrypt`] (an `Err` when
    /// its key could not be used).
    pub fn answer(
        &mut self,
        index: usize,
        req: DecryptRequest,
        answer: Result<Zeroizing<Vec<u8>>, Error>,
    ) {
        if let Some(a) = self.ctx.decryption_answers.as_mut() {
            a.add(index, req, answer);
        }
    }
}

/// A signed receipt decided and built, waiting for its signature ([`ReceiptStep::Sign`]).
#[derive(Debug)]
pub struct PendingReceipt {
    signed: PendingSignedData,
    original_id: Option<String>,
    from: String,
    to: Vec<String>,
    identifier: String,
    opts: ReceiptOptions,
}

impl PendingReceipt {
    /// What the recipient's private key must sign.
    pub fn request(&self) -> &SignRequest {
        self.signed.request()
    }

    /// The receipt message with `signature` (verified with the recipient's certificate first).
    pub fn finish(self, signature: &[u8]) -> Result<SignedReceipt, Error> {
        let ci = self.signed.finish(signature)?;
        // RFC 2634 §2.4 step 10: the ContentInfo as `application/pkcs7-mime;
        // smime-type=signed-receipt`.
        let entity = pkcs7_mime_part(SmimeType::SignedReceipt, &ci);
        let message = receipt_message(
            self.original_id.as_deref(),
            &self.from,
            &self.to,
            &self.opts,
            entity,
        )?;
        Ok(SignedReceipt {
            message,
            to: self.to,
            identifier: self.identifier,
        })
    }
}

/// Whether the holder of `cert`'s key returns a receipt for `original` verified under `ctx`
/// (RFC 2634 §2.3; module documentation), and the receipt to sign if so.
fn decide(
    original: &[u8],
    ctx: &VerifyContext,
    cert: &Certificate,
    chain: &[Certificate],
    opts: &ReceiptOptions,
) -> Result<PendingReceipt, Error> {
    crate::fields::msg_id::check_msg_id(&opts.message_id)
        .map_err(|e| Error::Options(format!("receipt Message-ID: {e}")))?;
    let octx = VerifyContext {
        original: None,
        ..ctx.clone()
    };
    let (verified, checks) = super::walk::verify_with_checks(original, &octx)?;
    let report = &verified.report;
    if report.receipt.is_some() {
        return Err(refuse(
            Refusal::Receipt,
            "the message is a signed receipt: no receipt is returned for a receipt (RFC 2634 §2.1)",
        ));
    }
    if !report.valid {
        let why = report.problems.first().map_or_else(
            || "no valid signature".to_string(),
            |p| format!("{}: {}", p.code, p.message),
        );
        return Err(refuse(
            Refusal::Invalid,
            format!("the message does not verify, so no receipt is returned (RFC 2634 §2.3 step 1): {why}"),
        ));
    }
    let Some((_, check, request)) = requests(report, &checks)
        .find(|(s, _, _)| is_originator_signature(s) && s.valid && s.trusted)
    else {
        return Err(refuse(
            Refusal::NotRequested,
            "no verified originator signature requests a signed receipt",
        ));
    };
    if checks.iter().any(|c| c.ml_expansion_history) {
        return Err(refuse(
            Refusal::MailingList,
            "the message came through a mailing list (mlExpansionHistory): its receipt policy (RFC 2634 §2.3 step 3) is not applied, so no receipt is returned",
        ));
    }
    let mine = crate::trust::email_addresses(cert);
    if let ReceiptsFrom::List { recipients } = &request.receipts_from {
        let listed = rfc822_names(recipients);
        if !mine
            .iter()
            .any(|m| listed.iter().any(|l| l.eq_ignore_ascii_case(m)))
        {
            return Err(refuse(
                Refusal::NotListed,
                format!(
                    "the request asks receipts only from {}: not from {}",
                    listed.join(", "),
                    mine.join(", ")
                ),
            ));
        }
    }
    // Only well-formed addresses become header fields and SMTP recipients.
    let to: Vec<String> = request
        .receipts_to_addresses()
        .into_iter()
        .filter(|a| crate::fields::address::Mailbox::new(a).is_ok())
        .collect();
    let from = mine.first().cloned();
    let (Some(from), false) = (from, to.is_empty()) else {
        return Err(refuse(
            Refusal::NoAddress,
            "the request's receiptsTo names no address, or the recipient certificate carries none",
        ));
    };
    let (Some(content_type), Some(attrs), Some(alg)) =
        (check.content_type, &check.signed_attrs_der, check.digest)
    else {
        return Err(refuse(
            Refusal::Invalid,
            "the requesting signature is incomplete",
        ));
    };
    let receipt = Receipt {
        content_type,
        signed_content_identifier: request.signed_content_identifier.clone(),
        originator_signature_value: check.signature_value.clone(),
    };
    let sign_opts = SignOptions {
        // The original's digest (SHA-1 is never used for new signatures).
        digest: if alg == DigestAlg::Sha1 {
            DigestAlg::Sha256
        } else {
            alg
        },
        signing_time: Some(opts.date),
        include_certs: opts.include_certs,
        use_ski: opts.use_ski,
        ..SignOptions::default()
    };
    let signed = begin_signed_receipt(
        &receipt,
        &msg_sig_digest(alg, attrs),
        cert,
        chain,
        &sign_opts,
    )?;
    Ok(PendingReceipt {
        signed,
        original_id: original_message_id(original),
        from,
        to,
        identifier: hex(&request.signed_content_identifier),
        opts: opts.clone(),
    })
}

/// The original's Message-ID field (with its angle brackets), when well-formed.
fn original_message_id(original: &[u8]) -> Option<String> {
    let (h, _) = split(original);
    entity::field(&entity::read_fields(h).ok()?, "message-id")
        .map(|f| f.value.trim().to_string())
        .filter(|v| {
            v.starts_with('<')
                && v.ends_with('>')
                && crate::fields::msg_id::check_msg_id(&v[1..v.len() - 1]).is_ok()
        })
}

/// The receipt message: From, To, Date, Message-ID, a fixed Subject (the original's may be
/// confidential, and the receipt travels as it is), In-Reply-To / References naming the
/// original, then the receipt entity. Header fields are written folded
/// ([`crate::mime::encode::Headers`]); an address with a run over 998 octets is refused.
fn receipt_message(
    original_id: Option<&str>,
    from: &str,
    to: &[String],
    opts: &ReceiptOptions,
    entity: Part,
) -> Result<Vec<u8>, Error> {
    let mut headers = Headers::new();
    headers.push(
        "Date",
        crate::fields::date_time::DateTime(opts.date).to_string(),
    );
    headers.push("From", mailbox(None, from));
    let to: Vec<String> = to.iter().map(|a| mailbox(None, a)).collect();
    headers.push("To", to.join(", "));
    headers.push("Subject", "Signed receipt");
    headers.push("Message-ID", format!("<{}>", opts.message_id));
    if let Some(id) = original_id {
        headers.push("In-Reply-To", id);
        headers.push("References", id);
    }
    Message {
        headers,
        body: entity,
    }
    .to_bytes()
    .map_err(|_| Error::Encode("a receipt header line would exceed 998 octets".into()))
}

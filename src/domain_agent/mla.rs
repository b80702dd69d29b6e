//! The Mail List Agent (ESS, RFC 2634 §4; draft-melnikov-smime-msa-to-mda-04 §5 describes
//! how a domain signature survives one).
//!
//! An MLA takes a message addressed to a list, verifies it, and sends it to the list's
//! members "in a new 'outer' signedData layer" (RFC 2634 §4.2) that records the expansion
//! in the mlExpansionHistory attribute ([`crate::smime::ml_expansion`]):
//!
//! 1. **Verify first.** "The MLA MUST (…) verify the signatures before using" what it reads
//!    (§4.2): the message is verified with the MLA's key (to reach encrypted signatures) and
//!    refused (`ml-expansion-refused`) unless every signature is valid and trusted and every
//!    layer could be read.
//! 2. **The "outer" signedData** is found as §5 of the draft and §4.2 of ESS define it
//!    ([`super::outer_layer::search_outer`]): the first signedData carrying an
//!    mlExpansionHistory or encapsulating an envelopedData; it and every signedData above
//!    it are stripped, its signed attributes remembered.
//! 3. **Loops and the limit.** "If the MLA finds its own identification in any of the
//!    mailListIdentifier fields (…) it MUST discontinue expansion" (§4.1.1):
//!    `ml-expansion-loop`; a history already holding `ub-ml-expansion-history` (64) records
//!    cannot take another: `ml-history-limit`; histories that differ between SignerInfos
//!    or are malformed: `ml-history-invalid` ("MUST NOT process the message unless all
//!    verified mlExpansionHistory attributes are identical", §4.1).
//! 4. **Re-encryption.** An envelopedData is opened with the MLA's RecipientInfo and its
//!    content encrypted for the members (§4.2.3.1: the members' RecipientInfos replace the
//!    originator's; the inner signed content is unchanged — "an MLA never changes the data
//!    that is signed by the inner signature", §1.3.4). We encrypt under a fresh content key
//!    rather than re-wrapping the old one: the members read the same octets, and no key
//!    chosen by the originator is handed on.
//! 5. **Re-signing.** The MLA signs the result with its own key; the new SignerInfo carries
//!    the remembered attributes of the stripped outer layer — the one with the history, or the
//!    originator's outer signature over the envelopedData of a triple-wrapped message —
//!    (except the signer's own ones, `carried_attributes`) and the history with one more MLData: this MLA's identifier,
//!    the expansion time, its receipt policy (§4.1: "add an MLData record containing the
//!    MLA's identification information, date/time of expansion and optional receipt policy
//!    to the end of the mlExpansionHistory sequence").
//! 6. **A domain signature for members outside the domain** (draft-melnikov-smime-msa-to-mda-04
//!    §5), when the list is given its domain's signing agent: the content under the stripped
//!    layers is domain-signed before it is re-encrypted and signed by the list, giving the
//!    shape §5 sends out of the domain for a message a list expanded (example 4: "(S4 (E2 (S3
//!    (S1 (Original Content)))))", S3 the domain signature, S4 the signature carrying the
//!    history — here the list's own). A later MLA strips only the list's signature (the
//!    "outer" signedData), so the domain signature "will prevent a MLA from removing it"
//!    (§5). The §3.3 preconditions apply as to any domain signature.

use x509_cert::Certificate;

use super::outer_layer::{
    carried_attributes, decrypt_for_dca, search_outer, security_label_oid, DomainPolicy,
};
use crate::asn1::oid::ML_EXPAND_HISTORY;
use crate::domain::signing::{
    all_signatures_valid, domain_sign, ready_for_domain_signature, OriginatorAuthentication,
};
use crate::domain::Error;
use crate::keys::PrivateKey;
use crate::rng::CryptoRng;
use crate::smime::ml_expansion::{
    EntityIdentifier, MlData, MlExpansionHistory, MlReceiptPolicy, UB_ML_EXPANSION_HISTORY,
};
use crate::smime::{self, SignOptions, Signer};
use crate::verify::VerifiedMessage;

/// A Mail List Agent: its signing identity, the key that opens messages encrypted to the
/// list, and how it names itself in the history.
pub struct MailListAgent<'a> {
    /// The MLA's signer (its certificate is the mailListIdentifier).
    pub signer: &'a Signer,
    /// The MLA's decryption key and certificate (the list's encryption certificate).
    pub decryption: Option<&'a (PrivateKey, Certificate)>,
    /// Record the MLA by subjectKeyIdentifier (else issuerAndSerialNumber).
    pub use_ski: bool,
    /// The receipt policy recorded in this expansion's MLData.
    pub receipt_policy: Option<MlReceiptPolicy>,
    /// The most MLData records a history may hold once this expansion is added: the local
    /// expansion limit, at most (and above taken as) ub-ml-expansion-history (RFC 2634 §4.4).
    pub history_limit: usize,
    /// The domain signing agent whose domain signature the expansion carries, and how the
    /// originator was authenticated (§3.3) — module documentation, item 6; `None`: the
    /// list adds its own signature only.
    pub domain_signature: Option<(&'a Signer, OriginatorAuthentication)>,
}

/// What one expansion produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// The message for the members (its RFC 5322 header fields as received).
    pub message: Vec<u8>,
    /// The history now carried, this expansion last.
    pub history: MlExpansionHistory,
    /// signedData layers stripped (the old outer layer and any above it).
    pub stripped: usize,
    /// The content arrived encrypted and was re-encrypted for the members.
    pub reencrypted: bool,
    /// The copy carries an envelopedData under the list's signature: re-encrypted, or
    /// encrypted because the members' policy requires it ([`DomainPolicy::encrypt`]).
    pub encrypted: bool,
}

/// Expand `message` at time `now` for list members whose encryption certificates are
/// `members.recipients` (module documentation). Encrypted content is re-encrypted for them;
/// content that was not encrypted is encrypted for them too when `members.encrypt` says the
/// members' domain requires it (§5: "If local policy requires the message to be encrypted
/// using S/MIME encryption before leaving the domain then encapsulate the 'domain signature'
/// with an envelopedData layer"), giving example 4's "(S4 (E2 (S3 (S1 (Original
/// Content)))))" with the list's signature as S4. `message` was verified with the MLA's
/// decryption key among the context's keys, so that encrypted signatures are checked too;
/// `opts` are the MLA signature's options (its signingTime too — the core reads no clock),
/// also those of the domain signature when one is added.
pub fn expand<R: CryptoRng + ?Sized>(
    message: &VerifiedMessage<'_>,
    mla: &MailListAgent<'_>,
    members: &DomainPolicy,
    now: time::OffsetDateTime,
    opts: &SignOptions,
    rng: &mut R,
) -> Result<Expansion, Error> {
    all_signatures_valid(message.report())
        .map_err(|m| Error::MlRefused(format!("{m} (RFC 2634 §4.2: verify before expanding)")))?;
    let search = search_outer(message.raw())?;
    let mut history = search
        .ml_layer
        .as_ref()
        .map(|l| l.history.clone())
        .unwrap_or_default();
    if let Some(d) = history
        .0
        .iter()
        .find(|d| d.mail_list_identifier.names(&mla.signer.cert))
    {
        return Err(Error::MlLoop(format!(
            "this list agent ({}) already expanded the message at {} (RFC 2634 §4.1.1: discontinue expansion)",
            d.mail_list_identifier.describe(),
            smime::attributes::rfc3339(d.expansion_time)
        )));
    }
    let limit = mla.history_limit.clamp(1, UB_ML_EXPANSION_HISTORY);
    if history.0.len() >= limit {
        return Err(Error::MlHistoryLimit(format!(
            "the message was already expanded {} times (expansion limit {limit}; ub-ml-expansion-history = {UB_ML_EXPANSION_HISTORY}, RFC 2634 §4.4)",
            history.0.len()
        )));
    }
    let identifier =
        EntityIdentifier::of(&mla.signer.cert, mla.use_ski).map_err(smime::Error::Key)?;
    history.0.push(MlData {
        mail_list_identifier: identifier,
        // GeneralizedTime in whole seconds: the record as it is encoded.
        expansion_time: now - time::Duration::nanoseconds(i64::from(now.nanosecond())),
        ml_receipt_policy: mla.receipt_policy.clone(),
    });
    if let Some((_, auth)) = mla.domain_signature {
        ready_for_domain_signature(message.report(), auth)?;
    }
    let encrypt = search.encrypted || members.encrypt;
    if encrypt && members.recipients.is_empty() {
        return Err(Error::NoRecipientCertificate(format!(
            "the copy must be encrypted ({}) and the list has no member certificate",
            if search.encrypted {
                "the message is encrypted"
            } else {
                "the members' policy requires it"
            }
        )));
    }
    let plain = if search.encrypted {
        decrypt_for_dca(&search.rest, mla.decryption)?
    } else {
        search.rest
    };
    let plain = with_domain_signature(plain, mla, opts, rng)?;
    let body = if encrypt {
        smime::encrypt_message(&plain, &members.recipients, &members.encrypt_options, rng)?
    } else {
        plain
    };
    let carried = search
        .outer_attributes
        .as_ref()
        .map(|attrs| {
            let mut except = security_label_oid(opts);
            except.push(ML_EXPAND_HISTORY);
            carried_attributes(attrs, &except)
        })
        .unwrap_or_default();
    let mut extra = carried;
    extra.push(history.to_attribute().map_err(smime::Error::Encode)?);
    let sign_opts = SignOptions {
        signature_type: Vec::new(),
        extra_attributes: extra,
        ..opts.clone()
    };
    let message = smime::sign_message(&body, mla.signer, &sign_opts, rng)?;
    Ok(Expansion {
        message,
        history,
        stripped: search.stripped,
        reencrypted: search.encrypted,
        encrypted: encrypt,
    })
}

/// `content` domain-signed by the list's domain agent, when it has one (item 6).
fn with_domain_signature<R: CryptoRng + ?Sized>(
    content: Vec<u8>,
    mla: &MailListAgent<'_>,
    opts: &SignOptions,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    match mla.domain_signature {
        Some((signer, _)) => {
            let opts = SignOptions {
                extra_attributes: Vec::new(),
                ..opts.clone()
            };
            domain_sign(&content, signer, &opts, rng)
        }
        None => Ok(content),
    }
}

//! A receiving DCA's decryption of a layer that lies under signed layers
//! (draft-melnikov-smime-msa-to-mda-04 §4, §4.2, §5.1): a message such as (S (E (…))) whose
//! envelopedData names the local DCA (or S/MIME gateway) — a list's signature over content
//! encrypted for the members' domains, or §5's carrier "S4" over "E2".
//!
//! §4: "A DCA implementation that conforms to this standard MUST support (…) cases (b) and
//! (d) for reception. (…) In cases (b) and (d) the message SHOULD be decrypted before the
//! originators 'domain signature' is obtained and verified", and §7: "When an encrypted
//! DOMSEC message is sent to an end user in such a way that the message is decrypted by the
//! end users DCA the message will be in plain text". A layer for the DCA is therefore opened
//! wherever it lies, not only at the top. Opening it breaks every signedData above it, which
//! signs the ciphertext: those layers are handled as §5.1 handles them before a decryption —
//! "The signedData objects S3 and S2 are verified. When the envelopedData E1 is found the
//! signedData objects S3 and S2 are stripped off. The encryptedContent is decrypted." (example
//! 5). They are verified first (the caller's verification, made with the DCA's key, must have
//! every signature valid and trusted and every layer read), then stripped and reported in
//! [`BelowSignatures::Opened`] — who signed them, and the mlExpansionHistory one carried —
//! so that the agent can record what it removed. A signature that does not verify is never
//! stripped: the message is not decrypted ([`BelowSignatures::Unverified`]), since a delivery
//! without the failed layer would look as if nothing had failed.

use x509_cert::Certificate;

use crate::domain::layers::{top_layer, TopLayer};
use crate::domain::signing::all_signatures_valid;
use crate::domain::Error;
use crate::keys::PrivateKey;
use crate::report::Layer;
use crate::smime::{self, ml_expansion::MlExpansionHistory};
use crate::verify::{VerifiedMessage, DEFAULT_MAX_DEPTH};

/// What was opened under signed layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedBelow {
    /// The message to deliver: the outer RFC 5322 header fields and the decrypted content.
    pub message: Vec<u8>,
    /// How many signedData layers above the envelopedData were verified and stripped.
    pub stripped: usize,
    /// Who signed the stripped layers, as the report names them (outermost first).
    pub signers: Vec<String>,
    /// The mlExpansionHistory a stripped layer carried (the outermost one that had one).
    pub history: Option<MlExpansionHistory>,
}

/// The outcome of [`open_below_signatures`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BelowSignatures {
    /// Nothing to do here: the message is not signed above an envelopedData (an
    /// envelopedData at the top is the ordinary case (b)/(d) decryption), or the first
    /// envelopedData under the signed layers has no RecipientInfo for `key`.
    NotForUs,
    /// Decrypted, the signed layers above verified and stripped.
    Opened(OpenedBelow),
    /// The envelopedData is for `key` but a signature of the message does not verify, or a
    /// layer could not be read: not decrypted (the reason, for the agent's refusal).
    Unverified(String),
}

/// Open the first envelopedData under the signed layers at the top of `message` with `key`
/// (module documentation). `message` must have been verified with `key` among the context's
/// decryption keys, so that the signatures inside the encrypted layer are judged too. `Err`
/// when the layer names `key` but does not decrypt (the agent never passes such a message on,
/// gateway-00 §5.2), or the layers cannot be read.
pub fn open_below_signatures(
    message: &VerifiedMessage<'_>,
    key: &(PrivateKey, Certificate),
) -> Result<BelowSignatures, Error> {
    let mut current = message.raw().to_vec();
    let mut history = None;
    for stripped in 0..DEFAULT_MAX_DEPTH {
        match top_layer(&current)? {
            TopLayer::Signed(s) => {
                if history.is_none() {
                    history = s.ml_history.map_err(Error::MlHistory)?;
                }
                current = s.inner;
            }
            TopLayer::Content => return Ok(BelowSignatures::NotForUs),
            TopLayer::Encrypted if stripped == 0 => return Ok(BelowSignatures::NotForUs),
            TopLayer::Encrypted => {
                let plain = match smime::decrypt_message(&current, &key.0, &key.1) {
                    Ok(p) => p,
                    Err(smime::Error::DecryptNoRecipient(_) | smime::Error::NotEncrypted(_)) => {
                        return Ok(BelowSignatures::NotForUs)
                    }
                    Err(e) => return Err(e.into()),
                };
                let report = message.report();
                if let Err(why) = all_signatures_valid(report) {
                    return Ok(BelowSignatures::Unverified(why));
                }
                let enveloped = report
                    .layers
                    .iter()
                    .position(|l| matches!(l, Layer::Enveloped | Layer::AuthEnveloped))
                    .unwrap_or(stripped);
                let signers = report
                    .signatures
                    .iter()
                    .filter(|s| s.layer < enveloped)
                    .map(|s| s.signer.clone())
                    .collect();
                return Ok(BelowSignatures::Opened(OpenedBelow {
                    message: plain,
                    stripped,
                    signers,
                    history,
                }));
            }
        }
    }
    Err(smime::Error::Malformed(format!(
        "more than {DEFAULT_MAX_DEPTH} nested signed layers"
    ))
    .into())
}

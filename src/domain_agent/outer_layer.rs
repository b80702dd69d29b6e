//! Applying a domain signature when Mail List Agents are present
//! (draft-melnikov-smime-msa-to-mda-04 §5), and the "outer" signedData search it shares with
//! the Mail List Agent itself (RFC 2634 §4.2, [`super::mla`]).
//!
//! > A MLA will search a message for the "outer" signedData layer, as defined in ESS
//! > \[RFC2634] section 4.2, and strip off all signedData layers that encapsulate this "outer"
//! > signedData layer. (…) Before the 'domain signature' can be applied the message MUST be
//! > searched for the "outer" signedData layer, this search is complete when one of the
//! > following is found:
//! > - The "outer" signedData layer that includes an mlExpansionHistory attribute or
//! >   encapsulates an envelopedData object.
//! > - An envelopedData layer.
//! > - The original content (that is, a layer that is neither envelopedData nor signedData).
//!
//! [`search_outer`] performs the search and returns what the rules of §5 continue from:
//!
//! | found | the agent continues from (module [`Search::rest`]) |
//! |---|---|
//! | a signedData with mlExpansionHistory, then an envelopedData | the envelopedData: every signedData above it stripped, the mlExpansionHistory layer's signed attributes remembered (§5 step 1, 3.A) |
//! | a signedData with mlExpansionHistory, then the content | the message under that layer (§5 step 3.B) |
//! | an envelopedData, no mlExpansionHistory | the envelopedData, every signedData above it stripped (§5 "no signedData layer containing a mlExpansionHistory attribute has been found but an envelopedData has been found", step 1) |
//! | the content | the whole message (examples 1 and 2: nothing is stripped) |
//!
//! [`apply_domain_signature`] then applies §5 (and §4 cases (c), (d)): decrypt with the local
//! DCA's RecipientInfo, encapsulate in a domain signature, encrypt when the local policy
//! requires it *or* an envelopedData remains lower in the message ("MUST be encapsulated by
//! an envelopedData"), and wrap a new signedData carrying the remembered attributes. Every
//! one of the seven examples of §5.1 is a test (`tests/domain_mla.rs`). Two points the text
//! leaves open, decided here: the final signedData that carries the remembered attributes
//! (S4 of example 4, S5 of example 6) is made by the same agent and has no signatureType
//! (§5 does not give it one; §3.2: "If the SignatureType attribute is absent and there are
//! further encapsulated signatures" a verifier judges the signer by its certificate, an
//! agent's here); and the new envelopedData carries no originatorInfo (the DCA's
//! certificate is in the domain signature inside; RFC 5652 §6.1 makes originatorInfo
//! optional).

use x509_cert::Certificate;

use crate::asn1::oid;
use crate::domain::layers::{top_layer, SignedAttribute, TopLayer};
use crate::domain::signing::{domain_sign, ready_for_domain_signature, OriginatorAuthentication};
use crate::domain::Error;
use crate::keys::PrivateKey;
use crate::rng::CryptoRng;
use crate::smime::ml_expansion::MlExpansionHistory;
use crate::smime::{self, EncryptOptions, SignOptions, Signer};
use crate::verify::{VerifiedMessage, DEFAULT_MAX_DEPTH};

/// The layer that carried an mlExpansionHistory (the "outer" signedData of §5).
#[derive(Debug, Clone)]
pub struct MlLayer {
    /// Its signed attributes (of its first SignerInfo; RFC 2634 §4.1 requires every
    /// SignerInfo of an MLA's SignedData to carry the same history).
    pub attributes: Vec<SignedAttribute>,
    /// The history.
    pub history: MlExpansionHistory,
}

/// The result of the "outer" signedData search (module documentation).
#[derive(Debug, Clone)]
pub struct Search {
    /// The first signedData layer with an mlExpansionHistory, when one was found above the
    /// envelopedData or the content.
    pub ml_layer: Option<MlLayer>,
    /// The signed attributes of the "outer" signedData (of its first SignerInfo): the
    /// mlExpansionHistory layer, else the signedData that encapsulates the envelopedData;
    /// `None` when the search ended at the content without either. RFC 2634 §4.2: the MLA's
    /// new outer signature includes them.
    pub outer_attributes: Option<Vec<SignedAttribute>>,
    /// What processing continues from (module documentation table).
    pub rest: Vec<u8>,
    /// Whether `rest` is an envelopedData (or authEnvelopedData) layer.
    pub encrypted: bool,
    /// How many signedData layers the search removed to reach `rest`.
    pub stripped: usize,
}

/// Search `raw` for the "outer" signedData layer (§5; RFC 2634 §4.2). An mlExpansionHistory
/// that is malformed or differs between SignerInfos is `ml-history-invalid`; more than
/// [`DEFAULT_MAX_DEPTH`] signed layers is `smime-malformed`.
pub fn search_outer(raw: &[u8]) -> Result<Search, Error> {
    let mut ml_layer: Option<MlLayer> = None;
    let mut after_ml: Option<(Vec<u8>, usize)> = None;
    // The signed attributes of the last signedData seen (the one right above what follows).
    let mut last_signed: Option<Vec<SignedAttribute>> = None;
    let mut current = raw.to_vec();
    for depth in 0..DEFAULT_MAX_DEPTH {
        match top_layer(&current)? {
            TopLayer::Signed(s) => {
                let history = s.ml_history.map_err(Error::MlHistory)?;
                if let (None, Some(history)) = (&ml_layer, history) {
                    ml_layer = Some(MlLayer {
                        attributes: s.signers.first().cloned().unwrap_or_default(),
                        history,
                    });
                    after_ml = Some((s.inner.clone(), depth + 1));
                }
                last_signed = Some(s.signers.first().cloned().unwrap_or_default());
                current = s.inner;
            }
            TopLayer::Encrypted => {
                let outer_attributes = match &ml_layer {
                    Some(l) => Some(l.attributes.clone()),
                    None => last_signed,
                };
                return Ok(Search {
                    ml_layer,
                    outer_attributes,
                    rest: current,
                    encrypted: true,
                    stripped: depth,
                });
            }
            TopLayer::Content => {
                let (rest, stripped) = match after_ml {
                    Some(a) => a,
                    None => (raw.to_vec(), 0),
                };
                return Ok(Search {
                    outer_attributes: ml_layer.as_ref().map(|l| l.attributes.clone()),
                    ml_layer,
                    rest,
                    encrypted: false,
                    stripped,
                });
            }
        }
    }
    Err(smime::Error::Malformed(format!(
        "more than {DEFAULT_MAX_DEPTH} nested signed layers"
    ))
    .into())
}

/// Whether an envelopedData lies under the signed layers at the top of `raw` ("there is an
/// envelopedData at a lower level within the message", §5).
pub(crate) fn has_encrypted_layer(raw: &[u8]) -> Result<bool, Error> {
    let mut current = raw.to_vec();
    for _ in 0..DEFAULT_MAX_DEPTH {
        match top_layer(&current)? {
            TopLayer::Signed(s) => current = s.inner,
            TopLayer::Encrypted => return Ok(true),
            TopLayer::Content => return Ok(false),
        }
    }
    Ok(false)
}

/// The attributes a new outer signature carries over from the layer it replaces: all but the
/// ones each signer makes for itself (contentType, messageDigest, signingTime,
/// sMIMECapabilities, sMIMEEncryptionKeyPreference, signingCertificate(V2), signatureType),
/// and but `except` (attributes the new signature sets itself).
pub(crate) fn carried_attributes(
    attrs: &[SignedAttribute],
    except: &[const_oid::ObjectIdentifier],
) -> Vec<Vec<u8>> {
    let own = [
        oid::CONTENT_TYPE,
        oid::MESSAGE_DIGEST,
        oid::SIGNING_TIME,
        oid::SMIME_CAPABILITIES,
        oid::ENCRYPT_KEY_PREF,
        oid::SIGNING_CERTIFICATE,
        oid::SIGNING_CERTIFICATE_V2,
        oid::SIGNATURE_TYPE,
    ];
    attrs
        .iter()
        .filter(|a| !own.contains(&a.oid) && !except.contains(&a.oid))
        .map(|a| a.der.clone())
        .collect()
}

/// The local domain agent of §5: who signs, and the DCA key that opens layers encrypted for
/// the domain.
pub struct DomainAgent<'a> {
    /// The domain signing agent (its certificate follows §2.6 for the originator's domain).
    pub signer: &'a Signer,
    /// The local DCA's key and certificate ("Locate the RecipientInfo for the local DCA").
    pub dca: Option<&'a (PrivateKey, Certificate)>,
}

/// The local policy of §5 and §4.
#[derive(Debug, Clone, Default)]
pub struct DomainPolicy {
    /// "local policy requires the message to be encrypted using S/MIME encryption before it
    /// leaves the domain".
    pub encrypt: bool,
    /// "RecipientInfo structures for each of the recipients": the certificates to encrypt to
    /// (the final recipients', or their domain's DCA or gateway, [`crate::domain::dca`]).
    pub recipients: Vec<Certificate>,
    /// Content encryption options.
    pub encrypt_options: EncryptOptions,
}

/// What [`apply_domain_signature`] did, for the agent's audit record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainSigned {
    /// The message to send out of the domain.
    pub message: Vec<u8>,
    /// An mlExpansionHistory layer was found, stripped and its attributes re-applied.
    pub ml_layer: bool,
    /// signedData layers stripped by the search.
    pub stripped: usize,
    /// An envelopedData was decrypted with the local DCA's key.
    pub decrypted: bool,
    /// The domain signature was encapsulated in a new envelopedData.
    pub encrypted: bool,
}

/// Apply a domain signature to `message` by the rules of §5 (module documentation), after the
/// §3.3 preconditions: the message was verified with a context that holds the DCA key to
/// reach encrypted signatures, "including those that have been encrypted", and is refused
/// (`domain-signature-refused`) unless every signature is valid and the originator is
/// authenticated as `auth` says. `opts` gives the signatures' options (signingTime: the core
/// reads no clock). An envelopedData that must be decrypted but does not name the local DCA
/// is `dca-not-recipient`; a message that must be encrypted without recipient certificates
/// is `no-recipient-certificate`.
pub fn apply_domain_signature<R: CryptoRng + ?Sized>(
    message: &VerifiedMessage<'_>,
    agent: &DomainAgent<'_>,
    policy: &DomainPolicy,
    auth: OriginatorAuthentication,
    opts: &SignOptions,
    rng: &mut R,
) -> Result<DomainSigned, Error> {
    ready_for_domain_signature(message.report(), auth)?;
    let search = search_outer(message.raw())?;
    let (signed_content, decrypted) = if search.encrypted {
        (decrypt_for_dca(&search.rest, agent.dca)?, true)
    } else {
        (search.rest, false)
    };
    let lower = has_encrypted_layer(&signed_content)?;
    let opts = SignOptions {
        extra_attributes: Vec::new(),
        ..opts.clone()
    };
    let mut message = domain_sign(&signed_content, agent.signer, &opts, rng)?;
    let encrypt = policy.encrypt || lower;
    if encrypt {
        if policy.recipients.is_empty() {
            return Err(Error::NoRecipientCertificate(format!(
                "the domain signature must be encrypted ({}) and the policy names no recipient certificate (§5)",
                if policy.encrypt {
                    "the local policy requires it"
                } else {
                    "an envelopedData lies lower in the message"
                }
            )));
        }
        message =
            smime::encrypt_message(&message, &policy.recipients, &policy.encrypt_options, rng)?;
    }
    if let Some(ml) = &search.ml_layer {
        let outer = SignOptions {
            signature_type: Vec::new(),
            extra_attributes: carried_attributes(&ml.attributes, &security_label_oid(&opts)),
            ..opts.clone()
        };
        message = smime::sign_message(&message, agent.signer, &outer, rng)?;
    }
    Ok(DomainSigned {
        message,
        ml_layer: search.ml_layer.is_some(),
        stripped: search.stripped,
        decrypted,
        encrypted: encrypt,
    })
}

/// The security-label attribute type when the options set a label of their own (the
/// carried one then gives way: one eSSSecurityLabel per SignerInfo, RFC 2634 §1.3.4).
pub(crate) fn security_label_oid(opts: &SignOptions) -> Vec<const_oid::ObjectIdentifier> {
    if opts.security_label.is_some() {
        vec![oid::SECURITY_LABEL]
    } else {
        Vec::new()
    }
}

/// Decrypt the envelopedData at the top of `raw` with the local DCA's key ("Locate the
/// RecipientInfo for the local DCA and use the information it contains to obtain the message
/// key").
pub(crate) fn decrypt_for_dca(
    raw: &[u8],
    dca: Option<&(PrivateKey, Certificate)>,
) -> Result<Vec<u8>, Error> {
    let Some((key, cert)) = dca else {
        return Err(Error::NotRecipient(
            "the message holds an envelopedData and the agent has no DCA key (§5: the RecipientInfo for the local DCA)".into(),
        ));
    };
    match smime::decrypt_message(raw, key, cert) {
        Ok(m) => Ok(m),
        Err(smime::Error::DecryptNoRecipient(m)) => Err(Error::NotRecipient(format!(
            "no RecipientInfo of the envelopedData names the local DCA: {m}"
        ))),
        Err(e) => Err(e.into()),
    }
}

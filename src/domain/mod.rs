//! Domain security (draft-melnikov-smime-msa-to-mda-04): S/MIME applied by the agents of an
//! organisation — MSA, boundary MTA, MDA — with domain certificates.
//!
//! - [`uri`]: the `smtp:` / `submit:` URIs (§6.1, §6.2) — the server's relay address and the
//!   agent names of certificates;
//! - [`naming`]: the naming convention (§2.6): the agent names of a certificate's
//!   subjectAltName and the rule "the agent's domain equals or is an ascendant of the
//!   originator's domain";
//! - [`signing`]: generating each signature type (§2.5, §3): originator, domain, additional
//!   attributes, review, delegated originator — encapsulation, the empty signature layer,
//!   the naming check on the signer's own certificate, and the §3.3 preconditions.
//!
//! - [`layers`]: the top S/MIME layer of a message, read without verifying;
//! - [`dca`], [`gateway`]: domain confidentiality authorities (§4) and S/MIME gateways.
//!
//! On receipt the per-signature verdict is `crate::verify::naming`'s (it applies [`naming`]
//! to the report) and the signer identity shown is `crate::verify::signers`'. The agent
//! operations that verify a message before acting on it — the Mail List Agent (RFC 2634 §4)
//! and the domain signature when MLAs are present (§5) — sit above the receive pipeline, in
//! `crate::domain_agent`. `uri` and `naming` use nothing above them; `signing` sits above
//! `smime`. Pure functions, no I/O (`docs/domain.md`; layers: `docs/design.md` "Layers").

pub(crate) mod dca;
pub mod encryption_recipients;
pub(crate) mod gateway;
pub mod layers;
pub mod naming;
pub(crate) mod request;
pub(crate) mod signing;
pub mod uri;

use crate::coded::Coded;

pub use dca::{
    dca_decrypt, dca_domains, dca_open, domain_certificates, encryption_certificates,
    gateway_domains, recipient_certificates, DcaDelivery, DcaOutcome, DomainCertificateKind,
    DomainEncryption, RecipientVia,
};
pub use encryption_recipients::{encryption_recipients, RecipientCertificates};
pub use gateway::{
    gateway_inbound, gateway_outbound, GatewayCopy, GatewayInbound, MixedRecipients,
    GATEWAY_DECRYPTED_FIELD,
};
pub use naming::{agent_domains, agent_names, naming_verdict, AgentKind, AgentName, NamingVerdict};
pub use request::{
    begin_encrypt_request, encrypt_request, sign_request, EncryptRequest, EncryptRsaPadding,
    SignDigest, SignRequest,
};
pub use signing::{
    begin_sign_typed, domain_sign, empty_signature_layer, prepare_sign_typed,
    ready_for_domain_signature, sign_typed, OriginatorAuthentication,
};
pub use uri::{parse_mail_uri, MailUri, Scheme, UriError};

/// Errors of domain signing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A signature-type list the draft forbids (§3.2). Code `signature-type-invalid`.
    #[error("signature type: {0}")]
    SignatureType(String),
    /// The signer certificate does not follow the naming convention for this signature type
    /// (§2.6). Code `agent-naming-invalid`.
    #[error("naming convention: {0}")]
    Naming(String),
    /// A domain (or delegated-originator) signature that "MUST NOT be generated" (§3.3,
    /// §3.7): the originator is not authenticated or a signature present is not valid. Code
    /// `domain-signature-refused`.
    #[error("domain signature refused: {0}")]
    NotReady(String),
    /// An expansion loop: this Mail List Agent's identifier is already in the message's
    /// mlExpansionHistory (RFC 2634 §4.1.1). Code `ml-expansion-loop`.
    #[error("mail list expansion loop: {0}")]
    MlLoop(String),
    /// The mlExpansionHistory already holds ub-ml-expansion-history (64) records (RFC 2634
    /// §4.4). Code `ml-history-limit`.
    #[error("mail list expansion history full: {0}")]
    MlHistoryLimit(String),
    /// A malformed mlExpansionHistory, or SignerInfos of one SignedData whose histories
    /// differ (RFC 2634 §4.1). Code `ml-history-invalid`.
    #[error("mlExpansionHistory: {0}")]
    MlHistory(String),
    /// A Mail List Agent refuses a message whose signatures it cannot verify (RFC 2634
    /// §4.2). Code `ml-expansion-refused`.
    #[error("mail list expansion refused: {0}")]
    MlRefused(String),
    /// An envelopedData the agent must open has no RecipientInfo for its key (§5: "Locate the
    /// RecipientInfo for the local DCA"). Code `dca-not-recipient`.
    #[error("{0}")]
    NotRecipient(String),
    /// Encryption is required and no certificate serves a recipient: neither its own nor its
    /// domain's DCA or gateway certificate (§4.1; gateway §4). Code
    /// `no-recipient-certificate`.
    #[error("{0}")]
    NoRecipientCertificate(String),
    /// Secured and unsecured recipients in one message where the gateway's policy forbids
    /// it (gateway §6). Code `gateway-mixed-recipients`.
    #[error("{0}")]
    GatewayMixed(String),
    /// An S/MIME error while signing, encrypting or decrypting.
    #[error(transparent)]
    Smime(#[from] crate::smime::Error),
    /// A certificate of a request that cannot be read (PEM).
    #[error(transparent)]
    Keys(#[from] crate::keys::Error),
    /// Header protection of the message to sign or encrypt failed.
    #[error(transparent)]
    Protect(#[from] crate::protect::Error),
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::SignatureType(_) => "signature-type-invalid",
            Error::Naming(_) => "agent-naming-invalid",
            Error::NotReady(_) => "domain-signature-refused",
            Error::MlLoop(_) => "ml-expansion-loop",
            Error::MlHistoryLimit(_) => "ml-history-limit",
            Error::MlHistory(_) => "ml-history-invalid",
            Error::MlRefused(_) => "ml-expansion-refused",
            Error::NotRecipient(_) => "dca-not-recipient",
            Error::NoRecipientCertificate(_) => "no-recipient-certificate",
            Error::GatewayMixed(_) => "gateway-mixed-recipients",
            Error::Smime(e) => e.code(),
            Error::Keys(e) => e.code(),
            Error::Protect(e) => e.code(),
        }
    }
}

//! Encryption for and by a domain (draft-melnikov-smime-msa-to-mda-04 §4) and the S/MIME
//! gateway's domain certificates (draft-ramsdell-enc-smime-gateway-00 §4, §5).
//!
//! §4's four cases:
//!
//! | | recipient decryption | domain decryption |
//! |---|---|---|
//! | originator encryption | (a) | (b) |
//! | domain encryption | (c) | (d) |
//!
//! - a client encrypts to the recipient's certificate (a), to the recipient domain's DCA
//!   certificate (b), or to both: [`DomainEncryption`] and [`recipient_certificates`] choose,
//!   per recipient, among the certificates the caller holds;
//! - a DCA of the sending domain encrypts after its domain signature (c, d: "the 'domain
//!   signature' SHOULD be applied before the encryption") — `crate::domain_agent::outer_layer`;
//! - a DCA of the receiving domain decrypts what was encrypted for it (b, d) and re-encrypts
//!   to the final recipients or delivers the plain message, as its policy says:
//!   [`dca_decrypt`] with [`DcaDelivery`].
//!
//! **Which certificate is a domain's.** A DCA "MUST be named according to the naming
//! convention specified in Section 2.6" (§4.1): its subjectAltName names the agent
//! (`smtp://<domain>`, `submit://<domain>`, dNSName) — [`super::naming::agent_names`] — and
//! "a X.509 certificate of a signing Domain-based sending agent can be distinguished from a
//! certificate of encrypting domain-based sending agent by checking for keyUsage" (§2.6): a
//! DCA certificate carries keyUsage keyEncipherment (RSA key transport) or keyAgreement
//! (ECDH); without the extension it is not taken for a DCA (fail closed: a signing agent's
//! certificate is never encrypted to by accident). A gateway's domain certificate lists
//! "at least one Internet mail domain of the form `smg_encryptor@domain`" in its subject DN
//! or subjectAltName (gateway §4) and, when it has keyUsage, allows encryption.
//!
//! **Most specific domain first.** "If it holds domain certificates for both <sub.domain> and
//! domain, it MUST use the certificate for <sub.domain> when sending to a recipient in
//! <sub.domain>" (gateway §4); a DCA serves its domain and the domains below it (§2.6,
//! ascendant rule). [`domain_certificates`] returns every certificate of the most specific
//! domain that serves the recipient (an old and a new certificate during a rollover; a DCA
//! and a gateway of the same domain) — each gets a RecipientInfo.

use serde::{Deserialize, Serialize};
use x509_cert::ext::pkix::KeyUsage;
use x509_cert::Certificate;

use super::naming::{address_domain, agent_domains, domain_name, is_same_or_ascendant};
use super::Error;
use crate::keys::PrivateKey;
use crate::rng::CryptoRng;
use crate::smime::{self, EncryptOptions};

/// The local part of a gateway's domain certificate address (gateway §4).
pub(crate) const GATEWAY_LOCAL_PART: &str = "smg_encryptor";

/// What kind of domain certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DomainCertificateKind {
    /// A Domain Confidentiality Authority (msa-to-mda §4), named by §2.6.
    Dca,
    /// An S/MIME gateway (`smg_encryptor@domain`, gateway §4).
    Gateway,
}

impl DomainCertificateKind {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            DomainCertificateKind::Dca => "dca",
            DomainCertificateKind::Gateway => "gateway",
        }
    }
}

/// Whether the certificate's keyUsage allows encrypting to it (keyEncipherment or
/// keyAgreement); `None` without the extension.
fn encryption_key_usage(cert: &Certificate) -> Option<bool> {
    match cert.tbs_certificate().get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) => Some(ku.key_encipherment() || ku.key_agreement()),
        Ok(None) => None,
        Err(_) => Some(false),
    }
}

/// The domains a certificate serves as a DCA: its §2.6 agent names, when its keyUsage is
/// for encryption (module documentation).
pub fn dca_domains(cert: &Certificate) -> Vec<String> {
    if encryption_key_usage(cert) != Some(true) {
        return Vec::new();
    }
    agent_domains(cert)
}

/// The domains a certificate serves as an S/MIME gateway: each `smg_encryptor@<domain>` of
/// its subjectAltName rfc822Names and subject emailAddress (gateway §4; the local part
/// compared ASCII case-insensitively), when its keyUsage, if any, allows encryption.
pub fn gateway_domains(cert: &Certificate) -> Vec<String> {
    if encryption_key_usage(cert) == Some(false) {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for a in crate::trust::email_addresses(cert) {
        let Some((local, _)) = a.rsplit_once('@') else {
            continue;
        };
        if !local.eq_ignore_ascii_case(GATEWAY_LOCAL_PART) {
            continue;
        }
        if let Some(d) = address_domain(&a) {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

/// One domain certificate chosen for a recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainCertificate<'c> {
    /// The certificate.
    pub cert: &'c Certificate,
    /// DCA or gateway.
    pub kind: DomainCertificateKind,
    /// The domain it serves that matched (the recipient's domain or an ascendant).
    pub domain: &'c str,
}

/// Every domain certificate of `certs` that serves `recipient_domain` at the most specific
/// level (gateway §4; module documentation), accepted by `usable` (the caller's validity
/// check: path validation at the current time, or nothing when the user chose the
/// certificates). Empty when none serves it.
pub fn domain_certificates<'c>(
    certs: &'c [(Certificate, Vec<(DomainCertificateKind, String)>)],
    recipient_domain: &str,
    usable: impl Fn(&Certificate) -> bool,
) -> Vec<DomainCertificate<'c>> {
    let Some(want) = domain_name(recipient_domain) else {
        return Vec::new();
    };
    let mut best: Vec<DomainCertificate<'c>> = Vec::new();
    let mut best_len = 0usize;
    for (cert, names) in certs {
        let Some((kind, domain)) = names
            .iter()
            .filter(|(_, d)| is_same_or_ascendant(d, &want))
            .max_by_key(|(_, d)| d.len())
        else {
            continue;
        };
        if !usable(cert) {
            continue;
        }
        let found = DomainCertificate {
            cert,
            kind: *kind,
            domain,
        };
        if domain.len() > best_len {
            best_len = domain.len();
            best = vec![found];
        } else if domain.len() == best_len && !best.iter().any(|b| b.cert == cert) {
            best.push(found);
        }
    }
    best
}

/// The domain names of each certificate, for [`domain_certificates`]: DCA names first, then
/// gateway names.
pub(crate) fn domain_names(
    certs: &[Certificate],
) -> Vec<(Certificate, Vec<(DomainCertificateKind, String)>)> {
    certs
        .iter()
        .map(|c| {
            let names = dca_domains(c)
                .into_iter()
                .map(|d| (DomainCertificateKind::Dca, d))
                .chain(
                    gateway_domains(c)
                        .into_iter()
                        .map(|d| (DomainCertificateKind::Gateway, d)),
                )
                .collect();
            (c.clone(), names)
        })
        .collect()
}

/// Whom a client encrypts to for each recipient (§4: cases (a) and (b); "A client
/// implementation that conforms to this standard MUST support case (b) for transmission").
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DomainEncryption {
    /// Case (a) only: the recipient's own certificate, or refuse.
    #[default]
    None,
    /// The recipient's own certificate; the recipient domain's DCA or gateway certificate
    /// when there is none.
    WhenNoPersonal,
    /// Both the recipient's own certificate (when there is one) and the domain's: the
    /// recipient or its DCA can decrypt (cases (a) and (b) at once).
    Also,
    /// The domain's certificate only (case (b)).
    Instead,
}

impl std::str::FromStr for DomainEncryption {
    type Err = Error;

    /// The JSON names (`none`, `whenNoPersonal`, `also`, `instead`) and their kebab-case
    /// spellings (`when-no-personal`) of the command line.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "none" => Ok(DomainEncryption::None),
            "whenNoPersonal" | "when-no-personal" => Ok(DomainEncryption::WhenNoPersonal),
            "also" => Ok(DomainEncryption::Also),
            "instead" => Ok(DomainEncryption::Instead),
            other => Err(Error::NoRecipientCertificate(format!(
                "domain encryption \"{other}\" is not none, when-no-personal, also or instead"
            ))),
        }
    }
}

/// How a recipient's certificate was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "via")]
pub enum RecipientVia {
    /// The recipient's own certificate (its e-mail address).
    Personal,
    /// The recipient domain's DCA (its §2.6 name serves `domain`).
    Dca {
        /// The domain the certificate serves.
        domain: String,
    },
    /// The recipient domain's S/MIME gateway (`smg_encryptor@domain`).
    Gateway {
        /// The domain the certificate serves.
        domain: String,
    },
}

/// The certificates to encrypt to for the recipient `address`, as indices into `certs`
/// with how each was chosen: personal certificates are those issued to the address
/// (`crate::trust::address_matches`), domain certificates those of [`domain_certificates`].
/// `Err` (`no-recipient-certificate`) when `mode` finds nothing: a message that was asked to
/// be encrypted is never sent to a recipient in clear.
pub fn recipient_certificates(
    address: &str,
    certs: &[Certificate],
    mode: DomainEncryption,
    usable: impl Fn(&Certificate) -> bool,
) -> Result<Vec<(usize, RecipientVia)>, Error> {
    let personal: Vec<(usize, RecipientVia)> = certs
        .iter()
        .enumerate()
        .filter(|(_, c)| crate::trust::address_matches(c, address) && usable(c))
        .map(|(i, _)| (i, RecipientVia::Personal))
        .take(1)
        .collect();
    let domain = || -> Vec<(usize, RecipientVia)> {
        let Some(d) = address_domain(address) else {
            return Vec::new();
        };
        let named = domain_names(certs);
        domain_certificates(&named, &d, &usable)
            .into_iter()
            .filter_map(|dc| {
                let i = certs.iter().position(|c| c == dc.cert)?;
                let domain = dc.domain.to_string();
                Some((
                    i,
                    match dc.kind {
                        DomainCertificateKind::Dca => RecipientVia::Dca { domain },
                        DomainCertificateKind::Gateway => RecipientVia::Gateway { domain },
                    },
                ))
            })
            .collect()
    };
    let out = match mode {
        DomainEncryption::None => personal,
        DomainEncryption::WhenNoPersonal if !personal.is_empty() => personal,
        DomainEncryption::WhenNoPersonal | DomainEncryption::Instead => domain(),
        DomainEncryption::Also => personal.into_iter().chain(domain()).collect(),
    };
    if out.is_empty() {
        return Err(Error::NoRecipientCertificate(format!(
            "no certificate for {address}{}",
            match mode {
                DomainEncryption::None => "",
                DomainEncryption::Instead =>
                    " (no DCA or gateway certificate serves its domain, §4.1, gateway §4)",
                _ => " (neither its own nor a DCA or gateway certificate of its domain)",
            }
        )));
    }
    Ok(out)
}

/// The certificates to encrypt one message to for all of `addresses`: the union of
/// [`recipient_certificates`] for each, in order, without duplicates.
pub fn encryption_certificates(
    addresses: &[String],
    certs: &[Certificate],
    mode: DomainEncryption,
    usable: impl Fn(&Certificate) -> bool,
) -> Result<Vec<Certificate>, Error> {
    let mut out: Vec<Certificate> = Vec::new();
    for a in addresses {
        for (i, _) in recipient_certificates(a, certs, mode, &usable)? {
            if let Some(c) = certs.get(i) {
                if !out.contains(c) {
                    out.push(c.clone());
                }
            }
        }
    }
    Ok(out)
}

/// What a receiving DCA does with a message it decrypted (§4: "re-encrypting or delivering
/// as the policy says"; cases (b) and (d) for reception).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DcaDelivery {
    /// Deliver the decrypted message (the final recipients have no certificate, or a link
    /// protects the last hop).
    Plain,
    /// Encrypt the decrypted message again for these final recipients' certificates.
    ReEncrypt(Vec<Certificate>),
}

/// What [`dca_decrypt`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DcaOutcome {
    /// The message is not encrypted at its top level: passed on as it is.
    NotEncrypted,
    /// Encrypted, but no RecipientInfo names our DCA certificate: passed on as it is (the
    /// final recipients decrypt it themselves, case (a) / (c)).
    NotForUs,
    /// Decrypted by our DCA (and re-encrypted when the policy said so): the message to pass
    /// on.
    Decrypted(Vec<u8>),
}

/// Domain decryption (§4.2): "DCA decryption uses a private-key belonging to the DCA and the
/// necessary information conveyed in the DCA's recipientInfo field". Decrypts the top
/// encrypted layer of `raw` when a RecipientInfo names `dca.1`, then delivers it plain or
/// re-encrypts it for the final recipients (`delivery`). A layer that names our DCA but does
/// not decrypt is an `Err` (gateway §5.2: "MUST NOT relay the encrypted message onto the next
/// hop"); signatures inside are left untouched (the receiving agent verifies them after
/// decryption, §4: "the message SHOULD be decrypted before the originators 'domain
/// signature' is obtained and verified").
pub fn dca_decrypt<R: CryptoRng + ?Sized>(
    raw: &[u8],
    dca: &(PrivateKey, Certificate),
    delivery: &DcaDelivery,
    opts: &EncryptOptions,
    rng: &mut R,
) -> Result<DcaOutcome, Error> {
    match (dca_open(raw, Some(dca))?, delivery) {
        (DcaOutcome::Decrypted(plain), DcaDelivery::ReEncrypt(certs)) => Ok(DcaOutcome::Decrypted(
            smime::encrypt_message(&plain, certs, opts, rng)?,
        )),
        (outcome, _) => Ok(outcome),
    }
}

/// The decryption step of [`dca_decrypt`] (delivery [`DcaDelivery::Plain`]) for an agent that
/// may hold no DCA key: without one, a message encrypted at its top level is
/// [`DcaOutcome::NotForUs`] (no RecipientInfo can name a DCA the agent does not have), any
/// other — a message whose top layer cannot be read included, which the receive pipeline
/// then reports — is [`DcaOutcome::NotEncrypted`].
pub fn dca_open(raw: &[u8], dca: Option<&(PrivateKey, Certificate)>) -> Result<DcaOutcome, Error> {
    let Some((key, cert)) = dca else {
        return Ok(match super::layers::top_layer(raw) {
            Ok(super::layers::TopLayer::Encrypted) => DcaOutcome::NotForUs,
            _ => DcaOutcome::NotEncrypted,
        });
    };
    match smime::decrypt_message(raw, key, cert) {
        Ok(m) => Ok(DcaOutcome::Decrypted(m)),
        Err(smime::Error::NotEncrypted(_)) => Ok(DcaOutcome::NotEncrypted),
        Err(smime::Error::DecryptNoRecipient(_)) => Ok(DcaOutcome::NotForUs),
        Err(e) => Err(e.into()),
    }
}

//! The S/MIME gateway (draft-ramsdell-enc-smime-gateway-00): server-to-server encryption
//! between cooperating domains with domain certificates (`smg_encryptor@domain`, §4;
//! [`super::dca::gateway_domains`]).
//!
//! - **Outbound** (§5.1): "When a message is received with a destination within a domain for
//!   which the gateway has a domain certificate, the gateway MUST perform S/MIME encryption
//!   with the domain certificate for that destination" — [`gateway_outbound`] groups the
//!   envelope recipients by the domain certificates that serve them (most specific domain
//!   first, §4) and encrypts one copy per group, wrapping the message as it is (§3: "simply
//!   encapsulate an existing MIME or S/MIME message in an encryption wrapper"); recipients
//!   without one get the message unaltered, unless the administrator forbids mixing secured
//!   and unsecured recipients (§6): [`MixedRecipients::Refuse`].
//! - **Inbound** (§5.2): a message "encrypted using the public key contained in the gateway's
//!   domain certificate" is decrypted and relayed; one that names the gateway but does not
//!   decrypt is never relayed ("MUST NOT relay the encrypted message onto the next hop");
//!   "any other message SHOULD be relayed unaltered" — [`gateway_inbound`].
//!
//! **Marking what the gateway decrypted.** draft-ramsdell-enc-smime-gateway-00 relays the decrypted message without
//! saying so; the recipient then holds a message that was encrypted only between gateways
//! and would read it as never encrypted, or — worse — could be told by a sender that it was.
//! The gateway therefore adds one header field to what it decrypted, and removes that field
//! from every inbound message first (as RFC 8601 §5 does for Authentication-Results), so a
//! field a sender wrote never reaches the recipient:
//!
//! ```text
//! SMIME-Gateway-Decrypted: <domain>    ; the gateway certificate's smg_encryptor@<domain>
//! ```
//!
//! On receipt the report says so (`gatewayDecrypted`, note `gateway-decrypted`,
//! `crate::verify::gateway`): confidentiality ended at the recipient's domain boundary; it is
//! never read as encryption to the recipient, and it changes no signature verdict.

use serde::{Deserialize, Serialize};
use x509_cert::Certificate;

use super::dca::{domain_certificates, domain_names, DomainCertificateKind};
use super::naming::address_domain;
use super::Error;
use crate::keys::PrivateKey;
use crate::mime::entity::{canonical_crlf, fields, split};
use crate::rng::CryptoRng;
use crate::smime::{self, EncryptOptions};

/// The header field a gateway adds to a message it decrypted (module documentation).
pub const GATEWAY_DECRYPTED_FIELD: &str = "SMIME-Gateway-Decrypted";

/// What the gateway does when some recipients of a message can be secured and others not
/// (§6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MixedRecipients {
    /// Encrypt for the secured recipients, send the others the message as it is.
    #[default]
    Allow,
    /// "prevent transmission of a message to a secured and un-secured recipient" (§6):
    /// refuse the whole message (`gateway-mixed-recipients`).
    Refuse,
}

/// One copy the gateway sends out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayCopy {
    /// The envelope recipients of this copy.
    pub recipients: Vec<String>,
    /// The domains whose gateway certificates it is encrypted for; empty: not encrypted.
    pub encrypted_for: Vec<String>,
    /// The message.
    pub message: Vec<u8>,
}

/// Outbound processing (§5.1): one copy per set of destination domain certificates, one
/// unencrypted copy for the recipients no domain certificate serves (or `Err` with
/// [`MixedRecipients::Refuse`]). `domain_certs` are the gateway certificates of other
/// domains the gateway holds, `usable` its validity check (path validation now).
pub fn gateway_outbound<R: CryptoRng + ?Sized>(
    raw: &[u8],
    recipients: &[String],
    domain_certs: &[Certificate],
    usable: impl Fn(&Certificate) -> bool,
    mixed: MixedRecipients,
    opts: &EncryptOptions,
    rng: &mut R,
) -> Result<Vec<GatewayCopy>, Error> {
    let named: Vec<_> = domain_names(domain_certs)
        .into_iter()
        .map(|(c, names)| {
            let g: Vec<_> = names
                .into_iter()
                .filter(|(k, _)| *k == DomainCertificateKind::Gateway)
                .collect();
            (c, g)
        })
        .collect();
    // (certificates, domains, recipients), in the order first seen.
    let mut groups: Vec<(Vec<Certificate>, Vec<String>, Vec<String>)> = Vec::new();
    let mut clear: Vec<String> = Vec::new();
    for r in recipients {
        let found = address_domain(r)
            .map(|d| domain_certificates(&named, &d, &usable))
            .unwrap_or_default();
        if found.is_empty() {
            clear.push(r.clone());
            continue;
        }
        let certs: Vec<Certificate> = found.iter().map(|f| f.cert.clone()).collect();
        let mut domains: Vec<String> = Vec::new();
        for f in &found {
            if !domains.iter().any(|d| d == f.domain) {
                domains.push(f.domain.to_string());
            }
        }
        match groups.iter_mut().find(|g| g.0 == certs) {
            Some(g) => g.2.push(r.clone()),
            None => groups.push((certs, domains, vec![r.clone()])),
        }
    }
    if mixed == MixedRecipients::Refuse && !groups.is_empty() && !clear.is_empty() {
        return Err(Error::GatewayMixed(format!(
            "{} recipient(s) can be secured and {} cannot ({}); the policy forbids sending to both (gateway §6)",
            recipients.len() - clear.len(),
            clear.len(),
            clear.join(", ")
        )));
    }
    let mut out = Vec::with_capacity(groups.len() + 1);
    for (certs, domains, rcpts) in groups {
        out.push(GatewayCopy {
            recipients: rcpts,
            encrypted_for: domains,
            message: smime::encrypt_message(raw, &certs, opts, rng)?,
        });
    }
    if !clear.is_empty() {
        out.push(GatewayCopy {
            recipients: clear,
            encrypted_for: Vec::new(),
            message: canonical_crlf(raw).into_owned(),
        });
    }
    Ok(out)
}

/// What inbound processing produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayInbound {
    /// Not encrypted for this gateway: relay this (the message less any
    /// `SMIME-Gateway-Decrypted` field a sender wrote).
    Relay(Vec<u8>),
    /// Decrypted (§5.2 step 1): relay this, marked with `SMIME-Gateway-Decrypted`.
    Decrypted(Vec<u8>),
}

/// Inbound processing (§5.2) with the gateway's key and domain certificate. `Err` when the
/// message is encrypted for the gateway but does not decrypt (§5.2 step 2: never relayed),
/// or when `gateway.1` is not a gateway certificate (`agent-naming-invalid`).
pub fn gateway_inbound(
    raw: &[u8],
    gateway: &(PrivateKey, Certificate),
) -> Result<GatewayInbound, Error> {
    let domain = super::dca::gateway_domains(&gateway.1)
        .into_iter()
        .next()
        .ok_or_else(|| {
            Error::Naming(format!(
                "the gateway certificate lists no {}@<domain> address (gateway §4)",
                super::dca::GATEWAY_LOCAL_PART
            ))
        })?;
    let cleaned = without_marker(raw);
    match smime::decrypt_message(&cleaned, &gateway.0, &gateway.1) {
        Ok(plain) => {
            // What it decrypted has a header section within the header reader's limits before
            // it is read whole to be marked (`verify` refuses a larger one anyway).
            crate::mime::HeaderSection::parse(&plain).map_err(smime::Error::from)?;
            Ok(GatewayInbound::Decrypted(marked(&plain, &domain)))
        }
        Err(smime::Error::NotEncrypted(_)) | Err(smime::Error::DecryptNoRecipient(_)) => {
            Ok(GatewayInbound::Relay(cleaned))
        }
        Err(e) => Err(e.into()),
    }
}

/// `plain`, what the gateway of `domain` decrypted, marked `SMIME-Gateway-Decrypted: <domain>`
/// (§5.2 step 3, the decrypted message relayed). The decrypted entity's own header fields join
/// the outer ones: a marker the sender put inside the encryption is removed too.
pub(crate) fn marked(plain: &[u8], domain: &str) -> Vec<u8> {
    let mut out = format!("{GATEWAY_DECRYPTED_FIELD}: {domain}\r\n").into_bytes();
    out.extend_from_slice(&without_marker(plain));
    out
}

/// The message (CRLF) without any `SMIME-Gateway-Decrypted` field in its outer header.
pub(crate) fn without_marker(raw: &[u8]) -> Vec<u8> {
    let canon = canonical_crlf(raw);
    let (header, body) = split(&canon);
    let mut out = Vec::with_capacity(canon.len());
    for f in fields(header) {
        if !f.name.eq_ignore_ascii_case(GATEWAY_DECRYPTED_FIELD) {
            out.extend_from_slice(f.raw);
        }
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sender's own `SMIME-Gateway-Decrypted` field (any case, folded) never survives.
    #[test]
    fn forged_markers_are_removed() {
        let raw = b"From: a@army.example\r\nsmime-gateway-decrypted: navy.example\r\nSMIME-Gateway-Decrypted:\r\n navy.example\r\nSubject: s\r\n\r\nbody\r\n";
        assert_eq!(
            without_marker(raw),
            b"From: a@army.example\r\nSubject: s\r\n\r\nbody\r\n".to_vec()
        );
    }
}

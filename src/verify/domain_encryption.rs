//! What the report says about encryption for and by a domain: for whom each encrypted layer
//! was encrypted — the recipient, its domain's DCA (draft-melnikov-smime-msa-to-mda-04 §4) or
//! its domain's S/MIME gateway (draft-ramsdell-enc-smime-gateway-00 §4) — and whether a
//! gateway of the recipient's domain decrypted the message before delivery (gateway §5.2).
//!
//! Both are informational: they never make a message valid or invalid, and they never read
//! as encryption to the recipient. A layer encrypted for a domain's DCA or gateway can be
//! read by that domain ("the message will be in plain text" there, §7): note
//! `encrypted-for-domain`. A message a gateway decrypted carries the gateway's
//! `SMIME-Gateway-Decrypted` field (the gateway removes any such field a sender wrote,
//! `crate::domain::gateway`): note `gateway-decrypted`, field `gatewayDecrypted`.

use x509_cert::Certificate;

use super::signers::certificate_identity;
use super::VerifyContext;
use crate::domain::dca::{dca_domains, gateway_domains};
use crate::domain::gateway::GATEWAY_DECRYPTED_FIELD;
use crate::domain::naming::domain_name;
use crate::mime::entity::Field;
use crate::report::{EncryptedLayer, EncryptionRecipient, Problem, RecipientKind, VerifyReport};

/// Note: a layer was encrypted for a domain's DCA or gateway.
pub(crate) const ENCRYPTED_FOR_DOMAIN: &str = "encrypted-for-domain";
/// Note: a gateway of the recipient's domain decrypted the message.
pub(crate) const GATEWAY_DECRYPTED: &str = "gateway-decrypted";
/// At most this many recipients of one encrypted layer are listed in the report (a message
/// chooses how many RecipientInfos it carries; the report stays small).
pub(crate) const MAX_REPORTED_RECIPIENTS: usize = 256;

/// Record the recipients of the encrypted layer `index` (ContentInfo `der`): which of the
/// caller's certificates (`ctx.certificates`, the decryption keys' certificates) each
/// RecipientInfo names, and whether that certificate is a DCA's or a gateway's.
/// `opened_with`: the index into `ctx.decryption_certificates()` that decrypted it, if any.
pub(crate) fn record_recipients(
    report: &mut VerifyReport,
    index: usize,
    der: &[u8],
    ctx: &VerifyContext,
    opened_with: Option<usize>,
) {
    let keys: Vec<&Certificate> = ctx.decryption_certificates();
    let certs: Vec<&Certificate> = keys
        .iter()
        .copied()
        .chain(ctx.certificates.iter())
        .collect();
    let Ok(named) = crate::smime::recipients_named(der, &certs) else {
        return;
    };
    let mut recipients = Vec::with_capacity(named.len());
    let mut domains: Vec<String> = Vec::new();
    for n in named.into_iter().take(MAX_REPORTED_RECIPIENTS) {
        let Some(i) = n else {
            recipients.push(EncryptionRecipient {
                certificate: None,
                kind: None,
                domain: None,
                decrypted_here: false,
            });
            continue;
        };
        let cert = certs[i];
        let (kind, domain) = match (dca_domains(cert).first(), gateway_domains(cert).first()) {
            (Some(d), _) => (RecipientKind::Dca, Some(d.clone())),
            (None, Some(d)) => (RecipientKind::Gateway, Some(d.clone())),
            _ => (RecipientKind::Personal, None),
        };
        if let Some(d) = &domain {
            if !domains.contains(d) {
                domains.push(d.clone());
            }
        }
        recipients.push(EncryptionRecipient {
            certificate: Some(certificate_identity(cert)),
            kind: Some(kind),
            domain,
            decrypted_here: opened_with.is_some_and(|k| k == i && i < keys.len()),
        });
    }
    if !domains.is_empty() {
        report.notes.push(Problem::new(
            ENCRYPTED_FOR_DOMAIN,
            format!(
                "layer {} is encrypted for the domain confidentiality authority or S/MIME gateway of {}: that domain can read it (draft-melnikov-smime-msa-to-mda-04 §4, §7)",
                index + 1,
                domains.join(", ")
            ),
        ));
    }
    report.encryption.push(EncryptedLayer {
        layer: index,
        recipients,
    });
}

/// Read the `SMIME-Gateway-Decrypted` fields of the message's outer `header`: each names
/// the domain whose gateway decrypted the message (`gatewayDecrypted`, note
/// `gateway-decrypted`). A value that is not a domain name is reported as it is, in the note.
pub(crate) fn record_gateway(report: &mut VerifyReport, header: &[Field<'_>]) {
    for f in header {
        if !f.name.eq_ignore_ascii_case(GATEWAY_DECRYPTED_FIELD) {
            continue;
        }
        let shown = domain_name(&f.value).unwrap_or_else(|| f.value.clone());
        if !report.gateway_decrypted.contains(&shown) {
            report.gateway_decrypted.push(shown.clone());
        }
        report.notes.push(Problem::new(
            GATEWAY_DECRYPTED,
            format!(
                "the S/MIME gateway of {shown} decrypted this message before delivery (draft-ramsdell-enc-smime-gateway-00 §5.2): it was encrypted only as far as that domain's boundary, not to you"
            ),
        ));
    }
}

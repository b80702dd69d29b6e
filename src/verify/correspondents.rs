//! Which signer certificates a valid message vouches for, and for which address: what a mail
//! client may keep as a correspondent's certificate to encrypt to later (RFC 8551 §2.5.1:
//! "receiving agents SHOULD … store … certificates … for later use", bound to the sender by
//! §3 "the address in the From or Sender header field").
//!
//! Only a **valid** report counts (every signature verifies and chains to the reader's own
//! trust anchors, no problem at all): a message with a valid signature under an untrusted
//! chain, with an altered protected header, or whose signer does not match the originator
//! vouches for nothing. Within it, only an originator signature (draft-melnikov-smime-msa-
//! to-mda-04 §3.2) that is valid, trusted and bound to the originator (`addressMatch`,
//! [`super::originator`]) gives an entry, and only under an originator address (the Sender,
//! else the From — the address the binding was checked against) that its certificate — the
//! one its SignerIdentifier named — carries. A domain, review or list signature names an
//! agent, not a correspondent, and gives none. A From beside a Sender is not bound by the
//! signature and gets no entry.

use crate::report::{CorrespondentCertificate, VerifyReport};

/// Fill [`VerifyReport::correspondents`] of a finished report (after `valid` is set).
pub(crate) fn apply(report: &mut VerifyReport) {
    report.correspondents = correspondents(report);
}

/// The entries of [`apply`]: one per originator address, the first signature bound to it.
pub(crate) fn correspondents(report: &VerifyReport) -> Vec<CorrespondentCertificate> {
    if !report.valid || !report.problems.is_empty() {
        return Vec::new();
    }
    let claimed = super::originator::claimed_originators(&report.from, &report.sender);
    let mut out: Vec<CorrespondentCertificate> = Vec::new();
    for (i, s) in report.signatures.iter().enumerate() {
        let bound = s.valid
            && s.trusted
            && s.problems.is_empty()
            && s.address_match == Some(true)
            && s.signature_type.is_originator()
            && s.certificate.is_some();
        if !bound {
            continue;
        }
        for address in &claimed {
            let carried = s.emails.iter().any(|e| e.eq_ignore_ascii_case(address));
            let known = out.iter().any(|c| c.address.eq_ignore_ascii_case(address));
            if carried && !known {
                out.push(CorrespondentCertificate {
                    address: address.clone(),
                    signature: i,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{SignatureReport, SignatureType, SignatureTypes};

    fn sig(emails: &[&str]) -> SignatureReport {
        SignatureReport {
            signer: emails.first().copied().unwrap_or("x").to_string(),
            emails: emails.iter().map(|e| e.to_string()).collect(),
            certificate: Some("-----BEGIN CERTIFICATE-----\n…".into()),
            valid: true,
            trusted: true,
            address_match: Some(true),
            signature_type: SignatureTypes::originator(),
            ..Default::default()
        }
    }

    fn report(from: &[&str], sender: &[&str], sigs: Vec<SignatureReport>) -> VerifyReport {
        VerifyReport {
            valid: true,
            from: from.iter().map(|a| a.to_string()).collect(),
            sender: sender.iter().map(|a| a.to_string()).collect(),
            signatures: sigs,
            ..Default::default()
        }
    }

    #[test]
    fn a_bound_trusted_originator_signature_gives_its_address() {
        let r = report(&["Bob@Navy.example"], &[], vec![sig(&["bob@navy.example"])]);
        assert_eq!(
            correspondents(&r),
            vec![CorrespondentCertificate {
                address: "Bob@Navy.example".into(),
                signature: 0
            }]
        );
    }

    #[test]
    fn nothing_from_an_invalid_or_untrusted_report() {
        let mut r = report(&["bob@navy.example"], &[], vec![sig(&["bob@navy.example"])]);
        r.valid = false;
        assert!(correspondents(&r).is_empty(), "invalid report");
        let mut r = report(&["bob@navy.example"], &[], vec![sig(&["bob@navy.example"])]);
        r.problems
            .push(crate::report::Problem::new("cert-untrusted", "untrusted"));
        assert!(correspondents(&r).is_empty(), "a problem beside valid");
        let mut s = sig(&["bob@navy.example"]);
        s.trusted = false;
        assert!(correspondents(&report(&["bob@navy.example"], &[], vec![s])).is_empty());
        let mut s = sig(&["bob@navy.example"]);
        s.valid = false;
        assert!(correspondents(&report(&["bob@navy.example"], &[], vec![s])).is_empty());
        let mut s = sig(&["bob@navy.example"]);
        s.certificate = None;
        assert!(correspondents(&report(&["bob@navy.example"], &[], vec![s])).is_empty());
    }

    #[test]
    fn never_under_an_address_the_certificate_does_not_carry() {
        // mallory's certificate, From: bob — even if a report claimed the binding
        let r = report(
            &["bob@navy.example"],
            &[],
            vec![sig(&["mallory@navy.example"])],
        );
        assert!(correspondents(&r).is_empty());
        let mut s = sig(&["bob@navy.example"]);
        s.address_match = Some(false);
        assert!(correspondents(&report(&["bob@navy.example"], &[], vec![s])).is_empty());
        s = sig(&["bob@navy.example"]);
        s.address_match = None;
        assert!(correspondents(&report(&["bob@navy.example"], &[], vec![s])).is_empty());
    }

    #[test]
    fn with_a_sender_only_the_sender_is_bound() {
        // the certificate carries both, but only the Sender is what the binding checked
        let r = report(
            &["officer@navy.example"],
            &["bob@navy.example"],
            vec![sig(&["bob@navy.example", "officer@navy.example"])],
        );
        let got = correspondents(&r);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].address, "bob@navy.example");
    }

    #[test]
    fn agent_signatures_are_not_correspondents() {
        let mut s = sig(&["bob@navy.example"]);
        s.signature_type = SignatureTypes::from(vec![SignatureType::Domain]);
        assert!(correspondents(&report(&["bob@navy.example"], &[], vec![s])).is_empty());
    }

    #[test]
    fn one_entry_per_address() {
        let r = report(
            &["bob@navy.example"],
            &[],
            vec![sig(&["bob@navy.example"]), sig(&["BOB@navy.example"])],
        );
        let got = correspondents(&r);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].signature, 0);
    }
}

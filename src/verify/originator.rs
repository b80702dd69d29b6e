//! The sender a reader is shown, and its binding to the originator signature.
//!
//! - The addresses shown are every address of every From and Sender field of the header the
//!   message is read from (the protected header when present): [`VerifyReport::from`] and
//!   [`VerifyReport::sender`]. RFC 5322 §3.6 allows exactly one From and at most one Sender;
//!   a second one (say, prepended outside a signature) would let a reader show one address
//!   while the signature is checked against another, so more than one From or Sender field in
//!   the read header or in the outer header is `originator-field-duplicate` — and so is a
//!   From listing several mailboxes without a Sender (RFC 5322 §3.6.2 requires one).
//! - Every originator signature must be made with a certificate carrying the originator
//!   address: the Sender when there is one, else the From (RFC 8551 §3 accepts either; RFC
//!   5322 §3.6.2 makes the Sender the one responsible; MMHS profile §3.4.29 / RFC 7912 §5:
//!   with MMHS-Authorizing-Users From names the officers); otherwise
//!   `signer-address-mismatch`. A From beside a Sender is then only as trustworthy as its
//!   coverage (`fieldCoverage`): a reader shows "Sender on behalf of From". The addresses come from the certificate the
//!   SignerIdentifier named, never from a certificate found by address.
//! - A Mail List Agent's signature (RFC 2634 §4.2, `super::naming::list_signature`) is the
//!   list's, not an originator signature: the originator's inside it is the one bound.
//! - A From whose display name shows another address than its addr-spec is
//!   `from-display-name-address`.

use crate::fields::address;
use crate::mime::entity::{self, Field};
use crate::report::{Problem, SignatureType, VerifyReport};
use crate::smime::signed_verify::SignerCheck;

/// Problem codes of this module (documented in `docs/report.md`).
pub(crate) mod codes {
    /// A signer's certificate addresses do not include the From/Sender address.
    pub(crate) const SIGNER_ADDRESS_MISMATCH: &str = "signer-address-mismatch";
    /// A From display name shows another address than its addr-spec.
    pub(crate) const FROM_DISPLAY_NAME_ADDRESS: &str = "from-display-name-address";
    /// More than one From or Sender field (RFC 5322 §3.6), or a From listing several
    /// mailboxes without a Sender (RFC 5322 §3.6.2).
    pub(crate) const ORIGINATOR_FIELD_DUPLICATE: &str = "originator-field-duplicate";
    /// The message carries no signature.
    pub(crate) const NOT_SIGNED: &str = "not-signed";
    /// Only domain / review / additional-attributes signatures, and no valid, correctly
    /// named domain signature (`domainVerified`).
    pub(crate) const NO_ORIGINATOR_SIGNATURE: &str = "no-originator-signature";
}

/// Fill `report.from` / `report.sender` from `read` (the header the message is read from; the
/// outer one, `outer`, when `read` has no From), check both headers for duplicate originator
/// fields, and bind every originator signature to the originator address.
pub(crate) fn check(
    report: &mut VerifyReport,
    checks: &[SignerCheck],
    read: &[Field<'_>],
    outer: &[Field<'_>],
    with_authorizing_users: bool,
) {
    let addr_fields: &[Field<'_>] = if entity::field(read, "from").is_some() {
        read
    } else {
        outer
    };
    // Without header protection the header shown is the outer one (the same octets): it is
    // checked once.
    let first_octet = |h: &[Field<'_>]| h.first().map(|f| f.raw.as_ptr());
    let same_header = first_octet(addr_fields) == first_octet(outer);
    for (which, header) in [
        ("the header shown", addr_fields),
        ("the outer header", outer),
    ] {
        for name in ["From", "Sender"] {
            let n = header
                .iter()
                .filter(|f| f.name.eq_ignore_ascii_case(name))
                .count();
            if n > 1 {
                report.problem(
                    codes::ORIGINATOR_FIELD_DUPLICATE,
                    format!("{which} has {n} {name} fields (RFC 5322 §3.6: at most one); a reader could show one while the signature is checked against another"),
                );
            }
        }
        // RFC 5322 §3.6.2: a From listing several mailboxes requires a Sender naming the one
        // responsible; without it a reader could show one mailbox while the signature is
        // bound to another.
        let from_mailboxes = header
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("from"))
            .map(|f| address::addresses(&f.value).len())
            .max()
            .unwrap_or(0);
        if from_mailboxes > 1 && entity::field(header, "sender").is_none() {
            report.problem(
                codes::ORIGINATOR_FIELD_DUPLICATE,
                format!("{which} has a From listing {from_mailboxes} mailboxes and no Sender (RFC 5322 §3.6.2: a Sender must then name the one responsible); a reader could show one while the signature is checked against another"),
            );
        }
        if same_header {
            break;
        }
    }
    report.from = addresses_of(addr_fields, "from");
    report.sender = addresses_of(addr_fields, "sender");
    for f in addr_fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("from"))
    {
        if let Some(m) = display_name_spoof(&f.value) {
            report.problem(codes::FROM_DISPLAY_NAME_ADDRESS, m);
        }
    }
    let claimed = claimed_originators(&report.from, &report.sender);
    address_checks(report, checks, &claimed, with_authorizing_users);
}

fn addresses_of(header: &[Field<'_>], name: &str) -> Vec<String> {
    header
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case(name))
        .flat_map(|f| address::addresses(&f.value))
        .collect()
}

/// The addresses an originator signature must match: the Sender when there is one, else the
/// From. RFC 8551 §3 accepts either; binding the one responsible for the message (RFC 5322
/// §3.6.2: the Sender when present, and necessarily when From lists several mailboxes; MMHS
/// profile §3.4.29 / RFC 7912 §5: the Sender when MMHS-Authorizing-Users names the
/// authorizing users in From) means a Sender added outside the signature cannot stand beside
/// a signature by the From, and a reader shows "Sender on behalf of From" with the Sender
/// verified (what Thunderbird checks too).
pub(crate) fn claimed_originators(from: &[String], sender: &[String]) -> Vec<String> {
    if sender.is_empty() {
        from.to_vec()
    } else {
        sender.to_vec()
    }
}

/// Signer address vs the claimed originator, per originator signature; `not-signed` /
/// `no-originator-signature`.
fn address_checks(
    report: &mut VerifyReport,
    checks: &[SignerCheck],
    claimed: &[String],
    with_authorizing_users: bool,
) {
    super::naming::apply(report, checks, claimed);
    let mut originator_sigs = 0usize;
    let layers = report.layers.clone();
    for (rep, check) in report.signatures.iter_mut().zip(checks.iter()) {
        if !check.signature_types.is_originator()
            || check.cert.is_none()
            || super::naming::untyped_agent_signature(check, rep.layer, &layers)
            || super::naming::list_signature(check, rep, &layers)
        {
            continue;
        }
        // A delegated originator signature (draft-melnikov-smime-msa-to-mda-04 §3.7) made
        // with an MSA certificate that carries no e-mail address is bound to the originator
        // by the naming convention instead (`namingOk`, `super::naming`).
        if check
            .signature_types
            .contains(SignatureType::DelegatedOriginator)
            && rep.emails.is_empty()
        {
            if rep.naming_ok == Some(true) {
                originator_sigs += 1;
            }
            continue;
        }
        originator_sigs += 1;
        let m = !claimed.is_empty()
            && rep
                .emails
                .iter()
                .any(|e| claimed.iter().any(|c| c.eq_ignore_ascii_case(e)));
        rep.address_match = Some(m);
        if !m {
            rep.problems.push(Problem::new(
                codes::SIGNER_ADDRESS_MISMATCH,
                format!(
                    "signer {} does not match the {} address {}",
                    rep.signer,
                    if with_authorizing_users {
                        "originator (Sender, else From; MMHS-Authorizing-Users is present)"
                    } else {
                        "originator (Sender, else From)"
                    },
                    if claimed.is_empty() {
                        "(none)".to_string()
                    } else {
                        claimed.join(", ")
                    }
                ),
            ));
        }
    }
    if report.signatures.is_empty() {
        if !report.has_problem("no-signers") {
            report.problem(codes::NOT_SIGNED, "the message carries no signature");
        }
    } else if originator_sigs == 0 && !report.domain_verified {
        report.problem(
            codes::NO_ORIGINATOR_SIGNATURE,
            "no signature authenticates the originator (only domain/review/additional-attributes or unknown-type signatures, or signers whose certificate was not found)",
        );
    }
}

/// When a From value's display name contains an address other than its addr-spec.
fn display_name_spoof(value: &str) -> Option<String> {
    let lt = value.rfind('<')?;
    let addr = address::addresses(value);
    let display = value.get(..lt)?;
    let shown: Vec<String> = display
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',')
        .filter(|t| t.contains('@'))
        .map(address::normalize_address)
        .collect();
    let other = shown.iter().find(|s| !addr.contains(s))?;
    Some(format!(
        "the From display name shows {other} but the address is {}",
        addr.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::entity::fields;

    #[test]
    fn originator_is_the_sender_else_the_from() {
        let from = vec!["o1@army.example".to_string()];
        let sender = vec!["alice@army.example".to_string()];
        assert_eq!(claimed_originators(&from, &sender), sender);
        assert_eq!(claimed_originators(&sender, &[]), sender);
        let two = vec!["a@army.example".to_string(), "b@army.example".to_string()];
        assert_eq!(claimed_originators(&two, &sender), sender);
    }

    #[test]
    fn display_name_spoof_is_found() {
        assert!(display_name_spoof("\"boss@army.example\" <eve@evil.example>").is_some());
        assert!(display_name_spoof("Alice <alice@army.example>").is_none());
        assert!(display_name_spoof("alice@army.example").is_none());
    }

    #[test]
    fn two_from_fields_are_a_problem_and_both_are_shown() {
        let h = b"From: mallory@evil.example\r\nFrom: alice@army.example\r\n";
        let (read, outer) = (fields(h), fields(h));
        let mut r = VerifyReport::default();
        check(&mut r, &[], &read, &outer, false);
        // One header (read twice): one problem.
        let dup = |r: &VerifyReport| {
            r.problems
                .iter()
                .filter(|p| p.code == codes::ORIGINATOR_FIELD_DUPLICATE)
                .count()
        };
        assert_eq!(dup(&r), 1, "{:?}", r.problems);
        assert_eq!(r.from, vec!["mallory@evil.example", "alice@army.example"]);
    }

    #[test]
    fn several_from_mailboxes_need_a_sender() {
        let h = b"From: mallory@evil.example, alice@army.example\r\n";
        let f = fields(h);
        let mut r = VerifyReport::default();
        check(&mut r, &[], &f, &f, false);
        assert!(r.has_problem(codes::ORIGINATOR_FIELD_DUPLICATE));
        let h = b"From: ops@army.example, hq@army.example\r\nSender: alice@army.example\r\n";
        let f = fields(h);
        let mut r = VerifyReport::default();
        check(&mut r, &[], &f, &f, false);
        assert!(!r.has_problem(codes::ORIGINATOR_FIELD_DUPLICATE));
    }
}

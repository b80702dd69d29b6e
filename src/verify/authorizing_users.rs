//! Which authorisations a message carries: for every address in MMHS-Authorizing-Users, is its
//! authorisation protected? (draft-melnikov-mmhs-authorizing-users §3 step 2 and §4; RFC 7912
//! §3.2 — an MSA "MUST check … at least one matching valid review signature per listed
//! entity").
//!
//! A listed address is `countersigned` when a signature *that authorises this content* was
//! made with a certificate carrying that address — the certificate its own SignerIdentifier
//! names (`smime::signer_certificate`), never one found by address — verifies and chains:
//! - a countersignature (RFC 5652 §11.4) on an **originator signature of this content** that
//!   is itself valid, trusted and bound to the originator address (a countersignature signs
//!   only the countersigned signature value: copied with its SignerInfo into another
//!   SignedData, it would still verify, but the originator signature it hangs on no longer
//!   matches the content, so it authorises nothing); a countersignature on a countersignature
//!   counts when every signature between it and the originator's does;
//! - or, in RFC 7912 form, a review signature (RFC 3183 id-sti-reviewSig) that encapsulates a
//!   layer holding such an originator signature.
//!
//! Otherwise the address is `invalid` (its signature does not verify, or authorises nothing:
//! problem `countersignature-orphaned`), `untrusted` (verifies, does not chain) or
//! `notCountersigned` (nothing by that address). Signatures by unlisted signers are
//! `notListed`.

use crate::report::{
    AuthorizationStatus, AuthorizingUser, CountersignatureReport, Problem, SignatureReport,
    SignatureType, VerifyReport,
};

/// Problem codes of this module (documented in `docs/report.md`).
pub(crate) mod codes {
    /// A listed authorizing user did not countersign.
    pub(crate) const NOT_COUNTERSIGNED: &str = "authorizing-user-not-countersigned";
    /// A listed authorizing user's countersignature does not verify or authorises nothing.
    pub(crate) const COUNTERSIGNATURE_INVALID: &str = "authorizing-user-countersignature-invalid";
    /// A listed authorizing user's countersignature does not chain to a trust anchor.
    pub(crate) const UNTRUSTED: &str = "authorizing-user-untrusted";
    /// A countersignature (or review signature) by a signer not listed in the field.
    pub(crate) const NOT_LISTED: &str = "countersigner-not-listed";
    /// A countersignature (or review signature) on a signature that is not a valid, trusted
    /// originator signature of this content: it authorises nothing.
    pub(crate) const COUNTERSIGNATURE_ORPHANED: &str = "countersignature-orphaned";
}

/// The addresses of the top-level MMHS-Authorizing-Users field (all instances, in order).
pub fn listed_authorizing_users(raw: &[u8]) -> Vec<String> {
    crate::mime::header::HeaderSection::parse(raw)
        .map(|header| listed_in(&header))
        .unwrap_or_default()
}

/// [`listed_authorizing_users`] of a header section already read (with the default limits).
pub(crate) fn listed_in(header: &crate::mime::header::HeaderSection<'_>) -> Vec<String> {
    header
        .get_all("MMHS-Authorizing-Users")
        .filter_map(|f| {
            f.unfolded()
                .parse::<crate::fields::authorizing_users::AuthorizingUsers>()
                .ok()
        })
        .flat_map(|u| {
            u.0.mailboxes()
                .map(|m| m.address.clone())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A signature that can protect an authorisation: who made it and how it checked out.
struct Evidence<'a> {
    emails: &'a [String],
    signer: &'a str,
    valid: bool,
    trusted: bool,
    /// Whether what it signs is a valid originator signature of this content (directly or
    /// through countersignatures that all verify and chain).
    anchored: bool,
    form: &'static str,
    /// signingTime (RFC 3339), if the signature carries one.
    signing_time: Option<&'a str>,
}

impl Evidence<'_> {
    fn authorises(&self) -> bool {
        self.valid && self.trusted && self.anchored
    }
}

fn same_addr(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Whether a signature is an originator's, one that authenticates the drafter
/// ([`crate::report::SignatureTypes::is_originator`]).
pub fn is_originator_signature(s: &SignatureReport) -> bool {
    s.signature_type.is_originator()
}

/// An originator signature that binds this content to its originator: valid, trusted, and
/// not contradicted by the From/Sender comparison.
fn authenticates_originator(s: &SignatureReport) -> bool {
    is_originator_signature(s) && s.valid && s.trusted && s.address_match != Some(false)
}

fn evidence(report: &VerifyReport) -> Vec<Evidence<'_>> {
    let mut out = Vec::new();
    fn walk<'a>(cs: &'a [CountersignatureReport], anchored: bool, out: &mut Vec<Evidence<'a>>) {
        for c in cs {
            out.push(Evidence {
                emails: &c.emails,
                signer: &c.signer,
                valid: c.valid,
                trusted: c.trusted,
                anchored,
                form: "countersignature",
                signing_time: c.signing_time.as_deref(),
            });
            walk(&c.countersignatures, anchored && c.valid && c.trusted, out);
        }
    }
    for s in &report.signatures {
        if s.signature_type.contains(SignatureType::Review) {
            // RFC 7912 §3.3.2: the review signature encapsulates the originator's signed layer.
            let encapsulates_originator = report
                .signatures
                .iter()
                .any(|o| o.layer > s.layer && authenticates_originator(o));
            out.push(Evidence {
                emails: &s.emails,
                signer: &s.signer,
                valid: s.valid,
                trusted: s.trusted,
                anchored: encapsulates_originator,
                form: "reviewSignature",
                signing_time: s.signing_time.as_deref(),
            });
        }
        walk(&s.countersignatures, authenticates_originator(s), &mut out);
    }
    out
}

fn matches(e: &Evidence<'_>, addr: &str) -> bool {
    e.emails.iter().any(|m| same_addr(m, addr))
}

/// The time of the latest authorisation: the newest signingTime (RFC 5652 §11.3) of the
/// signatures that authorise this content for a listed address (`listed`). A release writes
/// MMHS-Extended-Authorisation-Info with this time (`crate::release::set_release_fields`), so
/// an outer value equal to it is vouched for by the officer's own signature. `None` when no
/// authorising signature carries a signingTime.
pub(crate) fn latest_authorisation_time(
    report: &VerifyReport,
    listed: &[String],
) -> Option<time::OffsetDateTime> {
    evidence(report)
        .iter()
        .filter(|e| e.authorises() && listed.iter().any(|a| matches(e, a)))
        .filter_map(|e| {
            time::OffsetDateTime::parse(
                e.signing_time?,
                &time::format_description::well_known::Rfc3339,
            )
            .ok()
        })
        .max()
}

/// Compute the statuses for the listed addresses (`listed` from MMHS-Authorizing-Users, in
/// field order) against a verification report.
pub fn authorizing_users_status(report: &VerifyReport, listed: &[String]) -> Vec<AuthorizingUser> {
    let ev = evidence(report);
    let mut out = Vec::new();
    for addr in listed {
        let mine: Vec<&Evidence<'_>> = ev.iter().filter(|e| matches(e, addr)).collect();
        let best = mine
            .iter()
            .find(|e| e.authorises())
            .or_else(|| mine.iter().find(|e| e.valid && e.anchored))
            .or_else(|| mine.first());
        let (status, form) = match best {
            None => (AuthorizationStatus::NotCountersigned, None),
            Some(e) if e.authorises() => (AuthorizationStatus::Countersigned, Some(e.form)),
            Some(e) if e.valid && e.anchored => (AuthorizationStatus::Untrusted, Some(e.form)),
            Some(e) => (AuthorizationStatus::Invalid, Some(e.form)),
        };
        out.push(AuthorizingUser {
            address: addr.clone(),
            status,
            form: form.map(str::to_string),
        });
    }
    for e in &ev {
        if !listed.iter().any(|a| matches(e, a)) {
            let address = e
                .emails
                .first()
                .cloned()
                .unwrap_or_else(|| e.signer.to_string());
            if !out.iter().any(|o| {
                o.status == AuthorizationStatus::NotListed && same_addr(&o.address, &address)
            }) {
                out.push(AuthorizingUser {
                    address,
                    status: AuthorizationStatus::NotListed,
                    form: Some(e.form.into()),
                });
            }
        }
    }
    out
}

/// Fill `report.authorizing_users` and the matching problems (the report's `valid` is
/// recomputed by the caller).
pub(crate) fn apply(report: &mut VerifyReport, listed: &[String]) {
    let orphaned: Vec<Problem> = evidence(report)
        .iter()
        .filter(|e| !e.anchored)
        .map(|e| {
            Problem::new(
                codes::COUNTERSIGNATURE_ORPHANED,
                format!(
                    "the {} by {} is not on an originator signature of this content that verifies and chains to a trust anchor, so it authorises nothing",
                    if e.form == "reviewSignature" { "review signature" } else { "countersignature" },
                    e.emails.first().map(String::as_str).unwrap_or(e.signer)
                ),
            )
        })
        .collect();
    report.authorizing_users = authorizing_users_status(report, listed);
    let msgs: Vec<Problem> = report
        .authorizing_users
        .iter()
        .filter_map(|a| {
            let (code, text) = match a.status {
                AuthorizationStatus::Countersigned => return None,
                AuthorizationStatus::NotCountersigned => (
                    codes::NOT_COUNTERSIGNED,
                    format!(
                        "{} is listed in MMHS-Authorizing-Users but did not countersign",
                        a.address
                    ),
                ),
                AuthorizationStatus::Invalid => (
                    codes::COUNTERSIGNATURE_INVALID,
                    format!(
                        "the countersignature of {} does not verify or authorises nothing",
                        a.address
                    ),
                ),
                AuthorizationStatus::Untrusted => (
                    codes::UNTRUSTED,
                    format!(
                        "the countersignature of {} does not chain to a trust anchor",
                        a.address
                    ),
                ),
                AuthorizationStatus::NotListed => (
                    codes::NOT_LISTED,
                    format!(
                        "{} countersigned but is not listed in MMHS-Authorizing-Users",
                        a.address
                    ),
                ),
            };
            Some(Problem::new(code, text))
        })
        .collect();
    report.problems.extend(orphaned);
    report.problems.extend(msgs);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::SignatureTypes;

    fn cs(email: &str, valid: bool, trusted: bool) -> CountersignatureReport {
        CountersignatureReport {
            signer: email.into(),
            emails: vec![email.into()],
            valid,
            trusted,
            ..Default::default()
        }
    }

    fn report(cs: Vec<CountersignatureReport>) -> VerifyReport {
        VerifyReport {
            layers: vec![crate::report::Layer::Signed],
            signatures: vec![SignatureReport {
                signer: "alice@army.example".into(),
                emails: vec!["alice@army.example".into()],
                valid: true,
                trusted: true,
                signature_type: SignatureTypes::originator(),
                countersignatures: cs,
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn statuses() {
        let r = report(vec![
            cs("o1@army.example", true, true),
            cs("o2@army.example", false, true),
            cs("o3@army.example", true, false),
            cs("stranger@army.example", true, true),
        ]);
        let listed: Vec<String> = [
            "O1@army.example",
            "o2@army.example",
            "o3@army.example",
            "o4@army.example",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let st = authorizing_users_status(&r, &listed);
        let got: Vec<(&str, &str)> = st
            .iter()
            .map(|a| (a.address.as_str(), a.status.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("O1@army.example", "countersigned"),
                ("o2@army.example", "invalid"),
                ("o3@army.example", "untrusted"),
                ("o4@army.example", "notCountersigned"),
                ("stranger@army.example", "notListed"),
            ]
        );
    }

    /// `apply` then the verdict, as `verify` does.
    fn applied(mut r: VerifyReport, listed: &[&str]) -> VerifyReport {
        let listed: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
        apply(&mut r, &listed);
        r.finish();
        r
    }

    #[test]
    fn valid_only_when_every_listed_user_countersigned() {
        let r = applied(
            report(vec![cs("o1@army.example", true, true)]),
            &["o1@army.example"],
        );
        assert!(r.valid, "{:?}", r.problems);
        let r = applied(
            report(vec![cs("o1@army.example", true, true)]),
            &["o1@army.example", "forged@army.example"],
        );
        assert!(!r.valid);
        assert_eq!(r.problems[0].code, codes::NOT_COUNTERSIGNED);
    }

    #[test]
    fn countersignature_on_an_invalid_originator_signature_authorises_nothing() {
        // A genuine, valid countersignature carried over onto an originator signature that
        // does not match this content.
        let mut r = report(vec![cs("o1@army.example", true, true)]);
        r.signatures[0].valid = false;
        let r = applied(r, &["o1@army.example"]);
        assert_eq!(r.authorizing_users[0].status, AuthorizationStatus::Invalid);
        assert!(r.has_problem(codes::COUNTERSIGNATURE_ORPHANED));
        // Nor on an untrusted or misattributed originator signature, nor a domain signature.
        for tweak in [
            |s: &mut SignatureReport| s.trusted = false,
            |s: &mut SignatureReport| s.address_match = Some(false),
            |s: &mut SignatureReport| s.signature_type = vec![SignatureType::Domain].into(),
        ] {
            let mut r = report(vec![cs("o1@army.example", true, true)]);
            tweak(&mut r.signatures[0]);
            let st = authorizing_users_status(&r, &["o1@army.example".into()]);
            assert_ne!(st[0].status, AuthorizationStatus::Countersigned);
        }
    }

    #[test]
    fn nested_countersignature_needs_every_link() {
        let mut inner = cs("o1@army.example", false, true);
        inner.countersignatures = vec![cs("o2@army.example", true, true)];
        let r = report(vec![inner]);
        let st = authorizing_users_status(&r, &["o2@army.example".into()]);
        assert_eq!(st[0].status, AuthorizationStatus::Invalid);
        let mut inner = cs("o1@army.example", true, true);
        inner.countersignatures = vec![cs("o2@army.example", true, true)];
        let r = report(vec![inner]);
        let st = authorizing_users_status(&r, &["o2@army.example".into()]);
        assert_eq!(st[0].status, AuthorizationStatus::Countersigned);
    }

    #[test]
    fn the_signer_text_is_never_an_address() {
        // Identity comes from the certificate's addresses only.
        let mut c = cs("x@army.example", true, true);
        c.emails.clear();
        c.signer = "o1@army.example".into();
        let st = authorizing_users_status(&report(vec![c]), &["o1@army.example".into()]);
        assert_eq!(st[0].status, AuthorizationStatus::NotCountersigned);
    }

    #[test]
    fn review_signature_counts_rfc7912() {
        let mut r = report(vec![]);
        r.signatures[0].layer = 1;
        r.signatures.insert(
            0,
            SignatureReport {
                signer: "o1@army.example".into(),
                emails: vec!["o1@army.example".into()],
                valid: true,
                trusted: true,
                signature_type: vec![SignatureType::Review].into(),
                ..Default::default()
            },
        );
        let st = authorizing_users_status(&r, &["o1@army.example".into()]);
        assert_eq!(st[0].status, AuthorizationStatus::Countersigned);
        assert_eq!(st[0].form.as_deref(), Some("reviewSignature"));
        assert!(!is_originator_signature(&r.signatures[0]));
        assert!(is_originator_signature(&r.signatures[1]));
    }
}

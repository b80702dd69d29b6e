//! The reading side of Draft & Release: for every address in MMHS-Authorizing-Users, is its
//! authorisation protected? (seed §3 step 2 and §4; RFC 7912 §3.2 — an MSA "MUST check …
//! at least one matching valid review signature per listed entity").
//!
//! A listed address is `countersigned` when a countersignature (RFC 5652 §11.4) on an
//! originator signature — or, in RFC 7912 form, a review signature (RFC 3183 id-sti-reviewSig)
//! encapsulating it — was made with a certificate carrying that address, verifies and chains.
//! Otherwise `invalid` (does not verify), `untrusted` (verifies, does not chain) or
//! `notCountersigned` (nothing by that address). Countersignatures and review signatures by
//! unlisted signers are reported as `notListed`.

use crate::report::{AuthorizingUser, CountersignatureReport, SignatureReport, VerifyReport};

/// A signature that can protect an authorisation: who made it and how it checked out.
struct Evidence<'a> {
    emails: &'a [String],
    signer: &'a str,
    valid: bool,
    trusted: bool,
    form: &'static str,
}

fn same_addr(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn evidence(report: &VerifyReport) -> Vec<Evidence<'_>> {
    let mut out = Vec::new();
    fn walk<'a>(cs: &'a [CountersignatureReport], out: &mut Vec<Evidence<'a>>) {
        for c in cs {
            out.push(Evidence {
                emails: &c.emails,
                signer: &c.signer,
                valid: c.valid,
                trusted: c.trusted,
                form: "countersignature",
            });
            walk(&c.countersignatures, out);
        }
    }
    for s in &report.signatures {
        let types: Vec<&str> = s.signature_type.split(',').map(str::trim).collect();
        if types.contains(&"review") {
            out.push(Evidence {
                emails: &s.emails,
                signer: &s.signer,
                valid: s.valid,
                trusted: s.trusted,
                form: "reviewSignature",
            });
        }
        walk(&s.countersignatures, &mut out);
    }
    out
}

fn matches(e: &Evidence<'_>, addr: &str) -> bool {
    e.emails.iter().any(|m| same_addr(m, addr)) || same_addr(e.signer, addr)
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
            .find(|e| e.valid && e.trusted)
            .or_else(|| mine.iter().find(|e| e.valid))
            .or_else(|| mine.first());
        let (status, form) = match best {
            None => ("notCountersigned", None),
            Some(e) if e.valid && e.trusted => ("countersigned", Some(e.form)),
            Some(e) if e.valid => ("untrusted", Some(e.form)),
            Some(e) => ("invalid", Some(e.form)),
        };
        out.push(AuthorizingUser {
            address: addr.clone(),
            status: status.into(),
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
            if !out
                .iter()
                .any(|o| o.status == "notListed" && same_addr(&o.address, &address))
            {
                out.push(AuthorizingUser {
                    address,
                    status: "notListed".into(),
                    form: Some(e.form.into()),
                });
            }
        }
    }
    out
}

/// Whether a signature is an originator's (absent type, `originator` or
/// `delegatedOriginator`), i.e. one that authenticates the drafter (seed §3 step 1).
pub fn is_originator_signature(s: &SignatureReport) -> bool {
    s.signature_type.is_empty()
        || s.signature_type
            .split(',')
            .map(str::trim)
            .any(|t| t == "originator" || t == "delegatedOriginator")
}

/// Fill `report.authorizing_users` and the matching problems, then recompute `valid`.
pub fn apply_to_report(report: &mut VerifyReport, listed: &[String]) {
    // Idempotent: `smime::verify` already applies it; a second call replaces, not doubles.
    const CODES: [&str; 4] = [
        "authorizing-user-not-countersigned",
        "authorizing-user-countersignature-invalid",
        "authorizing-user-untrusted",
        "countersigner-not-listed",
    ];
    report
        .problems
        .retain(|p| !CODES.contains(&p.code.as_str()));
    report.authorizing_users = authorizing_users_status(report, listed);
    let msgs: Vec<(String, String)> = report
        .authorizing_users
        .iter()
        .filter(|a| a.status != "countersigned")
        .map(|a| {
            let (code, text) = match a.status.as_str() {
                "notCountersigned" => (
                    "authorizing-user-not-countersigned",
                    format!(
                        "{} is listed in MMHS-Authorizing-Users but did not countersign",
                        a.address
                    ),
                ),
                "invalid" => (
                    "authorizing-user-countersignature-invalid",
                    format!("the countersignature of {} does not verify", a.address),
                ),
                "untrusted" => (
                    "authorizing-user-untrusted",
                    format!(
                        "the countersignature of {} does not chain to a trust anchor",
                        a.address
                    ),
                ),
                _ => (
                    "countersigner-not-listed",
                    format!(
                        "{} countersigned but is not listed in MMHS-Authorizing-Users",
                        a.address
                    ),
                ),
            };
            (code.to_string(), text)
        })
        .collect();
    for (c, m) in msgs {
        report.problem(&c, m);
    }
    report.finish();
}

#[cfg(test)]
mod tests {
    use super::*;

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
            layers: vec!["signed".into()],
            signatures: vec![SignatureReport {
                signer: "alice@army.example".into(),
                emails: vec!["alice@army.example".into()],
                valid: true,
                trusted: true,
                signature_type: "originator".into(),
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

    #[test]
    fn valid_only_when_every_listed_user_countersigned() {
        let mut r = report(vec![cs("o1@army.example", true, true)]);
        apply_to_report(&mut r, &["o1@army.example".into()]);
        assert!(r.valid, "{:?}", r.problems);
        let mut r = report(vec![cs("o1@army.example", true, true)]);
        apply_to_report(
            &mut r,
            &["o1@army.example".into(), "forged@army.example".into()],
        );
        assert!(!r.valid);
        assert_eq!(r.problems[0].code, "authorizing-user-not-countersigned");
    }

    #[test]
    fn review_signature_counts_rfc7912() {
        let mut r = report(vec![]);
        r.signatures.insert(
            0,
            SignatureReport {
                signer: "o1@army.example".into(),
                emails: vec!["o1@army.example".into()],
                valid: true,
                trusted: true,
                signature_type: "review".into(),
                ..Default::default()
            },
        );
        let st = authorizing_users_status(&r, &["o1@army.example".into()]);
        assert_eq!(st[0].status, "countersigned");
        assert_eq!(st[0].form.as_deref(), Some("reviewSignature"));
        assert!(!is_originator_signature(&r.signatures[0]));
        assert!(is_originator_signature(&r.signatures[1]));
    }
}

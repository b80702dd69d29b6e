//! The authentication results a trusted agent recorded (RFC 8601), for the reader to show
//! beside the S/MIME verdict — the DKIM result the submission agent writes on receipt
//! (draft-melnikov-mmhs-profile-09 §4.1.2: "On reception the MMHS MUST support verification
//! of S/MIME and DKIM digital signatures").
//!
//! RFC 8601 §5 and §7.1: a sender can write any `Authentication-Results` field, in any
//! agent's name, anywhere in the header. Only fields that (a) carry an authserv-id the reader
//! trusts ([`super::VerifyContext::trusted_authserv_ids`], compared case-insensitively and
//! exactly — a lookalike is another name) and (b) sit above the first `Received` field (the
//! topmost fields, added by the receiving border after it wrote its own trace field; a
//! field below any `Received` field came from upstream) are read. Malformed fields are
//! ignored ([`crate::mime::auth_results::parse`]). The results never change `valid`.

use crate::mime::auth_results;
use crate::mime::entity::Field;
use crate::report::{AuthenticationResult, VerifyReport};

/// Most results recorded in a report (bounded output).
const MAX_RESULTS: usize = 64;

/// Record in `report` the results of trusted `Authentication-Results` fields of the
/// message's outer `header`.
pub(crate) fn record(report: &mut VerifyReport, header: &[Field<'_>], trusted: &[String]) {
    if trusted.is_empty() {
        return;
    }
    for f in header {
        if f.name.eq_ignore_ascii_case("received") {
            break;
        }
        if !f.name.eq_ignore_ascii_case("authentication-results") {
            continue;
        }
        let Some(parsed) = auth_results::parse(&f.value) else {
            continue;
        };
        if !trusted
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&parsed.authserv_id))
        {
            continue;
        }
        for r in parsed.results {
            if report.authentication_results.len() >= MAX_RESULTS {
                return;
            }
            report.authentication_results.push(AuthenticationResult {
                authserv_id: parsed.authserv_id.clone(),
                method: r.method,
                result: r.result,
                reason: r.reason,
                properties: r.properties.into_iter().collect(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(msg: &str, trusted: &[&str]) -> Vec<AuthenticationResult> {
        let mut r = VerifyReport {
            valid: true,
            layers: vec![],
            signatures: vec![],
            security_label: None,
            header_protection: Default::default(),
            mmhs: None,
            authorizing_users: vec![],
            from: vec![],
            sender: vec![],
            domain_verified: false,
            encryption: vec![],
            gateway_decrypted: vec![],
            authentication_results: vec![],
            field_coverage: vec![],
            receipt_request: None,
            receipt: None,
            correspondents: vec![],
            problems: vec![],
            notes: vec![],
        };
        let t: Vec<String> = trusted.iter().map(|s| s.to_string()).collect();
        let (header, _) = crate::mime::entity::split(msg.as_bytes());
        record(&mut r, &crate::mime::entity::fields(header), &t);
        assert!(r.valid && r.problems.is_empty());
        r.authentication_results
    }

    const OURS: &str = "Authentication-Results: mmhs.localhost;\r\n dkim=pass header.d=army.example header.s=mmhs\r\nReceived: from a by mmhs.localhost with ESMTPSA id 1\r\n\tPRIORITY 0; Sat, 5 Dec 2026 03:00:00 +0000\r\n";

    #[test]
    fn the_topmost_trusted_field_is_read() {
        let msg = format!("{OURS}From: a@army.example\r\n\r\nbody\r\n");
        let r = run(&msg, &["MMHS.localhost"]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].authserv_id, "mmhs.localhost");
        assert_eq!(
            (r[0].method.as_str(), r[0].result.as_str()),
            ("dkim", "pass")
        );
        assert_eq!(
            r[0].properties.get("header.d").map(String::as_str),
            Some("army.example")
        );
        // Nothing trusted (the default) → nothing read.
        assert!(run(&msg, &[]).is_empty());
    }

    #[test]
    fn a_field_in_our_name_below_a_received_field_is_ignored() {
        // The sender wrote dkim=pass in our name; our agent's own field says fail.
        let msg = "Authentication-Results: mmhs.localhost; dkim=fail header.d=army.example\r\nReceived: from a by mmhs.localhost with ESMTP id 1; Sat, 5 Dec 2026 03:00:00 +0000\r\nAuthentication-Results: mmhs.localhost; dkim=pass header.d=army.example\r\nFrom: a@army.example\r\n\r\n";
        let r = run(msg, &["mmhs.localhost"]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].result, "fail");
        // With no field of ours on top, the forged one alone is still not read.
        let forged = "Received: from a by mmhs.localhost; Sat, 5 Dec 2026 03:00:00 +0000\r\nAuthentication-Results: mmhs.localhost; dkim=pass header.d=army.example\r\n\r\n";
        assert!(run(forged, &["mmhs.localhost"]).is_empty());
        // Nor one in the body or in an inner entity.
        let body =
            "From: a@army.example\r\n\r\nAuthentication-Results: mmhs.localhost; dkim=pass\r\n";
        assert!(run(body, &["mmhs.localhost"]).is_empty());
    }

    #[test]
    fn lookalike_authserv_ids_are_ignored() {
        for id in [
            "mmhs.localhost.evil.example",
            "evil-mmhs.localhost",
            "mmhs.localhost.",
            "\"mmhs.localhost \"",
            "mmhs.1ocalhost",
        ] {
            let msg =
                format!("Authentication-Results: {id}; dkim=pass header.d=army.example\r\n\r\n");
            assert!(run(&msg, &["mmhs.localhost"]).is_empty(), "{id}");
        }
    }

    #[test]
    fn a_malformed_field_is_ignored_without_failing() {
        let msg = "Authentication-Results: mmhs.localhost; dkim=pass header.d=\r\nAuthentication-Results: mmhs.localhost; dkim=pass (unclosed\r\nAuthentication-Results: mmhs.localhost; none\r\nAuthentication-Results: mmhs.localhost; dkim=neutral reason=\"no signature\"\r\n\r\n";
        let r = run(msg, &["mmhs.localhost"]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].result, "neutral");
        assert_eq!(r[0].reason.as_deref(), Some("no signature"));
    }

    #[test]
    fn the_verify_pipeline_reads_them_and_they_never_make_a_message_valid() {
        let msg = format!("{OURS}From: a@army.example\r\nSubject: hi\r\n\r\nbody\r\n");
        let ctx = crate::verify::VerifyContext {
            trusted_authserv_ids: vec!["mmhs.localhost".into()],
            ..Default::default()
        };
        let report = crate::verify::verify(msg.as_bytes(), &ctx).unwrap();
        assert!(!report.valid);
        assert_eq!(report.authentication_results.len(), 1);
        assert_eq!(report.authentication_results[0].result, "pass");
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(
            json["authenticationResults"][0],
            serde_json::json!({
                "authservId": "mmhs.localhost",
                "method": "dkim",
                "result": "pass",
                "properties": { "header.d": "army.example", "header.s": "mmhs" }
            })
        );
        // Default context: nothing trusted, the key is absent from the JSON.
        let report = crate::verify::verify(msg.as_bytes(), &Default::default()).unwrap();
        let json = serde_json::to_value(&report).unwrap();
        assert!(json.get("authenticationResults").is_none());
    }

    #[test]
    fn output_is_bounded() {
        let msg = format!(
            "{}\r\n",
            "Authentication-Results: mmhs.localhost; dkim=pass; dkim=fail; dkim=none\r\n"
                .repeat(40)
        );
        assert_eq!(run(&msg, &["mmhs.localhost"]).len(), MAX_RESULTS);
    }
}

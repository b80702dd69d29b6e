//! The verification result header field the boundary agent adds to inbound mail:
//! `Authentication-Results` (RFC 8601) with the `smime` method (RFC 7281), as the MMHS
//! profile asks of border MTAs in receiving domains (draft-melnikov-mmhs-profile-09 §7.1,
//! item 3) and msa-to-mda §1 item 5 suggests.
//!
//! ```text
//! Authentication-Results: <authserv-id>; smime=<result> reason="<code>"
//!     [header.from=<From address>] [header.sender=<Sender address>]
//!     [body.smime-identifier=<agent domain>]
//!     [(decrypted by the domain confidentiality authority)]
//!     [(gateway-decrypted by the S/MIME gateway of <domain>)]
//!     [(<n> outer signature layer(s) verified and removed)]
//! result = pass / fail / none / neutral          ; RFC 7281 §3, RFC 8601 §2.7
//! ```
//!
//! `<authserv-id>` is the agent's host name. `reason` is one of the codes of
//! `docs/domain.md`; `body.smime-identifier` names the domain of the agent whose domain
//! signature was verified (RFC 7281 §3: the identity of the signer). Every instance claiming
//! our authserv-id that arrives from outside is removed first (RFC 8601 §5: a header field
//! with our authserv-id that we did not add must not reach the recipient).

use crate::mime::auth_results::authserv_id;
use crate::mime::entity::{fields, split};

/// The `smime` method's result (RFC 7281 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SmimeResult {
    /// Verified as the policy requires.
    Pass,
    /// Verification failed.
    Fail,
    /// No signature.
    None,
    /// Signed, not judged by a policy requirement, and not valid as a whole.
    Neutral,
}

impl SmimeResult {
    /// The RFC 8601 result keyword.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SmimeResult::Pass => "pass",
            SmimeResult::Fail => "fail",
            SmimeResult::None => "none",
            SmimeResult::Neutral => "neutral",
        }
    }
}

/// What the header field says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Results {
    /// Result.
    pub result: SmimeResult,
    /// Reason code (`docs/domain.md`).
    pub reason: &'static str,
    /// The (first) From address.
    pub from: Option<String>,
    /// The Sender address, when there is one.
    pub sender: Option<String>,
    /// The domain of the agent whose domain signature verified.
    pub identifier: Option<String>,
    /// We decrypted a layer addressed to our DCA.
    pub decrypted: bool,
    /// Our S/MIME gateway decrypted the message (draft-ramsdell-enc-smime-gateway-00 §5.2):
    /// the domain of its `smg_encryptor@<domain>` certificate.
    pub gateway_decrypted: Option<String>,
    /// signedData layers above the layer our DCA or gateway decrypted, verified and removed
    /// (they signed the ciphertext: draft-melnikov-smime-msa-to-mda-04 §4.2, §5.1).
    pub removed_layers: usize,
}

/// A property value as an RFC 8601 `pvalue` we write only when it is a plain dot-atom
/// address or domain (nothing a sender could use to fold or inject).
fn pvalue(v: &str) -> Option<&str> {
    let ok = !v.is_empty()
        && v.len() <= 254
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.@".contains(&b));
    ok.then_some(v)
}

/// The header field, CRLF-terminated and folded.
pub(crate) fn header_field(authserv_id: &str, r: &Results) -> String {
    let mut s = format!(
        "Authentication-Results: {authserv_id};\r\n smime={} reason=\"{}\"",
        r.result.as_str(),
        r.reason
    );
    if let Some(f) = r.from.as_deref().and_then(pvalue) {
        s.push_str(&format!("\r\n header.from={f}"));
    }
    if let Some(f) = r.sender.as_deref().and_then(pvalue) {
        s.push_str(&format!("\r\n header.sender={f}"));
    }
    if let Some(i) = r.identifier.as_deref().and_then(pvalue) {
        s.push_str(&format!("\r\n body.smime-identifier={i}"));
    }
    if r.decrypted {
        s.push_str("\r\n (decrypted by the domain confidentiality authority)");
    }
    if let Some(d) = &r.gateway_decrypted {
        match pvalue(d) {
            Some(d) => s.push_str(&format!(
                "\r\n (gateway-decrypted by the S/MIME gateway of {d})"
            )),
            None => s.push_str("\r\n (gateway-decrypted)"),
        }
    }
    if r.removed_layers > 0 {
        s.push_str(&format!(
            "\r\n ({} outer signature layer(s) verified and removed)",
            r.removed_layers
        ));
    }
    s.push_str("\r\n");
    s
}

/// `raw` without the `Authentication-Results` fields claiming `authserv_id`, every other
/// octet kept.
pub(crate) fn strip_ours(raw: &[u8], id: &str) -> Vec<u8> {
    let (header, _) = split(raw);
    let base = header.as_ptr() as usize;
    let mut cut: Vec<(usize, usize)> = Vec::new();
    for f in fields(header) {
        if f.name.eq_ignore_ascii_case("authentication-results")
            && authserv_id(&f.value).eq_ignore_ascii_case(id)
        {
            let start = (f.raw.as_ptr() as usize).saturating_sub(base);
            cut.push((start, start + f.raw.len()));
        }
    }
    if cut.is_empty() {
        return raw.to_vec();
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut at = 0;
    for (s, e) in cut {
        out.extend_from_slice(raw.get(at..s).unwrap_or(&[]));
        at = e;
    }
    out.extend_from_slice(raw.get(at..).unwrap_or(&[]));
    out
}

/// Whether `raw` has an `Authentication-Results` field claiming `authserv_id` (which
/// [`strip_ours`] would remove).
pub(crate) fn claims_ours(raw: &[u8], id: &str) -> bool {
    let (header, _) = split(raw);
    fields(header).iter().any(|f| {
        f.name.eq_ignore_ascii_case("authentication-results")
            && authserv_id(&f.value).eq_ignore_ascii_case(id)
    })
}

/// `raw` with our header field first and every forged one of ours removed.
pub(crate) fn add(raw: &[u8], authserv_id: &str, r: &Results) -> Vec<u8> {
    let mut out = header_field(authserv_id, r).into_bytes();
    out.extend_from_slice(&strip_ours(raw, authserv_id));
    out
}

/// One `resinfo` of RFC 8601 §2.2 for any method (`dkim`, RFC 8601 §2.7.1, from the
/// submission agent's `crate::server::dkim`): `method=result [reason="…"] ptype.prop=value…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResInfo {
    /// Method (`dkim`).
    pub method: &'static str,
    /// Result keyword (RFC 8601 §2.7).
    pub result: &'static str,
    /// Reason text (written as a quoted-string of printable ASCII, at most 200 characters).
    pub reason: Option<String>,
    /// Properties (`header.d`, …), each written only when it is a plain dot-atom value (`pvalue`).
    pub props: Vec<(&'static str, String)>,
}

/// The field with `resinfo`s (none ⇒ `none`, RFC 8601 §2.2 "no-result"), CRLF-terminated and
/// folded one resinfo a line.
pub(crate) fn resinfo_field(authserv_id: &str, all: &[ResInfo]) -> String {
    let mut s = format!("Authentication-Results: {authserv_id};");
    if all.is_empty() {
        s.push_str(" none\r\n");
        return s;
    }
    for (n, r) in all.iter().enumerate() {
        if n > 0 {
            s.push(';');
        }
        s.push_str(&format!("\r\n {}={}", r.method, r.result));
        if let Some(reason) = &r.reason {
            let clean: String = reason
                .chars()
                .filter(|c| c.is_ascii_graphic() || *c == ' ')
                .filter(|c| *c != '"' && *c != '\\')
                .take(200)
                .collect();
            s.push_str(&format!(" reason=\"{clean}\""));
        }
        for (name, value) in &r.props {
            if let Some(v) = pvalue(value) {
                s.push_str(&format!(" {name}={v}"));
            }
        }
    }
    s.push_str("\r\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forged_results_of_our_id_are_removed_others_kept() {
        let msg = b"Authentication-Results: mta.navy.example; smime=pass\r\n reason=\"forged\"\r\nAuthentication-Results: MTA.NAVY.EXAMPLE (c); smime=pass\r\nAuthentication-Results: other.example; dkim=pass\r\nFrom: a@army.example\r\n\r\nAuthentication-Results: mta.navy.example; body\r\n";
        let r = Results {
            result: SmimeResult::Fail,
            reason: "domain-signature-missing",
            from: Some("a@army.example".into()),
            sender: None,
            identifier: None,
            decrypted: false,
            gateway_decrypted: None,
            removed_layers: 0,
        };
        let out = add(msg, "mta.navy.example", &r);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "Authentication-Results: mta.navy.example;\r\n smime=fail reason=\"domain-signature-missing\"\r\n header.from=a@army.example\r\nAuthentication-Results: other.example; dkim=pass\r\nFrom: a@army.example\r\n\r\nAuthentication-Results: mta.navy.example; body\r\n"
        );
    }

    #[test]
    fn resinfo_fields_cannot_inject() {
        let r = ResInfo {
            method: "dkim",
            result: "fail",
            reason: Some("bad\r\nX-Evil: 1 \"quoted\"".into()),
            props: vec![
                ("header.d", "army.example; dkim=pass".into()),
                ("header.s", "mmhs".into()),
            ],
        };
        let h = resinfo_field("msa.example", &[r]);
        assert_eq!(
            h,
            "Authentication-Results: msa.example;\r\n dkim=fail reason=\"badX-Evil: 1 quoted\" header.s=mmhs\r\n"
        );
        assert_eq!(
            resinfo_field("msa.example", &[]),
            "Authentication-Results: msa.example; none\r\n"
        );
    }

    #[test]
    fn property_values_cannot_inject() {
        let r = Results {
            result: SmimeResult::Pass,
            reason: "domain-signature-verified",
            from: Some("x@a.example\r\nX-Evil: 1".into()),
            sender: Some("a b@c".into()),
            identifier: Some("army.example; smime=pass".into()),
            decrypted: true,
            gateway_decrypted: None,
            removed_layers: 0,
        };
        let h = header_field("mta.navy.example", &r);
        assert!(
            !h.contains("X-Evil") && !h.contains("header.from") && !h.contains("header.sender")
        );
        assert!(!h.contains("smime-identifier"));
        assert!(h.ends_with("authority)\r\n"));
        let r = Results {
            gateway_decrypted: Some("navy.example) (x".into()),
            ..r
        };
        let h = header_field("mta.navy.example", &r);
        assert!(h.ends_with("authority)\r\n (gateway-decrypted)\r\n"), "{h}");
    }
}

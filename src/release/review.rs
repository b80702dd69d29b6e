//! The automated part of the officer's review (seed §3 step 3: "Some of the checks can be
//! automated (for example search for keywords)"): keyword / regular-expression matches, the
//! message's classification against every recipient's clearance, and required fields.
//! Findings are shown to the officer; `block` findings stop release.

use serde::{Deserialize, Serialize};

use super::policy::{ReleasePolicy, Severity};
use crate::fields::address::addr_specs;
use crate::mime::content::{self, ContentLimits};
use crate::mime::header::decode_encoded_words;
use crate::mime::HeaderSection;

/// One review finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable code (see `docs/release.md`).
    pub code: String,
    /// Severity.
    pub severity: Severity,
    /// Human explanation for the officer.
    pub message: String,
}

impl Finding {
    fn new(code: &str, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            code: code.into(),
            severity,
            message: message.into(),
        }
    }
}

/// What the review looks at, extracted from the message as its recipients will see it
/// (the protected inner message when header protection is present).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReviewInput {
    /// Subject.
    pub subject: String,
    /// All text/plain and text/html bodies, concatenated.
    pub text: String,
    /// Every recipient (To, Cc, Bcc and envelope recipients), lowercased, deduplicated.
    pub recipients: Vec<String>,
    /// Classification of the message (ESS label, else SIO-Label's decoded label).
    pub classification: Option<u32>,
    /// Which required-field names are present (`primaryPrecedence`, `copyPrecedence`,
    /// `securityLabel`, `messageType`, `subject`, `expires`).
    pub present: Vec<String>,
    /// Part of the message was not read ([`content::Texts::truncated`]: more MIME entities or
    /// deeper nesting than the reader's limits, or a header section beyond its limits), so
    /// `text` may lack a text a recipient would see.
    pub text_truncated: bool,
}

impl ReviewInput {
    /// Extract the input from a (decrypted, unwrapped) RFC 5322 message, read with the MIME
    /// toolkit: the header fields of the message its recipients are shown (inside a
    /// `forwarded=no` header-protection wrapper, the wrapped one: [`content::shown_message`])
    /// and every text of the message ([`content::texts`]: each plain and HTML part, in
    /// attachments and forwarded messages too).
    pub fn from_message(
        raw: &[u8],
        classification: Option<u32>,
        envelope_rcpts: &[String],
    ) -> Self {
        let limits = ContentLimits::default();
        let shown = content::shown_message(raw, &limits);
        // A header section past the reader's limits shows no field: the required-field
        // checks then find none, and the texts are still searched.
        let section = HeaderSection::parse(shown).ok();
        let field = |name: &str| section.as_ref().and_then(|h| h.get(name));
        let subject = field("subject")
            .map(|f| decode_encoded_words(&f.unfolded()).into_owned())
            .unwrap_or_default();
        let mut text = String::new();
        let texts = content::texts(raw, &limits);
        for t in &texts.texts {
            text.push_str(t);
            text.push('\n');
        }
        let mut recipients: Vec<String> = envelope_rcpts.to_vec();
        if let Some(h) = &section {
            for name in ["to", "cc", "bcc"] {
                recipients.extend(addr_specs(h, name));
            }
        }
        let mut recipients: Vec<String> =
            recipients.iter().map(|r| r.to_ascii_lowercase()).collect();
        recipients.sort();
        recipients.dedup();
        let mut present: Vec<String> = [
            ("MMHS-Primary-Precedence", "primaryPrecedence"),
            ("MMHS-Copy-Precedence", "copyPrecedence"),
            ("MMHS-Message-Type", "messageType"),
            ("Expires", "expires"),
            ("SIO-Label", "sioLabel"),
        ]
        .into_iter()
        .filter(|(f, _)| field(f).is_some())
        .map(|(_, name)| name.to_string())
        .collect();
        if !subject.is_empty() {
            present.push("subject".into());
        }
        if classification.is_some() || field("SIO-Label").is_some() {
            present.push("securityLabel".into());
        }
        ReviewInput {
            subject,
            text,
            recipients,
            classification,
            present,
            text_truncated: texts.truncated,
        }
    }
}

/// Run the policy's automated checks.
pub fn review(input: &ReviewInput, policy: &ReleasePolicy) -> Vec<Finding> {
    let mut out = Vec::new();
    let haystack = format!("{}\n{}", input.subject, input.text);
    for rule in &policy.keywords {
        let hit = if rule.regex {
            match regex::RegexBuilder::new(&rule.pattern)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
            {
                Ok(re) => re.find(&haystack).map(|m| m.as_str().to_string()),
                Err(e) => {
                    out.push(Finding::new(
                        "review-policy-bad-regex",
                        Severity::Warn,
                        format!(
                            "the policy's pattern {:?} is not a valid regular expression: {e}",
                            rule.pattern
                        ),
                    ));
                    continue;
                }
            }
        } else {
            let lower = haystack.to_lowercase();
            let p = rule.pattern.to_lowercase();
            lower.find(&p).map(|i| {
                haystack
                    .get(i..i + p.len())
                    .unwrap_or(&rule.pattern)
                    .to_string()
            })
        };
        if let Some(m) = hit {
            out.push(Finding::new(
                "review-keyword",
                rule.severity,
                format!(
                    "the message contains {m:?} (policy rule {:?})",
                    rule.pattern
                ),
            ));
        }
    }
    // A text the reader did not reach is a text no keyword rule searched: the review cannot
    // say the message is clear of them.
    if input.text_truncated && !policy.keywords.is_empty() {
        out.push(Finding::new(
            "review-content-unread",
            Severity::Block,
            "part of the message was not read (more MIME parts or deeper nesting than the \
             reader reads, or a header section beyond its limits): the keyword rules could \
             not search all of it",
        ));
    }
    if let Some(class) = input.classification {
        for r in &input.recipients {
            match policy.clearance_of(r) {
                Some(c) if class > c => out.push(Finding::new(
                    "review-recipient-not-cleared",
                    Severity::Block,
                    format!("{r} is cleared up to classification {c}, the message is classified {class}"),
                )),
                Some(_) => {}
                None if !policy.clearances.is_empty() || policy.default_clearance.is_some() => {
                    out.push(Finding::new(
                        "review-recipient-clearance-unknown",
                        Severity::Warn,
                        format!("the policy gives no clearance for {r}"),
                    ))
                }
                None => {}
            }
        }
    }
    for f in &policy.required_fields {
        if !input.present.iter().any(|p| p == f) {
            out.push(Finding::new(
                "review-missing-field",
                Severity::Block,
                format!("the policy requires {f}, which the message does not carry"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"From: alice@army.example\r\nTo: bob@navy.example\r\nCc: eve@air.example\r\nSubject: Operation CANDLE FISH\r\nMMHS-Primary-Precedence: 4\r\nMMHS-Copy-Precedence: 1\r\nContent-Type: text/plain\r\n\r\nMove at dawn. Password: swordfish\r\n";

    fn policy() -> ReleasePolicy {
        serde_json::from_str(
            r#"{"keywords":[{"pattern":"password","severity":"block"},
                            {"pattern":"operation [a-z]+ fish","regex":true}],
                "clearances":{"navy.example":3},
                "requiredFields":["primaryPrecedence","securityLabel"]}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_text_past_the_reader_limits_blocks_the_keyword_review() {
        // The keyword in the 600th part, past the 500 entities the reader reads: the review
        // cannot clear the message of it.
        let mut m = String::from(
            "From: alice@army.example\r\nSubject: x\r\nMMHS-Primary-Precedence: 4\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n",
        );
        for i in 0..600 {
            let t = if i == 599 { "the password" } else { "fine" };
            m.push_str(&format!("--b\r\nContent-Type: text/plain\r\n\r\n{t}\r\n"));
        }
        m.push_str("--b--\r\n");
        let input = ReviewInput::from_message(m.as_bytes(), None, &[]);
        assert!(input.text_truncated);
        assert!(!input.text.contains("password"));
        let policy: ReleasePolicy =
            serde_json::from_str(r#"{"keywords":[{"pattern":"password","severity":"warn"}]}"#)
                .unwrap();
        let f = review(&input, &policy);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, "review-content-unread");
        assert_eq!(f[0].severity, Severity::Block);
        // Without keyword rules nothing was left unsearched.
        assert!(review(&input, &ReleasePolicy::default()).is_empty());
        // Within the limits: the word is found, nothing is unread.
        let input = ReviewInput::from_message(MSG, None, &[]);
        assert!(!input.text_truncated);
        let f = review(&input, &policy);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "review-keyword");
    }

    #[test]
    fn findings() {
        let input = ReviewInput::from_message(MSG, Some(4), &[]);
        assert_eq!(
            input.recipients,
            vec!["bob@navy.example", "eve@air.example"]
        );
        let f = review(&input, &policy());
        let codes: Vec<&str> = f.iter().map(|x| x.code.as_str()).collect();
        assert_eq!(
            codes,
            vec![
                "review-keyword",
                "review-keyword",
                "review-recipient-not-cleared",
                "review-recipient-clearance-unknown",
            ]
        );
        assert_eq!(f[0].severity, Severity::Block);
        assert!(f[1].message.contains("Operation CANDLE FISH"));
    }

    #[test]
    fn missing_fields_and_bad_regex() {
        let input = ReviewInput::from_message(MSG, None, &[]);
        let mut p = policy();
        p.keywords = vec![serde_json::from_str(r#"{"pattern":"(","regex":true}"#).unwrap()];
        let f = review(&input, &p);
        assert_eq!(f[0].code, "review-policy-bad-regex");
        assert_eq!(f[1].code, "review-missing-field");
        assert!(f[1].message.contains("securityLabel"));
    }

    /// The regex crate is built with Unicode case folding and the Perl classes (`\w`, `\d`,
    /// `\s`) but without the Unicode property tables (Cargo.toml, docs/release.md): a pattern
    /// that needs one is reported as a bad pattern, never silently matched differently.
    #[test]
    fn regex_unicode_case_and_perl_classes_but_no_property_tables() {
        let msg = "From: alice@army.example\r\nTo: bob@navy.example\r\nSubject: Opération ÉTÉ 42\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nrien\r\n";
        let input = ReviewInput::from_message(msg.as_bytes(), Some(4), &[]);
        let mut p = policy();
        p.clearances.clear();
        p.required_fields.clear();
        p.keywords = vec![
            serde_json::from_str(r#"{"pattern":"OPÉRATION été \\d+","regex":true}"#).unwrap(),
            serde_json::from_str(r#"{"pattern":"^\\w+ \\w+","regex":true}"#).unwrap(),
            serde_json::from_str(r#"{"pattern":"\\p{Greek}+","regex":true}"#).unwrap(),
        ];
        let f = review(&input, &p);
        let bad = f.iter().position(|x| x.code == "review-policy-bad-regex");
        assert_eq!(f.len(), 3, "{f:?}");
        assert_eq!(bad, Some(2), "only the \\p{{…}} pattern is refused: {f:?}");
        assert!(f[..2].iter().all(|x| x.code == "review-keyword"), "{f:?}");
        assert!(
            f[0].message.contains("Opération ÉTÉ 42"),
            "{}",
            f[0].message
        );
        assert!(f[1].message.contains("Opération ÉTÉ"), "{}", f[1].message);
    }

    #[test]
    fn wrapped_inner_message_is_reviewed() {
        let wrapped = b"From: alice@army.example\r\nTo: bob@navy.example\r\nSubject: outer\r\nContent-Type: message/rfc822; forwarded=no\r\n\r\nFrom: alice@army.example\r\nTo: bob@navy.example\r\nSubject: inner secret plan\r\nContent-Type: text/plain\r\n\r\nthe plan\r\n";
        let input = ReviewInput::from_message(wrapped, None, &[]);
        assert_eq!(input.subject, "inner secret plan");
        assert!(input.text.contains("the plan"));
    }

    /// A keyword cannot hide from the review in an HTML alternative (tags split it), a
    /// base64 attachment, a forwarded message or an RFC 2047 subject, and a Bcc recipient's
    /// clearance is checked like the others.
    #[test]
    fn nothing_hides_a_keyword_or_a_recipient() {
        let msg = concat!(
            "From: alice@army.example\r\nTo: bob@navy.example\r\nBcc: Carol <CAROL@navy.example>\r\n",
            "Subject: =?utf-8?q?Op=C3=A9ration?=\r\nMIME-Version: 1.0\r\n",
            "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n",
            "--m\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n",
            "--a\r\nContent-Type: text/plain\r\n\r\nnothing here\r\n",
            "--a\r\nContent-Type: text/html\r\n\r\n<p>pass<b>word</b></p>\r\n--a--\r\n",
            "--m\r\nContent-Type: text/plain; name=\"n.txt\"\r\nContent-Disposition: attachment\r\n",
            "Content-Transfer-Encoding: base64\r\n\r\nc3dvcmRmaXNo\r\n",
            "--m\r\nContent-Type: message/rfc822\r\n\r\nSubject: fwd\r\n\r\nthe candle plan\r\n",
            "--m--\r\n",
        );
        let input = ReviewInput::from_message(msg.as_bytes(), Some(4), &[]);
        assert_eq!(input.subject, "Opération");
        assert_eq!(input.recipients, ["bob@navy.example", "carol@navy.example"]);
        let mut p = policy();
        p.required_fields.clear();
        p.keywords = ["password", "swordfish", "candle plan"]
            .iter()
            .map(|k| serde_json::from_value(serde_json::json!({ "pattern": k })).unwrap())
            .collect();
        let f = review(&input, &p);
        let keywords = f.iter().filter(|x| x.code == "review-keyword").count();
        assert_eq!(keywords, 3, "{f:?}");
        let blocked: Vec<&str> = f
            .iter()
            .filter(|x| x.code == "review-recipient-not-cleared")
            .map(|x| x.message.as_str())
            .collect();
        assert_eq!(blocked.len(), 2, "{f:?}");
        assert!(blocked[1].starts_with("carol@navy.example"), "{blocked:?}");
    }
}

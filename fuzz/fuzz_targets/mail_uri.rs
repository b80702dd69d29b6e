//! The `smtp:` / `submit:` URI parser (draft-melnikov-smime-msa-to-mda §6,
//! `domain::uri::parse_mail_uri`), and its Display form parsed again; the agent names a
//! certificate's subjectAltName URI or dNSName yields (§2.6, `domain::naming`), and the
//! ascendant rule on them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(u) = mmhs::domain::uri::parse_mail_uri(s) {
            let _ = mmhs::domain::uri::parse_mail_uri(&u.to_string());
            let _ = u.socket_addr_string();
        }
        if let Some(a) = mmhs::domain::naming::agent_uri(s) {
            assert!(mmhs::domain::naming::is_same_or_ascendant(
                &a.domain, &a.domain
            ));
        }
        if let Some(d) = mmhs::domain::naming::domain_name(s) {
            assert!(
                mmhs::domain::naming::is_same_or_ascendant(&d, &format!("x.{d}")) || d.len() > 250
            );
        }
    }
});

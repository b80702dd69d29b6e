//! The `smtp:` / `submit:` URI parser (draft-melnikov-smime-msa-to-mda §6,
//! `domain::uri::parse_mail_uri`), and its Display form parsed again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(u) = mmhs::domain::uri::parse_mail_uri(s) {
            let _ = mmhs::domain::uri::parse_mail_uri(&u.to_string());
            let _ = u.socket_addr_string();
        }
    }
});

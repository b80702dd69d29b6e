//! `mmhs::mime::content`: a received message read for display (`read_content`, the
//! `readContent` export), its attachments' octets (`attachment_bytes`), every text a recipient
//! can read (`texts`, the release review's keyword search) and the review's input
//! (`release::ReviewInput::from_message`). The first byte picks the header-protection scheme
//! the verification report would have given. Within the limits: no more attachments or
//! texts than entities read, and a view that read fewer than it met says `truncated`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmhs::mime::content::{
    attachment_bytes, read_content, texts, ContentLimits, ReadContentRequest,
};
use mmhs::report::HpScheme;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, raw)) = data.split_first() else {
        return;
    };
    let req = ReadContentRequest {
        header_protection: match pick % 3 {
            0 => HpScheme::None,
            1 => HpScheme::Wrapped,
            _ => HpScheme::Injected,
        },
    };
    let limits = ContentLimits::default();
    if let Ok(view) = read_content(raw, &req, &limits) {
        assert!(view.attachments.len() <= limits.max_parts);
        // Each attachment's octets are those of the attachment listed at its index.
        for a in view.attachments.iter().take(4) {
            if let Ok(bytes) = attachment_bytes(raw, a.index, &req, &limits) {
                assert_eq!(bytes.len(), a.size, "attachment {} size", a.index);
            }
        }
    }
    let t = texts(raw, &limits);
    assert!(t.texts.len() <= limits.max_parts);
    let input = mmhs::release::ReviewInput::from_message(raw, None, &[]);
    assert_eq!(input.text_truncated, t.truncated);
});

//! `mmhs::mime::header::HeaderSection::parse` (RFC 5322 §2.2 header section, with spans and
//! defects), then every field's unfolded and displayed value (RFC 2047 encoded words); and the
//! MIME entity a signature covers (RFC 8551 §3.5), made in the message's own buffer
//! (`smime::sign::split_entity_in_place`), against the model it replaced: a copy whose header
//! section is replaced by the Content-* fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmhs::mime::entity::{canonical_crlf, fields, is_content_field, split};
use mmhs::mime::header::HeaderSection;
use mmhs::smime::sign::split_entity_in_place;

/// The outer fields and the entity, each in a buffer of its own: the way the entity was made
/// before it was made in place, written out here on purpose rather than shared with the code
/// it checks.
fn entity_model(raw: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let canon = canonical_crlf(raw);
    let (header, body) = split(&canon);
    let (mut outer, mut entity) = (Vec::new(), Vec::new());
    let mut has_ct = false;
    for f in fields(header) {
        let to = if is_content_field(f.name) {
            has_ct |= f.name.eq_ignore_ascii_case("content-type");
            &mut entity
        } else if f.name.eq_ignore_ascii_case("mime-version") {
            continue;
        } else {
            &mut outer
        };
        to.extend_from_slice(f.raw);
        if !f.raw.ends_with(b"\n") {
            to.extend_from_slice(b"\r\n");
        }
    }
    if !has_ct {
        entity.splice(0..0, *b"Content-Type: text/plain; charset=us-ascii\r\n");
    }
    entity.extend_from_slice(b"\r\n");
    entity.extend_from_slice(body);
    (outer, entity)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = HeaderSection::parse(data) {
        for f in &h.fields {
            let _ = f.unfolded();
            let _ = f.display_value();
        }
    }
    let (outer, buf, start) = split_entity_in_place(data.to_vec());
    let (model_outer, model_entity) = entity_model(data);
    assert_eq!(outer, model_outer);
    assert_eq!(buf.get(start..), Some(&model_entity[..]));
});

//! `mmhs::mime::entity::base64_decode_in_place`: a message's base64 body decoded in the
//! message's own buffer gives the octets, or the error, of decoding it into a new one
//! (`base64_decode_after`). The first two bytes pick the header section's length and the
//! room asked for before the octets; the rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmhs::mime::entity::{base64_decode_after, base64_decode_in_place};

fuzz_target!(|data: &[u8]| {
    let Some((&[header, room], body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let (header, room) = (usize::from(header), usize::from(room));
    let mut message = vec![b'H'; header];
    message.extend_from_slice(body);
    assert_eq!(
        base64_decode_in_place(message, header, room),
        base64_decode_after(body, room)
    );
});

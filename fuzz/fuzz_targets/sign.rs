//! Signing a message a page hands over (`smime::sign_message`, RFC 8551 §3.5): the entity made
//! in the message's own buffer, multipart/signed written around it. Any octets sign or are
//! refused with an error, the same whichever way the steps are taken; the output in pieces
//! (`SignedOutput`, what `signAsync` copies out) is the output in one buffer; multipart/signed
//! reads back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmhs::rng::danger::SeededRng;
use mmhs::smime::key_operation::sign_with_key;
use mmhs::smime::{sign_message, PendingSignedEntity, SignOptions};

fuzz_target!(|data: &[u8]| {
    let signer = mmhs_fuzz::signer();
    for detached in [true, false] {
        let opts = SignOptions {
            detached,
            signing_time: Some(mmhs_fuzz::fixed_time()),
            ..SignOptions::default()
        };
        let whole = sign_message(data, signer, &opts, &mut SeededRng::new(1));
        let mut rng = SeededRng::new(1);
        let stepped =
            PendingSignedEntity::begin_message(data, &signer.cert, &signer.chain, &opts, &mut rng)
                .and_then(|pending| {
                    let sig = sign_with_key(&signer.key, pending.request(), &mut rng)?;
                    pending.assemble(&sig)?.release_output(None)
                });
        match (whole, stepped) {
            (Ok(whole), Ok(out)) => {
                assert_eq!(out.len(), whole.len());
                assert_eq!(out.pieces().concat(), whole, "detached={detached}");
                assert_eq!(out.into_vec(), whole);
                if detached {
                    let _ = mmhs::verify::verify(&whole, mmhs_fuzz::verify_context());
                }
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!(
                "sign_message {:?}, steps {:?}",
                a.map(|_| ()),
                b.map(|_| ())
            ),
        }
    }
});

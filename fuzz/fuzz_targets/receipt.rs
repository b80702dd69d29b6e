//! Signed receipts (RFC 2634 §2.2, §2.8): `ReceiptRequest::decode` (the receiptRequest value a
//! received signature carries) and `Receipt::from_der` (the content of a received signed
//! receipt) on the same input. A request that decodes and names only what we generate must
//! encode again to a request that decodes to the same value; a Receipt that decodes is DER.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmhs::asn1::ber::Tlv;
use mmhs::smime::{Receipt, ReceiptRequest};

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = Tlv::parse_all(data) {
        if let Ok(r) = ReceiptRequest::decode(&t) {
            let _ = r.receipts_to_addresses();
            if let Ok(der) = r.to_der() {
                let again = Tlv::parse_all(&der).expect("our DER parses");
                assert_eq!(ReceiptRequest::decode(&again).as_ref(), Ok(&r));
            }
        }
    }
    if let Ok(r) = Receipt::from_der(data) {
        assert_eq!(r.to_der().expect("encodes").as_slice(), data);
    }
});

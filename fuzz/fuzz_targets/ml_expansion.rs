//! The mail list expansion history attribute (RFC 2634 §4.4, `smime::ml_expansion`): any DER
//! value decodes or is refused, and what decodes encodes back within the 64-record bound and
//! decodes to the same history; and the "outer" signedData search of the Mail List Agent and
//! the domain signing agent (draft-melnikov-smime-msa-to-mda-04 §5, `domain_agent::search_outer`)
//! over the input as a message: bounded, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmhs::smime::ber::Tlv;
use mmhs::smime::ml_expansion::{MlExpansionHistory, UB_ML_EXPANSION_HISTORY};

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = Tlv::parse_all(data) {
        if let Ok(h) = MlExpansionHistory::decode(&t) {
            assert!(!h.0.is_empty() && h.0.len() <= UB_ML_EXPANSION_HISTORY);
            if let Ok(attr) = h.to_attribute() {
                let a = Tlv::parse_all(&attr).expect("our own encoding parses");
                let kids = a.sequence("attribute").expect("Attribute");
                let v = kids[1].set("values").expect("SET");
                assert_eq!(MlExpansionHistory::decode(&v[0]).as_ref(), Ok(&h));
            }
        }
    }
    let _ = mmhs::domain_agent::search_outer(data);
});

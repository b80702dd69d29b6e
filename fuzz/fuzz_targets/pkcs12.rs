//! `mmhs::keys::import_pkcs12` (RFC 7292: PFX, MacData, SafeContents, shrouded key bags,
//! PBES1/PBES2 with the PKCS#12 KDF and PBKDF2). The password is the Autocrypt sample's.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mmhs::keys::import_pkcs12(data, "bob");
});

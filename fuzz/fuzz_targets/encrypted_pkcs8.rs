//! `mmhs::keys::import_encrypted_pkcs8` (RFC 5958 EncryptedPrivateKeyInfo in PEM, PBES2 /
//! PBKDF2, RFC 8018). The password is that of the committed seeds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(pem) = std::str::from_utf8(data) {
        let _ = mmhs::keys::import_encrypted_pkcs8(pem, "mmhs-fuzz");
    }
});

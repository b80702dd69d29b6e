//! `mmhs::keys::import_encrypted_pkcs8` (RFC 5958 EncryptedPrivateKeyInfo in PEM, PBES2 /
//! PBKDF2, RFC 8018), and the same import in steps (`begin_import_encrypted_pkcs8`: the
//! PBKDF2 request a provider answers, then `finish`) with an answer of the requested length
//! and one of another: neither panics, the latter is refused. The password is that of the
//! committed seeds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(pem) = std::str::from_utf8(data) {
        let _ = mmhs::keys::import_encrypted_pkcs8(pem, "mmhs-fuzz");
        if let Some(pending) = mmhs::keys::begin_import_encrypted_pkcs8(pem) {
            let len = pending.request().key_len;
            assert!(matches!(len, 16 | 24 | 32));
            let _ = pending.finish(&vec![0x5A; len]);
            let again = mmhs::keys::begin_import_encrypted_pkcs8(pem).expect("the same request");
            assert!(again.finish(&vec![0x5A; len + 1]).is_err());
        }
    }
});

//! User password hashes in `config.json`.
//!
//! New hashes are Argon2id (RFC 9106 §3.1; version 0x13) with the OWASP Password Storage
//! Cheat Sheet's minimum parameters, m = 19 MiB, t = 2, p = 1, a 16-octet random salt and a
//! 32-octet tag:
//!
//! ```text
//! argon2id$v=19$m=19456,t=2,p=1$<salt hex>$<hash hex>
//! ```
//!
//! Hashes written by earlier versions, `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`
//! (PBKDF2, RFC 8018 §5.2, HMAC-SHA-256), still verify; [`needs_rehash`] tells the caller to
//! replace them with an Argon2id hash after the next successful login.
//!
//! [`verify_unknown_user`] spends the same work as a real verification, so an unknown
//! address is not answered faster than a known one (OWASP Authentication Cheat Sheet,
//! "Authentication Responses").

use std::sync::OnceLock;

use argon2::{Algorithm, Argon2, Params, Version};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::Error;

/// Argon2id memory cost in KiB (OWASP Password Storage Cheat Sheet: 19 MiB).
pub(crate) const ARGON2_M_KIB: u32 = 19 * 1024;
/// Argon2id passes.
pub(crate) const ARGON2_T: u32 = 2;
/// Argon2id lanes.
pub(crate) const ARGON2_P: u32 = 1;
/// Upper bounds accepted from a stored hash (a hand-edited config.json must not be able to
/// make one login take minutes or gigabytes).
const ARGON2_M_MAX: u32 = 1024 * 1024;
const ARGON2_T_MAX: u32 = 64;
const PBKDF2_ITER_MAX: u32 = 10_000_000;

/// Constant-time equality of two octet strings of equal length (false for different
/// lengths; the length itself is not secret here).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// PBKDF2-HMAC-SHA256 with one output block (32 octets), RFC 8018 §5.2.
pub(crate) fn pbkdf2_sha256(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
) -> Result<[u8; 32], Error> {
    let mac = Hmac::<Sha256>::new_from_slice(password)
        .map_err(|e| Error::Config(format!("hmac: {e}")))?;
    let mut u = mac.clone();
    u.update(salt);
    u.update(&1u32.to_be_bytes());
    let mut prev: [u8; 32] = u.finalize().into_bytes().into();
    let mut out = prev;
    for _ in 1..iterations {
        let mut m = mac.clone();
        m.update(&prev);
        prev = m.finalize().into_bytes().into();
        for (o, p) in out.iter_mut().zip(prev.iter()) {
            *o ^= p;
        }
    }
    Ok(out)
}

fn argon2id(password: &[u8], salt: &[u8], m: u32, t: u32, p: u32) -> Option<[u8; 32]> {
    let params = Params::new(m, t, p, Some(32)).ok()?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password, salt, &mut out)
        .ok()?;
    Some(out)
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

/// Hash a password for the config file (Argon2id, module docs).
pub fn hash_password(password: &str) -> Result<String, Error> {
    let mut salt = [0u8; 16];
    crate::rng::Rng::fill_bytes(&mut crate::rng::system_rng(), &mut salt);
    let h = argon2id(password.as_bytes(), &salt, ARGON2_M_KIB, ARGON2_T, ARGON2_P)
        .ok_or_else(|| Error::Config("argon2id parameters refused".into()))?;
    Ok(format!(
        "argon2id$v=19$m={ARGON2_M_KIB},t={ARGON2_T},p={ARGON2_P}${}${}",
        hex(&salt),
        hex(&h)
    ))
}

fn argon2_params(s: &str) -> Option<(u32, u32, u32)> {
    let mut m = None;
    let mut t = None;
    let mut p = None;
    for kv in s.split(',') {
        let (k, v) = kv.split_once('=')?;
        let v: u32 = v.parse().ok()?;
        match k {
            "m" => m = Some(v),
            "t" => t = Some(v),
            "p" => p = Some(v),
            _ => return None,
        }
    }
    let (m, t, p) = (m?, t?, p?);
    (m <= ARGON2_M_MAX && t <= ARGON2_T_MAX && p <= 16).then_some((m, t, p))
}

/// Check a password against a stored hash (either format; constant-time comparison of the
/// tags). A malformed stored hash never matches.
pub fn check_password(stored: &str, password: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    match parts.as_slice() {
        ["argon2id", "v=19", params, salt, hash] => {
            let (Some((m, t, p)), Some(salt), Some(hash)) =
                (argon2_params(params), unhex(salt), unhex(hash))
            else {
                return false;
            };
            argon2id(password.as_bytes(), &salt, m, t, p).is_some_and(|got| ct_eq(&hash, &got))
        }
        ["pbkdf2-sha256", iter, salt, hash] => {
            let (Ok(iter), Some(salt), Some(hash)) =
                (iter.parse::<u32>(), unhex(salt), unhex(hash))
            else {
                return false;
            };
            if iter == 0 || iter > PBKDF2_ITER_MAX {
                return false;
            }
            pbkdf2_sha256(password.as_bytes(), &salt, iter).is_ok_and(|got| ct_eq(&hash, &got))
        }
        _ => false,
    }
}

/// Whether a stored hash should be replaced by a fresh [`hash_password`] (older format or
/// weaker parameters than the current ones).
pub(crate) fn needs_rehash(stored: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    match parts.as_slice() {
        ["argon2id", "v=19", params, _, _] => argon2_params(params)
            .is_none_or(|(m, t, p)| m < ARGON2_M_KIB || t < ARGON2_T || p < ARGON2_P),
        _ => true,
    }
}

/// Spend the work of one verification against a fixed dummy hash (for an unknown address);
/// always false.
pub(crate) fn verify_unknown_user(password: &str) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        hash_password("mmhs-dummy-password")
            .unwrap_or_else(|_| "argon2id$v=19$m=19456,t=2,p=1$00$00".into())
    });
    let _ = check_password(dummy, password);
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_roundtrip_and_no_rehash() {
        let h = hash_password("s3cret").unwrap();
        assert!(h.starts_with("argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(check_password(&h, "s3cret"));
        assert!(!check_password(&h, "s3cret!"));
        assert!(!needs_rehash(&h));
        assert!(!check_password("garbage", "x"));
        assert!(!verify_unknown_user("s3cret"));
    }

    #[test]
    fn unknown_user_costs_a_verification() {
        let h = hash_password("known").unwrap();
        verify_unknown_user("warm-up");
        let t = std::time::Instant::now();
        for _ in 0..3 {
            check_password(&h, "wrong");
        }
        let known = t.elapsed();
        let t = std::time::Instant::now();
        for _ in 0..3 {
            verify_unknown_user("wrong");
        }
        let unknown = t.elapsed();
        // Same work (one Argon2id verification); a loose bound against scheduling noise.
        assert!(
            unknown * 3 >= known,
            "unknown {unknown:?} vs known {known:?}"
        );
    }

    #[test]
    fn legacy_pbkdf2_verifies_and_needs_rehash() {
        let salt = [7u8; 16];
        let h = pbkdf2_sha256(b"old", &salt, 20_000).unwrap();
        let stored = format!("pbkdf2-sha256$20000${}${}", hex(&salt), hex(&h));
        assert!(check_password(&stored, "old"));
        assert!(!check_password(&stored, "new"));
        assert!(needs_rehash(&stored));
    }

    #[test]
    fn hostile_parameters_refused() {
        // m above the bound: refused without hashing (a hand-edited config.json)
        let stored = format!(
            "argon2id$v=19$m=4000000,t=2,p=1${}${}",
            hex(&[0; 16]),
            hex(&[0; 32])
        );
        assert!(!check_password(&stored, "x"));
        let stored = format!(
            "pbkdf2-sha256$4000000000${}${}",
            hex(&[0; 16]),
            hex(&[0; 32])
        );
        assert!(!check_password(&stored, "x"));
    }

    #[test]
    fn pbkdf2_rfc7914_vector() {
        // RFC 7914 §11: PBKDF2-HMAC-SHA256 P="passwd", S="salt", c=1, first 32 octets.
        let out = pbkdf2_sha256(b"passwd", b"salt", 1).unwrap();
        assert_eq!(
            hex(&out),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }
}

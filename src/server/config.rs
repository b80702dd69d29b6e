//! Server configuration: `<data>/config.json`, created with the demo users on first run.
//!
//! Passwords are stored as `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>` (PBKDF2,
//! RFC 8018 §5.2, HMAC-SHA-256). The demo passwords are documented in docs/server.md.

use std::path::Path;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::Error;

/// One mailbox user.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UserConfig {
    /// Address (login name and mailbox).
    pub address: String,
    /// Display name.
    pub display_name: String,
    /// Password hash (see module docs).
    pub password_hash: String,
    /// Release officer: has a Release queue folder and may re-submit released messages with
    /// a local originator's reverse-path. Who must release what is the release policy's
    /// business (`<data>/release-policy.json`, see `gate.rs`).
    #[serde(default)]
    pub officer: bool,
}

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// Name used in EHLO, Received and Reporting-MTA.
    #[serde(default = "default_hostname")]
    pub hostname: String,
    /// SIZE limit in octets (RFC 1870).
    #[serde(default = "default_max_size")]
    pub max_message_size: usize,
    /// Longest FUTURERELEASE hold in seconds (RFC 4865 max-future-release-interval).
    #[serde(default = "default_max_hold")]
    pub max_hold_seconds: u64,
    /// Users.
    pub users: Vec<UserConfig>,
    // SMTP limits
    /// Concurrent SMTP sessions; one more is answered `421 4.7.0` and closed.
    #[serde(default = "default_max_sessions")]
    pub max_sessions: usize,
    /// Concurrent SMTP sessions from one client IP address.
    #[serde(default = "default_max_sessions_per_client")]
    pub max_sessions_per_client: usize,
    /// Idle timeout per read, in seconds (RFC 5321 §4.5.3.2: 5 minutes).
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout_seconds: u64,
    /// Whole-session deadline in seconds, however active the client is.
    #[serde(default = "default_session_timeout")]
    pub session_timeout_seconds: u64,
    /// Gate verifications and SQLite commits running at once on the blocking pool.
    #[serde(default = "default_blocking_jobs")]
    pub blocking_jobs: usize,
}

fn default_max_sessions() -> usize {
    64
}
fn default_max_sessions_per_client() -> usize {
    16
}
fn default_idle_timeout() -> u64 {
    300
}
fn default_session_timeout() -> u64 {
    1800
}
fn default_blocking_jobs() -> usize {
    4
}

fn default_hostname() -> String {
    "mmhs.localhost".into()
}
fn default_max_size() -> usize {
    25 * 1024 * 1024
}
fn default_max_hold() -> u64 {
    7 * 86400
}

/// Demo users: (address, display name, password, officer). Alice drafts, the officer releases
/// (the default release policy names him), Bob receives in another domain.
pub const DEMO_USERS: &[(&str, &str, &str, bool)] = &[
    (
        "alice@army.example",
        "Alice Originator",
        "alice-demo",
        false,
    ),
    (
        "officer@army.example",
        "Oscar Release-Officer",
        "officer-demo",
        true,
    ),
    ("bob@navy.example", "Bob Recipient", "bob-demo", false),
];

const ITERATIONS: u32 = 20_000;

/// PBKDF2-HMAC-SHA256 with one output block (32 octets), RFC 8018 §5.2.
fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32) -> Result<[u8; 32], Error> {
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

fn hex(b: &[u8]) -> String {
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

/// Hash a password for the config file.
pub fn hash_password(password: &str) -> Result<String, Error> {
    let mut salt = [0u8; 16];
    crate::rng::Rng::fill_bytes(&mut crate::rng::system_rng(), &mut salt);
    let h = pbkdf2_sha256(password.as_bytes(), &salt, ITERATIONS)?;
    Ok(format!(
        "pbkdf2-sha256${ITERATIONS}${}${}",
        hex(&salt),
        hex(&h)
    ))
}

/// Check a password against a stored hash (constant-time comparison of the digests).
pub fn check_password(stored: &str, password: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("pbkdf2-sha256"), Some(iter), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Ok(iter), Some(salt), Some(hash)) = (iter.parse::<u32>(), unhex(salt), unhex(hash)) else {
        return false;
    };
    if iter == 0 || iter > 10_000_000 {
        return false;
    }
    let Ok(got) = pbkdf2_sha256(password.as_bytes(), &salt, iter) else {
        return false;
    };
    if hash.len() != got.len() {
        return false;
    }
    hash.iter()
        .zip(got.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

impl Config {
    /// The demo configuration.
    pub fn demo() -> Result<Config, Error> {
        let mut users = Vec::new();
        for (address, name, pw, officer) in DEMO_USERS {
            users.push(UserConfig {
                address: address.to_string(),
                display_name: name.to_string(),
                password_hash: hash_password(pw)?,
                officer: *officer,
            });
        }
        Ok(Config {
            hostname: default_hostname(),
            max_message_size: default_max_size(),
            max_hold_seconds: default_max_hold(),
            users,
            max_sessions: default_max_sessions(),
            max_sessions_per_client: default_max_sessions_per_client(),
            idle_timeout_seconds: default_idle_timeout(),
            session_timeout_seconds: default_session_timeout(),
            blocking_jobs: default_blocking_jobs(),
        })
    }

    /// Load `<dir>/config.json`, creating it with the demo users when absent.
    /// Returns the config and whether it was created.
    pub fn load_or_create(dir: &Path) -> Result<(Config, bool), Error> {
        let path = dir.join("config.json");
        if path.exists() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
            let cfg: Config = serde_json::from_str(&text)
                .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
            return Ok((cfg, false));
        }
        let cfg = Config::demo()?;
        let text = serde_json::to_string_pretty(&cfg).map_err(|e| Error::Config(e.to_string()))?;
        std::fs::write(&path, text).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        Ok((cfg, true))
    }

    /// Look a user up by address (case-insensitive).
    pub fn user(&self, address: &str) -> Option<&UserConfig> {
        self.users
            .iter()
            .find(|u| u.address.eq_ignore_ascii_case(address))
    }

    /// Authenticate.
    pub fn authenticate(&self, address: &str, password: &str) -> Option<&UserConfig> {
        self.user(address)
            .filter(|u| check_password(&u.password_hash, password))
    }

    /// Domains we deliver locally (those of the configured users).
    pub fn is_local_domain(&self, address: &str) -> bool {
        let Some((_, d)) = address.rsplit_once('@') else {
            return false;
        };
        self.users.iter().any(|u| {
            u.address
                .rsplit_once('@')
                .is_some_and(|(_, ud)| ud.eq_ignore_ascii_case(d))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_roundtrip() {
        let h = hash_password("s3cret").unwrap();
        assert!(check_password(&h, "s3cret"));
        assert!(!check_password(&h, "s3cret!"));
        assert!(!check_password("garbage", "x"));
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

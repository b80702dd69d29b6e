//! Server configuration: `<data>/config.json`, created with the demo users on first run.
//!
//! Password hashes: `super::password` (Argon2id; older PBKDF2 hashes still verify and are
//! upgraded at the next login). Every check goes through [`Config::authenticate_from`], which
//! applies the lockout of `super::login_guard`. The demo passwords are documented in
//! docs/server.md.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::login_guard::{LoginGuard, Policy};
use super::password::{needs_rehash, verify_unknown_user};
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
    /// Message work (gate verifications, delivery commits) running at once on the blocking
    /// pool (`crate::server::Agent::blocking`).
    #[serde(default = "default_blocking_jobs")]
    pub blocking_jobs: usize,
    /// The webmail's SQLite calls, JSON body and HTML form parsing running at once on the blocking
    /// pool, apart from the message work (`crate::server::Agent::interactive`).
    #[serde(default = "default_interactive_jobs")]
    pub interactive_jobs: usize,
    /// Password checks (Argon2id, of web logins and SMTP AUTH) running at once on the
    /// blocking pool, apart from the webmail's and the message work
    /// (`crate::server::Agent::password_check`).
    #[serde(default = "default_password_jobs")]
    pub password_jobs: usize,
    /// Time allowed to one message from the end of its DATA / last BDAT to the decision to
    /// commit it (waiting for a slot, reading the spool, the gate's verification), in
    /// milliseconds; beyond it the client gets `451 4.7.0` and keeps the message.
    #[serde(default = "default_message_budget")]
    pub message_budget_millis: u64,
    // Web security
    /// Failed logins (web or SMTP AUTH) that lock an account.
    #[serde(default = "default_lock_after")]
    pub login_lock_after: u32,
    /// Failed logins from one client address that lock that address (web logins).
    #[serde(default = "default_client_lock_after")]
    pub login_client_lock_after: u32,
    /// How long a lock lasts, in seconds (also how long a failure is remembered).
    #[serde(default = "default_lock_seconds")]
    pub login_lock_seconds: u64,
    /// A web session unused this many seconds ends.
    #[serde(default = "default_session_idle")]
    pub session_idle_seconds: u64,
    /// A web session ends this many seconds after login, however active.
    #[serde(default = "default_session_max")]
    pub session_max_seconds: u64,
    /// Label-based access control (`super::labels`, docs/server.md): the directory of
    /// security policies and the handling of unlabelled military messages. Absent: labels
    /// are not enforced. Written on first run as the demo's (`label-policies`, `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_policy: Option<super::labels::LabelPolicyConfig>,
    /// Transport security: STARTTLS, HTTPS, AUTH before TLS, relay trust anchors
    /// (`super::tls`).
    #[serde(default)]
    pub tls: super::tls::TlsSettings,
    /// DKIM verification on receipt and signing of relayed mail (`super::dkim`).
    #[serde(default)]
    pub dkim: super::dkim::DkimSettings,
    /// Runtime login state (lockout counters, submission tokens); never in config.json.
    #[serde(skip)]
    pub guard: LoginGuard,
}

fn default_lock_after() -> u32 {
    10
}
fn default_client_lock_after() -> u32 {
    100
}
fn default_lock_seconds() -> u64 {
    15 * 60
}
fn default_session_idle() -> u64 {
    30 * 60
}
fn default_session_max() -> u64 {
    8 * 3600
}
pub(crate) fn default_max_sessions() -> usize {
    64
}
pub(crate) fn default_max_sessions_per_client() -> usize {
    16
}
pub(crate) fn default_idle_timeout() -> u64 {
    300
}
pub(crate) fn default_session_timeout() -> u64 {
    1800
}
pub(crate) fn default_blocking_jobs() -> usize {
    4
}
fn default_interactive_jobs() -> usize {
    4
}
fn default_password_jobs() -> usize {
    2
}
pub(crate) fn default_message_budget() -> u64 {
    30_000
}

fn default_hostname() -> String {
    "mmhs.localhost".into()
}
pub(crate) fn default_max_size() -> usize {
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

pub use super::password::{check_password, hash_password};

/// The demo's DKIM signing: one Ed25519 key per demo domain, selector `mmhs`, generated into
/// `<data>/dkim/` on first start.
fn demo_signing_domains() -> Vec<super::dkim::SigningDomain> {
    let mut domains: Vec<&str> = DEMO_USERS
        .iter()
        .filter_map(|(a, ..)| a.rsplit_once('@').map(|(_, d)| d))
        .collect();
    domains.dedup();
    domains
        .into_iter()
        .map(|d| super::dkim::SigningDomain {
            domain: d.to_string(),
            selector: "mmhs".into(),
            key_path: None,
        })
        .collect()
}

/// Why a password check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// Wrong address or password (one answer for both).
    Invalid,
    /// The account or the client address is locked; retry after this long.
    Locked(Duration),
}

impl AuthError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Invalid => "auth-failed",
            AuthError::Locked(_) => "auth-locked",
        }
    }
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
            login_lock_after: default_lock_after(),
            login_client_lock_after: default_client_lock_after(),
            login_lock_seconds: default_lock_seconds(),
            session_idle_seconds: default_session_idle(),
            session_max_seconds: default_session_max(),
            guard: LoginGuard::default(),
            label_policy: None,
            max_sessions: default_max_sessions(),
            max_sessions_per_client: default_max_sessions_per_client(),
            idle_timeout_seconds: default_idle_timeout(),
            session_timeout_seconds: default_session_timeout(),
            blocking_jobs: default_blocking_jobs(),
            interactive_jobs: default_interactive_jobs(),
            password_jobs: default_password_jobs(),
            message_budget_millis: default_message_budget(),
            tls: super::tls::TlsSettings::default(),
            dkim: super::dkim::DkimSettings {
                verify: true,
                signing: demo_signing_domains(),
                key_table: None,
            },
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
            cfg.guard.set_config_path(path);
            return Ok((cfg, false));
        }
        let mut cfg = Config::demo()?;
        cfg.label_policy = Some(super::labels::demo_config());
        let text = serde_json::to_string_pretty(&cfg).map_err(|e| Error::Config(e.to_string()))?;
        super::private_file::write_private(&path, text.as_bytes())?;
        cfg.guard.set_config_path(path);
        Ok((cfg, true))
    }

    /// Look a user up by address (case-insensitive).
    pub fn user(&self, address: &str) -> Option<&UserConfig> {
        self.users
            .iter()
            .find(|u| u.address.eq_ignore_ascii_case(address))
    }

    /// The lockout policy.
    pub fn login_policy(&self) -> Policy {
        Policy {
            lock_after: self.login_lock_after.max(1),
            client_lock_after: self.login_client_lock_after.max(1),
            lock_duration: Duration::from_secs(self.login_lock_seconds),
        }
    }

    /// Authenticate without a client address (see [`Config::authenticate_from`]).
    pub fn authenticate(&self, address: &str, password: &str) -> Option<&UserConfig> {
        self.authenticate_from(address, password, None).ok()
    }

    /// Check a password (or a webmail submission token) under the lockout policy: a locked
    /// account or client is refused before any check; an unknown address costs one dummy
    /// verification, like a known one; a success with an old-format hash upgrades it.
    pub fn authenticate_from(
        &self,
        address: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<&UserConfig, AuthError> {
        let policy = self.login_policy();
        let user = self.user(address);
        // A live submission token (256 random bits, held only by the webmail) is checked
        // first, so that a lock provoked by someone else's guesses does not stop a logged-in
        // user's webmail from submitting.
        if let Some(u) = user {
            if self.guard.check_submission_token(&u.address, password) {
                return Ok(u);
            }
        }
        if let Some(wait) = self.guard.locked(address, client, &policy) {
            return Err(AuthError::Locked(wait));
        }
        let ok = match user {
            Some(u) => {
                let stored = self
                    .guard
                    .upgraded_hash(&u.address)
                    .unwrap_or_else(|| u.password_hash.clone());
                let ok = check_password(&stored, password);
                if ok && needs_rehash(&stored) {
                    self.upgrade_hash(u, password);
                }
                ok
            }
            None => verify_unknown_user(password),
        };
        match user {
            Some(u) if ok => {
                self.guard.success(address);
                Ok(u)
            }
            _ => {
                self.guard.failure(address, client, &policy);
                Err(AuthError::Invalid)
            }
        }
    }

    /// Replace an old-format hash: in memory at once, and in config.json when the server
    /// loaded one (its other content kept as it is).
    fn upgrade_hash(&self, u: &UserConfig, password: &str) {
        let Ok(new) = hash_password(password) else {
            return;
        };
        self.guard.set_upgraded_hash(&u.address, new.clone());
        let Some(path) = self.guard.config_path() else {
            return;
        };
        let result = (|| -> Result<(), Error> {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
            let mut v: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| Error::Config(e.to_string()))?;
            if let Some(users) = v.get_mut("users").and_then(|x| x.as_array_mut()) {
                for x in users {
                    let same = x
                        .get("address")
                        .and_then(|a| a.as_str())
                        .is_some_and(|a| a.eq_ignore_ascii_case(&u.address));
                    if same {
                        x["passwordHash"] = serde_json::Value::String(new.clone());
                    }
                }
            }
            let text =
                serde_json::to_string_pretty(&v).map_err(|e| Error::Config(e.to_string()))?;
            super::private_file::write_private(&path, text.as_bytes())
        })();
        if let Err(e) = result {
            eprintln!(
                "mmhs serve: upgrading the password hash of {}: {e}",
                u.address
            );
        }
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
    fn lockout_refuses_the_right_password() {
        let mut c = Config::demo().unwrap();
        c.login_lock_after = 2;
        assert!(c.authenticate("bob@navy.example", "x").is_none());
        assert!(c.authenticate("bob@navy.example", "y").is_none());
        assert!(matches!(
            c.authenticate_from("bob@navy.example", "bob-demo", None),
            Err(AuthError::Locked(_))
        ));
        assert!(c.authenticate("alice@army.example", "alice-demo").is_some());
    }
}

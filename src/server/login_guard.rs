//! Brute-force protection for every password check (`/login`, `/api/login`, SMTP AUTH) and
//! the webmail's internal submission tokens.
//!
//! Following the OWASP Authentication Cheat Sheet ("Protect Against Automated Attacks":
//! account lockout and throttling by client):
//!
//! * failures are counted per account (the address as typed, lower-cased, so unknown
//!   addresses lock exactly like known ones and a lock tells nothing about existence) and per
//!   client address;
//! * after [`Policy::lock_after`] failures the account is locked for
//!   [`Policy::lock_duration`]: every attempt in that time is refused, **even with the right
//!   password**, without checking it; a client address is locked the same way after
//!   [`Policy::client_lock_after`] failures;
//! * a failure older than the lock duration is forgotten, and a success clears the account's
//!   count;
//! * both tables are bounded ([`MAX_TRACKED`] entries): when full, expired entries go first,
//!   then the stalest.
//!
//! Submission tokens: the webmail submits over SMTP AUTH PLAIN on the user's behalf without
//! keeping the user's password: at login it gets a random 256-bit token bound to the address,
//! valid until the web session ends, which SMTP AUTH accepts in place of the password.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::password::ct_eq;

/// Most accounts or client addresses tracked at once (each table).
pub(crate) const MAX_TRACKED: usize = 10_000;

/// Lockout thresholds (from `config.json`, docs/server.md "Security").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures that lock an account.
    pub lock_after: u32,
    /// Failures that lock a client address.
    pub client_lock_after: u32,
    /// How long a lock lasts (and how long a failure is remembered).
    pub lock_duration: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

#[derive(Debug, Default)]
struct State {
    accounts: HashMap<String, Failures>,
    clients: HashMap<IpAddr, Failures>,
    /// token → (address, expiry)
    submission: HashMap<String, (String, Instant)>,
    /// Password hashes upgraded since start (address → new hash).
    upgraded: HashMap<String, String>,
    config_path: Option<PathBuf>,
}

/// Shared, in-memory login state (clones share it).
#[derive(Clone, Default)]
pub struct LoginGuard {
    inner: Arc<Mutex<State>>,
}

impl std::fmt::Debug for LoginGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginGuard")
    }
}

fn locked<K: std::hash::Hash + Eq>(
    m: &mut HashMap<K, Failures>,
    k: &K,
    now: Instant,
    p: &Policy,
) -> Option<Duration> {
    let f = m.get(k)?;
    match f.locked_until {
        Some(u) if u > now => Some(u - now),
        Some(_) => {
            m.remove(k);
            None
        }
        None if now.duration_since(f.last) >= p.lock_duration => {
            m.remove(k);
            None
        }
        None => None,
    }
}

fn record<K: std::hash::Hash + Eq + Clone>(
    m: &mut HashMap<K, Failures>,
    k: K,
    now: Instant,
    threshold: u32,
    p: &Policy,
) {
    if !m.contains_key(&k) && m.len() >= MAX_TRACKED {
        m.retain(|_, f| {
            f.locked_until.is_some_and(|u| u > now) || now.duration_since(f.last) < p.lock_duration
        });
        if m.len() >= MAX_TRACKED {
            if let Some(oldest) = m.iter().min_by_key(|(_, f)| f.last).map(|(k, _)| k.clone()) {
                m.remove(&oldest);
            }
        }
    }
    let f = m.entry(k).or_insert(Failures {
        count: 0,
        last: now,
        locked_until: None,
    });
    if now.duration_since(f.last) >= p.lock_duration {
        f.count = 0;
    }
    f.count = f.count.saturating_add(1);
    f.last = now;
    if f.count >= threshold {
        f.locked_until = Some(now + p.lock_duration);
    }
}

impl LoginGuard {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent between statements; a panic elsewhere cannot leave it
        // half-updated in a way that matters for a counter.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Where config.json is (for writing upgraded password hashes).
    pub fn set_config_path(&self, path: PathBuf) {
        self.lock().config_path = Some(path);
    }

    pub(crate) fn config_path(&self) -> Option<PathBuf> {
        self.lock().config_path.clone()
    }

    /// Remaining lock time of this account or client, if either is locked.
    pub fn locked(&self, account: &str, client: Option<IpAddr>, p: &Policy) -> Option<Duration> {
        let now = Instant::now();
        let mut s = self.lock();
        let a = locked(&mut s.accounts, &account.to_ascii_lowercase(), now, p);
        let c = client.and_then(|c| locked(&mut s.clients, &c, now, p));
        a.max(c)
    }

    /// Count one failed attempt.
    pub fn failure(&self, account: &str, client: Option<IpAddr>, p: &Policy) {
        let now = Instant::now();
        let mut s = self.lock();
        record(
            &mut s.accounts,
            account.to_ascii_lowercase(),
            now,
            p.lock_after,
            p,
        );
        if let Some(c) = client {
            record(&mut s.clients, c, now, p.client_lock_after, p);
        }
    }

    /// A successful login clears the account's failures.
    pub fn success(&self, account: &str) {
        self.lock().accounts.remove(&account.to_ascii_lowercase());
    }

    /// The upgraded hash of `address`, if its hash was replaced since start.
    pub fn upgraded_hash(&self, address: &str) -> Option<String> {
        self.lock()
            .upgraded
            .get(&address.to_ascii_lowercase())
            .cloned()
    }

    /// Remember an upgraded hash.
    pub fn set_upgraded_hash(&self, address: &str, hash: String) {
        self.lock()
            .upgraded
            .insert(address.to_ascii_lowercase(), hash);
    }

    /// A new submission token for `address`, valid for `lifetime`.
    pub fn issue_submission_token(&self, address: &str, lifetime: Duration) -> String {
        let mut b = [0u8; 32];
        crate::rng::Rng::fill_bytes(&mut crate::rng::system_rng(), &mut b);
        let token: String = b.iter().map(|x| format!("{x:02x}")).collect();
        let now = Instant::now();
        let mut s = self.lock();
        s.submission.retain(|_, (_, exp)| *exp > now);
        s.submission.insert(
            token.clone(),
            (address.to_ascii_lowercase(), now + lifetime),
        );
        token
    }

    /// Withdraw a submission token (logout, session expiry).
    pub fn revoke_submission_token(&self, token: &str) {
        self.lock().submission.remove(token);
    }

    /// Whether `secret` is a live submission token of `address`. The lookup hashes the
    /// presented value (SipHash with a per-process random key), so its timing says nothing
    /// about stored tokens; the final comparison is constant-time all the same.
    pub fn check_submission_token(&self, address: &str, secret: &str) -> bool {
        let now = Instant::now();
        let s = self.lock();
        let Some((stored, (owner, exp))) = s.submission.get_key_value(secret) else {
            return false;
        };
        *exp > now
            && owner.eq_ignore_ascii_case(address)
            && ct_eq(stored.as_bytes(), secret.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            lock_after: 3,
            client_lock_after: 5,
            lock_duration: Duration::from_millis(200),
        }
    }

    #[test]
    fn locks_after_threshold_and_expires() {
        let g = LoginGuard::default();
        let p = policy();
        for _ in 0..2 {
            g.failure("A@x", None, &p);
        }
        assert!(g.locked("a@x", None, &p).is_none());
        g.failure("a@x", None, &p);
        assert!(g.locked("a@x", None, &p).is_some());
        std::thread::sleep(Duration::from_millis(250));
        assert!(g.locked("a@x", None, &p).is_none());
    }

    #[test]
    fn client_lock_spans_accounts() {
        let g = LoginGuard::default();
        let p = policy();
        let c: IpAddr = "127.0.0.9".parse().unwrap();
        for i in 0..5 {
            g.failure(&format!("u{i}@x"), Some(c), &p);
        }
        assert!(g.locked("fresh@x", Some(c), &p).is_some());
        assert!(g.locked("fresh@x", None, &p).is_none());
    }

    #[test]
    fn tables_are_bounded() {
        let g = LoginGuard::default();
        let p = policy();
        for i in 0..(MAX_TRACKED + 50) {
            g.failure(&format!("u{i}@x"), None, &p);
        }
        assert!(g.lock().accounts.len() <= MAX_TRACKED);
    }

    #[test]
    fn submission_tokens_are_bound_and_revocable() {
        let g = LoginGuard::default();
        let t = g.issue_submission_token("alice@x", Duration::from_secs(60));
        assert!(g.check_submission_token("ALICE@x", &t));
        assert!(!g.check_submission_token("bob@x", &t));
        g.revoke_submission_token(&t);
        assert!(!g.check_submission_token("alice@x", &t));
    }
}

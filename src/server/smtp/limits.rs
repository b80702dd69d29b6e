//! Admission of SMTP sessions: at most `maxSessions` at once, and at most
//! `maxSessionsPerClient` from one IP address. A connection over either limit is answered
//! `421 4.3.2` and closed at once (RFC 5321 §3.8: a server may refuse a session with 421;
//! RFC 3463 X.3.2: system not accepting network messages).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// The reply to a connection over a limit.
pub(crate) const TOO_MANY: &[u8] = b"421 4.3.2 Too many connections, try again later\r\n";

#[derive(Default)]
struct Counts {
    total: usize,
    per_client: HashMap<IpAddr, usize>,
}

/// Session counters shared by the accept loop and the session guards. The map holds only
/// addresses with a live session, so it never has more than `max_total` entries.
pub(crate) struct SessionLimits {
    max_total: usize,
    max_per_client: usize,
    counts: Mutex<Counts>,
}

/// A live session's place; released when dropped.
pub(crate) struct SessionSlot {
    limits: Arc<SessionLimits>,
    ip: IpAddr,
}

impl SessionLimits {
    /// Live sessions.
    #[cfg(test)]
    fn live(&self) -> usize {
        self.lock().total
    }

    /// Limits (each at least 1).
    pub(crate) fn new(max_total: usize, max_per_client: usize) -> Arc<SessionLimits> {
        Arc::new(SessionLimits {
            max_total: max_total.max(1),
            max_per_client: max_per_client.max(1),
            counts: Mutex::new(Counts::default()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Counts> {
        // The counters stay consistent under a panic elsewhere: every update is one step.
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for a session from `ip`, or `None` when a limit is reached.
    pub(crate) fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<SessionSlot> {
        let mut c = self.lock();
        let mine = c.per_client.get(&ip).copied().unwrap_or(0);
        if c.total >= self.max_total || mine >= self.max_per_client {
            return None;
        }
        c.total += 1;
        c.per_client.insert(ip, mine + 1);
        Some(SessionSlot {
            limits: self.clone(),
            ip,
        })
    }
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        let mut c = self.limits.lock();
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.per_client.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                c.per_client.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_and_per_client() {
        let l = SessionLimits::new(3, 2);
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        let a1 = l.admit(a).unwrap();
        let _a2 = l.admit(a).unwrap();
        assert!(l.admit(a).is_none(), "per-client limit");
        let _b1 = l.admit(b).unwrap();
        assert!(l.admit(b).is_none(), "total limit");
        drop(a1);
        let b2 = l.admit(b);
        assert!(b2.is_some());
        assert_eq!(l.live(), 3);
        drop(b2);
        assert_eq!(l.live(), 2);
    }
}

//! Cancellation of a running verification: the caller's side of a time budget.
//!
//! The core is sans-I/O and reads no clock; a caller that bounds a verification in time
//! (the submission agent's and the boundary agent's `messageBudgetMillis`) holds a
//! [`Cancel`], sets it when its timer fires, and the verification stops at its next check
//! point (between layers, per signature value, per issuer candidate in path building,
//! before decrypting) with `verification-cancelled` and no report.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A shared, set-once cancellation flag. Clones share the flag.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag not yet set.
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Ask the work holding a clone of this flag to stop (it never resets).
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether [`Cancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Whether an optional flag is set (`None`: never).
pub fn is_cancelled(cancel: Option<&Cancel>) -> bool {
    cancel.is_some_and(Cancel::is_cancelled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag() {
        let a = Cancel::new();
        let b = a.clone();
        assert!(!b.is_cancelled() && !is_cancelled(Some(&a)) && !is_cancelled(None));
        a.cancel();
        assert!(b.is_cancelled() && is_cancelled(Some(&b)));
    }
}

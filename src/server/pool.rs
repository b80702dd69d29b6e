//! A bounded share of tokio's blocking pool: synchronous work (the gate's verification,
//! SQLite commits with `synchronous=FULL` fsyncs, Argon2id password checks) runs on
//! `spawn_blocking` threads, at most `slots` jobs at a time, never on the async runtime's
//! worker threads, so the reactor keeps serving every SMTP session and HTTP request.
//!
//! A job keeps its slot until it has really finished: the slot is moved into the job, so a
//! caller that stops waiting (a client gone, a deadline passed,
//! [`crate::server::Agent::accept`]) does not free the slot of work that still runs, and the
//! number of jobs using the CPU stays bounded.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::Error;

/// A bounded pool of blocking jobs (module documentation).
#[derive(Debug, Clone)]
pub(crate) struct BlockingPool {
    slots: Arc<Semaphore>,
}

impl BlockingPool {
    /// Slots free at this moment.
    #[cfg(test)]
    fn available(&self) -> usize {
        self.slots.available_permits()
    }

    /// A pool running at most `slots` jobs at once (at least one).
    pub(crate) fn new(slots: usize) -> BlockingPool {
        BlockingPool {
            slots: Arc::new(Semaphore::new(slots.max(1))),
        }
    }

    /// Run `f` on a blocking thread once a slot is free. A panic in `f`, or a pool that
    /// cannot run it, comes back as [`Error::Internal`]: callers fail closed on it.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Internal("blocking pool closed".into()))?;
        let job = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            f()
        });
        match job.await {
            Ok(r) => r,
            Err(e) if e.is_panic() => Err(Error::Internal("panic in blocking work".into())),
            Err(e) => Err(Error::Internal(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_abandoned_job_keeps_its_slot_until_it_ends() {
        let pool = BlockingPool::new(1);
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let p = pool.clone();
        let waiting = tokio::time::timeout(
            Duration::from_millis(100),
            p.run(move || {
                let _ = rx.recv_timeout(Duration::from_secs(10));
                Ok(())
            }),
        )
        .await;
        assert!(waiting.is_err(), "the job is still running");
        assert_eq!(
            pool.available(),
            0,
            "the abandoned job still holds its slot"
        );
        tx.send(()).unwrap();
        let r = tokio::time::timeout(Duration::from_secs(10), pool.run(|| Ok(7)))
            .await
            .unwrap();
        assert_eq!(r.unwrap(), 7);
        assert_eq!(pool.available(), 1);
    }

    #[tokio::test]
    async fn a_panic_is_an_internal_error() {
        let pool = BlockingPool::new(1);
        let r: Result<(), Error> = pool.run(|| panic!("boom")).await;
        assert!(matches!(r, Err(Error::Internal(_))));
        assert_eq!(pool.available(), 1);
    }
}

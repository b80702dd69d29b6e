//! What an SMTP session ([`super::session`]) asks of the agent behind it. Two agents use the
//! one session state machine: the submission agent of `mmhs serve` ([`crate::server::Agent`])
//! and the boundary MTA agent of `mmhs boundary` ([`crate::server::boundary`]); each answers
//! these questions its own way, and the session keeps the protocol (RFC 5321 sequencing,
//! parameter grammars, limits, spooling) in one place.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use super::spool::Spooled;
use super::Transaction;
use crate::server::agent::AgentReply;
use crate::server::config::AuthError;
use crate::server::Error;

/// Names and limits of a session.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// Our host name (greeting, EHLO, trace fields).
    pub hostname: String,
    /// What the greeting says we are (`"mmhs submission agent"`).
    pub role: &'static str,
    /// Largest message accepted (SIZE, DATA, BDAT).
    pub max_message_size: usize,
    /// Longest FUTURERELEASE hold (seconds).
    pub max_hold_seconds: u64,
    /// Idle time per read or write (seconds).
    pub idle_timeout_seconds: u64,
    /// Whole session (seconds).
    pub session_timeout_seconds: u64,
}

/// The service extensions a listener offers beyond the ones every session has (PIPELINING,
/// ENHANCEDSTATUSCODES, 8BITMIME, CHUNKING, SIZE, DSN, MT-PRIORITY).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extensions {
    /// AUTH PLAIN (RFC 4954, RFC 4616).
    pub auth: bool,
    /// DELIVERBY (RFC 2852).
    pub deliver_by: bool,
    /// FUTURERELEASE (RFC 4865).
    pub future_release: bool,
}

/// A refusal of a command: code, enhanced status code, text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Reply code.
    pub code: u16,
    /// Enhanced status code (RFC 3463).
    pub esc: [u8; 3],
    /// Text.
    pub text: String,
}

impl Refusal {
    /// A refusal.
    pub fn new(code: u16, esc: [u8; 3], text: impl Into<String>) -> Refusal {
        Refusal {
            code,
            esc,
            text: text.into(),
        }
    }
}

/// The agent behind a session.
pub trait SessionHost: Send + Sync + 'static {
    /// Names and limits.
    fn settings(&self) -> SessionSettings;
    /// Extensions offered.
    fn extensions(&self) -> Extensions;
    /// Where messages being received spill beyond memory ([`super::spool`]).
    fn spool_dir(&self) -> &Path;
    /// A fresh transaction id.
    fn new_id(&self) -> String;
    /// AUTH PLAIN: the authenticated address (only asked when [`Extensions::auth`]), or why
    /// not; the outer `Err` is a failure of the host itself (a temporary failure, never a
    /// success). Password hashing is slow: run it off the async runtime.
    fn authenticate(
        self: &Arc<Self>,
        user: String,
        password: String,
    ) -> impl Future<Output = Result<Result<String, AuthError>, Error>> + Send;
    /// Whether the session's user (if any) may use `address` as reverse-path.
    fn may_send_as(&self, user: Option<&str>, address: &str) -> bool;
    /// Whether `address` is accepted as one more recipient of `tx`.
    fn check_rcpt(
        &self,
        tx: &Transaction,
        user: Option<&str>,
        address: &str,
    ) -> Result<(), Refusal>;
    /// The reply to the end of the message data: by the time it is returned, the message is
    /// in durable hands (committed, or accepted by the next hop), or refused.
    fn accept(
        self: &Arc<Self>,
        tx: Transaction,
        data: Spooled,
    ) -> impl Future<Output = AgentReply> + Send;
}

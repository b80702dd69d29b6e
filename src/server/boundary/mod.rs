//! Native-only: `mmhs boundary` — the boundary MTA agent of domain security
//! (draft-melnikov-smime-msa-to-mda-04: domain signatures §3.3, domain encryption and
//! decryption §4, Mail List Agents §5 with RFC 2634 §4; draft-ramsdell-enc-smime-gateway-00:
//! the most-specific-domain rule §4, gateway encryption and decryption §5).
//! See `docs/domain.md`.
//!
//! The agent is an SMTP content filter for a real MTA (Postfix's after-queue
//! `content_filter`): the MTA hands each message over SMTP to one of two listeners — the
//! outbound one for mail submitted inside our domains, the inbound one for mail from other
//! domains — and the agent re-injects the processed message into the MTA's second smtpd
//! (no content filter there), answering the MTA only after that re-injection was accepted.
//!
//! - [`config`]: the JSON configuration and its keys;
//! - [`policy`]: per-domain policy and routing (no I/O);
//! - [`domsec`]: domain signing, encryption and verification with the core, the
//!   domain-signature verdict (naming rule);
//! - [`results`]: the `Authentication-Results` field added to inbound mail;
//! - [`agent`]: processing, re-injection, quarantine, audit; the SMTP session is the
//!   server's ([`crate::server::smtp::session`]), under the server's session limits.

pub(crate) mod agent;
pub(crate) mod config;
pub(crate) mod domsec;
pub(crate) mod policy;
pub(crate) mod results;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;

pub use agent::{Boundary, Direction, Listener, Reason};
pub use config::BoundaryConfig;

use super::smtp::limits::{SessionLimits, TOO_MANY};
use super::Error;

/// `mmhs boundary` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct BoundaryArgs {
    /// The configuration file (JSON; docs/domain.md).
    #[arg(long)]
    pub config: PathBuf,
}

/// A running agent.
pub struct Running {
    /// Bound outbound listener.
    pub outbound: SocketAddr,
    /// Bound inbound listener.
    pub inbound: SocketAddr,
    /// The agent.
    pub boundary: Arc<Boundary>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stop listening (sessions in progress end with their connections).
    pub async fn shutdown(self) {
        for t in self.tasks {
            t.abort();
            let _ = t.await;
        }
    }
}

/// Start both listeners; return once they listen.
pub async fn start(config: BoundaryConfig) -> Result<Running, Error> {
    let limits = SessionLimits::new(
        config.file.max_sessions,
        config.file.max_sessions_per_client,
    );
    let (out_addr, in_addr) = (
        config.file.listen.outbound.clone(),
        config.file.listen.inbound.clone(),
    );
    let boundary = Arc::new(Boundary::new(config)?);
    let mut tasks = Vec::new();
    let mut bound = Vec::new();
    for (addr, direction) in [
        (out_addr, Direction::Outbound),
        (in_addr, Direction::Inbound),
    ] {
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|e| Error::Io(format!("listen {addr}: {e}")))?;
        bound.push(
            listener
                .local_addr()
                .map_err(|e| Error::Io(e.to_string()))?,
        );
        let host = Arc::new(Listener {
            boundary: boundary.clone(),
            direction,
        });
        let limits = limits.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let Ok((sock, peer)) = listener.accept().await else {
                    continue;
                };
                match limits.admit(peer.ip()) {
                    Some(slot) => {
                        let host = host.clone();
                        tokio::spawn(async move {
                            super::smtp::session::run(sock, host).await;
                            drop(slot);
                        });
                    }
                    None => {
                        // A fresh socket's send buffer is empty: this never waits.
                        let _ = sock.try_write(TOO_MANY);
                    }
                }
            }
        }));
    }
    let (outbound, inbound) = match bound.as_slice() {
        [o, i] => (*o, *i),
        _ => return Err(Error::Internal("listeners not bound".into())),
    };
    Ok(Running {
        outbound,
        inbound,
        boundary,
        tasks,
    })
}

/// Run `mmhs boundary` until Ctrl-C or SIGTERM; returns the process exit code.
pub fn run(args: BoundaryArgs) -> i32 {
    let config = match BoundaryConfig::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mmhs boundary: {e} [{}]", e.code());
            return 2;
        }
    };
    let Some(rt) = super::runtime("boundary") else {
        return 1;
    };
    rt.block_on(async move {
        let running = match start(config).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("mmhs boundary: {e} [{}]", e.code());
                return 1;
            }
        };
        println!(
            "mmhs boundary: {} outbound {} inbound {} re-inject {}",
            running.boundary.config.file.hostname,
            running.outbound,
            running.inbound,
            running.boundary.config.reinject
        );
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("mmhs boundary: cannot watch SIGTERM: {e}");
                    return 1;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        println!("mmhs boundary: shutting down");
        running.shutdown().await;
        0
    })
}

//! Native-only: `mmhs serve` — the reference webmail (HTTP), its submission agent (SMTP) and
//! the mailbox store (SQLite). See `docs/server.md`.
//!
//! - [`web`]: a plain server-rendered webmail and a JSON API (axum). It knows nothing of
//!   MMHS: it only moves messages, and submits every message over real SMTP to
//! - [`smtp`] + [`agent`]: the submission agent (our state machine, `smtp-proto` parsing)
//!   with the [`gate`] seam, the [`audit`] trail, DSNs, FUTURERELEASE holds and [`relay`]ing.
//! - [`store`]: per-user folders in SQLite; [`pki`]: the demo PKI made on first run.
//! - [`boundary`]: `mmhs boundary`, the boundary MTA agent of domain security (a Postfix
//!   content filter) on the same SMTP session code and audit trail.

pub mod agent;
pub mod audit;
pub mod boundary;
pub mod config;
pub mod dkim;
pub(crate) mod gate;
pub(crate) mod labels;
pub(crate) mod login_guard;
pub(crate) mod msginfo;
pub(crate) mod password;
pub mod pki;
pub(crate) mod pool;
pub(crate) mod private_file;
pub(crate) mod relay;
pub mod smtp;
pub mod store;
pub mod tls;
pub(crate) mod web;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;

pub use crate::domain::uri::{parse_mail_uri, MailUri, Scheme};
pub use agent::Agent;
pub use config::Config;
pub use gate::{Gate, GateContext, GateDecision, ReleaseGate};
pub use store::Store;

/// Server errors. Codes: `server-io`, `server-db`, `server-config`, `server-pki`,
/// `server-internal`, `uri-invalid`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// File or network I/O.
    #[error("I/O error: {0}")]
    Io(String),
    /// SQLite.
    #[error("database error: {0}")]
    Db(String),
    /// Bad configuration.
    #[error("configuration error: {0}")]
    Config(String),
    /// Demo PKI generation.
    #[error("PKI error: {0}")]
    Pki(String),
    /// An internal failure contained to one item of work (a panic or a cancelled task on
    /// the blocking pool); the server goes on.
    #[error("internal error: {0}")]
    Internal(String),
    /// Bad `--relay` URI.
    #[error(transparent)]
    Uri(#[from] crate::domain::uri::UriError),
}

impl Error {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io(_) => "server-io",
            Error::Db(_) => "server-db",
            Error::Config(_) => "server-config",
            Error::Pki(_) => "server-pki",
            Error::Internal(_) => "server-internal",
            Error::Uri(e) => e.code(),
        }
    }
}

/// `mmhs serve` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Data directory (config.json, mail.sqlite, pki/).
    #[arg(long, default_value = "./data")]
    pub data: PathBuf,
    /// Webmail HTTP listen address.
    #[arg(long, default_value = "127.0.0.1:8025")]
    pub http: String,
    /// SMTP submission listen address.
    #[arg(long, default_value = "127.0.0.1:2587")]
    pub smtp: String,
    /// Relay non-local mail to this MTA: `smtp://[user@]host[:port]` (25) or
    /// `submit://[user@]host[:port]` (587), with `/?tls=required` to insist on STARTTLS
    /// (default: opportunistic; `tls=none`: never); the AUTH password comes from
    /// MMHS_RELAY_PASSWORD.
    #[arg(long)]
    pub relay: Option<String>,
    /// Verify the audit trail of the data directory (both hash chains and their links), print
    /// the result and the head hashes, and exit (0 = intact, 1 = broken).
    #[arg(long)]
    pub verify_audit: bool,
}

/// `mmhs serve --verify-audit`.
fn verify_audit(data: &std::path::Path) -> i32 {
    let path = data.join("mail.sqlite");
    if !path.exists() {
        eprintln!("mmhs serve: no store at {}", path.display());
        return 1;
    }
    let store = match Store::open(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mmhs serve: {e} [{}]", e.code());
            return 1;
        }
    };
    let core = audit::core_records(&store).unwrap_or_default();
    match audit::verify(&store) {
        Ok(Ok(n)) => {
            println!(
                "audit trail intact: {n} server records, {} profile records",
                core.len()
            );
            if let Ok(Some(h)) = audit::head(&store) {
                println!("server head hash:  {h}");
            }
            if let Some(last) = core.last() {
                println!("profile head hash: {}", last.hash);
            }
            0
        }
        Ok(Err(e)) => {
            println!("audit trail BROKEN [audit-chain-broken]: {e}");
            1
        }
        Err(e) => {
            eprintln!("mmhs serve: {e} [{}]", e.code());
            1
        }
    }
}

/// What `start` needs.
pub struct ServerOptions {
    /// Data directory.
    pub data: PathBuf,
    /// HTTP address (port 0 = ephemeral).
    pub http: String,
    /// SMTP address (port 0 = ephemeral).
    pub smtp: String,
    /// Relay URI.
    pub relay: Option<MailUri>,
    /// Password for AUTH PLAIN at the relay (with the URI's user name).
    pub relay_password: Option<String>,
    /// Override the configuration (tests); `None` = load or create `<data>/config.json`.
    pub config: Option<Config>,
    /// The release gate; `None` = [`ReleaseGate::load`] from the data directory.
    pub gate: Option<Box<dyn Gate>>,
    /// Create the demo PKI on first run.
    pub demo_pki: bool,
}

/// A running server.
pub struct Running {
    /// Bound HTTP address.
    pub http_addr: SocketAddr,
    /// Bound SMTP address.
    pub smtp_addr: SocketAddr,
    /// The agent (store, config).
    pub agent: Arc<Agent>,
    /// Demo PKI paths (when created or present).
    pub pki: Option<pki::DemoPki>,
    /// Whether config.json was created now.
    pub first_run: bool,
    /// The TLS certificate of the SMTP listener and the webmail (when TLS is on).
    pub tls_identity: Option<tls::ServerIdentity>,
    /// Whether the webmail is served over HTTPS.
    pub https: bool,
    shutdown: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stop accepting and end the background tasks.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            t.abort();
            let _ = t.await;
        }
    }
}

/// Start the SMTP listener, the queue worker and the webmail; return once they listen.
pub async fn start(opts: ServerOptions) -> Result<Running, Error> {
    private_file::create_private_dir(&opts.data)?;
    if !private_file::is_private(&opts.data) {
        eprintln!(
            "mmhs serve: warning: {} is accessible to other users (make it mode 0700)",
            opts.data.display()
        );
    }
    let (config, first_run) = match opts.config {
        Some(c) => (c, false),
        None => Config::load_or_create(&opts.data)?,
    };
    let pki = if opts.demo_pki {
        let subjects: Vec<pki::Subject<'_>> = config
            .users
            .iter()
            .map(|u| pki::Subject {
                address: &u.address,
                name: &u.display_name,
                org: u.address.rsplit_once('@').map(|(_, d)| d).unwrap_or("demo"),
            })
            .collect();
        Some(pki::ensure_demo_pki(&opts.data.join("pki"), &subjects)?.0)
    } else {
        None
    };
    // Compute the dummy hash now, so the first unknown-address login costs the same as any.
    password::verify_unknown_user("");
    let store = Arc::new(Store::open(&opts.data.join("mail.sqlite"))?);
    let gate: Box<dyn Gate> = match opts.gate {
        Some(g) => g,
        None => {
            let labels = config
                .label_policy
                .as_ref()
                .map(|c| labels::load_for_serve(&opts.data, c))
                .transpose()?;
            Box::new(ReleaseGate::load(&opts.data)?.with_labels(labels))
        }
    };
    let tls_identity = if config.tls.starttls || config.tls.https {
        Some(tls::ensure_server_identity(
            &opts.data,
            &config.tls,
            &config.hostname,
        )?)
    } else {
        None
    };
    let acceptor = tls_identity.as_ref().map(tls::acceptor).transpose()?;
    let relay_tls = match &opts.relay {
        Some(r) => Some(tls::RelayTls::new(
            r.tls,
            config.tls.relay_trust_anchors.as_deref(),
        )?),
        None => None,
    };
    let dkim_signing = dkim::DkimSigning::load(&opts.data, &config.dkim)?;
    let dkim_verifier = dkim::DkimVerifier::new(&config.dkim);
    let plaintext_auth = config.tls.plaintext_auth_on_loopback;
    let starttls = config.tls.starttls;
    let https = config.tls.https;
    let mut agent = Agent::new(config, store, gate, opts.relay);
    agent.relay_password = opts.relay_password;
    agent.relay_tls = relay_tls;
    agent.dkim_signing = Arc::new(dkim_signing);
    agent.dkim_verifier = Arc::new(dkim_verifier);
    // Spool files of a previous run belong to transactions that were never answered 250.
    agent.spool_dir = opts.data.join("spool");
    let _ = std::fs::remove_dir_all(&agent.spool_dir);
    std::fs::create_dir_all(&agent.spool_dir)
        .map_err(|e| Error::Io(format!("{}: {e}", agent.spool_dir.display())))?;
    let agent = Arc::new(agent);
    let smtp_listener = TcpListener::bind(&opts.smtp)
        .await
        .map_err(|e| Error::Io(format!("SMTP listen {}: {e}", opts.smtp)))?;
    let http_listener = TcpListener::bind(&opts.http)
        .await
        .map_err(|e| Error::Io(format!("HTTP listen {}: {e}", opts.http)))?;
    let smtp_addr = smtp_listener
        .local_addr()
        .map_err(|e| Error::Io(e.to_string()))?;
    let http_addr = http_listener
        .local_addr()
        .map_err(|e| Error::Io(e.to_string()))?;
    let (shutdown, rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();

    // SMTP accept loop
    let a = agent.clone();
    let mut stop = rx.clone();
    let limits = smtp::limits::SessionLimits::new(
        agent.config.max_sessions,
        agent.config.max_sessions_per_client,
    );
    // AUTH in cleartext only on a loopback listener, and only when the configuration
    // allows it (draft-melnikov-mmhs-profile-09 §3.3.1: RFC 4954 over RFC 3207).
    let security = smtp::session::ListenerSecurity {
        starttls: if starttls { acceptor.clone() } else { None },
        plaintext_auth: plaintext_auth && smtp_addr.ip().is_loopback(),
    };
    tasks.push(tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                r = smtp_listener.accept() => {
                    let Ok((sock, peer)) = r else { continue };
                    match limits.admit(peer.ip()) {
                        Some(slot) => {
                            let a = a.clone();
                            let security = security.clone();
                            tokio::spawn(async move {
                                smtp::session::run_secured(sock, a, security).await;
                                drop(slot);
                            });
                        }
                        None => {
                            // A fresh socket's send buffer is empty: this never waits.
                            let _ = sock.try_write(smtp::limits::TOO_MANY);
                        }
                    }
                }
            }
        }
    }));

    // Queue worker: held (FUTURERELEASE) and relayed mail.
    let a = agent.clone();
    let mut stop = rx.clone();
    tasks.push(tokio::spawn(async move {
        loop {
            if let Err(e) = a.run_queue_once().await {
                eprintln!("mmhs serve: queue: {e}");
            }
            tokio::select! {
                _ = stop.changed() => break,
                _ = a.wake.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
            }
        }
    }));

    // Webmail
    let app = web::router(web::WebState::new(agent.clone(), smtp_addr).with_pki(pki.clone()));
    let mut stop = rx.clone();
    let https_acceptor = if https { acceptor.clone() } else { None };
    tasks.push(tokio::spawn(async move {
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        let shutdown = async move {
            let _ = stop.changed().await;
        };
        match https_acceptor {
            Some(acc) => match tls::serve_https(http_listener, acc) {
                Ok(l) => {
                    // `tap_io` (a no-op) gives the connection info (the peer address) for a
                    // listener of our own.
                    use axum::serve::ListenerExt;
                    let _ = axum::serve(l.tap_io(|_| {}), service)
                        .with_graceful_shutdown(shutdown)
                        .await;
                }
                Err(e) => eprintln!("mmhs serve: HTTPS: {e}"),
            },
            None => {
                let _ = axum::serve(http_listener, service)
                    .with_graceful_shutdown(shutdown)
                    .await;
            }
        }
    }));

    Ok(Running {
        http_addr,
        smtp_addr,
        agent,
        pki,
        first_run,
        tls_identity,
        https,
        shutdown,
        tasks,
    })
}

/// The multi-threaded runtime of a long-running command (`serve`, `boundary`); `None` once
/// the reason it could not be built is reported.
/// RFC 3339 text of `t` to the second (audit records, stored envelopes, queue items).
pub(crate) fn rfc3339(t: time::OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The time of a unix timestamp; the epoch for one out of range.
pub(crate) fn from_unix(t: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(t).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

pub(crate) fn runtime(command: &str) -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("mmhs {command}: cannot start runtime: {e}");
            None
        }
    }
}

/// Run `mmhs serve` until Ctrl-C; returns the process exit code.
pub fn run(args: ServeArgs) -> i32 {
    if args.verify_audit {
        return verify_audit(&args.data);
    }
    let relay = match args.relay.as_deref().map(parse_mail_uri).transpose() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mmhs serve: {e} [{}]", e.code());
            return 2;
        }
    };
    let Some(rt) = runtime("serve") else {
        return 1;
    };
    rt.block_on(async move {
        let running = match start(ServerOptions {
            data: args.data.clone(),
            http: args.http,
            smtp: args.smtp,
            relay,
            relay_password: std::env::var("MMHS_RELAY_PASSWORD").ok(),
            config: None,
            gate: None,
            demo_pki: true,
        })
        .await
        {
            Ok(r) => r,
            Err(e) => {
                eprintln!("mmhs serve: {e} [{}]", e.code());
                return 1;
            }
        };
        let scheme = if running.https { "https" } else { "http" };
        println!("mmhs serve: webmail   {scheme}://{}/", running.http_addr);
        println!(
            "mmhs serve: SMTP      {} (submission, STARTTLS, AUTH PLAIN)",
            running.smtp_addr
        );
        if let Some(t) = &running.tls_identity {
            println!("mmhs serve: TLS certificate {}", t.cert.display());
        }
        match &running.agent.relay {
            Some(r) => println!("mmhs serve: relay     {r}"),
            None => println!(
                "mmhs serve: delivery  local mailboxes in {}",
                args.data.join("mail.sqlite").display()
            ),
        }
        if running.first_run {
            println!(
                "mmhs serve: created {} with the demo users:",
                args.data.join("config.json").display()
            );
            for (a, _, pw, officer) in config::DEMO_USERS {
                println!(
                    "    {a:<24} password {pw:<14}{}",
                    if *officer { " (release officer)" } else { "" }
                );
            }
        }
        if let Some(p) = &running.pki {
            println!("mmhs serve: demo PKI  trust anchor {}", p.ca_cert.display());
            println!(
                "mmhs serve: demo keys PKCS#12 password \"{}\" (also under \"My keys\" in the webmail)",
                pki::DEMO_P12_PASSWORD
            );
            for u in &p.users {
                println!("    {:<24} {}", u.address, u.p12.display());
            }
        }
        println!(
            "mmhs serve: release policy {}",
            args.data.join("release-policy.json").display()
        );
        let _ = tokio::signal::ctrl_c().await;
        println!("mmhs serve: shutting down");
        running.shutdown().await;
        0
    })
}

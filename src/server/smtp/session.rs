//! The SMTP session state machine (RFC 5321 §4.1, §4.3.2 command sequencing). Commands are
//! parsed by `smtp-proto`; the states, checks and replies are ours.
//!
//! Extensions advertised and honoured: PIPELINING (RFC 2920: replies are buffered and
//! flushed whenever the client's input is exhausted), ENHANCEDSTATUSCODES (RFC 2034),
//! 8BITMIME (RFC 6152), SIZE (RFC 1870), CHUNKING (RFC 3030 BDAT), DSN (RFC 3461),
//! MT-PRIORITY STANAG4406 (RFC 6710), DELIVERBY (RFC 2852), FUTURERELEASE (RFC 4865),
//! AUTH PLAIN (RFC 4954, RFC 4616), STARTTLS (RFC 3207) when the listener has a certificate
//! ([`ListenerSecurity`]).
//!
//! STARTTLS (RFC 3207 §4.2): after the `220` the session forgets everything it learnt in
//! cleartext — EHLO name, authentication, transaction, parser state — and any command the
//! client pipelined after STARTTLS in cleartext is discarded unread, so that a man in the
//! middle cannot inject commands that would run inside the TLS session (the CVE-2011-0411
//! class). AUTH is offered and accepted only over TLS, except on a loopback listener whose
//! configuration allows it (profile §3.3.1: strong authentication over RFC 3207).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use smtp_proto::request::receiver::{BdatReceiver, DataReceiver, RequestReceiver};
use smtp_proto::{
    Request, AUTH_PLAIN, MAIL_BODY_8BITMIME, MAIL_BY_RETURN, MAIL_BY_TRACE, MAIL_RET_FULL,
    MAIL_RET_HDRS, RCPT_NOTIFY_DELAY, RCPT_NOTIFY_FAILURE, RCPT_NOTIFY_NEVER, RCPT_NOTIFY_SUCCESS,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{timeout_at, Instant};
use tokio_rustls::TlsAcceptor;

use super::host::{Refusal, SessionHost};
use super::params::scan;
use super::spool::{Spool, Spooled};
use super::{DeliverBy, Notify, Recipient, Transaction};

/// Maximum recipients per transaction.
pub const MAX_RCPTS: usize = 100;
/// The two clocks of a session (config.json's `idleTimeoutSeconds`, default 300 s as RFC 5321
/// §4.5.3.2 suggests, and `sessionTimeoutSeconds`): every read and write ends by the idle
/// deadline, and the whole session by its own deadline, so a client sending one byte every
/// few seconds is still bounded.
struct Clocks {
    idle: Duration,
    end: Instant,
}

impl Clocks {
    fn new(idle_seconds: u64, session_seconds: u64) -> Clocks {
        let now = Instant::now();
        let session = Duration::from_secs(session_seconds.max(1));
        Clocks {
            idle: Duration::from_secs(idle_seconds.max(1)),
            end: now
                .checked_add(session)
                .unwrap_or_else(|| now + Duration::from_secs(86_400)),
        }
    }

    fn next(&self) -> Instant {
        Instant::now()
            .checked_add(self.idle)
            .map_or(self.end, |t| t.min(self.end))
    }

    fn expired(&self) -> bool {
        Instant::now() >= self.end
    }
}

/// What a listener offers for transport security.
#[derive(Clone, Default)]
pub struct ListenerSecurity {
    /// Offer STARTTLS with this server configuration (`None`: no STARTTLS).
    pub starttls: Option<TlsAcceptor>,
    /// AUTH may be offered and used before TLS (a loopback listener whose configuration
    /// allows it, `tls.plaintextAuthOnLoopback`).
    pub plaintext_auth: bool,
}

/// How a pass over one stream ended.
enum Next {
    Close,
    StartTls,
}

enum State {
    Command,
    Data(DataReceiver),
    Bdat(BdatReceiver),
    AuthPlain,
}

struct Session<H: SessionHost> {
    agent: Arc<H>,
    settings: super::host::SessionSettings,
    ext: super::host::Extensions,
    helo: Option<String>,
    user: Option<String>,
    tx: Option<Transaction>,
    /// The message being received (DATA / BDAT), spilled to `<data>/spool/` beyond
    /// [`super::spool::MEMORY`] octets.
    data: Spool,
    /// Spilling to the spool file failed: the message is answered 452 at its end.
    spool_failed: bool,
    /// An AUTH PLAIN response line being received.
    auth_line: Vec<u8>,
    oversized: bool,
    out: Vec<u8>,
    quit: bool,
    security: ListenerSecurity,
    /// The session runs over TLS.
    tls: bool,
    /// STARTTLS was answered 220: the handshake comes next.
    start_tls: bool,
}

/// A reply; a text of several lines (`\n`) becomes a multiline reply (RFC 5321 §4.2.1:
/// `code-` on every line but the last), each line with the enhanced status code (RFC 2034 §4).
fn reply(out: &mut Vec<u8>, code: u16, esc: [u8; 3], text: &str) {
    let lines: Vec<&str> = text.split('\n').take(100).collect();
    for (i, line) in lines.iter().enumerate() {
        // RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets with its CRLF.
        let line: String = line.chars().filter(|c| !c.is_control()).take(480).collect();
        let sep = if i + 1 == lines.len() { ' ' } else { '-' };
        out.extend_from_slice(
            format!("{code}{sep}{}.{}.{} {line}\r\n", esc[0], esc[1], esc[2]).as_bytes(),
        );
    }
}

/// Run one SMTP session over `stream` for `agent`, without STARTTLS and with AUTH (when the
/// agent offers it) in cleartext: for listeners on loopback only.
pub async fn run<S, H>(stream: S, agent: Arc<H>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
    H: SessionHost,
{
    let security = ListenerSecurity {
        starttls: None,
        plaintext_auth: true,
    };
    run_secured(stream, agent, security).await
}

/// Run one SMTP session over `stream` for `agent` with the listener's `security`.
pub async fn run_secured<S, H>(mut stream: S, agent: Arc<H>, security: ListenerSecurity)
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
    H: SessionHost,
{
    let mut s = Session {
        settings: agent.settings(),
        ext: agent.extensions(),
        helo: None,
        user: None,
        tx: None,
        data: Spool::new(agent.spool_dir()),
        spool_failed: false,
        auth_line: Vec::new(),
        oversized: false,
        out: Vec::new(),
        quit: false,
        agent,
        security,
        tls: false,
        start_tls: false,
    };
    let host = s.settings.hostname.clone();
    let clocks = Clocks::new(
        s.settings.idle_timeout_seconds,
        s.settings.session_timeout_seconds,
    );
    let greeting = format!("220 {host} ESMTP {} ready\r\n", s.settings.role);
    if !matches!(
        timeout_at(clocks.next(), stream.write_all(greeting.as_bytes())).await,
        Ok(Ok(()))
    ) {
        return;
    }
    if let Next::Close = s.serve(&mut stream, &clocks).await {
        return;
    }
    let Some(acceptor) = s.security.starttls.take() else {
        return;
    };
    let handshake = timeout_at(
        clocks
            .next()
            .min(Instant::now() + crate::server::tls::HANDSHAKE_TIMEOUT),
        acceptor.accept(stream),
    )
    .await;
    let Ok(Ok(mut tls)) = handshake else {
        return;
    };
    s.reset_after_tls();
    let _ = s.serve(&mut tls, &clocks).await;
}

impl<H: SessionHost> Session<H> {
    /// Read and answer commands over `stream` until the session ends or STARTTLS was
    /// answered 220 (then the rest of the input read so far, pipelined in cleartext after
    /// STARTTLS, is dropped with this pass's buffers and parser).
    async fn serve<S>(&mut self, stream: &mut S, clocks: &Clocks) -> Next
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let s = self;
        let mut receiver = RequestReceiver::default();
        let mut state = State::Command;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match timeout_at(clocks.next(), stream.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return Next::Close,
                Ok(Ok(n)) => n,
                Err(_) => {
                    // RFC 5321 §4.5.3.2: the server may close with 421 after a timeout.
                    let bye: &[u8] = if clocks.expired() {
                        b"421 4.4.2 Session time limit reached, closing connection\r\n"
                    } else {
                        b"421 4.4.2 Idle timeout, closing connection\r\n"
                    };
                    let _ =
                        tokio::time::timeout(Duration::from_secs(1), stream.write_all(bye)).await;
                    return Next::Close;
                }
            };
            let input = buf.get(..n).unwrap_or(&[]);
            let mut iter = input.iter();
            while iter.len() > 0 && !s.quit && !s.start_tls {
                match &mut state {
                    State::Command => match read_command(&mut receiver, &mut iter) {
                        Ok((req, line)) => {
                            state = s.command(req, &line).await;
                        }
                        Err(smtp_proto::Error::NeedsMoreData { .. }) => break,
                        Err(e) => s.parse_error(e),
                    },
                    State::AuthPlain => {
                        let rest = iter.as_slice();
                        let Some(pos) = rest.iter().position(|&b| b == b'\n') else {
                            // Wait for the rest of the line (bounded by the read size).
                            s.auth_line.extend_from_slice(rest);
                            iter = [].iter();
                            if s.auth_line.len() > 8192 {
                                s.auth_line.clear();
                                reply(&mut s.out, 500, [5, 5, 6], "Authentication line too long");
                                state = State::Command;
                            }
                            break;
                        };
                        let (line, tail) = rest.split_at(pos + 1);
                        iter = tail.iter();
                        let mut full = std::mem::take(&mut s.auth_line);
                        full.extend_from_slice(line);
                        let text = String::from_utf8_lossy(&full).trim().to_string();
                        if text == "*" {
                            reply(&mut s.out, 501, [5, 0, 0], "Authentication cancelled");
                        } else {
                            s.auth_plain(&text).await;
                        }
                        state = State::Command;
                    }
                    State::Data(rx) => {
                        let done = rx.ingest(&mut iter, s.data.buf());
                        s.check_size().await;
                        if done {
                            s.finish_message().await;
                            state = State::Command;
                        }
                    }
                    State::Bdat(rx) => {
                        let done = rx.ingest(&mut iter, s.data.buf());
                        s.check_size().await;
                        if done {
                            if s.tx.is_none() {
                                s.data.clear();
                                s.oversized = false;
                                s.spool_failed = false;
                            } else if rx.is_last {
                                s.finish_message().await;
                            } else {
                                let len = s.data.len();
                                reply(
                                    &mut s.out,
                                    250,
                                    [2, 0, 0],
                                    &format!("{len} octets received"),
                                );
                            }
                            state = State::Command;
                        }
                    }
                }
            }
            // RFC 2920: flush replies when no more input is buffered.
            if !s.out.is_empty() {
                let out = std::mem::take(&mut s.out);
                let written = timeout_at(clocks.next(), async {
                    stream.write_all(&out).await?;
                    stream.flush().await
                })
                .await;
                if !matches!(written, Ok(Ok(()))) {
                    return Next::Close;
                }
            }
            if s.quit {
                return Next::Close;
            }
            if s.start_tls {
                // What followed STARTTLS in `input` is dropped here, unread.
                return Next::StartTls;
            }
        }
    }

    /// RFC 3207 §4.2: "the server MUST discard any knowledge obtained from the client, such
    /// as the argument to the EHLO command, which was not obtained from the TLS negotiation
    /// itself", and the client must start again with EHLO.
    fn reset_after_tls(&mut self) {
        self.helo = None;
        self.user = None;
        self.tx = None;
        self.data.clear();
        self.spool_failed = false;
        self.auth_line.clear();
        self.oversized = false;
        self.out.clear();
        self.start_tls = false;
        self.tls = true;
    }

    /// AUTH is usable: offered by the agent, and over TLS or on a loopback listener that
    /// allows it in cleartext.
    fn auth_allowed(&self) -> bool {
        self.ext.auth && (self.tls || self.security.plaintext_auth)
    }
}

/// One command from the client's input: the request as `smtp-proto` parses it, and its line
/// as received (RFC 5321 §4.1.1), which [`scan`] checks for what the parser lets through.
fn read_command(
    receiver: &mut RequestReceiver,
    iter: &mut std::slice::Iter<'_, u8>,
) -> Result<(Request<String>, Vec<u8>), smtp_proto::Error> {
    let before = iter.as_slice();
    let req = receiver.ingest(iter)?.into_owned();
    let consumed = before.len() - iter.len();
    let line = before.get(..consumed).unwrap_or(&[]).to_vec();
    Ok((req, line))
}

/// Fuzzing hook (`fuzz/fuzz_targets/smtp_command.rs`): read `input` as a sequence of commands
/// the way a session in its command state does ([`read_command`], then [`scan`] on each MAIL
/// and RCPT line), without an agent behind it. Returns the number of commands read.
#[doc(hidden)]
pub fn fuzz_commands(input: &[u8]) -> usize {
    let mut receiver = RequestReceiver::default();
    let mut iter = input.iter();
    let mut commands = 0;
    while iter.len() > 0 {
        match read_command(&mut receiver, &mut iter) {
            Ok((Request::Mail { .. }, line)) => {
                let _ = scan(&line, true);
            }
            Ok((Request::Rcpt { .. }, line)) => {
                let _ = scan(&line, false);
            }
            Ok(_) => {}
            Err(smtp_proto::Error::NeedsMoreData { .. }) => break,
            Err(_) => {}
        }
        commands += 1;
    }
    commands
}

impl<H: SessionHost> Session<H> {
    fn parse_error(&mut self, e: smtp_proto::Error) {
        use smtp_proto::Error as E;
        let (code, esc, text): (u16, [u8; 3], String) = match e {
            E::UnknownCommand => (500, [5, 5, 1], "Command not recognized".into()),
            E::InvalidSenderAddress => (501, [5, 1, 7], "Bad sender address syntax".into()),
            E::InvalidRecipientAddress => (501, [5, 1, 3], "Bad recipient address syntax".into()),
            E::SyntaxError { syntax } => (501, [5, 5, 2], format!("Syntax: {syntax}")),
            E::InvalidParameter { param } => {
                let esc = if param == "MT-PRIORITY" {
                    [5, 5, 2]
                } else {
                    [5, 5, 4]
                };
                (501, esc, format!("Invalid {param} parameter"))
            }
            E::UnsupportedParameter { param } => {
                (555, [5, 5, 4], format!("Unsupported parameter {param}"))
            }
            E::ResponseTooLong => (500, [5, 5, 6], "Line too long".into()),
            E::NeedsMoreData { .. } | E::InvalidResponse { .. } => {
                (500, [5, 5, 2], "Syntax error".into())
            }
        };
        reply(&mut self.out, code, esc, &text);
    }

    async fn check_size(&mut self) {
        if self.data.len() > self.settings.max_message_size {
            self.oversized = true;
            self.data.clear();
        } else if !self.spool_failed && self.data.spill().await.is_err() {
            self.spool_failed = true;
            self.data.clear();
        }
    }

    fn ehlo_lines(&self, host: &str) -> String {
        let cfg = &self.settings;
        let now = time::OffsetDateTime::now_utc();
        let max_until = i64::try_from(cfg.max_hold_seconds)
            .ok()
            .and_then(|s| now.checked_add(time::Duration::seconds(s)))
            .unwrap_or(now);
        let until = max_until
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let until = until
            .split('.')
            .next()
            .unwrap_or("")
            .trim_end_matches('Z')
            .to_string()
            + "Z";
        let mut lines = vec![
            format!("{} greets {host}", cfg.hostname),
            "PIPELINING".into(),
            "ENHANCEDSTATUSCODES".into(),
            "8BITMIME".into(),
            "CHUNKING".into(),
            format!("SIZE {}", cfg.max_message_size),
            "DSN".into(),
            format!(
                "MT-PRIORITY {}",
                crate::fields::mt_priority::STANAG4406_POLICY
            ),
        ];
        if self.ext.deliver_by {
            lines.push("DELIVERBY".into());
        }
        if self.ext.future_release {
            lines.push(format!("FUTURERELEASE {} {until}", cfg.max_hold_seconds));
        }
        if self.security.starttls.is_some() && !self.tls {
            lines.push("STARTTLS".into());
        }
        if self.auth_allowed() {
            lines.push("AUTH PLAIN".into());
        }
        let mut s = String::new();
        for (i, l) in lines.iter().enumerate() {
            let sep = if i + 1 == lines.len() { ' ' } else { '-' };
            s.push_str(&format!("250{sep}{l}\r\n"));
        }
        s
    }

    async fn command(&mut self, req: Request<String>, line: &[u8]) -> State {
        match req {
            Request::Ehlo { host } => {
                self.helo = Some(host.clone());
                self.tx = None;
                let lines = self.ehlo_lines(&host);
                self.out.extend_from_slice(lines.as_bytes());
            }
            Request::Helo { host } => {
                self.helo = Some(host.clone());
                self.tx = None;
                let h = self.settings.hostname.clone();
                self.out
                    .extend_from_slice(format!("250 {h}\r\n").as_bytes());
            }
            Request::Lhlo { .. } => reply(&mut self.out, 500, [5, 5, 1], "LHLO is for LMTP"),
            Request::Auth {
                mechanism,
                initial_response,
            } => {
                if !self.ext.auth {
                    reply(&mut self.out, 502, [5, 5, 1], "AUTH not available here");
                } else if !self.auth_allowed() {
                    // RFC 4954 §6: 538 5.7.11, encryption required for the mechanism.
                    reply(
                        &mut self.out,
                        538,
                        [5, 7, 11],
                        "Encryption required: issue STARTTLS first",
                    );
                } else if self.user.is_some() {
                    reply(&mut self.out, 503, [5, 5, 1], "Already authenticated");
                } else if self.tx.is_some() {
                    reply(
                        &mut self.out,
                        503,
                        [5, 5, 1],
                        "AUTH not allowed during a mail transaction",
                    );
                } else if self.helo.is_none() {
                    reply(&mut self.out, 503, [5, 5, 1], "Send EHLO first");
                } else if mechanism != AUTH_PLAIN {
                    reply(
                        &mut self.out,
                        504,
                        [5, 5, 4],
                        "Only AUTH PLAIN is supported",
                    );
                } else if initial_response.is_empty() {
                    self.out.extend_from_slice(b"334 \r\n");
                    return State::AuthPlain;
                } else if initial_response == "=" {
                    self.auth_plain("").await;
                } else {
                    self.auth_plain(&initial_response).await;
                }
            }
            Request::Mail { from } => self.mail(from, line),
            Request::Rcpt { to } => self.rcpt(to, line),
            Request::Data => match &self.tx {
                None => reply(&mut self.out, 503, [5, 5, 1], "Need MAIL command"),
                Some(tx) if tx.rcpts.is_empty() => {
                    reply(&mut self.out, 554, [5, 5, 1], "No valid recipients")
                }
                Some(_) => {
                    self.data.clear();
                    self.oversized = false;
                    self.spool_failed = false;
                    self.out
                        .extend_from_slice(b"354 Start mail input; end with <CRLF>.<CRLF>\r\n");
                    return State::Data(DataReceiver::new());
                }
            },
            Request::Bdat {
                chunk_size,
                is_last,
            } => {
                let ok = matches!(&self.tx, Some(tx) if !tx.rcpts.is_empty());
                if !ok {
                    // RFC 3030 §2: the chunk must still be read; we read and discard it.
                    reply(
                        &mut self.out,
                        503,
                        [5, 5, 1],
                        "Need MAIL and RCPT before BDAT",
                    );
                    self.data.clear();
                    self.oversized = true;
                }
                return State::Bdat(BdatReceiver::new(chunk_size, is_last));
            }
            Request::Rset => {
                self.tx = None;
                self.data.clear();
                reply(&mut self.out, 250, [2, 0, 0], "Reset");
            }
            Request::Noop { .. } => reply(&mut self.out, 250, [2, 0, 0], "OK"),
            Request::Quit => {
                reply(&mut self.out, 221, [2, 0, 0], "Bye");
                self.quit = true;
            }
            Request::Vrfy { .. } => reply(
                &mut self.out,
                252,
                [2, 1, 5],
                "Cannot VRFY user, but will accept message",
            ),
            Request::Help { .. } => reply(
                &mut self.out,
                214,
                [2, 0, 0],
                "See docs/server.md of the mmhs project",
            ),
            Request::StartTls => {
                if self.tls {
                    reply(&mut self.out, 503, [5, 5, 1], "TLS already active");
                } else if self.security.starttls.is_none() {
                    reply(
                        &mut self.out,
                        502,
                        [5, 5, 1],
                        "STARTTLS not available on this listener",
                    );
                } else {
                    reply(&mut self.out, 220, [2, 0, 0], "Ready to start TLS");
                    self.start_tls = true;
                }
            }
            Request::Expn { .. }
            | Request::Etrn { .. }
            | Request::Atrn { .. }
            | Request::Burl { .. } => {
                reply(&mut self.out, 502, [5, 5, 1], "Command not implemented")
            }
        }
        State::Command
    }

    async fn auth_plain(&mut self, b64: &str) {
        let decoded = match base64::engine::general_purpose::STANDARD.decode(b64.trim()) {
            Ok(d) => d,
            Err(_) => {
                reply(
                    &mut self.out,
                    501,
                    [5, 5, 2],
                    "Invalid base64 in AUTH PLAIN",
                );
                return;
            }
        };
        // message = [authzid] NUL authcid NUL passwd  (RFC 4616 §2)
        let parts: Vec<&[u8]> = decoded.split(|&b| b == 0).collect();
        let (Some(authz), Some(authc), Some(pass), None) =
            (parts.first(), parts.get(1), parts.get(2), parts.get(3))
        else {
            reply(
                &mut self.out,
                501,
                [5, 5, 2],
                "Malformed AUTH PLAIN message",
            );
            return;
        };
        let authc = String::from_utf8_lossy(authc).to_string();
        let authz = String::from_utf8_lossy(authz).to_string();
        let pass = String::from_utf8_lossy(pass).to_string();
        if !authz.is_empty() && !authz.eq_ignore_ascii_case(&authc) {
            reply(
                &mut self.out,
                535,
                [5, 7, 8],
                "Authorization identity not allowed",
            );
            return;
        }
        // One password check for web and SMTP, under the account lockout
        // (crate::server::login_guard); a locked account gets RFC 4954 §6's 454 4.7.0. The
        // Argon2id hash runs on the interactive share of the blocking pool, never on the
        // async runtime; a failure of the pool is a temporary failure, never a success.
        let checked = self.agent.authenticate(authc, pass).await;
        match checked {
            Ok(Ok(address)) => {
                self.user = Some(address);
                reply(&mut self.out, 235, [2, 7, 0], "Authentication successful");
            }
            Ok(Err(crate::server::config::AuthError::Locked(_))) => reply(
                &mut self.out,
                454,
                [4, 7, 0],
                "Temporary authentication failure: too many failed attempts, try later",
            ),
            Ok(Err(crate::server::config::AuthError::Invalid)) => reply(
                &mut self.out,
                535,
                [5, 7, 8],
                "Authentication credentials invalid",
            ),
            Err(e) => {
                eprintln!("mmhs serve: SMTP AUTH: {e}");
                reply(
                    &mut self.out,
                    454,
                    [4, 7, 0],
                    "Temporary authentication failure",
                )
            }
        }
    }

    fn mail(&mut self, from: smtp_proto::MailFrom<String>, line: &[u8]) {
        let cfg = &self.settings;
        if self.helo.is_none() {
            return reply(&mut self.out, 503, [5, 5, 1], "Send EHLO/HELO first");
        }
        if self.tx.is_some() {
            return reply(&mut self.out, 503, [5, 5, 1], "Nested MAIL command");
        }
        let raw = match scan(line, true) {
            Ok(r) => r,
            Err(e) => return reply(&mut self.out, e.code, e.esc, &e.text),
        };
        if from.size > cfg.max_message_size {
            return reply(
                &mut self.out,
                552,
                [5, 3, 4],
                &format!(
                    "Message size exceeds fixed limit of {} octets",
                    cfg.max_message_size
                ),
            );
        }
        if let Some(p) = raw.mt_priority {
            if p > 0 && self.user.is_none() {
                // RFC 6710 §4: raised priority only from authenticated, authorised submitters.
                return reply(
                    &mut self.out,
                    550,
                    [5, 7, 1],
                    "Not authorised to request a raised MT-PRIORITY; authenticate first",
                );
            }
        }
        let unsupported = [
            ("BY", self.ext.deliver_by),
            ("HOLDFOR", self.ext.future_release),
            ("HOLDUNTIL", self.ext.future_release),
        ]
        .into_iter()
        .find(|(k, offered)| !offered && raw.keywords.iter().any(|x| x == k));
        if let Some((k, _)) = unsupported {
            // RFC 5321 §4.1.1.11: a parameter of an extension not offered.
            return reply(
                &mut self.out,
                555,
                [5, 5, 4],
                &format!("Unsupported parameter {k}"),
            );
        }
        if !self.agent.may_send_as(self.user.as_deref(), &from.address) {
            return reply(
                &mut self.out,
                550,
                [5, 7, 1],
                "Sender address not owned by the authenticated user",
            );
        }
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let by = if raw.keywords.iter().any(|k| k == "BY") {
            let return_mode = from.flags & MAIL_BY_RETURN != 0;
            if return_mode && from.by <= 0 {
                // RFC 2852 §4: R with by-time <= 0 is an error.
                return reply(
                    &mut self.out,
                    501,
                    [5, 5, 4],
                    "BY time must be positive in R mode",
                );
            }
            Some(DeliverBy {
                by_time: from.by,
                deadline: now.saturating_add(from.by),
                return_mode,
                trace: from.flags & MAIL_BY_TRACE != 0,
            })
        } else {
            None
        };
        let mut hold_until = None;
        let mut hold_for = None;
        if raw.keywords.iter().any(|k| k == "HOLDFOR") {
            if from.hold_for > cfg.max_hold_seconds {
                return reply(
                    &mut self.out,
                    501,
                    [5, 5, 4],
                    &format!(
                        "HOLDFOR exceeds the maximum of {} seconds",
                        cfg.max_hold_seconds
                    ),
                );
            }
            hold_for = Some(from.hold_for);
            // At most 9 digits (params::scan, RFC 4865 §4), so the cast is exact.
            hold_until = Some(now.saturating_add(i64::try_from(from.hold_for).unwrap_or(i64::MAX)));
        }
        if raw.keywords.iter().any(|k| k == "HOLDUNTIL") {
            let max = i64::try_from(cfg.max_hold_seconds).unwrap_or(i64::MAX);
            let t = match i64::try_from(from.hold_until) {
                Ok(t) => t,
                Err(_) => {
                    return reply(&mut self.out, 501, [5, 5, 4], "HOLDUNTIL out of range");
                }
            };
            if t > now.saturating_add(max) {
                return reply(
                    &mut self.out,
                    501,
                    [5, 5, 4],
                    "HOLDUNTIL is later than the advertised maximum",
                );
            }
            hold_until = Some(t);
        }
        if let (Some(by), Some(h)) = (&by, hold_until) {
            if by.return_mode && h > by.deadline {
                return reply(
                    &mut self.out,
                    554,
                    [5, 5, 4],
                    "Cannot deliver by the BY time when held until later",
                );
            }
        }
        let ret_full = if from.flags & MAIL_RET_FULL != 0 {
            Some(true)
        } else if from.flags & MAIL_RET_HDRS != 0 {
            Some(false)
        } else {
            None
        };
        self.tx = Some(Transaction {
            id: self.agent.new_id(),
            helo: self.helo.clone().unwrap_or_default(),
            submitter: self.user.clone(),
            tls: self.tls,
            mail_from: from.address,
            envid: from.env_id,
            ret_full,
            priority: raw.mt_priority,
            body_8bit: from.flags & MAIL_BODY_8BITMIME != 0,
            by,
            hold_until,
            hold_for,
            rcpts: Vec::new(),
            arrival: now,
        });
        reply(&mut self.out, 250, [2, 1, 0], "Sender OK");
    }

    fn rcpt(&mut self, to: smtp_proto::RcptTo<String>, line: &[u8]) {
        if let Err(e) = scan(line, false) {
            return reply(&mut self.out, e.code, e.esc, &e.text);
        }
        let Some(tx) = &self.tx else {
            return reply(&mut self.out, 503, [5, 5, 1], "Need MAIL command");
        };
        if tx.rcpts.len() >= MAX_RCPTS {
            return reply(&mut self.out, 452, [4, 5, 3], "Too many recipients");
        }
        let addr = to.address.clone();
        if let Err(Refusal { code, esc, text }) =
            self.agent.check_rcpt(tx, self.user.as_deref(), &addr)
        {
            return reply(&mut self.out, code, esc, &text);
        }
        let f = to.flags;
        let explicit = f
            & (RCPT_NOTIFY_NEVER | RCPT_NOTIFY_SUCCESS | RCPT_NOTIFY_FAILURE | RCPT_NOTIFY_DELAY)
            != 0;
        let notify = Notify {
            never: f & RCPT_NOTIFY_NEVER != 0,
            success: f & RCPT_NOTIFY_SUCCESS != 0,
            failure: f & RCPT_NOTIFY_FAILURE != 0,
            delay: f & RCPT_NOTIFY_DELAY != 0,
            explicit,
        };
        if let Some(tx) = &mut self.tx {
            tx.rcpts.push(Recipient {
                address: addr,
                notify,
                orcpt: to.orcpt,
            });
        }
        reply(&mut self.out, 250, [2, 1, 5], "Recipient OK");
    }

    async fn finish_message(&mut self) {
        let data = if self.oversized || self.spool_failed {
            self.data.clear();
            Ok(Spooled::from_memory(Vec::new()))
        } else {
            self.data.take().await
        };
        let Some(tx) = self.tx.take() else {
            // BDAT without a transaction: already answered 503.
            return;
        };
        let spool_failed = std::mem::take(&mut self.spool_failed);
        let data = match data {
            Ok(d) if !spool_failed => d,
            _ => {
                // RFC 3463 X.3.1: mail system full (the spool file could not be written).
                return reply(
                    &mut self.out,
                    452,
                    [4, 3, 1],
                    "Insufficient system storage, try again later",
                );
            }
        };
        if self.oversized {
            self.oversized = false;
            return reply(
                &mut self.out,
                552,
                [5, 3, 4],
                "Message size exceeds fixed maximum message size",
            );
        }
        let r = self.agent.accept(tx, data).await;
        reply(&mut self.out, r.code, r.esc, &r.text);
    }
}

//! A small SMTP client (RFC 5321, with PIPELINING RFC 2920, AUTH PLAIN RFC 4954/4616, DSN
//! RFC 3461, MT-PRIORITY RFC 6710, DELIVERBY RFC 2852, FUTURERELEASE RFC 4865), used by the
//! webmail to submit and by the relay to hand mail to the next hop. Replies are framed here
//! and parsed by `smtp-proto` (`ResponseReceiver`, `EhloResponse`).
//!
//! STARTTLS (RFC 3207) per [`RelayTls`]: used when the server offers it, required when the
//! relay URI says `tls=required` (a server that does not offer it, or a failed handshake or
//! certificate check, is then [`ClientError::TlsRequired`], a temporary failure: the message
//! stays queued). After the handshake the client forgets what it knew and sends EHLO again
//! (RFC 3207 §4.2); a server that sends anything after its `220` before the handshake is
//! refused (its bytes would otherwise be read as if they came over TLS).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use smtp_proto::response::parser::ResponseReceiver;
use smtp_proto::{
    EhloResponse, EXT_DELIVER_BY, EXT_DSN, EXT_FUTURE_RELEASE, EXT_MT_PRIORITY, EXT_PIPELINING,
    EXT_START_TLS,
};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::{DeliverBy, Recipient, Transaction};
use crate::compose::envelope::{Envelope, MailParams, Rcpt};
use crate::mime::header::{HeaderSection, Limits};
use crate::server::pool::BlockingPool;
use crate::server::tls::{server_name, RelayTls};

/// A server reply.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reply {
    /// Reply code.
    pub code: u16,
    /// Enhanced status code, `x.y.z` (empty when the server sent none).
    pub enhanced: String,
    /// Text.
    pub message: String,
}

impl Reply {
    /// 2xx.
    pub fn is_ok(&self) -> bool {
        (200..300).contains(&self.code)
    }
    /// 4xx.
    pub fn is_transient(&self) -> bool {
        (400..500).contains(&self.code)
    }
}

impl std::fmt::Display for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.code, self.enhanced, self.message)
    }
}

/// Client failures. Codes: `smtp-unavailable` (connect / I/O / timeout / protocol),
/// `smtp-tls-required` (TLS was required and could not be had) and `smtp-rejected` (the
/// server said no).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    /// Could not talk to the server.
    #[error("SMTP server unavailable: {0}")]
    Unavailable(String),
    /// TLS was required (`tls=required`) and the server did not offer STARTTLS, refused it,
    /// or failed the handshake or the certificate check. Temporary: retried later.
    #[error("TLS required but not established: {0}")]
    TlsRequired(String),
    /// The server rejected the transaction at some stage.
    #[error("SMTP {stage} rejected: {reply}")]
    Rejected {
        /// Which command.
        stage: &'static str,
        /// The reply.
        reply: Reply,
    },
}

impl ClientError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ClientError::Unavailable(_) => "smtp-unavailable",
            ClientError::TlsRequired(_) => "smtp-tls-required",
            ClientError::Rejected { .. } => "smtp-rejected",
        }
    }
}

/// The envelope to send with: compose's [`Envelope`] (the one writer of the `MAIL FROM` and
/// `RCPT TO` lines; [`offered`] keeps the parameters a server advertises) and how a partial
/// acceptance is handled.
#[derive(Debug, Clone)]
pub struct OutEnvelope {
    /// Reverse-path, parameters and recipients. `mail_params.size` is ignored: `SIZE` is
    /// the size of the message as sent, when the server advertises SIZE.
    pub envelope: Envelope,
    /// Send the message only when the server accepts every recipient; otherwise end the
    /// transaction without data (closing the connection when DATA was already accepted, so
    /// the server discards it, RFC 5321 §4.1.1.4) and report the refusal — a transient one
    /// first. A filter that must answer one reply for all its recipients (the boundary
    /// agent) then never has part of a message delivered and part refused.
    pub all_or_nothing: bool,
}

impl OutEnvelope {
    /// From `mail_from` to `rcpts`, without parameters.
    pub fn new<S: Into<String>>(mail_from: &str, rcpts: impl IntoIterator<Item = S>) -> Self {
        OutEnvelope {
            envelope: Envelope {
                mail_from: mail_from.to_string(),
                mail_params: MailParams::default(),
                rcpts: rcpts
                    .into_iter()
                    .map(|a| Rcpt {
                        address: a.into(),
                        notify: None,
                        orcpt: None,
                    })
                    .collect(),
            },
            all_or_nothing: false,
        }
    }

    /// A compose [`Envelope`] (already rebased and checked with [`Envelope::check`]): the
    /// same parameters, each ORCPT as the rfc822 address it names (an ORCPT of another
    /// addr-type is not passed on); `BODY=8BITMIME` (RFC 6152) as `body_8bit` says, computed
    /// by the caller from the message it sends.
    pub fn from_envelope(mut env: Envelope, body_8bit: bool) -> OutEnvelope {
        env.mail_params.eight_bit_mime = body_8bit;
        env.mail_params.size = None;
        for r in &mut env.rcpts {
            r.orcpt = r
                .orcpt
                .as_deref()
                .and_then(Rcpt::orcpt_address)
                .map(|a| format!("rfc822;{a}"));
        }
        OutEnvelope {
            envelope: env,
            all_or_nothing: false,
        }
    }

    /// The envelope of an accepted transaction, to `rcpts`, with `by` (the remaining by-time
    /// the caller computed, RFC 2852 §4) when the transaction has one.
    pub fn from_transaction(tx: &Transaction, rcpts: &[Recipient], by: Option<DeliverBy>) -> Self {
        let mut envelope = tx.envelope();
        envelope.mail_params.by = by.map(|b| b.compose(None));
        envelope.mail_params.hold_until = None;
        envelope.mail_params.hold_for = None;
        envelope.rcpts = rcpts.iter().map(Recipient::rcpt).collect();
        OutEnvelope {
            envelope,
            all_or_nothing: false,
        }
    }
}

/// What of `env` is sent to a server with the extensions `ext` (RFC 5321 §4.1.1.11: no
/// parameter of an extension the server did not advertise): the DSN parameters (RFC 3461
/// §4) with DSN, MT-PRIORITY (RFC 6710 §3), BY (RFC 2852 §4) and HOLDFOR/HOLDUNTIL
/// (RFC 4865 §4) with theirs; `SIZE` (RFC 1870) when `size` is not 0. `BODY=8BITMIME` is
/// kept as it is.
pub fn offered(env: &Envelope, ext: u32, size: usize) -> Envelope {
    let mut e = env.clone();
    let p = &mut e.mail_params;
    p.size = (size > 0).then_some(size as u64);
    if ext & EXT_DSN == 0 {
        p.ret = None;
        p.envid = None;
        for r in &mut e.rcpts {
            r.notify = None;
            r.orcpt = None;
        }
    }
    if ext & EXT_MT_PRIORITY == 0 {
        p.mt_priority = None;
    }
    if ext & EXT_DELIVER_BY == 0 {
        p.by = None;
    }
    if ext & EXT_FUTURE_RELEASE == 0 {
        p.hold_for = None;
        p.hold_until = None;
    }
    e
}

/// The refusal to report for an all-or-nothing transaction: the first transient (4xx)
/// refusal, else the first one.
fn first_refusal(rejected: &[(String, Reply)]) -> Option<Reply> {
    rejected
        .iter()
        .find(|(_, r)| r.is_transient())
        .or(rejected.first())
        .map(|(_, r)| r.clone())
}

/// The failure of a transaction in which no RCPT was accepted: the first recipient's
/// refusal, or `554 5.5.1` when there was no recipient at all (RFC 5321 §3.3).
fn no_recipient_accepted(rejected: &[(String, Reply)]) -> ClientError {
    let reply = rejected.first().map(|(_, r)| r.clone()).unwrap_or(Reply {
        code: 554,
        enhanced: "5.5.1".into(),
        message: "no recipients".into(),
    });
    ClientError::Rejected {
        stage: "RCPT",
        reply,
    }
}

/// What happened.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendOutcome {
    /// Recipients the server accepted.
    pub accepted: Vec<String>,
    /// Recipients it refused, with the reply.
    pub rejected: Vec<(String, Reply)>,
    /// The final reply to the message data.
    pub data_reply: Reply,
    /// Whether the server advertised DSN (it will generate the notifications).
    pub server_dsn: bool,
    /// Whether the server advertised MT-PRIORITY.
    pub server_mt_priority: bool,
}

/// A byte stream the client talks over: TCP, then TLS over it after STARTTLS.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

struct Conn {
    io: BufReader<Box<dyn Io>>,
    timeout: Duration,
    /// Whether the session runs over TLS.
    tls: bool,
}

fn io_err(e: impl std::fmt::Display) -> ClientError {
    ClientError::Unavailable(e.to_string())
}

impl Conn {
    async fn read_raw(&mut self) -> Result<Vec<u8>, ClientError> {
        let mut all = Vec::new();
        loop {
            let mut line = Vec::new();
            let n = tokio::time::timeout(self.timeout, self.io.read_until(b'\n', &mut line))
                .await
                .map_err(|_| io_err("timeout waiting for reply"))?
                .map_err(io_err)?;
            if n == 0 {
                return Err(io_err("connection closed"));
            }
            if all.len() + line.len() > 64 * 1024 {
                return Err(io_err("reply too long"));
            }
            let last = line.get(3) != Some(&b'-');
            all.extend_from_slice(&line);
            if last {
                return Ok(all);
            }
        }
    }

    async fn read_reply(&mut self) -> Result<Reply, ClientError> {
        let raw = self.read_raw().await?;
        parse_reply(&raw)
    }

    async fn write(&mut self, data: &[u8]) -> Result<(), ClientError> {
        tokio::time::timeout(self.timeout, async {
            self.io.write_all(data).await?;
            self.io.flush().await
        })
        .await
        .map_err(|_| io_err("timeout writing"))?
        .map_err(io_err)
    }

    /// The message data, dot-stuffed and terminated (RFC 5321 §4.5.2), in blocks of
    /// [`DATA_BLOCK`] octets: the stuffed message is never held whole, and the runtime
    /// thread is given back between blocks.
    async fn write_data(&mut self, pieces: &[&[u8]]) -> Result<(), ClientError> {
        let mut stuffer = DotStuffer::default();
        let mut block = Vec::with_capacity(DATA_BLOCK + DATA_BLOCK / 8 + 8);
        for piece in pieces {
            for chunk in piece.chunks(DATA_BLOCK) {
                stuffer.push(chunk, &mut block);
                self.write(&block).await?;
                block.clear();
            }
        }
        stuffer.finish(&mut block);
        self.write(&block).await
    }

    /// EHLO; the reply and its capabilities.
    async fn ehlo(&mut self, helo: &str) -> Result<EhloResponse<String>, ClientError> {
        self.write(format!("EHLO {helo}\r\n").as_bytes()).await?;
        let ehlo_raw = self.read_raw().await?;
        let ehlo_reply = parse_reply(&ehlo_raw)?;
        if ehlo_reply.code != 250 {
            return Err(ClientError::Rejected {
                stage: "EHLO",
                reply: ehlo_reply,
            });
        }
        EhloResponse::parse(&mut ehlo_raw.iter())
            .map_err(|e| io_err(format!("bad EHLO reply: {e:?}")))
    }

    /// STARTTLS and the handshake (RFC 3207 §4); `host` names the server for the
    /// certificate check of a verified connector.
    async fn start_tls(&mut self, tls: &RelayTls, host: &str) -> Result<(), String> {
        self.write(b"STARTTLS\r\n")
            .await
            .map_err(|e| e.to_string())?;
        let r = self.read_reply().await.map_err(|e| e.to_string())?;
        if r.code != 220 {
            return Err(format!("STARTTLS refused: {r}"));
        }
        // Anything the server sent after its 220 arrived in cleartext: an injection attempt
        // (RFC 3207 §5; the CVE-2011-1431 class), never to be read as part of the TLS session.
        if !self.io.buffer().is_empty() {
            return Err("the server sent data after its 220 reply to STARTTLS".into());
        }
        let name = server_name(host)?;
        let placeholder: Box<dyn Io> = Box::new(tokio::io::duplex(1).0);
        let plain = std::mem::replace(&mut self.io, BufReader::new(placeholder)).into_inner();
        let stream = tokio::time::timeout(self.timeout, tls.connector().connect(name, plain))
            .await
            .map_err(|_| "timeout in the TLS handshake".to_string())?
            .map_err(|e| format!("TLS handshake: {e}"))?;
        self.io = BufReader::new(Box::new(stream));
        self.tls = true;
        Ok(())
    }
}

/// Parse one complete (possibly multi-line) reply with smtp-proto.
pub fn parse_reply(raw: &[u8]) -> Result<Reply, ClientError> {
    let mut rr = ResponseReceiver::default();
    let r = rr
        .parse(&mut raw.iter())
        .map_err(|e| io_err(format!("bad reply: {e:?}")))?;
    let enhanced = if r.esc == [0, 0, 0] {
        String::new()
    } else {
        format!("{}.{}.{}", r.esc[0], r.esc[1], r.esc[2])
    };
    Ok(Reply {
        code: r.code,
        enhanced,
        message: r.message,
    })
}

/// Dot-stuffing (RFC 5321 §4.5.2) of message data given in pieces, normalising bare LF to
/// CRLF: the state carries across pieces, so a message is sent in blocks of
/// [`DATA_BLOCK`] octets and never copied whole.
#[derive(Debug)]
pub struct DotStuffer {
    at_line_start: bool,
    prev: u8,
}

impl Default for DotStuffer {
    fn default() -> Self {
        DotStuffer {
            at_line_start: true,
            prev: 0,
        }
    }
}

impl DotStuffer {
    /// Append the stuffed form of `chunk` to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        for &b in chunk {
            if self.at_line_start && b == b'.' {
                out.push(b'.');
            }
            if b == b'\n' && self.prev != b'\r' {
                out.push(b'\r');
            }
            out.push(b);
            self.at_line_start = b == b'\n';
            self.prev = b;
        }
    }

    /// Append the end of the data: a CRLF when the message did not end with one, then the
    /// terminating `.` line.
    pub fn finish(self, out: &mut Vec<u8>) {
        if self.prev != b'\n' {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b".\r\n");
    }
}

/// Octets of message data stuffed and written at a time.
pub const DATA_BLOCK: usize = 64 * 1024;

/// RFC 6758 §4: the message without its `MT-Priority:` fields, as ranges of `raw` (the one
/// field with the priority goes in front of them when sent). Fields are those of
/// [`HeaderSection`] (so `MT-Priority :` in the obsolete syntax of RFC 5322 §4.5.8 goes
/// too); every other byte is kept as it is.
pub fn tunnel_ranges(raw: &[u8]) -> Vec<std::ops::Range<usize>> {
    let unbounded = Limits {
        max_header_bytes: usize::MAX,
        max_fields: usize::MAX,
    };
    let Ok(section) = HeaderSection::parse_with_limits(raw, unbounded) else {
        return std::iter::once(0..raw.len()).collect();
    };
    let mut ranges = Vec::new();
    let mut pos = 0;
    for f in section.fields.iter().filter(|f| f.is("MT-Priority")) {
        if f.span.start > pos {
            ranges.push(pos..f.span.start);
        }
        pos = f.span.end;
    }
    ranges.push(pos..raw.len());
    ranges
}

/// The pieces of the message as sent: the fields put in front (`front`, in order) and the
/// `ranges` of `raw`.
fn pieces<'a>(
    front: &'a [String],
    raw: &'a [u8],
    ranges: &'a [std::ops::Range<usize>],
) -> Vec<&'a [u8]> {
    front
        .iter()
        .map(|f| f.as_bytes())
        .chain(
            ranges
                .iter()
                .map(|r| raw.get(r.clone()).unwrap_or_default()),
        )
        .collect()
}

/// Send one message in cleartext (to a server on loopback: a content filter's MTA).
/// `auth` = (user, password) for AUTH PLAIN.
pub async fn send(
    addr: &str,
    helo: &str,
    auth: Option<(&str, &str)>,
    env: &OutEnvelope,
    raw: &[u8],
    timeout: Duration,
) -> Result<SendOutcome, ClientError> {
    let tls = RelayTls::none().map_err(|e| io_err(e.to_string()))?;
    let hop = Hop {
        addr,
        host: "",
        tls: &tls,
        helo,
        auth,
        dkim: None,
    };
    send_via(&hop, env, raw, timeout).await
}

/// The next hop and how to talk to it.
pub struct Hop<'a> {
    /// `host:port` to connect to.
    pub addr: &'a str,
    /// The server's name, for the certificate check of a required TLS session.
    pub host: &'a str,
    /// STARTTLS policy.
    pub tls: &'a RelayTls,
    /// Our EHLO name.
    pub helo: &'a str,
    /// (user, password) for AUTH PLAIN, sent only over TLS unless `tls` asks for no TLS.
    pub auth: Option<(&'a str, &'a str)>,
    /// DKIM signing of the bytes exactly as they are sent (after RFC 6758 tunnelling).
    pub dkim: Option<Dkim<'a>>,
}

/// DKIM signing by the relay client: the signature (a hash of the whole message and a
/// private-key operation) is computed on the blocking pool, never on the async runtime.
#[derive(Debug, Clone, Copy)]
pub struct Dkim<'a> {
    /// The signing domains and keys.
    pub keys: &'a Arc<crate::server::dkim::DkimSigning>,
    /// The share of the blocking pool that computes signatures.
    pub(crate) pool: &'a BlockingPool,
}

/// The message given to [`send_via`]: borrowed, or shared — a signature computed on the
/// blocking pool needs bytes that outlive the caller's wait, which a borrowed message
/// provides only by a copy.
#[derive(Debug, Clone)]
pub enum Payload<'a> {
    /// Bytes the caller keeps.
    Borrowed(&'a [u8]),
    /// Bytes shared with the signing job.
    Shared(Arc<Vec<u8>>),
}

impl Payload<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Payload::Borrowed(b) => b,
            Payload::Shared(b) => b,
        }
    }

    fn shared(&self) -> Arc<Vec<u8>> {
        match self {
            Payload::Borrowed(b) => Arc::new(b.to_vec()),
            Payload::Shared(b) => b.clone(),
        }
    }
}

impl<'a> From<&'a [u8]> for Payload<'a> {
    fn from(b: &'a [u8]) -> Self {
        Payload::Borrowed(b)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Payload<'a> {
    fn from(b: &'a [u8; N]) -> Self {
        Payload::Borrowed(b)
    }
}

impl<'a> From<&'a Vec<u8>> for Payload<'a> {
    fn from(b: &'a Vec<u8>) -> Self {
        Payload::Borrowed(b)
    }
}

impl From<Arc<Vec<u8>>> for Payload<'static> {
    fn from(b: Arc<Vec<u8>>) -> Self {
        Payload::Shared(b)
    }
}

/// The `DKIM-Signature` field for the message made of `front` and the `ranges` of `message`,
/// computed on the blocking pool; `None` when its `From:` domain does not sign.
async fn dkim_field(
    dkim: Dkim<'_>,
    message: &Payload<'_>,
    front: &[String],
    ranges: &[std::ops::Range<usize>],
) -> Result<Option<String>, ClientError> {
    if dkim.keys.is_empty() {
        return Ok(None);
    }
    let (keys, raw) = (dkim.keys.clone(), message.shared());
    let (front, ranges) = (front.to_vec(), ranges.to_vec());
    dkim.pool
        .run(move || Ok(keys.signature_field(&raw, &pieces(&front, &raw, &ranges))))
        .await
        .map_err(|e| io_err(e.to_string()))?
        .map_err(io_err)
}

/// Send one message to `hop`.
pub async fn send_via<'m>(
    hop: &Hop<'_>,
    env: &OutEnvelope,
    message: impl Into<Payload<'m>>,
    timeout: Duration,
) -> Result<SendOutcome, ClientError> {
    let message = message.into();
    let raw = message.bytes();
    let Hop {
        addr,
        host,
        tls,
        helo,
        auth,
        dkim,
    } = *hop;
    let stream = tokio::time::timeout(timeout, TcpStream::connect(addr))
        .await
        .map_err(|_| io_err(format!("timeout connecting to {addr}")))?
        .map_err(|e| io_err(format!("{addr}: {e}")))?;
    let mut c = Conn {
        io: BufReader::new(Box::new(stream)),
        timeout,
        tls: false,
    };
    let greeting = c.read_reply().await?;
    if greeting.code != 220 {
        return Err(ClientError::Rejected {
            stage: "greeting",
            reply: greeting,
        });
    }
    let mut ehlo = c.ehlo(helo).await?;
    if tls.opportunistic {
        if ehlo.capabilities & EXT_START_TLS != 0 {
            match c.start_tls(tls, host).await {
                Ok(()) => ehlo = c.ehlo(helo).await?,
                Err(e) if tls.required => return Err(ClientError::TlsRequired(e)),
                // Opportunistic: the connection is in an unknown state; try again later.
                Err(e) => return Err(io_err(e)),
            }
        } else if tls.required {
            let _ = c.write(b"QUIT\r\n").await;
            return Err(ClientError::TlsRequired(format!(
                "{addr} does not offer STARTTLS"
            )));
        }
    }
    let ext = ehlo.capabilities;
    if let Some((user, pass)) = auth {
        if !tls.cleartext_auth && !c.tls {
            // Never a password in cleartext to a server we meant to reach over TLS.
            let _ = c.write(b"QUIT\r\n").await;
            return Err(io_err(format!(
                "{addr} does not offer STARTTLS: AUTH not sent in cleartext"
            )));
        }
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("\0{user}\0{pass}").as_bytes());
        c.write(format!("AUTH PLAIN {token}\r\n").as_bytes())
            .await?;
        let r = c.read_reply().await?;
        if r.code != 235 {
            return Err(ClientError::Rejected {
                stage: "AUTH",
                reply: r,
            });
        }
    }
    // RFC 6758 §4: a next hop without MT-PRIORITY gets the priority in one MT-Priority field.
    // The message as sent is pieces — fields in front, ranges of `raw` — never one copy.
    let (mut front, ranges) = match env.envelope.mail_params.mt_priority {
        Some(p) if ext & EXT_MT_PRIORITY == 0 => {
            (vec![format!("MT-Priority: {p}\r\n")], tunnel_ranges(raw))
        }
        _ => (Vec::new(), std::iter::once(0..raw.len()).collect()),
    };
    // The DKIM signature goes on last, over the bytes as sent.
    if let Some(d) = dkim {
        if let Some(field) = dkim_field(d, &message, &front, &ranges).await? {
            front.insert(0, field);
        }
    }
    let pieces = pieces(&front, raw, &ranges);
    let size = if ehlo.size > 0 {
        pieces.iter().map(|p| p.len()).sum()
    } else {
        0
    };
    let wire = offered(&env.envelope, ext, size);
    let mail = format!("{}\r\n", wire.mail_from_line());
    let rcpts: Vec<String> = wire
        .rcpt_lines()
        .into_iter()
        .map(|l| format!("{l}\r\n"))
        .collect();
    let pipelining = ext & EXT_PIPELINING != 0;
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    if pipelining {
        let mut batch = mail.clone();
        for r in &rcpts {
            batch.push_str(r);
        }
        batch.push_str("DATA\r\n");
        c.write(batch.as_bytes()).await?;
        let mr = c.read_reply().await?;
        let mut rcpt_replies = Vec::new();
        for _ in &rcpts {
            rcpt_replies.push(c.read_reply().await?);
        }
        let dr = c.read_reply().await?;
        if !mr.is_ok() {
            let _ = c.write(b"QUIT\r\n").await;
            return Err(ClientError::Rejected {
                stage: "MAIL",
                reply: mr,
            });
        }
        for (r, reply) in env.envelope.rcpts.iter().zip(rcpt_replies) {
            if reply.is_ok() {
                accepted.push(r.address.clone());
            } else {
                rejected.push((r.address.clone(), reply));
            }
        }
        if env.all_or_nothing && !accepted.is_empty() {
            if let Some(reply) = first_refusal(&rejected) {
                // DATA may have been accepted (354): closing without the final "." makes
                // the server discard the transaction.
                return Err(ClientError::Rejected {
                    stage: "RCPT",
                    reply,
                });
            }
        }
        if accepted.is_empty() {
            let _ = c.write(b"QUIT\r\n").await;
            let reply = rejected.first().map(|(_, r)| r.clone()).unwrap_or(dr);
            return Err(ClientError::Rejected {
                stage: "RCPT",
                reply,
            });
        }
        if dr.code != 354 {
            let _ = c.write(b"QUIT\r\n").await;
            return Err(ClientError::Rejected {
                stage: "DATA",
                reply: dr,
            });
        }
    } else {
        c.write(mail.as_bytes()).await?;
        let mr = c.read_reply().await?;
        if !mr.is_ok() {
            let _ = c.write(b"QUIT\r\n").await;
            return Err(ClientError::Rejected {
                stage: "MAIL",
                reply: mr,
            });
        }
        for (r, cmd) in env.envelope.rcpts.iter().zip(&rcpts) {
            c.write(cmd.as_bytes()).await?;
            let reply = c.read_reply().await?;
            if reply.is_ok() {
                accepted.push(r.address.clone());
            } else {
                rejected.push((r.address.clone(), reply));
            }
        }
        if env.all_or_nothing {
            if let Some(reply) = first_refusal(&rejected) {
                let _ = c.write(b"QUIT\r\n").await;
                return Err(ClientError::Rejected {
                    stage: "RCPT",
                    reply,
                });
            }
        }
        if accepted.is_empty() {
            let _ = c.write(b"QUIT\r\n").await;
            return Err(no_recipient_accepted(&rejected));
        }
        c.write(b"DATA\r\n").await?;
        let dr = c.read_reply().await?;
        if dr.code != 354 {
            let _ = c.write(b"QUIT\r\n").await;
            return Err(ClientError::Rejected {
                stage: "DATA",
                reply: dr,
            });
        }
    }
    if accepted.is_empty() {
        // RFC 2920 §3.1: the server answers DATA with 354 only if a RCPT succeeded; be safe.
        c.write(b".\r\n").await?;
        let _ = c.read_reply().await;
        let _ = c.write(b"QUIT\r\n").await;
        return Err(no_recipient_accepted(&rejected));
    }
    c.write_data(&pieces).await?;
    let data_reply = c.read_reply().await?;
    let _ = c.write(b"QUIT\r\n").await;
    let _ = c.read_reply().await;
    if !data_reply.is_ok() {
        return Err(ClientError::Rejected {
            stage: "DATA",
            reply: data_reply,
        });
    }
    Ok(SendOutcome {
        accepted,
        rejected,
        data_reply,
        server_dsn: ext & EXT_DSN != 0,
        server_mt_priority: ext & EXT_MT_PRIORITY != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::smtp::Notify;

    fn tunnelled(raw: &[u8], p: i8) -> Vec<u8> {
        let front = vec![format!("MT-Priority: {p}\r\n")];
        pieces(&front, raw, &tunnel_ranges(raw)).concat()
    }

    fn stuffed(pieces: &[&[u8]]) -> Vec<u8> {
        let mut st = DotStuffer::default();
        let mut out = Vec::new();
        for p in pieces {
            st.push(p, &mut out);
        }
        st.finish(&mut out);
        out
    }

    #[test]
    fn tunnelling() {
        let t = tunnelled(
            b"Subject: x\r\nMT-Priority: 2\r\n (c)\r\nTo: a@b\r\n\r\nbody",
            4,
        );
        assert_eq!(
            t,
            b"MT-Priority: 4\r\nSubject: x\r\nTo: a@b\r\n\r\nbody".to_vec()
        );
        // An obsolete-syntax field (RFC 5322 §4.5.8) is an MT-Priority field too, and a
        // body line that looks like one is body.
        let t = tunnelled(b"mt-priority : 9\nTo: a@b\n\nMT-Priority: 1\n", -2);
        assert_eq!(
            t,
            b"MT-Priority: -2\r\nTo: a@b\n\nMT-Priority: 1\n".to_vec()
        );
    }

    #[test]
    fn stuffing() {
        let want = b"a\r\n..b\r\n...c\r\n.\r\n".to_vec();
        assert_eq!(stuffed(&[b"a\n.b\r\n..c".as_slice()]), want);
        // Line starts, bare LFs and CRLFs split across pieces (and blocks) stuff alike.
        let split = [b"a\n".as_slice(), b".b\r", b"\n.", b".c"];
        assert_eq!(stuffed(&split), want);
        assert_eq!(stuffed(&[b"a\r\n".as_slice()]), b"a\r\n.\r\n".to_vec());
        assert_eq!(stuffed(&[b"a\n".as_slice()]), b"a\r\n.\r\n".to_vec());
        assert_eq!(stuffed(&[]), b"\r\n.\r\n".to_vec());
    }

    /// The lines a server is sent: every parameter when it advertises the extension, none
    /// of an extension it does not (RFC 5321 §4.1.1.11), ORCPT as rfc822 xtext.
    #[test]
    fn commands_follow_the_advertised_extensions() {
        let json = r#"{"mailFrom":"alice@army.example",
            "mailParams":{"envid":"QQ=1","ret":"hdrs","mtPriority":4,"by":"3600;RT","holdFor":60,"size":99},
            "rcpts":[{"address":"bob@navy.example","notify":["success","failure"],"orcpt":"rfc822;bob+x@navy.example"},
                     {"address":"carol@navy.example","orcpt":"x400;c=gb"}]}"#;
        let env: Envelope = serde_json::from_str(json).unwrap();
        let out = OutEnvelope::from_envelope(env, true);
        let all = EXT_DSN | EXT_MT_PRIORITY | EXT_DELIVER_BY | EXT_FUTURE_RELEASE;
        let wire = offered(&out.envelope, all, 1234);
        assert_eq!(
            wire.mail_from_line(),
            "MAIL FROM:<alice@army.example> SIZE=1234 BODY=8BITMIME RET=HDRS ENVID=QQ+3D1 \
             MT-PRIORITY=4 BY=3600;RT HOLDFOR=60"
        );
        assert_eq!(
            wire.rcpt_lines(),
            [
                "RCPT TO:<bob@navy.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+2Bx@navy.example",
                "RCPT TO:<carol@navy.example>",
            ]
        );
        let bare = offered(&out.envelope, 0, 0);
        assert_eq!(
            bare.mail_from_line(),
            "MAIL FROM:<alice@army.example> BODY=8BITMIME"
        );
        assert_eq!(
            bare.rcpt_lines(),
            ["RCPT TO:<bob@navy.example>", "RCPT TO:<carol@navy.example>"]
        );
    }

    /// A queued transaction is sent as it was received: NOTIFY in keyword order, the ORCPT
    /// address, the remaining by-time.
    #[test]
    fn a_transaction_is_sent_with_its_parameters() {
        let rcpt = Recipient {
            address: "bob@navy.example".into(),
            notify: Notify {
                explicit: true,
                delay: true,
                success: true,
                ..Notify::default()
            },
            orcpt: Some("bob@navy.example".into()),
        };
        let tx = Transaction {
            id: "t1".into(),
            helo: "h".into(),
            submitter: None,
            tls: false,
            mail_from: "alice@army.example".into(),
            envid: Some("E1".into()),
            ret_full: Some(true),
            priority: Some(-2),
            body_8bit: false,
            by: None,
            hold_until: None,
            hold_for: None,
            rcpts: Vec::new(),
            arrival: 0,
        };
        let by = DeliverBy {
            by_time: 120,
            deadline: 0,
            return_mode: false,
            trace: false,
        };
        let out = OutEnvelope::from_transaction(&tx, &[rcpt], Some(by));
        let wire = offered(&out.envelope, EXT_DSN | EXT_MT_PRIORITY | EXT_DELIVER_BY, 0);
        assert_eq!(
            wire.mail_from_line(),
            "MAIL FROM:<alice@army.example> RET=FULL ENVID=E1 MT-PRIORITY=-2 BY=120;N"
        );
        assert_eq!(
            wire.rcpt_lines(),
            ["RCPT TO:<bob@navy.example> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;bob@navy.example"]
        );
    }

    #[test]
    fn reply_parse() {
        let r = parse_reply(b"250-first\r\n250 2.0.0 Ok done\r\n").unwrap();
        assert_eq!(r.code, 250);
        let r = parse_reply(b"501 5.5.2 Syntax error\r\n").unwrap();
        assert_eq!((r.code, r.enhanced.as_str()), (501, "5.5.2"));
    }
}

//! DKIM (RFC 6376) for the submission agent, with Stalwart's `mail-auth`:
//! - **verification on receipt** (draft-melnikov-mmhs-profile-09 §4.1.2: "On reception the
//!   MMHS MUST support verification of S/MIME and DKIM digital signatures"; §4.2.4: the
//!   result goes into an `Authentication-Results` field, RFC 8601): [`DkimVerifier`], whose
//!   result [`Verdict::resinfo`] formats through the one home of that field
//!   ([`super::boundary::results`]);
//! - **signing of outgoing mail** per domain of the `From:` address (§4.2.4 use cases 1–2: the
//!   organisation's MSA signs), over the profile's header fields (§4.2.6), as the last step
//!   before the bytes leave, so that the signed bytes are the sent bytes: [`DkimSigning`].
//!
//! Keys (RFC 6376 §3.6.1) are found in DNS (`<selector>._domainkey.<domain>` TXT) through the
//! system resolver, or — when config.json has a `dkim.keyTable` — **only** in that table
//! (a closed network without public DNS, and the tests): a name missing from the table is a
//! key that does not exist, never a reason to ask DNS.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::DkimSigner;
use mail_auth::{AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters, Txt};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::PrivateKeyDer;
use serde::{Deserialize, Serialize};

use super::boundary::results::ResInfo;
use super::Error;

/// The header fields signed (those present), in the order of
/// draft-melnikov-mmhs-profile-09 §4.2.6.
pub const SIGNED_FIELDS: &[&str] = &[
    "From",
    "Reply-To",
    "Subject",
    "Date",
    "To",
    "Cc",
    "Sender",
    "Expires",
    "Supersedes",
    "Message-ID",
    "In-Reply-To",
    "References",
    "SIO-Label",
    "MMHS-Primary-Precedence",
    "MMHS-Copy-Precedence",
    "MMHS-Message-Type",
    "MMHS-Extended-Authorisation-Info",
    "MMHS-Authorizing-Users",
    "MT-Priority",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
];

/// Most DKIM-Signature fields examined per message (RFC 6376 §6.1: a verifier may limit
/// the signatures it tries).
pub const MAX_SIGNATURES: usize = 5;

/// Longest wait for the key lookups of one message; past it the result is `temperror`.
/// The message budget (`messageBudgetMillis`, docs/server.md) may end the wait sooner
/// ([`DkimVerifier::verify_until`]).
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// The `dkim` object of config.json.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DkimSettings {
    /// Verify DKIM signatures of received messages and add an `Authentication-Results`
    /// field (default true).
    #[serde(default = "yes")]
    pub verify: bool,
    /// Sign outgoing (relayed) mail whose `From:` domain is listed.
    #[serde(default)]
    pub signing: Vec<SigningDomain>,
    /// Key records by name (`<selector>._domainkey.<domain>` → TXT record text). When set,
    /// keys are looked up here only, never in DNS.
    #[serde(default)]
    pub key_table: Option<BTreeMap<String, String>>,
}

fn yes() -> bool {
    true
}

/// One signing domain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SigningDomain {
    /// The SDID (`d=`): the `From:` domain of the messages signed.
    pub domain: String,
    /// The selector (`s=`).
    pub selector: String,
    /// Private key (PEM: PKCS#8 Ed25519 (RFC 8463) or RSA); `None` = generated on first start
    /// into `<data>/dkim/<selector>._domainkey.<domain>.key.pem`, with the TXT record to
    /// publish beside it (`….txt`).
    #[serde(default)]
    pub key_path: Option<PathBuf>,
}

/// The key record's DNS name (RFC 6376 §3.6.2.1).
pub fn record_name(selector: &str, domain: &str) -> String {
    format!(
        "{}._domainkey.{}",
        selector.to_ascii_lowercase(),
        domain.trim_end_matches('.').to_ascii_lowercase()
    )
}

/// A name usable as a selector or domain in a file name and a DNS name.
fn dns_label_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
}

enum Key {
    Ed25519(Vec<u8>),
    Rsa(PrivateKeyDer<'static>),
}

/// The signing keys, by domain.
pub struct DkimSigning {
    keys: Vec<(String, String, Key)>,
}

impl std::fmt::Debug for DkimSigning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self
            .keys
            .iter()
            .map(|(d, s, _)| record_name(s, d))
            .collect();
        f.debug_struct("DkimSigning").field("keys", &names).finish()
    }
}

fn load_key(path: &Path) -> Result<Key, Error> {
    let der = PrivateKeyDer::from_pem_file(path)
        .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
    if let PrivateKeyDer::Pkcs8(p) = &der {
        if Ed25519Key::from_pkcs8_der(p.secret_pkcs8_der()).is_ok() {
            return Ok(Key::Ed25519(p.secret_pkcs8_der().to_vec()));
        }
    }
    RsaKey::<Sha256>::from_key_der(der.clone_key()).map_err(|e| {
        Error::Config(format!(
            "{}: not an Ed25519 or RSA key: {e}",
            path.display()
        ))
    })?;
    Ok(Key::Rsa(der))
}

/// Generate an Ed25519 key (RFC 8463) for `selector._domainkey.domain` into `dir` (mode
/// 0600) with its TXT record beside it; returns the key path.
fn generate_key(dir: &Path, selector: &str, domain: &str) -> Result<PathBuf, Error> {
    let name = record_name(selector, domain);
    let key_path = dir.join(format!("{name}.key.pem"));
    if key_path.exists() {
        return Ok(key_path);
    }
    super::private_file::create_private_dir(dir)?;
    let der = Ed25519Key::generate_pkcs8().map_err(|e| Error::Pki(format!("DKIM key: {e}")))?;
    let key = Ed25519Key::from_pkcs8_der(&der).map_err(|e| Error::Pki(format!("DKIM key: {e}")))?;
    let pem = der::pem::encode_string("PRIVATE KEY", der::pem::LineEnding::LF, &der)
        .map_err(|e| Error::Pki(format!("DKIM key: {e}")))?;
    let record = format!(
        "v=DKIM1; k=ed25519; p={}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, key.public_key())
    );
    super::private_file::write_private(&key_path, pem.as_bytes())?;
    let txt = dir.join(format!("{name}.txt"));
    let _ = std::fs::remove_file(&txt);
    super::private_file::write_private(&txt, format!("{name}. IN TXT \"{record}\"\n").as_bytes())?;
    Ok(key_path)
}

/// The TXT record text written beside a generated key (`None` when there is none).
pub fn generated_record(data: &Path, selector: &str, domain: &str) -> Option<String> {
    let name = record_name(selector, domain);
    let text = std::fs::read_to_string(data.join("dkim").join(format!("{name}.txt"))).ok()?;
    let start = text.find('"')? + 1;
    let end = text.rfind('"')?;
    text.get(start..end).map(str::to_string)
}

impl DkimSigning {
    /// Load (or, without `keyPath`, generate into `<data>/dkim/`) the key of every signing
    /// domain.
    pub fn load(data: &Path, settings: &DkimSettings) -> Result<DkimSigning, Error> {
        let mut keys = Vec::new();
        for d in &settings.signing {
            if !dns_label_ok(&d.domain) || !dns_label_ok(&d.selector) {
                return Err(Error::Config(format!(
                    "dkim.signing: bad domain or selector {:?} / {:?}",
                    d.domain, d.selector
                )));
            }
            let path = match &d.key_path {
                Some(p) => p.clone(),
                None => generate_key(&data.join("dkim"), &d.selector, &d.domain)?,
            };
            keys.push((
                d.domain.to_ascii_lowercase(),
                d.selector.clone(),
                load_key(&path)?,
            ));
        }
        Ok(DkimSigning { keys })
    }

    /// No signing domain.
    pub fn empty() -> DkimSigning {
        DkimSigning { keys: Vec::new() }
    }

    /// Whether any domain signs.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// `raw` with a `DKIM-Signature` field in front when its `From:` domain signs (RFC 6376
    /// §5), unchanged otherwise. Relaxed/relaxed canonicalization (RFC 6376 §3.4), SHA-256.
    pub fn sign(&self, raw: &[u8]) -> Result<Vec<u8>, String> {
        let mut out = self
            .signature_field(raw, &[raw])?
            .unwrap_or_default()
            .into_bytes();
        out.extend_from_slice(raw);
        Ok(out)
    }

    /// The `DKIM-Signature` field (with its CRLF) for the message made of `pieces` in order —
    /// the bytes as sent, which the relay never joins into one copy — when the `From:` domain
    /// of `original` signs; `None` when it does not. `original` is the message the pieces are
    /// cut from (RFC 6758 tunnelling only replaces `MT-Priority` fields, so its `From:` is
    /// the sent one).
    pub fn signature_field(
        &self,
        original: &[u8],
        pieces: &[&[u8]],
    ) -> Result<Option<String>, String> {
        let Some(domain) = from_domain(original) else {
            return Ok(None);
        };
        let Some((d, s, key)) = self.keys.iter().find(|(d, _, _)| *d == domain) else {
            return Ok(None);
        };
        let signature = match key {
            Key::Ed25519(der) => sign_with(
                Ed25519Key::from_pkcs8_der(der).map_err(|e| format!("DKIM key of {d}: {e}"))?,
                d,
                s,
                pieces,
            ),
            Key::Rsa(der) => sign_with(
                RsaKey::<Sha256>::from_key_der(der.clone_key())
                    .map_err(|e| format!("DKIM key of {d}: {e}"))?,
                d,
                s,
                pieces,
            ),
        }
        .map_err(|e| format!("DKIM signing for {d}: {e}"))?;
        Ok(Some(signature.to_header()))
    }
}

/// One DKIM-Signature by `key` for `d=domain; s=selector`: relaxed/relaxed, the profile's
/// fields ([`SIGNED_FIELDS`]).
fn sign_with<K: mail_auth::common::crypto::SigningKey>(
    key: K,
    domain: &str,
    selector: &str,
    pieces: &[&[u8]],
) -> mail_auth::Result<mail_auth::dkim::Signature> {
    use mail_auth::dkim::Canonicalization::Relaxed;
    DkimSigner::from_key(key)
        .domain(domain)
        .selector(selector)
        .headers(SIGNED_FIELDS.iter().copied())
        .header_canonicalization(Relaxed)
        .body_canonicalization(Relaxed)
        .sign_chained(pieces.iter().copied())
}

/// The domain of the first `From:` address, lower-cased.
fn from_domain(raw: &[u8]) -> Option<String> {
    let h = crate::mime::header::HeaderSection::parse(crate::mime::entity::split(raw).0).ok()?;
    let a = crate::fields::address::addr_specs(&h, "from")
        .into_iter()
        .next()?;
    let (_, d) = a.rsplit_once('@')?;
    Some(d.trim_end_matches('.').to_ascii_lowercase())
}

/// RFC 8601 §2.7.1 results of the `dkim` method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DkimOutcome {
    /// The message was not signed.
    None,
    /// The signature verified.
    Pass,
    /// The signature did not verify.
    Fail,
    /// Signed, but the signature could not be processed in a way that says pass or fail
    /// (e.g. an unsupported algorithm).
    Neutral,
    /// A transient failure (key lookup).
    Temperror,
    /// A permanent failure (malformed signature, no key).
    Permerror,
}

impl DkimOutcome {
    /// The RFC 8601 keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            DkimOutcome::None => "none",
            DkimOutcome::Pass => "pass",
            DkimOutcome::Fail => "fail",
            DkimOutcome::Neutral => "neutral",
            DkimOutcome::Temperror => "temperror",
            DkimOutcome::Permerror => "permerror",
        }
    }
}

/// The result for one signature (or `None` for an unsigned message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Result.
    pub outcome: DkimOutcome,
    /// Why (for every result but pass and none).
    pub reason: Option<String>,
    /// `d=` of the signature.
    pub domain: Option<String>,
    /// `s=`.
    pub selector: Option<String>,
    /// `i=` (AUID), when given.
    pub identity: Option<String>,
}

impl Verdict {
    fn bare(outcome: DkimOutcome, reason: Option<String>) -> Verdict {
        Verdict {
            outcome,
            reason,
            domain: None,
            selector: None,
            identity: None,
        }
    }

    /// The `resinfo` of RFC 8601 §2.2 (`dkim=… header.d=… header.s=… header.i=…`).
    pub fn resinfo(&self) -> ResInfo {
        let mut props = Vec::new();
        if let Some(d) = &self.domain {
            props.push(("header.d", d.clone()));
        }
        if let Some(i) = &self.identity {
            props.push(("header.i", i.clone()));
        }
        if let Some(s) = &self.selector {
            props.push(("header.s", s.clone()));
        }
        ResInfo {
            method: "dkim",
            result: self.outcome.as_str(),
            reason: self.reason.clone(),
            props,
        }
    }
}

/// An answer of the key table: every name has one (a missing name is "no such record"), so
/// `mail-auth` never falls through to DNS.
struct KeyTable(BTreeMap<String, String>);

fn not_found() -> Txt {
    Txt::Error(mail_auth::Error::Dns(mail_auth::DnsError::RecordNotFound(
        mail_auth::hickory_resolver::proto::op::ResponseCode::NXDomain,
    )))
}

impl mail_auth::ResolverCache<Box<str>, Txt> for KeyTable {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        // The key type is always `str` here (mail-auth asks with the FQDN); answer by
        // comparing through `Borrow`.
        let wanted = self.0.iter().find(|(k, _)| {
            let b: Box<str> = format!("{}.", k.trim_end_matches('.').to_ascii_lowercase()).into();
            std::borrow::Borrow::<Q>::borrow(&b) == name
        });
        Some(match wanted {
            Some((_, text)) => match DomainKey::parse(text.as_bytes()) {
                Ok(k) => Txt::from(k),
                Err(e) => Txt::Error(e),
            },
            None => not_found(),
        })
    }

    fn remove<Q>(&self, _: &Q) -> Option<Txt>
    where
        Box<str>: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        None
    }

    fn insert(&self, _: Box<str>, _: Txt, _: std::time::Instant) {}
}

/// Verifies DKIM signatures with keys from DNS or from a key table (module docs).
pub struct DkimVerifier {
    authenticator: Option<MessageAuthenticator>,
    table: Option<KeyTable>,
}

impl std::fmt::Debug for DkimVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DkimVerifier")
            .field("dns", &self.authenticator.is_some())
            .field("table", &self.table.as_ref().map(|t| t.0.len()))
            .finish()
    }
}

impl DkimVerifier {
    /// From the settings: the key table when configured, else the system's resolver
    /// (`/etc/resolv.conf`); without either every signature is `temperror`.
    pub fn new(settings: &DkimSettings) -> DkimVerifier {
        let table = settings.key_table.clone().map(KeyTable);
        let authenticator = match MessageAuthenticator::new_system_conf() {
            Ok(a) => Some(a),
            Err(e) => {
                if table.is_none() {
                    eprintln!("mmhs serve: DKIM: no DNS resolver ({e}); key lookups fail");
                }
                None
            }
        };
        DkimVerifier {
            authenticator,
            table,
        }
    }

    /// Verify every DKIM signature of `raw` (at most [`MAX_SIGNATURES`], within
    /// [`LOOKUP_TIMEOUT`]): one verdict per signature, or one `none` verdict.
    pub async fn verify(&self, raw: &[u8]) -> Vec<Verdict> {
        self.verify_until(raw, None).await
    }

    /// [`DkimVerifier::verify`], its key lookups also ending at `deadline` (the message
    /// budget's end: a sender's slow DNS server must not hold the message's slot past it).
    pub async fn verify_until(
        &self,
        raw: &[u8],
        deadline: Option<tokio::time::Instant>,
    ) -> Vec<Verdict> {
        let lookups_end = {
            let end = tokio::time::Instant::now() + LOOKUP_TIMEOUT;
            deadline.map_or(end, |d| d.min(end))
        };
        let Some(msg) = AuthenticatedMessage::parse(raw) else {
            return vec![Verdict::bare(
                DkimOutcome::Permerror,
                Some("message header not parseable".into()),
            )];
        };
        if msg.dkim_headers.is_empty() {
            return vec![Verdict::bare(DkimOutcome::None, None)];
        }
        if msg.dkim_headers.len() > MAX_SIGNATURES {
            return vec![Verdict::bare(
                DkimOutcome::Permerror,
                Some(format!("more than {MAX_SIGNATURES} DKIM-Signature fields")),
            )];
        }
        let Some(auth) = &self.authenticator else {
            return vec![Verdict::bare(
                DkimOutcome::Temperror,
                Some("no DNS resolver".into()),
            )];
        };
        let outputs = match &self.table {
            Some(t) => {
                let p = Parameters::new(&msg).with_txt_cache(t);
                tokio::time::timeout_at(lookups_end, auth.verify_dkim(p)).await
            }
            None => tokio::time::timeout_at(lookups_end, auth.verify_dkim(&msg)).await,
        };
        let Ok(outputs) = outputs else {
            return vec![Verdict::bare(
                DkimOutcome::Temperror,
                Some("key lookup timed out".into()),
            )];
        };
        if outputs.is_empty() {
            return vec![Verdict::bare(DkimOutcome::None, None)];
        }
        outputs
            .iter()
            .map(|o| {
                let (outcome, reason) = match o.result() {
                    DkimResult::Pass => (DkimOutcome::Pass, None),
                    DkimResult::None => (DkimOutcome::None, None),
                    DkimResult::Fail(e) => (DkimOutcome::Fail, Some(e.to_string())),
                    // RFC 6376 §6.1.3: a body hash that does not match is a failed
                    // verification (mail-auth reports it as neutral).
                    DkimResult::Neutral(
                        e @ mail_auth::Error::Dkim(mail_auth::dkim::DkimError::FailedBodyHashMatch),
                    ) => (DkimOutcome::Fail, Some(e.to_string())),
                    DkimResult::Neutral(e) => (DkimOutcome::Neutral, Some(e.to_string())),
                    DkimResult::TempError(e) => (DkimOutcome::Temperror, Some(e.to_string())),
                    DkimResult::PermError(e) => (DkimOutcome::Permerror, Some(e.to_string())),
                };
                let sig = o.signature();
                Verdict {
                    outcome,
                    reason,
                    domain: sig.map(|s| s.d.clone()),
                    selector: sig.map(|s| s.s.clone()),
                    identity: sig.and_then(|s| (!s.i.is_empty()).then(|| s.i.clone())),
                }
            })
            .collect()
    }

    /// [`DkimVerifier::verify_until`] from a thread of the blocking pool (the agent's
    /// message work): runs the lookups on the server's runtime and waits for them.
    pub fn verify_blocking(
        self: &Arc<Self>,
        raw: &[u8],
        deadline: Option<tokio::time::Instant>,
    ) -> Vec<Verdict> {
        match tokio::runtime::Handle::try_current() {
            Ok(h) => h.block_on(self.verify_until(raw, deadline)),
            Err(_) => vec![Verdict::bare(
                DkimOutcome::Temperror,
                Some("no runtime for key lookups".into()),
            )],
        }
    }
}

//! The audit trail (draft-melnikov-mmhs-profile §5.2, §6.2, §7.2; docs/release.md):
//!
//! - `mmhs audit record --agent mua|msa|mta --event submit|receive|release|reject|deliver
//!   [--message IN.eml] [--facts FACTS.json] [--log LOG.jsonl] [--at TIME]` — makes the next
//!   record ([`crate::release::audit_record`]) chained to the last line of `--log` and appends
//!   it there (one JSON line); prints the record. Facts from `--facts` override those read
//!   from the message.
//! - `mmhs audit verify LOG.jsonl [--expected-head HASH] [--retention-days N] [--now TIME]` —
//!   checks the hash chain ([`crate::release::verify_audit_log`]); prints the result JSON;
//!   exit 0 when intact, 1 when not.

use std::io::Write;
use std::path::PathBuf;

use super::material::{read_json, JSON_INVALID};
use super::{io, Outcome};
use crate::release::{
    audit_record, verify_audit_log, AuditAgent, AuditEvent, AuditFacts, AuditRecord,
    AuditVerifyOptions,
};
use crate::{Error, Result};

/// `mmhs audit` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(super) enum Args {
    /// Make the next audit record (and append it to --log).
    Record(RecordArgs),
    /// Check an audit log (JSON lines) for edits and deletions.
    Verify(VerifyArgs),
}

/// Arguments of `mmhs audit record`.
#[derive(Debug, clap::Args)]
pub(super) struct RecordArgs {
    /// The agent writing the record.
    #[arg(long, value_parser = ["mua", "msa", "mta"])]
    pub agent: String,
    /// The event.
    #[arg(long, value_parser = ["submit", "receive", "release", "reject", "deliver", "defer"])]
    pub event: String,
    /// Read the header facts from this message.
    #[arg(long, value_name = "IN.eml")]
    pub message: Option<PathBuf>,
    /// Further facts (JSON, docs/release.md "Audit trail"); override the message's.
    #[arg(long, value_name = "FACTS.json")]
    pub facts: Option<PathBuf>,
    /// The log (JSON lines) to chain to and append to; created if missing.
    #[arg(long, value_name = "LOG.jsonl")]
    pub log: Option<PathBuf>,
    /// Event time (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
}

/// Arguments of `mmhs audit verify`.
#[derive(Debug, clap::Args)]
pub(super) struct VerifyArgs {
    /// The log: one JSON record per line, oldest first (`-` for stdin).
    pub log: PathBuf,
    /// The hash of the newest record as kept elsewhere (detects deletion at the end).
    #[arg(long, value_name = "HASH")]
    pub expected_head: Option<String>,
    /// Retention period in days (at least 10).
    #[arg(long, value_name = "DAYS")]
    pub retention_days: Option<u32>,
    /// Current time for the retention check (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
}

/// Parse a JSON-lines log (blank lines ignored).
pub(super) fn parse_log(bytes: &[u8]) -> Result<Vec<AuditRecord>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Error::input(JSON_INVALID, "the audit log is not UTF-8"))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map_err(|e| Error::input(JSON_INVALID, format!("audit log line {}: {e}", i + 1)))
        })
        .collect()
}

fn agent(s: &str) -> AuditAgent {
    match s {
        "mua" => AuditAgent::Mua,
        "mta" => AuditAgent::Mta,
        _ => AuditAgent::Msa,
    }
}

fn event(s: &str) -> AuditEvent {
    match s {
        "receive" => AuditEvent::Receive,
        "release" => AuditEvent::Release,
        "reject" => AuditEvent::Reject,
        "deliver" => AuditEvent::Deliver,
        "defer" => AuditEvent::Defer,
        _ => AuditEvent::Submit,
    }
}

/// Overlay `extra` on `base`: every field set in `extra` wins.
pub(super) fn merge_facts(base: AuditFacts, extra: AuditFacts) -> Result<AuditFacts> {
    let mut b = serde_json::to_value(base)
        .map_err(|e| Error::input(JSON_INVALID, format!("facts: {e}")))?;
    let e = serde_json::to_value(extra)
        .map_err(|e| Error::input(JSON_INVALID, format!("facts: {e}")))?;
    if let (Some(bo), serde_json::Value::Object(eo)) = (b.as_object_mut(), e) {
        bo.extend(eo);
    }
    serde_json::from_value(b).map_err(|e| Error::input(JSON_INVALID, format!("facts: {e}")))
}

/// Run `mmhs audit …`.
pub(super) fn run(args: Args) -> Result<Outcome> {
    match args {
        Args::Record(a) => record(a),
        Args::Verify(a) => verify(a),
    }
}

fn record(args: RecordArgs) -> Result<Outcome> {
    let mut facts = match &args.message {
        Some(p) => AuditFacts::from_message(&io::read_input(p, "message")?),
        None => AuditFacts::default(),
    };
    if let Some(p) = &args.facts {
        facts = merge_facts(facts, read_json(p, "facts")?)?;
    }
    let prev = match &args.log {
        Some(p) if p.exists() => parse_log(&io::read_input(p, "audit log")?)?.pop(),
        _ => None,
    };
    let at = io::time_or_now("--at", args.at.as_deref())?;
    let rec = audit_record(
        agent(&args.agent),
        event(&args.event),
        facts,
        at,
        prev.as_ref(),
    );
    let line = serde_json::to_string(&rec)
        .map_err(|e| Error::input(io::OUTPUT_FAILED, format!("record: {e}")))?;
    if let Some(p) = &args.log {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .and_then(|mut f| writeln!(f, "{line}").map(|()| f))
            .map_err(|e| {
                Error::input(
                    io::OUTPUT_FAILED,
                    format!("cannot append to {}: {e}", p.display()),
                )
            })?;
        let _ = f.flush();
    }
    io::print_json(&rec)?;
    Ok(Outcome::Success)
}

fn verify(args: VerifyArgs) -> Result<Outcome> {
    let records = parse_log(&io::read_input(&args.log, "audit log")?)?;
    let now = io::time_or_now("--now", args.now.as_deref())?
        .format(&time::format_description::well_known::Rfc3339)
        .ok();
    let opts = AuditVerifyOptions {
        expected_head: args.expected_head,
        retention_days: args.retention_days,
        now,
    };
    let v = verify_audit_log(&records, &opts);
    io::print_json(&v)?;
    Ok(if v.valid {
        Outcome::Success
    } else {
        Outcome::NotValid
    })
}

//! The Draft & Release subcommands (docs/release.md):
//!
//! - `mmhs release IN.eml --key KEY.pem --cert CERT.pem --trust ROOTS.pem [--policy POLICY.json]
//!   [--no-countersign | --reject REASON | --decision approve|reject|review [--reason TEXT]]
//!   [--envelope ENV.json] [--report FILE] [--envelope-out FILE] [--result-json] [--at TIME]
//!   [--json REQUEST.json] > OUT.eml`
//!   — the release officer's procedure ([`crate::release::ReleaseOptions::release`]). The flags
//!   build the core's [`ReleaseOptions`]; `--json` reads one instead (the object the wasm
//!   `release` takes, `officer` included unless the key flags give it). Released (or already
//!   released): the updated message on stdout, exit 0. Rejected: the notice to the drafter on
//!   stdout, exit 1. Refused / blocked: nothing on stdout, exit 1. Reviewed: exit 0. The
//!   outcome, findings, problems and report go to `--report FILE`, else to stderr as one JSON
//!   object (`message` left out). With `--result-json` the whole `ReleaseResult` (the wasm
//!   `release` output, `message` in base64) goes to stdout instead of the message.
//! - `mmhs countersign IN.eml --key KEY.pem --cert CERT.pem [--signer-index N] [--at TIME] > OUT.eml`
//!   — an RFC 5652 §11.4 countersignature on one SignerInfo of the outer SignedData.
//! - `mmhs release-gate IN.eml [--policy POLICY.json] [--submitter ADDR] [--rcpt ADDR]…
//!   [--trust ROOTS.pem] [--cert X.pem] [--at TIME] [--json REQUEST.json]` — the submission
//!   gate ([`crate::release::ReleaseGateRequest::gate`]: one verification, then the decision;
//!   the flags build the request, `--json` reads one); prints the
//!   decision JSON; exit 0 for `transfer`/`releaseQueue`, 1 for `refuse`. Without
//!   `--submitter` the submission is unauthenticated.

use std::path::PathBuf;

use serde::Serialize;

use super::material::{read_cert_files, read_json, read_request, KeyArgs, ARGS_INVALID};
use super::{io, Outcome};
use crate::compose::Envelope;
use crate::release::{
    Decision, DecisionRequest, GateAction, Outcome as ReleaseOutcome, ReleaseGateRequest,
    ReleaseOptions, ReleasePolicy, ReleaseResult,
};
use crate::smime::countersign_message;
use crate::{Error, Result};

/// The option flags of `mmhs release` that `--json` replaces.
const RELEASE_OPTION_FLAGS: [&str; 8] = [
    "policy",
    "no_countersign",
    "reject",
    "decision",
    "reason",
    "envelope",
    "at",
    "extra_cert",
];

/// Arguments of `mmhs release`.
#[derive(Debug, clap::Args)]
pub(super) struct ReleaseArgs {
    /// The submitted message (`-` for stdin).
    pub message: PathBuf,
    /// The officer's key and certificate.
    #[command(flatten)]
    pub key: KeyArgs,
    /// Trust anchors for step 1 (PEM; repeatable; added to a `--json` request's).
    #[arg(long, value_name = "ROOTS.pem", required_unless_present = "json")]
    pub trust: Vec<PathBuf>,
    /// Extra certificates for path validation (PEM; repeatable).
    #[arg(long = "extra-cert", value_name = "X.pem")]
    pub extra_cert: Vec<PathBuf>,
    /// The release policy (JSON, docs/release.md); default: the default policy.
    #[arg(long, value_name = "POLICY.json")]
    pub policy: Option<PathBuf>,
    /// Approve without countersigning (only the address is added).
    #[arg(long, conflicts_with_all = ["reject", "decision"])]
    pub no_countersign: bool,
    /// Reject with this reason (a notice to the drafter is produced).
    #[arg(long, value_name = "REASON", conflicts_with = "decision")]
    pub reject: Option<String>,
    /// The decision (default: approve).
    #[arg(long, value_parser = ["approve", "reject", "review"])]
    pub decision: Option<String>,
    /// The reason of `--decision reject`.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// The envelope the message was submitted with (JSON, as `compose` writes it).
    #[arg(long, value_name = "ENV.json")]
    pub envelope: Option<PathBuf>,
    /// Write the result (without the message) as JSON to this file instead of stderr.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write the output message's envelope (JSON) to this file.
    #[arg(long, value_name = "FILE")]
    pub envelope_out: Option<PathBuf>,
    /// Print the whole result as JSON (the wasm `release` output) instead of the message.
    #[arg(long)]
    pub result_json: bool,
    /// Current time (RFC 3339): validation time, countersignature signingTime; default: now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// The release request as JSON (docs/js-api.md `ReleaseOptions`) instead of the option
    /// flags; its `officer` may be left out when the key flags give the officer.
    #[arg(long, value_name = "REQUEST.json", conflicts_with_all = RELEASE_OPTION_FLAGS)]
    pub json: Option<PathBuf>,
}

/// The result without the message, for `--report` / stderr.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary<'a> {
    outcome: ReleaseOutcome,
    next: &'a Option<crate::release::NextHop>,
    envelope: &'a Option<Envelope>,
    findings: &'a [crate::release::Finding],
    stripped: &'a [String],
    problems: &'a [crate::Problem],
    report: &'a crate::report::VerifyReport,
}

fn decision(args: &ReleaseArgs) -> Result<Decision> {
    if let Some(reason) = &args.reject {
        return Ok(Decision::Reject {
            reason: reason.clone(),
        });
    }
    match args.decision.as_deref() {
        None | Some("approve") => Ok(Decision::Approve),
        Some("review") => Ok(Decision::Review),
        Some(_) => match &args.reason {
            Some(r) if !r.trim().is_empty() => Ok(Decision::Reject { reason: r.clone() }),
            _ => Err(Error::input(
                ARGS_INVALID,
                "--decision reject needs --reason TEXT",
            )),
        },
    }
}

/// The release request of `mmhs release`: `--json`, else the flags (the officer then comes
/// from the key flags).
fn release_request(args: &ReleaseArgs) -> Result<ReleaseOptions> {
    if let Some(path) = &args.json {
        return read_request(path, "release request");
    }
    let mut policy: ReleasePolicy = match &args.policy {
        Some(p) => read_json(p, "policy")?,
        None => ReleasePolicy::default(),
    };
    if args.no_countersign {
        policy.countersign = false;
    }
    Ok(ReleaseOptions {
        officer: None,
        trust_anchors: Vec::new(),
        certificates: Vec::new(),
        crls: Vec::new(),
        policy: Some(policy),
        decision: DecisionRequest::Core(decision(args)?),
        envelope: match &args.envelope {
            Some(p) => Some(read_json(p, "envelope")?),
            None => None,
        },
        at: io::optional_time("--at", args.at.as_deref())?,
        decryption_key: None,
    })
}

/// Run `mmhs release`.
pub(super) fn run_release(args: ReleaseArgs) -> Result<Outcome> {
    let raw = io::read_input(&args.message, "message")?;
    let req = release_request(&args)?;
    let key = if args.json.is_none() || args.key.key.is_some() || args.key.p12.is_some() {
        Some(args.key.signer("officer")?)
    } else {
        None
    };
    let now = time::OffsetDateTime::now_utc();
    let mut ctx = req.context(now)?;
    ctx.trust_anchors
        .extend(read_cert_files(&args.trust, "trust anchors")?);
    ctx.certificates
        .extend(read_cert_files(&args.extra_cert, "certificate")?);
    if ctx.trust_anchors.is_empty() {
        return Err(Error::input(
            ARGS_INVALID,
            "no trust anchor: give --trust files or trustAnchors",
        ));
    }
    let result = req.release(&raw, key, &ctx, now, &mut crate::rng::system_rng())?;
    write_release_output(&args, &result)?;
    Ok(match result.outcome {
        ReleaseOutcome::Released | ReleaseOutcome::AlreadyReleased | ReleaseOutcome::Reviewed => {
            Outcome::Success
        }
        ReleaseOutcome::Refused
        | ReleaseOutcome::Rejected
        | ReleaseOutcome::Bounced
        | ReleaseOutcome::Blocked => Outcome::NotValid,
    })
}

fn write_release_output(args: &ReleaseArgs, result: &ReleaseResult) -> Result<()> {
    let summary = Summary {
        outcome: result.outcome,
        next: &result.next,
        envelope: &result.envelope,
        findings: &result.findings,
        stripped: &result.stripped,
        problems: &result.problems,
        report: &result.report,
    };
    if let Some(path) = &args.envelope_out {
        if let Some(env) = &result.envelope {
            io::write_file(path, &io::to_json(env)?)?;
        }
    }
    if args.result_json {
        io::print_json(result)?;
    } else if !result.message.is_empty() {
        io::write_stdout(&result.message)?;
    }
    let summary_json = io::to_json(&summary)?;
    match &args.report {
        Some(path) => io::write_file(path, &summary_json)?,
        None if !args.result_json => eprint!("{}", String::from_utf8_lossy(&summary_json)),
        None => {}
    }
    Ok(())
}

/// Arguments of `mmhs countersign`.
#[derive(Debug, clap::Args)]
pub(super) struct CountersignArgs {
    /// The signed message (`-` for stdin).
    pub message: PathBuf,
    /// The countersigner's key and certificate.
    #[command(flatten)]
    pub key: KeyArgs,
    /// Which SignerInfo of the outer SignedData to countersign (from 0).
    #[arg(long, default_value_t = 0)]
    pub signer_index: usize,
    /// signingTime of the countersignature (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
}

/// Run `mmhs countersign`.
pub(super) fn run_countersign(args: CountersignArgs) -> Result<Outcome> {
    let raw = io::read_input(&args.message, "message")?;
    let signer = args.key.signer("countersigner")?;
    let at = io::time_or_now("--at", args.at.as_deref())?;
    let out = countersign_message(
        &raw,
        args.signer_index,
        &signer,
        at,
        &mut crate::rng::system_rng(),
    )?;
    io::write_stdout(&out)?;
    Ok(Outcome::Success)
}

/// Arguments of `mmhs release-gate`.
#[derive(Debug, clap::Args)]
pub(super) struct GateArgs {
    /// The submitted message (`-` for stdin).
    pub message: PathBuf,
    /// The release policy (JSON); default: the default policy.
    #[arg(long, value_name = "POLICY.json")]
    pub policy: Option<PathBuf>,
    /// The authenticated submitter (SMTP AUTH identity); absent = unauthenticated.
    #[arg(long, value_name = "ADDR")]
    pub submitter: Option<String>,
    /// An envelope recipient (SMTP RCPT TO; repeatable).
    #[arg(long, value_name = "ADDR")]
    pub rcpt: Vec<String>,
    /// Trust anchors the message is verified against (repeatable; none = nothing chains).
    #[arg(long, value_name = "ROOTS.pem")]
    pub trust: Vec<PathBuf>,
    /// Extra certificates for path validation (repeatable).
    #[arg(long = "cert", value_name = "X.pem")]
    pub cert: Vec<PathBuf>,
    /// Validation time (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// The gate request as JSON (docs/js-api.md `ReleaseGateRequest`) instead of `--policy`,
    /// `--submitter`, `--rcpt` and `--at`; `--trust` and `--cert` files are added to it.
    #[arg(long, value_name = "REQUEST.json", conflicts_with_all = ["policy", "submitter", "rcpt", "at"])]
    pub json: Option<PathBuf>,
}

/// The gate request of `mmhs release-gate`: `--json`, else the flags.
fn gate_request(args: &GateArgs) -> Result<ReleaseGateRequest> {
    if let Some(path) = &args.json {
        return read_request(path, "release gate request");
    }
    Ok(ReleaseGateRequest {
        policy: match &args.policy {
            Some(p) => Some(read_json(p, "policy")?),
            None => None,
        },
        submitter: args.submitter.clone(),
        recipients: args.rcpt.clone(),
        at: io::optional_time("--at", args.at.as_deref())?,
        ..ReleaseGateRequest::default()
    })
}

/// Run `mmhs release-gate`.
pub(super) fn run_gate(args: GateArgs) -> Result<Outcome> {
    let raw = io::read_input(&args.message, "message")?;
    let req = gate_request(&args)?;
    let mut ctx = req.context(time::OffsetDateTime::now_utc())?;
    ctx.trust_anchors
        .extend(read_cert_files(&args.trust, "trust anchors")?);
    ctx.certificates
        .extend(read_cert_files(&args.cert, "certificate")?);
    let d = req.gate(&raw, &ctx)?;
    io::print_json(&d)?;
    Ok(if d.action == GateAction::Refuse {
        Outcome::NotValid
    } else {
        Outcome::Success
    })
}

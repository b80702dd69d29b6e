//! `mmhs label check|receivable|equivalents` — label-based access control from the command
//! line (docs/security.md, "Label-based access control"; `crate::label_policy`), the same
//! JSON as the wasm exports `labelCheck`, `labelReceivable` and `labelEquivalents`.
//!
//! - `mmhs label check --policy DIR MSG --rcpt A [--rcpt B …] [--next-hop H] --trust ROOTS.pem
//!   [--cert X.pem …] [--clearance-cert C.pem …] [--unlabelled refuse|default] [--at TIME]`:
//!   verifies the message once, then prints the decision (`{ action, label, marking, source,
//!   problems, recipients }`). Exit 0 when the message may go to every recipient, 1 when it
//!   is refused as a whole or for some recipient.
//! - `mmhs label receivable --policy DIR --rcpt A … [--policy-id OID]`: which classifications
//!   of the local (or named) policy every recipient may receive.
//! - `mmhs label equivalents --policy DIR LABEL.json`: the equivalents of a label (JSON of
//!   `report::SecurityLabel`) in the other policies of the directory.
//!
//! `--clearance-cert` certificates carry the X.509 clearance attribute (RFC 5755 §4.4.6) of
//! their subjects; only those that validate to `--trust` at the time count.

use std::path::PathBuf;

use super::material::{read_cert_files, read_json};
use super::{io, Outcome};
use crate::label_policy::{
    self, clearance::trusted_certificate_clearances, LabelAction, LabelInput, RecipientRef,
    Unlabelled,
};
use crate::report::SecurityLabel;
use crate::server::labels::load_dir;
use crate::verify::{verify, VerifyContext};
use crate::{Error, Result};

/// `mmhs label …`
#[derive(Debug, clap::Subcommand)]
pub(super) enum Args {
    /// Decide whether a message may go to these recipients (prints the decision).
    Check(CheckArgs),
    /// Which classifications these recipients may receive.
    Receivable(ReceivableArgs),
    /// The equivalent labels of a label in the other policies.
    Equivalents(EquivalentsArgs),
}

/// `mmhs label check`.
#[derive(Debug, clap::Args)]
pub(super) struct CheckArgs {
    /// Directory of security policy files (one JSON file per policy).
    #[arg(long, value_name = "DIR")]
    pub policy: PathBuf,
    /// The message (`-` for stdin).
    pub message: PathBuf,
    /// Recipient (repeatable).
    #[arg(long, value_name = "ADDRESS", required = true)]
    pub rcpt: Vec<String>,
    /// Next hop of every recipient (host or domain name); none: local delivery.
    #[arg(long, value_name = "HOST")]
    pub next_hop: Option<String>,
    /// Trust anchors: a signed label counts only from a valid, trusted signature.
    #[arg(long, value_name = "ROOTS.pem", required = true)]
    pub trust: Vec<PathBuf>,
    /// Extra certificates for verification (repeatable).
    #[arg(long, value_name = "CERT.pem")]
    pub cert: Vec<PathBuf>,
    /// Recipients' certificates carrying a clearance attribute (repeatable).
    #[arg(long, value_name = "CERT.pem")]
    pub clearance_cert: Vec<PathBuf>,
    /// Unlabelled military messages: refused, or given the local policy's default label.
    #[arg(long, value_enum, default_value = "refuse")]
    pub unlabelled: UnlabelledArg,
    /// Verification time (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
}

/// `--unlabelled`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(super) enum UnlabelledArg {
    /// Refuse.
    Refuse,
    /// Default label.
    Default,
}

/// `mmhs label receivable`.
#[derive(Debug, clap::Args)]
pub(super) struct ReceivableArgs {
    /// Directory of security policy files.
    #[arg(long, value_name = "DIR")]
    pub policy: PathBuf,
    /// Recipient (repeatable).
    #[arg(long, value_name = "ADDRESS", required = true)]
    pub rcpt: Vec<String>,
    /// The policy whose classifications are listed (default: the local one).
    #[arg(long, value_name = "OID")]
    pub policy_id: Option<String>,
}

/// `mmhs label equivalents`.
#[derive(Debug, clap::Args)]
pub(super) struct EquivalentsArgs {
    /// Directory of security policy files.
    #[arg(long, value_name = "DIR")]
    pub policy: PathBuf,
    /// The label (JSON `{ policy, classification, categories }`).
    pub label: PathBuf,
}

fn policies(dir: &std::path::Path) -> Result<label_policy::PolicySet> {
    load_dir(dir).map_err(|e| Error::input(label_policy::policy::POLICY_INVALID, e.to_string()))
}

/// Run `mmhs label …`.
pub(super) fn run(args: Args) -> Result<Outcome> {
    match args {
        Args::Check(a) => check(a),
        Args::Receivable(a) => {
            let set = policies(&a.policy)?;
            let rcpts = refs(&a.rcpt, None);
            io::print_json(&label_policy::receivable_classifications(
                &set,
                a.policy_id.as_deref(),
                &rcpts,
                &[],
            ))?;
            Ok(Outcome::Success)
        }
        Args::Equivalents(a) => {
            let set = policies(&a.policy)?;
            let label: SecurityLabel = read_json(&a.label, "label")?;
            io::print_json(&label_policy::request::equivalents_in(&set, &label))?;
            Ok(Outcome::Success)
        }
    }
}

fn refs(rcpts: &[String], hop: Option<&str>) -> Vec<RecipientRef> {
    rcpts
        .iter()
        .map(|r| RecipientRef {
            address: r.clone(),
            next_hop: hop.map(String::from),
        })
        .collect()
}

fn check(a: CheckArgs) -> Result<Outcome> {
    let set = policies(&a.policy)?;
    let raw = io::read_input(&a.message, "message")?;
    let at = io::time_or_now("--at", a.at.as_deref())?;
    let anchors = read_cert_files(&a.trust, "trust anchors")?;
    let ctx = VerifyContext {
        trust_anchors: anchors.clone(),
        certificates: read_cert_files(&a.cert, "certificate")?,
        at: Some(at),
        ..VerifyContext::default()
    };
    let report = verify(&raw, &ctx)?;
    let trust = crate::trust::TrustContext {
        anchors,
        intermediates: ctx.certificates.clone(),
        crls: Vec::new(),
        at,
    };
    let mut input = LabelInput::from_report(&report);
    input.recipients = refs(&a.rcpt, a.next_hop.as_deref());
    input.certificate_clearances = trusted_certificate_clearances(
        &read_cert_files(&a.clearance_cert, "clearance certificate")?,
        &trust,
    );
    input.unlabelled = match a.unlabelled {
        UnlabelledArg::Refuse => Unlabelled::Refuse,
        UnlabelledArg::Default => Unlabelled::Default,
    };
    let d = label_policy::decide(&set, &input);
    io::print_json(&d)?;
    Ok(
        if d.action == LabelAction::Refuse || d.refused().next().is_some() {
            Outcome::NotValid
        } else {
            Outcome::Success
        },
    )
}

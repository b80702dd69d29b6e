//! The `mmhs` command line (native only): every wasm export has a subcommand with the same
//! JSON in and out, so the core can be scripted, diffed and benchmarked without a browser.
//! See `docs/cli.md`.
//!
//! Exit codes (stable, scripts rely on them):
//! - `0` success (for `verify`: the message is valid);
//! - `1` the input was understood but is not valid, or the operation was refused
//!   (`verify` of a bad signature, `release` refused);
//! - `2` unusable input: unreadable file, malformed JSON or message, bad arguments. One JSON
//!   line `{"code": "...", "message": "..."}` ([`crate::error::ErrorJson`]) goes to stderr
//!   (argument errors print clap's usage text instead).
//!
//! One file per subcommand, `src/cli/<name>.rs`, each with an `Args` struct (clap derive)
//! and `pub fn run(args: Args) -> Result<Outcome>`; this file only dispatches. To add one:
//! write the file, add `mod <name>;` and a variant to `Command` with a doc comment (it is
//! the `--help` text), and a match arm in `run`; test it in `tests/cli_<name>.rs`.

mod audit;
mod certificate;
mod compose;
mod content;
mod encrypt;
mod inspect;
mod io;
mod label;
mod material;
mod mdn;
mod mixer;
mod pkcs12;
mod receipt;
mod release;
pub(crate) mod serve;
mod sign;
mod verify;
mod vocabulary;

use std::ffi::OsString;

use clap::{Parser, Subcommand};

use crate::error::ErrorJson;
use crate::Result;

/// `mmhs` — military messaging (MMHS over SMTP) with S/MIME.
#[derive(Debug, Parser)]
#[command(name = "mmhs", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compose a JSON request into finished messages and their SMTP envelopes.
    Compose(compose::Args),
    /// Show the MMHS header fields of a message as JSON.
    Inspect(inspect::Args),
    /// What a reader shows of a message's content (headers, text, attachments, reports) as
    /// JSON, or the decoded octets of one attachment.
    Content(content::Args),
    /// Sign a message (S/MIME, multipart/signed or signed-data).
    Sign(sign::Args),
    /// Encrypt a message to recipient certificates (S/MIME enveloped / authEnveloped data).
    Encrypt(encrypt::EncryptArgs),
    /// Decrypt an S/MIME encrypted message.
    Decrypt(encrypt::DecryptArgs),
    /// Verify every S/MIME layer and print the report (exit 0 only when valid).
    Verify(verify::Args),
    /// Return a signed receipt for a received message that requests one (RFC 2634 §2).
    Receipt(receipt::Args),
    /// The reader's message disposition notification (RFC 8098) for a JSON request.
    Mdn(mdn::Args),
    /// Subject, issuer, validity, e-mail addresses and SHA-256 fingerprint of certificates.
    #[command(name = "certificate-info")]
    CertificateInfo(certificate::Args),
    /// Whether a certificate validates now against trust anchors, and its path (JSON request).
    #[command(name = "certificate-status")]
    CertificateStatus(certificate::RequestArgs),
    /// The certificate each recipient would be encrypted to, and those refused (JSON request).
    #[command(name = "encryption-recipients")]
    EncryptionRecipients(certificate::RequestArgs),
    /// The standard precedences (with their STANAG4406 MT-PRIORITY) and message types.
    Vocabulary(vocabulary::Args),
    /// Countersign a SignerInfo of a signed message (RFC 5652 §11.4).
    Countersign(release::CountersignArgs),
    /// The release officer's procedure (approve / reject / review a draft).
    Release(release::ReleaseArgs),
    /// Submission gate: transfer, release queue or refuse.
    ReleaseGate(release::GateArgs),
    /// Label-based access control: decide for a message, receivable classifications,
    /// equivalent labels (docs/security.md).
    #[command(subcommand)]
    Label(label::Args),
    /// MIXER mapping of originator and authorizing users (to X.400 and back).
    Mixer(mixer::Args),
    /// Audit trail: make records, verify a log.
    #[command(subcommand)]
    Audit(audit::Args),
    /// Import a PKCS#12 file: encrypted PKCS#8 key + certificates as JSON.
    #[command(name = "import-pkcs12")]
    ImportPkcs12(pkcs12::Args),
    /// Reference webmail + SMTP submission agent + mailbox store (docs/server.md).
    Serve(serve::ServeArgs),
    /// Boundary MTA agent of domain security: a Postfix content filter that domain-signs,
    /// encrypts, decrypts and verifies (docs/domain.md).
    Boundary(serve::BoundaryArgs),
}

/// What a subcommand concluded (errors are `Err`, exit 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done / valid: exit 0.
    Success,
    /// Understood but not valid, or refused: exit 1.
    NotValid,
    /// A subcommand that computes its own exit code (`serve`, `boundary`).
    Code(i32),
}

impl Outcome {
    /// The process exit code.
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Success => 0,
            Outcome::NotValid => 1,
            Outcome::Code(code) => code,
        }
    }
}

/// Exit code for unusable input.
pub const EXIT_UNUSABLE: i32 = 2;

/// Entry point: parse `std::env::args`, run, return the process exit code.
pub fn main() -> i32 {
    main_from(std::env::args_os())
}

/// [`main`] with explicit arguments (the first is the program name).
pub fn main_from<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help / --version print to stdout and succeed; usage errors exit 2.
            let _ = e.print();
            return if e.use_stderr() { EXIT_UNUSABLE } else { 0 };
        }
    };
    match run(cli.command) {
        Ok(outcome) => outcome.exit_code(),
        Err(e) => {
            let json = serde_json::to_string(&ErrorJson::from(&e))
                .unwrap_or_else(|_| format!("{{\"code\":\"{}\"}}", e.code()));
            eprintln!("{json}");
            EXIT_UNUSABLE
        }
    }
}

fn run(command: Command) -> Result<Outcome> {
    match command {
        Command::Compose(args) => compose::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Content(args) => content::run(args),
        Command::Sign(args) => sign::run(args),
        Command::Encrypt(args) => encrypt::encrypt(args),
        Command::Decrypt(args) => encrypt::decrypt(args),
        Command::Verify(args) => verify::run(args),
        Command::Receipt(args) => receipt::run(args),
        Command::Mdn(args) => mdn::run(args),
        Command::CertificateInfo(args) => certificate::run(args),
        Command::CertificateStatus(args) => certificate::run_status(args),
        Command::EncryptionRecipients(args) => certificate::run_recipients(args),
        Command::Vocabulary(args) => vocabulary::run(args),
        Command::Countersign(args) => release::run_countersign(args),
        Command::Release(args) => release::run_release(args),
        Command::ReleaseGate(args) => release::run_gate(args),
        Command::Label(args) => label::run(args),
        Command::Mixer(args) => mixer::run(args),
        Command::Audit(args) => audit::run(args),
        Command::ImportPkcs12(args) => pkcs12::run(args),
        Command::Serve(args) => Ok(Outcome::Code(serve::serve(args))),
        Command::Boundary(args) => Ok(Outcome::Code(serve::boundary(args))),
    }
}

//! # mmhs — military messaging (MMHS over SMTP) with S/MIME, for ordinary webmail
//!
//! A **sans-I/O core**: nothing here touches the network, the disk, the DOM, the clock or
//! the operating system's RNG. The current time and a random number generator are always
//! parameters, so the same functions run in the browser (through the thin `wasm` facade),
//! in the `mmhs` command line, in the native server and in tests with fixed, repeatable output.
//!
//! Modules, by layer, bottom up; imports point down (`docs/design.md` "Layers", checked by
//! `tests/layers.rs`):
//! - 0: [`rng`], [`cancel`] (injected randomness, cancellation); [`coded`] (the `Coded` trait
//!   every error implements); [`request`] (reading the JSON request of an operation, the same
//!   for the CLI and the wasm facade; each operation's request type lives beside it);
//!   [`report`] (the one verification report every caller renders,
//!   and its code catalogue); [`asn1`] (the one BER reader, DER writer, ContentInfo and OID
//!   table).
//! - 1: [`mime`]: raw header-section reading/writing helpers shared by every module
//!   (RFC 5322, RFC 2045/2047/2231), keeping raw byte offsets; [`ess`]: the ESS security
//!   label (RFC 2634 §3.2), one codec for the signed attribute and the SIO-Label `:ess` form.
//! - 2: [`fields`]: the MMHS header fields (RFC 6477, RFC 7912, RFC 6758, RFC 7444, RFC 2156)
//!   and `inspect`; [`algorithm_policy`]: which algorithms and key sizes are weak, on
//!   receipt and when producing (one policy for CMS signatures, certification paths and
//!   encrypted layers); [`signature`]: digests and the pure-Rust verification of signature
//!   values (CMS SignerInfos, certificates, CRLs); [`pki`]: the demo/test certificate profile.
//! - 3: [`smime`]: CMS sign / encrypt / decrypt / compress / countersign, and the CMS-level
//!   checks of SignedData (signatures, attributes, SignerIdentifier → certificate);
//!   [`keys`], [`trust`]: key import/export and RFC 5280 path validation.
//! - 4: [`domain`]: domain security (draft-melnikov-smime-msa-to-mda): `smtp:` / `submit:`
//!   URIs, the agent naming convention, generating each signature type, DCA, gateway;
//!   [`protect`]: header protection (wrapped `forwarded=no`, RFC 9788 injected headers);
//!   [`label_policy`]: label-based access control — security policies (classifications,
//!   categories, markings, equivalences), clearances (RFC 5755) and the decision whether a
//!   labelled message may go to its recipients and next hops.
//! - 5: [`verify`]: reading a received message — every layer, every signature bound to its
//!   own certificate, trust, originator, labels, field coverage, authorizing users, the
//!   verdict.
//! - 6: [`compose`]: compose request → finished messages with SMTP envelopes; [`release`]:
//!   Draft & Release, the release gate, MIXER mapping, audit trail; [`domain_agent`]: the
//!   agent operations that verify before acting (Mail List Agent, §5 domain signature).
//! - 7: [`error`]: the aggregate [`Error`] the facades see; the facades `cli`, `server`
//!   (native) and `wasm`.
#![forbid(unsafe_code)]
// The public surface is declared: every public item is documented, and an item that is `pub`
// but not reachable from this root is an error (make it `pub(crate)` or re-export it).
#![warn(missing_docs, unreachable_pub)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod algorithm_policy;
pub mod asn1;
pub mod cancel;
pub mod coded;
pub mod compose;
pub mod domain;
pub mod domain_agent;
pub mod error;
pub mod ess;
pub mod fields;
pub mod keys;
pub mod label_policy;
pub mod memo;
pub mod mime;
pub mod pki;
pub mod problem;
pub mod protect;
pub mod release;
pub mod report;
pub mod request;
pub mod rng;
pub mod signature;
pub mod smime;
pub mod trust;
pub mod verify;

/// Native-only: command-line interface and the reference webmail/submission agent.
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(not(target_arch = "wasm32"))]
pub mod server;

/// The thin `#[wasm_bindgen]` facade (compiled only for wasm32).
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
pub use report::Problem;

//! The library's integration tests in one binary: composing, header fields, S/MIME,
//! header protection, trust, receipts, Draft & Release, domain rules, verification and the golden
//! corpora — the core called as a library (no server, no `mmhs` binary).
//!
//! Test names are `<file>::<test>`: `cargo test --test core <file>::` runs one file.
// serde_json::json! of the larger expected compose results (compose_mime)
#![recursion_limit = "256"]

mod support;

#[path = "compose_envelope.rs"]
mod compose_envelope;
#[path = "compose_errors.rs"]
mod compose_errors;
#[path = "compose_golden.rs"]
mod compose_golden;
#[path = "compose_mime.rs"]
mod compose_mime;
#[path = "compose_readback.rs"]
mod compose_readback;
#[path = "compose_robust.rs"]
mod compose_robust;
#[path = "compose_security.rs"]
mod compose_security;
#[path = "compose_split.rs"]
mod compose_split;
#[path = "correspondents.rs"]
mod correspondents;
#[path = "domain_encryption.rs"]
mod domain_encryption;
#[path = "domain_mla.rs"]
mod domain_mla;
#[path = "domain_signatures.rs"]
mod domain_signatures;
#[path = "key_operation.rs"]
mod key_operation;
#[path = "layers.rs"]
mod layers;
#[path = "memory_bounds.rs"]
mod memory_bounds;
#[path = "mmhs_inspect.rs"]
mod mmhs_inspect;
#[path = "mmhs_robustness.rs"]
mod mmhs_robustness;
#[path = "pkits.rs"]
mod pkits;
#[path = "protect_vectors.rs"]
mod protect_vectors;
#[path = "receipt_signed.rs"]
mod receipt_signed;
#[path = "release_procedure.rs"]
mod release_procedure;
#[path = "report_codes.rs"]
mod report_codes;
#[path = "smime_envelope_vectors.rs"]
mod smime_envelope_vectors;
#[path = "smime_sign_vectors.rs"]
mod smime_sign_vectors;
#[path = "smime_verify_layers.rs"]
mod smime_verify_layers;
#[path = "test_layout.rs"]
mod test_layout;
#[path = "trust_dos.rs"]
mod trust_dos;
#[path = "trust_vectors.rs"]
mod trust_vectors;
#[path = "ts_types.rs"]
mod ts_types;
#[path = "verify_attacks.rs"]
mod verify_attacks;
#[path = "verify_golden.rs"]
mod verify_golden;

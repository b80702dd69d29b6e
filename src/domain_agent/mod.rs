//! The domain agents' operations that verify a message before acting on it
//! (draft-melnikov-smime-msa-to-mda-04 §5; RFC 2634 §4.2: "verify the signatures before
//! using" what the message carries), so they sit above the one receive pipeline
//! (`crate::verify`) and below the facades:
//!
//! - [`mla`]: a Mail List Agent's expansion (RFC 2634 §4): verify, search the "outer"
//!   signedData, decrypt, re-encrypt for the members, record the expansion history;
//! - [`outer_layer`]: applying a domain signature when Mail List Agents are present (§5), and
//!   the "outer" signedData search both share;
//! - [`reception`]: a receiving DCA opening a layer for it under signed layers (§4.2, §5.1),
//!   after verifying what it strips.
//!
//! The rules they apply without verifying — signature types, the naming convention, the
//! layer reader, DCA and gateway — are in `crate::domain`, below; errors are
//! `crate::domain::Error`.

pub(crate) mod mla;
pub(crate) mod outer_layer;
pub(crate) mod reception;

pub use mla::{expand, Expansion, MailListAgent};
pub use outer_layer::{
    apply_domain_signature, search_outer, DomainAgent, DomainPolicy, DomainSigned,
};
pub use reception::{open_below_signatures, BelowSignatures, OpenedBelow};

//! Signed receipts (RFC 2634 §2; MMHS profile §4.1.7, non-repudiation of receipt) as the report
//! shows them: the receipt request an original carries
//! ([`VerifyReport::receipt_request`](super::VerifyReport::receipt_request)) and the signed
//! receipt a message is ([`VerifyReport::receipt`](super::VerifyReport::receipt)).
//!
//! ```text
//! ReceiptRequest ::= SEQUENCE {
//!   signedContentIdentifier ContentIdentifier,
//!   receiptsFrom ReceiptsFrom,
//!   receiptsTo SEQUENCE SIZE (1..ub-receiptsTo) OF GeneralNames }
//! ReceiptsFrom ::= CHOICE {
//!   allOrFirstTier [0] AllOrFirstTier,
//!   receiptList [1] SEQUENCE OF GeneralNames }
//! AllOrFirstTier ::= INTEGER { allReceipts (0), firstTierRecipients (1) }
//! ```
//! The encoding and decoding are [`crate::smime::receipt_request`]'s. A `GeneralNames` (one
//! entity) is a list of names; in JSON each name is a string: an rfc822Name as the bare
//! address (prefixed `rfc822:` when it holds a `:`), the other choices prefixed (`dns:`,
//! `uri:`, `dn:`, `ip:` hex, `other:[n]`).

use serde::{Deserialize, Serialize};

use super::Problem;

/// Who is asked to return a signed receipt (RFC 2634 §2.2 `receiptsFrom`). JSON:
/// `{"kind": "all"}`, `{"kind": "firstTier"}`, `{"kind": "list", "recipients": [["bob@…"]]}`.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ReceiptsFrom {
    /// allOrFirstTier = allReceipts (0): every recipient.
    All,
    /// allOrFirstTier = firstTierRecipients (1): recipients not reached through a mailing list.
    FirstTier,
    /// receiptList: exactly these entities (each a GeneralNames).
    List {
        /// The entities, each a list of names.
        recipients: Vec<Vec<String>>,
    },
}

/// The receipt request of an original (RFC 2634 §2.2), from its originator signature.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptRequestReport {
    /// signedContentIdentifier, lower-case hex.
    pub identifier: String,
    /// receiptsFrom.
    pub receipts_from: ReceiptsFrom,
    /// receiptsTo: where receipts go, one entry per entity (each a list of names).
    pub receipts_to: Vec<Vec<String>>,
    /// The signer whose signature carries the request (as `signatures[].signer`).
    pub signer: String,
}

/// A signed receipt (RFC 2634 §2.4, §2.7): whom it is from and whether it proves receipt of
/// the original the caller supplied.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptReport {
    /// The Receipt's signedContentIdentifier, lower-case hex.
    pub identifier: String,
    /// The Receipt's contentType (dotted OID): the content type of the original.
    pub content_type: String,
    /// The receipt signer (as `signatures[].signer`).
    pub signer: String,
    /// Every address of the receipt signer's certificate: who acknowledges receipt.
    pub from: Vec<String>,
    /// signingTime of the receipt signature (RFC 3339), if present: when receipt was signed.
    pub signing_time: Option<String>,
    /// Whether the caller supplied the original (`VerifyContext::original`) to check against.
    pub original_checked: bool,
    /// True only when the receipt signature is valid and trusted, the original was supplied,
    /// and every receipt check passed: the report is `valid`.
    pub verified: bool,
    /// The receipt's own problems (also in `problems`).
    pub problems: Vec<Problem>,
}

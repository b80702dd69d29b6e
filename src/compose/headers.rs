//! The header section of one copy, rule by rule (draft-melnikov-mmhs-profile-09 §3):
//!
//! | rule | field |
//! |---|---|
//! | MM Identification §3.3.5: always | `Message-ID` (same in every copy) |
//! | Content Type Indication §3.3.2 / §3.5.5: always | `MMHS-Extended-Authorisation-Info` |
//! | Originator Indication §3.4.29, §3.4.3 | `Sender` when ≠ From, several From, or authorizing users |
//! | Primary Precedence §3.5.1: iff the copy shows To | `MMHS-Primary-Precedence` |
//! | Copy Precedence §3.5.2: iff the copy shows Cc or Bcc | `MMHS-Copy-Precedence` |
//! | Grade of Delivery §3.4.20 | `MT-Priority` (STANAG4406 policy) |
//! | Blind Copy §3.4.5 | `Bcc` only in blind copies, only its own recipient |
//! | (Non-)receipt notification §3.4.27, §3.4.33 | `Disposition-Notification-To` on the copies that want it |
//! | Expiry §3.4.17, Obsoleting §3.4.28, Replying §3.4.37, Cross Referencing §3.4.9 | `Expires`, `Supersedes`, `In-Reply-To`, `References` |
//! | Language §3.4.23 | `Content-Language` |

use super::fields::{mailbox_list, Checked};
use super::plan::CopyPlan;
use super::request::{ComposeRequest, Mailbox, Recipient};
use super::{ComposeContext, Error};
use crate::fields::names;
use crate::mime::encode::{self, Headers};

fn recipients(list: &[Recipient]) -> String {
    list.iter()
        .map(|r| encode::mailbox(r.name.as_deref(), &r.address))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Build the header section (without MIME-Version and Content-* fields) of one copy.
pub(crate) fn build(
    req: &ComposeRequest,
    _ctx: &ComposeContext,
    checked: &Checked,
    copy: &CopyPlan<'_>,
    message_id: &str,
) -> Result<Headers, Error> {
    let mut h = Headers::new();
    h.push("Date", checked.date.clone());
    h.push("From", mailbox_list(&req.from));
    if let Some(s) = &checked.sender {
        h.push("Sender", mailbox_list(std::slice::from_ref(s)));
    }
    if !req.reply_to.is_empty() {
        h.push("Reply-To", mailbox_list(&req.reply_to));
    }
    let shows_to = !req.to.is_empty();
    let shows_cc = !req.cc.is_empty();
    if shows_to {
        h.push("To", recipients(&req.to));
    }
    if shows_cc {
        h.push("Cc", recipients(&req.cc));
    }
    let shows_bcc = copy.bcc.is_some();
    if let Some(b) = copy.bcc {
        h.push("Bcc", recipients(std::slice::from_ref(b)));
    }
    if let Some(s) = &req.subject {
        h.push("Subject", encode::unstructured(s));
    }
    h.push("Message-ID", message_id.to_string());
    if !checked.in_reply_to.is_empty() {
        h.push("In-Reply-To", checked.in_reply_to.join(" "));
    }
    if !checked.references.is_empty() {
        h.push("References", checked.references.join(" "));
    }
    // Precedences as this copy shows its recipients.
    if shows_to {
        if let Some(p) = &checked.primary {
            h.push(names::MMHS_PRIMARY_PRECEDENCE, p.header.clone());
        }
    }
    if shows_cc || shows_bcc {
        if let Some(p) = &checked.copy {
            h.push(names::MMHS_COPY_PRECEDENCE, p.header.clone());
        }
    }
    h.push(
        names::MT_PRIORITY,
        checked.mt_priority_for(copy).to_string(),
    );
    if let Some(t) = &checked.message_type {
        h.push(names::MMHS_MESSAGE_TYPE, t.clone());
    }
    h.push(
        names::MMHS_EXTENDED_AUTHORISATION_INFO,
        checked.extended_authorisation_info.clone(),
    );
    for (name, value) in &checked.mmhs_fields {
        h.push(name, value.clone());
    }
    if let Some(e) = &checked.expires {
        h.push(names::EXPIRES, e.clone());
    }
    if !checked.supersedes.is_empty() {
        h.push(names::SUPERSEDES, checked.supersedes.join(" "));
    }
    if copy.receipt_notification {
        let to: Vec<Mailbox> = if req.disposition_notification_to.is_empty() {
            req.from.iter().take(1).cloned().collect()
        } else {
            req.disposition_notification_to.clone()
        };
        h.push(names::DISPOSITION_NOTIFICATION_TO, mailbox_list(&to));
    }
    if !req.language.is_empty() {
        h.push(names::CONTENT_LANGUAGE, req.language.join(", "));
    }
    Ok(h)
}

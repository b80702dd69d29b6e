//! Which copies are submitted, and the SMTP envelope of each.
//!
//! - Blind Copy Recipient Indication (profile §3.4.5): "Separate copies of the message MUST
//!   be submitted … for the open recipients (primary and copy recipients) and for each blind
//!   copy recipient", all with the same Message-ID.
//! - Receipt / Non-receipt Notification Request Indication (§3.4.33, §3.4.27): when wanted for
//!   a subset of recipients, the recipients who want it get a copy *with*
//!   `Disposition-Notification-To`, the others a copy *without* it. Open recipients are split
//!   in at most two copies; each Bcc copy carries DNT according to its own recipient.
//!
//! Bcc disclosure (RFC 5322 §3.6.3 offers three ways): open copies carry **no** Bcc field at
//! all (not even an empty one — its presence would tell the open recipients that blind
//! recipients exist); each blind copy carries `Bcc:` with **only its own recipient**, so the
//! Blind Copy Recipient Indication reaches that recipient (profile: "MUST use the Bcc header
//! field") while no blind recipient learns of another. Thunderbird sends one message without
//! Bcc to everyone; the profile's separate-copies rule rules that out.

use super::envelope::{DeliverBy, Envelope, MailParams, Rcpt};
use super::fields::Checked;
use super::request::{ByMode, ComposeRequest, NotifyCondition, Recipient};
use super::{ComposeContext, CopyKind, Error};

/// One copy to submit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CopyPlan<'a> {
    /// Open or blind.
    pub kind: CopyKind,
    /// Envelope recipients of this copy.
    pub rcpts: Vec<&'a Recipient>,
    /// For a blind copy: the one Bcc recipient shown in its `Bcc` field.
    pub bcc: Option<&'a Recipient>,
    /// Carries `Disposition-Notification-To`.
    pub receipt_notification: bool,
}

fn wants_mdn(req: &ComposeRequest, r: &Recipient) -> bool {
    r.receipt_notification.unwrap_or(req.receipt_notification)
}

/// The copies: open recipients with DNT, open recipients without DNT, then each Bcc
/// recipient in request order.
pub(crate) fn plan(req: &ComposeRequest) -> Result<Vec<CopyPlan<'_>>, Error> {
    let open: Vec<&Recipient> = req.to.iter().chain(req.cc.iter()).collect();
    let mut copies = Vec::new();
    for want in [true, false] {
        let rcpts: Vec<&Recipient> = open
            .iter()
            .copied()
            .filter(|r| wants_mdn(req, r) == want)
            .collect();
        if !rcpts.is_empty() {
            copies.push(CopyPlan {
                kind: CopyKind::Open,
                rcpts,
                bcc: None,
                receipt_notification: want,
            });
        }
    }
    for r in &req.bcc {
        copies.push(CopyPlan {
            kind: CopyKind::Blind,
            rcpts: vec![r],
            bcc: Some(r),
            receipt_notification: wants_mdn(req, r),
        });
    }
    if copies.is_empty() {
        return Err(Error::NoRecipients);
    }
    Ok(copies)
}

/// Check a NOTIFY list: non-empty, no duplicates, NEVER alone (RFC 3461 §4.1).
pub(crate) fn check_notify(list: &[NotifyCondition]) -> Result<(), Error> {
    if list.is_empty() {
        return Err(Error::NotifyInvalid("empty list".into()));
    }
    if list.contains(&NotifyCondition::Never) && list.len() > 1 {
        return Err(Error::NotifyInvalid(
            "\"never\" cannot be combined with other conditions".into(),
        ));
    }
    for (i, c) in list.iter().enumerate() {
        if list.iter().skip(i + 1).any(|d| d == c) {
            return Err(Error::NotifyInvalid(format!(
                "\"{}\" given twice",
                c.keyword().to_ascii_lowercase()
            )));
        }
    }
    Ok(())
}

/// The envelope of one copy.
pub(crate) fn envelope(
    req: &ComposeRequest,
    ctx: &ComposeContext,
    checked: &Checked,
    copy: &CopyPlan<'_>,
    message_id: &str,
    raw: &[u8],
) -> Result<Envelope, Error> {
    let envid = match &req.envid {
        Some(e) => e.clone(),
        None => default_envid(message_id),
    };
    if envid.is_empty() || envid.len() > 100 || !envid.bytes().all(|b| (33..=126).contains(&b)) {
        return Err(Error::EnvidInvalid);
    }
    let by = req.latest_delivery.map(|deadline| DeliverBy {
        seconds: (deadline - ctx.now).whole_seconds(),
        mode: req.latest_delivery_mode.unwrap_or(ByMode::Return),
        trace: req.latest_delivery_trace,
        deadline: checked.latest_delivery_utc.clone(),
    });
    let default_notify = req
        .notify
        .clone()
        .unwrap_or_else(|| vec![NotifyCondition::Failure]);
    let rcpts = copy
        .rcpts
        .iter()
        .map(|r| Rcpt {
            address: r.address.clone(),
            notify: Some(r.notify.clone().unwrap_or_else(|| default_notify.clone())),
            orcpt: Some(format!("rfc822;{}", r.address)),
        })
        .collect();
    Ok(Envelope {
        mail_from: checked.reverse_path.clone(),
        mail_params: MailParams {
            envid: Some(envid),
            ret: req.ret,
            by,
            hold_until: checked.hold_until.clone(),
            hold_for: req.hold_for,
            mt_priority: Some(checked.mt_priority_for(copy)),
            eight_bit_mime: !raw.is_ascii(),
            size: Some(raw.len() as u64),
        },
        rcpts,
    })
}

/// The Message-ID without `<>` when it fits ENVID's 100 characters, else its left part.
fn default_envid(message_id: &str) -> String {
    let inner = message_id.trim_start_matches('<').trim_end_matches('>');
    if inner.len() <= 100 {
        inner.to_string()
    } else {
        let left = inner.split('@').next().unwrap_or(inner);
        left.chars().take(100).collect()
    }
}

//! Request-wide checks and the copy-independent field values, computed once.
//!
//! The MMHS grammars themselves (precedence, message type, military-string, SIC, MT-Priority
//! policy) live in `crate::fields`; this module only maps request members onto them and turns
//! their errors into compose errors with the request member named.

use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::{OffsetDateTime, UtcOffset};

use super::plan::check_notify;
use super::request::{ComposeRequest, Mailbox, MessageTypeRequest, NameOrNumber};
use super::validate::{self, addr_spec, header_text};
use super::{ComposeContext, Error};
use crate::fields::{
    self as mmhs, mt_priority, names, sic, Autoforwarded, CodressMessageIndicator,
    EncodedInformationTypes, MessageType, MessageTypeField, MilitaryString, MilitaryStringSequence,
    Precedence, SubjectIndicatorCodes,
};
use crate::mime::encode;

/// A precedence checked against RFC 6477 and ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CheckedPrecedence {
    /// The precedence.
    pub precedence: Precedence,
    /// The numeric value.
    pub value: u8,
    /// The header field value (e.g. `flash`, `17`).
    pub header: String,
    /// MT-Priority it maps to (RFC 6710 App. A STANAG4406 policy).
    pub mt_priority: i8,
}

/// What [`check`] found: validated values shared by every copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checked {
    /// Right-hand side for a generated Message-ID.
    pub message_id_domain: String,
    /// MAIL FROM address.
    pub reverse_path: String,
    /// The `Sender` mailbox, when one is written.
    pub sender: Option<Mailbox>,
    /// Primary precedence (present iff there are To recipients).
    pub primary: Option<CheckedPrecedence>,
    /// Copy precedence (present iff there are Cc or Bcc recipients).
    pub copy: Option<CheckedPrecedence>,
    /// MT-Priority of every copy: from the primary precedence, else the copy precedence
    /// (profile §3.4.20). Every copy shows the To field when there are To recipients, so the
    /// value is the same for all copies.
    pub mt_priority: i8,
    /// `MMHS-Message-Type` value.
    pub message_type: Option<String>,
    /// `Date` value.
    pub date: String,
    /// `MMHS-Extended-Authorisation-Info` value.
    pub extended_authorisation_info: String,
    /// `Expires` value.
    pub expires: Option<String>,
    /// HOLDUNTIL value (`YYYY-MM-DDThh:mm:ssZ`).
    pub hold_until: Option<String>,
    /// Latest delivery deadline, RFC 3339 UTC.
    pub latest_delivery_utc: Option<String>,
    /// Other RFC 6477 / RFC 2156 fields, in writing order, already formatted.
    pub mmhs_fields: Vec<(&'static str, String)>,
    /// Normalised `In-Reply-To` ids.
    pub in_reply_to: Vec<String>,
    /// Normalised `References` ids.
    pub references: Vec<String>,
    /// Normalised `Supersedes` ids.
    pub supersedes: Vec<String>,
}

impl Checked {
    /// MT-Priority for a copy (the same for every copy, see [`Checked::mt_priority`]).
    pub(crate) fn mt_priority_for(&self, _copy: &super::plan::CopyPlan<'_>) -> i8 {
        self.mt_priority
    }
}

fn mailbox(field: &'static str, m: &Mailbox) -> Result<(), Error> {
    addr_spec(field, &m.address)?;
    if let Some(n) = &m.name {
        header_text(field, n)?;
    }
    Ok(())
}

fn same_addr(a: &str, b: &str) -> bool {
    // Local parts are case-sensitive in theory (RFC 5321 §2.4) but not in any MTA a
    // military domain runs; treating `BOB@x` and `bob@x` as one recipient avoids sending a
    // Bcc copy to someone who is also an open recipient.
    a.eq_ignore_ascii_case(b)
}

/// RFC 5322 date-time (`Mon, 09 Aug 2010 15:27:40 +0100`).
pub(crate) fn rfc5322_date(field: &'static str, t: OffsetDateTime) -> Result<String, Error> {
    t.replace_nanosecond(0)
        .map_err(|_| Error::TimeOutOfRange { field })?
        .format(&Rfc2822)
        .map_err(|_| Error::TimeOutOfRange { field })
}

fn utc_seconds(field: &'static str, t: OffsetDateTime) -> Result<String, Error> {
    t.to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .map_err(|_| Error::TimeOutOfRange { field })?
        .format(&Rfc3339)
        .map_err(|_| Error::TimeOutOfRange { field })
}

/// Check everything that does not depend on the copy.
pub(crate) fn check(req: &ComposeRequest, ctx: &ComposeContext) -> Result<Checked, Error> {
    // --- originator
    let first_from = req.from.first().ok_or(Error::FromMissing)?;
    for m in &req.from {
        mailbox("From", m)?;
    }
    if let Some(s) = &req.sender {
        mailbox("Sender", s)?;
    }
    for m in &req.reply_to {
        mailbox("Reply-To", m)?;
    }
    for m in &req.disposition_notification_to {
        mailbox("Disposition-Notification-To", m)?;
    }
    for m in &req.exempted_addresses {
        mailbox("MMHS-Exempted-Address", m)?;
    }
    for m in &req.authorizing_users {
        mailbox("MMHS-Authorizing-Users", m)?;
    }
    // Sender: when it differs from a single From, when several From (RFC 5322 §3.6.2), and
    // always with authorizing users (profile §3.4.3, RFC 2156).
    let sender = match &req.sender {
        Some(s) => {
            if req.from.len() == 1
                && req.authorizing_users.is_empty()
                && same_addr(&s.address, &first_from.address)
            {
                None
            } else {
                Some(s.clone())
            }
        }
        None if req.from.len() > 1 => return Err(Error::SenderRequired),
        None if !req.authorizing_users.is_empty() => Some(first_from.clone()),
        None => None,
    };
    let reverse_path = sender
        .as_ref()
        .map_or_else(|| first_from.address.clone(), |s| s.address.clone());

    // --- recipients
    let all: Vec<_> = req.to.iter().chain(&req.cc).chain(&req.bcc).collect();
    if all.is_empty() {
        return Err(Error::NoRecipients);
    }
    if all.len() > ctx.limits.max_recipients {
        return Err(Error::TooManyRecipients {
            count: all.len(),
            max: ctx.limits.max_recipients,
        });
    }
    for (field, list) in [("To", &req.to), ("Cc", &req.cc), ("Bcc", &req.bcc)] {
        for r in list {
            addr_spec(field, &r.address)?;
            if let Some(n) = &r.name {
                header_text(field, n)?;
            }
            if let Some(n) = &r.notify {
                check_notify(n)?;
            }
        }
    }
    for (i, a) in all.iter().enumerate() {
        if all
            .iter()
            .skip(i + 1)
            .any(|b| same_addr(&a.address, &b.address))
        {
            return Err(Error::RecipientDuplicate(a.address.clone()));
        }
    }
    if let Some(n) = &req.notify {
        check_notify(n)?;
    }

    // --- precedences (profile §3.5.1, §3.5.2) and MT-Priority (§3.4.20)
    let has_to = !req.to.is_empty();
    let has_copy = !req.cc.is_empty() || !req.bcc.is_empty();
    let primary = match (&req.primary_precedence, has_to) {
        (Some(p), true) => Some(precedence("primaryPrecedence", p)?),
        (None, true) => return Err(Error::PrimaryPrecedenceMissing),
        (Some(_), false) => return Err(Error::PrimaryPrecedenceWithoutTo),
        (None, false) => None,
    };
    let copy = match (&req.copy_precedence, has_copy) {
        (Some(p), true) => Some(precedence("copyPrecedence", p)?),
        (None, true) => return Err(Error::CopyPrecedenceMissing),
        (Some(_), false) => return Err(Error::CopyPrecedenceWithoutCc),
        (None, false) => None,
    };
    // STANAG4406 policy (RFC 6710 App. A) on the primary, else the copy precedence.
    let mt_priority = mt_priority::derive(
        primary.as_ref().map(|p| p.precedence),
        copy.as_ref().map(|p| p.precedence),
    )
    .ok_or(Error::NoRecipients)?;

    // --- Message-ID domain
    let message_id_domain = match &ctx.message_id_domain {
        Some(d) => d.clone(),
        None => first_from
            .address
            .rsplit_once('@')
            .map(|(_, d)| d.to_ascii_lowercase())
            .unwrap_or_default(),
    };
    if !validate::is_domain(&message_id_domain) {
        return Err(Error::MessageIdDomainInvalid(message_id_domain));
    }

    // --- times
    let now = ctx.now;
    let date = rfc5322_date("Date", now)?;
    let extended_authorisation_info = rfc5322_date(
        "extendedAuthorisationInfo",
        req.extended_authorisation_info.unwrap_or(now),
    )?;
    let expires = match req.expires {
        Some(t) if t <= now => return Err(Error::TimeInPast { field: "expires" }),
        Some(t) => Some(rfc5322_date("expires", t)?),
        None => None,
    };
    if req.deferred_delivery.is_some() && req.hold_for.is_some() {
        return Err(Error::DeliveryTimesConflict(
            "give deferredDelivery or holdFor, not both".into(),
        ));
    }
    let hold_until = match req.deferred_delivery {
        Some(t) if t <= now => {
            return Err(Error::TimeInPast {
                field: "deferredDelivery",
            })
        }
        Some(t) => Some(utc_seconds("deferredDelivery", t)?.replace("+00:00", "Z")),
        None => None,
    };
    if let Some(h) = req.hold_for {
        if !(1..=999_999_999).contains(&h) {
            return Err(Error::TimeOutOfRange { field: "holdFor" });
        }
    }
    let release = req
        .deferred_delivery
        .or_else(|| {
            req.hold_for
                .map(|h| now + time::Duration::seconds(i64::from(h)))
        })
        .unwrap_or(now);
    let latest_delivery_utc = match req.latest_delivery {
        Some(t) if t <= now => {
            return Err(Error::TimeInPast {
                field: "latestDelivery",
            })
        }
        Some(t) if t <= release => {
            return Err(Error::DeliveryTimesConflict(
                "latestDelivery is not after the deferred delivery time".into(),
            ))
        }
        Some(t) if (t - now).whole_seconds() > 999_999_999 => {
            return Err(Error::TimeOutOfRange {
                field: "latestDelivery",
            })
        }
        Some(t) => Some(utc_seconds("latestDelivery", t)?.replace("+00:00", "Z")),
        None => None,
    };

    // --- ids
    let ids = |field: &'static str, list: &[String]| -> Result<Vec<String>, Error> {
        list.iter().map(|i| validate::msg_id(field, i)).collect()
    };
    let in_reply_to = ids("In-Reply-To", &req.in_reply_to)?;
    let references = ids("References", &req.references)?;
    let supersedes = ids("Supersedes", &req.supersedes)?;

    // --- text
    if let Some(s) = &req.subject {
        header_text("Subject", s)?;
    }
    for l in &req.language {
        validate::language_tag(l)?;
    }
    if let Some(e) = &req.envid {
        header_text("envid", e).map_err(|_| Error::EnvidInvalid)?;
    }

    let message_type = req.message_type.as_ref().map(message_type).transpose()?;
    let mmhs_fields = mmhs_fields(req)?;

    Ok(Checked {
        message_id_domain,
        reverse_path,
        sender,
        primary,
        copy,
        mt_priority,
        message_type,
        date,
        extended_authorisation_info,
        expires,
        hold_until,
        latest_delivery_utc,
        mmhs_fields,
        in_reply_to,
        references,
        supersedes,
    })
}

/// Join mailboxes as an address-list value.
pub(crate) fn mailbox_list(list: &[Mailbox]) -> String {
    list.iter()
        .map(|m| encode::mailbox(m.name.as_deref(), &m.address))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// RFC 6477 / RFC 2156 values: the grammars are `crate::fields`'s types; here they are only
// applied to request members, with origination-time restrictions on top.

fn mmhs_err(field: &'static str) -> impl Fn(mmhs::Error) -> Error {
    move |error| Error::Field { field, error }
}

/// A precedence by name or number → its value, header text and MT-Priority. On origination
/// only allocated values are accepted: 0–5 (NATO) and 16–31 (national use), RFC 6477 §3.8.
fn precedence(field: &'static str, p: &NameOrNumber) -> Result<CheckedPrecedence, Error> {
    let bad = || Error::PrecedenceInvalid {
        field,
        value: p.to_string(),
    };
    let prec: Precedence = match p {
        NameOrNumber::Number(n) => Precedence::from_value(u8::try_from(*n).map_err(|_| bad())?),
        NameOrNumber::Name(s) => {
            header_text(field, s).map_err(|_| bad())?;
            s.parse().map_err(|_| bad())?
        }
    };
    if !prec.is_allocated() {
        return Err(bad());
    }
    Ok(CheckedPrecedence {
        value: prec.value(),
        header: prec.to_string(),
        mt_priority: mt_priority::stanag4406(prec),
        precedence: prec,
    })
}

/// `MMHS-Message-Type` value; only allocated types (0–3 NATO, 128–255 national).
fn message_type(m: &MessageTypeRequest) -> Result<String, Error> {
    let bad = || Error::MessageTypeInvalid(m.kind.to_string());
    let kind: MessageType = match &m.kind {
        NameOrNumber::Number(n) => MessageType::from_value(u8::try_from(*n).map_err(|_| bad())?),
        NameOrNumber::Name(s) => {
            header_text("messageType", s).map_err(|_| bad())?;
            s.parse().map_err(|_| bad())?
        }
    };
    if !kind.is_allocated() {
        return Err(bad());
    }
    if let Some(id) = &m.identifier {
        header_text("messageType.identifier", id)?;
    }
    let f = MessageTypeField {
        kind,
        identifier: m.identifier.as_ref().map(|i| i.trim().to_string()),
    };
    f.validate().map_err(mmhs_err("messageType.identifier"))?;
    Ok(f.to_string())
}

fn military_sequence(field: &'static str, list: &[String]) -> Result<Option<String>, Error> {
    if list.is_empty() {
        return Ok(None);
    }
    let mut items = Vec::with_capacity(list.len());
    for s in list {
        header_text(field, s)?;
        items.push(s.parse::<MilitaryString>().map_err(mmhs_err(field))?);
    }
    let seq = MilitaryStringSequence::new(items).map_err(mmhs_err(field))?;
    Ok(Some(seq.to_string()))
}

fn military(field: &'static str, s: &str) -> Result<String, Error> {
    header_text(field, s)?;
    Ok(s.parse::<MilitaryString>()
        .map_err(mmhs_err(field))?
        .to_string())
}

/// The remaining copy-independent MMHS and RFC 2156 fields, formatted, in writing order.
fn mmhs_fields(req: &ComposeRequest) -> Result<Vec<(&'static str, String)>, Error> {
    let mut out = Vec::new();
    if !req.subject_indicator_codes.is_empty() {
        let field = names::MMHS_SUBJECT_INDICATOR_CODES;
        for c in &req.subject_indicator_codes {
            header_text(field, c)?;
        }
        // ACP 123 allows at most 8; inspect tolerates more on receipt, we do not send more.
        if req.subject_indicator_codes.len() > sic::MAX_CODES {
            return Err(Error::Field {
                field,
                error: mmhs::Error::SicInvalid(format!(
                    "{} codes, at most {} allowed",
                    req.subject_indicator_codes.len(),
                    sic::MAX_CODES
                )),
            });
        }
        let sics = SubjectIndicatorCodes::new(req.subject_indicator_codes.clone())
            .map_err(mmhs_err(field))?;
        out.push((field, sics.to_string()));
    }
    for (field, list) in [
        (
            names::MMHS_HANDLING_INSTRUCTIONS,
            &req.handling_instructions,
        ),
        (names::MMHS_MESSAGE_INSTRUCTIONS, &req.message_instructions),
    ] {
        if let Some(v) = military_sequence(field, list)? {
            out.push((field, v));
        }
    }
    if let Some(n) = req.codress_message_indicator {
        out.push((
            names::MMHS_CODRESS_MESSAGE_INDICATOR,
            CodressMessageIndicator(n).to_string(),
        ));
    }
    if let Some(s) = &req.originator_reference {
        let field = names::MMHS_ORIGINATOR_REFERENCE;
        out.push((field, military(field, s)?));
    }
    for (field, list) in [
        (
            names::MMHS_OTHER_RECIPIENTS_INDICATOR_TO,
            &req.other_recipients_indicator_to,
        ),
        (
            names::MMHS_OTHER_RECIPIENTS_INDICATOR_CC,
            &req.other_recipients_indicator_cc,
        ),
    ] {
        if let Some(v) = military_sequence(field, list)? {
            out.push((field, v));
        }
    }
    if let Some(s) = &req.acp127_message_identifier {
        let field = names::MMHS_ACP127_MESSAGE_IDENTIFIER;
        out.push((field, military(field, s)?));
    }
    if let Some(s) = &req.originator_plad {
        let field = names::MMHS_ORIGINATOR_PLAD;
        out.push((field, military(field, s)?));
    }
    if !req.exempted_addresses.is_empty() {
        out.push((
            names::MMHS_EXEMPTED_ADDRESS,
            mailbox_list(&req.exempted_addresses),
        ));
    }
    if !req.authorizing_users.is_empty() {
        out.push((
            names::MMHS_AUTHORIZING_USERS,
            mailbox_list(&req.authorizing_users),
        ));
    }
    if req.autoforwarded {
        out.push((names::AUTOFORWARDED, Autoforwarded(true).to_string()));
    }
    if req.incomplete_copy {
        out.push((names::INCOMPLETE_COPY, String::new()));
    }
    if let Some(c) = req.conversion {
        out.push((names::CONVERSION, c.to_string()));
    }
    if let Some(c) = req.conversion_with_loss {
        out.push((names::CONVERSION_WITH_LOSS, c.to_string()));
    }
    if !req.original_encoded_information_types.is_empty() {
        let field = names::ORIGINAL_ENCODED_INFORMATION_TYPES;
        let mut types = Vec::new();
        for t in &req.original_encoded_information_types {
            header_text(field, t)?;
            // one item each: a ',' inside an item would smuggle in another
            let parsed: EncodedInformationTypes = t.parse().map_err(mmhs_err(field))?;
            if parsed.0.len() != 1 || t.contains(',') {
                return Err(Error::Field {
                    field,
                    error: mmhs::Error::ValueInvalid {
                        field,
                        reason: format!("{t:?} is not a single encoded-type"),
                    },
                });
            }
            types.extend(parsed.0);
        }
        out.push((field, EncodedInformationTypes(types).to_string()));
    }
    Ok(out)
}

//! `inspect`: any received message → a JSON-serialisable view of every MMHS element present,
//! plus `problems` with stable codes (documented in `docs/js-api.md`, `inspect`,
//! and `docs/compose.md`, "Error codes").
//!
//! Inspect never fails on a malformed *field*: it records a [`Problem`] and goes on. It
//! returns `Err` only for unusable input: larger than [`MAX_MESSAGE_BYTES`]
//! (`input-too-large`), a header section over the reader's limits (`header-too-large`,
//! `header-too-many-fields`), or input that is not a message at all (`not-a-message`: no
//! header field, or a first line that is not a header field).
//!
//! Only the header section is read (no MIME tree); the time is a parameter
//! ([`InspectOptions::now`]) — pure, no clock.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::address::AddressList;
use super::authorizing_users::AuthorizingUsers;
use super::codress::CodressMessageIndicator;
use super::content_language::ContentLanguage;
use super::date_time::DateTime;
use super::message_type::MessageTypeField;
use super::military::{MilitaryString, MilitaryStringSequence};
use super::mixer::{
    parse_incomplete_copy, Autoforwarded, ConversionPolicy, EncodedInformationTypes,
};
use super::msg_id::MsgIdList;
use super::mt_priority::{self, MtPriority};
use super::names as n;
use super::precedence::Precedence;
use super::reader_precedence::{reader_precedence, ReaderPrecedence};
use super::sic::{self, SubjectIndicatorCodes};
use super::sio_label::SioLabel;
use super::sio_label_history::SioLabelHistory;
use super::Error;
use crate::coded::Coded;
use crate::ess::{classification_name, EssSecurityLabel};
use crate::mime::header::{DefectKind, Field, HeaderSection};
use crate::problem::Problem;

/// The MT-Priority values of the STANAG4406 policy (RFC 6710 Appendix A).
const STANAG4406_LEVELS: [i8; 6] = [6, 4, 2, 0, -2, -4];

/// Largest message `inspect` accepts.
pub(crate) const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// Options for [`inspect`]. JSON: `{ "now": "2026-01-01T00:00:00Z", "reader": "bob@navy.example" }`
/// (both optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InspectOptions {
    /// The current time, for the `expired` flag. Without it `expired` is absent.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub now: Option<OffsetDateTime>,
    /// The reader's address: with it the view says which precedence applies to this reader
    /// (`readerPrecedence`, MMHS profile §3.5.1, §3.5.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
}

/// The request of `inspect` (JSON `InspectRequest`, all optional; docs/js-api.md): the time
/// of the `expired` flag (`at`, or its alias `now`; default: the caller's clock) and the
/// reader's address.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InspectRequest {
    /// The current time for the `expired` flag (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
    pub at: Option<OffsetDateTime>,
    /// Alias of `at`.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
    pub now: Option<OffsetDateTime>,
    /// The reader's address: the view then carries `readerPrecedence`.
    #[serde(default)]
    pub reader: Option<String>,
}

impl InspectRequest {
    /// The options of [`inspect`]; the time is the request's, else `now`.
    pub fn options(&self, now: OffsetDateTime) -> InspectOptions {
        InspectOptions {
            now: Some(self.at.or(self.now).unwrap_or(now)),
            reader: self.reader.clone(),
        }
    }
}

/// A precedence as shown: `{ "value": 4, "name": "flash" }` (`name` absent and
/// `"national": true` for national-use values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PrecedenceView {
    /// Numeric value.
    pub value: u8,
    /// Standard name (0–5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 16–31.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub national: bool,
}

impl From<Precedence> for PrecedenceView {
    fn from(p: Precedence) -> Self {
        PrecedenceView {
            value: p.value(),
            name: p.name().map(str::to_string),
            national: p.is_national(),
        }
    }
}

/// The message type as shown: `{ "value": 0, "name": "exercise", "identifier": "…" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MessageTypeView {
    /// Numeric value.
    pub value: u8,
    /// Standard name (0–3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 128–255.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub national: bool,
    /// The identifier parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
}

/// The decoded ESS label of an SIO-Label, with the classification's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct EssLabelView {
    /// The label.
    #[serde(flatten)]
    pub label: EssSecurityLabel,
    /// X.411 name of the classification (0–5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification_name: Option<String>,
}

/// SIO-Label as shown: its parameters plus `ess` when `type=":ess"` decodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SioLabelView {
    /// The parameters.
    #[serde(flatten)]
    pub label: SioLabel,
    /// The decoded ESS security label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ess: Option<EssLabelView>,
}

/// Expires with the `expired` flag (absent when no `now` was given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ExpiryView {
    /// The expiry time.
    pub at: DateTime,
    /// `now >= at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired: Option<bool>,
}

/// Notification requests found in the header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct NotificationsView {
    /// Disposition-Notification-To (RFC 8098): read receipts wanted, sent here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition_notification_to: Option<AddressList>,
    /// Disposition-Notification-Options (RFC 8098 §2.2), unfolded text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition_notification_options: Option<String>,
}

impl NotificationsView {
    fn is_empty(&self) -> bool {
        self.disposition_notification_to.is_none()
            && self.disposition_notification_options.is_none()
    }
}

/// Counts of the recipient fields' mailboxes (`bccField`: whether a Bcc field is present,
/// even empty — a blind copy).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RecipientsView {
    /// Mailboxes in To.
    pub to: usize,
    /// Mailboxes in Cc.
    pub cc: usize,
    /// Mailboxes in Bcc.
    pub bcc: usize,
    /// Whether a Bcc field is present.
    pub bcc_field: bool,
}

/// Everything MMHS about a message. JSON: camelCase; absent elements are omitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MmhsView {
    /// Whether any MMHS heading field is present (a military message, RFC 7912 §5.2).
    pub military: bool,
    /// Message-ID without brackets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Subject, RFC 2047-decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// From.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<AddressList>,
    /// Sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<AddressList>,
    /// Recipient counts.
    pub recipients: RecipientsView,
    /// MMHS-Primary-Precedence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_precedence: Option<PrecedenceView>,
    /// MMHS-Copy-Precedence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_precedence: Option<PrecedenceView>,
    /// The precedence that applies to the reader named in [`InspectOptions::reader`]: primary
    /// for a To ("action") recipient, copy for a Cc / Bcc ("information") one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader_precedence: Option<ReaderPrecedence>,
    /// MT-Priority as present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mt_priority: Option<MtPriority>,
    /// MT-Priority expected by the STANAG4406 derivation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_mt_priority: Option<i8>,
    /// MMHS-Message-Type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_type: Option<MessageTypeView>,
    /// MMHS-Extended-Authorisation-Info.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_authorisation_info: Option<DateTime>,
    /// MMHS-Authorizing-Users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizing_users: Option<AuthorizingUsers>,
    /// MMHS-Exempted-Address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempted_addresses: Option<AddressList>,
    /// MMHS-Subject-Indicator-Codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_indicator_codes: Option<SubjectIndicatorCodes>,
    /// MMHS-Handling-Instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling_instructions: Option<MilitaryStringSequence>,
    /// MMHS-Message-Instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_instructions: Option<MilitaryStringSequence>,
    /// MMHS-Codress-Message-Indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codress_message_indicator: Option<CodressMessageIndicator>,
    /// MMHS-Originator-Reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originator_reference: Option<MilitaryString>,
    /// MMHS-Other-Recipients-Indicator-To.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_recipients_indicator_to: Option<MilitaryStringSequence>,
    /// MMHS-Other-Recipients-Indicator-CC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_recipients_indicator_cc: Option<MilitaryStringSequence>,
    /// MMHS-Acp127-Message-Identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acp127_message_identifier: Option<MilitaryString>,
    /// MMHS-Originator-PLAD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originator_plad: Option<MilitaryString>,
    /// SIO-Label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sio_label: Option<SioLabelView>,
    /// SIO-Label-History, in header order (newest first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sio_label_history: Vec<SioLabelHistory>,
    /// Expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<ExpiryView>,
    /// Supersedes: the obsoleted message ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supersedes: Vec<String>,
    /// Autoforwarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoforwarded: Option<bool>,
    /// Incomplete-Copy present.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete_copy: bool,
    /// Conversion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion: Option<ConversionPolicy>,
    /// Conversion-With-Loss.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion_with_loss: Option<ConversionPolicy>,
    /// Original-Encoded-Information-Types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_encoded_information_types: Option<EncodedInformationTypes>,
    /// Notification requests.
    #[serde(default, skip_serializing_if = "NotificationsView::is_empty")]
    pub notifications: NotificationsView,
    /// Content-Language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_language: Option<ContentLanguage>,
    /// References.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// In-Reply-To.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_reply_to: Vec<String>,
    /// Date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DateTime>,
    /// Delivery time stamp: from the first (topmost) Received field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_time: Option<DateTime>,
    /// Submission time stamp: from the last (bottom) Received field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submission_time: Option<DateTime>,
    /// Everything malformed or contradictory.
    pub problems: Vec<Problem>,
}

/// Fields that may occur at most once (RFC 6477 §3; RFC 7912 §4; RFC 7444 §4; RFC 6758 §3
/// honours only a single instance; RFC 5322 §3.6 for the originator/identification fields;
/// RFC 2156 / RFC 8098 / RFC 3282 single-valued fields).
const SINGLE_FIELDS: [&str; 28] = [
    n::MMHS_EXEMPTED_ADDRESS,
    n::MMHS_EXTENDED_AUTHORISATION_INFO,
    n::MMHS_SUBJECT_INDICATOR_CODES,
    n::MMHS_HANDLING_INSTRUCTIONS,
    n::MMHS_MESSAGE_INSTRUCTIONS,
    n::MMHS_CODRESS_MESSAGE_INDICATOR,
    n::MMHS_ORIGINATOR_REFERENCE,
    n::MMHS_PRIMARY_PRECEDENCE,
    n::MMHS_COPY_PRECEDENCE,
    n::MMHS_MESSAGE_TYPE,
    n::MMHS_OTHER_RECIPIENTS_INDICATOR_TO,
    n::MMHS_OTHER_RECIPIENTS_INDICATOR_CC,
    n::MMHS_ACP127_MESSAGE_IDENTIFIER,
    n::MMHS_ORIGINATOR_PLAD,
    n::MMHS_AUTHORIZING_USERS,
    n::SIO_LABEL,
    n::MT_PRIORITY,
    n::EXPIRES,
    n::SUPERSEDES,
    n::AUTOFORWARDED,
    n::INCOMPLETE_COPY,
    n::CONVERSION,
    n::CONVERSION_WITH_LOSS,
    n::ORIGINAL_ENCODED_INFORMATION_TYPES,
    n::DISPOSITION_NOTIFICATION_TO,
    n::MESSAGE_ID,
    n::SENDER,
    n::DATE,
];

/// Fields whose presence makes a message military (the MMHS heading extensions).
fn is_mmhs_field(name: &str) -> bool {
    n::RFC6477_FIELDS
        .iter()
        .any(|f| f.eq_ignore_ascii_case(name))
        || name.eq_ignore_ascii_case(n::MMHS_AUTHORIZING_USERS)
}

struct Ctx<'h, 'a> {
    h: &'h HeaderSection<'a>,
    problems: Vec<Problem>,
}

impl<'a> Ctx<'_, 'a> {
    fn problem(&mut self, code: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(code, message));
    }

    /// Parse the first instance of `name` with `f`; a parse error becomes problem
    /// `mmhs-<error code>`.
    fn field<T>(&mut self, name: &str, f: impl FnOnce(&str) -> Result<T, Error>) -> Option<T> {
        let field: &Field<'a> = self.h.get(name)?;
        let v = field.unfolded();
        match f(&v) {
            Ok(t) => Some(t),
            Err(e) => {
                self.problem(
                    &format!("mmhs-{}", e.code()),
                    format!("{}: {e}", field.name),
                );
                None
            }
        }
    }

    fn parse<T: std::str::FromStr<Err = Error>>(&mut self, name: &str) -> Option<T> {
        self.field(name, |v| v.parse())
    }
}

/// Inspect a received message (raw RFC 5322 bytes, CRLF or LF line ends).
pub fn inspect(raw: &[u8], opts: &InspectOptions) -> Result<MmhsView, Error> {
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(Error::InputTooLarge {
            limit: MAX_MESSAGE_BYTES,
        });
    }
    let h = HeaderSection::parse(raw)?;
    let first_is_defect = h
        .defects
        .first()
        .is_some_and(|d| d.span.start == 0 && !raw.starts_with(b"From "));
    let plausible_name = |name: &str| {
        name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let first_ok = h.fields.first().is_some_and(|f| plausible_name(f.name));
    if !first_ok || first_is_defect {
        return Err(Error::NotAMessage(
            "the input does not start with a header field".into(),
        ));
    }
    let mut cx = Ctx {
        h: &h,
        problems: Vec::new(),
    };
    let mut v = MmhsView::default();

    for d in &h.defects {
        if d.span.start == 0 && raw.starts_with(b"From ") {
            continue; // mbox separator line
        }
        let line = line_of(raw, d.span.start);
        let message = match d.kind {
            DefectKind::WspBeforeColon => format!(
                "a header field with white space before its colon on line {line} \
                 (obsolete syntax, RFC 5322 §4.5.8) was read without it"
            ),
            DefectKind::NonAsciiName => format!(
                "a header field with a non-ASCII name on line {line} (RFC 5322 §3.6.8 allows \
                 printable US-ASCII only) was read"
            ),
            DefectKind::NotAField => {
                format!("a line that is not a header field on line {line} was skipped")
            }
            DefectKind::InvalidName => {
                format!("a header field with an invalid name on line {line} was skipped")
            }
            DefectKind::LeadingContinuation => {
                format!("a continuation line before the first field on line {line} was skipped")
            }
            DefectKind::BareCr => {
                format!("a bare CR inside a field on line {line} was kept")
            }
        };
        cx.problem("mmhs-header-defect", message);
    }

    // Duplicates.
    for name in SINGLE_FIELDS {
        let count = h.count(name);
        if count > 1 {
            cx.problem(
                "mmhs-duplicate-field",
                format!("{name} occurs {count} times; only the first is shown"),
            );
        }
    }

    v.military = h.fields.iter().any(|f| is_mmhs_field(f.name));

    // Identification and originator.
    v.message_id = cx
        .field(n::MESSAGE_ID, |s| s.parse::<MsgIdList>())
        .and_then(|l| l.0.into_iter().next());
    v.subject = h.get(n::SUBJECT).map(Field::display_value);
    v.from = cx.parse(n::FROM);
    v.sender = cx.parse(n::SENDER);
    v.date = cx.parse(n::DATE);

    // Recipients (all instances; a malformed list counts as unknown → reported).
    let mut count = |name: &str| -> usize {
        let mut total = 0;
        for f in h.get_all(name) {
            let val = f.unfolded();
            if val.trim().is_empty() {
                continue;
            }
            match val.parse::<AddressList>() {
                Ok(l) => total += l.mailboxes().count().max(1),
                Err(e) => {
                    total += 1;
                    cx.problems.push(Problem::new(
                        &format!("mmhs-{}", e.code()),
                        format!("{}: {e}", f.name),
                    ));
                }
            }
        }
        total
    };
    v.recipients = RecipientsView {
        to: count(n::TO),
        cc: count(n::CC),
        bcc: count(n::BCC),
        bcc_field: h.get(n::BCC).is_some(),
    };

    // Precedences and MT-Priority.
    let primary: Option<Precedence> = cx.parse(n::MMHS_PRIMARY_PRECEDENCE);
    let copy: Option<Precedence> = cx.parse(n::MMHS_COPY_PRECEDENCE);
    for (p, name) in [
        (primary, n::MMHS_PRIMARY_PRECEDENCE),
        (copy, n::MMHS_COPY_PRECEDENCE),
    ] {
        if let Some(p) = p.filter(|p| !p.is_allocated()) {
            cx.problem(
                "mmhs-precedence-unallocated",
                format!(
                    "{name}: value {} is neither NATO-defined (0-5) nor national use (16-31)",
                    p.value()
                ),
            );
        }
    }
    let primary_present = h.get(n::MMHS_PRIMARY_PRECEDENCE).is_some();
    let copy_present = h.get(n::MMHS_COPY_PRECEDENCE).is_some();
    let has_primary_rcpt = v.recipients.to > 0;
    let has_copy_rcpt = v.recipients.cc > 0 || v.recipients.bcc_field;
    if v.military {
        if has_primary_rcpt && !primary_present {
            cx.problem(
                "mmhs-primary-precedence-missing",
                "the message has To recipients but no MMHS-Primary-Precedence (RFC 6477 §3.8)",
            );
        }
        if has_copy_rcpt && !copy_present {
            cx.problem(
                "mmhs-copy-precedence-missing",
                "the message has Cc/Bcc recipients but no MMHS-Copy-Precedence (RFC 6477 §3.9)",
            );
        }
    }
    if primary_present && !has_primary_rcpt {
        cx.problem(
            "mmhs-primary-precedence-unexpected",
            "MMHS-Primary-Precedence on a message without To recipients",
        );
    }
    if copy_present && !has_copy_rcpt {
        cx.problem(
            "mmhs-copy-precedence-unexpected",
            "MMHS-Copy-Precedence on a message without Cc or Bcc recipients",
        );
    }
    v.primary_precedence = primary.map(PrecedenceView::from);
    v.copy_precedence = copy.map(PrecedenceView::from);
    v.reader_precedence = opts
        .reader
        .as_deref()
        .map(|r| reader_precedence(&h, r, primary, copy));
    v.mt_priority = cx.parse(n::MT_PRIORITY);
    // Profile: the primary precedence, or the copy precedence when there are no primary
    // recipients. When no recipient fields are visible at all (e.g. a Bcc copy whose Bcc
    // field was removed), fall back to whichever precedence is present.
    let (p_in, c_in) = if has_primary_rcpt || !has_copy_rcpt {
        (primary, copy)
    } else {
        (None, copy)
    };
    let deriving = mt_priority::deriving_precedence(p_in, c_in);
    v.expected_mt_priority = mt_priority::derive(p_in, c_in);
    let blind_copy = v.recipients.bcc_field && !primary_present;
    match (v.mt_priority, v.expected_mt_priority, deriving) {
        // A blind copy shows only its Bcc recipient, so it carries no primary precedence
        // even when the message had To recipients: its MT-Priority (one per message,
        // RFC 6710 §3) may come from that invisible primary precedence. Accept any
        // STANAG4406 level there.
        (Some(actual), _, Some(_)) if blind_copy && STANAG4406_LEVELS.contains(&actual.value()) => {
        }
        (Some(actual), Some(expected), Some(p)) if p.value() <= 5 && actual.value() != expected => {
            cx.problem(
                "mmhs-mt-priority-mismatch",
                format!(
                    "MT-Priority {} does not match {expected}, the STANAG4406 value for precedence {p}",
                    actual.value()
                ),
            );
        }
        (None, Some(expected), _) if v.military && h.get(n::MT_PRIORITY).is_none() => {
            cx.problem(
                "mmhs-mt-priority-missing",
                format!("no MT-Priority; the profile requires one (STANAG4406 value {expected})"),
            );
        }
        _ => {}
    }

    // Message type.
    if let Some(mt) = cx.parse::<MessageTypeField>(n::MMHS_MESSAGE_TYPE) {
        if !mt.kind.is_allocated() {
            cx.problem(
                "mmhs-message-type-unallocated",
                format!(
                    "MMHS-Message-Type {} is neither NATO-defined (0-3) nor national (128-255)",
                    mt.kind.value()
                ),
            );
        }
        v.message_type = Some(MessageTypeView {
            value: mt.kind.value(),
            name: mt.kind.name().map(str::to_string),
            national: mt.kind.is_national(),
            identifier: mt.identifier,
        });
    }

    // The other RFC 6477 fields.
    v.extended_authorisation_info = cx.parse(n::MMHS_EXTENDED_AUTHORISATION_INFO);
    if v.military && h.get(n::MMHS_EXTENDED_AUTHORISATION_INFO).is_none() {
        cx.problem(
            "mmhs-authorisation-info-missing",
            "military message without MMHS-Extended-Authorisation-Info (the profile requires it)",
        );
    }
    v.exempted_addresses = cx.parse(n::MMHS_EXEMPTED_ADDRESS);
    v.subject_indicator_codes = cx.parse(n::MMHS_SUBJECT_INDICATOR_CODES);
    if let Some(s) = &v.subject_indicator_codes {
        if s.codes().len() > sic::MAX_CODES {
            cx.problem(
                "mmhs-sic-too-many",
                format!(
                    "{} subject indicator codes; ACP 123 allows at most {}",
                    s.codes().len(),
                    sic::MAX_CODES
                ),
            );
        }
    }
    v.handling_instructions = cx.parse(n::MMHS_HANDLING_INSTRUCTIONS);
    v.message_instructions = cx.parse(n::MMHS_MESSAGE_INSTRUCTIONS);
    v.codress_message_indicator = cx.parse(n::MMHS_CODRESS_MESSAGE_INDICATOR);
    v.originator_reference = cx.parse(n::MMHS_ORIGINATOR_REFERENCE);
    v.other_recipients_indicator_to = cx.parse(n::MMHS_OTHER_RECIPIENTS_INDICATOR_TO);
    v.other_recipients_indicator_cc = cx.parse(n::MMHS_OTHER_RECIPIENTS_INDICATOR_CC);
    v.acp127_message_identifier = cx.parse(n::MMHS_ACP127_MESSAGE_IDENTIFIER);
    v.originator_plad = cx.parse(n::MMHS_ORIGINATOR_PLAD);

    // Authorizing users.
    v.authorizing_users = cx.parse(n::MMHS_AUTHORIZING_USERS);
    if h.get(n::MMHS_AUTHORIZING_USERS).is_some() && h.get(n::SENDER).is_none() {
        cx.problem(
            "mmhs-authorizing-users-without-sender",
            "MMHS-Authorizing-Users is present but Sender is not (the profile requires both)",
        );
    }

    // Labels.
    if let Some(label) = cx.parse::<SioLabel>(n::SIO_LABEL) {
        let ess = match label.ess_label() {
            Some(Ok(ess)) => Some(ess),
            Some(Err(e)) => {
                cx.problem(
                    &format!("mmhs-{}", e.code()),
                    format!("SIO-Label label: {e}"),
                );
                None
            }
            None => None,
        };
        if let (Some(marking), Some(c)) =
            (&label.marking, ess.as_ref().and_then(|e| e.classification))
        {
            if marking_consistent(marking, c) == Some(false) {
                cx.problem(
                    "mmhs-sio-label-mismatch",
                    format!(
                        "SIO-Label marking {marking:?} does not express the label's classification {c} ({})",
                        classification_name(c).unwrap_or("?")
                    ),
                );
            }
        }
        v.sio_label = Some(SioLabelView {
            label,
            ess: ess.map(|l| EssLabelView {
                classification_name: l.classification_name().map(str::to_string),
                label: l,
            }),
        });
    }
    for f in h.get_all(n::SIO_LABEL_HISTORY) {
        match f.unfolded().parse::<SioLabelHistory>() {
            Ok(hist) => v.sio_label_history.push(hist),
            Err(e) => cx.problems.push(Problem::new(
                &format!("mmhs-{}", e.code()),
                format!("{}: {e}", f.name),
            )),
        }
    }

    // RFC 2156 fields.
    if let Some(at) = cx.parse::<DateTime>(n::EXPIRES) {
        v.expires = Some(ExpiryView {
            expired: opts.now.map(|now| now >= at.0),
            at,
        });
    }
    v.supersedes = cx
        .parse::<MsgIdList>(n::SUPERSEDES)
        .map(|l| l.0)
        .unwrap_or_default();
    v.autoforwarded = cx.parse::<Autoforwarded>(n::AUTOFORWARDED).map(|a| a.0);
    v.incomplete_copy = cx
        .field(n::INCOMPLETE_COPY, parse_incomplete_copy)
        .is_some()
        || h.get(n::INCOMPLETE_COPY).is_some();
    v.conversion = cx.field(n::CONVERSION, |s| {
        ConversionPolicy::parse_for(n::CONVERSION, s)
    });
    v.conversion_with_loss = cx.field(n::CONVERSION_WITH_LOSS, |s| {
        ConversionPolicy::parse_for(n::CONVERSION_WITH_LOSS, s)
    });
    v.original_encoded_information_types = cx.parse(n::ORIGINAL_ENCODED_INFORMATION_TYPES);

    // Notifications, language, threading.
    v.notifications = NotificationsView {
        disposition_notification_to: cx.parse(n::DISPOSITION_NOTIFICATION_TO),
        disposition_notification_options: h
            .get(n::DISPOSITION_NOTIFICATION_OPTIONS)
            .map(|f| f.unfolded().into_owned()),
    };
    v.content_language = cx.parse(n::CONTENT_LANGUAGE);
    v.references = cx
        .parse::<MsgIdList>(n::REFERENCES)
        .map(|l| l.0)
        .unwrap_or_default();
    v.in_reply_to = cx
        .parse::<MsgIdList>(n::IN_REPLY_TO)
        .map(|l| l.0)
        .unwrap_or_default();

    // Trace: delivery from the topmost Received, submission from the bottom one.
    let received: Vec<&Field<'_>> = h.get_all(n::RECEIVED).collect();
    let stamp = |cx: &mut Ctx<'_, '_>, f: &Field<'_>| -> Option<DateTime> {
        let val = f.unfolded();
        let when = val.rsplit_once(';').map(|(_, d)| d.to_string());
        match when.as_deref().map(str::parse::<DateTime>) {
            Some(Ok(d)) => Some(d),
            _ => {
                cx.problem(
                    "mmhs-received-date-invalid",
                    format!(
                        "Received field on line {} has no valid date-time after ';'",
                        line_of(raw, f.span.start)
                    ),
                );
                None
            }
        }
    };
    if let Some(first) = received.first() {
        v.delivery_time = stamp(&mut cx, first);
    }
    if received.len() > 1 {
        if let Some(last) = received.last() {
            v.submission_time = stamp(&mut cx, last);
        }
    } else {
        v.submission_time = v.delivery_time;
    }

    // Profile requirements for military messages.
    if !v.military {
        cx.problem(
            "mmhs-not-military",
            "no MMHS header field is present: this is not a military message",
        );
    } else if h.get(n::MESSAGE_ID).is_none() {
        cx.problem(
            "mmhs-message-id-missing",
            "military message without Message-ID (the profile requires it)",
        );
    }

    v.problems = cx.problems;
    Ok(v)
}

/// 1-based line number of a byte offset (the same for LF and CRLF input).
fn line_of(raw: &[u8], offset: usize) -> usize {
    raw.get(..offset)
        .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count())
        + 1
}

/// Whether an SIO-Label marking expresses an X.411 classification (RFC 7444 §7: agents
/// SHOULD check label and marking agree). Heuristic, for classifications 1–5 only (0 and
/// values above 5 are policy-specific: `None`): the marking, upper-cased with `-`/`_` as
/// spaces, must contain the level's word (`UNCLASSIFIED`, `RESTRICTED`, `CONFIDENTIAL`,
/// `SECRET`, `TOP SECRET`) and no other level's word.
pub(crate) fn marking_consistent(marking: &str, classification: u16) -> Option<bool> {
    const WORDS: [&str; 5] = [
        "UNCLASSIFIED",
        "RESTRICTED",
        "CONFIDENTIAL",
        "SECRET",
        "TOP SECRET",
    ];
    if !(1..=5).contains(&classification) {
        return None;
    }
    let m: String = marking
        .to_ascii_uppercase()
        .chars()
        .map(|c| if c == '-' || c == '_' { ' ' } else { c })
        .collect();
    let m = m.split_whitespace().collect::<Vec<_>>().join(" ");
    let has = |w: &str| -> bool {
        // whole-word match
        m.match_indices(w).any(|(i, _)| {
            let before = m.get(..i).and_then(|s| s.chars().last());
            let after = m.get(i + w.len()..).and_then(|s| s.chars().next());
            !before.is_some_and(|c| c.is_ascii_alphanumeric())
                && !after.is_some_and(|c| c.is_ascii_alphanumeric())
        })
    };
    let found: Vec<usize> = (0..5)
        .filter(|i| {
            let w = WORDS.get(*i).copied().unwrap_or("");
            if *i == 3 {
                // SECRET, not as part of TOP SECRET
                has("SECRET") && m.replace("TOP SECRET", "").contains("SECRET")
            } else {
                has(w)
            }
        })
        .map(|i| i + 1)
        .collect();
    Some(found == [usize::from(classification)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marking_heuristic() {
        assert_eq!(marking_consistent("EXAMPLE CONFIDENTIAL", 3), Some(true));
        assert_eq!(marking_consistent("NATO SECRET", 4), Some(true));
        assert_eq!(marking_consistent("top-secret", 5), Some(true));
        assert_eq!(marking_consistent("TOP SECRET", 4), Some(false));
        assert_eq!(marking_consistent("UNCLASSIFIED", 3), Some(false));
        assert_eq!(marking_consistent("SECRETARIAT", 4), Some(false));
        assert_eq!(marking_consistent("whatever", 0), None);
        assert_eq!(marking_consistent("whatever", 8), None);
    }

    #[test]
    fn unusable_input() {
        use crate::coded::Coded;
        let o = InspectOptions::default();
        assert_eq!(inspect(b"", &o).unwrap_err().code(), "not-a-message");
        assert_eq!(
            inspect(b"hello world\n\nbody", &o).unwrap_err().code(),
            "not-a-message"
        );
        assert_eq!(
            inspect(b"{\"json\": 1}", &o).unwrap_err().code(),
            "not-a-message"
        );
        assert_eq!(
            inspect(b"\x00\x01\x02", &o).unwrap_err().code(),
            "not-a-message"
        );
        let big = vec![b'a'; MAX_MESSAGE_BYTES + 1];
        assert_eq!(inspect(&big, &o).unwrap_err().code(), "input-too-large");
        let mut long_header = b"X: ".to_vec();
        long_header.extend(std::iter::repeat_n(b'a', 2 * 1024 * 1024));
        assert_eq!(
            inspect(&long_header, &o).unwrap_err().code(),
            "header-too-large"
        );
    }

    #[test]
    fn never_panics_on_garbage_fields() {
        let o = InspectOptions::default();
        let msg = b"From: \"unterminated\r\nTo: ((((\r\nMMHS-Primary-Precedence: ((\r\nMMHS-Message-Type: ;;;\r\nSIO-Label: label*5=x\r\nMT-Priority: \xff\r\nExpires: \xe9t\xe9\r\nReceived: ;\r\n\r\n";
        let v = inspect(msg, &o).unwrap();
        assert!(v.problems.len() >= 5);
    }
}

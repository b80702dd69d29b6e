//! MMHS header fields: RFC 6477, RFC 7912 (MMHS-Authorizing-Users), RFC 6758 (MT-Priority),
//! RFC 7444 (SIO-Label), the RFC 2156 fields the profile uses; typed parse / validate / format
//! and [`inspect`](inspect::inspect). See `docs/compose.md` (grammars,
//! error codes) and `docs/js-api.md` (`inspect`).
//!
//! Every field value type implements [`std::str::FromStr`] (parse and validate an *unfolded*
//! header value, see [`crate::mime::Field::unfolded`]) and [`std::fmt::Display`] (the
//! canonical value, without the field name, on one line: fold it when writing). Values that
//! carry free text refuse CR, LF and NUL when formatted or built.

use crate::coded::Coded;

pub mod address;
pub mod authorizing_users;
pub mod codress;
pub mod content_language;
pub mod date_time;
pub mod inspect;
mod lex;
pub mod message_type;
pub mod military;
pub mod mixer;
pub mod msg_id;
pub mod mt_priority;
pub mod names;
pub mod precedence;
pub mod reader_precedence;
pub mod sic;
pub mod sio_label;
pub mod sio_label_history;
pub mod vocabulary;

pub use crate::ess::{EssSecurityLabel, SecurityCategory};
pub use address::{Address, AddressList, Mailbox};
pub use authorizing_users::AuthorizingUsers;
pub use codress::CodressMessageIndicator;
pub use content_language::ContentLanguage;
pub use date_time::DateTime;
pub use inspect::{inspect, InspectOptions, InspectRequest, MmhsView};
pub use message_type::{MessageType, MessageTypeField};
pub use military::{MilitaryString, MilitaryStringSequence};
pub use mixer::{Autoforwarded, ConversionPolicy, EncodedInformationTypes};
pub use msg_id::MsgIdList;
pub use mt_priority::MtPriority;
pub use precedence::Precedence;
pub use reader_precedence::{ReaderPrecedence, ReaderRole};
pub use sic::SubjectIndicatorCodes;
pub use sio_label::{Color, LabelType, SioLabel};
pub use sio_label_history::{LabelChange, SioLabelHistory};

/// Errors of this module; each variant has a stable [`Coded::code`] (see `docs/compose.md`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Malformed input not covered by a more specific variant. Code `mmhs-malformed`.
    #[error("{0}")]
    Malformed(String),
    /// Not a valid precedence (RFC 6477 §3.8). Code `precedence-invalid`.
    #[error("invalid precedence: {0}")]
    PrecedenceInvalid(String),
    /// Not a valid message type (RFC 6477 §3.10). Code `message-type-invalid`.
    #[error("invalid message type: {0}")]
    MessageTypeInvalid(String),
    /// Not a valid MT-Priority value, -9..9 (RFC 6758 §3). Code `mt-priority-invalid`.
    #[error("invalid MT-Priority: {0}")]
    MtPriorityInvalid(String),
    /// Not a valid RFC 5322 address list / mailbox. Code `address-invalid`.
    #[error("invalid address: {0}")]
    AddressInvalid(String),
    /// Not a valid RFC 5322 date-time. Code `date-time-invalid`.
    #[error("invalid date-time: {0}")]
    DateTimeInvalid(String),
    /// Not a valid military-string (1..69 PrintableString chars). Code `military-string-invalid`.
    #[error("invalid military-string: {0}")]
    MilitaryStringInvalid(String),
    /// Not a valid subject indicator code (3..8 PrintableString chars). Code `sic-invalid`.
    #[error("invalid subject indicator code: {0}")]
    SicInvalid(String),
    /// Not a valid nonneg-integer. Code `integer-invalid`.
    #[error("invalid integer: {0}")]
    IntegerInvalid(String),
    /// Not a valid msg-id list. Code `msg-id-invalid`.
    #[error("invalid msg-id: {0}")]
    MsgIdInvalid(String),
    /// Not a valid language tag list (RFC 3282). Code `language-tag-invalid`.
    #[error("invalid language tag: {0}")]
    LanguageTagInvalid(String),
    /// An RFC 2156 field with a value outside its grammar. Code `field-value-invalid`.
    #[error("invalid {field} value: {reason}")]
    ValueInvalid {
        /// Field name.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A malformed RFC 2045/2231 parameter list. Code `parameter-invalid`.
    #[error("invalid parameter: {0}")]
    ParameterInvalid(String),
    /// SIO-Label breaks RFC 7444 §4. Code `sio-label-invalid`.
    #[error("invalid SIO-Label: {0}")]
    SioLabelInvalid(String),
    /// SIO-Label-History breaks RFC 7444 §5. Code `sio-label-history-invalid`.
    #[error("invalid SIO-Label-History: {0}")]
    SioLabelHistoryInvalid(String),
    /// ESSSecurityLabel that does not decode (RFC 2634 §3.2). Code `ess-label-invalid`.
    #[error("invalid ESS security label: {0}")]
    EssLabelInvalid(String),
    /// A field that may occur at most once occurs more often. Code `duplicate-field`.
    #[error("header field {0} occurs more than once")]
    DuplicateField(String),
    /// Header-section error (limits, CR/LF/NUL in a value): the inner code, e.g.
    /// `header-crlf`, `header-nul`, `header-too-large`.
    #[error(transparent)]
    Header(#[from] crate::mime::header::Error),
    /// Input larger than the limit. Code `input-too-large`.
    #[error("input exceeds {limit} bytes")]
    InputTooLarge {
        /// The limit.
        limit: usize,
    },
    /// Input that is not an RFC 5322 message (no header fields). Code `not-a-message`.
    #[error("not a message: {0}")]
    NotAMessage(String),
}

impl From<crate::ess::Error> for Error {
    fn from(e: crate::ess::Error) -> Self {
        match e {
            crate::ess::Error::Invalid(m) => Error::EssLabelInvalid(m),
        }
    }
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::Malformed(_) => "mmhs-malformed",
            Error::PrecedenceInvalid(_) => "precedence-invalid",
            Error::MessageTypeInvalid(_) => "message-type-invalid",
            Error::MtPriorityInvalid(_) => "mt-priority-invalid",
            Error::AddressInvalid(_) => "address-invalid",
            Error::DateTimeInvalid(_) => "date-time-invalid",
            Error::MilitaryStringInvalid(_) => "military-string-invalid",
            Error::SicInvalid(_) => "sic-invalid",
            Error::IntegerInvalid(_) => "integer-invalid",
            Error::MsgIdInvalid(_) => "msg-id-invalid",
            Error::LanguageTagInvalid(_) => "language-tag-invalid",
            Error::ValueInvalid { .. } => "field-value-invalid",
            Error::ParameterInvalid(_) => "parameter-invalid",
            Error::SioLabelInvalid(_) => "sio-label-invalid",
            Error::SioLabelHistoryInvalid(_) => "sio-label-history-invalid",
            Error::EssLabelInvalid(_) => "ess-label-invalid",
            Error::DuplicateField(_) => "duplicate-field",
            Error::Header(e) => e.code(),
            Error::InputTooLarge { .. } => "input-too-large",
            Error::NotAMessage(_) => "not-a-message",
        }
    }
}

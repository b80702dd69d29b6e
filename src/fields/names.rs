//! Header field names used by the MMHS profile, as registered (case as in the RFCs).
//! Compare names case-insensitively (e.g. [`crate::mime::Field::is`]).

/// RFC 6477 §3.1
pub const MMHS_EXEMPTED_ADDRESS: &str = "MMHS-Exempted-Address";
/// RFC 6477 §3.2
pub const MMHS_EXTENDED_AUTHORISATION_INFO: &str = "MMHS-Extended-Authorisation-Info";
/// RFC 6477 §3.3
pub const MMHS_SUBJECT_INDICATOR_CODES: &str = "MMHS-Subject-Indicator-Codes";
/// RFC 6477 §3.4
pub const MMHS_HANDLING_INSTRUCTIONS: &str = "MMHS-Handling-Instructions";
/// RFC 6477 §3.5
pub const MMHS_MESSAGE_INSTRUCTIONS: &str = "MMHS-Message-Instructions";
/// RFC 6477 §3.6
pub const MMHS_CODRESS_MESSAGE_INDICATOR: &str = "MMHS-Codress-Message-Indicator";
/// RFC 6477 §3.7
pub const MMHS_ORIGINATOR_REFERENCE: &str = "MMHS-Originator-Reference";
/// RFC 6477 §3.8
pub const MMHS_PRIMARY_PRECEDENCE: &str = "MMHS-Primary-Precedence";
/// RFC 6477 §3.9
pub const MMHS_COPY_PRECEDENCE: &str = "MMHS-Copy-Precedence";
/// RFC 6477 §3.10
pub const MMHS_MESSAGE_TYPE: &str = "MMHS-Message-Type";
/// RFC 6477 §3.11
pub const MMHS_OTHER_RECIPIENTS_INDICATOR_TO: &str = "MMHS-Other-Recipients-Indicator-To";
/// RFC 6477 §3.12
pub const MMHS_OTHER_RECIPIENTS_INDICATOR_CC: &str = "MMHS-Other-Recipients-Indicator-CC";
/// RFC 6477 §3.13
pub const MMHS_ACP127_MESSAGE_IDENTIFIER: &str = "MMHS-Acp127-Message-Identifier";
/// RFC 6477 §3.14
pub const MMHS_ORIGINATOR_PLAD: &str = "MMHS-Originator-PLAD";
/// RFC 7912 §4
pub const MMHS_AUTHORIZING_USERS: &str = "MMHS-Authorizing-Users";
/// RFC 6758 §3
pub const MT_PRIORITY: &str = "MT-Priority";
/// RFC 7444 §4
pub const SIO_LABEL: &str = "SIO-Label";
/// RFC 7444 §5
pub const SIO_LABEL_HISTORY: &str = "SIO-Label-History";
/// RFC 2156 §5.3
pub const EXPIRES: &str = "Expires";
/// RFC 2156 §5.3
pub const SUPERSEDES: &str = "Supersedes";
/// RFC 2156 §5.3
pub const AUTOFORWARDED: &str = "Autoforwarded";
/// RFC 2156 §5.3
pub const INCOMPLETE_COPY: &str = "Incomplete-Copy";
/// RFC 2156 §5.3
pub const CONVERSION: &str = "Conversion";
/// RFC 2156 §5.3
pub const CONVERSION_WITH_LOSS: &str = "Conversion-With-Loss";
/// RFC 2156 §5.3
pub const ORIGINAL_ENCODED_INFORMATION_TYPES: &str = "Original-Encoded-Information-Types";
/// RFC 8098 §2.1
pub const DISPOSITION_NOTIFICATION_TO: &str = "Disposition-Notification-To";
/// RFC 8098 §2.2
pub const DISPOSITION_NOTIFICATION_OPTIONS: &str = "Disposition-Notification-Options";
/// RFC 3282 §2
pub const CONTENT_LANGUAGE: &str = "Content-Language";
/// RFC 5322 §3.6.4
pub const REFERENCES: &str = "References";
/// RFC 5322 §3.6.4
pub const IN_REPLY_TO: &str = "In-Reply-To";
/// RFC 5322 §3.6.4
pub const MESSAGE_ID: &str = "Message-ID";
/// RFC 5322 §3.6.7
pub const RECEIVED: &str = "Received";
/// RFC 5322 §3.6.1
pub const DATE: &str = "Date";
/// RFC 5322 §3.6.2
pub const FROM: &str = "From";
/// RFC 5322 §3.6.2
pub const SENDER: &str = "Sender";
/// RFC 5322 §3.6.3
pub const TO: &str = "To";
/// RFC 5322 §3.6.3
pub const CC: &str = "Cc";
/// RFC 5322 §3.6.3
pub const BCC: &str = "Bcc";
/// RFC 5322 §3.6.5
pub const SUBJECT: &str = "Subject";
/// RFC 2156 / RFC 4021 §2.1.54 (MIXER priority; not MT-Priority)
pub const PRIORITY: &str = "Priority";

/// The RFC 6477 fields (each MUST NOT occur more than once, RFC 6477 §3).
pub const RFC6477_FIELDS: [&str; 14] = [
    MMHS_EXEMPTED_ADDRESS,
    MMHS_EXTENDED_AUTHORISATION_INFO,
    MMHS_SUBJECT_INDICATOR_CODES,
    MMHS_HANDLING_INSTRUCTIONS,
    MMHS_MESSAGE_INSTRUCTIONS,
    MMHS_CODRESS_MESSAGE_INDICATOR,
    MMHS_ORIGINATOR_REFERENCE,
    MMHS_PRIMARY_PRECEDENCE,
    MMHS_COPY_PRECEDENCE,
    MMHS_MESSAGE_TYPE,
    MMHS_OTHER_RECIPIENTS_INDICATOR_TO,
    MMHS_OTHER_RECIPIENTS_INDICATOR_CC,
    MMHS_ACP127_MESSAGE_IDENTIFIER,
    MMHS_ORIGINATOR_PLAD,
];

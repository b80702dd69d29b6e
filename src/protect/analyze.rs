//! Receipt: which header-protection scheme a signed and/or encrypted payload uses, which
//! header fields the UI must render, and every outer/inner difference (RFC 9788 §4).
//!
//! Schemes recognised on the Cryptographic Payload root entity:
//! - **wrapped** — `message/rfc822` (or `message/global`) with `forwarded=no`
//!   (draft-melnikov-iana-reg-forwarded §2, the MMHS profile / Isode form), or with the older
//!   draft's `protected-headers="wrapped"`. With `forwarded=yes` or without `forwarded` the
//!   payload is a *forwarded message*, not header protection (scheme `none`, note
//!   `hp-forwarded`: legitimate, but this message's own header fields are not protected).
//! - **injected** — RFC 9788 `hp="clear"` / `hp="cipher"` (with `HP-Outer`, honoured only for
//!   `hp="cipher"` in an encrypted message, §2.2), or the draft form `protected-headers="v1"`
//!   (with `HP-Obscured: Name: value` and `HP-Removed: Name`).
//!
//! An outer/inner difference is *explained* (reported in `obscured`, not as a problem) when:
//! the outer value is what `HP-Outer` / `HP-Obscured` / `HP-Removed` declare; or, in an
//! encrypted message without such declarations, the outer field is absent or is a Subject
//! placeholder ([`SUBJECT_PLACEHOLDERS`]). Every other difference is a mismatch and a problem;
//! a different From addr-spec is `hp-from-mismatch` (RFC 9788 §4.4, phishing-level).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::fields::{addr_specs, canonical_name, display, is_hp_meta, is_structural, COMPARED};
use super::legacy::remove_legacy_display;
use crate::mime::entity::media_type;
use crate::mime::header::HeaderSection;
use crate::report::{Forwarded, HeaderMismatch, HpScheme, Problem};

/// Outer Subject values accepted as an obscured Subject in an encrypted message that does not
/// declare its policy: RFC 9788 `hcp_baseline` (`[...]`), the Autocrypt / early-draft `...`,
/// and pEp's `=?utf-8?Q?p=E2=89=A1p?=`-era `Encrypted Message`.
pub const SUBJECT_PLACEHOLDERS: &[&str] =
    &["[...]", "...", "Encrypted Message", "Encrypted message"];

/// Problem codes of [`analyze`] (documented in `docs/report.md`, "Header protection").
pub mod codes {
    /// The outer From addr-spec differs from the protected one (RFC 9788 §4.4).
    pub const FROM_MISMATCH: &str = "hp-from-mismatch";
    /// Another outer field differs from its protected value without explanation.
    pub const HEADER_MISMATCH: &str = "hp-header-mismatch";
    /// Note (not a problem): the payload is message/rfc822 with forwarded=yes or no forwarded
    /// parameter — a forwarded message, not header protection.
    pub const FORWARDED: &str = "hp-forwarded";
    /// `hp="cipher"` on a message that was not encrypted (RFC 9788 §4.1).
    pub const CIPHER_UNENCRYPTED: &str = "hp-cipher-unencrypted";
    /// An `hp` value other than `clear` / `cipher`.
    pub const INVALID: &str = "hp-invalid";
    /// The protected header section has no From field.
    pub const NO_FROM: &str = "hp-no-from";
    /// A header section could not be read (limits).
    pub const UNREADABLE: &str = "hp-unreadable";
}

/// What header protection the payload carries (serialised camelCase for the report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeaderProtection {
    /// `wrapped`, `injected` or `none`.
    pub scheme: HpScheme,
    /// `forwarded` of a message/rfc822 payload: `yes`, `no` or `absent`.
    pub forwarded: Forwarded,
    /// Unexplained outer/inner differences (each also a problem).
    pub mismatches: Vec<HeaderMismatch>,
    /// Differences explained by HP-Outer / HP-Obscured / HP-Removed or the obscuring policy
    /// (confidentiality, not an attack). `outer: null` means removed from the outside.
    pub obscured: Vec<HeaderMismatch>,
    /// The protected header fields `[name, value]` (decoded for display), in order: what the
    /// UI renders instead of the outer ones. Empty for scheme `none`.
    pub protected_headers: Vec<(String, String)>,
    /// Whether the payload has a Legacy Display Element the UI must not show (render
    /// [`super::remove_legacy_display`]'s output instead).
    pub legacy_display_part_removed: bool,
    /// Findings with stable codes ([`codes`]).
    pub problems: Vec<Problem>,
    /// Informational findings with stable codes, not problems: `hp-forwarded` (a signed
    /// forward is legitimate traffic; only this message's own header is unprotected).
    pub notes: Vec<Problem>,
}

impl HeaderProtection {
    fn none(forwarded: Forwarded) -> Self {
        HeaderProtection {
            scheme: HpScheme::None,
            forwarded,
            mismatches: Vec::new(),
            obscured: Vec::new(),
            protected_headers: Vec::new(),
            legacy_display_part_removed: false,
            problems: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The subset the verification report carries.
    pub fn to_report(&self) -> crate::report::HeaderProtection {
        crate::report::HeaderProtection {
            scheme: self.scheme,
            forwarded: self.forwarded,
            mismatches: self.mismatches.clone(),
        }
    }
}

/// Which declarations explain the outer header section.
enum Declared {
    /// RFC 9788 HP-Outer (active): lower-case name → outer values, in order.
    HpOuter(ByName<String>),
    /// Draft HP-Obscured (lower-case name → values) and HP-Removed (lower-case names).
    Draft {
        obscured: ByName<String>,
        removed: BTreeSet<String>,
    },
    /// Nothing declared.
    Nothing,
}

/// Values grouped by lower-case field name, each group in the order written: a name is
/// looked up once, not searched for in every field (a section of many fields is compared
/// in one pass). An ordered map: its cost does not depend on a hash seed a sender's names
/// could be chosen against.
type ByName<T> = BTreeMap<String, Vec<T>>;

fn by_name<N: AsRef<str>, T>(items: impl Iterator<Item = (N, T)>) -> ByName<T> {
    let mut map: ByName<T> = BTreeMap::new();
    for (name, item) in items {
        map.entry(name.as_ref().to_ascii_lowercase())
            .or_default()
            .push(item);
    }
    map
}

/// The display values of every occurrence of `name` in a section indexed by [`by_name`]:
/// unfolded, RFC 2047 decoded, runs of whitespace collapsed (`fields::display`).
fn indexed_values(hs: &HeaderSection<'_>, index: &ByName<usize>, name: &str) -> Vec<String> {
    index
        .get(&name.to_ascii_lowercase())
        .map(|at| {
            at.iter()
                .filter_map(|&i| hs.fields.get(i))
                .map(|f| display(&f.unfolded()))
                .collect()
        })
        .unwrap_or_default()
}

/// Analyse a received payload. `outer_header_section` is the header section of the message
/// as delivered (the part outside every S/MIME layer); `payload_root_entity` the innermost
/// signed/decrypted MIME entity; `encrypted` whether any layer was encrypted.
pub fn analyze(
    outer_header_section: &[u8],
    payload_root_entity: &[u8],
    encrypted: bool,
) -> HeaderProtection {
    let (outer, root) = match (
        HeaderSection::parse(outer_header_section),
        HeaderSection::parse(payload_root_entity),
    ) {
        (Ok(o), Ok(r)) => (o, r),
        (Err(e), _) | (_, Err(e)) => {
            let mut hp = HeaderProtection::none(Forwarded::Absent);
            hp.problems.push(Problem::new(
                codes::UNREADABLE,
                format!("a header section cannot be read: {e}"),
            ));
            return hp;
        }
    };
    let ct = media_type(
        &root
            .value("Content-Type")
            .map(|v| v.into_owned())
            .unwrap_or_else(|| "text/plain".into()),
    );
    let mut problems = Vec::new();

    // Decide the scheme and find the protected header section.
    let (scheme, forwarded, inner_src, declared): (HpScheme, Forwarded, &[u8], Declared);
    if ct.mime == "message/rfc822" || ct.mime == "message/global" {
        let fwd = match ct.param("forwarded").map(|v| v.to_ascii_lowercase()) {
            Some(v) if v == "no" => Forwarded::No,
            Some(v) if v == "yes" => Forwarded::Yes,
            _ => Forwarded::Absent,
        };
        let wrapped_draft = ct.param("protected-headers") == Some("wrapped");
        if fwd != Forwarded::No && !wrapped_draft {
            let mut hp = HeaderProtection::none(fwd);
            hp.notes.push(Problem::new(
                codes::FORWARDED,
                format!(
                    "the protected content is a forwarded message (message/rfc822 with {}): its header fields belong to the forwarded message, not to this one, so this message's header fields are not protected",
                    if fwd == Forwarded::Yes { "forwarded=yes" } else { "no forwarded=no parameter" }
                ),
            ));
            return hp;
        }
        scheme = HpScheme::Wrapped;
        forwarded = fwd;
        inner_src = payload_root_entity
            .get(root.body_offset..)
            .unwrap_or_default();
        declared = Declared::Nothing;
    } else if let Some(hpv) = ct.param("hp") {
        scheme = HpScheme::Injected;
        forwarded = Forwarded::Absent;
        inner_src = payload_root_entity;
        let hpv = hpv.to_ascii_lowercase();
        if hpv != "clear" && hpv != "cipher" {
            problems.push(Problem::new(
                codes::INVALID,
                format!("unknown hp=\"{hpv}\" (RFC 9788 §2.1.1 defines clear and cipher)"),
            ));
        }
        if hpv == "cipher" && !encrypted {
            problems.push(Problem::new(
                codes::CIPHER_UNENCRYPTED,
                "hp=\"cipher\" on a message that was not encrypted: its header fields were not confidential (RFC 9788 §4.1)",
            ));
        }
        declared = if hpv == "cipher" && encrypted {
            Declared::HpOuter(by_name(
                root.get_all("HP-Outer")
                    .filter_map(|f| split_decl(&f.unfolded())),
            ))
        } else {
            Declared::Nothing
        };
    } else if ct.param("protected-headers") == Some("v1") {
        scheme = HpScheme::Injected;
        forwarded = Forwarded::Absent;
        inner_src = payload_root_entity;
        declared = Declared::Draft {
            obscured: by_name(
                root.get_all("HP-Obscured")
                    .filter_map(|f| split_decl(&f.unfolded())),
            ),
            removed: root
                .get_all("HP-Removed")
                .flat_map(|f| {
                    f.unfolded()
                        .split(',')
                        .map(|s| s.trim().to_ascii_lowercase())
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                })
                .collect(),
        };
    } else {
        return HeaderProtection::none(Forwarded::Absent);
    }

    let inner = match HeaderSection::parse(inner_src) {
        Ok(h) => h,
        Err(e) => {
            let mut hp = HeaderProtection::none(forwarded);
            hp.scheme = scheme;
            hp.problems.push(Problem::new(
                codes::UNREADABLE,
                format!("the protected header section cannot be read: {e}"),
            ));
            return hp;
        }
    };

    let protected_headers: Vec<(String, String)> = inner
        .fields
        .iter()
        .filter(|f| !is_structural(f.name) && !is_hp_meta(f.name))
        .map(|f| (f.name.to_string(), display(&f.unfolded())))
        .collect();
    if inner.get("From").is_none() {
        problems.push(Problem::new(
            codes::NO_FROM,
            "the protected header section has no From field",
        ));
    }

    // Names to compare: the fixed list, MMHS-* fields, and every protected field.
    let mut names: Vec<String> = COMPARED.iter().map(|s| s.to_string()).collect();
    let extra = outer
        .fields
        .iter()
        .filter(|f| starts_with_ci(f.name, "MMHS-"))
        .chain(
            inner
                .fields
                .iter()
                .filter(|f| !is_structural(f.name) && !is_hp_meta(f.name)),
        );
    let mut seen: BTreeSet<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    for f in extra {
        if seen.insert(f.name.to_ascii_lowercase()) {
            names.push(canonical_name(f.name));
        }
    }

    let outer_index = by_name(outer.fields.iter().enumerate().map(|(i, f)| (f.name, i)));
    let inner_index = by_name(inner.fields.iter().enumerate().map(|(i, f)| (f.name, i)));
    let mut mismatches = Vec::new();
    let mut obscured = Vec::new();
    for name in &names {
        let ov = indexed_values(&outer, &outer_index, name);
        let iv = indexed_values(&inner, &inner_index, name);
        if ov == iv {
            continue;
        }
        let entry = HeaderMismatch {
            field: name.clone(),
            outer: (!ov.is_empty()).then(|| ov.join(", ")),
            inner: (!iv.is_empty()).then(|| iv.join(", ")),
        };
        if explained(name, &ov, &declared, encrypted) {
            obscured.push(entry);
            continue;
        }
        if name.eq_ignore_ascii_case("From") && addr_specs(&ov) != addr_specs(&iv) {
            problems.push(Problem::new(
                codes::FROM_MISMATCH,
                format!(
                    "the outer From ({}) is not the protected From ({}): possible spoofing (RFC 9788 §4.4); only the protected From is authenticated",
                    entry.outer.as_deref().unwrap_or("absent"),
                    entry.inner.as_deref().unwrap_or("absent")
                ),
            ));
        } else {
            problems.push(Problem::new(
                codes::HEADER_MISMATCH,
                format!(
                    "outer {name} ({}) differs from the protected value ({})",
                    entry.outer.as_deref().unwrap_or("absent"),
                    entry.inner.as_deref().unwrap_or("absent")
                ),
            ));
        }
        mismatches.push(entry);
    }

    HeaderProtection {
        scheme,
        forwarded,
        mismatches,
        obscured,
        protected_headers,
        legacy_display_part_removed: scheme == HpScheme::Injected
            && remove_legacy_display(payload_root_entity).is_some(),
        problems,
        notes: Vec::new(),
    }
}

/// Whether the outer values `ov` of `name` are what the declarations / policy explain.
fn explained(name: &str, ov: &[String], declared: &Declared, encrypted: bool) -> bool {
    match declared {
        Declared::HpOuter(list) => {
            let expected: Vec<String> = list
                .get(&name.to_ascii_lowercase())
                .map(|vs| vs.iter().map(|v| display(v)).collect())
                .unwrap_or_default();
            ov == expected.as_slice()
        }
        Declared::Draft { obscured, removed } => {
            let ob: Vec<String> = obscured
                .get(&name.to_ascii_lowercase())
                .map(|vs| vs.iter().map(|v| display(v)).collect())
                .unwrap_or_default();
            if !ob.is_empty() {
                return ov == ob.as_slice();
            }
            if removed.contains(&name.to_ascii_lowercase()) {
                return ov.is_empty();
            }
            policy_explains(name, ov, encrypted)
        }
        Declared::Nothing => policy_explains(name, ov, encrypted),
    }
}

/// Without declarations, only an encrypted message may hide fields: removed outside, or a
/// Subject placeholder.
fn policy_explains(name: &str, ov: &[String], encrypted: bool) -> bool {
    if !encrypted {
        return false;
    }
    if ov.is_empty() {
        return true;
    }
    name.eq_ignore_ascii_case("Subject")
        && ov.len() == 1
        && ov
            .first()
            .is_some_and(|v| SUBJECT_PLACEHOLDERS.iter().any(|p| p == v))
}

/// `Name: value` of HP-Outer / HP-Obscured.
fn split_decl(v: &str) -> Option<(String, String)> {
    let (n, val) = v.split_once(':')?;
    let n = n.trim();
    if n.is_empty() || n.contains(char::is_whitespace) {
        return None;
    }
    Some((n.to_string(), val.trim().to_string()))
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

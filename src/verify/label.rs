//! The MMHS view of the header a message is read from ([`crate::fields::inspect()`]) and the
//! security label: the effective ESS security label (RFC 2634 §3.1.1: the label of the
//! innermost signed layer that carries one, from a valid signature) against the SIO-Label
//! header field (RFC 7444; MMHS profile §4.2.5: same policy, classification and categories;
//! privacy marks are display text and are not compared).

use crate::ess::{labels_agree, to_report};
use crate::mime::entity::Field;
use crate::report::{SecurityLabel, SignatureReport, VerifyReport};

/// Problem codes of this module (documented in `docs/report.md`).
pub(crate) mod codes {
    pub(crate) use crate::report::codes::label::{
        MMHS_PREFIX, SIO_LABEL_DUPLICATE, SIO_LABEL_INVALID, SIO_LABEL_MISMATCH,
    };
}

/// The effective ESS security label: the one of the innermost valid signature carrying one.
pub(crate) fn effective_label(signatures: &[SignatureReport]) -> Option<SecurityLabel> {
    signatures
        .iter()
        .rev()
        .filter(|s| s.valid)
        .find_map(|s| s.security_label.clone())
}

/// Fill `report.mmhs` from `mmhs::inspect` of `src` and compare its SIO-Label with the
/// effective ESS label (MMHS profile §4.2.5).
pub(crate) fn mmhs_view(
    report: &mut VerifyReport,
    src: &[u8],
    header: &[Field<'_>],
    at: Option<time::OffsetDateTime>,
    reader: Option<&str>,
) {
    use crate::coded::Coded;
    let opts = crate::fields::InspectOptions {
        now: at,
        reader: reader.map(str::to_string),
    };
    let view = match crate::fields::inspect(src, &opts) {
        Ok(v) => v,
        Err(e) => {
            report.mmhs = None;
            report.problem(
                &format!("{}{}", codes::MMHS_PREFIX, e.code()),
                format!("the header section cannot be inspected: {e}"),
            );
            return;
        }
    };
    let sio_count = header
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("sio-label"))
        .count();
    if sio_count > 1 {
        report.problem(
            codes::SIO_LABEL_DUPLICATE,
            "more than one SIO-Label field (RFC 7444 §4: zero or one)",
        );
    }
    match &view.sio_label {
        None if sio_count > 0 => report.problem(
            codes::SIO_LABEL_INVALID,
            "the SIO-Label field cannot be parsed (RFC 7444 §4)",
        ),
        None => {}
        Some(sio) => match (sio.label.ess_label(), &report.security_label) {
            (Some(Err(e)), _) => report.problem(
                codes::SIO_LABEL_INVALID,
                format!("SIO-Label type=\":ess\" label cannot be decoded: {e}"),
            ),
            (Some(Ok(sio_ess)), Some(ess)) => {
                let sio_ess = to_report(&sio_ess);
                if !labels_agree(&sio_ess, ess) {
                    let show = |l: &crate::report::SecurityLabel| {
                        format!(
                            "policy {}, classification {}, {} categor{}",
                            l.policy,
                            l.classification
                                .map(|c| c.to_string())
                                .unwrap_or_else(|| "none".into()),
                            l.categories.len(),
                            if l.categories.len() == 1 { "y" } else { "ies" }
                        )
                    };
                    report.problem(
                        codes::SIO_LABEL_MISMATCH,
                        format!(
                            "the SIO-Label ({}) and the signed ESS security label ({}) disagree (MMHS profile §4.2.5)",
                            show(&sio_ess),
                            show(ess)
                        ),
                    );
                }
            }
            _ => {}
        },
    }
    report.mmhs = Some(Box::new(view));
}

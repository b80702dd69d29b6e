//! Strict checks on MAIL/RCPT parameters that `smtp-proto`'s lenient parser does not make:
//! one occurrence per keyword (RFC 3461 §4: RET/ENVID once per MAIL, NOTIFY/ORCPT once per
//! RCPT, else 501; RFC 6710 §3: more than one MT-PRIORITY must be rejected; RFC 4865 §4.1:
//! only one of HOLDFOR/HOLDUNTIL), the exact `priority-value` ABNF (RFC 6710 §3: "+3", "-0",
//! "03", "10" are syntax errors → `501 5.5.2`), the value grammars that bound every
//! number a client may send (see `check_value`). xtext encoding is `compose::envelope::xtext`.

use crate::fields::mt_priority::MtPriority;

/// A rejection: SMTP code, enhanced status code, text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// Reply code.
    pub code: u16,
    /// Enhanced status code (RFC 3463).
    pub esc: [u8; 3],
    /// Text.
    pub text: String,
}

fn e(code: u16, esc: [u8; 3], text: impl Into<String>) -> ParamError {
    ParamError {
        code,
        esc,
        text: text.into(),
    }
}

/// What the raw scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawParams {
    /// Upper-cased keywords in order.
    pub keywords: Vec<String>,
    /// The MT-PRIORITY value if present (already syntax-checked).
    pub mt_priority: Option<i8>,
}

/// The parameter part of a `MAIL FROM:<...>` / `RCPT TO:<...>` line: what follows the
/// path's closing `>` (quoted local parts may contain `>`).
fn params_part(line: &[u8]) -> &[u8] {
    let Some(start) = line.iter().position(|&b| b == b'<') else {
        return &[];
    };
    let mut in_quote = false;
    let mut escaped = false;
    for (i, &b) in line.iter().enumerate().skip(start + 1) {
        if escaped {
            escaped = false;
            continue;
        }
        match b {
            b'\\' if in_quote => escaped = true,
            b'"' => in_quote = !in_quote,
            b'>' if !in_quote => return line.get(i + 1..).unwrap_or(&[]),
            _ => {}
        }
    }
    &[]
}

/// Scan the parameters of a MAIL or RCPT command line.
pub fn scan(line: &[u8], is_mail: bool) -> Result<RawParams, ParamError> {
    let part = String::from_utf8_lossy(params_part(line));
    let mut out = RawParams::default();
    for tok in part.split_ascii_whitespace() {
        let (k, v) = match tok.split_once('=') {
            Some((k, v)) => (k.to_ascii_uppercase(), Some(v)),
            None => (tok.to_ascii_uppercase(), None),
        };
        if out.keywords.contains(&k) {
            return Err(if k == "MT-PRIORITY" {
                e(501, [5, 5, 2], "More than one MT-PRIORITY parameter")
            } else {
                e(501, [5, 5, 4], format!("Duplicate {k} parameter"))
            });
        }
        if is_mail {
            if let Some(err) = check_value(&k, v) {
                return Err(err);
            }
        }
        if k == "MT-PRIORITY" && is_mail {
            match v.and_then(|v| MtPriority::from_parameter(v).ok()) {
                Some(p) => out.mt_priority = Some(p.value()),
                None => return Err(e(
                    501,
                    [5, 5, 2],
                    "Syntax error in MT-PRIORITY value (RFC 6710: -9..9, no '+', no leading zeros)",
                )),
            }
        }
        out.keywords.push(k);
    }
    if is_mail
        && out.keywords.iter().any(|k| k == "HOLDFOR")
        && out.keywords.iter().any(|k| k == "HOLDUNTIL")
    {
        return Err(e(501, [5, 5, 4], "Only one of HOLDFOR and HOLDUNTIL"));
    }
    Ok(out)
}

pub(crate) use crate::compose::envelope::MAX_BY_TIME;

fn digits(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
}

/// The value grammars of the numeric MAIL parameters, checked on the raw text so that no
/// out-of-range number reaches the queue's time arithmetic:
///
/// ```text
/// by-value      = by-time ";" by-mode [ by-trace ]      ; RFC 2852 §4
/// by-time       = [ "-" / "+" ] 1*9digit
/// holdfor-value = 1*9DIGIT                              ; RFC 4865 §4
/// size-value    = 1*20DIGIT                             ; RFC 1870 §5
/// ```
/// HOLDUNTIL (an RFC 3339 date-time) is bounded by the session against the advertised
/// maximum; MT-PRIORITY has its own ABNF check above. A violation is `501 5.5.4`
/// (RFC 3463 X.5.4, invalid command arguments).
fn check_value(keyword: &str, value: Option<&str>) -> Option<ParamError> {
    let bad = |what: &str| {
        Some(e(
            501,
            [5, 5, 4],
            format!("Invalid {keyword} value: {what}"),
        ))
    };
    match keyword {
        "BY" => {
            let v = value.unwrap_or("");
            let time = v.split(';').next().unwrap_or("");
            let magnitude = time.strip_prefix(['-', '+']).unwrap_or(time);
            if !digits(magnitude, 9) {
                return bad("by-time is at most 9 digits (RFC 2852)");
            }
            None
        }
        "HOLDFOR" if !digits(value.unwrap_or(""), 9) => bad("at most 9 digits (RFC 4865)"),
        "SIZE" if !digits(value.unwrap_or(""), 20) => bad("at most 20 digits (RFC 1870)"),
        "HOLDUNTIL" if value.is_none_or(|v| v.is_empty() || v.len() > 64) => {
            bad("an RFC 3339 date-time (RFC 4865)")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_priority() {
        assert_eq!(
            scan(b"MAIL FROM:<a@b> MT-PRIORITY=3 SIZE=10\r\n", true)
                .unwrap()
                .mt_priority,
            Some(3)
        );
        for bad in ["+3", "-0", "03", "10", "x", ""] {
            let line = format!("MAIL FROM:<a@b> MT-PRIORITY={bad}\r\n");
            let err = scan(line.as_bytes(), true).unwrap_err();
            assert_eq!((err.code, err.esc), (501, [5, 5, 2]), "{bad}");
        }
        let err = scan(b"MAIL FROM:<a@b> MT-PRIORITY=1 mt-priority=2\r\n", true).unwrap_err();
        assert_eq!(err.esc, [5, 5, 2]);
        let err = scan(b"MAIL FROM:<a@b> RET=FULL RET=HDRS\r\n", true).unwrap_err();
        assert_eq!((err.code, err.esc), (501, [5, 5, 4]));
        let err = scan(b"RCPT TO:<a@b> NOTIFY=SUCCESS NOTIFY=FAILURE\r\n", false).unwrap_err();
        assert_eq!(err.code, 501);
        let err = scan(
            b"MAIL FROM:<a@b> HOLDFOR=10 HOLDUNTIL=2030-01-01T00:00:00Z\r\n",
            true,
        )
        .unwrap_err();
        assert_eq!(err.code, 501);
        // '>' inside a quoted local part does not end the path
        let p = scan(b"MAIL FROM:<\"a>b\"@c> RET=FULL\r\n", true).unwrap();
        assert_eq!(p.keywords, vec!["RET"]);
    }

    #[test]
    fn numeric_values_bounded() {
        for bad in [
            "BY=-9223372036854775806;N",
            "BY=1000000000;R",
            "BY=;R",
            "HOLDFOR=1000000000",
            "HOLDFOR=-1",
            "SIZE=123456789012345678901",
            "SIZE=x",
        ] {
            let line = format!("MAIL FROM:<a@b> {bad}\r\n");
            let err = scan(line.as_bytes(), true).unwrap_err();
            assert_eq!((err.code, err.esc), (501, [5, 5, 4]), "{bad}");
        }
        for good in [
            "BY=-999999999;N",
            "BY=+120;RT",
            "HOLDFOR=999999999",
            "SIZE=0",
        ] {
            let line = format!("MAIL FROM:<a@b> {good}\r\n");
            assert!(scan(line.as_bytes(), true).is_ok(), "{good}");
        }
    }
}

//! RFC 5322 `date-time` — [RFC 5322 §3.3](https://www.rfc-editor.org/rfc/rfc5322#section-3.3)
//! (with the obsolete forms of §4.3). Used by MMHS-Extended-Authorisation-Info
//! ([RFC 6477 §3.2](https://www.rfc-editor.org/rfc/rfc6477#section-3.2)), Expires
//! (RFC 2156), SIO-Label-History `changed-at` and the time stamp of Received fields.
//!
//! ```text
//! date-time   = [ day-of-week "," ] date time [CFWS]
//! date        = day month year            ; day = 1*2DIGIT, year = 4*DIGIT (obs: 2*DIGIT)
//! time        = hour ":" minute [ ":" second ] FWS zone
//! zone        = ("+" / "-") 4DIGIT / obs-zone ; obs-zone: UT GMT EST EDT CST CDT MST MDT PST PDT, military letters
//! MMHS-Extended-Authorisation-Info = "MMHS-Extended-Authorisation-Info:" [FWS] date-time CRLF
//! ```
//!
//! Two-digit years are 19xx when ≥ 50, else 20xx; three-digit years add 1900 (§4.3). Military
//! single-letter zones are read as `-0000` (RFC 5322 §4.3). The day of week, if present, is
//! not checked against the date. Canonical text: `Mon, 09 Aug 2010 15:27:40 +0100` (the
//! original offset kept). JSON: an RFC 3339 string (`"2010-08-09T15:27:40+01:00"`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::lex::strip_comments;
use super::Error;

/// An RFC 5322 date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(type = "string"))]
pub struct DateTime(pub OffsetDateTime);

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn bad(s: &str, why: &str) -> Error {
    Error::DateTimeInvalid(format!("{s:?}: {why}"))
}

impl FromStr for DateTime {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let (core, _) = strip_comments(s).map_err(|e| bad(s, e))?;
        let core = core.replace(',', " , ");
        let mut toks: Vec<&str> = core.split_whitespace().collect();
        if let Some(first) = toks.first() {
            if DAYS.iter().any(|d| d.eq_ignore_ascii_case(first)) {
                if toks.get(1) != Some(&",") {
                    return Err(bad(s, "expected ',' after day of week"));
                }
                toks.drain(..2);
            }
        }
        let [day, month, year, time, zone] = toks.as_slice() else {
            return Err(bad(s, "expected day month year time zone"));
        };
        let day: u8 = digits(day, 1, 2).ok_or_else(|| bad(s, "bad day"))? as u8;
        let month = MONTHS
            .iter()
            .position(|m| m.eq_ignore_ascii_case(month))
            .and_then(|i| Month::try_from(i as u8 + 1).ok())
            .ok_or_else(|| bad(s, "bad month"))?;
        let y = digits(year, 2, 9).ok_or_else(|| bad(s, "bad year"))?;
        let year = match year.len() {
            2 if y >= 50 => 1900 + y,
            2 => 2000 + y,
            3 => 1900 + y,
            _ => y,
        };
        let year = i32::try_from(year).map_err(|_| bad(s, "bad year"))?;
        let mut hms = time.split(':');
        let h = hms.next().and_then(|t| digits(t, 2, 2));
        let m = hms.next().and_then(|t| digits(t, 2, 2));
        let sec = match hms.next() {
            Some(t) => digits(t, 2, 2),
            None => Some(0),
        };
        let (Some(h), Some(m), Some(sec), None) = (h, m, sec, hms.next()) else {
            return Err(bad(s, "bad time of day"));
        };
        // Leap second 60 is allowed by the grammar; clamp to 59.
        let sec = sec.min(59);
        let offset = parse_zone(zone).ok_or_else(|| bad(s, "bad zone"))?;
        let date =
            Date::from_calendar_date(year, month, day).map_err(|_| bad(s, "no such date"))?;
        let time =
            Time::from_hms(h as u8, m as u8, sec as u8).map_err(|_| bad(s, "no such time"))?;
        Ok(DateTime(
            PrimitiveDateTime::new(date, time).assume_offset(offset),
        ))
    }
}

fn digits(t: &str, min: usize, max: usize) -> Option<u64> {
    if t.len() < min || t.len() > max || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

fn parse_zone(z: &str) -> Option<UtcOffset> {
    let b = z.as_bytes();
    if let [sign @ (b'+' | b'-'), rest @ ..] = b {
        if rest.len() != 4 || !rest.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let hh = i8::try_from(digits(z.get(1..3)?, 2, 2)?).ok()?;
        let mm = i8::try_from(digits(z.get(3..5)?, 2, 2)?).ok()?;
        if mm > 59 {
            return None;
        }
        let (hh, mm) = if *sign == b'-' { (-hh, -mm) } else { (hh, mm) };
        return UtcOffset::from_hms(hh, mm, 0).ok();
    }
    let hours: i8 = match z.to_ascii_uppercase().as_str() {
        "UT" | "GMT" | "Z" => 0,
        "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" => -8,
        m if m.len() == 1 && m.bytes().all(|c| c.is_ascii_alphabetic() && c != b'J') => 0,
        _ => return None,
    };
    UtcOffset::from_hms(hours, 0, 0).ok()
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        let wd = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            .get(usize::from(t.weekday().number_days_from_monday()))
            .copied()
            .unwrap_or("Mon");
        let mon = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ]
        .get(usize::from(u8::from(t.month())) - 1)
        .copied()
        .unwrap_or("Jan");
        let off = t.offset();
        let total = off.whole_minutes();
        let sign = if total < 0 { '-' } else { '+' };
        let total = total.unsigned_abs();
        write!(
            f,
            "{wd}, {:02} {mon} {:04} {:02}:{:02}:{:02} {sign}{:02}{:02}",
            t.day(),
            t.year(),
            t.hour(),
            t.minute(),
            t.second(),
            total / 60,
            total % 60
        )
    }
}

impl DateTime {
    /// RFC 3339 text (the JSON form).
    pub fn to_rfc3339(&self) -> String {
        self.0
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
            .map(DateTime)
            .or_else(|_| s.parse())
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6477_example() {
        // RFC 6477 §3.2 example
        let d: DateTime = "Mon, 09 Aug 2010 15:27:40 +0100".parse().unwrap();
        assert_eq!(d.to_string(), "Mon, 09 Aug 2010 15:27:40 +0100");
        assert_eq!(d.to_rfc3339(), "2010-08-09T15:27:40+01:00");
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            "\"2010-08-09T15:27:40+01:00\""
        );
        let back: DateTime = serde_json::from_str("\"2010-08-09T15:27:40+01:00\"").unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn obsolete_forms() {
        let d: DateTime = "9 aug 10 15:27 GMT (comment)".parse().unwrap();
        assert_eq!(d.to_string(), "Mon, 09 Aug 2010 15:27:00 +0000");
        let d: DateTime = "Thu, 13 Feb 69 23:32:54 -0330".parse().unwrap();
        assert_eq!(d.to_string(), "Thu, 13 Feb 1969 23:32:54 -0330");
        let d: DateTime = "Fri,21 Nov 1997 09:55:06 EST".parse().unwrap();
        assert_eq!(d.to_string(), "Fri, 21 Nov 1997 09:55:06 -0500");
    }

    #[test]
    fn invalid() {
        for bad in [
            "",
            "yesterday",
            "32 Jan 2020 00:00 +0000",
            "1 Foo 2020 00:00 +0000",
            "1 Jan 2020 25:00 +0000",
            "1 Jan 2020 00:00",
            "1 Jan 2020 00:00 +01",
            "Mon 1 Jan 2020 00:00 +0000",
        ] {
            assert!(bad.parse::<DateTime>().is_err(), "{bad}");
        }
    }
}

//! The sandbox's clock: wall time plus an adjustable offset (a fault an admin
//! can inject to reproduce clock skew), and the few date formats Entra and
//! Microsoft Graph write.
//!
//! No date crate: the formats are fixed and the arithmetic is the civil-date
//! algorithm below, checked by the unit tests.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Wall-clock time with an offset in seconds. Everything the sandbox dates —
/// token `iat`/`nbf`/`exp`, error `timestamp`s, the HTTP `Date` header, code
/// and secret expiry — reads this clock.
#[derive(Debug, Default)]
pub struct Clock {
    offset_seconds: AtomicI64,
}

impl Clock {
    /// Seconds since the Unix epoch, offset applied.
    pub fn now(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        real + self.offset_seconds.load(Ordering::Relaxed)
    }

    /// The current offset in seconds (positive: the sandbox runs ahead).
    pub fn offset(&self) -> i64 {
        self.offset_seconds.load(Ordering::Relaxed)
    }

    /// Sets the offset in seconds.
    pub fn set_offset(&self, seconds: i64) {
        self.offset_seconds.store(seconds, Ordering::Relaxed);
    }
}

/// (year, month 1–12, day 1–31) of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

struct Parts {
    y: i64,
    mo: u32,
    d: u32,
    h: i64,
    mi: i64,
    s: i64,
    weekday: usize,
}

fn parts(unix: i64) -> Parts {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    Parts {
        y,
        mo,
        d,
        h: secs / 3600,
        mi: (secs % 3600) / 60,
        s: secs % 60,
        // 1970-01-01 was a Thursday.
        weekday: (days + 4).rem_euclid(7) as usize,
    }
}

/// Entra's error timestamp: `2016-01-09 02:02:12Z` (docs/entra.md#errors).
pub fn entra_timestamp(unix: i64) -> String {
    let p = parts(unix);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z",
        p.y, p.mo, p.d, p.h, p.mi, p.s
    )
}

/// ISO 8601 in UTC with a `Z`: `2024-01-09T02:02:12Z` (Graph `endDateTime`).
pub fn iso8601(unix: i64) -> String {
    let p = parts(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        p.y, p.mo, p.d, p.h, p.mi, p.s
    )
}

/// Microsoft Graph's `innerError.date`: `2024-01-09T02:02:12` (no zone).
pub fn graph_date(unix: i64) -> String {
    let p = parts(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        p.y, p.mo, p.d, p.h, p.mi, p.s
    )
}

/// The HTTP `Date` header (RFC 9110 IMF-fixdate).
pub fn http_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let p = parts(unix);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[p.weekday],
        p.d,
        MONTHS[(p.mo - 1) as usize],
        p.y,
        p.h,
        p.mi,
        p.s
    )
}

/// The calendar year of a Unix time.
pub(crate) fn year_of(unix: i64) -> i64 {
    parts(unix).y
}

/// Parses an RFC 3339 date-time (`2026-12-31T00:00:00Z`, fractions and
/// `+hh:mm` offsets allowed) or a bare date (`2026-12-31`) to Unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let t = text.trim();
    let num = |s: &str| -> Option<i64> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let date = t.get(0..10)?;
    let mut dp = date.split('-');
    let y = num(dp.next()?)?;
    let mo = num(dp.next()?)? as u32;
    let d = num(dp.next()?)? as u32;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    let rest = &t[10..];
    if rest.is_empty() {
        return Some(days * 86_400);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let h = num(rest.get(0..2)?)?;
    let mi = num(rest.get(3..5)?)?;
    let s = num(rest.get(6..8)?)?;
    if rest.get(2..3)? != ":" || rest.get(5..6)? != ":" || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut zone = &rest[8..];
    if let Some(frac) = zone.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        zone = &frac[digits..];
    }
    let offset = match zone {
        "Z" | "z" | "" => 0,
        z => {
            let sign = match z.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let oh = num(z.get(1..3)?)?;
            let om = num(z.get(4..6)?)?;
            if z.get(3..4)? != ":" || z.len() != 6 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(days * 86_400 + h * 3600 + mi * 60 + s - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_entra_and_http() {
        // 2016-01-09 02:02:12Z is the example in reference-error-codes.md.
        let t = days_from_civil(2016, 1, 9) * 86_400 + 2 * 3600 + 2 * 60 + 12;
        assert_eq!(entra_timestamp(t), "2016-01-09 02:02:12Z");
        assert_eq!(iso8601(t), "2016-01-09T02:02:12Z");
        assert_eq!(graph_date(t), "2016-01-09T02:02:12");
        assert_eq!(http_date(t), "Sat, 09 Jan 2016 02:02:12 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn civil_round_trips() {
        for days in [-800_000, -1, 0, 1, 59, 365, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn parses_rfc3339_variants() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:01.123Z"), Some(1));
        assert_eq!(parse_rfc3339("1970-01-02"), Some(86_400));
        assert_eq!(parse_rfc3339("2016-01-09 02:02:12Z"), Some(1_452_304_932));
        assert_eq!(parse_rfc3339("soon"), None);
        assert_eq!(parse_rfc3339("2026-13-01T00:00:00Z"), None);
    }

    #[test]
    fn the_offset_moves_now() {
        let clock = Clock::default();
        let before = clock.now();
        clock.set_offset(3600);
        assert!(clock.now() >= before + 3600);
        assert_eq!(clock.offset(), 3600);
    }
}

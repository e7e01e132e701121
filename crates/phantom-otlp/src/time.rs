//! Event timestamps: RFC 3339 strings and Unix time numbers, to nanoseconds since the epoch.

use serde_json::{Number, Value};

const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// A timestamp field of an event: `Ok(None)` when it is `null`, else its time or why it is
/// not one.
pub(crate) fn parse(value: &Value) -> Result<Option<u64>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => rfc3339(s).map(Some),
        Value::Number(n) => unix(n).map(Some),
        Value::Bool(_) | Value::Array(_) | Value::Object(_) => {
            Err("is neither an RFC 3339 string nor a Unix time number".to_owned())
        }
    }
}

/// A Unix time number, its unit told by its size: below 10^11 seconds (so up to the year
/// 5138), below 10^14 milliseconds, below 10^17 microseconds, else nanoseconds. Seconds may
/// have a fraction.
fn unix(n: &Number) -> Result<u64, String> {
    let scale = |magnitude: f64| match magnitude {
        m if m < 1e11 => NANOS_PER_SECOND,
        m if m < 1e14 => 1_000_000,
        m if m < 1e17 => 1_000,
        _ => 1,
    };
    let nanos = match (n.as_u64(), n.as_f64()) {
        (Some(int), _) => int.checked_mul(scale(int as f64)),
        (None, Some(float)) if float >= 0.0 => {
            // Whole and fractional parts apart: their product as one f64 would lose the
            // nanoseconds (2^53 ns is only 104 days).
            let scale = scale(float);
            let whole = float.trunc();
            let fraction = ((float - whole) * scale as f64).round() as u64;
            (whole < u64::MAX as f64)
                .then(|| (whole as u64).checked_mul(scale)?.checked_add(fraction))
                .flatten()
        }
        (None, Some(_) | None) => return Err(format!("{n} is before 1970")),
    };
    nanos.ok_or_else(|| format!("{n} is too far in the future"))
}

/// An RFC 3339 date-time: `2024-05-01T12:30:00Z`, `2024-05-01t12:30:00.123456789+02:00`, or
/// with a space for the `T`.
pub(crate) fn rfc3339(s: &str) -> Result<u64, String> {
    let invalid = || format!("\"{s}\" is not an RFC 3339 date-time such as 2024-05-01T12:30:00Z");
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(invalid());
    }
    let year = digits(&b[0..4]).ok_or_else(invalid)?;
    let month = digits(&b[5..7]).ok_or_else(invalid)?;
    let day = digits(&b[8..10]).ok_or_else(invalid)?;
    let hour = digits(&b[11..13]).ok_or_else(invalid)?;
    let minute = digits(&b[14..16]).ok_or_else(invalid)?;
    let second = digits(&b[17..19]).ok_or_else(invalid)?;
    let mut rest = &b[19..];
    let mut nanos = 0;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            return Err(invalid());
        }
        let kept = &fraction[..len.min(9)];
        nanos = digits(kept).ok_or_else(invalid)? * 10u64.pow(9 - kept.len() as u32);
        rest = &fraction[len..];
    }
    let offset_seconds: i64 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])
                .filter(|&h| h < 24)
                .ok_or_else(invalid)?;
            let minutes = digits(&[*m1, *m2])
                .filter(|&m| m < 60)
                .ok_or_else(invalid)?;
            let offset = (hours * 3600 + minutes * 60) as i64;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return Err(invalid()),
    };
    let valid = (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour < 24
        && minute < 60
        && second <= 60;
    if !valid {
        return Err(invalid());
    }
    let days = days_from_civil(year as i64, month as i64, day as i64);
    let seconds = days * 86_400 + (hour * 3600 + minute * 60 + second) as i64 - offset_seconds;
    let seconds = u64::try_from(seconds).map_err(|_| format!("\"{s}\" is before 1970"))?;
    seconds
        .checked_mul(NANOS_PER_SECOND)
        .and_then(|n| n.checked_add(nanos))
        .ok_or_else(|| format!("\"{s}\" is too far in the future"))
}

/// ASCII digits as a number; `None` if any byte is not a digit.
fn digits(bytes: &[u8]) -> Option<u64> {
    bytes.iter().try_fold(0u64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u64::from(c - b'0'))
    })
}

fn days_in_month(year: u64, month: u64) -> u64 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates_match_known_unix_times() {
        assert_eq!(rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(
            rfc3339("2024-02-29T12:00:00Z"),
            Ok(1_709_208_000 * NANOS_PER_SECOND)
        );
        assert_eq!(
            rfc3339("2024-02-29t14:00:00.5+02:00"),
            Ok(1_709_208_000 * NANOS_PER_SECOND + 500_000_000)
        );
        assert_eq!(
            rfc3339("2000-01-01 00:00:00.123456789123-00:30"),
            Ok(946_686_600_123_456_789)
        );
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in [
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z",
            "1969-12-31T23:59:59Z",
            "2024-01-01T00:00:00+2:00",
        ] {
            assert!(rfc3339(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn unix_numbers_are_scaled_by_size() {
        let number = |json: &str| parse(&serde_json::from_str(json).unwrap());
        let nanos = 1_700_000_000 * NANOS_PER_SECOND;
        assert_eq!(number("1700000000"), Ok(Some(nanos)));
        assert_eq!(number("1700000000.25"), Ok(Some(nanos + 250_000_000)));
        assert_eq!(number("1700000000000"), Ok(Some(nanos)));
        assert_eq!(number("1700000000000000"), Ok(Some(nanos)));
        assert_eq!(number("1700000000000000000"), Ok(Some(nanos)));
        assert_eq!(number("null"), Ok(None));
        assert!(number("-5").is_err());
        assert!(number("true").is_err());
    }
}

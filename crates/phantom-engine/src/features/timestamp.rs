//! A hand-written RFC 3339 parser, and the features of a point in time.

use super::sink::FeatureSink;

const SECONDS_PER_DAY: i64 = 86_400;
/// Working hours in UTC are 08:00 to 17:59; anything else is off-hours.
const WORK_START_HOUR: i64 = 8;
const WORK_END_HOUR: i64 = 18;

/// Why a string is not an RFC 3339 timestamp.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub(crate) enum TimestampError {
    /// The layout is wrong.
    #[error("it is not in the form YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)")]
    Layout,
    /// A component is out of range.
    #[error("the {component} {value} is out of range ({range})")]
    OutOfRange {
        /// Which component.
        component: &'static str,
        /// Its value.
        value: u32,
        /// The valid range.
        range: &'static str,
    },
}

/// A point in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timestamp {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before).
    pub(crate) unix_seconds: i64,
    /// Nanoseconds past `unix_seconds` (digits beyond the ninth are dropped).
    pub(crate) nanos: u32,
}

impl Timestamp {
    /// Parses RFC 3339: `YYYY-MM-DDTHH:MM:SS`, an optional fraction `.d+`, then `Z` or an
    /// offset `+HH:MM` / `-HH:MM`. `T` may also be `t` or a space and `Z` may be `z`, as
    /// RFC 3339 allows. A leap second (`:60`) is read as the first second of the next minute.
    pub(crate) fn parse(s: &str) -> Result<Timestamp, TimestampError> {
        let b = s.as_bytes();
        let require = |at: usize, allowed: &[u8]| match b.get(at) {
            Some(c) if allowed.contains(c) => Ok(()),
            Some(_) | None => Err(TimestampError::Layout),
        };
        let year = digits(b, 0, 4)?;
        require(4, b"-")?;
        let month = digits(b, 5, 2)?;
        require(7, b"-")?;
        let day = digits(b, 8, 2)?;
        require(10, b"Tt ")?;
        let hour = digits(b, 11, 2)?;
        require(13, b":")?;
        let minute = digits(b, 14, 2)?;
        require(16, b":")?;
        let second = digits(b, 17, 2)?;
        let mut at = 19;
        let mut nanos = 0u32;
        if b.get(at) == Some(&b'.') {
            at += 1;
            let start = at;
            while let Some(d) = b.get(at).filter(|c| c.is_ascii_digit()) {
                if at - start < 9 {
                    nanos = nanos * 10 + u32::from(d - b'0');
                }
                at += 1;
            }
            let n_digits = at - start;
            if n_digits == 0 {
                return Err(TimestampError::Layout);
            }
            nanos *= 10u32.pow(9usize.saturating_sub(n_digits) as u32);
        }
        let offset_seconds: i64 = match b.get(at) {
            Some(b'Z' | b'z') if b.len() == at + 1 => 0,
            Some(&sign @ (b'+' | b'-')) if b.len() == at + 6 => {
                let hours = digits(b, at + 1, 2)?;
                require(at + 3, b":")?;
                let minutes = digits(b, at + 4, 2)?;
                check("offset hour", hours, 0, 23, "00 to 23")?;
                check("offset minute", minutes, 0, 59, "00 to 59")?;
                let magnitude = i64::from(hours * 3600 + minutes * 60);
                if sign == b'-' { -magnitude } else { magnitude }
            }
            Some(_) | None => return Err(TimestampError::Layout),
        };
        check("month", month, 1, 12, "01 to 12")?;
        check(
            "day",
            day,
            1,
            days_in_month(year, month),
            "01 to the month's last day",
        )?;
        check("hour", hour, 0, 23, "00 to 23")?;
        check("minute", minute, 0, 59, "00 to 59")?;
        check("second", second, 0, 60, "00 to 60")?;
        let unix_seconds = days_from_civil(i64::from(year), month, day) * SECONDS_PER_DAY
            + i64::from(hour * 3600 + minute * 60 + second)
            - offset_seconds;
        Ok(Timestamp {
            unix_seconds,
            nanos,
        })
    }

    /// Hour of the day in UTC, 0 to 23.
    fn hour_utc(self) -> i64 {
        self.unix_seconds.rem_euclid(SECONDS_PER_DAY) / 3600
    }

    /// Day of the week in UTC, 0 (Monday) to 6 (Sunday).
    fn weekday_utc(self) -> i64 {
        // 1970-01-01 was a Thursday (3).
        (self.unix_seconds.div_euclid(SECONDS_PER_DAY) + 3).rem_euclid(7)
    }
}

/// The number made of `len` ASCII digits at `start`.
fn digits(b: &[u8], start: usize, len: usize) -> Result<u32, TimestampError> {
    let part = b.get(start..start + len).ok_or(TimestampError::Layout)?;
    part.iter().try_fold(0u32, |n, &c| {
        if c.is_ascii_digit() {
            Ok(n * 10 + u32::from(c - b'0'))
        } else {
            Err(TimestampError::Layout)
        }
    })
}

fn check(
    component: &'static str,
    value: u32,
    min: u32,
    max: u32,
    range: &'static str,
) -> Result<(), TimestampError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(TimestampError::OutOfRange {
            component,
            value,
            range,
        })
    }
}

fn is_leap_year(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date of the proleptic Gregorian calendar (Howard
/// Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Pushes `unix_seconds` (with the fraction), `hour` (UTC, 0 to 23), `day_of_week` (UTC, 0 =
/// Monday to 6 = Sunday), `is_weekend` (Saturday or Sunday, UTC) and `is_off_hours` (before
/// 08:00 or from 18:00 UTC).
pub(crate) fn timestamp_features(
    value: &str,
    field: &str,
    sink: &mut FeatureSink,
) -> Result<(), TimestampError> {
    let t = Timestamp::parse(value)?;
    let hour = t.hour_utc();
    let weekday = t.weekday_utc();
    sink.push(
        field,
        "unix_seconds",
        t.unix_seconds as f64 + f64::from(t.nanos) / 1e9,
    );
    sink.push(field, "hour", hour as f64);
    sink.push(field, "day_of_week", weekday as f64);
    sink.push_flag(field, "is_weekend", weekday >= 5);
    sink.push_flag(
        field,
        "is_off_hours",
        !(WORK_START_HOUR..WORK_END_HOUR).contains(&hour),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The inverse of `days_from_civil` (Hinnant's `civil_from_days`), to check round trips.
    fn civil_from_days(days: i64) -> (i64, u32, u32) {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        (year, month, day)
    }

    #[test]
    fn known_instants() {
        // Checked with Python's datetime.fromisoformat(...).timestamp() and weekday().
        let cases = [
            ("2024-03-09T23:30:00-05:00", 1_710_045_000, 0, 4, 6),
            ("1969-12-31T23:59:59Z", -1, 0, 23, 2),
            (
                "2000-02-29T12:00:00.25+01:30",
                951_820_200,
                250_000_000,
                10,
                1,
            ),
            ("0001-01-01T00:00:00Z", -62_135_596_800, 0, 0, 0),
            (
                "9999-12-31t23:59:59.123456789123z",
                253_402_300_799,
                123_456_789,
                23,
                4,
            ),
        ];
        for (s, unix_seconds, nanos, hour, weekday) in cases {
            let t = Timestamp::parse(s).unwrap();
            assert_eq!(
                t,
                Timestamp {
                    unix_seconds,
                    nanos
                },
                "{s}"
            );
            assert_eq!((t.hour_utc(), t.weekday_utc()), (hour, weekday), "{s}");
        }
        let leap = Timestamp::parse("2016-12-31 23:59:60Z").unwrap();
        assert_eq!(leap, Timestamp::parse("2017-01-01T00:00:00Z").unwrap());
    }

    #[test]
    fn malformed_and_out_of_range() {
        for s in [
            "",
            "2024-03-09",
            "2024-03-09T23:30:00",
            "2024-03-09T23:30Z",
            "2024-3-09T23:30:00Z",
            "2024-03-09T23:30:00.Z",
            "2024-03-09T23:30:00+0500",
            "2024-03-09T23:30:00Zjunk",
            "2024-03-09x23:30:00Z",
            "２０２４-03-09T23:30:00Z",
        ] {
            assert_eq!(Timestamp::parse(s), Err(TimestampError::Layout), "{s}");
        }
        assert!(matches!(
            Timestamp::parse("2023-02-29T00:00:00Z"),
            Err(TimestampError::OutOfRange {
                component: "day",
                value: 29,
                ..
            })
        ));
        assert!(matches!(
            Timestamp::parse("2024-13-01T00:00:00Z"),
            Err(TimestampError::OutOfRange {
                component: "month",
                ..
            })
        ));
        assert!(matches!(
            Timestamp::parse("2024-01-01T24:00:00Z"),
            Err(TimestampError::OutOfRange {
                component: "hour",
                ..
            })
        ));
        assert!(matches!(
            Timestamp::parse("2024-01-01T00:00:00+24:00"),
            Err(TimestampError::OutOfRange {
                component: "offset hour",
                ..
            })
        ));
    }

    #[test]
    fn features_of_a_saturday_night() {
        let mut sink = FeatureSink::default();
        timestamp_features("2024-03-09T23:30:00Z", "ts", &mut sink).unwrap();
        assert_eq!(
            sink.into_pairs(),
            vec![
                ("ts.unix_seconds".into(), 1_710_027_000.0),
                ("ts.hour".into(), 23.0),
                ("ts.day_of_week".into(), 5.0),
                ("ts.is_weekend".into(), 1.0),
                ("ts.is_off_hours".into(), 1.0),
            ]
        );
        let mut sink = FeatureSink::default();
        timestamp_features("2024-03-11T08:00:00Z", "ts", &mut sink).unwrap();
        let flags: Vec<f64> = sink
            .into_pairs()
            .into_iter()
            .skip(3)
            .map(|(_, v)| v)
            .collect();
        assert_eq!(flags, vec![0.0, 0.0]);
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC{0,40}") {
            let _ = Timestamp::parse(&s);
        }

        #[test]
        fn parsing_never_panics_near_valid_timestamps(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?([Zz]|[+-][0-9]{2}:[0-9]{2})?") {
            let _ = Timestamp::parse(&s);
        }

        #[test]
        fn formatted_instants_parse_back(
            year in 0u32..=9999,
            month in 1u32..=12,
            day in 1u32..=31,
            hour in 0u32..24,
            minute in 0u32..60,
            second in 0u32..60,
            offset_minutes in -(23 * 60 + 59)..=(23 * 60 + 59i64),
        ) {
            let day = day.min(days_in_month(year, month));
            let sign = if offset_minutes < 0 { '-' } else { '+' };
            let magnitude = offset_minutes.abs();
            let s = format!(
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{sign}{:02}:{:02}",
                magnitude / 60,
                magnitude % 60
            );
            let t = Timestamp::parse(&s).unwrap();
            let local = t.unix_seconds + offset_minutes * 60;
            let (y, m, d) = civil_from_days(local.div_euclid(SECONDS_PER_DAY));
            let second_of_day = local.rem_euclid(SECONDS_PER_DAY);
            prop_assert_eq!((y, m, d), (i64::from(year), month, day));
            prop_assert_eq!(second_of_day, i64::from(hour * 3600 + minute * 60 + second));
        }
    }
}

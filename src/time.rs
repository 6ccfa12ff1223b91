//! Points in time: parsing the two shapes the interchange format accepts, and monthly dates.
//!
//! Records carry [`jiff::Timestamp`]s. Inside a [`Population`](crate::Population) a time is kept
//! as whole seconds since the Unix epoch (UTC) in an `i64`: eight bytes an event, cheap to compare
//! and subtract. Sub-second precision is dropped, in the direction that keeps scoring as of a time
//! to what was known by then: the time of an event (or of a decision, a session, an answer) is
//! rounded up to a whole second, and an as-of time down. An event later in the as-of time's
//! second is never counted; one earlier in it waits for the next second. No signal here can notice
//! the difference otherwise.
//!
//! Accepted text shapes:
//! - a calendar date `YYYY-MM-DD`, meaning midnight UTC at the start of that day;
//! - an RFC 3339 timestamp with an offset, such as `2024-03-05T14:30:00Z` or
//!   `2024-03-05T14:30:00.250+02:00`;
//! - the other ISO 8601 and RFC 9557 shapes of a timestamp with an offset that jiff's parser
//!   reads, such as `2024-03-05 14:30Z` (a space for the `T`, no seconds),
//!   `20240305T143000+0200` (the basic format) or `2024-03-05T14:30:00+01:00[Europe/Paris]`
//!   (a time zone annotation, which names the instant no differently than the offset).
//!
//! A date-time without an offset (`2024-03-05T14:30:00`) is refused: it names no single instant.

use jiff::Timestamp;

/// Seconds in a day.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// Parses `YYYY-MM-DD`, an RFC 3339 timestamp, or another timestamp with an offset that jiff
/// reads (see the [module docs](self)) into a [`Timestamp`], to the nanosecond.
///
/// Returns `None` for anything else, including impossible dates such as `2023-02-29` and
/// date-times without an offset.
///
/// ```
/// use lead_customers::time::parse_timestamp;
/// let day = parse_timestamp("2024-03-05").unwrap();
/// let rfc = parse_timestamp("2024-03-05T00:00:00Z").unwrap();
/// assert_eq!(day, rfc);
/// assert!(parse_timestamp("2024-03-05T14:30:00+02:00").is_some());
/// assert_eq!(parse_timestamp("2024-03-05T14:30:00.25Z").unwrap().subsec_millisecond(), 250);
/// assert!(parse_timestamp("2023-02-29").is_none());
/// assert!(parse_timestamp("05/03/2024").is_none());
/// assert!(parse_timestamp("2024-03-05T14:30:00").is_none());
/// assert_eq!(parse_timestamp("2024-03-05 14:30Z"), parse_timestamp("2024-03-05T14:30:00Z"));
/// let basic = parse_timestamp("20240305T143000+0200");
/// assert_eq!(basic, parse_timestamp("2024-03-05T14:30:00+02:00"));
/// let annotated = parse_timestamp("2024-03-05T14:30:00+01:00[Europe/Paris]");
/// assert_eq!(annotated, parse_timestamp("2024-03-05T13:30:00Z"));
/// ```
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let bytes = text.as_bytes();
    match fast_seconds(bytes) {
        Some(seconds) => Timestamp::from_second(seconds).ok(),
        None => slow_timestamp(bytes),
    }
}

/// The whole second from which an event at `t` counts: `t` rounded up (within the range of
/// times there are), so that no as-of time earlier than `t` sees it.
pub(crate) fn event_second(t: Timestamp) -> i64 {
    let up = t.as_second() + i64::from(t.subsec_nanosecond() > 0);
    up.min(Timestamp::MAX.as_second())
}

/// The whole second of an as-of time `t`: `t` rounded down, so that it sees no event after `t`.
pub(crate) fn as_of_second(t: Timestamp) -> i64 {
    t.as_second() - i64::from(t.subsec_nanosecond() < 0)
}

/// Parses a calendar date `YYYY-MM-DD` (the fast path first, jiff for what it cannot decide).
pub(crate) fn parse_date(text: &[u8]) -> Option<jiff::civil::Date> {
    if !is_date_shape(text) {
        return None;
    }
    if fast_date(text).is_some() {
        let number = |range: std::ops::Range<usize>| digits(&text[range]);
        return jiff::civil::Date::new(
            number(0..4)? as i16,
            number(5..7)? as i8,
            number(8..10)? as i8,
        )
        .ok();
    }
    std::str::from_utf8(text)
        .ok()?
        .parse::<jiff::civil::Date>()
        .ok()
}

/// Whether text has the shape of a date: `YYYY-MM-DD`, or with a year outside 0000 to 9999 as
/// jiff writes it, `±YYYYYY-MM-DD` (`-000001-03-01`), so that such dates read back. (Other
/// lengths jiff's date parser takes include date-times without an offset, which are no date.)
fn is_date_shape(text: &[u8]) -> bool {
    text.len() == 10 || text.len() == 13 && matches!(text[0], b'+' | b'-')
}

/// The description of the accepted shapes, for error messages.
pub(crate) const EXPECTED_TIME: &str = "a date YYYY-MM-DD or an RFC 3339 timestamp with offset";

/// Parses the time of an event to whole seconds since the epoch, rounded up
/// ([`event_second`]): a fast path for the two common shapes (`YYYY-MM-DD` and
/// `YYYY-MM-DDTHH:MM:SSZ`), jiff for everything else.
pub(crate) fn parse_seconds(text: &[u8]) -> Option<i64> {
    fast_seconds(text).or_else(|| slow_timestamp(text).map(event_second))
}

/// The fast paths of [`parse_seconds`]: `None` when they cannot decide (jiff then does).
fn fast_seconds(text: &[u8]) -> Option<i64> {
    // The fast paths read any four-digit year; jiff's range ends in the last days of 9999, and
    // a time past it is refused as jiff refuses it.
    let in_range = |seconds: i64| seconds <= Timestamp::MAX.as_second();
    match text.len() {
        10 => fast_date(text).filter(|&s| in_range(s)),
        20 if text[19] == b'Z' && text[10] == b'T' => {
            match (fast_date(&text[..10]), fast_clock(&text[11..19])) {
                (Some(day), Some(secs)) if in_range(day + secs) => Some(day + secs),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `YYYY-MM-DD` to seconds at midnight UTC, or `None` when the shape or the date is not valid
/// (the caller then asks jiff, which gives the definitive answer).
///
/// The day count is the proleptic Gregorian arithmetic of civil dates (in eras of 400 years,
/// years starting in March so the leap day comes last); a test checks it against jiff.
fn fast_date(b: &[u8]) -> Option<i64> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i64::from(digits(&b[0..4])?);
    let month = i64::from(digits(&b[5..7])?);
    let day = i64::from(digits(&b[8..10])?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > days_in_month || year < 1 {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some((era * 146_097 + day_of_era - 719_468) * SECONDS_PER_DAY)
}

/// `HH:MM:SS` to seconds into the day (no leap seconds: those go to jiff).
fn fast_clock(b: &[u8]) -> Option<i64> {
    if b[2] != b':' || b[5] != b':' {
        return None;
    }
    let (h, m, s) = (digits(&b[0..2])?, digits(&b[3..5])?, digits(&b[6..8])?);
    (h < 24 && m < 60 && s < 60).then(|| i64::from(h * 3600 + m * 60 + s))
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Seconds since the epoch at midnight UTC starting a civil date, by jiff's own arithmetic.
pub(crate) fn midnight_utc(date: jiff::civil::Date) -> Option<i64> {
    jiff::tz::Offset::UTC
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .ok()
        .map(|ts| ts.as_second())
}

fn slow_timestamp(b: &[u8]) -> Option<Timestamp> {
    let text = std::str::from_utf8(b).ok()?;
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts);
    }
    let date = text.parse::<jiff::civil::Date>().ok()?;
    // Only the `YYYY-MM-DD` shape is a date here: jiff also reads longer forms.
    if is_date_shape(b) {
        midnight_utc(date).and_then(|s| Timestamp::from_second(s).ok())
    } else {
        None
    }
}

/// `n` dates one calendar month apart, ending at `end`: the dates of a monthly score history
/// ([`ScoringModel::score_history`](crate::ScoringModel::score_history)), oldest first.
///
/// The `k`-th date before `end` is `end` minus `k` months in UTC, each counted from `end` (not
/// from the date after it, so days of the month do not drift): same day of the month and time of
/// day, clamped to the month's last day (`2024-03-31` minus one month is `2024-02-29`). `n = 0`
/// gives no dates. Fails only when a date would fall outside the range of times jiff represents.
///
/// ```
/// use lead_customers::time::{monthly_dates, parse_timestamp};
/// let end = parse_timestamp("2024-03-31").unwrap();
/// let dates = monthly_dates(end, 4)?;
/// let text: Vec<String> = dates.iter().map(|d| d.to_string()).collect();
/// assert_eq!(text, [
///     "2023-12-31T00:00:00Z", "2024-01-31T00:00:00Z", "2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z",
/// ]);
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn monthly_dates(end: Timestamp, n: usize) -> crate::Result<Vec<Timestamp>> {
    let end_utc = end.to_zoned_datetime(jiff::tz::TimeZone::UTC);
    (0..n)
        .rev()
        .map(|k| {
            let months = i64::try_from(k).unwrap_or(i64::MAX);
            jiff::Span::new()
                .try_months(months)
                .and_then(|span| end_utc.checked_sub(span))
                .map(|date| date.timestamp())
                .map_err(|e| {
                    crate::Error::parameter(
                        "number of monthly dates",
                        n,
                        format!("reaches outside the representable times: {e}"),
                    )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_and_slow_paths_agree() {
        for text in [
            "1970-01-01",
            "2000-02-29",
            "2024-12-31",
            "1969-12-31",
            "2024-03-05T23:59:59Z",
        ] {
            let fast = parse_seconds(text.as_bytes()).unwrap();
            let slow = slow_timestamp(text.as_bytes()).map(event_second).unwrap();
            assert_eq!(fast, slow, "{text}");
        }
    }

    #[test]
    fn the_fast_date_path_agrees_with_jiff_on_every_day_of_four_centuries() {
        let mut date = jiff::civil::date(1800, 1, 1);
        let end = jiff::civil::date(2201, 1, 1);
        while date < end {
            let text = date.to_string();
            assert_eq!(fast_date(text.as_bytes()), midnight_utc(date), "{text}");
            date = date.tomorrow().unwrap();
        }
        assert_eq!(
            fast_date(b"0001-01-01"),
            midnight_utc(jiff::civil::date(1, 1, 1))
        );
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-04-31",
            "2024-00-10",
            "2024-13-01",
            "0000-01-01",
        ] {
            assert_eq!(fast_date(bad.as_bytes()), None, "{bad}");
        }
        assert!(fast_date(b"2000-02-29").is_some());
    }

    #[test]
    fn refuses_naive_datetimes_and_bad_dates() {
        for text in [
            "2024-03-05T14:30:00",
            "2023-02-29",
            "2024-13-01",
            "2024-3-5",
            "",
            "yesterday",
        ] {
            assert!(parse_seconds(text.as_bytes()).is_none(), "{text}");
        }
    }

    /// The fast paths end where jiff's range does.
    #[test]
    fn times_past_jiffs_range_are_refused_in_every_shape() {
        let last = Timestamp::MAX.as_second();
        for text in [
            "9999-12-30",
            "9999-12-30T22:00:00Z",
            "9999-12-30T22:00:01Z",
            "9999-12-31",
        ] {
            let (fast, slow) = (
                parse_seconds(text.as_bytes()),
                slow_timestamp(text.as_bytes()).map(event_second),
            );
            assert_eq!(fast, slow, "{text}");
            assert!(fast.is_none_or(|s| s <= last), "{text}");
        }
        assert!(parse_seconds(b"9999-12-31").is_none());
        assert!(parse_seconds(b"9999-12-30").is_some());
    }

    /// Events round up to a whole second and as-of times down, before 1970 as after.
    #[test]
    fn events_round_up_and_as_of_times_down() {
        let noon = 1_709_640_000;
        for (text, event, as_of) in [
            ("2024-03-05T12:00:00Z", noon, noon),
            ("2024-03-05T12:00:00.4Z", noon + 1, noon),
            ("1969-12-31T23:59:59Z", -1, -1),
            // -0.4 seconds: up to 0, down to -1 (jiff itself cuts toward 0).
            ("1969-12-31T23:59:59.6Z", 0, -1),
        ] {
            let t = text.parse::<Timestamp>().unwrap();
            assert_eq!(event_second(t), event, "{text}");
            assert_eq!(as_of_second(t), as_of, "{text}");
            assert_eq!(parse_seconds(text.as_bytes()), Some(event), "{text}");
        }
        // The last time there is stays in range.
        assert_eq!(event_second(Timestamp::MAX), Timestamp::MAX.as_second());
    }

    #[test]
    fn year_zero_is_read_in_every_shape() {
        let day = parse_seconds(b"0000-06-01").unwrap();
        assert_eq!(parse_seconds(b"0000-06-01T00:00:00Z"), Some(day));
        assert_eq!(parse_seconds(b"0000-06-01T00:00:00+00:00"), Some(day));
    }

    #[test]
    fn offsets_are_honoured() {
        let z = parse_seconds(b"2024-03-05T12:00:00Z").unwrap();
        let plus2 = parse_seconds(b"2024-03-05T14:00:00+02:00").unwrap();
        assert_eq!(z, plus2);
    }
}

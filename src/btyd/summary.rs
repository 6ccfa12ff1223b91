//! The per-customer summary the BG/NBD model works on: frequency, recency and age (x, t_x, T).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_non_negative};
use crate::time::SECONDS_PER_DAY;

/// A unit of time for BG/NBD summaries: the length of an activity period, or the unit recency and
/// age are expressed in.
///
/// ```
/// use lead_customers::btyd::TimeUnit;
/// assert_eq!(TimeUnit::Weeks.days(), 7);
/// let json = serde_json::to_string(&TimeUnit::Days).unwrap();
/// assert_eq!(json, "\"days\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// A UTC calendar day.
    Days,
    /// Seven days.
    Weeks,
}

impl TimeUnit {
    /// The length of the unit in days.
    ///
    /// ```
    /// use lead_customers::btyd::TimeUnit;
    /// assert_eq!(TimeUnit::Days.days(), 1);
    /// ```
    pub fn days(self) -> i64 {
        match self {
            TimeUnit::Days => 1,
            TimeUnit::Weeks => 7,
        }
    }
}

/// How raw activity times become a [`RepeatSummary`].
///
/// The default, `period = Days` and `unit = Weeks`, is the set-up of the BG/NBD paper on CDNOW
/// (Fader, Hardie & Lee 2005): purchases on the same day are merged into one, and time is counted
/// in weeks (days / 7). A coarser `period` makes a burst of activity count once, which suits
/// interactions (a customer who posts five times in an afternoon was active once).
///
/// ```
/// use lead_customers::btyd::{SummaryOptions, TimeUnit};
/// let options = SummaryOptions::default();
/// assert_eq!((options.period, options.unit), (TimeUnit::Days, TimeUnit::Weeks));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SummaryOptions {
    /// Events in the same period count once. `Days` are UTC calendar days; `Weeks` are 7-day
    /// blocks counted from the UTC day of the customer's first activity.
    pub period: TimeUnit,
    /// The unit recency and age are expressed in (fractional: 10 days are 1.43 weeks).
    pub unit: TimeUnit,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions {
            period: TimeUnit::Days,
            unit: TimeUnit::Weeks,
        }
    }
}

/// One customer's repeat activity up to a calibration end, in the paper's notation (x, t_x, T):
///
/// - `frequency` x: the number of *repeat* active periods (the first active period is not a
///   repeat; several events in one period count once);
/// - `recency` t_x: the time from the first to the last active period (0 when x = 0);
/// - `t` T: the time from the start of the first active period to the calibration end.
///
/// A value is valid by construction (0 <= t_x <= T, finite, t_x = 0 when x = 0), so every
/// prediction made from it can trust it.
///
/// ```
/// use lead_customers::btyd::RepeatSummary;
/// let s = RepeatSummary::new(2, 30.43, 38.86).unwrap();
/// assert_eq!((s.frequency(), s.recency(), s.t()), (2, 30.43, 38.86));
/// assert!(RepeatSummary::new(1, 40.0, 38.86).is_err()); // recency after the calibration end
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawSummary")]
pub struct RepeatSummary {
    frequency: u32,
    recency: f64,
    t: f64,
}

/// The unchecked shape of a [`RepeatSummary`], for deserializing through [`RepeatSummary::new`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSummary {
    frequency: u32,
    recency: f64,
    t: f64,
}

impl TryFrom<RawSummary> for RepeatSummary {
    type Error = Error;
    fn try_from(raw: RawSummary) -> Result<Self> {
        RepeatSummary::new(raw.frequency, raw.recency, raw.t)
    }
}

impl RepeatSummary {
    /// A summary from its three numbers, checked: `recency` and `t` finite, `0 <= recency <= t`,
    /// and `recency = 0` when `frequency = 0` (no repeat, so no time between first and last).
    ///
    /// ```
    /// use lead_customers::{btyd::RepeatSummary, ErrorKind};
    /// assert!(RepeatSummary::new(0, 0.0, 10.0).is_ok());
    /// let err = RepeatSummary::new(0, 3.0, 10.0).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    /// ```
    pub fn new(frequency: u32, recency: f64, t: f64) -> Result<Self> {
        let recency = check_non_negative("recency", recency)?;
        let t = check_non_negative("t", t)?;
        if recency > t {
            return Err(Error::parameter(
                "recency",
                recency,
                format!("must not exceed the customer's age t = {t}"),
            ));
        }
        if frequency == 0 && recency != 0.0 {
            return Err(Error::parameter(
                "recency",
                recency,
                "must be 0 when frequency is 0 (no repeat activity)",
            ));
        }
        Ok(RepeatSummary {
            frequency,
            recency,
            t,
        })
    }

    /// Summarizes one customer's activity `times` (seconds since the Unix epoch) as of
    /// `calibration_end`: only times at or before it count. Returns `None` when the customer had
    /// no activity by then.
    ///
    /// Times are expected sorted ascending (as a population keeps them); unsorted input is
    /// sorted first. Periods follow `options.period`; recency and `t` are measured from the start
    /// of the first active period (its UTC midnight) and expressed in `options.unit`.
    ///
    /// ```
    /// use lead_customers::btyd::{RepeatSummary, SummaryOptions, TimeUnit};
    /// let day = 86_400;
    /// // Active on days 0 (twice), 3 and 10; calibration ends at the start of day 14.
    /// let times = [0, 3_600, 3 * day, 10 * day + 60, 20 * day];
    /// let options = SummaryOptions { period: TimeUnit::Days, unit: TimeUnit::Days };
    /// let s = RepeatSummary::from_activity(&times, 14 * day, &options).unwrap();
    /// assert_eq!((s.frequency(), s.recency(), s.t()), (2, 10.0, 14.0));
    /// // Nothing yet at the start of day -1.
    /// assert!(RepeatSummary::from_activity(&times, -day, &options).is_none());
    /// ```
    pub fn from_activity(
        times: &[i64],
        calibration_end: i64,
        options: &SummaryOptions,
    ) -> Option<RepeatSummary> {
        if !times.is_sorted() {
            let mut sorted = times.to_vec();
            sorted.sort_unstable();
            return Self::from_sorted(&sorted, calibration_end, options);
        }
        Self::from_sorted(times, calibration_end, options)
    }

    fn from_sorted(
        times: &[i64],
        calibration_end: i64,
        options: &SummaryOptions,
    ) -> Option<RepeatSummary> {
        let known = &times[..times.partition_point(|&s| s <= calibration_end)];
        let first_day = day_of(*known.first()?);
        let period_days = options.period.days();
        // Periods are counted from the first active day, so with `Weeks` a customer's week starts
        // on the weekday they first appeared.
        let period_of = |s: i64| (day_of(s) - first_day).div_euclid(period_days);
        let mut active_periods = 0u32;
        let mut last_period = None;
        for &s in known {
            let period = period_of(s);
            if last_period != Some(period) {
                active_periods = active_periods.saturating_add(1);
                last_period = Some(period);
            }
        }
        let unit_days = options.unit.days() as f64;
        let recency = (last_period.unwrap_or(0) as f64 * period_days as f64) / unit_days;
        // i128: the difference of two extreme i64 times does not fit an i64.
        let age_seconds =
            i128::from(calibration_end) - i128::from(first_day) * i128::from(SECONDS_PER_DAY);
        // `max`: for times past 2^53 s rounding could put T a hair below t_x, which would break
        // the invariant every prediction relies on.
        let t = (age_seconds as f64 / (unit_days * SECONDS_PER_DAY as f64)).max(recency);
        Some(RepeatSummary {
            frequency: active_periods - 1,
            recency,
            t,
        })
    }

    /// The number of repeat active periods, x.
    pub fn frequency(&self) -> u32 {
        self.frequency
    }

    /// The time from the first to the last active period, t_x.
    pub fn recency(&self) -> f64 {
        self.recency
    }

    /// The time from the first active period to the calibration end, T.
    pub fn t(&self) -> f64 {
        self.t
    }
}

/// The UTC day number (days since 1970-01-01) holding a time.
fn day_of(seconds: i64) -> i64 {
    seconds.div_euclid(SECONDS_PER_DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = SECONDS_PER_DAY;

    fn days_weeks() -> SummaryOptions {
        SummaryOptions::default()
    }

    #[test]
    fn events_on_the_same_day_count_once() {
        let times = [DAY + 10, DAY + 500, DAY + 80_000];
        let s = RepeatSummary::from_activity(&times, 8 * DAY, &days_weeks()).unwrap();
        assert_eq!(s.frequency(), 0);
        assert_eq!(s.recency(), 0.0);
        assert_eq!(s.t(), 1.0); // 7 days from the start of day 1 to the start of day 8
    }

    #[test]
    fn weeks_are_blocks_counted_from_the_first_active_day() {
        let options = SummaryOptions {
            period: TimeUnit::Weeks,
            unit: TimeUnit::Days,
        };
        // First activity on day 5: blocks are days 5-11, 12-18, 19-25.
        let times = [5 * DAY, 11 * DAY, 12 * DAY, 18 * DAY, 19 * DAY + 7];
        let s = RepeatSummary::from_activity(&times, 30 * DAY, &options).unwrap();
        assert_eq!(s.frequency(), 2);
        assert_eq!(s.recency(), 14.0);
        assert_eq!(s.t(), 25.0);
    }

    #[test]
    fn activity_after_the_calibration_end_is_not_known() {
        let times = [0, 2 * DAY, 9 * DAY];
        let s = RepeatSummary::from_activity(&times, 2 * DAY, &days_weeks()).unwrap();
        assert_eq!(s.frequency(), 1); // the event exactly at the end counts
        assert!((s.recency() - 2.0 / 7.0).abs() < 1e-15);
        assert_eq!(s.recency(), s.t()); // recency = T: active on the last day
    }

    #[test]
    fn unsorted_times_give_the_sorted_answer() {
        let sorted = [0, DAY, 4 * DAY];
        let shuffled = [4 * DAY, 0, DAY];
        let options = days_weeks();
        assert_eq!(
            RepeatSummary::from_activity(&sorted, 10 * DAY, &options),
            RepeatSummary::from_activity(&shuffled, 10 * DAY, &options)
        );
    }

    #[test]
    fn times_before_the_epoch_use_their_own_utc_day() {
        // -1 s is 1969-12-31, a different day from 0 s.
        let s = RepeatSummary::from_activity(&[-1, 0], DAY, &days_weeks()).unwrap();
        assert_eq!(s.frequency(), 1);
        assert_eq!(s.recency(), 1.0 / 7.0);
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let s = RepeatSummary::from_activity(&[i64::MIN, 0], i64::MAX, &days_weeks()).unwrap();
        assert_eq!(s.frequency(), 1);
        assert!(s.t().is_finite() && s.t() >= s.recency());
    }

    #[test]
    fn no_activity_by_the_end_is_none() {
        assert!(RepeatSummary::from_activity(&[], 0, &days_weeks()).is_none());
        assert!(RepeatSummary::from_activity(&[DAY], 0, &days_weeks()).is_none());
    }

    #[test]
    fn new_refuses_impossible_summaries() {
        for (x, tx, t) in [
            (1, -1.0, 5.0),
            (1, 6.0, 5.0),
            (1, f64::NAN, 5.0),
            (1, 1.0, f64::INFINITY),
            (0, 1.0, 5.0),
        ] {
            assert!(RepeatSummary::new(x, tx, t).is_err(), "{x} {tx} {t}");
        }
    }

    #[test]
    fn deserializing_checks_like_new() {
        let ok: RepeatSummary =
            serde_json::from_str(r#"{"frequency":2,"recency":3.0,"t":4.0}"#).unwrap();
        assert_eq!(ok, RepeatSummary::new(2, 3.0, 4.0).unwrap());
        let bad = serde_json::from_str::<RepeatSummary>(r#"{"frequency":2,"recency":5.0,"t":4.0}"#);
        assert!(bad.is_err());
        // A misspelt field is an error, not a field ignored.
        let misspelt = r#"{"frequency":2,"recency":3.0,"t":4.0,"recncy":1.0}"#;
        let err = serde_json::from_str::<RepeatSummary>(misspelt).unwrap_err();
        assert!(err.to_string().contains("recncy"), "{err}");
    }
}

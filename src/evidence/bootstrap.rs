//! Seeded bootstrap confidence intervals for the ranking metrics.
//!
//! A metric measured on a few hundred customers with a dozen positives moves a lot with who
//! happened to be in the data; the interval says how much. Each replicate resamples the customers
//! with replacement (a customer drawn twice counts twice, with its score and outcome), recomputes
//! the metric, and the interval is the percentile interval of the replicates: the
//! `(1 − level)/2` and `(1 + level)/2` quantiles (linear interpolation between order statistics,
//! "type 7"). The same seed gives the same interval.
//!
//! By default the resampling is **stratified** (as pROC's `ci.auc` does): positives are drawn
//! from the positives and negatives from the negatives, so every replicate keeps the observed
//! number of each. That keeps the base rate, and so lift and precision, comparable across
//! replicates, and no replicate lacks a class. Unstratified replicates in which the metric is
//! undefined (no positive drawn, for AUC) are skipped and counted in
//! [`ConfidenceInterval::skipped`].
//!
//! ```
//! use lead_customers::evidence::{bootstrap_metric, BootstrapConfig, Metric};
//! let scores: Vec<f64> = (0..40).map(|i| i as f64).collect();
//! let leads: Vec<bool> = (0..40).map(|i| i % 4 == 0 || i > 34).collect();
//! let config = BootstrapConfig { replicates: 200, ..BootstrapConfig::default() };
//! let ci = bootstrap_metric(&scores, &leads, Metric::Auc, &config)?;
//! assert!(ci.lower <= ci.estimate && ci.estimate <= ci.upper);
//! assert_eq!(ci, bootstrap_metric(&scores, &leads, Metric::Auc, &config)?); // seeded
//! # Ok::<(), lead_customers::Error>(())
//! ```

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use super::metrics::{Metric, TieStructure, check_baseline};
use crate::error::{Error, ErrorKind, Result, check_at_most};

/// The most replicates a bootstrap takes: ten million. Why: the percentiles' own sampling error
/// is far below the data's long before (at 100,000 replicates the 2.5% percentile rests on 2,500
/// of them), every replicate's value is kept to take them, and a count beyond memory (a
/// misplaced `usize::MAX` in a configuration) would abort the process rather than fail.
///
/// ```
/// use lead_customers::evidence::{BootstrapConfig, MAX_REPLICATES, Metric, bootstrap_metric};
/// let config = BootstrapConfig { replicates: MAX_REPLICATES + 1, ..BootstrapConfig::default() };
/// assert!(bootstrap_metric(&[0.2, 0.9], &[false, true], Metric::Auc, &config).is_err());
/// ```
pub const MAX_REPLICATES: usize = 10_000_000;

/// How to bootstrap: replicate count, confidence level, seed, stratification.
///
/// ```
/// use lead_customers::evidence::BootstrapConfig;
/// let config: BootstrapConfig = serde_json::from_str(r#"{"replicates": 500}"#).unwrap();
/// assert_eq!(config.level, 0.95);
/// assert!(config.stratified);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BootstrapConfig {
    /// Number of resamples. Default 1000: enough for the 2.5% and 97.5% percentiles to rest on
    /// 25 replicates each. From 2 to [`MAX_REPLICATES`].
    pub replicates: usize,
    /// Confidence level of the interval, strictly between 0 and 1. Default 0.95.
    pub level: f64,
    /// Seed of the resampling generator (PCG-64 MCG). Default 2008.
    pub seed: u64,
    /// Resample positives and negatives separately, keeping their counts. Default `true`.
    pub stratified: bool,
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        BootstrapConfig {
            replicates: 1000,
            level: 0.95,
            seed: 2008,
            stratified: true,
        }
    }
}

impl BootstrapConfig {
    pub(crate) fn check(&self) -> Result<()> {
        if self.replicates < 2 {
            return Err(Error::parameter(
                "replicates",
                self.replicates,
                "a bootstrap needs at least 2 replicates (1000 is usual)",
            ));
        }
        check_at_most("replicates", self.replicates, MAX_REPLICATES, || {
            format!("must be at most {MAX_REPLICATES} (1000 is usual)")
        })?;
        if !(self.level.is_finite() && self.level > 0.0 && self.level < 1.0) {
            return Err(Error::parameter(
                "level",
                self.level,
                "must be strictly between 0 and 1, for example 0.95",
            ));
        }
        Ok(())
    }
}

/// A bootstrap percentile interval around a metric's value on the data as given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfidenceInterval {
    /// The metric on the data as given (not the replicates' mean).
    pub estimate: f64,
    /// The `(1 − level)/2` quantile of the replicates.
    pub lower: f64,
    /// The `(1 + level)/2` quantile of the replicates.
    pub upper: f64,
    /// The confidence level.
    pub level: f64,
    /// Replicates the interval rests on.
    pub replicates: usize,
    /// Replicates skipped because the metric was undefined on them (only unstratified).
    pub skipped: usize,
}

/// A bootstrap interval for one [`Metric`] of `scores` against `outcomes`.
///
/// Errors: those of [`Ranking::new`](super::Ranking::new); the metric's own errors on the data as given (an interval
/// around an undefined value means nothing); [`Error::InvalidParameter`] for a bad config;
/// [`Error::Undefined`] if the metric was undefined on every replicate.
pub fn bootstrap_metric(
    scores: &[f64],
    outcomes: &[bool],
    metric: Metric,
    config: &BootstrapConfig,
) -> Result<ConfidenceInterval> {
    config.check()?;
    let ties = TieStructure::new(scores, outcomes)?;
    let estimate = ties.ranking(outcomes, |_| 1).metric(metric)?;
    resample(outcomes, config, estimate, |counts| {
        ties.ranking(outcomes, |i| counts[i]).metric(metric)
    })
}

/// A bootstrap interval for the lift at k of `scores` over `baseline` (see
/// [`Ranking::lift_over`](super::Ranking::lift_over)): each replicate resamples the customers once and ranks them by both
/// scores, so the interval reflects that the two precisions are measured on the same people.
///
/// Errors: as [`bootstrap_metric`], and [`Error::LengthMismatch`] when `baseline` does not have
/// one score per customer.
///
/// ```
/// use lead_customers::evidence::{bootstrap_lift_over_baseline, BootstrapConfig};
/// let leads: Vec<bool> = (0..30).map(|i| i % 5 == 0).collect();
/// let model: Vec<f64> = (0..30).map(|i| if i % 5 == 0 { 2.0 } else { 1.0 } + i as f64 / 100.0).collect();
/// let naive: Vec<f64> = (0..30).map(|i| i as f64).collect();
/// let config = BootstrapConfig { replicates: 100, ..BootstrapConfig::default() };
/// let ci = bootstrap_lift_over_baseline(&model, &naive, &leads, 6, &config)?;
/// assert!(ci.lower > 1.0);
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn bootstrap_lift_over_baseline(
    scores: &[f64],
    baseline: &[f64],
    outcomes: &[bool],
    k: usize,
    config: &BootstrapConfig,
) -> Result<ConfidenceInterval> {
    config.check()?;
    let model_ties = TieStructure::new(scores, outcomes)?;
    check_baseline(baseline, scores.len())?;
    let baseline_ties = TieStructure::new(baseline, outcomes)?;
    let lift = |weight: &dyn Fn(usize) -> u32| {
        model_ties
            .ranking(outcomes, weight)
            .lift_over(&baseline_ties.ranking(outcomes, weight), k)
    };
    let estimate = lift(&|_| 1)?;
    resample(outcomes, config, estimate, |counts| lift(&|i| counts[i]))
}

/// A bootstrap interval for the difference of one [`Metric`] between two scores of the same
/// customers, `metric(scores) − metric(baseline)`, judged on the same `outcomes`: each replicate
/// resamples the customers once and ranks them both ways (a paired bootstrap), so the interval
/// reflects that both are measured on the same people and is much narrower than the two
/// separate intervals would suggest. An interval that contains 0 means the data cannot tell the
/// two rankings apart on that metric.
///
/// Errors: as [`bootstrap_metric`], and [`Error::LengthMismatch`] when `baseline` does not have
/// one score per customer.
///
/// ```
/// use lead_customers::evidence::{bootstrap_metric_difference, BootstrapConfig, Metric};
/// let leads: Vec<bool> = (0..40).map(|i| i % 4 == 0).collect();
/// let good: Vec<f64> = (0..40).map(|i| if i % 4 == 0 { 1.0 } else { 0.0 } + i as f64 / 100.0).collect();
/// let random: Vec<f64> = (0..40).map(|i| ((i * 17) % 40) as f64).collect();
/// let config = BootstrapConfig { replicates: 200, ..BootstrapConfig::default() };
/// let ci = bootstrap_metric_difference(&good, &random, &leads, Metric::Auc, &config)?;
/// assert!(ci.lower > 0.0); // clearly better
/// let same = bootstrap_metric_difference(&good, &good, &leads, Metric::Auc, &config)?;
/// assert_eq!((same.lower, same.upper), (0.0, 0.0));
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn bootstrap_metric_difference(
    scores: &[f64],
    baseline: &[f64],
    outcomes: &[bool],
    metric: Metric,
    config: &BootstrapConfig,
) -> Result<ConfidenceInterval> {
    config.check()?;
    let ties = TieStructure::new(scores, outcomes)?;
    check_baseline(baseline, scores.len())?;
    let baseline_ties = TieStructure::new(baseline, outcomes)?;
    let difference = |weight: &dyn Fn(usize) -> u32| -> Result<f64> {
        Ok(ties.ranking(outcomes, weight).metric(metric)?
            - baseline_ties.ranking(outcomes, weight).metric(metric)?)
    };
    let estimate = difference(&|_| 1)?;
    resample(outcomes, config, estimate, |counts| {
        difference(&|i| counts[i])
    })
}

/// Runs the replicates: draws the customers' counts, evaluates `statistic` on them, and takes the
/// percentile interval. Replicates whose statistic is undefined for want of a class or a hit are
/// skipped; any other error is a bug in the caller and is returned.
fn resample(
    outcomes: &[bool],
    config: &BootstrapConfig,
    estimate: f64,
    mut statistic: impl FnMut(&[u32]) -> Result<f64>,
) -> Result<ConfidenceInterval> {
    let mut rng = Pcg64Mcg::seed_from_u64(config.seed);
    let strata: Vec<Vec<usize>> = if config.stratified {
        let (positives, negatives): (Vec<usize>, Vec<usize>) =
            (0..outcomes.len()).partition(|&i| outcomes[i]);
        vec![positives, negatives]
    } else {
        vec![(0..outcomes.len()).collect()]
    };
    let mut counts = vec![0u32; outcomes.len()];
    let mut values = Vec::with_capacity(config.replicates);
    let mut skipped = 0;
    for _ in 0..config.replicates {
        counts.fill(0);
        for stratum in strata.iter().filter(|s| !s.is_empty()) {
            for _ in 0..stratum.len() {
                counts[stratum[rng.random_range(0..stratum.len())]] += 1;
            }
        }
        match statistic(&counts) {
            Ok(value) => values.push(value),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::NoPositives | ErrorKind::NoNegatives | ErrorKind::Undefined
                ) =>
            {
                skipped += 1;
            }
            Err(e) => return Err(e),
        }
    }
    if values.is_empty() {
        return Err(Error::Undefined {
            what: "a bootstrap interval",
            reason: format!(
                "the statistic was undefined on all {} replicates",
                config.replicates
            ),
        });
    }
    values.sort_by(f64::total_cmp);
    let tail = (1.0 - config.level) / 2.0;
    Ok(ConfidenceInterval {
        estimate,
        lower: quantile(&values, tail),
        upper: quantile(&values, 1.0 - tail),
        level: config.level,
        replicates: values.len(),
        skipped,
    })
}

/// The `q` quantile of sorted, non-empty `values`, interpolating linearly between order
/// statistics at position `(m − 1)·q` (Hyndman & Fan type 7, R's and NumPy's default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let below = h.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    sorted[below] + (h - below as f64) * (sorted[above] - sorted[below])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> (Vec<f64>, Vec<bool>) {
        let scores: Vec<f64> = (0..60).map(|i| f64::from(i % 17)).collect();
        let leads: Vec<bool> = (0..60).map(|i| (i % 17) > 11 || i % 7 == 0).collect();
        (scores, leads)
    }

    #[test]
    fn quantile_interpolates_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        // numpy.quantile([1, 2, 3, 4], [0.025, 0.5, 0.975]) = [1.075, 2.5, 3.925]
        assert!((quantile(&v, 0.025) - 1.075).abs() < 1e-12);
        assert!((quantile(&v, 0.5) - 2.5).abs() < 1e-12);
        assert!((quantile(&v, 0.975) - 3.925).abs() < 1e-12);
    }

    #[test]
    fn the_interval_brackets_the_estimate_and_narrows_with_the_level() {
        let (scores, leads) = data();
        let wide = bootstrap_metric(
            &scores,
            &leads,
            Metric::AveragePrecision,
            &BootstrapConfig::default(),
        )
        .unwrap();
        let narrow_config = BootstrapConfig {
            level: 0.5,
            ..BootstrapConfig::default()
        };
        let narrow =
            bootstrap_metric(&scores, &leads, Metric::AveragePrecision, &narrow_config).unwrap();
        assert!(wide.lower < wide.estimate && wide.estimate < wide.upper);
        assert!(wide.lower <= narrow.lower && narrow.upper <= wide.upper);
        assert!(narrow.upper - narrow.lower < wide.upper - wide.lower);
        assert_eq!(wide.replicates, 1000);
    }

    /// A replicate count beyond memory is a parameter error (it panicked on a capacity overflow,
    /// or aborted the process on a failed allocation).
    #[test]
    fn too_many_replicates_are_refused() {
        let (scores, leads) = data();
        for replicates in [MAX_REPLICATES + 1, 1 << 40, usize::MAX] {
            let config = BootstrapConfig {
                replicates,
                ..BootstrapConfig::default()
            };
            let err = bootstrap_metric(&scores, &leads, Metric::Auc, &config).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidParameter, "{replicates}");
        }
    }

    #[test]
    fn the_seed_decides_the_replicates() {
        let (scores, leads) = data();
        let config = BootstrapConfig {
            replicates: 50,
            ..BootstrapConfig::default()
        };
        let a = bootstrap_metric(&scores, &leads, Metric::Auc, &config).unwrap();
        let b = bootstrap_metric(&scores, &leads, Metric::Auc, &config).unwrap();
        let other = BootstrapConfig { seed: 7, ..config };
        let c = bootstrap_metric(&scores, &leads, Metric::Auc, &other).unwrap();
        assert_eq!(a, b);
        assert_ne!((a.lower, a.upper), (c.lower, c.upper));
    }

    #[test]
    fn stratified_replicates_keep_the_base_rate_so_lift_at_n_is_exactly_one() {
        let (scores, leads) = data();
        let n = scores.len();
        let ci = bootstrap_metric(
            &scores,
            &leads,
            Metric::LiftAtK { k: n },
            &BootstrapConfig::default(),
        )
        .unwrap();
        assert!((ci.lower - 1.0).abs() < 1e-12 && (ci.upper - 1.0).abs() < 1e-12);
        assert_eq!(ci.skipped, 0);
    }

    #[test]
    fn unstratified_replicates_without_a_class_are_skipped_and_counted() {
        // One positive among 20: about (19/20)^20 ≈ 36% of replicates draw no positive.
        let scores: Vec<f64> = (0..20).map(f64::from).collect();
        let leads: Vec<bool> = (0..20).map(|i| i == 19).collect();
        let config = BootstrapConfig {
            stratified: false,
            replicates: 400,
            ..BootstrapConfig::default()
        };
        let ci = bootstrap_metric(&scores, &leads, Metric::Auc, &config).unwrap();
        assert!(
            ci.skipped > 80 && ci.skipped < 220,
            "skipped {}",
            ci.skipped
        );
        assert_eq!(ci.replicates + ci.skipped, 400);
        assert_eq!(ci.estimate, 1.0);
    }

    #[test]
    fn an_identical_baseline_has_lift_one_in_every_replicate() {
        let (scores, leads) = data();
        let ci =
            bootstrap_lift_over_baseline(&scores, &scores, &leads, 10, &BootstrapConfig::default())
                .unwrap();
        assert_eq!((ci.estimate, ci.lower, ci.upper), (1.0, 1.0, 1.0));
    }

    #[test]
    fn a_paired_difference_is_narrower_than_the_separate_intervals() {
        // Two close scores: the baseline swaps a few neighbours of the model's order.
        let (scores, leads) = data();
        let baseline: Vec<f64> = scores
            .iter()
            .enumerate()
            .map(|(i, s)| s + if i % 5 == 0 { 1.5 } else { 0.0 })
            .collect();
        let config = BootstrapConfig::default();
        let diff =
            bootstrap_metric_difference(&scores, &baseline, &leads, Metric::Auc, &config).unwrap();
        let own = bootstrap_metric(&scores, &leads, Metric::Auc, &config).unwrap();
        let base = bootstrap_metric(&baseline, &leads, Metric::Auc, &config).unwrap();
        assert!((diff.estimate - (own.estimate - base.estimate)).abs() < 1e-12);
        assert!(diff.lower <= diff.estimate && diff.estimate <= diff.upper);
        let width = |ci: &ConfidenceInterval| ci.upper - ci.lower;
        assert!(
            width(&diff) < width(&own).max(width(&base)),
            "{diff:?} {own:?}"
        );
    }

    #[test]
    fn bad_configs_and_inputs_are_refused() {
        let (scores, leads) = data();
        for config in [
            BootstrapConfig {
                replicates: 1,
                ..BootstrapConfig::default()
            },
            BootstrapConfig {
                level: 1.0,
                ..BootstrapConfig::default()
            },
            BootstrapConfig {
                level: f64::NAN,
                ..BootstrapConfig::default()
            },
        ] {
            let err = bootstrap_metric(&scores, &leads, Metric::Auc, &config).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        }
        let config = BootstrapConfig::default();
        let err = bootstrap_metric(&scores, &leads[1..], Metric::Auc, &config).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LengthMismatch);
        let err =
            bootstrap_lift_over_baseline(&scores, &scores[1..], &leads, 3, &config).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LengthMismatch);
        let mut nan = scores.clone();
        nan[2] = f64::NAN;
        for err in [
            bootstrap_lift_over_baseline(&scores, &nan, &leads, 3, &config).unwrap_err(),
            bootstrap_metric_difference(&scores, &nan, &leads, Metric::Auc, &config).unwrap_err(),
        ] {
            assert_eq!(err.kind(), ErrorKind::NonFinite);
            assert!(err.to_string().starts_with("baseline scores"), "{err}");
        }
        let none = vec![false; scores.len()];
        let err = bootstrap_metric(&scores, &none, Metric::Auc, &config).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NoPositives);
    }
}

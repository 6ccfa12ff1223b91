//! Calibration: learning a scoring model's weights from known outcomes, by regularized logistic
//! regression on the model's normalized signals. [`CalibrationParams`] documents what is fitted,
//! how the coefficients become a [`ScoringModel`], and what happens to signals with negative
//! coefficients.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::backtest::{OutcomeRules, Outcomes};
use super::cross_validation::{CrossValidation, CvResult};
use super::logistic::{LogisticParams, sigmoid};
use crate::error::{Error, Result};
use crate::time::as_of_second;
use crate::{Combination, Population, Scores, ScoringModel, Signal};

const WHAT: &str = "calibration";

/// Settings of a calibration, with documented defaults: how a base [`ScoringModel`]'s weights
/// are learned from known outcomes.
///
/// # What is fitted
///
/// A base [`ScoringModel`] names the candidate signals: every signal of every dimension,
/// whatever its weight (a weight of 0 lists a signal for calibration to consider without using
/// it yet). Scored as of a time T, each customer `i` has the normalized value `v_ij` in [0, 1] of
/// each signal `j` ([`Scores::normalized`]: after the model's normalization and direction).
/// Against known outcomes `y_i` (by default those of a window after T, see [`Outcomes`]),
/// calibration fits
///
/// `P(y_i = 1) = σ(b₀ + Σ_j b_j v_ij)`
///
/// by L2-regularized logistic regression ([`LogisticRegression`](super::LogisticRegression)),
/// with the penalty λ chosen by k-fold cross-validation on held-out log-loss
/// ([`CrossValidation`]). The features are not standardized by default: normalized signals
/// already share the scale [0, 1], and a rare signal (nonzero for a handful of customers) must
/// not stop the fit because one training fold happens to see it constant.
///
/// # From coefficients to a scoring model
///
/// The calibrated model keeps the base model's dimensions, signals, normalizations, directions,
/// signal parameters and segment rules; only weights and the combination change:
///
/// - the weight of signal `j` inside its dimension `d` is `b_j / m_d`, with `m_d = Σ_{j∈d} b_j`
///   the dimension's coefficient mass (so each dimension's weights sum to 1);
/// - the weight of dimension `d` is its share of the whole mass, `m_d / B` with `B = Σ_j b_j`;
/// - dimensions combine by the **arithmetic** mean ([`Combination::ArithmeticMean`]).
///
/// Then the lead score is
/// `L = Σ_d (m_d/B) Σ_{j∈d} (b_j/m_d) v_j = Σ_j b_j v_j / B = (η − b₀) / B`, a strictly
/// increasing function of the fitted log-odds `η`: **the calibrated model ranks customers
/// exactly as the fitted regression does**, and [`Calibration::probability`] turns its
/// lead score back into the fitted probability `σ(b₀ + B·L)`. The default geometric mean would
/// not (it is not linear in the signals), which is why the combination switches; the dimension
/// scores, segments and explanations work as before. A user who prefers the geometric mean's
/// "no dimension hides a missing one" may switch back, and then no longer ranks as the fit.
///
/// # Signals with negative coefficients
///
/// A scoring model's weights are not negative: a signal's **direction** says whether high values
/// count for or against ([`Direction`](crate::Direction)), and that is the user's statement
/// about the domain. Calibration learns magnitudes, not directions. A signal whose coefficient
/// comes out zero or negative is **dropped**: it gets weight 0 (it stays in the model, so it is
/// still computed and explained), it is reported with its coefficient and standard error and
/// [`SignalFate::Dropped`], and the regression is **refitted without it** (cross-validation
/// included), repeating until every remaining coefficient is positive. Refitting rather than
/// clipping keeps the remaining weights those of a fitted model: clipping would leave them
/// adjusted for a signal that no longer counts.
///
/// Why not turn a negative coefficient into
/// [`Direction::LowerIsBetter`](crate::Direction::LowerIsBetter) with weight `|b|`? It would
/// rank as the unconstrained fit, but a negative coefficient among lead signals usually comes
/// from overlap between signals (ideas against idea quality, activity against recency) or from
/// noise, not from a real "the less, the better" (on the synthetic base, the three signals that
/// came out negative were all within 1.6 standard errors of zero); flipping them would make the score reward the
/// *absence* of a behaviour (fewer ideas, fewer channels) and explain it that way. A user who
/// believes a signal counts against sets `LowerIsBetter` in the base model; calibration then
/// learns a positive weight for the flipped signal, if the outcomes agree.
///
/// A dimension all of whose coefficients come out zero or negative keeps the base model's
/// weights inside it (so its dimension score, which segments read, still means something) and gets
/// weight 0 in the lead score. If no signal at all is positive, calibration fails with
/// [`Error::Undefined`]: the outcomes give no reason to rank anyone first. A signal constant
/// over the customers fitted (no information) is left out of the fit, with weight 0 and
/// [`SignalFate::Constant`].
///
/// # Signals some customers have no value of
///
/// A customer who did not answer the questionnaire has no value of its signals, not a zero, and
/// a model scores them over the signals they have: their dimension's weights, and the dimensions'
/// weights in the lead score, are shared out again among what they have. A regression over every
/// customer needs a value for each: 0 would fit "did not answer" as the lowest answer, and the
/// calibrated model, which shares the weights out again instead, would not rank those customers
/// as the fit (on the synthetic base, with the two questionnaire signals in a need dimension, the
/// lead score's log-odds differed from the fitted ones by up to 2 for customers who did not
/// answer). So a signal that some customer scored has no value of is left out of the fit, with
/// weight 0 and [`SignalFate::Incomplete`]: a weight of 0 leaves every customer's scores the same
/// whether they have a value or not, and the lead score stays `(η − b₀) / B` for everyone.
///
/// # Never judging a model on what it was fitted to
///
/// A calibrated model must be back-tested on outcomes it never saw:
/// [`CalibrationParams::fit_preceding`] fits on the window of the same length just before the
/// back-test's: scores as of `T0 = T1 − (T2 − T1)`, outcomes of (T0, T1]; the back-test then
/// scores as of T1 and judges against (T1, T2].
///
/// ```
/// use lead_customers::evidence::{BacktestParams, CalibrationParams, SignalFate};
/// use lead_customers::synthetic::{Generator, GeneratorConfig};
/// use lead_customers::{time::parse_timestamp, ScoringModel};
/// let base = Generator::new(GeneratorConfig { customers: 1_500, ..Default::default() }).generate()?;
/// let (t1, t2) = (parse_timestamp("2024-01-01").unwrap(), parse_timestamp("2024-12-31").unwrap());
/// let default = ScoringModel::default();
/// let calibration = CalibrationParams::default().fit_preceding(&base.population, &default, t1, t2)?;
/// calibration.model.check()?;
/// let weighted = calibration.coefficients.iter().filter(|c| c.fate == SignalFate::Weighted);
/// assert!(weighted.clone().all(|c| c.coefficient > 0.0));
/// assert!((weighted.map(|c| c.share).sum::<f64>() - 1.0).abs() < 1e-9);
/// let report = BacktestParams::default().run(
///     &base.population, &[("default", &default), ("calibrated", &calibration.model)], t1, t2)?;
/// assert!(report.ranking("calibrated").unwrap().metrics.auc > 0.6);
/// # Ok::<(), lead_customers::Error>(())
/// ```
///
/// # Settings
///
/// ```
/// use lead_customers::evidence::CalibrationParams;
/// let params: CalibrationParams = serde_json::from_str(r#"{"outcomes": {"top_rating": 5.0}}"#).unwrap();
/// assert!(!params.logistic.standardize);
/// assert_eq!(params.cross_validation.folds, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalibrationParams {
    /// The logistic regression's settings. Its `lambda` is not used: cross-validation chooses it.
    /// Default [`LogisticParams::default`] with `standardize: false` (see above; note that a
    /// `logistic` object given in JSON starts from `LogisticParams`' own defaults, which
    /// standardize).
    pub logistic: LogisticParams,
    /// The grid of penalties, the folds and their seed. Default [`CrossValidation::default`].
    pub cross_validation: CrossValidation,
    /// The outcomes of a window, for [`fit_window`](Self::fit_window) and
    /// [`fit_preceding`](Self::fit_preceding). Default [`OutcomeRules::default`].
    pub outcomes: OutcomeRules,
}

impl Default for CalibrationParams {
    fn default() -> Self {
        CalibrationParams {
            logistic: LogisticParams {
                standardize: false,
                ..LogisticParams::default()
            },
            cross_validation: CrossValidation::default(),
            outcomes: OutcomeRules::default(),
        }
    }
}

/// What calibration did with a signal of the base model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalFate {
    /// Fitted with a positive coefficient: its weight is proportional to it.
    Weighted,
    /// Its coefficient came out zero or negative: weight 0, and the model was refitted without
    /// it. The coefficient reported is the one it had when dropped.
    Dropped,
    /// Constant over the customers fitted, so left out of the fit: weight 0, coefficient 0, no
    /// standard error.
    Constant,
    /// Some customers scored have no value of it (a questionnaire signal: only respondents have
    /// one), so it was left out of the fit (see [`CalibrationParams`]): weight 0, coefficient 0,
    /// no standard error.
    Incomplete,
}

/// One signal's coefficient in a calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalCoefficient {
    /// The dimension the signal is in.
    pub dimension: String,
    /// The signal.
    pub signal: Signal,
    /// The change in log-odds of a positive outcome per unit of the normalized signal (from 0 to
    /// 1: from the bottom of the population to the top), the others held fixed.
    pub coefficient: f64,
    /// Its standard error (see [`FittedLogistic`](super::FittedLogistic)); `None` for a
    /// signal left out of the fit (constant or incomplete).
    pub standard_error: Option<f64>,
    /// What calibration did with it.
    pub fate: SignalFate,
    /// Its share of the calibrated lead score, `b_j / B`: the lead score is `Σ_j share_j · v_j`.
    /// 0 unless [`SignalFate::Weighted`]; the shares of the weighted signals sum to 1.
    pub share: f64,
}

/// A calibrated scoring model, with the fit behind it: see [`CalibrationParams`] for how the
/// coefficients became the model's weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// The calibrated model: use it like any other ([`ScoringModel::score`]).
    pub model: ScoringModel,
    /// One entry per signal of the base model, in model order (dimension by dimension).
    pub coefficients: Vec<SignalCoefficient>,
    /// The fitted intercept `b₀` of the final fit.
    pub intercept: f64,
    /// `B`, the sum of the positive coefficients: `η = b₀ + B · L` for a lead score `L`.
    pub coefficient_sum: f64,
    /// The penalty strength λ chosen by cross-validation in the final fit.
    pub lambda: f64,
    /// The cross-validation of the final fit: the curve λ was chosen from, and the model refitted
    /// on every customer.
    pub cv: CvResult,
    /// Fits run: 1, plus one per round of dropping signals with non-positive coefficients.
    pub rounds: usize,
    /// Customers fitted.
    pub observations: usize,
    /// Of those, customers with a positive outcome.
    pub positives: usize,
}

impl Calibration {
    /// The fitted log-odds of a positive outcome for a calibrated lead score `L`: `b₀ + B·L`.
    /// Valid for lead scores of the calibrated model as it was returned.
    pub fn log_odds(&self, lead: f64) -> f64 {
        self.intercept + self.coefficient_sum * lead
    }

    /// The fitted probability of a positive outcome for a calibrated lead score `L`:
    /// `σ(b₀ + B·L)`. Valid for lead scores of the calibrated model as returned, on data like
    /// the data fitted (the normalized signals are relative to the population scored, so the
    /// probabilities carry over to another time only as far as the population is alike).
    pub fn probability(&self, lead: f64) -> f64 {
        sigmoid(self.log_odds(lead))
    }
}

impl CalibrationParams {
    /// Calibrates the model of `scores` on every customer's outcome in `labels` (one per customer,
    /// by [`CustomerIndex`](crate::CustomerIndex)), over the customers known at the scores' as-of
    /// time ([`Population::known_at`]: the others have no signal values then). The scores' as-of
    /// time should precede the outcomes: fitting on outcomes the signals already contain (a
    /// shipped idea is in idea quality once decided) learns nothing about the future.
    ///
    /// Errors: [`Error::LengthMismatch`] when `labels` is not one per customer;
    /// [`Error::NoPositives`] / [`Error::NoNegatives`]; [`Error::Undefined`] when every signal
    /// is constant, no coefficient is positive, or there are fewer than 2 of either outcome for
    /// the folds; the fit's and the settings' errors.
    pub fn fit(&self, scores: &Scores<'_>, labels: &[bool]) -> Result<Calibration> {
        if labels.len() != scores.len() {
            return Err(Error::LengthMismatch {
                what: "labels for calibration (one per customer)",
                expected: scores.len(),
                found: labels.len(),
            });
        }
        let (columns, complete) = normalized_columns(scores)?;
        let fitted = scores.signals().known_customers();
        let select = |values: &[f64]| known_only(values, fitted);
        let columns: Vec<Vec<f64>> = columns.iter().map(|c| select(c)).collect();
        let labels = known_only(labels, fitted);
        self.fit_columns(scores.model(), &columns, &complete, &labels)
    }

    /// Calibrates `base` on the window (`start`, `end`]: scores as of `start`, outcomes of the
    /// window by [`CalibrationParams::outcomes`], fitted on the customers judged among those
    /// known at `start` (the others have no signal values then).
    ///
    /// Errors: those of [`Outcomes::observe`], of [`ScoringModel::score`] (a `start` before the
    /// data is [`Error::AsOfBeforeData`]) and of [`fit`](Self::fit).
    pub fn fit_window(
        &self,
        population: &Population,
        base: &ScoringModel,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Calibration> {
        let outcomes = Outcomes::observe(population, start, end, &self.outcomes)?;
        let scores = base.score(population, start)?;
        let (columns, complete) = normalized_columns(&scores)?;
        // The customers judged and known at `start`, selected once for every column.
        let known = scores.signals().known_customers();
        let fitted: Vec<bool> = (outcomes.judged().iter().enumerate())
            .map(|(c, &judged)| judged && known.is_none_or(|known| known[c]))
            .collect();
        let columns: Vec<Vec<f64>> = columns
            .iter()
            .map(|c| known_only(c, Some(&fitted)))
            .collect();
        let labels = known_only(outcomes.labels(), Some(&fitted));
        self.fit_columns(base, &columns, &complete, &labels)
    }

    /// Calibrates `base` for a back-test of (`as_of`, `until`] on the window of the same length
    /// just before it, (`T0`, `as_of`] with `T0 = as_of − (until − as_of)`: the model never sees
    /// the outcomes it will be judged on.
    ///
    /// Errors: [`Error::InvalidParameter`] when `until` is not after `as_of` or `T0` is not a
    /// representable time; as [`fit_window`](Self::fit_window) (a `T0` before the data is
    /// [`Error::AsOfBeforeData`]: shorten the back-test window, or calibrate on another one).
    pub fn fit_preceding(
        &self,
        population: &Population,
        base: &ScoringModel,
        as_of: Timestamp,
        until: Timestamp,
    ) -> Result<Calibration> {
        let (t1, t2) = (as_of_second(as_of), as_of_second(until));
        if t2 <= t1 {
            return Err(Error::parameter(
                "until",
                until,
                format!(
                    "must be at least a second after the as-of time ({as_of}): times are whole \
                     seconds"
                ),
            ));
        }
        let start = Timestamp::from_second(t1 - (t2 - t1)).map_err(|e| {
            Error::parameter(
                "start of the calibration window",
                t1 - (t2 - t1),
                e.to_string(),
            )
        })?;
        self.fit_window(population, base, start, as_of)
    }

    /// The calibration proper, on the normalized columns of `base`'s signals in model order
    /// (dimension by dimension), one value per observation each, against `labels`; `complete`
    /// tells, per column, whether every customer scored has a value of the signal.
    fn fit_columns(
        &self,
        base: &ScoringModel,
        columns: &[Vec<f64>],
        complete: &[bool],
        labels: &[bool],
    ) -> Result<Calibration> {
        base.check()?;
        let slots: Vec<(&str, Signal)> = base
            .dimensions
            .iter()
            .flat_map(|d| d.signals.iter().map(move |s| (d.name.as_str(), s.signal)))
            .collect();
        if columns.len() != slots.len() {
            return Err(Error::LengthMismatch {
                what: "signal columns (one per signal of the model)",
                expected: slots.len(),
                found: columns.len(),
            });
        }
        debug_assert_eq!(complete.len(), slots.len(), "one flag per signal");
        let positives = labels.iter().filter(|&&l| l).count();
        if positives == 0 {
            return Err(Error::NoPositives { what: WHAT });
        }
        if positives == labels.len() {
            return Err(Error::NoNegatives { what: WHAT });
        }
        let mut coefficients: Vec<SignalCoefficient> = slots
            .iter()
            .zip(complete)
            .map(|(&(dimension, signal), &complete)| SignalCoefficient {
                dimension: dimension.to_owned(),
                signal,
                coefficient: 0.0,
                standard_error: None,
                fate: if complete {
                    SignalFate::Constant
                } else {
                    SignalFate::Incomplete
                },
                share: 0.0,
            })
            .collect();
        let mut active: Vec<usize> = (0..columns.len())
            .filter(|&j| complete[j] && !is_constant(&columns[j]))
            .collect();
        if active.is_empty() {
            return Err(Error::Undefined {
                what: WHAT,
                reason: "every signal of the model is constant over the customers fitted, or \
                         missing for some customers"
                    .into(),
            });
        }
        let mut rounds = 0;
        let cv = loop {
            rounds += 1;
            let features: Vec<&[f64]> = active.iter().map(|&j| columns[j].as_slice()).collect();
            let cv = self
                .cross_validation
                .run(&self.logistic, &features, labels)?;
            if !cv.model.converged {
                return Err(Error::NotConverged {
                    what: "logistic regression of a calibration",
                    iterations: cv.model.iterations,
                    gradient_norm: None,
                });
            }
            let fit = &cv.model;
            let any_dropped = fit.coefficients.iter().any(|&b| b <= 0.0);
            for (position, &j) in active.iter().enumerate() {
                let b = fit.coefficients[position];
                if b <= 0.0 || !any_dropped {
                    coefficients[j].coefficient = b;
                    coefficients[j].standard_error = Some(fit.standard_errors[position]);
                    coefficients[j].fate = if b <= 0.0 {
                        SignalFate::Dropped
                    } else {
                        SignalFate::Weighted
                    };
                }
            }
            if !any_dropped {
                break cv;
            }
            active.retain(|&j| coefficients[j].fate != SignalFate::Dropped);
            if active.is_empty() {
                return Err(Error::Undefined {
                    what: WHAT,
                    reason: "no signal is positively associated with the outcomes: every \
                             coefficient came out zero or negative"
                        .into(),
                });
            }
        };
        let model = calibrated_model(base, &mut coefficients)?;
        let coefficient_sum = coefficients
            .iter()
            .filter(|c| c.fate == SignalFate::Weighted)
            .map(|c| c.coefficient)
            .sum();
        Ok(Calibration {
            model,
            coefficients,
            intercept: cv.model.intercept,
            coefficient_sum,
            lambda: cv.lambda,
            cv,
            rounds,
            observations: labels.len(),
            positives,
        })
    }
}

/// The values whose `known` is true (all of them without `known`), in order: the observations a
/// calibration fits.
fn known_only<T: Copy>(values: &[T], known: Option<&[bool]>) -> Vec<T> {
    match known {
        None => values.to_vec(),
        Some(known) => values
            .iter()
            .zip(known)
            .filter(|(_, known)| **known)
            .map(|(v, _)| *v)
            .collect(),
    }
}

/// The normalized column of every signal of the scores' model, in model order, and whether
/// every customer known at the scores' as-of time has a value of the signal.
fn normalized_columns(scores: &Scores<'_>) -> Result<(Vec<Vec<f64>>, Vec<bool>)> {
    let present = scores.signals().known_customers();
    let model = scores.model();
    model
        .dimensions
        .iter()
        .flat_map(|d| d.signals.iter().map(move |s| (d.name.as_str(), s.signal)))
        .map(|(dimension, signal)| {
            let column = scores
                .normalized(dimension, signal)
                .map(<[f64]>::to_vec)
                .ok_or_else(|| {
                    Error::parameter(
                        "scores",
                        signal,
                        format!("have no normalized column for this signal in {dimension}"),
                    )
                })?;
            let known = scores.signals().known(signal);
            let complete = match (known, present) {
                (None, _) => true,
                (Some(known), None) => known.iter().all(|&k| k),
                (Some(known), Some(present)) => known.iter().zip(present).all(|(&k, &p)| k || !p),
            };
            Ok((column, complete))
        })
        .collect::<Result<Vec<_>>>()
        .map(|columns| columns.into_iter().unzip())
}

/// Whether every value of a column is the same (or there are none).
fn is_constant(column: &[f64]) -> bool {
    column.windows(2).all(|w| w[0] == w[1])
}

/// Maps the coefficients to a model (see [`CalibrationParams`]) and fills in their shares.
fn calibrated_model(
    base: &ScoringModel,
    coefficients: &mut [SignalCoefficient],
) -> Result<ScoringModel> {
    let weight = |c: &SignalCoefficient| {
        if c.fate == SignalFate::Weighted {
            c.coefficient
        } else {
            0.0
        }
    };
    let total: f64 = coefficients.iter().map(weight).sum();
    let mut model = base.clone();
    model.combination = Combination::ArithmeticMean;
    let mut first = 0;
    for dimension in &mut model.dimensions {
        let own = &mut coefficients[first..first + dimension.signals.len()];
        first += dimension.signals.len();
        let mass: f64 = own.iter().map(weight).sum();
        if mass > 0.0 {
            for (signal, c) in dimension.signals.iter_mut().zip(own.iter_mut()) {
                signal.weight = weight(c) / mass;
                c.share = weight(c) / total;
            }
            dimension.weight = mass / total;
        } else {
            // Keep the base weights so that the dimension score still means something.
            dimension.weight = 0.0;
        }
    }
    model.check()?;
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dimension, ENGAGEMENT, ErrorKind, INNOVATION, WeightedSignal};
    use rand::{RngExt, SeedableRng};
    use rand_pcg::Pcg64Mcg;

    /// Engagement: recency, activity, breadth; innovation: idea quality, ahead of trend,
    /// workarounds. All weights 1.
    fn base() -> ScoringModel {
        let dimension = |name: &str, signals: &[Signal]| Dimension {
            name: name.to_owned(),
            weight: 1.0,
            signals: signals
                .iter()
                .map(|&s| WeightedSignal::new(s, 1.0))
                .collect(),
        };
        ScoringModel {
            dimensions: vec![
                dimension(
                    ENGAGEMENT,
                    &[Signal::Recency, Signal::Activity, Signal::Breadth],
                ),
                dimension(
                    INNOVATION,
                    &[
                        Signal::IdeaQuality,
                        Signal::AheadOfTrend,
                        Signal::Workarounds,
                    ],
                ),
            ],
            ..ScoringModel::default()
        }
    }

    /// `n` customers with uniform "normalized signals" in model order, the last one constant,
    /// and outcomes drawn with log-odds `intercept + Σ truth_j v_j`.
    fn simulated(
        truth: [f64; 5],
        intercept: f64,
        n: usize,
        seed: u64,
    ) -> (Vec<Vec<f64>>, Vec<bool>) {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let mut columns: Vec<Vec<f64>> = (0..5)
            .map(|_| (0..n).map(|_| rng.random::<f64>()).collect())
            .collect();
        columns.push(vec![0.5; n]);
        let labels = (0..n)
            .map(|i| {
                let eta = intercept + (0..5).map(|j| truth[j] * columns[j][i]).sum::<f64>();
                rng.random::<f64>() < sigmoid(eta)
            })
            .collect();
        (columns, labels)
    }

    fn entry(c: &Calibration, signal: Signal) -> &SignalCoefficient {
        c.coefficients.iter().find(|e| e.signal == signal).unwrap()
    }

    #[test]
    fn calibration_recovers_the_signs_and_order_of_known_effects() {
        // Idea quality matters most, then ahead of trend, then recency; activity counts
        // against; breadth does not matter; workarounds are constant.
        let truth = [0.75, -1.5, 0.0, 3.0, 1.5];
        let (columns, labels) = simulated(truth, -3.0, 4000, 5);
        let c = CalibrationParams::default()
            .fit_columns(&base(), &columns, &[true; 6], &labels)
            .unwrap();
        let quality = entry(&c, Signal::IdeaQuality);
        let trend = entry(&c, Signal::AheadOfTrend);
        let recency = entry(&c, Signal::Recency);
        for e in [quality, trend, recency] {
            assert_eq!(e.fate, SignalFate::Weighted, "{e:?}");
        }
        assert!(quality.coefficient > trend.coefficient && trend.coefficient > recency.coefficient);
        // Within 3 standard errors of the truth (a fixed seed: a draw that holds with
        // probability 0.997 each). Dropping activity, independent of the others, attenuates
        // the others only by a few percent, well inside that.
        for (e, t) in [(quality, 3.0), (trend, 1.5), (recency, 0.75)] {
            let se = e.standard_error.unwrap();
            assert!((e.coefficient - t).abs() < 3.0 * se, "{e:?}, truth {t}");
        }
        let activity = entry(&c, Signal::Activity);
        assert_eq!(activity.fate, SignalFate::Dropped);
        assert!(activity.coefficient < 0.0 && activity.share == 0.0);
        assert!((activity.coefficient + 1.5).abs() < 3.0 * activity.standard_error.unwrap());
        let workarounds = entry(&c, Signal::Workarounds);
        assert_eq!(workarounds.fate, SignalFate::Constant);
        assert_eq!(workarounds.standard_error, None);
        assert!(c.rounds >= 2);
        assert_eq!(
            (c.observations, c.positives),
            (4000, labels.iter().filter(|&&l| l).count())
        );
    }

    #[test]
    fn weights_are_proportional_to_the_coefficients_and_shares_sum_to_one() {
        let (columns, labels) = simulated([0.75, -1.5, 0.0, 3.0, 1.5], -3.0, 4000, 5);
        let c = CalibrationParams::default()
            .fit_columns(&base(), &columns, &[true; 6], &labels)
            .unwrap();
        c.model.check().unwrap();
        assert_eq!(c.model.combination, Combination::ArithmeticMean);
        let weighted: Vec<&SignalCoefficient> = c
            .coefficients
            .iter()
            .filter(|e| e.fate == SignalFate::Weighted)
            .collect();
        let sum: f64 = weighted.iter().map(|e| e.coefficient).sum();
        assert!((sum - c.coefficient_sum).abs() < 1e-12);
        assert!((weighted.iter().map(|e| e.share).sum::<f64>() - 1.0).abs() < 1e-12);
        let mut column = 0;
        for d in &c.model.dimensions {
            let mass: f64 = c.coefficients[column..column + d.signals.len()]
                .iter()
                .filter(|e| e.fate == SignalFate::Weighted)
                .map(|e| e.coefficient)
                .sum();
            assert!((d.weight - mass / sum).abs() < 1e-12);
            for s in &d.signals {
                let e = &c.coefficients[column];
                column += 1;
                let expected = if e.fate == SignalFate::Weighted {
                    e.coefficient / mass
                } else {
                    0.0
                };
                assert!((s.weight - expected).abs() < 1e-12, "{s:?} {e:?}");
            }
        }
        // The lead score is Σ share_j v_j, so b₀ + B·L is the fitted log-odds.
        let i = 17;
        let lead: f64 = c
            .coefficients
            .iter()
            .zip(&columns)
            .map(|(e, v)| e.share * v[i])
            .sum();
        let eta = c.cv.model.intercept
            + c.coefficients
                .iter()
                .zip(&columns)
                .filter(|(e, _)| e.fate == SignalFate::Weighted)
                .map(|(e, v)| e.coefficient * v[i])
                .sum::<f64>();
        assert!((c.log_odds(lead) - eta).abs() < 1e-9);
        assert!((c.probability(lead) - sigmoid(eta)).abs() < 1e-12);
    }

    #[test]
    fn a_dimension_without_a_positive_coefficient_keeps_its_base_weights_and_weighs_nothing() {
        // Every engagement signal counts against.
        let (columns, labels) = simulated([-1.0, -1.0, -1.0, 3.0, 1.5], -2.0, 3000, 9);
        let c = CalibrationParams::default()
            .fit_columns(&base(), &columns, &[true; 6], &labels)
            .unwrap();
        c.model.check().unwrap();
        let engagement = c.model.dimension(ENGAGEMENT).unwrap();
        assert_eq!(engagement.weight, 0.0);
        assert_eq!(engagement.signals, base().dimensions[0].signals);
        assert_eq!(c.model.dimension(INNOVATION).unwrap().weight, 1.0);
        assert!(
            c.coefficients[..3]
                .iter()
                .all(|e| e.fate == SignalFate::Dropped && e.share == 0.0)
        );
    }

    #[test]
    fn a_signal_some_customers_have_no_value_of_is_left_out_of_the_fit() {
        let (columns, labels) = simulated([0.75, -1.5, 0.0, 3.0, 1.5], -3.0, 4000, 5);
        let mut complete = [true; 6];
        complete[0] = false; // recency, which the outcomes depend on
        let c = CalibrationParams::default()
            .fit_columns(&base(), &columns, &complete, &labels)
            .unwrap();
        let recency = entry(&c, Signal::Recency);
        assert_eq!(recency.fate, SignalFate::Incomplete);
        assert_eq!(
            (recency.coefficient, recency.standard_error, recency.share),
            (0.0, None, 0.0)
        );
        assert_eq!(c.model.dimensions[0].signals[0].weight, 0.0);
        assert_eq!(entry(&c, Signal::IdeaQuality).fate, SignalFate::Weighted);
        // The constant signal stays constant, not incomplete.
        assert_eq!(entry(&c, Signal::Workarounds).fate, SignalFate::Constant);
        // Every signal missing for someone or constant: nothing to fit.
        let err = CalibrationParams::default()
            .fit_columns(&base(), &columns, &[false; 6], &labels)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Undefined);
    }

    #[test]
    fn outcomes_nothing_predicts_are_refused() {
        let model = base();
        let params = CalibrationParams::default();
        // Every signal counts against: no reason to rank anyone first.
        let (columns, labels) = simulated([-2.0, -2.0, -2.0, -2.0, -2.0], 1.0, 2000, 3);
        let err = params
            .fit_columns(&model, &columns, &[true; 6], &labels)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Undefined);
        // Every signal constant.
        let constant = vec![vec![0.5; 2000]; 6];
        let err = params
            .fit_columns(&model, &constant, &[true; 6], &labels)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Undefined);
        let err = params
            .fit_columns(&model, &columns, &[true; 6], &vec![false; 2000])
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NoPositives);
        let err = params
            .fit_columns(&model, &columns, &[true; 6], &vec![true; 2000])
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NoNegatives);
        let err = params
            .fit_columns(&model, &columns[1..], &[true; 6], &labels)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LengthMismatch);
    }

    #[test]
    fn params_round_trip_through_json() {
        let params = CalibrationParams::default();
        let json = serde_json::to_string(&params).unwrap();
        assert_eq!(
            serde_json::from_str::<CalibrationParams>(&json).unwrap(),
            params
        );
        let empty: CalibrationParams = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, params);
    }
}

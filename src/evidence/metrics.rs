//! How well a score ranks known outcomes: AUC, precision and recall at k, average precision and
//! lift, all tie-aware.
//!
//! A score is a `&[f64]` with one value per customer (higher means "more likely a lead"); the
//! outcomes are a `&[bool]` of the same length (`true`: the customer turned out to be a lead, for
//! example an idea of theirs shipped). Only the *order* of the scores matters.
//!
//! # Ties
//!
//! Scores tie often (a signal that is zero for most customers, percentile ranks of counts), and a
//! metric must not depend on the arbitrary order in which a sort leaves tied customers. Every
//! metric here is the **expected value over all orderings of the tied customers**, each ordering
//! equally likely:
//!
//! - AUC uses mid-ranks (the Mann-Whitney U statistic counts a tied positive/negative pair as one
//!   half), which is exactly that expectation;
//! - precision and recall at k take from the tied group that straddles the cut-off its expected
//!   share of positives: `t` of its `s` members with `p` positives contribute `t·p/s`;
//! - average precision uses the tie-aware formula of McSherry & Najork (2008, "Computing
//!   information retrieval performance measures efficiently in the presence of tied scores",
//!   ECIR).
//!
//! This differs from scikit-learn's `average_precision_score`, which treats a tied group as one
//! threshold and scores every member at the group's precision; its `roc_auc_score` agrees with the
//! AUC here.
//!
//! # Example
//!
//! ```
//! use lead_customers::evidence::{Ranking, RankingReport};
//! let scores = [0.9, 0.8, 0.8, 0.5, 0.5, 0.5, 0.1];
//! let leads = [true, false, true, true, false, false, false];
//! let ranking = Ranking::new(&scores, &leads)?;
//! // 9.5 of the 12 (positive, negative) pairs are ordered right, ties counting one half.
//! assert!((ranking.auc()? - 9.5 / 12.0).abs() < 1e-12);
//! // The top 2 hold the 0.9 lead and, on average, half of the tied 0.8 pair's one lead.
//! assert!((ranking.precision_at_k(2)? - 0.75).abs() < 1e-12);
//! let report = RankingReport::new(&scores, &leads, 2)?;
//! assert_eq!(report.positives, 3);
//! # Ok::<(), lead_customers::Error>(())
//! ```

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_finite};

/// One group of customers whose scores tie, with how many of them are positive. Counts are
/// `f64` because bootstrap replicates weight customers by how often they were drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TieGroup {
    size: f64,
    positives: f64,
}

/// A score sorted once against known outcomes: the tied groups in descending score order, from
/// which every metric is computed in one pass.
///
/// Build it once when several metrics of the same score are wanted; the free functions
/// ([`auc`], [`precision_at_k`], ...) build one each call.
///
/// ```
/// use lead_customers::evidence::Ranking;
/// let ranking = Ranking::new(&[3.0, 2.0, 1.0], &[true, false, true])?;
/// assert_eq!(ranking.customers(), 3);
/// assert_eq!(ranking.positives(), 2);
/// assert!((ranking.auc()? - 0.5).abs() < 1e-12);
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    customers: usize,
    positives: usize,
    groups: Vec<TieGroup>,
}

/// The tie structure of a score, computed once so that bootstrap replicates can rebuild a
/// [`Ranking`] in linear time: the tied group of every customer, groups numbered from the
/// highest score down.
#[derive(Debug, Clone)]
pub(crate) struct TieStructure {
    group_of: Vec<usize>,
    groups: usize,
}

impl TieStructure {
    /// Validates a score against its outcomes and sorts it into tied groups.
    pub(crate) fn new(scores: &[f64], outcomes: &[bool]) -> Result<Self> {
        check_scores(scores, outcomes)?;
        // -0.0 and 0.0 tie: adding 0.0 turns the one into the other before the total order.
        let key = |i: usize| scores[i] + 0.0;
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| key(b).total_cmp(&key(a)));
        let mut group_of = vec![0; scores.len()];
        let mut groups = 0;
        let mut previous: Option<f64> = None;
        for &i in &order {
            if previous.is_some_and(|p| p.total_cmp(&key(i)) != Ordering::Equal) {
                groups += 1;
            }
            group_of[i] = groups;
            previous = Some(key(i));
        }
        Ok(TieStructure {
            group_of,
            groups: groups + 1,
        })
    }

    /// The ranking in which customer `i` counts `weight(i)` times (1 for the data as given, the
    /// number of draws in a bootstrap replicate). Groups left empty are dropped.
    pub(crate) fn ranking(&self, outcomes: &[bool], weight: impl Fn(usize) -> u32) -> Ranking {
        let mut groups = vec![
            TieGroup {
                size: 0.0,
                positives: 0.0
            };
            self.groups
        ];
        let (mut customers, mut positives) = (0usize, 0usize);
        for (i, (&g, &positive)) in self.group_of.iter().zip(outcomes).enumerate() {
            let w = weight(i);
            groups[g].size += f64::from(w);
            customers += w as usize;
            if positive {
                groups[g].positives += f64::from(w);
                positives += w as usize;
            }
        }
        groups.retain(|g| g.size > 0.0);
        Ranking {
            customers,
            positives,
            groups,
        }
    }
}

/// Checks what every metric needs: the same number of scores and outcomes, at least one, all
/// finite.
fn check_scores(scores: &[f64], outcomes: &[bool]) -> Result<()> {
    if scores.is_empty() {
        return Err(Error::EmptyInput {
            what: "a ranking metric",
        });
    }
    if outcomes.len() != scores.len() {
        return Err(Error::LengthMismatch {
            what: "outcomes (one per score)",
            expected: scores.len(),
            found: outcomes.len(),
        });
    }
    check_finite("scores", scores)
}

impl Ranking {
    /// Sorts `scores` (higher is better) against `outcomes` (`true` = positive).
    ///
    /// Errors: [`Error::EmptyInput`] for no scores, [`Error::LengthMismatch`] when the lengths
    /// differ, [`Error::NonFiniteInput`] for a NaN or infinite score. All outcomes may be equal
    /// here; the metrics that need both classes say so.
    ///
    /// ```
    /// use lead_customers::{ErrorKind, evidence::Ranking};
    /// let err = Ranking::new(&[1.0, f64::NAN], &[true, false]).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::NonFinite);
    /// ```
    pub fn new(scores: &[f64], outcomes: &[bool]) -> Result<Self> {
        Ok(TieStructure::new(scores, outcomes)?.ranking(outcomes, |_| 1))
    }

    /// The number of customers ranked.
    pub fn customers(&self) -> usize {
        self.customers
    }

    /// The number of positive outcomes.
    pub fn positives(&self) -> usize {
        self.positives
    }

    /// The share of positives, `P / n`: the precision of a random ranking.
    pub fn base_rate(&self) -> f64 {
        self.positives as f64 / self.customers as f64
    }

    fn require_positives(&self, what: &'static str) -> Result<()> {
        if self.positives == 0 {
            Err(Error::NoPositives { what })
        } else {
            Ok(())
        }
    }

    fn check_k(&self, k: usize) -> Result<()> {
        if k == 0 || k > self.customers {
            Err(Error::parameter(
                "k",
                k,
                format!("must be 1 to the number of customers ({})", self.customers),
            ))
        } else {
            Ok(())
        }
    }

    /// Area under the ROC curve: the probability that a random positive is scored above a
    /// random negative, a tie counting one half.
    ///
    /// `AUC = U / (P·N)` with the Mann-Whitney `U = Σ over positives of (negatives scored below
    /// + ½ · negatives tied)`. 0.5 is a random ranking, 1 a perfect one.
    ///
    /// Errors: [`Error::NoPositives`] or [`Error::NoNegatives`], where AUC is undefined.
    ///
    /// ```
    /// use lead_customers::evidence::Ranking;
    /// let all_tied = Ranking::new(&[1.0; 4], &[true, false, true, false])?;
    /// assert_eq!(all_tied.auc()?, 0.5);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn auc(&self) -> Result<f64> {
        self.require_positives("AUC")?;
        let negatives = self.customers - self.positives;
        if negatives == 0 {
            return Err(Error::NoNegatives { what: "AUC" });
        }
        let mut negatives_below = 0.0;
        let mut u = 0.0;
        for g in self.groups.iter().rev() {
            let tied_negatives = g.size - g.positives;
            u += g.positives * (negatives_below + 0.5 * tied_negatives);
            negatives_below += tied_negatives;
        }
        Ok(u / (self.positives as f64 * negatives as f64))
    }

    /// The expected number of positives among the top `k`, ties broken at random.
    fn expected_hits(&self, k: usize) -> f64 {
        let k = k as f64;
        let (mut taken, mut hits) = (0.0, 0.0);
        for g in &self.groups {
            if taken + g.size <= k {
                taken += g.size;
                hits += g.positives;
            } else {
                hits += (k - taken) * g.positives / g.size;
                break;
            }
        }
        hits
    }

    /// Precision at k: the expected share of positives among the `k` top-scored customers,
    /// `E[hits in top k] / k`.
    ///
    /// Errors: [`Error::InvalidParameter`] unless `1 <= k <= n`.
    ///
    /// ```
    /// use lead_customers::evidence::Ranking;
    /// let ranking = Ranking::new(&[0.9, 0.8, 0.8], &[true, false, true])?;
    /// assert_eq!(ranking.precision_at_k(1)?, 1.0);
    /// assert_eq!(ranking.precision_at_k(2)?, 0.75);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn precision_at_k(&self, k: usize) -> Result<f64> {
        self.check_k(k)?;
        Ok(self.expected_hits(k) / k as f64)
    }

    /// Recall at k: the expected share of all positives found among the top `k`,
    /// `E[hits in top k] / P`.
    ///
    /// Errors: [`Error::InvalidParameter`] unless `1 <= k <= n`; [`Error::NoPositives`].
    ///
    /// ```
    /// use lead_customers::evidence::Ranking;
    /// let ranking = Ranking::new(&[0.9, 0.8, 0.8], &[true, false, true])?;
    /// assert_eq!(ranking.recall_at_k(2)?, 0.75);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn recall_at_k(&self, k: usize) -> Result<f64> {
        self.check_k(k)?;
        self.require_positives("recall at k")?;
        Ok(self.expected_hits(k) / self.positives as f64)
    }

    /// Average precision: the mean, over the positives, of the precision at each positive's
    /// rank, `AP = (1/P) Σ_positives hits(rank)/rank`, in expectation over tie orderings.
    ///
    /// For a tied group of size `s` holding `p` positives, with `c` customers and `h` hits ranked
    /// above it, McSherry & Najork's expectation is
    /// `(p/s) · Σ_{j=1..s} (h + 1 + (j−1)(p−1)/(s−1)) / (c + j)` (the fraction read as 0 when
    /// `s = 1`): position `j` of the group holds a positive with probability `p/s`, and given
    /// that, the other `j−1` positions hold `(j−1)(p−1)/(s−1)` positives on average.
    ///
    /// Errors: [`Error::NoPositives`].
    ///
    /// ```
    /// use lead_customers::evidence::Ranking;
    /// // The lead ties with one other customer at the top: rank 1 or 2, precision 1 or 1/2.
    /// let ranking = Ranking::new(&[1.0, 1.0, 0.0], &[true, false, false])?;
    /// assert!((ranking.average_precision()? - 0.75).abs() < 1e-12);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn average_precision(&self) -> Result<f64> {
        self.require_positives("average precision")?;
        let (mut above, mut hits_above, mut total) = (0.0, 0.0, 0.0);
        for g in &self.groups {
            if g.positives > 0.0 {
                let slope = if g.size > 1.0 {
                    (g.positives - 1.0) / (g.size - 1.0)
                } else {
                    0.0
                };
                // Group sizes are whole numbers (counts of customers).
                let mut sum = 0.0;
                let mut j = 1.0;
                while j <= g.size {
                    sum += (hits_above + 1.0 + (j - 1.0) * slope) / (above + j);
                    j += 1.0;
                }
                total += g.positives / g.size * sum;
            }
            above += g.size;
            hits_above += g.positives;
        }
        Ok(total / self.positives as f64)
    }

    /// Lift at k over a random ranking: `precision@k / (P / n)`. 1 is no better than drawing
    /// customers at random; 3 means the top k hold three times the base rate of positives.
    ///
    /// Errors: as [`Ranking::precision_at_k`]; [`Error::NoPositives`] (the base rate is zero).
    ///
    /// ```
    /// use lead_customers::evidence::Ranking;
    /// let ranking = Ranking::new(&[4.0, 3.0, 2.0, 1.0], &[true, false, false, false])?;
    /// assert_eq!(ranking.lift_at_k(1)?, 4.0);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn lift_at_k(&self, k: usize) -> Result<f64> {
        let precision = self.precision_at_k(k)?;
        self.require_positives("lift at k")?;
        Ok(precision / self.base_rate())
    }

    /// Lift at k over a baseline ranking of the same customers and outcomes (for example "most
    /// active first"): `precision@k(self) / precision@k(baseline)`.
    ///
    /// Errors: [`Error::LengthMismatch`] when the two rankings have different customers or
    /// positives (so cannot be of the same outcomes); [`Error::Undefined`] when the baseline
    /// finds no positive in its top k; as [`Ranking::precision_at_k`].
    ///
    /// ```
    /// use lead_customers::evidence::Ranking;
    /// let leads = [true, true, false, false];
    /// let model = Ranking::new(&[4.0, 3.0, 2.0, 1.0], &leads)?;
    /// let most_active = Ranking::new(&[1.0, 4.0, 3.0, 2.0], &leads)?;
    /// // Top 2: the model holds both leads, "most active" one of them.
    /// assert_eq!(model.lift_over(&most_active, 2)?, 2.0);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn lift_over(&self, baseline: &Ranking, k: usize) -> Result<f64> {
        let own = self.precision_at_k(k)?;
        let base = baseline.precision_at_k(k)?;
        precision_ratio(
            (self.customers, self.positives),
            (baseline.customers, baseline.positives),
            own,
            base,
            k,
        )
    }

    /// The value of one [`Metric`].
    ///
    /// ```
    /// use lead_customers::evidence::{Metric, Ranking};
    /// let ranking = Ranking::new(&[2.0, 1.0], &[true, false])?;
    /// assert_eq!(ranking.metric(Metric::Auc)?, 1.0);
    /// assert_eq!(ranking.metric(Metric::PrecisionAtK { k: 2 })?, 0.5);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn metric(&self, metric: Metric) -> Result<f64> {
        match metric {
            Metric::Auc => self.auc(),
            Metric::PrecisionAtK { k } => self.precision_at_k(k),
            Metric::RecallAtK { k } => self.recall_at_k(k),
            Metric::AveragePrecision => self.average_precision(),
            Metric::LiftAtK { k } => self.lift_at_k(k),
        }
    }

    /// All metrics at cut-off `k`, in one report.
    ///
    /// Errors: those of the metrics; in particular both outcome classes must occur (AUC).
    pub fn report(&self, k: usize) -> Result<RankingReport> {
        Ok(RankingReport {
            customers: self.customers,
            positives: self.positives,
            k,
            auc: self.auc()?,
            precision_at_k: self.precision_at_k(k)?,
            recall_at_k: self.recall_at_k(k)?,
            average_precision: self.average_precision()?,
            lift_at_k: self.lift_at_k(k)?,
        })
    }
}

/// Lift over a baseline from the two precisions at `k`, after checking that both judge the same
/// outcomes: `(customers, positives)` is what a ranking or report keeps of them.
fn precision_ratio(
    model: (usize, usize),
    baseline: (usize, usize),
    own: f64,
    base: f64,
    k: usize,
) -> Result<f64> {
    if baseline.0 != model.0 {
        return Err(Error::LengthMismatch {
            what: "baseline ranking (customers)",
            expected: model.0,
            found: baseline.0,
        });
    }
    if baseline.1 != model.1 {
        return Err(Error::LengthMismatch {
            what: "baseline ranking (positives)",
            expected: model.1,
            found: baseline.1,
        });
    }
    if base == 0.0 {
        return Err(Error::Undefined {
            what: "lift over a baseline",
            reason: format!("the baseline has no positive in its top {k}"),
        });
    }
    Ok(own / base)
}

/// A ranking-quality metric, for [`Ranking::metric`] and bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "metric", rename_all = "snake_case")]
pub enum Metric {
    /// [`Ranking::auc`].
    Auc,
    /// [`Ranking::precision_at_k`].
    PrecisionAtK {
        /// The cut-off.
        k: usize,
    },
    /// [`Ranking::recall_at_k`].
    RecallAtK {
        /// The cut-off.
        k: usize,
    },
    /// [`Ranking::average_precision`].
    AveragePrecision,
    /// [`Ranking::lift_at_k`].
    LiftAtK {
        /// The cut-off.
        k: usize,
    },
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Metric::Auc => f.write_str("AUC"),
            Metric::PrecisionAtK { k } => write!(f, "precision@{k}"),
            Metric::RecallAtK { k } => write!(f, "recall@{k}"),
            Metric::AveragePrecision => f.write_str("average precision"),
            Metric::LiftAtK { k } => write!(f, "lift@{k}"),
        }
    }
}

/// Every ranking metric of one score against one set of outcomes at one cut-off `k`: what a
/// back-test prints per ranking.
///
/// ```
/// use lead_customers::evidence::RankingReport;
/// let report = RankingReport::new(&[4.0, 3.0, 2.0, 1.0], &[true, false, true, false], 2)?;
/// assert_eq!(report.auc, 0.75);
/// assert_eq!(report.precision_at_k, 0.5);
/// assert_eq!(report.recall_at_k, 0.5);
/// assert_eq!(report.lift_at_k, 1.0);
/// assert!((report.average_precision - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingReport {
    /// Customers ranked, `n`.
    pub customers: usize,
    /// Positive outcomes, `P`.
    pub positives: usize,
    /// The cut-off of the "at k" metrics.
    pub k: usize,
    /// [`Ranking::auc`].
    pub auc: f64,
    /// [`Ranking::precision_at_k`].
    pub precision_at_k: f64,
    /// [`Ranking::recall_at_k`].
    pub recall_at_k: f64,
    /// [`Ranking::average_precision`].
    pub average_precision: f64,
    /// [`Ranking::lift_at_k`] (over a random ranking).
    pub lift_at_k: f64,
}

impl RankingReport {
    /// Computes every metric of `scores` against `outcomes` at cut-off `k`.
    ///
    /// Errors: those of [`Ranking::new`] and of the metrics; both outcome classes must occur.
    pub fn new(scores: &[f64], outcomes: &[bool], k: usize) -> Result<Self> {
        Ranking::new(scores, outcomes)?.report(k)
    }

    /// Lift at k over a baseline's report of the same outcomes at the same k: the ratio of the
    /// precisions at k.
    ///
    /// Errors: [`Error::InvalidParameter`] when the cut-offs differ; as [`Ranking::lift_over`].
    ///
    /// ```
    /// use lead_customers::evidence::RankingReport;
    /// let leads = [true, false, true, false];
    /// let model = RankingReport::new(&[4.0, 3.0, 2.0, 1.0], &leads, 1)?;
    /// let naive = RankingReport::new(&[1.0, 1.0, 1.0, 1.0], &leads, 1)?;
    /// assert_eq!(model.lift_over(&naive)?, 2.0);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn lift_over(&self, baseline: &RankingReport) -> Result<f64> {
        if baseline.k != self.k {
            return Err(Error::parameter(
                "baseline k",
                baseline.k,
                format!("must equal the model's k ({})", self.k),
            ));
        }
        precision_ratio(
            (self.customers, self.positives),
            (baseline.customers, baseline.positives),
            self.precision_at_k,
            baseline.precision_at_k,
            self.k,
        )
    }
}

/// AUC of `scores` against `outcomes`; see [`Ranking::auc`].
///
/// ```
/// assert_eq!(lead_customers::evidence::auc(&[0.2, 0.9], &[false, true])?, 1.0);
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn auc(scores: &[f64], outcomes: &[bool]) -> Result<f64> {
    Ranking::new(scores, outcomes)?.auc()
}

/// Precision at k; see [`Ranking::precision_at_k`].
///
/// ```
/// let p = lead_customers::evidence::precision_at_k(&[0.2, 0.9, 0.5], &[false, true, false], 2)?;
/// assert_eq!(p, 0.5);
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn precision_at_k(scores: &[f64], outcomes: &[bool], k: usize) -> Result<f64> {
    Ranking::new(scores, outcomes)?.precision_at_k(k)
}

/// Recall at k; see [`Ranking::recall_at_k`].
///
/// ```
/// let r = lead_customers::evidence::recall_at_k(&[0.2, 0.9, 0.5], &[true, true, false], 1)?;
/// assert_eq!(r, 0.5);
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn recall_at_k(scores: &[f64], outcomes: &[bool], k: usize) -> Result<f64> {
    Ranking::new(scores, outcomes)?.recall_at_k(k)
}

/// Average precision; see [`Ranking::average_precision`].
///
/// ```
/// let ap = lead_customers::evidence::average_precision(&[0.2, 0.9, 0.5], &[true, true, false])?;
/// assert!((ap - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn average_precision(scores: &[f64], outcomes: &[bool]) -> Result<f64> {
    Ranking::new(scores, outcomes)?.average_precision()
}

/// Lift at k over a random ranking; see [`Ranking::lift_at_k`].
///
/// ```
/// let lift = lead_customers::evidence::lift_at_k(&[0.2, 0.9, 0.5, 0.1], &[false, true, false, false], 1)?;
/// assert_eq!(lift, 4.0);
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn lift_at_k(scores: &[f64], outcomes: &[bool], k: usize) -> Result<f64> {
    Ranking::new(scores, outcomes)?.lift_at_k(k)
}

/// Lift at k of `scores` over `baseline` (another score of the same customers), judged on the
/// same `outcomes`; see [`Ranking::lift_over`].
///
/// ```
/// use lead_customers::evidence::lift_over_baseline;
/// let leads = [true, false, false, false];
/// let lift = lift_over_baseline(&[4.0, 3.0, 2.0, 1.0], &[2.0, 2.0, 1.0, 1.0], &leads, 2)?;
/// assert_eq!(lift, 1.0); // both hold the lead in their top 2
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn lift_over_baseline(
    scores: &[f64],
    baseline: &[f64],
    outcomes: &[bool],
    k: usize,
) -> Result<f64> {
    let model = Ranking::new(scores, outcomes)?;
    check_baseline(baseline, scores.len())?;
    model.lift_over(&Ranking::new(baseline, outcomes)?, k)
}

/// Checks a baseline's scores against the scores it is compared with: one per score, each
/// finite. Named as the baseline's, which its ranking's own checks would call the scores.
pub(crate) fn check_baseline(baseline: &[f64], n: usize) -> Result<()> {
    if baseline.len() != n {
        return Err(Error::LengthMismatch {
            what: "baseline scores (one per score)",
            expected: n,
            found: baseline.len(),
        });
    }
    crate::error::check_finite("baseline scores", baseline)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use itertools::Itertools;
    use proptest::prelude::*;

    const SCORES: [f64; 7] = [0.9, 0.8, 0.8, 0.5, 0.5, 0.5, 0.1];
    const LEADS: [bool; 7] = [true, false, true, true, false, false, false];

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn auc_counts_tied_pairs_as_one_half() {
        // Pairs ordered right: 4 (0.9) + 3.5 (0.8, one tie) + 1 + 2 × ½ (0.5, two ties).
        assert!(close(auc(&SCORES, &LEADS).unwrap(), 9.5 / 12.0));
    }

    #[test]
    fn auc_matches_scikit_learn() {
        // sklearn 1.9.1 roc_auc_score on the same data: 0.7916666666666666.
        assert!(close(auc(&SCORES, &LEADS).unwrap(), 0.7916666666666666));
    }

    #[test]
    fn precision_at_k_takes_the_expected_share_of_a_straddling_tie() {
        assert!(close(precision_at_k(&SCORES, &LEADS, 1).unwrap(), 1.0));
        assert!(close(
            precision_at_k(&SCORES, &LEADS, 2).unwrap(),
            1.5 / 2.0
        ));
        assert!(close(
            precision_at_k(&SCORES, &LEADS, 3).unwrap(),
            2.0 / 3.0
        ));
        // 2 hits above, then 1 of the three 0.5s holding 1 lead.
        assert!(close(
            precision_at_k(&SCORES, &LEADS, 4).unwrap(),
            (2.0 + 1.0 / 3.0) / 4.0
        ));
        assert!(close(
            precision_at_k(&SCORES, &LEADS, 7).unwrap(),
            3.0 / 7.0
        ));
    }

    #[test]
    fn recall_at_k_divides_the_expected_hits_by_all_positives() {
        assert!(close(recall_at_k(&SCORES, &LEADS, 2).unwrap(), 1.5 / 3.0));
        assert!(close(recall_at_k(&SCORES, &LEADS, 7).unwrap(), 1.0));
    }

    #[test]
    fn average_precision_with_ties_matches_the_hand_computation() {
        // Lead at rank 1: precision 1. Lead in the 0.8 pair: rank 2 or 3, precision 1 or 2/3.
        // Lead among the three 0.5s: rank 4, 5 or 6 with 3 hits, precision 3/4, 3/5 or 3/6.
        let expected = (1.0 + (1.0 + 2.0 / 3.0) / 2.0 + (0.75 + 0.6 + 0.5) / 3.0) / 3.0;
        assert!(close(average_precision(&SCORES, &LEADS).unwrap(), expected));
        assert!(close(expected, 0.8166666666666667));
    }

    #[test]
    fn lift_at_k_is_precision_over_the_base_rate() {
        assert!(close(
            lift_at_k(&SCORES, &LEADS, 3).unwrap(),
            (2.0 / 3.0) / (3.0 / 7.0)
        ));
    }

    #[test]
    fn lift_over_baseline_is_the_ratio_of_precisions() {
        let baseline = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]; // the reverse order
        // Baseline top 3: customers 6, 5, 4, none a lead... so lift is undefined.
        let err = lift_over_baseline(&SCORES, &baseline, &LEADS, 3).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Undefined);
        // Top 5 of the baseline: 6, 5, 4, 3 (lead), 2 (lead): precision 2/5.
        let lift = lift_over_baseline(&SCORES, &baseline, &LEADS, 5).unwrap();
        let model = precision_at_k(&SCORES, &LEADS, 5).unwrap();
        assert!(close(lift, model / 0.4));
    }

    #[test]
    fn a_perfect_ranking_scores_one_everywhere() {
        let report = RankingReport::new(
            &[5.0, 4.0, 3.0, 2.0, 1.0],
            &[true, true, false, false, false],
            2,
        )
        .unwrap();
        assert_eq!(report.auc, 1.0);
        assert_eq!(report.precision_at_k, 1.0);
        assert_eq!(report.recall_at_k, 1.0);
        assert_eq!(report.average_precision, 1.0);
        assert_eq!(report.lift_at_k, 2.5);
    }

    #[test]
    fn metrics_refuse_bad_input_with_typed_errors() {
        assert_eq!(auc(&[], &[]).unwrap_err().kind(), ErrorKind::EmptyInput);
        assert_eq!(
            auc(&[1.0], &[true, false]).unwrap_err().kind(),
            ErrorKind::LengthMismatch
        );
        assert_eq!(
            auc(&[1.0, f64::INFINITY], &[true, false])
                .unwrap_err()
                .kind(),
            ErrorKind::NonFinite
        );
        assert_eq!(
            auc(&[1.0, 2.0], &[false, false]).unwrap_err().kind(),
            ErrorKind::NoPositives
        );
        assert_eq!(
            auc(&[1.0, 2.0], &[true, true]).unwrap_err().kind(),
            ErrorKind::NoNegatives
        );
        assert_eq!(
            average_precision(&[1.0, 2.0], &[false, false])
                .unwrap_err()
                .kind(),
            ErrorKind::NoPositives
        );
        assert_eq!(
            recall_at_k(&[1.0, 2.0], &[false, false], 1)
                .unwrap_err()
                .kind(),
            ErrorKind::NoPositives
        );
        assert_eq!(
            lift_at_k(&[1.0, 2.0], &[false, false], 1)
                .unwrap_err()
                .kind(),
            ErrorKind::NoPositives
        );
        assert_eq!(
            precision_at_k(&[1.0, 2.0], &[true, false], 0)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidParameter
        );
        // A NaN in the baseline is named as the baseline's.
        let err = lift_over_baseline(&[1.0, 2.0], &[1.0, f64::NAN], &[true, false], 1).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NonFinite);
        assert!(err.to_string().starts_with("baseline scores"), "{err}");
        assert_eq!(
            precision_at_k(&[1.0, 2.0], &[true, false], 3)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidParameter
        );
        // Precision is defined without positives: it is zero.
        assert_eq!(
            precision_at_k(&[1.0, 2.0], &[false, false], 1).unwrap(),
            0.0
        );
    }

    #[test]
    fn negative_zero_ties_with_zero() {
        let a = Ranking::new(&[0.0, -0.0], &[true, false]).unwrap();
        assert_eq!(a.auc().unwrap(), 0.5);
    }

    #[test]
    fn report_round_trips_through_json() {
        let report = RankingReport::new(&SCORES, &LEADS, 3).unwrap();
        let json = serde_json::to_string(&report).unwrap();
        assert!(json.contains("\"average_precision\""));
        let back: RankingReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report);
    }

    /// The metrics of one strict order (no ties): rank `r` (1-based) holds `labels[r-1]`.
    fn strict(labels: &[bool], k: usize) -> (f64, f64, Option<f64>) {
        let positives = labels.iter().filter(|&&l| l).count();
        let negatives = labels.len() - positives;
        let mut hits = 0;
        let mut ap = 0.0;
        let mut pairs = 0;
        for (r, &label) in labels.iter().enumerate() {
            if label {
                hits += 1;
                ap += hits as f64 / (r + 1) as f64;
                pairs += labels[r + 1..].iter().filter(|&&l| !l).count();
            }
        }
        let precision = labels[..k].iter().filter(|&&l| l).count() as f64 / k as f64;
        let auc =
            (positives > 0 && negatives > 0).then(|| pairs as f64 / (positives * negatives) as f64);
        (precision, ap / positives.max(1) as f64, auc)
    }

    /// The exact average of the strict metrics over every arrangement of each tied group's
    /// labels (all arrangements are equally likely under a random tie order).
    fn brute_force(scores: &[f64], labels: &[bool], k: usize) -> (f64, f64, Option<f64>) {
        let order: Vec<usize> = (0..scores.len())
            .sorted_by(|&a, &b| scores[b].total_cmp(&scores[a]))
            .collect();
        let groups: Vec<Vec<usize>> = order
            .iter()
            .chunk_by(|&&i| scores[i].to_bits())
            .into_iter()
            .map(|(_, g)| g.copied().collect())
            .collect();
        // Per group: every choice of which of its positions hold the positives.
        let choices: Vec<Vec<Vec<usize>>> = groups
            .iter()
            .map(|g| {
                let p = g.iter().filter(|&&i| labels[i]).count();
                (0..g.len()).combinations(p).collect()
            })
            .collect();
        let (mut sum, mut count) = ((0.0, 0.0, 0.0), 0.0);
        for pick in choices.iter().multi_cartesian_product() {
            let arranged: Vec<bool> = groups
                .iter()
                .zip(&pick)
                .flat_map(|(g, chosen)| (0..g.len()).map(move |j| chosen.contains(&j)))
                .collect();
            let (p, ap, auc) = strict(&arranged, k);
            sum = (sum.0 + p, sum.1 + ap, sum.2 + auc.unwrap_or(0.0));
            count += 1.0;
        }
        let positives = labels.iter().filter(|&&l| l).count();
        let auc_defined = positives > 0 && positives < labels.len();
        (
            sum.0 / count,
            sum.1 / count,
            auc_defined.then_some(sum.2 / count),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn metrics_equal_the_average_over_tie_orders(
            data in prop::collection::vec((0u8..4, any::<bool>()), 1..9),
            k_seed in 0usize..100,
        ) {
            let scores: Vec<f64> = data.iter().map(|&(s, _)| f64::from(s)).collect();
            let labels: Vec<bool> = data.iter().map(|&(_, l)| l).collect();
            let k = 1 + k_seed % scores.len();
            let ranking = Ranking::new(&scores, &labels).unwrap();
            let (precision, ap, expected_auc) = brute_force(&scores, &labels, k);
            prop_assert!((ranking.precision_at_k(k).unwrap() - precision).abs() < 1e-9);
            if ranking.positives() > 0 {
                prop_assert!((ranking.average_precision().unwrap() - ap).abs() < 1e-9);
            }
            match expected_auc {
                Some(a) => prop_assert!((ranking.auc().unwrap() - a).abs() < 1e-9),
                None => prop_assert!(ranking.auc().is_err()),
            }
        }

        #[test]
        fn metrics_do_not_depend_on_the_input_order(
            data in prop::collection::vec((0u8..4, any::<bool>()), 2..30),
            shift in 0usize..30,
        ) {
            let scores: Vec<f64> = data.iter().map(|&(s, _)| f64::from(s)).collect();
            let labels: Vec<bool> = data.iter().map(|&(_, l)| l).collect();
            let mut rotated_scores = scores.clone();
            let mut rotated_labels = labels.clone();
            rotated_scores.rotate_left(shift % scores.len());
            rotated_labels.rotate_left(shift % scores.len());
            let a = Ranking::new(&scores, &labels).unwrap();
            let b = Ranking::new(&rotated_scores, &rotated_labels).unwrap();
            prop_assert_eq!(a, b);
        }
    }
}

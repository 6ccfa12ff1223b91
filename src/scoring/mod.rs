//! From signals to explained lead scores, rankings and segments.
//!
//! A [`ScoringModel`] names dimensions (engagement, innovation, optionally need) made of weighted
//! signals. [`ScoringModel::score`] computes the [`SignalTable`] as of a time, normalizes each
//! signal across the population, averages them into dimension scores, combines the dimensions
//! into a lead score, and assigns segments: the result is [`Scores`]. Any customer's score can
//! then be explained ([`Scores::score`]), and customers ranked ([`Scores::ranking`],
//! [`Scores::top`], [`Scores::top_share`]).

mod compute;
mod explain;
mod history;
mod model;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::Serialize;

use compute::{Scored, Workspace, score_table};
pub use explain::Reason;
pub use history::{CustomerHistory, DimensionHistory, Rising, RisingCustomer, ScoreHistory};
pub use model::{
    Combination, Dimension, Direction, ENGAGEMENT, INNOVATION, NEED, ScoringModel, WeightedSignal,
};

use crate::normalize::Pending;
use crate::signals::{Facts, SIGNALS, SignalTable};
use crate::{CustomerId, CustomerIndex, Error, Population, Result, Segment, Signal, SignalFamily};

/// Every customer's lead score, dimension scores and segment as of one time, with what is needed
/// to explain them.
#[derive(Debug, Clone)]
pub struct Scores<'p> {
    population: &'p Population,
    model: ScoringModel,
    table: SignalTable,
    /// Normalized values, one column per (dimension, signal) of the model, in model order.
    normalized: Vec<Vec<f64>>,
    dimensions: Vec<Vec<f64>>,
    /// Per dimension: which customers have a score on it (`None`: everyone). A customer has none
    /// when they lack a value of every signal of the dimension.
    dimension_known: Vec<Option<Vec<bool>>>,
    lead: Vec<f64>,
    segments: Vec<Segment>,
}

/// One customer in a ranking.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ranked {
    /// The customer's position in the population ([`Population::customer_id`] gives their
    /// id). In JSON it is `customer_index`, so that it is not taken for the customer id that
    /// other JSON names `customer` or `customer_id`.
    #[serde(rename = "customer_index")]
    pub customer: CustomerIndex,
    /// The 1-based rank: 1 is the best.
    pub rank: usize,
    /// The lead score.
    pub score: f64,
}

impl<'p> Scores<'p> {
    /// Scores a population from an already computed signal table (the table must come from the
    /// same population, or one with the same customers, and the model's signal parameters).
    ///
    /// Fails when the model is invalid, or the table was computed from other customers (its
    /// rows would be read beside another customer's facts).
    pub fn new(
        population: &'p Population,
        model: ScoringModel,
        table: SignalTable,
    ) -> Result<Scores<'p>> {
        model.check()?;
        if table.len() != population.len() {
            return Err(Error::parameter(
                "signal table",
                table.len(),
                format!("must have one row per customer ({})", population.len()),
            ));
        }
        table.check_customers(population)?;
        let mut workspace = Workspace::default();
        let Scored {
            dimensions,
            dimension_known,
            lead,
        } = score_table(&model, &table, &[Pending::Nothing; SIGNALS], &mut workspace)?;
        let normalized = workspace.normalized;
        let find = |name| {
            model
                .dimensions
                .iter()
                .position(|d| d.name == name)
                .unwrap_or(0)
        };
        let (engagement, innovation) = (find(ENGAGEMENT), find(INNOVATION));
        let segments = model.segments.assign_known(
            &dimensions[engagement],
            &dimensions[innovation],
            dimension_known[engagement].as_deref(),
            dimension_known[innovation].as_deref(),
            table.known_customers(),
        )?;
        Ok(Scores {
            population,
            model,
            table,
            normalized,
            dimensions,
            dimension_known,
            lead,
            segments,
        })
    }

    /// The population scored.
    pub fn population(&self) -> &'p Population {
        self.population
    }

    /// The model used.
    pub fn model(&self) -> &ScoringModel {
        &self.model
    }

    /// The raw signals.
    pub fn signals(&self) -> &SignalTable {
        &self.table
    }

    /// The as-of time.
    pub fn as_of(&self) -> jiff::Timestamp {
        self.table.as_of()
    }

    /// The number of customers in the population scored, one score each by [`CustomerIndex`]
    /// (those not known yet at the as-of time with a lead score of 0 and no dimension score; see
    /// [`ScoringModel::score`]).
    pub fn len(&self) -> usize {
        self.lead.len()
    }

    /// Whether no customer was scored (never: populations are not empty).
    pub fn is_empty(&self) -> bool {
        self.lead.is_empty()
    }

    /// Every customer's lead score in [0, 1], by [`CustomerIndex`].
    pub fn lead_scores(&self) -> &[f64] {
        &self.lead
    }

    /// A customer's lead score in [0, 1].
    pub fn lead(&self, c: CustomerIndex) -> f64 {
        self.lead[c.get()]
    }

    /// Every customer's score on a dimension, by [`CustomerIndex`].
    pub fn dimension_scores(&self, name: &str) -> Option<&[f64]> {
        let i = self.model.dimensions.iter().position(|d| d.name == name)?;
        Some(&self.dimensions[i])
    }

    /// Every customer's normalized value of a signal in a dimension (after the model's
    /// normalization and direction), by [`CustomerIndex`]; `None` if the dimension has no such
    /// signal.
    pub fn normalized(&self, dimension: &str, signal: Signal) -> Option<&[f64]> {
        let mut column = 0;
        for d in &self.model.dimensions {
            for s in &d.signals {
                if d.name == dimension && s.signal == signal {
                    return Some(&self.normalized[column]);
                }
                column += 1;
            }
        }
        None
    }

    /// A customer's score on a dimension; `None` for a dimension the model does not have, or
    /// when the customer has no value of any of its signals (for example a need dimension of
    /// questionnaire signals, for a customer who did not answer).
    pub fn dimension_score(&self, name: &str, c: CustomerIndex) -> Option<f64> {
        let k = self.model.dimensions.iter().position(|d| d.name == name)?;
        let has = self.dimension_known[k]
            .as_ref()
            .is_none_or(|known| known[c.get()]);
        has.then(|| self.dimensions[k][c.get()])
    }

    /// A customer's engagement score (the model always has this dimension).
    pub fn engagement(&self, c: CustomerIndex) -> f64 {
        self.dimension_scores(ENGAGEMENT)
            .map_or(0.0, |d| d[c.get()])
    }

    /// A customer's innovation score (the model always has this dimension).
    pub fn innovation(&self, c: CustomerIndex) -> f64 {
        self.dimension_scores(INNOVATION)
            .map_or(0.0, |d| d[c.get()])
    }

    /// A customer's segment.
    pub fn segment(&self, c: CustomerIndex) -> Segment {
        self.segments[c.get()]
    }

    /// Every customer's segment, by [`CustomerIndex`].
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// How many of the customers known at the as-of time fall in each segment, in the order of
    /// [`Segment::ALL`]. (A customer not known yet is in [`Segment::Dormant`], having no score,
    /// but is not counted.)
    pub fn segment_counts(&self) -> Vec<(Segment, usize)> {
        Segment::ALL
            .iter()
            .map(|&s| {
                let count = (self.segments.iter().enumerate())
                    .filter(|&(c, &x)| x == s && self.is_ranked(c))
                    .count();
                (s, count)
            })
            .collect()
    }

    /// Whether customer `c` (by index) was known at the as-of time, and so is ranked and
    /// counted.
    fn is_ranked(&self, c: usize) -> bool {
        self.table.known_customers().is_none_or(|known| known[c])
    }

    /// The customers known at the as-of time, best first. Ties are broken by customer id, so the
    /// order is deterministic.
    pub fn ranking(&self) -> Vec<Ranked> {
        self.top(self.len())
    }

    /// How many customers were known at the as-of time: the ones ranked.
    pub fn ranked_count(&self) -> usize {
        self.table
            .known_customers()
            .map_or(self.len(), |known| known.iter().filter(|&&k| k).count())
    }

    /// The `k` best customers known at the as-of time, best first (all of them if `k` exceeds
    /// their number). Selects the `k` before sorting them, in `O(n + k log k)`.
    pub fn top(&self, k: usize) -> Vec<Ranked> {
        let mut order: Vec<u32> = (0..self.len() as u32)
            .filter(|&c| self.is_ranked(c as usize))
            .collect();
        let k = k.min(order.len());
        if k == 0 {
            return Vec::new();
        }
        // Indices follow the id order, so the index breaks ties by id.
        let better = |a: &u32, b: &u32| {
            self.lead[*b as usize]
                .total_cmp(&self.lead[*a as usize])
                .then(a.cmp(b))
        };
        if k < order.len() {
            order.select_nth_unstable_by(k - 1, better);
            order.truncate(k);
        }
        order.sort_unstable_by(better);
        order
            .into_iter()
            .enumerate()
            .map(|(i, c)| Ranked {
                customer: CustomerIndex(c),
                rank: i + 1,
                score: self.lead[c as usize],
            })
            .collect()
    }

    /// The best `share` of the customers known at the as-of time (rounded up, but not past
    /// rounding error: the best 7% of 100 customers are 7), best first. Lead customers are often
    /// 2 to 10% of a base.
    pub fn top_share(&self, share: f64) -> Result<Vec<Ranked>> {
        crate::error::check_fraction("share", share)?;
        Ok(self.top(crate::segment::share_count(share, self.ranked_count())))
    }

    /// The `k` best customers with their scores, segments and reasons, best first.
    ///
    /// ```
    /// # use lead_customers::synthetic::{Generator, GeneratorConfig};
    /// # use lead_customers::ScoringModel;
    /// # let base = Generator::new(GeneratorConfig { customers: 300, ..Default::default() }).generate()?;
    /// let scores = ScoringModel::default().score_latest(&base.population)?;
    /// let report = scores.report(5);
    /// assert_eq!(report.len(), 5);
    /// assert_eq!(report[0].rank, 1);
    /// assert!(report.windows(2).all(|w| w[0].score >= w[1].score));
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn report(&self, k: usize) -> Vec<RankedScore> {
        let top = self.top(k);
        crate::parallel::map_chunks(top.len(), 1024, |rows| {
            top[rows]
                .iter()
                .map(|r| {
                    let score = self.score(r.customer);
                    RankedScore {
                        customer_id: score.customer,
                        rank: r.rank,
                        score: r.score,
                        engagement: self.engagement(r.customer),
                        innovation: self.innovation(r.customer),
                        segment: score.segment,
                        reasons: score
                            .reasons
                            .into_iter()
                            .map(|reason| reason.text)
                            .collect(),
                    }
                })
                .collect::<Vec<_>>()
        })
        .into_iter()
        .flatten()
        .collect()
    }

    /// One customer's score, explained: each dimension, each signal's raw value, normalized value
    /// and contribution, the signals reported beside the score, and the reasons.
    pub fn score(&self, c: CustomerIndex) -> Score {
        let i = c.get();
        let context = &self.table.context;
        let facts = Facts::gather(self.population, i, &self.model.signals, context);
        let dimension_has = |k: usize| {
            self.dimension_known[k]
                .as_ref()
                .is_none_or(|known| known[i])
        };
        let total_weight: f64 = self
            .model
            .dimensions
            .iter()
            .enumerate()
            .filter(|(k, _)| dimension_has(*k))
            .map(|(_, d)| d.weight)
            .sum();
        let mut signals = Vec::new();
        let mut dimensions = Vec::new();
        let mut column = 0;
        for (k, (d, scores)) in self
            .model
            .dimensions
            .iter()
            .zip(&self.dimensions)
            .enumerate()
        {
            let has = |s: Signal| self.table.known(s).is_none_or(|known| known[i]);
            let weight_sum: f64 = d
                .signals
                .iter()
                .filter(|s| has(s.signal))
                .map(|s| s.weight)
                .sum();
            for s in &d.signals {
                let normalized = has(s.signal).then(|| self.normalized[column][i]);
                column += 1;
                let share = |v: f64| {
                    if weight_sum > 0.0 {
                        s.weight * v / weight_sum
                    } else {
                        0.0
                    }
                };
                signals.push(SignalScore {
                    signal: s.signal,
                    dimension: d.name.clone(),
                    weight: s.weight,
                    raw: self.table.value(s.signal, c),
                    normalized,
                    contribution: normalized.map_or(0.0, share),
                    impact: match normalized {
                        Some(v) if total_weight > 0.0 => d.weight / total_weight * share(v - 0.5),
                        _ => 0.0,
                    },
                });
            }
            dimensions.push(DimensionScore {
                name: d.name.clone(),
                weight: d.weight,
                score: dimension_has(k).then_some(scores[i]),
            });
        }
        let reported = Signal::ALL
            .iter()
            .filter(|s| s.family() == SignalFamily::Reported)
            .filter_map(|&s| Some((s, self.table.value(s, c)?)))
            .collect();
        let reasons = explain::reasons(&signals, &facts, context, self.population);
        Score {
            customer: self.population.customer_id(c).clone(),
            lead: self.lead[i],
            segment: self.segments[i],
            dimensions,
            signals,
            reported,
            reasons,
        }
    }
}

/// One line of a ranking report: what `rank` prints, and the JSON contract other programs read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedScore {
    /// The customer's id.
    pub customer_id: CustomerId,
    /// The 1-based rank.
    pub rank: usize,
    /// The lead score.
    pub score: f64,
    /// The engagement score.
    pub engagement: f64,
    /// The innovation score.
    pub innovation: f64,
    /// The segment.
    pub segment: Segment,
    /// The reasons, as sentences.
    pub reasons: Vec<String>,
}

/// A dimension's score for one customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionScore {
    /// The dimension.
    pub name: String,
    /// Its weight in the lead score.
    pub weight: f64,
    /// The score in [0, 1]; `None` when the customer has no value of any of its signals (the
    /// dimension is then left out of their lead score).
    pub score: Option<f64>,
}

/// One signal's part in a customer's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalScore {
    /// The signal.
    pub signal: Signal,
    /// The dimension it belongs to.
    pub dimension: String,
    /// Its weight in the dimension.
    pub weight: f64,
    /// The raw value; `None` when the customer has none (a questionnaire signal of someone who
    /// did not answer).
    pub raw: Option<f64>,
    /// The normalized value in [0, 1]; `None` when the customer has no value.
    pub normalized: Option<f64>,
    /// Its share of the dimension score: `w v / Σ w` over the signals the customer has a value
    /// of; a dimension's contributions add up to its score. 0 without a value.
    pub contribution: f64,
    /// How much it lifts the customer above (or below) a middling customer, in lead-score terms:
    /// `(dimension weight / Σ dimension weights) (w / Σ w) (v - 1/2)`. Reasons are the
    /// signals with the largest positive impact.
    pub impact: f64,
}

/// One customer's score, explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// The customer.
    pub customer: CustomerId,
    /// The lead score in [0, 1].
    pub lead: f64,
    /// The segment.
    pub segment: Segment,
    /// Each dimension's score.
    pub dimensions: Vec<DimensionScore>,
    /// Each signal of the model.
    pub signals: Vec<SignalScore>,
    /// Signals reported beside the score (purchases, complaints, social mentions, volume), raw.
    pub reported: Vec<(Signal, f64)>,
    reasons: Vec<Reason>,
}

impl Score {
    /// Why the customer scores as they do: the top contributing signals as short sentences
    /// ("3 of 4 decided ideas shipped"), most important first; at most three.
    pub fn reasons(&self) -> &[Reason] {
        &self.reasons
    }

    /// A dimension's score.
    pub fn dimension(&self, name: &str) -> Option<f64> {
        self.dimensions
            .iter()
            .find(|d| d.name == name)
            .and_then(|d| d.score)
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: lead score {:.3} ({})",
            self.customer, self.lead, self.segment
        )?;
        for d in &self.dimensions {
            match d.score {
                Some(score) => write!(f, ", {} {score:.3}", d.name)?,
                None => write!(f, ", {} (no data)", d.name)?,
            }
        }
        for r in &self.reasons {
            write!(f, "\n  - {r}")?;
        }
        Ok(())
    }
}

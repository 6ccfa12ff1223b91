//! Scores over time: every customer's lead score as of many dates, and who is rising.
//!
//! CRM users watch a lead score rise or fall: a customer who was middling in the spring and is
//! among the best by autumn is worth a call now. [`ScoringModel::score_history`] scores the whole
//! population as of each of a list of dates (for example 24 monthly dates from
//! [`monthly_dates`](crate::time::monthly_dates)) and keeps, per date, the lead score and each
//! dimension's score; [`ScoreHistory::rising`] picks the customers whose score climbed the most.
//!
//! Each date is scored exactly as [`ScoringModel::score`] would score it alone, from the data
//! known at that date only, with the population's priors, topic curves and normalization as of
//! that date. The difference is the cost: each customer's events are read once for all dates (a
//! running tally per customer is carried from date to date), so only the population-level work
//! repeats per date, and only what the history returns is kept.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::ScoringModel;
use super::compute::{Workspace, score_table};
use crate::error::check_fraction;
use crate::parallel::map_each;
use crate::signals::{SignalSweep, only};
use crate::{CustomerId, CustomerIndex, Error, Population, Result, Signal};

/// How many dates' signals are computed in one pass over the customers. A pass reads every
/// customer's tally (about 0.47 KB each) and the events since the previous pass once for all its
/// dates, so fewer passes are faster (at a million customers, 4 dates a pass take about 4% less
/// time than 3; at 100,000, 8 dates a pass about 5% less than 6). But a pass holds its dates'
/// tables, `per_date` bytes each (a column per signal and the rate components: from 0.12 KB per
/// customer and date with the default model, to 0.2 KB when every customer has ideas and takes
/// part in sessions), and the normalized columns of the dates being scored, `scoring` bytes. So:
/// as many dates as fit in [`PASS_BUDGET`] bytes, from one to [`MAX_PER_PASS`].
fn dates_per_pass(per_date: usize, scoring: usize) -> usize {
    (PASS_BUDGET.saturating_sub(scoring) / per_date.max(1)).clamp(1, MAX_PER_PASS)
}

/// Memory for the signal, component and normalized columns of one pass: 800 MB.
const PASS_BUDGET: usize = 800 << 20;

/// Beyond this, more dates a pass gain nothing measurable (a pass's columns outgrow the caches).
const MAX_PER_PASS: usize = 8;

/// Dates of a pass scored at the same time, each with its own workspace: two keep both cores
/// busy where one date's steps (a ranking per signal, then the combination) would leave one idle
/// at the end of each.
const AT_ONCE: usize = 2;

/// Every customer's lead and dimension scores as of each of a list of dates.
///
/// Scores are stored one column per date (every customer's score as of that date, by
/// [`CustomerIndex`]); [`customer`](Self::customer) gathers one customer's scores across dates.
///
/// ```
/// use lead_customers::synthetic::{Generator, GeneratorConfig};
/// use lead_customers::time::monthly_dates;
/// use lead_customers::{Rising, ScoringModel};
/// let base = Generator::new(GeneratorConfig { customers: 400, ..Default::default() }).generate()?;
/// let population = &base.population;
/// let model = ScoringModel::default();
/// let dates = monthly_dates(population.latest().unwrap(), 6)?;
/// let history = model.score_history(population, &dates)?;
///
/// // Each date scores as it would alone.
/// let alone = model.score(population, dates[2])?;
/// assert_eq!(history.lead_scores(2), Some(alone.lead_scores()));
///
/// // One customer's lead score over the six months.
/// let best = alone.top(1)[0].customer;
/// let over_time = history.customer(best);
/// assert_eq!(over_time.lead.len(), 6);
///
/// // The customers who climbed the most over the last three months.
/// let rising = history.rising(&Rising { window: 3, ..Rising::default() })?;
/// assert!(rising.windows(2).all(|w| w[0].climb >= w[1].climb));
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ScoreHistory<'p> {
    population: &'p Population,
    dates: Vec<Timestamp>,
    dimension_names: Vec<String>,
    /// Per date, every customer's lead score.
    lead: Vec<Vec<f64>>,
    /// Per date, per dimension (in model order), every customer's score (0 without one).
    dimensions: Vec<Vec<Vec<f64>>>,
    /// Per date, per dimension: who has a score (`None`: everyone).
    dimension_known: Vec<Vec<Option<Vec<bool>>>>,
}

/// One customer's scores over time, oldest date first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerHistory {
    /// The customer.
    pub customer: CustomerId,
    /// The dates.
    pub dates: Vec<Timestamp>,
    /// The lead score as of each date (0 at a date when the customer was not known yet).
    pub lead: Vec<f64>,
    /// Each dimension's scores.
    pub dimensions: Vec<DimensionHistory>,
}

/// One customer's scores on one dimension over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionHistory {
    /// The dimension.
    pub name: String,
    /// The score as of each date; `None` at a date when the customer had no value of any of the
    /// dimension's signals (see [`Scores::dimension_score`](crate::Scores::dimension_score)).
    pub scores: Vec<Option<f64>>,
}

/// Which customers count as rising: those whose lead score climbed the most over the last
/// `window` dates.
///
/// A customer's **climb** is `L(T_last) - L(T_last - window)`, their lead score as of the last
/// date minus their score `window` dates earlier (the first date when there are fewer). The
/// rising customers, of the `n` customers known at the last date, are the `⌈share · n⌉` with
/// the largest climbs among those who climbed at least `min_climb` (so there may be fewer, and
/// there are none with a single date) and were known at the window's first date
/// ([`Population::known_at`](crate::Population::known_at)): a customer who appeared since had
/// no score to climb from (their lead score of 0 then is no score), and a newcomer is not a
/// riser.
///
/// A difference rather than a fitted slope because it reads as users read a CRM ("up 0.31 since
/// July") and needs no choice of fit. Lead scores are relative (percentile-normalized), so a climb
/// means overtaking other customers, not merely being busier than before while everyone else is
/// too.
///
/// ```
/// use lead_customers::Rising;
/// let rule = Rising::default();
/// assert_eq!((rule.window, rule.share, rule.min_climb), (6, 0.05, 0.05));
/// assert!(rule.check().is_ok());
/// assert!(Rising { window: 0, ..rule }.check().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rising {
    /// How many dates back the climb is measured from. Default 6: half a year of monthly dates,
    /// long enough that one busy month is not a trend.
    pub window: usize,
    /// The share of customers flagged at most, from 0 to 1. Default 0.05: lead customers are a
    /// small share of a base, and so are the ones worth a call this month.
    pub share: f64,
    /// The smallest climb that counts, from 0 to 1. Default 0.05: five points on the 100-point
    /// scale, so that noise at the top of a quiet base is not called rising. A climb must be
    /// above 0 in any case.
    pub min_climb: f64,
}

impl Default for Rising {
    fn default() -> Self {
        Rising {
            window: 6,
            share: 0.05,
            min_climb: 0.05,
        }
    }
}

impl Rising {
    /// Checks the rule: a window of at least one date, a share and a minimum climb from 0 to 1.
    pub fn check(&self) -> Result<()> {
        if self.window == 0 {
            return Err(Error::parameter("window", 0, "must be at least one date"));
        }
        check_fraction("share", self.share)?;
        check_fraction("min_climb", self.min_climb)?;
        Ok(())
    }
}

/// A rising customer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RisingCustomer {
    /// The customer's position in the population ([`Population::customer_id`] gives their
    /// id). In JSON it is `customer_index`, as in [`Ranked`](crate::Ranked).
    #[serde(rename = "customer_index")]
    pub customer: CustomerIndex,
    /// The 1-based rank by climb: 1 climbed the most.
    pub rank: usize,
    /// `to - from`.
    pub climb: f64,
    /// The lead score at the start of the window.
    pub from: f64,
    /// The lead score as of the last date.
    pub to: f64,
}

impl ScoringModel {
    /// Scores every customer as of each of `dates`, from data up to each date only: the lead
    /// score and every dimension's score per date (see [`ScoreHistory`]).
    ///
    /// Each date's scores equal [`score`](Self::score) as of that date, bit for bit, but each
    /// customer's events are read once for all dates: a tally per customer is carried from one
    /// date to the next (decayed sums, counts, cursors into their events), and only the
    /// population-level work (topic curves, priors, normalization, combination) is done per
    /// date. Signal tables are not kept. Memory, besides the scores returned (8 bytes per
    /// customer, date and score), is the tallies (about half a kilobyte a customer) and the
    /// signal and normalized columns of the few dates computed in one pass (at most 800 MB).
    ///
    /// The on-demand signals ([`Signal::ProbabilityAlive`], [`Signal::ExpectedActivity`]) are
    /// supported the plain way: a BG/NBD model is fitted per date, as scoring each date alone
    /// would, so a model with them costs about a fit per date on top.
    ///
    /// `dates` must be increasing (no repeats), the first no earlier than the data's first event;
    /// otherwise the error is [`Error::UnorderedDates`] or [`Error::AsOfBeforeData`]. No dates
    /// at all is [`Error::EmptyInput`].
    ///
    /// ```
    /// use lead_customers::synthetic::{Generator, GeneratorConfig};
    /// use lead_customers::time::monthly_dates;
    /// use lead_customers::{ErrorKind, ScoringModel};
    /// let base = Generator::new(GeneratorConfig { customers: 300, ..Default::default() }).generate()?;
    /// let population = &base.population;
    /// let model = ScoringModel::default();
    /// let dates = monthly_dates(population.latest().unwrap(), 3)?;
    /// let history = model.score_history(population, &dates)?;
    /// assert_eq!(history.dates(), dates.as_slice());
    /// assert_eq!(history.dimension_scores(0, "innovation").map(<[f64]>::len), Some(300));
    ///
    /// let backwards = [dates[2], dates[0]];
    /// let err = model.score_history(population, &backwards).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::UnorderedDates);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn score_history<'p>(
        &self,
        population: &'p Population,
        dates: &[Timestamp],
    ) -> Result<ScoreHistory<'p>> {
        self.check()?;
        let (Some(_), Some(&last)) = (dates.first(), dates.last()) else {
            return Err(Error::EmptyInput {
                what: "a score history (no dates)",
            });
        };
        for (index, pair) in dates.windows(2).enumerate() {
            if pair[1] <= pair[0] {
                return Err(Error::UnorderedDates {
                    index: index + 1,
                    date: pair[1],
                    previous: pair[0],
                });
            }
        }
        let wanted: Vec<Signal> = self
            .dimensions
            .iter()
            .flat_map(|d| d.signals.iter().map(|s| s.signal))
            .collect();
        let mut sweep = SignalSweep::new(population, &self.signals, only(&wanted), last)?;
        let mut history = ScoreHistory {
            population,
            dates: dates.to_vec(),
            dimension_names: self.dimensions.iter().map(|d| d.name.clone()).collect(),
            lead: Vec::with_capacity(dates.len()),
            dimensions: Vec::with_capacity(dates.len()),
            dimension_known: Vec::with_capacity(dates.len()),
        };
        let pending = sweep.pending();
        let mut workspaces: Vec<Workspace> = (0..AT_ONCE).map(|_| Workspace::default()).collect();
        // Each signal's normalized column, for each date being scored.
        let scoring = AT_ONCE * population.len() * size_of::<f64>() * wanted.len();
        for block in dates.chunks(dates_per_pass(sweep.bytes_per_date(), scoring)) {
            let mut tables = sweep.tables(block)?.into_iter();
            loop {
                let group: Vec<_> = tables.by_ref().take(AT_ONCE).collect();
                if group.is_empty() {
                    break;
                }
                let jobs: Vec<_> = group.iter().zip(&mut workspaces).collect();
                let scored = map_each(jobs, |(table, workspace)| {
                    score_table(self, table, &pending, workspace)
                });
                for (table, scored) in group.into_iter().zip(scored) {
                    let scored = scored?;
                    sweep.recycle(table);
                    history.lead.push(scored.lead);
                    history.dimensions.push(scored.dimensions);
                    history.dimension_known.push(scored.dimension_known);
                }
            }
        }
        Ok(history)
    }
}

impl<'p> ScoreHistory<'p> {
    /// The population scored.
    pub fn population(&self) -> &'p Population {
        self.population
    }

    /// The dates, oldest first.
    pub fn dates(&self) -> &[Timestamp] {
        &self.dates
    }

    /// The names of the model's dimensions, in model order.
    pub fn dimension_names(&self) -> &[String] {
        &self.dimension_names
    }

    /// Every customer's lead score as of the `date`-th date (0-based), by [`CustomerIndex`] (0
    /// for a customer not known yet then: see [`ScoringModel::score`]); `None` past the last
    /// date.
    pub fn lead_scores(&self, date: usize) -> Option<&[f64]> {
        self.lead.get(date).map(Vec::as_slice)
    }

    /// Every customer's score on a dimension as of the `date`-th date, by [`CustomerIndex`] (0
    /// for a customer without one); `None` past the last date or for a dimension the model does
    /// not have.
    pub fn dimension_scores(&self, date: usize, name: &str) -> Option<&[f64]> {
        let k = self.dimension_names.iter().position(|d| d == name)?;
        Some(&self.dimensions.get(date)?[k])
    }

    /// One customer's lead score as of each date, oldest first.
    pub fn lead(&self, c: CustomerIndex) -> Vec<f64> {
        self.lead.iter().map(|column| column[c.get()]).collect()
    }

    /// One customer's scores over time: lead and dimensions.
    pub fn customer(&self, c: CustomerIndex) -> CustomerHistory {
        let i = c.get();
        let dimensions = self
            .dimension_names
            .iter()
            .enumerate()
            .map(|(k, name)| DimensionHistory {
                name: name.clone(),
                scores: self
                    .dimensions
                    .iter()
                    .zip(&self.dimension_known)
                    .map(|(scores, known)| {
                        let has = known[k].as_ref().is_none_or(|known| known[i]);
                        has.then(|| scores[k][i])
                    })
                    .collect(),
            })
            .collect();
        CustomerHistory {
            customer: self.population.customer_id(c).clone(),
            dates: self.dates.clone(),
            lead: self.lead(c),
            dimensions,
        }
    }

    /// A customer's climb over the last `window` dates (see [`Rising`]): the lead score as of
    /// the last date minus the score `window` dates earlier (the first date when there are
    /// fewer). 0 with a single date.
    pub fn climb(&self, c: CustomerIndex, window: usize) -> f64 {
        let (from, to) = self.window(window);
        self.lead[to][c.get()] - self.lead[from][c.get()]
    }

    /// The dates a climb over `window` dates runs between.
    fn window(&self, window: usize) -> (usize, usize) {
        let last = self.lead.len().saturating_sub(1);
        (last.saturating_sub(window), last)
    }

    /// The rising customers under `rule`, the largest climb first; ties are broken by customer
    /// id, so the order is deterministic.
    pub fn rising(&self, rule: &Rising) -> Result<Vec<RisingCustomer>> {
        rule.check()?;
        let (from, to) = self.window(rule.window);
        let (start, end) = (&self.lead[from], &self.lead[to]);
        let climb = |c: usize| end[c] - start[c];
        let known_from = self.dates[from];
        let mut risers: Vec<u32> = (0..end.len() as u32)
            .filter(|&c| {
                let climb = climb(c as usize);
                climb > 0.0
                    && climb >= rule.min_climb
                    && self.population.known_at(CustomerIndex(c), known_from)
            })
            .collect();
        let known_at_end = (0..end.len())
            .filter(|&c| {
                self.population
                    .known_at(CustomerIndex(c as u32), self.dates[to])
            })
            .count();
        let k = crate::segment::share_count(rule.share, known_at_end).min(risers.len());
        if k == 0 {
            return Ok(Vec::new());
        }
        // Indices follow the id order, so the index breaks ties by id.
        let steeper = |a: &u32, b: &u32| {
            climb(*b as usize)
                .total_cmp(&climb(*a as usize))
                .then(a.cmp(b))
        };
        if k < risers.len() {
            risers.select_nth_unstable_by(k - 1, steeper);
            risers.truncate(k);
        }
        risers.sort_unstable_by(steeper);
        Ok(risers
            .into_iter()
            .enumerate()
            .map(|(i, c)| RisingCustomer {
                customer: CustomerIndex(c),
                rank: i + 1,
                climb: climb(c as usize),
                from: start[c as usize],
                to: end[c as usize],
            })
            .collect())
    }
}

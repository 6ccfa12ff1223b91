//! Back-tests: score as of a past time T1 from what was known then, and judge the ranking against
//! what happened afterwards, in the window (T1, T2].
//!
//! This is the honest way to show that a score works on a company's own data: the model sees the
//! data up to T1 only ([`ScoringModel::score`] never reads a later event), the outcomes come from
//! after T1 only, and the same metrics are reported for naive rankings an analyst would try first
//! (most active, biggest buyer, most ideas), so that "AUC 0.8" has something to be compared with.
//! [`Outcomes`] says what counts as a positive outcome and who is judged; [`BacktestParams::run`]
//! what is reported.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::bootstrap::{
    BootstrapConfig, ConfidenceInterval, bootstrap_lift_over_baseline, bootstrap_metric,
};
use super::metrics::{Metric, Ranking, RankingReport};
use crate::error::{Error, ErrorKind, Result};
use crate::time::as_of_second;
use crate::{CustomerIndex, Population, ScoringModel, Signal, SignalParams, SignalTable};

/// What counts as a positive outcome in a window, and who is judged: see [`Outcomes`].
///
/// ```
/// use lead_customers::evidence::OutcomeRules;
/// let rules: OutcomeRules = serde_json::from_str(r#"{"top_rating": 5.0}"#).unwrap();
/// assert!(rules.known_customers_only);
/// assert!(rules.check().is_ok());
/// assert!(OutcomeRules { top_rating: 5.5, ..rules }.check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutcomeRules {
    /// A facilitator rating at or above this counts as a top contribution. From 1.0 to 5.0;
    /// default 4.5: "outstanding" on the 1 to 5 scale, a rating facilitators give sparingly, so
    /// that a positive means a star of the session rather than a good participant.
    pub top_rating: f64,
    /// Judge only the customers known at the start of the window (see [`Outcomes`]). Default
    /// `true`.
    pub known_customers_only: bool,
}

impl Default for OutcomeRules {
    fn default() -> Self {
        OutcomeRules {
            top_rating: 4.5,
            known_customers_only: true,
        }
    }
}

impl OutcomeRules {
    /// Checks the rules: the top rating must be a rating, 1.0 to 5.0.
    pub fn check(&self) -> Result<()> {
        if self.top_rating.is_finite() && (1.0..=5.0).contains(&self.top_rating) {
            Ok(())
        } else {
            Err(Error::parameter(
                "top_rating",
                self.top_rating,
                "must be a facilitator rating from 1.0 to 5.0",
            ))
        }
    }
}

/// Refuses a window whose end is not at least a second after its start.
fn check_window(start: Timestamp, end: Timestamp) -> Result<()> {
    // Times are whole seconds (an as-of time rounds down): a window within one second is empty.
    if as_of_second(start) < as_of_second(end) {
        Ok(())
    } else {
        Err(Error::parameter(
            "until",
            end,
            format!(
                "must be at least a second after the start of the window ({start}): outcomes are \
                 judged in (start, until], in whole seconds"
            ),
        ))
    }
}

/// The outcomes observed in a window (start, end]: who turned out to be a lead, and who is
/// judged. Indexed by [`CustomerIndex`], like scores.
///
/// # What counts as a positive outcome
///
/// By default ([`OutcomeRules`]) a customer is a **positive** of the window (start, end] when
/// either
///
/// - an idea of theirs was **accepted or shipped**, with its decision time in the window. The
///   decision time is the idea's `decided_at` (when its current status was set); an idea whose
///   record gives no `decided_at` is taken as decided at the end of the data,
///   [`Population::latest`], the same safe assumption scoring makes (see
///   [`Idea`](crate::Idea)): such an idea is an outcome of the window that contains the end of
///   the data and of no other;
/// - or a facilitator gave them a **top rating** (by default 4.5 or more, on the 1 to 5 scale)
///   in a co-design session held in the window.
///
/// Both ends follow the half-open convention: something at exactly `start` was already known
/// when scoring as of `start`, so it is not an outcome; something at exactly `end` is. A window
/// reaching past the end of the data sees only the outcomes recorded; an idea accepted in the
/// window and shipped later counts at its shipping time, the only decision time a record keeps.
///
/// # Who is judged
///
/// By default only the customers *known* at `start` ([`Population::known_at`]): with a
/// relationship start date (`since`) on or before `start`'s day, or any dated record
/// (interaction, idea, session invitation, questionnaire answer) at or before `start`. A customer
/// who first appears later could not have been ranked at `start` (scoring as of `start` gives
/// them no score), and counting them would charge every ranking for people nobody could see.
///
/// ```
/// use lead_customers::{Customer, Idea, IdeaStatus, Population, time::parse_timestamp as t};
/// use lead_customers::evidence::{OutcomeRules, Outcomes};
/// let day = |d| t(d).unwrap();
/// let mut b = Population::builder();
/// b.add_customer(Customer::new("C-1"))?;
/// b.add_customer(Customer::new("C-2"))?;
/// b.add_idea(Idea::new("I-1", "C-1", day("2024-01-05"))
///     .with_status(IdeaStatus::Shipped, Some(day("2024-06-01"))))?;
/// b.add_idea(Idea::new("I-2", "C-2", day("2024-01-05"))
///     .with_status(IdeaStatus::Declined, Some(day("2024-06-01"))))?;
/// let population = b.build()?;
/// let outcomes = Outcomes::observe(&population, day("2024-03-01"), day("2024-12-31"),
///     &OutcomeRules::default())?;
/// assert_eq!(outcomes.labels(), &[true, false]);
/// assert_eq!(outcomes.positives(), 1);
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Outcomes {
    start: Timestamp,
    end: Timestamp,
    labels: Vec<bool>,
    judged: Vec<bool>,
    positives: usize,
    judged_count: usize,
    positives_by_idea: usize,
    positives_by_rating: usize,
}

impl Outcomes {
    /// Observes the outcomes of the window (start, end] by `rules` (see the type's
    /// documentation).
    ///
    /// Errors: [`Error::InvalidParameter`] when `end` is not at least a second after `start`
    /// (times are whole seconds), or for bad rules.
    /// A window without positives is not an error here (the back-test refuses it).
    pub fn observe(
        population: &Population,
        start: Timestamp,
        end: Timestamp,
        rules: &OutcomeRules,
    ) -> Result<Outcomes> {
        rules.check()?;
        check_window(start, end)?;
        let (s, e) = (as_of_second(start), as_of_second(end));
        let in_window = |t: i64| s < t && t <= e;
        // No events at all means no ideas either, so the fallback is never read.
        let end_of_data = population.latest().map_or(i64::MAX, |t| t.as_second());
        let n = population.len();
        let mut outcomes = Outcomes {
            start,
            end,
            labels: vec![false; n],
            judged: vec![false; n],
            positives: 0,
            judged_count: 0,
            positives_by_idea: 0,
            positives_by_rating: 0,
        };
        for c in population.customers() {
            let idea = population.ideas(c).iter().any(|i| {
                let decided = i.decided_at.map_or(end_of_data, |t| t.as_second());
                i.status.is_success() && in_window(decided)
            });
            let rating = population.participations(c).iter().any(|p| {
                in_window(p.held_at.as_second()) && p.rating.is_some_and(|r| r >= rules.top_rating)
            });
            let judged = !rules.known_customers_only || population.known_at(c, start);
            let i = c.get();
            outcomes.labels[i] = idea || rating;
            outcomes.judged[i] = judged;
            if judged {
                outcomes.judged_count += 1;
                outcomes.positives += usize::from(idea || rating);
                outcomes.positives_by_idea += usize::from(idea);
                outcomes.positives_by_rating += usize::from(rating);
            }
        }
        Ok(outcomes)
    }

    /// The start of the window (excluded): the as-of time of the scores judged against it.
    pub fn start(&self) -> Timestamp {
        self.start
    }

    /// The end of the window (included).
    pub fn end(&self) -> Timestamp {
        self.end
    }

    /// Every customer's outcome, by [`CustomerIndex`], judged or not.
    pub fn labels(&self) -> &[bool] {
        &self.labels
    }

    /// Whether each customer is judged, by [`CustomerIndex`].
    pub fn judged(&self) -> &[bool] {
        &self.judged
    }

    /// Whether a customer had a positive outcome in the window.
    pub fn is_positive(&self, c: CustomerIndex) -> bool {
        self.labels[c.get()]
    }

    /// The number of customers judged.
    pub fn customers(&self) -> usize {
        self.judged_count
    }

    /// The number of judged customers with a positive outcome.
    pub fn positives(&self) -> usize {
        self.positives
    }

    /// Judged positives with an idea accepted or shipped in the window (a customer may also have
    /// a top rating: the two counts can overlap).
    pub fn positives_by_idea(&self) -> usize {
        self.positives_by_idea
    }

    /// Judged positives with a top facilitator rating in the window.
    pub fn positives_by_rating(&self) -> usize {
        self.positives_by_rating
    }

    /// The values of the judged customers, in index order: one per customer in, one per judged
    /// customer out.
    pub fn select<T: Copy>(&self, values: &[T]) -> Result<Vec<T>> {
        if values.len() != self.labels.len() {
            return Err(Error::LengthMismatch {
                what: "values to select (one per customer)",
                expected: self.labels.len(),
                found: values.len(),
            });
        }
        Ok(values
            .iter()
            .zip(&self.judged)
            .filter(|(_, judged)| **judged)
            .map(|(v, _)| *v)
            .collect())
    }

    /// The outcomes of the judged customers, in index order.
    pub fn judged_labels(&self) -> Vec<bool> {
        self.select(&self.labels).unwrap_or_default()
    }
}

/// A naive ranking an analyst would try before a lead score: the baselines a back-test reports
/// beside the models. Each is computed as of the back-test's T1, from data up to T1 only.
///
/// ```
/// use lead_customers::evidence::NaiveRanking;
/// assert_eq!(NaiveRanking::MostActive.name(), "most_active");
/// assert_eq!(NaiveRanking::ALL.len(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NaiveRanking {
    /// Most messages first: [`Signal::MessageVolume`], every interaction by T1 except company
    /// outreach, not decayed. The "loudest customer" ranking; lift over it is reported.
    MostActive,
    /// Biggest buyers first: [`Signal::PurchaseVolume`], the decayed number of purchases, with
    /// the default half-life ([`SignalParams::default`]) whatever the models judged use.
    BiggestBuyer,
    /// Most ideas first: the number of ideas submitted by T1, whatever became of them.
    MostIdeas,
}

impl NaiveRanking {
    /// Every naive ranking, in report order.
    pub const ALL: [NaiveRanking; 3] = [
        NaiveRanking::MostActive,
        NaiveRanking::BiggestBuyer,
        NaiveRanking::MostIdeas,
    ];

    /// The ranking's name in reports: `most_active`, `biggest_buyer`, `most_ideas`.
    pub fn name(self) -> &'static str {
        match self {
            NaiveRanking::MostActive => "most_active",
            NaiveRanking::BiggestBuyer => "biggest_buyer",
            NaiveRanking::MostIdeas => "most_ideas",
        }
    }

    /// Every customer's score under this ranking (higher first), as of the table's as-of time,
    /// by [`CustomerIndex`].
    ///
    /// Errors: [`Error::LengthMismatch`] when the table has another number of customers, and
    /// [`Error::InvalidParameter`] when it has as many but others (it was computed from another
    /// population).
    ///
    /// ```
    /// use lead_customers::evidence::NaiveRanking;
    /// use lead_customers::synthetic::{Generator, GeneratorConfig};
    /// use lead_customers::{SignalParams, SignalTable};
    /// let base = Generator::new(GeneratorConfig { customers: 200, ..Default::default() }).generate()?;
    /// let p = &base.population;
    /// let table = SignalTable::compute(p, p.latest().unwrap(), &SignalParams::default())?;
    /// let ideas = NaiveRanking::MostIdeas.scores(p, &table)?;
    /// let c = p.customers().next().unwrap();
    /// assert_eq!(ideas[c.get()], p.ideas(c).len() as f64);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn scores(self, population: &Population, table: &SignalTable) -> Result<Vec<f64>> {
        if table.len() != population.len() {
            return Err(Error::LengthMismatch {
                what: "signal table (one row per customer)",
                expected: population.len(),
                found: table.len(),
            });
        }
        table.check_customers(population)?;
        Ok(match self {
            // Reported signals are always computed; `unwrap_or_default` never takes the default.
            NaiveRanking::MostActive => table
                .column(Signal::MessageVolume)
                .unwrap_or_default()
                .to_vec(),
            NaiveRanking::BiggestBuyer => table
                .column(Signal::PurchaseVolume)
                .unwrap_or_default()
                .to_vec(),
            NaiveRanking::MostIdeas => {
                let t = as_of_second(table.as_of());
                population
                    .customers()
                    .map(|c| {
                        population
                            .ideas(c)
                            .iter()
                            .take_while(|i| i.submitted_at.as_second() <= t)
                            .count() as f64
                    })
                    .collect()
            }
        })
    }
}

/// Settings of a back-test, with documented defaults.
///
/// ```
/// use lead_customers::evidence::BacktestParams;
/// let params: BacktestParams = serde_json::from_str(r#"{"k": 50}"#).unwrap();
/// assert_eq!(params.k, Some(50));
/// assert!(params.bootstrap.is_none());
/// assert_eq!(params.outcomes.top_rating, 4.5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct BacktestParams {
    /// What counts as a positive outcome, and who is judged. Default [`OutcomeRules::default`].
    pub outcomes: OutcomeRules,
    /// The cut-off of the "at k" metrics, 1 to the number of customers judged. Default `None`:
    /// a shortlist of 5% of the customers judged (rounded up), the size of a lead-customer list
    /// (lead customers are often 2 to 10% of a base): the question a back-test answers is
    /// whether the people at the top of the list are the right ones.
    pub k: Option<usize>,
    /// Bootstrap intervals around each ranking's metrics. Default `None` (no intervals): a
    /// thousand replicates per metric and ranking take a while on a large base.
    pub bootstrap: Option<BootstrapConfig>,
}

/// The share of the judged customers in the default shortlist of a back-test.
pub const SHORTLIST_SHARE: f64 = 0.05;

/// The default k: 5% of the customers judged, rounded up, at least 1.
fn shortlist(customers: usize) -> usize {
    ((customers as f64 * SHORTLIST_SHARE).ceil() as usize).max(1)
}

/// Bootstrap intervals around one ranking's metrics in a back-test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricIntervals {
    /// Around [`RankingReport::auc`].
    pub auc: ConfidenceInterval,
    /// Around [`RankingReport::precision_at_k`].
    pub precision_at_k: ConfidenceInterval,
    /// Around [`RankingReport::average_precision`].
    pub average_precision: ConfidenceInterval,
    /// Around [`BacktestRanking::lift_over_most_active`] (paired: each replicate ranks the same
    /// resampled customers both ways); `None` where that lift is undefined.
    pub lift_over_most_active: Option<ConfidenceInterval>,
}

/// One ranking's result in a back-test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestRanking {
    /// The model's name as given, or the [`NaiveRanking::name`].
    pub name: String,
    /// Whether this is a naive ranking rather than a scoring model.
    pub naive: bool,
    /// Every metric at the back-test's k.
    pub metrics: RankingReport,
    /// Lift at k over the most-active ranking: `precision@k / precision@k(most active)`. `None`
    /// when the most-active ranking has no positive in its top k (the ratio is undefined).
    pub lift_over_most_active: Option<f64>,
    /// Bootstrap intervals, when asked for.
    pub intervals: Option<MetricIntervals>,
}

/// The result of a back-test: the window, the outcomes and every ranking's metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestReport {
    /// T1: the as-of time of every ranking, the (excluded) start of the window.
    pub as_of: Timestamp,
    /// T2: the (included) end of the window.
    pub until: Timestamp,
    /// Customers judged.
    pub customers: usize,
    /// Judged customers with a positive outcome in the window.
    pub positives: usize,
    /// Of those, customers with an idea accepted or shipped in the window.
    pub positives_by_idea: usize,
    /// Of those, customers with a top facilitator rating in the window.
    pub positives_by_rating: usize,
    /// The cut-off of the "at k" metrics.
    pub k: usize,
    /// The models in the order given, then the naive rankings in [`NaiveRanking::ALL`] order.
    pub rankings: Vec<BacktestRanking>,
}

impl BacktestReport {
    /// The ranking with this name.
    pub fn ranking(&self, name: &str) -> Option<&BacktestRanking> {
        self.rankings.iter().find(|r| r.name == name)
    }
}

impl BacktestParams {
    /// Checks the settings: the outcome rules, `k` at least 1 when given, the bootstrap's own
    /// settings.
    pub fn check(&self) -> Result<()> {
        self.outcomes.check()?;
        if self.k == Some(0) {
            return Err(Error::parameter("k", 0, "must be at least 1"));
        }
        if let Some(config) = &self.bootstrap {
            config.check()?;
        }
        Ok(())
    }

    /// Back-tests `models` (each with a name) as of `as_of` (T1) against the [`Outcomes`] of
    /// (`as_of`, `until`], with the naive rankings beside them.
    ///
    /// Every model scores the population as of T1 by [`ScoringModel::score`], which reads
    /// nothing after T1; the [`NaiveRanking`]s are computed as of T1 too. The outcomes are read
    /// from after T1 only. Each ranking gets, over the judged customers, a [`RankingReport`] at
    /// one cut-off `k` (by default a shortlist of 5% of the customers judged, see
    /// [`BacktestParams::k`]), its lift at k over the most-active
    /// ranking, and optionally seeded bootstrap intervals ([`BacktestParams::bootstrap`]).
    ///
    /// Errors:
    /// - [`Error::InvalidParameter`]: bad settings, `until` not at least a second after `as_of`,
    ///   a model name empty, repeated or equal to a naive ranking's, `k` above the number of
    ///   customers judged;
    /// - [`Error::NoEvents`] for a population without events, [`Error::AsOfBeforeData`]
    ///   when T1 is before the first event;
    /// - [`Error::NoPositives`] when no judged customer has a positive outcome in the window
    ///   ([`Error::NoNegatives`] when every one has): nothing to rank against;
    /// - a model's own errors ([`ScoringModel::check`]).
    pub fn run(
        &self,
        population: &Population,
        models: &[(&str, &ScoringModel)],
        as_of: Timestamp,
        until: Timestamp,
    ) -> Result<BacktestReport> {
        self.check()?;
        check_window(as_of, until)?;
        crate::signals::check_as_of(population, as_of)?;
        check_names(models)?;
        let outcomes = Outcomes::observe(population, as_of, until, &self.outcomes)?;
        let labels = outcomes.judged_labels();
        if outcomes.positives() == 0 {
            return Err(Error::NoPositives {
                what: "a back-test (no judged customer had an idea accepted or shipped, or a top \
                       facilitator rating, in the window)",
            });
        }
        if outcomes.positives() == outcomes.customers() {
            return Err(Error::NoNegatives {
                what: "a back-test (every judged customer had a positive outcome in the window)",
            });
        }
        let k = self.k.unwrap_or_else(|| shortlist(outcomes.customers()));

        let mut rankings: Vec<(String, bool, Vec<f64>)> = Vec::new();
        let mut naive: Option<Vec<Vec<f64>>> = None;
        let naive_scores = |table: &SignalTable| {
            NaiveRanking::ALL
                .iter()
                .map(|r| outcomes.select(&r.scores(population, table)?))
                .collect::<Result<Vec<_>>>()
        };
        for (name, model) in models {
            let scores = model.score(population, as_of)?;
            // The naive rankings need the default signal parameters: reuse a model's table.
            if naive.is_none() && model.signals == SignalParams::default() {
                naive = Some(naive_scores(scores.signals())?);
            }
            rankings.push((
                (*name).to_owned(),
                false,
                outcomes.select(scores.lead_scores())?,
            ));
        }
        let naive = match naive {
            Some(n) => n,
            None => naive_scores(&SignalTable::compute(
                population,
                as_of,
                &SignalParams::default(),
            )?)?,
        };
        for (r, scores) in NaiveRanking::ALL.iter().zip(naive) {
            rankings.push((r.name().to_owned(), true, scores));
        }

        let most_active_position = models.len();
        let most_active = Ranking::new(&rankings[most_active_position].2, &labels)?;
        let mut results = Vec::with_capacity(rankings.len());
        for (name, is_naive, scores) in &rankings {
            let ranking = Ranking::new(scores, &labels)?;
            let metrics = ranking.report(k)?;
            let lift_over_most_active = defined(ranking.lift_over(&most_active, k))?;
            let intervals = match &self.bootstrap {
                Some(config) => Some(intervals(
                    scores,
                    &rankings[most_active_position].2,
                    &labels,
                    k,
                    config,
                )?),
                None => None,
            };
            results.push(BacktestRanking {
                name: name.clone(),
                naive: *is_naive,
                metrics,
                lift_over_most_active,
                intervals,
            });
        }
        Ok(BacktestReport {
            as_of,
            until,
            customers: outcomes.customers(),
            positives: outcomes.positives(),
            positives_by_idea: outcomes.positives_by_idea(),
            positives_by_rating: outcomes.positives_by_rating(),
            k,
            rankings: results,
        })
    }
}

/// A value, or `None` where it is mathematically undefined; other errors pass.
fn defined(value: Result<f64>) -> Result<Option<f64>> {
    match value {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind() == ErrorKind::Undefined => Ok(None),
        Err(e) => Err(e),
    }
}

/// The bootstrap intervals of one ranking's metrics.
fn intervals(
    scores: &[f64],
    most_active: &[f64],
    labels: &[bool],
    k: usize,
    config: &BootstrapConfig,
) -> Result<MetricIntervals> {
    let lift = match bootstrap_lift_over_baseline(scores, most_active, labels, k, config) {
        Ok(ci) => Some(ci),
        Err(e) if e.kind() == ErrorKind::Undefined => None,
        Err(e) => return Err(e),
    };
    Ok(MetricIntervals {
        auc: bootstrap_metric(scores, labels, Metric::Auc, config)?,
        precision_at_k: bootstrap_metric(scores, labels, Metric::PrecisionAtK { k }, config)?,
        average_precision: bootstrap_metric(scores, labels, Metric::AveragePrecision, config)?,
        lift_over_most_active: lift,
    })
}

/// Model names must be non-empty, distinct, and not a naive ranking's.
fn check_names(models: &[(&str, &ScoringModel)]) -> Result<()> {
    for (i, (name, _)) in models.iter().enumerate() {
        if name.is_empty() {
            return Err(Error::parameter("model name", "\"\"", "must not be empty"));
        }
        if models[..i].iter().any(|(other, _)| other == name) {
            return Err(Error::parameter("model name", name, "appears twice"));
        }
        if NaiveRanking::ALL.iter().any(|r| r.name() == *name) {
            return Err(Error::parameter(
                "model name",
                name,
                "is the name of a naive ranking",
            ));
        }
    }
    Ok(())
}

/// Back-tests one model with the default settings ([`BacktestParams::default`]): scores as of
/// `as_of` (T1), judges against the outcomes of (`as_of`, `until`], beside the naive rankings.
/// The model is named `model` in the report.
///
/// Errors: as [`BacktestParams::run`].
///
/// ```
/// use lead_customers::evidence::{backtest, NaiveRanking};
/// use lead_customers::synthetic::{Generator, GeneratorConfig};
/// use lead_customers::{time::parse_timestamp, ScoringModel};
/// let base = Generator::new(GeneratorConfig { customers: 1_000, ..Default::default() }).generate()?;
/// let (t1, t2) = (parse_timestamp("2024-01-01").unwrap(), parse_timestamp("2024-12-31").unwrap());
/// let report = backtest(&base.population, &ScoringModel::default(), t1, t2)?;
/// assert_eq!(report.k, (report.customers as f64 * 0.05).ceil() as usize); // a 5% shortlist
/// let model = report.ranking("model").unwrap();
/// let most_active = report.ranking(NaiveRanking::MostActive.name()).unwrap();
/// assert!(model.metrics.auc > most_active.metrics.auc);
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn backtest(
    population: &Population,
    model: &ScoringModel,
    as_of: Timestamp,
    until: Timestamp,
) -> Result<BacktestReport> {
    BacktestParams::default().run(population, &[("model", model)], as_of, until)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;
    use crate::{
        Channel, CoDesignSession, Customer, Idea, IdeaStatus, Interaction, InteractionKind,
        Participation,
    };

    fn day(text: &str) -> Timestamp {
        parse_timestamp(text).unwrap()
    }

    const T1: &str = "2024-03-01";
    const T2: &str = "2024-09-01";

    /// Nine customers around the window (2024-03-01, 2024-09-01], each testing one rule. The
    /// latest event of the population is the session held at T2.
    fn population() -> Population {
        let mut b = Population::builder();
        let known = |b: &mut crate::PopulationBuilder, id: &str| {
            b.add_customer(Customer::new(id)).unwrap();
            b.add_interaction(Interaction::new(
                id,
                day("2024-01-15"),
                Channel::Email,
                InteractionKind::Question,
            ))
            .unwrap();
        };
        let idea = |id: &str, author: &str, status, decided: Option<&str>| {
            Idea::new(id, author, day("2024-01-20")).with_status(status, decided.map(day))
        };
        // C-1: shipped inside the window.
        known(&mut b, "C-1");
        b.add_idea(idea("I-1", "C-1", IdeaStatus::Shipped, Some("2024-06-01")))
            .unwrap();
        // C-2: accepted exactly at T1 (known when scoring), declined inside: negative.
        known(&mut b, "C-2");
        b.add_idea(idea("I-2", "C-2", IdeaStatus::Accepted, Some(T1)))
            .unwrap();
        b.add_idea(idea("I-3", "C-2", IdeaStatus::Declined, Some("2024-05-01")))
            .unwrap();
        // C-3: accepted exactly at T2: inside.
        known(&mut b, "C-3");
        b.add_idea(idea("I-4", "C-3", IdeaStatus::Accepted, Some(T2)))
            .unwrap();
        // C-4: shipped with no decision time: decided at the end of the data, T2.
        known(&mut b, "C-4");
        b.add_idea(idea("I-5", "C-4", IdeaStatus::Shipped, None))
            .unwrap();
        // C-5: rated 4.5 in a session held at T2 (inside), 5.0 in one held at T1 (outside).
        known(&mut b, "C-5");
        b.add_session(CoDesignSession::new("S-0", day(T1))).unwrap();
        b.add_session(CoDesignSession::new("S-1", day(T2))).unwrap();
        b.add_session(CoDesignSession::new("S-2", day("2024-07-01")))
            .unwrap();
        b.add_participation(Participation::attended("S-0", "C-5", 3).with_rating(5.0))
            .unwrap();
        b.add_participation(Participation::attended("S-1", "C-5", 3).with_rating(4.5))
            .unwrap();
        // C-6: rated 4.4 inside: below the default top rating.
        known(&mut b, "C-6");
        b.add_participation(Participation::attended("S-2", "C-6", 2).with_rating(4.4))
            .unwrap();
        // C-7: first seen after T1, with a shipped idea inside: positive but not judged.
        b.add_customer(Customer::new("C-7")).unwrap();
        b.add_idea(
            Idea::new("I-6", "C-7", day("2024-04-01"))
                .with_status(IdeaStatus::Shipped, Some(day("2024-08-01"))),
        )
        .unwrap();
        // C-8: no event before T1, but a customer since January: judged, negative.
        b.add_customer(Customer::new("C-8").with_since(jiff::civil::date(2024, 1, 2)))
            .unwrap();
        // C-9: an open idea and nothing else: negative.
        known(&mut b, "C-9");
        b.add_idea(idea("I-7", "C-9", IdeaStatus::Open, None))
            .unwrap();
        b.build().unwrap()
    }

    fn positives(p: &Population, o: &Outcomes) -> Vec<String> {
        p.customers()
            .filter(|&c| o.is_positive(c))
            .map(|c| p.customer_id(c).to_string())
            .collect()
    }

    fn judged(p: &Population, o: &Outcomes) -> Vec<String> {
        p.customers()
            .filter(|&c| o.judged()[c.get()])
            .map(|c| p.customer_id(c).to_string())
            .collect()
    }

    #[test]
    fn outcomes_are_successes_decided_and_top_ratings_given_inside_the_half_open_window() {
        let p = population();
        assert_eq!(p.latest(), Some(day(T2)));
        let o = Outcomes::observe(&p, day(T1), day(T2), &OutcomeRules::default()).unwrap();
        assert_eq!(positives(&p, &o), ["C-1", "C-3", "C-4", "C-5", "C-7"]);
        // C-7 was unknown at T1, so it is not judged and not counted.
        assert_eq!(o.customers(), 8);
        assert_eq!(o.positives(), 4);
        assert_eq!((o.positives_by_idea(), o.positives_by_rating()), (3, 1));
        assert_eq!(o.judged_labels().iter().filter(|&&l| l).count(), 4);
        assert_eq!((o.start(), o.end()), (day(T1), day(T2)));
    }

    #[test]
    fn an_undated_decision_belongs_to_the_window_holding_the_end_of_the_data() {
        let p = population();
        let c4 = p.index_of("C-4").unwrap();
        let rules = OutcomeRules::default();
        let earlier = Outcomes::observe(&p, day("2024-01-01"), day(T1), &rules).unwrap();
        assert!(!earlier.is_positive(c4));
        let later = Outcomes::observe(&p, day(T2), day("2025-01-01"), &rules).unwrap();
        assert!(!later.is_positive(c4));
        let holding = Outcomes::observe(&p, day("2024-08-31"), day(T2), &rules).unwrap();
        assert!(holding.is_positive(c4));
    }

    #[test]
    fn the_top_rating_is_configurable() {
        let p = population();
        let c6 = p.index_of("C-6").unwrap();
        let rules = OutcomeRules {
            top_rating: 4.4,
            ..OutcomeRules::default()
        };
        let o = Outcomes::observe(&p, day(T1), day(T2), &rules).unwrap();
        assert!(o.is_positive(c6));
        assert_eq!(o.positives_by_rating(), 2);
        let strict = OutcomeRules {
            top_rating: 5.0,
            ..OutcomeRules::default()
        };
        let o = Outcomes::observe(&p, day(T1), day(T2), &strict).unwrap();
        assert_eq!(o.positives_by_rating(), 0);
    }

    #[test]
    fn customers_unknown_at_the_start_are_judged_only_when_asked() {
        let p = population();
        let o = Outcomes::observe(&p, day(T1), day(T2), &OutcomeRules::default()).unwrap();
        assert!(!judged(&p, &o).contains(&"C-7".to_owned()));
        assert!(judged(&p, &o).contains(&"C-8".to_owned()));
        let everyone = OutcomeRules {
            known_customers_only: false,
            ..OutcomeRules::default()
        };
        let o = Outcomes::observe(&p, day(T1), day(T2), &everyone).unwrap();
        assert_eq!(o.customers(), 9);
        assert_eq!(o.positives(), 5);
        // Before C-8's first day, C-8 is unknown too.
        let o =
            Outcomes::observe(&p, day("2024-01-01"), day(T2), &OutcomeRules::default()).unwrap();
        assert!(!judged(&p, &o).contains(&"C-8".to_owned()));
    }

    #[test]
    fn select_keeps_the_judged_customers_in_index_order() {
        let p = population();
        let o = Outcomes::observe(&p, day(T1), day(T2), &OutcomeRules::default()).unwrap();
        let index: Vec<usize> = (0..p.len()).collect();
        let kept = o.select(&index).unwrap();
        assert_eq!(kept.len(), 8);
        assert!(!kept.contains(&p.index_of("C-7").unwrap().get()));
        assert_eq!(
            o.select(&index[1..]).unwrap_err().kind(),
            ErrorKind::LengthMismatch
        );
    }

    #[test]
    fn the_backtest_reports_every_ranking_at_the_default_shortlist_or_a_given_k() {
        let p = population();
        let model = ScoringModel::default();
        let default = backtest(&p, &model, day(T1), day(T2)).unwrap();
        // 5% of 8 customers, rounded up.
        assert_eq!((default.customers, default.positives, default.k), (8, 4, 1));
        let params = BacktestParams {
            k: Some(4),
            ..BacktestParams::default()
        };
        let report = params
            .run(&p, &[("model", &model)], day(T1), day(T2))
            .unwrap();
        assert_eq!((report.customers, report.positives, report.k), (8, 4, 4));
        let names: Vec<&str> = report.rankings.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["model", "most_active", "biggest_buyer", "most_ideas"]
        );
        assert!(
            report
                .rankings
                .iter()
                .all(|r| r.naive == (r.name != "model"))
        );
        // Most ideas by T1: C-2 has two, C-1, C-3, C-4 and C-9 one each: all positives but
        // C-5 are among the top 5, and C-9 (negative) ties with the three positives.
        let ideas = report.ranking("most_ideas").unwrap();
        let expected = RankingReport::new(
            &[1.0, 2.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0],
            &[true, false, true, true, true, false, false, false],
            4,
        )
        .unwrap();
        assert_eq!(ideas.metrics, expected);
        // The most-active ranking is its own baseline.
        let active = report.ranking("most_active").unwrap();
        assert!(active.lift_over_most_active.is_none_or(|l| l == 1.0));
        assert!(report.ranking("nobody").is_none());
    }

    #[test]
    fn bootstrap_intervals_are_given_when_asked() {
        let p = population();
        let params = BacktestParams {
            bootstrap: Some(BootstrapConfig {
                replicates: 50,
                ..BootstrapConfig::default()
            }),
            k: Some(3),
            ..BacktestParams::default()
        };
        let model = ScoringModel::default();
        let report = params.run(&p, &[("a", &model)], day(T1), day(T2)).unwrap();
        assert_eq!(report.k, 3);
        for r in &report.rankings {
            let ci = r.intervals.as_ref().unwrap();
            assert!(ci.auc.lower <= r.metrics.auc && r.metrics.auc <= ci.auc.upper);
            assert_eq!(ci.average_precision.estimate, r.metrics.average_precision);
            assert_eq!(ci.precision_at_k.estimate, r.metrics.precision_at_k);
            assert_eq!(
                ci.lift_over_most_active.as_ref().map(|c| c.estimate),
                r.lift_over_most_active
            );
        }
    }

    #[test]
    fn bad_windows_settings_and_names_are_refused_with_typed_errors() {
        let p = population();
        let model = ScoringModel::default();
        let run = |params: &BacktestParams, models: &[(&str, &ScoringModel)], t1, t2| {
            params.run(&p, models, day(t1), day(t2)).unwrap_err().kind()
        };
        let default = BacktestParams::default();
        let one = [("m", &model)];
        assert_eq!(run(&default, &one, T2, T1), ErrorKind::InvalidParameter);
        assert_eq!(run(&default, &one, T1, T1), ErrorKind::InvalidParameter);
        // Within one second: no whole second in the window.
        let half = day(T1) + jiff::SignedDuration::from_millis(500);
        let err = default.run(&p, &one, day(T1), half).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter, "{err}");
        assert!(err.to_string().contains("at least a second after"), "{err}");
        assert_eq!(
            run(&default, &one, "2023-01-01", T2),
            ErrorKind::AsOfBeforeData
        );
        assert_eq!(
            run(&default, &one, T2, "2025-01-01"),
            ErrorKind::NoPositives
        );
        let k = |k| BacktestParams {
            k: Some(k),
            ..BacktestParams::default()
        };
        assert_eq!(run(&k(0), &one, T1, T2), ErrorKind::InvalidParameter);
        assert_eq!(run(&k(9), &one, T1, T2), ErrorKind::InvalidParameter);
        let bad_rating = BacktestParams {
            outcomes: OutcomeRules {
                top_rating: 0.0,
                ..OutcomeRules::default()
            },
            ..BacktestParams::default()
        };
        assert_eq!(run(&bad_rating, &one, T1, T2), ErrorKind::InvalidParameter);
        for names in [["x", "x"], ["", "y"], ["most_ideas", "y"]] {
            let models = [(names[0], &model), (names[1], &model)];
            assert_eq!(run(&default, &models, T1, T2), ErrorKind::InvalidParameter);
        }
        let err = Outcomes::observe(&p, day(T2), day(T1), &OutcomeRules::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    }

    #[test]
    fn every_judged_customer_positive_is_refused() {
        let mut b = Population::builder();
        b.add_idea(
            Idea::new("I-1", "C-1", day("2024-01-01"))
                .with_status(IdeaStatus::Shipped, Some(day("2024-06-01"))),
        )
        .unwrap();
        b.add_customer(Customer::new("C-1")).unwrap();
        let p = b.build().unwrap();
        let err = backtest(&p, &ScoringModel::default(), day("2024-02-01"), day(T2)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NoNegatives);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

        /// Outcomes are a union over the window's moments: a window inside another never has a
        /// positive the other lacks (with everyone judged, so only the outcomes move).
        #[test]
        fn a_window_inside_another_has_no_positive_the_other_lacks(
            days in proptest::collection::vec(0i64..400, 4),
        ) {
            let p = population();
            let mut d = days;
            d.sort_unstable();
            let at = |n: i64| day("2023-12-01") + jiff::SignedDuration::from_hours(24 * n);
            proptest::prop_assume!(d[1] < d[2]);
            let everyone = OutcomeRules { known_customers_only: false, ..OutcomeRules::default() };
            // (d1, d2] lies inside (d0, d3].
            let outer = Outcomes::observe(&p, at(d[0]), at(d[3]), &everyone).unwrap();
            let inner = Outcomes::observe(&p, at(d[1]), at(d[2]), &everyone).unwrap();
            for (i, o) in inner.labels().iter().zip(outer.labels()) {
                proptest::prop_assert!(!i || *o);
            }
            proptest::prop_assert!(inner.positives() <= outer.positives());
        }
    }

    #[test]
    fn params_round_trip_through_json() {
        let params = BacktestParams {
            k: Some(7),
            bootstrap: Some(BootstrapConfig::default()),
            ..BacktestParams::default()
        };
        let json = serde_json::to_string(&params).unwrap();
        let back: BacktestParams = serde_json::from_str(&json).unwrap();
        assert_eq!(back, params);
        assert!(serde_json::from_str::<BacktestParams>(r#"{"kk": 1}"#).is_err());
    }
}

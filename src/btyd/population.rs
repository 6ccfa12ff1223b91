//! The BG/NBD model on a [`Population`]: summaries of each customer's activity, a fitted model,
//! and the lead customers most likely to have left.

use serde::{Deserialize, Serialize};

use super::{BgNbdFit, FitOptions, RepeatSummary, SummaryOptions};
use crate::population::same_population;
use crate::{CustomerId, CustomerIndex, Error, InteractionKind, Population, Result, Scores};

/// Which interactions count as activity, and how they become summaries.
///
/// ```
/// use lead_customers::btyd::ActivityParams;
/// use lead_customers::InteractionKind;
/// assert_eq!(ActivityParams::default().kinds, vec![InteractionKind::Purchase]);
/// assert!(!ActivityParams::customer_initiated().kinds.contains(&InteractionKind::Outreach));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActivityParams {
    /// The interaction kinds that count as activity. Default: purchases, the model's original
    /// setting (transactions).
    pub kinds: Vec<InteractionKind>,
    /// How activity times become summaries. Default: same-day activity merged, time in weeks.
    pub summary: SummaryOptions,
}

impl Default for ActivityParams {
    fn default() -> Self {
        ActivityParams {
            kinds: vec![InteractionKind::Purchase],
            summary: SummaryOptions::default(),
        }
    }
}

impl ActivityParams {
    /// Every interaction the customer starts (all kinds but company outreach): activity in the
    /// relationship, not only in buying. Prospects, who never buy, are then covered too.
    pub fn customer_initiated() -> Self {
        ActivityParams {
            kinds: InteractionKind::ALL
                .iter()
                .copied()
                .filter(|k| !k.is_company_initiated())
                .collect(),
            summary: SummaryOptions::default(),
        }
    }

    fn check(&self) -> Result<()> {
        if self.kinds.is_empty() {
            return Err(Error::parameter(
                "kinds",
                "[]",
                "at least one interaction kind must count as activity",
            ));
        }
        Ok(())
    }
}

/// Each customer's repeat summary as of `calibration_end`, by [`CustomerIndex`]: `None` for a
/// customer with no activity of the counted kinds by then.
///
/// ```
/// use lead_customers::btyd::{summarize, ActivityParams};
/// use lead_customers::synthetic::{Generator, GeneratorConfig};
/// let base = Generator::new(GeneratorConfig { customers: 200, ..Default::default() }).generate()?;
/// let end = base.population.latest().unwrap();
/// let summaries = summarize(&base.population, end, &ActivityParams::default())?;
/// assert_eq!(summaries.len(), 200);
/// assert!(summaries.iter().flatten().any(|s| s.frequency() > 0));
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn summarize(
    population: &Population,
    calibration_end: jiff::Timestamp,
    params: &ActivityParams,
) -> Result<Vec<Option<RepeatSummary>>> {
    params.check()?;
    let end = crate::time::as_of_second(calibration_end);
    let mut counted = [false; 16];
    for kind in &params.kinds {
        counted[kind.index()] = true;
    }
    let cols = &population.interactions;
    let chunks =
        crate::parallel::map_chunks(population.len(), crate::parallel::CHUNK, |customers| {
            let mut times = Vec::new();
            customers
                .map(|c| {
                    times.clear();
                    let rows = cols.groups.range(c);
                    times.extend(
                        rows.filter(|&r| counted[cols.kind[r].index()])
                            .map(|r| cols.at[r]),
                    );
                    RepeatSummary::from_activity(&times, end, &params.summary)
                })
                .collect::<Vec<_>>()
        });
    Ok(chunks.into_iter().flatten().collect())
}

/// A BG/NBD model fitted to a population: who is still alive, and how active they will be.
///
/// ```
/// use lead_customers::btyd::{ActivityParams, AliveModel, FitOptions};
/// use lead_customers::synthetic::{Generator, GeneratorConfig};
/// let base = Generator::new(GeneratorConfig { customers: 2_000, ..Default::default() }).generate()?;
/// let end = base.population.latest().unwrap();
/// let model = AliveModel::fit(&base.population, end, &ActivityParams::default(), &FitOptions::default())?;
/// let c = base.population.customers().next().unwrap();
/// assert!((0.0..=1.0).contains(&model.probability_alive(c)));
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AliveModel<'p> {
    /// The fit.
    pub fit: BgNbdFit,
    population: &'p Population,
    calibration_end: jiff::Timestamp,
    summaries: Vec<Option<RepeatSummary>>,
}

impl<'p> AliveModel<'p> {
    /// Summarizes every customer's activity as of `calibration_end` and fits the model to the
    /// customers with any activity.
    ///
    /// Errors: those of [`summarize`] and [`FitOptions::fit`], and [`Error::InvalidParameter`]
    /// when nobody has any activity of the counted kinds by `calibration_end`.
    pub fn fit(
        population: &'p Population,
        calibration_end: jiff::Timestamp,
        activity: &ActivityParams,
        options: &FitOptions,
    ) -> Result<AliveModel<'p>> {
        let summaries = summarize(population, calibration_end, activity)?;
        let active: Vec<RepeatSummary> = summaries.iter().flatten().copied().collect();
        if active.is_empty() {
            return Err(Error::parameter(
                "calibration end",
                calibration_end,
                "finds no customer with activity of the counted kinds by then: there is \
                 nobody to fit the BG/NBD model to",
            ));
        }
        let fit = options.fit(&active)?;
        Ok(AliveModel {
            fit,
            population,
            calibration_end,
            summaries,
        })
    }

    /// The population the model was fitted to, whose [`CustomerIndex`]es its methods take.
    pub fn population(&self) -> &'p Population {
        self.population
    }

    /// The calibration end: the model knows the activity up to this time.
    pub fn calibration_end(&self) -> jiff::Timestamp {
        self.calibration_end
    }

    /// A customer's summary, `None` without any activity by the calibration end.
    pub fn summary(&self, c: CustomerIndex) -> Option<&RepeatSummary> {
        self.summaries[c.get()].as_ref()
    }

    /// The probability that the customer is still alive at the calibration end; 0 for a customer
    /// with no activity at all by then (never active is not alive).
    pub fn probability_alive(&self, c: CustomerIndex) -> f64 {
        self.summary(c)
            .map_or(0.0, |s| self.fit.params.probability_alive(s))
    }

    /// The expected number of active periods in the next `t` units (weeks by default); 0 for a
    /// customer with no activity by the calibration end.
    pub fn expected_activity(&self, c: CustomerIndex, t: f64) -> Result<f64> {
        match self.summary(c) {
            Some(s) => self.fit.params.conditional_expected_repeats(s, t),
            None => Ok(0.0),
        }
    }

    /// Every customer's probability of being alive, by [`CustomerIndex`].
    pub fn probability_alive_column(&self) -> Vec<f64> {
        self.summaries
            .iter()
            .map(|s| {
                s.as_ref()
                    .map_or(0.0, |s| self.fit.params.probability_alive(s))
            })
            .collect()
    }

    /// Every customer's expected activity in the next `t` units, by [`CustomerIndex`].
    pub fn expected_activity_column(&self, t: f64) -> Result<Vec<f64>> {
        let chunks = crate::parallel::map_chunks(
            self.summaries.len(),
            crate::parallel::CHUNK,
            |customers| {
                self.summaries[customers]
                    .iter()
                    .map(|s| {
                        s.as_ref().map_or(Ok(0.0), |s| {
                            self.fit.params.conditional_expected_repeats(s, t)
                        })
                    })
                    .collect::<Result<Vec<f64>>>()
            },
        );
        let mut column = Vec::with_capacity(self.summaries.len());
        for chunk in chunks {
            column.extend(chunk?);
        }
        Ok(column)
    }
}

/// A lead customer who may have left.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRisk {
    /// The customer's id.
    pub customer_id: CustomerId,
    /// The customer's rank by lead score.
    pub rank: usize,
    /// The lead score.
    pub score: f64,
    /// The probability of being alive.
    pub probability_alive: f64,
}

/// Among the `top` best lead customers, the ones most likely to have left, least likely alive
/// first (ties by rank): the customers to call before planning a session around them. Customers
/// with no activity of the counted kinds at all (a prospect, when purchases count) are left out:
/// the model says nothing about them, and they did not leave what they never began.
///
/// Fails when the scores and the model are of different customers (other customer ids, or in
/// another order: each customer's score would be read beside another's activity) or as of
/// different times (a model fitted later than the scores would bring in what the scores could not
/// know) ([`Error::InvalidParameter`]).
///
/// ```
/// # use lead_customers::btyd::{leads_at_risk, ActivityParams, AliveModel, FitOptions};
/// # use lead_customers::synthetic::{Generator, GeneratorConfig};
/// # use lead_customers::ScoringModel;
/// # let base = Generator::new(GeneratorConfig { customers: 2_000, ..Default::default() }).generate()?;
/// # let end = base.population.latest().unwrap();
/// let scores = ScoringModel::default().score(&base.population, end)?;
/// let alive = AliveModel::fit(&base.population, end, &ActivityParams::default(), &FitOptions::default())?;
/// let at_risk = leads_at_risk(&scores, &alive, 50)?;
/// assert!(at_risk.len() <= 50);
/// assert!(at_risk.iter().all(|r| r.rank <= 50));
/// assert!(at_risk.windows(2).all(|w| w[0].probability_alive <= w[1].probability_alive));
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn leads_at_risk(scores: &Scores, alive: &AliveModel, top: usize) -> Result<Vec<AtRisk>> {
    if !same_population(scores.population(), alive.population) {
        return Err(Error::parameter(
            "alive model",
            format!("{} customers", alive.population.len()),
            "must be fitted to the customers of the scores",
        ));
    }
    if alive.calibration_end != scores.as_of() {
        return Err(Error::parameter(
            "alive model's calibration end",
            alive.calibration_end,
            format!("must be the as-of time of the scores ({})", scores.as_of()),
        ));
    }
    let mut leads: Vec<AtRisk> = scores
        .top(top)
        .into_iter()
        .filter(|r| alive.summary(r.customer).is_some())
        .map(|r| AtRisk {
            customer_id: scores.population().customer_id(r.customer).clone(),
            rank: r.rank,
            score: r.score,
            probability_alive: alive.probability_alive(r.customer),
        })
        .collect();
    leads.sort_by(|a, b| {
        a.probability_alive
            .total_cmp(&b.probability_alive)
            .then(a.rank.cmp(&b.rank))
    });
    Ok(leads)
}

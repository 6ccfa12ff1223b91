//! What the population as a whole says as of `T`: topic curves and the priors of shrinkage.

use serde::{Deserialize, Serialize};

#[cfg(test)]
use super::facts::Facts;
use super::tally::{Clock, Components, Decay};
use super::{Signal, SignalParams};
use crate::parallel::map_each;
use crate::time::SECONDS_PER_DAY;
use crate::{Error, Population, Result};

/// Each topic's adoption curve cut at `T`: how many mentions it had and whether it grew.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct TopicCurves {
    /// Mentions by `T`.
    pub mentions: Vec<u32>,
    /// Growth `g` in [0, 1] (0 for topics below the minimum of mentions).
    pub growth: Vec<f64>,
    /// The time of the median mention by `T`: when "most customers" had raised the topic.
    pub median_at: Vec<i64>,
}

impl TopicCurves {
    /// The curves as of `t`, from mentions at or before `t` only.
    pub(crate) fn at(population: &Population, t: i64, params: &SignalParams) -> TopicCurves {
        let window = (params.growth_window_days * SECONDS_PER_DAY as f64) as i64;
        let topics = population.topics.len();
        let mut curves = TopicCurves {
            mentions: Vec::with_capacity(topics),
            growth: Vec::with_capacity(topics),
            median_at: Vec::with_capacity(topics),
        };
        for k in 0..topics {
            let times = population.topic_mentions.times(k as u32);
            let n = times.partition_point(|&at| at <= t);
            let before = times.partition_point(|&at| at <= t.saturating_sub(window));
            let growth = if n < params.min_topic_mentions as usize || n == 0 {
                0.0
            } else {
                let recent_rate = (n - before) as f64 / window as f64;
                let before_span =
                    (t.saturating_sub(window).saturating_sub(times[0])).max(window) as f64;
                let before_rate = before as f64 / before_span;
                ((recent_rate - before_rate) / (recent_rate + before_rate)).max(0.0)
            };
            curves.mentions.push(n as u32);
            curves.growth.push(growth);
            curves
                .median_at
                .push(if n == 0 { t } else { times[(n - 1) / 2] });
        }
        curves
    }
}

/// A Beta prior `Beta(a, b)` over a rate, fitted to the population by empirical Bayes.
///
/// A customer's rate of `s` successes in `n` trials is shrunk to `(s + a) / (n + a + b)`: the
/// prior acts as `a + b` pseudo-trials at the population's rate `a / (a + b)`. Few trials stay
/// close to the population; many trials speak for themselves.
///
/// [`BetaPrior::fit`] estimates the prior by the method of moments. With `n_i` trials and rate
/// `p_i = s_i / n_i` for customer `i`, the pooled rate is `μ = Σ s_i / Σ n_i` (smoothed to
/// `(Σ s + 1/2) / (Σ n + 1)` so it is never exactly 0 or 1), and under a beta-binomial model
/// `E[n_i (p_i - μ)²] = μ(1 - μ)(1 + (n_i - 1) ρ)` with `ρ = 1 / (a + b + 1)`, the correlation
/// of trials within a customer. Summing over customers with at least one trial gives
/// `ρ = (Σ n_i (p_i - μ)² - m μ(1 - μ)) / (μ(1 - μ) Σ (n_i - 1))`, and the prior strength is
/// `a + b = 1/ρ - 1`, clamped to [1, 1000] (a weakest prior of one pseudo-trial; a strongest one
/// that all but pools everybody). When nobody has more than one trial, `ρ` cannot be estimated
/// and the strength is 2; so too when the trials beyond each customer's first add up to less
/// than a billionth of all trials. Why: decayed trials are weights, and an event at the as-of
/// time weighs 1 only up to rounding. Customers who each had one invitation then would have had
/// `Σ (n_i - 1)` of 1e-16 or 0 by the last bit, and a strength of 1000 or 2 with it.
///
/// ```
/// use lead_customers::BetaPrior;
/// // Customers who all succeed about 20% of the time: the prior is strong, near 0.2.
/// let data = (0..200).map(|i| (if i % 5 == 0 { 2.0 } else { 1.0 }, 6.0));
/// let prior = BetaPrior::fit(data)?;
/// assert!((prior.mean() - 0.2).abs() < 0.02);
/// // Against a prior near 0.2, 1 of 1 does not beat 8 of 10.
/// assert!(prior.shrink(1.0, 1.0) < prior.shrink(8.0, 10.0));
/// // More successes than trials are no rate.
/// assert!(BetaPrior::fit([(3.0, 2.0)]).is_err());
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BetaPrior {
    /// Pseudo-successes.
    pub a: f64,
    /// Pseudo-failures.
    pub b: f64,
}

/// The prior strength used when the data cannot tell.
const DEFAULT_STRENGTH: f64 = 2.0;
/// Trials beyond each customer's first below this share of all trials are rounding, not data
/// (see [`BetaPrior`]).
const NO_EXCESS: f64 = 1e-9;
const MIN_STRENGTH: f64 = 1.0;
const MAX_STRENGTH: f64 = 1000.0;

impl BetaPrior {
    /// The prior mean `a / (a + b)`: the population's rate.
    pub fn mean(&self) -> f64 {
        self.a / (self.a + self.b)
    }

    /// The prior strength `a + b`, in pseudo-trials.
    pub fn strength(&self) -> f64 {
        self.a + self.b
    }

    /// The shrunk rate `(successes + a) / (trials + a + b)`.
    pub fn shrink(&self, successes: f64, trials: f64) -> f64 {
        (successes + self.a) / (trials + self.a + self.b)
    }

    /// Fits the prior to `(successes, trials)` pairs by the method of moments (see the type's
    /// documentation). Pairs with no trials carry no information and are ignored; with no trials
    /// at all the prior is uniform, `Beta(1, 1)`.
    ///
    /// Errors: [`Error::NonFiniteInput`] for a NaN or infinite count, and
    /// [`Error::InvalidParameter`] for a pair that is no rate (negative trials, or successes
    /// below 0 or above the trials) or counts so large that their totals overflow.
    pub fn fit(pairs: impl IntoIterator<Item = (f64, f64)>) -> Result<BetaPrior> {
        let pairs: Vec<(f64, f64)> = pairs.into_iter().collect();
        for (index, &(s, n)) in pairs.iter().enumerate() {
            if let Some(value) = [s, n].into_iter().find(|v| !v.is_finite()) {
                return Err(Error::NonFiniteInput {
                    what: "(successes, trials) pairs",
                    index,
                    value,
                });
            }
            if !(0.0 <= s && s <= n) {
                return Err(Error::parameter(
                    "(successes, trials)",
                    format!("({s}, {n}) at {index}"),
                    "must have successes from 0 to the trials",
                ));
            }
        }
        let mut totals = PriorTotals::default();
        pairs.iter().for_each(|&(s, n)| totals.add(s, n));
        let mut spread = totals.spread();
        pairs.iter().for_each(|&(s, n)| spread.add(s, n));
        let prior = spread.prior();
        if !(prior.a > 0.0 && prior.b > 0.0 && prior.strength().is_finite()) {
            // Counts so large that their sums overflow.
            return Err(Error::parameter(
                "(successes, trials) pairs",
                format!("{} pairs", pairs.len()),
                "are too large for their totals to be finite numbers",
            ));
        }
        Ok(prior)
    }
}

/// The first pass of [`BetaPrior::fit`]: total successes and trials. Kept apart so that several
/// priors are fitted in the same two passes over the population.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PriorTotals {
    successes: f64,
    trials: f64,
}

impl PriorTotals {
    #[inline]
    pub(crate) fn add(&mut self, successes: f64, trials: f64) {
        if trials > 0.0 {
            self.successes += successes;
            self.trials += trials;
        }
    }

    /// Adds another part of the population's totals.
    pub(crate) fn merge(&mut self, other: PriorTotals) {
        self.successes += other.successes;
        self.trials += other.trials;
    }

    /// The pooled rate, to measure the spread around in the second pass.
    pub(crate) fn spread(self) -> PriorSpread {
        let mu = (self.successes + 0.5) / (self.trials + 1.0);
        PriorSpread {
            any_trials: self.trials > 0.0,
            trials: self.trials,
            mu,
            weighted_squares: 0.0,
            excess_trials: 0.0,
            m: 0.0,
        }
    }
}

/// The second pass of [`BetaPrior::fit`]: the spread of customers' rates around the pooled rate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PriorSpread {
    any_trials: bool,
    /// All trials (of the first pass; not added to by [`merge`](Self::merge)).
    trials: f64,
    mu: f64,
    weighted_squares: f64,
    excess_trials: f64,
    m: f64,
}

impl PriorSpread {
    #[inline]
    pub(crate) fn add(&mut self, successes: f64, trials: f64) {
        if trials >= 1.0 {
            let p = successes / trials;
            self.weighted_squares += trials * (p - self.mu) * (p - self.mu);
            self.excess_trials += trials - 1.0;
            self.m += 1.0;
        }
    }

    /// Adds another part of the population's spread (measured around the same rate).
    pub(crate) fn merge(&mut self, other: PriorSpread) {
        self.weighted_squares += other.weighted_squares;
        self.excess_trials += other.excess_trials;
        self.m += other.m;
    }

    pub(crate) fn prior(self) -> BetaPrior {
        if !self.any_trials {
            return BetaPrior { a: 1.0, b: 1.0 };
        }
        let (mu, spread) = (self.mu, self.mu * (1.0 - self.mu));
        let strength = if self.excess_trials > NO_EXCESS * self.trials {
            let rho = (self.weighted_squares - self.m * spread) / (spread * self.excess_trials);
            if rho > 0.0 {
                (1.0 / rho - 1.0).clamp(MIN_STRENGTH, MAX_STRENGTH)
            } else {
                MAX_STRENGTH
            }
        } else {
            DEFAULT_STRENGTH
        };
        BetaPrior {
            a: mu * strength,
            b: (1.0 - mu) * strength,
        }
    }
}

/// A customer's dialogue rate pair: responses (no more than the outreach) of outreach.
fn dialogue_pair(responses_w: f64, outreach_w: f64) -> (f64, f64) {
    (responses_w.min(outreach_w), outreach_w)
}

/// The first pass of fitting the priors ([`Context::fit`]) over a run of customers: the totals
/// of their rate pairs, and the sums of their ratings and contributions.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FirstPass {
    totals: [PriorTotals; 3],
    sums: [f64; 4],
}

impl FirstPass {
    /// Adds the next customer's components.
    #[inline]
    pub(crate) fn add(&mut self, c: &Components) {
        let (responses, outreach) = dialogue_pair(c.responses_w, c.outreach_w);
        self.totals[0].add(responses, outreach);
        self.totals[1].add(c.attended_w, c.invited_w);
        self.totals[2].add(c.succeeded, c.decided);
        self.sums[0] += c.rating_sum;
        self.sums[1] += c.rating_n;
        self.sums[2] += c.contributions;
        self.sums[3] += c.attended_n;
    }
}

/// A chunk of customers' components as of a date, and the first pass of the priors' fit over
/// them, made as they were written: the fit then reads the components once instead of twice.
///
/// Stored by what they are made of, the parts about ideas and sessions only for the customers
/// who have some. Why: a score history writes every customer's components at every date, and
/// most customers have never been invited to a session (and many have no decided idea): their
/// parts are all zero, and writing them as ten numbers per customer and date took about 5 ms of
/// each 37 ms pass of eight dates at 100,000 customers. A customer left out has zero parts, and
/// zero parts add nothing to a fit (no trials) and shrink to what zero components give, so the
/// fit and the shrunk values are those of every customer's full components, bit for bit.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChunkComponents {
    /// Every customer's dialogue pair (responses, outreach), in order.
    dialogue: Vec<(f64, f64)>,
    /// The customers (by place in the chunk) with a decided idea, in order, and their part.
    ideas: Vec<(u32, IdeaParts)>,
    /// The customers with any session part (invited, attended, rated, contributed), in order.
    sessions: Vec<(u32, SessionParts)>,
    pub first: FirstPass,
}

/// The idea part of [`Components`] (zero: the default).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct IdeaParts {
    succeeded: f64,
    decided: f64,
}

/// The session part of [`Components`] (zero: the default).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct SessionParts {
    attended_w: f64,
    invited_w: f64,
    rating_sum: f64,
    rating_n: f64,
    contributions: f64,
    attended_n: f64,
}

impl ChunkComponents {
    /// Ready for the components of a chunk's `len` customers, written in order with
    /// [`set`](Self::set).
    pub(crate) fn start(&mut self, len: usize) {
        self.dialogue.clear();
        self.dialogue.reserve_exact(len);
        self.ideas.clear();
        self.sessions.clear();
        self.first = FirstPass::default();
    }

    /// Writes the components of the chunk's `i`-th customer. Every customer of the chunk, in
    /// order from the first, once: the first pass adds them up as it goes, and the parts are
    /// found by place.
    #[inline]
    pub(crate) fn set(&mut self, i: usize, c: Components) {
        debug_assert_eq!(i, self.dialogue.len(), "components are written in order");
        self.first.add(&c);
        let i = i as u32;
        self.dialogue.push((c.responses_w, c.outreach_w));
        let ideas = IdeaParts::of(&c);
        if ideas != IdeaParts::default() {
            self.ideas.push((i, ideas));
        }
        let sessions = SessionParts::of(&c);
        if sessions != SessionParts::default() {
            self.sessions.push((i, sessions));
        }
    }

    /// The most memory the components of `customers` customers take, when `with_ideas` of them
    /// have ideas and `with_sessions` take part in sessions (only they can have those parts).
    /// The lists of parts grow as they are written: they may hold up to twice the room they
    /// need.
    pub(crate) fn most_bytes(customers: usize, with_ideas: usize, with_sessions: usize) -> usize {
        customers * size_of::<(f64, f64)>()
            + 2 * with_ideas * size_of::<(u32, IdeaParts)>()
            + 2 * with_sessions * size_of::<(u32, SessionParts)>()
    }

    /// The second pass of the priors' fit over the chunk: each rate pair's spread around the
    /// pooled rates (only customers with parts have trials).
    fn spreads(&self, around: [PriorSpread; 3]) -> [PriorSpread; 3] {
        let [mut dialogue, mut attendance, mut quality] = around;
        for &(responses_w, outreach_w) in &self.dialogue {
            let (responses, outreach) = dialogue_pair(responses_w, outreach_w);
            dialogue.add(responses, outreach);
        }
        for (_, s) in &self.sessions {
            attendance.add(s.attended_w, s.invited_w);
        }
        for (_, q) in &self.ideas {
            quality.add(q.succeeded, q.decided);
        }
        [dialogue, attendance, quality]
    }

    /// Writes a shrunk signal's value for each of the chunk's customers into `column` (nothing
    /// for other signals). Customers without the signal's part get the value of zero
    /// components.
    pub(crate) fn shrunk_into(&self, context: &Context, signal: Signal, column: &mut [f64]) {
        debug_assert_eq!(column.len(), self.dialogue.len(), "a column of the chunk");
        let zero = Components::default();
        let Some(none) = context.shrunk(signal, &zero) else {
            return;
        };
        let value = |c: &Components| context.shrunk(signal, c).unwrap_or(none);
        match signal {
            Signal::Dialogue => {
                for (v, &(responses_w, outreach_w)) in column.iter_mut().zip(&self.dialogue) {
                    *v = value(&Components {
                        responses_w,
                        outreach_w,
                        ..zero
                    });
                }
            }
            Signal::IdeaQuality => {
                column.fill(none);
                for &(i, q) in &self.ideas {
                    column[i as usize] = value(&q.components());
                }
            }
            // The session signals (the others returned above).
            _ => {
                column.fill(none);
                for &(i, s) in &self.sessions {
                    column[i as usize] = value(&s.components());
                }
            }
        }
    }
}

impl IdeaParts {
    fn of(c: &Components) -> IdeaParts {
        IdeaParts {
            succeeded: c.succeeded,
            decided: c.decided,
        }
    }

    /// Components with this part, and zero otherwise.
    fn components(self) -> Components {
        Components {
            succeeded: self.succeeded,
            decided: self.decided,
            ..Components::default()
        }
    }
}

impl SessionParts {
    fn of(c: &Components) -> SessionParts {
        SessionParts {
            attended_w: c.attended_w,
            invited_w: c.invited_w,
            rating_sum: c.rating_sum,
            rating_n: c.rating_n,
            contributions: c.contributions,
            attended_n: c.attended_n,
        }
    }

    /// Components with this part, and zero otherwise.
    fn components(self) -> Components {
        Components {
            attended_w: self.attended_w,
            invited_w: self.invited_w,
            rating_sum: self.rating_sum,
            rating_n: self.rating_n,
            contributions: self.contributions,
            attended_n: self.attended_n,
            ..Components::default()
        }
    }
}

/// Everything population-level the signals need as of `T`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Context {
    pub t: i64,
    pub lambda: f64,
    pub clock: Clock,
    /// The weights of the decay rate: made once per date, not per customer explained.
    pub decay: Decay,
    pub curves: TopicCurves,
    pub dialogue: BetaPrior,
    pub attendance: BetaPrior,
    pub quality: BetaPrior,
    pub rating_mean: f64,
    pub rating_strength: f64,
    pub contributions_mean: f64,
    pub contributions_strength: f64,
}

impl Context {
    /// Fits the priors to every customer's components, given in chunks of customers with the
    /// first pass over each chunk already made ([`ChunkComponents`]).
    pub(crate) fn fit(
        components: &[ChunkComponents],
        curves: TopicCurves,
        params: &SignalParams,
        t: i64,
    ) -> Context {
        // Every prior and mean in two passes over the components, in parallel over chunks of
        // customers whose partial sums are added in chunk order (the same result every time).
        // The first pass (totals) was made as each chunk's components were written; here its
        // partial sums are added, then the second pass (the spread around the pooled rates).
        let mut totals = [PriorTotals::default(); 3];
        let mut sums = [0.0; 4];
        for chunk in components {
            for (total, p) in totals.iter_mut().zip(chunk.first.totals) {
                total.merge(p);
            }
            for (sum, p) in sums.iter_mut().zip(chunk.first.sums) {
                *sum += p;
            }
        }
        let [rating_sum, rating_n, contributions, attended] = sums;
        let around = totals.map(PriorTotals::spread);
        let seconds = map_each(components.iter().collect(), |chunk| chunk.spreads(around));
        let mut spreads = around;
        for part in seconds {
            for (spread, p) in spreads.iter_mut().zip(part) {
                spread.merge(p);
            }
        }
        let [dialogue, attendance, quality] = spreads.map(PriorSpread::prior);
        let mean = |sum: f64, n: f64, otherwise: f64| if n > 0.0 { sum / n } else { otherwise };
        Context {
            t,
            lambda: params.decay_rate(),
            clock: Clock::new(t, params),
            decay: Decay::new(params.decay_rate()),
            curves,
            dialogue,
            attendance,
            quality,
            // Without any rating, the middle of the 1-to-5 scale.
            rating_mean: mean(rating_sum, rating_n, 3.0),
            rating_strength: params.rating_prior_strength,
            contributions_mean: mean(contributions, attended, 0.0),
            contributions_strength: params.contributions_prior_strength,
        }
    }

    /// The value of a shrunk signal from a customer's components; `None` for other signals.
    pub(crate) fn shrunk(&self, signal: Signal, c: &Components) -> Option<f64> {
        Some(match signal {
            Signal::Dialogue => self
                .dialogue
                .shrink(c.responses_w.min(c.outreach_w), c.outreach_w),
            Signal::Attendance => self.attendance.shrink(c.attended_w, c.invited_w),
            Signal::IdeaQuality => self.quality.shrink(c.succeeded, c.decided),
            Signal::SessionRating => {
                (c.rating_sum + self.rating_strength * self.rating_mean)
                    / (c.rating_n + self.rating_strength)
            }
            Signal::SessionContributions => {
                (c.contributions + self.contributions_strength * self.contributions_mean)
                    / (c.attended_n + self.contributions_strength)
            }
            _ => return None,
        })
    }

    /// A signal's value for a customer's facts.
    #[cfg(test)]
    pub(crate) fn value(&self, signal: Signal, facts: &Facts) -> f64 {
        facts
            .tally
            .own_value(signal, &self.clock, &self.curves)
            .or_else(|| self.shrunk(signal, &facts.tally.components(&self.clock)))
            .unwrap_or(0.0)
    }

    /// The prior of a shrunk rate signal.
    pub(crate) fn prior(&self, signal: Signal) -> Option<BetaPrior> {
        match signal {
            Signal::Dialogue => Some(self.dialogue),
            Signal::Attendance => Some(self.attendance),
            Signal::IdeaQuality => Some(self.quality),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SignalTable;
    use crate::synthetic::{Generator, GeneratorConfig};

    #[test]
    fn pairs_that_are_no_rate_are_refused_by_the_prior_fit() {
        use crate::ErrorKind;
        for (pairs, kind) in [
            (vec![(f64::NAN, 1.0), (1.0, 2.0)], ErrorKind::NonFinite),
            (vec![(1.0, f64::INFINITY)], ErrorKind::NonFinite),
            (vec![(1.0, 2.0), (-1.0, 1.0)], ErrorKind::InvalidParameter),
            (vec![(2.0, 1.0)], ErrorKind::InvalidParameter),
            (vec![(0.0, -1.0)], ErrorKind::InvalidParameter),
            // Each pair a rate, but the totals overflow.
            (
                vec![(1e308, 1e308), (1e308, 1e308)],
                ErrorKind::InvalidParameter,
            ),
            (
                vec![(1e308, 1.7e308), (0.0, 1.7e308)],
                ErrorKind::InvalidParameter,
            ),
        ] {
            assert_eq!(
                BetaPrior::fit(pairs.clone()).unwrap_err().kind(),
                kind,
                "{pairs:?}"
            );
        }
        // No trials at all: uniform.
        let uniform = BetaPrior::fit([(0.0, 0.0)]).unwrap();
        assert_eq!((uniform.a, uniform.b), (1.0, 1.0));
    }

    /// One trial each, give or take the last bit of a weight, is one trial each: strength 2,
    /// not 1000 (or 1) from dividing by a sum of rounding errors.
    #[test]
    fn trials_beyond_the_first_that_are_rounding_estimate_nothing() {
        let rates = |trials: f64| (0..10).map(move |i| (if i < 3 { trials } else { 0.0 }, trials));
        for trials in [1.0, 1.0 + f64::EPSILON, 1.0 + 2.0 * f64::EPSILON] {
            let prior = BetaPrior::fit(rates(trials)).unwrap();
            assert_eq!(prior.strength(), DEFAULT_STRENGTH, "{trials}");
        }
        // One real second trial is data.
        let mut pairs: Vec<(f64, f64)> = rates(1.0).collect();
        pairs.push((2.0, 2.0));
        assert_ne!(BetaPrior::fit(pairs).unwrap().strength(), DEFAULT_STRENGTH);
    }

    /// Ten customers invited to a survey at the as-of time (three of them responding): the
    /// dialogue prior is the same as of that second and of the next, though each invitation's
    /// weight is 1 only up to rounding.
    #[test]
    fn a_survey_wave_at_the_as_of_time_gives_the_prior_of_a_second_later() {
        use crate::{Channel, Customer, Interaction, InteractionKind, Population, Signal};
        let t0 = 1_710_000_000;
        let at = |s: i64| jiff::Timestamp::from_second(s).unwrap();
        let mut b = Population::builder();
        for i in 0..10 {
            let id = format!("c{i}");
            b.add_customer(Customer::new(id.as_str())).unwrap();
            let survey = |kind| Interaction::new(id.as_str(), at(t0), Channel::Survey, kind);
            b.add_interaction(survey(InteractionKind::Outreach))
                .unwrap();
            if i < 3 {
                b.add_interaction(survey(InteractionKind::Response))
                    .unwrap();
            }
        }
        let p = b.build().unwrap();
        let strength = |t: i64| {
            let table = SignalTable::compute(&p, at(t), &crate::SignalParams::default()).unwrap();
            table.prior(Signal::Dialogue).unwrap().strength()
        };
        assert_eq!(strength(t0), DEFAULT_STRENGTH);
        assert_eq!(strength(t0 + 1), DEFAULT_STRENGTH);
    }

    /// Every value of a table, own and shrunk, is the one the customer's own facts give against
    /// the table's context, bit for bit, whatever chunk the customer was counted in (the parts
    /// of the rate components are stored only for the customers who have some).
    #[test]
    fn a_tables_values_are_each_customers_own() {
        let population = over_chunks(2, 33, 11);
        let params = SignalParams::default();
        let dates = crate::time::monthly_dates(population.latest().unwrap(), 7).unwrap();
        let signals: Vec<Signal> = Signal::ALL
            .iter()
            .copied()
            .filter(|&s| crate::signals::tally::is_own(s) || shrunk_signal(s))
            .collect();
        let mut with_parts = [0; 2];
        for as_of in [dates[0], dates[6]] {
            let table = SignalTable::compute(&population, as_of, &params).unwrap();
            let context = &table.context;
            for c in population.customers() {
                let facts = Facts::gather(&population, c.get(), &params, context);
                let parts = facts.tally.components(&context.clock);
                with_parts[0] += usize::from(parts.invited_w > 0.0);
                with_parts[1] += usize::from(parts.decided > 0.0);
                for &signal in &signals {
                    // The column's, whether or not the customer was known yet (`value` is
                    // `None` before then).
                    let got = table.column(signal).map(|column| column[c.get()]);
                    let expected = context.value(signal, &facts);
                    assert_eq!(
                        got.map(f64::to_bits),
                        Some(expected.to_bits()),
                        "{signal}, {c:?}"
                    );
                }
            }
        }
        // The customers with session or idea parts are some, not all.
        let everyone = 2 * population.len();
        assert!(
            with_parts.iter().all(|&n| n > 50 && n < everyone),
            "{with_parts:?}"
        );
    }

    /// A synthetic population of `chunks` whole chunks of customers and `more` customers.
    fn over_chunks(chunks: usize, more: usize, seed: u64) -> crate::Population {
        let config = GeneratorConfig {
            customers: chunks * crate::parallel::CHUNK + more,
            seed,
            ..Default::default()
        };
        Generator::new(config).generate().unwrap().population
    }

    fn shrunk_signal(signal: Signal) -> bool {
        let context = Context::fit(&[], TopicCurves::default(), &SignalParams::default(), 0);
        context.shrunk(signal, &Components::default()).is_some()
    }

    /// The priors' second pass over chunks whose customers have ideas or sessions, or neither:
    /// the spreads of every rate pair, and the same priors as fitted to all customers' pairs.
    #[test]
    fn the_second_pass_reads_every_customers_parts() {
        // Weighted sums, whose spreads round: the order of additions shows in the last bits.
        let parts = [
            (1.1, 4.3),
            (2.9, 3.7),
            (0.0, 0.0),
            (2.2, 5.9),
            (4.7, 6.1),
            (0.3, 3.3),
        ];
        let components: Vec<Components> = (0..24)
            .map(|i| {
                if i % 7 == 3 {
                    // Invited (twice, weighted), and nothing else.
                    return Components {
                        invited_w: 2.0,
                        ..Components::default()
                    };
                }
                let (s, n) = parts[i % parts.len()];
                let (s2, n2) = parts[(i / 2 + 1) % parts.len()];
                Components {
                    responses_w: s2,
                    outreach_w: n2,
                    attended_w: s,
                    invited_w: n,
                    succeeded: s2,
                    decided: n2,
                    rating_sum: 4.0 * s,
                    rating_n: s,
                    contributions: n2,
                    attended_n: s,
                }
            })
            .collect();
        let mut chunks = vec![ChunkComponents::default(); 2];
        for (chunk, half) in chunks.iter_mut().zip(components.chunks(12)) {
            chunk.start(half.len());
            half.iter().enumerate().for_each(|(i, &c)| chunk.set(i, c));
        }
        let context = Context::fit(&chunks, TopicCurves::default(), &SignalParams::default(), 0);
        // Each chunk's spreads are those of its customers' full components, added in order, bit
        // for bit.
        let around = [(0.4, 1.0), (0.3, 2.0), (0.6, 3.0)].map(|(successes, trials)| {
            let mut totals = PriorTotals::default();
            totals.add(successes, trials);
            totals.spread()
        });
        let bits = |s: &PriorSpread| {
            let numbers = [s.mu, s.weighted_squares, s.excess_trials, s.m];
            (s.any_trials, numbers.map(f64::to_bits))
        };
        for (chunk, half) in chunks.iter().zip(components.chunks(12)) {
            let mut full = around;
            for c in half {
                let (responses, outreach) = dialogue_pair(c.responses_w, c.outreach_w);
                full[0].add(responses, outreach);
                full[1].add(c.attended_w, c.invited_w);
                full[2].add(c.succeeded, c.decided);
            }
            assert_eq!(
                chunk.spreads(around).map(|s| bits(&s)),
                full.map(|s| bits(&s))
            );
        }
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
        let same = |fitted: BetaPrior, pairs: Vec<(f64, f64)>| {
            let expected = BetaPrior::fit(pairs).unwrap();
            assert!(close(fitted.a, expected.a) && close(fitted.b, expected.b));
            // Neither uniform nor at a bound of its strength: the spread mattered.
            assert!(fitted.strength() > MIN_STRENGTH && fitted.strength() < MAX_STRENGTH);
        };
        let pairs = |f: fn(&Components) -> (f64, f64)| components.iter().map(f).collect();
        same(
            context.dialogue,
            pairs(|c| dialogue_pair(c.responses_w, c.outreach_w)),
        );
        same(context.attendance, pairs(|c| (c.attended_w, c.invited_w)));
        same(context.quality, pairs(|c| (c.succeeded, c.decided)));
        // And each chunk's shrunk values are those of its customers' full components.
        for (chunk, half) in chunks.iter().zip(components.chunks(12)) {
            for signal in Signal::ALL.iter().copied().filter(|&s| shrunk_signal(s)) {
                let mut column = vec![f64::NAN; half.len()];
                chunk.shrunk_into(&context, signal, &mut column);
                for (got, c) in column.iter().zip(half) {
                    let expected = context.shrunk(signal, c).unwrap();
                    assert_eq!(got.to_bits(), expected.to_bits(), "{signal}");
                }
            }
        }
    }

    /// The priors and means of a table are those of every customer's rates, whatever chunks the
    /// customers were counted in (more than one chunk here).
    #[test]
    fn the_priors_are_fitted_to_every_customers_rates() {
        let population = over_chunks(3, 17, 5);
        let params = SignalParams::default();
        let table = SignalTable::compute(&population, population.latest().unwrap(), &params);
        let context = &table.unwrap().context;
        let components: Vec<Components> = population
            .customers()
            .map(|c| {
                let facts = Facts::gather(&population, c.get(), &params, context);
                facts.tally.components(&context.clock)
            })
            .collect();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
        let same = |fitted: BetaPrior, pairs: Vec<(f64, f64)>| {
            let expected = BetaPrior::fit(pairs).unwrap();
            assert!(close(fitted.a, expected.a) && close(fitted.b, expected.b));
        };
        same(
            context.dialogue,
            components
                .iter()
                .map(|c| dialogue_pair(c.responses_w, c.outreach_w))
                .collect(),
        );
        let attended = components.iter().map(|c| (c.attended_w, c.invited_w));
        same(context.attendance, attended.collect());
        let quality = components.iter().map(|c| (c.succeeded, c.decided));
        same(context.quality, quality.collect());
        let total = |f: fn(&Components) -> f64| components.iter().map(f).sum::<f64>();
        let rating = total(|c| c.rating_sum) / total(|c| c.rating_n);
        assert!(close(context.rating_mean, rating));
        let contributions = total(|c| c.contributions) / total(|c| c.attended_n);
        assert!(close(context.contributions_mean, contributions));
    }
}

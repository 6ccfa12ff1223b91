//! Signals: one number per customer, computed as of a point in time from what was known then.
//!
//! [`SignalTable::compute`] sweeps each customer's events up to the as-of time `T` once and
//! produces every [`Signal`] as a column (`Vec<f64>` indexed by [`CustomerIndex`]). Nothing after
//! `T` is read: not later interactions, not ideas submitted later, not decisions made later (an
//! idea decided after `T` counts as undecided), not sessions held later, and the topic curves of
//! the ahead-of-trend signal are cut at `T` too. Scores for any past date can therefore be
//! reproduced and back-tested.
//!
//! The sweep keeps, per customer, a running tally (decayed sums, counts, the last use of each
//! channel and kind, the topics raised early, cursors into the events). One date is a tally
//! advanced once; a score history ([`ScoringModel::score_history`](crate::ScoringModel::score_history))
//! advances every customer's tally from date to date, reading each event once, and gets for each
//! date exactly the values of that date computed alone.
//!
//! # Time decay
//!
//! Old activity fades: an event at time `t` weighs `w(t) = 0.5^((T - t) / h)` with the half-life
//! `h` ([`SignalParams::half_life_days`], default 180 days). "Decayed count" below means the sum
//! of `w` over the events counted.
//!
//! # Shrinkage
//!
//! Rates built on few observations are pulled toward the population: a customer who answered 1 of
//! 1 surveys is not more reliable than one who answered 8 of 10. Rates of successes out of trials
//! use an empirical-Bayes Beta prior `Beta(a, b)` fitted to the population as of `T` (see
//! [`BetaPrior`]); the shrunk rate is `(successes + a) / (trials + a + b)`. Means of ratings and
//! contributions are shrunk toward the population mean with a fixed prior strength.

mod context;
mod facts;
mod survey;
mod sweep;
mod tally;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use context::BetaPrior;
pub(crate) use context::{Context, TopicCurves};
pub(crate) use facts::Facts;
pub(crate) use sweep::{SignalSweep, only};

use crate::btyd::{ActivityParams, FitOptions};
use crate::error::{check_at_most, check_non_negative, check_positive};
use crate::evidence::QuestionnaireParams;
use crate::record::named_enum;
use crate::{CustomerId, CustomerIndex, Error, Population, Result};

named_enum! {
    /// A signal: one number per customer as of a time `T`. Each variant's documentation gives its
    /// formula, where `w(t) = 2^(-(T - t) / h)` is the decay weight of an event at `t` with the
    /// half-life `h` ([`SignalParams::half_life_days`]).
    ///
    /// Engagement signals say whether the relationship is live and two-way; innovation signals
    /// whether the customer brings the future. Four are reported beside the score and are not in
    /// the default model ([`SignalFamily::Reported`]: purchases, complaints, social mentions,
    /// message volume), because volume, revenue and noise must not make a lead customer.
    ///
    /// ```
    /// use lead_customers::{Signal, SignalFamily};
    /// assert_eq!(Signal::AheadOfTrend.as_str(), "ahead_of_trend");
    /// assert_eq!("idea_quality".parse::<Signal>(), Ok(Signal::IdeaQuality));
    /// assert_eq!(Signal::Complaints.family(), SignalFamily::Reported);
    /// ```
    pub enum Signal {
        /// Engagement. How recently the customer acted: `w(t_last)`, the decay weight of their
        /// latest interaction other than company outreach (1 today, 0.5 one half-life ago, 0 if
        /// never). A weight rather than a number of days, so that higher is better and a customer
        /// never seen is exactly 0.
        Recency = "recency",
        /// Engagement. Decayed activity with diminishing returns: `ln(1 + Σ w(t))` over the
        /// customer's interactions, excluding outreach the company sent.
        Activity = "activity",
        /// Engagement. Breadth of the relationship: `(Σ_channels w(last use) / 11 +
        /// Σ_kinds w(last use) / 15) / 2`, the channels and kinds of interaction (outreach
        /// excluded) the customer uses, each weighted by how recently it was last used; in [0, 1].
        Breadth = "breadth",
        /// Engagement. Dialogue: the share of company outreach (surveys, interviews, invitations)
        /// the customer answers, in decayed counts and shrunk toward the population:
        /// `(min(R, O) + a) / (O + a + b)` with `R` the decayed responses, `O` the decayed
        /// outreach and `Beta(a, b)` the population's prior.
        Dialogue = "dialogue",
        /// Engagement. Co-design attendance: sessions attended out of sessions invited to, in
        /// decayed counts, shrunk: `(A + a) / (I + a + b)`.
        Attendance = "attendance",
        /// Innovation. Ideas submitted, decayed, with diminishing returns: `ln(1 + Σ w(t))` over
        /// ideas submitted by `T`.
        Ideas = "ideas",
        /// Innovation. Idea quality: ideas accepted or shipped out of ideas decided (accepted,
        /// shipped or declined) by `T`, shrunk with the population's empirical-Bayes prior:
        /// `(s + a) / (d + a + b)`. Not decayed: it is a track record. A customer with no decided
        /// idea gets the population rate `a / (a + b)`.
        IdeaQuality = "idea_quality",
        /// Innovation. Workarounds reported (self-built solutions): `ln(1 + Σ w(t))`.
        Workarounds = "workarounds",
        /// Innovation. Early adoption: `ln(1 + Σ w(t))` over beta joins and early adoptions.
        EarlyAdoption = "early_adoption",
        /// Innovation. Ahead of trend: raising topics before the crowd does, on topics that grew.
        /// For a topic `k` with `N_k` mentions by `T` (interactions other than outreach, and
        /// ideas), a mention with `r` mentions strictly before it sits at `q = r / N_k` on the
        /// topic's curve; mentions before the crowd's median (`q < 1/2`) earn `1 - 2q`. Each
        /// topic's earnings are weighted by its growth `g_k` in [0, 1] (see [`SignalParams`]:
        /// the recent mention rate against the earlier one, 0 for flat or fading topics), so an
        /// early word on a topic that never took off counts for nothing:
        /// `ln(1 + Σ_k g_k Σ_{mentions of k} max(0, 1 - 2q))`. Not decayed: calling a trend early
        /// stays to one's credit.
        AheadOfTrend = "ahead_of_trend",
        /// Innovation. Co-design contribution as rated by facilitators: the mean rating (1 to 5)
        /// over rated attended sessions, shrunk toward the population mean `μ` with strength `k`
        /// ([`SignalParams::rating_prior_strength`]): `(Σ ratings + k μ) / (n + k)`.
        SessionRating = "session_rating",
        /// Innovation. Contributions per attended session, shrunk toward the population mean with
        /// strength `k`: `(Σ contributions + k μ) / (sessions attended + k)`.
        SessionContributions = "session_contributions",
        /// Innovation. Sharing: helping other customers and bringing new ones,
        /// `ln(1 + Σ w(t))` over answers and referrals.
        Sharing = "sharing",
        /// Need. Intensity of use: `ln(1 + Σ w(t))` over usage interactions. Heavy use is a sign
        /// of high expected benefit; not in the default model.
        UsageIntensity = "usage_intensity",
        /// Reported. Decayed number of purchases. Revenue must not make a lead customer.
        PurchaseVolume = "purchase_volume",
        /// Reported. Decayed number of complaints. Noise is not insight.
        Complaints = "complaints",
        /// Reported. Decayed number of social media mentions. Reach is not insight.
        SocialMentions = "social_mentions",
        /// Reported. Total number of interactions by `T` (outreach excluded), not decayed:
        /// sheer message volume.
        MessageVolume = "message_volume",
        /// Engagement, computed only when a model asks for it. The probability that the customer
        /// is still active at `T` under a BG/NBD model fitted to the population's activity as of
        /// `T` (see [`btyd`](crate::btyd) and [`AliveSignalParams`]); 0 for a customer never
        /// active. Prefer it to [`Recency`](Signal::Recency) when customers' rhythms differ:
        /// three months of silence mean little for a customer who comes twice a year and much for
        /// one who came weekly, and only the model can tell them apart. Recency is simpler,
        /// needs no fit, and is enough when rhythms are alike.
        ProbabilityAlive = "probability_alive",
        /// Engagement, computed only when a model asks for it. The expected activity in the next
        /// [`AliveSignalParams::horizon_days`] under the same BG/NBD model, with diminishing
        /// returns: `ln(1 + E[Y(h) | x, t_x, T])`.
        ExpectedActivity = "expected_activity",
        /// Need. Lead-userness as the customer reports it in a questionnaire
        /// ([`SignalParams::questionnaire`], see [`evidence`](crate::evidence)): the mean of
        /// their scores on the two lead-user constructs (ahead of trend, expected benefit) that
        /// they have a score on, each put on [0, 1] as `(mean answer - 1) / (scale - 1)`, from
        /// answers given by `T` (a construct is scored from enough of its items answered). A
        /// questionnaire with neither construct has the mean over all its constructs instead. A
        /// customer with no construct scored has **no** value (not a zero): the signal is left
        /// out of their dimension and the other signals' weights are renormalized.
        LeadUserness = "lead_userness",
        /// Need. The questionnaire's ahead-of-trend construct alone, on [0, 1]; missing like
        /// [`LeadUserness`](Signal::LeadUserness). Research finds it predicts whether an
        /// innovation is commercially attractive.
        SurveyAheadOfTrend = "survey_ahead_of_trend",
        /// Need. The questionnaire's expected-benefit construct alone, on [0, 1]; missing like
        /// [`LeadUserness`](Signal::LeadUserness). Research finds it predicts whether a user
        /// innovates at all.
        SurveyExpectedBenefit = "survey_expected_benefit",
    }
}

/// The number of signals.
pub(crate) const SIGNALS: usize = Signal::ALL.len();

/// What a signal measures, for grouping in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalFamily {
    /// Is this a live, two-way relationship?
    Engagement,
    /// Does this customer bring the future?
    Innovation,
    /// Does this customer expect a high benefit?
    Need,
    /// Reported beside the score, not part of the default model.
    Reported,
}

impl Signal {
    /// Whether the signal is computed only when asked for ([`SignalTable::compute_for`]):
    /// the signals that need a model fitted to the population (BG/NBD).
    pub fn is_on_demand(self) -> bool {
        matches!(self, Signal::ProbabilityAlive | Signal::ExpectedActivity)
    }

    /// The family the signal belongs to.
    pub fn family(self) -> SignalFamily {
        use Signal::*;
        match self {
            Recency | Activity | Breadth | Dialogue | Attendance => SignalFamily::Engagement,
            Ideas | IdeaQuality | Workarounds | EarlyAdoption | AheadOfTrend | SessionRating
            | SessionContributions | Sharing => SignalFamily::Innovation,
            UsageIntensity | LeadUserness | SurveyAheadOfTrend | SurveyExpectedBenefit => {
                SignalFamily::Need
            }
            ProbabilityAlive | ExpectedActivity => SignalFamily::Engagement,
            PurchaseVolume | Complaints | SocialMentions | MessageVolume => SignalFamily::Reported,
        }
    }
}

/// The settings of signal computation, with documented defaults.
///
/// ```
/// use lead_customers::SignalParams;
/// let params = SignalParams { half_life_days: 90.0, ..SignalParams::default() };
/// assert!(params.check().is_ok());
/// assert!(SignalParams { half_life_days: 0.0, ..params.clone() }.check().is_err());
/// let mut no_horizon = params;
/// no_horizon.alive.horizon_days = -1.0;
/// assert!(no_horizon.check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignalParams {
    /// The half-life of time decay, in days. Default 180: half a year of silence halves the
    /// weight of what came before, a pace at which a product's roadmap changes.
    pub half_life_days: f64,
    /// The window, in days, over which a topic's recent mention rate is compared with its earlier
    /// rate to measure its growth. Default 180; at least one second (times are whole seconds).
    ///
    /// Growth `g = max(0, (ρ_recent - ρ_before) / (ρ_recent + ρ_before))`, where `ρ_recent` is
    /// the topic's mentions per day in `(T - window, T]` and `ρ_before` its mentions per day from
    /// its first mention to `T - window` (over at least one window length).
    pub growth_window_days: f64,
    /// A topic needs at least this many mentions by `T` to count as a trend. Default 10.
    pub min_topic_mentions: u32,
    /// Prior strength, in sessions, of the shrinkage of facilitator ratings toward the
    /// population mean. Default 2. At most [`MAX_PRIOR_STRENGTH`].
    pub rating_prior_strength: f64,
    /// Prior strength, in sessions, of the shrinkage of contributions per session. Default 2. At
    /// most [`MAX_PRIOR_STRENGTH`].
    pub contributions_prior_strength: f64,
    /// The BG/NBD model behind [`Signal::ProbabilityAlive`] and [`Signal::ExpectedActivity`].
    pub alive: AliveSignalParams,
    /// The questionnaire behind [`Signal::LeadUserness`] and the survey signals. Default: the
    /// two lead-user constructs on a 5-point scale ([`QuestionnaireParams::default`]). Answers
    /// to items it does not have are kept in the population but not used here.
    pub questionnaire: QuestionnaireParams,
}

/// The largest prior strength of the session signals, in sessions: 10¹².
///
/// Why a bound: the shrunk value is `(Σ x + k μ) / (n + k)`, and `k μ` must stay finite. With
/// ratings of 1 to 5 and whole contributions it would overflow only near 10²⁹⁸; the bound is a
/// choice about meaning instead. Beyond a trillion sessions a prior says nothing more (every
/// customer's value is then the mean plus a vanishing share of their own difference from it),
/// and `k μ` stays far from overflowing.
///
/// ```
/// use lead_customers::{MAX_PRIOR_STRENGTH, SignalParams};
/// let params = SignalParams { rating_prior_strength: MAX_PRIOR_STRENGTH, ..SignalParams::default() };
/// assert!(params.check().is_ok());
/// let params = SignalParams { rating_prior_strength: f64::MAX, ..SignalParams::default() };
/// assert!(params.check().is_err());
/// ```
pub const MAX_PRIOR_STRENGTH: f64 = 1e12;

/// The longest horizon of [`Signal::ExpectedActivity`]: a century, in days. Why: activity
/// expected further ahead says nothing about a customer today, and a horizon beyond any
/// customer's lifetime is a mistake in the settings, better refused when they are checked than
/// met when scoring. It is a sanity bound, not a promise: the BG/NBD series behind the signal
/// gives up at some thousands of times α + T (the model's scale plus the customer's age), so
/// with a small α even a horizon within it can fail, with a clear error, on a customer first
/// active at the as-of time.
///
/// ```
/// use lead_customers::{MAX_HORIZON_DAYS, SignalParams};
/// let mut params = SignalParams::default();
/// params.alive.horizon_days = MAX_HORIZON_DAYS;
/// assert!(params.check().is_ok());
/// params.alive.horizon_days = 1e300;
/// assert!(params.check().is_err());
/// ```
pub const MAX_HORIZON_DAYS: f64 = 36_525.0;

/// The settings of the BG/NBD signals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AliveSignalParams {
    /// What counts as activity. Default: every interaction the customer starts
    /// ([`ActivityParams::customer_initiated`]), since engagement is about the relationship, not
    /// only purchases (and prospects never purchase).
    pub activity: ActivityParams,
    /// The horizon of [`Signal::ExpectedActivity`], in days. Default 90: the next quarter. At
    /// most [`MAX_HORIZON_DAYS`].
    pub horizon_days: f64,
    /// How the model is fitted. Default: [`FitOptions::default`].
    pub fit: FitOptions,
}

impl Default for AliveSignalParams {
    fn default() -> Self {
        AliveSignalParams {
            activity: ActivityParams::customer_initiated(),
            horizon_days: 90.0,
            fit: FitOptions::default(),
        }
    }
}

impl Default for SignalParams {
    fn default() -> Self {
        SignalParams {
            half_life_days: 180.0,
            growth_window_days: 180.0,
            min_topic_mentions: 10,
            rating_prior_strength: 2.0,
            contributions_prior_strength: 2.0,
            alive: AliveSignalParams::default(),
            questionnaire: QuestionnaireParams::default(),
        }
    }
}

impl SignalParams {
    /// Checks the half-life (finite and positive, with a finite decay rate above the smallest
    /// normal number), the growth window (finite, at least one second), the prior strengths
    /// (above 0, at most [`MAX_PRIOR_STRENGTH`]) and the BG/NBD horizon (from zero to
    /// [`MAX_HORIZON_DAYS`]).
    /// The questionnaire is checked whenever signals are computed, and the BG/NBD model's
    /// activity and fitting settings when its signals are.
    pub fn check(&self) -> Result<()> {
        check_positive("half_life_days", self.half_life_days)?;
        let rate = self.decay_rate();
        if !rate.is_finite() {
            // A half-life so short (below about 4.5e-314 days) that `ln 2 / h` overflows:
            // every weight would be NaN.
            return Err(Error::parameter(
                "half_life_days",
                self.half_life_days,
                "is too short for a finite decay rate",
            ));
        }
        if !rate.is_normal() {
            // A half-life so long (above about 3.6e302 days) that `ln 2 / h` is subnormal: it
            // keeps too few digits to mean a rate, and its inverse, the half-life quoted in
            // reasons, overflows.
            return Err(Error::parameter(
                "half_life_days",
                self.half_life_days,
                "is too long for a decay rate that keeps its precision",
            ));
        }
        let window_days = check_positive("growth_window_days", self.growth_window_days)?;
        if window_days * (crate::time::SECONDS_PER_DAY as f64) < 1.0 {
            // Times are whole seconds: a shorter window would be no window at all, and every
            // topic's growth 0.
            return Err(Error::parameter(
                "growth_window_days",
                self.growth_window_days,
                "must be at least one second (1/86,400 days)",
            ));
        }
        let horizon = check_non_negative("alive.horizon_days", self.alive.horizon_days)?;
        check_at_most("alive.horizon_days", horizon, MAX_HORIZON_DAYS, || {
            format!("must be at most {MAX_HORIZON_DAYS} days (a century)")
        })?;
        for (parameter, strength) in [
            ("rating_prior_strength", self.rating_prior_strength),
            (
                "contributions_prior_strength",
                self.contributions_prior_strength,
            ),
        ] {
            let strength = check_positive(parameter, strength)?;
            check_at_most(parameter, strength, MAX_PRIOR_STRENGTH, || {
                format!("must be at most {MAX_PRIOR_STRENGTH:e} sessions")
            })?;
        }
        Ok(())
    }

    /// The decay rate `λ = ln 2 / h` per second.
    pub(crate) fn decay_rate(&self) -> f64 {
        std::f64::consts::LN_2 / (self.half_life_days * crate::time::SECONDS_PER_DAY as f64)
    }
}

/// Every signal of every customer as of one time: one column per [`Signal`].
///
/// ```
/// use lead_customers::synthetic::{Generator, GeneratorConfig};
/// use lead_customers::{Signal, SignalParams, SignalTable};
/// let base = Generator::new(GeneratorConfig { customers: 300, ..Default::default() }).generate()?;
/// let as_of = base.population.latest().unwrap();
/// let table = SignalTable::compute(&base.population, as_of, &SignalParams::default())?;
/// let recency = table.column(Signal::Recency).unwrap();
/// assert_eq!(recency.len(), 300);
/// assert!(recency.iter().all(|r| (0.0..=1.0).contains(r)));
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SignalTable {
    as_of: jiff::Timestamp,
    /// The customers of the population the table was computed from, shared with it.
    pub(crate) customers: Arc<Vec<CustomerId>>,
    /// One column per signal; `None` for an on-demand signal that was not asked for.
    columns: Vec<Option<Vec<f64>>>,
    /// Per signal: which customers have a value, where some have none for the signal's own
    /// reason (the questionnaire signals: only respondents); `None` otherwise.
    known: Vec<Option<Vec<bool>>>,
    /// Which customers were known at the as-of time ([`Population::known_at`]); `None` when
    /// all were. The others have a value of no signal.
    present: Option<Vec<bool>>,
    pub(crate) context: Context,
}

impl SignalTable {
    /// Computes every signal for every customer as of `as_of`, from data up to `as_of` only,
    /// except the on-demand signals ([`Signal::is_on_demand`]). The customers not known yet at
    /// `as_of` ([`Population::known_at`]) have no value of any signal: see
    /// [`known`](Self::known).
    ///
    /// Fails when `as_of` is before the population's first event, or the population has no
    /// events at all, or the parameters are invalid.
    pub fn compute(
        population: &Population,
        as_of: jiff::Timestamp,
        params: &SignalParams,
    ) -> Result<SignalTable> {
        Self::compute_for(population, as_of, params, &[])
    }

    /// Like [`compute`](Self::compute), and also computes the on-demand signals in `wanted`
    /// (others in `wanted` are always computed anyway). Fails also when a model behind an
    /// on-demand signal cannot be fitted.
    ///
    /// ```
    /// # use lead_customers::synthetic::{Generator, GeneratorConfig};
    /// use lead_customers::{Signal, SignalParams, SignalTable};
    /// # let base = Generator::new(GeneratorConfig { customers: 1_000, ..Default::default() }).generate()?;
    /// let as_of = base.population.latest().unwrap();
    /// let params = SignalParams::default();
    /// let table = SignalTable::compute_for(&base.population, as_of, &params, &[Signal::ProbabilityAlive])?;
    /// let alive = table.column(Signal::ProbabilityAlive).unwrap();
    /// assert!(alive.iter().all(|p| (0.0..=1.0).contains(p)));
    /// assert!(table.column(Signal::ExpectedActivity).is_none());
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn compute_for(
        population: &Population,
        as_of: jiff::Timestamp,
        params: &SignalParams,
        wanted: &[Signal],
    ) -> Result<SignalTable> {
        sweep::one_date(population, as_of, params, &sweep::all_but_on_demand(wanted))
    }

    /// The as-of time.
    pub fn as_of(&self) -> jiff::Timestamp {
        self.as_of
    }

    /// A signal's column, indexed by [`CustomerIndex::get`]; `None` for an on-demand signal
    /// that was not computed. A customer without a value (see [`known`](Self::known)) holds a
    /// placeholder there; [`value`](Self::value) reads a value only where there is one.
    pub fn column(&self, signal: Signal) -> Option<&[f64]> {
        self.columns[signal.index()].as_deref()
    }

    /// Which customers have a value of a signal; `None` when every customer has one. A customer
    /// has no value of the questionnaire signals without answers, and of any signal as of a
    /// time before the company knew them ([`Population::known_at`]): they take no part in the
    /// normalization then. In [`column`](Self::column), a customer without a value holds a
    /// placeholder (0 for a non-respondent).
    pub fn known(&self, signal: Signal) -> Option<&[bool]> {
        self.known[signal.index()]
            .as_deref()
            .or(self.present.as_deref())
    }

    /// Which customers were known at the as-of time ([`Population::known_at`]), by
    /// [`CustomerIndex`]; `None` when all were.
    pub fn known_customers(&self) -> Option<&[bool]> {
        self.present.as_deref()
    }

    /// Which customers have a value of a signal for the signal's own reason (the questionnaire
    /// signals), among those known at the as-of time; `None` when every customer known has one.
    pub(crate) fn own_known(&self, signal: Signal) -> Option<&[bool]> {
        self.known[signal.index()].as_deref()
    }

    /// One customer's value of a signal; `None` for an on-demand signal that was not computed,
    /// or a value the customer does not have.
    pub fn value(&self, signal: Signal, customer: CustomerIndex) -> Option<f64> {
        let known = self.known(signal).is_none_or(|k| k[customer.get()]);
        self.column(signal)
            .filter(|_| known)
            .map(|column| column[customer.get()])
    }

    /// Fails unless the table was computed from `population`'s customers (the same customer ids
    /// in the same order): its rows would otherwise be read beside other customers' facts.
    pub(crate) fn check_customers(&self, population: &Population) -> Result<()> {
        if crate::population::same_customers(&self.customers, &population.ids) {
            Ok(())
        } else {
            Err(Error::parameter(
                "signal table",
                format!("{} customers", self.len()),
                "must be computed from this population (the same customer ids in the same order)",
            ))
        }
    }

    /// The number of customers.
    pub fn len(&self) -> usize {
        self.columns.iter().flatten().next().map_or(0, Vec::len)
    }

    /// Whether the table has no customers (never, for a table computed from a population).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The population's fitted prior of a shrunk rate signal ([`Signal::Dialogue`],
    /// [`Signal::Attendance`], [`Signal::IdeaQuality`]); `None` for other signals.
    pub fn prior(&self, signal: Signal) -> Option<BetaPrior> {
        self.context.prior(signal)
    }
}

/// Checks an as-of time against the population's data and converts it to seconds.
pub(crate) fn check_as_of(population: &Population, as_of: jiff::Timestamp) -> Result<i64> {
    let earliest = population
        .earliest()
        .ok_or(Error::NoEvents { what: "scoring" })?;
    if as_of < earliest {
        return Err(Error::AsOfBeforeData { as_of, earliest });
    }
    Ok(crate::time::as_of_second(as_of))
}

//! Co-design cohorts: the right people for the next session on a topic.
//!
//! Finding lead customers is half of the job; the other half is getting a good group of them
//! into a room. A [`CohortRequest`] says what the session needs (a topic, a size, a mix of
//! customer segments and of customers and prospects, who must or must not come);
//! [`plan_cohort`] picks the people from a population's [`Scores`] and returns a [`Cohort`]:
//! the members, each with the reasons they were chosen, the alternates for no-shows, and a
//! summary.
//!
//! # Two kinds of segment
//!
//! - The **customer segment** is the free-text field of a [`Customer`](crate::Customer)
//!   (industry, size, region: [`Population::segment`]). The cap
//!   [`max_per_segment`](CohortRequest::max_per_segment) and the diversity term are about it, so
//!   that one kind of customer does not dominate the room. Customers without a segment form
//!   one group of their own (nothing says they differ from each other), counted apart from
//!   every named segment, so no segment name can be mistaken for it.
//! - The **score segment** ([`Segment`]: lead customer, engaged follower, latent innovator,
//!   dormant) is where scoring puts a customer on the engagement × innovation map. A
//!   [`Member`]'s `segment` is this one, as in the `rank` example's output; its customer segment
//!   is `customer_segment`.
//!
//! # Method
//!
//! 1. **Screen** everyone as of `T`, the scores' as-of time, in this order: on the
//!    [exclusion list](CohortRequest::exclude); attended a co-design session held within the
//!    [cooldown](CohortRequest::cooldown_days) before `T`; declined their last
//!    [`decline_limit`](CohortRequest::decline_limit) invitations in a row; lead score below the
//!    [minimum](CohortRequest::min_lead_score). Whoever passes is *eligible*. Customers not
//!    known yet at `T` ([`Population::known_at`]) have no score then, and are not considered.
//! 2. **Merit**: `m = (1 - β) L + β ρ`, with `L` the lead score, `ρ` the
//!    [topic relevance](TopicRelevance) and `β` the
//!    [`relevance_weight`](CohortRequest::relevance_weight). Without a topic, `m = L`.
//! 3. **Must-include** members take their places first; each must be eligible and together they
//!    must respect the cap and the prospect maximum.
//! 4. **Greedy with hard limits**: until the cohort is full, take the eligible person with the
//!    highest gain `m - δ n_s`, where `n_s` is the number of members already in their customer
//!    segment and `δ` the [`diversity_weight`](CohortRequest::diversity_weight), among those
//!    whose addition still lets the cohort be completed within the cap and the prospect bounds.
//!    Whether a partial cohort can be completed depends only on how many eligible prospects and
//!    customers each customer segment has left, and has a closed form (the possible fills are a
//!    polymatroid), so the check is exact and takes constant time: the greedy never paints
//!    itself into a corner, and fails only when no cohort at all meets the constraints. Ties go
//!    to the smaller customer id; the result is deterministic.
//! 5. **Alternates**: the next best eligible people by the same gain against the final cohort,
//!    in order.
//!
//! Every constraint is a hard limit. When they cannot all be met, the planner returns
//! [`Error::Infeasible`] naming the [`Constraint`] and the shortfall; it never returns a smaller
//! cohort.
//!
//! Cost: one pass over the customers (screening, and relevance for the requested topic only),
//! `O(n + m log m)` for the `m` people who raised the topic, an `O(n)` selection of the best
//! `size + alternates` people of each (customer segment, relationship), and a greedy over those.
//!
//! ```
//! use lead_customers::synthetic::{Generator, GeneratorConfig};
//! use lead_customers::{CohortRequest, Relationship, ScoringModel, plan_cohort};
//! let base = Generator::new(GeneratorConfig { customers: 2_000, ..Default::default() }).generate()?;
//! let p = &base.population;
//! let scores = ScoringModel::default().score_latest(p)?;
//! let request = CohortRequest {
//!     max_per_segment: Some(2),
//!     min_prospects: 1,
//!     ..CohortRequest::on_topic("offline sync", 8)
//! };
//! let cohort = plan_cohort(p, &scores, &request)?;
//! assert_eq!(cohort.members.len(), 8);
//! assert!(cohort.members.iter().any(|m| m.relationship == Relationship::Prospect));
//! assert!(cohort.summary.customer_segments.values().all(|&n| n <= 2));
//! for member in &cohort.members {
//!     println!("{} {:.3} {:.3} {}", member.customer_id, member.score, member.relevance,
//!         member.reasons.join("; "));
//! }
//! # Ok::<(), lead_customers::Error>(())
//! ```

mod greedy;
mod relevance;

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use relevance::TopicRelevance;

use crate::error::check_fraction;
use crate::population::same_population;
use crate::record::named_enum;
use crate::time::SECONDS_PER_DAY;
use crate::{
    CustomerId, CustomerIndex, Error, Population, Relationship, Result, Scores, Segment, TopicId,
};
use greedy::{Counts, Limits, Lists, Shortfall, UNLIMITED, list_of};
use relevance::TopicActivity;

named_enum! {
    /// A hard constraint of a [`CohortRequest`], named as its field: what an
    /// [`Error::Infeasible`] says failed.
    ///
    /// ```
    /// use lead_customers::Constraint;
    /// assert_eq!(Constraint::MinProspects.as_str(), "min_prospects");
    /// assert_eq!("cooldown_days".parse::<Constraint>(), Ok(Constraint::Cooldown));
    /// ```
    pub enum Constraint {
        /// The cohort's size: enough eligible people.
        Size = "size",
        /// At most so many members per customer segment.
        MaxPerSegment = "max_per_segment",
        /// At least so many prospects.
        MinProspects = "min_prospects",
        /// At most so many prospects.
        MaxProspects = "max_prospects",
        /// No one who attended a session within the cooldown.
        #[serde(alias = "cooldown")] // its JSON name before it was its field's
        Cooldown = "cooldown_days",
        /// No one who declined their last invitations.
        #[serde(alias = "declines")] // its JSON name before it was its field's
        Declines = "decline_limit",
        /// No one below the minimum lead score.
        MinLeadScore = "min_lead_score",
        /// No one on the exclusion list.
        Exclude = "exclude",
        /// Everyone on the must-include list.
        Include = "include",
    }
}

/// What a co-design session needs: the input of [`plan_cohort`].
///
/// Every field has a default (`#[serde(default)]`), so a JSON request names only what it
/// changes; unknown fields are refused, so that a misspelt constraint is not silently dropped.
/// [`check`](Self::check) validates a request once into a [`CohortPlanner`].
///
/// ```
/// use lead_customers::CohortRequest;
/// let request: CohortRequest =
///     serde_json::from_str(r#"{"topic": "offline sync", "size": 8, "min_prospects": 2}"#).unwrap();
/// assert_eq!(request.cooldown_days, 90);
/// assert!(request.check().is_ok());
/// assert!(serde_json::from_str::<CohortRequest>(r#"{"max_per_segmnet": 2}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CohortRequest {
    /// The session's topic, by name. Default `None`: no topic, members chosen by lead score and
    /// mix alone.
    pub topic: Option<String>,
    /// The number of members. Default 12: co-design sessions run with 6 to 20 people, and a
    /// dozen is enough voices for a mix and few enough for everyone to speak.
    pub size: usize,
    /// The as-of time. Default `None`: the scores' as-of time. When given it must equal the
    /// scores' as-of time, so that scores, relevance, cooldown and declines all read the same
    /// past.
    pub as_of: Option<Timestamp>,
    /// At most this many members per customer segment (the free-text [`Population::segment`],
    /// not the score [`Segment`]). Default `None`: no cap, the diversity term alone spreads the
    /// cohort.
    pub max_per_segment: Option<usize>,
    /// At least this many prospects (non-customer lead users). Default 0.
    pub min_prospects: usize,
    /// At most this many prospects. Default `None`: no maximum.
    pub max_prospects: Option<usize>,
    /// No one who attended a co-design session held within this many days before the as-of time.
    /// Default 90: a quarter between sessions spares people's time and brings fresh voices.
    /// 0 turns the cooldown off.
    pub cooldown_days: u32,
    /// No one whose last this-many invitations (to sessions held by the as-of time) were all
    /// declined. Default `Some(2)`: one decline is a busy week, two in a row is an answer.
    /// `None` turns the rule off.
    pub decline_limit: Option<u32>,
    /// Customer ids never to choose. Default empty. Ids the population does not have are
    /// ignored: an exclusion list (a do-not-contact list) may cover more than this data.
    pub exclude: Vec<CustomerId>,
    /// Customer ids that must be members. Default empty. Each must exist and be eligible, and
    /// together they must respect the cap and the prospect maximum. They come first among the
    /// members, in this order.
    pub include: Vec<CustomerId>,
    /// No one with a lead score below this, in [0, 1]. Default 0: merit already prefers high
    /// scores; raise it to keep a topic expert with a weak relationship out.
    pub min_lead_score: f64,
    /// How much topic relevance counts against the lead score, `β` in
    /// `merit = (1 - β) L + β ρ`, in [0, 1]. Default 0.5: a session on a topic needs people who
    /// know it as much as it needs lead customers. Ignored without a topic.
    pub relevance_weight: f64,
    /// The diversity term `δ`, in [0, 1]: each member already in a person's customer segment
    /// lowers their gain by `δ`. Default 0.05: a second member of the same segment must be 0.05
    /// better in merit than the best newcomer; a cap is the hard version.
    pub diversity_weight: f64,
    /// How many alternates to propose for no-shows. Default 6: half of a default cohort.
    pub alternates: usize,
}

impl Default for CohortRequest {
    fn default() -> Self {
        CohortRequest {
            topic: None,
            size: 12,
            as_of: None,
            max_per_segment: None,
            min_prospects: 0,
            max_prospects: None,
            cooldown_days: 90,
            decline_limit: Some(2),
            exclude: Vec::new(),
            include: Vec::new(),
            min_lead_score: 0.0,
            relevance_weight: 0.5,
            diversity_weight: 0.05,
            alternates: 6,
        }
    }
}

impl CohortRequest {
    /// A request for `size` members on a topic, with every other setting at its default.
    ///
    /// ```
    /// use lead_customers::CohortRequest;
    /// let request = CohortRequest::on_topic("offline sync", 10);
    /// assert_eq!(request.topic.as_deref(), Some("offline sync"));
    /// assert_eq!(request.size, 10);
    /// ```
    #[must_use]
    pub fn on_topic(topic: impl Into<String>, size: usize) -> CohortRequest {
        CohortRequest {
            topic: Some(topic.into()),
            size,
            ..CohortRequest::default()
        }
    }

    /// Checks what can be checked without data, into a planner.
    ///
    /// Invalid values are [`Error::InvalidParameter`]: a size, cap or decline limit of 0, a
    /// weight or minimum score outside [0, 1], a must-include id listed twice, an empty topic
    /// name. Settings that contradict each other are [`Error::Infeasible`]: more prospects
    /// required than places (`min_prospects`) or than allowed (`min_prospects` against
    /// `max_prospects`), more must-include ids than places (`include`), an id on both lists
    /// (`exclude`).
    ///
    /// ```
    /// use lead_customers::{CohortRequest, Constraint, Error};
    /// let request = CohortRequest { min_prospects: 3, max_prospects: Some(1), ..CohortRequest::default() };
    /// match request.check() {
    ///     Err(Error::Infeasible { constraint, needed, available, .. }) => {
    ///         assert_eq!((constraint, needed, available), (Constraint::MinProspects, 3, 1));
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn check(&self) -> Result<CohortPlanner> {
        if self.size == 0 {
            return Err(Error::parameter(
                "size",
                0,
                "a cohort needs at least one member",
            ));
        }
        if self.max_per_segment == Some(0) {
            return Err(Error::parameter(
                "max_per_segment",
                0,
                "must be at least 1 (use None for no cap)",
            ));
        }
        if self.decline_limit == Some(0) {
            return Err(Error::parameter(
                "decline_limit",
                0,
                "must be at least 1 (use None to turn the rule off)",
            ));
        }
        if self.topic.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(Error::parameter("topic", "\"\"", "must name a topic"));
        }
        check_fraction("min_lead_score", self.min_lead_score)?;
        check_fraction("relevance_weight", self.relevance_weight)?;
        check_fraction("diversity_weight", self.diversity_weight)?;
        let mut seen = HashSet::with_capacity(self.include.len());
        if let Some(id) = self.include.iter().find(|&id| !seen.insert(id)) {
            return Err(Error::parameter("include", id, "listed twice"));
        }
        if self.min_prospects > self.size {
            return Err(infeasible(
                Constraint::MinProspects,
                self.min_prospects,
                self.size,
                format!(
                    "{} prospects required in a cohort of {}",
                    self.min_prospects, self.size
                ),
            ));
        }
        if let Some(max) = self.max_prospects
            && self.min_prospects > max
        {
            return Err(infeasible(
                Constraint::MinProspects,
                self.min_prospects,
                max,
                format!(
                    "min_prospects {} is above max_prospects {max}",
                    self.min_prospects
                ),
            ));
        }
        if self.include.len() > self.size {
            return Err(infeasible(
                Constraint::Include,
                self.include.len(),
                self.size,
                format!(
                    "{} must-include ids for a cohort of {}",
                    self.include.len(),
                    self.size
                ),
            ));
        }
        let excluded: HashSet<&CustomerId> = match self.include.is_empty() {
            true => HashSet::new(),
            false => self.exclude.iter().collect(),
        };
        let both: Vec<&CustomerId> = self
            .include
            .iter()
            .filter(|id| excluded.contains(id))
            .collect();
        if let Some(first) = both.first() {
            return Err(infeasible(
                Constraint::Exclude,
                self.include.len(),
                self.include.len() - both.len(),
                format!(
                    "{first} is on both the must-include and the exclusion list ({} such ids)",
                    both.len()
                ),
            ));
        }
        Ok(CohortPlanner {
            request: self.clone(),
        })
    }
}

fn infeasible(constraint: Constraint, needed: usize, available: usize, detail: String) -> Error {
    Error::Infeasible {
        constraint,
        needed,
        available,
        detail,
    }
}

/// A checked [`CohortRequest`], ready to plan cohorts (see the [module docs](self) for the
/// method).
///
/// ```
/// # use lead_customers::synthetic::{Generator, GeneratorConfig};
/// use lead_customers::{CohortRequest, ScoringModel};
/// # let base = Generator::new(GeneratorConfig { customers: 1_000, ..Default::default() }).generate()?;
/// let scores = ScoringModel::default().score_latest(&base.population)?;
/// let planner = CohortRequest::on_topic("ai assistant", 6).check()?;
/// assert_eq!(planner.request().size, 6);
/// let cohort = planner.plan(&base.population, &scores)?;
/// assert_eq!(cohort.members.len(), 6);
/// assert_eq!(planner.plan(&base.population, &scores)?, cohort); // deterministic
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CohortPlanner {
    request: CohortRequest,
}

/// Plans a cohort: checks the request and runs [`CohortPlanner::plan`].
pub fn plan_cohort(
    population: &Population,
    scores: &Scores<'_>,
    request: &CohortRequest,
) -> Result<Cohort> {
    request.check()?.plan(population, scores)
}

/// Why someone is not eligible, in the order the screen applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screened {
    Eligible,
    Excluded,
    NotYetKnown,
    Cooldown,
    Declined,
    BelowMinScore,
}

/// How many people the screen let through, and why the others were left out. Each person is
/// counted once, under the first rule that leaves them out, in the order of the fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Screening {
    /// Everyone in the population known at the as-of time ([`Population::known_at`]; the
    /// others have no score then, and are neither considered nor counted).
    pub considered: usize,
    /// On the exclusion list.
    pub excluded: usize,
    /// Attended a session within the cooldown.
    pub in_cooldown: usize,
    /// Declined their last invitations.
    pub declined: usize,
    /// Lead score below the minimum.
    pub below_min_score: usize,
    /// Eligible (must-include members among them).
    pub eligible: usize,
}

/// A member of a cohort, or an alternate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// The customer's position in the population.
    #[serde(skip)]
    pub customer: CustomerIndex,
    /// The customer's id.
    pub customer_id: CustomerId,
    /// The lead score.
    pub score: f64,
    /// The topic relevance in [0, 1] (0 without a topic).
    pub relevance: f64,
    /// The score segment (lead customer, engaged follower, ...), as in the ranking.
    pub segment: Segment,
    /// The customer segment (the free-text field the cap is about); `None` when absent.
    pub customer_segment: Option<String>,
    /// Customer or prospect.
    pub relationship: Relationship,
    /// The merit `(1 - β) L + β ρ` the greedy ranked by.
    pub merit: f64,
    /// Why they were chosen, as sentences: must-include, the lead score and what lifts it, what
    /// they did on the topic, being a prospect, and whom they were chosen ahead of and why. For
    /// an alternate: their place in line, and whom they can replace.
    pub reasons: Vec<String>,
}

/// A cohort's composition at a glance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortSummary {
    /// Members.
    pub size: usize,
    /// Members who are prospects.
    pub prospects: usize,
    /// Members who are customers.
    pub customers: usize,
    /// The mean lead score of the members.
    pub mean_score: f64,
    /// The mean topic relevance of the members.
    pub mean_relevance: f64,
    /// Members per customer segment, for those with one.
    pub customer_segments: BTreeMap<String, usize>,
    /// Members without a customer segment: one group, under the same cap as each segment, kept
    /// apart from `customer_segments` so that no segment's name can stand for it.
    pub without_customer_segment: usize,
    /// Members per score segment.
    pub score_segments: BTreeMap<Segment, usize>,
    /// Who was eligible, and why the others were not.
    pub screening: Screening,
}

/// A planned cohort: what [`plan_cohort`] returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cohort {
    /// The topic, if the request had one.
    pub topic: Option<String>,
    /// The as-of time.
    pub as_of: Timestamp,
    /// The members: must-include members first, in the order given, then in the order the
    /// greedy chose them (best gain first).
    pub members: Vec<Member>,
    /// The next best eligible people, in order, for no-shows.
    pub alternates: Vec<Member>,
    /// The composition.
    pub summary: CohortSummary,
}

/// How reasons and messages name the group of customers without a customer segment.
const NO_SEGMENT: &str = "the group without a segment";

/// What the member reasons need to know.
struct Context<'a, 'p> {
    population: &'a Population,
    scores: &'a Scores<'p>,
    request: &'a CohortRequest,
    topic: Option<(TopicId, TopicRelevance)>,
    merit: Vec<f64>,
    t: i64,
    lambda: f64,
}

impl CohortPlanner {
    /// The request.
    pub fn request(&self) -> &CohortRequest {
        &self.request
    }

    /// Plans a cohort from a population and its scores (see the [module docs](self)).
    ///
    /// Fails when the scores come from another population or another as-of time than the
    /// request's, when the topic or a must-include id is unknown ([`Error::InvalidParameter`]),
    /// and when the constraints cannot all be met ([`Error::Infeasible`]).
    pub fn plan(&self, population: &Population, scores: &Scores<'_>) -> Result<Cohort> {
        let req = &self.request;
        let n = population.len();
        if !same_population(population, scores.population()) {
            return Err(Error::parameter(
                "scores",
                format!("{} customers", scores.len()),
                "must be computed from the same population",
            ));
        }
        let as_of = scores.as_of();
        if let Some(wanted) = req.as_of.filter(|&w| w != as_of) {
            return Err(Error::parameter(
                "as_of",
                wanted,
                format!(
                    "must equal the scores' as-of time {as_of}: score the population as of the session's date"
                ),
            ));
        }
        let t = crate::time::as_of_second(as_of);
        let lambda = scores.model().signals.decay_rate();
        let topic = match &req.topic {
            None => None,
            Some(name) => Some(population.topic_id(name).ok_or_else(|| {
                Error::parameter(
                    "topic",
                    format!("{name:?}"),
                    "no interaction, idea or session of the population is on this topic",
                )
            })?),
        };
        let include = req
            .include
            .iter()
            .map(|id| {
                population
                    .index_of(id.as_str())
                    .map(|c| c.0)
                    .ok_or_else(|| Error::parameter("include", id, "no customer has this id"))
            })
            .collect::<Result<Vec<u32>>>()?;

        // One pass: relevance for the topic, and the screen.
        let cooldown_from = t - i64::from(req.cooldown_days) * SECONDS_PER_DAY;
        let lead = scores.lead_scores();
        let known = scores.signals().known_customers();
        let swept = crate::parallel::map_chunks(n, crate::parallel::CHUNK, |rows| {
            rows.map(|c| {
                let raw = topic.map_or(0.0, |k| {
                    TopicActivity::of(population, c, k.0, t, lambda).raw
                });
                let screened = if known.is_some_and(|known| !known[c]) {
                    Screened::NotYetKnown
                } else {
                    screen(population, c, t, cooldown_from, req.decline_limit)
                };
                let screened = if screened == Screened::Eligible && lead[c] < req.min_lead_score {
                    Screened::BelowMinScore
                } else {
                    screened
                };
                (raw, screened)
            })
            .collect::<Vec<_>>()
        });
        let mut raw = Vec::with_capacity(n);
        let mut status = Vec::with_capacity(n);
        for (r, s) in swept.into_iter().flatten() {
            raw.push(r);
            status.push(s);
        }
        for id in &req.exclude {
            if let Some(c) = population.index_of(id.as_str()) {
                status[c.get()] = Screened::Excluded;
            }
        }
        let screening = count_screening(&status);
        let topic = topic.map(|k| (k, TopicRelevance::from_raw(k, raw)));
        let beta = if topic.is_some() {
            req.relevance_weight
        } else {
            0.0
        };
        let merit: Vec<f64> = (0..n)
            .map(|c| {
                let rho = topic.as_ref().map_or(0.0, |(_, r)| r.values()[c]);
                (1.0 - beta) * lead[c] + beta * rho
            })
            .collect();
        let cx = Context {
            population,
            scores,
            request: req,
            topic,
            merit,
            t,
            lambda,
        };

        // Must-include members first.
        cx.check_includes(&include, &status)?;
        let groups = population.segments().len() + 1;
        let group_of = |c: u32| {
            population
                .segment_index(CustomerIndex(c))
                .unwrap_or(groups - 1)
        };
        let is_prospect =
            |c: u32| population.relationship(CustomerIndex(c)) == Relationship::Prospect;
        let list = |c: u32| list_of(group_of(c), is_prospect(c));
        let limits = Limits {
            size: req.size,
            cap: req.max_per_segment.unwrap_or(UNLIMITED),
            min_prospects: req.min_prospects,
            max_prospects: req.max_prospects.unwrap_or(UNLIMITED),
        };
        let mut chosen = vec![0; groups];
        for &c in &include {
            chosen[group_of(c)] += 1;
        }
        if let Some(g) = (0..groups).find(|&g| chosen[g] > limits.cap) {
            let name = population.segments().get(g).map_or_else(
                || NO_SEGMENT.to_owned(),
                |s| format!("customer segment {s}"),
            );
            return Err(infeasible(
                Constraint::MaxPerSegment,
                chosen[g],
                limits.cap,
                format!(
                    "{} must-include members are in {name}, above the cap of {}",
                    chosen[g], limits.cap
                ),
            ));
        }
        let included_prospects = include.iter().filter(|&&c| is_prospect(c)).count();
        if included_prospects > limits.max_prospects {
            return Err(infeasible(
                Constraint::MaxProspects,
                included_prospects,
                limits.max_prospects,
                format!(
                    "the must-include list has {included_prospects} prospects, above the maximum of {}",
                    limits.max_prospects
                ),
            ));
        }

        // The candidates, and whether any cohort can meet the constraints.
        let mut included = vec![false; n];
        for &c in &include {
            included[c as usize] = true;
        }
        let candidates: Vec<u32> = (0..n as u32)
            .filter(|&c| status[c as usize] == Screened::Eligible && !included[c as usize])
            .collect();
        let mut left = vec![0; 2 * groups];
        for &c in &candidates {
            left[list(c)] += 1;
        }
        let mut counts = Counts::new(limits, left, chosen, included_prospects);
        if let Some(shortfall) = counts.shortfall() {
            return Err(cx.explain(shortfall, &counts, &screening, include.len()));
        }
        let mut lists = Lists::new(
            2 * groups,
            &candidates,
            list,
            &cx.merit,
            req.size.saturating_add(req.alternates),
        );
        let Some(picks) = greedy::select(&mut lists, &mut counts, &cx.merit, req.diversity_weight)
        else {
            // Unreachable: the completion check above passed, and each step keeps it passing.
            let shortfall = counts.shortfall().unwrap_or(Shortfall {
                constraint: Constraint::Size,
                needed: req.size,
                available: counts.members,
            });
            return Err(cx.explain(shortfall, &counts, &screening, include.len()));
        };
        let alternates = greedy::alternates(
            &mut lists,
            &counts,
            &cx.merit,
            req.diversity_weight,
            req.alternates,
        );

        let mut members: Vec<Member> = include
            .iter()
            .map(|&c| cx.member(c, vec!["on the must-include list".to_owned()]))
            .collect();
        members.extend(picks.iter().map(|pick| {
            let mut notes = Vec::new();
            if let Some((other, constraint)) = pick.ahead_of_blocked {
                notes.push(format!(
                    "chosen ahead of {} (merit {:.3}) to respect {}",
                    population.customer_id(CustomerIndex(other)),
                    cx.merit[other as usize],
                    cx.constraint_words(constraint)
                ));
            }
            if let Some((other, already)) = pick.ahead_of_for_mix {
                notes.push(format!(
                    "chosen ahead of {} (merit {:.3}) for the segment mix: {} already had {already} member{}",
                    population.customer_id(CustomerIndex(other)),
                    cx.merit[other as usize],
                    segment_name(population, other),
                    if already == 1 { "" } else { "s" }
                ));
            }
            let mut member = cx.member(pick.customer, Vec::new());
            member.reasons.extend(notes);
            member
        }));
        let alternates = alternates
            .iter()
            .enumerate()
            .map(|(k, &(c, l))| {
                let mut member = cx.member(c, vec![format!("alternate {} for a no-show", k + 1)]);
                member.reasons.extend(cx.replacement_notes(c, l, &counts));
                member
            })
            .collect();
        let summary = summarize(&members, screening);
        Ok(Cohort {
            topic: req.topic.clone(),
            as_of,
            members,
            alternates,
            summary,
        })
    }
}

/// The screen of one customer, without the exclusion list and the minimum score: cooldown, then
/// declines.
fn screen(
    p: &Population,
    c: usize,
    t: i64,
    cooldown_from: i64,
    decline_limit: Option<u32>,
) -> Screened {
    let parts = &p.participations;
    let mut last_attended = i64::MIN;
    let mut declined_in_a_row = 0;
    for r in parts.groups.range(c) {
        let held_at = p.sessions.held_at[parts.session[r] as usize];
        if held_at > t {
            break; // sorted by the session's time; later sessions are not known at `t`
        }
        if parts.attended[r] {
            last_attended = held_at;
            declined_in_a_row = 0;
        } else if parts.invited[r] {
            declined_in_a_row += 1;
        }
    }
    if last_attended > cooldown_from {
        Screened::Cooldown
    } else if decline_limit.is_some_and(|k| declined_in_a_row >= k) {
        Screened::Declined
    } else {
        Screened::Eligible
    }
}

fn count_screening(status: &[Screened]) -> Screening {
    let mut s = Screening {
        considered: status.len(),
        ..Screening::default()
    };
    // Those not known yet are not considered: their number would tell of the time after `T`.
    for &x in status {
        match x {
            Screened::Eligible => s.eligible += 1,
            Screened::Excluded => s.excluded += 1,
            Screened::NotYetKnown => s.considered -= 1,
            Screened::Cooldown => s.in_cooldown += 1,
            Screened::Declined => s.declined += 1,
            Screened::BelowMinScore => s.below_min_score += 1,
        }
    }
    s
}

fn segment_name(p: &Population, c: u32) -> &str {
    p.segment(CustomerIndex(c)).unwrap_or(NO_SEGMENT)
}

fn date(seconds: i64) -> jiff::civil::Date {
    jiff::tz::Offset::UTC
        .to_datetime(crate::population::timestamp(seconds))
        .date()
}

fn plural(n: impl Into<u64>, word: &str) -> String {
    let n = n.into();
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

impl Context<'_, '_> {
    /// Fails unless every must-include member passed the screen; names the first who did not.
    fn check_includes(&self, include: &[u32], status: &[Screened]) -> Result<()> {
        let Some(&first) = include
            .iter()
            .find(|&&c| status[c as usize] != Screened::Eligible)
        else {
            return Ok(());
        };
        let why = status[first as usize];
        let failing = include
            .iter()
            .filter(|&&c| status[c as usize] == why)
            .count();
        let id = self.population.customer_id(CustomerIndex(first));
        let req = self.request;
        let (constraint, detail) = match why {
            Screened::Cooldown => {
                let held_at = self.last_attended(first).unwrap_or(self.t);
                (
                    Constraint::Cooldown,
                    format!(
                        "must-include {id} attended a session on {}, {} days before the as-of time, within the {}-day cooldown",
                        date(held_at),
                        (self.t - held_at) / SECONDS_PER_DAY,
                        req.cooldown_days
                    ),
                )
            }
            Screened::Declined => (
                Constraint::Declines,
                format!(
                    "must-include {id} declined their last {} invitations",
                    req.decline_limit.unwrap_or(0)
                ),
            ),
            Screened::BelowMinScore => (
                Constraint::MinLeadScore,
                format!(
                    "must-include {id} has lead score {:.3}, below the minimum {}",
                    self.scores.lead(CustomerIndex(first)),
                    req.min_lead_score
                ),
            ),
            Screened::NotYetKnown => (
                Constraint::Include,
                format!(
                    "must-include {id} was not known yet at the as-of time ({})",
                    crate::population::timestamp(self.t)
                ),
            ),
            Screened::Excluded | Screened::Eligible => (
                Constraint::Exclude,
                format!("{id} is on both the must-include and the exclusion list"),
            ),
        };
        Err(infeasible(
            constraint,
            include.len(),
            include.len() - failing,
            detail,
        ))
    }

    /// The time of the last session the customer attended by `T`.
    fn last_attended(&self, c: u32) -> Option<i64> {
        let p = self.population;
        let parts = &p.participations;
        parts
            .groups
            .range(c as usize)
            .filter(|&r| parts.attended[r])
            .map(|r| p.sessions.held_at[parts.session[r] as usize])
            .filter(|&at| at <= self.t)
            .max()
    }

    /// The error for a cohort that cannot be completed, with what is short in words.
    fn explain(
        &self,
        s: Shortfall,
        counts: &Counts,
        screening: &Screening,
        included: usize,
    ) -> Error {
        let req = self.request;
        let sums = counts.sums();
        let detail = match s.constraint {
            Constraint::Size => {
                let mut d = format!(
                    "{} eligible out of {}",
                    screening.eligible, screening.considered
                );
                let mut out = Vec::new();
                if screening.excluded > 0 {
                    out.push(format!("{} on the exclusion list", screening.excluded));
                }
                if screening.in_cooldown > 0 {
                    out.push(format!(
                        "{} attended a session within the {}-day cooldown",
                        screening.in_cooldown, req.cooldown_days
                    ));
                }
                if screening.declined > 0 {
                    out.push(format!(
                        "{} declined their last {} invitations",
                        screening.declined,
                        req.decline_limit.unwrap_or(0)
                    ));
                }
                if screening.below_min_score > 0 {
                    out.push(format!(
                        "{} below the minimum lead score {}",
                        screening.below_min_score, req.min_lead_score
                    ));
                }
                if !out.is_empty() {
                    let _ = write!(d, "; left out: {}", out.join(", "));
                }
                d
            }
            Constraint::MaxPerSegment => format!(
                "with at most {} per customer segment, the {} eligible people fill {} places",
                req.max_per_segment.unwrap_or(0),
                included + sums.eligible,
                s.available
            ),
            Constraint::MinProspects => {
                let mut d = plural(
                    (counts.prospects + sums.eligible_prospects) as u64,
                    "eligible prospect",
                );
                if req.max_per_segment.is_some() {
                    let _ = write!(
                        d,
                        ", {} within the segment cap",
                        counts.prospects + sums.prospects
                    );
                }
                if included > 0 {
                    let _ = write!(
                        d,
                        "; the must-include list takes {included} places with {}",
                        plural(counts.prospects as u64, "prospect")
                    );
                }
                d
            }
            _ => format!(
                "with at most {} prospects, {} places need customers, and {} eligible customers fit{}",
                req.max_prospects.unwrap_or(0),
                s.needed,
                s.available,
                if req.max_per_segment.is_some() {
                    " the segment cap"
                } else {
                    ""
                }
            ),
        };
        infeasible(s.constraint, s.needed, s.available, detail)
    }

    /// A constraint in words, for the reasons.
    fn constraint_words(&self, c: Constraint) -> String {
        let req = self.request;
        match c {
            Constraint::MinProspects => format!("the minimum of {} prospects", req.min_prospects),
            Constraint::MaxProspects => format!(
                "the maximum of {} prospects",
                req.max_prospects.unwrap_or(0)
            ),
            Constraint::MaxPerSegment => format!(
                "the cap of {} per customer segment",
                req.max_per_segment.unwrap_or(0)
            ),
            other => format!("`{other}`"),
        }
    }

    /// A member with their scores and the reasons common to members and alternates.
    fn member(&self, c: u32, mut reasons: Vec<String>) -> Member {
        let p = self.population;
        let index = CustomerIndex(c);
        let score = self.scores.score(index);
        reasons.push(format!(
            "lead score {:.3} ({})",
            score.lead,
            score.segment.as_str().replace('_', " ")
        ));
        reasons.extend(score.reasons().iter().take(2).map(|r| r.text.clone()));
        let mut relevance = 0.0;
        if let Some((topic, rel)) = &self.topic {
            relevance = rel.relevance(index);
            let name = p.topic_name(*topic);
            let a = TopicActivity::of(p, c as usize, topic.0, self.t, self.lambda);
            reasons.push(match a.last {
                None => format!("has not raised {name}"),
                Some(last) => {
                    let parts: Vec<String> = [
                        (a.ideas, "idea"),
                        (a.interactions, "interaction"),
                        (a.sessions, "session"),
                    ]
                    .iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|&(n, w)| plural(n, w))
                    .collect();
                    format!(
                        "raised {name} {} ({}), last on {}: relevance {relevance:.2} among the {} who raised it",
                        plural(a.ideas + a.interactions + a.sessions, "time"),
                        parts.join(", "),
                        date(last),
                        rel.mentioners()
                    )
                }
            });
        }
        let relationship = p.relationship(index);
        if relationship == Relationship::Prospect {
            reasons.push("a prospect: a non-customer lead user".to_owned());
        }
        Member {
            customer: index,
            customer_id: p.customer_id(index).clone(),
            score: score.lead,
            relevance,
            segment: score.segment,
            customer_segment: p.segment(index).map(str::to_owned),
            relationship,
            merit: self.merit[c as usize],
            reasons,
        }
    }

    /// Whom an alternate can replace without breaking a constraint.
    fn replacement_notes(&self, c: u32, l: usize, counts: &Counts) -> Vec<String> {
        let req = self.request;
        let mut notes = Vec::new();
        if counts.full(l / 2) {
            notes.push(format!(
                "can replace only a member from {}, which is at the cap of {}",
                segment_name(self.population, c),
                req.max_per_segment.unwrap_or(0)
            ));
        }
        let prospect = l % 2 == 1;
        if prospect && req.max_prospects == Some(counts.prospects) {
            notes.push(format!(
                "can replace only a prospect: the cohort has the maximum of {} prospects",
                counts.prospects
            ));
        }
        if !prospect && req.min_prospects > 0 && counts.prospects == req.min_prospects {
            notes.push(format!(
                "cannot replace a prospect: the cohort has exactly the minimum of {} prospects",
                req.min_prospects
            ));
        }
        notes
    }
}

fn summarize(members: &[Member], screening: Screening) -> CohortSummary {
    let size = members.len();
    let prospects = members
        .iter()
        .filter(|m| m.relationship == Relationship::Prospect)
        .count();
    let mean = |f: fn(&Member) -> f64| {
        if size == 0 {
            0.0
        } else {
            members.iter().map(f).sum::<f64>() / size as f64
        }
    };
    let mut customer_segments = BTreeMap::new();
    let mut without_customer_segment = 0;
    let mut score_segments = BTreeMap::new();
    for m in members {
        match &m.customer_segment {
            Some(name) => *customer_segments.entry(name.clone()).or_insert(0) += 1,
            None => without_customer_segment += 1,
        }
        *score_segments.entry(m.segment).or_insert(0) += 1;
    }
    CohortSummary {
        size,
        prospects,
        customers: size - prospects,
        mean_score: mean(|m| m.score),
        mean_relevance: mean(|m| m.relevance),
        customer_segments,
        without_customer_segment,
        score_segments,
        screening,
    }
}

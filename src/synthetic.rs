//! A synthetic customer base with planted lead customers, for tests, benchmarks and demos.
//!
//! Real customer data is private, and real data never says who the lead customers *are*. The
//! [`Generator`] makes a realistic base of any size from a seed, and returns the ground truth
//! beside it, so that a test can measure how well scoring recovers the planted leads.
//!
//! # The customers it makes
//!
//! Every customer follows an [`Archetype`]:
//!
//! - **ordinary** customers buy, use, ask and sometimes complain;
//! - **loud complainers** open many tickets and post on social media;
//! - **big buyers** purchase a lot and say little;
//! - **loyal followers** use the product heavily, answer every survey, praise it, attend
//!   sessions, but rarely bring anything new;
//! - **prolific ideators** submit many ideas on topics everybody already talks about, and few of
//!   them are accepted;
//! - **lead customers** (the planted share): moderately active, not loud, not big; they raise
//!   *emerging* topics months before those topics take off in the crowd, report workarounds,
//!   join betas, help other customers, and their ideas are accepted far more often;
//! - **lapsed leads** behaved like leads but went quiet a year or more before the end of the
//!   data (latent innovators drifting away);
//! - **dormant** customers did little and stopped long ago.
//!
//! Topics follow adoption curves: established topics are talked about throughout; each
//! emerging topic takes off at its own time inside the window (a logistic rise), and before that
//! only a trickle of the crowd mentions it.
//!
//! Customer ids are `C` followed by a zero-padded number, so index order is generation order.
//! The same configuration always gives the same base, on every platform (the random numbers come
//! from a portable PCG generator seeded per customer).

use jiff::civil::Date;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::{RngExt, SeedableRng};
use rand_distr::{Exp, Normal, Poisson};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use crate::error::check_at_most;
use crate::population::builder::{IdeaFields, InteractionFields, ParticipationFields};
use crate::time::SECONDS_PER_DAY;
use crate::{
    Channel, CustomerIndex, Error, IdeaStatus, InteractionKind, Population, PopulationBuilder,
    Relationship, Result, TopicId,
};

/// The most customers a generator makes: a population addresses its rows by `u32`.
pub const MAX_CUSTOMERS: usize = u32::MAX as usize - 1;
/// The most topics a generator makes: a crowd's mix of topics is kept for every month.
pub const MAX_TOPICS: usize = 10_000;
/// The longest window a generator fills, in months: a century, beyond any customer record.
pub const MAX_MONTHS: u32 = 1_200;

/// How big a base to make and how it looks. Every field has a default.
///
/// ```
/// use lead_customers::synthetic::GeneratorConfig;
/// let config: GeneratorConfig = serde_json::from_str(r#"{"customers": 500, "seed": 7}"#).unwrap();
/// assert_eq!(config.lead_share, GeneratorConfig::default().lead_share);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GeneratorConfig {
    /// Customers and prospects to make. Default 10,000; at most [`MAX_CUSTOMERS`].
    pub customers: usize,
    /// The seed. Default 1.
    pub seed: u64,
    /// The planted share of lead customers. Default 0.04: lead customers are a small minority.
    pub lead_share: f64,
    /// The first day of the data. Default 2022-01-01.
    pub start: Date,
    /// The length of the data in months (of 30.44 days). Default 36; from 6 to [`MAX_MONTHS`],
    /// and ending by the last representable time (late on 9999-12-30 UTC).
    pub months: u32,
    /// Topics in all. Default 24; at most [`MAX_TOPICS`].
    pub topics: usize,
    /// How many of the topics emerge (take off) inside the window. Default 6.
    pub emerging_topics: usize,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig {
            customers: 10_000,
            seed: 1,
            lead_share: 0.04,
            start: jiff::civil::date(2022, 1, 1),
            months: 36,
            topics: 24,
            emerging_topics: 6,
        }
    }
}

/// The kind of customer the generator made: the ground truth behind each synthetic customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Archetype {
    /// Buys, uses, asks, sometimes complains.
    Ordinary,
    /// Many tickets and complaints, loud on social media.
    Complainer,
    /// Buys a lot, says little.
    BigBuyer,
    /// Heavy use, answers every survey, attends sessions, rarely innovates.
    LoyalFollower,
    /// Many ideas on crowded topics, rarely accepted.
    ProlificIdeator,
    /// A planted lead customer.
    Lead,
    /// A lead customer who went quiet a year or more before the end of the data.
    LapsedLead,
    /// Little activity, stopped long ago.
    Dormant,
}

/// A generated population and the truth behind it.
#[derive(Debug, Clone)]
pub struct SyntheticBase {
    /// The population, as if loaded from a user's data.
    pub population: Population,
    /// Who is who.
    pub truth: GroundTruth,
}

/// The truth behind a synthetic base, indexed like its population.
#[derive(Debug, Clone, PartialEq)]
pub struct GroundTruth {
    archetypes: Vec<Archetype>,
    focus_offsets: Vec<usize>,
    focus: Vec<TopicId>,
    emerging: Vec<(TopicId, jiff::Timestamp)>,
}

impl GroundTruth {
    /// Each customer's archetype, by [`CustomerIndex`].
    pub fn archetypes(&self) -> &[Archetype] {
        &self.archetypes
    }

    /// A customer's archetype.
    pub fn archetype(&self, c: CustomerIndex) -> Archetype {
        self.archetypes[c.get()]
    }

    /// Whether the customer is a planted (active) lead customer.
    pub fn is_planted_lead(&self, c: CustomerIndex) -> bool {
        self.archetypes[c.get()] == Archetype::Lead
    }

    /// The planted lead customers, in index order.
    pub fn planted_leads(&self) -> Vec<CustomerIndex> {
        (0..self.archetypes.len() as u32)
            .map(CustomerIndex)
            .filter(|&c| self.is_planted_lead(c))
            .collect()
    }

    /// The emerging topics a lead (or lapsed lead) raised early; empty for everyone else.
    pub fn focus_topics(&self, c: CustomerIndex) -> &[TopicId] {
        &self.focus[self.focus_offsets[c.get()]..self.focus_offsets[c.get() + 1]]
    }

    /// The emerging topics and when each took off in the crowd.
    pub fn emerging_topics(&self) -> &[(TopicId, jiff::Timestamp)] {
        &self.emerging
    }
}

/// Makes a [`SyntheticBase`] from a [`GeneratorConfig`].
///
/// ```
/// use lead_customers::synthetic::{Archetype, Generator, GeneratorConfig};
/// let base = Generator::new(GeneratorConfig { customers: 1_000, seed: 3, ..Default::default() })
///     .generate()?;
/// assert_eq!(base.population.len(), 1_000);
/// let leads = base.truth.planted_leads();
/// assert!(!leads.is_empty() && leads.len() < 100);
/// assert_eq!(base.truth.archetype(leads[0]), Archetype::Lead);
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Generator {
    config: GeneratorConfig,
}

/// Names for the first topics; more are numbered.
const TOPIC_NAMES: &[&str] = &[
    "reporting",
    "mobile app",
    "integrations",
    "user permissions",
    "data export",
    "billing",
    "search",
    "notifications",
    "dashboards",
    "bulk import",
    "custom fields",
    "calendar sync",
    "single sign-on",
    "audit log",
    "dark mode",
    "multi-currency",
    "webhooks",
    "e-signature",
    // The names the emerging topics get first.
    "offline sync",
    "ai assistant",
    "workflow automation",
    "edge deployment",
    "carbon tracking",
    "real-time collaboration",
];

const INDUSTRIES: &[&str] = &[
    "retail",
    "manufacturing",
    "healthcare",
    "finance",
    "software",
    "education",
    "public sector",
    "logistics",
];
const SIZES: &[&str] = &["smb", "mid-market", "enterprise"];

/// The customer-initiated kinds an archetype's rates are given for.
const OWN_KINDS: [InteractionKind; 14] = [
    InteractionKind::Purchase,
    InteractionKind::Usage,
    InteractionKind::SupportRequest,
    InteractionKind::Complaint,
    InteractionKind::Praise,
    InteractionKind::Feedback,
    InteractionKind::Question,
    InteractionKind::Answer,
    InteractionKind::Workaround,
    InteractionKind::BetaJoin,
    InteractionKind::EarlyAdoption,
    InteractionKind::Referral,
    InteractionKind::SocialMention,
    InteractionKind::Other,
];

/// How an archetype behaves: yearly rates of its own interactions (in the order of
/// [`OWN_KINDS`]), ideas per year and their chance of success, and how it answers the company.
///
/// Idea portals accept few ideas (well under one in ten for most customers); a lead customer's
/// idea is accepted about half the time, a serial submitter's less often than anyone's.
struct Profile {
    rates: [f64; 14],
    ideas_per_year: f64,
    idea_success: f64,
    response_rate: f64,
    attendance: f64,
    contributions: f64,
    rating: f64,
}

fn profile(archetype: Archetype) -> Profile {
    // purchase usage support complaint praise feedback question answer workaround beta early
    // referral social other
    let p =
        |rates, ideas_per_year, idea_success, response_rate, attendance, contributions, rating| {
            Profile {
                rates,
                ideas_per_year,
                idea_success,
                response_rate,
                attendance,
                contributions,
                rating,
            }
        };
    match archetype {
        Archetype::Ordinary => p(
            [
                2.5, 4.0, 1.5, 0.4, 0.3, 0.4, 0.8, 0.1, 0.03, 0.03, 0.05, 0.05, 0.3, 0.2,
            ],
            0.25,
            0.08,
            0.3,
            0.35,
            2.0,
            3.0,
        ),
        Archetype::Complainer => p(
            [
                3.0, 4.0, 5.0, 5.0, 0.1, 1.0, 1.5, 0.05, 0.05, 0.02, 0.02, 0.01, 3.0, 0.3,
            ],
            0.4,
            0.04,
            0.2,
            0.3,
            2.5,
            2.6,
        ),
        Archetype::BigBuyer => p(
            [
                24.0, 10.0, 2.0, 0.5, 0.5, 0.4, 0.8, 0.1, 0.03, 0.05, 0.1, 0.2, 0.3, 0.3,
            ],
            0.25,
            0.08,
            0.25,
            0.35,
            2.0,
            3.0,
        ),
        Archetype::LoyalFollower => p(
            [
                6.0, 14.0, 1.0, 0.2, 2.0, 1.0, 2.0, 0.6, 0.05, 0.1, 0.2, 0.4, 0.6, 0.3,
            ],
            0.3,
            0.1,
            0.75,
            0.7,
            3.0,
            3.3,
        ),
        Archetype::ProlificIdeator => p(
            [
                3.0, 6.0, 1.5, 1.0, 0.3, 3.0, 1.5, 0.2, 0.1, 0.1, 0.1, 0.05, 0.5, 0.2,
            ],
            8.0,
            0.04,
            0.35,
            0.4,
            5.0,
            2.8,
        ),
        Archetype::Lead | Archetype::LapsedLead => p(
            [
                3.5, 7.0, 1.0, 0.3, 0.4, 1.2, 0.8, 2.0, 2.0, 1.2, 1.5, 0.6, 0.2, 0.2,
            ],
            1.5,
            0.5,
            0.6,
            0.85,
            6.0,
            4.4,
        ),
        Archetype::Dormant => p(
            [
                0.6, 0.8, 0.3, 0.1, 0.05, 0.05, 0.2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.05,
            ],
            0.03,
            0.06,
            0.1,
            0.2,
            1.0,
            2.8,
        ),
    }
}

/// The channels an interaction of a kind happens on, with weights.
fn channels_of(kind: InteractionKind) -> &'static [(Channel, u32)] {
    use Channel::*;
    match kind {
        InteractionKind::Purchase => &[(Sales, 3), (Product, 5), (Other, 2)],
        InteractionKind::Usage | InteractionKind::EarlyAdoption => &[(Product, 1)],
        InteractionKind::SupportRequest => &[(Support, 12), (Chat, 5), (Phone, 2), (Email, 1)],
        InteractionKind::Complaint => &[(Support, 4), (Social, 3), (Email, 2), (Phone, 1)],
        InteractionKind::Praise => &[(Social, 4), (Community, 3), (Email, 3)],
        InteractionKind::Feedback => &[(Product, 4), (Community, 3), (Survey, 3)],
        InteractionKind::Question => &[(Community, 5), (Support, 3), (Chat, 2)],
        InteractionKind::Answer => &[(Community, 1)],
        InteractionKind::Workaround => &[(Community, 7), (Support, 3)],
        InteractionKind::BetaJoin => &[(Product, 7), (Email, 3)],
        InteractionKind::Referral => &[(Sales, 1), (Email, 1)],
        InteractionKind::SocialMention => &[(Social, 1)],
        InteractionKind::Outreach | InteractionKind::Response => {
            &[(Survey, 5), (Email, 4), (Event, 1)]
        }
        InteractionKind::Other => &[(Other, 1), (Email, 1)],
    }
}

/// Whether interactions of a kind are usually about a topic.
fn topical(kind: InteractionKind) -> bool {
    use InteractionKind::*;
    matches!(
        kind,
        SupportRequest
            | Complaint
            | Praise
            | Feedback
            | Question
            | Answer
            | Workaround
            | BetaJoin
            | EarlyAdoption
    )
}

const MONTH: i64 = 2_629_746; // 30.436875 days, in seconds

/// Everything fixed for one generation run, shared by all customers.
struct World {
    start: i64,
    end: i64,
    topic_names: Vec<String>,
    /// Per month of the window: the crowd's topic choice, weighted by each topic's curve.
    crowd: Vec<WeightedIndex<f64>>,
    /// Emerging topics: (topic position, takeoff time).
    emerging: Vec<(usize, i64)>,
    /// Per archetype: the choice among its own interaction kinds, and their total yearly rate.
    kinds: Vec<(WeightedIndex<f64>, f64)>,
}

impl World {
    fn new(config: &GeneratorConfig, rng: &mut Pcg64Mcg) -> Result<World> {
        let start = crate::time::parse_seconds(config.start.to_string().as_bytes())
            .ok_or_else(|| Error::parameter("start", config.start, "not a representable date"))?;
        let months = i64::from(config.months);
        let end = start + months * MONTH - 1;
        if jiff::Timestamp::from_second(end).is_err() {
            return Err(Error::parameter(
                "months",
                config.months,
                format!(
                    "from {} run past the last time there is (late on 9999-12-30 UTC)",
                    config.start
                ),
            ));
        }
        let topic_names: Vec<String> = (0..config.topics)
            .map(|t| {
                TOPIC_NAMES
                    .get(t)
                    .map_or_else(|| format!("topic {t}"), |n| (*n).to_owned())
            })
            .collect();
        // The last `emerging_topics` named topics emerge, so the default names read well.
        let first_emerging = config.topics - config.emerging_topics;
        let window = (end - start) as f64;
        let emerging: Vec<(usize, i64)> = (first_emerging..config.topics)
            .map(|t| (t, start + (window * rng.random_range(0.40..0.85)) as i64))
            .collect();
        let base: Vec<f64> = (0..config.topics)
            .map(|t| {
                if t >= first_emerging {
                    0.5
                } else {
                    1.0 / (t as f64 + 1.0).powf(0.7)
                }
            })
            .collect();
        let width = 1.5 * MONTH as f64;
        let crowd = (0..months)
            .map(|m| {
                let t = start + m * MONTH + MONTH / 2;
                // The emerging topics are the last ones, in order: topic k is emerging[k - first].
                let weights = (0..config.topics).map(|k| {
                    match k.checked_sub(first_emerging).and_then(|i| emerging.get(i)) {
                        Some(&(_, takeoff)) => {
                            base[k] * (0.03 + 1.0 / (1.0 + (-((t - takeoff) as f64) / width).exp()))
                        }
                        None => base[k],
                    }
                });
                WeightedIndex::new(weights.collect::<Vec<_>>())
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::parameter("topics", config.topics, e.to_string()))?;
        let kinds = ARCHETYPES
            .iter()
            .map(|&a| {
                let rates = profile(a).rates;
                let total: f64 = rates.iter().sum();
                let weights = WeightedIndex::new(rates)
                    .map_err(|e| Error::parameter("rates", format!("{a:?}"), e.to_string()))?;
                Ok((weights, total))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(World {
            start,
            end,
            topic_names,
            crowd,
            emerging,
            kinds,
        })
    }

    fn crowd_topic(&self, t: i64, rng: &mut Pcg64Mcg) -> usize {
        let month = ((t - self.start) / MONTH).clamp(0, self.crowd.len() as i64 - 1) as usize;
        self.crowd[month].sample(rng)
    }
}

const ARCHETYPES: [Archetype; 8] = [
    Archetype::Ordinary,
    Archetype::Complainer,
    Archetype::BigBuyer,
    Archetype::LoyalFollower,
    Archetype::ProlificIdeator,
    Archetype::Lead,
    Archetype::LapsedLead,
    Archetype::Dormant,
];

fn archetype_slot(a: Archetype) -> usize {
    ARCHETYPES.iter().position(|&x| x == a).unwrap_or(0)
}

/// One customer as generated, before it goes into the builder.
struct Plan {
    archetype: Archetype,
    relationship: Relationship,
    active_from: i64,
    active_to: i64,
    focus: Vec<usize>,
}

/// A seed per customer from the run's seed, so customers can be generated independently.
fn customer_seed(seed: u64, customer: u64) -> u64 {
    // SplitMix64's finalizer: adjacent inputs give unrelated outputs.
    let mut z = seed ^ customer.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Adds up to `wanted` distinct eligible customers, drawn from a pool of `size` by `member`.
fn invite(
    invited: &mut Vec<usize>,
    wanted: usize,
    size: usize,
    member: impl Fn(usize) -> usize,
    eligible: &impl Fn(usize) -> bool,
    rng: &mut Pcg64Mcg,
) {
    let target = invited.len() + wanted;
    for _ in 0..wanted * 5 {
        if invited.len() >= target || size == 0 {
            return;
        }
        let c = member(rng.random_range(0..size));
        if eligible(c) && !invited.contains(&c) {
            invited.push(c);
        }
    }
}

fn poisson(rng: &mut Pcg64Mcg, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean)
        .map(|d| d.sample(rng) as u64)
        .unwrap_or(0)
}

fn exp_days(rng: &mut Pcg64Mcg, mean_days: f64) -> i64 {
    let draw: f64 = Exp::new(1.0 / mean_days)
        .map(|d| d.sample(rng))
        .unwrap_or(mean_days);
    (draw * SECONDS_PER_DAY as f64) as i64
}

fn pick<T: Copy>(rng: &mut Pcg64Mcg, weighted: &[(T, u32)]) -> T {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut draw = rng.random_range(0..total.max(1));
    for &(item, w) in weighted {
        if draw < w {
            return item;
        }
        draw -= w;
    }
    weighted[0].0
}

impl Generator {
    /// A generator for this configuration.
    pub fn new(config: GeneratorConfig) -> Self {
        Generator { config }
    }

    /// Makes the base. Fails only on an invalid configuration: no customers or more than
    /// [`MAX_CUSTOMERS`], a lead share outside 0 to 0.4, no topics or more than [`MAX_TOPICS`],
    /// more emerging topics than topics, fewer than 6 months or more than [`MAX_MONTHS`], or a
    /// window that runs past the last representable time (late on 9999-12-30 UTC).
    pub fn generate(&self) -> Result<SyntheticBase> {
        let config = &self.config;
        if config.customers == 0 || config.customers > MAX_CUSTOMERS {
            return Err(Error::parameter(
                "customers",
                config.customers,
                format!("must be from 1 to {MAX_CUSTOMERS}"),
            ));
        }
        if !(0.0..=0.4).contains(&config.lead_share) {
            return Err(Error::parameter(
                "lead_share",
                config.lead_share,
                "must be from 0 to 0.4",
            ));
        }
        check_at_most("topics", config.topics, MAX_TOPICS, || {
            format!("must be at most {MAX_TOPICS}")
        })?;
        if config.topics == 0 {
            return Err(Error::parameter("topics", 0, "must be at least 1"));
        }
        if config.emerging_topics > config.topics {
            return Err(Error::parameter(
                "emerging_topics",
                config.emerging_topics,
                format!("must be at most topics ({})", config.topics),
            ));
        }
        if !(6..=MAX_MONTHS).contains(&config.months) {
            return Err(Error::parameter(
                "months",
                config.months,
                format!("must be from 6 to {MAX_MONTHS}"),
            ));
        }
        let mut rng = Pcg64Mcg::seed_from_u64(customer_seed(config.seed, u64::MAX));
        let world = World::new(config, &mut rng)?;
        let width = config.customers.to_string().len().max(7);
        let id = |i: usize| format!("C{i:0width$}");

        let mut builder = PopulationBuilder::new();
        let mut plans = Vec::with_capacity(config.customers.min(1 << 20));
        for i in 0..config.customers {
            let mut rng = Pcg64Mcg::seed_from_u64(customer_seed(config.seed, i as u64));
            let plan = self.plan(&world, &mut rng);
            let segment = {
                let industry = INDUSTRIES[rng.random_range(0..INDUSTRIES.len())];
                let size = if plan.archetype == Archetype::BigBuyer {
                    pick(&mut rng, &[(2, 7), (1, 2), (0, 1)])
                } else {
                    pick(&mut rng, &[(0, 10), (1, 7), (2, 3)])
                };
                format!("{industry}/{}", SIZES[size])
            };
            let since = jiff::tz::Offset::UTC
                .to_datetime(crate::population::timestamp(plan.active_from))
                .date();
            let cid = id(i);
            builder.customer_at(
                i as u64,
                cid.clone(),
                Some(format!("Customer {i}")),
                Some(segment),
                plan.relationship,
                Some(since),
            )?;
            self.events(&world, &plan, &cid, i, &mut rng, &mut builder)?;
            plans.push(plan);
        }
        self.sessions(&world, &plans, &id, &mut rng, &mut builder)?;
        let population = builder.build()?;

        let topic_id = |t: usize| population.topic_id(&world.topic_names[t]);
        let mut archetypes = vec![Archetype::Ordinary; plans.len()];
        let mut focus_of: Vec<Vec<TopicId>> = vec![Vec::new(); plans.len()];
        for (i, plan) in plans.iter().enumerate() {
            let c = population
                .index_of(&id(i))
                .ok_or_else(|| Error::parameter("customers", i, "lost a customer"))?;
            archetypes[c.get()] = plan.archetype;
            focus_of[c.get()] = plan.focus.iter().filter_map(|&t| topic_id(t)).collect();
        }
        let mut focus_offsets = vec![0];
        let mut focus = Vec::new();
        for f in focus_of {
            focus.extend(f);
            focus_offsets.push(focus.len());
        }
        let emerging = world
            .emerging
            .iter()
            .filter_map(|&(t, takeoff)| Some((topic_id(t)?, crate::population::timestamp(takeoff))))
            .collect();
        Ok(SyntheticBase {
            population,
            truth: GroundTruth {
                archetypes,
                focus_offsets,
                focus,
                emerging,
            },
        })
    }

    fn plan(&self, world: &World, rng: &mut Pcg64Mcg) -> Plan {
        let lead = self.config.lead_share;
        let archetype = pick(
            rng,
            &[
                (Archetype::Lead, (lead * 10_000.0) as u32),
                (Archetype::LapsedLead, (lead * 2_500.0) as u32),
                (Archetype::Complainer, 800),
                (Archetype::BigBuyer, 700),
                (Archetype::LoyalFollower, 1_000),
                (Archetype::ProlificIdeator, 400),
                (Archetype::Dormant, 1_500),
                (Archetype::Ordinary, 5_600 - (lead * 12_500.0) as u32),
            ],
        );
        let is_lead = matches!(archetype, Archetype::Lead | Archetype::LapsedLead);
        let prospect_share = if is_lead { 0.15 } else { 0.04 };
        let relationship = if rng.random_bool(prospect_share) {
            Relationship::Prospect
        } else {
            Relationship::Customer
        };
        let window = world.end - world.start;
        // 60% were customers before the window began; the rest joined during it.
        let mut active_from = if rng.random_bool(0.6) {
            world.start
        } else {
            world.start + rng.random_range(0..window * 9 / 10)
        };
        let mut active_to = world.end;
        match archetype {
            Archetype::LapsedLead => {
                active_from = active_from.min(world.start + window / 4);
                active_to = world.end - rng.random_range(12 * MONTH..20 * MONTH).min(window / 2);
            }
            Archetype::Dormant => {
                active_to = active_from + rng.random_range(0..(world.end - active_from) / 2 + 1)
            }
            Archetype::Ordinary if rng.random_bool(0.2) => {
                active_to = active_from + rng.random_range(0..world.end - active_from + 1)
            }
            _ => {}
        }
        let focus = if is_lead && !world.emerging.is_empty() {
            let first = rng.random_range(0..world.emerging.len());
            let mut focus = vec![world.emerging[first].0];
            if world.emerging.len() > 1 && rng.random_bool(0.4) {
                let second = (first + 1 + rng.random_range(0..world.emerging.len() - 1))
                    % world.emerging.len();
                focus.push(world.emerging[second].0);
            }
            focus
        } else {
            Vec::new()
        };
        Plan {
            archetype,
            relationship,
            active_from,
            active_to,
            focus,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn events(
        &self,
        world: &World,
        plan: &Plan,
        cid: &str,
        position: usize,
        rng: &mut Pcg64Mcg,
        builder: &mut PopulationBuilder,
    ) -> Result<()> {
        let profile = profile(plan.archetype);
        let (weights, total_rate) = &world.kinds[archetype_slot(plan.archetype)];
        let years = (plan.active_to - plan.active_from) as f64 / (365.25 * SECONDS_PER_DAY as f64);
        let active = plan.active_from..=plan.active_to;
        let focus_share = if plan.focus.is_empty() { 0.0 } else { 0.35 };
        let topic_at = |t: i64, rng: &mut Pcg64Mcg| -> usize {
            if rng.random_bool(focus_share) {
                plan.focus[rng.random_range(0..plan.focus.len())]
            } else {
                world.crowd_topic(t, rng)
            }
        };
        let push = |builder: &mut PopulationBuilder,
                    at: i64,
                    kind: InteractionKind,
                    topic: Option<usize>,
                    rng: &mut Pcg64Mcg| {
            if kind == InteractionKind::Purchase && plan.relationship == Relationship::Prospect {
                return Ok(());
            }
            let fields = InteractionFields {
                customer: cid,
                at,
                channel: pick(rng, channels_of(kind)),
                kind,
                topic: topic.map(|t| world.topic_names[t].as_str()),
            };
            builder.interaction_at(position as u64, fields)
        };

        // The customer's own interactions.
        for _ in 0..poisson(rng, total_rate * years) {
            let at = rng.random_range(active.clone());
            let kind = OWN_KINDS[weights.sample(rng)];
            let topic = (topical(kind) && rng.random_bool(0.7)).then(|| topic_at(at, rng));
            push(builder, at, kind, topic, rng)?;
        }
        // The company's outreach, and the answers.
        for _ in 0..poisson(rng, 3.5 * years) {
            let at = rng.random_range(active.clone());
            push(builder, at, InteractionKind::Outreach, None, rng)?;
            let answered = at + exp_days(rng, 3.0);
            if rng.random_bool(profile.response_rate) && answered <= plan.active_to {
                push(builder, answered, InteractionKind::Response, None, rng)?;
            }
        }
        // Early mentions of the emerging topics a lead is ahead on.
        let mut early_ideas = Vec::new();
        for &topic in &plan.focus {
            let Some(&(_, takeoff)) = world.emerging.iter().find(|(t, _)| *t == topic) else {
                continue;
            };
            let from = (takeoff - 14 * MONTH).max(plan.active_from);
            let to = (takeoff - MONTH).min(plan.active_to);
            if from >= to {
                continue;
            }
            for _ in 0..1 + poisson(rng, 3.0) {
                let at = rng.random_range(from..=to);
                let kind = pick(
                    rng,
                    &[
                        (None, 40),
                        (Some(InteractionKind::Workaround), 25),
                        (Some(InteractionKind::Feedback), 15),
                        (Some(InteractionKind::BetaJoin), 10),
                        (Some(InteractionKind::Question), 10),
                    ],
                );
                match kind {
                    Some(kind) => push(builder, at, kind, Some(topic), rng)?,
                    None => early_ideas.push((at, topic)),
                }
            }
        }
        self.survey(plan, cid, position, rng, builder)?;
        // Ideas.
        let ideas = poisson(rng, profile.ideas_per_year * years) as usize;
        let regular = (0..ideas).map(|_| {
            let at = rng.random_range(active.clone());
            (at, topic_at(at, rng))
        });
        let all: Vec<(i64, usize)> = regular
            .collect::<Vec<_>>()
            .into_iter()
            .chain(early_ideas)
            .collect();
        for (k, (submitted, topic)) in all.into_iter().enumerate() {
            let early = world
                .emerging
                .iter()
                .any(|&(t, takeoff)| t == topic && submitted < takeoff);
            let success = if early {
                (profile.idea_success + 0.2).min(0.9)
            } else {
                profile.idea_success
            };
            let decided = submitted + exp_days(rng, 75.0);
            let (status, decided_at) = if decided > world.end {
                let review = submitted + exp_days(rng, 20.0);
                if review <= world.end && rng.random_bool(0.4) {
                    (IdeaStatus::UnderReview, Some(review))
                } else {
                    (IdeaStatus::Open, None)
                }
            } else if rng.random_bool(0.06) {
                (IdeaStatus::Duplicate, Some(decided))
            } else if rng.random_bool(success) {
                let shipped = decided + exp_days(rng, 150.0);
                if shipped <= world.end {
                    (IdeaStatus::Shipped, Some(shipped))
                } else {
                    (IdeaStatus::Accepted, Some(decided))
                }
            } else {
                (IdeaStatus::Declined, Some(decided))
            };
            let votes = poisson(rng, if status.is_success() { 12.0 } else { 4.0 }) as u32;
            let id = format!("I{}-{k}", &cid[1..]);
            let fields = IdeaFields {
                id: &id,
                author: cid,
                submitted_at: submitted,
                topic: Some(world.topic_names[topic].as_str()),
                status,
                votes,
                decided_at,
            };
            builder.idea_at(position as u64, fields)?;
        }
        Ok(())
    }

    /// The lead-user questionnaire (items `at1..at4`, `heb1..heb3`, 5 points), answered by some
    /// customers during their last year: leads answer higher, and a few items are skipped.
    fn survey(
        &self,
        plan: &Plan,
        cid: &str,
        position: usize,
        rng: &mut Pcg64Mcg,
        builder: &mut PopulationBuilder,
    ) -> Result<()> {
        let lead = matches!(plan.archetype, Archetype::Lead | Archetype::LapsedLead);
        if !rng.random_bool(if lead { 0.3 } else { 0.12 }) {
            return Ok(());
        }
        let from = (plan.active_to - 12 * MONTH).max(plan.active_from);
        let answered_at = rng.random_range(from..=plan.active_to);
        let (ahead, benefit): (f64, f64) = match plan.archetype {
            Archetype::Lead | Archetype::LapsedLead => (4.2, 4.3),
            Archetype::LoyalFollower => (2.8, 3.4),
            Archetype::ProlificIdeator => (3.4, 3.0),
            _ => (2.6, 2.8),
        };
        let noise = Normal::new(0.0, 0.9)
            .map_err(|e| Error::parameter("survey noise", 0.9, e.to_string()))?;
        let items = ["at1", "at2", "at3", "at4"]
            .map(|i| (i, ahead))
            .into_iter()
            .chain(["heb1", "heb2", "heb3"].map(|i| (i, benefit)));
        for (item, mean) in items {
            if rng.random_bool(0.9) {
                let value: f64 = (mean + noise.sample(rng)).round().clamp(1.0, 5.0);
                builder.response_at(position as u64, cid, item, value, Some(answered_at))?;
            }
        }
        Ok(())
    }

    fn sessions(
        &self,
        world: &World,
        plans: &[Plan],
        id: &impl Fn(usize) -> String,
        rng: &mut Pcg64Mcg,
        builder: &mut PopulationBuilder,
    ) -> Result<()> {
        let count = (plans.len() / 800).clamp(4, 400);
        let pool = |wanted: &[Archetype]| -> Vec<usize> {
            plans
                .iter()
                .enumerate()
                .filter(|(_, p)| wanted.contains(&p.archetype))
                .map(|(i, _)| i)
                .collect()
        };
        let leads = pool(&[Archetype::Lead, Archetype::LapsedLead]);
        let loyal = pool(&[Archetype::LoyalFollower]);
        let window = world.end - world.start;
        let rating_noise =
            Normal::new(0.0, 0.5).map_err(|e| Error::parameter("rating", 0.5, e.to_string()))?;
        for s in 0..count {
            let held_at = world.start + window / 3 + rng.random_range(0..window * 2 / 3);
            let topic = if !world.emerging.is_empty() && rng.random_bool(0.6) {
                world.emerging[rng.random_range(0..world.emerging.len())].0
            } else {
                world.crowd_topic(held_at, rng)
            };
            let sid = format!("S{s:04}");
            let title = format!("Co-design: {}", world.topic_names[topic]);
            builder.session_at(
                s as u64,
                &sid,
                held_at,
                Some(&world.topic_names[topic]),
                Some(title),
            )?;
            let eligible = |c: usize| {
                let p = &plans[c];
                p.active_from <= held_at && held_at <= p.active_to + 6 * MONTH
            };
            let mut invited: Vec<usize> = Vec::with_capacity(14);
            invite(&mut invited, 5, leads.len(), |k| leads[k], &eligible, rng);
            invite(&mut invited, 4, loyal.len(), |k| loyal[k], &eligible, rng);
            invite(&mut invited, 5, plans.len(), |k| k, &eligible, rng);
            for (k, &c) in invited.iter().enumerate() {
                let plan = &plans[c];
                let profile = profile(plan.archetype);
                let gone = held_at > plan.active_to;
                let attended = rng.random_bool(if gone { 0.05 } else { profile.attendance });
                let contributions = if attended {
                    poisson(rng, profile.contributions) as u32
                } else {
                    0
                };
                let rating = (attended && rng.random_bool(0.85)).then(|| {
                    let r: f64 = profile.rating + rating_noise.sample(rng);
                    (r.clamp(1.0, 5.0) * 2.0).round() / 2.0
                });
                let fields = ParticipationFields {
                    session: &sid,
                    customer: &id(c),
                    invited: true,
                    attended,
                    contributions,
                    rating,
                };
                builder.participation_at((s * 100 + k) as u64, fields)?;
            }
        }
        Ok(())
    }
}

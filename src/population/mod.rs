//! The validated, indexed customer base every computation runs on.
//!
//! A [`Population`] is built once from records (through a [`PopulationBuilder`] or a CSV folder)
//! and never changes. Building it validates everything, so nothing downstream re-checks:
//!
//! - customers get dense indices ([`CustomerIndex`]) in the order of their ids, so the same
//!   records give the same population whatever order they arrive in;
//! - each customer's interactions, ideas and participations are stored contiguously, sorted by
//!   time, in columns (times as `i64` seconds, channel and kind as one byte, topics interned as
//!   [`TopicId`]s): a signal is one sweep over memory, with no `String` per event;
//! - topics carry an index of every mention's time, the crowd's adoption curve that the
//!   ahead-of-trend signal reads.
//!
//! Memory: an interaction takes 18 bytes (time 8, topic 4, rank on the topic's curve 4, channel 1,
//! kind 1), plus 8 bytes for each topic mention in the topic index.

pub(crate) mod builder;
mod summary;

use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;

pub use builder::PopulationBuilder;
pub use summary::PopulationSummary;

use crate::{
    Channel, CoDesignSession, Customer, CustomerId, Idea, IdeaId, IdeaStatus, Interaction,
    InteractionKind, Participation, Relationship, SessionId,
};

/// Marks "no topic" in a topic column.
pub(crate) const NO_TOPIC: u32 = u32::MAX;
/// Marks a row that is not a mention on a topic curve (no topic, or company outreach).
pub(crate) const NOT_A_MENTION: u32 = u32::MAX;
/// Marks an idea decision without a known time in the `decided_at` column.
pub(crate) const UNDATED: i64 = i64::MAX;

/// A customer's dense position in a [`Population`]: `0..population.len()`, in the order of the
/// customer ids. Signal columns and score tables are indexed by it.
///
/// An index means a customer only in the population that gave it (and its clones): the methods
/// that take one, on a population, its scores, history or BG/NBD model, index their columns with
/// it, and panic on an index beyond them, as slice indexing does. Functions given two of those
/// ([`plan_cohort`](crate::plan_cohort), [`leads_at_risk`](crate::btyd::leads_at_risk),
/// [`Scores::new`](crate::Scores::new),
/// [`NaiveRanking::scores`](crate::evidence::NaiveRanking::scores)) check that both have the
/// same customer ids in the same order, and fail with an error otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct CustomerIndex(pub(crate) u32);

impl CustomerIndex {
    /// The position as a `usize`, to index a signal column.
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// An interned topic: its position in [`Population::topics`], in the order of the topic names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicId(pub(crate) u32);

impl TopicId {
    /// The position as a `usize`.
    pub fn get(self) -> usize {
        self.0 as usize
    }

    fn from_slot(slot: u32) -> Option<TopicId> {
        (slot != NO_TOPIC).then_some(TopicId(slot))
    }
}

/// Rows grouped per customer: customer `c` owns rows `offsets[c]..offsets[c + 1]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Groups {
    pub(crate) offsets: Vec<usize>,
}

impl Groups {
    #[inline]
    pub(crate) fn range(&self, c: usize) -> std::ops::Range<usize> {
        self.offsets[c]..self.offsets[c + 1]
    }

    /// How many customers have rows here.
    pub(crate) fn non_empty(&self) -> usize {
        self.offsets.windows(2).filter(|w| w[1] > w[0]).count()
    }
}

/// Interactions in columns, grouped per customer, each group sorted by time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct InteractionColumns {
    pub(crate) groups: Groups,
    pub(crate) at: Vec<i64>,
    pub(crate) channel: Vec<Channel>,
    pub(crate) kind: Vec<InteractionKind>,
    pub(crate) topic: Vec<u32>,
    /// The rank of the row on its topic's curve: mentions strictly before it
    /// ([`NOT_A_MENTION`] for rows that are not mentions).
    pub(crate) topic_rank: Vec<u32>,
}

/// Ideas in columns, grouped per author, each group sorted by submission time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct IdeaColumns {
    pub(crate) groups: Groups,
    pub(crate) id: Vec<IdeaId>,
    pub(crate) submitted_at: Vec<i64>,
    pub(crate) topic: Vec<u32>,
    pub(crate) status: Vec<IdeaStatus>,
    pub(crate) votes: Vec<u32>,
    /// When the status was set; [`UNDATED`] when the record did not say.
    pub(crate) decided_at: Vec<i64>,
    /// The rank of the idea on its topic's curve ([`NOT_A_MENTION`] without a topic).
    pub(crate) topic_rank: Vec<u32>,
}

/// Co-design sessions, in the order of their ids.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SessionColumns {
    pub(crate) id: Vec<SessionId>,
    pub(crate) held_at: Vec<i64>,
    pub(crate) topic: Vec<u32>,
    pub(crate) title: Vec<Option<String>>,
}

/// Participations, grouped per customer, each group sorted by the session's time.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ParticipationColumns {
    pub(crate) groups: Groups,
    pub(crate) session: Vec<u32>,
    pub(crate) invited: Vec<bool>,
    pub(crate) attended: Vec<bool>,
    pub(crate) contributions: Vec<u32>,
    pub(crate) rating: Vec<Option<f64>>,
}

/// Questionnaire answers, grouped per customer, each group in item order.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ResponseColumns {
    pub(crate) groups: Groups,
    /// Positions in [`Population::items`].
    pub(crate) item: Vec<u32>,
    pub(crate) value: Vec<f64>,
    /// When the answer was given; [`UNDATED`] when the record did not say.
    pub(crate) answered_at: Vec<i64>,
}

/// For each topic, the sorted times of every mention of it (interactions and ideas): the crowd's
/// adoption curve of the topic.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct TopicMentions {
    pub(crate) offsets: Vec<usize>,
    pub(crate) at: Vec<i64>,
}

impl TopicMentions {
    /// The sorted mention times of a topic.
    pub(crate) fn times(&self, topic: u32) -> &[i64] {
        let t = topic as usize;
        &self.at[self.offsets[t]..self.offsets[t + 1]]
    }
}

/// The validated customer base: customers, their interactions, ideas and co-design
/// participations (and questionnaire answers), indexed for one-pass computation. See the [module docs](self) for the layout.
///
/// ```
/// use lead_customers::{Channel, Customer, Interaction, InteractionKind, Population};
/// let at = "2024-05-01T10:00:00Z".parse().unwrap();
/// let mut builder = Population::builder();
/// builder.add_interaction(Interaction::new("C-2", at, Channel::Email, InteractionKind::Question))?;
/// builder.add_customer(Customer::new("C-2"))?;
/// builder.add_customer(Customer::new("C-1"))?;
/// let population = builder.build()?;
/// assert_eq!(population.len(), 2);
/// let c2 = population.index_of("C-2").unwrap();
/// assert_eq!(population.interactions(c2).len(), 1);
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Shared, not copied, by the signal tables computed from the population and by its
    /// clones: that is how a table tells whether it is read beside its own customers.
    pub(crate) ids: Arc<Vec<CustomerId>>,
    pub(crate) names: Vec<Option<String>>,
    pub(crate) segment: Vec<u32>,
    pub(crate) segment_names: Vec<String>,
    pub(crate) relationship: Vec<Relationship>,
    pub(crate) since: Vec<Option<Date>>,
    pub(crate) interactions: InteractionColumns,
    pub(crate) ideas: IdeaColumns,
    pub(crate) sessions: SessionColumns,
    pub(crate) participations: ParticipationColumns,
    /// Questionnaire items answered anywhere, sorted by name.
    pub(crate) items: Vec<String>,
    pub(crate) responses: ResponseColumns,
    pub(crate) topics: Vec<String>,
    pub(crate) topic_mentions: TopicMentions,
    pub(crate) earliest: i64,
    pub(crate) latest: i64,
    /// Per customer, the second from which the company knew them (see
    /// [`known_at`](Population::known_at)).
    pub(crate) known_from: Vec<i64>,
}

/// Whether two populations have the same customers: the same customer ids in the same order (a
/// clone, or another export of the same customers), so that a [`CustomerIndex`] of one is the
/// same customer in the other.
pub(crate) fn same_population(a: &Population, b: &Population) -> bool {
    same_customers(&a.ids, &b.ids)
}

/// Whether two lists of customer ids are the same: at once when they are one list (shared by a
/// population, its clones and its signal tables), else id by id.
pub(crate) fn same_customers(a: &Arc<Vec<CustomerId>>, b: &Arc<Vec<CustomerId>>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// Converts stored seconds back to a timestamp. Stored seconds always came from a valid
/// timestamp, so the fallback is never taken.
pub(crate) fn timestamp(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

impl Population {
    /// A builder to add records to, in any order.
    pub fn builder() -> PopulationBuilder {
        PopulationBuilder::new()
    }

    /// The number of customers and prospects (never zero: building an empty population fails).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Always `false`: a population has at least one customer. Present for API symmetry.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Every customer's index, in order.
    pub fn customers(&self) -> impl ExactSizeIterator<Item = CustomerIndex> + use<> {
        (0..self.ids.len() as u32).map(CustomerIndex)
    }

    /// The index of the customer at `position` (`None` beyond the population): for a position
    /// found in a column indexed by customer, such as [`Scores::lead_scores`](crate::Scores::lead_scores).
    ///
    /// ```
    /// use lead_customers::synthetic::{Generator, GeneratorConfig};
    /// use lead_customers::ScoringModel;
    /// let base = Generator::new(GeneratorConfig { customers: 100, ..Default::default() }).generate()?;
    /// let p = &base.population;
    /// let scores = ScoringModel::default().score_latest(p)?;
    /// let (best, _) = scores.lead_scores().iter().enumerate()
    ///     .max_by(|a, b| a.1.total_cmp(b.1)).unwrap();
    /// assert_eq!(p.customer_at(best), Some(scores.top(1)[0].customer));
    /// assert_eq!(p.customer_at(100), None);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn customer_at(&self, position: usize) -> Option<CustomerIndex> {
        (position < self.ids.len()).then_some(CustomerIndex(position as u32))
    }

    /// The index of the customer with this id.
    pub fn index_of(&self, id: &str) -> Option<CustomerIndex> {
        self.ids
            .binary_search_by(|probe| probe.as_str().cmp(id))
            .ok()
            .map(|i| CustomerIndex(i as u32))
    }

    /// A customer's id.
    pub fn customer_id(&self, c: CustomerIndex) -> &CustomerId {
        &self.ids[c.get()]
    }

    /// All customer ids, in index order (sorted).
    pub fn customer_ids(&self) -> &[CustomerId] {
        &self.ids
    }

    /// A customer's display name.
    pub fn name(&self, c: CustomerIndex) -> Option<&str> {
        self.names[c.get()].as_deref()
    }

    /// A customer's segment.
    pub fn segment(&self, c: CustomerIndex) -> Option<&str> {
        let s = self.segment[c.get()];
        (s != NO_TOPIC).then(|| self.segment_names[s as usize].as_str())
    }

    /// The distinct segments, sorted.
    pub fn segments(&self) -> &[String] {
        &self.segment_names
    }

    /// A customer's segment as a position in [`Population::segments`] (`None` when absent).
    pub fn segment_index(&self, c: CustomerIndex) -> Option<usize> {
        let s = self.segment[c.get()];
        (s != NO_TOPIC).then_some(s as usize)
    }

    /// Customer or prospect.
    pub fn relationship(&self, c: CustomerIndex) -> Relationship {
        self.relationship[c.get()]
    }

    /// The customer record, rebuilt from the columns.
    pub fn customer(&self, c: CustomerIndex) -> Customer {
        let i = c.get();
        Customer {
            id: self.ids[i].clone(),
            name: self.names[i].clone(),
            segment: self.segment(c).map(str::to_owned),
            relationship: self.relationship[i],
            since: self.since[i],
        }
    }

    /// A customer's interactions, sorted by time.
    pub fn interactions(&self, c: CustomerIndex) -> Interactions<'_> {
        Interactions {
            population: self,
            rows: self.interactions.groups.range(c.get()),
        }
    }

    /// A customer's ideas, sorted by submission time.
    pub fn ideas(&self, c: CustomerIndex) -> Ideas<'_> {
        Ideas {
            population: self,
            rows: self.ideas.groups.range(c.get()),
        }
    }

    /// A customer's session participations, sorted by the session's time.
    pub fn participations(&self, c: CustomerIndex) -> Participations<'_> {
        Participations {
            population: self,
            rows: self.participations.groups.range(c.get()),
        }
    }

    /// The number of interactions of all customers.
    pub fn interaction_count(&self) -> usize {
        self.interactions.at.len()
    }

    /// The number of ideas of all customers.
    pub fn idea_count(&self) -> usize {
        self.ideas.id.len()
    }

    /// The number of co-design sessions.
    pub fn session_count(&self) -> usize {
        self.sessions.id.len()
    }

    /// The number of participations in all sessions.
    pub fn participation_count(&self) -> usize {
        self.participations.session.len()
    }

    /// The number of questionnaire answers of all customers.
    pub fn response_count(&self) -> usize {
        self.responses.value.len()
    }

    /// Every questionnaire item answered by anyone, sorted by name.
    pub fn items(&self) -> &[String] {
        &self.items
    }

    /// A customer's questionnaire answers, in item-name order.
    pub fn responses(
        &self,
        c: CustomerIndex,
    ) -> impl Iterator<Item = crate::evidence::Response> + '_ {
        let id = self.customer_id(c);
        self.responses
            .groups
            .range(c.get())
            .map(move |r| crate::evidence::Response {
                customer: id.clone(),
                item: self.items[self.responses.item[r] as usize].clone(),
                value: self.responses.value[r],
                answered_at: (self.responses.answered_at[r] != UNDATED)
                    .then(|| timestamp(self.responses.answered_at[r])),
            })
    }

    /// Every questionnaire answer, grouped by customer in index order.
    pub fn response_records(&self) -> impl Iterator<Item = crate::evidence::Response> + '_ {
        self.customers().flat_map(move |c| self.responses(c))
    }

    /// The co-design session at a position (`0..session_count()`, in the order of the ids).
    pub fn session(&self, index: usize) -> CoDesignSession {
        let s = &self.sessions;
        CoDesignSession {
            id: s.id[index].clone(),
            held_at: timestamp(s.held_at[index]),
            topic: self.topic_name_of_slot(s.topic[index]).map(str::to_owned),
            title: s.title[index].clone(),
        }
    }

    /// Every topic mentioned anywhere (interactions, ideas, sessions), sorted by name.
    pub fn topics(&self) -> &[String] {
        &self.topics
    }

    /// The id of a topic by name.
    pub fn topic_id(&self, name: &str) -> Option<TopicId> {
        self.topics
            .binary_search_by(|t| t.as_str().cmp(name))
            .ok()
            .map(|i| TopicId(i as u32))
    }

    /// A topic's name.
    pub fn topic_name(&self, topic: TopicId) -> &str {
        &self.topics[topic.get()]
    }

    fn topic_name_of_slot(&self, slot: u32) -> Option<&str> {
        TopicId::from_slot(slot).map(|t| self.topic_name(t))
    }

    /// The time of the earliest event (interaction, idea submission or decision, session, dated
    /// questionnaire answer), rounded up to a whole second (see [`time`](crate::time)), or
    /// `None` when there are no events at all.
    pub fn earliest(&self) -> Option<Timestamp> {
        (self.earliest <= self.latest).then(|| timestamp(self.earliest))
    }

    /// The time of the latest event (interaction, idea submission or decision, session, dated
    /// questionnaire answer), rounded up to a whole second: the default as-of time, when the
    /// data was exported. `None` when there are no events at all.
    pub fn latest(&self) -> Option<Timestamp> {
        (self.earliest <= self.latest).then(|| timestamp(self.latest))
    }

    /// Whether the company knew the customer at `t`: their relationship began on or before
    /// `t`'s day (`since`, at midnight UTC), or a record of theirs is dated at or before `t` (an
    /// interaction, an idea submitted, a co-design session they are listed for, a dated
    /// questionnaire answer). A customer with no `since` and no dated record at all (nothing
    /// tells when they came) is known from the start of the data: their status as of `t` must
    /// not depend on how far the data runs after `t`.
    ///
    /// Scoring as of `t` ranks the customers known at `t` only: a customer who first appears
    /// later is not yet part of the population then, and counting them (with nothing done)
    /// would move everyone else's percentile ranks by what happened after `t`.
    ///
    /// ```
    /// use lead_customers::time::parse_timestamp;
    /// use lead_customers::{Channel, Customer, Interaction, InteractionKind, Population};
    /// let day = |d: &str| parse_timestamp(d).unwrap();
    /// let mut b = Population::builder();
    /// for (id, first) in [("C-1", "2024-01-10"), ("C-2", "2024-06-01")] {
    ///     b.add_customer(Customer::new(id))?;
    ///     b.add_interaction(Interaction::new(id, day(first), Channel::Email, InteractionKind::Question))?;
    /// }
    /// let population = b.build()?;
    /// let c2 = population.index_of("C-2").unwrap();
    /// assert!(!population.known_at(c2, day("2024-03-01")));
    /// assert!(population.known_at(c2, day("2024-06-01")));
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn known_at(&self, c: CustomerIndex, t: Timestamp) -> bool {
        self.known_from[c.get()] <= crate::time::as_of_second(t)
    }

    /// Which customers were known at `t` (see [`known_at`](Self::known_at)), by
    /// [`CustomerIndex`]; `None` when every customer was.
    pub(crate) fn known_mask(&self, t: i64) -> Option<Vec<bool>> {
        if self.known_from.iter().all(|&from| from <= t) {
            return None;
        }
        Some(self.known_from.iter().map(|&from| from <= t).collect())
    }

    /// Counts of records per kind, channel and status: what a first look at the data wants.
    pub fn summary(&self) -> PopulationSummary {
        PopulationSummary::of(self)
    }

    /// Every record, table by table: what [`Records::build`] turns back into this population.
    pub fn records(&self) -> Records {
        Records {
            customers: self.customer_records().collect(),
            interactions: self.interaction_records().collect(),
            ideas: self.idea_records().collect(),
            sessions: self.session_records().collect(),
            participations: self.participation_records().collect(),
            responses: self.response_records().collect(),
        }
    }

    /// Every customer record, in index order.
    pub fn customer_records(&self) -> impl Iterator<Item = Customer> + '_ {
        self.customers().map(|c| self.customer(c))
    }

    /// Every interaction record, grouped by customer in index order, each group by time.
    pub fn interaction_records(&self) -> impl Iterator<Item = Interaction> + '_ {
        self.customers().flat_map(move |c| {
            let id = self.customer_id(c);
            self.interactions(c).iter().map(move |i| Interaction {
                customer: id.clone(),
                at: i.at,
                channel: i.channel,
                kind: i.kind,
                topic: i.topic.map(|t| self.topic_name(t).to_owned()),
            })
        })
    }

    /// Every idea record, grouped by author in index order, each group by submission time.
    pub fn idea_records(&self) -> impl Iterator<Item = Idea> + '_ {
        self.customers().flat_map(move |c| {
            let author = self.customer_id(c);
            self.ideas(c).iter().map(move |i| Idea {
                id: i.id.clone(),
                author: author.clone(),
                submitted_at: i.submitted_at,
                topic: i.topic.map(|t| self.topic_name(t).to_owned()),
                status: i.status,
                votes: i.votes,
                decided_at: i.decided_at,
            })
        })
    }

    /// Every session record, in the order of the ids.
    pub fn session_records(&self) -> impl Iterator<Item = CoDesignSession> + '_ {
        (0..self.session_count()).map(|s| self.session(s))
    }

    /// Every participation record, grouped by customer in index order.
    pub fn participation_records(&self) -> impl Iterator<Item = Participation> + '_ {
        self.customers().flat_map(move |c| {
            let customer = self.customer_id(c);
            self.participations(c).iter().map(move |p| Participation {
                session: self.sessions.id[p.session].clone(),
                customer: customer.clone(),
                invited: p.invited,
                attended: p.attended,
                contributions: p.contributions,
                rating: p.rating,
            })
        })
    }
}

/// Every record of a population, as lists: to export, transform, or rebuild from.
///
/// ```
/// use lead_customers::synthetic::{Generator, GeneratorConfig};
/// use lead_customers::{Channel, Interaction, InteractionKind, Population};
/// let base = Generator::new(GeneratorConfig { customers: 100, ..Default::default() }).generate()?;
/// let mut records = base.population.records();
/// // New data arrives: add it and build again.
/// let at = base.population.latest().unwrap();
/// records.interactions.push(Interaction::new("C0000007", at, Channel::Chat, InteractionKind::Praise));
/// let updated = records.build()?;
/// assert_eq!(updated.interaction_count(), base.population.interaction_count() + 1);
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Records {
    /// Customers and prospects.
    pub customers: Vec<Customer>,
    /// Interactions.
    pub interactions: Vec<Interaction>,
    /// Ideas.
    pub ideas: Vec<Idea>,
    /// Co-design sessions.
    pub sessions: Vec<CoDesignSession>,
    /// Participations in sessions.
    pub participations: Vec<Participation>,
    /// Questionnaire answers.
    pub responses: Vec<crate::evidence::Response>,
}

impl Records {
    /// Adds every record to a builder, table by table.
    pub fn add_to(self, builder: &mut PopulationBuilder) -> crate::Result<()> {
        for c in self.customers {
            builder.add_customer(c)?;
        }
        for i in self.interactions {
            builder.add_interaction(i)?;
        }
        for i in self.ideas {
            builder.add_idea(i)?;
        }
        for s in self.sessions {
            builder.add_session(s)?;
        }
        for p in self.participations {
            builder.add_participation(p)?;
        }
        for r in self.responses {
            builder.add_response(r)?;
        }
        Ok(())
    }

    /// Builds a population from the records.
    pub fn build(self) -> crate::Result<Population> {
        let mut builder = PopulationBuilder::new();
        self.add_to(&mut builder)?;
        builder.build()
    }
}

/// One customer's interactions: a view into the population's columns.
#[derive(Debug, Clone)]
pub struct Interactions<'a> {
    population: &'a Population,
    rows: std::ops::Range<usize>,
}

/// One interaction, as seen through [`Interactions::iter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InteractionRef {
    /// When.
    pub at: Timestamp,
    /// Where.
    pub channel: Channel,
    /// What.
    pub kind: InteractionKind,
    /// What about.
    pub topic: Option<TopicId>,
}

impl<'a> Interactions<'a> {
    /// The number of interactions.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The times, in seconds since the Unix epoch, ascending.
    pub fn at_seconds(&self) -> &'a [i64] {
        &self.population.interactions.at[self.rows.clone()]
    }

    /// The kinds, in time order.
    pub fn kinds(&self) -> &'a [InteractionKind] {
        &self.population.interactions.kind[self.rows.clone()]
    }

    /// The channels, in time order.
    pub fn channels(&self) -> &'a [Channel] {
        &self.population.interactions.channel[self.rows.clone()]
    }
}

/// The interaction in row `r` of the population's columns.
fn interaction_at(population: &Population, r: usize) -> InteractionRef {
    let cols = &population.interactions;
    InteractionRef {
        at: timestamp(cols.at[r]),
        channel: cols.channel[r],
        kind: cols.kind[r],
        topic: TopicId::from_slot(cols.topic[r]),
    }
}

/// One customer's ideas: a view into the population's columns.
#[derive(Debug, Clone)]
pub struct Ideas<'a> {
    population: &'a Population,
    rows: std::ops::Range<usize>,
}

/// One idea, as seen through [`Ideas::iter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdeaRef<'a> {
    /// The idea's id.
    pub id: &'a IdeaId,
    /// When it was submitted.
    pub submitted_at: Timestamp,
    /// What it is about.
    pub topic: Option<TopicId>,
    /// Its current status.
    pub status: IdeaStatus,
    /// Its votes.
    pub votes: u32,
    /// When the status was set, if the record said.
    pub decided_at: Option<Timestamp>,
}

impl<'a> Ideas<'a> {
    /// The number of ideas.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// The idea in row `r` of the population's columns.
fn idea_at(population: &Population, r: usize) -> IdeaRef<'_> {
    let cols = &population.ideas;
    IdeaRef {
        id: &cols.id[r],
        submitted_at: timestamp(cols.submitted_at[r]),
        topic: TopicId::from_slot(cols.topic[r]),
        status: cols.status[r],
        votes: cols.votes[r],
        decided_at: (cols.decided_at[r] != UNDATED).then(|| timestamp(cols.decided_at[r])),
    }
}

/// One customer's session participations: a view into the population's columns.
#[derive(Debug, Clone)]
pub struct Participations<'a> {
    population: &'a Population,
    rows: std::ops::Range<usize>,
}

/// One participation, as seen through [`Participations::iter`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParticipationRef {
    /// The session's position (see [`Population::session`]).
    pub session: usize,
    /// When the session was held.
    pub held_at: Timestamp,
    /// Invited.
    pub invited: bool,
    /// Attended.
    pub attended: bool,
    /// Contributions made.
    pub contributions: u32,
    /// The facilitator's rating.
    pub rating: Option<f64>,
}

impl<'a> Participations<'a> {
    /// The number of participations.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// The participation in row `r` of the population's columns.
fn participation_at(population: &Population, r: usize) -> ParticipationRef {
    let cols = &population.participations;
    let session = cols.session[r] as usize;
    ParticipationRef {
        session,
        held_at: timestamp(population.sessions.held_at[session]),
        invited: cols.invited[r],
        attended: cols.attended[r],
        contributions: cols.contributions[r],
        rating: cols.rating[r],
    }
}

/// A view's `iter()`, its iterator over the view's rows, and its `IntoIterator`s: `for i in
/// population.interactions(c)` (or `&...`) as well as `.iter()`.
macro_rules! view_iterator {
    ($(#[$doc:meta])* $iter:ident, $view:ident, $item:ty, $read:ident) => {
        impl<'a> $view<'a> {
            $(#[$doc])*
            pub fn iter(&self) -> $iter<'a> {
                $iter {
                    population: self.population,
                    rows: self.rows.clone(),
                }
            }
        }

        $(#[$doc])*
        #[doc = concat!("\n\nThe iterator of [`", stringify!($view), "::iter`].")]
        #[derive(Debug, Clone)]
        pub struct $iter<'a> {
            population: &'a Population,
            rows: std::ops::Range<usize>,
        }

        impl<'a> Iterator for $iter<'a> {
            type Item = $item;

            fn next(&mut self) -> Option<$item> {
                let r = self.rows.next()?;
                Some($read(self.population, r))
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.rows.size_hint()
            }
        }

        impl<'a> DoubleEndedIterator for $iter<'a> {
            fn next_back(&mut self) -> Option<$item> {
                let r = self.rows.next_back()?;
                Some($read(self.population, r))
            }
        }

        impl ExactSizeIterator for $iter<'_> {}

        impl std::iter::FusedIterator for $iter<'_> {}

        impl<'a> IntoIterator for $view<'a> {
            type Item = $item;
            type IntoIter = $iter<'a>;

            fn into_iter(self) -> $iter<'a> {
                self.iter()
            }
        }

        impl<'a> IntoIterator for &$view<'a> {
            type Item = $item;
            type IntoIter = $iter<'a>;

            fn into_iter(self) -> $iter<'a> {
                self.iter()
            }
        }
    };
}

view_iterator! {
    /// The interactions in time order.
    InteractionIter, Interactions, InteractionRef, interaction_at
}

view_iterator! {
    /// The ideas in order of submission.
    IdeaIter, Ideas, IdeaRef<'a>, idea_at
}

view_iterator! {
    /// The participations in order of the sessions' times.
    ParticipationIter, Participations, ParticipationRef, participation_at
}

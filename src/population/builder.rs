//! Building a [`Population`]: interning ids, validating records, grouping events per customer.

use rustc_hash::FxHashMap as HashMap;

use jiff::civil::Date;

use super::{
    Groups, IdeaColumns, InteractionColumns, NO_TOPIC, NOT_A_MENTION, ParticipationColumns,
    Population, ResponseColumns, SessionColumns, TopicMentions, UNDATED,
};
use crate::{
    Channel, CoDesignSession, Customer, Error, Idea, IdeaId, IdeaStatus, Interaction,
    InteractionKind, Location, Participation, Problem, Relationship, Result, SessionId, Table,
};

const TABLES: usize = 6;

fn table_slot(table: Table) -> usize {
    match table {
        Table::Customers => 0,
        Table::Interactions => 1,
        Table::Ideas => 2,
        Table::Sessions => 3,
        Table::Participants => 4,
        Table::Responses => 5,
    }
}

/// Collects records in any order and builds a validated [`Population`].
///
/// Each `add_*` method checks what it can see in the record alone (a rating out of range, a
/// duplicate customer id) and fails at once; [`build`](Self::build) checks what needs every
/// record (an interaction whose customer never appeared, a participation in an unknown session,
/// duplicate idea ids). Errors name the record by its position among the records of its table,
/// in the order they were added (or by file and line when loading CSV).
///
/// ```
/// use lead_customers::{ErrorKind, Interaction, Channel, InteractionKind, Population};
/// let at = lead_customers::time::parse_timestamp("2024-05-01").unwrap();
/// let mut builder = Population::builder();
/// builder.add_interaction(Interaction::new("ghost", at, Channel::Chat, InteractionKind::Question))?;
/// let err = builder.build().unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::UnknownCustomer);
/// assert_eq!(err.to_string(), "interaction #0: field `customer_id` = \"ghost\": no customer has this id");
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct PopulationBuilder {
    /// Per table: where its records come from, when not from the API (a CSV file).
    sources: [Option<Locator>; TABLES],
    /// Per table: records added through the API so far (the next record's position).
    added: [u64; TABLES],
    customer_index: HashMap<crate::CustomerId, u32>,
    customers: Vec<CustomerSlot>,
    session_index: HashMap<SessionId, u32>,
    sessions: Vec<SessionSlot>,
    topic_index: HashMap<Box<str>, u32>,
    topic_names: Vec<Box<str>>,
    interactions: PendingInteractions,
    ideas: PendingIdeas,
    participations: PendingParticipations,
    item_index: HashMap<Box<str>, u32>,
    item_names: Vec<Box<str>>,
    responses: PendingResponses,
}

#[derive(Debug)]
struct CustomerSlot {
    id: crate::CustomerId,
    record: Option<PendingCustomer>,
    /// Where the id was first referenced by an event, while no customer record defines it.
    first_reference: Option<Location>,
}

#[derive(Debug)]
struct PendingCustomer {
    name: Option<String>,
    segment: Option<String>,
    relationship: Relationship,
    since: Option<Date>,
    position: u64,
}

#[derive(Debug)]
struct SessionSlot {
    id: SessionId,
    record: Option<PendingSession>,
    first_reference: Option<Location>,
}

#[derive(Debug)]
struct PendingSession {
    held_at: i64,
    topic: u32,
    title: Option<String>,
    position: u64,
}

#[derive(Debug, Default)]
struct PendingInteractions {
    customer: Vec<u32>,
    at: Vec<i64>,
    channel: Vec<Channel>,
    kind: Vec<InteractionKind>,
    topic: Vec<u32>,
}

#[derive(Debug, Default)]
struct PendingIdeas {
    id: Vec<IdeaId>,
    position: Vec<u64>,
    author: Vec<u32>,
    submitted_at: Vec<i64>,
    topic: Vec<u32>,
    status: Vec<IdeaStatus>,
    votes: Vec<u32>,
    decided_at: Vec<i64>,
}

#[derive(Debug, Default)]
struct PendingParticipations {
    session: Vec<u32>,
    customer: Vec<u32>,
    position: Vec<u64>,
    invited: Vec<bool>,
    attended: Vec<bool>,
    contributions: Vec<u32>,
    rating: Vec<Option<f64>>,
}

#[derive(Debug, Default)]
struct PendingResponses {
    customer: Vec<u32>,
    item: Vec<u32>,
    value: Vec<f64>,
    answered_at: Vec<i64>,
    position: Vec<u64>,
}

/// Interactions parsed from one part of a CSV file: customers already resolved to the builder's
/// slots, topics interned within the batch.
#[derive(Debug, Default)]
pub(crate) struct InteractionBatch {
    customer: Vec<u32>,
    at: Vec<i64>,
    channel: Vec<Channel>,
    kind: Vec<InteractionKind>,
    topic: Vec<u32>,
    topic_names: Vec<Box<str>>,
    topic_index: HashMap<Box<str>, u32>,
}

impl InteractionBatch {
    /// Adds an interaction of the customer in builder slot `customer`.
    pub(crate) fn push(
        &mut self,
        customer: u32,
        at: i64,
        channel: Channel,
        kind: InteractionKind,
        topic: Option<&str>,
    ) {
        let topic = match topic.filter(|t| !t.is_empty()) {
            None => NO_TOPIC,
            Some(name) => match self.topic_index.get(name) {
                Some(&id) => id,
                None => {
                    let id = self.topic_names.len() as u32;
                    self.topic_names.push(name.into());
                    self.topic_index.insert(name.into(), id);
                    id
                }
            },
        };
        self.customer.push(customer);
        self.at.push(at);
        self.channel.push(channel);
        self.kind.push(kind);
        self.topic.push(topic);
    }
}

/// The fields of one interaction, as the CSV reader hands them over without allocating.
pub(crate) struct InteractionFields<'a> {
    pub customer: &'a str,
    pub at: i64,
    pub channel: Channel,
    pub kind: InteractionKind,
    pub topic: Option<&'a str>,
}

/// The fields of one idea, as the CSV reader hands them over.
pub(crate) struct IdeaFields<'a> {
    pub id: &'a str,
    pub author: &'a str,
    pub submitted_at: i64,
    pub topic: Option<&'a str>,
    pub status: IdeaStatus,
    pub votes: u32,
    pub decided_at: Option<i64>,
}

/// The fields of one participation, as the CSV reader hands them over.
pub(crate) struct ParticipationFields<'a> {
    pub session: &'a str,
    pub customer: &'a str,
    pub invited: bool,
    pub attended: bool,
    pub contributions: u32,
    pub rating: Option<f64>,
}

/// Turns the position of a record from a source other than the API into its [`Location`]; for
/// a CSV file, the position is the record's byte offset and the locator finds its line.
pub(crate) struct Locator(pub Box<dyn Fn(u64) -> Location + Send + Sync>);

impl std::fmt::Debug for Locator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Locator")
    }
}

fn locate(sources: &[Option<Locator>; TABLES], table: Table, position: u64) -> Location {
    match &sources[table_slot(table)] {
        Some(locator) => (locator.0)(position),
        None => Location::Record {
            table,
            index: position as usize,
        },
    }
}

fn record_error(
    location: Location,
    field: &'static str,
    value: impl ToString,
    problem: Problem,
) -> Error {
    Error::Record {
        location,
        field,
        value: value.to_string(),
        problem,
    }
}

/// Rows are addressed by `u32` in the grouping permutation.
fn check_capacity(rows: usize, table: Table) -> Result<()> {
    if rows >= u32::MAX as usize {
        return Err(Error::parameter(
            table.file_name(),
            rows,
            "more than 4,294,967,294 records in one table are not supported",
        ));
    }
    Ok(())
}

impl PopulationBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records of `table` come from elsewhere: `locator` turns the positions passed with them
    /// into locations (only when an error needs one).
    pub(crate) fn set_source(&mut self, table: Table, locator: Locator) {
        self.sources[table_slot(table)] = Some(locator);
    }

    fn location(&self, table: Table, position: u64) -> Location {
        locate(&self.sources, table, position)
    }

    fn next_position(&mut self, table: Table) -> u64 {
        let slot = &mut self.added[table_slot(table)];
        let position = *slot;
        *slot += 1;
        position
    }

    /// Adds a customer or prospect. Fails if another customer record has the same id.
    pub fn add_customer(&mut self, customer: Customer) -> Result<&mut Self> {
        let position = self.next_position(Table::Customers);
        let Customer {
            id,
            name,
            segment,
            relationship,
            since,
        } = customer;
        self.customer_at(position, id.as_str(), name, segment, relationship, since)?;
        Ok(self)
    }

    /// Adds an interaction. Its customer may be added before or after it.
    pub fn add_interaction(&mut self, interaction: Interaction) -> Result<&mut Self> {
        let position = self.next_position(Table::Interactions);
        self.interaction_at(
            position,
            InteractionFields {
                customer: interaction.customer.as_str(),
                at: interaction.at.as_second(),
                channel: interaction.channel,
                kind: interaction.kind,
                topic: interaction.topic.as_deref(),
            },
        )?;
        Ok(self)
    }

    /// Adds an idea. Fails if it was decided before it was submitted.
    pub fn add_idea(&mut self, idea: Idea) -> Result<&mut Self> {
        let position = self.next_position(Table::Ideas);
        self.idea_at(
            position,
            IdeaFields {
                id: idea.id.as_str(),
                author: idea.author.as_str(),
                submitted_at: idea.submitted_at.as_second(),
                topic: idea.topic.as_deref(),
                status: idea.status,
                votes: idea.votes,
                decided_at: idea.decided_at.map(|t| t.as_second()),
            },
        )?;
        Ok(self)
    }

    /// Adds a co-design session. Fails if another session has the same id.
    pub fn add_session(&mut self, session: CoDesignSession) -> Result<&mut Self> {
        let position = self.next_position(Table::Sessions);
        let CoDesignSession {
            id,
            held_at,
            topic,
            title,
        } = session;
        self.session_at(
            position,
            id.as_str(),
            held_at.as_second(),
            topic.as_deref(),
            title,
        )?;
        Ok(self)
    }

    /// Adds a participation. Fails on a rating outside 1.0 to 5.0 or a non-finite one, on
    /// attended without invited, and on contributions or a rating without attendance.
    pub fn add_participation(&mut self, participation: Participation) -> Result<&mut Self> {
        let position = self.next_position(Table::Participants);
        self.participation_at(
            position,
            ParticipationFields {
                session: participation.session.as_str(),
                customer: participation.customer.as_str(),
                invited: participation.invited,
                attended: participation.attended,
                contributions: participation.contributions,
                rating: participation.rating,
            },
        )?;
        Ok(self)
    }

    /// Adds a questionnaire answer. Fails on a value that is not finite or an empty item name;
    /// the value's range depends on the questionnaire, and is checked when answers are scored.
    pub fn add_response(&mut self, response: crate::evidence::Response) -> Result<&mut Self> {
        let position = self.next_position(Table::Responses);
        self.response_at(
            position,
            response.customer.as_str(),
            &response.item,
            response.value,
            response.answered_at.map(|t| t.as_second()),
        )?;
        Ok(self)
    }

    pub(crate) fn response_at(
        &mut self,
        position: u64,
        customer: &str,
        item: &str,
        value: f64,
        answered_at: Option<i64>,
    ) -> Result<()> {
        check_capacity(self.responses.value.len(), Table::Responses)?;
        if item.is_empty() {
            return Err(record_error(
                self.location(Table::Responses, position),
                "item",
                item,
                Problem::Missing,
            ));
        }
        if !value.is_finite() {
            return Err(record_error(
                self.location(Table::Responses, position),
                "value",
                value,
                Problem::NonFinite,
            ));
        }
        let customer = self.reference_customer(customer, Table::Responses, position);
        let item = match self.item_index.get(item) {
            Some(&id) => id,
            None => {
                let id = self.item_names.len() as u32;
                self.item_names.push(item.into());
                self.item_index.insert(item.into(), id);
                id
            }
        };
        let rows = &mut self.responses;
        rows.customer.push(customer);
        rows.item.push(item);
        rows.value.push(value);
        rows.answered_at.push(answered_at.unwrap_or(UNDATED));
        rows.position.push(position);
        Ok(())
    }

    /// The provisional index of a customer id referenced by an event, creating an undefined slot
    /// (remembering where it was first referenced) if the id is new.
    fn reference_customer(&mut self, id: &str, table: Table, position: u64) -> u32 {
        if let Some(&slot) = self.customer_index.get(id) {
            return slot;
        }
        let slot = self.customers.len() as u32;
        let first_reference = Some(self.location(table, position));
        let id = crate::CustomerId::from(id);
        self.customer_index.insert(id.clone(), slot);
        self.customers.push(CustomerSlot {
            id,
            record: None,
            first_reference,
        });
        slot
    }

    fn reference_session(&mut self, id: &str, position: u64) -> u32 {
        if let Some(&slot) = self.session_index.get(id) {
            return slot;
        }
        let slot = self.sessions.len() as u32;
        let first_reference = Some(self.location(Table::Participants, position));
        let id = SessionId::from(id);
        self.session_index.insert(id.clone(), slot);
        self.sessions.push(SessionSlot {
            id,
            record: None,
            first_reference,
        });
        slot
    }

    fn intern_topic(&mut self, topic: Option<&str>) -> u32 {
        let Some(topic) = topic.filter(|t| !t.is_empty()) else {
            return NO_TOPIC;
        };
        if let Some(&id) = self.topic_index.get(topic) {
            return id;
        }
        let id = self.topic_names.len() as u32;
        self.topic_names.push(topic.into());
        self.topic_index.insert(topic.into(), id);
        id
    }

    pub(crate) fn customer_at(
        &mut self,
        position: u64,
        id: &str,
        name: Option<String>,
        segment: Option<String>,
        relationship: Relationship,
        since: Option<Date>,
    ) -> Result<()> {
        if id.is_empty() {
            return Err(record_error(
                self.location(Table::Customers, position),
                "id",
                id,
                Problem::Missing,
            ));
        }
        let record = Some(PendingCustomer {
            name: name.filter(|n| !n.is_empty()),
            segment: segment.filter(|s| !s.is_empty()),
            relationship,
            since,
            position,
        });
        match self.customer_index.get(id) {
            Some(&slot) => {
                if let Some(first) = self.customers[slot as usize]
                    .record
                    .as_ref()
                    .map(|r| r.position)
                {
                    let first = self.location(Table::Customers, first);
                    return Err(record_error(
                        self.location(Table::Customers, position),
                        "id",
                        id,
                        Problem::DuplicateId { first },
                    ));
                }
                let existing = &mut self.customers[slot as usize];
                existing.record = record;
                existing.first_reference = None;
            }
            None => {
                let id = crate::CustomerId::from(id);
                self.customer_index
                    .insert(id.clone(), self.customers.len() as u32);
                self.customers.push(CustomerSlot {
                    id,
                    record,
                    first_reference: None,
                });
            }
        }
        Ok(())
    }

    /// The builder slot of a customer id already seen, if any.
    pub(crate) fn customer_slot(&self, id: &str) -> Option<u32> {
        self.customer_index.get(id).copied()
    }

    /// Appends a batch of interactions whose customers are already in the builder.
    pub(crate) fn append_interactions(&mut self, batch: InteractionBatch) -> Result<()> {
        check_capacity(
            self.interactions.at.len() + batch.at.len(),
            Table::Interactions,
        )?;
        let topics: Vec<u32> = batch
            .topic_names
            .iter()
            .map(|name| self.intern_topic(Some(name)))
            .collect();
        let rows = &mut self.interactions;
        rows.customer.extend_from_slice(&batch.customer);
        rows.at.extend_from_slice(&batch.at);
        rows.channel.extend_from_slice(&batch.channel);
        rows.kind.extend_from_slice(&batch.kind);
        rows.topic.extend(batch.topic.iter().map(|&t| {
            if t == NO_TOPIC {
                NO_TOPIC
            } else {
                topics[t as usize]
            }
        }));
        Ok(())
    }

    pub(crate) fn interaction_at(
        &mut self,
        position: u64,
        fields: InteractionFields<'_>,
    ) -> Result<()> {
        check_capacity(self.interactions.at.len(), Table::Interactions)?;
        let customer = self.reference_customer(fields.customer, Table::Interactions, position);
        let topic = self.intern_topic(fields.topic);
        let rows = &mut self.interactions;
        rows.customer.push(customer);
        rows.at.push(fields.at);
        rows.channel.push(fields.channel);
        rows.kind.push(fields.kind);
        rows.topic.push(topic);
        Ok(())
    }

    pub(crate) fn idea_at(&mut self, position: u64, fields: IdeaFields<'_>) -> Result<()> {
        check_capacity(self.ideas.id.len(), Table::Ideas)?;
        if fields.id.is_empty() {
            return Err(record_error(
                self.location(Table::Ideas, position),
                "id",
                "",
                Problem::Missing,
            ));
        }
        if let Some(decided) = fields.decided_at
            && decided < fields.submitted_at
        {
            return Err(record_error(
                self.location(Table::Ideas, position),
                "decided_at",
                super::timestamp(decided),
                Problem::OutOfRange {
                    allowed: "not before submitted_at".into(),
                },
            ));
        }
        let author = self.reference_customer(fields.author, Table::Ideas, position);
        let topic = self.intern_topic(fields.topic);
        let rows = &mut self.ideas;
        rows.id.push(IdeaId::from(fields.id));
        rows.position.push(position);
        rows.author.push(author);
        rows.submitted_at.push(fields.submitted_at);
        rows.topic.push(topic);
        rows.status.push(fields.status);
        rows.votes.push(fields.votes);
        rows.decided_at.push(fields.decided_at.unwrap_or(UNDATED));
        Ok(())
    }

    pub(crate) fn session_at(
        &mut self,
        position: u64,
        id: &str,
        held_at: i64,
        topic: Option<&str>,
        title: Option<String>,
    ) -> Result<()> {
        if id.is_empty() {
            return Err(record_error(
                self.location(Table::Sessions, position),
                "id",
                id,
                Problem::Missing,
            ));
        }
        let topic = self.intern_topic(topic);
        let record = Some(PendingSession {
            held_at,
            topic,
            title: title.filter(|t| !t.is_empty()),
            position,
        });
        match self.session_index.get(id) {
            Some(&slot) => {
                if let Some(first) = self.sessions[slot as usize]
                    .record
                    .as_ref()
                    .map(|r| r.position)
                {
                    let first = self.location(Table::Sessions, first);
                    return Err(record_error(
                        self.location(Table::Sessions, position),
                        "id",
                        id,
                        Problem::DuplicateId { first },
                    ));
                }
                let existing = &mut self.sessions[slot as usize];
                existing.record = record;
                existing.first_reference = None;
            }
            None => {
                let id = SessionId::from(id);
                self.session_index
                    .insert(id.clone(), self.sessions.len() as u32);
                self.sessions.push(SessionSlot {
                    id,
                    record,
                    first_reference: None,
                });
            }
        }
        Ok(())
    }

    pub(crate) fn participation_at(
        &mut self,
        position: u64,
        fields: ParticipationFields<'_>,
    ) -> Result<()> {
        check_capacity(self.participations.session.len(), Table::Participants)?;
        let here = || self.location(Table::Participants, position);
        if let Some(rating) = fields.rating {
            if !rating.is_finite() {
                return Err(record_error(here(), "rating", rating, Problem::NonFinite));
            }
            if !(1.0..=5.0).contains(&rating) {
                return Err(record_error(
                    here(),
                    "rating",
                    rating,
                    Problem::RatingOutOfRange,
                ));
            }
        }
        if fields.attended && !fields.invited {
            return Err(record_error(
                here(),
                "attended",
                true,
                Problem::AttendedWithoutInvited,
            ));
        }
        if !fields.attended && fields.contributions > 0 {
            return Err(record_error(
                here(),
                "contributions",
                fields.contributions,
                Problem::OutOfRange {
                    allowed: "0 unless attended is true".into(),
                },
            ));
        }
        if let (false, Some(rating)) = (fields.attended, fields.rating) {
            return Err(record_error(
                here(),
                "rating",
                rating,
                Problem::OutOfRange {
                    allowed: "empty unless attended is true".into(),
                },
            ));
        }
        let session = self.reference_session(fields.session, position);
        let customer = self.reference_customer(fields.customer, Table::Participants, position);
        let rows = &mut self.participations;
        rows.session.push(session);
        rows.customer.push(customer);
        rows.position.push(position);
        rows.invited.push(fields.invited);
        rows.attended.push(fields.attended);
        rows.contributions.push(fields.contributions);
        rows.rating.push(fields.rating);
        Ok(())
    }

    /// Validates everything and builds the population.
    ///
    /// Fails with the first problem found: an event whose customer has no customer record, a
    /// participation in a session that was never added, two ideas with one id, one customer
    /// twice in one session, or no customers at all.
    pub fn build(self) -> Result<Population> {
        let PopulationBuilder {
            sources,
            customers,
            sessions,
            topic_names,
            interactions,
            ideas,
            participations,
            item_names,
            responses,
            ..
        } = self;
        let locate = |table: Table, position: u64| locate(&sources, table, position);

        // Customers: every referenced id must be defined; dense indices follow the id order.
        if let Some(slot) = customers.iter().find(|s| s.record.is_none()) {
            let location = slot
                .first_reference
                .clone()
                .unwrap_or_else(|| locate(Table::Interactions, 0));
            return Err(record_error(
                location,
                "customer_id",
                slot.id.as_str(),
                Problem::UnknownCustomer,
            ));
        }
        if customers.is_empty() {
            return Err(Error::EmptyPopulation {
                what: "a population",
            });
        }
        let (customer_order, customer_rank) = sorted_ranks(&customers, |s| s.id.as_str());

        // Sessions: likewise.
        if let Some(slot) = sessions.iter().find(|s| s.record.is_none()) {
            let location = slot
                .first_reference
                .clone()
                .unwrap_or_else(|| locate(Table::Participants, 0));
            return Err(record_error(
                location,
                "session_id",
                slot.id.as_str(),
                Problem::UnknownSession,
            ));
        }
        let (session_order, session_rank) = sorted_ranks(&sessions, |s| s.id.as_str());

        // Topics: ids follow the name order.
        let (topic_order, topic_rank) = sorted_ranks(&topic_names, |t| t);
        let remap_topic = |t: u32| {
            if t == NO_TOPIC {
                NO_TOPIC
            } else {
                topic_rank[t as usize]
            }
        };

        // Customer columns.
        let mut segment_names: Vec<String> = customers
            .iter()
            .filter_map(|s| s.record.as_ref().and_then(|r| r.segment.clone()))
            .collect();
        segment_names.sort_unstable();
        segment_names.dedup();
        let n = customers.len();
        let mut ids = Vec::with_capacity(n);
        let mut names = Vec::with_capacity(n);
        let mut segment = Vec::with_capacity(n);
        let mut relationship = Vec::with_capacity(n);
        let mut since = Vec::with_capacity(n);
        let mut customers = customers;
        for &slot in &customer_order {
            let slot = &mut customers[slot as usize];
            let record = slot.record.take();
            ids.push(std::mem::take(&mut slot.id));
            let record = record.unwrap_or(PendingCustomer {
                name: None,
                segment: None,
                relationship: Relationship::Customer,
                since: None,
                position: 0,
            });
            segment.push(match &record.segment {
                Some(s) => segment_names
                    .binary_search(s)
                    .map(|i| i as u32)
                    .unwrap_or(NO_TOPIC),
                None => NO_TOPIC,
            });
            names.push(record.name);
            relationship.push(record.relationship);
            since.push(record.since);
        }

        // Sessions columns.
        let mut session_columns = SessionColumns::default();
        let mut sessions = sessions;
        for &slot in &session_order {
            let slot = &mut sessions[slot as usize];
            let record = slot.record.take();
            session_columns.id.push(std::mem::take(&mut slot.id));
            let (held_at, topic, title) = record
                .map(|r| (r.held_at, r.topic, r.title))
                .unwrap_or((0, NO_TOPIC, None));
            session_columns.held_at.push(held_at);
            session_columns.topic.push(remap_topic(topic));
            session_columns.title.push(title);
        }

        let mut interactions = build_interactions(interactions, &customer_rank, &remap_topic, n);
        let mut ideas = build_ideas(ideas, &customer_rank, &remap_topic, n, &locate)?;
        let participations = build_participations(
            participations,
            &customer_rank,
            &session_rank,
            &session_columns,
            n,
            &locate,
        )?;

        let (items, responses) =
            build_responses(responses, &item_names, &customer_rank, n, &locate)?;

        let topics: Vec<String> = topic_order
            .iter()
            .map(|&t| topic_names[t as usize].to_string())
            .collect();
        let topic_mentions = build_topic_mentions(&mut interactions, &mut ideas, topics.len());

        let times = interactions
            .at
            .iter()
            .chain(&ideas.submitted_at)
            .chain(ideas.decided_at.iter().filter(|&&t| t != UNDATED))
            .chain(&session_columns.held_at)
            .chain(responses.answered_at.iter().filter(|&&t| t != UNDATED));
        let (earliest, latest) =
            times.fold((i64::MAX, i64::MIN), |(lo, hi), &t| (lo.min(t), hi.max(t)));

        Ok(Population {
            ids,
            names,
            segment,
            segment_names,
            relationship,
            since,
            interactions,
            ideas,
            sessions: session_columns,
            participations,
            items,
            responses,
            topics,
            topic_mentions,
            earliest,
            latest,
        })
    }
}

/// Sorts items by a text key: returns the order (item positions, sorted) and each item's rank.
fn sorted_ranks<T>(items: &[T], key: impl Fn(&T) -> &str) -> (Vec<u32>, Vec<u32>) {
    let mut order: Vec<u32> = (0..items.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| key(&items[a as usize]).cmp(key(&items[b as usize])));
    let mut rank = vec![0u32; items.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    (order, rank)
}

/// Groups rows by key with a stable counting sort: `order` lists row positions group by group,
/// and group `g` owns `order[offsets[g]..offsets[g + 1]]`.
pub(crate) fn group_rows(keys: &[u32], groups: usize) -> (Groups, Vec<u32>) {
    let mut offsets = vec![0usize; groups + 1];
    for &k in keys {
        offsets[k as usize + 1] += 1;
    }
    for g in 0..groups {
        offsets[g + 1] += offsets[g];
    }
    let mut next = offsets.clone();
    let mut order = vec![0u32; keys.len()];
    for (row, &k) in keys.iter().enumerate() {
        let slot = &mut next[k as usize];
        order[*slot] = row as u32;
        *slot += 1;
    }
    (Groups { offsets }, order)
}

/// Sorts the rows of every group by `key`.
fn sort_groups<K: Ord>(groups: &Groups, order: &mut [u32], key: impl Fn(u32) -> K + Sync) {
    for g in 0..groups.offsets.len() - 1 {
        let rows = &mut order[groups.range(g)];
        if rows.len() > 1 && !rows.is_sorted_by_key(|&r| key(r)) {
            rows.sort_unstable_by_key(|&r| key(r));
        }
    }
}

fn gather<T: Copy>(column: &[T], order: &[u32]) -> Vec<T> {
    order.iter().map(|&r| column[r as usize]).collect()
}

fn build_interactions(
    rows: PendingInteractions,
    customer_rank: &[u32],
    remap_topic: &impl Fn(u32) -> u32,
    customers: usize,
) -> InteractionColumns {
    let PendingInteractions {
        mut customer,
        at,
        channel,
        kind,
        mut topic,
    } = rows;
    for c in &mut customer {
        *c = customer_rank[*c as usize];
    }
    for t in &mut topic {
        *t = remap_topic(*t);
    }
    let (groups, mut order) = group_rows(&customer, customers);
    drop(customer);
    // The key is the whole record, so the order is fully determined by the records.
    sort_groups(&groups, &mut order, |r| {
        let r = r as usize;
        (at[r], kind[r], channel[r], topic[r])
    });
    InteractionColumns {
        groups,
        at: gather(&at, &order),
        channel: gather(&channel, &order),
        kind: gather(&kind, &order),
        topic: gather(&topic, &order),
        topic_rank: Vec::new(),
    }
}

fn build_ideas(
    rows: PendingIdeas,
    customer_rank: &[u32],
    remap_topic: &impl Fn(u32) -> u32,
    customers: usize,
    locate: &impl Fn(Table, u64) -> Location,
) -> Result<IdeaColumns> {
    let PendingIdeas {
        id,
        position,
        mut author,
        submitted_at,
        mut topic,
        status,
        votes,
        decided_at,
    } = rows;
    // Idea ids are unique: look for neighbours in id order.
    let mut by_id: Vec<u32> = (0..id.len() as u32).collect();
    by_id.sort_unstable_by(|&a, &b| {
        id[a as usize]
            .cmp(&id[b as usize])
            .then(position[a as usize].cmp(&position[b as usize]))
    });
    if let Some(pair) = by_id
        .windows(2)
        .find(|w| id[w[0] as usize] == id[w[1] as usize])
    {
        let (first, second) = (pair[0] as usize, pair[1] as usize);
        return Err(record_error(
            locate(Table::Ideas, position[second]),
            "id",
            id[second].as_str(),
            Problem::DuplicateId {
                first: locate(Table::Ideas, position[first]),
            },
        ));
    }
    for a in &mut author {
        *a = customer_rank[*a as usize];
    }
    for t in &mut topic {
        *t = remap_topic(*t);
    }
    let (groups, mut order) = group_rows(&author, customers);
    sort_groups(&groups, &mut order, |r| {
        (submitted_at[r as usize], &id[r as usize])
    });
    Ok(IdeaColumns {
        groups,
        id: order.iter().map(|&r| id[r as usize].clone()).collect(),
        submitted_at: gather(&submitted_at, &order),
        topic: gather(&topic, &order),
        status: gather(&status, &order),
        votes: gather(&votes, &order),
        decided_at: gather(&decided_at, &order),
        topic_rank: Vec::new(),
    })
}

fn build_participations(
    rows: PendingParticipations,
    customer_rank: &[u32],
    session_rank: &[u32],
    sessions: &SessionColumns,
    customers: usize,
    locate: &impl Fn(Table, u64) -> Location,
) -> Result<ParticipationColumns> {
    let PendingParticipations {
        mut session,
        mut customer,
        position,
        invited,
        attended,
        contributions,
        rating,
    } = rows;
    for c in &mut customer {
        *c = customer_rank[*c as usize];
    }
    for s in &mut session {
        *s = session_rank[*s as usize];
    }
    let (groups, mut order) = group_rows(&customer, customers);
    sort_groups(&groups, &mut order, |r| {
        let s = session[r as usize];
        (sessions.held_at[s as usize], s, position[r as usize])
    });
    // One customer appears once per session.
    for g in 0..customers {
        let rows = &order[groups.range(g)];
        for pair in rows.windows(2) {
            let (a, b) = (pair[0] as usize, pair[1] as usize);
            if session[a] == session[b] {
                let (first, second) = if position[a] < position[b] {
                    (a, b)
                } else {
                    (b, a)
                };
                return Err(record_error(
                    locate(Table::Participants, position[second]),
                    "session_id",
                    sessions.id[session[a] as usize].as_str(),
                    Problem::DuplicateId {
                        first: locate(Table::Participants, position[first]),
                    },
                ));
            }
        }
    }
    Ok(ParticipationColumns {
        groups,
        session: gather(&session, &order),
        invited: gather(&invited, &order),
        attended: gather(&attended, &order),
        contributions: gather(&contributions, &order),
        rating: gather(&rating, &order),
    })
}

/// Questionnaire answers grouped per customer, each group in item-name order; items interned in
/// name order. One answer per customer and item.
fn build_responses(
    rows: PendingResponses,
    item_names: &[Box<str>],
    customer_rank: &[u32],
    customers: usize,
    locate: &impl Fn(Table, u64) -> Location,
) -> Result<(Vec<String>, ResponseColumns)> {
    let (item_order, item_rank) = sorted_ranks(item_names, |t| t);
    let PendingResponses {
        mut customer,
        mut item,
        value,
        answered_at,
        position,
    } = rows;
    for c in &mut customer {
        *c = customer_rank[*c as usize];
    }
    for i in &mut item {
        *i = item_rank[*i as usize];
    }
    let (groups, mut order) = group_rows(&customer, customers);
    sort_groups(&groups, &mut order, |r| {
        (item[r as usize], position[r as usize])
    });
    for g in 0..customers {
        for pair in order[groups.range(g)].windows(2) {
            let (a, b) = (pair[0] as usize, pair[1] as usize);
            if item[a] == item[b] {
                return Err(record_error(
                    locate(Table::Responses, position[b]),
                    "item",
                    &*item_names[item_order[item[b] as usize] as usize],
                    Problem::DuplicateAnswer {
                        first: locate(Table::Responses, position[a]),
                    },
                ));
            }
        }
    }
    let items = item_order
        .iter()
        .map(|&i| item_names[i as usize].to_string())
        .collect();
    Ok((
        items,
        ResponseColumns {
            groups,
            item: gather(&item, &order),
            value: gather(&value, &order),
            answered_at: gather(&answered_at, &order),
        },
    ))
}

/// Every customer-raised mention of a topic (interactions other than company outreach, and
/// ideas), grouped by topic and sorted by time; and each mention's rank on its topic's curve (the
/// number of mentions strictly before it), written into the rows' `topic_rank` columns.
fn build_topic_mentions(
    interactions: &mut InteractionColumns,
    ideas: &mut IdeaColumns,
    topics: usize,
) -> TopicMentions {
    let from_interactions = interactions.topic.len();
    interactions.topic_rank = vec![NOT_A_MENTION; from_interactions];
    ideas.topic_rank = vec![NOT_A_MENTION; ideas.topic.len()];
    // Mentions as (topic, time, row); rows of ideas follow the rows of interactions.
    let interaction_mentions = (0..from_interactions)
        .filter(|&r| !interactions.kind[r].is_company_initiated())
        .map(|r| (interactions.topic[r], interactions.at[r], r));
    let idea_mentions = (0..ideas.topic.len())
        .map(|r| (ideas.topic[r], ideas.submitted_at[r], from_interactions + r));
    let mentions: Vec<(u32, i64, usize)> = interaction_mentions
        .chain(idea_mentions)
        .filter(|(t, _, _)| *t != NO_TOPIC)
        .collect();
    let keys: Vec<u32> = mentions.iter().map(|m| m.0).collect();
    let (groups, mut order) = group_rows(&keys, topics);
    drop(keys);
    sort_groups(&groups, &mut order, |m| {
        let (_, at, row) = mentions[m as usize];
        (at, row)
    });
    let at: Vec<i64> = order.iter().map(|&m| mentions[m as usize].1).collect();
    for topic in 0..topics {
        let range = groups.range(topic);
        let mut rank = 0;
        for k in range.clone() {
            if k > range.start && at[k] != at[k - 1] {
                rank = (k - range.start) as u32;
            }
            let row = mentions[order[k] as usize].2;
            if row < from_interactions {
                interactions.topic_rank[row] = rank;
            } else {
                ideas.topic_rank[row - from_interactions] = rank;
            }
        }
    }
    TopicMentions {
        offsets: groups.offsets,
        at,
    }
}

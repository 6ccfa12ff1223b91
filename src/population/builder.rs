//! Building a [`Population`]: interning ids, validating records, grouping events per customer.

use rustc_hash::FxHashMap as HashMap;

use jiff::civil::Date;

use super::{
    Groups, IdeaColumns, InteractionColumns, NO_TOPIC, NOT_A_MENTION, ParticipationColumns,
    Population, ResponseColumns, SessionColumns, TopicMentions, UNDATED,
};
use crate::error::Shown;
use crate::time::event_second;
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
/// Text is kept as a CSV file would carry it, whichever way it arrives: the ids a record defines
/// (of a customer, idea, session, or the item a questionnaire answer is to) must not be empty nor
/// have whitespace at either end (an error, as `"C1 "` beside `"C1"` is a mistake in the data),
/// and free text (names, segments, topics, titles) is kept without the whitespace at its ends,
/// nothing left meaning none. An id referring to another record (an interaction's customer) is
/// looked up as given, so one with whitespace around it is an unknown id.
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
    customers: Registry<crate::CustomerId, PendingCustomer>,
    sessions: Registry<SessionId, PendingSession>,
    topics: Names,
    interactions: PendingInteractions,
    ideas: PendingIdeas,
    participations: PendingParticipations,
    items: Names,
    segment_index: HashMap<Box<str>, u32>,
    segment_names: Vec<Box<str>>,
    responses: PendingResponses,
}

/// Names (of topics, of questionnaire items) in the order first seen, each with its provisional
/// id (its position).
#[derive(Debug, Default)]
pub(crate) struct Names {
    index: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Names {
    /// The id of a name (trimmed; [`NO_TOPIC`] for none or a blank one), added if new.
    fn intern(&mut self, name: Option<&str>) -> u32 {
        let Some(name) = name.and_then(text) else {
            return NO_TOPIC;
        };
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.index.insert(name.into(), id);
        id
    }
}

/// A table's rows read so far and the names its rows refer to (topics, or questionnaire items),
/// taken out of a builder while a CSV file of that table is read: blocks of rows are appended
/// here while the next block is parsed, which looks customers up in the builder at the same time
/// (see [`PopulationBuilder::appending`]).
#[cfg(feature = "csv")]
#[derive(Debug)]
pub(crate) struct Appending<R> {
    rows: R,
    names: Names,
}

#[cfg(feature = "csv")]
impl Appending<PendingInteractions> {
    /// Appends a batch of interactions whose customers are in the builder. The first batch of a
    /// file of `file_bytes` bytes reserves room for the rows the file likely holds, so the
    /// columns do not grow (and copy) again and again.
    pub(crate) fn append(&mut self, batch: &InteractionBatch, file_bytes: u64) -> Result<()> {
        let from = &batch.rows;
        check_capacity(self.rows.at.len() + from.at.len(), Table::Interactions)?;
        if let (true, Some(rows)) = (
            self.rows.at.is_empty(),
            batch.span.file_rows(from.at.len(), file_bytes),
        ) {
            self.rows.reserve(rows);
        }
        let topics = batch.names.merge_into(&mut self.names, &from.topic);
        let rows = &mut self.rows;
        rows.customer.extend_from_slice(&from.customer);
        rows.at.extend_from_slice(&from.at);
        rows.channel.extend_from_slice(&from.channel);
        rows.kind.extend_from_slice(&from.kind);
        rows.topic.extend(topics);
        Ok(())
    }
}

#[cfg(feature = "csv")]
impl Appending<PendingIdeas> {
    /// Appends a batch of checked ideas whose authors are in the builder.
    pub(crate) fn append(&mut self, batch: &mut IdeaBatch) -> Result<()> {
        check_capacity(self.rows.id.len() + batch.rows.id.len(), Table::Ideas)?;
        (self.rows.topic).extend(batch.names.merge_into(&mut self.names, &batch.rows.topic));
        let (rows, from) = (&mut self.rows, &mut batch.rows);
        rows.id.append(&mut from.id);
        rows.position.extend_from_slice(&from.position);
        rows.author.extend_from_slice(&from.author);
        rows.submitted_at.extend_from_slice(&from.submitted_at);
        rows.status.extend_from_slice(&from.status);
        rows.votes.extend_from_slice(&from.votes);
        rows.decided_at.extend_from_slice(&from.decided_at);
        Ok(())
    }
}

#[cfg(feature = "csv")]
impl Appending<PendingResponses> {
    /// Appends a batch of answers whose customers are in the builder.
    pub(crate) fn append(&mut self, batch: &ResponseBatch) -> Result<()> {
        let (rows, from) = (&mut self.rows, &batch.rows);
        check_capacity(rows.value.len() + from.value.len(), Table::Responses)?;
        rows.customer.extend_from_slice(&from.customer);
        rows.item
            .extend(batch.names.merge_into(&mut self.names, &from.item));
        rows.value.extend_from_slice(&from.value);
        rows.answered_at.extend_from_slice(&from.answered_at);
        rows.position.extend_from_slice(&from.position);
        Ok(())
    }
}

/// Every defined id in id order with its record, and each slot's rank in that order.
type Sorted<K, R> = (Vec<(K, R)>, Vec<u32>);

/// Ids that one record defines and other records refer to (customers, sessions), in the order
/// first seen; records may come in any order, so a reference may precede its definition.
#[derive(Debug)]
struct Registry<K, R> {
    index: HashMap<IdKey, u32>,
    slots: Vec<Slot<K, R>>,
}

/// An id as a hash-map key that holds short ids (up to 23 bytes, as most are) in place: a
/// lookup then reads one entry of the table, not the table and a string elsewhere in memory.
/// Rows of an export sorted by time name a different customer each, so every row is a lookup,
/// and at a million customers each of those reads is a cache miss. Hashes and compares as the
/// bytes of its text, so maps keyed by it are searched with the bytes of a CSV field as they
/// are, without checking them for UTF-8 first (bytes that are not UTF-8 match no key).
#[derive(Debug, Clone)]
enum IdKey {
    Short { len: u8, bytes: [u8; 23] },
    Long(Box<str>),
}

impl IdKey {
    fn new(id: &str) -> IdKey {
        let mut bytes = [0u8; 23];
        match bytes.get_mut(..id.len()) {
            Some(short) => {
                short.copy_from_slice(id.as_bytes());
                IdKey::Short {
                    len: id.len() as u8,
                    bytes,
                }
            }
            None => IdKey::Long(id.into()),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            IdKey::Short { len, bytes } => &bytes[..usize::from(*len)],
            IdKey::Long(id) => id.as_bytes(),
        }
    }
}

impl std::borrow::Borrow<[u8]> for IdKey {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for IdKey {
    fn eq(&self, other: &IdKey) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for IdKey {}

impl std::hash::Hash for IdKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl<K, R> Default for Registry<K, R> {
    fn default() -> Self {
        Registry {
            index: HashMap::default(),
            slots: Vec::new(),
        }
    }
}

#[derive(Debug)]
struct Slot<K, R> {
    id: K,
    /// The defining record and its position.
    record: Option<(R, u64)>,
    /// Where the id was first referenced, while no record defines it.
    first_reference: Option<(Table, u64)>,
}

impl<K: std::hash::Hash + Eq + Clone + std::borrow::Borrow<str> + From<String>, R> Registry<K, R> {
    /// The slot of an id (as bytes), or `None` if it was never seen.
    fn get(&self, id: &[u8]) -> Option<u32> {
        self.index.get(id).copied()
    }

    /// The slot of an id, checking first whether it is the slot `after` the one given: reading
    /// the next slot's id is cheaper than hashing and probing the index, and ids are unique, so
    /// a match is the slot the index would give.
    fn get_after(&self, after: Option<u32>, id: &[u8]) -> Option<u32> {
        if let Some(next) = after.and_then(|slot| slot.checked_add(1))
            && self
                .slots
                .get(next as usize)
                .is_some_and(|slot| slot.id.borrow().as_bytes() == id)
        {
            return Some(next);
        }
        self.get(id)
    }

    /// The slot of a referenced id, created undefined (remembering where) if it is new.
    fn reference(&mut self, id: &str, table: Table, position: u64) -> u32 {
        if let Some(slot) = self.get(id.as_bytes()) {
            return slot;
        }
        self.push(K::from(id.to_owned()), None, Some((table, position)))
    }

    /// Defines an id by its record at `position`; on a second definition, the error is the
    /// position of the first, with the id handed back (so that callers need not keep a copy).
    /// `key` is the id's [`IdKey`].
    fn define(
        &mut self,
        key: IdKey,
        id: String,
        record: R,
        position: u64,
    ) -> std::result::Result<(), (u64, String)> {
        // One hash of the id, whether it is new (as most are) or was referenced before.
        let next = self.slots.len() as u32;
        match self.index.entry(key) {
            std::collections::hash_map::Entry::Occupied(entry) => {
                let slot = &mut self.slots[*entry.get() as usize];
                if let Some((_, first)) = &slot.record {
                    return Err((*first, id));
                }
                slot.record = Some((record, position));
                slot.first_reference = None;
            }
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(next);
                self.slots.push(Slot {
                    id: K::from(id),
                    record: Some((record, position)),
                    first_reference: None,
                });
            }
        }
        Ok(())
    }

    /// Every id in id order with its record, and each slot's rank in that order. Fails with
    /// `undefined` for the first id referenced but never defined.
    fn into_sorted(self, undefined: impl Fn(&K, (Table, u64)) -> Error) -> Result<Sorted<K, R>> {
        if let Some(slot) = self.slots.iter().find(|s| s.record.is_none()) {
            return Err(undefined(
                &slot.id,
                slot.first_reference.unwrap_or((Table::Interactions, 0)),
            ));
        }
        let (order, rank) = sorted_ranks(&self.slots, |s| s.id.borrow());
        let record = |slot: Slot<K, R>| Some((slot.id, slot.record?.0));
        if order
            .iter()
            .enumerate()
            .all(|(i, &slot)| i == slot as usize)
        {
            // Defined in id order already (a customers' file sorted by id): no reordering.
            return Ok((self.slots.into_iter().filter_map(record).collect(), rank));
        }
        let mut slots: Vec<Option<Slot<K, R>>> = self.slots.into_iter().map(Some).collect();
        let sorted = order
            .iter()
            .filter_map(|&i| slots[i as usize].take())
            .filter_map(record)
            .collect();
        Ok((sorted, rank))
    }

    /// Makes room for `additional` more ids, if the memory is there: it is an estimate, so a
    /// failure only means growing as needed.
    #[cfg(feature = "csv")]
    fn reserve(&mut self, additional: usize) {
        let _ = self.index.try_reserve(additional);
        let _ = self.slots.try_reserve(additional);
    }

    fn push(
        &mut self,
        id: K,
        record: Option<(R, u64)>,
        first_reference: Option<(Table, u64)>,
    ) -> u32 {
        let slot = self.slots.len() as u32;
        self.index.insert(IdKey::new(id.borrow()), slot);
        self.slots.push(Slot {
            id,
            record,
            first_reference,
        });
        slot
    }
}

#[derive(Debug)]
struct PendingCustomer {
    name: Option<String>,
    /// Interned in the builder's segments ([`NO_TOPIC`] for none).
    segment: u32,
    relationship: Relationship,
    since: Option<Date>,
}

#[derive(Debug)]
struct PendingSession {
    held_at: i64,
    topic: u32,
    title: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct PendingInteractions {
    customer: Vec<u32>,
    at: Vec<i64>,
    channel: Vec<Channel>,
    kind: Vec<InteractionKind>,
    topic: Vec<u32>,
}

impl PendingInteractions {
    fn push(
        &mut self,
        customer: u32,
        at: i64,
        channel: Channel,
        kind: InteractionKind,
        topic: u32,
    ) {
        self.customer.push(customer);
        self.at.push(at);
        self.channel.push(channel);
        self.kind.push(kind);
        self.topic.push(topic);
    }

    fn reserve(&mut self, extra: usize) {
        // An estimate: without the memory for it, the columns grow as needed.
        let _ = self.customer.try_reserve(extra);
        let _ = self.at.try_reserve(extra);
        let _ = self.channel.try_reserve(extra);
        let _ = self.kind.try_reserve(extra);
        let _ = self.topic.try_reserve(extra);
    }

    /// Empties the columns, keeping their memory.
    #[cfg(feature = "csv")]
    fn clear(&mut self) {
        self.customer.clear();
        self.at.clear();
        self.channel.clear();
        self.kind.clear();
        self.topic.clear();
    }
}

#[derive(Debug, Default)]
pub(crate) struct PendingIdeas {
    id: Vec<IdeaId>,
    position: Vec<u64>,
    author: Vec<u32>,
    submitted_at: Vec<i64>,
    topic: Vec<u32>,
    status: Vec<IdeaStatus>,
    votes: Vec<u32>,
    decided_at: Vec<i64>,
}

impl PendingIdeas {
    /// Adds an idea's own fields (not its author nor topic, given as indices).
    fn push(&mut self, position: u64, author: u32, topic: u32, fields: &IdeaFields<'_>) {
        self.id.push(IdeaId::from(fields.id));
        self.position.push(position);
        self.author.push(author);
        self.submitted_at.push(fields.submitted_at);
        self.topic.push(topic);
        self.status.push(fields.status);
        self.votes.push(fields.votes);
        self.decided_at.push(fields.decided_at.unwrap_or(UNDATED));
    }

    /// Empties the columns, keeping their memory.
    #[cfg(feature = "csv")]
    fn clear(&mut self) {
        self.id.clear();
        self.position.clear();
        self.author.clear();
        self.submitted_at.clear();
        self.topic.clear();
        self.status.clear();
        self.votes.clear();
        self.decided_at.clear();
    }
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

/// Questionnaire answers added so far, one column per field, in the order added.
#[derive(Debug, Default)]
pub(crate) struct PendingResponses {
    customer: Vec<u32>,
    item: Vec<u32>,
    value: Vec<f64>,
    answered_at: Vec<i64>,
    position: Vec<u64>,
}

impl PendingResponses {
    /// Empties the columns, keeping their memory.
    #[cfg(feature = "csv")]
    fn clear(&mut self) {
        self.customer.clear();
        self.item.clear();
        self.value.clear();
        self.answered_at.clear();
        self.position.clear();
    }
}

/// Names (topics, segments, questionnaire items) interned within a batch of rows, to be mapped
/// to the builder's when merged.
#[derive(Debug, Default)]
pub(crate) struct LocalNames {
    names: Vec<Box<str>>,
    /// By the name's bytes: a known topic is found without checking its UTF-8 again.
    index: HashMap<Box<[u8]>, u32>,
}

impl LocalNames {
    /// Forgets the batch's topics, keeping the memory.
    fn clear(&mut self) {
        self.names.clear();
        self.index.clear();
    }

    /// The batch's id of a non-empty topic name given as bytes; `None` when they are not UTF-8.
    pub(crate) fn intern(&mut self, name: &[u8]) -> Option<u32> {
        if let Some(&id) = self.index.get(name) {
            return Some(id);
        }
        let text = std::str::from_utf8(name).ok()?;
        let id = self.names.len() as u32;
        self.names.push(text.into());
        self.index.insert(name.into(), id);
        Some(id)
    }

    /// Maps the batch's topic ids to the builder's, interning the names there.
    #[cfg(feature = "csv")]
    fn merge_into(&self, names: &mut Names, topics: &[u32]) -> impl Iterator<Item = u32> {
        let ids: Vec<u32> = self
            .names
            .iter()
            .map(|name| names.intern(Some(name)))
            .collect();
        topics.iter().map(move |&t| {
            if t == NO_TOPIC {
                NO_TOPIC
            } else {
                ids[t as usize]
            }
        })
    }
}

/// The customer ids of a batch's rows, looked up in the builder all at once when the batch is
/// parsed, rather than row by row.
///
/// In an export sorted by time, every row names another customer, and at a million customers
/// each lookup reads a part of the id table that is not in any cache: row by row, each waits for
/// memory in turn. Looked up in a loop of their own, the lookups do not depend on each other and
/// the processor overlaps their waits. Rows that repeat the previous row's id (an export grouped
/// by customer) share one lookup.
#[derive(Debug, Default)]
pub(crate) struct CustomerLookups {
    /// The ids, one after the other.
    ids: Vec<u8>,
    /// Per lookup: the end of its id in `ids` (it starts at the previous one's end), and the
    /// byte offset in the file of the first row that named it.
    ends: Vec<usize>,
    offsets: Vec<u64>,
}

impl CustomerLookups {
    /// The lookup of the customer id `id` of the row at byte `offset`: the previous row's when
    /// the id is the same, else a new one.
    pub(crate) fn of(&mut self, id: &[u8], offset: u64) -> u32 {
        let (start, end) = match self.ends.as_slice() {
            [.., before, last] => (*before, *last),
            [last] => (0, *last),
            [] => (0, 0),
        };
        if !self.ends.is_empty() && self.ids.get(start..end) == Some(id) {
            return (self.ends.len() - 1) as u32;
        }
        self.ids.extend_from_slice(id);
        self.ends.push(self.ids.len());
        self.offsets.push(offset);
        (self.ends.len() - 1) as u32
    }

    fn clear(&mut self) {
        self.ids.clear();
        self.ends.clear();
        self.offsets.clear();
    }

    /// Replaces each row's lookup in `customers` by the builder slot it finds, and forgets the
    /// lookups (see [`resolve`](Self::resolve) for the errors). Called again, it does nothing.
    #[cfg(feature = "csv")]
    fn resolve_into(
        &mut self,
        builder: &PopulationBuilder,
        path: &std::path::Path,
        customers: &mut [u32],
    ) -> Result<()> {
        if self.ends.is_empty() {
            return Ok(()); // no rows, or resolved already
        }
        let slots = self.resolve(builder, path)?;
        for c in customers {
            *c = slots[*c as usize];
        }
        self.clear();
        Ok(())
    }

    /// The builder slot of each lookup, in order; fails on the first id (in file order) that is
    /// not UTF-8 or that no customer has, naming the row of `path` where it first appeared.
    #[cfg(feature = "csv")]
    fn resolve(&self, builder: &PopulationBuilder, path: &std::path::Path) -> Result<Vec<u32>> {
        let mut slots: Vec<u32> = Vec::with_capacity(self.ends.len());
        let mut start = 0;
        // While the lookups find one slot after the other (the rows follow the order of the
        // customers' file), the next one is tried first.
        let mut in_order = false;
        for (&end, &offset) in self.ends.iter().zip(&self.offsets) {
            let id = self.ids.get(start..end).unwrap_or_default();
            start = end;
            let last = slots.last().copied();
            let after = last.filter(|_| in_order);
            match builder.customers.get_after(after, id) {
                Some(slot) => {
                    in_order = last.is_some_and(|last| last.checked_add(1) == Some(slot));
                    slots.push(slot);
                }
                None => {
                    let problem = match std::str::from_utf8(id) {
                        Ok(_) => Problem::UnknownCustomer,
                        Err(_) => Problem::Unparsable {
                            expected: "UTF-8 text".to_owned(),
                        },
                    };
                    let location = Location::Csv {
                        file: path.to_path_buf(),
                        line: crate::csv_folder::line_at(path, offset),
                    };
                    let id = String::from_utf8_lossy(id);
                    return Err(record_error(location, "customer_id", id, problem));
                }
            }
        }
        Ok(slots)
    }
}

/// The byte offsets of the first and the last row of a batch: what it tells of how many rows
/// its whole file holds.
#[cfg(feature = "csv")]
#[derive(Debug, Default, Clone, Copy)]
struct Span(Option<(u64, u64)>);

#[cfg(feature = "csv")]
impl Span {
    /// Takes in a row starting at byte `offset`, after the rows before.
    fn note(&mut self, offset: u64) {
        self.0 = Some(
            self.0
                .map_or((offset, offset), |(first, _)| (first, offset)),
        );
    }

    /// How many rows a file of `file_bytes` bytes likely holds, when `rows` rows took this span
    /// (2% more, so that the estimate is rarely short); `None` with fewer than two rows.
    fn file_rows(self, rows: usize, file_bytes: u64) -> Option<usize> {
        let (first, last) = self.0?;
        (rows > 1 && last > first).then(|| {
            let per_row = (last - first) as f64 / (rows - 1) as f64;
            rows_estimate(0, ((file_bytes as f64 / per_row) * 1.02) as usize)
        })
    }
}

/// The columns of a table whose rows each name a customer, as a [`RowBatch`] holds them.
#[cfg(feature = "csv")]
pub(crate) trait BatchRows: Default + Send {
    /// The column of the rows' customers.
    fn customers(&mut self) -> &mut [u32];
    /// Empties the columns, keeping their memory.
    fn clear(&mut self);
    /// The builder's rows of this table read so far, and the names they refer to.
    fn in_builder(builder: &mut PopulationBuilder) -> (&mut Self, &mut Names);
}

/// Rows of one table parsed from one part of a CSV file, with the names they refer to (topics,
/// or questionnaire items) interned within the batch. Each row's customer is a lookup of
/// [`customers`](Self::customers) until the batch is resolved, and the builder's slot of the
/// customer after.
#[cfg(feature = "csv")]
#[derive(Debug, Default)]
pub(crate) struct RowBatch<R> {
    rows: R,
    /// The names of the batch.
    pub(crate) names: LocalNames,
    /// The rows' customer ids, to be looked up.
    pub(crate) customers: CustomerLookups,
    span: Span,
}

/// Interactions parsed from one part of a CSV file.
#[cfg(feature = "csv")]
pub(crate) type InteractionBatch = RowBatch<PendingInteractions>;
/// Ideas parsed (and checked) from one part of a CSV file.
#[cfg(feature = "csv")]
pub(crate) type IdeaBatch = RowBatch<PendingIdeas>;
/// Questionnaire answers parsed from one part of a CSV file.
#[cfg(feature = "csv")]
pub(crate) type ResponseBatch = RowBatch<PendingResponses>;

#[cfg(feature = "csv")]
impl<R: BatchRows> crate::csv_folder::Batch for RowBatch<R> {
    type Lookups = PopulationBuilder;

    fn resolve(&mut self, builder: &PopulationBuilder, path: &std::path::Path) -> Result<()> {
        self.customers
            .resolve_into(builder, path, self.rows.customers())
    }

    fn clear(&mut self) {
        self.customers.clear();
        self.names.clear();
        self.rows.clear();
        self.span = Span::default();
    }
}

#[cfg(feature = "csv")]
impl BatchRows for PendingInteractions {
    fn customers(&mut self) -> &mut [u32] {
        &mut self.customer
    }

    fn clear(&mut self) {
        PendingInteractions::clear(self);
    }

    fn in_builder(builder: &mut PopulationBuilder) -> (&mut Self, &mut Names) {
        (&mut builder.interactions, &mut builder.topics)
    }
}

#[cfg(feature = "csv")]
impl BatchRows for PendingIdeas {
    fn customers(&mut self) -> &mut [u32] {
        &mut self.author
    }

    fn clear(&mut self) {
        PendingIdeas::clear(self);
    }

    fn in_builder(builder: &mut PopulationBuilder) -> (&mut Self, &mut Names) {
        (&mut builder.ideas, &mut builder.topics)
    }
}

#[cfg(feature = "csv")]
impl BatchRows for PendingResponses {
    fn customers(&mut self) -> &mut [u32] {
        &mut self.customer
    }

    fn clear(&mut self) {
        PendingResponses::clear(self);
    }

    fn in_builder(builder: &mut PopulationBuilder) -> (&mut Self, &mut Names) {
        (&mut builder.responses, &mut builder.items)
    }
}

#[cfg(feature = "csv")]
impl InteractionBatch {
    /// Adds an interaction, at byte `offset` of its file, of the customer of lookup `customer`
    /// (see [`customers`](Self::customers)), on a topic of the batch's [`names`](Self::names)
    /// ([`NO_TOPIC`] for none).
    pub(crate) fn push(
        &mut self,
        offset: u64,
        customer: u32,
        at: i64,
        channel: Channel,
        kind: InteractionKind,
        topic: u32,
    ) {
        self.span.note(offset);
        self.rows.push(customer, at, channel, kind, topic);
    }
}

/// Customers parsed from one part of a CSV file, with their segments interned within the batch
/// (so that no segment name is allocated per row).
#[cfg(feature = "csv")]
#[derive(Debug, Default)]
pub(crate) struct CustomerBatch {
    rows: Vec<CustomerRow>,
    /// The segments of the batch.
    pub(crate) segments: LocalNames,
    span: Span,
}

/// A customer's row, with what the merge needs of its id worked out while parsing, so that the
/// merge (on one core) does not read the id's text again.
#[cfg(feature = "csv")]
#[derive(Debug)]
struct CustomerRow {
    /// Where the row starts in its file.
    offset: u64,
    /// The id's key in the builder's index.
    key: IdKey,
    id: String,
    /// The customer's record; its segment is the batch's.
    customer: PendingCustomer,
}

#[cfg(feature = "csv")]
impl crate::csv_folder::Batch for CustomerBatch {
    type Lookups = ();

    fn clear(&mut self) {
        self.rows.clear();
        self.segments.clear();
        self.span = Span::default();
    }
}

#[cfg(feature = "csv")]
impl CustomerBatch {
    /// Adds a customer, at byte `offset` of its file, in a segment of the batch's
    /// [`segments`](Self::segments) ([`NO_TOPIC`] for none); fails as
    /// [`PopulationBuilder::add_customer`] does on an id that is empty or has whitespace at
    /// either end. The name is kept as given (trimmed already).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push(
        &mut self,
        offset: u64,
        id: &str,
        name: Option<&str>,
        segment: u32,
        relationship: Relationship,
        since: Option<Date>,
        locate: impl Fn() -> Location,
    ) -> Result<()> {
        check_id(id, "id", locate)?;
        self.span.note(offset);
        self.rows.push(CustomerRow {
            offset,
            key: IdKey::new(id),
            id: id.to_owned(),
            customer: PendingCustomer {
                name: name.map(str::to_owned),
                segment,
                relationship,
                since,
            },
        });
        Ok(())
    }
}

#[cfg(feature = "csv")]
impl ResponseBatch {
    /// Adds an answer, at byte `offset` of its file, of the customer of lookup `customer` (see
    /// [`customers`](Self::customers)), to an item of the batch's [`names`](Self::names); the
    /// value must be finite.
    pub(crate) fn push(
        &mut self,
        offset: u64,
        customer: u32,
        item: u32,
        value: f64,
        answered_at: Option<i64>,
    ) {
        let rows = &mut self.rows;
        rows.customer.push(customer);
        rows.item.push(item);
        rows.value.push(value);
        rows.answered_at.push(answered_at.unwrap_or(UNDATED));
        rows.position.push(offset);
    }
}

#[cfg(feature = "csv")]
impl IdeaBatch {
    /// Adds an idea, at `position`, by the customer of lookup `author`, on a topic of the
    /// batch's [`names`](Self::names) ([`NO_TOPIC`] for none; `fields.author` and
    /// `fields.topic` are not read); fails as [`PopulationBuilder::add_idea`] does on an id
    /// that is empty or has whitespace at either end, or a decision before submission.
    pub(crate) fn push(
        &mut self,
        position: u64,
        author: u32,
        topic: u32,
        fields: IdeaFields<'_>,
        locate: impl Fn() -> Location,
    ) -> Result<()> {
        check_idea(&fields, locate)?;
        self.rows.push(position, author, topic, &fields);
        Ok(())
    }
}

/// The checks of one idea's own fields: an id, and no decision before submission.
fn check_idea(fields: &IdeaFields<'_>, locate: impl Fn() -> Location) -> Result<()> {
    check_id(fields.id, "id", &locate)?;
    if let Some(decided) = fields.decided_at
        && decided < fields.submitted_at
    {
        return Err(record_error(
            locate(),
            "decided_at",
            super::timestamp(decided),
            Problem::OutOfRange {
                allowed: "not before submitted_at".into(),
            },
        ));
    }
    Ok(())
}

/// Rows to reserve on top of `len` for an estimated total, capped at what the columns can index.
fn rows_estimate(len: usize, total: usize) -> usize {
    total.min(u32::MAX as usize).saturating_sub(len)
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

/// Checks an id being defined (or naming a questionnaire's respondent): not empty, and without
/// whitespace at either end. A CSV reader trims its cells, so an id with whitespace around it
/// could not survive a round trip through the CSV format; and `"C1 "` next to `"C1"` is almost
/// always a mistake in the data, not two customers.
pub(crate) fn check_id(id: &str, field: &'static str, locate: impl Fn() -> Location) -> Result<()> {
    if id.is_empty() {
        return Err(record_error(locate(), field, id, Problem::Missing));
    }
    if id.trim_ascii() != id {
        return Err(record_error(
            locate(),
            field,
            id,
            Problem::Unparsable {
                expected: "an id without whitespace at either end".to_owned(),
            },
        ));
    }
    // Written first in a row of a CSV file, the mark would read as a stray byte-order mark.
    if id.starts_with('\u{feff}') {
        return Err(record_error(
            locate(),
            field,
            "U+FEFF",
            Problem::Unparsable {
                expected: "an id that does not start with a byte-order mark".to_owned(),
            },
        ));
    }
    Ok(())
}

/// Free text (a name, segment, topic or title) as kept: whitespace at either end is not part of
/// it (a CSV reader trims it too), and nothing left is no text.
fn text(value: &str) -> Option<&str> {
    Some(value.trim_ascii()).filter(|t| !t.is_empty())
}

/// Owned free text as kept (see [`text`]), reusing the allocation when nothing is trimmed.
fn trimmed(value: Option<String>) -> Option<String> {
    let value = value?;
    match text(&value) {
        Some(t) if t.len() == value.len() => Some(value),
        t => t.map(str::to_owned),
    }
}

fn record_error(
    location: Location,
    field: &'static str,
    value: impl Shown,
    problem: Problem,
) -> Error {
    Error::Record {
        location,
        field,
        value: value.shown(),
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

    /// Adds a customer or prospect. Fails if another customer record has the same id, or if the
    /// id is empty or has whitespace at either end (see [`PopulationBuilder`] on text).
    pub fn add_customer(&mut self, customer: Customer) -> Result<&mut Self> {
        let position = self.next_position(Table::Customers);
        let Customer {
            id,
            name,
            segment,
            relationship,
            since,
        } = customer;
        self.customer_at(
            position,
            id.into_string(),
            name,
            segment,
            relationship,
            since,
        )?;
        Ok(self)
    }

    /// Adds an interaction. Its customer may be added before or after it.
    pub fn add_interaction(&mut self, interaction: Interaction) -> Result<&mut Self> {
        let position = self.next_position(Table::Interactions);
        self.interaction_at(
            position,
            InteractionFields {
                customer: interaction.customer.as_str(),
                at: event_second(interaction.at),
                channel: interaction.channel,
                kind: interaction.kind,
                topic: interaction.topic.as_deref(),
            },
        )?;
        Ok(self)
    }

    /// Adds an idea. Fails if it was decided before it was submitted, or if its id is empty or
    /// has whitespace at either end.
    pub fn add_idea(&mut self, idea: Idea) -> Result<&mut Self> {
        let position = self.next_position(Table::Ideas);
        self.idea_at(
            position,
            IdeaFields {
                id: idea.id.as_str(),
                author: idea.author.as_str(),
                submitted_at: event_second(idea.submitted_at),
                topic: idea.topic.as_deref(),
                status: idea.status,
                votes: idea.votes,
                decided_at: idea.decided_at.map(event_second),
            },
        )?;
        Ok(self)
    }

    /// Adds a co-design session. Fails if another session has the same id, or if the id is
    /// empty or has whitespace at either end.
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
            event_second(held_at),
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

    /// Adds a questionnaire answer. Fails on a value that is not finite, or an item name that is
    /// empty or has whitespace at either end;
    /// the value's range depends on the questionnaire, and is checked when answers are scored.
    pub fn add_response(&mut self, response: crate::evidence::Response) -> Result<&mut Self> {
        let position = self.next_position(Table::Responses);
        self.response_at(
            position,
            response.customer.as_str(),
            &response.item,
            response.value,
            response.answered_at.map(event_second),
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
        check_id(item, "item", || self.location(Table::Responses, position))?;
        if !value.is_finite() {
            return Err(record_error(
                self.location(Table::Responses, position),
                "value",
                value,
                Problem::NonFinite,
            ));
        }
        let customer = self.reference_customer(customer, Table::Responses, position);
        let item = self.items.intern(Some(item));
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
        self.customers.reference(id, table, position)
    }

    fn reference_session(&mut self, id: &str, position: u64) -> u32 {
        self.sessions.reference(id, Table::Participants, position)
    }

    /// Runs `read` with the rows of table `R` read so far and the names they refer to, taken out
    /// of the builder, to append a CSV file's rows to, and with the builder itself, read-only, to
    /// look the rows' customers up in at the same time; then puts them back.
    #[cfg(feature = "csv")]
    pub(crate) fn appending<R: BatchRows, T>(
        &mut self,
        read: impl FnOnce(&Self, &mut Appending<R>) -> T,
    ) -> T {
        let (rows, names) = R::in_builder(self);
        let mut appending = Appending {
            rows: std::mem::take(rows),
            names: std::mem::take(names),
        };
        let out = read(self, &mut appending);
        let (rows, names) = R::in_builder(self);
        (*rows, *names) = (appending.rows, appending.names);
        out
    }

    pub(crate) fn customer_at(
        &mut self,
        position: u64,
        id: String,
        name: Option<String>,
        segment: Option<String>,
        relationship: Relationship,
        since: Option<Date>,
    ) -> Result<()> {
        check_id(&id, "id", || self.location(Table::Customers, position))?;
        let segment = self.segment_id(segment.as_deref());
        let customer = PendingCustomer {
            name: trimmed(name),
            segment,
            relationship,
            since,
        };
        self.define_customer(position, IdKey::new(&id), id, customer)
    }

    /// The builder's id of a segment (trimmed; [`NO_TOPIC`] for none or a blank one), added if
    /// new.
    fn segment_id(&mut self, segment: Option<&str>) -> u32 {
        let Some(name) = segment.and_then(text) else {
            return NO_TOPIC;
        };
        if let Some(&s) = self.segment_index.get(name) {
            return s;
        }
        let s = self.segment_names.len() as u32;
        let name = Box::<str>::from(name);
        self.segment_names.push(name.clone());
        self.segment_index.insert(name, s);
        s
    }

    /// Defines a customer of a checked id (`key` its [`IdKey`]), whose record's name is trimmed
    /// and segment interned already.
    fn define_customer(
        &mut self,
        position: u64,
        key: IdKey,
        id: String,
        record: PendingCustomer,
    ) -> Result<()> {
        if let Err((first, id)) = self.customers.define(key, id, record, position) {
            return Err(record_error(
                self.location(Table::Customers, position),
                "id",
                id,
                Problem::DuplicateId {
                    first: self.location(Table::Customers, first),
                },
            ));
        }
        Ok(())
    }

    /// Adds a batch of customers read from a CSV file of `file_bytes` bytes. The first batch
    /// reserves room for the customers the file likely holds, so that the id index does not
    /// grow (and rehash) again and again.
    #[cfg(feature = "csv")]
    pub(crate) fn append_customers(
        &mut self,
        batch: &mut CustomerBatch,
        file_bytes: u64,
    ) -> Result<()> {
        if let (true, Some(rows)) = (
            self.customers.slots.is_empty(),
            batch.span.file_rows(batch.rows.len(), file_bytes),
        ) {
            self.customers.reserve(rows);
        }
        let segments: Vec<u32> = (batch.segments.names.iter())
            .map(|name| self.segment_id(Some(name)))
            .collect();
        for mut row in batch.rows.drain(..) {
            if row.customer.segment != NO_TOPIC {
                row.customer.segment = segments[row.customer.segment as usize];
            }
            self.define_customer(row.offset, row.key, row.id, row.customer)?;
        }
        Ok(())
    }

    pub(crate) fn interaction_at(
        &mut self,
        position: u64,
        fields: InteractionFields<'_>,
    ) -> Result<()> {
        check_capacity(self.interactions.at.len(), Table::Interactions)?;
        let customer = self.reference_customer(fields.customer, Table::Interactions, position);
        let topic = self.topics.intern(fields.topic);
        self.interactions
            .push(customer, fields.at, fields.channel, fields.kind, topic);
        Ok(())
    }

    pub(crate) fn idea_at(&mut self, position: u64, fields: IdeaFields<'_>) -> Result<()> {
        check_capacity(self.ideas.id.len(), Table::Ideas)?;
        check_idea(&fields, || self.location(Table::Ideas, position))?;
        let author = self.reference_customer(fields.author, Table::Ideas, position);
        let topic = self.topics.intern(fields.topic);
        self.ideas.push(position, author, topic, &fields);
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
        check_id(id, "id", || self.location(Table::Sessions, position))?;
        let topic = self.topics.intern(topic);
        let record = PendingSession {
            held_at,
            topic,
            title: trimmed(title),
        };
        if let Err((first, _)) =
            self.sessions
                .define(IdKey::new(id), id.to_owned(), record, position)
        {
            return Err(record_error(
                self.location(Table::Sessions, position),
                "id",
                id,
                Problem::DuplicateId {
                    first: self.location(Table::Sessions, first),
                },
            ));
        }
        Ok(())
    }

    /// Fails with [`Problem::UnknownCustomer`] at record `position` of `table` if no customer
    /// has the id `id` yet. When loading a CSV folder, every customer is defined before any
    /// other file is read, so an unknown id is an error at its row, as the other files report it
    /// when their blocks are read (not only when the population is built, after them).
    #[cfg(feature = "csv")]
    pub(crate) fn check_customer(&self, id: &str, table: Table, position: u64) -> Result<()> {
        let defined = (self.customers.get(id.as_bytes()))
            .is_some_and(|slot| self.customers.slots[slot as usize].record.is_some());
        if defined {
            return Ok(());
        }
        Err(record_error(
            self.location(table, position),
            "customer_id",
            id,
            Problem::UnknownCustomer,
        ))
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
            topics: Names {
                names: topic_names, ..
            },
            interactions,
            ideas,
            participations,
            items: Names {
                names: item_names, ..
            },
            responses,
            segment_names,
            ..
        } = self;
        let locate = |table: Table, position: u64| locate(&sources, table, position);

        // Customers and sessions: every referenced id must be defined; indices follow the ids.
        let (customers, customer_rank) =
            customers.into_sorted(|id: &crate::CustomerId, (table, position)| {
                record_error(
                    locate(table, position),
                    "customer_id",
                    id.as_str(),
                    Problem::UnknownCustomer,
                )
            })?;
        if customers.is_empty() {
            return Err(Error::EmptyPopulation {
                what: "a population",
            });
        }
        let (sessions, session_rank) =
            sessions.into_sorted(|id: &SessionId, (table, position)| {
                record_error(
                    locate(table, position),
                    "session_id",
                    id.as_str(),
                    Problem::UnknownSession,
                )
            })?;

        // Topics: ids follow the name order.
        let (topic_order, topic_rank) = sorted_ranks(&topic_names, |t| t);
        let remap_topic = |t: u32| {
            if t == NO_TOPIC {
                NO_TOPIC
            } else {
                topic_rank[t as usize]
            }
        };

        // Sessions columns.
        let mut session_columns = SessionColumns::default();
        for (id, record) in sessions {
            session_columns.id.push(id);
            session_columns.held_at.push(record.held_at);
            session_columns.topic.push(remap_topic(record.topic));
            session_columns.title.push(record.title);
        }

        // The other tables' columns, two at a time: each is built on its own, and most of the
        // work on ideas, participations and answers runs on one core.
        let (segment_order, segment_rank) = sorted_ranks(&segment_names, |s| s);
        let n = customers.len();
        let ((mut interactions, customer_columns), (ideas, participations, responses)) =
            crate::parallel::join(
                || {
                    (
                        build_interactions(interactions, &customer_rank, &remap_topic, n),
                        customer_columns(customers, &segment_rank),
                    )
                },
                || {
                    (
                        build_ideas(ideas, &customer_rank, &remap_topic, n, &locate),
                        build_participations(
                            participations,
                            &customer_rank,
                            &session_rank,
                            &session_columns,
                            n,
                            &locate,
                        ),
                        build_responses(responses, &item_names, &customer_rank, n, &locate),
                    )
                },
            );
        // The first error in the order the tables were always checked in.
        let mut ideas = ideas?;
        let participations = participations?;
        let (items, responses) = responses?;
        let CustomerColumns {
            ids,
            names,
            segment,
            relationship,
            since,
        } = customer_columns;

        let topics: Vec<String> = topic_order
            .iter()
            .map(|&t| topic_names[t as usize].to_string())
            .collect();
        let topic_mentions = build_topic_mentions(&mut interactions, &mut ideas, topics.len());

        let (earliest, latest) = [
            &interactions.at,
            &ideas.submitted_at,
            &ideas.decided_at,
            &session_columns.held_at,
            &responses.answered_at,
        ]
        .into_iter()
        .map(|times| time_span(times))
        .fold(NO_SPAN, widen);

        let known_from = known_from(
            &since,
            &interactions,
            &ideas,
            &participations,
            &session_columns.held_at,
            &responses,
            earliest,
        );
        Ok(Population {
            ids: std::sync::Arc::new(ids),
            names,
            segment,
            segment_names: segment_order
                .iter()
                .map(|&s| segment_names[s as usize].to_string())
                .collect(),
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
            known_from,
        })
    }
}

/// Per customer, the second from which the company knew them: the earliest of their `since` day
/// (midnight UTC) and their first dated record; `earliest`, the first event of the data, for a
/// customer with neither (see [`Population::known_at`]). Each customer's interactions, ideas and
/// participations are sorted by time, so the first of each decides; answers are in item order,
/// so all are read.
fn known_from(
    since: &[Option<Date>],
    interactions: &InteractionColumns,
    ideas: &IdeaColumns,
    participations: &ParticipationColumns,
    held_at: &[i64],
    responses: &ResponseColumns,
    earliest: i64,
) -> Vec<i64> {
    let parts = crate::parallel::map_chunks(since.len(), 1 << 14, |customers| {
        customers
            .map(|c| {
                let first = |groups: &Groups, times: &dyn Fn(usize) -> i64| {
                    groups.range(c).next().map_or(i64::MAX, times)
                };
                let answered = responses.answered_at[responses.groups.range(c)]
                    .iter()
                    .min()
                    .copied()
                    .unwrap_or(UNDATED);
                [
                    since[c]
                        .and_then(crate::time::midnight_utc)
                        .unwrap_or(i64::MAX),
                    first(&interactions.groups, &|r| interactions.at[r]),
                    first(&ideas.groups, &|r| ideas.submitted_at[r]),
                    first(&participations.groups, &|r| {
                        held_at[participations.session[r] as usize]
                    }),
                    answered,
                ]
                .into_iter()
                .min()
                .filter(|&from| from != i64::MAX)
                .unwrap_or(earliest)
            })
            .collect::<Vec<i64>>()
    });
    parts.concat()
}

/// The customers' columns, in id order.
struct CustomerColumns {
    ids: Vec<crate::CustomerId>,
    names: Vec<Option<String>>,
    segment: Vec<u32>,
    relationship: Vec<Relationship>,
    since: Vec<Option<Date>>,
}

/// The customers' columns from their records in id order, with the segments' ids in name order
/// (`segment_rank`: each provisional id's rank).
fn customer_columns(
    customers: Vec<(crate::CustomerId, PendingCustomer)>,
    segment_rank: &[u32],
) -> CustomerColumns {
    let n = customers.len();
    let mut columns = CustomerColumns {
        ids: Vec::with_capacity(n),
        names: Vec::with_capacity(n),
        segment: Vec::with_capacity(n),
        relationship: Vec::with_capacity(n),
        since: Vec::with_capacity(n),
    };
    for (id, record) in customers {
        columns.ids.push(id);
        columns.segment.push(match record.segment {
            NO_TOPIC => NO_TOPIC,
            s => segment_rank[s as usize],
        });
        columns.names.push(record.name);
        columns.relationship.push(record.relationship);
        columns.since.push(record.since);
    }
    columns
}

/// The earliest and the latest of some times, leaving out [`UNDATED`] ([`NO_SPAN`] when there
/// are none), in parallel chunks: there is a time per event. (No event is at `UNDATED`: times are
/// within jiff's range.)
fn time_span(times: &[i64]) -> (i64, i64) {
    let spans = crate::parallel::map_chunks(times.len(), 1 << 20, |range| {
        times[range]
            .iter()
            .filter(|&&t| t != UNDATED)
            .map(|&t| (t, t))
            .fold(NO_SPAN, widen)
    });
    spans.into_iter().fold(NO_SPAN, widen)
}

/// The span of no times at all: [`widen`] by any span gives that span.
const NO_SPAN: (i64, i64) = (i64::MAX, i64::MIN);

/// The span from the earlier start to the later end.
fn widen((lo, hi): (i64, i64), (first, last): (i64, i64)) -> (i64, i64) {
    (lo.min(first), hi.max(last))
}

/// Replaces provisional indices (builder slots, in the order first seen) by their final ones
/// (`rank`: the position of each slot in id order).
fn renumber(indices: &mut [u32], rank: &[u32]) {
    if rank.iter().enumerate().all(|(i, &r)| i == r as usize) {
        return; // the slots were in id order already
    }
    remap(indices, |i| rank[i as usize]);
}

/// Replaces each value `v` by `f(v)`, in parallel chunks: the columns have a value per event.
fn remap(values: &mut [u32], f: impl Fn(u32) -> u32 + Sync + Send) {
    crate::parallel::for_each_chunk_mut(values, 1 << 16, |chunk| {
        for v in chunk {
            *v = f(*v);
        }
    });
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
///
/// With the `parallel` feature and many rows, the groups are split in two halves of about as
/// many rows, and each half's rows are placed by a core of its own (each reads every key, and
/// writes only its half's rows).
pub(crate) fn group_rows(keys: &[u32], groups: usize) -> (Groups, Vec<u32>) {
    let offsets = group_offsets(keys, groups);
    let mut order = vec![0u32; keys.len()];
    // Places the rows of groups `from..to` into `order`, which starts at group `from`'s rows.
    let place = |order: &mut [u32], from: usize, to: usize| {
        let base = offsets[from];
        let mut next: Vec<usize> = offsets[from..to].iter().map(|&o| o - base).collect();
        for (row, &k) in keys.iter().enumerate() {
            if let Some(slot) = (k as usize).checked_sub(from).and_then(|g| next.get_mut(g)) {
                order[*slot] = row as u32;
                *slot += 1;
            }
        }
    };
    if cfg!(feature = "parallel") && keys.len() >= 1 << 16 {
        let mid = offsets.partition_point(|&o| o < keys.len() / 2).min(groups);
        let (first, second) = order.split_at_mut(offsets[mid]);
        crate::parallel::join(|| place(first, 0, mid), || place(second, mid, groups));
    } else {
        place(&mut order, 0, groups);
    }
    (Groups { offsets }, order)
}

/// The start of each group's rows, and the end of the last: a prefix sum of the group sizes.
fn group_offsets(keys: &[u32], groups: usize) -> Vec<usize> {
    let mut offsets = vec![0usize; groups + 1];
    for &k in keys {
        offsets[k as usize + 1] += 1;
    }
    for g in 0..groups {
        offsets[g + 1] += offsets[g];
    }
    offsets
}

/// [`group_offsets`] of keys in ascending order, or `None` when they are not (or name a group
/// past `groups`): both found in one pass over the keys, in parallel chunks, from the positions
/// where the key changes, then the offsets filled in from those positions.
///
/// Counting sorted keys one by one is slow for its own reason: each count waits for the one
/// before, which incremented the same counter (22 million rows took 40 ms on one core, against
/// 8 ms in all for this, on 2 cores).
fn sorted_group_offsets(keys: &[u32], groups: usize) -> Option<Vec<usize>> {
    const ROWS: usize = if cfg!(test) { 1 << 4 } else { 1 << 20 };
    // Per chunk: the rows (after the first) whose key differs from the row before's.
    let changes = crate::parallel::map_chunks(keys.len(), ROWS, |range| {
        let from = range.start.max(1);
        let mut changes = Vec::new();
        for (i, pair) in keys.get(from - 1..range.end)?.windows(2).enumerate() {
            if pair[0] != pair[1] {
                if pair[0] > pair[1] {
                    return None;
                }
                changes.push(from + i);
            }
        }
        Some(changes)
    });
    let mut offsets = vec![0usize; groups + 1];
    // Group `g` starts at the first row whose key is `g` or more.
    let mut fill = |from: u32, to: usize, at: usize| {
        for slot in offsets.get_mut(from as usize..to)? {
            *slot = at;
        }
        Some(())
    };
    let Some(&last) = keys.last() else {
        return Some(offsets); // no rows
    };
    if last as usize >= groups {
        return None; // a key names no group: left to `group_rows`
    }
    // The groups up to the first row's start at row 0, as the offsets do already.
    for changes in changes {
        for row in changes? {
            fill(keys[row - 1] + 1, keys[row] as usize + 1, row)?;
        }
    }
    fill(last + 1, groups + 1, keys.len())?;
    Some(offsets)
}

/// Where rows end up: grouped per key, each group sorted. `order: None` means the rows already
/// are in that order, as in an export sorted by customer and time, so columns move instead of
/// being copied.
struct Grouping {
    groups: Groups,
    order: Option<Vec<u32>>,
}

impl Grouping {
    /// Groups rows by `keys` and sorts each group by `(time[row], rest(row))`, which must order
    /// the rows completely (ties only between identical records), so the result depends on the
    /// records alone, not on the order they came in.
    ///
    /// Whether a group is in order already (as each customer's rows are, in exports sorted by
    /// customer or by time) is checked on the times, and on `rest` only between rows at the same
    /// time: when the rows are grouped here, each of those reads is at a scattered row, and
    /// `rest` reads several columns.
    fn new<K: Ord>(
        keys: &[u32],
        groups: usize,
        time: &[i64],
        rest: impl Fn(u32) -> K + Sync,
    ) -> Grouping {
        let key = |r: u32| (time[r as usize], rest(r));
        let in_order = |a: u32, b: u32| {
            let (ta, tb) = (time[a as usize], time[b as usize]);
            ta < tb || (ta == tb && rest(a) <= rest(b))
        };
        if let Some(offsets) = sorted_group_offsets(keys, groups) {
            let groups = Groups { offsets };
            let sorted = crate::parallel::map_chunks(groups.offsets.len() - 1, 1 << 14, |range| {
                range.into_iter().all(|g| {
                    let rows = groups.range(g);
                    (rows.clone().zip(rows.skip(1))).all(|(a, b)| in_order(a as u32, b as u32))
                })
            });
            if sorted.into_iter().all(|s| s) {
                return Grouping {
                    groups,
                    order: None,
                };
            }
            let mut order: Vec<u32> = (0..keys.len() as u32).collect();
            sort_groups(&groups, &mut order, &key);
            return Grouping {
                groups,
                order: Some(order),
            };
        }
        let (groups, mut order) = group_rows(keys, groups);
        crate::parallel::for_each_group_mut(&mut order, &groups.offsets, |rows| {
            if !rows.windows(2).all(|pair| in_order(pair[0], pair[1])) {
                rows.sort_unstable_by_key(|&r| key(r));
            }
        });
        Grouping {
            groups,
            order: Some(order),
        }
    }

    /// A column in the grouped order.
    fn apply<T: Copy + Send + Sync>(&self, column: Vec<T>) -> Vec<T> {
        match &self.order {
            None => column,
            Some(order) => gather(&column, order),
        }
    }
}

/// Sorts the rows of every group by `key`, groups in parallel.
fn sort_groups<K: Ord>(groups: &Groups, order: &mut [u32], key: &(impl Fn(u32) -> K + Sync)) {
    crate::parallel::for_each_group_mut(order, &groups.offsets, |rows| {
        if rows.len() > 1 && !rows.is_sorted_by_key(|&r| key(r)) {
            rows.sort_unstable_by_key(|&r| key(r));
        }
    });
}

/// `column` in the order of `order`, gathered in parallel straight into the result (not in
/// pieces concatenated afterwards, which copied every value once more, on one core).
fn gather<T: Copy + Send + Sync>(column: &[T], order: &[u32]) -> Vec<T> {
    crate::parallel::map_slice(order, |&r| column[r as usize])
}

fn build_interactions(
    rows: PendingInteractions,
    customer_rank: &[u32],
    remap_topic: &(impl Fn(u32) -> u32 + Sync),
    customers: usize,
) -> InteractionColumns {
    let PendingInteractions {
        mut customer,
        at,
        channel,
        kind,
        mut topic,
    } = rows;
    renumber(&mut customer, customer_rank);
    remap(&mut topic, remap_topic);
    // The key is the whole record, so the order is fully determined by the records.
    let grouping = Grouping::new(&customer, customers, &at, |r| {
        let r = r as usize;
        (kind[r], channel[r], topic[r])
    });
    drop(customer);
    InteractionColumns {
        at: grouping.apply(at),
        channel: grouping.apply(channel),
        kind: grouping.apply(kind),
        topic: grouping.apply(topic),
        groups: grouping.groups,
        topic_rank: Vec::new(),
    }
}

fn build_ideas(
    rows: PendingIdeas,
    customer_rank: &[u32],
    remap_topic: &(impl Fn(u32) -> u32 + Sync),
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
    // Idea ids are unique: the first record of each id wins, a later one is the error.
    let mut first_of: HashMap<&str, usize> = HashMap::default();
    first_of.reserve(id.len());
    let mut duplicate: Option<(usize, usize)> = None;
    for (row, idea) in id.iter().enumerate() {
        if let Some(&first) = first_of.get(idea.as_str()) {
            let (a, b) = if position[first] <= position[row] {
                (first, row)
            } else {
                (row, first)
            };
            if duplicate.is_none_or(|(_, d)| position[b] < position[d]) {
                duplicate = Some((a, b));
            }
        } else {
            first_of.insert(idea.as_str(), row);
        }
    }
    drop(first_of);
    if let Some((first, second)) = duplicate {
        return Err(record_error(
            locate(Table::Ideas, position[second]),
            "id",
            id[second].as_str(),
            Problem::DuplicateId {
                first: locate(Table::Ideas, position[first]),
            },
        ));
    }
    renumber(&mut author, customer_rank);
    remap(&mut topic, remap_topic);
    let grouping = Grouping::new(&author, customers, &submitted_at, |r| &id[r as usize]);
    let id = match &grouping.order {
        None => id,
        Some(order) => order.iter().map(|&r| id[r as usize].clone()).collect(),
    };
    Ok(IdeaColumns {
        id,
        submitted_at: grouping.apply(submitted_at),
        topic: grouping.apply(topic),
        status: grouping.apply(status),
        votes: grouping.apply(votes),
        decided_at: grouping.apply(decided_at),
        groups: grouping.groups,
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
    renumber(&mut customer, customer_rank);
    renumber(&mut session, session_rank);
    let (groups, mut order) = group_rows(&customer, customers);
    sort_groups(&groups, &mut order, &|r| {
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
    renumber(&mut customer, customer_rank);
    renumber(&mut item, &item_rank);
    let (groups, mut order) = group_rows(&customer, customers);
    sort_groups(&groups, &mut order, &|r| {
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
///
/// Every step runs in parallel: the mentions are gathered per topic from chunks of rows (most
/// rows are not mentions); each topic's mentions are bucketed by day with a counting sort, so
/// only the mentions of one day need sorting among themselves; and the ranks are written by two
/// halves of the rows, each picking its rows out of all the mentions. Measured on 500,000
/// customers (4.7 million mentions): 0.24–0.27 s when the bucketing and the ranks were written on
/// one core, 0.17 s on a fast day and 0.21 s on a slow one now.
fn build_topic_mentions(
    interactions: &mut InteractionColumns,
    ideas: &mut IdeaColumns,
    topics: usize,
) -> TopicMentions {
    const DAY: i64 = crate::time::SECONDS_PER_DAY;
    /// Buckets are at most this many: a wider span of time gets wider buckets.
    const MAX_BUCKETS: u64 = 1 << 24;
    /// Rows per chunk of the first pass (fewer in unit tests, so that they cross chunks).
    const ROWS: usize = if cfg!(test) { 1 << 10 } else { 1 << 20 };
    /// Groups of topics at most (fewer in unit tests, so that groups hold several topics): each
    /// chunk of rows keeps a list of mentions per group, not per topic, so that free-text topics
    /// by the hundred thousand do not make a list per chunk and topic.
    const GROUPS: usize = if cfg!(test) { 3 } else { 256 };
    /// A mention's time and row.
    type Mention = (i64, u32);
    /// A mention's row and its rank among its topic's mentions.
    type Ranked = (u32, u32);
    /// Per group of topics, its mentions: time, row and topic.
    type PerGroup = Vec<Vec<(i64, u32, u32)>>;
    let from_interactions = interactions.topic.len();
    let rows = from_interactions + ideas.topic.len();
    let per_group = topics.div_ceil(GROUPS).max(1);
    let groups = topics.div_ceil(per_group);
    // Per chunk of rows, per group of topics: its mentions, in row order; rows of ideas follow
    // the rows of interactions. Not concatenated: no copy of them all at once. Also, per chunk,
    // the first and the last time mentioned.
    let chunks: Vec<(PerGroup, i64, i64)> = {
        let (interactions, ideas) = (&*interactions, &*ideas);
        /// Rows looked at before their mentions are filed (fewer in unit tests, so that the
        /// chunks of rows hold several blocks and end in a partial one).
        const BLOCK: usize = if cfg!(test) { 100 } else { 1024 };
        crate::parallel::map_chunks(rows, ROWS, |range| {
            let mut lists = vec![Vec::new(); groups];
            let (mut first, mut last) = (i64::MAX, i64::MIN);
            // A block of rows at a time, the mentions are gathered without a branch per row
            // (whether a row is a mention is as good as random: a branch on it was guessed
            // wrong at a good part of the rows), then filed by group.
            let mut found = [(0i64, 0u32, 0u32); BLOCK];
            for start in range.clone().step_by(BLOCK) {
                let mut count = 0;
                for row in start..(start + BLOCK).min(range.end) {
                    let (at, topic, mention) = if row < from_interactions {
                        let topic = interactions.topic[row];
                        let customer_raised = !interactions.kind[row].is_company_initiated();
                        (
                            interactions.at[row],
                            topic,
                            customer_raised & (topic != NO_TOPIC),
                        )
                    } else {
                        let r = row - from_interactions;
                        let topic = ideas.topic[r];
                        (ideas.submitted_at[r], topic, topic != NO_TOPIC)
                    };
                    found[count] = (at, row as u32, topic);
                    count += usize::from(mention);
                }
                for &(at, row, topic) in &found[..count] {
                    // (Most often a group per topic: no division then.)
                    let group = if per_group == 1 {
                        topic as usize
                    } else {
                        topic as usize / per_group
                    };
                    if let Some(mentions) = lists.get_mut(group) {
                        mentions.push((at, row, topic));
                        (first, last) = (first.min(at), last.max(at));
                    }
                }
            }
            (lists, first, last)
        })
    };
    let of_group = |g: usize| chunks.iter().flat_map(move |(chunk, _, _)| &chunk[g]);
    let group_len = |g: usize| chunks.iter().map(|(c, _, _)| c[g].len()).sum::<usize>();
    let count = (0..groups).map(group_len).sum::<usize>();
    let (first, last) = (chunks.iter())
        .fold((i64::MAX, i64::MIN), |(lo, hi), &(_, first, last)| {
            (lo.min(first), hi.max(last))
        });
    let (first_day, last_day) = if first > last {
        (0, 0) // no mentions at all
    } else {
        (first.div_euclid(DAY), last.div_euclid(DAY))
    };
    let days = (last_day - first_day + 1) as u64;
    // A stray date centuries away must not blow the bucket tables up: no more buckets in all
    // than a few per mention.
    let cap = MAX_BUCKETS.min((4 * count as u64).max(1 << 10));
    let width = (days * topics as u64).div_ceil(cap).max(1) as i64;
    let per_topic = ((days as i64 + width - 1) / width) as usize;
    let day_bucket = |at: i64| ((at.div_euclid(DAY) - first_day) / width) as usize;

    // Each topic's mentions sorted by time (then row, so that the order depends on the records
    // alone), groups of topics in parallel: a counting sort into buckets of a topic and `width`
    // days, then a sort within each bucket. Each mention's rank is the number of mentions of its
    // topic strictly before it.
    let mut slots = vec![(0i64, 0u32); count];
    let mut ranks = vec![(0u32, 0u32); count];
    let mut pieces: Vec<(usize, &mut [Mention], &mut [Ranked])> = Vec::with_capacity(groups);
    let (mut rest, mut rest_ranks) = (slots.as_mut_slice(), ranks.as_mut_slice());
    for g in 0..groups {
        let len = group_len(g);
        let (piece, tail) = rest.split_at_mut(len);
        let (piece_ranks, tail_ranks) = rest_ranks.split_at_mut(len);
        pieces.push((g, piece, piece_ranks));
        (rest, rest_ranks) = (tail, tail_ranks);
    }
    // Per group, the number of mentions of each of its topics.
    let counts = crate::parallel::for_each_mut(&mut pieces, |_, (group, slots, ranks)| {
        let first_topic = *group * per_group;
        let group_topics = per_group.min(topics - first_topic);
        let bucket =
            |at: i64, topic: u32| (topic as usize - first_topic) * per_topic + day_bucket(at);
        let mut starts = vec![0usize; group_topics * per_topic + 1];
        for &(at, _, topic) in of_group(*group) {
            starts[bucket(at, topic) + 1] += 1;
        }
        for b in 0..group_topics * per_topic {
            starts[b + 1] += starts[b];
        }
        let mut next = starts.clone();
        for &(at, row, topic) in of_group(*group) {
            let slot = &mut next[bucket(at, topic)];
            slots[*slot] = (at, row);
            *slot += 1;
        }
        for pair in starts.windows(2) {
            slots[pair[0]..pair[1]].sort_unstable();
        }
        let topic_start = |t: usize| starts[t * per_topic];
        for t in 0..group_topics {
            let (from, to) = (topic_start(t), topic_start(t + 1));
            let mut rank = 0;
            for k in from..to {
                if k > from && slots[k].0 != slots[k - 1].0 {
                    rank = (k - from) as u32;
                }
                ranks[k] = (slots[k].1, rank);
            }
        }
        (0..group_topics)
            .map(|t| topic_start(t + 1) - topic_start(t))
            .collect::<Vec<usize>>()
    });
    let mut offsets = Vec::with_capacity(topics + 1);
    offsets.push(0);
    for n in counts.into_iter().flatten() {
        offsets.push(offsets[offsets.len() - 1] + n);
    }
    drop(pieces);
    drop(chunks);

    // Each row's rank, or `NOT_A_MENTION`: written in parallel by two halves of the rows (the
    // second has the rows of ideas too), each picking its rows out of all the mentions.
    interactions.topic_rank = vec![0; from_interactions];
    ideas.topic_rank = vec![0; ideas.topic.len()];
    let half = (rows / 2).min(from_interactions);
    let (first, second) = interactions.topic_rank.split_at_mut(half);
    let mut halves = [
        vec![(0, first)],
        vec![
            (half, second),
            (from_interactions, &mut ideas.topic_rank[..]),
        ],
    ];
    crate::parallel::for_each_mut(&mut halves, |_, ranges| {
        for (_, topic_rank) in ranges.iter_mut() {
            topic_rank.fill(NOT_A_MENTION);
        }
        for &(row, rank) in &ranks {
            for (start, topic_rank) in ranges.iter_mut() {
                if let Some(r) = topic_rank.get_mut(row.wrapping_sub(*start as u32) as usize) {
                    *r = rank;
                    break;
                }
            }
        }
    });
    TopicMentions {
        offsets,
        at: slots.into_iter().map(|(at, _)| at).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::{group_offsets, sorted_group_offsets};
    use crate::synthetic::{Generator, GeneratorConfig};

    /// Each mention's rank is the number of mentions of its topic strictly before it, and each
    /// topic's times are its mentions' times, sorted.
    #[test]
    fn topic_ranks_count_the_earlier_mentions() {
        let p = Generator::new(GeneratorConfig {
            customers: 300,
            seed: 4,
            ..Default::default()
        })
        .generate()
        .unwrap()
        .population;
        // Several chunks of the first pass, and several groups of topics.
        let rows = p.interactions.at.len() + p.ideas.topic.len();
        assert!(rows > 3 << 10 && p.topics.len() > 6, "{rows} rows");
        assert_topic_ranks_count_the_earlier_mentions(&p);
    }

    /// The same with a mention centuries before the others, so that the buckets of the counting
    /// sort span many days each.
    #[test]
    fn topic_ranks_count_the_earlier_mentions_across_centuries() {
        use crate::{Channel, Customer, Interaction, InteractionKind, Population};
        let mut b = Population::builder();
        let at = |text: &str| crate::time::parse_timestamp(text).unwrap();
        for c in 0..40 {
            b.add_customer(Customer::new(format!("C{c}"))).unwrap();
            for (k, when) in [
                "1700-03-01",
                "2024-05-01",
                "2024-05-01T10:00:00Z",
                "2025-01-09",
            ]
            .iter()
            .enumerate()
            .filter(|&(k, _)| (c + k) % 3 != 0)
            {
                let topic = ["a", "b", "c", "d", "e"][(c * 7 + k) % 5];
                let kind = [InteractionKind::Question, InteractionKind::Outreach][(c + k) % 2];
                b.add_interaction(
                    Interaction::new(format!("C{c}"), at(when), Channel::Chat, kind)
                        .with_topic(topic),
                )
                .unwrap();
            }
        }
        assert_topic_ranks_count_the_earlier_mentions(&b.build().unwrap());
    }

    fn assert_topic_ranks_count_the_earlier_mentions(p: &crate::Population) {
        let (i, d) = (&p.interactions, &p.ideas);
        let mut mentions: Vec<(u32, i64)> = (0..i.at.len())
            .filter(|&r| i.topic[r] != super::NO_TOPIC && !i.kind[r].is_company_initiated())
            .map(|r| (i.topic[r], i.at[r]))
            .chain(
                (0..d.topic.len())
                    .filter(|&r| d.topic[r] != super::NO_TOPIC)
                    .map(|r| (d.topic[r], d.submitted_at[r])),
            )
            .collect();
        mentions.sort_unstable();
        let before = |topic: u32, at: i64| {
            mentions.partition_point(|&m| m < (topic, at))
                - mentions.partition_point(|&m| m < (topic, i64::MIN))
        };
        for r in 0..i.at.len() {
            let expected = if i.topic[r] == super::NO_TOPIC || i.kind[r].is_company_initiated() {
                super::NOT_A_MENTION
            } else {
                before(i.topic[r], i.at[r]) as u32
            };
            assert_eq!(i.topic_rank[r], expected, "interaction row {r}");
        }
        for r in 0..d.topic.len() {
            let expected = if d.topic[r] == super::NO_TOPIC {
                super::NOT_A_MENTION
            } else {
                before(d.topic[r], d.submitted_at[r]) as u32
            };
            assert_eq!(d.topic_rank[r], expected, "idea row {r}");
        }
        for t in 0..p.topics.len() as u32 {
            let expected: Vec<i64> = mentions.iter().filter(|m| m.0 == t).map(|m| m.1).collect();
            assert_eq!(p.topic_mentions.times(t), expected.as_slice());
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Sorted keys (across several chunks: 16 rows each in tests) get the offsets a count of
        /// each key gives; keys out of order get none.
        #[test]
        fn sorted_keys_are_grouped_from_where_they_change(
            mut keys in proptest::collection::vec(0u32..40, 0..200),
            extra in 0usize..5,
        ) {
            let groups = 40 + extra;
            let unsorted = sorted_group_offsets(&keys, groups);
            if keys.is_sorted() {
                proptest::prop_assert_eq!(unsorted, Some(group_offsets(&keys, groups)));
            } else {
                proptest::prop_assert_eq!(unsorted, None);
            }
            keys.sort_unstable();
            proptest::prop_assert_eq!(
                sorted_group_offsets(&keys, groups),
                Some(group_offsets(&keys, groups))
            );
        }
    }
}

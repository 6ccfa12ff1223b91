//! One customer's running tally of events: consumed once, read as of any later date.
//!
//! A [`Tally`] holds cursors into the customer's interactions, ideas and participations, and the
//! sums, counts and last-use weights the signals are made of. [`Tally::advance`] consumes the
//! events up to a date `T`; afterwards the signals as of `T` are read off it
//! ([`Tally::own_value`], [`Tally::components`]). Advancing again to a later date consumes only
//! the events in between: that is how a score history reads each event once, while a single
//! date is a tally advanced once.
//!
//! # Decay against a reference time
//!
//! A decayed sum as of `T` is `S(T) = Σ_{t ≤ T} 2^(-(T - t) / h)`. From one date to the next it
//! obeys `S(T') = S(T) 2^(-(T' - T) / h) + Σ_{T < t ≤ T'} 2^(-(T' - t) / h)`. The tally keeps
//! the same quantity in another form: against a reference time `R ≥ T` (a [`Clock`]),
//! `S(T) = 2^((R - T) / h) P`, with `P = Σ_{t ≤ T} 2^(-(R - t) / h)` a plain running sum. Exactly
//! equal in real arithmetic; in floating point, `P` is the same left-to-right sum of the same
//! terms however many dates the events were consumed over, so **a date of a history gives
//! bit-for-bit the values of that date scored alone**. The recurrence would differ in the last
//! bits, and percentile ranks turn last-bit differences between near-tied customers (one event
//! today against two events a half-life ago) into different ranks.
//!
//! `R` depends on `T` and the half-life only, never on the data (so an event after `T` cannot
//! change a value as of `T`): the first multiple of [`REFERENCE_SPAN`] half-lives (counted from
//! the Unix epoch) at or after `T`. The scale `2^((R - T) / h)` stays below `2^512`; weights of
//! events more than about 500 half-lives before `T` (250 years at the default half-life) fall
//! into subnormal numbers or to zero, where they were below `2^-500` anyway. A history whose
//! dates straddle a multiple starts its tallies over at the first date past it.

use super::{Signal, SignalParams, TopicCurves};
use crate::normalize::ln_1p;
use crate::population::{NOT_A_MENTION, UNDATED};
use crate::time::SECONDS_PER_DAY;
use crate::{Channel, InteractionKind, Population};

pub(crate) const KINDS: usize = InteractionKind::ALL.len();
pub(crate) const CHANNELS: usize = Channel::ALL.len();

/// Reference times are multiples of this many half-lives.
pub(crate) const REFERENCE_SPAN: f64 = 512.0;

/// The decayed sums a tally keeps, by position in [`Tally::sums`].
mod sum {
    /// Every interaction other than outreach.
    pub const ACTIVITY: usize = 0;
    pub const OUTREACH: usize = 1;
    pub const RESPONSE: usize = 2;
    pub const WORKAROUND: usize = 3;
    /// Beta joins and early adoptions.
    pub const EARLY: usize = 4;
    /// Answers and referrals.
    pub const SHARING: usize = 5;
    pub const USAGE: usize = 6;
    pub const PURCHASE: usize = 7;
    pub const COMPLAINT: usize = 8;
    pub const SOCIAL: usize = 9;
    pub const IDEAS: usize = 10;
    pub const INVITED: usize = 11;
    pub const ATTENDED: usize = 12;
    pub const COUNT: usize = 13;
    /// No sum of its own (besides activity).
    pub const NONE: usize = usize::MAX;
}

/// The sum an interaction kind adds to, besides activity.
fn kind_sum(kind: InteractionKind) -> usize {
    use InteractionKind as K;
    match kind {
        K::Outreach => sum::OUTREACH,
        K::Response => sum::RESPONSE,
        K::Workaround => sum::WORKAROUND,
        K::BetaJoin | K::EarlyAdoption => sum::EARLY,
        K::Answer | K::Referral => sum::SHARING,
        K::Usage => sum::USAGE,
        K::Purchase => sum::PURCHASE,
        K::Complaint => sum::COMPLAINT,
        K::SocialMention => sum::SOCIAL,
        K::SupportRequest | K::Praise | K::Feedback | K::Question | K::Other => sum::NONE,
    }
}

/// Whether a signal is one of a customer's own, read off their tally alone
/// ([`Tally::own_value`]), rather than shrunk toward the population, fitted, or answered.
pub(crate) fn is_own(signal: Signal) -> bool {
    use Signal::*;
    matches!(
        signal,
        Recency
            | Activity
            | Breadth
            | Ideas
            | Workarounds
            | EarlyAdoption
            | AheadOfTrend
            | Sharing
            | UsageIntensity
            | PurchaseVolume
            | Complaints
            | SocialMentions
            | MessageVolume
    )
}

/// Whether an own signal's value is `ln(1 + y)` of a decayed sum or credit `y`: diminishing
/// returns for the signals that count things.
pub(crate) fn takes_log(signal: Signal) -> bool {
    use Signal::*;
    matches!(
        signal,
        Activity | Ideas | Workarounds | EarlyAdoption | AheadOfTrend | Sharing | UsageIntensity
    )
}

/// Decay as of `T` against the reference time `R` (see the [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Clock {
    /// The as-of time `T`, in seconds.
    pub t: i64,
    /// The reference time `R ≥ T`, in seconds.
    pub reference: i64,
    /// The decay rate `λ = ln 2 / h` per second.
    pub lambda: f64,
    /// `2^((R - T) / h)`: turns a running sum into a decayed sum as of `T`.
    pub scale: f64,
}

impl Clock {
    pub(crate) fn new(t: i64, params: &SignalParams) -> Clock {
        let lambda = params.decay_rate();
        // At most 2^52 seconds, so that `R - t` stays exact in an f64; at least one second.
        let span = (REFERENCE_SPAN * params.half_life_days * SECONDS_PER_DAY as f64)
            .clamp(1.0, (1u64 << 52) as f64) as i64;
        let below = t.div_euclid(span) * span;
        let reference = if below < t { below + span } else { below };
        Clock {
            t,
            reference,
            lambda,
            scale: (lambda * (reference - t) as f64).exp(),
        }
    }
}

/// Bits of a time difference per table of [`Decay`].
const DECAY_BITS: u32 = 11;
/// Entries per table of [`Decay`].
const DECAY_TABLE: usize = 1 << DECAY_BITS;

/// Decay weights `e^(-λ d) = 2^(-d / h)` of whole numbers of seconds `d`, each the product of
/// three looked-up factors: with `d = d₀ + 2¹¹ d₁ + 2²² d₂`, `e^(-λ d₀) e^(-λ 2¹¹ d₁) e^(-λ 2²² d₂)`.
///
/// Why: every event's weight against the reference time is such a power, and computing it with
/// `exp` was about a third of the CPU time of scoring one date (one `exp` per event, some 8 ns
/// each). Three loads and two products take a fraction of that. Each factor is `exp` of `λ`
/// times a whole number far below 2⁵³, so the product differs from `exp(-λ d)` by a few units in
/// the last place, plus the share of each factor in what rounding `λ` costs `exp(-λ d)` as well
/// (about `λ d` units). Weights are non-increasing in `d` whenever one second of decay is more
/// than that (half-lives below about a million years), and they are the same function of `d`
/// for a single date and for every date of a history, so the two agree bit for bit.
/// Differences of 2³³ seconds (272 years) or more fall back to `exp`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decay {
    lambda: f64,
    /// `tables[k][i] = e^(-λ i 2^(11k))`.
    tables: Box<[[f64; DECAY_TABLE]; 3]>,
}

impl Decay {
    /// The weights of decay rate `λ` (per second).
    pub(crate) fn new(lambda: f64) -> Decay {
        let mut tables = Box::new([[0.0; DECAY_TABLE]; 3]);
        for (k, table) in tables.iter_mut().enumerate() {
            for (i, factor) in table.iter_mut().enumerate() {
                let seconds = (i as u64) << (DECAY_BITS as usize * k);
                *factor = (-lambda * seconds as f64).exp();
            }
        }
        Decay { lambda, tables }
    }

    /// `e^(-λ d)` for `d` seconds.
    #[inline]
    pub(crate) fn weight(&self, d: i64) -> f64 {
        const MASK: usize = DECAY_TABLE - 1;
        match usize::try_from(d) {
            Ok(d) if d >> (3 * DECAY_BITS) == 0 => {
                let bits = DECAY_BITS as usize;
                self.tables[0][d & MASK]
                    * self.tables[1][(d >> bits) & MASK]
                    * self.tables[2][(d >> (2 * bits)) & MASK]
            }
            _ => (-self.lambda * d as f64).exp(),
        }
    }
}

/// What a tally needs to know about the date it advances to.
pub(crate) struct AsOf<'a> {
    pub clock: Clock,
    /// The weights of the clock's decay rate.
    pub decay: &'a Decay,
    /// The topic curves cut at `T`.
    pub curves: &'a TopicCurves,
    /// Each topic's mentions by the last date the tally will be advanced to: a mention whose
    /// rank is not below half of it will never be early, and is not kept.
    pub horizon: &'a [u32],
    /// When undated idea decisions become known: the end of the data.
    pub latest: i64,
}

/// A topic the customer raised early: their mentions before the crowd's median, so far.
#[derive(Debug, Clone, Copy, PartialEq)]
struct EarlyCount {
    topic: u32,
    mentions: u32,
    /// `Σ r` over those mentions (`r`: mentions of the topic strictly before).
    rank_sum: u64,
    /// The first of those mentions.
    first_at: i64,
}

/// A mention not (yet) before the crowd's median, which may become early as the topic grows.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Mention {
    topic: u32,
    rank: u32,
    at: i64,
}

/// A topic the customer raised early, and how much it earned them as of a date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EarlyTopic {
    pub topic: u32,
    /// `g_k Σ (1 - 2q)` over the customer's early mentions of the topic.
    pub credit: f64,
    /// The customer's first early mention of the topic.
    pub first_at: i64,
}

/// The sums that rate signals are made of, before the population's priors shrink them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Components {
    pub responses_w: f64,
    pub outreach_w: f64,
    pub attended_w: f64,
    pub invited_w: f64,
    pub succeeded: f64,
    pub decided: f64,
    pub rating_sum: f64,
    pub rating_n: f64,
    pub contributions: f64,
    pub attended_n: f64,
}

/// The reference weight of the last use of each channel and each kind of interaction (outreach
/// excluded; 0: never).
#[derive(Debug, Clone, PartialEq, Default)]
struct LastUse {
    channel: [f64; CHANNELS],
    kind: [f64; KINDS],
}

/// One customer's events consumed up to a date (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tally {
    /// Rows consumed, from the start of the customer's rows, per table.
    interactions: u32,
    ideas: u32,
    participations: u32,
    /// Interactions other than outreach.
    messages: u32,
    /// Consumed ideas whose decision (accepted, shipped or declined) is known, and of those the
    /// accepted or shipped.
    decided: u32,
    succeeded: u32,
    rating_n: u32,
    contributions: u64,
    attended_n: u32,
    /// The time of the next row not consumed per table (`i64::MIN` before the first look,
    /// `i64::MAX` when there is none): most dates bring a customer nothing new, and this tells
    /// without reading the population's columns.
    next_interaction: i64,
    next_idea: i64,
    next_session: i64,
    /// The earliest time a decision on a consumed idea becomes known that is not counted yet.
    next_decision: i64,
    /// Running sums of reference weights (see [`sum`]).
    sums: [f64; sum::COUNT],
    /// The reference weight of the latest interaction other than outreach (0: never).
    last_active: f64,
    /// `Σ` of the last-use weights of channels and of kinds.
    channels: f64,
    kinds: f64,
    rating_sum: f64,
    /// In the tally, not boxed apart: a score history keeps a tally per customer, and a box
    /// each (a million small allocations at a million customers) was read at scattered places
    /// on every pass. Inline, it streams in with the rest of the tally.
    last_use: LastUse,
    /// Sorted by topic, so that sums over topics run in one order. In a score history, this
    /// and `pending` live on a [`Shelf`] between passes, and are empty here.
    early: Vec<EarlyCount>,
    pending: Vec<Mention>,
}

/// The early topics and pending mentions of a run of tallies, stored one tally after the
/// other, between the passes of a score history.
///
/// Why: a history keeps a tally per customer, and each tally's lists in vectors of their own
/// would be a million small allocations at a million customers, read at scattered places on
/// every pass. On the shelf they are read and written in order, as the tallies are.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shelf {
    /// The lists as the last pass left them, and the spare the next pass writes.
    stored: ShelfLists,
    spare: ShelfLists,
    /// The vectors lent to each tally in turn.
    lent: (Vec<EarlyCount>, Vec<Mention>),
}

/// Lists of a run of tallies, one tally's after another's.
#[derive(Debug, Clone, Default)]
struct ShelfLists {
    early: Vec<EarlyCount>,
    pending: Vec<Mention>,
    /// Per tally, in order: how many early topics and pending mentions it has here.
    lengths: Vec<(usize, usize)>,
}

impl Shelf {
    /// Runs `f` on each of `tallies` in order (with its index), its lists taken off the shelf
    /// for it and put back after. Tallies not seen before start with none.
    pub(crate) fn each(&mut self, tallies: &mut [Tally], mut f: impl FnMut(usize, &mut Tally)) {
        let (stored, next) = (&self.stored, &mut self.spare);
        next.early.clear();
        next.pending.clear();
        next.lengths.clear();
        let (early, pending) = &mut self.lent;
        let (mut early_at, mut pending_at) = (0, 0);
        for (j, tally) in tallies.iter_mut().enumerate() {
            let (e, p) = stored.lengths.get(j).copied().unwrap_or((0, 0));
            early.clear();
            early.extend_from_slice(&stored.early[early_at..early_at + e]);
            pending.clear();
            pending.extend_from_slice(&stored.pending[pending_at..pending_at + p]);
            (early_at, pending_at) = (early_at + e, pending_at + p);
            std::mem::swap(&mut tally.early, early);
            std::mem::swap(&mut tally.pending, pending);
            f(j, tally);
            std::mem::swap(&mut tally.early, early);
            std::mem::swap(&mut tally.pending, pending);
            next.early.extend_from_slice(early);
            next.pending.extend_from_slice(pending);
            next.lengths.push((early.len(), pending.len()));
        }
        std::mem::swap(&mut self.stored, &mut self.spare);
    }
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            interactions: 0,
            ideas: 0,
            participations: 0,
            messages: 0,
            decided: 0,
            succeeded: 0,
            rating_n: 0,
            contributions: 0,
            attended_n: 0,
            next_interaction: i64::MIN,
            next_idea: i64::MIN,
            next_session: i64::MIN,
            next_decision: i64::MAX,
            sums: [0.0; sum::COUNT],
            last_active: 0.0,
            channels: 0.0,
            kinds: 0.0,
            rating_sum: 0.0,
            last_use: LastUse::default(),
            early: Vec::new(),
            pending: Vec::new(),
        }
    }
}

impl Tally {
    /// Back to no event consumed, keeping the allocations.
    pub(crate) fn reset(&mut self) {
        let (mut early, mut pending) = (
            std::mem::take(&mut self.early),
            std::mem::take(&mut self.pending),
        );
        early.clear();
        pending.clear();
        *self = Tally {
            early,
            pending,
            ..Tally::default()
        };
    }

    /// Consumes customer `c`'s events after the last date advanced to, up to `T` included.
    /// Dates must not go back; a new reference time needs a [`reset`](Self::reset) first.
    pub(crate) fn advance(&mut self, population: &Population, c: usize, date: &AsOf<'_>) {
        let t = date.clock.t;
        if self.next_interaction <= t {
            self.consume_interactions(population, c, date);
        }
        if self.next_idea <= t || self.next_decision <= t {
            self.consume_ideas(population, c, date);
        }
        if self.next_session <= t {
            self.consume_participations(population, c, date);
        }
        if !self.pending.is_empty() {
            let mut pending = std::mem::take(&mut self.pending);
            pending.retain(|m| {
                let early =
                    2 * u64::from(m.rank) < u64::from(date.curves.mentions[m.topic as usize]);
                if early {
                    self.credit(m);
                }
                !early
            });
            self.pending = pending;
        }
    }

    fn consume_interactions(&mut self, population: &Population, c: usize, date: &AsOf<'_>) {
        let (t, reference) = (date.clock.t, date.clock.reference);
        let cols = &population.interactions;
        let rows = cols.groups.range(c);
        let mut r = rows.start + self.interactions as usize;
        while r < rows.end && cols.at[r] <= t {
            let (at, kind) = (cols.at[r], cols.kind[r]);
            let w = date.decay.weight(reference - at);
            let s = kind_sum(kind);
            if s != sum::NONE {
                self.sums[s] += w;
            }
            if !kind.is_company_initiated() {
                self.sums[sum::ACTIVITY] += w;
                self.messages += 1;
                self.last_active = w;
                let (ch, k) = (cols.channel[r].index(), kind.index());
                let last = &mut self.last_use;
                self.channels += w - last.channel[ch];
                last.channel[ch] = w;
                self.kinds += w - last.kind[k];
                last.kind[k] = w;
                self.mention(date, cols.topic[r], cols.topic_rank[r], at);
            }
            r += 1;
        }
        self.interactions = (r - rows.start) as u32;
        self.next_interaction = if r < rows.end { cols.at[r] } else { i64::MAX };
    }

    fn consume_ideas(&mut self, population: &Population, c: usize, date: &AsOf<'_>) {
        let (t, reference) = (date.clock.t, date.clock.reference);
        let ideas = &population.ideas;
        let rows = ideas.groups.range(c);
        let mut r = rows.start + self.ideas as usize;
        while r < rows.end && ideas.submitted_at[r] <= t {
            let at = ideas.submitted_at[r];
            self.sums[sum::IDEAS] += date.decay.weight(reference - at);
            self.decision(population, r, t, date.latest);
            self.mention(date, ideas.topic[r], ideas.topic_rank[r], at);
            r += 1;
        }
        self.ideas = (r - rows.start) as u32;
        self.next_idea = if r < rows.end {
            ideas.submitted_at[r]
        } else {
            i64::MAX
        };
        if self.next_decision <= t {
            // A decision on an idea consumed earlier became known: count them all again.
            (self.decided, self.succeeded, self.next_decision) = (0, 0, i64::MAX);
            for r in rows.start..r {
                self.decision(population, r, t, date.latest);
            }
        }
    }

    fn consume_participations(&mut self, population: &Population, c: usize, date: &AsOf<'_>) {
        let (t, reference) = (date.clock.t, date.clock.reference);
        let parts = &population.participations;
        let held = &population.sessions.held_at;
        let rows = parts.groups.range(c);
        let mut r = rows.start + self.participations as usize;
        // Sorted by the sessions' times.
        while r < rows.end && held[parts.session[r] as usize] <= t {
            let w = date
                .decay
                .weight(reference - held[parts.session[r] as usize]);
            if parts.invited[r] {
                self.sums[sum::INVITED] += w;
            }
            if parts.attended[r] {
                self.sums[sum::ATTENDED] += w;
                self.attended_n += 1;
                self.contributions += u64::from(parts.contributions[r]);
                if let Some(rating) = parts.rating[r] {
                    self.rating_sum += rating;
                    self.rating_n += 1;
                }
            }
            r += 1;
        }
        self.participations = (r - rows.start) as u32;
        self.next_session = if r < rows.end {
            held[parts.session[r] as usize]
        } else {
            i64::MAX
        };
    }

    /// Counts idea row `r`'s decision if it is known by `t` (an undated decision is known at
    /// the end of the data), or remembers when it will be.
    fn decision(&mut self, population: &Population, r: usize, t: i64, latest: i64) {
        let ideas = &population.ideas;
        let status = ideas.status[r];
        if !status.is_decided() {
            return;
        }
        let known_at = match ideas.decided_at[r] {
            UNDATED => latest,
            at => at,
        };
        if known_at <= t {
            self.decided += 1;
            self.succeeded += u32::from(status.is_success());
        } else {
            self.next_decision = self.next_decision.min(known_at);
        }
    }

    /// A mention of a topic at rank `rank` (mentions strictly before it): early as of `T` when
    /// `2r < N_k(T)`; kept for later when it may become early by the last date.
    #[inline]
    fn mention(&mut self, date: &AsOf<'_>, topic: u32, rank: u32, at: i64) {
        if rank == NOT_A_MENTION {
            return;
        }
        let k = topic as usize;
        let mention = Mention { topic, rank, at };
        if 2 * u64::from(rank) < u64::from(date.curves.mentions[k]) {
            self.credit(&mention);
        } else if 2 * u64::from(rank) < u64::from(date.horizon[k]) {
            self.pending.push(mention);
        }
    }

    fn credit(&mut self, m: &Mention) {
        match self.early.binary_search_by_key(&m.topic, |e| e.topic) {
            Ok(i) => {
                let e = &mut self.early[i];
                e.mentions += 1;
                e.rank_sum += u64::from(m.rank);
                e.first_at = e.first_at.min(m.at);
            }
            Err(i) => self.early.insert(
                i,
                EarlyCount {
                    topic: m.topic,
                    mentions: 1,
                    rank_sum: u64::from(m.rank),
                    first_at: m.at,
                },
            ),
        }
    }

    /// Each early topic's credit as of the curves' date: `g_k Σ (1 - 2 r / N_k)
    /// = g_k (m - 2 Σr / N_k)` over the customer's `m` early mentions of topic `k`.
    fn early_topics<'a>(
        &'a self,
        curves: &'a TopicCurves,
    ) -> impl Iterator<Item = EarlyTopic> + 'a {
        self.early.iter().map(|e| {
            let k = e.topic as usize;
            let n = f64::from(curves.mentions[k]);
            EarlyTopic {
                topic: e.topic,
                credit: curves.growth[k] * (f64::from(e.mentions) - 2.0 * e.rank_sum as f64 / n),
                first_at: e.first_at,
            }
        })
    }

    /// `Σ_k g_k Σ (1 - 2q)`: the ahead-of-trend credit before `ln(1 + ·)`.
    fn ahead(&self, curves: &TopicCurves) -> f64 {
        self.early_topics(curves).map(|e| e.credit).sum()
    }

    /// The topic that earns the customer the most ahead-of-trend credit (the lower topic index
    /// on a tie), if any earns some, among those they raised before the topic's median mention:
    /// the median mention itself counts as early (with a credit near 0), but is not before most
    /// customers, and the topic is what an explanation tells.
    pub(crate) fn best_topic(&self, curves: &TopicCurves) -> Option<EarlyTopic> {
        self.early_topics(curves)
            .filter(|e| e.credit > 0.0 && e.first_at < curves.median_at[e.topic as usize])
            .max_by(|a, b| a.credit.total_cmp(&b.credit).then(b.topic.cmp(&a.topic)))
    }

    /// Consumed ideas with a known decision, and of those the accepted or shipped.
    pub(crate) fn decisions(&self) -> (u32, u32) {
        (self.decided, self.succeeded)
    }

    /// The sums the rate signals are made of, as of the clock's date.
    pub(crate) fn components(&self, clock: &Clock) -> Components {
        let s = clock.scale;
        Components {
            responses_w: self.sums[sum::RESPONSE] * s,
            outreach_w: self.sums[sum::OUTREACH] * s,
            attended_w: self.sums[sum::ATTENDED] * s,
            invited_w: self.sums[sum::INVITED] * s,
            succeeded: f64::from(self.succeeded),
            decided: f64::from(self.decided),
            rating_sum: self.rating_sum,
            rating_n: f64::from(self.rating_n),
            contributions: self.contributions as f64,
            attended_n: f64::from(self.attended_n),
        }
    }

    /// The value of a signal that needs nothing from the rest of the population, as of the date
    /// the tally was advanced to (its clock and topic curves); `None` for the shrunk, on-demand
    /// and questionnaire signals, which do.
    #[inline]
    pub(crate) fn own_value(
        &self,
        signal: Signal,
        clock: &Clock,
        curves: &TopicCurves,
    ) -> Option<f64> {
        let value = self.own_before_log(signal, clock, curves)?;
        Some(if takes_log(signal) {
            ln_1p(value)
        } else {
            value
        })
    }

    /// Like [`own_value`](Self::own_value), but `y` for the signals whose value is `ln(1 + y)`
    /// ([`takes_log`]).
    #[inline]
    pub(crate) fn own_before_log(
        &self,
        signal: Signal,
        clock: &Clock,
        curves: &TopicCurves,
    ) -> Option<f64> {
        let decayed = |s: usize| self.sums[s] * clock.scale;
        Some(match signal {
            // Weights of events at `T` are 1 up to rounding: keep within [0, 1].
            Signal::Recency => (self.last_active * clock.scale).min(1.0),
            Signal::Activity => decayed(sum::ACTIVITY),
            Signal::Breadth => {
                let channels = self.channels / CHANNELS as f64;
                let kinds = self.kinds / (KINDS - 1) as f64;
                ((channels + kinds) / 2.0 * clock.scale).min(1.0)
            }
            Signal::Ideas => decayed(sum::IDEAS),
            Signal::Workarounds => decayed(sum::WORKAROUND),
            Signal::EarlyAdoption => decayed(sum::EARLY),
            Signal::AheadOfTrend => self.ahead(curves),
            Signal::Sharing => decayed(sum::SHARING),
            Signal::UsageIntensity => decayed(sum::USAGE),
            Signal::PurchaseVolume => decayed(sum::PURCHASE),
            Signal::Complaints => decayed(sum::COMPLAINT),
            Signal::SocialMentions => decayed(sum::SOCIAL),
            Signal::MessageVolume => f64::from(self.messages),
            Signal::Dialogue
            | Signal::Attendance
            | Signal::IdeaQuality
            | Signal::SessionRating
            | Signal::SessionContributions
            | Signal::ProbabilityAlive
            | Signal::ExpectedActivity
            | Signal::LeadUserness
            | Signal::SurveyAheadOfTrend
            | Signal::SurveyExpectedBenefit => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{Generator, GeneratorConfig};

    #[test]
    fn a_shelf_gives_each_tally_its_own_lists_back_pass_after_pass() {
        let mut tallies = vec![Tally::default(); 4];
        let mut shelf = Shelf::default();
        let mention = |topic, rank| Mention { topic, rank, at: 0 };
        // Pass k: tally j gains an early topic when j divides k, a pending mention when j is odd.
        for pass in 1..=6u32 {
            shelf.each(&mut tallies, |j, tally| {
                if pass % (j as u32 + 1) == 0 {
                    tally.credit(&mention(pass, j as u32));
                }
                if j % 2 == 1 {
                    tally.pending.push(mention(pass, j as u32));
                }
            });
            // At rest, the tallies hold no lists of their own.
            assert!(
                tallies
                    .iter()
                    .all(|t| t.early.capacity() == 0 && t.pending.is_empty())
            );
        }
        shelf.each(&mut tallies, |j, tally| {
            let topics: Vec<u32> = tally.early.iter().map(|e| e.topic).collect();
            let expected: Vec<u32> = (1..=6).filter(|p| p % (j as u32 + 1) == 0).collect();
            assert_eq!(topics, expected, "tally {j}");
            let pending = if j % 2 == 1 { 6 } else { 0 };
            assert_eq!(tally.pending.len(), pending, "tally {j}");
            assert!(
                tally.pending.iter().all(|m| m.rank == j as u32),
                "tally {j}"
            );
        });
        // A tally that starts over keeps nothing.
        shelf.each(&mut tallies, |j, tally| {
            if j == 1 {
                tally.reset();
            }
        });
        shelf.each(&mut tallies, |j, tally| {
            assert_eq!(tally.early.is_empty(), j == 1, "tally {j}");
        });
    }

    #[test]
    fn own_signals_are_the_ones_a_tally_has_a_value_of() {
        let (tally, clock) = (Tally::default(), Clock::new(0, &SignalParams::default()));
        for &signal in Signal::ALL {
            let value = tally.own_value(signal, &clock, &TopicCurves::default());
            assert_eq!(is_own(signal), value.is_some(), "{signal}");
        }
    }

    #[test]
    fn the_reference_time_is_the_next_multiple_of_the_span_and_keeps_the_scale_finite() {
        for half_life_days in [1e-6, 1.0, 180.0, 1e9] {
            let params = SignalParams {
                half_life_days,
                ..SignalParams::default()
            };
            for t in [-86_400 * 365 * 60, -1, 0, 1, 1_700_000_000, 4_000_000_000] {
                let clock = Clock::new(t, &params);
                assert!(clock.reference >= t);
                assert!(clock.scale.is_finite() && clock.scale >= 1.0, "{clock:?}");
                // The same reference for every time up to it.
                assert_eq!(
                    Clock::new(clock.reference, &params).reference,
                    clock.reference
                );
            }
        }
    }

    /// The values and components a tally gives as of its clock's date.
    fn read(tally: &Tally, date: &AsOf<'_>) -> (Vec<Option<f64>>, Components) {
        let values = Signal::ALL
            .iter()
            .map(|&s| tally.own_value(s, &date.clock, date.curves))
            .collect();
        (values, tally.components(&date.clock))
    }

    #[test]
    fn advancing_date_by_date_ends_where_advancing_at_once_does() {
        let base = Generator::new(GeneratorConfig {
            customers: 150,
            seed: 3,
            ..Default::default()
        })
        .generate()
        .unwrap();
        let p = &base.population;
        let params = SignalParams::default();
        let dates: Vec<i64> = (0..8)
            .map(|k| p.latest - (7 - k) * 45 * SECONDS_PER_DAY)
            .collect();
        let curves: Vec<TopicCurves> = dates
            .iter()
            .map(|&t| TopicCurves::at(p, t, &params))
            .collect();
        // Leaked to give the dates one lifetime; a test's few bytes.
        let decay = Decay::new(params.decay_rate());
        let date = |k: usize, horizon: usize| AsOf {
            clock: Clock::new(dates[k], &params),
            decay: &decay,
            curves: &curves[k],
            // The history's horizon (its last date) or the date's own, as a single date has.
            horizon: &curves[horizon].mentions,
            latest: p.latest,
        };
        let mut decayed_somewhere = false;
        for c in 0..p.len() {
            let mut stepwise = Tally::default();
            for k in 0..dates.len() {
                stepwise.advance(p, c, &date(k, dates.len() - 1));
                let mut at_once = Tally::default();
                let alone = date(k, k);
                at_once.advance(p, c, &alone);
                assert_eq!(
                    read(&stepwise, &alone),
                    read(&at_once, &alone),
                    "customer {c}"
                );
                assert_eq!(stepwise.decisions(), at_once.decisions());
                decayed_somewhere |=
                    read(&at_once, &alone).0[Signal::Activity.index()].is_some_and(|a| a > 0.0);
            }
        }
        assert!(decayed_somewhere);
    }

    #[test]
    fn a_decayed_sum_is_the_sum_of_decay_weights() {
        let params = SignalParams::default();
        let day = SECONDS_PER_DAY;
        let t = 1_700_000_000;
        let (clock, decay) = (Clock::new(t, &params), Decay::new(params.decay_rate()));
        // Events 0, 180 and 360 days before T weigh 1, 1/2 and 1/4.
        let sum: f64 = [0, 180, 360]
            .iter()
            .map(|d| decay.weight(clock.reference - (t - d * day)))
            .sum();
        assert!((sum * clock.scale - 1.75).abs() < 1e-12);
    }

    /// The looked-up weights are `exp` to a few units in the last place (plus the rounding of
    /// `λ`, which `exp` pays too), never increase with the time difference (across the tables'
    /// carries too), and fall back to `exp` beyond them.
    #[test]
    fn decay_weights_are_exp_within_a_few_ulps_and_never_increase() {
        for half_life_days in [1e-3, 1.0, 180.0, 1e6] {
            let params = SignalParams {
                half_life_days,
                ..SignalParams::default()
            };
            let (lambda, decay) = (params.decay_rate(), Decay::new(params.decay_rate()));
            let carries = (0..3).flat_map(|k: u32| (1..40i64).map(move |m| m << (11 * k)));
            let mut ds: Vec<i64> = carries
                .flat_map(|d| [d - 1, d, d + 1])
                .chain((0..2_000).map(|i| i * 7_919_993))
                .chain([0, 1, (1 << 33) - 1, 1 << 33, (1 << 33) + 5, 1 << 40])
                .filter(|&d| d >= 0)
                .collect();
            ds.sort_unstable();
            ds.dedup();
            let mut previous = f64::INFINITY;
            for &d in &ds {
                let (w, exact) = (decay.weight(d), (-lambda * d as f64).exp());
                // `λ` is rounded, so `exp(-λ d)` itself is off by about `λ d` units in the last
                // place: the factors are off by their share of that.
                let units = 4.0 + 2.0 * lambda * d as f64;
                let tolerance = units * f64::EPSILON * exact + f64::MIN_POSITIVE;
                assert!(
                    (w - exact).abs() <= tolerance,
                    "h {half_life_days}, d {d}: {w} vs {exact}"
                );
                assert!(
                    w <= previous,
                    "h {half_life_days}, d {d}: {w} after {previous}"
                );
                previous = w;
            }
            assert_eq!(decay.weight(1 << 40), (-lambda * (1u64 << 40) as f64).exp());
        }
    }
}

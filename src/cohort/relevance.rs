//! Topic relevance: how much a customer has said and done about one topic, as of `T`.

use jiff::Timestamp;

use crate::signals::check_as_of;
use crate::{CustomerIndex, Error, Population, Result, SignalParams, TopicId};

/// The weight of an idea on the topic: an idea is a considered proposal, worth two passing
/// remarks.
const IDEA_WEIGHT: f64 = 2.0;
/// The weight of an interaction on the topic (a question, a workaround, feedback, an answer).
const INTERACTION_WEIGHT: f64 = 1.0;
/// The weight of attending a co-design session on the topic, before its contributions.
const SESSION_WEIGHT: f64 = 2.0;

/// Every customer's relevance to one topic as of a time `T`: who knows the topic.
///
/// # Formula
///
/// With the decay weight `w(t) = 0.5^((T - t) / h)` of scoring (the half-life `h` is
/// [`SignalParams::half_life_days`], so a cohort and the scores it draws on age the same way),
/// a customer's *raw relevance* is a decayed, weighted count of what they did on the topic by `T`:
///
/// ```text
/// R = Σ_interactions w(t) + 2 Σ_ideas w(t) + Σ_attended sessions w(t) (2 + ln(1 + contributions))
/// ```
///
/// Interactions are the customer's own (company outreach on the topic says nothing about the
/// customer); ideas count twice, as considered proposals; a co-design session on the topic counts
/// as two plus the log of the contributions made in it, since sitting through a session shows
/// less than shaping it. Nothing after `T` is read: not later interactions, ideas or sessions.
///
/// The *relevance* puts `R` on [0, 1] like the scores' percentile normalization, but among the
/// people who raised the topic at all: 0 for `R = 0`, and otherwise the mean rank of `R` among
/// the `m` customers with `R > 0` (1 = lowest, ties sharing the mean of their ranks) divided by
/// `m`. Ranks make it robust to one prolific poster and free of the data's scale; ranking among
/// those who raised the topic keeps someone who mentioned it once, long ago, near 0 rather than
/// above the silent majority's median.
///
/// ```
/// use lead_customers::synthetic::{Generator, GeneratorConfig};
/// use lead_customers::{SignalParams, TopicRelevance};
/// let base = Generator::new(GeneratorConfig { customers: 500, ..Default::default() }).generate()?;
/// let p = &base.population;
/// let topic = p.topic_id("offline sync").unwrap();
/// let relevance = TopicRelevance::compute(p, topic, p.latest().unwrap(), &SignalParams::default())?;
/// assert!(relevance.mentioners() > 0);
/// for c in p.customers() {
///     let r = relevance.relevance(c);
///     assert!((0.0..=1.0).contains(&r));
///     assert_eq!(r == 0.0, relevance.raw(c) == 0.0);
/// }
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TopicRelevance {
    topic: TopicId,
    raw: Vec<f64>,
    relevance: Vec<f64>,
    mentioners: usize,
}

impl TopicRelevance {
    /// Computes every customer's relevance to `topic` as of `as_of`, from data up to `as_of`
    /// only, with the half-life of `params`.
    ///
    /// Fails when the parameters are invalid, `as_of` is before the population's first event,
    /// or the topic is not one of the population's.
    pub fn compute(
        population: &Population,
        topic: TopicId,
        as_of: Timestamp,
        params: &SignalParams,
    ) -> Result<TopicRelevance> {
        params.check()?;
        let t = check_as_of(population, as_of)?;
        if topic.get() >= population.topics().len() {
            return Err(Error::parameter(
                "topic",
                topic.get(),
                format!("the population has {} topics", population.topics().len()),
            ));
        }
        let lambda = params.decay_rate();
        let raw = crate::parallel::map_chunks(population.len(), crate::parallel::CHUNK, |rows| {
            rows.map(|c| TopicActivity::of(population, c, topic.0, t, lambda).raw)
                .collect::<Vec<_>>()
        })
        .into_iter()
        .flatten()
        .collect();
        Ok(TopicRelevance::from_raw(topic, raw))
    }

    /// Normalizes raw relevance (see the type's documentation), in `O(n + m log m)`.
    pub(crate) fn from_raw(topic: TopicId, raw: Vec<f64>) -> TopicRelevance {
        let mut raised: Vec<u32> = (0..raw.len() as u32)
            .filter(|&c| raw[c as usize] > 0.0)
            .collect();
        raised.sort_unstable_by(|&a, &b| raw[a as usize].total_cmp(&raw[b as usize]));
        let m = raised.len();
        let mut relevance = vec![0.0; raw.len()];
        let mut i = 0;
        while i < m {
            let value = raw[raised[i] as usize];
            let mut j = i + 1;
            while j < m && raw[raised[j] as usize] == value {
                j += 1;
            }
            // Ranks i+1 ..= j share their mean.
            let rank = (i + 1 + j) as f64 / 2.0;
            for &c in &raised[i..j] {
                relevance[c as usize] = rank / m as f64;
            }
            i = j;
        }
        TopicRelevance {
            topic,
            raw,
            relevance,
            mentioners: m,
        }
    }

    /// The topic.
    pub fn topic(&self) -> TopicId {
        self.topic
    }

    /// A customer's raw relevance `R`, the decayed weighted count.
    pub fn raw(&self, c: CustomerIndex) -> f64 {
        self.raw[c.get()]
    }

    /// A customer's relevance in [0, 1].
    pub fn relevance(&self, c: CustomerIndex) -> f64 {
        self.relevance[c.get()]
    }

    /// Every customer's relevance, by [`CustomerIndex`].
    pub fn values(&self) -> &[f64] {
        &self.relevance
    }

    /// How many customers raised the topic by `T` (have `R > 0`).
    pub fn mentioners(&self) -> usize {
        self.mentioners
    }
}

/// What one customer did on one topic by `T`: the raw relevance and the counts behind it, for
/// the reasons a member was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct TopicActivity {
    pub raw: f64,
    pub interactions: u32,
    pub ideas: u32,
    pub sessions: u32,
    /// The latest of them, in seconds.
    pub last: Option<i64>,
}

impl TopicActivity {
    /// One sweep over the customer's interactions, ideas and participations up to `t`.
    pub(crate) fn of(p: &Population, c: usize, topic: u32, t: i64, lambda: f64) -> TopicActivity {
        let w = |at: i64| (-lambda * (t - at) as f64).exp();
        let mut a = TopicActivity::default();
        let seen = |a: &mut TopicActivity, at: i64| {
            a.last = Some(a.last.map_or(at, |l| l.max(at)));
        };

        let cols = &p.interactions;
        let rows = cols.groups.range(c);
        let upto = rows.start + cols.at[rows.clone()].partition_point(|&at| at <= t);
        for r in rows.start..upto {
            if cols.topic[r] == topic && !cols.kind[r].is_company_initiated() {
                a.raw += INTERACTION_WEIGHT * w(cols.at[r]);
                a.interactions += 1;
                seen(&mut a, cols.at[r]);
            }
        }

        let ideas = &p.ideas;
        let rows = ideas.groups.range(c);
        let upto = rows.start + ideas.submitted_at[rows.clone()].partition_point(|&at| at <= t);
        for r in rows.start..upto {
            if ideas.topic[r] == topic {
                a.raw += IDEA_WEIGHT * w(ideas.submitted_at[r]);
                a.ideas += 1;
                seen(&mut a, ideas.submitted_at[r]);
            }
        }

        let parts = &p.participations;
        for r in parts.groups.range(c) {
            let s = parts.session[r] as usize;
            let held_at = p.sessions.held_at[s];
            if held_at > t {
                break; // sorted by the session's time
            }
            if parts.attended[r] && p.sessions.topic[s] == topic {
                let contributions = f64::from(parts.contributions[r]);
                a.raw += (SESSION_WEIGHT + contributions.ln_1p()) * w(held_at);
                a.sessions += 1;
                seen(&mut a, held_at);
            }
        }
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevance_is_zero_without_mentions_and_ranks_among_those_who_raised_the_topic() {
        let r = TopicRelevance::from_raw(TopicId(0), vec![0.0, 3.0, 1.0, 0.0, 1.0]);
        assert_eq!(r.mentioners(), 3);
        assert_eq!(r.values(), &[0.0, 1.0, 0.5, 0.0, 0.5]);
    }
}

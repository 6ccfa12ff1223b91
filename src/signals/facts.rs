//! What one customer did up to the as-of time: one sweep over their events.

use super::{Signal, SignalParams, TopicCurves};
use crate::population::{NOT_A_MENTION, UNDATED};
use crate::{Channel, IdeaStatus, InteractionKind, Population};

const KINDS: usize = 16;
const CHANNELS: usize = 11;
/// Never: the "last time" of something that did not happen.
const NEVER: i64 = i64::MIN;

/// A topic the customer raised early, and how much it earned them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EarlyTopic {
    pub topic: u32,
    /// `g_k Σ (1 - 2q)` over the customer's early mentions of the topic.
    pub credit: f64,
    /// The customer's first mention of the topic.
    pub first_at: i64,
}

/// The counts and sums of one customer's events as of `T` that the signals are made of.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Facts {
    /// Decayed count per interaction kind.
    pub kind_w: [f64; KINDS],
    /// Count per interaction kind.
    pub kind_n: [u32; KINDS],
    /// Interactions other than outreach within the last half-life.
    pub recent_n: u32,
    pub last_active: i64,
    pub channel_last: [i64; CHANNELS],
    pub kind_last: [i64; KINDS],
    pub ideas_w: f64,
    pub ideas_n: u32,
    pub decided: u32,
    pub succeeded: u32,
    pub shipped: u32,
    pub invited_w: f64,
    pub attended_w: f64,
    pub invited_n: u32,
    pub attended_n: u32,
    pub rating_sum: f64,
    pub rating_n: u32,
    pub contributions: u32,
    /// `Σ_k g_k Σ (1 - 2q)`: the ahead-of-trend credit before `ln(1 + ·)`.
    pub ahead: f64,
    pub best_topic: Option<EarlyTopic>,
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

impl Facts {
    fn empty() -> Facts {
        Facts {
            kind_w: [0.0; KINDS],
            kind_n: [0; KINDS],
            recent_n: 0,
            last_active: NEVER,
            channel_last: [NEVER; CHANNELS],
            kind_last: [NEVER; KINDS],
            ideas_w: 0.0,
            ideas_n: 0,
            decided: 0,
            succeeded: 0,
            shipped: 0,
            invited_w: 0.0,
            attended_w: 0.0,
            invited_n: 0,
            attended_n: 0,
            rating_sum: 0.0,
            rating_n: 0,
            contributions: 0,
            ahead: 0.0,
            best_topic: None,
        }
    }

    /// Sweeps customer `c`'s events at or before `t`. `early` is scratch space for the topics
    /// the customer raised early (reused between customers to avoid allocating).
    pub(crate) fn gather(
        population: &Population,
        c: usize,
        t: i64,
        params: &SignalParams,
        curves: &TopicCurves,
        early: &mut Vec<EarlyTopic>,
    ) -> Facts {
        let lambda = params.decay_rate();
        let decay = |at: i64| (-lambda * (t - at) as f64).exp();
        let recent_from = t - (params.half_life_days * crate::time::SECONDS_PER_DAY as f64) as i64;
        let mut f = Facts::empty();
        early.clear();

        let cols = &population.interactions;
        let rows = cols.groups.range(c);
        let end = rows.start + cols.at[rows.clone()].partition_point(|&at| at <= t);
        for r in rows.start..end {
            let (at, kind) = (cols.at[r], cols.kind[r]);
            let k = kind.index();
            f.kind_w[k] += decay(at);
            f.kind_n[k] += 1;
            if kind.is_company_initiated() {
                continue;
            }
            // Rows are in time order, so the last one seen is the latest.
            f.last_active = at;
            f.kind_last[k] = at;
            f.channel_last[cols.channel[r].index()] = at;
            f.recent_n += u32::from(at > recent_from);
            credit_mention(curves, cols.topic[r], cols.topic_rank[r], at, early);
        }

        let ideas = &population.ideas;
        let rows = ideas.groups.range(c);
        let end = rows.start + ideas.submitted_at[rows.clone()].partition_point(|&at| at <= t);
        for r in rows.start..end {
            f.ideas_w += decay(ideas.submitted_at[r]);
            f.ideas_n += 1;
            let known_at = match ideas.decided_at[r] {
                UNDATED => population.latest,
                at => at,
            };
            let status = ideas.status[r];
            if known_at <= t && status.is_decided() {
                f.decided += 1;
                f.succeeded += u32::from(status.is_success());
                f.shipped += u32::from(status == IdeaStatus::Shipped);
            }
            credit_mention(
                curves,
                ideas.topic[r],
                ideas.topic_rank[r],
                ideas.submitted_at[r],
                early,
            );
        }

        let parts = &population.participations;
        let held = &population.sessions.held_at;
        for r in parts.groups.range(c) {
            let at = held[parts.session[r] as usize];
            if at > t {
                break; // sorted by the sessions' times
            }
            let w = decay(at);
            if parts.invited[r] {
                f.invited_w += w;
                f.invited_n += 1;
            }
            if parts.attended[r] {
                f.attended_w += w;
                f.attended_n += 1;
                f.contributions += parts.contributions[r];
                if let Some(rating) = parts.rating[r] {
                    f.rating_sum += rating;
                    f.rating_n += 1;
                }
            }
        }

        for e in early.iter_mut() {
            e.credit *= curves.growth[e.topic as usize];
            f.ahead += e.credit;
        }
        f.best_topic = early
            .iter()
            .copied()
            .filter(|e| e.credit > 0.0)
            .max_by(|a, b| a.credit.total_cmp(&b.credit).then(b.topic.cmp(&a.topic)));
        f
    }

    /// The sums the rate signals are made of.
    pub(crate) fn components(&self) -> Components {
        Components {
            responses_w: self.kind_w[InteractionKind::Response.index()],
            outreach_w: self.kind_w[InteractionKind::Outreach.index()],
            attended_w: self.attended_w,
            invited_w: self.invited_w,
            succeeded: f64::from(self.succeeded),
            decided: f64::from(self.decided),
            rating_sum: self.rating_sum,
            rating_n: f64::from(self.rating_n),
            contributions: f64::from(self.contributions),
            attended_n: f64::from(self.attended_n),
        }
    }

    fn w(&self, kind: InteractionKind) -> f64 {
        self.kind_w[kind.index()]
    }

    /// The value of a signal that needs nothing from the rest of the population; `None` for the
    /// shrunk signals, which do (see [`Context::value`](super::Context::value)).
    pub(crate) fn own_value(&self, signal: Signal, t: i64, lambda: f64) -> Option<f64> {
        use InteractionKind as K;
        let decay = |at: i64| {
            if at == NEVER {
                0.0
            } else {
                (-lambda * (t - at) as f64).exp()
            }
        };
        let own_activity = || self.kind_w.iter().sum::<f64>() - self.w(K::Outreach);
        Some(match signal {
            Signal::Recency => decay(self.last_active),
            Signal::Activity => own_activity().max(0.0).ln_1p(),
            Signal::Breadth => {
                let channels: f64 = self.channel_last.iter().map(|&at| decay(at)).sum();
                let kinds: f64 = InteractionKind::ALL
                    .iter()
                    .filter(|k| !k.is_company_initiated())
                    .map(|k| decay(self.kind_last[k.index()]))
                    .sum();
                (channels / Channel::ALL.len() as f64 + kinds / (KINDS - 1) as f64) / 2.0
            }
            Signal::Ideas => self.ideas_w.ln_1p(),
            Signal::Workarounds => self.w(K::Workaround).ln_1p(),
            Signal::EarlyAdoption => (self.w(K::BetaJoin) + self.w(K::EarlyAdoption)).ln_1p(),
            Signal::AheadOfTrend => self.ahead.ln_1p(),
            Signal::Sharing => (self.w(K::Answer) + self.w(K::Referral)).ln_1p(),
            Signal::UsageIntensity => self.w(K::Usage).ln_1p(),
            Signal::PurchaseVolume => self.w(K::Purchase),
            Signal::Complaints => self.w(K::Complaint),
            Signal::SocialMentions => self.w(K::SocialMention),
            Signal::MessageVolume => {
                f64::from(self.kind_n.iter().sum::<u32>() - self.kind_n[K::Outreach.index()])
            }
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

/// Credits a mention raised before the crowd's median on a growing topic.
#[inline]
fn credit_mention(
    curves: &TopicCurves,
    topic: u32,
    rank: u32,
    at: i64,
    early: &mut Vec<EarlyTopic>,
) {
    if rank == NOT_A_MENTION {
        return;
    }
    let k = topic as usize;
    let n = curves.mentions[k];
    if curves.growth[k] <= 0.0 || 2 * u64::from(rank) >= u64::from(n) {
        return;
    }
    let credit = 1.0 - 2.0 * f64::from(rank) / f64::from(n);
    match early.iter_mut().find(|e| e.topic == topic) {
        Some(e) => e.credit += credit,
        None => early.push(EarlyTopic {
            topic,
            credit,
            first_at: at,
        }),
    }
}

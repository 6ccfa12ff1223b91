//! What one customer did up to the as-of time, counted for the sentences that explain a score.

use super::SignalParams;
use super::context::Context;
use super::tally::{AsOf, CHANNELS, Clock, EarlyTopic, KINDS, Tally};
use crate::population::UNDATED;
use crate::{IdeaStatus, Population};

/// One customer as of `T`: their [`Tally`] (what the signals are made of) and the plain counts
/// that reasons quote ("3 of 4 decided ideas shipped", "12 interactions in the last 180 days").
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Facts {
    /// The customer's tally advanced to `T`.
    pub tally: Tally,
    pub clock: Clock,
    /// Count per interaction kind.
    pub kind_n: [u32; KINDS],
    /// Interactions other than outreach within the last half-life.
    pub recent_n: u32,
    /// The latest interaction other than outreach.
    pub last_active: Option<i64>,
    /// Channels and kinds of interaction (outreach excluded) used at least once.
    pub channels_used: u32,
    pub kinds_used: u32,
    pub ideas_n: u32,
    pub decided: u32,
    pub succeeded: u32,
    pub shipped: u32,
    pub invited_n: u32,
    pub attended_n: u32,
    pub rating_sum: f64,
    pub rating_n: u32,
    pub contributions: u64,
    pub best_topic: Option<EarlyTopic>,
}

impl Facts {
    /// Customer `c`'s events at or before the context's time, against its topic curves.
    pub(crate) fn gather(
        population: &Population,
        c: usize,
        params: &SignalParams,
        context: &Context,
    ) -> Facts {
        let (t, clock, curves) = (context.t, context.clock, &context.curves);
        let mut tally = Tally::default();
        tally.advance(
            population,
            c,
            &AsOf {
                clock,
                decay: &context.decay,
                curves,
                horizon: &curves.mentions,
                latest: population.latest,
            },
        );
        let (decided, succeeded) = tally.decisions();
        let recent_from =
            t.saturating_sub((params.half_life_days * crate::time::SECONDS_PER_DAY as f64) as i64);
        let mut f = Facts {
            best_topic: tally.best_topic(curves),
            tally,
            clock,
            kind_n: [0; KINDS],
            recent_n: 0,
            last_active: None,
            channels_used: 0,
            kinds_used: 0,
            ideas_n: 0,
            decided,
            succeeded,
            shipped: 0,
            invited_n: 0,
            attended_n: 0,
            rating_sum: 0.0,
            rating_n: 0,
            contributions: 0,
        };

        let cols = &population.interactions;
        let rows = cols.groups.range(c);
        let end = rows.start + cols.at[rows.clone()].partition_point(|&at| at <= t);
        let (mut channels, mut kinds) = ([false; CHANNELS], [false; KINDS]);
        for r in rows.start..end {
            let (at, kind) = (cols.at[r], cols.kind[r]);
            f.kind_n[kind.index()] += 1;
            if kind.is_company_initiated() {
                continue;
            }
            f.last_active = Some(at);
            f.recent_n += u32::from(at > recent_from);
            channels[cols.channel[r].index()] = true;
            kinds[kind.index()] = true;
        }
        f.channels_used = channels.iter().filter(|&&used| used).count() as u32;
        f.kinds_used = kinds.iter().filter(|&&used| used).count() as u32;

        let ideas = &population.ideas;
        let rows = ideas.groups.range(c);
        let end = rows.start + ideas.submitted_at[rows.clone()].partition_point(|&at| at <= t);
        for r in rows.start..end {
            f.ideas_n += 1;
            let known_at = match ideas.decided_at[r] {
                UNDATED => population.latest,
                at => at,
            };
            f.shipped += u32::from(known_at <= t && ideas.status[r] == IdeaStatus::Shipped);
        }

        let parts = &population.participations;
        let held = &population.sessions.held_at;
        for r in parts.groups.range(c) {
            if held[parts.session[r] as usize] > t {
                break; // sorted by the sessions' times
            }
            f.invited_n += u32::from(parts.invited[r]);
            if parts.attended[r] {
                f.attended_n += 1;
                f.contributions += u64::from(parts.contributions[r]);
                if let Some(rating) = parts.rating[r] {
                    f.rating_sum += rating;
                    f.rating_n += 1;
                }
            }
        }
        f
    }
}

//! Reasons: the signals that lift a customer's score, in words a product manager reads.

use std::fmt;

use serde::Serialize;

use super::SignalScore;
use crate::signals::{Context, Facts};
use crate::time::SECONDS_PER_DAY;
use crate::{InteractionKind, Population, Signal};

/// At most this many reasons are given.
const MAX_REASONS: usize = 3;

/// A reason behind a score: one signal that lifts it, said in a sentence.
///
/// ```
/// # use lead_customers::synthetic::{Generator, GeneratorConfig};
/// # use lead_customers::ScoringModel;
/// # let base = Generator::new(GeneratorConfig { customers: 400, ..Default::default() }).generate()?;
/// let scores = ScoringModel::default().score_latest(&base.population)?;
/// let best = scores.score(scores.top(1)[0].customer);
/// for reason in best.reasons() {
///     println!("{reason}"); // for example "3 of 4 decided ideas shipped"
/// }
/// assert!(!best.reasons().is_empty());
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// The signal.
    pub signal: Signal,
    /// The sentence.
    pub text: String,
    /// The signal's impact on the lead score (see [`SignalScore::impact`]).
    pub impact: f64,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The signals with the largest positive impact that have something to say.
pub(crate) fn reasons(
    signals: &[SignalScore],
    facts: &Facts,
    context: &Context,
    population: &Population,
) -> Vec<Reason> {
    let mut lifting: Vec<&SignalScore> = signals.iter().filter(|s| s.impact > 0.0).collect();
    lifting.sort_by(|a, b| b.impact.total_cmp(&a.impact).then(a.signal.cmp(&b.signal)));
    lifting
        .into_iter()
        .filter_map(|s| {
            let raw = s.raw?;
            sentence(s.signal, raw, facts, context, population).map(|text| Reason {
                signal: s.signal,
                text,
                impact: s.impact,
            })
        })
        .take(MAX_REASONS)
        .collect()
}

fn count(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A duration in the largest unit that reads well.
fn span(seconds: i64) -> String {
    let days = seconds / SECONDS_PER_DAY;
    match days {
        ..=0 => "less than a day".to_owned(),
        1..=13 => count(days as u32, "day", "days"),
        14..=60 => count((days / 7) as u32, "week", "weeks"),
        _ => count((days as f64 / 30.44).round() as u32, "month", "months"),
    }
}

fn sentence(
    signal: Signal,
    raw: f64,
    f: &Facts,
    context: &Context,
    population: &Population,
) -> Option<String> {
    use InteractionKind as K;
    let n = |kind: K| f.kind_n[kind.index()];
    let some = |text: String| Some(text);
    match signal {
        Signal::Recency => f.last_active.map(|at| match context.t - at {
            age if age < SECONDS_PER_DAY => "active in the last day".to_owned(),
            age => format!("last active {} ago", span(age)),
        }),
        Signal::Activity => (f.recent_n > 0).then(|| {
            let window =
                (1.0 / context.lambda * std::f64::consts::LN_2 / SECONDS_PER_DAY as f64).round();
            format!(
                "{} in the last {window} days",
                count(f.recent_n, "interaction", "interactions")
            )
        }),
        Signal::Breadth => {
            let (channels, kinds) = (f.channels_used, f.kinds_used);
            (channels > 0).then(|| {
                format!(
                    "uses {} and {} of interaction",
                    count(channels, "channel", "channels"),
                    count(kinds, "kind", "kinds")
                )
            })
        }
        Signal::Dialogue => (n(K::Outreach) > 0).then(|| {
            format!(
                "answered {} of {} surveys and invitations",
                n(K::Response).min(n(K::Outreach)),
                n(K::Outreach)
            )
        }),
        Signal::Attendance => (f.invited_n > 0).then(|| {
            format!(
                "attended {} of {} co-design sessions invited to",
                f.attended_n, f.invited_n
            )
        }),
        Signal::Ideas => {
            (f.ideas_n > 0).then(|| format!("submitted {}", count(f.ideas_n, "idea", "ideas")))
        }
        Signal::IdeaQuality => (f.decided > 0).then(|| {
            let outcome = if f.shipped == f.succeeded {
                "shipped"
            } else if f.shipped == 0 {
                "accepted"
            } else {
                "accepted or shipped"
            };
            format!("{} of {} decided ideas {outcome}", f.succeeded, f.decided)
        }),
        Signal::Workarounds => (n(K::Workaround) > 0).then(|| {
            format!(
                "reported {}",
                count(n(K::Workaround), "workaround", "workarounds")
            )
        }),
        Signal::EarlyAdoption => match (n(K::BetaJoin), n(K::EarlyAdoption)) {
            (0, 0) => None,
            (b, 0) => some(format!("joined {}", count(b, "beta", "betas"))),
            (0, e) => some(format!("adopted {} early", count(e, "release", "releases"))),
            (b, e) => some(format!(
                "joined {} and adopted {} early",
                count(b, "beta", "betas"),
                count(e, "release", "releases")
            )),
        },
        // The best topic raised before its median mention (see `Tally::best_topic`).
        Signal::AheadOfTrend => f.best_topic.map(|e| {
            let topic = &population.topics[e.topic as usize];
            let lead = context.curves.median_at[e.topic as usize] - e.first_at;
            format!("raised '{topic}' {} before most customers", span(lead))
        }),
        Signal::SessionRating => (f.rating_n > 0).then(|| {
            format!(
                "rated {:.1} of 5 by facilitators over {}",
                f.rating_sum / f64::from(f.rating_n),
                count(f.rating_n, "session", "sessions")
            )
        }),
        Signal::SessionContributions => (f.attended_n > 0).then(|| {
            let per = f.contributions as f64 / f64::from(f.attended_n);
            format!("{per:.1} contributions per co-design session attended")
        }),
        Signal::Sharing => match (n(K::Answer), n(K::Referral)) {
            (0, 0) => None,
            (a, 0) => some(format!(
                "answered {} from other customers",
                count(a, "question", "questions")
            )),
            (0, r) => some(format!("referred {}", count(r, "customer", "customers"))),
            (a, r) => some(format!(
                "answered {} from other customers and referred {r}",
                count(a, "question", "questions")
            )),
        },
        Signal::UsageIntensity => (n(K::Usage) > 0)
            .then(|| format!("used the product {}", count(n(K::Usage), "time", "times"))),
        Signal::PurchaseVolume
        | Signal::Complaints
        | Signal::SocialMentions
        | Signal::MessageVolume => None,
        Signal::LeadUserness => Some(format!(
            "says they are a lead user: {:.0}% on the questionnaire",
            100.0 * raw
        )),
        Signal::SurveyAheadOfTrend => Some(format!(
            "says they are ahead of the trend: {:.0}% on the questionnaire",
            100.0 * raw
        )),
        Signal::SurveyExpectedBenefit => Some(format!(
            "expects a high benefit: {:.0}% on the questionnaire",
            100.0 * raw
        )),
        Signal::ProbabilityAlive => (raw > 0.0).then(|| {
            format!(
                "{:.0}% likely still active (buy-till-you-die model)",
                100.0 * raw
            )
        }),
        Signal::ExpectedActivity => (raw > 0.0).then(|| {
            format!(
                "expected to be active in {:.1} more periods soon (buy-till-you-die model)",
                raw.exp_m1()
            )
        }),
    }
}

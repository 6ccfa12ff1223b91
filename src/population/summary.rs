//! A first look at a population: counts per kind, channel, status.

use std::fmt;

use jiff::Timestamp;
use serde::Serialize;

use super::Population;
use crate::{Channel, IdeaStatus, InteractionKind, Relationship};

/// Counts of a population's records: what a user checks first after loading their data.
///
/// ```
/// use lead_customers::synthetic::{Generator, GeneratorConfig};
/// let base = Generator::new(GeneratorConfig { customers: 200, ..Default::default() }).generate()?;
/// let summary = base.population.summary();
/// assert_eq!(summary.customers + summary.prospects, 200);
/// assert_eq!(summary.interactions_by_kind.iter().map(|(_, n)| n).sum::<usize>(), summary.interactions);
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PopulationSummary {
    /// Current customers.
    pub customers: usize,
    /// Prospects (non-customer lead users).
    pub prospects: usize,
    /// Interactions in all.
    pub interactions: usize,
    /// Interactions per kind, every kind listed.
    pub interactions_by_kind: Vec<(InteractionKind, usize)>,
    /// Interactions per channel, every channel listed.
    pub interactions_by_channel: Vec<(Channel, usize)>,
    /// Ideas in all.
    pub ideas: usize,
    /// Ideas per status, every status listed.
    pub ideas_by_status: Vec<(IdeaStatus, usize)>,
    /// Co-design sessions.
    pub sessions: usize,
    /// Participations in sessions (invitations).
    pub participations: usize,
    /// Distinct topics.
    pub topics: usize,
    /// Distinct segments.
    pub segments: usize,
    /// The earliest event.
    pub earliest: Option<Timestamp>,
    /// The latest event.
    pub latest: Option<Timestamp>,
}

impl PopulationSummary {
    pub(crate) fn of(population: &Population) -> PopulationSummary {
        let mut by_kind = vec![0usize; InteractionKind::ALL.len()];
        for kind in &population.interactions.kind {
            by_kind[kind.index()] += 1;
        }
        let mut by_channel = vec![0usize; Channel::ALL.len()];
        for channel in &population.interactions.channel {
            by_channel[channel.index()] += 1;
        }
        let mut by_status = vec![0usize; IdeaStatus::ALL.len()];
        for status in &population.ideas.status {
            by_status[status.index()] += 1;
        }
        let prospects = population
            .relationship
            .iter()
            .filter(|&&r| r == Relationship::Prospect)
            .count();
        PopulationSummary {
            customers: population.len() - prospects,
            prospects,
            interactions: population.interaction_count(),
            interactions_by_kind: InteractionKind::ALL
                .iter()
                .map(|&k| (k, by_kind[k.index()]))
                .collect(),
            interactions_by_channel: Channel::ALL
                .iter()
                .map(|&c| (c, by_channel[c.index()]))
                .collect(),
            ideas: population.idea_count(),
            ideas_by_status: IdeaStatus::ALL
                .iter()
                .map(|&s| (s, by_status[s.index()]))
                .collect(),
            sessions: population.session_count(),
            participations: population.participation_count(),
            topics: population.topics.len(),
            segments: population.segment_names.len(),
            earliest: population.earliest(),
            latest: population.latest(),
        }
    }
}

impl fmt::Display for PopulationSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "customers      {:>12}", self.customers)?;
        writeln!(f, "prospects      {:>12}", self.prospects)?;
        writeln!(f, "segments       {:>12}", self.segments)?;
        writeln!(f, "topics         {:>12}", self.topics)?;
        match (self.earliest, self.latest) {
            (Some(a), Some(b)) => writeln!(f, "time span      {} .. {}", a, b)?,
            _ => writeln!(f, "time span      (no events)")?,
        }
        writeln!(f, "interactions   {:>12}", self.interactions)?;
        for (kind, n) in &self.interactions_by_kind {
            writeln!(f, "  {:<20} {:>10}", kind.as_str(), n)?;
        }
        writeln!(f, "  by channel:")?;
        for (channel, n) in &self.interactions_by_channel {
            writeln!(f, "  {:<20} {:>10}", channel.as_str(), n)?;
        }
        writeln!(f, "ideas          {:>12}", self.ideas)?;
        for (status, n) in &self.ideas_by_status {
            writeln!(f, "  {:<20} {:>10}", status.as_str(), n)?;
        }
        writeln!(f, "sessions       {:>12}", self.sessions)?;
        write!(f, "participations {:>12}", self.participations)
    }
}

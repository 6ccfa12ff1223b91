//! Find the lead customers worth building the future with.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod btyd;
pub mod cohort;
#[cfg(feature = "csv")]
mod csv_folder;
mod customer;
mod error;
pub mod evidence;
mod idea;
mod ids;
mod interaction;
mod normalize;
mod parallel;
pub mod population;
mod record;
mod scoring;
mod segment;
mod session;
mod signals;
pub mod synthetic;
pub mod time;

pub use cohort::{
    Cohort, CohortPlanner, CohortRequest, CohortSummary, Constraint, Member, Screening,
    TopicRelevance, plan_cohort,
};
#[cfg(feature = "csv")]
pub use csv_folder::{read_csv_folder, write_csv_folder};
pub use customer::{Customer, Relationship};
pub use error::{Error, ErrorKind, Location, Problem, Result, Table};
pub use idea::{Idea, IdeaStatus};
pub use ids::{CustomerId, IdeaId, SessionId};
pub use interaction::{Channel, Interaction, InteractionKind};
pub use normalize::{Normalization, Scale};
pub use population::{CustomerIndex, Population, PopulationBuilder, TopicId};
pub use record::UnknownName;
pub use scoring::{
    Combination, Dimension, DimensionScore, Direction, ENGAGEMENT, INNOVATION, NEED, Ranked,
    RankedScore, Reason, Score, Scores, ScoringModel, SignalScore, WeightedSignal,
};
pub use segment::{Cutoff, Segment, SegmentRules};
pub use session::{CoDesignSession, Participation};
pub use signals::{BetaPrior, Signal, SignalFamily, SignalParams, SignalTable};

//! Find the lead customers worth building the future with.
//!
//! Hidden in a company's support tickets, ideas, forum posts, surveys, purchases and co-design
//! workshops is a small group, often 2 to 10%, of **lead customers**: people who meet tomorrow's
//! needs today, build their own workarounds, share them, and care about the outcome. They are not
//! the loudest, the biggest or the most profitable customers. This crate finds them.
//!
//! # The story in code
//!
//! Records become a validated [`Population`]; a [`ScoringModel`] turns it into signals as of a
//! time, normalized, weighed into engagement and innovation, combined into a lead score with
//! reasons; the [`Scores`] rank customers and put each in a [`Segment`].
//!
//! ```
//! use lead_customers::{Channel, Customer, Idea, IdeaStatus, Interaction, InteractionKind};
//! use lead_customers::{Population, ScoringModel};
//! use lead_customers::time::parse_timestamp;
//!
//! let t = |s| parse_timestamp(s).unwrap();
//! let mut records = Population::builder();
//! for id in ["ada", "bob", "cyd"] {
//!     records.add_customer(Customer::new(id))?;
//! }
//! records.add_interaction(Interaction::new("ada", t("2024-03-20"), Channel::Community, InteractionKind::Workaround).with_topic("offline sync"))?;
//! records.add_interaction(Interaction::new("bob", t("2024-03-02"), Channel::Support, InteractionKind::Complaint))?;
//! records.add_interaction(Interaction::new("cyd", t("2024-03-03"), Channel::Sales, InteractionKind::Purchase))?;
//! records.add_idea(Idea::new("I1", "ada", t("2024-01-10")).with_topic("offline sync")
//!     .with_status(IdeaStatus::Shipped, Some(t("2024-02-20"))))?;
//! let population = records.build()?;
//!
//! let scores = ScoringModel::default().score(&population, t("2024-04-01"))?;
//! let best = scores.top(1)[0];
//! assert_eq!(population.customer_id(best.customer).as_str(), "ada");
//! println!("{}", scores.score(best.customer)); // the breakdown, with reasons
//! # Ok::<(), lead_customers::Error>(())
//! ```
//!
//! # Map
//!
//! - Records: [`Customer`], [`Interaction`] (with [`Channel`] and [`InteractionKind`]), [`Idea`]
//!   (with [`IdeaStatus`]), [`CoDesignSession`] and [`Participation`]; ids are newtypes
//!   ([`CustomerId`], [`IdeaId`], [`SessionId`]).
//! - [`population`]: the validated, columnar customer base ([`Population`], built by a
//!   [`PopulationBuilder`] or [`read_csv_folder`]), and [`write_csv_folder`].
//! - Signals: [`Signal`] (each variant documents its formula), [`SignalParams`], [`SignalTable`],
//!   [`BetaPrior`] for empirical-Bayes shrinkage.
//! - Normalization: [`Normalization`] and [`Scale`].
//! - Scoring: [`ScoringModel`], [`Scores`], [`Score`] with [`Reason`]s, rankings ([`Ranked`],
//!   [`RankedScore`]) and [`Segment`]s ([`SegmentRules`]).
//! - Scores over time: [`ScoringModel::score_history`] scores many dates in one pass over the
//!   events ([`ScoreHistory`], [`CustomerHistory`]) and flags the customers whose score climbed
//!   the most ([`Rising`]); [`time::monthly_dates`] makes the dates.
//! - [`btyd`]: the BG/NBD "buy till you die" model (is a customer still alive?).
//! - [`evidence`]: questionnaires (lead-userness, Cronbach's alpha), ranking metrics, logistic
//!   regression for learning weights from outcomes.
//! - [`synthetic`]: a seeded synthetic customer base with planted lead customers and the truth.
//! - [`time`]: parsing the accepted time formats.
//!
//! Errors are one type, [`Error`], whose [`kind`](Error::kind) callers match on; errors about
//! input name the record ([`Location`]: file and line, or position), the field and the value.
//!
//! Features: `csv` (the CSV folder format) and `parallel` (rayon; identical results without it),
//! both on by default.
#![forbid(unsafe_code)]
// Without the `csv` feature, the fast paths the CSV reader uses (batches, byte parsing) go unused.
#![cfg_attr(not(feature = "csv"), allow(dead_code))]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod btyd;
pub mod cohort;
#[cfg(feature = "csv")]
pub(crate) mod csv_folder;
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
#[cfg(all(test, feature = "csv"))]
mod test_files;
pub mod time;

pub use cohort::{
    Cohort, CohortPlanner, CohortRequest, CohortSummary, Constraint, Member, Screening,
    TopicRelevance, plan_cohort,
};
#[cfg(feature = "csv")]
pub use csv_folder::{
    LoadProgress, read_csv_folder, read_csv_folder_with_progress, write_csv_folder,
};
pub use customer::{Customer, Relationship};
pub use error::{Error, ErrorKind, Location, Problem, Result, Table};
pub use idea::{Idea, IdeaStatus};
pub use ids::{CustomerId, IdeaId, SessionId};
pub use interaction::{Channel, Interaction, InteractionKind};
pub use normalize::{Normalization, Scale};
pub use population::{CustomerIndex, Population, PopulationBuilder, Records, TopicId};
pub use record::UnknownName;
pub use scoring::{
    Combination, CustomerHistory, Dimension, DimensionHistory, DimensionScore, Direction,
    ENGAGEMENT, INNOVATION, NEED, Ranked, RankedScore, Reason, Rising, RisingCustomer, Score,
    ScoreHistory, Scores, ScoringModel, SignalScore, WeightedSignal,
};
pub use segment::{Cutoff, Segment, SegmentRules};
pub use session::{CoDesignSession, Participation};
pub use signals::{
    AliveSignalParams, BetaPrior, MAX_HORIZON_DAYS, MAX_PRIOR_STRENGTH, Signal, SignalFamily,
    SignalParams, SignalTable,
};

/// The README's usage example, compiled and run as a doc-test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

//! Find the lead customers worth building the future with.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "csv")]
mod csv_folder;
mod customer;
mod error;
mod idea;
mod ids;
mod interaction;
pub mod population;
mod record;
mod session;
pub mod synthetic;
pub mod time;

#[cfg(feature = "csv")]
pub use csv_folder::{read_csv_folder, write_csv_folder};
pub use customer::{Customer, Relationship};
pub use error::{Error, ErrorKind, Location, Problem, Result, Table};
pub use idea::{Idea, IdeaStatus};
pub use ids::{CustomerId, IdeaId, SessionId};
pub use interaction::{Channel, Interaction, InteractionKind};
pub use population::{CustomerIndex, Population, PopulationBuilder, TopicId};
pub use record::UnknownName;
pub use session::{CoDesignSession, Participation};

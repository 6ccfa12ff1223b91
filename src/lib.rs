//! Find the lead customers worth building the future with.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod btyd;
mod error;
mod ids;
pub mod time;

pub use error::{Error, ErrorKind, Location, Problem, Result, Table};
pub use ids::{CustomerId, IdeaId, SessionId};

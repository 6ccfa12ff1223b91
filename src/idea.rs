//! Ideas and feature requests from the idea portal.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::record::named_enum;
use crate::{CustomerId, IdeaId};

named_enum! {
    /// Where an idea stands. `Accepted` and `Shipped` count as successes and `Declined` as a
    /// failure when idea quality is measured; `Open` and `UnderReview` are undecided, and a
    /// `Duplicate` is neither (the idea was merged into another one).
    ///
    /// ```
    /// use lead_customers::IdeaStatus;
    /// assert!(IdeaStatus::Shipped.is_success());
    /// assert!(IdeaStatus::Declined.is_decided() && !IdeaStatus::Declined.is_success());
    /// assert!(!IdeaStatus::Duplicate.is_decided());
    /// ```
    pub enum IdeaStatus {
        /// Submitted, not yet looked at.
        Open = "open",
        /// Being considered.
        UnderReview = "under_review",
        /// Accepted for the roadmap.
        Accepted = "accepted",
        /// Built and released.
        Shipped = "shipped",
        /// Turned down.
        Declined = "declined",
        /// Merged into another idea.
        Duplicate = "duplicate",
    }
}

impl IdeaStatus {
    /// Accepted or shipped: the idea was good enough to build.
    pub fn is_success(self) -> bool {
        matches!(self, IdeaStatus::Accepted | IdeaStatus::Shipped)
    }

    /// Accepted, shipped or declined: a decision on the idea's merit was made.
    pub fn is_decided(self) -> bool {
        matches!(
            self,
            IdeaStatus::Accepted | IdeaStatus::Shipped | IdeaStatus::Declined
        )
    }
}

/// An idea or feature request.
///
/// `decided_at` is when the *current* status was set. Scoring as of a time before it sees the
/// idea as undecided (as if it were still open), so that a back-test never learns a decision
/// before it was made. When `decided_at` is absent for an idea whose status is not `Open`, the
/// status is assumed to have become known only at the end of the data (the latest event in the
/// population): scoring as of the latest time sees it, scoring as of any earlier time does not.
/// This is the safe assumption: it can hide a decision that was in fact known, but it can never
/// leak one from the future.
///
/// ```
/// use lead_customers::{Idea, IdeaStatus};
/// let submitted = lead_customers::time::parse_timestamp("2024-01-10").unwrap();
/// let idea = Idea::new("I-1", "C-1", submitted).with_topic("offline sync")
///     .with_status(IdeaStatus::Shipped, None).with_votes(12);
/// assert_eq!(idea.votes, 12);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Idea {
    /// The idea's id.
    pub id: IdeaId,
    /// Who submitted it. JSON also takes the CSV column's name, `customer_id`.
    #[serde(alias = "customer_id")]
    pub author: CustomerId,
    /// When it was submitted.
    pub submitted_at: Timestamp,
    /// What it is about.
    pub topic: Option<String>,
    /// Where it stands now.
    pub status: IdeaStatus,
    /// Votes from other customers. Default (also when left out of JSON, as of CSV): 0.
    #[serde(default)]
    pub votes: u32,
    /// When the current status was set (see the type's documentation for when it is absent).
    pub decided_at: Option<Timestamp>,
}

impl Idea {
    /// An open idea with no topic and no votes.
    pub fn new(
        id: impl Into<IdeaId>,
        author: impl Into<CustomerId>,
        submitted_at: Timestamp,
    ) -> Self {
        Idea {
            id: id.into(),
            author: author.into(),
            submitted_at,
            topic: None,
            status: IdeaStatus::Open,
            votes: 0,
            decided_at: None,
        }
    }

    /// Sets the topic.
    #[must_use = "it returns the value with the change, which is lost if unused"]
    pub fn with_topic(mut self, topic: impl Into<String>) -> Self {
        self.topic = Some(topic.into());
        self
    }

    /// Sets the status and when it was set.
    #[must_use = "it returns the value with the change, which is lost if unused"]
    pub fn with_status(mut self, status: IdeaStatus, decided_at: Option<Timestamp>) -> Self {
        self.status = status;
        self.decided_at = decided_at;
        self
    }

    /// Sets the votes.
    #[must_use = "it returns the value with the change, which is lost if unused"]
    pub fn with_votes(mut self, votes: u32) -> Self {
        self.votes = votes;
        self
    }
}

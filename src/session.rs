//! Co-design sessions and who took part in them.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{CustomerId, SessionId};

/// A co-design session (a customer scenario mapping workshop, an advisory board, a beta council)
/// on one topic.
///
/// ```
/// use lead_customers::CoDesignSession;
/// let s = CoDesignSession::new("S-1", "2024-06-01T09:00:00Z".parse().unwrap())
///     .with_topic("offline sync").with_title("Offline-first workshop");
/// assert_eq!(s.topic.as_deref(), Some("offline sync"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoDesignSession {
    /// The session's id.
    pub id: SessionId,
    /// When it was held.
    pub held_at: Timestamp,
    /// What it was about.
    pub topic: Option<String>,
    /// Its title.
    pub title: Option<String>,
}

impl CoDesignSession {
    /// A session with no topic and no title.
    pub fn new(id: impl Into<SessionId>, held_at: Timestamp) -> Self {
        CoDesignSession {
            id: id.into(),
            held_at,
            topic: None,
            title: None,
        }
    }

    /// Sets the topic.
    #[must_use = "it returns the value with the change, which is lost if unused"]
    pub fn with_topic(mut self, topic: impl Into<String>) -> Self {
        self.topic = Some(topic.into());
        self
    }

    /// Sets the title.
    #[must_use = "it returns the value with the change, which is lost if unused"]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}

/// One customer's part in one session: invited or not, attended or not, how much they
/// contributed, and the facilitator's rating of their contribution.
///
/// Valid combinations: attending requires an invitation; contributions and a rating require
/// attendance; a rating is 1.0 to 5.0. The [`PopulationBuilder`](crate::PopulationBuilder)
/// refuses anything else.
///
/// ```
/// use lead_customers::Participation;
/// let p = Participation::attended("S-1", "C-1", 4).with_rating(4.5);
/// assert!(p.invited && p.attended);
/// let declined = Participation::invited("S-1", "C-2");
/// assert!(declined.invited && !declined.attended);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participation {
    /// The session. JSON also takes the CSV column's name, `session_id`.
    #[serde(alias = "session_id")]
    pub session: SessionId,
    /// The customer. JSON also takes the CSV column's name, `customer_id`.
    #[serde(alias = "customer_id")]
    pub customer: CustomerId,
    /// Whether the customer was invited.
    pub invited: bool,
    /// Whether the customer attended.
    pub attended: bool,
    /// Number of contributions (ideas, sketches, comments) the customer made in the session.
    /// Default (also when left out of JSON, as of CSV): 0.
    #[serde(default)]
    pub contributions: u32,
    /// The facilitator's rating of the customer's contribution, 1.0 (poor) to 5.0 (outstanding).
    pub rating: Option<f64>,
}

impl Participation {
    /// An invitation that was not taken up.
    pub fn invited(session: impl Into<SessionId>, customer: impl Into<CustomerId>) -> Self {
        Participation {
            session: session.into(),
            customer: customer.into(),
            invited: true,
            attended: false,
            contributions: 0,
            rating: None,
        }
    }

    /// An invited customer who attended and made `contributions` contributions.
    pub fn attended(
        session: impl Into<SessionId>,
        customer: impl Into<CustomerId>,
        contributions: u32,
    ) -> Self {
        Participation {
            attended: true,
            contributions,
            ..Participation::invited(session, customer)
        }
    }

    /// Sets the facilitator's rating.
    #[must_use = "it returns the value with the change, which is lost if unused"]
    pub fn with_rating(mut self, rating: f64) -> Self {
        self.rating = Some(rating);
        self
    }
}

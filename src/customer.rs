//! Customers and prospects: who the population is made of.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::CustomerId;

/// Whether someone buys from the company today.
///
/// Lead-user research looks beyond the customer base: a *prospect* who is ahead of the trend is
/// as valuable in a co-design session as a customer, and often brings what customers lack.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    /// A current customer.
    #[default]
    Customer,
    /// A non-customer lead user: someone in the community or the idea portal who does not buy.
    Prospect,
}

impl Relationship {
    /// The name used in the interchange format: `customer` or `prospect`.
    ///
    /// ```
    /// use lead_customers::Relationship;
    /// assert_eq!(Relationship::Prospect.as_str(), "prospect");
    /// assert_eq!("customer".parse::<Relationship>(), Ok(Relationship::Customer));
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Customer => "customer",
            Relationship::Prospect => "prospect",
        }
    }
}

impl Relationship {
    /// Parses the interchange name from bytes (the CSV reader's fast path).
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        match bytes {
            b"customer" => Some(Relationship::Customer),
            b"prospect" => Some(Relationship::Prospect),
            _ => None,
        }
    }
}

impl std::str::FromStr for Relationship {
    type Err = crate::record::UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "customer" => Ok(Relationship::Customer),
            "prospect" => Ok(Relationship::Prospect),
            _ => Err(crate::record::UnknownName {
                expected: "customer prospect",
            }),
        }
    }
}

impl std::fmt::Display for Relationship {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A customer or prospect as the CRM knows them.
///
/// Only the id is required. The segment is free text (industry, size, region: whatever the user
/// groups customers by); cohort planning uses it to keep one kind of customer from dominating.
///
/// ```
/// use lead_customers::{Customer, Relationship};
/// let c = Customer::new("C-1").with_segment("retail").with_relationship(Relationship::Prospect);
/// assert_eq!(c.id.as_str(), "C-1");
/// assert_eq!(c.segment.as_deref(), Some("retail"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// The customer's id.
    pub id: CustomerId,
    /// A display name.
    pub name: Option<String>,
    /// A free-text segment (industry, size, region).
    pub segment: Option<String>,
    /// Customer or prospect. Default (also when left out of JSON, as of CSV): a customer.
    #[serde(default)]
    pub relationship: Relationship,
    /// The date the relationship began.
    pub since: Option<Date>,
}

impl Customer {
    /// A customer with only an id: no name, no segment, a current customer, no start date.
    pub fn new(id: impl Into<CustomerId>) -> Self {
        Customer {
            id: id.into(),
            name: None,
            segment: None,
            relationship: Relationship::Customer,
            since: None,
        }
    }

    /// Sets the display name.
    #[must_use = "it returns the value with the change, which is lost if unused"]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the segment.
    #[must_use = "it returns the value with the change, which is lost if unused"]
    pub fn with_segment(mut self, segment: impl Into<String>) -> Self {
        self.segment = Some(segment.into());
        self
    }

    /// Sets the relationship.
    #[must_use = "it returns the value with the change, which is lost if unused"]
    pub fn with_relationship(mut self, relationship: Relationship) -> Self {
        self.relationship = relationship;
        self
    }

    /// Sets the start date of the relationship.
    #[must_use = "it returns the value with the change, which is lost if unused"]
    pub fn with_since(mut self, since: Date) -> Self {
        self.since = Some(since);
        self
    }
}

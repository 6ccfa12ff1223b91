//! Identifiers: the ids users give their customers, ideas and sessions.
//!
//! An id is the text the user's systems use (a CRM key, a ticket id). Each kind of id is its own
//! type, so a customer id cannot be passed where a session id is expected. Inside a
//! [`Population`](crate::Population) customer ids are interned to dense indices
//! (`CustomerIndex`); the text is kept once, for output.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// The default is the empty id, which a [`PopulationBuilder`](crate::PopulationBuilder)
        /// refuses: a placeholder to fill in, not an id.
        #[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id's text, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // `pad`, not `write_str`: widths and alignment (`{:<14}`) apply, as to a `str`.
                f.pad(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        // Hash and Eq agree with `str`'s, so maps keyed by the id can be searched with a `&str`.
        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

id_type! {
    /// A customer's (or prospect's) id, as the user's CRM knows it.
    ///
    /// ```
    /// use lead_customers::CustomerId;
    /// let id = CustomerId::from("C-0042");
    /// assert_eq!(id.as_str(), "C-0042");
    /// assert_eq!(id.to_string(), "C-0042");
    /// // Widths and alignment apply, as to a `str`, so tables line up.
    /// assert_eq!(format!("{id:<8}|{id:>8}"), "C-0042  |  C-0042");
    /// let text: String = id.into();
    /// assert_eq!(text, "C-0042");
    /// ```
    CustomerId
}

id_type! {
    /// An idea's id, as the idea portal knows it.
    ///
    /// ```
    /// use lead_customers::IdeaId;
    /// assert_eq!(IdeaId::new("I-7").as_str(), "I-7");
    /// ```
    IdeaId
}

id_type! {
    /// A co-design session's id.
    ///
    /// ```
    /// use lead_customers::SessionId;
    /// assert_eq!(SessionId::new("S-1").as_str(), "S-1");
    /// ```
    SessionId
}

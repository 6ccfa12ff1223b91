//! Interactions: every touch between a customer and the company, on any channel.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::CustomerId;
use crate::record::named_enum;

named_enum! {
    /// Where an interaction happened. Listening across channels matters: support sees most of the
    /// voice of the customer, the community shows who helps others, events and surveys show who
    /// answers when asked.
    ///
    /// ```
    /// use lead_customers::Channel;
    /// assert_eq!("community".parse::<Channel>(), Ok(Channel::Community));
    /// assert_eq!(Channel::Community.as_str(), "community");
    /// assert_eq!(Channel::ALL.len(), 11);
    /// ```
    pub enum Channel {
        /// A support ticket or call to the help desk.
        Support = "support",
        /// Email.
        Email = "email",
        /// Live chat.
        Chat = "chat",
        /// Phone.
        Phone = "phone",
        /// Public social media.
        Social = "social",
        /// The company's community forum.
        Community = "community",
        /// A survey.
        Survey = "survey",
        /// An event, webinar or meetup.
        Event = "event",
        /// Inside the product (usage, in-app feedback).
        Product = "product",
        /// A sales conversation.
        Sales = "sales",
        /// Any other channel.
        Other = "other",
    }
}

named_enum! {
    /// What an interaction was. The kinds separate *insight* (ideas, workarounds, answers to other
    /// customers) from *volume* (complaints, mentions), which must not make a lead customer.
    ///
    /// ```
    /// use lead_customers::InteractionKind;
    /// assert_eq!("beta_join".parse::<InteractionKind>(), Ok(InteractionKind::BetaJoin));
    /// assert!(InteractionKind::Outreach.is_company_initiated());
    /// assert!(!InteractionKind::Response.is_company_initiated());
    /// ```
    pub enum InteractionKind {
        /// A purchase.
        Purchase = "purchase",
        /// Use of the product.
        Usage = "usage",
        /// A request for help.
        SupportRequest = "support_request",
        /// A complaint.
        Complaint = "complaint",
        /// Praise.
        Praise = "praise",
        /// Feedback on the product.
        Feedback = "feedback",
        /// A question.
        Question = "question",
        /// An answer helping another customer (in the community, say).
        Answer = "answer",
        /// A self-built solution the customer reported: the lead user's own innovation.
        Workaround = "workaround",
        /// Joining a beta programme.
        BetaJoin = "beta_join",
        /// Adopting a new release early.
        EarlyAdoption = "early_adoption",
        /// Referring someone to the company.
        Referral = "referral",
        /// Mentioning the company or product on social media.
        SocialMention = "social_mention",
        /// The company asked: a survey, an interview request, an invitation.
        Outreach = "outreach",
        /// The customer answered the company's outreach.
        Response = "response",
        /// Anything else.
        Other = "other",
    }
}

impl InteractionKind {
    /// Whether the company, not the customer, started this interaction ([`Outreach`]).
    /// Such events say nothing about the customer's own activity.
    ///
    /// [`Outreach`]: InteractionKind::Outreach
    pub fn is_company_initiated(self) -> bool {
        self == InteractionKind::Outreach
    }
}

/// One interaction between a customer and the company.
///
/// ```
/// use lead_customers::{Channel, Interaction, InteractionKind};
/// let at = "2024-05-01T10:00:00Z".parse().unwrap();
/// let i = Interaction::new("C-1", at, Channel::Community, InteractionKind::Workaround)
///     .with_topic("offline sync");
/// assert_eq!(i.topic.as_deref(), Some("offline sync"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    /// Who. JSON also takes the CSV column's name, `customer_id`.
    #[serde(alias = "customer_id")]
    pub customer: CustomerId,
    /// When.
    pub at: Timestamp,
    /// Where.
    pub channel: Channel,
    /// What.
    pub kind: InteractionKind,
    /// What about (free text, for example a feature area); topics feed the ahead-of-trend signal
    /// and cohort relevance.
    pub topic: Option<String>,
}

impl Interaction {
    /// An interaction without a topic.
    pub fn new(
        customer: impl Into<CustomerId>,
        at: Timestamp,
        channel: Channel,
        kind: InteractionKind,
    ) -> Self {
        Interaction {
            customer: customer.into(),
            at,
            channel,
            kind,
            topic: None,
        }
    }

    /// Sets the topic.
    #[must_use = "it returns the value with the change, which is lost if unused"]
    pub fn with_topic(mut self, topic: impl Into<String>) -> Self {
        self.topic = Some(topic.into());
        self
    }
}

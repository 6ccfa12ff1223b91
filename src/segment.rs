//! Segments: a map of the customer base from the two dimensions, engagement and innovation.

use serde::{Deserialize, Serialize};

use crate::error::{check_finite, check_fraction};
use crate::{Error, Result};

/// Where a customer sits on the engagement × innovation map.
///
/// ```
/// use lead_customers::Segment;
/// assert_eq!(Segment::of(true, true), Segment::LeadCustomer);
/// assert_eq!(Segment::of(false, true), Segment::LatentInnovator);
/// assert_eq!(Segment::LeadCustomer.as_str(), "lead_customer");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// Engaged and innovative: the people to build the future with.
    LeadCustomer,
    /// Engaged, not (yet) innovative: loyal, listens, rarely brings something new.
    EngagedFollower,
    /// Innovative but drifting away: worth a call before they are gone.
    LatentInnovator,
    /// Neither: the quiet majority, or customers who left.
    Dormant,
}

impl Segment {
    /// Every segment.
    pub const ALL: [Segment; 4] = [
        Segment::LeadCustomer,
        Segment::EngagedFollower,
        Segment::LatentInnovator,
        Segment::Dormant,
    ];

    /// The segment of a customer who is (or is not) engaged and innovative.
    pub fn of(engaged: bool, innovative: bool) -> Segment {
        match (engaged, innovative) {
            (true, true) => Segment::LeadCustomer,
            (true, false) => Segment::EngagedFollower,
            (false, true) => Segment::LatentInnovator,
            (false, false) => Segment::Dormant,
        }
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::LeadCustomer => "lead_customer",
            Segment::EngagedFollower => "engaged_follower",
            Segment::LatentInnovator => "latent_innovator",
            Segment::Dormant => "dormant",
        }
    }
}

impl std::fmt::Display for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Reads the name [`as_str`](Segment::as_str) gives (as JSON does).
///
/// ```
/// use lead_customers::Segment;
/// assert_eq!("latent_innovator".parse(), Ok(Segment::LatentInnovator));
/// assert!("lead".parse::<Segment>().is_err());
/// ```
impl std::str::FromStr for Segment {
    type Err = crate::record::UnknownName;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Segment::ALL
            .into_iter()
            .find(|segment| segment.as_str() == s)
            .ok_or(crate::record::UnknownName {
                expected: "lead_customer engaged_follower latent_innovator dormant",
            })
    }
}

/// Where a dimension's "high" begins.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cutoff {
    /// The best share of the population on this dimension (customers tied at the boundary are
    /// all included): relative, so it holds whatever the scale of the scores. The lowest score
    /// in the population is never high: when the ties at the boundary reach down to it (most
    /// customers alike at the bottom, as when few have any data yet), only the scores above it
    /// count, and when everyone is tied, nobody stands out. The share is of every customer
    /// known at the as-of time ([`Population::known_at`](crate::Population::known_at)), those
    /// without data on the dimension included (they hold its lowest score, 0).
    TopShare(f64),
    /// A dimension score at or above this value, in [0, 1].
    AtLeast(f64),
}

/// How many of `n` customers the best `share` of them is: `⌈share · n⌉`, except that a product
/// within rounding of a whole number is that number (0.07 · 100 is 7.000000000000001 in f64:
/// the best 7% of 100 customers are 7, not 8).
pub(crate) fn share_count(share: f64, n: usize) -> usize {
    let product = share * n as f64;
    let nearest = product.round();
    // The share's decimal-to-binary rounding and the product's: at most 1 ulp, relative.
    if (product - nearest).abs() <= 2.0 * f64::EPSILON * product {
        nearest as usize
    } else {
        product.ceil() as usize
    }
}

impl Cutoff {
    fn check(&self, what: &str) -> Result<()> {
        match *self {
            Cutoff::TopShare(p) | Cutoff::AtLeast(p) => check_fraction(what, p).map(|_| ()),
        }
    }

    /// The lowest score that counts as high, for this population's scores.
    pub(crate) fn threshold(&self, scores: &[f64]) -> f64 {
        match *self {
            Cutoff::AtLeast(v) => v,
            Cutoff::TopShare(p) => {
                let k = share_count(p, scores.len());
                if k == 0 || scores.is_empty() {
                    return f64::INFINITY;
                }
                let mut sorted = scores.to_vec();
                let k = k.min(sorted.len());
                let (_, &mut kth, _) = sorted.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
                let lowest = scores.iter().copied().fold(f64::INFINITY, f64::min);
                if kth <= lowest {
                    // Above the lowest score only.
                    kth.next_up()
                } else {
                    kth
                }
            }
        }
    }
}

/// The rules that put customers in segments.
///
/// Defaults: engaged means in the top half on engagement; innovative means in the top 10% on
/// innovation. Lead customers are a small share of a base (often 2 to 10%), so the innovation
/// cut is tight, while half the base counts as engaged.
///
/// ```
/// use lead_customers::{Cutoff, SegmentRules};
/// let rules = SegmentRules { innovation: Cutoff::TopShare(0.05), ..SegmentRules::default() };
/// assert!(rules.check().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentRules {
    /// Where high engagement begins. Default: the top 50%.
    pub engagement: Cutoff,
    /// Where high innovation begins. Default: the top 10%.
    pub innovation: Cutoff,
}

impl Default for SegmentRules {
    fn default() -> Self {
        SegmentRules {
            engagement: Cutoff::TopShare(0.5),
            innovation: Cutoff::TopShare(0.1),
        }
    }
}

impl SegmentRules {
    /// Checks that shares and scores are within [0, 1].
    pub fn check(&self) -> Result<()> {
        self.engagement.check("engagement cutoff")?;
        self.innovation.check("innovation cutoff")
    }

    /// Assigns a segment to every customer from their engagement and innovation scores.
    ///
    /// Errors: [`Error::InvalidParameter`] when the two have different lengths, and
    /// [`Error::NonFiniteInput`] for a NaN or infinite score.
    pub fn assign(&self, engagement: &[f64], innovation: &[f64]) -> Result<Vec<Segment>> {
        self.assign_known(engagement, innovation, None, None, None)
    }

    /// Like [`assign`](Self::assign), where a customer without a score on a dimension (`false`
    /// in its `known` column; `None`: everyone has one) is not high on it, whatever the cutoff,
    /// and a top share is a share of the `counted` customers (`None`: everyone), the customers
    /// known at the as-of time, so that those not known yet do not move the cut.
    pub(crate) fn assign_known(
        &self,
        engagement: &[f64],
        innovation: &[f64],
        engagement_known: Option<&[bool]>,
        innovation_known: Option<&[bool]>,
        counted: Option<&[bool]>,
    ) -> Result<Vec<Segment>> {
        if engagement.len() != innovation.len() {
            return Err(Error::parameter(
                "innovation scores",
                innovation.len(),
                format!(
                    "must be as many as engagement scores ({})",
                    engagement.len()
                ),
            ));
        }
        check_finite("engagement scores", engagement)?;
        check_finite("innovation scores", innovation)?;
        let threshold = |cutoff: &Cutoff, scores: &[f64]| match counted {
            None => cutoff.threshold(scores),
            Some(counted) => {
                let scored: Vec<f64> = (scores.iter().zip(counted))
                    .filter(|(_, counted)| **counted)
                    .map(|(&score, _)| score)
                    .collect();
                cutoff.threshold(&scored)
            }
        };
        let (e, i) = (
            threshold(&self.engagement, engagement),
            threshold(&self.innovation, innovation),
        );
        let has = |known: Option<&[bool]>, c: usize| known.is_none_or(|k| k.get(c) == Some(&true));
        Ok(engagement
            .iter()
            .zip(innovation)
            .enumerate()
            .map(|(c, (&en, &inn))| {
                Segment::of(
                    en >= e && has(engagement_known, c),
                    inn >= i && has(innovation_known, c),
                )
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_segment_reads_back_from_its_name_in_text_and_json() {
        for segment in Segment::ALL {
            let name = segment.as_str();
            assert_eq!(name.parse::<Segment>(), Ok(segment));
            assert_eq!(
                serde_json::to_string(&segment).unwrap(),
                format!("\"{name}\"")
            );
        }
    }

    #[test]
    fn top_share_includes_ties_at_the_boundary() {
        let scores = [0.9, 0.5, 0.5, 0.1];
        assert_eq!(Cutoff::TopShare(0.5).threshold(&scores), 0.5);
        assert_eq!(Cutoff::TopShare(0.25).threshold(&scores), 0.9);
        assert_eq!(Cutoff::TopShare(0.0).threshold(&scores), f64::INFINITY);
    }

    #[test]
    fn a_share_of_customers_is_rounded_up_but_not_past_rounding_error() {
        // In f64, 0.07 · 100 = 7.000000000000001 and 0.14 · 100 = 14.000000000000002.
        assert_eq!(share_count(0.07, 100), 7);
        assert_eq!(share_count(0.14, 100), 14);
        assert_eq!(share_count(0.071, 100), 8);
        assert_eq!(share_count(0.1, 3), 1);
        assert_eq!(share_count(0.0, 1_000), 0);
        assert_eq!(share_count(1.0, 1_000), 1_000);
        assert_eq!(share_count(1e-300, 5), 1);
        let scores: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(Cutoff::TopShare(0.07).threshold(&scores), 94.0);
        assert_eq!(Cutoff::TopShare(0.14).threshold(&scores), 87.0);
    }

    #[test]
    fn the_lowest_score_is_never_in_a_top_share() {
        // Most customers alike at the bottom: the top 10% are those above it, not everyone.
        let mut scores = vec![0.2; 19];
        scores.push(0.9);
        let t = Cutoff::TopShare(0.1).threshold(&scores);
        assert_eq!(scores.iter().filter(|&&s| s >= t).count(), 1);
        // The top half of [0.9, 0.5, 0.1, 0.1, 0.1]: 0.9 and 0.5 (the ties reach the bottom).
        let scores = [0.9, 0.1, 0.5, 0.1, 0.1];
        let t = Cutoff::TopShare(0.5).threshold(&scores);
        assert_eq!(scores.iter().filter(|&&s| s >= t).count(), 2);
        // Everyone tied: nobody stands out, even in the top 100%.
        let t = Cutoff::TopShare(1.0).threshold(&[0.3; 4]);
        assert!(0.3 < t);
    }

    #[test]
    fn customers_without_a_score_on_a_dimension_are_not_high_on_it() {
        let rules = SegmentRules {
            engagement: Cutoff::AtLeast(0.0),
            innovation: Cutoff::AtLeast(0.0),
        };
        let known = [true, false];
        let s = rules
            .assign_known(&[0.0, 0.0], &[0.5, 0.5], Some(&known), None, None)
            .unwrap();
        assert_eq!(s, vec![Segment::LeadCustomer, Segment::LatentInnovator]);
        let s = rules.assign(&[0.0, 0.0], &[0.5, 0.5]).unwrap();
        assert_eq!(s, vec![Segment::LeadCustomer; 2]);
    }

    #[test]
    fn scores_that_are_not_finite_are_refused() {
        let rules = SegmentRules::default();
        for bad in [f64::NAN, f64::INFINITY] {
            let err = rules
                .assign(&[bad, 0.5, 0.2], &[0.1, 0.2, 0.3])
                .unwrap_err();
            assert!(matches!(err, Error::NonFiniteInput { .. }), "{err}");
            let err = rules
                .assign(&[0.1, 0.2, 0.3], &[0.5, bad, 0.2])
                .unwrap_err();
            assert!(matches!(err, Error::NonFiniteInput { .. }), "{err}");
        }
    }

    #[test]
    fn segments_follow_the_cutoffs() {
        let rules = SegmentRules {
            engagement: Cutoff::AtLeast(0.5),
            innovation: Cutoff::AtLeast(0.7),
        };
        let s = rules
            .assign(&[0.6, 0.6, 0.2, 0.2], &[0.8, 0.1, 0.9, 0.1])
            .unwrap();
        assert_eq!(
            s,
            vec![
                Segment::LeadCustomer,
                Segment::EngagedFollower,
                Segment::LatentInnovator,
                Segment::Dormant
            ]
        );
    }

    #[test]
    fn invalid_rules_are_refused() {
        let rules = SegmentRules {
            innovation: Cutoff::TopShare(1.5),
            ..SegmentRules::default()
        };
        assert!(rules.check().is_err());
        assert!(SegmentRules::default().assign(&[0.1], &[]).is_err());
    }
}

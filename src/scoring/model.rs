//! The scoring model: which signals make which dimension, with what weights, and how the
//! dimensions combine into a lead score.

use serde::{Deserialize, Serialize};

use super::Scores;
use crate::error::check_non_negative;
use crate::segment::SegmentRules;
use crate::signals::SignalTable;
use crate::{Error, Normalization, Population, Result, Signal, SignalParams};

/// The name of the engagement dimension, which segments read.
pub const ENGAGEMENT: &str = "engagement";
/// The name of the innovation dimension, which segments read.
pub const INNOVATION: &str = "innovation";
/// The name of the optional need (expected benefit) dimension.
pub const NEED: &str = "need";

/// Whether a high value of a signal counts for or against a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A high value counts for the customer.
    #[default]
    HigherIsBetter,
    /// A high value counts against: the normalized value `v` enters as `1 - v`. For negative
    /// signals, such as complaints in a model that wants them to weigh against.
    LowerIsBetter,
}

/// A signal in a dimension, with its weight and normalization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightedSignal {
    /// The signal.
    pub signal: Signal,
    /// Its weight within the dimension (finite, zero or above).
    pub weight: f64,
    /// How it is put on the common scale. Default: percentile rank.
    #[serde(default)]
    pub normalization: Normalization,
    /// Whether high values count for or against. Default: for.
    #[serde(default)]
    pub direction: Direction,
}

impl WeightedSignal {
    /// A signal with a weight, percentile-normalized, higher is better.
    pub fn new(signal: Signal, weight: f64) -> Self {
        WeightedSignal {
            signal,
            weight,
            normalization: Normalization::default(),
            direction: Direction::default(),
        }
    }
}

/// A named dimension: the weighted mean of its normalized signals,
/// `d = Σ w_j v_j / Σ w_j`, in [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// The name, for example [`ENGAGEMENT`].
    pub name: String,
    /// The dimension's weight in the lead score (finite, zero or above).
    pub weight: f64,
    /// The signals.
    pub signals: Vec<WeightedSignal>,
}

/// How dimension scores combine into the lead score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Combination {
    /// The weighted geometric mean `L = Π d_i^(v_i / Σ v)`. The default: a lead customer needs
    /// both engagement and innovation, and a geometric mean lets no strong dimension hide a
    /// missing one (one dimension near 0 pulls the score near 0).
    #[default]
    GeometricMean,
    /// The weighted arithmetic mean `L = Σ v_i d_i / Σ v`: dimensions compensate each other.
    ArithmeticMean,
}

/// Dimensions of weighted signals, and how they combine into a lead score in [0, 1].
///
/// The model is plain data: serialize it to JSON or TOML, edit the weights, load it back. It is
/// checked when used ([`check`](Self::check)): at least one dimension, among them an
/// `engagement` and an `innovation` dimension (segments are drawn from them); names not empty
/// and unique; weights finite and zero or above (and, above zero, no smaller than
/// `f64::MIN_POSITIVE`), not all zero in a dimension or across dimensions, with a finite sum in
/// each dimension and across dimensions; no signal twice in a dimension; the signal settings
/// valid ([`SignalParams::check`](crate::SignalParams::check)), and the segment rules.
///
/// # The default model
///
/// Two dimensions, innovation weighing 0.6 and engagement 0.4 (lead customers are found by what
/// they bring; engagement makes sure they are still there to bring it), combined by a weighted
/// geometric mean. Every signal is percentile-normalized.
///
/// | dimension | signal | weight | why |
/// |---|---|---|---|
/// | engagement | [`Recency`](Signal::Recency) | 1.0 | a lead who left is no use to a session |
/// | engagement | [`Activity`](Signal::Activity) | 1.0 | a live relationship, with diminishing returns |
/// | engagement | [`Breadth`](Signal::Breadth) | 0.5 | many channels: a relationship, not a habit |
/// | engagement | [`Dialogue`](Signal::Dialogue) | 1.0 | answers when asked: a partner |
/// | engagement | [`Attendance`](Signal::Attendance) | 0.5 | comes to co-design when invited |
/// | innovation | [`Ideas`](Signal::Ideas) | 1.0 | brings ideas; volume alone is not quality |
/// | innovation | [`IdeaQuality`](Signal::IdeaQuality) | 1.5 | ideas good enough to build |
/// | innovation | [`Workarounds`](Signal::Workarounds) | 1.0 | the lead user's own innovation |
/// | innovation | [`EarlyAdoption`](Signal::EarlyAdoption) | 1.0 | lives in tomorrow's product today |
/// | innovation | [`AheadOfTrend`](Signal::AheadOfTrend) | 1.5 | needs now what the market needs later |
/// | innovation | [`SessionRating`](Signal::SessionRating) | 0.75 | facilitators saw real contribution |
/// | innovation | [`SessionContributions`](Signal::SessionContributions) | 0.25 | contributes in sessions |
/// | innovation | [`Sharing`](Signal::Sharing) | 0.75 | shares solutions, brings others |
///
/// Purchases, complaints, social mentions and message volume are reported beside the score, not
/// weighed in it.
///
/// ```
/// use lead_customers::ScoringModel;
/// let model = ScoringModel::default();
/// model.check()?;
/// let json = serde_json::to_string_pretty(&model).unwrap();
/// let back: ScoringModel = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, model);
/// // A field left out takes the default model's value.
/// let arithmetic: ScoringModel = serde_json::from_str(r#"{"combination": "arithmetic_mean"}"#).unwrap();
/// assert_eq!(arithmetic.dimensions, model.dimensions);
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringModel {
    /// How signals are computed (half-life, priors). Default: [`SignalParams::default`].
    #[serde(default)]
    pub signals: SignalParams,
    /// The dimensions. Default: the default model's (see the table above), so that settings
    /// such as `{"combination": "arithmetic_mean"}` change the default model in one place.
    pub dimensions: Vec<Dimension>,
    /// How the dimensions combine. Default: weighted geometric mean.
    #[serde(default)]
    pub combination: Combination,
    /// How customers are assigned to segments. Default: [`SegmentRules::default`].
    #[serde(default)]
    pub segments: SegmentRules,
}

impl Default for ScoringModel {
    fn default() -> Self {
        use Signal::*;
        let dimension = |name: &str, weight, signals: &[(Signal, f64)]| Dimension {
            name: name.to_owned(),
            weight,
            signals: signals
                .iter()
                .map(|&(s, w)| WeightedSignal::new(s, w))
                .collect(),
        };
        ScoringModel {
            signals: SignalParams::default(),
            dimensions: vec![
                dimension(
                    ENGAGEMENT,
                    0.4,
                    &[
                        (Recency, 1.0),
                        (Activity, 1.0),
                        (Breadth, 0.5),
                        (Dialogue, 1.0),
                        (Attendance, 0.5),
                    ],
                ),
                dimension(
                    INNOVATION,
                    0.6,
                    &[
                        (Ideas, 1.0),
                        (IdeaQuality, 1.5),
                        (Workarounds, 1.0),
                        (EarlyAdoption, 1.0),
                        (AheadOfTrend, 1.5),
                        (SessionRating, 0.75),
                        (SessionContributions, 0.25),
                        (Sharing, 0.75),
                    ],
                ),
            ],
            combination: Combination::GeometricMean,
            segments: SegmentRules::default(),
        }
    }
}

impl ScoringModel {
    /// Checks the model (see the type's documentation for the rules).
    pub fn check(&self) -> Result<()> {
        self.signals.check()?;
        self.segments.check()?;
        if self.dimensions.is_empty() {
            return Err(Error::parameter(
                "dimensions",
                0,
                "a model needs at least one dimension",
            ));
        }
        for (i, d) in self.dimensions.iter().enumerate() {
            if d.name.is_empty() {
                return Err(Error::parameter(
                    "dimension name",
                    "\"\"",
                    "must not be empty",
                ));
            }
            if self.dimensions[..i].iter().any(|e| e.name == d.name) {
                return Err(Error::parameter("dimension name", &d.name, "appears twice"));
            }
            check_weight(&format!("weight of dimension {}", d.name), d.weight)?;
            for (j, s) in d.signals.iter().enumerate() {
                check_weight(&format!("weight of {} in {}", s.signal, d.name), s.weight)?;
                s.normalization.check()?;
                if d.signals[..j].iter().any(|t| t.signal == s.signal) {
                    return Err(Error::parameter(
                        format!("signals of {}", d.name),
                        s.signal,
                        "appears twice",
                    ));
                }
            }
            if d.signals.iter().all(|s| s.weight == 0.0) {
                return Err(Error::parameter(
                    format!("weights of {}", d.name),
                    "all 0",
                    "a dimension needs a signal with a weight above 0",
                ));
            }
            check_sum(
                &format!("weights of {}", d.name),
                d.signals.iter().map(|s| s.weight),
            )?;
        }
        if self.dimensions.iter().all(|d| d.weight == 0.0) {
            return Err(Error::parameter(
                "dimension weights",
                "all 0",
                "at least one must be above 0",
            ));
        }
        check_sum(
            "dimension weights",
            self.dimensions.iter().map(|d| d.weight),
        )?;
        for name in [ENGAGEMENT, INNOVATION] {
            if self.dimension(name).is_none() {
                return Err(Error::parameter(
                    "dimensions",
                    name,
                    "segments need an engagement and an innovation dimension",
                ));
            }
        }
        Ok(())
    }

    /// The dimension with this name.
    pub fn dimension(&self, name: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.name == name)
    }

    /// Sets the half-life of time decay, in days.
    #[must_use = "it returns the value with the change, which is lost if unused"]
    pub fn with_half_life_days(mut self, days: f64) -> Self {
        self.signals.half_life_days = days;
        self
    }

    /// Scores every customer as of `as_of`, from data up to `as_of` only. To score many dates,
    /// [`score_history`](Self::score_history) gives the same scores at a fraction of the cost.
    ///
    /// The customers scored are those known at `as_of` ([`Population::known_at`]); nothing
    /// about a customer who first appears later is read, not even that they exist: they have no
    /// signal value and no dimension score, a lead score of 0 (last in a ranking), and take no
    /// part in the percentile ranks, the priors or the segment cuts of the others.
    ///
    /// ```
    /// use lead_customers::synthetic::{Generator, GeneratorConfig};
    /// use lead_customers::ScoringModel;
    /// let base = Generator::new(GeneratorConfig { customers: 500, ..Default::default() }).generate()?;
    /// let as_of = base.population.latest().unwrap();
    /// let scores = ScoringModel::default().score(&base.population, as_of)?;
    /// let best = scores.top(1)[0];
    /// assert!(scores.lead(best.customer) > 0.5);
    /// println!("{}", scores.score(best.customer));
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn score<'p>(
        &self,
        population: &'p Population,
        as_of: jiff::Timestamp,
    ) -> Result<Scores<'p>> {
        self.check()?;
        let wanted: Vec<Signal> = self
            .dimensions
            .iter()
            .flat_map(|d| d.signals.iter().map(|s| s.signal))
            .collect();
        let table = SignalTable::compute_for(population, as_of, &self.signals, &wanted)?;
        Scores::new(population, self.clone(), table)
    }

    /// Scores every customer as of the latest event in the data.
    pub fn score_latest<'p>(&self, population: &'p Population) -> Result<Scores<'p>> {
        let latest = population
            .latest()
            .ok_or(Error::NoEvents { what: "scoring" })?;
        self.score(population, latest)
    }
}

/// Checks a weight: finite, zero or above, and if above zero, not subnormal (products `w v` of
/// a subnormal weight lose their precision, and scores their ranks).
fn check_weight(parameter: &str, weight: f64) -> Result<()> {
    if check_non_negative(parameter, weight)? > 0.0 && weight < f64::MIN_POSITIVE {
        return Err(Error::parameter(
            parameter,
            weight,
            "must be 0 or at least f64::MIN_POSITIVE (2.2e-308)",
        ));
    }
    Ok(())
}

/// Checks that weights, each finite, have a finite sum: scores divide by it (`Σ w v / Σ w`), and
/// an infinite one would turn them into NaN or give every customer the same score.
fn check_sum(parameter: &str, weights: impl Iterator<Item = f64>) -> Result<()> {
    let sum: f64 = weights.sum();
    if sum.is_finite() {
        Ok(())
    } else {
        Err(Error::parameter(
            parameter,
            sum,
            "must add up to a finite number",
        ))
    }
}

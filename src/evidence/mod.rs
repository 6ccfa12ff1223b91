//! Evidence that a score picks the right people: lead-userness questionnaires, ranking-quality
//! metrics against known outcomes, and weights learned from those outcomes.
//!
//! A lead score is only as good as the evidence that it ranks the right customers first. Two
//! kinds of evidence exist, and this module handles both:
//!
//! - **What customers say.** Research on lead users measures "lead-userness" with questionnaires:
//!   Likert items grouped into constructs, by default the two lead-user dimensions, *ahead of
//!   trend* and *high expected benefit*, kept apart because they predict different things. A
//!   [`Questionnaire`] validates the answers ([`Response`]s, or a `responses.csv`) into
//!   [`Answers`], which give each respondent's construct scores (missing answers handled
//!   explicitly, never as zeros) and each construct's reliability ([`cronbach_alpha`], and alpha
//!   if an item were dropped).
//! - **What customers did.** Afterwards a company knows whose ideas shipped and who starred in a
//!   co-design session. [`Ranking`] measures how well any score ranks those outcomes: AUC,
//!   precision and recall at k, average precision, lift at k over random and over a baseline
//!   ranking, all exact in the presence of ties, and [`bootstrap_metric`] puts a seeded
//!   confidence interval around any of them. [`LogisticParams`] fits L2-regularized logistic
//!   regression to such outcomes, with standard errors, and [`CrossValidation`] chooses its
//!   penalty by held-out log-loss: the numeric core of calibrating a scoring model's weights.
//! - **Back-tests.** [`backtest`] and [`BacktestParams`] score a population as of a past time T1
//!   from what was known then and judge the ranking against the [`Outcomes`] of (T1, T2] (ideas
//!   accepted or shipped, top facilitator ratings), beside the naive rankings an analyst would
//!   try first ([`NaiveRanking`]: most active, biggest buyer, most ideas).
//! - **Calibration.** [`CalibrationParams`] learns a [`ScoringModel`](crate::ScoringModel)'s
//!   weights from such outcomes by regularized logistic regression on its normalized signals,
//!   and returns a [`Calibration`]: a model the rest of the library uses unchanged, with the
//!   coefficients and standard errors behind it. Fitted on an earlier window
//!   ([`CalibrationParams::fit_preceding`]), it can be back-tested honestly.
//!
//! Everything here works on plain slices so that it plugs into any score: a score is a `&[f64]`
//! with one value per customer (in the population's dense customer order), outcomes a `&[bool]`
//! of the same length, features one `Vec<f64>` (or any `AsRef<[f64]>`) per signal.
//!
//! ```
//! use lead_customers::evidence::{Ranking, bootstrap_metric, BootstrapConfig, Metric};
//! // A score for 8 customers, and whether each turned out to be a lead (an idea shipped).
//! let score = [0.9, 0.7, 0.7, 0.4, 0.3, 0.3, 0.2, 0.1];
//! let shipped = [true, true, false, false, true, false, false, false];
//! let ranking = Ranking::new(&score, &shipped)?;
//! let report = ranking.report(2)?;
//! // 12 of the 15 (lead, non-lead) pairs are in the right order, a tie counting one half.
//! assert!((report.auc - 12.0 / 15.0).abs() < 1e-12);
//! // The top 2: the 0.9 lead, and one of the tied 0.7 pair, a lead half the time.
//! assert!((report.precision_at_k - 0.75).abs() < 1e-12);
//! assert!((report.lift_at_k - 2.0).abs() < 1e-12); // twice the base rate of 3/8
//! let ci = bootstrap_metric(&score, &shipped, Metric::Auc, &BootstrapConfig::default())?;
//! assert!(ci.lower <= report.auc && report.auc <= ci.upper);
//! # Ok::<(), lead_customers::Error>(())
//! ```

mod answers;
mod backtest;
mod bootstrap;
mod calibrate;
mod cross_validation;
mod logistic;
mod metrics;
mod questionnaire;
mod reliability;
mod responses;

pub use answers::{Answers, ItemDropped, QuestionnaireReport, Reliability};
pub use backtest::{
    BacktestParams, BacktestRanking, BacktestReport, MetricIntervals, NaiveRanking, OutcomeRules,
    Outcomes, backtest,
};
pub use bootstrap::{
    BootstrapConfig, ConfidenceInterval, MAX_REPLICATES, bootstrap_lift_over_baseline,
    bootstrap_metric, bootstrap_metric_difference,
};
pub use calibrate::{Calibration, CalibrationParams, SignalCoefficient, SignalFate};
pub use cross_validation::{CrossValidation, CvPoint, CvResult};
pub use logistic::{
    FittedLogistic, LogisticParams, LogisticRegression, MAX_LAMBDA, MAX_LOGISTIC_ITERATIONS,
    Standardization,
};
pub use metrics::{
    Metric, Ranking, RankingReport, auc, average_precision, lift_at_k, lift_over_baseline,
    precision_at_k, recall_at_k,
};
pub use questionnaire::{Construct, Questionnaire, QuestionnaireParams};
pub use reliability::cronbach_alpha;
pub use responses::Response;
#[cfg(feature = "csv")]
pub use responses::read_responses;

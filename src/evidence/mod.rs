//! Evidence that a score picks the right people.
//!
//! (Story docs to be completed.)

mod answers;
mod bootstrap;
mod cross_validation;
mod logistic;
mod metrics;
mod questionnaire;
mod reliability;
mod responses;

pub use answers::{Answers, ItemDropped, QuestionnaireReport, Reliability};
pub use bootstrap::{
    BootstrapConfig, ConfidenceInterval, bootstrap_lift_over_baseline, bootstrap_metric,
};
pub use cross_validation::{CrossValidation, CvPoint, CvResult};
pub use logistic::{FittedLogistic, LogisticParams, LogisticRegression, Standardization};
pub use metrics::{
    Metric, Ranking, RankingReport, auc, average_precision, lift_at_k, lift_over_baseline,
    precision_at_k, recall_at_k,
};
pub use questionnaire::{Construct, Questionnaire, QuestionnaireParams};
pub use reliability::cronbach_alpha;
pub use responses::Response;
#[cfg(feature = "csv")]
pub use responses::read_responses;

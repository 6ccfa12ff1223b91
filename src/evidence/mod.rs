//! Evidence that a score picks the right people.
//!
//! (Story docs to be completed.)

mod bootstrap;
mod metrics;

pub use bootstrap::{
    BootstrapConfig, ConfidenceInterval, bootstrap_lift_over_baseline, bootstrap_metric,
};
pub use metrics::{
    Metric, Ranking, RankingReport, auc, average_precision, lift_at_k, lift_over_baseline,
    precision_at_k, recall_at_k,
};

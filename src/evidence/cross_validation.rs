//! Choosing the regularization strength by k-fold cross-validation.
//!
//! The observations are split into `folds` parts, **stratified**: positives and negatives are
//! shuffled separately (seeded) and dealt round-robin, so every fold holds its share of each
//! (within one) and no training set lacks a class. For each λ of the grid, the model is fitted on
//! all folds but one and scored on the one left out, in turn.
//!
//! The criterion is the **mean held-out log-loss** (the average over folds of each fold's mean
//! log-loss), the smallest wins; on a tie the larger λ, the simpler model. Log-loss rather than
//! AUC because it is a proper scoring rule: it rewards well-calibrated probabilities, changes
//! smoothly with λ, and is defined on a fold whatever its outcomes, where AUC only sees the order
//! and needs both classes in every fold. The ranking quality of the chosen model is what the
//! back-test then measures, with [`Ranking`](super::Ranking).
//!
//! ```
//! use lead_customers::evidence::{CrossValidation, LogisticParams};
//! let x: Vec<f64> = (0..60).map(|i| f64::from(i % 10)).collect();
//! let y: Vec<bool> = (0..60).map(|i| (i % 10) + (i % 7) > 8).collect();
//! let cv = CrossValidation { lambdas: vec![0.01, 1.0, 100.0], ..CrossValidation::default() };
//! let result = cv.run(&LogisticParams::default(), &[x], &y)?;
//! assert_eq!(result.curve.len(), 3);
//! assert!(cv.lambdas.contains(&result.lambda));
//! assert_eq!(result.model.lambda, result.lambda);
//! # Ok::<(), lead_customers::Error>(())
//! ```

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use super::logistic::{
    FittedLogistic, LogisticParams, Unstandardizable, check_features, check_lambda, mean_log_loss,
    standardization,
};
use crate::error::{Error, Result};

/// Settings of a cross-validation over a grid of penalty strengths.
///
/// ```
/// use lead_customers::evidence::CrossValidation;
/// let cv = CrossValidation::default();
/// assert_eq!(cv.folds, 5);
/// assert_eq!(cv.lambdas.len(), 13);
/// assert_eq!((cv.lambdas[0], cv.lambdas[12]), (1e-3, 1e3));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrossValidation {
    /// Number of folds, at least 2 and at most the number of observations. Default 5.
    pub folds: usize,
    /// The penalty strengths λ to try, each from 0 to [`MAX_LAMBDA`](super::MAX_LAMBDA). Default
    /// 13 values from 10⁻³ to 10³, half a decade apart: from "almost no prior" to "a prior worth
    /// a thousand observations".
    pub lambdas: Vec<f64>,
    /// Seed of the fold assignment (PCG-64 MCG). Default 6.
    pub seed: u64,
}

impl Default for CrossValidation {
    fn default() -> Self {
        CrossValidation {
            folds: 5,
            lambdas: (0..13)
                .map(|i| 10f64.powf(-3.0 + 0.5 * f64::from(i)))
                .map(round_sig)
                .collect(),
            seed: 6,
        }
    }
}

/// Rounds a grid value to 12 significant digits, so that `10^(−3 + 0.5·6)` is exactly 1.
fn round_sig(x: f64) -> f64 {
    let magnitude = 10f64.powi(11 - x.log10().floor() as i32);
    (x * magnitude).round() / magnitude
}

/// The held-out log-loss of one λ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvPoint {
    /// The penalty strength.
    pub lambda: f64,
    /// The mean over folds of the fold's mean held-out log-loss.
    pub mean_log_loss: f64,
    /// The standard error of that mean: the folds' standard deviation (`n − 1`) over `√folds`.
    pub standard_error: f64,
    /// Each fold's mean held-out log-loss.
    pub fold_log_losses: Vec<f64>,
}

/// The outcome of a cross-validation: the chosen λ, the curve it was chosen from, and the model
/// refitted on all observations with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvResult {
    /// The λ with the smallest mean held-out log-loss.
    pub lambda: f64,
    /// One point per λ, in grid order.
    pub curve: Vec<CvPoint>,
    /// The model fitted on every observation with the chosen λ.
    pub model: FittedLogistic,
}

impl CrossValidation {
    fn check_folds(&self, observations: usize) -> Result<()> {
        if self.folds < 2 || self.folds > observations {
            return Err(Error::parameter(
                "folds",
                self.folds,
                format!("must be 2 to the number of observations ({observations})"),
            ));
        }
        Ok(())
    }

    fn check_lambdas(&self) -> Result<()> {
        if self.lambdas.is_empty() {
            return Err(Error::parameter(
                "lambdas",
                "[]",
                "the grid needs at least one value",
            ));
        }
        for &lambda in &self.lambdas {
            check_lambda(lambda)?;
        }
        Ok(())
    }

    /// The fold (0 to `folds − 1`) of each observation: positives and negatives shuffled
    /// separately with the seed and dealt round-robin, negatives continuing where positives
    /// stopped so that fold sizes differ by at most one.
    ///
    /// Errors: [`Error::InvalidParameter`] unless `2 <= folds <= labels.len()`.
    ///
    /// ```
    /// use lead_customers::evidence::CrossValidation;
    /// let labels: Vec<bool> = (0..20).map(|i| i < 6).collect();
    /// let folds = CrossValidation { folds: 3, ..CrossValidation::default() }.fold_assignment(&labels)?;
    /// for fold in 0..3 {
    ///     let positives = (0..20).filter(|&i| folds[i] == fold && labels[i]).count();
    ///     assert_eq!(positives, 2);
    /// }
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn fold_assignment(&self, labels: &[bool]) -> Result<Vec<usize>> {
        self.check_folds(labels.len())?;
        let mut rng = Pcg64Mcg::seed_from_u64(self.seed);
        let (mut positives, mut negatives): (Vec<usize>, Vec<usize>) =
            (0..labels.len()).partition(|&i| labels[i]);
        positives.shuffle(&mut rng);
        negatives.shuffle(&mut rng);
        let mut fold = vec![0; labels.len()];
        for (dealt, &i) in positives.iter().chain(&negatives).enumerate() {
            fold[i] = dealt % self.folds;
        }
        Ok(fold)
    }

    /// Runs the cross-validation of `params` (its λ replaced by each grid value; standardization,
    /// iterations and tolerance as set) on `features` (one column per feature) and `labels`,
    /// then refits on everything with the chosen λ. Standardization, when on, is learned on each
    /// training set alone, so nothing of a held-out fold leaks into its model.
    ///
    /// Errors: [`Error::InvalidParameter`] for bad settings; [`Error::Undefined`] with fewer
    /// than 2 positives or 2 negatives (a training set would lack a class); the fit's errors (a
    /// λ of 0 on separable data fails with [`Error::Separable`]); [`Error::NotConverged`] when
    /// a fold's fit runs out of iterations.
    pub fn run<C: AsRef<[f64]>>(
        &self,
        params: &LogisticParams,
        features: &[C],
        labels: &[bool],
    ) -> Result<CvResult> {
        params.check()?;
        self.check_lambdas()?;
        check_features(features, labels.len())?;
        if params.standardize {
            // A feature constant in all the data is said to be so, before any fold finds it
            // constant in its training data.
            standardization(features)?;
        }
        let fold = self.fold_assignment(labels)?;
        let positives = labels.iter().filter(|&&l| l).count();
        if positives < 2 || labels.len() - positives < 2 {
            return Err(Error::Undefined {
                what: "cross-validation",
                reason: format!(
                    "it needs at least 2 positive and 2 negative outcomes, got {positives} of {}",
                    labels.len()
                ),
            });
        }
        let splits: Vec<Split> = (0..self.folds)
            .map(|f| Split::new(features, labels, &fold, f))
            .collect();
        if params.standardize {
            for split in &splits {
                standardization(&split.train_features).map_err(in_a_fold)?;
            }
        }
        let mut curve = Vec::with_capacity(self.lambdas.len());
        for &lambda in &self.lambdas {
            let model = LogisticParams {
                lambda,
                ..params.clone()
            }
            .check()?;
            let fold_log_losses = splits
                .iter()
                .map(|split| {
                    let fit = model.fit(&split.train_features, &split.train_labels)?;
                    if !fit.converged {
                        return Err(Error::NotConverged {
                            what: "logistic regression in a cross-validation fold",
                            iterations: fit.iterations,
                            gradient_norm: None,
                        });
                    }
                    split.held_out_log_loss(&fit)
                })
                .collect::<Result<Vec<f64>>>()?;
            curve.push(point(lambda, fold_log_losses));
        }
        let best = curve
            .iter()
            .min_by(|a, b| {
                a.mean_log_loss
                    .total_cmp(&b.mean_log_loss)
                    .then(b.lambda.total_cmp(&a.lambda))
            })
            .map_or(params.lambda, |p| p.lambda);
        let model = LogisticParams {
            lambda: best,
            ..params.clone()
        }
        .check()?
        .fit(features, labels)?;
        Ok(CvResult {
            lambda: best,
            curve,
            model,
        })
    }
}

fn point(lambda: f64, fold_log_losses: Vec<f64>) -> CvPoint {
    let k = fold_log_losses.len() as f64;
    let mean = fold_log_losses.iter().sum::<f64>() / k;
    let variance = fold_log_losses
        .iter()
        .map(|l| (l - mean).powi(2))
        .sum::<f64>()
        / (k - 1.0);
    CvPoint {
        lambda,
        mean_log_loss: mean,
        standard_error: (variance / k).sqrt(),
        fold_log_losses,
    }
}

/// One fold's training and held-out observations, copied once for the whole grid.
struct Split {
    train_features: Vec<Vec<f64>>,
    train_labels: Vec<bool>,
    test_features: Vec<Vec<f64>>,
    test_labels: Vec<bool>,
}

impl Split {
    fn new<C: AsRef<[f64]>>(
        features: &[C],
        labels: &[bool],
        fold: &[usize],
        held_out: usize,
    ) -> Self {
        let pick = |test: bool| {
            let rows: Vec<usize> = (0..labels.len())
                .filter(|&i| (fold[i] == held_out) == test)
                .collect();
            let columns = features
                .iter()
                .map(|c| rows.iter().map(|&i| c.as_ref()[i]).collect())
                .collect();
            (columns, rows.iter().map(|&i| labels[i]).collect())
        };
        let (train_features, train_labels) = pick(false);
        let (test_features, test_labels) = pick(true);
        Split {
            train_features,
            train_labels,
            test_features,
            test_labels,
        }
    }

    /// The held-out mean log-loss of `fit`. A model without features predicts its intercept.
    fn held_out_log_loss(&self, fit: &FittedLogistic) -> Result<f64> {
        let eta = if self.test_features.is_empty() {
            vec![fit.intercept; self.test_labels.len()]
        } else {
            fit.log_odds(&self.test_features)?
        };
        Ok(mean_log_loss(&eta, &self.test_labels))
    }
}

/// Why a fold's training features cannot be standardized, said of the fold: the whole data set
/// passed the same check, so a feature constant there varies elsewhere.
fn in_a_fold(cause: Unstandardizable) -> Error {
    match cause {
        Unstandardizable::Constant(j) => Error::Undefined {
            what: "standardizing a cross-validation fold's training features",
            reason: format!(
                "feature {j} is constant in a fold's training data (though it varies in the \
                 whole data set); use fewer folds, or drop it"
            ),
        },
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use rand::{RngExt, SeedableRng};
    use rand_distr::{Distribution, StandardNormal};

    /// Two standard-normal features; the outcome depends on the first with log-odds
    /// `−0.5 + strength · x₁`.
    fn data(n: usize, strength: f64, seed: u64) -> (Vec<Vec<f64>>, Vec<bool>) {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let x: Vec<Vec<f64>> = (0..2)
            .map(|_| (0..n).map(|_| StandardNormal.sample(&mut rng)).collect())
            .collect();
        let y = (0..n)
            .map(|i| rng.random::<f64>() < 1.0 / (1.0 + (0.5 - strength * x[0][i]).exp()))
            .collect();
        (x, y)
    }

    #[test]
    fn the_default_grid_runs_from_a_thousandth_to_a_thousand() {
        let grid = CrossValidation::default().lambdas;
        assert_eq!(grid[6], 1.0);
        assert_eq!(grid[1], 0.00316227766017);
        assert!(grid.windows(2).all(|w| w[1] > w[0]));
    }

    #[test]
    fn folds_are_stratified_and_balanced() {
        let labels: Vec<bool> = (0..53).map(|i| i % 4 == 0).collect();
        let fold = CrossValidation::default().fold_assignment(&labels).unwrap();
        for f in 0..5 {
            let size = fold.iter().filter(|&&g| g == f).count();
            let positives = (0..53).filter(|&i| fold[i] == f && labels[i]).count();
            assert!((10..=11).contains(&size), "fold {f}: {size}");
            assert!((2..=3).contains(&positives), "fold {f}: {positives}");
        }
        let other = CrossValidation {
            seed: 99,
            ..CrossValidation::default()
        }
        .fold_assignment(&labels)
        .unwrap();
        assert_ne!(fold, other);
        assert_eq!(
            fold,
            CrossValidation::default().fold_assignment(&labels).unwrap()
        );
    }

    #[test]
    fn a_strong_signal_picks_a_weaker_penalty_than_noise() {
        let cv = CrossValidation::default();
        let params = LogisticParams::default();
        let (x, y) = data(400, 2.0, 1);
        let signal = cv.run(&params, &x, &y).unwrap();
        let (x, y) = data(400, 0.0, 2);
        let noise = cv.run(&params, &x, &y).unwrap();
        assert!(
            signal.lambda < noise.lambda,
            "{} vs {}",
            signal.lambda,
            noise.lambda
        );
        // On noise the chosen model is nearly the base rate: the coefficients are tiny.
        assert!(
            noise.model.coefficients.iter().all(|b| b.abs() < 0.1),
            "{:?}",
            noise.model.coefficients
        );
        // The chosen point is the curve's minimum, and the refit used it.
        let min = signal
            .curve
            .iter()
            .map(|p| p.mean_log_loss)
            .fold(f64::INFINITY, f64::min);
        let chosen = signal
            .curve
            .iter()
            .find(|p| p.lambda == signal.lambda)
            .unwrap();
        assert_eq!(chosen.mean_log_loss, min);
        assert_eq!(chosen.fold_log_losses.len(), 5);
        assert!(chosen.standard_error > 0.0);
        assert_eq!(signal.model.lambda, signal.lambda);
        // The strong signal is found: its coefficient is clearly positive, the other small.
        assert!(signal.model.coefficients[0] > 1.0 && signal.model.coefficients[1].abs() < 0.5);
    }

    #[test]
    fn equal_losses_choose_the_larger_penalty() {
        // Without features every λ gives the same model: the tie goes to the largest.
        let (_, y) = data(50, 1.0, 4);
        let cv = CrossValidation {
            lambdas: vec![0.1, 10.0, 1.0],
            ..CrossValidation::default()
        };
        let result = cv
            .run(&LogisticParams::default(), &Vec::<Vec<f64>>::new(), &y)
            .unwrap();
        assert_eq!(result.lambda, 10.0);
    }

    #[test]
    fn bad_settings_and_data_are_refused() {
        let (x, y) = data(30, 1.0, 5);
        let params = LogisticParams::default();
        for cv in [
            CrossValidation {
                folds: 1,
                ..CrossValidation::default()
            },
            CrossValidation {
                folds: 31,
                ..CrossValidation::default()
            },
            CrossValidation {
                lambdas: vec![],
                ..CrossValidation::default()
            },
            CrossValidation {
                lambdas: vec![1.0, -1.0],
                ..CrossValidation::default()
            },
            CrossValidation {
                lambdas: vec![1.0, 1e13],
                ..CrossValidation::default()
            },
        ] {
            assert_eq!(
                cv.run(&params, &x, &y).unwrap_err().kind(),
                ErrorKind::InvalidParameter
            );
        }
        let one_positive: Vec<bool> = (0..30).map(|i| i == 3).collect();
        let err = CrossValidation::default()
            .run(&params, &x, &one_positive)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Undefined);
        let err = CrossValidation::default()
            .run(&params, &x, &y[1..])
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LengthMismatch);
        let slow = LogisticParams {
            max_iterations: 1,
            ..LogisticParams::default()
        };
        let err = CrossValidation::default().run(&slow, &x, &y).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotConverged);
        // A feature that varies in one observation only is constant in the training data of the
        // fold that holds it out: said of the fold, not of the whole data set.
        let mut rare = vec![0.0; y.len()];
        rare[7] = 1.0;
        let mut with_rare = x.clone();
        with_rare.push(rare);
        let err = CrossValidation::default()
            .run(&params, &with_rare, &y)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Undefined);
        assert!(
            err.to_string().contains("in a fold's training data"),
            "{err}"
        );
        // Constant in all the data: said so, without the advice about folds.
        let mut constant = x.clone();
        constant.push(vec![2.0; y.len()]);
        let err = CrossValidation::default()
            .run(&params, &constant, &y)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Undefined);
        assert!(!err.to_string().contains("fold"), "{err}");
    }
}

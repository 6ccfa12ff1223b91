//! L2-regularized logistic regression by Newton's method (IRLS), with standard errors: how
//! calibration learns signal weights from known outcomes.
//!
//! # Model and objective
//!
//! `P(y = 1 | x) = σ(b₀ + Σ_j b_j x_j)` with `σ(η) = 1 / (1 + e^(−η))`. The fit maximizes the
//! penalized log-likelihood
//!
//! `ℓ(b) − (λ/2) Σ_{j≥1} b_j²`, where `ℓ(b) = Σ_i [y_i η_i − ln(1 + e^(η_i))]`,
//!
//! the same objective as scikit-learn's `LogisticRegression(C = 1/λ)` (L2; its intercept is not
//! penalized either). The intercept is not penalized, so shrinkage pulls predictions toward the
//! base rate, not toward one half. The penalty is the log-density of a `N(0, 1/λ)` prior on each
//! coefficient: λ is a prior precision, in units of one observation's log-likelihood (so a given
//! λ shrinks less the more observations there are). λ = 0 is plain maximum likelihood.
//!
//! The penalty only makes sense when the features share a scale, so by default they are
//! **standardized** (centred on their mean, divided by their standard deviation with the `1/n`
//! convention, both from the training data) before fitting; the coefficients and standard errors
//! are reported back on the features' own scale, and the [`Standardization`] is kept. Turn it off
//! when the features are already on a common scale (normalized signals).
//!
//! # Newton's method
//!
//! Each iteration solves `H · step = g` with the gradient `g = Xᵀ(y − p) − λ·D·b` and the
//! negative Hessian `H = Xᵀ W X + λ·D` (`W = diag(p_i(1 − p_i))`, `D` the identity without its
//! intercept entry) by a Cholesky factorization, then halves the step until the objective rises
//! enough (Armijo backtracking), which makes every iteration an improvement. The objective is
//! strictly concave for λ > 0, so the iteration converges, quadratically near the optimum.
//!
//! **Convergence**: the fit stops when the step's largest component is at most
//! `tolerance · (1 + max_j |b_j|)` (on the fitting scale). A step criterion rather than a change
//! in the objective, because on separable data the objective flattens out while the
//! coefficients run off to infinity: the step then never shrinks.
//!
//! **Standard errors** are the square roots of the diagonal of `H⁻¹` at the optimum: the inverse
//! of the penalized observed information. For λ = 0 that is the usual asymptotic covariance of
//! maximum likelihood; for λ > 0 it is the usual approximation (the Laplace approximation of the
//! posterior under the Gaussian prior above), which ignores the bias that shrinkage introduces.
//!
//! # Failures
//!
//! - all labels equal: [`Error::NoPositives`] / [`Error::NoNegatives`];
//! - outcomes perfectly separated by the features (the maximum-likelihood coefficients are
//!   infinite): [`Error::Separable`], detected, with λ = 0, as a fit that did not converge, or,
//!   with any λ, as a Hessian that degenerated while some fitted probabilities reached 0 or 1
//!   (`|η| > 30`: a λ far too small to hold the coefficients, 1e-300 say, fails as λ = 0 does).
//!   A penalty of the order of 1, the default, fixes it;
//! - a constant feature when standardizing, or one with values beyond about 8.9e307 (a value
//!   minus the mean would overflow), or a fit whose coefficients or standard errors are beyond
//!   the largest number on the features' own scale (features near the smallest numbers):
//!   [`Error::Undefined`];
//! - collinear or constant features without enough penalty: [`Error::SingularMatrix`], when the
//!   Cholesky factorization fails or its pivots span more than 12 orders of magnitude
//!   (`min L_jj² / max L_jj² < 1e−12`, a cheap reciprocal-condition estimate);
//! - a constant feature cannot be standardized: [`Error::Undefined`].
//!
//! ```
//! use lead_customers::evidence::LogisticParams;
//! let x = vec![vec![0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]];
//! let y = [false, false, false, true, false, true, true, true];
//! let params = LogisticParams { lambda: 0.0, standardize: false, ..LogisticParams::default() };
//! let fit = params.check()?.fit(&x, &y)?;
//! // Maximum likelihood on a 2×2 table: the slope is the log odds ratio ln((3·3)/(1·1)).
//! assert!((fit.coefficients[0] - 9f64.ln()).abs() < 1e-9);
//! assert!((fit.intercept - (1.0f64 / 3.0).ln()).abs() < 1e-9);
//! assert!(fit.converged);
//! # Ok::<(), lead_customers::Error>(())
//! ```

use nalgebra::{Cholesky, DMatrix, DVector, Dyn};
use serde::{Deserialize, Serialize};

use crate::error::{
    Error, Result, check_at_most, check_finite, check_non_negative, check_positive,
};

const WHAT: &str = "logistic regression";

/// The largest penalty strength λ: a prior worth a billion observations. Why: such a prior
/// already holds every coefficient at 0 to within rounding for any data set this library meets,
/// and far beyond it (from about 1e12 · n p(1 − p), n observations at base rate p) the penalized
/// Hessian's pivots (about λ for the coefficients, about n p(1 − p) for the intercept, which is
/// not penalized) differ by more than the factorization tells from a singular matrix, so the fit
/// would blame the features for what the penalty does. 1e9 keeps a wide margin below that.
pub const MAX_LAMBDA: f64 = 1e9;

/// The most Newton iterations a fit may be allowed: a well-posed fit needs fewer than 10, and an
/// unbounded count (a misplaced `usize::MAX`) would let a fit that cannot meet its tolerance run
/// for ever.
pub const MAX_LOGISTIC_ITERATIONS: usize = 10_000;

/// Settings of a logistic regression fit, checked into a [`LogisticRegression`].
///
/// ```
/// use lead_customers::evidence::LogisticParams;
/// let params: LogisticParams = serde_json::from_str(r#"{"lambda": 0.1}"#).unwrap();
/// assert!(params.standardize);
/// assert_eq!(params.max_iterations, 100);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogisticParams {
    /// L2 penalty strength λ ≥ 0 (the prior precision of each coefficient). Default 1: a weak
    /// prior, worth one observation, that keeps coefficients finite on separable data. At most
    /// [`MAX_LAMBDA`].
    pub lambda: f64,
    /// Standardize the features before fitting (see the module docs). Default `true`.
    pub standardize: bool,
    /// Newton iterations allowed. Default 100; a well-posed fit needs fewer than 10. From 1 to
    /// [`MAX_LOGISTIC_ITERATIONS`].
    pub max_iterations: usize,
    /// Relative step size at which the fit has converged. Default 1e-9. At least `f64::EPSILON`
    /// (about 2.2e-16): a smaller step is lost in rounding, so the fit would never stop early.
    pub tolerance: f64,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            lambda: 1.0,
            standardize: true,
            max_iterations: 100,
            tolerance: 1e-9,
        }
    }
}

impl LogisticParams {
    /// Checks the settings.
    ///
    /// Errors ([`Error::InvalidParameter`]): λ negative, not finite or above [`MAX_LAMBDA`];
    /// no iterations allowed, or more than [`MAX_LOGISTIC_ITERATIONS`]; a tolerance that is not a
    /// finite number of at least `f64::EPSILON`.
    ///
    /// ```
    /// use lead_customers::evidence::{LogisticParams, MAX_LAMBDA, MAX_LOGISTIC_ITERATIONS};
    /// assert!(LogisticParams { lambda: MAX_LAMBDA, ..Default::default() }.check().is_ok());
    /// assert!(LogisticParams { lambda: 1e13, ..Default::default() }.check().is_err());
    /// let too_many = MAX_LOGISTIC_ITERATIONS + 1;
    /// let forever = LogisticParams { max_iterations: too_many, ..Default::default() };
    /// assert!(forever.check().is_err());
    /// assert!(LogisticParams { tolerance: 1e-300, ..Default::default() }.check().is_err());
    /// ```
    pub fn check(&self) -> Result<LogisticRegression> {
        check_lambda(self.lambda)?;
        if check_positive("tolerance", self.tolerance)? < f64::EPSILON {
            return Err(Error::parameter(
                "tolerance",
                self.tolerance,
                "must be at least f64::EPSILON (about 2.2e-16): smaller steps are lost in rounding",
            ));
        }
        if self.max_iterations == 0 {
            return Err(Error::parameter("max_iterations", 0, "must be at least 1"));
        }
        check_at_most(
            "max_iterations",
            self.max_iterations,
            MAX_LOGISTIC_ITERATIONS,
            || {
                format!(
                    "must be at most {MAX_LOGISTIC_ITERATIONS} (a well-posed fit needs fewer than 10)"
                )
            },
        )?;
        Ok(LogisticRegression {
            params: self.clone(),
        })
    }
}

/// Checked logistic regression settings, ready to [`fit`](Self::fit).
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticRegression {
    params: LogisticParams,
}

/// The centring and scaling applied to each feature before fitting: `z = (x − mean) / scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardization {
    /// Each feature's mean on the training data.
    pub means: Vec<f64>,
    /// Each feature's standard deviation (`1/n` convention) on the training data.
    pub scales: Vec<f64>,
}

/// A fitted logistic regression with its diagnostics.
///
/// Coefficients and standard errors are on the scale of the features as given, whether or not
/// the fit standardized them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLogistic {
    /// One coefficient per feature: the change in log-odds per unit of the feature.
    pub coefficients: Vec<f64>,
    /// The intercept: the log-odds when every feature is zero.
    pub intercept: f64,
    /// Standard error of each coefficient (see the module docs for what they approximate).
    pub standard_errors: Vec<f64>,
    /// Standard error of the intercept.
    pub intercept_standard_error: f64,
    /// The standardization the fit used, if any.
    pub standardization: Option<Standardization>,
    /// The penalty strength λ.
    pub lambda: f64,
    /// Newton iterations run.
    pub iterations: usize,
    /// Whether the convergence criterion was met. A fit that ran out of iterations (without
    /// separation) is returned with `false` so it can be inspected; do not use it as final.
    pub converged: bool,
    /// The (unpenalized) log-likelihood `ℓ` at the fitted coefficients.
    pub log_likelihood: f64,
    /// Observations fitted.
    pub observations: usize,
}

impl LogisticRegression {
    /// The settings.
    pub fn params(&self) -> &LogisticParams {
        &self.params
    }

    /// Fits the model to `features` (one column per feature, each with one value per
    /// observation; there may be none, for an intercept-only model) and `labels`.
    ///
    /// Errors: [`Error::EmptyInput`] without observations; [`Error::LengthMismatch`] when a
    /// column's length differs from the labels'; [`Error::NonFiniteInput`]; and the failures
    /// listed in the module docs.
    ///
    /// ```
    /// use lead_customers::evidence::LogisticParams;
    /// // Intercept only: the fitted probability is the base rate, 2 of 8.
    /// let y = [true, false, false, true, false, false, false, false];
    /// let fit = LogisticParams::default().check()?.fit(&Vec::<Vec<f64>>::new(), &y)?;
    /// assert!((fit.intercept - (2.0f64 / 6.0).ln()).abs() < 1e-9);
    /// // Its standard error is 1 / sqrt(n p (1 − p)).
    /// assert!((fit.intercept_standard_error - 1.0 / (8.0f64 * 0.25 * 0.75).sqrt()).abs() < 1e-9);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn fit<C: AsRef<[f64]>>(&self, features: &[C], labels: &[bool]) -> Result<FittedLogistic> {
        check_features(features, labels.len())?;
        if labels.is_empty() {
            return Err(Error::EmptyInput { what: WHAT });
        }
        if !labels.contains(&true) {
            return Err(Error::NoPositives { what: WHAT });
        }
        if !labels.contains(&false) {
            return Err(Error::NoNegatives { what: WHAT });
        }
        let standardization = if self.params.standardize {
            Some(standardization(features)?)
        } else {
            None
        };
        let x = design(features, labels.len(), standardization.as_ref());
        let y =
            DVector::from_iterator(labels.len(), labels.iter().map(|&l| f64::from(u8::from(l))));
        let newton = newton(&x, &y, &self.params)?;
        // Back to the features' scale: b_j = b'_j / s_j, b_0 = b'_0 − Σ b'_j m_j / s_j, a linear
        // map T of the coefficients, so the covariance becomes T·C·Tᵀ.
        let m = x.ncols();
        let mut t = DMatrix::<f64>::identity(m, m);
        if let Some(s) = &standardization {
            for j in 1..m {
                t[(j, j)] = 1.0 / s.scales[j - 1];
                t[(0, j)] = -s.means[j - 1] / s.scales[j - 1];
            }
        }
        let beta = &t * &newton.beta;
        let covariance = &t * &newton.covariance * t.transpose();
        let se = |j: usize| covariance[(j, j)].max(0.0).sqrt();
        // A slope's is √C'_jj / s_j, taken without squaring s_j, which underflows for features
        // of 1e300 (their standard errors came out 0).
        let slope_se = |j: usize| match &standardization {
            Some(s) => newton.covariance[(j, j)].max(0.0).sqrt() / s.scales[j - 1],
            None => se(j),
        };
        let fitted = FittedLogistic {
            coefficients: beta.iter().skip(1).copied().collect(),
            intercept: beta[0],
            standard_errors: (1..m).map(slope_se).collect(),
            intercept_standard_error: se(0),
            standardization,
            lambda: self.params.lambda,
            iterations: newton.iterations,
            converged: newton.converged,
            log_likelihood: newton.log_likelihood,
            observations: labels.len(),
        };
        let finite = (fitted.coefficients.iter().chain(&fitted.standard_errors))
            .chain([&fitted.intercept, &fitted.intercept_standard_error])
            .all(|v| v.is_finite());
        if !finite {
            // The fit on the standardized scale is fine, but on the features' own scale (values
            // near the smallest numbers, say) its coefficients are beyond the largest.
            return Err(Error::Undefined {
                what: WHAT,
                reason: "on the features' own scale the coefficients or their standard errors \
                         are beyond the largest number; rescale the features"
                    .to_owned(),
            });
        }
        Ok(fitted)
    }
}

impl FittedLogistic {
    /// The linear predictor (log-odds) `b₀ + Σ_j b_j x_j` of each observation of `features`
    /// (one column per feature, as fitted).
    ///
    /// Errors: [`Error::LengthMismatch`] for a wrong number of columns or ragged columns;
    /// [`Error::EmptyInput`] for a model without features (it cannot tell how many observations
    /// are meant; its log-odds is the intercept); [`Error::NonFiniteInput`];
    /// [`Error::Undefined`] when features so large make a log-odds overflow.
    pub fn log_odds<C: AsRef<[f64]>>(&self, features: &[C]) -> Result<Vec<f64>> {
        if features.len() != self.coefficients.len() {
            return Err(Error::LengthMismatch {
                what: "feature columns (one per coefficient)",
                expected: self.coefficients.len(),
                found: features.len(),
            });
        }
        let n = features
            .first()
            .map(|c| c.as_ref().len())
            .ok_or(Error::EmptyInput {
                what: "prediction from feature columns",
            })?;
        check_features(features, n)?;
        let mut eta = vec![self.intercept; n];
        for (column, b) in features.iter().zip(&self.coefficients) {
            for (e, x) in eta.iter_mut().zip(column.as_ref()) {
                *e += b * x;
            }
        }
        if let Some(i) = eta.iter().position(|e| !e.is_finite()) {
            return Err(Error::Undefined {
                what: "logistic regression log-odds",
                reason: format!(
                    "observation {i}: its features are so large that the log-odds overflow"
                ),
            });
        }
        Ok(eta)
    }

    /// The fitted probability `σ(log-odds)` of each observation; see
    /// [`log_odds`](Self::log_odds).
    ///
    /// ```
    /// use lead_customers::evidence::LogisticParams;
    /// let x = vec![vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]];
    /// let y = [false, false, true, false, true, true];
    /// let fit = LogisticParams::default().check()?.fit(&x, &y)?;
    /// let p = fit.probabilities(&[vec![0.0, 7.0]])?;
    /// assert!(p[0] < 0.5 && p[1] > 0.5);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn probabilities<C: AsRef<[f64]>>(&self, features: &[C]) -> Result<Vec<f64>> {
        Ok(self.log_odds(features)?.into_iter().map(sigmoid).collect())
    }

    /// The mean log-loss `−(1/n) Σ [y ln p + (1 − y) ln(1 − p)]` of the model on `features` and
    /// `labels`, computed from the log-odds so that it stays finite.
    ///
    /// Errors: as [`log_odds`](Self::log_odds); [`Error::LengthMismatch`] when the labels do not
    /// match the observations; [`Error::EmptyInput`] without observations (a mean of nothing).
    pub fn log_loss<C: AsRef<[f64]>>(&self, features: &[C], labels: &[bool]) -> Result<f64> {
        let eta = self.log_odds(features)?;
        if eta.is_empty() {
            return Err(Error::EmptyInput {
                what: "log-loss of observations",
            });
        }
        if labels.len() != eta.len() {
            return Err(Error::LengthMismatch {
                what: "labels (one per observation)",
                expected: eta.len(),
                found: labels.len(),
            });
        }
        Ok(mean_log_loss(&eta, labels))
    }
}

/// Checks a penalty strength: from 0 to [`MAX_LAMBDA`].
pub(super) fn check_lambda(lambda: f64) -> Result<f64> {
    check_at_most(
        "lambda",
        check_non_negative("lambda", lambda)?,
        MAX_LAMBDA,
        || format!("must be at most {MAX_LAMBDA:e}, a prior worth a billion observations"),
    )
}

/// Checks that every column has `n` finite values.
pub(super) fn check_features<C: AsRef<[f64]>>(features: &[C], n: usize) -> Result<()> {
    for column in features {
        let column = column.as_ref();
        if column.len() != n {
            return Err(Error::LengthMismatch {
                what: "feature column (one value per label)",
                expected: n,
                found: column.len(),
            });
        }
        check_finite("feature values", column)?;
    }
    Ok(())
}

/// Why a feature cannot be standardized, with its position: kept apart from its [`Error`] so that
/// cross-validation can say it of a fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unstandardizable {
    /// Every value the same.
    Constant(usize),
    /// Values so large that one minus the mean would overflow.
    TooLarge(usize),
}

impl From<Unstandardizable> for Error {
    fn from(cause: Unstandardizable) -> Error {
        let reason = match cause {
            Unstandardizable::Constant(j) => {
                format!("feature {j} is constant; drop it (the intercept covers it)")
            }
            Unstandardizable::TooLarge(j) => format!(
                "feature {j} has values too large to standardize (beyond about 8.9e307); \
                 rescale it"
            ),
        };
        Error::Undefined {
            what: "standardizing the features",
            reason,
        }
    }
}

/// Each feature's mean and standard deviation, or why one cannot be standardized.
pub(super) fn standardization<C: AsRef<[f64]>>(
    features: &[C],
) -> std::result::Result<Standardization, Unstandardizable> {
    let mut means = Vec::with_capacity(features.len());
    let mut scales = Vec::with_capacity(features.len());
    for (j, column) in features.iter().enumerate() {
        let column = column.as_ref();
        let n = column.len() as f64;
        // Computed on the values divided by the power of two at or below the largest magnitude,
        // so that squares of large values do not overflow, nor those of tiny ones underflow, into
        // a false "constant". Dividing and multiplying by a power of two is exact, so ordinary
        // features get the very same mean and deviation as without it.
        let largest = column.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let unit = power_of_two_at_or_below(largest);
        let mean = column.iter().map(|&x| x / unit).sum::<f64>() / n;
        let sd = (column
            .iter()
            .map(|&x| (x / unit - mean).powi(2))
            .sum::<f64>()
            / n)
            .sqrt();
        let (mean, sd) = (mean * unit, sd * unit);
        // NaN when every value is 0 (divided by a unit of 0).
        if sd.is_nan() || sd <= 0.0 {
            return Err(Unstandardizable::Constant(j));
        }
        if !(largest + mean.abs()).is_finite() {
            // A value minus the mean would overflow.
            return Err(Unstandardizable::TooLarge(j));
        }
        means.push(mean);
        scales.push(sd);
    }
    Ok(Standardization { means, scales })
}

/// The largest power of two at or below `x > 0` (the smallest normal number for a subnormal `x`,
/// which the division then scales up exactly); 0 for 0.
fn power_of_two_at_or_below(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else if x < f64::MIN_POSITIVE {
        f64::MIN_POSITIVE
    } else {
        // The sign and exponent bits, the mantissa cleared.
        f64::from_bits(x.to_bits() & 0xfff0_0000_0000_0000)
    }
}

/// The design matrix: a column of ones for the intercept, then the features (standardized when
/// asked).
fn design<C: AsRef<[f64]>>(
    features: &[C],
    n: usize,
    standardization: Option<&Standardization>,
) -> DMatrix<f64> {
    DMatrix::from_fn(n, features.len() + 1, |i, j| match (j, standardization) {
        (0, _) => 1.0,
        (j, None) => features[j - 1].as_ref()[i],
        (j, Some(s)) => (features[j - 1].as_ref()[i] - s.means[j - 1]) / s.scales[j - 1],
    })
}

/// `σ(η) = 1 / (1 + e^(−η))`, evaluated without overflow for either sign.
pub(super) fn sigmoid(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        let e = eta.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^x)` without overflow.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// The log-likelihood `Σ [y η − ln(1 + e^η)]`.
fn log_likelihood(eta: &DVector<f64>, y: &DVector<f64>) -> f64 {
    eta.iter()
        .zip(y.iter())
        .map(|(&e, &y)| y * e - softplus(e))
        .sum()
}

/// The mean log-loss of log-odds `eta` against `labels`, `(1/n) Σ ln(1 + e^(∓η))`.
pub(super) fn mean_log_loss(eta: &[f64], labels: &[bool]) -> f64 {
    let total: f64 = eta
        .iter()
        .zip(labels)
        .map(|(&e, &y)| if y { softplus(-e) } else { softplus(e) })
        .sum();
    total / eta.len() as f64
}

/// The result of Newton's method on the fitting scale.
struct Newton {
    beta: DVector<f64>,
    covariance: DMatrix<f64>,
    iterations: usize,
    converged: bool,
    log_likelihood: f64,
}

/// Maximizes `ℓ(b) − (λ/2) Σ_{j≥1} b_j²` by damped Newton steps (see the module docs).
fn newton(x: &DMatrix<f64>, y: &DVector<f64>, params: &LogisticParams) -> Result<Newton> {
    let m = x.ncols();
    let penalty = DVector::from_fn(m, |j, _| if j == 0 { 0.0 } else { params.lambda });
    // Fitted probabilities at 0 or 1 mean the coefficients are running off to infinity: without
    // a penalty, always; with one, when it is too weak to stop them, which shows as a Hessian
    // that degenerates as the weights p(1 − p) vanish.
    let running_off = |beta: &DVector<f64>| (x * beta).amax() > 30.0;
    let degenerated = |beta: &DVector<f64>, e: Error| {
        if running_off(beta) {
            Error::Separable { what: WHAT }
        } else {
            e
        }
    };
    let objective = |beta: &DVector<f64>| {
        log_likelihood(&(x * beta), y) - 0.5 * penalty.dot(&beta.component_mul(beta))
    };
    // Start at the intercept-only optimum, the base rate's log-odds.
    let rate = y.mean();
    let mut beta = DVector::zeros(m);
    beta[0] = (rate / (1.0 - rate)).ln();
    let mut value = objective(&beta);
    let (mut iterations, mut converged) = (0, false);
    while iterations < params.max_iterations {
        iterations += 1;
        let (gradient, hessian) = gradient_and_hessian(x, y, &beta, &penalty);
        let step = factor(hessian)
            .map_err(|e| degenerated(&beta, e))?
            .solve(&gradient);
        let slope = gradient.dot(&step);
        // Armijo backtracking, with a little slack for rounding at the optimum.
        let slack = 1e-12 * (1.0 + value.abs());
        let mut t = 1.0;
        let accepted = loop {
            let candidate = &beta + &step * t;
            let candidate_value = objective(&candidate);
            if candidate_value >= value + 1e-4 * t * slope - slack {
                break Some((candidate, candidate_value));
            }
            t *= 0.5;
            if t < 1e-10 {
                break None;
            }
        };
        let Some((next, next_value)) = accepted else {
            break;
        };
        let moved = (&next - &beta).amax();
        beta = next;
        value = next_value;
        if moved <= params.tolerance * (1.0 + beta.amax()) {
            converged = true;
            break;
        }
    }
    if !converged && params.lambda == 0.0 && running_off(&beta) {
        return Err(Error::Separable { what: WHAT });
    }
    let (_, hessian) = gradient_and_hessian(x, y, &beta, &penalty);
    let covariance = factor(hessian)
        .map_err(|e| degenerated(&beta, e))?
        .inverse();
    let eta = x * &beta;
    Ok(Newton {
        covariance,
        log_likelihood: log_likelihood(&eta, y),
        beta,
        iterations,
        converged,
    })
}

/// The gradient `Xᵀ(y − p) − λ·D·b` and the negative Hessian `Xᵀ W X + λ·D` of the objective.
fn gradient_and_hessian(
    x: &DMatrix<f64>,
    y: &DVector<f64>,
    beta: &DVector<f64>,
    penalty: &DVector<f64>,
) -> (DVector<f64>, DMatrix<f64>) {
    let p = (x * beta).map(sigmoid);
    let gradient = x.tr_mul(&(y - &p)) - penalty.component_mul(beta);
    let mut weighted = x.clone();
    for (mut row, p) in weighted.row_iter_mut().zip(p.iter()) {
        row *= p * (1.0 - p);
    }
    let hessian = x.tr_mul(&weighted) + DMatrix::from_diagonal(penalty);
    (gradient, hessian)
}

/// The Cholesky factor of the negative Hessian, refusing a singular or nearly singular one.
fn factor(hessian: DMatrix<f64>) -> Result<Cholesky<f64, Dyn>> {
    let singular = || Error::SingularMatrix {
        what: "logistic regression Hessian",
    };
    let cholesky = Cholesky::new(hessian).ok_or_else(singular)?;
    let pivots = cholesky.l_dirty().diagonal().map(|d| d * d);
    // Written so that NaN pivots count as singular too.
    if pivots.min().partial_cmp(&(1e-12 * pivots.max())) != Some(std::cmp::Ordering::Greater) {
        return Err(singular());
    }
    Ok(cholesky)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use rand::{RngExt, SeedableRng};
    use rand_distr::{Distribution, StandardNormal};
    use rand_pcg::Pcg64Mcg;

    fn fit(lambda: f64, standardize: bool, x: &[Vec<f64>], y: &[bool]) -> Result<FittedLogistic> {
        LogisticParams {
            lambda,
            standardize,
            ..LogisticParams::default()
        }
        .check()?
        .fit(x, y)
    }

    /// `n` observations of three standard-normal features with log-odds
    /// `−1 + 1·x₁ − 0.5·x₂ + 0.25·x₃`.
    fn simulated(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<bool>) {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let x: Vec<Vec<f64>> = (0..3)
            .map(|_| (0..n).map(|_| StandardNormal.sample(&mut rng)).collect())
            .collect();
        let y = (0..n)
            .map(|i| {
                let eta = -1.0 + x[0][i] - 0.5 * x[1][i] + 0.25 * x[2][i];
                rng.random::<f64>() < sigmoid(eta)
            })
            .collect();
        (x, y)
    }

    #[test]
    fn maximum_likelihood_recovers_simulated_coefficients_within_three_standard_errors() {
        // Under the model the estimates are approximately normal around the truth with these
        // standard errors, so |estimate − truth| < 3 SE holds with probability 0.997 each; the
        // seed fixes the draw, so this cannot flake.
        let (x, y) = simulated(4000, 11);
        let f = fit(0.0, false, &x, &y).unwrap();
        assert!(f.converged && f.iterations < 10, "{f:?}");
        let truth = [1.0, -0.5, 0.25];
        for ((b, se), t) in f.coefficients.iter().zip(&f.standard_errors).zip(truth) {
            assert!(((b - t) / se).abs() < 3.0, "{b} ± {se}, truth {t}");
        }
        assert!(
            ((f.intercept + 1.0) / f.intercept_standard_error).abs() < 3.0,
            "{f:?}"
        );
        // The default λ = 1 is a prior worth one observation: against 4000 its bias is far
        // below a standard error, so the same tolerance holds.
        let penalized = LogisticParams::default()
            .check()
            .unwrap()
            .fit(&x, &y)
            .unwrap();
        for ((b, se), t) in penalized
            .coefficients
            .iter()
            .zip(&penalized.standard_errors)
            .zip(truth)
        {
            assert!(((b - t) / se).abs() < 3.0, "λ = 1: {b} ± {se}, truth {t}");
        }
        // With 4000 observations the standard errors are about 1/sqrt(n·p(1−p)·var x) ≈ 0.04.
        assert!(
            f.standard_errors.iter().all(|&se| se > 0.02 && se < 0.08),
            "{:?}",
            f.standard_errors
        );
    }

    #[test]
    fn standardizing_does_not_change_maximum_likelihood() {
        let (mut x, y) = simulated(500, 3);
        x[1].iter_mut().for_each(|v| *v = 100.0 * *v + 50.0);
        let raw = fit(0.0, false, &x, &y).unwrap();
        let standardized = fit(0.0, true, &x, &y).unwrap();
        assert!(standardized.standardization.is_some() && raw.standardization.is_none());
        for j in 0..3 {
            let tolerance = 1e-6 * raw.standard_errors[j];
            assert!((raw.coefficients[j] - standardized.coefficients[j]).abs() < tolerance);
            assert!((raw.standard_errors[j] - standardized.standard_errors[j]).abs() < tolerance);
        }
        assert!((raw.intercept - standardized.intercept).abs() < 1e-6);
        assert!(
            (raw.intercept_standard_error - standardized.intercept_standard_error).abs() < 1e-6
        );
        assert!((raw.log_likelihood - standardized.log_likelihood).abs() < 1e-9);
    }

    fn small() -> (Vec<Vec<f64>>, Vec<bool>) {
        let x1 = vec![
            0.5, 1.2, -0.3, 2.0, 1.1, -1.0, 0.0, 0.7, 1.5, -0.5, 2.2, 0.3,
        ];
        let x2 = vec![1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0];
        let y = [1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0]
            .map(|v| v == 1)
            .to_vec();
        (vec![x1, x2], y)
    }

    #[test]
    fn maximum_likelihood_and_standard_errors_match_statsmodels() {
        // statsmodels 0.15.0: sm.Logit(y, sm.add_constant(X)).fit(tol=1e-14).
        let (x, y) = small();
        let f = fit(0.0, false, &x, &y).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-7 * (1.0 + b.abs());
        assert!(close(f.intercept, -2.163968721847102));
        assert!(close(f.coefficients[0], 3.1408400405133996));
        assert!(close(f.coefficients[1], 0.2681644785209449));
        assert!(close(f.intercept_standard_error, 2.0785391603739805));
        assert!(close(f.standard_errors[0], 1.7796467928771784));
        assert!(close(f.standard_errors[1], 1.9389365729200967));
        assert!(close(f.log_likelihood, -3.9370842667072736));
    }

    #[test]
    fn penalized_coefficients_match_scikit_learn() {
        // scikit-learn 1.9.1: LogisticRegression(C=1/λ, solver="newton-cg", tol=1e-14), whose
        // L2 penalty leaves the intercept out, like ours.
        let (x, y) = small();
        let cases = [
            (
                1.0,
                [1.322278306870906, -0.02169125733201268],
                -0.8335781342591458,
            ),
            (
                4.0,
                [0.6455766667823101, -0.009197067842939928],
                -0.4092276331375472,
            ),
        ];
        for (lambda, coefficients, intercept) in cases {
            let f = fit(lambda, false, &x, &y).unwrap();
            assert!((f.intercept - intercept).abs() < 1e-7, "{lambda}: {f:?}");
            for (a, b) in f.coefficients.iter().zip(coefficients) {
                assert!((a - b).abs() < 1e-7, "{lambda}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn a_two_by_two_table_gives_the_log_odds_ratio_and_woolf_standard_error() {
        // x = 0: 3 of 10 positive; x = 1: 6 of 10 positive.
        let x = vec![
            (0..20)
                .map(|i| if i < 10 { 0.0 } else { 1.0 })
                .collect::<Vec<f64>>(),
        ];
        let y: Vec<bool> = (0..20)
            .map(|i| if i < 10 { i < 3 } else { i < 16 })
            .collect();
        let f = fit(0.0, false, &x, &y).unwrap();
        assert!((f.intercept - (3.0f64 / 7.0).ln()).abs() < 1e-9);
        assert!((f.coefficients[0] - (6.0f64 * 7.0 / (4.0 * 3.0)).ln()).abs() < 1e-9);
        let woolf = (1.0 / 3.0 + 1.0 / 7.0 + 1.0 / 6.0 + 1.0 / 4.0f64).sqrt();
        assert!((f.standard_errors[0] - woolf).abs() < 1e-9);
        assert!((f.intercept_standard_error - (1.0 / 3.0 + 1.0 / 7.0f64).sqrt()).abs() < 1e-9);
        let expected_ll =
            3.0 * 0.3f64.ln() + 7.0 * 0.7f64.ln() + 6.0 * 0.6f64.ln() + 4.0 * 0.4f64.ln();
        assert!((f.log_likelihood - expected_ll).abs() < 1e-9);
    }

    #[test]
    fn a_stronger_penalty_shrinks_the_coefficients_toward_zero() {
        let (x, y) = simulated(300, 5);
        let norms: Vec<f64> = [0.0, 1.0, 10.0, 100.0, 1e4]
            .iter()
            .map(|&l| {
                fit(l, true, &x, &y)
                    .unwrap()
                    .coefficients
                    .iter()
                    .map(|b| b * b)
                    .sum::<f64>()
            })
            .collect();
        assert!(norms.windows(2).all(|w| w[1] < w[0]), "{norms:?}");
        assert!(norms[4] < 1e-3 * norms[0]);
        // The intercept is not penalized: a huge λ leaves the base rate's log-odds.
        let base = fit(1e9, true, &x, &y).unwrap();
        let rate = y.iter().filter(|&&v| v).count() as f64 / y.len() as f64;
        assert!((base.intercept - (rate / (1.0 - rate)).ln()).abs() < 1e-4);
    }

    #[test]
    fn separable_outcomes_fail_without_penalty_and_fit_with_one() {
        let x = vec![vec![-2.0, -1.0, -0.5, 0.5, 1.0, 2.0]];
        let y = [false, false, false, true, true, true];
        let err = fit(0.0, false, &x, &y).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Separable);
        // Quasi-complete separation: the two classes overlap at one point only.
        let x = vec![vec![-2.0, -1.0, 0.0, 0.0, 1.0, 2.0]];
        let y = [false, false, false, true, true, true];
        assert_eq!(
            fit(0.0, false, &x, &y).unwrap_err().kind(),
            ErrorKind::Separable
        );
        let f = fit(1.0, false, &x, &y).unwrap();
        assert!(f.converged && f.coefficients[0].is_finite() && f.coefficients[0] > 0.0);
        // A penalty far too weak to hold the coefficients fails as none does (it was called a
        // singular matrix).
        for lambda in [5e-324, 1e-300] {
            assert_eq!(
                fit(lambda, false, &x, &y).unwrap_err().kind(),
                ErrorKind::Separable,
                "{lambda}"
            );
        }
    }

    #[test]
    fn collinear_or_constant_features_are_typed_errors() {
        let (x, y) = small();
        let doubled = vec![x[0].clone(), x[0].iter().map(|v| 2.0 * v).collect()];
        assert_eq!(
            fit(0.0, true, &doubled, &y).unwrap_err().kind(),
            ErrorKind::SingularMatrix
        );
        let constant = vec![x[0].clone(), vec![3.0; y.len()]];
        assert_eq!(
            fit(1.0, true, &constant, &y).unwrap_err().kind(),
            ErrorKind::Undefined
        );
        assert_eq!(
            fit(0.0, false, &constant, &y).unwrap_err().kind(),
            ErrorKind::SingularMatrix
        );
        // A penalty makes the constant column harmless when it is not standardized.
        assert!(fit(1.0, false, &constant, &y).unwrap().converged);
    }

    /// Standardizing makes a fit blind to a feature's scale, however large or small: the same
    /// probabilities at 1e155 and 1e-300 times the values (whose squares overflow or underflow,
    /// so the feature was called constant). Beyond half the largest number, a value minus the
    /// mean would overflow: an error that says so.
    #[test]
    fn standardizing_works_at_any_scale_and_names_values_too_large() {
        let (x, y) = small();
        let scaled = |scale: f64| -> Vec<Vec<f64>> {
            x.iter()
                .map(|c| c.iter().map(|v| v * scale).collect())
                .collect()
        };
        let reference = fit(1.0, true, &x, &y).unwrap();
        let reference_p = reference.probabilities(&x).unwrap();
        // A power of two changes no digit; other scales only the last ones.
        let twice = fit(1.0, true, &scaled(2.0), &y).unwrap();
        assert_eq!(twice.probabilities(&scaled(2.0)).unwrap(), reference_p);
        for scale in [1e155, -1e155, 1e-300, 1e300] {
            let f = fit(1.0, true, &scaled(scale), &y).unwrap();
            let p = f.probabilities(&scaled(scale)).unwrap();
            for (p, q) in p.iter().zip(&reference_p) {
                assert!((p - q).abs() < 1e-9, "scale {scale}: {p} vs {q}");
            }
            // Standard errors on the features' own scale: the reference's over the scale (at
            // 1e300 they underflowed to 0 when computed through the squared scale).
            for (se, reference) in f.standard_errors.iter().zip(&reference.standard_errors) {
                let expected = reference / scale.abs();
                assert!(
                    (se - expected).abs() < 1e-9 * expected,
                    "scale {scale}: {se} vs {expected}"
                );
            }
        }
        // Subnormal features: on their own scale the coefficients overflow, which is an error
        // (the fit returned infinite coefficients).
        match fit(1.0, true, &scaled(1e-315), &y) {
            Err(Error::Undefined { reason, .. }) => {
                assert!(reason.contains("rescale the features"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        let mut huge = vec![0.0; y.len()];
        huge[..3].copy_from_slice(&[f64::MAX, -f64::MAX, f64::MAX]);
        let huge = vec![huge];
        match fit(1.0, true, &huge, &y) {
            Err(Error::Undefined { reason, .. }) => {
                assert!(reason.contains("too large"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn predictions_without_observations_or_beyond_range_are_errors() {
        let (x, y) = small();
        let f = fit(1.0, true, &x, &y).unwrap();
        assert_eq!(
            f.log_loss(&[Vec::<f64>::new(), Vec::new()], &[])
                .unwrap_err()
                .kind(),
            ErrorKind::EmptyInput
        );
        // Tiny values make a huge coefficient, which overflows on large ones.
        let tiny = vec![x[0].iter().map(|v| v * 1e-300).collect::<Vec<f64>>()];
        let f = fit(1.0, true, &tiny, &y).unwrap();
        assert_eq!(
            f.log_odds(&[vec![1e100, -1e100]]).unwrap_err().kind(),
            ErrorKind::Undefined
        );
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        let (x, y) = small();
        assert_eq!(
            fit(1.0, true, &x, &[false; 12]).unwrap_err().kind(),
            ErrorKind::NoPositives
        );
        assert_eq!(
            fit(1.0, true, &x, &[true; 12]).unwrap_err().kind(),
            ErrorKind::NoNegatives
        );
        assert_eq!(
            fit(1.0, true, &x, &y[1..]).unwrap_err().kind(),
            ErrorKind::LengthMismatch
        );
        assert_eq!(
            fit(1.0, true, &Vec::<Vec<f64>>::new(), &[])
                .unwrap_err()
                .kind(),
            ErrorKind::EmptyInput
        );
        let mut nan = x.clone();
        nan[1][4] = f64::NAN;
        assert_eq!(
            fit(1.0, true, &nan, &y).unwrap_err().kind(),
            ErrorKind::NonFinite
        );
        for params in [
            LogisticParams {
                lambda: -1.0,
                ..LogisticParams::default()
            },
            LogisticParams {
                lambda: f64::INFINITY,
                ..LogisticParams::default()
            },
            LogisticParams {
                tolerance: 0.0,
                ..LogisticParams::default()
            },
            LogisticParams {
                max_iterations: 0,
                ..LogisticParams::default()
            },
        ] {
            assert_eq!(
                params.check().unwrap_err().kind(),
                ErrorKind::InvalidParameter
            );
        }
    }

    #[test]
    fn running_out_of_iterations_is_reported_not_hidden() {
        let (x, y) = simulated(200, 9);
        let f = LogisticParams {
            max_iterations: 1,
            ..LogisticParams::default()
        }
        .check()
        .unwrap()
        .fit(&x, &y)
        .unwrap();
        assert!(!f.converged);
        assert_eq!(f.iterations, 1);
    }

    #[test]
    fn predictions_use_the_features_own_scale() {
        let (x, y) = small();
        let f = fit(1.0, true, &x, &y).unwrap();
        let eta = f.log_odds(&x).unwrap();
        let by_hand = f.intercept + f.coefficients[0] * x[0][3] + f.coefficients[1] * x[1][3];
        assert!((eta[3] - by_hand).abs() < 1e-12);
        let p = f.probabilities(&x).unwrap();
        assert!((p[3] - 1.0 / (1.0 + (-by_hand).exp())).abs() < 1e-12);
        let loss = f.log_loss(&x, &y).unwrap();
        assert!((loss + f.log_likelihood / 12.0).abs() < 1e-12);
        assert_eq!(
            f.log_odds(&x[..1]).unwrap_err().kind(),
            ErrorKind::LengthMismatch
        );
        assert_eq!(
            f.log_loss(&x, &y[1..]).unwrap_err().kind(),
            ErrorKind::LengthMismatch
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

        /// At the optimum the penalized gradient vanishes: `Xᵀ(y − p) = λ·D·b`.
        #[test]
        fn the_fit_is_a_stationary_point_of_the_penalized_likelihood(
            seed in 0u64..1000,
            lambda in 0.01f64..10.0,
        ) {
            let (x, y) = simulated(60, seed);
            let f = fit(lambda, false, &x, &y).unwrap();
            proptest::prop_assert!(f.converged);
            let p = f.probabilities(&x).unwrap();
            let residual: Vec<f64> = y.iter().zip(&p).map(|(&y, p)| f64::from(u8::from(y)) - p).collect();
            proptest::prop_assert!(residual.iter().sum::<f64>().abs() < 1e-7);
            for (column, b) in x.iter().zip(&f.coefficients) {
                let gradient: f64 = column.iter().zip(&residual).map(|(x, r)| x * r).sum::<f64>() - lambda * b;
                proptest::prop_assert!(gradient.abs() < 1e-7, "{}", gradient);
            }
        }
    }

    #[test]
    fn numerics_hold_at_extreme_log_odds() {
        assert_eq!(sigmoid(-800.0), 0.0);
        assert_eq!(sigmoid(800.0), 1.0);
        assert!((softplus(800.0) - 800.0).abs() < 1e-12);
        assert!(softplus(-800.0) >= 0.0 && softplus(-800.0) < 1e-300);
        assert!((mean_log_loss(&[40.0], &[false]) - 40.0).abs() < 1e-12);
    }
}

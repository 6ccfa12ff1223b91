//! Maximum-likelihood fit of the BG/NBD parameters by BFGS over log-parameters.
//!
//! Why log-parameters: all four parameters must stay above zero, and on the log scale they do
//! without constraints; the likelihood is also closer to quadratic there, so a quasi-Newton
//! method converges in a few dozen steps. Why hand-written BFGS: four unknowns need nothing more,
//! and a dependency-free optimizer is easy to test (Nocedal & Wright, *Numerical Optimization*,
//! 2nd ed., algorithm 6.1 with the scaling of eq. 6.20).
//!
//! The objective is the mean negative log-likelihood per customer, so the tolerance means the
//! same for 2,000 customers as for 2,000,000.

use serde::{Deserialize, Serialize};

use super::likelihood::SummaryTable;
use super::{BgNbdParams, RepeatSummary};
use crate::error::{Error, Result, check_positive};

const MODEL: &str = "BG/NBD";

/// A log-parameter beyond ±25 (a parameter below 1.4e-11 or above 7.2e10) means the likelihood
/// keeps rising toward a boundary: the data do not identify that parameter.
const LOG_BOUND: f64 = 25.0;

/// The longest step, per log-parameter, that one iteration may take (a factor e^3 ≈ 20), so a
/// poor early search direction cannot jump into overflow.
const MAX_STEP: f64 = 3.0;

/// Armijo's sufficient-decrease constant (Nocedal & Wright's customary 1e-4).
const ARMIJO: f64 = 1e-4;

/// Halvings of the step before the line search gives up.
const MAX_HALVINGS: usize = 60;

/// How to fit the BG/NBD model: the optimizer's settings (linfa's "parameters" side; the fitted
/// values are in [`BgNbdFit`]).
///
/// ```
/// use lead_customers::btyd::{simulate, BgNbdParams, FitOptions};
/// let truth = BgNbdParams::new(0.5, 5.0, 0.8, 3.0).unwrap();
/// let summaries = simulate(&truth, 5_000, 40.0, 7).unwrap();
/// let fit = FitOptions::default().fit(&summaries).unwrap();
/// assert!(fit.converged);
/// assert_eq!(fit.customers, 5_000);
/// assert!((fit.params.r() / truth.r() - 1.0).abs() < 0.3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FitOptions {
    /// The most BFGS iterations before giving up (default 500; fits typically take 15 to 40).
    pub max_iterations: usize,
    /// Convergence: the largest absolute component of the gradient of the mean log-likelihood
    /// per customer, with respect to the log-parameters (default 1e-9). At 1e-9 the parameters
    /// sit within about 1e-6 (relative) of the maximum on typical data, far inside their
    /// sampling error, and floating-point noise in the likelihood (about 1e-15 relative) still
    /// lets the line search make progress.
    pub gradient_tolerance: f64,
    /// Where the search starts (default: r = 1, a = 1, b = 1 and α = mean T / mean x, which puts
    /// the mean purchase rate r/α at the observed rate).
    pub start: Option<BgNbdParams>,
    /// Return the last point with `converged = false` instead of [`Error::NotConverged`] when
    /// the criterion is not met (default false).
    pub allow_unconverged: bool,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            max_iterations: 500,
            gradient_tolerance: 1e-9,
            start: None,
            allow_unconverged: false,
        }
    }
}

/// A fitted BG/NBD model with the diagnostics of its fit.
///
/// Serializes flat: `{"r", "alpha", "a", "b", "log_likelihood", "iterations", "converged",
/// "gradient_norm", "customers"}`.
///
/// ```
/// use lead_customers::btyd::{simulate, BgNbdParams, FitOptions};
/// let truth = BgNbdParams::new(0.5, 5.0, 0.8, 3.0).unwrap();
/// let fit = FitOptions::default().fit(&simulate(&truth, 2_000, 40.0, 1).unwrap()).unwrap();
/// let json = serde_json::to_value(&fit).unwrap();
/// assert_eq!(json["r"], fit.params.r());
/// assert_eq!(json["customers"], 2_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BgNbdFit {
    /// The maximum-likelihood parameters, ready for predictions.
    #[serde(flatten)]
    pub params: BgNbdParams,
    /// The total log-likelihood at `params` (summed over customers, as the paper reports it).
    pub log_likelihood: f64,
    /// BFGS iterations taken.
    pub iterations: usize,
    /// Whether the gradient criterion of [`FitOptions::gradient_tolerance`] was met.
    pub converged: bool,
    /// The largest absolute gradient component (per customer, log-parameters) at the end.
    pub gradient_norm: f64,
    /// The number of customers fitted.
    pub customers: usize,
}

impl FitOptions {
    /// Fits the BG/NBD model to the customers' summaries by maximum likelihood.
    ///
    /// Identical summaries are merged and counted first, so the cost per iteration grows with
    /// the number of *distinct* (x, t_x, T) triples, not of customers.
    ///
    /// Errors:
    /// - [`Error::EmptyPopulation`] for no summaries;
    /// - [`Error::ModelNotIdentified`] when nobody repeats, when every customer has the same
    ///   summary, or when a parameter runs off toward 0 or infinity during the search;
    /// - [`Error::NotConverged`] when the gradient criterion is not met within
    ///   `max_iterations` or the line search stalls (unless `allow_unconverged`);
    /// - [`Error::InvalidParameter`] for invalid options.
    ///
    /// ```
    /// use lead_customers::{btyd::{FitOptions, RepeatSummary}, ErrorKind};
    /// let nobody_repeats = vec![RepeatSummary::new(0, 0.0, 10.0).unwrap(); 3];
    /// let err = FitOptions::default().fit(&nobody_repeats).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::ModelNotIdentified);
    /// assert_eq!(FitOptions::default().fit(&[]).unwrap_err().kind(), ErrorKind::EmptyPopulation);
    /// ```
    pub fn fit(&self, summaries: &[RepeatSummary]) -> Result<BgNbdFit> {
        let tolerance = check_positive("gradient_tolerance", self.gradient_tolerance)?;
        if summaries.is_empty() {
            return Err(Error::EmptyPopulation {
                what: "fitting the BG/NBD model",
            });
        }
        let table = SummaryTable::from_summaries(summaries);
        if !table.anyone_repeats() {
            return Err(not_identified(
                "nobody repeats, so the purchase rate and the dropout cannot be told apart",
            ));
        }
        if table.distinct_triples() == 1 {
            return Err(not_identified(
                "every customer has the same (frequency, recency, T)",
            ));
        }
        let start = match self.start {
            Some(start) => start,
            None => {
                let (mean_x, mean_t) = table.mean_frequency_and_age();
                let alpha = (mean_t / mean_x).clamp(1e-6, 1e6);
                BgNbdParams::new(1.0, alpha, 1.0, 1.0)?
            }
        };
        let objective = Objective {
            table: &table,
            customers: table.customers() as f64,
        };
        let outcome = minimize(&objective, start.to_array().map(f64::ln), self, tolerance)?;
        if !outcome.converged && !self.allow_unconverged {
            return Err(Error::NotConverged {
                model: MODEL,
                iterations: outcome.iterations,
                gradient_norm: outcome.gradient_norm,
            });
        }
        let [r, alpha, a, b] = outcome.theta.map(f64::exp);
        Ok(BgNbdFit {
            params: BgNbdParams::new(r, alpha, a, b)?,
            log_likelihood: -outcome.value * objective.customers,
            iterations: outcome.iterations,
            converged: outcome.converged,
            gradient_norm: outcome.gradient_norm,
            customers: table.customers(),
        })
    }
}

fn not_identified(reason: impl Into<String>) -> Error {
    Error::ModelNotIdentified {
        model: MODEL,
        reason: reason.into(),
    }
}

/// The mean negative log-likelihood per customer as a function of the log-parameters.
struct Objective<'a> {
    table: &'a SummaryTable,
    customers: f64,
}

impl Objective<'_> {
    /// Value and gradient at `theta` = ln [r, α, a, b]; d/dθ = p · d/dp.
    fn evaluate(&self, theta: [f64; 4]) -> (f64, [f64; 4]) {
        let p = theta.map(f64::exp);
        let (ll, grad) = self.table.evaluate(p);
        let mut g = [0.0; 4];
        for i in 0..4 {
            g[i] = -grad[i] * p[i] / self.customers;
        }
        (-ll / self.customers, g)
    }
}

struct Outcome {
    theta: [f64; 4],
    value: f64,
    gradient_norm: f64,
    iterations: usize,
    converged: bool,
}

type Matrix = [[f64; 4]; 4];

const IDENTITY: Matrix = [
    [1.0, 0.0, 0.0, 0.0],
    [0.0, 1.0, 0.0, 0.0],
    [0.0, 0.0, 1.0, 0.0],
    [0.0, 0.0, 0.0, 1.0],
];

/// BFGS on the inverse Hessian H with an Armijo backtracking line search. The curvature
/// condition is not enforced by the search; instead the update is skipped when sᵀy <= 0, which
/// keeps H positive definite. A stalled search from a quasi-Newton direction restarts from the
/// steepest descent once before giving up.
fn minimize(
    objective: &Objective<'_>,
    mut theta: [f64; 4],
    options: &FitOptions,
    tolerance: f64,
) -> Result<Outcome> {
    let (mut value, mut grad) = objective.evaluate(theta);
    if !value.is_finite() {
        return Err(Error::parameter(
            "start",
            format!("{:?}", theta.map(f64::exp)),
            "the log-likelihood is not finite at the starting point",
        ));
    }
    let mut h = IDENTITY;
    let mut fresh = true; // h is the identity, not yet scaled to the problem
    let mut iterations = 0;
    loop {
        let gradient_norm = max_abs(grad);
        let done = |converged| Outcome {
            theta,
            value,
            gradient_norm,
            iterations,
            converged,
        };
        if gradient_norm <= tolerance {
            return Ok(done(true));
        }
        if let Some(i) = (0..4).find(|&i| theta[i].abs() > LOG_BOUND) {
            let names = ["r", "alpha", "a", "b"];
            let toward = if theta[i] > 0.0 { "infinity" } else { "zero" };
            return Err(not_identified(format!(
                "the likelihood keeps rising as {} goes toward {toward} (reached {:.3e})",
                names[i],
                theta[i].exp()
            )));
        }
        if iterations >= options.max_iterations {
            return Ok(done(false));
        }
        let mut direction = mat_vec(&h, grad).map(|v| -v);
        if dot(direction, grad) >= 0.0 {
            h = IDENTITY;
            fresh = true;
            direction = grad.map(|v| -v);
        }
        let longest = max_abs(direction);
        if longest > MAX_STEP {
            direction = direction.map(|v| v * MAX_STEP / longest);
        }
        let Some((next, next_value, next_grad)) =
            line_search(objective, theta, value, grad, direction)
        else {
            if fresh {
                return Ok(done(false));
            }
            h = IDENTITY;
            fresh = true;
            continue;
        };
        iterations += 1;
        let s: [f64; 4] = std::array::from_fn(|i| next[i] - theta[i]);
        let y: [f64; 4] = std::array::from_fn(|i| next_grad[i] - grad[i]);
        let sy = dot(s, y);
        if sy > 1e-12 * dot(s, s).sqrt() * dot(y, y).sqrt() {
            if fresh {
                // Nocedal & Wright eq. 6.20: scale the first H to the curvature just seen.
                let scale = sy / dot(y, y);
                h = IDENTITY.map(|row| row.map(|v| v * scale));
                fresh = false;
            }
            bfgs_update(&mut h, s, y, sy);
        }
        (theta, value, grad) = (next, next_value, next_grad);
    }
}

/// Backtracking from the full step until f(θ + λd) <= f(θ) + 1e-4 λ ∇f·d (Armijo); a
/// non-finite value counts as too far.
fn line_search(
    objective: &Objective<'_>,
    theta: [f64; 4],
    value: f64,
    grad: [f64; 4],
    direction: [f64; 4],
) -> Option<([f64; 4], f64, [f64; 4])> {
    let slope = dot(grad, direction);
    let mut step = 1.0;
    for _ in 0..MAX_HALVINGS {
        let trial: [f64; 4] = std::array::from_fn(|i| theta[i] + step * direction[i]);
        let (trial_value, trial_grad) = objective.evaluate(trial);
        if trial_value.is_finite()
            && trial_grad.iter().all(|g| g.is_finite())
            && trial_value <= value + ARMIJO * step * slope
        {
            return Some((trial, trial_value, trial_grad));
        }
        step *= 0.5;
    }
    None
}

/// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1 / sᵀy (Nocedal & Wright eq. 6.17).
fn bfgs_update(h: &mut Matrix, s: [f64; 4], y: [f64; 4], sy: f64) {
    let rho = 1.0 / sy;
    let hy = mat_vec(h, y);
    let yhy = dot(y, hy);
    for i in 0..4 {
        for j in 0..4 {
            h[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}

fn mat_vec(m: &Matrix, v: [f64; 4]) -> [f64; 4] {
    m.map(|row| dot(row, v))
}

fn dot(u: [f64; 4], v: [f64; 4]) -> f64 {
    u.iter().zip(v).map(|(a, b)| a * b).sum()
}

fn max_abs(v: [f64; 4]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

//! Maximum-likelihood fit of the BG/NBD parameters by BFGS over log-parameters (the method is
//! described on [`FitOptions`]).
//!
//! The objective is the mean negative log-likelihood per customer, so the tolerance means the
//! same for 2,000 customers as for 2,000,000.

use serde::{Deserialize, Serialize};

use super::likelihood::SummaryTable;
use super::{BgNbdParams, RepeatSummary};
use crate::error::{Error, Result, check_at_most, check_positive};

const MODEL: &str = "BG/NBD";

/// A log-parameter beyond ±25 (a parameter below 1.4e-11 or above 7.2e10) means the likelihood
/// keeps rising toward a boundary: the data do not identify that parameter. The search stops
/// there.
const LOG_BOUND: f64 = 25.0;

/// A search that fails to converge with a log-parameter beyond ±10 (a parameter below 4.5e-5 or
/// above 2.2e4, far outside what customer data produce in days or weeks) is reported as drifting
/// toward a boundary rather than as merely slow.
const DRIFT_BOUND: f64 = 10.0;

/// The longest step, per log-parameter, that one iteration may take (a factor e^3 ≈ 20), so a
/// poor early search direction cannot jump into overflow.
const MAX_STEP: f64 = 3.0;

/// Armijo's sufficient-decrease constant (Nocedal & Wright's customary 1e-4).
const ARMIJO: f64 = 1e-4;

/// Halvings of the step before the line search gives up (down to a step of 1e-9).
const MAX_HALVINGS: usize = 30;

/// The most iterations a BG/NBD fit may be allowed: fits typically take 20 to 50, and an
/// unbounded count (a misplaced `usize::MAX`) with a tolerance too tight to meet would let a fit
/// crawl on for ever.
pub const MAX_FIT_ITERATIONS: usize = 10_000;

/// How to fit the BG/NBD model: the optimizer's settings (linfa's "parameters" side; the fitted
/// values are in [`BgNbdFit`]).
///
/// The fit maximizes the total log-likelihood of eq. 6 of Fader, Hardie & Lee (2005) (see
/// [`BgNbdParams::log_likelihood`]) over θ = ln(r, α, a, b) with BFGS (Nocedal & Wright,
/// *Numerical Optimization*, 2nd ed., algorithm 6.1, first inverse Hessian scaled by eq. 6.20)
/// and a backtracking line search that accepts Armijo's sufficient decrease or, once the
/// likelihood has run out of digits near the optimum, Hager & Zhang's approximate Wolfe
/// conditions. Why log-parameters: they keep all four positive without constraints and make
/// the surface closer to quadratic. Why BFGS by hand: four unknowns need nothing more, and the
/// analytic gradient makes each step cheap. It stops when the largest gradient component of the
/// mean log-likelihood per customer falls to `gradient_tolerance`.
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
#[serde(default, deny_unknown_fields)]
pub struct FitOptions {
    /// The most BFGS iterations before giving up (default 500; fits typically take 20 to 50).
    /// At most [`MAX_FIT_ITERATIONS`].
    pub max_iterations: usize,
    /// Convergence: the largest absolute component of the gradient of the mean log-likelihood
    /// per customer, with respect to the log-parameters (default 1e-9). At 1e-9 the parameters
    /// sit within about 1e-6 (relative) of the maximum on typical data, far inside their
    /// sampling error; the line search's approximate Wolfe test lets the fit get there although
    /// the likelihood itself carries only about 15 significant digits.
    pub gradient_tolerance: f64,
    /// Where the search starts (default: r = 1, a = 1, b = 1 and α = mean T / mean x, which puts
    /// the mean purchase rate r/α at the observed rate). Each parameter from e^-25 (1.4e-11) to
    /// e^25 (7.2e10): beyond, the search takes a parameter for one running away to 0 or to
    /// infinity, and the start is refused.
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
#[serde(try_from = "RawFit")]
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

/// The flat JSON of a [`BgNbdFit`], read field by field: serde's `flatten` would let a misspelt
/// field through unnoticed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFit {
    r: f64,
    alpha: f64,
    a: f64,
    b: f64,
    log_likelihood: f64,
    iterations: usize,
    converged: bool,
    gradient_norm: f64,
    customers: usize,
}

impl TryFrom<RawFit> for BgNbdFit {
    type Error = Error;
    fn try_from(raw: RawFit) -> Result<Self> {
        Ok(BgNbdFit {
            params: BgNbdParams::new(raw.r, raw.alpha, raw.a, raw.b)?,
            log_likelihood: raw.log_likelihood,
            iterations: raw.iterations,
            converged: raw.converged,
            gradient_norm: raw.gradient_norm,
            customers: raw.customers,
        })
    }
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
    ///   summary, or when a parameter runs off toward 0 or infinity (past e^±25 during the
    ///   search, or past e^±10 when the search ends without converging);
    /// - [`Error::NotConverged`] when the gradient criterion is not met within
    ///   `max_iterations` or the line search stalls (unless `allow_unconverged`);
    /// - [`Error::InvalidParameter`] for invalid options (a gradient tolerance that is not a
    ///   positive finite number, more than [`MAX_FIT_ITERATIONS`] iterations, a start with a
    ///   parameter beyond e^±25).
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
        check_at_most(
            "max_iterations",
            self.max_iterations,
            MAX_FIT_ITERATIONS,
            || format!("must be at most {MAX_FIT_ITERATIONS} (fits typically take 20 to 50)"),
        )?;
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
            Some(start) => {
                let log = start.to_array().map(f64::ln);
                if log.iter().any(|v| v.abs() > LOG_BOUND) {
                    return Err(Error::parameter(
                        "start",
                        format!("{:?}", start.to_array()),
                        "each parameter must be from e^-25 (1.4e-11) to e^25 (7.2e10): beyond, \
                         the search would take it for one running away",
                    ));
                }
                start
            }
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
            if let Some(reason) = runaway(outcome.theta, DRIFT_BOUND) {
                return Err(not_identified(reason));
            }
            return Err(Error::NotConverged {
                what: MODEL,
                iterations: outcome.iterations,
                gradient_norm: Some(outcome.gradient_norm),
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

/// Names the first log-parameter beyond `bound`, and which way it went.
fn runaway(theta: [f64; 4], bound: f64) -> Option<String> {
    let names = ["r", "alpha", "a", "b"];
    let i = (0..4).find(|&i| theta[i].abs() > bound)?;
    let toward = if theta[i] > 0.0 { "infinity" } else { "zero" };
    Some(format!(
        "the likelihood keeps rising as {} goes toward {toward} (reached {:.3e})",
        names[i],
        theta[i].exp()
    ))
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
        if let Some(reason) = runaway(theta, LOG_BOUND) {
            return Err(not_identified(reason));
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

/// Backtracking from the full step λ = 1, halving, until the step is acceptable:
///
/// - Armijo's sufficient decrease, f(θ + λd) <= f(θ) + 1e-4 λ ∇f·d; or
/// - near the optimum, where f changes by less than its rounding noise and Armijo's test
///   becomes a coin toss, Hager & Zhang's approximate Wolfe conditions (SIAM J. Optim. 16(1),
///   2005): f did not rise by more than 1e-12 |f|, and the slope along d shrank,
///   0.9 ∇f·d <= ∇f(θ + λd)·d <= −0.8 ∇f·d. The gradient stays accurate long after f has run
///   out of digits, so this lets the fit reach a tight gradient tolerance.
///
/// A non-finite value counts as too far.
fn line_search(
    objective: &Objective<'_>,
    theta: [f64; 4],
    value: f64,
    grad: [f64; 4],
    direction: [f64; 4],
) -> Option<([f64; 4], f64, [f64; 4])> {
    let slope = dot(grad, direction);
    let noise = 1e-12 * value.abs();
    let mut step = 1.0;
    for _ in 0..MAX_HALVINGS {
        let trial: [f64; 4] = std::array::from_fn(|i| theta[i] + step * direction[i]);
        let (trial_value, trial_grad) = objective.evaluate(trial);
        if trial_value.is_finite() && trial_grad.iter().all(|g| g.is_finite()) {
            let armijo = trial_value <= value + ARMIJO * step * slope;
            let trial_slope = dot(trial_grad, direction);
            let approximate_wolfe =
                trial_value <= value + noise && (0.9 * slope..=-0.8 * slope).contains(&trial_slope);
            if armijo || approximate_wolfe {
                return Some((trial, trial_value, trial_grad));
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::btyd::simulate;

    /// Standard errors of the log-parameters at `params`: the square roots of the diagonal of the
    /// inverse observed information, −∂²LL/∂θ², from central differences of the analytic
    /// gradient.
    fn log_standard_errors(params: BgNbdParams, summaries: &[RepeatSummary]) -> [f64; 4] {
        let table = SummaryTable::from_summaries(summaries);
        let theta = params.to_array().map(f64::ln);
        let gradient = |theta: [f64; 4]| {
            let p = theta.map(f64::exp);
            let (_, g) = table.evaluate(p);
            std::array::from_fn::<f64, 4, _>(|i| g[i] * p[i])
        };
        let h = 1e-5;
        let mut information = [[0.0; 4]; 4];
        for j in 0..4 {
            let (mut up, mut down) = (theta, theta);
            up[j] += h;
            down[j] -= h;
            let (gu, gd) = (gradient(up), gradient(down));
            for i in 0..4 {
                information[i][j] = -(gu[i] - gd[i]) / (2.0 * h);
            }
        }
        let covariance = invert(information);
        std::array::from_fn(|i| covariance[i][i].sqrt())
    }

    /// Gauss-Jordan inverse with partial pivoting of a small, well-conditioned matrix.
    fn invert(mut m: Matrix) -> Matrix {
        let mut inverse = IDENTITY;
        for col in 0..4 {
            let pivot = (col..4)
                .max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))
                .unwrap();
            m.swap(col, pivot);
            inverse.swap(col, pivot);
            let scale = m[col][col];
            for k in 0..4 {
                m[col][k] /= scale;
                inverse[col][k] /= scale;
            }
            for row in (0..4).filter(|&r| r != col) {
                let factor = m[row][col];
                for k in 0..4 {
                    m[row][k] -= factor * m[col][k];
                    inverse[row][k] -= factor * inverse[col][k];
                }
            }
        }
        inverse
    }

    /// Parameter recovery. With n customers the maximum-likelihood estimate of the
    /// log-parameters is approximately normal around the truth with the standard errors of the
    /// observed information, so each estimate must fall within 4 of them (a 6e-5 chance of a
    /// miss per parameter if the fit is right; the seeds are fixed, so the test is
    /// deterministic). The standard errors are 1% to 7% of the parameters here, so the band
    /// still catches a biased likelihood or a fit stopped early.
    #[test]
    fn recovers_simulated_parameters_within_four_standard_errors() {
        let cases = [
            ((0.243, 4.414, 0.793, 2.426), 39.0), // CDNOW, weeks
            ((1.5, 10.0, 2.0, 5.0), 52.0),        // a > 1, more regular buyers
            ((0.5, 30.0, 0.4, 1.2), 365.0),       // days, most drop out early
            ((5.0, 20.0, 1.2, 8.0), 100.0),       // homogeneous rates
        ];
        for (seed, ((r, alpha, a, b), length)) in cases.into_iter().enumerate() {
            let truth = BgNbdParams::new(r, alpha, a, b).unwrap();
            let summaries = simulate(&truth, 30_000, length, seed as u64).unwrap();
            let fit = FitOptions::default().fit(&summaries).unwrap();
            assert!(fit.converged);
            let errors = log_standard_errors(fit.params, &summaries);
            let estimates = fit.params.to_array();
            for i in 0..4 {
                let miss = (estimates[i].ln() - truth.to_array()[i].ln()).abs();
                assert!(
                    miss < 4.0 * errors[i],
                    "{truth:?}: parameter {i} estimated {} (log miss {miss:.4}, se {:.4})",
                    estimates[i],
                    errors[i]
                );
            }
        }
    }

    #[test]
    fn a_start_the_search_would_take_for_a_runaway_is_refused() {
        let truth = BgNbdParams::new(0.243, 4.414, 0.793, 2.426).unwrap();
        let summaries = simulate(&truth, 2_000, 39.0, 4).unwrap();
        for far in [
            BgNbdParams::new(1e-12, 4.0, 1.0, 1.0).unwrap(),
            BgNbdParams::new(1.0, 1e11, 1.0, 1.0).unwrap(),
        ] {
            let options = FitOptions {
                start: Some(far),
                ..FitOptions::default()
            };
            let err = options.fit(&summaries).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidParameter, "{err}");
            assert!(err.to_string().contains("start"), "{err}");
        }
        // Just inside the bounds, the search starts and converges.
        let near = FitOptions {
            start: Some(BgNbdParams::new(1e-10, 4.0, 1.0, 1.0).unwrap()),
            ..FitOptions::default()
        };
        assert!(near.fit(&summaries).unwrap().converged);
    }

    #[test]
    fn the_optimum_does_not_depend_on_the_start() {
        let truth = BgNbdParams::new(0.243, 4.414, 0.793, 2.426).unwrap();
        let summaries = simulate(&truth, 5_000, 39.0, 9).unwrap();
        let from_default = FitOptions::default().fit(&summaries).unwrap();
        let far = FitOptions {
            start: Some(BgNbdParams::new(20.0, 0.1, 30.0, 0.05).unwrap()),
            ..FitOptions::default()
        };
        let from_far = far.fit(&summaries).unwrap();
        for (p, q) in from_default
            .params
            .to_array()
            .iter()
            .zip(from_far.params.to_array())
        {
            assert!((p / q - 1.0).abs() < 1e-5, "{p} vs {q}");
        }
        assert!((from_default.log_likelihood - from_far.log_likelihood).abs() < 1e-6);
    }

    #[test]
    fn the_same_summary_for_everyone_identifies_nothing() {
        let same = vec![RepeatSummary::new(2, 5.0, 10.0).unwrap(); 100];
        let err = FitOptions::default().fit(&same).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ModelNotIdentified);
    }

    #[test]
    fn nobody_dropping_out_is_reported_as_a_drift() {
        // Every repeater was active at the very end: the likelihood rises without bound as the
        // dropout probability goes to 0.
        let mut summaries = Vec::new();
        for x in 0..6 {
            let recency = if x > 0 { 10.0 } else { 0.0 };
            summaries.extend([RepeatSummary::new(x, recency, 10.0).unwrap(); 50]);
        }
        summaries.push(RepeatSummary::new(2, 5.0, 5.0).unwrap());
        let err = FitOptions::default().fit(&summaries).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ModelNotIdentified, "{err}");
    }

    #[test]
    fn too_few_iterations_is_a_typed_error_or_an_honest_result() {
        let truth = BgNbdParams::new(0.243, 4.414, 0.793, 2.426).unwrap();
        let summaries = simulate(&truth, 2_000, 39.0, 3).unwrap();
        let short = FitOptions {
            max_iterations: 2,
            ..FitOptions::default()
        };
        match short.fit(&summaries).unwrap_err() {
            Error::NotConverged {
                iterations,
                gradient_norm,
                ..
            } => {
                assert_eq!(iterations, 2);
                assert!(gradient_norm.is_some_and(|g| g > short.gradient_tolerance));
            }
            other => panic!("expected NotConverged, got {other}"),
        }
        let lenient = FitOptions {
            allow_unconverged: true,
            ..short
        };
        let fit = lenient.fit(&summaries).unwrap();
        assert!(!fit.converged);
        assert_eq!(fit.iterations, 2);
    }

    #[test]
    fn refuses_a_tolerance_that_is_not_positive_or_too_many_iterations() {
        let summaries = simulate(&BgNbdParams::new(1.0, 1.0, 1.0, 1.0).unwrap(), 10, 5.0, 1);
        for tolerance in [0.0, -1.0, f64::NAN] {
            let options = FitOptions {
                gradient_tolerance: tolerance,
                ..FitOptions::default()
            };
            let err = options.fit(summaries.as_ref().unwrap()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        }
        // Nor iterations without end.
        for max_iterations in [MAX_FIT_ITERATIONS + 1, usize::MAX] {
            let options = FitOptions {
                max_iterations,
                gradient_tolerance: 5e-324,
                ..FitOptions::default()
            };
            let err = options.fit(summaries.as_ref().unwrap()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidParameter, "{err}");
        }
    }

    #[test]
    fn a_fit_round_trips_through_json_flat() {
        let truth = BgNbdParams::new(0.243, 4.414, 0.793, 2.426).unwrap();
        let fit = FitOptions::default()
            .fit(&simulate(&truth, 1_000, 39.0, 5).unwrap())
            .unwrap();
        let json = serde_json::to_string(&fit).unwrap();
        assert!(json.starts_with("{\"r\":"), "{json}");
        let back: BgNbdFit = serde_json::from_str(&json).unwrap();
        assert_eq!(back, fit);
        let invalid = json.replacen("\"alpha\":", "\"alpha\":-", 1);
        assert!(serde_json::from_str::<BgNbdFit>(&invalid).is_err());
        // A fit refuses a misspelt field too.
        let misspelt = json.replacen("\"converged\":", "\"convergd\":", 1);
        let err = serde_json::from_str::<BgNbdFit>(&misspelt).unwrap_err();
        assert!(err.to_string().contains("convergd"), "{err}");
        // Parameters alone refuse a misspelt one (a fit's start, in a model's settings).
        let err = serde_json::from_str::<BgNbdParams>(r#"{"r":1,"alpha":2,"a":1,"b":1,"alpah":9}"#)
            .unwrap_err();
        assert!(err.to_string().contains("alpah"), "{err}");
    }
}

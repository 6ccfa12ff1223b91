//! Predictions from fitted BG/NBD parameters: P(alive), E[Y(t) | x, t_x, T] and E[X(t)].
//!
//! The formulas are in the docs of the public methods. These notes say how eq. 10 (and eq. 7) of
//! Fader, Hardie & Lee (2005) are evaluated so that they stay accurate everywhere.
//!
//! E[X(t)] is eq. 10's numerator at x = 0, T = 0, so one function computes both. The denominator
//! of eq. 10 is 1 / P(alive). The numerator, read literally, breaks down in three places: at
//! a = 1 (0/0), at a+b+x−1 = 0 (2F1 undefined, times 0), and for large x, where 2F1 overflows
//! while the power in front underflows. Pfaff's transformation (A&S 15.3.4) removes all three:
//! with u = t/(α+T), A = r+x, C = a+b+x−1,
//!
//! ```text
//! ((α+T)/(α+T+t))^{A} 2F1(A, b+x; C; t/(α+T+t)) = 2F1(A, a−1; C; −u),
//! ```
//!
//! and dividing the series of `1 − 2F1(A, a−1; C; −u)` by (a−1)/C term by term leaves
//!
//! ```text
//! N = Σ_{n≥1} (−1)^{n+1} (A)_n (a)_{n−1} u^n / ((C+1)_{n−1} n!)        for u <= 1/2,
//! ```
//!
//! with no division by a−1 or C (these hold for a < 1 too, as on CDNOW's a = 0.793: then
//! (a+b+x−1)/(a−1) and the bracket are both negative). For u > 1/2 the second Pfaff form moves
//! the argument to z = u/(1+u), with D = C − A = a+b−1−r:
//!
//! ```text
//! N = C (1 − (1+u)^{1−a}) / (a−1) − (1+u)^{1−a} Σ_{n≥1} (D)_n (a)_{n−1} z^n / ((C+1)_{n−1} n!),
//! ```
//!
//! where (1 − (1+u)^{1−a})/(a−1) is computed as ln(1+u)·expm1(s)/s, s = (1−a) ln(1+u), exact at
//! a = 1. The parameters of both series no longer grow with x, so a customer with thousands of
//! repeats costs a few terms. Both alternate in sign when A is much larger than C (r well above
//! a + b): their terms then grow before they shrink and cancel. The sum of the absolute values of
//! the terms over the value (a condition number) measures the loss; above 1e4 the other forms
//! below are summed too, and the best-conditioned result is kept.
//!
//! The third form is the paper's, `N = F(a) / (a−1)` with
//!
//! ```text
//! F(a) = C (1 − q) − q Σ_{n≥1} (A)_n (B)_n z^n / ((C+1)_{n−1} n!),  q = (1+u)^{−A}, z = u/(1+u),
//! ```
//!
//! B = b+x. Its series is positive, but it subtracts it from C (1 − q) and divides the
//! difference by a − 1: that cancels when a is near 1 (0/0 at a = 1; within 1e-6 of it the
//! numerator is mostly the rounding of C, which no condition number sees, so it is not tried
//! there) and when r is far above a + b. But F(1) = 0 (at a = 1, C = B, and the series sums to
//! B (1/q − 1)), so N = (F(a) − F(1)) / (a−1), which can be divided out term by term:
//! C − C₁ = a − 1 with C₁ = B, and the difference of 1/(C+1)_{n−1} and 1/(B+1)_{n−1}, divided by
//! a − 1, telescopes into −G_n / (C+1)_{n−1}. So the fourth form,
//!
//! ```text
//! N = (1 − q) + q Σ_{n≥2} (A)_n (B)_n z^n G_n / ((C+1)_{n−1} n!),   G_n = Σ_{j=1}^{n−1} (C+1)_{j−1} / (B+1)_j,
//! ```
//!
//! has every term positive for any a > 0 (its condition number is 1), with no subtraction and no
//! division by a − 1. It needs more terms than the others: about A z / (1 − z) before its terms
//! peak, and more the larger a is, as G_n grows like n^(a−1) (at a = 3000 and t = 1000 α it does
//! not converge in a million terms, where the paper's form is right at once). So it is the last
//! resort, summed unless another form hardly cancels (a condition number of at most 10: the
//! number counts the terms' sizes, not the rounding of each of the thousands of terms of a long
//! sum, which cancellation multiplies too). It carries the products t_n G_n and t_n ρ_n
//! (ρ_n = (C+1)_{n−1}/(B+1)_n, t_n the term without G_n), not their factors, which alone leave the
//! range of an f64 where the products do not. Its sum stops when the rest is provably below 1e-15
//! of the value: past n the ratio of the t's is at most R (as in [`hyp2f1`](fn@super::hyp2f1),
//! with the factors paired whichever way bounds tighter) and that of the ρ's at most
//! g = max(1, (C+n)/(B+n+1)), so the rest is at most `t_n (G_n R/(1−R) + ρ_n R g/(1−R g)²)`. The
//! other series are summed with the criterion of [`hyp2f1`](fn@super::hyp2f1).
//!
//! Accuracy, checked against mpmath at 60 digits by `tests/btyd_mpmath.rs` on 413 points (r, a,
//! b from 0.01 to 50, α from 0.01 to 1000, x up to 1000, t from 1e-6 to 1000 times α + T):
//! relative error below 1e-9 (the worst 2e-11), typically 1e-14, a next to 1 and r ≫ a + b
//! included; and so on hundreds of points of a review, with a up to 3000, a + b down to 2e-12,
//! b up to 1e10. Results below the smallest normal f64 (about 2.2e-308: a customer surely gone)
//! keep only the digits a subnormal number holds. Where every form that can be summed cancels
//! to a condition number above 1e7 (r ≫ a + b over millions of α + T), the expectation is an
//! error, not a value that may be off by more than 1e-9. The price of the fourth form is time
//! where it is needed: a few milliseconds for one expectation when r ≫ a + b and t is hundreds
//! of α + T, and tens of milliseconds (up to about 90 on horizons of 1e60 α and more) before an
//! error when it would need more than a million terms (it gives up at once where its stopping
//! test provably cannot pass within them).

use super::hyp2f1::{
    MAX_TERMS, Series, SeriesFailure, TOLERANCE, WELL_CONDITIONED, hypergeometric_sum, ratio_bound,
};
use super::likelihood::{dropout_log_odds, logistic};
use super::{BgNbdParams, RepeatSummary};
use crate::error::{Error, Result, Shown, check_non_negative};

impl BgNbdParams {
    /// The probability that a customer with this summary is still alive at the end of the
    /// calibration period (Fader, Hardie & Lee 2005, eq. 11):
    ///
    /// ```text
    /// P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} (a/(b+x−1)) ((α+T)/(α+t_x))^{r+x})
    /// ```
    ///
    /// Why it beats plain recency: the same silence means little for a customer who buys twice a
    /// year and much for one who bought weekly; the model weighs the gap T − t_x against the
    /// customer's own rate. A customer without repeats is alive for sure (in BG/NBD, dropout only
    /// happens right after a repeat). Computed as 1/(1 + e^ω) from the log-odds ω of
    /// [`log_likelihood`](Self::log_likelihood), so it stays in [0, 1] without overflow for any x.
    ///
    /// ```
    /// use lead_customers::btyd::{BgNbdParams, RepeatSummary};
    /// let p = BgNbdParams::new(0.243, 4.414, 0.793, 2.426).unwrap();
    /// // Five repeats: the last one last week, or 34 weeks ago.
    /// let recent = RepeatSummary::new(5, 38.0, 38.86).unwrap();
    /// let gone_quiet = RepeatSummary::new(5, 5.0, 38.86).unwrap();
    /// assert!(p.probability_alive(&recent) > 0.85);
    /// assert!(p.probability_alive(&gone_quiet) < 0.1);
    /// assert_eq!(p.probability_alive(&RepeatSummary::new(0, 0.0, 38.86).unwrap()), 1.0);
    /// ```
    pub fn probability_alive(&self, summary: &RepeatSummary) -> f64 {
        let omega = dropout_log_odds(
            self.to_array(),
            f64::from(summary.frequency()),
            summary.recency(),
            summary.t(),
        );
        logistic(-omega)
    }

    /// The expected number of repeat active periods in the next `t` units of time for a customer
    /// with this summary (Fader, Hardie & Lee 2005, eq. 10):
    ///
    /// ```text
    /// E[Y(t) | x, t_x, T] = (a+b+x−1)/(a−1)
    ///                       · [1 − ((α+T)/(α+T+t))^{r+x} 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))]
    ///                       · P(alive | x, t_x, T)
    /// ```
    ///
    /// Read literally the formula fails at a = 1 (0/0), at a+b+x−1 = 0, and for large x (2F1
    /// overflows while the power underflows); it holds for a < 1, where both factors are
    /// negative. It is evaluated through Pfaff-transformed series that have none of these
    /// breakdowns, choosing the best-conditioned of three forms (the derivation is in the source
    /// of `btyd/predict.rs`). Against mpmath (`tests/btyd_mpmath.rs`, r, a, b in [0.01, 50],
    /// α in [0.01, 1000], x up to 1000, t up to 1000 (α + T)) the relative error is below 1e-9,
    /// typically 1e-14, with a at or next to 1 too.
    ///
    /// Errors: `t` negative or not finite, `t` so far beyond α + T (from about a thousand to ten
    /// thousand times, depending on the parameters) that the series would need more than a
    /// million terms, parameters and a summary so extreme that the series leave the range of an
    /// f64, or parameters for which no form can be summed: the one with positive terms would
    /// need more than a million terms (about (r + x) t/(α + T) of them) and the others' terms
    /// cancel so much that the result may be off by more than 1e-9 (a condition number above
    /// 1e7: r far above a + b, over horizons of thousands to millions of α + T): an error rather
    /// than a number with fewer right digits than documented.
    ///
    /// ```
    /// use lead_customers::btyd::{BgNbdParams, RepeatSummary};
    /// let p = BgNbdParams::new(0.243, 4.414, 0.793, 2.426).unwrap();
    /// let s = RepeatSummary::new(2, 30.43, 38.86).unwrap();
    /// let next_year = p.conditional_expected_repeats(&s, 52.0).unwrap();
    /// assert!((next_year - 1.558_720_806_432).abs() < 1e-9); // mpmath, from eq. 10 as printed
    /// assert_eq!(p.conditional_expected_repeats(&s, 0.0).unwrap(), 0.0);
    /// ```
    pub fn conditional_expected_repeats(&self, summary: &RepeatSummary, t: f64) -> Result<f64> {
        let t = check_non_negative("t", t)?;
        let if_alive = self.repeats_if_alive(f64::from(summary.frequency()), summary.t(), t)?;
        Ok(self.probability_alive(summary) * if_alive)
    }

    /// The expected number of repeat active periods of a new customer in their first `t` units of
    /// time (Fader, Hardie & Lee 2005, eq. 7):
    ///
    /// ```text
    /// E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r 2F1(r, b; a+b−1; t/(α+t))]
    /// ```
    ///
    /// Why: it is the population-level curve to hold against the observed cumulative repeats, a
    /// check of the fit. It equals eq. 10 at x = 0, T = 0 and is computed the same way.
    ///
    /// Errors: as for [`conditional_expected_repeats`](Self::conditional_expected_repeats).
    ///
    /// ```
    /// use lead_customers::btyd::BgNbdParams;
    /// let p = BgNbdParams::new(0.243, 4.414, 0.793, 2.426).unwrap();
    /// let e = p.expected_repeats(39.0).unwrap();
    /// assert!((e - 1.196_723_193_321).abs() < 1e-9); // mpmath, from eq. 7 as printed
    /// ```
    pub fn expected_repeats(&self, t: f64) -> Result<f64> {
        let t = check_non_negative("t", t)?;
        self.repeats_if_alive(0.0, 0.0, t)
    }

    /// The numerator of eq. 10: expected repeats in (T, T+t] of a customer alive at T with x
    /// repeats, by the best-conditioned of the three series of this file's notes.
    fn repeats_if_alive(&self, x: f64, age: f64, t: f64) -> Result<f64> {
        let [r, alpha, a, b] = self.to_array();
        let u = t / (alpha + age);
        if u == 0.0 {
            return Ok(0.0);
        }
        let n = Numerator {
            a,
            big_a: r + x,
            big_b: b + x,
            // x − 1 is exact (x is a whole number): added last, it keeps the digits of a + b.
            c: (a + b) + (x - 1.0),
            c_plus_1: (a + b) + x,
            u,
        };
        let first = if u <= 0.5 {
            n.near_zero()
        } else {
            n.second_pfaff()
        };
        let best = match first {
            Ok(e) if e.condition() <= WELL_CONDITIONED => Ok(e),
            _ => {
                let mut candidates = vec![first];
                if u <= 0.5 {
                    candidates.push(n.second_pfaff());
                } else if u < 0.9 {
                    // Still convergent, if slowly, up to u = 1.
                    candidates.push(n.near_zero());
                }
                // It divides by a − 1: within 1e-6 of a = 1 its numerator is mostly the rounding
                // of a + b + x − 1, which no condition number sees (at a = 1 + 1e-13 it gave 0
                // for a true 6.4).
                if (a - 1.0).abs() >= NEAR_ONE {
                    candidates.push(n.paper());
                }
                // Never cancels, but needs more terms the larger a is (G_n grows like n^(a−1)):
                // tried unless another form hardly cancels. Not only when all cancel badly: a
                // condition number counts the terms' sizes, not the rounding of each of the
                // thousands of terms of a long sum, which the cancellation multiplies too (the
                // paper's form at a = 1.00001, r = 56, b = 0.011, t = 130 α, with a condition
                // number of about 1,000, was off by 4e-10).
                let hardly_cancels = |e: &std::result::Result<Series, SeriesFailure>| {
                    e.is_ok_and(|e| e.condition() <= HARDLY_CANCELS)
                };
                if !candidates.iter().any(hardly_cancels) {
                    candidates.push(n.positive_terms());
                }
                let best = candidates
                    .iter()
                    .flatten()
                    .min_by(|p, q| p.condition().total_cmp(&q.condition()));
                match best {
                    Some(&e) => Ok(e),
                    None if candidates.contains(&Err(SeriesFailure::TooManyTerms)) => {
                        Err(SeriesFailure::TooManyTerms)
                    }
                    None => Err(SeriesFailure::Overflow),
                }
            }
        };
        let parameters = || [r, alpha, a, b].map(|v| v.shown()).join(", ");
        match best {
            Ok(e) if e.condition() > MAX_CONDITION => Err(Error::parameter(
                "r, alpha, a, b",
                parameters(),
                format!(
                    "give an expected number of repeats that the series cannot evaluate: their \
                     terms cancel too much (x = {}, T = {}, t = {})",
                    x.shown(),
                    age.shown(),
                    t.shown()
                ),
            )),
            // Rounding can leave −1e-17 where the exact value is +1e-17.
            Ok(e) if e.sum.is_finite() => Ok(e.sum.max(0.0)),
            Err(SeriesFailure::TooManyTerms) => Err(Error::parameter(
                "t",
                t,
                format!(
                    "the horizon is {u:.3e} times alpha + T: the 2F1 series would need more \
                     than {MAX_TERMS} terms"
                ),
            )),
            Ok(_) | Err(SeriesFailure::Overflow | SeriesFailure::IllConditioned) => {
                Err(Error::parameter(
                    "r, alpha, a, b",
                    parameters(),
                    format!(
                        "give series for the expected number of repeats that leave the range of \
                         an f64 (x = {}, T = {}, t = {})",
                        x.shown(),
                        age.shown(),
                        t.shown()
                    ),
                ))
            }
        }
    }
}

/// The largest condition number of an expectation returned as a value: a relative error of
/// about 1e-16 times it, so at most about 1e-9 (the documented accuracy). Above, it is an error
/// rather than a number with fewer right digits than documented (r ≫ a + b at horizons of
/// millions of α + T, where the only form left had a condition number of 7e12 and was off by
/// 8e-5). [`hyp2f1`](fn@super::hyp2f1) keeps any value with a digit to give (1e13).
const MAX_CONDITION: f64 = 1e7;

/// A condition number below which a form's result is kept rather than the slower form with
/// positive terms.
const HARDLY_CANCELS: f64 = 10.0;

/// How close to 1 `a` may be for [`Numerator::paper`] to be tried.
const NEAR_ONE: f64 = 1e-6;

/// Where the sum of [`Numerator::positive_terms`] is rescaled: far from both ends of an f64's
/// range, and a power of 2, so that rescaling is exact.
const HUGE: f64 = 5.260_135_901_548_374e210; // 2^700
/// The smallest q that is folded into the first term of [`Numerator::positive_terms`].
const TINY: f64 = 1e-290;

/// `sum · e^scale`, without overflowing in `e^scale` where the product is in range.
fn unscaled(mut sum: f64, mut scale: f64) -> f64 {
    const STEP: f64 = 600.0;
    while scale > STEP && sum.is_finite() && sum != 0.0 {
        sum *= STEP.exp();
        scale -= STEP;
    }
    while scale < -STEP && sum != 0.0 {
        sum *= (-STEP).exp();
        scale += STEP;
    }
    sum * scale.exp()
}

/// The numerator of eq. 10 with u = t/(α+T), A = r+x, B = b+x, C = a+b+x−1.
struct Numerator {
    a: f64,
    big_a: f64,
    big_b: f64,
    c: f64,
    /// C + 1 = a+b+x, summed as such: C + 1.0 would lose the digits of a small a + b to the
    /// rounding of a + b − 1.
    c_plus_1: f64,
    u: f64,
}

impl Numerator {
    /// `(ln q, q, 1 − q)` for q = (1+u)^{−A}, the power both of the paper's forms weigh their
    /// series by; 1 − q without the cancellation of subtracting q from 1.
    fn q(&self) -> (f64, f64, f64) {
        let log_q = -self.big_a * self.u.ln_1p();
        (log_q, log_q.exp(), -log_q.exp_m1())
    }

    /// Σ_{n≥1} (−1)^{n+1} (A)_n (a)_{n−1} u^n / ((C+1)_{n−1} n!): converges for u < 1.
    fn near_zero(&self) -> std::result::Result<Series, SeriesFailure> {
        let Numerator {
            a,
            big_a,
            c_plus_1,
            u,
            ..
        } = *self;
        hypergeometric_sum(big_a * u, [big_a + 1.0, a], [c_plus_1, 2.0], -u)
    }

    /// C (1 − (1+u)^{1−a})/(a−1) − (1+u)^{1−a} Σ_{n≥1} (D)_n (a)_{n−1} z^n / ((C+1)_{n−1} n!),
    /// z = u/(1+u), D = C − A.
    fn second_pfaff(&self) -> std::result::Result<Series, SeriesFailure> {
        let Numerator {
            a,
            big_a,
            c,
            c_plus_1,
            u,
            ..
        } = *self;
        let z = u / (1.0 + u);
        let d = c - big_a;
        let log_growth = u.ln_1p();
        let s = (1.0 - a) * log_growth;
        let expm1_over = if s == 0.0 { 1.0 } else { s.exp_m1() / s };
        let lead = c * log_growth * expm1_over;
        let series = hypergeometric_sum(d * z, [d + 1.0, a], [c_plus_1, 2.0], z)?;
        Ok(Series {
            sum: lead - s.exp() * series.sum,
            magnitude: lead.abs() + s.exp() * series.magnitude,
        })
    }

    /// [C (1 − q) − q Σ_{n≥1} (A)_n (B)_n z^n / ((C+1)_{n−1} n!)] / (a−1), q = (1+u)^{−A}: the
    /// paper's form (a ≠ 1). Its series is all positive, but it subtracts it from C (1 − q) and
    /// divides the difference by a − 1, which cancels when a is near 1 or r far above a + b.
    fn paper(&self) -> std::result::Result<Series, SeriesFailure> {
        let Numerator {
            a,
            big_a,
            big_b,
            c,
            c_plus_1,
            u,
        } = *self;
        let beta = a - 1.0;
        let z = u / (1.0 + u);
        let (_, q, one_minus_q) = self.q();
        let series = hypergeometric_sum(
            big_a * big_b * z,
            [big_a + 1.0, big_b + 1.0],
            [c_plus_1, 2.0],
            z,
        )?;
        Ok(Series {
            sum: (c * one_minus_q - q * series.sum) / beta,
            magnitude: ((c * one_minus_q).abs() + q * series.magnitude) / beta.abs(),
        })
    }

    /// `(1 − q) + q Σ_{n≥2} (A)_n (B)_n z^n G_n / ((C+1)_{n−1} n!)`, q = (1+u)^{−A}, z = u/(1+u),
    /// `G_n = Σ_{j=1}^{n−1} (C+1)_{j−1} / (B+1)_j`: the paper's form with the division by a − 1
    /// carried out term by term, so that every term is positive (see the file's notes).
    fn positive_terms(&self) -> std::result::Result<Series, SeriesFailure> {
        let Numerator {
            big_a,
            big_b,
            c,
            c_plus_1,
            u,
            ..
        } = *self;
        let z = u / (1.0 + u);
        // Its stopping test needs R g < 1 (below), and R >= z (A+n)/(max(C, 1)+n) and
        // g >= (C+n)/(B+n+1), so it cannot pass before (z A − max(C, 1)) (1 + u) terms nor before
        // (z C − B − 1) (1 + u): beyond the budget, give up before the first term.
        let least = (z * big_a - c.max(1.0)).max(z * c - big_b - 1.0) * (1.0 + u);
        if least > MAX_TERMS as f64 {
            return Err(SeriesFailure::TooManyTerms);
        }
        let (log_q, q, one_minus_q) = self.q();
        // With t_n = (A)_n (B)_n z^n q / ((C+1)_{n−1} n!) and ρ_n = (C+1)_{n−1} / (B+1)_n, the
        // n-th term is P_n = t_n G_n, and Q_n = t_n ρ_n; then P_{n+1} = f_n (P_n + Q_n) and
        // Q_{n+1} = f_n Q_n (C+n) / (B+n+1), f_n = t_{n+1} / t_n. The products are carried, not
        // their factors: G_n grows like n^(a−1) while t_n shrinks, and either alone would leave
        // the range of an f64 where their product does not. They and their sum are held divided
        // by e^scale: with q folded into t_1, no partial sum exceeds the result, but a q too
        // small to hold starts the scale at ln q instead.
        let (first, mut scale) = if q > TINY {
            (big_a * big_b * z * q, 0.0)
        } else {
            (big_a * big_b * z, log_q)
        };
        let (mut p, mut q_n) = (0.0, first / (big_b + 1.0)); // P_1 = 0: G_1 = 0
        let mut sum = 0.0;
        for n in 1..MAX_TERMS {
            sum += p;
            let m = n as f64;
            let c_plus_n = c_plus_1 + (m - 1.0);
            // Past n, the ratio of the t's is at most `ratio` (each factor moves toward 1, paired
            // either way) and that of the ρ's at most `growth`, so G_{n+k} <= G_n + k ρ_n growth^k
            // and the rest of the series is at most P_n R/(1−R) + Q_n R g/(1−R g)².
            let ratio = ratio_bound(z, [big_a + m, big_b + m], [c_plus_n, m + 1.0]);
            let growth = (c_plus_n / (big_b + m + 1.0)).max(1.0);
            let step = ratio * growth;
            if step < 1.0 && n > 1 {
                let rest = p * ratio / (1.0 - ratio) + q_n * step / ((1.0 - step) * (1.0 - step));
                // Measured against the value returned, 1 − q and the sum together.
                let value = sum + if scale == 0.0 { one_minus_q } else { 0.0 };
                if rest <= TOLERANCE * value {
                    let sum = unscaled(sum, scale);
                    if !sum.is_finite() {
                        return Err(SeriesFailure::Overflow);
                    }
                    let value = one_minus_q + sum;
                    return Ok(Series {
                        sum: value,
                        magnitude: value,
                    });
                }
            }
            let f = (big_a + m) * (big_b + m) * z / (c_plus_n * (m + 1.0));
            p = f * (p + q_n);
            q_n *= f * c_plus_n / (big_b + m + 1.0);
            if p.max(q_n) > HUGE {
                p /= HUGE;
                q_n /= HUGE;
                sum /= HUGE;
                scale += HUGE.ln();
            }
            if !(p.is_finite() && q_n.is_finite()) {
                return Err(SeriesFailure::Overflow);
            }
        }
        Err(SeriesFailure::TooManyTerms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::btyd::{MAX_PARAMETER, simulate};

    fn cdnow() -> BgNbdParams {
        BgNbdParams::new(0.243, 4.414, 0.793, 2.426).unwrap()
    }

    fn summary(x: u32, t_x: f64, t: f64) -> RepeatSummary {
        RepeatSummary::new(x, t_x, t).unwrap()
    }

    /// r far above a + b over horizons of tens of α, where the two series of the file's notes
    /// cancel (or overflow) and the paper's form, dividing by a − 1, cancelled too (it gave 7e37
    /// or 0, then errors): the form with positive terms is right to 1e-12 (values from mpmath,
    /// eq. 7 and 10 at 60 digits), and a longer horizon never expects fewer repeats.
    #[test]
    fn expectations_where_the_alternating_series_cancel_are_right() {
        let p = BgNbdParams::new(200.0, 1.0, 2.0, 1.0).unwrap();
        let once = summary(1, 0.0, 0.0);
        for (got, expected) in [
            (p.expected_repeats(30.0), 1.999_664_991_624_790_6),
            (p.expected_repeats(40.0), 1.999_748_743_718_593),
            (p.expected_repeats(45.0), 1.999_776_661_083_193_7),
            (
                BgNbdParams::new(172.88, 1.0, 8.46, 1.42)
                    .unwrap()
                    .expected_repeats(100.0),
                1.190_348_525_469_168_9,
            ),
            (
                BgNbdParams::new(172.88, 1.0, 8.46, 1.42)
                    .unwrap()
                    .conditional_expected_repeats(&once, 100.0),
                0.190_348_525_469_168_9,
            ),
            (
                BgNbdParams::new(1000.0, 1.0, 2.0, 1.0)
                    .unwrap()
                    .expected_repeats(2.0),
                1.998_998_998_998_999,
            ),
        ] {
            let e = got.unwrap();
            assert!(close(e, expected, 1e-12), "{e} against {expected}");
        }
        let curve: Vec<f64> = (1..400)
            .map(|i| p.expected_repeats(f64::from(i) * 0.25).unwrap())
            .collect();
        assert!(curve.is_sorted(), "{curve:?}");
        // Thousands of α out, the positive terms would need more than a million terms, and the
        // others cancel: an error, not rounding.
        let err = p.expected_repeats(3000.0).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        assert!(err.to_string().contains("cancel"), "{err}");
        // Millions of α out with r in the tens: the one form left cancels to a condition number
        // above 1e7, whose value (2,536,633.9 for mpmath's 2,536,646.0) has fewer right digits
        // than documented: an error.
        let p = BgNbdParams::new(40.0, 1.0, 0.15, 0.01).unwrap();
        let err = p.expected_repeats(2e7).unwrap_err();
        assert!(err.to_string().contains("cancel"), "{err}");
    }

    /// At and next to a = 1, with r far above b: the paper's form divides by a − 1 (0/0 at 1,
    /// and a rounding error over 1e-13 next to it, which gave 0 for a true 6.4), and the two
    /// alternating series lose digits (1e-4) or every digit (errors over long horizons). The
    /// form with positive terms never divides by a − 1: right to 1e-11 against mpmath (150
    /// digits), and never falling as the horizon grows.
    #[test]
    fn expectations_at_and_next_to_a_equal_to_one_are_right() {
        let truth = [
            (
                1.0 - 1e-13,
                [
                    4.888_659_279_713_544,
                    6.386_622_387_098_114,
                    1.083_744_938_874_278_5,
                    1.113_706_102_057_847_9,
                ],
            ),
            (
                1.0,
                [
                    4.888_659_279_712_008,
                    6.386_622_387_095_188,
                    1.083_744_938_874_242_6,
                    1.113_706_102_057_782_4,
                ],
            ),
            (
                1.0 + 1e-13,
                [
                    4.888_659_279_710_473,
                    6.386_622_387_092_265,
                    1.083_744_938_874_206_8,
                    1.113_706_102_057_717,
                ],
            ),
            (
                1.0 + 1e-10,
                [
                    4.888_659_278_175_965,
                    6.386_622_384_169_742,
                    1.083_744_938_838_356,
                    1.113_706_101_992_316_3,
                ],
            ),
        ];
        for (a, expected) in truth {
            for ((b, t), expected) in [(0.5, 50.0), (0.5, 1000.0), (0.01, 50.0), (0.01, 1000.0)]
                .into_iter()
                .zip(expected)
            {
                let p = BgNbdParams::new(50.0, 1.0, a, b).unwrap();
                let e = p.expected_repeats(t).unwrap();
                assert!(close(e, expected, 1e-11), "a {a} b {b} t {t}: {e}");
            }
            for b in [0.5, 0.01] {
                let p = BgNbdParams::new(50.0, 1.0, a, b).unwrap();
                let curve: Vec<f64> = (1..200)
                    .map(|i| p.expected_repeats(f64::from(i) * 5.0).unwrap())
                    .collect();
                assert!(curve.is_sorted() && curve[0] > 0.0, "a {a} b {b}");
            }
        }
    }

    /// Corners a review found, against mpmath (eq. 7 and 10 at 200 digits): a in the hundreds
    /// and thousands (where the form with positive terms needs too many terms, its G_n growing
    /// like n^(a−1), and the paper's form is right), a tiny a + b (C + 1 was rebuilt from
    /// C ≈ −1, off by 1e-5), and b in the hundreds of millions (the second Pfaff form, off by
    /// 9e-9, was kept while the positive form's stopping bound, pairing its factors one way
    /// only, ran a million terms).
    #[test]
    fn expectations_in_the_corners_a_review_found_are_right() {
        let cases = [
            ((5.0, 1.0, 200.0, 0.1), None, 100.0, 1.000_502_512_467_379),
            (
                (0.5, 1.0, 150.0, 0.1),
                None,
                1000.0,
                0.969_032_296_503_711_4,
            ),
            (
                (0.5, 1.0, 3000.0, 0.1),
                None,
                1000.0,
                0.968_424_786_892_015_4,
            ),
            (
                (1.0, 1.0, 300.0, 3000.0),
                Some(summary(1, 0.5, 1.0)),
                20.0,
                6.786_218_134_331_066,
            ),
            ((1.0, 1.0, 1e-12, 1e-12), None, 3.0, 1.874_999_999_998_440_4),
            (
                (50.0, 1.0, 1e-12, 1e-12),
                None,
                50.0,
                1_250.499_999_990_739_7,
            ),
            (
                (3.2912, 1.4068, 1.0, 642_660_358.46),
                Some(summary(5, 0.0, 0.0)),
                1.947,
                11.474_954_658_358_887,
            ),
            // Summed within the budget once the series' stopping bound pairs its factors
            // whichever way is tighter (an error before).
            (
                (
                    558.329_415_321_887_8,
                    0.033_451_519_762_829_06,
                    301.105_499_100_376_2,
                    0.000_913_195_632_982_609_6,
                ),
                Some(summary(2, 0.0, 0.0)),
                4_926.318_239_063_62,
                0.003_335_204_448_546_967,
            ),
        ];
        for ((r, alpha, a, b), who, t, expected) in cases {
            let p = BgNbdParams::new(r, alpha, a, b).unwrap();
            let e = match who {
                None => p.expected_repeats(t),
                Some(s) => p.conditional_expected_repeats(&s, t),
            }
            .unwrap();
            assert!(
                close(e, expected, 1e-11),
                "{p:?} t {t}: {e} against {expected}"
            );
        }
    }

    /// Extreme but valid parameters and summaries (found by a fuzz): an error, never a NaN or
    /// an infinity returned as a value.
    #[test]
    fn no_expectation_is_a_nan_or_an_infinity() {
        let cases = [
            (
                BgNbdParams::new(0.001, 1e6, 0.001, 1e6).unwrap(),
                summary(u32::MAX, 1.0, 1e9),
            ),
            (
                BgNbdParams::new(0.0372, 1.73e-5, 8.17e-12, 4.998).unwrap(),
                summary(u32::MAX, 1e6, 1e6),
            ),
            (
                BgNbdParams::new(1e-300, 1e-300, 1e-300, 1e-300).unwrap(),
                summary(u32::MAX, 1.0, 1e9),
            ),
            (
                BgNbdParams::new(MAX_PARAMETER, MAX_PARAMETER, MAX_PARAMETER, MAX_PARAMETER)
                    .unwrap(),
                summary(5, 5.0, 5.0),
            ),
        ];
        for (p, s) in cases {
            for t in [1.0, 1e10, 1e300, f64::MAX] {
                match p.conditional_expected_repeats(&s, t) {
                    Ok(e) => assert!(e.is_finite() && e >= 0.0, "{p:?} {s:?} {t}: {e}"),
                    Err(err) => assert_eq!(err.kind(), ErrorKind::InvalidParameter),
                }
            }
        }
    }

    fn close(value: f64, expected: f64, relative: f64) -> bool {
        (value - expected).abs() <= relative * expected.abs()
    }

    #[test]
    fn nobody_without_a_repeat_has_dropped_out() {
        assert_eq!(cdnow().probability_alive(&summary(0, 0.0, 38.86)), 1.0);
    }

    #[test]
    fn active_on_the_last_day_alive_with_the_beta_odds() {
        // recency = T: P = 1 / (1 + a/(b+x−1)) = (b+x−1)/(a+b+x−1).
        let p = cdnow();
        for x in [1, 2, 10] {
            let alive = p.probability_alive(&summary(x, 38.86, 38.86));
            let xf = f64::from(x);
            let expected = (2.426 + xf - 1.0) / (0.793 + 2.426 + xf - 1.0);
            assert!(close(alive, expected, 1e-14), "x = {x}: {alive}");
        }
    }

    #[test]
    fn many_repeats_then_silence_means_gone_without_overflow() {
        let p = cdnow();
        let gone = p.probability_alive(&summary(100_000, 1.0, 38.86));
        assert_eq!(gone, 0.0);
        let there = p.probability_alive(&summary(100_000, 38.86, 38.86));
        assert!(there > 0.99 && there < 1.0);
        let expected = p.conditional_expected_repeats(&summary(100_000, 1.0, 38.86), 52.0);
        assert_eq!(expected.unwrap(), 0.0);
    }

    /// E[Y(t) | x, t_x, T] from Python mpmath at 60 digits, evaluating eq. 10 exactly as printed
    /// (`C/(a−1) (1 − ((α+T)/(α+T+t))^(r+x) hyp2f1(r+x, b+x, C, t/(α+T+t))) / (1 + …)`).
    #[test]
    fn conditional_expectation_matches_mpmath() {
        let cases = [
            (
                (0.243, 4.414, 0.793, 2.426),
                (0, 0.0, 38.86),
                39.0,
                0.195_098_052_011_262_64,
            ),
            (
                (0.243, 4.414, 0.793, 2.426),
                (1, 38.86, 38.86),
                39.0,
                0.721_976_437_633_924_2,
            ),
            (
                (0.243, 4.414, 0.793, 2.426),
                (7, 10.0, 38.86),
                39.0,
                0.019_169_951_117_219_453,
            ),
            (
                (0.243, 4.414, 0.793, 2.426),
                (5000, 38.5, 38.86),
                39.0,
                1.566_111_366_212_457_5e-11,
            ),
            (
                (0.243, 4.414, 0.793, 2.426),
                (3, 20.0, 39.0),
                1e-6,
                3.460_340_817_138_076e-8,
            ),
            (
                (2.0, 10.0, 3.5, 6.0),
                (4, 30.0, 60.0),
                30.0,
                0.150_813_923_562_552_58,
            ),
            (
                (2.0, 10.0, 1.0, 6.0),
                (4, 30.0, 60.0),
                30.0,
                0.542_916_392_791_288_9,
            ), // a = 1
        ];
        for ((r, alpha, a, b), (x, t_x, age), t, expected) in cases {
            let p = BgNbdParams::new(r, alpha, a, b).unwrap();
            let e = p
                .conditional_expected_repeats(&summary(x, t_x, age), t)
                .unwrap();
            assert!(close(e, expected, 1e-11), "{p:?} x {x}: {e} vs {expected}");
        }
    }

    /// E[X(t)] from mpmath as above, eq. 7 as printed.
    #[test]
    fn population_expectation_matches_mpmath() {
        let cases = [
            ((0.243, 4.414, 0.793, 2.426), 39.0, 1.196_723_193_320_817),
            ((0.243, 4.414, 0.793, 2.426), 520.0, 4.974_617_861_849_659_7),
            ((2.0, 10.0, 0.4, 0.6), 3.0, 0.515_290_626_388_909_4), // a + b − 1 = 0
            ((2.0, 10.0, 0.4, 0.6), 25.0, 2.596_545_856_948_555),
            ((40.0, 2.0, 0.05, 0.05), 8.0, 64.399_441_504_806_44), // r ≫ a + b
        ];
        for ((r, alpha, a, b), t, expected) in cases {
            let p = BgNbdParams::new(r, alpha, a, b).unwrap();
            let e = p.expected_repeats(t).unwrap();
            assert!(close(e, expected, 1e-11), "{p:?} t {t}: {e} vs {expected}");
        }
    }

    #[test]
    fn population_expectation_matches_simulated_customers() {
        // E[X(t)] is the mean frequency of customers observed for t after their first purchase:
        // check eq. 7 and the simulator against each other, within 4 standard errors.
        let p = BgNbdParams::new(0.8, 6.0, 1.5, 4.0).unwrap();
        let n = 20_000;
        let counts: Vec<f64> = simulate(&p, n, 30.0, 11)
            .unwrap()
            .iter()
            .map(|s| f64::from(s.frequency()))
            .collect();
        let mean = counts.iter().sum::<f64>() / n as f64;
        let variance = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let standard_error = (variance / n as f64).sqrt();
        let expected = p.expected_repeats(30.0).unwrap();
        assert!(
            (mean - expected).abs() < 4.0 * standard_error,
            "simulated {mean} ± {standard_error}, eq. 7 {expected}"
        );
    }

    #[test]
    fn expectations_grow_with_the_horizon() {
        let p = cdnow();
        let s = summary(2, 30.43, 38.86);
        let mut last = 0.0;
        for t in [0.1, 0.4, 0.6, 1.0, 10.0, 52.0, 520.0, 5200.0] {
            let e = p.conditional_expected_repeats(&s, t).unwrap();
            assert!(e > last, "t = {t}: {e} after {last}");
            last = e;
        }
    }

    #[test]
    fn refuses_a_bad_horizon() {
        let p = cdnow();
        let s = summary(1, 3.0, 10.0);
        for t in [-1.0, f64::NAN, f64::INFINITY] {
            let err = p.conditional_expected_repeats(&s, t).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        }
        // 1e9 times α + T: beyond the series' reach, a typed error rather than a long loop.
        let err = p.expected_repeats(4.414e9).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn log_uniform(low: f64, high: f64) -> impl Strategy<Value = f64> {
        (low.ln()..high.ln()).prop_map(f64::exp)
    }

    fn params() -> impl Strategy<Value = BgNbdParams> {
        (
            log_uniform(0.01, 50.0),
            log_uniform(0.01, 1000.0),
            log_uniform(0.01, 50.0),
            log_uniform(0.01, 50.0),
        )
            .prop_map(|(r, alpha, a, b)| BgNbdParams::new(r, alpha, a, b).unwrap())
    }

    fn summaries() -> impl Strategy<Value = RepeatSummary> {
        (
            prop_oneof![Just(0u32), 1u32..20, 20u32..5000],
            prop_oneof![Just(0.0), 0.0..1000.0],
            prop_oneof![Just(0.0), Just(1.0), 0.0..1.0],
        )
            .prop_map(|(x, t, share)| {
                let recency = if x == 0 { 0.0 } else { share * t };
                RepeatSummary::new(x, recency, t).unwrap()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Over the valid input space (horizons up to 1,000 times α + T) every prediction is a
        /// finite number in its range, and a longer horizon never expects fewer repeats.
        #[test]
        fn predictions_are_finite_and_in_range(
            p in params(),
            s in summaries(),
            horizon in prop_oneof![Just(0.0), log_uniform(1e-6, 1e3)],
        ) {
            prop_assert!(p.log_likelihood(&s).is_finite());
            let alive = p.probability_alive(&s);
            prop_assert!((0.0..=1.0).contains(&alive), "P(alive) = {}", alive);
            let t = horizon * (p.alpha() + s.t());
            let e = p.conditional_expected_repeats(&s, t).unwrap();
            prop_assert!(e.is_finite() && e >= 0.0, "E[Y] = {}", e);
            let later = p.conditional_expected_repeats(&s, 2.0 * t).unwrap();
            prop_assert!(later >= e * (1.0 - 1e-9), "E[Y(2t)] = {} < E[Y(t)] = {}", later, e);
            let population = p.expected_repeats(horizon * p.alpha()).unwrap();
            prop_assert!(population.is_finite() && population >= 0.0);
        }
    }
}

//! The BG/NBD log-likelihood and its gradient, per customer and summed over aggregated summaries
//! (the formula is in [`BgNbdParams::log_likelihood`]'s docs).
//!
//! The likelihood is split into a part that depends on x alone (Gamma and Beta functions,
//! evaluated once per distinct x) and a part that depends on the times (evaluated once per
//! distinct triple). The gradient is analytic: digamma differences for the first part, and for
//! the second the derivative of softplus(ω), which is P(dropped out) times dω.

use statrs::function::gamma::{digamma, ln_gamma};

use super::{BgNbdParams, RepeatSummary};

/// Log-likelihood value and gradient with respect to `[r, alpha, a, b]`.
pub(crate) type ValueAndGradient = (f64, [f64; 4]);

/// The part of LL that depends on x alone (and on no times): the Gamma and Beta functions, plus
/// the per-customer r ln α. Its gradient uses ψ = digamma.
fn frequency_term(p: [f64; 4], x: f64) -> ValueAndGradient {
    let [r, alpha, a, b] = p;
    let mut value = r * alpha.ln();
    let mut grad = [alpha.ln(), r / alpha, 0.0, 0.0];
    if x > 0.0 {
        value += ln_gamma(r + x) - ln_gamma(r) + ln_gamma(b + x) - ln_gamma(b) + ln_gamma(a + b)
            - ln_gamma(a + b + x);
        let shared = digamma(a + b) - digamma(a + b + x);
        grad[0] += digamma(r + x) - digamma(r);
        grad[2] += shared;
        grad[3] += digamma(b + x) - digamma(b) + shared;
    }
    (value, grad)
}

/// ω, the log-odds that a customer with summary (x, t_x, T) has dropped out by T
/// (−∞ when x = 0: a customer without a repeat cannot have dropped out).
#[inline]
pub(crate) fn dropout_log_odds(p: [f64; 4], x: f64, t_x: f64, t: f64) -> f64 {
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    let [r, alpha, a, b] = p;
    // x is a whole number of at least 1, so x − 1 is exact, and b + (x − 1) keeps a tiny b that
    // (b + x) − 1 would round to 0.
    a.ln() - (b + (x - 1.0)).ln() + (r + x) * ln_age_ratio(alpha, t_x, t)
}

/// `ln((α+T)/(α+t_x))`: by `ln_1p` of the time since the last repeat over `α + t_x` (exact for
/// short gaps), or, when that ratio leaves the range of an f64 (α and t_x near 0 against a long
/// T), as a difference of logarithms, which stays finite.
#[inline]
fn ln_age_ratio(alpha: f64, t_x: f64, t: f64) -> f64 {
    let ratio = (t - t_x) / (alpha + t_x);
    if ratio.is_finite() {
        ratio.ln_1p()
    } else {
        (alpha + t).ln() - (alpha + t_x).ln()
    }
}

/// `ln(1 + e^w)` without overflow.
#[inline]
fn softplus(w: f64) -> f64 {
    w.max(0.0) + (-w.abs()).exp().ln_1p()
}

/// `1 / (1 + e^-w)` without overflow.
#[inline]
pub(crate) fn logistic(w: f64) -> f64 {
    if w >= 0.0 {
        1.0 / (1.0 + (-w).exp())
    } else {
        let e = w.exp();
        e / (1.0 + e)
    }
}

/// The part of LL that depends on the times: −(r+x) ln(α+T) + softplus(ω).
fn timing_term(p: [f64; 4], x: f64, t_x: f64, t: f64) -> ValueAndGradient {
    let [r, alpha, a, b] = p;
    let ln_age = (alpha + t).ln();
    let mut value = -(r + x) * ln_age;
    let mut grad = [-ln_age, -(r + x) / (alpha + t), 0.0, 0.0];
    if x > 0.0 {
        let omega = dropout_log_odds(p, x, t_x, t);
        // d softplus(ω) = q dω with q = P(dropped out).
        let q = logistic(omega);
        value += softplus(omega);
        grad[0] += q * ln_age_ratio(alpha, t_x, t);
        grad[1] += q * (r + x) * (1.0 / (alpha + t) - 1.0 / (alpha + t_x));
        grad[2] += q / a;
        grad[3] -= q / (b + (x - 1.0));
    }
    (value, grad)
}

impl BgNbdParams {
    /// The log-likelihood of one customer's summary (Fader, Hardie & Lee 2005, eq. 6):
    ///
    /// ```text
    /// LL(r, α, a, b | x, t_x, T) = ln B(a, b+x) − ln B(a, b) + ln Γ(r+x) − ln Γ(r) + r ln α
    ///                              − (r+x) ln(α+T)
    ///                              + ln[1 + δ_{x>0} (a/(b+x−1)) ((α+T)/(α+t_x))^{r+x}]
    /// ```
    ///
    /// Why the last term needs care: for a frequent customer (x in the thousands) or a tiny t_x
    /// the power overflows. It is written with the log-odds that the customer has dropped out,
    ///
    /// ```text
    /// ω = ln a − ln(b+x−1) + (r+x) ln(1 + (T−t_x)/(α+t_x))      (ω = −∞ when x = 0),
    /// ```
    ///
    /// as softplus(ω) = ln(1 + e^ω) = max(ω, 0) + ln(1 + e^−|ω|), finite for any ω; the same ω
    /// gives P(alive) = 1/(1 + e^ω). The beta functions are expanded into log-gamma functions
    /// (statrs' `ln_gamma`), which makes the gradient a sum of digamma differences.
    ///
    /// The value is a log-density (t_x is continuous), so it can be positive.
    ///
    /// ```
    /// use lead_customers::btyd::{BgNbdParams, RepeatSummary};
    /// let p = BgNbdParams::new(1.0, 1.0, 1.0, 1.0).unwrap();
    /// // x = 0: LL = r ln α − r ln(α+T) = −ln 2 for T = 1.
    /// let ll = p.log_likelihood(&RepeatSummary::new(0, 0.0, 1.0).unwrap());
    /// assert!((ll + std::f64::consts::LN_2).abs() < 1e-14);
    /// ```
    pub fn log_likelihood(&self, summary: &RepeatSummary) -> f64 {
        let p = self.to_array();
        let x = f64::from(summary.frequency());
        frequency_term(p, x).0 + timing_term(p, x, summary.recency(), summary.t()).0
    }

    /// The log-likelihood of many customers: the sum of [`log_likelihood`](Self::log_likelihood),
    /// computed over distinct summaries weighted by their counts, as the fit does.
    ///
    /// ```
    /// use lead_customers::btyd::{BgNbdParams, RepeatSummary};
    /// let p = BgNbdParams::new(0.5, 2.0, 0.8, 2.5).unwrap();
    /// let s = [RepeatSummary::new(0, 0.0, 30.0).unwrap(), RepeatSummary::new(3, 12.0, 30.0).unwrap()];
    /// let each: f64 = s.iter().map(|s| p.log_likelihood(s)).sum();
    /// assert!((p.total_log_likelihood(&s) - each).abs() < 1e-12);
    /// ```
    pub fn total_log_likelihood(&self, summaries: &[RepeatSummary]) -> f64 {
        SummaryTable::from_summaries(summaries)
            .evaluate(self.to_array())
            .0
    }
}

/// Customers' summaries with identical (x, t_x, T) merged and counted: real data repeat the same
/// few triples (most customers have x = 0, and times come in whole days), so the likelihood is
/// evaluated once per distinct triple, and the x-only terms once per distinct x.
#[derive(Debug, Clone)]
pub(crate) struct SummaryTable {
    /// Distinct frequencies x, with how many customers have each.
    frequencies: Vec<(f64, f64)>,
    /// Distinct triples (x, t_x, T, count).
    triples: Vec<[f64; 4]>,
    customers: usize,
}

/// Triples summed per task: big enough to amortize scheduling, small enough to balance.
const CHUNK: usize = 4096;

impl SummaryTable {
    pub(crate) fn from_summaries(summaries: &[RepeatSummary]) -> SummaryTable {
        let mut keys: Vec<(u32, f64, f64)> = summaries
            .iter()
            .map(|s| (s.frequency(), s.recency(), s.t()))
            .collect();
        keys.sort_unstable_by(|p, q| {
            p.0.cmp(&q.0)
                .then(p.1.total_cmp(&q.1))
                .then(p.2.total_cmp(&q.2))
        });
        let mut triples: Vec<[f64; 4]> = Vec::new();
        let mut frequencies: Vec<(f64, f64)> = Vec::new();
        for (x, t_x, t) in keys {
            let x = f64::from(x);
            match triples.last_mut() {
                Some(last) if last[0] == x && last[1] == t_x && last[2] == t => last[3] += 1.0,
                _ => triples.push([x, t_x, t, 1.0]),
            }
            match frequencies.last_mut() {
                Some(last) if last.0 == x => last.1 += 1.0,
                _ => frequencies.push((x, 1.0)),
            }
        }
        SummaryTable {
            frequencies,
            triples,
            customers: summaries.len(),
        }
    }

    pub(crate) fn customers(&self) -> usize {
        self.customers
    }

    pub(crate) fn distinct_triples(&self) -> usize {
        self.triples.len()
    }

    /// True when at least one customer has a repeat (x > 0).
    pub(crate) fn anyone_repeats(&self) -> bool {
        self.frequencies.iter().any(|&(x, _)| x > 0.0)
    }

    /// Mean x and mean T over customers, for a starting point of the fit.
    pub(crate) fn mean_frequency_and_age(&self) -> (f64, f64) {
        let n = self.customers.max(1) as f64;
        let (sx, st) = self
            .triples
            .iter()
            .fold((0.0, 0.0), |(sx, st), &[x, _, t, c]| {
                (sx + c * x, st + c * t)
            });
        (sx / n, st / n)
    }

    /// The total log-likelihood and its gradient with respect to `[r, alpha, a, b]`.
    ///
    /// Chunks of triples are summed in a fixed order and their sums added in order, so the result
    /// is bit-identical with and without the `parallel` feature.
    pub(crate) fn evaluate(&self, p: [f64; 4]) -> ValueAndGradient {
        let mut total = (0.0, [0.0; 4]);
        for &(x, count) in &self.frequencies {
            add_scaled(&mut total, frequency_term(p, x), count);
        }
        let chunk_sum = |chunk: &[[f64; 4]]| {
            let mut sum = (0.0, [0.0; 4]);
            for &[x, t_x, t, count] in chunk {
                add_scaled(&mut sum, timing_term(p, x, t_x, t), count);
            }
            sum
        };
        #[cfg(feature = "parallel")]
        let chunks: Vec<ValueAndGradient> = {
            use rayon::prelude::*;
            self.triples.par_chunks(CHUNK).map(chunk_sum).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let chunks: Vec<ValueAndGradient> = self.triples.chunks(CHUNK).map(chunk_sum).collect();
        for chunk in chunks {
            add_scaled(&mut total, chunk, 1.0);
        }
        total
    }
}

#[inline]
fn add_scaled(total: &mut ValueAndGradient, term: ValueAndGradient, weight: f64) {
    total.0 += weight * term.0;
    for (t, g) in total.1.iter_mut().zip(term.1) {
        *t += weight * g;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(x: u32, t_x: f64, t: f64) -> RepeatSummary {
        RepeatSummary::new(x, t_x, t).unwrap()
    }

    /// Reference values computed independently with Python mpmath (30 digits) from the paper's
    /// eq. 6 written with Γ and B functions directly:
    /// `loggamma(a+b)+loggamma(b+x)-loggamma(b)-loggamma(a+b+x)+loggamma(r+x)-loggamma(r)
    ///  + r*log(alpha) + log((alpha+T)**-(r+x) + (x>0)*a/(b+x-1)*(alpha+tx)**-(r+x))`.
    #[test]
    fn log_likelihood_matches_independent_values() {
        let cdnow = BgNbdParams::new(0.243, 4.414, 0.793, 2.426).unwrap();
        let cases = [
            (cdnow, summary(0, 0.0, 38.86), -0.554_713_276_438_158_5),
            (cdnow, summary(2, 30.43, 38.86), -9.458_606_307_066_27),
            (cdnow, summary(1, 38.86, 38.86), -5.736_959_104_844_985), // recency = T
            (cdnow, summary(1, 0.01, 38.86), -4.138_035_018_941_702),
            (cdnow, summary(5000, 38.0, 38.86), 18_830.602_141_896_08), // huge x
            (cdnow, summary(5000, 1e-9, 1000.0), 30_144.637_919_091_73), // huge x, tiny t_x
        ];
        for (p, s, expected) in cases {
            let expected: f64 = expected;
            let ll = p.log_likelihood(&s);
            let tolerance = 1e-11 * expected.abs().max(1.0);
            assert!(
                (ll - expected).abs() < tolerance,
                "{s:?}: {ll} vs {expected}"
            );
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let p = [0.7, 3.0, 0.6, 2.5];
        let table = SummaryTable::from_summaries(&[
            summary(0, 0.0, 20.0),
            summary(1, 5.0, 20.0),
            summary(7, 19.0, 25.0),
            summary(40, 2.0, 30.0),
        ]);
        let (_, grad) = table.evaluate(p);
        for i in 0..4 {
            let h = 1e-6 * p[i];
            let (mut up, mut down) = (p, p);
            up[i] += h;
            down[i] -= h;
            let numeric = (table.evaluate(up).0 - table.evaluate(down).0) / (2.0 * h);
            assert!(
                (grad[i] - numeric).abs() < 1e-6 * numeric.abs().max(1.0),
                "parameter {i}: analytic {} numeric {numeric}",
                grad[i]
            );
        }
    }

    #[test]
    fn identical_summaries_are_merged_and_counted() {
        let s = [
            summary(1, 2.0, 9.0),
            summary(0, 0.0, 9.0),
            summary(1, 2.0, 9.0),
            summary(1, 2.0, 8.0),
        ];
        let table = SummaryTable::from_summaries(&s);
        assert_eq!(table.distinct_triples(), 3);
        assert_eq!(table.customers(), 4);
        let p = BgNbdParams::new(0.5, 2.0, 0.8, 2.5).unwrap();
        let each: f64 = s.iter().map(|s| p.log_likelihood(s)).sum();
        assert!((table.evaluate(p.to_array()).0 - each).abs() < 1e-12);
    }

    #[test]
    fn likelihood_stays_finite_at_extremes() {
        let p = BgNbdParams::new(1e-6, 1e6, 1e-6, 1e6).unwrap();
        for s in [
            summary(0, 0.0, 0.0),
            summary(100_000, 0.0, 1e6),
            summary(1, 1e6, 1e6),
        ] {
            assert!(p.log_likelihood(&s).is_finite(), "{s:?}");
        }
        let (value, grad) = SummaryTable::from_summaries(&[summary(100_000, 1e-12, 1e6)])
            .evaluate(BgNbdParams::new(50.0, 1e-6, 30.0, 1e-6).unwrap().to_array());
        assert!(value.is_finite() && grad.iter().all(|g| g.is_finite()));
    }

    /// α and t_x near 0 against a long T: (T − t_x)/(α + t_x) leaves the range of an f64, and
    /// its logarithm is taken as a difference of logarithms (the likelihood was +∞). Values from
    /// mpmath at 50 digits, eq. 6.
    #[test]
    fn a_last_repeat_at_time_zero_with_a_tiny_alpha_keeps_a_finite_likelihood() {
        for (alpha, t, expected) in [
            (1e-300, 1e10, 690.082_380_717_653_8),
            // The smallest subnormal, 2^-1074 (about 4.94e-324).
            (f64::from_bits(1), 5000.0, 743.746_924_740_821_3),
        ] {
            let p = BgNbdParams::new(1.0, alpha, 1.0, 1.0).unwrap();
            let ll = p.log_likelihood(&summary(1, 0.0, t));
            assert!((ll / expected - 1.0).abs() < 1e-12, "alpha {alpha}: {ll}");
            if alpha >= f64::MIN_POSITIVE {
                // (Below, 1/α itself overflows; the fit never takes α below 1e-11.)
                let table = SummaryTable::from_summaries(&[summary(1, 0.0, t)]);
                let (_, grad) = table.evaluate(p.to_array());
                assert!(grad.iter().all(|g| g.is_finite()), "{grad:?}");
            }
        }
    }

    /// Every parameter from the smallest positive number to [`MAX_PARAMETER`], in every
    /// combination of a grid, gives a finite likelihood and gradient (b below about 1e-16 gave
    /// +∞, as (b + 1) − 1 rounded to 0; parameters above about 2e305 gave NaN, as ln Γ
    /// overflowed, and are refused now).
    #[test]
    fn likelihood_stays_finite_over_the_whole_parameter_range() {
        let grid = [
            5e-324,
            1e-100,
            1e-20,
            0.5,
            30.0,
            1e100,
            super::super::MAX_PARAMETER,
        ];
        let summaries = [
            summary(0, 0.0, 5000.0),
            summary(1, 0.0, 0.0),
            summary(1, 1e-6, 5000.0),
            summary(3, 2.0, 30.0),
            summary(100_000, 1.0, 1.0),
        ];
        let table = SummaryTable::from_summaries(&summaries);
        for r in grid {
            for alpha in grid {
                for a in grid {
                    for b in grid {
                        let p = BgNbdParams::new(r, alpha, a, b).unwrap();
                        for s in &summaries {
                            let ll = p.log_likelihood(s);
                            assert!(ll.is_finite(), "{p:?} {s:?}: {ll}");
                        }
                        let (value, _) = table.evaluate(p.to_array());
                        assert!(value.is_finite(), "{p:?}: {value}");
                    }
                }
            }
        }
    }

    /// With one repeat and b → 0, the likelihood tends to ln r + r ln α − (r+1) ln(α + t_x)
    /// (the ln b of the Beta function cancels the a/b of the last term).
    #[test]
    fn a_tiny_b_keeps_its_digits() {
        let p = BgNbdParams::new(0.5, 2.0, 0.8, 1e-20).unwrap();
        let limit = 0.5f64.ln() + 0.5 * 2f64.ln() - 1.5 * 5f64.ln();
        let ll = p.log_likelihood(&summary(1, 3.0, 10.0));
        assert!((ll - limit).abs() < 1e-12, "{ll} vs {limit}");
    }
}

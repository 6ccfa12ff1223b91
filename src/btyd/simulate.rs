//! Drawing customers from the BG/NBD process, for parameter-recovery tests and benchmarks.

use rand::{RngExt, SeedableRng};
use rand_distr::{Beta, Distribution, Exp, Gamma, Geometric, Poisson};
use rand_pcg::Pcg64Mcg;

use super::{BgNbdParams, RepeatSummary};
use crate::error::{Error, Result, check_non_negative};

/// Customers [`simulate`] draws at most: 100 million, 2.4 GB of summaries.
pub const MAX_SIMULATED: usize = 100_000_000;

/// Expected repeats `λ T` up to which a customer's purchases are drawn one by one; beyond it,
/// their count and the last one's time are drawn at once (the same distribution, in a bounded
/// number of steps).
const ONE_BY_ONE: f64 = 1_000.0;

/// Simulates `customers` customers of the BG/NBD process, each observed for
/// `observation_length` units of time after a first purchase at time 0, and returns their
/// summaries (x, t_x, T = observation_length).
///
/// The process of Fader, Hardie & Lee (2005, section 2): each customer draws a purchase rate
/// λ ~ Gamma(shape r, rate α) and a dropout probability p ~ Beta(a, b); while alive, the times
/// between purchases are exponential with rate λ; right after each *repeat* purchase the
/// customer drops out with probability p. Times are continuous, so recency is not rounded to a
/// period.
///
/// Where a customer expects many repeats (λ T above 1,000), they are not drawn one by one, which
/// could take billions of steps: the repeats before dropping out are K = 1 + G with
/// G ~ Geometric(p), the purchases within T are N ~ Poisson(λ T), so x = min(K, N), and given N,
/// the purchase times are N uniform times in [0, T] in order, so t_x = T · B with
/// B ~ Beta(x, N − x + 1), the x-th of them.
///
/// The same `seed` gives the same summaries (a seeded PCG generator).
///
/// Fails on an invalid `observation_length`, more than [`MAX_SIMULATED`] customers, parameters
/// the gamma or beta draws refuse, and a customer who would make more repeats within T than a
/// summary counts (`u32::MAX`), or an expected λ T beyond what a Poisson draw takes (about
/// 1.8e19), as with r / α near the largest parameters.
///
/// ```
/// use lead_customers::btyd::{simulate, BgNbdParams};
/// let p = BgNbdParams::new(0.243, 4.414, 0.793, 2.426).unwrap();
/// let customers = simulate(&p, 1_000, 39.0, 42).unwrap();
/// assert_eq!(customers.len(), 1_000);
/// assert!(customers.iter().all(|s| s.t() == 39.0 && s.recency() <= 39.0));
/// assert_eq!(customers, simulate(&p, 1_000, 39.0, 42).unwrap());
/// ```
pub fn simulate(
    params: &BgNbdParams,
    customers: usize,
    observation_length: f64,
    seed: u64,
) -> Result<Vec<RepeatSummary>> {
    let length = check_non_negative("observation_length", observation_length)?;
    if customers > MAX_SIMULATED {
        return Err(Error::parameter(
            "customers",
            customers,
            format!("must be at most {MAX_SIMULATED}"),
        ));
    }
    let distribution =
        |name: &str, what: String| Error::parameter(name, what, "rejected by rand_distr");
    let rates = Gamma::new(params.r(), 1.0 / params.alpha())
        .map_err(|e| distribution("r, alpha", e.to_string()))?;
    let dropouts =
        Beta::new(params.a(), params.b()).map_err(|e| distribution("a, b", e.to_string()))?;
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut summaries = Vec::with_capacity(customers);
    for _ in 0..customers {
        let rate: f64 = rates.sample(&mut rng);
        let dropout: f64 = dropouts.sample(&mut rng);
        let expected = rate * length;
        // A rate that underflows to 0 (tiny r), or nothing observed, means no repeat.
        let (frequency, recency) = if rate == 0.0 || length == 0.0 {
            (0, 0.0)
        } else if expected <= ONE_BY_ONE {
            one_by_one(rate, dropout, length, &mut rng)
        } else {
            at_once(expected, dropout, length, &mut rng)?
        };
        summaries.push(RepeatSummary::new(frequency, recency, length)?);
    }
    Ok(summaries)
}

/// A customer's repeats drawn one by one: (x, t_x). At most about `ONE_BY_ONE` steps are
/// expected.
fn one_by_one(rate: f64, dropout: f64, length: f64, rng: &mut Pcg64Mcg) -> (u32, f64) {
    let (mut frequency, mut recency) = (0u32, 0.0);
    // `rate` is positive and finite here, so `Exp::new` accepts it.
    let Ok(gaps) = Exp::new(rate) else {
        return (frequency, recency);
    };
    let mut now = 0.0;
    while frequency < u32::MAX {
        now += gaps.sample(rng);
        if now > length {
            break;
        }
        frequency += 1;
        recency = now;
        if rng.random::<f64>() < dropout {
            break;
        }
    }
    (frequency, recency)
}

/// A customer's repeats drawn at once (see [`simulate`]): (x, t_x).
fn at_once(expected: f64, dropout: f64, length: f64, rng: &mut Pcg64Mcg) -> Result<(u32, f64)> {
    let too_many = |what: String| {
        Error::parameter(
            "r, alpha, observation_length",
            what,
            "a customer drawn expects more repeats than can be simulated",
        )
    };
    let purchases = Poisson::new(expected)
        .map_err(|e| too_many(format!("λ T = {expected:e} ({e})")))?
        .sample(rng);
    // `Geometric::new` accepts any p in [0, 1] (a p of 0 draws u64::MAX: never dropping out).
    let stays = Geometric::new(dropout)
        .map_err(|e| too_many(format!("p = {dropout:e} ({e})")))?
        .sample(rng);
    let frequency = (stays.saturating_add(1) as f64).min(purchases);
    if frequency > f64::from(u32::MAX) {
        return Err(too_many(format!("{frequency:e} repeats within T")));
    }
    if frequency == 0.0 {
        return Ok((0, 0.0));
    }
    let last = Beta::new(frequency, purchases - frequency + 1.0)
        .map_err(|e| too_many(format!("x = {frequency}, N = {purchases} ({e})")))?
        .sample(rng);
    Ok((frequency as u32, length * last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn cdnow() -> BgNbdParams {
        BgNbdParams::new(0.243, 4.414, 0.793, 2.426).unwrap()
    }

    #[test]
    fn different_seeds_draw_different_customers() {
        let one = simulate(&cdnow(), 500, 39.0, 1).unwrap();
        let two = simulate(&cdnow(), 500, 39.0, 2).unwrap();
        assert_ne!(one, two);
    }

    #[test]
    fn a_zero_length_observation_sees_no_repeats() {
        let summaries = simulate(&cdnow(), 100, 0.0, 1).unwrap();
        assert!(summaries.iter().all(|s| s.frequency() == 0 && s.t() == 0.0));
    }

    #[test]
    fn refuses_an_invalid_observation_length() {
        for length in [-1.0, f64::NAN, f64::INFINITY] {
            let err = simulate(&cdnow(), 10, length, 1).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        }
    }

    /// Mean and standard error of the mean.
    fn mean_and_error(values: &[f64]) -> (f64, f64) {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, (variance / n).sqrt())
    }

    #[test]
    fn too_many_customers_are_refused_before_anything_is_drawn() {
        let err = simulate(&cdnow(), MAX_SIMULATED + 1, 39.0, 1).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        assert!(err.to_string().contains("customers"), "{err}");
        let err = simulate(&cdnow(), usize::MAX, 39.0, 1).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    }

    /// An infinite purchase rate with no dropout made endless repeats at time 0 (a loop until
    /// the count overflowed); now it is an error at once.
    #[test]
    fn an_endless_customer_is_an_error_not_a_hang() {
        let p = BgNbdParams::new(1e300, 1e-300, 1e-300, 1e300).unwrap();
        let err = simulate(&p, 1, 1.0, 1).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        assert!(err.to_string().contains("repeats"), "{err}");
        // Nothing observed is still no repeats, whatever the rate.
        let none = simulate(&p, 3, 0.0, 1).unwrap();
        assert!(none.iter().all(|s| s.frequency() == 0));
    }

    /// Customers expecting thousands of repeats are drawn at once, and their mean repeats are
    /// the model's E[X(T)]; drawn one by one instead, they would be 2,000 steps each.
    #[test]
    fn customers_drawn_at_once_repeat_as_the_model_expects() {
        // λ ~ Gamma(400, 10): about 40 ± 2 a unit, so λ T ≈ 2,000 (above ONE_BY_ONE) for T = 50;
        // p ~ Beta(2, 2000): about 1 in 1,000, so dropping out and the horizon both bind.
        let p = BgNbdParams::new(400.0, 10.0, 2.0, 2000.0).unwrap();
        let summaries = simulate(&p, 20_000, 50.0, 5).unwrap();
        let x: Vec<f64> = summaries.iter().map(|s| f64::from(s.frequency())).collect();
        let (mean, error) = mean_and_error(&x);
        let expected = p.expected_repeats(50.0).unwrap();
        assert!(
            (mean - expected).abs() < 5.0 * error,
            "mean {mean} ± {error}, E[X(T)] {expected}"
        );
        assert!(summaries.iter().all(|s| s.recency() <= 50.0));
    }

    /// The two ways of drawing a customer agree: the same means of x and t_x, and the same share
    /// of last repeats near the horizon. Once where both the horizon and dropping out stop
    /// about 1,500 to 2,000 repeats, once where a few repeats are expected, so that many draws
    /// tell apart even an off-by-one in K or in the beta draw.
    #[test]
    fn drawing_at_once_agrees_with_drawing_one_by_one() {
        let mut rng = Pcg64Mcg::seed_from_u64(8);
        for (rate, dropout, length, draws) in [
            (20.0, 1.0 / 1_500.0, 100.0, 3_000),
            (0.5, 0.2, 10.0, 100_000),
        ] {
            let (mut slow, mut fast) = (Vec::new(), Vec::new());
            for _ in 0..draws {
                slow.push(one_by_one(rate, dropout, length, &mut rng));
                fast.push(at_once(rate * length, dropout, length, &mut rng).unwrap());
            }
            let near = 0.9 * length;
            for (name, pick) in [
                (
                    "x",
                    (|d: &(u32, f64), _| f64::from(d.0)) as fn(&(u32, f64), f64) -> f64,
                ),
                ("t_x", |d: &(u32, f64), _| d.1),
                ("t_x > 0.9 T", |d: &(u32, f64), near| {
                    f64::from(u8::from(d.1 > near))
                }),
            ] {
                let (a, ea) =
                    mean_and_error(&slow.iter().map(|d| pick(d, near)).collect::<Vec<_>>());
                let (b, eb) =
                    mean_and_error(&fast.iter().map(|d| pick(d, near)).collect::<Vec<_>>());
                let error = ea.hypot(eb);
                assert!(
                    (a - b).abs() < 5.0 * error,
                    "{name}, λ {rate}: {a} ± {ea} vs {b} ± {eb}"
                );
                assert!(
                    error < 0.05 * a,
                    "{name}, λ {rate}: too few draws ({error} of {a})"
                );
            }
        }
    }

    #[test]
    fn certain_dropout_stops_after_the_first_repeat() {
        // a ≫ b puts p near 1: nearly everyone leaves right after their first repeat.
        let p = BgNbdParams::new(5.0, 1.0, 1e4, 1e-3).unwrap();
        let summaries = simulate(&p, 1_000, 100.0, 1).unwrap();
        let beyond_one = summaries.iter().filter(|s| s.frequency() > 1).count();
        assert!(
            beyond_one < 5,
            "{beyond_one} customers repeated more than once"
        );
    }
}

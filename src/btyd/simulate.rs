//! Drawing customers from the BG/NBD process, for parameter-recovery tests and benchmarks.

use rand::{RngExt, SeedableRng};
use rand_distr::{Beta, Distribution, Exp, Gamma};
use rand_pcg::Pcg64Mcg;

use super::{BgNbdParams, RepeatSummary};
use crate::error::{Error, Result, check_non_negative};

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
/// The same `seed` gives the same summaries (a seeded PCG generator).
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
        let (mut frequency, mut recency) = (0u32, 0.0);
        // A rate that underflows to 0 (tiny r) means no repeat within any horizon.
        if let Ok(gaps) = Exp::new(rate) {
            let mut now = 0.0;
            loop {
                now += gaps.sample(&mut rng);
                if now > length {
                    break;
                }
                frequency += 1;
                recency = now;
                if rng.random::<f64>() < dropout {
                    break;
                }
            }
        }
        summaries.push(RepeatSummary::new(frequency, recency, length)?);
    }
    Ok(summaries)
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

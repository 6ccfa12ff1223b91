//! Putting signals on a common scale across the population.
//!
//! Raw signals live on different scales (a decay weight, a log of a count, a rate, a rating) and
//! some are heavy-tailed. Before they are weighed together, each is normalized across the
//! population to [0, 1], in three optional steps, in this order:
//!
//! 1. `log1p`: `x -> ln(1 + x)`, diminishing returns for counts (negative values count as 0);
//! 2. winsorizing at a tail share `p`: values below the `p` quantile or above the `1 - p`
//!    quantile are clipped to them, so outliers cannot dominate;
//! 3. a [`Scale`]: the percentile rank (the default), a robust z-score mapped through the normal
//!    distribution function, or the value itself clamped to [0, 1].
//!
//! Every step is monotone: a higher raw value never gets a lower normalized value.

use serde::{Deserialize, Serialize};

use crate::error::check_fraction;
use crate::{Error, Result};

/// The last step of a [`Normalization`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// The percentile rank: a customer's mean rank among all customers (1 = lowest, tied values
    /// sharing the mean of their ranks) divided by the number of customers, in (0, 1]. The
    /// default: robust to any distribution, and tells "better than 80% of customers".
    #[default]
    Percentile,
    /// The robust z-score `z = (x - median) / (1.4826 MAD)`, mapped to (0, 1) by the standard
    /// normal distribution function `Φ(z)`. Keeps the distances between customers, unlike ranks,
    /// while the median and the median absolute deviation (MAD) ignore outliers. When the MAD is
    /// 0 (more than half the customers share one value), the mean absolute deviation from the
    /// median times 1.2533 stands in; when that is 0 too, every customer gets 0.5.
    RobustZ,
    /// The value itself, clamped to [0, 1]: for signals that already are a share or probability.
    Identity,
}

/// How one signal is put on the common [0, 1] scale (see the [module docs](self)).
///
/// ```
/// use lead_customers::{Normalization, Scale};
/// let n = Normalization { log1p: true, winsorize: Some(0.01), scale: Scale::RobustZ };
/// let json = serde_json::to_string(&n).unwrap();
/// assert_eq!(json, r#"{"log1p":true,"winsorize":0.01,"scale":"robust_z"}"#);
/// assert_eq!(n.apply(&[1.0, 2.0, 3.0]).unwrap()[1], 0.5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Normalization {
    /// Apply `ln(1 + x)` first. Default `false` (the count signals already carry their log).
    pub log1p: bool,
    /// Clip each tail at this share of the population (0 to 0.5). Default `None`.
    pub winsorize: Option<f64>,
    /// The final scale. Default [`Scale::Percentile`].
    pub scale: Scale,
}

impl Normalization {
    /// The percentile rank alone: the default.
    pub const PERCENTILE: Normalization = Normalization {
        log1p: false,
        winsorize: None,
        scale: Scale::Percentile,
    };

    /// Checks the settings: the winsorizing share is from 0 to 0.5.
    pub fn check(&self) -> Result<()> {
        if let Some(p) = self.winsorize {
            check_fraction("winsorize", p)?;
            if p >= 0.5 {
                return Err(Error::parameter("winsorize", p, "must be below 0.5"));
            }
        }
        Ok(())
    }

    /// Normalizes a column across the population.
    ///
    /// Fails on an invalid setting, an empty column, or a value that is NaN or infinite.
    pub fn apply(&self, values: &[f64]) -> Result<Vec<f64>> {
        self.check()?;
        if values.is_empty() {
            return Err(Error::EmptyPopulation {
                what: "normalization",
            });
        }
        if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
            return Err(Error::parameter(
                "signal value",
                bad,
                "must be finite to be normalized",
            ));
        }
        let mut x: Vec<f64> = values.iter().map(|&v| self.pre(v)).collect();
        if let Some(p) = self.winsorize {
            let (lo, hi) = tails(&x, p);
            x.iter_mut().for_each(|v| *v = v.clamp(lo, hi));
        }
        Ok(match self.scale {
            Scale::Percentile => percentile_ranks(&x),
            Scale::RobustZ => {
                let (center, spread) = robust_center_spread(&x);
                x.iter().map(|&v| robust_z(v, center, spread)).collect()
            }
            Scale::Identity => x.iter().map(|v| v.clamp(0.0, 1.0)).collect(),
        })
    }

    fn pre(&self, v: f64) -> f64 {
        if self.log1p { v.max(0.0).ln_1p() } else { v }
    }

    /// Fits the normalization to a population's column, to normalize single values later against
    /// it. For a value present in the column, [`Fitted::normalize`] gives exactly what
    /// [`apply`](Self::apply) gives that value.
    #[cfg(test)]
    pub(crate) fn fit(&self, values: &[f64]) -> Result<Fitted> {
        self.check()?;
        let mut x: Vec<f64> = values.iter().map(|&v| self.pre(v)).collect();
        if x.is_empty() {
            return Err(Error::EmptyPopulation {
                what: "normalization",
            });
        }
        let (lo, hi) = match self.winsorize {
            Some(p) => tails(&x, p),
            None => (f64::NEG_INFINITY, f64::INFINITY),
        };
        x.iter_mut().for_each(|v| *v = v.clamp(lo, hi));
        x.sort_unstable_by(f64::total_cmp);
        let (center, spread) = robust_center_spread(&x);
        Ok(Fitted {
            normalization: *self,
            sorted: x,
            lo,
            hi,
            center,
            spread,
        })
    }
}

/// A normalization fitted to a population: normalizes single values against it.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fitted {
    normalization: Normalization,
    sorted: Vec<f64>,
    lo: f64,
    hi: f64,
    center: f64,
    spread: f64,
}

#[cfg(test)]
impl Fitted {
    /// The normalized value of `v` against the fitted population. Monotone in `v`.
    pub(crate) fn normalize(&self, v: f64) -> f64 {
        let x = self.normalization.pre(v).clamp(self.lo, self.hi);
        match self.normalization.scale {
            Scale::Percentile => {
                let below = self.sorted.partition_point(|&s| s < x);
                let equal = self.sorted[below..].partition_point(|&s| s <= x);
                (below as f64 + (equal as f64 + 1.0) / 2.0) / self.sorted.len() as f64
            }
            Scale::RobustZ => robust_z(x, self.center, self.spread),
            Scale::Identity => x.clamp(0.0, 1.0),
        }
    }
}

/// The `p` and `1 - p` quantiles (nearest rank) of the values.
fn tails(x: &[f64], p: f64) -> (f64, f64) {
    let mut sorted = x.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let n = sorted.len();
    let k = ((p * n as f64).floor() as usize).min(n - 1);
    (sorted[k], sorted[n - 1 - k])
}

/// Percentile ranks: the mean rank of each value's tie group divided by `n`.
pub(crate) fn percentile_ranks(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by(|&a, &b| x[a as usize].total_cmp(&x[b as usize]));
    let mut out = vec![0.0; n];
    let mut start = 0;
    while start < n {
        let value = x[order[start] as usize];
        let mut end = start + 1;
        while end < n && x[order[end] as usize] == value {
            end += 1;
        }
        // Ranks start+1 ..= end share their mean.
        let mean_rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            out[i as usize] = mean_rank / n as f64;
        }
        start = end;
    }
    out
}

/// The median and the robust spread (1.4826 MAD, or 1.2533 times the mean absolute deviation
/// when the MAD is 0).
fn robust_center_spread(x: &[f64]) -> (f64, f64) {
    let median = |v: &mut Vec<f64>| {
        v.sort_unstable_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let center = median(&mut x.to_vec());
    let mut deviations: Vec<f64> = x.iter().map(|v| (v - center).abs()).collect();
    let mad = median(&mut deviations);
    let spread = if mad > 0.0 {
        1.4826 * mad
    } else {
        1.2533 * deviations.iter().sum::<f64>() / deviations.len() as f64
    };
    (center, spread)
}

fn robust_z(x: f64, center: f64, spread: f64) -> f64 {
    if spread > 0.0 {
        let z = (x - center) / spread;
        0.5 * (1.0 + statrs::function::erf::erf(z / std::f64::consts::SQRT_2))
    } else {
        0.5
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_ranks_share_the_mean_rank_of_ties() {
        let p = percentile_ranks(&[3.0, 1.0, 3.0, 2.0]);
        // Ranks: 1.0 -> 1, 2.0 -> 2, the two 3.0 -> 3 and 4, sharing 3.5.
        assert_eq!(p, vec![3.5 / 4.0, 0.25, 3.5 / 4.0, 0.5]);
    }

    #[test]
    fn winsorizing_clips_both_tails() {
        let n = Normalization {
            winsorize: Some(0.1),
            scale: Scale::Identity,
            ..Default::default()
        };
        let x: Vec<f64> = (0..10).map(|i| i as f64 / 10.0).collect();
        let out = n.apply(&x).unwrap();
        assert_eq!(out[0], 0.1);
        assert_eq!(out[9], 0.8);
        assert_eq!(out[5], 0.5);
    }

    #[test]
    fn robust_z_maps_the_median_to_one_half_and_is_monotone() {
        let n = Normalization {
            scale: Scale::RobustZ,
            ..Default::default()
        };
        let out = n.apply(&[1.0, 2.0, 3.0, 4.0, 100.0]).unwrap();
        assert_eq!(out[2], 0.5);
        assert!(out.windows(2).all(|w| w[0] < w[1]));
        // The outlier does not move the others: 2 and 4 sit symmetrically around the median.
        assert!((out[1] + out[3] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn robust_z_falls_back_when_most_values_are_equal() {
        let n = Normalization {
            scale: Scale::RobustZ,
            ..Default::default()
        };
        let out = n.apply(&[0.0, 0.0, 0.0, 0.0, 5.0]).unwrap();
        assert_eq!(out[0], 0.5);
        assert!(out[4] > 0.9);
        assert_eq!(n.apply(&[2.0, 2.0]).unwrap(), vec![0.5, 0.5]);
    }

    #[test]
    fn log1p_changes_robust_z_but_not_ranks() {
        let x = [0.0, 1.0, 10.0, 100.0, 1000.0];
        let plain = Normalization::PERCENTILE.apply(&x).unwrap();
        let logged = Normalization {
            log1p: true,
            ..Default::default()
        }
        .apply(&x)
        .unwrap();
        assert_eq!(plain, logged);
        let z = Normalization {
            scale: Scale::RobustZ,
            ..Default::default()
        };
        let zl = Normalization { log1p: true, ..z };
        assert_ne!(z.apply(&x).unwrap(), zl.apply(&x).unwrap());
    }

    #[test]
    fn fitted_normalization_agrees_with_the_column() {
        let x = [0.0, 0.0, 1.5, 2.0, 2.0, 7.0, 0.3];
        for n in [
            Normalization::PERCENTILE,
            Normalization {
                log1p: true,
                winsorize: Some(0.2),
                scale: Scale::RobustZ,
            },
            Normalization {
                winsorize: Some(0.2),
                ..Default::default()
            },
        ] {
            let column = n.apply(&x).unwrap();
            let fitted = n.fit(&x).unwrap();
            for (v, expected) in x.iter().zip(&column) {
                assert!((fitted.normalize(*v) - expected).abs() < 1e-12, "{n:?} {v}");
            }
        }
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(Normalization::PERCENTILE.apply(&[]).is_err());
        assert!(Normalization::PERCENTILE.apply(&[1.0, f64::NAN]).is_err());
        let n = Normalization {
            winsorize: Some(0.5),
            ..Default::default()
        };
        assert!(n.apply(&[1.0]).is_err());
    }
}

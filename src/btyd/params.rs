//! The four BG/NBD parameters, validated once.

use serde::{Deserialize, Serialize};

use crate::error::{Result, check_positive};

/// The parameters of the BG/NBD model (Fader, Hardie & Lee 2005):
///
/// - while alive, a customer is active at Poisson rate λ, and λ ~ Gamma(shape `r`, rate `alpha`)
///   across customers (mean r/α activities per unit of time);
/// - after each repeat activity a customer drops out with probability p, and
///   p ~ Beta(`a`, `b`) across customers (mean a/(a+b)).
///
/// All four are finite and above zero; [`BgNbdParams::new`] checks it once, so the likelihood and
/// the predictions never meet an invalid value. `alpha` carries the time unit of the summaries
/// it was fitted on (weeks or days).
///
/// ```
/// use lead_customers::btyd::BgNbdParams;
/// // The published CDNOW fit (weeks).
/// let p = BgNbdParams::new(0.243, 4.414, 0.793, 2.426).unwrap();
/// assert_eq!(p.alpha(), 4.414);
/// assert!(BgNbdParams::new(0.243, 0.0, 0.793, 2.426).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawParams")]
pub struct BgNbdParams {
    r: f64,
    alpha: f64,
    a: f64,
    b: f64,
}

#[derive(Deserialize)]
struct RawParams {
    r: f64,
    alpha: f64,
    a: f64,
    b: f64,
}

impl TryFrom<RawParams> for BgNbdParams {
    type Error = crate::Error;
    fn try_from(raw: RawParams) -> Result<Self> {
        BgNbdParams::new(raw.r, raw.alpha, raw.a, raw.b)
    }
}

impl BgNbdParams {
    /// Checks and wraps the parameters: each must be finite and above zero.
    ///
    /// ```
    /// use lead_customers::{btyd::BgNbdParams, ErrorKind};
    /// let err = BgNbdParams::new(1.0, 1.0, f64::NAN, 1.0).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    /// ```
    pub fn new(r: f64, alpha: f64, a: f64, b: f64) -> Result<Self> {
        Ok(BgNbdParams {
            r: check_positive("r", r)?,
            alpha: check_positive("alpha", alpha)?,
            a: check_positive("a", a)?,
            b: check_positive("b", b)?,
        })
    }

    /// Shape of the Gamma distribution of purchase rates.
    pub fn r(&self) -> f64 {
        self.r
    }

    /// Rate of the Gamma distribution of purchase rates (in 1 / time unit).
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// First shape of the Beta distribution of dropout probabilities.
    pub fn a(&self) -> f64 {
        self.a
    }

    /// Second shape of the Beta distribution of dropout probabilities.
    pub fn b(&self) -> f64 {
        self.b
    }

    /// The parameters as an array `[r, alpha, a, b]`, the order the fit and its gradient use.
    pub(crate) fn to_array(self) -> [f64; 4] {
        [self.r, self.alpha, self.a, self.b]
    }
}

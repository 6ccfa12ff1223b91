//! The four BG/NBD parameters, validated once.

use serde::{Deserialize, Serialize};

use crate::error::{Result, check_at_most, check_positive};

/// The parameters of the BG/NBD model (Fader, Hardie & Lee 2005):
///
/// - while alive, a customer is active at Poisson rate λ, and λ ~ Gamma(shape `r`, rate `alpha`)
///   across customers (mean r/α activities per unit of time);
/// - after each repeat activity a customer drops out with probability p, and
///   p ~ Beta(`a`, `b`) across customers (mean a/(a+b)).
///
/// All four are finite, above zero and at most [`MAX_PARAMETER`]; [`BgNbdParams::new`] checks it
/// once, so the likelihood and
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
#[serde(deny_unknown_fields)]
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

/// The largest value [`BgNbdParams::new`] takes for any parameter. Why: the likelihood holds
/// ln Γ of the parameters, which overflows from about 2e305 (ln Γ(r) ≈ r ln r); no data set
/// calls for a value anywhere near, and the fit stops far below it (at e^25, about 7e10).
pub const MAX_PARAMETER: f64 = 1e300;

impl BgNbdParams {
    /// Checks and wraps the parameters: each must be finite, above zero and at most
    /// [`MAX_PARAMETER`].
    ///
    /// ```
    /// use lead_customers::{btyd::BgNbdParams, ErrorKind};
    /// let err = BgNbdParams::new(1.0, 1.0, f64::NAN, 1.0).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    /// assert!(BgNbdParams::new(1e301, 1.0, 1.0, 1.0).is_err());
    /// ```
    pub fn new(r: f64, alpha: f64, a: f64, b: f64) -> Result<Self> {
        let check = |parameter: &str, value: f64| {
            check_at_most(
                parameter,
                check_positive(parameter, value)?,
                MAX_PARAMETER,
                || format!("must be at most {MAX_PARAMETER:e}"),
            )
        };
        Ok(BgNbdParams {
            r: check("r", r)?,
            alpha: check("alpha", alpha)?,
            a: check("a", a)?,
            b: check("b", b)?,
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

//! The Gaussian hypergeometric function 2F1 for real parameters and real z < 1, and the series
//! engine the BG/NBD expectations share with it.

use crate::error::{Error, Result, Shown};

/// The most terms a series may take before the evaluation gives up with an error: a bound on
/// the time one evaluation can take (a few milliseconds).
pub const MAX_TERMS: usize = 1_000_000;

/// The relative size of the tail at which summing stops.
pub(crate) const TOLERANCE: f64 = 1e-15;

/// Why a series could not be summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeriesFailure {
    /// The tail bound did not fall below the tolerance within [`MAX_TERMS`] terms.
    TooManyTerms,
    /// A term or the sum left the range of f64.
    Overflow,
    /// The terms cancel so much that the sum may have no right digit (see [`MAX_CONDITION`]).
    IllConditioned,
}

/// A summed series (or a value made of a few, as the BG/NBD expectations are): its value, and
/// the sum of the absolute values of what was added to get it (their ratio is the condition
/// number of the sum: how many digits cancellation may have cost).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Series {
    pub(crate) sum: f64,
    pub(crate) magnitude: f64,
}

impl Series {
    /// The condition number `Σ|t_n| / |Σ t_n|` (1 for an empty sum): a relative error of about
    /// 1e-16 times it.
    pub(crate) fn condition(&self) -> f64 {
        if self.magnitude == 0.0 {
            1.0
        } else {
            self.magnitude / self.sum.abs()
        }
    }
}

/// The largest condition number of a [`hyp2f1`] value returned: by this bound at most 13 of an
/// f64's 16 digits are lost to cancellation. The bound overstates the error (an alternating
/// series of the BG/NBD expectation at r = 50, a = 1, b = 0.01, t = 2 has a condition number of
/// 1.1e11 and was right to 2e-7), so this keeps every value that has digits to give, and turns
/// into an error the values that are all rounding (sums of terms of 1e100 cancelling to 1e75,
/// with condition numbers of 1e17 and more). The BG/NBD expectations, which promise 1e-9, keep
/// a stricter limit of their own.
pub(crate) const MAX_CONDITION: f64 = 1e13;

/// A bound on every later ratio `|t_{k+1} / t_k|` of a series whose ratio at the current term
/// is `z (p1)(p2) / ((q1)(q2))` (the parameters shifted to that term, each q above 0, each
/// shifted by one more per term): every factor p/q then moves monotonically toward 1, so each is
/// at most `max(1, |p/q|)` from here on. Paired either way; the tighter pairing bounds sooner (a
/// huge p2 over a small q2 against a q1 as huge, paired one way only, kept the bound above 1 for
/// a million terms).
pub(crate) fn ratio_bound(z: f64, [p1, p2]: [f64; 2], [q1, q2]: [f64; 2]) -> f64 {
    let paired = |q1: f64, q2: f64| (p1 / q1).abs().max(1.0) * (p2 / q2).abs().max(1.0);
    z.abs() * paired(q1, q2).min(paired(q2, q1))
}

/// Sums `Σ_{n≥0} t_n` with `t_0 = first` and `t_{n+1} = t_n (p1+n)(p2+n) / ((q1+n)(q2+n)) z`,
/// stopping by the tail bound described in [`hyp2f1`]'s docs.
pub(crate) fn hypergeometric_sum(
    first: f64,
    [p1, p2]: [f64; 2],
    [q1, q2]: [f64; 2],
    z: f64,
) -> std::result::Result<Series, SeriesFailure> {
    let mut term = first;
    let mut sum = first;
    let mut magnitude = first.abs();
    for n in 0..MAX_TERMS {
        if term == 0.0 {
            // Every later term is a multiple of this one: a terminating (polynomial) series.
            return Ok(Series { sum, magnitude });
        }
        let m = n as f64;
        let (f1, f2) = ((p1 + m) / (q1 + m), (p2 + m) / (q2 + m));
        if q1 + m > 0.0 && q2 + m > 0.0 {
            let rho = ratio_bound(z, [p1 + m, p2 + m], [q1 + m, q2 + m]);
            if rho < 1.0 && term.abs() * rho <= TOLERANCE * (1.0 - rho) * sum.abs() {
                return Ok(Series { sum, magnitude });
            }
        }
        term *= f1 * f2 * z;
        sum += term;
        magnitude += term.abs();
        if !magnitude.is_finite() {
            return Err(SeriesFailure::Overflow);
        }
    }
    Err(SeriesFailure::TooManyTerms)
}

/// The Gaussian hypergeometric function 2F1(a, b; c; z) for real a, b, c and real z < 1.
///
/// Why it is here: the BG/NBD expectations (Fader, Hardie & Lee 2005, eqs. 7 and 10) need it
/// at 0 <= z < 1, and statrs does not provide it. It is summed as a power series,
///
/// ```text
/// 2F1(a, b; c; z) = Σ_{n≥0} t_n,   t_0 = 1,   t_{n+1} = t_n (a+n)(b+n) / ((c+n)(n+1)) z,
/// ```
///
/// with two transformations (Abramowitz & Stegun 15.3.4 and 15.3.3) that keep it convergent and
/// its terms small:
///
/// - Pfaff, for z < 0: `2F1(a, b; c; z) = (1−z)^{−a} 2F1(a, c−b; c; z/(z−1))`, which moves z
///   into (0, 1);
/// - Euler, when it shrinks the parameters: `2F1(a, b; c; z) = (1−z)^{c−a−b} 2F1(c−a, c−b; c; z)`.
///   With a and b large (as r + x and b + x are for a frequent customer) the plain series has
///   huge terms; after Euler its parameters c−a and c−b no longer grow with x.
///
/// **Convergence criterion.** Summing stops at the first n where the rest of the series is
/// provably below 1e-15 of the sum: past `n`, each factor (p+m)/(q+m) moves monotonically toward
/// 1, so every later term ratio is at most ρ = |z|·max(|(a+n)/(c+n)|, 1)·max(|(b+n)/(n+1)|, 1),
/// or the same with the denominators swapped, whichever is smaller, and when ρ < 1 the tail is
/// at most |t_n| ρ / (1 − ρ). This is stronger than "a few small terms in a row", which stops
/// too early when terms first shrink and then grow (tiny a, large b). The number of terms grows
/// like 40 / (1 − z); past [`MAX_TERMS`] the function returns an error rather than loop: that is
/// z closer to 1 than about 5e-5.
///
/// **Accuracy.** Where both the plain series and Euler's apply, the one whose terms cancel least
/// is kept (a large c − b makes Euler's series alternate with huge terms, while the plain one's
/// are all positive). A value whose terms cancel so much that it may have no right digit (the
/// sum of the terms' sizes over 1e13 times the sum) is an error, not a number.
///
/// Errors ([`Error::InvalidParameter`]): a non-finite argument, z >= 1, c a non-positive integer
/// (the function is undefined there), z so close to 1 that the series would need more than
/// [`MAX_TERMS`] terms, a result beyond the range of f64, or one whose terms cancel too much.
///
/// ```
/// use lead_customers::btyd::hyp2f1;
/// let z = 0.5_f64;
/// // 2F1(1, 1; 2; z) = −ln(1−z) / z
/// let f = hyp2f1(1.0, 1.0, 2.0, z).unwrap();
/// assert!((f / (-(1.0 - z).ln() / z) - 1.0).abs() < 1e-14);
/// // 2F1(a, b; b; z) = (1−z)^(−a)
/// assert!((hyp2f1(0.3, 2.5, 2.5, -3.0).unwrap() - 4f64.powf(-0.3)).abs() < 1e-15);
/// assert!(hyp2f1(1.0, 1.0, 2.0, 1.0).is_err());
/// ```
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Result<f64> {
    for (name, value) in [("a", a), ("b", b), ("c", c)] {
        if !value.is_finite() {
            return Err(Error::parameter(name, value, "must be a finite number"));
        }
    }
    if z.is_nan() || z >= 1.0 {
        return Err(Error::parameter(
            "z",
            z,
            "must be a number below 1 (the series diverges at 1 and beyond)",
        ));
    }
    if c <= 0.0 && c.fract() == 0.0 {
        return Err(Error::parameter(
            "c",
            c,
            "must not be zero or a negative integer (2F1 is undefined there)",
        ));
    }
    let value = if z < 0.0 {
        // Pfaff: z/(z−1) lies in (0, 1).
        series_in_unit_interval(a, c - b, c, z / (z - 1.0)).map(|f| (1.0 - z).powf(-a) * f)
    } else {
        series_in_unit_interval(a, b, c, z)
    };
    match value {
        Ok(v) if v.is_finite() => Ok(v),
        Err(SeriesFailure::IllConditioned) => Err(Error::parameter(
            "a, b, c, z",
            [a, b, c, z].map(|v| v.shown()).join(", "),
            "the series' terms cancel too much to give 2F1 here",
        )),
        Err(SeriesFailure::TooManyTerms) => Err(Error::parameter(
            "z",
            z,
            format!(
                "{}: the series would need more than {MAX_TERMS} terms",
                // Below 0, the series runs at z / (z − 1), close to 1 when z is far below 0.
                if z < 0.0 {
                    "too far below 0"
                } else {
                    "too close to 1"
                }
            ),
        )),
        _ => Err(Error::parameter(
            "a, b, c",
            format!("{a}, {b}, {c}"),
            "2F1 overflows an f64 for these parameters",
        )),
    }
}

/// 2F1 for 0 <= z < 1: the plain series, or Euler's transformation when that gives smaller
/// parameters, whichever cancels less; an error when even that one cancels too much.
fn series_in_unit_interval(
    a: f64,
    b: f64,
    c: f64,
    z: f64,
) -> std::result::Result<f64, SeriesFailure> {
    let plain = || hypergeometric_sum(1.0, [a, b], [c, 1.0], z).map(|f| (f, 1.0));
    let best = if (c - a).abs() + (c - b).abs() < a.abs() + b.abs() {
        let scale = (1.0 - z).powf(c - a - b);
        let euler = hypergeometric_sum(1.0, [c - a, c - b], [c, 1.0], z).map(|f| (f, scale));
        match euler {
            // Smaller parameters: fewer, smaller terms, unless they alternate and cancel.
            Ok((f, _)) if f.condition() <= WELL_CONDITIONED => euler,
            _ => match (euler, plain()) {
                (Ok(e), Ok(p)) => Ok(if p.0.condition() < e.0.condition() {
                    p
                } else {
                    e
                }),
                (Ok(e), Err(_)) => Ok(e),
                (Err(_), plain) => plain,
            },
        }
    } else {
        plain()
    }?;
    let (series, scale) = best;
    // An exact 0 is a root of a polynomial (2F1(−1, 2; 1; 1/2) = 1 − 2 · 1/2), not a sum that
    // lost every digit, which leaves rounding, not 0.
    if series.condition() > MAX_CONDITION && series.sum != 0.0 {
        return Err(SeriesFailure::IllConditioned);
    }
    Ok(scale * series.sum)
}

/// A condition number up to which a form's result is taken without trying the others (Euler's
/// series without the plain one, a BG/NBD expectation's first form without the other two): at
/// most 4 of 16 digits lost.
pub(crate) const WELL_CONDITIONED: f64 = 1e4;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn close(value: f64, expected: f64, relative: f64) -> bool {
        (value - expected).abs() <= relative * expected.abs()
    }

    #[test]
    fn matches_the_logarithm_closed_form() {
        // 2F1(1, 1; 2; z) = −ln(1−z)/z, up to z = 0.999 where the series needs ~40,000 terms.
        for z in [1e-8_f64, 0.1, 0.5, 0.9, 0.99, 0.999, -0.5, -20.0] {
            let expected = -(-z).ln_1p() / z;
            let f = hyp2f1(1.0, 1.0, 2.0, z).unwrap();
            assert!(close(f, expected, 1e-13), "z = {z}: {f} vs {expected}");
        }
    }

    #[test]
    fn matches_the_power_closed_form() {
        // 2F1(a, b; b; z) = (1−z)^(−a), for a below and above 1, z of both signs.
        for (a, b) in [(0.243, 2.426), (0.793, 0.1), (5.5, 3.0)] {
            for z in [0.2, 0.75, 0.97, -0.6, -9.0] {
                let f = hyp2f1(a, b, b, z).unwrap();
                let expected = (1.0 - z).powf(-a);
                assert!(close(f, expected, 1e-13), "a {a} b {b} z {z}: {f}");
            }
        }
    }

    #[test]
    fn matches_the_arcsine_closed_form() {
        // 2F1(1/2, 1/2; 3/2; z²) = arcsin(z)/z.
        for z in [0.1_f64, 0.6, 0.95] {
            let f = hyp2f1(0.5, 0.5, 1.5, z * z).unwrap();
            assert!(close(f, z.asin() / z, 1e-13), "z = {z}: {f}");
        }
    }

    /// Values from Python mpmath 1.3.0 at 40 digits (`mpmath.hyp2f1(a, b, c, z)` with the same
    /// binary doubles as inputs).
    #[test]
    fn matches_mpmath() {
        let cases = [
            (0.243, 2.426, 2.219, 0.3, 1.100_518_533_085_473),
            (0.243, 2.426, 2.219, 0.95, 2.446_186_677_030_991_7),
            (2.5, 0.7, -0.4, 0.6, -113.528_960_564_256_9), // c < 0, not an integer
            (1000.3, 1000.5, 1001.0, 0.5, 9.329_656_027_799_103e300), // Euler path
            (2.3, 0.5, 1.5, -50.0, 0.100_018_446_788_663_04), // Pfaff path
            (-3.0, 2.5, 1.5, 0.7, -0.099_000_000_000_000_02), // a polynomial
            (1e-20, 100.0, 1.0, 0.9, 1.123_609_869_090_108e77), // terms shrink, then grow
            (0.5, 0.5, 0.500_000_001, -0.99, 0.708_881_205_496_141_6),
            (3.3, 0.2, 7.1, 0.9999, 1.151_568_287_427_112_4),
        ];
        for (a, b, c, z, expected) in cases {
            let f = hyp2f1(a, b, c, z).unwrap();
            assert!(
                close(f, expected, 1e-12),
                "2F1({a}, {b}; {c}; {z}) = {f} vs {expected}"
            );
        }
    }

    #[test]
    fn refuses_points_outside_its_domain() {
        for (a, b, c, z) in [
            (1.0, 1.0, 2.0, 1.0),
            (1.0, 1.0, 2.0, 1.5),
            (1.0, 1.0, 0.0, 0.5),
            (1.0, 1.0, -2.0, 0.5),
            (f64::NAN, 1.0, 2.0, 0.5),
            (1.0, 1.0, 2.0, f64::NAN),
            (1.0, 1.0, 2.0, 1.0 - 1e-9), // would need ~4e10 terms
            (2000.0, 2000.0, 1.0, 0.9),  // beyond f64
        ] {
            let err = hyp2f1(a, b, c, z).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidParameter, "{a} {b} {c} {z}");
        }
        // Far below 0 the message says so, rather than "too close to 1".
        let err = hyp2f1(1.0, 1.0, 2.0, -1e10).unwrap_err().to_string();
        assert!(err.contains("too far below 0"), "{err}");
        let err = hyp2f1(1.0, 1.0, 2.0, 1.0 - 1e-9).unwrap_err().to_string();
        assert!(err.contains("too close to 1"), "{err}");
    }

    #[test]
    fn stops_on_a_provable_tail_bound() {
        // Σ z^n: with ratio exactly z the tail after t_n is t_n z / (1 − z).
        let series = hypergeometric_sum(1.0, [1.0, 1.0], [1.0, 1.0], 0.5).unwrap();
        assert!(close(series.sum, 2.0, 1e-15));
        assert!(close(series.magnitude, 2.0, 1e-15));
        // A terminating series stops at its first zero term.
        let poly = hypergeometric_sum(1.0, [-2.0, 1.0], [1.0, 1.0], 3.0).unwrap();
        assert_eq!(poly.sum, 1.0 - 6.0 + 9.0);
    }

    #[test]
    fn the_series_that_cancels_least_is_kept_and_too_much_cancellation_is_an_error() {
        // c − b far below 0: Euler's series alternates with terms of 1e100 that cancel, while
        // the plain one's terms are all positive (values from mpmath at 60 digits).
        let f = hyp2f1(2.0, 190.0, 7.5, 0.65).unwrap();
        assert!(close(f, 8.349_086_421_552_587e75, 1e-12), "{f}");
        let f = hyp2f1(2.0, 50.0, 7.5, 0.65).unwrap();
        assert!(close(f, 2_382_285_239_411_187.7, 1e-12), "{f}");
        // 2F1(−60, 1; 1; z) = (1 − z)^60 = 1e-180, from alternating terms up to 1e17: no right
        // digit would be left.
        let err = hyp2f1(-60.0, 1.0, 1.0, 0.999).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        assert!(err.to_string().contains("cancel"), "{err}");
        // An exact root of a polynomial is 0, not an error.
        assert_eq!(hyp2f1(-1.0, 2.0, 1.0, 0.5).unwrap(), 0.0);
        assert_eq!(hyp2f1(-1.0, 4.0, 2.0, 0.5).unwrap(), 0.0);
    }
}

//! Cronbach's alpha: how consistently the items of one questionnaire construct measure the same
//! thing.
//!
//! A construct such as "ahead of trend" is asked through several items because any one question
//! is a noisy measure. If the items measure one underlying trait, respondents who score high on
//! one score high on the others, the items covary, and the variance of the item total is much more
//! than the sum of the item variances. Alpha turns that into one number:
//!
//! `alpha = k/(k − 1) · (1 − Σ var(item_j) / var(Σ_j item_j))`
//!
//! for `k` items, every variance with the `n − 1` denominator (Cronbach 1951). Around 0.7 or more
//! is the usual bar for a research scale; a value near zero or below means the items do not hang
//! together (often a reverse-keyed item that was not recoded).

use crate::error::{Error, Result, check_finite};

/// Cronbach's alpha of `items`, one column per item, each with one value per respondent (the
/// same respondents, in the same order, in every column: complete cases only).
///
/// Errors: [`Error::Undefined`] with fewer than 2 items, fewer than 2 respondents, or a total
/// score with zero variance (everybody answered the same total), or values so large that the
/// variances overflow; [`Error::LengthMismatch`] when the columns differ in length;
/// [`Error::NonFiniteInput`] for a NaN or infinite value.
///
/// ```
/// use lead_customers::evidence::cronbach_alpha;
/// // Two items that agree perfectly: alpha is 1.
/// let alpha = cronbach_alpha(&[vec![1.0, 2.0, 3.0], vec![1.0, 2.0, 3.0]])?;
/// assert!((alpha - 1.0).abs() < 1e-12);
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn cronbach_alpha<C: AsRef<[f64]>>(items: &[C]) -> Result<f64> {
    const WHAT: &str = "Cronbach's alpha";
    let k = items.len();
    if k < 2 {
        return Err(Error::Undefined {
            what: WHAT,
            reason: format!("it needs at least 2 items, got {k}"),
        });
    }
    let n = items[0].as_ref().len();
    for column in items {
        let column = column.as_ref();
        if column.len() != n {
            return Err(Error::LengthMismatch {
                what: "item column (one value per respondent)",
                expected: n,
                found: column.len(),
            });
        }
        check_finite("item values", column)?;
    }
    if n < 2 {
        return Err(Error::Undefined {
            what: WHAT,
            reason: format!("it needs at least 2 respondents who answered every item, got {n}"),
        });
    }
    let item_variances: f64 = items.iter().map(|c| sample_variance(c.as_ref())).sum();
    let totals: Vec<f64> = (0..n)
        .map(|r| items.iter().map(|c| c.as_ref()[r]).sum())
        .collect();
    let total_variance = sample_variance(&totals);
    if !(item_variances.is_finite() && total_variance.is_finite()) {
        return Err(Error::Undefined {
            what: WHAT,
            reason: "the values are too large for their variances to be finite numbers".to_owned(),
        });
    }
    if total_variance <= 0.0 {
        return Err(Error::Undefined {
            what: WHAT,
            reason: "every respondent has the same total score (zero variance)".to_owned(),
        });
    }
    let k = k as f64;
    Ok(k / (k - 1.0) * (1.0 - item_variances / total_variance))
}

/// The variance with the `n − 1` denominator, by the two-pass formula (mean first), which does
/// not lose precision the way `Σx² − n·mean²` does. `values` has at least 2 elements.
fn sample_variance(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn alpha_matches_the_formula_by_hand() {
        // Items (1,2,3,4) and (2,2,4,4): variances 5/3 and 4/3; totals 3,4,7,8, variance 17/3.
        // alpha = 2 · (1 − 3/(17/3)) = 2 · (1 − 9/17) = 16/17.
        let alpha = cronbach_alpha(&[vec![1.0, 2.0, 3.0, 4.0], vec![2.0, 2.0, 4.0, 4.0]]).unwrap();
        assert!((alpha - 16.0 / 17.0).abs() < 1e-12);
    }

    #[test]
    fn items_that_disagree_give_a_negative_alpha() {
        let alpha = cronbach_alpha(&[vec![1.0, 2.0, 3.0, 4.0], vec![4.0, 3.0, 2.0, 2.0]]).unwrap();
        assert!(alpha < 0.0);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// The covariance form `k·c̄ / (v̄ + (k − 1)·c̄)` (mean item variance `v̄`, mean
        /// inter-item covariance `c̄`) is the same number, computed another way.
        #[test]
        fn alpha_equals_its_covariance_form(
            k in 2usize..6,
            rows in proptest::collection::vec(proptest::collection::vec(1u8..=7, 6), 3..12),
        ) {
            let items: Vec<Vec<f64>> = (0..k).map(|j| rows.iter().map(|r| f64::from(r[j])).collect()).collect();
            let n = rows.len() as f64;
            let mean = |c: &[f64]| c.iter().sum::<f64>() / n;
            let cov = |a: &[f64], b: &[f64]| {
                let (ma, mb) = (mean(a), mean(b));
                a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum::<f64>() / (n - 1.0)
            };
            let v = (0..k).map(|j| cov(&items[j], &items[j])).sum::<f64>() / k as f64;
            let pairs: Vec<f64> = (0..k).flat_map(|i| (0..k).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| cov(&items[i], &items[j])).collect();
            let c = pairs.iter().sum::<f64>() / pairs.len() as f64;
            let denominator = v + (k as f64 - 1.0) * c;
            match cronbach_alpha(&items) {
                Ok(alpha) => proptest::prop_assert!((alpha - k as f64 * c / denominator).abs() < 1e-9),
                Err(e) => proptest::prop_assert!(e.kind() == ErrorKind::Undefined && denominator.abs() < 1e-12),
            }
        }
    }

    #[test]
    fn values_too_large_for_a_finite_variance_are_an_error() {
        for items in [
            [vec![1e308, -1e308], vec![1e308, -1e308]],
            [vec![1e200, -1e200], vec![1e200, -1e201]],
        ] {
            let err = cronbach_alpha(&items).unwrap_err();
            assert!(matches!(err, Error::Undefined { .. }), "{err}");
        }
    }

    #[test]
    fn sample_variance_uses_n_minus_one() {
        assert!((sample_variance(&[1.0, 2.0, 3.0, 4.0]) - 5.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn undefined_cases_are_typed_errors() {
        let one_item = cronbach_alpha(&[vec![1.0, 2.0]]).unwrap_err();
        assert_eq!(one_item.kind(), ErrorKind::Undefined);
        let one_respondent = cronbach_alpha(&[vec![1.0], vec![2.0]]).unwrap_err();
        assert_eq!(one_respondent.kind(), ErrorKind::Undefined);
        let flat = cronbach_alpha(&[vec![3.0, 3.0], vec![2.0, 2.0]]).unwrap_err();
        assert_eq!(flat.kind(), ErrorKind::Undefined);
        let ragged = cronbach_alpha(&[vec![1.0, 2.0], vec![2.0]]).unwrap_err();
        assert_eq!(ragged.kind(), ErrorKind::LengthMismatch);
        let nan = cronbach_alpha(&[vec![1.0, f64::NAN], vec![2.0, 1.0]]).unwrap_err();
        assert_eq!(nan.kind(), ErrorKind::NonFinite);
    }
}

//! E[Y(t) | x, t_x, T] against independent high-precision values: eq. 10 of Fader, Hardie & Lee
//! (2005) evaluated as printed with Python mpmath at 60 digits (`tests/data/
//! bgnbd_expectation_mpmath.py` wrote `bgnbd_expectation_mpmath.txt`): 13 hand-picked corners
//! and 400 random points with r, a, b from 0.01 to 50 (half of the a within 1e-3 of 1),
//! α from 0.01 to 1000, x up to 1000, t from 1e-6 to 1000 times α + T.

use lead_customers::btyd::{BgNbdParams, RepeatSummary};

#[test]
fn conditional_expectation_matches_mpmath_across_the_domain() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/bgnbd_expectation_mpmath.txt"
    ))
    .unwrap();
    let mut points = 0;
    for line in text.lines() {
        let f: Vec<f64> = line
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        let params = BgNbdParams::new(f[0], f[1], f[2], f[3]).unwrap();
        let summary = RepeatSummary::new(f[4] as u32, f[5], f[6]).unwrap();
        let expected = f[8];
        let value = params.conditional_expected_repeats(&summary, f[7]).unwrap();
        // The documented accuracy: 1e-9 relative everywhere, r ≫ a + b with a next to 1
        // included (2e-7 there before the form with positive terms stopped dividing by a − 1).
        let tolerance = 1e-9;
        assert!(
            (value - expected).abs() <= tolerance * expected.abs(),
            "{line}: got {value}"
        );
        points += 1;
    }
    assert_eq!(points, 413);
}

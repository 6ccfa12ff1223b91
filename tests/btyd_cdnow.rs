//! The BG/NBD fit on CDNOW, checked against the published figures of Fader, Hardie & Lee (2005),
//! "Counting your customers the easy way", table 1 (see `tests/data/README.md` for the data).

use std::collections::BTreeMap;

use lead_customers::btyd::{BgNbdParams, FitOptions, RepeatSummary, SummaryOptions, TimeUnit};
use lead_customers::time::parse_timestamp;

/// Seconds since the epoch at midnight UTC of a `YYYYMMDD` date.
fn seconds(yyyymmdd: &str) -> i64 {
    let (y, rest) = yyyymmdd.split_at(4);
    let (m, d) = rest.split_at(2);
    parse_timestamp(&format!("{y}-{m}-{d}"))
        .unwrap()
        .as_second()
}

/// The paper's summaries: the 2,357 customers of the 1/10 sample, same-day purchases merged,
/// time in weeks, calibration to the end of 1997-09-30 (week 39; purchases stamped that day
/// count, and T is measured to that date as in the paper's own summary file).
fn cdnow_summaries() -> Vec<RepeatSummary> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/CDNOW_sample.txt"
    ))
    .unwrap();
    let mut purchases: BTreeMap<u32, Vec<i64>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let customer: u32 = fields[1].parse().unwrap();
        purchases
            .entry(customer)
            .or_default()
            .push(seconds(fields[2]));
    }
    let end = seconds("19970930");
    let options = SummaryOptions {
        period: TimeUnit::Days,
        unit: TimeUnit::Weeks,
    };
    purchases
        .values()
        .map(|times| RepeatSummary::from_activity(times, end, &options).unwrap())
        .collect()
}

#[test]
fn summaries_match_the_papers_data() {
    let summaries = cdnow_summaries();
    assert_eq!(summaries.len(), 2_357);
    // Customer 1 bought on 1997-01-01, 01-18 and 08-02 before the end (and again in December).
    let first = summaries[0];
    assert_eq!(first.frequency(), 2);
    assert!((first.recency() - 30.43).abs() < 0.005);
    assert!((first.t() - 38.86).abs() < 0.005);
    // Totals of the calibration period, from the paper's summary file (x, t_x, T to 2 decimals).
    let repeats: u32 = summaries.iter().map(|s| s.frequency()).sum();
    let nobody_repeats = summaries.iter().filter(|s| s.frequency() == 0).count();
    assert_eq!(repeats, 2_457);
    assert_eq!(nobody_repeats, 1_411);
}

#[test]
fn fit_reproduces_the_published_estimates() {
    let fit = FitOptions::default().fit(&cdnow_summaries()).unwrap();
    let p = fit.params;
    // Published to three decimals (one for the log-likelihood): agree to that rounding.
    let published = [
        ("r", p.r(), 0.243),
        ("alpha", p.alpha(), 4.414),
        ("a", p.a(), 0.793),
        ("b", p.b(), 2.426),
    ];
    for (name, estimate, paper) in published {
        assert!(
            (estimate - paper).abs() <= 0.0005,
            "{name}: {estimate} vs {paper}"
        );
    }
    assert!(
        (fit.log_likelihood - (-9582.4)).abs() <= 0.05,
        "{}",
        fit.log_likelihood
    );
    assert!(fit.converged);
    assert_eq!(fit.customers, 2_357);
    eprintln!("CDNOW fit: {fit:?}");
}

#[test]
fn published_parameters_give_the_published_log_likelihood() {
    let paper = BgNbdParams::new(0.243, 4.414, 0.793, 2.426).unwrap();
    let ll = paper.total_log_likelihood(&cdnow_summaries());
    assert!((ll - (-9582.4)).abs() <= 0.05, "{ll}");
}

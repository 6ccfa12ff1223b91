//! Fitting BG/NBD to a million customers.
//!
//! The customers are simulated from CDNOW's published parameters converted to days (α = 4.414 ×
//! 7), in 365 daily cohorts observed to a common calibration end (T from 1 to 365 days), with
//! recency rounded down to whole days as real daily data would have it. Identical (x, t_x, T)
//! triples then repeat as they do in practice, which the fit's aggregation exploits.
//!
//! Run: `cargo bench --bench btyd -- --sample-size 10`

use std::collections::HashSet;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use lead_customers::btyd::{BgNbdParams, FitOptions, RepeatSummary, simulate};

const CUSTOMERS: usize = 1_000_000;
const COHORTS: usize = 365;

fn daily_customers() -> Vec<RepeatSummary> {
    let truth = BgNbdParams::new(0.243, 4.414 * 7.0, 0.793, 2.426).unwrap();
    let mut summaries = Vec::with_capacity(CUSTOMERS);
    for cohort in 0..COHORTS {
        let size = CUSTOMERS / COHORTS + usize::from(cohort < CUSTOMERS % COHORTS);
        let age = (COHORTS - cohort) as f64;
        let drawn = simulate(&truth, size, age, cohort as u64).unwrap();
        summaries.extend(drawn.iter().map(|s| {
            let recency = if s.frequency() == 0 {
                0.0
            } else {
                s.recency().floor()
            };
            RepeatSummary::new(s.frequency(), recency, s.t()).unwrap()
        }));
    }
    summaries
}

fn fit_a_million(c: &mut Criterion) {
    let summaries = daily_customers();
    let distinct: HashSet<(u32, u64, u64)> = summaries
        .iter()
        .map(|s| (s.frequency(), s.recency().to_bits(), s.t().to_bits()))
        .collect();
    let fit = FitOptions::default().fit(&summaries).unwrap();
    eprintln!(
        "{} customers, {} distinct (x, t_x, T): r {:.4} alpha {:.3} a {:.4} b {:.4}, \
         LL {:.1}, {} iterations, gradient {:.2e}",
        fit.customers,
        distinct.len(),
        fit.params.r(),
        fit.params.alpha(),
        fit.params.a(),
        fit.params.b(),
        fit.log_likelihood,
        fit.iterations,
        fit.gradient_norm
    );
    c.bench_function("btyd_fit_1m_customers_days", |b| {
        b.iter(|| FitOptions::default().fit(black_box(&summaries)).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = fit_a_million
}
criterion_main!(benches);

//! Score history: 24 monthly dates in one call, next to scoring one date, at 100,000 and
//! 1,000,000 customers, so that the ratio reads off one run.
//!
//! `cargo bench --bench score_history -- --sample-size 10` (the populations are generated once,
//! outside the timing; a million customers take about half a minute).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use lead_customers::ScoringModel;
use lead_customers::synthetic::{Generator, GeneratorConfig};
use lead_customers::time::monthly_dates;

fn score_history(c: &mut Criterion) {
    let mut group = c.benchmark_group("score_history");
    group.sample_size(10);
    for customers in [100_000, 1_000_000] {
        let population = Generator::new(GeneratorConfig {
            customers,
            seed: 1,
            ..Default::default()
        })
        .generate()
        .expect("the default configuration is valid")
        .population;
        let model = ScoringModel::default();
        let latest = population.latest().expect("the population has events");
        let dates = monthly_dates(latest, 24).expect("24 months back is representable");
        group.bench_with_input(
            BenchmarkId::new("one_date", customers),
            &population,
            |b, p| b.iter(|| model.score(p, latest).expect("scoring succeeds").top(10)),
        );
        group.bench_with_input(
            BenchmarkId::new("24_monthly_dates", customers),
            &population,
            |b, p| {
                b.iter(|| {
                    let history = model.score_history(p, &dates).expect("scoring succeeds");
                    history.lead_scores(23).map(|last| last[0])
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, score_history);
criterion_main!(benches);

//! Signals + scores + ranking from a built population of 100,000 and 1,000,000 customers.
//!
//! `cargo bench --bench scoring` (the populations are generated once, outside the timing).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use lead_customers::ScoringModel;
use lead_customers::synthetic::{Generator, GeneratorConfig};

fn scoring(c: &mut Criterion) {
    let mut group = c.benchmark_group("scoring");
    group.sample_size(10);
    for customers in [100_000, 1_000_000] {
        let base = Generator::new(GeneratorConfig {
            customers,
            seed: 1,
            ..Default::default()
        })
        .generate()
        .expect("the default configuration is valid");
        let population = base.population;
        let model = ScoringModel::default();
        group.throughput(Throughput::Elements(customers as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(customers),
            &population,
            |b, p| {
                b.iter(|| {
                    let scores = model.score_latest(p).expect("scoring succeeds");
                    scores.top(10)
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, scoring);
criterion_main!(benches);

//! Loading a CSV folder into a `Population`, at 100,000 and 1,000,000 customers, as bytes per
//! second.
//!
//! `cargo bench --bench load`. The folders are written once by the synthetic generator under
//! `target/bench-data/` (about 0.24 GB and 2.4 GB) and reused by later runs.

use std::path::{Path, PathBuf};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use lead_customers::synthetic::{Generator, GeneratorConfig};

/// The folder of a synthetic base of `customers`, written if it is not there yet.
fn folder(customers: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("base-{customers}"));
    if !dir.join("responses.csv").is_file() {
        let base = Generator::new(GeneratorConfig {
            customers,
            seed: 1,
            ..Default::default()
        })
        .generate()
        .expect("the default configuration is valid");
        lead_customers::write_csv_folder(&base.population, &dir)
            .expect("the bench folder can be written");
    }
    dir
}

fn bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .expect("the bench folder exists")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    for customers in [100_000, 1_000_000] {
        let dir = folder(customers);
        group.throughput(Throughput::Bytes(bytes(&dir)));
        group.bench_with_input(BenchmarkId::from_parameter(customers), &dir, |b, dir| {
            b.iter(|| lead_customers::read_csv_folder(dir).expect("the folder loads"))
        });
    }
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);

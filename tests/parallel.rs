//! The parallel passes (the `parallel` feature) give exactly what one thread gives: the same
//! population from the same CSV folder, the same signals and scores, bit for bit.
#![cfg(all(feature = "parallel", feature = "csv"))]

use lead_customers::synthetic::{Generator, GeneratorConfig};
use lead_customers::{Population, ScoringModel, Signal};
use proptest::prelude::*;

fn on_threads<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(work)
}

fn folder(seed: u64) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("parallel-{seed}"));
    let base = Generator::new(GeneratorConfig {
        customers: 400,
        seed,
        ..Default::default()
    })
    .generate()
    .unwrap();
    lead_customers::write_csv_folder(&base.population, &dir).unwrap();
    dir
}

fn fingerprint(p: &Population) -> Vec<u64> {
    let scores = ScoringModel::default().score_latest(p).unwrap();
    let mut bits: Vec<u64> = scores.lead_scores().iter().map(|s| s.to_bits()).collect();
    for &signal in Signal::ALL.iter().filter(|s| !s.is_on_demand()) {
        bits.extend(
            scores
                .signals()
                .column(signal)
                .unwrap()
                .iter()
                .map(|v| v.to_bits()),
        );
    }
    bits
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn one_thread_and_many_agree_exactly(seed in 1u64..10_000, threads in 2usize..5) {
        let dir = folder(seed);
        let (serial, serial_scores) = on_threads(1, || {
            let p = lead_customers::read_csv_folder(&dir).unwrap();
            let f = fingerprint(&p);
            (p, f)
        });
        let (parallel, parallel_scores) = on_threads(threads, || {
            let p = lead_customers::read_csv_folder(&dir).unwrap();
            let f = fingerprint(&p);
            (p, f)
        });
        // Each case writes its own folder: remove it, so repeated runs do not fill the disk.
        let _ = std::fs::remove_dir_all(&dir);
        prop_assert_eq!(&serial, &parallel);
        prop_assert_eq!(serial_scores, parallel_scores);
    }
}

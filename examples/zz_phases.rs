use lead_customers::{ScoringModel, SignalTable};
use std::time::Instant;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let t = Instant::now();
    let p = lead_customers::read_csv_folder(&dir).unwrap();
    println!("load {:.2}s", t.elapsed().as_secs_f64());
    let as_of = p.latest().unwrap();
    let model = ScoringModel::default();
    for _ in 0..2 {
        let t = Instant::now();
        let table = SignalTable::compute(&p, as_of, &model.signals).unwrap();
        let t1 = t.elapsed().as_secs_f64();
        let scores = lead_customers::Scores::new(&p, model.clone(), table).unwrap();
        let t2 = t.elapsed().as_secs_f64();
        let report = scores.report(10);
        println!(
            "signals {t1:.3}s scores {:.3}s report {:.3}s ({})",
            t2 - t1,
            t.elapsed().as_secs_f64() - t2,
            report.len()
        );
    }
    let t = Instant::now();
    drop(p);
    println!("drop {:.3}s", t.elapsed().as_secs_f64());
}

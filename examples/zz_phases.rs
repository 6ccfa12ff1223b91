use std::time::Instant;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let t0 = Instant::now();
    let mut last = 0u64;
    let pop = lead_customers::read_csv_folder_with_progress(&dir, |p| {
        if p.bytes_read - last > 100_000_000
            || p.bytes_read < 140_000_000
            || p.bytes_read > 1_150_000_000
            || p.bytes_read == p.bytes_total
        {
            eprintln!(
                "{:>8.3} s read {} MB",
                t0.elapsed().as_secs_f64(),
                p.bytes_read / 1_000_000
            );
            last = p.bytes_read;
        }
    })
    .unwrap();
    eprintln!("{:>8.3} s population built", t0.elapsed().as_secs_f64());
    let scores = lead_customers::ScoringModel::default()
        .score_latest(&pop)
        .unwrap();
    eprintln!("{:>8.3} s scored", t0.elapsed().as_secs_f64());
    let r = scores.report(10);
    eprintln!("{:>8.3} s ranked {}", t0.elapsed().as_secs_f64(), r.len());
}

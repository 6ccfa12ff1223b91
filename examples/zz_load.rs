fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let t = std::time::Instant::now();
    let p = lead_customers::read_csv_folder(&dir).unwrap();
    println!("load {:.2}s {}", t.elapsed().as_secs_f64(), p.len());
}

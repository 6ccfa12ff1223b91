//! The main job on the embedded default data set, or on your own CSV folder.
//!
//! ```text
//! cargo run --release --example quickstart            # a synthetic base of 10,000 customers
//! cargo run --release --example quickstart -- DIR     # your CSV folder
//! ```

use std::process::ExitCode;
use std::time::Instant;

use lead_customers::synthetic::{Generator, GeneratorConfig};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("quickstart: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let started = Instant::now();
    let population = match std::env::args().nth(1) {
        Some(dir) => lead_customers::read_csv_folder(&dir).map_err(|e| e.to_string())?,
        None => {
            println!(
                "No folder given: using the embedded synthetic base (10,000 customers, seed 1)."
            );
            Generator::new(GeneratorConfig::default())
                .generate()
                .map_err(|e| e.to_string())?
                .population
        }
    };
    println!("Loaded in {:.2} s.\n", started.elapsed().as_secs_f64());
    println!("{}", population.summary());
    Ok(())
}

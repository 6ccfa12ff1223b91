//! The main job on the embedded default data set, or on your own CSV folder: load, score as of
//! the latest event, show the top 10 lead customers with their reasons and the segment counts.
//!
//! ```text
//! cargo run --release --example quickstart            # a synthetic base of 10,000 customers
//! cargo run --release --example quickstart -- DIR     # your CSV folder
//! ```

#[path = "support/args.rs"]
mod args;
#[path = "support/errors.rs"]
mod errors;
#[path = "support/output.rs"]
mod output;
#[path = "support/load.rs"]
mod support;

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Instant;

use lead_customers::synthetic::{Generator, GeneratorConfig};
use lead_customers::{Population, ScoringModel};

const USAGE: &str = "usage: quickstart [DIR]";

fn main() -> ExitCode {
    let dir = match folder() {
        Ok(Some(dir)) => dir,
        Ok(None) => return ExitCode::SUCCESS, // --help
        Err(message) => {
            eprintln!("quickstart: {message}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = output::stdout();
    let written = run(&mut out, dir);
    match output::finish(written, out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("quickstart: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The folder given, if any (`Some(None)`); `None` when help was asked for.
fn folder() -> Result<Option<Option<String>>, String> {
    let mut dir = None;
    for arg in args::arguments()? {
        match arg.as_str() {
            "-h" | "--help" => return args::help(USAGE).map(|()| None),
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag}\n{USAGE}"));
            }
            path => args::folder(&mut dir, path, USAGE)?,
        }
    }
    Ok(Some(dir))
}

fn run(out: &mut impl Write, dir: Option<String>) -> io::Result<()> {
    let started = Instant::now();
    let population: Population = match dir {
        Some(dir) => support::load(&dir).map_err(|e| io::Error::other(errors::message(&e)))?,
        None => {
            writeln!(
                out,
                "No folder given: using the embedded synthetic base (10,000 customers, seed 1)."
            )?;
            Generator::new(GeneratorConfig::default())
                .generate()
                .map_err(io::Error::other)?
                .population
        }
    };
    let loaded = started.elapsed();
    // Scored before anything is printed: a failure leaves no half report on standard output.
    let scores = ScoringModel::default()
        .score_latest(&population)
        .map_err(io::Error::other)?;
    let scored = started.elapsed() - loaded;
    writeln!(out, "{}\n", population.summary())?;
    writeln!(
        out,
        "Loaded in {:.2} s, scored in {:.2} s, as of {}.\n",
        loaded.as_secs_f64(),
        scored.as_secs_f64(),
        scores.as_of()
    )?;
    writeln!(out, "Top 10 lead customers:")?;
    for ranked in scores.top(10) {
        let score = scores.score(ranked.customer);
        writeln!(
            out,
            "{:>3}. {:<10} lead {:.3}  engagement {:.3}  innovation {:.3}",
            ranked.rank,
            score.customer,
            score.lead,
            scores.engagement(ranked.customer),
            scores.innovation(ranked.customer)
        )?;
        for reason in score.reasons() {
            writeln!(out, "       - {reason}")?;
        }
    }
    writeln!(out, "\nSegments:")?;
    for (segment, count) in scores.segment_counts() {
        writeln!(out, "  {:<18} {:>9}", segment.as_str(), count)?;
    }
    Ok(())
}

//! Writes a synthetic customer base as a CSV folder.
//!
//! ```text
//! cargo run --release --example generate -- OUT_DIR [--customers N] [--seed S] [--lead-share F]
//! ```
//!
//! Prints what it wrote and how many leads it planted (on stderr, so stdout stays empty).

#[path = "support/args.rs"]
mod args;
#[path = "support/errors.rs"]
mod errors;

use std::process::ExitCode;

use lead_customers::synthetic::{Generator, GeneratorConfig};

const USAGE: &str = "usage: generate OUT_DIR [--customers N] [--seed S] [--lead-share F]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("generate: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = args::arguments()?;
    let mut out = None;
    let mut config = GeneratorConfig::default();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--customers" => config.customers = parse(&value("--customers")?, "--customers")?,
            "--seed" => config.seed = parse(&value("--seed")?, "--seed")?,
            "--lead-share" => config.lead_share = parse(&value("--lead-share")?, "--lead-share")?,
            "-h" | "--help" => return args::help(USAGE),
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag}\n{USAGE}"));
            }
            dir => args::folder(&mut out, dir, USAGE)?,
        }
    }
    let out = out.ok_or(USAGE)?;
    let base = Generator::new(config)
        .generate()
        .map_err(|e| e.to_string())?;
    lead_customers::write_csv_folder(&base.population, &out).map_err(|e| errors::message(&e))?;
    let p = &base.population;
    eprintln!(
        "wrote {out}: {} customers, {} interactions, {} ideas, {} sessions, {} participations; {} planted leads",
        p.len(),
        p.interaction_count(),
        p.idea_count(),
        p.session_count(),
        p.participation_count(),
        base.truth.planted_leads().len()
    );
    Ok(())
}

fn parse<T: std::str::FromStr>(text: &str, name: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{name}: cannot read {text:?}"))
}
